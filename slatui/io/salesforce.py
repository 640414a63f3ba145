"""Salesforce exports (reports or Data Loader, CSV or .xlsx): Leads become leads, Tasks and Events attempts.

The handoff is the lead's created date. A converted lead counts as a customer, closed at its
converted date (a date without a time: the end of that day, or the handoff if later); status
"Closed - Not Converted" or "Unqualified" disqualifies it. Converting a lead re-points its Tasks to
the new Contact: a Task whose WhoId is the lead's ConvertedContactId (003…) is an attempt on that
lead. Lead owners and task assignees become reps. Task type or subtype Call/Email/Meeting picks the
channel; a call's result maps like HubSpot's outcomes (an unknown result rejects its row); "Other"
tasks are to-dos, not attempts, and are skipped. A report's footer lines (Grand Totals, the
confidentiality and copyright notices) are not rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from slatui.io.batch import (
    AttemptRecord,
    Batch,
    LeadRecord,
    activity,
    classify,
    closing_time,
    find_columns,
    footer_line,
    learn_dates,
    owner_name,
    words,
)
from slatui.io.csvread import CellError, Cells, DateReader, read_table
from slatui.models import Agreement

LEAD_COLUMNS = {
    "id": ("Lead ID", "Id", "Lead Id", "Record ID"),
    "first_name": ("First Name", "FirstName"),
    "last_name": ("Last Name", "LastName"),
    "name": ("Name", "Full Name", "Lead Name"),
    "company": ("Company", "Company / Account", "Account Name"),
    "email": ("Email", "Email Address"),
    "source": ("Lead Source", "LeadSource"),
    "status": ("Lead Status", "Status"),
    "owner": ("Lead Owner", "Owner", "Owner Name", "Owner Full Name"),
    "created": ("Created Date", "CreatedDate", "Create Date"),
    "converted_at": ("Converted Date", "ConvertedDate"),
    "converted": ("Converted", "IsConverted"),
    "contact": ("Converted Contact ID", "ConvertedContactId", "Converted Contact"),
}
TASK_COLUMNS = {
    "id": ("Activity ID", "Task ID", "Event ID", "Id"),
    "who": ("Who Id", "WhoId", "Name ID", "Lead/Contact ID", "Lead ID"),
    # A logged call's time of day is in its completed or created time; Activity Date is only a day.
    "date": ("Completed Date/Time", "CompletedDateTime", "Created Date", "CreatedDate", "Activity Date",
             "ActivityDate", "Date", "Due Date"),
    "type": ("Type", "Task Type", "Activity Type"),
    "subtype": ("Task Subtype", "TaskSubtype", "Event Subtype", "Subtype"),
    "result": ("Call Result", "CallDisposition", "Call Disposition", "Call Outcome", "Result"),
    "owner": ("Assigned", "Assigned To", "Assigned To Name", "Owner", "Owner Name"),
    "note": ("Subject", "Comments", "Description"),
}
_KINDS = {
    "Lead export": ("Lead Status", "Company", "Lead Source", "Lead Owner", "Converted Date", "LeadSource",
                    "IsConverted"),
    "Task export": ("Who Id", "WhoId", "Name ID", "Task Subtype", "TaskSubtype", "Call Result", "CallDisposition",
                    "Activity Date", "ActivityDate", "Subject", "Assigned"),
}
_DISQUALIFIED = {"closed not converted", "unqualified", "disqualified", "junk", "closed lost"}
_SALES_SOURCES = {"cold call", "outbound", "sales", "prospecting", "sdr", "bdr"}
_YES = {"1", "true", "yes", "y", "x"}
_SF_ID = re.compile(r"[0-9A-Za-z]{18}")
# The lines a report export ends with, in its first cell: not leads, not tasks.
_FOOTER = re.compile(r"grand totals? \(\d[\d,.]* records?\)|confidential information - do not distribute"
                     r"|copyright \(c\) \d{4}-\d{4} salesforce\.com, inc\. all rights reserved\.?", re.IGNORECASE)


def sf_id(text: str) -> str:
    """Salesforce ids are 15 case-sensitive characters, or those plus a 3-character checksum:
    reports export one form and Data Loader the other, so both match on the first 15."""
    text = text.strip()
    return text[:15] if _SF_ID.fullmatch(text) else text


def read_batch(paths: list[Path], agreement: Agreement, dates: DateReader, *, sheet: str | None = None) -> Batch:
    expected = [alias for spec in (LEAD_COLUMNS, TASK_COLUMNS) for aliases in spec.values() for alias in aliases]
    tables = [read_table(path, expected, sheet=sheet) for path in paths]
    kinds = [classify(table, _KINDS, "a Salesforce Lead or Task export") for table in tables]
    leads = [(t, find_columns(t, LEAD_COLUMNS)) for t, k in zip(tables, kinds) if k == "Lead export"]
    tasks = [(t, find_columns(t, TASK_COLUMNS)) for t, k in zip(tables, kinds) if k == "Task export"]
    learn_dates(dates, [(t, [c["created"], c["converted_at"]]) for t, c in leads]
                + [(t, [c["date"]]) for t, c in tasks])
    batch = Batch(zone=dates.tz)
    for table, columns in leads:  # leads first: the tasks find them in the database
        batch.read(table, dates, _leads(batch, agreement.name, columns))
    for table, columns in tasks:
        batch.read(table, dates, _tasks(batch, agreement.name, columns),
                   attempt_keys=_task_keys(agreement.name, table.picker(columns["id"], columns["who"])))
    return batch


def _owner(batch: Batch, cells: Cells, column: str | None) -> str | None:
    return owner_name(batch, cells.text(column)) if column else None


def _leads(batch: Batch, agreement: str, c: dict[str, str | None]):
    columns = {"name": c["last_name"] or c["name"] or "", "email": c["email"] or "", "company": c["company"] or "",
               "handed_off_at": c["created"] or "", "closed_at": c["converted_at"] or "", "rep": c["owner"] or "",
               "external_id": c["id"] or "", "status": c["status"] or "", "source": c["source"] or ""}

    def convert(cells: Cells, where: str, source: int) -> list:
        if footer_line(cells, _FOOTER):
            return []
        email = cells.text(c["email"])
        name = (" ".join(filter(None, (cells.text(c["first_name"]), cells.text(c["last_name"]))))
                or cells.text(c["name"]) or email)
        if not name:
            raise CellError("the lead has no name and no email", c["last_name"] or c["name"] or c["email"] or "")
        handed_off_at = cells.when(c["created"])
        if handed_off_at is None:
            raise CellError("no created date to take the handoff from", c["created"] or "Created Date")
        fields = {"name": name, "handed_off_at": handed_off_at, "external_id": sf_id(cells.text(c["id"])) or None}
        if c["email"]:
            fields["email"] = email or None
        if c["company"]:
            fields["company"] = cells.text(c["company"])
        if c["source"]:
            fields["source"] = "sales" if words(cells.text(c["source"])) in _SALES_SOURCES else "marketing"
        converted_at = closing_time(cells, c["converted_at"], handed_off_at)
        status = words(cells.text(c["status"]))
        if converted_at or cells.text(c["converted"]).casefold() in _YES or status == "closed converted":
            fields.update(status="customer", closed_at=converted_at)
        elif status in _DISQUALIFIED:
            fields["status"] = "disqualified"
        contact = sf_id(cells.text(c["contact"]))
        return [LeadRecord(where, agreement, fields, owner=_owner(batch, cells, c["owner"]), columns=columns,
                           aliases=(("id", contact),) if contact else (), source=source)]

    return convert


def _task_keys(agreement: str, pick: Callable[[list[str]], list[str]]):
    """A task row's attempt as (agreement, ("id", who id), task id), read from two cells."""

    def keys(cells: list[str]) -> list[tuple] | None:
        task_id, who = map(sf_id, pick(cells))
        return [(agreement, ("id", who), task_id)] if task_id and who else None

    return keys


def _tasks(batch: Batch, agreement: str, c: dict[str, str | None]):
    columns = {"at": c["date"] or "", "lead": c["who"] or "", "rep": c["owner"] or "", "note": c["note"] or "",
               "external_id": c["id"] or "", "outcome": c["result"] or "", "channel": c["subtype"] or c["type"] or ""}

    def convert(cells: Cells, where: str, source: int) -> list:
        if footer_line(cells, _FOOTER):
            return []
        result = cells.text(c["result"])
        kind = cells.text(c["subtype"]) or cells.text(c["type"])
        if words(kind) in ("", "task", "other") and result:
            kind = "call"  # a result is only recorded on calls
        if not kind:
            batch.skip("tasks without a type are to-dos, not follow-up attempts")
            return []
        channel_outcome = activity(kind, result, c["subtype"] or c["type"] or "", c["result"] or "")
        if channel_outcome is None:
            batch.skip("tasks of type Other are to-dos, not follow-up attempts")
            return []
        who = sf_id(cells.text(c["who"]))
        if not who:
            raise CellError("the task names no lead (Who Id)", c["who"] or "Who Id")
        at = cells.when(c["date"])
        if at is None:
            raise CellError("the task has no date", c["date"] or "Activity Date")
        channel, outcome = channel_outcome
        return [AttemptRecord(
            where, agreement, ("id", who),
            {"at": at, "channel": channel, "outcome": outcome, "note": cells.text(c["note"]),
             "external_id": sf_id(cells.text(c["id"])) or None},
            owner=_owner(batch, cells, c["owner"]), columns=columns, source=source,
        )]

    return convert
