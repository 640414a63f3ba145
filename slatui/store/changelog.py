"""The change log: every change people make to agreements, reps, leads and attempts, written in the same
transaction as the change itself (when, who, from where, the old and new values), and `undo`.

A change is one command, one form saved in the app, or one import. Its rows name the table and row and hold the
row's own values as JSON before and after (derived facts are left out: the store derives them again). An import
records its inserted rows as id ranges, so logging costs it next to nothing.
"""

from __future__ import annotations

import getpass
import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from slatui.errors import InvalidInput, NotFound

# The columns each table's log rows hold (derived facts of leads are left out: they are recomputed).
LOGGED_COLUMNS = {
    "agreements": None,  # every column
    "agreement_terms": None,
    "reps": None,
    "attempts": None,
    "leads": ("id", "agreement_id", "rep_id", "name", "company", "email", "tier", "source", "value", "handed_off_at",
              "closed_as", "closed_at", "close_reason", "revenue", "external_id", "snoozed_until"),
}
# Parents before children: deletes are logged children first, so that undo (in reverse) puts the parent back first.
_KEYS = {"agreement_terms": ("agreement_id", "from_month")}
# Bulk inserts (logged as id ranges, without lead or agreement) that touched lead ?: it, or one of its attempts, is in
# the range.
_BULK_OF_LEAD = """
SELECT r.change_id FROM change_rows r WHERE r.last_row_id IS NOT NULL AND (
    (r.tbl = 'leads' AND ? BETWEEN r.row_id AND r.last_row_id)
    OR (r.tbl = 'attempts' AND EXISTS (SELECT 1 FROM attempts t WHERE t.lead_id = ?
                                       AND t.id BETWEEN r.row_id AND r.last_row_id)))"""
# ... that touched agreement ?: one of its leads, or an attempt on one, is in the range.
_BULK_OF_AGREEMENT = """
SELECT r.change_id FROM change_rows r WHERE r.last_row_id IS NOT NULL AND (
    (r.tbl = 'leads' AND EXISTS (SELECT 1 FROM leads l WHERE l.id BETWEEN r.row_id AND r.last_row_id
                                 AND l.agreement_id = ?1))
    OR (r.tbl = 'attempts' AND EXISTS (SELECT 1 FROM attempts t JOIN leads l ON l.id = t.lead_id
                                       WHERE t.id BETWEEN r.row_id AND r.last_row_id AND l.agreement_id = ?1)))"""


@dataclass
class Change:
    """The change being written: its id and summary (which may be completed once ids are known)."""

    id: int
    summary: str
    rows: int = 0
    leads: set[int] = field(default_factory=set)
    agreements: set[int] = field(default_factory=set)
    # Rows inserted one after another into one table (an import's leads) are logged as one id range: the insert
    # waiting to be written, or extended, is [table, first id, last id, its values, lead id, agreement id].
    pending: list[Any] | None = None
    coalesce: bool = True


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in the environment or the password database
        return "unknown"


class ChangeLog:
    """Writing and reading the change log, and undo (a part of `Store`)."""

    origin = "slatui"
    _change: Change | None = None
    # The id of the last change this Store wrote (None when its last change() wrote nothing): what the app's `u`
    # undoes. Read at once after the write, on the same Store.
    last_change: int | None = None

    @contextmanager
    def change(self, summary: str) -> Iterator[Change]:
        """One change a person makes: a transaction whose writes are logged under `summary`. Nested use joins the
        change under way (an import that adds reps is one change)."""
        if self._change is not None:
            # Joined: rows go to the change under way, whose summary the inner write must not replace.
            yield Change(self._change.id, summary)
            return
        self.last_change = None
        with self.transaction() as conn:
            cursor = conn.execute("INSERT INTO changes (at, user, origin, summary) VALUES (?, ?, ?, ?)",
                                  (int(time.time()), os_user(), self.origin, summary))
            change = self._change = Change(cursor.lastrowid, summary)
            try:
                yield change
                self._flush(change)
            finally:
                self._change = None
            if not change.rows:
                conn.execute("DELETE FROM changes WHERE id = ?", (change.id,))
            elif change.summary != summary:
                conn.execute("UPDATE changes SET summary = ? WHERE id = ?", (change.summary, change.id))
        if change.rows:  # committed
            self.last_change = change.id

    def _record(self, table: str, row_id: int, old: dict[str, Any] | None, new: dict[str, Any] | None, *,
                lead_id: int | None = None, agreement_id: int | None = None, last_row_id: int | None = None) -> None:
        """Log one row's values before and after (None: it did not exist) in the change under way. Rows inserted
        one after another into the same table, with consecutive ids, are kept as one id range (an import logs
        next to nothing for each lead it adds); a single insert keeps its values."""
        change = self._change
        if change is None:
            raise RuntimeError("a logged write must run inside Store.change()")
        if lead_id is not None:
            change.leads.add(lead_id)
        if agreement_id is not None:
            change.agreements.add(agreement_id)
        pending = change.pending
        if old is None and new is not None and change.coalesce and table not in _KEYS:
            if pending is not None and pending[0] == table and pending[2] + 1 == row_id:
                pending[2] = row_id
                return
            self._flush(change)
            change.pending = [table, row_id, row_id, new, lead_id, agreement_id]
            return
        self._flush(change)
        self._write_row(change, table, row_id, last_row_id, lead_id, agreement_id, _json(table, old),
                        _json(table, new))

    def _flush(self, change: Change) -> None:
        """Write the insert (or range of inserts) waiting in `change`."""
        pending, change.pending = change.pending, None
        if pending is None:
            return
        table, first, last, new, lead_id, agreement_id = pending
        if first == last:
            self._write_row(change, table, first, None, lead_id, agreement_id, None, _json(table, new))
        else:
            self._write_row(change, table, first, last, None, None, None, None)

    def _write_row(self, change: Change, table: str, row_id: int, last_row_id: int | None, lead_id: int | None,
                   agreement_id: int | None, old: str | None, new: str | None) -> None:
        change.rows += 1
        self.conn.execute(
            "INSERT INTO change_rows (change_id, seq, tbl, row_id, last_row_id, lead_id, agreement_id, old, new) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (change.id, change.rows, table, row_id, last_row_id, lead_id, agreement_id, old, new),
        )

    def _record_range(self, table: str, first_id: int, last_id: int) -> None:
        """Log rows inserted in bulk (ids `first_id` to `last_id`): an import or the demo."""
        if last_id >= first_id:
            self._record(table, first_id, None, None, last_row_id=last_id)

    def _row(self, table: str, row_id: int) -> dict[str, Any] | None:
        row = self.conn.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,)).fetchone()
        return None if row is None else dict(row)

    # ---- reading -------------------------------------------------------------------------------

    def history(self, *, lead_id: int | None = None, agreement_id: int | None = None, change_id: int | None = None,
                limit: int = 50) -> list[dict[str, Any]]:
        """The newest changes first (those touching one lead or one agreement, or one change by its id), each with
        its rows. A bulk insert (an import, the demo) touches a lead when the lead or one of its attempts is in its
        id range, and an agreement when one of its leads is."""
        if lead_id is not None:
            where, params = (f"WHERE id IN (SELECT change_id FROM change_rows WHERE lead_id = ?) "
                             f"OR id IN ({_BULK_OF_LEAD})", [lead_id, lead_id, lead_id])
        elif agreement_id is not None:
            where, params = (f"WHERE id IN (SELECT change_id FROM change_rows WHERE agreement_id = ?1) "
                             f"OR id IN ({_BULK_OF_AGREEMENT})", [agreement_id])
        elif change_id is not None:
            where, params = "WHERE id = ?", [change_id]
        else:
            where, params = "", []
        changes = [dict(r) for r in self.conn.execute(
            f"SELECT * FROM changes {where} ORDER BY id DESC LIMIT ?", [*params, limit])]
        for change in changes:
            change["rows"] = [
                {"table": r["tbl"], "id": r["row_id"], "last_id": r["last_row_id"], "lead_id": r["lead_id"],
                 "agreement_id": r["agreement_id"],
                 "old": None if r["old"] is None else json.loads(r["old"]),
                 "new": None if r["new"] is None else json.loads(r["new"])}
                for r in self.conn.execute("SELECT * FROM change_rows WHERE change_id = ? ORDER BY seq",
                                           (change["id"],))
            ]
        return changes

    # ---- undo ----------------------------------------------------------------------------------

    def undo(self, change_id: int | None = None) -> dict[str, Any]:
        """Revert the most recent change (not itself an undo); returns it, with `undone_by` the undo's own id.
        With `change_id`, only if that is the most recent one. Refuses when an undo already went past it (undo goes
        back one change), or when the file no longer holds what the change wrote. The change is chosen inside the
        undo's transaction, so a change another process commits meanwhile is never skipped."""
        with self.change("undo") as change:
            target = self._one("SELECT * FROM changes WHERE undoes IS NULL AND undone_by IS NULL AND id != ? "
                               "ORDER BY id DESC LIMIT 1", (change.id,))
            if target is None:
                raise NotFound("undo: there is no change to undo")
            if change_id is not None and target["id"] != change_id:
                raise InvalidInput(f"undo: another change came after it (#{target['id']} {target['summary']}); "
                                   "see `slatui history`")
            undone = self._one("SELECT * FROM changes WHERE undone_by IS NOT NULL ORDER BY id DESC LIMIT 1")
            if undone is not None and undone["id"] > target["id"]:
                raise InvalidInput(
                    f"undo: the last change (#{undone['id']} {undone['summary']}) is already undone; undo goes back "
                    "one change only (see `slatui history`)"
                )
            change.summary = f"undo #{target['id']}: {target['summary']}"
            change.coalesce = False  # what it puts back is shown row by row
            rows = self.conn.execute("SELECT * FROM change_rows WHERE change_id = ? ORDER BY seq DESC",
                                     (target["id"],)).fetchall()
            leads: set[int] = set()
            for row in rows:
                leads |= self._revert(dict(row), target)
            self.conn.execute("UPDATE changes SET undone_by = ? WHERE id = ?", (change.id, target["id"]))
            self.conn.execute("UPDATE changes SET undoes = ? WHERE id = ?", (target["id"], change.id))
            agreements = {r["agreement_id"] for r in rows if r["tbl"] in ("agreements", "agreement_terms")}
            for agreement_id in agreements:
                self.forget_clock(agreement_id)
                if self._one("SELECT 1 FROM agreements WHERE id = ?", (agreement_id,)):
                    self._queue_recompute(agreement_id, 0)
            for lead_id in leads:
                if self._one("SELECT 1 FROM leads WHERE id = ?", (lead_id,)):
                    self.refresh_facts(lead_id, handoff=True)
            self._flush(change)
            if not change.rows:  # keep the undo in the log even when the change wrote nothing left to revert
                change.rows = 1
        if agreements:
            self.run_recompute_jobs()
        return {**dict(target), "undone_by": change.id}

    def _revert(self, row: dict[str, Any], target: sqlite3.Row) -> set[int]:
        """Put one logged row back as it was before `target`; returns the leads whose facts must follow."""
        table, row_id, last_id = row["tbl"], row["row_id"], row["last_row_id"]
        old = None if row["old"] is None else json.loads(row["old"])
        new = None if row["new"] is None else json.loads(row["new"])
        where = f"change #{target['id']} ({target['summary']})"
        if last_id is not None:  # a bulk insert
            if table == "leads":
                later = self._one("SELECT count(*) FROM attempts WHERE lead_id BETWEEN ? AND ? AND id NOT IN "
                                  "(SELECT id FROM attempts WHERE id BETWEEN ? AND ?)",
                                  (row_id, last_id, *self._bulk_range(target["id"], "attempts")))[0]
                if later:
                    raise InvalidInput(f"undo: {later} attempts logged since {where} belong to its leads: "
                                       "delete them first or keep the change")
            # Leads that keep their place but lose the attempts of the range: their facts follow.
            leads = set() if table != "attempts" else {lead_id for (lead_id,) in self.conn.execute(
                "SELECT DISTINCT lead_id FROM attempts WHERE id BETWEEN ? AND ?", (row_id, last_id))}
            self.conn.execute(f"DELETE FROM {table} WHERE id BETWEEN ? AND ?", (row_id, last_id))
            self._record_range(table, row_id, last_id)
            return leads
        key = _KEYS.get(table)
        current = self._keyed_row(table, key, new or old) if key else self._row(table, row_id)
        if current is not None and key is None:
            current = logged_values(table, current)
        if (current or None) != (new or None):
            raise InvalidInput(f"undo: {table} row {row_id} changed since {where}; it cannot be undone")
        if table == "leads" and new is not None and old is None:
            others = self._one("SELECT count(*) FROM attempts WHERE lead_id = ?", (row_id,))[0]
            if others:
                raise InvalidInput(f"undo: lead {row_id} has {others} attempts logged since {where}: "
                                   "delete them first or keep the change")
        if new is not None and old is None:
            self._delete_logged(table, key, new, row_id)
        elif old is not None and new is None:
            self._insert_logged(table, old)
        else:
            self._update_logged(table, key, old, row_id)
        self._record(table, row_id, new, old, lead_id=row["lead_id"], agreement_id=row["agreement_id"])
        lead = row["lead_id"] if table != "leads" else row_id
        return {lead} if lead is not None and table in ("leads", "attempts") else set()

    def _bulk_range(self, change_id: int, table: str) -> tuple[int, int]:
        found = self._one("SELECT row_id, last_row_id FROM change_rows WHERE change_id = ? AND tbl = ? "
                          "AND last_row_id IS NOT NULL", (change_id, table))
        return (found[0], found[1]) if found else (0, -1)

    def _keyed_row(self, table: str, key: tuple[str, ...], values: dict[str, Any]) -> dict[str, Any] | None:
        row = self._one(f"SELECT * FROM {table} WHERE {' AND '.join(f'{k} = ?' for k in key)}",
                        [values[k] for k in key])
        return None if row is None else dict(row)

    def _delete_logged(self, table: str, key: tuple[str, ...] | None, values: dict[str, Any], row_id: int) -> None:
        if key:
            self.conn.execute(f"DELETE FROM {table} WHERE {' AND '.join(f'{k} = ?' for k in key)}",
                              [values[k] for k in key])
        else:
            self.conn.execute(f"DELETE FROM {table} WHERE id = ?", (row_id,))

    def _insert_logged(self, table: str, values: dict[str, Any]) -> None:
        if table == "leads":
            values = self._with_placeholder_facts(values)
        self.conn.execute(f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                          tuple(values.values()))

    def _update_logged(self, table: str, key: tuple[str, ...] | None, values: dict[str, Any], row_id: int) -> None:
        where = " AND ".join(f"{k} = ?" for k in key) if key else "id = ?"
        self.conn.execute(f"UPDATE {table} SET {', '.join(f'{k} = ?' for k in values)} WHERE {where}",
                          (*values.values(), *([values[k] for k in key] if key else [row_id])))


def logged_values(table: str, row: dict[str, Any]) -> dict[str, Any]:
    """A row's values as the log keeps them (a lead's derived facts left out)."""
    columns = LOGGED_COLUMNS[table]
    return row if columns is None else {k: row[k] for k in columns}


def _json(table: str, values: dict[str, Any] | None) -> str | None:
    return None if values is None else json.dumps(logged_values(table, values), ensure_ascii=False, sort_keys=True)
