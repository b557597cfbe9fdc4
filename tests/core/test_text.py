"""The one rule for user text (`clean_text`), the one way to show stored text (`display`), the
CSV formula guard, and the visit report built from hostile values."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select, update

from tests.conftest import CONTRACT, CUSTOMER, MakeCtx
from xhsvc.core import customers, reports, visits
from xhsvc.core.csv_files import guard_cell, unguard_cell
from xhsvc.core.text import MULTI_LINE, clean_text, display, json_safe
from xhsvc.errors import InvalidInput
from xhsvc.store.tables import Customer, Event


@pytest.mark.parametrize(
    ("raw", "one_line", "block"),
    [
        ("\x1b]0;pwned\x07", r"\x1b]0;pwned\x07", r"\x1b]0;pwned\x07"),
        ("a\nb\tc", r"a\nb\tc", "a\nb\tc"),
        ("a\r\nb\rc", r"a\r\nb\rc", r"a" + "\n" + r"b\rc"),
        ("\x9b2J\x7f\x00", r"\x9b2J\x7f\x00", r"\x9b2J\x7f\x00"),
        (
            "abc\u202edef\u2066\u2069\u2028",
            r"abc\u202edef\u2066\u2069\u2028",
            r"abc\u202edef\u2066\u2069\u2028",
        ),
        ("[/] [bold]普通文字 ✓", "[/] [bold]普通文字 ✓", "[/] [bold]普通文字 ✓"),
        (None, "", ""),
        (42, "42", "42"),
    ],
)
def test_display_makes_control_characters_visible(raw: object, one_line: str, block: str) -> None:
    assert display(raw) == one_line
    assert display(raw, multiline=True) == block


def test_clean_text_refuses_control_characters_and_long_texts() -> None:
    assert clean_text("  控制器B告警 ", "title") == "控制器B告警"
    assert clean_text("  ", "title") is None
    with pytest.raises(InvalidInput, match=r"^title: must not be empty$"):
        clean_text(" ", "title", required=True)
    with pytest.raises(
        InvalidInput, match=r"^title: must not contain control characters \(found \\x1b at position 3\)$"
    ):
        clean_text("告警\x1b[2J", "title")
    with pytest.raises(InvalidInput, match=r"\(found \\n at position 2\)"):
        clean_text("a\nb", "title")
    assert clean_text("a\r\n\tb\n", "note", multiline=True) == "a\n\tb"
    with pytest.raises(
        InvalidInput, match=r"^note: must not contain control characters other than newline and tab"
    ):
        clean_text("a\rb", "note", multiline=True)
    with pytest.raises(InvalidInput, match=r"\(found \\u202e at position 2\)"):
        clean_text("a\u202eb", "note", multiline=True)
    assert clean_text("x" * MULTI_LINE, "note", multiline=True, limit=MULTI_LINE)
    with pytest.raises(InvalidInput, match=r"^note: at most 20,000 characters$"):
        clean_text("x" * (MULTI_LINE + 1), "note", multiline=True, limit=MULTI_LINE)


def test_json_safe_escapes_what_json_leaves_raw_and_keeps_the_value() -> None:
    value = {"title": "\x1b[2J\x7f\x9b\u202e\u2028 好", "n": 1}
    dumped = json_safe(json.dumps(value, ensure_ascii=False))
    assert not any(c in dumped for c in "\x1b\x7f\x9b\u202e\u2028")
    assert "好" in dumped and json.loads(dumped) == value


@pytest.mark.parametrize(
    "value", ["=1+1", "+x", "-", "-2", "@a", "\tx", "\rx", "'", "'a", "'=x", "''", "'''=", "普通", "", "a=b"]
)
def test_the_csv_guard_round_trips_and_never_leaves_a_formula(value: str) -> None:
    guarded = guard_cell(value)
    assert unguard_cell(guarded) == value
    assert not guarded.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_one_line_values_of_a_visit_are_checked(desk: MakeCtx) -> None:
    agent = desk("wangfang")
    key = visits.add_visit(agent, contract=CONTRACT, kind="inspection", on="2026-11-20").key
    engineer = desk("lijun")
    visits.start_visit(engineer, key=key)
    with desk("lijun").reading() as tx:
        before = tx.conn.execute(select(func.count()).select_from(Event.__table__)).scalar_one()
    with pytest.raises(InvalidInput, match=r"^plan.scope: must not contain control characters other than"):
        visits.record_items(engineer, key=key, answers={"plan.scope": "机房\x1b[2J"})
    with pytest.raises(InvalidInput, match=r"^note of plan.window: must not contain control characters"):
        visits.record_items(engineer, key=key, answers={"plan.window": "ok"}, notes={"plan.window": "\x07"})
    with pytest.raises(InvalidInput, match=r"^reason: must not contain control characters \(found \\n"):
        visits.reschedule_visit(agent, key=key, on="2026-11-27", reason="客户\n要求")
    with desk("lijun").reading() as tx:
        assert tx.conn.execute(select(func.count()).select_from(Event.__table__)).scalar_one() == before
    visits.record_items(engineer, key=key, answers={"plan.scope": "主院区机房\n灾备中心"})


def test_the_visit_report_escapes_stored_text(desk: MakeCtx) -> None:
    agent = desk("wangfang")
    customers.add_site(agent, customer=CUSTOMER, name="主院区机房", address="解放路88号", city="杭州")
    key = visits.add_visit(agent, contract=CONTRACT, kind="inspection", on="2026-11-20").key
    engineer = desk("lijun")
    visits.start_visit(engineer, key=key)
    visits.record_items(
        engineer,
        key=key,
        answers={"plan.scope": "<script>alert(1)</script> | **全部** [链接](http://x)", "plan.window": "ok"},
        notes={"plan.window": "窗口 <b>周六</b>\n第二行"},
    )
    with agent.writing() as tx:  # written around the checks: an old database
        tx.conn.execute(
            update(Customer.__table__).values(name="医院\x1b]0;pwned\x07<img src=x onerror=alert(1)>")
        )
    markdown = reports.visit_report(agent, key=key, fmt="md")
    html = reports.visit_report(agent, key=key, fmt="html")
    for text in (markdown, html):
        assert "\x1b" not in text and "\x07" not in text
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert re.search(r"(?<!\\)<", markdown) is None  # no raw HTML in the Markdown: every < escaped
    assert r"- 客户 Customer: 医院\\x1b\]0;pwned\\x07\<img src=x onerror=alert(1)\>" in markdown
    assert r"\<script\>alert(1)\</script\> \| \*\*全部\*\* \[链接\](http://x)" in markdown
    assert "| 窗口 \\<b\\>周六\\</b\\> 第二行 |" in markdown  # a note stays in its table cell
    assert "医院\\x1b]0;pwned\\x07&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
