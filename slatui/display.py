"""How figures are shown next to their verdicts: a figure never rounds across the threshold it is judged against
(84.6 % against 85 % shows as 84.6 %, never as "85 % ✗"; 5.96 attempts against 6 as 5.96, never as "6.0 ✗")."""

from __future__ import annotations

import math
from typing import Any

MISSING = "—"
# The targets a month is judged on, as the app names them, and their keys in a month report or verdict.
TARGETS = (("leads", "volume"), ("speed", "speed"), ("depth", "depth"))


def number(value: float | None, threshold: float | None = None, digits: int = 0) -> str:
    """`value` with `digits` decimals, or as few more (up to two) as keep it on its side of `threshold`."""
    if value is None:
        return MISSING
    if threshold is None:
        return f"{value:.{digits}f}"
    above = value >= threshold
    limit = round(threshold, 9)  # 0.85 * 100 is 85.00000000000001 in binary floating point
    for more in range(digits, digits + 3):
        shown = round(value, more)
        if (shown >= limit) == above:
            return f"{shown:.{more}f}"
    # Still on the wrong side: cut toward the side it is on.
    scale = 10 ** (digits + 2)
    return f"{(math.ceil(value * scale) if above else math.floor(value * scale)) / scale:.{digits + 2}f}"


def percent(value: float | None, threshold: float | None = None) -> str:
    """`value` (a fraction) as a percentage with as few decimals as keep it on its side of `threshold`."""
    if value is None:
        return MISSING
    return number(value * 100, None if threshold is None else threshold * 100) + "%"


def share(value: float) -> str:
    """A threshold as the user typed it: 85%, 87.5% (a target is never rounded to a neighbour)."""
    return f"{round(value * 100, 2):g}%"


def leads_to_date(goal_to_date: float) -> int:
    """The leads that keep a month on its pace (`volume.on_pace` is actual ≥ goal_to_date, in whole leads)."""
    return math.ceil(goal_to_date)


def short_of(month: dict[str, Any]) -> list[str]:
    """The targets a month falls short of (a month report or a verdict): while it is in progress, those behind
    (leads behind their pace to date); once judged, those missed."""
    running = month["month_status"] == "in_progress"
    return [name for name, key in TARGETS
            if not (month[key]["on_pace"] if running and key == "volume" else month[key]["met"])]
