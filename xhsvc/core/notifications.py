"""The notification outbox: what is owed to whom, and why."""

from __future__ import annotations

from typing import Any

from xhsvc.core.context import Context
from xhsvc.errors import InvalidInput, NotFound
from xhsvc.store import queries

STATES = ("pending", "delivered", "failed")


def list_notifications(
    ctx: Context, *, state: str | None = None, to: str | None = None, mine: bool = False, limit: int = 500
) -> list[dict[str, Any]]:
    if state is not None and state not in STATES:
        raise InvalidInput(f"state {state!r}: must be one of {', '.join(STATES)}")
    with ctx.reading() as tx:
        recipient_id = None
        if mine:
            recipient_id = tx.me().id
        elif to:
            person = queries.get_person(tx.conn, to)
            if person is None:
                raise NotFound(f"person {to!r} not found")
            recipient_id = person.id
        return queries.notification_listing(
            tx.conn, state=state, recipient_id=recipient_id, limit=limit or None
        )
