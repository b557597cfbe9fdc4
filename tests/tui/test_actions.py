"""Every step of the CLI's ticket flow from the dashboard: each key opens a dialog that names the
ticket (and the request it decides), and its answer goes through the core: the ticket's state is
read back from the core after."""

from __future__ import annotations

from textual.command import CommandPalette
from textual.widgets import DataTable, Select, Static, TextArea

from tests.conftest import CUSTOMER, MakeCtx
from tests.tui.conftest import SIZE
from tests.tui.test_dashboard import rows, settle, text_of
from xhsvc.core import approvals, ticket_views, tickets, worklogs
from xhsvc.tui.dialogs import ConfirmDialog, FormDialog, TextDialog
from xhsvc.tui.screens.queue import QueueScreen


def select(app, key: str) -> None:
    """Put the queue's cursor on this ticket."""
    table = app.screen.query_one("#queue", DataTable)
    table.move_cursor(row=rows(app).index(key))


def question(app) -> str:
    """The question the open dialog asks."""
    return text_of(app.screen.query_one("#dialog-title", Static))


def state(app, key: str) -> dict:
    return ticket_views.show_ticket(app.ctx, key=key)


def resolved(desk: MakeCtx, key: str, *, engineer: str = "lijun") -> None:
    """Through the core: assigned, worked, resolved."""
    tickets.assign_ticket(desk("wangfang"), key=key, assignee=engineer)
    tickets.respond_ticket(desk(engineer), key=key)
    tickets.resolve_ticket(desk(engineer), key=key, resolution="更换控制器后恢复")


async def test_wait_and_resume(make_app, queue) -> None:
    app = make_app("wangfang")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        select(app, queue["onsite"])
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, TextDialog)
        assert f"Wait on the customer: {queue['onsite']} goes on hold" in question(app)
        await pilot.press(*"等客户发送日志", "enter")
        await settle(pilot)
        assert state(app, queue["onsite"])["status"] == "waiting_customer"
        assert "paused" in text_of_cell(app, queue["onsite"])
        await pilot.press("u")
        await pilot.pause()
        assert f"Resume {queue['onsite']}" in question(app)
        await pilot.press(*"日志已收到", "enter")
        await settle(pilot)
        assert state(app, queue["onsite"])["status"] == "in_progress"
        summaries = [e["summary"] for e in ticket_views.ticket_history(app.ctx, key=queue["onsite"])]
        assert "waiting on the customer: 等客户发送日志" in summaries and summaries[-1] == "日志已收到"


def text_of_cell(app, key: str) -> str:
    table = app.screen.query_one("#queue", DataTable)
    return str(table.get_cell(key, "sla"))


async def test_arrive_on_site_after_the_approval(make_app, queue) -> None:
    app = make_app("zhoujian")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        select(app, queue["onsite"])
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert state(app, queue["onsite"])["onsite"] is True
        select(app, queue["onsite"])
        await pilot.press("s")
        await pilot.pause()
        assert f"The engineer is on site for {queue['onsite']}" in question(app)
        await pilot.press(*"信息科陈主任接待", "enter")
        await settle(pilot)
        clocks = {c["target"]: c["state"] for c in state(app, queue["onsite"])["clocks"]}
        assert clocks["onsite"] == "met"
        assert ticket_views.ticket_history(app.ctx, key=queue["onsite"])[-1]["summary"] == "信息科陈主任接待"


async def test_priority_with_impact_and_urgency(make_app, queue) -> None:
    app = make_app("wangfang")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        select(app, queue["routine"])
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, FormDialog)
        assert f"Priority of {queue['routine']}: 快照空间告警" in question(app)
        impact = app.screen.query_one("#field-impact", Select)
        assert impact.value == 3 and impact.has_focus
        # The impact list says what each number means; pick "1 whole business down".
        await pilot.press("enter", "up", "up", "enter")
        await pilot.pause()
        assert impact.value == 1
        described = text_of(app.screen.query_one("#form-description", Static))
        assert "P3 now; P2 after the change" in described
        await pilot.press("tab", "tab", *"全院存储告警", "enter")
        await settle(pilot)
        shown = state(app, queue["routine"])
        assert (shown["impact"], shown["urgency"], shown["priority"]) == (1, 3, "P2")
        assert shown["major"] is True  # impact 1 is a major incident


async def test_reopen_a_resolved_ticket(make_app, queue, desk: MakeCtx) -> None:
    resolved(desk, queue["routine"])
    app = make_app("wangfang")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        select(app, queue["routine"])
        await pilot.press("R")
        await pilot.pause()
        assert f"Reopen {queue['routine']}" in question(app)
        await pilot.press(*"客户反馈仍有告警", "enter")
        await settle(pilot)
        shown = state(app, queue["routine"])
        assert shown["status"] == "in_progress" and shown["reopen_count"] == 1


async def test_the_customer_says_it_is_not_fixed(make_app, queue, desk: MakeCtx) -> None:
    resolved(desk, queue["routine"])
    app = make_app("wangfang")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        select(app, queue["routine"])
        await pilot.press("K")
        await pilot.pause()
        assert f"The customer says {queue['routine']} is not fixed" in question(app)
        await pilot.press(*"陈主任", "tab", *"快照告警仍在")
        await pilot.press("ctrl+s")
        await settle(pilot)
        shown = state(app, queue["routine"])
        assert shown["status"] == "in_progress" and shown["reopen_count"] == 1


async def test_review_a_major_incident_before_closing(make_app, queue, desk: MakeCtx) -> None:
    major = tickets.open_ticket(
        desk("wangfang"), customer=CUSTOMER, title="核心存储宕机", impact=1, urgency=1
    ).ticket.key
    resolved(desk, major)
    app = make_app("zhoujian")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        select(app, major)
        await pilot.press("x")  # close: refused, it needs its review
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert any("review it first" in n.message for n in app._notifications)
        await pilot.press("V")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        assert f"Review major incident {major}" in question(app)
        assert isinstance(app.focused, TextArea)
        await pilot.press(*"控制器固件缺陷", "enter", *"双控切换")  # Enter: a new line in a block
        await pilot.press("tab", *"升级固件到 7.2")
        await pilot.press("ctrl+s")
        await settle(pilot)
        shown = state(app, major)
        assert (
            shown["root_cause"] == "控制器固件缺陷\n双控切换" and shown["review_actions"] == "升级固件到 7.2"
        )
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert state(app, major)["status"] == "closed"


async def test_cancel_shows_what_happens_and_needs_a_yes(make_app, queue) -> None:
    app = make_app("wangfang")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        select(app, queue["onsite"])
        await pilot.press("X")
        await pilot.pause()
        await pilot.press(*"客户撤回", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        asked = question(app)
        assert f"Cancel {queue['onsite']} (in_progress, {CUSTOMER}: 复制链路中断)" in asked
        assert "cannot be reopened" in asked and "pending l2_onsite request is withdrawn" in asked
        # Enter alone keeps it: the safe answer has the focus.
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert state(app, queue["onsite"])["status"] == "in_progress"
        await pilot.press("X")
        await pilot.pause()
        await pilot.press(*"客户撤回", "enter")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        shown = state(app, queue["onsite"])
        assert shown["status"] == "cancelled" and shown["approvals"][-1]["state"] == "withdrawn"
        assert queue["onsite"] not in rows(app)


async def test_approve_names_the_ticket_and_the_request(make_app, queue) -> None:
    app = make_app("zhoujian")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        select(app, queue["onsite"])
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, TextDialog)
        assert question(app) == (
            f"Approve {queue['onsite']}: tier-2 on-site work requested by wuhao (reason 需二线到现场)?\n"
        )
        await pilot.press("escape")  # not yet: nothing is decided
        await settle(pilot)
        assert state(app, queue["onsite"])["pending_approval"]["state"] == "pending"
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert state(app, queue["onsite"])["approvals"][-1]["state"] == "approved"


async def test_deny_and_withdraw_name_the_request(make_app, queue, desk: MakeCtx) -> None:
    app = make_app("zhoujian")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        select(app, queue["onsite"])
        await pilot.press("d")
        await settle(pilot)
        assert (
            f"Deny {queue['onsite']}: tier-2 on-site work requested by wuhao (reason 需二线到现场)?"
            in question(app)
        )
        await pilot.press(*"远程可以处理", "enter")
        await settle(pilot)
        assert state(app, queue["onsite"])["approvals"][-1]["state"] == "denied"

        approvals.request_onsite(desk("wuhao"), key=queue["onsite"], reason="再次申请")
        select(app, queue["onsite"])
        await pilot.press("W")
        await settle(pilot)
        assert (
            f"Withdraw on {queue['onsite']}: tier-2 on-site work requested by wuhao (reason 再次申请)?"
            in question(app)
        )
        await pilot.press(*"远程已解决", "enter")
        await settle(pilot)
        assert state(app, queue["onsite"])["approvals"][-1]["state"] == "withdrawn"


async def test_a_dialog_never_decides_a_request_that_replaced_the_one_it_showed(
    make_app, queue, desk: MakeCtx
) -> None:
    app = make_app("zhoujian")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        select(app, queue["onsite"])
        await pilot.press("p")
        await settle(pilot)
        assert "需二线到现场" in question(app)
        # While the manager reads, the engineer withdraws that request and asks again.
        approvals.withdraw_request(desk("wuhao"), key=queue["onsite"], reason="写错了")
        approvals.request_onsite(desk("wuhao"), key=queue["onsite"], reason="新的申请")
        await pilot.press("enter")
        await settle(pilot)
        pending = state(app, queue["onsite"])["pending_approval"]
        assert pending["state"] == "pending" and pending["reason"] == "新的申请"
        assert any("changed meanwhile" in str(n.message) for n in app._notifications)


async def test_refer_names_the_request(make_app, queue, desk: MakeCtx) -> None:
    tickets.assign_ticket(desk("wangfang"), key=queue["routine"], assignee="lijun")
    approvals.escalate_ticket(desk("lijun"), key=queue["routine"], to="L2", reason="需要二线")
    app = make_app("wangfang")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        select(app, queue["routine"])
        await pilot.press("f")
        await settle(pilot)
        assert (
            f"Refer {queue['routine']} to the manager: an escalation to L2 requested by lijun (reason 需要二线)?"
            in question(app)
        )
        await pilot.press(*"涉及合同外服务", "enter")
        await settle(pilot)
        assert state(app, queue["routine"])["pending_approval"]["referred"] is True


async def test_no_request_no_dialog(make_app, queue) -> None:
    app = make_app("zhoujian")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        select(app, queue["urgent"])
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert f"{queue['urgent']}: no request is waiting for a decision" in [
            n.message for n in app._notifications
        ]


async def test_the_action_keeps_the_ticket_it_was_started_on(make_app, queue, desk: MakeCtx) -> None:
    """The queue reloads under a dialog; the answer goes to the ticket the dialog named."""
    app = make_app("wangfang")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        select(app, queue["urgent"])
        queue_screen = app.screen
        await pilot.press("c")
        await pilot.pause()
        # Meanwhile the urgent call is cancelled elsewhere and leaves the queue under the dialog.
        tickets.cancel_ticket(desk("zhaoli"), key=queue["urgent"], reason="重复受理")
        queue_screen.reload()
        await settle(pilot)
        assert queue["urgent"] not in [r["key"] for r in queue_screen.page.rows]
        assert isinstance(app.screen, TextDialog)
        await pilot.press(*"备注", "enter")
        await settle(pilot)
        for key in (queue["routine"], queue["onsite"]):
            assert "ticket.commented" not in [
                e["kind"] for e in ticket_views.ticket_history(app.ctx, key=key)
            ]
        assert ticket_views.ticket_history(app.ctx, key=queue["urgent"])[-1]["kind"] == "ticket.commented"


async def test_the_palette_finds_an_action_by_name(make_app, queue) -> None:
    app = make_app("wangfang")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        select(app, queue["routine"])
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert CommandPalette.is_open(app)
        # Before typing: the ticket's actions are listed (discover).
        listed = [str(o.prompt) for o in app.screen.query_one("CommandList").options]
        assert f"Escalate {queue['routine']} to L2/L3 (e)" in listed
        assert f"Cancel {queue['routine']} (cannot be undone) (X)" in listed
        await pilot.press(*"escalate")
        await settle(pilot, 0.5)
        hits = [str(o.prompt) for o in app.screen.query_one("CommandList").options]
        assert hits[0] == f"Escalate {queue['routine']} to L2/L3 (e)", hits
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FormDialog)
        assert f"Escalate {queue['routine']}" in question(app)
        await pilot.press("tab", *"需要二线分析", "enter")
        await settle(pilot)
        pending = state(app, queue["routine"])["pending_approval"]
        assert pending["kind"] == "escalation" and pending["target_tier"] == "L2"


async def test_the_palette_on_the_ticket_screen(make_app, queue) -> None:
    app = make_app("wangfang")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        select(app, queue["onsite"])
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"wait on")
        await settle(pilot, 0.5)
        hits = [str(o.prompt) for o in app.screen.query_one("CommandList").options]
        assert hits[0] == f"Wait on the customer: put {queue['onsite']} on hold (w)", hits
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press(*"等备件", "enter")
        await settle(pilot)
        assert state(app, queue["onsite"])["status"] == "waiting_customer"


async def test_log_time_from_the_queue(make_app, queue) -> None:
    app = make_app("lijun")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        select(app, queue["routine"])
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        assert f"Log time spent on {queue['routine']}" in question(app)
        await pilot.press(*"1h30m", "tab")
        kind = app.screen.query_one("#field-kind", Select)
        assert kind.value == "remote" and kind.has_focus
        await pilot.press("enter", "down", "enter")  # remote -> on-site work
        await pilot.pause()
        assert kind.value == "onsite"
        await pilot.press("tab", *"更换电池模块", "enter")
        await settle(pilot)
        assert any("1h30m of on-site work logged" in n.message for n in app._notifications)
        rows = worklogs.list_work(app.ctx, key=queue["routine"])
        assert [(r["person"], r["kind"], r["minutes"], r["note"]) for r in rows] == [
            ("lijun", "onsite", 90, "更换电池模块")
        ]


async def test_an_agent_logging_time_is_told_why_not(make_app, queue) -> None:
    app = make_app("wangfang")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        select(app, queue["routine"])
        await pilot.press("l")
        await pilot.pause()
        await pilot.press(*"1h", "ctrl+s")
        await settle(pilot)
        assert any("only engineer or expert" in n.message for n in app._notifications)
        assert worklogs.list_work(app.ctx) == []
