"""Reading a slatui JSON export back (`slatui import json FILE`), one entry at a time.

Agreements and reps are matched by name (a stored one is kept as it is), leads by external
id or else by name and handoff time, attempts by external id or else by time, channel and
outcome: importing the same export twice adds nothing. Attempts identical in every field are
separate attempts (each has its own id in the export). How each lead was closed (`closed_as`) is taken as
exported; its status and the other derived facts are recomputed from that and its attempts.

The file is read as a stream: a first walk takes its small members (format, version, agreements,
reps), stopping at the leads when they come after those, as slatui writes them; the leads and
attempts are then read entry by entry, so memory does not grow with the file. Any other valid
layout (keys sorted, say) is read too, in a walk per member.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from slatui.errors import SlatuiError
from slatui.io.batch import AttemptRecord, Batch, LeadRecord, Source
from slatui.io.export import FORMAT, VERSION
from slatui.models import Agreement, Rep, describe_validation_error

_LEAD_KEYS = ("external_id", "name", "company", "email", "tier", "source", "value", "handed_off_at", "status",
              "revenue", "closed_at")
_ATTEMPT_KEYS = ("at", "channel", "outcome", "note", "external_id")
_INSTANTS = ("handed_off_at", "closed_at", "at")
_SMALL = ("format", "version", "agreements", "reps")
_BLOCK = 1 << 20
# No entry of an export is this big: a value still unfinished past it is broken JSON, not a short read.
_ENTRY_MAX = 64 << 20
_SPACE = re.compile(r"[ \t\n\r]*")


def read_batch(path: Path) -> Batch:
    stream = _Stream(path)
    head, order = stream.head()
    data = dict(head)
    if data.get("format") != FORMAT:
        raise SlatuiError(f"{path.name} is not a slatui JSON export (made by `slatui export --format json`)")
    if not isinstance(data.get("version"), int) or data["version"] > VERSION:
        raise SlatuiError(f"{path.name} comes from a newer slatui (export version {data.get('version')!r}): upgrade")
    batch = Batch()
    agreements = set()
    for where, entry in _entries(batch, path, data, "agreements"):
        try:
            agreement = Agreement.model_validate({k: v for k, v in entry.items() if k != "id"})
        except ValidationError as exc:
            batch.reject(where, "", describe_validation_error(exc))
            continue
        batch.agreements.append(agreement)
        agreements.add(agreement.name.casefold())
    for where, entry in _entries(batch, path, data, "reps"):
        try:
            batch.reps.append(Rep.model_validate({k: v for k, v in entry.items() if k != "id"}))
        except ValidationError as exc:
            batch.reject(where, "", describe_validation_error(exc))
    # Leads before attempts, as slatui writes them, read in one walk; else a walk for each.
    leads = len(batch.sources)  # the attempts are named by the next source
    one_walk = order in ([], ["leads"], ["leads", "attempts"])
    batch.sources.append(Source(lambda i: f"{path.name}: leads[{i}]", _walker(
        batch, stream, path, ("leads", "attempts") if one_walk else ("leads",), agreements, leads), stream))
    batch.sources.append(Source(lambda i: f"{path.name}: attempts[{i}]", _walker(
        batch, stream, path, () if one_walk else ("attempts",), agreements, leads), _NO_PROGRESS))
    return batch


class _NoProgress:
    size = done = 0


_NO_PROGRESS = _NoProgress()


def _walker(batch: Batch, stream: _Stream, path: Path, names: tuple[str, ...], agreements: set[str], leads: int):
    def walk() -> Iterator[LeadRecord | AttemptRecord]:
        if not names:
            return
        for table, i, entry in stream.lists(names):
            where = f"{path.name}: {table}[{i}]"
            if not isinstance(entry, dict):
                batch.reject(where, "", "is not an object")
                continue
            record = (_lead if table == "leads" else _attempt)(batch, where, entry, agreements)
            if record is not None:
                record.source, record.line = leads + (table == "attempts"), i
                yield record

    return walk


def _lead(batch: Batch, where: str, entry: dict[str, Any], agreements: set[str]) -> LeadRecord:
    """The entry's lead; one refused here comes out rejected, so that its attempts can say so."""
    agreement, rep = entry.get("agreement"), entry.get("rep")
    row = entry.get("id")
    aliases = (("row", str(row)),) if isinstance(row, (int, str)) and not isinstance(row, bool) else ()
    record = LeadRecord(where, agreement if isinstance(agreement, str) else "", {}, aliases=aliases)
    if not isinstance(agreement, str) or agreement.casefold() not in agreements:
        batch.reject(where, "agreement", f"{agreement!r} is not one of the export's agreements")
    elif not isinstance(rep, (str, type(None))) or not isinstance(entry.get("external_id"), (str, type(None))):
        batch.reject(where, "", "rep and external_id are text or null")
    elif (fields := _fields(batch, where, entry, _LEAD_KEYS)) is not None:
        if "closed_as" in entry:  # how the lead was closed by hand; its status also follows its attempts
            closed_as = entry["closed_as"]
            fields["status"] = closed_as.strip() if isinstance(closed_as, str) and closed_as.strip() else "open"
        record.fields, record.owner = fields, (rep or "").strip()
        return record
    record.rejected = True
    return record


def _attempt(batch: Batch, where: str, entry: dict[str, Any], agreements: set[str]) -> AttemptRecord | None:
    lead, rep = entry.get("lead_id"), entry.get("rep")
    if not isinstance(lead, (int, str)) or isinstance(lead, bool):
        batch.reject(where, "lead_id", f"no lead with id {lead!r} in the export")
        return None
    if not isinstance(rep, (str, type(None))):
        batch.reject(where, "rep", "rep is text or null")
        return None
    fields = _fields(batch, where, entry, _ATTEMPT_KEYS)
    if fields is None:
        return None
    # An exported rep of null is no rep, not the lead's: the attempt comes back as it was.
    return AttemptRecord(where, "", ("row", str(lead)), fields, owner=(rep or "").strip(), columns={"lead": "lead_id"},
                         distinct="id" in entry)


def _fields(batch: Batch, where: str, entry: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any] | None:
    fields = {}
    for key in keys:
        if key not in entry:
            continue
        value = entry[key]
        if isinstance(value, str):
            value = value.strip()
        if key in _INSTANTS and value is not None:
            try:
                moment = datetime.fromisoformat(value) if isinstance(value, str) else None
            except ValueError:
                moment = None
            if moment is None:
                batch.reject(where, key, f"{value!r} is not an ISO 8601 time")
                return None
            if moment.tzinfo is None:
                batch.reject(where, key, "time needs a time zone (store instants in UTC)")
                return None
            value = int(moment.timestamp() // 1)
        fields[key] = value
    return fields


def _finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return True


def _entries(batch: Batch, path: Path, data: dict[str, Any], table: str):
    entries = data.get(table, [])
    if not isinstance(entries, list):
        raise SlatuiError(f"{path.name}: {table} is not a list")
    for i, entry in enumerate(entries):
        where = f"{path.name}: {table}[{i}]"
        if not isinstance(entry, dict):
            batch.reject(where, "", "is not an object")
        elif not _finite(entry):
            batch.reject(where, "", "holds a number that is not finite (NaN or Infinity): not valid JSON")
        else:
            yield where, entry


class _Stream:
    """One JSON object in a file, read member by member, the elements of its big lists one at a time."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self.size = path.stat().st_size
        except OSError as exc:
            raise SlatuiError(f"cannot read {path}: {exc.strerror}") from None
        self.done = 0
        self.decoder = json.JSONDecoder()

    def head(self) -> tuple[list[tuple[str, Any]], list[str]]:
        """The small members, and the order of the big ones (leads, attempts) met while finding them; the walk
        stops at the first big one once every small member is known, as in slatui's own exports."""
        small, order = [], []
        for key, value in self._members(big=("leads", "attempts"), stop=lambda: {k for k, _ in small} >= set(_SMALL)):
            if key in ("leads", "attempts"):
                order.append(key)
            else:
                small.append((key, value))
        return small, order

    def lists(self, names: tuple[str, ...]) -> Iterator[tuple[str, int, Any]]:
        """(member, index, element) of the list members `names`, in file order; stops after the last of them."""
        left = set(names)
        for key, elements in self._members(big=names, lists=True):
            if key in left:
                left.discard(key)
                for i, element in enumerate(elements):
                    yield key, i, element
                if not left:
                    return

    def _members(self, big: tuple[str, ...], stop=None, lists: bool = False) -> Iterator[tuple[str, Any]]:
        """(key, value) of the top-level object; a `big` list member's value is skipped element by element (or,
        with `lists`, given as an iterator of its elements); `stop()` true at a big member ends the walk."""
        try:
            handle = open(self.path, encoding="utf-8-sig")
        except OSError as exc:
            raise SlatuiError(f"cannot read {self.path}: {exc.strerror}") from None
        with handle:
            reader = _Reader(handle, self)
            if reader.peek() != "{":
                raise SlatuiError(f"{self.path.name} is not a slatui JSON export "
                                  "(made by `slatui export --format json`)")
            reader.pos += 1
            if reader.peek() == "}":
                return
            while True:
                key = reader.value()
                if not isinstance(key, str):
                    reader.fail("expected a member name")
                reader.expect(":")
                if key in big and reader.peek() == "[":
                    if stop is not None and stop():
                        yield key, None
                        return
                    elements = reader.elements()
                    if lists:
                        yield key, elements
                    else:
                        yield key, None
                    for _ in elements:  # whatever the caller left
                        pass
                else:
                    yield key, reader.value()
                if reader.peek() == ",":
                    reader.pos += 1
                    continue
                reader.expect("}")
                break
            if reader.peek():
                reader.fail("extra data after the object")


class _Reader:
    def __init__(self, handle: Any, progress: _Stream):
        self.handle, self.progress = handle, progress
        self.buffer, self.pos, self.eof, self.lines = "", 0, False, 1
        self.read = 0

    def fill(self) -> None:
        chunk = self.handle.read(_BLOCK)
        self.read += len(chunk)
        self.progress.done = min(self.read, self.progress.size)
        if not chunk:
            self.eof = True
        self.lines += self.buffer.count("\n", 0, self.pos)
        self.buffer = self.buffer[self.pos:] + chunk
        self.pos = 0

    def peek(self) -> str:
        while True:
            self.pos = _SPACE.match(self.buffer, self.pos).end()
            if self.pos < len(self.buffer) or self.eof:
                return self.buffer[self.pos:self.pos + 1]
            self.fill()

    def expect(self, char: str) -> None:
        if self.peek() != char:
            self.fail(f"expected {char!r}")
        self.pos += 1

    def value(self) -> Any:
        self.peek()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as exc:
                if self.eof or len(self.buffer) - self.pos > _ENTRY_MAX:
                    self.fail(exc.msg, exc.pos)
                self.fill()
                continue
            except RecursionError:
                self.fail("nested too deeply to be a slatui export")
            if end >= len(self.buffer) and not self.eof:  # a number may go on in the next block
                self.fill()
                continue
            self.pos = end
            return value

    @property
    def decoder(self) -> json.JSONDecoder:
        return self.progress.decoder

    def elements(self) -> Iterator[Any]:
        self.expect("[")
        if self.peek() == "]":
            self.pos += 1
            return
        while True:
            yield self.value()
            if self.peek() == ",":
                self.pos += 1
                continue
            self.expect("]")
            return

    def fail(self, message: str, at: int | None = None) -> None:
        line = self.lines + self.buffer.count("\n", 0, self.pos if at is None else at)
        raise SlatuiError(f"{self.progress.path.name}:{line}: not valid JSON ({message})")
