"""SLA metrics for an agreement and a month, as plain data (DESIGN.md "Metric definitions").

The SQL lives in slatui.store.aggregates; the formulas in slatui.goals; this module turns
their output into the report every consumer (CLI, TUI, charts, exports) shares. An agreement comes
in as its `Terms` (`Store.terms`, so a report never loads pydantic) or as its validated model.
Fractions are 0-1, times in seconds, dates in the agreement's zone.
"""

from __future__ import annotations

import calendar as _calendar
from datetime import date, datetime, time, timedelta, timezone
from itertools import chain
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from slatui import goals
from slatui.store import Store
from slatui.store import aggregates as sql
from slatui.terms import VERSIONED_FIELDS, Terms

if TYPE_CHECKING:
    from slatui.models import Agreement


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, _calendar.monthrange(year, month)[1])


def add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + delta
    return index // 12, index % 12 + 1


def as_terms(agreement: Agreement | Terms) -> Terms:
    # Quick commands pass the stored Terms; the app's screens and tests may hold the validated model.
    return agreement if isinstance(agreement, Terms) else agreement.terms()


def local_now(agreement: Agreement | Terms, as_of: datetime) -> datetime:
    return as_of.astimezone(ZoneInfo(as_terms(agreement).tz))


def month_report(store: Store, agreement: Agreement | Terms, year: int, month: int, as_of: datetime) -> dict[str, Any]:
    """Everything the guide asks of one month: volume and its cumulative line, speed, depth,
    per-rep figures, the verdict and its consequences, and the recalibration. Targets are the ones in force
    in that month (`terms` in the report says which)."""
    terms = as_terms(agreement).for_month(year, month)
    first, last = month_bounds(year, month)
    as_ts = int(as_of.timestamp())
    args = (store.conn, terms.id, first.isoformat(), last.isoformat(), as_ts)
    history_first = history_start(store, terms)
    # One pass over the index, from the first counted month (or this one), gives this month's figures, its
    # days and its reps, and every month's verdict.
    since = first if history_first is None else min(first, history_first)
    days = sql.day_summary(store.conn, terms.id, since.isoformat(), last.isoformat(), as_ts)
    this_month = [d for d in days if d["day"] >= first.isoformat()]
    (summary,) = sql.fold(this_month) or [_empty_row(f"{year:04d}-{month:02d}")]
    times = sql.response_times(*args, bucket="month", group="rep_id")
    every_time = sorted(chain.from_iterable(times.values()))
    daily = {r["period"]: r["leads"] for r in sql.fold(this_month, "day")}

    now_local = local_now(terms, as_of)
    volume = _volume(terms, summary, first, last, now_local)
    speed = {**_speed(terms, summary), **_percentiles(sql.percentiles(every_time) if every_time else {})}
    depth = _depth(terms, summary)
    history = _verdicts(as_terms(agreement), sql.fold(days), history_first, year, month, as_of)
    status = _month_status(history, f"{year:04d}-{month:02d}")
    missed = consecutive_missed(history)
    met_so_far = volume["met"] and speed["met"] and depth["met"]
    report = {
        "agreement": {"id": terms.id, "name": terms.name, "kind": terms.kind, "status": terms.status},
        "month": f"{year:04d}-{month:02d}",
        "as_of": as_of.astimezone(timezone.utc).isoformat(),
        "time_zone": terms.tz,
        "terms": _terms_json(terms, year, month),
        "month_status": status,
        "volume": volume,
        "speed": speed,
        "depth": depth,
        # Judged once the month is over; while it runs, `on_track` says how it is going.
        "month_met": met_so_far if status in ("met", "missed") else None,
        "on_track": (volume["on_pace"] and speed["met"] and depth["met"]) if status == "in_progress" else None,
        "counts_toward_verdict": status in ("met", "missed"),
        "consecutive_missed_months": missed,
        "miss_limit": terms.miss_limit,
        "cancellation_reached": missed >= terms.miss_limit,
        "review_due": terms.review_date is not None and terms.review_date <= now_local.date(),
        "review_date": terms.review_date.isoformat() if terms.review_date else None,
        "cumulative": cumulative_series(terms, daily, first, last, now_local.date()),
        "reps": _rep_rows(store, terms, sql.fold(this_month, group="rep_id"),
                          {key: sql.percentiles(values) for key, values in times.items()}, as_of),
        "recalibration": recalibration(store, terms, year, month, as_of),
    }
    return report


def _terms_json(terms: Terms, year: int, month: int) -> dict[str, Any]:
    """The terms a month is judged by, and the month they came into force (None: since the start)."""
    version = terms.version_for_month(year, month)
    first = terms.versions[0] if terms.versions else version
    return {"in_force_from": None if version == first else version.from_month,
            **{name: getattr(version, name) for name in VERSIONED_FIELDS}}


def _month_status(history: list[dict[str, Any]], label: str) -> str:
    return next((v["month_status"] for v in history if v["month"] == label), "not_tracked")


def _empty_row(period: str) -> dict[str, Any]:
    return {"period": period, "leads": 0, "value": 0, "met": 0, "breached": 0, "pending": 0, "mean_seconds": None,
            "responded": 0, "unconnected": 0, "unconnected_attempts": 0, "worked": 0}


def _elapsed_days(first: date, last: date, now_local: datetime) -> float:
    """Days of the month gone by at `now_local` (fractional), 0 before it, n after it."""
    start = datetime.combine(first, time.min, now_local.tzinfo)
    days = (last - first).days + 1
    return min(days, max(0.0, (now_local - start).total_seconds() / 86400))


def _volume(terms: Terms, row: dict[str, Any], first: date, last: date, now_local: datetime) -> dict[str, Any]:
    goal = terms.lead_goal
    days = (last - first).days + 1
    elapsed = _elapsed_days(first, last, now_local)
    # goal_to_date as of a moment in day d is g*d/n (d counts the day in progress).
    day_number = days if elapsed >= days else (0 if elapsed <= 0 else int(elapsed) + 1)
    return {
        "goal": goal,
        "actual": row["leads"],
        "goal_to_date": goals.goal_to_date(goal, day_number, days),
        "met": row["leads"] >= goal,
        "on_pace": row["leads"] >= goals.goal_to_date(goal, day_number, days),
        "projected": round(goals.projected_month_end(row["leads"], elapsed, days), 1),
        "value": row["value"],
    }


def _speed(terms: Terms, row: dict[str, Any]) -> dict[str, Any]:
    decided = row["met"] + row["breached"]
    compliance = row["met"] / decided if decided else None
    threshold = terms.compliance_threshold
    return {
        "target_seconds": terms.respond_within_seconds,
        "threshold": threshold,
        "met_count": row["met"],
        "breached_count": row["breached"],
        "pending_count": row["pending"],
        "compliance": compliance,
        # Nothing decided yet means nothing breached: the target is not missed.
        "met": compliance is None or compliance >= threshold,
        "mean_seconds": row["mean_seconds"],
        "responded": row["responded"],
    }


def _percentiles(values: dict[str, float]) -> dict[str, float | None]:
    return {"median_seconds": values.get("median_seconds"), "p90_seconds": values.get("p90_seconds")}


def _depth(terms: Terms, row: dict[str, Any]) -> dict[str, Any]:
    unconnected = row["unconnected"]
    mean = row["unconnected_attempts"] / unconnected if unconnected else None
    return {
        "min_attempts": terms.min_attempts,
        "unconnected_leads": unconnected,
        "mean_attempts": mean,
        # No unreached lead left means none was given up on too early.
        "met": mean is None or mean >= terms.min_attempts,
        "leads_worked": row["worked"],
    }


def _counts(terms: Terms, first: date) -> bool:
    start = terms.effective_from
    return start is None or first >= start.replace(day=1)


def cumulative_series(
    terms: Terms, daily: dict[str, int], first: date, last: date, today: date
) -> list[dict[str, Any]]:
    """The guide's waterfall: per local day, goal line g*d/n and actual cumulative leads
    (None for days still to come)."""
    days = (last - first).days + 1
    rows, total = [], 0
    for d in range(1, days + 1):
        day = first + timedelta(days=d - 1)
        total += daily.get(day.isoformat(), 0)
        rows.append({
            "date": day.isoformat(),
            "goal": goals.goal_to_date(terms.lead_goal, d, days),
            "actual": total if day <= today else None,
        })
    return rows


def period_series(
    store: Store, agreement: Agreement | Terms, first: date, last: date, as_of: datetime, bucket: str
) -> list[dict[str, Any]]:
    """Speed and depth per day, ISO week or month, for the bar charts."""
    terms = as_terms(agreement)
    args = (store.conn, terms.id, first.isoformat(), last.isoformat(), int(as_of.timestamp()))
    percentiles = sql.response_percentiles(*args, bucket=bucket)
    series = []
    for row in sql.period_summary(*args, bucket=bucket):
        # A period is judged by the terms in force in the month it starts in.
        period_terms = terms.for_month(int(row["period"][:4]), int(row["period"][5:7]))
        series.append({
            "period": row["period"],
            "leads": row["leads"],
            "speed": {**_speed(period_terms, row), **_percentiles(percentiles.get((row["period"], None), {}))},
            "depth": _depth(period_terms, row),
        })
    return series


def _rep_rows(store: Store, terms: Terms, rows: list[dict[str, Any]], percentiles: dict[tuple, dict],
              as_of: datetime) -> list[dict[str, Any]]:
    """Speed and depth per rep from per-rep `period_summary` rows, and each rep's load this week vs capacity."""
    now_local = local_now(terms, as_of)
    monday = datetime.combine(now_local.date() - timedelta(days=now_local.weekday()), time.min, now_local.tzinfo)
    load = sql.rep_load(store.conn, int(monday.timestamp()), int((monday + timedelta(days=7)).timestamp()))
    reps = {r["id"]: r for r in store.rep_rows()}
    result = []
    for row in rows:
        rep = reps.get(row["rep_id"])
        result.append({
            "rep": {"id": row["rep_id"], "name": rep["name"] if rep else "(unassigned)"},
            "leads": row["leads"],
            "speed": {**_speed(terms, row), **_percentiles(percentiles.get((row["period"], row["rep_id"]), {}))},
            "depth": _depth(terms, row),
            "load_this_week": load.get(row["rep_id"], 0),
            "weekly_capacity": rep["weekly_capacity"] if rep else None,
        })
    return sorted(result, key=lambda r: r["rep"]["name"])


def month_verdicts(
    store: Store, agreement: Agreement | Terms, year: int, month: int, as_of: datetime
) -> list[dict[str, Any]]:
    """Verdict of every tracked month from the agreement's start (or first lead) to (year, month),
    oldest first, from one grouped query."""
    terms = as_terms(agreement)
    history_first = history_start(store, terms)
    _, last = month_bounds(year, month)
    if history_first is None or history_first > last:
        return []
    rows = sql.period_summary(store.conn, terms.id, history_first.isoformat(), last.isoformat(),
                              int(as_of.timestamp()), bucket="month")
    return _verdicts(terms, rows, history_first, year, month, as_of)


def history_start(store: Store, agreement: Agreement | Terms) -> date | None:
    """First day of the first month that is judged (`Terms.judged_from`)."""
    terms = as_terms(agreement)
    return terms.judged_from(_parse_day(sql.first_handoff_day(store.conn, terms.id)))


def _verdicts(terms: Terms, month_rows: list[dict[str, Any]], history_first: date | None, year: int,
              month: int, as_of: datetime) -> list[dict[str, Any]]:
    """Verdicts of the months from `history_first` to (year, month), from their `period_summary` rows, each
    month by the terms in force in it. A month is judged once it has ended in the agreement's zone; until then
    it is in progress (on track or behind); months not begun as of `as_of` have none."""
    if history_first is None or history_first > month_bounds(year, month)[1]:
        return []
    rows = {r["period"]: r for r in month_rows}
    verdicts, cursor = [], (history_first.year, history_first.month)
    while cursor <= (year, month):
        label = f"{cursor[0]:04d}-{cursor[1]:02d}"
        month_terms = terms.for_month(*cursor)
        m_first, m_last = month_bounds(*cursor)
        now_local = local_now(month_terms, as_of)
        if now_local.date() < m_first:  # not begun as of `as_of`: no verdict yet, not even "in progress"
            break
        row = rows.get(label) or _empty_row(label)
        volume, speed, depth = _volume(month_terms, row, m_first, m_last, now_local), _speed(month_terms, row), \
            _depth(month_terms, row)
        met = volume["met"] and speed["met"] and depth["met"]
        ended = now_local.date() > m_last
        verdicts.append({
            "month": label,
            "month_status": ("met" if met else "missed") if ended else "in_progress",
            "volume": {"goal": volume["goal"], "actual": volume["actual"], "met": volume["met"],
                       "on_pace": volume["on_pace"]},
            "speed": {"compliance": speed["compliance"], "threshold": speed["threshold"], "met": speed["met"]},
            "depth": {"mean_attempts": depth["mean_attempts"], "min_attempts": depth["min_attempts"],
                      "met": depth["met"]},
            "month_met": met if ended else None,
            "on_track": None if ended else volume["on_pace"] and speed["met"] and depth["met"],
        })
        cursor = add_months(*cursor, 1)
    return verdicts


def consecutive_missed(verdicts: list[dict[str, Any]]) -> int:
    """Missed months in a row ending at the last month judged (a month in progress never counts)."""
    count = 0
    for verdict in reversed(verdicts):
        if verdict["month_status"] == "in_progress":
            continue
        if verdict["month_status"] != "missed":
            break
        count += 1
    return count


def recalibration(store: Store, agreement: Agreement | Terms, year: int, month: int,
                  as_of: datetime | None = None) -> dict[str, Any]:
    """The guide's monthly recalibration from what was logged (by `as_of`), and the lead goal it implies."""
    terms = as_terms(agreement)
    first, last = month_bounds(year, month)
    zone = ZoneInfo(terms.tz)
    start = datetime.combine(first, time.min, zone)
    end = datetime.combine(last + timedelta(days=1), time.min, zone)
    as_ts = int((as_of or datetime.now(timezone.utc)).timestamp())
    facts = sql.recalibration_facts(store.conn, terms.id, first.isoformat(), last.isoformat(),
                                    int(start.timestamp()), int(end.timestamp()), as_ts)
    result = goals.recalibrate(
        marketing_leads=facts["marketing_leads"],
        customers=facts["customers"],
        customer_revenue=facts["customer_revenue"],
        total_revenue=facts["total_revenue_closed"],
        marketing_revenue=facts["marketing_revenue_closed"],
        sales_cycle_days=facts["avg_sales_cycle_days"],
        quota=terms.sales_quota,
    )
    return {**facts, **{k: getattr(result, k) for k in result.__dataclass_fields__}}


def _parse_day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def reports(
    store: Store, agreements: list[Agreement | Terms], year: int, month: int, as_of: datetime
) -> list[dict[str, Any]]:
    return [month_report(store, a, year, month, as_of) for a in agreements]
