"""Requests on a ticket that wait for a decision (seed §三(3)): on-site work and escalations.

Asking (`request_onsite`, `escalate_ticket`, and `request_decision` for the sweep's rules), who
decides (`decider_of`), and the decisions themselves: approve, deny, refer to the manager,
withdraw. Each is one unit of work on the ticket, with the rules and helpers of `tickets`.
"""

from __future__ import annotations

from typing import Any

from xhsvc.core import dispatch, sla
from xhsvc.core.catalog import CONSULTATION
from xhsvc.core.context import Context, Tx
from xhsvc.core.contracts import Coverage, coverage_for, today_of
from xhsvc.core.labels import request_kind_label
from xhsvc.core.people import TIERS
from xhsvc.core.said import said
from xhsvc.core.text import one_of
from xhsvc.core.tickets import (
    ACTIVE,
    _check_assignable,
    _load,
    _note,
    _person,
    _require_role,
    _require_status,
    _text,
    notify_people,
    people_with_role,
    record_change,
)
from xhsvc.errors import Conflict, InvalidInput, NotAllowed
from xhsvc.i18n import N_, _
from xhsvc.store import events, queries
from xhsvc.store.ids import new_id
from xhsvc.store.tables import Approval, Person, Ticket

REQUEST_LABELS = {
    "onsite": N_("on-site work"),
    "l2_onsite": N_("tier-2 on-site work"),
    "escalation": N_("an escalation"),
}


# Requests that need a decision ----------------------------------------------------------------


def request_decision(
    tx: Tx, ticket: Ticket, *, kind: str, reason: str, target_tier: str | None = None
) -> Approval:
    pending = queries.pending_approval(tx.conn, ticket.id)
    if pending is not None:
        action = "escalate" if kind == "escalation" else "onsite"
        raise Conflict(
            _(
                "{action}: {key} already has a request waiting for a decision ({request}); "
                "it must be approved or denied first"
            ).format(action=action, key=ticket.key, request=_(REQUEST_LABELS[pending.kind]))
        )
    approval_id = new_id()
    row = {
        "ticket_id": ticket.id,
        "kind": kind,
        "state": "pending",
        "target_tier": target_tier,
        "reason": reason,
        "referred": False,
        "requested_by_id": tx.me().id,
        "requested_at": tx.now,
    }
    # The decider's notice, in the interface's language (it is for a person, not for the log).
    notice = {
        "onsite": _("on-site work requested by {who}: {why}"),
        "l2_onsite": _("tier-2 on-site work requested by {who}: {why}"),
        "escalation": _("escalation to {tier} requested by {who}: {why}"),
    }[kind].format(who=tx.me().handle, why=reason, tier=target_tier)
    requested = {
        "onsite": said(N_("on-site work requested: {why}"), why=reason),
        "l2_onsite": said(N_("tier-2 on-site work requested: {why}"), why=reason),
        "escalation": said(N_("escalation to {tier} requested: {why}"), tier=target_tier, why=reason),
    }
    events.append(
        tx.conn,
        tx.origin,
        entity="approval",
        entity_id=approval_id,
        ticket_id=ticket.id,
        kind="approval.requested",
        payload={"create": row, **requested[kind]},
    )
    approval = Approval(id=approval_id, **row)
    deciders = "manager" if _needs_manager(approval) else "agent"
    notify_people(
        tx,
        people_with_role(tx, deciders),
        reason="approval_requested",
        ticket=ticket,
        message=notice,
    )
    return approval


def _needs_manager(approval: Approval) -> bool:
    return (
        decider_of(kind=approval.kind, referred=approval.referred, target_tier=approval.target_tier)
        == "manager"
    )


def decider_of(*, kind: str, referred: bool, target_tier: str | None) -> str:
    """Who decides a request: the seed's special cases go to the manager, the rest to the desk."""
    if referred or kind == "l2_onsite" or (kind == "escalation" and target_tier == "L3"):
        return "manager"
    return "agent"


def request_onsite(ctx: Context, *, key: str, reason: str) -> Approval:
    """Ask for on-site work (seed step 3); at tier 2 or above it needs the manager (step 7).
    A consultation is answered remotely: it is refused (convert it to a fault first)."""
    why = _text(reason, "reason") or ""
    with ctx.writing() as tx:
        me = tx.me()
        ticket = _load(tx, key)
        _require_role(me, ("agent", "manager"), "onsite", or_assignee_of=ticket)
        _require_status(ticket, ("assigned", "in_progress", "waiting_customer"), "onsite")
        if ticket.service == CONSULTATION:
            raise NotAllowed(
                _(
                    "onsite: {key} is a technical consultation, answered remotely; if something is "
                    "broken, make it a fault first (xhsvc ticket convert {key} --to onsite)"
                ).format(key=ticket.key)
            )
        if ticket.onsite_tier == ticket.tier:
            raise Conflict(_("onsite: on-site work on {key} is already approved").format(key=ticket.key))
        kind = "onsite" if ticket.tier == "L1" else "l2_onsite"
        return request_decision(tx, ticket, kind=kind, reason=why)


def escalate_ticket(ctx: Context, *, key: str, to: str, reason: str) -> Approval:
    """Ask to hand the ticket to a higher tier (seed step 5); it waits for a decision."""
    why = _text(reason, "reason") or ""
    to = one_of(to, TIERS, "to")
    with ctx.writing() as tx:
        me = tx.me()
        ticket = _load(tx, key)
        _require_role(me, ("agent", "manager"), "escalate", or_assignee_of=ticket)
        _require_status(ticket, ACTIVE, "escalate")
        if TIERS.index(to) <= TIERS.index(ticket.tier):
            raise InvalidInput(
                _("to {to}: {key} is already at {tier}; escalate to a higher tier").format(
                    to=to, key=ticket.key, tier=ticket.tier
                )
            )
        return request_decision(tx, ticket, kind="escalation", reason=why, target_tier=to)


def _pending(tx: Tx, ticket: Ticket, action: str, expected: str | None = None) -> Approval:
    """The ticket's pending request; with `expected` (the id of the request the user was shown),
    only that one: a decision is never taken on a request that replaced it meanwhile."""
    approval = queries.pending_approval(tx.conn, ticket.id)
    if approval is None:
        if expected is not None:
            raise Conflict(
                _(
                    "{action}: the request on {key} was decided or withdrawn meanwhile; nothing changed"
                ).format(action=action, key=ticket.key)
            )
        raise NotAllowed(
            _("{action}: {key} has no request waiting for a decision").format(action=action, key=ticket.key)
        )
    if expected is not None and approval.id != expected:
        raise Conflict(
            _(
                "{action}: the request on {key} changed meanwhile (now {request}); nothing changed, look at it again"
            ).format(action=action, key=ticket.key, request=_(REQUEST_LABELS[approval.kind]))
        )
    return approval


def _check_decider(me: Person, approval: Approval, action: str) -> None:
    if approval.requested_by_id == me.id:
        raise NotAllowed(
            _("{action}: {handle} made this request and may not decide it").format(
                action=action, handle=me.handle
            )
        )
    if _needs_manager(approval):
        if me.role != "manager":
            why = (
                _("it was referred to the manager") if approval.referred else _(REQUEST_LABELS[approval.kind])
            )
            raise NotAllowed(
                _("{action}: only a manager may decide this ({why}); {handle} is {role}").format(
                    action=action, why=why, handle=me.handle, role=me.role
                )
            )
    elif me.role not in ("agent", "manager"):
        raise NotAllowed(
            _("{action}: only an agent or a manager may decide requests; {handle} is {role}").format(
                action=action, handle=me.handle, role=me.role
            )
        )


def _decide(tx: Tx, ticket: Ticket, approval: Approval, state: str, note: str | None) -> None:
    events.append(
        tx.conn,
        tx.origin,
        entity="approval",
        entity_id=approval.id,
        ticket_id=ticket.id,
        kind=f"approval.{state}",
        payload={
            "set": {"state": state, "decided_by_id": tx.me().id, "decided_at": tx.now, "decision_note": note},
            **(
                said(
                    N_("{request} request {decision}: {note}"),
                    request=approval.kind,
                    decision=state,
                    note=note,
                )
                if note
                else said(N_("{request} request {decision}"), request=approval.kind, decision=state)
            ),
        },
    )
    approval.state = state
    # A decided request may free a rule that was waiting for it: the sweep looks again.
    events.schedule_check(tx.conn, ticket.id, tx.now)


def approve_request(
    ctx: Context, *, key: str, assign: str | None = None, note: str | None = None, request: str | None = None
) -> Ticket:
    """Approve the ticket's pending request; `assign` names who takes it on (tier-2 hand-over).
    `request`: the id of the request the decider was shown (refused if another replaced it)."""
    note = _note(note)
    with ctx.writing() as tx:
        me = tx.me()
        ticket = _load(tx, key)
        approval = _pending(tx, ticket, "approve", request)
        _check_decider(me, approval, "approve")
        _require_status(ticket, ACTIVE, "approve")
        if approval.kind == "onsite" and me.role != "manager":
            # The seed's special case: the desk approves only what the contract covers.
            coverage = _onsite_coverage(tx, ctx, ticket)
            if not coverage.covered:
                raise NotAllowed(
                    _(
                        "approve: on-site work on {key} is not covered ({coverage}); "
                        "refer it to the manager: xhsvc ticket refer {key}"
                    ).format(key=ticket.key, coverage=coverage.explain())
                )
        _decide(tx, ticket, approval, "approved", note)
        requester_id = approval.requested_by_id
        if approval.kind == "escalation":
            tier = approval.target_tier or ticket.tier
            assignee = _person(tx, assign, "assign") if assign else None
            if assignee is not None:
                _check_assignable(assignee, tier)
                dispatch.require_partner_region(tx, assignee, ticket)
            changes: dict[str, Any] = {
                "tier": tier,
                "assignee_id": assignee.id if assignee else None,
                "status": "assigned" if assignee else "new",
            }
            summary = (
                said(N_("escalated to {tier}, handed to {person}"), tier=tier, person=assignee.handle)
                if assignee
                else said(N_("escalated to {tier}"), tier=tier)
            )
            if ticket.status == "waiting_customer":
                # The hand-over ends the wait: the clocks run again for the new tier.
                sla.resume_clocks(tx, ticket, at=tx.now)
            record_change(tx, ticket, "escalated", changes, summary)
        else:
            # Approval holds for the tier that asked; after an escalation the new tier asks again.
            changes = {"onsite": True, "onsite_tier": ticket.tier}
            if assign:
                assignee = _person(tx, assign, "assign")
                _check_assignable(assignee, ticket.tier)
                dispatch.require_partner_region(tx, assignee, ticket)
                changes["assignee_id"] = assignee.id
            record_change(tx, ticket, "onsite_approved", changes, said(N_("on-site work approved")))
            if not any(c.target == "onsite" for c in sla.running_clocks(tx, ticket)):
                sla.start_clock(tx, ticket, "onsite", at=tx.now)
        told = [p for p in (queries.get_person(tx.conn, requester_id),) if p]
        if ticket.assignee_id:
            told += [p for p in (queries.get_person(tx.conn, ticket.assignee_id),) if p]
        notify_people(
            tx,
            told,
            reason="approval_decided",
            ticket=ticket,
            message=_("{kind} request approved").format(kind=request_kind_label(approval.kind)),
        )
        return ticket


def withdraw_request(ctx: Context, *, key: str, reason: str, request: str | None = None) -> Ticket:
    """Withdraw the ticket's pending request: the one who made it no longer needs it."""
    why = _text(reason, "reason")
    with ctx.writing() as tx:
        me = tx.me()
        ticket = _load(tx, key)
        approval = _pending(tx, ticket, "withdraw", request)
        if approval.requested_by_id != me.id and me.role not in ("agent", "manager", "admin"):
            raise NotAllowed(
                _(
                    "withdraw: only the one who asked, an agent or a manager may withdraw it; {handle} may not"
                ).format(handle=me.handle)
            )
        _decide(tx, ticket, approval, "withdrawn", why)
        return ticket


def _onsite_coverage(tx: Tx, ctx: Context, ticket: Ticket) -> Coverage:
    """Is on-site work on this ticket within the customer's contract today? A non-product fault
    needs that service in the level; any other on-site work needs on-site support."""
    customer = queries.get_customer(tx.conn, ticket.customer_id)
    asset = queries.get_asset(tx.conn, ticket.asset_id) if ticket.asset_id else None
    assert customer is not None
    service = "non_product" if ticket.service == "non_product" else "onsite"
    return coverage_for(tx, customer, at=today_of(ctx, tx.now), asset=asset, service=service)


def deny_request(ctx: Context, *, key: str, reason: str, request: str | None = None) -> Ticket:
    why = _text(reason, "reason")
    with ctx.writing() as tx:
        me = tx.me()
        ticket = _load(tx, key)
        approval = _pending(tx, ticket, "deny", request)
        _check_decider(me, approval, "deny")
        _decide(tx, ticket, approval, "denied", why)
        requester = queries.get_person(tx.conn, approval.requested_by_id)
        notify_people(
            tx,
            [requester] if requester else [],
            reason="approval_decided",
            ticket=ticket,
            message=_("{kind} request denied: {why}").format(kind=request_kind_label(approval.kind), why=why),
        )
        return ticket


def refer_request(
    ctx: Context, *, key: str, reason: str | None = None, request: str | None = None
) -> Approval:
    """Send a request the desk cannot decide to the department manager (the seed's special case)."""
    why = _text(reason, "reason", required=False)
    with ctx.writing() as tx:
        me = tx.me()
        ticket = _load(tx, key)
        approval = _pending(tx, ticket, "refer", request)
        if me.role == "manager":
            raise NotAllowed(_("refer: a manager decides referred requests; approve or deny it"))
        if approval.referred:
            raise Conflict(
                _("refer: the request on {key} is already with the manager").format(key=ticket.key)
            )
        events.append(
            tx.conn,
            tx.origin,
            entity="approval",
            entity_id=approval.id,
            ticket_id=ticket.id,
            kind="approval.referred",
            payload={
                "set": {"referred": True},
                **(
                    said(N_("referred to the manager: {why}"), why=why)
                    if why
                    else said(N_("referred to the manager"))
                ),
            },
        )
        approval.referred = True
        notify_people(
            tx,
            people_with_role(tx, "manager"),
            reason="approval_referred",
            ticket=ticket,
            message=(
                _("{kind} request referred by {who}: {why}") if why else _("{kind} request referred by {who}")
            ).format(kind=request_kind_label(approval.kind), who=me.handle, why=why),
        )
        return approval
