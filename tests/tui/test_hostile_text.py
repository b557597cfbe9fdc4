"""Stored text on the dashboard: escape sequences shown, never sent to the terminal; brackets in
data never taken for markup (the queue, the ticket, notifications)."""

from __future__ import annotations

from sqlalchemy import update
from textual.widgets import DataTable, Static

from tests.conftest import MakeCtx
from tests.tui.conftest import SIZE
from tests.tui.test_dashboard import cell, settle, text_of
from xhsvc.core import tickets
from xhsvc.store.tables import Ticket
from xhsvc.tui.screens.ticket import TicketScreen

HOSTILE = "\x1b]0;pwned\x07[/]\x1b[2J\nforged[bold]\u202e"
SHOWN = r"\x1b]0;pwned\x07[/]\x1b[2J\nforged[bold]\u202e"
RAW = ("\x1b", "\x07", "\u202e")


def _harmless(text: str) -> None:
    for char in RAW:
        assert char not in text


async def test_stored_escapes_and_markup_are_shown_as_text(make_app, queue, desk: MakeCtx) -> None:
    key = queue["urgent"]
    agent = desk("wangfang")
    with agent.writing() as tx:
        tx.conn.execute(
            update(Ticket.__table__)
            .where(Ticket.__table__.c.key == key)
            .values(title=HOSTILE, description=f"第一行\n{HOSTILE}", contact="[red]陈[/red]")
        )
    tickets.comment_ticket(agent, key=key, text="[/] 正常备注")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        title = cell(app, key, "title")
        assert title == SHOWN
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        summary = text_of(app.screen.query_one("#summary", Static))
        _harmless(summary)
        assert "[red]陈[/red]" in summary and r"\x1b]0;pwned\x07" in summary
        _harmless(app.screen.sub_title)
        history = app.screen.query_one("#history", DataTable)
        details = [str(history.get_row_at(i)[3]) for i in range(history.row_count)]
        assert "[/] 正常备注" in details
        for detail in details:
            _harmless(detail)

        # A refused action quotes what was typed: shown as it is, not read as markup.
        await pilot.press("a")
        await pilot.press(*"[/]", "enter")
        await settle(pilot)
        assert "assignee '[/]' not found" in [n.message for n in app._notifications]


async def test_a_dialog_quotes_stored_text_harmlessly(make_app, queue) -> None:
    """The approve dialog names the request's reason and the cancel dialog the ticket's title,
    both stored text: shown with their escapes visible, brackets as brackets."""
    from textual.widgets import DataTable

    from xhsvc.store.tables import Approval

    key = queue["onsite"]
    app = make_app("zhoujian")
    with app.ctx.writing() as tx:
        tx.conn.execute(
            update(Approval.__table__).where(Approval.__table__.c.state == "pending").values(reason=HOSTILE)
        )
        tx.conn.execute(update(Ticket.__table__).where(Ticket.__table__.c.key == key).values(title=HOSTILE))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#queue", DataTable)
        table.move_cursor(row=[str(k.value) for k in table.rows].index(key))
        await pilot.press("p")
        await settle(pilot)
        asked = text_of(app.screen.query_one("#dialog-title", Static))
        _harmless(asked)
        assert f"(reason {SHOWN})?" in asked
        await pilot.press("escape")
        await pilot.press("X")
        await pilot.pause()
        await pilot.press(*"[/]", "enter")
        await settle(pilot)
        asked = text_of(app.screen.query_one("#dialog-title", Static))
        _harmless(asked)
        assert SHOWN in asked and "because '[/]'?" in asked
