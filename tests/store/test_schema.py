"""The migrations create exactly the schema the tables declare."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from xhsvc.store import tables


def test_migrations_match_the_tables(database) -> None:
    with database.read() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": tables.declared})
        diff = compare_metadata(context, tables.metadata)
    assert diff == []
