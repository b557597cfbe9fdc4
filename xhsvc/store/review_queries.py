"""Reads of the customer's monthly review (回顾): the customer's tickets recorded in a month, the
visits completed in it, and the findings of its visits with their follow-up tickets.

Plain SQLAlchemy Core, like the manager's reports (report_queries).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, or_, select

from xhsvc.store import tables

TICKET = tables.Ticket.__table__
ASSET = tables.Asset.__table__
VISIT = tables.Visit.__table__
FINDING = tables.Finding.__table__
PERSON = tables.Person.__table__
SITE = tables.Site.__table__
CONTRACT = tables.Contract.__table__


def customer_tickets(
    conn: Connection, *, customer_id: str, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """The customer's tickets recorded in [start, end), cancelled ones too, oldest first, each with
    its system's model and serial (if it names one)."""
    stmt = (
        select(
            TICKET.c.id,
            TICKET.c.key,
            TICKET.c.title,
            TICKET.c.priority,
            TICKET.c.status,
            TICKET.c.major,
            TICKET.c.created_at,
            TICKET.c.resolved_at,
            TICKET.c.closed_at,
            TICKET.c.reopen_count,
            TICKET.c.asset_id,
            ASSET.c.model.label("asset_model"),
            ASSET.c.serial.label("asset_serial"),
        )
        .select_from(TICKET.outerjoin(ASSET, ASSET.c.id == TICKET.c.asset_id))
        .where(TICKET.c.customer_id == customer_id, TICKET.c.created_at >= start, TICKET.c.created_at < end)
        .order_by(TICKET.c.created_at, TICKET.c.key)
    )
    return [dict(row) for row in conn.execute(stmt).mappings()]


def completed_visits(
    conn: Connection, *, customer_id: str, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """The customer's visits completed in [start, end), in the order they were completed, with
    their engineer's name, their site and their contract's number."""
    stmt = (
        select(
            VISIT.c.id,
            VISIT.c.key,
            VISIT.c.kind,
            VISIT.c.title,
            VISIT.c.planned_for,
            VISIT.c.completed_at,
            VISIT.c.summary,
            PERSON.c.name.label("engineer"),
            SITE.c.name.label("site"),
            CONTRACT.c.number.label("contract"),
        )
        .select_from(
            VISIT.outerjoin(PERSON, PERSON.c.id == VISIT.c.engineer_id)
            .outerjoin(SITE, SITE.c.id == VISIT.c.site_id)
            .outerjoin(CONTRACT, CONTRACT.c.id == VISIT.c.contract_id)
        )
        .where(
            VISIT.c.customer_id == customer_id,
            VISIT.c.status == "completed",
            VISIT.c.completed_at >= start,
            VISIT.c.completed_at < end,
        )
        .order_by(VISIT.c.completed_at, VISIT.c.key)
    )
    return [dict(row) for row in conn.execute(stmt).mappings()]


def customer_findings(
    conn: Connection, *, customer_id: str, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """The findings of the customer's visits completed in [start, end), and of those completed
    before `start` that have a follow-up ticket; each with its visit and its follow-up ticket's key
    and status. Oldest visit first, failures before warnings."""
    in_month = and_(VISIT.c.completed_at >= start, VISIT.c.completed_at < end)
    earlier = and_(VISIT.c.completed_at < start, FINDING.c.ticket_id.is_not(None))
    stmt = (
        select(
            FINDING.c.id,
            FINDING.c.item_key,
            FINDING.c.severity,
            FINDING.c.text,
            FINDING.c.recommendation,
            VISIT.c.id.label("visit_id"),
            VISIT.c.key.label("visit"),
            VISIT.c.kind.label("visit_kind"),
            VISIT.c.completed_at,
            TICKET.c.key.label("ticket"),
            TICKET.c.status.label("ticket_status"),
        )
        .select_from(
            FINDING.join(VISIT, VISIT.c.id == FINDING.c.visit_id).outerjoin(
                TICKET, TICKET.c.id == FINDING.c.ticket_id
            )
        )
        .where(VISIT.c.customer_id == customer_id, VISIT.c.status == "completed", or_(in_month, earlier))
        .order_by(VISIT.c.completed_at, VISIT.c.key, FINDING.c.severity != "fail", FINDING.c.item_key)
    )
    return [dict(row) for row in conn.execute(stmt).mappings()]
