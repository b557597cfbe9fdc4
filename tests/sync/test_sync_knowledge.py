"""Knowledge notes between the center and a laptop: written offline, they reach the center; the
center's reach every laptop, whatever tickets are in its slice; a laptop cannot forge them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CUSTOMER, FixedClock, MakeCtx
from tests.sync.conftest import MakeLaptop
from xhsvc.core import knowledge, sync, tickets
from xhsvc.errors import NotAllowed
from xhsvc.store import queries


def _keys(rows: list[dict]) -> list[str]:
    return [row["key"] for row in rows]


def test_a_note_written_offline_reaches_the_center_and_is_found_there(
    desk: MakeCtx, laptop: MakeLaptop, clock: FixedClock
) -> None:
    key = tickets.open_ticket(desk("wangfang"), customer=CUSTOMER, title="阵列掉盘").ticket.key
    tickets.assign_ticket(desk("wangfang"), key=key, assignee="lijun")
    machine = laptop("lijun")
    sync.sync_with_center(machine.ctx())
    note = knowledge.add_note(
        machine.ctx(),
        ticket=key,
        symptom="硬盘频繁掉盘",
        cause="背板供电不稳",
        fix="更换背板电源",
        model="XS-5000",
    )
    assert note["key"].startswith("LIJUN-KB")  # the laptop's own keys never clash with the center's
    assert _keys(knowledge.search_notes(machine.ctx(), text="掉盘")) == [note["key"]]  # offline, at once
    clock.advance(hours=2)
    sync.sync_with_center(machine.ctx())
    center = desk("wangfang")
    assert _keys(knowledge.search_notes(center, text="掉盘")) == [note["key"]]
    assert knowledge.show_note(center, key=note["key"])["ticket"] == key
    assert _keys(knowledge.ticket_knowledge(center, key=key)["notes"]) == [note["key"]]


def test_every_laptop_receives_every_note(desk: MakeCtx, laptop: MakeLaptop, clock: FixedClock) -> None:
    # A ticket in Beijing, outside lijun's slice (Hangzhou, his own tickets), with a note.
    customer = "北京华信证券"
    from xhsvc.core import customers

    customers.add_customer(desk("wangfang"), name=customer, region="北京")
    key = tickets.open_ticket(desk("wangfang"), customer=customer, title="复制链路中断").ticket.key
    on_ticket = knowledge.add_note(desk("zhangwei"), ticket=key, symptom="复制链路中断", fix="重建复制对")
    general = knowledge.add_note(desk("sunli"), symptom="快照空间告警", fix="扩容快照池", model="XS-8000")
    machine = laptop("lijun")
    sync.sync_with_center(machine.ctx())
    with machine.ctx().reading() as tx:
        assert queries.get_ticket(tx.conn, key) is None  # not his ticket
    assert set(_keys(knowledge.list_notes(machine.ctx()))) == {on_ticket["key"], general["key"]}
    assert _keys(knowledge.search_notes(machine.ctx(), text="链路")) == [on_ticket["key"]]
    assert knowledge.show_note(machine.ctx(), key=on_ticket["key"])["ticket"] == key
    # One written at the center later comes with the next sync.
    clock.advance(minutes=30)
    later = knowledge.add_note(desk("zhoujian"), symptom="控制器重启", fix="升级固件")
    sync.sync_with_center(machine.ctx())
    assert _keys(knowledge.search_notes(machine.ctx(), text="控制器")) == [later["key"]]


def test_a_bundle_carries_notes_both_ways(desk: MakeCtx, laptop: MakeLaptop, tmp_path: Path) -> None:
    machine = laptop("lijun")
    sync.sync_with_center(machine.ctx())
    mine = knowledge.add_note(machine.ctx(), symptom="电池告警", fix="更换电池")
    sync.export_bundle(machine.ctx(), target=tmp_path / "up.xhb")
    sync.import_bundle(desk("zhoujian"), source=tmp_path / "up.xhb")
    assert _keys(knowledge.search_notes(desk("wangfang"), text="电池")) == [mine["key"]]
    theirs = knowledge.add_note(desk("wuhao"), symptom="风扇告警", fix="更换风扇")
    sync.export_bundle(desk("zhoujian"), target=tmp_path / "down.xhb", peer="lijun-laptop")
    sync.import_bundle(machine.ctx(), source=tmp_path / "down.xhb")
    assert _keys(knowledge.search_notes(machine.ctx(), text="告警")) != []
    assert theirs["key"] in _keys(knowledge.list_notes(machine.ctx()))


def test_the_center_refuses_a_note_from_a_laptop_of_someone_who_may_not_write_one(
    desk: MakeCtx, laptop: MakeLaptop, tmp_path: Path
) -> None:
    machine = laptop("wangfang", "desk-laptop")  # an agent's laptop
    sync.sync_with_center(machine.ctx())
    # Her laptop refuses it first; a forged bundle is refused whole at the center.
    with pytest.raises(NotAllowed):
        knowledge.add_note(machine.ctx(), symptom="掉盘", fix="更换")
    from xhsvc.store import events

    with machine.db.write() as conn:
        me = queries.get_person(conn, "wangfang")
        assert me is not None
        origin = events.Origin(actor="wangfang", at=desk("wangfang").now(), node=machine.db.node_id)
        events.append(
            conn,
            origin,
            entity="knowledge_note",
            entity_id="00000000-0000-7000-8000-000000000001",
            kind="knowledge_note.added",
            payload={
                "create": {
                    "key": "WANGFA-KB00001",
                    "symptom": "掉盘",
                    "fix": "更换",
                    "author_id": me.id,
                    "created_at": origin.at,
                }
            },
        )
    sync.export_bundle(machine.ctx(), target=tmp_path / "forged.xhb")
    with pytest.raises(NotAllowed, match="may not write knowledge notes"):
        sync.import_bundle(desk("zhoujian"), source=tmp_path / "forged.xhb")
    assert knowledge.list_notes(desk("zhoujian")) == []
