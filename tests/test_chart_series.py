"""The series behind each chart: what slatui.charts is asked to draw matches slatui.metrics, on demo data."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import FROZEN_NOW

from slatui import charts, metrics
from slatui.store import Store
from slatui.tui.screens.charts import View, bucket_range, load_chart_data
from slatui.tui.widgets.agreement_card import daily_handoffs, failing, standing


class Recorder:
    """A stand-in plotext figure: records each call the draw functions make."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple, dict]] = []

    def __getattr__(self, name: str):
        return lambda *args, **kwargs: self.calls.append((name, args, kwargs))

    def called(self, name: str) -> list[tuple[tuple, dict]]:
        return [(args, kwargs) for called, args, kwargs in self.calls if called == name]

    def line(self, label: str) -> tuple:
        """(x, y) of the line whose legend label starts with `label`."""
        (args,) = [args for args, kwargs in self.called("plot") if kwargs["label"].startswith(label)]
        return args


def draw(function, *args) -> Recorder:
    recorder = Recorder()
    function(recorder, *args)
    return recorder


@pytest.fixture(scope="module")
def store(demo_template):
    with Store(demo_template) as store:
        yield store


@pytest.fixture(scope="module")
def agreements(store):
    return {a.name: a for a in store.list_agreements()}


@pytest.fixture(scope="module")
def internal(store, agreements):
    """The Madrid agreement (1 business hour target) this month, by week."""
    agreement = agreements["MQL to SQL handoff"]
    report, series = load_chart_data(store, agreement, View(agreement.id, (2026, 11), "week"), FROZEN_NOW)
    return agreement, report, series


def test_bucket_ranges_cover_the_month_or_the_six_months_ending_with_it():
    assert bucket_range(2026, 11, "day") == (date(2026, 11, 1), date(2026, 11, 30))
    assert bucket_range(2026, 11, "week") == (date(2026, 11, 1), date(2026, 11, 30))
    assert bucket_range(2026, 11, "month") == (date(2026, 6, 1), date(2026, 11, 30))
    assert bucket_range(2026, 2, "month") == (date(2025, 9, 1), date(2026, 2, 28))


def test_waterfall_goal_line_actual_today_and_projection(internal):
    _, report, _ = internal
    recorder = draw(charts.draw_cumulative, report)
    volume = report["volume"]
    goal_x, goal_y = recorder.line("goal")
    assert (goal_x[0], goal_x[-1], goal_y[-1]) == (1, 30, volume["goal"])
    assert goal_y[17] == pytest.approx(volume["goal"] * 18 / 30)  # g·d/n on the 18th
    actual_x, actual_y = recorder.line("actual")
    assert actual_x[-1] == 18 and actual_y[-1] == volume["actual"]
    assert recorder.called("vline")[0][0][0] == 18  # today marked
    assert recorder.line("projected") == ([18, 30], [volume["actual"], volume["projected"]])


def test_daily_handoffs_behind_the_dashboard_sparkline_add_up_to_the_month(internal):
    _, report, _ = internal
    daily = daily_handoffs(report)
    assert len(daily) == 18 and sum(daily) == report["volume"]["actual"]
    assert all(count >= 0 for count in daily)


@pytest.mark.parametrize("statistic", ["mean", "median", "p90"])
def test_speed_bars_are_the_series_in_minutes_against_a_one_hour_target(internal, statistic):
    _, _, series = internal
    recorder = draw(charts.draw_speed, series, "week", statistic)
    ((labels, values), _), = recorder.called("bar")
    assert labels == [charts.period_label(s["period"], "week") for s in series]
    key = charts.STATISTICS[statistic]
    assert values == [pytest.approx((s["speed"][key] or 0) / 60) for s in series]
    assert recorder.called("hline")[0][0][0] == 60
    assert recorder.called("ylabel")[0][0] == ("minutes",)


def test_speed_bars_switch_to_hours_for_a_24_hour_target(store, agreements):
    agreement = agreements["Revenue engine"]
    _, series = load_chart_data(store, agreement, View(agreement.id, (2026, 11), "month"), FROZEN_NOW)
    assert [s["period"] for s in series] == [f"2026-{m:02d}" for m in range(6, 12)]
    recorder = draw(charts.draw_speed, series, "month", "mean")
    ((_, values), _), = recorder.called("bar")
    assert values == [pytest.approx((s["speed"]["mean_seconds"] or 0) / 3600) for s in series]
    assert recorder.called("hline")[0][0][0] == 24
    assert recorder.called("ylabel")[0][0] == ("hours",)


def test_compliance_and_depth_bars_against_threshold_and_minimum(internal):
    agreement, _, series = internal
    compliance = draw(charts.draw_compliance, series, "week")
    ((_, values), _), = compliance.called("bar")
    assert values == [pytest.approx(100 * (s["speed"]["compliance"] or 0)) for s in series]
    assert compliance.called("hline")[0][0][0] == pytest.approx(100 * agreement.targets.compliance_threshold)

    depth = draw(charts.draw_depth, series, "week")
    ((_, values), _), = depth.called("bar")
    assert values == [s["depth"]["mean_attempts"] or 0 for s in series]
    assert depth.called("hline")[0][0][0] == agreement.targets.min_attempts
    worked = sum(s["depth"]["leads_worked"] for s in series)
    assert f"leads worked: {worked}" in depth.called("title")[0][0][0]


@pytest.mark.parametrize("bucket", ["day", "week"])
def test_day_and_week_buckets_add_up_to_the_months_volume(internal, store, bucket):
    agreement, report, _ = internal
    _, series = load_chart_data(store, agreement, View(agreement.id, (2026, 11), bucket), FROZEN_NOW)
    assert sum(s["leads"] for s in series) == report["volume"]["actual"]
    decided = sum(s["speed"]["met_count"] + s["speed"]["breached_count"] for s in series)
    assert decided == report["speed"]["met_count"] + report["speed"]["breached_count"]


def test_month_buckets_match_each_months_report(store, agreements):
    agreement = agreements["MQL to SQL handoff"]
    _, series = load_chart_data(store, agreement, View(agreement.id, (2026, 11), "month"), FROZEN_NOW)
    for bar in series:
        year, month = map(int, bar["period"].split("-"))
        report = metrics.month_report(store, agreement, year, month, FROZEN_NOW)
        assert bar["leads"] == report["volume"]["actual"]
        assert bar["speed"]["compliance"] == report["speed"]["compliance"]
        assert bar["depth"]["mean_attempts"] == report["depth"]["mean_attempts"]


def test_per_rep_bars_and_load_against_capacity(internal):
    _, report, _ = internal
    reps = report["reps"]
    compliance = draw(charts.draw_reps, reps, "compliance")
    ((names, values), _), = compliance.called("bar")
    assert names == [r["rep"]["name"].split(" ")[0] for r in reps]
    assert values == [pytest.approx(100 * (r["speed"]["compliance"] or 0)) for r in reps]
    load = draw(charts.draw_reps, reps, "load")
    ((_, (this_week, capacity)), _), = load.called("multiple_bar")
    assert this_week == [r["load_this_week"] for r in reps]
    assert capacity == [r["weekly_capacity"] for r in reps]


def test_a_card_is_in_trouble_once_cancellation_is_reached_at_risk_while_a_target_fails(internal):
    _, report, _ = internal
    assert report["cancellation_reached"] and standing(report) == "trouble"
    calm = {**report, "cancellation_reached": False}
    assert standing(calm) == "risk" and failing(calm) == ["leads", "speed", "depth"]
    fine = {**calm, "volume": {**report["volume"], "on_pace": True},
            "speed": {**report["speed"], "met": True}, "depth": {**report["depth"], "met": True}}
    assert standing(fine) == "ok" and failing(fine) == []
