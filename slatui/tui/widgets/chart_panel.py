"""A plotext chart in the app: one of slatui.charts' `draw_*` functions on textual-plotext's widget."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import work
from textual.app import RenderResult
from textual.content import Content
from textual_plotext import PlotextPlot
from textual_plotext.plot import Plot

# plotext keeps module-wide state while it builds a chart: one build at a time, whichever panel, on one
# figure for all (a built figure holds a list per character of the chart, walked by every garbage collection).
_BUILDING = threading.Lock()
_builder: Plot | None = None

Drawing = tuple[Callable[..., None], tuple[Any, ...]]


class ChartPanel(PlotextPlot):
    """Draws with slatui.charts and shows the chart's title on the panel's top border.

    plotext drops a title wider than the plot (the long ones vanish at 80 columns); a border
    title is cut with an ellipsis instead. The plot's colours follow the app theme ("auto").

    Turning the drawing into text (plotext's build, 20-70 ms at 120×40) runs in a thread, on a figure of its
    own: on the event loop it stalled every key of the charts screen. Until a chart is built for the panel's
    size, the panel shows the one it had (or nothing); `plt` holds the drawing itself (its title, its data).
    """

    def __init__(self, *, id: str | None = None):
        super().__init__(id=id)
        self._drawing: Drawing | None = None
        self._version = 0  # bumped by each drawing, so a build of an older one is never shown
        self._chart: tuple[tuple, Text] | None = None  # (what it was built for, the chart)
        self._building: tuple | None = None

    def show(self, draw: Callable[..., None], *args: Any) -> None:
        plt = self.plt
        # A fresh figure: a bar chart's ticks and limits must not leak into the next drawing.
        plt.clear_figure()
        # Its size now, not only at render: the charts keep room above the data for the legend, in rows.
        plt.plotsize(self.size.width, self.size.height)
        draw(plt, *args)
        self.border_title = Content(plt.monitor.title or "")  # Content: names are text, not markup
        plt.title(None)
        self._drawing = (draw, args)
        self._version += 1
        self.refresh()

    def render(self) -> RenderResult:
        if self._drawing is None:
            return Text()
        wanted = (self._version, self.size.width, self.size.height, self._get_plotext_theme_name(self.app.theme))
        if (self._chart is None or self._chart[0] != wanted) and self._building != wanted:
            self._building = wanted
            self._build(wanted, self._drawing)
        return self._chart[1] if self._chart is not None else Text()

    @work(thread=True, group="chart-build")
    def _build(self, wanted: tuple, drawing: Drawing) -> None:
        _, width, height, theme = wanted
        self.app.call_from_thread(self._built, wanted, self.build(drawing, width, height, theme))

    def build(self, drawing: Drawing, width: int, height: int, theme: str) -> Text:
        """The drawing as text at this size and theme (what PlotextPlot.render does, on the builders' figure)."""
        global _builder
        draw, args = drawing
        with _BUILDING:
            plt = _builder = _builder or Plot()
            plt.clear_figure()
            # The size first: the charts keep room above the data for the legend, in rows of this size.
            plt.plotsize(width, height)
            draw(plt, *args)
            plt.title(None)  # on the border instead
            plt._set_size(width, height)  # as PlotextPlot.render does: resizing needs both
            plt.theme(theme)
            return Text.from_ansi(plt.build())

    def _built(self, wanted: tuple, chart: Text) -> None:
        self._chart = (wanted, chart)
        if self._building == wanted:
            self._building = None
        self.refresh()

    def on_resize(self) -> None:
        if self._drawing is not None:
            draw, args = self._drawing
            self.show(draw, *args)
