"""The event log: append an event and project it onto the state tables, in one transaction.

Every event's payload says what it does to state in one of two shapes, so that one projector
serves both live writes and a rebuild from the log:

- ``{"create": {column: value, ...}}`` inserts a row into the entity's table;
- ``{"set": {column: value, ...}}`` updates the entity's row.

Anything else in the payload (a reason, a summary for history) is for people and sync.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Connection, bindparam, delete, func, insert, or_, select, update

from xhsvc.store import chain, search, tables
from xhsvc.store.bulk import insert_rows
from xhsvc.store.ids import new_id

EVENT = tables.Event.__table__
COUNTER = tables.Counter.__table__
HEAD = tables.EntityHead.__table__
HLC_LOGICAL_BITS = 16
BATCH = 2000


@dataclass(frozen=True)
class Origin:
    """Who makes a change, when, and on which node."""

    actor: str | None
    at: datetime
    node: str
    # Who really ran the command (OS user or database login), whoever it was done as.
    ran_by: str | None = None


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} in an event")


# json.dumps with these options would make an encoder for every payload.
_PAYLOAD = json.JSONEncoder(ensure_ascii=False, default=_json_default, sort_keys=True)


def dumps(payload: dict[str, Any]) -> str:
    return _PAYLOAD.encode(payload)


# Statements of the write path, built once: a command that appends events runs them again and
# again (a batch, an import), and building a statement costs more than running it on SQLite.
_BUMPS: dict[str, Any] = {}
_INSERT_EVENT = insert(EVENT)
_HEADS_OF = select(HEAD.c.event_id).where(HEAD.c.entity_id == bindparam("of_entity"))
_MOVE_HEAD = (
    update(HEAD).where(HEAD.c.entity_id == bindparam("of_entity")).values(event_id=bindparam("to_event"))
)
_INSERT_HEAD = insert(HEAD)


def _bump_statement(dialect: str) -> Any:
    bump = _BUMPS.get(dialect)
    if bump is None:
        at_least = bindparam("at_least", type_=BigInteger)
        next_value = (
            func.max(COUNTER.c.value + 1, at_least)
            if dialect == "sqlite"
            else func.greatest(COUNTER.c.value + 1, at_least)
        )
        bump = _BUMPS[dialect] = (
            update(COUNTER)
            .where(COUNTER.c.name == bindparam("counter"))
            .values(value=next_value)
            .returning(COUNTER.c.value)
        )
    return bump


def bump_counter(conn: Connection, name: str, *, at_least: int = 0) -> int:
    """Increment counter `name` and return its new value (at least `at_least`).

    The UPDATE takes a row lock, so concurrent writers on PostgreSQL queue here.
    """
    bump = _bump_statement(conn.dialect.name)
    params = {"counter": name, "at_least": at_least}
    value = conn.execute(bump, params).scalar()
    if value is not None:
        return int(value)
    _create_counter(conn, name)
    return int(conn.execute(bump, params).scalar_one())


def _create_counter(conn: Connection, name: str) -> None:
    """Create counter `name` at 0 unless a concurrent writer just did."""
    dialect = conn.dialect.name
    if dialect in ("sqlite", "postgresql"):
        # Imported here: the PostgreSQL dialect module costs a SQLite command ~20 ms at start.
        from importlib import import_module

        ins = import_module(f"sqlalchemy.dialects.{dialect}").insert(COUNTER)
        conn.execute(ins.values(name=name, value=0).on_conflict_do_nothing(index_elements=["name"]))
    elif conn.execute(select(COUNTER.c.name).where(COUNTER.c.name == name)).first() is None:
        conn.execute(insert(COUNTER).values(name=name, value=0))


def reserve(conn: Connection, name: str, count: int, *, at_least: int = 0) -> int:
    """Take `count` consecutive values of counter `name` at once; returns the first of them
    (at least `at_least`)."""
    first = bump_counter(conn, name, at_least=at_least)
    if count > 1:
        conn.execute(update(COUNTER).where(COUNTER.c.name == name).values(value=first + count - 1))
    return first


def next_hlc(conn: Connection, at: datetime) -> int:
    """A hybrid logical clock: wall milliseconds in the high bits, a counter in the low ones.

    Never goes backwards on this database even if the wall clock does.
    """
    physical = int(at.timestamp() * 1000) << HLC_LOGICAL_BITS
    return bump_counter(conn, "hlc", at_least=physical)


def append(
    conn: Connection,
    origin: Origin,
    *,
    entity: str,
    entity_id: str,
    kind: str,
    payload: dict[str, Any],
    ticket_id: str | None = None,
) -> dict[str, Any]:
    """Append one event and apply it to the state tables; returns the event as a dict."""
    event_id = new_id()
    base = take_heads(conn, entity_id, event_id, create="create" in payload)
    row = {
        "id": event_id,
        "entity": entity,
        "entity_id": entity_id,
        "ticket_id": ticket_id,
        "kind": kind,
        "payload": dumps({**payload, "base": base} if base else payload),
        "actor": origin.actor,
        "ran_by": origin.ran_by,
        "at": origin.at,
        "node": origin.node,
        "seq": bump_counter(conn, f"seq:{origin.node}"),
        "hlc": next_hlc(conn, origin.at),
    }
    chain.link(conn, [row])
    conn.execute(_INSERT_EVENT, row)
    project(conn, entity=entity, entity_id=entity_id, payload=payload)
    return row


@dataclass(frozen=True)
class Change:
    """One event to append in a batch (see `append_many`)."""

    entity: str
    entity_id: str
    kind: str
    payload: dict[str, Any]
    ticket_id: str | None = None


def append_many(conn: Connection, origin: Origin, changes: list[Change]) -> int:
    """Append many events in one go (imports): counters reserved once, rows inserted in batches,
    and new rows projected table by table in the order given."""
    if not changes:
        return 0
    first_seq = reserve(conn, f"seq:{origin.node}", len(changes))
    physical = int(origin.at.timestamp() * 1000) << HLC_LOGICAL_BITS
    first_hlc = reserve(conn, "hlc", len(changes), at_least=physical)
    ids = [new_id() for _ in changes]
    bases = _take_heads_many(conn, changes, ids)
    rows = [
        {
            "id": ids[i],
            "entity": c.entity,
            "entity_id": c.entity_id,
            "ticket_id": c.ticket_id,
            "kind": c.kind,
            "payload": dumps({**c.payload, "base": bases[i]} if bases[i] else c.payload),
            "actor": origin.actor,
            "ran_by": origin.ran_by,
            "at": origin.at,
            "node": origin.node,
            "seq": first_seq + i,
            "hlc": first_hlc + i,
        }
        for i, c in enumerate(changes)
    ]
    chain.link(conn, rows)
    insert_rows(conn, EVENT, rows)
    # New rows first, an entity at a time in the order references need (one INSERT each), then
    # the changes to rows in the order they were made: the same state as one event after another.
    order = {name: i for i, name in enumerate(tables.PROJECTED)}
    creates: dict[str, list[Change]] = {}
    for change in changes:
        if "create" in change.payload:
            creates.setdefault(change.entity, []).append(change)
    for entity in sorted(creates, key=lambda name: order.get(name, len(order))):
        _flush_creates(conn, creates[entity])
    _apply_sets(conn, [c for c in changes if "create" not in c.payload])
    return len(rows)


def _apply_sets(conn: Connection, changes: list[Change]) -> None:
    """Apply changes to existing rows: one executemany per table and set of columns when no row
    is changed in two such groups (their order would matter), else one after another."""
    groups: dict[tuple[str, tuple[str, ...]], list[Change]] = {}
    group_of_row: dict[str, tuple[str, tuple[str, ...]]] = {}
    for change in changes:
        if tables.PROJECTED.get(change.entity) is None or "set" not in change.payload:
            continue
        key = (change.entity, tuple(sorted(change.payload["set"])))
        if group_of_row.setdefault(change.entity_id, key) != key:
            for each in changes:
                project(conn, entity=each.entity, entity_id=each.entity_id, payload=each.payload)
            return
        groups.setdefault(key, []).append(change)
    for (entity, columns), group in groups.items():
        table = tables.PROJECTED[entity].__table__
        params = [
            {"of_row": c.entity_id, **{f"new_{name}": c.payload["set"][name] for name in columns}}
            for c in group
        ]
        for start in range(0, len(params), BATCH):
            conn.execute(set_statement(table, columns), params[start : start + BATCH])
        search.refresh(conn, entity=entity, entity_ids=[c.entity_id for c in group])


def take_heads(conn: Connection, entity_id: str, event_id: str, *, create: bool = False) -> list[str]:
    """The entity's heads, which the new event `event_id` names as its base and replaces.

    The base tells the merge what the writer had seen of the entity (see store/merge.py). One head
    (the usual case) is moved with an UPDATE; only heads left by a merge need a DELETE."""
    base: list[str] = []
    if not create:
        base = sorted(conn.execute(_HEADS_OF, {"of_entity": entity_id}).scalars())
    if len(base) == 1:
        conn.execute(_MOVE_HEAD, {"of_entity": entity_id, "to_event": event_id})
        return base
    if base:
        conn.execute(delete(HEAD).where(HEAD.c.entity_id == entity_id))
    conn.execute(_INSERT_HEAD, {"entity_id": entity_id, "event_id": event_id})
    return base


def _take_heads_many(conn: Connection, changes: list[Change], ids: list[str]) -> list[list[str]]:
    """`take_heads` for a batch, in a few statements: the heads of the entities it changes are
    read at once, each event's base is the event before it in the batch (or those heads), and
    each entity's last event of the batch becomes its one head."""
    changed = list({c.entity_id for c in changes if "create" not in c.payload})
    heads: dict[str, list[str]] = {}
    for start in range(0, len(changed), BATCH):
        stmt = select(HEAD.c.entity_id, HEAD.c.event_id).where(
            HEAD.c.entity_id.in_(changed[start : start + BATCH])
        )
        for entity_id, event_id in conn.execute(stmt):
            heads.setdefault(entity_id, []).append(event_id)
    last: dict[str, str] = {}
    bases: list[list[str]] = []
    for change, event_id in zip(changes, ids, strict=True):
        if "create" in change.payload:
            bases.append([])
        elif change.entity_id in last:
            bases.append([last[change.entity_id]])
        else:
            bases.append(sorted(heads.get(change.entity_id, [])))
        last[change.entity_id] = event_id
    replaced = list(heads)
    for start in range(0, len(replaced), BATCH):
        conn.execute(delete(HEAD).where(HEAD.c.entity_id.in_(replaced[start : start + BATCH])))
    _insert_heads(conn, [{"entity_id": e, "event_id": event_id} for e, event_id in last.items()])
    return bases


def _insert_heads(conn: Connection, heads: list[dict[str, str]]) -> None:
    insert_rows(conn, HEAD, heads)


def _flush_creates(conn: Connection, changes: list[Change]) -> None:
    if not changes:
        return
    table = tables.PROJECTED[changes[0].entity].__table__
    rows = [{"id": c.entity_id, **c.payload["create"]} for c in changes]
    insert_rows(conn, table, rows)
    search.index_created(conn, entity=changes[0].entity, rows=rows)


_SETS: dict[tuple[str, tuple[str, ...]], Any] = {}


def set_statement(table: Any, columns: tuple[str, ...]) -> Any:
    """UPDATE of these columns of one row, built once per table and set of columns; its
    parameters come from `set_params`."""
    key = (table.name, columns)
    if key not in _SETS:
        _SETS[key] = (
            update(table)
            .where(table.c.id == bindparam("of_row"))
            .values({name: bindparam(f"new_{name}", type_=table.c[name].type) for name in columns})
        )
    return _SETS[key]


def set_params(row_id: str, values: dict[str, Any]) -> dict[str, Any]:
    """The parameters of `set_statement` for one row."""
    return {"of_row": row_id, **{f"new_{name}": value for name, value in values.items()}}


def project(conn: Connection, *, entity: str, entity_id: str, payload: dict[str, Any]) -> None:
    model = tables.PROJECTED.get(entity)
    if model is None:
        return
    table = model.__table__
    if "create" in payload:
        conn.execute(insert(table).values(id=entity_id, **payload["create"]))
    if "set" in payload:
        values = payload["set"]
        conn.execute(set_statement(table, tuple(sorted(values))), set_params(entity_id, values))
    search.refresh(conn, entity=entity, entity_ids=[entity_id])


def schedule_check(conn: Connection, ticket_id: str, when: datetime | None) -> None:
    """When the SLA sweep must look at a ticket next.

    A derived index, not state: it is kept out of the event log (the sweep would write an event
    per ticket per run), and a rebuild schedules every open ticket at once instead.
    """
    ticket = tables.Ticket.__table__
    conn.execute(update(ticket).where(ticket.c.id == ticket_id).values(next_check_at=when))


_SCHEDULE = (
    update(tables.Ticket.__table__)
    .where(tables.Ticket.__table__.c.id == bindparam("of_ticket"))
    .values(next_check_at=bindparam("check_at"))
)


def schedule_checks(conn: Connection, schedule: list[tuple[str, datetime | None]]) -> None:
    """`schedule_check` for many tickets in one statement: (ticket id, when) pairs."""
    if schedule:
        conn.execute(_SCHEDULE, [{"of_ticket": tid, "check_at": when} for tid, when in schedule])


class Deferred:
    """Events gathered to be appended together (`append_many`: counters reserved once, rows
    inserted in one statement per table) when `flush` is called. For what nothing in the same
    transaction reads back before the flush: the sweep's breaches, firings and notices. Flush
    before any other append, so that the log keeps the order the events were made in."""

    def __init__(self, conn: Connection, origin: Origin) -> None:
        self.conn = conn
        self.origin = origin
        self.changes: list[Change] = []

    def add(self, changes: list[Change]) -> None:
        self.changes.extend(changes)

    def flush(self) -> None:
        if self.changes:
            append_many(self.conn, self.origin, self.changes)
            self.changes = []


def refresh_next_due(conn: Connection, ticket_id: str | None = None) -> None:
    """Set a ticket's nearest running-clock due time (all tickets when `ticket_id` is None).

    Derived from the clocks, so kept out of the event log like the sweep's schedule."""
    ticket = tables.Ticket.__table__
    clock = tables.SlaClock.__table__
    nearest = (
        select(func.min(clock.c.due_at))
        .where(
            clock.c.ticket_id == ticket.c.id,
            clock.c.stopped_at.is_(None),
            # A pause that began after the due time does not stop the clock (see core.sla).
            or_(clock.c.paused_since.is_(None), clock.c.paused_since >= clock.c.due_at),
        )
        .scalar_subquery()
    )
    stmt = update(ticket).values(next_due_at=nearest)
    if ticket_id is not None:
        stmt = stmt.where(ticket.c.id == ticket_id)
    conn.execute(stmt)


def rebuild(conn: Connection) -> int:
    """Empty the state tables and fold the whole log onto them (store/merge.py); returns the
    events folded."""
    from xhsvc.store import merge

    conn.execute(delete(COUNTER).where(COUNTER.c.name.like("ticket:%")))
    count = merge.rebuild(conn)
    _restore_ticket_counters(conn)
    refresh_next_due(conn)
    ticket = tables.Ticket.__table__
    conn.execute(
        update(ticket)
        .where(ticket.c.status.in_(("new", "assigned", "in_progress", "waiting_customer")))
        .values(next_check_at=func.current_timestamp())
    )
    return count


def _restore_ticket_counters(conn: Connection) -> None:
    ticket = tables.Ticket.__table__
    highest: dict[str, int] = {}
    for (key,) in conn.execute(select(ticket.c.key)):
        prefix, _, number = key.rpartition("-")
        if number.isdigit():
            highest[prefix] = max(highest.get(prefix, 0), int(number))
    for prefix, value in highest.items():
        bump_counter(conn, f"ticket:{prefix}", at_least=value)
