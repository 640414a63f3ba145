"""Charts (5): the guide's volume waterfall, speed, compliance and depth bars, and per-rep figures,
for one agreement and month chosen by keys.

The figures come from slatui.metrics in a thread worker and are drawn by slatui.charts, so the
screen, the exports and the CLI all show the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Header, Static, TabbedContent, TabPane, Tabs

from slatui import charts, metrics
from slatui.terms import Terms
from slatui.store import Store
from slatui.tui.widgets.cells import markup
from slatui.tui.widgets.chart_panel import ChartPanel
from slatui.tui.widgets.report_export import export_report
from slatui.tui.screens.base import AGREEMENT_KEYS, AppScreen, footer

BUCKETS = ("day", "week", "month")
STATISTICS = tuple(charts.STATISTICS)  # mean, median, p90
MONTH_KEYS = Binding.Group("Month", compact=True)
# Month bars look back this far, ending with the chosen month.
MONTH_BARS = 6


def bucket_range(year: int, month: int, bucket: str, start: date | None = None) -> charts.Span:
    """The days the bars cover: the chosen month for day and week bars, the last six months for month bars,
    from the agreement's `start` (metrics.history_start) when that is later and within them."""
    first_month = metrics.add_months(year, month, 1 - MONTH_BARS) if bucket == "month" else (year, month)
    first, last = metrics.month_bounds(*first_month)[0], metrics.month_bounds(year, month)[1]
    if start is not None and first < start <= last:
        first = start
    return charts.Span(first, last, bucket)


@dataclass(frozen=True)
class View:
    """What the screen shows; the first load settles None fields (the first agreement, this month in its zone)."""

    agreement_id: int | None = None
    period: tuple[int, int] | None = None
    bucket: str = "week"


@dataclass(frozen=True)
class ChartData:
    view: View
    agreement_ids: list[int]
    agreement_name: str
    report: dict[str, Any]  # metrics.month_report: the waterfall and the per-rep figures
    span: charts.Span  # the periods of the bar charts
    series: list[dict[str, Any]]  # metrics.period_series over the span: the bar charts


def load_chart_data(store: Store, agreement: Terms, view: View, as_of: datetime
                    ) -> tuple[dict, charts.Span, list]:
    year, month = view.period
    span = bucket_range(year, month, view.bucket, metrics.history_start(store, agreement))
    return (metrics.month_report(store, agreement, year, month, as_of), span,
            metrics.period_series(store, agreement, span.first, span.last, as_of, view.bucket))


Draw = Callable[[ChartData, str], tuple]

# Pane id -> (tab label, the draw function and its arguments from the data and the speed statistic).
CHARTS: dict[str, tuple[str, Draw]] = {
    "volume": ("Volume", lambda d, stat: (charts.draw_cumulative, d.report)),
    "speed": ("Speed", lambda d, stat: (charts.draw_speed, d.series, d.span, stat)),
    "compliance": ("Compliance", lambda d, stat: (charts.draw_compliance, d.series, d.span)),
    "depth": ("Depth", lambda d, stat: (charts.draw_depth, d.series, d.span)),
    "rep-speed": ("Reps: speed", lambda d, stat: (charts.draw_reps, d.report["reps"], "compliance", d.report["month"])),
    "rep-depth": ("Reps: depth", lambda d, stat: (charts.draw_reps, d.report["reps"], "depth", d.report["month"])),
    "rep-load": ("Reps: load", lambda d, stat: (charts.draw_reps, d.report["reps"], "load", d.report["month"])),
}


class ChartsScreen(AppScreen):
    TITLE = "Charts"
    # The keys belong to the screen: a focused tab bar would take left/right for itself.
    AUTO_FOCUS = ""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "next_chart", "Next chart", id="charts.next_chart"),
        Binding("left", "month(-1)", "Prev month", id="charts.prev_month", group=MONTH_KEYS),
        Binding("right", "month(1)", "Next month", id="charts.next_month", group=MONTH_KEYS),
        Binding("[", "agreement(-1)", "Prev agreement", id="charts.prev_agreement", group=AGREEMENT_KEYS),
        Binding("]", "agreement(1)", "Next agreement", id="charts.next_agreement", group=AGREEMENT_KEYS),
        Binding("p", "bucket", "Day/week/month", id="charts.bucket"),
        Binding("s", "statistic", "Mean/median/p90", id="charts.statistic"),
        Binding("o", "app.scorecard", "Scorecard", id="charts.scorecard"),
        Binding("ctrl+e", "export", "Export", id="charts.export"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view = View()  # the latest request; loads for older ones are dropped
        self.statistic = "mean"
        self.data: ChartData | None = None

    @property
    def agreement_id(self) -> int | None:
        """The agreement shown (the scorecard and the exports follow it)."""
        return self.view.agreement_id

    @property
    def month(self) -> str | None:
        """The month shown, YYYY-MM (the scorecard opens on it)."""
        return None if self.view.period is None else f"{self.view.period[0]:04d}-{self.view.period[1]:02d}"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="charts-header")
        with TabbedContent(id="charts-tabs"):
            for pane_id, (label, _) in CHARTS.items():
                with TabPane(label, id=pane_id):
                    yield ChartPanel(id=f"chart-{pane_id}")
        yield footer()

    def on_mount(self) -> None:
        self.query_one(Tabs).can_focus = False  # nor by a click

    def on_screen_resume(self) -> None:
        self._load(self.view)

    def on_data_changed(self) -> None:
        self._load(self.view)

    def select(self, agreement_id: int) -> None:
        """Show this agreement, keeping the month and bucket (the dashboard opens charts this way)."""
        self._request(replace(self.view, agreement_id=agreement_id))

    def _request(self, view: View) -> None:
        self.view = view
        self._load(view)

    # Not exclusive: a cancelled thread keeps running anyway; a load finds out itself that it is stale.
    @work(thread=True, group="charts-load")
    def _load(self, request: View) -> None:
        now = self.app.now()
        with self.app.data.store() as store:
            if request is not self.view:
                return
            agreements = store.list_terms()
            if not agreements:
                self.app.call_from_thread(self._show_nothing)
                return
            agreement = next((a for a in agreements if a.id == request.agreement_id), agreements[0])
            view = replace(request, agreement_id=agreement.id,
                           period=request.period or tuple(metrics.local_now(agreement, now).timetuple()[:2]))
            report, span, series = load_chart_data(store, agreement, view, now)
        data = ChartData(view, [a.id for a in agreements], agreement.name, report, span, series)
        self.app.call_from_thread(self._show, request, data)

    def _show(self, request: View, data: ChartData) -> None:
        if request is not self.view:
            return
        self.view, self.data = data.view, data
        for pane_id in CHARTS:
            self._draw(pane_id)
        self._update_header()

    def _draw(self, pane_id: str) -> None:
        _, draw = CHARTS[pane_id]
        self.query_one(f"#chart-{pane_id}", ChartPanel).show(*draw(self.data, self.statistic))

    def _show_nothing(self) -> None:
        self.data = None
        self.query_one("#charts-header", Static).update("No agreements yet: press 4, then n to write one.")

    def _update_header(self) -> None:
        data = self.data
        view = data.view
        position = f"{data.agreement_ids.index(view.agreement_id) + 1}/{len(data.agreement_ids)}"
        empty = "" if data.report["volume"]["actual"] or data.series else " · no leads handed off"
        month = f"{view.period[0]:04d}-{view.period[1]:02d}"
        over = "" if data.span.name == month else f" over {data.span.name}"
        self.query_one("#charts-header", Static).update(
            f"[b]{markup(data.agreement_name)}[/b] ({position}) · [b]{month}[/b] · bars per [b]{view.bucket}[/b]{over}"
            f" (p) · speed: [b]{self.statistic}[/b] (s){empty}"
        )

    # ---- keys -----------------------------------------------------------------------------------

    def action_agreement(self, step: int) -> None:
        if self.data is not None and self.view.agreement_id in (ids := self.data.agreement_ids):
            self.select(ids[(ids.index(self.view.agreement_id) + step) % len(ids)])

    def action_month(self, step: int) -> None:
        if self.view.period is not None:
            self._request(replace(self.view, period=metrics.add_months(*self.view.period, step)))

    def action_bucket(self) -> None:
        self._request(replace(self.view, bucket=BUCKETS[(BUCKETS.index(self.view.bucket) + 1) % len(BUCKETS)]))

    def action_statistic(self) -> None:
        self.statistic = STATISTICS[(STATISTICS.index(self.statistic) + 1) % len(STATISTICS)]
        if self.data is not None:
            self._draw("speed")
            self._update_header()

    def action_next_chart(self) -> None:
        tabs = self.query_one(TabbedContent)
        ids = list(CHARTS)
        tabs.active = ids[(ids.index(tabs.active) + 1) % len(ids)]

    def action_export(self) -> None:
        export_report(self, self.view.agreement_id, self.view.period)
