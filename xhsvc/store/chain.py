"""Tamper evidence: the event log as one hash chain per node.

Each event carries `hash`, the SHA-256 of its canonical bytes (every column that says what
happened, who did it, who really ran it, when and where, and `prev_hash`), and `prev_hash`, the
hash of the same node's event before it (sequence numbers count 1, 2, 3 ... per node). Changing,
inserting or deleting an event breaks the chain at that event; deleting a node's latest events
leaves its sequence counter ahead of its last event. `verify` walks every chain and names the first
event that does not hold. Sync compares and trusts these chains, never rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, tuple_

from xhsvc.i18n import _
from xhsvc.store import tables

EVENT = tables.Event.__table__
COUNTER = tables.Counter.__table__
# What the first event of a node follows.
GENESIS = "0" * 64
HASHED = (
    "id",
    "entity",
    "entity_id",
    "ticket_id",
    "kind",
    "payload",
    "actor",
    "ran_by",
    "at",
    "node",
    "seq",
    "hlc",
)
PAGE = 5000
_HASH_OF = select(EVENT.c.hash).where(
    EVENT.c.node == bindparam("of_node"), EVENT.c.seq == bindparam("of_seq")
)


# The canonical bytes are this encoder's JSON (json.dumps with these options makes one per call).
_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def event_hash(row: Mapping[str, Any], prev_hash: str) -> str:
    """The hash of one event, given the hash of its node's previous event."""
    body = {
        name: value.astimezone(UTC).isoformat() if isinstance(value := row.get(name), datetime) else value
        for name in HASHED
    }
    body["prev_hash"] = prev_hash
    return hashlib.sha256(_CANONICAL.encode(body).encode("utf-8")).hexdigest()


def previous_hash(conn: Connection, node: str, seq: int) -> str:
    """The hash an event numbered `seq` of `node` follows (the node's event `seq - 1`)."""
    if seq <= 1:
        return GENESIS
    found = conn.execute(_HASH_OF, {"of_node": node, "of_seq": seq - 1}).scalar()
    # A missing predecessor is recorded as such: `verify` then names the gap.
    return found or GENESIS


def link(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Give rows of one node, in sequence order, their `prev_hash` and `hash`."""
    if not rows:
        return
    prev = previous_hash(conn, rows[0]["node"], rows[0]["seq"])
    for row in rows:
        row["prev_hash"] = prev
        row["hash"] = prev = event_hash(row, prev)


@dataclass
class Break:
    """Where a chain does not hold, and why."""

    node: str
    seq: int
    event_id: str | None
    problem: str

    def as_dict(self) -> dict[str, Any]:
        return {"node": self.node, "seq": self.seq, "event": self.event_id, "problem": self.problem}


@dataclass
class Verdict:
    events: int
    nodes: int
    broken: Break | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "events": self.events,
            "nodes": self.nodes,
            "intact": self.broken is None,
            "broken": self.broken.as_dict() if self.broken else None,
        }


def _rows(conn: Connection) -> Iterator[Mapping[str, Any]]:
    """Every event, by node and sequence, in keyset pages (memory stays flat on a long log)."""
    columns = [EVENT.c[name] for name in HASHED] + [EVENT.c.prev_hash, EVENT.c.hash]
    last: tuple[str, int] | None = None
    while True:
        stmt = select(*columns).order_by(EVENT.c.node, EVENT.c.seq).limit(PAGE)
        if last is not None:
            stmt = stmt.where(tuple_(EVENT.c.node, EVENT.c.seq) > tuple_(*last))
        page = conn.execute(stmt).mappings().all()
        if not page:
            return
        yield from page
        last = (page[-1]["node"], page[-1]["seq"])


def _counters(conn: Connection) -> dict[str, int]:
    rows = conn.execute(select(COUNTER.c.name, COUNTER.c.value).where(COUNTER.c.name.like("seq:%"))).all()
    return {name[4:]: value for name, value in rows}


def verify(conn: Connection) -> Verdict:
    """Walk every node's chain; the first event that does not hold is named."""
    counters = _counters(conn)
    events = 0
    seen: list[str] = []
    node: str | None = None
    expected_seq, prev = 1, GENESIS

    def end_of(node: str, last_seq: int) -> Break | None:
        written = counters.get(node, last_seq)
        if written > last_seq:
            return Break(
                node,
                last_seq + 1,
                None,
                _("events {first}..{last} of this node are missing").format(first=last_seq + 1, last=written),
            )
        if written < last_seq:
            return Break(
                node,
                written + 1,
                None,
                _("events {first}..{last} were never written here").format(first=written + 1, last=last_seq),
            )
        return None

    for row in _rows(conn):
        if row["node"] != node:
            if node is not None and (gap := end_of(node, expected_seq - 1)):
                return Verdict(events, len(seen), gap)
            node, expected_seq, prev = row["node"], 1, GENESIS
            seen.append(node)
        events += 1
        where = (row["node"], row["seq"], row["id"])
        if row["seq"] != expected_seq and row["node"] not in counters:
            # A node that never wrote here (sync): a laptop holds only its slice of the center's log,
            # so a gap is allowed; the event still must hash to what it says.
            expected_seq, prev = row["seq"], row["prev_hash"]
        if row["seq"] != expected_seq:
            return Verdict(
                events,
                len(seen),
                Break(*where, _("event {seq} of this node is missing").format(seq=expected_seq)),
            )
        if row["prev_hash"] != prev:
            return Verdict(events, len(seen), Break(*where, _("does not follow the event before it")))
        if event_hash(row, prev) != row["hash"]:
            return Verdict(events, len(seen), Break(*where, _("was changed after it was written")))
        prev, expected_seq = row["hash"], expected_seq + 1
    if node is not None and (gap := end_of(node, expected_seq - 1)):
        return Verdict(events, len(seen), gap)
    for other, written in counters.items():
        if other not in seen and written > 0:
            return Verdict(
                events,
                len(seen),
                Break(other, 1, None, _("all {count} events of this node are missing").format(count=written)),
            )
    return Verdict(events, len(seen), None)


def rehash_all(conn: Connection) -> int:
    """Link every event already stored (the migration that introduces the chain)."""
    count = 0
    node: str | None = None
    prev = GENESIS
    for row in _rows(conn):
        if row["node"] != node:
            node, prev = row["node"], GENESIS
        digest = event_hash(row, prev)
        conn.execute(EVENT.update().where(EVENT.c.id == row["id"]).values(prev_hash=prev, hash=digest))
        prev = digest
        count += 1
    return count
