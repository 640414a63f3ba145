"""Time imports and exports at scale, each a whole `slatui` process, with its peak memory.

    .venv/bin/python benchmarks/bench_import.py                      # 1M contacts + 3M calls (≈ 400 MB of CSV)
    .venv/bin/python benchmarks/bench_import.py --leads 10000 100000  # growth: one table row per size

For each size it writes a HubSpot contacts export and a calls export (made up here, shaped like HubSpot's:
Record ID, names, owner, create and MQL dates, call outcomes, associated contact ids) into a scratch folder,
then times, each as a whole process:

- `slatui demo --leads N`: the bulk path the import is measured against (about N leads, 3N attempts);
- `slatui import hubspot contacts.csv calls.csv` into a new database (one agreement);
- the same import again (re-import: nothing changes);
- `slatui export --format csv` and `--format json` of the imported database.

CPU time is the process's user + system time and peak memory its maximum resident set (`wait4`): on a
shared machine, the CPU time says more than the wall time. The files and databases are deleted at the
end unless --keep. Results go to stdout as a Markdown table: copy them into benchmarks/README.md with the
machine they ran on.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

SLATUI = [sys.executable, "-m", "slatui"]
ZONE = ZoneInfo("Europe/Madrid")
REPS = ["Alicia Romero", "Bernardo Costa", "Clara Ivanova", "Dmitri Sokolov", "Emma Navarro", "Felipe Santos",
        "Greta Almeida", "Hector Vidal"]
FIRST = ["Ana", "Bruno", "Carla", "Diego", "Elena", "Fabio", "Gala", "Hugo", "Irene", "Jorge", "Lucía", "Mateo"]
LAST = ["Garcia", "Silva", "Lopez", "Santos", "Martin", "Costa", "Perez", "Ivanova", "Ruiz", "Núñez", "Moreno"]
COMPANIES = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne", "Tyrell", "Cyberdyne"]
OUTCOMES = ["No answer"] * 5 + ["Busy"] * 2 + ["Left voicemail"] * 3 + ["Left live message", "Connected",
                                                                         "Connected", "Wrong number"]


def write_files(folder: Path, leads: int, seed: int = 11) -> tuple[Path, Path, int]:
    """contacts.csv and calls.csv: `leads` contacts handed off over the last year, about three calls each."""
    rng = random.Random(seed)
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    end = now - timedelta(days=7)
    start = end - timedelta(days=365)
    span = (end - start).total_seconds()
    contacts, calls = folder / "contacts.csv", folder / "calls.csv"
    call_count = 0
    with open(contacts, "w", newline="", encoding="utf-8") as c, open(calls, "w", newline="", encoding="utf-8") as k:
        cw, kw = csv.writer(c), csv.writer(k)
        cw.writerow(["Record ID", "First Name", "Last Name", "Email", "Company Name", "Contact owner", "Lead Status",
                     "Lifecycle Stage", "Create Date", "Became a Marketing Qualified Lead Date"])
        kw.writerow(["Record ID", "Activity date", "Call outcome", "Call title", "Activity assigned to",
                     "Associated Contact IDs"])
        for i in range(leads):
            contact_id = 1000 + i
            handoff = start + timedelta(seconds=span * i / leads + rng.random() * 60)
            if _ambiguous(handoff):
                handoff += timedelta(hours=2)
            first, last = rng.choice(FIRST), rng.choice(LAST)
            owner = rng.choice(REPS)
            cw.writerow([contact_id, first, last, f"{first}.{last}.{contact_id}@example.com".lower(),
                         rng.choice(COMPANIES), owner, "Attempted to Contact", "Marketing Qualified Lead",
                         _local(handoff - timedelta(hours=2)), _local(handoff)])
            at = handoff
            for _ in range(rng.choice((1, 2, 3, 3, 4, 5))):
                at += timedelta(minutes=rng.randint(5, 3000))
                if at > now - timedelta(hours=1):  # imports refuse times in the future
                    break
                if _ambiguous(at):
                    continue
                call_count += 1
                kw.writerow([50_000_000 + call_count, _local(at), rng.choice(OUTCOMES), f"Call with {first} {last}",
                             owner, contact_id])
    return contacts, calls, call_count


def _ambiguous(instant: datetime) -> bool:
    """Whether the wall time is in the hour that repeats when summer time ends: without an offset, as HubSpot
    writes it, it could be either (and is read as the first)."""
    local = instant.astimezone(ZONE)
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


def _local(instant: datetime) -> str:
    return instant.astimezone(ZONE).strftime("%Y-%m-%d %H:%M")


def run(command: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """(seconds, CPU seconds, peak RSS in MB) of one whole process."""
    began = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - began
    stderr = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{stderr[-2000:]}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def measure(folder: Path, leads: int, env: dict[str, str], formats: list[str]) -> list[tuple[str, ...]]:
    contacts, calls, call_count = write_files(folder, leads)
    size_mb = (contacts.stat().st_size + calls.stat().st_size) / 1e6
    demo_db, db = folder / "demo.db", folder / "import.db"
    demo = run([*SLATUI, "--db", str(demo_db), "demo", "--leads", str(leads)], env)
    demo_leads, demo_attempts = _counts(demo_db)
    subprocess.run([*SLATUI, "--db", str(db), "agreement", "add", "SLA", "--tz", "Europe/Madrid", "--hours",
                    "mon-fri 09:00-14:00,15:00-18:00", "--holidays", "ES"], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    command = [*SLATUI, "--db", str(db), "import", "hubspot", str(contacts), str(calls), "--agreement", "SLA"]
    first = run(command, env)
    counts = _counts(db)
    again = run(command, env)
    if _counts(db) != counts:
        raise SystemExit(f"the re-import changed the counts: {counts} -> {_counts(db)}")
    n = f"{leads:,} + {call_count:,}"
    per_lead = (f"{first[0] / counts[0] * 1e6:.0f} µs a lead vs the demo's {demo[0] / demo_leads * 1e6:.0f} µs "
                f"({first[0] / demo[0]:.2f}×)")
    rows = [
        (n, "`slatui demo --leads N`", *_figures(demo), f"{demo_leads:,} leads, {demo_attempts:,} attempts"),
        (n, "import hubspot, new database", *_figures(first),
         f"{size_mb:.0f} MB of CSV; {counts[0]:,} leads, {counts[1]:,} attempts; {per_lead}"),
        (n, "import hubspot again (re-import)", *_figures(again),
         f"nothing changes; {again[0] / first[0]:.2f}× the first import"),
    ]
    demo_db.unlink()
    for fmt in formats:
        out = folder / f"export-{fmt}"
        figures = run([*SLATUI, "--db", str(db), "export", "--format", fmt, "--out", str(out)], env)
        written = sum(p.stat().st_size for p in out.iterdir()) / 1e6
        rows.append((n, f"export --format {fmt}", *_figures(figures), f"{written:.0f} MB written"))
        shutil.rmtree(out)
    return rows


def _figures(measured: tuple[float, float, float]) -> tuple[str, str, str]:
    seconds, cpu, mb = measured
    return f"{seconds:.1f} s", f"{cpu:.1f} s", f"{mb:.0f} MB"


def _counts(db: Path) -> tuple[int, int]:
    conn = sqlite3.connect(db)
    try:
        return tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("leads", "attempts"))
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--formats", nargs="*", default=["csv", "json"], help="export formats to time")
    parser.add_argument("--folder", type=Path, default=None, help="scratch folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the files and databases")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    rows = []
    for leads in args.leads:
        folder = Path(tempfile.mkdtemp(prefix=f"slatui-import-{leads}-", dir=args.folder))
        try:
            rows += measure(folder, leads, env, args.formats)
        finally:
            if not args.keep:
                shutil.rmtree(folder)
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"SQLite {sqlite3.sqlite_version}\n")
    print("| size (leads + calls) | measure | time | CPU time | peak memory | note |\n|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
