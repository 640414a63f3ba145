"""The app in a process of its own on a pseudo-terminal, driven by keys as a user would drive it.

Only the standard library (pty): what the tests need to install is what the README installs.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

# CSI sequences, OSC strings (ended by BEL or ST) and the other two-byte escapes.
_ESCAPES = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[ -/]*[0-~]")
KEYS = {"ctrl+s": b"\x13", "ctrl+q": b"\x11", "escape": b"\x1b", "enter": b"\r"}


class AppInTerminal:
    """`slatui --db PATH` on a pty of `size` (columns, lines); its output is read as it comes."""

    def __init__(self, db: Path, size: tuple[int, int] = (120, 40)):
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(size[0]), "LINES": str(size[1])}
        self.process = subprocess.Popen([sys.executable, "-m", "slatui", "--db", str(db)], stdin=slave, stdout=slave,
                                        stderr=slave, env=env, start_new_session=True, close_fds=True)
        os.close(slave)
        self._master = master
        self._output = bytearray()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        # Drained all the time: a full pty buffer would stop the app in the middle of a frame.
        while True:
            try:
                data = os.read(self._master, 65536)
            except OSError:  # EIO once the app has exited
                return
            if not data:
                return
            with self._lock:
                self._output.extend(data)

    @property
    def raw(self) -> bytes:
        with self._lock:
            return bytes(self._output)

    def mark(self) -> int:
        """A point in the output; `wait_for` looks only at what came after it."""
        return len(self.raw)

    def text(self, since: int = 0) -> str:
        """The output after `since` without escape sequences (what the screen shows, in drawing order)."""
        return _ESCAPES.sub(b"", self.raw[since:]).decode("utf-8", "replace")

    def wait_for(self, *needles: str, since: int = 0, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            text = self.text(since)
            if all(needle in text for needle in needles):
                return
            if self.process.poll() is not None:
                raise AssertionError(f"the app exited ({self.process.returncode}) before showing {needles}:\n"
                                     f"{self.text()[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"the app did not show {needles} within {timeout} s:\n{text[-3000:]}")
            time.sleep(0.05)

    def press(self, *keys: str) -> None:
        for key in keys:
            os.write(self._master, KEYS.get(key, key.encode()))
            # One key at a time, as typed; a lone escape needs a moment, or the next key reads as alt+key.
            time.sleep(0.3 if key == "escape" else 0.05)

    def quit(self, timeout: float = 30) -> int:
        self.press("ctrl+q")
        return self.process.wait(timeout)

    def close(self) -> None:
        """Stop the app if it still runs (a failed test), and free the terminal."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self._reader.join(5)
        os.close(self._master)
