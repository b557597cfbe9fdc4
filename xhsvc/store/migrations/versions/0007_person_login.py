"""person login: the database login bound to each person on a shared server

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 15:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("person", sa.Column("login", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    op.create_index("ix_person_login", "person", ["login"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index("ix_person_login")
        batch_op.drop_column("login")
