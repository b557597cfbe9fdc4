"""Knowledge notes on the dashboard: offered after the close on the ticket screen (Escape skips),
suggested on the ticket screen and in the intake form as the agent types."""

from __future__ import annotations

from textual.widgets import Input, Static

from tests.conftest import CUSTOMER, MakeCtx
from tests.tui.conftest import SIZE
from tests.tui.test_actions import question, resolved
from tests.tui.test_dashboard import settle, text_of
from xhsvc.core import customers, knowledge, ticket_views, tickets
from xhsvc.tui.dialogs import FormDialog, TextDialog
from xhsvc.tui.screens.intake import IntakeScreen
from xhsvc.tui.screens.ticket import TicketScreen


def _system(desk: MakeCtx) -> None:
    customers.add_asset(desk("wangfang"), customer=CUSTOMER, model="XS-5000", serial="XS5K-9")


async def test_closing_on_the_ticket_screen_offers_a_note(make_app, desk: MakeCtx) -> None:
    _system(desk)
    earlier = knowledge.add_note(desk("wuhao"), symptom="硬盘掉盘，阵列降级", fix="更换背板", model="XS-5000")
    key = tickets.open_ticket(
        desk("wangfang"), customer=CUSTOMER, title="阵列掉盘告警", asset="XS5K-9"
    ).ticket.key
    resolved(desk, key)
    app = make_app("lijun")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(TicketScreen(key))
        await settle(pilot)
        shown = text_of(app.screen.query_one("#knowledge", Static))
        assert "Suggested knowledge notes" in shown and earlier["key"] in shown and "same model" in shown
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, TextDialog) and f"Close {key}" in question(app)
        await pilot.press("enter")
        await settle(pilot)
        assert ticket_views.show_ticket(app.ctx, key=key)["status"] == "closed"
        # The note's dialog, its symptom from the title and its fix from the resolution.
        assert isinstance(app.screen, FormDialog) and f"Knowledge note on {key}" in question(app)
        values = app.screen.values()
        assert (values["symptom"], values["fix"]) == ("阵列掉盘告警", "更换控制器后恢复")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        notes = knowledge.list_notes(app.ctx, ticket=key)
        assert [(n["symptom"], n["fix"], n["model"], n["author"]) for n in notes] == [
            ("阵列掉盘告警", "更换控制器后恢复", "XS-5000", "lijun")
        ]
        # The screen lists it as the ticket's own.
        shown = text_of(app.screen.query_one("#knowledge", Static))
        assert "Knowledge notes on this ticket" in shown and notes[0]["key"] in shown


async def test_escape_skips_the_note_and_the_ticket_stays_closed(make_app, desk: MakeCtx) -> None:
    key = tickets.open_ticket(desk("wangfang"), customer=CUSTOMER, title="风扇告警").ticket.key
    resolved(desk, key)
    app = make_app("lijun")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(TicketScreen(key))
        await settle(pilot)
        assert app.screen.query_one("#knowledge", Static).display is False  # nothing to suggest
        await pilot.press("x", "enter")
        await settle(pilot)
        assert isinstance(app.screen, FormDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        assert ticket_views.show_ticket(app.ctx, key=key)["status"] == "closed"
        assert knowledge.list_notes(app.ctx) == []


async def test_an_agent_closes_without_being_asked_for_a_note(make_app, desk: MakeCtx) -> None:
    key = tickets.open_ticket(desk("wangfang"), customer=CUSTOMER, title="风扇告警").ticket.key
    resolved(desk, key)
    app = make_app("wangfang")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(TicketScreen(key))
        await settle(pilot)
        await pilot.press("x", "enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        assert ticket_views.show_ticket(app.ctx, key=key)["status"] == "closed"


async def test_the_intake_form_suggests_notes_as_the_agent_types(make_app, queue, desk: MakeCtx) -> None:
    _system(desk)
    note = knowledge.add_note(desk("lijun"), symptom="硬盘频繁掉盘", fix="更换背板电源模块", model="XS-5000")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, IntakeScreen)
        hints = app.screen.query_one("#intake-notes", Static)
        await pilot.press(*"87235001", "enter")
        await settle(pilot)
        assert hints.display is False
        app.screen.query_one("#title", Input).focus()
        await pilot.press(*"阵列掉盘")
        await settle(pilot, 0.8)
        shown = text_of(hints)
        assert hints.display and note["key"] in shown and "更换背板电源模块" in shown
        # Words that no note shares: the hint goes away.
        await pilot.press(*["backspace"] * 4, *"培训申请")
        await settle(pilot, 0.8)
        assert hints.display is False


async def test_closing_from_the_queue_offers_a_note_too(make_app, desk: MakeCtx) -> None:
    from tests.tui.test_actions import select
    from xhsvc.tui.screens.queue import QueueScreen

    key = tickets.open_ticket(desk("wangfang"), customer=CUSTOMER, title="电源模块告警").ticket.key
    resolved(desk, key)
    app = make_app("lijun")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        select(app, key)
        await pilot.press("x", "enter")
        await settle(pilot)
        assert ticket_views.show_ticket(app.ctx, key=key)["status"] == "closed"
        assert isinstance(app.screen, FormDialog) and f"Knowledge note on {key}" in question(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert [n["symptom"] for n in knowledge.list_notes(app.ctx, ticket=key)] == ["电源模块告警"]
