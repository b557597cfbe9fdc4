"""What is read of tickets for display: one ticket in full (`show_ticket`), the queue
(`list_tickets`, `listing_rows`) and a ticket's audit trail (`ticket_history`), as plain data
for the interfaces. Nothing here writes.
"""

from __future__ import annotations

from typing import Any

from xhsvc.core import sla
from xhsvc.core.approvals import _needs_manager, decider_of
from xhsvc.core.context import Context, Tx
from xhsvc.core.contracts import explain_note
from xhsvc.core.labels import event_label
from xhsvc.core.levels import PRIORITIES
from xhsvc.core.listing import Listing
from xhsvc.core.people import TIERS
from xhsvc.core.said import summary_of
from xhsvc.core.sync import conflicts_of_ticket
from xhsvc.core.text import one_of
from xhsvc.core.tickets import OPEN, STATUSES, _person
from xhsvc.errors import InvalidInput, NotFound
from xhsvc.i18n import _
from xhsvc.store import queries
from xhsvc.store.tables import Approval

# Reading ---------------------------------------------------------------------------------------


def _approval_view(approval: Approval, handles: dict[str, str]) -> dict[str, Any]:
    return {
        "id": approval.id,
        "kind": approval.kind,
        "state": approval.state,
        "target_tier": approval.target_tier,
        "reason": approval.reason,
        "referred": approval.referred,
        "needs": "manager" if _needs_manager(approval) else "agent",
        "requested_by": handles.get(approval.requested_by_id),
        "requested_at": approval.requested_at,
        "decided_by": handles.get(approval.decided_by_id or ""),
        "decided_at": approval.decided_at,
        "decision_note": approval.decision_note,
    }


def show_ticket(ctx: Context, *, key: str) -> dict[str, Any]:
    """Everything about one ticket, as plain data (what `ticket show --json` prints)."""
    with ctx.reading() as tx:
        ticket = queries.get_ticket(tx.conn, key)
        if ticket is None:
            raise NotFound(_("ticket {key!r} not found").format(key=key))
        customer = queries.get_customer(tx.conn, ticket.customer_id)
        asset = queries.get_asset(tx.conn, ticket.asset_id) if ticket.asset_id else None
        site = queries.get_site_by_id(tx.conn, ticket.site_id) if ticket.site_id else None
        contract = queries.get_contract(tx.conn, ticket.contract_id) if ticket.contract_id else None
        approvals = queries.approvals_for(tx.conn, ticket.id)
        clocks = queries.clocks_of(tx.conn, [ticket.id])[ticket.id]
        from_visit = queries.finding_of_ticket(tx.conn, ticket.id)
        conflicts = conflicts_of_ticket(tx.conn, ticket.id)
        now = tx.now
        ids = [ticket.assignee_id, ticket.opened_by_id]
        ids += [a.requested_by_id for a in approvals] + [a.decided_by_id for a in approvals]
        handles = queries.handles_by_id(tx.conn, ids)
    pending = next((a for a in approvals if a.state == "pending"), None)
    return {
        "key": ticket.key,
        "title": ticket.title,
        "description": ticket.description,
        "status": ticket.status,
        "tier": ticket.tier,
        "priority": ticket.priority,
        "impact": ticket.impact,
        "urgency": ticket.urgency,
        "major": ticket.major,
        "service": ticket.service,
        "channel": ticket.channel,
        "contact": ticket.contact,
        "customer": customer.name if customer else None,
        "site": site.name if site else None,
        "asset": asset.serial if asset else None,
        "contract": contract.number if contract else None,
        "coverage": ticket.coverage,
        "coverage_note": ticket.coverage_note,
        # The same note in the interface's language (`coverage_note` stays English for scripts).
        "coverage_text": explain_note(ticket.coverage_note),
        "in_contract": ticket.coverage == "covered",
        "assignee": handles.get(ticket.assignee_id or ""),
        "opened_by": handles.get(ticket.opened_by_id),
        "onsite": ticket.onsite,
        "onsite_tier": ticket.onsite_tier,
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
        "responded_at": ticket.responded_at,
        "resolved_at": ticket.resolved_at,
        "resolution": ticket.resolution,
        "confirmed_by": ticket.confirmed_by,
        "confirmed_at": ticket.confirmed_at,
        "closed_at": ticket.closed_at,
        "report": ticket.report,
        "reviewed_at": ticket.reviewed_at,
        "root_cause": ticket.root_cause,
        "review_actions": ticket.review_actions,
        "reopen_count": ticket.reopen_count,
        "reported_at": ticket.reported_at or ticket.created_at,
        "sla_level": ticket.sla_level,
        "sla_cycle": ticket.sla_cycle,
        "clocks": sla.clock_views(clocks, now, cycle=ticket.sla_cycle),
        "from_visit": from_visit,
        "pending_approval": _approval_view(pending, handles) if pending else None,
        "approvals": [_approval_view(a, handles) for a in approvals],
        "conflicts": conflicts,
    }


def list_tickets(
    ctx: Context,
    *,
    status: str | None = None,
    tier: str | None = None,
    priority: str | None = None,
    assignee: str | None = None,
    mine: bool = False,
    customer: str | None = None,
    major: bool | None = None,
    include_closed: bool = False,
    limit: int | None = 200,
) -> Listing:
    """The queue: open tickets by default, most pressing first; at most `limit` (0: all), with
    how many match in all."""
    status = one_of(status, STATUSES, "status") if status is not None else None
    tier = one_of(tier, TIERS, "tier") if tier is not None else None
    priority = one_of(priority, PRIORITIES, "priority") if priority is not None else None
    if limit is not None and limit < 0:
        raise InvalidInput(_("limit: must be 0 (no limit) or more"))
    statuses = [status] if status else (None if include_closed else list(OPEN))
    with ctx.reading() as tx:
        assignee_id = None
        if mine:
            assignee_id = tx.me().id
        elif assignee:
            assignee_id = _person(tx, assignee, "assignee").id
        customer_id = None
        if customer:
            found = queries.get_customer(tx.conn, customer)
            if found is None:
                raise NotFound(_("customer {customer!r} not found").format(customer=customer))
            customer_id = found.id
        matching: dict[str, Any] = {
            "statuses": statuses,
            "tier": tier,
            "priority": priority,
            "assignee_id": assignee_id,
            "customer_id": customer_id,
            "major": major,
        }
        rows = queries.ticket_listing(tx.conn, **matching, limit=limit or None)
        total = queries.count_ticket_listing(tx.conn, **matching) if limit and len(rows) == limit else None
        return Listing(listing_rows(tx, rows), total)


def listing_rows(tx: Tx, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of a ticket listing as the interfaces show them: every clock of the current cycle,
    and the pending request with who decides it."""
    clocks = queries.clocks_of(tx.conn, [row["id"] for row in rows])
    for row in rows:
        row["clocks"] = sla.clock_views(clocks[row.pop("id")], tx.now, cycle=row.pop("sla_cycle"))
        kind = row.pop("pending_kind")
        referred = row.pop("pending_referred")
        target = row.pop("pending_target_tier")
        row["pending_approval"] = (
            {"kind": kind, "decider": decider_of(kind=kind, referred=bool(referred), target_tier=target)}
            if kind
            else None
        )
    return rows


def ticket_history(ctx: Context, *, key: str) -> list[dict[str, Any]]:
    """The ticket's audit trail: every event, oldest first."""
    with ctx.reading() as tx:
        ticket = queries.get_ticket(tx.conn, key)
        if ticket is None:
            raise NotFound(_("ticket {key!r} not found").format(key=key))
        rows = queries.ticket_events(tx.conn, ticket.id)
    return [
        {
            "at": row["at"],
            "kind": row["kind"],
            "what": event_label(row["kind"]),
            "actor": row["actor"],
            "summary": row["payload"].get("summary", ""),
            # The same line in the interface's language (`summary` stays as the log keeps it).
            "text": summary_of(row["payload"]),
            "node": row["node"],
        }
        for row in rows
    ]
