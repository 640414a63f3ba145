"""Correcting mistakes and closing the loop (issue 14), against temporary databases: `lead show|edit|close|reopen|
delete`, `attempt edit|delete`, `rep edit`, `history` and `undo`, with the change log's content after each kind of
change and the reports that follow."""

from __future__ import annotations

import io
import json
import sqlite3

import pytest
import test_cli
from importing import FIXTURES, lead_facts, make_store
from importing import run as run_cli

from slatui.store import Store

# A temporary database (SLATUI_DB) shared with test_cli; `run` (conftest) runs the CLI in-process as the console script.
db = test_cli.db

# Tables people's data lives in (the change log itself grows with every change, undo included).
DATA_TABLES = ("agreements", "agreement_terms", "reps", "leads", "attempts", "lead_days")


@pytest.fixture
def ok(run):
    """Run a command that must succeed; its stdout."""

    def invoke(*args: str) -> str:
        code, out, err = run(*args)
        assert code == 0, err
        return out

    return invoke


@pytest.fixture
def lead(db, ok):
    """Lead 1 (Bob), handed off Friday 2026-11-20 10:00 in Madrid (1 business hour to answer), with attempt 1
    (no answer at 10:20) and attempt 2 (connected at 11:30); reps Ana (#1) and Bo (#2)."""
    ok("agreement", "add", "MQL to SQL", "--tz", "Europe/Madrid", "--hours", "mon-fri 09:00-17:00",
       "--respond-within", "1h", "--compliance", "85", "--min-attempts", "3", "--lead-goal", "2")
    ok("rep", "add", "Ana")
    ok("rep", "add", "Bo")
    assert ok("lead", "add", "Bob", "--agreement", "1", "--rep", "Ana", "--at", "2026-11-20T10:00", "--quiet").strip() == "1"
    assert "attempt #1" in ok("log", "1", "--outcome", "no_answer", "--at", "2026-11-20T10:20")
    assert "attempt #2" in ok("log", "1", "--outcome", "connected", "--at", "2026-11-20T11:30")
    return 1


def _json(ok, *args: str):
    return json.loads(ok(*args, "--json"))


def _dump(path, tables=DATA_TABLES) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2, 3").fetchall() for t in tables}
    finally:
        conn.close()


def _last_change(ok) -> dict:
    return _json(ok, "history", "--limit", "1")[0]


# ---- lead show ----------------------------------------------------------------------------------------


def test_lead_show_has_the_sla_facts_and_the_timeline_in_the_agreements_zone(lead, ok):
    out = ok("lead", "show", "1")
    assert "Lead #1 Bob" in out
    assert "handed off  2026-11-20 10:00 CET" in out and "deadline    2026-11-20 11:00 CET" in out
    assert "met: first attempt after 20m (target 1h)" in out
    assert "2 of 3 minimum · connected 2026-11-20 11:30 CET" in out
    assert "#1  2026-11-20 10:20 CET" in out and "#2  2026-11-20 11:30 CET" in out
    data = _json(ok, "lead", "show", "1")
    assert data["handed_off_at"] == "2026-11-20T09:00:00+00:00" and data["tz"] == "Europe/Madrid"
    assert (data["speed_status"], data["response_seconds"], data["attempt_count"], data["connected"]) == \
        ("met", 1200, 2, True)
    assert [(a["id"], a["at"], a["outcome"]) for a in data["attempts"]] == [
        (1, "2026-11-20T09:20:00+00:00", "no_answer"), (2, "2026-11-20T10:30:00+00:00", "connected")]
    assert data["rep"] == {"id": 1, "name": "Ana", "active": True} and data["agreement"]["name"] == "MQL to SQL"


def test_lead_show_of_an_unanswered_lead_gives_the_next_attempt_due(lead, ok):
    ok("lead", "add", "Eve", "--agreement", "1", "--at", "2026-11-20T16:30")  # Friday, 30 minutes before closing
    data = _json(ok, "lead", "show", "2")
    assert data["speed_status"] == "breached" and data["next_due_at"] == "2026-11-23T08:30:00+00:00"
    out = ok("lead", "show", "2")
    assert "next due    2026-11-23 09:30 CET (attempt 1 of 3)" in out and "breached: no attempt yet" in out
    assert "Attempts: none yet" in out


# ---- corrections and the reports that follow -------------------------------------------------------------


def _report(ok, as_of: str = "2026-11-30T20:00") -> dict:
    return json.loads(ok("report", "--agreement", "1", "--month", "2026-11", "--as-of", as_of, "--format", "json"))


def _speed(ok) -> tuple[int, int]:
    speed = _report(ok)["speed"]
    return speed["met_count"], speed["breached_count"]


def test_moving_the_first_attempt_moves_the_response_time_and_the_report(lead, ok):
    assert _speed(ok) == (1, 0)
    out = ok("attempt", "edit", "1", "--at", "2026-11-20 11:15")  # read in Madrid time
    assert "attempt #1: at 2026-11-20 10:20 CET → 2026-11-20 11:15 CET" in out
    assert "first attempt after 1h15m · speed breached" in out
    row = _json(ok, "lead", "show", "1")
    assert (row["first_attempt_at"], row["response_seconds"]) == ("2026-11-20T10:15:00+00:00", 75 * 60)
    assert _speed(ok) == (0, 1)
    # Deleting it leaves the connected attempt as the first; undo puts it back.
    ok("attempt", "delete", "1", "--yes")
    assert _json(ok, "lead", "show", "1")["response_seconds"] == 90 * 60
    ok("undo")
    assert _json(ok, "lead", "show", "1")["response_seconds"] == 75 * 60 and _speed(ok) == (0, 1)


def test_a_mistaken_attempt_in_the_future_is_corrected(lead, ok, run, db):
    from datetime import datetime, timezone

    from slatui.store import AttemptValues

    ok("lead", "add", "Eve", "--agreement", "1", "--at", "2026-11-23T10:00")
    # The year typed wrong, in a file written before slatui refused future times.
    with Store(db) as store:
        store.insert_attempt(2, AttemptValues(int(datetime(2027, 11, 23, 9, 5, tzinfo=timezone.utc).timestamp()),
                                              "call", "no_answer"))
    assert _speed(ok) == (1, 1)
    code, _, err = run("attempt", "edit", "3", "--at", "2027-11-23T10:05")
    assert code == 2 and "later than now" in err
    ok("attempt", "edit", "3", "--at", "2026-11-23T10:05")
    assert _speed(ok) == (2, 0)


def test_lead_edit_moves_the_handoff_rep_and_agreement(lead, ok, run):
    out = ok("lead", "edit", "1", "--name", "Robert", "--at", "2026-11-20 09:10", "--rep", "Bo", "--email",
             "bob@acme.com")
    assert "handed off 2026-11-20 10:00 CET → 2026-11-20 09:10 CET" in out and "rep Ana → Bo" in out
    data = _json(ok, "lead", "show", "1")
    assert (data["name"], data["rep_id"], data["email"], data["response_seconds"]) == ("Robert", 2, "bob@acme.com",
                                                                                       70 * 60)
    assert data["speed_status"] == "breached" and _speed(ok) == (0, 1)
    assert "nothing changed" in ok("lead", "edit", "1", "--name", "Robert")
    # Moving to an agreement on UTC with a 24-hour target: facts follow the new clock.
    ok("agreement", "add", "Partners", "--tz", "UTC", "--respond-within", "24h")
    ok("lead", "edit", "1", "--agreement", "Partners", "--no-rep", "--value", "250")
    data = _json(ok, "lead", "show", "1")
    assert (data["agreement"]["name"], data["rep"], data["value"], data["speed_status"]) == ("Partners", None, 250.0,
                                                                                             "met")
    assert data["deadline_at"] == "2026-11-21T08:10:00+00:00"


def test_the_tier_brings_its_value_unless_the_value_was_set_by_hand(db, ok):
    ok("agreement", "add", "Tiers", "--tz", "UTC", "--tier-value", "CEO=100", "--tier-value", "Manager=40")
    ok("lead", "add", "Ann", "--agreement", "1", "--tier", "Manager")
    ok("lead", "add", "Ben", "--agreement", "1", "--tier", "Manager", "--value", "55")
    ok("lead", "edit", "1", "--tier", "CEO")
    ok("lead", "edit", "2", "--tier", "CEO")
    assert [_json(ok, "lead", "show", str(i))["value"] for i in (1, 2)] == [100.0, 55.0]


def test_won_leads_feed_the_recalibration(lead, ok, run):
    ok("agreement", "edit", "1", "--quota", "1000", "--effective", "all")
    ok("lead", "add", "Eve", "--agreement", "1", "--at", "2026-11-23T10:00")

    def recalibration() -> dict:
        return _report(ok)["recalibration"]

    assert (recalibration()["customers"], recalibration()["close_rate"]) == (0, 0)
    out = ok("lead", "close", "1", "--won", "--revenue", "500", "--at", "2026-11-25 12:00")
    assert out.startswith("closed lead #1 Bob as won at 2026-11-25 12:00 CET · revenue 500.00")
    r = recalibration()
    assert (r["customers"], r["close_rate"], r["deal_size"], r["customer_revenue"]) == (1, 0.5, 500, 500)
    assert r["implied_lead_goal"] == 4  # 1000 ÷ 500 = 2 customers ÷ 50 % = 4 leads
    # Closing again corrects the close and keeps what is not given (its time, its revenue).
    ok("lead", "close", "1", "--won", "--revenue", "800")
    assert (recalibration()["deal_size"], _json(ok, "lead", "show", "1")["closed_at"]) == \
        (800, "2026-11-25T11:00:00+00:00")
    ok("lead", "close", "1", "--lost", "--reason", "chose a competitor")
    data = _json(ok, "lead", "show", "1")
    assert (data["status"], data["revenue"], data["close_reason"]) == ("lost", None, "chose a competitor")
    assert recalibration()["customers"] == 0
    assert "now connected" in ok("lead", "reopen", "1")
    code, _, err = run("lead", "reopen", "1")
    assert code == 2 and "not closed" in err
    code, _, err = run("lead", "close", "2", "--won")
    assert code == 0 and "no revenue given" in err


def test_disqualified_by_hand_leaves_the_plan_and_reopens(lead, ok):
    ok("lead", "add", "Eve", "--agreement", "1", "--at", "2026-11-23T10:00")
    ok("lead", "close", "2", "--disqualified", "--reason", "student", "--at", "2026-11-23T10:30")
    data = _json(ok, "lead", "show", "2")
    assert (data["status"], data["next_due_at"], data["disqualified_at"]) == \
        ("disqualified", None, "2026-11-23T09:30:00+00:00")
    ok("lead", "reopen", "2")
    assert _json(ok, "lead", "show", "2")["next_due_at"] is not None


def test_inactive_reps_keep_their_history_and_leave_pick_lists(lead, ok, run, db):
    out = ok("rep", "edit", "Ana", "--inactive", "--team", "Inbound", "--capacity", "30")
    assert "active yes → no" in out and "capacity/week 50 → 30" in out
    lines = {line.split()[1]: line.split()[-1] for line in ok("rep", "list").splitlines()[1:]}
    assert lines == {"Ana": "inactive", "Bo": "active"}
    assert json.loads(ok("rep", "list", "--json"))[0]["active"] is False
    ok("lead", "edit", "1", "--rep", "Bo")  # her lead can go to another rep...
    before = _dump(db)
    for args in (("lead", "add", "X", "--agreement", "1", "--rep", "ana"),  # ...but no new work goes to her
                 ("log", "1", "--outcome", "voicemail", "--rep", "Ana"), ("lead", "edit", "1", "--rep", "1")):
        code, _, err = run(*args)
        assert code == 2 and "Ana is inactive" in err and "rep edit 1 --active" in err, args
        assert _dump(db) == before
    # Her attempts keep her name, and correcting who made one may name her.
    ok("attempt", "edit", "2", "--rep", "Bo")
    ok("attempt", "edit", "2", "--rep", "Ana")
    assert _json(ok, "lead", "show", "1")["attempts"][1]["rep"] == "Ana"
    ok("rep", "edit", "1", "--active", "--name", "Ana María")
    assert ok("lead", "add", "Y", "--agreement", "1", "--rep", "Ana María", "--quiet").strip() == "2"


# ---- deletes ask first -----------------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_deletes_ask_on_a_terminal_and_refuse_without_yes_elsewhere(lead, ok, run, db, monkeypatch):
    before = _dump(db)
    for args in (("lead", "delete", "1"), ("attempt", "delete", "2")):
        code, _, err = run(*args)
        assert code == 2 and "pass --yes" in err
    monkeypatch.setattr("sys.stdin", _Terminal("n\n"))
    code, out, err = run("lead", "delete", "1")
    assert code == 1 and "Delete lead #1 Bob and its 2 attempts?" in out
    assert _dump(db) == before
    monkeypatch.setattr("sys.stdin", _Terminal("y\n"))
    code, out, _ = run("lead", "delete", "1")
    assert code == 0 and "deleted lead #1 Bob and its 2 attempts" in out
    assert run("lead", "show", "1")[0] == 2
    assert "added lead #1" in ok("undo")
    assert _dump(db) == before


# ---- bad input: one line, exit 2, nothing written -------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("lead", "show", "9"), "no lead with id 9"),
        (("lead", "edit", "9", "--name", "X"), "no lead with id 9"),
        (("lead", "edit", "1"), "nothing to change"),
        (("lead", "edit", "1", "--name", " "), "--name must be 1 to 200 characters"),
        (("lead", "edit", "1", "--email", "bob@"), "--email: 'bob@' is not an email address"),
        (("lead", "edit", "1", "--value", "-5"), "--value must be 0 or more, got -5"),
        (("lead", "edit", "1", "--value", "lots"), "value: 'lots' is not a number"),
        (("lead", "edit", "1", "--rep", "Ana", "--no-rep"), "--rep or --no-rep, not both"),
        (("lead", "edit", "1", "--rep", "Nobody"), "no rep 'Nobody'"),
        (("lead", "edit", "1", "--agreement", "Nope"), "no agreement 'Nope'"),
        (("lead", "edit", "1", "--at", "2026-11-20 10:30"), "has an attempt at 2026-11-20 10:20 CET"),
        (("lead", "edit", "1", "--at", "whenever"), "--at: can't read time 'whenever'"),
        (("lead", "close", "1"), "give one of --won, --lost or --disqualified"),
        (("lead", "close", "1", "--won", "--lost"), "not --won and --lost"),
        (("lead", "close", "1", "--lost", "--revenue", "100"), "--revenue: revenue is for leads won"),
        (("lead", "close", "1", "--won", "--revenue", "-1"), "--revenue must be 0 or more, got -1"),
        (("lead", "close", "1", "--won", "--at", "2026-11-20 09:00"), "it cannot close before that"),
        (("lead", "close", "9", "--won"), "no lead with id 9"),
        (("lead", "reopen", "1"), "lead 1 is not closed"),
        (("lead", "delete", "9", "--yes"), "no lead with id 9"),
        (("attempt", "edit", "9", "--note", "x"), "no attempt with id 9"),
        (("attempt", "edit", "1"), "nothing to change"),
        (("attempt", "edit", "1", "--outcome", "maybe"), "outcome: 'maybe' is not allowed"),
        (("attempt", "edit", "1", "--channel", "fax"), "channel: 'fax' is not allowed"),
        (("attempt", "edit", "1", "--at", "2026-11-20 09:59"), "before lead 1's handoff"),
        (("attempt", "delete", "9", "--yes"), "no attempt with id 9"),
        (("rep", "edit", "Nobody", "--team", "X"), "no rep 'Nobody'"),
        (("rep", "edit", "Ana", "--name", "bo"), "a rep called 'bo' already exists"),
        (("rep", "edit", "Ana"), "nothing to change"),
        (("history", "--lead", "1", "--agreement", "1"), "--lead or --agreement, not both"),
        (("history", "--agreement", "Nope"), "no agreement 'Nope'"),
    ],
)
def test_bad_input_is_refused_cleanly(lead, run, db, args, message):
    before = _dump(db, (*DATA_TABLES, "changes", "change_rows"))
    code, _, err = run(*args)
    assert code == 2, err
    assert message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert _dump(db, (*DATA_TABLES, "changes", "change_rows")) == before


# ---- the change log ------------------------------------------------------------------------------------


# (command, summary, [(table, row id, "added" | "deleted" | changed columns)], commands run before it) after the
# `lead` fixture.
LOGGED = [
    (("lead", "add", "Eve", "--agreement", "1", "--at", "2026-11-23T10:00"), "added lead #2 Eve",
     [("leads", 2, "added")]),
    (("log", "1", "--outcome", "voicemail", "--at", "2026-11-20T12:00"), "logged attempt #3 (voicemail) on lead #1",
     [("attempts", 3, "added")]),
    (("lead", "edit", "1", "--company", "Acme", "--tier", "A"), "edited lead #1", [("leads", 1, {"company", "tier"})]),
    (("lead", "close", "1", "--won", "--revenue", "10"), "closed lead #1 as won",
     [("leads", 1, {"closed_as", "closed_at", "revenue"})]),
    (("lead", "delete", "1", "--yes"), "deleted lead #1 Bob",
     [("attempts", 1, "deleted"), ("attempts", 2, "deleted"), ("leads", 1, "deleted")]),
    (("attempt", "edit", "2", "--outcome", "meeting_booked", "--note", "Friday"), "edited attempt #2",
     [("attempts", 2, {"outcome", "note"})]),
    (("attempt", "delete", "1", "--yes"), "deleted attempt #1", [("attempts", 1, "deleted")]),
    (("rep", "add", "Cy"), "added rep #3 Cy", [("reps", 3, "added")]),
    (("rep", "edit", "Bo", "--capacity", "20"), "edited rep #2 Bo", [("reps", 2, {"weekly_capacity"})]),
    (("agreement", "edit", "1", "--lead-goal", "5", "--effective", "all"), "edited agreement #1 MQL to SQL",
     [("agreement_terms", 1, {"lead_goal"})]),
    (("undo",), "undo #6: logged attempt #2 (connected) on lead #1", [("attempts", 2, "deleted")]),
    (("lead", "reopen", "1"), "reopened lead #1", [("leads", 1, {"closed_as", "closed_at", "close_reason"})],
     ("lead", "close", "1", "--lost", "--reason", "no budget")),
    (("agreement", "add", "Other", "--tz", "UTC"), "added agreement #2 Other",
     [("agreements", 2, "added"), ("agreement_terms", 2, "added")]),
    (("lead", "add", "Eve", "--agreement", "1", "--rep", "Cy"), "added lead #2 Eve", [("leads", 2, "added")],
     ("rep", "add", "Cy")),
]


@pytest.mark.parametrize("case", LOGGED, ids=lambda case: " ".join(case[0][:2]))
def test_the_change_log_after_each_kind_of_change(lead, ok, case):
    command, summary, rows, *before = case
    for earlier in before:
        ok(*earlier)
    ok(*command)
    change = _last_change(ok)
    assert change["summary"] == summary
    assert change["origin"] == f"cli: slatui {' '.join(a for a in command[:2] if not a[0].isdigit())}"
    assert change["user"] and change["at"].endswith("+00:00")
    seen = []
    for row in change["rows"]:
        if row["old"] is None:
            seen.append((row["table"], row["id"], "added"))
        elif row["new"] is None:
            seen.append((row["table"], row["id"], "deleted"))
        else:
            seen.append((row["table"], row["id"], {k for k in row["new"] if row["new"][k] != row["old"].get(k)}))
    assert seen == rows
    if command[0] == "undo":
        assert change["undoes"] == 6 and _json(ok, "history", "--limit", "2")[1]["undone_by"] == change["id"]


def test_history_reads_old_and_new_values_and_filters_by_lead_and_agreement(lead, ok, tmp_path):
    ok("lead", "edit", "1", "--at", "2026-11-20 09:40")
    out = ok("history", "--lead", "1", "--limit", "1")
    assert "root" in out or "cli: slatui lead edit" in out
    assert "edited lead #1" in out and "lead #1: handed off 2026-11-20 10:00 CET → 2026-11-20 09:40 CET" in out
    change = _json(ok, "history", "--lead", "1", "--limit", "1")[0]
    assert (change["rows"][0]["old"]["handed_off_at"], change["rows"][0]["new"]["handed_off_at"]) == \
        ("2026-11-20T09:00:00+00:00", "2026-11-20T08:40:00+00:00")
    ok("agreement", "add", "Other", "--tz", "UTC")
    ok("lead", "add", "Zed", "--agreement", "Other")
    # An import logs its new attempts as an id range: it still shows in the history of the lead it touched.
    csv = tmp_path / "attempts.csv"
    csv.write_text("name,handed_off_at,at,outcome\nBob,2026-11-20 09:40,2026-11-21 10:00,voicemail\n")
    ok("import", "csv", str(csv), "--agreement", "1")
    changes = _json(ok, "history", "--lead", "1")
    summaries = [c["summary"] for c in changes]
    assert summaries[0].startswith("import: leads: 0 added") and "added lead #1 Bob" in summaries
    assert changes[0]["origin"] == "cli: slatui import csv attempts.csv"  # from where: the file imported
    assert "added lead #2 Zed" not in summaries
    by_agreement = [c["summary"] for c in _json(ok, "history", "--agreement", "Other")]
    assert by_agreement == ["added lead #2 Zed", "added agreement #2 Other"]
    assert len(_json(ok, "history", "--limit", "3")) == 3
    assert "no changes recorded to lead 42" in ok("history", "--lead", "42")


# ---- undo ----------------------------------------------------------------------------------------------


def test_undo_of_an_import_puts_the_file_back(lead, ok, db, tmp_path):
    before = _dump(db)
    csv = tmp_path / "leads.csv"
    csv.write_text("name,handed_off_at,at,outcome\n"
                   "Carl,2026-11-23 10:00,2026-11-23 10:30,no answer\n"
                   "Dana,2026-11-23 11:00,2026-11-23 11:05,connected\n"
                   "Bob,2026-11-20 10:00,2026-11-20 10:05,voicemail\n")  # lead 1 as it is, with an earlier attempt
    assert ok("import", "csv", str(csv), "--agreement", "1").startswith("leads: 2 added, 1 updated; attempts: 3")
    assert _json(ok, "lead", "show", "1")["response_seconds"] == 5 * 60
    out = ok("undo")
    assert out.startswith("undid #") and "import: leads: 2 added" in out and "removed attempts #3–#5" in out
    assert "removed leads #2–#3" in out and "lead #1" not in out  # lead 1 itself was not changed
    assert _dump(db) == before  # facts of lead 1 included: its first attempt is 10:20 again


def test_undo_of_an_import_puts_back_the_stand_ins_it_replaced(tmp_path):

    store = make_store(tmp_path / "s.db")
    assert run_cli(tmp_path / "s.db", "import", "hubspot", FIXTURES / "hubspot" / "contacts.csv",
                   "--agreement", "SLA").code == 0
    with_stand_ins = lead_facts(store), _dump(tmp_path / "s.db")
    assert run_cli(tmp_path / "s.db", "import", "hubspot", FIXTURES / "hubspot" / "calls.csv",
                   "--agreement", "SLA").code == 0
    assert lead_facts(store) != with_stand_ins[0]
    assert run_cli(tmp_path / "s.db", "undo").code == 0
    assert (lead_facts(store), _dump(tmp_path / "s.db")) == with_stand_ins
    store.close()


def test_undo_of_a_reimport_that_changed_leads_and_closed_them_puts_them_back(tmp_path):
    """A re-import that changes a lead's values and closes another (Salesforce conversions, a removed user's new
    inactive rep) is one change: undo puts every value and fact back as it was."""
    store = make_store(tmp_path / "s.db")
    contacts = tmp_path / "contacts.csv"
    contacts.write_text((FIXTURES / "hubspot" / "contacts.csv").read_text(encoding="utf-8-sig"), encoding="utf-8")
    assert run_cli(tmp_path / "s.db", "import", "hubspot", contacts, FIXTURES / "hubspot" / "calls.csv",
                   "--agreement", "SLA").code == 0
    before = lead_facts(store), _dump(tmp_path / "s.db")
    contacts.write_text(contacts.read_text(encoding="utf-8").replace(",Acme,", ",Acme Corp,")
                        .replace("Bernardo Costa", "Bernardo Costa (Deactivated User)")
                        + "201,Zoe,Ramos,zoe@x.example,Umbrella,Zed Novak (Deactivated User),Connected,Customer,"
                          "2026-03-05 08:00,2026-03-05 10:00,,,0,2026-03-09 12:00\n", encoding="utf-8")
    result = run_cli(tmp_path / "s.db", "import", "hubspot", contacts, "--agreement", "SLA")
    assert result.code == 0, result.stderr
    assert "leads: 1 added, 1 updated" in result.stdout and "reps: 1 added (Zed Novak)" in result.stdout
    assert {r.name: r.active for r in store.list_reps()}["Zed Novak"] is False
    assert store.lead_rows(text="Zoe")[0]["status"] == "customer"
    assert lead_facts(store) != before[0]
    out = run_cli(tmp_path / "s.db", "undo").stdout
    assert "company 'Acme Corp' → 'Acme'" in out and "removed reps" not in out  # one rep: its values
    assert (lead_facts(store), _dump(tmp_path / "s.db")) == before
    store.close()


def test_undo_goes_back_one_change_and_refuses_after(lead, ok, run, db):
    ok("lead", "edit", "1", "--name", "Robert")
    out = ok("undo")
    assert out.startswith("undid #") and "edited lead #1" in out and "name 'Robert' → 'Bob'" in out
    before = _dump(db, (*DATA_TABLES, "changes", "change_rows"))
    code, _, err = run("undo")
    assert code == 2 and "is already undone; undo goes back one change only" in err
    assert _dump(db, (*DATA_TABLES, "changes", "change_rows")) == before
    # A new change can be undone again.
    ok("lead", "edit", "1", "--company", "Acme")
    assert "company 'Acme' → —" in ok("undo")


def test_undo_refuses_when_the_row_changed_since(lead, ok, run, db):
    ok("lead", "edit", "1", "--name", "Robert")
    with Store(db) as store, store.transaction() as conn:  # a write that bypassed the log (another tool)
        conn.execute("UPDATE leads SET company = 'Elsewhere' WHERE id = 1")
    before = _dump(db, (*DATA_TABLES, "changes", "change_rows"))
    code, _, err = run("undo")
    assert code == 2 and "leads row 1 changed since change #" in err
    assert _dump(db, (*DATA_TABLES, "changes", "change_rows")) == before


def test_undo_of_nothing_says_so(db, run):
    code, _, err = run("undo")
    assert code == 2 and "there is no change to undo" in err
