"""Tables of leads keyed by lead id: a shared base and the paged table of the Leads screen."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.message import Message
from textual.widgets import DataTable

from slatui.tui.widgets import cells

Row = dict[str, Any]


class LeadRowsTable(DataTable):
    """A row-cursor table of store rows; a reload keeps the cursor on the lead it was on."""

    # (column key, label, width or None to fit the content)
    COLUMNS: ClassVar[tuple[tuple[str, str, int | None], ...]] = ()

    def __init__(self, *, id: str | None = None):
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.rows_by_id: dict[int, Row] = {}

    def on_mount(self) -> None:
        for key, label, width in self.COLUMNS:
            self.add_column(Text(label), key=key, width=width)

    def cells(self, row: Row) -> Iterable[Text]:
        raise NotImplementedError

    @property
    def selected(self) -> Row | None:
        if not self.row_count:
            return None
        row_key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        return self.rows_by_id.get(int(row_key.value))

    def show(self, rows: Iterable[Row], *, append: bool = False) -> None:
        if append:
            self._add(rows)
            return
        rows = list(rows)
        if [row["id"] for row in rows] == list(self.rows_by_id):
            self._update(rows)
            return
        previous, index = self.selected, self.cursor_row
        self.clear()
        self.rows_by_id.clear()
        self._add(rows)
        if previous is not None and previous["id"] in self.rows_by_id:
            index = self.get_row_index(str(previous["id"]))
        if self.row_count:
            self.move_cursor(row=min(index, self.row_count - 1))

    def _update(self, rows: list[Row]) -> None:
        """The same leads in the same order (a refresh): rewrite only the rows that changed, cheaper on the
        event loop than clearing and adding them all again."""
        for row in rows:
            if row != self.rows_by_id[row["id"]]:
                self.rows_by_id[row["id"]] = row
                for (column, _, width), cell in zip(self.COLUMNS, self.cells(row)):
                    self.update_cell(str(row["id"]), column, cell, update_width=width is None)

    def _add(self, rows: Iterable[Row]) -> None:
        for row in rows:
            self.rows_by_id[row["id"]] = row
            self.add_row(*self.cells(row), key=str(row["id"]))


class LeadTable(LeadRowsTable):
    """Leads a page at a time (never the whole table): the next page loads while the cursor is still
    PREFETCH rows from the last one, so paging down does not stop to wait for it."""

    PAGE_SIZE = 200
    PREFETCH = 100
    # Sized to fit 120 columns; longer names end in an ellipsis.
    COLUMNS = (
        ("id", "Id", 6),
        ("name", "Name", 15),
        ("company", "Company", 10),
        ("agreement", "Agreement", 13),
        ("rep", "Rep", 13),
        ("handed_off_at", "Handed off", 16),
        ("response", "Response", 8),
        ("attempts", "Attempts", 8),
        ("status", "Status", 12),
    )

    class Loaded(Message):
        """Rows shown so far and, once counted, how many match the filters."""

        def __init__(self, shown: int, total: int | None):
            super().__init__()
            self.shown = shown
            self.total = total

    def __init__(self, *, id: str | None = None):
        super().__init__(id=id)
        self.filters: dict[str, Any] = {}
        self.total: int | None = None
        self._generation = 0  # bumped by each reload so a late page of an old query is dropped
        self._exhausted = False
        self._loading = False

    def cells(self, row: Row) -> Iterable[Text]:
        return (
            Text(str(row["id"]), justify="right"),
            cells.text(row["name"], "bold"),
            cells.text(row["company"]),
            cells.text(row["agreement"]),
            cells.text(row["rep"]),
            cells.text(cells.local_time(row["handed_off_at"], row["tz"])),
            Text(cells.duration(row["response_seconds"]), justify="right"),
            Text(str(row["attempts"]), justify="right"),
            cells.status(row["status"]),
        )

    def load(self, filters: dict[str, Any] | None = None, *, keep: bool = False) -> None:
        """Load from the top: new `filters`, or `keep` to refresh as many rows as are shown now."""
        if filters is not None:
            self.filters = filters
        self._generation += 1
        self._loading = True
        limit = max(self.PAGE_SIZE, self.row_count) if keep else self.PAGE_SIZE
        self._fetch(self._generation, dict(self.filters), None, limit)

    def load_more(self) -> None:
        if not (self._loading or self._exhausted) and self.rows_by_id:
            self._loading = True
            last = next(reversed(self.rows_by_id.values()))
            self._fetch(self._generation, dict(self.filters), (last["handed_off_at"], last["id"]), self.PAGE_SIZE)

    def on_data_table_row_highlighted(self) -> None:
        # The current cursor, not the event's: a reload's clear() posts highlights of rows now gone.
        if self.row_count and self.cursor_row >= self.row_count - self.PREFETCH:
            self.load_more()

    # Pages and counts are separate groups: in a group the latest worker wins (SlatuiApp.call_from_thread),
    # and the next page must not drop the count of the first.
    @work(thread=True, group="lead-page")
    def _fetch(self, generation: int, filters: dict[str, Any], before: tuple[int, int] | None, limit: int) -> None:
        """A page from the top (`before` None) or the page after the lead whose sort key is `before`."""
        if generation != self._generation:  # a newer load was asked for before this one began
            return
        with self.app.data.store() as store:
            rows = store.lead_rows(**filters, limit=limit, before=before)
        self.app.call_from_thread(self._show_page, generation, filters, rows, before is not None, limit)

    @work(thread=True, group="lead-count")
    def _count(self, generation: int, filters: dict[str, Any]) -> None:
        with self.app.data.store() as store:
            total = store.count_leads(**filters)
        self.app.call_from_thread(self._show_total, generation, total)

    def _show_page(self, generation: int, filters: dict[str, Any], rows: list[Row], more: bool, limit: int) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self._exhausted = len(rows) < limit
        if not more:
            self.total = None
        self.show(rows, append=more)
        self.post_message(self.Loaded(self.row_count, self.total))
        if not more:
            # Counted once the first page is up: with a text filter on a big table this scan is the slow part.
            self._count(generation, filters)

    def _show_total(self, generation: int, total: int) -> None:
        if generation == self._generation:
            self.total = total
            self.post_message(self.Loaded(self.row_count, total))
