"""The service-center queue: what the TUI shows, a page at a time, and the manager's figures."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time
from typing import Any

from xhsvc.core.context import Context
from xhsvc.core.levels import PRIORITIES
from xhsvc.core.people import TIERS
from xhsvc.core.queue_filter import PAGE_SIZE, QueueFilter, QueuePage
from xhsvc.core.sync import sync_summary
from xhsvc.core.text import one_of
from xhsvc.core.ticket_views import listing_rows
from xhsvc.core.tickets import ACTIVE, STATUSES
from xhsvc.errors import NotFound
from xhsvc.i18n import _
from xhsvc.store import queries

# The statuses the queue shows unless a filter asks for another.
QUEUE_STATUSES = (*ACTIVE, "resolved")
# Requests each role decides (kind, referred, target tier).
DECIDES = {
    "agent": [("onsite", False, None), ("escalation", False, "L2")],
    "manager": [
        ("onsite", True, None),
        ("escalation", True, None),
        ("escalation", False, "L3"),
        ("l2_onsite", False, None),
        ("l2_onsite", True, None),
    ],
}


def queue_page(ctx: Context, *, filter: QueueFilter, offset: int = 0, limit: int = PAGE_SIZE) -> QueuePage:
    """A page of open tickets, nearest due clock first, each with all its clocks."""
    filter = replace(
        filter,
        status=one_of(filter.status, STATUSES, "status") if filter.status else None,
        tier=one_of(filter.tier, TIERS, "tier") if filter.tier else None,
        priority=one_of(filter.priority, PRIORITIES, "priority") if filter.priority else None,
    )
    with ctx.reading() as tx:
        now = tx.now
        assignee_id = None
        if filter.mine:
            assignee_id = tx.me().id
        elif filter.assignee:
            person = queries.get_person(tx.conn, filter.assignee)
            if person is None:
                raise NotFound(_("assignee {assignee!r} not found").format(assignee=filter.assignee))
            assignee_id = person.id
        pending_kinds = None
        if filter.my_approvals:
            pending_kinds = DECIDES.get(tx.me().role, [])
        rows, total = queries.queue_page(
            tx.conn,
            statuses=[filter.status] if filter.status else list(QUEUE_STATUSES),
            tier=filter.tier,
            priority=filter.priority,
            region=filter.region,
            assignee_id=assignee_id,
            breached_before=now if filter.breached else None,
            pending_kinds=pending_kinds,
            text=filter.text.strip() or None,
            offset=offset,
            limit=limit,
        )
        rows = listing_rows(tx, rows)
        sync = sync_summary(tx.conn, tx.node)
    return QueuePage(rows=rows, total=total, offset=offset, now=now, filter=filter, sync=sync)


def manager_view(ctx: Context) -> dict[str, Any]:
    from zoneinfo import ZoneInfo

    with ctx.reading() as tx:
        now = tx.now
        local = now.astimezone(ZoneInfo(ctx.settings.timezone))
        day_start = datetime.combine(local.date(), time(0), tzinfo=local.tzinfo)
        counts = queries.queue_counts(tx.conn, statuses=list(QUEUE_STATUSES), now=now, day_start=day_start)
    return {"now": now, **counts}
