"""The breach queue: leads sales still owes work on, with a live SLA countdown per lead."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text

from slatui.tui.widgets import cells
from slatui.tui.widgets.lead_table import LeadRowsTable, Row


def queue_entries(plan: Iterable[Row]) -> list[Row]:
    """The plan's entries (`slatui.plan.entries`, in due order) with their time left and urgency: a first
    response counts down to its SLA deadline; a follow-up is due or waiting for its step of the cadence."""
    rows = []
    for entry in plan:
        left = entry["seconds_left"]
        if entry["state"] == "first_response":
            state = cells.urgency(left, entry["target_seconds"])
        else:
            state = "due" if left < 0 else "working"
        rows.append({**entry, "left": left, "urgency": state})
    return rows


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

    def cells(self, row: Row) -> Iterable[Text]:
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
