"""The app's connections and its stale-result rule: workers read side by side, and within a worker group
an older load that finishes last never reaches the screen."""

from __future__ import annotations

import asyncio
import threading
from functools import partial
from pathlib import Path

import pytest

from slatui.store import Store
from slatui.tui.app import SlatuiApp
from slatui.tui.data import Data

WAIT = 5  # seconds; generous, so a slow machine fails only on a real deadlock


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "t.db"
    Store(path).close()
    return path


def test_two_borrowers_hold_their_own_connections_at_once(db):
    data = Data(db)
    both_inside = threading.Barrier(2, timeout=WAIT)
    borrowed: list[Store] = []

    def read() -> None:
        with data.store() as store:
            borrowed.append(store)
            both_inside.wait()  # a single shared connection would deadlock here
            store.is_empty()

    threads = [threading.Thread(target=read) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert len(borrowed) == 2 and borrowed[0] is not borrowed[1]
    data.close()


def test_a_reader_is_not_held_up_by_a_write_in_progress(db):
    data = Data(db)
    seen: list[list[str]] = []

    def read() -> None:
        with data.store() as reader:
            seen.append([rep.name for rep in reader.list_reps()])

    with data.store() as writer, writer.transaction() as conn:
        conn.execute("INSERT INTO reps (name) VALUES ('Ada')")
        reader = threading.Thread(target=read)
        reader.start()
        reader.join(WAIT)
        assert seen == [[]]  # the committed state, read while the write is still open
    read()
    assert seen[-1] == ["Ada"]
    data.close()


def test_connections_are_reused_and_closed(db):
    data = Data(db)
    with data.store() as first:
        pass
    with data.store() as again:
        assert again is first
        data.close()  # while borrowed: closed when the block ends
    with pytest.raises(Exception, match="closed"):
        first.is_empty()


def _run(db: Path, scenario) -> list[str]:
    shown: list[str] = []

    async def main() -> None:
        app = SlatuiApp(db)
        async with app.run_test():
            await scenario(app, shown)

    asyncio.run(main())
    return shown


def _two_loads(app: SlatuiApp, shown: list[str], groups: tuple[str, str]) -> list:
    """An older load that waits until a newer one has shown its result, then shows its own."""
    newer_shown = threading.Event()

    def load(name: str, wait: bool) -> None:
        if wait:
            newer_shown.wait(WAIT)
        app.call_from_thread(shown.append, name)
        newer_shown.set()

    return [app.run_worker(partial(load, "older", True), thread=True, group=groups[0]),
            app.run_worker(partial(load, "newer", False), thread=True, group=groups[1])]


def test_an_older_load_finishing_last_is_dropped(db):
    async def scenario(app, shown):
        await app.workers.wait_for_complete(_two_loads(app, shown, ("load", "load")))

    assert _run(db, scenario) == ["newer"]


def test_loads_of_other_groups_all_arrive(db):
    async def scenario(app, shown):
        await app.workers.wait_for_complete(_two_loads(app, shown, ("load", "other")))

    assert _run(db, scenario) == ["newer", "older"]


def test_a_worker_shows_all_its_results_and_a_cancelled_one_none(db):
    async def scenario(app, shown):
        running, go, done = threading.Event(), threading.Event(), threading.Event()

        def steps() -> None:
            app.call_from_thread(shown.append, "step 1")
            app.call_from_thread(shown.append, "step 2")

        def cancelled() -> None:
            running.set()
            go.wait(WAIT)
            app.call_from_thread(shown.append, "cancelled")
            done.set()

        await app.workers.wait_for_complete([app.run_worker(steps, thread=True, group="steps")])
        worker = app.run_worker(cancelled, thread=True, group="cancelled")
        assert await asyncio.to_thread(running.wait, WAIT)
        worker.cancel()  # the thread runs on, as a query in progress would
        go.set()
        assert await asyncio.to_thread(done.wait, WAIT)

    assert _run(db, scenario) == ["step 1", "step 2"]
