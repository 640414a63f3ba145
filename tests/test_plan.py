"""The follow-up plan (issue 15) on frozen clocks: cadence steps across a weekend and a holiday, snoozes, each way a
lead leaves the plan, effective-dated changes of the cadence, and what the queue and the status line say."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from slatui import metrics, plan
from slatui.models import Agreement, Calendar, Rep, Targets
from slatui.store import AttemptValues, LeadValues, Store, to_epoch

MADRID = ZoneInfo("Europe/Madrid")
# December 2026 in Madrid: Thu 3, Fri 4, (weekend), Mon 7, Tue 8 (Inmaculada Concepción, a public holiday in
# Spain), Wed 9, Thu 10, Fri 11.


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=MADRID)


def ts(*args: int) -> int:
    return int(local(*args).timestamp())


def shown(instant: int | None) -> str | None:
    return None if instant is None else datetime.fromtimestamp(instant, MADRID).strftime("%a %d %H:%M")


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "plan.db") as store:
        yield store


def office(store: Store, name: str = "Office", **targets) -> Agreement:
    """Madrid, mon-fri 09:00-17:00 with Spain's holidays, first attempt within a business hour."""
    return store.add_agreement(Agreement(
        name=name, targets=Targets(**{"lead_goal": 10, "respond_within_seconds": 3600, "min_attempts": 5,
                                      **targets}),
        calendar=Calendar(tz="Europe/Madrid", hours="mon-fri 09:00-17:00", holiday_countries=["ES"]),
    ))


# Plain values straight to the store: these clocks are frozen at dates that may lie in the future, which the
# models (and so the CLI and the app) refuse.
def add_lead(store: Store, agreement: Agreement, at: datetime, name: str = "lead", rep_id: int | None = None) -> int:
    return store.insert_lead(LeadValues(agreement.id, rep_id, name, "", None, "", "marketing", None, to_epoch(at)))


def attempt(store: Store, lead_id: int, at: datetime, outcome: str = "no_answer") -> int:
    return store.insert_attempt(lead_id, AttemptValues(to_epoch(at), "call", outcome))


def due(store: Store, lead_id: int) -> str | None:
    return shown(store.lead_row(lead_id)["next_due_at"])


# ---- cadence steps ----------------------------------------------------------------------------------------------


def test_cadence_steps_cross_the_weekend_and_the_holiday(store):
    agreement = office(store, cadence="4h,1d,2d")
    lead = add_lead(store, agreement, local(2026, 12, 3, 16, 30))
    assert due(store, lead) == "Fri 04 09:30"  # the first response: half an hour on Thursday, half on Friday
    attempt(store, lead, local(2026, 12, 4, 14))
    assert due(store, lead) == "Mon 07 10:00"  # 4 business hours: 3 on Friday, 1 on Monday
    attempt(store, lead, local(2026, 12, 7, 10))
    assert due(store, lead) == "Wed 09 10:00"  # a business day: Tuesday 8 is a holiday
    attempt(store, lead, local(2026, 12, 9, 11))
    assert due(store, lead) == "Fri 11 11:00"  # two business days
    attempt(store, lead, local(2026, 12, 11, 16))
    assert due(store, lead) == "Tue 15 16:00"  # the last step again, across the weekend
    attempt(store, lead, local(2026, 12, 15, 16))
    assert due(store, lead) is None  # five attempts: the cadence is done
    assert store.cadence_done() == 1 and store.plan_rows() == []


def test_without_a_cadence_the_next_attempt_is_due_a_business_day_later(store):
    agreement = office(store, min_attempts=3)
    lead = add_lead(store, agreement, local(2026, 12, 4, 9))
    attempt(store, lead, local(2026, 12, 4, 12))
    assert due(store, lead) == "Mon 07 12:00"
    attempt(store, lead, local(2026, 12, 7, 12, 30))
    assert due(store, lead) == "Wed 09 12:30"


def test_an_attempt_after_hours_is_followed_up_by_the_next_days_closing(store):
    agreement = office(store, cadence="1d")
    lead = add_lead(store, agreement, local(2026, 12, 3, 10))
    attempt(store, lead, local(2026, 12, 3, 19, 30))  # logged at home in the evening
    assert due(store, lead) == "Fri 04 17:00"


def test_a_first_response_is_owed_even_without_a_minimum_of_attempts(store):
    agreement = office(store, min_attempts=0)
    lead = add_lead(store, agreement, local(2026, 12, 4, 10))
    assert due(store, lead) == "Fri 04 11:00"
    attempt(store, lead, local(2026, 12, 4, 10, 30))
    assert due(store, lead) is None


# ---- leaving the plan -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("outcome", ["connected", "meeting_booked", "disqualified"])
def test_a_lead_reached_or_disqualified_leaves_the_plan_and_is_not_cadence_done(store, outcome):
    agreement = office(store)
    lead = add_lead(store, agreement, local(2026, 12, 4, 10))
    attempt(store, lead, local(2026, 12, 4, 10, 20))
    last = attempt(store, lead, local(2026, 12, 7, 10), outcome)
    assert due(store, lead) is None and store.plan_rows() == [] and store.cadence_done() == 0
    store.delete_attempt(last)  # the plan follows a correction
    assert due(store, lead) == "Mon 07 10:20"  # a business day after Friday's attempt


@pytest.mark.parametrize("closed_as", ["customer", "lost", "disqualified"])
def test_a_lead_closed_by_hand_leaves_the_plan_until_it_is_reopened(store, closed_as):
    agreement = office(store)
    lead = add_lead(store, agreement, local(2026, 12, 4, 10))
    store.close_lead(lead, closed_as, at=ts(2026, 12, 4, 11), revenue=100 if closed_as == "customer" else None)
    assert due(store, lead) is None and store.plan_rows() == [] and store.cadence_done() == 0
    store.reopen_lead(lead)
    assert due(store, lead) == "Fri 04 11:00"


def test_a_lead_that_had_its_attempts_leaves_the_plan_for_the_cadence_done_count(store):
    agreement = office(store, min_attempts=2)
    other = office(store, "Other", min_attempts=1)
    rep = store.add_rep(Rep(name="Ana")).id
    lead = add_lead(store, agreement, local(2026, 12, 4, 10), rep_id=rep)
    add_lead(store, other, local(2026, 12, 4, 10))
    attempt(store, lead, local(2026, 12, 4, 10, 10))
    assert [r["id"] for r in store.plan_rows()] == [2, 1]  # the other lead's first response is due sooner
    attempt(store, lead, local(2026, 12, 4, 15), "voicemail")
    assert [r["id"] for r in store.plan_rows()] == [2]
    assert (store.cadence_done(), store.cadence_done(agreement.id), store.cadence_done(other.id)) == (1, 1, 0)
    assert (store.cadence_done(rep_id=rep), store.cadence_done(rep_id=store.add_rep(Rep(name="Bo")).id)) == (1, 0)
    # Still open for the depth metric; a later attempt (past the minimum) keeps it out of the plan.
    assert store.lead_row(lead)["status"] == "open"
    attempt(store, lead, local(2026, 12, 9, 9))
    assert due(store, lead) is None


def test_agreements_not_in_force_have_no_plan(store):
    agreement = office(store, min_attempts=1)
    add_lead(store, agreement, local(2026, 12, 4, 10))
    attempt(store, add_lead(store, agreement, local(2026, 12, 4, 10)), local(2026, 12, 4, 10, 30))
    now = ts(2026, 12, 4, 12)
    assert (plan.status(store, now, agreement.id)["leads"], store.cadence_done(agreement.id)) == (1, 1)
    cancelled = store.get_agreement(agreement.id).model_copy(update={"status": "cancelled"})
    store.update_agreement(cancelled)
    assert store.plan_rows() == [] and store.plan_rows(agreement_id=agreement.id) == []
    assert store.plan_agreement_ids() == []
    assert (plan.status(store, now)["leads"], plan.status(store, now, agreement.id)["leads"]) == (0, 0)
    assert (store.cadence_done(), store.cadence_done(agreement.id)) == (0, 0)


# ---- snoozes ----------------------------------------------------------------------------------------------------


def test_a_snooze_puts_the_lead_off_but_not_its_sla_and_the_next_attempt_ends_it(store):
    agreement = office(store, cadence="1d")
    lead = add_lead(store, agreement, local(2026, 12, 3, 16, 30))
    store.snooze_lead(lead, ts(2026, 12, 7, 11))
    row = store.lead_row(lead)
    assert shown(row["next_due_at"]) == "Mon 07 11:00"
    assert shown(row["breach_at"]) == "Fri 04 09:30"  # the SLA clock does not stop
    report = metrics.month_report(store, store.terms(agreement.id), 2026, 12, local(2026, 12, 4, 12))
    assert report["speed"]["breached_count"] == 1
    assert plan.entries(store, ts(2026, 12, 4, 12))[0]["snoozed"]
    attempt(store, lead, local(2026, 12, 4, 12))  # called anyway
    row = store.lead_row(lead)
    assert row["snoozed_until"] is None and shown(row["next_due_at"]) == "Mon 07 12:00"


def test_a_snooze_never_brings_a_lead_forward_and_can_be_cleared(store):
    agreement = office(store, cadence="2d")
    lead = add_lead(store, agreement, local(2026, 12, 4, 10))
    attempt(store, lead, local(2026, 12, 4, 10, 30))
    assert due(store, lead) == "Wed 09 10:30"
    store.snooze_lead(lead, ts(2026, 12, 7, 9))
    assert due(store, lead) == "Wed 09 10:30"
    store.snooze_lead(lead, ts(2026, 12, 10, 9))
    assert due(store, lead) == "Thu 10 09:00"
    store.snooze_lead(lead, None)
    assert due(store, lead) == "Wed 09 10:30"


def test_snoozes_are_in_the_change_log_and_undone(store):
    agreement = office(store)
    lead = add_lead(store, agreement, local(2026, 12, 4, 10))
    store.snooze_lead(lead, ts(2026, 12, 7, 11))
    (change,) = store.history(lead_id=lead, limit=1)
    assert change["summary"] == f"snoozed lead #{lead}"
    assert (change["rows"][0]["old"]["snoozed_until"], change["rows"][0]["new"]["snoozed_until"]) == (
        None, ts(2026, 12, 7, 11))
    store.undo()
    assert due(store, lead) == "Fri 04 11:00"


def test_only_leads_in_the_plan_can_be_snoozed_and_only_snoozed_ones_cleared(store):
    from slatui.errors import InvalidInput

    agreement = office(store)
    lead = add_lead(store, agreement, local(2026, 12, 4, 10))
    with pytest.raises(InvalidInput, match="not snoozed"):
        store.snooze_lead(lead, None)
    store.snooze_lead(lead, ts(2026, 12, 7, 11))
    attempt(store, lead, local(2026, 12, 4, 10, 30), "connected")
    with pytest.raises(InvalidInput, match="not in the follow-up plan"):
        store.snooze_lead(lead, ts(2026, 12, 8, 11))


# ---- effective-dated terms --------------------------------------------------------------------------------------


def _edit_targets(store: Store, agreement_id: int, effective: str, **targets) -> None:
    agreement = store.get_agreement(agreement_id)
    store.update_agreement(agreement.model_copy(update={"targets": agreement.targets.model_copy(update=targets)}),
                           effective=effective)


def test_a_cadence_change_moves_the_leads_handed_off_under_it(store):
    agreement = office(store, cadence="1d")
    november = add_lead(store, agreement, local(2026, 11, 27, 10))  # a Friday
    december = add_lead(store, agreement, local(2026, 12, 2, 10))  # a Wednesday
    attempt(store, november, local(2026, 12, 3, 10))
    attempt(store, december, local(2026, 12, 3, 10))
    assert (due(store, november), due(store, december)) == ("Fri 04 10:00", "Fri 04 10:00")
    # From December: a lead follows the cadence in force when it was handed off, as its month is judged by it.
    _edit_targets(store, agreement.id, "2026-12", cadence="2d")
    assert (due(store, november), due(store, december)) == ("Fri 04 10:00", "Mon 07 10:00")
    # For every month: every open lead follows.
    _edit_targets(store, agreement.id, "all", cadence="4h")
    assert (due(store, november), due(store, december)) == ("Thu 03 14:00", "Thu 03 14:00")
    # Fewer attempts owed: both have had theirs and leave the plan; more: they are owed a step again.
    _edit_targets(store, agreement.id, "all", min_attempts=1)
    assert (due(store, november), due(store, december), store.cadence_done()) == (None, None, 2)
    _edit_targets(store, agreement.id, "2026-12", min_attempts=3)
    assert (due(store, november), due(store, december), store.cadence_done()) == (None, "Thu 03 14:00", 1)


def test_a_closed_day_added_later_moves_the_steps_that_fall_on_it(store):
    agreement = office(store, cadence="1d")
    lead = add_lead(store, agreement, local(2026, 12, 4, 10))
    attempt(store, lead, local(2026, 12, 4, 10, 30))
    assert due(store, lead) == "Mon 07 10:30"
    edited = store.get_agreement(agreement.id)
    store.update_agreement(edited.model_copy(update={"calendar": edited.calendar.model_copy(
        update={"holiday_dates": [date(2026, 12, 7)]})}))
    assert due(store, lead) == "Wed 09 10:30"


# ---- the queue and the status line ------------------------------------------------------------------------------


def test_a_step_due_at_closing_is_due_all_weekend_and_overdue_from_the_opening(store):
    agreement = office(store)
    lead = add_lead(store, agreement, local(2026, 12, 4, 16))  # due at Friday's closing
    soon = add_lead(store, agreement, local(2026, 12, 4, 16, 45))  # due at 09:45 on Monday
    for when, left, counts in [
        (local(2026, 12, 4, 16, 30), 1800, (0, 1, 1800)),  # the other: 30m on Friday and 45 on Monday
        (local(2026, 12, 5, 12), 0, (0, 2, 0)),
        (local(2026, 12, 7, 9), 0, (0, 2, 0)),
        (local(2026, 12, 7, 9, 30), -1800, (1, 1, 900)),
        (local(2026, 12, 7, 10, 0), -3600, (2, 0, None)),
    ]:
        now = when.timestamp()
        entry = plan.entries(store, now)[0]
        assert (entry["id"], entry["seconds_left"]) == (lead, left)
        figures = plan.status(store, now)
        assert (figures["overdue"], figures["due_soon"], figures["next_in_seconds"]) == counts, when
    assert [e["id"] for e in plan.entries(store, now)] == [lead, soon]


def test_queue_entries_say_the_step_and_the_time_left_in_business_time(store):
    agreement = office(store, min_attempts=6, cadence="4h,1d")
    ana, bo = store.add_rep(Rep(name="Ana")).id, store.add_rep(Rep(name="Bo")).id
    first = add_lead(store, agreement, local(2026, 12, 4, 9), "First", rep_id=ana)
    third = add_lead(store, agreement, local(2026, 12, 3, 9), "Third", rep_id=bo)
    attempt(store, third, local(2026, 12, 3, 9, 5))
    attempt(store, third, local(2026, 12, 3, 13, 5))  # next due Fri 4 13:05
    other = office(store, "Other")
    add_lead(store, other, local(2026, 12, 4, 15), "Later")
    now = ts(2026, 12, 4, 14, 10)
    entries = plan.entries(store, now)
    assert [(e["name"], e["step_text"], e["state"], e["due_text"]) for e in entries] == [
        ("First", "attempt 1 of 6", "first_response", "overdue 4h 10m"),
        ("Third", "attempt 3 of 6", "follow_up", "overdue 1h 5m"),
        ("Later", "attempt 1 of 5", "first_response", "due in 1h 50m"),
    ]
    assert [e["name"] for e in plan.entries(store, now, rep_id=bo)] == ["Third"]
    assert [e["name"] for e in plan.entries(store, now, agreement_id=other.id)] == ["Later"]
    assert [e["name"] for e in plan.entries(store, now, limit=1, offset=1)] == ["Third"]
    assert entries[0]["tz"] == "Europe/Madrid" and entries[0]["min_attempts"] == 6
    assert plan.status(store, now, rep_id=ana)["overdue"] == 1
    assert plan.status(store, now, agreement_id=other.id)["leads"] == 1
    assert first == entries[0]["id"]


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "due now"), (35 * 60 + 59, "due in 35m"), (30, "due in <1m"), (-(2 * 3600 + 10 * 60 + 5), "overdue 2h 10m"),
    (-7200, "overdue 2h"), (26 * 3600 + 60, "due in 26h 1m"), (-(130 * 3600 + 60), "overdue 130h"),
])
def test_due_text(seconds, text):
    assert plan.due_text(seconds) == text


@pytest.mark.parametrize(("figures", "text"), [
    ({"leads": 0, "overdue": 0, "due_soon": 0, "next_in_seconds": None}, "SLA ✓ nothing due"),
    ({"leads": 9, "overdue": 2, "due_soon": 3, "next_in_seconds": 12 * 60 + 59},
     "SLA ▲2 overdue · 3 due <1h · next 00:12"),
    ({"leads": 2, "overdue": 2, "due_soon": 0, "next_in_seconds": None}, "SLA ▲2 overdue"),
    ({"leads": 1, "overdue": 0, "due_soon": 0, "next_in_seconds": 101 * 3600}, "SLA 0 overdue · next >99h"),
])
def test_status_text(figures, text):
    assert plan.status_text(figures) == text


# ---- the command line -------------------------------------------------------------------------------------------

NOW = ts(2026, 12, 4, 14, 10)  # a Friday afternoon in Madrid


@pytest.fixture
def cli_db(tmp_path, monkeypatch):
    """The leads of `test_queue_entries_say_the_step_and_the_time_left_in_business_time`, the CLI's clock at NOW."""
    path = tmp_path / "cli.db"
    monkeypatch.setenv("SLATUI_DB", str(path))
    monkeypatch.setattr("slatui.cli.plan.now", lambda: NOW)
    with Store(path) as store:
        agreement = office(store, "MQL to SQL", min_attempts=6, cadence="4h,1d")
        ana, bo = store.add_rep(Rep(name="Ana")).id, store.add_rep(Rep(name="Bo")).id
        add_lead(store, agreement, local(2026, 12, 4, 9), "First", rep_id=ana)
        third = add_lead(store, agreement, local(2026, 12, 3, 9), "Third", rep_id=bo)
        attempt(store, third, local(2026, 12, 3, 9, 5))
        attempt(store, third, local(2026, 12, 3, 13, 5))
        add_lead(store, office(store, "Other", min_attempts=1), local(2026, 12, 4, 15), "Later")
        done = add_lead(store, agreement, local(2026, 11, 2, 9), "Done", rep_id=ana)
        for day in range(2, 8):
            attempt(store, done, local(2026, 11, day + (day > 5) * 2, 10))
    return path


def test_queue_json_lists_the_plan_in_due_order(cli_db, run):
    import json

    code, out, err = run("queue", "--json")
    rows = json.loads(out)
    assert code == 0 and err == ""
    assert list(rows[0]) == ["lead_id", "name", "company", "rep", "agreement", "step", "attempts", "min_attempts",
                             "next_due", "seconds_left", "state", "snoozed_until"]
    assert [(r["name"], r["rep"], r["agreement"], r["step"], r["attempts"], r["min_attempts"], r["next_due"],
             r["seconds_left"], r["state"]) for r in rows] == [
        ("First", "Ana", "MQL to SQL", 1, 0, 6, "2026-12-04T10:00:00+01:00", -(4 * 3600 + 600), "first_response"),
        ("Third", "Bo", "MQL to SQL", 3, 2, 6, "2026-12-04T13:05:00+01:00", -3900, "follow_up"),
        ("Later", None, "Other", 1, 0, 1, "2026-12-04T16:00:00+01:00", 6600, "first_response"),
    ]
    assert [r["name"] for r in json.loads(run("queue", "--json", "--rep", "Bo")[1])] == ["Third"]
    assert [r["name"] for r in json.loads(run("queue", "--json", "--agreement", "other")[1])] == ["Later"]
    assert [r["name"] for r in json.loads(run("queue", "--json", "--limit", "2")[1])] == ["First", "Third"]


def test_queue_table_says_when_in_the_agreements_zone_and_what_is_left(cli_db, run):
    code, out, _ = run("queue", "--limit", "2")
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == ("3 leads owed an attempt: 2 overdue, 0 due within a business hour · "
                        "1 cadence done, not reached")
    assert lines[1].split() == ["id", "due", "left", "step", "lead", "company", "rep", "agreement"]
    assert "Fri 04 Dec 10:00 CET  overdue 4h 10m  attempt 1 of 6 (first response)  First" in lines[2]
    assert "Fri 04 Dec 13:05 CET  overdue 1h 5m   attempt 3 of 6" in lines[3]
    assert lines[4] == "… and 1 more (--limit)"
    code, out, _ = run("queue", "--rep", "Ana")
    assert out.splitlines()[0] == ("1 leads owed an attempt: 1 overdue, 0 due within a business hour · "
                                   "1 cadence done, not reached")


def test_status_line_and_its_json(cli_db, run):
    import json

    assert run("status") == (0, "SLA ▲2 overdue · next 01:50\n", "")
    assert run("status", "--agreement", "Other") == (0, "SLA 0 overdue · next 01:50\n", "")
    assert run("status", "--rep", "Bo")[1] == "SLA ▲1 overdue\n"
    code, out, err = run("status", "--format", "json")
    assert (code, err) == (0, "")
    assert json.loads(out) == {"leads": 3, "overdue": 2, "due_soon": 0, "next_in_seconds": 6600,
                               "next_due_at": "2026-12-04T15:00:00+00:00",
                               "text": "SLA ▲2 overdue · next 01:50"}


@pytest.mark.parametrize("case", ["missing", "empty file", "not a database", "older schema", "locked",
                                  "no agreement", "unknown agreement", "unknown rep"])
def test_status_never_fails_in_a_prompt(tmp_path, run, monkeypatch, case):
    import shutil
    import sqlite3
    from pathlib import Path

    db = tmp_path / "status.db"
    args = ["--db", str(db), "status"]
    expected = "SLA –"
    holder = None
    if case == "empty file":
        db.touch()
    elif case == "not a database":
        db.write_text("hello")
    elif case == "older schema":
        shutil.copy(Path(__file__).parent / "fixtures" / "schemas" / "v2.db", db)
    elif case in ("locked", "no agreement", "unknown agreement", "unknown rep"):
        with Store(db) as store:
            if case != "no agreement":
                office(store)
        if case == "locked":  # another process holds the file in exclusive locking mode, as in a long write
            holder = sqlite3.connect(db, isolation_level=None)
            holder.execute("PRAGMA locking_mode = EXCLUSIVE")
            holder.execute("BEGIN EXCLUSIVE")
        elif case == "unknown agreement":
            args, expected = [*args, "--agreement", "Nope"], "SLA ? no agreement 'Nope'"
        elif case == "unknown rep":
            args, expected = [*args, "--rep", "Nobody"], "SLA ? no rep 'Nobody'"
    before = db.read_bytes() if db.exists() and case != "locked" else None
    try:
        assert run(*args) == (0, expected + "\n", "")
        code, out, err = run(*args, "--format", "json")
        assert (code, err) == (0, "") and '"error"' in out
    finally:
        if holder is not None:
            holder.close()
    assert db.exists() == (case != "missing")  # never created
    if before is not None:
        assert db.read_bytes() == before  # never upgraded or written


def test_lead_snooze_from_the_shell(cli_db, run):
    assert run("lead", "snooze", "2", "--until", "monday 10:30") == (
        0, "lead 2 snoozed: attempt 3 of 6 due Mon 07 Dec 10:30 CET\n", "")
    code, out, _ = run("queue", "--json")
    import json

    snoozed = [r for r in json.loads(out) if r["lead_id"] == 2][0]
    assert snoozed["snoozed_until"] == "2026-12-07T10:30:00+01:00" and snoozed["seconds_left"] == 10200 + 5400
    assert run("lead", "snooze", "2", "--clear") == (0, "lead 2 is no longer snoozed: next attempt due "
                                                        "Fri 04 Dec 13:05 CET\n", "")
    # Off the overdue count, its breach is still said.
    assert run("lead", "snooze", "1", "--until", "in 2h")[1].splitlines() == [
        "lead 1 snoozed: attempt 1 of 6 due Fri 04 Dec 16:10 CET",
        "its first response already breached the SLA, at Fri 04 Dec 10:00 CET"]
    assert run("lead", "snooze", "3", "--until", "in 3h")[1].splitlines() == [
        "lead 3 snoozed: attempt 1 of 1 due Fri 04 Dec 17:10 CET",
        "its first response still breaches the SLA after Fri 04 Dec 16:00 CET"]


@pytest.mark.parametrize(("args", "message"), [
    (("1",), "give --until WHEN to snooze the lead, or --clear to end its snooze"),
    (("1", "--until", "tomorrow", "--clear"), "give --until WHEN to snooze the lead, or --clear"),
    (("1", "--until", "next week"), "--until: can't read time 'next week': use in 2h, tomorrow"),
    (("1", "--until", "today 09:00"), "--until: Fri 04 Dec 09:00 CET has passed"),
    (("1", "--until", "2099-01-01"), "--until: 01 Jan 2099 CET is more than a year away: a lead nobody will try"),
    (("3", "--until", "today 15:30"), "--until: lead 3 is not due before Fri 04 Dec 16:00 CET anyway"),
    (("4", "--until", "tomorrow"), "lead 4 is not in the follow-up plan (open, 6 attempts)"),
    (("1", "--clear"), "lead 1 is not snoozed: there is nothing to clear"),
    (("9", "--clear"), "no lead with id 9"),
])
def test_lead_snooze_refuses_cleanly(cli_db, run, args, message):
    import sqlite3

    def dump() -> list[str]:
        conn = sqlite3.connect(cli_db)
        try:
            return list(conn.iterdump())
        finally:
            conn.close()

    before = dump()
    code, out, err = run("lead", "snooze", *args)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err
    assert dump() == before
