"""Agreements: add, edit (leads' clock facts follow), read as models or as plain `Terms`, and each
agreement's cached business clock."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any

from slatui.businesstime import country_holidays, preload_holidays
from slatui.errors import InvalidInput, NotFound
from slatui.store.facts import clock_facts
from slatui.store.rows import agreement_from_row, agreement_json, agreement_row, terms_from_row
from slatui.terms import Terms

if TYPE_CHECKING:
    from slatui.models import Agreement


# Years either side of now whose holidays are saved with an agreement (others load on demand).
HOLIDAY_YEARS = 10
# Agreement fields that change leads' derived facts when edited.
_CLOCK_FIELDS = ("tz", "hours", "holiday_countries", "holiday_dates", "respond_within_seconds")

class AgreementQueries:
    """Reads and writes of the agreements table (a part of `Store`)."""

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

    def agreement_dump(self, name_or_id: str | int) -> dict[str, Any]:
        """`get_agreement(...).model_dump(mode="json")` without loading pydantic (quick commands)."""
        return agreement_json(self._agreement_row(name_or_id))

    def agreement_dumps(self, status: str | None = None) -> list[dict[str, Any]]:
        """`agreement_dump` of each agreement, by name."""
        return [agreement_json(r) for r in self._agreement_rows(status)]

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
