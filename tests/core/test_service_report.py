"""The service report: what closing on-site work keeps, written from the ticket (its fault, the
time logged, the parts replaced, the resolution and the customer's confirmation), in Markdown and
printable HTML; and the parts an engineer records. The test clock stands at 2026-11-20 10:00 in
Shanghai (02:00 UTC)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import CUSTOMER, MakeCtx
from xhsvc.core import approvals, customers, parts, service_report, ticket_views, tickets, worklogs
from xhsvc.errors import InvalidInput, NotAllowed, NotFound
from xhsvc.store.tables import PartReplacement


@pytest.fixture
def onsite(desk: MakeCtx, clock) -> str:
    """A ticket on 浙一's array at its data centre, with on-site work approved and in progress."""
    agent = desk("wangfang")
    customers.add_site(
        agent, customer=CUSTOMER, name="主数据中心", address="杭州市上城区解放路88号", city="杭州"
    )
    customers.add_asset(
        agent,
        customer=CUSTOMER,
        model="XS-5000 统一存储",
        serial="XS2024-0042",
        firmware="V5.2.1",
        site="主数据中心",
    )
    key = tickets.open_ticket(
        agent,
        customer=CUSTOMER,
        title="硬盘故障灯亮 | 热备盘已接管",
        description="3号柜第2框 <b>槽位7</b> 黄灯",
        asset="XS2024-0042",
        contact="陈主任/13900001111",
    ).ticket.key
    tickets.assign_ticket(agent, key=key, assignee="lijun")
    tickets.respond_ticket(desk("lijun"), key=key, note="远程确认硬盘故障")
    approvals.request_onsite(desk("lijun"), key=key, reason="需现场更换硬盘")
    approvals.approve_request(agent, key=key)
    return key


def _finish(desk: MakeCtx, key: str) -> None:
    tickets.resolve_ticket(desk("lijun"), key=key, resolution="更换槽位7硬盘，重建完成")
    tickets.confirm_ticket(desk("wangfang"), key=key, by="信息科 陈主任")


def _parts(desk: MakeCtx) -> int:
    with desk("admin").db.read() as conn:
        return conn.execute(select(func.count()).select_from(PartReplacement.__table__)).scalar_one()


def test_closing_onsite_work_without_a_file_keeps_the_report_xhsvc_writes(
    desk: MakeCtx, onsite: str, clock
) -> None:
    lijun = desk("lijun")
    worklogs.log_work(lijun, key=onsite, duration="40m", kind="travel")
    worklogs.log_work(lijun, key=onsite, duration="1h30m", kind="onsite", note="更换硬盘并观察重建")
    worklogs.log_work(lijun, key=onsite, duration="45m", kind="onsite")
    parts.record_part(
        lijun, key=onsite, part="DK-4T-SAS", description="4TB SAS 硬盘", removed="ZC1001", installed="zc2002"
    )
    _finish(desk, onsite)
    clock.advance(hours=1)
    tickets.close_ticket(desk("wangfang"), key=onsite)

    report = ticket_views.show_ticket(desk("wangfang"), key=onsite)["report"]
    assert report.startswith(f"# 服务报告 Service report — {onsite}")
    for expected in (
        "已关闭 Closed",
        "浙江省第一人民医院",
        "主数据中心 杭州市上城区解放路88号",
        "| XS-5000 统一存储 | XS2024-0042 | V5.2.1 |",
        "HT-2026-001 (gold)",
        "李军 (lijun)",
        # The title's | would split a table cell: escaped; the description's tag is only text.
        "**硬盘故障灯亮 \\| 热备盘已接管**",
        "3号柜第2框 \\<b\\>槽位7\\</b\\> 黄灯",
        "| 1h30m | 更换硬盘并观察重建 |",
        # 1h30m + 45m on site; the travel is counted apart.
        "Time on site: **2h15m**; 路途 Travel: 40m; 远程 Remote: 0m",
        "| DK-4T-SAS | 4TB SAS 硬盘 | 1 | ZC1001 | ZC2002 |",
        "更换槽位7硬盘，重建完成",
        "信息科 陈主任 于 2026-11-20 10:00 确认问题已解决",
        "## 签字确认 Sign-off",
        "| 姓名 Name | 李军 | 信息科 陈主任 |",
    ):
        assert expected in report, expected
    # The history tells what was done, not the clocks' bookkeeping.
    assert "on-site work approved" in report and "sla" not in report.lower()


def test_an_attached_report_is_kept_as_it_is(desk: MakeCtx, onsite: str) -> None:
    _finish(desk, onsite)
    tickets.close_ticket(desk("wangfang"), key=onsite, report="客户签字版服务报告（扫描件另存）")
    assert (
        ticket_views.show_ticket(desk("wangfang"), key=onsite)["report"] == "客户签字版服务报告（扫描件另存）"
    )


def test_the_html_report_is_one_printable_page_with_every_text_escaped(desk: MakeCtx, onsite: str) -> None:
    parts.record_part(desk("lijun"), key=onsite, part="BBU-01", note="旧件<script>alert(1)</script>寄回")
    page = service_report.service_report(desk("wangfang"), key=onsite, fmt="html")
    assert isinstance(page, str) and page.startswith("<!DOCTYPE html>")
    assert "@page { size: A4" in page and "<script" not in page and "<link" not in page
    assert "硬盘故障灯亮 | 热备盘已接管" in page
    assert "3号柜第2框 &lt;b&gt;槽位7&lt;/b&gt; 黄灯" in page
    # Not resolved or confirmed yet: the report says so, and the sign-off block waits for both.
    assert "尚未解决 Not resolved yet." in page and "尚未确认 Not confirmed yet." in page
    assert '<section class="signoff">' in page


def test_a_report_of_a_missing_ticket_or_in_another_format_is_refused(desk: MakeCtx, onsite: str) -> None:
    with pytest.raises(NotFound):
        service_report.service_report(desk("wangfang"), key="XH-999999")
    with pytest.raises(InvalidInput, match="md, html or pdf"):
        service_report.service_report(desk("wangfang"), key=onsite, fmt="docx")


@pytest.mark.parametrize(
    ("who", "change", "error"),
    [
        ("wangfang", {}, NotAllowed),  # agents take calls; engineers replace parts
        ("lijun", {"quantity": 0}, InvalidInput),
        ("lijun", {"quantity": 101}, InvalidInput),
        ("lijun", {"part": " "}, InvalidInput),
        ("lijun", {"removed": "ZC 1001", "installed": None}, InvalidInput),  # no spaces in a serial
        ("lijun", {"removed": "ZC1001", "installed": "zc1001"}, InvalidInput),
        ("lijun", {"note": "\x1b[2J"}, InvalidInput),
        ("lijun", {"key": "XH-999999"}, NotFound),
    ],
)
def test_a_part_that_cannot_be_recorded_writes_nothing(
    desk: MakeCtx, onsite: str, who: str, change: dict, error: type[Exception]
) -> None:
    wanted = {"key": onsite, "part": "DK-4T-SAS", **change}
    with pytest.raises(error):
        parts.record_part(desk(who), **wanted)
    assert _parts(desk) == 0


def test_parts_are_recorded_while_the_ticket_is_worked_not_before_or_after(
    desk: MakeCtx, onsite: str
) -> None:
    fresh = tickets.open_ticket(desk("wangfang"), customer=CUSTOMER, title="新来电").ticket.key
    with pytest.raises(NotAllowed, match="new"):
        parts.record_part(desk("lijun"), key=fresh, part="DK-4T-SAS")
    parts.record_part(desk("lijun"), key=onsite, part="dk-4t-sas", quantity=2)
    _finish(desk, onsite)
    parts.record_part(desk("lijun"), key=onsite, part="CBL-SAS-2M")  # found while confirming
    tickets.close_ticket(desk("wangfang"), key=onsite)
    with pytest.raises(NotAllowed, match="closed"):
        parts.record_part(desk("lijun"), key=onsite, part="DK-4T-SAS")
    listed = parts.list_parts(desk("wangfang"), key=onsite)
    assert [(p["part_number"], p["quantity"], p["person"]) for p in listed] == [
        ("DK-4T-SAS", 2, "lijun"),
        ("CBL-SAS-2M", 1, "lijun"),
    ]
    kinds = [e["kind"] for e in ticket_views.ticket_history(desk("wangfang"), key=onsite)]
    assert kinds.count("part_replacement.recorded") == 2


def test_the_report_as_pdf_is_a_pdf_of_the_html_page(desk: MakeCtx, onsite: str) -> None:
    document = service_report.service_report(desk("wangfang"), key=onsite, fmt="pdf")
    assert isinstance(document, bytes) and document.startswith(b"%PDF-")
    assert len(document) > 1000
