"""Technical consultation (技术咨询, seed §四(1) phone support): a question, not a fault.

Opened from the hotline like any call; never a major incident; answered remotely (no on-site
work); may go to an expert; answered and closed without the customer's confirmation or a
service report; response and resolution clocks of the contract's level; turned into a fault
when it proves to be one.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import CUSTOMER, MakeCtx
from xhsvc.core import approvals, contracts, customers, ticket_views, tickets
from xhsvc.core.catalog import SERVICES
from xhsvc.errors import InvalidInput, NotAllowed

SILVER = "银牌客户"


def _consult(ctx, **kw) -> str:
    kw.setdefault("customer", CUSTOMER)
    kw.setdefault("title", "固件 V5.2 是否建议升级")
    kw.setdefault("service", "consultation")
    return tickets.open_ticket(ctx, **kw).ticket.key


def _clocks(ctx, key: str) -> dict[str, dict]:
    return {c["target"]: c for c in ticket_views.show_ticket(ctx, key=key)["clocks"]}


def _working(desk: MakeCtx, engineer: str = "lijun") -> str:
    agent = desk("wangfang")
    key = _consult(agent)
    tickets.assign_ticket(agent, key=key, assignee=engineer)
    tickets.respond_ticket(desk(engineer), key=key)
    return key


def test_consultation_is_a_service_type() -> None:
    assert SERVICES["consultation"] == "技术咨询 technical consultation"


def test_opened_from_the_hotline_covered_by_the_contract(desk: MakeCtx) -> None:
    key = _consult(desk("wangfang"), channel="hotline")
    shown = ticket_views.show_ticket(desk("wangfang"), key=key)
    assert (shown["service"], shown["status"], shown["tier"]) == ("consultation", "new", "L1")
    assert shown["coverage"] == "covered" and shown["major"] is False
    assert shown["priority"] == "P3"  # impact 3, urgency 3


def test_any_contract_in_force_covers_a_consultation(desk: MakeCtx) -> None:
    """Silver lists neither consultation nor non-product faults: phone support is in every level."""
    agent = desk("wangfang")
    customers.add_customer(agent, name=SILVER, region="杭州")
    contracts.add_contract(
        agent, number="HT-S-2026", customer=SILVER, level="silver", start="2026-01-01", end="2026-12-31"
    )
    covered = contracts.check_coverage(agent, customer=SILVER, service="consultation")
    assert covered.covered and covered.level == "silver"
    assert not contracts.check_coverage(agent, customer=SILVER, service="non_product").covered
    customers.add_customer(agent, name="无合同客户", region="杭州")
    assert (
        contracts.check_coverage(agent, customer="无合同客户", service="consultation").code == "no_contract"
    )


@pytest.mark.parametrize("kw", [{"impact": 1}, {"impact": 2, "major": True}])
def test_a_consultation_is_never_a_major_incident(desk: MakeCtx, kw: dict) -> None:
    with pytest.raises(InvalidInput, match="never a major incident"):
        _consult(desk("wangfang"), **kw)
    assert ticket_views.list_tickets(desk("wangfang")) == []


def test_raising_its_impact_to_1_is_refused(desk: MakeCtx) -> None:
    key = _consult(desk("wangfang"))
    with pytest.raises(InvalidInput, match="never a major incident"):
        tickets.reprioritize_ticket(desk("wangfang"), key=key, impact=1, reason="客户很急")
    tickets.reprioritize_ticket(desk("wangfang"), key=key, impact=2, urgency=2, reason="项目上线前需答复")
    assert ticket_views.show_ticket(desk("wangfang"), key=key)["priority"] == "P2"


def test_no_on_site_work_for_a_consultation(desk: MakeCtx) -> None:
    key = _working(desk)
    with pytest.raises(NotAllowed, match="answered remotely") as refused:
        approvals.request_onsite(desk("lijun"), key=key, reason="上门讲解")
    assert "\n" not in str(refused.value)
    assert ticket_views.show_ticket(desk("wangfang"), key=key)["pending_approval"] is None


def test_escalated_to_an_expert_and_answered_there(desk: MakeCtx) -> None:
    agent, manager = desk("wangfang"), desk("zhoujian")
    key = _working(desk)
    approvals.escalate_ticket(desk("lijun"), key=key, to="L3", reason="需专家评估")
    approvals.approve_request(manager, key=key, assign="sunli")
    tickets.respond_ticket(desk("sunli"), key=key)
    closed = tickets.answer_ticket(desk("sunli"), key=key, answer="建议先升级到 V5.2 再开启压缩")
    assert closed.status == "closed"
    shown = ticket_views.show_ticket(agent, key=key)
    assert (shown["tier"], shown["status"]) == ("L3", "closed")
    assert shown["resolution"] == "建议先升级到 V5.2 再开启压缩"
    assert shown["confirmed_at"] is None and shown["report"] is None
    kinds = [e["kind"] for e in ticket_views.ticket_history(agent, key=key)]
    assert kinds[-2:] == ["ticket.resolved", "ticket.closed"]


def test_resolve_then_close_needs_no_confirmation(desk: MakeCtx) -> None:
    key = _working(desk)
    tickets.resolve_ticket(desk("lijun"), key=key, resolution="答复：可在维护窗口在线升级")
    tickets.close_ticket(desk("wangfang"), key=key)
    shown = ticket_views.show_ticket(desk("wangfang"), key=key)
    assert shown["status"] == "closed" and shown["report"] is None


def test_answer_is_for_consultations_and_working_ones_only(desk: MakeCtx) -> None:
    agent = desk("wangfang")
    fault = tickets.open_ticket(agent, customer=CUSTOMER, title="阵列告警").ticket.key
    with pytest.raises(NotAllowed, match="not a consultation"):
        tickets.answer_ticket(agent, key=fault, answer="x")
    key = _consult(agent)
    with pytest.raises(NotAllowed, match="is new"):
        tickets.answer_ticket(desk("zhoujian"), key=key, answer="x")
    tickets.assign_ticket(agent, key=key, assignee="lijun")
    tickets.respond_ticket(desk("lijun"), key=key)
    with pytest.raises(NotAllowed, match="assignee"):
        tickets.answer_ticket(desk("zhangwei"), key=key, answer="x")
    with pytest.raises(InvalidInput, match="answer"):
        tickets.answer_ticket(desk("lijun"), key=key, answer="  ")


def test_reopened_when_the_customer_comes_back(desk: MakeCtx) -> None:
    key = _working(desk)
    tickets.answer_ticket(desk("lijun"), key=key, answer="答复")
    tickets.reopen_ticket(desk("wangfang"), key=key, reason="客户追问")
    assert ticket_views.show_ticket(desk("wangfang"), key=key)["status"] == "in_progress"


def test_sla_clocks_response_and_resolution_of_the_level(desk: MakeCtx, clock) -> None:
    """Gold, P3: response 2h, resolution 2d round the clock; no on-site clock ever."""
    agent = desk("wangfang")
    opened_at = clock.now
    key = _consult(agent)
    shown = _clocks(agent, key)
    assert set(shown) == {"response", "resolution"}
    assert shown["response"]["due_at"] == opened_at + timedelta(hours=2)
    assert shown["resolution"]["due_at"] == opened_at + timedelta(days=2)
    tickets.assign_ticket(agent, key=key, assignee="lijun")
    clock.advance(minutes=30)
    tickets.respond_ticket(desk("lijun"), key=key)
    clock.advance(hours=3)
    tickets.answer_ticket(desk("lijun"), key=key, answer="答复")
    shown = _clocks(agent, key)
    assert (shown["response"]["state"], shown["response"]["elapsed_min"]) == ("met", 30)
    assert (shown["resolution"]["state"], shown["resolution"]["elapsed_min"]) == ("met", 210)


def test_converted_into_a_fault_then_on_site_work(desk: MakeCtx) -> None:
    agent = desk("wangfang")
    key = _working(desk)
    with pytest.raises(InvalidInput, match="to"):
        tickets.convert_ticket(agent, key=key, to="training", reason="x")
    tickets.convert_ticket(agent, key=key, to="onsite", reason="咨询中发现控制器故障")
    shown = ticket_views.show_ticket(agent, key=key)
    assert (shown["service"], shown["coverage"], shown["status"]) == ("onsite", "covered", "in_progress")
    with pytest.raises(NotAllowed, match="already a fault"):
        tickets.convert_ticket(agent, key=key, to="remote", reason="x")
    assert approvals.request_onsite(desk("lijun"), key=key, reason="更换控制器").kind == "onsite"
    with pytest.raises(NotAllowed, match="not a consultation"):
        tickets.answer_ticket(desk("lijun"), key=key, answer="x")
    kinds = [e["kind"] for e in ticket_views.ticket_history(agent, key=key)]
    assert "ticket.converted" in kinds


def test_its_assignee_answers_before_responding_and_the_answer_is_the_first_response(
    desk: MakeCtx, clock
) -> None:
    agent = desk("wangfang")
    key = _consult(agent)
    tickets.assign_ticket(agent, key=key, assignee="lijun")
    with pytest.raises(NotAllowed, match="assigned"):
        tickets.answer_ticket(
            desk("zhoujian"), key=key, answer="建议每4小时快照"
        )  # only its assignee skips the step
    clock.advance(minutes=20)
    tickets.answer_ticket(desk("lijun"), key=key, answer="建议每4小时快照，保留7天")
    shown = ticket_views.show_ticket(agent, key=key)
    assert (shown["status"], shown["responded_at"], shown["resolution"]) == (
        "closed",
        clock.now,
        "建议每4小时快照，保留7天",
    )
    assert {c["target"]: (c["state"], c["stopped_at"]) for c in shown["clocks"]} == {
        "response": ("met", clock.now),
        "resolution": ("met", clock.now),
    }
    kinds = [
        e["kind"] for e in ticket_views.ticket_history(agent, key=key) if e["kind"].startswith("ticket.")
    ]
    assert kinds[-3:] == ["ticket.responded", "ticket.resolved", "ticket.closed"]


def test_the_sweeps_rules_never_make_a_consultation_major(home, desk: MakeCtx, clock) -> None:
    """A rule that raises the priority and marks the ticket major, on a late response: a fault
    becomes a major incident, a consultation stops at impact 2 and is not marked."""
    from xhsvc.core import sweep

    (home / "rules.toml").write_text(
        '[[rule]]\nid = "late"\ntitle = "响应超时"\nclock = "response"\nat = "100%"\n'
        "[rule.do]\nraise_priority = true\nmark_major = true\n",
        encoding="utf-8",
    )
    agent = desk("wangfang")
    fault = tickets.open_ticket(agent, customer=CUSTOMER, title="阵列告警", impact=2, urgency=1).ticket.key
    consult = _consult(agent, impact=2, urgency=1)
    result = sweep.sweep(agent, force=True, now=clock.now + timedelta(days=3))
    actions = {f.ticket: f.actions for f in result.fired}
    assert actions[consult] == ["priority already the highest", "not marked major: a consultation"]
    shown = ticket_views.show_ticket(agent, key=consult)
    assert (shown["impact"], shown["urgency"], shown["major"]) == (2, 1, False)
    assert ticket_views.show_ticket(agent, key=fault)["major"] is True
