import subprocess
import sys
from datetime import datetime, timezone

import pytest
from importing import FIXTURES, counts, lead_facts, make_store, run

from slatui.errors import SlatuiError
from slatui.io.csvread import XLSX_HINT, CellError, DateReader, read_table
from slatui.io.generic import parse_amount
from slatui.models import Rep

CSV = FIXTURES / "csv"
LOG_MAP = [option for pair in ("Lead=name", "Company=company", "Email=email", "Handed off=handed_off_at", "Rep=rep",
                                "Attempt at=at", "Result=outcome", "Via=channel", "Notes=note")
           for option in ("--map", pair)]


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


# ---- the generic importer ----------------------------------------------------------------------


def test_spreadsheet_log_needs_a_date_format_then_imports(tmp_path):
    """';' delimiter, blank line, quoted newline, one attempt per row with the lead repeated,
    and only ambiguous dates (02/03/2026): refused until --date-format settles them."""
    store = make_store(tmp_path / "s.db")
    refused = run(tmp_path / "s.db", "import", "csv", CSV / "attempt_log.csv", "--agreement", "SLA", *LOG_MAP)
    assert refused.code == 2
    assert "attempt_log.csv: Handed off: 02/03/2026 09:00 could be day-first or month-first" in refused.stderr
    assert "--date-format dd/mm/yyyy or mm/dd/yyyy" in refused.stderr

    result = run(tmp_path / "s.db", "import", "csv", CSV / "attempt_log.csv", "--agreement", "SLA", *LOG_MAP,
                 "--date-format", "dd/mm/yyyy", "--skip-bad-rows", "--create-reps")
    assert result.code == 0, result.stderr
    # "phone" is not a channel: Sergio's row is rejected and named, the rest goes in.
    assert "rejected: attempt_log.csv:7: Via: 'phone' is not a channel" in result.stderr
    assert result.stdout.startswith("leads: 2 added, 0 updated; attempts: 2 added; reps: 1 added (Ana Garcia); "
                                    "rows rejected: 1")
    assert lead_facts(store) == {
        "Pablo Ruiz": (2, 40 * 60, True, "connected"),
        "Rosa Moreno": (0, None, False, "open"),
    }
    pablo = store.lead_rows(text="Pablo")[0]
    assert store.attempts_of(pablo["id"])[1]["note"] == "Booked a call back\nfor Thursday"
    assert pablo["handed_off_at"] == int(utc(2026, 3, 2, 8, 0).timestamp())  # Madrid wall time
    again = run(tmp_path / "s.db", "import", "csv", CSV / "attempt_log.csv", "--agreement", "SLA", *LOG_MAP,
                "--date-format", "dd/mm/yyyy", "--skip-bad-rows")
    assert again.stdout.startswith("leads: 0 added, 0 updated; attempts: 0 added")


def test_self_mapping_tab_file_then_attempts_by_lead_id(tmp_path):
    store = make_store(tmp_path / "s.db")
    leads = run(tmp_path / "s.db", "import", "csv", CSV / "leads_tab.csv", "--agreement", "SLA")
    assert leads.code == 0, leads.stderr
    assert leads.stdout.startswith("leads: 2 added, 0 updated; attempts: 0 added; rows rejected: 0; "
                                   "duplicates merged: 1")
    tania = store.get_lead(store.lead_rows(text="Tania")[0]["id"])
    assert (tania.value, tania.handed_off_at, tania.external_id) == (1500.5, utc(2026, 3, 2, 8), "L-1")

    attempts = run(tmp_path / "s.db", "import", "csv", CSV / "attempts_only.csv", "--agreement", "SLA")
    assert attempts.code == 2
    assert "attempts_only.csv:4: lead_id: no lead with id L-9 in this import or in agreement 'SLA'" in attempts.stderr
    # On the clock the file's times are read on, as the file has them (they said UTC).
    assert ("attempts_only.csv:5: at: the attempt (2026-03-01 11:00 CET) is before its lead's handoff "
            "(2026-03-02 11:00 CET)") in attempts.stderr
    assert counts(store)[1] == 0
    kept = run(tmp_path / "s.db", "import", "csv", CSV / "attempts_only.csv", "--agreement", "SLA", "--skip-bad-rows")
    assert kept.stdout.startswith("leads: 0 added, 1 updated; attempts: 2 added; rows rejected: 2")
    assert lead_facts(store)["Tania Gomez"] == (2, 30 * 60, True, "connected")


@pytest.mark.parametrize(("mapping", "message"), [
    ("Lead", "--map: 'Lead' is not COLUMN=FIELD"),
    ("Lead=nombre", "--map: unknown field 'nombre'"),
    ("Nope=name", "--map: attempt_log.csv has no column 'Nope'"),
])
def test_bad_mappings_are_one_line(tmp_path, mapping, message):
    make_store(tmp_path / "s.db")
    result = run(tmp_path / "s.db", "import", "csv", CSV / "attempt_log.csv", "--agreement", "SLA", "--map", mapping)
    assert result.code == 2
    assert result.stderr.startswith(f"error: {message}")


@pytest.mark.parametrize(("header", "example"), [
    ("Who,When", "When"), ("Lead ID,Name,Created", "Created"), ("Id,Nombre,Fecha de alta", "Fecha de alta"),
    ("Id,Name", "Handoff date"),
])
def test_a_file_without_times_says_what_to_map(tmp_path, header, example):
    """The example maps the column that looks like a time (it mapped the first one: a lead's id)."""
    make_store(tmp_path / "s.db")
    path = tmp_path / "people.csv"
    path.write_text(f"{header}\n{','.join(['1'] * header.count(',') + ['2026-03-02'])}\n")
    result = run(tmp_path / "s.db", "import", "csv", path, "--agreement", "SLA")
    assert result.code == 2
    assert ("no column gives handed_off_at (for leads) or at (for attempts): map one as COLUMN=FIELD (--map on the "
            f'command line), e.g. "{example}=handed_off_at"') in result.stderr


# ---- reading files ------------------------------------------------------------------------------


def test_header_found_below_title_lines_with_sniffed_delimiter(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes("Report: leads, March\n\nname;email;handed_off_at\nAna;a@x.io;2026-03-02\n\n"
                     "\"Bo; Jr\";b@x.io;2026-03-03\n".encode("utf-8-sig"))
    table = read_table(path, ["name", "handed_off_at"])
    assert table.header == ["name", "email", "handed_off_at"]
    assert [(r.line, r.cells[0]) for r in table.rows] == [(4, "Ana"), (6, "Bo; Jr")]


def test_line_numbers_count_quoted_newlines(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text('a,b\n1,"two\nlines"\n3,x\n')
    assert [r.line for r in read_table(path, ["a"]).rows] == [2, 4]


def test_years_that_look_like_typos_are_rejected(tmp_path):
    make_store(tmp_path / "s.db")
    path = tmp_path / "f.csv"
    path.write_text("name,handed_off_at\nAna,0026-03-02\nBo,2026-03-02\n")
    result = run(tmp_path / "s.db", "import", "csv", path, "--agreement", "SLA")
    assert "rejected: f.csv:2: handed_off_at: the year 26 is outside 1970-2100: is it a typo?" in result.stderr


def test_a_row_with_more_cells_than_the_header_is_rejected(tmp_path):
    make_store(tmp_path / "s.db")
    path = tmp_path / "f.csv"
    path.write_text("name,handed_off_at\nSmith, John,2026-03-02\n")
    result = run(tmp_path / "s.db", "import", "csv", path, "--agreement", "SLA")
    assert "f.csv:2: column 3: has 3 cells but the header has 2: a value with a ',' in it may have lost its quotes" \
        in result.stderr


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-03-02", utc(2026, 3, 1, 23)),
    ("2026-03-02 09:30", utc(2026, 3, 2, 8, 30)),
    ("2026-03-02T09:30:15.250", utc(2026, 3, 2, 8, 30, 15, 250000)),
    ("2026-03-02T09:30:00Z", utc(2026, 3, 2, 9, 30)),
    ("2026-03-02 09:30 +0530", utc(2026, 3, 2, 4)),
    ("2026/03/02 09:30", utc(2026, 3, 2, 8, 30)),
    ("31/03/2026 14:00", utc(2026, 3, 31, 12)),  # day-first: CEST after the DST change
    ("3/31/2026, 2:00 PM", utc(2026, 3, 31, 12)),
    ("12/31/26 12:00 AM", utc(2026, 12, 30, 23)),
])
def test_date_shapes(text, expected):
    assert DateReader("Europe/Madrid").parse(text) == expected


def test_date_order_is_learned_or_given():
    dates = DateReader("UTC")
    dates.learn([[("f: d", "01/02/2026"), ("f: d", "25/02/2026")]])
    assert dates.parse("01/02/2026") == utc(2026, 2, 1)
    assert DateReader("UTC", "mm/dd/yyyy").parse("01/02/2026") == utc(2026, 1, 2)
    assert DateReader("UTC", "%d.%m.%Y %Hh").parse("01.02.2026 09h") == utc(2026, 2, 1, 9)
    with pytest.raises(SlatuiError, match="mix day-first .* and month-first"):
        DateReader("UTC").learn([[("f: d", "25/02/2026")], [("g: d", "02/25/2026")]])
    with pytest.raises(SlatuiError, match="--date-format: can't use 'yy-dd'"):
        DateReader("UTC", "yy-dd")


@pytest.mark.parametrize("text", ["2026-02-30", "next tuesday", "13:00", "2026-03-02 25:00",
                                  "13/13/2026", "2026-03-02 +99:00"])
def test_unreadable_dates_are_cell_errors(text):
    with pytest.raises(CellError):
        DateReader("UTC").parse(text)


def test_iso_format_refuses_slashed_dates():
    with pytest.raises(CellError):
        DateReader("UTC", "iso").parse("01/02/2026")


def test_an_explicit_map_takes_a_column_from_its_namesake(tmp_path):
    store = make_store(tmp_path / "s.db")
    path = tmp_path / "f.csv"
    path.write_text("name,company,handed_off_at\nAna,Acme,2026-03-02 10:00\n")
    result = run(tmp_path / "s.db", "import", "csv", path, "--agreement", "SLA", "--map", "company=name",
                 "--map", "name=company")
    assert result.code == 0, result.stderr
    assert [(r["name"], r["company"]) for r in store.lead_rows()] == [("Acme", "Ana")]


def test_the_cli_loads_no_reader_or_store_until_a_command_runs():
    code = ("import sys, slatui.cli.transfer; "
            "print(sorted(m for m in sys.modules if m.startswith(('pydantic', 'slatui.store', 'slatui.io'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# ---- hostile values ------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "amount"), [
    ("1500", 1500), ("1,500", 1500), ("1.500", 1500), ("1,500.50", 1500.5), ("1.500,50", 1500.5), ("1,5", 1.5),
    ("0.500", 0.5), ("1 500,50", 1500.5), ("1'500.50", 1500.5), ("€ 40", 40), ("40 EUR", 40), ("$1,500.00", 1500),
    ("1.500.000,00", 1_500_000),
])
def test_amounts_as_spreadsheets_write_them(text, amount):
    assert parse_amount(text) == amount


@pytest.mark.parametrize("text", ["1e3", "5k", "1/2", "1,5 million", "1e400", "inf", "nan", "-3", "12,34,567",
                                  "9" * 20, "1.5.2026"])
def test_amounts_that_would_be_misread_are_refused(text):
    with pytest.raises(ValueError):
        parse_amount(text)


def test_a_misreadable_amount_rejects_its_row_naming_line_and_column(tmp_path):
    store = make_store(tmp_path / "s.db")
    path = tmp_path / "f.csv"
    path.write_text("name,handed_off_at,Deal size\nAna,2026-03-02 10:00,1e3\nBo,2026-03-02 11:00,\"1,5 million\"\n"
                    "Cy,2026-03-02 12:00,\"1,500\"\n")
    result = run(tmp_path / "s.db", "import", "csv", path, "--agreement", "SLA", "--map", "Deal size=value",
                 "--skip-bad-rows")
    assert "rejected: f.csv:2: Deal size: '1e3' is not an amount" in result.stderr
    assert "rejected: f.csv:3: Deal size: '1,5 million' is not an amount" in result.stderr
    assert [(r["name"], r["value"]) for r in store.lead_rows()] == [("Cy", 1500)]


def test_an_export_s_repeated_header_and_footer_lines_are_skipped_not_rejected(tmp_path):
    """A report repeats its header on each page and ends with a count: each failed the whole import ('can't read
    'Handoff' as a date', 'the row has neither a lead nor an attempt'). A row that only looks like them is still
    read, and refused if bad."""
    store = make_store(tmp_path / "s.db")
    path = tmp_path / "report.csv"
    path.write_text("Name;Handoff;Email\nAna;2026-11-02 10:00;ana@x.example\n\nNAME;handoff;EMAIL\n"
                    "Bo;2026-11-03 11:00;bo@x.example\nTotal rows: 2;;\nExported on 2026-11-04 by Ana;;\n")
    result = run(tmp_path / "s.db", "import", "csv", path, "--agreement", "SLA", "--map", "Handoff=handed_off_at")
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("leads: 2 added")
    assert "1 row skipped: they repeat the header" in result.stderr
    assert "2 rows skipped: footer lines (totals, export notes) are not leads" in result.stderr
    assert counts(store)[0] == 2
    path.write_text("Name;Handoff;Email\nTotal rows: 2;2026-11-02 10:00;\nName;Handoff;x\n")
    refused = run(tmp_path / "s.db", "import", "csv", path, "--agreement", "SLA", "--map", "Handoff=handed_off_at")
    assert refused.code == 2 and "report.csv:3: Handoff: can't read 'Handoff'" in refused.stderr


def test_times_before_1970_after_2100_or_in_the_future_are_rejected(tmp_path):
    make_store(tmp_path / "s.db")
    path = tmp_path / "f.csv"
    path.write_text("name,handed_off_at\nAna,1969-12-31 10:00\nBo,2101-01-02\nCy,2099-03-02 10:00\n"
                    f"Di,{datetime.now(timezone.utc).year - 1}-03-02 10:00\n")
    result = run(tmp_path / "s.db", "import", "csv", path, "--agreement", "SLA")
    assert result.code == 2
    assert "rejected: f.csv:2: handed_off_at: the year 1969 is outside 1970-2100: is it a typo?" in result.stderr
    assert "rejected: f.csv:3: handed_off_at: the year 2101 is outside 1970-2100: is it a typo?" in result.stderr
    assert "rejected: f.csv:4: handed_off_at: 2099-03-02 10:00 CET is in the future (it is now " in result.stderr
    assert "f.csv:5" not in result.stderr
    assert "error: 3 rows rejected, nothing written" in result.stderr


# ---- reps ----------------------------------------------------------------------------------------


def test_unknown_reps_are_rejected_rows_unless_create_reps(tmp_path):
    """A typo must not become a rep: `import csv` names the unknown rep (and the likely one), --dry-run and the
    summary list the reps --create-reps adds."""
    store = make_store(tmp_path / "s.db")
    store.add_rep(Rep(name="Ana Garcia"))
    path = tmp_path / "f.csv"
    path.write_text("name,handed_off_at,rep\nAna,2026-03-02 10:00,Ana Gracia\nBo,2026-03-02 11:00,Bea Ruiz\n"
                    "Cy,2026-03-02 12:00,ana garcia\n")
    refused = run(tmp_path / "s.db", "import", "csv", path, "--agreement", "SLA")
    assert refused.code == 2
    assert ("rejected: f.csv:2: rep: no rep named 'Ana Gracia' (did you mean 'Ana Garcia'?): add the rep first "
            "(`slatui rep add`), or pass --create-reps") in refused.stderr
    assert "rejected: f.csv:3: rep: no rep named 'Bea Ruiz': add the rep first" in refused.stderr
    dry = run(tmp_path / "s.db", "import", "csv", path, "--agreement", "SLA", "--create-reps", "--dry-run")
    assert dry.stdout.startswith("dry run, nothing written: leads: 3 added, 0 updated; attempts: 0 added; "
                                 "reps: 2 added (Ana Gracia, Bea Ruiz)")
    assert counts(store) == (0, 0, 1)
    done = run(tmp_path / "s.db", "import", "csv", path, "--agreement", "SLA", "--create-reps")
    assert "reps: 2 added (Ana Gracia, Bea Ruiz)" in done.stdout
    assert {r["name"]: r["rep"] for r in store.lead_rows()} == {"Ana": "Ana Gracia", "Bo": "Bea Ruiz",
                                                                "Cy": "Ana Garcia"}


# ---- files ---------------------------------------------------------------------------------------


def test_an_attempt_row_before_its_leads_row_still_finds_it(tmp_path):
    store = make_store(tmp_path / "s.db")
    path = tmp_path / "f.csv"
    path.write_text("lead_id,name,handed_off_at,at,outcome\nL-1,,,2026-03-02 10:30,connected\n"
                    "L-1,Ana,2026-03-02 10:00,,\n")
    result = run(tmp_path / "s.db", "import", "csv", path, "--agreement", "SLA")
    assert result.code == 0, result.stderr
    assert lead_facts(store) == {"Ana": (1, 30 * 60, True, "connected")}


def test_an_explicit_disqualification_closes_even_a_connected_lead(tmp_path):
    store = make_store(tmp_path / "s.db")
    path = tmp_path / "f.csv"
    path.write_text("lead_id,name,handed_off_at,at,outcome\nL-1,Ana,2026-03-02 10:00,2026-03-02 10:30,connected\n"
                    "L-1,Ana,2026-03-02 10:00,2026-03-03 10:30,wrong number\n"
                    "L-2,Bo,2026-03-02 10:00,2026-03-02 10:30,connected\n"
                    "L-2,Bo,2026-03-02 10:00,2026-03-03 10:30,disqualified\n")
    assert run(tmp_path / "s.db", "import", "csv", path, "--agreement", "SLA").code == 0
    assert {name: facts[3] for name, facts in lead_facts(store).items()} == {"Ana": "connected", "Bo": "disqualified"}


def test_xlsx_sheets_import_with_sheet_row_and_column_in_errors(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["nothing to import here"])
    leads = book.create_sheet("Leads")
    leads.append(["Handoff report"])  # a title row above the header
    leads.append(["lead_id", "name", "email", "handed_off_at", "value"])
    leads.append(["L-1", "José Müller", "jose@example.com", datetime(2026, 3, 2, 10, 0), 1500.5])
    leads.append([2, "山田", "yamada@example.com", datetime(2026, 3, 2, 11, 0), "5k"])
    leads.append([3, "Ana", "ana@example.com", "2026-03-02 12:00", 40])
    path = tmp_path / "leads.xlsx"
    book.save(path)
    store = make_store(tmp_path / "s.db")
    refused = run(tmp_path / "s.db", "import", "csv", path, "--agreement", "SLA")
    assert refused.code == 2
    assert "no column gives handed_off_at" in refused.stderr  # the first sheet is the notes
    result = run(tmp_path / "s.db", "import", "csv", path, "--agreement", "SLA", "--sheet", "leads",
                 "--skip-bad-rows")
    assert result.code == 0, result.stderr
    assert "rejected: leads.xlsx, sheet Leads, row 4: value: '5k' is not an amount" in result.stderr
    rows = {name: rest for name, *rest in store.conn.execute(
        "SELECT name, external_id, value, handed_off_at FROM leads")}
    assert rows == {"José Müller": ["L-1", 1500.5, int(utc(2026, 3, 2, 9).timestamp())],
                    "Ana": ["3", 40, int(utc(2026, 3, 2, 11).timestamp())]}
    missing = run(tmp_path / "s.db", "import", "csv", path, "--agreement", "SLA", "--sheet", "Calls")
    assert missing.stderr.startswith("error: leads.xlsx has no sheet 'Calls': its sheets are 'Notes', 'Leads'")


def test_xlsx_without_openpyxl_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl now fails, as when it is not installed
    make_store(tmp_path / "s.db")
    path = tmp_path / "leads.xlsx"
    path.write_bytes(b"PK\x03\x04")
    result = run(tmp_path / "s.db", "import", "csv", path, "--agreement", "SLA")
    assert result.code == 2
    assert result.stderr == f"error: {XLSX_HINT}\n"


def test_reading_tables_loads_no_workbook_library():
    code = "import sys, slatui.cli.transfer, slatui.io.csvread; print('openpyxl' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
