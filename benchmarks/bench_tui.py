"""Time the app (the TUI) on a large database, each figure beside a baseline measured in the same run.

    .venv/bin/python benchmarks/bench_tui.py --db PATH     # e.g. a scratch copy of benchmarks/bench-1000000.db

The app opens its file read-write (WAL files, a migration if the schema is older): give it a scratch copy.

Whole-process figures launch `python -m slatui --db PATH` on a 120×40 pseudo-terminal and read what it
draws: the first paint is the first frame with the dashboard's title, the data the dashboard's summary
line, the leads' first page their status line, a move the first output after the key; peak RSS is the
process's own (`wait4`). What a terminal cannot show runs headless (`App.run_test`) in a child process:
the leads' page while the dashboard loads, the event loop's longest stall (the wall time between two of its
turns, and the most CPU time it spent in one: on a busy machine the first also holds the waits for a core),
and chart redraws (replot on the event loop, plotext's build in a thread, timed alone). Every figure is the
median of --runs runs after a warm-up run; the timed processes keep compiled bytecode (a temporary
PYTHONPYCACHEPREFIX), as an installed slatui does.
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import json
import os
import platform
import pty
import re
import select
import signal
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Callable
from pathlib import Path

COLUMNS, ROWS = 120, 40
SLATUI = [sys.executable, "-m", "slatui"]
PAGE_DOWN, CTRL_Q = b"\x1b[6~", b"\x11"
# Escape sequences (CSI, OSC, DCS and two-byte ones), removed to find text on the screen.
ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|P[^\x1b]*\x1b\\|[ -~])")
# What each screen draws once its data is in.
DASHBOARD_TITLE = "Dashboard"
DASHBOARD_DATA = ("active agreement", "No active agreements")
LEADS_PAGE = ("leads shown", "No leads match")
CHARTS_DATA = ("bars per", "No agreements yet")
SHOWN = re.compile(r"([\d,]+) (?:of [\d,]+ )?leads shown")
MOVES = 40  # page-down presses in the leads table


# ---- the app as a whole process on a pseudo-terminal ------------------------------------------------------


class Terminal:
    """`command` on a pseudo-terminal of COLUMNS × ROWS: send keys, wait until text is drawn."""

    def __init__(self, command: list[str], env: dict[str, str]):
        self.began = time.perf_counter()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: size its terminal, then become the app
            try:
                fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
                os.execve(command[0], command, env)
            finally:
                os._exit(127)
        self.text = ""  # everything drawn so far, without escape sequences
        self._pending = ""  # the tail of the output that may end inside an escape sequence
        self._mark = self._marked_bytes = self.received = 0

    def send(self, keys: bytes) -> float:
        """Type `keys`; later waits only look at what is drawn after this. Returns seconds since launch."""
        self.settle(0)
        self._mark, self._marked_bytes = len(self.text), self.received
        os.write(self.fd, keys)
        return time.perf_counter() - self.began

    def wait_for(self, markers: tuple[str, ...], timeout: float = 120) -> float:
        """Seconds since launch when one of `markers` was first drawn (after the last key sent)."""
        deadline = time.perf_counter() + timeout
        while not any(marker in self.text[self._mark:] for marker in markers):
            if time.perf_counter() > deadline or not self._read(deadline - time.perf_counter()):
                raise TimeoutError(f"none of {markers} drawn; the screen's last text: {self.text[-400:]!r}")
        return time.perf_counter() - self.began

    def next_frame(self, timeout: float = 30) -> float:
        """Seconds since launch when the app first wrote anything after the last key sent."""
        deadline = time.perf_counter() + timeout
        while self.received == self._marked_bytes:
            if time.perf_counter() > deadline or not self._read(deadline - time.perf_counter()):
                raise TimeoutError("nothing drawn after the key")
        return time.perf_counter() - self.began

    def settle(self, quiet: float) -> None:
        """Read until the app has drawn nothing for `quiet` seconds."""
        while self._read(quiet, once=True):
            pass

    def quit(self) -> int:
        """Close the app with ctrl+q; returns its peak resident memory in bytes."""
        os.write(self.fd, CTRL_Q)
        deadline = time.perf_counter() + 30
        while time.perf_counter() < deadline:
            pid, _, usage = os.wait4(self.pid, os.WNOHANG)
            if pid:
                os.close(self.fd)
                return usage.ru_maxrss * 1024  # KiB on Linux
            self._read(0.05)
        os.kill(self.pid, signal.SIGKILL)
        raise TimeoutError("the app did not quit on ctrl+q")

    def _read(self, timeout: float, *, once: bool = False) -> bool:
        """Read what the app drew within `timeout` seconds (and all it drew by then): False once the terminal is
        closed, or, with `once`, if nothing came."""
        came = False
        while select.select([self.fd], [], [], max(timeout, 0))[0]:
            try:
                chunk = os.read(self.fd, 1 << 16)
            except OSError:  # EIO: the app has exited
                return False
            if not chunk:
                return False
            came = True
            self.received += len(chunk)
            data = self._pending + chunk.decode("utf-8", "replace")
            cut = data.rfind("\x1b")
            cut = cut if cut >= 0 and len(data) - cut < 64 else len(data)
            self.text += ESCAPES.sub("", data[:cut]).replace("\r", "")
            self._pending = data[cut:]
            timeout = 0
        return came or not once


def launch(db: Path, env: dict[str, str], *, first_paint_only: bool = False) -> dict[str, float]:
    """One session on the terminal: launch, first paint (then quit, with `first_paint_only`), the dashboard's
    data, leads, MOVES page-downs (key to the next frame), the dashboard and back to leads twice, charts.
    Seconds since launch or since the key, and the peak RSS."""
    term = Terminal([*SLATUI, "--db", str(db)], env)
    try:
        result = {"first_paint": term.wait_for((DASHBOARD_TITLE,))}
        if first_paint_only:
            term.settle(0.5)  # what follows the first frame (the welcome screen on an empty database)
            return result | {"peak_rss": term.quit()}
        result["dashboard_data"] = term.wait_for(DASHBOARD_DATA)
        term.settle(0.3)
        pressed = term.send(b"3")
        result["leads_frame"] = term.next_frame() - pressed
        result["leads_page"] = term.wait_for(LEADS_PAGE) - pressed
        term.settle(0.3)
        moves = []
        for _ in range(MOVES):
            pressed = term.send(PAGE_DOWN)
            moves.append(term.next_frame() - pressed)
            term.settle(0.05)
        result |= {"move_median": statistics.median(moves), "move_max": max(moves),
                   "rows": int(SHOWN.findall(term.text)[-1].replace(",", ""))}
        for back in ("first_back", "back"):  # the first return also re-applies the CSS the leads screen added
            term.send(b"1")
            term.wait_for((DASHBOARD_TITLE,))
            term.settle(0.2)
            pressed = term.send(b"3")
            result[back] = term.next_frame() - pressed
            term.settle(0.3)
        pressed = term.send(b"5")
        result["charts_data"] = term.wait_for(CHARTS_DATA) - pressed
    except BaseException:
        os.kill(term.pid, signal.SIGKILL)
        os.waitpid(term.pid, 0)
        raise
    result["peak_rss"] = term.quit()
    return result


def python_ms(code: str, env: dict[str, str]) -> float:
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    return (time.perf_counter() - began) * 1000


# ---- in a child process: the app headless, and the chart panel ---------------------------------------------


async def until(condition: Callable[[], bool], timeout: float = 120) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.001)


CHART_KEYS = ("left", "right", "p", "p", "p", "s", "c", "c", "]", "[")  # month, bucket, statistic, chart, agreement


async def headless_session(db: Path) -> dict[str, object]:
    """The leads' first page while the dashboard's first load runs, and their refresh while it reloads; the
    event loop's longest stall (how long a key would wait: no frame is drawn meanwhile) then, over MOVES
    page-downs, on the first visit of the charts (data and drawing) and of the queue, and over CHART_KEYS on
    the charts; how often a page-down stopped at the last row loaded, waiting for the next page."""
    from slatui.tui.app import SlatuiApp
    from slatui.tui.widgets.lead_table import LeadTable

    phases = ("open", "paging", "back", "charts", "chart_keys", "queue")
    stalls: dict[str, list[float]] = {phase: [0.0] for phase in phases}
    busy: dict[str, list[float]] = {phase: [0.0] for phase in phases}  # the event loop's own CPU time in each
    phase = "open"

    async def watch_loop() -> None:
        while True:
            began, used = time.perf_counter(), time.thread_time()
            await asyncio.sleep(0.005)
            stalls[phase].append(time.perf_counter() - began - 0.005)
            busy[phase].append(time.thread_time() - used)

    async def settle() -> None:
        await app.workers.wait_for_complete()
        await asyncio.sleep(0.2)  # what the results draw, and the workers that drawing starts (chart builds)
        await app.workers.wait_for_complete()

    app = SlatuiApp(db)
    async with app.run_test(size=(COLUMNS, ROWS)) as pilot:
        watcher = asyncio.create_task(watch_loop())
        began = time.perf_counter()
        # Not awaited: the pilot would wait for the whole app to be idle, the dashboard's load included.
        pressing = asyncio.create_task(pilot.press("3"))
        await until(lambda: bool(app.screen.query(LeadTable)) and app.screen.query_one(LeadTable).row_count > 0)
        first_page = time.perf_counter() - began
        await pressing
        table = app.screen.query_one(LeadTable)
        await settle()
        phase, stuck = "paging", 0
        for _ in range(MOVES):
            row, rows = table.cursor_row, table.row_count
            await pilot.press("pagedown")
            if table.cursor_row == row:  # at the last row loaded: the user waits for the next page
                stuck += 1
                await until(lambda: table.row_count > rows)  # noqa: B023 (awaited here)
        await settle()
        phase, generation = "back", table._generation
        await app.run_action("go('dashboard')")  # which reloads
        began = time.perf_counter()
        await app.run_action("go('leads')")  # which refreshes its rows
        await until(lambda: table._generation > generation and not table._loading)
        back_page = time.perf_counter() - began
        await settle()
        phase = "charts"
        await pilot.press("5")
        await settle()
        phase = "chart_keys"
        for key in CHART_KEYS:
            await pilot.press(key)
            await settle()
        phase = "queue"
        await pilot.press("2")
        await settle()
        watcher.cancel()
    return {"first_page": first_page, "back_page": back_page, "stuck": stuck,
            **{f"stall_{k}": max(v) for k, v in stalls.items()}, **{f"busy_{k}": max(v) for k, v in busy.items()}}


async def chart_redraws(db: Path) -> dict[str, object]:
    """Replot (clear the figure and draw, on the event loop) and build (plotext's text of the chart at the panel's
    size, in a thread) each chart of the charts screen, on the first agreement's current month."""
    from datetime import datetime, timezone

    from textual.app import App

    from slatui import metrics
    from slatui.store import Store
    from slatui.tui.screens.charts import CHARTS, ChartData, View, load_chart_data
    from slatui.tui.widgets.chart_panel import ChartPanel

    now = datetime.now(timezone.utc)
    with Store(db) as store:
        agreement = store.list_terms()[0]
        view = View(agreement.id, tuple(metrics.local_now(agreement, now).timetuple()[:2]))
        began = time.perf_counter()
        report, span, series = load_chart_data(store, agreement, view, now)
        loaded = time.perf_counter() - began
    data = ChartData(view, [agreement.id], agreement.name, report, span, series)

    class Charts(App[None]):
        def compose(self):
            yield ChartPanel()

    replot: dict[str, float] = {}
    build: dict[str, float] = {}
    async with Charts().run_test(size=(COLUMNS, ROWS)) as pilot:
        panel = pilot.app.query_one(ChartPanel)
        theme = panel._get_plotext_theme_name(pilot.app.theme)
        for pane_id, (_, draw) in CHARTS.items():
            shows, builds = [], []
            for _ in range(5):
                drawing = draw(data, "mean")
                began = time.perf_counter()
                panel.show(*drawing)
                shows.append(time.perf_counter() - began)
                began = time.perf_counter()
                panel.build((drawing[0], drawing[1:]), panel.size.width, panel.size.height, theme)
                builds.append(time.perf_counter() - began)
                await pilot.pause()
            replot[pane_id], build[pane_id] = statistics.median(shows), statistics.median(builds)
    return {"load": loaded, "replot": replot, "build": build}


def child(kind: str, db: Path) -> None:
    result = asyncio.run({"session": headless_session, "charts": chart_redraws}[kind](db))
    print(json.dumps(result))


def in_child(kind: str, db: Path, env: dict[str, str]) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", kind, "--db", str(db)], check=True, env=env,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


# ---- the table -------------------------------------------------------------------------------------------


def median_of(runs: int, measure: Callable[[], dict]) -> dict:
    """Medians of each numeric figure over `runs` runs, after a warm-up run."""
    measure()
    samples = [measure() for _ in range(runs)]
    return {key: statistics.median(s[key] for s in samples) if isinstance(samples[0][key], (int, float))
            else samples[0][key] for key in samples[0]}


def stall(headless: dict, phase: str) -> str:
    """The longest gap between two turns of the event loop in a phase, and the most CPU time it spent in one."""
    return f"{ms(headless[f'stall_{phase}'])} (CPU {ms(headless[f'busy_{phase}'])})"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds >= 0.01 else f"{seconds * 1000:.1f} ms"


def measure(db: Path, runs: int, env: dict[str, str]) -> list[tuple[str, str, str, str]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    leads = conn.execute("SELECT count(*) FROM leads").fetchone()[0]
    agreements = conn.execute("SELECT count(*) FROM agreements WHERE status = 'active'").fetchone()[0]
    conn.close()
    with tempfile.TemporaryDirectory(prefix="slatui-bench-empty-") as scratch:
        empty = iter(Path(scratch) / f"empty-{n}.db" for n in range(runs + 1))
        baseline = median_of(runs, lambda: launch(next(empty), env, first_paint_only=True))
    steady = median_of(runs, lambda: launch(db, env))
    headless = median_of(runs, lambda: in_child("session", db, env))
    charts = median_of(1, lambda: in_child("charts", db, env))
    pass_ms = statistics.median(python_ms("pass", env) for _ in range(runs + 1))
    textual_ms = statistics.median(python_ms("import textual.app", env) for _ in range(runs + 1))
    slowest = max(charts["build"], key=charts["build"].get)
    return [
        ("database", f"{leads:,} leads", "", f"{agreements} active agreements (a card each on the dashboard)"),
        ("baseline: `python -c pass`", f"{pass_ms:.0f} ms", "", ""),
        ("baseline: `python -c 'import textual.app'`", f"{textual_ms:.0f} ms", "", ""),
        ("baseline: first paint, empty database", ms(baseline["first_paint"]), "",
         "launch to the first frame; the welcome screen follows"),
        ("first paint", ms(steady["first_paint"]), "< 1 s", "launch to the first frame (the dashboard, loading)"),
        ("dashboard data shown", ms(steady["dashboard_data"]), "",
         "launch to the cards (this month's report per agreement, in a worker)"),
        ("switch to leads, first frame", ms(steady["leads_frame"]), "",
         "key 3 to the screen drawn (its first visit: built, then loading)"),
        ("switch to leads, first page", ms(steady["leads_page"]), "no wait on the db",
         "key 3 to the first page, nothing else loading"),
        (f"page-down in the leads table ({MOVES} moves)",
         f"{ms(steady['move_median'])} median, {ms(steady['move_max'])} max", "no wait on the db",
         f"key to the next frame; {steady['rows']:,.0f} rows loaded by then"),
        ("back to leads from the dashboard", ms(steady["back"]), "no wait on the db",
         f"key 3 to the next frame, the dashboard reloading; the first time: {ms(steady['first_back'])}"),
        ("switch to charts, data drawn", ms(steady["charts_data"]), "",
         "key 5 to the charts of the first agreement's month (metrics in a worker)"),
        ("peak RSS", f"{steady['peak_rss'] / 2**20:.0f} MB", "< 200 MB",
         f"the steady session; empty database: {baseline['peak_rss'] / 2**20:.0f} MB"),
        ("headless: leads first page during the dashboard's load", ms(headless["first_page"]), "no wait on the db",
         "key 3 right after start-up, in-process"),
        ("headless: back to leads, rows refreshed, during a dashboard reload", ms(headless["back_page"]),
         "no wait on the db", "switch to the dashboard (it reloads) and at once back: the leads' refresh"),
        ("headless: longest event-loop stall, leads during the dashboard's load", stall(headless, "open"), "< 50 ms",
         "how long a key could wait"),
        (f"headless: longest event-loop stall, {MOVES} page-downs", stall(headless, "paging"), "< 50 ms",
         f"{headless['stuck']:.0f} page-downs stopped at the last row loaded"),
        ("headless: longest event-loop stall, dashboard and back", stall(headless, "back"), "< 50 ms",
         "both screens reload; the table refreshes its rows"),
        ("headless: longest event-loop stall, first visit of the charts", stall(headless, "charts"), "< 50 ms",
         "key 5: the screen built, its data loaded and drawn"),
        (f"headless: longest event-loop stall, {len(CHART_KEYS)} keys on the charts", stall(headless, "chart_keys"),
         "< 50 ms", "months, buckets, statistic, next chart, agreements: each reloads or redraws"),
        ("headless: longest event-loop stall, first visit of the queue", stall(headless, "queue"), "< 50 ms",
         "key 2: its first page, 200 leads owed work"),
        ("chart data (metrics, not the UI)", ms(charts["load"]), "", "month report + series, in a worker"),
        ("chart replot (clear, draw; on the event loop)", ms(max(charts["replot"].values())), "",
         "slowest chart; " + ", ".join(f"{k} {ms(v)}" for k, v in charts["replot"].items())),
        ("chart build (plotext, in a thread)", ms(charts["build"][slowest]), "",
         f"slowest ({slowest}) at {COLUMNS}×{ROWS}; "
         + ", ".join(f"{k} {ms(v)}" for k, v in charts["build"].items())),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, required=True, help="the database (a scratch copy: the app writes WAL)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per figure (after one warm-up)")
    parser.add_argument("--child", choices=("session", "charts"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.db)
        return
    with tempfile.TemporaryDirectory(prefix="slatui-bench-pycache-") as pycache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {
            "PYTHONPYCACHEPREFIX": pycache, "TERM": "xterm-256color", "COLORTERM": "truecolor"}
        rows = measure(args.db.resolve(), args.runs, env)
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"SQLite {sqlite3.sqlite_version}\n")
    print("| measure | result | target | note |\n|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
