"""Log a follow-up attempt: the quick path from the queue, so the outcome list has the focus."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Input, Select

from slatui.models import CHANNELS, Attempt
from slatui.parsing import parse_when
from slatui.tui.forms.base import FormScreen, field_row
from slatui.tui.widgets.cells import markup
from slatui.tui.widgets.outcome_list import OUTCOME_KEYS, OutcomeList, outcome_label


def when_hint(zone: str) -> str:
    """The WHEN forms parse_when reads (as the CLI's --at)."""
    return f"now, 15m ago, today 09:30, yesterday 16:00 or 2026-03-01 09:30, in {zone}"


class LogAttemptForm(FormScreen[Attempt]):
    """Time defaults to now and channel to call; the outcome must be picked (n v e c m d or the arrows)."""

    # Focus on the outcomes: a, c, ctrl+s from the queue logs "connected" without touching an input.
    AUTO_FOCUS = "#outcome"

    def __init__(self, lead_id: int, lead_name: str, tz: str):
        super().__init__()
        self.lead_id = lead_id
        self.lead_name = lead_name
        self.tz = tz

    def form_title(self) -> str:
        return f"Log attempt on {markup(self.lead_name)} (#{self.lead_id})"

    def compose_fields(self) -> ComposeResult:
        keys = " ".join(OUTCOME_KEYS)
        yield field_row(f"Outcome ({keys} or arrows)", OutcomeList(id="outcome"))
        yield Horizontal(
            field_row("When", Input("now", id="at"), hint=when_hint(self.tz)),
            field_row("Channel", Select([(c, c) for c in CHANNELS], value="call", allow_blank=False, id="channel")),
            classes="row",
        )
        yield field_row("Note", Input(id="note", placeholder="optional"))

    def read_form(self) -> Attempt:
        reader = self.reader()
        at = reader.parse("at", lambda text: parse_when(text, self.tz, now=self.app.now()), required=True)
        outcome = self.query_one(OutcomeList).outcome
        if outcome is None:
            reader.errors["outcome"] = f"pick an outcome: {', '.join(OUTCOME_KEYS)} or the arrows"
        return reader.validate(Attempt, {
            "lead_id": self.lead_id, "at": at, "channel": reader.choice("channel"), "outcome": outcome,
            "note": reader.text("note"),
        })

    def persist(self, value: Attempt) -> Attempt:
        with self.app.data.store() as store:
            return store.log_attempt(value)


def open_log_attempt(screen: Screen, lead: dict[str, Any]) -> None:
    """Push the form for `lead` (a store row with id, name and tz) and confirm a save with a toast.

    The screens below reload when they are resumed, so the new attempt shows once the form closes.
    """

    def saved(attempt: Attempt | None) -> None:
        if attempt is not None:
            screen.notify(f"Logged {outcome_label(attempt.outcome)} on {lead['name']}", markup=False)

    screen.app.push_screen(LogAttemptForm(lead["id"], lead["name"], lead["tz"]), saved)
