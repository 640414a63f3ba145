"""The slatui Textual app: the shell around the screens (modes, global keys, themes, data, first run)."""

from __future__ import annotations

import asyncio
import gc
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from importlib import import_module
from pathlib import Path
from typing import Any, ClassVar
from weakref import WeakSet

from textual import events, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import NoActiveWorker, Worker, get_current_worker

from slatui.text import printable
from slatui.tui.commands import SlatuiCommands
from slatui.tui.data import Data
from slatui.tui.screens.base import Viewer
from slatui.tui.watch import FileWatch

DARK_THEME = "textual-dark"
SCREEN_KEYS = Binding.Group("Screens")
LIGHT_THEME = "textual-light"
# The store's setting that turns on the terminal bell when a lead of the queue falls overdue ("on", else off).
BELL_SETTING = "app.overdue_bell"
# The garbage collector's schedule (see SlatuiApp.on_load): the youngest generation is collected by Python every
# GC_YOUNG allocations (its default: 700); the older ones by the app, between turns of the event loop: the
# middle generation after GC_OLDER[0] collections of the youngest, the oldest after GC_OLDER[1] of the middle
# (Python's: 10 and 10) once no key or mouse event came for GC_IDLE seconds (else at twice as many); either
# waits while other callbacks are ready to run (at most until twice as many).
# GC_PERIOD: how often the app looks, in seconds.
GC_YOUNG, GC_OLDER, GC_IDLE, GC_PERIOD = 3_000, (4, 250), 1.0, 0.1
NEVER = 1 << 30  # a threshold Python never reaches


def _screen(module: str, name: str) -> Callable[[], Screen]:
    """A factory that imports its screen on first use, so start-up loads only the first screen's code."""

    def make() -> Screen:
        screen = getattr(import_module(f"slatui.tui.screens.{module}"), name)()
        # Textual re-applies the whole stylesheet when a mode's screen is first shown (App._init_mode, then
        # switch_mode: a new screen's CSS count is -1), re-parsing every stylesheet twice: 100-300 ms on the
        # event loop at each first visit. Once the app is up (a screen showing), the stylesheet holds the
        # theme's values and a new screen's widgets get their styles as they mount, as a pushed screen's do:
        # it starts up to date. The first screen keeps the refresh, which applies the theme; a theme change
        # still refreshes every screen.
        if screen.app.screen_stack:
            screen._css_update_count = screen.app._css_update_count
        return screen

    return make


class SlatuiApp(FileWatch):
    TITLE = "slatui"
    # Every stylesheet, read once at start-up: a screen's own CSS_PATH would be read app-wide anyway, but on
    # its first visit, re-parsing all the others with it.
    CSS_PATH: ClassVar[list[str]] = ["app.tcss", "forms.tcss", "leads.tcss", "charts.tcss"]
    COMMANDS = App.COMMANDS | {SlatuiCommands}
    # Mode -> (module in slatui.tui.screens, screen class).
    MODE_SCREENS: ClassVar[dict[str, tuple[str, str]]] = {
        "dashboard": ("dashboard", "DashboardScreen"),
        "queue": ("queue", "QueueScreen"),
        "leads": ("leads", "LeadsScreen"),
        "agreements": ("agreements", "AgreementsScreen"),
        "charts": ("charts", "ChartsScreen"),
        "calculator": ("calculator", "CalculatorScreen"),
        "reps": ("reps", "RepsScreen"),
    }
    MODES: ClassVar[dict[str, Callable[[], Screen]]] = {mode: _screen(*screen) for mode, screen in MODE_SCREENS.items()}
    DEFAULT_MODE = "dashboard"
    BINDINGS: ClassVar[list[BindingType]] = [
        # One footer entry for the six (the help screen lists each).
        Binding("1", "go('dashboard')", "Dashboard", id="go.dashboard", group=SCREEN_KEYS),
        Binding("2", "go('queue')", "Queue", id="go.queue", group=SCREEN_KEYS),
        Binding("3", "go('leads')", "Leads", id="go.leads", group=SCREEN_KEYS),
        Binding("4", "go('agreements')", "Agreements", id="go.agreements", group=SCREEN_KEYS),
        Binding("5", "go('charts')", "Charts", id="go.charts", group=SCREEN_KEYS),
        Binding("6", "go('calculator')", "Calculator", id="go.calculator", group=SCREEN_KEYS),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("ctrl+t", "toggle_theme", "Theme", id="app.toggle_theme", show=False),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True, show=False),
    ]

    def __init__(self, db_path: str | Path, *, clock: Callable[[], datetime] | None = None):
        super().__init__()
        self.data = Data(db_path)
        self._overtaken: WeakSet[Worker] = WeakSet()
        self._clock = clock or (lambda: datetime.now(timezone.utc))
        self.sub_title = printable(Path(db_path).name)
        # Ring the terminal bell with the queue's overdue notice (BELL_SETTING, read at start-up).
        self.overdue_bell = False
        self.theme = DARK_THEME
        self._last_input = time.monotonic()  # of a key or the mouse (see _collect_garbage)

    def now(self) -> datetime:
        """The current instant (aware UTC); tests freeze it."""
        return self._clock()

    def on_load(self) -> None:
        # sqlite3 lets go of the GIL at every step of a query; while another thread computes in Python, taking
        # it back waits out the switch interval each time (5 ms by default): beside a dashboard load, a page of
        # leads that takes 3 ms alone took 230 ms, and the event loop waits the same way. At 1 ms: 6 ms.
        sys.setswitchinterval(0.001)
        # The garbage collector stops every thread while it walks a generation. At Python's thresholds a session
        # on 1M leads ran a full collection every few seconds of use, 25-150 ms each (Textual leaves cyclic
        # garbage by the thousand at each restyle); at rarer ones the middle generation's collections (every
        # 30,000 allocations, 5-25 ms) still fell in the turns that build and draw a screen, in whichever thread
        # allocated last, and made them the longest stalls. So Python collects only the youngest generation
        # (1-5 ms), and the app the older ones on a timer, each a turn of the event loop by itself
        # (_collect_garbage): the middle one (3-15 ms) when due and nothing else is ready to run, a full
        # collection (80-100 ms after some minutes of use at 1M) when nobody is typing. The code loaded at
        # start-up is frozen out of every collection (_preload_screens). Python's thresholds are put back when
        # the app ends.
        self._gc_thresholds = gc.get_threshold()
        gc.set_threshold(GC_YOUNG, NEVER, NEVER)

    def on_mount(self) -> None:
        # The first screen mounts after the start-up refresh of the stylesheet, which Textual does not mark on
        # it: it would re-parse every stylesheet on the first return to it (see _screen).
        self.screen._css_update_count = self._css_update_count
        self._offer_welcome()
        self.call_after_refresh(self._preload_screens)
        self.start_watching()
        self.set_interval(GC_PERIOD, self._collect_garbage, name="collect garbage")

    def call_from_thread(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run `callback` on the event loop, unless the worker calling is stale; then drop it, returning None.

        Workers borrow connections of their own (see slatui.tui.data), so two loads of one screen can run at
        once and finish in either order. A worker is stale once cancelled (its screen closed, or an exclusive
        worker replaced it), or once a newer worker of the same node and group has reached the screen: within
        a group, the latest load wins and an older one never overwrites it.
        """
        try:
            worker = get_current_worker()
        except NoActiveWorker:
            return super().call_from_thread(callback, *args, **kwargs)

        def unless_stale() -> Any:
            if worker.is_cancelled or worker in self._overtaken:
                return None
            started = list(self.workers)  # oldest first
            for other in started[:started.index(worker)] if worker in started else ():
                if other.node is worker.node and other.group == worker.group:
                    self._overtaken.add(other)
            return callback(*args, **kwargs)

        return super().call_from_thread(unless_stale)

    def notify(self, message: str, *, title: str = "", **options: Any) -> None:
        """Every toast: names and the store's messages in it never reach the terminal as control characters."""
        super().notify(printable(message, keep="\n"), title=printable(title), **options)

    def on_unmount(self) -> None:
        self.data.close()
        gc.unfreeze()
        gc.set_threshold(*self._gc_thresholds)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            self._last_input = time.monotonic()
        await super().on_event(event)

    def _collect_garbage(self) -> None:
        """Collect the older generations when due (see on_load), in a turn of the event loop of its own."""
        _, young_runs, middle_runs = gc.get_count()
        # With other callbacks ready to run now (a screen being built, a frame to draw), a collection would make
        # that turn of the event loop longer: put off, for as long again at most.
        busy = self._loop_busy()
        idle = not busy and time.monotonic() - self._last_input >= GC_IDLE
        if middle_runs >= GC_OLDER[1] * (1 if idle else 2):
            gc.collect(2)
        elif young_runs >= GC_OLDER[0] * (2 if busy else 1):
            gc.collect(1)

    @staticmethod
    def _loop_busy() -> bool:
        """Whether other callbacks wait to run in this turn of the event loop (asyncio's loop keeps them in `_ready`;
        a loop without it counts as never busy)."""
        return bool(getattr(asyncio.get_running_loop(), "_ready", ()))

    @work(thread=True, group="preload")
    def _preload_screens(self) -> None:
        """Import the other screens' code in a thread once the first screen is drawn (on the event loop, a first
        visit spent 50-160 ms importing it: the leads screen's forms load pydantic, the charts plotext), then
        freeze what is loaded so far, which lives as long as the app, out of the garbage collector's walks."""
        for module in [*(f"screens.{module}" for module, _ in self.MODE_SCREENS.values()), "screens.lead_detail",
                       "forms.lead", "forms.attempt", "forms.agreement", "forms.snooze"]:
            import_module(f"slatui.tui.{module}")
        if not get_current_worker().is_cancelled:  # the app is ending: on_unmount may have unfrozen already
            gc.freeze()

    @work(thread=True, group="welcome")
    def _offer_welcome(self) -> None:
        with self.data.store() as store:
            empty = store.is_empty()
            bell = store.setting(BELL_SETTING) == "on"
        self.call_from_thread(setattr, self, "overdue_bell", bell)
        if empty:
            self.call_from_thread(self._welcome)

    # ---- actions ----------------------------------------------------------------------------

    async def action_go(self, mode: str) -> None:
        # A viewer over the screen (help, a scorecard) closes first: the key names a screen, and coming back to
        # this one later shows it, not the viewer.
        while isinstance(self.screen, Viewer) and len(self.screen_stack) > 1:
            await self.pop_screen()
        await self.switch_mode(mode)

    async def action_run_on(self, mode: str, action: str) -> None:
        """Open `mode` and run one of its screen's actions (used by the command palette)."""
        await self.action_go(mode)
        await self.run_action(action, self.screen)

    async def action_on_lead(self, action: str) -> None:
        """A `lead:` or `attempt:` command of the palette: on the lead the current screen shows or highlights (lead
        details, Leads, Queue), else on the Leads screen's highlighted lead, once its rows are in."""
        screen = self.screen
        if hasattr(screen, f"action_{action}"):
            await self.run_action(action, screen)
        elif action in ("edit_attempt", "delete_attempt"):
            self.notify("Open a lead first (enter on Leads or Queue): attempt commands act on its timeline.",
                        severity="warning")
        elif hasattr(screen, "current_lead"):  # a lead screen without it: not on another lead than the one shown
            self.notify(f"Not on {screen.title}: go to Leads (3) for it.", severity="warning")
        else:
            await self.switch_mode("leads")
            self.screen.run_when_loaded(action)

    async def action_undo_here(self) -> None:
        """Undo the last change made on the current screen (its `u`)."""
        if not await self.run_action("undo", self.screen):
            self.notify("Nothing to undo here: u undoes the last change made on this screen.", severity="warning")

    def action_help(self) -> None:
        from slatui.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.screen))

    def action_scorecard(self) -> None:
        """Months × targets of the agreement the current screen shows (else the first one), on its month if it
        shows one (else the latest)."""
        from slatui.tui.screens.scorecard import ScorecardScreen

        screen = self.screen
        self.push_screen(ScorecardScreen(getattr(screen, "agreement_id", None), getattr(screen, "month", None)))

    def action_import_file(self) -> None:
        from slatui.tui.screens.import_file import open_import

        open_import(self)

    def action_toggle_bell(self) -> None:
        """Ring the terminal bell, or not, when a lead of the queue falls overdue; remembered between runs."""
        self.overdue_bell = not self.overdue_bell
        self._save_bell(self.overdue_bell)
        self.notify(f"Bell on overdue leads: {'on' if self.overdue_bell else 'off'}")

    @work(thread=True, group="settings")
    def _save_bell(self, on: bool) -> None:
        with self.data.store() as store:
            store.set_setting(BELL_SETTING, "on" if on else None)

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT_THEME if self.current_theme.dark else DARK_THEME

    def _welcome(self) -> None:
        from slatui.tui.screens.welcome import WelcomeScreen

        async def chosen(answer: str | None) -> None:
            if answer == "agreement":
                await self.action_run_on("agreements", "new")

        self.push_screen(WelcomeScreen(), chosen)

    def action_load_demo(self) -> None:
        self._ask_before_the_demo()

    @work(thread=True, group="load-demo")
    def _ask_before_the_demo(self) -> None:
        """The demo goes into an empty file at once; into one with data (its fake leads beside real ones, on real
        reps) only once the user says so, as `slatui demo` wants --force."""
        from slatui.tui.forms.base import ConfirmScreen
        from slatui.tui.screens.welcome import WelcomeScreen

        with self.data.store() as store:
            empty = store.is_empty()

        def answered(answer: str | None) -> None:
            if answer == "add":
                self.push_screen(WelcomeScreen(load_now=True))

        if empty:
            self.call_from_thread(answered, "add")
            return
        question = ("This file already has data. Add the demo's agreements, reps and leads beside it? "
                    "(`slatui undo` takes them back.)")
        self.call_from_thread(self.push_screen, ConfirmScreen(
            question, [("cancel", "Keep the file as it is"), ("add", "Add the demo")], danger="add"), answered)


def run(db_path: Path) -> None:
    SlatuiApp(db_path).run()
