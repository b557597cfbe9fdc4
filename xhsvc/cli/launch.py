"""The `xhsvc` command's entry point, ahead of the CLI's own imports.

`xhsvc tui` (and `xhsvc` alone on a terminal, which is the same) starts reading the dashboard's
first page in a child process here, before Typer is imported: the child's imports (SQLAlchemy and
the core) are the longer half of the dashboard's start, and this is the earliest point at which
they can begin (tui/read_ahead.py). Only the plain forms are recognized; with options before
`tui`, or asking for its help, the tui command starts the read itself. Nothing here imports
Typer, Textual or the database code.
"""

from __future__ import annotations

import sys


def main() -> None:
    from xhsvc.cli.global_options import Globals

    args = sys.argv[1:]
    # `xhsvc` alone on a terminal opens the dashboard; in a script it prints the help.
    if not args and sys.stdin.isatty() and sys.stdout.isatty():
        sys.argv.append("tui")
        args = ["tui"]
    desk = Globals()
    if args[:1] == ["tui"] and not {"-h", "--help"} & set(args):
        from xhsvc.cli.dashboard import read_first_page
        from xhsvc.collector import start_collector

        start_collector()  # the child imports as much as the CLI does
        desk.first_page = read_first_page(desk)

    from xhsvc.cli.main import main as run

    run(desk)
