"""work logs: time spent on a ticket or a visit

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import xhsvc.store.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "work_log",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("ticket_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("visit_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("person_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("started_at", xhsvc.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", xhsvc.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("minutes > 0", name="ck_work_log_minutes"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.ForeignKeyConstraint(["visit_id"], ["visit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("work_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_work_log_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_work_log_ticket_id"), ["ticket_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_work_log_visit_id"), ["visit_id"], unique=False)
        batch_op.create_index("ix_work_log_started", ["started_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("work_log", schema=None) as batch_op:
        batch_op.drop_index("ix_work_log_started")
        batch_op.drop_index(batch_op.f("ix_work_log_visit_id"))
        batch_op.drop_index(batch_op.f("ix_work_log_ticket_id"))
        batch_op.drop_index(batch_op.f("ix_work_log_person_id"))
    op.drop_table("work_log")
