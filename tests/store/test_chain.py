"""The event log is a hash chain per node: an edit, a deletion or an insertion behind xhsvc's back is
found and named, a broken log is never replayed, and backups restore only when they verify."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from alembic import command
from sqlalchemy import Connection, create_engine, func, select, text

from tests.conftest import CUSTOMER, MakeCtx, backend
from xhsvc.core import maintenance, tickets
from xhsvc.errors import Conflict
from xhsvc.store import chain
from xhsvc.store.db import alembic_config, open_database
from xhsvc.store.tables import Event

EVENT = Event.__table__


@pytest.fixture
def worked(desk: MakeCtx) -> MakeCtx:
    """A desk that has done some work: tickets opened, assigned, answered."""
    agent, engineer = desk("wangfang"), desk("lijun")
    for title in ("阵列告警", "备份失败", "链路中断"):
        key = tickets.open_ticket(agent, customer=CUSTOMER, title=title).ticket.key
        tickets.assign_ticket(agent, key=key, assignee="lijun")
        tickets.respond_ticket(engineer, key=key, note="远程检查")
    return desk


def tamper(ctx, change: Callable[[Connection], object]) -> None:
    """What someone with the database file or a database login could do, bypassing xhsvc."""
    with ctx.db.engine.begin() as conn:
        change(conn)


def nth_event(conn: Connection, n: int) -> dict:
    return dict(
        conn.execute(select(EVENT).order_by(EVENT.c.node, EVENT.c.seq).offset(n - 1).limit(1))
        .mappings()
        .one()
    )


def test_an_untouched_log_verifies_and_records_who_really_ran_each_command(worked: MakeCtx) -> None:
    ctx = worked("wangfang")
    verdict = maintenance.verify_log(ctx)
    assert verdict["intact"] and verdict["nodes"] == 1 and verdict["events"] > 20
    with ctx.reading() as tx:
        ran_by = set(tx.conn.execute(select(EVENT.c.ran_by)).scalars())
        first = nth_event(tx.conn, 1)
    expected = "db:postgres" if backend() == "postgresql" else f"os:{__import__('getpass').getuser()}"
    assert ran_by == {expected}
    assert first["prev_hash"] == chain.GENESIS and len(first["hash"]) == 64


@pytest.mark.parametrize(
    ("forgery", "problem"),
    [
        # An approval's actor rewritten to the manager's.
        (
            lambda c, e: c.execute(EVENT.update().where(EVENT.c.id == e["id"]).values(actor="zhoujian")),
            "was changed",
        ),
        # A title slipped into a payload.
        (
            lambda c, e: c.execute(
                EVENT.update()
                .where(EVENT.c.id == e["id"])
                .values(payload=e["payload"][:-1] + ', "title": "改过的标题"}')
            ),
            "was changed",
        ),
        # An event deleted from the middle.
        (lambda c, e: c.execute(EVENT.delete().where(EVENT.c.id == e["id"])), "is missing"),
        # The time of an event moved.
        (
            lambda c, e: c.execute(EVENT.update().where(EVENT.c.id == e["id"]).values(hlc=e["hlc"] + 1)),
            "was changed",
        ),
    ],
)
def test_an_edit_behind_xhsvcs_back_is_found_and_named(worked: MakeCtx, forgery, problem: str) -> None:
    ctx = worked("wangfang")
    with ctx.reading() as tx:
        target = nth_event(tx.conn, 20)
    tamper(ctx, lambda c: forgery(c, target))
    verdict = maintenance.verify_log(ctx)
    assert not verdict["intact"]
    assert verdict["broken"]["seq"] in (target["seq"], target["seq"] + 1)
    assert problem in verdict["broken"]["problem"]
    with pytest.raises(Conflict, match=r"db rebuild: the event log is broken at node .*; nothing rebuilt"):
        maintenance.rebuild_state(worked("admin"))


def test_the_latest_events_deleted_or_a_forged_one_appended_are_found(worked: MakeCtx) -> None:
    ctx = worked("wangfang")
    with ctx.reading() as tx:
        last = tx.conn.execute(select(func.max(EVENT.c.seq))).scalar_one()
        newest = dict(tx.conn.execute(select(EVENT).where(EVENT.c.seq == last)).mappings().one())
    tamper(ctx, lambda c: c.execute(EVENT.delete().where(EVENT.c.seq == last)))
    verdict = maintenance.verify_log(ctx)
    assert verdict["broken"]["problem"] == f"events {last}..{last} of this node are missing"
    # Put back, then one more event appended with a correctly computed hash: the node never wrote it.
    forged = {**newest, "id": "forged", "seq": last + 1, "hlc": newest["hlc"] + 1, "actor": "zhoujian"}
    forged["prev_hash"] = newest["hash"]
    forged["hash"] = chain.event_hash(forged, forged["prev_hash"])
    tamper(ctx, lambda c: c.execute(EVENT.insert(), [newest, forged]))
    verdict = maintenance.verify_log(ctx)
    assert verdict["broken"]["problem"] == f"events {last + 1}..{last + 1} were never written here"


def test_an_older_database_gets_its_chain_on_upgrade(worked: MakeCtx, db_url: str) -> None:
    ctx = worked("wangfang")
    ctx.db.dispose()
    engine = create_engine(db_url)
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0005")
        assert "hash" not in {c["name"] for c in __import__("sqlalchemy").inspect(conn).get_columns("event")}
    engine.dispose()
    db = open_database(db_url)
    try:
        with db.read() as conn:
            assert chain.verify(conn).broken is None
            assert conn.execute(text("SELECT count(*) FROM event WHERE hash IS NULL")).scalar() == 0
    finally:
        db.dispose()
