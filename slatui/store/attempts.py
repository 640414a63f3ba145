"""Attempts: each written with its lead's derived facts in the same transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slatui.errors import InvalidInput
from slatui.parsing import format_local
from slatui.store.facts import status_after
from slatui.store.rows import AttemptValues, attempt_values

if TYPE_CHECKING:
    from slatui.models import Attempt


class AttemptQueries:
    """Reads and writes of the attempts table (a part of `Store`)."""

    def log_attempt(self, attempt: Attempt) -> Attempt:
        return attempt.model_copy(update={"id": self.insert_attempt(attempt.lead_id, attempt_values(attempt))})

    def insert_attempt(self, lead_id: int, attempt: AttemptValues) -> int:
        """Store one validated follow-up attempt and update its lead's derived facts in the same
        transaction; returns its id."""
        lead = self.lead_row(lead_id)
        terms, calendar = self.clock(lead["agreement_id"])
        if attempt.at < lead["handed_off_at"]:
            # In the agreement's zone, as the user typed the time.
            raise InvalidInput(
                f"at: the attempt ({format_local(attempt.at, terms.tz)}) is before lead {lead_id}'s handoff "
                f"({format_local(lead['handed_off_at'], terms.tz)}); check the time"
            )
        if attempt.rep_id is not None:
            self.rep_id(attempt.rep_id)
        with self.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO attempts (lead_id, at, channel, outcome, rep_id, note, external_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (lead_id, attempt.at, attempt.channel, attempt.outcome,
                 attempt.rep_id if attempt.rep_id is not None else lead["rep_id"], attempt.note, attempt.external_id),
            )
            self.refresh_facts(lead_id, calendar, status=status_after(lead["status"], attempt.outcome))
        return cursor.lastrowid

    def attempts_of(self, lead_id: int) -> list[dict[str, Any]]:
        return [
            dict(r)
            for r in self.conn.execute(
                "SELECT t.id, t.at, t.channel, t.outcome, t.note, r.name AS rep FROM attempts t "
                "LEFT JOIN reps r ON r.id = t.rep_id WHERE t.lead_id = ? ORDER BY t.at, t.id",
                (lead_id,),
            )
        ]

    def refresh_facts(self, lead_id: int, calendar: Any, *, status: str | None = None) -> None:
        """Recompute a lead's attempt facts from its attempts (one indexed aggregate)."""
        handed_off_at, first, count, connected = self._one(
            "SELECT l.handed_off_at, min(t.at), count(t.id), coalesce(max(t.outcome IN ('connected', 'meeting_booked')), 0) "
            "FROM leads l LEFT JOIN attempts t ON t.lead_id = l.id WHERE l.id = ?",
            (lead_id,),
        )
        response = None if first is None else round(calendar.business_seconds_between(handed_off_at, first))
        self.conn.execute(
            "UPDATE leads SET first_attempt_at = ?, response_seconds = ?, attempt_count = ?, connected = ?, "
            "status = coalesce(?, status) WHERE id = ?",
            (first, response, count, connected, status, lead_id),
        )
