"""Per-call cost of the business-time clock, as the store pays it for every lead.

Run: .venv/bin/python benchmarks/bench_businesstime.py
"""

import random
import time
from datetime import datetime, timezone

from slatui.businesstime import BusinessCalendar, parse_hours_spec

HOUR = 3600


def main() -> None:
    calendar = BusinessCalendar(
        tz="Europe/Madrid", hours=parse_hours_spec("mon-fri 09:00-13:00,14:00-18:00"), holiday_countries=("ES-MD",)
    )
    rng = random.Random(7)
    base = datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp()
    starts = [base + rng.uniform(0, 365 * 86400) for _ in range(20_000)]
    spans = [rng.uniform(0, 3 * 86400) for _ in starts]
    for start, span in zip(starts, spans):  # warm the per-day cache, as a long-running store would
        calendar.business_seconds_between(start, start + span)
        calendar.deadline(start, 4 * HOUR)
    began = time.perf_counter()
    for start, span in zip(starts, spans):
        calendar.business_seconds_between(start, start + span)
        calendar.deadline(start, 4 * HOUR)
    per_call = (time.perf_counter() - began) / (2 * len(starts))
    print(f"business time: {per_call * 1e6:.1f} µs per call (spans up to 3 days, warm cache)")


if __name__ == "__main__":
    main()
