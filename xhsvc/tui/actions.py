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

from xhsvc.core import people, tickets
from xhsvc.errors import XhsvcError
from xhsvc.tui.dialogs import ConfirmDialog, Field, FormDialog, TextDialog
from xhsvc.tui.levels import IMPACT, URGENCY, options
from xhsvc.tui.messages import Done, Failed, TicketChanged, TicketRead
from xhsvc.tui.safe import plain


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
        "New call",
        "Take a call: open a new ticket",
        "Take a call: find the caller, see the contract, open a ticket",
    ),
    TicketAction("a", "assign", "Assign", "Assign {key} to an engineer", "Assign to an engineer of its tier"),
    TicketAction(
        "r", "respond", "Respond", "Respond to {key} (first response)", "First response (the assignee)"
    ),
    TicketAction("c", "comment", "Comment", "Comment on {key} (work note)", "Add a work note"),
    TicketAction(
        "w",
        "wait",
        "Wait",
        "Wait on the customer: put {key} on hold",
        "Wait on the customer (logs, a window, access): the clocks pause",
    ),
    TicketAction(
        "u", "resume", "Resume", "Resume {key}: the customer answered", "The customer answered: back to work"
    ),
    TicketAction("o", "onsite", "On-site", "Request on-site work for {key}", "Request on-site work"),
    TicketAction(
        "s",
        "arrive",
        "Arrived",
        "Engineer arrived on site for {key}",
        "The engineer is on site (arrival clock)",
    ),
    TicketAction("e", "escalate", "Escalate", "Escalate {key} to L2/L3", "Request escalation to L2 or L3"),
    TicketAction("p", "approve", "Approve", "Approve the request on {key}", "Approve the pending request"),
    TicketAction("d", "deny", "Deny", "Deny the request on {key}", "Deny the pending request"),
    TicketAction(
        "f",
        "refer",
        "Refer",
        "Refer the request on {key} to the manager",
        "Refer the pending request to the manager",
    ),
    TicketAction(
        "W",
        "withdraw",
        "Withdraw",
        "Withdraw the request on {key}",
        "Withdraw the pending request (no longer needed)",
    ),
    TicketAction(
        "i",
        "priority",
        "Priority",
        "Change the priority of {key} (impact, urgency)",
        "Change impact / urgency: the priority and due times follow",
    ),
    TicketAction("v", "resolve", "Resolve", "Resolve {key}", "Resolve: what fixed it"),
    TicketAction(
        "k",
        "confirm",
        "Confirm",
        "Confirm {key}: the customer signs off",
        "Record the customer's confirmation",
    ),
    TicketAction(
        "K",
        "not_fixed",
        "Not fixed",
        "Not fixed: the customer reopens {key}",
        "The customer says it is not fixed: back to work",
    ),
    TicketAction(
        "x", "close_ticket", "Close", "Close {key}", "Close the ticket (a service report after on-site work)"
    ),
    TicketAction(
        "V", "review", "Review", "Review major incident {key}", "Review a major incident: root cause, actions"
    ),
    TicketAction("R", "reopen", "Reopen", "Reopen {key}", "Reopen a resolved or closed ticket"),
    TicketAction(
        "X",
        "cancel_ticket",
        "Cancel ticket",
        "Cancel {key} (cannot be undone)",
        "Cancel a ticket opened by mistake (asks first; cannot be undone)",
    ),
]


def ticket_bindings(shown: Iterable[str] = ()) -> list[Binding]:
    """Every action's key; only those named in `shown` (actions) are in the footer, which has
    room for a few at 80 columns. The rest are in the help screen and the command palette."""
    show = set(shown)
    return [Binding(a.key, a.action, a.label, show=a.action in show) for a in ACTIONS]


def request_text(approval: dict[str, Any]) -> str:
    """'l2_onsite requested by wuhao (reason 需二线到现场)': stored text, shown through safe.plain."""
    what = approval["kind"]
    if approval.get("target_tier") and approval["kind"] == "escalation":
        what += f" to {approval['target_tier']}"
    text = f"{what} requested by {approval['requested_by']} (reason {approval['reason']})"
    if approval.get("referred"):
        text += ", referred to the manager"
    return text


class TicketActions(Screen[Any]):
    """A screen that has a current ticket and offers the ticket actions on it."""

    def current_key(self) -> str | None:  # pragma: no cover - each screen says
        raise NotImplementedError

    # Plumbing ---------------------------------------------------------------------------------

    def _key(self) -> str | None:
        key = self.current_key()
        if key is None:
            self.notify("no ticket selected", severity="warning")
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
        self.notify(f"{event.key}: {event.text}")
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
                self.notify(f"{key}: no request is waiting for a decision", severity="warning")
            else:
                then(data["pending_approval"])

        self._read(key, tickets.show_ticket, read)

    # Actions ----------------------------------------------------------------------------------

    def action_new_ticket(self) -> None:
        from xhsvc.tui.screens.intake import IntakeScreen

        def opened(key: str | None) -> None:
            if key:
                self.notify(f"{key} opened")
                self.post_message(TicketChanged(key))

        self.app.push_screen(IntakeScreen(), opened)

    def action_assign(self) -> None:
        if (key := self._key()) is None:
            return
        self._ask(
            TextDialog(
                f"Assign {key} to an engineer of its tier", prompt="Engineer id", suggestions=self._engineers
            ),
            lambda who: self._call(key, f"assigned to {who}", tickets.assign_ticket, assignee=who),
        )

    def action_respond(self) -> None:
        if (key := self._key()) is None:
            return
        self._ask(
            TextDialog(f"First response on {key}", prompt="What was done (optional)", required=False),
            lambda note: self._call(key, "in progress", tickets.respond_ticket, note=note or None),
        )

    def action_comment(self) -> None:
        if (key := self._key()) is None:
            return
        self._ask(
            TextDialog(f"Work note on {key}", prompt="Note"),
            lambda text: self._call(key, "noted", tickets.comment_ticket, text=text),
        )

    def action_wait(self) -> None:
        if (key := self._key()) is None:
            return
        self._ask(
            TextDialog(
                f"Wait on the customer: {key} goes on hold and its SLA clocks pause.",
                prompt="What does the customer owe (logs, a window, access)?",
                ok="Wait",
            ),
            lambda why: self._call(key, "waiting on the customer", tickets.wait_ticket, reason=why),
        )

    def action_resume(self) -> None:
        if (key := self._key()) is None:
            return
        self._ask(
            TextDialog(
                f"Resume {key}: the customer answered; its SLA clocks run again.",
                prompt="What the customer sent (optional)",
                required=False,
                ok="Resume",
            ),
            lambda note: self._call(key, "in progress", tickets.resume_ticket, note=note or None),
        )

    def action_onsite(self) -> None:
        if (key := self._key()) is None:
            return
        self._ask(
            TextDialog(f"Request on-site work for {key}", prompt="Why"),
            lambda why: self._call(key, "on-site work requested", tickets.request_onsite, reason=why),
        )

    def action_arrive(self) -> None:
        if (key := self._key()) is None:
            return
        self._ask(
            TextDialog(
                f"The engineer is on site for {key}: the arrival clock stops now.",
                prompt="Note (optional, e.g. who met the engineer)",
                required=False,
                ok="Arrived",
            ),
            lambda note: self._call(key, "on site", tickets.arrive_ticket, note=note or None),
        )

    def action_escalate(self) -> None:
        if (key := self._key()) is None:
            return
        tiers = [("L2 support center", "L2"), ("L3 experts", "L3")]
        self._ask(
            FormDialog(
                f"Escalate {key}: the request waits for a decision",
                [Field("to", "To tier", kind="select", options=tiers, value="L2"), Field("reason", "Why")],
                ok="Request escalation",
            ),
            lambda v: self._call(
                key,
                f"escalation to {v['to']} requested",
                tickets.escalate_ticket,
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
                    f"Approve {key}: {request_text(pending)}?",
                    prompt="Hand it to (engineer id, optional)",
                    required=False,
                    suggestions=self._engineers,
                    ok="Approve",
                ),
                # "" is an answer here (approve, no one else): only None is a cancel.
                lambda who: self._call(key, "approved", tickets.approve_request, assign=who or None),
            )

        self._pending_then(key, ask)

    def action_deny(self) -> None:
        if (key := self._key()) is None:
            return

        def ask(pending: dict[str, Any]) -> None:
            self._ask(
                TextDialog(
                    f"Deny {key}: {request_text(pending)}?", prompt="Why (told to the requester)", ok="Deny"
                ),
                lambda why: self._call(key, "request denied", tickets.deny_request, reason=why),
            )

        self._pending_then(key, ask)

    def action_refer(self) -> None:
        if (key := self._key()) is None:
            return

        def ask(pending: dict[str, Any]) -> None:
            self._ask(
                TextDialog(
                    f"Refer {key} to the manager: {request_text(pending)}?",
                    prompt="Why the desk cannot decide (optional)",
                    required=False,
                    ok="Refer",
                ),
                lambda why: self._call(
                    key, "referred to the manager", tickets.refer_request, reason=why or None
                ),
            )

        self._pending_then(key, ask)

    def action_withdraw(self) -> None:
        if (key := self._key()) is None:
            return

        def ask(pending: dict[str, Any]) -> None:
            self._ask(
                TextDialog(
                    f"Withdraw on {key}: {request_text(pending)}?",
                    prompt="Why it is no longer needed",
                    ok="Withdraw",
                ),
                lambda why: self._call(key, "request withdrawn", tickets.withdraw_request, reason=why),
            )

        self._pending_then(key, ask)

    def action_priority(self) -> None:
        if (key := self._key()) is None:
            return
        ctx = self.app.ctx  # type: ignore[attr-defined]

        def ask(data: dict[str, Any]) -> None:
            def describe(values: dict[str, Any]) -> str:
                new = tickets.priority_for(ctx, impact=values["impact"], urgency=values["urgency"])
                return f"{data['priority']} now; {new} after the change (the due times are worked out again)"

            self._ask(
                FormDialog(
                    f"Priority of {key}: {data['title']}",
                    [
                        Field(
                            "impact", "Impact", kind="select", options=options(IMPACT), value=data["impact"]
                        ),
                        Field(
                            "urgency",
                            "Urgency",
                            kind="select",
                            options=options(URGENCY),
                            value=data["urgency"],
                        ),
                        Field("reason", "Why"),
                    ],
                    ok="Change",
                    describe=describe,
                ),
                lambda v: self._call(
                    key,
                    f"impact {v['impact']}, urgency {v['urgency']}: "
                    f"{tickets.priority_for(ctx, impact=v['impact'], urgency=v['urgency'])}",
                    tickets.reprioritize_ticket,
                    impact=v["impact"],
                    urgency=v["urgency"],
                    reason=v["reason"],
                ),
            )

        self._read(key, tickets.show_ticket, ask)

    def action_resolve(self) -> None:
        if (key := self._key()) is None:
            return
        self._ask(
            TextDialog(f"Resolve {key}", prompt="What fixed it", ok="Resolve"),
            lambda text: self._call(key, "resolved", tickets.resolve_ticket, resolution=text),
        )

    def action_confirm(self) -> None:
        if (key := self._key()) is None:
            return
        self._ask(
            TextDialog(
                f"The customer confirms {key} is resolved", prompt="Confirmed by (the customer's name)"
            ),
            lambda who: self._call(key, f"confirmed by {who}", tickets.confirm_ticket, by=who),
        )

    def action_not_fixed(self) -> None:
        if (key := self._key()) is None:
            return
        self._ask(
            FormDialog(
                f"The customer says {key} is not fixed: it is reopened and its resolution clock runs again.",
                [
                    Field("by", "Said by (the customer's name)"),
                    Field("note", "What is still wrong", kind="area"),
                ],
                ok="Reopen",
            ),
            lambda v: self._call(
                key, "reopened", tickets.confirm_ticket, by=v["by"], unresolved=True, note=v["note"]
            ),
        )

    def action_close_ticket(self) -> None:
        if (key := self._key()) is None:
            return
        self._ask(
            TextDialog(
                f"Close {key}",
                prompt="Service report (needed after on-site work; optional otherwise)",
                required=False,
                ok="Close",
            ),
            lambda report: self._call(key, "closed", tickets.close_ticket, report=report or None),
        )

    def action_review(self) -> None:
        if (key := self._key()) is None:
            return
        self._ask(
            FormDialog(
                f"Review major incident {key} (needed before it closes)",
                [
                    Field("root_cause", "Root cause", kind="area"),
                    Field("actions", "What prevents it again", kind="area"),
                ],
                ok="Save review",
            ),
            lambda v: self._call(
                key, "reviewed", tickets.review_ticket, root_cause=v["root_cause"], actions=v["actions"]
            ),
        )

    def action_reopen(self) -> None:
        if (key := self._key()) is None:
            return
        self._ask(
            TextDialog(
                f"Reopen {key}: it is not fixed after all; its resolution clock runs again.",
                prompt="Why",
                ok="Reopen",
            ),
            lambda why: self._call(key, "reopened", tickets.reopen_ticket, reason=why),
        )

    def action_cancel_ticket(self) -> None:
        """Irreversible: the reason first, then what the core says it would do, then a yes."""
        if (key := self._key()) is None:
            return

        def confirm(plan: dict[str, Any], reason: str) -> None:
            withdraws = f" Its pending {plan['withdraws']} request is withdrawn." if plan["withdraws"] else ""
            # Stored and typed text on one line each (safe.plain); the paragraph break is ours.
            question = Text.assemble(
                plain(
                    f"Cancel {plan['key']} ({plan['status']}, {plan['customer']}: {plan['title']}) "
                    f"because {reason!r}?"
                ),
                "\n\n",
                plain(f"A cancelled ticket cannot be reopened; its SLA clocks stop.{withdraws}"),
            )
            self._ask(
                ConfirmDialog(question, ok="Cancel the ticket"),
                lambda _: self._call(key, "cancelled", tickets.cancel_ticket, reason=reason),
            )

        self._ask(
            TextDialog(
                f"Cancel {key}", prompt="Why (opened by mistake, withdrawn by the customer)", ok="Next"
            ),
            lambda reason: self._read(
                key, tickets.preview_cancel, lambda plan: confirm(plan, reason), reason=reason
            ),
        )
