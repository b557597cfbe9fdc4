"""The engineer's day: join, a first sync, work offline, sync back; bundles as files; races."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CUSTOMER, FixedClock, MakeCtx
from tests.sync.conftest import Laptop, MakeLaptop
from xhsvc.core import approvals, parts, service_report, sync, ticket_views, tickets, worklogs
from xhsvc.errors import InvalidInput, NotAllowed
from xhsvc.store import queries


def _ticket(desk: MakeCtx, assignee: str = "lijun") -> str:
    key = tickets.open_ticket(desk("wangfang"), customer=CUSTOMER, title="控制器告警").ticket.key
    tickets.assign_ticket(desk("wangfang"), key=key, assignee=assignee)
    return key


def _at_work(desk: MakeCtx, laptop: MakeLaptop) -> tuple[str, Laptop]:
    """A ticket lijun has responded to on his laptop, and both sides in step."""
    key = _ticket(desk)
    machine = laptop("lijun")
    sync.sync_with_center(machine.ctx())
    tickets.respond_ticket(machine.ctx(), key=key)
    sync.sync_with_center(machine.ctx())
    return key, machine


def urgencies_at_once(desk: MakeCtx, laptop: MakeLaptop, clock: FixedClock) -> tuple[str, Laptop]:
    """The center sets urgency 4 and, not knowing, lijun's laptop sets 1 three minutes later."""
    key = _ticket(desk)
    tickets.respond_ticket(desk("lijun"), key=key)
    machine = laptop("lijun")
    sync.sync_with_center(machine.ctx())
    tickets.reprioritize_ticket(desk("zhoujian"), key=key, urgency=4, reason="不急")
    clock.advance(minutes=3)
    tickets.reprioritize_ticket(machine.ctx(), key=key, urgency=1, reason="很急")
    return key, machine


def _snapshot(ctx) -> dict:
    with ctx.reading() as tx:
        return queries.state_snapshot(tx.conn)


def test_first_sync_brings_people_customers_and_own_tickets(desk: MakeCtx, laptop: MakeLaptop) -> None:
    key = _ticket(desk)
    machine = laptop("lijun")
    assert sync.sync_with_center(machine.ctx())["received"] > 0
    assert ticket_views.show_ticket(machine.ctx(), key=key)["assignee"] == "lijun"
    tickets.respond_ticket(machine.ctx(), key=key, note="到现场")
    assert sync.sync_status(machine.ctx())["waiting"] > 0
    sync.sync_with_center(machine.ctx())
    assert ticket_views.show_ticket(desk("wangfang"), key=key)["status"] == "in_progress"
    assert sync.sync_status(machine.ctx())["waiting"] == 0


def test_offline_work_counts_at_its_own_time_and_keys_never_clash(
    desk: MakeCtx, laptop: MakeLaptop, clock: FixedClock
) -> None:
    key = _ticket(desk)
    machine = laptop("lijun")
    sync.sync_with_center(machine.ctx())
    responded_at = clock.now
    tickets.respond_ticket(machine.ctx(), key=key)
    new_key = tickets.open_ticket(
        machine.ctx(), customer=CUSTOMER, title="现场发现硬盘告警", channel="direct"
    ).ticket.key
    center_key = tickets.open_ticket(desk("wangfang"), customer=CUSTOMER, title="另一个电话").ticket.key
    assert new_key.split("-")[0] == "LIJUN" and center_key.startswith("XH-")
    clock.advance(days=3)
    sync.sync_with_center(machine.ctx())
    shown = ticket_views.show_ticket(desk("wangfang"), key=key)
    assert shown["responded_at"] == responded_at
    assert ticket_views.show_ticket(desk("wangfang"), key=new_key)["opened_by"] == "lijun"


def test_a_bundle_round_trip_equals_a_direct_sync(desk: MakeCtx, laptop: MakeLaptop, tmp_path: Path) -> None:
    key = _ticket(desk)
    machine = laptop("lijun")
    down = tmp_path / "to-laptop.xhb"
    sync.export_bundle(desk("zhoujian"), target=down, peer="lijun-laptop")
    assert sync.import_bundle(machine.ctx(), source=down)["new"] > 0
    tickets.respond_ticket(machine.ctx(), key=key)
    up = tmp_path / "to-center.xhb"
    sync.export_bundle(machine.ctx(), target=up)
    first = sync.import_bundle(desk("zhoujian"), source=up)
    again = sync.import_bundle(desk("zhoujian"), source=up)
    assert first["new"] > 0 and again["new"] == 0
    assert ticket_views.show_ticket(desk("wangfang"), key=key)["status"] == "in_progress"


def test_concurrent_edits_of_one_field_keep_the_loser_as_a_conflict(
    desk: MakeCtx, laptop: MakeLaptop, clock: FixedClock
) -> None:
    key, machine = _at_work(desk, laptop)
    # Both sides resolve the same ticket at once with different words.
    tickets.resolve_ticket(desk("zhoujian"), key=key, resolution="远程重启解决")
    clock.advance(minutes=5)
    tickets.resolve_ticket(machine.ctx(), key=key, resolution="更换控制器B")
    sync.sync_with_center(machine.ctx())
    for ctx in (desk("wangfang"), machine.ctx()):
        shown = ticket_views.show_ticket(ctx, key=key)
        assert shown["resolution"] == "更换控制器B"
        conflicts = sync.list_conflicts(ctx)
        assert [(c["field"], c["lost"], c["kept"]) for c in conflicts] == [
            ("resolution", "远程重启解决", "更换控制器B")
        ]
    assert _snapshot(desk("wangfang"))["ticket"] == _snapshot(machine.ctx())["ticket"]
    conflict = sync.list_conflicts(desk("wangfang"))[0]
    sync.resolve_conflict(desk("zhoujian"), conflict=conflict["id"][:12], take="lost")
    sync.sync_with_center(machine.ctx())
    for ctx in (desk("wangfang"), machine.ctx()):
        assert ticket_views.show_ticket(ctx, key=key)["resolution"] == "远程重启解决"
        assert sync.list_conflicts(ctx) == []


def test_a_resolution_at_the_site_wins_over_an_escalation_at_the_center(
    desk: MakeCtx, laptop: MakeLaptop, clock: FixedClock
) -> None:
    key, machine = _at_work(desk, laptop)
    # The site resolves first; the center, not knowing, escalates later: the clock would say
    # "escalated", the flow says the work was done.
    tickets.resolve_ticket(machine.ctx(), key=key, resolution="现场已修复")
    clock.advance(minutes=10)
    approvals.escalate_ticket(desk("zhoujian"), key=key, to="L2", reason="疑难")
    approvals.approve_request(desk("wangfang"), key=key, assign="wuhao")
    sync.sync_with_center(machine.ctx())
    for ctx in (desk("wangfang"), machine.ctx()):
        shown = ticket_views.show_ticket(ctx, key=key)
        assert shown["status"] == "resolved"
        flow = [c for c in sync.list_conflicts(ctx) if c["kind"] == "flow"]
        assert [(c["lost_step"], c["kept_step"]) for c in flow] == [("ticket.escalated", "ticket.resolved")]


def test_a_reopen_wins_over_a_close(desk: MakeCtx, laptop: MakeLaptop, clock: FixedClock) -> None:
    key = _ticket(desk)
    machine = laptop("lijun")
    sync.sync_with_center(machine.ctx())
    tickets.respond_ticket(machine.ctx(), key=key)
    tickets.resolve_ticket(machine.ctx(), key=key, resolution="已修复")
    sync.sync_with_center(machine.ctx())
    tickets.reopen_ticket(machine.ctx(), key=key, reason="客户说仍有告警")
    clock.advance(minutes=10)
    tickets.close_ticket(desk("wangfang"), key=key)
    sync.sync_with_center(machine.ctx())
    for ctx in (desk("wangfang"), machine.ctx()):
        assert ticket_views.show_ticket(ctx, key=key)["status"] == "in_progress"
        assert [c["lost_step"] for c in sync.list_conflicts(ctx)] == ["ticket.closed"]


def test_a_withdrawn_request_wins_over_its_approval(
    desk: MakeCtx, laptop: MakeLaptop, clock: FixedClock
) -> None:
    key = _ticket(desk)
    machine = laptop("lijun")
    sync.sync_with_center(machine.ctx())
    tickets.respond_ticket(machine.ctx(), key=key)
    approvals.request_onsite(machine.ctx(), key=key, reason="需更换硬件")
    sync.sync_with_center(machine.ctx())
    approvals.withdraw_request(machine.ctx(), key=key, reason="远程已解决")
    clock.advance(minutes=10)
    approvals.approve_request(desk("wangfang"), key=key)
    sync.sync_with_center(machine.ctx())
    for ctx in (desk("wangfang"), machine.ctx()):
        shown = ticket_views.show_ticket(ctx, key=key)
        assert shown["onsite"] is False
        assert [a["state"] for a in shown["approvals"]] == ["withdrawn"]
        assert [c["lost_step"] for c in sync.list_conflicts(ctx)] == ["approval.approved"]
        # The on-site clock the approval started went with it, where it had been started too.
        assert "onsite" not in {c["target"] for c in shown["clocks"]}


def test_a_laptop_cannot_record_someone_elses_work(
    desk: MakeCtx, laptop: MakeLaptop, tmp_path: Path, clock: FixedClock
) -> None:
    key = _ticket(desk)
    machine = laptop("lijun")
    sync.sync_with_center(machine.ctx())
    with pytest.raises(NotAllowed, match="records the work of lijun only"):
        tickets.comment_ticket(machine.ctx("zhoujian"), key=key, text="经理批示")
    # Written behind xhsvc's back, it is refused at the center all the same.
    from xhsvc.store import events
    from xhsvc.store.events import Origin

    with machine.db.write() as conn:
        ticket = queries.get_ticket(conn, key)
        assert ticket is not None
        events.append(
            conn,
            Origin(actor="zhoujian", at=clock.now, node=machine.db.node_id),
            entity="ticket",
            entity_id=ticket.id,
            ticket_id=ticket.id,
            kind="ticket.commented",
            payload={"set": {"updated_at": clock.now}, "text": "经理批示"},
        )
    bundle = tmp_path / "forged.xhb"
    sync.export_bundle(machine.ctx(), target=bundle)
    before = _snapshot(desk("wangfang"))
    with pytest.raises(NotAllowed, match="records the work of lijun only"):
        sync.import_bundle(desk("zhoujian"), source=bundle)
    assert _snapshot(desk("wangfang")) == before


@pytest.mark.parametrize("damage", ["truncate", "tamper", "wrong_key", "newer_schema", "other_node"])
def test_bad_bundles_are_refused_whole(
    desk: MakeCtx, laptop: MakeLaptop, tmp_path: Path, damage: str
) -> None:
    key = _ticket(desk)
    machine = laptop("lijun")
    other = laptop("zhangwei")
    sync.sync_with_center(machine.ctx())
    sync.sync_with_center(other.ctx())
    tickets.respond_ticket(machine.ctx(), key=key)
    bundle = tmp_path / "up.xhb"
    sync.export_bundle(machine.ctx(), target=bundle)
    data = bundle.read_bytes()
    target = desk("zhoujian")
    if damage == "truncate":
        bundle.write_bytes(data[: len(data) // 2])
    elif damage == "tamper":
        bundle.write_bytes(data.replace(b"in_progress", b"closed_____"))
    elif damage == "wrong_key":
        import re

        bundle.write_bytes(re.sub(rb'"hmac":"[0-9a-f]+"', b'"hmac":"' + b"0" * 64 + b'"', data))
    elif damage == "newer_schema":
        from xhsvc.store.db import HEAD_REVISION

        assert f'"schema":"{HEAD_REVISION}"'.encode() in data
        bundle.write_bytes(data.replace(f'"schema":"{HEAD_REVISION}"'.encode(), b'"schema":"0099"'))
    else:
        target = other.ctx()  # a laptop given another laptop's bundle
    before = _snapshot(target)
    with pytest.raises((InvalidInput, NotAllowed)):
        sync.import_bundle(target, source=bundle)
    assert _snapshot(target) == before


def test_the_sweep_runs_at_the_center_only(laptop: MakeLaptop) -> None:
    from xhsvc.core import sweep

    machine = laptop("lijun")
    sync.sync_with_center(machine.ctx())
    with pytest.raises(NotAllowed, match="center only"):
        sweep.sweep(machine.ctx())


def test_two_urgencies_at_once_keep_the_later_and_list_the_other(
    desk: MakeCtx, laptop: MakeLaptop, clock: FixedClock
) -> None:
    key, machine = urgencies_at_once(desk, laptop, clock)
    sync.sync_with_center(machine.ctx())
    for ctx in (desk("wangfang"), machine.ctx()):
        assert ticket_views.show_ticket(ctx, key=key)["urgency"] == 1
        assert {c["field"] for c in sync.list_conflicts(ctx)} >= {"urgency"}


def test_the_property_check_sees_a_lost_value(desk: MakeCtx, laptop: MakeLaptop, clock: FixedClock) -> None:
    from tests.sync.test_sync_properties import _every_value_kept

    _, machine = urgencies_at_once(desk, laptop, clock)
    sync.sync_with_center(machine.ctx())
    _every_value_kept(desk("zhoujian"))


def test_a_visit_worked_offline_reaches_the_center_with_findings_and_follow_ups(
    desk: MakeCtx, laptop: MakeLaptop, clock: FixedClock
) -> None:
    from tests.core.test_visits import GOOD, _inspection
    from xhsvc.core import customers, visits

    agent = desk("wangfang")
    customers.add_site(agent, customer=CUSTOMER, name="主院区机房", address="解放路88号", city="杭州")
    customers.add_asset(
        agent, customer=CUSTOMER, model="XS-8000", serial="XS8K-1", firmware="V4.0.2", site="主院区机房"
    )
    key = _inspection(desk)
    visits.assign_visit(agent, key=key, engineer="lijun")
    machine = laptop("lijun")
    sync.sync_with_center(machine.ctx())
    # In the machine room, no network.
    visits.start_visit(machine.ctx(), key=key)
    visits.record_items(machine.ctx(), key=key, answers={**GOOD, "firmware.controller": "fail"}, notes={})
    done = visits.complete_visit(machine.ctx(), key=key, summary="固件需升级", open_tickets=["all"])
    follow_up = done.tickets[0]
    assert follow_up.startswith("LIJUN-")
    clock.advance(days=2)
    sync.sync_with_center(machine.ctx())
    shown = visits.show_visit(agent, key=key)
    assert shown["status"] == "completed"
    assert [f["item"] for f in shown["findings"]] == ["firmware.controller"]
    assert ticket_views.show_ticket(agent, key=follow_up)["from_visit"]["visit"] == key
    assert visits.show_visit(machine.ctx(), key=key) == shown


def test_work_dated_ahead_of_the_center_is_kept_and_flagged(
    desk: MakeCtx, laptop: MakeLaptop, tmp_path: Path
) -> None:
    from tests.conftest import FixedClock as Clock

    key = _ticket(desk)
    fast = Clock(desk("wangfang").now())
    fast.advance(hours=5)
    machine = laptop("lijun", clock_=fast)
    sync.sync_with_center(machine.ctx())
    tickets.comment_ticket(machine.ctx(), key=key, text="时钟快了五小时")
    stick = tmp_path / "fast.xhb"
    sync.export_bundle(machine.ctx(), target=stick)
    result = sync.import_bundle(desk("zhoujian"), source=stick)
    assert result["ahead"] == result["new"] > 0
    history = ticket_views.ticket_history(desk("wangfang"), key=key)
    assert history[-1]["summary"] == "时钟快了五小时"


def test_one_checklist_item_answered_on_two_nodes_is_a_conflict(
    desk: MakeCtx, laptop: MakeLaptop, clock: FixedClock
) -> None:
    from tests.core.test_visits import _inspection
    from xhsvc.core import customers, visits

    agent = desk("wangfang")
    customers.add_site(agent, customer=CUSTOMER, name="主院区机房", address="解放路88号", city="杭州")
    key = _inspection(desk)
    visits.assign_visit(agent, key=key, engineer="lijun")
    visits.start_visit(desk("lijun"), key=key)
    machine = laptop("lijun")
    sync.sync_with_center(machine.ctx())
    visits.record_items(desk("zhoujian"), key=key, answers={"environment.temperature": 24}, notes={})
    clock.advance(minutes=2)
    visits.record_items(machine.ctx(), key=key, answers={"environment.temperature": 29}, notes={})
    sync.sync_with_center(machine.ctx())
    for ctx in (agent, machine.ctx()):
        item = next(
            i for i in visits.show_visit(ctx, key=key)["items"] if i["id"] == "environment.temperature"
        )
        assert item["value"] == "29"
        lost = {(c["entity"], c["field"], c["lost"]) for c in sync.list_conflicts(ctx)}
        assert ("visit_item", "value", "24") in lost


def test_a_revoked_laptop_is_refused(desk: MakeCtx, laptop: MakeLaptop, tmp_path: Path) -> None:
    key, machine = _at_work(desk, laptop)
    tickets.comment_ticket(machine.ctx(), key=key, text="笔记本丢失前的记录")
    stick = tmp_path / "late.xhb"
    sync.export_bundle(machine.ctx(), target=stick)
    with pytest.raises(NotAllowed, match="only a manager"):
        sync.revoke_node(desk("wangfang"), name="lijun-laptop")
    sync.revoke_node(desk("zhoujian"), name="lijun-laptop")
    with pytest.raises(NotAllowed, match="revoked"):
        sync.import_bundle(desk("zhoujian"), source=stick)
    with pytest.raises(NotAllowed, match="revoked"):
        sync.sync_with_center(machine.ctx())
    assert [n["revoked_at"] is not None for n in sync.list_nodes(desk("zhoujian"))] == [True]


def test_time_logged_offline_reaches_the_center(desk: MakeCtx, laptop: MakeLaptop, clock: FixedClock) -> None:
    key = _ticket(desk)
    machine = laptop("lijun")
    sync.sync_with_center(machine.ctx())
    worklogs.log_work(machine.ctx(), key=key, duration="2h", kind="onsite", note="现场更换控制器")
    logged_at = clock.now
    clock.advance(hours=5)
    sync.sync_with_center(machine.ctx())
    rows = worklogs.list_work(desk("zhoujian"), key=key)
    assert [(r["person"], r["kind"], r["minutes"], r["started_at"]) for r in rows] == [
        ("lijun", "onsite", 120, logged_at)
    ]
    # Time logged at the center on the laptop's ticket comes back to the laptop too.
    worklogs.log_work(desk("zhoujian"), key=key, duration="30m", kind="remote")
    sync.sync_with_center(machine.ctx())
    assert [r["minutes"] for r in worklogs.list_work(machine.ctx(), key=key)] == [120, 30]


def test_parts_recorded_offline_reach_the_center_and_its_service_report(
    desk: MakeCtx, laptop: MakeLaptop
) -> None:
    key, machine = _at_work(desk, laptop)
    parts.record_part(machine.ctx(), key=key, part="DK-4T-SAS", removed="ZC1001", installed="ZC2002")
    sync.sync_with_center(machine.ctx())
    listed = parts.list_parts(desk("zhoujian"), key=key)
    assert [(p["part_number"], p["person"], p["installed_serial"]) for p in listed] == [
        ("DK-4T-SAS", "lijun", "ZC2002")
    ]
    report = service_report.service_report(desk("zhoujian"), key=key)
    assert "| DK-4T-SAS | — | 1 | ZC1001 | ZC2002 |" in report
