"""The help modal (?): the keys of the current screen, then the app's, then the guide's facts and formulas."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Markdown, Static
from slatui.tui.screens.base import footer

GUIDE = """\
## Why the agreement asks for speed and depth

- Reps who follow up a lead **within an hour** are nearly **7× more likely** to have a
  meaningful conversation with a decision maker.
- The RevOps target is **contact within 24 hours** of the handoff.
- Depth: about **six attempts** before giving up on a lead you have not reached, bounded by
  each rep's bandwidth (leads per rep against their weekly capacity).

Response time is counted in **business time** on the agreement's calendar (its zone, working
hours and holidays), so a lead handed off on Friday evening is not late on Saturday.

## The goal calculator (6)

| step | formula |
|---|---|
| revenue goal | sales quota × share of revenue from marketing leads |
| customers needed | revenue goal ÷ average deal size |
| leads needed | customers needed ÷ lead-to-customer close rate |

The guide's example: a quota of **$5,000** a month, **100 %** of it from marketing leads,
**$100** deals and a **50 %** close rate → 50 customers → **100 leads a month**.

Be specific about availability: 99.999 % allows about 5 minutes of downtime a year.
"""


def keys_table(bindings: list[BindingType], key_display) -> str:
    rows = [
        f"| `{key_display(b)}` | {b.description} |"
        for b in Binding.make_bindings(bindings)
        if b.description
    ]
    return "\n".join(["| key | does |", "|---|---|", *rows]) if rows else ""


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "close", "Close", id="help.close"),
    ]

    def __init__(self, below: Screen):
        super().__init__()
        self.below = below

    def compose(self) -> ComposeResult:
        display = self.app.get_key_display
        # This screen's keys first (what the user came for), then the app's, then the guide's notes.
        here = keys_table(type(self.below).BINDINGS, display)
        keys = f"## Keys on {self.below.title or 'this screen'}\n\n{here}\n\n" if here else ""
        keys += f"## Keys everywhere\n\n{keys_table(self.app.BINDINGS, display)}\n\n"
        keys += "`ctrl+p` opens the command palette: type `go:`, `agreement:`, `lead:`, `app:` or `data:`.\n\n"
        with Vertical(id="help-frame"):
            yield Static("Help", classes="screen-title")
            with VerticalScroll():
                yield Markdown(keys + GUIDE)
        yield footer()

    def action_close(self) -> None:
        self.dismiss(None)
