"""Help: every key of the dashboard."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from xhsvc.i18n import _
from xhsvc.tui.actions import ACTIONS

QUEUE_KEYS = [
    ("Enter", _("Open the ticket: fields, clocks, contract, requests, history")),
    ("Escape", _("Back to the queue from a ticket; closes a dialog")),
    ("/", _("Search ticket, title, customer or contact")),
    ("1 / 2 / 3", _("Toggle: mine / requests I decide / breached")),
    ("F", _("Filters: status=… tier=… priority=… region=… assignee=…")),
    ("0", _("Clear every filter")),
    ("[ / ]", _("Previous / next page of the queue")),
    ("m", _("Manager's view: counts, breaches, major incidents, requests")),
    ("ctrl+p", _("Command palette: every action by name")),
    ("?", _("This help")),
    ("q", _("Quit")),
]


class HelpScreen(ModalScreen[None]):
    """Every key; it scrolls (arrows, page keys) where the terminal is shorter than the list."""

    BINDINGS = [Binding("escape,q,question_mark", "app.pop_screen", _("Close"))]

    def compose(self) -> ComposeResult:
        table = Table(title=_("xhsvc dashboard keys (Escape closes)"), expand=True)
        table.add_column(_("Key"), style="bold")
        table.add_column(_("What it does"))
        for key, text in QUEUE_KEYS:
            table.add_row(key, text)
        table.add_section()
        for action in ACTIONS:
            table.add_row(action.key, action.help)
        with VerticalScroll(id="help-box"):
            yield Static(table, id="help")

    def on_mount(self) -> None:
        self.query_one("#help-box").focus()
