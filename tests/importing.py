"""Helpers shared by the import and export tests: a store with an agreement, and the CLI run
the way `slatui.cli.main` runs it (a SlatuiError becomes one line on stderr and exit code 2)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from slatui.cli import cli
from slatui.errors import SlatuiError
from slatui.models import Agreement, Calendar
from slatui.store import Store

FIXTURES = Path(__file__).parent / "fixtures"

@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def run(db: Path, *args: str) -> Run:
    result = CliRunner().invoke(cli, ["--db", str(db), *map(str, args)])
    if isinstance(result.exception, SlatuiError):
        return Run(result.exception.exit_code, result.stdout, result.stderr + f"error: {result.exception}\n")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Run(result.exit_code, result.stdout, result.stderr)


def make_store(path: Path, name: str = "SLA", tz: str = "Europe/Madrid", hours: str | None = "mon-fri 09:00-18:00"):
    store = Store(path)
    store.add_agreement(Agreement(name=name, calendar=Calendar(tz=tz, hours=hours)))
    return store


def lead_facts(store: Store) -> dict[str, tuple]:
    """name -> (attempt count, response seconds, connected, status) of every lead."""
    return {
        r["name"]: (r["attempts"], r["response_seconds"], bool(r["connected"]), r["status"])
        for r in store.lead_rows()
    }


def counts(store: Store) -> tuple[int, int, int]:
    """(leads, attempts, reps) in the database."""
    one = store.conn.execute
    return (one("SELECT count(*) FROM leads").fetchone()[0], one("SELECT count(*) FROM attempts").fetchone()[0],
            one("SELECT count(*) FROM reps").fetchone()[0])
