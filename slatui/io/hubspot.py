"""HubSpot CSV exports: contacts become leads, call/email/meeting activities become attempts.

The handoff is the MQL date, else the SQL date, else the create date. Contact owners and
activity assignees become reps. A contact with a "date of first engagement" and no activity
in the import gets one stand-in attempt then (outcome no_answer, channel other), which its
real activities replace whenever they are imported.

Call outcomes: no answer and busy → no_answer; left voicemail and left live message →
voicemail; wrong number → disqualified; connected → connected; a call without an outcome →
no_answer. Meetings → meeting_booked, emails → email_sent. An outcome slatui does not know
(a portal's custom disposition) rejects its row, naming the value: guessing would skew the
connected rate.
"""

from __future__ import annotations

import re
from pathlib import Path

from slatui.io.batch import (
    STAND_IN_ID,
    AttemptRecord,
    Batch,
    LeadRecord,
    activity,
    classify,
    find_columns,
    learn_dates,
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
    "owner": ("Contact owner", "HubSpot Owner", "Owner"),
    "lead_status": ("Lead Status", "hs_lead_status"),
    "lifecycle": ("Lifecycle Stage", "lifecyclestage"),
    "created": ("Create Date", "Created Date", "createdate"),
    "mql": ("Became a Marketing Qualified Lead Date", "hs_lifecyclestage_marketingqualifiedlead_date"),
    "sql": ("Became a Sales Qualified Lead Date", "hs_lifecyclestage_salesqualifiedlead_date"),
    "engaged": ("Date of first engagement", "First Engagement Date", "hs_sa_first_engagement_date"),
    "customer": ("Became a Customer Date", "hs_lifecyclestage_customer_date"),
}
ACTIVITY_COLUMNS = {
    "id": ("Record ID", "Activity ID", "Engagement ID", "Call ID", "Email ID", "Meeting ID"),
    "date": ("Activity date", "Call date", "Meeting start time", "Email send date", "Timestamp", "hs_timestamp"),
    "type": ("Activity type", "Engagement type", "Type"),
    "contact_ids": ("Associated Contact IDs", "Associated Contact ID", "Contact IDs", "Contact ID"),
    "contact": ("Associated Contact", "Associated Contacts", "Contact"),
    "outcome": ("Call outcome", "Outcome", "hs_call_disposition"),
    "owner": ("Activity assigned to", "Assigned to", "Call owner", "Activity owner", "HubSpot Owner"),
    "notes": ("Call notes", "Notes", "Meeting description", "Body preview"),
    "title": ("Call title", "Subject", "Email subject", "Meeting name"),
}
# Columns that tell the two exports apart (both have "Record ID").
_KINDS = {
    "contacts export": ("Lifecycle Stage", "Create Date", "First Name", "Last Name", "Lead Status", "Contact owner",
                        "Became a Marketing Qualified Lead Date"),
    "activity export": ("Activity date", "Call outcome", "Activity type", "Associated Contact",
                        "Associated Contact IDs", "Activity assigned to", "Call date"),
}
_EMAIL_IN_TEXT = re.compile(r"[^\s<>();,]+@[^\s<>();,]+")
# "Jane Doe (jane@example.com)": HubSpot sometimes adds the owner's email to the name.
_OWNER_EMAIL = re.compile(r"\s*\([^()]*@[^()]*\)\s*$")


def read_batch(paths: list[Path], agreement: Agreement, dates: DateReader) -> Batch:
    expected = [alias for spec in (CONTACT_COLUMNS, ACTIVITY_COLUMNS) for aliases in spec.values() for alias in aliases]
    tables = [read_table(path, expected) for path in paths]
    kinds = [classify(table, _KINDS, "a HubSpot contacts or activity export") for table in tables]
    contacts = [(t, find_columns(t, CONTACT_COLUMNS)) for t, k in zip(tables, kinds) if k == "contacts export"]
    activities = [(t, find_columns(t, ACTIVITY_COLUMNS)) for t, k in zip(tables, kinds) if k == "activity export"]
    learn_dates(dates, [(t, c[name]) for t, c in contacts for name in ("created", "mql", "sql", "engaged", "customer")]
                + [(t, c["date"]) for t, c in activities])
    batch = Batch()
    for table, columns in contacts:
        batch.read(table, dates, lambda cells, where: _contact(batch, agreement.name, cells, where, columns))
    for table, columns in activities:
        default_type = _default_type(table)
        batch.read(table, dates,
                   lambda cells, where: _activity(batch, agreement.name, cells, where, columns, default_type))
    _drop_needless_stand_ins(batch)
    return batch


def _owner(cells: Cells, column: str | None) -> str | None:
    return None if column is None else _OWNER_EMAIL.sub("", cells.text(column))


def _contact(batch: Batch, agreement: str, cells: Cells, where: str, c: dict[str, str | None]) -> None:
    email = cells.text(c["email"])
    name = " ".join(filter(None, (cells.text(c["first_name"]), cells.text(c["last_name"])))) or email
    if not name:
        raise CellError("the contact has no name and no email", c["first_name"] or c["email"] or "")
    handoff_column = next((c[k] for k in ("mql", "sql", "created") if cells.text(c[k])), None)
    if handoff_column is None:
        raise CellError("no MQL, SQL or create date to take the handoff from", c["created"] or c["mql"] or "")
    fields = {"name": name, "handed_off_at": cells.when(handoff_column), "external_id": cells.text(c["id"]) or None}
    if c["email"]:
        fields["email"] = email or None
    if c["company"]:
        fields["company"] = cells.text(c["company"])
    customer_at = cells.when(c["customer"])
    if customer_at or words(cells.text(c["lifecycle"])) == "customer":
        fields.update(status="customer", closed_at=customer_at)
    elif words(cells.text(c["lead_status"])) == "unqualified":
        fields["status"] = "disqualified"
    record = LeadRecord(where, agreement, fields, owner=_owner(cells, c["owner"]), columns={
        "name": c["first_name"] or c["email"] or "", "email": c["email"] or "", "company": c["company"] or "",
        "handed_off_at": handoff_column, "closed_at": c["customer"] or "", "rep": c["owner"] or "",
        "external_id": c["id"] or "",
    })
    batch.leads.append(record)
    engaged_at = cells.when(c["engaged"])
    if engaged_at is not None:
        # Kept aside: it becomes an attempt only if the import has no activity for the contact.
        batch.attempts.append(AttemptRecord(
            where, agreement, record, stand_in=True, columns={"at": c["engaged"] or ""},
            fields={"at": engaged_at, "channel": "other", "outcome": "no_answer",
                    "note": "first engagement (from HubSpot)", "external_id": STAND_IN_ID},
        ))


def _default_type(table: Table) -> str:
    """The activity type of an export without a type column (HubSpot exports calls, emails and
    meetings separately), told by its own column names."""
    for kind in ("call", "meeting", "email"):
        if any(words(column).startswith(kind) for column in table.header):
            return kind
    return ""


def _activity(batch: Batch, agreement: str, cells: Cells, where: str, c: dict[str, str | None],
              default_type: str) -> None:
    kind = cells.text(c["type"]) or default_type
    if not kind:
        raise CellError("no activity type: add an Activity type column (call, email or meeting)", c["type"] or "")
    channel_outcome = activity(kind, cells.text(c["outcome"]), c["type"] or "", c["outcome"] or "")
    if channel_outcome is None:
        batch.skip("notes, tasks and incoming emails are not follow-up attempts")
        return
    at = cells.when(c["date"])
    if at is None:
        raise CellError("the activity has no date", c["date"] or "Activity date")
    ids = [i.strip() for i in re.split(r"[;,]", cells.text(c["contact_ids"])) if i.strip()]
    refs = [("id", i) for i in ids] or [("email", e) for e in _EMAIL_IN_TEXT.findall(cells.text(c["contact"]))]
    if not refs:
        raise CellError("no associated contact id or email", c["contact_ids"] or c["contact"] or "")
    channel, outcome = channel_outcome
    note = cells.text(c["notes"]) or cells.text(c["title"])
    fields = {"at": at, "channel": channel, "outcome": outcome, "note": note,
              "external_id": cells.text(c["id"]) or None}
    columns = {"at": c["date"] or "", "lead": c["contact_ids"] or c["contact"] or "", "rep": c["owner"] or ""}
    owner = _owner(cells, c["owner"])
    for ref in refs:  # an activity associated with several contacts is an attempt on each
        batch.attempts.append(AttemptRecord(where, agreement, ref, dict(fields), owner=owner, columns=columns))


def _drop_needless_stand_ins(batch: Batch) -> None:
    """First-engagement stand-ins stay only for contacts without activities in this import."""
    engaged = {(a.lead[0], a.lead[1].casefold()) for a in batch.attempts if isinstance(a.lead, tuple)}

    def has_activity(lead: LeadRecord) -> bool:
        return bool({("id", (lead.fields.get("external_id") or "").casefold()),
                     ("email", (lead.fields.get("email") or "").casefold())} & engaged)

    batch.attempts = [a for a in batch.attempts if not (a.stand_in and has_activity(a.lead))]
