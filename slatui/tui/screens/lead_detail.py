"""One lead's facts and its attempt timeline, over the screen it was opened from."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from slatui.errors import SlatuiError
from slatui.store import to_epoch
from slatui.text import printable
from slatui.tui.forms.attempt import open_log_attempt
from slatui.tui.widgets import cells
from slatui.tui.widgets.folding_table import Column, FoldingTable
from slatui.tui.screens.base import footer


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


class LeadDetailScreen(ModalScreen[None]):
    """The facts and attempt timeline of one lead; `a` logs another attempt on it."""

    TITLE = "Lead details"
    BINDINGS: ClassVar[list[BindingType]] = [
        # A modal screen does not pass keys on to the app's bindings: `?` is its own here.
        Binding("question_mark", "app.help", "Help", id="detail.help"),
        Binding("escape,q", "close", "Close", id="detail.close"),
        Binding("a", "log_attempt", "Log attempt", id="detail.log"),
    ]

    def __init__(self, lead_id: int):
        super().__init__()
        self.lead_id = lead_id
        self.lead_ref: dict[str, Any] | None = None  # id, name and tz, for the attempt form

    def compose(self) -> ComposeResult:
        with Vertical(id="detail-frame"):
            yield Static(f"Lead #{self.lead_id}", id="detail-title", classes="screen-title")
            yield Static("Loading…", id="detail-facts")
            yield Static("Attempts", id="timeline-title", classes="section-title")
            yield Timeline(id="timeline", cursor_type="row", zebra_stripes=True)
        yield footer()

    def on_screen_resume(self) -> None:
        # On opening, and when the attempt form over it closes.
        self._load()

    @work(thread=True, group="lead-detail")
    def _load(self) -> None:
        now_ts = self.app.now().timestamp()
        try:
            with self.app.data.store() as store:
                lead = store.get_lead(self.lead_id)
                clock = store.clock(lead.agreement_id, to_epoch(lead.handed_off_at))
                agreement = store.agreement_terms(lead.agreement_id).name
                rep = store.get_rep(lead.rep_id).name if lead.rep_id is not None else None
                attempts = store.attempts_of(self.lead_id)
        except SlatuiError as exc:  # e.g. deleted from the CLI meanwhile
            self.app.call_from_thread(self._gone, str(exc))
            return
        calendar, target, tz = clock.calendar, clock.target, clock.version.tz
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
        if lead.status == "customer":
            facts.append(("Revenue", cells.text(None if lead.revenue is None else f"{lead.revenue:,.2f}")))
        timeline = [
            (
                cells.text(cells.local_time(a["at"], tz)),
                Text(cells.duration(calendar.business_seconds_between(handoff, a["at"])), justify="right"),
                cells.text(a["channel"]),
                cells.text(a["outcome"].replace("_", " "), "bold"),
                cells.text(a["rep"]),
                cells.text(a["note"]),
            )
            for a in attempts
        ]
        title = Text.assemble((printable(lead.name), "bold"), f" (#{lead.id})")
        self.app.call_from_thread(self._show, {"id": lead.id, "name": lead.name, "tz": tz}, title, facts, timeline)

    def _show(self, lead_ref: dict[str, Any], title: Text, facts: list[tuple[str, Text]], timeline: list) -> None:
        self.lead_ref = lead_ref
        self.query_one("#detail-title", Static).update(title)
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column()
        for label, value in facts:
            grid.add_row(label, value)
        self.query_one("#detail-facts", Static).update(grid)
        self.query_one("#timeline-title", Static).update(
            f"Attempts ({len(timeline)})" if timeline else "Attempts: none yet (a to log one)"
        )
        table = self.query_one(Timeline)
        table.clear()
        for n, attempt in enumerate(timeline):
            table.add_cells(str(n), attempt)

    def _gone(self, message: str) -> None:
        self.notify(message, severity="error", markup=False)
        self.dismiss()

    def action_log_attempt(self) -> None:
        if self.lead_ref is not None:
            open_log_attempt(self, self.lead_ref)

    def action_close(self) -> None:
        self.dismiss()
