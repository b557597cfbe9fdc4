"""customer search: character pairs of names and addresses, full-text indexed

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 20:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_INDEX = (
    "CREATE VIRTUAL TABLE customer_fts USING fts5(grams, content='customer_search', content_rowid='id')",
    "CREATE TRIGGER customer_search_added AFTER INSERT ON customer_search BEGIN "
    "INSERT INTO customer_fts (rowid, grams) VALUES (new.id, new.grams); END",
    "CREATE TRIGGER customer_search_removed AFTER DELETE ON customer_search BEGIN "
    "INSERT INTO customer_fts (customer_fts, rowid, grams) VALUES ('delete', old.id, old.grams); END",
)
POSTGRESQL_INDEX = (
    "CREATE INDEX ix_customer_search_grams ON customer_search USING gin (to_tsvector('simple', grams))",
)


def upgrade() -> None:
    op.create_table(
        "customer_search",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("grams", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("customer_id"),
    )
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_INDEX, "postgresql": POSTGRESQL_INDEX}.get(dialect, ()):
        op.execute(statement)
    # The customers already there are indexed once, as a write would.
    from xhsvc.store import search

    search.refresh_all(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE customer_fts")
    op.drop_table("customer_search")
