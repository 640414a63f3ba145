"""Reading the files people actually have: CSV with a BOM or UTF-16 from Excel, `,` `;` or tab
delimiters, title lines above the header, blank lines, quoted newlines; `.xlsx` workbooks; and dates
written ISO, day-first (`31/01/2026 14:30`), month-first (`01/31/2026 2:30 PM`) or as Unix times.

Tables stream: their rows are read from the file each time they are walked, so an import's memory
does not grow with the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slatui.errors import SlatuiError

_DELIMITERS = (",", ";", "\t")
_SAMPLE_CHARS = 64 * 1024
# Title lines ("Exported from HubSpot on ...") rarely run past a few rows above the header.
_HEADER_SEARCH_ROWS = 20
# Read in blocks this size (the UTF-8 check, the progress of a walk).
_BLOCK = 1 << 20
XLSX_HINT = "reading .xlsx files needs openpyxl: pip install 'slatui[xlsx]' (or save the sheet as CSV)"


def normalise(name: str) -> str:
    """Column names compared the way people read them: 'Create Date' == 'create_date' == 'CREATE-DATE'."""
    return re.sub(r"[^0-9a-z]+", " ", name.casefold()).strip()


class Row:
    __slots__ = ("line", "cells")

    def __init__(self, line: int, cells: list[str]):
        self.line = line  # physical line where the record starts, as a text editor numbers it (a sheet's row)
        self.cells = cells


class Table:
    """A file's header and its data rows, walked from the file each time; cells are looked up by column name.

    `done` and `size` tell how far the current walk has read (bytes for CSV, rows for a sheet)."""

    kind = "CSV"

    def __init__(self, name: str, header: list[str], delimiter: str = ","):
        self.name = name
        self.delimiter = delimiter
        self.header = header
        self.size = self.done = 0
        self._index: dict[str, int] = {}  # normalised name -> position
        self._position: dict[str, int] = {}  # name as written -> position, for the per-cell lookups
        for i, column in enumerate(header):
            # A repeated column name: the first one wins.
            self._index.setdefault(normalise(column), i)
            self._position.setdefault(column, self._index[normalise(column)])

    @property
    def rows(self) -> Iterator[Row]:
        """The data rows below the header, read from the file anew."""
        raise NotImplementedError

    def where(self, line: int) -> str:
        return f"{self.name}:{line}"

    def overflow(self, row: Row) -> str:
        """Why a row with cells beyond the header's last column is refused."""
        return (f"has {len(row.cells)} cells but the header has {len(self.header)}: "
                f"a value with a {self.delimiter!r} in it may have lost its quotes")

    def find(self, *aliases: str) -> str | None:
        """The file's spelling of the first alias it has as a column, else None."""
        for alias in aliases:
            i = self._index.get(normalise(alias))
            if i is not None:
                return self.header[i]
        return None

    def has(self, column: str) -> bool:
        return normalise(column) in self._index

    def picker(self, *columns: str | None) -> Callable[[list[str]], list[str]]:
        """A function from a row's cells to the stripped cells of `columns` ("" for None or a short row)."""
        positions = [-1 if c is None else self._position[c] for c in columns]

        def pick(cells: list[str]) -> list[str]:
            width = len(cells)
            return [cells[i].strip() if 0 <= i < width else "" for i in positions]

        return pick

    def values(self, columns: list[str]) -> Iterator[tuple[str, str]]:
        """(column, cell) of the given columns, row by row: one walk of the file."""
        positions = [(c, self._position[c]) for c in columns]
        for row in self.rows:
            cells = row.cells
            for column, i in positions:
                if i < len(cells):
                    yield column, cells[i].strip()


class CsvTable(Table):
    def __init__(self, path: Path, encoding: str, delimiter: str, header: list[str], header_line: int):
        super().__init__(path.name, header, delimiter)
        self.path, self.encoding, self.header_line = path, encoding, header_line
        self.size = path.stat().st_size

    @property
    def rows(self) -> Iterator[Row]:
        return self._walk(after=self.header_line)

    def _walk(self, after: int = 0) -> Iterator[Row]:
        """Non-blank records of the file, with the line each starts on; those up to line `after` are left out."""
        self.done = 0
        with open(self.path, encoding=self.encoding, errors="replace", newline="") as handle:
            reader = csv.reader(handle, delimiter=self.delimiter)
            line = 1
            try:
                for count, cells in enumerate(reader):
                    if line > after and cells and (cells[0].strip() or any(cell.strip() for cell in cells)):
                        yield Row(line, cells)
                    line = reader.line_num + 1
                    if not count & 1023:
                        self.done = handle.buffer.tell()
            except csv.Error as exc:
                raise SlatuiError(f"{self.name}:{line}: cannot read the CSV ({exc}); check the quotes on that line") \
                    from None
        self.done = self.size


class SheetTable(Table):
    """The first sheet of an .xlsx workbook, or the one named, read through openpyxl in read-only mode."""

    kind = "sheet"

    def __init__(self, path: Path, sheet: str, header: list[str], header_row: int, rows: int):
        super().__init__(path.name, header)
        self.path, self.sheet, self.header_row, self.size = path, sheet, header_row, rows

    def where(self, line: int) -> str:
        return f"{self.name}, sheet {self.sheet}, row {line}"

    def overflow(self, row: Row) -> str:
        return f"has values beyond the header's last column ({len(self.header)} columns): is a column unnamed?"

    @property
    def rows(self) -> Iterator[Row]:
        return _sheet_rows(self, self.path, self.sheet, after=self.header_row)


def read_table(path: str | Path, expected: Iterable[str] = (), *, sheet: str | None = None) -> Table:
    """Open a CSV file or an .xlsx workbook whose header names some of the `expected` columns (they help find
    the header, below any title lines); the rows are read when the table is walked."""
    path = Path(path)
    wanted = {normalise(name) for name in expected}
    if path.suffix.casefold() in (".xlsx", ".xlsm"):
        return _open_sheet(path, wanted, sheet)
    encoding = _encoding(path)
    with open(path, encoding=encoding, errors="replace", newline="") as handle:
        sample = handle.read(_SAMPLE_CHARS)
    if len(sample) == _SAMPLE_CHARS:
        sample = sample[: sample.rfind("\n") + 1] or sample
    delimiter = _sniff_delimiter(sample, wanted)
    head = _find_header(CsvTable(path, encoding, delimiter, [], 0)._walk(), wanted,
                        f"{path.name} has no rows: export the file again with a header and data")
    return CsvTable(path, encoding, delimiter, [cell.strip() for cell in head.cells], head.line)


def _encoding(path: Path) -> str:
    """UTF-16 or UTF-8 (BOM or not) when the bytes say so; else cp1252, most likely Excel on Windows."""
    try:
        with open(path, "rb") as handle:
            start = handle.read(4)
            if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode text"
                return "utf-16"
            handle.seek(0)
            decoder = codecs.getincrementaldecoder("utf-8")()
            try:
                while block := handle.read(_BLOCK):
                    decoder.decode(block)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                return "cp1252"  # a few bytes are undefined there: they read as U+FFFD
    except OSError as exc:
        raise SlatuiError(f"cannot read {path}: {exc.strerror}") from None
    return "utf-8-sig"


def _sniff_delimiter(sample: str, wanted: set[str]) -> str:
    """The delimiter under which the header names expected columns and rows have one width."""

    def score(delimiter: str) -> tuple[int, int, int]:
        try:
            rows = [r for r in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter) if any(r)]
        except csv.Error:
            return (-1, 0, 0)
        named = max((sum(normalise(c) in wanted for c in r) for r in rows[:_HEADER_SEARCH_ROWS]), default=0)
        width, count = Counter(len(r) for r in rows).most_common(1)[0] if rows else (0, 0)
        return (named, count if width > 1 else 0, width)

    return max(_DELIMITERS, key=score)  # max keeps the first on ties: ',' when nothing tells


def _find_header(rows: Iterator[Row], wanted: set[str], empty: str) -> Row:
    """The first of the first rows naming the most expected columns; the first row when none does."""
    best, head = 0, None
    for row in islice(rows, _HEADER_SEARCH_ROWS):
        named = sum(normalise(cell) in wanted for cell in row.cells)
        if head is None or named > best:
            best, head = named, row
    if head is None:
        raise SlatuiError(empty)
    return head


# --- workbooks ---------------------------------------------------------------------------------


def _workbook(path: Path) -> Any:
    try:
        import openpyxl
    except ImportError:
        raise SlatuiError(XLSX_HINT) from None
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except OSError as exc:
        raise SlatuiError(f"cannot read {path}: {exc.strerror or exc}") from None
    except Exception as exc:  # zipfile.BadZipFile, KeyError and XML errors from a damaged or foreign file
        raise SlatuiError(f"{path.name} is not an .xlsx workbook Excel can open ({type(exc).__name__}): "
                          "save it again from Excel, or as CSV") from None


def _open_sheet(path: Path, wanted: set[str], sheet: str | None) -> SheetTable:
    book = _workbook(path)
    try:
        if sheet is None:
            if not book.worksheets:
                raise SlatuiError(f"{path.name} has no sheets")
            name = book.worksheets[0].title
        else:
            match = [ws.title for ws in book.worksheets if ws.title.casefold() == sheet.casefold()]
            if not match:
                raise SlatuiError(f"{path.name} has no sheet {sheet!r}: its sheets are "
                                  f"{', '.join(repr(ws.title) for ws in book.worksheets)}")
            name = match[0]
        rows = book[name].max_row or 0
    finally:
        book.close()
    head = _find_header(_sheet_rows(None, path, name), wanted,
                        f"{path.name}, sheet {name} has no rows: it needs a header row and data")
    header = [cell.strip() for cell in head.cells]
    while header and not header[-1]:  # formatting can stretch a sheet's used range past the header
        header.pop()
    return SheetTable(path, name, header, head.line, rows)


def _sheet_rows(table: SheetTable | None, path: Path, sheet: str, after: int = 0) -> Iterator[Row]:
    book = _workbook(path)
    try:
        for number, values in enumerate(book[sheet].iter_rows(values_only=True), start=1):
            if table is not None and not number & 1023:
                table.done = number
            if number <= after:
                continue
            cells = [_cell_text(value) for value in values]
            while cells and not cells[-1]:
                cells.pop()
            if any(cell.strip() for cell in cells):
                yield Row(number, cells)
    finally:
        book.close()
    if table is not None:
        table.done = table.size


def _cell_text(value: Any) -> str:
    """A sheet's cell as the CSV export of it would read: dates in ISO (a date alone when it has no time)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() and value.tzinfo is None else value.isoformat(" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- dates -------------------------------------------------------------------------------------

_ZONE = r"(?:\s*(?P<zone>Z|UTC|GMT|[+-][0-9]{2}(?::?[0-9]{2})?))?"
_TIME = (
    r"(?:(?:[T ]|,\s*|\s+)(?P<H>[0-9]{1,2}):(?P<M>[0-9]{2})(?::(?P<S>[0-9]{2})(?:[.,](?P<frac>[0-9]+))?)?"
    r"\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?)?"
)
_YMD = re.compile(r"(?P<y>[0-9]{4})[-/.](?P<m>[0-9]{1,2})[-/.](?P<d>[0-9]{1,2})" + _TIME + _ZONE)
_XXY = re.compile(r"(?P<a>[0-9]{1,2})[-/.](?P<b>[0-9]{1,2})[-/.](?P<y>[0-9]{4}|[0-9]{2})" + _TIME + _ZONE)
_DATE_EXAMPLES = "2026-01-31 14:30, 31/01/2026 14:30 or 01/31/2026"
DATE_FORMAT_HELP = "iso, dd/mm/yyyy, mm/dd/yyyy or a strptime pattern such as '%d.%m.%Y %H:%M'"
# Values learned from before the order is settled: enough to find a day over 12 in any real file.
_LEARN_PREFIX = 2000
_LAST_SECOND = 86_399
_NAIVE_EPOCH = datetime(1970, 1, 1)
_SECOND = timedelta(seconds=1)
_MIXED = object()  # a local hour in which the zone's offset changes
_AMBIGUOUS = "could be day-first or month-first: pass --date-format dd/mm/yyyy or mm/dd/yyyy"


class CellError(SlatuiError, ValueError):
    """One cell that cannot be read; the import reports it with the file, line and column."""

    def __init__(self, message: str, column: str = ""):
        super().__init__(message)
        self.column = column


class Cells:
    """One row's cells by column name, read into values; errors name the column."""

    __slots__ = ("cells", "dates", "positions", "row", "width")

    def __init__(self, table: Table, row: Row, dates: DateReader):
        self.row, self.dates = row, dates
        self.cells, self.width, self.positions = row.cells, len(row.cells), table._position

    def text(self, column: str | None) -> str:
        """The stripped cell of `column` (a name as `Table.find` returns it); "" for no column."""
        if column is None:
            return ""
        i = self.positions[column]
        return self.cells[i].strip() if i < self.width else ""

    def when(self, column: str | None, *, day_end: bool = False) -> int | None:
        """The cell as epoch seconds; with `day_end`, a date without a time is the last second of that day."""
        value = self.text(column)
        if not value:
            return None
        try:
            return self.dates.epoch(value, day_end=day_end)
        except CellError as exc:
            raise CellError(str(exc), column or "") from None


class DateOrderError(SlatuiError):
    """Dates that may be day-first or month-first; `problem` says which, without the CLI's --date-format advice
    (the app points to its own field instead)."""

    def __init__(self, problem: str):
        super().__init__(f"{problem}: pass --date-format dd/mm/yyyy or mm/dd/yyyy")
        self.problem = problem


def zone(name: str) -> ZoneInfo:
    """The IANA zone `name`, or a one-line error that says what to write."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise SlatuiError(f"--tz: unknown time zone {name!r}: use an IANA name such as Europe/Madrid or "
                          "America/New_York") from None


class DateReader:
    """Reads the dates of one import, wall times in `tz` (the agreement's or the file's zone) unless they carry
    an offset; ISO 8601 with or without a time, day-first and month-first, and Unix seconds or milliseconds.

    Day-first or month-first order comes from `date_format`, else from the values themselves
    (`learn`): 31/01 settles day-first, 01/31 month-first, and a file of only ambiguous dates
    such as 03/04/2026 is refused rather than guessed.
    """

    def __init__(self, tz: str, date_format: str | None = None):
        self.tz = tz
        self.zone = zone(tz)
        self.pattern: str | None = None
        self.order: str | None = None  # "dmy", "mdy", or "ymd" (ISO only)
        self.learned_from = ""  # the value that settled the order, for messages
        if date_format:
            if "%" in date_format:
                self.pattern = date_format
            else:
                letters = re.sub(r"(.)\1+", r"\1", re.sub(r"[^dmy]", "", date_format.casefold()))
                if letters not in ("dmy", "mdy", "ymd") and date_format.strip().casefold() != "iso":
                    raise SlatuiError(f"--date-format: can't use {date_format!r}: use {DATE_FORMAT_HELP}")
                self.order = letters if letters in ("dmy", "mdy") else "ymd"
        # Times repeat (handoffs at the same minute): a bounded cache keeps memory flat.
        self._epoch = lru_cache(maxsize=1 << 14)(self._read_epoch)
        self._offsets: dict[int, Any] = {}  # local hour (since 1970) -> the zone's UTC offset in it, in seconds

    def learn(self, tables: Iterable[Iterable[tuple[str, str]]]) -> None:
        """Settle day-first or month-first from the (where, value) pairs of each table's date columns.

        A table whose first values hold no slashed date at all (ISO dates) is read no further: a later
        ambiguous value in it is refused by `parse` (with no order, it cannot be guessed)."""
        if self.pattern or self.order:
            return
        day_first = month_first = ambiguous = None
        for values in tables:
            slashed = False
            for seen, (where, value) in enumerate(values):
                m = _XXY.fullmatch(value)
                if m is None:
                    if seen >= _LEARN_PREFIX and not slashed:
                        break
                    continue
                slashed = True
                a, b = int(m["a"]), int(m["b"])
                if a > 12 >= b:
                    day_first = day_first or f"{where}: {value}"
                elif b > 12 >= a:
                    month_first = month_first or f"{where}: {value}"
                elif a != b:
                    ambiguous = ambiguous or f"{where}: {value}"
        if day_first and month_first:
            raise DateOrderError(f"the dates mix day-first ({day_first}) and month-first ({month_first})")
        if day_first or month_first:
            self.order = "dmy" if day_first else "mdy"
            self.learned_from = day_first or month_first
        elif ambiguous:
            raise DateOrderError(f"{ambiguous} could be day-first or month-first")

    def parse(self, text: str) -> datetime:
        """An aware UTC instant; raises CellError with what was wanted."""
        return self._instant(text.strip())[0].astimezone(timezone.utc)

    def epoch(self, text: str, *, day_end: bool = False) -> int:
        """Epoch seconds (fractions dropped); with `day_end`, a date alone is the last second of its day."""
        s = text.strip()
        if self.pattern is None and len(s) >= 10 and s[4] == "-" and s[7] == "-":
            try:  # the common case, kept quick: 2026-03-02, 2026-03-02 09:30, 2026-03-02T09:30:00.000Z
                moment = datetime.fromisoformat(s)
            except ValueError:
                pass
            else:
                if moment.tzinfo is not None:
                    return int(moment.timestamp() // 1)
                local = (moment - _NAIVE_EPOCH) // _SECOND
                seconds = local - self._offset(local)
                return seconds + _LAST_SECOND if day_end and len(s) == 10 else seconds
        return self._epoch(s, day_end)

    def _offset(self, local: int) -> int:
        """The zone's UTC offset at a wall time (seconds since 1970 as if UTC), as zoneinfo reads a wall time
        (the earlier of two, in a change): looked up once per local hour."""
        hour = local // 3600
        offset = self._offsets.get(hour)
        if offset is None:
            start = (_NAIVE_EPOCH + timedelta(hours=hour)).replace(tzinfo=self.zone)
            first, last = start.utcoffset(), (start + timedelta(seconds=3599)).utcoffset()
            offset = int(first.total_seconds()) if first == last else _MIXED
            if len(self._offsets) > 200_000:
                self._offsets.clear()
            self._offsets[hour] = offset
        if offset is _MIXED:
            return int((_NAIVE_EPOCH + timedelta(seconds=local)).replace(tzinfo=self.zone).utcoffset().total_seconds())
        return offset

    def _read_epoch(self, s: str, day_end: bool) -> int:
        moment, dated_only = self._instant(s)
        seconds = int(moment.timestamp() // 1)
        return seconds + _LAST_SECOND if day_end and dated_only else seconds

    def _instant(self, s: str) -> tuple[datetime, bool]:
        """(the aware instant written, whether it is a date without a time)."""
        try:
            if s.isdigit() and len(s) in (10, 13):  # Unix time in seconds or milliseconds (APIs, HubSpot's)
                return datetime.fromtimestamp(int(s) / (1000 if len(s) == 13 else 1), timezone.utc), False
            if self.pattern:
                moment = datetime.strptime(s, self.pattern)
                dated_only = not any(d in self.pattern for d in ("%H", "%I", "%X", "%c", "%T"))
            else:
                moment, dated_only = self._shape(s)
        except CellError:
            raise
        except (ValueError, OverflowError, OSError):
            wanted = f"the pattern {self.pattern!r}" if self.pattern else _DATE_EXAMPLES
            raise CellError(f"can't read {s!r} as a date: write {wanted}") from None
        return (moment if moment.tzinfo else moment.replace(tzinfo=self.zone)), dated_only

    def _shape(self, s: str) -> tuple[datetime, bool]:
        if len(s) >= 10 and s[4] == "-" and s[7] == "-":
            try:  # the common case, in C: 2026-03-02, 2026-03-02 09:30, 2026-03-02T09:30:00.000Z
                return datetime.fromisoformat(s), len(s) == 10
            except ValueError:
                pass
        return self._parse_shape(s)

    def _parse_shape(self, s: str) -> tuple[datetime, bool]:
        if m := _YMD.fullmatch(s):
            year, month, day = int(m["y"]), int(m["m"]), int(m["d"])
        elif self.order != "ymd" and (m := _XXY.fullmatch(s)):
            a, b = int(m["a"]), int(m["b"])
            order = self.order
            if order is None:
                if a <= 12 and b <= 12 and a != b:
                    raise CellError(f"{s!r} {_AMBIGUOUS}")
                order = "dmy" if a > 12 else "mdy"
            elif max(a, b) > 12 and (a > 12) != (order == "dmy"):
                written = "day-first" if order == "mdy" else "month-first"
                source = f"as in {self.learned_from}" if self.learned_from else "as --date-format says"
                raise CellError(f"{s!r} is {written} but the file's dates are not ({source}): check that row, "
                                "or pass --date-format")
            day, month = (a, b) if order == "dmy" else (b, a)
            year = int(m["y"]) + (2000 if len(m["y"]) == 2 else 0)
        else:
            raise ValueError(s)
        hour, minute = int(m["H"] or 0), int(m["M"] or 0)
        if m["ampm"]:
            if not 1 <= hour <= 12:
                raise ValueError(s)
            hour = hour % 12 + (12 if m["ampm"][0] in "Pp" else 0)
        micro = int((m["frac"] or "0")[:6].ljust(6, "0"))
        moment = datetime(year, month, day, hour, minute, int(m["S"] or 0), micro)
        zone = m["zone"]
        if zone:
            if zone in ("Z", "UTC", "GMT"):
                moment = moment.replace(tzinfo=timezone.utc)
            else:
                moment = datetime.fromisoformat(
                    f"{moment.isoformat()}{zone[:3]}:{zone[-2:] if len(zone) > 3 else '00'}")
        return moment, m["H"] is None
