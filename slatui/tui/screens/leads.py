"""Every lead (3), filterable and paged so a million-lead database stays instant; log, edit, close, reopen, delete,
undo."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import DataTable, Header, Input, Select, Static

from slatui.tui.screens.base import AppScreen, RunsWhenLoaded, footer
from slatui.tui.screens.editing import LeadEdits, lead_bindings, undo_binding
from slatui.tui.widgets import cells
from slatui.tui.widgets.lead_table import LeadTable, Row
from slatui.vocabulary import LEAD_STATUSES

# The forms (and with them pydantic, ≈ 100 ms) load on first use, in practice already loaded by the app in a
# thread (SlatuiApp._preload_screens): this screen may be opened while the app is still starting.

# Typing in the filter waits this long for a pause before querying.
FILTER_DELAY = 0.3

Choice = tuple[str, int]  # a filter option: (name, id)


class LeadsScreen(LeadEdits, RunsWhenLoaded, AppScreen):
    TITLE = "Leads"
    # The table has the focus from the start: focused on mount, after the filter box had it (whose keys hide
    # the footer's letters), the footer's keys were built twice on each first visit.
    AUTO_FOCUS = "#leads-table"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="leads.filter"),
        Binding("enter", "open", "Details", id="leads.open"),
        Binding("n", "new", "New handoff", id="leads.new"),
        Binding("a", "log_attempt", "Log attempt", id="leads.log"),
        *lead_bindings("leads"),
        Binding("o", "reopen", "Reopen", id="leads.reopen", show=False),
        Binding("d,delete", "delete", "Delete", id="leads.delete"),
        undo_binding("leads"),
        Binding("escape", "focus_table", "Back to the table", show=False, id="leads.table"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._choices: tuple[list[Choice], list[Choice]] = ([], [])  # what the filter Selects offer
        self._filter_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        # Compact (one line each): the table keeps the rows of an 80×24 terminal.
        with Horizontal(id="lead-filters"):
            yield Input(placeholder="/ name, company, email", id="filter-text", compact=True)
            yield Select([], prompt="All agreements", id="filter-agreement", compact=True)
            yield Select([], prompt="All reps", id="filter-rep", compact=True)
            yield Select([(s, s) for s in LEAD_STATUSES], prompt="Any status", id="filter-status", compact=True)
        yield LeadTable(id="leads-table")
        yield Static("Loading leads…", id="leads-status", classes="lead-status")
        yield footer()

    def on_screen_resume(self) -> None:
        # Agreements, reps and leads may have changed on another screen, or in a form or detail closed over this one.
        self._load_choices()
        self.reload()

    def reload(self) -> None:
        self.query_one(LeadTable).load(self.filters(), keep=True)

    def changed(self) -> None:
        self._load_choices()
        self.reload()

    # ---- filters ----------------------------------------------------------------------------

    def filters(self) -> dict[str, Any]:
        def chosen(select_id: str) -> Any:
            value = self.query_one(select_id, Select).value
            return None if value is Select.NULL else value

        return {
            "text": self.query_one("#filter-text", Input).value.strip() or None,
            "agreement_id": chosen("#filter-agreement"),
            "rep_id": chosen("#filter-rep"),
            "status": chosen("#filter-status"),
        }

    @on(Input.Changed, "#filter-text")
    def _typed(self) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(FILTER_DELAY, self._apply_filters)

    @on(Select.Changed, "#lead-filters Select")
    def _apply_filters(self) -> None:
        self.query_one(LeadTable).load(self.filters())

    @on(Input.Submitted, "#filter-text")
    def action_focus_table(self) -> None:
        self.query_one(LeadTable).focus()

    def action_filter(self) -> None:
        self.query_one("#filter-text", Input).focus()

    # Names and ids from plain rows: building models here would cost the first visit a validator build.
    @work(thread=True, group="leads-choices")
    def _load_choices(self) -> None:
        with self.app.data.store() as store:
            agreements = [(cells.text(terms.name), terms.id) for terms in store.list_terms()]
            reps = [(cells.text(row["name"]), row["id"]) for row in store.rep_rows()]
        self.app.call_from_thread(self._show_choices, agreements, reps)

    def _show_choices(self, agreements: list[Choice], reps: list[Choice]) -> None:
        if (agreements, reps) == self._choices:
            return
        self._choices = (agreements, reps)
        for select_id, options in (("#filter-agreement", agreements), ("#filter-rep", reps)):
            select = self.query_one(select_id, Select)
            current = select.value
            with select.prevent(Select.Changed):
                select.set_options(options)
                if any(value == current for _, value in options):
                    select.value = current

    @on(LeadTable.Loaded)
    def _show_count(self, event: LeadTable.Loaded) -> None:
        self.rows_shown()  # e.g. "lead: edit" from the palette
        if event.total is None:
            text = f"{event.shown:,} leads shown, counting…"
        elif event.total == 0:
            text = "No leads match: change the filter (/), or log a handoff with n."
        elif event.shown < event.total:
            text = f"{event.shown:,} of {event.total:,} leads shown: moving past the last row loads the next page"
        else:
            text = f"{event.total:,} leads"
        self.query_one("#leads-status", Static).update(text)

    # ---- actions on leads -------------------------------------------------------------------

    def current_lead(self) -> Row | None:
        lead = self.query_one(LeadTable).selected
        if lead is None:
            self.notify("No lead selected.", severity="warning")
        return lead

    def rows_in(self) -> bool:
        table = self.query_one(LeadTable)
        return table.total is not None or bool(table.row_count)

    @on(DataTable.RowSelected)
    def action_open(self) -> None:
        from slatui.tui.screens.lead_detail import LeadDetailScreen

        if (lead := self.current_lead()) is not None:
            self.app.push_screen(LeadDetailScreen(lead["id"]))

    def action_new(self) -> None:
        self.open_lead_form(None, self.filters()["agreement_id"])

    def action_log_attempt(self) -> None:
        if (lead := self.current_lead()) is not None:
            from slatui.tui.forms.attempt import open_log_attempt

            open_log_attempt(self, lead)

    def action_delete(self) -> None:
        if (lead := self.current_lead()) is None:
            return
        count = lead["attempts"]
        attempts = f" and its {count} attempt{'s' if count > 1 else ''}" if count else ""

        def answered(answer: str | None) -> None:
            if answer == "delete":
                self.write(lambda store: store.delete_lead(lead["id"]), lambda _: f"Deleted lead {lead['name']}")

        question = f"Delete lead {cells.markup(lead['name'])} (#{lead['id']}){attempts}? You can undo it with u."
        # "Keep" comes first, so it has the focus and enter alone deletes nothing.
        answers = [("keep", "Keep"), ("delete", "Delete lead")]
        from slatui.tui.forms.base import ConfirmScreen

        self.app.push_screen(ConfirmScreen(question, answers, danger="delete"), answered)
