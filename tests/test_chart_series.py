"""The series behind each chart: what slatui.charts is asked to draw matches slatui.metrics, on demo data."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import FROZEN_NOW

from slatui import charts, metrics
from slatui.report import chart_text
from slatui.store import Store
from slatui.tui.screens.charts import View, bucket_range, load_chart_data
from slatui.display import short_of
from slatui.tui.widgets.agreement_card import daily_handoffs, standing


class Recorder:
    """A stand-in plotext figure: records each call the draw functions make."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple, dict]] = []

    def plotsize(self) -> tuple[int, int]:
        return 100, 24  # the figure's columns and rows

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
    report, _, series = load_chart_data(store, agreement, View(agreement.id, (2026, 11), "week"), FROZEN_NOW)
    return agreement, report, series


def test_bucket_ranges_cover_the_month_or_the_six_months_ending_with_it():
    def days(*args):
        span = bucket_range(*args)
        return span.first, span.last

    assert days(2026, 11, "day") == (date(2026, 11, 1), date(2026, 11, 30))
    assert days(2026, 11, "week") == (date(2026, 11, 1), date(2026, 11, 30))
    assert days(2026, 11, "month") == (date(2026, 6, 1), date(2026, 11, 30))
    assert days(2026, 2, "month") == (date(2025, 9, 1), date(2026, 2, 28))
    # They start where the agreement's data starts, when that is inside them.
    assert days(2026, 11, "month", date(2026, 8, 1)) == (date(2026, 8, 1), date(2026, 11, 30))
    assert days(2026, 11, "month", date(2025, 1, 1)) == (date(2026, 6, 1), date(2026, 11, 30))
    assert days(2026, 3, "week", date(2026, 8, 1)) == (date(2026, 3, 1), date(2026, 3, 31))


def test_a_span_has_a_place_for_every_period_and_a_name():
    assert charts.Span(date(2026, 11, 1), date(2026, 11, 30), "day").periods[::10] == [
        "2026-11-01", "2026-11-11", "2026-11-21"]
    weeks = charts.Span(date(2026, 11, 1), date(2026, 11, 30), "week")
    assert weeks.periods == ["2026-10-26", "2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23", "2026-11-30"]
    assert weeks.name == "2026-11"
    months = charts.Span(date(2025, 11, 1), date(2026, 2, 28), "month")
    assert months.periods == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert months.name == "2025-11 to 2026-02"
    assert charts.Span(date(2026, 11, 12), date(2026, 11, 30), "day").name == "2026-11-12 to 2026-11-30"


@pytest.mark.parametrize(("peak", "ticks"), [
    (127.1, [0, 50, 100, 150]), (120, [0, 25, 50, 75, 100, 125]), (100, [0, 20, 40, 60, 80, 100]),
    (7.3, [0, 2, 4, 6, 8]), (6, [0, 2, 4, 6]), (0.4, [0, 0.1, 0.2, 0.3, 0.4]), (0, [0, 0.2, 0.4, 0.6, 0.8, 1]),
    (1499, [0, 500, 1000, 1500]), (12, [0, 5, 10, 15]),
])
def test_y_axes_tick_on_round_values_from_zero(peak, ticks):
    assert charts.round_ticks(peak) == pytest.approx(ticks)


def y_ticks(recorder: Recorder) -> list[float]:
    ((ticks, labels), _), = recorder.called("yticks")
    assert labels == [f"{tick:g}" for tick in ticks]
    return ticks


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
    # Told apart by glyph, not only by colour.
    markers = [kwargs["marker"] for _, kwargs in recorder.called("plot")]
    assert len(set(markers)) == 3
    ticks = y_ticks(recorder)
    assert ticks[0] == 0 and ticks[-1] >= volume["projected"]
    # Above the top tick, a row for each of the 3 legend entries and one more: 19 rows of canvas in 24.
    (_, top), _ = recorder.called("ylim")[0]
    assert top == pytest.approx(ticks[-1] * 19 / 15)


def test_daily_handoffs_behind_the_dashboard_sparkline_add_up_to_the_month(internal):
    _, report, _ = internal
    daily = daily_handoffs(report)
    assert len(daily) == 18 and sum(daily) == report["volume"]["actual"]
    assert all(count >= 0 for count in daily)


def bars(recorder: Recorder, marker: str | None = None) -> dict[int, float]:
    """x place → height of the bars drawn (with `marker` only, if given)."""
    drawn = {}
    for (places, heights), kwargs in recorder.called("bar"):
        assert kwargs["width"] < 1  # a gap between neighbours
        if marker is None or kwargs["marker"] == marker:
            drawn.update(zip(places, heights))
    return dict(sorted(drawn.items()))


def target_line(recorder: Recorder, legend: str) -> float:
    """The level of the reference line, drawn after (over) the bars, with its legend."""
    names = [name for name, _, _ in recorder.calls]
    (x, (level, same)), = [args for args, kwargs in recorder.called("plot") if kwargs["label"].startswith(legend)]
    assert level == same and names.index("plot") > names.index("bar")
    xlim = recorder.called("xlim")[0][0]
    assert (x[0], x[-1]) == xlim  # across the whole plot
    return level


@pytest.mark.parametrize("statistic", ["mean", "median", "p90"])
def test_speed_bars_are_the_series_in_minutes_against_a_one_hour_target(internal, statistic):
    _, _, series = internal
    span = charts.Span(date(2026, 11, 1), date(2026, 11, 30), "week")
    recorder = draw(charts.draw_speed, series, span, statistic)
    key = charts.STATISTICS[statistic]
    by_place = {span.periods.index(s["period"]) + 1: s["speed"][key] / 60 for s in series if s["speed"][key]}
    assert bars(recorder) == pytest.approx(by_place)
    ((places, labels), _), = recorder.called("xticks")
    assert labels == [charts.period_label(p, "week") for p in span.periods] and places == [1, 2, 3, 4, 5, 6]
    assert target_line(recorder, "target 60 minutes") == 60
    assert recorder.called("ylabel")[0][0] == ("minutes",)
    assert y_ticks(recorder)[-1] >= max([*by_place.values(), 60])


def test_speed_bars_switch_to_hours_for_a_24_hour_target(store, agreements):
    agreement = agreements["Revenue engine"]
    _, span, series = load_chart_data(store, agreement, View(agreement.id, (2026, 11), "month"), FROZEN_NOW)
    assert [s["period"] for s in series] == span.periods == [f"2026-{m:02d}" for m in range(6, 12)]
    recorder = draw(charts.draw_speed, series, span, "mean")
    assert list(bars(recorder).values()) == pytest.approx([s["speed"]["mean_seconds"] / 3600 for s in series])
    assert target_line(recorder, "target 24 hours") == 24
    assert recorder.called("ylabel")[0][0] == ("hours",)


def test_month_bars_across_a_target_change_draw_the_latest_target_and_say_since_when(demo_db):
    """The line and legend showed the first month's target (1 hour) though the months viewed were judged
    against 2 hours."""
    with Store(demo_db) as store:  # a copy: the module's store is the session's template, shared
        agreement = store.get_agreement("MQL to SQL handoff")
        store.update_agreement(agreement.model_copy(update={"targets": agreement.targets.model_copy(
            update={"respond_within_seconds": 7200, "min_attempts": 4})}), effective="2026-10")
        _, span, series = load_chart_data(store, store.terms(agreement.id), View(agreement.id, (2026, 11), "month"),
                                          FROZEN_NOW)
    assert target_line(draw(charts.draw_speed, series, span, "mean"), "target 2 hours (from 2026-10)") == 2
    assert target_line(draw(charts.draw_depth, series, span), "minimum 4 (from 2026-10)") == 4
    unchanged = draw(charts.draw_compliance, series, span)
    assert target_line(unchanged, f"threshold {agreement.targets.compliance_threshold:.0%}") == pytest.approx(
        100 * agreement.targets.compliance_threshold)
    assert "from" not in [kwargs["label"] for _, kwargs in unchanged.called("plot")][0]


def test_compliance_tops_out_at_100_and_depth_bars_against_their_minimum(internal):
    agreement, _, series = internal
    span = charts.Span(date(2026, 11, 1), date(2026, 11, 30), "week")
    compliance = draw(charts.draw_compliance, series, span)
    decided = [100 * s["speed"]["compliance"] for s in series if s["speed"]["compliance"] is not None]
    assert list(bars(compliance).values()) == pytest.approx(decided)
    assert target_line(compliance, "threshold") == pytest.approx(100 * agreement.targets.compliance_threshold)
    assert y_ticks(compliance) == [0, 20, 40, 60, 80, 100]

    depth = draw(charts.draw_depth, series, span)
    assert list(bars(depth).values()) == [s["depth"]["mean_attempts"] for s in series
                                          if s["depth"]["mean_attempts"] is not None]
    assert target_line(depth, "minimum") == agreement.targets.min_attempts
    worked = sum(s["depth"]["leads_worked"] for s in series)
    assert f"leads worked: {worked}" in depth.called("title")[0][0][0]


def test_a_bar_short_of_its_floor_is_shaded_so_the_line_s_coarse_row_cannot_hide_the_verdict():
    """On 20 rows a 6.25 that met a minimum of 6 and a 5.9 that missed it ended in the same row, under the line:
    a met month looked missed."""
    span = charts.Span(date(2026, 7, 1), date(2026, 11, 30), "month")
    series = [{"period": p, "depth": {"mean_attempts": v, "min_attempts": 6, "leads_worked": 1}}
              for p, v in zip(span.periods, [5.0, 6.25, 6.0, 5.9, 7.0])]
    recorder = draw(charts.draw_depth, series, span)
    assert bars(recorder, charts.BAR_MARKER) == {2: 6.25, 3: 6.0, 5: 7.0}
    assert bars(recorder, charts.SHORT_MARKER) == {1: 5.0, 4: 5.9}
    legends = [kwargs["label"] for _, kwargs in recorder.called("bar") if kwargs["label"]]
    assert sorted(legends) == ["below the minimum", "mean attempts (unreached)"]
    text = chart_text_of(series, span)
    assert "▒▒ below the minimum" in text


def chart_text_of(series: list[dict], span: charts.Span) -> str:
    return charts.render_text(charts.draw_depth, series, span, width=80, height=22)


def test_one_week_is_a_bar_of_normal_width_in_the_middle(internal):
    _, _, series = internal
    week = charts.Span(date(2026, 11, 9), date(2026, 11, 15), "week")
    recorder = draw(charts.draw_speed, [s for s in series if s["period"] == "2026-11-09"], week)
    assert list(bars(recorder)) == [1]
    left, right = recorder.called("xlim")[0][0]
    assert right - left == charts.MIN_PLACES and (left + right) / 2 == 1


def test_the_days_of_a_month_in_progress_keep_their_places(internal, store):
    agreement, _, _ = internal
    span = charts.Span(date(2026, 11, 1), date(2026, 11, 30), "day")
    series = metrics.period_series(store, agreement, span.first, span.last, FROZEN_NOW, "day")
    recorder = draw(charts.draw_compliance, series, span)
    # Each day is a one-column bar at its day of the month; the 30 places span the whole axis.
    drawn = {x[0]: y[1] for (x, y), _ in recorder.called("plot") if x[0] == x[1]}
    assert set(drawn) <= set(range(1, 19)) and min(drawn) <= 3  # nothing after today, the 18th
    expected = {int(s["period"][8:]): 100 * s["speed"]["compliance"] for s in series
                if s["speed"]["compliance"] is not None}
    assert drawn == pytest.approx(expected)
    assert recorder.called("xlim")[0][0] == (0.5, 30.5)


def test_an_empty_chart_says_there_is_no_data():
    span = charts.Span(date(2027, 1, 1), date(2027, 1, 31), "week")
    for function, args in ((charts.draw_speed, ([], span)), (charts.draw_depth, ([], span)),
                           (charts.draw_reps, ([], "compliance", "2027-01"))):
        recorder = draw(function, *args)
        assert recorder.called("text")[0][0][0] == "no data for 2027-01"
        assert not recorder.called("bar")


def test_per_rep_bars_and_load_against_capacity(internal):
    _, report, _ = internal
    reps = report["reps"]
    compliance = draw(charts.draw_reps, reps, "compliance", "2026-11")
    ((_, names), _), = compliance.called("xticks")
    assert names == [r["rep"]["name"].split(" ")[0] for r in reps]
    assert list(bars(compliance).values()) == pytest.approx([100 * r["speed"]["compliance"] for r in reps])
    load = draw(charts.draw_reps, reps, "load", "2026-11")
    assert list(bars(load).values()) == [r["load_this_week"] for r in reps]
    # Each rep's capacity is a short line over its own bar.
    marks = [args for args, kwargs in load.called("plot")]
    assert [level for _, (level, _) in marks] == [r["weekly_capacity"] for r in reps]
    assert all(x0 < place < x1 for place, ((x0, x1), _) in enumerate(marks, 1))


def test_exported_charts_read_without_colour(internal):
    _, report, series = internal
    text = chart_text(report, series)
    assert "\x1b" not in text
    # Goal and actual lines, bars and the target line each have their own glyph, named in the legends.
    for legend in ("⢕⢕ goal", "▞▞ actual", "•• projected", "██ % in time", "── threshold 85%", "── minimum 6"):
        assert legend in text


@pytest.mark.parametrize("bucket", ["day", "week"])
def test_day_and_week_buckets_add_up_to_the_months_volume(internal, store, bucket):
    agreement, report, _ = internal
    _, _, series = load_chart_data(store, agreement, View(agreement.id, (2026, 11), bucket), FROZEN_NOW)
    assert sum(s["leads"] for s in series) == report["volume"]["actual"]
    decided = sum(s["speed"]["met_count"] + s["speed"]["breached_count"] for s in series)
    assert decided == report["speed"]["met_count"] + report["speed"]["breached_count"]


def test_month_buckets_match_each_months_report(store, agreements):
    agreement = agreements["MQL to SQL handoff"]
    _, _, series = load_chart_data(store, agreement, View(agreement.id, (2026, 11), "month"), FROZEN_NOW)
    for bar in series:
        year, month = map(int, bar["period"].split("-"))
        report = metrics.month_report(store, agreement, year, month, FROZEN_NOW)
        assert bar["leads"] == report["volume"]["actual"]
        assert bar["speed"]["compliance"] == report["speed"]["compliance"]
        assert bar["depth"]["mean_attempts"] == report["depth"]["mean_attempts"]


def test_a_card_is_in_trouble_once_cancellation_is_reached_behind_while_a_target_fails(internal):
    _, report, _ = internal
    assert report["month_status"] == "in_progress"
    assert report["cancellation_reached"] and standing(report) == "trouble"
    calm = {**report, "cancellation_reached": False}
    assert standing(calm) == "risk" and short_of(calm) == ["leads", "speed", "depth"]
    fine = {**calm, "volume": {**report["volume"], "on_pace": True},
            "speed": {**report["speed"], "met": True}, "depth": {**report["depth"], "met": True}}
    assert standing(fine) == "ok" and short_of(fine) == []
    # Before the first lead: no data, whatever the figures say; once judged, a month short of pace is not missed.
    assert standing({**calm, "month_status": "not_tracked"}) == "idle"
    judged = {**fine, "month_status": "missed", "volume": {**fine["volume"], "met": False}}
    assert short_of(judged) == ["leads"] and standing(judged) == "risk"
