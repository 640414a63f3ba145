"""A DataTable that fits its width: columns fold away by priority and the growing ones share what is left.

At 80 columns the columns that matter stay (a lead's name, status and figures); wider terminals add the
rest and cut fewer names. The table keeps every row's cells, so a resize re-lays it out without a reload.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar, NamedTuple

from rich.text import Text
from textual import events
from textual.widgets import DataTable

# Kept free for the vertical scrollbar (see leads.tcss), which long tables show.
SCROLLBAR_WIDTH = 1


class Column(NamedTuple):
    key: str
    label: str
    width: int  # the least it is given; longer values end in an ellipsis
    fold: int = 0  # 0: always shown; else, when the width runs short, the highest folds away first
    grow: bool = False  # takes a share of the width left over


def fit(columns: Sequence[Column], width: int, padding: int) -> list[tuple[Column, int]]:
    """The columns shown in `width` cells (each also takes `padding`), in their order, with their widths."""
    shown = list(columns)

    def needed() -> int:
        return sum(column.width + padding for column in shown)

    for column in sorted((c for c in columns if c.fold), key=lambda c: -c.fold):
        if needed() <= width:
            break
        shown.remove(column)
    growing = [column for column in shown if column.grow]
    spare = max(0, width - needed())
    extra = {column.key: spare // len(growing) + (n < spare % len(growing)) for n, column in enumerate(growing)}
    return [(column, column.width + extra.get(column.key, 0)) for column in shown]


class FoldingTable(DataTable):
    """Rows are added with all their cells (in COLUMNS order); only the columns that fit are shown."""

    COLUMNS: ClassVar[tuple[Column, ...]] = ()

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._cells: dict[str, tuple[Any, ...]] = {}  # every row's cells, by row key
        self._layout: list[tuple[Column, int]] = []
        self._picks: list[int] = []  # the positions in COLUMNS of the columns shown

    def on_mount(self) -> None:
        # A first guess (the screen's width) until the first resize says how wide the table really is.
        self._lay_out(self.app.size.width)

    def on_resize(self, event: events.Resize) -> None:
        self._lay_out(event.size.width)

    @property
    def shown_columns(self) -> list[str]:
        return [column.key for column, _ in self._layout]

    def _lay_out(self, width: int) -> None:
        layout = fit(self.COLUMNS, width - SCROLLBAR_WIDTH, 2 * self.cell_padding)
        if layout == self._layout:
            return
        self._layout = layout
        self._picks = [self.COLUMNS.index(column) for column, _ in layout]
        row = self.cursor_row
        super().clear(columns=True)
        for column, column_width in layout:
            self.add_column(Text(column.label), key=column.key, width=column_width)
        for key, cells in self._cells.items():
            self.add_row(*self._shown(cells), key=key)
        if self.row_count:
            self.move_cursor(row=min(row, self.row_count - 1))

    def _shown(self, cells: Sequence[Any]) -> list[Any]:
        return [cells[n] for n in self._picks]

    def add_cells(self, key: str, cells: Iterable[Any]) -> None:
        self._cells[key] = tuple(cells)
        self.add_row(*self._shown(self._cells[key]), key=key)

    def update_cells(self, key: str, cells: Iterable[Any]) -> None:
        self._cells[key] = tuple(cells)
        for (column, _), cell in zip(self._layout, self._shown(self._cells[key])):
            self.update_cell(key, column.key, cell)

    def clear(self, columns: bool = False) -> FoldingTable:
        """Clear the rows (the columns follow the width, not the caller)."""
        self._cells.clear()
        return super().clear()
