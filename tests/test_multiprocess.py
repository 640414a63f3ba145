"""The app and the shell on one file lose nothing: the README's way of working (the app open in one terminal,
`slatui log` in another), with the app in a process of its own on a pseudo-terminal, driven by its keys."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from terminal import AppInTerminal

from slatui.demo import generate_demo
from slatui.models import Lead
from slatui.store import Store

# What each screen shows once its data is loaded: the key's press has reached the database.
LOADED = {"1": "active agreement", "3": "Leads — ", "4": "This month:", "5": "goal (", "2": "owed an attempt"}
LOGGED = re.compile(r"logged attempt #(\d+) on lead (\d+)")


@pytest.fixture
def demo_file(tmp_path: Path) -> Path:
    path = tmp_path / "shared.db"
    with Store(path) as store:
        generate_demo(store, leads=100, seed=7)
        # Two leads awaiting a first attempt, whatever the demo made of the current time: the queue is never empty.
        handed_off_at = datetime.now(timezone.utc) - timedelta(minutes=10)
        for name in ("Wanda Waiting", "Walt Waiting"):
            store.add_lead(Lead(agreement_id=1, name=name, handed_off_at=handed_off_at))
    return path


@pytest.fixture
def app(demo_file: Path):
    app = AppInTerminal(demo_file)
    try:
        app.wait_for(LOADED["1"])
        yield app
    finally:
        app.close()


def _lead_ids(db: Path, count: int) -> list[int]:
    """Leads off the queue: the shell's logs on them leave what the app shows there as it is."""
    with Store(db) as store:
        queued = {row["id"] for row in store.plan_rows()}
        return [row["id"] for row in store.lead_rows() if row["id"] not in queued][:count]


def _visit(app: AppInTerminal, keys: str) -> None:
    for key in keys:
        mark = app.mark()
        app.press(key)
        if key != "1":  # the app starts on the dashboard: 1 redraws nothing
            app.wait_for(LOADED[key], since=mark)


def _log(db: Path, lead_id: int, outcome: str, note: str) -> tuple[int, int, str, str]:
    """`slatui log` in a process of its own; the acknowledged attempt as (id, lead, outcome, note)."""
    done = subprocess.run([sys.executable, "-m", "slatui", "--db", str(db), "log", str(lead_id), "--outcome", outcome,
                           "--note", note], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    (attempt_id, logged_lead), = LOGGED.findall(done.stdout)
    return int(attempt_id), int(logged_lead), outcome, note


def _quick_log(app: AppInTerminal) -> None:
    """a, c, ctrl+s on the queue: "connected" on the top lead, acknowledged by a toast."""
    mark = app.mark()
    app.press("a")
    app.wait_for("Log attempt on", since=mark)
    app.press("c", "ctrl+s")
    app.wait_for("Logged connected on", since=mark)


def _hold_connections(app: AppInTerminal, db: Path, count: int = 2) -> None:
    """From the queue, go round the screens until the app holds `count` connections (loads that overlap each
    borrow one; the dashboard loads its cards side by side): then closing any other descriptor of the file in
    the app's process would drop their locks. Ends on the queue."""
    for _ in range(10):
        if _db_descriptors(app.process.pid, db) >= count:
            return
        _visit(app, "13452")
    raise AssertionError(f"the app never held {count} connections")


def _db_descriptors(pid: int, db: Path) -> int:
    """How many descriptors of the database file the process holds: one per open SQLite connection."""
    count = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            count += os.readlink(f"/proc/{pid}/fd/{fd}") == str(db)
        except OSError:  # closed meanwhile
            pass
    return count


def _check_file(db: Path, ledger: list[tuple[int, int, str, str]]) -> sqlite3.Connection:
    """Integrity ok, each acknowledged attempt there exactly once, each lead's facts matching its attempts."""
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    for attempt_id, lead_id, outcome, note in ledger:
        assert conn.execute("SELECT id, lead_id, outcome FROM attempts WHERE note = ?", (note,)).fetchall() == [
            (attempt_id, lead_id, outcome)], f"acknowledged attempt #{attempt_id} ({note}) is not there once"
    assert conn.execute(
        "SELECT count(*) FROM leads l WHERE attempt_count != (SELECT count(*) FROM attempts t WHERE t.lead_id = l.id)"
    ).fetchone() == (0,)
    return conn


def _connected_since(db: Path, start: float) -> int:
    """Attempts logged "connected" at or after `start`, seen by a connection of another process than the app's."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM attempts WHERE outcome = 'connected' AND at >= ?",
                            (int(start),)).fetchone()[0]
    finally:
        conn.close()


def test_app_and_shell_interleaved_lose_nothing(app, demo_file):
    start = time.time()
    _visit(app, "13452")  # the keys
    _hold_connections(app, demo_file)
    leads = _lead_ids(demo_file, 2)
    ledger = [_log(demo_file, leads[0], "no_answer", "shell 1")]  # exits: the last user out would drop the WAL
    _quick_log(app)
    assert _connected_since(demo_file, start) == 1  # the app's write reached the file every process reads
    ledger.append(_log(demo_file, leads[1], "voicemail", "shell 2"))
    _visit(app, "32")  # the app reads after the shell's write
    assert app.quit() == 0
    _check_file(demo_file, ledger)
    assert _connected_since(demo_file, start) == 1


WRITERS, LOGS_EACH = 8, 100
WRITER = textwrap.dedent("""
    import sys
    from slatui.cli import main
    db, lead, writer = sys.argv[1:]
    for i in range({logs}):
        try:
            main(["--db", db, "log", lead, "--outcome", "no_answer", "--note", f"{{writer}}-{{i}}"])
        except SystemExit as exc:
            if exc.code:
                sys.exit(exc.code)
""")


def test_eight_shells_logging_beside_the_app_lose_nothing(app, demo_file):
    start = time.time()
    _visit(app, "2")
    _hold_connections(app, demo_file)
    leads = _lead_ids(demo_file, WRITERS)
    writers = [subprocess.Popen([sys.executable, "-c", WRITER.format(logs=LOGS_EACH), str(demo_file), str(lead),
                                 f"w{w}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for w, lead in enumerate(leads)]
    try:
        _quick_log(app)  # the app writes too, in the middle of the burst
        while any(w.poll() is None for w in writers):
            app.press("r")  # and reloads the queue all along
            time.sleep(0.3)
            assert app.process.poll() is None, app.text()[-3000:]
        results = [(w.returncode, *w.communicate()) for w in writers]
    finally:
        for w in writers:
            if w.poll() is None:
                w.kill()
                w.wait()
    assert [code for code, _, _ in results] == [0] * WRITERS, [err for _, _, err in results]
    assert not any("locked" in err for _, _, err in results)
    ledger = [(int(attempt_id), int(lead), "no_answer", f"w{w}-{i}")
              for w, (_, out, _) in enumerate(results)
              for i, (attempt_id, lead) in enumerate(LOGGED.findall(out))]
    assert len(ledger) == WRITERS * LOGS_EACH
    _visit(app, "32")
    assert app.process.poll() is None
    text = app.text()
    assert "locked" not in text and "malformed" not in text
    assert app.quit() == 0
    _check_file(demo_file, ledger)
    assert _connected_since(demo_file, start) == 1
