"""`slatui import ...` and `slatui export`. Only click is imported up front: the readers and
the store load when a command runs, so `slatui --help` stays fast."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from slatui.cli.base import cli, echo
from slatui.errors import SlatuiError

# Files with at least this many records show a progress bar on stderr.
PROGRESS_FROM = 2000
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
    click.option("--dry-run", is_flag=True, help="Check the files and report what would change; write nothing."),
    click.option("--skip-bad-rows", is_flag=True, help="Import the good rows even if some are rejected."),
)
_CSV_OPTIONS = (
    click.option("--agreement", "agreement_ref", required=True, metavar="NAME_OR_ID",
                 help="Agreement the leads are handed off under (its zone reads times without an offset)."),
    click.option("--date-format", metavar="FORMAT",
                 help="Settle ambiguous dates: dd/mm/yyyy, mm/dd/yyyy, iso, or a strptime pattern."),
    *_WRITE_OPTIONS,
)


@cli.group("import")
def import_cli() -> None:
    """Bring leads and attempts in from HubSpot, Salesforce, any CSV, or a slatui JSON export.

    One import is one transaction: a rejected row writes nothing unless --skip-bad-rows.
    Re-importing the same file adds nothing (CRM record ids are kept as external ids).
    """


@import_cli.command("hubspot")
@click.argument("files", nargs=-1, required=True, type=_FILES)
@_options(*_CSV_OPTIONS)
@click.pass_obj
def import_hubspot(ctx: Any, files: tuple[Path, ...], **options: Any) -> None:
    """Import HubSpot contacts exports and call/email/meeting activity exports (FILES, in any order).

    Handoff = MQL date, else SQL date, else create date. Call outcomes: no answer and busy →
    no_answer; left voicemail or live message → voicemail; wrong number → disqualified;
    connected → connected. Meetings → meeting_booked; emails → email_sent. An unknown outcome
    rejects its row. A contact with a first-engagement date and no activities gets one attempt
    at that date. Contact owners become reps.
    """
    from slatui.io import hubspot

    _import_csv(ctx, lambda agreement, dates: hubspot.read_batch(list(files), agreement, dates), **options)


@import_cli.command("salesforce")
@click.argument("files", nargs=-1, required=True, type=_FILES)
@_options(*_CSV_OPTIONS)
@click.pass_obj
def import_salesforce(ctx: Any, files: tuple[Path, ...], **options: Any) -> None:
    """Import Salesforce Lead exports and Task/activity exports (FILES, in any order).

    Handoff = created date; converted leads become customers; tasks match leads by Who Id.
    """
    from slatui.io import salesforce

    _import_csv(ctx, lambda agreement, dates: salesforce.read_batch(list(files), agreement, dates), **options)


@import_cli.command("csv")
@click.argument("file", type=_FILES)
@click.option("--map", "mappings", multiple=True, metavar="COLUMN=FIELD",
              help="Read COLUMN as FIELD; repeat for each. Fields: lead_id, name, first_name, last_name, company, "
                   "email, tier, source, value, handed_off_at, status, revenue, closed_at, rep, attempt_id, at, "
                   "channel, outcome, note. Columns named like a field map themselves.")
@_options(*_CSV_OPTIONS)
@click.pass_obj
def import_csv(ctx: Any, file: Path, mappings: tuple[str, ...], **options: Any) -> None:
    """Import any CSV of leads, attempts, or both (one attempt per row, lead columns repeated)."""
    from slatui.io import generic

    mapping = generic.parse_mapping(mappings)
    _import_csv(ctx, lambda agreement, dates: generic.read_batch(file, agreement, dates, mapping), **options)


@import_cli.command("json")
@click.argument("file", type=_FILES)
@_options(*_WRITE_OPTIONS)
@click.pass_obj
def import_json(ctx: Any, file: Path, dry_run: bool, skip_bad_rows: bool) -> None:
    """Import a slatui JSON export (agreements, reps, leads and attempts)."""
    from slatui.io import jsonio

    _finish(ctx.store, jsonio.read_batch(file), dry_run=dry_run, skip_bad_rows=skip_bad_rows)


def _import_csv(ctx: Any, read: Any, *, agreement_ref: str, date_format: str | None, dry_run: bool,
                skip_bad_rows: bool) -> None:
    from slatui.io.csvread import DateReader

    store = ctx.store
    agreement = store.get_agreement(agreement_ref)
    batch = read(agreement, DateReader(agreement.calendar.tz, date_format))
    _finish(store, batch, dry_run=dry_run, skip_bad_rows=skip_bad_rows)


def _finish(store: Any, batch: Any, *, dry_run: bool, skip_bad_rows: bool) -> None:
    """Run the import, then report: rejected rows and notes on stderr, the summary on stdout."""
    from slatui.io.batch import run_import

    records = len(batch.leads) + len(batch.attempts)
    if records >= PROGRESS_FROM:
        with click.progressbar(length=2 * records, label="Importing", file=sys.stderr) as bar:
            summary = run_import(store, batch, dry_run=dry_run, skip_bad_rows=skip_bad_rows, progress=bar.update)
    else:
        summary = run_import(store, batch, dry_run=dry_run, skip_bad_rows=skip_bad_rows)
    for label, lines in (("rejected", summary.errors), ("note", summary.notes)):
        for line in lines[:LINES_SHOWN]:
            echo(f"{label}: {line}", err=True)
        if len(lines) > LINES_SHOWN:
            echo(f"{label}: ... and {len(lines) - LINES_SHOWN} more", err=True)
    if summary.errors and not skip_bad_rows:
        rows = f"{summary.rejected} row{'s' * (summary.rejected != 1)}"
        raise SlatuiError(f"{rows} rejected, nothing written: fix them, or pass --skip-bad-rows to import the rest")
    echo(summary.describe())


@cli.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"], case_sensitive=False), default="csv",
              show_default=True,
              help="csv: one spreadsheet-safe file per table; json: one file for `slatui import json`.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True,
              help="Folder to write into (created if missing).")
@click.pass_obj
def export_cli(ctx: Any, fmt: str, out: Path) -> None:
    """Write agreements, reps, leads (with derived response times) and attempts to files."""
    from slatui.io.export import export

    for path in export(ctx.store, fmt.lower(), out):
        echo(str(path))
