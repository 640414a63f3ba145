"""Agreements: add, edit (effective-dated: a change of targets or clock applies from a month on, and the leads
it touches follow in short batches), read as models or as plain `Terms`, and each version's cached clock."""

from __future__ import annotations

import json
from bisect import bisect_right
import sqlite3
import time
from datetime import date, datetime, timezone
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from slatui.businesstime import country_holidays, preload_holidays
from slatui.errors import InvalidInput, NotFound
from slatui.store.facts import LEAD_FACT_COLUMNS, RECOMPUTE_INPUTS, Clock, recomputed_facts
from slatui.store.rows import (agreement_from_row, agreement_json, agreement_row, model_version, terms_from_rows,
                               version_from_row, version_row)
from slatui.terms import CLOCK_FIELDS, VERSIONED_FIELDS, Terms, TermsVersion
from slatui.vocabulary import SQLITE_INT_MAX

if TYPE_CHECKING:
    from slatui.models import Agreement


# Years either side of now whose holidays are saved with an agreement (others load on demand).
HOLIDAY_YEARS = 10
# The first version of an agreement's terms covers every month before the next one.
FIRST_MONTH = "1970-01"
# A recompute's batches, and the pause after each: SQLite's locks are not fair (a writer waiting on the lock polls
# it every 25-100 ms), so a loop that takes the lock again at once kept every other writer out until it timed out.
RECOMPUTE_BATCH_SECONDS = 0.25
RECOMPUTE_BATCH_MAX = 20_000  # leads: about 0.5 s of work
RECOMPUTE_PAUSE_SECONDS = 0.1
# Each batch stamps this setting with its time: a stamp younger than RECOMPUTE_ALIVE_SECONDS means a process is at
# work on the jobs, and a command that finds them leaves them to it rather than taking turns (a `log` would wait
# for the whole recompute); an older one, that the process was killed. Generous: on a loaded machine a batch may
# wait seconds for a core and for the lock.
RECOMPUTE_HEARTBEAT = "recompute.heartbeat"
RECOMPUTE_ALIVE_SECONDS = 30.0


class AgreementQueries:
    """Reads and writes of the agreements table (a part of `Store`)."""

    def add_agreement(self, agreement: Agreement) -> Agreement:
        self._check_unique_name(agreement)
        with self.change(f"added agreement {agreement.name}") as change:
            row = agreement_row(agreement)
            cursor = self.conn.execute(
                f"INSERT INTO agreements ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", tuple(row.values())
            )
            agreement_id = cursor.lastrowid
            self._record("agreements", agreement_id, None, self._row("agreements", agreement_id),
                         agreement_id=agreement_id)
            self._insert_version(agreement_id, model_version(agreement, FIRST_MONTH))
            self._save_holidays(agreement.calendar.business_calendar().holiday_countries)
            change.summary = f"added agreement #{agreement_id} {agreement.name}"
        return agreement.model_copy(update={"id": agreement_id})

    def update_agreement(self, agreement: Agreement, *, effective: str | None = None, since: Agreement | None = None,
                         given: Collection[str] = (), progress: Callable[[int, int], None] | None = None,
                         recompute: bool = True) -> Agreement:
        """Save an edit. Targets and clock changes apply from the month `effective` ("YYYY-MM", default this month
        in the agreement's zone) on: earlier months keep the terms they were judged by; "all" rewrites every
        month. What changes is what `agreement` holds other than `since` (the agreement as the editor read it;
        default: as stored now, terms in force now), and the terms named in `given` (set by the user, maybe to
        the value they have): a month keeps its other terms, and a change made meanwhile elsewhere (another
        process) to another field stays. Leads whose facts the change moves are recomputed in batches
        (`run_recompute_jobs`), here unless `recompute` is False (the app runs them in a worker of their own, the
        list showing progress)."""
        before = self._agreement_row(agreement.id)
        self._check_unique_name(agreement)
        terms = self.terms(agreement.id)
        month = _this_month(terms) if effective is None else effective
        wanted = model_version(agreement, month)
        read = terms.current_version() if since is None else model_version(since, month)  # what the editor saw
        versions = list(terms.versions)
        if month == "all":
            affected = versions
        else:
            in_force = terms.version_for_month(*_month(month))
            affected = [in_force, *(v for v in versions if v.from_month > month)]
        changed = {name: getattr(wanted, name) for name in VERSIONED_FIELDS
                   if (name in given or getattr(wanted, name) != getattr(read, name))
                   and any(getattr(v, name) != getattr(wanted, name) for v in affected)}
        row = agreement_row(agreement)
        if since is not None:
            seen = agreement_row(since)
            row = {name: value for name, value in row.items() if value != seen[name]}
        with self.change(f"edited agreement #{agreement.id} {agreement.name}"):
            if row:
                self.conn.execute(f"UPDATE agreements SET {', '.join(f'{k} = ?' for k in row)} WHERE id = ?",
                                  (*row.values(), agreement.id))
            after = self._row("agreements", agreement.id)
            if after != dict(before):
                self._record("agreements", agreement.id, dict(before), after, agreement_id=agreement.id)
            if changed:
                self._apply_version_change(agreement.id, versions, month, changed)
            self._save_holidays(agreement.calendar.business_calendar().holiday_countries)
            self.forget_clock(agreement.id)
            closed_days = before["holiday_dates"] != after["holiday_dates"]
            if closed_days or any(name in CLOCK_FIELDS for name in changed):
                # A closed day given by hand is a correction: it applies wherever it falls.
                start = 0 if closed_days or month == "all" else _month_start(month, (in_force.tz, wanted.tz))
                self._queue_recompute(agreement.id, start)
        if recompute:
            self.run_recompute_jobs(progress)
        return self.get_agreement(agreement.id)

    def _apply_version_change(self, agreement_id: int, versions: list[TermsVersion], month: str,
                              changed: dict[str, Any]) -> None:
        """Change the version in force in `month` (split at it unless one starts there) and every later one;
        with `month` "all", every version."""
        if month != "all" and month not in {v.from_month for v in versions}:
            in_force = [v for v in versions if v.from_month <= month][-1]
            self._insert_version(agreement_id, TermsVersion(**{**vars(in_force), **changed, "from_month": month}))
        for version in versions:
            if month == "all" or version.from_month >= month:
                old, new = version_row(version), version_row(TermsVersion(**{**vars(version), **changed}))
                if new != old:
                    self.conn.execute(
                        f"UPDATE agreement_terms SET {', '.join(f'{k} = ?' for k in new)} "
                        "WHERE agreement_id = ? AND from_month = ?", (*new.values(), agreement_id, version.from_month))
                    self._record("agreement_terms", agreement_id, {"agreement_id": agreement_id, **old},
                                 {"agreement_id": agreement_id, **new}, agreement_id=agreement_id)

    def _insert_version(self, agreement_id: int, version: TermsVersion) -> None:
        row = {"agreement_id": agreement_id, **version_row(version)}
        self.conn.execute(f"INSERT INTO agreement_terms ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                          tuple(row.values()))
        self._record("agreement_terms", agreement_id, None, row, agreement_id=agreement_id)

    def months_judged_again(self, agreement_id: int, effective: str, as_of: datetime | None = None) -> int:
        """How many months before this one (as of `as_of`, default now) an edit effective from `effective` would
        judge again."""
        terms = self.terms(agreement_id)
        this = _this_month(terms, as_of)
        first = self._one("SELECT min(handoff_day) FROM leads WHERE agreement_id = ?", (agreement_id,))[0]
        judged = terms.judged_from(date.fromisoformat(first) if first else None)
        start = max(effective, f"{judged:%Y-%m}") if judged else this
        (y1, m1), (y2, m2) = _month(start), _month(this)
        return max(0, (y2 * 12 + m2) - (y1 * 12 + m1))

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
        # ASCII digits only ("²" is a digit to isdigit(), not to int()), and an id SQLite can hold.
        if row is None and text.isascii() and text.isdigit() and int(text) <= SQLITE_INT_MAX:
            row = self._one(f"SELECT * FROM {table} WHERE id = ?", (int(text),))
        if row is None:
            known = ", ".join(r[0] for r in self.conn.execute(f"SELECT name FROM {table} ORDER BY name")) or "none yet"
            raise NotFound(f"{noun}: no {noun} '{text}' (known: {known}); {hint}")
        return row

    def _agreement_row(self, name_or_id: str | int) -> sqlite3.Row:
        return self._by_name_or_id("agreements", "agreement", name_or_id, "list them with `slatui agreement list`")

    def get_agreement(self, name_or_id: str | int) -> Agreement:
        """The agreement with the terms in force now."""
        with self.snapshot():
            row = self._agreement_row(name_or_id)
            version = self._terms_of(row).current_version()
            # Its countries were checked when saved: an edit that keeps them need not load the holidays package.
            self._preload_holidays(version.holiday_countries)
            return agreement_from_row(row, version)

    def list_agreements(self, status: str | None = None) -> list[Agreement]:
        with self.snapshot():
            return [agreement_from_row(r, self._terms_of(r).current_version()) for r in self._agreement_rows(status)]

    def agreement_dump(self, name_or_id: str | int) -> dict[str, Any]:
        """`get_agreement(...).model_dump(mode="json")` without loading pydantic (quick commands)."""
        with self.snapshot():
            row = self._agreement_row(name_or_id)
            return agreement_json(row, self._terms_of(row).current_version())

    def agreement_dumps(self, status: str | None = None) -> list[dict[str, Any]]:
        """`agreement_dump` of each agreement, by name."""
        with self.snapshot():
            return [agreement_json(r, self._terms_of(r).current_version()) for r in self._agreement_rows(status)]

    def terms(self, name_or_id: str | int) -> Terms:
        """An agreement's terms (every version; the flat fields in force now) without loading its model."""
        with self.snapshot():
            return self._terms_of(self._agreement_row(name_or_id))

    def list_terms(self, status: str | None = None) -> list[Terms]:
        with self.snapshot():
            return [self._terms_of(r) for r in self._agreement_rows(status)]

    def _terms_of(self, row: sqlite3.Row) -> Terms:
        versions = [version_from_row(v) for v in self.conn.execute(
            "SELECT * FROM agreement_terms WHERE agreement_id = ? ORDER BY from_month", (row["id"],))]
        return terms_from_rows(row, versions, time.time())

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
        with self.change(f"deleted agreement #{agreement_id} {agreement.name}"):
            for lead_id, in self.conn.execute("SELECT id FROM leads WHERE agreement_id = ?", (agreement_id,)).fetchall():
                self._delete_lead_logged(lead_id)
            for version in self.conn.execute("SELECT * FROM agreement_terms WHERE agreement_id = ?",
                                             (agreement_id,)).fetchall():
                self._record("agreement_terms", agreement_id, dict(version), None, agreement_id=agreement_id)
            self._record("agreements", agreement_id, self._row("agreements", agreement_id), None,
                         agreement_id=agreement_id)
            self.conn.execute("DELETE FROM agreements WHERE id = ?", (agreement_id,))
        self.forget_clock(agreement_id)

    def _save_holidays(self, codes: tuple[str, ...]) -> None:
        """Keep the holidays of these countries for the years around now in the file."""
        this_year = datetime.now(timezone.utc).year
        for code in codes:
            have = {y for (y,) in self.conn.execute("SELECT year FROM holiday_years WHERE country = ?", (code,))}
            missing = [y for y in range(this_year - HOLIDAY_YEARS, this_year + HOLIDAY_YEARS + 1) if y not in have]
            self.conn.executemany(
                "INSERT INTO holiday_years (country, year, days) VALUES (?, ?, ?)",
                [(code, year, json.dumps(sorted(d.isoformat() for d in days)))
                 for year, days in country_holidays(code, missing).items()],
            )

    def _preload_holidays(self, codes: tuple[str, ...]) -> None:
        if codes:
            rows = self.conn.execute(
                f"SELECT country, year, days FROM holiday_years WHERE country IN ({', '.join('?' * len(codes))})",
                codes,
            )
            for code, year, days in rows:
                preload_holidays(code, year, map(date.fromisoformat, json.loads(days)))

    def forget_clock(self, agreement_id: int) -> None:
        """Drop cached clocks (after an edit, or a rolled-back transaction that created the agreement)."""
        for key in [k for k in self._clocks if k[0] == agreement_id]:
            del self._clocks[key]

    def clock(self, agreement_id: int, at: float) -> Clock:
        """The clock of the agreement's terms in force at the epoch instant `at` (a lead's handoff), cached:
        building holiday tables is not free.

        The cache is dropped whenever another connection has committed (PRAGMA data_version),
        so an edit made elsewhere (the CLI while the app runs) never leaves a stale clock here.
        """
        data_version = self._one("PRAGMA data_version")[0]
        if data_version != self._clocks_version:
            self._clocks.clear()
            self._clocks_version = data_version
        terms = self._clocks.get((agreement_id, None))
        if terms is None:
            # By id only: a name lookup first would cost a query, and could pick an agreement named "2".
            with self.snapshot():
                row = self._one("SELECT * FROM agreements WHERE id = ?", (agreement_id,))
                if row is None:
                    raise NotFound(f"agreement: no agreement with id {agreement_id}; "
                                   "list them with `slatui agreement list`")
                terms = self._clocks[(agreement_id, None)] = self._terms_of(row)
        version = terms.version_at(at)
        clock = self._clocks.get((agreement_id, version.from_month))
        if clock is None:
            self._preload_holidays(version.holiday_countries)
            clock = self._clocks[(agreement_id, version.from_month)] = Clock.of(terms, version)
        return clock

    def clock_picker(self, agreement_id: int) -> Callable[[float], Clock]:
        """`clock` for many leads of one agreement (a bulk load, a recompute): the version in force at an instant
        found by bisection over the versions' start instants, without a query per lead."""
        terms = self.agreement_terms(agreement_id)
        versions = terms.versions or (terms.current_version(),)
        starts = [v.start_instant() for v in versions[1:]]
        clocks = [self.clock(agreement_id, start) for start in [float("-inf"), *starts]]
        return lambda at: clocks[bisect_right(starts, at)]

    def agreement_terms(self, agreement_id: int) -> Terms:
        """The cached terms of an agreement (by id), as `clock` reads them."""
        self.clock(agreement_id, time.time())
        return self._clocks[(agreement_id, None)]

    # ---- recomputing leads after a clock change -------------------------------------------------

    def _queue_recompute(self, agreement_id: int, since: float) -> None:
        """Note that the agreement's leads handed off since `since` need their facts again (merged with a job
        already waiting, which then starts over)."""
        job = self._one("SELECT since FROM recompute_jobs WHERE agreement_id = ?", (agreement_id,))
        since = int(since if job is None else min(since, job[0]))
        total = self._one("SELECT count(*) FROM leads WHERE agreement_id = ? AND handed_off_at >= ?",
                          (agreement_id, since))[0]
        self.conn.execute("INSERT OR REPLACE INTO recompute_jobs (agreement_id, since, next_lead_id, total, done) "
                          "VALUES (?, ?, 0, ?, 0)", (agreement_id, since, total))
        self._stamp_recompute()  # the writer runs it next: a command starting meanwhile leaves it alone

    def recomputing(self) -> dict[int, tuple[int, int]]:
        """Agreements whose leads are being recomputed: {agreement id: (done, total)}."""
        return {r[0]: (r[1], r[2]) for r in self.conn.execute("SELECT agreement_id, done, total FROM recompute_jobs")}

    def recompute_running(self) -> bool:
        """Whether a process (this one or another) recomputed a batch of the waiting jobs a moment ago."""
        beat = self.setting(RECOMPUTE_HEARTBEAT)
        return beat is not None and time.time() - float(beat) < RECOMPUTE_ALIVE_SECONDS

    def _stamp_recompute(self) -> None:
        self.set_setting(RECOMPUTE_HEARTBEAT, repr(time.time()))  # inside the caller's transaction

    def run_recompute_jobs(self, progress: Callable[[int, int], None] | None = None,
                           batch_seconds: float = RECOMPUTE_BATCH_SECONDS) -> None:
        """Recompute the leads of waiting jobs, one short transaction at a time (other writers get in between),
        resuming where a killed run stopped. `progress` gets (done, total) after each batch."""
        batch = RECOMPUTE_BATCH_MAX  # a month's edit is often one batch; later ones follow `batch_seconds`
        while True:
            with self.transaction():
                started = time.perf_counter()  # the batch's own work: a wait for the lock says nothing of its size
                job = self._one("SELECT * FROM recompute_jobs ORDER BY agreement_id LIMIT 1")
                if job is None:
                    self.set_setting(RECOMPUTE_HEARTBEAT, None)
                    return
                reader = self.conn.cursor()
                reader.row_factory = None  # plain tuples: thousands of rows, read by position
                rows = reader.execute(_RECOMPUTE_SQL, (job["agreement_id"], job["next_lead_id"], job["since"],
                                                       batch)).fetchall()
                self._recompute_rows(self.clock_picker(job["agreement_id"]), rows)
                done = job["done"] + len(rows)
                finished = len(rows) < batch
                if finished:
                    self.conn.execute("DELETE FROM recompute_jobs WHERE agreement_id = ?", (job["agreement_id"],))
                else:
                    self.conn.execute("UPDATE recompute_jobs SET next_lead_id = ?, done = ? WHERE agreement_id = ?",
                                      (rows[-1][0] + 1, done, job["agreement_id"]))
                self._stamp_recompute()
            elapsed = time.perf_counter() - started  # with the rollup's refresh and the commit
            if progress:
                progress(done, max(done, job["total"]))
            # Batches of about `batch_seconds`: long enough to amortise, short enough that a `log` hardly waits.
            batch = max(200, min(RECOMPUTE_BATCH_MAX, int(batch * batch_seconds / max(elapsed, 1e-3))))
            if not finished:  # no pause once the job is done: the process may have nothing else to do
                time.sleep(RECOMPUTE_PAUSE_SECONDS)

    def _recompute_rows(self, clock_at: Callable[[float], Clock], rows: list[tuple]) -> None:
        """New clock facts for these leads (day, deadline, breach instant, response time, next attempt due), rows
        as `_RECOMPUTE_SQL` reads them; only the leads whose facts move are written."""
        inputs = len(RECOMPUTE_INPUTS)
        updates = []
        for row in rows:
            facts = recomputed_facts(clock_at(row[1]), *row[1:1 + inputs])
            if facts != row[1 + inputs:]:
                updates.append((*facts, row[0]))
        if updates:
            self.conn.executemany(f"UPDATE leads SET {', '.join(f'{k} = ?' for k in LEAD_FACT_COLUMNS)} WHERE id = ?",
                                  updates)


# A batch of a recompute job: each lead's id, what its facts follow from, and the facts stored now.
_RECOMPUTE_SQL = (f"SELECT id, {', '.join(RECOMPUTE_INPUTS)}, {', '.join(LEAD_FACT_COLUMNS)} FROM leads "
                  "WHERE agreement_id = ? AND id >= ? AND handed_off_at >= ? ORDER BY id LIMIT ?")


def _month(label: str) -> tuple[int, int]:
    year, month = label.split("-")
    return int(year), int(month)


def _this_month(terms: Terms, as_of: datetime | None = None) -> str:
    zone = ZoneInfo(terms.tz)
    return (datetime.now(zone) if as_of is None else as_of.astimezone(zone)).strftime("%Y-%m")


def _month_start(label: str, zones: tuple[str, ...]) -> int:
    """The month's first instant in the earliest of these zones (the version's before and after the edit): a
    version starts at its month in its own zone, so no lead before that instant changes version or clock."""
    return int(min(datetime(*_month(label), 1, tzinfo=ZoneInfo(tz)).timestamp() for tz in zones))
