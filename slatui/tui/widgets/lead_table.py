"""Tables of leads keyed by lead id: a shared base and the paged table of the Leads screen."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from rich.console import Console, ConsoleOptions
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets._data_table import RowKey

from slatui.tui.widgets import cells
from slatui.tui.widgets.folding_table import SCROLLBAR_WIDTH, Column, fit

Row = dict[str, Any]
# The columns shown (their positions in COLUMNS) and their widths.
Layout = tuple[tuple[int, ...], tuple[int, ...]]
# Rows with their cells and their lines for a layout, ready to show.
Prepared = list[tuple[Row, tuple[Text, ...], Layout, "RowLine"]]
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

    def segments(self, console: Console) -> list[Segment]:
        if self._segments is None:
            self._segments, self._text = list(self._text.render(console)), None
        return self._segments

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> list[Segment]:
        return self.segments(console)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(self.width, self.width)


class LeadRowsTable(DataTable):
    """A row-cursor table of store rows; a reload keeps the cursor on the lead it was on.

    Its COLUMNS fold away by priority to fit the width (`folding_table.fit`): at 80 columns the ones that matter
    stay. Each row is drawn as one cell, a `RowLine` of the columns shown, made by `prepare` in the worker that
    loaded the rows: on the event loop, 500 rows' cells (nine Texts each, local times) cost as much again as
    adding them. The table keeps every row's cells, so a resize re-lays it out without a reload."""

    COLUMNS: ClassVar[tuple[Column, ...]] = ()
    # A row is one cell the table's width: there is nothing to scroll sideways, so Home and End go to the first and
    # the last row (DataTable's scroll sideways; its ctrl+home and ctrl+end do this).
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("home", "scroll_top", "First row", show=False),
        Binding("end", "scroll_bottom", "Last row", show=False),
    ]

    def __init__(self, *, id: str | None = None):
        # Before DataTable's, which clears its caches, and these with them.
        self._drawn_rows: LRUCache[tuple, list[list[Segment]]] = LRUCache(1000)
        self._row_styles: dict[tuple, tuple[Style, Style, Style, Style]] = {}
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.rows_by_id: dict[int, Row] = {}
        self._cells: dict[int, tuple[Text, ...]] = {}  # every row's cells, in COLUMNS order
        self._layout: Layout = ((), ())  # (positions in COLUMNS of the columns shown, their widths)

    def _render_line_in_row(self, row_key: RowKey, line_no: int, base_style: Style, cursor_location: Coordinate,
                            hover_location: Coordinate) -> tuple[list, list[list[Segment]]]:
        """A row as DataTable draws it, for less: a page-down drew every row shown through Rich's layout again
        (≈ 0.3 ms a row, 10 ms a screenful at each key), as DataTable's caches are keyed by the cursor's place
        and by a count of changes that each page of rows added bumps. Here a row is kept until its line, its
        place, its highlights or the styles change."""
        if row_key is self._header_row_key:
            return super()._render_line_in_row(row_key, line_no, base_style, cursor_location, hover_location)
        row_index = self._row_locations.get(row_key)
        line = next(iter(self._data[row_key].values()))
        cursor, hover = cursor_location.row == row_index, hover_location.row == row_index
        key = (line, row_index, cursor, hover, base_style, self.show_cursor, self._show_hover_cursor,
               self.size.width, self._pseudo_class_state)
        drawn = self._drawn_rows.get(key)
        if drawn is None:
            row_style, pre, post, extend = self._styles_of_row(row_index, cursor, hover, base_style)
            pre = row_style + Style.from_meta({"row": row_index, "column": 0}) + pre
            cell = [Segment(" ", pre + post)]
            cell.extend(Segment(text, pre + style + post) for text, style, _ in line.segments(self.app.console))
            cell.append(Segment(" ", pre + post))
            remaining = max(0, self.size.width - sum(column.get_render_width(self) for column in self.ordered_columns))
            drawn = [cell, [Segment(" " * remaining, extend + Style.from_meta(
                {"row": row_index, "column": 0, "out_of_bounds": True}))]]
            self._drawn_rows[key] = drawn
        return [], drawn

    def render_lines(self, crop: Region) -> list[Strip]:
        self._frame_style = self.rich_style  # read once a frame: DataTable reads it for each line (it walks the DOM)
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        # DataTable's, for a table without fixed rows, in the frame's style.
        scroll_x, scroll_y = self.scroll_offset
        if y >= (self.header_height if self.show_header else 0):
            y += scroll_y
        return self._render_line(y, scroll_x, scroll_x + self.size.width, self._frame_style)

    def _styles_of_row(self, row_index: int, cursor: bool, hover: bool, base_style: Style
                       ) -> tuple[Style, Style, Style, Style]:
        """The row's style (its stripe), the cell's styles before and after its own, and the style of the blank
        right of the cell: DataTable's, which reads them from the CSS anew for each line it draws."""
        key = (row_index % 2, cursor, hover, base_style, self.show_cursor, self._show_hover_cursor)
        if key not in self._row_styles:
            row_style = self._get_row_style(row_index, base_style)
            flags = (self.show_cursor, self._show_hover_cursor, self.cursor_foreground_priority == "css",
                     self.cursor_background_priority == "css")
            pre, post = self._get_styles_to_render_cell(False, False, False, hover, cursor, *flags)
            self._row_styles[key] = (row_style, pre, post, row_style + pre)
        return self._row_styles[key]

    def _clear_caches(self) -> None:
        super()._clear_caches()
        self._forget_drawn()

    def notify_style_update(self) -> None:
        self._forget_drawn()
        super().notify_style_update()

    def _forget_drawn(self) -> None:
        self._drawn_rows.clear()
        self._row_styles.clear()

    def on_mount(self) -> None:
        # A first guess (the screen's width) until the first resize says how wide the table really is.
        self._lay_out(self.app.size.width)

    def on_resize(self, event: events.Resize) -> None:
        self._lay_out(event.size.width)

    @property
    def shown_columns(self) -> list[str]:
        return [self.COLUMNS[n].key for n in self._layout[0]]

    def _lay_out(self, width: int) -> None:
        fitted = fit(self.COLUMNS, width - SCROLLBAR_WIDTH, len(GAP))
        layout = (tuple(self.COLUMNS.index(column) for column, _ in fitted), tuple(w for _, w in fitted))
        if layout == self._layout:
            return
        self._layout = layout
        row = self.cursor_row
        super().clear(columns=True)
        header = GAP.join(self.COLUMNS[n].label[:w].ljust(w) for n, w in zip(*layout))
        self.add_column(Text(header), key="row", width=len(header))
        for lead_id, row_cells in self._cells.items():
            self.add_row(_line(row_cells, layout), key=str(lead_id))
        if self.row_count:
            self.move_cursor(row=min(row, self.row_count - 1))

    @staticmethod
    def cells(row: Row) -> Iterable[Text]:
        """The row's cells, one per column of COLUMNS."""
        raise NotImplementedError

    def prepare(self, rows: Iterable[Row]) -> Prepared:
        """Rows with their cells and their lines for the layout of the moment, for `show` (any thread: it only
        reads the layout; a line made for a layout gone by is made again when shown)."""
        layout = self._layout
        prepared = []
        for row in rows:
            row_cells = tuple(self.cells(row))
            prepared.append((row, row_cells, layout, _line(row_cells, layout)))
        return prepared

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
        if [row["id"] for row, *_ in rows] == list(self.rows_by_id):
            self._update(rows)
            return
        previous, index = self.selected, self.cursor_row
        self.clear()
        self.rows_by_id.clear()
        self._cells.clear()
        self._add(rows)
        if previous is not None and previous["id"] in self.rows_by_id:
            index = self.get_row_index(str(previous["id"]))
        if self.row_count:
            self.move_cursor(row=min(index, self.row_count - 1))

    def update_rows(self, rows: Prepared) -> None:
        """Redraw these rows, all of them shown now, in place (a countdown's tick)."""
        self._update(rows)

    def _update(self, rows: Prepared) -> None:
        """The same leads in the same order (a refresh): rewrite only the rows that changed, cheaper on the
        event loop than clearing and adding them all again."""
        for row, row_cells, layout, line in rows:
            if row != self.rows_by_id[row["id"]]:
                self.rows_by_id[row["id"]] = row
                self._cells[row["id"]] = row_cells
                self.update_cell(str(row["id"]), "row", self._current(row_cells, layout, line))

    def _add(self, rows: Prepared) -> None:
        for row, row_cells, layout, line in rows:
            self.rows_by_id[row["id"]] = row
            self._cells[row["id"]] = row_cells
            self.add_row(self._current(row_cells, layout, line), key=str(row["id"]))

    def _current(self, row_cells: tuple[Text, ...], layout: Layout, line: RowLine) -> RowLine:
        return line if layout == self._layout else _line(row_cells, self._layout)


def _line(row_cells: tuple[Text, ...], layout: Layout) -> RowLine:
    picks, widths = layout
    return RowLine([row_cells[n] for n in picks], widths)


class LeadTable(LeadRowsTable):
    """Leads a page at a time (never the whole table): the next page loads while the cursor is still
    PREFETCH rows from the last one, so paging down does not stop to wait for it."""

    PAGE_SIZE = 200
    PREFETCH = 100
    APPEND_ROWS = 50
    # 80 columns show id, name, handoff, response, attempts and status; 120 show them all.
    COLUMNS = (
        Column("id", "Id", 6),
        Column("name", "Name", 12, grow=True),
        Column("company", "Company", 10, fold=4, grow=True),
        Column("agreement", "Agreement", 11, fold=2, grow=True),
        Column("rep", "Rep", 11, fold=3, grow=True),
        Column("handed_off_at", "Handed off", cells.TIME_WIDTH, fold=1),
        Column("response", "Response", 8),
        Column("attempts", "Attempts", 8),
        Column("status", "Status", 12),
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
        self._load_more_if_near_the_end()

    def _load_more_if_near_the_end(self) -> None:
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
        # A refresh can leave the cursor on the last row with more to come (a lead brought back by an undo):
        # Down there moves nothing, so no highlight would ask for them.
        self._load_more_if_near_the_end()
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
