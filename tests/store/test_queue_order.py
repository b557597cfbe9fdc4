"""The open queue is read in its order from an index (migration 0015): a page of the queue the
dashboard opens on reads a page's rows and stops, rather than sorting every open ticket, on a
SQLite database that has never been analyzed too, and on PostgreSQL the index serves it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event

from xhsvc.core.queue import QUEUE_STATUSES
from xhsvc.store import queries
from xhsvc.store.db import open_database


def _plan_of_page(url: str, **filters: Any) -> str:
    db = open_database(url)
    seen: list[tuple[str, Any]] = []
    event.listen(
        db.engine, "before_cursor_execute", lambda _c, _cur, sql, params, *_: seen.append((sql, params))
    )
    with db.engine.connect() as conn:
        queries.queue_page(conn, **filters)
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
