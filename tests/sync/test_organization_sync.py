"""Branches, partners and teams are data like any other: they reach laptops, and edits sync."""

from __future__ import annotations

from tests.conftest import CUSTOMER, MakeCtx
from tests.sync.conftest import MakeLaptop
from xhsvc.core import dispatch, organization, people, sync, tickets
from xhsvc.store import queries


def _snapshot(ctx, *tables: str) -> dict:
    with ctx.reading() as tx:
        state = queries.state_snapshot(tx.conn)
    return {name: state[name] for name in tables}


def test_a_team_change_at_the_center_reaches_the_laptop(desk: MakeCtx, laptop: MakeLaptop) -> None:
    organization.add_default_branches(desk("zhoujian"))
    organization.set_person_branch(desk("zhoujian"), person="lijun", branch="HZ")
    organization.add_team_member(desk("wangfang"), customer=CUSTOMER, person="zhangwei", primary=True)
    key = tickets.open_ticket(desk("wangfang"), customer=CUSTOMER, title="控制器告警").ticket.key
    tickets.assign_ticket(desk("wangfang"), key=key, assignee="lijun")
    machine = laptop("lijun")
    sync.sync_with_center(machine.ctx())
    assert organization.show_branch(machine.ctx(), code="HZ")["people"][0]["handle"] == "lijun"
    team = organization.show_team(machine.ctx(), customer=CUSTOMER)
    assert [(m["handle"], m["primary"]) for m in team["members"]] == [("zhangwei", True)]

    # The center changes the team; the laptop learns it at the next sync, and suggests offline by it.
    organization.add_team_member(desk("wangfang"), customer=CUSTOMER, person="lijun", primary=True)
    organization.add_partner(desk("zhoujian"), name="成都蜀信科技有限公司", regions="成都")
    sync.sync_with_center(machine.ctx())
    team = organization.show_team(machine.ctx(), customer=CUSTOMER)
    assert [(m["handle"], m["primary"]) for m in team["members"]] == [("lijun", True), ("zhangwei", False)]
    assert [p["name"] for p in organization.list_partners(machine.ctx())] == ["成都蜀信科技有限公司"]
    assert [c.person.handle for c in dispatch.suggest_assignees(machine.ctx(), key=key)] == ["zhangwei"]
    # Both sides hold the same branches, partners, teams and people.
    tables = ("branch", "partner", "team_member", "person")
    assert _snapshot(machine.ctx(), *tables) == _snapshot(desk("zhoujian"), *tables)


def test_the_same_branch_recorded_on_two_nodes_is_one_branch(desk: MakeCtx, laptop: MakeLaptop) -> None:
    """A manager's laptop records the shipped branches offline while the center does too: their
    ids follow from their codes, so the sync makes one record of each, not two that clash."""
    machine = laptop("zhoujian")
    sync.sync_with_center(machine.ctx())
    organization.add_default_branches(desk("zhoujian"))
    organization.add_default_branches(machine.ctx())
    people.add_person(machine.ctx(), handle="xiaoming", name="肖明", role="engineer", branch="XA")
    sync.sync_with_center(machine.ctx())
    sync.sync_with_center(machine.ctx())
    center = organization.list_branches(desk("wangfang"))
    assert len(center) == len(organization.default_branches())
    assert next(b for b in center if b["code"] == "XA")["people"] == 1
    assert _snapshot(machine.ctx(), "branch", "person") == _snapshot(desk("zhoujian"), "branch", "person")
    assert sync.list_conflicts(desk("zhoujian")) == []
