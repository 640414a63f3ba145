"""Scorecard: every month of an agreement's life against each target, met or missed (metrics.month_verdicts)."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from slatui import metrics
from slatui.tui.widgets.report_export import export_report

# Fixed widths that fit 80 columns.
COLUMNS = (("Month", 16), ("Leads/goal", 12), ("In time/threshold", 17), ("Attempts/min", 14), ("Verdict", 9))


def _cell(text: str, met: bool) -> Text:
    return Text(f"{'✓' if met else '✗'} {text}", style="green" if met else "bold red")


def verdict_cells(verdict: dict[str, Any], card: dict[str, Any]) -> tuple[Text, ...]:
    """One month's row: each target's figure with ✓/✗, and the month's verdict."""
    speed, depth = verdict["speed"], verdict["depth"]
    month = verdict["month"] + (" (so far)" if verdict["month"] == card["current"] else "")
    return (
        Text(month),
        _cell(f"{verdict['volume']['actual']}/{verdict['volume']['goal']}", verdict["volume"]["met"]),
        _cell("—" if speed["compliance"] is None else f"{speed['compliance']:.0%} of {card['threshold']:.0%}",
              speed["met"]),
        _cell("—" if depth["mean_attempts"] is None else f"{depth['mean_attempts']:.1f} of {card['min_attempts']}",
              depth["met"]),
        _cell("met" if verdict["month_met"] else "missed", verdict["month_met"]),
    )


class ScorecardScreen(Screen[None]):
    TITLE = "Scorecard"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "app.pop_screen", "Back", id="scorecard.close"),
        Binding("[", "agreement(-1)", "Prev agreement", id="scorecard.prev_agreement"),
        Binding("]", "agreement(1)", "Next agreement", id="scorecard.next_agreement"),
        Binding("ctrl+e", "export", "Export month", id="scorecard.export"),
    ]

    def __init__(self, agreement_id: int | None = None):
        super().__init__()
        self.agreement_id = agreement_id
        self.agreement_ids: list[int] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="scorecard-header")
        yield DataTable(id="scorecard", cursor_type="row", zebra_stripes=True)
        yield Static("✓ met  ✗ missed · the month in progress shows its figures so far · ctrl+e exports the "
                     "highlighted month's report", id="scorecard-legend")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, width in COLUMNS:
            table.add_column(label, width=width)
        self._load(self.agreement_id)

    @work(thread=True, group="scorecard-load")
    def _load(self, agreement_id: int | None) -> None:
        now = self.app.now()
        with self.app.data.store() as store:
            agreements = store.list_terms()
            agreement = next((a for a in agreements if a.id == agreement_id), agreements[0] if agreements else None)
            if agreement is None:
                self.app.call_from_thread(self._show, None, [])
                return
            year, month = metrics.local_now(agreement, now).timetuple()[:2]
            verdicts = metrics.month_verdicts(store, agreement, year, month, now)
        card = {
            "id": agreement.id, "name": agreement.name, "current": f"{year:04d}-{month:02d}",
            "threshold": agreement.compliance_threshold, "min_attempts": agreement.min_attempts,
            "miss_limit": agreement.miss_limit, "missed": metrics.consecutive_missed(verdicts),
            "ids": [a.id for a in agreements],
        }
        self.app.call_from_thread(self._show, card, verdicts)

    def _show(self, card: dict[str, Any] | None, verdicts: list[dict[str, Any]]) -> None:
        header = self.query_one("#scorecard-header", Static)
        table = self.query_one(DataTable)
        table.clear()
        if card is None:
            header.update("No agreements yet: press 4, then n to write one.")
            return
        self.agreement_id, self.agreement_ids = card["id"], card["ids"]
        for verdict in verdicts:
            table.add_row(*verdict_cells(verdict, card), key=verdict["month"])
        table.move_cursor(row=len(verdicts) - 1)  # the latest month
        title = f"[b]{escape(card['name'])}[/b] ({card['ids'].index(card['id']) + 1}/{len(card['ids'])})"
        if not verdicts:
            header.update(f"{title} · no months to judge yet: no start date and no leads")
            return
        met = sum(v["month_met"] for v in verdicts)
        reached = " · [$error b]cancellation condition reached[/]" if card["missed"] >= card["miss_limit"] else ""
        header.update(f"{title} · {len(verdicts)} months: {met} met, {len(verdicts) - met} missed · "
                      f"missed in a row: [b]{card['missed']}[/b] of {card['miss_limit']}{reached}")

    def action_agreement(self, step: int) -> None:
        if self.agreement_id in (ids := self.agreement_ids):
            self._load(ids[(ids.index(self.agreement_id) + step) % len(ids)])

    def action_export(self) -> None:
        table = self.query_one(DataTable)
        period = None
        if table.row_count:
            year, month = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value.split("-")
            period = (int(year), int(month))
        export_report(self, self.agreement_id, period)
