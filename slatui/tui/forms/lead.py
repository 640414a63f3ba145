"""A lead handoff: new (time defaults to now) or edited; times read like the CLI's --at. Closing a lead (won,
lost, disqualified) has its own form (slatui.tui.forms.close)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Input, Select

from slatui.models import LEAD_SOURCES, Agreement, Lead
from slatui.text import printable
from slatui.tui.forms.attempt import read_when, when_hint, when_text
from slatui.tui.forms.base import FormScreen, field_row
from slatui.tui.forms.rep import RepSelect
from slatui.tui.screens.calculator import parse_amount
from slatui.tui.widgets import cells


def amount_text(amount: float | None) -> str:
    """An amount as a form shows it, read back exactly (`:g` would turn 1234567 into 1.23457e+06)."""
    if amount is None:
        return ""
    return str(int(amount)) if amount.is_integer() else str(amount)


def _pair(left: Widget, right: Widget) -> Horizontal:
    return Horizontal(left, right, classes="row")


class LeadForm(FormScreen[Lead]):
    def __init__(
        self,
        agreements: Sequence[Agreement],
        reps: Sequence[Mapping[str, Any]],
        lead: Lead | None = None,
        *,
        agreement_id: int | None = None,
    ):
        """`reps`: store rows; the pick list offers the active ones (and the lead's own rep)."""
        super().__init__()
        self.agreements = {a.id: a for a in agreements}
        self.reps = reps
        self.lead = lead
        self.agreement_id = lead.agreement_id if lead else agreement_id
        if self.agreement_id not in self.agreements:
            self.agreement_id = next(iter(self.agreements), None)
        self.tz = self.agreements[lead.agreement_id].calendar.tz if lead else None

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
            field_row("Rep", RepSelect(self.reps, value=lead.rep_id if lead else None, prompt="no rep yet",
                                       id="rep_id")),
        )
        yield _pair(
            field_row("Source", Select([(s, s) for s in LEAD_SOURCES], value=lead.source if lead else "marketing",
                                       allow_blank=False, id="source")),
            field_row("Value", Input(amount_text(lead and lead.value), id="value",
                                     placeholder="blank: the tier's value")),
        )
        yield field_row("Handed off", Input(when_text(lead and lead.handed_off_at, self.tz), id="handed_off_at"),
                        hint=when_hint("the agreement's zone"))

    def read_form(self) -> Lead:
        reader = self.reader()
        agreement = self.agreements.get(reader.choice("agreement_id"))
        if agreement is None:
            reader.errors["agreement_id"] = "choose the lead's agreement"
        # Left as shown, the handoff keeps its instant even when the lead moves to an agreement in another zone.
        handed_off_at = None if agreement is None else read_when(
            reader, "handed_off_at", agreement.calendar.tz, self.app.now(), self.lead and self.lead.handed_off_at,
            shown_in=self.tz)
        tier = reader.text("tier")
        value = reader.parse("value", parse_amount)
        if agreement is not None and "value" not in reader.errors and self._value_follows_tier(tier, value):
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
            data = {**self.lead.model_dump(), **data}
        return reader.validate(Lead, data)

    def _value_follows_tier(self, tier: str, value: float | None) -> bool:
        """A blank value takes the tier's; on an edit, so does the value the old tier gave (as `lead edit --tier`)."""
        if value is None:
            return bool(tier)
        lead = self.lead
        if lead is None or tier == lead.tier or value != lead.value:
            return False
        return value == self.agreements[lead.agreement_id].tier_values.get(lead.tier)

    def persist(self, value: Lead) -> Lead:
        with self.writing() as store:  # an edit goes through Store.edit_lead: the lead's facts follow
            return store.update_lead(value, since=self.lead) if value.id is not None else store.add_lead(value)
