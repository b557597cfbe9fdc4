"""The manager's reports against a month counted by hand.

The desk's customer (杭州, gold 7x24) and 北京银行 (北京, gold, its term ending 30 November) call in
November 2026; every ticket is P3 (response 2h, resolution 2d) but F, a major P1 (30m, 8h). Times
are Asia/Shanghai; the test clock ends at 20 November 10:00.

    ticket  customer  engineer  recorded   response              resolution
    D       杭州      lijun     10-30 10h  met 10-30 (1h)        met 11-01 09h (47h)
    A       杭州      lijun     11-02 10h  met (1h)              met 11-03 10h (24h)
    B       杭州      lijun     11-05 10h  LATE 11-05 12h (3h)   LATE 11-07 10h (72h); reopened
                                                                 11-08 12h, met 11-09 12h (24h)
    C       北京      zhangwei  11-10 10h  met (30m)             BREACHED 11-12 10h, still running
    E       北京      -         11-15 10h  cancelled at 11h: its clocks count nowhere
    F       北京      zhangwei  11-18 10h  met (10m)             met (6h); major, reviewed 11-19
    G       北京      -         11-20 09h  running, due 11h: not decided yet

November: response met 3 (A C F), breached 1 (B); resolution met 4 (D A B2 F), breached 2 (B1 C);
met 7 of 10: 70.0%. Respond 60, 180, 30, 10 min: mean 70.0, p90 (nearest rank, 4th of 4) 180.
Resolve 1440, 4320, 1440, 2820, 360 min: mean 2076.0, p90 4320. Tickets recorded: A B C F G = 5;
resolved at least once A B F; reopened B: 33.3%.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import CONTRACT, CUSTOMER, MakeCtx
from xhsvc.core import contracts, customers, manager_reports, report_pages, tickets, worklogs
from xhsvc.errors import InvalidInput, NotAllowed, NotFound

SH = ZoneInfo("Asia/Shanghai")
BANK = "北京银行"


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH).astimezone(UTC)


@pytest.fixture
def month(desk: MakeCtx, clock) -> dict[str, str]:
    agent, manager, lijun, zhangwei = desk("wangfang"), desk("zhoujian"), desk("lijun"), desk("zhangwei")
    customers.add_customer(agent, name=BANK, region="北京", industry="金融")
    contracts.add_contract(
        agent, number="HT-BJ-2025", customer=BANK, level="gold", start="2025-12-01", end="2026-11-30"
    )
    keys: dict[str, str] = {}

    def at(*when: int) -> None:
        clock.now = sh(*when)

    def open_(name: str, customer: str, engineer: str | None, *when: int, **kw) -> str:
        at(*when)
        key = tickets.open_ticket(agent, customer=customer, title=f"故障 {name}", **kw).ticket.key
        if engineer:
            tickets.assign_ticket(agent, key=key, assignee=engineer)
        keys[name] = key
        return key

    d = open_("D", CUSTOMER, "lijun", 2026, 10, 30, 10, 0)
    at(2026, 10, 30, 11, 0)
    tickets.respond_ticket(lijun, key=d)
    at(2026, 11, 1, 9, 0)
    tickets.resolve_ticket(lijun, key=d, resolution="已更换")
    tickets.close_ticket(agent, key=d)

    a = open_("A", CUSTOMER, "lijun", 2026, 11, 2, 10, 0)
    at(2026, 11, 2, 11, 0)
    tickets.respond_ticket(lijun, key=a)
    at(2026, 11, 3, 10, 0)
    tickets.resolve_ticket(lijun, key=a, resolution="已修复")
    tickets.close_ticket(agent, key=a)

    b = open_("B", CUSTOMER, "lijun", 2026, 11, 5, 10, 0)
    at(2026, 11, 5, 13, 0)
    tickets.respond_ticket(lijun, key=b)
    at(2026, 11, 8, 10, 0)
    tickets.resolve_ticket(lijun, key=b, resolution="重启")
    at(2026, 11, 8, 12, 0)
    tickets.confirm_ticket(agent, key=b, by="客户", unresolved=True, note="仍然报错")
    at(2026, 11, 9, 12, 0)
    tickets.resolve_ticket(lijun, key=b, resolution="更换控制器")

    c = open_("C", BANK, "zhangwei", 2026, 11, 10, 10, 0)
    at(2026, 11, 10, 10, 30)
    tickets.respond_ticket(zhangwei, key=c)

    e = open_("E", BANK, None, 2026, 11, 15, 10, 0)
    at(2026, 11, 15, 11, 0)
    tickets.cancel_ticket(agent, key=e, reason="重复记录")

    f = open_("F", BANK, "zhangwei", 2026, 11, 18, 10, 0, impact=1, urgency=1)
    at(2026, 11, 18, 10, 10)
    tickets.respond_ticket(zhangwei, key=f)
    at(2026, 11, 18, 16, 0)
    tickets.resolve_ticket(zhangwei, key=f, resolution="切换到备机")
    at(2026, 11, 19, 10, 0)
    tickets.review_ticket(manager, key=f, root_cause="固件缺陷", actions="升级固件")
    tickets.close_ticket(agent, key=f)

    open_("G", BANK, None, 2026, 11, 20, 9, 0)

    at(2026, 11, 20, 9, 30)
    worklogs.log_work(lijun, key=a, duration="1h30m", kind="remote", at=sh(2026, 11, 2, 11, 0))
    worklogs.log_work(zhangwei, key=c, duration="2h", kind="onsite", at=sh(2026, 11, 10, 14, 0))
    contracts.use_entitlement(agent, number=CONTRACT, kind="inspections", on="2026-11-10")
    contracts.use_entitlement(agent, number=CONTRACT, kind="inspections", on="2026-12-10")
    at(2026, 11, 20, 10, 0)
    return keys


def test_sla_met_and_breached_per_target_and_compliance(desk: MakeCtx, month) -> None:
    report = manager_reports.sla_report(desk("zhoujian"), month="2026-11")
    total = report.total
    assert total.targets["response"] == {"met": 3, "breached": 1, "compliance": 75.0}
    assert total.targets["resolution"] == {"met": 4, "breached": 2, "compliance": 66.7}
    assert total.targets["onsite"] == {"met": 0, "breached": 0, "compliance": None}
    assert (total.met, total.breached, total.compliance) == (7, 3, 70.0)
    assert report.start == sh(2026, 11, 1, 0, 0) and report.end == sh(2026, 12, 1, 0, 0)


def test_sla_times_to_respond_and_resolve(desk: MakeCtx, month) -> None:
    total = manager_reports.sla_report(desk("zhoujian"), month="2026-11").total
    assert (total.respond.count, total.respond.mean_min, total.respond.p90_min) == (4, 70.0, 180.0)
    assert (total.resolve.count, total.resolve.mean_min, total.resolve.p90_min) == (5, 2076.0, 4320.0)


def test_sla_volume_and_reopen_rate(desk: MakeCtx, month) -> None:
    total = manager_reports.sla_report(desk("zhoujian"), month="2026-11").total
    assert (total.tickets, total.resolved, total.reopened, total.reopen_rate) == (5, 3, 1, 33.3)


def test_sla_by_region_engineer_level_and_customer(desk: MakeCtx, month) -> None:
    ctx = desk("zhoujian")
    by_region = {g.group: g for g in manager_reports.sla_report(ctx, month="2026-11", by="region").groups}
    assert set(by_region) == {"杭州", "北京"}
    assert (by_region["杭州"].tickets, by_region["杭州"].met, by_region["杭州"].breached) == (2, 4, 2)
    assert by_region["杭州"].compliance == 66.7 and by_region["杭州"].reopen_rate == 50.0
    assert (by_region["北京"].tickets, by_region["北京"].met, by_region["北京"].breached) == (3, 3, 1)
    assert by_region["北京"].compliance == 75.0
    by_engineer = {g.group: g for g in manager_reports.sla_report(ctx, month="2026-11", by="ENGINEER").groups}
    # G has no engineer yet: recorded, no clock decided.
    assert {k: (g.tickets, g.met, g.breached) for k, g in by_engineer.items()} == {
        "lijun": (2, 4, 2),
        "zhangwei": (2, 3, 1),
        None: (1, 0, 0),
    }
    assert by_engineer["lijun"].respond.p90_min == 180.0
    by_level = manager_reports.sla_report(ctx, month="2026-11", by="level").groups
    assert [(g.group, g.met, g.breached) for g in by_level] == [("gold", 7, 3)]
    by_customer = {g.group for g in manager_reports.sla_report(ctx, month="2026-11", by="customer").groups}
    assert by_customer == {CUSTOMER, BANK}


def test_sla_of_one_customer_is_that_customers_group(desk: MakeCtx, month) -> None:
    report = manager_reports.sla_report(desk("zhoujian"), month="2026-11", customer=BANK)
    assert report.customer == BANK
    assert (report.total.tickets, report.total.met, report.total.breached) == (3, 3, 1)
    assert [b["target"] for b in report.breaches] == ["resolution"]


def test_sla_daily_trend_and_breaches(desk: MakeCtx, month) -> None:
    report = manager_reports.sla_report(desk("zhoujian"), month="2026-11")
    days = {d.day: d for d in report.daily}
    assert len(report.daily) == 30 and report.daily[0].day == date(2026, 11, 1)
    assert (days[date(2026, 11, 1)].met, days[date(2026, 11, 1)].breached) == (1, 0)
    assert (days[date(2026, 11, 5)].tickets, days[date(2026, 11, 5)].breached) == (1, 1)
    assert days[date(2026, 11, 12)].breached == 1 and days[date(2026, 11, 18)].met == 2
    assert days[date(2026, 11, 15)].tickets == 0  # E was cancelled
    assert sum(d.met for d in report.daily) == 7 and sum(d.tickets for d in report.daily) == 5
    assert report.breaches_total == 3
    assert [(b["key"], b["target"]) for b in report.breaches] == [
        (month["C"], "resolution"),
        (month["B"], "resolution"),
        (month["B"], "response"),
    ]
    assert report.breaches[0]["breached_at"] == sh(2026, 11, 12, 10, 0)


def test_october_keeps_its_own_clocks(desk: MakeCtx, month) -> None:
    total = manager_reports.sla_report(desk("zhoujian"), month="2026-10").total
    assert (total.tickets, total.met, total.breached) == (1, 1, 0)
    assert total.targets["response"]["met"] == 1 and total.respond.mean_min == 60.0


def test_csv_rows_have_every_target_and_a_total(desk: MakeCtx, month) -> None:
    rows = report_pages.sla_rows(manager_reports.sla_report(desk("zhoujian"), month="2026-11", by="region"))
    assert [r["group"] for r in rows] == ["北京", "杭州", "total"]
    assert rows[-1]["resolution_breached"] == 2 and rows[-1]["respond_p90_min"] == 180.0


def test_backlog_by_age_and_tier(desk: MakeCtx, month) -> None:
    report = manager_reports.backlog_report(desk("wangfang"))  # anyone may read it
    # Open: B (resolved, not closed; 15 days), C (10 days, resolution overdue), G (1 hour).
    assert (report["open"], report["overdue"], report["major"]) == (3, 1, 0)
    l1 = next(r for r in report["by_tier"] if r["tier"] == "L1")
    assert (l1["under 1 day"], l1["7-30 days"], l1["total"]) == (1, 2, 3)
    assert report["by_priority"]["P3"] == 3
    assert [r["key"] for r in report["oldest"]] == [month["B"], month["C"], month["G"]]
    assert report["oldest"][0]["age_days"] == 15.0
    days = {d["day"]: d["tickets"] for d in report["daily"]}
    assert days[date(2026, 11, 20)] == 1 and days[date(2026, 11, 10)] == 1 and len(days) == 30


def test_workload_per_engineer(desk: MakeCtx, month) -> None:
    report = manager_reports.workload_report(desk("zhoujian"), month="2026-11")
    rows = {r["engineer"]: r for r in report["rows"]}
    assert {k: (r["open"], r["resolved"], r["closed"], r["minutes"]) for k, r in rows.items()} == {
        "zhangwei": (1, 1, 1, 120),
        "lijun": (1, 3, 2, 90),
        "wuhao": (0, 0, 0, 0),
        "sunli": (0, 0, 0, 0),
    }
    assert rows["lijun"]["hours"] == 1.5 and rows["zhangwei"]["onsite"] == 120
    days = {d["day"]: d["hours"] for d in report["daily"]}
    assert days[date(2026, 11, 2)] == 1.5 and days[date(2026, 11, 10)] == 2.0


def test_entitlements_left_and_expiring_unused(desk: MakeCtx, month) -> None:
    report = manager_reports.entitlements_report(desk("zhoujian"), month="2026-11")
    rows = {r["contract"]: r for r in report["rows"]}
    ours = rows[CONTRACT]["entitlements"]["inspections"]
    # The December use is after the month's end: not counted in November.
    assert (ours["granted"], ours["used"], ours["left"], ours["expiring"]) == (4, 1, 3, 0)
    assert rows[CONTRACT]["expires"] is False
    bank = rows["HT-BJ-2025"]
    assert bank["expires"] is True and bank["end"] == date(2026, 11, 30)
    assert {k: v["expiring"] for k, v in bank["entitlements"].items()} == {
        "inspections": 4,
        "trainings": 2,
        "standby_days": 10,
    }
    assert report["totals"]["inspections"] == {"granted": 8, "used": 1, "left": 7, "expiring": 4}
    flat = report_pages.entitlement_rows(report)
    assert len(flat) == 6 and {r["kind"] for r in flat} == {"inspections", "trainings", "standby_days"}
    december = manager_reports.entitlements_report(desk("zhoujian"), month="2026-12")
    assert [r["contract"] for r in december["rows"]] == [CONTRACT]


def test_majors_with_their_reviews(desk: MakeCtx, month) -> None:
    report = manager_reports.majors_report(desk("admin"), month="2026-11")
    assert (report["count"], report["reviewed"], report["review_owed"], report["open"]) == (1, 1, 0, 0)
    (major,) = report["rows"]
    assert (major["key"], major["priority"], major["root_cause"], major["resolve_min"]) == (
        month["F"],
        "P1",
        "固件缺陷",
        360,
    )


def test_who_reads_and_what_is_refused(desk: MakeCtx, month) -> None:
    with pytest.raises(NotAllowed, match="only manager or admin"):
        manager_reports.sla_report(desk("wangfang"), month="2026-11")
    with pytest.raises(NotAllowed):
        manager_reports.workload_report(desk("lijun"))
    with pytest.raises(InvalidInput, match=r"month '2026-13': use YYYY-MM"):
        manager_reports.sla_report(desk("zhoujian"), month="2026-13")
    with pytest.raises(InvalidInput, match=r"by 'team': must be one of level, region, engineer, customer"):
        manager_reports.sla_report(desk("zhoujian"), by="team")
    with pytest.raises(NotFound):
        manager_reports.sla_report(desk("zhoujian"), customer="没有这个客户")


def test_an_empty_month_has_no_compliance(desk: MakeCtx) -> None:
    report = manager_reports.sla_report(desk("zhoujian"))
    assert report.month == "2026-11" and report.total.compliance is None and report.total.tickets == 0
    assert report.total.respond.mean_min is None and report.breaches == []
