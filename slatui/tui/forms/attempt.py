"""A follow-up attempt, logged (the quick path from the queue, so the outcome list has the focus) or corrected
from a lead's timeline; and how forms show and read a stored instant."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Select

from slatui.models import CHANNELS, Attempt
from slatui.parsing import parse_when
from slatui.store import from_epoch, to_epoch
from slatui.text import printable
from slatui.tui.forms.base import FieldReader, FormScreen, field_row
from slatui.tui.forms.rep import RepSelect
from slatui.tui.widgets.cells import markup
from slatui.tui.widgets.outcome_list import OUTCOME_KEYS, OutcomeList, outcome_label


def when_hint(zone: str) -> str:
    """The WHEN forms parse_when reads (as the CLI's --at)."""
    return f"now, 15m ago, today 09:30, yesterday 16:00 or 2026-03-01 09:30, in {zone}"


def when_text(instant: datetime | None, tz: str) -> str:
    """A stored instant as a form shows it, to the minute in the agreement's zone; "now" when there is none."""
    return "now" if instant is None else instant.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


def read_when(reader: FieldReader, key: str, tz: str, now: datetime, stored: datetime | None, *,
              shown_in: str | None = None) -> datetime | None:
    """The instant typed in field `key` (read in `tz`); the `stored` one while its text is left as `when_text`
    showed it, in `shown_in` (default `tz`): the text drops the seconds, which an edit of another field must
    not."""
    if stored is not None and reader.text(key) == when_text(stored, shown_in or tz):
        return stored
    return reader.parse(key, lambda text: parse_when(text, tz, now=now), required=True)


class AttemptForm(FormScreen[Attempt]):
    """Time defaults to now, channel to call and rep to the lead's; the outcome must be picked (n v e c m d or the
    arrows). With `attempt` (a row of `Store.attempts_of`), the form corrects it."""

    # Focus on the outcomes: a, c, ctrl+s from the queue logs "connected" without touching an input.
    AUTO_FOCUS = "#outcome"

    def __init__(self, lead: Mapping[str, Any], attempt: Mapping[str, Any] | None = None):
        """`lead`: a store row with id, name, tz and rep_id."""
        super().__init__()
        self.lead = lead
        self.attempt = attempt
        self.tz = lead["tz"]
        self.stored_at = from_epoch(attempt["at"]) if attempt else None
        self.rep_id = attempt["rep_id"] if attempt else lead.get("rep_id")

    def form_title(self) -> str:
        on = f"{markup(self.lead['name'])} (#{self.lead['id']})"
        return f"Edit attempt #{self.attempt['id']} on {on}" if self.attempt else f"Log attempt on {on}"

    def compose_fields(self) -> ComposeResult:
        attempt = self.attempt or {}
        outcomes = OutcomeList(id="outcome")
        if attempt:
            outcomes.highlighted = outcomes.get_option_index(attempt["outcome"])
        yield field_row(f"Outcome ({' '.join(OUTCOME_KEYS)} or arrows)", outcomes)
        yield Horizontal(
            field_row("When", Input(when_text(self.stored_at, self.tz), id="at"), hint=when_hint(self.tz)),
            field_row("Channel", Select([(c, c) for c in CHANNELS], value=attempt.get("channel", "call"),
                                        allow_blank=False, id="channel")),
            classes="row",
        )
        # Until the reps are read, the list holds the rep already chosen.
        rep = [{"id": self.rep_id, "name": (self.attempt or self.lead).get("rep") or "", "active": True}]
        yield Horizontal(
            field_row("Rep", RepSelect(rep if self.rep_id is not None else [], value=self.rep_id, prompt="no rep",
                                       id="rep_id")),
            field_row("Note", Input(printable(attempt.get("note", "")), id="note", placeholder="optional")),
            classes="row",
        )

    def on_mount(self) -> None:
        super().on_mount()
        self._load_reps()

    @work(thread=True, group="attempt-reps")
    def _load_reps(self) -> None:
        with self.app.data.store() as store:
            reps = store.rep_rows()
        self.app.call_from_thread(self.query_one(RepSelect).set_reps, reps, self.rep_id)

    def read_form(self) -> Attempt:
        reader = self.reader()
        at = read_when(reader, "at", self.tz, self.app.now(), self.stored_at)
        outcome = self.query_one(OutcomeList).outcome
        if outcome is None:
            reader.errors["outcome"] = f"pick an outcome: {', '.join(OUTCOME_KEYS)} or the arrows"
        return reader.validate(Attempt, {
            "id": self.attempt["id"] if self.attempt else None, "lead_id": self.lead["id"], "at": at,
            "channel": reader.choice("channel"), "outcome": outcome, "rep_id": reader.choice("rep_id"),
            "note": reader.text("note"),
        })

    def persist(self, value: Attempt) -> Attempt:
        with self.writing() as store:
            if value.id is None:
                return store.log_attempt(value)
            fields = {"at": to_epoch(value.at), "channel": value.channel, "outcome": value.outcome,
                      "rep_id": value.rep_id, "note": value.note}
            store.edit_attempt(value.id, **{k: v for k, v in fields.items() if v != self.attempt[k]})
            return value


def open_log_attempt(screen: Any, lead: Mapping[str, Any]) -> None:
    """Log an attempt on `lead` (a store row with id, name, tz and rep_id) from `screen` (an `Edits` screen):
    a save is confirmed with a toast, and `u` there undoes it."""
    screen.open_form(AttemptForm(lead), lambda attempt: f"Logged {outcome_label(attempt.outcome)} on {lead['name']}")
