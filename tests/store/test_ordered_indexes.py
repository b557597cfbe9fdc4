"""Reads that page through many tickets take them in order from a partial index and stop at the
page's end, rather than sorting every match: a page of the open queue the dashboard opens on
(migration 0015) and a page of the tickets the sweep checks (0016). On a SQLite database that has
never been analyzed too, and on PostgreSQL the index serves the statement as written."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, event

from xhsvc.core import tickets
from xhsvc.core.queue import QUEUE_STATUSES
from xhsvc.store import queries
from xhsvc.store.db import open_database


def _plan_of_page(url: str, **filters: Any) -> str:
    return _plan_of(url, lambda conn: queries.queue_page(conn, **filters))


def _plan_of(url: str, read: Callable[[Connection], object]) -> str:
    """The plan of the statement with an ORDER BY that `read` runs."""
    db = open_database(url)
    seen: list[tuple[str, Any]] = []
    event.listen(
        db.engine, "before_cursor_execute", lambda _c, _cur, sql, params, *_: seen.append((sql, params))
    )
    with db.engine.connect() as conn:
        read(conn)
        sql, params = next((sql, params) for sql, params in seen if "ORDER BY" in sql)
        if conn.dialect.name == "sqlite":
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)
        else:
            # An empty table is read faster whole: forbid that and sorting, so the plan says
            # whether the index can serve the statement at all (its predicate matches).
            conn.exec_driver_sql("SET enable_seqscan = off")
            conn.exec_driver_sql("SET enable_sort = off")
            rows = conn.exec_driver_sql(f"EXPLAIN {sql}", params)
        plan = " | ".join(str(row[-1]) for row in rows)
    db.dispose()
    return plan


def test_the_open_queue_is_read_in_order_from_its_index(db_url: str) -> None:
    # (A filter on a column of its own index, priority or assignee, reads that index: a few.)
    for filters in ({}, {"tier": "L2"}, {"region": "杭州"}, {"text": "心跳"}):
        plan = _plan_of_page(db_url, statuses=list(QUEUE_STATUSES), **filters)
        assert queries.OPEN_ORDER_INDEX in plan, plan
        assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan


def test_a_status_of_its_own_is_sorted_on_the_status_index(tmp_path: Path) -> None:
    # Not the open queue: the partial index does not hold closed tickets, the status index does.
    plan = _plan_of_page(f"sqlite:///{tmp_path / 'queue.db'}", statuses=["closed"])
    assert queries.OPEN_ORDER_INDEX not in plan
    assert "status=?" in plan


def test_the_sweeps_due_tickets_are_read_in_order_from_their_index(db_url: str) -> None:
    # The statuses the sweep checks are those the index holds.
    assert set(queries.ACTIVE_STATUSES) == set(tickets.ACTIVE)
    now = datetime(2026, 11, 30, 9, tzinfo=UTC)
    for after in (None, (now, "01a2")):  # the first page, and a page after one
        plan = _plan_of(
            db_url, lambda conn, after=after: queries.tickets_to_check(conn, now=now, limit=500, after=after)
        )
        assert queries.NEXT_CHECK_INDEX in plan, plan
        assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan
