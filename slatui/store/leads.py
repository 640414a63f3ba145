"""Leads: one handoff at a time, edits and closes (each logged), their derived facts, lists and filters for
tables, and the follow-up plan."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from slatui.errors import InvalidInput, NotFound
from slatui.parsing import format_local
from slatui.store.facts import AttemptSummary, Clock, attempt_facts, handoff_facts
from slatui.store.rows import LEAD_ZONE_SQL, LeadValues, lead_from_row, lead_values, user_columns

if TYPE_CHECKING:
    from slatui.models import Lead

# What a lead's attempts say, by one indexed aggregate (see facts.AttemptSummary).
_ATTEMPT_SUMMARY = (
    "SELECT min(at), count(*), min(at) FILTER (WHERE outcome = 'connected' OR outcome = 'meeting_booked'), max(at), "
    "min(at) FILTER (WHERE outcome = 'disqualified') FROM attempts WHERE lead_id = ?"
)
# Lead fields an edit may change (`lead edit`, the lead form); closing and snoozing have their own writes.
EDITABLE_FIELDS = ("agreement_id", "rep_id", "name", "company", "email", "tier", "source", "value", "handed_off_at")


class LeadQueries:
    """Reads and writes of the leads table (a part of `Store`)."""

    def add_lead(self, lead: Lead) -> Lead:
        return self.get_lead(self.insert_lead(lead_values(lead)))

    def insert_lead(self, lead: LeadValues) -> int:
        """Store one validated handoff with its clock facts; returns its id."""
        if lead.rep_id is not None:
            self.rep_id(lead.rep_id)
        row = user_columns(lead)
        with self.change(f"added lead {lead.name}") as change:
            clock = self.clock(lead.agreement_id, lead.handed_off_at)
            facts = handoff_facts(lead.handed_off_at, clock)._asdict()
            facts.update(attempt_facts(clock, lead.handed_off_at, facts["deadline_at"], AttemptSummary(None, 0, None,
                                       None, None), row["closed_as"], row["closed_at"], None)._asdict())
            values = {**row, **facts}
            cursor = self.conn.execute(
                f"INSERT INTO leads ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                tuple(values.values()))
            lead_id = cursor.lastrowid
            self._record("leads", lead_id, None, {"id": lead_id, "close_reason": "", "snoozed_until": None, **row},
                         lead_id=lead_id, agreement_id=lead.agreement_id)
            change.summary = f"added lead #{lead_id} {lead.name}"
        return lead_id

    def update_lead(self, lead: Lead) -> Lead:
        """Save an edited lead (its own fields; see EDITABLE_FIELDS); its facts follow its handoff."""
        self.edit_lead(lead.id, **{name: v for name, v in lead_values(lead)._asdict().items()
                                   if name in EDITABLE_FIELDS})
        return self.get_lead(lead.id)

    # The writes below return the lead's stored row (instants in epoch seconds), not a model: the quick commands
    # that call them must not load pydantic.

    def edit_lead(self, lead_id: int, **changes: Any) -> dict[str, Any]:
        """Change some of a lead's own fields (EDITABLE_FIELDS, instants in epoch seconds); its derived facts
        and the rollup follow in the same transaction."""
        unknown = set(changes) - set(EDITABLE_FIELDS)
        if unknown:
            raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
        with self.change(f"edited lead #{lead_id}"):
            before = self.lead_row(lead_id)
            if changes.get("rep_id") is not None:
                self.rep_id(changes["rep_id"])
            if "agreement_id" in changes:
                self.clock(changes["agreement_id"], before["handed_off_at"])  # refuses an unknown agreement
            handed_off_at = changes.get("handed_off_at", before["handed_off_at"])
            first = self._one("SELECT min(at) FROM attempts WHERE lead_id = ?", (lead_id,))[0]
            if first is not None and first < handed_off_at:
                raise InvalidInput(
                    f"handed_off_at: lead {lead_id} has an attempt at {self.local_time(before, first)}, "
                    "before the new handoff time; move or delete that attempt first"
                )
            closed_at = before["closed_at"]
            if closed_at is not None and closed_at < handed_off_at:
                raise InvalidInput(f"handed_off_at: lead {lead_id} was closed at {self.local_time(before, closed_at)},"
                                   " before the new handoff time")
            updates = {name: value for name, value in changes.items() if before[name] != value}
            if updates:
                self.conn.execute(f"UPDATE leads SET {', '.join(f'{k} = ?' for k in updates)} WHERE id = ?",
                                  (*updates.values(), lead_id))
                self._log_lead(before)
                self.refresh_facts(lead_id, handoff=True)
        return dict(self.lead_row(lead_id))

    def close_lead(self, lead_id: int, closed_as: str, *, at: int, revenue: float | None = None,
                   reason: str = "") -> dict[str, Any]:
        """Close a lead by hand: won (`customer`, with its revenue), `lost` or `disqualified`, at `at`."""
        with self.change(f"closed lead #{lead_id} as {'won' if closed_as == 'customer' else closed_as}"):
            before = self.lead_row(lead_id)
            if at < before["handed_off_at"]:
                handoff = self.local_time(before, before["handed_off_at"])
                raise InvalidInput(f"at: lead {lead_id} was handed off at {handoff}; it cannot close before that")
            self.conn.execute("UPDATE leads SET closed_as = ?, closed_at = ?, revenue = ?, close_reason = ? "
                              "WHERE id = ?", (closed_as, at, revenue if closed_as == "customer" else None,
                                               reason, lead_id))
            self._log_lead(before)
            self.refresh_facts(lead_id)
        return dict(self.lead_row(lead_id))

    def reopen_lead(self, lead_id: int) -> dict[str, Any]:
        """Undo a close: the lead is open again (or connected, if an attempt reached it)."""
        with self.change(f"reopened lead #{lead_id}"):
            before = self.lead_row(lead_id)
            if before["closed_as"] is None and before["status"] != "disqualified":
                raise InvalidInput(f"lead {lead_id} is not closed (it is {before['status']}): nothing to reopen")
            if before["closed_as"] is None:
                raise InvalidInput(f"lead {lead_id} was disqualified by an attempt: edit or delete that attempt "
                                   "(`slatui lead show` lists them) to reopen it")
            self.conn.execute("UPDATE leads SET closed_as = NULL, closed_at = NULL, revenue = NULL, close_reason = '' "
                              "WHERE id = ?", (lead_id,))
            self._log_lead(before)
            self.refresh_facts(lead_id)
        return dict(self.lead_row(lead_id))

    def snooze_lead(self, lead_id: int, until: int | None) -> Lead:
        """Move the lead's next attempt to `until` (None: un-snooze). The SLA clock does not stop."""
        with self.change(f"snoozed lead #{lead_id}" if until else f"woke lead #{lead_id}"):
            before = self.lead_row(lead_id)
            if until is not None and before["next_due_at"] is None and before["snoozed_until"] is None:
                raise InvalidInput(f"lead {lead_id} is not in the follow-up plan ({before['status']}, "
                                   f"{before['attempt_count']} attempts): there is nothing to snooze")
            self.conn.execute("UPDATE leads SET snoozed_until = ? WHERE id = ?", (until, lead_id))
            self._log_lead(before)
            self.refresh_facts(lead_id)
        return self.get_lead(lead_id)

    def delete_lead(self, lead_id: int) -> int:
        """Delete a lead and its attempts (logged: `undo` puts them back); returns the change's id."""
        with self.change(f"deleted lead #{lead_id}") as change:
            change.summary = f"deleted lead #{lead_id} {self.lead_row(lead_id)['name']}"
            self._delete_lead_logged(lead_id)
        return change.id

    def _delete_lead_logged(self, lead_id: int) -> None:
        lead = self.lead_row(lead_id)
        for attempt in self.conn.execute("SELECT * FROM attempts WHERE lead_id = ? ORDER BY id",
                                         (lead_id,)).fetchall():
            self._record("attempts", attempt["id"], dict(attempt), None, lead_id=lead_id,
                         agreement_id=lead["agreement_id"])
        self._record("leads", lead_id, dict(lead), None, lead_id=lead_id, agreement_id=lead["agreement_id"])
        self.conn.execute("DELETE FROM leads WHERE id = ?", (lead_id,))

    def _log_lead(self, before: sqlite3.Row) -> None:
        lead_id = before["id"]
        after = self._row("leads", lead_id)
        self._record("leads", lead_id, dict(before), after, lead_id=lead_id, agreement_id=after["agreement_id"])

    def local_time(self, lead: sqlite3.Row | dict[str, Any], instant: int) -> str:
        """An instant as the lead's agreement's clock shows it (for messages), e.g. 2026-03-02 09:30 CET."""
        return format_local(instant, self.clock(lead["agreement_id"], lead["handed_off_at"]).version.tz)

    # ---- derived facts -------------------------------------------------------------------------

    def refresh_facts(self, lead_id: int, *, handoff: bool = False) -> None:
        """Recompute a lead's derived facts from its attempts (one indexed aggregate) and its close; with
        `handoff`, from its handoff too (its day, deadline and breach instant)."""
        row = self.lead_row(lead_id)
        clock = self.clock(row["agreement_id"], row["handed_off_at"])
        facts = handoff_facts(row["handed_off_at"], clock)._asdict() if handoff else {}
        deadline_at = facts.get("deadline_at", row["deadline_at"])
        summary = AttemptSummary(*self._one(_ATTEMPT_SUMMARY, (lead_id,)))
        facts.update(attempt_facts(clock, row["handed_off_at"], deadline_at, summary, row["closed_as"],
                                   row["closed_at"], row["snoozed_until"])._asdict())
        changed = {k: v for k, v in facts.items() if row[k] != v}
        if changed:
            self.conn.execute(f"UPDATE leads SET {', '.join(f'{k} = ?' for k in changed)} WHERE id = ?",
                              (*changed.values(), lead_id))

    @staticmethod
    def _derived_facts(clock: Clock, row: sqlite3.Row) -> dict[str, Any]:
        """Every derived fact of a stored lead from its stored attempt facts (a clock change: no attempt read)."""
        facts = handoff_facts(row["handed_off_at"], clock)._asdict()
        closed_by_hand = row["closed_as"] == "disqualified"
        summary = AttemptSummary(row["first_attempt_at"], row["attempt_count"], row["connected_at"],
                                 row["last_attempt_at"], None if closed_by_hand else row["disqualified_at"])
        facts.update(attempt_facts(clock, row["handed_off_at"], facts["deadline_at"], summary, row["closed_as"],
                                   row["closed_at"], row["snoozed_until"])._asdict())
        return facts

    def _with_placeholder_facts(self, values: dict[str, Any]) -> dict[str, Any]:
        """A lead's logged values with stand-in facts, to put it back; `refresh_facts(handoff=True)` follows."""
        at = values["handed_off_at"]
        return {**values, "status": "open", "handoff_day": "", "deadline_at": at, "breach_at": at}

    # ---- reading -------------------------------------------------------------------------------

    def get_lead(self, lead_id: int) -> Lead:
        return lead_from_row(self.lead_row(lead_id))

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
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Leads for lists and tables, newest handoff first, with agreement and rep names joined."""
        where, params = self._lead_filter(agreement_id, rep_id, status, open_only, text)
        sql = (
            "SELECT l.id, l.name, l.company, l.email, l.tier, l.source, l.value, l.agreement_id, a.name AS agreement, "
            f"{LEAD_ZONE_SQL} AS tz, l.rep_id, "
            "r.name AS rep, l.handed_off_at, l.status, l.attempt_count AS attempts, l.first_attempt_at, "
            "l.response_seconds, l.deadline_at, l.connected, l.next_due_at "
            "FROM leads l JOIN agreements a ON a.id = l.agreement_id LEFT JOIN reps r ON r.id = l.rep_id"
            f"{where} ORDER BY l.handed_off_at DESC, l.id DESC"
        )
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [limit, offset]
        return [dict(r) for r in self.conn.execute(sql, params)]

    def count_leads(self, **filters: Any) -> int:
        where, params = self._lead_filter(
            filters.get("agreement_id"), filters.get("rep_id"), filters.get("status"),
            filters.get("open_only", False), filters.get("text"),
        )
        return self._one(f"SELECT count(*) FROM leads l{where}", params)[0]

    def open_leads_by_rep(self) -> dict[int, int]:
        """Open leads (not closed, connected or not) by rep id: the work still on each rep's desk."""
        return dict(self.conn.execute("SELECT rep_id, count(*) FROM leads WHERE status IN ('open', 'connected') "
                                      "AND rep_id IS NOT NULL GROUP BY rep_id").fetchall())

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

    def plan_rows(self, *, agreement_id: int | None = None, rep_id: int | None = None,
                  limit: int = 500) -> list[dict[str, Any]]:
        """The follow-up plan: leads still owed an attempt on active agreements, soonest due first (read from
        the plan's own index, so the cost follows the work owed, not the history)."""
        clauses, params = ["l.next_due_at IS NOT NULL", "a.status IN ('active', 'under_review')"], []
        for column, value in (("l.agreement_id", agreement_id), ("l.rep_id", rep_id)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        sql = (
            "SELECT l.id, l.name, l.company, l.agreement_id, a.name AS agreement, l.rep_id, r.name AS rep, "
            "l.handed_off_at, l.deadline_at, l.breach_at, l.first_attempt_at, l.attempt_count AS attempts, "
            "l.last_attempt_at, l.next_due_at, l.snoozed_until "
            "FROM leads l JOIN agreements a ON a.id = l.agreement_id LEFT JOIN reps r ON r.id = l.rep_id "
            f"WHERE {' AND '.join(clauses)} ORDER BY l.next_due_at, l.id LIMIT ?"
        )
        return [dict(r) for r in self.conn.execute(sql, [*params, limit])]

    def plan_counts(self, now: int, soon: dict[int, int], agreement_id: int | None = None) -> dict[str, Any]:
        """Counts for the status line: leads overdue at `now`, due by each agreement's `soon` instant, and the
        soonest upcoming due instant."""
        where, params = ("AND l.agreement_id = ?", [agreement_id]) if agreement_id is not None else ("", [])
        active = "l.agreement_id IN (SELECT id FROM agreements WHERE status IN ('active', 'under_review'))"
        overdue = self._one(f"SELECT count(*) FROM leads l WHERE l.next_due_at <= ? AND {active} {where}",
                            [now, *params])[0]
        due_soon = sum(self._one("SELECT count(*) FROM leads WHERE agreement_id = ? AND next_due_at > ? "
                                 "AND next_due_at <= ?", (aid, now, until))[0] for aid, until in soon.items())
        upcoming = self._one(f"SELECT min(l.next_due_at) FROM leads l WHERE l.next_due_at > ? AND {active} {where}",
                             [now, *params])[0]
        return {"overdue": overdue, "due_soon": due_soon, "next_due_at": upcoming}

    def cadence_done(self, agreement_id: int | None = None) -> int:
        """Open leads never reached that have had all their attempts: out of the plan, not counted as work."""
        where, params = ("AND agreement_id = ?", [agreement_id]) if agreement_id is not None else ("", [])
        return self._one(f"SELECT count(*) FROM leads WHERE status = 'open' AND next_due_at IS NULL "
                         f"AND attempt_count > 0 {where}", params)[0]

