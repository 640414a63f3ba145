"""A big import file read in a child process while the import goes on in this one.

Reading a CSV row into a checked record (parsing, dates, outcomes) is about 10 µs of Python, and a
million-lead HubSpot import has a million contact rows and three million call rows. A thread would not help
(one GIL), but a second process reads them beside the import's own work: it rebuilds the batch from its
recipe (the importer's own reading, so the records are the same), walks the one source, and sends each
chunk's records as plain tuples (`marshal`: about 1.5 µs a record to take back), with what reading them did
to the batch (rows rejected, rows skipped, owners named as removed users). The pipe holds a chunk or two,
so memory stays flat.

A source is read beside when its attempts name their leads by a key (an id, an email) or are on the lead of
the same row (a contact's first-engagement stand-in), never on leads of other rows. A source that passes
over the attempts stored already (a re-import's calls) is read here once attempts are stored: that check
needs the database."""

from __future__ import annotations

import functools
import marshal
import traceback
from collections.abc import Callable, Iterator
from contextlib import suppress
from itertools import islice
from multiprocessing.connection import Connection
from typing import Any

from slatui.errors import SlatuiError
from slatui.io.batch import CHUNK, ERRORS_KEPT, AttemptRecord, Batch, LeadRecord, Record, RowError
from slatui.io.child import Child

# Files smaller than this are read in the import's own process: a child takes ≈ 0.4 s to start.
BESIDE_BYTES = 20_000_000


def offer(batch: Batch, recipe: Callable[[], Batch]) -> None:
    """Let the import read this batch's big attempt files beside (`Source.beside`); `recipe()` must build the same
    batch in another process (a picklable callable: the importer's reading of the same files)."""
    for index, source in enumerate(batch.sources):
        if not source.mixed and source.progress.size >= BESIDE_BYTES:
            source.beside = functools.partial(_records, batch, recipe, index)


def _records(batch: Batch, recipe: Callable[[], Batch], index: int) -> Iterator[Record]:
    table = batch.sources[index].progress
    try:
        reader = _Beside(recipe, index, table.name)
    except (OSError, ValueError, AttributeError):
        # No child process here: multiprocessing hands its helper this process's stderr by descriptor, and the
        # app's capture of stderr has none (ValueError: bad value(s) in fds_to_keep). Read it here instead.
        yield from batch.sources[index].walk()
        return
    try:
        yield from reader.records(batch, table)
    finally:
        reader.close()


class _Beside:
    """The child process reading source `index` of the batch `recipe()` builds; `records` yields them here."""

    def __init__(self, recipe: Callable[[], Batch], index: int, name: str) -> None:
        self.child = Child(_read, (recipe, index), f"reading {name}", duplex=False)

    def records(self, batch: Batch, progress: Any) -> Iterator[Record]:
        """The source's records in file order; what reading them did to the batch is done to `batch` first."""
        lead = None  # the last lead record: a stand-in after it may come in the next chunk
        while True:
            try:
                message = marshal.loads(self.child.pipe.recv_bytes())
            except EOFError:
                raise self.child.stopped() from None
            kind, body = message
            if kind == "failed":
                raise SlatuiError(body)
            if kind == "crashed":
                raise RuntimeError(f"{self.child.doing} in a child process failed:\n{body}")
            records, (rejected, errors, skipped, deactivated, done) = body
            batch.rejected_rows += rejected
            batch.errors.extend(RowError(*error) for error in errors[:max(0, ERRORS_KEPT - len(batch.errors))])
            batch.skipped.update(skipped)
            batch.deactivated.update(deactivated)
            progress.done = done
            for plain in records:
                if plain[0] == "lead":
                    _, where, agreement, fields, owner, columns, aliases, source, line, rejected = plain
                    lead = LeadRecord(where, agreement, fields, owner=owner, columns=columns, aliases=aliases,
                                      source=source, line=line, rejected=rejected)
                    yield lead
                    continue
                on, where, agreement, ref, fields, owner, columns, stand_in, distinct, source, line = plain
                yield AttemptRecord(where, agreement, lead if on == "attempt on the lead before" else ref, fields,
                                    owner=owner, columns=columns, stand_in=stand_in, distinct=distinct,
                                    source=source, line=line)
            if kind == "end":
                self.child.process.join()
                return

    def close(self) -> None:
        self.child.close()


def _read(recipe: Callable[[], Batch], index: int, pipe: Connection) -> None:
    """The child: walk one source of the batch, sending a chunk of records (and the batch's news) at a time."""
    try:
        batch = recipe()
        source = batch.sources[index]
        sent = _Sent()
        records = source.walk()
        before = None
        while chunk := list(islice(records, CHUNK)):
            plain = []
            for record in chunk:
                plain.append(_plain(record, before))
                before = record
            pipe.send_bytes(marshal.dumps(("chunk", (plain, sent.news(batch, source)))))
        pipe.send_bytes(marshal.dumps(("end", ([], sent.news(batch, source)))))
    except (BrokenPipeError, KeyboardInterrupt):
        pass  # the import stopped (an error, Ctrl-C): nobody to tell
    except SlatuiError as exc:
        _tell(pipe, ("failed", str(exc)))
    except BaseException:  # the parent raises it: the import stops, nothing written
        _tell(pipe, ("crashed", traceback.format_exc()))
    finally:
        pipe.close()


def _tell(pipe: Connection, message: tuple) -> None:
    with suppress(BrokenPipeError):
        pipe.send_bytes(marshal.dumps(message))


class _Sent:
    """How much of the child's batch state the parent has had."""

    def __init__(self) -> None:
        self.rejected = self.errors = 0
        self.skipped: dict[str, int] = {}
        self.deactivated: set[str] = set()

    def news(self, batch: Batch, source: Any) -> tuple:
        rejected, self.rejected = batch.rejected_rows - self.rejected, batch.rejected_rows
        errors = [(e.where, e.column, e.message) for e in batch.errors[self.errors:]]
        self.errors = len(batch.errors)
        skipped = {reason: n - self.skipped.get(reason, 0) for reason, n in batch.skipped.items()
                   if n != self.skipped.get(reason, 0)}
        self.skipped = dict(batch.skipped)
        deactivated = list(batch.deactivated - self.deactivated)
        self.deactivated = set(batch.deactivated)
        return rejected, errors, skipped, deactivated, source.progress.done


def _plain(record: Record, before: Record | None) -> tuple:
    """A record as marshal's plain values. An attempt names its lead by a key, or is on the lead read just before
    it (a contact's first-engagement stand-in): records that point elsewhere cannot cross."""
    if type(record) is LeadRecord:
        return ("lead", record.where, record.agreement, record.fields, record.owner, record.columns, record.aliases,
                record.source, record.line, record.rejected)
    if type(record.lead) is tuple:
        kind, ref = "attempt", record.lead
    elif record.lead is before:
        kind, ref = "attempt on the lead before", None
    else:
        raise TypeError(f"{record.where}: an attempt on a lead read elsewhere in the file cannot be read beside")
    return (kind, record.where, record.agreement, ref, record.fields, record.owner, record.columns, record.stand_in,
            record.distinct, record.source, record.line)
