"""The guide's goal calculator and the nines helper (6), live as you type; also the "calculate goal" modal."""

from __future__ import annotations

import math
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Header, Input, Static

from slatui.goals import LeadsNeeded, allowed_downtime, leads_needed
from slatui.parsing import format_duration, parse_percent
from slatui.tui.forms.base import (
    FieldReader,
    FormErrors,
    FormScreen,
    clear_field_errors,
    field_row,
    show_field_errors,
    widget_id,
)
from slatui.tui.screens.base import AppScreen, footer

# Which input each of goals.leads_needed's complaints is about (its messages start with the name).
_GOAL_FIELDS = {
    "quota": "calc.quota", "marketing share": "calc.share", "deal size": "calc.deal", "close rate": "calc.close",
}
GUIDE_EXAMPLE = {"calc.quota": "5000", "calc.share": "100", "calc.deal": "100", "calc.close": "50"}


def parse_amount(text: str) -> float:
    """A money amount: 5000, 5,000 or $5000."""
    try:
        amount = float(text.replace(",", "").removeprefix("$"))
    except ValueError:
        amount = math.nan
    if not math.isfinite(amount):
        raise ValueError(f"can't read {text!r}: write a number like 5000")
    return amount


def parse_availability(text: str) -> float:
    """An availability in percent, 0-100: 99.9, 99,9 or 99.9%."""
    return parse_percent(text) * 100


def _money(amount: float) -> str:
    return f"${amount:,.2f}".removesuffix(".00")


class LiveCalculator(Vertical):
    """Inputs whose result is recomputed on every change; bad input is marked inline, focus stays put."""

    def __init__(self, values: dict[str, str], *, id: str):
        super().__init__(id=id)
        self.values = values

    def _input(self, key: str) -> Input:
        # Compact (one line): inputs and results fit an 80×24 terminal together.
        return Input(self.values[key], placeholder=self.values[key], id=widget_id(key), compact=True)

    def on_mount(self) -> None:
        self.recalculate()

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()  # handled here: a form around the calculator must not clear these errors
        self.recalculate()

    def recalculate(self) -> None:
        clear_field_errors(self)
        reader = FieldReader(self)
        self.compute(reader)
        show_field_errors(self, reader.errors, focus=False)

    def compute(self, reader: FieldReader) -> None:
        raise NotImplementedError


class GoalCalculator(LiveCalculator):
    """Quota, marketing share, deal size and close rate → customers and leads needed a month."""

    def __init__(self, values: dict[str, str] | None = None):
        super().__init__({**GUIDE_EXAMPLE, **(values or {})}, id="goal-calculator")
        self.result: LeadsNeeded | None = None

    def compose(self) -> ComposeResult:
        yield Static("Leads marketing must hand off a month", classes="section-title")
        yield field_row("Sales quota a month ($)", self._input("calc.quota"))
        yield field_row("Share from marketing leads (%)", self._input("calc.share"))
        yield field_row("Average deal size ($)", self._input("calc.deal"))
        yield field_row("Lead-to-customer close rate (%)", self._input("calc.close"))
        yield Static(id="calc-result", classes="result")

    def compute(self, reader: FieldReader) -> None:
        inputs = (
            reader.parse("calc.quota", parse_amount, required=True),
            reader.parse("calc.share", parse_percent, required=True),
            reader.parse("calc.deal", parse_amount, required=True),
            reader.parse("calc.close", parse_percent, required=True),
        )
        self.result = None
        if None not in inputs:
            try:
                self.result = leads_needed(*inputs)
            except ValueError as exc:
                field = next(key for name, key in _GOAL_FIELDS.items() if str(exc).startswith(name))
                reader.errors[field] = str(exc)
        needed = self.result
        self.query_one("#calc-result", Static).update(
            "Fix the marked field to see the goal."
            if needed is None
            else f"Revenue goal   [b]{_money(needed.marketing_revenue_goal)}[/b] from marketing\n"
            f"Customers      [b]{needed.customers_needed:,}[/b]\n"
            f"Leads a month  [b]{needed.leads_needed:,}[/b]"
        )


class NinesHelper(LiveCalculator):
    """The guide's "be specific": an availability in nines → the downtime it allows."""

    def __init__(self) -> None:
        super().__init__({"calc.availability": "99.9"}, id="nines-helper")

    def compose(self) -> ComposeResult:
        yield Static("Availability → allowed downtime", classes="section-title")
        yield field_row("Availability (%)", self._input("calc.availability"))
        yield Static(id="calc-downtime", classes="result")

    def compute(self, reader: FieldReader) -> None:
        availability = reader.parse("calc.availability", parse_availability, required=True)
        down = None
        if availability is not None:
            try:
                down = allowed_downtime(availability)
            except ValueError as exc:
                reader.errors["calc.availability"] = str(exc)
        self.query_one("#calc-downtime", Static).update(
            "Fix the availability to see the downtime it allows."
            if down is None
            else f"{down.availability_pct:g} % allows\n"
            f"[b]{format_duration(down.seconds_per_year)}[/b] a year\n"
            f"[b]{format_duration(down.seconds_per_month)}[/b] a month\n"
            f"[b]{format_duration(down.seconds_per_week)}[/b] a week\n"
            f"[b]{format_duration(down.seconds_per_day)}[/b] a day"
        )


class CalculatorScreen(AppScreen):
    TITLE = "Calculator"
    # Digits typed into a field are numbers, not screen keys: start unfocused (tab enters the fields)
    # and let escape leave them, so 1-6 keep switching screens.
    AUTO_FOCUS = ""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave_field", "Leave field", id="calculator.leave_field"),
    ]

    def action_leave_field(self) -> None:
        self.set_focus(None)

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="screen-body"):
            yield GoalCalculator()
            yield NinesHelper()
        yield footer()


class CalculatorModal(FormScreen[int]):
    """The calculator over the agreement editor; ctrl+s hands the leads needed back as the lead goal."""

    FORM_TITLE = "Calculate the lead goal (ctrl+s uses the result as the agreement's lead goal)"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "save", "Use as lead goal", id="form.save")]

    def __init__(self, quota: float | None = None):
        super().__init__()
        self.quota = quota

    def compose_fields(self) -> ComposeResult:
        yield GoalCalculator({"calc.quota": f"{self.quota:g}"} if self.quota else None)

    def read_form(self) -> int:
        result = self.query_one(GoalCalculator).result
        if result is None:
            raise FormErrors({"": "the calculator needs valid numbers first"})
        return result.leads_needed
