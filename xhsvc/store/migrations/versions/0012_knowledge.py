"""knowledge notes: what an engineer learnt on a case, searchable

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import xhsvc.store.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The texts of a note, each a column of the full-text index (store/search.py NOTE_FIELDS).
FIELDS = ("symptom", "cause", "fix", "model", "firmware")
SQLITE_INDEX = (
    f"CREATE VIRTUAL TABLE knowledge_fts USING fts5({', '.join(FIELDS)}, "
    "content='knowledge_search', content_rowid='id')",
    f"CREATE TRIGGER knowledge_search_added AFTER INSERT ON knowledge_search BEGIN "
    f"INSERT INTO knowledge_fts (rowid, {', '.join(FIELDS)}) "
    f"VALUES (new.id, {', '.join('new.' + f for f in FIELDS)}); END",
    f"CREATE TRIGGER knowledge_search_removed AFTER DELETE ON knowledge_search BEGIN "
    f"INSERT INTO knowledge_fts (knowledge_fts, rowid, {', '.join(FIELDS)}) "
    f"VALUES ('delete', old.id, {', '.join('old.' + f for f in FIELDS)}); END",
)
# The same expression store/search.py searches with (NOTE_VECTOR), so that the index serves it.
POSTGRESQL_INDEX = (
    "CREATE INDEX ix_knowledge_search_grams ON knowledge_search USING gin (("
    "setweight(to_tsvector('simple', symptom), 'A') || setweight(to_tsvector('simple', model), 'B') || "
    "setweight(to_tsvector('simple', firmware), 'B') || setweight(to_tsvector('simple', cause), 'C') || "
    "setweight(to_tsvector('simple', fix), 'D')))",
)


def upgrade() -> None:
    op.create_table(
        "knowledge_note",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("ticket_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("ticket_key", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("symptom", sa.Text(), nullable=False),
        sa.Column("cause", sa.Text(), nullable=True),
        sa.Column("fix", sa.Text(), nullable=False),
        sa.Column("model", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("firmware", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("author_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("created_at", xhsvc.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("knowledge_note", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_knowledge_note_ticket_id"), ["ticket_id"], unique=False)
        batch_op.create_index("ix_knowledge_note_created", ["created_at"], unique=False)
    op.create_table(
        "knowledge_search",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.String(length=36), nullable=False),
        sa.Column("model_key", sa.String(length=100), nullable=True),
        sa.Column("symptom", sa.Text(), nullable=False),
        sa.Column("cause", sa.Text(), nullable=False),
        sa.Column("fix", sa.Text(), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("firmware", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("note_id"),
    )
    with op.batch_alter_table("knowledge_search", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_knowledge_search_model_key"), ["model_key"], unique=False)
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_INDEX, "postgresql": POSTGRESQL_INDEX}.get(dialect, ()):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE knowledge_fts")
    with op.batch_alter_table("knowledge_search", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_knowledge_search_model_key"))
    op.drop_table("knowledge_search")
    with op.batch_alter_table("knowledge_note", schema=None) as batch_op:
        batch_op.drop_index("ix_knowledge_note_created")
        batch_op.drop_index(batch_op.f("ix_knowledge_note_ticket_id"))
    op.drop_table("knowledge_note")
