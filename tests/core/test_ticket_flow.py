"""The seed's ticket flow (§三(3)) through the core services, and the rules that guard each step."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import CUSTOMER, MakeCtx
from xhsvc.core import approvals, notifications, ticket_views, tickets
from xhsvc.core.settings import Settings
from xhsvc.errors import Conflict, InvalidInput, NotAllowed, NotFound
from xhsvc.store.tables import Event


def _open(ctx, **kw) -> str:
    kw.setdefault("customer", CUSTOMER)
    kw.setdefault("title", "存储阵列控制器B告警")
    return tickets.open_ticket(ctx, **kw).ticket.key


def _events(ctx) -> int:
    with ctx.reading() as tx:
        return tx.conn.execute(select(func.count()).select_from(Event.__table__)).scalar_one()


@pytest.mark.parametrize(
    ("impact", "urgency", "priority"),
    [
        (1, 1, "P1"),
        (1, 2, "P1"),
        (2, 2, "P2"),
        (2, 1, "P1"),
        (3, 3, "P3"),
        (4, 4, "P4"),
        (1, 4, "P3"),
        (4, 1, "P3"),
    ],
)
def test_priority_follows_the_impact_urgency_matrix(
    desk: MakeCtx, impact: int, urgency: int, priority: str
) -> None:
    key = _open(desk("wangfang"), impact=impact, urgency=urgency)
    assert ticket_views.show_ticket(desk("wangfang"), key=key)["priority"] == priority


def test_priority_matrix_is_configurable(desk: MakeCtx) -> None:
    everything_p4 = Settings(priority_matrix=tuple((4, 4, 4, 4) for _ in range(4)))
    key = _open(desk("wangfang", settings=everything_p4), impact=1, urgency=1)
    shown = ticket_views.show_ticket(desk("wangfang"), key=key)
    assert shown["priority"] == "P4"
    assert shown["major"] is True  # impact 1 is a major incident whatever its priority


def test_keys_carry_the_prefix_and_count_up(desk: MakeCtx) -> None:
    keys = [_open(desk("wangfang")) for _ in range(3)]
    assert keys == ["XH-000001", "XH-000002", "XH-000003"]


def test_open_records_who_and_when_from_the_clock(desk: MakeCtx, clock) -> None:
    key = _open(desk("wangfang"), contact="陈主任/13900001111", channel="hotline")
    shown = ticket_views.show_ticket(desk("wangfang"), key=key)
    assert shown["created_at"] == clock.now
    assert shown["opened_by"] == "wangfang"
    assert shown["status"] == "new"
    assert shown["tier"] == "L1"
    assert shown["assignee"] is None
    assert shown["contact"] == "陈主任/13900001111"


def test_major_incident_notifies_every_manager_at_once(desk: MakeCtx) -> None:
    opened = tickets.open_ticket(
        desk("wangfang"), customer=CUSTOMER, title="双活集群全部中断", impact=1, urgency=1
    )
    assert opened.ticket.major
    assert opened.notified == ["zhoujian"]
    outbox = notifications.list_notifications(desk("wangfang"), to="zhoujian")
    assert [(n["reason"], n["ticket"], n["state"]) for n in outbox] == [
        ("major_incident", opened.ticket.key, "pending")
    ]


def test_major_can_be_set_by_hand(desk: MakeCtx) -> None:
    opened = tickets.open_ticket(
        desk("wangfang"), customer=CUSTOMER, title="重要客户投诉", impact=3, major=True
    )
    assert opened.ticket.major and opened.notified == ["zhoujian"]


def test_direct_call_to_an_engineer_is_his_and_the_agents_are_told(desk: MakeCtx) -> None:
    opened = tickets.open_ticket(desk("lijun"), customer=CUSTOMER, title="客户直接来电", channel="direct")
    shown = ticket_views.show_ticket(desk("wangfang"), key=opened.ticket.key)
    assert (shown["assignee"], shown["status"], shown["channel"]) == ("lijun", "assigned", "direct")
    assert sorted(opened.notified) == ["wangfang", "zhaoli"]


def test_the_whole_seed_flow(desk: MakeCtx, clock) -> None:
    """Hotline → tier 1 → on-site approved by the agent → tier 2 with the manager's confirmation for
    tier-2 on-site work → resolved → customer confirmation → closed with a service report."""
    agent, l1, l2, manager = desk("wangfang"), desk("lijun"), desk("wuhao"), desk("zhoujian")
    key = _open(agent, impact=2, urgency=2, contact="陈主任/13900001111")

    tickets.assign_ticket(agent, key=key, assignee="lijun")
    clock.advance(minutes=10)
    tickets.respond_ticket(l1, key=key, note="远程登录检查")
    shown = ticket_views.show_ticket(agent, key=key)
    assert shown["status"] == "in_progress" and shown["responded_at"] == clock.now

    approval = approvals.request_onsite(l1, key=key, reason="需更换电池模块")
    assert approval.kind == "onsite"
    assert ticket_views.show_ticket(agent, key=key)["pending_approval"]["needs"] == "agent"
    approvals.approve_request(agent, key=key, note="合同期内")
    shown = ticket_views.show_ticket(agent, key=key)
    assert shown["onsite"] is True and shown["pending_approval"] is None

    approvals.escalate_ticket(l1, key=key, to="L2", reason="复制软件缺陷")
    approvals.approve_request(agent, key=key, assign="wuhao")
    shown = ticket_views.show_ticket(agent, key=key)
    assert (shown["tier"], shown["assignee"], shown["status"]) == ("L2", "wuhao", "assigned")

    tickets.respond_ticket(l2, key=key)
    approval = approvals.request_onsite(l2, key=key, reason="需二线到现场")
    assert approval.kind == "l2_onsite"
    with pytest.raises(NotAllowed, match="only a manager"):
        approvals.approve_request(agent, key=key)
    approvals.approve_request(manager, key=key, note="同意")
    assert ticket_views.show_ticket(agent, key=key)["onsite_tier"] == "L2"

    tickets.resolve_ticket(l2, key=key, resolution="重建复制链路")
    with pytest.raises(NotAllowed, match="confirmation"):
        tickets.close_ticket(agent, key=key, report="报告")
    tickets.confirm_ticket(agent, key=key, by="陈主任")
    tickets.close_ticket(agent, key=key, report="服务报告：已重建复制链路，客户签字确认。")

    shown = ticket_views.show_ticket(agent, key=key)
    assert shown["status"] == "closed"
    assert shown["confirmed_by"] == "陈主任"
    assert shown["report"].startswith("服务报告")
    assert [a["state"] for a in shown["approvals"]] == ["approved", "approved", "approved"]
    kinds = [e["kind"] for e in ticket_views.ticket_history(agent, key=key)]
    assert kinds[0] == "ticket.opened" and kinds[-1] == "ticket.closed"
    assert "approval.requested" in kinds and "ticket.escalated" in kinds


def test_major_incident_cannot_close_without_review(desk: MakeCtx) -> None:
    agent, l1, manager = desk("wangfang"), desk("lijun"), desk("zhoujian")
    key = _open(agent, impact=1, urgency=1)
    tickets.assign_ticket(agent, key=key, assignee="lijun")
    tickets.respond_ticket(l1, key=key)
    tickets.resolve_ticket(l1, key=key, resolution="回退固件")
    with pytest.raises(NotAllowed, match="review it first"):
        tickets.close_ticket(agent, key=key)
    with pytest.raises(NotAllowed, match="review"):
        tickets.review_ticket(agent, key=key, root_cause="x", actions="y")
    tickets.review_ticket(manager, key=key, root_cause="固件未验证", actions="升级前验证")
    tickets.close_ticket(agent, key=key)
    shown = ticket_views.show_ticket(agent, key=key)
    assert shown["status"] == "closed" and shown["root_cause"] == "固件未验证"


def test_a_remote_ticket_closes_without_report_or_confirmation(desk: MakeCtx) -> None:
    agent, l1 = desk("wangfang"), desk("lijun")
    key = _open(agent)
    tickets.assign_ticket(agent, key=key, assignee="lijun")
    tickets.respond_ticket(l1, key=key)
    tickets.resolve_ticket(l1, key=key, resolution="远程调整参数")
    tickets.close_ticket(agent, key=key)
    assert ticket_views.show_ticket(agent, key=key)["status"] == "closed"


def test_refused_steps_write_nothing(desk: MakeCtx) -> None:
    agent, l1 = desk("wangfang"), desk("lijun")
    key = _open(agent)
    before = _events(agent)
    refusals = [
        (NotAllowed, lambda: tickets.respond_ticket(l1, key=key)),  # nobody assigned yet
        (NotAllowed, lambda: tickets.resolve_ticket(l1, key=key, resolution="x")),
        (NotAllowed, lambda: tickets.close_ticket(agent, key=key)),
        (NotAllowed, lambda: approvals.approve_request(agent, key=key)),  # nothing pending
        (NotAllowed, lambda: tickets.assign_ticket(agent, key=key, assignee="wuhao")),  # L2 on an L1 ticket
        (NotAllowed, lambda: tickets.assign_ticket(agent, key=key, assignee="zhoujian")),  # not an engineer
        (NotFound, lambda: tickets.assign_ticket(agent, key=key, assignee="nobody")),
        (NotFound, lambda: ticket_views.show_ticket(agent, key="XH-999999")),
        (InvalidInput, lambda: approvals.escalate_ticket(agent, key=key, to="L1", reason="x")),
        (InvalidInput, lambda: approvals.escalate_ticket(agent, key=key, to="L9", reason="x")),
        (InvalidInput, lambda: tickets.comment_ticket(agent, key=key, text="   ")),
        (InvalidInput, lambda: tickets.open_ticket(agent, customer=CUSTOMER, title="x", impact=5)),
        (InvalidInput, lambda: tickets.open_ticket(agent, customer=CUSTOMER, title="x", service="repair")),
        (InvalidInput, lambda: tickets.open_ticket(agent, customer=CUSTOMER, title="", impact=1)),
        (NotFound, lambda: tickets.open_ticket(agent, customer="没有这个客户", title="x")),
    ]
    for error, step in refusals:
        with pytest.raises(error):
            step()
    assert _events(agent) == before


def test_roles_are_rules_of_the_core(desk: MakeCtx) -> None:
    agent, l1, other_l1 = desk("wangfang"), desk("lijun"), desk("zhangwei")
    key = _open(agent)
    with pytest.raises(NotAllowed, match="only take a ticket themself"):
        tickets.assign_ticket(l1, key=key, assignee="zhangwei")
    tickets.assign_ticket(l1, key=key, assignee="lijun")  # an engineer takes it
    with pytest.raises(NotAllowed, match="assignee"):
        tickets.respond_ticket(other_l1, key=key)
    tickets.respond_ticket(l1, key=key)
    approvals.request_onsite(l1, key=key, reason="现场")
    with pytest.raises(NotAllowed, match="agent or a manager"):
        approvals.approve_request(other_l1, key=key)
    with pytest.raises(NotAllowed, match="cancel"):
        tickets.cancel_ticket(l1, key=key, reason="x")


def test_a_requester_may_not_decide_their_own_request(desk: MakeCtx) -> None:
    agent = desk("wangfang")
    key = _open(agent)
    tickets.assign_ticket(agent, key=key, assignee="lijun")
    approvals.escalate_ticket(agent, key=key, to="L2", reason="客户要求二线")
    with pytest.raises(NotAllowed, match="may not decide"):
        approvals.approve_request(agent, key=key)
    approvals.approve_request(desk("zhaoli"), key=key)
    shown = ticket_views.show_ticket(agent, key=key)
    assert (shown["tier"], shown["status"], shown["assignee"]) == ("L2", "new", None)


def test_one_request_at_a_time(desk: MakeCtx) -> None:
    agent, l1 = desk("wangfang"), desk("lijun")
    key = _open(agent)
    tickets.assign_ticket(agent, key=key, assignee="lijun")
    tickets.respond_ticket(l1, key=key)
    approvals.request_onsite(l1, key=key, reason="现场")
    with pytest.raises(Conflict):
        approvals.escalate_ticket(l1, key=key, to="L2", reason="x")
    with pytest.raises(NotAllowed, match="waiting for a decision"):
        tickets.resolve_ticket(l1, key=key, resolution="x")


def test_refer_sends_the_decision_to_the_manager(desk: MakeCtx) -> None:
    agent, l1, manager = desk("wangfang"), desk("lijun"), desk("zhoujian")
    key = _open(agent)
    tickets.assign_ticket(agent, key=key, assignee="lijun")
    tickets.respond_ticket(l1, key=key)
    approvals.request_onsite(l1, key=key, reason="非产品故障")
    approvals.refer_request(agent, key=key, reason="合同外")
    assert ticket_views.show_ticket(agent, key=key)["pending_approval"]["needs"] == "manager"
    with pytest.raises(NotAllowed, match="referred"):
        approvals.approve_request(desk("zhaoli"), key=key)
    with pytest.raises(Conflict):
        approvals.refer_request(desk("zhaoli"), key=key)
    told = notifications.list_notifications(agent, to="zhoujian")
    assert [n["reason"] for n in told] == ["approval_referred"]
    approvals.deny_request(manager, key=key, reason="非合同范围，建议有偿服务")
    shown = ticket_views.show_ticket(agent, key=key)
    assert shown["onsite"] is False
    assert shown["approvals"][0]["state"] == "denied"
    assert shown["approvals"][0]["decided_by"] == "zhoujian"


def test_escalation_to_tier_3_needs_the_manager(desk: MakeCtx) -> None:
    agent, l1 = desk("wangfang"), desk("lijun")
    key = _open(agent)
    tickets.assign_ticket(agent, key=key, assignee="lijun")
    approvals.escalate_ticket(l1, key=key, to="L3", reason="疑难问题")
    with pytest.raises(NotAllowed, match="manager"):
        approvals.approve_request(agent, key=key, assign="sunli")
    approvals.approve_request(desk("zhoujian"), key=key, assign="sunli")
    shown = ticket_views.show_ticket(agent, key=key)
    assert (shown["tier"], shown["assignee"]) == ("L3", "sunli")


def test_wait_resume_and_customer_says_not_resolved(desk: MakeCtx) -> None:
    agent, l1 = desk("wangfang"), desk("lijun")
    key = _open(agent)
    tickets.assign_ticket(agent, key=key, assignee="lijun")
    tickets.respond_ticket(l1, key=key)
    tickets.wait_ticket(l1, key=key, reason="等客户日志")
    assert ticket_views.show_ticket(agent, key=key)["status"] == "waiting_customer"
    with pytest.raises(NotAllowed):
        tickets.wait_ticket(l1, key=key, reason="again")
    tickets.resume_ticket(agent, key=key)
    tickets.resolve_ticket(l1, key=key, resolution="重新扫描")
    tickets.confirm_ticket(agent, key=key, by="刘科长", unresolved=True, note="LUN又丢了")
    shown = ticket_views.show_ticket(agent, key=key)
    assert (shown["status"], shown["resolved_at"], shown["reopen_count"]) == ("in_progress", None, 1)
    tickets.resolve_ticket(l1, key=key, resolution="更换HBA卡")
    with pytest.raises(InvalidInput, match="note"):
        tickets.confirm_ticket(agent, key=key, by="刘科长", unresolved=True)


def test_reopen_a_closed_ticket_and_cancel_withdraws_its_request(desk: MakeCtx) -> None:
    agent, l1 = desk("wangfang"), desk("lijun")
    key = _open(agent)
    tickets.assign_ticket(agent, key=key, assignee="lijun")
    tickets.respond_ticket(l1, key=key)
    tickets.resolve_ticket(l1, key=key, resolution="x")
    tickets.close_ticket(agent, key=key)
    tickets.reopen_ticket(agent, key=key, reason="故障复现")
    shown = ticket_views.show_ticket(agent, key=key)
    assert (shown["status"], shown["closed_at"]) == ("in_progress", None)
    approvals.request_onsite(l1, key=key, reason="现场")
    tickets.cancel_ticket(agent, key=key, reason="客户撤回")
    shown = ticket_views.show_ticket(agent, key=key)
    assert shown["status"] == "cancelled"
    assert shown["approvals"][0]["state"] == "withdrawn"
    with pytest.raises(NotAllowed):
        tickets.reopen_ticket(agent, key=key, reason="x")


def test_list_is_the_queue(desk: MakeCtx) -> None:
    agent = desk("wangfang")
    low = _open(agent, impact=4, urgency=4)
    high = _open(agent, impact=1, urgency=1)
    mid = _open(agent, impact=2, urgency=3)
    tickets.assign_ticket(agent, key=mid, assignee="lijun")
    done = _open(agent)
    tickets.cancel_ticket(agent, key=done, reason="重复")
    assert [r["key"] for r in ticket_views.list_tickets(agent)] == [high, mid, low]
    assert {r["key"] for r in ticket_views.list_tickets(agent, include_closed=True)} == {high, mid, low, done}
    assert [r["key"] for r in ticket_views.list_tickets(agent, assignee="lijun")] == [mid]
    assert [r["key"] for r in ticket_views.list_tickets(desk("lijun"), mine=True)] == [mid]
    assert [r["key"] for r in ticket_views.list_tickets(agent, status="cancelled")] == [done]
    assert [r["key"] for r in ticket_views.list_tickets(agent, major=True)] == [high]
    with pytest.raises(InvalidInput, match="status"):
        ticket_views.list_tickets(agent, status="open")


def test_a_decision_names_the_request_it_decides(desk: MakeCtx) -> None:
    agent, manager, engineer = desk("wangfang"), desk("zhoujian"), desk("lijun")
    key = _open(agent, impact=2, urgency=2)
    tickets.assign_ticket(agent, key=key, assignee="lijun")
    tickets.respond_ticket(engineer, key=key)
    approvals.request_onsite(engineer, key=key, reason="第一次")
    shown = ticket_views.show_ticket(manager, key=key)["pending_approval"]["id"]
    approvals.withdraw_request(engineer, key=key, reason="写错了", request=shown)
    before = _events(manager)
    with pytest.raises(Conflict, match="decided or withdrawn meanwhile"):
        approvals.approve_request(manager, key=key, request=shown)
    assert _events(manager) == before
    approvals.request_onsite(engineer, key=key, reason="第二次")
    before = _events(manager)
    for decide in (
        lambda: approvals.approve_request(manager, key=key, request=shown),
        lambda: approvals.deny_request(manager, key=key, reason="不需要", request=shown),
        lambda: approvals.refer_request(agent, key=key, request=shown),
        lambda: approvals.withdraw_request(engineer, key=key, reason="x", request=shown),
    ):
        with pytest.raises(Conflict, match="changed meanwhile"):
            decide()
    assert _events(manager) == before  # nothing written by any of them
    current = ticket_views.show_ticket(manager, key=key)["pending_approval"]
    assert current["reason"] == "第二次"
    approvals.approve_request(manager, key=key, request=current["id"])
    assert ticket_views.show_ticket(manager, key=key)["pending_approval"] is None
