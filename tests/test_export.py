import csv
import json
from datetime import datetime, timezone

import pytest
from importing import counts, make_store, run

from slatui.demo import generate_demo
from slatui.io import jsonio
from slatui.io.batch import run_import
from slatui.io.export import JSON_FILE, spreadsheet_safe
from slatui.models import Attempt, Lead
from slatui.store import Store

NOW = datetime(2026, 3, 20, 12, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with Store(path) as store:
        generate_demo(store, leads=60, seed=3, now=NOW)
    return path


def _comparable(export: dict) -> dict:
    """An export without what may differ between databases: the export time and row ids
    (attempts point at their lead by its agreement, name and handoff instead)."""
    leads = {lead["id"]: (lead["agreement"], lead["name"], lead["handed_off_at"]) for lead in export["leads"]}
    return {
        "agreements": [{k: v for k, v in a.items() if k != "id"} for a in export["agreements"]],
        "reps": [{k: v for k, v in r.items() if k != "id"} for r in export["reps"]],
        "leads": sorted(({k: v for k, v in lead.items() if k != "id"} for lead in export["leads"]), key=repr),
        "attempts": sorted(({**{k: v for k, v in a.items() if k not in ("id", "lead_id")}, "lead": leads[a["lead_id"]]}
                            for a in export["attempts"]), key=repr),
    }


def test_json_export_round_trips_into_an_empty_database(small_demo, tmp_path):
    assert run(small_demo, "export", "--format", "json", "--out", tmp_path / "a").code == 0
    exported = tmp_path / "a" / JSON_FILE
    first = run(tmp_path / "copy.db", "import", "json", exported)
    assert first.code == 0, first.stderr
    assert first.stdout.startswith("leads: 60 added, 0 updated; attempts: ")
    assert "agreements: 3 added" in first.stdout
    assert run(tmp_path / "copy.db", "export", "--format", "json", "--out", tmp_path / "b").code == 0
    original, copy = (json.loads((tmp_path / d / JSON_FILE).read_text()) for d in ("a", "b"))
    assert _comparable(copy) == _comparable(original)
    assert len(copy["attempts"]) == len(original["attempts"]) > 60

    again = run(tmp_path / "copy.db", "import", "json", exported)
    assert again.stdout.startswith("leads: 0 added, 0 updated; attempts: 0 added; rows rejected: 0")


def test_json_dry_run_then_import_with_one_store(small_demo, tmp_path):
    """A dry run creates agreements inside its transaction and rolls them back: the store must
    forget their clocks, since the real import reuses their ids for other agreements."""
    run(small_demo, "export", "--format", "json", "--out", tmp_path / "a")
    export = json.loads((tmp_path / "a" / JSON_FILE).read_text())
    reversed_order = tmp_path / "reversed.json"
    reversed_order.write_text(json.dumps({**export, "agreements": export["agreements"][::-1]}))
    with Store(tmp_path / "copy.db") as store:
        dry = run_import(store, jsonio.read_batch(reversed_order), dry_run=True)
        assert (dry.leads_added, dry.agreements_added, counts(store)) == (60, 3, (0, 0, 0))
        real = run_import(store, jsonio.read_batch(tmp_path / "a" / JSON_FILE))
        assert (real.leads_added, real.attempts_added) == (dry.leads_added, dry.attempts_added)
    run(tmp_path / "copy.db", "export", "--format", "json", "--out", tmp_path / "b")
    copy = json.loads((tmp_path / "b" / JSON_FILE).read_text())
    assert _comparable(copy) == _comparable(export)  # deadlines and handoff days in each agreement's zone


def test_csv_export_has_iso_times_and_response_times(small_demo, tmp_path):
    result = run(small_demo, "export", "--out", tmp_path)
    assert result.stdout.split() == [str(tmp_path / f"{t}.csv") for t in ("agreements", "reps", "leads", "attempts")]
    with open(tmp_path / "leads.csv", newline="", encoding="utf-8") as handle:
        leads = list(csv.DictReader(handle))
    assert len(leads) == 60
    answered = next(lead for lead in leads if lead["response_seconds"])
    handed_off = datetime.fromisoformat(answered["handed_off_at"])
    assert handed_off.utcoffset() is not None  # ISO with the agreement's offset
    assert answered["response"] and int(answered["response_seconds"]) >= 0
    assert (tmp_path / "leads.csv").stat().st_mode & 0o077 == 0  # personal data: owner-only


@pytest.mark.parametrize(("value", "safe"), [
    ("=HYPERLINK(\"http://evil\",\"x\")", "'=HYPERLINK(\"http://evil\",\"x\")"),
    ("+34 600 000 000", "'+34 600 000 000"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tcmd", "'\tcmd"),
    ("\rcmd", "'\rcmd"),
    ("Acme = good", "Acme = good"),
    (-5, -5),
    (None, None),
])
def test_spreadsheet_safe(value, safe):
    assert spreadsheet_safe(value) == safe


def test_csv_cells_that_would_run_as_formulas_are_neutralised(tmp_path):
    store = make_store(tmp_path / "s.db")
    lead = store.add_lead(Lead(agreement_id=1, name="=cmd|' /C calc'!A0", company="@SUM(1+1)",
                               handed_off_at=NOW))
    store.log_attempt(Attempt(lead_id=lead.id, at=NOW, outcome="no_answer", note="-1+1"))
    run(tmp_path / "s.db", "export", "--format", "csv", "--out", tmp_path / "out")
    with open(tmp_path / "out" / "leads.csv", newline="") as handle:
        row = next(csv.DictReader(handle))
    assert (row["name"], row["company"]) == ("'=cmd|' /C calc'!A0", "'@SUM(1+1)")
    assert "'-1+1" in (tmp_path / "out" / "attempts.csv").read_text()
    # The JSON export keeps values as they are: it is for programs, and it round-trips.
    run(tmp_path / "s.db", "export", "--format", "json", "--out", tmp_path / "out")
    assert json.loads((tmp_path / "out" / JSON_FILE).read_text())["leads"][0]["name"] == "=cmd|' /C calc'!A0"


def test_export_to_an_unwritable_place_is_one_line(tmp_path):
    make_store(tmp_path / "s.db")
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run(tmp_path / "s.db", "export", "--out", blocker / "sub")
    assert result.code == 2
    assert result.stderr.startswith(f"error: cannot write to {blocker / 'sub'}")


def test_json_import_refuses_other_files(tmp_path):
    bad = tmp_path / "bad.json"
    for text, message in (("{", "bad.json:1: not valid JSON"), ("[]", "bad.json is not a slatui JSON export"),
                          ('{"format": "slatui-export", "version": 99}', "comes from a newer slatui")):
        bad.write_text(text)
        result = run(tmp_path / "s.db", "import", "json", bad)
        assert result.code == 2
        assert message in result.stderr


def test_json_import_names_bad_entries(tmp_path):
    store = make_store(tmp_path / "s.db")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({
        "format": "slatui-export", "version": 1,
        "agreements": [{"name": "SLA", "calendar": {"tz": "Europe/Madrid"}}],
        "leads": [{"id": 1, "agreement": "SLA", "name": "Ana", "handed_off_at": "2026-03-02T09:00:00+01:00"},
                  {"id": 2, "agreement": "Other", "name": "Bo", "handed_off_at": "2026-03-02T09:00:00+01:00"},
                  {"id": 3, "agreement": "SLA", "name": "Cy", "handed_off_at": "2026-03-02T09:00:00"}],
        "attempts": [{"lead_id": 1, "at": "2026-03-02T08:00:00+01:00", "outcome": "connected"},
                     {"lead_id": 3, "at": "2026-03-02T10:00:00+01:00", "outcome": "connected"}],
    }))
    result = run(tmp_path / "s.db", "import", "json", bad)
    assert result.code == 2
    assert "bad.json: leads[1]: agreement: 'Other' is not one of the export's agreements" in result.stderr
    assert "bad.json: leads[2]: handed_off_at: time needs a time zone" in result.stderr
    assert "bad.json: attempts[0]: at: the attempt (2026-03-02 07:00 UTC) is before its lead's handoff" in result.stderr
    assert "bad.json: attempts[1]: lead_id: its lead (bad.json: leads[2]) was rejected" in result.stderr
    assert counts(store) == (0, 0, 0)
    # The stored agreement is kept as it is; the import says nothing was added to it.
    kept = run(tmp_path / "s.db", "import", "json", bad, "--skip-bad-rows")
    assert kept.stdout.startswith("leads: 1 added, 0 updated; attempts: 0 added; rows rejected: 4")
