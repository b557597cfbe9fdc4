"""The ticket actions the queue and the ticket screen share: keys, dialogs, one core call each.

A core call runs in a worker thread; what the core refuses comes back as an error notification,
and nothing is half-written (each call is one transaction in the core).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.binding import Binding
from textual.screen import Screen

from xhsvc.core import people, tickets
from xhsvc.errors import XhsvcError
from xhsvc.tui.dialogs import TextDialog
from xhsvc.tui.messages import Done, Failed, TicketChanged

TICKET_BINDINGS = [
    Binding("n", "new_ticket", "New call"),
    Binding("a", "assign", "Assign"),
    Binding("r", "respond", "Respond"),
    Binding("c", "comment", "Comment", show=False),
    Binding("o", "onsite", "On-site", show=False),
    Binding("e", "escalate", "Escalate"),
    Binding("p", "approve", "Approve"),
    Binding("d", "deny", "Deny", show=False),
    Binding("f", "refer", "Refer", show=False),
    Binding("v", "resolve", "Resolve", show=False),
    Binding("k", "confirm", "Confirm", show=False),
    Binding("x", "close_ticket", "Close", show=False),
]

# name, what it does: for the help screen and the command palette.
ACTIONS: list[tuple[str, str, str]] = [
    ("n", "new_ticket", "Take a call: find the caller, see the contract, open a ticket"),
    ("a", "assign", "Assign the ticket to an engineer of its tier"),
    ("r", "respond", "First response (the assignee)"),
    ("c", "comment", "Add a work note"),
    ("o", "onsite", "Request on-site work"),
    ("e", "escalate", "Request escalation to L2 or L3"),
    ("p", "approve", "Approve the pending request"),
    ("d", "deny", "Deny the pending request"),
    ("f", "refer", "Refer the pending request to the manager"),
    ("v", "resolve", "Resolve"),
    ("k", "confirm", "Record the customer's confirmation"),
    ("x", "close_ticket", "Close the ticket"),
]


class TicketActions(Screen[Any]):
    """A screen that has a current ticket and offers the ticket actions on it."""

    def current_key(self) -> str | None:  # pragma: no cover - each screen says
        raise NotImplementedError

    # Plumbing ---------------------------------------------------------------------------------

    def _call(self, done: str, fn: Callable[..., Any], **kwargs: Any) -> None:
        key = self.current_key()
        if key is None:
            self.notify("no ticket selected", severity="warning")
            return
        ctx = self.app.ctx  # type: ignore[attr-defined]

        def work() -> None:
            try:
                fn(ctx, key=key, **kwargs)
            except XhsvcError as e:
                self.post_message(Failed(str(e)))
                return
            self.post_message(Done(key, done))

        self.run_worker(work, thread=True, group="actions")

    def on_done(self, event: Done) -> None:
        self.notify(f"{event.key}: {event.text}")
        # This screen shows the change at once; the others reload when they come back.
        self.post_message(TicketChanged(event.key))

    def on_failed(self, event: Failed) -> None:
        self.notify(event.text, title=event.title, severity="error", timeout=8)

    def _ask(self, title: str, then: Callable[[str], None], *, required: bool = True, **kwargs: Any) -> None:
        if self.current_key() is None:
            self.notify("no ticket selected", severity="warning")
            return

        def answered(value: str | None) -> None:
            if value is not None:
                then(value)

        self.app.push_screen(TextDialog(title, required=required, **kwargs), answered)

    def _engineers(self) -> list[str]:
        ctx = self.app.ctx  # type: ignore[attr-defined]
        return [p.handle for role in ("engineer", "expert") for p in people.list_people(ctx, role=role)]

    # Actions ----------------------------------------------------------------------------------

    def action_new_ticket(self) -> None:
        from xhsvc.tui.screens.intake import IntakeScreen

        def opened(key: str | None) -> None:
            if key:
                self.notify(f"{key} opened")
                self.post_message(TicketChanged(key))

        self.app.push_screen(IntakeScreen(), opened)

    def action_assign(self) -> None:
        self._ask(
            "Assign to (engineer id)",
            lambda who: self._call(f"assigned to {who}", tickets.assign_ticket, assignee=who),
            suggestions=self._engineers,
        )

    def action_respond(self) -> None:
        self._ask(
            "First response: what was done (optional)",
            lambda note: self._call("in progress", tickets.respond_ticket, note=note or None),
            required=False,
        )

    def action_comment(self) -> None:
        self._ask("Work note", lambda text: self._call("noted", tickets.comment_ticket, text=text))

    def action_onsite(self) -> None:
        self._ask(
            "On-site work: why",
            lambda why: self._call("on-site work requested", tickets.request_onsite, reason=why),
        )

    def action_escalate(self) -> None:
        def to_tier(tier: str) -> None:
            self._ask(
                f"Escalate to {tier.upper()}: why",
                lambda why: self._call(
                    f"escalation to {tier.upper()} requested",
                    tickets.escalate_ticket,
                    to=tier.upper(),
                    reason=why,
                ),
            )

        self._ask("Escalate to which tier (L2 or L3)", to_tier, placeholder="L2")

    def action_approve(self) -> None:
        self._ask(
            "Approve: hand it to (engineer id, optional)",
            lambda who: self._call("approved", tickets.approve_request, assign=who or None),
            required=False,
            suggestions=self._engineers,
        )

    def action_deny(self) -> None:
        self._ask("Deny: why", lambda why: self._call("request denied", tickets.deny_request, reason=why))

    def action_refer(self) -> None:
        self._ask(
            "Refer to the manager: why (optional)",
            lambda why: self._call("referred to the manager", tickets.refer_request, reason=why or None),
            required=False,
        )

    def action_resolve(self) -> None:
        self._ask(
            "Resolution: what fixed it",
            lambda text: self._call("resolved", tickets.resolve_ticket, resolution=text),
        )

    def action_confirm(self) -> None:
        self._ask(
            "Confirmed by (the customer's name)",
            lambda who: self._call(f"confirmed by {who}", tickets.confirm_ticket, by=who),
        )

    def action_close_ticket(self) -> None:
        self._ask(
            "Close: service report text (needed after on-site work; optional otherwise)",
            lambda report: self._call("closed", tickets.close_ticket, report=report or None),
            required=False,
        )
