"""First run on an empty database: load demo data, or write the first agreement."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, ProgressBar, Static

from slatui.errors import SlatuiError
from slatui.tui.widgets.cells import markup
from slatui.tui.screens.base import footer

DEMO_LEADS = 1500
# Progress is posted to the event loop in batches: one call per lead would slow the load down.
_PROGRESS_STEP = 50

WELCOME = (
    "[b]Welcome to slatui[/b]\n\n"
    "slatui keeps the promise between marketing and sales honest: marketing hands off a number of qualified "
    "leads a month, sales follows each one up fast (within the agreed business time) and deep (enough "
    "attempts), and the charts say whether each side keeps its word.\n\n"
    "This database is empty. Load six months of demo data to look around, or write your first agreement.\n\n"
    "[$text-muted]Keys: 1–6 switch screens, ? lists the keys of the screen you are on, ctrl+p finds every "
    "command.[/]"
)


class WelcomeScreen(ModalScreen[str | None]):
    """Dismisses with "demo" once demo data is loaded, "agreement" to write one, None to start empty."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "demo", "Load demo", id="welcome.demo"),
        Binding("a", "agreement", "First agreement", id="welcome.agreement"),
        Binding("escape", "dismiss(None)", "Start empty", id="welcome.close"),
    ]

    def __init__(self, *, load_now: bool = False):
        super().__init__()
        self.load_now = load_now
        self.loading = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool:
        # While the demo loads, no key may start it again or close the screen under the worker.
        return not self.loading

    def compose(self) -> ComposeResult:
        with Vertical(id="welcome-frame"):
            yield Static(WELCOME, id="welcome-text")
            with Horizontal(id="welcome-buttons"):
                yield Button("Load demo data (d)", id="demo", variant="primary")
                yield Button("First agreement (a)", id="agreement")
                yield Button("Start empty (esc)", id="close")
            yield ProgressBar(total=DEMO_LEADS, id="welcome-progress")
            yield Static(id="welcome-status")
        yield footer()

    def on_mount(self) -> None:
        if self.load_now:
            self.action_demo()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.run_action({"demo": "demo", "agreement": "agreement", "close": "dismiss(None)"}[event.button.id])

    def action_agreement(self) -> None:
        self.dismiss("agreement")

    def action_demo(self) -> None:
        self.loading = True
        self.refresh_bindings()
        self.query_one("#welcome-buttons").display = False
        self.query_one("#welcome-progress").display = True
        self.query_one("#welcome-status", Static).update("Loading demo data…")
        self._load_demo()

    def _failed(self, error: SlatuiError) -> None:
        self.loading = False
        self.refresh_bindings()
        self.query_one("#welcome-status", Static).update(f"[red]{markup(error)}[/red] (escape closes)")

    @work(thread=True, exclusive=True, group="demo")
    def _load_demo(self) -> None:
        from slatui.demo import generate_demo

        bar = self.query_one("#welcome-progress", ProgressBar)
        done = 0

        def progress(step: int) -> None:
            nonlocal done
            done += step
            if done % _PROGRESS_STEP == 0:
                self.app.call_from_thread(bar.update, progress=done)

        try:
            with self.app.data.store() as store:
                counts = generate_demo(store, leads=DEMO_LEADS, now=self.app.now(), progress=progress)
        except SlatuiError as exc:
            self.app.call_from_thread(self._failed, exc)
            return
        self.app.call_from_thread(
            self.app.notify,
            f"Demo loaded: {counts['agreements']} agreements, {counts['reps']} reps, {counts['leads']} leads.",
        )
        self.app.call_from_thread(self.dismiss, "demo")
