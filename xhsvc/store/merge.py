"""Merging the logs of several nodes: an entity's state is a pure fold of its events.

The events of one entity are folded in (hlc, node, seq) order, the same on every node, so any
set of events gives the same state wherever it is folded, whatever order it arrived in.

What a writer had seen: each event names in its payload's `base` the entity's heads when it was
written (store/events.py). An event's ancestors are its base, their ancestors, and the earlier
events of its own node. Two events are concurrent when neither is an ancestor of the other: they
were written on two nodes that had not yet heard of each other.

- A field set by two concurrent events to different values: the later one in the order wins,
  everywhere, and the other value is kept as a "value" conflict until a person resolves it.
  Fields of different names merge without conflict.
- Two concurrent steps of the flow (a ticket's `status`, a request's `state`) that lead to
  different places are settled by the flow, not by the clocks: each side's steps since the fork
  are ranked by `RANK`, the side with the higher step wins, and the losing side's steps are not
  applied at all; they are kept as a "flow" conflict. A request's lost step takes its ticket's
  steps of the same moment with it (the on-site approval that was withdrawn sets no on-site flag).
- Everything else of the losing side stays: comments, history, checklist answers and findings
  are events of their own and are never lost.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select

from xhsvc.i18n import N_
from xhsvc.store import search, tables
from xhsvc.store.events import set_params, set_statement

EVENT = tables.Event.__table__
HEAD = tables.EntityHead.__table__
CONFLICT = tables.SyncConflict.__table__
CHUNK = 500

FLOW_FIELD = {"ticket": "status", "approval": "state"}
# When two nodes moved the same ticket (or request) at once, the side whose highest step ranks
# higher wins, whatever the clocks say. Equal ranks: the later step wins.
RANK: dict[str, int] = {
    "ticket.reopened": 90,
    "ticket.resolved": 80,
    "ticket.closed": 70,
    "ticket.cancelled": 60,
    "ticket.escalated": 50,
    "ticket.responded": 40,
    "ticket.waiting": 40,
    "ticket.resumed": 40,
    "ticket.arrived": 40,
    "ticket.assigned": 30,
    "approval.withdrawn": 90,
    "approval.denied": 60,
    "approval.approved": 50,
}
# Stored in English with the conflict (sync_conflict.rule); core/sync.py shows it with _().
RULE_TEXT: dict[str, str] = {
    "ticket.reopened": N_(
        "a reopening (the customer says it is not fixed) wins over a close or any other step"
    ),
    "ticket.resolved": N_("a resolution recorded at the site wins over escalation, waiting or assignment"),
    "ticket.closed": N_("a close wins over cancelling, escalation and the steps of work"),
    "ticket.cancelled": N_(
        "a cancellation wins over escalation and the steps of work, not over a resolution"
    ),
    "ticket.escalated": N_("an escalation wins over the first response, waiting and assignment"),
    "approval.withdrawn": N_("a request withdrawn by the one who made it is not decided any more"),
    "approval.denied": N_("of two decisions taken at once on the same request, the denial holds"),
}
SAME_RANK_RULE = N_("of two steps of the same rank, the later one holds")
# Bookkeeping no person edits: the last writer gives it, without a conflict. So do the times of
# steps (`*_at`): each step keeps its own time in the history.
QUIET_FIELDS = frozenset({"updated_at", "next_check_at", "next_due_at", "claimed_at", "attempts", "error"})
QUIET_ENTITIES = frozenset({"sla_clock", "rule_firing", "notification", "entitlement_use"})
# A lost step of a request takes the steps of these entities written in the same moment with it.
CARRIED = ("ticket", "sla_clock")
# Columns the merge leaves to the sweep's schedule (derived, recomputed after a merge).
DERIVED_COLUMNS = frozenset({"next_check_at", "next_due_at"})


@dataclass
class Folded:
    """What an entity's events fold to: its row (None while its creation has not arrived), the
    conflicts, its heads and the steps that lost a race of the flow."""

    entity: str
    entity_id: str
    row: dict[str, Any] | None
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    heads: list[str] = field(default_factory=list)
    lost: set[str] = field(default_factory=set)


def _ancestry(events: list[dict[str, Any]]) -> dict[str, set[str]]:
    ancestors: dict[str, set[str]] = {}
    last_of_node: dict[str, str] = {}
    for event in events:
        seen: set[str] = set()
        for parent in event["payload"].get("base", ()):
            if parent in ancestors:
                seen |= ancestors[parent]
                seen.add(parent)
        previous = last_of_node.get(event["node"])
        if previous is not None:
            seen |= ancestors[previous]
            seen.add(previous)
        ancestors[event["id"]] = seen
        last_of_node[event["node"]] = event["id"]
    return ancestors


def _flow_races(
    entity: str, events: list[dict[str, Any]], ancestors: dict[str, set[str]], skip: set[str]
) -> tuple[set[str], list[tuple[dict[str, Any], dict[str, Any]]]]:
    """The steps that lost a race of the flow, and each lost step with the step that beat its side."""
    flow = FLOW_FIELD.get(entity)
    if flow is None:
        return set(), []
    order = {event["id"]: i for i, event in enumerate(events)}
    steps = [e for e in events if e["id"] not in skip and flow in e["payload"].get("set", {})]

    def concurrent(a: dict[str, Any], b: dict[str, Any]) -> bool:
        return a is not b and a["id"] not in ancestors[b["id"]] and b["id"] not in ancestors[a["id"]]

    def strength(side: list[dict[str, Any]]) -> tuple[int, int]:
        return max((RANK.get(e["kind"], 0), order[e["id"]]) for e in side)

    lost: set[str] = set()
    races: list[tuple[dict[str, Any], dict[str, Any]]] = []
    while True:
        live = [s for s in steps if s["id"] not in lost]
        race = next(
            (
                (a, b)
                for i, a in enumerate(live)
                for b in live[i + 1 :]
                if concurrent(a, b) and a["payload"]["set"][flow] != b["payload"]["set"][flow]
            ),
            None,
        )
        if race is None:
            return lost, races
        a, b = race
        # Each side: the steps since the fork, on the side of a (or b) of the race.
        side_a = [x for x in live if (x is a or not concurrent(x, a)) and concurrent(x, b)]
        side_b = [x for x in live if (x is b or not concurrent(x, b)) and concurrent(x, a)]
        winners, losers = (side_a, side_b) if strength(side_a) > strength(side_b) else (side_b, side_a)
        top = max(winners, key=lambda e: (RANK.get(e["kind"], 0), order[e["id"]]))
        lost |= {x["id"] for x in losers}
        # Every step of the losing side is listed: none of what it wrote goes unseen.
        races.extend((top, beaten) for beaten in losers)


def _conflict(
    folded_entity: str,
    entity_id: str,
    ticket_id: str | None,
    name: str,
    kind: str,
    winner: dict[str, Any],
    winner_value: Any,
    loser: dict[str, Any],
    loser_value: Any,
    rule: str | None,
) -> dict[str, Any]:
    return {
        "id": hashlib.sha256(f"{loser['id']}:{name}".encode()).hexdigest()[:12],
        "entity": folded_entity,
        "entity_id": entity_id,
        "ticket_id": ticket_id,
        "field": name,
        "kind": kind,
        "rule": rule,
        "winner_event": winner["id"],
        "winner_value": json.dumps(winner_value, ensure_ascii=False, default=str),
        "loser_event": loser["id"],
        "loser_value": json.dumps(loser_value, ensure_ascii=False, default=str),
        "loser_kind": loser["kind"],
        "loser_actor": loser["actor"],
        "loser_node": loser["node"],
        "loser_at": loser["at"],
        "resolved_event": None,
        "resolved_by": None,
        "resolved_at": None,
    }


def fold(
    entity: str, entity_id: str, events: list[dict[str, Any]], *, excluded: Iterable[str] = ()
) -> Folded:
    """Fold one entity's events (sorted by hlc, node, seq; payloads decoded)."""
    ancestors = _ancestry(events)
    skip = set(excluded)
    lost, races = _flow_races(entity, events, ancestors, skip)
    skip |= lost
    flow = FLOW_FIELD.get(entity)
    quiet = entity in QUIET_ENTITIES
    ticket_id = (
        entity_id if entity == "ticket" else next((e["ticket_id"] for e in events if e["ticket_id"]), None)
    )
    row: dict[str, Any] | None = None
    setter: dict[str, dict[str, Any]] = {}
    conflicts: list[dict[str, Any]] = []
    resolutions: dict[str, dict[str, Any]] = {}
    for event in events:
        if event["id"] in skip:
            continue
        payload = event["payload"]
        for conflict_id in payload.get("resolves", ()):
            resolutions.setdefault(conflict_id, event)
        if "create" in payload and row is None:
            row = {"id": entity_id, **payload["create"]}
            setter.update(dict.fromkeys(payload["create"], event))
        for name, value in payload.get("set", {}).items():
            before = setter.get(name)
            if (
                row is not None
                and before is not None
                and not quiet
                and name != flow
                and name not in QUIET_FIELDS
                and not name.endswith("_at")
                and event["id"] not in ancestors[before["id"]]
                and before["id"] not in ancestors[event["id"]]
                and row.get(name) != value
            ):
                conflicts.append(
                    _conflict(
                        entity, entity_id, ticket_id, name, "value", event, value, before, row.get(name), None
                    )
                )
            if row is not None:
                row[name] = value
            setter[name] = event
    for winner, loser in races:
        conflicts.append(
            _conflict(
                entity,
                entity_id,
                ticket_id,
                flow or "status",
                "flow",
                winner,
                winner["payload"]["set"][flow],
                loser,
                loser["payload"]["set"][flow],
                RULE_TEXT.get(winner["kind"], SAME_RANK_RULE),
            )
        )
    for conflict in conflicts:
        resolver = resolutions.get(conflict["id"])
        if resolver is not None:
            conflict.update(
                resolved_event=resolver["id"], resolved_by=resolver["actor"], resolved_at=resolver["at"]
            )
    followed = set().union(*ancestors.values()) if ancestors else set()
    heads = sorted(e["id"] for e in events if e["id"] not in followed)
    return Folded(entity, entity_id, row, conflicts, heads, lost)


# Applying folds to the database ------------------------------------------------------------------


def _decoded(rows: Iterable[Any]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        event = dict(row._mapping)
        event["payload"] = json.loads(event["payload"])
        out.append(event)
    return out


_COLUMNS = (
    EVENT.c.id,
    EVENT.c.entity,
    EVENT.c.entity_id,
    EVENT.c.ticket_id,
    EVENT.c.kind,
    EVENT.c.payload,
    EVENT.c.actor,
    EVENT.c.at,
    EVENT.c.node,
    EVENT.c.seq,
    EVENT.c.hlc,
)
_ORDER = (EVENT.c.hlc, EVENT.c.node, EVENT.c.seq)


def _events_of(conn: Connection, entity_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for start in range(0, len(entity_ids), CHUNK):
        chunk = entity_ids[start : start + CHUNK]
        stmt = select(*_COLUMNS).where(EVENT.c.entity_id.in_(chunk)).order_by(*_ORDER)
        for event in _decoded(conn.execute(stmt)):
            grouped.setdefault(event["entity_id"], []).append(event)
    for events in grouped.values():
        events.sort(key=lambda e: (e["hlc"], e["node"], e["seq"]))
    return grouped


def _scope(conn: Connection, entity_ids: set[str]) -> set[str]:
    """The entities to fold with `entity_ids`: the tickets, requests and clocks of their tickets
    too, so that a request's lost step reaches its ticket."""
    tickets: set[str] = set()
    ids = sorted(entity_ids)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        tickets |= {
            t
            for (t,) in conn.execute(select(EVENT.c.ticket_id).where(EVENT.c.entity_id.in_(chunk)).distinct())
            if t
        }
    scope = set(entity_ids)
    ticket_ids = sorted(tickets)
    for start in range(0, len(ticket_ids), CHUNK):
        chunk = ticket_ids[start : start + CHUNK]
        scope |= set(
            conn.execute(
                select(EVENT.c.entity_id)
                .where(EVENT.c.ticket_id.in_(chunk), EVENT.c.entity.in_(("ticket", "approval", "sla_clock")))
                .distinct()
            ).scalars()
        )
    return scope


Moment = tuple[str | None, str, Any]


def _moments(events: list[dict[str, Any]], lost: set[str]) -> set[Moment]:
    """When the lost steps of a request were taken: (ticket, node, time) of each."""
    return {(e["ticket_id"], e["node"], e["at"]) for e in events if e["id"] in lost}


def _carried_with(entity: str, events: list[dict[str, Any]], carried: set[Moment]) -> list[str]:
    """The events of a ticket or clock taken in the same moment as a request's lost step."""
    if not carried or entity not in CARRIED:
        return []
    return [e["id"] for e in events if (e["ticket_id"], e["node"], e["at"]) in carried]


def fold_group(groups: dict[str, list[dict[str, Any]]]) -> list[Folded]:
    """Fold entities together: requests first, whose lost steps take their ticket's steps of the
    same moment with them."""
    carried: set[Moment] = set()
    folded: list[Folded] = []
    for entity_id, events in groups.items():
        if events[0]["entity"] == "approval":
            result = fold("approval", entity_id, events)
            folded.append(result)
            carried |= _moments(events, result.lost)
    for entity_id, events in groups.items():
        entity = events[0]["entity"]
        if entity == "approval":
            continue
        excluded = _carried_with(entity, events, carried)
        folded.append(fold(entity, entity_id, events, excluded=excluded))
    return folded


def _defaults(table: Any) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        values[column.name] = default.arg if default is not None and default.is_scalar else None
    return values


def write_folds(conn: Connection, folded: list[Folded], *, fresh: bool = False) -> None:
    """Put folded rows, heads and conflicts in place. `fresh`: the state tables are empty."""
    order = {name: i for i, name in enumerate(tables.PROJECTED)}
    by_entity: dict[str, list[Folded]] = {}
    for item in folded:
        by_entity.setdefault(item.entity, []).append(item)
    for entity in sorted(by_entity, key=lambda name: order.get(name, len(order))):
        model = tables.PROJECTED.get(entity)
        if model is None:
            continue
        table = model.__table__  # type: ignore[attr-defined]
        rows = [item.row for item in by_entity[entity] if item.row is not None]
        existing: set[str] = set()
        if not fresh:
            # An entity that folds to nothing now (a clock started in the same moment as a request's
            # step that lost) has no row: one projected before the loss was known goes.
            gone = [item.entity_id for item in by_entity[entity] if item.row is None]
            for start in range(0, len(gone), CHUNK):
                conn.execute(delete(table).where(table.c.id.in_(gone[start : start + CHUNK])))
            ids = [row["id"] for row in rows]
            for start in range(0, len(ids), CHUNK):
                existing |= set(
                    conn.execute(
                        select(table.c.id).where(table.c.id.in_(ids[start : start + CHUNK]))
                    ).scalars()
                )
        defaults = _defaults(table)
        new_rows = [{**defaults, **row} for row in rows if row["id"] not in existing]
        for start in range(0, len(new_rows), CHUNK):
            conn.execute(insert(table), new_rows[start : start + CHUNK])
        changed = [{**defaults, **row} for row in rows if row["id"] in existing]
        if changed:
            # One statement, many parameter sets: every column but the id and the derived ones.
            names = tuple(name for name in defaults if name not in DERIVED_COLUMNS and name != "id")
            stmt = set_statement(table, names)
            params = [set_params(row["id"], {name: row[name] for name in names}) for row in changed]
            for start in range(0, len(params), CHUNK):
                conn.execute(stmt, params[start : start + CHUNK])
        search.refresh(conn, entity=entity, entity_ids=[row["id"] for row in rows])
    ids = [item.entity_id for item in folded]
    if not fresh:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            conn.execute(delete(HEAD).where(HEAD.c.entity_id.in_(chunk)))
            conn.execute(delete(CONFLICT).where(CONFLICT.c.entity_id.in_(chunk)))
    heads = [{"entity_id": item.entity_id, "event_id": head} for item in folded for head in item.heads]
    conflicts = [c for item in folded for c in item.conflicts]
    for batch, table in ((heads, HEAD), (conflicts, CONFLICT)):
        for start in range(0, len(batch), CHUNK):
            conn.execute(insert(table), batch[start : start + CHUNK])


def refold(conn: Connection, entity_ids: Iterable[str]) -> list[Folded]:
    """Fold again the entities that gained events (and their tickets' requests and clocks)."""
    scope = _scope(conn, set(entity_ids))
    folded = fold_group(_events_of(conn, sorted(scope)))
    write_folds(conn, folded)
    return folded


def _groups_of(conn: Connection, entity: str) -> Iterator[dict[str, list[dict[str, Any]]]]:
    """The events of every entity of one kind, a page of entities at a time (memory stays flat)."""
    last: str | None = None
    while True:
        stmt = (
            select(EVENT.c.entity_id).where(EVENT.c.entity == entity).distinct().order_by(EVENT.c.entity_id)
        )
        if last is not None:
            stmt = stmt.where(EVENT.c.entity_id > last)
        page = list(conn.execute(stmt.limit(CHUNK)).scalars())
        if not page:
            return
        last = page[-1]
        yield _events_of(conn, page)


def rebuild(conn: Connection) -> int:
    """Empty the state tables and fold the whole log onto them, table by table in the order their
    references need, a page of entities at a time; returns the events folded."""
    for model in reversed(tables.PROJECTED.values()):
        conn.execute(delete(model.__table__))  # type: ignore[attr-defined]
    conn.execute(delete(HEAD))
    conn.execute(delete(CONFLICT))
    conn.execute(delete(search.SEARCH))
    # The steps requests lost take their tickets' steps of the same moment with them: known first.
    carried: set[Moment] = set()
    for groups in _groups_of(conn, "approval"):
        for entity_id, events in groups.items():
            lost = fold("approval", entity_id, events).lost
            carried |= _moments(events, lost)
    count = 0
    known = {name for name in tables.PROJECTED}
    others = sorted(set(conn.execute(select(EVENT.c.entity).distinct()).scalars()) - known)
    for entity in [*tables.PROJECTED, *others]:
        for groups in _groups_of(conn, entity):
            folded = []
            for entity_id, events in groups.items():
                count += len(events)
                excluded = _carried_with(entity, events, carried)
                folded.append(fold(entity, entity_id, events, excluded=excluded))
            write_folds(conn, folded, fresh=True)
    return count


def conflict_rows(
    conn: Connection, *, open_only: bool = True, ticket_id: str | None = None
) -> list[dict[str, Any]]:
    stmt = select(CONFLICT).order_by(CONFLICT.c.loser_at, CONFLICT.c.id)
    if open_only:
        stmt = stmt.where(CONFLICT.c.resolved_event.is_(None))
    if ticket_id is not None:
        stmt = stmt.where(CONFLICT.c.ticket_id == ticket_id)
    return [dict(row) for row in conn.execute(stmt).mappings()]


def count_open_conflicts(conn: Connection) -> int:
    return conn.execute(
        select(func.count()).select_from(CONFLICT).where(CONFLICT.c.resolved_event.is_(None))
    ).scalar_one()
