"""Inspections and the other scheduled visits: planning, checklists, findings, follow-ups, reports.

The desk's customer has a gold contract for 2026 (4 inspections a year); the test clock stands at
2026-11-20.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import CONTRACT, CUSTOMER, MakeCtx
from xhsvc.core import contracts, customers, reports, ticket_views, tickets, visits
from xhsvc.core.calendars import load_calendar
from xhsvc.core.templates import load_template, parse_template
from xhsvc.core.tomlfiles import read_toml
from xhsvc.errors import Conflict, InvalidInput, NotAllowed
from xhsvc.store.tables import Event

GOOD = {
    "plan.scope": "XS-8000 全闪存阵列，主院区机房",
    "plan.window": "ok",
    "environment.temperature": 24.5,
    "environment.humidity": 45,
    "environment.power": "ok",
    "environment.cabinet": "良好 good",
    "firmware.controller_version": "V4.0.2",
    "firmware.controller": "ok",
    "firmware.disk": "ok",
    "firmware.hba": "ok",
    "firmware.multipath": "ok",
    "config.raid": "ok",
    "config.hot_spares": 2,
    "config.multipath_paths": "ok",
    "network.latency": 4,
    "network.errors": 0,
    "capacity.used_tb": 60,
    "capacity.total_tb": 100,
    "capacity.growth_tb_month": 2,
    "summary.overall": "健康 healthy",
}


@pytest.fixture
def site(desk: MakeCtx) -> MakeCtx:
    agent = desk("wangfang")
    customers.add_site(agent, customer=CUSTOMER, name="主院区机房", address="解放路88号", city="杭州")
    customers.add_asset(
        agent,
        customer=CUSTOMER,
        model="XS-8000",
        serial="XS8K-2024-00052",
        firmware="V4.0.2",
        site="主院区机房",
    )
    return desk


def _inspection(ctx_for: MakeCtx, on: str = "2026-11-20") -> str:
    return visits.add_visit(ctx_for("wangfang"), contract=CONTRACT, kind="inspection", on=on).key


def _events(ctx) -> int:
    with ctx.reading() as tx:
        return tx.conn.execute(select(func.count()).select_from(Event.__table__)).scalar_one()


def test_the_storage_inspection_has_the_seeds_eight_sections() -> None:
    template = load_template("storage-inspection")
    assert [key for key, _ in template.sections] == [
        "plan",
        "environment",
        "firmware",
        "config",
        "network",
        "history",
        "capacity",
        "summary",
    ]
    kinds = {item.kind for item in template.items}
    assert kinds == {"check", "number", "text", "choice"}
    temperature = next(i for i in template.items if i.id == "environment.temperature")
    assert (temperature.unit, temperature.thresholds["fail_above"]) == ("°C", 32.0)
    assert {t for t in ("dr-drill", "training", "standby") if load_template(t)}


def test_a_broken_template_names_file_line_and_key(tmp_path: Path) -> None:
    sample = (Path(__file__).parents[2] / "examples" / "template-storage-inspection.toml").read_text(
        encoding="utf-8"
    )
    broken = tmp_path / "mine.toml"
    broken.write_text(
        sample.replace('kind = "number"\n  unit = "%"', 'kind = "numeric"\n  unit = "%"', 1), encoding="utf-8"
    )
    with pytest.raises(InvalidInput, match=rf"^{broken}:43: section.1.item.1.kind: 'numeric': use check"):
        parse_template(read_toml(broken), "mine")


def test_plan_spreads_the_granted_inspections_over_a_year(desk: MakeCtx) -> None:
    agent = desk("wangfang")
    contracts.renew_contract(agent, number=CONTRACT, end="2027-12-31")
    planned = visits.plan_visits(agent, contract=CONTRACT, year=2027)
    days = [v.planned_for for v in planned]
    assert len(days) == 4  # gold grants 4 a year
    assert [d.month for d in days] == [2, 5, 8, 11]  # one a quarter
    calendar = load_calendar("china-business")
    assert all(calendar.is_working_day(d) and d.year == 2027 for d in days)
    with pytest.raises(Conflict, match="all 4 inspections"):
        visits.plan_visits(agent, contract=CONTRACT, year=2027)
    with pytest.raises(NotAllowed):
        visits.plan_visits(desk("lijun"), contract=CONTRACT, year=2027)


def test_fill_from_a_prepared_file_complete_and_follow_up(site: MakeCtx) -> None:
    agent, engineer = site("wangfang"), site("lijun")
    earlier = tickets.open_ticket(agent, customer=CUSTOMER, title="控制器告警").ticket.key
    key = _inspection(site)
    visits.assign_visit(agent, key=key, engineer="lijun")
    visits.start_visit(engineer, key=key)
    history = next(i for i in visits.show_visit(agent, key=key)["items"] if i["id"] == "history.tickets")
    assert earlier in history["value"]  # filled in from the customer's tickets

    answers, notes = visits.read_answers(
        """
        "firmware.controller" = "fail"
        [environment]
        temperature = 29
        [capacity]
        used_tb = 92
        total_tb = 100
        growth_tb_month = 4
        [notes]
        "firmware.controller" = "V4.0.2，推荐 V4.2.1"
        """,
        source="answers.toml",
    )
    visits.record_items(engineer, key=key, answers={**GOOD, **answers}, notes=notes)
    items = {i["id"]: i for i in visits.show_visit(agent, key=key)["items"]}
    assert (items["environment.temperature"]["value"], items["environment.temperature"]["result"]) == (
        "29",
        "warn",
    )
    assert (items["capacity.days_until_full"]["value"], items["capacity.days_until_full"]["result"]) == (
        "60",
        "fail",
    )
    assert items["firmware.controller"]["note"] == "V4.0.2，推荐 V4.2.1"

    done = visits.complete_visit(
        engineer, key=key, summary="控制器固件需升级，备份容量即将写满", open_tickets=["firmware.controller"]
    )
    assert [(f["item_key"], f["severity"]) for f in done.findings] == [
        ("environment.temperature", "warn"),
        ("firmware.controller", "fail"),
        ("capacity.days_until_full", "fail"),
    ]
    follow_up = done.tickets[0]
    shown = visits.show_visit(agent, key=key)
    assert shown["status"] == "completed"
    assert shown["findings"][0]["item"] == "firmware.controller"  # failures first
    assert shown["findings"][0]["ticket"] == follow_up
    ticket = ticket_views.show_ticket(agent, key=follow_up)
    assert ticket["from_visit"] == {"item_key": "firmware.controller", "severity": "fail", "visit": key}
    assert ticket["customer"] == CUSTOMER and ticket["site"] == "主院区机房"
    usage = contracts.contract_usage(agent, number=CONTRACT)
    assert usage["entitlements"]["inspections"] == {"granted": 4, "used": 1, "left": 3, "beyond": 0}


def test_bad_answers_are_refused_and_nothing_is_recorded(site: MakeCtx) -> None:
    engineer = site("lijun")
    key = _inspection(site)
    visits.start_visit(engineer, key=key)
    before = _events(engineer)
    with pytest.raises(InvalidInput, match=r"item 'firmware\.bios': not an item of visit"):
        visits.record_items(engineer, key=key, answers={**GOOD, "firmware.bios": "ok"})
    with pytest.raises(InvalidInput, match=r"environment\.temperature 'warm': a number in °C is needed"):
        visits.record_items(engineer, key=key, answers={**GOOD, "environment.temperature": "warm"})
    with pytest.raises(InvalidInput, match=r"firmware\.disk 'good': a check takes ok, warn, fail, na"):
        visits.record_items(engineer, key=key, answers={**GOOD, "firmware.disk": "good"})
    with pytest.raises(InvalidInput, match=r"environment\.cabinet 'fine': choose one of"):
        visits.record_items(engineer, key=key, answers={**GOOD, "environment.cabinet": "fine"})
    with pytest.raises(InvalidInput, match="worked out by xhsvc"):
        visits.record_items(engineer, key=key, answers={"capacity.days_until_full": 10})
    for impossible in ("nan", "inf", "-inf", "1e400", float("nan")):
        with pytest.raises(InvalidInput, match=r"environment\.temperature .*: a finite number is needed"):
            visits.record_items(engineer, key=key, answers={**GOOD, "environment.temperature": impossible})
    with pytest.raises(InvalidInput, match=r"capacity\.used_tb '-5': must be at least 0 TB"):
        visits.record_items(engineer, key=key, answers={**GOOD, "capacity.used_tb": "-5"})
    with pytest.raises(
        InvalidInput, match=r"environment\.humidity '130': must be at least 0 and at most 100 %"
    ):
        visits.record_items(engineer, key=key, answers={**GOOD, "environment.humidity": "130"})
    assert _events(engineer) == before
    partial = {k: v for k, v in GOOD.items() if k not in ("network.latency", "summary.overall")}
    visits.record_items(engineer, key=key, answers=partial)
    with pytest.raises(NotAllowed, match=r"still needs network\.latency, summary\.overall"):
        visits.complete_visit(engineer, key=key)
    with pytest.raises(NotAllowed, match="visit record"):
        visits.record_items(site("zhangwei"), key=key, answers={"network.latency": 3})


def test_thresholds_set_the_result(site: MakeCtx) -> None:
    engineer = site("lijun")
    key = _inspection(site)
    visits.start_visit(engineer, key=key)
    for value, result in [(33, "fail"), (28, "warn"), (20, "ok"), (14, "warn"), (9, "fail")]:
        visits.record_items(engineer, key=key, answers={"environment.temperature": value})
        item = next(
            i for i in visits.show_visit(engineer, key=key)["items"] if i["id"] == "environment.temperature"
        )
        assert item["result"] == result, value


def test_a_disaster_recovery_drill(site: MakeCtx) -> None:
    agent, engineer = site("wangfang"), site("lijun")
    key = visits.add_visit(agent, contract=CONTRACT, kind="dr_drill", on="2026-11-28").key
    assert visits.show_visit(agent, key=key)["template"] == "dr-drill"
    visits.start_visit(engineer, key=key)
    visits.record_items(
        engineer,
        key=key,
        answers={
            "plan.scenario": "主存储控制器全部掉电，切换至灾备中心",
            "plan.approved": "ok",
            "plan.rto_target_min": 30,
            "fault.injected": "ok",
            "failover.recovery_min": 42,
            "failover.data_loss": 0,
            "failover.apps_verified": "ok",
            "failback.done": "ok",
        },
    )
    done = visits.complete_visit(engineer, key=key)
    assert [(f["item_key"], f["severity"]) for f in done.findings] == [("failover.recovery_min", "fail")]
    assert "恢复时间超过目标" in (done.findings[0]["recommendation"] or "")
    usage = contracts.contract_usage(agent, number=CONTRACT)
    assert usage["entitlements"]["inspections"]["used"] == 0  # a drill uses no inspection
    with pytest.raises(
        InvalidInput, match="template storage-inspection: it is for inspection visits, not dr_drill"
    ):
        visits.add_visit(
            agent, contract=CONTRACT, kind="dr_drill", on="2026-12-01", template="storage-inspection"
        )


def test_standby_days_use_the_standby_entitlement(site: MakeCtx) -> None:
    agent, engineer = site("wangfang"), site("lijun")
    key = visits.add_visit(agent, contract=CONTRACT, kind="standby", on="2026-11-20", days=3).key
    visits.start_visit(engineer, key=key)
    visits.record_items(
        engineer,
        key=key,
        answers={
            "event.description": "核心系统割接",
            "event.days": 3,
            "event.incidents": 0,
            "event.handover": "ok",
        },
    )
    visits.complete_visit(engineer, key=key)
    standby = contracts.contract_usage(agent, number=CONTRACT)["entitlements"]["standby_days"]
    assert (standby["used"], standby["left"]) == (3, 7)


def test_due_and_overdue(site: MakeCtx, clock) -> None:
    agent = site("wangfang")
    late = _inspection(site, on="2026-11-10")
    soon = _inspection(site, on="2026-11-30")
    later = _inspection(site, on="2027-01-15")
    due = visits.due_visits(agent, within="14d")
    assert [(v["key"], v["overdue"]) for v in due] == [(late, True), (soon, False)]
    assert later not in {v["key"] for v in due}
    assert [v["key"] for v in visits.list_visits(agent, overdue=True)] == [late]
    visits.reschedule_visit(agent, key=late, on="2026-11-25", reason="客户要求改期")
    visits.cancel_visit(agent, key=soon, reason="合并到下次巡检")
    assert [v["key"] for v in visits.due_visits(agent, within="14d")] == [late]


def test_the_report_compares_with_the_previous_inspection(site: MakeCtx, clock) -> None:
    engineer = site("lijun")
    first = _inspection(site, on="2026-08-20")
    visits.start_visit(engineer, key=first)
    visits.record_items(engineer, key=first, answers=GOOD)
    visits.complete_visit(engineer, key=first)
    clock.advance(days=1)
    second = _inspection(site)
    visits.start_visit(engineer, key=second)
    visits.record_items(
        engineer,
        key=second,
        answers={
            **GOOD,
            "firmware.controller_version": "V4.2.1",
            "capacity.used_tb": 68,
            "firmware.multipath": "warn",
        },
    )
    visits.complete_visit(engineer, key=second, summary="固件已升级；多路径软件待升级")
    markdown = reports.visit_report(engineer, key=second, fmt="md")
    assert f"- 巡检编号 Visit: **{second}** (completed)" in markdown
    assert "## 运行环境 Environment" in markdown
    assert "| XS-8000 | XS8K-2024-00052 | V4.0.2 |" in markdown
    assert "| 控制器固件版本 Controller firmware version | V4.0.2 | V4.2.1  | 更新 changed |" in markdown
    assert "| 已用容量 Used | 60 | 68 TB | +8 |" in markdown
    assert "建议 Recommendation: 升级多路径软件到推荐版本" in markdown
    html = reports.visit_report(engineer, key=second, fmt="html")
    assert html.startswith("<!DOCTYPE html>") and "<style>" in html and "@media print" in html
    assert "http://" not in html and "https://" not in html and "<link" not in html and "<script" not in html
    assert "V4.2.1" in html and "升级多路径软件到推荐版本" in html
    with pytest.raises(InvalidInput, match="format 'pdf'"):
        reports.visit_report(engineer, key=second, fmt="pdf")


def test_completing_beyond_the_grant_needs_a_manager(site: MakeCtx) -> None:
    engineer = site("lijun")
    for _ in range(4):
        key = _inspection(site)
        visits.start_visit(engineer, key=key)
        visits.record_items(engineer, key=key, answers=GOOD)
        visits.complete_visit(engineer, key=key)
    extra = _inspection(site)
    visits.start_visit(engineer, key=extra)
    visits.record_items(engineer, key=extra, answers=GOOD)
    with pytest.raises(NotAllowed, match="0 inspections left of 4 this term; using more needs a manager"):
        visits.complete_visit(engineer, key=extra)
    done = visits.complete_visit(site("zhoujian"), key=extra)
    assert done.beyond_grant is True


def test_a_visit_uses_the_entitlement_of_its_own_term(site: MakeCtx, clock) -> None:
    agent, engineer = site("wangfang"), site("lijun")
    key = _inspection(site, on="2026-12-28")
    clock.now = clock.now + (date(2027, 1, 4) - date(2026, 11, 20))  # done after the term ended
    visits.start_visit(engineer, key=key)
    visits.record_items(engineer, key=key, answers=GOOD)
    visits.complete_visit(engineer, key=key)
    term_one = contracts.contract_usage(agent, number=CONTRACT, at="2026-12-28")
    assert term_one["entitlements"]["inspections"]["used"] == 1
