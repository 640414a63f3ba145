"""The change log as people read it: one line per row a change wrote ("lead #4: name 'Bob' → 'Robert'"), shared
by `slatui history`, `slatui undo` and the edit commands (and meant for the app's lead detail).

Pure text: a `Namer` says how to show an instant (in the agreement's zone) and how to name a rep or an
agreement by its id; `store_namer` builds one that asks a store (passed in: this module imports none).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slatui.errors import NotFound
from slatui.parsing import format_duration, format_local

# Columns that hold epoch instants, by table (shown as local times; ISO 8601 in JSON).
INSTANT_COLUMNS = {"leads": ("handed_off_at", "closed_at", "snoozed_until"), "attempts": ("at",)}
# Column -> what a person calls it; ids of other rows are shown by name.
_LABELS = {"rep_id": "rep", "agreement_id": "agreement", "lead_id": "lead", "handed_off_at": "handed off",
           "closed_as": "closed as", "closed_at": "closed at", "close_reason": "close reason",
           "snoozed_until": "snoozed until", "external_id": "external id", "weekly_capacity": "capacity/week",
           "from_month": "from", "respond_within_seconds": "respond within", "compliance_threshold": "compliance",
           "lead_goal": "lead goal", "min_attempts": "min attempts", "miss_limit": "miss limit",
           "holiday_countries": "holidays", "holiday_dates": "closed days", "sales_quota": "quota"}
# Columns in the order people read them (others follow as the row gives them); the first `_SHOWN` of each are
# what an added or deleted row is shown with.
_ORDER = {
    "leads": ("name", "company", "agreement_id", "rep_id", "handed_off_at", "closed_as", "email", "tier", "source",
              "value", "closed_at", "revenue", "close_reason", "snoozed_until", "external_id"),
    "attempts": ("lead_id", "at", "channel", "outcome", "rep_id", "note", "external_id"),
    "reps": ("name", "team", "weekly_capacity", "active"),
    "agreements": ("name", "kind", "status"),
    "agreement_terms": ("lead_goal", "respond_within_seconds", "compliance_threshold", "min_attempts", "tz", "hours"),
}
_SHOWN = {"leads": 6, "attempts": 6, "reps": 4, "agreements": 3, "agreement_terms": 6}
_NOUNS = {"agreements": "agreement", "agreement_terms": "terms of agreement", "reps": "rep", "leads": "lead",
          "attempts": "attempt"}
# Long JSON columns of agreements are cut to this many characters.
_WIDEST = 60


class Namer:
    """How values are shown: `instant(epoch, agreement_id)` as a local time, `rep(id)` and `agreement(id)` as
    names (callables given by the caller, which may cache)."""

    def __init__(self, instant: Callable[[int, int | None], str], rep: Callable[[int], str],
                 agreement: Callable[[int], str]):
        self.instant, self.rep, self.agreement = instant, rep, agreement

    def value(self, table: str, column: str, value: Any, agreement_id: int | None) -> str:
        if value is None or value == "":
            return "—"
        if column in INSTANT_COLUMNS.get(table, ()):
            return self.instant(value, agreement_id)
        if column == "rep_id":
            return self.rep(value)
        if column == "agreement_id" and table != "agreement_terms":
            return self.agreement(value)
        if column == "active":
            return "yes" if value else "no"
        if column == "respond_within_seconds":
            return format_duration(value)
        if column == "compliance_threshold":
            return f"{value:.0%}" if value * 100 == round(value * 100) else f"{value:.1%}"
        if isinstance(value, float):
            return f"{value:,.2f}" if column in ("value", "revenue", "sales_quota") else f"{value:g}"
        if isinstance(value, str):
            text = value if len(value) <= _WIDEST else value[:_WIDEST - 1] + "…"
            return repr(text)
        return str(value)


def store_namer(store: Any) -> Namer:
    """Instants in their agreement's zone, reps and agreements by name, as `store` (a Store) has them now."""
    reps = {r["id"]: r["name"] for r in store.rep_rows()}

    def zone(agreement_id: int | None, at: int) -> str:
        try:
            return "UTC" if agreement_id is None else store.clock(agreement_id, at).version.tz
        except NotFound:  # the agreement was deleted since
            return "UTC"

    def agreement(agreement_id: int) -> str:
        try:
            return repr(store.agreement_terms(agreement_id).name)
        except NotFound:
            return f"#{agreement_id}"

    return Namer(lambda at, agreement_id: format_local(at, zone(agreement_id, at)),
                 lambda rep_id: reps.get(rep_id, f"#{rep_id}"), agreement)


def describe_row(row: dict[str, Any], namer: Namer, *, undo: bool = False) -> str:
    """One logged row as a line: what was added, deleted or changed, with old → new values. `undo`: the row
    belongs to an undo, whose id ranges are rows it removed (a bulk insert it reverted)."""
    table, old, new = row["table"], row["old"], row["new"]
    noun = _NOUNS[table]
    agreement_id = row.get("agreement_id")
    if row.get("last_id") is not None:
        count = row["last_id"] - row["id"] + 1
        plural = table if table != "agreement_terms" else noun
        return (f"{'removed' if undo else 'added'} {plural} #{row['id']}–#{row['last_id']} "
                f"({count:,} id{'s' * (count != 1)})")
    subject = f"{noun} #{row['id']}" if table != "agreement_terms" else \
        f"{noun} #{row['id']} from {(new or old)['from_month']}"
    if old is None or new is None:
        values = new if old is None else old
        fields = "; ".join(f"{_LABELS.get(k, k)} {namer.value(table, k, values[k], agreement_id)}"
                           for k in _ORDER[table][:_SHOWN[table]] if values.get(k) not in (None, ""))
        return f"{'added' if old is None else 'deleted'} {subject}" + (f": {fields}" if fields else "")
    changed = [k for k in _ordered(table, new) if k != "id" and old.get(k) != new[k]]
    if not changed:
        return f"{subject}: no change"
    return f"{subject}: " + "; ".join(
        f"{_LABELS.get(k, k)} {namer.value(table, k, old.get(k), agreement_id)} → "
        f"{namer.value(table, k, new[k], agreement_id)}" for k in changed)


def _ordered(table: str, values: dict[str, Any]) -> list[str]:
    first = [k for k in _ORDER[table] if k in values]
    return first + [k for k in values if k not in first]
