"""A lead's derived facts, fixed by its handoff and its attempts' outcomes: the local day it counts in,
its business-time deadline, and the status an outcome implies."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from slatui.terms import Terms
from slatui.vocabulary import CONNECTING_OUTCOMES

if TYPE_CHECKING:
    pass


def status_after(status: str, outcome: str) -> str | None:
    """The lead status an attempt's outcome implies, or None to keep the current one."""
    if outcome == "disqualified":
        return "disqualified"
    if outcome in CONNECTING_OUTCOMES and status == "open":
        return "connected"
    return None


def status_after_all(status: str, outcomes: set[str]) -> str:
    """`status_after` applied over several attempts, in any order: disqualified wins, then connected."""
    for outcome in ("disqualified", *CONNECTING_OUTCOMES):
        if outcome in outcomes:
            return status_after(status, outcome) or status
    return status


def clock_facts(handed_off_at: int, terms: Terms, calendar: Any) -> dict[str, Any]:
    """Facts fixed at handoff: the local day it counts in, and the business-time deadline."""
    handoff_day, deadline_at = handoff_day_and_deadline(
        handed_off_at, ZoneInfo(terms.tz), calendar, terms.respond_within_seconds
    )
    return {"handoff_day": handoff_day, "deadline_at": deadline_at}


def handoff_day_and_deadline(handed_off_at: int, zone: ZoneInfo, calendar: Any, target: int) -> tuple[str, int]:
    deadline = calendar.deadline(handed_off_at, target)
    return datetime.fromtimestamp(handed_off_at, zone).date().isoformat(), int(-(-deadline // 1))
