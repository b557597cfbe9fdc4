"""The store's side of sync: what this database holds of each node's log, reading events to send,
and taking in events written elsewhere (checked against their hash chains, never trusted as rows)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, or_, select, tuple_, update

from xhsvc.i18n import _
from xhsvc.store import chain, tables
from xhsvc.store.events import bump_counter

EVENT = tables.Event.__table__
PEER = tables.SyncPeer.__table__
COVER = tables.SyncCover.__table__
META = tables.Meta.__table__
CHUNK = 500
# The columns an event travels with: everything its hash covers, and the hashes.
WIRE = (*chain.HASHED, "prev_hash", "hash")


class BadEvent(Exception):
    """An event that does not hold: changed, forged, or in conflict with one already here."""


def meta_value(conn: Connection, key: str) -> str | None:
    return conn.execute(select(META.c.value).where(META.c.key == key)).scalar()


def set_meta(conn: Connection, key: str, value: str) -> None:
    if conn.execute(update(META).where(META.c.key == key).values(value=value)).rowcount == 0:
        conn.execute(insert(META).values(key=key, value=value))


def covers(conn: Connection) -> dict[str, int]:
    return {node: seq for node, seq in conn.execute(select(COVER.c.node, COVER.c.seq))}


def extend_cover(conn: Connection, node: str, seq: int) -> None:
    current = conn.execute(select(COVER.c.seq).where(COVER.c.node == node)).scalar()
    if current is None:
        conn.execute(insert(COVER).values(node=node, seq=seq))
    elif seq > current:
        conn.execute(update(COVER).where(COVER.c.node == node).values(seq=seq))


def have(conn: Connection) -> dict[str, int]:
    """For each node, the highest sequence up to which this database holds every event (or was
    told it need not: a laptop's slice)."""
    cover = covers(conn)
    result: dict[str, int] = {}
    stats = conn.execute(
        select(EVENT.c.node, func.count(), func.max(EVENT.c.seq)).group_by(EVENT.c.node)
    ).all()
    for node, count, highest in stats:
        floor = cover.get(node, 0)
        if count == highest:
            result[node] = max(highest, floor)
            continue
        reached = floor
        for (seq,) in conn.execute(
            select(EVENT.c.seq).where(EVENT.c.node == node, EVENT.c.seq > floor).order_by(EVENT.c.seq)
        ):
            if seq != reached + 1:
                break
            reached = seq
        result[node] = reached
    for node, floor in cover.items():
        result.setdefault(node, floor)
    return result


def events_beyond(conn: Connection, known: dict[str, int]) -> Iterator[dict[str, Any]]:
    """Every event the holder of `known` lacks, node by node in sequence order."""
    nodes = list(conn.execute(select(EVENT.c.node).distinct()).scalars())
    columns = [EVENT.c[name] for name in WIRE]
    for node in sorted(nodes):
        last = known.get(node, 0)
        while True:
            stmt = (
                select(*columns)
                .where(EVENT.c.node == node, EVENT.c.seq > last)
                .order_by(EVENT.c.seq)
                .limit(CHUNK * 4)
            )
            page = [dict(row) for row in conn.execute(stmt).mappings()]
            if not page:
                break
            yield from page
            last = page[-1]["seq"]


def events_of_tickets(conn: Connection, ticket_ids: list[str]) -> Iterator[dict[str, Any]]:
    return _events_where(conn, EVENT.c.ticket_id, ticket_ids)


def events_of_entities(conn: Connection, entity_ids: list[str]) -> Iterator[dict[str, Any]]:
    return _events_where(conn, EVENT.c.entity_id, entity_ids)


def _events_where(conn: Connection, column: Any, values: list[str]) -> Iterator[dict[str, Any]]:
    columns = [EVENT.c[name] for name in WIRE]
    for start in range(0, len(values), CHUNK):
        chunk = values[start : start + CHUNK]
        yield from (dict(row) for row in conn.execute(select(*columns).where(column.in_(chunk))).mappings())


def as_utc(value: Any) -> datetime:
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)


def check_event(row: dict[str, Any]) -> None:
    """An event is whole when its hash is the hash of its content and of the hash it follows."""
    for name in WIRE:
        if name not in row:
            raise BadEvent(_("event {event!r} has no {column}").format(event=row.get("id"), column=name))
    if chain.event_hash(row, row["prev_hash"]) != row["hash"]:
        raise BadEvent(
            _("event {event} (node {node}, {seq}) was changed after it was written").format(
                event=row["id"], node=row["node"], seq=row["seq"]
            )
        )


def take_in(conn: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Insert the events not yet here; return them. An event already here must be the same one
    (same hash), and no node may have two events at one sequence number."""
    if not rows:
        return []
    for row in rows:
        row["at"] = as_utc(row["at"])
        check_event(row)
    by_id = {row["id"]: row for row in rows}
    known: dict[str, str] = {}
    ids = list(by_id)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        known.update(conn.execute(select(EVENT.c.id, EVENT.c.hash).where(EVENT.c.id.in_(chunk))).all())
    for event_id, digest in known.items():
        if by_id[event_id]["hash"] != digest:
            row = by_id[event_id]
            raise BadEvent(
                _("event {event} (node {node}, {seq}) differs from the one held here").format(
                    event=event_id, node=row["node"], seq=row["seq"]
                )
            )
    new = [row for row in by_id.values() if row["id"] not in known]
    places = [(row["node"], row["seq"]) for row in new]
    for start in range(0, len(places), CHUNK):
        chunk = places[start : start + CHUNK]
        taken = conn.execute(
            select(EVENT.c.node, EVENT.c.seq).where(tuple_(EVENT.c.node, EVENT.c.seq).in_(chunk))
        ).first()
        if taken is not None:
            raise BadEvent(
                _("node {node} already has a different event {seq} here (a forked log)").format(
                    node=taken[0], seq=taken[1]
                )
            )
    _check_links(conn, new)
    for start in range(0, len(new), CHUNK):
        conn.execute(insert(EVENT), new[start : start + CHUNK])
    if new:
        # Later events written here must come after everything taken in (causality).
        bump_counter(conn, "hlc", at_least=max(row["hlc"] for row in new))
    return new


def _check_links(conn: Connection, new: list[dict[str, Any]]) -> None:
    """Where an event's predecessor is at hand (here or in the batch), it must be the one the
    event names."""
    batch = {(row["node"], row["seq"]): row["hash"] for row in new}
    wanted = [
        (row["node"], row["seq"] - 1)
        for row in new
        if row["seq"] > 1 and (row["node"], row["seq"] - 1) not in batch
    ]
    held: dict[tuple[str, int], str] = {}
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        held.update(
            ((node, seq), digest)
            for node, seq, digest in conn.execute(
                select(EVENT.c.node, EVENT.c.seq, EVENT.c.hash).where(
                    tuple_(EVENT.c.node, EVENT.c.seq).in_(chunk)
                )
            )
        )
    for row in new:
        place = (row["node"], row["seq"] - 1)
        before = chain.GENESIS if row["seq"] == 1 else batch.get(place) or held.get(place)
        if before is not None and before != row["prev_hash"]:
            raise BadEvent(
                _("event {event} (node {node}, {seq}) does not follow its node's event before it").format(
                    event=row["id"], node=row["node"], seq=row["seq"]
                )
            )


def peer(conn: Connection, name: str) -> dict[str, Any] | None:
    row = conn.execute(select(PEER).where(PEER.c.name == name)).mappings().first()
    return dict(row) if row else None


def peer_of_node(conn: Connection, node_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(PEER).where(PEER.c.node_id == node_id)).mappings().first()
    return dict(row) if row else None


def peers(conn: Connection) -> list[dict[str, Any]]:
    return [dict(row) for row in conn.execute(select(PEER).order_by(PEER.c.name)).mappings()]


def add_peer(conn: Connection, **values: Any) -> None:
    conn.execute(insert(PEER).values(**values))


def update_peer(conn: Connection, name: str, **values: Any) -> None:
    conn.execute(update(PEER).where(PEER.c.name == name).values(**values))


def count_beyond(conn: Connection, known: dict[str, int], node: str) -> int:
    """How many of `node`'s events the holder of `known` lacks."""
    return conn.execute(
        select(func.count()).select_from(EVENT).where(EVENT.c.node == node, EVENT.c.seq > known.get(node, 0))
    ).scalar_one()


def has_events(conn: Connection) -> bool:
    return conn.execute(select(EVENT.c.id).limit(1)).first() is not None


def held(conn: Connection, event_ids: list[str]) -> set[str]:
    """Which of these events this database holds."""
    found: set[str] = set()
    for start in range(0, len(event_ids), CHUNK):
        chunk = event_ids[start : start + CHUNK]
        found |= set(conn.execute(select(EVENT.c.id).where(EVENT.c.id.in_(chunk))).scalars())
    return found


def steps_of(conn: Connection, event_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Kind, actor, node and time of these events, by id."""
    found: dict[str, dict[str, Any]] = {}
    columns = (EVENT.c.id, EVENT.c.kind, EVENT.c.actor, EVENT.c.node, EVENT.c.at)
    for start in range(0, len(event_ids), CHUNK):
        chunk = event_ids[start : start + CHUNK]
        found.update(
            (row["id"], dict(row))
            for row in conn.execute(select(*columns).where(EVENT.c.id.in_(chunk))).mappings()
        )
    return found


def approval_row(conn: Connection, approval_id: str) -> dict[str, Any] | None:
    table = tables.Approval.__table__
    row = conn.execute(select(table).where(table.c.id == approval_id)).mappings().first()
    return dict(row) if row else None


def slice_of(conn: Connection, person_id: str, region: str | None) -> tuple[set[str], set[str]]:
    """The tickets and visit records (visits, their items, findings and work logs) of a person and their
    region: what a sliced laptop receives."""
    ticket = tables.Ticket.__table__
    customer = tables.Customer.__table__
    approval = tables.Approval.__table__
    visit = tables.Visit.__table__
    ticket_filter = [ticket.c.assignee_id == person_id]
    visit_filter = [visit.c.engineer_id == person_id]
    if region:
        in_region = select(customer.c.id).where(customer.c.region == region)
        ticket_filter.append(ticket.c.customer_id.in_(in_region))
        visit_filter.append(visit.c.customer_id.in_(in_region))
    tickets = set(conn.execute(select(ticket.c.id).where(or_(*ticket_filter))).scalars())
    tickets |= set(
        conn.execute(select(approval.c.ticket_id).where(approval.c.requested_by_id == person_id)).scalars()
    )
    visits = sorted(conn.execute(select(visit.c.id).where(or_(*visit_filter))).scalars())
    records = set(visits)
    for model in (tables.VisitItem, tables.Finding, tables.WorkLog):
        table = model.__table__  # type: ignore[attr-defined]
        for start in range(0, len(visits), CHUNK):
            chunk = visits[start : start + CHUNK]
            records |= set(conn.execute(select(table.c.id).where(table.c.visit_id.in_(chunk))).scalars())
    return tickets, records
