"""Counters reserved in bulk (imports) hand out consecutive values with no gap."""

from __future__ import annotations

from xhsvc.store.db import Database
from xhsvc.store.events import bump_counter, reserve


def test_reserved_values_follow_on_without_a_gap(database: Database) -> None:
    with database.write() as conn:
        assert reserve(conn, "seq:test", 500) == 1
        assert bump_counter(conn, "seq:test") == 501
        assert reserve(conn, "seq:test", 3) == 502
        assert reserve(conn, "seq:test", 2, at_least=1000) == 1000
        assert bump_counter(conn, "seq:test") == 1002
