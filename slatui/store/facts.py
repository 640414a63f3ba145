"""A lead's derived facts (DESIGN.md "Metric definitions"), fixed by its handoff, its attempts and its close:
the local day it counts in, its business-time deadline and breach instant, its status, and when its next
follow-up attempt is due. The one place these formulas live; the store writes their results on the lead row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import NamedTuple
from zoneinfo import ZoneInfo

from slatui.businesstime import BusinessCalendar
from slatui.terms import Terms, TermsVersion

# One step of a follow-up cadence: (whole business days, business seconds).
Gap = tuple[int, int]
# Without a cadence, the next attempt is due one business day after the last.
DEFAULT_GAP: Gap = (1, 0)


@dataclass(frozen=True)
class Clock:
    """What a lead's facts are computed with: the version of its agreement's terms in force at its handoff,
    with that version's business calendar (and the agreement's own closed days)."""

    version: TermsVersion
    calendar: BusinessCalendar

    @classmethod
    def of(cls, terms: Terms, version: TermsVersion) -> Clock:
        return cls(version, terms.with_version(version).business_calendar())

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.version.tz)

    @cached_property
    def cadence(self) -> tuple[Gap, ...]:
        from slatui.parsing import parse_cadence  # stored text was checked when written

        return parse_cadence(self.version.cadence) if self.version.cadence else ()

    @property
    def target(self) -> int:
        return self.version.respond_within_seconds

    @property
    def plan_length(self) -> int:
        """Attempts a lead not reached is owed: the minimum, and always a first one (the speed target)."""
        return max(1, self.version.min_attempts)

    def gap_after(self, attempts: int) -> Gap:
        """The wait after the `attempts`-th attempt: its cadence step, the last step repeated, or a business day."""
        if not self.cadence:
            return DEFAULT_GAP
        return self.cadence[min(attempts, len(self.cadence)) - 1]


class HandoffFacts(NamedTuple):
    handoff_day: str
    deadline_at: int
    breach_at: int


def handoff_facts(handed_off_at: int, clock: Clock) -> HandoffFacts:
    """The local day a handoff counts in, its deadline (target business time later), and its breach instant:
    the last instant at which no more than the target has gone by (the next opening when the deadline falls at
    closing time), so that a lead with no attempt turns breached only once the target is exceeded."""
    deadline = clock.calendar.deadline(handed_off_at, clock.target)
    breach = clock.calendar.next_working_instant(deadline)
    return HandoffFacts(datetime.fromtimestamp(handed_off_at, clock.zone).date().isoformat(),
                        _ceil(deadline), _ceil(breach))


class AttemptSummary(NamedTuple):
    """What a lead's attempts say, as one aggregate query (or a bulk load) gives it."""

    first_at: int | None
    count: int
    connected_at: int | None
    last_at: int | None
    disqualified_at: int | None


class AttemptFacts(NamedTuple):
    status: str
    first_attempt_at: int | None
    response_seconds: int | None
    attempt_count: int
    connected: int
    connected_at: int | None
    last_attempt_at: int | None
    disqualified_at: int | None
    next_due_at: int | None


# The lead columns `attempt_facts` gives, in its order.
ATTEMPT_FACT_COLUMNS = AttemptFacts._fields


def attempt_facts(clock: Clock, handed_off_at: int, deadline_at: int, attempts: AttemptSummary,
                  closed_as: str | None, closed_at: int | None, snoozed_until: int | None) -> AttemptFacts:
    """Everything a lead's attempts and close decide: its status, its first response in business time, its
    depth facts, and when its next attempt is due (None once it leaves the follow-up plan)."""
    disqualified_at = closed_at if closed_as == "disqualified" else attempts.disqualified_at
    if closed_as == "disqualified" and disqualified_at is None:
        disqualified_at = handed_off_at
    status = lead_status(closed_as, disqualified_at, attempts.connected_at)
    response = None if attempts.first_at is None else round(
        clock.calendar.business_seconds_between(handed_off_at, attempts.first_at))
    due = next_due(clock, status, attempts.count, deadline_at, attempts.last_at, snoozed_until)
    return AttemptFacts(status, attempts.first_at, response, attempts.count, int(attempts.connected_at is not None),
                        attempts.connected_at, attempts.last_at, disqualified_at, due)


# A lead's derived columns: its handoff facts, then its attempt facts.
LEAD_FACT_COLUMNS = HandoffFacts._fields + ATTEMPT_FACT_COLUMNS
# The stored columns `recomputed_facts` reads them from, in its order.
RECOMPUTE_INPUTS = ("handed_off_at", "closed_as", "closed_at", "snoozed_until", "first_attempt_at", "attempt_count",
                    "connected_at", "last_attempt_at", "disqualified_at")


def recomputed_facts(clock: Clock, handed_off_at: int, closed_as: str | None, closed_at: int | None,
                     snoozed_until: int | None, first_at: int | None, count: int, connected_at: int | None,
                     last_at: int | None, disqualified_at: int | None) -> tuple:
    """Every derived fact of a stored lead (`LEAD_FACT_COLUMNS` order) on a new clock, from its stored attempt facts:
    a clock change moves deadlines and business times, never what the attempts were."""
    handoff = handoff_facts(handed_off_at, clock)
    # A hand-closed disqualification's instant is its close's, which `attempt_facts` derives again.
    summary = AttemptSummary(first_at, count, connected_at, last_at,
                             None if closed_as == "disqualified" else disqualified_at)
    return (*handoff, *attempt_facts(clock, handed_off_at, handoff.deadline_at, summary, closed_as, closed_at,
                                     snoozed_until))


def lead_status(closed_as: str | None, disqualified_at: int | None, connected_at: int | None) -> str:
    """Closed by hand (won, lost, disqualified) wins; then a disqualifying attempt; then a connection."""
    if closed_as:
        return closed_as
    if disqualified_at is not None:
        return "disqualified"
    return "open" if connected_at is None else "connected"


def next_due(clock: Clock, status: str, attempts: int, deadline_at: int, last_attempt_at: int | None,
             snoozed_until: int | None) -> int | None:
    """When the lead's next attempt is due: the first-response deadline until the first attempt, then the
    cadence's next step after the last one; None once it is reached, closed, or has had its attempts.
    A snooze moves it later, never earlier."""
    if status != "open" or attempts >= clock.plan_length:
        return None
    if attempts == 0 or last_attempt_at is None:
        due = deadline_at
    else:
        days, seconds = clock.gap_after(attempts)
        calendar = clock.calendar
        due = _ceil(calendar.add_business_days(last_attempt_at, days) if days
                    else calendar.deadline(last_attempt_at, seconds))
    return due if snoozed_until is None else max(due, snoozed_until)


def _ceil(instant: float) -> int:
    return int(-(-instant // 1))
