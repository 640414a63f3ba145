"""The guide's formulas: leads-needed calculator, goal line, projection, nines, recalibration.

Pure functions on plain numbers; shares and rates are fractions from 0 to 1.
Invalid input raises ValueError naming the field and what is wanted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SECONDS_PER_DAY = 86_400
SECONDS_PER_YEAR = 365 * SECONDS_PER_DAY


@dataclass(frozen=True)
class LeadsNeeded:
    quota: float
    marketing_share: float
    deal_size: float
    close_rate: float
    marketing_revenue_goal: float
    customers_needed: int
    leads_needed: int


@dataclass(frozen=True)
class Downtime:
    availability_pct: float
    seconds_per_year: float
    seconds_per_month: float
    seconds_per_week: float
    seconds_per_day: float


@dataclass(frozen=True)
class Recalibration:
    """Rates measured over a month; a ratio whose denominator is zero is None."""

    close_rate: float | None
    deal_size: float | None
    marketing_share: float | None
    avg_sales_cycle_days: float | None
    implied_lead_goal: int | None


def _require(ok: bool, name: str, wanted: str, value: object) -> None:
    if not ok:
        raise ValueError(f"{name} must be {wanted}, got {value}")


def _ceil_whole(x: float) -> int:
    # Rounding first drops float noise, so 5000 * 1.0 / 100 stays 50 instead of becoming 51.
    return math.ceil(round(x, 9))


def leads_needed(quota: float, marketing_share: float, deal_size: float, close_rate: float) -> LeadsNeeded:
    """Quota × marketing share ÷ deal size = customers; customers ÷ close rate = leads (both rounded up)."""
    _require(math.isfinite(quota) and quota >= 0, "quota", "a number of 0 or more", quota)
    # Shares are fractions here but percentages to the people who type them (the calculator, `calc leads`).
    _require(0 <= marketing_share <= 1, "marketing share", "from 0 % to 100 %", f"{marketing_share * 100:g} %")
    _require(math.isfinite(deal_size) and deal_size > 0, "deal size", "more than 0", deal_size)
    _require(0 < close_rate <= 1, "close rate", "above 0 % and at most 100 %", f"{close_rate * 100:g} %")
    goal = quota * marketing_share
    # 1e308 ÷ 1e-308 is no count of customers: said of the deal size, the input that made it overflow.
    _require(math.isfinite(goal / deal_size / close_rate), "deal size", f"larger for a quota of {quota:g}", deal_size)
    customers = _ceil_whole(goal / deal_size)
    leads = _ceil_whole(customers / close_rate)
    return LeadsNeeded(quota, marketing_share, deal_size, close_rate, goal, customers, leads)


def goal_to_date(goal: float, day: int, days_in_month: int) -> float:
    """Cumulative goal at the end of day `day` of the month: g·d/n (day 0 is the month's start)."""
    _require(days_in_month >= 1, "days in month", "at least 1", days_in_month)
    _require(0 <= day <= days_in_month, "day", f"from 0 to {days_in_month}", day)
    return goal * day / days_in_month


def projected_month_end(actual: float, elapsed_days: float, days_in_month: int) -> float:
    """Month-end figure if the pace so far holds: actual ÷ elapsed days × days in month.

    With nothing elapsed there is no pace yet, and once the month is over the
    actual is final, so both cases return the actual.
    """
    _require(days_in_month >= 1, "days in month", "at least 1", days_in_month)
    _require(elapsed_days >= 0, "elapsed days", "0 or more", elapsed_days)
    if elapsed_days == 0 or elapsed_days >= days_in_month:
        return float(actual)
    return actual / elapsed_days * days_in_month


def allowed_downtime(availability_pct: float) -> Downtime:
    """Downtime an availability allows, e.g. 99.999 % ≈ 315 s a year; a month is a twelfth of a 365-day year."""
    _require(0 <= availability_pct <= 100, "availability", "a percentage from 0 to 100 (e.g. 99.9)", availability_pct)
    down = (100 - availability_pct) / 100
    per_year = down * SECONDS_PER_YEAR
    return Downtime(availability_pct, per_year, per_year / 12, down * 7 * SECONDS_PER_DAY, down * SECONDS_PER_DAY)


def recalibrate(
    marketing_leads: int,
    customers: int,
    customer_revenue: float,
    total_revenue: float,
    marketing_revenue: float,
    sales_cycle_days: float | None,
    quota: float | None,
) -> Recalibration:
    """Re-derive the calculator's inputs from a month's log and the lead goal they imply.

    `customers` are the month's marketing leads that became customers and `customer_revenue`
    the revenue from them (close rate, deal size); `marketing_revenue` and `total_revenue`
    are the revenue closed within the month from marketing leads and in all (marketing share);
    `sales_cycle_days` is the average cycle, passed through. Without a quota no goal is implied.
    """
    _require(marketing_leads >= 0, "marketing leads", "0 or more", marketing_leads)
    _require(0 <= customers <= marketing_leads, "customers", f"from 0 to the {marketing_leads} marketing leads", customers)
    _require(math.isfinite(customer_revenue) and customer_revenue >= 0, "customer revenue", "0 or more",
             customer_revenue)
    _require(math.isfinite(total_revenue) and total_revenue >= 0, "total revenue", "0 or more", total_revenue)
    # The tolerance absorbs float noise when both sums are computed separately.
    _require(
        0 <= marketing_revenue <= total_revenue * (1 + 1e-9),
        "marketing revenue",
        f"from 0 to the total revenue {total_revenue}",
        marketing_revenue,
    )
    _require(sales_cycle_days is None or sales_cycle_days >= 0, "sales cycle days", "0 or more", sales_cycle_days)
    _require(quota is None or (math.isfinite(quota) and quota >= 0), "quota", "a number of 0 or more", quota)

    close_rate = customers / marketing_leads if marketing_leads else None
    deal_size = customer_revenue / customers if customers else None
    share = min(marketing_revenue / total_revenue, 1.0) if total_revenue else None
    implied = None
    if quota is not None and close_rate and deal_size and share:
        implied = leads_needed(quota, share, deal_size, close_rate).leads_needed
    return Recalibration(close_rate, deal_size, share, sales_cycle_days, implied)
