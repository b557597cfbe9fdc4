"""The manager's reports drawn: text charts for a terminal (bars of block characters, sparklines)
and the one HTML page a manager mails and prints (templates/manager-report.html.j2), whose charts
are inline SVG whose geometry is worked out here. The template gets numbers and plain text only;
it escapes every text itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from xhsvc.core.context import Context
from xhsvc.core.labels import target_label
from xhsvc.core.manager_reports import SlaReport
from xhsvc.core.report_charts import columns, hbars, line, minutes_text, pct, table
from xhsvc.core.sla import TARGETS
from xhsvc.i18n import N_, _

KIND_LABELS = {
    "inspections": N_("inspections"),
    "trainings": N_("trainings"),
    "standby_days": N_("standby days"),
}
BY_LABELS = {
    "level": N_("service level"),
    "region": N_("region"),
    "engineer": N_("engineer"),
    "customer": N_("customer"),
}
# Which of these a report knows: `report_page(kind, ...)`.
PAGES = ("sla", "backlog", "workload", "entitlements", "majors")


# Pages ------------------------------------------------------------------------------------------


def _local(ctx: Context, moment: datetime | None) -> str:
    if moment is None:
        return ""
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(ctx.settings.timezone)).strftime("%Y-%m-%d %H:%M")


def _page(ctx: Context, title: str, subtitle: str, **parts: Any) -> dict[str, Any]:
    from xhsvc.i18n import current

    return {
        "lang": "zh-CN" if current().startswith("zh") else "en",
        "title": title,
        "subtitle": subtitle,
        "generated": _("Made {moment} ({zone})").format(
            moment=_local(ctx, ctx.now()), zone=ctx.settings.timezone
        ),
        "headline": parts.get("headline", []),
        "charts": parts.get("charts", []),
        "tables": parts.get("tables", []),
        "notes": parts.get("notes", []),
    }


def _scope(month: str | None, customer: str | None) -> str:
    parts = [month] if month else []
    if customer:
        parts.append(_("customer {customer}").format(customer=customer))
    return " · ".join(parts)


def sla_page(ctx: Context, report: SlaReport) -> dict[str, Any]:
    total = report.total
    days = [d.day.strftime("%m-%d") for d in report.daily]
    headline = [
        {"label": _("Compliance"), "value": pct(total.compliance)},
        {"label": _("Met"), "value": total.met},
        {"label": _("Breached"), "value": total.breached},
        {"label": _("Tickets"), "value": total.tickets},
        {"label": _("Reopen rate"), "value": pct(total.reopen_rate)},
        {
            "label": _("Respond, mean / p90"),
            "value": f"{minutes_text(total.respond.mean_min)} / {minutes_text(total.respond.p90_min)}",
        },
        {
            "label": _("Resolve, mean / p90"),
            "value": f"{minutes_text(total.resolve.mean_min)} / {minutes_text(total.resolve.p90_min)}",
        },
    ]
    charts = [
        hbars(
            _("Compliance per target"),
            [
                (target_label(t), total.targets[t]["compliance"], pct(total.targets[t]["compliance"]))
                for t in TARGETS
            ],
            maximum=100,
        ),
        line(_("Compliance per day (%)"), days, [d.compliance for d in report.daily]),
        columns(
            _("Clocks met and breached per day"),
            days,
            [
                (_("met"), [d.met for d in report.daily], "met"),
                (_("breached"), [d.breached for d in report.daily], "breached"),
            ],
        ),
    ]
    if report.groups:
        charts.insert(
            1,
            hbars(
                _("Compliance by {by}").format(by=_(BY_LABELS[report.by or "level"])),
                [(g.group or _("(none)"), g.compliance, pct(g.compliance)) for g in report.groups],
                maximum=100,
            ),
        )
    headings = [
        _("Group"), _("Tickets"), _("Met"), _("Breached"), _("Compliance"),
        *[target_label(t) for t in TARGETS],
        _("Respond mean"), _("Respond p90"), _("Resolve mean"), _("Resolve p90"), _("Reopen rate"),
    ]  # fmt: skip
    rows = []
    for g in [*report.groups, total]:
        rows.append(
            [
                _("total") if g is total else (g.group or _("(none)")),
                g.tickets, g.met, g.breached, pct(g.compliance),
                *[f"{g.targets[t]['met']}/{g.targets[t]['met'] + g.targets[t]['breached']}" for t in TARGETS],
                minutes_text(g.respond.mean_min), minutes_text(g.respond.p90_min),
                minutes_text(g.resolve.mean_min), minutes_text(g.resolve.p90_min), pct(g.reopen_rate),
            ]
        )  # fmt: skip
    breaches = [
        [
            b["key"],
            b["title"],
            b["customer"],
            target_label(b["target"]),
            _local(ctx, b["breached_at"]),
            b["assignee"],
        ]
        for b in report.breaches
    ]
    tables = [
        table(
            _("By {by}").format(by=_(BY_LABELS[report.by])) if report.by else _("The month"),
            headings,
            rows,
            numeric=range(1, len(headings)),
        ),
        table(
            _("Breaches ({shown} latest of {total})").format(
                shown=len(report.breaches), total=report.breaches_total
            ),
            [_("Ticket"), _("Title"), _("Customer"), _("Target"), _("Breached at"), _("Engineer")],
            breaches,
        ),
    ]
    notes = [
        _(
            "Clocks count in the month they were decided: met when stopped in time, breached when their due time passed."
        ),
        _("Times run from a clock's start to its stop, pauses included; p90 by nearest rank."),
    ]
    return _page(
        ctx,
        _("SLA report"),
        _scope(report.month, report.customer),
        headline=headline,
        charts=charts,
        tables=tables,
        notes=notes,
    )


def backlog_page(ctx: Context, report: dict[str, Any]) -> dict[str, Any]:
    headline = [
        {"label": _("Open"), "value": report["open"]},
        {"label": _("Overdue now"), "value": report["overdue"]},
        {"label": _("Major incidents open"), "value": report["major"]},
    ]
    ages = report["ages"]
    most = max([r["total"] for r in report["by_tier"]] or [0])
    charts = [
        hbars(
            _("Open by tier"),
            [(r["tier"], r["total"], str(r["total"])) for r in report["by_tier"]],
            maximum=most,
        ),
        columns(
            _("Tickets recorded per day, last 30 days"),
            [d["day"].strftime("%m-%d") for d in report["daily"]],
            [(_("tickets"), [d["tickets"] for d in report["daily"]], "met")],
        ),
    ]
    tables = [
        table(_("Open by age and tier"), [_("Tier"), *[_(a) for a in ages], _("total")],
              [[r["tier"], *[r[a] for a in ages], r["total"]] for r in report["by_tier"]], numeric=range(1, len(ages) + 2)),
        table(_("Oldest open tickets"), [_("Ticket"), _("Title"), _("Customer"), _("Tier"), _("Priority"), _("Status"), _("Age (days)")],
              [[r["key"], r["title"], r["customer"], r["tier"], r["priority"], r["status"], r["age_days"]] for r in report["oldest"]], numeric=(6,)),
    ]  # fmt: skip
    subtitle = _scope(_("as of {moment}").format(moment=_local(ctx, report["now"])), report["customer"])
    return _page(ctx, _("Backlog"), subtitle, headline=headline, charts=charts, tables=tables)


def workload_page(ctx: Context, report: dict[str, Any]) -> dict[str, Any]:
    rows = report["rows"]
    most = max([r["hours"] for r in rows] or [0])
    charts = [
        hbars(_("Hours logged"), [(r["engineer"], r["hours"], f"{r['hours']:.1f}") for r in rows], maximum=most),
        columns(_("Hours logged per day"), [d["day"].strftime("%m-%d") for d in report["daily"]],
                [(_("hours"), [d["hours"] for d in report["daily"]], "met")]),
    ]  # fmt: skip
    headline = [
        {"label": _("Hours logged"), "value": f"{sum(r['hours'] for r in rows):.1f}"},
        {"label": _("Open now"), "value": sum(r["open"] for r in rows)},
        {"label": _("Resolved"), "value": sum(r["resolved"] for r in rows)},
        {"label": _("Closed"), "value": sum(r["closed"] for r in rows)},
    ]
    tables = [
        table(_("Per engineer"), [_("Engineer"), _("Name"), _("Tier"), _("Region"), _("Open now"), _("Resolved"), _("Closed"), _("Hours")],
              [[r["engineer"], r["name"], r["tier"], r["region"], r["open"], r["resolved"], r["closed"], f"{r['hours']:.2f}"] for r in rows],
              numeric=(4, 5, 6, 7)),
    ]  # fmt: skip
    return _page(ctx, _("Workload"), report["month"], headline=headline, charts=charts, tables=tables)


def entitlements_page(ctx: Context, report: dict[str, Any]) -> dict[str, Any]:
    totals = report["totals"]
    kinds = report["kinds"]
    headline = [
        {"label": _("Terms in force"), "value": len(report["rows"])},
        *[{"label": _("{kind} expiring unused").format(kind=_(KIND_LABELS[k])), "value": totals[k]["expiring"]} for k in kinds],
    ]  # fmt: skip
    charts = [
        hbars(_("Used of what is granted"),
              [(_(KIND_LABELS[k]), totals[k]["used"], f"{totals[k]['used']}/{totals[k]['granted']}") for k in kinds],
              maximum=max([totals[k]["granted"] for k in kinds] or [0])),
    ]  # fmt: skip
    rows = [
        [r["contract"], r["customer"], r["level"], r["end"].isoformat(),
         *[f"{r['entitlements'][k]['used']}/{r['entitlements'][k]['granted']}" for k in kinds],
         ", ".join(f"{_(KIND_LABELS[k])} {r['entitlements'][k]['expiring']}" for k in kinds if r["entitlements"][k]["expiring"])]
        for r in report["rows"]
    ]  # fmt: skip
    headings = [
        _("Contract"),
        _("Customer"),
        _("Level"),
        _("Ends"),
        *[_(KIND_LABELS[k]) for k in kinds],
        _("Expiring unused"),
    ]
    return _page(
        ctx, _("Entitlements"), _scope(report["month"], report["customer"]), headline=headline, charts=charts,
        tables=[table(_("Per contract term (used/granted)"), headings, rows)],
    )  # fmt: skip


def majors_page(ctx: Context, report: dict[str, Any]) -> dict[str, Any]:
    headline = [
        {"label": _("Major incidents"), "value": report["count"]},
        {"label": _("Reviewed"), "value": report["reviewed"]},
        {"label": _("Review owed"), "value": report["review_owed"]},
        {"label": _("Still open"), "value": report["open"]},
    ]
    rows = [
        [r["key"], r["title"], r["customer"], r["priority"], r["status"], _local(ctx, r["created_at"]),
         minutes_text(r["resolve_min"]), r["root_cause"], r["review_actions"]]
        for r in report["rows"]
    ]  # fmt: skip
    headings = [
        _("Ticket"),
        _("Title"),
        _("Customer"),
        _("Priority"),
        _("Status"),
        _("Recorded"),
        _("Resolved in"),
        _("Root cause"),
        _("Actions"),
    ]
    return _page(
        ctx, _("Major incidents"), _scope(report["month"], report["customer"]), headline=headline,
        tables=[table(_("Major incidents and their reviews"), headings, rows)],
    )  # fmt: skip


_BUILDERS = {
    "sla": sla_page,
    "backlog": backlog_page,
    "workload": workload_page,
    "entitlements": entitlements_page,
    "majors": majors_page,
}


def report_html(ctx: Context, kind: str, report: Any) -> str:
    """The report as one self-contained, printable HTML page (inline CSS and SVG, no script)."""
    from xhsvc.config import paths
    from xhsvc.core.documents import render_document

    page = _BUILDERS[kind](ctx, report)
    # A user's own template of the same name, in `documents` beside config.toml, replaces it.
    user_dir = paths().config_dir / "documents"
    return render_document("manager-report", fmt="html", data={"page": page}, user_dir=user_dir)


# Flat rows (CSV) ---------------------------------------------------------------------------------


def sla_rows(report: SlaReport) -> list[dict[str, Any]]:
    """The report as flat rows for CSV: one a group (or the total), each target's figures and the
    times in columns of their own."""
    rows = []
    for figures in [*report.groups, report.total]:
        row: dict[str, Any] = {
            "month": report.month,
            "group": figures.group if figures is not report.total else "total",
            "tickets": figures.tickets,
            "resolved": figures.resolved,
            "reopened": figures.reopened,
            "reopen_rate": figures.reopen_rate,
            "met": figures.met,
            "breached": figures.breached,
            "compliance": figures.compliance,
        }
        for target in TARGETS:
            for name in ("met", "breached", "compliance"):
                row[f"{target}_{name}"] = figures.targets[target][name]
        for name, times in (("respond", figures.respond), ("resolve", figures.resolve)):
            row[f"{name}_count"] = times.count
            row[f"{name}_mean_min"] = times.mean_min
            row[f"{name}_p90_min"] = times.p90_min
        rows.append(row)
    return rows


def entitlement_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The entitlements report as flat rows for CSV: one a contract term and kind."""
    return [
        {
            "month": report["month"],
            "contract": row["contract"],
            "customer": row["customer"],
            "term": row["term"],
            "level": row["level"],
            "start": row["start"],
            "end": row["end"],
            "kind": kind,
            **{
                name: row["entitlements"][kind][name]
                for name in ("granted", "used", "left", "beyond", "expiring")
            },
        }
        for row in report["rows"]
        for kind in report["kinds"]
    ]


def backlog_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The backlog as flat rows for CSV: one a tier, the open tickets of each age."""
    return [
        {"tier": r["tier"], **{a: r[a] for a in report["ages"]}, "total": r["total"]}
        for r in report["by_tier"]
    ]


def majors_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The major incidents as flat rows for CSV."""
    names = ("key", "title", "customer", "assignee", "priority", "status", "created_at", "resolved_at",
             "resolve_min", "reviewed_at", "root_cause", "review_actions", "breached_clocks", "review_owed")  # fmt: skip
    return [{"month": report["month"], **{n: r[n] for n in names}} for r in report["rows"]]


FLAT = {
    "sla": sla_rows,
    "backlog": backlog_rows,
    "workload": lambda report: [{"month": report["month"], **r} for r in report["rows"]],
    "entitlements": entitlement_rows,
    "majors": majors_rows,
}


def report_csv(ctx: Context, kind: str, report: Any) -> str:
    """The report as CSV (its flat rows): instants in the desk's time zone; a text cell a
    spreadsheet would run as a formula is guarded (csv_files.guard_cell)."""
    from xhsvc.core.csv_files import guard_cell, write_csv

    rows = FLAT[kind](report)
    if not rows:
        return ""

    def cell(_column: str, value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return _local(ctx, value)
        return guard_cell(value) if isinstance(value, str) else value

    return write_csv(list(rows[0]), rows, cell=cell)
