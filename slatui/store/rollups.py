"""The rollup: per local day and rep, the sums every SLA figure is made of (`lead_days`), so a report
reads a few hundred rows rather than every lead of its months.

Triggers on `leads` note each (agreement, day, rep) group a write touches in `lead_days_dirty`;
`Store.transaction()` refreshes those groups just before it commits, so a committed rollup matches its
leads. Readers still treat a dirty group's day as unknown and read that day from the leads.

Figures depend on the instant a report is as of: a lead is pending until it is answered or its breach
instant passes, and its attempts, connection, disqualification and close count from when they happened.
A group's `settled_at` is the instant from which its stored figures hold without another write (every lead
handed off, answered or past its breach instant, and its last attempt, connection and close behind it).
Days not settled by a report's as-of instant (today's, or any day of a report as of the past) are read
from the leads.
"""

from __future__ import annotations

import sqlite3
from typing import Any

# One row per group: the sums of `aggregates.day_summary` at "as of forever", plus the marketing cohort
# of the recalibration and the group's response times. rep_key 0 stands for "no rep" (a key cannot be NULL).
TABLES = """
CREATE TABLE lead_days (
    agreement_id INTEGER NOT NULL,
    day TEXT NOT NULL,
    rep_key INTEGER NOT NULL,
    leads INTEGER NOT NULL,
    value REAL NOT NULL,
    met INTEGER NOT NULL,
    late INTEGER NOT NULL,
    unanswered INTEGER NOT NULL,
    response_total INTEGER NOT NULL,
    responded INTEGER NOT NULL,
    unconnected INTEGER NOT NULL,
    unconnected_attempts INTEGER NOT NULL,
    worked INTEGER NOT NULL,
    marketing_leads INTEGER NOT NULL,
    customers INTEGER NOT NULL,
    customer_revenue REAL NOT NULL,
    times TEXT NOT NULL,
    settled_at INTEGER NOT NULL,
    PRIMARY KEY (agreement_id, day, rep_key)
);
CREATE TABLE lead_days_dirty (
    agreement_id INTEGER NOT NULL,
    day TEXT NOT NULL,
    rep_key INTEGER NOT NULL,
    PRIMARY KEY (agreement_id, day, rep_key)
) WITHOUT ROWID;
CREATE TRIGGER lead_days_insert AFTER INSERT ON leads BEGIN
    INSERT OR IGNORE INTO lead_days_dirty VALUES (NEW.agreement_id, NEW.handoff_day, coalesce(NEW.rep_id, 0));
END;
CREATE TRIGGER lead_days_delete AFTER DELETE ON leads BEGIN
    INSERT OR IGNORE INTO lead_days_dirty VALUES (OLD.agreement_id, OLD.handoff_day, coalesce(OLD.rep_id, 0));
END;
CREATE TRIGGER lead_days_update AFTER UPDATE OF agreement_id, rep_id, handoff_day, handed_off_at, breach_at,
    first_attempt_at, response_seconds, attempt_count, last_attempt_at, connected_at, disqualified_at, value, source,
    closed_as, closed_at, revenue ON leads BEGIN
    INSERT OR IGNORE INTO lead_days_dirty VALUES (OLD.agreement_id, OLD.handoff_day, coalesce(OLD.rep_id, 0));
    INSERT OR IGNORE INTO lead_days_dirty VALUES (NEW.agreement_id, NEW.handoff_day, coalesce(NEW.rep_id, 0));
END;
"""


def unconnected(table: str = "") -> str:
    """Depth counts leads sales has not reached and not disqualified (DESIGN.md: disqualified leaves the metric);
    `table` qualifies the columns where a join makes them ambiguous."""
    prefix = f"{table}." if table else ""
    return f"{prefix}connected_at IS NULL AND {prefix}disqualified_at IS NULL"


# The groups of the leads `l`, in the column order of lead_days. Only answered leads have a response time; a
# lead's first attempt is in time when it comes no later than its breach instant (kept per lead, with the terms
# in force at its handoff). The cohort is the recalibration's (marketing leads, customers).
_GROUPS = f"""
SELECT l.agreement_id, l.handoff_day, coalesce(l.rep_id, 0),
    count(*),
    coalesce(sum(l.value), 0),
    count(*) FILTER (WHERE l.first_attempt_at <= l.breach_at),
    count(*) FILTER (WHERE l.first_attempt_at > l.breach_at),
    count(*) FILTER (WHERE l.first_attempt_at IS NULL),
    coalesce(sum(l.response_seconds), 0),
    count(l.first_attempt_at),
    count(*) FILTER (WHERE {unconnected("l")}),
    coalesce(sum(l.attempt_count) FILTER (WHERE {unconnected("l")}), 0),
    count(*) FILTER (WHERE l.attempt_count > 0),
    count(*) FILTER (WHERE l.source = 'marketing'),
    count(*) FILTER (WHERE l.source = 'marketing' AND l.closed_as = 'customer'),
    coalesce(sum(l.revenue) FILTER (WHERE l.source = 'marketing' AND l.closed_as = 'customer'), 0),
    json_group_array(l.response_seconds) FILTER (WHERE l.first_attempt_at IS NOT NULL),
    max(max(l.handed_off_at, coalesce(l.first_attempt_at, l.breach_at + 1), coalesce(l.last_attempt_at, 0),
            coalesce(l.connected_at, 0), coalesce(l.disqualified_at, 0), coalesce(l.closed_at, 0)))
"""

# Every group from scratch (the schema migration, and after a bulk load into an empty leads table).
REBUILD = f"""
INSERT INTO lead_days {_GROUPS}
FROM leads l
GROUP BY l.agreement_id, l.handoff_day, l.rep_id
"""


def create(conn: sqlite3.Connection) -> None:
    """The rollup's tables and triggers, filled from the leads already there (a schema migration)."""
    from slatui.store.schema import _run

    _run(conn, TABLES + REBUILD + ";")


def rebuild(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM lead_days")
    conn.execute("DELETE FROM lead_days_dirty")
    conn.execute(REBUILD)


def refresh(conn: sqlite3.Connection) -> None:
    """Recompute the groups writes have touched (inside the writer's transaction, before it commits)."""
    if not conn.execute("SELECT EXISTS (SELECT 1 FROM lead_days_dirty)").fetchone()[0]:
        return
    conn.execute("DELETE FROM lead_days WHERE (agreement_id, day, rep_key) IN "
                 "(SELECT agreement_id, day, rep_key FROM lead_days_dirty)")
    conn.execute(
        f"INSERT INTO lead_days {_GROUPS} "
        # CROSS JOIN keeps the few dirty groups as the outer loop: SQLite would rather scan every lead. INDEXED BY:
        # the dirty table is empty whenever statistics are gathered, so it has none; taking it for a big table,
        # SQLite built an automatic index over every lead at each refresh (1-3 s a write at 1M leads).
        "FROM lead_days_dirty d CROSS JOIN leads l INDEXED BY leads_by_agreement_day "
        "ON l.agreement_id = d.agreement_id AND l.handoff_day = d.day "
        "AND l.rep_id IS nullif(d.rep_key, 0) "
        "GROUP BY l.agreement_id, l.handoff_day, l.rep_id"
    )
    conn.execute("DELETE FROM lead_days_dirty")


def _dirty_days(conn: sqlite3.Connection, agreement_id: int, first: str, last: str) -> set[str]:
    return {day for (day,) in conn.execute(
        "SELECT day FROM lead_days_dirty WHERE agreement_id = ? AND day BETWEEN ? AND ?", (agreement_id, first, last)
    )}


def settled_groups(
    conn: sqlite3.Connection, agreement_id: int, first: str, last: str, as_of: int, columns: str
) -> tuple[list[dict[str, Any]], list[str]]:
    """The stored groups (`columns` of them, with `day` and `rep_id`) of the days from `first` to `last`
    whose figures hold as of `as_of`, and the other days of the range that have leads: read those from
    the leads."""
    rows = conn.execute(
        f"SELECT day, nullif(rep_key, 0) AS rep_id, settled_at, {columns} FROM lead_days "
        "WHERE agreement_id = ? AND day BETWEEN ? AND ? ORDER BY day, rep_key",
        (agreement_id, first, last),
    ).fetchall()
    unsettled = _dirty_days(conn, agreement_id, first, last)
    unsettled.update(row[0] for row in rows if row[2] > as_of)
    return [dict(row) for row in rows if row[0] not in unsettled], sorted(unsettled)


def cohort(conn: sqlite3.Connection, agreement_id: int, first: str, last: str,
           as_of: int) -> tuple[int, int, float] | None:
    """The recalibration's cohort of the days from `first` to `last` (marketing leads, those that became
    customers, their revenue), or None while a day of the range is unrefreshed or not settled by `as_of`."""
    if _dirty_days(conn, agreement_id, first, last):
        return None
    count, customers, revenue, settled_at = conn.execute(
        "SELECT coalesce(sum(marketing_leads), 0), coalesce(sum(customers), 0), coalesce(sum(customer_revenue), 0), "
        "coalesce(max(settled_at), 0) FROM lead_days WHERE agreement_id = ? AND day BETWEEN ? AND ?",
        (agreement_id, first, last),
    ).fetchone()
    return None if settled_at > as_of else (count, customers, revenue)
