"""Exports for spreadsheets and warehouses: agreements, reps, leads and attempts, as four CSV
files, one .xlsx workbook with a sheet each, or one JSON file that `slatui import json` reads back.

Times are ISO 8601 in the agreement's zone with its offset; leads carry their derived facts
(handoff day, deadline, first attempt, response time in seconds and as text, attempt count).
CSV and sheet cells that a spreadsheet would run as a formula are prefixed with a quote; `--excel`
CSV has a UTF-8 BOM (Excel then reads "José Müller" and "山田" right) and CRLF line ends. JSON is
strict: a number that is not finite is written as null.

Rows stream from one read snapshot of the database; each file is written beside its final name and
renamed into place once complete, owner-only (0600: it holds customer data), so a failed export
leaves no partial file behind.
"""

from __future__ import annotations

import csv
import json
import math
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import lru_cache
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TextIO

from slatui.errors import SlatuiError
from slatui.io.child import Child
from slatui.report import spreadsheet_safe
from slatui.store import Store, bulk
from slatui.store.connection import BUSY_TIMEOUT_MS

JSON_FILE = "slatui-export.json"
XLSX_FILE = "slatui-export.xlsx"
FORMAT = "slatui-export"
VERSION = 1
TABLES = ("agreements", "reps", "leads", "attempts")
FORMATS = ("csv", "json", "xlsx")
# Rows a worksheet holds, its header included.
SHEET_ROWS = 1_048_576


def export(store: Store, fmt: str, out: Path, *, excel: bool = False) -> list[Path]:
    """Write the database to `out` (created if missing); returns the files written."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        if fmt == "csv":
            return _write_csv(store, out, excel)
        with store.snapshot():
            if fmt == "json":
                with _replacing(out / JSON_FILE) as (path, handle):
                    _write_json(handle, store)
                return [path]
            return [_write_xlsx(store, out / XLSX_FILE)]
    except OSError as exc:
        raise SlatuiError(f"cannot write to {out}: {exc.strerror or exc}: nothing was written") from None


@contextmanager
def _replacing(*paths: Path, bom: bool = False) -> Iterator[Any]:
    """Text files written under temporary names beside `paths` (owner-only) and renamed over them once all are
    complete; on any failure the temporary files go and the old ones stay."""
    made: list[tuple[str, Path, TextIO]] = []
    try:
        for path in paths:
            fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
            made.append((temporary, path, open(temporary, "w", encoding="utf-8-sig" if bom else "utf-8", newline="",
                                               opener=lambda *_, fd=fd: fd)))  # named, on mkstemp's descriptor
        yield [(path, handle) for _, path, handle in made] if len(paths) > 1 else (made[0][1], made[0][2])
        for _, _, handle in made:
            handle.close()
        for temporary, path, _ in made:
            os.replace(temporary, path)
    except BaseException:
        for temporary, _, handle in made:
            handle.close()
            if os.path.exists(temporary):
                os.unlink(temporary)
        raise


# Past this many attempts, a child process writes attempts.csv while this one writes the rest (see `_Beside`).
_BESIDE_ROWS = 100_000


def _write_csv(store: Store, out: Path, excel: bool) -> list[Path]:
    """The four CSV files. At scale, attempts are written beside the rest by a child process reading the same
    snapshot: SQLite formats the lines and two cores share the work."""
    with _replacing(*(out / f"{table}.csv" for table in TABLES), bom=excel) as files:
        handles = {table: handle for table, (_, handle) in zip(TABLES, files)}
        for table, handle in handles.items():
            csv.writer(handle).writerow(_columns(table))  # CRLF line ends, as RFC 4180 and Excel want
        beside = None
        try:
            if not store.read_only and bulk.count_rows(store, "attempts") >= _BESIDE_ROWS:
                handles["attempts"].flush()  # the child appends to the header
                beside = _Beside(store.path, "attempts", handles["attempts"].name)
            with bulk.twin_snapshots(store, beside.begin if beside else None) as shared:
                for table, handle in handles.items():
                    if not (shared and table == "attempts"):
                        _write_rows(store, table, handle)
                if shared:
                    beside.finish()
        finally:
            if beside is not None:
                beside.close()
        return [path for path, _ in files]


def _write_rows(store: Store, table: str, handle: TextIO) -> None:
    if table in ("leads", "attempts"):  # millions of rows: SQLite writes the lines, a block at a time
        handle.writelines(_rows(store, table, sheet=True, csv_lines=True))
    else:
        csv.writer(handle).writerows(_rows(store, table, sheet=True))


class _Beside:
    """A child process that appends one table's CSV lines to a file, reading the snapshot its parent begins
    (`bulk.twin_snapshots`). A process and not a thread: SQLite's allocator takes one lock for all the threads of a
    process, and two threads formatting lines wait on it in turn (at 1M leads, 3-12 s more CPU than two processes
    and no quicker than one thread); a process costs about 0.2 s to start. Each step it answers None, or the
    exception that stopped it, which the parent raises."""

    def __init__(self, db: Path, table: str, file: str) -> None:
        self.child = Child(_write_beside, (str(db), table, file), f"writing {table}.csv", duplex=True)
        self._answer()  # the database opened

    def begin(self) -> None:
        self.child.pipe.send("begin")
        self._answer()  # its read transaction begun

    def finish(self) -> None:
        self._answer()  # its lines written
        self.child.process.join()

    def close(self) -> None:
        self.child.close()

    def _answer(self) -> None:
        try:
            failure = self.child.pipe.recv()
        except EOFError:
            raise self.child.stopped() from None
        if failure is not None:
            raise failure


def _write_beside(db: str, table: str, file: str, pipe: Connection) -> None:
    """`_Beside`'s child: open the database, begin a read when told, append the table's lines to `file`."""
    try:
        store = Store.existing(Path(db), busy_timeout_ms=BUSY_TIMEOUT_MS)
        try:
            pipe.send(None)
            pipe.recv()
            bulk.begin_read(store)
            pipe.send(None)
            with open(file, "a", encoding="utf-8", newline="") as handle:
                _write_rows(store, table, handle)
        finally:
            store.conn.close()  # a read only: nothing for `Store.close` to tidy
        pipe.send(None)
    except BaseException as exc:  # the parent raises it
        pipe.send(exc)


def _columns(table: str) -> tuple[str, ...]:
    if table == "agreements":
        return _agreement_columns()
    return {"reps": bulk.REP_EXPORT,
            "leads": bulk.LEAD_EXPORT, "attempts": bulk.ATTEMPT_EXPORT}[table]


def _rows(store: Store, table: str, *, sheet: bool, csv_lines: bool = False) -> Iterable[tuple]:
    """A table's rows as tuples in `_columns` order; with `sheet`, text a spreadsheet would run made safe; with
    `csv_lines` (leads and attempts), blocks of CSV lines instead."""
    safe = spreadsheet_safe if sheet else None
    if table == "agreements":
        return ([safe(v) if safe else v for v in _flatten(a.model_dump(mode="json")).values()]
                for a in sorted(store.list_agreements(), key=lambda a: a.id))
    if table == "reps":
        return ((i, safe(name) if safe else name, safe(team) if safe else team, capacity, bool(active))
                for i, name, team, capacity, active in bulk.export_reps(store))
    if table == "leads":
        return bulk.export_leads(store, sheet_safe=safe, csv_lines=csv_lines)
    return bulk.export_attempts(store, sheet_safe=safe, csv_lines=csv_lines)


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


@lru_cache(maxsize=1)
def _agreement_columns() -> tuple[str, ...]:
    from slatui.models import Agreement

    return tuple(_flatten(Agreement(name="x").model_dump(mode="json")))


def _write_json(handle: TextIO, store: Store) -> None:
    """One JSON object, written table by table and row by row so big databases stream out."""
    exported_at = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    handle.write(f'{{"format": "{FORMAT}", "version": {VERSION}, "exported_at": "{exported_at}"')
    for table in TABLES:
        handle.write(f',\n"{table}": [')
        if table == "agreements":
            rows: Iterable[dict[str, Any]] = (a.model_dump(mode="json")
                                              for a in sorted(store.list_agreements(), key=lambda a: a.id))
        else:
            columns = _columns(table)
            rows = (dict(zip(columns, row)) for row in _rows(store, table, sheet=False))
        for i, row in enumerate(rows):
            if table == "leads":
                row["connected"] = bool(row["connected"])
            handle.write(("," if i else "") + "\n  " + _json(row))
        handle.write("\n]")
    handle.write("}\n")


def _json(row: dict[str, Any]) -> str:
    try:
        return json.dumps(row, ensure_ascii=False, allow_nan=False)
    except ValueError:  # an infinite amount stored before imports refused them: null, and the file stays JSON
        return json.dumps(_finite(row), ensure_ascii=False, allow_nan=False)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def _write_xlsx(store: Store, path: Path) -> Path:
    try:
        from openpyxl import Workbook
    except ImportError:
        raise SlatuiError("--format xlsx needs openpyxl: pip install 'slatui[xlsx]' (or export --format csv "
                          "--excel)") from None
    for table in ("leads", "attempts"):
        if bulk.count_rows(store, table) >= SHEET_ROWS:
            raise SlatuiError(f"{table}: {bulk.count_rows(store, table):,} rows are more than a worksheet holds "
                              f"({SHEET_ROWS - 1:,}): export --format csv --excel instead")
    book = Workbook(write_only=True)
    for table in TABLES:
        sheet = book.create_sheet(table)
        sheet.append(list(_columns(table)))
        for row in _rows(store, table, sheet=True):
            sheet.append(list(row))
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with open(fd, "wb") as handle:
            book.save(handle)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return path

