"""Leads: one handoff at a time, edits and closes (each logged), their derived facts, lists and filters for
tables, and the follow-up plan."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from slatui.errors import InvalidInput, NotFound
from slatui.parsing import format_local
from slatui.store.facts import AttemptSummary, attempt_facts, handoff_facts
from slatui.store.rows import (ATTEMPT_SUMMARY_SQL, LEAD_ZONE_SQL, LeadValues, lead_from_row, lead_json, lead_values,
                               user_columns)

if TYPE_CHECKING:
    from slatui.models import Lead

# What a lead's attempts say, by one indexed aggregate (see facts.AttemptSummary).
_ATTEMPT_SUMMARY = f"SELECT {ATTEMPT_SUMMARY_SQL} FROM attempts t WHERE t.lead_id = ?"
# Agreements whose leads are in the follow-up plan: those in force.
_IN_FORCE_STATUS = "status IN ('active', 'under_review')"
_IN_FORCE = f"SELECT id FROM agreements WHERE {_IN_FORCE_STATUS}"
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

    def update_lead(self, lead: Lead, since: Lead | None = None) -> Lead:
        """Save an edited lead (its own fields; see EDITABLE_FIELDS); its facts follow its handoff. With `since`
        (the lead as the editor read it), only the fields changed since are written: a change made meanwhile
        elsewhere (another process) to another field stays."""
        values = {name: v for name, v in lead_values(lead)._asdict().items() if name in EDITABLE_FIELDS}
        if since is not None:
            read = lead_values(since)._asdict()
            values = {name: v for name, v in values.items() if v != read[name]}
        self.edit_lead(lead.id, **values)
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

    def snooze_lead(self, lead_id: int, until: int | None) -> sqlite3.Row:
        """Put off the lead's next attempt until `until` (never earlier than its cadence says; None ends the
        snooze); returns its row (no model: `lead snooze` stays quick). The SLA clock does not stop, and the
        next attempt logged ends the snooze."""
        with self.change(f"snoozed lead #{lead_id}" if until else f"woke lead #{lead_id}"):
            before = self.lead_row(lead_id)
            if until is not None and before["next_due_at"] is None:
                raise InvalidInput(f"lead {lead_id} is not in the follow-up plan ({before['status']}, "
                                   f"{before['attempt_count']} attempts): there is nothing to snooze")
            if until is None and before["snoozed_until"] is None:
                raise InvalidInput(f"lead {lead_id} is not snoozed: there is nothing to clear")
            self.conn.execute("UPDATE leads SET snoozed_until = ? WHERE id = ?", (until, lead_id))
            self._log_lead(before)
            self.refresh_facts(lead_id)
        return self.lead_row(lead_id)

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

    def _with_placeholder_facts(self, values: dict[str, Any]) -> dict[str, Any]:
        """A lead's logged values with stand-in facts, to put it back; `refresh_facts(handoff=True)` follows."""
        at = values["handed_off_at"]
        return {**values, "status": "open", "handoff_day": "", "deadline_at": at, "breach_at": at}

    # ---- reading -------------------------------------------------------------------------------

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
            f"{LEAD_ZONE_SQL} AS tz, l.rep_id, "
            "r.name AS rep, l.handed_off_at, l.status, l.attempt_count AS attempts, l.first_attempt_at, "
            "l.response_seconds, l.deadline_at, l.connected, l.next_due_at "
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

    def plan_agreement_ids(self) -> list[int]:
        """The agreements whose leads make up the plan: those in force (active or under review)."""
        return [r[0] for r in self.conn.execute(f"{_IN_FORCE} ORDER BY id")]

    def plan_rows(self, *, agreement_id: int | None = None, rep_id: int | None = None, limit: int = 500,
                  offset: int = 0) -> list[dict[str, Any]]:
        """The follow-up plan: leads still owed an attempt on agreements in force, soonest due first (read from
        the plan's own index, so the cost follows the work owed, not the history)."""
        # The agreement's status checked row by row: the plan's index is then read in due order, not sorted.
        clauses, params = ["l.next_due_at IS NOT NULL", f"a.{_IN_FORCE_STATUS}"], []
        for column, value in (("l.agreement_id", agreement_id), ("l.rep_id", rep_id)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        sql = (
            "SELECT l.id, l.name, l.company, l.agreement_id, a.name AS agreement, l.rep_id, r.name AS rep, "
            "l.handed_off_at, l.deadline_at, l.breach_at, l.first_attempt_at, l.attempt_count AS attempts, "
            "l.last_attempt_at, l.next_due_at, l.snoozed_until "
            "FROM leads l JOIN agreements a ON a.id = l.agreement_id LEFT JOIN reps r ON r.id = l.rep_id "
            f"WHERE {' AND '.join(clauses)} ORDER BY l.next_due_at, l.id LIMIT ? OFFSET ?"
        )
        return [dict(r) for r in self.conn.execute(sql, [*params, limit, offset])]

    def plan_counts(self, agreement_id: int, overdue_before: float, soon_until: float,
                    rep_id: int | None = None) -> dict[str, Any]:
        """One agreement's plan in figures (of one rep, or all): its leads (`leads`), those due before
        `overdue_before` (`overdue`), those due from then until `soon_until` (`due_soon`), and the soonest due
        instant from `overdue_before` on (`next_due_at`). Ranges of the plan's indexes, which answer alone: the
        cost follows the leads owed work, not the history."""
        plan, params = "FROM leads WHERE agreement_id = ?", [agreement_id]
        if rep_id is not None:
            plan, params = plan + " AND rep_id = ?", [*params, rep_id]
        plan += " AND next_due_at"
        return dict(zip(("leads", "overdue", "due_soon", "next_due_at"), (self._one(sql, values)[0] for sql, values in (
            (f"SELECT count(*) {plan} IS NOT NULL", params),
            (f"SELECT count(*) {plan} < ?", [*params, overdue_before]),
            (f"SELECT count(*) {plan} >= ? AND next_due_at <= ?", [*params, overdue_before, soon_until]),
            (f"SELECT min(next_due_at) {plan} >= ?", [*params, overdue_before]),
        ))))

    def cadence_done(self, agreement_id: int | None = None, rep_id: int | None = None) -> int:
        """Open leads never reached that have had all their attempts, on agreements in force: out of the plan,
        not counted as work (read from their own partial index)."""
        where = f"status = 'open' AND next_due_at IS NULL AND agreement_id IN ({_IN_FORCE})"
        params: list[Any] = []
        if agreement_id is not None:
            where, params = where + " AND agreement_id = ?", [agreement_id]
        if rep_id is not None:
            where, params = where + " AND rep_id = ?", [*params, rep_id]
        return self._one(f"SELECT count(*) FROM leads WHERE {where}", params)[0]
