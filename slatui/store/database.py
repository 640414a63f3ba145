"""The Store: the open database, its transactions, and every read and write of agreements, reps, leads and
attempts (one module per table: agreements, reps, leads, attempts; bulk loads in loading).

Writes run in one `BEGIN IMMEDIATE` transaction each, so a lead's derived facts (handoff day,
deadline, first attempt, response time, attempt count, connected) always match its attempts."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from slatui.errors import DatabaseError, InvalidInput
from slatui.store import rollups
from slatui.store.agreements import AgreementQueries
from slatui.store.attempts import AttemptQueries
from slatui.store.changelog import ChangeLog
from slatui.store.connection import (backup_file, close, connect, connect_existing, default_db_path, explain,
                                     refresh_statistics, stopped_write)
from slatui.store.leads import LeadQueries
from slatui.store.loading import BulkLoading
from slatui.store.reps import RepQueries


class Store(AgreementQueries, RepQueries, LeadQueries, AttemptQueries, BulkLoading, ChangeLog):
    """The open database: a connection with its pragmas, transactions, and every query by table.

    `origin` names where changes come from in the change log (e.g. "cli: log", "app: queue").
    """

    def __init__(self, path: str | Path | None = None, *, create_parent: bool | None = None,
                 conn: sqlite3.Connection | None = None):
        self.path = Path(path) if path is not None else default_db_path()
        # The default location is ours to create; an explicit path with a missing folder is a typo.
        if conn is not None:
            self.conn, self.read_only = conn, True
        else:
            self.conn, self.read_only = connect(
                self.path, create_parent=path is None if create_parent is None else create_parent)
        self.conn.row_factory = sqlite3.Row
        # Terms by (agreement id, None) and clocks by (agreement id, version's first month); see `clock`.
        self._clocks: dict[tuple[int, str | None], Any] = {}
        self._clocks_version: int | None = None

    @classmethod
    def existing(cls, path: str | Path | None, *, busy_timeout_ms: int) -> Store:
        """A database that exists at this schema, opened to read without creating, upgrading or recomputing
        anything, and without waiting long for a lock (`connection.connect_existing`); DatabaseError otherwise."""
        path = Path(path) if path is not None else default_db_path()
        return cls(path, conn=connect_existing(path, busy_timeout_ms))

    def close(self) -> None:
        close(self.conn)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One all-or-nothing write; the database's own refusals become messages for the user.

        Nested use joins the outer transaction, so a command built from several writes
        (the demo, an import) commits or rolls back as one. After it, the planner's statistics are refreshed
        if the leads doubled or halved (the demo, an import): a check of a few microseconds otherwise.
        """
        if self.conn.in_transaction:
            yield self.conn
            return
        self.require_writable()
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise DatabaseError(f"cannot write to {self.path}: {exc}; try again in a moment") from None
        try:
            yield self.conn
            rollups.refresh(self.conn)
            self.conn.execute("COMMIT")
        except BaseException as exc:
            # SQLite rolls back by itself after some failures (a full disk among them): roll back only what is open.
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.IntegrityError):
                raise InvalidInput(f"the database refused the change: {exc}") from None
            if isinstance(exc, sqlite3.OperationalError) and stopped_write(exc):
                raise DatabaseError(explain(exc, self.path)) from None
            raise
        try:
            refresh_statistics(self.conn)
        except sqlite3.OperationalError:  # another writer holds the file: left to a later close
            pass

    def require_writable(self) -> None:
        """Refuse, before anything starts, to change a file opened read-only."""
        if self.read_only:
            raise DatabaseError(f"{self.path} is read-only: slatui can show it (report, leads, scorecard, backup, "
                                "export) but not change it; fix the permissions of the file and its folder")

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Several reads that must see one state of the file (a writer may commit between two statements)."""
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute("BEGIN")
        try:
            yield
        finally:
            self.conn.execute("COMMIT")
            try:
                refresh_statistics(self.conn)
            except sqlite3.OperationalError:  # another writer holds the file: left to a later close
                pass

    @property
    def db(self):
        """sqlite-utils over the same connection, for streaming whole tables (exports). Imported on first
        use: loading it costs ~100 ms that quick commands must not pay."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    def _one(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row | None:
        return self.conn.execute(sql, tuple(params)).fetchone()

    def data_version(self) -> int:
        """A number that changes whenever another connection (of this process or another) has committed."""
        return self._one("PRAGMA data_version")[0]

    def is_empty(self) -> bool:
        return self._one("SELECT NOT EXISTS (SELECT 1 FROM agreements) AND NOT EXISTS (SELECT 1 FROM reps)")[0] == 1

    def backup(self, dest: str | Path) -> Path:
        return backup_file(self.conn, Path(dest))

    def setting(self, key: str, default: str | None = None) -> str | None:
        """A preference kept in the file (the app's queue filter, the terminal bell)."""
        row = self._one("SELECT value FROM settings WHERE key = ?", (key,))
        return default if row is None else row[0]

    def set_setting(self, key: str, value: str | None) -> None:
        with self.transaction() as conn:
            if value is None:
                conn.execute("DELETE FROM settings WHERE key = ?", (key,))
            else:
                conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, value))
