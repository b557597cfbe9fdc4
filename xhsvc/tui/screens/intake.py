"""Taking a call: find the caller as you type, see the contract and what it grants, open a ticket."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static
from textual_autocomplete import AutoComplete, DropdownItem, TargetState

from xhsvc.core import contracts, lookup, sla, tickets
from xhsvc.core.catalog import SERVICES
from xhsvc.core.text import display
from xhsvc.errors import XhsvcError
from xhsvc.tui.messages import Done, Failed, Loaded
from xhsvc.tui.safe import plain

LEVELS = [(f"{n} — {label}", n) for n, label in ((1, "highest"), (2, "high"), (3, "medium"), (4, "low"))]


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

    def post_completion(self) -> None:
        super().post_completion()
        self.intake.choose(self.target.value)


class IntakeScreen(ModalScreen[str | None]):
    """The intake form; returns the new ticket's key, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "save", "Save")]

    def __init__(self) -> None:
        super().__init__()
        self.customer: str | None = None
        self.level: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="intake"):
            yield Label("Take a call 受理来电 — type a phone number, a name or a serial", id="intake-title")
            caller = Input(placeholder="caller: 0571-8723 5001 / 华信 / XS8K-2024", id="caller")
            yield caller
            yield CallerComplete(caller, self)
            with VerticalScroll(id="caller-box"):
                yield Static("No customer chosen yet.", id="caller-info")
            yield Input(placeholder="title: what the caller reports", id="title")
            yield Input(placeholder="contact: name/phone of the caller", id="contact")
            with Horizontal(classes="row"):
                yield Select(LEVELS, prompt="impact", value=3, id="impact", allow_blank=False)
                yield Select(LEVELS, prompt="urgency", value=3, id="urgency", allow_blank=False)
                yield Select(
                    [(f"{k} {v.split(' ')[0]}", k) for k, v in SERVICES.items()],
                    value="remote",
                    id="service",
                    allow_blank=False,
                )
            with Horizontal(classes="row"):
                yield Select([], prompt="asset (optional)", id="asset")
                yield Checkbox("major incident", id="major")
            yield Static("", id="promise")
            with Horizontal(id="intake-buttons"):
                yield Button("Open ticket (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#caller", Input).focus()

    # Choosing the caller ----------------------------------------------------------------------

    @on(Input.Submitted, "#caller")
    def submitted(self, event: Input.Submitted) -> None:
        self.choose(event.value)

    def choose(self, text: str) -> None:
        if text.strip():
            self.load_caller(text.strip())

    @work(thread=True, group="caller")
    def load_caller(self, text: str) -> None:
        ctx = self.app.ctx  # type: ignore[attr-defined]
        try:
            found = lookup.lookup(ctx, text=text, limit=1)
            usage = None
            if found:
                active = [c for c in found[0]["contracts"] if c["state"] == "active"]
                if active:
                    usage = contracts.contract_usage(ctx, number=active[0]["number"])
        except XhsvcError as e:
            self.post_message(Failed(str(e), title="Caller"))
            return
        self.post_message(Loaded((found[0] if found else None, usage)))

    def on_loaded(self, event: Loaded) -> None:
        row, usage = event.data  # type: ignore[misc]
        self.show_caller(row, usage)

    def on_failed(self, event: Failed) -> None:
        self.notify(event.text, title=event.title, severity="error", timeout=8)

    def on_done(self, event: Done) -> None:
        self.dismiss(event.key)

    def show_caller(self, row: dict[str, Any] | None, usage: dict[str, Any] | None) -> None:
        info = self.query_one("#caller-info", Static)
        assets = self.query_one("#asset", Select)
        if row is None:
            self.customer = None
            info.update(
                Text("No customer matches; add it with `xhsvc customer add` first.", style="bold red")
            )
            assets.set_options([])
            return
        # The customer is kept as stored; the form shows it harmlessly.
        self.customer = row["customer"]
        self.query_one("#caller", Input).value = display(row["customer"])
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold")
        grid.add_column()
        grid.add_row("Customer", plain(f"{row['customer']}  [{row['region'] or '?'}]"))
        grid.add_row(
            "Coverage",
            plain(
                ("covered: " if row["covered"] else "NOT covered: ") + row["coverage"],
                style="green" if row["covered"] else "bold red",
            ),
        )
        for c in row["contracts"]:
            grid.add_row(
                "Contract",
                plain(
                    f"{c['number']}  {c['level']}  {c['state']}  {c['start']} .. {c['end']}  ({c['coverage_hours']})"
                ),
            )
        if usage:
            left = ", ".join(f"{k} {v['left']}/{v['granted']}" for k, v in usage["entitlements"].items())
            grid.add_row("Left this term", plain(left))
            self.level = usage["level"]
        else:
            self.level = None
        for site in row["sites"]:
            grid.add_row("Site", plain(f"{site['name']}  {site['address'] or ''}"))
        for contact in row["contacts"]:
            grid.add_row(
                "Contact", plain(f"{contact['name']}  {contact['phone'] or ''}  {contact['role'] or ''}")
            )
        info.update(grid)
        assets.set_options([(plain(f"{a['serial']}  {a['model']}"), a["serial"]) for a in row["assets"]])
        self.update_promise()
        self.query_one("#title", Input).focus()

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
        due = "  ".join(f"{p.target} by {p.due_at.astimezone(zone):%m-%d %H:%M}" for p in promises)
        self.query_one("#promise", Static).update(plain(f"{priority} ({level}): {due}"))

    # Saving -----------------------------------------------------------------------------------

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        if not self.customer:
            self.notify("choose the caller first (type, then pick or press Enter)", severity="warning")
            return
        asset = self.query_one("#asset", Select).value
        self.save(
            customer=self.customer,
            title=self.query_one("#title", Input).value,
            contact=self.query_one("#contact", Input).value or None,
            impact=self.query_one("#impact", Select).value,
            urgency=self.query_one("#urgency", Select).value,
            service=self.query_one("#service", Select).value,
            major=self.query_one("#major", Checkbox).value,
            asset=asset if isinstance(asset, str) else None,
        )

    @work(thread=True, group="save")
    def save(self, **fields: Any) -> None:
        try:
            opened = tickets.open_ticket(self.app.ctx, **fields)  # type: ignore[attr-defined]
        except XhsvcError as e:
            self.post_message(Failed(str(e), title="Not opened"))
            return
        self.post_message(Done(opened.ticket.key, "opened"))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
