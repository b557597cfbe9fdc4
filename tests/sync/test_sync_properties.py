"""Property test of the merge: a center and laptops with skewed clocks work the real flow, swap
bundles split, reordered and repeated at random, then meet. Every node ends with every event and
the identical state; every value written is either the one that holds or a listed conflict."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.conftest import CUSTOMER, FixedClock, MakeCtx
from tests.core.test_flow_properties import ACTIONS
from tests.sync.conftest import Laptop, MakeLaptop
from xhsvc.core import approvals, sync, tickets
from xhsvc.core.context import Context
from xhsvc.errors import XhsvcError
from xhsvc.store import chain, events, merge, queries, tables

CENTER_ACTORS = ["zhoujian", "wangfang", "lijun", "wuhao"]
# The flow's steps, and edits whose values differ from node to node (so that races have losers).
NODE_ACTIONS = {
    **ACTIONS,
    "resolve_own": lambda ctx, key, n: tickets.resolve_ticket(ctx, key=key, resolution=f"节点{n}修复"),
    "urgency": lambda ctx, key, n: tickets.reprioritize_ticket(
        ctx, key=key, urgency=1 + n % 4, reason="调整"
    ),
    "withdraw": lambda ctx, key, n: approvals.withdraw_request(ctx, key=key, reason=f"节点{n}撤回"),
}
LAPTOP_PEOPLE = ["lijun", "wuhao", "zhaoli"]

# Steps that move a ticket already being worked, the likeliest to succeed first (hypothesis leans
# to the first); cancelling is left out: it ends the story.
LIKELY = [
    "urgency",
    "resolve_own",
    "comment",
    "reopen",
    "wait",
    "resume",
    "onsite",
    "withdraw",
    "approve",
    "escalate_l2",
    "approve_to_wuhao",
    "deny",
    "resolve",
    "confirm",
    "unresolved",
    "close_report",
    "take",
    "respond",
]
# One round: every node works on its own (no exchange between), then bundles travel.
act = st.tuples(st.integers(0, 3), st.sampled_from(LIKELY), st.integers(0, 3))
travel = st.one_of(
    st.tuples(st.just("export"), st.integers(0, 2), st.booleans()),
    st.tuples(st.just("deliver"), st.integers(0, 30)),
    st.tuples(st.just("sync"), st.integers(0, 2)),
)
ROUNDS = st.lists(
    st.tuples(st.lists(act, min_size=1, max_size=6), st.lists(travel, max_size=6)), min_size=1, max_size=5
)


def _snapshot(ctx: Context) -> dict[str, Any]:
    with ctx.reading() as tx:
        state = queries.state_snapshot(tx.conn)
        ids = set(tx.conn.execute(select(tables.Event.__table__.c.id)).scalars())
        conflicts = sorted(
            (c["id"], c["winner_event"], c["resolved_event"])
            for c in merge.conflict_rows(tx.conn, open_only=False)
        )
        assert chain.verify(tx.conn).broken is None
    return {"state": state, "events": ids, "conflicts": conflicts}


def _every_value_kept(ctx: Context) -> None:
    """Each value an event set holds, was overwritten by someone who had seen it, or lost and is listed."""
    event = tables.Event.__table__
    with ctx.reading() as tx:
        lost = {c["loser_event"] for c in merge.conflict_rows(tx.conn, open_only=False)}
        # A request's lost step takes its ticket's steps of the same moment with it.
        carried = {
            (r.ticket_id, r.node, r.at)
            for r in tx.conn.execute(select(event).where(event.c.id.in_(lost), event.c.entity == "approval"))
        }
        lost |= {
            r.id
            for r in tx.conn.execute(select(event.c.id, event.c.ticket_id, event.c.node, event.c.at))
            if (r.ticket_id, r.node, r.at) in carried
        }
        for entity in ("ticket", "approval"):
            table = tables.PROJECTED[entity].__table__
            for row in tx.conn.execute(select(table)).mappings():
                stmt = (
                    select(event)
                    .where(event.c.entity_id == row["id"])
                    .order_by(event.c.hlc, event.c.node, event.c.seq)
                )
                log = [
                    {**dict(r), "payload": json.loads(r["payload"])} for r in tx.conn.execute(stmt).mappings()
                ]
                ancestors = merge._ancestry(log)
                for i, written in enumerate(log):
                    for name, value in written["payload"].get("set", {}).items():
                        if name in merge.QUIET_FIELDS or name.endswith("_at"):
                            continue
                        stored = row[name]
                        stored = stored.isoformat() if hasattr(stored, "isoformat") else stored
                        overwritten = any(
                            written["id"] in ancestors[later["id"]]
                            and name in later["payload"].get("set", {})
                            for later in log[i + 1 :]
                        )
                        assert stored == value or overwritten or written["id"] in lost, (
                            entity,
                            name,
                            written["kind"],
                        )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(
    opening=st.tuples(st.sampled_from(LIKELY), st.sampled_from(LIKELY)),
    rounds=ROUNDS,
    skews=st.lists(st.integers(-45, 45), min_size=3, max_size=3),
)
def test_any_bundles_in_any_order_converge(
    desk: MakeCtx,
    laptop: MakeLaptop,
    clock: FixedClock,
    tmp_path: Path,
    opening: tuple[str, str],
    rounds: list[tuple],
    skews: list[int],
) -> None:
    machines = _machines(laptop, clock)
    for machine, skew in zip(machines, skews, strict=True):
        machine.clock.now = clock.now
        machine.clock.advance(minutes=skew)
    key = tickets.open_ticket(desk("wangfang"), customer=CUSTOMER, title="随机同步").ticket.key
    tickets.assign_ticket(desk("wangfang"), key=key, assignee="lijun")
    tickets.respond_ticket(desk("lijun"), key=key)
    for machine in machines:
        sync.sync_with_center(machine.ctx())
    pool: list[tuple[Path, Context]] = []
    # Every example opens with the center's manager and the assignee's laptop acting at once.
    rounds = [([(3, opening[0], 0), (0, opening[1], 0)], []), *rounds]
    for acts, moves in rounds:
        for where, action, who in acts:
            clock.advance(minutes=3)
            for machine in machines:
                machine.clock.advance(minutes=3)
            ctx = desk(CENTER_ACTORS[who]) if where == 3 else machines[where].ctx()
            try:
                if action in ACTIONS:
                    ACTIONS[action](ctx, key)
                else:
                    NODE_ACTIONS[action](ctx, key, where)
            except XhsvcError:
                pass
        for move in moves:
            if move[0] == "export":
                _, which, upward = move
                machine = machines[which]
                target = tmp_path / f"b{len(pool)}.xhb"
                if upward:
                    sync.export_bundle(machine.ctx(), target=target)
                    pool.append((target, desk("zhoujian")))
                else:
                    sync.export_bundle(desk("zhoujian"), target=target, peer=f"{LAPTOP_PEOPLE[which]}-laptop")
                    pool.append((target, machine.ctx()))
            elif move[0] == "deliver" and pool:
                target, receiver = pool[move[1] % len(pool)]
                sync.import_bundle(receiver, source=target)
            elif move[0] == "sync":
                sync.sync_with_center(machines[move[1]].ctx())
    for _ in range(2):
        for machine in machines:
            sync.sync_with_center(machine.ctx())
    center = _snapshot(desk("zhoujian"))
    with desk("zhoujian").reading() as tx:
        ticket = queries.get_ticket(tx.conn, key)
        assert ticket is not None
        raised = {c["field"] for c in merge.conflict_rows(tx.conn, open_only=False, ticket_id=ticket.id)}
    event(f"conflicts on: {sorted(raised)}")
    for machine in machines:
        assert _snapshot(machine.ctx()) == center
    _every_value_kept(desk("zhoujian"))
    # The live merge and a fold of the whole log from nothing agree.
    with desk("zhoujian").db.write() as conn:
        events.rebuild(conn)
    assert _snapshot(desk("zhoujian")) == center


_MACHINES: dict[int, list[Laptop]] = {}


def _machines(laptop: MakeLaptop, clock: FixedClock) -> list[Laptop]:
    """Three laptops for the whole test (hypothesis runs many examples against one desk)."""
    key = id(laptop)
    if key not in _MACHINES:
        _MACHINES.clear()
        _MACHINES[key] = [laptop(person, clock_=FixedClock(clock.now)) for person in LAPTOP_PEOPLE]
    return _MACHINES[key]
