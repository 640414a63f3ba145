"""What every screen of the app shares: `? Help` first in a compact footer, so 80 columns show it; the message
that tells the visible screen the file changed."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer

# [ and ] take one footer entry on the screens that step through agreements.
AGREEMENT_KEYS = Binding.Group("Agreement", compact=True)
# The app's six screens by key (the app binds them; a read-only modal binds them too, see `Viewer`).
SCREENS = ("dashboard", "queue", "leads", "agreements", "charts", "calculator")


class DataChanged(Message, bubble=False):
    """The file changed since the app last looked (a write of the app's own or of another process): a screen that
    shows stored data reloads it (`on_data_changed`)."""


class AppScreen(Screen[None]):
    """A full screen of the app. The footer lists the focused widget's keys, then the screen's (this class's
    `? Help` before a subclass's own), then the app's; the app's `?` binding does the same thing."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("question_mark", "app.help", "Help", id="screen.help")]


class Viewer:
    """A screen pushed over a screen of the app to look at something (the help, a scorecard): the keys 1–6 close it
    and open their screen, so the key always does what it says and coming back shows the screen, not this one.
    A modal viewer binds them itself, as a modal screen takes no app keys."""

    GO_BINDINGS: ClassVar[list[BindingType]] = [
        Binding(str(number), f"app.go('{mode}')", show=False) for number, mode in enumerate(SCREENS, 1)
    ]


def footer() -> Footer:
    """The footer of every screen: compact, so more keys fit in 80 columns."""
    return Footer(compact=True)
