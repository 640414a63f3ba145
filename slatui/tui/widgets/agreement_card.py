"""A dashboard card: one active agreement this month at a glance, from its month report and the queue."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Sparkline, Static

from slatui import display, metrics, plan
from slatui.terms import Terms
from slatui.store import Store
from slatui.tui.widgets import cells

Standing = Literal["ok", "risk", "trouble", "idle"]
# The border's word: this month so far (never a cross while it runs), unless closed months reached the
# cancellation condition; "no data" before the agreement's first lead.
STANDING_LABELS: dict[Standing, str] = {"ok": "on track", "risk": "behind", "trouble": "✗ in trouble",
                                        "idle": "no data"}
LABEL_WIDTH = 8


def card_data(store: Store, terms: Terms, now: datetime) -> dict[str, Any]:
    """This month's report in the agreement's zone, and its leads of the plan overdue or due within a business
    hour right now (`breached` and `due`)."""
    local = metrics.local_now(terms, now)
    report = metrics.month_report(store, terms, local.year, local.month, now)
    counts = plan.status(store, now.timestamp(), terms.id)
    return {"report": report, "breached": counts["overdue"], "due": counts["due_soon"]}


def daily_handoffs(report: dict[str, Any]) -> list[int]:
    """Leads handed off each day of the month so far, from the report's cumulative line."""
    totals = [row["actual"] for row in report["cumulative"] if row["actual"] is not None]
    return [today - before for before, today in zip([0, *totals], totals)]


def standing(report: dict[str, Any]) -> Standing:
    """In trouble once closed months reached the cancellation condition; else how this month is going (a month
    that ended shows its verdict the same way: met is ok, missed is behind its targets)."""
    if report["cancellation_reached"]:
        return "trouble"
    if report["month_status"] == "not_tracked":
        return "idle"
    return "risk" if display.short_of(report) else "ok"


def _badge(text: str, colour: str) -> str:
    return f"[$text on {colour}] {text} [/]"


def verdict_line(report: dict[str, Any]) -> str:
    """This month in words: on track or behind (and on what) while it runs, met or missed once judged."""
    status, short = report["month_status"], display.short_of(report)
    if status == "not_tracked":
        return f"{_badge('no data', '$panel')} no lead handed off yet"
    if status == "in_progress":
        return (f"{_badge('behind', '$warning')} on {', '.join(short)}" if short
                else f"{_badge('on track', '$success')} so far")
    return f"{_badge('✗ missed', '$error')} {', '.join(short)}" if short else _badge("✓ met", "$success")


def _row(label: str, text: str) -> str:
    return f"[$text-muted]{label.ljust(LABEL_WIDTH)}[/]{text}"


def card_lines(data: dict[str, Any]) -> Iterable[str]:
    """The card's text (markup), one line each."""
    report = data["report"]
    volume, speed, depth = report["volume"], report["speed"], report["depth"]
    to_date = display.leads_to_date(volume["goal_to_date"])
    if volume["met"]:
        pace = "goal met"
    elif volume["on_pace"]:
        pace = "on pace"
    else:
        pace = f"[$warning]behind by {to_date - volume['actual']}[/]"
    yield _row("Leads", f"[b]{volume['actual']}[/b]/{volume['goal']} · {pace}")
    yield _row("", f"to date {to_date} · projected {volume['projected']:.0f}")
    yield _row("Speed", "nothing decided yet" if speed["compliance"] is None
               else f"[b]{display.percent(speed['compliance'], speed['threshold'])}[/b] in time "
                    f"(target {display.share(speed['threshold'])})")
    yield _row("Depth", "no unreached leads" if depth["mean_attempts"] is None
               else f"[b]{display.number(depth['mean_attempts'], depth['min_attempts'], 1)}[/b] attempts "
                    f"(min {depth['min_attempts']})")
    yield verdict_line(report)
    missed = report["consecutive_missed_months"]
    yield _row("Missed", f"[b]{missed}[/b] month{'s' * (missed != 1)} in a row, max {report['miss_limit']}")
    if report["cancellation_reached"]:
        yield "[$error b]⚠ cancellation condition reached[/]"
    if report["review_date"]:
        yield _row("Review", f"[$warning b]due since {report['review_date']}[/]" if report["review_due"]
                   else f"next on {report['review_date']}")


def queue_line(data: dict[str, Any]) -> str:
    """"N overdue / M due within the hour" in the queue's colours; a click on the line opens the queue."""
    overdue = f"[{cells.URGENCY_STYLES['breached']} b]{data['breached']} overdue[/]" if data["breached"] \
        else "0 overdue"
    due = f"[{cells.URGENCY_STYLES['due']} b]{data['due']} due within the hour[/]" if data["due"] \
        else "0 due within the hour"
    # Two lines, aligned: in one, a card 80 columns make would wrap it under its label.
    return _row("Queue", f"{overdue} /") + "\n" + _row("", f"{due} ›")


class AgreementCard(Vertical, can_focus=True):
    """One agreement's card; the class -trouble / -risk / -ok / -idle colours its border."""

    def __init__(self, agreement_id: int, data: dict[str, Any]):
        self.standing = standing(data["report"])
        super().__init__(classes=f"agreement-card -{self.standing}")
        self.agreement_id = agreement_id
        self.data = data
        self.border_title = cells.markup(data["report"]["agreement"]["name"])
        self.border_subtitle = STANDING_LABELS[self.standing]

    def compose(self) -> ComposeResult:
        yield Static("\n".join(card_lines(self.data)), classes="card-body")
        yield Static(queue_line(self.data), classes="card-queue")
        days = daily_handoffs(self.data["report"])
        later = len(self.data["report"]["cumulative"]) - len(days)
        with Horizontal(classes="card-spark"):
            yield Static(_row("Per day", ""), classes="card-spark-label")
            # The days so far take their share of the month's width, so each day sits at its place in it.
            spark = Sparkline(days)
            spark.styles.width = f"{max(len(days), 1)}fr"
            yield spark
            if later:
                rest = Static(classes="card-spark-rest")
                rest.styles.width = f"{later}fr"
                yield rest

    async def on_click(self, event: events.Click) -> None:
        if event.widget is not None and event.widget.has_class("card-queue"):
            await self.app.run_action("go('queue')")

    @property
    def period(self) -> tuple[int, int]:
        year, month = self.data["report"]["month"].split("-")
        return int(year), int(month)
