"""Leads: one handoff at a time, edits, lists and filters for tables, the queue, delete and undo."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from slatui.errors import InvalidInput, NotFound
from slatui.store.facts import clock_facts
from slatui.store.rows import LeadValues, from_epoch, lead_from_row, lead_json, lead_row, lead_values, to_epoch

if TYPE_CHECKING:
    from slatui.models import Lead


class LeadQueries:
    """Reads and writes of the leads table (a part of `Store`)."""

    def add_lead(self, lead: Lead) -> Lead:
        return self.get_lead(self.insert_lead(lead_values(lead)))

    def insert_lead(self, lead: LeadValues) -> int:
        """Store one validated handoff with its clock facts; returns its id."""
        terms, calendar = self.clock(lead.agreement_id)
        if lead.rep_id is not None:
            self.rep_id(lead.rep_id)
        row = lead._asdict()
        row.update(clock_facts(row["handed_off_at"], terms, calendar))
        with self.transaction() as conn:
            cursor = conn.execute(
                f"INSERT INTO leads ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", tuple(row.values())
            )
        return cursor.lastrowid

    def update_lead(self, lead: Lead) -> Lead:
        """Save an edited lead; its handoff may have moved, so its facts are recomputed."""
        self.get_lead(lead.id)
        terms, calendar = self.clock(lead.agreement_id)
        first = self._one("SELECT min(at) FROM attempts WHERE lead_id = ?", (lead.id,))[0]
        if first is not None and first < to_epoch(lead.handed_off_at):
            raise InvalidInput(
                f"handed_off_at: lead {lead.id} has an attempt at {from_epoch(first):%Y-%m-%d %H:%M} UTC, "
                "before the new handoff time"
            )
        row = lead_row(lead)
        row.update(clock_facts(row["handed_off_at"], terms, calendar))
        with self.transaction() as conn:
            conn.execute(f"UPDATE leads SET {', '.join(f'{k} = ?' for k in row)} WHERE id = ?", (*row.values(), lead.id))
            self.refresh_facts(lead.id, calendar)
        return self.get_lead(lead.id)

    def get_lead(self, lead_id: int) -> Lead:
        return lead_from_row(self.lead_row(lead_id))

    def lead_dump(self, lead_id: int) -> dict[str, Any]:
        """`get_lead(lead_id).model_dump(mode="json")` without loading pydantic (`lead add --json`)."""
        return lead_json(self.lead_row(lead_id))

    def lead_row(self, lead_id: int) -> sqlite3.Row:
        """A lead's stored row (instants in epoch seconds), for quick paths that need no model."""
        row = self._one("SELECT * FROM leads WHERE id = ?", (lead_id,))
        if row is None:
            raise NotFound(f"lead: no lead with id {lead_id}; find ids with `slatui leads`")
        return row

    def lead_rows(
        self,
        *,
        agreement_id: int | None = None,
        rep_id: int | None = None,
        status: str | None = None,
        open_only: bool = False,
        text: str | None = None,
        limit: int | None = None,
        before: tuple[int, int] | None = None,
    ) -> list[dict[str, Any]]:
        """Leads for lists and tables, newest handoff first, with agreement and rep names joined.

        Paged by key, never by OFFSET (which reads and drops every row before the page: 0.4 s half a
        million leads deep): `before` is the sort key (handed_off_at, id) of the last lead already shown,
        and the page starts right after it in the index.
        """
        where, params = self._lead_filter(agreement_id, rep_id, status, open_only, text)
        if before is not None:
            where += (" AND" if where else " WHERE") + " (l.handed_off_at, l.id) < (?, ?)"
            params += list(before)
        sql = (
            "SELECT l.id, l.name, l.company, l.email, l.tier, l.source, l.value, l.agreement_id, a.name AS agreement, "
            "a.tz, l.rep_id, "
            "r.name AS rep, l.handed_off_at, l.status, l.attempt_count AS attempts, l.first_attempt_at, "
            "l.response_seconds, l.deadline_at, l.connected "
            "FROM leads l JOIN agreements a ON a.id = l.agreement_id LEFT JOIN reps r ON r.id = l.rep_id"
            f"{where} ORDER BY l.handed_off_at DESC, l.id DESC"
        )
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [dict(r) for r in self.conn.execute(sql, params)]

    def lead_key(self, lead_id: int) -> tuple[int, int]:
        """Where a lead sits in `lead_rows`' order: the `before` of the page that follows it."""
        return self.lead_row(lead_id)["handed_off_at"], lead_id

    def count_leads(self, **filters: Any) -> int:
        where, params = self._lead_filter(
            filters.get("agreement_id"), filters.get("rep_id"), filters.get("status"),
            filters.get("open_only", False), filters.get("text"),
        )
        return self._one(f"SELECT count(*) FROM leads l{where}", params)[0]

    @staticmethod
    def _lead_filter(agreement_id, rep_id, status, open_only, text) -> tuple[str, list[Any]]:
        clauses, params = [], []
        if agreement_id is not None:
            clauses.append("l.agreement_id = ?")
            params.append(agreement_id)
        if rep_id is not None:
            clauses.append("l.rep_id = ?")
            params.append(rep_id)
        if status:
            clauses.append("l.status = ?")
            params.append(status)
        if open_only:
            clauses.append("l.status IN ('open', 'connected')")
        if text:
            clauses.append("(l.name LIKE ? ESCAPE '\\' OR l.company LIKE ? ESCAPE '\\' OR l.email LIKE ? ESCAPE '\\')")
            literal = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params += [f"%{literal}%"] * 3
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    def queue_rows(self, *, agreement_id: int | None = None, limit: int = 500) -> list[dict[str, Any]]:
        """Leads sales still owes work on: `waiting_rows`, then `working_rows`, `limit` in all."""
        waiting = self.waiting_rows(agreement_id=agreement_id, limit=limit)
        return waiting + self.working_rows(agreement_id=agreement_id, limit=limit - len(waiting))

    def waiting_rows(self, *, agreement_id: int | None = None, limit: int = 500) -> list[dict[str, Any]]:
        """Open leads of active agreements with no first attempt yet, soonest deadline first: read in the order
        of the open-queue index, so the first `limit` come without looking at the others."""
        return self._queue("l.first_attempt_at IS NULL", "l.deadline_at", "NULL", agreement_id, limit)

    def working_rows(self, *, agreement_id: int | None = None, limit: int = 500) -> list[dict[str, Any]]:
        """Followed-up leads not connected yet and under their agreement's minimum attempts, oldest last attempt
        first. The last attempt is not stored on the lead, so every such lead is read to sort them."""
        return self._queue("l.first_attempt_at IS NOT NULL AND l.attempt_count < a.min_attempts", "last_attempt_at",
                           "(SELECT max(t.at) FROM attempts t WHERE t.lead_id = l.id)", agreement_id, limit)

    def _queue(self, condition: str, order: str, last_attempt: str, agreement_id: int | None,
               limit: int) -> list[dict[str, Any]]:
        where, params = ("AND l.agreement_id = ?", [agreement_id]) if agreement_id is not None else ("", [])
        sql = (
            "SELECT l.id, l.name, l.company, l.agreement_id, a.name AS agreement, a.tz, r.name AS rep, "
            "l.handed_off_at, l.deadline_at, l.first_attempt_at, l.attempt_count AS attempts, a.min_attempts, "
            f"a.respond_within_seconds, {last_attempt} AS last_attempt_at "
            "FROM leads l JOIN agreements a ON a.id = l.agreement_id LEFT JOIN reps r ON r.id = l.rep_id "
            f"WHERE l.status = 'open' AND a.status IN ('active', 'under_review') AND {condition} {where} "
            f"ORDER BY {order}, l.id LIMIT ?"
        )
        return [dict(r) for r in self.conn.execute(sql, [*params, limit])]

    def delete_lead(self, lead_id: int) -> dict[str, Any]:
        """Delete a lead and its attempts; returns a snapshot that `restore_lead` puts back (undo)."""
        lead = self._one("SELECT * FROM leads WHERE id = ?", (lead_id,))
        if lead is None:
            raise NotFound(f"lead: no lead with id {lead_id}")
        attempts = [dict(r) for r in self.conn.execute("SELECT * FROM attempts WHERE lead_id = ?", (lead_id,))]
        with self.transaction() as conn:
            conn.execute("DELETE FROM leads WHERE id = ?", (lead_id,))
        return {"lead": dict(lead), "attempts": attempts}

    def restore_lead(self, snapshot: dict[str, Any]) -> None:
        with self.transaction() as conn:
            for table, rows in (("leads", [snapshot["lead"]]), ("attempts", snapshot["attempts"])):
                for row in rows:
                    conn.execute(
                        f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                        tuple(row.values()),
                    )
