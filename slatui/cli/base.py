"""The `slatui` group and what every command module shares: the lazily opened store, option parsing
and plain-text output. Only the bare `slatui` command (the TUI) imports Textual."""

from __future__ import annotations

import json
from datetime import datetime
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

            self._store = Store(self.db_path)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


pass_ctx = click.make_pass_decorator(Context)


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str, ensure_ascii=False))


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


def parse_at(text: str | None, tz: str, option: str = "--at") -> datetime:
    """A WHEN option (default: now) read in the zone `tz`."""
    from slatui.parsing import parse_when

    return parse_option(option, parse_when, text or "now", tz)


def normalise_choice(value: str | None) -> str | None:
    # "no-answer" and "No Answer" are what people type for no_answer.
    return None if value is None else value.strip().lower().replace("-", "_").replace(" ", "_")


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
