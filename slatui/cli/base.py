"""The `slatui` group and what every command module shares: the lazily opened store, option types and
parsing (one place refuses hostile values: integers SQLite cannot store, inf and nan, impossible times) and
plain-text output (never a raw control character). Only the bare `slatui` command (the TUI) imports Textual."""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from slatui.errors import SlatuiError
from slatui.text import json_text, printable
from slatui.vocabulary import SQLITE_INT_MAX

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
            # A recompute a killed command left; one under way elsewhere is left to its process.
            if store.recomputing() and not store.read_only and not store.recompute_running():
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
class Whole(click.ParamType):
    """A whole number SQLite can store (64-bit), from `low` to `high`: ids, counts, limits. A domain's own
    bounds (a goal is 0 or more) stay with its model, which names the field."""

    name = "integer"

    def __init__(self, low: int = -SQLITE_INT_MAX - 1, high: int = SQLITE_INT_MAX):
        self.low, self.high = max(low, -SQLITE_INT_MAX - 1), min(high, SQLITE_INT_MAX)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            number = value
        elif re.fullmatch(r"\s*[+-]?[0-9]+\s*", str(value), re.ASCII):
            number = int(value)
        else:
            self.fail(f"{printable(str(value))!r} is not a whole number", param, ctx)
        if number < self.low:
            self.fail(f"{number} is too small: give {self.low} or more", param, ctx)
        if number > self.high:
            self.fail(f"{number} is too large: give at most {self.high}", param, ctx)
        return number


def finite_number(text: str) -> float:
    """A number that is one: "inf", "nan" and overflowing ones such as 1e400 are refused (ValueError)."""
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{printable(str(text).strip())!r} is not a finite number")
    return number


class Number(click.ParamType):
    """A real number (an amount, a quota): never inf or nan, which would break every report after it."""

    name = "number"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        try:
            return finite_number(value)
        except ValueError as exc:
            message = str(exc) if "finite" in str(exc) else f"{printable(str(value))!r} is not a number"
            self.fail(f"{message}: give an amount such as 5000 or 99.5", param, ctx)


def emit_json(data: Any) -> None:
    click.echo(json_text(data, indent=2, default=str))


def echo(text: str = "", *, err: bool = False, nl: bool = True) -> None:
    """Print text that may hold names or file contents: no control character reaches the terminal raw."""
    click.echo(printable(text, keep="\n"), err=err, nl=nl)


def parse_option(option: str, parser: Any, text: str, *args: Any) -> Any:
    """Run a parser, naming the option in its error so the user knows which value to fix."""
    from slatui.parsing import ParseError

    try:
        return parser(text, *args)
    except ParseError as exc:
        raise SlatuiError(f"{option}: {exc}") from None


def validated(model: Any, data: dict[str, Any], names: dict[str, str]) -> Any:
    """`model` built from `data`; pydantic's problems become one line naming the command's own options
    (`names` maps model paths to them, e.g. "targets.lead_goal": "--lead-goal")."""
    from pydantic import ValidationError

    from slatui.models import describe_validation_error

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise SlatuiError(describe_validation_error(exc, names)) from None


def parse_at(text: str | None, tz: str) -> datetime:
    """--at WHEN (default: now) read in the zone `tz`: a handoff or attempt that has happened, so not later
    than now."""
    from slatui.parsing import parse_past

    return parse_option("--at", parse_past, text or "now", tz)


def parse_as_of(text: str | None, tz: str) -> datetime:
    """--as-of WHEN (default: now) read in the zone `tz`."""
    from slatui.parsing import parse_when

    return parse_option("--as-of", parse_when, text or "now", tz)


def normalise_choice(value: str | None) -> str | None:
    # "no-answer" and "No Answer" are what people type for no_answer.
    return None if value is None else value.strip().lower().replace("-", "_").replace(" ", "_")


# The models' rules for what people type on the quick paths (`lead add`, `lead edit`, `log`, `attempt edit`),
# checked here because loading pydantic would double those commands' time.

def check_choice(option: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise SlatuiError(f"{option}: '{value}' is not allowed; use one of {', '.join(allowed)}")
    return value


def check_lead_name(name: str, option: str = "NAME") -> str:
    from slatui.vocabulary import LEAD_NAME_MAX

    name = name.strip()
    if not 0 < len(name) <= LEAD_NAME_MAX:
        raise SlatuiError(f"{option} must be 1 to {LEAD_NAME_MAX} characters: give the lead a name")
    return name


def check_email(email: str | None) -> str | None:
    """An address, or None for none ('' clears it)."""
    from slatui.parsing import is_email

    email = (email or "").strip() or None
    if email and not is_email(email):
        raise SlatuiError(f"--email: '{email}' is not an email address (want name@example.com)")
    return email


def check_amount(option: str, value: float | None) -> float | None:
    """An amount (a value, revenue): 0 or more and finite."""
    if value is not None and not 0 <= value < float("inf"):
        raise SlatuiError(f"{option} must be 0 or more, got {value:g}")
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
        from slatui.store import Store

        # Fail here, before the screen changes, if the file is unusable. A recompute a killed command left is the
        # app's to finish, in a worker, showing progress (not a bar before the screen opens).
        with Store(click_ctx.obj.db_path) as store:
            path = store.path
        from slatui.tui.app import run

        run(path)


def print_table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    rows = [tuple(map(printable, row)) for row in rows]  # a newline in a name shows as \x0a, on its row
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip())
    for row in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
