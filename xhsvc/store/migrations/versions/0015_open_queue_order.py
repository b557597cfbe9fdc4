"""the open queue in its order, on an index

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29 12:00:00

The queue lists open tickets nearest due first (paused and stopped clocks last). Ordered on
(status, next_due_at), a page sorted every open ticket, joined to its customer, assignee and
request, to keep a hundred: 8 ms at 100,000 tickets, growing with the open ones. This index holds
the open tickets alone, in the queue's order, so a page reads its rows in order and stops.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# store/queries.py: OPEN_ORDER_INDEX and OPEN_STATUSES; the query names the statuses in this order.
OPEN = "status IN ('new', 'assigned', 'in_progress', 'waiting_customer', 'resolved')"


def upgrade() -> None:
    op.create_index(
        "ix_ticket_open_order",
        "ticket",
        [sa.text("(next_due_at IS NULL)"), "next_due_at", "priority", "created_at"],
        sqlite_where=sa.text(OPEN),
        postgresql_where=sa.text(OPEN),
    )


def downgrade() -> None:
    op.drop_index("ix_ticket_open_order", table_name="ticket")
