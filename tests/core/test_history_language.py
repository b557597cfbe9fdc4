"""A ticket's history in the reader's language: the log keeps each line in English (the hash chain
proves it), and the sentence that made it is said again in the interface's language."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import CUSTOMER, TEST_LANGUAGE, MakeCtx
from xhsvc import i18n
from xhsvc.core import approvals, notifications, ticket_views, tickets
from xhsvc.core.said import part, said, said_again, summary_of
from xhsvc.i18n import N_


@pytest.fixture
def chinese() -> Iterator[None]:
    i18n.set_language("zh_CN")
    yield
    i18n.set_language(TEST_LANGUAGE)


def _worked_ticket(desk: MakeCtx) -> str:
    key = tickets.open_ticket(desk("wangfang"), customer=CUSTOMER, title="控制器告警", impact=2).ticket.key
    tickets.assign_ticket(desk("wangfang"), key=key, assignee="lijun")
    tickets.respond_ticket(desk("lijun"), key=key, note="已远程登录")
    approvals.escalate_ticket(desk("lijun"), key=key, to="L2", reason="需要二线分析日志")
    return key


def test_the_history_reads_in_chinese_and_the_log_keeps_english(desk: MakeCtx) -> None:
    key = _worked_ticket(desk)
    english = [row["summary"] for row in ticket_views.ticket_history(desk("wangfang"), key=key)]
    i18n.set_language("zh_CN")
    try:
        history = ticket_views.ticket_history(desk("wangfang"), key=key)
        chinese = [row["text"] for row in history]
    finally:
        i18n.set_language(TEST_LANGUAGE)
    assert english[0] == f"opened via hotline for {CUSTOMER}: 控制器告警 (P3)"
    assert chinese[0] == f"经热线为 {CUSTOMER} 受理：控制器告警（P3）"  # the channel said in words too
    assert "assigned to lijun" in english and "已分派给 lijun" in chinese
    assert "response clock started" in " ".join(english) and "响应计时开始" in " ".join(chinese)
    assert "escalation to L2 requested: 需要二线分析日志" in english
    assert "申请升级到 L2：需要二线分析日志" in chinese
    assert [row["summary"] for row in history] == english  # --json reads the same in both languages
    assert (history[0]["kind"], history[0]["what"]) == ("ticket.opened", "受理")
    # What a person wrote is shown as written, in either language.
    assert "已远程登录" in english and "已远程登录" in chinese


def test_a_line_without_its_sentence_is_shown_as_stored(chinese: None) -> None:
    # Written before sentences were kept, or by a version that words it otherwise.
    assert summary_of({"summary": "assigned to lijun"}) == "assigned to lijun"
    assert summary_of({"summary": "x", "said": {"message": "no {such} value", "values": {}}}) == "x"
    assert summary_of({"summary": "x", "said": "not a sentence"}) == "x"
    assert summary_of({"summary": "x", "said": {"message": "{a}", "values": ["a"]}}) == "x"


@pytest.mark.parametrize(
    "message",
    ["{person.__class__}", "{person[0]}", "{person!r}", "{person:>99}", "{0}", "{person"],
)
def test_a_sentence_from_another_machine_only_fills_in_values(chinese: None, message: str) -> None:
    # A synced log is another machine's text: no lookups into the values, no format tricks.
    payload = {"summary": "stored", "said": {"message": message, "values": {"person": "lijun"}}}
    assert summary_of(payload) == "stored"


def test_codes_among_the_values_are_said_in_words(chinese: None) -> None:
    payload = said(N_("{target} target breached"), target="resolution")
    assert payload["summary"] == "resolution target breached"
    assert summary_of(payload) == "解决目标已超时"


def test_sentences_within_a_sentence_are_said_again_too(chinese: None) -> None:
    actions = [part(N_("notified {people}"), people="wuhao, qianhong"), part(N_("marked major"))]
    payload = said(
        N_("rule {rule} fired ({why}): {actions}"),
        rule="resolution-manager",
        why=part(N_("{target} clock at {share} of its time"), target="resolution", share="150%"),
        actions=actions,
    )
    assert payload["summary"] == (
        "rule resolution-manager fired (resolution clock at 150% of its time): "
        "notified wuhao, qianhong; marked major"
    )
    assert (
        summary_of(payload)
        == "规则 resolution-manager 触发（解决计时已用 150%）：已通知 wuhao, qianhong；已标记为重大事件"
    )
    assert said_again(actions) == "已通知 wuhao, qianhong；已标记为重大事件"


def test_sentences_nest_one_deep_and_no_deeper(chinese: None) -> None:
    # Another machine's log could nest sentences without end: one level is all that is said again.
    deep = part("{a}", a=part("{b}", b=part(N_("marked major"))))
    assert summary_of({"summary": "stored", "said": deep}) == "stored"
    odd = part("{a}", a=[part(N_("marked major")), "not a sentence"])
    assert summary_of({"summary": "stored", "said": odd}) == "stored"


def test_notices_are_written_in_the_interface_language(desk: MakeCtx, chinese: None) -> None:
    # A notice is for a person, who reads the desk's language (the log's own lines stay English).
    key = tickets.open_ticket(desk("wangfang"), customer=CUSTOMER, title="控制器告警", impact=2).ticket.key
    tickets.assign_ticket(desk("wangfang"), key=key, assignee="lijun")
    approvals.escalate_ticket(desk("lijun"), key=key, to="L2", reason="需要二线分析日志")
    approvals.deny_request(desk("wangfang"), key=key, reason="先收集日志")
    told = {(n["recipient"], n["message"]) for n in notifications.list_notifications(desk("zhoujian"))}
    assert ("lijun", f"[{key}] wangfang 将工单分派给你：控制器告警") in told
    assert ("wangfang", f"[{key}] lijun 申请升级到 L2：需要二线分析日志") in told
    assert ("lijun", f"[{key}] 升级申请被驳回：先收集日志") in told
