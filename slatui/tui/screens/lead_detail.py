"""One lead's facts and its attempt timeline, over the screen it was opened from."""

from __future__ import annotations

import math
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from slatui.errors import SlatuiError
from slatui.store import to_epoch
from slatui.tui.forms.attempt import open_log_attempt
from slatui.tui.widgets import cells


class LeadDetailScreen(ModalScreen[None]):
    """The facts and attempt timeline of one lead; `a` logs another attempt on it."""

    BINDINGS: ClassVar[list[BindingType]] = [
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
            yield DataTable(id="timeline", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#timeline", DataTable)
        for label in ("When (local)", "After handoff", "Channel", "Outcome", "Rep", "Note"):
            table.add_column(label, key=label)

    def on_screen_resume(self) -> None:
        # On opening, and when the attempt form over it closes.
        self._load()

    @work(thread=True, group="lead-detail")
    def _load(self) -> None:
        now_ts = self.app.now().timestamp()
        try:
            with self.app.data.store() as store:
                lead = store.get_lead(self.lead_id)
                terms, calendar = store.clock(lead.agreement_id)
                rep = store.get_rep(lead.rep_id).name if lead.rep_id is not None else None
                attempts = store.attempts_of(self.lead_id)
        except SlatuiError as exc:  # e.g. deleted from the CLI meanwhile
            self.app.call_from_thread(self._gone, str(exc))
            return
        handoff = to_epoch(lead.handed_off_at)
        target = terms.respond_within_seconds
        # Rounded up as the store rounds the deadline it keeps on the lead row.
        deadline = math.ceil(calendar.deadline(handoff, target))
        tz = terms.tz
        facts = [
            ("Company", cells.text(lead.company)),
            ("Email", cells.text(lead.email)),
            ("Tier · source", cells.text(f"{lead.tier or cells.MISSING} · {lead.source}")),
            ("Value", cells.text(None if lead.value is None else f"{lead.value:,.2f}")),
            ("Agreement", cells.text(terms.name)),
            ("Rep", cells.text(rep)),
            ("Handed off", cells.text(f"{cells.local_time(handoff, tz)} {tz}")),
            ("Deadline", cells.text(cells.local_time(deadline, tz))),
            ("Status", cells.status(lead.status)),
            ("Speed", cells.speed_status(lead.response_seconds, cells.time_left(deadline, now_ts, calendar), target)),
            ("Attempts", cells.text(f"{lead.attempt_count} of {terms.min_attempts} minimum · "
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
        title = Text.assemble((lead.name, "bold"), f" (#{lead.id})")
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
        table = self.query_one("#timeline", DataTable)
        table.clear()
        table.add_rows(timeline)

    def _gone(self, message: str) -> None:
        self.notify(message, severity="error", markup=False)
        self.dismiss()

    def action_log_attempt(self) -> None:
        if self.lead_ref is not None:
            open_log_attempt(self, self.lead_ref)

    def action_close(self) -> None:
        self.dismiss()
