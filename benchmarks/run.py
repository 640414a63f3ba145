"""Time slatui's speed targets on a large database, each beside a baseline measured in the same run.

    .venv/bin/python benchmarks/run.py                 # builds benchmarks/bench.db (1M leads) once
    .venv/bin/python benchmarks/run.py --leads 100000  # a smaller database, for a quick look

Whole-process timings are medians of several runs. Results go to stdout as a Markdown table;
copy the latest into benchmarks/README.md with the machine they ran on.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SLATUI = [sys.executable, "-m", "slatui"]


def timed(command: list[str], runs: int = 5, env: dict | None = None) -> float:
    """Median wall time of a whole process, in milliseconds."""
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env={**os.environ, **(env or {})})
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples)


def build(db: Path, leads: int) -> float | None:
    if db.exists():
        return None
    began = time.perf_counter()
    subprocess.run([*SLATUI, "--db", str(db), "demo", "--leads", str(leads)], check=True)
    return time.perf_counter() - began


def count_ms(db: Path) -> float:
    began = time.perf_counter()
    sqlite3.connect(db).execute("SELECT count(*) FROM leads").fetchone()
    return (time.perf_counter() - began) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=None)
    args = parser.parse_args()
    db = args.db or HERE / f"bench-{args.leads}.db"
    build_seconds = build(db, args.leads)
    conn = sqlite3.connect(db)
    leads, attempts = (conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("leads", "attempts"))
    lead_id = conn.execute("SELECT max(id) FROM leads").fetchone()[0]
    agreement = conn.execute("SELECT name FROM agreements ORDER BY id LIMIT 1").fetchone()[0]
    conn.close()

    python_start = timed([sys.executable, "-c", "pass"])
    rows = [("database", f"{leads:,} leads, {attempts:,} attempts", "", "")]
    if build_seconds is not None:
        rows.append(("`slatui demo --leads N`", f"{build_seconds:.1f} s", "< 90 s (1M)", ""))
    rows += [
        ("baseline: `python -c pass`", f"{python_start:.0f} ms", "", ""),
        ("baseline: `SELECT count(*) FROM leads`", f"{count_ms(db):.1f} ms", "", ""),
        ("`slatui log LEAD --outcome no_answer`",
         f"{timed([*SLATUI, '--db', str(db), 'log', str(lead_id), '--outcome', 'no_answer']):.0f} ms", "< 150 ms",
         "whole process"),
        ("`slatui lead add NAME --agreement A`",
         f"{timed([*SLATUI, '--db', str(db), 'lead', 'add', 'Bench', '--agreement', agreement]):.0f} ms",
         "< 150 ms", "whole process"),
        ("`slatui report --agreement A --format json`",
         f"{timed([*SLATUI, '--db', str(db), 'report', '--agreement', agreement, '--format', 'json']):.0f} ms",
         "< 200 ms", "whole process"),
        ("`slatui scorecard --agreement A --months 24 --format json`",
         f"{timed([*SLATUI, '--db', str(db), 'scorecard', '--agreement', agreement, '--months', '24', '--format', 'json']):.0f} ms",
         "< 300 ms", "whole process"),
    ]
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"SQLite {sqlite3.sqlite_version}\n")
    print("| measure | result | target | note |\n|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
