"""Opening and closing the database file: where it lives, pragmas, permissions, migrations with a backup first,
and the statistics SQLite's query planner reads (sqlite_stat1)."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from slatui.errors import DatabaseError
from slatui.store import schema

BUSY_TIMEOUT_MS = 10_000
_SQLITE_HEADER = b"SQLite format 3\x00"


def default_db_path() -> Path:
    """`SLATUI_DB` if set, else slatui.db in the platform's user data dir."""
    env = os.environ.get("SLATUI_DB")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path("slatui", appauthor=False) / "slatui.db"


def connect(path: Path, *, create_parent: bool = False) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the database; refuse anything that is not ours."""
    path = Path(path)
    _check_file(path, create_parent=create_parent)
    try:
        # Autocommit mode: every write runs in an explicit BEGIN IMMEDIATE ... COMMIT.
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"{path} is not a usable slatui database ({exc}); pass another file with --db") from None
    if version > schema.SCHEMA_VERSION:
        conn.close()
        raise DatabaseError(
            f"{path} was written by a newer slatui (schema {version}, this one knows {schema.SCHEMA_VERSION}): "
            "upgrade slatui to open it"
        )
    if version < schema.SCHEMA_VERSION:
        if version > 0:
            backup_file(conn, path.with_name(f"{path.name}.v{version}-{time.strftime('%Y%m%d-%H%M%S')}.bak"))
        try:
            schema.apply(conn, version)
        except sqlite3.OperationalError as exc:
            raise DatabaseError(f"cannot upgrade {path}: {exc}") from None
        refresh_statistics(conn)  # new tables and indexes: without their statistics the planner guesses
    return conn


def refresh_statistics(conn: sqlite3.Connection) -> None:
    """Gather the query planner's statistics of every table (ANALYZE) when the leads have none yet, or have
    doubled or halved since they were gathered; otherwise a few microseconds.

    Without them SQLite guesses that a status filter is selective and reads every matching lead to sort it
    (`leads --open --limit 20`: 0.5 s at 1M leads) rather than walking the handoff index newest first and
    stopping at the page (0.1 ms). Called after bulk writes, migrations and before each close. Always the
    whole database, unsampled (about 1 s at 1M leads), because partial statistics are worse than none:
    - `PRAGMA optimize` (SQLite 3.40) analyses only the tables this connection's queries used; with the leads
      analysed and the small tables not, each write's rollup refresh built an automatic index over all
      leads (`log`: 2 s instead of 80 ms);
    - `PRAGMA analysis_limit = 400` reads the first rows of each index only and guessed 400 leads per
      agreement, which made even the unfiltered list sort every lead (0.27 s).
    """
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'").fetchone():
        analysed = 0
    else:  # each leads index's row starts with the number of leads it held when analysed
        analysed = conn.execute("SELECT max(CAST(stat AS INTEGER)) FROM sqlite_stat1 WHERE tbl = 'leads'"
                                ).fetchone()[0] or 0

    def outgrown(leads: int) -> bool:
        return leads > 0 and not analysed / 2 <= leads <= analysed * 2

    # The highest id bounds the number of leads from above at no cost; count them only when it says "grown".
    if outgrown(conn.execute("SELECT coalesce(max(id), 0) FROM leads").fetchone()[0]) and outgrown(
            conn.execute("SELECT count(*) FROM leads").fetchone()[0]):
        conn.execute("ANALYZE")


def close(conn: sqlite3.Connection) -> None:
    """Close, first refreshing the statistics if the leads have outgrown them (SQLite's documentation asks for
    `PRAGMA optimize` before each close; see `refresh_statistics` for why not here). It never waits for
    another writer: the statistics are then left for a later close."""
    if not conn.in_transaction:
        try:
            conn.execute("PRAGMA busy_timeout = 0")
            refresh_statistics(conn)
        except sqlite3.DatabaseError:  # locked by another writer, or the file is gone: only statistics lost
            pass
    conn.close()


def backup_file(conn: sqlite3.Connection, dest: Path) -> Path:
    """A consistent online copy through SQLite's backup API (safe while others write)."""
    dest = Path(dest)
    _create_private(dest)
    target = sqlite3.connect(dest)
    try:
        conn.backup(target)
    finally:
        target.close()
    return dest


def _check_file(path: Path, *, create_parent: bool) -> None:
    if path.is_dir():
        raise DatabaseError(f"{path} is a directory: give a file path such as {path / 'slatui.db'}")
    if not path.parent.exists():
        if not create_parent:
            raise DatabaseError(f"folder {path.parent} does not exist: create it first or choose another --db path")
        path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.stat().st_size > 0:
        with open(path, "rb") as handle:
            if handle.read(len(_SQLITE_HEADER)) != _SQLITE_HEADER:
                raise DatabaseError(f"{path} is not an SQLite database: choose another file with --db")
    elif not path.exists():
        _create_private(path)
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        raise DatabaseError(
            f"{path} is read-only (slatui needs to write the file and its folder): fix its permissions or copy it"
        )


def _create_private(path: Path) -> None:
    # Lead names and emails are personal data: owner-only from the first byte.
    try:
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    except OSError as exc:
        raise DatabaseError(f"cannot create {path}: {exc.strerror}") from None
