"""What the change log costs (issue 14: no more than 20 % on `log` and on a 100k-row import), measured by running
the same commands with the change-log writes switched off and on.

    .venv/bin/python benchmarks/bench_changelog.py                  # 100k-lead demo for `log`, 100k-row CSV import
    .venv/bin/python benchmarks/bench_changelog.py --rows 10000     # a smaller import, for a quick look

"Off" replaces `Store.change` with a plain transaction and makes `_record`, `_row` and `_log_lead` (the reads and
writes made only for the log) do nothing; everything else runs as shipped. Each timing is a whole process (as
benchmarks/run.py times commands, bytecode kept in a temporary PYTHONPYCACHEPREFIX), off and on back to back in
pairs (alternating which goes first). The cost of the log is the median of the differences in CPU time (user +
system) within pairs: on a machine shared with other work, wall time mostly measures the neighbours. The imports
"on" also add up the time spent inside the log's own writes, a share of their time that a busy machine leaves
about as it is. `log` is also timed in-process (many attempts logged in one process), which shows the log's own
cost, its statements and the pages they add to each commit, without the start-up around it. The databases are
scratch files in a temporary folder.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# The start of every child process: the change log switched off (argv[1] "off") or left as shipped ("on"). When
# on, the time spent inside the log's own writes (`_record`, `_log_lead`; the outermost call only) is added up and
# written, with the time from here to exit, to the file named by BENCH_SPENT: a share that a busy machine
# inflates on both sides alike.
SWITCH = """
import sys
from slatui.store.changelog import Change, ChangeLog
from slatui.store.leads import LeadQueries
if sys.argv[1] == "off":
    from contextlib import contextmanager

    @contextmanager
    def change(self, summary):
        if self._change is not None:
            yield Change(self._change.id, summary)
            return
        with self.transaction():
            self._change = Change(0, summary)
            try:
                yield self._change
            finally:
                self._change = None

    ChangeLog.change = change
    ChangeLog._record = lambda self, *args, **kwargs: None
    ChangeLog._row = lambda self, table, row_id: None
    LeadQueries._log_lead = lambda self, before: None
else:
    import atexit, os, time
    spent, depth = [0.0], [0]

    def timed(write):
        def wrapper(*args, **kwargs):
            depth[0] += 1
            began = time.perf_counter()
            try:
                return write(*args, **kwargs)
            finally:
                depth[0] -= 1
                if not depth[0]:
                    spent[0] += time.perf_counter() - began
        return wrapper

    ChangeLog._record, LeadQueries._log_lead = timed(ChangeLog._record), timed(LeadQueries._log_lead)
    started = time.perf_counter()
    if os.environ.get("BENCH_SPENT"):
        atexit.register(lambda: open(os.environ["BENCH_SPENT"], "w").write(
            f"{spent[0]} {time.perf_counter() - started}"))
"""
# A command line: `slatui ARGV[2:]`.
CHILD = SWITCH + """
from slatui.cli import main
main(sys.argv[2:])
"""
# In-process: log argv[3] attempts on the newest leads of the database argv[2]; prints seconds per attempt.
IN_PROCESS = SWITCH + """
import time
from slatui.store import AttemptValues, Store
store = Store(sys.argv[2])
leads = [r[0] for r in store.conn.execute("SELECT id FROM leads ORDER BY id DESC LIMIT 200")]
now = int(time.time())
began, cpu = time.perf_counter(), time.process_time()
for i in range(int(sys.argv[3])):
    store.insert_attempt(leads[i % len(leads)], AttemptValues(now, "call", "no_answer"))
print((time.perf_counter() - began) / int(sys.argv[3]), (time.process_time() - cpu) / int(sys.argv[3]))
"""


def child(mode: str, args: list[str], env: dict[str, str], shares: list[float]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of a whole child process running `slatui ARGS` with the log `mode` ("on" or
    "off"); an "on" run adds to `shares` the part of its time spent inside the log's writes."""
    spent = Path(env["BENCH_FOLDER"]) / "spent.txt"
    spent.unlink(missing_ok=True)
    cpu = _children_cpu()
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", CHILD, mode, *args], check=True, env={**env, "BENCH_SPENT": str(spent)},
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - began
    if mode == "on":
        inside, total = map(float, spent.read_text().split())
        shares.append(inside / total)
    return elapsed, _children_cpu() - cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def alternate(runs: int, measure) -> dict[str, list[tuple[float, float]]]:
    samples: dict[str, list[tuple[float, float]]] = {"off": [], "on": []}
    for i in range(runs):
        for mode in ("off", "on") if i % 2 == 0 else ("on", "off"):
            samples[mode].append(measure(mode))
    return samples


def overhead(samples: dict[str, list[tuple[float, float]]], unit: float, label: str,
             shares: list[float] | None = None) -> tuple[str, ...]:
    """Median wall and CPU time off and on; the cost of the log: the median of the CPU-time differences within
    each pair of runs (run back to back), also as a share of the median CPU time off; the median share of the on
    runs' time spent inside the log's writes."""
    def medians(mode: str, column: int) -> float:
        return statistics.median(sample[column] for sample in samples[mode])

    cpu_off = medians("off", 1)
    cost = statistics.median(on[1] - off[1] for off, on in zip(samples["off"], samples["on"]))
    inside = f"{statistics.median(shares):.2%}" if shares else ""
    return (label, f"{medians('off', 0) * unit:,.2f} / {cpu_off * unit:,.2f}",
            f"{medians('on', 0) * unit:,.2f} / {medians('on', 1) * unit:,.2f}",
            f"{cost * unit:+,.2f} ({cost / cpu_off:+.1%})", inside)


def write_csv(path: Path, rows: int, seed: int = 14) -> None:
    """`rows` leads with one attempt each, handed off over the last months in working hours."""
    rng = random.Random(seed)
    start = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
    outcomes = ("no answer", "voicemail", "email sent", "connected", "meeting booked")
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(("lead_id", "name", "email", "company", "handed_off_at", "at", "outcome"))
        for i in range(rows):
            handoff = start + timedelta(days=rng.randrange(150), minutes=rng.randrange(8 * 60))
            attempt = handoff + timedelta(minutes=rng.randrange(5, 600))
            out.writerow((f"L{i}", f"Lead {i}", f"lead{i}@example.com", f"Company {i % 997}",
                          handoff.strftime("%Y-%m-%d %H:%M"), attempt.strftime("%Y-%m-%d %H:%M"),
                          rng.choice(outcomes)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, default=100_000, help="leads of the demo database `log` writes to")
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the imported CSV")
    parser.add_argument("--runs", type=int, default=15, help="`log` processes per mode")
    parser.add_argument("--import-runs", type=int, default=3, help="imports per mode")
    parser.add_argument("--calls", type=int, default=500, help="attempts logged in-process per mode and run")
    args = parser.parse_args()
    load_before = f"{os.getloadavg()[0]:.1f}"
    with tempfile.TemporaryDirectory(prefix="slatui-bench-changelog-") as tmp:
        folder = Path(tmp)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {
            "PYTHONPYCACHEPREFIX": str(folder / "pycache"), "PYTHONPATH": str(ROOT), "BENCH_FOLDER": tmp}
        demo = folder / "demo.db"
        subprocess.run([sys.executable, "-m", "slatui", "--db", str(demo), "demo", "--leads", str(args.leads)],
                       check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        lead_id = str(args.leads // 2)
        rows = []
        # (The share inside the log's writes leaves out what `log` pays most: the change's own rows and the pages
        # they add to the commit. The in-process timing below shows that.)
        log = alternate(args.runs, lambda mode: child(mode, ["--db", str(demo), "log", lead_id, "--outcome",
                                                             "no_answer"], env, []))
        rows.append(overhead(log, 1000, f"`slatui log LEAD --outcome no_answer` (ms, whole process, "
                                        f"{args.runs} pairs)"))

        def in_process(mode: str) -> tuple[float, float]:
            out = subprocess.run([sys.executable, "-c", IN_PROCESS, mode, str(demo), str(args.calls)], check=True,
                                 env=env, capture_output=True, text=True).stdout
            wall, cpu = map(float, out.split())
            return wall, cpu

        calls = alternate(5, in_process)
        rows.append(overhead(calls, 1000, f"`Store.insert_attempt` (ms a call, in-process, {args.calls} calls, "
                                          "5 pairs)"))

        base = folder / "base.db"
        subprocess.run([sys.executable, "-m", "slatui", "--db", str(base), "agreement", "add", "Import", "--tz",
                        "Europe/Madrid", "--hours", "mon-fri 09:00-18:00", "--respond-within", "2h"],
                       check=True, env=env, stdout=subprocess.DEVNULL)
        source = folder / "leads.csv"
        write_csv(source, args.rows)

        def imported(mode: str) -> float:
            target = folder / f"import-{mode}.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            shutil.copy(base, target)
            return child(mode, ["--db", str(target), "import", "csv", str(source), "--agreement", "Import"], env,
                         shares)

        shares: list[float] = []
        imports = alternate(args.import_runs, imported)
        rows.append(overhead(imports, 1, f"`slatui import csv` of {args.rows:,} rows (s, whole process, "
                                         f"{args.import_runs} pairs)", shares))
    print(f"Machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; demo database: {args.leads:,} leads\n")
    print(f"Load average before: {load_before}, after: {os.getloadavg()[0]:.1f}\n")
    print("| measure | log off: wall / CPU | log on: wall / CPU | cost of the log (CPU, paired) | inside the log's "
          "writes |\n|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
