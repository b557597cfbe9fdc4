"""The manager's view: the queue in numbers, and the month's SLA — its compliance, a sparkline of
the breaches per day and the latest breaches (core/manager_reports.py, read in a worker)."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Sparkline, Static

from xhsvc.core.labels import request_kind_label, status_label, target_label
from xhsvc.core.queue import manager_view
from xhsvc.core.report_charts import pct
from xhsvc.errors import NotAllowed, XhsvcError
from xhsvc.i18n import _
from xhsvc.tui.messages import Failed, Loaded
from xhsvc.tui.safe import plain
from xhsvc.tui.widgets.header import DeskHeader

# The latest breaches the view lists.
BREACHES_SHOWN = 10


class ManagerScreen(Screen[None]):
    BINDINGS = [Binding("escape", "app.pop_screen", _("Back")), Binding("m", "app.pop_screen", _("Queue"))]
    DEFAULT_CSS = """
    ManagerScreen #sla { padding: 0 2; height: auto; }
    ManagerScreen #trend { margin: 0 2; height: 3; width: 64; }
    ManagerScreen #trend-label { padding: 0 2; color: $text-muted; }
    ManagerScreen #breaches { padding: 1 2; height: auto; }
    """

    def compose(self) -> ComposeResult:
        yield DeskHeader(show_clock=self.app.show_clock)  # type: ignore[attr-defined]
        with VerticalScroll():
            yield Static(_("loading ..."), id="figures")
            yield Static("", id="sla")
            yield Sparkline([], id="trend")
            yield Static("", id="trend-label")
            yield Static("", id="breaches")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.load()
        self.set_interval(self.app.refresh_seconds, self.load)  # type: ignore[attr-defined]

    @work(thread=True, group="manager")
    def load(self) -> None:
        from xhsvc.core.manager_reports import sla_report

        try:
            data = manager_view(self.app.ctx)  # type: ignore[attr-defined]
            try:
                data["sla"] = sla_report(self.app.ctx, breaches_shown=BREACHES_SHOWN)  # type: ignore[attr-defined]
            except NotAllowed:
                data["sla"] = None  # the month's SLA is for managers and admins
        except XhsvcError as e:
            self.post_message(Failed(str(e), title=_("Manager view")))
            return
        self.post_message(Loaded(data))

    def on_screen_resume(self) -> None:
        self.load()

    def on_loaded(self, event: Loaded) -> None:
        self.show(event.data)  # type: ignore[arg-type]

    def on_failed(self, event: Failed) -> None:
        self.notify(event.text, title=event.title, severity="error")

    def show(self, data: dict[str, Any]) -> None:
        grid = Table.grid(padding=(1, 4))
        headline = Table.grid(padding=(0, 3))
        for label, value, style in (
            (_("Major incidents open"), data["major_open"], "bold red"),
            (_("Overdue now"), data["overdue_now"], "bold red"),
            (_("Breaches today"), data["breached_today"], "bold yellow"),
            (_("Requests waiting"), sum(data["approvals_waiting"].values()), "bold cyan"),
        ):
            headline.add_row(Text(label), Text(str(value), style=style if value else "green"))
        statuses = Table(title=_("Open tickets by status"), title_justify="left")
        statuses.add_column(_("Status"))
        statuses.add_column(_("Tickets"), justify="right")
        for status in ("new", "assigned", "in_progress", "waiting_customer", "resolved"):
            statuses.add_row(status_label(status), str(data["by_status"].get(status, 0)))
        tiers = Table(title=_("By tier"), title_justify="left")
        tiers.add_column(_("Tier"))
        tiers.add_column(_("Tickets"), justify="right")
        for tier in ("L1", "L2", "L3"):
            tiers.add_row(tier, str(data["by_tier"].get(tier, 0)))
        waiting = Table(title=_("Requests waiting"), title_justify="left")
        waiting.add_column(_("Kind"))
        waiting.add_column(_("Waiting"), justify="right")
        for kind in ("onsite", "escalation", "l2_onsite"):
            waiting.add_row(request_kind_label(kind), str(data["approvals_waiting"].get(kind, 0)))
        grid.add_row(headline)
        grid.add_row(statuses, tiers, waiting)
        self.query_one("#figures", Static).update(grid)
        self.show_sla(data.get("sla"))

    def show_sla(self, report: Any) -> None:
        """The month's compliance, breaches per day as a sparkline, the latest breaches."""
        sla, trend = self.query_one("#sla", Static), self.query_one("#trend", Sparkline)
        label, breaches = self.query_one("#trend-label", Static), self.query_one("#breaches", Static)
        if report is None:
            sla.update(Text(_("The month's SLA figures are for managers and admins.")))
            trend.display = label.display = breaches.display = False
            return
        total = report.total
        line = Text(_("SLA {month}").format(month=report.month) + "   ", style="bold")
        line.append(
            _("compliance {compliance}").format(compliance=pct(total.compliance)),
            style=_style(total.compliance),
        )
        line.append(
            "   " + _("met {met}, breached {breached}").format(met=total.met, breached=total.breached)
        )
        line.append("   " + _("tickets {count}").format(count=total.tickets))
        line.append("   " + _("reopen rate {rate}").format(rate=pct(total.reopen_rate)))
        for target in ("response", "onsite", "resolution"):
            figures = total.targets[target]
            if figures["met"] + figures["breached"]:
                line.append("\n  " + _("{target}: {compliance} ({met} met, {breached} breached)").format(
                    target=target_label(target), compliance=pct(figures["compliance"]),
                    met=figures["met"], breached=figures["breached"]))  # fmt: skip
        sla.update(line)
        trend.data = [day.breached for day in report.daily]
        first, last = report.daily[0].day, report.daily[-1].day
        label.update(
            Text(
                _("Breaches per day, {first} to {last}").format(first=f"{first:%m-%d}", last=f"{last:%m-%d}")
            )
        )
        trend.display = label.display = breaches.display = True
        table = Table(
            title=_("Breaches ({shown} latest of {total})").format(
                shown=len(report.breaches), total=report.breaches_total
            ),
            title_justify="left",
        )
        for heading in (_("Ticket"), _("Target"), _("Breached at"), _("Engineer"), _("Customer"), _("Title")):
            table.add_column(heading)
        for b in report.breaches:
            # Stored text as it is, never read as markup.
            table.add_row(plain(b["key"]), target_label(b["target"]), self.local(b["breached_at"]),
                          plain(b["assignee"]), plain(b["customer"]), plain(b["title"]))  # fmt: skip
        breaches.update(table if report.breaches else Text(_("No SLA breaches this month.")))

    def local(self, moment: Any) -> str:
        from zoneinfo import ZoneInfo

        zone = ZoneInfo(self.app.ctx.settings.timezone)  # type: ignore[attr-defined]
        return moment.astimezone(zone).strftime("%m-%d %H:%M")


def _style(compliance: float | None) -> str:
    if compliance is None:
        return ""
    return "bold green" if compliance >= 95 else "bold yellow" if compliance >= 80 else "bold red"
