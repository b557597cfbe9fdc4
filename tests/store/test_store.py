"""The store: SQLite settings, schema migrations, ids, the event log and concurrent writers."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import select, text

from tests.conftest import CUSTOMER, MakeCtx
from xhsvc.core import demo, ticket_views, tickets
from xhsvc.errors import DatabaseError
from xhsvc.store import events, queries
from xhsvc.store.db import HEAD_REVISION, known_revisions, open_database
from xhsvc.store.tables import Event


def test_head_revision_is_alembics_head() -> None:
    from alembic.script import ScriptDirectory

    from xhsvc.store.db import alembic_config

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == HEAD_REVISION
    assert HEAD_REVISION in known_revisions()


def test_sqlite_runs_in_wal_with_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    # A SQLite file of its own, whatever backend the suite runs on: this is about SQLite.
    database = open_database(f"sqlite:///{tmp_path / 'own.db'}")
    with database.read() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
    database.dispose()


def test_default_database_is_created_in_the_data_dir(home: Path, monkeypatch) -> None:
    from xhsvc.config import db_url

    db = open_database(db_url())
    db.dispose()
    assert (home / "xhsvc.db").exists()


def test_each_database_gets_its_own_node_id(db_url: str, tmp_path: Path) -> None:
    first = open_database(db_url, prefix="HZ")
    second = open_database(f"sqlite:///{tmp_path / 'other.db'}")
    assert first.node_id and second.node_id and first.node_id != second.node_id
    assert first.prefix == "HZ"
    again = open_database(db_url)
    assert again.node_id == first.node_id
    for db in (first, second, again):
        db.dispose()


def test_a_database_from_a_newer_xhsvc_is_refused_and_untouched(database, db_url: str) -> None:
    with database.write() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    database.dispose()
    with pytest.raises(DatabaseError, match="newer xhsvc"):
        open_database(db_url)
    from sqlalchemy import create_engine

    engine = create_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "9999"
    engine.dispose()


def test_every_change_is_an_event_with_node_sequence_and_clock(desk: MakeCtx) -> None:
    agent = desk("wangfang")
    key = tickets.open_ticket(agent, customer=CUSTOMER, title="告警").ticket.key
    tickets.assign_ticket(agent, key=key, assignee="lijun")
    with agent.reading() as tx:
        rows = tx.conn.execute(select(Event.__table__).order_by(Event.__table__.c.hlc)).mappings().all()
    assert len(rows) >= 10
    assert {r["node"] for r in rows} == {agent.db.node_id}
    seqs = [r["seq"] for r in rows]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    hlcs = [r["hlc"] for r in rows]
    assert len(set(hlcs)) == len(hlcs)
    kinds = [r["kind"] for r in rows]
    assert kinds.index("ticket.opened") < kinds.index("ticket.assigned")
    assert all(r["actor"] == "wangfang" for r in rows if r["kind"].startswith("ticket."))
    assert all(len(r["id"]) == 36 and r["id"][14] == "7" for r in rows)  # UUIDv7


def test_state_rebuilt_from_the_log_is_the_same(as_: MakeCtx, clock) -> None:
    ctx = as_(None)
    demo.load_demo(ctx)
    with ctx.reading() as tx:
        before = queries.state_snapshot(tx.conn)
    assert len(before["ticket"]) > 20
    with ctx.db.write() as conn:
        replayed = events.rebuild(conn)
    with ctx.reading() as tx:
        after = queries.state_snapshot(tx.conn)
    assert replayed > 100
    assert after == before
    # Ticket numbering carries on after a rebuild.
    key = tickets.open_ticket(as_("wangfang"), customer=demo.CUSTOMERS[0][0], title="新来电").ticket.key
    assert key == f"XH-{len(before['ticket']) + 1:06d}"


def test_concurrent_writers_never_collide(desk: MakeCtx, db_url: str) -> None:
    """Two desks (say the TUI and a cron job) writing at once: every ticket gets its own key."""
    errors: list[BaseException] = []
    keys: list[str] = []

    def worker() -> None:
        db = open_database(db_url)
        try:
            from xhsvc.core.context import Context

            ctx = Context(db=db, actor_handle="wangfang")
            for i in range(15):
                keys.append(tickets.open_ticket(ctx, customer=CUSTOMER, title=f"并发 {i}").ticket.key)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)
        finally:
            db.dispose()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(keys) == 45 and len(set(keys)) == 45
    ctx = desk("wangfang")
    assert len(ticket_views.list_tickets(ctx, limit=0)) == 45


def test_many_changes_appended_together_leave_the_state_one_at_a_time_would(desk: MakeCtx) -> None:
    """append_many inserts new rows first and batches changes to rows: the state must be what the
    same events appended one by one give, also when one row is changed twice in different ways."""
    agent = desk("wangfang")
    keys = [tickets.open_ticket(agent, customer=CUSTOMER, title=f"告警{n}").ticket.key for n in range(3)]
    with agent.reading() as tx:
        ids = [queries.get_ticket(tx.conn, key).id for key in keys]

    def batch(overlapping: bool) -> list[events.Change]:
        changes = [
            events.Change("ticket", ids[0], "ticket.edited", {"set": {"title": "甲"}}),
            events.Change("ticket", ids[1], "ticket.edited", {"set": {"title": "乙", "impact": 3}}),
            events.Change("ticket", ids[0], "ticket.edited", {"set": {"title": "甲二"}}),
        ]
        if overlapping:  # ids[1] again, with other columns: its two changes must stay in order
            changes.append(events.Change("ticket", ids[1], "ticket.edited", {"set": {"title": "乙二"}}))
        return changes

    for overlapping, expected in ((False, ["甲二", "乙", "告警2"]), (True, ["甲二", "乙二", "告警2"])):
        with agent.writing() as tx:
            events.append_many(tx.conn, tx.origin, batch(overlapping))
        with agent.reading() as tx:
            found = [queries.get_ticket(tx.conn, key) for key in keys]
        assert [t.title for t in found] == expected
        assert found[1].impact == 3


def test_a_limited_listing_is_the_head_of_the_whole_one(as_: MakeCtx) -> None:
    """The queue's first N are read status by status off an index: they must be the first N of the
    whole sorted queue, whatever the statuses and filters."""
    ctx = as_(None)
    demo.load_demo(ctx)
    with ctx.reading() as tx:
        for statuses in (list(queries.OPEN_STATUSES), ["new", "in_progress"], ["closed", "cancelled"]):
            whole = [r["key"] for r in queries.ticket_listing(tx.conn, statuses=statuses, limit=0)]
            assert len(whole) > 3
            for limit in (1, 3, len(whole) - 1):
                head = [r["key"] for r in queries.ticket_listing(tx.conn, statuses=statuses, limit=limit)]
                assert head == whole[:limit]
        major = [
            r["key"]
            for r in queries.ticket_listing(
                tx.conn, statuses=list(queries.OPEN_STATUSES), major=True, limit=0
            )
        ]
        assert [
            r["key"]
            for r in queries.ticket_listing(
                tx.conn, statuses=list(queries.OPEN_STATUSES), major=True, limit=2
            )
        ] == major[:2]
