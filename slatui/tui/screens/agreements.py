"""Agreements (4): the SLAs with their targets and this month's verdict; new, edit and delete."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Header, Static

from slatui.display import leads_to_date, number, percent, share, short_of
from slatui.errors import SlatuiError
from slatui.metrics import local_now, month_report
from slatui.models import Agreement
from slatui.parsing import format_duration, format_local
from slatui.store import Store
from slatui.terms import describe_version
from slatui.tui.forms.agreement import AgreementForm
from slatui.tui.forms.base import ConfirmScreen
from slatui.tui.screens.base import AppScreen, RunsWhenLoaded, footer
from slatui.tui.widgets.cells import markup
from slatui.tui.widgets.folding_table import Column, FoldingTable


def _month(store: Store, agreement: Agreement, now: datetime) -> tuple[str, str]:
    """This month's verdict in the agreement's zone (short, for the table) and its figures (for the details)."""
    local = local_now(agreement, now)
    report = month_report(store, agreement, local.year, local.month, now)
    volume, speed, depth = report["volume"], report["speed"], report["depth"]
    figures = " · ".join((
        f"leads {volume['actual']}/{volume['goal']} (to date {leads_to_date(volume['goal_to_date'])})",
        "speed: nothing decided yet" if speed["compliance"] is None
        else f"speed {percent(speed['compliance'], speed['threshold'])} in time (target {share(speed['threshold'])})",
        "depth: no unreached leads" if depth["mean_attempts"] is None
        else f"depth {number(depth['mean_attempts'], depth['min_attempts'], 1)} attempts (min {depth['min_attempts']})",
    ))
    status, short = report["month_status"], short_of(report)
    if status == "not_tracked":
        return "— no data", figures
    if status == "in_progress":
        return ("on track" if not short else "behind: " + ", ".join(short)), figures
    return ("✗ " + ", ".join(short) if short else "✓ met"), figures


def agreement_row(store: Store, agreement: Agreement, now: datetime,
                  recomputing: tuple[int, int] | None = None) -> tuple[tuple[str, ...], str]:
    """The table cells of one agreement, and the details shown when it is selected. While its leads are
    recomputed (`recomputing` is (done, total)), the month's figures are not settled: the verdict says so."""
    t, c = agreement.targets, agreement.calendar
    verdict, figures = _month(store, agreement, now)
    if recomputing is not None:
        done, total = recomputing
        verdict = f"recomputing {done * 100 // max(total, 1)}%"
        figures += f"\nRecomputing its leads after an edit: {done} of {total} done"
    cells = (
        agreement.name,
        agreement.status,
        agreement.kind,
        " → ".join(p.name for p in agreement.parties),
        f"{t.lead_goal}/mo · {format_duration(t.respond_within_seconds)} · {share(t.compliance_threshold)} · "
        f"≥{t.min_attempts}",
        verdict,
    )
    period = ", ".join(
        f"{label} {day}" for label, day in
        (("from", agreement.effective_from), ("to", agreement.effective_to), ("review", agreement.review_date)) if day
    )
    holidays = ", ".join([*c.holiday_countries, *map(str, c.holiday_dates)]) or "none"
    versions = store.terms(agreement.id).versions
    history = "; ".join(f"from {later.from_month}: {describe_version(later, earlier)}"
                        for earlier, later in zip(versions, versions[1:]))
    details = "\n".join((
        f"[b]{markup(agreement.name)}[/b]  {agreement.kind}, {agreement.status}{', ' + period if period else ''}",
        markup(agreement.summary) or "[dim]no summary[/dim]",
        f"Parties: {markup(' → '.join(p.name for p in agreement.parties))}",
        f"Targets: {t.lead_goal} leads a month; first attempt within {format_duration(t.respond_within_seconds)} "
        f"of business time on {share(t.compliance_threshold)} of leads; at least {t.min_attempts} attempts"
        f"{'' if not t.cadence else ', gaps ' + t.cadence}; cancellable after {t.miss_limit} missed months",
        f"Clock: {c.tz} (now {format_local(now.timestamp(), c.tz, '%H:%M')}), "
        f"{c.hours or '24×7 (no working hours)'}, holidays {holidays}",
        *((f"Terms changed {history}",) if history else ()),
        f"This month: {figures}",
    ))
    return cells, details


Row = tuple[int, tuple[str, ...], str]


class AgreementTable(FoldingTable):
    """Agreements by row key = id; keeps the cursor on the same agreement across reloads. The details of the
    selected row go below the table, so 80 columns need only the name, this month's verdict and the targets."""

    COLUMNS = (
        Column("name", "Name", 16, grow=True),
        Column("status", "Status", 8, fold=3),
        Column("kind", "Kind", 10, fold=4),
        Column("parties", "Parties", 14, fold=2, grow=True),
        Column("targets", "Targets", 22, fold=1),
        Column("month", "This month", 22, grow=True),
    )

    def __init__(self, *, id: str | None = None):
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)

    def show(self, rows: list[Row]) -> None:
        selected = self.selected_id()
        self.clear()
        for agreement_id, cells, _ in rows:
            self.add_cells(str(agreement_id), map(markup, cells))  # str cells are markup; names are not
        if selected is not None and str(selected) in self.rows:
            self.move_cursor(row=self.get_row_index(str(selected)))

    def selected_id(self) -> int | None:
        if not self.row_count:
            return None
        return int(self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value)


def load_rows(app, status: str | None = None) -> list[Row]:
    """(id, cells, details) for each agreement; call from a thread worker."""
    now = app.now()
    with app.data.store() as store, store.snapshot():  # one state of the file: an agreement deleted meanwhile is gone
        recomputing = store.recomputing()
        return [(a.id, *agreement_row(store, a, now, recomputing.get(a.id)))
                for a in store.list_agreements(status=status)]


class AgreementsScreen(RunsWhenLoaded, AppScreen):
    TITLE = "Agreements"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "New", id="agreements.new"),
        Binding("e", "edit", "Edit", id="agreements.edit"),
        Binding("x", "delete", "Delete", id="agreements.delete"),
        Binding("r", "app.go('reps')", "Reps", id="agreements.reps"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.details: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield AgreementTable(id="agreements")
        yield Static("", id="agreement-details", classes="details")
        yield footer()

    def on_screen_resume(self) -> None:
        self.load()

    def on_data_changed(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="agreements-load")
    def load(self) -> None:
        rows = load_rows(self.app)
        self.app.call_from_thread(self._show, rows)

    def _show(self, rows: list[Row]) -> None:
        self.details = {str(agreement_id): details for agreement_id, _, details in rows}
        self.query_one(AgreementTable).show(rows)
        if not rows:
            self.query_one("#agreement-details", Static).update("No agreements yet: press n to write the first one.")
        self.rows_shown()

    @on(DataTable.RowHighlighted)
    def _show_details(self, event: DataTable.RowHighlighted) -> None:
        self.query_one("#agreement-details", Static).update(self.details.get(event.row_key.value, ""))

    def _selected(self, action: str) -> int | None:
        if self.waits_for_rows(action):  # e.g. "agreement: edit" from the palette
            return None
        agreement_id = self.query_one(AgreementTable).selected_id()
        if agreement_id is None:
            self.notify("No agreement selected: press n to write one.", severity="warning")
        return agreement_id

    # ---- new / edit -------------------------------------------------------------------------

    def action_new(self) -> None:
        self.app.push_screen(AgreementForm(), self._saved)

    @on(DataTable.RowSelected)
    def action_edit(self) -> None:
        if (agreement_id := self._selected("edit")) is not None:
            self._open_editor(agreement_id)

    @work(thread=True, group="agreements-edit")
    def _open_editor(self, agreement_id: int) -> None:
        # Read fresh from the store: the row may show an older copy.
        try:
            with self.app.data.store() as store:
                agreement = store.get_agreement(agreement_id)
        except SlatuiError as exc:  # e.g. deleted from the command line meanwhile
            self.app.call_from_thread(self._failed, exc)
            return
        self.app.call_from_thread(self.app.push_screen, AgreementForm(agreement), self._saved)

    def _saved(self, agreement: Agreement | None) -> None:
        if agreement is not None:
            self.notify(f"Saved agreement '{markup(agreement.name)}'.")

    def _failed(self, error: SlatuiError) -> None:
        self.notify(markup(error), severity="error")
        self.load()

    # ---- delete -----------------------------------------------------------------------------

    def action_delete(self) -> None:
        if (agreement_id := self._selected("delete")) is not None:
            self._ask_delete(agreement_id)

    @work(thread=True, group="agreements-delete")
    def _ask_delete(self, agreement_id: int) -> None:
        try:
            with self.app.data.store() as store:
                agreement = store.get_agreement(agreement_id)
                leads = store.count_leads_of_agreement(agreement_id)
        except SlatuiError as exc:
            self.app.call_from_thread(self._failed, exc)
            return
        name = markup(agreement.name)
        if leads:
            question = (
                f"Delete agreement '{name}'?\n\nIt has {leads} leads. Deleting it deletes them too, "
                "with all their attempts. This cannot be undone."
            )
            answers = [("cancel", "Keep it"), ("cascade", f"Delete it and its {leads} leads")]
        else:
            question = f"Delete agreement '{name}'? It has no leads."
            answers = [("cancel", "Keep it"), ("delete", "Delete")]

        def answered(answer: str | None) -> None:
            if answer in ("delete", "cascade"):
                self._delete(agreement, cascade=answer == "cascade")

        screen = ConfirmScreen(question, answers, danger=answers[1][0])
        self.app.call_from_thread(self.app.push_screen, screen, answered)

    @work(thread=True, group="agreements-delete")
    def _delete(self, agreement: Agreement, *, cascade: bool) -> None:
        try:
            with self.app.data.store() as store:
                store.delete_agreement(agreement.id, cascade=cascade)
        except SlatuiError as exc:  # e.g. leads were logged since the question was asked
            self.app.call_from_thread(self._failed, exc)
            return
        self.app.call_from_thread(self.notify, f"Deleted agreement '{markup(agreement.name)}'.")
        self.app.call_from_thread(self.load)
