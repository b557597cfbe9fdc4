"""Parts replaced while working a ticket: a failed disk, a controller, a battery. Which part (the
vendor's part number), how many, the serials taken out and put in, who and when.

Like a work-log entry, a replacement is one event in the log (it syncs from a laptop offline) and
is only ever added; the service report lists them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from xhsvc.core.context import Context
from xhsvc.core.customers import SERIAL_PATTERN, text_value
from xhsvc.core.said import said
from xhsvc.core.text import MULTI_LINE, clean_text
from xhsvc.core.tickets import _require_status
from xhsvc.core.worklogs import LOGGERS, work_time
from xhsvc.errors import InvalidInput, NotAllowed, NotFound
from xhsvc.i18n import N_, _
from xhsvc.store import events, queries, worklog_queries
from xhsvc.store.ids import new_id

# A replacement is a handful of parts at once (a shelf of disks at most).
MAX_QUANTITY = 100


def _serial(value: str | None, name: str) -> str | None:
    serial = text_value(value, name, limit=64)
    if serial is None:
        return None
    serial = serial.upper()
    if not SERIAL_PATTERN.match(serial):
        raise InvalidInput(
            _("{field} {serial!r}: 3-64 letters, digits, '.', '_', '/' or '-'").format(
                field=name, serial=serial
            )
        )
    return serial


def record_part(
    ctx: Context,
    *,
    key: str,
    part: str,
    quantity: int = 1,
    description: str | None = None,
    removed: str | None = None,
    installed: str | None = None,
    at: str | datetime | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """Record a part replaced on ticket `key` by the acting person (engineers, experts, managers,
    admins), on a ticket being worked or resolved; returns the replacement as `list_parts` shows it."""
    number = (text_value(part, "part", required=True, limit=64) or "").upper()
    if not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidInput(_("quantity: from 1 to {most}").format(most=MAX_QUANTITY))
    words = text_value(description, "description", limit=200)
    out, into = _serial(removed, "removed"), _serial(installed, "installed")
    if out is not None and out == into:
        raise InvalidInput(_("installed {serial!r}: is the serial of the part removed").format(serial=into))
    text = clean_text(note, "note", required=False, limit=MULTI_LINE, multiline=True)
    with ctx.writing() as tx:
        me = tx.me()
        if me.role not in LOGGERS:
            raise NotAllowed(
                _("part: only {roles} may record parts; {handle} is {role}").format(
                    roles=_(" or ").join(LOGGERS), handle=me.handle, role=me.role
                )
            )
        ticket = queries.get_ticket(tx.conn, key, for_update=True)
        if ticket is None:
            raise NotFound(_("ticket {key!r} not found").format(key=key))
        _require_status(ticket, ("in_progress", "waiting_customer", "resolved"), "part")
        when = work_time(ctx, at, tx.now)
        part_id = new_id()
        events.append(
            tx.conn,
            tx.origin,
            entity="part_replacement",
            entity_id=part_id,
            ticket_id=ticket.id,
            kind="part_replacement.recorded",
            payload={
                "create": {
                    "ticket_id": ticket.id,
                    "person_id": me.id,
                    "part_number": number,
                    "description": words,
                    "quantity": quantity,
                    "removed_serial": out,
                    "installed_serial": into,
                    "replaced_at": when,
                    "note": text,
                    "created_at": tx.now,
                },
                **(
                    said(
                        N_("{quantity} x {part} replaced by {person} ({removed} -> {installed})"),
                        quantity=quantity,
                        part=number,
                        person=me.handle,
                        removed=out or "",
                        installed=into or "",
                    )
                    if out or into
                    else said(
                        N_("{quantity} x {part} replaced by {person}"),
                        quantity=quantity,
                        part=number,
                        person=me.handle,
                    )
                ),
            },
        )
        return next(p for p in worklog_queries.parts_of(tx.conn, ticket.id) if p["id"] == part_id)


def list_parts(ctx: Context, *, key: str) -> list[dict[str, Any]]:
    """The parts replaced on ticket `key`, in the order they were replaced."""
    with ctx.reading() as tx:
        ticket = queries.get_ticket(tx.conn, key)
        if ticket is None:
            raise NotFound(_("ticket {key!r} not found").format(key=key))
        return worklog_queries.parts_of(tx.conn, ticket.id)
