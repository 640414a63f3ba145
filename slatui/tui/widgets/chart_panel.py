"""A plotext chart in the app: one of slatui.charts' `draw_*` functions on textual-plotext's widget."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.content import Content
from textual_plotext import PlotextPlot


class ChartPanel(PlotextPlot):
    """Draws with slatui.charts and shows the chart's title on the panel's top border.

    plotext drops a title wider than the plot (the long ones vanish at 80 columns); a border
    title is cut with an ellipsis instead. The plot's colours follow the app theme ("auto").
    """

    _drawing: tuple[Callable[..., None], tuple[Any, ...]] | None = None

    def show(self, draw: Callable[..., None], *args: Any) -> None:
        self._drawing = (draw, args)
        plt = self.plt
        # A fresh figure: a bar chart's ticks and limits must not leak into the next drawing.
        plt.clear_figure()
        # Its size now, not only at render: the charts keep room above the data for the legend, in rows.
        plt.plotsize(self.size.width, self.size.height)
        draw(plt, *args)
        self.border_title = Content(plt.monitor.title or "")  # Content: names are text, not markup
        plt.title(None)
        self.refresh()

    def on_resize(self) -> None:
        if self._drawing is not None:
            draw, args = self._drawing
            self.show(draw, *args)
