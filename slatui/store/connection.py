"""Opening the database file: where it lives, pragmas, permissions, migrations with a backup first.

The file is opened only through SQLite, never with open()/close(): closing any descriptor of a database
file drops every POSIX lock the process holds on it (sqlite.org, "How To Corrupt An SQLite Database File"
§2.2). A header check that did so beside the app's open connections let a `slatui log` in another terminal
think it was the last user, checkpoint and delete the WAL under the app: acknowledged writes vanished and
indexes broke. So SQLite itself tells a file that is not a database (SQLITE_NOTADB on the first read).

Before each close (and after migrations and bulk writes) the query planner's statistics (sqlite_stat1) are
refreshed when the leads have outgrown them.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from slatui.errors import DatabaseError
from slatui.store import schema

BUSY_TIMEOUT_MS = 10_000
# Tables every slatui database has since schema 1: a file without them is someone else's.
_OUR_TABLES = {"agreements", "reps", "leads", "attempts"}


def default_db_path() -> Path:
    """`SLATUI_DB` if set, else slatui.db in the platform's user data dir."""
    env = os.environ.get("SLATUI_DB")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path("slatui", appauthor=False) / "slatui.db"


def writable(path: Path) -> bool:
    """Whether slatui may write the file: the file and its folder (for the -wal and -shm files)."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def connect(path: Path, *, create_parent: bool = False) -> tuple[sqlite3.Connection, bool]:
    """Open (creating if needed) and migrate the database; refuse anything that is not ours.

    Returns the connection and whether it is read-only: a file that cannot be written (or whose folder
    cannot) is opened read-only, so reports, lists, backups and exports still work; the store refuses writes.
    """
    path = Path(path)
    _check_file(path, create_parent=create_parent)
    read_only = not writable(path)
    try:
        conn = open_read_only(path) if read_only else _open(path)
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(unusable(path, exc)) from None
    try:
        version = _prepare(conn, read_only)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise DatabaseError(unusable(path, exc)) from None
    if version > schema.SCHEMA_VERSION:
        conn.close()
        raise DatabaseError(
            f"{path} was written by a newer slatui (schema {version}, this one knows {schema.SCHEMA_VERSION}): "
            "upgrade slatui to open it"
        )
    if version < schema.SCHEMA_VERSION:
        if read_only:
            conn.close()
            what = "holds no slatui data yet" if version == 0 else f"needs an upgrade from schema {version}"
            raise DatabaseError(f"{path} is read-only and {what}: fix its permissions (the file and its folder) "
                                "or copy it somewhere writable")
        if version > 0:
            backup_file(conn, path.with_name(f"{path.name}.v{version}-{time.strftime('%Y%m%d-%H%M%S')}.bak"))
        try:
            schema.apply(conn, version)
        except sqlite3.OperationalError as exc:
            conn.close()
            raise DatabaseError(f"cannot upgrade {path}: {exc}") from None
        refresh_statistics(conn)  # new tables and indexes: without their statistics the planner guesses
    return conn, read_only


def _open(path: Path) -> sqlite3.Connection:
    # Autocommit mode: every write runs in an explicit BEGIN IMMEDIATE ... COMMIT.
    return sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)


def open_read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot change the file, not even its journal mode (restore reads its source so).

    Without a -wal file beside it nobody has the database open for writing, and it is opened immutable:
    SQLite then creates no -wal or -shm file, which it could not in a read-only folder (and which, left
    read-only beside the file, would stop the next writer). With a -wal file its content is read too.
    """
    wal = path.with_name(path.name + "-wal")
    query = "mode=ro" if wal.exists() else "mode=ro&immutable=1"
    return sqlite3.connect(f"{path.absolute().as_uri()}?{query}", uri=True, timeout=BUSY_TIMEOUT_MS / 1000,
                           isolation_level=None, check_same_thread=False)


def _prepare(conn: sqlite3.Connection, read_only: bool) -> int:
    """Pragmas of every connection; returns the schema version. The first read of the file is here, so a
    file that is not a database fails here, before anything is written to it."""
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if not read_only:
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    return version


def unusable(path: Path, exc: sqlite3.DatabaseError) -> str:
    """Why SQLite cannot use `path`, as one line for the user."""
    if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_NOTADB:
        return f"{path} is not an SQLite database: choose another file with --db"
    return f"{path} is not a usable slatui database ({exc}); pass another file with --db"


def check_slatui_file(path: Path) -> None:
    """Refuse a file that is not a whole slatui database: empty, someone else's SQLite file, a schema
    this slatui does not know, or damaged (a partial copy). Reads it read-only: nothing about it changes."""
    if not path.is_file() or path.stat().st_size == 0:
        raise DatabaseError(f"{path} is empty: it is not a slatui backup")
    try:
        conn = open_read_only(path)
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(unusable(path, exc)) from None
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if version == 0 or not _OUR_TABLES <= tables:
            raise DatabaseError(f"{path} is an SQLite database but not a slatui one: choose a slatui backup")
        if version > schema.SCHEMA_VERSION:
            raise DatabaseError(f"{path} was written by a newer slatui (schema {version}, this one knows "
                                f"{schema.SCHEMA_VERSION}): upgrade slatui to restore it")
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check(3)")]
        if problems != ["ok"]:
            raise DatabaseError(f"{path} is damaged (a partial copy?): {'; '.join(problems)}")
    except sqlite3.DatabaseError as exc:
        if _primary_code(exc) == sqlite3.SQLITE_NOTADB:
            raise DatabaseError(unusable(path, exc)) from None
        raise DatabaseError(f"{path} is damaged (a partial copy?): {exc}") from None
    finally:
        conn.close()


def connect_existing(path: Path, busy_timeout_ms: int) -> sqlite3.Connection:
    """Open a database that exists and holds this version of the schema, to read: nothing is created or
    upgraded, and a lock is waited for at most `busy_timeout_ms` (the status line, run every few seconds)."""
    path = Path(path)
    if not path.is_file():
        raise DatabaseError(f"{path} does not exist")
    try:
        # mode=rw: never create the file (readers of a WAL database still write its -shm index).
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=busy_timeout_ms / 1000,
                               isolation_level=None, check_same_thread=False)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.Error as exc:
        raise DatabaseError(f"{path} cannot be read now ({exc})") from None
    if version != schema.SCHEMA_VERSION:
        conn.close()
        raise DatabaseError(f"{path} holds schema {version}, not {schema.SCHEMA_VERSION}: open it with slatui once")
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
    """A consistent online copy through SQLite's backup API (safe while others write): owner-only, and
    whole or absent (a copy that fails, on a full disk or past a file-size limit, leaves nothing behind)."""
    from slatui.files import whole_or_nothing

    dest = Path(dest)
    try:
        with whole_or_nothing(dest) as partial:
            target = sqlite3.connect(partial)
            try:
                conn.backup(target)
            finally:
                target.close()
    except OSError as exc:
        raise DatabaseError(f"cannot write {dest}: {exc.strerror}; nothing was written") from None
    except sqlite3.OperationalError as exc:
        raise DatabaseError(f"cannot write {dest}: {write_failure(exc)}; nothing was written") from None
    return dest


def write_failure(exc: sqlite3.Error) -> str:
    """What stopped a write, in a person's words (a file-size limit shows as a disk I/O error)."""
    code = _primary_code(exc)
    if code == sqlite3.SQLITE_FULL:
        return "disk full"
    if code == sqlite3.SQLITE_IOERR:
        return f"{exc} (disk full or a file-size limit?)"
    return str(exc)


def stopped_write(exc: sqlite3.Error) -> bool:
    """A write that stopped half-way (SQLite undid it): a full disk, a file-size limit, a failing disk."""
    return _primary_code(exc) in (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR)


def explain(exc: sqlite3.DatabaseError, path: Path | None = None) -> str:
    """An error SQLite raised in the middle of a command, as one line: only a damaged file needs a backup."""
    code = _primary_code(exc)
    if stopped_write(exc):
        where = f" to {path}" if path else ""
        return f"{write_failure(exc)}: nothing was written{where}; free some space and try again"
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return f"the database is busy ({exc}): try again in a moment"
    if code == sqlite3.SQLITE_READONLY:
        return "the database is read-only: fix the permissions of the file and its folder"
    return (f"the database cannot be read ({exc}): restore a backup with `slatui restore FILE`, "
            "or choose another file with --db")


def _primary_code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def _check_file(path: Path, *, create_parent: bool) -> None:
    if path.is_dir():
        raise DatabaseError(f"{path} is a directory: give a file path such as {path / 'slatui.db'}")
    if not path.parent.exists():
        if not create_parent:
            raise DatabaseError(f"folder {path.parent} does not exist: create it first or choose another --db path")
        path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        _create_private(path)


def _create_private(path: Path) -> None:
    # Lead names and emails are personal data: owner-only from the first byte. O_EXCL: only ever creates, so
    # it can never open (and, closing, unlock) a database file that exists.
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass
    except OSError as exc:
        raise DatabaseError(f"cannot create {path}: {exc.strerror}") from None
