"""Any CSV, with its columns mapped to slatui fields (`--map "Handoff date=handed_off_at"`).

Columns already named like a field (`handed_off_at`, `Handed off at`, `email`) map themselves.
A row holding lead fields is a lead; a row with an `at` time is an attempt, on the lead of
the same row or, in a file of attempts only, on the lead its `lead_id` or `email` names.
Leads without a `lead_id` are matched on name and handoff time, so re-imports add nothing.
"""

from __future__ import annotations

from pathlib import Path

from slatui.errors import SlatuiError
from slatui.io.batch import AttemptRecord, Batch, LeadRecord, learn_dates, map_outcome, words
from slatui.io.csvread import CellError, Cells, DateReader, read_table
from slatui.models import CHANNELS, LEAD_SOURCES, LEAD_STATUSES, Agreement

LEAD_FIELDS = ("lead_id", "name", "first_name", "last_name", "company", "email", "tier", "source", "value",
               "handed_off_at", "status", "revenue", "closed_at", "rep")
ATTEMPT_FIELDS = ("attempt_id", "at", "channel", "outcome", "note")
FIELDS = LEAD_FIELDS + ATTEMPT_FIELDS
# Fields that identify a lead rather than describe it: alone, they make a row an attempt.
_REFERENCES = {"lead_id", "email", "rep"}
_CHOICES = {"source": LEAD_SOURCES, "status": LEAD_STATUSES, "channel": CHANNELS}


def parse_mapping(pairs: tuple[str, ...]) -> dict[str, str]:
    """`--map column=field` options as {field: column}."""
    mapping = {}
    for pair in pairs:
        column, sep, field_name = pair.rpartition("=")
        field_name = field_name.strip().lower()
        if not sep or not column.strip():
            raise SlatuiError(f"--map: {pair!r} is not COLUMN=FIELD (e.g. --map \"Handoff date=handed_off_at\")")
        if field_name not in FIELDS:
            raise SlatuiError(f"--map: unknown field {field_name!r} in {pair!r}: use one of {', '.join(FIELDS)}")
        mapping[field_name] = column.strip()
    return mapping


def read_batch(path: Path, agreement: Agreement, dates: DateReader, mapping: dict[str, str]) -> Batch:
    table = read_table(path, [*mapping.values(), *FIELDS])
    for column in mapping.values():
        if not table.has(column):
            raise SlatuiError(f"--map: {table.name} has no column {column!r} (its columns: {', '.join(table.header)})")
    mapped = {table.find(column): field_name for field_name, column in mapping.items()}
    # A column named like a field maps itself, unless --map sends it elsewhere.
    columns = {f: c for f in FIELDS if (c := table.find(f)) is not None and c not in mapped}
    columns.update({f: c for c, f in mapped.items()})
    if "handed_off_at" not in columns and "at" not in columns:
        raise SlatuiError(
            f"{table.name}: no column gives handed_off_at (for leads) or at (for attempts): map one, e.g. "
            f"--map \"{table.header[0]}=handed_off_at\" (fields: {', '.join(FIELDS)})"
        )
    learn_dates(dates, [(table, columns.get(f)) for f in ("handed_off_at", "closed_at", "at")])
    batch = Batch()
    describing = [f for f in LEAD_FIELDS if f in columns and f not in _REFERENCES]

    def convert(cells: Cells, where: str) -> None:
        # Both are read before either is kept: a rejected row contributes nothing.
        lead = _lead(cells, where, agreement.name, columns, describing)
        attempt = _attempt(cells, where, agreement.name, columns, lead)
        if lead is None and attempt is None:
            raise CellError("the row has neither a lead nor an attempt", "")
        batch.leads.extend([lead] if lead else [])
        batch.attempts.extend([attempt] if attempt else [])

    batch.read(table, dates, convert)
    return batch


def _choice(cells: Cells, columns: dict[str, str], field_name: str) -> str:
    text = cells.text(columns.get(field_name))
    value = words(text).replace(" ", "_")
    if value not in _CHOICES[field_name]:
        raise CellError(f"{text!r} is not a {field_name}: use one of {', '.join(_CHOICES[field_name])}",
                        columns[field_name])
    return value


def _amount(cells: Cells, columns: dict[str, str], field_name: str) -> float:
    """A money amount as spreadsheets write it: 1500, 1,500.50, 1.500,50, € 40."""
    text = cells.text(columns[field_name])
    digits = "".join(ch for ch in text if ch in "0123456789.,-")
    if "," in digits and "." in digits:
        decimal = "," if digits.rfind(",") > digits.rfind(".") else "."
    else:
        # One kind of separator: a decimal comma unless it groups thousands (1,500).
        decimal = "," if "," in digits and len(digits) - digits.rfind(",") - 1 != 3 else "."
    cleaned = digits.replace("." if decimal == "," else ",", "").replace(decimal, ".")
    try:
        return float(cleaned)
    except ValueError:
        raise CellError(f"{text!r} is not an amount: write a number such as 1500 or 1500.50",
                        columns[field_name]) from None


def _lead(cells: Cells, where: str, agreement: str, columns: dict[str, str],
          describing: list[str]) -> LeadRecord | None:
    if not any(cells.text(columns[f]) for f in describing):
        return None
    fields: dict = {"external_id": cells.text(columns.get("lead_id")) or None}
    email = cells.text(columns.get("email"))
    name = cells.text(columns.get("name")) or " ".join(
        filter(None, (cells.text(columns.get("first_name")), cells.text(columns.get("last_name"))))) or email
    if name:
        fields["name"] = name
    for field_name in ("company", "tier"):
        if field_name in columns:
            fields[field_name] = cells.text(columns[field_name])
    if "email" in columns:
        fields["email"] = email or None
    for field_name in ("handed_off_at", "closed_at"):
        if cells.text(columns.get(field_name)):
            fields[field_name] = cells.when(columns[field_name])
    for field_name in ("source", "status"):
        if cells.text(columns.get(field_name)):
            fields[field_name] = _choice(cells, columns, field_name)
    for field_name in ("value", "revenue"):
        if cells.text(columns.get(field_name)):
            fields[field_name] = _amount(cells, columns, field_name)
    if "handed_off_at" not in fields and fields["external_id"] is None:
        raise CellError("a lead needs its handoff time", columns.get("handed_off_at", ""))
    owner = cells.text(columns["rep"]) if "rep" in columns else None
    return LeadRecord(where, agreement, fields, owner=owner, columns={
        **columns, "name": columns.get("name") or columns.get("first_name") or columns.get("email", ""),
        "external_id": columns.get("lead_id", "")})


def _attempt(cells: Cells, where: str, agreement: str, columns: dict[str, str],
             lead: LeadRecord | None) -> AttemptRecord | None:
    at = cells.when(columns.get("at"))
    if at is None:
        return None
    if lead is None:
        lead_id, email = cells.text(columns.get("lead_id")), cells.text(columns.get("email"))
        if not lead_id and not email:
            raise CellError("the attempt names no lead: map a lead_id or email column", columns.get("lead_id", ""))
        lead = ("id", lead_id) if lead_id else ("email", email)
    if not cells.text(columns.get("outcome")):
        raise CellError("the attempt has no outcome", columns.get("outcome", ""))
    fields = {"at": at, "outcome": map_outcome(cells.text(columns["outcome"]), columns["outcome"]),
              "note": cells.text(columns.get("note")), "external_id": cells.text(columns.get("attempt_id")) or None}
    if cells.text(columns.get("channel")):
        fields["channel"] = _choice(cells, columns, "channel")
    # On a lead's own row the rep is the lead's, which its attempts inherit.
    owner = cells.text(columns["rep"]) if "rep" in columns and isinstance(lead, tuple) else None
    return AttemptRecord(where, agreement, lead, fields, owner=owner,
                         columns={**columns, "lead": columns.get("lead_id") or columns.get("email", "")})
