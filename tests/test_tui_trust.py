"""The app never holds a write transaction while it waits for the user, and sees others' writes."""

import sqlite3
import subprocess
import sys

from slatui.tui.forms.attempt import AttemptForm
from slatui.tui.forms.lead import LeadForm


def _write_without_waiting(db_path) -> None:
    """A writer with no busy timeout at all: it fails at once if the app holds a write lock."""
    conn = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE reps SET weekly_capacity = weekly_capacity + 1")
        conn.execute("COMMIT")
    finally:
        conn.close()


def test_open_forms_hold_no_write_lock(drive, demo_db, settle):
    async def scenario(pilot):
        for key, form in (("3", LeadForm), ("2", AttemptForm)):
            await pilot.press(key)
            await settle(pilot)
            await pilot.press("n" if form is LeadForm else "a")
            await settle(pilot)
            assert isinstance(pilot.app.screen, form)
            _write_without_waiting(demo_db)
            await pilot.press("escape")
            await settle(pilot)

    drive(demo_db, scenario)


def test_queue_shows_attempts_logged_elsewhere_on_refresh(drive, demo_db, settle):
    async def scenario(pilot):
        await pilot.press("2")
        await settle(pilot)
        before = pilot.app.screen.query_one("DataTable").row_count
        # Give the top lead the attempts it still owes, from another terminal: another process.
        top = pilot.app.screen.query_one("DataTable").coordinate_to_cell_key((0, 0)).row_key.value
        logs = (f"from slatui.cli import main\nfor _ in range(6):\n    try:\n        main(['--db', {str(demo_db)!r}, "
                f"'log', '{top}', '--outcome', 'no_answer'])\n    except SystemExit as exc:\n        assert not exc.code")
        done = subprocess.run([sys.executable, "-c", logs], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and done.stdout.count("logged attempt") == 6, done.stderr
        await pilot.press("r")
        await settle(pilot)
        assert pilot.app.screen.query_one("DataTable").row_count == before - 1

    drive(demo_db, scenario)
