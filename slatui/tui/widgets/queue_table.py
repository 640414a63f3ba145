"""The breach queue: leads sales still owes work on, with a live SLA countdown per lead."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text

from slatui.tui.widgets import cells
from slatui.tui.widgets.folding_table import Column
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
    # 80 columns show time left, lead, agreement, attempts and the last one; 120 show them all.
    COLUMNS = (
        Column("left", "Time left", 9),
        Column("name", "Lead", 12, grow=True),
        Column("company", "Company", 10, fold=4, grow=True),
        Column("agreement", "Agreement", 11, fold=1, grow=True),
        Column("rep", "Rep", 11, fold=3, grow=True),
        Column("handed_off_at", "Handed off", cells.TIME_WIDTH, fold=2),
        Column("attempts", "Attempts", 8),
        Column("last_attempt_at", "Last attempt", cells.TIME_WIDTH),
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
