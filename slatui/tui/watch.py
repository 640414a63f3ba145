"""The app keeps its screens on what the file holds now, and its leads on their agreements' terms.

Every DATA_POLL_SECONDS a worker asks SQLite's data_version on a connection of its own (`Data.data_version`):
it changes whenever any other connection committed, the app's own workers or another process (`slatui log` in a
shell). The visible screen then gets `DataChanged` and reloads. Loads never pile up: while the screen's last load
is running, the news waits for a later look.

An agreement's edit that moves its leads' facts (hours, zone, response time, cadence) leaves a recompute job;
the app runs it in a worker, in short transactions, and at start-up finishes one a killed command left.
"""

from __future__ import annotations

import sqlite3
import threading

from textual import work
from textual.app import App
from textual.worker import Worker

from slatui.errors import SlatuiError
from slatui.tui.data import Data
from slatui.tui.screens.base import DataChanged


class FileWatch(App[None]):
    """Part of SlatuiApp: call `start_watching` once mounted."""

    # A pragma (microseconds) every second and a half: cheap, and soon enough for a person switching windows.
    DATA_POLL_SECONDS = 1.5
    data: Data

    def start_watching(self) -> None:
        self._data_seen: int | None = None  # the file's data_version the visible screen shows
        self._look: Worker | None = None
        self._recompute_lock = threading.Lock()
        self.check_data()
        self.set_interval(self.DATA_POLL_SECONDS, self.check_data)
        self.recompute_leads(left_over=True)

    def check_data(self) -> None:
        """Tell the visible screen when the file changed since it last loaded (the timer calls this)."""
        if self._look is None or self._look.is_finished:  # else the previous look has not come back yet
            self._look = self._look_at_data()

    @work(thread=True, group="data-poll")
    def _look_at_data(self) -> None:
        try:
            version = self.data.data_version()
        except (SlatuiError, sqlite3.Error):  # e.g. the file moved away: the screens' own loads will say so
            return
        if version is not None:
            self.call_from_thread(self._data_version, version)

    def _data_version(self, version: int) -> None:
        if self._data_seen is None:  # the first look: the screens are loading what the file holds now
            self._data_seen = version
            return
        screen = self.screen
        if version == self._data_seen or any(w.node is screen and not w.is_finished for w in self.workers):
            return  # unchanged, or the screen is still loading: a later look tells it
        self._data_seen = version
        screen.post_message(DataChanged())

    @work(thread=True, group="recompute")
    def recompute_leads(self, *, left_over: bool = False) -> None:
        """Recompute the leads an agreement's edit moved, in short transactions (the agreements list shows how far
        it got); `left_over`: at start-up, finishing what a killed command or app left."""
        with self._recompute_lock, self.data.store() as store:  # one run at a time: a later one finds what is left
            waiting = store.recomputing()
            if not waiting or (left_over and store.recompute_running()):  # none, or another process is on it
                return
            if left_over:
                leads = sum(total - done for done, total in waiting.values())
                self.call_from_thread(self.notify, f"Finishing an interrupted recompute of {leads} leads after an "
                                      "agreement's edit (4: Agreements shows progress).")
            try:
                store.run_recompute_jobs()
            except SlatuiError as exc:  # e.g. the file turned read-only: the next start (or command) goes on
                self.call_from_thread(self.notify, f"Recompute stopped: {exc}", severity="error")
                return
        if left_over:
            self.call_from_thread(self.notify, "Recompute finished: every lead follows its agreement's terms.")
