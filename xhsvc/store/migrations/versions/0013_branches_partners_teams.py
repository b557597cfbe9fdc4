"""branches, partners and project support teams

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import xhsvc.store.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=36)


def upgrade() -> None:
    op.create_table(
        "branch",
        sa.Column("id", _id(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("city", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("region", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", xhsvc.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "partner",
        sa.Column("id", _id(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("regions", sa.Text(), nullable=False),
        sa.Column("contact", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", xhsvc.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "team_member",
        sa.Column("id", _id(), nullable=False),
        sa.Column("customer_id", _id(), nullable=False),
        sa.Column("person_id", _id(), nullable=False),
        sa.Column("tier", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("primary", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", xhsvc.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("customer_id", "person_id", name="uq_team_member"),
    )
    with op.batch_alter_table("team_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_member_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_team_member_person_id"), ["person_id"], unique=False)

    # People keep working with no branch: two nullable columns. A plain ADD COLUMN rather than a
    # batch copy of `person`: copying it would trip the foreign keys that point at it (every
    # ticket, request and log names people). SQLite takes the REFERENCES inline on a nullable new
    # column, as migration 0002 does for `ticket`.
    sqlite = op.get_bind().dialect.name == "sqlite"
    for name, target in (("branch_id", "branch"), ("partner_id", "partner")):
        if sqlite:
            op.execute(f"ALTER TABLE person ADD COLUMN {name} VARCHAR(36) REFERENCES {target} (id)")
        else:
            op.add_column("person", sa.Column(name, _id(), sa.ForeignKey(f"{target}.id"), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("partner_id")
        batch_op.drop_column("branch_id")
    with op.batch_alter_table("team_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_member_person_id"))
        batch_op.drop_index(batch_op.f("ix_team_member_customer_id"))
    op.drop_table("team_member")
    op.drop_table("partner")
    op.drop_table("branch")
