"""How figures are shown next to their verdicts: a percentage never rounds across the threshold it is judged
against (84.6 % against 85 % shows as 84.6 %, never as "85 % ✗")."""

from __future__ import annotations

import math

MISSING = "—"


def percent(value: float | None, threshold: float | None = None) -> str:
    """`value` (a fraction) as a percentage with as few decimals as keep it on its side of `threshold`."""
    if value is None:
        return MISSING
    if threshold is None:
        return f"{value:.0%}"
    above = value >= threshold
    limit = round(threshold * 100, 9)  # 0.85 * 100 is 85.00000000000001 in binary floating point
    for digits in range(3):
        shown = round(value * 100, digits)
        if (shown >= limit) == above:
            return f"{shown:.{digits}f}%"
    # Still on the wrong side at two decimals: cut toward the side it is on.
    scaled = value * 10000
    return f"{(math.ceil(scaled) if above else math.floor(scaled)) / 100:.2f}%"
