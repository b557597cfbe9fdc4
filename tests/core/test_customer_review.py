"""The customer's monthly review (客户服务回顾) against a month counted by hand.

The desk's customer (浙江省第一人民医院, gold 7x24, HT-2026-001 for 2026: 4 inspections, 2
trainings, 10 standby days) in November 2026; P3 is response 2h, resolution 2d, P1 30m and 8h.
Times are Asia/Shanghai; the test clock ends at 20 November 10:00.

    ticket  system        recorded   response              resolution            status
    A       XS8K-00052    11-02 10h  met 11h (1h)          met 11-03 10h (24h)   closed
    B       XS8K-00052    11-05 10h  LATE 13h (3h)         LATE: due 11-07 10h,  resolved
                                                           stopped 11-08 10h (72h)
    H       -             11-12 10h  met 10:10 (10m)       met 16h (6h)          resolved; P1,
            (title: hostile markup)                                              major, no review
    V       -             11-16 11h  met 11:30 (30m)       met 11-17 09h (22h)   resolved; the
            (the inspection's follow-up for firmware.controller)                 finding's ticket
    E       -             11-18 10h  cancelled at 11h: no SLA                    cancelled
    G       -             11-20 09h  running (due 11h)     running               assigned
    X       北京银行's ticket of 11-10: not this customer's.

Tickets: 6 (P3 5, P1 1; closed 1, resolved 3, cancelled 1, assigned 1); SLA breached on 1 (B).
SLA (clocks decided in November): response met A H V, breached B: 3/4; resolution met A H V,
breached B: 3/4; 6 of 8 = 75.0%. Respond 60, 180, 10, 30: mean 70m = 1h10m, p90 (4th of 4) 3h.
Resolve 1440, 4320, 360, 1320: mean 1860 = 1d7h, p90 4320 = 3d. Resolved at least once A B H V,
reopened none: 0.0%.
The inspection IN-... (11-16): firmware.controller fails (its follow-up V is resolved: not open),
environment.temperature 29 warns (no follow-up: open, its recommendation is recommended).
Derived: A and B on the same system (repeated faults); H's review is owed; HT-2026-001 ends
2026-12-31, within 90 days of November's end, with 3 inspections, 2 trainings, 10 standby days
left (the inspection used one).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests.conftest import CONTRACT, CUSTOMER, MakeCtx
from tests.core.test_visits import GOOD
from xhsvc.core import contracts, customer_review, customers, tickets, visits
from xhsvc.errors import InvalidInput, NotAllowed, NotFound
from xhsvc.store.tables import Event

SH = ZoneInfo("Asia/Shanghai")
BANK = "北京银行"
SERIAL = "XS8K-2024-00052"
HOSTILE = "<script>alert(1)</script> | *控制器* [x](http://e.vil) _掉线_"


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH).astimezone(UTC)


@pytest.fixture
def month(desk: MakeCtx, clock) -> dict[str, str]:
    agent, manager, lijun = desk("wangfang"), desk("zhoujian"), desk("lijun")
    customers.add_site(agent, customer=CUSTOMER, name="主院区机房", address="解放路88号", city="杭州")
    customers.add_asset(
        agent, customer=CUSTOMER, model="XS-8000", serial=SERIAL, firmware="V4.0.2", site="主院区机房"
    )
    customers.add_customer(agent, name=BANK, region="北京", industry="金融")
    contracts.add_contract(
        agent, number="HT-BJ-2025", customer=BANK, level="gold", start="2025-12-01", end="2026-11-30"
    )
    keys: dict[str, str] = {}

    def at(*when: int) -> None:
        clock.now = sh(*when)

    def open_(name: str, customer: str, *when: int, title: str | None = None, **kw) -> str:
        at(*when)
        key = tickets.open_ticket(agent, customer=customer, title=title or f"故障 {name}", **kw).ticket.key
        tickets.assign_ticket(agent, key=key, assignee="lijun")
        keys[name] = key
        return key

    a = open_("A", CUSTOMER, 2026, 11, 2, 10, 0, asset=SERIAL)
    at(2026, 11, 2, 11, 0)
    tickets.respond_ticket(lijun, key=a)
    at(2026, 11, 3, 10, 0)
    tickets.resolve_ticket(lijun, key=a, resolution="已修复")
    tickets.close_ticket(agent, key=a)

    b = open_("B", CUSTOMER, 2026, 11, 5, 10, 0, asset=SERIAL)
    at(2026, 11, 5, 13, 0)
    tickets.respond_ticket(lijun, key=b)
    at(2026, 11, 8, 10, 0)
    tickets.resolve_ticket(lijun, key=b, resolution="更换控制器")

    open_("X", BANK, 2026, 11, 10, 10, 0)

    h = open_("H", CUSTOMER, 2026, 11, 12, 10, 0, title=HOSTILE, impact=1, urgency=1)
    at(2026, 11, 12, 10, 10)
    tickets.respond_ticket(lijun, key=h)
    at(2026, 11, 12, 16, 0)
    tickets.resolve_ticket(lijun, key=h, resolution="切换到备机")

    at(2026, 11, 16, 9, 0)
    visit = visits.add_visit(agent, contract=CONTRACT, kind="inspection", on="2026-11-16").key
    visits.assign_visit(agent, key=visit, engineer="lijun")
    visits.start_visit(lijun, key=visit)
    answers = {**GOOD, "firmware.controller": "fail", "environment.temperature": 29}
    visits.record_items(lijun, key=visit, answers=answers, notes={"firmware.controller": "V4.0.2 <旧>"})
    at(2026, 11, 16, 11, 0)
    done = visits.complete_visit(
        lijun, key=visit, summary="控制器固件需升级 <b>尽快</b>", open_tickets=["firmware.controller"]
    )
    keys["visit"] = visit
    v = keys["V"] = done.tickets[0]
    at(2026, 11, 16, 11, 30)
    tickets.respond_ticket(lijun, key=v)
    at(2026, 11, 17, 9, 0)
    tickets.resolve_ticket(lijun, key=v, resolution="固件已升级")

    e = open_("E", CUSTOMER, 2026, 11, 18, 10, 0)
    at(2026, 11, 18, 11, 0)
    tickets.cancel_ticket(agent, key=e, reason="重复记录")

    open_("G", CUSTOMER, 2026, 11, 20, 9, 0)
    at(2026, 11, 20, 10, 0)
    assert manager  # the manager reads the review
    return keys


def _events(ctx) -> int:
    with ctx.reading() as tx:
        return tx.conn.execute(select(func.count()).select_from(Event.__table__)).scalar_one()


def test_the_months_tickets_counted_and_listed(desk: MakeCtx, month) -> None:
    data = customer_review.review_data(desk("zhoujian"), customer=CUSTOMER, month="2026-11")
    assert [t["key"] for t in data["tickets"]] == [month[k] for k in "ABHVEG"]
    counts = data["counts"]
    assert counts["total"] == 6 and counts["breached"] == 1
    assert counts["by_priority"] == [{"priority": "P1", "count": 1}, {"priority": "P3", "count": 5}]
    assert {s["status"]: s["count"] for s in counts["by_status"]} == {
        "已分派 Assigned": 1,
        "已解决 Resolved": 3,
        "已关闭 Closed": 1,
        "已取消 Cancelled": 1,
    }
    sla = {t["key"]: t["sla"] for t in data["tickets"]}
    assert sla[month["A"]] == {"state": "met", "targets": []}
    assert sla[month["B"]] == {"state": "breached", "targets": ["响应 Response", "解决 Resolution"]}
    assert sla[month["E"]]["state"] is None and sla[month["G"]]["state"] == "running"
    a = data["tickets"][0]
    assert (a["opened"], a["resolved"], a["closed"], a["priority"]) == (
        "2026-11-02 10:00",
        "2026-11-03 10:00",
        "2026-11-03 10:00",
        "P3",
    )
    assert data["contracts"] == [
        {"contract": CONTRACT, "term": 1, "level": "gold", "start": "2026-01-01", "end": "2026-12-31"}
    ]
    assert data["writer"] == {"name": "周建", "handle": "zhoujian"}
    assert data["written_at"] == "2026-11-20 10:00"
    assert data["period"] == {"first": "2026-11-01", "last": "2026-11-30"}


def test_the_months_sla_is_the_customers_sla_report(desk: MakeCtx, month) -> None:
    sla = customer_review.review_data(desk("admin"), customer=CUSTOMER, month="2026-11")["sla"]
    assert (sla["met"], sla["breached"], sla["compliance"]) == (6, 2, 75.0)
    targets = {t["label"]: (t["met"], t["breached"], t["compliance"]) for t in sla["targets"]}
    assert targets == {
        "响应 Response": (3, 1, 75.0),
        "到场 On site": (0, 0, None),
        "解决 Resolution": (3, 1, 75.0),
    }
    assert sla["respond"] == {"count": 4, "mean": "1h10m", "p90": "3h"}
    assert sla["resolve"] == {"count": 4, "mean": "1d7h", "p90": "3d"}
    assert (sla["resolved"], sla["reopened"], sla["reopen_rate"]) == (4, 0, 0.0)


def test_majors_visits_entitlements_and_recommendations(desk: MakeCtx, month) -> None:
    data = customer_review.review_data(desk("zhoujian"), customer=CUSTOMER, month="2026-11")
    (major,) = data["majors"]
    assert (major["key"], major["priority"], major["took"], major["review_owed"]) == (
        month["H"],
        "P1",
        "6h",
        True,
    )
    (visit,) = data["visits"]
    assert (visit["key"], visit["kind"], visit["completed"], visit["engineer"]) == (
        month["visit"],
        "巡检 Inspection",
        "2026-11-16 11:00",
        "李军",
    )
    assert [(f["item"], f["severity_code"], f["ticket"]) for f in visit["findings"]] == [
        ("firmware.controller", "fail", month["V"]),
        ("environment.temperature", "warn", None),
    ]
    (term,) = data["entitlements"]
    assert {r["label"]: (r["granted"], r["used"], r["left"]) for r in term["rows"]} == {
        "巡检 Inspections": (4, 1, 3),
        "培训 Trainings": (2, 0, 2),
        "保障天数 Standby days": (10, 0, 10),
    }
    recommended = data["recommendations"]
    # The failure's follow-up is resolved: only the warning is still open.
    assert [f["item"] for f in recommended["findings"]] == ["environment.temperature"]
    derived = {d["kind"]: d for d in recommended["derived"]}
    assert set(derived) == {"repeated", "review_owed", "entitlements_left"}
    assert (
        derived["repeated"]["count"] == 2 and derived["repeated"]["tickets"] == f"{month['A']}, {month['B']}"
    )
    assert derived["repeated"]["system"] == f"XS-8000 {SERIAL}"
    assert derived["review_owed"]["key"] == month["H"]
    assert derived["entitlements_left"]["end"] == "2026-12-31"


def test_the_markdown_review_escapes_every_text(desk: MakeCtx, month) -> None:
    page = customer_review.customer_review(desk("zhoujian"), customer=CUSTOMER, month="2026-11")
    assert isinstance(page, str)
    assert page.startswith(f"# 客户服务回顾 Service review — {CUSTOMER} 2026-11")
    for expected in (
        "HT-2026-001 (gold, 2026-01-01 — 2026-12-31)",
        "编写 Written by: 周建 (zhoujian), 2026-11-20 10:00",
        "Tickets recorded in the month: **6**; SLA 超时 breached on 1",
        "按优先级 By priority: P1 1, P3 5",
        # Markup in a title is only text: escaped, and the table keeps its cells.
        "\\<script\\>alert(1)\\</script\\> \\| \\*控制器\\* \\[x\\](http://e.vil) \\_掉线\\_",
        f"| {month['B']} | 2026-11-05 10:00 | 故障 B | P3 | 已解决 Resolved | 2026-11-08 10:00 | — "
        "| 超时 Breached (响应 Response, 解决 Resolution) |",
        "达标率 Compliance: **75.0%** (达标 met 6, 超时 breached 2)",
        "| 响应 Response | 3 | 1 | 75.0% |",
        "平均 mean 1h10m, p90 3h (4)",
        "复盘 Review: 待复盘 Review owed",
        "控制器固件需升级 \\<b\\>尽快\\</b\\>",
        "| 巡检 Inspections | 4 | 1 | 3 |",
        f"XS-8000 {SERIAL} 本月报修 2 次（{month['A']}, {month['B']}）",
        "## 签字确认 Sign-off",
        "| 姓名 Name | 周建 | |",
    ):
        assert expected in page, expected
    assert re.search(r"(?<!\\)<", page) is None  # no markup but the escaped


def test_the_html_review_is_a_printable_page_with_every_text_escaped(desk: MakeCtx, month) -> None:
    page = customer_review.customer_review(desk("zhoujian"), customer=CUSTOMER, month="2026-11", fmt="html")
    assert isinstance(page, str) and page.startswith("<!DOCTYPE html>")
    assert "@page { size: A4" in page and "客户服务回顾 Service review" in page
    assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; | *控制器*" in page
    assert "控制器固件需升级 &lt;b&gt;尽快&lt;/b&gt;" in page and "&lt;旧&gt;" in page
    assert '<span class="fail">超时 Breached（响应 Response，解决 Resolution）</span>' in page
    assert '<section class="signoff">' in page


def test_the_review_as_pdf(desk: MakeCtx, month) -> None:
    pytest.importorskip("weasyprint")
    document = customer_review.customer_review(
        desk("zhoujian"), customer=CUSTOMER, month="2026-11", fmt="pdf"
    )
    assert isinstance(document, bytes) and document.startswith(b"%PDF-")


def test_an_empty_month_says_so(desk: MakeCtx) -> None:
    page = customer_review.customer_review(desk("zhoujian"), customer=CUSTOMER, month="2026-10")
    assert "本月无工单 No tickets in the month." in page
    assert "达标率 Compliance: **—**" in page and "本月无重大事件" in page and "本月无完成的巡检" in page
    data = customer_review.review_data(desk("zhoujian"), customer=CUSTOMER, month="2025-11")
    assert data["contracts"] == [] and data["entitlements"] == []


@pytest.mark.parametrize(
    ("who", "change", "error", "words"),
    [
        ("wangfang", {}, NotAllowed, "only manager or admin may read it; wangfang is agent"),
        ("lijun", {}, NotAllowed, "lijun is engineer"),
        ("zhoujian", {"month": "2026-13"}, InvalidInput, "month '2026-13': use YYYY-MM"),
        ("zhoujian", {"month": "11月"}, InvalidInput, "month '11月'"),
        ("zhoujian", {"month": " "}, InvalidInput, "month: give the month as YYYY-MM"),
        ("zhoujian", {"customer": " "}, InvalidInput, "customer: give the customer's name"),
        ("zhoujian", {"customer": "没有这个客户"}, NotFound, "customer '没有这个客户' not found"),
        ("zhoujian", {"fmt": "docx"}, InvalidInput, "format 'docx': must be md, html or pdf"),
    ],
)
def test_a_review_that_cannot_be_written_is_refused_and_writes_nothing(
    desk: MakeCtx, month, who: str, change: dict, error: type[Exception], words: str
) -> None:
    before = _events(desk("admin"))
    wanted = {"customer": CUSTOMER, "month": "2026-11", **change}
    with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)")) as raised:
        customer_review.customer_review(desk(who), **wanted)
    assert "\n" not in str(raised.value)
    assert _events(desk("admin")) == before
