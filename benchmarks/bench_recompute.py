"""Changing an agreement's clock on a large database never blocks the team (issue 17).

    .venv/bin/python benchmarks/bench_recompute.py                 # on benchmarks/bench-1000000.db (run.py builds it)
    .venv/bin/python benchmarks/bench_recompute.py --db COPY.db    # on another demo database (it is changed)

Times, as whole processes on a copy of the database:
- `agreement edit A --respond-within …` effective this month (the default): only this month's leads follow;
- the same edit with `--effective all` (every lead of A recomputed, in short transactions), while another process
  runs `slatui log` on one of B's leads every half second: each `log`'s wall time is its wait for the write lock
  plus its own work. The longest is the figure (target: every `log` succeeds within 1.5 s);
- a resume: an edit killed half-way, then finished by the next command once the killed one's last stamp is old.
Prints a Markdown table; CPU time beside wall time (the machine may be shared).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from slatui.store.agreements import RECOMPUTE_ALIVE_SECONDS

HERE = Path(__file__).resolve().parent
SLATUI = [sys.executable, "-m", "slatui"]


def run(db: Path, *args: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) of one whole `slatui` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run([*SLATUI, "--db", str(db), *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode:
        sys.exit(f"slatui {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def logs_during(db: Path, lead_id: int, stop: threading.Event, waits: list[float], failures: list[str]) -> None:
    while not stop.is_set():
        began = time.perf_counter()
        done = subprocess.run([*SLATUI, "--db", str(db), "log", str(lead_id), "--outcome", "no_answer"],
                              capture_output=True, text=True)
        waits.append(time.perf_counter() - began)
        if done.returncode:
            failures.append(done.stderr.strip())
        stop.wait(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=HERE / "bench-1000000.db")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="slatui-recompute-") as scratch:
        db = Path(scratch) / "copy.db"
        shutil.copy(args.db, db)
        conn = sqlite3.connect(db)
        (agreement, agreement_id), (other_id,) = (
            conn.execute("SELECT name, id FROM agreements ORDER BY id LIMIT 1").fetchone(),
            conn.execute("SELECT id FROM agreements ORDER BY id LIMIT 1 OFFSET 1").fetchone())
        leads = conn.execute("SELECT count(*) FROM leads WHERE agreement_id = ?", (agreement_id,)).fetchone()[0]
        month = conn.execute("SELECT count(*) FROM leads WHERE agreement_id = ? AND handoff_day >= "
                             "strftime('%Y-%m-01', 'now')", (agreement_id,)).fetchone()[0]
        lead_id = conn.execute("SELECT max(id) FROM leads WHERE agreement_id = ?", (other_id,)).fetchone()[0]
        conn.close()
        rows = []
        wall, cpu = run(db, "agreement", "edit", agreement, "--respond-within", "90m")
        rows.append(("`agreement edit A --respond-within 90m` (this month on)", f"{wall * 1000:.0f} ms",
                     f"{cpu * 1000:.0f} ms", "< 1 s", f"{month:,} of A's {leads:,} leads recomputed"))

        stop, waits, failures = threading.Event(), [], []
        logger = threading.Thread(target=logs_during, args=(db, lead_id, stop, waits, failures))
        logger.start()
        time.sleep(1)
        wall, cpu = run(db, "agreement", "edit", agreement, "--respond-within", "2h", "--effective", "all")
        time.sleep(1)
        stop.set()
        logger.join()
        rows.append(("`agreement edit A --respond-within 2h --effective all`", f"{wall:.1f} s", f"{cpu:.1f} s", "",
                     f"all {leads:,} of A's leads, in short transactions"))
        rows.append(("`slatui log` on B's lead every 0.5 s meanwhile: the slowest", f"{max(waits) * 1000:.0f} ms",
                     "", "< 1.5 s", f"{len(waits)} logs, {len(failures)} failed"
                     + (f" ({failures[0]})" if failures else "") + f"; median {sorted(waits)[len(waits) // 2] * 1000:.0f} ms"))

        # Killed half-way: the job stays in the file and the next command finishes it.
        process = subprocess.Popen([*SLATUI, "--db", str(db), "agreement", "edit", agreement, "--respond-within", "3h",
                                    "--effective", "all"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(max(2.0, wall / 3))
        process.send_signal(signal.SIGKILL)
        process.wait()
        conn = sqlite3.connect(db)
        pending = conn.execute("SELECT done, total FROM recompute_jobs").fetchall()
        conn.close()
        time.sleep(RECOMPUTE_ALIVE_SECONDS)  # until then the job counts as under way in the killed process
        wall, cpu = run(db, "status")  # the quick path reads only: the job waits for a command that writes
        wall, cpu = run(db, "agreement", "show", agreement)
        conn = sqlite3.connect(db)
        left = conn.execute("SELECT count(*) FROM recompute_jobs").fetchone()[0]
        conn.close()
        rows.append(("an edit killed half-way, finished by the next command", f"{wall:.1f} s", f"{cpu:.1f} s", "",
                     f"left by the kill: {pending or 'nothing (it had finished)'}; jobs after: {left}"))
    print(f"Machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}\n")
    print("| measure | wall | CPU | target | note |\n|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
