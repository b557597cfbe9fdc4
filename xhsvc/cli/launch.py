"""The `xhsvc` command's entry point, ahead of the CLI's own imports.

`xhsvc tui` (and `xhsvc` alone on a terminal, which is the same) starts reading the dashboard's
first page in a child process here, before anything else is imported: the child's imports
(SQLAlchemy and the core) are the longer half of the dashboard's start (tui/read_ahead.py). Typed
alone, `xhsvc tui` then runs the dashboard from here too, as the `tui` command would with its
defaults, without importing Typer at all; with options (not asking for help), it goes on through
the CLI with the page being read. Nothing here imports Typer, nor, until the dashboard runs,
Textual or the database code.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from xhsvc.cli.global_options import Globals


def main() -> None:
    args = sys.argv[1:]
    # `xhsvc` alone on a terminal opens the dashboard; in a script it prints the help.
    if not args and sys.stdin.isatty() and sys.stdout.isatty():
        sys.argv.append("tui")
        args = ["tui"]
    first_page = None
    if args[:1] == ["tui"] and not {"-h", "--help"} & set(args):
        from xhsvc.cli.dashboard import read_first_page
        from xhsvc.collector import start_collector

        start_collector()  # the child imports as much as the CLI does
        # Forked before anything else is imported: what both need, each imports side by side.
        # (No option comes before `tui` here: the child's defaults are the command's.)
        first_page = read_first_page()

    from xhsvc.cli.global_options import Globals

    desk = Globals(first_page=first_page)
    if args == ["tui"]:
        _dashboard(desk)

    from xhsvc.cli.main import main as run

    run(desk)


def _dashboard(desk: Globals) -> NoReturn:
    """`xhsvc tui` as cli/main.py would run it: the same language, errors and exit codes."""
    import gc

    from xhsvc.cli.dashboard import open_dashboard
    from xhsvc.cli.process import choose_language, exit_now, report_abort, report_error
    from xhsvc.errors import XhsvcError

    choose_language()
    gc.freeze()
    code = 0
    try:
        open_dashboard(desk)
    except XhsvcError as e:
        code = report_error(e)
    except KeyboardInterrupt:  # ctrl+c before the dashboard takes the keys: as the CLI says it
        code = report_abort()
    finally:
        desk.close()
    exit_now(code)
