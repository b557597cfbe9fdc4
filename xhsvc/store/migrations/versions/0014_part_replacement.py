"""parts replaced while working a ticket, for the service report

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import xhsvc.store.types

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "part_replacement",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("ticket_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("person_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("part_number", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("removed_serial", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("installed_serial", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("replaced_at", xhsvc.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", xhsvc.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("quantity > 0", name="ck_part_replacement_quantity"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("part_replacement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_part_replacement_ticket_id"), ["ticket_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("part_replacement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_part_replacement_ticket_id"))
    op.drop_table("part_replacement")
