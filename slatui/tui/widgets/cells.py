"""Cell formatting shared by the Leads, Queue and lead-detail views: local times, durations and
the SLA countdown with its colours."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from rich.text import Text
from textual.markup import escape

from slatui.businesstime import BusinessCalendar
from slatui.parsing import format_duration, format_local
from slatui.text import printable

Urgency = Literal["ok", "due", "breached", "working"]

# The last quarter of the response target counts as "due soon" (issue 4).
DUE_SOON_SHARE = 0.25

URGENCY_STYLES: dict[Urgency, str] = {
    "ok": "green",
    "due": "yellow",
    "breached": "red",
    "working": "cyan",
}
URGENCY_LABELS: dict[Urgency, str] = {
    "ok": "ok",
    "due": "due soon (last 25 %)",
    "breached": "breached",
    "working": "more attempts due",
}
STATUS_STYLES = {"open": "", "connected": "cyan", "customer": "green", "disqualified": "dim"}
MISSING = "—"
# "2026-11-18 16:30 CEST": the longest local_time of the usual zones.
TIME_WIDTH = 21


def local_time(epoch: float | None, tz: str) -> str:
    """An instant as wall time in the agreement's zone (where its SLA clock runs), with its abbreviation."""
    return MISSING if epoch is None else format_local(epoch, tz)


def clock(now: datetime, zones: Iterable[str]) -> str:
    """The time now on each of these agreements' clocks, once per zone: 16:30 CET · 10:30 EST."""
    times = dict.fromkeys(format_local(now.timestamp(), tz, "%H:%M") for tz in zones)
    return " · ".join(times) or format_local(now.timestamp(), "UTC", "%H:%M")


def duration(seconds: float | None) -> str:
    return MISSING if seconds is None else format_duration(seconds)


def time_left(deadline_at: float, now_ts: float, calendar: BusinessCalendar) -> float:
    """Business seconds from now to the deadline; once breached, minus the business time since it."""
    if now_ts <= deadline_at:
        return calendar.business_seconds_between(now_ts, deadline_at)
    return -calendar.business_seconds_between(deadline_at, now_ts)


def urgency(left: float, target_seconds: float) -> Urgency:
    # Equal to the target counts as met, so zero left is still due, not breached.
    if left < 0:
        return "breached"
    return "due" if left <= target_seconds * DUE_SOON_SHARE else "ok"


def countdown(left: float | None, state: Urgency) -> Text:
    label = MISSING if left is None else format_duration(left)
    return Text(label, style=f"bold {URGENCY_STYLES[state]}", justify="right")


def text(value: object, style: str = "") -> Text:
    """A plain cell (never read as markup: names may hold brackets; no control character reaches the terminal),
    cut with an ellipsis when too wide."""
    return Text(MISSING if value in (None, "") else printable(str(value)), style=style, no_wrap=True,
                overflow="ellipsis")


def markup(value: object) -> str:
    """User data placed in a markup string: shown as typed, never read as markup or sent as a control character."""
    return escape(printable(str(value)))


def status(value: str) -> Text:
    return text(value, STATUS_STYLES.get(value, ""))


def legend() -> Text:
    line = Text()
    for state, label in URGENCY_LABELS.items():
        line.append("● ", style=URGENCY_STYLES[state])
        line.append(f"{label}  ")
    line.append("· time left in business hours", style="dim")
    return line


def speed_status(response_seconds: float | None, left: float, target_seconds: float) -> Text:
    """DESIGN.md's speed status (met / breached / pending) with the figure behind it."""
    target = format_duration(target_seconds)
    if response_seconds is not None:
        met = response_seconds <= target_seconds
        return Text(f"{'met' if met else 'breached'}: first attempt after {format_duration(response_seconds)} "
                    f"(target {target})", style=URGENCY_STYLES["ok" if met else "breached"])
    state = urgency(left, target_seconds)
    if state == "breached":
        line = f"breached: no attempt, {format_duration(-left)} over the {target} target"
    else:
        line = f"pending: {format_duration(left)} left of {target}"
    return Text(line, style=URGENCY_STYLES[state])
