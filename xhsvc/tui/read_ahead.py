"""The dashboard's first page, read by a child process while this one imports Textual.

Most of the wait for the dashboard's first row is two imports of about the same weight: Textual,
and the database code (SQLAlchemy, the store, the core). One after the other they take twice as
long as either; on two cores they can run side by side. So `xhsvc tui` forks before it imports
either: the child opens the database and reads the first page, while this process imports
Textual and lays out the screen; it shows the child's page, and imports the database code itself
once that first frame is on screen.

What the child cannot do (no fork on this system, an error, a crash) it leaves to this process,
which then reads the page itself as it would have without a child: the same page, the same
errors, only later. Nothing here imports Textual or the database code.
"""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Callable
from typing import Generic, NoReturn, TypeVar

T = TypeVar("T")


class ReadAhead(Generic[T]):
    """A value being read by a forked child; `result()` waits for it."""

    def __init__(self, pid: int, pipe: int) -> None:
        self.pid = pid
        self.pipe = pipe

    @classmethod
    def start(cls, read: Callable[[], T], *, then: Callable[[], None]) -> ReadAhead[T] | None:
        """Fork a child that sends what `read()` returns, then runs `then()` (closing what `read`
        opened) and exits. None where this system cannot fork: the caller reads for itself."""
        if not hasattr(os, "fork"):  # pragma: no cover - Windows
            return None
        receiving, sending = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(receiving)
            _child(read, then, sending)
        os.close(sending)
        return cls(pid, receiving)

    def result(self) -> T | None:
        """What the child read, once it is done (waiting for it); None when it could not."""
        chunks = []
        try:
            while chunk := os.read(self.pipe, 1 << 16):
                chunks.append(chunk)
        finally:
            os.close(self.pipe)
            os.waitpid(self.pid, 0)
        try:
            return pickle.loads(b"".join(chunks)) if chunks else None
        except Exception:  # a child cut off while it wrote: read it here instead
            return None


def _child(read: Callable[[], T], then: Callable[[], None], sending: int) -> NoReturn:
    """Read, send, close, leave, without a word on the terminal (the parent owns it) and without
    the interpreter's teardown (the parent's objects are not the child's to finalize)."""
    try:
        quiet = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(quiet, fd)
        sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - for the child's short life
        data = pickle.dumps(read(), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(sending, "wb") as pipe:
            pipe.write(data)
        then()
    except BaseException:  # anything at all: the parent reads for itself, and meets it there
        pass
    finally:
        os._exit(0)
