"""What every screen of the app shares: `? Help` first in a compact footer, so 80 columns show it; the message
that tells the visible screen the file changed."""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen

from slatui.tui.widgets.keys_footer import KeysFooter

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

    _suspended = False

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Textual restyles every widget of a screen each time it is shown, twice on a mode's first visit (two
        # resumes): 10-25 ms of the event loop each at 1M... but until the screen is first put away its widgets
        # have the styles they were given as they mounted (a theme change restyles the screen shown). Runs
        # before Screen's own handler, which reads the flag.
        if not self._suspended:
            event.refresh_styles = False

    def _on_screen_suspend(self) -> None:
        self._suspended = True

    def _compositor_refresh(self) -> None:
        # Renders of the whole screen that the terminal never gets (8-50 ms each at 1M): switching screens holds
        # the terminal's updates back for 50 ms (App.delay_update), then repaints the whole screen, yet Textual
        # renders the new screen as it resumes (dropped by App._display), again if that render is put off until
        # the batch is over, and once more when a layout is due in the same update as the repaint. Each is left
        # to the repaint: the next update draws the whole screen.
        if self is self.app.screen and not self.app.is_inline:
            if self.app._batch_count:
                self.refresh()
                return
            if self._repaint_required:
                return
        super()._compositor_refresh()


class RunsWhenLoaded:
    """For a screen of rows: an action asked for before its first rows are shown (from the palette, right after a
    mode switch) runs once they are (`rows_shown`), rather than finding nothing selected."""

    _pending_action: str | None = None
    _rows_in = False

    def rows_in(self) -> bool:
        return self._rows_in

    def run_when_loaded(self, action: str) -> None:
        """Run one of this screen's actions now, or once the first rows are in."""
        if not self.waits_for_rows(action):
            self.call_later(self.run_action, action)

    def waits_for_rows(self, action: str) -> bool:
        """Whether `action` is kept for when the first rows are in (an action's own check, first thing)."""
        if self.rows_in():
            return False
        self._pending_action = action
        return True

    def rows_shown(self) -> None:
        self._rows_in = True
        if self._pending_action is not None:
            action, self._pending_action = self._pending_action, None
            self.call_later(self.run_action, action)


class Viewer:
    """A screen pushed over a screen of the app to look at something (the help, a scorecard): the keys 1–6 close it
    and open their screen, so the key always does what it says and coming back shows the screen, not this one.
    A modal viewer binds them itself, as a modal screen takes no app keys."""

    GO_BINDINGS: ClassVar[list[BindingType]] = [
        Binding(str(number), f"app.go('{mode}')", show=False) for number, mode in enumerate(SCREENS, 1)
    ]


def footer() -> KeysFooter:
    """The footer of every screen."""
    return KeysFooter()
