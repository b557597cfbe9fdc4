"""One ticket: every field, its clocks, contract and coverage, approvals and full history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.table import Table
from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Static

from xhsvc.core.knowledge import ticket_knowledge
from xhsvc.core.labels import (
    channel_label,
    clock_state_label,
    request_kind_label,
    request_state_label,
    role_label,
    service_label,
    status_label,
    target_label,
)
from xhsvc.core.text import display
from xhsvc.core.ticket_views import show_ticket, ticket_history
from xhsvc.errors import XhsvcError
from xhsvc.i18n import _
from xhsvc.tui.actions import TicketActions, ticket_bindings
from xhsvc.tui.knowledge import SuggestedNotes
from xhsvc.tui.messages import Failed, Loaded, TicketChanged
from xhsvc.tui.safe import cell, plain
from xhsvc.tui.widgets.clocks import STYLES, countdown
from xhsvc.tui.widgets.header import DeskHeader

FIELDS = [
    ("status", _("Status")),
    ("priority", _("Priority")),
    ("tier", _("Tier")),
    ("assignee", _("Assignee")),
    ("customer", _("Customer")),
    ("site", _("Site")),
    ("asset", _("Asset")),
    ("contact", _("Contact")),
    ("service", _("Service")),
    ("channel", _("Channel")),
    ("opened_by", _("Opened by")),
    ("reported_at", _("Called at")),
    ("responded_at", _("Responded")),
    ("resolved_at", _("Resolved")),
    ("resolution", _("Resolution")),
    ("confirmed_by", _("Confirmed by")),
    ("closed_at", _("Closed")),
    ("root_cause", _("Root cause")),
    ("review_actions", _("Review actions")),
    ("description", _("Description")),
]
# Codes shown in the interface's words.
WORDS = {"status": status_label, "service": service_label, "channel": channel_label}
# Shown as blocks, with their own lines.
BLOCKS = {"root_cause", "review_actions", "description"}


class TicketScreen(TicketActions):
    # The footer has room for these at 80 columns; `?` and ctrl+p list the rest.
    BINDINGS = [
        Binding("escape", "app.pop_screen", _("Back")),
        *ticket_bindings(shown=("assign", "escalate", "approve", "resolve")),
    ]

    def __init__(self, key: str) -> None:
        super().__init__()
        self.ticket_key = key
        self.data: dict[str, Any] | None = None
        self.history: list[dict[str, Any]] = []
        self.history_width = 0

    def compose(self) -> ComposeResult:
        yield DeskHeader(show_clock=self.app.show_clock)  # type: ignore[attr-defined]
        with VerticalScroll(id="detail"):
            yield Static(_("loading ..."), id="summary")
            yield Static("", id="clocks")
            yield Static("", id="approvals")
            yield Static("", id="conflicts").set_styles("display: none;")
            yield SuggestedNotes(id="knowledge")
            yield Static(_("History"), classes="heading")
            yield DataTable(id="history", cursor_type="row")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.load()
        self.set_interval(1.0, self.tick)
        # Others change this ticket too (agents, the CLI, the sweep): read it again now and then.
        self.set_interval(self.app.refresh_seconds, self.load)  # type: ignore[attr-defined]

    def current_key(self) -> str | None:
        return self.ticket_key

    def on_ticket_changed(self, event: TicketChanged) -> None:
        if event.key == self.ticket_key:
            self.load()

    @work(thread=True, group="ticket")
    def load(self) -> None:
        ctx = self.app.ctx  # type: ignore[attr-defined]
        try:
            data = show_ticket(ctx, key=self.ticket_key)
            history = ticket_history(ctx, key=self.ticket_key)
            data["knowledge"] = ticket_knowledge(ctx, key=self.ticket_key)
        except XhsvcError as e:
            self.post_message(Failed(str(e), title=self.ticket_key))
            return
        self.post_message(Loaded((data, history)))

    def on_loaded(self, event: Loaded) -> None:
        data, history = event.data  # type: ignore[misc]
        self.show(data, history)

    def on_resize(self, event: events.Resize) -> None:
        if self.data is not None and event.size.width != self.history_width:
            self.show_history(self.history)

    def _local(self, value: datetime | None) -> str:
        return value.astimezone(self.app.zone).strftime("%Y-%m-%d %H:%M") if value else ""  # type: ignore[attr-defined]

    def show(self, data: dict[str, Any], history: list[dict[str, Any]]) -> None:
        self.data = data
        self.sub_title = display(f"{data['key']} {data['title']}")
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        title = plain(f"{data['key']}  {data['title']}", style="bold")
        if data["major"]:
            title.append("  " + _("MAJOR INCIDENT"), style="bold red")
        table.add_row(_("Ticket"), title)
        for key, label in FIELDS:
            value = data.get(key)
            if isinstance(value, datetime):
                value = self._local(value)
            elif key in WORDS:
                value = WORDS[key](value)
            if value not in (None, ""):
                table.add_row(label, plain(value, multiline=key in BLOCKS))
        coverage = (
            plain(f"{data['contract']} — {data['coverage_text']}", style="green")
            if data["in_contract"]
            else plain(_("OUT OF CONTRACT — {note}").format(note=data["coverage_text"]), style="bold red")
        )
        table.add_row(_("Contract"), coverage)
        if data["onsite"]:
            table.add_row(_("On-site work"), plain(_("approved at {tier}").format(tier=data["onsite_tier"])))
        if data["from_visit"]:
            table.add_row(
                _("From visit"),
                plain(
                    _("{visit} finding {item}").format(
                        visit=data["from_visit"]["visit"], item=data["from_visit"]["item_key"]
                    )
                ),
            )
        self.query_one("#summary", Static).update(table)
        approvals = Table(title=_("Requests"), title_justify="left", expand=True)
        for column in (_("Kind"), _("State"), _("Asked by"), _("Why"), _("Decided by"), _("Note")):
            approvals.add_column(column)
        for a in data["approvals"]:
            state = plain(
                request_state_label(a["state"]), style="bold yellow" if a["state"] == "pending" else ""
            )
            if a["state"] == "pending":
                state.append(f" ({role_label(a['needs'])})")
            approvals.add_row(
                plain(request_kind_label(a["kind"])),
                state,
                plain(a["requested_by"]),
                plain(a["reason"]),
                plain(a["decided_by"]),
                plain(a["decision_note"], multiline=True),
            )
        self.query_one("#approvals", Static).update(approvals if data["approvals"] else _("No requests."))
        conflicts = self.query_one("#conflicts", Static)
        conflicts.update(self._conflicts(data["conflicts"]))
        conflicts.display = bool(data["conflicts"])
        self.query_one("#knowledge", SuggestedNotes).show_notes(data.get("knowledge", {}))
        self.tick()
        self.show_history(history)

    def show_history(self, history: list[dict[str, Any]]) -> None:
        """The Detail column takes the width that is left and wraps, so that a narrow terminal
        shows every word without scrolling sideways; the date loses its year there."""
        self.history = history
        self.history_width = width = self.size.width
        table: DataTable[Any] = self.query_one("#history", DataTable)
        table.clear(columns=True)
        narrow = width < 100
        when = 11 if narrow else 16
        # Padding of #detail (2), its scrollbar and the table's own (2 each), each column's cell
        # padding (2).
        detail = max(width - 6 - (when + 2) - (10 + 2) - (20 + 2) - 2, 20)
        table.add_column(_("When"), width=when)
        table.add_column(_("Who"), width=10)
        table.add_column(_("What"), width=20)
        table.add_column(_("Detail"), width=detail)
        for event in history:
            at = event["at"].astimezone(self.app.zone) if event["at"] else None  # type: ignore[attr-defined]
            table.add_row(
                at.strftime("%m-%d %H:%M" if narrow else "%Y-%m-%d %H:%M") if at else "",
                cell(event["actor"]),
                cell(event["what"]),
                plain(event["text"]),
                height=None,
            )

    def _conflicts(self, conflicts: list[dict[str, Any]]) -> Table | str:
        """What two nodes did at once and lost, kept until a person resolves it (sync resolve)."""
        if not conflicts:
            return ""
        table = Table(
            title=_("Sync conflicts (xhsvc sync resolve ID --take kept|lost)"),
            title_justify="left",
            expand=True,
        )
        table.add_column(_("ID"), style="bold yellow")
        for column in (_("Field"), _("Kept"), _("Lost"), _("Lost by"), _("When")):
            table.add_column(column, style="")
        for c in conflicts:
            table.add_row(
                plain(c["id"]),
                plain(c["field"]),
                plain(f"{c['kept']} ({c['kept_by']})"),
                plain(str(c["lost"])),
                plain(c["lost_by"]),
                self._local(c["lost_at"]),
            )
        return table

    def tick(self) -> None:
        if self.data is None:
            return
        from xhsvc.core.countdown import live_remaining

        now = self.app.now()  # type: ignore[attr-defined]
        clocks = Table(title=_("SLA clocks"), title_justify="left", expand=True)
        for column in (_("Target"), _("Due"), _("Time left"), _("State"), _("Paused"), _("Calendar")):
            clocks.add_column(column)
        for clock in self.data["clocks"]:
            remaining, state = live_remaining(clock, now)
            left = (
                ""
                if state in ("met", "late", "cancelled")
                else countdown(clock, remaining, breached=state == "breached")
            )
            clocks.add_row(
                plain(target_label(clock["target"])),
                self._local(clock["due_at"]),
                left,
                Text(clock_state_label(state), style=STYLES.get(state, "")),
                countdown(clock, clock["paused_min"]) if clock["paused_min"] else "",
                plain(clock["calendar"]),
            )
        self.query_one("#clocks", Static).update(clocks)
