"""The service report (服务报告): the document a ticket's work ends with, written from the ticket.

Who the customer is and where, which system, the fault as it was reported, what was done (the
ticket's history and the time logged), the parts replaced, the time on site, the resolution, the
customer's confirmation and a block for both sides to sign. Markdown to keep with the ticket,
self-contained printable HTML (A4), and PDF through WeasyPrint where it is installed.

`ticket close` on on-site work stores the Markdown report when none was attached.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from xhsvc.core.clock import local_minute
from xhsvc.core.context import Context, Tx
from xhsvc.core.contracts import explain_note
from xhsvc.core.documents import pdf_from_html, render_document
from xhsvc.core.said import summary_of
from xhsvc.errors import InvalidInput, NotFound
from xhsvc.i18n import _
from xhsvc.store import queries, worklog_queries
from xhsvc.store.tables import Ticket

FORMATS = ("md", "html", "pdf")
# What the service history leaves out: the clocks' and the rules' own bookkeeping, and the
# notifications, which a customer's document has no use for.
_NOT_WORK = ("sla_clock.", "rule.", "notification.")
KIND_LABELS = {"remote": "远程 Remote", "onsite": "现场 On site", "travel": "路途 Travel"}
STATUS_LABELS = {
    "new": "新建 New",
    "assigned": "已分派 Assigned",
    "in_progress": "处理中 In progress",
    "waiting_customer": "等待客户 Waiting for the customer",
    "resolved": "已解决 Resolved",
    "closed": "已关闭 Closed",
    "cancelled": "已取消 Cancelled",
}


def report_data(tx: Tx, ticket: Ticket, *, tz_name: str) -> dict[str, Any]:
    """Everything the service report shows, read in `tx` (close writes the report it reads)."""
    conn = tx.conn
    tz = ZoneInfo(tz_name)
    customer = queries.get_customer(conn, ticket.customer_id)
    site = queries.get_site_by_id(conn, ticket.site_id) if ticket.site_id else None
    asset = queries.get_asset(conn, ticket.asset_id) if ticket.asset_id else None
    contract = queries.get_contract(conn, ticket.contract_id) if ticket.contract_id else None
    engineer = queries.get_person(conn, ticket.assignee_id) if ticket.assignee_id else None
    work = worklog_queries.work_entries(conn, ticket_id=ticket.id)
    minutes = {kind: sum(w["minutes"] for w in work if w["kind"] == kind) for kind in KIND_LABELS}
    history = [
        {"at": local_minute(e["at"], tz), "actor": e["actor"], "summary": summary_of(e["payload"])}
        for e in queries.ticket_events(conn, ticket.id)
        if not e["kind"].startswith(_NOT_WORK)
    ]
    return {
        "ticket": {
            "key": ticket.key,
            "title": ticket.title,
            "description": ticket.description,
            "status": STATUS_LABELS.get(ticket.status, ticket.status),
            "priority": ticket.priority,
            "major": ticket.major,
            "service": ticket.service,
            "contact": ticket.contact,
            "reported_at": local_minute(ticket.reported_at or ticket.created_at, tz),
            "resolved_at": local_minute(ticket.resolved_at, tz),
            "closed_at": local_minute(ticket.closed_at, tz),
            "resolution": ticket.resolution,
            "onsite": ticket.onsite,
            "coverage_note": explain_note(ticket.coverage_note),
        },
        "customer": customer.name if customer else None,
        "site": {"name": site.name, "address": site.address, "city": site.city} if site else None,
        "systems": (
            [{"model": asset.model, "serial": asset.serial, "firmware": asset.firmware}] if asset else []
        ),
        "contract": contract.number if contract else None,
        "level": ticket.sla_level,
        "engineer": {"name": engineer.name, "handle": engineer.handle} if engineer else None,
        "work": [
            {
                "at": local_minute(w["started_at"], tz),
                "person": w["person_name"],
                "kind": KIND_LABELS[w["kind"]],
                "minutes": w["minutes"],
                "note": w["note"],
            }
            for w in work
        ],
        "minutes": minutes,
        "parts": [
            {**p, "replaced_at": local_minute(p["replaced_at"], tz)}
            for p in worklog_queries.parts_of(conn, ticket.id)
        ],
        "history": history,
        "confirmation": (
            {"by": ticket.confirmed_by, "at": local_minute(ticket.confirmed_at, tz)}
            if ticket.confirmed_at
            else None
        ),
        "written_at": local_minute(tx.now, tz),
    }


def closing_report(tx: Tx, ticket: Ticket, *, tz_name: str) -> str:
    """The Markdown report that `ticket close` keeps: as it reads once the ticket is closed."""
    data = report_data(tx, ticket, tz_name=tz_name)
    data["ticket"]["status"] = STATUS_LABELS["closed"]
    data["ticket"]["closed_at"] = local_minute(tx.now, ZoneInfo(tz_name))
    return render_report(data, "md")


def render_report(data: dict[str, Any], fmt: str) -> str:
    return render_document("service-report", fmt=fmt, data=data)


def service_report(ctx: Context, *, key: str, fmt: str = "md") -> str | bytes:
    """Ticket `key`'s service report as it stands now: Markdown or HTML text, or PDF bytes."""
    if fmt not in FORMATS:
        raise InvalidInput(_("format {format!r}: must be md, html or pdf").format(format=fmt))
    with ctx.reading() as tx:
        ticket = queries.get_ticket(tx.conn, key)
        if ticket is None:
            raise NotFound(_("ticket {key!r} not found").format(key=key))
        data = report_data(tx, ticket, tz_name=ctx.settings.timezone)
    if fmt == "pdf":
        return pdf_from_html(render_report(data, "html"))
    return render_report(data, fmt)
