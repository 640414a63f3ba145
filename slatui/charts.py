"""plotext drawing of the guide's charts, shared by the TUI (textual-plotext's `plt`) and exports.

Every `draw_*` function takes a plotext figure (`PlotextPlot.plt` in the app, a fresh
`_figure_class()` for exports) and the plain data from slatui.metrics, and only draws: callers
clear the figure first and refresh afterwards (textual-plotext's replot pattern).

How the charts read: y axes start at 0 and tick on round numbers; each period of the span has its
own place on the x axis, so a span of one week draws one bar of normal width and the days of a
month in progress sit where they fall; the target is a line drawn over the bars, in the legend; a
span without data says so; and the lines differ by glyph, not only colour (exports are plain text).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from collections.abc import Callable
from typing import Any

from slatui.text import printable

GOAL_COLOR = "orange"
ACTUAL_COLOR = "cyan"
TARGET_COLOR = "red"
TODAY_COLOR = "gray"
BAR_COLOR = "blue+"
SECOND_COLOR = "green"

# Glyphs that tell the lines apart without colour: a thin dotted goal, a thick actual, bullets ahead.
GOAL_MARKER = "braille"
ACTUAL_MARKER = "hd"
PROJECTED_MARKER = "dot"
TARGET_MARKER = "─"
BAR_MARKER = "█"
# A bar short of its threshold or minimum: the line's row is coarse (a 6.25 that met 6 and a 5.9 that missed it
# end in the same row), so the verdict is in the glyph.
SHORT_MARKER = "▒"

# Compliance is a share: its axis tops out at 100 %.
PERCENT_TICKS = [0, 20, 40, 60, 80, 100]

STATISTICS = {"mean": "mean_seconds", "median": "median_seconds", "p90": "p90_seconds"}

# Fewer periods than this are centred among this many places: one week or month is a normal bar.
MIN_PLACES = 5
# Up to this many places, bars are plotext bars this wide (a share of their place); more (the days of a
# month) are drawn one column wide each, which keeps a gap between neighbours even at 80 columns.
WIDE_BARS_MAX = 12
BAR_WIDTH = 0.6
# Rows of a figure that are not the plot's canvas: its frame, tick labels, axis labels and title.
FIGURE_ROWS = 5
# Above the highest tick, room for the legend (a row each, and one more); when the figure's height is not
# known, this share of the canvas.
HEADROOM = 1.3


@dataclass(frozen=True)
class Span:
    """The periods (day, ISO week or month, in the agreement's zone) a bar chart covers, first to last day."""

    first: date
    last: date
    bucket: str

    @property
    def periods(self) -> list[str]:
        """One key per place on the x axis, as metrics.period_series names its rows."""
        if self.first > self.last:
            return []
        if self.bucket == "day":
            return [(self.first + timedelta(days=n)).isoformat() for n in range((self.last - self.first).days + 1)]
        if self.bucket == "week":
            monday = self.first - timedelta(days=self.first.weekday())
            return [(monday + timedelta(weeks=n)).isoformat()
                    for n in range((self.last - monday).days // 7 + 1)]
        months = (self.last.year - self.first.year) * 12 + self.last.month - self.first.month
        return [f"{self.first.year + (self.first.month - 1 + n) // 12:04d}-{(self.first.month - 1 + n) % 12 + 1:02d}"
                for n in range(months + 1)]

    @property
    def name(self) -> str:
        """2026-11, 2026-06 to 2026-11, or 2026-11-12 to 2026-11-30 for part of a month."""
        whole_months = self.first.day == 1 and (self.last + timedelta(days=1)).day == 1
        if not whole_months:
            return f"{self.first} to {self.last}"
        start, end = f"{self.first:%Y-%m}", f"{self.last:%Y-%m}"
        return start if start == end else f"{start} to {end}"


def time_unit(target_seconds: float) -> tuple[str, float]:
    """Hours for targets of two hours or more, minutes below: bars stay readable either way."""
    return ("hours", 3600.0) if target_seconds >= 7200 else ("minutes", 60.0)


def period_label(period: str, bucket: str) -> str:
    """Short axis labels: 03-14 for a day, w03-09 for the week starting 9 March, 2026-03 for a month."""
    if bucket == "day":
        return period[5:]
    if bucket == "week":
        return "w" + period[5:]
    return period


def round_ticks(peak: float) -> list[float]:
    """Ticks from 0 on a round step (1, 2 or 5 × 10ⁿ, or 25 × 10ⁿ from 25 up: never 2.5 attempts), at most
    six of them, the last at or above `peak`."""
    peak = peak if peak > 0 else 1
    magnitude = 10 ** math.floor(math.log10(peak / 5))
    steps = (1, 2, 2.5, 5, 10) if magnitude >= 10 else (1, 2, 5, 10)
    step = next(m * magnitude for m in steps if m * magnitude >= peak / 5)
    return [n * step for n in range(math.ceil(peak / step - 1e-9) + 1)]


def _y_axis(plt: Any, ticks: list[float], legend: int) -> None:
    """Round ticks from 0, with the `legend`'s entries above the highest one, clear of the data."""
    _, height = plt.plotsize()
    canvas = (height or 0) - FIGURE_ROWS
    headroom = canvas / (canvas - legend - 1) if canvas > 2 * (legend + 1) else HEADROOM
    plt.ylim(0, ticks[-1] * headroom)
    plt.yticks(ticks, [f"{tick:g}" for tick in ticks])


def _no_data(plt: Any, what: str) -> None:
    plt.ylabel("")
    plt.xlim(0, 1)
    plt.ylim(0, 1)
    plt.xticks([])
    plt.yticks([])
    plt.text(f"no data for {what}", 0.5, 0.5, alignment="center")


def draw_cumulative(plt: Any, report: dict[str, Any]) -> None:
    """The guide's waterfall: goal line g*d/n and actual cumulative leads, today and projection."""
    rows = report["cumulative"]
    days = list(range(1, len(rows) + 1))
    goal = report["volume"]["goal"]
    # Names are data: printable, so none reads as the ANSI styling the chart's text is parsed back from.
    plt.title(f"{printable(report['agreement']['name'])} · leads {report['month']}")
    plt.plot(days, [r["goal"] for r in rows], label=f"goal ({goal}/month)", color=GOAL_COLOR, marker=GOAL_MARKER)
    actual = [(d, r["actual"]) for d, r in zip(days, rows) if r["actual"] is not None]
    peak, legend = goal, 1
    if actual:
        today, so_far = actual[-1]
        plt.plot([d for d, _ in actual], [a for _, a in actual], label="actual", color=ACTUAL_COLOR,
                 marker=ACTUAL_MARKER)
        peak, legend = max(peak, so_far), 2
        if today < len(rows):
            plt.vline(today, TODAY_COLOR)
            projected = report["volume"]["projected"]
            plt.plot([today, len(rows)], [so_far, projected], label=f"projected {projected:.0f}",
                     color=ACTUAL_COLOR, marker=PROJECTED_MARKER)
            peak, legend = max(peak, projected), 3
    else:
        plt.text(f"no data for {report['month']} yet", (1 + len(rows)) / 2, goal / 2, alignment="center")
    plt.xlabel("day of month")
    plt.ylabel("leads (cumulative)")
    plt.xlim(1, len(rows))
    plt.xticks([1, 8, 15, 22, len(rows)])
    _y_axis(plt, round_ticks(peak), legend)


def _by_period(span: Span, series: list[dict[str, Any]], value: Callable[[dict[str, Any]], float | None]
               ) -> tuple[list[str], list[float | None]]:
    """Axis labels of the span's periods and each one's value (None where the series has no row)."""
    rows = {s["period"]: s for s in series}
    periods = span.periods
    return ([period_label(p, span.bucket) for p in periods],
            [value(rows[p]) if p in rows else None for p in periods])


def _latest_target(series: list[dict[str, Any]], target: Callable[[dict[str, Any]], float], default: float,
                   span: Span) -> tuple[float, str]:
    """The target of the span's last period (the month viewed, or its last bucket), and " (from PERIOD)" when
    earlier periods had another: month bars span target changes, and the first month's target was drawn."""
    if not series:
        return default, ""
    latest = target(series[-1])
    since = series[-1]["period"]
    for row in reversed(series[:-1]):
        if target(row) != latest:
            return latest, f" (from {period_label(since, span.bucket)})"
        since = row["period"]
    return latest, ""


def draw_speed(plt: Any, series: list[dict[str, Any]], span: Span, statistic: str = "mean") -> None:
    """Bars of response time per period against the target line."""
    target, since = _latest_target(series, lambda s: s["speed"]["target_seconds"], 3600, span)
    unit, scale = time_unit(target)
    key = STATISTICS[statistic]
    plt.title(f"Speed · {statistic} time to first attempt per {span.bucket}")
    labels, values = _by_period(span, series, lambda s: None if s["speed"][key] is None else s["speed"][key] / scale)
    plt.ylabel(unit)
    _bars(plt, labels, values, f"{statistic} response", span.name,
          (target / scale, f"target {target / scale:g} {unit}{since}"))


def draw_compliance(plt: Any, series: list[dict[str, Any]], span: Span) -> None:
    """Bars of % of leads followed up within target per period against the threshold line (0 to 100 %)."""
    threshold, since = _latest_target(series, lambda s: s["speed"]["threshold"], 0.9, span)
    plt.title(f"Compliance · % of leads reached within target per {span.bucket}")
    labels, values = _by_period(span, series, lambda s: _percent(s["speed"]["compliance"]))
    plt.ylabel("% of leads")
    _bars(plt, labels, values, "% in time", span.name, (100 * threshold, f"threshold {threshold:.0%}{since}"),
          ticks=PERCENT_TICKS, short_of="below the threshold")


def draw_depth(plt: Any, series: list[dict[str, Any]], span: Span) -> None:
    """Bars of mean attempts on unreached leads per period against the minimum, with leads worked."""
    minimum, since = _latest_target(series, lambda s: s["depth"]["min_attempts"], 6, span)
    worked = sum(s["depth"]["leads_worked"] for s in series)
    plt.title(f"Depth · attempts on unreached leads per {span.bucket} · leads worked: {worked}")
    labels, values = _by_period(span, series, lambda s: s["depth"]["mean_attempts"])
    plt.ylabel("attempts")
    _bars(plt, labels, values, "mean attempts (unreached)", span.name, (minimum, f"minimum {minimum}{since}"),
          short_of="below the minimum")


def draw_reps(plt: Any, reps: list[dict[str, Any]], measure: str, month: str) -> None:
    """Per rep in `month`: `compliance` (% in time), `depth` (mean attempts) or `load` (this week vs capacity)."""
    names = [printable(r["rep"]["name"]).split(" ")[0] for r in reps]
    if measure == "load":
        plt.title("Load · leads handed to each rep this week vs capacity")
        plt.ylabel("leads")
        _bars(plt, names, [r["load_this_week"] for r in reps], "leads this week", month, None,
              marks=([r["weekly_capacity"] for r in reps], "weekly capacity"))
    elif measure == "compliance":
        threshold = reps[0]["speed"]["threshold"] if reps else 0.9
        plt.title("Speed per rep · % of leads reached within target")
        plt.ylabel("% of leads")
        _bars(plt, names, [_percent(r["speed"]["compliance"]) for r in reps], "% in time", month,
              (100 * threshold, f"threshold {threshold:.0%}"), ticks=PERCENT_TICKS, short_of="below the threshold")
    else:
        minimum = reps[0]["depth"]["min_attempts"] if reps else 6
        plt.title("Depth per rep · attempts on unreached leads")
        plt.ylabel("attempts")
        _bars(plt, names, [r["depth"]["mean_attempts"] for r in reps], "mean attempts", month,
              (minimum, f"minimum {minimum}"), short_of="below the minimum")


def _percent(share: float | None) -> float | None:
    return None if share is None else 100 * share



def _bars(plt: Any, labels: list[str], values: list[float | None], label: str, what: str,
          reference: tuple[float, str] | None, *, ticks: list[float] | None = None,
          marks: tuple[list[float | None], str] | None = None, short_of: str | None = None) -> None:
    """A bar per place that has a value, the `reference` (level, legend) line over them, round y ticks.

    Each label is a place on the x axis, with or without a bar; fewer than MIN_PLACES are centred.
    `marks` (levels, legend) draws a short line over each place instead (a rep's capacity). With `short_of`
    (its legend), bars below the reference are drawn in SHORT_MARKER: the target is a floor they missed.
    """
    shown = {x: value for x, value in enumerate(values, 1) if value is not None}
    if not shown:
        _no_data(plt, what)
        return
    pad = max(0, MIN_PLACES - len(labels)) / 2
    left, right = 0.5 - pad, len(labels) + 0.5 + pad
    short = {x for x, value in shown.items() if short_of is not None and value < reference[0]}
    legends = {BAR_MARKER: label, SHORT_MARKER: short_of}
    for x, value in shown.items():  # a call a bar, left to right: plotext sizes a call's bars by their gaps
        marker = SHORT_MARKER if x in short else BAR_MARKER
        legend = legends.pop(marker, None)  # once each
        if len(labels) <= WIDE_BARS_MAX:
            plt.bar([x], [value], color=BAR_COLOR, label=legend, width=BAR_WIDTH, marker=marker)
        else:
            plt.plot([x, x], [0, value], color=BAR_COLOR, marker=marker, label=legend)
    peaks = list(shown.values())
    if reference is not None:
        level, legend = reference
        plt.plot([left, right], [level, level], color=TARGET_COLOR, marker=TARGET_MARKER, label=legend)
        peaks.append(level)
    if marks is not None:
        levels, legend = marks
        half = BAR_WIDTH / 2 + 0.1
        for n, (x, level) in enumerate((x, level) for x, level in enumerate(levels, 1) if level is not None):
            plt.plot([x - half, x + half], [level, level], color=SECOND_COLOR, marker=TARGET_MARKER,
                     label=None if n else legend)
            peaks.append(level)
    plt.xlim(left, right)
    every = 1 if len(labels) <= WIDE_BARS_MAX else 7
    plt.xticks(list(range(1, len(labels) + 1, every)), labels[::every])
    _y_axis(plt, ticks or round_ticks(max(peaks)), 1 + bool(short) + (reference is not None) + (marks is not None))


def render_text(draw: Callable[..., None], *args: Any, width: int = 100, height: int = 24) -> str:
    """Draw into a fresh figure and return plain text (no colour codes) for Markdown/HTML exports."""
    from plotext._figure import _figure_class
    from plotext._utility import uncolorize

    figure = _figure_class()
    figure.theme("clear")
    # Exports keep their width whatever terminal runs the command (plotext caps figures at it).
    figure._limit_size(False, False)
    figure.plotsize(width, height)
    draw(figure, *args)
    return uncolorize(figure.build())
