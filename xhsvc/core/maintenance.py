"""Database upkeep: schema status and upgrade, and rebuilding state from the event log."""

from __future__ import annotations

from typing import Any

from xhsvc.core.context import Context
from xhsvc.errors import NotAllowed
from xhsvc.store import db as store_db
from xhsvc.store import events


def database_status(*, url: str) -> dict[str, Any]:
    """Schema revision of the database at `url` against this xhsvc's, without changing anything."""
    engine = store_db.make_engine(url)
    try:
        status = store_db.schema_status(engine)
    finally:
        engine.dispose()
    status["url"] = engine.url.render_as_string(hide_password=True)
    return status


def upgrade_database(*, url: str) -> dict[str, Any]:
    engine = store_db.make_engine(url)
    try:
        before, after = store_db.upgrade(engine)
    finally:
        engine.dispose()
    return {"url": engine.url.render_as_string(hide_password=True), "before": before, "after": after}


def rebuild_state(ctx: Context) -> int:
    """Replay the whole event log onto empty state tables (an admin's repair tool)."""
    with ctx.writing() as tx:
        if tx.me().role != "admin":
            raise NotAllowed(
                f"db rebuild: only an admin may rebuild the state; {tx.me().handle} is {tx.me().role}"
            )
        return events.rebuild(tx.conn)
