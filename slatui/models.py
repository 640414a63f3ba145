"""Pydantic models of the domain: every rule is a validator with a message a person understands.

Times are aware datetimes (stored as UTC epoch seconds); dates are local calendar dates.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from slatui.businesstime import BusinessCalendar, HoursSpecError, format_hours_spec, parse_hours_spec
from slatui.parsing import format_cadence, is_email, parse_cadence, year_problem
from slatui.terms import Terms
from slatui.vocabulary import (  # noqa: F401  (re-exported for the app's forms)
    AGREEMENT_KINDS,
    AGREEMENT_STATUSES,
    CHANNELS,
    CLOCK_SKEW_SECONDS,
    CLOSED_STATUSES,
    CONNECTING_OUTCOMES,
    LEAD_NAME_MAX,
    LEAD_SOURCES,
    LEAD_STATUSES,
    OUTCOMES,
    SQLITE_INT_MAX,
)

AgreementKind = Literal[AGREEMENT_KINDS]
AgreementStatus = Literal[AGREEMENT_STATUSES]
LeadSource = Literal[LEAD_SOURCES]
LeadStatus = Literal[LEAD_STATUSES]
ClosedStatus = Literal[CLOSED_STATUSES]
Channel = Literal[CHANNELS]
Outcome = Literal[OUTCOMES]



class _Model(BaseModel):
    # defer_build: a model's validator is built on its first use, so a command pays only for the models it uses.
    model_config = ConfigDict(str_strip_whitespace=True, validate_assignment=True, extra="forbid", defer_build=True)


def _check_email(value: str | None) -> str | None:
    if value and not is_email(value):
        raise ValueError(f"'{value}' is not an email address (want name@example.com)")
    return value or None


def _require_aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("time needs a time zone (store instants in UTC)")
    return value.astimezone(timezone.utc) if value is not None else None


def _stored(info: ValidationInfo) -> bool:
    """Read back from the file: checked when it was written (and a row from before a rule must still load)."""
    return bool((info.context or {}).get("stored"))


def _plausible_day(value: date | None, info: ValidationInfo) -> date | None:
    if value is not None and not _stored(info) and (problem := year_problem(value.year)):
        raise ValueError(problem)
    return value


def _happened(value: datetime | None, info: ValidationInfo) -> datetime | None:
    """A handoff, an attempt or a close has happened: in 1970-2100 and not later than now (another clock may
    be a few minutes ahead). The message names no time: the model knows no agreement zone to show it in."""
    if value is None or _stored(info):
        return value
    if problem := year_problem(value.year):
        raise ValueError(problem)
    if value > datetime.now(timezone.utc) + timedelta(seconds=CLOCK_SKEW_SECONDS):
        raise ValueError("this time is later than now: log what has already happened (check the date and the time "
                         "zone)")
    return value


Email = Annotated[str | None, AfterValidator(_check_email)]
Instant = Annotated[datetime, AfterValidator(_require_aware)]
# What has happened: handoffs, attempts, closes.
Happened = Annotated[datetime, AfterValidator(_require_aware), AfterValidator(_happened)]
Day = Annotated[date, AfterValidator(_plausible_day)]
# Counts and ids SQLite stores (64-bit): a larger one could be validated but never saved.
Count = Annotated[int, Field(le=SQLITE_INT_MAX)]


# Names of UTC itself (a machine set to UTC links /etc/localtime to Etc/UTC): shown as plain UTC.
_UTC_NAMES = frozenset({"Etc/UTC", "Etc/UCT", "Etc/Universal", "Etc/Zulu", "Etc/GMT", "UCT", "Universal", "Zulu",
                        "GMT"})


def system_zone() -> str:
    """This machine's IANA zone name (the default for new agreements), UTC if it cannot be told."""
    import os

    name = os.environ.get("TZ", "").lstrip(":")
    if not name:
        try:
            name = os.path.realpath("/etc/localtime").split("zoneinfo/", 1)[1]
        except (IndexError, OSError):
            try:  # Debian and Ubuntu also name it here, where /etc/localtime is a copy rather than a link
                with open("/etc/timezone", encoding="utf-8") as file:
                    name = file.read().strip()
            except OSError:
                name = "UTC"
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return "UTC"
    return "UTC" if name in _UTC_NAMES else name


class Party(_Model):
    """One side of the agreement (a team), with what it promises and what it needs."""

    name: str = Field(min_length=1, max_length=80)
    goals: str = ""
    requirements: str = ""


class Contact(_Model):
    name: str = Field(min_length=1, max_length=120)
    role: str = ""
    email: Email = None
    party: str = ""


class Targets(_Model):
    lead_goal: Count = Field(default=100, ge=0, description="qualified leads marketing hands off per month")
    respond_within_seconds: Count = Field(default=3600, gt=0, description="business time to the first attempt")
    # 85 %: the guide's example.
    compliance_threshold: float = Field(default=0.85, ge=0, le=1, description="share of leads followed up in time")
    min_attempts: Count = Field(default=6, ge=0, description="attempts before giving up on an unreached lead")
    miss_limit: Count = Field(default=3, ge=1, description="consecutive missed months that allow cancellation")
    sales_quota: float | None = Field(default=None, ge=0, allow_inf_nan=False,
                                      description="monthly sales quota, for recalibration")
    cadence: str | None = Field(default=None, description="business-time gaps between follow-up attempts")

    @field_validator("cadence")
    @classmethod
    def _canonical_cadence(cls, value: str | None) -> str | None:
        return format_cadence(parse_cadence(value)) if value and value.strip() else None


class Calendar(_Model):
    """The agreement's clock: one explicit zone (no false breaches from zone slips), hours and holidays."""

    tz: str = "UTC"
    hours: str | None = Field(default=None, description="working hours spec; None means 24x7")
    holiday_countries: list[str] = Field(default_factory=list)
    holiday_dates: list[Day] = Field(default_factory=list)

    @field_validator("hours")
    @classmethod
    def _canonical_hours(cls, value: str | None) -> str | None:
        try:
            parsed = parse_hours_spec(value)
        except HoursSpecError as exc:
            raise ValueError(str(exc)) from None
        return None if parsed is None else format_hours_spec(parsed)

    @field_validator("holiday_countries")
    @classmethod
    def _upper_codes(cls, value: list[str]) -> list[str]:
        return [code.strip().upper() for code in value if code.strip()]

    @model_validator(mode="after")
    def _resolvable(self, info: ValidationInfo) -> Calendar:
        # Builds the calendar once so a bad zone or country code is refused at input time; rows read
        # back from the store were checked when written, and loading holiday tables is not free.
        if not (info.context or {}).get("stored"):
            self.business_calendar()
        return self

    def business_calendar(self) -> BusinessCalendar:
        return BusinessCalendar(
            tz=self.tz,
            hours=parse_hours_spec(self.hours),
            holiday_countries=tuple(self.holiday_countries),
            holiday_dates=frozenset(self.holiday_dates),
        )


class Agreement(_Model):
    id: int | None = None
    name: str = Field(min_length=1, max_length=120)
    kind: AgreementKind = "internal"
    status: AgreementStatus = "active"
    parties: list[Party] = Field(default_factory=lambda: [Party(name="Marketing"), Party(name="Sales")])
    summary: str = ""
    contacts: list[Contact] = Field(default_factory=list)
    plan_if_missed: str = ""
    cancellation_terms: str = ""
    effective_from: Day | None = None
    effective_to: Day | None = None
    review_date: Day | None = None
    targets: Targets = Field(default_factory=Targets)
    calendar: Calendar = Field(default_factory=Calendar)
    tier_values: dict[str, Annotated[float, Field(allow_inf_nan=False)]] = Field(
        default_factory=dict, description="lead value by tier, e.g. CEO: 100")

    @field_validator("tier_values")
    @classmethod
    def _non_negative_values(cls, value: dict[str, float]) -> dict[str, float]:
        for tier, worth in value.items():
            if worth < 0:
                raise ValueError(f"tier '{tier}' has a negative value {worth}: values are 0 or more")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Agreement:
        names = [p.name.casefold() for p in self.parties]
        if len(self.parties) < 2:
            raise ValueError("an agreement needs at least two parties, e.g. Marketing and Sales")
        if len(set(names)) != len(names):
            raise ValueError("party names must differ from each other")
        if self.kind == "multilevel" and len(self.parties) < 3:
            raise ValueError("a multilevel agreement has three or more parties (e.g. Marketing, Sales, Service)")
        if self.kind != "multilevel" and len(self.parties) > 2:
            raise ValueError(f"a {self.kind} agreement has two parties; use kind 'multilevel' for more")
        for contact in self.contacts:
            if contact.party and contact.party.casefold() not in names:
                raise ValueError(f"contact {contact.name}'s party '{contact.party}' is not one of the parties")
        if self.effective_from and self.effective_to and self.effective_to < self.effective_from:
            raise ValueError(
                f"the agreement ends ({self.effective_to}) before it starts ({self.effective_from})"
            )
        return self

    def party(self, name: str) -> Party | None:
        return next((p for p in self.parties if p.name.casefold() == name.casefold()), None)

    def terms(self) -> Terms:
        """What the clocks and the metrics read of this agreement (`Store.terms` reads the same from its row)."""
        t, c = self.targets, self.calendar
        return Terms(
            id=self.id, name=self.name, kind=self.kind, status=self.status, tz=c.tz, hours=c.hours,
            holiday_countries=tuple(c.holiday_countries), holiday_dates=tuple(c.holiday_dates),
            lead_goal=t.lead_goal, respond_within_seconds=t.respond_within_seconds,
            compliance_threshold=t.compliance_threshold, min_attempts=t.min_attempts, miss_limit=t.miss_limit,
            sales_quota=t.sales_quota, effective_from=self.effective_from, review_date=self.review_date,
            tier_values=dict(self.tier_values), cadence=t.cadence,
        )


class Rep(_Model):
    id: int | None = None
    name: str = Field(min_length=1, max_length=120)
    team: str = "Sales"
    weekly_capacity: Count = Field(default=50, ge=0, description="leads a week this rep can work")
    active: bool = Field(default=True, description="inactive reps keep their history and leave pick lists")


class Lead(_Model):
    id: int | None = None
    agreement_id: int
    rep_id: int | None = None
    name: str = Field(min_length=1, max_length=LEAD_NAME_MAX)
    company: str = ""
    email: Email = None
    tier: str = ""
    source: LeadSource = "marketing"
    value: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    handed_off_at: Happened
    # As written (an import): "open", or how it was closed. As read: derived from its close and its attempts.
    status: LeadStatus = "open"
    closed_as: ClosedStatus | None = None
    close_reason: str = ""
    revenue: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    closed_at: Happened | None = None
    external_id: str | None = None
    snoozed_until: Instant | None = None
    # Derived facts, kept by the store in the same transaction as each attempt.
    first_attempt_at: Instant | None = None
    response_seconds: int | None = None
    attempt_count: int = 0
    connected: bool = False
    deadline_at: Instant | None = None
    next_due_at: Instant | None = None

    @model_validator(mode="after")
    def _close_facts(self) -> Lead:
        closed = self.closed_as or (self.status if self.status in CLOSED_STATUSES else None)
        if closed != "customer" and self.revenue is not None:
            raise ValueError("revenue is for leads that became customers (status 'customer')")
        if closed is None and self.closed_at is not None:
            raise ValueError("a close date is for leads that were closed (won, lost or disqualified)")
        if self.closed_at is not None and self.closed_at < self.handed_off_at:
            raise ValueError("a lead cannot close before it was handed off")
        return self


class Attempt(_Model):
    id: int | None = None
    lead_id: int
    at: Happened
    channel: Channel = "call"
    outcome: Outcome
    rep_id: int | None = None
    note: str = ""
    external_id: str | None = None


# pydantic's checks in words a person reads after a field's name ("--lead-goal must be 0 or more").
_PROBLEMS = {
    "greater_than_equal": "must be {ge} or more",
    "greater_than": "must be more than {gt}",
    "less_than_equal": "must be {le} or less",
    "less_than": "must be less than {lt}",
    "string_too_long": "must be at most {max_length} characters",
    "too_long": "must have at most {max_length} items",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "date_parsing": "must be a date written YYYY-MM-DD",
    "date_from_datetime_parsing": "must be a date written YYYY-MM-DD",
    "date_type": "must be a date written YYYY-MM-DD",
    "missing": "is required",
    "extra_forbidden": "is not a field slatui knows",
}


def problem_message(item: dict) -> str:
    """One of pydantic's problems as a person reads it, on one line (without the field name)."""
    kind, ctx = item["type"], item.get("ctx") or {}
    if kind == "string_too_short":
        message = "can't be empty" if ctx.get("min_length") == 1 else "must be at least {min_length} characters"
    elif kind == "literal_error":
        message = f"'{item['input']}' is not allowed; use {ctx.get('expected', 'one of the listed values')}"
    else:
        message = _PROBLEMS.get(kind, item["msg"].removeprefix("Value error, "))
    try:
        message = message.format(**{k: f"{v:g}" if isinstance(v, float) else v for k, v in ctx.items()})
    except (KeyError, IndexError, ValueError):
        pass  # a message of our own validators may hold braces
    return " ".join(message.split())


def describe_validation_error(error: ValidationError, names: dict[str, str] | None = None) -> str:
    """One line for all problems, each naming its field: by the name the user knows it by in `names` (keyed by
    the model path, list positions left out: "targets.lead_goal": "--lead-goal"), else by its model path."""
    parts = []
    for item in error.errors():
        # Field names come from input too (CSV headers, JSON keys): show odd ones quoted, on one line.
        path = [p if p.isprintable() else repr(p) for p in item["loc"] if isinstance(p, str)]
        field = (names or {}).get(".".join(path), ".".join(path))
        message = problem_message(item)
        if not field:
            parts.append(message)
        elif message.startswith(("must ", "can't ", "is ")):
            parts.append(f"{field} {message}")
        else:
            parts.append(f"{field}: {message}")
    return "; ".join(parts)
