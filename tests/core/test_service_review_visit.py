"""The periodic service review (定期服务回顾) as a visit, and the system optimization's own checklist.

The desk's customer (gold 7x24, HT-2026-001 for 2026; P3 is response 2h, resolution 2d) in
November 2026, times in Asia/Shanghai:

    ticket  recorded    response            resolution
    A       11-02 10h   met 11h (1h)        met 11-03 10h (24h)
    B       11-05 10h   LATE 13h (3h)       LATE 11-08 10h (72h)
    D       12-01 10h   (December: not in the period reviewed)

The inspection of 11-16 warns on the room temperature (29 °C) and opens no follow-up ticket: an open
finding whose recommendation the review recommends again.

A review visit planned for 2026-12-03 reviews the month before it, November: 2 tickets, SLA 2 of 4
clocks met = 50.0% (response 1/2, resolution 1/2), 1 breached ticket.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import CONTRACT, CUSTOMER, MakeCtx
from tests.core.test_visits import GOOD
from xhsvc.core import contracts, customers, reports, tickets, visits
from xhsvc.core.templates import DEFAULT_TEMPLATE, VISIT_KINDS, load_template

SH = ZoneInfo("Asia/Shanghai")
SERIAL = "XS8K-2024-00052"
TITLE = "定期服务回顾报告 Service review report"
TEMPERATURE_ADVICE = "调整机房空调，使进风温度保持在 18-27°C"
REVIEW_ANSWERS = {
    "meeting.participants": "客户：信息科张主任；我方：周建、李军",
    "service.tickets_sla": "ok",
    "service.inspections_findings": "ok",
    "customer.satisfaction": "基本满意 mostly satisfied",
    "customer.feedback": "希望故障响应再快一些",
    "actions.agreed": "12 月底前升级控制器固件（李军）",
}
OPTIMIZATION = {
    "business.changes": "新增 PACS 影像业务",
    "business.fit": "ok",
    "performance.iops": 52000,
    "performance.latency": 4,
    "safety.multipath": "ok",
    "safety.controllers": "ok",
    "safety.snapshots": "ok",
    "capacity.pool_used_pct": 65,
    "capacity.used_tb": 60,
    "capacity.total_tb": 100,
    "capacity.growth_tb_month": 2,
    "firmware.controller_version": "V4.2.1",
    "firmware.recommended": "是 yes",
    "firmware.config_review": "ok",
    "advice.overall": "良好 good",
    "advice.recommendations": "保持现状",
}


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH).astimezone(UTC)


@pytest.fixture
def november(desk: MakeCtx, clock) -> dict[str, str]:
    agent, lijun = desk("wangfang"), desk("lijun")
    customers.add_site(agent, customer=CUSTOMER, name="主院区机房", address="解放路88号", city="杭州")
    customers.add_asset(
        agent, customer=CUSTOMER, model="XS-8000", serial=SERIAL, firmware="V4.0.2", site="主院区机房"
    )
    keys: dict[str, str] = {}

    def at(*when: int) -> None:
        clock.now = sh(*when)

    def open_(name: str, *when: int) -> str:
        at(*when)
        key = tickets.open_ticket(agent, customer=CUSTOMER, title=f"故障 {name}").ticket.key
        tickets.assign_ticket(agent, key=key, assignee="lijun")
        keys[name] = key
        return key

    a = open_("A", 2026, 11, 2, 10, 0)
    at(2026, 11, 2, 11, 0)
    tickets.respond_ticket(lijun, key=a)
    at(2026, 11, 3, 10, 0)
    tickets.resolve_ticket(lijun, key=a, resolution="已修复")
    b = open_("B", 2026, 11, 5, 10, 0)
    at(2026, 11, 5, 13, 0)
    tickets.respond_ticket(lijun, key=b)
    at(2026, 11, 8, 10, 0)
    tickets.resolve_ticket(lijun, key=b, resolution="更换控制器")

    at(2026, 11, 16, 9, 0)
    inspection = visits.add_visit(agent, contract=CONTRACT, kind="inspection", on="2026-11-16").key
    visits.start_visit(lijun, key=inspection)
    visits.record_items(lijun, key=inspection, answers={**GOOD, "environment.temperature": 29})
    at(2026, 11, 16, 11, 0)
    visits.complete_visit(lijun, key=inspection)
    keys["inspection"] = inspection

    open_("D", 2026, 12, 1, 10, 0)
    at(2026, 12, 1, 11, 0)
    keys["review"] = visits.add_visit(desk("zhoujian"), contract=CONTRACT, kind="review", on="2026-12-03").key
    return keys


def test_review_is_a_visit_kind_with_its_own_checklist() -> None:
    assert "review" in VISIT_KINDS and DEFAULT_TEMPLATE["review"] == "service-review"
    template = load_template("service-review")
    assert template.kind == "review"
    assert [key for key, _ in template.sections] == ["meeting", "service", "customer", "actions"]
    items = {i.id: i for i in template.items}
    assert items["actions.agreed"].required and items["actions.agreed"].kind == "text"
    satisfaction = items["customer.satisfaction"]
    assert satisfaction.warn_choices == ("基本满意 mostly satisfied",)
    assert satisfaction.fail_choices == ("不满意 dissatisfied",)
    assert set(reports.KINDS) == set(VISIT_KINDS)


def test_a_review_is_planned_filled_and_completed(desk: MakeCtx, november, clock) -> None:
    key, lijun = november["review"], desk("lijun")
    before = contracts.contract_usage(desk("zhoujian"), number=CONTRACT)["entitlements"]
    visit = visits.show_visit(desk("zhoujian"), key=key)
    assert (visit["kind"], visit["template"], visit["status"]) == ("review", "service-review", "planned")
    clock.now = sh(2026, 12, 3, 9, 0)
    visits.start_visit(lijun, key=key)
    period = {i["id"]: i for i in visits.show_visit(lijun, key=key)["items"]}["meeting.period"]
    assert period["value"] == "2026-11" and period["filled_by_xhsvc"]
    visits.record_items(
        lijun, key=key, answers={k: v for k, v in REVIEW_ANSWERS.items() if k != "actions.agreed"}
    )
    with pytest.raises(Exception, match=r"actions\.agreed"):
        visits.complete_visit(lijun, key=key)
    visits.record_items(lijun, key=key, answers={"actions.agreed": REVIEW_ANSWERS["actions.agreed"]})
    done = visits.complete_visit(lijun, key=key, summary="双方确认本期服务情况")
    assert [(f["item_key"], f["severity"]) for f in done.findings] == [("customer.satisfaction", "warn")]
    assert not done.beyond_grant
    # A review uses no entitlement: the catalog grants none for it.
    assert contracts.contract_usage(desk("zhoujian"), number=CONTRACT)["entitlements"] == before


def _completed_review(desk: MakeCtx, key: str, clock) -> None:
    lijun = desk("lijun")
    clock.now = sh(2026, 12, 3, 9, 0)
    visits.start_visit(lijun, key=key)
    visits.record_items(lijun, key=key, answers=REVIEW_ANSWERS)
    clock.now = sh(2026, 12, 3, 11, 0)
    visits.complete_visit(lijun, key=key)


def test_the_review_report_summarises_the_month_before(desk: MakeCtx, november, clock) -> None:
    key = november["review"]
    _completed_review(desk, key, clock)
    manager = desk("zhoujian")
    markdown = reports.visit_report(manager, key=key, fmt="md")
    html = reports.visit_report(manager, key=key, fmt="html")
    assert markdown.startswith(f"# {TITLE} — 定期服务回顾 Periodic service review")
    assert f"<title>{key} {TITLE}</title>" in html and f"<h1>{TITLE} — " in html
    assert "## 本期回顾 The period reviewed: 2026-11" in markdown
    assert "<h2>本期回顾 The period reviewed: 2026-11</h2>" in html
    assert "期间 Period: 2026-11-01 — 2026-11-30" in markdown
    # A and B, not D of December; B breached both its clocks: 2 of 4 met.
    assert "本期记录工单 Tickets recorded in the period: **2**; SLA 超时 breached on 1" in markdown
    assert "本期记录工单 Tickets recorded in the period：<strong>2</strong>；SLA 超时 breached on 1" in html
    assert "达标率 Compliance: **50.0%** (达标 met 2, 超时 breached 2)" in markdown
    assert "达标率 Compliance：<strong>50.0%</strong>（达标 met 2，超时 breached 2）" in html
    assert "| 响应 Response | 1 | 1 | 50.0% |" in markdown
    for text in (markdown, html):
        assert november["inspection"] in text  # the inspection completed in the period
        assert november["D"] not in text
        # The open finding of the inspection, recommended again; and the review's own finding.
        assert TEMPERATURE_ADVICE in text
        assert "针对客户不满意之处制定改进计划" in text
        assert "12 月底前升级控制器固件" in text  # the agreed actions (checklist)
        assert "巡检总结报告与系统优化建议" not in text


def test_the_period_figures_are_for_managers(desk: MakeCtx, november) -> None:
    key = november["review"]
    markdown = reports.visit_report(desk("wangfang"), key=key, fmt="md")
    assert markdown.startswith(f"# {TITLE} — ")
    assert "## 本期回顾 The period reviewed: 2026-11" in markdown
    assert "shown to managers and admins only" in markdown
    assert "本期记录工单" not in markdown and TEMPERATURE_ADVICE not in markdown
    # Other kinds have no period part.
    other = visits.add_visit(desk("wangfang"), contract=CONTRACT, kind="training", on="2026-12-10").key
    assert "本期回顾" not in reports.visit_report(desk("zhoujian"), key=other, fmt="md")


def test_the_period_is_the_month_the_checklist_names(desk: MakeCtx, november, clock) -> None:
    key, lijun = november["review"], desk("lijun")
    clock.now = sh(2026, 12, 3, 9, 0)
    visits.start_visit(lijun, key=key)
    visits.record_items(lijun, key=key, answers={"meeting.period": "2026-10"})
    markdown = reports.visit_report(desk("zhoujian"), key=key, fmt="md")
    assert "## 本期回顾 The period reviewed: 2026-10" in markdown
    assert "本期记录工单 Tickets recorded in the period: **0**" in markdown


def test_an_optimization_uses_its_own_checklist(desk: MakeCtx) -> None:
    agent, lijun = desk("wangfang"), desk("lijun")
    key = visits.add_visit(agent, contract=CONTRACT, kind="optimization", on="2026-11-25").key
    visit = visits.show_visit(agent, key=key)
    assert visit["template"] == "system-optimization" and visit["title"] == "系统优化服务 System optimization"
    assert [s for s in visit["sections"]] == [
        "business",
        "performance",
        "safety",
        "capacity",
        "firmware",
        "advice",
    ]
    visits.start_visit(lijun, key=key)
    visits.record_items(lijun, key=key, answers={**OPTIMIZATION, "performance.latency": 35})
    items = {i["id"]: i for i in visits.show_visit(lijun, key=key)["items"]}
    assert items["capacity.days_until_full"]["value"] == "600"  # (100 - 60) / 2 * 30
    done = visits.complete_visit(lijun, key=key)
    (finding,) = done.findings
    assert (finding["item_key"], finding["severity"]) == ("performance.latency", "fail")
    assert finding["recommendation"].startswith("分析热点卷与前端负载")
    markdown = reports.visit_report(agent, key=key, fmt="md")
    assert markdown.startswith("# 系统优化报告 System optimization report — 系统优化服务")
    assert "平均响应时间 Average latency: 35 ms" in markdown


def test_an_optimization_may_still_follow_the_storage_inspection(desk: MakeCtx) -> None:
    key = visits.add_visit(
        desk("wangfang"),
        contract=CONTRACT,
        kind="optimization",
        on="2026-11-25",
        template="storage-inspection",
    ).key
    assert visits.show_visit(desk("wangfang"), key=key)["template"] == "storage-inspection"
