"""The dashboard's first page, read by a child process while the dashboard starts: what the child
sends arrives whole, a child that fails leaves the read to the dashboard, and neither the page
nor the dashboard's first frame needs the database code the child imported."""

from __future__ import annotations

import pickle
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MakeCtx
from xhsvc.core.queue import queue_page
from xhsvc.core.queue_filter import QueueFilter
from xhsvc.tui.read_ahead import ReadAhead


def _read(read: Callable[[], Any], then: Callable[[], None] = lambda: None) -> Any:
    ahead = ReadAhead.start(read, then=then)
    assert ahead is not None
    return ahead.result()


def test_what_the_child_reads_arrives_whole_and_it_closes_after_sending(tmp_path: Path) -> None:
    closed = tmp_path / "closed"
    rows = [
        {"key": f"XH-{n:06d}", "title": "双活集群心跳中断" * 20} for n in range(2000)
    ]  # > a pipe's buffer
    assert _read(lambda: rows, then=closed.touch) == rows
    assert closed.exists()  # `then` ran in the child, which had ended by the time result() returned


def test_a_child_that_fails_sends_nothing_and_the_caller_reads_for_itself() -> None:
    def fails() -> None:
        raise RuntimeError("database on fire")

    assert _read(fails) is None
    assert _read(lambda: (_ for _ in ())) is None  # a generator does not pickle


def test_the_child_writes_nothing_on_the_terminal(capfd: pytest.CaptureFixture[str]) -> None:
    def noisy() -> int:
        print("from the child")
        print("and its errors", file=sys.stderr)
        return 1

    assert _read(noisy) == 1
    out, err = capfd.readouterr()
    assert "child" not in out and "errors" not in err


FIRST_FRAME = """
import sys
import xhsvc.cli.launch, xhsvc.cli.dashboard, xhsvc.cli.tui, xhsvc.tui.app
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("sqlalchemy", "sqlmodel", "pydantic"))
print(" ".join(loaded))
"""

UNPICKLE = """
import pickle, sys
import xhsvc.tui.app
page = pickle.loads(open(sys.argv[1], "rb").read())
print(len(page.rows), page.total, "sqlalchemy" in sys.modules)
"""


def test_the_dashboard_draws_its_first_page_without_the_database_code(
    queue: dict[str, str], desk: MakeCtx, tmp_path: Path
) -> None:
    # The child imports SQLAlchemy and the core; the dashboard imports them after its first frame.
    # Were its first frame to need them, it would wait for them as long as the child does.
    done = subprocess.run([sys.executable, "-c", FIRST_FRAME], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
    page = queue_page(desk("wangfang"), filter=QueueFilter())
    assert len(page.rows) == len(queue)  # one of them waits on a request: its decider goes too
    sent = tmp_path / "page.pickle"
    sent.write_bytes(pickle.dumps(page))
    done = subprocess.run(
        [sys.executable, "-c", UNPICKLE, str(sent)], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == [str(len(page.rows)), str(page.total), "False"]
