"""One lead's facts, its attempt timeline and its history, over the screen it was opened from: correct the lead
or an attempt, close or reopen it, and undo the last change made here."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from slatui.changes import describe_row, store_namer
from slatui.errors import SlatuiError
from slatui.parsing import format_local
from slatui.store import to_epoch
from slatui.text import printable
from slatui.tui.forms.attempt import AttemptForm, open_log_attempt
from slatui.tui.forms.base import ConfirmScreen
from slatui.tui.forms.close import CLOSES
from slatui.tui.screens.base import footer
from slatui.tui.screens.editing import LeadEdits, lead_bindings, undo_binding
from slatui.tui.widgets import cells
from slatui.tui.widgets.folding_table import Column, FoldingTable

# The newest changes shown, and the rows shown of each (an import's are many); `slatui history` has the rest.
HISTORY_CHANGES = 20
HISTORY_ROWS = 4


class Timeline(FoldingTable):
    """A lead's attempts, oldest first; at 80 columns the rep folds away, then the note."""

    COLUMNS = (
        Column("at", "When", cells.TIME_WIDTH),
        Column("after", "After handoff", 13),
        Column("channel", "Channel", 7, fold=2),
        Column("outcome", "Outcome", 14),
        Column("rep", "Rep", 12, fold=3, grow=True),
        Column("note", "Note", 10, fold=1, grow=True),
    )


def history_text(changes: list[dict[str, Any]], names: Any, tz: str, lead_id: int, attempt_ids: list[int]) -> Text:
    """The changes as lines: when (on the lead's clock), who, from where and what; then each of their rows that
    concerns the lead (an import's rows on other leads, reps and agreements left out), old → new."""

    def concerns(row: dict[str, Any]) -> bool:
        if row["last_id"] is None:
            return row["lead_id"] == lead_id
        if row["table"] == "leads":  # a bulk insert, logged as an id range
            return row["id"] <= lead_id <= row["last_id"]
        return row["table"] == "attempts" and any(row["id"] <= a <= row["last_id"] for a in attempt_ids)

    text = Text()
    for change in changes:
        if text:
            text.append("\n")
        text.append(f"{format_local(change['at'], tz)} · {printable(change['user'])} · {printable(change['origin'])}"
                    f" · {printable(change['summary'])}", "dim")
        if change["undone_by"]:
            text.append(" · undone", "yellow")
        rows = [row for row in change["rows"] if concerns(row)]
        for row in rows[:HISTORY_ROWS]:
            text.append("\n  " + printable(describe_row(row, names, undo=change["undoes"] is not None)))
        if len(rows) > HISTORY_ROWS:
            more = len(rows) - HISTORY_ROWS
            text.append(f"\n  … and {more} more row{'s' if more > 1 else ''}", "dim")
    return text


class LeadDetailScreen(LeadEdits, ModalScreen[None]):
    """The facts, attempt timeline and history of one lead."""

    TITLE = "Lead details"
    AUTO_FOCUS = "#timeline"
    BINDINGS: ClassVar[list[BindingType]] = [
        # A modal screen does not pass keys on to the app's bindings: `?` is its own here.
        Binding("question_mark", "app.help", "Help", id="detail.help"),
        Binding("escape,q", "close_detail", "Back", id="detail.close"),
        Binding("a", "log_attempt", "Log attempt", id="detail.log"),
        *lead_bindings("detail"),
        Binding("o", "reopen", "Reopen", id="detail.reopen"),
        Binding("enter", "edit_attempt", "Edit attempt", id="detail.edit_attempt"),
        Binding("d,delete", "delete_attempt", "Delete attempt", id="detail.delete_attempt"),
        undo_binding("detail"),
    ]

    def __init__(self, lead_id: int):
        super().__init__()
        self.lead_id = lead_id
        self.lead_ref: dict[str, Any] | None = None  # id, name, tz, rep, status: for the forms and the keys
        self.attempts: dict[str, dict[str, Any]] = {}  # the timeline's rows by key (the attempt's id)

    def compose(self) -> ComposeResult:
        with Vertical(id="detail-frame"):
            yield Static(f"Lead #{self.lead_id}", id="detail-title", classes="screen-title")
            # Scrolls (tab to it) when the history does not fit: at 80×24 it starts below the timeline.
            with VerticalScroll(id="detail-body"):
                yield Static("Loading…", id="detail-facts")
                yield Static("Attempts", id="timeline-title", classes="section-title")
                yield Timeline(id="timeline", cursor_type="row", zebra_stripes=True)
                yield Static("History", id="history-title", classes="section-title")
                yield Static("", id="history")
        yield footer()

    def on_screen_resume(self) -> None:
        # On opening, and when a form over it closes.
        self.changed()

    def changed(self) -> None:
        self._load()

    @work(thread=True, group="lead-detail")
    def _load(self) -> None:
        now_ts = self.app.now().timestamp()
        try:
            with self.app.data.store() as store, store.snapshot():
                lead = store.get_lead(self.lead_id)
                clock = store.clock(lead.agreement_id, to_epoch(lead.handed_off_at))
                agreement = store.agreement_terms(lead.agreement_id).name
                rep = store.get_rep(lead.rep_id).name if lead.rep_id is not None else None
                attempts = store.attempts_of(self.lead_id)
                changes = store.history(lead_id=self.lead_id, limit=HISTORY_CHANGES + 1)
                names = store_namer(store)
                tz = clock.version.tz
                history = history_text(changes[:HISTORY_CHANGES], names, tz, lead.id, [a["id"] for a in attempts])
        except SlatuiError as exc:  # e.g. deleted from the CLI meanwhile
            self.app.call_from_thread(self._gone, str(exc))
            return
        if len(changes) > HISTORY_CHANGES:
            history.append(f"\nOlder changes: slatui history --lead {self.lead_id}", "dim")
        calendar, target = clock.calendar, clock.target
        handoff, deadline = to_epoch(lead.handed_off_at), to_epoch(lead.deadline_at)
        facts = [
            ("Company", cells.text(lead.company)),
            ("Email", cells.text(lead.email)),
            ("Tier · source", cells.text(f"{lead.tier or cells.MISSING} · {lead.source}")),
            ("Value", cells.text(None if lead.value is None else f"{lead.value:,.2f}")),
            ("Agreement", cells.text(agreement)),
            ("Rep", cells.text(rep)),
            ("Handed off", cells.text(f"{cells.local_time(handoff, tz)} ({tz})")),
            ("Deadline", cells.text(cells.local_time(deadline, tz))),
            ("Status", cells.status(lead.status)),
            ("Speed", cells.speed_status(lead.response_seconds, cells.time_left(deadline, now_ts, calendar), target)),
            ("Attempts", cells.text(f"{lead.attempt_count} of {clock.version.min_attempts} minimum · "
                                    f"{'connected' if lead.connected else 'not connected'}")),
        ]
        if lead.closed_as is not None:
            closed = [CLOSES[lead.closed_as], cells.local_time(to_epoch(lead.closed_at), tz)]
            if lead.revenue is not None:
                closed.append(f"revenue {lead.revenue:,.2f}")
            if lead.close_reason:
                closed.append(lead.close_reason)
            facts.append(("Closed", cells.text(" · ".join(closed))))
        timeline = {
            str(a["id"]): (a, (
                cells.text(cells.local_time(a["at"], tz)),
                Text(cells.duration(calendar.business_seconds_between(handoff, a["at"])), justify="right"),
                cells.text(a["channel"]),
                cells.text(a["outcome"].replace("_", " "), "bold"),
                cells.text(a["rep"]),
                cells.text(a["note"]),
            ))
            for a in attempts
        }
        title = Text.assemble((printable(lead.name), "bold"), f" (#{lead.id})")
        ref = {"id": lead.id, "name": lead.name, "tz": tz, "rep_id": lead.rep_id, "rep": rep,
               "closed_as": lead.closed_as}
        self.app.call_from_thread(self._show, ref, title, facts, timeline, history)

    def _show(self, lead_ref: dict[str, Any], title: Text, facts: list[tuple[str, Text]],
              timeline: dict[str, tuple[dict[str, Any], tuple[Text, ...]]], history: Text) -> None:
        self.lead_ref = lead_ref
        self.query_one("#detail-title", Static).update(title)
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column()
        for label, value in facts:
            grid.add_row(label, value)
        self.query_one("#detail-facts", Static).update(grid)
        self.query_one("#timeline-title", Static).update(
            f"Attempts ({len(timeline)}): enter edits, d deletes" if timeline else "Attempts: none yet (a to log one)"
        )
        table = self.query_one(Timeline)
        row = table.cursor_row
        table.clear()
        self.attempts = {key: attempt for key, (attempt, _) in timeline.items()}
        for key, (_, row_cells) in timeline.items():
            table.add_cells(key, row_cells)
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        self.query_one("#history", Static).update(history or Text("No changes recorded.", "dim"))
        self.refresh_bindings()

    def _gone(self, message: str) -> None:
        self.notify(message, severity="error", markup=False)
        self.dismiss()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reopen":
            return self.lead_ref is not None and self.lead_ref["closed_as"] is not None
        if action in ("edit_attempt", "delete_attempt"):
            return bool(self.attempts)
        return super().check_action(action, parameters)

    def current_lead(self) -> dict[str, Any] | None:
        return self.lead_ref  # None only while the first load runs

    def action_log_attempt(self) -> None:
        if self.lead_ref is not None:
            open_log_attempt(self, self.lead_ref)

    def _highlighted_attempt(self) -> dict[str, Any] | None:
        table = self.query_one(Timeline)
        if self.lead_ref is None or not table.row_count:
            return None
        return self.attempts.get(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    @on(DataTable.RowSelected, "#timeline")
    def action_edit_attempt(self) -> None:
        if (attempt := self._highlighted_attempt()) is not None:
            self.open_form(AttemptForm(self.lead_ref, attempt), lambda saved: f"Saved attempt #{saved.id}")

    def action_delete_attempt(self) -> None:
        if (attempt := self._highlighted_attempt()) is None:
            return
        what = (f"attempt #{attempt['id']} ({attempt['outcome'].replace('_', ' ')}, "
                f"{cells.local_time(attempt['at'], self.lead_ref['tz'])})")

        def answered(answer: str | None) -> None:
            if answer == "delete":
                self.write(lambda store: store.delete_attempt(attempt["id"]), lambda _: f"Deleted {what}")

        # "Keep" first: it has the focus, so enter alone deletes nothing.
        self.app.push_screen(ConfirmScreen(f"Delete {what} of {cells.markup(self.lead_ref['name'])}? "
                                           "You can undo it with u.", [("keep", "Keep"), ("delete", "Delete attempt")],
                                           danger="delete"), answered)

    def action_close_detail(self) -> None:
        self.dismiss()
