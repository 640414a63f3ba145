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


def agreement_from_row(row: sqlite3.Row) -> Agreement:
    from slatui.models import Agreement, Targets

    r = dict(row)
    return Agreement.model_validate(
        {
            "id": r["id"],
            "name": r["name"],
            "kind": r["kind"],
            "status": r["status"],
            "parties": json.loads(r["parties"]),
            "summary": r["summary"],
            "contacts": json.loads(r["contacts"]),
            "plan_if_missed": r["plan_if_missed"],
            "cancellation_terms": r["cancellation_terms"],
            "effective_from": r["effective_from"],
            "effective_to": r["effective_to"],
            "review_date": r["review_date"],
            "targets": {k: r[k] for k in Targets.model_fields},
            "calendar": {
                "tz": r["tz"],
                "hours": r["hours"],
                "holiday_countries": json.loads(r["holiday_countries"]),
                "holiday_dates": json.loads(r["holiday_dates"]),
            },
            "tier_values": json.loads(r["tier_values"]),
        },
        context={"stored": True},
    )


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

    r = dict(row)
    for key in ("handed_off_at", "closed_at", "first_attempt_at"):
        r[key] = from_epoch(r[key])
    r["connected"] = bool(r["connected"])
    for derived in ("handoff_day", "deadline_at"):
        r.pop(derived)
    return Lead.model_validate(r, context={"stored": True})


def _date(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()
