"""Time slatui's speed targets on a large database, each beside a baseline measured in the same run.

    .venv/bin/python benchmarks/run.py                 # builds benchmarks/bench-1000000.db (1M leads) once
    .venv/bin/python benchmarks/run.py --leads 100000  # a smaller database, for a quick look

Whole-process timings are medians of several runs, after one warm-up run: wall time, and CPU time (which
a busy machine hardly changes, while it can stretch the wall time severalfold). The timed processes keep
compiled bytecode (in a temporary PYTHONPYCACHEPREFIX) as an installed slatui does, even where
PYTHONDONTWRITEBYTECODE is set. Results go to stdout as a Markdown table; copy the latest into
benchmarks/README.md with the machine they ran on. The timed commands write to the database (an
attempt and a lead per run), which is a scratch copy: delete it when done (it is large).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SLATUI = [sys.executable, "-m", "slatui"]


def timed(command: list[str], env: dict[str, str], runs: int) -> str:
    """Median wall time of a whole process after a warm-up run, and its median CPU time (user and system):
    on a shared machine the wall time also holds the waits for a core, the CPU time hardly."""
    walls, cpus = [], []
    for _ in range(runs + 1):
        began, used = time.perf_counter(), _children_cpu()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        walls.append((time.perf_counter() - began) * 1000)
        cpus.append((_children_cpu() - used) * 1000)
    return f"{statistics.median(walls[1:]):.0f} ms (CPU {statistics.median(cpus[1:]):.0f})"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def build(db: Path, leads: int, env: dict[str, str]) -> float | None:
    if db.exists():
        return None
    began = time.perf_counter()
    subprocess.run([*SLATUI, "--db", str(db), "demo", "--leads", str(leads)], check=True, env=env)
    return time.perf_counter() - began


def count_ms(db: Path) -> float:
    began = time.perf_counter()
    sqlite3.connect(db).execute("SELECT count(*) FROM leads").fetchone()
    return (time.perf_counter() - began) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=7, help="timed runs per command (after one warm-up)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="slatui-bench-pycache-") as pycache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"PYTHONPYCACHEPREFIX": pycache}
        rows = measure(args.db or HERE / f"bench-{args.leads}.db", args.leads, args.runs, env)
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"SQLite {sqlite3.sqlite_version}\n")
    print("| measure | result | target | note |\n|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def measure(db: Path, lead_count: int, runs: int, env: dict[str, str]) -> list[tuple[str, str, str, str]]:
    build_seconds = build(db, lead_count, env)
    conn = sqlite3.connect(db)
    leads, attempts = (conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("leads", "attempts"))
    lead_id = conn.execute("SELECT max(id) FROM leads").fetchone()[0]
    owed = conn.execute("SELECT count(*) FROM leads WHERE next_due_at IS NOT NULL").fetchone()[0]
    agreement_id, agreement = conn.execute("SELECT id, name FROM agreements ORDER BY id LIMIT 1").fetchone()
    first_month, last_month = conn.execute(
        "SELECT substr(min(handoff_day), 1, 7), substr(max(handoff_day), 1, 7) FROM leads WHERE agreement_id = ?",
        (agreement_id,),
    ).fetchone()
    month_leads = dict(conn.execute(
        "SELECT substr(handoff_day, 1, 7), count(*) FROM leads WHERE agreement_id = ? GROUP BY 1", (agreement_id,)
    ).fetchall())
    # A page half-way down the open leads: by key it costs what the first page does (OFFSET read everything above).
    open_leads = conn.execute("SELECT count(*) FROM leads WHERE status IN ('open', 'connected')").fetchone()[0]
    deep_id = conn.execute("SELECT id FROM leads WHERE status IN ('open', 'connected') "
                           "ORDER BY handed_off_at DESC, id DESC LIMIT 1 OFFSET ?", (open_leads // 2,)).fetchone()[0]
    conn.close()

    def python_ms(code: str) -> str:
        return timed([sys.executable, "-c", code], env, runs)

    def slatui_ms(*command: str) -> str:
        return timed([*SLATUI, "--db", str(db), *command], env, runs)

    def report(month: str) -> tuple[str, str, str, str]:
        history = sorted(m for m in month_leads if m <= month)
        return (f"`slatui report --agreement A --month {month} --format json`", slatui_ms(
            "report", "--agreement", agreement, "--month", month, "--format", "json"), "< 200 ms",
            f"{len(history)} month(s) of verdict history, {sum(month_leads[m] for m in history):,} of A's leads; "
            f"the month itself: {month_leads.get(month, 0):,}")

    rows = [("database", f"{leads:,} leads, {attempts:,} attempts", "",
             f"agreement A ({agreement}): {sum(month_leads.values()):,} leads, {first_month} to {last_month}")]
    if build_seconds is not None:
        rows.append(("`slatui demo --leads N`", f"{build_seconds:.1f} s", "< 90 s (1M)", "with progress bar"))
    rows += [
        ("baseline: `python -c pass`", python_ms("pass"), "", ""),
        ("baseline: `python -c 'import click, sqlite3'`", python_ms("import click, sqlite3"), "",
         "the libraries every quick command loads"),
        ("baseline: `python -c 'import click, pydantic.main'`", python_ms("import click, pydantic.main"), "",
         "what a command that builds a model would load: the quick commands do not"),
        ("baseline: `SELECT count(*) FROM leads`", f"{count_ms(db):.1f} ms", "", "in-process"),
        ("`slatui --help`", slatui_ms("--help"), "", "no model, no pydantic"),
        ("`slatui log LEAD --outcome no_answer`", slatui_ms("log", str(lead_id), "--outcome", "no_answer"),
         "< 150 ms", ""),
        ("`slatui lead add NAME --agreement A`", slatui_ms("lead", "add", "Bench", "--agreement", agreement),
         "< 150 ms", ""),
        ("`slatui lead add NAME --agreement A --json`",
         slatui_ms("lead", "add", "Bench", "--agreement", agreement, "--json"), "< 150 ms", "no pydantic"),
        ("`slatui leads --limit 20`", slatui_ms("leads", "--limit", "20"), "< 150 ms", "newest first"),
        ("`slatui leads --open --limit 20`", slatui_ms("leads", "--open", "--limit", "20"), "< 150 ms",
         f"{open_leads:,} open or connected"),
        ("`slatui leads --agreement A --open --limit 20`",
         slatui_ms("leads", "--agreement", agreement, "--open", "--limit", "20"), "< 150 ms", ""),
        ("`slatui leads --open --limit 20 --before ID`",
         slatui_ms("leads", "--open", "--limit", "20", "--before", str(deep_id)), "< 150 ms",
         f"the page {open_leads // 2:,} open leads deep"),
        ("`slatui agreement list`", slatui_ms("agreement", "list"), "< 150 ms", "no pydantic"),
        ("`slatui agreement list --json`", slatui_ms("agreement", "list", "--json"), "< 150 ms", "no pydantic"),
        ("`slatui rep list`", slatui_ms("rep", "list"), "< 150 ms", "no pydantic"),
        report(first_month),
        report(last_month),
        ("`slatui scorecard --agreement A --months 24 --format json`",
         slatui_ms("scorecard", "--agreement", agreement, "--months", "24", "--format", "json"), "< 300 ms",
         f"every month from {first_month} to {last_month}"),
        ("`slatui status`", slatui_ms("status"), "< 100 ms", f"{owed:,} leads owed an attempt (bench_plan.py: growth)"),
        ("`slatui queue`", slatui_ms("queue"), "", "its first page, 50 leads, with the plan's counts"),
    ]
    return rows


if __name__ == "__main__":
    main()
