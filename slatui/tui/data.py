"""The app's database connections, lent to thread workers.

Screens never touch the store on the event loop: they run `with app.data.store() as store:` inside a
`@work(thread=True)` method and hand the results back with `app.call_from_thread`, so no keypress
waits on SQLite. Each `with` block borrows a connection of its own (an idle one, else a new one), so
one screen's slow report never holds up another screen's query: in WAL mode readers run side by side,
and beside the one writer. Loads of one screen may thus finish out of order; the app drops a result
that a newer one has overtaken (`SlatuiApp.call_from_thread`). The change log names where a block's writes
come from by its `origin`: "app: leads" for a write on the Leads screen.

One more connection is never lent: `data_version` asks it whether any other connection, the app's own or
another process's, has committed since it last asked (the app's screens then reload).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from slatui.store import Store


class Data:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()  # guards the idle list and the closed flag
        self._opening = threading.Lock()  # opening may migrate the file: one at a time
        self._idle: list[Store] = []
        self._closed = False
        self._watch_lock = threading.Lock()  # guards the watcher
        self._watcher: Store | None = None

    @contextmanager
    def store(self, origin: str = "app") -> Iterator[Store]:
        """A Store for the `with` block alone; connections open on first need (in a worker, not at start-up)."""
        with self._lock:
            store = self._idle.pop() if self._idle else None
        if store is None:
            with self._opening:
                store = Store(self.path)
        store.origin = origin
        try:
            yield store
        finally:
            with self._lock:
                if self._closed:
                    store.close()
                else:
                    self._idle.append(store)

    def data_version(self) -> int | None:
        """SQLite's data_version on the watcher's connection: it changes whenever any other connection has committed
        (call from a thread worker). None once closed."""
        with self._watch_lock:
            if self._closed:
                return None
            if self._watcher is None:
                with self._opening:
                    self._watcher = Store(self.path)
            return self._watcher.data_version()

    def close(self) -> None:
        """Close the idle connections now, and the borrowed ones when their blocks end."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for store in idle:
            store.close()
        with self._watch_lock:
            if self._watcher is not None:
                self._watcher.close()
                self._watcher = None
