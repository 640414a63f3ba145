"""A spawned child process with a pipe back to this one: what the import's readers (`beside`) and the export's
writer of attempts.csv share."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from typing import Any

from slatui.errors import SlatuiError


class Child:
    """Runs `target(*args, pipe)` in a fresh interpreter (none of this one's connections or threads); `pipe` is
    this end. `doing` names its work in the error when it stops without a word ("writing attempts.csv")."""

    def __init__(self, target: Callable[..., None], args: tuple[Any, ...], doing: str, *, duplex: bool) -> None:
        self.doing = doing
        context = multiprocessing.get_context("spawn")
        self.pipe, child = context.Pipe(duplex=duplex)
        self.process = context.Process(target=target, args=(*args, child), daemon=True, name=f"slatui {doing}")
        self.process.start()
        child.close()  # the child's end is the child's: its exit then ends the pipe

    def stopped(self) -> SlatuiError:
        """The error for a pipe that ended early: the child died (killed, out of memory)."""
        self.process.join()
        return SlatuiError(f"the process {self.doing} stopped (exit code {self.process.exitcode}): "
                           "nothing was written")

    def close(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()
        self.pipe.close()
