"""Schema version 3: effective-dated terms, final breaches, the follow-up plan, corrections and their history.

- `agreement_terms`: the targets and clock of an agreement, one row per month from which they changed.
  The agreement row keeps what is not effective-dated (its sections, dates, quota, closed days, tier values).
- leads: `closed_as` (won, lost or disqualified by hand or by an import) with `closed_at` and `close_reason`;
  `status` becomes a derived fact (closed, else disqualified by an attempt, else connected, else open), with
  `breach_at` (the last instant the first attempt still counts as in time), `connected_at`,
  `last_attempt_at`, `disqualified_at` (so a report as of the past sees each lead as it was) and
  `next_due_at` (the follow-up plan; NULL once the lead leaves it), and `snoozed_until`.
- reps: `active`; `changes` and `change_rows`: the change log (who, when, from where, old and new values);
  `settings`; `recompute_jobs`: clock changes applied to existing leads in short batches.

Facts that need the business calendar (`breach_at`, `next_due_at`) are filled by a recompute job that the
store runs after the upgrade, in batches.
"""

from __future__ import annotations

import sqlite3

from slatui.store import rollups
from slatui.store.schema import _enum, _one_of, _run
from slatui.vocabulary import AGREEMENT_KINDS, AGREEMENT_STATUSES, CLOSED_STATUSES, LEAD_SOURCES, LEAD_STATUSES

AGREEMENTS = f"""
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
    sales_quota REAL CHECK (sales_quota IS NULL OR sales_quota >= 0),
    -- Closed days given by hand are corrections: they apply whichever version of the terms is in force.
    holiday_dates TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(holiday_dates)),
    tier_values TEXT NOT NULL DEFAULT '{{}}' CHECK (json_valid(tier_values)),
    CHECK (effective_to IS NULL OR effective_from IS NULL OR effective_to >= effective_from)
);
CREATE TABLE agreement_terms (
    agreement_id INTEGER NOT NULL REFERENCES agreements(id) ON DELETE CASCADE,
    from_month TEXT NOT NULL CHECK (from_month GLOB '[12][0-9][0-9][0-9]-[01][0-9]'),
    lead_goal INTEGER NOT NULL CHECK (lead_goal >= 0),
    respond_within_seconds INTEGER NOT NULL CHECK (respond_within_seconds > 0),
    compliance_threshold REAL NOT NULL CHECK (compliance_threshold BETWEEN 0 AND 1),
    min_attempts INTEGER NOT NULL CHECK (min_attempts >= 0),
    miss_limit INTEGER NOT NULL DEFAULT 3 CHECK (miss_limit >= 1),
    tz TEXT NOT NULL,
    hours TEXT,
    holiday_countries TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(holiday_countries)),
    cadence TEXT,
    PRIMARY KEY (agreement_id, from_month)
) WITHOUT ROWID;
"""

LEADS = f"""
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
    closed_as TEXT CHECK (closed_as IS NULL OR {_one_of("closed_as", CLOSED_STATUSES)}),
    closed_at INTEGER CHECK (closed_at IS NULL OR (closed_as IS NOT NULL AND closed_at >= handed_off_at)),
    close_reason TEXT NOT NULL DEFAULT '',
    revenue REAL CHECK (revenue IS NULL OR (revenue >= 0 AND closed_as = 'customer')),
    external_id TEXT,
    snoozed_until INTEGER,
    -- derived facts, written in the same transaction as the attempts and edits they come from
    status TEXT NOT NULL {_enum("status", LEAD_STATUSES)},
    handoff_day TEXT NOT NULL,
    deadline_at INTEGER NOT NULL,
    breach_at INTEGER NOT NULL CHECK (breach_at >= deadline_at),
    first_attempt_at INTEGER CHECK (first_attempt_at IS NULL OR first_attempt_at >= handed_off_at),
    response_seconds INTEGER CHECK (response_seconds IS NULL OR response_seconds >= 0),
    attempt_count INTEGER NOT NULL DEFAULT 0 CHECK (attempt_count >= 0),
    connected INTEGER NOT NULL DEFAULT 0 CHECK (connected IN (0, 1)),
    connected_at INTEGER,
    last_attempt_at INTEGER,
    disqualified_at INTEGER,
    next_due_at INTEGER,
    UNIQUE (agreement_id, external_id)
);
"""

# Covers every per-period SLA aggregate read from the leads (days the rollup has not settled, and reports as
# of the past): a lead's speed status needs only its handoff, first attempt and breach instant; depth needs its
# attempts, last attempt, connection and disqualification instants. rep_id right after the day lets a per-day,
# per-rep GROUP BY follow the index unsorted.
LEAD_INDEXES = """
CREATE INDEX leads_by_agreement_day ON leads (
    agreement_id, handoff_day, rep_id, handed_off_at, first_attempt_at, breach_at, response_seconds,
    attempt_count, last_attempt_at, connected_at, disqualified_at, value, source, closed_as, revenue
);
CREATE INDEX leads_closed ON leads (agreement_id, closed_at) WHERE closed_as = 'customer';
CREATE INDEX leads_by_rep ON leads (rep_id, handed_off_at);
CREATE INDEX leads_by_handoff ON leads (handed_off_at);
-- Counts of the leads list by status (open, connected, …), read from an index rather than the table.
CREATE INDEX leads_by_status ON leads (status, handed_off_at);
-- One agreement's leads newest first (the leads list filtered by agreement): without it, a small old agreement's
-- first page walks every newer lead of the others.
CREATE INDEX leads_by_agreement_handoff ON leads (agreement_id, handed_off_at);
-- The follow-up plan: only leads still owed an attempt are in it, so the queue and the status line read
-- what can be due, not the history.
CREATE INDEX leads_plan ON leads (next_due_at) WHERE next_due_at IS NOT NULL;
CREATE INDEX leads_plan_by_agreement ON leads (agreement_id, next_due_at) WHERE next_due_at IS NOT NULL;
-- One rep's plan (my queue, my status line): without it a rep's figures look at every row of the plan, or at
-- the rep's whole history.
CREATE INDEX leads_plan_by_rep ON leads (rep_id, agreement_id, next_due_at) WHERE next_due_at IS NOT NULL;
-- Leads never reached whose cadence is done: counted on the queue (of an agreement, of a rep), never listed as work.
CREATE INDEX leads_cadence_done ON leads (agreement_id, rep_id) WHERE status = 'open' AND next_due_at IS NULL;
"""

ATTEMPTS_TRIGGER = """
-- Last line of defence behind the models: an attempt before its lead's handoff is invalid input.
CREATE TRIGGER attempts_after_handoff BEFORE INSERT ON attempts
WHEN NEW.at < (SELECT handed_off_at FROM leads WHERE id = NEW.lead_id)
BEGIN
    SELECT RAISE(ABORT, 'attempt before its lead''s handoff');
END;
CREATE TRIGGER attempts_after_handoff_on_edit BEFORE UPDATE OF at, lead_id ON attempts
WHEN NEW.at < (SELECT handed_off_at FROM leads WHERE id = NEW.lead_id)
BEGIN
    SELECT RAISE(ABORT, 'attempt before its lead''s handoff');
END;
"""

CHANGES = """
-- The change log: one row per change a person made (a command, a form, an import), and the rows it wrote.
CREATE TABLE changes (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    user TEXT NOT NULL,
    origin TEXT NOT NULL,
    summary TEXT NOT NULL,
    undoes INTEGER REFERENCES changes(id),
    undone_by INTEGER REFERENCES changes(id)
);
-- old/new are the row's own values as JSON (NULL old: inserted; NULL new: deleted). An insert of many rows by an
-- import is one row with the id range [row_id, last_row_id] and no values.
CREATE TABLE change_rows (
    change_id INTEGER NOT NULL REFERENCES changes(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    tbl TEXT NOT NULL CHECK (tbl = 'agreements' OR tbl = 'agreement_terms' OR tbl = 'reps' OR tbl = 'leads'
                             OR tbl = 'attempts'),
    row_id INTEGER NOT NULL,
    last_row_id INTEGER,
    lead_id INTEGER,
    agreement_id INTEGER,
    old TEXT CHECK (old IS NULL OR json_valid(old)),
    new TEXT CHECK (new IS NULL OR json_valid(new)),
    PRIMARY KEY (change_id, seq)
) WITHOUT ROWID;
CREATE INDEX change_rows_by_lead ON change_rows (lead_id, change_id) WHERE lead_id IS NOT NULL;
CREATE INDEX change_rows_by_agreement ON change_rows (agreement_id, change_id) WHERE agreement_id IS NOT NULL;
CREATE INDEX change_rows_by_row ON change_rows (tbl, row_id);

CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

-- A change of an agreement's clock, applied to its leads handed off since `since` in short transactions (so
-- other writers never wait long), resumable: leads with an id below `next_lead_id` are done.
CREATE TABLE recompute_jobs (
    agreement_id INTEGER PRIMARY KEY REFERENCES agreements(id) ON DELETE CASCADE,
    since INTEGER NOT NULL,
    next_lead_id INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL,
    done INTEGER NOT NULL DEFAULT 0
);
"""

_TERMS_COLUMNS = ("lead_goal, respond_within_seconds, compliance_threshold, min_attempts, miss_limit, tz, hours, "
                  "holiday_countries")
_AGREEMENT_COLUMNS = ("id, name, kind, status, parties, summary, contacts, plan_if_missed, cancellation_terms, "
                      "effective_from, effective_to, review_date, sales_quota, holiday_dates, tier_values")


def migrate(conn: sqlite3.Connection) -> None:
    """From version 2 (or 1, whose rollup version 2 would have added and this drops anyway)."""
    for kind, name in (("TRIGGER", "lead_days_insert"), ("TRIGGER", "lead_days_delete"),
                       ("TRIGGER", "lead_days_update"), ("TRIGGER", "attempts_after_handoff"),
                       ("TABLE", "lead_days"), ("TABLE", "lead_days_dirty")):
        conn.execute(f"DROP {kind} IF EXISTS {name}")

    # SQLite's way to change a table (lang_altertable.html, "making other kinds of table schema changes"): create
    # the new one under another name, copy, drop the old one, rename the new one (references to the name follow).
    _run(conn, AGREEMENTS.replace("CREATE TABLE agreements (", "CREATE TABLE agreements_v3 ("))
    conn.execute(f"INSERT INTO agreements_v3 ({_AGREEMENT_COLUMNS}) SELECT {_AGREEMENT_COLUMNS} FROM agreements")
    # One version per agreement: the first, which covers every month (a later edit may start another).
    conn.execute(f"INSERT INTO agreement_terms (agreement_id, from_month, {_TERMS_COLUMNS}) "
                 f"SELECT id, '1970-01', {_TERMS_COLUMNS} FROM agreements")

    _run(conn, LEADS.replace("CREATE TABLE leads (", "CREATE TABLE leads_v3 ("))
    # An explicit close is what version 2 stored as a customer, or as disqualified with no disqualifying attempt
    # behind it (an import); the attempts give the new facts.
    conn.execute("""
        INSERT INTO leads_v3 (id, agreement_id, rep_id, name, company, email, tier, source, value, handed_off_at,
            closed_as, closed_at, revenue, external_id, status, handoff_day, deadline_at, breach_at,
            first_attempt_at, response_seconds, attempt_count, connected, connected_at, last_attempt_at,
            disqualified_at)
        SELECT l.id, l.agreement_id, l.rep_id, l.name, l.company, l.email, l.tier, l.source, l.value, l.handed_off_at,
            CASE WHEN l.status = 'customer' THEN 'customer'
                 WHEN l.status = 'disqualified' AND t.disqualified_at IS NULL THEN 'disqualified' END,
            CASE WHEN l.status = 'customer' THEN l.closed_at
                 WHEN l.status = 'disqualified' AND t.disqualified_at IS NULL THEN l.handed_off_at END,
            l.revenue, l.external_id, l.status, l.handoff_day, l.deadline_at, l.deadline_at,
            l.first_attempt_at, l.response_seconds, l.attempt_count, l.connected, t.connected_at, t.last_attempt_at,
            CASE WHEN l.status = 'disqualified' THEN coalesce(t.disqualified_at, l.handed_off_at) END
        FROM leads l LEFT JOIN (
            SELECT lead_id, max(at) AS last_attempt_at,
                min(at) FILTER (WHERE outcome = 'connected' OR outcome = 'meeting_booked') AS connected_at,
                min(at) FILTER (WHERE outcome = 'disqualified') AS disqualified_at
            FROM attempts GROUP BY lead_id
        ) t ON t.lead_id = l.id
    """)
    for table in ("leads", "agreements"):
        conn.execute(f"DROP TABLE {table}")
        conn.execute(f"ALTER TABLE {table}_v3 RENAME TO {table}")
    _run(conn, LEAD_INDEXES + ATTEMPTS_TRIGGER + CHANGES)
    conn.execute("ALTER TABLE reps ADD COLUMN active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))")
    # breach_at and next_due_at need each agreement's business calendar: a job per agreement fills them.
    conn.execute("INSERT INTO recompute_jobs (agreement_id, since, total) "
                 "SELECT a.id, 0, (SELECT count(*) FROM leads l WHERE l.agreement_id = a.id) FROM agreements a")
    rollups.create(conn)
