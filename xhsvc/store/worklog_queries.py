"""Reads of the service record: work-log entries with what they were for (and the parts
replaced on a ticket, `parts_of`), and totals by ticket, engineer,
customer or contract. Plain SQLAlchemy Core, portable across backends.

An entry is for a ticket or for a visit; its customer and contract are that ticket's or visit's.
A ticket's contract is the one that covered the call when it was recorded: an entry without one
is work out of contract, what the desk bills.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, case, func, select

from xhsvc.store import tables

WORK = tables.WorkLog.__table__
TICKET = tables.Ticket.__table__
VISIT = tables.Visit.__table__
PERSON = tables.Person.__table__
CUSTOMER = tables.Customer.__table__
CONTRACT = tables.Contract.__table__

KINDS = ("remote", "onsite", "travel")

_customer_id_of = func.coalesce(TICKET.c.customer_id, VISIT.c.customer_id)
_contract_id_of = func.coalesce(TICKET.c.contract_id, VISIT.c.contract_id)
_FROM = (
    WORK.outerjoin(TICKET, TICKET.c.id == WORK.c.ticket_id)
    .outerjoin(VISIT, VISIT.c.id == WORK.c.visit_id)
    .join(PERSON, PERSON.c.id == WORK.c.person_id)
    .outerjoin(CUSTOMER, CUSTOMER.c.id == _customer_id_of)
    .outerjoin(CONTRACT, CONTRACT.c.id == _contract_id_of)
)
_KEY = func.coalesce(TICKET.c.key, VISIT.c.key)


def _where(
    stmt: Any,
    *,
    log_id: str | None = None,
    ticket_id: str | None = None,
    visit_id: str | None = None,
    person_id: str | None = None,
    customer_id: str | None = None,
    contract_id: str | None = None,
    out_of_contract: bool = False,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Any:
    if log_id is not None:
        stmt = stmt.where(WORK.c.id == log_id)
    if ticket_id is not None:
        stmt = stmt.where(WORK.c.ticket_id == ticket_id)
    if visit_id is not None:
        stmt = stmt.where(WORK.c.visit_id == visit_id)
    if person_id is not None:
        stmt = stmt.where(WORK.c.person_id == person_id)
    if customer_id is not None:
        stmt = stmt.where(_customer_id_of == customer_id)
    if contract_id is not None:
        stmt = stmt.where(_contract_id_of == contract_id)
    if out_of_contract:
        stmt = stmt.where(_contract_id_of.is_(None))
    if start is not None:
        stmt = stmt.where(WORK.c.started_at >= start)
    if end is not None:
        stmt = stmt.where(WORK.c.started_at < end)
    return stmt


def work_entries(conn: Connection, **filters: Any) -> list[dict[str, Any]]:
    """Entries matching `filters` (see `_where`), oldest first, each with its ticket or visit
    key, its person's id and name, its customer and its contract (None: out of contract)."""
    stmt = select(
        WORK.c.id,
        _KEY.label("key"),
        case((WORK.c.ticket_id.is_not(None), "ticket"), else_="visit").label("on"),
        PERSON.c.handle.label("person"),
        PERSON.c.name.label("person_name"),
        WORK.c.kind,
        WORK.c.minutes,
        WORK.c.started_at,
        WORK.c.note,
        CUSTOMER.c.name.label("customer"),
        CONTRACT.c.number.label("contract"),
        WORK.c.created_at,
    ).select_from(_FROM)
    stmt = _where(stmt, **filters).order_by(WORK.c.started_at, WORK.c.created_at, WORK.c.id)
    return [dict(row) for row in conn.execute(stmt).mappings()]


# What a total is grouped by: the columns that name a group.
GROUPS: dict[str, tuple[Any, ...]] = {
    "ticket": (_KEY.label("group"), CUSTOMER.c.name.label("customer")),
    "engineer": (PERSON.c.handle.label("group"), PERSON.c.name.label("name")),
    "customer": (CUSTOMER.c.name.label("group"),),
    "contract": (CONTRACT.c.number.label("group"), CUSTOMER.c.name.label("customer")),
}


def work_totals(conn: Connection, *, by: str, **filters: Any) -> list[dict[str, Any]]:
    """Minutes logged per group of `by` (a key of GROUPS), in all and per kind, with the number
    of entries; by contract, the work out of contract is the group None (per customer)."""
    named = GROUPS[by]
    per_kind = [
        func.coalesce(func.sum(case((WORK.c.kind == kind, WORK.c.minutes), else_=0)), 0).label(kind)
        for kind in KINDS
    ]
    stmt = (
        select(
            *named,
            func.count(WORK.c.id).label("entries"),
            func.coalesce(func.sum(WORK.c.minutes), 0).label("minutes"),
            *per_kind,
        )
        .select_from(_FROM)
        .group_by(*(column.element for column in named))
    )
    rows = [
        {**row, **{k: int(row[k]) for k in ("entries", "minutes", *KINDS)}}
        for row in (dict(r) for r in conn.execute(_where(stmt, **filters)).mappings())
    ]
    # Most time first; the same order on every backend (they sort NULL apart).
    return sorted(
        rows, key=lambda r: (-r["minutes"], r["group"] is None, r["group"] or "", r.get("customer") or "")
    )


PART = tables.PartReplacement.__table__


def parts_of(conn: Connection, ticket_id: str) -> list[dict[str, Any]]:
    """The parts replaced on a ticket, in the order they were replaced, with who replaced them."""
    stmt = (
        select(
            PART.c.id,
            PART.c.part_number,
            PART.c.description,
            PART.c.quantity,
            PART.c.removed_serial,
            PART.c.installed_serial,
            PART.c.replaced_at,
            PART.c.note,
            PERSON.c.handle.label("person"),
            PERSON.c.name.label("person_name"),
        )
        .select_from(PART.join(PERSON, PERSON.c.id == PART.c.person_id))
        .where(PART.c.ticket_id == ticket_id)
        .order_by(PART.c.replaced_at, PART.c.created_at, PART.c.id)
    )
    return [dict(row) for row in conn.execute(stmt).mappings()]
