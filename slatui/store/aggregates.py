"""SQL aggregates behind the SLA metrics: counts, means and percentiles per period, read from the
covering index on leads (agreement, local handoff day, derived facts) so no attempt is re-scanned.

Periods are local days (`handoff_day`, already in the agreement's zone), ISO weeks starting
Monday, or months. Every function takes an inclusive range of local days.
"""

from __future__ import annotations

import sqlite3
from typing import Any

BUCKETS = {
    "day": "handoff_day",
    # Monday of the ISO week: strftime('%w') is 0 on Sunday.
    "week": "date(handoff_day, '-' || ((CAST(strftime('%w', handoff_day) AS INTEGER) + 6) % 7) || ' days')",
    "month": "substr(handoff_day, 1, 7)",
}

# A lead's speed status as of :as_of (DESIGN.md): an attempt after as_of has not happened yet.
_SPEED_STATUS = """
CASE
    WHEN first_attempt_at IS NOT NULL AND first_attempt_at <= :as_of
        THEN CASE WHEN response_seconds <= :target THEN 'met' ELSE 'breached' END
    WHEN :as_of > deadline_at THEN 'breached'
    ELSE 'pending'
END"""

_IN_RANGE = "agreement_id = :agreement AND handoff_day BETWEEN :first AND :last AND handed_off_at <= :as_of"
# Depth counts leads sales has not reached and not closed (DESIGN.md: disqualified leaves the metric).
_UNCONNECTED = "connected = 0 AND status != 'disqualified'"


def _params(agreement_id: int, first: str, last: str, as_of: int, target: int = 0) -> dict[str, Any]:
    return {"agreement": agreement_id, "first": first, "last": last, "as_of": as_of, "target": target}


def period_summary(
    conn: sqlite3.Connection, agreement_id: int, first: str, last: str, as_of: int, target: int,
    bucket: str = "month", group: str | None = None,
) -> list[dict[str, Any]]:
    """Per bucket (and per `group` column, e.g. rep_id): volume, value, speed counts, response
    mean, depth sums. One pass over the index."""
    key = BUCKETS[bucket]
    group_sql = f", {group}" if group else ""
    sql = f"""
        SELECT {key} AS period{group_sql} ,
            count(*) AS leads,
            coalesce(sum(value), 0) AS value,
            sum(status_ = 'met') AS met,
            sum(status_ = 'breached') AS breached,
            sum(status_ = 'pending') AS pending,
            avg(CASE WHEN first_attempt_at <= :as_of THEN response_seconds END) AS mean_seconds,
            sum(CASE WHEN first_attempt_at <= :as_of THEN 1 ELSE 0 END) AS responded,
            sum({_UNCONNECTED}) AS unconnected,
            sum(CASE WHEN {_UNCONNECTED} THEN attempt_count ELSE 0 END) AS unconnected_attempts,
            sum(attempt_count > 0) AS worked
        FROM (SELECT *, {_SPEED_STATUS} AS status_ FROM leads WHERE {_IN_RANGE})
        GROUP BY period{group_sql}
        ORDER BY period{group_sql}
    """
    return [dict(r) for r in conn.execute(sql, _params(agreement_id, first, last, as_of, target))]


def response_percentiles(
    conn: sqlite3.Connection, agreement_id: int, first: str, last: str, as_of: int, bucket: str = "month",
    group: str | None = None,
) -> dict[tuple, dict[str, float]]:
    """Median (mean of the two middle values when even) and p90 (nearest rank) of response
    times per bucket, picked by window functions so only three rows per bucket leave SQLite."""
    key = BUCKETS[bucket]
    partition = f"{key}, {group}" if group else key
    group_sql = f", {group} AS grp" if group else ", NULL AS grp"
    sql = f"""
        SELECT period, grp, rn, n, response_seconds FROM (
            SELECT {key} AS period{group_sql}, response_seconds,
                row_number() OVER (PARTITION BY {partition} ORDER BY response_seconds) AS rn,
                count(*) OVER (PARTITION BY {partition}) AS n
            FROM leads
            WHERE {_IN_RANGE} AND first_attempt_at IS NOT NULL AND first_attempt_at <= :as_of
        )
        WHERE rn IN ((n + 1) / 2, (n + 2) / 2, (9 * n + 9) / 10)
    """
    picked: dict[tuple, dict[str, Any]] = {}
    for period, grp, rn, n, seconds in conn.execute(sql, _params(agreement_id, first, last, as_of)):
        entry = picked.setdefault((period, grp), {"middle": [], "p90": None})
        if rn in ((n + 1) // 2, (n + 2) // 2):
            entry["middle"].append(seconds)
        if rn == (9 * n + 9) // 10:
            entry["p90"] = seconds
    return {
        k: {"median_seconds": sum(v["middle"]) / len(v["middle"]), "p90_seconds": v["p90"]} for k, v in picked.items()
    }


def rep_load(conn: sqlite3.Connection, since: int, until: int) -> dict[int, int]:
    """Leads handed to each rep in [since, until), across agreements (a rep's week is one week)."""
    sql = "SELECT rep_id, count(*) FROM leads WHERE rep_id IS NOT NULL AND handed_off_at >= ? AND handed_off_at < ? " \
          "GROUP BY rep_id"
    return dict(conn.execute(sql, (since, until)).fetchall())


def recalibration_facts(
    conn: sqlite3.Connection, agreement_id: int, first: str, last: str, first_ts: int, end_ts: int
) -> dict[str, Any]:
    """Raw counts for the guide's monthly recalibration: the month's marketing-lead cohort and
    the revenue closed within the month (by close date)."""
    cohort = conn.execute(
        "SELECT count(*), sum(status = 'customer'), coalesce(sum(CASE WHEN status = 'customer' THEN revenue END), 0) "
        "FROM leads WHERE agreement_id = ? AND handoff_day BETWEEN ? AND ? AND source = 'marketing'",
        (agreement_id, first, last),
    ).fetchone()
    closed = conn.execute(
        "SELECT coalesce(sum(revenue), 0), coalesce(sum(CASE WHEN source = 'marketing' THEN revenue END), 0), "
        "avg((closed_at - handed_off_at) / 86400.0) FROM leads "
        "WHERE agreement_id = ? AND status = 'customer' AND closed_at >= ? AND closed_at < ?",
        (agreement_id, first_ts, end_ts),
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
