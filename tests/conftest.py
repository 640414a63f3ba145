"""Shared fixtures for the TUI tests: a demo database on a frozen clock and a way to drive the app."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from textual.worker import WorkerCancelled

from slatui.demo import generate_demo
from slatui.store import Store

FROZEN_NOW = datetime(2026, 11, 18, 15, 30, tzinfo=timezone.utc)
SIZE = (120, 40)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The demo every test copies (demo_db), or reads in place: a test that wrote to it changed what every later
    test saw (26 TUI tests failed after one edited a target here), so the session checks it is unchanged."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with Store(path) as store:
        generate_demo(store, leads=300, seed=7, now=FROZEN_NOW)
        # The change log's when and who, as the lead detail's history shows them: the same on every machine.
        with store.transaction() as conn:
            conn.execute("UPDATE changes SET at = ?, user = 'demo'", (int(FROZEN_NOW.timestamp()) - 3600,))
    made = _contents(path)
    yield path
    assert _contents(path) == made, "a test wrote to the shared demo template: give it a copy (demo_db)"


def _contents(path: Path) -> str:
    """A digest of every row of the file's own tables (not SQLite's statistics, which closing may refresh)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        digest = hashlib.sha256()
        names = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                             "ORDER BY name").fetchall()
        for (name,) in names:
            digest.update(name.encode())
            for row in sorted(map(repr, conn.execute(f'SELECT * FROM "{name}"'))):
                digest.update(row.encode())
        return digest.hexdigest()
    finally:
        conn.close()


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the demo database for each test (tests write to it)."""
    with Store(demo_template) as store:
        return store.backup(tmp_path / "demo.db")


def run_cli(*args: object) -> int:
    """Run the CLI in-process as the console script does (main() maps errors to exit codes): the exit code."""
    from slatui.cli import main

    try:
        main([str(a) for a in args])
    except SystemExit as exc:
        return exc.code or 0
    return 0


@pytest.fixture
def run(capsys) -> Callable[..., tuple[int, str, str]]:
    """`run_cli`, with what it printed: (code, out, err)."""

    def invoke(*args: object) -> tuple[int, str, str]:
        capsys.readouterr()
        code = run_cli(*args)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke


@pytest.fixture
def empty_db(tmp_path: Path) -> Path:
    return tmp_path / "empty.db"


@pytest.fixture
def make_app() -> Callable:
    """An app on `db_path` whose clock is frozen at FROZEN_NOW."""
    from slatui.tui.app import SlatuiApp

    return lambda db_path: SlatuiApp(db_path, clock=lambda: FROZEN_NOW)


async def _settle(pilot) -> None:
    """Wait until database workers are done and their results are on screen; stop cursors blinking."""
    for _ in range(3):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:  # an exclusive worker replaced by a newer one: that one is awaited next
            pass
        await pilot.pause()
    for widget in pilot.app.screen.query("Input, TextArea"):
        widget.cursor_blink = False
    await pilot.pause()


@pytest.fixture
def settle() -> Callable[..., Awaitable[None]]:
    return _settle


@pytest.fixture
def drive(make_app) -> Callable[..., None]:
    """Run `scenario(pilot)` against an app on `db_path` at the standard size, or `size` (no async test plugin
    needed)."""

    def run(db_path: Path, scenario: Callable[..., Awaitable[None]], size: tuple[int, int] = SIZE) -> None:
        async def main() -> None:
            app = make_app(db_path)
            async with app.run_test(size=size) as pilot:
                await _settle(pilot)
                await scenario(pilot)

        asyncio.run(main())

    return run
