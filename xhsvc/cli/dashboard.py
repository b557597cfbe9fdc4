"""What starting the dashboard needs before Typer or Textual is imported: its saved filter, and
its first page read ahead by a child process (tui/read_ahead.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from xhsvc.cli.global_options import Globals

if TYPE_CHECKING:
    from xhsvc.core.context import Context
    from xhsvc.core.queue_filter import QueuePage
    from xhsvc.tui.read_ahead import ReadAhead


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


def read_first_page(desk: Globals) -> ReadAhead[QueuePage] | None:
    """Start reading the queue's first page as the dashboard opens on it (the saved filter, from
    the top) in a child process, which opens its own context and closes it."""
    from xhsvc.tui.read_ahead import ReadAhead

    opened: list[Context] = []

    def read() -> QueuePage:
        from xhsvc.core.queue import queue_page
        from xhsvc.core.queue_filter import QueueFilter

        opened.append(desk.open_context())
        return queue_page(opened[0], filter=QueueFilter.from_dict(load_filter()))

    def close() -> None:
        for ctx in opened:
            ctx.db.dispose()

    return ReadAhead.start(read, then=close)
