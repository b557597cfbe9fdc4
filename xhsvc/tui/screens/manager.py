"""The manager's view: the queue in numbers."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from xhsvc.core.queue import manager_view
from xhsvc.errors import XhsvcError
from xhsvc.i18n import _
from xhsvc.tui.messages import Failed, Loaded
from xhsvc.tui.widgets.header import DeskHeader


class ManagerScreen(Screen[None]):
    BINDINGS = [Binding("escape", "app.pop_screen", _("Back")), Binding("m", "app.pop_screen", _("Queue"))]

    def compose(self) -> ComposeResult:
        yield DeskHeader(show_clock=self.app.show_clock)  # type: ignore[attr-defined]
        yield Static(_("loading ..."), id="figures")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.load()
        self.set_interval(self.app.refresh_seconds, self.load)  # type: ignore[attr-defined]

    @work(thread=True, group="manager")
    def load(self) -> None:
        try:
            data = manager_view(self.app.ctx)  # type: ignore[attr-defined]
        except XhsvcError as e:
            self.post_message(Failed(str(e), title=_("Manager view")))
            return
        self.post_message(Loaded(data))

    def on_screen_resume(self) -> None:
        self.load()

    def on_loaded(self, event: Loaded) -> None:
        self.show(event.data)  # type: ignore[arg-type]

    def on_failed(self, event: Failed) -> None:
        self.notify(event.text, title=event.title, severity="error")

    def show(self, data: dict[str, Any]) -> None:
        grid = Table.grid(padding=(1, 4))
        headline = Table.grid(padding=(0, 3))
        for label, value, style in (
            (_("Major incidents open"), data["major_open"], "bold red"),
            (_("Overdue now"), data["overdue_now"], "bold red"),
            (_("Breaches today"), data["breached_today"], "bold yellow"),
            (_("Requests waiting"), sum(data["approvals_waiting"].values()), "bold cyan"),
        ):
            headline.add_row(Text(label), Text(str(value), style=style if value else "green"))
        statuses = Table(title=_("Open tickets by status"), title_justify="left")
        statuses.add_column(_("Status"))
        statuses.add_column(_("Tickets"), justify="right")
        for status in ("new", "assigned", "in_progress", "waiting_customer", "resolved"):
            statuses.add_row(status, str(data["by_status"].get(status, 0)))
        tiers = Table(title=_("By tier"), title_justify="left")
        tiers.add_column(_("Tier"))
        tiers.add_column(_("Tickets"), justify="right")
        for tier in ("L1", "L2", "L3"):
            tiers.add_row(tier, str(data["by_tier"].get(tier, 0)))
        waiting = Table(title=_("Requests waiting"), title_justify="left")
        waiting.add_column(_("Kind"))
        waiting.add_column(_("Waiting"), justify="right")
        for kind in ("onsite", "escalation", "l2_onsite"):
            waiting.add_row(kind, str(data["approvals_waiting"].get(kind, 0)))
        grid.add_row(headline)
        grid.add_row(statuses, tiers, waiting)
        self.query_one("#figures", Static).update(grid)
