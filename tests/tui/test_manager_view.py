"""The manager's view with the month's SLA: compliance, the breaches per day as a sparkline, the
latest breaches; for those who are not managers, only the queue's numbers."""

from __future__ import annotations

from textual.widgets import Sparkline, Static

from tests.tui.conftest import SIZE
from tests.tui.test_dashboard import settle, text_of
from xhsvc.core import tickets


async def test_a_manager_sees_the_months_compliance_trend_and_breaches(make_app, queue, desk, clock) -> None:
    # The P1 call's response (30 min) falls due unanswered; the routine and the on-site one are
    # answered in time.
    tickets.assign_ticket(desk("wangfang"), key=queue["routine"], assignee="lijun")
    tickets.respond_ticket(desk("lijun"), key=queue["routine"])
    clock.advance(hours=1)
    app = make_app("zhoujian")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        sla = text_of(app.screen.query_one("#sla", Static))
        assert "SLA 2026-11" in sla and "compliance 66.7%" in sla and "met 2, breached 1" in sla
        trend = app.screen.query_one("#trend", Sparkline)
        assert trend.display and len(trend.data) == 30 and trend.data[19] == 1 and sum(trend.data) == 1
        breaches = text_of(app.screen.query_one("#breaches", Static))
        assert queue["urgent"] in breaches and "Breaches (1 latest of 1)" in breaches


async def test_an_agent_sees_the_queue_numbers_only(make_app, queue) -> None:
    app = make_app("wangfang")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert "Requests waiting" in text_of(app.screen.query_one("#figures", Static))
        assert "for managers and admins" in text_of(app.screen.query_one("#sla", Static))
        assert not app.screen.query_one("#trend", Sparkline).display
