"""Reads the core and the interfaces need. Plain SQLAlchemy Core, portable across backends."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select
from sqlalchemy.orm import aliased

from xhsvc.store import tables

PERSON = tables.Person.__table__
CUSTOMER = tables.Customer.__table__
TICKET = tables.Ticket.__table__
APPROVAL = tables.Approval.__table__
NOTIFICATION = tables.Notification.__table__
EVENT = tables.Event.__table__

OPEN_STATUSES = ("new", "assigned", "in_progress", "waiting_customer", "resolved")


def _one(conn: Connection, model: type, stmt: Any) -> Any:
    row = conn.execute(stmt).mappings().first()
    return model(**row) if row is not None else None


# People ---------------------------------------------------------------------------------------


def get_person(conn: Connection, handle_or_id: str) -> tables.Person | None:
    return _one(
        conn,
        tables.Person,
        select(PERSON).where(or_(PERSON.c.handle == handle_or_id, PERSON.c.id == handle_or_id)),
    )


def list_people(conn: Connection, *, role: str | None = None, tier: str | None = None) -> list[tables.Person]:
    stmt = select(PERSON).order_by(PERSON.c.role, PERSON.c.handle)
    if role:
        stmt = stmt.where(PERSON.c.role == role)
    if tier:
        stmt = stmt.where(PERSON.c.tier == tier)
    return [tables.Person(**row) for row in conn.execute(stmt).mappings()]


def handles_by_id(conn: Connection, ids: Sequence[str | None]) -> dict[str, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    rows = conn.execute(select(PERSON.c.id, PERSON.c.handle).where(PERSON.c.id.in_(wanted)))
    return dict(rows.all())


# Customers ------------------------------------------------------------------------------------


def get_customer(conn: Connection, name_or_id: str) -> tables.Customer | None:
    return _one(
        conn,
        tables.Customer,
        select(CUSTOMER).where(or_(CUSTOMER.c.name == name_or_id, CUSTOMER.c.id == name_or_id)),
    )


def list_customers(conn: Connection) -> list[tables.Customer]:
    return [tables.Customer(**r) for r in conn.execute(select(CUSTOMER).order_by(CUSTOMER.c.name)).mappings()]


# Tickets --------------------------------------------------------------------------------------


def get_ticket(conn: Connection, key_or_id: str, *, for_update: bool = False) -> tables.Ticket | None:
    stmt = select(TICKET).where(or_(TICKET.c.key == key_or_id, TICKET.c.id == key_or_id))
    if for_update:
        stmt = stmt.with_for_update()
    return _one(conn, tables.Ticket, stmt)


def pending_approval(conn: Connection, ticket_id: str) -> tables.Approval | None:
    return _one(
        conn,
        tables.Approval,
        select(APPROVAL).where(APPROVAL.c.ticket_id == ticket_id, APPROVAL.c.state == "pending"),
    )


def approvals_for(conn: Connection, ticket_id: str) -> list[tables.Approval]:
    stmt = select(APPROVAL).where(APPROVAL.c.ticket_id == ticket_id).order_by(APPROVAL.c.requested_at)
    return [tables.Approval(**r) for r in conn.execute(stmt).mappings()]


def ticket_listing(
    conn: Connection,
    *,
    statuses: Sequence[str] | None = None,
    tier: str | None = None,
    priority: str | None = None,
    assignee_id: str | None = None,
    customer_id: str | None = None,
    major: bool | None = None,
    limit: int | None = 200,
) -> list[dict[str, Any]]:
    """Tickets for the queue, most pressing first: priority, then age."""
    assignee = aliased(PERSON)
    pending = (
        select(APPROVAL.c.ticket_id, APPROVAL.c.kind, APPROVAL.c.referred, APPROVAL.c.target_tier)
        .where(APPROVAL.c.state == "pending")
        .subquery()
    )
    stmt = (
        select(
            TICKET.c.key,
            TICKET.c.title,
            TICKET.c.status,
            TICKET.c.tier,
            TICKET.c.priority,
            TICKET.c.impact,
            TICKET.c.urgency,
            TICKET.c.major,
            TICKET.c.service,
            TICKET.c.channel,
            TICKET.c.created_at,
            TICKET.c.updated_at,
            CUSTOMER.c.name.label("customer"),
            assignee.c.handle.label("assignee"),
            pending.c.kind.label("pending_approval"),
            pending.c.referred.label("pending_referred"),
            pending.c.target_tier.label("pending_target_tier"),
        )
        .join(CUSTOMER, CUSTOMER.c.id == TICKET.c.customer_id)
        .outerjoin(assignee, assignee.c.id == TICKET.c.assignee_id)
        .outerjoin(pending, pending.c.ticket_id == TICKET.c.id)
        .order_by(TICKET.c.priority, TICKET.c.created_at)
    )
    if statuses:
        stmt = stmt.where(TICKET.c.status.in_(statuses))
    if tier:
        stmt = stmt.where(TICKET.c.tier == tier)
    if priority:
        stmt = stmt.where(TICKET.c.priority == priority)
    if assignee_id:
        stmt = stmt.where(TICKET.c.assignee_id == assignee_id)
    if customer_id:
        stmt = stmt.where(TICKET.c.customer_id == customer_id)
    if major is not None:
        stmt = stmt.where(TICKET.c.major == major)
    if limit:
        stmt = stmt.limit(limit)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def ticket_events(conn: Connection, ticket_id: str) -> list[dict[str, Any]]:
    stmt = (
        select(EVENT.c.at, EVENT.c.kind, EVENT.c.actor, EVENT.c.payload, EVENT.c.node, EVENT.c.seq)
        .where(
            or_(
                EVENT.c.ticket_id == ticket_id,
                and_(EVENT.c.entity == "ticket", EVENT.c.entity_id == ticket_id),
            )
        )
        .order_by(EVENT.c.hlc, EVENT.c.node, EVENT.c.seq)
    )
    out = []
    for row in conn.execute(stmt).mappings():
        item = dict(row)
        item["payload"] = json.loads(item["payload"])
        out.append(item)
    return out


def count_tickets(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(TICKET)).scalar_one()


# Notifications --------------------------------------------------------------------------------


def notification_listing(
    conn: Connection, *, state: str | None = None, recipient_id: str | None = None, limit: int | None = 500
) -> list[dict[str, Any]]:
    recipient = aliased(PERSON)
    stmt = (
        select(
            NOTIFICATION.c.id,
            NOTIFICATION.c.created_at,
            NOTIFICATION.c.state,
            NOTIFICATION.c.reason,
            NOTIFICATION.c.message,
            recipient.c.handle.label("recipient"),
            recipient.c.role.label("recipient_role"),
            TICKET.c.key.label("ticket"),
        )
        .join(recipient, recipient.c.id == NOTIFICATION.c.recipient_id)
        .outerjoin(TICKET, TICKET.c.id == NOTIFICATION.c.ticket_id)
        .order_by(NOTIFICATION.c.created_at, NOTIFICATION.c.id)
    )
    if state:
        stmt = stmt.where(NOTIFICATION.c.state == state)
    if recipient_id:
        stmt = stmt.where(NOTIFICATION.c.recipient_id == recipient_id)
    if limit:
        stmt = stmt.limit(limit)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def state_snapshot(conn: Connection) -> dict[str, list[dict[str, Any]]]:
    """Every state table's rows, ordered by id: what a rebuild from the log must reproduce."""
    return {
        name: [
            dict(r) for r in conn.execute(select(model.__table__).order_by(model.__table__.c.id)).mappings()
        ]
        for name, model in tables.PROJECTED.items()
    }
