"""Reading the CSV files people actually have: a BOM or UTF-16 from Excel, `,` `;` or tab
delimiters, title lines above the header, blank lines, quoted newlines, and dates written
ISO, day-first (`31/01/2026 14:30`) or month-first (`01/31/2026 2:30 PM`).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from slatui.errors import SlatuiError

_DELIMITERS = (",", ";", "\t")
_SAMPLE_CHARS = 64 * 1024
# Title lines ("Exported from HubSpot on ...") rarely run past a few rows above the header.
_HEADER_SEARCH_ROWS = 20


def normalise(name: str) -> str:
    """Column names compared the way people read them: 'Create Date' == 'create_date' == 'CREATE-DATE'."""
    return re.sub(r"[^0-9a-z]+", " ", name.casefold()).strip()


@dataclass(frozen=True)
class Row:
    line: int  # physical line where the record starts, as a text editor numbers it
    cells: list[str]


class Table:
    """A CSV file's header and data rows; cells are looked up by column name."""

    def __init__(self, name: str, header: list[str], rows: list[Row], delimiter: str = ","):
        self.name = name
        self.delimiter = delimiter
        self.header = header
        self.rows = rows
        self._index: dict[str, int] = {}  # normalised name -> position
        self._position: dict[str, int] = {}  # name as written -> position, for the per-cell lookups
        for i, column in enumerate(header):
            # A repeated column name: the first one wins.
            self._index.setdefault(normalise(column), i)
            self._position.setdefault(column, self._index[normalise(column)])

    def find(self, *aliases: str) -> str | None:
        """The file's spelling of the first alias it has as a column, else None."""
        for alias in aliases:
            i = self._index.get(normalise(alias))
            if i is not None:
                return self.header[i]
        return None

    def has(self, column: str) -> bool:
        return normalise(column) in self._index

    def cell(self, row: Row, column: str | None) -> str:
        """The stripped cell of `column`, a name as `find` returns it; "" for no column."""
        if column is None:
            return ""
        i = self._position[column]
        return row.cells[i].strip() if i < len(row.cells) else ""

    def values(self, column: str | None) -> Iterable[str]:
        return () if column is None else (self.cell(row, column) for row in self.rows)


def read_table(path: str | Path, expected: Iterable[str] = ()) -> Table:
    """Read a CSV file whose header names some of the `expected` columns (they help find the header)."""
    path = Path(path)
    text = _decode(path)
    wanted = {normalise(name) for name in expected}
    delimiter = _sniff_delimiter(text, wanted)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[Row] = []
    line = 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                records.append(Row(line, cells))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise SlatuiError(f"{path.name}:{line}: cannot read the CSV ({exc}); check the quotes on that line") from None
    if not records:
        raise SlatuiError(f"{path.name} has no rows: export the file again with a header and data")
    head = _header_position(records, wanted)
    header = [cell.strip() for cell in records[head].cells]
    return Table(path.name, header, records[head + 1:], delimiter)


def _decode(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SlatuiError(f"cannot read {path}: {exc.strerror}") from None
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode text"
        return raw.decode("utf-16", errors="replace")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Not UTF-8: most likely Excel on Windows; cp1252 leaves a few bytes undefined.
        return raw.decode("cp1252", errors="replace")


def _sniff_delimiter(text: str, wanted: set[str]) -> str:
    """The delimiter under which the header names expected columns and rows have one width."""
    sample = text[:_SAMPLE_CHARS]
    if len(text) > _SAMPLE_CHARS:
        sample = sample[: sample.rfind("\n") + 1] or sample

    def score(delimiter: str) -> tuple[int, int, int]:
        try:
            rows = [r for r in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter) if any(r)]
        except csv.Error:
            return (-1, 0, 0)
        named = max((sum(normalise(c) in wanted for c in r) for r in rows[:_HEADER_SEARCH_ROWS]), default=0)
        width, count = Counter(len(r) for r in rows).most_common(1)[0] if rows else (0, 0)
        return (named, count if width > 1 else 0, width)

    return max(_DELIMITERS, key=score)  # max keeps the first on ties: ',' when nothing tells


def _header_position(records: list[Row], wanted: set[str]) -> int:
    """The first row naming the most expected columns; the first row when none does."""
    best, position = 0, 0
    for i, row in enumerate(records[:_HEADER_SEARCH_ROWS]):
        named = sum(normalise(cell) in wanted for cell in row.cells)
        if named > best:
            best, position = named, i
    return position


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


class CellError(SlatuiError, ValueError):
    """One cell that cannot be read; the import reports it with the file, line and column."""

    def __init__(self, message: str, column: str = ""):
        super().__init__(message)
        self.column = column


class Cells:
    """One row's cells by column name, read into values; errors name the column."""

    def __init__(self, table: Table, row: Row, dates: DateReader):
        self.table, self.row, self.dates = table, row, dates

    def text(self, column: str | None) -> str:
        return self.table.cell(self.row, column)

    def when(self, column: str | None) -> datetime | None:
        value = self.text(column)
        if not value:
            return None
        try:
            return self.dates.parse(value)
        except CellError as exc:
            raise CellError(str(exc), column or "") from None


class DateOrderError(SlatuiError):
    """Dates that may be day-first or month-first; `problem` says which, without the CLI's --date-format advice
    (the app points to its own field instead)."""

    def __init__(self, problem: str):
        super().__init__(f"{problem}: pass --date-format dd/mm/yyyy or mm/dd/yyyy")
        self.problem = problem


class DateReader:
    """Reads the dates of one import, wall times in the agreement's zone unless they carry an offset.

    Day-first or month-first order comes from `date_format`, else from the values themselves
    (`learn`): 31/01 settles day-first, 01/31 month-first, and a file of only ambiguous dates
    such as 03/04/2026 is refused rather than guessed.
    """

    def __init__(self, tz: str, date_format: str | None = None):
        self.zone = ZoneInfo(tz)
        self.pattern: str | None = None
        self.order: str | None = None  # "dmy", "mdy", or "ymd" (ISO only)
        if date_format:
            if "%" in date_format:
                self.pattern = date_format
            else:
                letters = re.sub(r"(.)\1+", r"\1", re.sub(r"[^dmy]", "", date_format.casefold()))
                if letters not in ("dmy", "mdy", "ymd") and date_format.strip().casefold() != "iso":
                    raise SlatuiError(f"--date-format: can't use {date_format!r}: use {DATE_FORMAT_HELP}")
                self.order = letters if letters in ("dmy", "mdy") else "ymd"

    def learn(self, columns: Iterable[tuple[str, Iterable[str]]]) -> None:
        """Settle day-first or month-first from the date columns of an import, given as
        (where, values) pairs; `where` names the column in errors."""
        if self.pattern or self.order:
            return
        day_first = month_first = ambiguous = None
        for where, values in columns:
            for value in values:
                m = _XXY.fullmatch(value.strip())
                if m is None:
                    continue
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
        elif ambiguous:
            raise DateOrderError(f"{ambiguous} could be day-first or month-first")

    def parse(self, text: str) -> datetime:
        """An aware UTC instant; raises CellError with what was wanted."""
        s = text.strip()
        try:
            if self.pattern:
                moment = datetime.strptime(s, self.pattern)
            else:
                moment = self._parse_shape(s)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=self.zone)
            return moment.astimezone(timezone.utc)
        except (ValueError, OverflowError):
            wanted = f"the pattern {self.pattern!r}" if self.pattern else _DATE_EXAMPLES
            raise CellError(f"can't read {s!r} as a date: write {wanted}") from None

    def _parse_shape(self, s: str) -> datetime:
        if m := _YMD.fullmatch(s):
            year, month, day = int(m["y"]), int(m["m"]), int(m["d"])
        elif self.order != "ymd" and (m := _XXY.fullmatch(s)):
            a, b = int(m["a"]), int(m["b"])
            order = self.order or ("dmy" if a > 12 else "mdy")
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
                return moment.replace(tzinfo=timezone.utc)
            return datetime.fromisoformat(f"{moment.isoformat()}{zone[:3]}:{zone[-2:] if len(zone) > 3 else '00'}")
        return moment
