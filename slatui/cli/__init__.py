"""The `slatui` command line: a click group (`base`) with one module per command group.

Only the bare `slatui` command (the TUI) imports Textual; every module loads what its commands need
when they run, so quick commands stay quick.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import sys

import click

from slatui.cli import agreements, calc, housekeeping, leads, plan, reports, reps, transfer  # noqa: F401  (registers)
from slatui.cli import corrections, history  # noqa: F401  (registers: lead show/edit/close, attempt, history, undo)
from slatui.cli.base import cli
from slatui.errors import SlatuiError
from slatui.text import printable

__all__ = ["cli", "main"]


def _validation_error() -> tuple[type[Exception], ...]:
    """pydantic's ValidationError once pydantic is loaded. Until then nothing can raise it, so commands
    that build no model (`--help`, `calc`, `locate`) never pay the ~100 ms of importing pydantic."""
    pydantic = sys.modules.get("pydantic")
    return () if pydantic is None else (pydantic.ValidationError,)


def _not_utf8(args: list[str]) -> str | None:
    """The first argument (or SLATUI_DB) whose bytes are not UTF-8 (Python keeps them as surrogates), shown
    with those bytes escaped: as text it could be neither stored nor printed."""
    for value in [*args, os.environ.get("SLATUI_DB", "")]:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return os.fsencode(value).decode("utf-8", "backslashreplace")
    return None


def _fail(message: str, code: int = 2) -> None:
    # One line, whatever the message quotes (a name, a cell of a file): no control character reaches the terminal.
    click.echo(f"error: {printable(message)}", err=True)
    sys.exit(code)


class _Interrupts:
    """Whether Ctrl-C was pressed. A Ctrl-C that lands in one of our SQL functions (the export's, the import's)
    is swallowed by SQLite, which reports "user-defined function raised exception" instead: without this, the
    command said the database could not be read and told the user to restore a backup."""

    seen = False

    @classmethod
    def handle(cls, signum: int, frame: object) -> None:
        cls.seen = True
        signal.default_int_handler(signum, frame)


def main(args: list[str] | None = None) -> None:
    """Entry point: user errors become one line on stderr and exit code 2, never a traceback."""
    args = sys.argv[1:] if args is None else args
    if (bad := _not_utf8(args)) is not None:
        _fail(f"'{bad}' is not valid UTF-8 text: type it again (or rename the file) in UTF-8")
    _Interrupts.seen = False
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not where Ctrl-C is ignored or taken
        signal.signal(signal.SIGINT, _Interrupts.handle)
    try:
        code = cli.main(args=args, prog_name="slatui", standalone_mode=False)
        if isinstance(code, int):
            sys.exit(code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except click.UsageError as exc:
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
        _fail(f"{exc.format_message()}{hint}", exc.exit_code)
    except click.ClickException as exc:
        _fail(exc.format_message(), exc.exit_code)
    except _validation_error() as exc:
        from slatui.models import describe_validation_error

        _fail(describe_validation_error(exc))
    except SlatuiError as exc:
        _fail(str(exc), exc.exit_code)
    except sqlite3.DatabaseError as exc:
        if _Interrupts.seen:  # SQLite's report of the Ctrl-C: the command stopped as Ctrl-C stops any
            click.echo("aborted", err=True)
            sys.exit(1)
        from slatui.store.connection import explain

        _fail(explain(exc))
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
