"""Dispatch: who is suggested for a ticket, in what order and why; who may not take it at all."""

from __future__ import annotations

import pytest

from tests.conftest import CUSTOMER, MakeCtx
from xhsvc.core import approvals, customers, dispatch, organization, people, ticket_views, tickets
from xhsvc.errors import InvalidInput, NotAllowed, NotFound

PARTNER = "成都蜀信科技有限公司"
CHENGDU = "成都天府软件园"


@pytest.fixture
def center(desk: MakeCtx) -> MakeCtx:
    """The desk (lijun L1 杭州, zhangwei L1 北京, wuhao L2 杭州, sunli L3) with two more L1 engineers:
    wangpeng of a partner that serves 成都, and liuyang of the 上海 branch; and a customer in 成都."""
    admin = desk("admin")
    organization.add_default_branches(admin)
    organization.add_partner(admin, name=PARTNER, regions="成都")
    people.add_person(admin, handle="wangpeng", name="王鹏", role="engineer", tier="L1", partner=PARTNER)
    people.add_person(admin, handle="liuyang", name="刘洋", role="engineer", tier="L1", branch="SH")
    customers.add_customer(desk("wangfang"), name=CHENGDU, region="成都")
    return desk


def _open(ctx: MakeCtx, customer: str = CUSTOMER, **kw) -> str:
    return tickets.open_ticket(ctx("wangfang"), customer=customer, title="控制器告警", **kw).ticket.key


def _handles(ctx: MakeCtx, key: str, **kw) -> list[str]:
    return [c.person.handle for c in dispatch.suggest_assignees(ctx("wangfang"), key=key, **kw)]


def _load(ctx: MakeCtx, handle: str, count: int) -> None:
    for _n in range(count):
        tickets.assign_ticket(ctx("wangfang"), key=_open(ctx), assignee=handle)


def test_region_then_load_for_a_customer_without_a_team(center: MakeCtx) -> None:
    key = _open(center)
    # 杭州's own L1 first; then the fewest open tickets; a partner of 成都 never for 杭州.
    _load(center, "zhangwei", 2)
    assert _handles(center, key) == ["lijun", "liuyang", "zhangwei"]
    _load(center, "lijun", 3)
    assert _handles(center, key) == ["lijun", "liuyang", "zhangwei"]  # region outranks load
    first = dispatch.suggest_assignees(center("wangfang"), key=key)[0]
    assert (first.region, first.load, first.in_team) == ("杭州", 3, False)
    assert dispatch.reason_text(first) == "region 杭州, load 3"


def test_the_customers_team_comes_first(center: MakeCtx) -> None:
    key = _open(center)
    organization.add_team_member(center("wangfang"), customer=CUSTOMER, person="zhangwei")
    assert _handles(center, key) == ["zhangwei", "lijun", "liuyang"]
    organization.add_team_member(center("wangfang"), customer=CUSTOMER, person="liuyang", primary=True)
    found = dispatch.suggest_assignees(center("wangfang"), key=key)
    assert [c.person.handle for c in found] == ["liuyang", "zhangwei", "lijun"]
    assert found[0].reasons == ["team", "primary", "tier"]
    assert dispatch.reason_text(found[0]) == "primary L1 of the team, from 上海, load 0"
    assert found[1].to_dict()["why"] == "team L1, from 北京, load 0"
    # Out of the team: back to region and load.
    organization.remove_team_member(center("wangfang"), customer=CUSTOMER, person="liuyang")
    assert _handles(center, key) == ["zhangwei", "lijun", "liuyang"]


def test_only_the_tickets_tier_is_suggested(center: MakeCtx) -> None:
    key = _open(center)
    organization.add_team_member(center("wangfang"), customer=CUSTOMER, person="wuhao", primary=True)
    assert "wuhao" not in _handles(center, key, limit=0)
    tickets.assign_ticket(center("wangfang"), key=key, assignee="lijun")
    from xhsvc.core import approvals

    approvals.escalate_ticket(center("lijun"), key=key, to="L2", reason="需要二线")
    approvals.approve_request(center("wangfang"), key=key)
    assert ticket_views.show_ticket(center("wangfang"), key=key)["tier"] == "L2"
    found = dispatch.suggest_assignees(center("wangfang"), key=key)
    assert [(c.person.handle, c.primary) for c in found] == [("wuhao", True)]
    approvals.escalate_ticket(center("wangfang"), key=key, to="L3", reason="需要专家")
    approvals.approve_request(center("zhoujian"), key=key)
    assert _handles(center, key) == ["sunli"]


def test_the_current_assignee_is_not_suggested_and_the_limit_holds(center: MakeCtx) -> None:
    key = _open(center)
    tickets.assign_ticket(center("wangfang"), key=key, assignee="lijun")
    assert _handles(center, key, limit=0) == ["liuyang", "zhangwei"]
    assert _handles(center, key, limit=1) == ["liuyang"]
    with pytest.raises(InvalidInput, match="limit"):
        _handles(center, key, limit=-1)
    with pytest.raises(NotFound):
        _handles(center, "XH-999999")


def test_a_partner_engineer_is_suggested_and_assigned_in_the_partners_region_only(center: MakeCtx) -> None:
    chengdu = _open(center, customer=CHENGDU)
    found = dispatch.suggest_assignees(center("wangfang"), key=chengdu)
    assert found[0].person.handle == "wangpeng" and found[0].region == "成都"
    assert found[0].to_dict()["partner"] == PARTNER
    tickets.assign_ticket(center("wangfang"), key=chengdu, assignee="wangpeng")

    hangzhou = _open(center)
    assert "wangpeng" not in _handles(center, hangzhou, limit=0)
    with pytest.raises(NotAllowed) as refused:
        tickets.assign_ticket(center("wangfang"), key=hangzhou, assignee="wangpeng")
    assert str(refused.value) == (
        f"wangpeng is an engineer of partner {PARTNER}, which serves 成都 only; ticket {hangzhou} is in 杭州"
    )
    # Taking it themself is refused as well, and nothing is written.
    with pytest.raises(NotAllowed, match="serves 成都 only"):
        tickets.assign_ticket(center("wangpeng"), key=hangzhou, assignee="wangpeng")
    assert ticket_views.show_ticket(center("wangfang"), key=hangzhou)["status"] == "new"


def test_the_site_decides_where_the_work_is(center: MakeCtx) -> None:
    """A 杭州 customer's site in 成都: the work is in 成都, so the partner may take it there."""
    customers.add_site(center("wangfang"), customer=CUSTOMER, name="成都灾备中心", city="成都")
    customers.add_asset(
        center("wangfang"), customer=CUSTOMER, model="XS-5000", serial="XS2026-CD01", site="成都灾备中心"
    )
    key = _open(center, asset="XS2026-CD01")
    assert _handles(center, key)[0] == "wangpeng"
    tickets.assign_ticket(center("wangfang"), key=key, assignee="wangpeng")


def test_a_ticket_with_no_region_is_no_partners(center: MakeCtx) -> None:
    customers.add_customer(center("wangfang"), name="无地区客户")
    key = _open(center, customer="无地区客户")
    assert "wangpeng" not in _handles(center, key, limit=0)
    with pytest.raises(NotAllowed, match="is in no region"):
        tickets.assign_ticket(center("wangfang"), key=key, assignee="wangpeng")


def test_closed_tickets_get_no_suggestions(center: MakeCtx) -> None:
    key = _open(center)
    tickets.cancel_ticket(center("wangfang"), key=key, reason="误报")
    with pytest.raises(NotAllowed, match="cancelled"):
        _handles(center, key)


def test_a_partner_engineer_opens_no_call_of_another_region_and_is_handed_none(center: MakeCtx) -> None:
    """The region rule holds on every path that gives someone a ticket, not only `assign`: the call
    an engineer opens is theirs, and an approved escalation or on-site request may hand it over."""
    with pytest.raises(NotAllowed, match="serves 成都 only"):
        tickets.open_ticket(center("wangpeng"), customer=CUSTOMER, title="客户直接来电")
    assert ticket_views.list_tickets(center("wangfang")) == []
    own = tickets.open_ticket(center("wangpeng"), customer=CHENGDU, title="客户直接来电").ticket.key
    assert ticket_views.show_ticket(center("wangfang"), key=own)["assignee"] == "wangpeng"

    key = _open(center)
    tickets.assign_ticket(center("wangfang"), key=key, assignee="lijun")
    tickets.respond_ticket(center("lijun"), key=key)
    approvals.request_onsite(center("lijun"), key=key, reason="需现场")
    with pytest.raises(NotAllowed, match="serves 成都 only"):
        approvals.approve_request(center("wangfang"), key=key, assign="wangpeng")
    shown = ticket_views.show_ticket(center("wangfang"), key=key)
    assert (shown["assignee"], shown["pending_approval"]["kind"]) == ("lijun", "onsite")
