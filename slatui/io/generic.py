"""Any CSV or .xlsx sheet, with its columns mapped to slatui fields (`--map "Handoff date=handed_off_at"`).

Columns already named like a field (`handed_off_at`, `Handed off at`, `email`) map themselves.
A row holding lead fields is a lead; a row with an `at` time is an attempt, on the lead of
the same row or, in a file of attempts only, on the lead its `lead_id` or `email` names.
Leads without a `lead_id` are matched on name and handoff time, so re-imports add nothing.
A rep the database does not know rejects its row unless --create-reps: a typo must not become a rep.

Amounts (value, revenue) are plain decimal numbers, with an optional currency sign or code and
thousands grouped by `,` `.` space or `'` in threes: 1500, 1,500.50, 1.500,50, € 40, 40 EUR. A
separator followed by exactly three digits groups thousands (1,500 and 1.500 are both 1500); one
followed by one, two or four and more digits is the decimal point. Anything else (1e3, 5k, 1/2,
"1,5 million", inf) rejects its row rather than being misread.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from slatui.errors import SlatuiError
from slatui.io.batch import (AttemptRecord, Batch, LeadRecord, footer_line, learn_dates, map_outcome, owner_name,
                             words)
from slatui.io.csvread import CellError, Cells, DateReader, read_table
from slatui.models import CHANNELS, LEAD_SOURCES, LEAD_STATUSES, Agreement

LEAD_FIELDS = ("lead_id", "name", "first_name", "last_name", "company", "email", "tier", "source", "value",
               "handed_off_at", "status", "revenue", "closed_at", "rep")
ATTEMPT_FIELDS = ("attempt_id", "at", "channel", "outcome", "note")
FIELDS = LEAD_FIELDS + ATTEMPT_FIELDS
# Fields that identify a lead rather than describe it: alone, they make a row an attempt.
_REFERENCES = {"lead_id", "email", "rep"}
_CHOICES = {"source": LEAD_SOURCES, "status": LEAD_STATUSES, "channel": CHANNELS}

_CURRENCY = r"(?:[$€£¥₹]|[A-Za-z]{3})"
_AMOUNT = re.compile(rf"(?:{_CURRENCY}\s*)?(?P<number>[0-9][0-9.,' \u00a0\u202f]*)(?:\s*{_CURRENCY})?")
_GROUPED = re.compile(r"[0-9]{1,3}(?:(?P<sep>[,.' \u00a0\u202f])[0-9]{3})(?:(?P=sep)[0-9]{3})*")
_AMOUNT_HELP = "write a plain number such as 1500, 1,500.50 or 1.500,50"
# Above this an amount is a typo (or a number in the wrong column), and floats stop being exact cents.
_AMOUNT_MAX = 1e15


def parse_amount(text: str) -> float:
    """A money amount as spreadsheets write it (see the module's rule); ValueError says what is wrong."""
    text = text.strip()
    if text.startswith(("-", "(")):
        raise ValueError(f"{text!r} is negative: amounts are 0 or more")
    m = _AMOUNT.fullmatch(text)
    if m is None:
        raise ValueError(f"{text!r} is not an amount: {_AMOUNT_HELP}")
    number = m["number"].rstrip(" \u00a0\u202f")
    marks = [i for i, ch in enumerate(number) if not ch.isdigit()]
    if not marks:
        whole, fraction = number, ""
    else:
        last = marks[-1]
        tail = number[last + 1:]
        decimal = number[last] in ",." and (len(tail) != 3 or number[:last].lstrip("0") == ""
                                             or _mixed(number, number[last]))
        whole, fraction = (number[:last], tail) if decimal else (number, "")
        if whole and not whole.isdigit() and not _GROUPED.fullmatch(whole):
            raise ValueError(f"{text!r} is not an amount: group thousands in threes ({_AMOUNT_HELP})")
        whole = re.sub(r"[^0-9]", "", whole)
    value = float(f"{whole or 0}.{fraction or 0}")
    if not math.isfinite(value) or value >= _AMOUNT_MAX:
        raise ValueError(f"{text!r} is too large for an amount")
    return value


def _mixed(number: str, mark: str) -> bool:
    """Whether another separator comes before the last one (1.500,500: the last is the decimal point)."""
    return any(not ch.isdigit() and ch != mark for ch in number[: number.rfind(mark)])


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


# Words in a column's name that say it holds a date or a time (English, Spanish, Portuguese, Russian exports).
_TIME_WORDS = re.compile(r"date|time|when|created|hand.?off|fecha|hora|cuando|data|quando|дата|время|когда", re.IGNORECASE)


# What an export may end with, alone in its first cell: totals, a count of rows, when and by what it was made.
_FOOTER = re.compile(r"(grand )?totals?\b.*|.*\b\d[\d,.]* (records?|rows?|leads?)\b.*|(exported|generated|report|"
                     r"created) (on|by|at)\b.*|confidential\b.*|copyright\b.*", re.IGNORECASE)


def _time_column(header: list[str]) -> str:
    """The column a missing time most likely is, for the example in the message (the first column, often an
    id, made a poor one); a placeholder if no name says so."""
    return next((column for column in header if _TIME_WORDS.search(column)), "Handoff date")


def read_batch(path: Path, agreement: Agreement, dates: DateReader, mapping: dict[str, str], *,
               sheet: str | None = None) -> Batch:
    table = read_table(path, [*mapping.values(), *FIELDS], sheet=sheet)
    for column in mapping.values():
        if not table.has(column):
            raise SlatuiError(f"--map: {table.name} has no column {column!r} (its columns: {', '.join(table.header)})")
    mapped = {table.find(column): field_name for field_name, column in mapping.items()}
    # A column named like a field maps itself, unless --map sends it elsewhere.
    columns = {f: c for f in FIELDS if (c := table.find(f)) is not None and c not in mapped}
    columns.update({f: c for c, f in mapped.items()})
    if "handed_off_at" not in columns and "at" not in columns:
        raise SlatuiError(
            f"{table.name}: no column gives handed_off_at (for leads) or at (for attempts): map one as COLUMN=FIELD "
            f"(--map on the command line), e.g. \"{_time_column(table.header)}=handed_off_at\" "
            f"(fields: {', '.join(FIELDS)})"
        )
    learn_dates(dates, [(table, [columns.get(f) for f in ("handed_off_at", "closed_at", "at")])])
    batch = Batch(create_reps=False, zone=dates.tz)
    describing = [f for f in LEAD_FIELDS if f in columns and f not in _REFERENCES]
    lead_columns = {**columns, "name": columns.get("name") or columns.get("first_name") or columns.get("email", ""),
                    "external_id": columns.get("lead_id", "")}
    attempt_columns = {**columns, "lead": columns.get("lead_id") or columns.get("email", "")}

    header = [words(column) for column in table.header]

    def convert(cells: Cells, where: str, source: int) -> list:
        row = cells.row.cells
        # Exports that repeat the header every page (its first cell first: one call a row, not one a cell).
        if row and words(row[0]) == header[0] and [words(cell) for cell in row[:len(header)]] == header:
            batch.skip("they repeat the header")
            return []
        if footer_line(cells, _FOOTER):
            batch.skip("footer lines (totals, export notes) are not leads")
            return []
        # Both are read before either is kept: a rejected row contributes nothing.
        lead = _lead(batch, cells, where, agreement.name, columns, describing, lead_columns)
        attempt = _attempt(batch, cells, where, agreement.name, columns, lead, attempt_columns)
        if lead is None and attempt is None:
            raise CellError("the row has neither a lead nor an attempt", columns.get("handed_off_at") or
                            columns.get("at", ""))
        records = [r for r in (lead, attempt) if r is not None]
        for record in records:
            record.source = source
        return records

    batch.read(table, dates, convert, mixed=True)
    return batch


def _choice(cells: Cells, columns: dict[str, str], field_name: str) -> str:
    text = cells.text(columns.get(field_name))
    value = words(text).replace(" ", "_")
    if value not in _CHOICES[field_name]:
        raise CellError(f"{text!r} is not a {field_name}: use one of {', '.join(_CHOICES[field_name])}",
                        columns[field_name])
    return value


def _amount(cells: Cells, columns: dict[str, str], field_name: str) -> float:
    try:
        return parse_amount(cells.text(columns[field_name]))
    except ValueError as exc:
        raise CellError(str(exc), columns[field_name]) from None


def _lead(batch: Batch, cells: Cells, where: str, agreement: str, columns: dict[str, str], describing: list[str],
          lead_columns: dict[str, str]) -> LeadRecord | None:
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
    owner = owner_name(batch, cells.text(columns["rep"])) if "rep" in columns else None
    return LeadRecord(where, agreement, fields, owner=owner, columns=lead_columns)


def _attempt(batch: Batch, cells: Cells, where: str, agreement: str, columns: dict[str, str],
             lead: LeadRecord | None, attempt_columns: dict[str, str]) -> AttemptRecord | None:
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
    owner = owner_name(batch, cells.text(columns["rep"])) if "rep" in columns and isinstance(lead, tuple) else None
    return AttemptRecord(where, agreement, lead, fields, owner=owner, columns=attempt_columns)
