"""The six attempt outcomes as a list picked with the arrows or each outcome's initial letter."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from slatui.models import OUTCOMES

# n(o answer), v(oicemail), e(mail sent), c(onnected), m(eeting booked), d(isqualified).
OUTCOME_KEYS = {outcome[0]: outcome for outcome in OUTCOMES}
assert len(OUTCOME_KEYS) == len(OUTCOMES), "outcome initials must differ"


def outcome_label(outcome: str) -> str:
    return outcome.replace("_", " ")


class OutcomeList(OptionList):
    """Bound to the list itself, so the letters only pick while it has focus and still type in inputs."""

    DEFAULT_CSS = """
    OutcomeList {
        height: auto;
    }
    """
    BINDINGS = [
        Binding(key, f"pick('{outcome}')", outcome_label(outcome), show=False, id=f"outcome.{outcome}")
        for key, outcome in OUTCOME_KEYS.items()
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(*(Option(self._prompt(o), id=o) for o in OUTCOMES), id=id)
        # OptionList highlights its first option; an outcome must be picked, never saved by default.
        self.highlighted = None

    @staticmethod
    def _prompt(outcome: str) -> Text:
        label = outcome_label(outcome)
        return Text.assemble((label[0], "bold underline"), label[1:])

    @property
    def outcome(self) -> str | None:
        option = self.highlighted_option
        return option.id if option is not None else None

    def action_pick(self, outcome: str) -> None:
        self.highlighted = self.get_option_index(outcome)
