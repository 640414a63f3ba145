"""Nothing lost or corrupted: crashes, concurrent writers, bad files, backups."""

import os
import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from slatui.models import Agreement, Attempt, Calendar, Lead
from slatui.store import Store


def _slatui(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "slatui", *args], capture_output=True, text=True, timeout=timeout)


def _integrity(path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def _count(path, sql: str) -> int:
    with Store(path) as store:
        return store.conn.execute(sql).fetchone()[0]


def _facts_match_attempts(conn: sqlite3.Connection) -> bool:
    mismatches = conn.execute(
        "SELECT count(*) FROM leads l WHERE attempt_count != (SELECT count(*) FROM attempts t WHERE t.lead_id = l.id) "
        "OR first_attempt_at IS NOT (SELECT min(at) FROM attempts t WHERE t.lead_id = l.id)"
    ).fetchone()[0]
    return mismatches == 0


def test_killed_demo_leaves_all_or_nothing(tmp_path):
    path = tmp_path / "killed.db"
    process = subprocess.Popen([sys.executable, "-m", "slatui", "--db", str(path), "demo", "--leads", "20000"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Kill it once it has started writing (the WAL grows), well before it can finish.
    _kill_when_writing(process, tmp_path / "killed.db-wal", 200_000)
    assert process.returncode == -signal.SIGKILL  # died by the signal, not finished or failed on its own
    assert _integrity(path) == "ok"
    conn = sqlite3.connect(path)
    counts = [conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("agreements", "reps", "leads")]
    assert counts == [0, 0, 0]


def _kill_when_writing(process: subprocess.Popen, wal: Path, size: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None and (not wal.exists() or wal.stat().st_size < size):
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()


LOGGED = re.compile(r"logged attempt #(\d+) on lead (\d+)")


def _acknowledged(output: str) -> dict[int, int]:
    """The attempts a `log` acknowledged on stdout: {attempt id: lead id}."""
    return {int(attempt): int(lead) for attempt, lead in LOGGED.findall(output)}


def test_killed_import_leaves_all_or_nothing(tmp_path):
    path = tmp_path / "import.db"
    assert _slatui("--db", str(path), "agreement", "add", "SLA", "--tz", "UTC").returncode == 0
    big = tmp_path / "leads.csv"
    rows = [f"L{i},Lead {i},2026-0{1 + i % 9}-1{i % 10}T10:00:00,2026-0{1 + i % 9}-1{i % 10}T11:00:00,no_answer"
            for i in range(60_000)]
    big.write_text("lead_id,name,handed_off_at,at,outcome\n" + "\n".join(rows) + "\n")
    process = subprocess.Popen([sys.executable, "-m", "slatui", "--db", str(path), "import", "csv", str(big),
                                "--agreement", "SLA"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _kill_when_writing(process, tmp_path / "import.db-wal", 500_000)
    assert process.returncode == -signal.SIGKILL
    assert _integrity(path) == "ok"
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM leads").fetchone()[0] in (0, 60_000)
    assert _facts_match_attempts(conn)


def test_killed_burst_of_logs_keeps_every_acknowledged_log(tmp_path):
    path = tmp_path / "burst.db"
    with Store(path) as store:
        agreement = store.add_agreement(Agreement(name="A", calendar=Calendar(tz="UTC")))
        lead_id = store.add_lead(Lead(agreement_id=agreement.id, name="lead",
                                      handed_off_at=datetime(2026, 1, 1, tzinfo=timezone.utc))).id
    burst = textwrap.dedent(f"""
        from slatui.cli import main
        for i in range(100_000):
            try:
                main(["--db", {str(path)!r}, "log", "{lead_id}", "--outcome", "no_answer"])
            except SystemExit:
                pass
    """)
    # Each acknowledgement ("logged attempt #N", flushed by click) is the ledger of what must survive the kill.
    process = subprocess.Popen([sys.executable, "-c", burst], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    output = b""
    while len(_acknowledged(output.decode())) < 20 and process.poll() is None:
        output += process.stdout.read1()
    process.send_signal(signal.SIGKILL)
    output += process.stdout.read()
    process.wait()
    assert process.returncode == -signal.SIGKILL
    ledger = _acknowledged(output.decode())
    assert len(ledger) >= 20
    assert _integrity(path) == "ok"
    conn = sqlite3.connect(path)
    stored = dict(conn.execute("SELECT id, lead_id FROM attempts"))
    assert ledger.items() <= stored.items()
    # At most the one being acknowledged when the signal came is there unannounced.
    assert len(stored) - len(ledger) in (0, 1)
    assert _facts_match_attempts(conn)


def test_concurrent_writers_store_every_attempt_once(tmp_path):
    path = tmp_path / "busy.db"
    with Store(path) as store:
        agreement = store.add_agreement(Agreement(name="A", calendar=Calendar(tz="UTC")))
        lead_ids = [store.add_lead(Lead(agreement_id=agreement.id, name=f"lead {i}",
                                        handed_off_at=datetime(2026, 1, 1, tzinfo=timezone.utc))).id
                    for i in range(5)]
    writer = textwrap.dedent(f"""
        import sys
        from slatui.cli import main
        for i in range(150):
            try:
                main(["--db", {str(path)!r}, "log", sys.argv[1], "--outcome", "no_answer", "--note", str(i)])
            except SystemExit as exc:
                if exc.code:
                    sys.exit(exc.code)
    """)
    writers = [subprocess.Popen([sys.executable, "-c", writer, str(lead_id)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for lead_id in lead_ids[:4]]
    # Meanwhile this process does what the app does: it reads, writes, and opens more connections as it goes.
    ours: dict[int, int] = {}
    with Store(path) as app:
        while any(w.poll() is None for w in writers):
            app.plan_rows()
            with Store(path) as worker:
                worker.lead_rows(limit=50)
                attempt = worker.log_attempt(Attempt(lead_id=lead_ids[4], at=datetime.now(timezone.utc),
                                                     outcome="no_answer"))
                ours[attempt.id] = lead_ids[4]
            time.sleep(0.01)
        results = [w.communicate() for w in writers]
        assert [w.returncode for w in writers] == [0, 0, 0, 0], [err for _, err in results]
        assert not any("locked" in err for _, err in results)
        ledger = {k: v for out, _ in results for k, v in _acknowledged(out).items()} | ours
        assert len(ledger) == 600 + len(ours)
        assert dict(app.conn.execute("SELECT id, lead_id FROM attempts")) == ledger
        assert app.conn.execute("SELECT count(DISTINCT lead_id || '/' || note) FROM attempts "
                                "WHERE lead_id != ?", (lead_ids[4],)).fetchone()[0] == 600
        assert _facts_match_attempts(app.conn)
        # The first connection sees the new data on its next refresh.
        assert {row["attempts"] for row in app.lead_rows()} == {150, len(ours)}
    assert _integrity(path) == "ok"


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("text", "not an SQLite database"),
        ("truncated", "not a usable slatui database"),
        ("directory", "is a directory"),
        ("missing_parent", "does not exist"),
        ("newer", "newer slatui"),
    ],
)
def test_bad_files_get_a_clear_message(tmp_path, setup, message):
    path = tmp_path / "bad.db"
    if setup == "text":
        path.write_text("name,email\nBob,bob@example.com\n")
    elif setup == "truncated":
        assert _slatui("--db", str(path), "demo", "--leads", "400").returncode == 0
        _checkpoint(path)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 3])
    elif setup == "directory":
        path.mkdir()
    elif setup == "missing_parent":
        path = tmp_path / "nowhere" / "x.db"
    elif setup == "newer":
        sqlite3.connect(path).execute("PRAGMA user_version = 999")
    result = _slatui("--db", str(path), "report", "--format", "json")
    assert result.returncode == 2, result.stdout
    assert message in result.stderr
    assert "Traceback" not in result.stderr and result.stderr.startswith("error: ")


def _checkpoint(path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def test_sql_metacharacters_are_data_not_code(tmp_path):
    path = tmp_path / "quotes.db"
    name = "Robert'); DROP TABLE leads; --"
    assert _slatui("--db", str(path), "agreement", "add", name, "--tz", "UTC").returncode == 0
    assert _slatui("--db", str(path), "lead", "add", name, "--agreement", name, "--company", "%'_\\").returncode == 0
    with Store(path) as store:
        (row,) = store.lead_rows(text="%'_")
        assert row["name"] == name and row["agreement"] == name
        assert store.lead_rows(text="'); DROP") == [row]
        # Wildcards typed by the user are literal: "%" matches only a real percent sign.
        assert store.lead_rows(text="Rob%DROP") == []


def test_empty_file_becomes_a_new_database(tmp_path):
    path = tmp_path / "empty.db"
    path.touch()
    result = _slatui("--db", str(path), "agreement", "list")
    assert result.returncode == 0 and "no agreements yet" in result.stdout


def test_backup_is_consistent_while_another_process_writes(tmp_path):
    path = tmp_path / "live.db"
    assert _slatui("--db", str(path), "demo", "--leads", "300").returncode == 0
    writer = subprocess.Popen([sys.executable, "-m", "slatui", "--db", str(path), "demo", "--leads", "3000",
                               "--force", "--seed", "9"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    copies = []
    for i in range(3):
        dest = tmp_path / f"copy{i}.db"
        result = _slatui("--db", str(path), "backup", str(dest))
        assert result.returncode == 0, result.stderr
        copies.append(dest)
    writer.wait()
    for dest in copies:
        assert _integrity(dest) == "ok"
        conn = sqlite3.connect(dest)
        # A copy holds the first demo whole, and the second one whole or not at all.
        assert conn.execute("SELECT count(*) FROM agreements").fetchone()[0] in (3, 6)
        assert _facts_match_attempts(conn)


def test_restore_refuses_to_overwrite_without_force(tmp_path):
    source, target = tmp_path / "source.db", tmp_path / "target.db"
    assert _slatui("--db", str(source), "agreement", "add", "From backup").returncode == 0
    assert _slatui("--db", str(target), "agreement", "add", "Current").returncode == 0
    refused = _slatui("--db", str(target), "restore", str(source))
    assert refused.returncode == 2 and "--force" in refused.stderr
    assert "Current" in _slatui("--db", str(target), "agreement", "list").stdout
    restored = _slatui("--db", str(target), "restore", str(source), "--force")
    assert restored.returncode == 0, restored.stderr
    listing = _slatui("--db", str(target), "agreement", "list").stdout
    assert "From backup" in listing and "Current" not in listing
    assert list(tmp_path.glob("target-before-restore-*.db"))


# Every Python-level open of a file passes this audit hook (builtins.open, io.open, os.open, pathlib, shutil).
# Audit hooks cannot be removed: it watches nothing outside the test below.
_WATCHED: set[str] = set()
_OPENED: list[str] = []


def _audit(event: str, args: tuple) -> None:
    if event == "open" and _WATCHED and isinstance(args[0], (str, bytes, os.PathLike)):
        flags = args[2] or 0
        # O_CREAT | O_EXCL only ever creates: it cannot open (and, closing, unlock) a file that exists.
        creates_only = flags & os.O_CREAT and flags & os.O_EXCL
        if not creates_only and os.path.realpath(os.fsdecode(args[0])) in _WATCHED:
            _OPENED.append(f"{os.fsdecode(args[0])} ({args[1]}, flags {flags:#o})")


sys.addaudithook(_audit)


def test_nothing_but_sqlite_opens_the_database_file(drive, demo_db, settle, tmp_path, run):
    """Closing any descriptor of a database file drops the process's locks on it: while the app and the
    commands run in one process, only SQLite opens the file, its -wal and its -shm."""

    def cli(*args: str) -> None:
        code, _, err = run("--db", demo_db, *args)
        assert code == 0, err

    async def scenario(pilot):
        for key in "13452":
            await pilot.press(key)
            await settle(pilot)
        connected = _count(demo_db, "SELECT count(*) FROM attempts WHERE outcome = 'connected'")
        await pilot.press("a", "c", "ctrl+s")
        await settle(pilot)
        assert _count(demo_db, "SELECT count(*) FROM attempts WHERE outcome = 'connected'") == connected + 1
        cli("log", "1", "--outcome", "no_answer")
        cli("lead", "add", "Zoe", "--agreement", "1")
        cli("agreement", "edit", "1", "--respond-within", "2h")
        for command in (["leads", "--limit", "5"], ["report", "--format", "md", "--out", str(tmp_path / "r.md")],
                        ["scorecard"], ["backup", str(tmp_path / "copy.db")], ["export", "--out", str(tmp_path)]):
            cli(*command)
        cli("restore", str(tmp_path / "copy.db"), "--force")
        for key in "32":
            await pilot.press(key)
            await settle(pilot)

    _WATCHED.update(os.path.realpath(f"{demo_db}{suffix}") for suffix in ("", "-wal", "-shm", "-journal"))
    try:
        drive(demo_db, scenario)
    finally:
        _WATCHED.clear()
    assert _OPENED == []
    assert _integrity(demo_db) == "ok"
