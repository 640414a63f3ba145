"""The breach queue: leads sales still owes work on, with a live SLA countdown per lead."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rich.text import Text

from slatui.businesstime import BusinessCalendar
from slatui.tui.widgets import cells
from slatui.tui.widgets.lead_table import LeadRowsTable, Row


def queue_entries(rows: Iterable[Row], calendars: Mapping[int, BusinessCalendar], now_ts: float) -> list[Row]:
    """Queue rows with their time left and urgency: leads awaiting a first attempt by time left, then the
    followed-up leads that still need attempts, in the store's order (oldest last attempt first)."""
    waiting, working = [], []
    for row in rows:
        if row["first_attempt_at"] is None:
            left = cells.time_left(row["deadline_at"], now_ts, calendars[row["agreement_id"]])
            waiting.append({**row, "left": left, "urgency": cells.urgency(left, row["respond_within_seconds"])})
        else:
            working.append({**row, "left": None, "urgency": "working"})
    waiting.sort(key=lambda row: row["left"])
    return waiting + working


class QueueTable(LeadRowsTable):
    # Sized to fit 120 columns; longer names end in an ellipsis.
    COLUMNS = (
        ("left", "Time left", 9),
        ("name", "Lead", 16),
        ("company", "Company", 10),
        ("agreement", "Agreement", 15),
        ("rep", "Rep", 13),
        ("handed_off_at", "Handed off", 16),
        ("attempts", "Attempts", 8),
        ("last_attempt_at", "Last attempt", 16),
    )

    @staticmethod
    def cells(row: Row) -> Iterable[Text]:
        style = cells.URGENCY_STYLES[row["urgency"]]
        return (
            cells.countdown(row["left"], row["urgency"]),
            cells.text(row["name"], f"bold {style}"),
            cells.text(row["company"], style),
            cells.text(row["agreement"], style),
            cells.text(row["rep"], style),
            cells.text(cells.local_time(row["handed_off_at"], row["tz"]), style),
            Text(f"{row['attempts']}/{row['min_attempts']}", style=style, justify="right"),
            cells.text(cells.local_time(row["last_attempt_at"], row["tz"]), style),
        )
