"""The app's one database connection, shared by thread workers.

Screens never touch the store on the event loop: they run `with app.data.store() as store:` inside a
`@work(thread=True)` method and hand the results back with `app.call_from_thread`, so no keypress
waits on SQLite. The lock serialises workers because one sqlite3 connection must not run two
statements at once.
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
        self._lock = threading.Lock()
        self._store: Store | None = None

    @contextmanager
    def store(self) -> Iterator[Store]:
        """The Store, held exclusively for the `with` block; opened on first use (in a worker, not at start-up)."""
        with self._lock:
            if self._store is None:
                self._store = Store(self.path)
            yield self._store

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None
