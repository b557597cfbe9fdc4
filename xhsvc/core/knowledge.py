"""Knowledge notes: what an engineer learnt on a case (the symptom, its cause, the fix, for a
model and firmware), kept so that the next engineer with the same trouble finds it.

A note is written on its own or on closing a ticket (then linked to it, its model and firmware
taken from the ticket's system unless given). It is one event in the log like any other change,
so a laptop writes notes offline and every node holds all of them (they are few and anyone may
need any). It is only ever added: a better note is written anew.

`search_notes` finds a note by any part of its texts, Chinese too (two characters such as 掉盘
are enough); `suggest_notes` offers the notes alike to a ticket's title and description, those
of the ticket's model first.
"""

from __future__ import annotations

import re
from typing import Any

from xhsvc.core.context import Context
from xhsvc.core.listing import Listing
from xhsvc.core.said import said
from xhsvc.core.text import MULTI_LINE, clean_text
from xhsvc.errors import InvalidInput, NotAllowed, NotFound
from xhsvc.i18n import N_, _
from xhsvc.store import events, knowledge_queries, queries, search
from xhsvc.store.ids import new_id

# Who writes notes: the people who fix things, and those who run them. Everyone reads them.
WRITERS = ("engineer", "expert", "manager", "admin")
# Texts: a symptom, cause and fix may have lines of their own; a model and firmware are one line.
MODEL_LIMIT = 100
FIRMWARE_LIMIT = 64
# What a search shows by default, and what a ticket or the intake form suggests.
SEARCH_LIMIT = 20
LIST_LIMIT = 200
SUGGESTIONS = 3
# As much of a ticket's description as is compared with the notes (its title comes first).
SUGGEST_TEXT = 500
# A note's key: XH-KB00001 (the node's prefix keeps a laptop's keys apart from the center's).
_KEY = re.compile(r"[A-Z0-9]+-KB\d+")


def _view(row: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in row.items() if name not in ("id", "ticket_id")}


def _texts(
    *,
    symptom: str | None,
    cause: str | None,
    fix: str | None,
    model: str | None,
    firmware: str | None,
    whole: bool = True,
) -> dict[str, str | None]:
    """The note's texts as the shared rules take them (README: Text); refused naming the field.
    Not `whole`: the symptom and fix may still be missing (they are asked for later)."""
    return {
        "symptom": clean_text(symptom, "symptom", required=whole, limit=MULTI_LINE, multiline=True),
        "cause": clean_text(cause, "cause", limit=MULTI_LINE, multiline=True),
        "fix": clean_text(fix, "fix", required=whole, limit=MULTI_LINE, multiline=True),
        "model": clean_text(model, "model", limit=MODEL_LIMIT),
        "firmware": clean_text(firmware, "firmware", limit=FIRMWARE_LIMIT),
    }


def _writer(me: Any) -> None:
    if me.role not in WRITERS:
        raise NotAllowed(
            _("kb add: only {roles} may write knowledge notes; {handle} is {role}").format(
                roles=_(" or ").join(WRITERS), handle=me.handle, role=me.role
            )
        )


def check_note(
    ctx: Context,
    *,
    symptom: str | None,
    fix: str | None,
    cause: str | None = None,
    model: str | None = None,
    firmware: str | None = None,
    whole: bool = True,
) -> None:
    """Refuse now what `add_note` would refuse (bad text, a person who may not write notes),
    before anything else is done: `ticket close` checks its note before closing. Not `whole`:
    the texts given so far (the rest is asked for later)."""
    _texts(symptom=symptom, cause=cause, fix=fix, model=model, firmware=firmware, whole=whole)
    with ctx.reading() as tx:
        _writer(tx.me())


def add_note(
    ctx: Context,
    *,
    symptom: str | None,
    fix: str | None,
    cause: str | None = None,
    ticket: str | None = None,
    model: str | None = None,
    firmware: str | None = None,
) -> dict[str, Any]:
    """Write a knowledge note as the acting person (engineers, experts, managers, admins). On a
    ticket (any but a cancelled one), its model and firmware are the ticket's system's unless
    given. Symptom and fix are required, the cause may be unknown. Returns the note as
    `show_note` shows it."""
    texts = _texts(symptom=symptom, cause=cause, fix=fix, model=model, firmware=firmware)
    with ctx.writing() as tx:
        me = tx.me()
        _writer(me)
        on_ticket = None
        if ticket is not None:
            on_ticket = queries.get_ticket(tx.conn, ticket.strip())
            if on_ticket is None:
                raise NotFound(_("ticket {key!r} not found").format(key=ticket))
            if on_ticket.status == "cancelled":
                raise NotAllowed(
                    _("kb add: {key} is cancelled; write the note without --ticket").format(key=on_ticket.key)
                )
            asset = queries.get_asset(tx.conn, on_ticket.asset_id) if on_ticket.asset_id else None
            if asset is not None:
                texts["model"] = texts["model"] or asset.model
                texts["firmware"] = texts["firmware"] or asset.firmware
        number = events.bump_counter(tx.conn, f"knowledge:{ctx.db.prefix}")
        key = f"{ctx.db.prefix}-KB{number:05d}"
        note_id = new_id()
        events.append(
            tx.conn,
            tx.origin,
            entity="knowledge_note",
            entity_id=note_id,
            ticket_id=on_ticket.id if on_ticket else None,
            kind="knowledge_note.added",
            payload={
                "create": {
                    "key": key,
                    "ticket_id": on_ticket.id if on_ticket else None,
                    "ticket_key": on_ticket.key if on_ticket else None,
                    **texts,
                    "author_id": me.id,
                    "created_at": tx.now,
                },
                **said(N_("knowledge note {key} written by {person}"), key=key, person=me.handle),
            },
        )
        row = knowledge_queries.note_by_key(tx.conn, key)
        assert row is not None
        return _view(row)


def show_note(ctx: Context, *, key: str) -> dict[str, Any]:
    """One note by its key (XH-KB00001, in any case)."""
    wanted = key.strip().upper()
    with ctx.reading() as tx:
        row = knowledge_queries.note_by_key(tx.conn, wanted) if _KEY.fullmatch(wanted) else None
    if row is None:
        raise NotFound(_("knowledge note {key!r} not found (xhsvc kb list)").format(key=key))
    return _view(row)


def _limit(limit: int) -> int | None:
    if limit < 0:
        raise InvalidInput(_("--limit {limit}: must be 0 (all) or more").format(limit=limit))
    return limit or None


def list_notes(
    ctx: Context, *, model: str | None = None, ticket: str | None = None, limit: int = LIST_LIMIT
) -> Listing:
    """Notes, newest first: all, of a model (XS-5000 and xs5000 are one model), or of a ticket."""
    most = _limit(limit)
    with ctx.reading() as tx:
        ticket_id = None
        if ticket is not None:
            found = queries.get_ticket(tx.conn, ticket.strip())
            if found is None:
                raise NotFound(_("ticket {key!r} not found").format(key=ticket))
            ticket_id = found.id
        rows = knowledge_queries.notes(tx.conn, ticket_id=ticket_id, model=model, limit=most)
        total = knowledge_queries.count_notes(tx.conn, ticket_id=ticket_id, model=model)
    return Listing([_view(row) for row in rows], total)


def search_notes(
    ctx: Context, *, text: str, model: str | None = None, limit: int = SEARCH_LIMIT
) -> list[dict[str, Any]]:
    """Notes whose symptom, cause, fix, model or firmware hold every word of `text` (any part of
    a word: 掉盘 finds 硬盘频繁掉盘; case, spaces and punctuation aside), best first: a match in
    the symptom before one in the model, the cause, the fix; then the newest. `model` keeps the
    notes of that model only."""
    wanted = clean_text(text, "text", required=True)
    assert wanted is not None
    if not search.runs(wanted):
        raise InvalidInput(_("text {text!r}: give letters or digits to look for").format(text=text))
    most = _limit(limit) or 10_000
    with ctx.reading() as tx:
        ids = search.matching_notes(tx.conn, wanted, model=model, limit=most)
        return [_view(row) for row in knowledge_queries.notes_by_id(tx.conn, ids)]


def _suggested(
    conn: Any, *, model: str | None, text: str, limit: int, skip_ticket: str | None = None
) -> list[dict[str, Any]]:
    found = search.similar_notes(conn, text, model=model)
    ranks = {note_id: rank for note_id, _score, rank in found}
    rows = knowledge_queries.notes_by_id(conn, [note_id for note_id, _score, _rank in found])
    rows = [row for row in rows if skip_ticket is None or row["ticket_id"] != skip_ticket][:limit]
    return [{**_view(row), "same_model": ranks[row["id"]] == 0} for row in rows]


def suggest_notes(
    ctx: Context, *, model: str | None, text: str | None, limit: int = SUGGESTIONS
) -> list[dict[str, Any]]:
    """The notes most alike to what a caller reports (a ticket's title and description): those
    sharing its words (its Chinese pair by pair, its Latin words and numbers whole; the commonest
    words of the desk aside), those of `model` first, then notes of no model, then of others.
    `same_model` says which. Nothing for a text with no words to compare."""
    if not text or not text.strip():
        return []
    with ctx.reading() as tx:
        return _suggested(tx.conn, model=model, text=text[: SUGGEST_TEXT * 2], limit=limit)


def ticket_knowledge(ctx: Context, *, key: str, limit: int = SUGGESTIONS) -> dict[str, Any]:
    """For a ticket: the notes written on it, and up to `limit` others alike to its title and
    description (its system's model first)."""
    with ctx.reading() as tx:
        ticket = queries.get_ticket(tx.conn, key.strip())
        if ticket is None:
            raise NotFound(_("ticket {key!r} not found").format(key=key))
        asset = queries.get_asset(tx.conn, ticket.asset_id) if ticket.asset_id else None
        own = knowledge_queries.notes(tx.conn, ticket_id=ticket.id)
        text = f"{ticket.title}\n{(ticket.description or '')[:SUGGEST_TEXT]}"
        suggested = _suggested(
            tx.conn, model=asset.model if asset else None, text=text, limit=limit, skip_ticket=ticket.id
        )
    return {"notes": [_view(row) for row in own], "suggested": suggested}


def suggest_for_call(
    ctx: Context, *, asset: str | None, text: str | None, limit: int = SUGGESTIONS
) -> list[dict[str, Any]]:
    """`suggest_notes` for a call being taken: the model is the system's the caller named (by its
    serial), if any."""
    if not text or not text.strip():
        return []
    with ctx.reading() as tx:
        system = queries.get_asset(tx.conn, asset) if asset else None
        return _suggested(
            tx.conn, model=system.model if system else None, text=text[: SUGGEST_TEXT * 2], limit=limit
        )


def may_write(ctx: Context) -> bool:
    """Whether the acting person writes notes (an interface offers to only then)."""
    with ctx.reading() as tx:
        return tx.actor is not None and tx.actor.role in WRITERS
