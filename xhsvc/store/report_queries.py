"""Reads of the manager's reports: the SLA clocks decided in a month, the tickets recorded in it,
the open backlog, the engineers' load, entitlements per contract term, major incidents.

Plain SQLAlchemy Core. Instants that a report only counts, buckets by day or subtracts are read as
seconds since the epoch (`epoch_seconds`, compiled for SQLite and PostgreSQL), so that a month of
a large center is a few hundred thousand plain numbers, not as many parsed datetimes. Filters on
instants compare the columns themselves, as every other query does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Float, and_, case, false, func, literal, or_, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from xhsvc.store import tables
from xhsvc.store.queries import OPEN_STATUSES

TICKET = tables.Ticket.__table__
CLOCK = tables.SlaClock.__table__
CUSTOMER = tables.Customer.__table__
PERSON = tables.Person.__table__
TERM = tables.ContractTerm.__table__
CONTRACT = tables.Contract.__table__
USE = tables.EntitlementUse.__table__
WORK = tables.WorkLog.__table__


class epoch_seconds(FunctionElement[float]):  # lower case: it reads like the SQL function it is
    """Seconds since 1970-01-01 UTC of a UTCDateTime column, as a float."""

    type = Float()
    inherit_cache = True


@compiles(epoch_seconds)
def _epoch_default(element: Any, compiler: Any, **kw: Any) -> str:
    # PostgreSQL (timestamptz): exact; its numeric cast to a float for a fast fetch.
    return f"CAST(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)}) AS DOUBLE PRECISION)"


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    # SQLite keeps UTC text ('2026-11-20 02:00:00.000000'); julianday reads it to the millisecond.
    return f"((julianday({compiler.process(element.clauses, **kw)}) - 2440587.5) * 86400.0)"


# What the SLA report groups by: the column that names a group.
GROUPS: dict[str, Any] = {
    "level": TICKET.c.sla_level,
    "region": CUSTOMER.c.region,
    "engineer": PERSON.c.handle,
    "customer": CUSTOMER.c.name,
}
_TICKET_FROM = TICKET.join(CUSTOMER, CUSTOMER.c.id == TICKET.c.customer_id).outerjoin(
    PERSON, PERSON.c.id == TICKET.c.assignee_id
)


def _group(by: str | None) -> Any:
    return GROUPS[by] if by else literal(None)


def decided_clocks(
    conn: Connection,
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    by: str | None = None,
    customer_id: str | None = None,
) -> list[tuple[str, bool, float, float | None, str | None, str]]:
    """The SLA clocks decided in [start, end): met (stopped in time) in it, or breached in it (the
    due time passed without a stop: `breached_at` of a late clock, or the due time of a running
    clock the sweep has not marked yet, up to `now`; a pause that began before the due time holds
    it). Cancelled clocks and clocks not yet decided are left out.

    Each row: (target, breached, when decided in epoch seconds, seconds from start to stop or None
    while running, the group's name under `by`, the clock's id)."""
    met = and_(CLOCK.c.outcome == "met", CLOCK.c.stopped_at >= start, CLOCK.c.stopped_at < end)
    marked = and_(
        or_(CLOCK.c.outcome == "late", CLOCK.c.outcome.is_(None)),
        CLOCK.c.breached_at >= start,
        CLOCK.c.breached_at < end,
    )
    unmarked = and_(
        CLOCK.c.stopped_at.is_(None),
        CLOCK.c.breached_at.is_(None),
        or_(CLOCK.c.paused_since.is_(None), CLOCK.c.paused_since >= CLOCK.c.due_at),
        CLOCK.c.due_at >= start,
        CLOCK.c.due_at < end,
        CLOCK.c.due_at <= now,
    )
    breached = case((CLOCK.c.outcome == "met", false()), else_=true())
    decided = case(
        (CLOCK.c.outcome == "met", CLOCK.c.stopped_at),
        else_=func.coalesce(CLOCK.c.breached_at, CLOCK.c.due_at),
    )
    stmt = select(
        CLOCK.c.target,
        breached,
        epoch_seconds(decided),
        epoch_seconds(CLOCK.c.stopped_at) - epoch_seconds(CLOCK.c.started_at),
        _group(by),
        CLOCK.c.id,
    ).where(or_(met, marked, unmarked))
    # Only the joins the group or the filter needs: a month of a large center is many rows.
    if by is not None or customer_id is not None:
        stmt = stmt.select_from(_joined(by))
    if customer_id is not None:
        stmt = stmt.where(TICKET.c.customer_id == customer_id)
    return [tuple(row) for row in conn.execute(stmt)]  # type: ignore[misc]


def _joined(by: str | None, base: Any = None) -> Any:
    joined = base if base is not None else CLOCK.join(TICKET, TICKET.c.id == CLOCK.c.ticket_id)
    if by in ("region", "customer"):
        joined = joined.join(CUSTOMER, CUSTOMER.c.id == TICKET.c.customer_id)
    elif by == "engineer":
        joined = joined.outerjoin(PERSON, PERSON.c.id == TICKET.c.assignee_id)
    return joined


def recorded_tickets(
    conn: Connection,
    *,
    start: datetime,
    end: datetime,
    by: str | None = None,
    customer_id: str | None = None,
) -> list[tuple[float, int, bool, str | None]]:
    """The tickets recorded in [start, end), cancelled ones left out: (when recorded in epoch
    seconds, times reopened, ever resolved, the group's name under `by`). A reopened ticket has
    no `resolved_at` until it is resolved again, but it was resolved once."""
    resolved = case(
        (or_(TICKET.c.resolved_at.is_not(None), TICKET.c.reopen_count > 0), true()), else_=false()
    )
    stmt = (
        select(epoch_seconds(TICKET.c.created_at), TICKET.c.reopen_count, resolved, _group(by))
        .select_from(_joined(by, TICKET))
        .where(TICKET.c.created_at >= start, TICKET.c.created_at < end, TICKET.c.status != "cancelled")
    )
    if customer_id is not None:
        stmt = stmt.where(TICKET.c.customer_id == customer_id)
    return [tuple(row) for row in conn.execute(stmt)]  # type: ignore[misc]


def clocks_with_tickets(conn: Connection, clock_ids: Sequence[str]) -> list[dict[str, Any]]:
    """The clocks of `clock_ids`, each with its ticket's key, title, priority, status, customer
    and assignee, and when it was breached (its due time if no stop marked it)."""
    if not clock_ids:
        return []
    stmt = (
        select(
            CLOCK.c.id,
            TICKET.c.key,
            TICKET.c.title,
            TICKET.c.priority,
            TICKET.c.status,
            CUSTOMER.c.name.label("customer"),
            PERSON.c.handle.label("assignee"),
            CLOCK.c.target,
            CLOCK.c.due_at,
            CLOCK.c.stopped_at,
            CLOCK.c.breached_at,
        )
        .select_from(CLOCK.join(_TICKET_FROM, TICKET.c.id == CLOCK.c.ticket_id))
        .where(CLOCK.c.id.in_(list(clock_ids)))
    )
    rows = [dict(row) for row in conn.execute(stmt).mappings()]
    for row in rows:
        row["breached_at"] = row["breached_at"] or row["due_at"]
    return rows


def open_tickets(
    conn: Connection, *, customer_id: str | None = None
) -> list[tuple[float, str, str, bool, float | None]]:
    """The open tickets (resolved ones still waiting to be closed among them): (when recorded in
    epoch seconds, tier, priority, major, nearest due time in epoch seconds or None)."""
    stmt = select(
        epoch_seconds(TICKET.c.created_at),
        TICKET.c.tier,
        TICKET.c.priority,
        TICKET.c.major,
        epoch_seconds(TICKET.c.next_due_at),
    ).where(TICKET.c.status.in_(OPEN_STATUSES))
    if customer_id is not None:
        stmt = stmt.where(TICKET.c.customer_id == customer_id)
    return [tuple(row) for row in conn.execute(stmt)]  # type: ignore[misc]


def oldest_open(conn: Connection, *, customer_id: str | None = None, limit: int = 10) -> list[dict[str, Any]]:
    """The open tickets recorded first, with their customer and assignee."""
    stmt = (
        select(
            TICKET.c.key,
            TICKET.c.title,
            TICKET.c.tier,
            TICKET.c.priority,
            TICKET.c.status,
            TICKET.c.created_at,
            CUSTOMER.c.name.label("customer"),
            PERSON.c.handle.label("assignee"),
        )
        .select_from(_TICKET_FROM)
        .where(TICKET.c.status.in_(OPEN_STATUSES))
        .order_by(TICKET.c.created_at, TICKET.c.key)
        .limit(limit)
    )
    if customer_id is not None:
        stmt = stmt.where(TICKET.c.customer_id == customer_id)
    return [dict(row) for row in conn.execute(stmt).mappings()]


def engineer_load(conn: Connection, *, start: datetime, end: datetime) -> dict[str | None, dict[str, int]]:
    """Per assignee id: tickets open now, resolved in [start, end) (and not reopened since),
    closed in it."""
    is_open = TICKET.c.status.in_(OPEN_STATUSES)
    resolved = and_(TICKET.c.resolved_at >= start, TICKET.c.resolved_at < end)
    closed = and_(TICKET.c.closed_at >= start, TICKET.c.closed_at < end)

    def count(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    stmt = (
        select(TICKET.c.assignee_id, count(is_open), count(resolved), count(closed))
        .where(TICKET.c.assignee_id.is_not(None), or_(is_open, resolved, closed))
        .group_by(TICKET.c.assignee_id)
    )
    return {
        row[0]: {"open": int(row[1]), "resolved": int(row[2]), "closed": int(row[3])}
        for row in conn.execute(stmt)
    }


def work_minutes(conn: Connection, *, start: datetime, end: datetime) -> list[tuple[float, int]]:
    """Work logged in [start, end): (when it began in epoch seconds, minutes)."""
    stmt = select(epoch_seconds(WORK.c.started_at), WORK.c.minutes).where(
        WORK.c.started_at >= start, WORK.c.started_at < end
    )
    return [tuple(row) for row in conn.execute(stmt)]  # type: ignore[misc]


def people(conn: Connection, ids: Sequence[str] | None = None) -> list[tables.Person]:
    """Everyone (or those of `ids`), by handle."""
    stmt = select(PERSON).order_by(PERSON.c.handle)
    if ids is not None:
        stmt = stmt.where(PERSON.c.id.in_(list(ids)))
    return [tables.Person.from_row(r) for r in conn.execute(stmt).mappings()]


def terms_in(
    conn: Connection, *, first: date, last: date, customer_id: str | None = None
) -> list[dict[str, Any]]:
    """The contract terms in force on some day of [first, last], each with its contract's number,
    termination and customer, by contract number and term."""
    stmt = (
        select(
            TERM.c.id,
            TERM.c.contract_id,
            TERM.c.term_no,
            TERM.c.level,
            TERM.c.start_date,
            TERM.c.end_date,
            CONTRACT.c.number,
            CONTRACT.c.terminated_on,
            CUSTOMER.c.name.label("customer"),
        )
        .select_from(
            TERM.join(CONTRACT, CONTRACT.c.id == TERM.c.contract_id).join(
                CUSTOMER, CUSTOMER.c.id == CONTRACT.c.customer_id
            )
        )
        .where(TERM.c.start_date <= last, TERM.c.end_date >= first)
        .order_by(CONTRACT.c.number, TERM.c.term_no)
    )
    if customer_id is not None:
        stmt = stmt.where(CONTRACT.c.customer_id == customer_id)
    return [dict(row) for row in conn.execute(stmt).mappings()]


def uses_until(conn: Connection, term_ids: Sequence[str], *, last: date) -> list[tables.EntitlementUse]:
    """The entitlement uses of `term_ids` made on or before `last`."""
    if not term_ids:
        return []
    stmt = select(USE).where(USE.c.term_id.in_(list(term_ids)), USE.c.used_on <= last)
    return [tables.EntitlementUse.from_row(r) for r in conn.execute(stmt).mappings()]


def major_incidents(
    conn: Connection, *, start: datetime, end: datetime, customer_id: str | None = None
) -> list[dict[str, Any]]:
    """Major incidents recorded in [start, end), oldest first, with their review and how many of
    their SLA clocks were breached (by now)."""
    late_clocks = (
        select(func.count())
        .where(CLOCK.c.ticket_id == TICKET.c.id, CLOCK.c.breached_at.is_not(None))
        .scalar_subquery()
    )
    stmt = (
        select(
            TICKET.c.key,
            TICKET.c.title,
            TICKET.c.priority,
            TICKET.c.status,
            TICKET.c.created_at,
            TICKET.c.resolved_at,
            TICKET.c.closed_at,
            TICKET.c.reviewed_at,
            TICKET.c.root_cause,
            TICKET.c.review_actions,
            TICKET.c.reopen_count,
            CUSTOMER.c.name.label("customer"),
            PERSON.c.handle.label("assignee"),
            late_clocks.label("breached_clocks"),
        )
        .select_from(_TICKET_FROM)
        .where(TICKET.c.major.is_(True), TICKET.c.created_at >= start, TICKET.c.created_at < end)
        .order_by(TICKET.c.created_at, TICKET.c.key)
    )
    if customer_id is not None:
        stmt = stmt.where(TICKET.c.customer_id == customer_id)
    return [dict(row) for row in conn.execute(stmt).mappings()]
