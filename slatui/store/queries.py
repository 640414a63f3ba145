"""The Store: every read and write of agreements, reps, leads and attempts.

Writes run in one `BEGIN IMMEDIATE` transaction each, so a lead's derived facts (handoff day,
deadline, first attempt, response time, attempt count, connected) always match its attempts.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from zoneinfo import ZoneInfo

from slatui.businesstime import country_holidays, preload_holidays
from slatui.errors import DatabaseError, InvalidInput, NotFound
from slatui.store import rollups
from slatui.store.connection import backup_file, connect, default_db_path
from slatui.terms import Terms
from slatui.vocabulary import CONNECTING_OUTCOMES

if TYPE_CHECKING:
    from slatui.models import Agreement, Attempt, Lead, Rep

# Years either side of now whose holidays are saved with an agreement (others load on demand).
HOLIDAY_YEARS = 10
# Leads per executemany in bulk inserts: big enough to amortise the call, small enough for steady progress.
_BATCH = 5000
# Agreement fields that change leads' derived facts when edited.
_CLOCK_FIELDS = ("tz", "hours", "holiday_countries", "holiday_dates", "respond_within_seconds")


class LeadValues(NamedTuple):
    """A lead's own columns as stored (instants in epoch seconds), for bulk inserts of trusted rows."""

    agreement_id: int
    rep_id: int | None
    name: str
    company: str
    email: str | None
    tier: str
    source: str
    value: float | None
    handed_off_at: int
    status: str = "open"
    revenue: float | None = None
    closed_at: int | None = None
    external_id: str | None = None


class AttemptValues(NamedTuple):
    """An attempt's columns as stored, without its lead (bulk inserts pair it with one)."""

    at: int
    channel: str
    outcome: str
    rep_id: int | None = None
    note: str = ""
    external_id: str | None = None


# Column order of the rows add_lead_rows builds: id, the lead's own values, then its derived facts.
_LEAD_COLUMNS = ("id", *LeadValues._fields, "handoff_day", "deadline_at", "first_attempt_at", "response_seconds",
                 "attempt_count", "connected")


def to_epoch(instant: datetime) -> int:
    return int(instant.timestamp())


def from_epoch(seconds: int | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, timezone.utc)


class Store:
    def __init__(self, path: str | Path | None = None, *, create_parent: bool | None = None):
        self.path = Path(path) if path is not None else default_db_path()
        # The default location is ours to create; an explicit path with a missing folder is a typo.
        self.conn = connect(self.path, create_parent=path is None if create_parent is None else create_parent)
        self.conn.row_factory = sqlite3.Row
        self._calendars: dict[int, tuple[Terms, Any]] = {}
        self._calendars_version: int | None = None

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One all-or-nothing write; the database's own refusals become messages for the user.

        Nested use joins the outer transaction, so a command built from several writes
        (the demo, an import) commits or rolls back as one.
        """
        if self.conn.in_transaction:
            yield self.conn
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise DatabaseError(f"cannot write to {self.path}: {exc}; try again in a moment") from None
        try:
            yield self.conn
            rollups.refresh(self.conn)
        except BaseException as exc:
            self.conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.IntegrityError):
                raise InvalidInput(f"the database refused the change: {exc}") from None
            raise
        else:
            self.conn.execute("COMMIT")

    @property
    def db(self):
        """sqlite-utils over the same connection, for streaming whole tables (exports). Imported on first
        use: loading it costs ~100 ms that quick commands must not pay."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    def _one(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row | None:
        return self.conn.execute(sql, tuple(params)).fetchone()

    def is_empty(self) -> bool:
        return self._one("SELECT NOT EXISTS (SELECT 1 FROM agreements) AND NOT EXISTS (SELECT 1 FROM reps)")[0] == 1

    def backup(self, dest: str | Path) -> Path:
        return backup_file(self.conn, Path(dest))

    # ---- agreements -------------------------------------------------------------------------

    def add_agreement(self, agreement: Agreement) -> Agreement:
        self._check_unique_name(agreement)
        with self.transaction() as conn:
            row = agreement_row(agreement)
            cursor = conn.execute(
                f"INSERT INTO agreements ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", tuple(row.values())
            )
            self._save_holidays(agreement)
        return agreement.model_copy(update={"id": cursor.lastrowid})

    def update_agreement(self, agreement: Agreement) -> Agreement:
        """Save an edit; when the clock or target changes, recompute every lead's derived facts."""
        before = self.get_agreement(agreement.id)
        self._check_unique_name(agreement)
        row = agreement_row(agreement)
        clock_changed = any(agreement_row(before)[f] != row[f] for f in _CLOCK_FIELDS)
        with self.transaction() as conn:
            conn.execute(
                f"UPDATE agreements SET {', '.join(f'{k} = ?' for k in row)} WHERE id = ?",
                (*row.values(), agreement.id),
            )
            self.forget_clock(agreement.id)
            self._save_holidays(agreement)
            if clock_changed:
                self._recompute_leads(agreement.id)
        return agreement

    def _check_unique_name(self, agreement: Agreement) -> None:
        clash = self._one(
            "SELECT id FROM agreements WHERE name = ? COLLATE NOCASE AND id IS NOT ?", (agreement.name, agreement.id)
        )
        if clash:
            raise InvalidInput(f"name: an agreement called '{agreement.name}' already exists; choose another name")

    def _by_name_or_id(self, table: str, noun: str, name_or_id: str | int, hint: str) -> sqlite3.Row:
        """A row by its name (any case) or, failing that, its id; NotFound lists the known names."""
        text = str(name_or_id).strip()
        row = self._one(f"SELECT * FROM {table} WHERE name = ? COLLATE NOCASE", (text,))
        if row is None and text.isdigit():
            row = self._one(f"SELECT * FROM {table} WHERE id = ?", (int(text),))
        if row is None:
            known = ", ".join(r[0] for r in self.conn.execute(f"SELECT name FROM {table} ORDER BY name")) or "none yet"
            raise NotFound(f"{noun}: no {noun} '{text}' (known: {known}); {hint}")
        return row

    def _agreement_row(self, name_or_id: str | int) -> sqlite3.Row:
        return self._by_name_or_id("agreements", "agreement", name_or_id, "list them with `slatui agreement list`")

    def get_agreement(self, name_or_id: str | int) -> Agreement:
        return agreement_from_row(self._agreement_row(name_or_id))

    def list_agreements(self, status: str | None = None) -> list[Agreement]:
        return [agreement_from_row(r) for r in self._agreement_rows(status)]

    def terms(self, name_or_id: str | int) -> Terms:
        """An agreement's terms (clock and targets) without loading its model: what quick commands need."""
        return terms_from_row(self._agreement_row(name_or_id))

    def list_terms(self, status: str | None = None) -> list[Terms]:
        return [terms_from_row(r) for r in self._agreement_rows(status)]

    def _agreement_rows(self, status: str | None) -> list[sqlite3.Row]:
        sql, params = "SELECT * FROM agreements", ()
        if status:
            sql, params = sql + " WHERE status = ?", (status,)
        return self.conn.execute(sql + " ORDER BY name", params).fetchall()

    def count_leads_of_agreement(self, agreement_id: int) -> int:
        return self._one("SELECT count(*) FROM leads WHERE agreement_id = ?", (agreement_id,))[0]

    def delete_agreement(self, agreement_id: int, *, cascade: bool = False) -> None:
        """Refuse while leads exist unless `cascade`, which deletes them with their attempts."""
        agreement = self.get_agreement(agreement_id)
        leads = self.count_leads_of_agreement(agreement_id)
        if leads and not cascade:
            raise InvalidInput(
                f"agreement '{agreement.name}' has {leads} leads: delete them too (cascade) or keep the agreement"
            )
        with self.transaction() as conn:
            conn.execute("DELETE FROM attempts WHERE lead_id IN (SELECT id FROM leads WHERE agreement_id = ?)",
                         (agreement_id,))
            conn.execute("DELETE FROM leads WHERE agreement_id = ?", (agreement_id,))
            conn.execute("DELETE FROM agreements WHERE id = ?", (agreement_id,))
        self.forget_clock(agreement_id)

    def _save_holidays(self, agreement: Agreement) -> None:
        """Keep the holidays of the agreement's countries for the years around now in the file."""
        codes = agreement.calendar.business_calendar().holiday_countries
        this_year = datetime.now(timezone.utc).year
        for code in codes:
            have = {y for (y,) in self.conn.execute("SELECT year FROM holiday_years WHERE country = ?", (code,))}
            missing = [y for y in range(this_year - HOLIDAY_YEARS, this_year + HOLIDAY_YEARS + 1) if y not in have]
            self.conn.executemany(
                "INSERT INTO holiday_years (country, year, days) VALUES (?, ?, ?)",
                [(code, year, json.dumps(sorted(d.isoformat() for d in days)))
                 for year, days in country_holidays(code, missing).items()],
            )

    def _preload_holidays(self, terms: Terms) -> None:
        codes = terms.holiday_countries
        if codes:
            rows = self.conn.execute(
                f"SELECT country, year, days FROM holiday_years WHERE country IN ({', '.join('?' * len(codes))})",
                codes,
            )
            for code, year, days in rows:
                preload_holidays(code, year, map(date.fromisoformat, json.loads(days)))

    def forget_clock(self, agreement_id: int) -> None:
        """Drop a cached clock (after an edit, or a rolled-back transaction that created the agreement)."""
        self._calendars.pop(agreement_id, None)

    def clock(self, agreement_id: int) -> tuple[Terms, Any]:
        """The agreement's terms and its BusinessCalendar, cached: building holiday tables is not free.

        The cache is dropped whenever another connection has committed (PRAGMA data_version),
        so an edit made elsewhere (the CLI while the app runs) never leaves a stale clock here.
        """
        version = self._one("PRAGMA data_version")[0]
        if version != self._calendars_version:
            self._calendars.clear()
            self._calendars_version = version
        if agreement_id not in self._calendars:
            # By id only: a name lookup first would cost a query, and could pick an agreement named "2".
            row = self._one("SELECT * FROM agreements WHERE id = ?", (agreement_id,))
            if row is None:
                raise NotFound(f"agreement: no agreement with id {agreement_id}; list them with `slatui agreement list`")
            terms = terms_from_row(row)
            self._preload_holidays(terms)
            self._calendars[agreement_id] = (terms, terms.business_calendar())
        return self._calendars[agreement_id]

    # ---- reps -------------------------------------------------------------------------------

    def add_rep(self, rep: Rep) -> Rep:
        if self._one("SELECT 1 FROM reps WHERE name = ? COLLATE NOCASE", (rep.name,)):
            raise InvalidInput(f"name: a rep called '{rep.name}' already exists")
        with self.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO reps (name, team, weekly_capacity) VALUES (?, ?, ?)",
                (rep.name, rep.team, rep.weekly_capacity),
            )
        return rep.model_copy(update={"id": cursor.lastrowid})

    def get_rep(self, name_or_id: str | int) -> Rep:
        from slatui.models import Rep  # models load on first use: listing leads or a backup needs no pydantic

        return Rep(**dict(self._by_name_or_id("reps", "rep", name_or_id, "add one with `slatui rep add NAME`")))

    def rep_id(self, name_or_id: str | int) -> int:
        return self._by_name_or_id("reps", "rep", name_or_id, "add one with `slatui rep add NAME`")["id"]

    def list_reps(self) -> list[Rep]:
        from slatui.models import Rep

        return [Rep(**r) for r in self.rep_rows()]

    def rep_rows(self) -> list[dict[str, Any]]:
        """Every rep as a plain row (id, name, team, weekly_capacity), by name."""
        return [dict(r) for r in self.conn.execute("SELECT * FROM reps ORDER BY name")]

    # ---- leads ------------------------------------------------------------------------------

    def add_lead(self, lead: Lead) -> Lead:
        return self.get_lead(self.insert_lead(lead_values(lead)))

    def insert_lead(self, lead: LeadValues) -> int:
        """Store one validated handoff with its clock facts; returns its id."""
        terms, calendar = self.clock(lead.agreement_id)
        if lead.rep_id is not None:
            self.rep_id(lead.rep_id)
        row = lead._asdict()
        row.update(clock_facts(row["handed_off_at"], terms, calendar))
        with self.transaction() as conn:
            cursor = conn.execute(
                f"INSERT INTO leads ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", tuple(row.values())
            )
        return cursor.lastrowid

    def update_lead(self, lead: Lead) -> Lead:
        """Save an edited lead; its handoff may have moved, so its facts are recomputed."""
        self.get_lead(lead.id)
        terms, calendar = self.clock(lead.agreement_id)
        first = self._one("SELECT min(at) FROM attempts WHERE lead_id = ?", (lead.id,))[0]
        if first is not None and first < to_epoch(lead.handed_off_at):
            raise InvalidInput(
                f"handed_off_at: lead {lead.id} has an attempt at {from_epoch(first):%Y-%m-%d %H:%M} UTC, "
                "before the new handoff time"
            )
        row = lead_row(lead)
        row.update(clock_facts(row["handed_off_at"], terms, calendar))
        with self.transaction() as conn:
            conn.execute(f"UPDATE leads SET {', '.join(f'{k} = ?' for k in row)} WHERE id = ?", (*row.values(), lead.id))
            self.refresh_facts(lead.id, calendar)
        return self.get_lead(lead.id)

    def get_lead(self, lead_id: int) -> Lead:
        return _lead_from_row(self.lead_row(lead_id))

    def lead_row(self, lead_id: int) -> sqlite3.Row:
        """A lead's stored row (instants in epoch seconds), for quick paths that need no model."""
        row = self._one("SELECT * FROM leads WHERE id = ?", (lead_id,))
        if row is None:
            raise NotFound(f"lead: no lead with id {lead_id}; find ids with `slatui leads`")
        return row

    def lead_rows(
        self,
        *,
        agreement_id: int | None = None,
        rep_id: int | None = None,
        status: str | None = None,
        open_only: bool = False,
        text: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Leads for lists and tables, newest handoff first, with agreement and rep names joined."""
        where, params = self._lead_filter(agreement_id, rep_id, status, open_only, text)
        sql = (
            "SELECT l.id, l.name, l.company, l.email, l.tier, l.source, l.value, l.agreement_id, a.name AS agreement, "
            "a.tz, l.rep_id, "
            "r.name AS rep, l.handed_off_at, l.status, l.attempt_count AS attempts, l.first_attempt_at, "
            "l.response_seconds, l.deadline_at, l.connected "
            "FROM leads l JOIN agreements a ON a.id = l.agreement_id LEFT JOIN reps r ON r.id = l.rep_id"
            f"{where} ORDER BY l.handed_off_at DESC, l.id DESC"
        )
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [limit, offset]
        return [dict(r) for r in self.conn.execute(sql, params)]

    def count_leads(self, **filters: Any) -> int:
        where, params = self._lead_filter(
            filters.get("agreement_id"), filters.get("rep_id"), filters.get("status"),
            filters.get("open_only", False), filters.get("text"),
        )
        return self._one(f"SELECT count(*) FROM leads l{where}", params)[0]

    @staticmethod
    def _lead_filter(agreement_id, rep_id, status, open_only, text) -> tuple[str, list[Any]]:
        clauses, params = [], []
        if agreement_id is not None:
            clauses.append("l.agreement_id = ?")
            params.append(agreement_id)
        if rep_id is not None:
            clauses.append("l.rep_id = ?")
            params.append(rep_id)
        if status:
            clauses.append("l.status = ?")
            params.append(status)
        if open_only:
            clauses.append("l.status IN ('open', 'connected')")
        if text:
            clauses.append("(l.name LIKE ? ESCAPE '\\' OR l.company LIKE ? ESCAPE '\\' OR l.email LIKE ? ESCAPE '\\')")
            literal = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params += [f"%{literal}%"] * 3
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    def queue_rows(self, *, agreement_id: int | None = None, limit: int = 500) -> list[dict[str, Any]]:
        """Leads sales still owes work on: no first attempt yet (soonest deadline first), then
        unconnected leads under the agreement's minimum attempts (oldest last attempt first)."""
        where, params = ("AND l.agreement_id = ?", [agreement_id]) if agreement_id is not None else ("", [])
        sql = (
            "SELECT l.id, l.name, l.company, l.agreement_id, a.name AS agreement, a.tz, r.name AS rep, "
            "l.handed_off_at, l.deadline_at, l.first_attempt_at, l.attempt_count AS attempts, a.min_attempts, "
            "a.respond_within_seconds, "
            "(SELECT max(t.at) FROM attempts t WHERE t.lead_id = l.id) AS last_attempt_at "
            "FROM leads l JOIN agreements a ON a.id = l.agreement_id LEFT JOIN reps r ON r.id = l.rep_id "
            "WHERE l.status = 'open' AND a.status IN ('active', 'under_review') "
            f"AND (l.first_attempt_at IS NULL OR l.attempt_count < a.min_attempts) {where} "
            "ORDER BY l.first_attempt_at IS NOT NULL, "
            "CASE WHEN l.first_attempt_at IS NULL THEN l.deadline_at ELSE last_attempt_at END, l.id LIMIT ?"
        )
        return [dict(r) for r in self.conn.execute(sql, [*params, limit])]

    def delete_lead(self, lead_id: int) -> dict[str, Any]:
        """Delete a lead and its attempts; returns a snapshot that `restore_lead` puts back (undo)."""
        lead = self._one("SELECT * FROM leads WHERE id = ?", (lead_id,))
        if lead is None:
            raise NotFound(f"lead: no lead with id {lead_id}")
        attempts = [dict(r) for r in self.conn.execute("SELECT * FROM attempts WHERE lead_id = ?", (lead_id,))]
        with self.transaction() as conn:
            conn.execute("DELETE FROM leads WHERE id = ?", (lead_id,))
        return {"lead": dict(lead), "attempts": attempts}

    def restore_lead(self, snapshot: dict[str, Any]) -> None:
        with self.transaction() as conn:
            for table, rows in (("leads", [snapshot["lead"]]), ("attempts", snapshot["attempts"])):
                for row in rows:
                    conn.execute(
                        f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                        tuple(row.values()),
                    )

    # ---- attempts ---------------------------------------------------------------------------

    def log_attempt(self, attempt: Attempt) -> Attempt:
        return attempt.model_copy(update={"id": self.insert_attempt(attempt.lead_id, attempt_values(attempt))})

    def insert_attempt(self, lead_id: int, attempt: AttemptValues) -> int:
        """Store one validated follow-up attempt and update its lead's derived facts in the same
        transaction; returns its id."""
        lead = self.lead_row(lead_id)
        if attempt.at < lead["handed_off_at"]:
            raise InvalidInput(
                f"at: the attempt ({from_epoch(attempt.at):%Y-%m-%d %H:%M} UTC) is before lead {lead_id}'s handoff "
                f"({from_epoch(lead['handed_off_at']):%Y-%m-%d %H:%M} UTC); check the time"
            )
        if attempt.rep_id is not None:
            self.rep_id(attempt.rep_id)
        _, calendar = self.clock(lead["agreement_id"])
        with self.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO attempts (lead_id, at, channel, outcome, rep_id, note, external_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (lead_id, attempt.at, attempt.channel, attempt.outcome,
                 attempt.rep_id if attempt.rep_id is not None else lead["rep_id"], attempt.note, attempt.external_id),
            )
            self.refresh_facts(lead_id, calendar, status=_status_after(lead["status"], attempt.outcome))
        return cursor.lastrowid

    def add_leads_with_attempts(
        self, items: Iterable[tuple[Lead, list[Attempt]]], progress: Callable[[int], None] | None = None
    ) -> tuple[int, int]:
        """`add_lead_rows` for validated models (their ids and attempts' `lead_id` are ignored)."""
        return self.add_lead_rows(
            ((lead_values(lead), [attempt_values(a) for a in attempts]) for lead, attempts in items), progress
        )

    def add_lead_rows(
        self, items: Iterable[tuple[LeadValues, list[AttemptValues]]], progress: Callable[[int], None] | None = None
    ) -> tuple[int, int]:
        """Bulk insert (demo data, imports) in one transaction, derived facts computed on the way in.

        Takes plain rows whose values are already valid, so a million leads need no model each.
        Attempts must not precede their lead's handoff; an attempt without a rep is its lead's rep's.
        Rows go in by batches with ids assigned here; `progress` gets the leads of each batch.
        Returns (leads added, attempts added).
        """
        lead_count = attempt_count = 0
        clocks: dict[int, tuple[ZoneInfo, Any, int]] = {}
        with self.transaction() as conn, self._bulk_load(conn):
            next_id = self._one("SELECT coalesce(max(id), 0) + 1 FROM leads")[0]
            lead_rows: list[tuple] = []
            attempt_rows: list[tuple] = []
            for lead, attempts in items:
                (agreement_id, rep_id, name, company, email, tier, source, value, handed_off_at, status, revenue,
                 closed_at, external_id) = lead
                if agreement_id not in clocks:
                    terms, calendar = self.clock(agreement_id)
                    clocks[agreement_id] = (ZoneInfo(terms.tz), calendar, terms.respond_within_seconds)
                zone, calendar, target = clocks[agreement_id]
                first, outcomes = None, set()
                for at, channel, outcome, attempt_rep_id, note, attempt_external_id in attempts:
                    if at < handed_off_at:
                        raise InvalidInput(f"lead '{name}': an attempt comes before its handoff")
                    if first is None or at < first:
                        first = at
                    outcomes.add(outcome)
                    attempt_rows.append((next_id, at, channel, outcome,
                                         rep_id if attempt_rep_id is None else attempt_rep_id, note,
                                         attempt_external_id))
                connected = not CONNECTING_OUTCOMES.isdisjoint(outcomes)
                lead_rows.append((
                    next_id, agreement_id, rep_id, name, company, email, tier, source, value, handed_off_at,
                    _status_after_all(status, outcomes), revenue, closed_at, external_id,
                    *_clock_facts(handed_off_at, zone, calendar, target),
                    first, None if first is None else round(calendar.business_seconds_between(handed_off_at, first)),
                    len(attempts), int(connected),
                ))
                next_id += 1
                lead_count += 1
                attempt_count += len(attempts)
                if len(lead_rows) >= _BATCH:
                    self._insert_batch(lead_rows, attempt_rows, progress)
                    lead_rows, attempt_rows = [], []
            self._insert_batch(lead_rows, attempt_rows, progress)
        return lead_count, attempt_count

    @contextmanager
    def _bulk_load(self, conn: sqlite3.Connection) -> Iterator[None]:
        """All or nothing even inside a caller's transaction (a savepoint). Into an empty leads table, the
        secondary indexes are built once at the end (a sort) rather than row by row, and the attempts trigger
        is left out, as `add_lead_rows` checks its rule itself; no other writer can see the tables meanwhile."""
        conn.execute("SAVEPOINT bulk_load")
        try:
            objects = [] if self._one("SELECT EXISTS (SELECT 1 FROM leads)")[0] else conn.execute(
                "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
                "AND tbl_name IN ('leads', 'attempts') "
                "AND sql IS NOT NULL"  # NULL for the UNIQUE constraints' own indexes, which cannot be dropped
            ).fetchall()
            for kind, name, _ in objects:
                conn.execute(f'DROP {kind.upper()} "{name}"')
            yield
            for _, _, sql in objects:
                conn.execute(sql)
            if objects:  # the rollup's triggers were set aside with the rest
                rollups.rebuild(conn)
        except BaseException:
            conn.execute("ROLLBACK TO bulk_load")  # the rows go, the indexes and the trigger come back
            raise
        finally:
            conn.execute("RELEASE bulk_load")

    def _insert_batch(self, lead_rows: list[tuple], attempt_rows: list[tuple],
                      progress: Callable[[int], None] | None) -> None:
        self.conn.executemany(f"INSERT INTO leads ({', '.join(_LEAD_COLUMNS)}) "
                              f"VALUES ({', '.join('?' * len(_LEAD_COLUMNS))})", lead_rows)
        self.conn.executemany("INSERT INTO attempts (lead_id, at, channel, outcome, rep_id, note, external_id) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?)", attempt_rows)
        if progress:
            progress(len(lead_rows))

    def attempts_of(self, lead_id: int) -> list[dict[str, Any]]:
        return [
            dict(r)
            for r in self.conn.execute(
                "SELECT t.id, t.at, t.channel, t.outcome, t.note, r.name AS rep FROM attempts t "
                "LEFT JOIN reps r ON r.id = t.rep_id WHERE t.lead_id = ? ORDER BY t.at, t.id",
                (lead_id,),
            )
        ]

    def refresh_facts(self, lead_id: int, calendar: Any, *, status: str | None = None) -> None:
        """Recompute a lead's attempt facts from its attempts (one indexed aggregate)."""
        handed_off_at, first, count, connected = self._one(
            "SELECT l.handed_off_at, min(t.at), count(t.id), coalesce(max(t.outcome IN ('connected', 'meeting_booked')), 0) "
            "FROM leads l LEFT JOIN attempts t ON t.lead_id = l.id WHERE l.id = ?",
            (lead_id,),
        )
        response = None if first is None else round(calendar.business_seconds_between(handed_off_at, first))
        self.conn.execute(
            "UPDATE leads SET first_attempt_at = ?, response_seconds = ?, attempt_count = ?, connected = ?, "
            "status = coalesce(?, status) WHERE id = ?",
            (first, response, count, connected, status, lead_id),
        )

    def _recompute_leads(self, agreement_id: int) -> None:
        """After a clock change: new handoff days, deadlines and response times for every lead."""
        terms, calendar = self.clock(agreement_id)
        rows = self.conn.execute(
            "SELECT id, handed_off_at, first_attempt_at FROM leads WHERE agreement_id = ?", (agreement_id,)
        ).fetchall()
        updates = []
        for lead_id, handed_off_at, first in rows:
            facts = clock_facts(handed_off_at, terms, calendar)
            response = None if first is None else round(calendar.business_seconds_between(handed_off_at, first))
            updates.append((facts["handoff_day"], facts["deadline_at"], response, lead_id))
        self.conn.executemany(
            "UPDATE leads SET handoff_day = ?, deadline_at = ?, response_seconds = ? WHERE id = ?", updates
        )


def _status_after(status: str, outcome: str) -> str | None:
    """The lead status an attempt's outcome implies, or None to keep the current one."""
    if outcome == "disqualified":
        return "disqualified"
    if outcome in CONNECTING_OUTCOMES and status == "open":
        return "connected"
    return None


def _status_after_all(status: str, outcomes: set[str]) -> str:
    """`_status_after` applied over several attempts, in any order: disqualified wins, then connected."""
    for outcome in ("disqualified", *CONNECTING_OUTCOMES):
        if outcome in outcomes:
            return _status_after(status, outcome) or status
    return status


def clock_facts(handed_off_at: int, terms: Terms, calendar: Any) -> dict[str, Any]:
    """Facts fixed at handoff: the local day it counts in, and the business-time deadline."""
    handoff_day, deadline_at = _clock_facts(handed_off_at, ZoneInfo(terms.tz), calendar, terms.respond_within_seconds)
    return {"handoff_day": handoff_day, "deadline_at": deadline_at}


def _clock_facts(handed_off_at: int, zone: ZoneInfo, calendar: Any, target: int) -> tuple[str, int]:
    deadline = calendar.deadline(handed_off_at, target)
    return datetime.fromtimestamp(handed_off_at, zone).date().isoformat(), int(-(-deadline // 1))


def agreement_row(a: Agreement) -> dict[str, Any]:
    return {
        "name": a.name,
        "kind": a.kind,
        "status": a.status,
        "parties": json.dumps([p.model_dump() for p in a.parties]),
        "summary": a.summary,
        "contacts": json.dumps([c.model_dump() for c in a.contacts]),
        "plan_if_missed": a.plan_if_missed,
        "cancellation_terms": a.cancellation_terms,
        "effective_from": _iso(a.effective_from),
        "effective_to": _iso(a.effective_to),
        "review_date": _iso(a.review_date),
        **a.targets.model_dump(),
        "tz": a.calendar.tz,
        "hours": a.calendar.hours,
        "holiday_countries": json.dumps(a.calendar.holiday_countries),
        "holiday_dates": json.dumps([d.isoformat() for d in a.calendar.holiday_dates]),
        "tier_values": json.dumps(a.tier_values),
    }


def terms_from_row(row: sqlite3.Row) -> Terms:
    return Terms(
        id=row["id"], name=row["name"], kind=row["kind"], status=row["status"], tz=row["tz"], hours=row["hours"],
        holiday_countries=tuple(json.loads(row["holiday_countries"])),
        holiday_dates=tuple(map(date.fromisoformat, json.loads(row["holiday_dates"]))),
        lead_goal=row["lead_goal"], respond_within_seconds=row["respond_within_seconds"],
        compliance_threshold=row["compliance_threshold"], min_attempts=row["min_attempts"],
        miss_limit=row["miss_limit"], sales_quota=row["sales_quota"],
        effective_from=_date(row["effective_from"]), review_date=_date(row["review_date"]),
        tier_values=json.loads(row["tier_values"]),
    )


def agreement_from_row(row: sqlite3.Row) -> Agreement:
    from slatui.models import Agreement, Targets

    r = dict(row)
    return Agreement.model_validate(
        {
            "id": r["id"],
            "name": r["name"],
            "kind": r["kind"],
            "status": r["status"],
            "parties": json.loads(r["parties"]),
            "summary": r["summary"],
            "contacts": json.loads(r["contacts"]),
            "plan_if_missed": r["plan_if_missed"],
            "cancellation_terms": r["cancellation_terms"],
            "effective_from": r["effective_from"],
            "effective_to": r["effective_to"],
            "review_date": r["review_date"],
            "targets": {k: r[k] for k in Targets.model_fields},
            "calendar": {
                "tz": r["tz"],
                "hours": r["hours"],
                "holiday_countries": json.loads(r["holiday_countries"]),
                "holiday_dates": json.loads(r["holiday_dates"]),
            },
            "tier_values": json.loads(r["tier_values"]),
        },
        context={"stored": True},
    )


def lead_values(lead: Lead) -> LeadValues:
    return LeadValues(
        lead.agreement_id, lead.rep_id, lead.name, lead.company, lead.email, lead.tier, lead.source, lead.value,
        to_epoch(lead.handed_off_at), lead.status, lead.revenue,
        None if lead.closed_at is None else to_epoch(lead.closed_at), lead.external_id,
    )


def lead_row(lead: Lead) -> dict[str, Any]:
    return lead_values(lead)._asdict()


def attempt_values(attempt: Attempt) -> AttemptValues:
    return AttemptValues(to_epoch(attempt.at), attempt.channel, attempt.outcome, attempt.rep_id, attempt.note,
                         attempt.external_id)


def _lead_from_row(row: sqlite3.Row) -> Lead:
    from slatui.models import Lead

    r = dict(row)
    for key in ("handed_off_at", "closed_at", "first_attempt_at"):
        r[key] = from_epoch(r[key])
    r["connected"] = bool(r["connected"])
    for derived in ("handoff_day", "deadline_at"):
        r.pop(derived)
    return Lead(**r)


def _date(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()
