"""Charts (5): a placeholder until the charts issue draws them."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Markdown

COMING = """\
# Charts are coming

This screen will draw, for the selected agreement and month, in the terminal:

- **Marketing — volume waterfall**: the goal line cumulated day by day (goal ÷ days in the month
  each day) against the leads actually handed off.
- **Sales — speed**: average business time from handoff to first attempt per day, week or month,
  against the agreement's response target.
- **Sales — depth**: for leads not yet reached, the average number of attempts against the
  minimum, with the number of leads worked.

Until then: `slatui report --format md` writes these charts to a file.
"""


class ChartsScreen(Screen[None]):
    TITLE = "Charts"

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(classes="screen-body"):
            yield Markdown(COMING)
        yield Footer()
