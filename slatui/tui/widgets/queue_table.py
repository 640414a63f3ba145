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


# After the due text of a snoozed lead (the legend says what it means).
SNOOZED_MARK = "z"


def due_cell(row: Row) -> Text:
    """"overdue 2h 10m" / "due in 35m" in the urgency's colour; a snoozed lead's marked, and dim."""
    style = f"bold {cells.URGENCY_STYLES[row['urgency']]}"
    if row["snoozed"]:
        return Text(f"{row['due_text']} {SNOOZED_MARK}", style=f"{style} dim", no_wrap=True, overflow="ellipsis")
    return cells.text(row["due_text"], style)


class QueueTable(LeadRowsTable):
    # 80 columns show when it is due, the lead, its step of the cadence, the agreement and the rep; 120 add the
    # company and the last attempt; wider ones the handoff.
    COLUMNS = (
        Column("due", "Due", 16),
        Column("name", "Lead", 12, grow=True),
        Column("step", "Step", 14),
        Column("company", "Company", 10, fold=4, grow=True),
        Column("agreement", "Agreement", 10, fold=2, grow=True),
        Column("rep", "Rep", 10, fold=1, grow=True),
        Column("last_attempt_at", "Last attempt", cells.TIME_WIDTH, fold=3),
        Column("handed_off_at", "Handed off", cells.TIME_WIDTH, fold=5),
    )

    @staticmethod
    def cells(row: Row) -> Iterable[Text]:
        style = cells.URGENCY_STYLES[row["urgency"]]
        return (
            due_cell(row),
            cells.text(row["name"], f"bold {style}"),
            cells.text(row["step_text"], style),
            cells.text(row["company"], style),
            cells.text(row["agreement"], style),
            cells.text(row["rep"], style),
            cells.text(cells.local_time(row["last_attempt_at"], row["tz"]), style),
            cells.text(cells.local_time(row["handed_off_at"], row["tz"]), style),
        )
