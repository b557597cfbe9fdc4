"""The installed `xhsvc tui` in a pseudo-terminal: its first page is read by a child process while
it starts (tui/read_ahead.py), and from there on it works on its own context."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.terminal import Terminal

XHSVC = shutil.which("xhsvc", path=str(Path(sys.executable).parent)) or shutil.which("xhsvc")


def _env(**more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANG")}
    env.update(TERM="xterm-256color", LINES="36", COLUMNS="120", **more)
    return env


def _demo() -> None:
    assert XHSVC, "the xhsvc command is not installed (pip install -e .)"
    subprocess.run([XHSVC, "demo"], check=True, capture_output=True, stdin=subprocess.DEVNULL)


def test_the_dashboard_opens_on_the_queue_and_works_on(use_db: str) -> None:
    _demo()
    with Terminal([XHSVC, "tui"], _env()) as term:  # the launcher starts the read
        term.wait_for("1-19 of 19 tickets")  # the status line of the page read ahead
        term.wait_for("XH-000012")
        # Keys that need this process's own database work: a ticket's screen, then a note.
        term.press("\x1b[B\r")
        term.wait_for("SLA clocks")
        term.press("\x1b")
        term.wait_for("1-19 of 19 tickets")
        term.press("c")
        term.wait_for("Work note on XH-000012")
        term.press("called the customer back\r")
        term.wait_for("noted")
        term.press("q")
        assert term.wait_exit() == 0
    history = subprocess.run(
        [XHSVC, "ticket", "history", "XH-000012"], capture_output=True, text=True, check=True
    ).stdout
    assert "called the customer back" in history


def test_options_before_tui_read_the_page_too(use_db: str) -> None:
    _demo()
    # Options before `tui`: the command starts the read (the launcher only knows the plain forms).
    with Terminal([XHSVC, "--as", "lijun", "tui", "--refresh", "30"], _env()) as term:
        term.wait_for("xhsvc 服务台 — lijun")
        term.wait_for("XH-000012")
        term.press("1")  # lijun's own tickets: read by this process
        term.wait_for("Showing: mine")
        term.press("q")
        assert term.wait_exit() == 0


def test_options_after_tui_go_through_the_cli_with_the_page_read_ahead(use_db: str) -> None:
    _demo()
    # Typed alone, `xhsvc tui` runs without Typer; with an option it is parsed by the CLI as ever.
    with Terminal([XHSVC, "tui", "--refresh", "30"], _env()) as term:
        term.wait_for("XH-000012")
        term.press("q")
        assert term.wait_exit() == 0
    with Terminal([XHSVC, "tui", "--refresh", "often"], _env()) as term:
        assert term.wait_exit() == 2
        assert "--refresh" in term.text() and "Traceback" not in term.text()


def test_a_database_that_cannot_be_opened_ends_the_dashboard_with_the_error(use_db: str) -> None:
    # Nothing listens on port 1: the child cannot read, and neither can the dashboard.
    env = _env(XHSVC_DB="postgresql+psycopg://nobody@127.0.0.1:1/none")
    with Terminal([XHSVC, "tui"], env) as term:
        assert term.wait_exit() == 6  # DatabaseError, as from every command
        assert "error: cannot open database postgresql+psycopg://nobody@127.0.0.1:1/none" in term.text()


def test_an_unknown_person_is_told_on_the_dashboard(use_db: str) -> None:
    _demo()
    with Terminal([XHSVC, "--as", "nobody", "tui"], _env()) as term:
        term.wait_for("'nobody'")  # the child could not read as nobody; the queue says why
        term.press("q")
        assert term.wait_exit() == 0
