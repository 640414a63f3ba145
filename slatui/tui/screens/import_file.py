"""Import a file from the TUI (palette: "data: import file…"): the CLI's importers, in a thread worker.

Same rules as `slatui import`: one transaction, re-imports add nothing, and a rejected row writes
nothing unless "skip bad rows" is ticked; the rejected rows are listed in the form.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.markup import escape
from textual.widgets import Checkbox, Input, Select

from slatui.errors import SlatuiError
from slatui.io import generic, hubspot, jsonio, salesforce
from slatui.io.batch import Batch, Summary, run_import
from slatui.io.csvread import DateOrderError, DateReader, zone
from slatui.models import Agreement
from slatui.store import Store
from slatui.tui.forms.base import ConfirmScreen, FormScreen, field_row
from slatui.tui.widgets import cells

KINDS = (("CSV, any columns", "csv"), ("HubSpot export(s)", "hubspot"), ("Salesforce export(s)", "salesforce"),
         ("slatui JSON export", "json"))
# The orders the importers read (csvread.DateReader); "detect" learns it from the file's dates.
DATE_FORMATS = (("detect from the dates", "detect"), ("day first: dd/mm/yyyy", "dd/mm/yyyy"),
                ("month first: mm/dd/yyyy", "mm/dd/yyyy"), ("ISO: yyyy-mm-dd", "iso"))
# Rejected rows listed in the form or the toast; the CLI prints them all.
ROWS_SHOWN = 8


@dataclass(frozen=True)
class ImportRequest:
    paths: list[Path]
    kind: str
    agreement_id: int | None
    date_format: str | None
    mapping: dict[str, str]  # field -> column, for CSV
    skip_bad_rows: bool
    tz: str | None = None  # the file's zone, when not the agreement's
    sheet: str | None = None  # of .xlsx files; None: the first
    create_reps: bool = False  # CSV: add the reps the file names that do not exist yet


def split_paths(text: str) -> list[str]:
    """One path as typed (spaces and all) when it exists, else shell words: `a.csv "b c.csv"`."""
    text = text.strip()
    if Path(text).expanduser().exists():
        return [text]
    try:
        return shlex.split(text)
    except ValueError as exc:  # an unclosed quote
        raise ValueError(f"can't read the file names: {exc}") from None


def parse_zone(text: str) -> str:
    """An IANA zone name as typed, or the reason it is not one."""
    try:
        zone(text)
    except SlatuiError as exc:
        raise ValueError(str(exc).removeprefix("--tz: ")) from None
    return text


def parse_mapping(text: str) -> dict[str, str]:
    """`Column=field, Column=field` as the CLI's repeated --map options."""
    try:
        return generic.parse_mapping(tuple(pair.strip() for pair in text.split(",") if pair.strip()))
    except SlatuiError as exc:
        raise ValueError(str(exc).removeprefix("--map: ")) from None


def read_batch(store: Store, request: ImportRequest) -> Batch:
    """The importer of `request.kind` on its files (as `slatui import KIND` reads them)."""
    if request.kind == "json":
        return jsonio.read_batch(request.paths[0])
    agreement = store.get_agreement(request.agreement_id)
    dates = DateReader(request.tz or agreement.calendar.tz, request.date_format)
    if request.kind == "csv":
        return generic.read_batch(request.paths[0], agreement, dates, request.mapping, sheet=request.sheet)
    return (hubspot if request.kind == "hubspot" else salesforce).read_batch(request.paths, agreement, dates,
                                                                            sheet=request.sheet)


def rejected_lines(summary: Summary) -> list[str]:
    lines = [str(error) for error in summary.errors[:ROWS_SHOWN]]
    if len(summary.errors) > ROWS_SHOWN:
        lines.append(f"… and {len(summary.errors) - ROWS_SHOWN} more (`slatui import` on the command line lists all)")
    return lines


class ImportForm(FormScreen[Summary]):
    FORM_TITLE = "Import leads and attempts from a file"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "save", "Import", id="form.save")]
    # The rejected rows are listed at the top: wrap them rather than cut them at the frame.
    DEFAULT_CSS = """
    ImportForm #form-error {
        width: 100%;
    }
    """

    def __init__(self, agreements: Sequence[Agreement]):
        super().__init__()
        self.agreements = agreements

    def compose_fields(self) -> ComposeResult:
        yield field_row("File", Input(id="import-path", placeholder="the file's path"),
                        hint="e.g. ~/Downloads/contacts.csv; HubSpot and Salesforce take several: contacts.csv "
                             "calls.csv (quote names with spaces)")
        yield Horizontal(
            field_row("Kind", Select(KINDS, value="csv", allow_blank=False, id="import-kind")),
            field_row("Agreement", Select([(cells.text(a.name), a.id) for a in self.agreements],
                                          value=self.agreements[0].id if self.agreements else Select.NULL,
                                          prompt="choose the agreement", id="import-agreement"),
                      hint="times without an offset are read in its zone"),
            classes="row",
        )
        yield Horizontal(
            field_row("Date format", Select(DATE_FORMATS, value="detect", allow_blank=False, id="import-date_format"),
                      hint="for dates such as 03/04/2026"),
            field_row("Column mapping (CSV)", Input(id="import-map", placeholder="none"),
                      hint="e.g. Handoff date=handed_off_at; columns named like a field map themselves"),
            classes="row",
        )
        yield Horizontal(
            field_row("File's time zone", Input(id="import-tz", placeholder="the agreement's"),
                      hint="when its times without an offset are not the agreement's, e.g. America/New_York"),
            field_row("Sheet (.xlsx)", Input(id="import-sheet", placeholder="the first"),
                      hint="the workbook's sheet to read"),
            classes="row",
        )
        yield Checkbox("Skip bad rows: import the good ones, list the rest", id="import-skip")
        yield Checkbox("Add the reps a CSV names that do not exist yet (else their rows are rejected)",
                       id="import-create_reps")

    def read_form(self) -> ImportRequest:
        reader = self.reader()
        kind = reader.choice("import.kind")
        agreement_id = reader.choice("import.agreement")
        paths = [Path(p).expanduser() for p in reader.parse("import.path", split_paths, required=True) or []]
        if missing := [str(p) for p in paths if not p.is_file()]:
            reader.errors["import.path"] = f"no such file: {', '.join(missing)}"
        elif kind in ("csv", "json") and len(paths) > 1:
            reader.errors["import.path"] = f"one file at a time for {kind}"
        if kind != "json" and agreement_id is None:
            reader.errors["import.agreement"] = "choose the agreement the leads are handed off under"
        mapping = reader.parse("import.map", parse_mapping) or {}
        tz = reader.parse("import.tz", parse_zone)
        reader.check()
        date_format = reader.choice("import.date_format")
        return ImportRequest(paths, kind, agreement_id, None if date_format == "detect" else date_format, mapping,
                             self.query_one("#import-skip", Checkbox).value, tz, reader.text("import.sheet") or None,
                             self.query_one("#import-create_reps", Checkbox).value)

    def persist(self, request: ImportRequest) -> Summary:
        with self.app.data.store() as store:
            try:
                batch = read_batch(store, request)
            except DateOrderError as exc:  # shown under the date format, which settles it
                raise SlatuiError(f"import.date_format: {exc.problem}: choose day first or month first") from None
            summary = run_import(store, batch, skip_bad_rows=request.skip_bad_rows,
                                 create_reps=request.create_reps or None)
        if not summary.written:
            count = f"{summary.rejected} row{'s' * (summary.rejected != 1)}"
            raise SlatuiError("\n".join([f"{count} rejected, nothing written (tick “skip bad rows” to import "
                                         "the rest):", *rejected_lines(summary)]))
        return summary


def summary_text(summary: Summary) -> str:
    """What an import did, and what it left out (markup: file names and rows are escaped)."""
    lines = [f"[b]Imported[/b]: {escape(summary.describe())}"]
    if details := rejected_lines(summary) + summary.notes[:ROWS_SHOWN]:
        lines += ["", "[b]Left out[/b]:", *map(escape, details)]
    return "\n".join(lines)


def open_import(app: App) -> None:
    """Read the agreements in a worker, open the form, and show the summary until it is dismissed."""

    def imported(summary: Summary | None) -> None:
        if summary is not None:
            app.push_screen(ConfirmScreen(summary_text(summary), [("close", "Close")]))

    def load() -> None:
        with app.data.store() as store:
            agreements = store.list_agreements()
        app.call_from_thread(app.push_screen, ImportForm(agreements), imported)

    app.run_worker(load, thread=True, group="import-open")
