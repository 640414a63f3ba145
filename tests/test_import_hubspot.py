import pytest
from importing import FIXTURES, counts, lead_facts, make_store, run

from slatui.cli import transfer as commands
from slatui.io import beside
from slatui.io.batch import run_import
from slatui.store import Store

HUBSPOT = FIXTURES / "hubspot"
CONTACTS, CALLS = HUBSPOT / "contacts.csv", HUBSPOT / "calls.csv"

# Counted by hand from contacts.csv and calls.csv. The agreement works mon-fri 09:00-18:00 in
# Europe/Madrid; the handoff is the MQL date, else the SQL date, else the create date.
HAND_COUNT = {
    # name: (attempts, response seconds, connected, status)
    "Ana Garcia": (2, 20 * 60, True, "connected"),  # MQL Mon 10:00, call 10:20 (no answer), 15:00 connected
    "Bruno Silva": (3, 60 * 60, False, "open"),  # MQL Mon 17:30; Tue 09:30 busy: 30 min Monday + 30 min Tuesday
    "Carla Lopez": (1, 2 * 3600 + 45 * 60, True, "customer"),  # SQL Fri 16:00; Mon 09:45 connected; customer
    "Diego Santos": (1, 2 * 3600, False, "open"),  # created Wed 11:00; no calls; first engagement 13:00
    "Elena Martin": (1, 5 * 60, False, "disqualified"),  # MQL 09:00; wrong number 09:05
    "Fabio Costa": (0, None, False, "open"),  # MQL, never called
    "Gala Perez": (1, 30 * 60, True, "connected"),  # MQL 10:00 (before SQL 11:00); call by email only, 10:30
    "Hugo Ñúñez": (2, 10 * 60, False, "open"),  # MQL 14:00; 14:10 no answer; next day a call without outcome
}


def test_contacts_and_calls_give_the_hand_count(tmp_path):
    store = make_store(tmp_path / "s.db")
    result = run(tmp_path / "s.db", "import", "hubspot", CALLS, CONTACTS, "--agreement", "SLA")
    assert result.code == 0, result.stderr
    assert result.stdout.strip() == (
        "leads: 8 added, 0 updated; attempts: 11 added; reps: 2 added (Alicia Romero, Bernardo Costa); "
        "rows rejected: 0; duplicates merged: 1; times without an offset read in Europe/Madrid"
    )
    assert lead_facts(store) == HAND_COUNT
    first_attempts = {r["name"]: r["first_attempt_at"] for r in store.lead_rows()}
    assert first_attempts["Bruno Silva"] == 1772526600  # 2026-03-03 09:30 Madrid = 08:30 UTC
    assert sum(facts[0] for facts in HAND_COUNT.values()) == counts(store)[1] == 11
    assert {r.name for r in store.list_reps()} == {"Alicia Romero", "Bernardo Costa"}
    ana = next(r for r in store.lead_rows() if r["name"] == "Ana Garcia")
    assert (ana["rep"], ana["company"], ana["email"]) == ("Alicia Romero", "Acme", "ana@acme.example")
    notes = [a["note"] for a in store.attempts_of(ana["id"])]
    assert notes[1] == "Interested in the pro plan.\nWants a demo next week."


def test_reimport_adds_nothing(tmp_path):
    store = make_store(tmp_path / "s.db")
    run(tmp_path / "s.db", "import", "hubspot", CONTACTS, CALLS, "--agreement", "SLA")
    again = run(tmp_path / "s.db", "import", "hubspot", CONTACTS, CALLS, "--agreement", "SLA")
    assert again.code == 0
    assert again.stdout.startswith("leads: 0 added, 0 updated; attempts: 0 added; rows rejected: 0")
    assert counts(store) == (8, 11, 2)
    assert lead_facts(store) == HAND_COUNT


def test_contacts_alone_get_a_first_engagement_attempt_that_calls_replace(tmp_path):
    store = make_store(tmp_path / "s.db")
    assert run(tmp_path / "s.db", "import", "hubspot", CONTACTS, "--agreement", "SLA").code == 0
    # Every contact with a first-engagement date has one attempt then.
    assert counts(store)[:2] == (8, 7)
    assert lead_facts(store)["Bruno Silva"][:2] == (1, 3600)
    later = run(tmp_path / "s.db", "import", "hubspot", CALLS, "--agreement", "SLA")
    assert later.code == 0, later.stderr
    # 11 calls replace 7 stand-ins; Elena's wrong number at her engagement time changes nothing she had.
    assert later.stdout.startswith("leads: 0 added, 5 updated; attempts: 4 added")
    assert lead_facts(store) == HAND_COUNT
    # Importing the contacts again does not bring the stand-ins back.
    run(tmp_path / "s.db", "import", "hubspot", CONTACTS, "--agreement", "SLA")
    assert lead_facts(store) == HAND_COUNT


def test_dry_run_reports_and_writes_nothing(tmp_path):
    store = make_store(tmp_path / "s.db")
    result = run(tmp_path / "s.db", "import", "hubspot", CONTACTS, CALLS, "--agreement", "SLA", "--dry-run")
    assert result.code == 0
    assert result.stdout.startswith("dry run, nothing written: leads: 8 added, 0 updated; attempts: 11 added")
    assert counts(store) == (0, 0, 0)


def test_excel_files_with_bad_rows_are_refused_whole_then_imported_with_skip(tmp_path):
    """cp1252 + ';' + a title line + blank lines + dd/mm dates, and a UTF-16 tab file with an
    unknown outcome, a call before its lead's handoff and a note."""
    store = make_store(tmp_path / "s.db")
    files = (HUBSPOT / "contacts_excel_es.csv", HUBSPOT / "activities_unicode.csv")
    refused = run(tmp_path / "s.db", "import", "hubspot", *files, "--agreement", "SLA")
    assert refused.code == 2
    assert "rejected: activities_unicode.csv:6: Call outcome: unknown outcome 'Gatekeeper'" in refused.stderr
    assert ("rejected: activities_unicode.csv:7: Activity date: the attempt (2026-03-16 11:30 CET) is before "
            "its lead's handoff (2026-03-16 12:00 CET)") in refused.stderr
    assert "error: 2 rows rejected, nothing written" in refused.stderr
    assert counts(store) == (0, 0, 0)

    kept = run(tmp_path / "s.db", "import", "hubspot", *files, "--agreement", "SLA", "--skip-bad-rows")
    assert kept.code == 0
    assert kept.stdout.startswith("leads: 3 added, 0 updated; attempts: 3 added; reps: 1 added (Clara Ivanova); "
                                  "rows rejected: 2")
    assert "note: 1 row skipped: notes, tasks and incoming emails are not follow-up attempts" in kept.stderr
    facts = lead_facts(store)
    assert facts["Irene Vidal"] == (3, 15 * 60, True, "connected")  # call, email, meeting
    assert facts["Lucía Núñez"] == (0, None, False, "open")
    assert {a["channel"] for a in store.attempts_of(store.lead_rows(text="Irene")[0]["id"])} == {
        "call", "email", "meeting"}


def test_a_file_that_is_not_a_hubspot_export_is_named(tmp_path):
    make_store(tmp_path / "s.db")
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n")
    result = run(tmp_path / "s.db", "import", "hubspot", other, "--agreement", "SLA")
    assert result.code == 2
    assert "error: other.csv does not look like a HubSpot contacts or activity export" in result.stderr


def test_unknown_agreement_is_one_line(tmp_path):
    make_store(tmp_path / "s.db")
    result = run(tmp_path / "s.db", "import", "hubspot", CONTACTS, "--agreement", "Nope")
    assert result.code == 2
    assert result.stderr.startswith("error: agreement: no agreement 'Nope'")


def test_large_imports_show_progress_on_stderr(tmp_path, monkeypatch):
    make_store(tmp_path / "s.db")
    monkeypatch.setattr(commands, "PROGRESS_FROM", 10)
    result = run(tmp_path / "s.db", "import", "hubspot", CONTACTS, CALLS, "--agreement", "SLA")
    assert "Importing" in result.stderr
    assert "Importing" not in result.stdout


def test_changed_contacts_are_updated_and_a_later_handoff_cannot_strand_attempts(tmp_path):
    store = make_store(tmp_path / "s.db")
    run(tmp_path / "s.db", "import", "hubspot", CONTACTS, CALLS, "--agreement", "SLA")
    edited = tmp_path / "contacts.csv"
    edited.write_text(CONTACTS.read_text(encoding="utf-8-sig").replace(",Acme,", ",Acme Corp,"), encoding="utf-8")
    result = run(tmp_path / "s.db", "import", "hubspot", edited, "--agreement", "SLA")
    assert result.stdout.startswith("leads: 0 added, 1 updated; attempts: 0 added")
    assert store.lead_rows(text="Ana")[0]["company"] == "Acme Corp"
    assert lead_facts(store) == HAND_COUNT  # Ana's calls stay; no stand-in comes back

    # Bruno's MQL moved past his first call: his row is refused, the stored lead kept.
    edited.write_text(CONTACTS.read_text(encoding="utf-8-sig").replace("2026-03-02 17:30", "2026-03-03 12:00"),
                      encoding="utf-8")
    refused = run(tmp_path / "s.db", "import", "hubspot", edited, "--agreement", "SLA")
    assert refused.code == 2
    assert ("rejected: contacts.csv:3: Became a Marketing Qualified Lead Date: the lead already has an attempt at "
            "2026-03-03 09:30 CET, before this handoff") in refused.stderr
    assert lead_facts(store) == HAND_COUNT


API = (HUBSPOT / "contacts_api.csv", HUBSPOT / "calls_api.csv")


def test_api_property_names_import_like_the_labels_and_dispositions_map(tmp_path):
    """hs_object_id, createdate (ISO with Z), hubspot_owner_id, hs_timestamp (ISO or Unix milliseconds) and
    hs_call_disposition GUIDs; a GUID that is not one of HubSpot's six standard outcomes is a rejected row."""
    store = make_store(tmp_path / "s.db")
    result = run(tmp_path / "s.db", "import", "hubspot", *API, "--agreement", "SLA", "--skip-bad-rows")
    assert result.code == 0, result.stderr
    assert ("rejected: calls_api.csv:7: hs_call_disposition: unknown call disposition "
            "0bf1994a-ba83-456b-9394-0ee1f3fc35fb: not one of HubSpot's six standard outcomes") in result.stderr
    assert result.stdout.startswith("leads: 3 added, 0 updated; attempts: 5 added; reps: 1 added (HubSpot owner "
                                    "41728590); rows rejected: 1")
    assert lead_facts(store) == {
        "Sara Quintana": (2, 30 * 60, True, "connected"),  # MQL 10:00 Madrid; connected 10:30 (Unix ms)
        "Tomás Ibarra": (2, 40 * 60, True, "customer"),
        "Úrsula Vega": (1, 20 * 60, False, "open"),  # left voicemail; the custom outcome is left out
    }
    outcomes = {a["outcome"] for r in store.lead_rows() for a in store.attempts_of(r["id"])}
    assert outcomes == {"connected", "no_answer", "voicemail"}


def test_busy_and_wrong_number_never_disqualify_and_json_round_trips(tmp_path):
    """Sara connected, then her number turned out wrong; Tomás became a customer, then a call was busy: both
    keep their status, and an export read back into a new file gives the same leads and reports."""
    store = make_store(tmp_path / "s.db")
    assert run(tmp_path / "s.db", "import", "hubspot", *API, "--agreement", "SLA", "--skip-bad-rows").code == 0
    assert {name: facts[3] for name, facts in lead_facts(store).items()} == {
        "Sara Quintana": "connected", "Tomás Ibarra": "customer", "Úrsula Vega": "open"}
    assert run(tmp_path / "s.db", "export", "--format", "json", "--out", tmp_path / "out").code == 0
    copy = tmp_path / "copy.db"
    result = run(copy, "import", "json", tmp_path / "out" / "slatui-export.json")
    assert result.code == 0, result.stderr
    with Store(copy) as other:
        assert lead_facts(other) == lead_facts(store)
    report = ("report", "--agreement", "SLA", "--month", "2026-03", "--as-of", "2026-04-01T00:00:00Z",
              "--format", "json")
    assert run(copy, *report).stdout == run(tmp_path / "s.db", *report).stdout


def test_removed_users_are_reps_by_their_name(tmp_path):
    store = make_store(tmp_path / "s.db")
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(CONTACTS.read_text(encoding="utf-8-sig").replace(
        "Bernardo Costa", "Bernardo Costa (Deactivated User)"), encoding="utf-8")
    result = run(tmp_path / "s.db", "import", "hubspot", contacts, CALLS, "--agreement", "SLA")
    assert result.code == 0, result.stderr
    assert {r.name: r.active for r in store.list_reps()} == {"Alicia Romero": True, "Bernardo Costa": False}
    assert "removed users in the CRM, kept as reps (new ones inactive): Bernardo Costa" in result.stderr


def test_the_batch_knows_which_owners_were_deactivated(tmp_path):
    from slatui.io.csvread import DateReader
    from slatui.io.hubspot import read_batch

    store = make_store(tmp_path / "s.db")
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("Record ID,First Name,Email,Contact owner,Create Date\n"
                        "1,Ana,ana@x.example,Jane Doe (Deactivated User),2026-03-02 10:00\n"
                        "2,Bo,bo@x.example,Jane Doe (jane@example.com),2026-03-02 11:00\n", encoding="utf-8")
    batch = read_batch([contacts], store.get_agreement("SLA"), DateReader("Europe/Madrid"))
    summary = run_import(store, batch)
    assert (batch.deactivated, summary.reps_added) == ({"Jane Doe"}, ["Jane Doe"])


def test_a_file_in_another_zone_says_so(tmp_path):
    """A portal in New York, a team in Madrid: --tz reads the file's wall times in New York."""
    store = make_store(tmp_path / "s.db")
    result = run(tmp_path / "s.db", "import", "hubspot", CONTACTS, CALLS, "--agreement", "SLA",
                 "--tz", "America/New_York")
    assert result.code == 0, result.stderr
    assert result.stdout.rstrip().endswith("times without an offset read in America/New_York")
    ana = store.lead_rows(text="Ana Garcia")[0]
    assert ana["handed_off_at"] == 1772463600  # 2026-03-02 10:00 in New York (EST) = 15:00 UTC
    wrong = run(tmp_path / "s.db", "import", "hubspot", CONTACTS, "--agreement", "SLA", "--tz", "Mars/Olympus")
    assert wrong.code == 2
    assert wrong.stderr.startswith("error: --tz: unknown time zone 'Mars/Olympus'")


def test_a_reimport_with_new_calls_adds_them_and_keeps_the_stored_ones(tmp_path):
    """Re-imports pass over rows whose attempts are stored already: a new call still goes in, and a stored call
    whose outcome the CRM changed stays as it was stored (as it always has)."""
    store = make_store(tmp_path / "s.db")
    run(tmp_path / "s.db", "import", "hubspot", CONTACTS, CALLS, "--agreement", "SLA")
    calls = tmp_path / "calls.csv"
    calls.write_text(CALLS.read_text(encoding="utf-8").replace("9004,2026-03-03 11:00,Left voicemail",
                                                               "9004,2026-03-03 11:00,Connected")
                     + "9011,2026-03-13 10:00,Connected,Call with Hugo,,Alicia Romero,,108\n", encoding="utf-8")
    result = run(tmp_path / "s.db", "import", "hubspot", calls, "--agreement", "SLA")
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("leads: 0 added, 1 updated; attempts: 1 added")
    facts = lead_facts(store)
    assert facts["Hugo Ñúñez"] == (3, 10 * 60, True, "connected")
    assert facts["Bruno Silva"] == HAND_COUNT["Bruno Silva"]


def _calls_variants(tmp_path):
    """The calls export, one with a removed user, a skipped note and a row whose lead is unknown; and one with
    a cell too big to read (the CSV reader's error)."""
    text = CALLS.read_text(encoding="utf-8-sig")
    odd = tmp_path / "calls_odd.csv"
    odd.write_text(text.replace("Alicia Romero", "Alicia Romero (Deactivated User)")
                   + "9100,2026-03-04 10:00,No answer,Call,,Bernardo Costa,,999999\n", encoding="utf-8")
    notes = tmp_path / "notes.csv"
    notes.write_text("Record ID,Activity date,Activity type,Associated Contact IDs\n"
                     "7001,2026-03-03 10:00,Note,101\n7002,2026-03-03 11:00,Call,102\n", encoding="utf-8")
    broken = tmp_path / "calls_broken.csv"  # the bad cell past the rows that settle the dates' order
    broken.write_text(text + "".join(f"{20000 + i},2026-03-04 10:00,No answer,,,Alicia Romero,,101\n"
                                     for i in range(2100))
                      + '9101,2026-03-04 10:00,No answer,"' + "x" * 200_000 + '",Alicia Romero,,101\n',
                      encoding="utf-8")
    return {"plain": (CONTACTS, CALLS), "odd": (CONTACTS, odd, notes), "broken": (CONTACTS, broken)}


@pytest.mark.parametrize("case", ["plain", "odd", "broken"])
def test_calls_read_in_a_child_process_import_exactly_as_read_here(tmp_path, monkeypatch, case):
    """A big attempt file is read beside the import, by a child process: the same leads, attempts, rejected and
    skipped rows, removed users and errors as when this process reads it (here every file counts as big)."""
    files = _calls_variants(tmp_path)[case]
    started = []
    monkeypatch.setattr(beside._Beside, "__init__", _spy(beside._Beside.__init__, started))
    outcome = {}
    for label, threshold in (("here", beside.BESIDE_BYTES), ("beside", 0)):
        monkeypatch.setattr(beside, "BESIDE_BYTES", threshold)
        db = tmp_path / f"{label}.db"
        store = make_store(db)
        result = run(db, "import", "hubspot", *files, "--agreement", "SLA", "--skip-bad-rows")
        attempts = store.conn.execute("SELECT id, lead_id, at, channel, outcome, rep_id, note, external_id "
                                      "FROM attempts ORDER BY id").fetchall()
        reps = {r.name: r.active for r in store.list_reps()}
        outcome[label] = (result.code, result.stdout, result.stderr, lead_facts(store), counts(store), attempts, reps)
        store.close()
    assert len(started) == len(files)  # only the beside run started any: one for each file
    assert outcome["here"] == outcome["beside"]
    code, stdout, stderr, *_ = outcome["beside"]
    if case == "odd":
        assert code == 0 and "rows rejected: 1" in stdout
        assert "calls_odd.csv:14: Associated Contact IDs: no lead with id 999999" in stderr
        assert "1 row skipped: notes, tasks and incoming emails" in stderr
        assert outcome["beside"][6]["Alicia Romero"] is True  # a removed user named by calls: an active rep kept
    if case == "broken":
        assert code == 2 and "calls_broken.csv:2114: cannot read the CSV" in stderr


def _spy(init, calls):
    def spying(self, *args, **kwargs):
        calls.append(args)
        init(self, *args, **kwargs)
    return spying


def test_a_reimport_reads_contacts_beside_and_calls_here(tmp_path, monkeypatch):
    """Once attempts are stored, the calls are read here (passing over the stored ones needs the database); the
    contacts still beside. Nothing changes."""
    monkeypatch.setattr(beside, "BESIDE_BYTES", 0)
    store = make_store(tmp_path / "s.db")
    run(tmp_path / "s.db", "import", "hubspot", CONTACTS, CALLS, "--agreement", "SLA")
    started = []
    monkeypatch.setattr(beside._Beside, "__init__", _spy(beside._Beside.__init__, started))
    again = run(tmp_path / "s.db", "import", "hubspot", CONTACTS, CALLS, "--agreement", "SLA")
    assert again.stdout.startswith("leads: 0 added, 0 updated; attempts: 0 added; rows rejected: 0")
    assert [args[2] for args in started] == ["contacts.csv"]
    assert counts(store) == (8, 11, 2) and lead_facts(store) == HAND_COUNT


def test_where_no_child_process_can_start_the_files_are_read_here(tmp_path, monkeypatch):
    """In the app, stderr is captured without a descriptor and multiprocessing cannot start its helper: the
    import reads the files in its own process and gives the same result."""
    monkeypatch.setattr(beside, "BESIDE_BYTES", 0)

    def cannot_start(self, *args):
        raise ValueError("bad value(s) in fds_to_keep")

    monkeypatch.setattr(beside._Beside, "__init__", cannot_start)
    store = make_store(tmp_path / "s.db")
    result = run(tmp_path / "s.db", "import", "hubspot", CONTACTS, CALLS, "--agreement", "SLA")
    assert result.code == 0, result.stderr
    assert counts(store) == (8, 11, 2) and lead_facts(store) == HAND_COUNT


def test_a_contact_and_its_stand_in_split_across_chunks_stay_together(tmp_path, monkeypatch):
    """A contact with a first-engagement date gives two records, and a chunk of the child's can end between them:
    the stand-in still goes to its contact (1,500 of them after one without the date: record 2,000 is a contact,
    2,001 its stand-in)."""
    monkeypatch.setattr(beside, "BESIDE_BYTES", 0)
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("Record ID,First Name,Email,Create Date,Date of first engagement\n"
                        "1,Zero,zero@x.example,2026-03-02 09:00,\n"
                        + "".join(f"{i},N{i},n{i}@x.example,2026-03-02 09:00,2026-03-02 10:00\n"
                                  for i in range(2, 1502)), encoding="utf-8")
    store = make_store(tmp_path / "s.db")
    result = run(tmp_path / "s.db", "import", "hubspot", contacts, "--agreement", "SLA")
    assert result.code == 0, result.stderr
    stand_ins = store.conn.execute("SELECT l.external_id, count(*) FROM attempts t JOIN leads l ON l.id = t.lead_id "
                                   "GROUP BY l.id").fetchall()
    assert len(stand_ins) == 1500 and all(n == 1 for _, n in stand_ins) and "1" not in {e for e, _ in stand_ins}
