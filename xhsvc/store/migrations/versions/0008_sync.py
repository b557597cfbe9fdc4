"""offline sync: peers and their keys, what a laptop is covered for, entity heads, conflicts

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 16:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from xhsvc.store.types import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "sync_peer",
        sa.Column("name", S(length=64), nullable=False),
        sa.Column("node_id", S(length=36), nullable=True),
        sa.Column("person_id", S(length=36), nullable=True),
        sa.Column("role", S(length=16), nullable=False),
        sa.Column("key", S(length=64), nullable=False),
        sa.Column("prefix", S(length=8), nullable=True),
        sa.Column("url", S(length=1024), nullable=True),
        sa.Column("have", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_sent_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_received_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name"),
        sa.UniqueConstraint("node_id"),
    )
    op.create_table(
        "sync_cover",
        sa.Column("node", S(length=36), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("node"),
    )
    op.create_table(
        "entity_head",
        sa.Column("entity_id", S(length=36), nullable=False),
        sa.Column("event_id", S(length=36), nullable=False),
        sa.PrimaryKeyConstraint("entity_id", "event_id"),
    )
    op.create_table(
        "sync_conflict",
        sa.Column("id", S(length=120), nullable=False),
        sa.Column("entity", S(length=32), nullable=False),
        sa.Column("entity_id", S(length=36), nullable=False),
        sa.Column("ticket_id", S(length=36), nullable=True),
        sa.Column("field", S(length=64), nullable=False),
        sa.Column("kind", S(length=16), nullable=False),
        sa.Column("rule", sa.Text(), nullable=True),
        sa.Column("winner_event", S(length=36), nullable=False),
        sa.Column("winner_value", sa.Text(), nullable=True),
        sa.Column("loser_event", S(length=36), nullable=False),
        sa.Column("loser_value", sa.Text(), nullable=True),
        sa.Column("loser_kind", S(length=64), nullable=False),
        sa.Column("loser_actor", S(length=64), nullable=True),
        sa.Column("loser_node", S(length=36), nullable=False),
        sa.Column("loser_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_event", S(length=36), nullable=True),
        sa.Column("resolved_by", S(length=64), nullable=True),
        sa.Column("resolved_at", UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_conflict_entity", "sync_conflict", ["entity_id"])
    op.create_index("ix_conflict_ticket", "sync_conflict", ["ticket_id"])
    # Every entity's latest event is its head: the events written before sync came from one node.
    bind = op.get_bind()
    bind.execute(
        sa.text(
            "INSERT INTO entity_head (entity_id, event_id) "
            "SELECT e.entity_id, e.id FROM event e JOIN ("
            " SELECT entity_id, MAX(hlc) AS hlc FROM event GROUP BY entity_id"
            ") last ON last.entity_id = e.entity_id AND last.hlc = e.hlc"
        )
    )


def downgrade() -> None:
    op.drop_index("ix_conflict_ticket", table_name="sync_conflict")
    op.drop_index("ix_conflict_entity", table_name="sync_conflict")
    op.drop_table("sync_conflict")
    op.drop_table("entity_head")
    op.drop_table("sync_cover")
    op.drop_table("sync_peer")
