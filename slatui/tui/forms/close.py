"""Close a lead by hand: won (its revenue and when), lost or disqualified (why). Closing a closed lead again
corrects its close: what the form shows is what it had."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.widgets import Input, Static

from slatui.models import Lead
from slatui.store import to_epoch
from slatui.text import printable
from slatui.tui.forms.attempt import read_when, when_hint, when_text
from slatui.tui.forms.base import FormScreen, field_row
from slatui.tui.forms.lead import amount_text
from slatui.tui.screens.calculator import parse_amount
from slatui.tui.widgets.cells import markup

# What each close is called (closed_as → word).
CLOSES = {"customer": "won", "lost": "lost", "disqualified": "disqualified"}


class CloseForm(FormScreen[Lead]):
    """`closed_as` is customer (won), lost or disqualified; `tz` is the zone the lead's times are read in."""

    HINTS: ClassVar[dict[str, str]] = {
        "customer": "counts in the recalibration's close rate; its revenue in the deal size",
        "lost": "sales reached the lead and lost it",
        "disqualified": "not a fit: the lead leaves the depth metric",
    }

    def __init__(self, lead: Lead, closed_as: str, tz: str):
        super().__init__()
        self.lead = lead
        self.closed_as = closed_as
        self.tz = tz

    def form_title(self) -> str:
        verb = "Correct the close of" if self.lead.closed_as == self.closed_as else "Close"
        return f"{verb} {markup(self.lead.name)} (#{self.lead.id}) as {CLOSES[self.closed_as]}"

    def compose_fields(self) -> ComposeResult:
        lead = self.lead
        yield Static(self.HINTS[self.closed_as], classes="field-hint")
        if self.closed_as == "customer":
            revenue = amount_text(lead.revenue if lead.closed_as == "customer" else None)
            yield field_row("Revenue", Input(revenue, id="revenue", placeholder="the deal's amount"),
                            hint="blank: the lead counts in the close rate, not in the deal size")
            yield field_row("Won at", Input(when_text(lead.closed_at, self.tz), id="closed_at"),
                            hint=when_hint(self.tz))
        else:
            yield field_row("Reason", Input(printable(lead.close_reason), id="close_reason", placeholder="optional"))

    def read_form(self) -> Lead:
        reader = self.reader()
        lead = self.lead
        if self.closed_as == "customer":
            revenue = reader.parse("revenue", parse_amount)
            closed_at = read_when(reader, "closed_at", self.tz, self.app.now(), lead.closed_at)
            reason = lead.close_reason
        else:
            revenue, closed_at, reason = None, lead.closed_at or self.app.now(), reader.text("close_reason")
        return reader.validate(Lead, {**lead.model_dump(), "status": self.closed_as, "closed_as": self.closed_as,
                                      "closed_at": closed_at, "revenue": revenue, "close_reason": reason})

    def persist(self, value: Lead) -> Lead:
        with self.writing() as store:
            store.close_lead(value.id, self.closed_as, at=to_epoch(value.closed_at), revenue=value.revenue,
                             reason=value.close_reason)
            return store.get_lead(value.id)
