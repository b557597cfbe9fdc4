"""What every `xhsvc` process does at its start and its end, without Typer: the interface's
language, the one line a core error becomes, and the quick exit. The CLI (cli/main.py) and the
dashboard started alone (cli/launch.py) share them."""

from __future__ import annotations

import os
import sys
from typing import NoReturn

from xhsvc.errors import XhsvcError


def choose_language() -> None:
    """The interface's language: config.toml's `language`, else the environment's."""
    from xhsvc import config, i18n

    try:
        configured = config.load_config().get("language")
    except XhsvcError:  # a broken config.toml is reported by the command that reads it
        configured = None
    i18n.setup(configured)


def report_error(error: XhsvcError) -> int:
    """Say a core error on stderr, in one line, and give its documented exit code."""
    from xhsvc.core.text import display
    from xhsvc.i18n import _

    # Messages quote what was typed or stored: shown, never acted on by the terminal.
    print(_("error: {message}").format(message=display(str(error))), file=sys.stderr, flush=True)
    return error.exit_code


def report_abort() -> int:
    """Ctrl+C before a command has the terminal: what Click says then, and its exit code."""
    from xhsvc.i18n import _

    print(_("Aborted!"), file=sys.stderr, flush=True)
    return 1


def exit_now(code: int) -> NoReturn:
    """Leave once the output is out, without the interpreter's teardown of every imported module
    (a tenth of a second of garbage collection for nothing). The database was closed with the
    command."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        code = code or 0
    os._exit(code)
