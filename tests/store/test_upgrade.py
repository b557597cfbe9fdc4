"""An older database is upgraded in place when opened, its data kept."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, text

from xhsvc.core import ticket_views
from xhsvc.core.context import Context
from xhsvc.store.db import HEAD_REVISION, alembic_config, open_database


def test_a_database_of_the_first_schema_is_upgraded_with_its_tickets(db_url: str) -> None:
    engine = create_engine(db_url)
    with engine.begin() as conn:
        # Back to the first schema, as an installation of the first release has it.
        command.upgrade(alembic_config(conn), "head")
        command.downgrade(alembic_config(conn), "0001")
        now = "2026-05-01 08:00:00"
        conn.execute(
            text(
                "INSERT INTO person (id, handle, name, role, active, created_at) "
                "VALUES ('p1', 'wangfang', '王芳', 'agent', true, :now)"
            ),
            {"now": now},
        )
        conn.execute(
            text("INSERT INTO customer (id, name, created_at) VALUES ('c1', '老客户', :now)"), {"now": now}
        )
        conn.execute(
            text(
                "INSERT INTO ticket (id, key, title, status, tier, impact, urgency, priority, major, service, channel,"
                " customer_id, opened_by_id, onsite, created_at, updated_at, reopen_count)"
                " VALUES ('t1', 'XH-000001', '旧工单', 'new', 'L1', 3, 3, 'P3', false, 'remote', 'hotline',"
                " 'c1', 'p1', false, :now, :now, 0)"
            ),
            {"now": now},
        )
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"
    engine.dispose()

    db = open_database(db_url)
    try:
        with db.read() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD_REVISION
        shown = ticket_views.show_ticket(Context(db=db), key="XH-000001")
        assert (shown["title"], shown["customer"], shown["contract"], shown["coverage"]) == (
            "旧工单",
            "老客户",
            None,
            None,
        )
    finally:
        db.dispose()
