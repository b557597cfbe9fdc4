"""Property tests: whatever people try, in whatever order, the flow's invariants hold, a refused
step writes nothing, and the state can be rebuilt from the log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.conftest import CUSTOMER, MakeCtx
from xhsvc.core import approvals, ticket_views, tickets
from xhsvc.core.context import Context
from xhsvc.errors import XhsvcError
from xhsvc.store import events, queries
from xhsvc.store.tables import Event

ACTORS = ["wangfang", "zhaoli", "lijun", "zhangwei", "wuhao", "sunli", "zhoujian"]


ACTIONS: dict[str, Callable[[Context, str], Any]] = {
    "assign_l1": lambda ctx, key: tickets.assign_ticket(ctx, key=key, assignee="lijun"),
    "assign_l2": lambda ctx, key: tickets.assign_ticket(ctx, key=key, assignee="wuhao"),
    "take": lambda ctx, key: tickets.assign_ticket(ctx, key=key, assignee=ctx.actor_handle),
    "respond": lambda ctx, key: tickets.respond_ticket(ctx, key=key),
    "comment": lambda ctx, key: tickets.comment_ticket(ctx, key=key, text="跟进"),
    "wait": lambda ctx, key: tickets.wait_ticket(ctx, key=key, reason="等日志"),
    "resume": lambda ctx, key: tickets.resume_ticket(ctx, key=key),
    "onsite": lambda ctx, key: approvals.request_onsite(ctx, key=key, reason="现场"),
    "escalate_l2": lambda ctx, key: approvals.escalate_ticket(ctx, key=key, to="L2", reason="二线"),
    "escalate_l3": lambda ctx, key: approvals.escalate_ticket(ctx, key=key, to="L3", reason="专家"),
    "approve": lambda ctx, key: approvals.approve_request(ctx, key=key),
    "approve_to_wuhao": lambda ctx, key: approvals.approve_request(ctx, key=key, assign="wuhao"),
    "deny": lambda ctx, key: approvals.deny_request(ctx, key=key, reason="不批"),
    "refer": lambda ctx, key: approvals.refer_request(ctx, key=key),
    "resolve": lambda ctx, key: tickets.resolve_ticket(ctx, key=key, resolution="已修复"),
    "confirm": lambda ctx, key: tickets.confirm_ticket(ctx, key=key, by="客户"),
    "unresolved": lambda ctx, key: tickets.confirm_ticket(
        ctx, key=key, by="客户", unresolved=True, note="没好"
    ),
    "review": lambda ctx, key: tickets.review_ticket(ctx, key=key, root_cause="原因", actions="措施"),
    "close": lambda ctx, key: tickets.close_ticket(ctx, key=key),
    "close_report": lambda ctx, key: tickets.close_ticket(ctx, key=key, report="服务报告"),
    "reopen": lambda ctx, key: tickets.reopen_ticket(ctx, key=key, reason="复现"),
    "cancel": lambda ctx, key: tickets.cancel_ticket(ctx, key=key, reason="撤回"),
}
STEPS = st.lists(
    st.tuples(st.sampled_from(ACTORS), st.sampled_from(sorted(ACTIONS))), min_size=1, max_size=30
)


def _event_count(ctx) -> int:
    with ctx.reading() as tx:
        return tx.conn.execute(select(func.count()).select_from(Event.__table__)).scalar_one()


def _check_invariants(ctx, key: str) -> None:
    shown = ticket_views.show_ticket(ctx, key=key)
    assert shown["status"] in tickets.STATUSES
    assert sum(a["state"] == "pending" for a in shown["approvals"]) <= 1
    if shown["status"] == "closed":
        if shown["onsite"]:
            assert shown["confirmed_at"] is not None and shown["report"]
        if shown["major"]:
            assert shown["reviewed_at"] is not None
    if shown["assignee"]:
        person = next(p for p in ACTORS if p == shown["assignee"])
        tier = {"lijun": "L1", "zhangwei": "L1", "wuhao": "L2", "sunli": "L3"}[person]
        assert tier == shown["tier"]
    if shown["status"] == "new":
        assert shown["assignee"] is None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(impact=st.integers(1, 4), steps=STEPS)
def test_any_sequence_keeps_the_flow_sound(desk: MakeCtx, impact: int, steps: list[tuple[str, str]]) -> None:
    key = tickets.open_ticket(desk("wangfang"), customer=CUSTOMER, title="随机流程", impact=impact).ticket.key
    for actor, action in steps:
        ctx = desk(actor)
        before = _event_count(ctx)
        try:
            ACTIONS[action](ctx, key)
        except XhsvcError:
            assert _event_count(ctx) == before, f"{actor} {action} was refused but wrote events"
        _check_invariants(ctx, key)
    ctx = desk("admin")
    with ctx.reading() as tx:
        snapshot = queries.state_snapshot(tx.conn)
    with ctx.db.write() as conn:
        events.rebuild(conn)
    with ctx.reading() as tx:
        assert queries.state_snapshot(tx.conn) == snapshot
