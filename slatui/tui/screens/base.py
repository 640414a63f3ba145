"""What every screen of the app shares: `? Help` first in a compact footer, so 80 columns show it."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer

# [ and ] take one footer entry on the screens that step through agreements.
AGREEMENT_KEYS = Binding.Group("Agreement", compact=True)


class AppScreen(Screen[None]):
    """A full screen of the app. The footer lists the focused widget's keys, then the screen's (this class's
    `? Help` before a subclass's own), then the app's; the app's `?` binding does the same thing."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("question_mark", "app.help", "Help", id="screen.help")]


def footer() -> Footer:
    """The footer of every screen: compact, so more keys fit in 80 columns."""
    return Footer(compact=True)
