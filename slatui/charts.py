"""plotext drawing of the guide's charts, shared by the TUI (textual-plotext's `plt`) and exports.

Every `draw_*` function takes a plotext figure (`PlotextPlot.plt` in the app, a fresh
`_figure_class()` for exports) and the plain data from slatui.metrics, and only draws: callers
clear the figure first and refresh afterwards (textual-plotext's replot pattern).
"""

from __future__ import annotations

from typing import Any, Callable

from slatui.text import printable

GOAL_COLOR = "orange"
ACTUAL_COLOR = "cyan"
TARGET_COLOR = "red"
TODAY_COLOR = "gray"
BAR_COLOR = "blue+"
SECOND_COLOR = "green"

STATISTICS = {"mean": "mean_seconds", "median": "median_seconds", "p90": "p90_seconds"}


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


def draw_cumulative(plt: Any, report: dict[str, Any]) -> None:
    """The guide's waterfall: goal line g*d/n and actual cumulative leads, today and projection."""
    rows = report["cumulative"]
    days = list(range(1, len(rows) + 1))
    plt.plot(days, [r["goal"] for r in rows], label=f"goal ({report['volume']['goal']}/month)", color=GOAL_COLOR)
    actual = [(d, r["actual"]) for d, r in zip(days, rows) if r["actual"] is not None]
    if actual:
        today, so_far = actual[-1]
        plt.plot([d for d, _ in actual], [a for _, a in actual], label="actual", color=ACTUAL_COLOR, marker="hd")
        if today < len(rows):
            plt.vline(today, TODAY_COLOR)
            projected = report["volume"]["projected"]
            plt.plot([today, len(rows)], [so_far, projected], label=f"projected {projected:.0f}",
                     color=ACTUAL_COLOR, marker="dot")
    # Names are data: printable, so none reads as the ANSI styling the chart's text is parsed back from.
    plt.title(f"{printable(report['agreement']['name'])} · leads {report['month']}")
    plt.xlabel("day of month")
    plt.ylabel("leads (cumulative)")
    plt.xlim(1, len(rows))
    plt.xticks([1, 8, 15, 22, len(rows)])


def draw_speed(plt: Any, series: list[dict[str, Any]], bucket: str, statistic: str = "mean") -> None:
    """Bars of response time per bucket against the target line."""
    target = series[0]["speed"]["target_seconds"] if series else 3600
    unit, scale = time_unit(target)
    key = STATISTICS[statistic]
    labels = [period_label(s["period"], bucket) for s in series]
    values = [(s["speed"][key] or 0) / scale for s in series]
    _bars(plt, labels, values, f"{statistic} response", target / scale)
    plt.title(f"Speed · {statistic} time to first attempt per {bucket} (target {target / scale:g} {unit} = line)")
    plt.ylabel(unit)


def draw_compliance(plt: Any, series: list[dict[str, Any]], bucket: str) -> None:
    """Bars of % of leads followed up within target per bucket against the threshold line."""
    threshold = series[0]["speed"]["threshold"] if series else 0.9
    labels = [period_label(s["period"], bucket) for s in series]
    values = [100 * (s["speed"]["compliance"] or 0) for s in series]
    _bars(plt, labels, values, "% in time", 100 * threshold)
    plt.title(f"Compliance · % of leads reached within target per {bucket} (threshold {threshold:.0%} = line)")
    plt.ylabel("% of leads")


def draw_depth(plt: Any, series: list[dict[str, Any]], bucket: str) -> None:
    """Bars of mean attempts on unreached leads per bucket against the minimum, with leads worked."""
    minimum = series[0]["depth"]["min_attempts"] if series else 6
    labels = [period_label(s["period"], bucket) for s in series]
    attempts = [s["depth"]["mean_attempts"] or 0 for s in series]
    worked = [s["depth"]["leads_worked"] for s in series]
    _bars(plt, labels, attempts, "mean attempts (unreached)", minimum)
    plt.title(f"Depth · attempts on unreached leads per {bucket} (minimum {minimum} = line) · "
              f"leads worked: {sum(worked)}")
    plt.ylabel("attempts")


def draw_reps(plt: Any, reps: list[dict[str, Any]], measure: str) -> None:
    """Per rep: `compliance` (% in time), `depth` (mean attempts) or `load` (this week vs capacity)."""
    names = [printable(r["rep"]["name"]).split(" ")[0] for r in reps]
    if measure == "load":
        plt.multiple_bar(names, [[r["load_this_week"] for r in reps], [r["weekly_capacity"] or 0 for r in reps]],
                         labels=["leads this week", "weekly capacity"], color=[BAR_COLOR, SECOND_COLOR])
        plt.title("Load · leads handed to each rep this week vs capacity")
        plt.ylabel("leads")
        return
    if measure == "compliance":
        threshold = reps[0]["speed"]["threshold"] if reps else 0.9
        _bars(plt, names, [100 * (r["speed"]["compliance"] or 0) for r in reps], "% in time", 100 * threshold)
        plt.title(f"Speed per rep · % reached within target (threshold {threshold:.0%} = line)")
        plt.ylabel("% of leads")
        return
    minimum = reps[0]["depth"]["min_attempts"] if reps else 6
    _bars(plt, names, [r["depth"]["mean_attempts"] or 0 for r in reps], "mean attempts", minimum)
    plt.title(f"Depth per rep · attempts on unreached leads (minimum {minimum} = line)")
    plt.ylabel("attempts")


def _bars(plt: Any, labels: list[str], values: list[float], label: str, reference: float) -> None:
    """Bars plus headroom so the reference (target) line is always inside the plot."""
    if labels:
        plt.bar(labels, values, color=BAR_COLOR, label=label)
    plt.hline(reference, TARGET_COLOR)
    plt.ylim(0, max([*values, reference]) * 1.15 or 1)


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
