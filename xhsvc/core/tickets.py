"""The ticket flow of the service system (seed §三(3)), with its rules.

Every function here is one unit of work: it checks what the flow allows for this ticket, this
person and this moment, then writes events (which project onto the state tables) in a single
transaction. A refused step raises before anything is written. The requests that wait for a
decision are in `approvals`, what is read for display in `ticket_views`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from xhsvc.core import dispatch, sla
from xhsvc.core.catalog import CONSULTATION, FAULT_SERVICES, SERVICES
from xhsvc.core.clock import parse_instant as parse_typed_instant
from xhsvc.core.context import Context, Tx
from xhsvc.core.contracts import coverage_for, today_of
from xhsvc.core.customers import find_asset, find_customer
from xhsvc.core.said import Said, said
from xhsvc.core.text import MULTI_LINE, ONE_LINE, REPORT, TITLE, clean_text, one_of
from xhsvc.errors import Conflict, InvalidInput, NotAllowed, NotFound
from xhsvc.i18n import N_, _
from xhsvc.store import events, queries
from xhsvc.store.ids import new_id
from xhsvc.store.tables import Asset, Customer, Person, Ticket

STATUSES = ("new", "assigned", "in_progress", "waiting_customer", "resolved", "closed", "cancelled")
# Not yet resolved: work is still owed.
ACTIVE = ("new", "assigned", "in_progress", "waiting_customer")
OPEN = (*ACTIVE, "resolved")

CHANNELS = ("hotline", "direct", "email", "other")
MAX_TITLE = TITLE
# The columns' own limits.
CONTACT_LIMIT = 200
CONFIRMED_BY_LIMIT = 200


@dataclass(frozen=True)
class Opened:
    ticket: Ticket
    notified: list[str]


# Helpers ---------------------------------------------------------------------------------------


def _load(tx: Tx, key: str) -> Ticket:
    ticket = queries.get_ticket(tx.conn, key, for_update=True)
    if ticket is None:
        raise NotFound(_("ticket {key!r} not found").format(key=key))
    return ticket


def _require_status(ticket: Ticket, allowed: Iterable[str], action: str) -> None:
    allowed = tuple(allowed)
    if ticket.status not in allowed:
        raise NotAllowed(
            _("{action}: ticket {key} is {status}; allowed only when {allowed}").format(
                action=action, key=ticket.key, status=ticket.status, allowed=_(" or ").join(allowed)
            )
        )


def _require_role(
    actor: Person, roles: Iterable[str], action: str, *, or_assignee_of: Ticket | None = None
) -> None:
    roles = tuple(roles)
    if actor.role in roles:
        return
    if or_assignee_of is not None and or_assignee_of.assignee_id == actor.id:
        return
    message = (
        _("{action}: only {roles} or the ticket's assignee may do this; {handle} is {role}")
        if or_assignee_of is not None
        else _("{action}: only {roles} may do this; {handle} is {role}")
    )
    raise NotAllowed(
        message.format(action=action, roles=_(" or ").join(roles), handle=actor.handle, role=actor.role)
    )


def _text(
    value: str | None,
    field: str,
    *,
    required: bool = True,
    limit: int = ONE_LINE,
    multiline: bool = False,
) -> str | None:
    """A one-line text (titles, reasons, names) or, with `multiline`, a block (descriptions,
    notes, comments, reports): the shared rule of `xhsvc.core.text`."""
    return clean_text(value, field, required=required, limit=limit, multiline=multiline)


def _note(value: str | None, field: str = "note") -> str | None:
    """An optional note on a step: a multi-line text."""
    return _text(value, field, required=False, limit=MULTI_LINE, multiline=True)


def _level(value: int, field: str) -> int:
    if not isinstance(value, int) or not 1 <= value <= 4:
        raise InvalidInput(
            _("{field} {value!r}: must be 1 (highest) to 4 (lowest)").format(field=field, value=value)
        )
    return value


def parse_instant(ctx: Context, text: str, field: str) -> datetime:
    """A moment as typed ('2026-11-20 14:05', '08:40', '昨天 16:30', '2h ago'), read in the desk's
    time zone and relative to its clock (see clock.parse_instant)."""
    return parse_typed_instant(text, field=field, tz_name=ctx.settings.timezone, now=ctx.now())


def priority_for(ctx: Context, *, impact: int, urgency: int) -> str:
    """P1..P4 from the configured ITIL impact x urgency matrix."""
    return f"P{ctx.settings.priority_matrix[_level(impact, 'impact') - 1][_level(urgency, 'urgency') - 1]}"


def _opened_sentence(*, major: bool, covered: bool) -> str:
    if major:
        if covered:
            return N_("opened via {channel} for {customer}: {title} ({priority}, major incident)")
        return N_(
            "opened via {channel} for {customer}: {title} ({priority}, major incident, out of contract)"
        )
    if covered:
        return N_("opened via {channel} for {customer}: {title} ({priority})")
    return N_("opened via {channel} for {customer}: {title} ({priority}, out of contract)")


def record_change(
    tx: Tx, ticket: Ticket, kind: str, changes: dict[str, Any], summary: str | Said, **extra: Any
) -> None:
    change = ticket_change(tx, ticket, kind, changes, summary, **extra)
    events.append(
        tx.conn,
        tx.origin,
        entity=change.entity,
        entity_id=change.entity_id,
        ticket_id=change.ticket_id,
        kind=change.kind,
        payload=change.payload,
    )
    # Any change may make a rule match or a clock move: the next sweep looks at the ticket again.
    events.schedule_check(tx.conn, ticket.id, tx.now if ticket.status in ACTIVE else None)


def ticket_change(
    tx: Tx, ticket: Ticket, kind: str, changes: dict[str, Any], summary: str | Said, **extra: Any
) -> events.Change:
    """The event of a change to the ticket, made to `ticket` itself at once (for callers that
    append it later, with others: the sweep). `summary` is a sentence made by `said`, or text a
    person wrote (a note, a resolution), kept as written."""
    changes = {**changes, "updated_at": tx.now}
    for name, value in changes.items():
        setattr(ticket, name, value)
    return events.Change(
        entity="ticket",
        entity_id=ticket.id,
        ticket_id=ticket.id,
        kind=f"ticket.{kind}",
        payload={"set": changes, **(summary if isinstance(summary, dict) else {"summary": summary}), **extra},
    )


def notify_people(
    tx: Tx, recipients: Iterable[Person], *, reason: str, ticket: Ticket, message: str
) -> list[str]:
    """Queue a message in the outbox for each recipient (never the actor themself)."""
    changes, sent = notices(tx, recipients, reason=reason, ticket=ticket, message=message)
    events.append_many(tx.conn, tx.origin, changes)
    return sent


def notices(
    tx: Tx, recipients: Iterable[Person], *, reason: str, ticket: Ticket, message: str
) -> tuple[list[events.Change], list[str]]:
    """The outbox events `notify_people` appends, and the handles they go to."""
    changes: list[events.Change] = []
    sent: list[str] = []
    seen: set[str] = set()
    for person in recipients:
        if person.id in seen or (tx.actor is not None and person.id == tx.actor.id) or not person.active:
            continue
        seen.add(person.id)
        changes.append(
            events.Change(
                entity="notification",
                entity_id=new_id(),
                ticket_id=ticket.id,
                kind="notification.queued",
                payload={
                    "create": {
                        "recipient_id": person.id,
                        "ticket_id": ticket.id,
                        "reason": reason,
                        "message": f"[{ticket.key}] {message}",
                        "state": "pending",
                        "created_at": tx.now,
                        "attempts": 0,
                    },
                    **said(N_("{notice} notice queued for {person}"), notice=reason, person=person.handle),
                },
            )
        )
        sent.append(person.handle)
    return changes, sent


def people_with_role(tx: Tx, role: str) -> list[Person]:
    return queries.list_people(tx.conn, role=role)


def _person(tx: Tx, handle: str, field: str = "person") -> Person:
    person = queries.get_person(tx.conn, handle)
    if person is None:
        raise NotFound(_("{field} {handle!r} not found").format(field=field, handle=handle))
    return person


def _check_assignable(person: Person, tier: str) -> None:
    expected_role = "expert" if tier == "L3" else "engineer"
    if person.role != expected_role or person.tier != tier:
        what = f"{person.role} {person.tier}" if person.tier else person.role
        raise NotAllowed(
            _("assignee {handle}: a {tier} ticket goes to a {tier} {role}, and {handle} is {actual}").format(
                handle=person.handle, tier=tier, role=expected_role, actual=what
            )
        )
    if not person.active:
        raise NotAllowed(_("assignee {handle}: no longer active").format(handle=person.handle))


def _check_not_major(service: str, impact: int, major: bool, action: str) -> None:
    """A consultation is never a major incident: nothing is broken. Impact 1 (or --major) on one
    is refused, not lowered, so that a caller whose business is down gets a fault ticket."""
    if service == CONSULTATION and (impact == 1 or major):
        raise InvalidInput(
            _(
                "{action}: a technical consultation is never a major incident (impact 2 to 4); "
                "if something is broken, open a fault ticket (--service remote or onsite)"
            ).format(action=action)
        )


# Opening ---------------------------------------------------------------------------------------


def open_ticket(
    ctx: Context,
    *,
    customer: str,
    title: str,
    description: str | None = None,
    impact: int = 3,
    urgency: int = 3,
    service: str = "remote",
    channel: str = "hotline",
    contact: str | None = None,
    major: bool = False,
    asset: str | None = None,
    reported_at: datetime | None = None,
) -> Opened:
    """Record a call (seed step 1). Impact 1 makes a major incident: every manager is told at once.

    A technical consultation (service `consultation`) is a question, not a fault: it is never
    major, is answered remotely (`answer_ticket`) and closes without the customer's confirmation.

    An engineer who takes a direct call records it and owns it; the agents are told so the desk
    knows of it. A call recorded late gives `reported_at`: its SLA clocks start then.
    """
    title = _text(title, "title", limit=MAX_TITLE) or ""
    # Checked here, before the transaction, so that a bad call writes nothing.
    _text(description, "description", required=False, limit=MULTI_LINE, multiline=True)
    _text(contact, "contact", required=False, limit=CONTACT_LIMIT)
    service = one_of(service, SERVICES, "service")
    channel = one_of(channel, CHANNELS, "channel")
    priority_for(ctx, impact=impact, urgency=urgency)
    _check_not_major(service, impact, major, "open")
    with ctx.writing() as tx:
        called_at = sla.check_reported_at(ctx, reported_at, tx.now) if reported_at else tx.now
        found = find_customer(tx, customer)
        found_asset = find_asset(tx, asset) if asset else None
        if found_asset is not None and found_asset.customer_id != found.id:
            raise InvalidInput(
                _("asset {serial}: belongs to another customer, not {customer}").format(
                    serial=found_asset.serial, customer=found.name
                )
            )
        return create_ticket(
            tx,
            ctx,
            customer=found,
            asset=found_asset,
            title=title,
            description=description,
            impact=impact,
            urgency=urgency,
            service=service,
            channel=channel,
            contact=contact,
            major=major,
            called_at=called_at,
        )


def create_ticket(
    tx: Tx,
    ctx: Context,
    *,
    customer: Customer,
    title: str,
    asset: Asset | None = None,
    site_id: str | None = None,
    description: str | None = None,
    impact: int = 3,
    urgency: int = 3,
    service: str = "remote",
    channel: str = "hotline",
    contact: str | None = None,
    major: bool = False,
    called_at: datetime | None = None,
) -> Opened:
    """Record a ticket inside the caller's transaction (a call, or a visit's follow-up)."""
    me = tx.me()
    found, found_asset = customer, asset
    called_at = called_at or tx.now
    priority = priority_for(ctx, impact=impact, urgency=urgency)
    _check_not_major(service, impact, major, "open")
    is_major = major or impact == 1
    coverage = coverage_for(tx, found, at=today_of(ctx, called_at), asset=found_asset, service=service)
    number = events.bump_counter(tx.conn, f"ticket:{ctx.db.prefix}")
    key = f"{ctx.db.prefix}-{number:06d}"
    engineer_owns = me.role in ("engineer", "expert")
    row: dict[str, Any] = {
        "key": key,
        "title": title,
        "description": _text(description, "description", required=False, limit=MULTI_LINE, multiline=True),
        "status": "assigned" if engineer_owns else "new",
        "tier": me.tier if engineer_owns and me.tier else "L1",
        "impact": impact,
        "urgency": urgency,
        "priority": priority,
        "major": is_major,
        "service": service,
        "channel": channel,
        "contact": _text(contact, "contact", required=False, limit=CONTACT_LIMIT),
        "customer_id": found.id,
        "site_id": found_asset.site_id if found_asset else site_id,
        "asset_id": found_asset.id if found_asset else None,
        "contract_id": coverage.contract_id if coverage.covered else None,
        "coverage": coverage.code,
        "coverage_note": coverage.reason,
        "sla_level": coverage.level if coverage.covered else sla.out_of_contract_level(ctx),
        "reported_at": called_at,
        "sla_cycle": 1,
        "assignee_id": me.id if engineer_owns else None,
        "opened_by_id": me.id,
        "onsite": False,
        "onsite_tier": None,
        "created_at": tx.now,
        "updated_at": tx.now,
        "reopen_count": 0,
    }
    ticket_id = new_id()
    events.append(
        tx.conn,
        tx.origin,
        entity="ticket",
        entity_id=ticket_id,
        ticket_id=ticket_id,
        kind="ticket.opened",
        payload={
            "create": row,
            **said(
                _opened_sentence(major=is_major, covered=coverage.covered),
                channel=channel,
                customer=found.name,
                title=title,
                priority=priority,
            ),
        },
    )
    ticket = Ticket(id=ticket_id, **row)
    if engineer_owns:
        # A partner's engineer takes the calls of the partner's regions only (as in assign_ticket).
        dispatch.require_partner_region(tx, me, ticket)
    events.schedule_check(tx.conn, ticket_id, tx.now)
    sla.start_clock(tx, ticket, "response", at=called_at)
    sla.start_clock(tx, ticket, "resolution", at=called_at)
    notified: list[str] = []
    if is_major:
        notified += notify_people(
            tx,
            people_with_role(tx, "manager"),
            reason="major_incident",
            ticket=ticket,
            message=_("major incident at {customer}: {title} ({priority})").format(
                customer=found.name, title=title, priority=priority
            ),
        )
    if channel == "direct" and engineer_owns:
        notified += notify_people(
            tx,
            people_with_role(tx, "agent"),
            reason="direct_call",
            ticket=ticket,
            message=_("{name} took a direct call from {customer}: {title}").format(
                name=me.name, customer=found.name, title=title
            ),
        )
    return Opened(ticket=ticket, notified=notified)


# Working the ticket -----------------------------------------------------------------------------


def assign_ticket(ctx: Context, *, key: str, assignee: str) -> Ticket:
    """Dispatch a ticket to an engineer of its tier; engineers may take a ticket themselves."""
    with ctx.writing() as tx:
        me = tx.me()
        ticket = _load(tx, key)
        _require_status(ticket, ACTIVE, "assign")
        person = _person(tx, assignee, "assignee")
        if me.role not in ("agent", "manager", "admin") and person.id != me.id:
            raise NotAllowed(
                _("assign: a {role} may only take a ticket themself, not assign it to others").format(
                    role=me.role
                )
            )
        _check_assignable(person, ticket.tier)
        # A partner's engineer works in the partner's regions only.
        dispatch.require_partner_region(tx, person, ticket)
        if ticket.assignee_id == person.id:
            raise Conflict(
                _("assign: {key} is already assigned to {handle}").format(
                    key=ticket.key, handle=person.handle
                )
            )
        status = "assigned" if ticket.status in ("new", "assigned") else ticket.status
        record_change(
            tx,
            ticket,
            "assigned",
            {"assignee_id": person.id, "status": status},
            said(N_("assigned to {person}"), person=person.handle),
        )
        notify_people(
            tx,
            [person],
            reason="assigned",
            ticket=ticket,
            message=_("assigned to you by {who}: {title}").format(who=me.handle, title=ticket.title),
        )
        return ticket


def respond_ticket(ctx: Context, *, key: str, note: str | None = None) -> Ticket:
    """The assignee's first response (seed step 2): the ticket is now being worked."""
    note = _note(note)
    with ctx.writing() as tx:
        me = tx.me()
        ticket = _load(tx, key)
        if ticket.status == "new":
            raise NotAllowed(
                _("respond: ticket {key} has no assignee yet; assign it first").format(key=ticket.key)
            )
        _require_status(ticket, ("assigned",), "respond")
        if ticket.assignee_id != me.id:
            raise NotAllowed(
                _("respond: only the ticket's assignee may respond; {handle} is not").format(handle=me.handle)
            )
        changes: dict[str, Any] = {"status": "in_progress"}
        if ticket.responded_at is None:
            changes["responded_at"] = tx.now
            sla.stop_clock(tx, ticket, "response", at=tx.now)
        record_change(tx, ticket, "responded", changes, note or said(N_("responded")), note=note)
        return ticket


def comment_ticket(ctx: Context, *, key: str, text: str) -> Ticket:
    """A work note on the ticket's history; anyone may add one, at any stage."""
    body = _text(text, "comment", limit=MULTI_LINE, multiline=True) or ""
    with ctx.writing() as tx:
        tx.me()
        ticket = _load(tx, key)
        record_change(tx, ticket, "commented", {}, body, text=body)
        return ticket


def wait_ticket(ctx: Context, *, key: str, reason: str) -> Ticket:
    """Put the ticket on hold while the customer owes something (logs, a window, access)."""
    why = _text(reason, "reason")
    with ctx.writing() as tx:
        me = tx.me()
        ticket = _load(tx, key)
        _require_role(me, ("agent", "manager", "admin"), "wait", or_assignee_of=ticket)
        _require_status(ticket, ("in_progress",), "wait")
        sla.pause_clocks(tx, ticket, at=tx.now)
        record_change(
            tx,
            ticket,
            "waiting",
            {"status": "waiting_customer"},
            said(N_("waiting on the customer: {why}"), why=why),
            reason=why,
        )
        return ticket


def resume_ticket(ctx: Context, *, key: str, note: str | None = None) -> Ticket:
    note = _note(note)
    with ctx.writing() as tx:
        me = tx.me()
        ticket = _load(tx, key)
        _require_role(me, ("agent", "manager", "admin"), "resume", or_assignee_of=ticket)
        _require_status(ticket, ("waiting_customer",), "resume")
        sla.resume_clocks(tx, ticket, at=tx.now)
        record_change(
            tx,
            ticket,
            "resumed",
            {"status": "in_progress"},
            note or said(N_("customer answered; work resumed")),
        )
        return ticket


def arrive_ticket(ctx: Context, *, key: str, note: str | None = None) -> Ticket:
    """The engineer is on site: the on-site arrival target is met (or missed)."""
    note = _note(note)
    with ctx.writing() as tx:
        me = tx.me()
        ticket = _load(tx, key)
        _require_role(me, ("manager", "admin"), "arrive", or_assignee_of=ticket)
        _require_status(ticket, ("assigned", "in_progress", "waiting_customer"), "arrive")
        if not any(c.target == "onsite" for c in sla.running_clocks(tx, ticket)):
            raise NotAllowed(
                _("arrive: {key} has no approved on-site visit waiting for arrival").format(key=ticket.key)
            )
        sla.stop_clock(tx, ticket, "onsite", at=tx.now)
        record_change(
            tx,
            ticket,
            "arrived",
            {},
            note or said(N_("engineer arrived on site")),
            note=note,
        )
        return ticket


def reprioritize_ticket(
    ctx: Context, *, key: str, impact: int | None = None, urgency: int | None = None, reason: str
) -> Ticket:
    """Change impact or urgency; the priority follows and every running clock's due time is worked
    out again from its start."""
    why = _text(reason, "reason")
    with ctx.writing() as tx:
        me = tx.me()
        ticket = _load(tx, key)
        _require_role(me, ("agent", "manager", "admin"), "priority", or_assignee_of=ticket)
        _require_status(ticket, ACTIVE, "priority")
        return set_priority(
            tx, ctx, ticket, impact=impact or ticket.impact, urgency=urgency or ticket.urgency, why=why
        )


def set_priority(
    tx: Tx, ctx: Context, ticket: Ticket, *, impact: int, urgency: int, why: str | None
) -> Ticket:
    priority = priority_for(ctx, impact=impact, urgency=urgency)
    _check_not_major(ticket.service, impact, False, "priority")
    if (impact, urgency) == (ticket.impact, ticket.urgency):
        raise Conflict(
            _("priority: {key} already has impact {impact} and urgency {urgency}").format(
                key=ticket.key, impact=impact, urgency=urgency
            )
        )
    changes: dict[str, Any] = {"impact": impact, "urgency": urgency, "priority": priority}
    became_major = impact == 1 and not ticket.major
    if became_major:
        changes["major"] = True
    record_change(
        tx,
        ticket,
        "reprioritized",
        changes,
        said(
            N_("priority {priority} (impact {impact}, urgency {urgency}): {why}"),
            priority=priority,
            impact=impact,
            urgency=urgency,
            why=why,
        ),
    )
    sla.recompute_clocks(tx, ticket)
    if became_major:
        notify_people(
            tx,
            people_with_role(tx, "manager"),
            reason="major_incident",
            ticket=ticket,
            message=_("now a major incident: {title} ({priority})").format(
                title=ticket.title, priority=priority
            ),
        )
    return ticket


# Resolving and closing ------------------------------------------------------------------------


def resolve_ticket(ctx: Context, *, key: str, resolution: str) -> Ticket:
    """The work is done; the customer confirms next. A consultation's resolution is its answer,
    and it may close at once (no confirmation needed)."""
    text = _text(resolution, "resolution")
    with ctx.writing() as tx:
        ticket = _load(tx, key)
        _resolve(tx, ticket, text or "", "resolve")
        return ticket


def _resolve(tx: Tx, ticket: Ticket, text: str, action: str) -> None:
    me = tx.me()
    _require_role(me, ("manager", "admin"), action, or_assignee_of=ticket)
    _require_status(ticket, ("in_progress", "waiting_customer"), action)
    if queries.pending_approval(tx.conn, ticket.id) is not None:
        message = (
            _("resolve: {key} has a request waiting for a decision; have it decided first")
            if action == "resolve"
            else _("answer: {key} has a request waiting for a decision; have it decided first")
        )
        raise NotAllowed(message.format(key=ticket.key))
    sla.stop_clock(tx, ticket, "resolution", at=tx.now)
    sla.stop_all(tx, ticket, at=tx.now)
    record_change(
        tx,
        ticket,
        "resolved",
        {"status": "resolved", "resolved_at": tx.now, "resolution": text},
        text,
    )


def answer_ticket(ctx: Context, *, key: str, answer: str) -> Ticket:
    """Answer a technical consultation: the answer is its resolution and the record closes at
    once; a consultation needs neither the customer's confirmation nor a service report. Its
    assignee may answer before responding (the answer is then the first response too). If the
    customer comes back on it, `reopen_ticket`."""
    text = _text(answer, "answer", limit=MULTI_LINE, multiline=True) or ""
    with ctx.writing() as tx:
        ticket = _load(tx, key)
        if ticket.service != CONSULTATION:
            raise NotAllowed(
                _(
                    "answer: {key} is not a consultation (service {service}); "
                    "resolve it with ticket resolve, then confirm and close"
                ).format(key=ticket.key, service=ticket.service)
            )
        if ticket.status == "assigned" and ticket.assignee_id == tx.me().id and ticket.responded_at is None:
            # Answered while the customer is still on the line: the answer is the first response too.
            sla.stop_clock(tx, ticket, "response", at=tx.now)
            record_change(
                tx,
                ticket,
                "responded",
                {"status": "in_progress", "responded_at": tx.now},
                said(N_("responded with the answer")),
            )
        _resolve(tx, ticket, text, "answer")
        record_change(
            tx, ticket, "closed", {"status": "closed", "closed_at": tx.now}, said(N_("answered and closed"))
        )
        return ticket


def convert_ticket(ctx: Context, *, key: str, to: str, reason: str) -> Ticket:
    """A consultation that turns out to be a fault becomes one: its service changes (remote,
    onsite or non_product), its coverage is checked again for that service, and its clocks run on
    (due times worked out again if the service level changes). On-site work is then asked for as
    on any fault (`request_onsite`), and a higher impact set with `reprioritize_ticket`."""
    why = _text(reason, "reason")
    to = one_of(to, FAULT_SERVICES, "to")
    with ctx.writing() as tx:
        me = tx.me()
        ticket = _load(tx, key)
        _require_role(me, ("agent", "manager", "admin"), "convert", or_assignee_of=ticket)
        _require_status(ticket, ACTIVE, "convert")
        if ticket.service != CONSULTATION:
            raise NotAllowed(
                _("convert: {key} is already a fault (service {service})").format(
                    key=ticket.key, service=ticket.service
                )
            )
        customer = queries.get_customer(tx.conn, ticket.customer_id)
        asset = queries.get_asset(tx.conn, ticket.asset_id) if ticket.asset_id else None
        assert customer is not None
        coverage = coverage_for(tx, customer, at=today_of(ctx, tx.now), asset=asset, service=to)
        level = coverage.level if coverage.covered else sla.out_of_contract_level(ctx)
        changes: dict[str, Any] = {
            "service": to,
            "contract_id": coverage.contract_id if coverage.covered else None,
            "coverage": coverage.code,
            "coverage_note": coverage.reason,
            "sla_level": level,
        }
        old_level = ticket.sla_level
        record_change(
            tx,
            ticket,
            "converted",
            changes,
            said(N_("consultation turned into a fault ({service}): {why}"), service=to, why=why)
            if coverage.covered
            else said(
                N_("consultation turned into a fault ({service}): {why}; out of contract: {coverage}"),
                service=to,
                why=why,
                coverage=coverage.reason,
            ),
            reason=why,
        )
        if level != old_level:
            sla.recompute_clocks(tx, ticket)
        return ticket


def _reopen_changes(ticket: Ticket) -> dict[str, Any]:
    return {
        "status": "in_progress" if ticket.assignee_id else "new",
        "resolved_at": None,
        "confirmed_by": None,
        "confirmed_at": None,
        "closed_at": None,
        "reopen_count": ticket.reopen_count + 1,
        # A reopened ticket starts a new SLA cycle: its rules may fire again.
        "sla_cycle": ticket.sla_cycle + 1,
    }


def confirm_ticket(
    ctx: Context, *, key: str, by: str, unresolved: bool = False, note: str | None = None
) -> Ticket:
    """The customer's word (seed steps 4 and 8): resolved, or not and the work goes on."""
    who = _text(by, "by", limit=CONFIRMED_BY_LIMIT)
    note = _note(note, _("note (why it is not resolved)") if unresolved else "note")
    with ctx.writing() as tx:
        me = tx.me()
        ticket = _load(tx, key)
        _require_role(me, ("agent", "manager", "admin"), "confirm", or_assignee_of=ticket)
        _require_status(ticket, ("resolved",), "confirm")
        if unresolved:
            why = _text(note, _("note (why it is not resolved)"), multiline=True, limit=MULTI_LINE)
            record_change(
                tx,
                ticket,
                "reopened",
                _reopen_changes(ticket),
                said(N_("{who} says it is not resolved: {why}"), who=who, why=why),
            )
            sla.start_clock(tx, ticket, "resolution", at=tx.now)
            if ticket.assignee_id:
                assignee = queries.get_person(tx.conn, ticket.assignee_id)
                notify_people(
                    tx,
                    [assignee] if assignee else [],
                    reason="reopened",
                    ticket=ticket,
                    message=_("customer {who} says it is not resolved: {why}").format(who=who, why=why),
                )
        else:
            record_change(
                tx,
                ticket,
                "confirmed",
                {"confirmed_by": who, "confirmed_at": tx.now},
                said(N_("customer confirmed by {who}: {note}"), who=who, note=note)
                if note
                else said(N_("customer confirmed by {who}"), who=who),
            )
        return ticket


def review_ticket(ctx: Context, *, key: str, root_cause: str, actions: str) -> Ticket:
    """A major incident's review: its root cause and what will prevent it again."""
    cause = _text(root_cause, "root-cause", limit=MULTI_LINE, multiline=True)
    todo = _text(actions, "actions", limit=MULTI_LINE, multiline=True)
    with ctx.writing() as tx:
        me = tx.me()
        ticket = _load(tx, key)
        _require_role(me, ("manager", "admin"), "review", or_assignee_of=ticket)
        _require_status(ticket, ("resolved", "closed"), "review")
        record_change(
            tx,
            ticket,
            "reviewed",
            {"root_cause": cause, "review_actions": todo, "reviewed_at": tx.now},
            said(N_("reviewed: root cause {cause}; actions {actions}"), cause=cause, actions=todo),
        )
        return ticket


def close_ticket(ctx: Context, *, key: str, report: str | None = None) -> Ticket:
    """Close the record (seed step 9). On-site work needs the customer's confirmation and keeps a
    service report: the one attached, or else the one xhsvc writes from the ticket (its
    history, time logged, parts replaced and the confirmation). A major incident needs its review."""
    body = _text(report, "report", required=False, limit=REPORT, multiline=True)
    with ctx.writing() as tx:
        me = tx.me()
        ticket = _load(tx, key)
        _require_role(me, ("agent", "manager", "admin"), "close", or_assignee_of=ticket)
        _require_status(ticket, ("resolved",), "close")
        if ticket.onsite and ticket.confirmed_at is None:
            raise NotAllowed(
                _(
                    "close: {key} had on-site work; record the customer's confirmation first (ticket confirm)"
                ).format(key=ticket.key)
            )
        if ticket.onsite and body is None and ticket.report is None:
            # On-site work ends with a service report: xhsvc writes it from the ticket.
            from xhsvc.core.service_report import closing_report

            body = closing_report(tx, ticket, tz_name=ctx.settings.timezone)
        if ticket.major and ticket.reviewed_at is None:
            raise NotAllowed(
                _("close: {key} is a major incident; review it first (ticket review)").format(key=ticket.key)
            )
        changes: dict[str, Any] = {"status": "closed", "closed_at": tx.now}
        if body is not None:
            changes["report"] = body
        record_change(
            tx, ticket, "closed", changes, said(N_("closed with service report") if body else N_("closed"))
        )
        return ticket


def reopen_ticket(ctx: Context, *, key: str, reason: str) -> Ticket:
    why = _text(reason, "reason")
    with ctx.writing() as tx:
        me = tx.me()
        ticket = _load(tx, key)
        _require_role(me, ("agent", "manager", "admin"), "reopen", or_assignee_of=ticket)
        _require_status(ticket, ("resolved", "closed"), "reopen")
        record_change(
            tx, ticket, "reopened", _reopen_changes(ticket), said(N_("reopened: {why}"), why=why), reason=why
        )
        sla.start_clock(tx, ticket, "resolution", at=tx.now)
        return ticket


def preview_cancel(ctx: Context, *, key: str, reason: str) -> dict[str, Any]:
    """What `cancel_ticket` would do, checked as it checks and written nowhere: the ticket, and
    the request it would withdraw (so a person can confirm first)."""
    _text(reason, "reason")
    with ctx.reading() as tx:
        ticket = _load(tx, key)
        _require_role(tx.me(), ("agent", "manager", "admin"), "cancel")
        _require_status(ticket, ACTIVE, "cancel")
        approval = queries.pending_approval(tx.conn, ticket.id)
        customer = queries.get_customer(tx.conn, ticket.customer_id)
        return {
            "key": ticket.key,
            "title": ticket.title,
            "status": ticket.status,
            "customer": customer.name if customer else None,
            "withdraws": approval.kind if approval else None,
        }


def cancel_ticket(ctx: Context, *, key: str, reason: str) -> Ticket:
    why = _text(reason, "reason")
    with ctx.writing() as tx:
        me = tx.me()
        ticket = _load(tx, key)
        _require_role(me, ("agent", "manager", "admin"), "cancel")
        _require_status(ticket, ACTIVE, "cancel")
        approval = queries.pending_approval(tx.conn, ticket.id)
        if approval is not None:
            # Imported here: approvals builds on this module.
            from xhsvc.core.approvals import _decide

            _decide(tx, ticket, approval, "withdrawn", f"ticket cancelled: {why}")
        sla.stop_all(tx, ticket, at=tx.now)
        record_change(
            tx,
            ticket,
            "cancelled",
            {"status": "cancelled"},
            said(N_("cancelled: {why}"), why=why),
            reason=why,
        )
        return ticket
