"""What the change log costs (issue 14: no more than 20 % on `log` and on a 100k-row import), measured by running
the same commands with the change-log writes switched off and on.

    .venv/bin/python benchmarks/bench_changelog.py                  # 100k-lead demo for `log`, 100k-row CSV import
    .venv/bin/python benchmarks/bench_changelog.py --rows 10000     # a smaller import, for a quick look

"Off" replaces `Store.change` with a plain transaction and makes `_record`, `_row` and `_log_lead` (the reads and
writes made only for the log) do nothing; everything else runs as shipped. Each timing is a whole process (as
benchmarks/run.py times commands, bytecode kept in a temporary PYTHONPYCACHEPREFIX), off and on alternating so
that a busy neighbour slows both alike; the medians are compared. `log` is also timed in-process (many attempts
logged in one process), which shows the log's own cost without the start-up around it. The databases are scratch
files in a temporary folder.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
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

# The start of every child process: the change log switched off (argv[1] "off") or left as shipped ("on").
SWITCH = """
import sys
if sys.argv[1] == "off":
    from contextlib import contextmanager
    from slatui.store.changelog import Change, ChangeLog
    from slatui.store.leads import LeadQueries

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
began = time.perf_counter()
for i in range(int(sys.argv[3])):
    store.insert_attempt(leads[i % len(leads)], AttemptValues(now, "call", "no_answer"))
print((time.perf_counter() - began) / int(sys.argv[3]))
"""


def child(mode: str, args: list[str], env: dict[str, str]) -> float:
    """Seconds a whole child process takes to run `slatui ARGS` with the log `mode` ("on" or "off")."""
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", CHILD, mode, *args], check=True, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - began


def alternate(runs: int, measure) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {"off": [], "on": []}
    for i in range(runs):
        for mode in ("off", "on") if i % 2 == 0 else ("on", "off"):
            samples[mode].append(measure(mode))
    return samples


def overhead(samples: dict[str, list[float]], unit: float, label: str) -> tuple[str, str, str]:
    off, on = statistics.median(samples["off"]), statistics.median(samples["on"])
    return (label, f"{off * unit:,.1f}", f"{on * unit:,.1f}", f"{(on - off) / off:+.1%}")


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
    with tempfile.TemporaryDirectory(prefix="slatui-bench-changelog-") as tmp:
        folder = Path(tmp)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {
            "PYTHONPYCACHEPREFIX": str(folder / "pycache"), "PYTHONPATH": str(ROOT)}
        demo = folder / "demo.db"
        subprocess.run([sys.executable, "-m", "slatui", "--db", str(demo), "demo", "--leads", str(args.leads)],
                       check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        lead_id = str(args.leads // 2)
        rows = []
        log = alternate(args.runs, lambda mode: child(mode, ["--db", str(demo), "log", lead_id, "--outcome",
                                                             "no_answer"], env))
        rows.append(overhead(log, 1000, f"`slatui log LEAD --outcome no_answer` (ms, whole process, "
                                        f"median of {args.runs})"))

        def in_process(mode: str) -> float:
            out = subprocess.run([sys.executable, "-c", IN_PROCESS, mode, str(demo), str(args.calls)], check=True,
                                 env=env, capture_output=True, text=True).stdout
            return float(out)

        calls = alternate(5, in_process)
        rows.append(overhead(calls, 1000, f"`Store.insert_attempt` (ms a call, in-process, {args.calls} calls, "
                                          "median of 5)"))

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
            return child(mode, ["--db", str(target), "import", "csv", str(source), "--agreement", "Import"], env)

        imports = alternate(args.import_runs, imported)
        rows.append(overhead(imports, 1, f"`slatui import csv` of {args.rows:,} rows (s, whole process, "
                                         f"median of {args.import_runs})"))
    print(f"Machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; demo database: {args.leads:,} leads\n")
    print("| measure | log off | log on | cost of the log |\n|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
