"""Taking a call: find the caller as you type, see the contract and what it grants, open a ticket.

Every field has a label above it (a placeholder vanishes as soon as the agent types); the fields
scroll on a small terminal while the buttons stay in sight.
"""

from __future__ import annotations

import re
from typing import Any

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea
from textual_autocomplete import AutoComplete, DropdownItem, TargetState

from xhsvc.core import contracts, lookup, sla, tickets
from xhsvc.core.catalog import SERVICES
from xhsvc.core.text import display
from xhsvc.errors import XhsvcError
from xhsvc.i18n import _
from xhsvc.tui.knowledge import SuggestedNotes
from xhsvc.tui.levels import IMPACT, URGENCY, options
from xhsvc.tui.messages import Done, Failed, Loaded, Understood
from xhsvc.tui.safe import plain


def _digits(text: str) -> str:
    # Leading zeros (the trunk 0, 0086) differ between how a number is typed and stored.
    return re.sub(r"\D", "", text).lstrip("0")


def caller_contact(typed: str, contacts: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The contact whose phone is the number the agent typed (87235001 finds 0571-8723 5001,
    +86 571 8723 5001 too), or None when no phone was typed or none matches."""
    wanted = _digits(typed)
    if len(wanted) < 7 or re.search(r"[^\d\s()+\-]", typed):
        return None
    for contact in contacts:
        phone = _digits(contact["phone"] or "")
        if len(phone) >= 7 and (phone.endswith(wanted) or wanted.endswith(phone)):
            return contact
    return None


class CallerComplete(AutoComplete):
    """Suggests customers from a phone number, part of a name or a serial, as the agent types."""

    def __init__(self, target: Input, screen: IntakeScreen) -> None:
        super().__init__(target)
        self.intake = screen

    def get_candidates(self, target_state: TargetState) -> list[DropdownItem]:
        text = target_state.text.strip()
        if len(text) < 2:
            return []
        try:
            found = lookup.lookup(self.intake.app.ctx, text=text, limit=8)  # type: ignore[attr-defined]
        except XhsvcError:
            return []
        return [
            DropdownItem(display(row["customer"]), prefix="✓ " if row["covered"] else "✗ ") for row in found
        ]

    def get_matches(
        self, target_state: TargetState, candidates: list[DropdownItem], search_string: str
    ) -> list[DropdownItem]:
        # The lookup already matched phones, serials and names: show all it found.
        return candidates

    def apply_completion(self, value: str, state: TargetState) -> None:
        # What the agent typed (a phone number) before the pick puts the customer's name there;
        # kept after, as the completion asks for candidates again with the name.
        typed = state.text.strip()
        super().apply_completion(value, state)
        self.intake.typed = typed

    def post_completion(self) -> None:
        super().post_completion()
        self.intake.choose(self.target.value, typed=self.intake.typed)


class IntakeScreen(ModalScreen[str | None]):
    """The intake form; returns the new ticket's key, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", _("Cancel")), Binding("ctrl+s", "save", _("Save"))]

    def __init__(self) -> None:
        super().__init__()
        self.customer: str | None = None
        self.level: str | None = None
        self.typed = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="intake"):
            yield Label(_("Take a call 受理来电"), id="intake-title")
            with VerticalScroll(id="intake-fields"):
                yield Label(
                    _("Caller: phone number, customer name or serial (Enter looks it up)"),
                    classes="field-label",
                )
                caller = Input(placeholder="0571-8723 5001 / 华信 / XS8K-2024", id="caller")
                yield caller
                yield CallerComplete(caller, self)
                with VerticalScroll(id="caller-box"):
                    yield Static(_("No customer chosen yet."), id="caller-info")
                yield Label(_("Title: what the caller reports"), classes="field-label")
                yield Input(id="title")
                yield Label(_("Description (optional)"), classes="field-label")
                yield TextArea(id="description", classes="area")
                yield SuggestedNotes(id="intake-notes")
                with Horizontal(classes="row"):
                    with Vertical(classes="col"):
                        yield Label(_("Contact: name/phone"), classes="field-label")
                        yield Input(placeholder="张伟/13800001111", id="contact")
                    with Vertical(classes="col"):
                        yield Label(_("Called at (empty: now)"), classes="field-label")
                        yield Input(placeholder=_("08:40 / 昨天 16:30 / 2h ago"), id="reported")
                yield Static("", id="reported-shown")
                with Horizontal(classes="row"):
                    with Vertical(classes="col"):
                        yield Label(_("Impact"), classes="field-label")
                        yield Select(options(IMPACT), value=3, id="impact", allow_blank=False)
                    with Vertical(classes="col"):
                        yield Label(_("Urgency"), classes="field-label")
                        yield Select(options(URGENCY), value=3, id="urgency", allow_blank=False)
                with Horizontal(classes="row"):
                    with Vertical(classes="col"):
                        yield Label(_("Service"), classes="field-label")
                        yield Select(
                            [(f"{k} {v.split(' ')[0]}", k) for k, v in SERVICES.items()],
                            value="remote",
                            id="service",
                            allow_blank=False,
                        )
                    with Vertical(classes="col"):
                        yield Label(_("Asset (optional)"), classes="field-label")
                        yield Select([], prompt=_("no asset"), id="asset")
                yield Checkbox(_("major incident (impact 1 always is)"), id="major")
                yield Static("", id="promise")
            with Horizontal(id="intake-buttons"):
                yield Button(_("Open ticket (ctrl+s)"), variant="primary", id="save")
                yield Button(_("Cancel (esc)"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#caller", Input).focus()

    # Choosing the caller ----------------------------------------------------------------------

    @on(Input.Submitted, "#caller")
    def submitted(self, event: Input.Submitted) -> None:
        self.choose(event.value)

    def choose(self, text: str, *, typed: str | None = None) -> None:
        if text.strip():
            self.load_caller(text.strip(), (typed or text).strip())

    @work(thread=True, group="caller")
    def load_caller(self, text: str, typed: str) -> None:
        ctx = self.app.ctx  # type: ignore[attr-defined]
        try:
            found = lookup.lookup(ctx, text=text, limit=1)
            usage = None
            if found:
                active = [c for c in found[0]["contracts"] if c["state"] == "active"]
                if active:
                    usage = contracts.contract_usage(ctx, number=active[0]["number"])
        except XhsvcError as e:
            self.post_message(Failed(str(e), title=_("Caller")))
            return
        self.post_message(Loaded((found[0] if found else None, usage, typed)))

    def on_loaded(self, event: Loaded) -> None:
        row, usage, typed = event.data  # type: ignore[misc]
        self.show_caller(row, usage, typed)

    def on_failed(self, event: Failed) -> None:
        self.notify(event.text, title=event.title, severity="error", timeout=8)

    def on_done(self, event: Done) -> None:
        self.dismiss(event.key)

    def show_caller(self, row: dict[str, Any] | None, usage: dict[str, Any] | None, typed: str = "") -> None:
        info = self.query_one("#caller-info", Static)
        assets = self.query_one("#asset", Select)
        if row is None:
            self.customer = None
            info.update(
                Text(_("No customer matches; add it with `xhsvc customer add` first."), style="bold red")
            )
            assets.set_options([])
            return
        # The customer is kept as stored; the form shows it harmlessly.
        self.customer = row["customer"]
        self.query_one("#caller", Input).value = display(row["customer"])
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold")
        grid.add_column()
        grid.add_row(_("Customer"), plain(f"{row['customer']}  [{row['region'] or '?'}]"))
        grid.add_row(
            _("Coverage"),
            plain(
                (_("covered: {coverage}") if row["covered"] else _("NOT covered: {coverage}")).format(
                    coverage=row["coverage_text"]
                ),
                style="green" if row["covered"] else "bold red",
            ),
        )
        for c in row["contracts"]:
            grid.add_row(
                _("Contract"),
                plain(
                    f"{c['number']}  {c['level']}  {c['state']}  {c['start']} .. {c['end']}  ({c['coverage_hours']})"
                ),
            )
        if usage:
            left = ", ".join(f"{k} {v['left']}/{v['granted']}" for k, v in usage["entitlements"].items())
            grid.add_row(_("Left this term"), plain(left))
            self.level = usage["level"]
        else:
            self.level = None
        for site in row["sites"]:
            grid.add_row(_("Site"), plain(f"{site['name']}  {site['address'] or ''}"))
        for contact in row["contacts"]:
            grid.add_row(
                _("Contact"), plain(f"{contact['name']}  {contact['phone'] or ''}  {contact['role'] or ''}")
            )
        info.update(grid)
        assets.set_options([(plain(f"{a['serial']}  {a['model']}"), a["serial"]) for a in row["assets"]])
        # Found by the caller's own number: that contact is who is calling (unless the agent
        # already wrote someone). Shown as display() makes it, as the caller field is.
        contact = caller_contact(typed, row["contacts"])
        contact_field = self.query_one("#contact", Input)
        if contact is not None and not contact_field.value.strip():
            contact_field.value = display(f"{contact['name']}/{contact['phone']}")
        self.update_promise()
        self.query_one("#title", Input).focus()

    # The time of the call -----------------------------------------------------------------------

    @on(Input.Changed, "#reported")
    def reported_changed(self, event: Input.Changed) -> None:
        text = event.value.strip()
        if not text:
            self.query_one("#reported-shown", Static).update("")
            return
        self.read_reported(text)

    @work(thread=True, exclusive=True, group="reported")
    def read_reported(self, text: str) -> None:
        # A worker: the core reads loose times with dateparser, slow to import the first time.
        try:
            moment = tickets.parse_instant(self.app.ctx, text, "reported-at")  # type: ignore[attr-defined]
        except XhsvcError as e:
            self.post_message(Understood(text, None, str(e)))
            return
        self.post_message(Understood(text, moment))

    def on_understood(self, event: Understood) -> None:
        if event.typed != self.query_one("#reported", Input).value.strip():
            return  # typed on since
        shown = self.query_one("#reported-shown", Static)
        if event.moment is None:
            shown.update(plain(event.error or "", style="bold red"))
        else:
            zone = self.app.zone  # type: ignore[attr-defined]
            shown.update(
                plain(f"= {event.moment.astimezone(zone):%Y-%m-%d %H:%M} ({zone.key})", style="green")
            )

    @on(Select.Changed)
    def update_promise(self) -> None:
        impact = self.query_one("#impact", Select).value
        urgency = self.query_one("#urgency", Select).value
        if not isinstance(impact, int) or not isinstance(urgency, int):
            return
        ctx = self.app.ctx  # type: ignore[attr-defined]
        priority = tickets.priority_for(ctx, impact=impact, urgency=urgency)
        level = self.level or sla.out_of_contract_level(ctx)
        try:
            promises = sla.due_times(ctx, level=level, priority=priority)
        except XhsvcError:
            return
        zone = self.app.zone  # type: ignore[attr-defined]
        due = "  ".join(
            _("{target} by {time}").format(target=p.target, time=f"{p.due_at.astimezone(zone):%m-%d %H:%M}")
            for p in promises
        )
        self.query_one("#promise", Static).update(plain(f"{priority} ({level}): {due}"))

    @on(Input.Changed, "#title")
    @on(TextArea.Changed, "#description")
    @on(Select.Changed, "#asset")
    def look_for_notes(self) -> None:
        """The knowledge notes alike to what the caller reports (their system's model first),
        looked for once typing pauses (tui/knowledge.py)."""
        asset = self.query_one("#asset", Select).value
        words = f"{self.query_one('#title', Input).value}\n{self.query_one('#description', TextArea).text}"
        self.query_one("#intake-notes", SuggestedNotes).look_soon(
            asset=asset if isinstance(asset, str) else None, text=words
        )

    # Saving -----------------------------------------------------------------------------------

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        if not self.customer:
            self.notify(_("choose the caller first (type, then pick or press Enter)"), severity="warning")
            return
        asset = self.query_one("#asset", Select).value
        self.save(
            self.query_one("#reported", Input).value.strip(),
            customer=self.customer,
            title=self.query_one("#title", Input).value,
            description=self.query_one("#description", TextArea).text.strip() or None,
            contact=self.query_one("#contact", Input).value.strip() or None,
            impact=self.query_one("#impact", Select).value,
            urgency=self.query_one("#urgency", Select).value,
            service=self.query_one("#service", Select).value,
            major=self.query_one("#major", Checkbox).value,
            asset=asset if isinstance(asset, str) else None,
        )

    @work(thread=True, group="save")
    def save(self, reported: str, **fields: Any) -> None:
        ctx = self.app.ctx  # type: ignore[attr-defined]
        try:
            if reported:
                fields["reported_at"] = tickets.parse_instant(ctx, reported, "reported-at")
            opened = tickets.open_ticket(ctx, **fields)
        except XhsvcError as e:
            self.post_message(Failed(str(e), title=_("Not opened")))
            return
        self.post_message(Done(opened.ticket.key, "opened"))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
