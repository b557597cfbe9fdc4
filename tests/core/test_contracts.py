"""Contracts drive the flow: coverage, on-site approval, entitlements, expiry, lookup.

The test clock stands at 2026-11-20 10:00 in Asia/Shanghai; the desk's customer has a gold
contract HT-2026-001 for 2026 (see tests/conftest.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CONTRACT, CUSTOMER, TEST_LANGUAGE, MakeCtx
from xhsvc import i18n
from xhsvc.core import approvals, contracts, customers, lookup, maintenance, ticket_views, tickets
from xhsvc.core.levels import load_levels, parse_levels
from xhsvc.core.tomlfiles import read_toml
from xhsvc.errors import Conflict, InvalidInput, NotAllowed

OTHER = "广州南沙港务集团"


@pytest.fixture
def port(desk: MakeCtx) -> MakeCtx:
    """A second customer with a site, two assets and a basic contract covering only one of them."""
    agent = desk("wangfang")
    customers.add_customer(agent, name=OTHER, region="广州", industry="交通")
    customers.add_site(agent, customer=OTHER, name="南沙机房", address="南沙区港前大道1号", city="广州")
    customers.add_contact(agent, customer=OTHER, name="黄主任", phone="020-8468 1234", role="信息中心主任")
    customers.add_asset(agent, customer=OTHER, model="XS-5000", serial="xs5k-2024-0001", site="南沙机房")
    customers.add_asset(agent, customer=OTHER, model="XB-300", serial="XB300-2023-0042", site="南沙机房")
    contracts.add_contract(
        agent,
        number="HT-2026-088",
        customer=OTHER,
        level="basic",
        start="2026-03-01",
        end="2026-12-10",
        assets=["XS5K-2024-0001"],
    )
    return desk


def test_shipped_levels_load_with_targets_and_entitlements() -> None:
    levels = load_levels()
    assert {"platinum", "gold", "silver", "basic"} <= set(levels)
    assert {t: str(d) for t, d in levels["gold"].targets["P1"].items()} == {
        "response": "30m",
        "onsite": "4h",
        "resolution": "8h",
    }
    assert levels["gold"].coverage == "7x24" and levels["silver"].coverage == "business"
    assert levels["gold"].entitlements == {"inspections": 4, "trainings": 2, "standby_days": 10}
    assert "onsite" not in levels["basic"].services
    # Business hours: a day is 7.5 working hours, so silver's on-site target comes before resolution.
    assert levels["silver"].as_dict()["targets"]["P1"] == {
        "response": "1h",
        "onsite": "4h",
        "resolution": "1d",
    }
    assert levels["silver"].as_dict()["targets"]["P4"]["resolution"] == "10d"


def test_the_sample_levels_file_is_valid() -> None:
    sample = Path(__file__).parents[2] / "examples" / "service-levels.toml"
    assert set(parse_levels(read_toml(sample))) == {"gold", "dr_only"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ('resolution = "6h"', 'resolution = "6 hours"'),
            r":11: levels.gold.targets.P1.resolution: '6 hours' is not a duration like",
        ),
        (('"optimization"]', '"tuning"]'), r":7: levels.gold.services: 'tuning' is not a service type"),
        (('coverage = "7x24"', 'hours = "7x24"'), r":6: levels.gold.hours: unknown key"),
        (
            ("inspections = 6", "inspections = -1"),
            r":8: levels.gold.entitlements.inspections: -1: must be a whole number",
        ),
        (
            ('P4 = { response = "4h"', 'P9 = { response = "4h"'),
            r":14: levels.gold.targets.P9: unknown priority",
        ),
        (('title = "灾备专项 DR assurance"', 'title = "灾备专项'), r": not valid TOML: .*line 17"),
        (
            ('onsite = "2h", resolution = "6h"', 'onsite = "8h", resolution = "6h"'),
            r":11: levels.gold.targets.P1: onsite 8h is due after resolution 6h \(days of 7x24: 1d\); "
            r"each priority needs response <= onsite <= resolution",
        ),
        (
            ('coverage = "business"', 'coverage = "business"\ncalendar = "mars"'),
            r":19: levels.dr_only.calendar: calendar 'mars' not found",
        ),
    ],
)
def test_a_broken_levels_file_names_file_line_and_key(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    sample = (Path(__file__).parents[2] / "examples" / "service-levels.toml").read_text(encoding="utf-8")
    assert change[0] in sample
    broken = tmp_path / "service-levels.toml"
    broken.write_text(sample.replace(change[0], change[1], 1), encoding="utf-8")
    with pytest.raises(InvalidInput, match=rf"^{broken}{message}"):
        load_levels(broken)


def test_the_users_levels_file_replaces_and_adds_levels(home: Path) -> None:
    sample = Path(__file__).parents[2] / "examples" / "service-levels.toml"
    (home / "service-levels.toml").write_text(sample.read_text(encoding="utf-8"), encoding="utf-8")
    levels = load_levels()
    assert levels["gold"].entitlements["inspections"] == 6
    assert "dr_only" in levels and "platinum" in levels


def test_coverage_says_why(port: MakeCtx) -> None:
    agent = port("wangfang")

    def check(**kw):
        return contracts.check_coverage(agent, **kw)

    assert check(customer=CUSTOMER).covered
    assert check(customer=CUSTOMER).reason == f"covered by {CONTRACT} (gold) until 2026-12-31"
    expired = check(customer=CUSTOMER, at="2027-01-05")
    assert (expired.covered, expired.code, expired.reason) == (
        False,
        "expired",
        f"contract {CONTRACT} expired on 2026-12-31",
    )
    assert check(customer=CUSTOMER, at="2025-06-01").code == "not_started"
    not_in_level = check(customer=OTHER, service="onsite")
    assert (not_in_level.code, not_in_level.reason) == (
        "service_not_in_level",
        "service onsite is not in level basic of contract HT-2026-088",
    )
    assert check(customer=OTHER, service="remote", asset="xs5k-2024-0001").covered
    uncovered_asset = check(customer=OTHER, asset="XB300-2023-0042")
    assert (uncovered_asset.code, uncovered_asset.reason) == (
        "asset_not_covered",
        "asset XB300-2023-0042 is not covered by HT-2026-088",
    )
    customers.add_customer(agent, name="无合同客户")
    assert check(customer="无合同客户").reason == "无合同客户 has no service contract"
    with pytest.raises(InvalidInput, match="asset XB300-2023-0042: belongs to another customer"):
        check(customer=CUSTOMER, asset="XB300-2023-0042")
    with pytest.raises(InvalidInput, match="at '2026-13-01'"):
        check(customer=CUSTOMER, at="2026-13-01")


def test_renewal_adds_a_term_and_keeps_the_history(desk: MakeCtx) -> None:
    agent = desk("wangfang")
    term = contracts.renew_contract(agent, number=CONTRACT, end="2027-12-31", level="platinum")
    assert (term.term_no, term.start_date.isoformat(), term.level) == (2, "2027-01-01", "platinum")
    shown = contracts.show_contract(agent, number=CONTRACT)
    assert [
        (t["term"], t["level"], t["start"].isoformat(), t["end"].isoformat()) for t in shown["history"]
    ] == [
        (1, "gold", "2026-01-01", "2026-12-31"),
        (2, "platinum", "2027-01-01", "2027-12-31"),
    ]
    assert shown["level"] == "gold"  # today is still in the first term
    assert contracts.check_coverage(agent, customer=CUSTOMER, at="2027-06-01").level == "platinum"
    with pytest.raises(InvalidInput, match="must begin after"):
        contracts.renew_contract(agent, number=CONTRACT, start="2027-06-01", end="2028-06-01")
    with pytest.raises(InvalidInput, match="level 'diamond'"):
        contracts.renew_contract(agent, number=CONTRACT, end="2028-12-31", level="diamond")


def test_contract_input_is_checked(desk: MakeCtx) -> None:
    agent = desk("wangfang")
    with pytest.raises(Conflict):
        contracts.add_contract(
            agent, number=CONTRACT, customer=CUSTOMER, level="gold", start="2027-01-01", end="2027-12-31"
        )
    with pytest.raises(InvalidInput, match="end 2026-01-01: must not be before start"):
        contracts.add_contract(
            agent, number="HT-X", customer=CUSTOMER, level="gold", start="2026-02-01", end="2026-01-01"
        )
    with pytest.raises(InvalidInput, match="level 'gld'"):
        contracts.add_contract(
            agent, number="HT-X", customer=CUSTOMER, level="gld", start="2026-02-01", end="2026-03-01"
        )
    with pytest.raises(NotAllowed):
        contracts.add_contract(
            desk("lijun"),
            number="HT-X",
            customer=CUSTOMER,
            level="gold",
            start="2026-02-01",
            end="2026-03-01",
        )


def test_termination_ends_coverage_and_is_a_managers_decision(desk: MakeCtx) -> None:
    with pytest.raises(NotAllowed, match="manager or admin"):
        contracts.terminate_contract(desk("wangfang"), number=CONTRACT, reason="客户欠费")
    contracts.terminate_contract(desk("zhoujian"), number=CONTRACT, reason="客户欠费", on="2026-11-20")
    agent = desk("wangfang")
    assert contracts.check_coverage(agent, customer=CUSTOMER, at="2026-11-20").covered
    late = contracts.check_coverage(agent, customer=CUSTOMER, at="2026-11-21")
    assert (late.code, late.reason) == ("terminated", f"contract {CONTRACT} terminated on 2026-11-20")
    with pytest.raises(NotAllowed):
        contracts.renew_contract(agent, number=CONTRACT, end="2027-12-31")


def test_ticket_records_the_covering_contract_or_flags_out_of_contract(port: MakeCtx) -> None:
    agent = port("wangfang")
    covered = tickets.open_ticket(agent, customer=CUSTOMER, title="控制器告警").ticket.key
    shown = ticket_views.show_ticket(agent, key=covered)
    assert (shown["contract"], shown["coverage"], shown["in_contract"]) == (CONTRACT, "covered", True)
    out = tickets.open_ticket(agent, customer=OTHER, title="备份机告警", asset="XB300-2023-0042").ticket.key
    shown = ticket_views.show_ticket(agent, key=out)
    assert (shown["contract"], shown["coverage"], shown["in_contract"]) == (None, "asset_not_covered", False)
    assert shown["asset"] == "XB300-2023-0042" and shown["site"] == "南沙机房"
    assert shown["coverage_note"] == "asset XB300-2023-0042 is not covered by HT-2026-088"
    assert "out of contract" in ticket_views.ticket_history(agent, key=out)[0]["summary"]


def test_a_stored_coverage_note_is_shown_in_the_interfaces_language(port: MakeCtx) -> None:
    agent = port("wangfang")
    out = tickets.open_ticket(agent, customer=OTHER, title="备份机告警", asset="XB300-2023-0042").ticket.key
    i18n.set_language("zh_CN")
    try:
        shown = ticket_views.show_ticket(agent, key=out)
        expected = i18n._(contracts.ASSET_NOT_COVERED_NOTE).format(
            serial="XB300-2023-0042", contract="HT-2026-088"
        )
    finally:
        i18n.set_language(TEST_LANGUAGE)
    assert shown["coverage_note"] == "asset XB300-2023-0042 is not covered by HT-2026-088"  # scripts
    assert shown["coverage_text"] == expected and "XB300-2023-0042" in expected
    assert "is not covered" not in expected


@pytest.mark.parametrize("message", contracts.COVERAGE_NOTES)
def test_every_coverage_sentence_is_read_back_from_its_stored_english(message: str) -> None:
    # Values with the sentences' own words and brackets in them: the whole value comes back.
    values = {
        "customer": "上海 (until) 银行",
        "contract": "HT-2026 (gold)",
        "day": "2027-08-21",
        "serial": "XS by 1",
        "service": "onsite",
        "level": "gold",
    }
    i18n.set_language("zh_CN")
    try:
        shown = contracts.explain_note(message.format(**values))
        expected = i18n._(message).format(**values)
    finally:
        i18n.set_language(TEST_LANGUAGE)
    assert shown == expected and shown != message.format(**values)


def test_a_note_no_sentence_matches_is_shown_as_stored() -> None:
    assert contracts.explain_note("written by hand, long ago") == "written by hand, long ago"
    assert contracts.explain_note(None) is None


def _onsite_request(ctx_for: MakeCtx, customer: str, **kw) -> str:
    agent, l1 = ctx_for("wangfang"), ctx_for("lijun")
    key = tickets.open_ticket(agent, customer=customer, title="需要现场", **kw).ticket.key
    tickets.assign_ticket(agent, key=key, assignee="lijun")
    tickets.respond_ticket(l1, key=key)
    approvals.request_onsite(l1, key=key, reason="更换部件")
    return key


def test_agent_approves_only_covered_onsite_work(port: MakeCtx, clock) -> None:
    agent, manager = port("wangfang"), port("zhoujian")
    covered = _onsite_request(port, CUSTOMER)
    approvals.approve_request(agent, key=covered)
    assert ticket_views.show_ticket(agent, key=covered)["onsite"] is True

    not_in_level = _onsite_request(port, OTHER)  # basic: remote support only
    with pytest.raises(NotAllowed, match=r"not covered \(service onsite is not in level basic.*ticket refer"):
        approvals.approve_request(agent, key=not_in_level)
    approvals.refer_request(agent, key=not_in_level, reason="合同不含现场服务")
    approvals.approve_request(manager, key=not_in_level, note="特批，按次收费")
    assert ticket_views.show_ticket(agent, key=not_in_level)["onsite"] is True

    clock.advance(days=45)  # 2027-01-04: the gold contract has expired
    expired = _onsite_request(port, CUSTOMER)
    with pytest.raises(NotAllowed, match=f"contract {CONTRACT} expired on 2026-12-31"):
        approvals.approve_request(agent, key=expired)
    approvals.deny_request(manager, key=expired, reason="合同已过期，请先续约")


def test_non_product_faults_need_that_service_in_the_level(desk: MakeCtx) -> None:
    agent = desk("wangfang")
    contracts.renew_contract(agent, number=CONTRACT, end="2027-12-31")
    key = _onsite_request(desk, CUSTOMER, service="non_product")
    approvals.approve_request(agent, key=key)  # gold includes non_product
    customers.add_customer(agent, name="银牌客户")
    contracts.add_contract(
        agent, number="HT-S", customer="银牌客户", level="silver", start="2026-01-01", end="2026-12-31"
    )
    key = _onsite_request(desk, "银牌客户", service="non_product")
    with pytest.raises(NotAllowed, match="service non_product is not in level silver"):
        approvals.approve_request(agent, key=key)


def test_entitlements_granted_used_and_left(desk: MakeCtx) -> None:
    engineer, agent, manager = desk("lijun"), desk("wangfang"), desk("zhoujian")
    for day in ("2026-03-10", "2026-06-10", "2026-09-10"):
        contracts.use_entitlement(engineer, number=CONTRACT, kind="inspections", on=day, note="季度巡检")
    usage = contracts.use_entitlement(
        agent, number=CONTRACT, kind="standby_days", quantity=4, note="系统割接"
    )
    assert usage["entitlements"]["inspections"] == {"granted": 4, "used": 3, "left": 1, "beyond": 0}
    assert usage["entitlements"]["standby_days"] == {"granted": 10, "used": 4, "left": 6, "beyond": 0}
    contracts.use_entitlement(engineer, number=CONTRACT, kind="inspections", on="2026-11-20")
    with pytest.raises(NotAllowed, match="0 inspections left of 4 this term; using more needs a manager"):
        contracts.use_entitlement(agent, number=CONTRACT, kind="inspections")
    usage = contracts.use_entitlement(
        manager, number=CONTRACT, kind="inspections", note="客户特殊要求，经理批准"
    )
    assert usage["entitlements"]["inspections"] == {"granted": 4, "used": 5, "left": 0, "beyond": 1}
    beyond = [u for u in usage["uses"] if u["beyond_grant"]]
    assert [(u["recorded_by"], u["note"]) for u in beyond] == [("zhoujian", "客户特殊要求，经理批准")]
    with pytest.raises(NotAllowed, match="is expired on 2027-02-01"):
        contracts.use_entitlement(manager, number=CONTRACT, kind="trainings", on="2027-02-01")
    with pytest.raises(InvalidInput, match="kind 'visits'"):
        contracts.use_entitlement(manager, number=CONTRACT, kind="visits")


def test_expiring_lists_contracts_ending_soon_and_not_renewed(port: MakeCtx) -> None:
    agent = port("wangfang")
    assert [r["number"] for r in contracts.expiring_contracts(agent, within="30d")] == ["HT-2026-088"]
    both = contracts.expiring_contracts(agent, within="6w")
    assert [(r["number"], r["days_left"]) for r in both] == [("HT-2026-088", 20), (CONTRACT, 41)]
    contracts.renew_contract(agent, number="HT-2026-088", end="2027-12-10")
    assert contracts.expiring_contracts(agent, within="30d") == []
    with pytest.raises(InvalidInput, match="within 'soon'"):
        contracts.expiring_contracts(agent, within="soon")


def _found(agent, text: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [r["customer"] for r in lookup.lookup(agent, text=text)]


def test_lookup_by_any_part_of_a_name_or_of_a_sites_name_or_address(port: MakeCtx) -> None:
    agent = port("wangfang")
    customers.add_customer(agent, name="Dell EMC 杭州分公司", region="杭州")
    assert _found(agent, "第一人民") == [CUSTOMER]  # the middle of a name
    assert _found(agent, "港前大道") == [OTHER]  # the middle of an address
    assert _found(agent, "大道1号") == [OTHER]  # letters and digits together
    assert _found(agent, "南沙 机房") == [OTHER]  # several parts, each anywhere
    assert _found(agent, "emc") == ["Dell EMC 杭州分公司"]  # any case
    assert _found(agent, "ll em") == ["Dell EMC 杭州分公司"]
    assert _found(agent, "llem") == []  # a part is not found across a space of the text
    assert _found(agent, "医院港前") == []
    # A site moved: found at its new address, not at the old one.
    customers.edit_site(agent, customer=OTHER, name="南沙机房", address="黄埔区科学大道99号")
    assert _found(agent, "科学大道") == [OTHER] and _found(agent, "港前大道") == []
    # The index is derived: a rebuild from the event log makes it again.
    admin = port("admin")
    maintenance.rebuild_state(admin)
    assert _found(agent, "科学大道") == [OTHER] and _found(agent, "人民医院") == [CUSTOMER]


def test_lookup_by_phone_name_or_serial(port: MakeCtx) -> None:
    agent = port("wangfang")
    customers.add_contact(agent, customer=CUSTOMER, name="陈主任", phone="0571-8800 1234")
    by_phone = lookup.lookup(agent, text="057188001234")
    assert [r["customer"] for r in by_phone] == [CUSTOMER]
    assert by_phone[0]["covered"] is True and by_phone[0]["contracts"][0]["number"] == CONTRACT
    assert [r["customer"] for r in lookup.lookup(agent, text="88001234")] == [
        CUSTOMER
    ]  # without the area code
    by_serial = lookup.lookup(agent, text="xs5k-2024")
    assert [r["customer"] for r in by_serial] == [OTHER]
    assert by_serial[0]["sites"][0]["name"] == "南沙机房"
    assert [r["customer"] for r in lookup.lookup(agent, text="南沙港")] == [OTHER]
    assert lookup.lookup(agent, text="没有这个") == []
    with pytest.raises(InvalidInput):
        lookup.lookup(agent, text="x")


def test_lookup_as_a_caller_is_named_and_numbers_are_said(port: MakeCtx) -> None:
    agent = port("wangfang")
    customers.add_contact(agent, customer=CUSTOMER, name="陈主任", phone="0571-8800 1234")
    customers.add_contact(agent, customer=OTHER, name="赵工", phone="139 0043 5003")
    assert _found(agent, "陈主任") == [CUSTOMER]  # a contact's name
    assert _found(agent, "赵工") == [OTHER]
    # A phone number in any common Chinese form, +86 and the trunk 0 aside.
    for said in ("+86 571 8800 1234", "0086-571-88001234", "(0571) 8800-1234", "+86 57188001234"):
        assert _found(agent, said) == [CUSTOMER], said
    assert _found(agent, "+86 139 0043 5003") == [OTHER]
    # Any part of a serial (XB300-2023-0042), its end too.
    assert _found(agent, "0042") == [OTHER]
    assert _found(agent, "300-2023") == [OTHER]
    # The pinyin initials of a name, whole or in part: 浙江省第一人民医院 is zjsdyrmyy.
    assert _found(agent, "zjsdyrmyy") == [CUSTOMER]
    assert _found(agent, "rmyy") == [CUSTOMER]
