"""The follow-up plan (the day's work): the leads still owed an attempt, soonest due first, each with its step of
the cadence and the business time left (negative once overdue), and the one-line status for a shell prompt.

A lead is in the plan from its handoff until it is reached, closed, disqualified or has had its minimum attempts
(`slatui.store.facts.next_due`); the store keeps its `next_due_at` and an index of the plan, so reading it costs
what is owed, not the history.
"""

from __future__ import annotations

from typing import Any

from slatui.store import Store

# "Due soon" on the status line: within this much business time.
SOON_SECONDS = 3600


def business_seconds_left(calendar: Any, now_ts: float, due_ts: float) -> int:
    """Business seconds from now to `due_ts`, negative (business seconds since) once it has passed."""
    if due_ts >= now_ts:
        return round(calendar.business_seconds_between(now_ts, due_ts))
    return -round(calendar.business_seconds_between(due_ts, now_ts))


def entries(store: Store, now_ts: float, *, agreement_id: int | None = None, rep_id: int | None = None,
            limit: int = 200) -> list[dict[str, Any]]:
    """The plan's leads in due order, each with `step` (the attempt owed, 1-based), `min_attempts`, `state`
    (first_response or follow_up), `seconds_left` (business time) and its agreement's zone `tz`."""
    result = []
    for row in store.plan_rows(agreement_id=agreement_id, rep_id=rep_id, limit=limit):
        clock = store.clock(row["agreement_id"], row["handed_off_at"])
        result.append({
            **row,
            "step": row["attempts"] + 1,
            "min_attempts": clock.plan_length,
            "state": "first_response" if row["attempts"] == 0 else "follow_up",
            "seconds_left": business_seconds_left(clock.calendar, now_ts, row["next_due_at"]),
            "target_seconds": clock.target,
            "tz": clock.version.tz,
        })
    return result


def status(store: Store, now_ts: float, agreement_id: int | None = None) -> dict[str, Any]:
    """What the status line says: leads overdue, leads due within a business hour, the next one due."""
    terms = [store.terms(agreement_id)] if agreement_id is not None else store.list_terms()
    soon = {t.id: int(store.clock(t.id, now_ts).calendar.deadline(now_ts, SOON_SECONDS)) for t in terms
            if t.status in ("active", "under_review")}
    counts = store.plan_counts(int(now_ts), soon, agreement_id)
    upcoming = counts["next_due_at"]
    return {**counts, "next_in_seconds": None if upcoming is None else int(upcoming - now_ts)}


def status_text(counts: dict[str, Any]) -> str:
    """E.g. `SLA ▲2 overdue · 3 due <1h · next 00:12` (hours:minutes until the next lead falls due)."""
    parts = [f"▲{counts['overdue']} overdue" if counts["overdue"] else "0 overdue"]
    if counts["due_soon"]:
        parts.append(f"{counts['due_soon']} due <1h")
    left = counts["next_in_seconds"]
    if left is not None:
        hours, minutes = divmod(max(0, left) // 60, 60)
        parts.append(f"next {hours:02d}:{minutes:02d}" if hours < 100 else "next >99h")
    return "SLA " + " · ".join(parts)
