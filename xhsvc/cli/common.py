"""What every command shares: global options, the core context, lazy imports, option types."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from dataclasses import dataclass, field, replace
from types import ModuleType
from typing import TYPE_CHECKING, Annotated, Any

import typer

from xhsvc.cli import completers
from xhsvc.collector import settle_collector
from xhsvc.i18n import _

if TYPE_CHECKING:
    from xhsvc.core.context import Context


def lazy(name: str) -> ModuleType:
    """Import a module on first attribute access, so `xhsvc --help` loads no database code."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:  # pragma: no cover - a packaging error
        raise ImportError(name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


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

    def config(self) -> dict[str, Any]:
        from xhsvc.config import load_config

        return load_config()

    def url(self, config: dict[str, Any] | None = None) -> str:
        """The database this command works on: --db, XHSVC_DB, config.toml's `db`, the default."""
        from xhsvc.config import db_url

        return db_url(self.db, self.config() if config is None else config)

    def context(self) -> Context:
        """The core context, opened once per command: database migrated, actor and settings set."""
        if self._ctx is None:
            from xhsvc.cli.output import set_display_timezone
            from xhsvc.core.context import open_context
            from xhsvc.core.settings import settings_from_config

            config = self.config()
            settings = settings_from_config(config)
            set_display_timezone(settings.timezone)
            url = self.url(config)
            actor = self.as_person or config.get("user")
            kept = self.opened.get(url) if self.opened is not None else None
            if kept is not None:
                self._ctx = replace(
                    kept, actor_handle=actor, settings=settings, as_requested=self.as_person is not None
                )
            else:
                self._ctx = open_context(
                    url=url,
                    actor=actor,
                    settings=settings,
                    prefix=config.get("prefix"),
                    as_requested=self.as_person is not None,
                )
                if self.opened is not None:
                    self.opened[url] = self._ctx
            if self.settle_on_open:
                settle_collector()
        return self._ctx

    def close(self) -> None:
        if self._ctx is not None:
            if self.opened is None:
                self._ctx.db.dispose()
            self._ctx = None


def state(ctx: typer.Context) -> Globals:
    root = ctx.find_root()
    if not isinstance(root.obj, Globals):
        root.obj = Globals()
    return root.obj


def core_context(ctx: typer.Context) -> Context:
    return state(ctx).context()


JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of a table.")]
KeyArgument = Annotated[
    str,
    typer.Argument(help="Ticket key, e.g. XH-000123.", show_default=False, autocompletion=completers.tickets),
]
# A required customer, completed from the database.
CustomerOption = Annotated[
    str,
    typer.Option(
        "--customer",
        "-c",
        help="Customer name or id.",
        show_default=False,
        autocompletion=completers.customers,
    ),
]

YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do it without asking (for scripts).")]


def interactive() -> bool:
    """A person at a terminal, who can be asked."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def confirm_irreversible(command: str, what: str, *, yes: bool) -> None:
    """An action that cannot be undone: a person at a terminal is shown `what` will happen and
    asked; a script says `--yes`. Declined or unconfirmed, nothing is done (exit 4)."""
    from xhsvc.core.text import display
    from xhsvc.errors import NotAllowed

    if yes:
        return
    if not interactive():
        raise NotAllowed(
            _("{command}: cannot be undone; confirm on a terminal or pass --yes").format(command=command)
        )
    typer.echo(display(what))
    if not typer.confirm(_("Go ahead?"), default=False):
        raise NotAllowed(_("{command}: not confirmed; nothing changed").format(command=command))
