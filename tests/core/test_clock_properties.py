"""SLA clocks over random waits, resumes, priority changes, sweeps and the passing of time: a due
time that has passed never moves for a pause, and due time, breach, elapsed and remaining agree."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.conftest import CUSTOMER, FixedClock, MakeCtx
from tests.core.test_sla import SILVER, clocks, sh, silver  # noqa: F401 (the fixture)
from xhsvc.core import sweep, ticket_views, tickets
from xhsvc.core.calendars import load_calendar
from xhsvc.errors import XhsvcError

# Every test here also has the silver customer (China business hours) beside the gold one.
pytestmark = pytest.mark.usefixtures("silver")

STEP = st.one_of(
    st.tuples(st.just("advance"), st.integers(1, 2000)),
    st.tuples(st.just("wait"), st.just(0)),
    st.tuples(st.just("resume"), st.just(0)),
    st.tuples(st.just("sweep"), st.just(0)),
    st.tuples(st.just("urgency"), st.integers(1, 4)),
)
STOPPED = ("met", "late", "cancelled")


def check_clock(view: dict, now: datetime) -> None:
    """What every clock shown must satisfy, whatever happened before."""
    calendar = load_calendar(view["calendar"])
    state, due, budget = view["state"], view["due_at"], view["budget_min"]
    if state in STOPPED:
        return
    # The due time is the start plus the budget plus the pauses that counted.
    counted = calendar.minutes_between(view["started_at"], due)
    if state != "paused":
        assert abs(counted - (budget + view["paused_min"])) <= 1, view
        assert (
            abs(view["elapsed_min"] - calendar.minutes_between(view["started_at"], now) + view["paused_min"])
            <= 1
        )
    assert abs(view["remaining_min"] - (budget - view["elapsed_min"])) <= 1, view
    if state == "breached":
        assert now >= due and view["breached_at"] == due, view
        assert view["elapsed_min"] >= budget - 1, view
    else:
        assert view["breached_at"] is None, view
        assert view["elapsed_min"] <= budget + 1, view
        if state != "paused":
            assert now < due, view


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    customer=st.sampled_from([CUSTOMER, SILVER]),
    start_min=st.integers(0, 60 * 24 * 40),
    steps=st.lists(STEP, min_size=1, max_size=25),
)
# Late, then a wait and a resume: the case that once moved a passed due time into the pause.
@example(
    customer=CUSTOMER, start_min=0, steps=[("advance", 2000), ("advance", 2000), ("wait", 0), ("resume", 0)]
)
def test_clocks_agree_over_waits_resumes_priorities_and_sweeps(
    desk: MakeCtx, clock: FixedClock, customer: str, start_min: int, steps: list[tuple[str, int]]
) -> None:
    from datetime import timedelta

    clock.now = sh(2026, 11, 2, 8, 0) + timedelta(minutes=start_min)
    agent, engineer = desk("wangfang"), desk("lijun")
    key = tickets.open_ticket(agent, customer=customer, title="时钟", impact=2, urgency=3).ticket.key
    tickets.assign_ticket(agent, key=key, assignee="lijun")
    tickets.respond_ticket(engineer, key=key)
    for action, value in steps:
        before = clocks(agent, key)
        # Due times that have passed on a running clock (a paused clock's due time is not yet set:
        # the pause began before it and will move it).
        passed = {
            t: c["due_at"]
            for t, c in before.items()
            if c["state"] not in (*STOPPED, "paused") and clock.now >= c["due_at"]
        }
        try:
            if action == "advance":
                clock.advance(minutes=value)
            elif action == "wait":
                tickets.wait_ticket(engineer, key=key, reason="等客户日志")
            elif action == "resume":
                tickets.resume_ticket(engineer, key=key)
            elif action == "sweep":
                sweep.sweep(agent)
            else:
                tickets.reprioritize_ticket(agent, key=key, urgency=value, reason="业务影响变化")
        except XhsvcError:
            continue  # refused (waiting twice, resuming a running ticket): nothing changed
        after = clocks(agent, key)
        for target, view in after.items():
            check_clock(view, clock.now)
            if action != "urgency" and target in passed and view["state"] not in STOPPED:
                # A due time that has passed never moves: not for a pause, a resume or a sweep.
                assert view["due_at"] == passed[target], (action, view)


def test_a_pause_after_the_breach_leaves_the_due_time(desk: MakeCtx, clock: FixedClock) -> None:
    agent, engineer = desk("wangfang"), desk("lijun")
    clock.now = sh(2026, 11, 23, 9, 0)  # Monday
    key = tickets.open_ticket(agent, customer=SILVER, title="阵列告警", impact=2, urgency=2).ticket.key
    tickets.assign_ticket(agent, key=key, assignee="lijun")
    tickets.respond_ticket(engineer, key=key)
    due = clocks(agent, key)["resolution"]["due_at"]
    assert due == sh(2026, 11, 24, 18, 0)  # P2 resolution 2d = 15 working hours
    clock.now = sh(2026, 11, 25, 10, 0)  # an hour late
    sweep.sweep(agent)
    tickets.wait_ticket(engineer, key=key, reason="等客户日志")
    clock.now = sh(2026, 11, 26, 10, 0)  # a working day later
    waiting = clocks(agent, key)["resolution"]
    assert (waiting["state"], waiting["due_at"], waiting["breached_at"]) == ("breached", due, due)
    assert waiting["elapsed_min"] == 900 + 60 + 450  # still counting while it waits
    tickets.resume_ticket(engineer, key=key)
    resumed = clocks(agent, key)["resolution"]
    assert (resumed["state"], resumed["due_at"], resumed["paused_min"]) == ("breached", due, 0)
    assert resumed["remaining_min"] == -(resumed["elapsed_min"] - resumed["budget_min"])
    history = ticket_views.ticket_history(agent, key=key)
    assert any("already late" in e["summary"] for e in history)
    assert any("its due time stays" in e["summary"] for e in history)


def test_a_pause_before_the_due_time_moves_it_by_the_pause(desk: MakeCtx, clock: FixedClock) -> None:
    agent, engineer = desk("wangfang"), desk("lijun")
    clock.now = sh(2026, 11, 23, 9, 0)
    key = tickets.open_ticket(agent, customer=SILVER, title="阵列告警", impact=2, urgency=2).ticket.key
    tickets.assign_ticket(agent, key=key, assignee="lijun")
    tickets.respond_ticket(engineer, key=key)
    clock.now = sh(2026, 11, 24, 9, 0)  # 7.5 of 15 working hours used
    tickets.wait_ticket(engineer, key=key, reason="等客户日志")
    clock.now = sh(2026, 11, 26, 9, 0)  # two days later, past the first due time
    paused = clocks(agent, key)["resolution"]
    assert paused["state"] == "paused" and paused["breached_at"] is None
    sweep.sweep(agent)  # a sweep while it waits marks no breach
    assert clocks(agent, key)["resolution"]["breached_at"] is None
    tickets.resume_ticket(engineer, key=key)
    resumed = clocks(agent, key)["resolution"]
    assert resumed["due_at"] == sh(2026, 11, 26, 18, 0)  # the 7.5 hours left, from now
    assert (resumed["state"], resumed["elapsed_min"], resumed["paused_min"]) == ("running", 450, 900)
