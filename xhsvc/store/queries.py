"""Reads the core and the interfaces need. Plain SQLAlchemy Core, portable across backends."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from typing import Any, TypeVar

from sqlalchemy import (
    Connection,
    and_,
    bindparam,
    func,
    literal,
    literal_column,
    or_,
    select,
    tuple_,
    union_all,
)

from xhsvc.store import search, tables

PERSON = tables.Person.__table__
CUSTOMER = tables.Customer.__table__
TICKET = tables.Ticket.__table__
APPROVAL = tables.Approval.__table__
NOTIFICATION = tables.Notification.__table__
EVENT = tables.Event.__table__
R = TypeVar("R", bound=tables.Record)


def tickets_by_id(conn: Connection, ids: Sequence[str], *, for_update: bool = False) -> list[tables.Ticket]:
    """The tickets of `ids`, in id order (the order two writers lock them in, so neither waits
    on the other in a cycle)."""
    if not ids:
        return []
    stmt = select(TICKET).where(TICKET.c.id.in_(list(ids))).order_by(TICKET.c.id)
    if for_update:
        stmt = stmt.with_for_update()
    return _records(conn, tables.Ticket, stmt)


# The statuses of an open ticket, in the order the partial index of migration 0015 names them
# (OPEN_ORDER_INDEX keeps these tickets in the queue's order: next due first, then priority, age).
OPEN_STATUSES = ("new", "assigned", "in_progress", "waiting_customer", "resolved")
# The statuses whose SLA clocks the sweep checks, in the order the partial index of migration 0016
# names them (NEXT_CHECK_INDEX keeps these tickets in the sweep's order: next check, then id).
ACTIVE_STATUSES = ("new", "assigned", "in_progress", "waiting_customer")
NEXT_CHECK_INDEX = "ix_ticket_next_check"


def _status_in(statuses: Sequence[str]) -> Any:
    """`status IN (...)` written into the statement, not bound: a partial index serves a query
    whose WHERE names its statuses as its predicate does, in the same order (migrations 0015, 0016)."""
    return TICKET.c.status.in_(bindparam("statuses", list(statuses), expanding=True, literal_execute=True))


def _likely(conn: Connection, condition: Any) -> Any:
    """`condition` marked, on SQLite, as true of most rows. Without statistics (no ANALYZE has run)
    its planner would take an index on status and sort every match; told this, it reads a partial
    index in the order asked and stops at the page's end. (PostgreSQL keeps statistics of its own.)"""
    return func.likelihood(condition, literal_column("0.9")) if conn.dialect.name == "sqlite" else condition


def _records(conn: Connection, model: type[R], stmt: Any) -> list[R]:
    """The records `stmt` reads, every column of `model`'s table (`Record.from_rows`)."""
    result = conn.execute(stmt)
    return model.from_rows(result, tuple(result.keys()))


def _one(conn: Connection, model: type, stmt: Any) -> Any:
    row = conn.execute(stmt).mappings().first()
    return model.from_row(row) if row is not None else None


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
    return [tables.Person.from_row(row) for row in conn.execute(stmt).mappings()]


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
    return [
        tables.Customer.from_row(r)
        for r in conn.execute(select(CUSTOMER).order_by(CUSTOMER.c.name)).mappings()
    ]


# Tickets --------------------------------------------------------------------------------------


def get_ticket(conn: Connection, key_or_id: str, *, for_update: bool = False) -> tables.Ticket | None:
    # Keys are upper case (XH-000012); what is typed need not be.
    stmt = select(TICKET).where(or_(TICKET.c.key == key_or_id.upper(), TICKET.c.id == key_or_id))
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
    return [tables.Approval.from_row(r) for r in conn.execute(stmt).mappings()]


def _pending_requests() -> Any:
    """Each ticket's request waiting for a decision (at most one), to join onto tickets."""
    return (
        select(APPROVAL.c.ticket_id, APPROVAL.c.kind, APPROVAL.c.referred, APPROVAL.c.target_tier)
        .where(APPROVAL.c.state == "pending")
        .subquery()
    )


def _listing_conditions(
    *,
    tier: str | None,
    priority: str | None,
    assignee_id: str | None,
    customer_id: str | None,
    major: bool | None,
) -> list[Any]:
    conditions: list[Any] = []
    if tier:
        conditions.append(TICKET.c.tier == tier)
    if priority:
        conditions.append(TICKET.c.priority == priority)
    if assignee_id:
        conditions.append(TICKET.c.assignee_id == assignee_id)
    if customer_id:
        conditions.append(TICKET.c.customer_id == customer_id)
    if major is not None:
        conditions.append(TICKET.c.major == major)
    return conditions


def count_ticket_listing(
    conn: Connection,
    *,
    statuses: Sequence[str] | None = None,
    tier: str | None = None,
    priority: str | None = None,
    assignee_id: str | None = None,
    customer_id: str | None = None,
    major: bool | None = None,
) -> int:
    """How many tickets `ticket_listing` would list without a limit."""
    conditions = _listing_conditions(
        tier=tier, priority=priority, assignee_id=assignee_id, customer_id=customer_id, major=major
    )
    if statuses:
        conditions.append(TICKET.c.status.in_(statuses))
    return conn.execute(select(func.count()).select_from(TICKET).where(*conditions)).scalar_one()


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
    assignee = PERSON.alias()
    pending = _pending_requests()
    stmt = (
        select(
            TICKET.c.id,
            TICKET.c.sla_cycle,
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
            pending.c.kind.label("pending_kind"),
            pending.c.referred.label("pending_referred"),
            pending.c.target_tier.label("pending_target_tier"),
        )
        .join(CUSTOMER, CUSTOMER.c.id == TICKET.c.customer_id)
        .outerjoin(assignee, assignee.c.id == TICKET.c.assignee_id)
        .outerjoin(pending, pending.c.ticket_id == TICKET.c.id)
        .order_by(TICKET.c.priority, TICKET.c.created_at)
    )
    conditions = _listing_conditions(
        tier=tier, priority=priority, assignee_id=assignee_id, customer_id=customer_id, major=major
    )
    stmt = stmt.where(*conditions)
    if statuses and limit:
        # The first `limit` of each status, read in order off the index (status, priority,
        # created_at), hold the first `limit` of all: no sort of every open ticket.
        firsts = [
            select(TICKET.c.id)
            .where(TICKET.c.status == status, *conditions)
            .order_by(TICKET.c.priority, TICKET.c.created_at)
            .limit(limit)
            .subquery()
            for status in statuses
        ]
        chosen = union_all(*(select(first.c.id) for first in firsts)).subquery()
        stmt = stmt.where(TICKET.c.id.in_(select(chosen.c.id)))
    elif statuses:
        stmt = stmt.where(TICKET.c.status.in_(statuses))
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


def ticket_keys(conn: Connection, ids: Sequence[str | None]) -> dict[str, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    ticket = tables.Ticket.__table__
    return dict(conn.execute(select(ticket.c.id, ticket.c.key).where(ticket.c.id.in_(wanted))).all())


def count_tickets(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(TICKET)).scalar_one()


# Notifications --------------------------------------------------------------------------------


def notification_listing(
    conn: Connection, *, state: str | None = None, recipient_id: str | None = None, limit: int | None = 500
) -> list[dict[str, Any]]:
    recipient = PERSON.alias()
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
        .order_by(NOTIFICATION.c.created_at.desc(), NOTIFICATION.c.id.desc())
        .where(*_notification_conditions(state, recipient_id))
    )
    if limit:
        stmt = stmt.limit(limit)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def _notification_conditions(state: str | None, recipient_id: str | None) -> list[Any]:
    conditions: list[Any] = []
    if state:
        conditions.append(NOTIFICATION.c.state == state)
    if recipient_id:
        conditions.append(NOTIFICATION.c.recipient_id == recipient_id)
    return conditions


def count_notifications(
    conn: Connection, *, state: str | None = None, recipient_id: str | None = None
) -> int:
    stmt = (
        select(func.count()).select_from(NOTIFICATION).where(*_notification_conditions(state, recipient_id))
    )
    return conn.execute(stmt).scalar_one()


def state_snapshot(conn: Connection) -> dict[str, list[dict[str, Any]]]:
    """Every state table's rows, ordered by id: what a rebuild from the log must reproduce
    (less the sweep's schedule, which is derived)."""
    derived = {"next_check_at", "next_due_at", "claimed_at"}
    return {
        name: [
            {k: v for k, v in r.items() if k not in derived}
            for r in conn.execute(select(model.__table__).order_by(model.__table__.c.id)).mappings()
        ]
        for name, model in tables.PROJECTED.items()
    }


# Sites, contacts, assets ----------------------------------------------------------------------

SITE = tables.Site.__table__
CONTACT = tables.Contact.__table__
ASSET = tables.Asset.__table__
CONTRACT = tables.Contract.__table__
TERM = tables.ContractTerm.__table__
CONTRACT_ASSET = tables.ContractAsset.__table__
USE = tables.EntitlementUse.__table__


def get_site(conn: Connection, customer_id: str, name_or_id: str) -> tables.Site | None:
    return _one(
        conn,
        tables.Site,
        select(SITE).where(
            SITE.c.customer_id == customer_id, or_(SITE.c.name == name_or_id, SITE.c.id == name_or_id)
        ),
    )


def get_site_by_id(conn: Connection, site_id: str) -> tables.Site | None:
    return _one(conn, tables.Site, select(SITE).where(SITE.c.id == site_id))


def list_sites(conn: Connection, *, customer_id: str | None = None) -> list[tables.Site]:
    stmt = select(SITE).order_by(SITE.c.customer_id, SITE.c.name)
    if customer_id:
        stmt = stmt.where(SITE.c.customer_id == customer_id)
    return [tables.Site.from_row(r) for r in conn.execute(stmt).mappings()]


def get_contact(conn: Connection, contact_id: str) -> tables.Contact | None:
    return _one(conn, tables.Contact, select(CONTACT).where(CONTACT.c.id == contact_id))


def find_contact(conn: Connection, customer_id: str, name: str) -> tables.Contact | None:
    return _one(
        conn,
        tables.Contact,
        select(CONTACT).where(CONTACT.c.customer_id == customer_id, CONTACT.c.name == name),
    )


def list_contacts(conn: Connection, *, customer_id: str | None = None) -> list[tables.Contact]:
    stmt = select(CONTACT).order_by(CONTACT.c.customer_id, CONTACT.c.name)
    if customer_id:
        stmt = stmt.where(CONTACT.c.customer_id == customer_id)
    return [tables.Contact.from_row(r) for r in conn.execute(stmt).mappings()]


def get_asset(conn: Connection, serial_or_id: str) -> tables.Asset | None:
    return _one(
        conn,
        tables.Asset,
        select(ASSET).where(or_(ASSET.c.serial == serial_or_id, ASSET.c.id == serial_or_id)),
    )


def list_assets(conn: Connection, *, customer_id: str | None = None) -> list[tables.Asset]:
    stmt = select(ASSET).order_by(ASSET.c.customer_id, ASSET.c.serial)
    if customer_id:
        stmt = stmt.where(ASSET.c.customer_id == customer_id)
    return [tables.Asset.from_row(r) for r in conn.execute(stmt).mappings()]


def customers_by_id(conn: Connection, ids: Sequence[str | None]) -> dict[str, tables.Customer]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {
        c.id: c for c in _records(conn, tables.Customer, select(CUSTOMER).where(CUSTOMER.c.id.in_(wanted)))
    }


def sites_by_id(conn: Connection, ids: Sequence[str | None]) -> dict[str, tables.Site]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {s.id: s for s in _records(conn, tables.Site, select(SITE).where(SITE.c.id.in_(wanted)))}


# Many records by what names them, for imports: one query for a page of rows instead of one per
# row. Keyed like the single lookups match (a name or an id, a serial or an id).


def customers_named(conn: Connection, names: Collection[str]) -> dict[str, tables.Customer]:
    found: dict[str, tables.Customer] = {}
    if names:
        stmt = select(CUSTOMER).where(or_(CUSTOMER.c.name.in_(list(names)), CUSTOMER.c.id.in_(list(names))))
        for row in conn.execute(stmt).mappings():
            found[row["name"]] = found[row["id"]] = tables.Customer.from_row(row)
    return found


def sites_named(
    conn: Connection, customer_ids: Collection[str], names: Collection[str]
) -> dict[tuple[str, str], tables.Site]:
    found: dict[tuple[str, str], tables.Site] = {}
    if customer_ids and names:
        stmt = select(SITE).where(
            SITE.c.customer_id.in_(list(customer_ids)),
            or_(SITE.c.name.in_(list(names)), SITE.c.id.in_(list(names))),
        )
        for row in conn.execute(stmt).mappings():
            site = tables.Site.from_row(row)
            found[(site.customer_id, site.name)] = found[(site.customer_id, site.id)] = site
    return found


def contacts_named(
    conn: Connection, customer_ids: Collection[str], names: Collection[str]
) -> dict[tuple[str, str], tables.Contact]:
    found: dict[tuple[str, str], tables.Contact] = {}
    if customer_ids and names:
        stmt = select(CONTACT).where(
            CONTACT.c.customer_id.in_(list(customer_ids)), CONTACT.c.name.in_(list(names))
        )
        for row in conn.execute(stmt).mappings():
            contact = tables.Contact.from_row(row)
            found[(contact.customer_id, contact.name)] = contact
    return found


def assets_by_serial(conn: Connection, serials: Collection[str]) -> dict[str, tables.Asset]:
    found: dict[str, tables.Asset] = {}
    if serials:
        stmt = select(ASSET).where(or_(ASSET.c.serial.in_(list(serials)), ASSET.c.id.in_(list(serials))))
        for row in conn.execute(stmt).mappings():
            found[row["serial"]] = found[row["id"]] = tables.Asset.from_row(row)
    return found


# Contracts ------------------------------------------------------------------------------------


def get_contract(conn: Connection, number_or_id: str, *, for_update: bool = False) -> tables.Contract | None:
    stmt = select(CONTRACT).where(or_(CONTRACT.c.number == number_or_id, CONTRACT.c.id == number_or_id))
    if for_update:
        stmt = stmt.with_for_update()
    return _one(conn, tables.Contract, stmt)


def contracts_of(conn: Connection, customer_id: str) -> list[tables.Contract]:
    stmt = select(CONTRACT).where(CONTRACT.c.customer_id == customer_id).order_by(CONTRACT.c.number)
    return [tables.Contract.from_row(r) for r in conn.execute(stmt).mappings()]


def list_contracts(conn: Connection, *, customer_id: str | None = None) -> list[tables.Contract]:
    stmt = select(CONTRACT).order_by(CONTRACT.c.number)
    if customer_id:
        stmt = stmt.where(CONTRACT.c.customer_id == customer_id)
    return [tables.Contract.from_row(r) for r in conn.execute(stmt).mappings()]


def terms_of(conn: Connection, contract_ids: Sequence[str]) -> dict[str, list[tables.ContractTerm]]:
    """Each contract's terms, oldest first."""
    out: dict[str, list[tables.ContractTerm]] = {cid: [] for cid in contract_ids}
    if not contract_ids:
        return out
    stmt = (
        select(TERM)
        .where(TERM.c.contract_id.in_(list(contract_ids)))
        .order_by(TERM.c.contract_id, TERM.c.term_no)
    )
    for row in conn.execute(stmt).mappings():
        out[row["contract_id"]].append(tables.ContractTerm.from_row(row))
    return out


def covered_asset_ids(conn: Connection, contract_ids: Sequence[str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {cid: set() for cid in contract_ids}
    if not contract_ids:
        return out
    stmt = select(CONTRACT_ASSET.c.contract_id, CONTRACT_ASSET.c.asset_id).where(
        CONTRACT_ASSET.c.contract_id.in_(list(contract_ids))
    )
    for contract_id, asset_id in conn.execute(stmt):
        out[contract_id].add(asset_id)
    return out


def contracts_with_terms_ending(conn: Connection, *, start: Any, end: Any) -> list[tables.Contract]:
    """Contracts having a term that ends between `start` and `end` (dates, inclusive)."""
    ids = select(TERM.c.contract_id).where(TERM.c.end_date >= start, TERM.c.end_date <= end)
    stmt = select(CONTRACT).where(CONTRACT.c.id.in_(ids)).order_by(CONTRACT.c.number)
    return [tables.Contract.from_row(r) for r in conn.execute(stmt).mappings()]


def uses_of_term(conn: Connection, term_id: str) -> list[tables.EntitlementUse]:
    stmt = select(USE).where(USE.c.term_id == term_id).order_by(USE.c.used_on, USE.c.created_at)
    return [tables.EntitlementUse.from_row(r) for r in conn.execute(stmt).mappings()]


# Lookup ---------------------------------------------------------------------------------------


def _prefix(column: Any, text: str) -> Any:
    """`column` starts with `text`, as a range an ordinary index serves (LIKE would not, being
    case-insensitive in SQLite)."""
    return and_(column >= text, column < text + "\U0010ffff")


def lookup_customer_ids(
    conn: Connection, text: str, *, limit: int = 20, national_number: str | None = None
) -> list[str]:
    """Customers whose contact's phone has these digits (from the start, or from the end without
    an area code; `national_number` is the number read as a phone number, +86 and trunk 0 aside),
    whose asset's serial starts with the text, whose name starts with it, or whose name, initials,
    site, contact or serial contains it (store/search.py). Every search uses an index."""
    found: list[str] = []

    def add(stmt: Any) -> None:
        if len(found) >= limit:
            return
        for (cid,) in conn.execute(stmt.distinct().limit(limit)):
            if cid not in found:
                found.append(cid)

    needle = text.strip()
    digits = "".join(ch for ch in needle if ch.isdigit())
    only_digits = len(digits) >= 4 and not any(ch.isalpha() for ch in needle)
    if only_digits:
        add(select(CONTACT.c.customer_id).where(_prefix(CONTACT.c.phone_digits, digits)))
        for tail in dict.fromkeys(d for d in (digits, national_number) if d and len(d) >= 7):
            add(select(CONTACT.c.customer_id).where(_prefix(CONTACT.c.phone_tail, tail[::-1])))
    if needle.isascii():
        add(select(ASSET.c.customer_id).where(_prefix(ASSET.c.serial, needle.upper())))
    add(select(CUSTOMER.c.id).where(_prefix(CUSTOMER.c.name, needle)))
    # Digits that are no phone number may still be the end of a serial.
    if (not only_digits and len(found) < limit) or not found:
        for cid in search.matching_customers(conn, needle, limit=limit):
            if cid not in found:
                found.append(cid)
    return found[:limit]


# SLA ------------------------------------------------------------------------------------------

CLOCK = tables.SlaClock.__table__
FIRING = tables.RuleFiring.__table__


def clocks_of(conn: Connection, ticket_ids: Sequence[str]) -> dict[str, list[tables.SlaClock]]:
    out: dict[str, list[tables.SlaClock]] = {tid: [] for tid in ticket_ids}
    if not ticket_ids:
        return out
    stmt = (
        select(CLOCK)
        .where(CLOCK.c.ticket_id.in_(list(ticket_ids)))
        .order_by(CLOCK.c.cycle, CLOCK.c.started_at)
    )
    for clock in _records(conn, tables.SlaClock, stmt):
        out[clock.ticket_id].append(clock)
    return out


def firings_of(conn: Connection, ticket_id: str) -> list[tables.RuleFiring]:
    stmt = select(FIRING).where(FIRING.c.ticket_id == ticket_id).order_by(FIRING.c.fired_at)
    return [tables.RuleFiring.from_row(r) for r in conn.execute(stmt).mappings()]


def firings_of_tickets(conn: Connection, ticket_ids: Sequence[str]) -> dict[str, list[tables.RuleFiring]]:
    out: dict[str, list[tables.RuleFiring]] = {tid: [] for tid in ticket_ids}
    if not ticket_ids:
        return out
    stmt = select(FIRING).where(FIRING.c.ticket_id.in_(list(ticket_ids))).order_by(FIRING.c.fired_at)
    for firing in _records(conn, tables.RuleFiring, stmt):
        out[firing.ticket_id].append(firing)
    return out


def tickets_to_check(
    conn: Connection, *, now: Any, limit: int, after: tuple[Any, str] | None = None
) -> list[tuple[Any, str]]:
    """(next check, id) of the active tickets whose next check has come, in that order, from
    `after` on: read in order from their partial index (NEXT_CHECK_INDEX), a page's rows and no
    more."""
    stmt = (
        select(TICKET.c.next_check_at, TICKET.c.id)
        .where(TICKET.c.next_check_at <= now, _likely(conn, _status_in(ACTIVE_STATUSES)))
        .order_by(TICKET.c.next_check_at, TICKET.c.id)
        .limit(limit)
    )
    if after is not None:
        # Bound with the column's type, so the instant compares as stored (SQLite keeps text).
        last = tuple_(literal(after[0], TICKET.c.next_check_at.type), literal(after[1], TICKET.c.id.type))
        stmt = stmt.where(tuple_(TICKET.c.next_check_at, TICKET.c.id) > last)
    return [(at, tid) for at, tid in conn.execute(stmt)]


def claim_notification(conn: Connection, *, skip: Sequence[str], stale_before: Any) -> dict[str, Any] | None:
    """The oldest pending or failed notification that no flush holds and `skip` does not name.

    On PostgreSQL the claim is the row lock (FOR UPDATE SKIP LOCKED): it lasts as long as the
    caller's transaction, so the caller delivers inside that transaction and records the outcome
    before it commits. Nothing about it can go stale: it ends with the transaction, or with the
    connection when its flush dies, never on a timer; and the server's idle-in-transaction
    timeout, if set, is lifted for this transaction, since delivery keeps it idle. SQLite has no
    row locks: there flushes take turns (xhsvc.core.notifications), and this only reads.

    `claimed_at` is a claim mark of earlier xhsvc releases, which no longer set it; one of theirs
    is honoured until `stale_before`. The mark is derived, not state: it stays out of the event log.
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL idle_in_transaction_session_timeout = 0")
    recipient = PERSON.alias()
    free = or_(NOTIFICATION.c.claimed_at.is_(None), NOTIFICATION.c.claimed_at < stale_before)
    stmt = (
        select(
            NOTIFICATION.c.id,
            NOTIFICATION.c.ticket_id,
            NOTIFICATION.c.reason,
            NOTIFICATION.c.message,
            NOTIFICATION.c.attempts,
            NOTIFICATION.c.created_at,
            recipient.c.handle.label("recipient"),
            recipient.c.name.label("recipient_name"),
            recipient.c.email.label("recipient_email"),
            recipient.c.phone.label("recipient_phone"),
            TICKET.c.key.label("ticket"),
        )
        .join(recipient, recipient.c.id == NOTIFICATION.c.recipient_id)
        .outerjoin(TICKET, TICKET.c.id == NOTIFICATION.c.ticket_id)
        .where(NOTIFICATION.c.state.in_(("pending", "failed")), free)
        .order_by(NOTIFICATION.c.created_at, NOTIFICATION.c.id)
        .limit(1)
        .with_for_update(of=NOTIFICATION, skip_locked=True)
    )
    if skip:
        stmt = stmt.where(NOTIFICATION.c.id.not_in(list(skip)))
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row is not None else None


def release_notification(conn: Connection, notification_id: str) -> None:
    """Clear a claim mark (see `claim_notification`) once the outcome is recorded."""
    conn.execute(NOTIFICATION.update().where(NOTIFICATION.c.id == notification_id).values(claimed_at=None))


# Visits ---------------------------------------------------------------------------------------

VISIT = tables.Visit.__table__
VISIT_ITEM = tables.VisitItem.__table__
FINDING = tables.Finding.__table__


def get_visit(conn: Connection, key_or_id: str, *, for_update: bool = False) -> tables.Visit | None:
    stmt = select(VISIT).where(or_(VISIT.c.key == key_or_id.upper(), VISIT.c.id == key_or_id))
    if for_update:
        stmt = stmt.with_for_update()
    return _one(conn, tables.Visit, stmt)


def visits_of_contract(conn: Connection, contract_id: str) -> list[tables.Visit]:
    stmt = select(VISIT).where(VISIT.c.contract_id == contract_id).order_by(VISIT.c.planned_for)
    return [tables.Visit.from_row(r) for r in conn.execute(stmt).mappings()]


def list_visits(
    conn: Connection,
    *,
    statuses: Sequence[str] | None = None,
    customer_id: str | None = None,
    engineer_id: str | None = None,
    until: Any = None,
    limit: int = 1000,
) -> list[tables.Visit]:
    stmt = select(VISIT).order_by(VISIT.c.planned_for, VISIT.c.key).limit(limit)
    if statuses:
        stmt = stmt.where(VISIT.c.status.in_(list(statuses)))
    if customer_id:
        stmt = stmt.where(VISIT.c.customer_id == customer_id)
    if engineer_id:
        stmt = stmt.where(VISIT.c.engineer_id == engineer_id)
    if until is not None:
        stmt = stmt.where(VISIT.c.planned_for <= until)
    return [tables.Visit.from_row(r) for r in conn.execute(stmt).mappings()]


def items_of(conn: Connection, visit_id: str) -> list[tables.VisitItem]:
    stmt = select(VISIT_ITEM).where(VISIT_ITEM.c.visit_id == visit_id).order_by(VISIT_ITEM.c.position)
    return [tables.VisitItem.from_row(r) for r in conn.execute(stmt).mappings()]


def findings_of(conn: Connection, visit_id: str) -> list[tables.Finding]:
    stmt = (
        select(FINDING)
        .where(FINDING.c.visit_id == visit_id)
        .order_by(FINDING.c.created_at, FINDING.c.item_key)
    )
    return [tables.Finding.from_row(r) for r in conn.execute(stmt).mappings()]


def finding_of_ticket(conn: Connection, ticket_id: str) -> dict[str, Any] | None:
    """The visit finding a follow-up ticket was opened for, if any."""
    stmt = (
        select(FINDING.c.item_key, FINDING.c.severity, VISIT.c.key.label("visit"))
        .join(VISIT, VISIT.c.id == FINDING.c.visit_id)
        .where(FINDING.c.ticket_id == ticket_id)
    )
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row else None


def previous_visit(conn: Connection, visit: tables.Visit) -> tables.Visit | None:
    """The customer's last completed visit of the same kind, before `visit`."""
    stmt = (
        select(VISIT)
        .where(
            VISIT.c.customer_id == visit.customer_id,
            VISIT.c.kind == visit.kind,
            VISIT.c.status == "completed",
            VISIT.c.id != visit.id,
        )
        .order_by(VISIT.c.completed_at.desc())
    )
    if visit.completed_at is not None:
        stmt = stmt.where(VISIT.c.completed_at < visit.completed_at)
    return _one(conn, tables.Visit, stmt.limit(1))


def tickets_of_customer(conn: Connection, customer_id: str, *, since: Any = None) -> list[dict[str, Any]]:
    stmt = (
        select(TICKET.c.key, TICKET.c.title, TICKET.c.status, TICKET.c.created_at)
        .where(TICKET.c.customer_id == customer_id)
        .order_by(TICKET.c.created_at)
        .limit(50)
    )
    if since is not None:
        stmt = stmt.where(TICKET.c.created_at >= since)
    return [dict(r) for r in conn.execute(stmt).mappings()]


# The queue (TUI) ------------------------------------------------------------------------------


OPEN_ORDER_INDEX = "ix_ticket_open_order"


def queue_page(
    conn: Connection,
    *,
    statuses: Sequence[str],
    tier: str | None = None,
    priority: str | None = None,
    region: str | None = None,
    assignee_id: str | None = None,
    breached_before: Any = None,
    pending_kinds: Sequence[tuple[str, bool, str | None]] | None = None,
    text: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> tuple[list[dict[str, Any]], int]:
    """One page of the queue, the nearest due clock first (paused and stopped clocks last), and
    the count of all matching tickets. The open tickets are read in that order from an index
    (OPEN_ORDER_INDEX), a page at a time; other statuses are sorted."""
    assignee = PERSON.alias()
    pending = _pending_requests()
    in_statuses = _status_in(statuses)
    ordered_by_index = _likely(conn, in_statuses) if tuple(statuses) == OPEN_STATUSES else in_statuses
    conditions: list[Any] = []
    if tier:
        conditions.append(TICKET.c.tier == tier)
    if priority:
        conditions.append(TICKET.c.priority == priority)
    if region:
        conditions.append(CUSTOMER.c.region == region)
    if assignee_id:
        conditions.append(TICKET.c.assignee_id == assignee_id)
    if breached_before is not None:
        conditions.append(TICKET.c.next_due_at < breached_before)
    if pending_kinds is not None:
        wanted = [
            and_(
                pending.c.kind == kind,
                pending.c.referred == referred,
                *([pending.c.target_tier == target] if target else []),
            )
            for kind, referred, target in pending_kinds
        ]
        conditions.append(or_(*wanted) if wanted else TICKET.c.id.is_(None))
    if text:
        like = f"%{text}%"
        conditions.append(
            or_(
                TICKET.c.key.like(like),
                TICKET.c.title.like(like),
                CUSTOMER.c.name.like(like),
                TICKET.c.contact.like(like),
            )
        )
    if region or text or pending_kinds is not None:
        base = (
            select(TICKET.c.id)
            .join(CUSTOMER, CUSTOMER.c.id == TICKET.c.customer_id)
            .outerjoin(pending, pending.c.ticket_id == TICKET.c.id)
            .where(in_statuses, *conditions)
        )
        total = conn.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    else:  # every ticket has its customer, and one pending request at most (the core asks no
        # second while one waits): the tickets alone
        total = conn.execute(
            select(func.count()).select_from(TICKET).where(in_statuses, *conditions)
        ).scalar_one()
    stmt = (
        select(
            TICKET.c.id,
            TICKET.c.key,
            TICKET.c.title,
            TICKET.c.status,
            TICKET.c.tier,
            TICKET.c.priority,
            TICKET.c.major,
            TICKET.c.sla_cycle,
            TICKET.c.next_due_at,
            TICKET.c.created_at,
            CUSTOMER.c.name.label("customer"),
            CUSTOMER.c.region.label("region"),
            assignee.c.handle.label("assignee"),
            pending.c.kind.label("pending_kind"),
            pending.c.referred.label("pending_referred"),
            pending.c.target_tier.label("pending_target_tier"),
        )
        .join(CUSTOMER, CUSTOMER.c.id == TICKET.c.customer_id)
        .outerjoin(assignee, assignee.c.id == TICKET.c.assignee_id)
        .outerjoin(pending, pending.c.ticket_id == TICKET.c.id)
        .where(ordered_by_index, *conditions)
        .order_by(
            TICKET.c.next_due_at.is_(None), TICKET.c.next_due_at, TICKET.c.priority, TICKET.c.created_at
        )
        .offset(offset)
        .limit(limit)
    )
    result = conn.execute(stmt)
    # Names as plain str, not SQLAlchemy's quoted_name: the dashboard unpickles a page read by
    # another process before it has imported SQLAlchemy (tui/read_ahead.py).
    names = list(map(str, result.keys()))
    return [dict(zip(names, row, strict=True)) for row in result], total


def queue_counts(conn: Connection, *, statuses: Sequence[str], now: Any, day_start: Any) -> dict[str, Any]:
    """What a manager looks at: tickets by status and tier, breaches today, major incidents open,
    requests waiting for a decision."""
    by_status = dict(
        conn.execute(
            select(TICKET.c.status, func.count())
            .where(TICKET.c.status.in_(list(statuses)))
            .group_by(TICKET.c.status)
        ).all()
    )
    by_tier = dict(
        conn.execute(
            select(TICKET.c.tier, func.count())
            .where(TICKET.c.status.in_(list(statuses)))
            .group_by(TICKET.c.tier)
        ).all()
    )
    breached_today = conn.execute(
        select(func.count(func.distinct(CLOCK.c.ticket_id))).where(
            or_(
                and_(CLOCK.c.breached_at >= day_start, CLOCK.c.breached_at <= now),
                and_(
                    CLOCK.c.stopped_at.is_(None),
                    or_(CLOCK.c.paused_since.is_(None), CLOCK.c.paused_since >= CLOCK.c.due_at),
                    CLOCK.c.due_at >= day_start,
                    CLOCK.c.due_at <= now,
                ),
            )
        )
    ).scalar_one()
    overdue_now = conn.execute(
        select(func.count()).where(TICKET.c.status.in_(list(statuses)), TICKET.c.next_due_at < now)
    ).scalar_one()
    major_open = conn.execute(
        select(func.count()).where(TICKET.c.status.in_(list(statuses)), TICKET.c.major.is_(True))
    ).scalar_one()
    waiting = dict(
        conn.execute(
            select(APPROVAL.c.kind, func.count())
            .where(APPROVAL.c.state == "pending")
            .group_by(APPROVAL.c.kind)
        ).all()
    )
    return {
        "by_status": by_status,
        "by_tier": by_tier,
        "breached_today": breached_today,
        "overdue_now": overdue_now,
        "major_open": major_open,
        "approvals_waiting": waiting,
    }


def person_for_login(conn: Connection, login: str) -> tables.Person | None:
    """The person a database login acts as on a shared server."""
    return _one(conn, tables.Person, select(PERSON).where(PERSON.c.login == login))


# Completion -----------------------------------------------------------------------------------


def starting(column: Any, prefix: str, limit: int, *, newest_first: bool = False, where: Any = None) -> Any:
    """Values of `column` that start with `prefix` (what TAB completes), at most `limit`."""
    stmt = select(column).where(_prefix(column, prefix))
    if where is not None:
        stmt = stmt.where(where)
    return stmt.order_by(column.desc() if newest_first else column).limit(limit)


def ticket_keys_starting(conn: Connection, prefix: str, *, limit: int) -> list[str]:
    """Ticket keys that start with `prefix`, newest first: a long history still offers the
    tickets worked on now."""
    return list(conn.execute(starting(TICKET.c.key, prefix, limit, newest_first=True)).scalars())


def handles_starting(conn: Connection, prefix: str, *, limit: int) -> list[str]:
    """People's ids that start with `prefix`; xhsvc's own (the sweep's) is no one to name."""
    stmt = starting(PERSON.c.handle, prefix, limit, where=PERSON.c.role != "system")
    return list(conn.execute(stmt).scalars())


def customer_names_starting(conn: Connection, prefix: str, *, limit: int) -> list[str]:
    return list(conn.execute(starting(CUSTOMER.c.name, prefix, limit)).scalars())


def contract_numbers_starting(conn: Connection, prefix: str, *, limit: int) -> list[str]:
    return list(conn.execute(starting(CONTRACT.c.number, prefix, limit)).scalars())


def visit_keys_starting(conn: Connection, prefix: str, *, limit: int) -> list[str]:
    return list(conn.execute(starting(VISIT.c.key, prefix, limit)).scalars())
