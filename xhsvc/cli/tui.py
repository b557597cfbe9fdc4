"""`xhsvc tui`: the dashboard (Textual is imported only here)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from xhsvc.cli.common import core_context


def tui(
    ctx: typer.Context,
    refresh: Annotated[float, typer.Option("--refresh", help="Seconds between reloads of the queue.")] = 3.0,
) -> None:
    """Open the service-center dashboard: the live queue, tickets, intake, the manager's view."""
    from xhsvc import config
    from xhsvc.tui.app import XhsvcApp

    def load_filter() -> dict[str, Any]:
        value = config.get_value(config.load_config(), "tui.filter")
        return value if isinstance(value, dict) else {}

    def save_filter(chosen: dict[str, Any]) -> None:
        data = config.load_config()
        data.setdefault("tui", {})["filter"] = chosen
        config.save_config(data)

    XhsvcApp(
        core_context(ctx), load_filter=load_filter, save_filter=save_filter, refresh_seconds=refresh
    ).run()
