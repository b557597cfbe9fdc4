"""The queue: open tickets, the nearest due clock first, with live countdowns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widgets import DataTable, Footer, Input, Static

from xhsvc.core.labels import pending_text, status_short_label
from xhsvc.core.queue_filter import PAGE_SIZE, QueueFilter, QueuePage
from xhsvc.errors import XhsvcError
from xhsvc.i18n import _
from xhsvc.lazy import lazy
from xhsvc.tui.actions import TicketActions, ticket_bindings
from xhsvc.tui.messages import Failed, Loaded, TicketChanged
from xhsvc.tui.safe import cell, plain
from xhsvc.tui.widgets.clocks import TWO_CLOCKS_WIDTH, clock_cells
from xhsvc.tui.widgets.header import DeskHeader

if TYPE_CHECKING:
    from xhsvc.core.context import Context

# Its first page may come from another process (tui/read_ahead.py): loaded on first use.
queue = lazy("xhsvc.core.queue")

# Every column as wide as it is on a wide terminal; the Title takes what is left (TITLE_MIN ..
# TITLE_MAX). The countdowns come early, so that an 80-column terminal still shows them.
COLUMNS = [
    ("key", _("Ticket"), 9),
    ("priority", _("Pri"), 3),
    ("major", "!", 1),
    ("sla", _("SLA (time left)"), TWO_CLOCKS_WIDTH),
    ("status", _("Status"), 11),
    ("customer", _("Customer"), 16),
    ("title", _("Title"), 22),
    ("assignee", _("Assignee"), 9),
    ("tier", _("Tier"), 4),
    ("pending", _("Pending"), 18),
]
# A heading in Chinese may be wider than the column's English one: never cut it.
COLUMNS = [(key, label, max(width, cell_len(label))) for key, label, width in COLUMNS]
TITLE_MIN = 18
TITLE_MAX = 60
# DataTable pads each cell by one on either side; the queue's scrollbar is one wide (app.tcss).
PAD = 2
SCROLLBAR = 1
# What gives way, in this order, while the Title would be narrower than TITLE_MIN: the major mark
# moves into the priority cell (P1!), Tier and Pending (also on the ticket screen and the `2`
# filter) go first; at last the SLA cell shows only the clock that runs out first.
NARROWER: list[tuple[str, int | None]] = [
    ("major", None),
    ("tier", None),
    ("customer", 12),
    ("pending", None),
    ("assignee", None),
    ("sla", 12),
    ("customer", 10),
]


@dataclass(frozen=True)
class Layout:
    """The queue's columns at one terminal width: (key, label, width) each."""

    columns: tuple[tuple[str, str, int], ...]

    @property
    def keys(self) -> list[str]:
        return [key for key, _label, _width in self.columns]

    @property
    def nearest_clock_only(self) -> bool:
        return dict((k, w) for k, _label, w in self.columns)["sla"] < TWO_CLOCKS_WIDTH


def layout_for(width: int) -> Layout:
    """The columns that fit `width` terminal columns, the Title as wide as it can be."""
    widths = {key: w for key, _label, w in COLUMNS}

    def title_room() -> int:
        others = sum(w + PAD for key, w in widths.items() if key != "title")
        return width - SCROLLBAR - others - PAD

    for key, narrower in NARROWER:
        if title_room() >= TITLE_MIN:
            break
        if narrower is None:
            del widths[key]
        else:
            widths[key] = narrower
    widths["title"] = max(min(title_room(), TITLE_MAX), 8)
    labels = {key: label for key, label, _width in COLUMNS}
    if widths["sla"] < TWO_CLOCKS_WIDTH:
        labels["sla"] = _("SLA next")
    return Layout(tuple((key, labels[key], widths[key]) for key, _label, _width in COLUMNS if key in widths))


class QueueTable(DataTable[Any]):
    """The queue's table; says when it first draws rows. The dashboard imports its database code
    only then (XhsvcApp.settle): before, it would hold the first rows back by as long."""

    class RowsDrawn(Message):
        pass

    _rows_drawn = False

    def render_lines(self, crop: Region) -> list[Strip]:
        lines = super().render_lines(crop)
        if self.row_count and not self._rows_drawn:
            self._rows_drawn = True
            self.post_message(self.RowsDrawn())
        return lines


FILTER_KEYS = ("status", "tier", "priority", "region", "assignee")


def parse_filter_text(text: str, base: QueueFilter) -> QueueFilter:
    """'status=new tier=L2 region=杭州' (empty: clear those five)."""
    values: dict[str, Any] = {k: None for k in FILTER_KEYS}
    for part in text.split():
        name, sep, value = part.partition("=")
        if not sep or name not in FILTER_KEYS or not value:
            raise ValueError(
                _("{part}: write name=value with a name among {names}").format(
                    part=repr(part), names=", ".join(FILTER_KEYS)
                )
            )
        values[name] = value
    return QueueFilter(**{**base.__dict__, **values})


class QueueScreen(TicketActions):
    """The call-center queue."""

    # The table has the focus from the first frame: focusing it in on_mount would come a frame
    # late, and every visible row would be drawn twice (without and with the focus style).
    AUTO_FOCUS = "#queue"

    # The footer has room for these at 80 columns; `?` lists the rest, the filters line the toggles.
    BINDINGS = [
        *ticket_bindings(shown=("new_ticket", "assign", "escalate", "approve")),
        Binding("enter", "show_ticket", _("Open"), show=False),
        Binding("slash", "search", _("Search")),
        Binding("1", "toggle('mine')", _("Mine"), show=False),
        Binding("2", "toggle('my_approvals')", _("My approvals"), show=False),
        Binding("3", "toggle('breached')", _("Breached"), show=False),
        Binding("F", "filters", _("Filters"), show=False),
        Binding("0", "clear_filters", _("All"), show=False),
        Binding("right_square_bracket", "page(1)", _("Next page"), show=False),
        Binding("left_square_bracket", "page(-1)", _("Prev page"), show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.queue_filter = QueueFilter()
        self.page_offset = 0
        self.page: QueuePage | None = None
        # A read is under way. (Not `loading`: that is Textual's, and covers the screen with a
        # spinner.)
        self.reading = False
        self.read_again = False
        self.first_page_fresh = False
        self.queue_layout = layout_for(120)

    def compose(self) -> ComposeResult:
        yield DeskHeader(show_clock=self.app.show_clock)  # type: ignore[attr-defined]
        yield Input(placeholder=_("/ search: ticket, title, customer, contact"), id="search")
        yield Static("", id="filters")
        table = QueueTable(id="queue", cursor_type="row", zebra_stripes=True)
        # The terminal's width is known before the first frame: the first page is laid out once.
        self.queue_layout = layout_for(self.app.size.width)
        self._add_columns(table)
        yield table
        yield Static(_("loading ..."), id="status")
        yield Footer(compact=True)

    def _add_columns(self, table: DataTable[Any]) -> None:
        for key, label, width in self.queue_layout.columns:
            table.add_column(label, key=key, width=width)

    def on_resize(self, event: events.Resize) -> None:
        """Choose the columns again for the new width; rows and cursor stay."""
        new = layout_for(event.size.width)
        if new == self.queue_layout:
            return
        selected = self.current_key()
        self.queue_layout = new
        table = self.query_one("#queue", DataTable)
        table.clear(columns=True)
        self._add_columns(table)
        if self.page is not None:
            self.show_page(self.page, selected=selected)

    def on_mount(self) -> None:
        self.queue_filter = self.app.load_filter()  # type: ignore[attr-defined]
        self.query_one("#search", Input).value = self.queue_filter.text
        self.first_load()
        self.set_interval(1.0, self.tick)
        self.set_interval(self.app.refresh_seconds, self.reload)  # type: ignore[attr-defined]

    # Loading ----------------------------------------------------------------------------------

    def reload(self) -> None:
        # One read at a time. A reload asked for meanwhile (this app's own change, a new filter)
        # runs when that read is in: the read under way may have started before the change.
        if self.reading:
            self.read_again = True
            return
        self.reading = True
        self.read_again = False
        self.load_page(self.queue_filter, self.page_offset)

    def first_load(self) -> None:
        # The first page goes into the table before the first frame: a worker would wait for that
        # frame (the event loop holds the interpreter while it lays out and draws) and the rows
        # would need a second one. Another process may be reading it (read_ahead.py): waiting for
        # it is quicker than drawing an empty screen meanwhile, which slows that process down.
        self.first_page_fresh = True
        ahead = self.app.take_first_page()  # type: ignore[attr-defined]
        self._show_first_page(ahead.result() if ahead is not None else None)

    def _show_first_page(self, page: QueuePage | None) -> None:
        """The page read ahead, or the one read here when there is none (or it is for a filter
        changed since)."""
        if page is None or page.filter != self.queue_filter:
            if not self.app.open_context():  # type: ignore[attr-defined]
                return
            try:
                page = queue.queue_page(self.app.ctx, filter=self.queue_filter, offset=0, limit=PAGE_SIZE)  # type: ignore[attr-defined]
            except XhsvcError as e:
                self.notify(str(e), title=_("Queue"), severity="error")
                page = None
        if page is not None:
            # The rows below the screen's bottom go in after the first frame: measuring and adding
            # them would hold it back for nothing to see.
            self.show_page(page, first_rows=self.app.size.height)
        if page is None or not page.rows:  # no rows to wait for (on_queue_table_rows_drawn)
            self.call_after_refresh(self.app.settle)  # type: ignore[attr-defined]

    def on_queue_table_rows_drawn(self, _event: QueueTable.RowsDrawn) -> None:
        self.app.settle()  # type: ignore[attr-defined]

    def load_page(self, chosen: QueueFilter, offset: int) -> None:
        # The context is taken here, on the event loop's thread: opening it loads the core's
        # modules, which must happen on one thread (lazy.load_waiting).
        self._read_page(self.app.ctx, chosen, offset)  # type: ignore[attr-defined]

    @work(thread=True, group="queue")
    def _read_page(self, ctx: Context, chosen: QueueFilter, offset: int) -> None:
        try:
            page = queue.queue_page(ctx, filter=chosen, offset=offset, limit=PAGE_SIZE)
        except XhsvcError as e:
            self.post_message(Failed(str(e), title=_("Queue")))
            self.reading = False
            return
        self.post_message(Loaded(page))

    def on_loaded(self, event: Loaded) -> None:
        self.reading = False
        if isinstance(event.data, QueuePage):
            self.show_page(event.data)
        if self.read_again:
            self.reload()

    def _cells(self, row: dict[str, Any], now: datetime) -> list[Any]:
        """The row's cells for the columns shown. Stored text goes in as Text: shown as it is,
        never read as markup."""
        priority = Text(row["priority"], style="bold red" if row["priority"] == "P1" else "")
        major = Text("!", style="bold red") if row["major"] else Text("")
        if row["major"] and "major" not in self.queue_layout.keys:
            priority.append_text(major)
        values = {
            "key": cell(row["key"]),
            "priority": priority,
            "major": major,
            "sla": clock_cells(row["clocks"], now, nearest_only=self.queue_layout.nearest_clock_only),
            "status": cell(status_short_label(row["status"])),
            "customer": cell(row["customer"]),
            "title": cell(row["title"]),
            "assignee": cell(row["assignee"]),
            "tier": cell(row["tier"]),
            "pending": cell(pending_text(row["pending_approval"])),
        }
        return [values[key] for key in self.queue_layout.keys]

    def show_page(
        self, page: QueuePage, *, selected: str | None = None, first_rows: int | None = None
    ) -> None:
        """Put the page in the table, the cursor on `selected` if it is there; with `first_rows`,
        only that many rows before the next frame, the others right after it."""
        table = self.query_one("#queue", DataTable)
        selected = selected or self.current_key()
        self.page = page
        table.clear()
        now = self.app.now()  # type: ignore[attr-defined]
        now_rows = page.rows if first_rows is None else page.rows[:first_rows]
        for row in now_rows:
            table.add_row(*self._cells(row, now), key=row["key"])
        if len(now_rows) < len(page.rows):
            self.call_after_refresh(self._add_rows, page, len(now_rows))
        keys = [row["key"] for row in now_rows]
        if selected in keys:
            table.move_cursor(row=keys.index(selected))
        first = page.offset + 1 if page.rows else 0
        last = page.offset + len(page.rows)
        refreshed = page.now.astimezone(self.app.zone).strftime("%H:%M:%S")  # type: ignore[attr-defined]
        self.query_one("#status", Static).update(
            " "
            + _(
                "{first}-{last} of {total} tickets · refreshed {refreshed}{sync} · [ ] pages · ? help"
            ).format(
                first=first, last=last, total=page.total, refreshed=refreshed, sync=self._sync_note(page.sync)
            )
        )
        self.query_one("#filters", Static).update(
            plain(
                " "
                + _("Showing: {filter}  (1 mine · 2 to decide · 3 breached · F filters · 0 all)").format(
                    filter=self.queue_filter.describe()
                )
            )
        )

    def _add_rows(self, page: QueuePage, start: int) -> None:
        table = self.query_one("#queue", DataTable)
        # Another page came in meanwhile, or this one was put in whole again (a resize).
        if self.page is not page or table.row_count != start:
            return
        now = self.app.now()  # type: ignore[attr-defined]
        for row in page.rows[start:]:
            table.add_row(*self._cells(row, now), key=row["key"])

    def _sync_note(self, sync: dict[str, Any]) -> str:
        note = ""
        if sync.get("role") == "laptop":
            last = sync["last_sync_at"]
            when = last.astimezone(self.app.zone).strftime("%m-%d %H:%M") if last else _("never")  # type: ignore[attr-defined]
            note += " · " + _("laptop: {waiting} change(s) to send, last sync {when}").format(
                waiting=sync["waiting"], when=when
            )
        if sync.get("open_conflicts"):
            note += " · " + _("{count} sync conflict(s): xhsvc sync conflicts").format(
                count=sync["open_conflicts"]
            )
        return note

    def tick(self) -> None:
        """Countdowns move every second, from the due times already loaded."""
        if self.page is None:
            return
        table = self.query_one("#queue", DataTable)
        now: datetime = self.app.now()  # type: ignore[attr-defined]
        nearest = self.queue_layout.nearest_clock_only
        for row in self.page.rows:
            try:
                table.update_cell(row["key"], "sla", clock_cells(row["clocks"], now, nearest_only=nearest))
            except Exception:  # the row left the table since (a reload is under way)
                continue

    def on_ticket_changed(self, _event: TicketChanged) -> None:
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
        row_key, _column = table.coordinate_to_cell_key(table.cursor_coordinate)
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
            _("Filters: status=… tier=L1|L2|L3 priority=P1… region=杭州 assignee=ID (empty clears)"),
            placeholder=current or "status=new tier=L2",
            required=False,
        )
        self.app.push_screen(dialog, chosen)

    def action_page(self, step: int) -> None:
        total = self.page.total if self.page else 0
        offset = max(self.page_offset + step * PAGE_SIZE, 0)
        if offset >= total and step > 0:
            self.notify(_("that was the last page"))
            return
        self.page_offset = offset
        self.reload()
