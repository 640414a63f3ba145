"""Bulk SQL for imports and exports.

The write functions run inside the caller's `Store.transaction()`, so an import is all or
nothing; lookups take many keys at once in chunks that stay under SQLite's parameter limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from slatui.models import Agreement, Attempt, Lead, Rep
from slatui.store.database import Store
from slatui.store.rows import LEAD_ZONE_SQL, lead_values, user_columns

_CHUNK = 500


def _chunks(items: Iterable[Any]) -> Iterator[list[Any]]:
    items = list(items)
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


def _marks(items: list[Any]) -> str:
    return ", ".join("?" * len(items))


# ---- lookups ------------------------------------------------------------------------------------


def leads_by_external_id(store: Store, agreement_id: int, external_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Stored lead rows of one agreement, keyed by their external id."""
    found = {}
    for chunk in _chunks(set(external_ids)):
        for row in store.conn.execute(
            f"SELECT * FROM leads WHERE agreement_id = ? AND external_id IN ({_marks(chunk)})", (agreement_id, *chunk)
        ):
            found[row["external_id"]] = dict(row)
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
        for row in store.conn.execute(
            f"SELECT * FROM leads WHERE handed_off_at IN ({_marks(chunk)}) AND +agreement_id = ? "
            "AND +external_id IS NULL ORDER BY id",
            (*chunk, agreement_id),
        ):
            key = (row["name"], row["handed_off_at"])
            if key in keys:
                found.setdefault(key, dict(row))
    return found


def leads_by_email(store: Store, agreement_id: int, emails: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """Stored lead rows of one agreement, keyed by lower-cased email (several leads may share one)."""
    wanted = {e.casefold() for e in emails}
    found: dict[str, list[dict[str, Any]]] = {}
    if wanted:
        # No index on email: one pass over the agreement's leads beats one per address.
        for row in store.conn.execute(
            "SELECT * FROM leads WHERE agreement_id = ? AND email IS NOT NULL ORDER BY id", (agreement_id,)
        ):
            if row["email"].casefold() in wanted:
                found.setdefault(row["email"].casefold(), []).append(dict(row))
    return found


def leads_by_id(store: Store, lead_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    found = {}
    for chunk in _chunks(set(lead_ids)):
        for row in store.conn.execute(f"SELECT * FROM leads WHERE id IN ({_marks(chunk)})", chunk):
            found[row["id"]] = dict(row)
    return found


# ---- writes -------------------------------------------------------------------------------------


def ensure_agreement(store: Store, agreement: Agreement) -> tuple[Agreement, bool]:
    """The stored agreement of that name, else the given one added; (agreement, created)."""
    if store._one("SELECT 1 FROM agreements WHERE name = ? COLLATE NOCASE", (agreement.name,)):
        return store.get_agreement(agreement.name), False
    return store.add_agreement(agreement), True


def ensure_reps(store: Store, reps: Iterable[Rep]) -> tuple[dict[str, int], int]:
    """Rep ids by case-folded name, adding the reps not stored yet; (ids, how many were added)."""
    ids = {row["name"].casefold(): row["id"] for row in store.conn.execute("SELECT id, name FROM reps")}
    added = 0
    for rep in reps:
        if rep.name.casefold() not in ids:
            ids[rep.name.casefold()] = store.add_rep(rep).id
            added += 1
    return ids, added


def save_lead(store: Store, lead: Lead, stored: dict[str, Any] | None) -> tuple[int, bool]:
    """Insert the lead, or overwrite the CRM fields of the `stored` row with it (its facts follow in
    `refresh_leads`); returns (lead id, whether anything was written)."""
    if stored is None:
        return store.insert_lead(lead_values(lead)), True
    row = user_columns(lead_values(lead), close_reason=stored["close_reason"], snoozed_until=stored["snoozed_until"])
    if all(stored[k] == v for k, v in row.items()):
        return stored["id"], False
    store.conn.execute(f"UPDATE leads SET {', '.join(f'{k} = ?' for k in row)} WHERE id = ?",
                       (*row.values(), stored["id"]))
    store._log_lead(stored)
    return stored["id"], True


def add_attempts(store: Store, attempts: Iterable[tuple[int, Attempt, int | None]]) -> set[int]:
    """Insert (lead id, attempt, rep id) triples, skipping attempts already stored: same external id on
    the lead, or for attempts without one, the same time, channel and outcome (so re-imports add nothing).

    Returns the ids of the leads that got new attempts.
    """
    # New rows get ids above the current maximum, which finds them again without a scan.
    last_id = store.conn.execute("SELECT coalesce(max(id), 0) FROM attempts").fetchone()[0]
    with_id, without_id = [], []
    for lead_id, a, rep_id in attempts:
        values = (lead_id, int(a.at.timestamp()), a.channel, a.outcome, rep_id, a.note)
        (with_id if a.external_id else without_id).append(values + ((a.external_id,) if a.external_id else ()))
    store.conn.executemany(
        "INSERT INTO attempts (lead_id, at, channel, outcome, rep_id, note, external_id) VALUES (?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (lead_id, external_id) DO NOTHING",
        with_id,
    )
    store.conn.executemany(
        "INSERT INTO attempts (lead_id, at, channel, outcome, rep_id, note) SELECT ?1, ?2, ?3, ?4, ?5, ?6 "
        "WHERE NOT EXISTS (SELECT 1 FROM attempts WHERE lead_id = ?1 AND at = ?2 AND channel = ?3 AND outcome = ?4 "
        "AND external_id IS NULL)",
        without_id,
    )
    store._record_range("attempts", last_id + 1, store.conn.execute("SELECT coalesce(max(id), 0) FROM attempts")
                        .fetchone()[0])
    return {r[0] for r in store.conn.execute("SELECT DISTINCT lead_id FROM attempts WHERE id > ?", (last_id,))}


def drop_stand_ins(store: Store, lead_ids: Iterable[int], external_id: str) -> None:
    """Delete the stand-in attempt `external_id` from leads that now have real attempts (logged, so that undoing
    the import puts back a stand-in an earlier import wrote)."""
    for chunk in _chunks(lead_ids):
        stand_ins = store.conn.execute(
            f"SELECT a.*, l.agreement_id AS agreement_id_ FROM attempts a JOIN leads l ON l.id = a.lead_id "
            f"WHERE a.external_id = ? AND a.lead_id IN ({_marks(chunk)}) "
            "AND EXISTS (SELECT 1 FROM attempts o WHERE o.lead_id = a.lead_id AND o.id != a.id)",
            (external_id, *chunk),
        ).fetchall()
        for row in stand_ins:
            attempt = dict(row)
            agreement_id = attempt.pop("agreement_id_")
            store._record("attempts", attempt["id"], attempt, None, lead_id=attempt["lead_id"],
                          agreement_id=agreement_id)
            store.conn.execute("DELETE FROM attempts WHERE id = ?", (attempt["id"],))


def refresh_leads(store: Store, lead_ids: Iterable[int]) -> None:
    """Recompute the derived facts of leads whose attempts or handoff changed (their status follows: a
    `disqualified` attempt closes an open lead, a connecting one connects it)."""
    for lead_id in lead_ids:
        store.refresh_facts(lead_id, handoff=True)


def forget_agreements(store: Store, agreement_ids: Iterable[int]) -> None:
    """Drop cached clocks of agreements a rolled-back import created (their ids will be reused)."""
    for agreement_id in agreement_ids:
        store.forget_clock(agreement_id)


# ---- exports ------------------------------------------------------------------------------------


def export_reps(store: Store) -> Iterator[dict[str, Any]]:
    return store.db["reps"].rows_where(select="id, name, team, weekly_capacity", order_by="id")


def export_leads(store: Store) -> Iterator[dict[str, Any]]:
    """Every lead with its agreement's name and zone and its rep's name, in id order."""
    return store.db.query(
        f"SELECT l.id, a.name AS agreement, {LEAD_ZONE_SQL} AS tz, l.external_id, l.name, l.company, l.email, l.tier, l.source, "
        "l.value, r.name AS rep, l.handed_off_at, l.handoff_day, l.status, l.closed_as, l.revenue, l.closed_at, "
        "l.deadline_at, l.first_attempt_at, l.response_seconds, l.attempt_count, l.connected "
        "FROM leads l JOIN agreements a ON a.id = l.agreement_id LEFT JOIN reps r ON r.id = l.rep_id "
        "ORDER BY l.id"
    )


def export_attempts(store: Store) -> Iterator[dict[str, Any]]:
    return store.db.query(
        f"SELECT t.id, t.lead_id, a.name AS agreement, {LEAD_ZONE_SQL} AS tz, t.at, t.channel, t.outcome, r.name AS rep, t.note, "
        "t.external_id FROM attempts t JOIN leads l ON l.id = t.lead_id "
        "JOIN agreements a ON a.id = l.agreement_id LEFT JOIN reps r ON r.id = t.rep_id ORDER BY t.id"
    )
