"""Branches, partners and customers' project support teams: records written through the event log."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import CUSTOMER, MakeCtx
from xhsvc.core import customers, organization, people
from xhsvc.errors import Conflict, InvalidInput, NotAllowed, NotFound
from xhsvc.store import events, queries
from xhsvc.store.tables import Event

PARTNER = "成都蜀信科技有限公司"


def _events(ctx) -> int:
    with ctx.reading() as tx:
        return tx.conn.execute(select(func.count()).select_from(Event.__table__)).scalar_one()


@pytest.fixture
def org(desk: MakeCtx) -> MakeCtx:
    """The desk with the shipped branches, a partner in 成都 with one engineer, and 李军 in 杭州."""
    organization.add_default_branches(desk("zhoujian"))
    organization.add_partner(desk("zhoujian"), name=PARTNER, regions="成都、重庆", contact="王经理")
    people.add_person(
        desk("admin"), handle="wangpeng", name="王鹏", role="engineer", tier="L1", partner=PARTNER
    )
    organization.set_person_branch(desk("zhoujian"), person="lijun", branch="hz")
    return desk


def test_the_shipped_branches_are_the_seeds_cities_and_load_once(desk: MakeCtx) -> None:
    added = organization.add_default_branches(desk("zhoujian"))
    codes = {b.code for b in added}
    assert {
        "BJ",
        "SH",
        "GZ",
        "NJ",
        "HF",
        "WH",
        "JN",
        "ZZ",
        "CD",
        "CS",
        "XA",
        "LZ",
        "SY",
        "HEB",
        "FZ",
        "HK",
    } < codes
    assert {b.city for b in added} >= {"北京", "海口", "哈尔滨", "杭州"}
    assert organization.add_default_branches(desk("zhoujian")) == []
    listed = organization.list_branches(desk("wangfang"))
    assert [b["code"] for b in listed] == sorted(codes)
    assert all(b["region"] == b["city"] and b["people"] == 0 for b in listed)


def test_a_branch_has_its_people(org: MakeCtx) -> None:
    branch = organization.add_branch(org("admin"), code="nc", name="南昌分支机构", city="南昌", region="江西")
    assert (branch.code, branch.region) == ("NC", "江西")
    people.add_person(org("admin"), handle="xiaoming", name="肖明", role="engineer", branch="NC")
    shown = organization.show_branch(org("wangfang"), code="NC")
    assert [(p["handle"], p["region"]) for p in shown["people"]] == [("xiaoming", "江西")]
    assert organization.show_branch(org("wangfang"), code="HZ")["people"][0]["handle"] == "lijun"
    # A person in no branch yet keeps working: the desk's people were added before any branch.
    assert people.get_person(org("wangfang"), handle="wuhao").branch_id is None


def test_a_partner_engineer_belongs_to_the_partner_only(org: MakeCtx) -> None:
    wangpeng = people.get_person(org("wangfang"), handle="wangpeng")
    assert wangpeng.partner_id and wangpeng.branch_id is None
    shown = organization.show_partner(org("wangfang"), name=PARTNER)
    assert shown["regions"] == ["成都", "重庆"] and shown["people"][0]["handle"] == "wangpeng"
    # Moving to a branch leaves the partner: a person works for one of the two at most.
    moved = organization.set_person_branch(org("zhoujian"), person="wangpeng", branch="CD")
    assert moved.partner_id is None and moved.branch_id
    cleared = organization.set_person_branch(org("zhoujian"), person="wangpeng", branch=None)
    assert (cleared.branch_id, cleared.partner_id) == (None, None)
    assert organization.works_for(org("wangfang"), person=cleared) == {"branch": None, "partner": None}


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (
            lambda c: organization.add_branch(c("zhoujian"), code="1X", name="x", city="x"),
            InvalidInput,
            "code",
        ),
        (
            lambda c: organization.add_branch(c("zhoujian"), code="BJ", name="", city="北京"),
            InvalidInput,
            "name",
        ),
        (
            lambda c: organization.add_branch(c("zhoujian"), code="BJ", name="北京", city="北京"),
            Conflict,
            "BJ",
        ),
        (
            lambda c: organization.add_branch(c("wangfang"), code="QD", name="青岛", city="青岛"),
            NotAllowed,
            "agent",
        ),
        (
            lambda c: organization.add_partner(c("zhoujian"), name="某公司", regions=" , "),
            InvalidInput,
            "regions",
        ),
        (lambda c: organization.add_partner(c("zhoujian"), name=PARTNER, regions="成都"), Conflict, PARTNER),
        (lambda c: organization.add_partner(c("lijun"), name="某公司", regions="成都"), NotAllowed, "lijun"),
        (
            lambda c: people.add_person(c("admin"), handle="xa1", name="甲", role="agent", partner=PARTNER),
            InvalidInput,
            "--partner",
        ),
        (
            lambda c: people.add_person(
                c("admin"), handle="xa2", name="乙", role="engineer", branch="BJ", partner=PARTNER
            ),
            InvalidInput,
            "--branch",
        ),
        (
            lambda c: people.add_person(c("admin"), handle="xa3", name="丙", role="agent", branch="QQ"),
            NotFound,
            "QQ",
        ),
        (
            lambda c: organization.set_person_branch(c("wangfang"), person="lijun", branch="BJ"),
            NotAllowed,
            "agent",
        ),
        (
            lambda c: organization.set_person_partner(c("zhoujian"), person="nobody", partner=PARTNER),
            NotFound,
            "nobody",
        ),
        (
            lambda c: organization.add_team_member(c("wangfang"), customer=CUSTOMER, person="sunli"),
            InvalidInput,
            "expert",
        ),
        (
            lambda c: organization.add_team_member(
                c("wangfang"), customer=CUSTOMER, person="lijun", tier="L3"
            ),
            InvalidInput,
            "tier",
        ),
        (
            lambda c: organization.add_team_member(c("lijun"), customer=CUSTOMER, person="lijun"),
            NotAllowed,
            "engineer",
        ),
        (
            lambda c: organization.add_team_member(c("wangfang"), customer="无此客户", person="lijun"),
            NotFound,
            "无此客户",
        ),
        (
            lambda c: organization.add_team_member(c("wangfang"), customer=CUSTOMER, person="wangpeng"),
            NotAllowed,
            "成都",
        ),
        (
            lambda c: organization.remove_team_member(c("wangfang"), customer=CUSTOMER, person="wuhao"),
            NotFound,
            "wuhao",
        ),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(org: MakeCtx, call, error, words: str) -> None:
    before = _events(org("admin"))
    with pytest.raises(error) as raised:
        call(org)
    assert words in str(raised.value)
    assert "\n" not in str(raised.value)
    assert _events(org("admin")) == before


def test_a_customers_team_primary_first_and_changed_by_adding_again(org: MakeCtx) -> None:
    agent = org("wangfang")
    organization.add_team_member(agent, customer=CUSTOMER, person="zhangwei")
    team = organization.add_team_member(agent, customer=CUSTOMER, person="lijun", primary=True)
    assert [(m["handle"], m["tier"], m["primary"]) for m in team["members"]] == [
        ("lijun", "L1", True),
        ("zhangwei", "L1", False),
    ]
    assert team["members"][0]["branch"] == "HZ"
    # Another primary of the same tier takes the place; the L2 is of its own tier.
    organization.add_team_member(agent, customer=CUSTOMER, person="wuhao", primary=True)
    team = organization.add_team_member(agent, customer=CUSTOMER, person="zhangwei", primary=True)
    assert [(m["handle"], m["tier"], m["primary"]) for m in team["members"]] == [
        ("zhangwei", "L1", True),
        ("lijun", "L1", False),
        ("wuhao", "L2", True),
    ]
    with pytest.raises(Conflict):
        organization.add_team_member(agent, customer=CUSTOMER, person="zhangwei", primary=True)
    team = organization.remove_team_member(agent, customer=CUSTOMER, person="zhangwei")
    assert [m["handle"] for m in team["members"]] == ["lijun", "wuhao"]
    # Back again: the same record, active again (its history keeps both).
    organization.add_team_member(agent, customer=CUSTOMER, person="zhangwei", tier="L2")
    shown = organization.show_team(org("lijun"), customer=CUSTOMER)
    assert [(m["handle"], m["tier"]) for m in shown["members"]] == [
        ("lijun", "L1"),
        ("wuhao", "L2"),
        ("zhangwei", "L2"),
    ]
    with agent.reading() as tx:
        member_id = organization.stable_id("team_member", _member_key(tx, "zhangwei"))
        table = Event.__table__
        stmt = select(table.c.kind).where(table.c.entity_id == member_id).order_by(table.c.seq)
        kinds = list(tx.conn.execute(stmt).scalars())
    assert kinds == ["team_member.added", "team_member.edited", "team_member.removed", "team_member.edited"]


def _member_key(tx, handle: str) -> str:
    customer = queries.get_customer(tx.conn, CUSTOMER)
    person = queries.get_person(tx.conn, handle)
    return f"{customer.id}:{person.id}"


def test_a_partner_engineer_joins_teams_of_the_partners_regions_only(org: MakeCtx) -> None:
    customers.add_customer(org("wangfang"), name="成都天府软件园", region="成都市")
    team = organization.add_team_member(org("wangfang"), customer="成都天府软件园", person="wangpeng")
    assert team["members"][0]["partner"] == PARTNER
    with pytest.raises(NotAllowed, match="serves 成都、重庆 only"):
        organization.add_team_member(org("wangfang"), customer=CUSTOMER, person="wangpeng")


def test_the_state_is_rebuilt_from_the_log(org: MakeCtx) -> None:
    organization.add_team_member(org("wangfang"), customer=CUSTOMER, person="lijun", primary=True)
    organization.remove_team_member(org("wangfang"), customer=CUSTOMER, person="lijun")
    ctx = org("admin")
    with ctx.reading() as tx:
        before = queries.state_snapshot(tx.conn)
    assert before["branch"] and before["partner"] and before["team_member"]
    with ctx.db.write() as conn:
        events.rebuild(conn)
    with ctx.reading() as tx:
        assert queries.state_snapshot(tx.conn) == before


def test_ids_follow_from_what_names_a_record(org: MakeCtx) -> None:
    """Two nodes that record the same branch or partner offline record one record."""
    branch = organization.show_branch(org("wangfang"), code="BJ")
    assert branch["id"] == organization.stable_id("branch", "BJ")
    assert organization.show_partner(org("wangfang"), name=PARTNER)["id"] == organization.stable_id(
        "partner", PARTNER.casefold()
    )
    assert organization.region_key("杭州市") == organization.region_key(" 杭州 ")
    assert organization.split_regions("成都，重庆、成都市;绵阳") == ["成都", "重庆", "绵阳"]
