"""Bulk loads (demo data, imports): many leads with their attempts in one transaction, derived facts
computed on the way in."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from slatui.errors import InvalidInput
from slatui.store import rollups
from slatui.store.facts import AttemptSummary, Clock
from slatui.store.rows import (BULK_LEAD_COLUMNS, AttemptValues, LeadValues, attempt_values, bulk_lead_row,
                               lead_values)
from slatui.vocabulary import CONNECTING_OUTCOMES

if TYPE_CHECKING:
    from slatui.models import Attempt, Lead


# Leads per executemany in bulk inserts: big enough to amortise the call, small enough for steady progress.
_BATCH = 5000


class BulkLoading:
    """Bulk inserts of leads with their attempts (a part of `Store`)."""

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
        pickers: dict[int, Callable[[float], Clock]] = {}
        with self.change("bulk load") as change, self.bulk_loading():
            first_lead = next_id = self._one("SELECT coalesce(max(id), 0) + 1 FROM leads")[0]
            first_attempt = self._one("SELECT coalesce(max(id), 0) + 1 FROM attempts")[0]
            lead_rows: list[tuple] = []
            attempt_rows: list[tuple] = []
            for lead, attempts in items:
                agreement_id, rep_id, handed_off_at = lead.agreement_id, lead.rep_id, lead.handed_off_at
                picker = pickers.get(agreement_id)
                if picker is None:
                    picker = pickers[agreement_id] = self.clock_picker(agreement_id)
                clock = picker(handed_off_at)
                first = last = connected_at = disqualified_at = None
                for at, channel, outcome, attempt_rep_id, note, attempt_external_id in attempts:
                    if at < handed_off_at:
                        raise InvalidInput(f"lead '{lead.name}': an attempt comes before its handoff")
                    if first is None or at < first:
                        first = at
                    if last is None or at > last:
                        last = at
                    if outcome in CONNECTING_OUTCOMES and (connected_at is None or at < connected_at):
                        connected_at = at
                    elif outcome == "disqualified" and (disqualified_at is None or at < disqualified_at):
                        disqualified_at = at
                    attempt_rows.append((next_id, at, channel, outcome,
                                         rep_id if attempt_rep_id is None else attempt_rep_id, note,
                                         attempt_external_id))
                summary = AttemptSummary(first, len(attempts), connected_at, last, disqualified_at)
                lead_rows.append(bulk_lead_row(next_id, lead, clock, summary))
                next_id += 1
                lead_count += 1
                attempt_count += len(attempts)
                if len(lead_rows) >= _BATCH:
                    self._insert_batch(lead_rows, attempt_rows, progress)
                    lead_rows, attempt_rows = [], []
            self._insert_batch(lead_rows, attempt_rows, progress)
            self._record_range("leads", first_lead, next_id - 1)
            self._record_range("attempts", first_attempt, first_attempt + attempt_count - 1)
            change.summary = f"loaded {lead_count} leads and {attempt_count} attempts"
        return lead_count, attempt_count

    @contextmanager
    def bulk_loading(self, keep: tuple[str, ...] = ()) -> Iterator[None]:
        """All or nothing even inside a caller's transaction (a savepoint). Into an empty leads table, the
        secondary indexes but those in `keep` are built once at the end (a sort) rather than row by row, and the
        triggers are left out: the loader checks the attempts' rule itself, and the rollup is rebuilt at the end.
        No other writer can see the tables meanwhile."""
        conn = self.conn
        conn.execute("SAVEPOINT bulk_load")
        try:
            objects = [] if self._one("SELECT EXISTS (SELECT 1 FROM leads)")[0] else conn.execute(
                "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
                "AND tbl_name IN ('leads', 'attempts') "
                "AND sql IS NOT NULL"  # NULL for the UNIQUE constraints' own indexes, which cannot be dropped
            ).fetchall()
            objects = [o for o in objects if o[1] not in keep]
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
        self.conn.executemany(f"INSERT INTO leads ({', '.join(BULK_LEAD_COLUMNS)}) "
                              f"VALUES ({', '.join('?' * len(BULK_LEAD_COLUMNS))})", lead_rows)
        self.conn.executemany("INSERT INTO attempts (lead_id, at, channel, outcome, rep_id, note, external_id) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?)", attempt_rows)
        if progress:
            progress(len(lead_rows))
