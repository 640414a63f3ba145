"""What every importer shares: records read from a file, per-row errors, and the one
transaction that checks, writes and counts an import (or only counts it, on --dry-run).

An importer turns its files into a `Batch` of lead and attempt records holding only the
fields the file gives; `run_import` merges them with what is stored (matched by external id),
validates them through the models, and writes them with `slatui.store.bulk`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pydantic import ValidationError

from slatui.errors import SlatuiError
from slatui.io.csvread import CellError, Cells, DateReader, Table
from slatui.models import OUTCOMES, Agreement, Attempt, Lead, Rep
from slatui.store import Store, bulk, from_epoch

# Call dispositions of HubSpot and Salesforce (and slatui's own outcome names) -> slatui outcomes.
OUTCOME_WORDS = {
    **{o.replace("_", " "): o for o in OUTCOMES},
    "busy": "no_answer",
    "no response": "no_answer",
    "not answered": "no_answer",
    "left voicemail": "voicemail",
    "left live message": "voicemail",
    "left message": "voicemail",
    "wrong number": "disqualified",
    "bad number": "disqualified",
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


@lru_cache(maxsize=4096)  # called on every cell of a few short, repetitive columns
def words(text: str) -> str:
    return " ".join(re.sub(r"[_\-]+", " ", text.casefold()).split())


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


def learn_dates(dates: DateReader, columns: Iterable[tuple[Table, str | None]]) -> None:
    dates.learn((f"{table.name}: {column}", table.values(column)) for table, column in columns if column)


@dataclass(frozen=True)
class RowError:
    where: str  # "contacts.csv:14" or "slatui.json: leads[3]"
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.column}: {self.message}" if self.column else f"{self.where}: {self.message}"


@dataclass(eq=False)
class LeadRecord:
    where: str
    agreement: str  # name
    fields: dict[str, Any]  # Lead fields the file gives; stored values stand for the others
    owner: str | None = None  # rep name; "" means unassigned, None that the file does not say
    columns: dict[str, str] = field(default_factory=dict)  # Lead field -> file column, for messages


@dataclass(eq=False)
class AttemptRecord:
    where: str
    agreement: str
    lead: LeadRecord | tuple[str, str]  # the record itself, or ("id", external id) / ("email", address)
    fields: dict[str, Any]  # Attempt fields: at, channel, outcome, note, external_id
    owner: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    stand_in: bool = False  # made up from a summary date, not a row of its own (see STAND_IN_ID)


@dataclass
class Batch:
    leads: list[LeadRecord] = field(default_factory=list)
    attempts: list[AttemptRecord] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)  # created when missing (JSON import)
    reps: list[Rep] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> rows that are not leads or attempts

    def reject(self, where: str, column: str, message: str) -> None:
        self.errors.append(RowError(where, column, message))

    def skip(self, reason: str) -> None:
        self.skipped[reason] += 1

    def read(self, table: Table, dates: DateReader, convert: Callable[[Cells, str], None]) -> None:
        """Run `convert(cells, where)` on each data row; a CellError rejects that row."""
        width = len(table.header)
        for row in table.rows:
            where = f"{table.name}:{row.line}"
            if any(cell.strip() for cell in row.cells[width:]):
                self.reject(where, "", f"has {len(row.cells)} cells but the header has {width}: "
                                       f"a value with a {table.delimiter!r} in it may have lost its quotes")
                continue
            try:
                convert(Cells(table, row, dates), where)
            except CellError as exc:
                self.reject(where, exc.column, str(exc))


@dataclass
class Summary:
    """What an import did. A lead counts as updated when its stored row changed: a CRM field, or
    the facts new attempts bring (first attempt, count, connected)."""

    dry_run: bool = False
    written: bool = False
    leads_added: int = 0
    leads_updated: int = 0
    attempts_added: int = 0
    reps_added: int = 0
    agreements_added: int = 0
    duplicates: int = 0
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len({e.where for e in self.errors})

    def describe(self) -> str:
        parts = [f"leads: {self.leads_added} added, {self.leads_updated} updated",
                 f"attempts: {self.attempts_added} added"]
        if self.reps_added:
            parts.append(f"reps: {self.reps_added} added")
        if self.agreements_added:
            parts.append(f"agreements: {self.agreements_added} added")
        parts.append(f"rows rejected: {self.rejected}")
        if self.duplicates:
            parts.append(f"duplicates merged: {self.duplicates}")
        return ("dry run, nothing written: " if self.dry_run else "") + "; ".join(parts)


class _Undo(Exception):
    """Rolls the import's transaction back (dry run, or rejected rows without --skip-bad-rows)."""


def run_import(store: Store, batch: Batch, *, dry_run: bool = False, skip_bad_rows: bool = False,
               progress: Callable[[int], None] | None = None) -> Summary:
    """Check and write a batch in one transaction; rows are rejected into `summary.errors`.

    Without `skip_bad_rows`, one rejected row writes nothing. Fields a file does not give
    keep their stored values, so importing a file twice changes nothing the second time.
    `progress(n)` is told of each record checked and again of each written: 2 × records in all.
    """
    notes = [f"{count} row{'s' * (count != 1)} skipped: {reason}" for reason, count in batch.skipped.items()]
    summary = Summary(dry_run=dry_run, errors=list(batch.errors), notes=notes)
    job = _Job(store, batch, summary, progress or (lambda n: None))
    try:
        with store.change("import") as change:
            job.open_agreements()
            job.check_leads()
            job.check_attempts()
            if summary.errors and not skip_bad_rows:
                raise _Undo
            job.write()
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
    return summary


@dataclass(eq=False)
class _Target:
    """The lead an attempt belongs to: a record of this import, or a stored row."""

    handed_off_at: Any
    record: LeadRecord | None = None
    row: dict[str, Any] | None = None


class _Job:
    def __init__(self, store: Store, batch: Batch, summary: Summary, progress: Callable[[int], None]):
        self.store, self.batch, self.summary, self.progress = store, batch, summary, progress
        self.agreements: dict[str, Agreement] = {}
        self.created_agreements: list[int] = []
        self.checked: dict[int, tuple[Lead, dict[str, Any] | None]] = {}  # id(record) -> (lead, stored row)
        self.leads: dict[int, tuple[LeadRecord, Lead, dict[str, Any] | None]] = {}  # accepted, by id(record)
        self.alias: dict[int, LeadRecord] = {}  # id(duplicate record) -> the record it repeats
        self.attempts: list[tuple[AttemptRecord, Attempt, _Target]] = []
        self.owners: dict[str, Rep] = {}  # owner as the file writes it -> the rep it becomes

    def reject(self, where: str, column: str, message: str) -> None:
        self.summary.errors.append(RowError(where, column, message))

    def agreement(self, name: str) -> Agreement:
        if name.casefold() not in self.agreements:
            self.agreements[name.casefold()] = self.store.get_agreement(name)
        return self.agreements[name.casefold()]

    def open_agreements(self) -> None:
        for agreement in self.batch.agreements:
            stored, created = bulk.ensure_agreement(self.store, agreement)
            self.agreements[stored.name.casefold()] = stored
            if created:
                self.created_agreements.append(stored.id)
                self.summary.agreements_added += 1
            else:
                self.summary.notes.append(f"agreement '{stored.name}' exists: its settings are kept as stored")

    # ---- checking ------------------------------------------------------------------------------

    def check_leads(self) -> None:
        by_agreement: dict[str, list[LeadRecord]] = {}
        for record in self.batch.leads:
            by_agreement.setdefault(record.agreement.casefold(), []).append(record)
        for records in by_agreement.values():
            agreement = self.agreement(records[0].agreement)
            stored = bulk.leads_by_external_id(
                self.store, agreement.id, (r.fields["external_id"] for r in records if r.fields.get("external_id"))
            )
            for record in records:
                external_id = record.fields.get("external_id")
                self._validate(record, agreement, stored.get(external_id) if external_id else None)
            # Without an id, the same name handed off at the same second is the same lead.
            unnamed = [(r, self.checked[id(r)][0]) for r in records
                       if not r.fields.get("external_id") and id(r) in self.checked]
            stored = bulk.leads_by_natural_key(
                self.store, agreement.id, ((lead.name, _epoch(lead.handed_off_at)) for _, lead in unnamed)
            )
            for record, lead in unnamed:
                row = stored.get((lead.name, _epoch(lead.handed_off_at)))
                if row is not None:
                    self._validate(record, agreement, row)
            seen: dict[tuple, LeadRecord] = {}
            for record in records:
                if id(record) in self.checked:
                    self._accept(record, seen)
            self.progress(len(records))

    def _validate(self, record: LeadRecord, agreement: Agreement, row: dict[str, Any] | None) -> None:
        """Merge the record over the stored row (if any) and validate it into `self.checked`."""
        self.checked.pop(id(record), None)
        data: dict[str, Any] = {} if row is None else {k: row[k] for k in _STORED_LEAD_FIELDS}
        if row is not None:
            data.update(handed_off_at=from_epoch(row["handed_off_at"]), closed_at=from_epoch(row["closed_at"]))
        data.update(record.fields, agreement_id=agreement.id)
        try:
            self._check_owner(record.owner)
            lead = Lead.model_validate(data)
        except ValidationError as exc:
            self._reject_model(record, exc)
            return
        if not self._plausible(record, lead, ("handed_off_at", "closed_at")):
            return
        self.checked[id(record)] = (lead, row)

    def _plausible(self, record: LeadRecord | AttemptRecord, model: Lead | Attempt, fields: tuple[str, ...]) -> bool:
        """Reject years outside 1970-2100: typos (0024, 2204) that would also make business-time sums crawl."""
        for name in fields:
            value = getattr(model, name)
            if value is not None and not 1970 <= value.year <= 2100:
                self.reject(record.where, record.columns.get(name, name),
                            f"the year {value.year} is outside 1970-2100: is it a typo?")
                return False
        return True

    def _check_owner(self, owner: str | None) -> None:
        """Validate an owner's name as a rep's (raising ValidationError), once per name."""
        if owner and owner not in self.owners:
            self.owners[owner] = Rep(name=owner)

    def _reject_model(self, record: LeadRecord | AttemptRecord, exc: ValidationError) -> None:
        # Rep(...) errors come from the owner column, named "rep" in the record's columns.
        rep_error = exc.title == "Rep"
        for field_name, message in _explain(exc):
            column = record.columns.get("rep" if rep_error else field_name, field_name)
            self.reject(record.where, column, f"owner: {message}" if rep_error else message)

    def _accept(self, record: LeadRecord, seen: dict[tuple, LeadRecord]) -> None:
        lead, row = self.checked[id(record)]
        key = ("id", lead.external_id) if lead.external_id else ("natural", lead.name, lead.handed_off_at)
        first = seen.get(key)
        if first is not None:
            if (self.leads[id(first)][1], first.owner) == (lead, record.owner):
                self.alias[id(record)] = first
                self.summary.duplicates += 1
            else:
                self.reject(record.where, "", f"repeats the lead on {first.where} with different values: "
                                              "keep one of the two rows")
            return
        first_attempt = None if row is None else row["first_attempt_at"]
        if first_attempt is not None and first_attempt < _epoch(lead.handed_off_at):
            self.reject(record.where, record.columns.get("handed_off_at", ""),
                        f"the lead already has an attempt at {from_epoch(first_attempt):%Y-%m-%d %H:%M} "
                        "UTC, before this handoff")
            return
        seen[key] = record
        self.leads[id(record)] = (record, lead, row)

    def check_attempts(self) -> None:
        index = self._lead_index()
        stored = self._stored_targets(index)
        seen: dict[tuple, tuple[AttemptRecord, Attempt]] = {}
        for record in self.batch.attempts:
            self.progress(1)
            target = self._target(record, index, stored)
            if target is None:
                continue
            try:
                self._check_owner(record.owner)
                attempt = Attempt.model_validate({**record.fields, "lead_id": 0})  # the id is known once written
            except ValidationError as exc:
                self._reject_model(record, exc)
                continue
            if not self._plausible(record, attempt, ("at",)):
                continue
            if attempt.at < target.handed_off_at:
                message = (f"the attempt ({attempt.at:%Y-%m-%d %H:%M} UTC) is before its lead's handoff "
                           f"({target.handed_off_at:%Y-%m-%d %H:%M} UTC)")
                if record.stand_in:  # not a row of the file: say so, but do not fail the import
                    self.summary.notes.append(f"{record.where}: no attempt added: {message}")
                else:
                    self.reject(record.where, record.columns.get("at", ""), message)
                continue
            key = (id(target.record) if target.record else target.row["id"],
                   attempt.external_id or (attempt.at, attempt.channel, attempt.outcome))
            first = seen.get(key)
            if first is None:
                seen[key] = record, attempt
                self.attempts.append((record, attempt, target))
            elif (first[1], first[0].owner) == (attempt, record.owner):
                self.summary.duplicates += 1
            else:
                self.reject(record.where, "", f"repeats the attempt on {first[0].where} with different values: "
                                              "keep one of the two rows")

    def _lead_index(self) -> dict[tuple, LeadRecord]:
        """This import's leads by (agreement, "id"/"email", value); accepted records win, then
        rejected ones, so an attempt of a rejected lead says why it is left out."""
        index: dict[tuple, LeadRecord] = {}
        accepted = [r for r, _, _ in self.leads.values()]
        for record in accepted + [r for r in self.batch.leads if id(r) not in self.leads]:
            for kind, value in (("id", record.fields.get("external_id")), ("email", record.fields.get("email"))):
                if value:
                    index.setdefault(_ref_key(record.agreement, kind, str(value)), record)
        return index

    def _stored_targets(self, index: dict[tuple, LeadRecord]) -> dict[tuple, list[dict[str, Any]]]:
        """Stored leads that attempts refer to by external id or email, looked up in bulk."""
        wanted: dict[tuple[str, str], set[str]] = {}
        for record in self.batch.attempts:
            if isinstance(record.lead, tuple) and _ref_key(record.agreement, *record.lead) not in index:
                wanted.setdefault((record.agreement, record.lead[0]), set()).add(record.lead[1])
        found: dict[tuple, list[dict[str, Any]]] = {}
        for (name, kind), values in wanted.items():
            agreement = self.agreement(name)
            if kind == "id":
                rows = {k: [v] for k, v in bulk.leads_by_external_id(self.store, agreement.id, values).items()}
            else:
                rows = bulk.leads_by_email(self.store, agreement.id, values)
            for value, matches in rows.items():
                found[_ref_key(name, kind, value)] = matches
        return found

    def _target(self, record: AttemptRecord, index: dict[tuple, LeadRecord],
                stored: dict[tuple, list[dict[str, Any]]]) -> _Target | None:
        lead = record.lead
        column = record.columns.get("lead", "")
        if isinstance(lead, tuple):
            key = _ref_key(record.agreement, *lead)
            if key not in index:
                rows = stored.get(key, [])
                if len(rows) == 1:
                    return _Target(from_epoch(rows[0]["handed_off_at"]), row=rows[0])
                kind, value = lead
                self.reject(record.where, column, (
                    f"{len(rows)} stored leads have the email {value}: give the lead's id instead" if rows else
                    f"no lead with {'id' if kind == 'id' else 'email'} {value} in this import "
                    f"or in agreement '{record.agreement}'"))
                return None
            lead = index[key]
        lead = self.alias.get(id(lead), lead)
        if id(lead) not in self.leads:
            self.reject(record.where, column, f"its lead ({lead.where}) was rejected")
            return None
        return _Target(self.leads[id(lead)][1].handed_off_at, record=lead)

    # ---- writing -------------------------------------------------------------------------------

    def write(self) -> None:
        store, summary = self.store, self.summary
        used = {r.owner for r, _, _ in self.leads.values()} | {r.owner for r, _, _ in self.attempts}
        rep_ids, summary.reps_added = bulk.ensure_reps(store, [*self.batch.reps, *(self.owners[o] for o in used if o)])

        def rep_id(owner: str | None, default: int | None) -> int | None:
            if owner is None:  # the file does not say: keep what is known
                return default
            return rep_ids[self.owners[owner].name.casefold()] if owner else None

        before: dict[int, dict[str, Any]] = {}  # stored rows of the leads this import may change
        written: set[int] = set()
        saved: dict[int, tuple[int, int | None]] = {}  # id(record) -> (lead id, rep id) as written
        for record, lead, row in self.leads.values():
            lead = lead.model_copy(update={"rep_id": rep_id(record.owner, lead.rep_id)})
            lead_id, changed = bulk.save_lead(store, lead, row)
            saved[id(record)] = lead_id, lead.rep_id
            if row is None:
                summary.leads_added += 1
            else:
                before[lead_id] = row
            if changed:
                written.add(lead_id)
            self.progress(1)
        self.progress(len(self.batch.leads) - len(self.leads))  # rejected and repeated ones
        attempts = []  # (lead id, attempt, rep id): attempts take their lead's rep unless the file names one
        for record, attempt, target in self.attempts:
            if target.record is None:
                lead_id, lead_rep = target.row["id"], target.row["rep_id"]
                before[lead_id] = target.row
            else:
                lead_id, lead_rep = saved[id(target.record)]
            attempts.append((lead_id, attempt, rep_id(record.owner, lead_rep)))
        with_new_attempts = bulk.add_attempts(store, attempts)
        self.progress(len(self.batch.attempts))
        bulk.drop_stand_ins(store, with_new_attempts, STAND_IN_ID)
        # Only leads whose row or attempts changed need their facts recomputed (re-imports stay fast).
        touched = written | with_new_attempts
        bulk.refresh_leads(store, touched)
        after = bulk.leads_by_id(store, touched)
        summary.attempts_added = sum(
            after[i]["attempt_count"] - (before[i]["attempt_count"] if i in before else 0) for i in touched)
        summary.leads_updated = sum(after[i] != before[i] for i in touched if i in before)


def _epoch(instant: Any) -> int:
    return int(instant.timestamp())


def _ref_key(agreement: str, kind: str, value: str) -> tuple[str, str, str]:
    return (agreement.casefold(), kind, value.casefold() if kind == "email" else value)


_STORED_LEAD_FIELDS = ("external_id", "rep_id", "name", "company", "email", "tier", "source", "value", "status",
                       "revenue")


def _explain(exc: ValidationError) -> list[tuple[str, str]]:
    """(field, message) for each problem pydantic found; model-level problems have no field."""
    problems = []
    for item in exc.errors():
        field_name = ".".join(str(p) for p in item["loc"] if not isinstance(p, int))
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "literal_error":
            message = f"'{item['input']}' is not allowed; {message.lower()}"
        problems.append((field_name, message))
    return problems


