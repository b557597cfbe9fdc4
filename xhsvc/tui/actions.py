"""The ticket actions the queue and the ticket screen share: keys, dialogs, one core call each.

A core call runs in a worker thread; what the core refuses comes back as an error notification,
and nothing is half-written (each call is one transaction in the core). An action takes the
ticket it was started on: the queue reloads under the dialog, and the row under the cursor may
be another ticket by the time the agent answers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.screen import Screen

from xhsvc.core.text import display
from xhsvc.errors import XhsvcError
from xhsvc.i18n import _
from xhsvc.lazy import lazy
from xhsvc.tui.dialogs import ConfirmDialog, Field, FormDialog, TextDialog
from xhsvc.tui.levels import IMPACT, URGENCY, options
from xhsvc.tui.messages import Done, Failed, TicketChanged, TicketRead
from xhsvc.tui.safe import plain

# The dashboard draws its first frame before it imports these (and the database code under them).
approvals = lazy("xhsvc.core.approvals")
dispatch = lazy("xhsvc.core.dispatch")
parts = lazy("xhsvc.core.parts")
people = lazy("xhsvc.core.people")
service_reports = lazy("xhsvc.core.service_report")
ticket_views = lazy("xhsvc.core.ticket_views")
tickets = lazy("xhsvc.core.tickets")
worklogs = lazy("xhsvc.core.worklogs")

# How many suggested engineers the assign dialog lists.
SUGGESTED = 3


@dataclass(frozen=True)
class TicketAction:
    """One action: its key, the screen's action, a footer label, its name in the command palette
    (`{key}` is the ticket's) and a line for the help screen."""

    key: str
    action: str
    label: str
    name: str
    help: str


# The CLI's ticket flow, in the order a ticket lives it; the help screen and the palette list them
# so. Capitals are the rarer or heavier variants of a neighbour (x close, X cancel).
ACTIONS: list[TicketAction] = [
    TicketAction(
        "n",
        "new_ticket",
        _("New call"),
        _("Take a call: open a new ticket"),
        _("Take a call: find the caller, see the contract, open a ticket"),
    ),
    TicketAction(
        "a", "assign", _("Assign"), _("Assign {key} to an engineer"), _("Assign to an engineer of its tier")
    ),
    TicketAction(
        "r",
        "respond",
        _("Respond"),
        _("Respond to {key} (first response)"),
        _("First response (the assignee)"),
    ),
    TicketAction("c", "comment", _("Comment"), _("Comment on {key} (work note)"), _("Add a work note")),
    TicketAction(
        "l",
        "log_work",
        _("Log time"),
        _("Log time spent on {key}"),
        _("Log time spent: remote, on site or travelling"),
    ),
    TicketAction(
        "P",
        "record_part",
        _("Part"),
        _("Record a part replaced on {key}"),
        _("Record a part replaced (part number, serials out and in)"),
    ),
    TicketAction(
        "S",
        "service_report",
        _("Report"),
        _("Read the service report of {key}"),
        _("Read the service report as it stands (h saves it as HTML)"),
    ),
    TicketAction(
        "w",
        "wait",
        _("Wait"),
        _("Wait on the customer: put {key} on hold"),
        _("Wait on the customer (logs, a window, access): the clocks pause"),
    ),
    TicketAction(
        "u",
        "resume",
        _("Resume"),
        _("Resume {key}: the customer answered"),
        _("The customer answered: back to work"),
    ),
    TicketAction("o", "onsite", _("On-site"), _("Request on-site work for {key}"), _("Request on-site work")),
    TicketAction(
        "s",
        "arrive",
        _("Arrived"),
        _("Engineer arrived on site for {key}"),
        _("The engineer is on site (arrival clock)"),
    ),
    TicketAction(
        "e", "escalate", _("Escalate"), _("Escalate {key} to L2/L3"), _("Request escalation to L2 or L3")
    ),
    TicketAction(
        "p", "approve", _("Approve"), _("Approve the request on {key}"), _("Approve the pending request")
    ),
    TicketAction("d", "deny", _("Deny"), _("Deny the request on {key}"), _("Deny the pending request")),
    TicketAction(
        "f",
        "refer",
        _("Refer"),
        _("Refer the request on {key} to the manager"),
        _("Refer the pending request to the manager"),
    ),
    TicketAction(
        "W",
        "withdraw",
        _("Withdraw"),
        _("Withdraw the request on {key}"),
        _("Withdraw the pending request (no longer needed)"),
    ),
    TicketAction(
        "i",
        "priority",
        _("Priority"),
        _("Change the priority of {key} (impact, urgency)"),
        _("Change impact / urgency: the priority and due times follow"),
    ),
    TicketAction("v", "resolve", _("Resolve"), _("Resolve {key}"), _("Resolve: what fixed it")),
    TicketAction(
        "k",
        "confirm",
        _("Confirm"),
        _("Confirm {key}: the customer signs off"),
        _("Record the customer's confirmation"),
    ),
    TicketAction(
        "K",
        "not_fixed",
        _("Not fixed"),
        _("Not fixed: the customer reopens {key}"),
        _("The customer says it is not fixed: back to work"),
    ),
    TicketAction(
        "x",
        "close_ticket",
        _("Close"),
        _("Close {key}"),
        _("Close the ticket (a service report after on-site work)"),
    ),
    TicketAction(
        "V",
        "review",
        _("Review"),
        _("Review major incident {key}"),
        _("Review a major incident: root cause, actions"),
    ),
    TicketAction("R", "reopen", _("Reopen"), _("Reopen {key}"), _("Reopen a resolved or closed ticket")),
    TicketAction(
        "X",
        "cancel_ticket",
        _("Cancel ticket"),
        _("Cancel {key} (cannot be undone)"),
        _("Cancel a ticket opened by mistake (asks first; cannot be undone)"),
    ),
]


def ticket_bindings(shown: Iterable[str] = ()) -> list[Binding]:
    """Every action's key; only those named in `shown` (actions) are in the footer, which has
    room for a few at 80 columns. The rest are in the help screen and the command palette."""
    show = set(shown)
    return [Binding(a.key, a.action, a.label, show=a.action in show) for a in ACTIONS]


def request_text(approval: dict[str, Any]) -> str:
    """'tier-2 on-site work requested by wuhao (reason 需二线到现场)': stored text, shown through
    safe.plain."""
    kind = approval["kind"]
    label = _(approvals.REQUEST_LABELS[kind]) if kind in approvals.REQUEST_LABELS else kind
    values = {"kind": label, "who": approval["requested_by"], "reason": approval["reason"]}
    if approval.get("target_tier") and approval["kind"] == "escalation":
        text = _("{kind} to {tier} requested by {who} (reason {reason})").format(
            tier=approval["target_tier"], **values
        )
    else:
        text = _("{kind} requested by {who} (reason {reason})").format(**values)
    if approval.get("referred"):
        text = _("{request}, referred to the manager").format(request=text)
    return text


class TicketActions(Screen[Any]):
    """A screen that has a current ticket and offers the ticket actions on it."""

    def current_key(self) -> str | None:  # pragma: no cover - each screen says
        raise NotImplementedError

    # Plumbing ---------------------------------------------------------------------------------

    def _key(self) -> str | None:
        key = self.current_key()
        if key is None:
            self.notify(_("no ticket selected"), severity="warning")
        return key

    def _call(self, key: str, done: str, fn: Callable[..., Any], **kwargs: Any) -> None:
        """One core call on `key` in a worker; Done or Failed comes back."""
        ctx = self.app.ctx  # type: ignore[attr-defined]

        def work() -> None:
            try:
                fn(ctx, key=key, **kwargs)
            except XhsvcError as e:
                self.post_message(Failed(str(e)))
                return
            self.post_message(Done(key, done))

        self.run_worker(work, thread=True, group="actions")

    def _read(self, key: str, fn: Callable[..., Any], then: Callable[[Any], None], **kwargs: Any) -> None:
        """A core read in a worker (the ticket as it is now, not as the screen last loaded it);
        `then` gets what it read, on the screen's thread."""
        ctx = self.app.ctx  # type: ignore[attr-defined]

        def work() -> None:
            try:
                data = fn(ctx, key=key, **kwargs)
            except XhsvcError as e:
                self.post_message(Failed(str(e)))
                return
            self.post_message(TicketRead(key, data, then))

        self.run_worker(work, thread=True, group="actions")

    def on_ticket_read(self, event: TicketRead) -> None:
        event.then(event.data)

    def on_done(self, event: Done) -> None:
        self.notify(_("{key}: {text}").format(key=event.key, text=event.text))
        # This screen shows the change at once; the others reload when they come back.
        self.post_message(TicketChanged(event.key))

    def on_failed(self, event: Failed) -> None:
        self.notify(event.text, title=event.title, severity="error", timeout=8)

    def _ask(self, dialog: Any, then: Callable[[Any], None]) -> None:
        """Show a dialog; `then` gets its answer unless it was cancelled."""

        def answered(value: Any) -> None:
            if value not in (None, False):
                then(value)

        self.app.push_screen(dialog, answered)

    def _engineers(self) -> list[str]:
        ctx = self.app.ctx  # type: ignore[attr-defined]
        return [p.handle for role in ("engineer", "expert") for p in people.list_people(ctx, role=role)]

    def _pending_then(self, key: str, then: Callable[[dict[str, Any]], None]) -> None:
        """Read the ticket's pending request, then ask about it; none: say so, ask nothing."""

        def read(data: dict[str, Any]) -> None:
            if data["pending_approval"] is None:
                self.notify(
                    _("{key}: no request is waiting for a decision").format(key=key), severity="warning"
                )
            else:
                then(data["pending_approval"])

        self._read(key, ticket_views.show_ticket, read)

    # Actions ----------------------------------------------------------------------------------

    def action_new_ticket(self) -> None:
        from xhsvc.tui.screens.intake import IntakeScreen

        def opened(key: str | None) -> None:
            if key:
                self.notify(_("{key} opened").format(key=key))
                self.post_message(TicketChanged(key))

        self.app.push_screen(IntakeScreen(), opened)

    def _suggested(self, key: str) -> list[dispatch.Candidate]:
        """Who fits the ticket best (core/dispatch.py); nothing when it cannot be said (the
        assignment itself then tells why)."""
        try:
            return dispatch.suggest_assignees(self.app.ctx, key=key, limit=SUGGESTED)  # type: ignore[attr-defined]
        except XhsvcError:
            return []

    def action_assign(self) -> None:
        if (key := self._key()) is None:
            return
        # The suggested engineers first, with why (team, region, load); the first one proposed.
        suggested = self._suggested(key)
        first = [c.person.handle for c in suggested]
        lines = [_("Engineer id")]
        if suggested:
            lines.append(_("Suggested (Enter takes the first):"))
            lines += [
                f"{n}. {display(c.person.handle)} {display(c.person.name)}: {dispatch.reason_text(c)}"
                for n, c in enumerate(suggested, start=1)
            ]
        self._ask(
            TextDialog(
                _("Assign {key} to an engineer of its tier").format(key=key),
                prompt="\n".join(lines),
                value=first[0] if first else "",
                suggestions=lambda: first + [h for h in self._engineers() if h not in first],
            ),
            lambda who: self._call(
                key, _("assigned to {who}").format(who=who), tickets.assign_ticket, assignee=who
            ),
        )

    def action_respond(self) -> None:
        if (key := self._key()) is None:
            return
        self._ask(
            TextDialog(
                _("First response on {key}").format(key=key),
                prompt=_("What was done (optional)"),
                required=False,
            ),
            lambda note: self._call(key, _("in progress"), tickets.respond_ticket, note=note or None),
        )

    def action_comment(self) -> None:
        if (key := self._key()) is None:
            return
        self._ask(
            TextDialog(_("Work note on {key}").format(key=key), prompt=_("Note")),
            lambda text: self._call(key, _("noted"), tickets.comment_ticket, text=text),
        )

    def action_log_work(self) -> None:
        if (key := self._key()) is None:
            return
        kinds = [(_(worklogs.KIND_LABELS[kind]), kind) for kind in worklogs.KINDS]
        self._ask(
            FormDialog(
                _("Log time spent on {key}").format(key=key),
                [
                    Field("duration", _("How long (1h30m, 90m, 2h)")),
                    Field("kind", _("Kind"), kind="select", options=kinds, value="remote"),
                    Field("note", _("What was done (optional)"), required=False),
                ],
                ok=_("Log time"),
            ),
            lambda v: self._call(
                key,
                _("{duration} of {kind} logged").format(
                    duration=v["duration"], kind=_(worklogs.KIND_LABELS[v["kind"]])
                ),
                worklogs.log_work,
                duration=v["duration"],
                kind=v["kind"],
                note=v["note"] or None,
            ),
        )

    def action_record_part(self) -> None:
        from xhsvc.tui.service_record import part_form, quantity_of

        if (key := self._key()) is None:
            return

        def record(v: dict[str, Any]) -> None:
            quantity = quantity_of(v["quantity"])
            if quantity is None:
                self.notify(_("quantity: from 1 to {most}").format(most=parts.MAX_QUANTITY), severity="error")
                return
            self._call(
                key,
                _("{quantity} x {part} recorded").format(quantity=quantity, part=v["part"].upper()),
                parts.record_part,
                part=v["part"],
                quantity=quantity,
                description=v["description"] or None,
                removed=v["removed"] or None,
                installed=v["installed"] or None,
            )

        self._ask(part_form(key), record)

    def action_service_report(self) -> None:
        # The report screen imports Textual's Markdown (and its parser): not at the dashboard's start.
        from xhsvc.tui.service_record import ReportScreen

        if (key := self._key()) is None:
            return
        self._read(
            key, service_reports.service_report, lambda text: self.app.push_screen(ReportScreen(key, text))
        )

    def action_wait(self) -> None:
        if (key := self._key()) is None:
            return
        self._ask(
            TextDialog(
                _("Wait on the customer: {key} goes on hold and its SLA clocks pause.").format(key=key),
                prompt=_("What does the customer owe (logs, a window, access)?"),
                ok=_("Wait"),
            ),
            lambda why: self._call(key, _("waiting on the customer"), tickets.wait_ticket, reason=why),
        )

    def action_resume(self) -> None:
        if (key := self._key()) is None:
            return
        self._ask(
            TextDialog(
                _("Resume {key}: the customer answered; its SLA clocks run again.").format(key=key),
                prompt=_("What the customer sent (optional)"),
                required=False,
                ok=_("Resume"),
            ),
            lambda note: self._call(key, _("in progress"), tickets.resume_ticket, note=note or None),
        )

    def action_onsite(self) -> None:
        if (key := self._key()) is None:
            return
        self._ask(
            TextDialog(_("Request on-site work for {key}").format(key=key), prompt=_("Why")),
            lambda why: self._call(key, _("on-site work requested"), approvals.request_onsite, reason=why),
        )

    def action_arrive(self) -> None:
        if (key := self._key()) is None:
            return
        self._ask(
            TextDialog(
                _("The engineer is on site for {key}: the arrival clock stops now.").format(key=key),
                prompt=_("Note (optional, e.g. who met the engineer)"),
                required=False,
                ok=_("Arrived"),
            ),
            lambda note: self._call(key, _("on site"), tickets.arrive_ticket, note=note or None),
        )

    def action_escalate(self) -> None:
        if (key := self._key()) is None:
            return
        tiers = [(_("L2 support center"), "L2"), (_("L3 experts"), "L3")]
        self._ask(
            FormDialog(
                _("Escalate {key}: the request waits for a decision").format(key=key),
                [
                    Field("to", _("To tier"), kind="select", options=tiers, value="L2"),
                    Field("reason", _("Why")),
                ],
                ok=_("Request escalation"),
            ),
            lambda v: self._call(
                key,
                _("escalation to {tier} requested").format(tier=v["to"]),
                approvals.escalate_ticket,
                to=v["to"],
                reason=v["reason"],
            ),
        )

    def action_approve(self) -> None:
        if (key := self._key()) is None:
            return

        def ask(pending: dict[str, Any]) -> None:
            self._ask(
                TextDialog(
                    _("Approve {key}: {request}?").format(key=key, request=request_text(pending)),
                    prompt=_("Hand it to (engineer id, optional)"),
                    required=False,
                    suggestions=self._engineers,
                    ok=_("Approve"),
                ),
                # "" is an answer here (approve, no one else): only None is a cancel.
                lambda who: self._call(
                    key, _("approved"), approvals.approve_request, assign=who or None, request=pending["id"]
                ),
            )

        self._pending_then(key, ask)

    def action_deny(self) -> None:
        if (key := self._key()) is None:
            return

        def ask(pending: dict[str, Any]) -> None:
            self._ask(
                TextDialog(
                    _("Deny {key}: {request}?").format(key=key, request=request_text(pending)),
                    prompt=_("Why (told to the requester)"),
                    ok=_("Deny"),
                ),
                lambda why: self._call(
                    key, _("request denied"), approvals.deny_request, reason=why, request=pending["id"]
                ),
            )

        self._pending_then(key, ask)

    def action_refer(self) -> None:
        if (key := self._key()) is None:
            return

        def ask(pending: dict[str, Any]) -> None:
            self._ask(
                TextDialog(
                    _("Refer {key} to the manager: {request}?").format(
                        key=key, request=request_text(pending)
                    ),
                    prompt=_("Why the desk cannot decide (optional)"),
                    required=False,
                    ok=_("Refer"),
                ),
                lambda why: self._call(
                    key,
                    _("referred to the manager"),
                    approvals.refer_request,
                    reason=why or None,
                    request=pending["id"],
                ),
            )

        self._pending_then(key, ask)

    def action_withdraw(self) -> None:
        if (key := self._key()) is None:
            return

        def ask(pending: dict[str, Any]) -> None:
            self._ask(
                TextDialog(
                    _("Withdraw on {key}: {request}?").format(key=key, request=request_text(pending)),
                    prompt=_("Why it is no longer needed"),
                    ok=_("Withdraw"),
                ),
                lambda why: self._call(
                    key, _("request withdrawn"), approvals.withdraw_request, reason=why, request=pending["id"]
                ),
            )

        self._pending_then(key, ask)

    def action_priority(self) -> None:
        if (key := self._key()) is None:
            return
        ctx = self.app.ctx  # type: ignore[attr-defined]

        def ask(data: dict[str, Any]) -> None:
            def describe(values: dict[str, Any]) -> str:
                new = tickets.priority_for(ctx, impact=values["impact"], urgency=values["urgency"])
                return _("{old} now; {new} after the change (the due times are worked out again)").format(
                    old=data["priority"], new=new
                )

            self._ask(
                FormDialog(
                    _("Priority of {key}: {title}").format(key=key, title=data["title"]),
                    [
                        Field(
                            "impact",
                            _("Impact"),
                            kind="select",
                            options=options(IMPACT),
                            value=data["impact"],
                        ),
                        Field(
                            "urgency",
                            _("Urgency"),
                            kind="select",
                            options=options(URGENCY),
                            value=data["urgency"],
                        ),
                        Field("reason", _("Why")),
                    ],
                    ok=_("Change"),
                    describe=describe,
                ),
                lambda v: self._call(
                    key,
                    _("impact {impact}, urgency {urgency}: {priority}").format(
                        impact=v["impact"],
                        urgency=v["urgency"],
                        priority=tickets.priority_for(ctx, impact=v["impact"], urgency=v["urgency"]),
                    ),
                    tickets.reprioritize_ticket,
                    impact=v["impact"],
                    urgency=v["urgency"],
                    reason=v["reason"],
                ),
            )

        self._read(key, ticket_views.show_ticket, ask)

    def action_resolve(self) -> None:
        if (key := self._key()) is None:
            return
        self._ask(
            TextDialog(_("Resolve {key}").format(key=key), prompt=_("What fixed it"), ok=_("Resolve")),
            lambda text: self._call(key, _("resolved"), tickets.resolve_ticket, resolution=text),
        )

    def action_confirm(self) -> None:
        if (key := self._key()) is None:
            return
        self._ask(
            TextDialog(
                _("The customer confirms {key} is resolved").format(key=key),
                prompt=_("Confirmed by (the customer's name)"),
            ),
            lambda who: self._call(
                key, _("confirmed by {who}").format(who=who), tickets.confirm_ticket, by=who
            ),
        )

    def action_not_fixed(self) -> None:
        if (key := self._key()) is None:
            return
        self._ask(
            FormDialog(
                _(
                    "The customer says {key} is not fixed: it is reopened and its resolution clock runs again."
                ).format(key=key),
                [
                    Field("by", _("Said by (the customer's name)")),
                    Field("note", _("What is still wrong"), kind="area"),
                ],
                ok=_("Reopen"),
            ),
            lambda v: self._call(
                key, _("reopened"), tickets.confirm_ticket, by=v["by"], unresolved=True, note=v["note"]
            ),
        )

    def action_close_ticket(self) -> None:
        # Wherever it is closed from, a knowledge note is offered once it is closed.
        from xhsvc.tui.knowledge import close_then_offer_note

        if (key := self._key()) is None:
            return
        close_then_offer_note(self, key)

    def action_review(self) -> None:
        if (key := self._key()) is None:
            return
        self._ask(
            FormDialog(
                _("Review major incident {key} (needed before it closes)").format(key=key),
                [
                    Field("root_cause", _("Root cause"), kind="area"),
                    Field("actions", _("What prevents it again"), kind="area"),
                ],
                ok=_("Save review"),
            ),
            lambda v: self._call(
                key, _("reviewed"), tickets.review_ticket, root_cause=v["root_cause"], actions=v["actions"]
            ),
        )

    def action_reopen(self) -> None:
        if (key := self._key()) is None:
            return
        self._ask(
            TextDialog(
                _("Reopen {key}: it is not fixed after all; its resolution clock runs again.").format(
                    key=key
                ),
                prompt=_("Why"),
                ok=_("Reopen"),
            ),
            lambda why: self._call(key, _("reopened"), tickets.reopen_ticket, reason=why),
        )

    def action_cancel_ticket(self) -> None:
        """Irreversible: the reason first, then what the core says it would do, then a yes."""
        if (key := self._key()) is None:
            return

        def confirm(plan: dict[str, Any], reason: str) -> None:
            consequence = (
                _(
                    "A cancelled ticket cannot be reopened; its SLA clocks stop. "
                    "Its pending {kind} request is withdrawn."
                ).format(kind=plan["withdraws"])
                if plan["withdraws"]
                else _("A cancelled ticket cannot be reopened; its SLA clocks stop.")
            )
            # Stored and typed text on one line each (safe.plain); the paragraph break is ours.
            question = Text.assemble(
                plain(
                    _("Cancel {key} ({status}, {customer}: {title}) because {reason}?").format(
                        key=plan["key"],
                        status=plan["status"],
                        customer=plan["customer"],
                        title=plan["title"],
                        reason=repr(reason),
                    )
                ),
                "\n\n",
                plain(consequence),
            )
            self._ask(
                ConfirmDialog(question, ok=_("Cancel the ticket")),
                lambda _answer: self._call(key, _("cancelled"), tickets.cancel_ticket, reason=reason),
            )

        self._ask(
            TextDialog(
                _("Cancel {key}").format(key=key),
                prompt=_("Why (opened by mistake, withdrawn by the customer)"),
                ok=_("Next"),
            ),
            lambda reason: self._read(
                key, tickets.preview_cancel, lambda plan: confirm(plan, reason), reason=reason
            ),
        )
