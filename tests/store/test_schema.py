"""The migrations create exactly the schema the tables declare."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from xhsvc.store import tables


# The partial index on an expression that keeps the open queue in order is one of the schema's
# UNDECLARED objects; SQLAlchemy says it cannot reflect it, which is why.
@pytest.mark.filterwarnings(
    "ignore:Skipped unsupported reflection of expression-based index ix_ticket_open_order"
)
def test_migrations_match_the_tables(database) -> None:
    with database.read() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": tables.declared})
        diff = compare_metadata(context, tables.metadata)
    assert diff == []
