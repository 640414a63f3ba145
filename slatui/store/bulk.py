"""Bulk SQL for imports and exports.

The import's writes run inside the caller's `Store.change()`, so an import is all or nothing and logged
(new leads and attempts as id ranges, changed leads row by row); lookups take a chunk of keys at once. What an import needs to find beyond the leads' own indexes (leads
by email, by another id) goes in temporary tables, so that its memory does not grow with the file.

Exports stream in one read transaction (a consistent snapshot that blocks no writer), with local
times formatted by SQLite itself.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slatui.errors import SlatuiError
from slatui.models import Agreement, Rep
from slatui.store.database import Store
from slatui.store.facts import ATTEMPT_FACT_COLUMNS
from slatui.store.rows import ATTEMPT_SUMMARY_SQL, BULK_LEAD_COLUMNS, LEAD_ZONE_SQL, LeadValues

_CHUNK = 500
# Indexes an import looks leads and attempts up by: kept while a load into an empty database drops the rest.
IMPORT_INDEXES = ("leads_by_handoff", "attempts_by_lead")
_TEMP_TABLES = ("import_emails", "import_aliases", "import_repeats")


def _chunks(items: Iterable[Any]) -> Iterator[list[Any]]:
    items = list(items)
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


def _marks(items: list[Any]) -> str:
    return ", ".join("?" * len(items))


# ---- lookups ------------------------------------------------------------------------------------


@contextmanager
def larger_cache(store: Store, megabytes: int) -> Iterator[None]:
    """A bigger page cache for one bulk job (an import's lookups land all over a large file), then the usual."""
    before = store.conn.execute("PRAGMA cache_size").fetchone()[0]
    store.conn.execute(f"PRAGMA cache_size = -{int(megabytes) * 1024}")
    try:
        yield
    finally:
        store.conn.execute(f"PRAGMA cache_size = {int(before)}")


def next_id(store: Store, table: str) -> int:
    return store.conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0]


def reps(store: Store) -> list[tuple[int, str]]:
    return [tuple(row) for row in store.conn.execute("SELECT id, name FROM reps ORDER BY id")]


# What an import compares a stored lead with: its own values (`LeadValues`: `status` is how it was closed, or
# "open"), the rest of what the change log keeps of it, and the facts that tell what the import may change.
_COMPARED = {"id": "id", **{name: name for name in LeadValues._fields}, "status": "coalesce(closed_as, 'open')",
             "close_reason": "close_reason", "snoozed_until": "snoozed_until", "first_attempt_at": "first_attempt_at",
             "handoff_day": "handoff_day", "deadline_at": "deadline_at", "breach_at": "breach_at"}
_COMPARED_SQL = ", ".join(_COMPARED.values())


def leads_by_external_id(store: Store, agreement_id: int, external_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Stored leads of one agreement (the columns of `_COMPARED`), keyed by their external id."""
    found = {}
    for chunk in _chunks(set(external_ids)):
        for row in _tuples(store, f"SELECT {_COMPARED_SQL} FROM leads WHERE agreement_id = {int(agreement_id)} "
                                  f"AND external_id IN ({_marks(chunk)})", chunk):
            lead = dict(zip(_COMPARED, row))
            found[lead["external_id"]] = lead
    return found


def targets_by_external_id(store: Store, agreement_id: int, external_ids: Iterable[str]) -> dict[str, list[tuple]]:
    """[(id, handed_off_at, rep_id)] of the lead with each external id: what an attempt needs of its lead."""
    found = {}
    for chunk in _chunks(set(external_ids)):
        for lead_id, external_id, handed_off_at, rep_id in store.conn.execute(
            f"SELECT id, external_id, handed_off_at, rep_id FROM leads WHERE agreement_id = ? "
            f"AND external_id IN ({_marks(chunk)})", (agreement_id, *chunk)
        ):
            found[external_id] = [(lead_id, handed_off_at, rep_id)]
    return found


def leads_by_natural_key(
    store: Store, agreement_id: int, keys: Iterable[tuple[str, int]]
) -> dict[tuple[str, int], dict[str, Any]]:
    """Stored leads without an external id, keyed by (name, handed_off_at): a lead logged by hand is
    the one with the same name handed off at the same second."""
    keys = set(keys)
    found = {}
    for chunk in _chunks({at for _, at in keys}):
        # The unary + keeps SQLite on the handed_off_at index rather than scanning the agreement.
        for row in _tuples(store, f"SELECT {_COMPARED_SQL} FROM leads WHERE handed_off_at IN ({_marks(chunk)}) "
                                  f"AND +agreement_id = {int(agreement_id)} AND +external_id IS NULL ORDER BY id",
                           chunk):
            lead = dict(zip(_COMPARED, row))
            key = (lead["name"], lead["handed_off_at"])
            if key in keys:
                found.setdefault(key, lead)
    return found


def index_emails(store: Store, agreement_id: int) -> None:
    """Index an agreement's leads by case-folded email for this import (leads have no email index)."""
    conn = store.conn
    conn.create_function("slatui_casefold", 1, str.casefold, deterministic=True)
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS import_emails (agreement_id INTEGER, email TEXT, lead_id INTEGER)")
    conn.execute("CREATE INDEX IF NOT EXISTS temp.import_emails_key ON import_emails (agreement_id, email)")
    conn.execute("INSERT INTO temp.import_emails SELECT agreement_id, slatui_casefold(email), id FROM leads "
                 "WHERE agreement_id = ? AND email IS NOT NULL", (agreement_id,))


def note_email(store: Store, agreement_id: int, lead_id: int, email: str | None) -> None:
    """Keep the email index of `index_emails` up to date with a lead this import wrote."""
    store.conn.execute("DELETE FROM temp.import_emails WHERE lead_id = ?", (lead_id,))
    if email:
        store.conn.execute("INSERT INTO temp.import_emails VALUES (?, ?, ?)", (agreement_id, email.casefold(), lead_id))


def targets_by_email(store: Store, agreement_id: int, emails: Iterable[str]) -> dict[str, list[tuple]]:
    """[(id, handed_off_at, rep_id)] of the leads of one agreement with each case-folded email (several may share
    one), through `index_emails`."""
    found: dict[str, list[tuple]] = {}
    for chunk in _chunks({e.casefold() for e in emails}):
        for email, lead_id, handed_off_at, rep_id in store.conn.execute(
            "SELECT e.email, l.id, l.handed_off_at, l.rep_id FROM temp.import_emails e "
            "JOIN leads l ON l.id = e.lead_id "
            f"WHERE e.agreement_id = ? AND e.email IN ({_marks(chunk)}) ORDER BY l.id", (agreement_id, *chunk)
        ):
            found.setdefault(email, []).append((lead_id, handed_off_at, rep_id))
    return found


def note_alias(store: Store, agreement_id: int, kind: str, alias: str, lead_id: int, *, first: bool) -> None:
    """Another name a lead goes by in this import's files (a converted lead's contact id, a JSON export's id)."""
    if first:
        store.conn.execute("CREATE TEMP TABLE IF NOT EXISTS import_aliases (agreement_id INTEGER, kind TEXT, "
                           "alias TEXT, lead_id INTEGER, PRIMARY KEY (agreement_id, kind, alias)) WITHOUT ROWID")
    store.conn.execute("INSERT OR IGNORE INTO temp.import_aliases VALUES (?, ?, ?, ?)",
                       (agreement_id, kind, alias, lead_id))


def targets_by_alias(store: Store, agreement_id: int, kind: str, aliases: Iterable[str]) -> dict[str, list[tuple]]:
    """[(id, handed_off_at, rep_id)] of the lead that goes by each alias of `note_alias`."""
    found = {}
    if not store.conn.execute("SELECT 1 FROM temp.sqlite_master WHERE name = 'import_aliases'").fetchone():
        return found
    for chunk in _chunks(set(aliases)):
        for alias, lead_id, handed_off_at, rep_id in store.conn.execute(
            f"SELECT a.alias, l.id, l.handed_off_at, l.rep_id FROM temp.import_aliases a JOIN leads l "
            f"ON l.id = a.lead_id WHERE a.agreement_id = ? AND a.kind = ? AND a.alias IN ({_marks(chunk)})",
            (agreement_id, kind, *chunk)
        ):
            found[alias] = [(lead_id, handed_off_at, rep_id)]
    return found


def attempt_ids_of_leads(store: Store, lead_ids: Iterable[int]) -> tuple[dict[tuple, int], dict[tuple, list[tuple]]]:
    """The attempts of some leads: ids by (lead id, external id) for those with one (from the unique index alone),
    and (id, at, channel, outcome, rep_id, note) in lists by (lead id, at, channel, outcome) for the others."""
    lead_ids = set(lead_ids)
    by_key: dict[tuple, list[tuple]] = {}
    for chunk in _chunks(lead_ids):
        for attempt_id, lead_id, at, channel, outcome, rep_id, note in _tuples(
                store, "SELECT id, lead_id, at, channel, outcome, rep_id, note FROM attempts "
                       f"WHERE lead_id IN ({_marks(chunk)}) AND external_id IS NULL ORDER BY id", chunk):
            by_key.setdefault((lead_id, at, channel, outcome), []).append((attempt_id, at, channel, outcome, rep_id,
                                                                           note))
    return external_attempt_ids(store, lead_ids), by_key


def external_attempt_ids(store: Store, lead_ids: Iterable[int]) -> dict[tuple[int, str], int]:
    """Ids of the attempts of some leads that have an external id, by (lead id, external id): read from the
    unique index alone."""
    found = {}
    for chunk in _chunks(lead_ids):
        for lead_id, external_id, attempt_id in _tuples(
                store, f"SELECT lead_id, external_id, id FROM attempts WHERE lead_id IN ({_marks(chunk)}) "
                       "AND external_id IS NOT NULL", chunk):
            found[(lead_id, external_id)] = attempt_id
    return found


def stored_attempts(store: Store, agreement_id: int, pairs: Iterable[tuple[str, str]],
                    before: int) -> set[tuple[str, str]]:
    """Which (lead external id, attempt external id) pairs name an attempt of an id below `before` (stored before
    an import): a lookup a pair through both tables' unique indexes, one prepared statement for all (a few µs
    each; a VALUES list joined to both tables made SQLite 3.40 take ~100 µs a pair)."""
    found = set()
    cursor = store.conn.cursor()
    cursor.row_factory = None
    sql = ("SELECT 1 FROM leads l JOIN attempts t ON t.lead_id = l.id AND t.external_id = ?1 "
           "WHERE l.agreement_id = ?2 AND l.external_id = ?3 AND t.id < ?4")
    for lead, attempt in pairs:
        if cursor.execute(sql, (attempt, agreement_id, lead, before)).fetchone() is not None:
            found.add((lead, attempt))
    return found


def attempt_values(store: Store, attempt_id: int) -> tuple:
    """(id, at, channel, outcome, rep_id, note) of one attempt."""
    return tuple(store.conn.execute("SELECT id, at, channel, outcome, rep_id, note FROM attempts WHERE id = ?",
                                    (attempt_id,)).fetchone())


def count_repeat(store: Store, key: tuple[int, int, str, str]) -> int:
    """How many times this import has now met an attempt identical to stored ones (lead, at, channel, outcome)."""
    store.conn.execute("CREATE TEMP TABLE IF NOT EXISTS import_repeats (lead_id INTEGER, at INTEGER, channel TEXT, "
                       "outcome TEXT, seen INTEGER, PRIMARY KEY (lead_id, at, channel, outcome)) WITHOUT ROWID")
    return store.conn.execute(
        "INSERT INTO temp.import_repeats VALUES (?, ?, ?, ?, 1) "
        "ON CONFLICT DO UPDATE SET seen = seen + 1 RETURNING seen", key).fetchone()[0]


def drop_import_tables(store: Store) -> None:
    for table in _TEMP_TABLES:
        store.conn.execute(f"DROP TABLE IF EXISTS temp.{table}")


def facts_from_attempts(store: Store, lead_ids: list[int]) -> list[tuple]:
    """(id, agreement id, handed_off_at, deadline_at, closed_as, closed_at, snoozed_until; the stored facts of
    `ATTEMPT_FACT_COLUMNS`; then what its attempts say, as `facts.AttemptSummary`) of each lead."""
    rows = []
    for chunk in _chunks(lead_ids):
        rows += _tuples(
            store, "SELECT l.id, l.agreement_id, l.handed_off_at, l.deadline_at, l.closed_as, l.closed_at, "
                   f"l.snoozed_until, {', '.join(f'l.{c}' for c in ATTEMPT_FACT_COLUMNS)}, {ATTEMPT_SUMMARY_SQL} "
                   f"FROM leads l LEFT JOIN attempts t ON t.lead_id = l.id WHERE l.id IN ({_marks(chunk)}) "
                   "GROUP BY l.id", chunk,
        ).fetchall()
    return rows


# ---- writes -------------------------------------------------------------------------------------


def ensure_agreement(store: Store, agreement: Agreement) -> tuple[Agreement, bool]:
    """The stored agreement of that name, else the given one added; (agreement, created)."""
    if store._one("SELECT 1 FROM agreements WHERE name = ? COLLATE NOCASE", (agreement.name,)):
        return store.get_agreement(agreement.name), False
    return store.add_agreement(agreement), True


def add_rep(store: Store, rep: Rep) -> int:
    """Add a rep an import names (logged in the import's change); its id."""
    cursor = store.conn.execute("INSERT INTO reps (name, team, weekly_capacity, active) VALUES (?, ?, ?, ?)",
                                (rep.name, rep.team, rep.weekly_capacity, int(rep.active)))
    store._record("reps", cursor.lastrowid, None, store._row("reps", cursor.lastrowid))
    return cursor.lastrowid


def forget_agreements(store: Store, agreement_ids: Iterable[int]) -> None:
    """Drop cached clocks of agreements a rolled-back import created (their ids will be reused)."""
    for agreement_id in agreement_ids:
        store.forget_clock(agreement_id)


def insert_leads(store: Store, rows: list[tuple]) -> None:
    """New leads as tuples in `BULK_LEAD_COLUMNS` order (ids chosen by the caller; logged by `log_inserts`)."""
    if rows:
        store.conn.executemany(f"INSERT INTO leads ({', '.join(BULK_LEAD_COLUMNS)}) "
                               f"VALUES ({_marks(list(BULK_LEAD_COLUMNS))})", rows)


# A stored lead's own values (`LeadValues` order, its close as `closed_as`) and handoff facts, as an import updates.
_UPDATED = (*("closed_as" if name == "status" else name for name in LeadValues._fields), "handoff_day", "deadline_at",
            "breach_at")


def update_leads(store: Store, rows: list[tuple], before: list[dict[str, Any]]) -> None:
    """Overwrite leads' own values and handoff facts (rows in `_UPDATED` order, then the id), logging each with
    its values `before` (as `leads_by_external_id` or `leads_by_natural_key` read them) and after."""
    if not rows:
        return
    store.conn.executemany(f"UPDATE leads SET {', '.join(f'{c} = ?' for c in _UPDATED)} WHERE id = ?", rows)
    for chunk in _chunks(before):
        after = {row["id"]: dict(row) for row in store.conn.execute(
            f"SELECT * FROM leads WHERE id IN ({_marks(chunk)})", [lead["id"] for lead in chunk])}
        for lead in chunk:
            old = {**lead, "closed_as": None if lead["status"] == "open" else lead["status"]}
            new = after[lead["id"]]
            store._record("leads", lead["id"], old, new, lead_id=lead["id"], agreement_id=new["agreement_id"])


def insert_attempts(store: Store, rows: list[tuple]) -> None:
    """(id, lead id, at, channel, outcome, rep id, note, external id) tuples, already checked against their
    leads and the stored attempts."""
    if rows:
        store.conn.executemany("INSERT INTO attempts (id, lead_id, at, channel, outcome, rep_id, note, external_id) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)


def set_facts(store: Store, rows: list[tuple]) -> None:
    """Leads' facts of `ATTEMPT_FACT_COLUMNS`, in that order, then the id."""
    if rows:
        store.conn.executemany(f"UPDATE leads SET {', '.join(f'{c} = ?' for c in ATTEMPT_FACT_COLUMNS)} WHERE id = ?",
                               rows)


def log_inserts(store: Store, table: str, first_id: int, next_id: int) -> None:
    """Log the rows an import inserted from `first_id` (its ids follow each other) as one id range: from the first
    to the last still there (stand-ins the import added and then dropped leave none behind)."""
    low, high = store.conn.execute(f"SELECT min(id), max(id) FROM {table} WHERE id BETWEEN ? AND ?",
                                   (first_id, next_id - 1)).fetchone()
    if low is not None:
        store._record_range(table, low, high)


def drop_stand_ins(store: Store, lead_ids: Iterable[int], external_id: str, logged_below: int) -> int:
    """Delete the stand-in attempt `external_id` from leads that now have real attempts; how many went. Those of
    an id below `logged_below` (an earlier import's) are logged, so that undoing this import puts them back; this
    import's own are in its range of new attempts."""
    dropped = 0
    for chunk in _chunks(lead_ids):
        stand_ins = store.conn.execute(
            "SELECT t.*, l.agreement_id AS agreement_id_ FROM attempts t JOIN leads l ON l.id = t.lead_id "
            f"WHERE t.external_id = ? AND t.lead_id IN ({_marks(chunk)}) "
            "AND EXISTS (SELECT 1 FROM attempts o WHERE o.lead_id = t.lead_id AND o.id != t.id)",
            (external_id, *chunk),
        ).fetchall()
        for row in stand_ins:
            attempt = dict(row)
            agreement_id = attempt.pop("agreement_id_")
            if attempt["id"] < logged_below:
                store._record("attempts", attempt["id"], attempt, None, lead_id=attempt["lead_id"],
                              agreement_id=agreement_id)
        ids = [row["id"] for row in stand_ins]
        store.conn.execute(f"DELETE FROM attempts WHERE id IN ({_marks(ids)})", ids)
        dropped += len(ids)
    return dropped


# ---- exports ------------------------------------------------------------------------------------


@contextmanager
def twin_snapshots(store: Store, begin_twin: Callable[[], None] | None) -> Iterator[bool]:
    """`store` in a read transaction on the same snapshot as another connection, so that two tables can be exported
    side by side: `begin_twin` has that connection (perhaps in another process) begin its read transaction, and
    returns once it has. Both begin while a third connection holds the write lock for an instant, so no commit can
    land between them. False, and `begin_twin` not called, where that lock cannot be had (a read-only file, or a
    writer that holds it long) or there is no twin: then `store` alone, in `Store.snapshot`."""
    try:
        lock = Store(store.path) if begin_twin is not None else None
    except SlatuiError:
        lock = None
    if lock is None:
        with store.snapshot():
            yield False
        return
    try:
        try:
            lock.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            with store.snapshot():
                yield False
            return
        try:
            begin_read(store)
            begin_twin()
        except BaseException:
            if store.conn.in_transaction:
                store.conn.execute("ROLLBACK")
            raise
        finally:
            lock.conn.execute("ROLLBACK")
        try:
            yield True
        finally:
            if store.conn.in_transaction:
                store.conn.execute("COMMIT")
    finally:
        lock.close()


def begin_read(store: Store) -> None:
    """Begin a read transaction on the file as it is now (SQLite takes the snapshot at the first read)."""
    store.conn.execute("BEGIN")
    store.conn.execute("SELECT count(*) FROM agreements").fetchone()


REP_EXPORT = ("id", "name", "team", "weekly_capacity", "active")


def export_reps(store: Store) -> sqlite3.Cursor:
    return _tuples(store, f"SELECT {', '.join(REP_EXPORT)} FROM reps ORDER BY id")


LEAD_EXPORT = ("id", "agreement", "external_id", "name", "company", "email", "tier", "source", "value", "rep",
               "handed_off_at", "handoff_day", "status", "closed_as", "revenue", "closed_at", "deadline_at",
               "first_attempt_at", "response_seconds", "response", "attempt_count", "connected")
ATTEMPT_EXPORT = ("id", "lead_id", "agreement", "at", "channel", "outcome", "rep", "note", "external_id")
# Text a person or a CRM wrote: a spreadsheet might run it as a formula, and it may need quoting in CSV.
_LEAD_TEXT = {"agreement", "external_id", "name", "company", "email", "tier", "rep"}
_ATTEMPT_TEXT = {"agreement", "rep", "note", "external_id"}
_LEAD_REAL = {"value", "revenue"}
# Columns that are the name of the row's agreement (`a`) or rep (`r`), the tables `source` joins as {agreements} and
# {reps}: the same few names on millions of rows.
_NAMES = {"agreement", "rep"}


def export_leads(store: Store, *, sheet_safe: Callable[[Any], Any] | None = None,
                 csv_lines: bool = False) -> Iterable[Any]:
    """Every lead (columns `LEAD_EXPORT`), in id order, times in ISO 8601 in its zone (that of the terms in force at
    its handoff), the response time also as `format_duration` writes it; with `sheet_safe`, its text made safe for
    spreadsheets; with `csv_lines`, blocks of CSV lines instead of rows (see `_csv_blocks`)."""
    iso = _local_times(store)
    columns = {
        "id": "l.id", "agreement": "a.name", "external_id": "l.external_id", "name": "l.name",
        "company": "l.company", "email": "l.email", "tier": "l.tier", "source": "l.source", "value": "l.value",
        "rep": "r.name", "handed_off_at": iso("l.handed_off_at"), "handoff_day": "l.handoff_day",
        "status": "l.status", "closed_as": "l.closed_as", "revenue": "l.revenue", "closed_at": iso("l.closed_at"),
        "deadline_at": iso("l.deadline_at"), "first_attempt_at": iso("l.first_attempt_at"),
        "response_seconds": "l.response_seconds", "response": duration_text("l.response_seconds"),
        "attempt_count": "l.attempt_count",
        "connected": "CASE l.connected WHEN 1 THEN 'True' ELSE 'False' END" if sheet_safe else "l.connected",
    }
    return _export(store, columns, "leads l JOIN {agreements} a ON a.id = l.agreement_id "
                   "LEFT JOIN {reps} r ON r.id = l.rep_id", "l.id", _LEAD_TEXT, sheet_safe, csv_lines, _LEAD_REAL)


def export_attempts(store: Store, *, sheet_safe: Callable[[Any], Any] | None = None,
                    csv_lines: bool = False) -> Iterable[Any]:
    """Every attempt (columns `ATTEMPT_EXPORT`), in id order, its time in ISO 8601 in its lead's zone."""
    iso = _local_times(store)
    columns = {"id": "t.id", "lead_id": "t.lead_id", "agreement": "a.name", "at": iso("t.at"),
               "channel": "t.channel", "outcome": "t.outcome", "rep": "r.name", "note": "t.note",
               "external_id": "t.external_id"}
    return _export(store, columns, "attempts t JOIN leads l ON l.id = t.lead_id "
                   "JOIN {agreements} a ON a.id = l.agreement_id LEFT JOIN {reps} r ON r.id = t.rep_id", "t.id",
                   _ATTEMPT_TEXT, sheet_safe, csv_lines)


def duration_text(column: str) -> str:
    """SQL for `parsing.format_duration` of a count of seconds that is never negative (NULL stays NULL): a call
    into Python a lead would cost seconds at 1M. Truncated toward zero as it is (SQLite's `%` and printf's `%d` also
    truncate a REAL); a test holds the two to the same text."""
    return (f"CASE WHEN {column} >= 3600 THEN CASE WHEN {column} % 3600 >= 60 "
            f"THEN printf('%dh%02dm', {column} / 3600, {column} % 3600 / 60) ELSE printf('%dh', {column} / 3600) END "
            f"WHEN {column} >= 60 THEN CASE WHEN {column} % 60 >= 1 THEN printf('%dm%02ds', {column} / 60, "
            f"{column} % 60) ELSE printf('%dm', {column} / 60) END "
            f"WHEN {column} IS NOT NULL THEN printf('%ds', {column}) END")


def count_rows(store: Store, table: str) -> int:
    return store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def _tuples(store: Store, sql: str, params: Iterable[Any] = ()) -> sqlite3.Cursor:
    cursor = store.conn.cursor()
    cursor.row_factory = None  # plain tuples: a million sqlite3.Row objects would cost seconds
    return cursor.execute(sql, tuple(params))


def _export(store: Store, columns: dict[str, str], source: str, key: str, text: set[str],
            sheet_safe: Callable[[Any], Any] | None, csv_lines: bool, real: set[str] | None = None) -> Iterable[Any]:
    """The rows of `source` in `key` order: tuples of `columns`, or with `csv_lines` blocks of their CSV lines."""
    if not csv_lines:
        shown = _shown(store.conn, columns, text, sheet_safe)
        return _tuples(store, f"SELECT {', '.join(shown.values())} "
                              f"FROM {source.format(agreements='agreements', reps='reps')} ORDER BY {key}")
    store.conn.create_function("slatui_repr", 1, repr, deterministic=True)
    # Each agreement's and rep's name is made a cell once, in a table of cells joined in place of its own.
    name = _cell("name", _shown(store.conn, {"name": "name"}, {"name"}, sheet_safe)["name"], "text")
    cells = ", ".join(f"{table}_cells AS MATERIALIZED (SELECT id, {name} AS name FROM {table})"
                      for table in ("agreements", "reps"))
    shown = _shown(store.conn, columns, text - _NAMES, sheet_safe)
    kinds = {column: "cell" if column in _NAMES else "text" if column in text else "real" if column in (real or ())
             else "plain" for column in columns}
    line = _csv_line([(columns[column], shown[column], kinds[column]) for column in columns])
    return _csv_blocks(store, f"WITH {cells} ", line, source.format(agreements="agreements_cells", reps="reps_cells"),
                       key)


def _shown(conn: sqlite3.Connection, columns: dict[str, str], text: set[str],
           sheet_safe: Callable[[Any], Any] | None) -> dict[str, str]:
    """`columns` as written: with `sheet_safe`, text made safe for spreadsheets."""
    if sheet_safe is None:
        return dict(columns)
    conn.create_function("slatui_sheet_safe", 1, sheet_safe, deterministic=True)
    # Only text starting with a character `sheet_safe` changes ('=', '+', '-', '@', tab, CR: asked of it, not
    # repeated here) needs the call; SQLite tells the rest by their first character's code.
    starts = ", ".join(str(code) for code in range(256) if sheet_safe(chr(code)) != chr(code))
    return {name: f"CASE WHEN unicode({sql}) IN ({starts}) THEN slatui_sheet_safe({sql}) ELSE {sql} END"
            if name in text else sql for name, sql in columns.items()}


# Rows a block of CSV lines holds (about 200 bytes a lead): enough that the Python work is per block, not per row.
_BLOCK_ROWS = 10_000


def _csv_blocks(store: Store, with_: str, line: str, source: str, key: str) -> Iterator[str]:
    """The CSV lines of `source` in `key` order, `_BLOCK_ROWS` to a string (joined by SQLite in the order of the
    subquery), each block from the key after the last of the one before."""

    def select(where: str) -> str:
        return (f"{with_}SELECT group_concat(line, ''), max(row_key), count(*) FROM (SELECT {line} AS line, "
                f"{key} AS row_key FROM {source} {where} ORDER BY {key} LIMIT {_BLOCK_ROWS})")

    cursor = store.conn.cursor()
    block, last, rows = cursor.execute(select("")).fetchone()
    after = select(f"WHERE {key} > ?")
    while rows:
        yield block
        if rows < _BLOCK_ROWS:
            return
        block, last, rows = cursor.execute(after, (last,)).fetchone()


def _csv_line(fields: list[tuple[str, str, str]]) -> str:
    """One CSV line (CRLF-ended) as Python's csv module writes it by default, built by SQLite: a field holding a
    comma, a quote, CR or LF is quoted (its quotes doubled), NULL is empty, a float is Python's repr of it.
    Fields are (the stored value, the value written, its kind: "text" a person or a CRM wrote, "cell" such text made
    a cell already, "real" a float, or "plain"). One printf puts a line together (a || per field costs more), but
    its %s would end a text at a NUL: a line whose text holds one is joined with || instead.
    Moving millions of rows through csv.writer costs seconds of Python; this costs little."""
    cells = [_cell(stored, shown, kind) for stored, shown, kind in fields]
    line = f"printf({_quote(','.join(['%s'] * len(cells)) + chr(13) + chr(10))}, {', '.join(cells)})"
    nul = " OR ".join(f"instr({stored}, char(0))" for stored, _, kind in fields if kind in ("text", "cell"))
    joined = " || ',' || ".join(f"coalesce({cell}, '')" for cell in cells) + " || char(13, 10)"
    return f"CASE WHEN {nul} THEN {joined} ELSE {line} END" if nul else line


def _cell(stored: str, shown: str, kind: str) -> str:
    """A field of `_csv_line` as SQL: making text safe for a spreadsheet only puts a character in front, so the
    stored value tells whether to quote."""
    if kind == "text":
        return (f"CASE WHEN instr({stored}, ',') OR instr({stored}, '\"') OR instr({stored}, char(10)) "
                f"OR instr({stored}, char(13)) THEN '\"' || replace({shown}, '\"', '\"\"') || '\"' "
                f"ELSE {shown} END")  # instr is quicker than GLOB '*[,"\r\n]*'
    if kind == "real":
        return f"CASE WHEN {shown} IS NOT NULL THEN slatui_repr({shown}) END"
    return shown


# A zone's offset changes at most every few months: probing every six hours finds each change.
_PROBE_SECONDS = 6 * 3600


def _local_times(store: Store) -> Callable[[str], str]:
    """A function that turns an instant column (epoch seconds) of a query over leads `l` into ISO 8601 text in
    the lead's zone (that of the terms in force at its handoff, as `LEAD_ZONE_SQL` finds it): SQLite's strftime
    over each zone's offsets between the first handoff and a year from now; times beyond those (rare) are
    formatted by Python."""
    conn = store.conn
    first = conn.execute("SELECT min(handed_off_at), max(handed_off_at) FROM leads").fetchone()
    low = first[0] if first[0] is not None else int(time.time())
    high = max(first[1] or 0, int(time.time())) + 366 * 86400
    conn.create_function("slatui_iso", 2, _iso, deterministic=True)
    zones = _lead_zones(store)
    spans = {tz: _offsets(ZoneInfo(tz), low, high) for _, tz in zones}

    def iso(column: str) -> str:
        branches = []
        for condition, tz in zones:
            cases = [f"WHEN {column} < {low} THEN slatui_iso({column}, {_quote(tz)})"]
            for (start, offset), (end, _) in zip(spans[tz], [*spans[tz][1:], (high, 0)]):
                cases.append(f"WHEN {column} < {end} THEN strftime('%Y-%m-%dT%H:%M:%S{_offset_text(offset)}', "
                             f"{column} + {offset}, 'unixepoch')")
            branches.append(f"WHEN {condition} THEN CASE {' '.join(cases)} ELSE slatui_iso({column}, {_quote(tz)}) "
                            "END")
        return (f"CASE WHEN {column} IS NULL THEN NULL {' '.join(branches)} "
                f"ELSE slatui_iso({column}, {LEAD_ZONE_SQL}) END")

    return iso


def _lead_zones(store: Store) -> list[tuple[str, str]]:
    """(SQL condition on lead `l`, zone) in the order a CASE must test them: the agreements whose terms keep one
    zone, by zone; then each version of the others' that changed the zone, newest first."""
    versions: dict[int, list[tuple[str, str]]] = {}
    for agreement_id, from_month, tz in store.conn.execute(
            "SELECT agreement_id, from_month, tz FROM agreement_terms ORDER BY agreement_id, from_month"):
        changes = versions.setdefault(agreement_id, [])
        if not changes or changes[-1][1] != tz:
            changes.append((from_month, tz))
    by_zone: dict[str, list[int]] = {}
    moved = []
    for agreement_id, changes in versions.items():
        if len(changes) == 1:
            by_zone.setdefault(changes[0][1], []).append(agreement_id)
            continue
        for i, (from_month, tz) in enumerate(reversed(changes)):
            since = f" AND l.handoff_day >= {_quote(from_month)}" if i < len(changes) - 1 else ""
            moved.append((f"l.agreement_id = {int(agreement_id)}{since}", tz))
    return [(f"l.agreement_id IN ({', '.join(map(str, ids))})", tz) for tz, ids in by_zone.items()] + moved


def _offsets(zone: ZoneInfo, low: int, high: int) -> list[tuple[int, int]]:
    """[(from, UTC offset in seconds)] of `zone` from `low` to `high`: each offset holds until the next from."""

    def offset(t: int) -> int:
        return int(datetime.fromtimestamp(t, zone).utcoffset().total_seconds())

    spans = [(low, offset(low))]
    t = low
    while t < high:
        step = min(t + _PROBE_SECONDS, high)
        if offset(step) != spans[-1][1]:
            before, after = t, step  # the change is in (before, after]: find its second
            while after - before > 1:
                middle = (before + after) // 2
                before, after = (middle, after) if offset(middle) == spans[-1][1] else (before, middle)
            spans.append((after, offset(after)))
        t = step
    return spans


def _offset_text(seconds: int) -> str:
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    return f"{sign}{hours:02d}:{rest // 60:02d}"


def _iso(epoch: int | None, tz: str) -> str | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, ZoneInfo(tz)).isoformat()


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
