"""SLA clocks and the sweep, on a clock the tests move by hand; due times worked out by hand.

The desk's customer has a gold contract (7x24); 银牌客户 below has silver (China business hours:
9:00-12:00 and 13:30-18:00 on working days; a target of 1d is 7.5 working hours).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests.conftest import CUSTOMER, TEST_LANGUAGE, MakeCtx
from xhsvc import i18n
from xhsvc.core import approvals, contracts, customers, notifications, sla, sweep, ticket_views, tickets
from xhsvc.core.rules import load_rules
from xhsvc.errors import Conflict, InvalidInput
from xhsvc.store.tables import Event, Ticket

SH = ZoneInfo("Asia/Shanghai")
SILVER = "银牌客户"


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH).astimezone(UTC)


@pytest.fixture
def silver(desk: MakeCtx) -> MakeCtx:
    agent = desk("wangfang")
    customers.add_customer(agent, name=SILVER, region="杭州")
    contracts.add_contract(
        agent, number="HT-S-2026", customer=SILVER, level="silver", start="2025-01-01", end="2027-12-31"
    )
    return desk


def clocks(ctx, key: str) -> dict[str, dict]:
    return {c["target"]: c for c in ticket_views.show_ticket(ctx, key=key)["clocks"]}


def test_clocks_start_with_the_call_on_the_levels_calendar(silver: MakeCtx, clock) -> None:
    """Friday afternoon before Qingming (Sat 4 - Mon 6 April 2026)."""
    clock.now = sh(2026, 4, 3, 16, 0)
    key = tickets.open_ticket(
        silver("wangfang"), customer=SILVER, title="阵列告警", impact=2, urgency=2
    ).ticket.key
    shown = clocks(silver("wangfang"), key)
    assert set(shown) == {"response", "resolution"}
    assert shown["response"]["due_at"] == sh(2026, 4, 3, 18, 0)  # P2 response 2h
    assert shown["resolution"]["due_at"] == sh(2026, 4, 8, 16, 0)  # P2 resolution 2d = 15 working hours
    assert shown["response"]["calendar"] == "china-business"
    clock.now = sh(2026, 4, 7, 9, 30)  # Tuesday morning: 2h of Friday + 30 min
    shown = clocks(silver("wangfang"), key)
    assert (shown["response"]["elapsed_min"], shown["response"]["state"]) == (150, "breached")
    assert shown["response"]["remaining_min"] == -30
    assert shown["resolution"]["elapsed_min"] == 150 and shown["resolution"]["state"] == "running"


def test_on_site_arrival_clock_runs_from_approval_to_arrival(silver: MakeCtx, clock) -> None:
    clock.now = sh(2026, 10, 9, 15, 0)  # Friday before the 调休 Saturday
    agent, engineer = silver("wangfang"), silver("lijun")
    key = tickets.open_ticket(agent, customer=SILVER, title="需更换硬盘", impact=2, urgency=2).ticket.key
    tickets.assign_ticket(agent, key=key, assignee="lijun")
    tickets.respond_ticket(engineer, key=key)
    approvals.request_onsite(engineer, key=key, reason="更换硬盘")
    clock.advance(minutes=60)  # 16:00
    approvals.approve_request(agent, key=key)
    # P2 on-site 1d = 7.5h: 2h on Friday, 3h + 2.5h on Saturday 10 October (调休).
    assert clocks(agent, key)["onsite"]["due_at"] == sh(2026, 10, 10, 16, 0)
    clock.now = sh(2026, 10, 10, 11, 0)
    tickets.arrive_ticket(engineer, key=key, note="客户机房")
    arrived = clocks(agent, key)["onsite"]
    assert (arrived["state"], arrived["elapsed_min"]) == ("met", 240)
    with pytest.raises(Exception, match="no approved on-site visit"):
        tickets.arrive_ticket(engineer, key=key)


def test_waiting_on_the_customer_pauses_and_the_pause_is_never_lost(silver: MakeCtx, clock) -> None:
    agent, engineer = silver("wangfang"), silver("lijun")
    clock.now = sh(2026, 11, 16, 10, 0)  # Monday
    key = tickets.open_ticket(agent, customer=SILVER, title="备份失败", impact=2, urgency=2).ticket.key
    assert clocks(agent, key)["resolution"]["due_at"] == sh(2026, 11, 18, 10, 0)  # 900 working min
    tickets.assign_ticket(agent, key=key, assignee="lijun")
    clock.now = sh(2026, 11, 16, 10, 30)
    tickets.respond_ticket(engineer, key=key)
    clock.now = sh(2026, 11, 16, 11, 0)
    tickets.wait_ticket(engineer, key=key, reason="等待客户提供日志")
    clock.now = sh(2026, 11, 17, 10, 0)
    paused = clocks(agent, key)["resolution"]
    assert (paused["state"], paused["elapsed_min"], paused["paused_min"]) == ("paused", 60, 390)
    tickets.resume_ticket(engineer, key=key)
    # Paused 390 working minutes (Mon 11:00-18:00 less lunch, Tue 9:00-10:00): due moves that much.
    resumed = clocks(agent, key)["resolution"]
    assert resumed["due_at"] == sh(2026, 11, 18, 18, 0)
    assert resumed["paused_min"] == 390

    tickets.assign_ticket(agent, key=key, assignee="zhangwei")  # reassignment keeps it
    assert clocks(agent, key)["resolution"]["due_at"] == sh(2026, 11, 18, 18, 0)
    # A priority change works the due time out again from the start, the pause kept: P1 is 1d.
    tickets.reprioritize_ticket(agent, key=key, urgency=1, reason="客户业务受影响")
    recomputed = clocks(agent, key)["resolution"]
    assert (recomputed["budget_min"], recomputed["due_at"]) == (450, sh(2026, 11, 17, 18, 0))
    assert recomputed["paused_min"] == 390

    # Reopened: a new cycle with a new resolution clock; the old cycle's record stays.
    tickets.resolve_ticket(silver("zhangwei"), key=key, resolution="更换磁带驱动器")
    clock.now = sh(2026, 11, 17, 14, 0)
    tickets.confirm_ticket(agent, key=key, by="客户", unresolved=True, note="仍然失败")
    shown = ticket_views.show_ticket(agent, key=key)
    assert shown["sla_cycle"] == 2
    current = [c for c in shown["clocks"] if c["cycle"] == 2]
    assert [(c["target"], c["started_at"], c["paused_min"]) for c in current] == [
        ("resolution", sh(2026, 11, 17, 14, 0), 0)
    ]


def test_a_call_recorded_late_starts_its_clocks_when_the_customer_called(desk: MakeCtx, clock) -> None:
    agent = desk("wangfang")
    called = clock.now - timedelta(minutes=25)
    key = tickets.open_ticket(agent, customer=CUSTOMER, title="夜间来电", reported_at=called).ticket.key
    shown = ticket_views.show_ticket(agent, key=key)
    assert shown["reported_at"] == called and shown["created_at"] == clock.now
    assert clocks(agent, key)["response"]["elapsed_min"] == 25
    with pytest.raises(InvalidInput, match="is in the future"):
        tickets.open_ticket(agent, customer=CUSTOMER, title="x", reported_at=clock.now + timedelta(minutes=5))
    with pytest.raises(InvalidInput, match="more than 3d ago"):
        tickets.open_ticket(agent, customer=CUSTOMER, title="x", reported_at=clock.now - timedelta(days=4))


def test_due_times_to_promise_a_caller(desk: MakeCtx) -> None:
    promises = sla.due_times(desk("wangfang"), level="silver", priority="P2", start=sh(2026, 9, 30, 16, 0))
    assert [(p.target, p.due_at) for p in promises] == [
        ("response", sh(2026, 9, 30, 18, 0)),
        ("onsite", sh(2026, 10, 8, 16, 0)),
        ("resolution", sh(2026, 10, 9, 16, 0)),
    ]
    with pytest.raises(InvalidInput, match="level 'tin'"):
        sla.due_times(desk("wangfang"), level="tin", priority="P2")


def _fired(result) -> list[tuple[str, str]]:
    return [(f.ticket, f.rule) for f in result.fired]


def _events(ctx) -> int:
    with ctx.reading() as tx:
        return tx.conn.execute(select(func.count()).select_from(Event.__table__)).scalar_one()


def test_the_sweep_climbs_the_chain_step_by_step_and_fires_each_rule_once(desk: MakeCtx, clock) -> None:
    """Gold (7x24), P3: response 2h; resolution 2d = 2880 min."""
    agent = desk("wangfang")
    start = clock.now
    key = tickets.open_ticket(agent, customer=CUSTOMER, title="阵列告警").ticket.key
    tickets.assign_ticket(agent, key=key, assignee="lijun")

    def sweep_at(minutes: float):
        return sweep.sweep(agent, force=True, now=start + timedelta(minutes=minutes))

    assert _fired(sweep_at(90)) == []
    assert _fired(sweep_at(96)) == [(key, "response-warning")]  # 80% of 2h
    assert _fired(sweep_at(100)) == []
    result = sweep_at(120)
    assert _fired(result) == [(key, "response-breached")]
    assert [(b["ticket"], b["clock"]) for b in result.breached] == [(key, "response")]
    assert _fired(sweep_at(121)) == [] and sweep_at(121).breached == []

    clock.now = start + timedelta(minutes=130)
    tickets.respond_ticket(desk("lijun"), key=key)
    assert clocks(agent, key)["response"]["state"] == "late"
    # The history says when it was due in the desk's time, as everywhere else on screen.
    due_local = (start + timedelta(minutes=120)).astimezone(ZoneInfo("Asia/Shanghai"))
    missed = [
        e["summary"] for e in ticket_views.ticket_history(agent, key=key) if "target missed" in e["summary"]
    ]
    assert missed == [f"response target missed (due {due_local:%Y-%m-%d %H:%M})"]
    assert _fired(sweep_at(2300)) == []
    assert _fired(sweep_at(2304)) == [(key, "resolution-warning")]  # 80% of 2880
    escalation = sweep_at(2880)
    assert _fired(escalation) == [(key, "resolution-escalate")]
    assert escalation.fired[0].actions[0] == "escalation to L2 requested"
    pending = ticket_views.show_ticket(agent, key=key)["pending_approval"]
    assert (pending["kind"], pending["requested_by"], pending["needs"]) == (
        "escalation",
        "sla-sweep",
        "agent",
    )
    assert _fired(sweep_at(4320)) == [(key, "resolution-manager")]  # 150%
    before = _events(agent)
    assert _fired(sweep_at(5000)) == [] and _fired(sweep_at(9000)) == []
    assert _events(agent) == before

    told = {(n["recipient"], n["reason"]) for n in notifications.list_notifications(agent)}
    assert {("lijun", "sla_rule"), ("wangfang", "sla_rule"), ("zhoujian", "sla_rule")} <= told
    history = [h["kind"] for h in ticket_views.ticket_history(agent, key=key)]
    assert history.count("rule.fired") == 5 and "sla_clock.breached" in history
    # Why it fired and what it did read in the reader's language; the log keeps English.
    i18n.set_language("zh_CN")
    try:
        lines = ticket_views.ticket_history(agent, key=key)
    finally:
        i18n.set_language(TEST_LANGUAGE)
    escalated = next(h for h in lines if h["summary"].startswith("rule resolution-escalate fired"))
    assert escalated["summary"] == (
        "rule resolution-escalate fired (resolution clock at 100% of its time): "
        "escalation to L2 requested; notified lijun, wangfang, zhaoli"
    )
    assert escalated["text"] == (
        "规则 resolution-escalate 触发（解决计时已用 100%）：已申请升级到 L2；已通知 lijun, wangfang, zhaoli"
    )


def test_a_reopened_ticket_starts_a_new_cycle_and_rules_fire_again(desk: MakeCtx, clock) -> None:
    agent, engineer = desk("wangfang"), desk("lijun")
    key = tickets.open_ticket(agent, customer=CUSTOMER, title="复制链路中断").ticket.key
    tickets.assign_ticket(agent, key=key, assignee="lijun")
    tickets.respond_ticket(engineer, key=key)
    assert _fired(sweep.sweep(agent, force=True, now=clock.now + timedelta(minutes=2304))) == [
        (key, "resolution-warning")
    ]
    clock.advance(minutes=2400)
    tickets.resolve_ticket(engineer, key=key, resolution="重建复制")
    tickets.reopen_ticket(agent, key=key, reason="故障复现")
    assert _fired(sweep.sweep(agent, force=True, now=clock.now + timedelta(minutes=2304))) == [
        (key, "resolution-warning")
    ]
    explained = sweep.explain(agent, key=key, now=clock.now + timedelta(minutes=2400))
    assert explained["cycle"] == 2
    assert [f["cycle"] for f in explained["earlier_cycles"]] == [1]


def test_the_sweep_reads_only_tickets_whose_check_has_come(desk: MakeCtx, clock) -> None:
    agent = desk("wangfang")
    key = tickets.open_ticket(agent, customer=CUSTOMER, title="告警").ticket.key
    first = sweep.sweep(agent, force=True, now=clock.now)
    assert first.checked == 1
    with agent.reading() as tx:
        scheduled = tx.conn.execute(
            select(Ticket.__table__.c.next_check_at).where(Ticket.__table__.c.key == key)
        ).scalar_one()
    assert scheduled == clock.now + timedelta(minutes=96)  # the response warning is next
    assert sweep.sweep(agent, force=True, now=clock.now + timedelta(minutes=95)).checked == 0
    tickets.comment_ticket(agent, key=key, text="客户来电催促")  # any change: look again
    assert sweep.sweep(agent, force=True, now=clock.now + timedelta(minutes=1)).checked == 1


def test_a_dry_run_writes_nothing(desk: MakeCtx, clock) -> None:
    agent = desk("wangfang")
    key = tickets.open_ticket(agent, customer=CUSTOMER, title="告警").ticket.key
    before = _events(agent)
    result = sweep.sweep(agent, force=True, now=clock.now + timedelta(hours=3), dry_run=True)
    assert _fired(result) == [(key, "response-warning"), (key, "response-breached")]
    assert _events(agent) == before
    assert _fired(sweep.sweep(agent, force=True, now=clock.now + timedelta(hours=3))) == _fired(result)


def test_rules_from_the_users_file(home: Path, desk: MakeCtx, clock) -> None:
    sample = Path(__file__).parents[2] / "examples" / "rules.toml"
    (home / "rules.toml").write_text(sample.read_text(encoding="utf-8"), encoding="utf-8")
    agent = desk("wangfang")
    key = tickets.open_ticket(agent, customer=CUSTOMER, title="P1 告警", impact=2, urgency=1).ticket.key
    # Gold P1 response 30m: 50% is 15 minutes; at 100% the priority is raised (it is P1 already).
    assert _fired(sweep.sweep(agent, force=True, now=clock.now + timedelta(minutes=15))) == [
        (key, "vip-response-warning")
    ]
    late = sweep.sweep(agent, force=True, now=clock.now + timedelta(minutes=30))
    assert _fired(late) == [(key, "vip-p1-late")]
    assert late.fired[0].actions == ["priority raised to P1", "notified zhoujian"]
    assert ticket_views.show_ticket(agent, key=key)["urgency"] == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('at = "50%"', 'at = "half"'), r":9: rule.0.at: rule vip-response-warning: 'half' is not a share"),
        (
            ('escalate = "L3"', 'escalate = "L9"'),
            r":64: rule.5.do.escalate: rule resolution-experts: escalate to",
        ),
        (
            ('notify = ["role:agent"]', 'notify = ["role:boss"]'),
            r":45: rule.3.do.notify: rule resolution-escalate: 'role:boss'",
        ),
        (
            ('tier = ["L1"]', 'tiers = ["L1"]'),
            r":42: rule.3.when.tiers: rule resolution-escalate: unknown condition",
        ),
        (
            ('id = "vip-p1-late"', 'id = "vip-response-warning"'),
            r":16: rule.1.id: 'vip-response-warning' is used",
        ),
        (
            ('after_due = "1d"', 'after_due = "soon"'),
            r":60: rule.5.after_due: rule resolution-experts: 'soon'",
        ),
    ],
)
def test_a_broken_rules_file_names_file_line_and_key(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    sample = (Path(__file__).parents[2] / "examples" / "rules.toml").read_text(encoding="utf-8")
    assert change[0] in sample
    broken = tmp_path / "rules.toml"
    broken.write_text(sample.replace(change[0], change[1], 1), encoding="utf-8")
    with pytest.raises(InvalidInput, match=rf"^{broken}{message}"):
        load_rules(broken)


def test_the_shipped_rules_are_valid() -> None:
    ids = [r.id for r in load_rules().rules]
    assert ids[:2] == ["response-warning", "response-breached"] and "resolution-escalate" in ids


def test_a_dry_run_pages_through_every_due_ticket(desk: MakeCtx, clock, monkeypatch) -> None:
    monkeypatch.setattr(sweep, "PAGE", 2)  # pages of two, so five tickets take three pages
    agent = desk("wangfang")
    keys = []
    for _ in range(5):
        keys.append(tickets.open_ticket(agent, customer=CUSTOMER, title="告警").ticket.key)
        clock.advance(minutes=1)
    result = sweep.sweep(agent, force=True, now=clock.now + timedelta(hours=3), dry_run=True)
    assert result.checked == 5
    assert sorted({f.ticket for f in result.fired}) == keys
    assert sweep.sweep(agent, force=True, now=clock.now + timedelta(hours=3)).checked == 5


def test_a_page_a_rival_sweep_got_to_first_is_checked_again_ticket_by_ticket(
    desk: MakeCtx, clock, monkeypatch
) -> None:
    """A page is one transaction: when it fails on a firing another sweep made first, nothing of
    it stays and its tickets are checked again, each alone; every rule still fires once."""
    monkeypatch.setattr(sweep, "PAGE", 3)
    agent = desk("wangfang")
    keys = []
    for _ in range(4):
        keys.append(tickets.open_ticket(agent, customer=CUSTOMER, title="告警").ticket.key)
        clock.advance(minutes=1)
    real_check = sweep._check_ticket
    rival = {"struck": False}

    def rival_first(tx, ctx, page, ticket, *args, **kwargs):  # type: ignore[no-untyped-def]
        real_check(tx, ctx, page, ticket, *args, **kwargs)
        if ticket.key == keys[1] and not rival["struck"]:
            rival["struck"] = True
            raise Conflict("rule_firing: the rival sweep fired it first")

    monkeypatch.setattr(sweep, "_check_ticket", rival_first)
    before = _events(agent)
    result = sweep.sweep(agent, force=True, now=clock.now + timedelta(hours=3))
    assert rival["struck"] and result.checked == 4
    fired = _fired(result)
    assert sorted({key for key, _ in fired}) == keys
    assert len(fired) == len(set(fired))  # the rolled-back attempt is not reported twice
    # What the result reports is what the log holds: one firing event per reported firing.
    with agent.reading() as tx:
        firings = tx.conn.execute(
            select(func.count()).select_from(Event.__table__).where(Event.__table__.c.kind == "rule.fired")
        ).scalar_one()
    assert firings == len(fired) and _events(agent) > before
    assert sweep.sweep(agent, force=True, now=clock.now + timedelta(hours=3)).fired == []


def test_resolved_while_waiting_on_the_customer_is_not_late(desk: MakeCtx, clock) -> None:
    agent, engineer = desk("wangfang"), desk("lijun")
    key = tickets.open_ticket(agent, customer=CUSTOMER, title="等日志", impact=2, urgency=2).ticket.key
    tickets.assign_ticket(agent, key=key, assignee="lijun")
    tickets.respond_ticket(engineer, key=key)
    clock.advance(hours=1)
    tickets.wait_ticket(engineer, key=key, reason="等客户日志")
    clock.advance(days=3)
    tickets.resolve_ticket(engineer, key=key, resolution="客户自行解决")
    resolution = clocks(agent, key)["resolution"]
    assert (resolution["state"], resolution["breached_at"], resolution["elapsed_min"]) == ("met", None, 60)


def test_an_escalation_approved_while_waiting_restarts_the_clocks(desk: MakeCtx, clock) -> None:
    agent, engineer = desk("wangfang"), desk("lijun")
    key = tickets.open_ticket(agent, customer=CUSTOMER, title="二线").ticket.key
    tickets.assign_ticket(agent, key=key, assignee="lijun")
    tickets.respond_ticket(engineer, key=key)
    approvals.escalate_ticket(engineer, key=key, to="L2", reason="需二线")
    tickets.wait_ticket(engineer, key=key, reason="等客户")
    clock.advance(hours=2)
    approvals.approve_request(agent, key=key, assign="wuhao")
    assert clocks(agent, key)["resolution"]["state"] == "running"


def test_an_escalation_rule_waits_for_a_pending_request_instead_of_being_used_up(
    desk: MakeCtx, clock
) -> None:
    agent, engineer = desk("wangfang"), desk("lijun")
    start = clock.now
    key = tickets.open_ticket(agent, customer=CUSTOMER, title="现场").ticket.key  # P3: resolution 2 days
    tickets.assign_ticket(agent, key=key, assignee="lijun")
    tickets.respond_ticket(engineer, key=key)
    approvals.request_onsite(engineer, key=key, reason="现场检查")
    assert (key, "resolution-escalate") not in _fired(
        sweep.sweep(agent, force=True, now=start + timedelta(days=2, minutes=5))
    )
    clock.now = start + timedelta(days=2, minutes=10)
    approvals.deny_request(agent, key=key, reason="远程可处理")
    assert (key, "resolution-escalate") in _fired(
        sweep.sweep(agent, force=True, now=start + timedelta(days=2, minutes=15))
    )
    assert ticket_views.show_ticket(agent, key=key)["pending_approval"]["kind"] == "escalation"


def test_lowering_the_priority_after_a_breach_clears_it(desk: MakeCtx, clock) -> None:
    agent = desk("wangfang")
    key = tickets.open_ticket(
        agent, customer=CUSTOMER, title="P2", impact=2, urgency=2
    ).ticket.key  # response 1h
    sweep.sweep(agent, force=True, now=clock.now + timedelta(minutes=70))
    clock.advance(minutes=70)
    assert clocks(agent, key)["response"]["breached_at"] is not None
    tickets.reprioritize_ticket(agent, key=key, impact=4, urgency=4, reason="客户说不急")  # P4: response 4h
    response = clocks(agent, key)["response"]
    assert (response["state"], response["breached_at"]) == ("running", None)
