"""Help: every key of the dashboard."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from xhsvc.tui.actions import ACTIONS

QUEUE_KEYS = [
    ("Enter", "Open the ticket: fields, clocks, contract, requests, history"),
    ("Escape", "Back to the queue from a ticket; closes a dialog"),
    ("/", "Search ticket, title, customer or contact"),
    ("1 / 2 / 3", "Toggle: mine / requests I decide / breached"),
    ("F", "Filters: status=… tier=… priority=… region=… assignee=…"),
    ("0", "Clear every filter"),
    ("[ / ]", "Previous / next page of the queue"),
    ("m", "Manager's view: counts, breaches, major incidents, requests"),
    ("ctrl+p", "Command palette: every action by name"),
    ("?", "This help"),
    ("q", "Quit"),
]


class HelpScreen(ModalScreen[None]):
    """Every key; it scrolls (arrows, page keys) where the terminal is shorter than the list."""

    BINDINGS = [Binding("escape,q,question_mark", "app.pop_screen", "Close")]

    def compose(self) -> ComposeResult:
        table = Table(title="xhsvc dashboard keys (Escape closes)", expand=True)
        table.add_column("Key", style="bold")
        table.add_column("What it does")
        for key, text in QUEUE_KEYS:
            table.add_row(key, text)
        table.add_section()
        for action in ACTIONS:
            table.add_row(action.key, action.help)
        with VerticalScroll(id="help-box"):
            yield Static(table, id="help")

    def on_mount(self) -> None:
        self.query_one("#help-box").focus()
