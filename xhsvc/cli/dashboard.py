"""The dashboard's start, without Typer: its saved filter, its first page read ahead by a child
process (tui/read_ahead.py), and the app run on them. `xhsvc tui` calls it, and so does the
launcher for `xhsvc tui` typed alone (cli/launch.py), before Typer is imported at all."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xhsvc.cli.global_options import Globals
    from xhsvc.core.context import Context
    from xhsvc.core.queue_filter import QueuePage
    from xhsvc.tui.read_ahead import ReadAhead


def load_filter(data: dict[str, Any] | None = None) -> dict[str, Any]:
    """The queue filter the dashboard saved last time (`tui.filter` in config.toml, or in `data`
    read from it already)."""
    from xhsvc import config

    value = config.get_value(config.load_config() if data is None else data, "tui.filter")
    return value if isinstance(value, dict) else {}


def save_filter(chosen: dict[str, Any]) -> None:
    """Keep the queue filter for the next run; the rest of config.toml, comments too, stays."""
    from xhsvc import config

    data = config.load_config()
    config.set_value(data, "tui.filter", chosen)
    config.save_config(data)


# Seconds between reloads of the queue, unless `xhsvc tui --refresh` says otherwise.
REFRESH_SECONDS = 3.0


def open_dashboard(desk: Globals, *, refresh_seconds: float = REFRESH_SECONDS) -> None:
    """Run the dashboard until the user leaves it; a core error that stops it (no database, an
    unknown person) is raised once the terminal is given back."""
    # The collector settles once the first rows are drawn (XhsvcApp.settle), not when the
    # database opens: laying out and drawing the first screen makes many objects too.
    desk.settle_on_open = False
    config = desk.config()
    settings, actor = desk.settings(config), desk.actor(config)
    # The first page is read by a child process while this one imports Textual, started by the
    # launcher when it could tell that this command was coming (cli/launch.py).
    ahead = desk.first_page or read_first_page(desk)

    from xhsvc.tui.app import Opening, XhsvcApp

    start = Opening(open_context=desk.context, settings=settings, actor_handle=actor, first_page=ahead)
    app = XhsvcApp(start, load_filter=load_filter, save_filter=save_filter, refresh_seconds=refresh_seconds)
    app.run()
    if app.failure is not None:
        raise app.failure


def read_first_page(desk: Globals | None = None) -> ReadAhead[QueuePage] | None:
    """Start reading the queue's first page as the dashboard opens on it (the saved filter, from
    the top) in a child process, which opens its own context, with the options of `desk` (none:
    the defaults), and closes it."""
    from xhsvc.tui.read_ahead import ReadAhead

    opened: list[Context] = []

    def read() -> QueuePage:
        from xhsvc.cli.global_options import Globals
        from xhsvc.core.queue import queue_page
        from xhsvc.core.queue_filter import QueueFilter

        options = desk or Globals()
        config = options.config()  # read once: for the context and for the saved filter
        opened.append(options.open_context(config))
        return queue_page(opened[0], filter=QueueFilter.from_dict(load_filter(config)))

    def close() -> None:
        for ctx in opened:
            ctx.db.dispose()

    return ReadAhead.start(read, then=close)
