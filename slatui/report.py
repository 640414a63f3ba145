"""Month reports rendered for people and programs: a Rich table, Markdown, HTML, CSV and JSON.

Names (of agreements, reps) are data in every format: never Rich markup, Markdown or HTML, and never a raw
control character (slatui.text.printable).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from typing import Any

from slatui.display import leads_to_date, number, percent, share
from slatui.parsing import format_duration, format_local
from slatui.text import json_text, printable

# A cell starting with one of these is a formula (or becomes one) in Excel, LibreOffice and Sheets.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """The value, with text that a spreadsheet would evaluate turned into plain text by a leading '."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


# Characters with a meaning inside a Markdown line or table cell, escaped with a backslash (names never start
# a line); < and & become HTML entities, since Markdown passes HTML through.
_MARKDOWN = re.compile(r"([\\`*_\[\]|~])")


def markdown_text(name: str) -> str:
    """A name as literal Markdown text: on one line, its markup and table pipes escaped."""
    one_line = printable(" ".join(name.splitlines()))
    return _MARKDOWN.sub(r"\\\1", one_line.replace("&", "&amp;").replace("<", "&lt;"))


def html_text(name: str) -> str:
    from html import escape

    return escape(printable(name))


def _fence(text: str) -> str:
    """A code fence longer than any run of backticks in `text` (a name could hold ```)."""
    return "`" * max(3, 1 + max((len(run) for run in re.findall("`+", text)), default=0))


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _secs(value: float | None) -> str:
    return "—" if value is None else format_duration(value)


def _num(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _as_of(report: dict[str, Any]) -> str:
    """The report's instant on the agreement's clock: 2026-11-18 16:30 CET."""
    return format_local(datetime.fromisoformat(report["as_of"]).timestamp(), report["time_zone"])


def _mark(met: bool, status: str) -> str:
    # A month still running is never missed: its targets are on track or behind so far. A month not tracked
    # (before the first lead or the start) has no verdict, nor has any of its targets.
    if status == "in_progress":
        return "on track" if met else "behind"
    if status == "not_tracked":
        return "—"
    return "met" if met else "MISSED"


def key_figures(report: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(measure, target, actual, verdict) rows shared by the table and Markdown renderers."""
    v, s, d = report["volume"], report["speed"], report["depth"]
    status = report["month_status"]
    return [
        ("Leads handed off", f"{v['goal']}", f"{v['actual']} (to date goal {leads_to_date(v['goal_to_date'])}, "
         f"projected {v['projected']:.0f})", _mark(v["on_pace"] if status == "in_progress" else v["met"], status)),
        ("First attempt within target", f"{share(s['threshold'])} within {_secs(s['target_seconds'])}",
         f"{percent(s['compliance'], s['threshold'])} ({s['met_count']} met, {s['breached_count']} breached, "
         f"{s['pending_count']} pending)", _mark(s["met"], status)),
        ("Response time", _secs(s["target_seconds"]),
         f"mean {_secs(s['mean_seconds'])}, median {_secs(s['median_seconds'])}, p90 {_secs(s['p90_seconds'])}", ""),
        ("Attempts on unreached leads", f"≥ {d['min_attempts']}",
         f"{number(d['mean_attempts'], d['min_attempts'], 1)} over {d['unconnected_leads']} leads "
         f"({d['leads_worked']} worked)",
         _mark(d["met"], status)),
    ]


def month_verdict(report: dict[str, Any]) -> str:
    """MET, MISSED, "in progress: on track / behind", or "not tracked" (no verdict)."""
    status = report["month_status"]
    if status == "in_progress":
        return f"in progress: {'on track' if report['on_track'] else 'behind'}"
    return {"met": "MET", "missed": "MISSED"}.get(status, "not tracked (no leads yet, or before the start)")


def verdict_line(report: dict[str, Any]) -> str:
    parts = [f"Month {month_verdict(report)}"]
    parts.append(f"missed months in a row: {report['consecutive_missed_months']} of {report['miss_limit']}")
    if report["cancellation_reached"]:
        parts.append("CANCELLATION CONDITION REACHED")
    if report["review_due"]:
        parts.append(f"review due (since {report['review_date']})")
    return " · ".join(parts)


def chart_text(report: dict[str, Any], weekly: list[dict[str, Any]], width: int = 90) -> str:
    """The month's waterfall and weekly speed/depth charts as plain text, for the exports.

    The lines differ by glyph (goal ⢕ thin, actual ▞ thick, projection •, targets ─ over █ bars),
    so the charts read without colour."""
    from slatui import charts
    from slatui.metrics import month_bounds

    weeks = charts.Span(*month_bounds(*map(int, report["month"].split("-"))), "week")
    return "\n\n".join([
        charts.render_text(charts.draw_cumulative, report, width=width, height=22),
        charts.render_text(charts.draw_compliance, weekly, weeks, width=width, height=16),
        charts.render_text(charts.draw_depth, weekly, weeks, width=width, height=16),
    ])


def render_table(reports: list[dict[str, Any]]) -> str:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(file=io.StringIO(), width=120, force_terminal=False, color_system=None)
    for report in reports:
        title = f"{printable(report['agreement']['name'])} — {report['month']} (as of {_as_of(report)})"
        table = Table(title=Text(title), caption=verdict_line(report), title_justify="left", caption_justify="left")
        for column in ("Measure", "Target", "Actual", "Verdict"):
            table.add_column(column)
        for row in key_figures(report):
            table.add_row(*row)
        console.print(table)
        if report["reps"]:
            reps = Table(title="Per rep", title_justify="left")
            for column in ("Rep", "Leads", "In time", "Median response", "Attempts (unreached)", "Load / capacity"):
                reps.add_column(column)
            for r in report["reps"]:
                reps.add_row(Text(printable(r["rep"]["name"])), str(r["leads"]), _pct(r["speed"]["compliance"]),
                             _secs(r["speed"]["median_seconds"]), _num(r["depth"]["mean_attempts"]),
                             f"{r['load_this_week']} / {r['weekly_capacity'] if r['weekly_capacity'] is not None else '—'}")
            console.print(reps)
        console.print()
    return console.file.getvalue()


def render_markdown(reports: list[dict[str, Any]], charts: dict[str, str] | None = None) -> str:
    """Markdown a lead can mail; `charts` maps agreement name to preformatted chart text."""
    lines = []
    for report in reports:
        lines += [f"## {markdown_text(report['agreement']['name'])} — {report['month']}", "",
                  f"As of {_as_of(report)}, times in {report['time_zone']}.", "",
                  f"**{verdict_line(report)}**", "",
                  "| Measure | Target | Actual | Verdict |", "|---|---|---|---|"]
        lines += [f"| {' | '.join(row)} |" for row in key_figures(report)]
        if report["reps"]:
            lines += ["", "| Rep | Leads | In time | Median response | Attempts (unreached) |", "|---|---|---|---|---|"]
            lines += [f"| {markdown_text(r['rep']['name'])} | {r['leads']} | {_pct(r['speed']['compliance'])} | "
                      f"{_secs(r['speed']['median_seconds'])} | {_num(r['depth']['mean_attempts'])} |"
                      for r in report["reps"]]
        if charts and report["agreement"]["name"] in charts:
            chart = printable(charts[report["agreement"]["name"]].rstrip(), keep="\n")
            lines += ["", f"{_fence(chart)}text", chart, _fence(chart)]
        lines.append("")
    return "\n".join(lines)


CSV_COLUMNS = [
    "agreement", "month", "as_of", "lead_goal", "leads", "goal_to_date", "volume_met", "target_seconds",
    "threshold", "met", "breached", "pending", "compliance", "speed_met", "mean_seconds", "median_seconds",
    "p90_seconds", "min_attempts", "unconnected_leads", "mean_attempts", "depth_met", "month_status", "month_met",
    "consecutive_missed_months", "cancellation_reached", "review_due",
]


def render_csv(reports: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in reports:
        v, s, d = r["volume"], r["speed"], r["depth"]
        writer.writerow(map(spreadsheet_safe, [
            r["agreement"]["name"], r["month"], r["as_of"], v["goal"], v["actual"], v["goal_to_date"], v["met"],
            s["target_seconds"], s["threshold"], s["met_count"], s["breached_count"], s["pending_count"],
            s["compliance"], s["met"], s["mean_seconds"], s["median_seconds"], s["p90_seconds"], d["min_attempts"],
            d["unconnected_leads"], d["mean_attempts"], d["met"], r["month_status"], r["month_met"],
            r["consecutive_missed_months"],
            r["cancellation_reached"], r["review_due"],
        ]))
    return out.getvalue()


def render_html(reports: list[dict[str, Any]], charts: dict[str, str] | None = None) -> str:
    """A self-contained page (no scripts, no external files) that reads well in a mail client."""
    from html import escape

    parts = ["<!doctype html><html lang='en'><head><meta charset='utf-8'><title>slatui report</title><style>",
             "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}",
             "table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .6rem;"
             "text-align:left}th{background:#f3f3f3}.missed{color:#b00020;font-weight:bold}.met{color:#1b7a1b}",
             "pre{background:#fafafa;border:1px solid #eee;padding:.5rem;font-size:.8rem;line-height:1.1}",
             "</style></head><body>"]
    for report in reports:
        parts.append(f"<h2>{html_text(report['agreement']['name'])} — {report['month']}</h2>")
        parts.append(f"<p>As of {escape(_as_of(report))}, times in {escape(report['time_zone'])}.</p>")
        verdict = "missed" if report["month_status"] == "missed" or report["on_track"] is False else "met"
        parts.append(f"<p class='{verdict}'>{escape(verdict_line(report))}</p>")
        parts.append("<table><tr><th>Measure</th><th>Target</th><th>Actual</th><th>Verdict</th></tr>")
        for measure, target, actual, mark in key_figures(report):
            css = "missed" if mark in ("MISSED", "behind") else "met"
            parts.append(f"<tr><td>{escape(measure)}</td><td>{escape(target)}</td><td>{escape(actual)}</td>"
                         f"<td class='{css}'>{escape(mark)}</td></tr>")
        parts.append("</table>")
        if report["reps"]:
            parts.append("<table><tr><th>Rep</th><th>Leads</th><th>In time</th><th>Median response</th>"
                         "<th>Attempts (unreached)</th></tr>")
            parts += [f"<tr><td>{html_text(r['rep']['name'])}</td><td>{r['leads']}</td>"
                      f"<td>{_pct(r['speed']['compliance'])}</td><td>{_secs(r['speed']['median_seconds'])}</td>"
                      f"<td>{_num(r['depth']['mean_attempts'])}</td></tr>" for r in report["reps"]]
            parts.append("</table>")
        if charts and report["agreement"]["name"] in charts:
            parts.append(f"<pre>{escape(printable(charts[report['agreement']['name']], keep=chr(10)))}</pre>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _tick(met: bool, running: bool = False) -> str:
    # A month in progress gets no cross: behind its pace is not missed.
    if running:
        return "·" if met else "behind"
    return "✓" if met else "✗"


def _scorecard_row(v: dict[str, Any]) -> tuple[str, str, str, str, str]:
    running = v["month_status"] == "in_progress"
    return (f"{v['month']} (so far)" if running else v["month"],
            f"{v['volume']['actual']}/{v['volume']['goal']} "
            f"{_tick(v['volume']['on_pace'] if running else v['volume']['met'], running)}",
            f"{percent(v['speed']['compliance'], v['speed']['threshold'])} {_tick(v['speed']['met'], running)}",
            f"{number(v['depth']['mean_attempts'], v['depth']['min_attempts'], 1)} {_tick(v['depth']['met'], running)}",
            ("on track" if v["on_track"] else "behind") if running else "MET" if v["month_met"] else "missed")


def render_scorecard(cards: list[dict[str, Any]]) -> str:
    """Months × targets per agreement, plain text."""
    lines = []
    for card in cards:
        lines.append(f"{printable(card['agreement']['name'])} — missed in a row: {card['consecutive_missed_months']} "
                     f"of {card['miss_limit']}")
        if not card["months"]:
            lines += ["no month tracked yet: months count from the agreement's first lead", ""]
            continue
        rows = [("month", "leads", "in time", "attempts", "verdict")] + [_scorecard_row(v) for v in card["months"]]
        widths = [max(len(row[i]) for row in rows) for i in range(5)]
        lines += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
        lines.append("")
    return "\n".join(lines) + "\n"


def render_json(reports: list[dict[str, Any]], single: bool) -> str:
    return json_text(reports[0] if single else reports, indent=2)
