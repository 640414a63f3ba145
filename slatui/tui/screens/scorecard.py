"""Scorecard: every month of an agreement's life against each target, met or missed (metrics.month_verdicts)."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Header, Static

from slatui import metrics
from slatui.display import number, percent, share
from slatui.tui.widgets import cells
from slatui.tui.widgets.report_export import export_report
from slatui.tui.screens.base import AGREEMENT_KEYS, AppScreen, Viewer, footer

# Fixed widths that fit 80 columns.
COLUMNS = (("Month", 16), ("Leads/goal", 12), ("In time/threshold", 17), ("Attempts/min", 14), ("Verdict", 9))


def _cell(text: str, met: bool, running: bool = False) -> Text:
    # A month in progress is never missed: behind its pace shows as such, in yellow, without a cross.
    if running:
        return Text(f"{'·' if met else '!'} {text}", style="green" if met else "yellow")
    return Text(f"{'✓' if met else '✗'} {text}", style="green" if met else "bold red")


def verdict_cells(verdict: dict[str, Any]) -> tuple[Text, ...]:
    """One month's row: each target's figure (by the terms in force that month) with ✓/✗, and its verdict."""
    volume, speed, depth = verdict["volume"], verdict["speed"], verdict["depth"]
    running = verdict["month_status"] == "in_progress"
    return (
        Text(verdict["month"] + (" (so far)" if running else "")),
        _cell(f"{volume['actual']}/{volume['goal']}", volume["on_pace"] if running else volume["met"], running),
        _cell("—" if speed["compliance"] is None
              else f"{percent(speed['compliance'], speed['threshold'])} of {share(speed['threshold'])}",
              speed["met"], running),
        _cell("—" if depth["mean_attempts"] is None
              else f"{number(depth['mean_attempts'], depth['min_attempts'], 1)} of {depth['min_attempts']}",
              depth["met"], running),
        _cell(("on track" if verdict["on_track"] else "behind") if running
              else "met" if verdict["month_met"] else "missed",
              verdict["on_track"] if running else verdict["month_met"], running),
    )


class ScorecardScreen(Viewer, AppScreen):
    TITLE = "Scorecard"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "app.pop_screen", "Back", id="scorecard.close"),
        Binding("[", "agreement(-1)", "Prev agreement", id="scorecard.prev_agreement", group=AGREEMENT_KEYS),
        Binding("]", "agreement(1)", "Next agreement", id="scorecard.next_agreement", group=AGREEMENT_KEYS),
        Binding("ctrl+e", "export", "Export month", id="scorecard.export"),
    ]

    def __init__(self, agreement_id: int | None = None, month: str | None = None):
        """`month` (YYYY-MM): the row highlighted first (that of the charts it was opened from), else the latest."""
        super().__init__()
        self.agreement_id = agreement_id
        self.agreement_ids: list[int] = []
        self.month = month

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="scorecard-header")
        yield DataTable(id="scorecard", cursor_type="row", zebra_stripes=True)
        yield Static("✓ met  ✗ missed · so far: · on track  ! behind (a month is judged once it ends) · ctrl+e "
                     "exports the highlighted month", id="scorecard-legend")
        yield footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, width in COLUMNS:
            table.add_column(label, width=width)
        self._load(self.agreement_id)

    def on_data_changed(self) -> None:
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
            "id": agreement.id, "name": agreement.name, "miss_limit": agreement.miss_limit,
            "missed": metrics.consecutive_missed(verdicts),
            "ids": [a.id for a in agreements],
            # Months from the agreement's start to its first lead are not tracked: no data, not missed.
            "start": agreement.effective_from and f"{agreement.effective_from:%Y-%m}",
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
            table.add_row(*verdict_cells(verdict), key=verdict["month"])
        months = [verdict["month"] for verdict in verdicts]
        table.move_cursor(row=months.index(self.month) if self.month in months else len(verdicts) - 1)
        title = f"[b]{cells.markup(card['name'])}[/b] ({card['ids'].index(card['id']) + 1}/{len(card['ids'])})"
        if not verdicts:
            header.update(f"{title} · no data yet: no lead handed off, so no month is judged")
            return
        judged = [v for v in verdicts if v["month_status"] != "in_progress"]
        met = sum(v["month_met"] for v in judged)
        reached = " · [$error b]cancellation condition reached[/]" if card["missed"] >= card["miss_limit"] else ""
        untracked = (f" · no data before {verdicts[0]['month']} (start {card['start']})"
                     if card["start"] and card["start"] < verdicts[0]["month"] else "")
        header.update(f"{title} · {len(judged)} months judged: {met} met, {len(judged) - met} missed · "
                      f"missed in a row: [b]{card['missed']}[/b] of {card['miss_limit']}{reached}{untracked}")

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
