"""Time the follow-up plan (`slatui queue`, `slatui status`) as it grows from 10k to 1M leads.

    .venv/bin/python benchmarks/bench_plan.py                        # benchmarks/bench-{10000,100000,1000000}.db
    .venv/bin/python benchmarks/bench_plan.py --leads 10000 100000   # some sizes only

Builds each demo database with `run.py` when it is missing (the 1M one takes about a minute and 440 MB) and
reuses it otherwise; nothing here writes to it. For each size: how many leads are owed an attempt (the plan) and
how many were never reached after all their attempts (cadence done), then whole-process medians (after a warm-up
run) of `slatui status` and `slatui queue` (its first page, 50 rows) beside `slatui --help` (start-up alone, in
the same run), with the CPU time each used, and in-process medians of what they do: the status line's figures on
a freshly opened file, and the queue's first page with its counts on a freshly opened store, on one already open,
and for one rep (the one owed the most). Prints a Markdown table for benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import SLATUI, build  # noqa: E402  (run.py sits beside this file)


TARGETS = {"`slatui status`": "< 100 ms (1M)", "queue first page": "< 100 ms (1M)"}


def whole_process(command: list[str], env: dict[str, str], runs: int) -> str:
    """Median wall time of a whole process after a warm-up run, and beside it the median CPU time it used (user
    and system): on a machine shared with other work the wall time waits for a core, the CPU time much less."""
    wall, cpu = [], []
    for run in range(runs + 1):
        before, began = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        elapsed, after = time.perf_counter() - began, resource.getrusage(resource.RUSAGE_CHILDREN)
        if run:
            wall.append(elapsed * 1000)
            cpu.append((after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000)
    return f"{statistics.median(wall):.0f} ms ({statistics.median(cpu):.0f} ms CPU)"


def in_process_ms(action: Callable[[], object], runs: int) -> float:
    """Median wall time of `action` in this process, in milliseconds, after one warm-up call."""
    action()
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples)


def measure(db: Path, runs: int, env: dict[str, str]) -> dict[str, str]:
    from slatui import plan
    from slatui.store import Store

    conn = sqlite3.connect(db)
    leads, owed, done = conn.execute(
        "SELECT count(*), count(next_due_at), count(*) FILTER (WHERE status = 'open' AND next_due_at IS NULL) "
        "FROM leads").fetchone()
    rep = conn.execute("SELECT rep_id FROM leads WHERE next_due_at IS NOT NULL GROUP BY rep_id "
                       "ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    conn.close()
    now = time.time()

    def status() -> object:
        with Store.existing(db, busy_timeout_ms=50) as store:
            return plan.status(store, now)

    def first_page(store: Store, rep_id: int | None = None) -> object:
        return (plan.entries(store, now, rep_id=rep_id, limit=50), plan.status(store, now, rep_id=rep_id),
                store.cadence_done(rep_id=rep_id))

    def queue_cold() -> object:
        with Store(db) as store:
            return first_page(store)

    with Store(db) as store:
        warm = in_process_ms(lambda: first_page(store), runs)
        warm_rep = in_process_ms(lambda: first_page(store, rep), runs)
    return {
        "demo leads": f"{leads:,}",
        "owed an attempt": f"{owed:,}",
        "cadence done": f"{done:,}",
        "baseline: `python -c pass`": whole_process([sys.executable, "-c", "pass"], env, runs),
        "baseline: `slatui --help`": whole_process([*SLATUI, "--help"], env, runs),
        "`slatui status`": whole_process([*SLATUI, "--db", str(db), "status"], env, runs),
        "`slatui queue`": whole_process([*SLATUI, "--db", str(db), "queue"], env, runs),
        "status figures": f"{in_process_ms(status, runs):.1f} ms",
        "queue first page": f"{in_process_ms(queue_cold, runs):.1f} ms",
        "queue first page, store open": f"{warm:.1f} ms",
        "one rep's first page, store open": f"{warm_rep:.1f} ms",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=9, help="timed runs per measure (after one warm-up)")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="slatui-bench-pycache-") as pycache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"PYTHONPYCACHEPREFIX": pycache}
        for leads in args.leads:
            db = HERE / f"bench-{leads}.db"
            build(db, leads, env)
            rows.append(measure(db, args.runs, env))
    # A row per measure, a column per size: how each grows.
    print("| measure | " + " | ".join(f"{leads:,} leads" for leads in args.leads) + " | target |")
    print("|---|" + "---|" * len(args.leads) + "---|")
    for measure_name in rows[0]:
        target = TARGETS.get(measure_name, "")
        print(f"| {measure_name} | " + " | ".join(row[measure_name] for row in rows) + f" | {target} |")


if __name__ == "__main__":
    main()
