"""The xhsvc dashboard: the service-center queue in a terminal."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher
from textual.notifications import SeverityLevel

from xhsvc.collector import settle_collector
from xhsvc.core.clock import utc_now
from xhsvc.core.queue_filter import QueueFilter, QueuePage
from xhsvc.core.settings import Settings
from xhsvc.core.text import display
from xhsvc.errors import XhsvcError
from xhsvc.i18n import N_, _
from xhsvc.lazy import load_waiting
from xhsvc.tui.actions import ACTIONS, TicketActions
from xhsvc.tui.read_ahead import ReadAhead
from xhsvc.tui.screens.queue import QueueScreen

if TYPE_CHECKING:
    from xhsvc.core.context import Context


class TicketCommands(Provider):
    """Every ticket action by name in the command palette (ctrl+p), naming the ticket it acts on:
    the queue's row under the cursor, or the ticket screen's ticket."""

    def _commands(self) -> list[tuple[str, str, TicketActions]]:
        # `self.screen` is the screen the palette was opened on (`self.app.screen` is the palette).
        screen = self.screen
        if not isinstance(screen, TicketActions):
            return []
        key = screen.current_key()
        out = []
        for a in ACTIONS:
            if "{key}" in a.name and key is None:
                continue  # an empty queue: only "take a call"
            # The key comes from the database: shown as display() makes it, never as markup.
            name = a.name.replace("{key}", display(key or ""))
            out.append((f"{name} ({a.key})", a.action, screen))
        return out

    async def discover(self) -> Hits:
        # Scored hits, not DiscoveryHits (all scored 0): the palette sorts by score, so the
        # ticket's actions come first, in the order of the flow, above Textual's own commands.
        for n, (name, action, screen) in enumerate(self._commands()):
            yield Hit(1.0 - n / 1000, Content(name), partial(screen.run_action, action), text=name)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action, screen in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, _highlight(matcher, name), partial(screen.run_action, action), text=name)


def _highlight(matcher: Matcher, text: str) -> Content:
    """Matcher.highlight reads its text as markup; this marks the same letters on plain text."""
    content = Content(text)
    _score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    for offset in offsets:
        if not text[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


# Textual's own palette commands, as it words them: looked up in the catalog when listed.
SYSTEM_COMMAND_WORDS = (
    N_("Theme"),
    N_("Change the current theme"),
    N_("Quit"),
    N_("Quit the application as soon as possible"),
    N_("Keys"),
    N_("Hide the keys and widget help panel"),
    N_("Show help for the focused widget and a summary of available keys"),
    N_("Minimize"),
    N_("Minimize the widget and restore to normal size"),
    N_("Maximize"),
    N_("Maximize the focused widget"),
    N_("Screenshot"),
    N_("Save an SVG 'screenshot' of the current screen"),
)


@dataclass(frozen=True)
class Opening:
    """The dashboard's start while another process reads its first page (tui/read_ahead.py):
    the queue shows that page, and the context opens on first use, once it is on screen."""

    open_context: Callable[[], Context]
    settings: Settings
    actor_handle: str | None
    first_page: ReadAhead[QueuePage] | None


class XhsvcApp(App[None]):
    """The queue, tickets, intake, the manager's view; every change goes through the core."""

    CSS_PATH = "app.tcss"
    TITLE = "xhsvc 服务台"
    COMMANDS = App.COMMANDS | {TicketCommands}
    # The footer shows a screen's own keys first, then these; `m` is in the help screen.
    BINDINGS = [
        Binding("question_mark", "help", _("Help")),
        Binding("m", "manager", _("Manager"), show=False),
        Binding("q", "quit", _("Quit")),
        # Textual's own palette key, worded in the interface's language (the footer shows it last).
        Binding("ctrl+p", "command_palette", _("commands"), show=False, priority=True),
    ]

    def __init__(
        self,
        ctx: Context | Opening,
        *,
        load_filter: Callable[[], dict[str, Any]] | None = None,
        save_filter: Callable[[dict[str, Any]], None] | None = None,
        refresh_seconds: float = 3.0,
        show_clock: bool = True,
    ) -> None:
        super().__init__()
        self._ctx: Context | None = None
        self._opening: Opening | None = None
        self._opening_lock = threading.Lock()
        # The first page as another process reads it, taken by the queue screen's first load.
        self._first_page: ReadAhead[QueuePage] | None = None
        # Why the context could not be opened after the first frame (`xhsvc tui` reports it).
        self.failure: XhsvcError | None = None
        self._settled = False
        if isinstance(ctx, Opening):
            self._opening = ctx
            self._first_page = ctx.first_page
        else:
            self._ctx = ctx
            load_waiting()
        self.zone = ZoneInfo(ctx.settings.timezone)
        self.refresh_seconds = refresh_seconds
        self._load_filter = load_filter
        self._save_filter = save_filter
        self.show_clock = show_clock
        self.sub_title = display(ctx.actor_handle or _("nobody (read only)"))

    @property
    def ctx(self) -> Context:
        """The core context; when the first page came from another process, opened on first use
        (once that page is drawn, see `settle`), with the core modules the screens use."""
        with self._opening_lock:
            if self._ctx is None:
                assert self._opening is not None
                self._ctx = self._opening.open_context()
                load_waiting()
            return self._ctx

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification of every screen: its text (often a core message quoting stored or
        typed text) is shown as it is, control characters visible, never read as markup."""
        super().notify(
            display(message), title=display(title), severity=severity, timeout=timeout, markup=False
        )

    def now(self) -> datetime:
        """The desk's clock, before the context is open too."""
        if self._ctx is not None:
            return self._ctx.now()
        return utc_now()

    def load_filter(self) -> QueueFilter:
        return QueueFilter.from_dict(self._load_filter() if self._load_filter else None)

    def save_filter(self, chosen: QueueFilter) -> None:
        if self._save_filter:
            try:
                self._save_filter(chosen.as_dict())
            except XhsvcError as e:  # config.toml unreadable or unwritable: the queue works on
                self.notify(_("filter not saved: {error}").format(error=e), severity="warning")

    def on_mount(self) -> None:
        self.call_later(self._show_queue)

    def _show_queue(self) -> None:
        # Not in on_mount: Textual holds the screen's output until the app is mounted, and the
        # first frame drawn meanwhile would be dropped, all but the header and footer redrawn a
        # frame later.
        self.push_screen(QueueScreen())

    def take_first_page(self) -> ReadAhead[QueuePage] | None:
        """The first page as another process reads it (once; None: the queue reads it here)."""
        take, self._first_page = self._first_page, None
        return take

    def open_context(self) -> bool:
        """Open the context now; when it cannot be, leave with why (`xhsvc tui` says it and
        exits with its code, as any command that cannot open its database)."""
        try:
            self.ctx  # noqa: B018 - opens it
        except XhsvcError as e:
            self.failure = e
            self.exit(return_code=e.exit_code)
            return False
        return True

    def settle(self) -> None:
        """Once the first page is on screen: the context is open (it may not be yet, see
        Opening) and the collector runs as Python's does (collector.py)."""
        if not self._settled and self.open_context():
            self._settled = True
            settle_collector()

    def action_command_palette(self) -> None:
        """Textual's palette, with its prompt in the interface's language."""
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette", placeholder=_("Search for commands…")))

    def get_system_commands(self, screen: Any) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            yield command._replace(title=_(command.title), help=_(command.help))

    def action_help(self) -> None:
        from xhsvc.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def action_manager(self) -> None:
        from xhsvc.tui.screens.manager import ManagerScreen

        if not isinstance(self.screen, ManagerScreen):
            self.push_screen(ManagerScreen())
