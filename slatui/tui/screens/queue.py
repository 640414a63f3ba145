"""The breach queue (2): leads waiting on sales, most urgent first, with a live business-time countdown.

The fastest path to log a follow-up: `a` on a lead opens the attempt form on its outcome list. The lead keys
(edit, close as won, lost or disqualified, undo) act on the highlighted lead.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Header, Static

from slatui import plan
from slatui.tui.widgets import cells
from slatui.tui.widgets.lead_table import Prepared, Row
from slatui.tui.widgets.queue_table import QueueTable, queue_entries
from slatui.tui.screens.base import AppScreen, footer
from slatui.tui.screens.editing import LeadEdits, lead_bindings, undo_binding


class QueueScreen(LeadEdits, AppScreen):
    TITLE = "Queue"
    REFRESH_SECONDS = 30
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "log_attempt", "Log attempt", id="queue.log"),
        Binding("enter", "open", "Details", id="queue.open"),
        Binding("r", "reload", "Refresh", id="queue.refresh"),
        *lead_bindings("queue"),
        undo_binding("queue"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.loaded = False
        # The palette's "lead: log attempt" can arrive before the first load; it runs once rows are in.
        self._log_when_loaded = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading the queue…", id="queue-summary", classes="lead-status")
        yield QueueTable(id="queue-table")
        yield Static(cells.legend(), id="queue-legend", classes="lead-status")
        yield footer()

    def on_mount(self) -> None:
        self._countdown = self.set_interval(self.REFRESH_SECONDS, self.action_reload, pause=True)

    def on_screen_resume(self) -> None:
        # Also when a form or the detail over it closes: what was logged there re-sorts the queue.
        self.action_reload()
        self._countdown.resume()

    def on_screen_suspend(self) -> None:
        self._countdown.pause()

    def action_reload(self) -> None:
        self._load()

    # Not exclusive: cancelling cannot stop a query already running in its thread, and Textual resumes a
    # mode's screen twice on its first visit; two cheap loads in a row are harmless.
    @work(thread=True, group="queue")
    def _load(self) -> None:
        table = self.query_one(QueueTable)  # its rows are prepared here, off the event loop
        now = self.app.now()
        with self.app.data.store() as store:
            entries = queue_entries(plan.entries(store, now.timestamp()))
            # The clocks of the leads shown, else of every agreement.
            zones = [entry["tz"] for entry in entries] or [terms.tz for terms in store.list_terms()]
        self.app.call_from_thread(self._show, entries, table.prepare(entries), cells.clock(now, zones))

    def _show(self, entries: list[Row], prepared: Prepared, as_of: str) -> None:
        self.query_one(QueueTable).show(prepared)
        self.query_one("#queue-summary", Static).update(self._summary(entries, as_of))
        self.loaded = True
        if self._log_when_loaded:
            self._log_when_loaded = False
            self.action_log_attempt()

    @staticmethod
    def _summary(entries: list[Row], as_of: str) -> str:
        if not entries:
            return f"Nothing due: every open lead has its first attempt and its follow-ups · {as_of}"
        first = [e for e in entries if e["state"] == "first_response"]
        follow = [e for e in entries if e["state"] == "follow_up"]
        breached = sum(e["urgency"] == "breached" for e in first)
        due = sum(e["urgency"] == "due" for e in first)
        overdue = sum(e["left"] < 0 for e in follow)
        return (
            f"{len(first)} awaiting a first attempt ({breached} breached, {due} due soon) · "
            f"{len(follow)} follow-ups ({overdue} overdue) · as of {as_of} (every {QueueScreen.REFRESH_SECONDS} s)"
        )

    def action_log_attempt(self) -> None:
        lead = self.query_one(QueueTable).selected
        if lead is not None:
            from slatui.tui.forms.attempt import open_log_attempt  # loaded by then (SlatuiApp._preload_screens)

            open_log_attempt(self, lead)
        elif not self.loaded:
            self._log_when_loaded = True
        else:
            self.notify("The queue is empty: nothing to log.", severity="warning")

    def changed(self) -> None:
        self.action_reload()

    def current_lead(self) -> Row | None:
        lead = self.query_one(QueueTable).selected
        if lead is None:
            self.notify("The queue is empty: no lead to change.", severity="warning")
        return lead

    @on(DataTable.RowSelected)
    def action_open(self) -> None:
        from slatui.tui.screens.lead_detail import LeadDetailScreen

        lead = self.query_one(QueueTable).selected
        if lead is not None:
            self.app.push_screen(LeadDetailScreen(lead["id"]))
