"""The assign dialog proposes the suggested engineers first, with why (team, region, load)."""

from __future__ import annotations

from textual.widgets import Input, Label

from tests.conftest import CUSTOMER, MakeCtx
from tests.tui.conftest import SIZE
from tests.tui.test_actions import question, select, state
from tests.tui.test_dashboard import settle
from xhsvc.core import organization
from xhsvc.tui.dialogs import TextDialog


async def test_the_customers_team_is_proposed_first(make_app, queue, desk: MakeCtx) -> None:
    organization.add_team_member(desk("wangfang"), customer=CUSTOMER, person="zhangwei", primary=True)
    key = queue["routine"]
    app = make_app("wangfang")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        select(app, key)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, TextDialog)
        assert f"Assign {key} to an engineer of its tier" in question(app)
        prompt = str(app.screen.query_one(".field-label", Label).render())
        lines = prompt.splitlines()
        assert lines[1] == "Suggested (Enter takes the first):"
        assert lines[2].startswith("1. zhangwei 张伟: primary L1 of the team, from 北京, load 0")
        assert lines[3].startswith("2. lijun 李军: region 杭州, load 0")
        # The first is proposed: Enter assigns it.
        assert app.screen.query_one("#dialog-input", Input).value == "zhangwei"
        await pilot.press("enter")
        await settle(pilot)
        assert state(app, key)["assignee"] == "zhangwei"


async def test_typing_replaces_the_proposal(make_app, queue) -> None:
    key = queue["urgent"]
    app = make_app("wangfang")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        select(app, key)
        await pilot.press("a")
        await pilot.pause()
        assert app.screen.query_one("#dialog-input", Input).value == "lijun"
        await pilot.press(*"zhangwei", "enter")
        await settle(pilot)
        assert state(app, key)["assignee"] == "zhangwei"
