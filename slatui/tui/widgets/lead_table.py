"""Tables of leads keyed by lead id: a shared base and the paged table of the Leads screen."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from rich.console import Console, ConsoleOptions
from rich.measure import Measurement
from rich.segment import Segment
from rich.text import Text
from textual import work
from textual.message import Message
from textual.widgets import DataTable

from slatui.tui.widgets import cells

Row = dict[str, Any]
Prepared = list[tuple[Row, "RowLine"]]  # rows with their lines, ready to show
# Between two columns: DataTable's cell padding, one space either side.
GAP = "  "


class RowLine:
    """A table row drawn as one cell: each column's text cut (with its ellipsis) or padded to the column's
    width, GAP apart, as a table of one cell per column draws it.

    DataTable sends every cell through Rich's layout (padding, styles, line splitting), ≈ 0.15 ms a cell
    whatever its size: nine columns made a screenful of leads (34 rows at 120×40) cost ≈ 50 ms of the event
    loop at each page-down, one cell a row about a tenth of that. The line is one Text (made where the rows
    are loaded), turned into segments on its first draw; few objects a row, for the garbage collector
    walks them all."""

    __slots__ = ("_text", "_segments", "width")

    def __init__(self, cells: Iterable[Text], widths: tuple[int, ...]):
        aligned = []
        for cell, width in zip(cells, widths):
            cell = cell.copy()
            cell.align("right" if cell.justify == "right" else "left", width)
            aligned.append(cell)
        # join() keeps each cell's own style as a span of the row (render() alone would drop it).
        self._text: Text | None = Text(GAP).join(aligned)
        self._segments: list[Segment] | None = None
        self.width = sum(widths) + len(GAP) * (len(widths) - 1)

    @property
    def plain(self) -> str:
        return self._text.plain if self._text is not None else "".join(segment.text for segment in self._segments)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> list[Segment]:
        if self._segments is None:
            self._segments, self._text = list(self._text.render(console)), None
        return self._segments

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(self.width, self.width)


class LeadRowsTable(DataTable):
    """A row-cursor table of store rows; a reload keeps the cursor on the lead it was on. Each row is one
    cell, a `RowLine` of the COLUMNS, made with `prepare` in the worker that loaded the rows: on the event
    loop, 500 rows' cells (nine Texts each, local times) cost as much again as adding them."""

    # (column key, label, width)
    COLUMNS: ClassVar[tuple[tuple[str, str, int], ...]] = ()

    def __init__(self, *, id: str | None = None):
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.rows_by_id: dict[int, Row] = {}

    def on_mount(self) -> None:
        widths = [width for _, _, width in self.COLUMNS]
        header = GAP.join(label[:width].ljust(width) for (_, label, width) in self.COLUMNS)
        self.add_column(Text(header), key="row", width=sum(widths) + len(GAP) * (len(widths) - 1))

    @staticmethod
    def cells(row: Row) -> Iterable[Text]:
        """The row's cells, one per column of COLUMNS."""
        raise NotImplementedError

    @classmethod
    def prepare(cls, rows: Iterable[Row]) -> Prepared:
        """Rows with their lines, for `show` (any thread: it reads nothing of the widget)."""
        widths = tuple(width for _, _, width in cls.COLUMNS)
        return [(row, RowLine(cls.cells(row), widths)) for row in rows]

    @property
    def selected(self) -> Row | None:
        if not self.row_count:
            return None
        row_key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        return self.rows_by_id.get(int(row_key.value))

    def show(self, rows: Prepared, *, append: bool = False) -> None:
        if append:
            self._add(rows)
            return
        if [row["id"] for row, _ in rows] == list(self.rows_by_id):
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

    def _update(self, rows: Prepared) -> None:
        """The same leads in the same order (a refresh): rewrite only the rows that changed, cheaper on the
        event loop than clearing and adding them all again."""
        for row, line in rows:
            if row != self.rows_by_id[row["id"]]:
                self.rows_by_id[row["id"]] = row
                self.update_cell(str(row["id"]), "row", line)

    def _add(self, rows: Prepared) -> None:
        for row, line in rows:
            self.rows_by_id[row["id"]] = row
            self.add_row(line, key=str(row["id"]))


class LeadTable(LeadRowsTable):
    """Leads a page at a time (never the whole table): the next page loads while the cursor is still
    PREFETCH rows from the last one, so paging down does not stop to wait for it."""

    PAGE_SIZE = 200
    PREFETCH = 100
    APPEND_ROWS = 50
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

    @staticmethod
    def cells(row: Row) -> Iterable[Text]:
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
        self.app.call_from_thread(self._show_page, generation, filters, self.prepare(rows), before is not None, limit)

    @work(thread=True, group="lead-count")
    def _count(self, generation: int, filters: dict[str, Any]) -> None:
        with self.app.data.store() as store:
            total = store.count_leads(**filters)
        self.app.call_from_thread(self._show_total, generation, total)

    def _show_page(self, generation: int, filters: dict[str, Any], rows: Prepared, more: bool, limit: int) -> None:
        if generation != self._generation:
            return
        if more:
            self._append(generation, rows, len(rows) < limit)
            return
        self._loading = False
        self._exhausted = len(rows) < limit
        self.total = None
        self.show(rows)
        self.post_message(self.Loaded(self.row_count, self.total))
        # Counted once the first page is up: with a text filter on a big table this scan is the slow part.
        self._count(generation, filters)

    def _append(self, generation: int, rows: Prepared, last: bool) -> None:
        """The next page, APPEND_ROWS at a time, one batch after each screen refresh: the rows go below what is
        shown, and no turn of the event loop adds them all (200 rows: 15 ms, on top of drawing the frame).
        Still loading meanwhile, so no other page is asked for."""
        if generation != self._generation:  # reloaded meanwhile: its rows replace these
            return
        self.show(rows[:self.APPEND_ROWS], append=True)
        if len(rows) > self.APPEND_ROWS:
            self.call_after_refresh(self._append, generation, rows[self.APPEND_ROWS:], last)
            return
        self._loading = False
        self._exhausted = last
        self.post_message(self.Loaded(self.row_count, self.total))

    def _show_total(self, generation: int, total: int) -> None:
        if generation == self._generation:
            self.total = total
            self.post_message(self.Loaded(self.row_count, total))
