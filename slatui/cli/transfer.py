"""`slatui import ...` and `slatui export`. Only click is imported up front: the readers and
the store load when a command runs, so `slatui --help` stays fast."""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Any

import click

from slatui.cli.base import cli, echo
from slatui.errors import SlatuiError

# Files of at least this many bytes show a progress bar on stderr (on a terminal; a line elsewhere).
PROGRESS_FROM = 1_000_000
# A file in the wrong date format rejects every row: the first lines tell the story.
LINES_SHOWN = 100

_FILES = click.Path(exists=True, dir_okay=False, path_type=Path)


def _options(*options: Any):
    def decorate(fn):
        for option in reversed(options):
            fn = option(fn)
        return fn

    return decorate


_WRITE_OPTIONS = (
    click.option("--dry-run", is_flag=True, help="Check the files and report what would change (the reps it would "
                                                  "add too); write nothing."),
    click.option("--skip-bad-rows", is_flag=True, help="Import the good rows even if some are rejected."),
)
_CSV_OPTIONS = (
    click.option("--agreement", "agreement_ref", required=True, metavar="NAME_OR_ID",
                 help="Agreement the leads are handed off under (its zone reads times without an offset)."),
    click.option("--tz", metavar="ZONE",
                 help="Zone of the file's times without an offset, when not the agreement's (e.g. America/New_York "
                      "for a portal in New York)."),
    click.option("--date-format", metavar="FORMAT",
                 help="Settle ambiguous dates: dd/mm/yyyy, mm/dd/yyyy, iso, or a strptime pattern."),
    click.option("--sheet", metavar="NAME", help="Sheet of .xlsx files to read (default: the first)."),
    *_WRITE_OPTIONS,
)


@cli.group("import")
def import_cli() -> None:
    """Bring leads and attempts in from HubSpot, Salesforce, any CSV or .xlsx sheet, or a slatui JSON export.

    One import is one transaction: a rejected row writes nothing unless --skip-bad-rows.
    Re-importing the same file adds nothing (CRM record ids are kept as external ids).
    .xlsx files need openpyxl: pip install 'slatui[xlsx]'.
    """


@import_cli.command("hubspot")
@click.argument("files", nargs=-1, required=True, type=_FILES)
@_options(*_CSV_OPTIONS)
@click.pass_obj
def import_hubspot(ctx: Any, files: tuple[Path, ...], **options: Any) -> None:
    """Import HubSpot contacts exports and call/email/meeting activity exports (FILES, in any order; the UI's
    column labels or the API's property names).

    Handoff = MQL date, else SQL date, else create date. Call outcomes: no answer, busy and
    wrong number → no_answer; left voicemail or live message → voicemail; connected →
    connected (the API's disposition GUIDs alike). Meetings → meeting_booked; emails →
    email_sent. An unknown outcome rejects its row. A contact with a first-engagement date and
    no activities gets one attempt at that date. Contact owners become reps ("Name
    (Deactivated User)" an inactive rep Name).
    """
    from slatui.io import hubspot

    _import_csv(ctx, lambda agreement, dates, sheet: hubspot.read_batch(list(files), agreement, dates, sheet=sheet),
                **options)


@import_cli.command("salesforce")
@click.argument("files", nargs=-1, required=True, type=_FILES)
@_options(*_CSV_OPTIONS)
@click.pass_obj
def import_salesforce(ctx: Any, files: tuple[Path, ...], **options: Any) -> None:
    """Import Salesforce Lead exports and Task/activity exports (FILES, in any order).

    Handoff = created date; converted leads become customers (closed at the end of their converted date);
    tasks match leads by Who Id, or by the converted contact's id (ConvertedContactId). Report footers are
    skipped.
    """
    from slatui.io import salesforce

    _import_csv(ctx, lambda agreement, dates, sheet: salesforce.read_batch(list(files), agreement, dates,
                                                                            sheet=sheet), **options)


@import_cli.command("csv")
@click.argument("file", type=_FILES)
@click.option("--map", "mappings", multiple=True, metavar="COLUMN=FIELD",
              help="Read COLUMN as FIELD; repeat for each. Fields: lead_id, name, first_name, last_name, company, "
                   "email, tier, source, value, handed_off_at, status, revenue, closed_at, rep, attempt_id, at, "
                   "channel, outcome, note. Columns named like a field map themselves.")
@click.option("--create-reps", is_flag=True, help="Add the reps the file names that do not exist yet (else their "
                                                  "rows are rejected: a typo must not become a rep).")
@_options(*_CSV_OPTIONS)
@click.pass_obj
def import_csv(ctx: Any, file: Path, mappings: tuple[str, ...], create_reps: bool, **options: Any) -> None:
    """Import any CSV or .xlsx sheet of leads, attempts, or both (one attempt per row, lead columns repeated).

    Amounts are plain numbers (1500, 1,500.50, 1.500,50, € 40); 1e3, 5k or "1,5 million" reject their row.
    """
    from slatui.io import generic

    mapping = generic.parse_mapping(mappings)
    _import_csv(ctx, lambda agreement, dates, sheet: generic.read_batch(file, agreement, dates, mapping, sheet=sheet),
                create_reps=create_reps or None, **options)


@import_cli.command("json")
@click.argument("file", type=_FILES)
@_options(*_WRITE_OPTIONS)
@click.pass_obj
def import_json(ctx: Any, file: Path, dry_run: bool, skip_bad_rows: bool) -> None:
    """Import a slatui JSON export (agreements, reps, leads and attempts)."""
    from slatui.io import jsonio

    _finish(ctx.store, jsonio.read_batch(file), dry_run=dry_run, skip_bad_rows=skip_bad_rows)


def _import_csv(ctx: Any, read: Any, *, agreement_ref: str, tz: str | None, date_format: str | None,
                sheet: str | None, dry_run: bool, skip_bad_rows: bool, create_reps: bool | None = None) -> None:
    from slatui.io.csvread import DateReader

    store = ctx.store
    agreement = store.terms(agreement_ref)
    batch = read(store.get_agreement(agreement.id), DateReader(tz or agreement.tz, date_format), sheet)
    _finish(store, batch, dry_run=dry_run, skip_bad_rows=skip_bad_rows, create_reps=create_reps)


def _finish(store: Any, batch: Any, *, dry_run: bool, skip_bad_rows: bool, create_reps: bool | None = None) -> None:
    """Run the import, then report: rejected rows and notes on stderr, the summary on stdout."""
    from slatui.io.batch import run_import

    run = functools.partial(run_import, store, batch, dry_run=dry_run, skip_bad_rows=skip_bad_rows,
                            create_reps=create_reps)
    if batch.size >= PROGRESS_FROM:
        with click.progressbar(length=1000, label="Importing", file=sys.stderr) as bar:
            summary = run(progress=lambda fraction: bar.update(int(1000 * fraction) - bar.pos))
    else:
        summary = run()
    for label, lines in (("rejected", summary.errors), ("note", summary.notes)):
        for line in lines[:LINES_SHOWN]:
            echo(f"{label}: {line}", err=True)
        if label == "note" and len(lines) > LINES_SHOWN:
            echo(f"note: ... and {len(lines) - LINES_SHOWN} more", err=True)
    if summary.rejected > LINES_SHOWN:
        echo(f"rejected: ... and {summary.rejected - LINES_SHOWN} more rows", err=True)
    if summary.errors and not skip_bad_rows:
        rows = f"{summary.rejected} row{'s' * (summary.rejected != 1)}"
        raise SlatuiError(f"{rows} rejected, nothing written: fix them, or pass --skip-bad-rows to import the rest")
    echo(summary.describe())


@cli.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "xlsx"], case_sensitive=False), default="csv",
              show_default=True,
              help="csv: one spreadsheet-safe file per table; xlsx: one workbook, a sheet per table (needs "
                   "openpyxl); json: one file for `slatui import json`.")
@click.option("--excel", is_flag=True, help="CSV for Excel: UTF-8 with a BOM (accents and 山田 show right).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True,
              help="Folder to write into (created if missing).")
@click.pass_obj
def export_cli(ctx: Any, fmt: str, excel: bool, out: Path) -> None:
    """Write agreements, reps, leads (with derived response times) and attempts to files (owner-only: they hold
    customer data). A failed export leaves no partial file."""
    from slatui.io.export import export

    if excel and fmt.lower() != "csv":
        raise SlatuiError("--excel is for --format csv (an .xlsx workbook is Excel's own)")
    for path in export(ctx.store, fmt.lower(), out, excel=excel):
        echo(str(path))
