"""Dashboard (1): active agreements at a glance; the full dashboard comes with its own issue."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from slatui.tui.screens.agreements import AgreementTable, load_rows

COMING = (
    "Coming here: for each active agreement, this month's volume against the goal line, speed "
    "compliance and depth against their targets, the next breaches in the queue and the months "
    "missed in a row. Press 2 for the queue, 4 to edit agreements, ? for help."
)


class DashboardScreen(Screen[None]):
    TITLE = "Dashboard"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Active agreements", classes="section-title")
        yield AgreementTable(id="dashboard-agreements")
        yield Static(COMING, classes="hint")
        yield Footer()

    def on_screen_resume(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="dashboard-load")
    def load(self) -> None:
        rows = load_rows(self.app, status="active")
        self.app.call_from_thread(self.query_one(AgreementTable).show, rows)
