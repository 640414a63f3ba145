"""HubSpot exports (CSV or .xlsx, with the UI's column labels or the API's property names): contacts
become leads, call/email/meeting activities become attempts.

The handoff is the MQL date, else the SQL date, else the create date. Contact owners and
activity assignees become reps (a removed user, "Name (Deactivated User)", is the rep "Name",
added inactive;
an owner given only by its API id, `hubspot_owner_id`, is the rep "HubSpot owner ID"). A contact
with a "date of first engagement" and no activity gets one stand-in attempt then (outcome
no_answer, channel other), which its real activities replace whenever they are imported.

Call outcomes: no answer, busy and wrong number → no_answer (a call that reached nobody says
nothing about the lead); left voicemail and left live message → voicemail; connected →
connected; a call without an outcome → no_answer. The API writes outcomes as disposition GUIDs:
HubSpot's six standard ones map the same way. Meetings → meeting_booked, emails → email_sent.
An outcome slatui does not know (a portal's custom disposition, by label or GUID) rejects its row,
naming the value: guessing would skew the connected rate.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path

from slatui.io import beside
from slatui.io.batch import (
    STAND_IN_ID,
    AttemptRecord,
    Batch,
    LeadRecord,
    activity,
    classify,
    closing_time,
    find_columns,
    learn_dates,
    owner_name,
    words,
)
from slatui.io.csvread import CellError, Cells, DateReader, Table, read_table
from slatui.models import Agreement

CONTACT_COLUMNS = {
    "id": ("Record ID", "Contact ID", "Record ID - Contact", "hs_object_id", "VID"),
    "first_name": ("First Name", "firstname"),
    "last_name": ("Last Name", "lastname"),
    "email": ("Email", "Email Address"),
    "company": ("Company Name", "Company", "Associated Company", "Associated Company (Primary)"),
    "owner": ("Contact owner", "HubSpot Owner", "Owner", "hubspot_owner_id"),
    "lead_status": ("Lead Status", "hs_lead_status"),
    "lifecycle": ("Lifecycle Stage", "lifecyclestage"),
    "created": ("Create Date", "Created Date", "createdate"),
    "mql": ("Became a Marketing Qualified Lead Date", "hs_lifecyclestage_marketingqualifiedlead_date"),
    "sql": ("Became a Sales Qualified Lead Date", "hs_lifecyclestage_salesqualifiedlead_date"),
    "engaged": ("Date of first engagement", "First Engagement Date", "hs_sa_first_engagement_date"),
    "customer": ("Became a Customer Date", "hs_lifecyclestage_customer_date"),
}
ACTIVITY_COLUMNS = {
    "id": ("Record ID", "Activity ID", "Engagement ID", "Call ID", "Email ID", "Meeting ID", "hs_object_id"),
    "date": ("Activity date", "Call date", "Meeting start time", "Email send date", "Timestamp", "hs_timestamp",
             "hs_meeting_start_time"),
    "type": ("Activity type", "Engagement type", "Type", "hs_engagement_type"),
    "contact_ids": ("Associated Contact IDs", "Associated Contact ID", "Contact IDs", "Contact ID",
                    "associations.contacts", "associatedcontactids", "contact_ids", "contact_id"),
    "contact": ("Associated Contact", "Associated Contacts", "Contact"),
    "outcome": ("Call outcome", "Outcome", "hs_call_disposition"),
    "owner": ("Activity assigned to", "Assigned to", "Call owner", "Activity owner", "HubSpot Owner",
              "hubspot_owner_id"),
    "notes": ("Call notes", "Notes", "Meeting description", "Body preview", "hs_call_body", "hs_meeting_body",
              "hs_body_preview"),
    "title": ("Call title", "Subject", "Email subject", "Meeting name", "hs_call_title", "hs_meeting_title",
              "hs_email_subject"),
}
# Columns that tell the two exports apart (both have "Record ID" or hs_object_id, and an owner).
_KINDS = {
    "contacts export": ("Lifecycle Stage", "Create Date", "First Name", "Last Name", "Lead Status", "Contact owner",
                        "Became a Marketing Qualified Lead Date", "createdate", "firstname", "lastname",
                        "lifecyclestage", "hs_lead_status", "hs_lifecyclestage_marketingqualifiedlead_date"),
    "activity export": ("Activity date", "Call outcome", "Activity type", "Associated Contact",
                        "Associated Contact IDs", "Activity assigned to", "Call date", "hs_timestamp",
                        "hs_call_disposition", "hs_call_title", "hs_call_body", "hs_meeting_title",
                        "hs_email_subject"),
}
# HubSpot's standard call dispositions, as the API and its exports write them (hs_call_disposition).
DISPOSITIONS = {
    "9d9162e7-6cf3-4944-bf63-4dff82258764": "Busy",
    "f240bbac-87c9-4f6e-bf70-924b57d47db7": "Connected",
    "a4c4c377-d246-4b32-a13b-75a56a4cd0ff": "Left live message",
    "b2cf5968-551e-4856-9783-52b3da59a7d0": "Left voicemail",
    "73a0d17f-1163-4015-bdd5-ec830791da20": "No answer",
    "17b47fee-58de-441e-a44c-c6300d46f273": "Wrong number",
}
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_EMAIL_IN_TEXT = re.compile(r"[^\s<>();,]+@[^\s<>();,]+")


def read_batch(paths: list[Path], agreement: Agreement, dates: DateReader, *, sheet: str | None = None) -> Batch:
    expected = [alias for spec in (CONTACT_COLUMNS, ACTIVITY_COLUMNS) for aliases in spec.values() for alias in aliases]
    tables = [read_table(path, expected, sheet=sheet) for path in paths]
    kinds = [classify(table, _KINDS, "a HubSpot contacts or activity export") for table in tables]
    contacts = [(t, find_columns(t, CONTACT_COLUMNS)) for t, k in zip(tables, kinds) if k == "contacts export"]
    activities = [(t, find_columns(t, ACTIVITY_COLUMNS)) for t, k in zip(tables, kinds) if k == "activity export"]
    learn_dates(dates, [(t, [c[name] for name in ("created", "mql", "sql", "engaged", "customer")])
                        for t, c in contacts] + [(t, [c["date"]]) for t, c in activities])
    batch = Batch(zone=dates.tz)
    for table, columns in contacts:  # leads first: the activities find them in the database
        batch.read(table, dates, _contacts(batch, agreement.name, columns))
    for table, columns in activities:
        batch.read(table, dates, _activities(batch, agreement.name, columns, _default_type(table)),
                   attempt_keys=_activity_keys(agreement.name, table.picker(columns["id"], columns["contact_ids"])))
    beside.offer(batch, functools.partial(_read_again, list(paths), agreement, dates.tz,
                                          dates.pattern or dates.order, sheet))
    return batch


def _read_again(paths: list[Path], agreement: Agreement, tz: str, date_format: str | None,
                sheet: str | None) -> Batch:
    """`read_batch` in another process (`beside`), its dates read in the order this one settled."""
    return read_batch(paths, agreement, DateReader(tz, date_format), sheet=sheet)


def _owner(batch: Batch, cells: Cells, column: str | None) -> str | None:
    if column is None:
        return None
    text = cells.text(column)
    if text.isdigit() and words(column) == "hubspot owner id":  # the API's owner id: no name to give the rep
        return f"HubSpot owner {text}"
    return owner_name(batch, text)


def _contacts(batch: Batch, agreement: str, c: dict[str, str | None]):
    columns = {"name": c["first_name"] or c["email"] or "", "email": c["email"] or "", "company": c["company"] or "",
               "closed_at": c["customer"] or "", "rep": c["owner"] or "", "external_id": c["id"] or ""}

    def convert(cells: Cells, where: str, source: int) -> list:
        email = cells.text(c["email"])
        name = " ".join(filter(None, (cells.text(c["first_name"]), cells.text(c["last_name"])))) or email
        if not name:
            raise CellError("the contact has no name and no email", c["first_name"] or c["email"] or "")
        handoff_column = next((c[k] for k in ("mql", "sql", "created") if cells.text(c[k])), None)
        if handoff_column is None:
            raise CellError("no MQL, SQL or create date to take the handoff from", c["created"] or c["mql"] or "")
        handed_off_at = cells.when(handoff_column)
        fields = {"name": name, "handed_off_at": handed_off_at, "external_id": cells.text(c["id"]) or None}
        if c["email"]:
            fields["email"] = email or None
        if c["company"]:
            fields["company"] = cells.text(c["company"])
        customer_at = closing_time(cells, c["customer"], handed_off_at)
        if customer_at or words(cells.text(c["lifecycle"])) == "customer":
            fields.update(status="customer", closed_at=customer_at)
        elif words(cells.text(c["lead_status"])) == "unqualified":
            fields["status"] = "disqualified"
        record = LeadRecord(where, agreement, fields, owner=_owner(batch, cells, c["owner"]),
                            columns={**columns, "handed_off_at": handoff_column}, source=source)
        engaged_at = cells.when(c["engaged"])
        if engaged_at is None:
            return [record]
        # A stand-in until the contact's real activities come in (this import or a later one).
        return [record, AttemptRecord(
            where, agreement, record, stand_in=True, columns={"at": c["engaged"] or ""}, source=source,
            fields={"at": engaged_at, "channel": "other", "outcome": "no_answer",
                    "note": "first engagement (from HubSpot)", "external_id": STAND_IN_ID},
        )]

    return convert


def _default_type(table: Table) -> str:
    """The activity type of an export without a type column (HubSpot exports calls, emails and
    meetings separately), told by its own column names (`Call outcome`, `hs_call_disposition`)."""
    for kind in ("call", "meeting", "email"):
        if any(words(column).removeprefix("hs ").startswith(kind) for column in table.header):
            return kind
    return ""


def _activities(batch: Batch, agreement: str, c: dict[str, str | None], default_type: str):
    columns = {"at": c["date"] or "", "lead": c["contact_ids"] or c["contact"] or "", "rep": c["owner"] or "",
               "external_id": c["id"] or "", "outcome": c["outcome"] or "", "channel": c["type"] or ""}

    def convert(cells: Cells, where: str, source: int) -> list:
        kind = cells.text(c["type"]) or default_type
        if not kind:
            raise CellError("no activity type: add an Activity type column (call, email or meeting)",
                            c["type"] or "")
        channel_outcome = activity(kind, _disposition(cells, c["outcome"]), c["type"] or "", c["outcome"] or "")
        if channel_outcome is None:
            batch.skip("notes, tasks and incoming emails are not follow-up attempts")
            return []
        at = cells.when(c["date"])
        if at is None:
            raise CellError("the activity has no date", c["date"] or "Activity date")
        refs = [("id", i) for i in _contact_ids(cells, c)] or [
            ("email", e) for e in _EMAIL_IN_TEXT.findall(cells.text(c["contact"]))]
        if not refs:
            raise CellError("no associated contact id or email", c["contact_ids"] or c["contact"] or "")
        channel, outcome = channel_outcome
        note = cells.text(c["notes"]) or cells.text(c["title"])
        fields = {"at": at, "channel": channel, "outcome": outcome, "note": note,
                  "external_id": cells.text(c["id"]) or None}
        owner = _owner(batch, cells, c["owner"])
        # An activity associated with several contacts is an attempt on each.
        return [AttemptRecord(where, agreement, ref, dict(fields), owner=owner, columns=columns, source=source)
                for ref in refs]

    return convert


def _contact_ids(cells: Cells, c: dict[str, str | None]) -> list[str]:
    return _split_ids(cells.text(c["contact_ids"]))


def _split_ids(ids: str) -> list[str]:
    return [i.strip() for i in re.split(r"[;,]", ids) if i.strip()] if "," in ids or ";" in ids else [ids] * bool(ids)


def _activity_keys(agreement: str, pick: Callable[[list[str]], list[str]]):
    """The attempts of an activity row as (agreement, ("id", contact id), activity id), read from two cells."""

    def keys(cells: list[str]) -> list[tuple] | None:
        activity_id, ids = pick(cells)
        return [(agreement, ("id", i), activity_id) for i in _split_ids(ids)] or None if activity_id else None

    return keys


def _disposition(cells: Cells, column: str | None) -> str:
    """A call's outcome as a label: the API's GUIDs of HubSpot's standard dispositions become theirs."""
    text = cells.text(column)
    if len(text) == 36 and _GUID.fullmatch(text):
        label = DISPOSITIONS.get(text.casefold())
        if label is None:
            raise CellError(f"unknown call disposition {text}: not one of HubSpot's six standard outcomes (a custom "
                            "outcome of your portal?); export the calls with the Call outcome column, which has "
                            "its label", column or "")
        return label
    return text
