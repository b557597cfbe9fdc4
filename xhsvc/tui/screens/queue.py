"""The queue: open tickets, the nearest due clock first, with live countdowns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Input, Static

from xhsvc.core.queue import QueueFilter, QueuePage, queue_page
from xhsvc.errors import XhsvcError
from xhsvc.tui.actions import TICKET_BINDINGS, TicketActions
from xhsvc.tui.messages import Failed, Loaded, TicketChanged
from xhsvc.tui.safe import cell, plain
from xhsvc.tui.widgets.clocks import clock_cells

PAGE = 100
# The countdowns come early, so that an 80-column terminal still shows them.
COLUMNS = [
    ("key", "Ticket", 10),
    ("priority", "Pri", 3),
    ("major", "!", 1),
    ("sla", "SLA (time left)", 22),
    ("status", "Status", 11),
    ("tier", "Tier", 4),
    ("assignee", "Assignee", 9),
    ("customer", "Customer", 16),
    ("title", "Title", 22),
    ("pending", "Pending", 18),
]
FILTER_KEYS = ("status", "tier", "priority", "region", "assignee")


def parse_filter_text(text: str, base: QueueFilter) -> QueueFilter:
    """'status=new tier=L2 region=杭州' (empty: clear those five)."""
    values: dict[str, Any] = {k: None for k in FILTER_KEYS}
    for part in text.split():
        name, sep, value = part.partition("=")
        if not sep or name not in FILTER_KEYS or not value:
            raise ValueError(f"{part!r}: write name=value with a name among {', '.join(FILTER_KEYS)}")
        values[name] = value
    return QueueFilter(**{**base.__dict__, **values})


class QueueScreen(TicketActions):
    """The call-center queue."""

    BINDINGS = [
        *TICKET_BINDINGS,
        Binding("enter", "show_ticket", "Open", show=False),
        Binding("slash", "search", "Search"),
        Binding("1", "toggle('mine')", "Mine"),
        Binding("2", "toggle('my_approvals')", "My approvals"),
        Binding("3", "toggle('breached')", "Breached"),
        Binding("F", "filters", "Filters"),
        Binding("0", "clear_filters", "All", show=False),
        Binding("right_square_bracket", "page(1)", "Next page", show=False),
        Binding("left_square_bracket", "page(-1)", "Prev page", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.queue_filter = QueueFilter()
        self.page_offset = 0
        self.page: QueuePage | None = None
        # A read is under way. (Not `loading`: that is Textual's, and covers the screen with a
        # spinner.)
        self.reading = False
        self.first_page_fresh = False

    def compose(self) -> ComposeResult:
        yield Header(show_clock=self.app.show_clock)  # type: ignore[attr-defined]
        yield Input(placeholder="/ search: ticket, title, customer, contact", id="search")
        yield Static("", id="filters")
        table: DataTable[Any] = DataTable(id="queue", cursor_type="row", zebra_stripes=True)
        for key, label, width in COLUMNS:
            table.add_column(label, key=key, width=width)
        yield table
        yield Static("loading ...", id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.queue_filter = self.app.load_filter()  # type: ignore[attr-defined]
        self.query_one("#search", Input).value = self.queue_filter.text
        self.query_one("#queue", DataTable).focus()
        self.first_load()
        self.set_interval(1.0, self.tick)
        self.set_interval(self.app.refresh_seconds, self.reload)  # type: ignore[attr-defined]

    # Loading ----------------------------------------------------------------------------------

    def reload(self) -> None:
        # One read at a time; a change made meanwhile is caught by the next one.
        if not self.reading:
            self.reading = True
            self.load_page(self.queue_filter, self.page_offset)

    def first_load(self) -> None:
        # The first page is read before the first frame is drawn: a worker would wait for that
        # frame (the event loop holds the interpreter while it lays out and draws the empty
        # screen) and the rows would need a second one.
        try:
            page = queue_page(self.app.ctx, filter=self.queue_filter, offset=self.page_offset, limit=PAGE)  # type: ignore[attr-defined]
        except XhsvcError as e:
            self.notify(str(e), title="Queue", severity="error")
            return
        self.show_page(page)
        self.first_page_fresh = True

    @work(thread=True, group="queue")
    def load_page(self, chosen: QueueFilter, offset: int) -> None:
        try:
            page = queue_page(self.app.ctx, filter=chosen, offset=offset, limit=PAGE)  # type: ignore[attr-defined]
        except XhsvcError as e:
            self.post_message(Failed(str(e), title="Queue"))
            self.reading = False
            return
        self.post_message(Loaded(page))

    def on_loaded(self, event: Loaded) -> None:
        self.reading = False
        if isinstance(event.data, QueuePage):
            self.show_page(event.data)

    def show_page(self, page: QueuePage) -> None:
        table = self.query_one("#queue", DataTable)
        selected = self.current_key()
        self.page = page
        table.clear()
        for row in page.rows:
            pending = row["pending_approval"]
            # Stored text goes in as Text: shown as it is, never read as markup.
            table.add_row(
                cell(row["key"]),
                Text(row["priority"], style="bold red" if row["priority"] == "P1" else ""),
                Text("!", style="bold red") if row["major"] else "",
                clock_cells(row["clocks"], self.app.now()),  # type: ignore[attr-defined]
                cell(row["status"]),
                cell(row["tier"]),
                cell(row["assignee"]),
                cell(row["customer"]),
                cell(row["title"]),
                cell(f"{pending['kind']} ({pending['decider']})" if pending else ""),
                key=row["key"],
            )
        keys = [row["key"] for row in page.rows]
        if selected in keys:
            table.move_cursor(row=keys.index(selected))
        first = page.offset + 1 if page.rows else 0
        last = page.offset + len(page.rows)
        refreshed = page.now.astimezone(self.app.zone).strftime("%H:%M:%S")  # type: ignore[attr-defined]
        self.query_one("#status", Static).update(
            f" {first}-{last} of {page.total} tickets · refreshed {refreshed}{self._sync_note(page.sync)}"
            " · [ ] pages · ? help"
        )
        self.query_one("#filters", Static).update(plain(f" Showing: {self.queue_filter.describe()}"))

    def _sync_note(self, sync: dict[str, Any]) -> str:
        note = ""
        if sync.get("role") == "laptop":
            last = sync["last_sync_at"]
            when = last.astimezone(self.app.zone).strftime("%m-%d %H:%M") if last else "never"  # type: ignore[attr-defined]
            note += f" · laptop: {sync['waiting']} change(s) to send, last sync {when}"
        if sync.get("open_conflicts"):
            note += f" · {sync['open_conflicts']} sync conflict(s): xhsvc sync conflicts"
        return note

    def tick(self) -> None:
        """Countdowns move every second, from the due times already loaded."""
        if self.page is None:
            return
        table = self.query_one("#queue", DataTable)
        now: datetime = self.app.now()  # type: ignore[attr-defined]
        for row in self.page.rows:
            try:
                table.update_cell(row["key"], "sla", clock_cells(row["clocks"], now))
            except Exception:  # the row left the table since (a reload is under way)
                continue

    def on_ticket_changed(self, _: TicketChanged) -> None:
        self.reload()

    def on_screen_resume(self) -> None:
        # The first resume is this screen's own push, just after its first page was read.
        if self.first_page_fresh:
            self.first_page_fresh = False
            return
        self.reload()

    # Selection --------------------------------------------------------------------------------

    def current_key(self) -> str | None:
        table = self.query_one("#queue", DataTable)
        if table.row_count == 0:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return str(row_key.value)

    @on(DataTable.RowSelected, "#queue")
    def action_show_ticket(self) -> None:
        from xhsvc.tui.screens.ticket import TicketScreen

        key = self.current_key()
        if key:
            self.app.push_screen(TicketScreen(key))

    # Filters ----------------------------------------------------------------------------------

    def _apply(self, new: QueueFilter) -> None:
        self.queue_filter = new
        self.page_offset = 0
        self.app.save_filter(new)  # type: ignore[attr-defined]
        self.reload()

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    @on(Input.Submitted, "#search")
    def search(self, event: Input.Submitted) -> None:
        self._apply(QueueFilter(**{**self.queue_filter.__dict__, "text": event.value.strip()}))
        self.query_one("#queue", DataTable).focus()

    def action_toggle(self, name: str) -> None:
        self._apply(QueueFilter(**{**self.queue_filter.__dict__, name: not getattr(self.queue_filter, name)}))

    def action_clear_filters(self) -> None:
        self.query_one("#search", Input).value = ""
        self._apply(QueueFilter())

    def action_filters(self) -> None:
        from xhsvc.tui.dialogs import TextDialog

        current = " ".join(f"{k}={v}" for k in FILTER_KEYS if (v := getattr(self.queue_filter, k)))

        def chosen(text: str | None) -> None:
            if text is None:
                return
            try:
                self._apply(parse_filter_text(text, self.queue_filter))
            except ValueError as e:
                self.notify(str(e), severity="error")

        dialog = TextDialog(
            "Filters: status=… tier=L1|L2|L3 priority=P1… region=杭州 assignee=ID (empty clears)",
            placeholder=current or "status=new tier=L2",
            required=False,
        )
        self.app.push_screen(dialog, chosen)

    def action_page(self, step: int) -> None:
        total = self.page.total if self.page else 0
        offset = max(self.page_offset + step * PAGE, 0)
        if offset >= total and step > 0:
            self.notify("that was the last page")
            return
        self.page_offset = offset
        self.reload()
