"""Reps: who works the leads, their team and weekly capacity, whether they take new work, and the open leads on
their desk; add, rename, change team or capacity, deactivate or reactivate. Inactive reps keep their history and
leave the pick lists of the lead and attempt forms."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Header, Static

from slatui.errors import SlatuiError
from slatui.tui.forms.rep import RepForm
from slatui.tui.screens.base import AppScreen, RunsWhenLoaded, footer
from slatui.tui.screens.editing import Edits, undo_binding
from slatui.tui.widgets import cells
from slatui.tui.widgets.folding_table import Column, FoldingTable


class RepTable(FoldingTable):
    DEFAULT_CSS = """
    RepTable {
        height: auto;
        max-height: 1fr;
    }
    """
    COLUMNS = (
        Column("name", "Name", 16, grow=True),
        Column("team", "Team", 10, grow=True),
        Column("capacity", "Leads a week", 12),
        Column("active", "Active", 6),
        Column("open", "Open leads", 10),
    )

    def __init__(self, *, id: str | None = None):
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)

    def selected_key(self) -> str | None:
        if not self.row_count:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value


class RepsScreen(Edits, RunsWhenLoaded, AppScreen):
    TITLE = "Reps"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "New rep", id="reps.new"),
        Binding("e", "edit", "Edit", id="reps.edit"),
        # One key, shown as what it does to the highlighted rep.
        Binding("d", "set_active(False)", "Deactivate", id="reps.deactivate"),
        Binding("d", "set_active(True)", "Reactivate", id="reps.reactivate"),
        undo_binding("reps"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.reps: dict[str, dict[str, Any]] = {}  # by row key (the rep's id), with their open leads

    def compose(self) -> ComposeResult:
        yield Header()
        yield RepTable(id="reps")
        yield Static("Loading reps…", id="reps-status", classes="details")
        yield footer()

    def on_screen_resume(self) -> None:
        self.changed()

    def changed(self) -> None:
        self._load()

    @work(thread=True, group="reps-load")
    def _load(self) -> None:
        with self.app.data.store() as store, store.snapshot():
            reps = store.rep_rows()
            open_leads = store.open_leads_by_rep()
        self.app.call_from_thread(self._show, [{**rep, "open": open_leads.get(rep["id"], 0)} for rep in reps])

    def _show(self, reps: list[dict[str, Any]]) -> None:
        table = self.query_one(RepTable)
        selected, row = table.selected_key(), table.cursor_row
        table.clear()
        self.reps = {str(rep["id"]): rep for rep in reps}
        for key, rep in self.reps.items():
            style = "" if rep["active"] else "dim"
            table.add_cells(key, (
                cells.text(rep["name"], f"bold {style}"), cells.text(rep["team"], style),
                Text(str(rep["weekly_capacity"]), style, justify="right"),
                Text("yes" if rep["active"] else "no", style), Text(f"{rep['open']:,}", style, justify="right"),
            ))
        if selected in self.reps:
            row = table.get_row_index(selected)
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        active = sum(bool(rep["active"]) for rep in reps)
        self.query_one("#reps-status", Static).update(
            f"{len(reps)} reps, {active} active · inactive reps keep their leads, attempts and figures, and leave the "
            "pick lists of the lead and attempt forms" if reps else "No reps yet: press n to add the first one.")
        self.refresh_bindings()
        self.rows_shown()

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self.refresh_bindings()  # Deactivate or Reactivate

    def _highlighted_rep(self) -> dict[str, Any] | None:
        return self.reps.get(self.query_one(RepTable).selected_key() or "") if self.reps else None

    def _selected(self, action: str) -> dict[str, Any] | None:
        if self.waits_for_rows(action):  # e.g. "rep: edit" from the palette
            return None
        if (rep := self._highlighted_rep()) is None:
            self.notify("No rep selected: press n to add one.", severity="warning")
        return rep

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "set_active":
            rep = self._highlighted_rep()
            return rep is None or bool(rep["active"]) != parameters[0]
        return super().check_action(action, parameters)

    def action_new(self) -> None:
        self.open_form(RepForm(), lambda rep: f"Added rep {rep.name}")

    @on(DataTable.RowSelected)
    def action_edit(self) -> None:
        if (rep := self._selected("edit")) is not None:
            self._open_editor(rep["id"])

    @work(thread=True, group="reps-form")
    def _open_editor(self, rep_id: int) -> None:
        try:
            with self.app.data.store() as store:
                rep = store.get_rep(rep_id)
        except SlatuiError as exc:  # e.g. renamed away from the command line meanwhile
            self.failed(exc)
            return
        self.app.call_from_thread(self.open_form, RepForm(rep), lambda saved: f"Saved rep {saved.name}")

    def action_toggle_active(self) -> None:
        if (rep := self._selected("toggle_active")) is not None:
            self.action_set_active(not rep["active"])

    def action_set_active(self, active: bool) -> None:
        if (rep := self._selected(f"set_active({active})")) is None:
            return
        if active:
            done = f"Reactivated {rep['name']}: new leads and attempts can go to them again"
        else:
            done = f"Deactivated {rep['name']}: they keep their history and leave the pick lists"
            if count := rep["open"]:
                done += (f". Note: {count:,} open lead{'s are' if count != 1 else ' is'} still theirs: give "
                         f"{'them' if count != 1 else 'it'} to another rep (Leads, filter by rep, e on each)")
        self.write(lambda store: store.edit_rep(rep["id"], active=active), lambda _: done)
