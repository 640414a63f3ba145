"""Snooze a lead of the queue (`z`): put its next attempt off until a time on its agreement's clock.

The same rule as `slatui lead snooze` (`slatui.plan.snooze`): the time must be to come and later than the
cadence's due time; the SLA clock does not stop, and the next attempt logged ends the snooze.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input, Static

from slatui import plan
from slatui.errors import SlatuiError
from slatui.parsing import ParseError
from slatui.tui.forms.base import FormScreen, field_row
from slatui.tui.widgets.cells import markup


class SnoozeForm(FormScreen[list[str]]):
    """One field, the time to put the lead off until; dismisses with what was done, in words (None if
    cancelled). A snoozed lead's form ends its snooze when the field is left empty."""

    AUTO_FOCUS = "#until"

    def __init__(self, lead: dict[str, Any]):
        """`lead`: a row of the queue (id, name, tz, step_text, due_text, snoozed)."""
        super().__init__()
        self.lead = lead

    def form_title(self) -> str:
        return f"Snooze {markup(self.lead['name'])} (#{self.lead['id']})"

    def compose_fields(self) -> ComposeResult:
        lead = self.lead
        yield Static(markup(f"{lead['step_text']}, {lead['due_text']}" + (" (snoozed)" if lead["snoozed"] else "")),
                     id="snooze-now")
        hint = f"in 2h, tomorrow 09:30, mon 10:00 or 2026-03-01 09:30, in {lead['tz']}"
        if lead["snoozed"]:
            hint += "; empty ends the snooze"
        yield field_row("Until", Input(id="until", placeholder="e.g. in 2h"), hint=hint)

    def read_form(self) -> list[str]:
        """The time typed, as a list of one ([] to end the lead's snooze)."""
        reader = self.reader()
        text = reader.text("until")
        if not text and not self.lead["snoozed"]:
            reader.errors["until"] = "give a time, e.g. 'in 2h' or 'tomorrow 09:30'"
        reader.check()
        return [text] if text else []

    def persist(self, value: list[str]) -> list[str]:
        try:
            with self.app.data.store() as store:
                return plan.snooze(store, self.lead["id"], value[0] if value else None, self.app.now().timestamp())
        except ParseError as exc:
            raise SlatuiError(f"until: {exc}") from None
