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
from slatui.store.connection import backup_file, close, connect, default_db_path, refresh_statistics
from slatui.store.leads import LeadQueries
from slatui.store.loading import BulkLoading
from slatui.store.reps import RepQueries
from slatui.terms import Terms


class Store(AgreementQueries, RepQueries, LeadQueries, AttemptQueries, BulkLoading):
    """The open database: a connection with its pragmas, transactions, and every query by table."""

    def __init__(self, path: str | Path | None = None, *, create_parent: bool | None = None):
        self.path = Path(path) if path is not None else default_db_path()
        # The default location is ours to create; an explicit path with a missing folder is a typo.
        self.conn = connect(self.path, create_parent=path is None if create_parent is None else create_parent)
        self.conn.row_factory = sqlite3.Row
        self._calendars: dict[int, tuple[Terms, Any]] = {}
        self._calendars_version: int | None = None

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
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise DatabaseError(f"cannot write to {self.path}: {exc}; try again in a moment") from None
        try:
            yield self.conn
            rollups.refresh(self.conn)
        except BaseException as exc:
            self.conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.IntegrityError):
                raise InvalidInput(f"the database refused the change: {exc}") from None
            raise
        else:
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

    def is_empty(self) -> bool:
        return self._one("SELECT NOT EXISTS (SELECT 1 FROM agreements) AND NOT EXISTS (SELECT 1 FROM reps)")[0] == 1

    def backup(self, dest: str | Path) -> Path:
        return backup_file(self.conn, Path(dest))
