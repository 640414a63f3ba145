import csv
import io
import json
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from importing import counts, make_store, run

from slatui.demo import generate_demo
from slatui.io import export, jsonio
from slatui.io.batch import run_import
from slatui.io.export import JSON_FILE, spreadsheet_safe
from slatui.models import Attempt, Lead, Rep
from slatui.parsing import format_duration
from slatui.store import Store, bulk

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


def test_json_export_is_strict_json(tmp_path):
    """An infinite amount stored before imports refused them is written as null, never as Infinity."""
    store = make_store(tmp_path / "s.db")
    lead = store.add_lead(Lead(agreement_id=1, name="Ana", handed_off_at=NOW, value=5))
    store.conn.execute("UPDATE leads SET value = 9e999 WHERE id = ?", (lead.id,))
    assert run(tmp_path / "s.db", "export", "--format", "json", "--out", tmp_path).code == 0

    def refuse(constant):
        raise ValueError(f"{constant} is not JSON")

    data = json.loads((tmp_path / JSON_FILE).read_text(), parse_constant=refuse)
    assert data["leads"][0]["value"] is None


def test_identical_attempts_survive_the_round_trip(tmp_path):
    store = make_store(tmp_path / "s.db")
    lead = store.add_lead(Lead(agreement_id=1, name="Ana", handed_off_at=NOW))
    for _ in range(5):
        store.log_attempt(Attempt(lead_id=lead.id, at=NOW, outcome="no_answer"))
    run(tmp_path / "s.db", "export", "--format", "json", "--out", tmp_path / "out")
    exported = tmp_path / "out" / JSON_FILE
    first = run(tmp_path / "copy.db", "import", "json", exported)
    assert first.stdout.startswith("leads: 1 added, 0 updated; attempts: 5 added")
    again = run(tmp_path / "copy.db", "import", "json", exported)
    assert again.stdout.startswith("leads: 0 added, 0 updated; attempts: 0 added")
    with Store(tmp_path / "copy.db") as copy:
        assert counts(copy)[:2] == (1, 5)


def test_json_with_sorted_keys_and_indentation_imports_the_same(small_demo, tmp_path):
    """jq -S puts attempts before leads: the reader walks the file once per member then."""
    run(small_demo, "export", "--format", "json", "--out", tmp_path / "a")
    export = json.loads((tmp_path / "a" / JSON_FILE).read_text())
    sorted_file = tmp_path / "sorted.json"
    sorted_file.write_text(json.dumps(export, sort_keys=True, indent=2))
    result = run(tmp_path / "copy.db", "import", "json", sorted_file)
    assert result.code == 0, result.stderr
    run(tmp_path / "copy.db", "export", "--format", "json", "--out", tmp_path / "b")
    assert _comparable(json.loads((tmp_path / "b" / JSON_FILE).read_text())) == _comparable(export)
    broken = tmp_path / "broken.json"
    broken.write_text(sorted_file.read_text()[:5000])
    refused = run(tmp_path / "other.db", "import", "json", broken)
    assert refused.code == 2 and "broken.json:" in refused.stderr and "not valid JSON" in refused.stderr


def test_a_failed_export_leaves_no_partial_file_and_keeps_the_old_one(small_demo, tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "leads.csv").write_text("the previous export\n")
    (out / "leads.csv").chmod(0o644)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(bulk, "export_attempts", disk_full)
    failed = run(small_demo, "export", "--out", out)
    assert failed.code == 2
    assert "No space left on device: nothing was written" in failed.stderr
    assert sorted(p.name for p in out.iterdir()) == ["leads.csv"]
    assert (out / "leads.csv").read_text() == "the previous export\n"
    monkeypatch.undo()
    assert run(small_demo, "export", "--out", out).code == 0
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in out.iterdir())  # customer data: owner-only


def test_ctrl_c_in_an_sql_function_stops_the_export_like_any_ctrl_c(small_demo, tmp_path):
    """SQLite swallows a Ctrl-C that lands in one of our SQL functions (a cell made safe for spreadsheets) and
    reports "user-defined function raised exception": the export said the database could not be read and to
    restore a backup. A real SIGINT, in a process of its own, while SQLite runs the function."""
    db, out = tmp_path / "ctrl-c.db", tmp_path / "out"
    shutil.copy(small_demo, db)
    with Store(db) as store, store.transaction() as conn:
        conn.execute("UPDATE leads SET name = '=SUM(A1)' WHERE id = (SELECT min(id) FROM leads)")
    script = tmp_path / "press_ctrl_c.py"
    script.write_text(textwrap.dedent("""
        import os, signal, sys
        from slatui.cli import main
        from slatui.io import export

        def pressed(value, safe=export.spreadsheet_safe):
            if value == "=SUM(A1)":  # the lead's name, which SQLite sends to the function
                print("pressed", file=sys.stderr, flush=True)
                os.kill(os.getpid(), signal.SIGINT)
            return safe(value)

        if __name__ == "__main__":
            export.spreadsheet_safe = pressed
            main(sys.argv[1:])
    """))
    stopped = subprocess.run([sys.executable, str(script), "--db", str(db), "export", "--out", str(out)],
                             capture_output=True, text=True, timeout=60, check=False)
    assert stopped.stderr.splitlines()[0] == "pressed"  # the Ctrl-C happened, inside the function
    assert stopped.returncode == 1 and stopped.stderr.splitlines()[-1] == "aborted", stopped.stderr
    assert "cannot be read" not in stopped.stderr
    assert list(out.iterdir()) == []  # nothing written, no temporary file left


def test_excel_csv_has_a_bom_and_crlf(tmp_path):
    store = make_store(tmp_path / "s.db")
    store.add_lead(Lead(agreement_id=1, name="José Müller", company="山田商事", handed_off_at=NOW))
    assert run(tmp_path / "s.db", "export", "--excel", "--out", tmp_path / "out").code == 0
    raw = (tmp_path / "out" / "leads.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid,agreement,")
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    assert "José Müller" in raw.decode("utf-8-sig") and "山田商事" in raw.decode("utf-8-sig")
    assert not (tmp_path / "plain").exists()
    run(tmp_path / "s.db", "export", "--out", tmp_path / "plain")
    assert not (tmp_path / "plain" / "leads.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_xlsx_export_has_a_sheet_per_table(small_demo, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    result = run(small_demo, "export", "--format", "xlsx", "--out", tmp_path)
    assert result.code == 0, result.stderr
    book = openpyxl.load_workbook(tmp_path / "slatui-export.xlsx", read_only=True)
    assert book.sheetnames == ["agreements", "reps", "leads", "attempts"]
    leads = list(book["leads"].iter_rows(values_only=True))
    assert leads[0][:4] == ("id", "agreement", "external_id", "name") and len(leads) == 61
    run(small_demo, "export", "--out", tmp_path / "csv")
    with open(tmp_path / "csv" / "leads.csv", newline="", encoding="utf-8") as handle:
        assert [row[10] for row in csv.reader(handle)] == [row[10] for row in leads]  # handed_off_at
    book.close()


def test_local_times_match_python_across_dst_changes(tmp_path):
    """Export times are formatted by SQLite from the zone's offsets: the same text as Python's isoformat, on
    both sides of each change, in zones with half-hour offsets and none."""
    for name, tz in (("Madrid", "Europe/Madrid"), ("Newfoundland", "America/St_Johns"), ("Kolkata", "Asia/Kolkata")):
        path = tmp_path / f"{name}.db"
        store = make_store(path, tz=tz, hours=None)
        instants = [datetime(2026, 3, 29, 0, tzinfo=timezone.utc) + timedelta(minutes=37 * i) for i in range(12)]
        instants += [datetime(2025, 11, 2, 3, tzinfo=timezone.utc) + timedelta(minutes=29 * i) for i in range(12)]
        instants += [datetime(2026, 3, 8, 4, tzinfo=timezone.utc) + timedelta(minutes=31 * i) for i in range(12)]
        for i, at in enumerate(instants):
            store.add_lead(Lead(agreement_id=1, name=f"L{i}", handed_off_at=at))
        run(path, "export", "--out", tmp_path / name)
        with open(tmp_path / name / "leads.csv", newline="", encoding="utf-8") as handle:
            exported = [row["handed_off_at"] for row in csv.DictReader(handle)]
        assert exported == [at.astimezone(ZoneInfo(tz)).isoformat() for at in instants]


def test_csv_lines_written_by_sqlite_are_those_of_the_csv_module(tmp_path, monkeypatch):
    """Leads and attempts are formatted into CSV by SQLite (for speed), a few rows to a block here: byte for byte
    what csv.writer writes, a NUL inside a name included."""
    store = make_store(tmp_path / "s.db")
    store.add_rep(Rep(name='=Rep, "R"'))
    names = ['Smith, John', 'Jane "JJ" Doe', "two\nlines", "carriage\rreturn", "=1+1", "-lead", "山田 José", " x ",
             "nul\x00inside"]
    for i, name in enumerate(names):
        lead = store.add_lead(Lead(agreement_id=1, name=name, company=name if i % 2 else "", handed_off_at=NOW,
                                   value=(0.1 + 0.2, 1e20, 1500.5, 40.0, None)[i % 5], external_id=f"X{i}",
                                   rep_id=1 if i % 3 else None))
        store.log_attempt(Attempt(lead_id=lead.id, at=NOW, outcome="no_answer", note=name, external_id=name,
                                  rep_id=1 if i % 2 else None))
    monkeypatch.setattr(bulk, "_BLOCK_ROWS", 4)
    run(tmp_path / "s.db", "export", "--out", tmp_path / "out")
    for table in ("leads", "attempts"):
        expected = io.StringIO(newline="")
        writer = csv.writer(expected)
        writer.writerow(export._columns(table))
        writer.writerows(export._rows(store, table, sheet=True))
        assert (tmp_path / "out" / f"{table}.csv").read_bytes().decode() == expected.getvalue()


def test_response_text_written_by_sqlite_is_format_duration():
    seconds = [0, 1, 59, 60, 61, 119, 120, 3599, 3600, 3601, 3659, 3660, 86399, 86400, 90061, 10**7,
               *range(0, 200_000, 37), 0.5, 59.9, 60.5, 3599.99, 3600.5, 7199.9, None]
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (s)")
    conn.executemany("INSERT INTO t VALUES (?)", [(s,) for s in seconds])
    written = [text for (text,) in conn.execute(f"SELECT {bulk.duration_text('s')} FROM t ORDER BY rowid")]
    assert written == [None if s is None else format_duration(s) for s in seconds]


def test_a_big_export_writes_attempts_in_a_child_process_with_the_same_bytes(small_demo, tmp_path, monkeypatch):
    run(small_demo, "export", "--excel", "--out", tmp_path / "alone")
    monkeypatch.setattr(export, "_BESIDE_ROWS", 1)
    spawned = []
    monkeypatch.setattr(export._Beside, "begin", lambda self, begin=export._Beside.begin: spawned.append(self) or
                        begin(self))
    assert run(small_demo, "export", "--excel", "--out", tmp_path / "beside").code == 0
    assert len(spawned) == 1
    for table in ("agreements", "reps", "leads", "attempts"):
        assert (tmp_path / "beside" / f"{table}.csv").read_bytes() == (tmp_path / "alone" / f"{table}.csv").read_bytes()
    assert sorted(p.name for p in (tmp_path / "beside").iterdir()) == [f"{t}.csv" for t in sorted(export.TABLES)]


def test_a_failure_in_the_child_process_is_raised_in_the_parent(small_demo, tmp_path):
    store = Store(small_demo)
    beside = export._Beside(small_demo, "attempts", str(tmp_path / "missing" / "attempts.csv"))
    try:
        with pytest.raises(FileNotFoundError), bulk.twin_snapshots(store, beside.begin) as shared:
            assert shared
            beside.finish()
    finally:
        beside.close()
    assert not store.conn.in_transaction
    store.close()
