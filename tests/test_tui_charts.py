"""Charts (5): keys change the agreement, month, buckets and statistic, and what is drawn; ctrl+e exports
(test_tui_snapshots.py has the pictures)."""

from __future__ import annotations

import pytest
from conftest import FROZEN_NOW

from slatui import metrics
from slatui.store import Store
from slatui.tui.screens.charts import CHARTS, ChartsScreen, bucket_range
from slatui.tui.widgets.chart_panel import ChartPanel


def header(screen: ChartsScreen) -> str:
    return str(screen.query_one("#charts-header").render())


def panel(screen: ChartsScreen, pane_id: str) -> ChartPanel:
    return screen.query_one(f"#chart-{pane_id}", ChartPanel)


def bar_heights(chart: ChartPanel) -> list[float]:
    """The heights of the bars drawn: what rises from 0 (plotext keeps a bar as a rectangle, a day's bar as a
    line); the target line is level above it."""
    return [max(ys) for ys in chart.plt.monitor.y if min(ys) == 0]


def values(series, group: str, key: str, scale: float = 1) -> list[float]:
    """The bars expected: one per period that has a value."""
    return [s[group][key] * scale for s in series if s[group][key] is not None]


def x_labels(chart: ChartPanel) -> set[str]:
    return set(chart.plt.monitor.xlabels[0])


def expected_series(db, name: str, period: tuple[int, int], bucket: str):
    with Store(db) as store:
        agreement = store.get_agreement(name)
        span = bucket_range(*period, bucket)
        return metrics.period_series(store, agreement, span.first, span.last, FROZEN_NOW, bucket)


async def press(pilot, settle, *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)


def test_keys_change_agreement_month_bucket_and_statistic(drive, demo_db, settle):
    weekly = expected_series(demo_db, "MQL to SQL handoff", (2026, 11), "week")
    monthly = expected_series(demo_db, "MQL to SQL handoff", (2026, 11), "month")
    daily_october = expected_series(demo_db, "MQL to SQL handoff", (2026, 10), "day")

    async def scenario(pilot):
        await press(pilot, settle, "5")
        screen = pilot.app.screen
        assert isinstance(screen, ChartsScreen)
        assert header(screen) == "MQL to SQL handoff (1/3) · 2026-11 · bars per week (p) · speed: mean (s)"
        assert panel(screen, "volume").border_title == "MQL to SQL handoff · leads 2026-11"
        speed = panel(screen, "speed")
        assert bar_heights(speed) == pytest.approx(values(weekly, "speed", "mean_seconds", 1 / 60))
        # Every week of the month has its place, with or without a bar.
        assert x_labels(speed) == {"w10-26", "w11-02", "w11-09", "w11-16", "w11-23", "w11-30"}

        await press(pilot, settle, "right_square_bracket")
        assert header(screen).startswith("Northwind customer SLA (2/3) · 2026-11")
        assert panel(screen, "volume").border_title == "Northwind customer SLA · leads 2026-11"
        await press(pilot, settle, "left_square_bracket", "left_square_bracket")
        assert header(screen).startswith("Revenue engine (3/3)")
        await press(pilot, settle, "right_square_bracket")
        assert header(screen).startswith("MQL to SQL handoff (1/3)")

        await press(pilot, settle, "left")
        assert "· 2026-10 ·" in header(screen)
        assert panel(screen, "volume").border_title == "MQL to SQL handoff · leads 2026-10"
        await press(pilot, settle, "right")
        assert "· 2026-11 ·" in header(screen)

        await press(pilot, settle, "p")
        assert "bars per month over 2026-06 to 2026-11" in header(screen)
        assert x_labels(speed) == {s["period"] for s in monthly} and len(monthly) == 6
        assert bar_heights(panel(screen, "compliance")) == pytest.approx(
            values(monthly, "speed", "compliance", 100))

        await press(pilot, settle, "s")
        assert header(screen).endswith("speed: median (s)")
        assert speed.border_title.startswith("Speed · median time to first attempt per month")
        assert bar_heights(speed) == pytest.approx(values(monthly, "speed", "median_seconds", 1 / 60))
        await press(pilot, settle, "s")
        assert header(screen).endswith("speed: p90 (s)")
        assert bar_heights(speed) == pytest.approx(values(monthly, "speed", "p90_seconds", 1 / 60))

        await press(pilot, settle, "p", "left")
        assert "· 2026-10 · bars per day (p)" in header(screen)
        assert bar_heights(panel(screen, "depth")) == pytest.approx(
            values(daily_october, "depth", "mean_attempts"))

        tabs = screen.query_one("#charts-tabs")
        assert tabs.active == "volume"
        for pane_id in list(CHARTS)[1:]:
            await press(pilot, settle, "c")
            assert tabs.active == pane_id
        await press(pilot, settle, "c")
        assert tabs.active == "volume"

    drive(demo_db, scenario)


def test_charts_are_built_in_threads_not_on_the_event_loop(drive, demo_db, settle, monkeypatch):
    """plotext's build (20-70 ms a chart at 120×40) runs in a worker; the event loop only draws the result."""
    import threading

    threads = []
    build = ChartPanel.build

    def spy(self, *args):
        threads.append(threading.current_thread() is threading.main_thread())
        return build(self, *args)

    monkeypatch.setattr(ChartPanel, "build", spy)

    async def scenario(pilot):
        await press(pilot, settle, "5")
        await press(pilot, settle, "c")  # the next chart: built for its size once shown
        await press(pilot, settle, "right")
        assert len(threads) >= 3 and not any(threads)
        speed = panel(pilot.app.screen, "speed")
        assert speed._chart is not None and "Speed" not in speed._chart[1].plain  # the title is on the border

    drive(demo_db, scenario)


def test_ctrl_e_writes_the_month_report_with_charts(drive, demo_db, settle, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    async def scenario(pilot):
        await press(pilot, settle, "5", "left", "ctrl+e")
        messages = [str(n.message) for n in pilot.app._notifications]
        assert f"Report written to {tmp_path / 'slatui-report-mql-to-sql-handoff-2026-10.md'}" in messages

    drive(demo_db, scenario)
    text = (tmp_path / "slatui-report-mql-to-sql-handoff-2026-10.md").read_text(encoding="utf-8")
    assert text.startswith("## MQL to SQL handoff — 2026-10\n")
    assert "| Leads handed off |" in text
    assert "```text" in text and "MQL to SQL handoff · leads 2026-10" in text


def test_scorecard_from_charts_follows_the_agreement_shown(drive, demo_db, settle):
    from slatui.tui.screens.scorecard import ScorecardScreen

    with Store(demo_db) as store:
        agreement = store.get_agreement("Northwind customer SLA")
        verdicts = metrics.month_verdicts(store, agreement, 2026, 11, FROZEN_NOW)

    async def scenario(pilot):
        await press(pilot, settle, "5", "right_square_bracket", "o")
        screen = pilot.app.screen
        assert isinstance(screen, ScorecardScreen)
        assert str(screen.query_one("#scorecard-header").render()).startswith("Northwind customer SLA (2/3)")
        table = screen.query_one("#scorecard")
        assert [key.value for key in table.rows] == [v["month"] for v in verdicts]
        assert str(table.get_row_at(len(verdicts) - 1)[0]) == "2026-11 (so far)"
        assert table.cursor_row == len(verdicts) - 1  # the month the charts showed
        await press(pilot, settle, "escape")
        assert isinstance(pilot.app.screen, ChartsScreen)
        # On another month of the charts, the scorecard opens on it (ctrl+e there exports that month): it
        # highlighted the latest.
        await press(pilot, settle, "left", "o")
        table = pilot.app.screen.query_one("#scorecard")
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == "2026-10"

    drive(demo_db, scenario)
