"""The options given before the command (`xhsvc --db URL --as PERSON ticket list`) and the core
context they open. No Typer here: the launcher (cli/launch.py) opens a context before the CLI is
imported."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from xhsvc.collector import settle_collector

if TYPE_CHECKING:
    from xhsvc.core.context import Context
    from xhsvc.core.queue_filter import QueuePage
    from xhsvc.core.settings import Settings
    from xhsvc.tui.read_ahead import ReadAhead


@dataclass
class Globals:
    """Options given before the command: `xhsvc --db URL --as PERSON ticket list`."""

    db: str | None = None
    as_person: str | None = None
    _ctx: Any = field(default=None, repr=False)
    # Set by `xhsvc batch`: the contexts its commands opened, by database URL, kept open for the
    # next command (which acts as whoever it names) and closed by the batch.
    opened: dict[str, Context] | None = field(default=None, repr=False)
    # Collect garbage as Python does once the database is open (`settle_collector`); the
    # dashboard waits for its first screen instead.
    settle_on_open: bool = True
    # The dashboard's first page, being read since the command started (cli/launch.py).
    first_page: ReadAhead[QueuePage] | None = field(default=None, repr=False)

    def config(self) -> dict[str, Any]:
        from xhsvc.config import load_config

        return load_config()

    def url(self, config: dict[str, Any] | None = None) -> str:
        """The database this command works on: --db, XHSVC_DB, config.toml's `db`, the default."""
        from xhsvc.config import db_url

        return db_url(self.db, self.config() if config is None else config)

    def settings(self, config: dict[str, Any] | None = None) -> Settings:
        from xhsvc.core.settings import settings_from_config

        return settings_from_config(self.config() if config is None else config)

    def actor(self, config: dict[str, Any] | None = None) -> str | None:
        """Who acts: --as, else config.toml's `user`."""
        return self.as_person or (self.config() if config is None else config).get("user")

    def context(self) -> Context:
        """The core context, opened once per command: database migrated, actor and settings set,
        times shown in the configured zone."""
        if self._ctx is None:
            from xhsvc.cli.output import set_display_timezone

            self._ctx = self.open_context()
            set_display_timezone(self._ctx.settings.timezone)
            if self.settle_on_open:
                settle_collector()
        return self._ctx

    def open_context(self, config: dict[str, Any] | None = None) -> Context:
        """A core context as these options and config.toml say, not kept by this object (the one
        `xhsvc batch` keeps for the URL aside): what `context()` opens, and what the dashboard's
        read-ahead child opens without the CLI's output set up (cli/dashboard.py)."""
        from xhsvc.core.context import open_context

        config = self.config() if config is None else config
        settings = self.settings(config)
        url = self.url(config)
        actor = self.actor(config)
        as_requested = self.as_person is not None
        kept = self.opened.get(url) if self.opened is not None else None
        if kept is not None:
            return replace(kept, actor_handle=actor, settings=settings, as_requested=as_requested)
        opened = open_context(
            url=url, actor=actor, settings=settings, prefix=config.get("prefix"), as_requested=as_requested
        )
        if self.opened is not None:
            self.opened[url] = opened
        return opened

    def close(self) -> None:
        if self._ctx is not None:
            if self.opened is None:
                self._ctx.db.dispose()
            self._ctx = None
