"""Files on disk: restore takes only a whole slatui database, files slatui writes are whole or absent and
owner-only, a full disk says so, and a read-only database can still be read."""

from __future__ import annotations

import os
import resource
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from slatui.errors import DatabaseError
from slatui.models import Rep
from slatui.store import Store


@pytest.fixture
def live(demo_db: Path) -> Path:
    """A slatui database with data, nothing pending in its WAL (its bytes say all it holds)."""
    with Store(demo_db) as store:
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return demo_db


def _refused(result: tuple[int, str, str], message: str) -> None:
    code, _, err = result
    assert code == 2 and message in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def _foreign(path: Path) -> None:
    conn = sqlite3.connect(path)  # another program's database, in the rollback-journal mode it chose
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('not yours')")
    conn.commit()
    conn.close()


def _partial(path: Path, live: Path) -> None:
    data = live.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # a copy cut off half-way


@pytest.mark.parametrize(("kind", "message"), [
    ("empty", "is empty"),
    ("foreign", "not a slatui one"),
    ("partial", "is damaged"),
    ("text", "not an SQLite database"),
])
def test_restore_refuses_what_is_not_a_whole_slatui_database(run, live, tmp_path, kind, message):
    source = tmp_path / f"{kind}.db"
    {"empty": Path.touch, "foreign": _foreign, "text": lambda p: p.write_text("name,email\n")}.get(
        kind, lambda p: _partial(p, live))(source)
    before = {path: path.read_bytes() for path in (source, live)}
    _refused(run("--db", live, "restore", source, "--force"), message)
    assert {path: path.read_bytes() for path in (source, live)} == before
    # Nothing was opened for writing beside the source: no journal, no WAL switch.
    assert sorted(p.name for p in tmp_path.glob(f"{kind}.db*")) == [source.name]
    assert not list(tmp_path.glob("*before-restore*"))


def test_restore_takes_a_backup_and_keeps_the_replaced_file(run, live, tmp_path):
    assert run("--db", live, "backup", tmp_path / "copy.db")[0] == 0
    assert run("--db", live, "rep", "add", "Added after the backup")[0] == 0
    code, _, err = run("--db", live, "restore", tmp_path / "copy.db", "--force")
    assert code == 0, err
    assert "Added after the backup" not in run("--db", live, "rep", "list")[1]
    (kept,) = tmp_path.glob("demo-before-restore-*.db")
    assert "Added after the backup" in run("--db", kept, "rep", "list")[1]


def _limited(size: int):
    """A child process that may not write past `size` bytes of any file (RLIMIT_FSIZE): a full disk, in effect.
    Python ignores SIGXFSZ, so the write fails with EFBIG instead of killing the process."""
    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


@pytest.mark.parametrize(("args", "limit"), [
    (("backup", "{out}"), 20_000),
    (("report", "--format", "md", "--out", "{out}"), 2_000),
])
def test_a_file_that_cannot_be_written_whole_is_not_written(live, tmp_path, args, limit):
    out = tmp_path / "out" / "file"
    out.parent.mkdir()
    # A connection kept open here keeps the -shm file at its size: the child then only reads the database.
    with Store(live):
        done = subprocess.run([sys.executable, "-m", "slatui", "--db", str(live),
                               *(a.format(out=out) for a in args)], capture_output=True, text=True,
                              preexec_fn=_limited(limit), timeout=60)
    assert done.returncode == 2, done.stderr
    assert "nothing was written" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert list(out.parent.iterdir()) == []


def test_report_and_backup_files_are_owner_only(run, live, tmp_path):
    report = tmp_path / "report.md"
    report.write_text("an older report, readable by all\n")
    report.chmod(0o644)
    assert run("--db", live, "report", "--format", "md", "--out", report)[0] == 0
    assert run("--db", live, "backup", tmp_path / "copy.db")[0] == 0
    for path in (report, tmp_path / "copy.db"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "older report" not in report.read_text()


def test_a_full_disk_during_a_write_says_so_and_writes_nothing(live):
    with Store(live) as store:
        # The file may not grow by a page: what a full disk does to a write.
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        store.conn.execute(f"PRAGMA max_page_count = {pages}")
        reps = store.list_reps()
        with pytest.raises(DatabaseError, match=r"^disk full: nothing was written to .*; free some space") as error:
            store.add_rep(Rep(name="Roomy", team="x" * 100_000))
        assert "restore" not in str(error.value)
        assert store.list_reps() == reps


def test_a_file_size_limit_during_a_log_writes_nothing(live):
    with Store(live) as store:
        count = store.conn.execute("SELECT count(*) FROM attempts").fetchone()[0]
        done = subprocess.run([sys.executable, "-m", "slatui", "--db", str(live), "log", "1", "--outcome",
                               "no_answer"], capture_output=True, text=True, preexec_fn=_limited(1_000), timeout=60)
        assert done.returncode == 2
        assert "nothing was written" in done.stderr and "restore" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
        assert store.conn.execute("SELECT count(*) FROM attempts").fetchone()[0] == count


@pytest.fixture(params=["file", "folder"])
def read_only(request, live, monkeypatch) -> Path:
    """The demo database made read-only (the file itself, or its folder), as any user but root sees it."""
    locked = live if request.param == "file" else live.parent
    os.chmod(locked, 0o444 if request.param == "file" else 0o555)
    if os.geteuid() == 0:
        # root may write anything: make the permission check see what any other user would.
        real_access = os.access
        monkeypatch.setattr(os, "access", lambda p, mode: real_access(p, mode) and not (
            mode == os.W_OK and os.fspath(p) == os.fspath(locked)))
    yield live
    os.chmod(locked, 0o755)


def test_a_read_only_database_can_still_be_read(run, read_only, tmp_path_factory):
    before = read_only.read_bytes()
    elsewhere = tmp_path_factory.mktemp("out")
    for args in (["report"], ["report", "--format", "json"], ["leads", "--limit", "3"], ["scorecard"],
                 ["backup", elsewhere / "copy.db"], ["export", "--out", elsewhere], ["agreement", "list"]):
        code, _, err = run("--db", read_only, *args)
        assert code == 0, (args, err)
    assert (elsewhere / "copy.db").stat().st_size > 0
    for args in (["log", "1", "--outcome", "no_answer"], ["rep", "add", "Nope"], ["demo", "--force"]):
        _refused(run("--db", read_only, *args), "is read-only")
    assert read_only.read_bytes() == before
    assert sorted(p.name for p in read_only.parent.iterdir()) == [read_only.name]


def test_the_apps_report_export_is_owner_only(live, tmp_path):
    from conftest import FROZEN_NOW

    from slatui.tui.widgets.report_export import write_month_report

    with Store(live) as store:
        path = write_month_report(store, 1, 2026, 11, FROZEN_NOW, tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and path.read_text().startswith("## ")
