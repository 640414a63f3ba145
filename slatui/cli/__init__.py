"""The `slatui` command line: a click group (`base`) with one module per command group.

Only the bare `slatui` command (the TUI) imports Textual; every module loads what its commands need
when they run, so quick commands stay quick.
"""

from __future__ import annotations

import sqlite3
import sys

import click

from slatui.cli import agreements, calc, housekeeping, leads, plan, reports, reps, transfer  # noqa: F401  (registers)
from slatui.cli.base import cli
from slatui.errors import SlatuiError

__all__ = ["cli", "main"]


def _validation_error() -> tuple[type[Exception], ...]:
    """pydantic's ValidationError once pydantic is loaded. Until then nothing can raise it, so commands
    that build no model (`--help`, `calc`, `locate`) never pay the ~100 ms of importing pydantic."""
    pydantic = sys.modules.get("pydantic")
    return () if pydantic is None else (pydantic.ValidationError,)


def main(args: list[str] | None = None) -> None:
    """Entry point: user errors become one line on stderr and exit code 2, never a traceback."""
    try:
        code = cli.main(args=args, prog_name="slatui", standalone_mode=False)
        if isinstance(code, int):
            sys.exit(code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except click.UsageError as exc:
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
        click.echo(f"error: {exc.format_message()}{hint}", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except _validation_error() as exc:
        from slatui.models import describe_validation_error

        click.echo(f"error: {describe_validation_error(exc)}", err=True)
        sys.exit(2)
    except SlatuiError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except sqlite3.DatabaseError as exc:
        click.echo(f"error: the database cannot be read ({exc}): restore a backup with `slatui restore FILE`, "
                   "or choose another file with --db", err=True)
        sys.exit(2)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
