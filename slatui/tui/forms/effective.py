"""From which month? Asked when an edit changes an agreement's targets, follow-up cadence or clock: this month
(earlier months keep the terms they were judged by), another month, or every month (history rewritten). Picking
an earlier month says how many past months would be judged again (`Store.months_judged_again`)."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from slatui.metrics import add_months
from slatui.parsing import parse_month
from slatui.tui.forms.base import FormScreen
from slatui.tui.screens.base import footer
from slatui.tui.widgets.cells import markup

ALL = "all"
# The first month any agreement can have: from it, every month is judged again.
FIRST_MONTH = "1970-01"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' * (count != 1)}"


class EffectiveMonth(ModalScreen[str | None]):
    """Dismisses with "YYYY-MM" or "all" (ctrl+s or Save), or None to go back to the editor (escape)."""

    CSS_PATH = FormScreen.CSS_PATH
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="effective.save"),
        Binding("escape", "dismiss(None)", "Back to the editor", id="effective.back"),
    ]

    def __init__(self, agreement_id: int, this_month: str, changes: str):
        """`this_month`: YYYY-MM in the agreement's zone; `changes`: what the edit changes, in words (not markup)."""
        super().__init__()
        self.agreement_id = agreement_id
        self.this_month = this_month
        self.changes = changes

    def compose(self) -> ComposeResult:
        with Vertical(id="effective-frame"):
            yield Static("From which month do the new terms apply?", classes="screen-title")
            yield Static(f"Changed: {markup(self.changes)}", id="effective-changes")
            with RadioSet(id="effective-choice"):
                yield RadioButton(f"This month, {self.this_month}", value=True, id="effective-this")
                yield RadioButton("Another month (YYYY-MM, below)", id="effective-other")
                yield RadioButton("Every month (rewrite history)", id="effective-all")
            yield Input(placeholder="YYYY-MM", id="effective-month", max_length=7)
            yield Label("", id="effective-month-error", classes="error")
            yield Static("", id="effective-note")
            with Horizontal(id="effective-buttons"):
                yield Button("Save (ctrl+s)", id="effective-save", variant="primary")
                yield Button("Back (esc)", id="effective-back")
        yield footer()

    def on_mount(self) -> None:
        self.query_one(RadioSet).focus()
        self._explain()

    # ---- the choice -----------------------------------------------------------------------------

    def choice(self, *, quiet: bool = False) -> str | None:
        """The month chosen ("YYYY-MM" or "all"), or None when it cannot be read (the reason under the field unless
        `quiet`: not while the user types)."""
        picked = self.query_one(RadioSet).pressed_button
        if picked is None or picked.id == "effective-this":
            return self.this_month
        if picked.id == "effective-all":
            return ALL
        text = self.query_one("#effective-month", Input).value
        try:
            year, month = parse_month(text)
        except ValueError as exc:
            if not quiet:
                self._show_error("type a month such as 2026-03" if not text.strip() else str(exc))
            return None
        return f"{year:04d}-{month:02d}"

    def _show_error(self, message: str) -> None:
        error = self.query_one("#effective-month-error", Label)
        error.update(message)
        error.set_class(bool(message), "-shown")

    @on(RadioSet.Changed)
    def _picked(self, event: RadioSet.Changed) -> None:
        if event.pressed.id == "effective-other":
            self.query_one("#effective-month", Input).focus()
        self._explain()

    @on(Input.Changed, "#effective-month")
    def _typed(self, event: Input.Changed) -> None:
        # Typing a month picks "another month".
        other = self.query_one("#effective-other", RadioButton)
        if event.value.strip() and not other.value:
            other.value = True
        self._explain()

    def _explain(self) -> None:
        self._show_error("")
        month = self.choice(quiet=True)
        if month is None:
            self._note("Type the first month the new terms apply to, e.g. 2026-03.")
        elif month == ALL or month < self.this_month:
            self._count(month)
        elif month == self.this_month:
            self._note(f"No past month is judged again: months before {month} keep the terms they were judged by.")
        else:
            self._note(f"Nothing changes before {month}: until then the terms in force now hold.")

    def _note(self, text: str) -> None:
        self.query_one("#effective-note", Static).update(text)

    @work(thread=True, group="effective-count")
    def _count(self, month: str) -> None:
        with self.app.data.store() as store:
            count = store.months_judged_again(self.agreement_id, FIRST_MONTH if month == ALL else month,
                                              self.app.now())
        if month == ALL:
            text = (f"History is rewritten: [b]{_plural(count, 'past month')}[/b] judged again by the new terms."
                    if count else "History is rewritten, but no past month holds a lead: none is judged again.")
        elif count:
            last = "{:04d}-{:02d}".format(*add_months(*parse_month(self.this_month), -1))
            text = (f"[b]{_plural(count, 'past month')}[/b] (to {last}) judged again by the new terms; earlier "
                    "months keep theirs.")
        else:
            text = f"No past month from {month} holds a lead: none is judged again."
        self.app.call_from_thread(self._note, text)

    # ---- answers --------------------------------------------------------------------------------

    @on(Button.Pressed, "#effective-save")
    def action_save(self) -> None:
        if (month := self.choice()) is not None:
            self.dismiss(month)

    @on(Button.Pressed, "#effective-back")
    def _back(self) -> None:
        self.dismiss(None)
