"""The visit report, through the document templates (visit-report.md.j2, visit-report.html.j2):
titled by what the visit is, with a block for both sides to sign, every stored text made safe.

The desk's customer has a gold contract for 2026; the test clock stands at 2026-11-20.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from tests.conftest import CONTRACT, CUSTOMER, MakeCtx
from xhsvc.core import customers, reports, visits
from xhsvc.core.templates import VISIT_KINDS
from xhsvc.store.tables import VisitItem

TITLES = {
    "inspection": "巡检总结报告与系统优化建议 Inspection report",
    "training": "培训服务报告 Training report",
    "standby": "值守服务报告 Standby report",
    "optimization": "系统优化报告 System optimization report",
    "dr_drill": "容灾演练报告 DR drill report",
    "review": "定期服务回顾报告 Service review report",
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


def _visit(site: MakeCtx, kind: str) -> str:
    return visits.add_visit(site("wangfang"), contract=CONTRACT, kind=kind, on="2026-11-28").key


def _both(ctx, key: str) -> tuple[str, str]:
    return reports.visit_report(ctx, key=key, fmt="md"), reports.visit_report(ctx, key=key, fmt="html")


def test_a_dr_drill_report_is_titled_a_dr_drill_report(site: MakeCtx) -> None:
    agent, engineer = site("wangfang"), site("lijun")
    key = _visit(site, "dr_drill")
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
    visits.complete_visit(engineer, key=key)
    markdown, html = _both(agent, key)
    assert markdown.startswith("# 容灾演练报告 DR drill report — ")
    assert f"- 服务编号 Visit: **{key}** (completed)" in markdown
    assert f"<title>{key} 容灾演练报告 DR drill report</title>" in html
    assert "<h1>容灾演练报告 DR drill report — " in html
    for text in (markdown, html):
        assert "巡检" not in text and "nspection" not in text  # nothing calls a drill an inspection
        assert "恢复时间超过目标" in text  # the finding and its recommendation
        assert "Changes since" not in text  # a drill's checklist has no firmware or capacity to compare


@pytest.mark.parametrize("kind", VISIT_KINDS)
def test_each_kind_has_its_own_title(site: MakeCtx, kind: str) -> None:
    key = _visit(site, kind)
    markdown, html = _both(site("wangfang"), key)
    title = TITLES[kind]
    assert markdown.splitlines()[0].startswith(f"# {title} — ")
    assert f"<title>{key} {title}</title>" in html and f"<h1>{title} — " in html
    others = [t for k, t in TITLES.items() if k != kind]
    for text in (markdown, html):
        assert not [t for t in others if t in text]
    number = "巡检编号 Visit" if kind == "inspection" else "服务编号 Visit"
    assert f"- {number}: **{key}** (planned)" in markdown and f"<dt>{number}</dt>" in html


def test_every_kind_is_titled() -> None:
    assert set(reports.KINDS) == set(VISIT_KINDS)
    assert len({k["title"] for k in reports.KINDS.values()}) == len(VISIT_KINDS)


def test_the_changes_read_for_the_kind_of_visit(site: MakeCtx) -> None:
    inspection, optimization = _visit(site, "inspection"), _visit(site, "optimization")
    agent = site("wangfang")
    markdown = reports.visit_report(agent, key=inspection, fmt="md")
    assert "## 与上次巡检相比 Changes since the previous inspection" in markdown
    assert "首次巡检 First inspection: nothing to compare." in markdown
    markdown, html = _both(agent, optimization)
    assert "## 与上次系统优化相比 Changes since the previous optimization" in markdown
    assert "首次系统优化 First optimization: nothing to compare." in markdown
    assert "<h2>与上次系统优化相比 Changes since the previous optimization</h2>" in html
    assert "巡检编号" not in markdown and "previous inspection" not in markdown


def test_both_formats_have_the_sign_off_block(site: MakeCtx) -> None:
    agent, engineer = site("wangfang"), site("lijun")
    for kind in ("inspection", "training"):
        key = _visit(site, kind)
        visits.assign_visit(agent, key=key, engineer="lijun")
        markdown, html = _both(engineer, key)
        name = visits.show_visit(agent, key=key)["engineer"]
        assert name == "lijun"
        signoff = markdown[markdown.index("## 签字确认 Sign-off") :]
        assert "| | 服务工程师 Service engineer | 客户代表 Customer representative |" in signoff
        # The engineer's name is filled in; the customer's name and date are left to write by hand.
        assert re.search(r"^\| 姓名 Name \| \S.* \|  \|$", signoff, re.MULTILINE), signoff
        assert "| 签字 Signature | | |" in signoff and "| 日期 Date | |  |" in signoff
        assert markdown.rstrip().endswith("|  |")  # the block closes the report
        assert '<h2>签字确认 Sign-off</h2>\n<section class="signoff">' in html
        assert "客户代表 Customer representative" in html and "签字 Signature：" in html
        assert html.index('class="signoff"') > html.index("发现与建议")


def test_hostile_text_is_escaped_in_both_formats(site: MakeCtx) -> None:
    agent, engineer = site("wangfang"), site("lijun")
    key = _visit(site, "dr_drill")
    visits.start_visit(engineer, key=key)
    hostile = "<script>alert(1)</script> a|b \x1b[31m红\x1b[0m *x* # h\n第二行"
    visits.record_items(
        engineer,
        key=key,
        answers={"plan.scenario": "切换 | <b>全部</b>", "plan.approved": "ok"},
        notes={"plan.approved": "待写"},
    )
    with agent.writing() as tx:  # written around the checks (which refuse ESC): an old database
        tx.conn.execute(
            update(VisitItem.__table__).where(VisitItem.__table__.c.note == "待写").values(note=hostile)
        )
    markdown, html = _both(agent, key)
    for text in (markdown, html):
        assert "\x1b" not in text
    assert re.search(r"(?<!\\)<", markdown) is None  # no raw HTML in the Markdown: every < escaped
    row = next(line for line in markdown.splitlines() if "alert(1)" in line)
    assert row.endswith(
        r"| \<script\>alert(1)\</script\> a\|b \\x1b\[31m红\\x1b\[0m \*x\* \# h 第二行 |"
    )  # one table row: the note's `|` and its line break make no new cell or row
    assert row.count(" | ") == 3
    assert r"| 切换 \| \<b\>全部\</b\> |" in markdown
    assert "<script" not in html and "<b>" not in html
    assert (
        '<td class="text">&lt;script&gt;alert(1)&lt;/script&gt; a|b \\x1b[31m红\\x1b[0m *x* # h\n第二行</td>'
        in html
    )
    assert "切换 | &lt;b&gt;全部&lt;/b&gt;" in html
