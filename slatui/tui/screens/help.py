"""The help modal (?): the keys of the current screen, then the app's, then the guide's facts and formulas."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar


from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Markdown, Static

from slatui.tui.screens.base import Viewer, footer

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


def keys_grid(bindings: list[BindingType], key_display: Callable[[Binding], str]) -> Content:
    """Key and what it does, one a line: denser than a Markdown table, so 80×24 shows a screen's keys."""
    rows = [(key_display(b), b.description) for b in Binding.make_bindings(bindings) if b.description]
    width = max((len(key) for key, _ in rows), default=0)
    # Content, not markup: keys such as [ and ] are text.
    return Content("\n").join(Content.assemble((key, "bold $accent"), " " * (width - len(key) + 2), does)
                               for key, does in rows)


class HelpScreen(Viewer, ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "close", "Close", id="help.close"),
        *Viewer.GO_BINDINGS,
    ]

    def __init__(self, below: Screen):
        super().__init__()
        self.below = below

    def compose(self) -> ComposeResult:
        display = self.app.get_key_display
        with Vertical(id="help-frame"):
            yield Static("Help", classes="screen-title")
            with VerticalScroll():
                # This screen's keys first (what the user came for), then the app's, then the guide's notes.
                here = [b for b in Binding.make_bindings(type(self.below).BINDINGS) if b.action != "app.help"]
                if here := keys_grid(here, display):
                    yield Static(f"Keys on {self.below.title or 'this screen'}", classes="section-title")
                    yield Static(here, classes="help-keys")
                yield Static("Keys everywhere", classes="section-title")
                yield Static(keys_grid(self.app.BINDINGS, display), classes="help-keys")
                yield Static("[b]ctrl+p[/b] opens the command palette: type go:, agreement:, lead:, attempt:, rep:, "
                             "app: or data:",
                             classes="help-keys")
                yield Markdown(GUIDE)
        yield footer()

    def action_close(self) -> None:
        self.dismiss(None)
