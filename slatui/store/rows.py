"""Stored rows and the values they hold: plain tuples for trusted bulk rows, conversions between
rows and the pydantic models, and epoch seconds for instants (fast to compare and aggregate)."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any, NamedTuple

from slatui.store.facts import LEAD_FACT_COLUMNS, AttemptSummary, Clock, attempt_facts, handoff_facts
from slatui.terms import VERSIONED_FIELDS, Terms, TermsVersion
from slatui.vocabulary import CLOSED_STATUSES

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


# Columns of a lead that people (and imports) write; the others are derived facts (`slatui.store.facts`).
LEAD_USER_COLUMNS = ("agreement_id", "rep_id", "name", "company", "email", "tier", "source", "value", "handed_off_at",
                     "closed_as", "closed_at", "close_reason", "revenue", "external_id", "snoozed_until")
ATTEMPT_COLUMNS = ("lead_id", "at", "channel", "outcome", "rep_id", "note", "external_id")
# Columns of a lead row that bulk writes (a bulk load, an import) build whole: id, its own values, its derived facts.
BULK_LEAD_COLUMNS = ("id", "agreement_id", "rep_id", "name", "company", "email", "tier", "source", "value",
                     "handed_off_at", "closed_as", "closed_at", "revenue", "external_id", *LEAD_FACT_COLUMNS)


# SQL for what the attempts `t` of a lead say (`facts.AttemptSummary`), as aggregates (0 attempts in a LEFT JOIN: 0).
ATTEMPT_SUMMARY_SQL = ("min(t.at), count(t.id), min(t.at) FILTER (WHERE t.outcome = 'connected' "
                       "OR t.outcome = 'meeting_booked'), max(t.at), min(t.at) FILTER (WHERE t.outcome = 'disqualified')")
# SQL for the zone of the terms in force at lead `l`'s handoff: its times read in that zone.
LEAD_ZONE_SQL = ("(SELECT z.tz FROM agreement_terms z WHERE z.agreement_id = l.agreement_id "
                 "AND z.from_month <= substr(l.handoff_day, 1, 7) ORDER BY z.from_month DESC LIMIT 1)")


def to_epoch(instant: datetime) -> int:
    return int(instant.timestamp())


def from_epoch(seconds: int | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, timezone.utc)


def agreement_row(a: Agreement) -> dict[str, Any]:
    """The agreement's own columns: all but its effective-dated terms (`version_row`)."""
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
        "sales_quota": a.targets.sales_quota,
        "holiday_dates": json.dumps([d.isoformat() for d in a.calendar.holiday_dates]),
        "tier_values": json.dumps(a.tier_values),
    }


def model_version(a: Agreement, from_month: str) -> TermsVersion:
    """The agreement model's targets and clock as a version of its terms starting in `from_month`."""
    t, c = a.targets, a.calendar
    return TermsVersion(from_month=from_month, lead_goal=t.lead_goal, respond_within_seconds=t.respond_within_seconds,
                        compliance_threshold=t.compliance_threshold, min_attempts=t.min_attempts,
                        miss_limit=t.miss_limit, tz=c.tz, hours=c.hours,
                        holiday_countries=tuple(c.holiday_countries), cadence=t.cadence)


def version_row(version: TermsVersion) -> dict[str, Any]:
    row = {name: getattr(version, name) for name in ("from_month", *VERSIONED_FIELDS)}
    row["holiday_countries"] = json.dumps(list(version.holiday_countries))
    return row


def version_from_row(row: sqlite3.Row | dict[str, Any]) -> TermsVersion:
    values = {name: row[name] for name in ("from_month", *VERSIONED_FIELDS)}
    values["holiday_countries"] = tuple(json.loads(values["holiday_countries"]))
    return TermsVersion(**values)


def terms_from_rows(row: sqlite3.Row, versions: list[TermsVersion], now: float) -> Terms:
    """An agreement's Terms from its row and its versions (oldest first); the flat fields are those in force
    at `now`."""
    terms = Terms(
        id=row["id"], name=row["name"], kind=row["kind"], status=row["status"],
        holiday_dates=tuple(map(date.fromisoformat, json.loads(row["holiday_dates"]))),
        sales_quota=row["sales_quota"], effective_from=_date(row["effective_from"]),
        review_date=_date(row["review_date"]), tier_values=json.loads(row["tier_values"]), versions=tuple(versions),
        **{name: getattr(versions[0], name) for name in VERSIONED_FIELDS},
    )
    return terms.at_instant(now)


def agreement_json(row: sqlite3.Row, version: TermsVersion) -> dict[str, Any]:
    """The agreement with the targets and clock of one version of its terms, as
    `Agreement.model_dump(mode="json")` has it, straight from its rows (which the model validated when they were
    written): what `agreement list` and `show` print without loading pydantic."""
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
        "targets": {"lead_goal": version.lead_goal, "respond_within_seconds": version.respond_within_seconds,
                    "compliance_threshold": version.compliance_threshold, "min_attempts": version.min_attempts,
                    "miss_limit": version.miss_limit, "sales_quota": row["sales_quota"], "cadence": version.cadence},
        "calendar": {
            "tz": version.tz,
            "hours": version.hours,
            "holiday_countries": list(version.holiday_countries),
            "holiday_dates": json.loads(row["holiday_dates"]),
        },
        "tier_values": {tier: float(value) for tier, value in json.loads(row["tier_values"]).items()},
    }


def agreement_from_row(row: sqlite3.Row, version: TermsVersion) -> Agreement:
    """The agreement model with the targets and clock of one version of its terms."""
    from slatui.models import Agreement

    return Agreement.model_validate(agreement_json(row, version), context={"stored": True})


def lead_values(lead: Lead) -> LeadValues:
    """A lead model's own values; `status` is how it was closed (or "open"), as imports give it."""
    return LeadValues(
        lead.agreement_id, lead.rep_id, lead.name, lead.company, lead.email, lead.tier, lead.source, lead.value,
        to_epoch(lead.handed_off_at), lead.closed_as or (lead.status if lead.status in CLOSED_STATUSES else "open"),
        lead.revenue, None if lead.closed_at is None else to_epoch(lead.closed_at), lead.external_id,
    )


def user_columns(lead: LeadValues, **extra: Any) -> dict[str, Any]:
    """The stored user columns of a lead's values: its explicit close and the rest (derived facts apart)."""
    closed_as = lead.status if lead.status in CLOSED_STATUSES else None
    row = {**lead._asdict(), "closed_as": closed_as, **extra}
    del row["status"]
    return row


def bulk_lead_row(lead_id: int, lead: LeadValues, clock: Clock, attempts: AttemptSummary) -> tuple:
    """A new lead as a row in `BULK_LEAD_COLUMNS` order: its facts from its handoff on `clock`, its attempts and
    its close (`lead.status`: how it was closed, or "open")."""
    closed_as = lead.status if lead.status in CLOSED_STATUSES else None
    handoff = handoff_facts(lead.handed_off_at, clock)
    facts = attempt_facts(clock, lead.handed_off_at, handoff.deadline_at, attempts, closed_as, lead.closed_at, None)
    return (lead_id, lead.agreement_id, lead.rep_id, lead.name, lead.company, lead.email, lead.tier, lead.source,
            lead.value, lead.handed_off_at, closed_as, lead.closed_at, lead.revenue, lead.external_id, *handoff,
            *facts)


def attempt_values(attempt: Attempt) -> AttemptValues:
    return AttemptValues(to_epoch(attempt.at), attempt.channel, attempt.outcome, attempt.rep_id, attempt.note,
                         attempt.external_id)


_LEAD_INSTANTS = ("handed_off_at", "closed_at", "first_attempt_at", "snoozed_until", "next_due_at", "deadline_at",
                  "breach_at", "connected_at", "last_attempt_at", "disqualified_at")


def lead_from_row(row: sqlite3.Row) -> Lead:
    from slatui.models import Lead

    return Lead.model_validate({k: from_epoch(v) if k in _LEAD_INSTANTS else v for k, v in _lead_fields(row).items()},
                               context={"stored": True})


def lead_json(row: sqlite3.Row) -> dict[str, Any]:
    """The lead as `Lead.model_dump(mode="json")` has it, straight from its row (`lead add --json`)."""
    return {k: iso_utc(v) if k in _LEAD_INSTANTS else v for k, v in _lead_fields(row).items()}


def iso_utc(seconds: int | None) -> str | None:
    """An instant as pydantic writes an aware UTC datetime in JSON: 2026-11-20T09:30:00Z."""
    return None if seconds is None else from_epoch(seconds).isoformat().replace("+00:00", "Z")


# The Lead model's fields, in its order (a test holds them equal), read from a stored row without pydantic.
LEAD_MODEL_FIELDS = ("id", "agreement_id", "rep_id", "name", "company", "email", "tier", "source", "value",
                     "handed_off_at", "status", "closed_as", "close_reason", "revenue", "closed_at", "external_id",
                     "snoozed_until", "first_attempt_at", "response_seconds", "attempt_count", "connected",
                     "deadline_at", "next_due_at")


def _lead_fields(row: sqlite3.Row) -> dict[str, Any]:
    """The Lead model's fields from a stored row, `connected` as a bool."""
    fields = {k: row[k] for k in LEAD_MODEL_FIELDS}
    fields["connected"] = bool(fields["connected"])
    return fields


def _date(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()
