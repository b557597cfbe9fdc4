"""Reads of the knowledge notes: a note with its author, by key, by ticket, by model, or the
notes a search found, in the order it found them. Plain SQLAlchemy Core, portable."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, func, select

from xhsvc.store import queries, tables
from xhsvc.store.search import NOTE_SEARCH, model_key

NOTE = tables.KnowledgeNote.__table__
PERSON = tables.Person.__table__
CHUNK = 500

_COLUMNS = (
    NOTE.c.id,
    NOTE.c.key,
    NOTE.c.ticket_id,
    NOTE.c.ticket_key.label("ticket"),
    NOTE.c.symptom,
    NOTE.c.cause,
    NOTE.c.fix,
    NOTE.c.model,
    NOTE.c.firmware,
    PERSON.c.handle.label("author"),
    PERSON.c.name.label("author_name"),
    NOTE.c.created_at,
)
_FROM = NOTE.join(PERSON, PERSON.c.id == NOTE.c.author_id)


def _filtered(stmt: Any, *, ticket_id: str | None, model: str | None) -> Any:
    if ticket_id is not None:
        stmt = stmt.where(NOTE.c.ticket_id == ticket_id)
    if model is not None:
        stmt = stmt.where(
            NOTE.c.id.in_(select(NOTE_SEARCH.c.note_id).where(NOTE_SEARCH.c.model_key == model_key(model)))
        )
    return stmt


def note_by_key(conn: Connection, key: str) -> dict[str, Any] | None:
    row = conn.execute(select(*_COLUMNS).select_from(_FROM).where(NOTE.c.key == key)).mappings().first()
    return dict(row) if row else None


def notes(
    conn: Connection, *, ticket_id: str | None = None, model: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Notes, newest first: of a ticket, of a model (as models compare: XS-5000 = xs5000)."""
    stmt = _filtered(select(*_COLUMNS).select_from(_FROM), ticket_id=ticket_id, model=model)
    stmt = stmt.order_by(NOTE.c.created_at.desc(), NOTE.c.id.desc())
    if limit:
        stmt = stmt.limit(limit)
    return [dict(row) for row in conn.execute(stmt).mappings()]


def count_notes(conn: Connection, *, ticket_id: str | None = None, model: str | None = None) -> int:
    stmt = _filtered(select(func.count()).select_from(NOTE), ticket_id=ticket_id, model=model)
    return conn.execute(stmt).scalar_one()


def notes_by_id(conn: Connection, note_ids: Sequence[str]) -> list[dict[str, Any]]:
    """These notes, in the order of `note_ids` (a search's order)."""
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(note_ids), CHUNK):
        chunk = list(note_ids[start : start + CHUNK])
        stmt = select(*_COLUMNS).select_from(_FROM).where(NOTE.c.id.in_(chunk))
        found.update((row["id"], dict(row)) for row in conn.execute(stmt).mappings())
    return [found[i] for i in note_ids if i in found]


def note_keys_starting(conn: Connection, prefix: str, *, limit: int) -> list[str]:
    return list(conn.execute(queries.starting(NOTE.c.key, prefix, limit)).scalars())
