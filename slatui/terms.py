"""An agreement's terms as the clocks and the metrics read them: a plain record of a stored agreement.

The store builds it straight from the agreement's rows, which the `Agreement` model validated when they were
written, so the quick commands (`log`, `lead add`, `report`, `scorecard`) never load pydantic: importing
it is ≈ 100 ms, more than half of their budget. Editing and showing an agreement use the model.

Terms are effective-dated (DESIGN.md: a month is judged by the terms in force in it): an agreement holds one
`TermsVersion` per month from which its targets or its clock changed. The first version also covers the months
before it. A `Terms` carries every version, and its flat fields are those of one of them (`for_month`,
`at_instant`); the store hands out the version in force now.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from slatui.businesstime import BusinessCalendar, parse_hours_spec
from slatui.display import share


@dataclass(frozen=True)
class TermsVersion:
    """The targets and the clock in force from `from_month` ("YYYY-MM") until the next version."""

    from_month: str
    lead_goal: int
    respond_within_seconds: int
    compliance_threshold: float
    min_attempts: int
    miss_limit: int
    tz: str
    hours: str | None
    holiday_countries: tuple[str, ...]
    # Business-time gaps between follow-up attempts, canonical text such as "4h,1d,2d" (None: a business day).
    cadence: str | None = None

    def start_instant(self) -> float:
        """Epoch seconds of the first instant of `from_month` in the version's own zone."""
        year, month = map(int, self.from_month.split("-"))
        return datetime(year, month, 1, tzinfo=ZoneInfo(self.tz)).timestamp()


# What a version holds beyond the month it starts: the fields `Terms` takes from the version in force.
VERSIONED_FIELDS = tuple(f.name for f in fields(TermsVersion) if f.name != "from_month")
# Fields that change a lead's derived facts (its day, deadline, response time, next step) when edited.
CLOCK_FIELDS = ("tz", "hours", "holiday_countries", "respond_within_seconds", "min_attempts", "cadence")


@dataclass(frozen=True)
class Terms:
    id: int
    name: str
    kind: str
    status: str
    # The clock: zone, working hours spec (None for 24x7), public holidays' countries and extra closed days.
    tz: str
    hours: str | None
    holiday_countries: tuple[str, ...]
    holiday_dates: tuple[date, ...]
    # The targets (DESIGN.md): monthly lead goal, business seconds to the first attempt, share of leads
    # answered in time, attempts before giving up, missed months that allow cancellation, sales quota.
    lead_goal: int
    respond_within_seconds: int
    compliance_threshold: float
    min_attempts: int
    miss_limit: int
    sales_quota: float | None
    effective_from: date | None
    review_date: date | None
    tier_values: dict[str, float] = field(default_factory=dict)
    cadence: str | None = None
    # Every version, oldest first; empty for terms built outside the store (then the flat fields hold always).
    versions: tuple[TermsVersion, ...] = ()

    def business_calendar(self) -> BusinessCalendar:
        return BusinessCalendar(tz=self.tz, hours=parse_hours_spec(self.hours),
                                holiday_countries=self.holiday_countries, holiday_dates=frozenset(self.holiday_dates))

    def current_version(self) -> TermsVersion:
        """The flat fields as a version (for terms built outside the store, the only one)."""
        return TermsVersion(from_month=self.versions[0].from_month if self.versions else "1970-01",
                            **{name: getattr(self, name) for name in VERSIONED_FIELDS})

    def judged_from(self, first_lead: date | None) -> date | None:
        """First day of the first month that is judged: the month of the agreement's first lead (before it, slatui
        was not tracking the agreement), and never before the agreement's start; None without a lead."""
        if first_lead is None:
            return None
        start = max(first_lead, self.effective_from) if self.effective_from else first_lead
        return start.replace(day=1)

    def version_for_month(self, year: int, month: int) -> TermsVersion:
        """The version in force in a month: the latest that starts at or before it (the first covers earlier)."""
        if not self.versions:
            return self.current_version()
        label = f"{year:04d}-{month:02d}"
        chosen = self.versions[0]
        for version in self.versions[1:]:
            if version.from_month <= label:
                chosen = version
        return chosen

    def version_at(self, instant: float) -> TermsVersion:
        """The version in force at an epoch instant (each version starts at midnight of its month in its zone)."""
        if not self.versions:
            return self.current_version()
        chosen = self.versions[0]
        for version in self.versions[1:]:
            if version.start_instant() <= instant:
                chosen = version
        return chosen

    def with_version(self, version: TermsVersion) -> Terms:
        return replace(self, **{name: getattr(version, name) for name in VERSIONED_FIELDS})

    def for_month(self, year: int, month: int) -> Terms:
        """These terms as they were in force in a month: its targets and its clock."""
        return self.with_version(self.version_for_month(year, month))

    def at_instant(self, instant: float) -> Terms:
        return self.with_version(self.version_at(instant))



# How each versioned term reads (`agreement show`, the app's agreement details and its "from which month?").
_TERM_LABELS = {
    "lead_goal": lambda v: f"{v} leads/month",
    "respond_within_seconds": lambda v: f"first attempt within {_duration(v)}",
    "compliance_threshold": lambda v: f"{share(v)} in time",
    "min_attempts": lambda v: f"{v} attempts",
    "miss_limit": lambda v: f"cancel after {v} missed months",
    "cadence": lambda v: f"follow-up gaps {v}" if v else "follow-up every business day",
    "tz": lambda v: f"zone {v}",
    "hours": lambda v: f"hours {v or '24x7'}",
    "holiday_countries": lambda v: f"holidays {','.join(v) or 'none'}",
}


def _duration(seconds: int) -> str:
    from slatui.parsing import format_duration

    return format_duration(seconds)


def describe_version(version: TermsVersion, previous: TermsVersion | None = None) -> str:
    """A version's terms; after another one, only what changed."""
    names = [n for n in _TERM_LABELS if previous is None or getattr(version, n) != getattr(previous, n)]
    return "; ".join(_TERM_LABELS[n](getattr(version, n)) for n in names) or "no change"
