"""The queue (2): the day's work plan, soonest due first, with a live business-time countdown.

Each lead owed an attempt shows when it is due ("overdue 2h 10m", "due in 35m") and which step of its
agreement's cadence it is ("attempt 3 of 6"). The list comes from `slatui.plan.entries`, as `slatui queue`'s
does; it is read again every REFRESH_SECONDS, and in between a one-second tick recomputes the countdown from
the rows in hand (`plan.as_of`, no query). It can be narrowed to one agreement and one rep ("my queue"),
remembered between runs in the store's settings. A lead of the list that falls overdue while the app is open
is announced once (and the terminal bell rung, if turned on: ctrl+p → app: toggle overdue bell).

The fastest path to log a follow-up: `a` on a lead opens the attempt form on its outcome list; `z` snoozes
it. The lead keys (edit, close as won, lost or disqualified, undo) act on the highlighted lead.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Header, Select, Static

from slatui import plan
from slatui.tui.screens.base import AppScreen, footer
from slatui.tui.screens.editing import LeadEdits, lead_bindings, undo_binding
from slatui.tui.widgets import cells
from slatui.tui.widgets.lead_table import Prepared, Row
from slatui.tui.widgets.queue_table import SNOOZED_MARK, QueueTable, queue_entries

# The store's settings that remember the queue's filters (an id, or absent for all).
AGREEMENT_SETTING = "queue.agreement_id"
REP_SETTING = "queue.rep_id"

Choice = tuple[Text, int]  # a filter option: (name, id)
Filters = tuple[int | None, int | None]  # (agreement id, rep id)


# The queue's colours: a first response's countdown (ok, due soon, breached), or a follow-up overdue (the
# colour of due soon) or waiting for its step (working).
LEGEND = {"ok": "ok", "due": "due soon, step overdue", "breached": "breached", "working": "next step later"}


def legend() -> Text:
    """One line at 80 columns (the due words are in business time, as the help says)."""
    line = Text()
    for state, label in LEGEND.items():
        line.append("● ", style=cells.URGENCY_STYLES[state])
        line.append(f"{label}  ")
    line.append(f"· {SNOOZED_MARK}: snoozed", style="dim")
    return line


def summary(counts: dict[str, Any], as_of: str, shown: int) -> str:
    """What the plan owes, in figures: "3 overdue / 5 due within the hour · 40 owed an attempt · cadence done,
    not reached: 12 · as of 16:30 CET"; "owed an attempt (200 shown)" when the table holds fewer
    leads than are owed, so its last row is not taken for the end of the work."""
    done = f"cadence done, not reached: {counts['cadence_done']:,}"
    if not counts["leads"]:
        return f"Nothing due: every lead here has its attempts · {done} · as of {as_of}"
    some = f" ({shown:,} shown)" if shown < counts["leads"] else ""
    return (f"[b]{counts['overdue']:,} overdue / {counts['due_soon']:,} due within the hour[/b] · "
            f"{counts['leads']:,} owed an attempt{some} · {done} · as of {as_of}")


def _setting_id(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


class QueueScreen(LeadEdits, AppScreen):
    TITLE = "Queue"
    # The table has the focus from the start: focused on mount, after the first filter had it, the footer's keys
    # were built twice on each first visit.
    AUTO_FOCUS = "#queue-table"
    REFRESH_SECONDS = 30
    TICK_SECONDS = 1
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "log_attempt", "Log attempt", id="queue.log"),
        Binding("z", "snooze", "Snooze", id="queue.snooze"),
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
        self.filters: Filters | None = None  # read from the settings by the first load
        self._choices: tuple[list[Choice], list[Choice]] = ([], [])
        self._entries: list[Row] = []  # the plan's entries as loaded (the tick recomputes them as of now)
        self._counts: dict[str, Any] = {}
        self._as_of = ""
        # Leads of the list seen due and not yet overdue (with the due instant seen), and those announced overdue
        # (once each).
        self._due: dict[int, int] = {}
        self._announced: set[int] = set()
        self._overdue_since_load: set[int] = set()
        # After a snooze, the row the cursor goes back to (the next lead now there), not the lead put off.
        self._cursor_row: int | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="queue-filters"):
            yield Select([], prompt="All agreements", id="queue-agreement", compact=True)
            yield Select([], prompt="All reps", id="queue-rep", compact=True)
        yield Static("Loading the queue…", id="queue-summary", classes="lead-status")
        yield QueueTable(id="queue-table")
        yield Static(legend(), id="queue-legend", classes="lead-status")
        yield footer()

    def on_mount(self) -> None:
        self._refresh = self.set_interval(self.REFRESH_SECONDS, self.action_reload, pause=True)
        self._ticker = self.set_interval(self.TICK_SECONDS, self.tick, pause=True)

    def on_screen_resume(self) -> None:
        # Also when a form or the detail over it closes: what was logged there re-sorts the queue.
        self.action_reload()
        self._refresh.resume()
        self._ticker.resume()

    def on_screen_suspend(self) -> None:
        self._refresh.pause()
        self._ticker.pause()

    def action_reload(self) -> None:
        self._load(self.filters)

    # ---- loading ------------------------------------------------------------------------------

    # Not exclusive: cancelling cannot stop a query already running in its thread, and Textual resumes a
    # mode's screen twice on its first visit; two cheap loads in a row are harmless.
    @work(thread=True, group="queue")
    def _load(self, asked: Filters | None) -> None:
        filters = asked
        table = self.query_one(QueueTable)  # its rows are prepared here, off the event loop
        now = self.app.now()
        with self.app.data.store() as store:
            if filters is None:  # the first load: the filters the last run left
                filters = (_setting_id(store.setting(AGREEMENT_SETTING)), _setting_id(store.setting(REP_SETTING)))
            terms = store.list_terms()
            agreements = [(cells.text(t.name), t.id) for t in terms]
            reps = [(cells.text(row["name"]), row["id"]) for row in store.rep_rows()]
            # A remembered agreement or rep deleted since is no filter.
            agreement_id = filters[0] if any(t.id == filters[0] for t in terms) else None
            rep_id = filters[1] if any(rep_id == filters[1] for _, rep_id in reps) else None
            filters = (agreement_id, rep_id)
            entries = plan.entries(store, now.timestamp(), agreement_id=agreement_id, rep_id=rep_id)
            counts = {**plan.status(store, now.timestamp(), agreement_id, rep_id),
                      "cadence_done": store.cadence_done(agreement_id, rep_id)}
            # The clocks of the leads shown, else of every agreement.
            zones = [entry["tz"] for entry in entries] or [t.tz for t in terms]
        rows = queue_entries(entries)
        self.app.call_from_thread(self._show, asked, filters, (agreements, reps), entries, counts, rows,
                                  table.prepare(rows), cells.clock(now, zones))

    def _show(self, asked: Filters | None, filters: Filters, choices: tuple[list[Choice], list[Choice]], entries: list[Row],
              counts: dict[str, Any], rows: list[Row], prepared: Prepared, as_of: str) -> None:
        if asked != self.filters:  # the filters changed while it loaded
            return
        self._show_choices(choices, filters)
        if filters != self.filters:
            self._due.clear()  # a new list: what is overdue in it was not seen falling due
        self.filters = filters
        self._entries, self._counts, self._as_of = entries, counts, as_of
        self._overdue_since_load = set()
        self._watch(rows)
        table = self.query_one(QueueTable)
        table.show(prepared)
        if self._cursor_row is not None and table.row_count:
            table.move_cursor(row=min(self._cursor_row, table.row_count - 1))
        self._cursor_row = None
        self._show_summary()
        self.loaded = True
        if self._log_when_loaded:
            self._log_when_loaded = False
            self.action_log_attempt()

    def _show_choices(self, choices: tuple[list[Choice], list[Choice]], filters: Filters) -> None:
        if choices == self._choices and filters == self.filters:
            return
        self._choices = choices
        for select_id, options, value in zip(("#queue-agreement", "#queue-rep"), choices, filters):
            select = self.query_one(select_id, Select)
            with select.prevent(Select.Changed):
                select.set_options(options)
                select.value = Select.NULL if value is None else value

    def _show_summary(self) -> None:
        counts = self._counts
        crossed = len(self._overdue_since_load)  # fallen overdue since the figures were read
        counts = {**counts, "overdue": counts["overdue"] + crossed, "due_soon": max(0, counts["due_soon"] - crossed)}
        self.query_one("#queue-summary", Static).update(summary(counts, self._as_of, len(self._entries)))

    # ---- the countdown ----------------------------------------------------------------------

    def tick(self) -> None:
        """Recompute every row's countdown as of now, from the entries in hand (no query), and redraw the rows
        whose words changed."""
        if not self._entries:
            return
        table = self.query_one(QueueTable)
        now_ts = self.app.now().timestamp()
        rows = queue_entries(plan.as_of(entry, now_ts) for entry in self._entries)
        shown = table.rows_by_id
        changed = [row for row in rows if row["id"] in shown and self._words(row) != self._words(shown[row["id"]])]
        self._watch(rows)
        if changed:
            table.update_rows(table.prepare(changed))
            self._show_summary()

    @staticmethod
    def _words(row: Row | None) -> tuple[Any, ...] | None:
        """What a row shows that moves with the clock."""
        return None if row is None else (row["due_text"], row["urgency"], row["snoozed"])

    def _watch(self, rows: list[Row]) -> None:
        """Announce the leads that fell overdue since they were last seen due (each once while the app runs)."""
        crossed = []
        for row in rows:
            if row["seconds_left"] >= 0:
                self._due[row["id"]] = row["next_due_at"]
            elif row["id"] in self._due:
                # Overdue by another due instant than the one seen coming (an undo took back the attempt that
                # had moved it): it did not fall overdue now.
                if self._due.pop(row["id"]) != row["next_due_at"]:
                    continue
                self._overdue_since_load.add(row["id"])
                if row["id"] not in self._announced:
                    self._announced.add(row["id"])
                    crossed.append(row)
        if not crossed:
            return
        if len(crossed) == 1:
            row = crossed[0]
            what = "its first response" if row["state"] == "first_response" else row["step_text"]
            message = f"{row['name']} (#{row['id']}) is now overdue: {what}"
        else:
            message = f"{len(crossed)} leads are now overdue: " + ", ".join(row["name"] for row in crossed[:5]) + (
                "…" if len(crossed) > 5 else "")
        self.notify(message, title="Overdue", severity="warning", markup=False)
        if getattr(self.app, "overdue_bell", False):
            self.app.bell()

    # ---- filters ----------------------------------------------------------------------------

    @on(Select.Changed, "#queue-filters Select")
    def _filtered(self) -> None:
        def chosen(select_id: str) -> int | None:
            value = self.query_one(select_id, Select).value
            return None if value is Select.NULL else value

        self.filters = (chosen("#queue-agreement"), chosen("#queue-rep"))
        self._due.clear()
        self._remember(self.filters)
        self.action_reload()

    @work(thread=True, group="queue-settings")
    def _remember(self, filters: Filters) -> None:
        with self.app.data.store() as store:
            for key, value in zip((AGREEMENT_SETTING, REP_SETTING), filters):
                store.set_setting(key, None if value is None else str(value))

    # ---- actions on the lead ----------------------------------------------------------------

    def action_log_attempt(self) -> None:
        lead = self.query_one(QueueTable).selected
        if lead is not None:
            from slatui.tui.forms.attempt import (
                open_log_attempt,  # loaded by then (SlatuiApp._preload_screens)
            )

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

    def action_snooze(self) -> None:
        lead = self.query_one(QueueTable).selected
        if lead is None:
            self.notify("The queue is empty: nothing to snooze.", severity="warning")
            return
        from slatui.tui.forms.snooze import SnoozeForm

        row = self.query_one(QueueTable).cursor_row

        def snoozed(done: list[str] | None) -> None:
            if done:
                self._cursor_row = row  # the reload on resuming puts it there
                self.notify("\n".join(done), markup=False)

        self.app.push_screen(SnoozeForm(lead), snoozed)

    @on(DataTable.RowSelected)
    def action_open(self) -> None:
        from slatui.tui.screens.lead_detail import LeadDetailScreen

        lead = self.query_one(QueueTable).selected
        if lead is not None:
            self.app.push_screen(LeadDetailScreen(lead["id"]))
