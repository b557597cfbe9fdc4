"""`xhsvc tui`: the dashboard (Textual is imported only here)."""

from __future__ import annotations

from typing import Annotated

import typer

from xhsvc.cli.common import state
from xhsvc.cli.dashboard import load_filter, read_first_page, save_filter


def tui(
    ctx: typer.Context,
    refresh: Annotated[float, typer.Option("--refresh", help="Seconds between reloads of the queue.")] = 3.0,
) -> None:
    """Open the service-center dashboard. The live queue, tickets, intake, the manager's view.

    \b
    Examples:
      xhsvc tui
      xhsvc --as zhoujian tui --refresh 10
    """
    desk = state(ctx)
    # The collector settles once the first rows are drawn (XhsvcApp.settle), not when the
    # database opens: laying out and drawing the first screen makes many objects too.
    desk.settle_on_open = False
    config = desk.config()
    settings, actor = desk.settings(config), desk.actor(config)
    # The first page is read by a child process while this one imports Textual (read_ahead.py),
    # started by the launcher when it could tell that this command was coming (cli/launch.py).
    ahead = desk.first_page or read_first_page(desk)

    from xhsvc.tui.app import Opening, XhsvcApp

    start = Opening(open_context=desk.context, settings=settings, actor_handle=actor, first_page=ahead)
    app = XhsvcApp(start, load_filter=load_filter, save_filter=save_filter, refresh_seconds=refresh)
    app.run()
    if app.failure is not None:
        raise app.failure
