"""`xhsvc tui`: the dashboard (Textual is imported only here)."""

from __future__ import annotations

from typing import Annotated

import typer

from xhsvc.cli.common import state
from xhsvc.cli.dashboard import REFRESH_SECONDS, open_dashboard


def tui(
    ctx: typer.Context,
    refresh: Annotated[
        float, typer.Option("--refresh", help="Seconds between reloads of the queue.")
    ] = REFRESH_SECONDS,
) -> None:
    """Open the service-center dashboard. The live queue, tickets, intake, the manager's view.

    \b
    Examples:
      xhsvc tui
      xhsvc --as zhoujian tui --refresh 10
    """
    open_dashboard(state(ctx), refresh_seconds=refresh)
