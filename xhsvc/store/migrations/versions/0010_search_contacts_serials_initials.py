"""customer search: contacts' names, assets' serials and the pinyin initials of names too

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 22:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The index is derived: every customer is indexed again with what it is now found by.
    from xhsvc.store import search

    search.refresh_all(op.get_bind())


def downgrade() -> None:
    # The rows of 0009's index stay; they hold more text than 0009 wrote, which it reads alike.
    pass
