"""event hash chain and who really ran each command

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN: copying `event` in a batch is not needed for nullable columns.
    op.add_column("event", sa.Column("ran_by", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True))
    op.add_column("event", sa.Column("prev_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    op.add_column("event", sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    # The events already written are linked as they stand: the chain vouches for them from here on.
    from xhsvc.store.chain import rehash_all

    rehash_all(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("ran_by")
