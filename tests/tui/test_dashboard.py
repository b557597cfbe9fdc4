"""The dashboard driven as an agent and a manager would, with the pilot."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from rich.console import Console
from sqlalchemy import func, select
from textual import events
from textual.geometry import Size
from textual.widgets import DataTable, Input, LoadingIndicator, Select, Static

from tests.conftest import CUSTOMER, MakeCtx
from tests.tui.conftest import SIZE
from xhsvc.core import ticket_views, tickets
from xhsvc.errors import InvalidInput
from xhsvc.store.tables import Event
from xhsvc.tui.app import XhsvcApp
from xhsvc.tui.screens.intake import IntakeScreen
from xhsvc.tui.screens.manager import ManagerScreen
from xhsvc.tui.screens.queue import QueueScreen
from xhsvc.tui.screens.ticket import TicketScreen


async def settle(pilot, seconds: float = 0.3) -> None:
    """Let workers finish and their messages land."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(seconds)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def text_of(widget: Static) -> str:
    """What a Static shows, as plain text (its content may be a rich table)."""
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


def rows(app) -> list[str]:
    table = app.screen.query_one("#queue", DataTable)
    return [str(key.value) for key in table.rows]


def cell(app, key: str, column: str) -> str:
    table = app.screen.query_one("#queue", DataTable)
    return str(table.get_cell(key, column))


def _events(ctx) -> int:
    with ctx.reading() as tx:
        return tx.conn.execute(select(func.count()).select_from(Event.__table__)).scalar_one()


async def test_the_queue_puts_the_nearest_clock_first(make_app, queue) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        # Gold 7x24: the P1 must be answered within 30m, the P3 within 2h; the P2 on-site ticket
        # was answered already, its resolution is due in a day.
        assert rows(app) == [queue["urgent"], queue["routine"], queue["onsite"]]
        assert "resp 10m00s" in cell(app, queue["urgent"], "sla")  # 20 minutes gone of 30
        assert cell(app, queue["onsite"], "pending") == "l2_onsite (manager)"
        status = text_of(app.screen.query_one("#status", Static))
        assert "1-3 of 3 tickets" in status


async def test_countdowns_tick_without_a_reload(make_app, queue, clock) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = cell(app, queue["urgent"], "sla")
        clock.advance(seconds=95)
        await pilot.pause(1.2)
        after = cell(app, queue["urgent"], "sla")
        assert "resp 10m00s" in before and "resp 8m25s" in after


async def test_taking_a_call_in_the_intake_form(make_app, queue, desk: MakeCtx) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, IntakeScreen)
        # Labels above the fields, not placeholders that vanish as the agent types.
        labels = [str(label.content) for label in app.screen.query(".field-label")]
        for wanted in ("Caller", "Title", "Description", "Contact", "Called at", "Impact", "Urgency"):
            assert any(label.startswith(wanted) for label in labels), (wanted, labels)
        impacts = [str(prompt) for prompt, _ in app.screen.query_one("#impact", Select)._options]
        assert impacts[0] == "1 whole business down" and impacts[-1] == "4 minor"
        await pilot.press(*"87235001")  # the caller's number, without the area code
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        info = text_of(app.screen.query_one("#caller-info", Static))
        assert CUSTOMER in info and "covered by HT-2026-001 (gold)" in info
        assert "inspections 4/4" in info  # what the contract still grants this term
        assert "P3 (gold)" in text_of(app.screen.query_one("#promise", Static))
        # Found by the caller's own number: the contact is filled in from it.
        assert app.screen.query_one("#contact", Input).value == "陈主任/0571-8723 5001"
        await pilot.press(*"存储控制器离线")
        await pilot.press("tab", *"控制器A离线", "enter", *"业务未中断")
        await pilot.press("tab", "tab", *"08:40")
        await settle(pilot, 0.5)
        # What the core understood, in the desk's zone.
        understood = text_of(app.screen.query_one("#reported-shown", Static))
        assert "= 2026-11-20 08:40 (Asia/Shanghai)" in understood
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        opened = ticket_views.list_tickets(app.ctx, limit=0)
        key = {t["title"]: t for t in opened}["存储控制器离线"]["key"]
        shown = ticket_views.show_ticket(app.ctx, key=key)
        assert shown["customer"] == CUSTOMER
        assert shown["description"] == "控制器A离线\n业务未中断"
        assert shown["contact"] == "陈主任/0571-8723 5001"
        assert shown["reported_at"] == datetime(2026, 11, 20, 0, 40, tzinfo=UTC)  # 08:40 in 杭州
        assert len(rows(app)) == 4


async def test_a_time_the_core_cannot_read_is_said_at_once(make_app, queue) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#reported", Input).focus()
        await pilot.press(*"sometime")
        await settle(pilot, 0.5)
        assert "reported-at 'sometime': use a time like" in text_of(
            app.screen.query_one("#reported-shown", Static)
        )
        # Even at 80x24 the buttons are on screen.
        save = app.screen.query_one("#save")
        assert save.region.bottom <= 24 and save.region.right <= 80


async def test_the_intake_form_refuses_what_the_core_refuses(make_app, queue) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.press("ctrl+s")  # no caller chosen
        await pilot.pause()
        assert isinstance(app.screen, IntakeScreen)
        await pilot.press(*"87235001", "enter")
        await settle(pilot)
        await pilot.press("ctrl+s")  # no title
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)
        messages = [n.message for n in app._notifications]
        assert any("title: must not be empty" in m for m in messages), messages


async def test_a_manager_approves_tier_two_on_site_work(make_app, queue) -> None:
    app = make_app("zhoujian")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")  # requests I decide
        await settle(pilot)
        assert rows(app) == [queue["onsite"]]
        await pilot.press("p")
        await settle(pilot)  # the request is read first, then named in the dialog
        await pilot.press("enter")  # no one else to hand it to
        await settle(pilot)
        shown = ticket_views.show_ticket(app.ctx, key=queue["onsite"])
        assert shown["onsite"] is True and shown["approvals"][-1]["decided_by"] == "zhoujian"
        assert rows(app) == []  # nothing left for me to decide


async def test_a_refused_action_is_a_notification_and_writes_nothing(make_app, queue) -> None:
    app = make_app("wangfang")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#queue", DataTable)
        table.move_cursor(row=rows(app).index(queue["onsite"]))
        before = _events(app.ctx)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert any("only a manager may decide this" in n.message for n in app._notifications)
        assert _events(app.ctx) == before


async def test_the_ticket_screen_shows_clocks_contract_requests_and_history(make_app, queue) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#queue", DataTable)
        table.move_cursor(row=rows(app).index(queue["onsite"]))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        summary = text_of(app.screen.query_one("#summary", Static))
        assert "HT-2026-001" in summary and "wuhao" in summary
        history = app.screen.query_one("#history", DataTable)
        kinds = [str(history.get_row_at(i)[2]) for i in range(history.row_count)]
        assert kinds[0] == "ticket.opened" and "approval.requested" in kinds
        await pilot.press("c")
        await pilot.press(*"已电话通知客户", "enter")
        await settle(pilot)
        kinds = [str(history.get_row_at(i)[2]) for i in range(history.row_count)]
        assert kinds[-1] == "ticket.commented"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)


async def test_filters_and_search_are_saved_between_runs(make_app, queue) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("F")
        await pilot.press(*"priority=P1", "enter")
        await settle(pilot)
        assert rows(app) == [queue["urgent"]]
        await pilot.press("0", "slash")
        await pilot.press(*"快照", "enter")
        await settle(pilot)
        assert rows(app) == [queue["routine"]]
    assert app.saved_filter == {"text": "快照"}
    again = make_app()
    again.saved_filter.update(app.saved_filter)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert rows(again) == [queue["routine"]]


async def test_a_filter_that_cannot_be_saved_still_filters(desk: MakeCtx, queue) -> None:
    def refuse(_: dict) -> None:
        raise InvalidInput("config.toml: cannot write it (Permission denied)")

    app = XhsvcApp(
        desk("wangfang"), load_filter=dict, save_filter=refuse, refresh_seconds=60, show_clock=False
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        assert "breached" in text_of(app.screen.query_one("#filters", Static))
        assert any("filter not saved" in n.message for n in app._notifications)


async def test_changes_made_elsewhere_appear_without_a_restart(make_app, queue, desk: MakeCtx) -> None:
    app = make_app(refresh_seconds=0.5)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(rows(app)) == 3
        # Another agent (or the CLI, or the sweep) opens a ticket and resolves another.
        other = desk("zhaoli")
        new = tickets.open_ticket(other, customer=CUSTOMER, title="另一位客服受理的来电").ticket.key
        tickets.cancel_ticket(other, key=queue["routine"], reason="客户撤回")
        await pilot.pause(1.2)
        await settle(pilot)
        assert new in rows(app) and queue["routine"] not in rows(app)


async def test_the_first_page_is_there_at_once_and_reloads_never_hide_it(make_app, queue) -> None:
    app = make_app(refresh_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        # Read before the first frame: no wait for a worker.
        await pilot.pause()
        assert len(rows(app)) == 3
        for _ in range(3):
            # A reload under way leaves the rows on screen, never a spinner over them.
            app.screen.reload()
            assert not app.screen.loading
            await pilot.pause()
            assert not app.screen.query(LoadingIndicator)
            await settle(pilot, 0.1)
            assert len(rows(app)) == 3


async def test_a_first_page_longer_than_the_screen_is_all_in_the_table(
    make_app, desk: MakeCtx, clock
) -> None:
    # The rows below the screen's bottom go in right after the first frame (QueueScreen.show_page).
    agent = desk("wangfang")
    opened = []
    for n in range(50):
        opened.append(
            tickets.open_ticket(agent, customer=CUSTOMER, title=f"快照空间告警 {n}", impact=3, urgency=3)
        )
        clock.advance(minutes=1)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert rows(app) == [t.ticket.key for t in opened]  # the same due time from the same minute on
        assert "1-50 of 50 tickets" in str(app.screen.query_one("#status", Static).content)
        await pilot.press(*["down"] * 49)  # to the last row, far below the first screen
        assert app.screen.current_key() == opened[-1].ticket.key


async def test_a_resize_before_the_rest_of_the_first_page_is_in_adds_no_row_twice(
    make_app, desk: MakeCtx, clock, monkeypatch
) -> None:
    agent = desk("wangfang")
    keys = []
    for n in range(50):
        keys.append(
            tickets.open_ticket(agent, customer=CUSTOMER, title=f"告警 {n}", impact=3, urgency=3).ticket.key
        )
        clock.advance(minutes=1)
    shown = QueueScreen._show_first_page

    def then_narrowed(screen: QueueScreen, page) -> None:  # a tiling window manager at start-up
        shown(screen, page)
        screen.on_resize(events.Resize(Size(80, 24), Size(80, 24)))

    monkeypatch.setattr(QueueScreen, "_show_first_page", then_narrowed)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert rows(app) == keys


async def test_the_managers_view(make_app, queue) -> None:
    app = make_app("zhoujian")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, ManagerScreen)
        figures = text_of(app.screen.query_one("#figures", Static))
        assert "Requests waiting" in figures and "l2_onsite" in figures


async def test_small_terminal_and_help(make_app, queue) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert len(rows(app)) == 3
        await pilot.press("question_mark")
        await pilot.pause()
        assert "Take a call" in text_of(app.screen.query_one("#help", Static))


async def test_a_tickets_screen_shows_what_others_change(make_app, queue, desk: MakeCtx) -> None:
    app = make_app(refresh_seconds=0.5)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # the first ticket: the P1 call, nobody on it yet
        await settle(pilot)
        assert "lijun" not in text_of(app.screen.query_one("#summary", Static))
        tickets.assign_ticket(desk("zhaoli"), key=queue["urgent"], assignee="lijun")
        await pilot.pause(1.2)
        await settle(pilot)
        assert "lijun" in text_of(app.screen.query_one("#summary", Static))
