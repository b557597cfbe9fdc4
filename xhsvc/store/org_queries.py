"""Reads of the organization: branches, partner companies, customers' project support teams, and
what dispatch weighs (who may take a ticket, and how many open tickets each already has)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, func, or_, select

from xhsvc.store import tables

BRANCH = tables.Branch.__table__
PARTNER = tables.Partner.__table__
TEAM = tables.TeamMember.__table__
PERSON = tables.Person.__table__
TICKET = tables.Ticket.__table__


def get_branch(conn: Connection, code_or_id: str) -> tables.Branch | None:
    """A branch by its code (typed in any case) or id."""
    row = (
        conn.execute(
            select(BRANCH).where(or_(BRANCH.c.code == code_or_id.strip().upper(), BRANCH.c.id == code_or_id))
        )
        .mappings()
        .first()
    )
    return tables.Branch.from_row(row) if row else None


def list_branches(conn: Connection) -> list[tables.Branch]:
    return [
        tables.Branch.from_row(r) for r in conn.execute(select(BRANCH).order_by(BRANCH.c.code)).mappings()
    ]


def get_partner(conn: Connection, name_or_id: str) -> tables.Partner | None:
    row = (
        conn.execute(
            select(PARTNER).where(or_(PARTNER.c.name == name_or_id.strip(), PARTNER.c.id == name_or_id))
        )
        .mappings()
        .first()
    )
    return tables.Partner.from_row(row) if row else None


def list_partners(conn: Connection) -> list[tables.Partner]:
    return [
        tables.Partner.from_row(r) for r in conn.execute(select(PARTNER).order_by(PARTNER.c.name)).mappings()
    ]


def people_counts(conn: Connection, column: str) -> dict[str, int]:
    """How many active people each branch (`column="branch_id"`) or partner has."""
    col = PERSON.c[column]
    stmt = select(col, func.count()).where(col.is_not(None), PERSON.c.active.is_(True)).group_by(col)
    return {key: count for key, count in conn.execute(stmt).all()}


def people_of(
    conn: Connection, *, branch_id: str | None = None, partner_id: str | None = None
) -> list[tables.Person]:
    stmt = select(PERSON).order_by(PERSON.c.role, PERSON.c.handle)
    stmt = (
        stmt.where(PERSON.c.branch_id == branch_id)
        if branch_id
        else stmt.where(PERSON.c.partner_id == partner_id)
    )
    return [tables.Person.from_row(r) for r in conn.execute(stmt).mappings()]


def team_member(conn: Connection, member_id: str) -> tables.TeamMember | None:
    row = conn.execute(select(TEAM).where(TEAM.c.id == member_id)).mappings().first()
    return tables.TeamMember.from_row(row) if row else None


def team_of(conn: Connection, customer_id: str) -> list[tables.TeamMember]:
    """The customer's active team members: primary first, then by tier."""
    stmt = (
        select(TEAM)
        .where(TEAM.c.customer_id == customer_id, TEAM.c.active.is_(True))
        .order_by(TEAM.c.tier, TEAM.c.primary.desc(), TEAM.c.created_at)
    )
    return [tables.TeamMember.from_row(r) for r in conn.execute(stmt).mappings()]


def teams_of_person(conn: Connection, person_id: str) -> list[tables.TeamMember]:
    stmt = select(TEAM).where(TEAM.c.person_id == person_id, TEAM.c.active.is_(True))
    return [tables.TeamMember.from_row(r) for r in conn.execute(stmt).mappings()]


def people_by_id(conn: Connection, ids: Iterable[str]) -> dict[str, tables.Person]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = conn.execute(select(PERSON).where(PERSON.c.id.in_(wanted))).mappings()
    return {r["id"]: tables.Person.from_row(r) for r in rows}


def open_load(
    conn: Connection, statuses: Iterable[str], person_ids: Iterable[str] | None = None
) -> dict[str, int]:
    """How many tickets in `statuses` each person has assigned (the ticket_assignee index)."""
    stmt = (
        select(TICKET.c.assignee_id, func.count())
        .where(TICKET.c.assignee_id.is_not(None), TICKET.c.status.in_(list(statuses)))
        .group_by(TICKET.c.assignee_id)
    )
    if person_ids is not None:
        stmt = stmt.where(TICKET.c.assignee_id.in_(sorted(set(person_ids))))
    return {key: count for key, count in conn.execute(stmt).all()}


def branches_by_id(conn: Connection) -> dict[str, tables.Branch]:
    return {b.id: b for b in list_branches(conn)}


def partners_by_id(conn: Connection) -> dict[str, tables.Partner]:
    return {p.id: p for p in list_partners(conn)}


def site_of(conn: Connection, site_id: str | None) -> dict[str, Any] | None:
    if site_id is None:
        return None
    site = tables.Site.__table__
    row = conn.execute(select(site.c.city, site.c.region).where(site.c.id == site_id)).mappings().first()
    return dict(row) if row else None


def branch_codes_starting(conn: Connection, prefix: str, *, limit: int) -> list[str]:
    """Branch codes that start with `prefix` (for a shell's TAB)."""
    stmt = select(BRANCH.c.code).where(BRANCH.c.code.startswith(prefix, autoescape=True))
    return list(conn.execute(stmt.order_by(BRANCH.c.code).limit(limit)).scalars())


def partner_names_starting(conn: Connection, prefix: str, *, limit: int) -> list[str]:
    stmt = select(PARTNER.c.name).where(PARTNER.c.name.startswith(prefix, autoescape=True))
    return list(conn.execute(stmt.order_by(PARTNER.c.name).limit(limit)).scalars())
