"""Exports for spreadsheets and warehouses: agreements, reps, leads and attempts, as four CSV
files or one JSON file that `slatui import json` reads back.

Times are ISO 8601 in the agreement's zone with its offset; leads carry their derived facts
(handoff day, deadline, first attempt, response time in seconds and as text, attempt count).
CSV cells that a spreadsheet would run as a formula are prefixed with a quote.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from slatui.errors import SlatuiError
from slatui.parsing import format_duration
from slatui.report import spreadsheet_safe
from slatui.store import Store, bulk

JSON_FILE = "slatui-export.json"
FORMAT = "slatui-export"
VERSION = 1
TABLES = ("agreements", "reps", "leads", "attempts")
def export(store: Store, fmt: str, out: Path) -> list[Path]:
    """Write the database to `out` (created if missing); returns the files written."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        if fmt == "json":
            path = out / JSON_FILE
            with _create(path) as handle:
                _write_json(handle, store)
            return [path]
        paths = []
        for table in TABLES:
            path = out / f"{table}.csv"
            with _create(path) as handle:
                _write_csv(handle, _rows(store, table, flat=True))
            paths.append(path)
        return paths
    except OSError as exc:
        raise SlatuiError(f"cannot write to {out}: {exc.strerror or exc}") from None


def _create(path: Path) -> TextIO:
    # Personal data: a new file is owner-only, like the database file.
    return open(path, "w", encoding="utf-8", newline="", opener=lambda name, flags: os.open(name, flags, 0o600))


def _rows(store: Store, table: str, *, flat: bool = False) -> Iterator[dict[str, Any]]:
    if table == "agreements":
        return (_flatten(a.model_dump(mode="json")) if flat else a.model_dump(mode="json")
                for a in sorted(store.list_agreements(), key=lambda a: a.id))
    if table == "reps":
        return bulk.export_reps(store)
    if table == "leads":
        return (_lead(row) for row in bulk.export_leads(store))
    return (_attempt(row) for row in bulk.export_attempts(store))


@lru_cache(maxsize=None)
def _zone(tz: str) -> ZoneInfo:
    return ZoneInfo(tz)


def _iso(epoch: int | None, tz: str) -> str | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, _zone(tz)).isoformat()


def _lead(row: dict[str, Any]) -> dict[str, Any]:
    tz = row.pop("tz")
    for key in ("handed_off_at", "closed_at", "deadline_at", "first_attempt_at"):
        row[key] = _iso(row[key], tz)
    seconds = row["response_seconds"]
    # Insert the readable response time right after its seconds, for people reading the sheet.
    ordered = {}
    for key, value in row.items():
        ordered[key] = value
        if key == "response_seconds":
            ordered["response"] = None if seconds is None else format_duration(seconds)
    ordered["connected"] = bool(row["connected"])
    return ordered


def _attempt(row: dict[str, Any]) -> dict[str, Any]:
    row["at"] = _iso(row["at"], row.pop("tz"))
    return row


def _flatten(agreement: dict[str, Any]) -> dict[str, Any]:
    """One spreadsheet row per agreement: targets and calendar become columns, lists become JSON."""
    flat: dict[str, Any] = {}
    for key, value in agreement.items():
        if key in ("targets", "calendar"):
            flat.update({k: json.dumps(v) if isinstance(v, list) else v for k, v in value.items()})
        elif isinstance(value, (list, dict)):
            flat[key] = json.dumps(value, ensure_ascii=False)
        else:
            flat[key] = value
    return flat


def _write_csv(handle: TextIO, rows: Iterable[dict[str, Any]]) -> None:
    writer = None
    for row in rows:
        if writer is None:
            writer = csv.DictWriter(handle, fieldnames=list(row))
            writer.writeheader()
        writer.writerow({k: spreadsheet_safe(v) for k, v in row.items()})


def _write_json(handle: TextIO, store: Store) -> None:
    """One JSON object, written table by table and row by row so big databases stream out."""
    exported_at = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    handle.write(f'{{"format": "{FORMAT}", "version": {VERSION}, "exported_at": "{exported_at}"')
    for table in TABLES:
        handle.write(f',\n"{table}": [')
        for i, row in enumerate(_rows(store, table)):
            handle.write(("," if i else "") + "\n  " + json.dumps(row, ensure_ascii=False))
        handle.write("\n]")
    handle.write("}\n")
