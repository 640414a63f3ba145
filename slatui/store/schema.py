"""Schema and `PRAGMA user_version` migrations.

Instants are INTEGER UTC epoch seconds (fast to compare and aggregate); local dates are
ISO text in the agreement's zone. Each lead row carries its derived facts so reports never
re-scan attempts.
"""

from __future__ import annotations

import sqlite3


def _one_of(col: str, values: tuple[str, ...]) -> str:
    # Not `col IN (...)`: SQLite builds a temporary b-tree from a list of more than two constants on every
    # INSERT that checks it (6 µs a row here, half of a bulk insert); a chain of comparisons costs next to nothing.
    return "(" + " OR ".join(f"{col} = '{v}'" for v in values) + ")"


def _enum(col: str, values: tuple[str, ...]) -> str:
    return f"CHECK {_one_of(col, values)}"


def _v1(conn: sqlite3.Connection) -> None:
    from slatui.vocabulary import AGREEMENT_KINDS, AGREEMENT_STATUSES, CHANNELS, LEAD_SOURCES, OUTCOMES

    _run(conn, f"""
CREATE TABLE agreements (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0),
    kind TEXT NOT NULL {_enum("kind", AGREEMENT_KINDS)},
    status TEXT NOT NULL {_enum("status", AGREEMENT_STATUSES)},
    parties TEXT NOT NULL CHECK (json_valid(parties)),
    summary TEXT NOT NULL DEFAULT '',
    contacts TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(contacts)),
    plan_if_missed TEXT NOT NULL DEFAULT '',
    cancellation_terms TEXT NOT NULL DEFAULT '',
    effective_from TEXT CHECK (effective_from IS NULL OR date(effective_from) = effective_from),
    effective_to TEXT CHECK (effective_to IS NULL OR date(effective_to) = effective_to),
    review_date TEXT CHECK (review_date IS NULL OR date(review_date) = review_date),
    lead_goal INTEGER NOT NULL CHECK (lead_goal >= 0),
    respond_within_seconds INTEGER NOT NULL CHECK (respond_within_seconds > 0),
    compliance_threshold REAL NOT NULL CHECK (compliance_threshold BETWEEN 0 AND 1),
    min_attempts INTEGER NOT NULL CHECK (min_attempts >= 0),
    miss_limit INTEGER NOT NULL DEFAULT 3 CHECK (miss_limit >= 1),
    sales_quota REAL CHECK (sales_quota IS NULL OR sales_quota >= 0),
    tz TEXT NOT NULL,
    hours TEXT,
    holiday_countries TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(holiday_countries)),
    holiday_dates TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(holiday_dates)),
    tier_values TEXT NOT NULL DEFAULT '{{}}' CHECK (json_valid(tier_values)),
    CHECK (effective_to IS NULL OR effective_from IS NULL OR effective_to >= effective_from)
);

CREATE TABLE reps (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0),
    team TEXT NOT NULL DEFAULT '',
    weekly_capacity INTEGER NOT NULL DEFAULT 50 CHECK (weekly_capacity >= 0)
);

CREATE TABLE leads (
    id INTEGER PRIMARY KEY,
    agreement_id INTEGER NOT NULL REFERENCES agreements(id),
    rep_id INTEGER REFERENCES reps(id),
    name TEXT NOT NULL,
    company TEXT NOT NULL DEFAULT '',
    email TEXT,
    tier TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL {_enum("source", LEAD_SOURCES)},
    value REAL CHECK (value IS NULL OR value >= 0),
    handed_off_at INTEGER NOT NULL,
    status TEXT NOT NULL {_enum("status", ("open", "connected", "customer", "disqualified"))},
    revenue REAL CHECK (revenue IS NULL OR revenue >= 0),
    closed_at INTEGER CHECK (closed_at IS NULL OR closed_at >= handed_off_at),
    external_id TEXT,
    -- derived facts, written in the same transaction as the attempts they come from
    handoff_day TEXT NOT NULL,
    deadline_at INTEGER NOT NULL,
    first_attempt_at INTEGER CHECK (first_attempt_at IS NULL OR first_attempt_at >= handed_off_at),
    response_seconds INTEGER CHECK (response_seconds IS NULL OR response_seconds >= 0),
    attempt_count INTEGER NOT NULL DEFAULT 0 CHECK (attempt_count >= 0),
    connected INTEGER NOT NULL DEFAULT 0 CHECK (connected IN (0, 1)),
    UNIQUE (agreement_id, external_id)
);
-- Covers every per-period SLA aggregate (and the recalibration's cohort), so reports read the index and
-- never the table; rep_id right after the day lets a per-day, per-rep GROUP BY follow the index unsorted.
CREATE INDEX leads_by_agreement_day ON leads (
    agreement_id, handoff_day, rep_id, handed_off_at, first_attempt_at, deadline_at, response_seconds,
    attempt_count, connected, status, value, source, revenue
);
-- Revenue closed in a period (the recalibration) without scanning every lead of the agreement.
CREATE INDEX leads_closed ON leads (agreement_id, closed_at) WHERE status = 'customer';
CREATE INDEX leads_by_rep ON leads (rep_id, handed_off_at);
CREATE INDEX leads_by_handoff ON leads (handed_off_at);
CREATE INDEX leads_open_queue ON leads (status, first_attempt_at, deadline_at);

CREATE TABLE attempts (
    id INTEGER PRIMARY KEY,
    lead_id INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    channel TEXT NOT NULL {_enum("channel", CHANNELS)},
    outcome TEXT NOT NULL {_enum("outcome", OUTCOMES)},
    rep_id INTEGER REFERENCES reps(id),
    note TEXT NOT NULL DEFAULT '',
    external_id TEXT,
    UNIQUE (lead_id, external_id)
);
CREATE INDEX attempts_by_lead ON attempts (lead_id, at);

-- Public holidays by country code and year, saved when an agreement is written, so that quick
-- commands need not load the holidays package (it imports every country: over 100 ms).
CREATE TABLE holiday_years (
    country TEXT NOT NULL,
    year INTEGER NOT NULL,
    days TEXT NOT NULL CHECK (json_valid(days)),
    PRIMARY KEY (country, year)
) WITHOUT ROWID;

-- Last line of defence behind the models: an attempt before its lead's handoff is invalid input.
CREATE TRIGGER attempts_after_handoff BEFORE INSERT ON attempts
WHEN NEW.at < (SELECT handed_off_at FROM leads WHERE id = NEW.lead_id)
BEGIN
    SELECT RAISE(ABORT, 'attempt before its lead''s handoff');
END;
""")


def _v2(conn: sqlite3.Connection) -> None:
    """Version 2 added the per-day rollup (`lead_days`). Version 3 drops and rebuilds it with its own columns,
    so a file still at version 1 goes straight to that: there is nothing to do here."""


def _v3(conn: sqlite3.Connection) -> None:
    from slatui.store import schema_v3

    schema_v3.migrate(conn)


# Each entry takes the schema from version i to i + 1. Released versions keep their end state.
MIGRATIONS = [_v1, _v2, _v3]
SCHEMA_VERSION = len(MIGRATIONS)


def apply(conn: sqlite3.Connection, current: int) -> None:
    """Run the migrations after `current` in one transaction, then record the new version.

    Foreign keys are off meanwhile (tables are rebuilt; SQLite ignores the pragma inside a transaction),
    and checked before the commit.
    """
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("BEGIN IMMEDIATE")
    try:
        for migration in MIGRATIONS[current:]:
            migration(conn)
        problems = conn.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise sqlite3.IntegrityError(f"foreign keys broken by the upgrade: {problems[:3]}")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    finally:
        conn.execute("PRAGMA foreign_keys = ON")


def _run(conn: sqlite3.Connection, script: str) -> None:
    for statement in _statements(script):
        conn.execute(statement)


def _statements(script: str) -> list[str]:
    # executescript() would commit the open transaction; split on complete statements instead.
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        if line.lstrip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    return statements
