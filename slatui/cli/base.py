"""The `slatui` group and what every command module shares: the lazily opened store, option parsing
and plain-text output. Only the bare `slatui` command (the TUI) imports Textual."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from slatui.errors import SlatuiError

OUTCOME_HELP = "no_answer, voicemail, email_sent, connected, meeting_booked or disqualified"


class Context:
    """Opens the store on first use, so `--help` and parse errors never touch the file."""

    def __init__(self, db_path: str | None):
        self.db_path = db_path
        self._store = None

    @property
    def store(self):
        if self._store is None:
            from slatui.store import Store

            store = Store(self.db_path)
            store.origin = _origin(click.get_current_context(silent=True))
            self._store = store
            if store.recomputing():
                finish_recompute(store)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


pass_ctx = click.make_pass_decorator(Context)


def _origin(command: click.Context | None) -> str:
    """Where the change log says changes come from: the command, and the files it read (an import's)."""
    if command is None:
        return "cli: slatui"
    files = [value.name for given in command.params.values()
             for value in (given if isinstance(given, tuple) else (given,)) if isinstance(value, Path)]
    return f"cli: {command.command_path}" + (f" {' '.join(files)}" if files else "")


def finish_recompute(store: Any) -> None:
    """Bring leads' facts up to date after a clock change (or an upgrade of the file) that a killed command left
    half done."""
    with recompute_progress() as progress:
        store.run_recompute_jobs(progress)


@contextmanager
def recompute_progress() -> Iterator[Callable[[int, int], None]]:
    """A (done, total) callback that shows a progress bar on stderr once there is something to recompute."""
    bars: list[Any] = []

    def progress(done: int, total: int) -> None:
        if not bars:
            bars.append(click.progressbar(length=max(total, 1), label="Recomputing leads' SLA facts",
                                          file=sys.stderr).__enter__())
        bar = bars[0]
        bar.length = max(total, 1)
        bar.update(done - bar.pos)

    try:
        yield progress
    finally:
        if bars:
            bars[0].__exit__(None, None, None)


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str, ensure_ascii=False))


def parse_option(option: str, parser: Any, text: str, *args: Any) -> Any:
    """Run a parser, naming the option in its error so the user knows which value to fix."""
    from slatui.parsing import ParseError

    try:
        return parser(text, *args)
    except ParseError as exc:
        raise SlatuiError(f"{option}: {exc}") from None


def parse_at(text: str | None, tz: str, option: str = "--at") -> datetime:
    """A WHEN option (default: now) read in the zone `tz`."""
    from slatui.parsing import parse_when

    return parse_option(option, parse_when, text or "now", tz)


def normalise_choice(value: str | None) -> str | None:
    # "no-answer" and "No Answer" are what people type for no_answer.
    return None if value is None else value.strip().lower().replace("-", "_").replace(" ", "_")


# The models' rules for what people type on the quick paths (`lead add`, `lead edit`, `log`, `attempt edit`),
# checked here because loading pydantic would double those commands' time.

def check_choice(field: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise SlatuiError(f"{field}: '{value}' is not allowed; use one of {', '.join(allowed)}")
    return value


def check_lead_name(name: str) -> str:
    from slatui.vocabulary import LEAD_NAME_MAX

    name = name.strip()
    if not 0 < len(name) <= LEAD_NAME_MAX:
        raise SlatuiError(f"name: give the lead a name of 1 to {LEAD_NAME_MAX} characters")
    return name


def check_email(email: str | None) -> str | None:
    """An address, or None for none ('' clears it)."""
    from slatui.parsing import is_email

    email = (email or "").strip() or None
    if email and not is_email(email):
        raise SlatuiError(f"email: '{email}' is not an email address (want name@example.com)")
    return email


def check_amount(field: str, value: float | None, what: str) -> float | None:
    if value is not None and not 0 <= value < float("inf"):
        problem = "is negative" if value < 0 else "is not a number"
        raise SlatuiError(f"{field}: {value} {problem}; {what} is 0 or more")
    return value


def confirm(question: str, refusal: str) -> None:
    """Ask on a terminal (no: abort); elsewhere refuse with `refusal`, which names --yes."""
    if not sys.stdin.isatty():
        raise SlatuiError(refusal)
    click.confirm(question, abort=True)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db_path",
    envvar="SLATUI_DB",
    type=click.Path(dir_okay=False),
    help="SQLite file to use (default: slatui.db in your user data folder; env SLATUI_DB).",
)
@click.version_option(package_name="slatui")
@click.pass_context
def cli(click_ctx: click.Context, db_path: str | None) -> None:
    """slatui: sales & marketing SLAs in your terminal.

    Run without a command to open the app. Times (WHEN) are ISO 8601 (read in the
    agreement's zone when they carry no offset), `now`, `15m ago`, `2h ago`,
    `today 09:30` or `yesterday 16:00`. Durations (DUR) are like 90m, 2h, 1h30m.
    """
    click_ctx.obj = Context(db_path)
    click_ctx.call_on_close(click_ctx.obj.close)
    if click_ctx.invoked_subcommand is None:
        store = click_ctx.obj.store  # fail here, before the screen changes, if the file is unusable
        path = store.path
        store.close()
        from slatui.tui.app import run

        run(path)


def print_table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip())
    for row in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
