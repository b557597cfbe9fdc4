"""The customer's monthly review (客户服务回顾): one customer's month, written for the customer.

What it holds, for a calendar month in the desk's time zone (`worklogs.month_range`):
- a header: the customer, the period, the contract terms in force in it with their level, who
  wrote the review and when;
- the tickets recorded in the month (cancelled ones too, so the customer sees every call it made),
  counted by priority and by status, and one line each: key, when recorded, title, priority,
  status, when resolved and closed, and its SLA as it stands now — breached (and which targets)
  when any clock of any cycle was breached, met when every clock stopped in time, running while a
  clock still runs within its time, a dash when no clock applies (no contract, or cancelled);
- the SLA of the month: `manager_reports.sla_report` for the customer (clocks decided in the
  month; compliance per target, mean and p90 time to respond and to resolve, reopen rate);
- the major incidents recorded in the month with their reviews (`majors_report`);
- the visits (inspections and the other scheduled services) completed in the month, with their
  findings, what each recommends and its follow-up ticket;
- the entitlements per contract term in force: granted, used by the month's end, left
  (`entitlements_report`);
- recommendations: the open findings' recommendations (a finding is open while its follow-up
  ticket is not resolved, closed or cancelled; one without a follow-up ticket is open in the month
  of its visit only), and those the month suggests: a system with two or more tickets in the
  month (repeated faults), a major incident whose review is owed, and entitlements left on a term
  that ends within 90 days of the month's end;
- a sign-off block for the service manager and the customer.

Who may read it: managers and admins, as the SLA figures it holds (`manager_reports.READERS`);
agents and engineers are refused. Markdown, printable HTML (A4) and PDF (WeasyPrint), through
the document engine (`documents.render_document`); every value is escaped there.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from xhsvc.core import manager_reports
from xhsvc.core.catalog import ENTITLEMENTS
from xhsvc.core.clock import local_date, local_minute
from xhsvc.core.context import Context, Tx
from xhsvc.core.customers import find_customer
from xhsvc.core.documents import pdf_from_html, render_document
from xhsvc.core.levels import PRIORITIES
from xhsvc.core.report_charts import minutes_text
from xhsvc.core.service_report import STATUS_LABELS
from xhsvc.core.sla import TARGETS
from xhsvc.core.worklogs import month_range
from xhsvc.errors import InvalidInput, NotAllowed
from xhsvc.i18n import _
from xhsvc.store import queries, review_queries
from xhsvc.store.tables import SlaClock

FORMATS = ("md", "html", "pdf")
READERS = manager_reports.READERS
# Tickets on one system in a month from which the review suggests a closer look.
REPEATED = 2
# Entitlements left on a term that ends within this many days of the month's end are pointed out.
ENDING_WITHIN_DAYS = 90
TARGET_LABELS = {"response": "响应 Response", "onsite": "到场 On site", "resolution": "解决 Resolution"}
VISIT_LABELS = {
    "inspection": "巡检 Inspection",
    "training": "培训 Training",
    "standby": "现场保障 Standby",
    "optimization": "系统优化 Optimization",
    "dr_drill": "容灾演练 DR drill",
    "review": "定期服务回顾 Service review",
}
ENTITLEMENT_LABELS = {
    "inspections": "巡检 Inspections",
    "trainings": "培训 Trainings",
    "standby_days": "保障天数 Standby days",
}
SEVERITY_LABELS = {"fail": "不合格 Fail", "warn": "警告 Warning"}
_DONE = ("resolved", "closed", "cancelled")


def _finding(f: dict[str, Any]) -> dict[str, Any]:
    """A finding as the review shows it, with its follow-up ticket's state."""
    return {
        "item": f["item_key"],
        "severity": SEVERITY_LABELS.get(f["severity"], f["severity"]),
        "text": f["text"],
        "recommendation": f["recommendation"],
        "ticket": f["ticket"],
        "ticket_status": STATUS_LABELS.get(f["ticket_status"], f["ticket_status"])
        if f["ticket_status"]
        else None,
    }


def _breached(clock: SlaClock, now: datetime) -> bool:
    """Whether `clock` was breached: stopped late, marked by the sweep, or past its due time
    unstopped (a pause that began before the due time holds it), as `decided_clocks` counts."""
    if clock.outcome == "met" or clock.outcome == "cancelled":
        return False
    if clock.outcome == "late" or clock.breached_at is not None:
        return True
    held = clock.paused_since is not None and clock.paused_since < clock.due_at
    return clock.stopped_at is None and not held and clock.due_at <= now


def ticket_sla(clocks: list[SlaClock], now: datetime) -> dict[str, Any]:
    """A ticket's SLA as it stands at `now`: breached (with the targets), met, running, or None."""
    counted = [c for c in clocks if c.outcome != "cancelled"]
    late = sorted({c.target for c in counted if _breached(c, now)}, key=TARGETS.index)
    if late:
        return {"state": "breached", "targets": [TARGET_LABELS[t] for t in late]}
    if not counted:
        return {"state": None, "targets": []}
    if all(c.outcome == "met" for c in counted):
        return {"state": "met", "targets": []}
    return {"state": "running", "targets": []}


def _require_reader(tx: Tx) -> None:
    me = tx.me()
    if me.role not in READERS:
        raise NotAllowed(
            _("report {report}: only {roles} may read it; {handle} is {role}").format(
                report="review", roles=_(" or ").join(READERS), handle=me.handle, role=me.role
            )
        )


def _derived(
    tickets: list[dict[str, Any]], majors: list[dict[str, Any]], terms: list[dict[str, Any]], last: date
) -> list[dict[str, Any]]:
    """What the month suggests: repeated faults on one system, reviews owed, entitlements left on
    a term that ends soon."""
    out: list[dict[str, Any]] = []
    on_system: dict[str, list[dict[str, Any]]] = {}
    for t in tickets:
        if t["asset_id"] and t["status_code"] != "cancelled":
            on_system.setdefault(t["asset_id"], []).append(t)
    for same in on_system.values():
        if len(same) >= REPEATED:
            first = same[0]
            out.append(
                {
                    "kind": "repeated",
                    "system": f"{first['asset_model']} {first['asset_serial']}",
                    "count": len(same),
                    "tickets": ", ".join(t["key"] for t in same),
                }
            )
    for m in majors:
        if m["review_owed"]:
            out.append({"kind": "review_owed", "key": m["key"], "title": m["title"]})
    for term in terms:
        left = [
            {"label": ENTITLEMENT_LABELS[k], "left": e["left"]}
            for k, e in term["entitlements"].items()
            if e["left"] > 0
        ]
        if left and term["end_date"] <= last + timedelta(days=ENDING_WITHIN_DAYS):
            out.append(
                {"kind": "entitlements_left", "contract": term["contract"], "end": term["end"], "left": left}
            )
    return out


def review_data(ctx: Context, *, customer: str, month: str) -> dict[str, Any]:
    """Everything the review shows, checked and read; see the module's docstring."""
    if not isinstance(customer, str) or not customer.strip():
        raise InvalidInput(_("customer: give the customer's name"))
    if not isinstance(month, str) or not month.strip():
        raise InvalidInput(_("month: give the month as YYYY-MM, e.g. 2026-11"))
    month = month.strip()
    start, end = month_range(ctx, month)
    assert start is not None and end is not None
    tz = ZoneInfo(ctx.settings.timezone)
    first = local_date(start, ctx.settings.timezone)
    last = local_date(end, ctx.settings.timezone) - timedelta(days=1)
    with ctx.reading() as tx:
        _require_reader(tx)
        found = find_customer(tx, customer.strip())
        me = tx.me()
        now = tx.now
        rows = review_queries.customer_tickets(tx.conn, customer_id=found.id, start=start, end=end)
        clocks = queries.clocks_of(tx.conn, [r["id"] for r in rows])
        done = review_queries.completed_visits(tx.conn, customer_id=found.id, start=start, end=end)
        findings = review_queries.customer_findings(tx.conn, customer_id=found.id, start=start, end=end)
    # The figures the manager's reports count, for this customer (each reads and checks again).
    sla = manager_reports.sla_report(ctx, month=month, customer=found.name, breaches_shown=0)
    majors = manager_reports.majors_report(ctx, month=month, customer=found.name)
    entitled = manager_reports.entitlements_report(ctx, month=month, customer=found.name)

    tickets = []
    for r in rows:
        tickets.append(
            {
                "key": r["key"],
                "opened": local_minute(r["created_at"], tz),
                "title": r["title"],
                "priority": r["priority"],
                "status": STATUS_LABELS.get(r["status"], r["status"]),
                "status_code": r["status"],
                "major": r["major"],
                "reopened": r["reopen_count"],
                "resolved": local_minute(r["resolved_at"], tz),
                "closed": local_minute(r["closed_at"], tz),
                "system": f"{r['asset_model']} {r['asset_serial']}" if r["asset_id"] else None,
                "asset_id": r["asset_id"],
                "asset_model": r["asset_model"],
                "asset_serial": r["asset_serial"],
                "sla": ticket_sla(clocks.get(r["id"], []), now),
            }
        )
    by_priority = Counter(t["priority"] for t in tickets)
    by_status = Counter(t["status_code"] for t in tickets)
    total = sla.total
    terms = [
        {
            "contract": row["contract"],
            "term": row["term"],
            "level": row["level"],
            "start": row["start"].isoformat(),
            "end": row["end"].isoformat(),
            "end_date": row["end"],
            "entitlements": row["entitlements"],
            "rows": [
                {"label": ENTITLEMENT_LABELS[kind], **row["entitlements"][kind]} for kind in ENTITLEMENTS
            ],
        }
        for row in entitled["rows"]
    ]
    major_rows = [
        {
            "key": m["key"],
            "title": m["title"],
            "priority": m["priority"],
            "status": STATUS_LABELS.get(m["status"], m["status"]),
            "opened": local_minute(m["created_at"], tz),
            "resolved": local_minute(m["resolved_at"], tz),
            "took": minutes_text(m["resolve_min"]),
            "root_cause": m["root_cause"],
            "actions": m["review_actions"],
            "reviewed": local_minute(m["reviewed_at"], tz),
            "review_owed": m["review_owed"],
        }
        for m in majors["rows"]
    ]
    visits = []
    for v in done:
        visits.append(
            {
                "key": v["key"],
                "kind": VISIT_LABELS.get(v["kind"], v["kind"]),
                "title": v["title"],
                "planned_for": v["planned_for"].isoformat(),
                "completed": local_minute(v["completed_at"], tz),
                "engineer": v["engineer"],
                "site": v["site"],
                "contract": v["contract"],
                "summary": v["summary"],
                "findings": [
                    {**_finding(f), "severity_code": f["severity"]}
                    for f in findings
                    if f["visit_id"] == v["id"]
                ],
            }
        )
    open_findings = [
        {"visit": f["visit"], "completed": local_minute(f["completed_at"], tz), **_finding(f)}
        for f in findings
        if f["ticket_status"] not in _DONE
    ]
    return {
        "customer": found.name,
        "region": found.region,
        "month": month,
        "period": {"first": first.isoformat(), "last": last.isoformat()},
        "contracts": [{k: t[k] for k in ("contract", "term", "level", "start", "end")} for t in terms],
        "writer": {"name": me.name, "handle": me.handle},
        "written_at": local_minute(now, tz),
        "tickets": tickets,
        "counts": {
            "total": len(tickets),
            "by_priority": [{"priority": p, "count": by_priority[p]} for p in PRIORITIES if by_priority[p]],
            "by_status": [
                {"status": STATUS_LABELS.get(s, s), "count": by_status[s]}
                for s in STATUS_LABELS
                if by_status[s]
            ],
            "breached": sum(1 for t in tickets if t["sla"]["state"] == "breached"),
        },
        "sla": {
            "tickets": total.tickets,
            "met": total.met,
            "breached": total.breached,
            "compliance": total.compliance,
            "targets": [
                {"label": TARGET_LABELS[t], **total.targets[t]} for t in TARGETS if t in total.targets
            ],
            "respond": {
                "count": total.respond.count,
                "mean": minutes_text(total.respond.mean_min),
                "p90": minutes_text(total.respond.p90_min),
            },
            "resolve": {
                "count": total.resolve.count,
                "mean": minutes_text(total.resolve.mean_min),
                "p90": minutes_text(total.resolve.p90_min),
            },
            "reopened": total.reopened,
            "resolved": total.resolved,
            "reopen_rate": total.reopen_rate,
        },
        "majors": major_rows,
        "visits": visits,
        "entitlements": terms,
        "recommendations": {
            "findings": [f for f in open_findings if f["recommendation"]],
            "derived": _derived(tickets, majors["rows"], terms, last),
        },
    }


def render_review(data: dict[str, Any], fmt: str) -> str:
    return render_document("customer-review", fmt=fmt, data=data)


def customer_review(ctx: Context, *, customer: str, month: str, fmt: str = "md") -> str | bytes:
    """`customer`'s review of `month` (YYYY-MM): Markdown or HTML text, or PDF bytes. Managers
    and admins. Reads only: a refused review writes nothing."""
    if fmt not in FORMATS:
        raise InvalidInput(_("format {format!r}: must be md, html or pdf").format(format=fmt))
    data = review_data(ctx, customer=customer, month=month)
    if fmt == "pdf":
        return pdf_from_html(render_review(data, "html"))
    return render_review(data, fmt)
