"""`xhsvc tui`: the dashboard (Textual is imported only here)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from xhsvc.cli.common import core_context, state


def load_filter() -> dict[str, Any]:
    """The queue filter the dashboard saved last time (`tui.filter` in config.toml)."""
    from xhsvc import config

    value = config.get_value(config.load_config(), "tui.filter")
    return value if isinstance(value, dict) else {}


def save_filter(chosen: dict[str, Any]) -> None:
    """Keep the queue filter for the next run; the rest of config.toml, comments too, stays."""
    from xhsvc import config

    data = config.load_config()
    config.set_value(data, "tui.filter", chosen)
    config.save_config(data)


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
    from xhsvc.tui.app import XhsvcApp

    # The collector settles once the first screen is up (XhsvcApp.on_mount), not when the
    # database opens: laying out and drawing the first screen makes many objects too.
    state(ctx).settle_on_open = False
    XhsvcApp(
        core_context(ctx), load_filter=load_filter, save_filter=save_filter, refresh_seconds=refresh
    ).run()
