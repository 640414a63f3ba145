"""Dashboard (1): a card per active agreement this month, the one in trouble marked red, and the queue."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical
from textual.widgets import Header, Static

from slatui.tui.widgets import cells
from slatui.tui.widgets.agreement_card import AgreementCard, card_data, standing
from slatui.tui.widgets.report_export import export_report
from slatui.tui.screens.base import AppScreen, footer

Card = tuple[int, dict[str, Any]]  # (agreement id, card_data)


def summary_line(cards: list[Card], as_of: str) -> str:
    if not cards:
        return "No active agreements: press 4 to write one (or set one active), or ctrl+p → data: load demo."
    trouble = sum(standing(data["report"]) == "trouble" for _, data in cards)
    breached = sum(data["breached"] for _, data in cards)
    due = sum(data["due"] for _, data in cards)
    return (f"{len(cards)} active agreement{'s' * (len(cards) != 1)} · [b]{trouble} in trouble[/b] · "
            f"[@click=app.go('queue')]queue[/]: [b]{breached} overdue / {due} due within the hour[/b] · as of {as_of}")


class DashboardScreen(AppScreen):
    TITLE = "Dashboard"
    # The cards' grid gets as many columns as fit (see charts.tcss).
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (76, "-medium"), (116, "-wide")]
    REFRESH_SECONDS = 60
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "charts", "Charts", id="dashboard.charts"),
        Binding("s", "app.scorecard", "Scorecard", id="dashboard.scorecard"),
        Binding("ctrl+e", "export", "Export", id="dashboard.export"),
        Binding("r", "reload", "Refresh", id="dashboard.refresh"),
        Binding("right,down", "app.focus_next", "Next card", id="dashboard.next", show=False),
        Binding("left,up", "app.focus_previous", "Previous card", id="dashboard.previous", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="dashboard-summary")
        # Not a VerticalScroll: its up/down keys would scroll instead of moving between the cards.
        with Vertical(id="dashboard-scroll"):
            yield Grid(id="dashboard-cards")
        yield footer()

    def on_mount(self) -> None:
        # Breaches happen with the clock: counts are refreshed while the screen is shown.
        self._refresh_timer = self.set_interval(self.REFRESH_SECONDS, self.action_reload, pause=True)

    def on_screen_resume(self) -> None:
        self.action_reload()
        self._refresh_timer.resume()

    def on_screen_suspend(self) -> None:
        self._refresh_timer.pause()

    def on_data_changed(self) -> None:
        self.action_reload()

    @property
    def card(self) -> AgreementCard | None:
        """The focused card, else the first."""
        if isinstance(self.focused, AgreementCard):
            return self.focused
        cards = self.query(AgreementCard)
        return cards.first() if cards else None

    @property
    def agreement_id(self) -> int | None:
        """The selected agreement (the scorecard and the exports follow it)."""
        return self.card.agreement_id if self.card else None

    def action_reload(self) -> None:
        self._load()

    @work(thread=True, group="dashboard-load")
    def _load(self) -> None:
        now = self.app.now()
        with self.app.data.store() as store:
            active = store.list_terms(status="active")
            cards = [(a.id, card_data(store, a, now)) for a in active]
        self.app.call_from_thread(self._show, cards, cells.clock(now, [a.tz for a in active]))

    async def _show(self, cards: list[Card], as_of: str) -> None:
        if not self.is_current:  # mounting cards off screen is wasted work: resuming reloads them
            return
        selected = self.agreement_id if isinstance(self.focused, AgreementCard) else None
        grid = self.query_one("#dashboard-cards", Grid)
        await grid.remove_children()
        await grid.mount_all(AgreementCard(agreement_id, data) for agreement_id, data in cards)
        self.query_one("#dashboard-summary", Static).update(summary_line(cards, as_of))
        shown = list(self.query(AgreementCard))
        # Keep the selection across refreshes; start on the first card.
        chosen = next((card for card in shown if card.agreement_id == selected), shown[0] if shown else None)
        if chosen is not None:
            chosen.focus()

    async def action_charts(self) -> None:
        if (card := self.card) is not None:
            await self.app.switch_mode("charts")
            self.app.screen.select(card.agreement_id)

    def action_export(self) -> None:
        card = self.card
        export_report(self, card and card.agreement_id, card and card.period)
