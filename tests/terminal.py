"""A program in a pseudo-terminal, driven as a person at the keyboard would: wait for what it
draws, type keys, see how it ended."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import time
from collections.abc import Mapping, Sequence
from types import TracebackType

# What a terminal's screen text looks like without its escape sequences.
ESCAPES = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-B]|\x1b[=>]")


class Terminal:
    def __init__(self, argv: Sequence[str], env: Mapping[str, str]) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the program, on the terminal
            os.execvpe(argv[0], list(argv), dict(env))
        self.seen = b""
        self.status: int | None = None

    def __enter__(self) -> Terminal:
        return self

    def __exit__(
        self, *_exc: tuple[type[BaseException] | None, BaseException | None, TracebackType | None]
    ) -> None:
        if self.status is None:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.fd)

    def _read(self, timeout: float) -> bool:
        """Take what the program drew within `timeout` seconds; False once it has ended."""
        if select.select([self.fd], [], [], timeout)[0]:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:  # the program ended and its side of the terminal closed
                return False
            if not chunk:
                return False
            self.seen += chunk
        return True

    def text(self) -> str:
        """All it drew so far, escape sequences taken out."""
        return ESCAPES.sub(b"", self.seen).decode("utf-8", "replace")

    def wait_for(self, wanted: str, timeout: float = 20.0) -> str:
        """Wait until `wanted` has been drawn since this was called; the text drawn meanwhile."""
        start = len(self.seen)
        began = time.monotonic()
        while time.monotonic() - began < timeout:
            if wanted in ESCAPES.sub(b"", self.seen[start:]).decode("utf-8", "replace"):
                return self.text()
            if not self._read(0.1):
                break
        raise AssertionError(f"{wanted!r} was not drawn within {timeout} s; the screen had:\n{self.text()}")

    def press(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def wait_exit(self, timeout: float = 20.0) -> int:
        """The program's exit status, once it has ended (reading what it draws till then)."""
        began = time.monotonic()
        while time.monotonic() - began < timeout:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                while self._read(0.05):
                    pass
                self.status = os.waitstatus_to_exitcode(status)
                return self.status
            self._read(0.1)
        raise AssertionError(f"still running after {timeout} s; the screen had:\n{self.text()}")
