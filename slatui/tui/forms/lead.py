"""A lead handoff: new (time defaults to now) or edited; times read like the CLI's --at."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Input, Select

from slatui.models import LEAD_SOURCES, LEAD_STATUSES, Agreement, Lead, Rep
from slatui.parsing import parse_when
from slatui.text import printable
from slatui.tui.forms.attempt import when_hint
from slatui.tui.forms.base import FormScreen, field_row
from slatui.tui.screens.calculator import parse_amount
from slatui.tui.widgets import cells


def _pair(left: Widget, right: Widget) -> Horizontal:
    return Horizontal(left, right, classes="row")


class LeadForm(FormScreen[Lead]):
    def __init__(
        self,
        agreements: Sequence[Agreement],
        reps: Sequence[Rep],
        lead: Lead | None = None,
        *,
        agreement_id: int | None = None,
    ):
        super().__init__()
        self.agreements = {a.id: a for a in agreements}
        self.reps = reps
        self.lead = lead
        self.agreement_id = lead.agreement_id if lead else agreement_id
        if self.agreement_id not in self.agreements:
            self.agreement_id = next(iter(self.agreements), None)
        # An edit keeps the stored instant unless the text is changed (the text drops the seconds).
        self.initial_when = (
            lead.handed_off_at.astimezone(ZoneInfo(self.agreements[lead.agreement_id].calendar.tz))
            .strftime("%Y-%m-%d %H:%M") if lead else "now"
        )

    def form_title(self) -> str:
        return f"Edit lead {cells.markup(self.lead.name)} (#{self.lead.id})" if self.lead else "New lead handoff"

    def compose_fields(self) -> ComposeResult:
        lead = self.lead
        yield _pair(
            field_row("Name", Input(printable(lead.name) if lead else "", id="name", placeholder="who was handed off")),
            field_row("Company", Input(printable(lead.company) if lead else "", id="company")),
        )
        yield _pair(
            field_row("Email", Input(printable((lead and lead.email) or ""), id="email",
                                     placeholder="name@example.com")),
            field_row("Tier", Input(printable(lead.tier) if lead else "", id="tier", placeholder="e.g. CEO, Director"),
                      hint="a blank Value takes the tier's value"),
        )
        yield _pair(
            field_row("Agreement", Select(
                [(cells.text(a.name), a.id) for a in self.agreements.values()], value=self.agreement_id or Select.NULL,
                prompt="choose the agreement", id="agreement_id",
            )),
            field_row("Rep", Select(
                [(cells.text(r.name), r.id) for r in self.reps], value=(lead and lead.rep_id) or Select.NULL,
                prompt="no rep yet", id="rep_id",
            )),
        )
        yield _pair(
            field_row("Source", Select([(s, s) for s in LEAD_SOURCES], value=lead.source if lead else "marketing",
                                       allow_blank=False, id="source")),
            field_row("Value", Input("" if lead is None or lead.value is None else f"{lead.value:g}", id="value",
                                     placeholder="blank: the tier's value")),
        )
        yield field_row("Handed off", Input(self.initial_when, id="handed_off_at"),
                        hint=when_hint("the agreement's zone"))
        if lead is not None:
            yield _pair(
                field_row("Status", Select([(s, s) for s in LEAD_STATUSES], value=lead.status, allow_blank=False,
                                           id="status")),
                field_row("Revenue", Input("" if lead.revenue is None else f"{lead.revenue:g}", id="revenue",
                                           placeholder="for customers")),
            )

    def read_form(self) -> Lead:
        reader = self.reader()
        agreement = self.agreements.get(reader.choice("agreement_id"))
        if agreement is None:
            reader.errors["agreement_id"] = "choose the lead's agreement"
        when = reader.text("handed_off_at")
        handed_off_at: datetime | None = None
        if self.lead is not None and when == self.initial_when:
            handed_off_at = self.lead.handed_off_at
        elif agreement is not None:
            handed_off_at = reader.parse(
                "handed_off_at", lambda text: parse_when(text, agreement.calendar.tz, now=self.app.now()), required=True
            )
        tier = reader.text("tier")
        value = reader.parse("value", parse_amount)
        if value is None and tier and agreement is not None and "value" not in reader.errors:
            value = agreement.tier_values.get(tier)
        data = {
            "agreement_id": agreement.id if agreement else None,
            "rep_id": reader.choice("rep_id"),
            "name": reader.text("name"),
            "company": reader.text("company"),
            "email": reader.text("email"),
            "tier": tier,
            "source": reader.choice("source"),
            "value": value,
            "handed_off_at": handed_off_at,
        }
        if self.lead is not None:
            status = reader.choice("status")
            data = {
                **self.lead.model_dump(),
                **data,
                "status": status,
                "revenue": reader.parse("revenue", parse_amount),
                # Closing is when a lead became a customer: keep the recorded moment, or take now.
                "closed_at": (self.lead.closed_at or self.app.now()) if status == "customer" else None,
            }
        return reader.validate(Lead, data)

    def persist(self, value: Lead) -> Lead:
        with self.app.data.store() as store:
            return store.update_lead(value) if value.id is not None else store.add_lead(value)
