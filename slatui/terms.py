"""An agreement's terms as the clocks and the metrics read them: a plain record of a stored agreement.

The store builds it straight from the agreement's row, which the `Agreement` model validated when it was
written, so the quick commands (`log`, `lead add`, `report`, `scorecard`) never load pydantic: importing
it is ≈ 100 ms, more than half of their budget. Editing and showing an agreement use the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from slatui.businesstime import BusinessCalendar, parse_hours_spec


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

    def business_calendar(self) -> BusinessCalendar:
        return BusinessCalendar(tz=self.tz, hours=parse_hours_spec(self.hours),
                                holiday_countries=self.holiday_countries, holiday_dates=frozenset(self.holiday_dates))
