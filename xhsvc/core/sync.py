"""Offline sync: laptops that work without the center and exchange events with it later.

The center is the database the service desk shares; a laptop is a database registered at the
center for one person (`add_node`), joined with the token that prints (`join_center`). Both sides
exchange bundles (core/bundle.py): a file handed over on a stick (`export_bundle`,
`import_bundle`) or straight over a connection to the center's database (`sync_with_center`),
through the same code. A bundle carries the events the receiver lacks; the receiver checks it
whole (key, digest, hash chains, who could have done what), takes in the new events and folds
the entities they touch again (store/merge.py), all in one transaction.

The center decides what a laptop receives: reference data in full, and the tickets and visits of
its person and their region. The sweep and notification delivery run at the center only.
"""

from __future__ import annotations

import json
import secrets
from base64 import urlsafe_b64decode, urlsafe_b64encode
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from xhsvc.core import bundle, knowledge, worklogs
from xhsvc.core.context import Context, Tx
from xhsvc.core.said import said
from xhsvc.core.setup import validate_prefix
from xhsvc.errors import Conflict, InvalidInput, NotAllowed, NotFound
from xhsvc.i18n import N_, _, ngettext
from xhsvc.store import db as store_db
from xhsvc.store import events, merge, queries, tables
from xhsvc.store import sync as store_sync
from xhsvc.store.db import Database

CENTER = "center"
LAPTOP = "laptop"
TOKEN_PREFIX = "xhsvc-join:"
# A laptop's name for its center among its peers.
CENTER_PEER = "center"
# Events dated further ahead of the receiver's clock than this are flagged at import.
AHEAD_SECONDS = 600
# Everything a field engineer needs whatever tickets are theirs (the knowledge notes too: few,
# and any of them may be what the next case needs).
REFERENCE = frozenset(
    {
        "person",
        "customer",
        "site",
        "contact",
        "asset",
        "contract",
        "contract_term",
        "contract_asset",
        "knowledge_note",
        # Where people work, and customers' project support teams (core/organization.py).
        "branch",
        "partner",
        "team_member",
    }
)
# Records a laptop gets with a visit (or, for work logs, with a ticket) of its slice.
VISIT_ENTITIES = ("visit", "visit_item", "finding", "work_log")
SLICED_ROLES = ("engineer", "expert")
# Events only the center writes: the sweep's firings and breaches.
CENTER_ONLY = frozenset({"rule.fired", "sla_clock.breached"})
RECORD_EDITORS = {
    "person": ("manager", "admin"),
    "customer": ("agent", "manager", "admin"),
    "site": ("agent", "manager", "admin"),
    "contact": ("agent", "manager", "admin"),
    "asset": ("agent", "manager", "admin"),
    "contract": ("agent", "manager", "admin"),
    "contract_term": ("agent", "manager", "admin"),
    "contract_asset": ("agent", "manager", "admin"),
    "branch": ("manager", "admin"),
    "partner": ("manager", "admin"),
    "team_member": ("agent", "manager", "admin"),
}


def node_role(conn: Connection) -> str:
    return store_sync.meta_value(conn, "sync_role") or CENTER


def require_center(tx: Tx, action: str) -> None:
    """The sweep and notification delivery run where the desk is, never twice on two nodes."""
    if node_role(tx.conn) == LAPTOP:
        raise NotAllowed(
            _("{action}: this database is a laptop node; {action} runs at the center only").format(
                action=action
            )
        )


# Registering laptops at the center ---------------------------------------------------------------


def _manager(tx: Tx, action: str) -> None:
    me = tx.me()
    if me.role not in ("manager", "admin"):
        raise NotAllowed(
            _("{action}: only a manager or admin registers laptops; {handle} is {role}").format(
                action=action, handle=me.handle, role=me.role
            )
        )


def _name(value: str) -> str:
    name = value.strip()
    if not name or len(name) > 64 or not all(c.isalnum() or c in "-_." for c in name):
        raise InvalidInput(_("name {name!r}: 1-64 letters, digits, '-', '_' or '.'").format(name=value))
    return name


def _free_prefix(conn: Connection, wanted: str | None, handle: str, own: str) -> str:
    taken = {p["prefix"] for p in store_sync.peers(conn) if p["prefix"]} | {own}
    if wanted:
        prefix = validate_prefix(wanted.upper())
        if prefix in taken:
            raise Conflict(_("--prefix: {prefix} is already used by another node").format(prefix=prefix))
        return prefix
    stem = "".join(c for c in handle.upper() if c.isalnum())[:6] or "N"
    stem = stem if stem[0].isalpha() else f"N{stem}"[:6]
    stem = stem.ljust(2, "X")
    for n in range(1, 100):
        candidate = stem if n == 1 else f"{stem}{n}"
        if candidate not in taken:
            return candidate
    raise Conflict(_("--prefix: no free prefix; give one"))


def add_node(ctx: Context, *, name: str, person: str, prefix: str | None = None) -> dict[str, Any]:
    """Register a laptop for one person; the token it returns is what the laptop joins with."""
    name = _name(name)
    with ctx.writing() as tx:
        _manager(tx, "sync node add")
        if node_role(tx.conn) == LAPTOP:
            raise NotAllowed(_("sync node add: laptops are registered at the center, not on a laptop"))
        owner = queries.get_person(tx.conn, person)
        if owner is None:
            raise NotFound(_("--person: no person {person!r}").format(person=person))
        if store_sync.peer(tx.conn, name) is not None:
            raise Conflict(_("sync node add: a node named {name} is already registered").format(name=name))
        key = secrets.token_hex(32)
        chosen = _free_prefix(tx.conn, prefix, owner.handle, ctx.db.prefix)
        store_sync.add_peer(
            tx.conn,
            name=name,
            person_id=owner.id,
            role=LAPTOP,
            key=key,
            prefix=chosen,
            have="{}",
            created_at=tx.now,
        )
    token = {"name": name, "key": key, "prefix": chosen, "center": ctx.db.node_id, "person": owner.handle}
    encoded = urlsafe_b64encode(json.dumps(token, separators=(",", ":")).encode()).decode()
    return {
        "name": name,
        "person": owner.handle,
        "prefix": chosen,
        "key": key,
        "token": TOKEN_PREFIX + encoded,
    }


def revoke_node(ctx: Context, *, name: str) -> dict[str, Any]:
    """Cut a laptop off (lost, stolen, replaced): its bundles and syncs are refused from now on;
    what it sent before stays."""
    with ctx.writing() as tx:
        _manager(tx, "sync node revoke")
        peer = store_sync.peer(tx.conn, name)
        if peer is None or peer["role"] != LAPTOP:
            raise NotFound(
                _("sync node revoke: no registered laptop {name!r} (xhsvc sync node list)").format(name=name)
            )
        if peer["revoked_at"] is not None:
            raise Conflict(_("sync node revoke: {name} was already revoked").format(name=name))
        store_sync.update_peer(tx.conn, name, revoked_at=tx.now)
        return {"name": name, "revoked_at": tx.now}


def list_nodes(ctx: Context) -> list[dict[str, Any]]:
    with ctx.reading() as tx:
        handles = queries.handles_by_id(tx.conn, [p["person_id"] for p in store_sync.peers(tx.conn)])
        mine = store_sync.have(tx.conn)
        out = []
        for peer in store_sync.peers(tx.conn):
            out.append(
                {
                    "name": peer["name"],
                    "role": peer["role"],
                    "person": handles.get(peer["person_id"] or ""),
                    "prefix": peer["prefix"],
                    "node": peer["node_id"],
                    "last_received_at": peer["last_received_at"],
                    "last_sent_at": peer["last_sent_at"],
                    "waiting": _waiting(tx.conn, peer, mine),
                    "revoked_at": peer["revoked_at"],
                }
            )
        return out


def _waiting(conn: Connection, peer: dict[str, Any], mine: dict[str, int]) -> int:
    """How many events this database holds that the peer, as far as we know, lacks."""
    known = json.loads(peer["have"] or "{}")
    return sum(store_sync.count_beyond(conn, known, node) for node in mine)


def parse_token(token: str) -> dict[str, Any]:
    text = token.strip()
    if not text.startswith(TOKEN_PREFIX):
        raise InvalidInput(
            _("token: must start with {prefix} (printed by `xhsvc sync node add` at the center)").format(
                prefix=TOKEN_PREFIX
            )
        )
    try:
        data = json.loads(urlsafe_b64decode(text[len(TOKEN_PREFIX) :].encode()))
    except ValueError:
        raise InvalidInput(_("token: damaged (copy it whole from `xhsvc sync node add`)")) from None
    if not isinstance(data, dict) or not {"name", "key", "prefix", "center", "person"} <= set(data):
        raise InvalidInput(_("token: damaged (copy it whole from `xhsvc sync node add`)"))
    return data


def join_center(ctx: Context, *, token: str, url: str | None = None) -> dict[str, Any]:
    """Make this (new, empty) database a laptop of the center the token comes from."""
    data = parse_token(token)
    with ctx.db.write() as conn:
        if node_role(conn) == LAPTOP:
            raise Conflict(_("sync join: this database is already a laptop node"))
        if store_sync.has_events(conn):
            raise Conflict(
                _(
                    "sync join: this database already holds records; join from a new one "
                    "(e.g. XHSVC_HOME=~/laptop xhsvc sync join ...)"
                )
            )
        store_sync.add_peer(
            conn,
            name=CENTER_PEER,
            node_id=data["center"],
            role=CENTER,
            key=data["key"],
            url=url,
            have="{}",
            created_at=ctx.now(),
        )
        store_sync.set_meta(conn, "sync_role", LAPTOP)
        store_sync.set_meta(conn, "sync_name", data["name"])
        store_sync.set_meta(conn, "sync_person", data["person"])
    store_db.set_prefix(ctx.db, data["prefix"])
    ctx.db.sync_person = data["person"]
    return {
        "name": data["name"],
        "person": data["person"],
        "prefix": data["prefix"],
        "center": data["center"],
        "url": url,
    }


# Building and receiving bundles ------------------------------------------------------------------


def _in_slice(event: dict[str, Any], tickets: set[str], records: set[str]) -> bool:
    if event["entity"] in REFERENCE:
        return True
    if event["entity"] in VISIT_ENTITIES:
        return event["entity_id"] in records or (
            event["ticket_id"] in tickets if event["ticket_id"] else False
        )
    if event["ticket_id"]:
        return event["ticket_id"] in tickets
    return event["entity"] == "entitlement_use"


def _outgoing(conn: Connection, peer: dict[str, Any], known: dict[str, int]) -> Iterator[dict[str, Any]]:
    owner = queries.get_person(conn, peer["person_id"]) if peer["person_id"] else None
    if peer["role"] != LAPTOP or owner is None or owner.role not in SLICED_ROLES:
        yield from store_sync.events_beyond(conn, known)
        return
    tickets, records = store_sync.slice_of(conn, owner.id, owner.region)
    sent: set[str] = set()
    touched_tickets: set[str] = set()
    touched_records: set[str] = set()
    for event in store_sync.events_beyond(conn, known):
        if _in_slice(event, tickets, records):
            sent.add(event["id"])
            if event["ticket_id"] in tickets:
                touched_tickets.add(event["ticket_id"])
            if event["entity_id"] in records:
                touched_records.add(event["entity_id"])
            yield event
    # A ticket or visit that has just come into the slice brings its whole history with it.
    for event in store_sync.events_of_tickets(conn, sorted(touched_tickets)):
        if event["id"] not in sent:
            sent.add(event["id"])
            yield event
    for event in store_sync.events_of_entities(conn, sorted(touched_records)):
        if event["id"] not in sent:
            sent.add(event["id"])
            yield event


def _build(conn: Connection, db: Database, peer: dict[str, Any], now: datetime) -> tuple[bytes, int]:
    known = json.loads(peer["have"] or "{}")
    mine = store_sync.have(conn)
    rows = list(_outgoing(conn, peer, known))
    key_id = peer["name"] if node_role(conn) == CENTER else store_sync.meta_value(conn, "sync_name")
    header = {
        "schema": store_db.HEAD_REVISION,
        "from": db.node_id,
        "key_id": key_id,
        "to": peer["node_id"],
        "created_at": now,
        "have": mine,
        "base": known,
        "covers": mine,
    }
    data = bundle.encode(header, rows, bytes.fromhex(peer["key"]))
    store_sync.update_peer(conn, peer["name"], last_sent_at=now)
    return data, len(rows)


def _peer_for(conn: Connection, name: str | None) -> dict[str, Any]:
    if node_role(conn) == LAPTOP:
        peer = store_sync.peer(conn, CENTER_PEER)
        if peer is None:  # pragma: no cover - a laptop always has its center
            raise NotFound(_("sync: this laptop has no center"))
        if name not in (None, CENTER_PEER):
            raise InvalidInput(
                _("--for: a laptop exchanges with its center only, not {name!r}").format(name=name)
            )
        return peer
    if not name:
        raise InvalidInput(_("--for: name the laptop the bundle is for (xhsvc sync node list)"))
    peer = store_sync.peer(conn, name)
    if peer is None:
        raise NotFound(_("--for: no registered node {name!r} (xhsvc sync node list)").format(name=name))
    return peer


def export_bundle(ctx: Context, *, target: Path, peer: str | None = None) -> dict[str, Any]:
    """Write a bundle of what the peer lacks (a laptop: its center; the center: `peer`)."""
    with ctx.db.write() as conn:
        chosen = _peer_for(conn, peer)
        if chosen["revoked_at"] is not None:
            raise NotAllowed(_("--for: node {name} was revoked").format(name=chosen["name"]))
        data, count = _build(conn, ctx.db, chosen, ctx.now())
        bundle.write_file(target, data)
    return {"file": str(target), "for": chosen["name"], "events": count, "bytes": len(data)}


def _key_for(conn: Connection, db: Database, header: dict[str, Any], source: str) -> dict[str, Any]:
    """The peer a bundle claims to come from, if it may: its key is then checked on the bytes."""
    schema = str(header.get("schema", ""))
    if not schema.isdigit():
        raise InvalidInput(
            _("{source}: the bundle's header names no schema revision; nothing imported").format(
                source=source
            )
        )
    if int(schema) > int(store_db.HEAD_REVISION):
        raise InvalidInput(
            _(
                "{source}: written by a newer xhsvc (schema {schema}, this one knows up to "
                "{head}); upgrade xhsvc here first. Nothing imported"
            ).format(source=source, schema=schema, head=store_db.HEAD_REVISION)
        )
    if header.get("to") not in (None, db.node_id):
        raise InvalidInput(
            _("{source}: the bundle is for another node ({node}); nothing imported").format(
                source=source, node=header.get("to")
            )
        )
    sender = header.get("from")
    if sender == db.node_id:
        raise InvalidInput(
            _("{source}: this bundle was written here; give it to the other side").format(source=source)
        )
    if node_role(conn) == LAPTOP:
        peer = store_sync.peer(conn, CENTER_PEER)
        assert peer is not None
        if header.get("key_id") != store_sync.meta_value(conn, "sync_name") or sender != peer["node_id"]:
            raise NotAllowed(
                _("{source}: the bundle is not from this laptop's center; nothing imported").format(
                    source=source
                )
            )
        return peer
    peer = store_sync.peer(conn, str(header.get("key_id")))
    if peer is None or peer["role"] != LAPTOP:
        raise NotAllowed(
            _("{source}: key id {key_id!r} is not a node registered here; nothing imported").format(
                source=source, key_id=header.get("key_id")
            )
        )
    if peer["revoked_at"] is not None:
        raise NotAllowed(
            _("{source}: node {name} was revoked; nothing imported").format(source=source, name=peer["name"])
        )
    if peer["node_id"] not in (None, sender):
        raise NotAllowed(
            _("{source}: key {name} belongs to node {node}, not {sender}; nothing imported").format(
                source=source, name=peer["name"], node=peer["node_id"], sender=sender
            )
        )
    return peer


def _authorize(conn: Connection, peer: dict[str, Any], rows: list[dict[str, Any]], source: str) -> None:
    """At the center: a laptop speaks for its person only, and only for what they may do."""
    if node_role(conn) == LAPTOP:
        return
    owner = queries.get_person(conn, peer["person_id"])
    if owner is None:
        raise NotAllowed(
            _("{source}: the person of node {name} is gone; nothing imported").format(
                source=source, name=peer["name"]
            )
        )
    created = {
        r["entity_id"]: json.loads(r["payload"]).get("create", {}) for r in rows if r["entity"] == "approval"
    }
    held = store_sync.held(conn, [r["id"] for r in rows if r["node"] != peer["node_id"]])
    for row in rows:
        where = {"source": source, "seq": row["seq"], "node": row["node"], "kind": row["kind"]}
        if row["node"] != peer["node_id"]:
            if row["id"] not in held:
                raise NotAllowed(
                    _(
                        "{source}: event {seq} of node {node} ({kind}) is not {name}'s own and was never "
                        "seen here; nothing imported"
                    ).format(**where, name=peer["name"])
                )
            continue
        if row["actor"] != owner.handle:
            raise NotAllowed(
                _(
                    "{source}: event {seq} of node {node} ({kind} by {actor}): node {name} records the work "
                    "of {handle} only; nothing imported"
                ).format(**where, actor=row["actor"], name=peer["name"], handle=owner.handle)
            )
        reason = _forbidden(conn, owner, row, created)
        if reason:
            raise NotAllowed(
                _(
                    "{source}: event {seq} of node {node} ({kind} by {handle}): {reason}; nothing imported"
                ).format(**where, handle=owner.handle, reason=reason)
            )


def _forbidden(
    conn: Connection, owner: tables.Person, row: dict[str, Any], created: dict[str, Any]
) -> str | None:
    kind = row["kind"]
    if kind in CENTER_ONLY:
        return _("the sweep runs at the center only")
    editors = RECORD_EDITORS.get(row["entity"])
    if editors and owner.role not in editors:
        return _("a {role} may not change {entity} records").format(role=owner.role, entity=row["entity"])
    if row["entity"] in ("work_log", "part_replacement") and owner.role not in worklogs.LOGGERS:
        return _("a {role} may not log work time").format(role=owner.role)
    if row["entity"] == "knowledge_note" and owner.role not in knowledge.WRITERS:
        return _("a {role} may not write knowledge notes").format(role=owner.role)
    if kind in ("approval.approved", "approval.denied"):
        approval = store_sync.approval_row(conn, row["entity_id"]) or created.get(row["entity_id"], {})
        if approval.get("requested_by_id") == owner.id:
            return _("the one who made a request may not decide it")
        # Only what cannot change since the laptop saw it counts here: a request referred at the
        # center meanwhile is a race of the flow, settled by the merge, not a forgery.
        if approval.get("kind") == "l2_onsite" and owner.role != "manager":
            return _("only a manager may decide this request")
        if owner.role not in ("agent", "manager"):
            return _("a {role} may not decide requests").format(role=owner.role)
    return None


def _receive(db: Database, data: bytes, *, source: str, now: datetime) -> dict[str, Any]:
    """Check a bundle whole, then take in what is new and merge it, in one transaction."""
    header = bundle.peek(data, source=source)
    with db.write() as conn:
        peer = _key_for(conn, db, header, source)
        received = bundle.decode(data, bytes.fromhex(peer["key"]), source=source)
        rows = received.events
        if peer["node_id"] is None:
            # The first bundle of a laptop binds its key to its node for good.
            if store_sync.peer_of_node(conn, header["from"]) is not None:
                raise NotAllowed(
                    _("{source}: node {node} is registered under another name; nothing imported").format(
                        source=source, node=header["from"]
                    )
                )
            peer["node_id"] = header["from"]
        _authorize(conn, peer, rows, source)
        try:
            new = store_sync.take_in(conn, rows)
        except store_sync.BadEvent as e:
            raise InvalidInput(
                _("{source}: {problem}; nothing imported").format(source=source, problem=e)
            ) from None
        before = merge.count_open_conflicts(conn)
        folded = merge.refold(conn, {row["entity_id"] for row in new}) if new else []
        tickets = {f.entity_id for f in folded if f.entity == "ticket"}
        for ticket_id in tickets:
            events.refresh_next_due(conn, ticket_id)
            events.schedule_check(conn, ticket_id, now)
        if node_role(conn) == LAPTOP:
            mine = store_sync.have(conn)
            base = received.header.get("base") or {}
            for node, seq in (received.header.get("covers") or {}).items():
                if mine.get(node, 0) >= int(base.get(node, 0)):
                    store_sync.extend_cover(conn, node, int(seq))
        values: dict[str, Any] = {
            "have": json.dumps(received.header.get("have") or {}),
            "last_received_at": now,
            "node_id": peer["node_id"],
        }
        store_sync.update_peer(conn, peer["name"], **values)
        # A merge only adds conflicts: a person's resolution is what removes one.
        raised = merge.count_open_conflicts(conn) - before
    # Kept, but said: a sender whose clock runs fast dates its work ahead of everyone else's.
    ahead = [row["at"] for row in new if (row["at"] - now).total_seconds() > AHEAD_SECONDS]
    return {
        "from": peer["name"],
        "events": len(rows),
        "new": len(new),
        "entities": len(folded),
        "conflicts": raised,
        "ahead": len(ahead),
        "ahead_until": max(ahead, default=None),
    }


def import_bundle(ctx: Context, *, source: Path) -> dict[str, Any]:
    """Apply a bundle written by the peer; whole, or nothing at all."""
    data = bundle.read_file(source)
    return _receive(ctx.db, data, source=str(source), now=ctx.now())


def sync_with_center(ctx: Context, *, url: str | None = None) -> dict[str, Any]:
    """Exchange with the center's database directly, both ways, through the bundle code."""
    with ctx.db.read() as conn:
        if node_role(conn) != LAPTOP:
            raise NotAllowed(
                _("sync: this database is the center; laptops sync with it (xhsvc sync node list)")
            )
        peer = store_sync.peer(conn, CENTER_PEER)
        assert peer is not None
        name = store_sync.meta_value(conn, "sync_name")
    target = url or peer["url"]
    if not target:
        raise InvalidInput(_("--center: no center URL known; give --center URL (or use sync export/import)"))
    center = store_db.open_database(target)
    try:
        if center.node_id != peer["node_id"]:
            raise NotAllowed(
                _("--center: {url} is not this laptop's center (node {node})").format(
                    url=target, node=center.node_id
                )
            )
        now = ctx.now()
        with ctx.db.write() as conn:
            mine = store_sync.peer(conn, CENTER_PEER)
            assert mine is not None
            with center.read() as remote:
                # Asking the center what it holds saves sending what it has.
                store_sync.update_peer(conn, CENTER_PEER, have=json.dumps(store_sync.have(remote)))
                mine = store_sync.peer(conn, CENTER_PEER)
            assert mine is not None
            up, sent = _build(conn, ctx.db, mine, now)
        pushed = _receive(center, up, source=_("sync (to the center)"), now=now)
        with center.write() as remote:
            registration = store_sync.peer(remote, str(name))
            assert registration is not None
            down = _build(remote, center, registration, now)[0]
        pulled = _receive(ctx.db, down, source=_("sync (from the center)"), now=now)
        if url and url != peer["url"]:
            with ctx.db.write() as conn:
                store_sync.update_peer(conn, CENTER_PEER, url=url)
    finally:
        center.dispose()
    return {
        "sent": sent,
        "received": pulled["new"],
        "conflicts": pulled["conflicts"] + pushed["conflicts"],
        "ahead": pushed["ahead"] + pulled["ahead"],
        "center": center.node_id,
    }


def sync_summary(conn: Connection, node_id: str) -> dict[str, Any]:
    """What the dashboard's status line says: on a laptop the changes waiting to be sent and the
    last sync; anywhere the conflicts waiting for a person."""
    summary: dict[str, Any] = {"role": node_role(conn), "open_conflicts": merge.count_open_conflicts(conn)}
    if summary["role"] == LAPTOP:
        center = store_sync.peer(conn, CENTER_PEER)
        assert center is not None
        known = json.loads(center["have"] or "{}")
        summary.update(
            waiting=store_sync.count_beyond(conn, known, node_id), last_sync_at=center["last_received_at"]
        )
    return summary


def sync_status(ctx: Context) -> dict[str, Any]:
    with ctx.reading() as tx:
        conn = tx.conn
        role = node_role(conn)
        peers = store_sync.peers(conn)
        status: dict[str, Any] = {
            "node": ctx.db.node_id,
            "role": role,
            "prefix": ctx.db.prefix,
            "open_conflicts": merge.count_open_conflicts(conn),
        }
        if role == LAPTOP:
            center = next(p for p in peers if p["name"] == CENTER_PEER)
            known = json.loads(center["have"] or "{}")
            status.update(
                name=store_sync.meta_value(conn, "sync_name"),
                person=store_sync.meta_value(conn, "sync_person"),
                center=center["node_id"],
                url=center["url"],
                waiting=store_sync.count_beyond(conn, known, ctx.db.node_id),
                last_sync_at=center["last_received_at"],
                last_sent_at=center["last_sent_at"],
            )
        else:
            status["nodes"] = len([p for p in peers if p["role"] == LAPTOP])
            status["last_sync_at"] = max(
                (p["last_received_at"] for p in peers if p["last_received_at"]), default=None
            )
        return status


# Conflicts ---------------------------------------------------------------------------------------


def _conflict_views(conn: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    winners = store_sync.steps_of(conn, [row["winner_event"] for row in rows])
    keys = queries.ticket_keys(conn, [row["ticket_id"] for row in rows if row["ticket_id"]])
    views = []
    for row in rows:
        winner = winners.get(row["winner_event"], {})
        views.append(
            {
                "id": row["id"],
                "ticket": keys.get(row["ticket_id"] or ""),
                "entity": row["entity"],
                "entity_id": row["entity_id"],
                "field": row["field"],
                "kind": row["kind"],
                # Stored in English (store/merge.py RULE_TEXT), shown in the interface's language.
                "rule": _(row["rule"]) if row["rule"] else row["rule"],
                "kept": json.loads(row["winner_value"]) if row["winner_value"] else None,
                "kept_by": winner.get("actor"),
                "kept_step": winner.get("kind"),
                "lost": json.loads(row["loser_value"]) if row["loser_value"] else None,
                "lost_by": row["loser_actor"],
                "lost_step": row["loser_kind"],
                "lost_at": row["loser_at"],
                "lost_node": row["loser_node"],
                "resolved_by": row["resolved_by"],
                "resolved_at": row["resolved_at"],
            }
        )
    return views


def list_conflicts(
    ctx: Context, *, ticket: str | None = None, resolved: bool = False
) -> list[dict[str, Any]]:
    """Conflicts the merge kept: open ones (with `resolved`, all)."""
    with ctx.reading() as tx:
        ticket_id = None
        if ticket is not None:
            found = queries.get_ticket(tx.conn, ticket)
            if found is None:
                raise NotFound(_("ticket {key!r} not found").format(key=ticket))
            ticket_id = found.id
        rows = merge.conflict_rows(tx.conn, open_only=not resolved, ticket_id=ticket_id)
        return _conflict_views(tx.conn, rows)


def conflicts_of_ticket(conn: Connection, ticket_id: str) -> list[dict[str, Any]]:
    return _conflict_views(conn, merge.conflict_rows(conn, ticket_id=ticket_id))


def _find_conflict(conn: Connection, text: str) -> dict[str, Any]:
    wanted = text.strip()
    if len(wanted) < 6:
        raise InvalidInput(_("conflict: give at least 6 characters of its ID (xhsvc sync conflicts)"))
    matches = [c for c in merge.conflict_rows(conn, open_only=False) if c["id"].startswith(wanted)]
    if not matches:
        raise NotFound(_("conflict {conflict!r} not found (xhsvc sync conflicts)").format(conflict=wanted))
    if len(matches) > 1:
        raise InvalidInput(
            ngettext(
                "conflict {conflict!r} is ambiguous: {count} conflict starts with it; give more",
                "conflict {conflict!r} is ambiguous: {count} conflicts start with it; give more",
                len(matches),
            ).format(conflict=wanted, count=len(matches))
        )
    return matches[0]


def resolve_conflict(ctx: Context, *, conflict: str, take: str, note: str | None = None) -> dict[str, Any]:
    """A person settles a conflict: keep what won (`kept`) or, for values, put back what lost
    (`lost`). The values one step lost together (impact, urgency and the priority they give)
    are settled together.

    A lost step of the flow is not replayed: the person does what is still needed with the
    ticket's own commands, and marks the conflict settled here."""
    if take not in ("kept", "lost"):
        raise InvalidInput(_("--take {take!r}: must be kept or lost").format(take=take))
    with ctx.writing() as tx:
        me = tx.me()
        row = _find_conflict(tx.conn, conflict)
        if row["resolved_event"] is not None:
            raise Conflict(
                _("conflict {conflict} was already resolved by {handle}").format(
                    conflict=row["id"], handle=row["resolved_by"]
                )
            )
        if me.role not in ("agent", "manager", "admin") and me.handle != row["loser_actor"]:
            raise NotAllowed(
                _("sync resolve: a {role} may resolve only conflicts of their own work").format(role=me.role)
            )
        if take == "lost" and row["kind"] == "flow":
            raise InvalidInput(
                _(
                    "--take lost: a lost step of the flow is not replayed; do it again with the ticket's "
                    "commands, then resolve with --take kept"
                )
            )
        # What one step lost (its values), or what one race lost (its steps), is settled at once.
        same = "winner_event" if row["kind"] == "flow" else "loser_event"
        group = [c for c in merge.conflict_rows(tx.conn) if c[same] == row[same] and c["kind"] == row["kind"]]
        values = {c["field"]: json.loads(c["loser_value"]) for c in group}
        payload: dict[str, Any] = {"resolves": sorted(c["id"] for c in group)}
        if take == "lost":
            if row["entity"] == "ticket" and {"impact", "urgency", "priority"} & set(values):
                # Priority follows impact and urgency, and the clocks follow priority: the ticket's
                # own rule puts them back, not a bare copy of the fields.
                from xhsvc.core import tickets

                ticket = queries.get_ticket(tx.conn, row["entity_id"])
                assert ticket is not None
                impact = int(values.pop("impact", ticket.impact))
                urgency = int(values.pop("urgency", ticket.urgency))
                values.pop("priority", None)
                if (impact, urgency) != (ticket.impact, ticket.urgency):
                    tickets.set_priority(tx, ctx, ticket, impact=impact, urgency=urgency, why=note)
            if values:
                payload["set"] = values
        fields = ", ".join(sorted(c["field"] for c in group))
        sentence = {
            ("lost", False): N_("conflict on {fields} resolved: keeps the values that lost"),
            ("lost", True): N_("conflict on {fields} resolved: keeps the values that lost ({note})"),
            ("won", False): N_("conflict on {fields} resolved: keeps the values that won"),
            ("won", True): N_("conflict on {fields} resolved: keeps the values that won ({note})"),
        }[("lost" if take == "lost" else "won", bool(note))]
        payload.update(said(sentence, fields=fields, note=note or ""))
        events.append(
            tx.conn,
            tx.origin,
            entity=row["entity"],
            entity_id=row["entity_id"],
            ticket_id=row["ticket_id"],
            kind=f"{row['entity']}.conflict_resolved",
            payload=payload,
        )
        merge.refold(tx.conn, [row["entity_id"]])
        return {"id": row["id"], "fields": sorted(c["field"] for c in group), "take": take, "by": me.handle}
