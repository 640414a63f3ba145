"""SQL aggregates behind the SLA metrics: counts, means and percentiles per period, read from the rollup
(`slatui.store.rollups`) for the days it has settled and from the covering index on leads (agreement,
local handoff day, derived facts) for the others, so no attempt is re-scanned.

Periods are local days (`handoff_day`, already in the agreement's zone), ISO weeks starting
Monday, or months. Every function takes an inclusive range of local days.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from slatui.store import rollups

# A lead's speed status as of :as_of (DESIGN.md): an attempt after as_of has not happened yet, and a lead with no
# attempt is breached only once more business time than its target has gone by (after its breach instant).
_SPEED_STATUS = """
CASE
    WHEN first_attempt_at IS NOT NULL AND first_attempt_at <= :as_of
        THEN CASE WHEN first_attempt_at <= breach_at THEN 'met' ELSE 'breached' END
    WHEN :as_of > breach_at THEN 'breached'
    ELSE 'pending'
END"""


def lead_speed_status(conn: sqlite3.Connection, lead_id: int, as_of: int) -> str:
    """One lead's speed status (met, breached or pending) as of `as_of`, by the rule the reports count with."""
    return conn.execute(f"SELECT {_SPEED_STATUS} FROM leads WHERE id = :lead",
                        {"lead": lead_id, "as_of": as_of}).fetchone()[0]


# Depth as of :as_of: attempts, connections and disqualifications after it have not happened yet. A lead whose
# last attempt is behind :as_of has its stored count; the others count their attempts then (rare but for
# reports as of the past).
_UNCONNECTED_AS_OF = ("(connected_at IS NULL OR connected_at > :as_of) "
                      "AND (disqualified_at IS NULL OR disqualified_at > :as_of)")
_ATTEMPTS_AS_OF = ("CASE WHEN last_attempt_at IS NULL OR last_attempt_at <= :as_of THEN attempt_count "
                   "ELSE (SELECT count(*) FROM attempts t WHERE t.lead_id = leads.id AND t.at <= :as_of) END")

_IN_DAYS = ("agreement_id = :agreement AND handoff_day IN (SELECT value FROM json_each(:days)) "
            "AND handed_off_at <= :as_of")
# Sums that add up across days (and groups); `fold` turns them into a bucket's figures.
_SUMS = ("leads", "value", "met", "breached", "pending", "response_total", "responded", "unconnected",
         "unconnected_attempts", "worked")


# The rollup's columns that add up as they are; `_as_of_sums` turns its late and unanswered into breached.
_STORED_SUMS = ("leads, value, met, late, unanswered, response_total, responded, unconnected, unconnected_attempts, "
                "worked")


def _params(agreement_id: int, days: list[str], as_of: int) -> dict[str, Any]:
    return {"agreement": agreement_id, "days": json.dumps(days), "as_of": as_of}


def _monday(day: str) -> str:
    local = date.fromisoformat(day)
    return (local - timedelta(days=local.weekday())).isoformat()


# Period of a local day (`handoff_day`, already in the agreement's zone): itself, the Monday of its ISO week,
# or its month.
BUCKETS: dict[str, Callable[[str], str]] = {"day": lambda day: day, "week": _monday, "month": lambda day: day[:7]}


def day_summary(conn: sqlite3.Connection, agreement_id: int, first: str, last: str, as_of: int) -> list[dict[str, Any]]:
    """Per local day and rep (`rep_id`): the sums in `_SUMS`. Settled days come from the rollup, the others
    from the covering index."""
    stored, unsettled = rollups.settled_groups(conn, agreement_id, first, last, as_of, _STORED_SUMS)
    days = [_as_of_sums(row) for row in stored]
    if unsettled:
        days += _leads_day_summary(conn, agreement_id, unsettled, as_of)
    return days


def _as_of_sums(row: dict[str, Any]) -> dict[str, Any]:
    # A settled group: every lead is answered (met or late) or past its deadline (breached), none pending.
    row["breached"] = row.pop("late") + row.pop("unanswered")
    row["pending"] = 0
    del row["settled_at"]
    return row


def _leads_day_summary(conn: sqlite3.Connection, agreement_id: int, days: list[str], as_of: int) -> list[dict[str, Any]]:
    sql = f"""
        SELECT handoff_day AS day, rep_id,
            count(*) AS leads,
            coalesce(sum(value), 0) AS value,
            sum(status_ = 'met') AS met,
            sum(status_ = 'breached') AS breached,
            sum(status_ = 'pending') AS pending,
            sum(CASE WHEN first_attempt_at <= :as_of THEN response_seconds ELSE 0 END) AS response_total,
            sum(CASE WHEN first_attempt_at <= :as_of THEN 1 ELSE 0 END) AS responded,
            sum(unconnected_) AS unconnected,
            sum(CASE WHEN unconnected_ THEN attempts_ ELSE 0 END) AS unconnected_attempts,
            count(*) FILTER (WHERE first_attempt_at <= :as_of) AS worked
        FROM (SELECT *, {_SPEED_STATUS} AS status_, {_UNCONNECTED_AS_OF} AS unconnected_,
                     {_ATTEMPTS_AS_OF} AS attempts_
              FROM leads WHERE {_IN_DAYS})
        GROUP BY handoff_day, rep_id
    """
    return [dict(r) for r in conn.execute(sql, _params(agreement_id, days, as_of))]


def fold(days: Iterable[dict[str, Any]], bucket: str = "month", group: str | None = None) -> list[dict[str, Any]]:
    """Add up `day_summary` rows into day, ISO-week or month periods (and per `group`), in period order:
    volume, value, speed counts, response mean and depth sums per period."""
    period_of = BUCKETS[bucket]
    totals: dict[tuple, dict[str, Any]] = {}
    for day in days:
        key = (period_of(day["day"]), day[group] if group else None)
        total = totals.get(key)
        if total is None:
            totals[key] = {name: day[name] for name in _SUMS}
        else:
            for name in _SUMS:
                total[name] += day[name]
    rows = []
    # Period order, then group order with NULL (no rep) first, as SQL's ORDER BY would give.
    for (period, grp), total in sorted(totals.items(), key=lambda kv: (kv[0][0], kv[0][1] is not None, kv[0][1])):
        responded = total["responded"]
        row = {"period": period, **({group: grp} if group else {}), **total}
        row["mean_seconds"] = row.pop("response_total") / responded if responded else None
        rows.append(row)
    return rows


def period_summary(
    conn: sqlite3.Connection, agreement_id: int, first: str, last: str, as_of: int, bucket: str = "month",
    group: str | None = None,
) -> list[dict[str, Any]]:
    """Per bucket (and per rep with `group="rep_id"`): volume, value, speed counts, response mean, depth sums."""
    return fold(day_summary(conn, agreement_id, first, last, as_of), bucket, group)


def response_times(
    conn: sqlite3.Connection, agreement_id: int, first: str, last: str, as_of: int, bucket: str = "month",
    group: str | None = None,
) -> dict[tuple, list[int]]:
    """Response times of the leads answered by `as_of`, sorted, per bucket (and per rep with
    `group="rep_id"`), keyed (period, rep id or None). Each day and rep's times come as one JSON array, from
    the rollup for settled days, else from the covering index; sorting the joined arrays here is cheaper
    than SQL window functions over a sort, or than a Python row per lead."""
    period_of = BUCKETS[bucket]
    stored, unsettled = rollups.settled_groups(conn, agreement_id, first, last, as_of, "times")
    groups = [(row["day"], row["rep_id"], row["times"]) for row in stored]
    if unsettled:
        groups += conn.execute(
            f"SELECT handoff_day, rep_id, json_group_array(response_seconds) FROM leads "
            f"WHERE {_IN_DAYS} AND first_attempt_at IS NOT NULL AND first_attempt_at <= :as_of "
            "GROUP BY handoff_day, rep_id",
            _params(agreement_id, unsettled, as_of),
        ).fetchall()
    times: dict[tuple, list[int]] = {}
    for day, rep_id, seconds in groups:
        times.setdefault((period_of(day), rep_id if group else None), []).extend(json.loads(seconds))
    for values in times.values():
        values.sort()
    return {key: values for key, values in times.items() if values}


def percentiles(values: list[int]) -> dict[str, float]:
    """Median (mean of the two middle values when even) and p90 (nearest rank) of sorted values."""
    n = len(values)
    # Ranks (n + 1) // 2 and (n + 2) // 2 are the middle one or two; (9n + 9) // 10 is p90's nearest rank.
    middle = values[(n + 1) // 2 - 1:(n + 2) // 2]
    return {"median_seconds": sum(middle) / len(middle), "p90_seconds": values[(9 * n + 9) // 10 - 1]}


def response_percentiles(
    conn: sqlite3.Connection, agreement_id: int, first: str, last: str, as_of: int, bucket: str = "month",
    group: str | None = None,
) -> dict[tuple, dict[str, float]]:
    """`percentiles` of the `response_times` of each bucket (and group)."""
    times = response_times(conn, agreement_id, first, last, as_of, bucket, group)
    return {key: percentiles(values) for key, values in times.items()}


def rep_load(conn: sqlite3.Connection, since: int, until: int) -> dict[int, int]:
    """Leads handed to each rep in [since, until), across agreements (a rep's week is one week)."""
    # One count per rep on the (rep_id, handed_off_at) index: no table rows, no sort.
    sql = "SELECT id, (SELECT count(*) FROM leads WHERE rep_id = reps.id AND handed_off_at >= ? " \
          "AND handed_off_at < ?) FROM reps ORDER BY id"
    return {rep_id: count for rep_id, count in conn.execute(sql, (since, until)) if count}


def recalibration_facts(
    conn: sqlite3.Connection, agreement_id: int, first: str, last: str, first_ts: int, end_ts: int, as_of: int
) -> dict[str, Any]:
    """Raw counts for the guide's monthly recalibration as of `as_of`: the month's marketing-lead cohort and
    the revenue closed within the month (by close date)."""
    cohort = rollups.cohort(conn, agreement_id, first, last, as_of) or conn.execute(
        "SELECT count(*), coalesce(sum(won), 0), coalesce(sum(CASE WHEN won THEN revenue END), 0) FROM ("
        "SELECT revenue, closed_as = 'customer' AND coalesce(closed_at, handed_off_at) <= ? AS won FROM leads "
        "WHERE agreement_id = ? AND handoff_day BETWEEN ? AND ? AND source = 'marketing' AND handed_off_at <= ?)",
        (as_of, agreement_id, first, last, as_of),
    ).fetchone()
    closed = conn.execute(
        "SELECT coalesce(sum(revenue), 0), coalesce(sum(CASE WHEN source = 'marketing' THEN revenue END), 0), "
        "avg((closed_at - handed_off_at) / 86400.0) FROM leads "
        "WHERE agreement_id = ? AND closed_as = 'customer' AND closed_at >= ? AND closed_at < ? AND closed_at <= ?",
        (agreement_id, first_ts, end_ts, as_of),
    ).fetchone()
    return {
        "marketing_leads": cohort[0],
        "customers": cohort[1] or 0,
        "customer_revenue": cohort[2],
        "total_revenue_closed": closed[0],
        "marketing_revenue_closed": closed[1],
        "avg_sales_cycle_days": closed[2],
    }


def first_handoff_day(conn: sqlite3.Connection, agreement_id: int) -> str | None:
    return conn.execute("SELECT min(handoff_day) FROM leads WHERE agreement_id = ?", (agreement_id,)).fetchone()[0]
