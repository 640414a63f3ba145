"""Files slatui writes that hold customer data (reports, backups): owner-only from the first byte, and either
whole or absent: written under a temporary name beside the destination and renamed once complete, so a
write that fails (disk full, a file-size limit) leaves no partial file behind."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def whole_or_nothing(dest: str | Path) -> Iterator[Path]:
    """An empty 0600 file beside `dest` for the block to fill; renamed to `dest` when the block succeeds,
    removed (with any `-journal` SQLite left beside it) when it fails."""
    import tempfile

    dest = Path(dest)
    fd, name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".partial")
    os.close(fd)
    partial = Path(name)
    try:
        yield partial
        os.replace(partial, dest)
    except BaseException:
        for leftover in (partial, partial.with_name(partial.name + "-journal")):
            leftover.unlink(missing_ok=True)
        raise


def write_private(dest: str | Path, text: str) -> Path:
    """Write `text` (UTF-8) to `dest`, 0600, whole or not at all. A destination that exists and is not a
    regular file (a terminal, a pipe such as /dev/stdout) is written in place: it cannot be replaced."""
    dest = Path(os.path.realpath(dest))
    if dest.exists() and not stat.S_ISREG(dest.stat().st_mode):
        dest.write_text(text, encoding="utf-8")
        return dest
    with whole_or_nothing(dest) as partial:
        partial.write_text(text, encoding="utf-8")
    return dest
