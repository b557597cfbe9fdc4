"""Knowledge notes: written by the people who fix things, found again by any part of their texts
(two Chinese characters are enough), suggested for a ticket of the same model and symptoms."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import CUSTOMER, MakeCtx
from xhsvc.core import customers, knowledge, ticket_views, tickets
from xhsvc.errors import InvalidInput, NotAllowed, NotFound
from xhsvc.store import events
from xhsvc.store.tables import Event, KnowledgeNote, KnowledgeSearch


def _count(desk: MakeCtx) -> tuple[int, int]:
    """Notes, and the events that wrote them."""
    with desk("admin").db.read() as conn:
        notes = conn.execute(select(func.count()).select_from(KnowledgeNote.__table__)).scalar_one()
        written = conn.execute(
            select(func.count())
            .select_from(Event.__table__)
            .where(Event.__table__.c.entity == "knowledge_note")
        ).scalar_one()
    return notes, written


def _keys(rows: list[dict]) -> list[str]:
    return [row["key"] for row in rows]


@pytest.fixture
def notes(desk: MakeCtx, clock) -> dict[str, str]:
    """Four notes of three models, written a minute apart (the last is the newest)."""
    lijun = desk("lijun")
    written = {}
    for name, fields in {
        "disk": dict(
            symptom="硬盘频繁掉盘，阵列降级", cause="背板供电不稳", fix="更换背板电源模块", model="XS-5000"
        ),
        "lun": dict(symptom="多路径升级后部分LUN不可见", fix="重新扫描并重建多路径映射", model="XS-8000"),
        "snapshot": dict(symptom="快照空间告警", cause="保留策略过长", fix="调整为保留7天", model="xs5000"),
        "disk8000": dict(
            symptom="控制器重启后掉盘", fix="升级固件到 V4.2.1", model="XS-8000", firmware="V4.0.2"
        ),
    }.items():
        written[name] = knowledge.add_note(lijun, **fields)["key"]
        clock.advance(minutes=1)
    return written


def test_an_engineer_writes_a_note_that_a_two_character_part_finds(desk: MakeCtx, notes) -> None:
    agent = desk("wangfang")  # everyone reads
    assert notes["disk"] == "XH-KB00001"
    assert set(_keys(knowledge.search_notes(agent, text="掉盘"))) == {notes["disk8000"], notes["disk"]}
    assert _keys(knowledge.search_notes(agent, text="背板")) == [notes["disk"]]  # the cause
    assert _keys(knowledge.search_notes(agent, text="电源模块")) == [notes["disk"]]  # the fix
    assert _keys(knowledge.search_notes(agent, text="lun")) == [notes["lun"]]  # any case
    assert _keys(knowledge.search_notes(agent, text="v4.2.1")) == [notes["disk8000"]]
    # Every word must be there; punctuation and spaces do not matter.
    assert _keys(knowledge.search_notes(agent, text="阵列，降级")) == [notes["disk"]]
    assert knowledge.search_notes(agent, text="阵列 快照") == []
    # A single character is looked for as it is, the newest first.
    assert _keys(knowledge.search_notes(agent, text="盘")) == [notes["disk8000"], notes["disk"]]


def test_a_match_in_the_symptom_ranks_before_one_in_the_fix(desk: MakeCtx, notes, clock) -> None:
    # Newer, but 掉盘 is only in its fix.
    newer = knowledge.add_note(desk("lijun"), symptom="阵列降级告警", fix="处理掉盘后重建阵列")["key"]
    found = _keys(knowledge.search_notes(desk("wangfang"), text="掉盘"))
    assert found[-1] == newer and set(found) == {notes["disk"], notes["disk8000"], newer}


def test_a_model_is_found_however_it_is_written(desk: MakeCtx, notes) -> None:
    agent = desk("wangfang")
    assert set(_keys(knowledge.search_notes(agent, text="XS-5000"))) == {notes["disk"], notes["snapshot"]}
    assert _keys(knowledge.search_notes(agent, text="掉盘", model="xs 8000")) == [notes["disk8000"]]
    assert _keys(knowledge.list_notes(agent, model="XS-5000 统一存储")) == [notes["snapshot"], notes["disk"]]
    listing = knowledge.list_notes(agent, limit=2)
    assert (len(listing), listing.more) == (2, 2)


def test_suggestions_rank_the_same_model_first(desk: MakeCtx, notes) -> None:
    text = "阵列掉盘告警"
    on_8000 = knowledge.suggest_notes(desk("wangfang"), model="XS-8000", text=text)
    assert _keys(on_8000)[0] == notes["disk8000"] and on_8000[0]["same_model"]
    assert notes["disk"] in _keys(on_8000) and not on_8000[1]["same_model"]
    on_5000 = knowledge.suggest_notes(desk("wangfang"), model="XS-5000", text=text)
    assert _keys(on_5000)[0] == notes["disk"]
    assert len(knowledge.suggest_notes(desk("wangfang"), model=None, text=text, limit=1)) == 1
    # Nothing alike, or only words every ticket has: nothing suggested.
    assert knowledge.suggest_notes(desk("wangfang"), model="XS-8000", text="新管理员培训申请") == []
    assert knowledge.suggest_notes(desk("wangfang"), model="XS-8000", text="客户反馈问题") == []
    assert knowledge.suggest_notes(desk("wangfang"), model="XS-8000", text="  ") == []


def test_a_note_on_closing_takes_the_tickets_system_and_is_suggested_for_the_next(
    desk: MakeCtx, notes
) -> None:
    agent = desk("wangfang")
    customers.add_asset(
        agent, customer=CUSTOMER, model="XS-8000 全闪存储", serial="XS8K-01", firmware="V4.0.2"
    )
    key = tickets.open_ticket(agent, customer=CUSTOMER, title="LUN 不可见", asset="XS8K-01").ticket.key
    tickets.assign_ticket(agent, key=key, assignee="lijun")
    tickets.respond_ticket(desk("lijun"), key=key)
    tickets.resolve_ticket(desk("lijun"), key=key, resolution="重建多路径映射")
    tickets.close_ticket(desk("lijun"), key=key)
    note = knowledge.add_note(desk("lijun"), ticket=key.lower(), symptom="升级后 LUN 不可见", fix="重建映射")
    assert (note["ticket"], note["model"], note["firmware"]) == (key, "XS-8000 全闪存储", "V4.0.2")
    history = ticket_views.ticket_history(agent, key=key)
    assert history[-1]["summary"] == f"knowledge note {note['key']} written by lijun"
    # The next call about that system is offered both notes of its model, its own first.
    nxt = tickets.open_ticket(agent, customer=CUSTOMER, title="部分LUN不可见", asset="XS8K-01").ticket.key
    found = knowledge.ticket_knowledge(agent, key=nxt)
    assert found["notes"] == [] and set(_keys(found["suggested"])) == {notes["lun"], note["key"]}
    assert all(s["same_model"] for s in found["suggested"])
    # The closed ticket lists its note, and does not suggest it to itself.
    own = knowledge.ticket_knowledge(agent, key=key)
    assert _keys(own["notes"]) == [note["key"]] and note["key"] not in _keys(own["suggested"])
    assert _keys(knowledge.list_notes(agent, ticket=key)) == [note["key"]]


@pytest.mark.parametrize("handle", ["lijun", "wuhao", "sunli", "zhoujian", "admin"])
def test_engineers_experts_managers_and_admins_write_notes(desk: MakeCtx, handle: str) -> None:
    note = knowledge.add_note(desk(handle), symptom="电池告警", fix="更换电池")
    assert note["author"] == handle


def test_an_agent_reads_but_does_not_write(desk: MakeCtx, notes) -> None:
    before = _count(desk)
    with pytest.raises(NotAllowed, match="only engineer or expert or manager or admin"):
        knowledge.add_note(desk("wangfang"), symptom="电池告警", fix="更换电池")
    with pytest.raises(NotAllowed):
        knowledge.check_note(desk("wangfang"), symptom="电池告警", fix="更换电池")
    assert _count(desk) == before
    assert (
        knowledge.show_note(desk("wangfang"), key=notes["disk"].lower())["symptom"]
        == "硬盘频繁掉盘，阵列降级"
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (dict(symptom="  ", fix="更换"), "symptom: must not be empty"),
        (dict(symptom="掉盘", fix=""), "fix: must not be empty"),
        (dict(symptom="掉盘\x1b[2J", fix="更换"), r"symptom: must not contain control characters .*\\x1b"),
        (dict(symptom="掉盘", fix="更换", cause="a" * 20_001), "cause: at most 20,000 characters"),
        (dict(symptom="掉盘", fix="更换", model="XS\n5000"), r"model: must not contain control characters"),
        (dict(symptom="掉盘", fix="更换", firmware="V" * 65), "firmware: at most 64 characters"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(desk: MakeCtx, fields: dict, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        knowledge.add_note(desk("lijun"), **fields)
    assert _count(desk) == (0, 0)


def test_lines_and_tabs_are_kept_in_the_texts(desk: MakeCtx) -> None:
    note = knowledge.add_note(desk("lijun"), symptom="掉盘\n阵列降级", fix="1. 更换背板\n2.\t重建")
    assert note["fix"] == "1. 更换背板\n2.\t重建"


def test_unknown_ticket_note_or_empty_search(desk: MakeCtx) -> None:
    with pytest.raises(NotFound, match="ticket 'XH-999999' not found"):
        knowledge.add_note(desk("lijun"), ticket="XH-999999", symptom="掉盘", fix="更换")
    with pytest.raises(NotFound, match="knowledge note 'XH-KB00042' not found"):
        knowledge.show_note(desk("lijun"), key="XH-KB00042")
    with pytest.raises(InvalidInput, match="give letters or digits"):
        knowledge.search_notes(desk("lijun"), text="，。!")
    with pytest.raises(InvalidInput, match="text: must not be empty"):
        knowledge.search_notes(desk("lijun"), text=" ")
    assert _count(desk) == (0, 0)


def test_a_cancelled_ticket_takes_no_note(desk: MakeCtx) -> None:
    agent = desk("wangfang")
    key = tickets.open_ticket(agent, customer=CUSTOMER, title="误报").ticket.key
    tickets.cancel_ticket(agent, key=key, reason="客户误报")
    with pytest.raises(NotAllowed, match="cancelled"):
        knowledge.add_note(desk("lijun"), ticket=key, symptom="误报", fix="无")
    assert _count(desk) == (0, 0)


def test_the_index_is_rebuilt_from_the_log(desk: MakeCtx, notes) -> None:
    with desk("admin").db.write() as conn:
        conn.execute(KnowledgeSearch.__table__.delete())
        events.rebuild(conn)
    found = knowledge.search_notes(desk("wangfang"), text="掉盘")
    assert set(_keys(found)) == {notes["disk8000"], notes["disk"]}
