"""The dashboard on a laptop: changes waiting to be sent, the last sync, conflicts on a ticket."""

from __future__ import annotations

from textual.widgets import Static

from tests.conftest import FixedClock, MakeCtx
from tests.sync.conftest import MakeLaptop
from tests.sync.test_sync_flow import urgencies_at_once
from tests.tui.test_dashboard import settle, text_of
from xhsvc.core import sync
from xhsvc.tui.app import XhsvcApp
from xhsvc.tui.screens.ticket import TicketScreen


async def test_the_laptop_dashboard_shows_what_waits_and_the_conflicts(
    desk: MakeCtx, laptop: MakeLaptop, clock: FixedClock
) -> None:
    _, machine = urgencies_at_once(desk, laptop, clock)
    app = XhsvcApp(
        machine.ctx(), load_filter=dict, save_filter=lambda _: None, refresh_seconds=60, show_clock=False
    )
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        status = text_of(app.screen.query_one("#status", Static))
        assert "laptop:" in status and "to send" in status and "conflict" not in status
    sync.sync_with_center(machine.ctx())
    conflict = sync.list_conflicts(machine.ctx())[0]
    app = XhsvcApp(
        machine.ctx(), load_filter=dict, save_filter=lambda _: None, refresh_seconds=60, show_clock=False
    )
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        status = text_of(app.screen.query_one("#status", Static))
        assert "0 change(s) to send" in status and "sync conflict" in status
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        shown = text_of(app.screen.query_one("#conflicts", Static))
        assert conflict["id"] in shown and "urgency" in shown
