"""Attempts: each written with its lead's derived facts in the same transaction, and logged."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slatui.errors import InvalidInput, NotFound
from slatui.store.rows import AttemptValues, attempt_values

if TYPE_CHECKING:
    from slatui.models import Attempt

# Attempt fields an edit may change (`attempt edit`, the app's timeline).
EDITABLE_FIELDS = ("at", "channel", "outcome", "rep_id", "note")


class AttemptQueries:
    """Reads and writes of the attempts table (a part of `Store`)."""

    def log_attempt(self, attempt: Attempt) -> Attempt:
        return attempt.model_copy(update={"id": self.insert_attempt(attempt.lead_id, attempt_values(attempt))})

    def insert_attempt(self, lead_id: int, attempt: AttemptValues) -> int:
        """Store one validated follow-up attempt and update its lead's derived facts in the same
        transaction; returns its id. The lead is read inside the transaction, so two attempts logged at once
        on one lead (say, connected and disqualified) end as one of the two serial orders would."""
        if attempt.rep_id is not None:
            self.rep_id(attempt.rep_id)
        with self.change(f"logged {attempt.outcome.replace('_', ' ')} on lead #{lead_id}") as change:
            lead = self.lead_row(lead_id)
            self._check_after_handoff(lead, attempt.at)
            values = {"lead_id": lead_id, **attempt._asdict()}
            if values["rep_id"] is None:
                values["rep_id"] = lead["rep_id"]
            cursor = self.conn.execute(f"INSERT INTO attempts ({', '.join(values)}) "
                                       f"VALUES ({', '.join('?' * len(values))})", tuple(values.values()))
            attempt_id = cursor.lastrowid
            self._record("attempts", attempt_id, None, {"id": attempt_id, **values}, lead_id=lead_id,
                         agreement_id=lead["agreement_id"])
            if lead["snoozed_until"] is not None:  # a snooze holds the step it was given for
                self.conn.execute("UPDATE leads SET snoozed_until = NULL WHERE id = ?", (lead_id,))
                self._log_lead(lead)
            self.refresh_facts(lead_id)
            change.summary = f"logged attempt #{attempt_id} ({attempt.outcome.replace('_', ' ')}) on lead #{lead_id}"
        return attempt_id

    def edit_attempt(self, attempt_id: int, **changes: Any) -> dict[str, Any]:
        """Change some of an attempt's fields (EDITABLE_FIELDS, `at` in epoch seconds); its lead's facts follow."""
        unknown = set(changes) - set(EDITABLE_FIELDS)
        if unknown:
            raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
        if changes.get("rep_id") is not None:
            self.rep_id(changes["rep_id"])
        with self.change(f"edited attempt #{attempt_id}"):
            before = self.attempt_row(attempt_id)
            lead = self.lead_row(before["lead_id"])
            if "at" in changes:
                self._check_after_handoff(lead, changes["at"])
            updates = {k: v for k, v in changes.items() if before[k] != v}
            if updates:
                self.conn.execute(f"UPDATE attempts SET {', '.join(f'{k} = ?' for k in updates)} WHERE id = ?",
                                  (*updates.values(), attempt_id))
                self._record("attempts", attempt_id, dict(before), self._row("attempts", attempt_id),
                             lead_id=lead["id"], agreement_id=lead["agreement_id"])
                self.refresh_facts(lead["id"])
        return dict(self.attempt_row(attempt_id))

    def delete_attempt(self, attempt_id: int) -> dict[str, Any]:
        """Delete an attempt (logged: `undo` puts it back); its lead's facts follow. Returns the deleted row."""
        with self.change(f"deleted attempt #{attempt_id}"):
            before = dict(self.attempt_row(attempt_id))
            lead = self.lead_row(before["lead_id"])
            self._record("attempts", attempt_id, before, None, lead_id=lead["id"], agreement_id=lead["agreement_id"])
            self.conn.execute("DELETE FROM attempts WHERE id = ?", (attempt_id,))
            self.refresh_facts(lead["id"])
        return before

    def _check_after_handoff(self, lead: Any, at: int) -> None:
        if at < lead["handed_off_at"]:
            raise InvalidInput(
                f"at: the attempt ({self.local_time(lead, at)}) is before lead {lead['id']}'s handoff "
                f"({self.local_time(lead, lead['handed_off_at'])}); check the time"
            )

    def attempt_row(self, attempt_id: int) -> Any:
        row = self._one("SELECT * FROM attempts WHERE id = ?", (attempt_id,))
        if row is None:
            raise NotFound(f"attempt: no attempt with id {attempt_id}; `slatui lead show LEAD` lists a lead's attempts")
        return row

    def attempts_of(self, lead_id: int) -> list[dict[str, Any]]:
        return [
            dict(r)
            for r in self.conn.execute(
                "SELECT t.id, t.at, t.channel, t.outcome, t.note, t.rep_id, r.name AS rep FROM attempts t "
                "LEFT JOIN reps r ON r.id = t.rep_id WHERE t.lead_id = ? ORDER BY t.at, t.id",
                (lead_id,),
            )
        ]
