"""Stored rows and the values they hold: plain tuples for trusted bulk rows, conversions between
rows and the pydantic models, and epoch seconds for instants (fast to compare and aggregate)."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any, NamedTuple

from slatui.terms import Terms

if TYPE_CHECKING:
    from slatui.models import Agreement, Attempt, Lead


class LeadValues(NamedTuple):
    """A lead's own columns as stored (instants in epoch seconds), for bulk inserts of trusted rows."""

    agreement_id: int
    rep_id: int | None
    name: str
    company: str
    email: str | None
    tier: str
    source: str
    value: float | None
    handed_off_at: int
    status: str = "open"
    revenue: float | None = None
    closed_at: int | None = None
    external_id: str | None = None


class AttemptValues(NamedTuple):
    """An attempt's columns as stored, without its lead (bulk inserts pair it with one)."""

    at: int
    channel: str
    outcome: str
    rep_id: int | None = None
    note: str = ""
    external_id: str | None = None


# Column order of the rows add_lead_rows builds: id, the lead's own values, then its derived facts.
LEAD_COLUMNS = ("id", *LeadValues._fields, "handoff_day", "deadline_at", "first_attempt_at", "response_seconds",
                 "attempt_count", "connected")


def to_epoch(instant: datetime) -> int:
    return int(instant.timestamp())


def from_epoch(seconds: int | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, timezone.utc)


def agreement_row(a: Agreement) -> dict[str, Any]:
    return {
        "name": a.name,
        "kind": a.kind,
        "status": a.status,
        "parties": json.dumps([p.model_dump() for p in a.parties]),
        "summary": a.summary,
        "contacts": json.dumps([c.model_dump() for c in a.contacts]),
        "plan_if_missed": a.plan_if_missed,
        "cancellation_terms": a.cancellation_terms,
        "effective_from": _iso(a.effective_from),
        "effective_to": _iso(a.effective_to),
        "review_date": _iso(a.review_date),
        **a.targets.model_dump(),
        "tz": a.calendar.tz,
        "hours": a.calendar.hours,
        "holiday_countries": json.dumps(a.calendar.holiday_countries),
        "holiday_dates": json.dumps([d.isoformat() for d in a.calendar.holiday_dates]),
        "tier_values": json.dumps(a.tier_values),
    }


def terms_from_row(row: sqlite3.Row) -> Terms:
    return Terms(
        id=row["id"], name=row["name"], kind=row["kind"], status=row["status"], tz=row["tz"], hours=row["hours"],
        holiday_countries=tuple(json.loads(row["holiday_countries"])),
        holiday_dates=tuple(map(date.fromisoformat, json.loads(row["holiday_dates"]))),
        lead_goal=row["lead_goal"], respond_within_seconds=row["respond_within_seconds"],
        compliance_threshold=row["compliance_threshold"], min_attempts=row["min_attempts"],
        miss_limit=row["miss_limit"], sales_quota=row["sales_quota"],
        effective_from=_date(row["effective_from"]), review_date=_date(row["review_date"]),
        tier_values=json.loads(row["tier_values"]),
    )


# The Targets model's fields, each a column of the agreements table.
TARGET_COLUMNS = ("lead_goal", "respond_within_seconds", "compliance_threshold", "min_attempts", "miss_limit",
                  "sales_quota")


def agreement_json(row: sqlite3.Row) -> dict[str, Any]:
    """The agreement as `Agreement.model_dump(mode="json")` has it, straight from its row (which the model
    validated when it was written): what `agreement list` and `show` print without loading pydantic."""
    return {
        "id": row["id"],
        "name": row["name"],
        "kind": row["kind"],
        "status": row["status"],
        "parties": json.loads(row["parties"]),
        "summary": row["summary"],
        "contacts": json.loads(row["contacts"]),
        "plan_if_missed": row["plan_if_missed"],
        "cancellation_terms": row["cancellation_terms"],
        "effective_from": row["effective_from"],
        "effective_to": row["effective_to"],
        "review_date": row["review_date"],
        "targets": {k: row[k] for k in TARGET_COLUMNS},
        "calendar": {
            "tz": row["tz"],
            "hours": row["hours"],
            "holiday_countries": json.loads(row["holiday_countries"]),
            "holiday_dates": json.loads(row["holiday_dates"]),
        },
        "tier_values": {tier: float(value) for tier, value in json.loads(row["tier_values"]).items()},
    }


def agreement_from_row(row: sqlite3.Row) -> Agreement:
    from slatui.models import Agreement

    return Agreement.model_validate(agreement_json(row), context={"stored": True})


def lead_values(lead: Lead) -> LeadValues:
    return LeadValues(
        lead.agreement_id, lead.rep_id, lead.name, lead.company, lead.email, lead.tier, lead.source, lead.value,
        to_epoch(lead.handed_off_at), lead.status, lead.revenue,
        None if lead.closed_at is None else to_epoch(lead.closed_at), lead.external_id,
    )


def lead_row(lead: Lead) -> dict[str, Any]:
    return lead_values(lead)._asdict()


def attempt_values(attempt: Attempt) -> AttemptValues:
    return AttemptValues(to_epoch(attempt.at), attempt.channel, attempt.outcome, attempt.rep_id, attempt.note,
                         attempt.external_id)


def lead_from_row(row: sqlite3.Row) -> Lead:
    from slatui.models import Lead

    return Lead(**{k: from_epoch(v) if k in _LEAD_INSTANTS else v for k, v in _lead_fields(row).items()})


def lead_json(row: sqlite3.Row) -> dict[str, Any]:
    """The lead as `Lead.model_dump(mode="json")` has it, straight from its row (`lead add --json`)."""
    return {k: iso_utc(v) if k in _LEAD_INSTANTS else v for k, v in _lead_fields(row).items()}


def iso_utc(seconds: int | None) -> str | None:
    """An instant as pydantic writes an aware UTC datetime in JSON: 2026-11-20T09:30:00Z."""
    return None if seconds is None else from_epoch(seconds).isoformat().replace("+00:00", "Z")


_LEAD_INSTANTS = ("handed_off_at", "closed_at", "first_attempt_at")


def _lead_fields(row: sqlite3.Row) -> dict[str, Any]:
    """The Lead model's fields from a stored row: the clock facts it does not carry (handoff day, deadline)
    left out, `connected` as a bool."""
    fields = {k: row[k] for k in row.keys() if k not in ("handoff_day", "deadline_at")}
    fields["connected"] = bool(fields["connected"])
    return fields


def _date(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()
