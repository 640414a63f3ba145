"""What every importer shares: records read from a file, per-row errors, and the one transaction that
checks, writes and counts an import (or only counts it, on --dry-run).

An importer turns its files into a `Batch`: the files' headers are read (and wrong files refused) at
once, their rows only when `run_import` walks them. Each row becomes lead and attempt records holding
only the fields the file gives (instants in epoch seconds). `run_import` takes them in chunks: it looks
the chunk's leads up by external id (or name and handoff), merges and checks them, writes them, and finds
the leads of its attempts in the database, which is the import's own index. Memory stays flat with the
file's size: a few bytes per row (where in the file each lead and attempt came from, for messages) and
nothing else that grows. Inserts run on the reading thread: on a second one they waited for the GIL after
every row SQLite stepped (the reader holds it for its 5 ms switch interval), which cost more than it
overlapped. On a re-import, rows whose attempts are all stored already are passed over unread.

Records are checked on plain values by the `Lead` and `Attempt` models' rules (restated in
`check_lead` and `check_attempt`, tested against the models): a million models would cost more than
the rest of an import.
"""

from __future__ import annotations

import math
import re
import time
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from difflib import get_close_matches
from functools import lru_cache
from itertools import islice
from operator import itemgetter
from typing import Any

from pydantic import ValidationError

from slatui.errors import SlatuiError
from slatui.io.csvread import CellError, Cells, DateReader, Table
from slatui.models import Agreement, Rep, describe_validation_error
from slatui.parsing import format_local, is_email
from slatui.store import LeadValues, Store, bulk
from slatui.store.facts import ATTEMPT_FACT_COLUMNS, AttemptSummary, Clock, attempt_facts, handoff_facts
from slatui.store.rows import bulk_lead_row
from slatui.vocabulary import CHANNELS, CLOSED_STATUSES, LEAD_NAME_MAX, LEAD_SOURCES, LEAD_STATUSES, OUTCOMES

# Call dispositions of HubSpot and Salesforce (and slatui's own outcome names) -> slatui outcomes.
# Busy and wrong number are attempts that reached nobody, not verdicts on the lead: only an explicit
# "disqualified" closes one.
OUTCOME_WORDS = {
    **{o.replace("_", " "): o for o in OUTCOMES},
    "busy": "no_answer",
    "no response": "no_answer",
    "not answered": "no_answer",
    "wrong number": "no_answer",
    "bad number": "no_answer",
    "left voicemail": "voicemail",
    "left live message": "voicemail",
    "left message": "voicemail",
    "not interested": "connected",  # they picked up and spoke, then said no
    "meeting scheduled": "meeting_booked",
    "meeting set": "meeting_booked",
}

# Activity types -> (channel, outcome); a None outcome comes from the call's disposition.
# Written messages have no outcome of their own in slatui: like an email, they were sent.
ACTIVITY_TYPES = {
    **dict.fromkeys(("call", "calls", "phone call"), ("call", None)),
    **dict.fromkeys(("email", "emails", "sales email", "forwarded email", "email reply", "list email", "listemail"),
                    ("email", "email_sent")),
    **dict.fromkeys(("meeting", "meetings", "event"), ("meeting", "meeting_booked")),
    **dict.fromkeys(("linkedin", "linkedin message"), ("social", "email_sent")),
    **dict.fromkeys(("sms", "whatsapp", "whatsapp message"), ("sms", "email_sent")),
}
# Activities that are not follow-up attempts: skipped and counted, not rejected.
NOT_ATTEMPTS = frozenset({"note", "notes", "task", "tasks", "todo", "to do", "other", "incoming email"})

# The stand-in attempt of a contact known only by a "first engagement" date; real attempts replace it.
STAND_IN_ID = "first-engagement"

# Rejected rows kept for the summary (the count goes on): a file in the wrong date format rejects every row.
ERRORS_KEPT = 10_000
# Records per chunk: one lookup query and one insert per chunk.
CHUNK = 2000
# SQLite's page cache during an import: a re-import looks up every lead of a large file (the default is 2 MB).
CACHE_MB = 64
# Clock skew allowed on "in the future" (a laptop a few minutes fast).
FUTURE_SLACK_SECONDS = 300
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_AFTER_2100 = int(datetime(2101, 1, 1, tzinfo=timezone.utc).timestamp())
# "Jane Doe (Deactivated User)": a removed HubSpot user; "Jane Doe (jane@example.com)": an owner's email.
_DEACTIVATED = re.compile(r"\s*\(\s*deactivated user\s*\)\s*$", re.IGNORECASE)
_OWNER_EMAIL = re.compile(r"\s*\([^()]*@[^()]*\)\s*$")


@lru_cache(maxsize=4096)  # called on every cell of a few short, repetitive columns
def words(text: str) -> str:
    return " ".join(re.sub(r"[_\-]+", " ", text.casefold()).split())


def footer_line(cells: Cells, pattern: re.Pattern[str]) -> bool:
    """A line an export ends with: a text matching `pattern` in its first cell, nothing else (the other cells
    are looked at first: in a row of data the second is seldom blank)."""
    row = cells.row.cells
    return bool(row) and not any(cell.strip() for cell in row[1:]) and pattern.fullmatch(row[0].strip()) is not None


def map_outcome(text: str, column: str) -> str:
    outcome = OUTCOME_WORDS.get(words(text))
    if outcome is None:
        raise CellError(f"unknown outcome {text!r}: use one of {', '.join(sorted(OUTCOME_WORDS))}", column)
    return outcome


def activity(kind: str, disposition: str, kind_column: str, outcome_column: str) -> tuple[str, str] | None:
    """(channel, outcome) of a CRM activity, None when it is not a follow-up attempt (a note, a task)."""
    key = words(kind)
    if key in NOT_ATTEMPTS:
        return None
    if key not in ACTIVITY_TYPES:
        raise CellError(f"unknown activity type {kind!r}: use call, email, meeting, linkedin, sms, note or task",
                        kind_column)
    channel, outcome = ACTIVITY_TYPES[key]
    if outcome is None:
        # A call logged without a disposition is still an attempt, and nobody recorded it connecting.
        outcome = map_outcome(disposition, outcome_column) if disposition else "no_answer"
    return channel, outcome


def find_columns(table: Table, spec: dict[str, tuple[str, ...]]) -> dict[str, str | None]:
    """The file's column for each field of `spec` (field -> aliases), None where it has none."""
    return {name: table.find(*aliases) for name, aliases in spec.items()}


def classify(table: Table, kinds: dict[str, tuple[str, ...]], what: str) -> str:
    """Which kind of export `table` is, by the columns only that kind has."""
    scores = {kind: sum(table.has(c) for c in columns) for kind, columns in kinds.items()}
    best = max(scores, key=scores.__getitem__)
    if not scores[best]:
        examples = "; ".join(f"{kind}: {', '.join(columns[:3])}" for kind, columns in kinds.items())
        raise SlatuiError(f"{table.name} does not look like {what} (expected columns such as {examples})")
    return best


def learn_dates(dates: DateReader, columns: Iterable[tuple[Table, list[str | None]]]) -> None:
    """Settle the import's date order from each table's date columns (one walk of each file at most)."""

    def values(table: Table, names: list[str]) -> Iterator[tuple[str, str]]:
        return ((f"{table.name}: {column}", value) for column, value in table.values(names))

    dates.learn(values(table, [c for c in names if c]) for table, names in columns if any(names))


def owner_name(batch: Batch, text: str) -> str:
    """An owner cell as a rep's name: without HubSpot's "(jane@example.com)" or "(Deactivated User)"; the
    latter is noted in `batch.deactivated`."""
    name, deactivated = _owner_parts(text)
    if deactivated:
        batch.deactivated.add(name)
    return name


@lru_cache(maxsize=1024)  # a few owners, on every row
def _owner_parts(text: str) -> tuple[str, bool]:
    name = _OWNER_EMAIL.sub("", text)
    if _DEACTIVATED.search(name):
        return _DEACTIVATED.sub("", name), True
    return name, False


def closing_time(cells: Cells, column: str | None, handed_off_at: int | None) -> int | None:
    """When a lead closed: a date without a time (Salesforce's ConvertedDate) is the end of that day, or the
    handoff if that comes later (a lead created and converted the same day)."""
    end = cells.when(column, day_end=True)
    if end is not None and end != cells.when(column) and handed_off_at is not None:
        return max(end, handed_off_at)
    return end


# ---- the rules of the models, on plain values -----------------------------------------------------


def _instant_problem(value: Any, now: int, zone: str | None = None) -> str | None:
    """Why an instant (epoch seconds) cannot be imported: outside 1970-2100 or in the future."""
    if not isinstance(value, int) or isinstance(value, bool):
        return "a time is needed"
    if 0 <= value <= now + FUTURE_SLACK_SECONDS:
        return None
    if value < 0 or value >= _AFTER_2100:
        year = (_EPOCH + timedelta(seconds=min(max(value, -62135596800), 253402300799))).year
        return f"the year {year} is outside 1970-2100: is it a typo?"
    return (f"{_shown(value, zone)} is in the future (it is now {_shown(now, zone)}): "
            "is the date, or the zone it is read in, wrong?")


def _shown(epoch: int, zone: str | None) -> str:
    """An instant in a message, on the clock the file's times without an offset were read on (so it reads as the
    file has it), else in UTC."""
    if zone:
        return format_local(epoch, zone)
    return f"{_EPOCH + timedelta(seconds=epoch):%Y-%m-%d %H:%M} UTC"


def _amount_problem(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"{value!r} is not a number"
    if not math.isfinite(value):
        return f"{value!r} is not a finite number"
    if value < 0:
        return f"{value:g} is negative: amounts are 0 or more"
    return None


def _text_problem(value: Any, *, required: bool = False, most: int | None = None) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str):
        return "text is needed"
    if required and not value:
        return "is empty"
    if most is not None and len(value) > most:
        return f"is longer than {most} characters"
    return None


def _choice_problem(value: Any, choices: tuple[str, ...]) -> str | None:
    if value in choices:
        return None
    return f"{value!r} is not allowed: use one of {', '.join(choices)}"


def check_lead(row: dict[str, Any], now: int, zone: str | None = None) -> list[tuple[str, str]]:
    """(field, problem) for each of the Lead model's rules a lead's own values break."""
    name, email, handed_off_at, value = row["name"], row["email"], row["handed_off_at"], row["value"]
    if (type(name) is str and 0 < len(name) <= LEAD_NAME_MAX and type(row["company"]) is str
            and type(row["tier"]) is str and (email is None or type(email) is str and (not email or is_email(email)))
            and (row["external_id"] is None or type(row["external_id"]) is str)
            and row["source"] in LEAD_SOURCES and row["status"] == "open" and row["revenue"] is None
            and row["closed_at"] is None and (value is None or type(value) is float and 0 <= value < math.inf)
            and type(handed_off_at) is int and 0 <= handed_off_at <= now + FUTURE_SLACK_SECONDS):
        return []  # an open lead, the usual case, in one test
    problems = []

    def add(name: str, problem: str | None) -> None:
        if problem:
            problems.append((name, problem))

    add("name", "a lead needs a name" if row["name"] is None else
        _text_problem(row["name"], required=True, most=LEAD_NAME_MAX))
    for name in ("company", "tier"):
        add(name, None if isinstance(row[name], str) else "text is needed")
    email = row["email"]
    add("email", _text_problem(email) or (None if not email or is_email(email) else
                                          f"'{email}' is not an email address (want name@example.com)"))
    add("external_id", _text_problem(row["external_id"]))
    add("source", _choice_problem(row["source"], LEAD_SOURCES))
    add("status", _choice_problem(row["status"], LEAD_STATUSES))
    add("value", _amount_problem(row["value"]))
    add("revenue", _amount_problem(row["revenue"]))
    add("handed_off_at", "the lead has no handoff time" if row["handed_off_at"] is None else
        _instant_problem(row["handed_off_at"], now, zone))
    if row["closed_at"] is not None:
        add("closed_at", _instant_problem(row["closed_at"], now, zone))
    if not problems:
        if row["status"] != "customer" and row["revenue"] is not None:
            add("revenue", "revenue is for leads that became customers (status 'customer')")
        elif row["status"] not in CLOSED_STATUSES and row["closed_at"] is not None:
            add("closed_at", "a close date is for leads that were closed (won, lost or disqualified)")
        elif row["closed_at"] is not None and row["closed_at"] < row["handed_off_at"]:
            add("closed_at", "a lead cannot close before it was handed off")
    return problems


def check_attempt(fields: dict[str, Any], now: int, zone: str | None = None) -> list[tuple[str, str]]:
    """(field, problem) for each of the Attempt model's rules an attempt's values break."""
    at, external_id = fields.get("at"), fields.get("external_id")
    if (type(at) is int and 0 <= at <= now + FUTURE_SLACK_SECONDS and fields.get("channel", "call") in CHANNELS
            and fields.get("outcome") in OUTCOMES and type(fields.get("note", "")) is str
            and (external_id is None or type(external_id) is str)):
        return []  # the usual case, in one test
    problems = [(name, problem) for name, problem in (
        ("at", _instant_problem(fields.get("at"), now, zone)),
        ("channel", _choice_problem(fields.get("channel", "call"), CHANNELS)),
        ("outcome", _choice_problem(fields.get("outcome"), OUTCOMES)),
        ("note", None if isinstance(fields.get("note", ""), str) else "text is needed"),
        ("external_id", _text_problem(fields.get("external_id"))),
    ) if problem]
    return problems


# ---- records and the batch ---------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    where: str  # "contacts.csv:14", "contacts.xlsx, sheet Contacts, row 14" or "slatui.json: leads[3]"
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.column}: {self.message}" if self.column else f"{self.where}: {self.message}"


@dataclass(eq=False, slots=True)
class LeadRecord:
    where: str
    agreement: str  # name
    fields: dict[str, Any]  # Lead fields the file gives (instants in epoch seconds); stored values stand for the rest
    owner: str | None = None  # rep name; "" means unassigned, None that the file does not say
    columns: dict[str, str] = field(default_factory=dict)  # Lead field -> file column, for messages
    # Other names attempts may give the lead: ("id", Salesforce's converted contact id), ("row", JSON's lead id).
    aliases: tuple[tuple[str, str], ...] = ()
    source: int = 0  # the batch's source and the position in it: where the lead came from, in 5 bytes
    line: int = 0
    # Set by the import: the stored lead it became (with its handoff and rep), or that it was rejected.
    lead_id: int | None = None
    handed_off_at: int = 0
    rep_id: int | None = None
    rejected: bool = False


@dataclass(eq=False, slots=True)
class AttemptRecord:
    where: str
    agreement: str
    lead: LeadRecord | tuple[str, str]  # the record itself, or ("id", external id), ("email", address), ("row", …)
    fields: dict[str, Any]  # Attempt fields: at (epoch seconds), channel, outcome, note, external_id
    owner: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    stand_in: bool = False  # made up from a summary date, not a row of its own (see STAND_IN_ID)
    distinct: bool = False  # a row with an identity of its own (JSON): identical rows are separate attempts
    source: int = 0
    line: int = 0


Record = LeadRecord | AttemptRecord


class Source:
    """Where records come from: a table of a file, or a section of a JSON export."""

    mixed = False  # rows may hold attempts on leads that come later in the same source
    # The same records read by another process (`beside.offer`); not for a source that `checks_stored`, once
    # attempts are stored: reading it then looks them up.
    beside: Callable[[], Iterator[Record]] | None = None
    checks_stored = False

    def __init__(self, where: Callable[[int], str], walk: Callable[[], Iterator[Record]], progress: Any):
        self.where, self.walk, self.progress = where, walk, progress


@dataclass
class Batch:
    """What importers read: agreements and reps (JSON), and sources of lead and attempt records that
    `run_import` walks once; rows refused while reading go to `errors`."""

    agreements: list[Agreement] = field(default_factory=list)  # created when missing (JSON import)
    reps: list[Rep] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rejected_rows: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> rows that are not leads or attempts
    deactivated: set[str] = field(default_factory=set)  # reps the CRM lists as removed users
    create_reps: bool = True  # an unknown owner becomes a rep; else its row is rejected
    zone: str | None = None  # the zone times without an offset are read in
    sources: list[Source] = field(default_factory=list)
    # Set by the import: which attempts, as (agreement, (kind, value), external id), were stored before it.
    stored_attempts: Callable[[list[tuple]], set[tuple]] | None = field(default=None, repr=False)

    def reject(self, where: str, column: str, message: str, *, new_row: bool = True) -> None:
        self.rejected_rows += new_row
        if len(self.errors) < ERRORS_KEPT:
            self.errors.append(RowError(where, column, message))

    def skip(self, reason: str) -> None:
        self.skipped[reason] += 1

    def read(self, table: Table, dates: DateReader, convert: Callable[[Cells, str, int], list[Record]],
             *, mixed: bool = False, attempt_keys: Callable[[list[str]], list[tuple] | None] | None = None) -> None:
        """Walk `table` when the import runs: `convert(cells, where, source)` gives each row's records, all or
        none (a CellError rejects the row). `attempt_keys(raw cells)` tells, without reading the whole row, the
        attempts it holds as (agreement, (kind, value), external id): rows whose attempts are all stored already
        (a re-import) are passed over unread, as reading them would change nothing."""
        number = len(self.sources)

        def walk() -> Iterator[Record]:
            width = len(table.header)
            checking = attempt_keys is not None
            for rows in _batched(table.rows, CHUNK):
                if checking and self.stored_attempts is not None:
                    rows, checking = self._unstored(rows, attempt_keys)
                for row in rows:
                    where = table.where(row.line)
                    if len(row.cells) > width and any(cell.strip() for cell in row.cells[width:]):
                        self.reject(where, f"column {width + 1}", table.overflow(row))
                        continue
                    try:
                        records = convert(Cells(table, row, dates), where, number)
                    except CellError as exc:
                        self.reject(where, exc.column, str(exc))
                        continue
                    for record in records:
                        record.line = row.line
                        yield record

        source = Source(table.where, walk, table)
        source.mixed = mixed
        source.checks_stored = attempt_keys is not None
        self.sources.append(source)

    def _unstored(self, rows: list[Any], keys_of: Callable[[list[str]], list[tuple] | None]) -> tuple[list[Any], bool]:
        """The rows not wholly stored before the import, and whether checking is still worth it (it stops
        when most rows are new)."""
        keyed = [(row, keys_of(row.cells)) for row in rows]
        wanted = [key for _, keys in keyed if keys for key in keys]
        stored = self.stored_attempts(wanted) if wanted else set()
        kept = [row for row, keys in keyed if not keys or not all(key in stored for key in keys)]
        return kept, len(kept) < 0.75 * len(rows)

    def where(self, source: int, line: int) -> str:
        return self.sources[source].where(line)

    @property
    def size(self) -> int:
        return sum(s.progress.size for s in self.sources)

    @property
    def done(self) -> int:
        return sum(s.progress.done for s in self.sources)


def _batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    items = iter(items)
    while batch := list(islice(items, size)):
        yield batch


@dataclass
class Summary:
    """What an import did. A lead counts as updated when its stored row changed: a CRM field, or
    the facts new attempts bring (first attempt, count, connected)."""

    dry_run: bool = False
    written: bool = False
    leads_added: int = 0
    leads_updated: int = 0
    attempts_added: int = 0
    agreements_added: int = 0
    duplicates: int = 0
    rejected: int = 0  # rows
    reps_added: list[str] = field(default_factory=list)  # names
    deactivated: list[str] = field(default_factory=list)  # reps the CRM lists as removed users
    zone: str | None = None
    errors: list[RowError] = field(default_factory=list)  # the first ERRORS_KEPT
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        parts = [f"leads: {self.leads_added} added, {self.leads_updated} updated",
                 f"attempts: {self.attempts_added} added"]
        if self.reps_added:
            names = ", ".join(self.reps_added[:10]) + (", …" if len(self.reps_added) > 10 else "")
            parts.append(f"reps: {len(self.reps_added)} added ({names})")
        if self.agreements_added:
            parts.append(f"agreements: {self.agreements_added} added")
        parts.append(f"rows rejected: {self.rejected}")
        if self.duplicates:
            parts.append(f"duplicates merged: {self.duplicates}")
        if self.zone:
            parts.append(f"times without an offset read in {self.zone}")
        return ("dry run, nothing written: " if self.dry_run else "") + "; ".join(parts)


# ---- the import ----------------------------------------------------------------------------------


class _Undo(Exception):
    """Rolls the import's transaction back (dry run, or rejected rows without --skip-bad-rows)."""


def run_import(store: Store, batch: Batch, *, dry_run: bool = False, skip_bad_rows: bool = False,
               create_reps: bool | None = None, progress: Callable[[float], None] | None = None) -> Summary:
    """Check and write a batch in one transaction; rows are rejected into `summary.errors`.

    Without `skip_bad_rows`, one rejected row writes nothing. Fields a file does not give
    keep their stored values, so importing a file twice changes nothing the second time.
    `create_reps` (default: the importer's rule) makes unknown owners reps rather than rejected rows.
    `progress(fraction)` is told how far the import is, from 0 to 1.
    """
    summary = Summary(dry_run=dry_run, zone=batch.zone)
    job = _Job(store, batch, summary, progress or (lambda fraction: None),
               batch.create_reps if create_reps is None else create_reps)
    try:
        with store.change("import") as change:
            job.run()
            if batch.rejected_rows and not skip_bad_rows:
                raise _Undo
            summary.rejected = batch.rejected_rows
            change.summary = f"{change.summary}: {summary.describe()}"
            if dry_run:
                raise _Undo
    except _Undo:
        pass
    else:
        summary.written = True
    finally:
        if not summary.written:
            bulk.forget_agreements(store, job.created_agreements)
        bulk.drop_import_tables(store)
    summary.errors, summary.rejected = batch.errors, batch.rejected_rows
    summary.deactivated = sorted(batch.deactivated)
    summary.notes[:0] = [f"{count} row{'s' * (count != 1)} skipped: {reason}"
                         for reason, count in batch.skipped.items()]
    if summary.deactivated:
        summary.notes.append(f"removed users in the CRM, kept as reps (new ones inactive): "
                             f"{', '.join(summary.deactivated)}")
    return summary


@dataclass
class _Agreement:
    id: int
    name: str
    clock: Callable[[float], Clock]  # the clock of the terms in force at a handoff (`Store.clock_picker`)


class _Book:
    """For each row id (a lead's or an attempt's), the row of the file that brought it in this import, and
    flags: 6 bytes a row, whatever the row holds."""

    def __init__(self) -> None:
        self.lines = array("i")
        self.sources = bytearray()
        self.flags = bytearray()

    def _fit(self, i: int) -> None:
        if i >= len(self.flags):
            more = max(i + 1, 2 * len(self.flags), 1024) - len(self.flags)
            self.lines.extend(array("i", bytes(self.lines.itemsize * more)))
            self.sources.extend(bytes(more))
            self.flags.extend(bytes(more))

    def mark(self, i: int, record: Record) -> None:
        self._fit(i)
        self.lines[i] = record.line
        self.sources[i] = record.source + 1

    def mention(self, i: int) -> tuple[int, int] | None:
        """(source, line) of the record that brought row `i` in, if one did."""
        if i < len(self.sources) and self.sources[i]:
            return self.sources[i] - 1, self.lines[i]
        return None

    def flag(self, i: int, bits: int) -> None:
        self._fit(i)
        self.flags[i] |= bits

    def flagged(self, bits: int, below: int | None = None) -> Iterator[int]:
        flags = self.flags if below is None else self.flags[:below]
        return (i for i, f in enumerate(flags) if f & bits)


# Lead flags: its own columns were written; its facts (first attempt, count, status) must be recomputed.
_CHANGED, _REFRESH = 1, 2
# A lead's own columns, as `check_lead` sees them, and their values for a new lead.
_OWN = LeadValues._fields
_own = itemgetter(*_OWN)
_NEW_LEAD = {"rep_id": None, "name": None, "company": "", "email": None, "tier": "", "source": "marketing",
             "value": None, "handed_off_at": None, "status": "open", "revenue": None, "closed_at": None,
             "external_id": None}
_REFUSED = object()  # an owner that is not a rep
_NO_ATTEMPTS = AttemptSummary(None, 0, None, None, None)
# Where a new lead's handoff facts sit in its `bulk_lead_row`.
_FACTS_OF_NEW = ("handoff_day", "deadline_at", "breach_at")
_FACTS_AT = bulk.BULK_LEAD_COLUMNS.index("handoff_day")


def _stored_values(values: tuple) -> tuple:
    """A lead's own values (`LeadValues` order) as stored: its status as `closed_as`, None while it is open."""
    i = _OWN.index("status")
    return (*values[:i], values[i] if values[i] in CLOSED_STATUSES else None, *values[i + 1:])


class _Job:
    def __init__(self, store: Store, batch: Batch, summary: Summary, progress: Callable[[float], None],
                 create_reps: bool):
        self.store, self.batch, self.summary, self.progress = store, batch, summary, progress
        self.create_reps = create_reps
        self.now = int(time.time())
        self.agreements: dict[str, _Agreement] = {}
        self.agreement_ids: dict[str, int] = {}  # by name as records give it
        self.created_agreements: list[int] = []
        self.reps: dict[str, int] = {}  # case-folded name -> id
        self.rep_names: list[str] = []  # as stored, for "did you mean"
        self.email_index: set[int] = set()  # agreements whose leads' emails are indexed for this import
        self.aliases = False  # leads known by other ids too (Salesforce's converted contacts)
        self.leads, self.attempts = _Book(), _Book()
        self.rejected_refs: dict[tuple[int, str, str], str] = {}  # (agreement id, kind, value) -> where
        self.deferred: list[AttemptRecord] = []
        self.first_lead = self.next_lead = self.first_attempt = self.next_attempt = 0
        self.early_stand_ins = 0  # first-engagement dates before their contact's handoff
        self.finishing = False

    # ---- the walk ------------------------------------------------------------------------------

    def run(self) -> None:
        store = self.store
        self.rep_names = [name for _, name in bulk.reps(store)]
        self.reps = {name.casefold(): rep_id for rep_id, name in bulk.reps(store)}
        self.open_agreements()
        for rep in self.batch.reps:  # listed in the file (JSON): added whatever --create-reps says
            self._rep_id(rep.name, listed=rep)
        self.first_lead = self.next_lead = bulk.next_id(store, "leads")
        self.first_attempt = self.next_attempt = bulk.next_id(store, "attempts")
        if self.first_attempt > 1:  # attempts stored already: a re-import passes over them
            self.batch.stored_attempts = self._stored_attempts
        # The bigger cache is for the lookups: rebuilding the indexes at the end would take it for sorting.
        with store.bulk_loading(keep=bulk.IMPORT_INDEXES), bulk.larger_cache(store, CACHE_MB):
            size = max(self.batch.size, 1)
            for source in self.batch.sources:
                beside = source.beside is not None and not (source.checks_stored and self.first_attempt > 1)
                with closing(source.beside() if beside else source.walk()) as records:
                    while chunk := list(islice(records, CHUNK)):
                        self.take(chunk, mixed=source.mixed)
                        self.progress(0.9 * self.batch.done / size)
            self.finishing = True
            while self.deferred:
                chunk, self.deferred = self.deferred[:CHUNK], self.deferred[CHUNK:]
                self.take(chunk, mixed=False)
            self.refresh()
        bulk.log_inserts(store, "leads", self.first_lead, self.next_lead)
        bulk.log_inserts(store, "attempts", self.first_attempt, self.next_attempt)  # stand-ins that gave way left
        self.batch.stored_attempts = None
        self.summary.attempts_added += self.next_attempt - self.first_attempt
        if self.early_stand_ins > 1:
            self.summary.notes.append(f"… and {self.early_stand_ins - 1} more first-engagement dates before their "
                                      "contact's handoff: no attempt added for them")
        self.summary.leads_updated = sum(1 for _ in self.leads.flagged(_CHANGED, below=self.first_lead))
        self.progress(1.0)

    def take(self, chunk: list[Record], *, mixed: bool) -> None:
        self._leads([r for r in chunk if isinstance(r, LeadRecord)])
        self._attempts([r for r in chunk if isinstance(r, AttemptRecord)], defer=mixed and not self.finishing)

    def reject(self, record: Record, column_field: str, message: str, *, new_row: bool = True) -> None:
        self.batch.reject(record.where, record.columns.get(column_field, column_field), message, new_row=new_row)

    def agreement(self, name: str) -> _Agreement:
        key = name.casefold()
        if key not in self.agreements:
            terms = self.store.terms(name)
            self.agreements[key] = _Agreement(terms.id, terms.name, self.store.clock_picker(terms.id))
        return self.agreements[key]

    def open_agreements(self) -> None:
        for agreement in self.batch.agreements:
            stored, created = bulk.ensure_agreement(self.store, agreement)
            if created:
                self.created_agreements.append(stored.id)
                self.summary.agreements_added += 1
            else:
                self.summary.notes.append(f"agreement '{stored.name}' exists: its settings are kept as stored")

    def _rep_id(self, owner: str, record: Record | None = None, *, listed: Rep | None = None) -> Any:
        """The id of the rep `owner` names, adding it when allowed; _REFUSED (the row rejected) otherwise."""
        key = owner.casefold()
        if key in self.reps:
            return self.reps[key]
        try:
            rep = listed or Rep(name=owner)
        except ValidationError as exc:
            self.reject(record, "rep", f"owner: {describe_validation_error(exc)}")
            return _REFUSED
        if listed is None and not self.create_reps:
            close = get_close_matches(owner, self.rep_names, n=1, cutoff=0.75)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            self.reject(record, "rep", f"no rep named '{owner}'{hint}: add the rep first (`slatui rep add`), "
                                       "or pass --create-reps")
            return _REFUSED
        if listed is None and key in {name.casefold() for name in self.batch.deactivated}:
            # A removed user in the CRM (read with this row at the latest): an inactive rep, history kept.
            rep = rep.model_copy(update={"active": False})
        self.reps[key] = bulk.add_rep(self.store, rep)
        self.rep_names.append(rep.name)
        self.summary.reps_added.append(rep.name)
        return self.reps[key]

    # ---- leads -----------------------------------------------------------------------------------

    def _leads(self, records: list[LeadRecord]) -> None:
        by_agreement: dict[str, list[LeadRecord]] = {}
        for record in records:
            if record.rejected:  # refused while reading: its attempts need to know
                self._refuse(record, None)
            else:
                by_agreement.setdefault(record.agreement.casefold(), []).append(record)
        for group in by_agreement.values():
            agreement = self.agreement(group[0].agreement)
            by_id = bulk.leads_by_external_id(
                self.store, agreement.id, {r.fields["external_id"] for r in group if r.fields.get("external_id")})
            by_key = bulk.leads_by_natural_key(self.store, agreement.id, {
                (r.fields.get("name"), r.fields.get("handed_off_at")) for r in group
                if not r.fields.get("external_id") and isinstance(r.fields.get("handed_off_at"), int)})
            inserts: list[tuple] = []
            updates: list[tuple] = []
            before: list[dict[str, Any]] = []
            for record in group:
                self._lead(record, agreement, by_id, by_key, inserts, updates, before)
            bulk.insert_leads(self.store, inserts)
            bulk.update_leads(self.store, updates, before)

    def _lead(self, record: LeadRecord, agreement: _Agreement, by_id: dict, by_key: dict,
              inserts: list[tuple], updates: list[tuple], before: list[dict[str, Any]]) -> None:
        fields = record.fields
        external_id = fields.get("external_id")
        if external_id:
            stored = by_id.get(external_id)
        else:
            stored = by_key.get((fields.get("name"), fields.get("handed_off_at")))
        row = {k: stored[k] for k in _OWN} if stored else dict(_NEW_LEAD)
        row.update(fields)
        row["agreement_id"] = agreement.id
        problems = check_lead(row, self.now, self.batch.zone)
        if record.owner is not None and not problems:
            rep_id = self._rep_id(record.owner, record) if record.owner else None
            if rep_id is _REFUSED:
                return self._refuse(record, agreement)
            row["rep_id"] = rep_id
        if problems:
            for i, (name, problem) in enumerate(problems):
                self.reject(record, name, problem, new_row=i == 0)
            return self._refuse(record, agreement)
        if row["status"] not in CLOSED_STATUSES:  # open or connected: its attempts say which (facts.lead_status)
            row["status"] = "open"
        values = _own(row)
        if stored is not None:
            lead_id = stored["id"]
            first = self.leads.mention(lead_id)
            if first is not None:  # named earlier in this import: the same values merge, others clash
                if values == _own(stored):
                    self.summary.duplicates += 1
                    return self._accept(record, lead_id, row)
                self.reject(record, "external_id" if external_id else "name",
                            f"repeats the lead on {self.batch.where(*first)} with different values: "
                            "keep one of the two rows")
                return self._refuse(record, agreement)
            if stored["first_attempt_at"] is not None and stored["first_attempt_at"] < row["handed_off_at"]:
                self.reject(record, "handed_off_at", f"the lead already has an attempt at "
                                                     f"{_shown(stored['first_attempt_at'], self.batch.zone)}, "
                                                     "before this handoff")
                return self._refuse(record, agreement)
            self.leads.mark(lead_id, record)
            if values != _own(stored):
                facts = (stored["handoff_day"], stored["deadline_at"], stored["breach_at"])
                if row["handed_off_at"] != stored["handed_off_at"]:
                    facts = tuple(handoff_facts(row["handed_off_at"], agreement.clock(row["handed_off_at"])))
                self.leads.flag(lead_id, _REFRESH)  # its handoff or close decide its status and next attempt
                before.append(dict(stored))
                updates.append((*_stored_values(values), *facts, lead_id))
                self.leads.flag(lead_id, _CHANGED)
                if row["email"] != stored["email"] and agreement.id in self.email_index:
                    bulk.note_email(self.store, agreement.id, lead_id, row["email"])
                stored.update(row, handoff_day=facts[0], deadline_at=facts[1], breach_at=facts[2])
        else:
            lead_id = self.next_lead
            self.next_lead += 1
            new = bulk_lead_row(lead_id, LeadValues(*values), agreement.clock(row["handed_off_at"]), _NO_ATTEMPTS)
            inserts.append(new)
            self.leads.mark(lead_id, record)
            self.summary.leads_added += 1
            if row["email"] and agreement.id in self.email_index:
                bulk.note_email(self.store, agreement.id, lead_id, row["email"])
            # Seen again in this chunk, it is this lead: a stored row as the lookups give one.
            stored = row | {"id": lead_id, "first_attempt_at": None, "close_reason": None, "snoozed_until": None,
                            **dict(zip(_FACTS_OF_NEW, new[_FACTS_AT:_FACTS_AT + 3]))}
        if external_id:
            by_id[external_id] = stored
        else:
            by_key[(row["name"], row["handed_off_at"])] = stored
        for kind, alias in record.aliases:
            bulk.note_alias(self.store, _scope(agreement.id, kind), kind, alias, lead_id, first=not self.aliases)
            self.aliases = True
        self._accept(record, lead_id, row)

    def _accept(self, record: LeadRecord, lead_id: int, row: dict[str, Any]) -> None:
        record.lead_id, record.handed_off_at, record.rep_id = lead_id, row["handed_off_at"], row["rep_id"]

    def _refuse(self, record: LeadRecord, agreement: _Agreement | None) -> None:
        """Remember a rejected lead, so that attempts naming it say why they are left out (without its agreement,
        only by the names that need none)."""
        record.rejected = True
        for kind, value in (("id", record.fields.get("external_id")), ("email", record.fields.get("email")),
                            *record.aliases):
            if isinstance(value, str) and value and (agreement is not None or _scope(0, kind) == 0):
                scope = _scope(agreement.id if agreement else 0, kind)
                self.rejected_refs.setdefault(_ref(scope, kind, value), record.where)

    # ---- attempts --------------------------------------------------------------------------------

    def _attempts(self, records: list[AttemptRecord], *, defer: bool) -> None:
        targets = self._targets(records, defer=defer)
        lead_ids = {t[0] for t in targets.values()}
        by_external_id, by_key = bulk.attempt_ids_of_leads(self.store, lead_ids)
        rows: list[tuple] = []
        for record in records:
            target = targets.get(id(record))
            if target is not None:
                self._attempt(record, target, by_external_id, by_key, rows)
        bulk.insert_attempts(self.store, rows)

    def _targets(self, records: list[AttemptRecord], *, defer: bool) -> dict[int, tuple[int, int, int | None]]:
        """The lead of each attempt that has one, as (lead id, handed_off_at, rep id) by id(record); the others
        are rejected (or deferred)."""
        found: dict[int, tuple[int, int, int | None]] = {}
        wanted: dict[tuple[int, str], set[str]] = {}
        named: list[tuple[AttemptRecord, tuple[int, str, str]]] = []
        for record in records:
            lead = record.lead
            if type(lead) is tuple:
                kind, value = lead
                scope = self._scope(record)
                wanted.setdefault((scope, kind), set()).add(value)
                named.append((record, (scope, kind, value.casefold() if kind == "email" else value)))
            elif lead.rejected:
                self.reject(record, "lead", f"its lead ({lead.where}) was rejected", new_row=lead.where != record.where)
            elif lead.lead_id is not None:
                found[id(record)] = (lead.lead_id, lead.handed_off_at, lead.rep_id)
        if not wanted:
            return found
        targets: dict[tuple[int, str, str], list[tuple[int, int, int | None]]] = {}
        for (scope, kind), values in wanted.items():
            for value, matches in self._references(scope, kind, values).items():
                targets[_ref(scope, kind, value)] = matches
        for record, key in named:
            matches = targets.get(key)
            if matches is not None and len(matches) == 1:
                found[id(record)] = matches[0]
                continue
            if matches:  # an email several leads share: the one this import names, if just one
                matches = [m for m in matches if self.leads.mention(m[0])] or matches
                if len(matches) == 1:
                    found[id(record)] = matches[0]
                else:
                    self.reject(record, "lead", f"{len(matches)} stored leads have the email {key[2]}: "
                                                "give the lead's id instead")
            elif key in self.rejected_refs:
                self.reject(record, "lead", f"its lead ({self.rejected_refs[key]}) was rejected")
            elif defer:
                self.deferred.append(record)  # its lead may come later in the file
            elif key[1] == "row":
                self.reject(record, "lead", f"no lead with id {key[2]} in the export")
            else:
                kind, value = record.lead
                hint = (" (a Salesforce contact: import it with the Lead export that has its ConvertedContactId)"
                        if kind == "id" and value.startswith("003") else "")
                self.reject(record, "lead", f"no lead with {'id' if kind == 'id' else 'email'} {value} in this "
                                            f"import or in agreement '{self.agreement(record.agreement).name}'{hint}")
        return found

    def _scope(self, record: AttemptRecord) -> int:
        return _scope(0, "row") if record.lead[0] == "row" else self._agreement_id(record.agreement)

    def _agreement_id(self, name: str) -> int:
        agreement_id = self.agreement_ids.get(name)
        if agreement_id is None:
            agreement_id = self.agreement_ids[name] = self.agreement(name).id
        return agreement_id

    def _references(self, agreement_id: int, kind: str, values: set[str]) -> dict[str, list[tuple]]:
        """(id, handed_off_at, rep id) of the leads (this import's too) attempts name by id, email or alias."""
        if kind == "row":
            return bulk.targets_by_alias(self.store, agreement_id, kind, values)
        if kind == "email":
            if agreement_id not in self.email_index:
                bulk.index_emails(self.store, agreement_id)
                self.email_index.add(agreement_id)
            return bulk.targets_by_email(self.store, agreement_id, values)
        found = bulk.targets_by_external_id(self.store, agreement_id, values)
        if self.aliases and len(found) < len(values):
            found.update(bulk.targets_by_alias(self.store, agreement_id, kind, values - found.keys()))
        return found

    def _attempt(self, record: AttemptRecord, target: tuple[int, int, int | None], by_external_id: dict,
                 by_key: dict, rows: list[tuple]) -> None:
        fields = record.fields
        problems = check_attempt(fields, self.now, self.batch.zone)
        if problems:
            for i, (name, problem) in enumerate(problems):
                self.reject(record, name, problem, new_row=i == 0)
            return
        lead_id, handed_off_at, rep_id = target
        at, channel, outcome = fields["at"], fields.get("channel", "call"), fields["outcome"]
        if at < handed_off_at:
            zone = self.batch.zone
            message = (f"the attempt ({_shown(at, zone)}) is before its lead's handoff "
                       f"({_shown(handed_off_at, zone)})")
            if record.stand_in:  # not a row of the file: say so (once), but do not fail the import
                self.early_stand_ins += 1
                if self.early_stand_ins == 1:
                    self.summary.notes.append(f"{record.where}: no attempt added: {message}")
            else:
                self.reject(record, "at", message)
            return
        if record.owner is not None:
            rep_id = self._rep_id(record.owner, record) if record.owner else None
            if rep_id is _REFUSED:
                return
        note, external_id = fields.get("note") or "", fields.get("external_id")
        values = (at, channel, outcome, rep_id, note)
        if external_id:
            key = (lead_id, external_id)
            before = by_external_id.get(key)
            if before is not None:
                if before >= self.first_attempt:  # this import's: the values to compare with are needed
                    self._repeat(record, self._values(before, rows), values)
                return
            by_external_id[key] = self.next_attempt
        else:
            key = (lead_id, at, channel, outcome)
            before = by_key.get(key)
            if before:
                if not record.distinct:
                    self._repeat(record, before[0], values)
                    return
                # Identical attempts with identities of their own (JSON rows) are separate: the n-th of the file
                # is new when the lead has fewer than n stored before this import.
                stored = sum(1 for b in before if b[0] < self.first_attempt)
                if stored and len(before) == stored and bulk.count_repeat(self.store, key) <= stored:
                    return
            by_key.setdefault(key, []).append((self.next_attempt, *values))
        rows.append((self.next_attempt, lead_id, at, channel, outcome, rep_id, note, external_id))
        self.attempts.mark(self.next_attempt, record)
        self.leads.flag(lead_id, _REFRESH)
        self.next_attempt += 1

    def _stored_attempts(self, keys: list[tuple]) -> set[tuple]:
        """Which of (agreement, (kind, value), external id) name an attempt stored before this import (by the
        external ids of lead and attempt; others are read in full)."""
        by_agreement: dict[str, list[tuple]] = {}
        for key in keys:
            if key[1][0] == "id":
                by_agreement.setdefault(key[0], []).append(key)
        found = set()
        for name, group in by_agreement.items():
            stored = bulk.stored_attempts(self.store, self._agreement_id(name),
                                          {(ref[1], external_id) for _, ref, external_id in group}, self.first_attempt)
            found.update(key for key in group if (key[1][1], key[2]) in stored)
        return found

    def _values(self, attempt_id: int, rows: list[tuple]) -> tuple:
        """(id, at, channel, outcome, rep_id, note) of an attempt this import added: in this chunk's rows (their
        ids follow each other) or already written."""
        if rows and attempt_id >= rows[0][0]:
            row = rows[attempt_id - rows[0][0]]
            return (row[0], *row[2:7])
        return bulk.attempt_values(self.store, attempt_id)

    def _repeat(self, record: AttemptRecord, before: tuple, values: tuple) -> None:
        """An attempt already stored: from before this import it stays as it is; from this import, the same
        values merge and others clash."""
        attempt_id = before[0]
        if attempt_id < self.first_attempt:
            return
        if tuple(before[1:]) == values:
            self.summary.duplicates += 1
            return
        first = self.attempts.mention(attempt_id)
        self.reject(record, "external_id" if record.fields.get("external_id") else "at",
                    f"repeats the attempt on {self.batch.where(*first)} with different values: "
                    "keep one of the two rows")

    # ---- derived facts ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """Recompute the facts of the leads whose attempts, handoff or close changed (stand-ins give way first):
        status, first response, depth and next attempt due, as `facts.attempt_facts` has them."""
        pending = self.leads.flagged(_REFRESH)
        pickers = {a.id: a.clock for a in self.agreements.values()}
        total = max(self.next_lead - self.first_lead, 1)
        done = 0
        width = len(ATTEMPT_FACT_COLUMNS)
        while chunk := list(islice(pending, CHUNK)):
            self.summary.attempts_added -= bulk.drop_stand_ins(self.store, chunk, STAND_IN_ID, self.first_attempt)
            changes = []
            for row in bulk.facts_from_attempts(self.store, chunk):
                lead_id, agreement_id, handed_off_at, deadline_at, closed_as, closed_at, snoozed_until = row[:7]
                old, summary = tuple(row[7:7 + width]), AttemptSummary(*row[7 + width:])
                picker = pickers.get(agreement_id)
                if picker is None:
                    picker = pickers[agreement_id] = self.store.clock_picker(agreement_id)
                new = attempt_facts(picker(handed_off_at), handed_off_at, deadline_at, summary, closed_as, closed_at,
                                    snoozed_until)
                if tuple(new) != old:
                    changes.append((*new, lead_id))
                    self.leads.flag(lead_id, _CHANGED)
            bulk.set_facts(self.store, changes)
            done += len(chunk)
            self.progress(0.9 + 0.1 * min(done / total, 1))


def _ref(agreement_id: int, kind: str, value: str) -> tuple[int, str, str]:
    return (agreement_id, kind, value.casefold() if kind == "email" else value)


def _scope(agreement_id: int, kind: str) -> int:
    """The agreement a reference is looked up in: a JSON export's lead ids are the file's, across agreements."""
    return 0 if kind == "row" else agreement_id

