"""`xhsvc report ...`: the manager's review of a month — SLA, backlog, workload, entitlements,
major incidents — as a terminal view with bars and a sparkline, --json, --csv or an --html page;
and one customer's review of a month (`report review`), a document in Markdown, HTML or PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from xhsvc.cli import completers
from xhsvc.cli.common import JsonOption, core_context
from xhsvc.cli.output import (
    deliver_document,
    local,
    print_fields,
    print_json,
    print_table,
    refuse_pdf_to_terminal,
    say,
)
from xhsvc.core import labels
from xhsvc.errors import InvalidInput
from xhsvc.i18n import N_, _
from xhsvc.lazy import lazy

core = lazy("xhsvc.core.manager_reports")
pages = lazy("xhsvc.core.report_pages")
charts = lazy("xhsvc.core.report_charts")
review_core = lazy("xhsvc.core.customer_review")

app = typer.Typer(help="Reports: SLA, backlog, workload, entitlements, majors, review.", no_args_is_help=True)

MonthOption = Annotated[
    str | None, typer.Option("--month", help="The month, e.g. 2026-11 (default: this month).")
]
CustomerFilter = Annotated[
    str | None,
    typer.Option(
        "--customer", "-c", help="Only this customer's tickets.", autocompletion=completers.customers
    ),
]
CsvOption = Annotated[bool, typer.Option("--csv", help="Print CSV for spreadsheets and scripts.")]
HtmlOption = Annotated[
    Path | None,
    typer.Option(
        "--html",
        help="Write a self-contained HTML page with charts to FILE (to mail or print).",
        metavar="FILE",
    ),
]
BAR_WIDTH = 20
GROUP_HEADINGS = {
    "level": N_("LEVEL"),
    "region": N_("REGION"),
    "engineer": N_("ENGINEER"),
    "customer": N_("CUSTOMER"),
}


def _deliver(
    ctx: typer.Context, kind: str, report: Any, *, json_out: bool, csv_out: bool, html: Path | None
) -> bool:
    """The report as JSON, CSV or an HTML file, if one was asked for; False for the terminal view."""
    if sum((json_out, csv_out, html is not None)) > 1:
        raise InvalidInput(_("format: choose one of --json, --csv and --html"))
    context = core_context(ctx)
    if json_out:
        print_json(report.as_dict() if hasattr(report, "as_dict") else report)
    elif csv_out:
        typer.echo(pages.report_csv(context, kind, report), nl=False)
    elif html is not None:
        html.write_text(pages.report_html(context, kind, report), encoding="utf-8")
        say(_("report written to {file}").format(file=html))
    else:
        return False
    return True


def _trend(label: str, values: list[Any], first: Any, last: Any) -> None:
    line = charts.sparkline(values)
    if line:
        say(_("{label}  {first} {line} {last}").format(label=label, first=first, line=line, last=last))


@app.command()
def sla(
    ctx: typer.Context,
    month: MonthOption = None,
    by: Annotated[
        str | None,
        typer.Option("--by", help="Group by level, region, engineer or customer.", show_default=False),
    ] = None,
    customer: CustomerFilter = None,
    json_out: JsonOption = False,
    csv_out: CsvOption = False,
    html: HtmlOption = None,
) -> None:
    """SLA of a month: compliance, times to respond and to resolve.

    Clocks met and breached per target, compliance, mean and p90 time to respond and to resolve,
    reopen rate; in all, per group (--by) and per day, and the latest breaches. Tickets are those recorded in the month; a clock counts in the month it was decided (met when
    stopped in time, breached when its due time passed). Times run from a clock's start to its
    stop, pauses included; p90 by nearest rank. Reopen rate: of the month's tickets resolved at
    least once, the share reopened. Managers and admins.

    \b
    Examples:
      xhsvc report sla --month 2026-11
      xhsvc report sla --month 2026-11 --by engineer
      xhsvc report sla --month 2026-11 --html 服务月报.html
    """
    report = core.sla_report(core_context(ctx), month=month, by=by, customer=customer)
    if _deliver(ctx, "sla", report, json_out=json_out, csv_out=csv_out, html=html):
        return
    total = report.total
    title = _("SLA {month}").format(month=report.month)
    say(title + (_(" · customer {customer}").format(customer=report.customer) if report.customer else ""))
    print_fields(
        [
            (_("compliance"), f"{charts.pct(total.compliance)}  ({_('met')} {total.met}, {_('breached')} {total.breached})"),
            (_("tickets"), total.tickets),
            (_("reopen rate"), f"{charts.pct(total.reopen_rate)}  ({total.reopened}/{total.resolved})"),
            (_("respond"), _("mean {mean}, p90 {p90}").format(mean=charts.minutes_text(total.respond.mean_min), p90=charts.minutes_text(total.respond.p90_min))),
            (_("resolve"), _("mean {mean}, p90 {p90}").format(mean=charts.minutes_text(total.resolve.mean_min), p90=charts.minutes_text(total.resolve.p90_min))),
        ]
    )  # fmt: skip
    days = report.daily
    if days:
        _trend(
            _("compliance per day"),
            [d.compliance for d in days],
            days[0].day.strftime("%m-%d"),
            days[-1].day.strftime("%m-%d"),
        )
        _trend(
            _("breaches per day"),
            [d.breached for d in days],
            days[0].day.strftime("%m-%d"),
            days[-1].day.strftime("%m-%d"),
        )
    say("")
    targets = []
    for target in ("response", "onsite", "resolution"):
        t = total.targets[target]
        compliance = t["compliance"]
        targets.append(
            {"name": labels.target_label(target), **t, "compliance_text": charts.pct(compliance), "bar": charts.bar(compliance, 100, BAR_WIDTH)}
        )  # fmt: skip
    bars = [("compliance_text", N_("COMPLIANCE")), ("bar", N_("CHART"))]
    print_table(
        targets,
        [("name", N_("TARGET")), ("met", N_("MET")), ("breached", N_("BREACHED")), *bars],
        empty=N_("nothing to show"),
    )
    if report.by:
        groups = [
            {"name": g.group or _("(none)"), "tickets": g.tickets, "met": g.met, "breached": g.breached,
             "compliance_text": charts.pct(g.compliance), "bar": charts.bar(g.compliance, 100, BAR_WIDTH),
             "respond": charts.minutes_text(g.respond.p90_min), "resolve": charts.minutes_text(g.resolve.p90_min),
             "reopen": charts.pct(g.reopen_rate)}
            for g in report.groups
        ]  # fmt: skip
        say("")
        print_table(
            groups,
            [("name", GROUP_HEADINGS[report.by]), ("tickets", N_("TICKETS")), ("met", N_("MET")), ("breached", N_("BREACHED")), *bars,
             ("respond", N_("RESPOND P90")), ("resolve", N_("RESOLVE P90")), ("reopen", N_("REOPENED"))],
            empty=N_("nothing to show"),
        )  # fmt: skip
    if report.breaches:
        say("")
        say(
            _("Breaches ({shown} latest of {total})").format(
                shown=len(report.breaches), total=report.breaches_total
            )
        )
        for b in report.breaches:
            b["target_label"] = labels.target_label(b["target"])
        print_table(
            report.breaches,
            [("key", N_("KEY")), ("target_label", N_("TARGET")), ("breached_at", N_("BREACHED AT")),
             ("assignee", N_("ENGINEER")), ("customer", N_("CUSTOMER")), ("title", N_("TITLE"))],
            empty=N_("no breaches"),
            optional=("customer",),
        )  # fmt: skip


@app.command()
def backlog(
    ctx: typer.Context,
    customer: CustomerFilter = None,
    json_out: JsonOption = False,
    csv_out: CsvOption = False,
    html: HtmlOption = None,
) -> None:
    """Open tickets now by age and tier, the overdue and the oldest.

    Resolved tickets not yet closed count as open. Anyone may read it.

    \b
    Examples:
      xhsvc report backlog
      xhsvc report backlog --csv > 积压.csv
    """
    report = core.backlog_report(core_context(ctx), customer=customer)
    if _deliver(ctx, "backlog", report, json_out=json_out, csv_out=csv_out, html=html):
        return
    say(_("Backlog as of {moment}").format(moment=local(report["now"])))
    print_fields(
        [
            (_("open"), report["open"]),
            (_("overdue now"), report["overdue"]),
            (_("major incidents open"), report["major"]),
        ]
    )
    days = report["daily"]
    _trend(
        _("recorded per day"),
        [d["tickets"] for d in days],
        days[0]["day"].strftime("%m-%d"),
        days[-1]["day"].strftime("%m-%d"),
    )
    say("")
    most = max([r["total"] for r in report["by_tier"]] or [0])
    rows = [{**r, "bar": charts.bar(r["total"], most, BAR_WIDTH)} for r in report["by_tier"]]
    columns = [
        ("tier", N_("TIER")),
        *[(age, age) for age in report["ages"]],
        ("total", N_("TOTAL")),
        ("bar", N_("CHART")),
    ]
    print_table(rows, columns, empty=N_("nothing to show"))
    if report["oldest"]:
        say("")
        say(_("Oldest open tickets"))
        print_table(
            report["oldest"],
            [("key", N_("KEY")), ("age_days", N_("AGE (DAYS)")), ("tier", N_("TIER")), ("priority", N_("PRIORITY")),
             ("status", N_("STATUS")), ("assignee", N_("ENGINEER")), ("customer", N_("CUSTOMER")), ("title", N_("TITLE"))],
            empty=N_("nothing to show"),
            optional=("customer",),
        )  # fmt: skip


@app.command()
def workload(
    ctx: typer.Context,
    month: MonthOption = None,
    json_out: JsonOption = False,
    csv_out: CsvOption = False,
    html: HtmlOption = None,
) -> None:
    """Per engineer: open now, resolved and closed, hours logged.

    Tickets assigned to each engineer that are open now, resolved and closed in the month, and
    the hours logged in it (xhsvc worklog). Managers and admins.

    \b
    Examples:
      xhsvc report workload --month 2026-11
    """
    report = core.workload_report(core_context(ctx), month=month)
    if _deliver(ctx, "workload", report, json_out=json_out, csv_out=csv_out, html=html):
        return
    say(_("Workload {month}").format(month=report["month"]))
    days = report["daily"]
    if days:
        _trend(
            _("hours per day"),
            [d["hours"] for d in days],
            days[0]["day"].strftime("%m-%d"),
            days[-1]["day"].strftime("%m-%d"),
        )
    most = max([r["hours"] for r in report["rows"]] or [0])
    rows = [
        {**r, "hours_text": f"{r['hours']:.1f}", "bar": charts.bar(r["hours"], most, BAR_WIDTH)}
        for r in report["rows"]
    ]
    print_table(
        rows,
        [("engineer", N_("ENGINEER")), ("name", N_("NAME")), ("tier", N_("TIER")), ("open", N_("OPEN")),
         ("resolved", N_("RESOLVED")), ("closed", N_("CLOSED")), ("hours_text", N_("HOURS")), ("bar", N_("CHART"))],
        empty=N_("nothing to show"),
    )  # fmt: skip


@app.command()
def entitlements(
    ctx: typer.Context,
    month: MonthOption = None,
    customer: CustomerFilter = None,
    json_out: JsonOption = False,
    csv_out: CsvOption = False,
    html: HtmlOption = None,
) -> None:
    """Per contract: granted, used, left, and what expires unused.

    One line a contract term in force in the month: what it grants, what was used by the
    month's end, what is left, and what is left of a term that ends in the month (it expires
    unused). Managers and admins.

    \b
    Examples:
      xhsvc report entitlements --month 2026-11
    """
    report = core.entitlements_report(core_context(ctx), month=month, customer=customer)
    if _deliver(ctx, "entitlements", report, json_out=json_out, csv_out=csv_out, html=html):
        return
    say(_("Entitlements {month}").format(month=report["month"]))
    kinds = report["kinds"]
    rows = []
    for r in report["rows"]:
        row: dict[str, Any] = {
            "contract": r["contract"],
            "customer": r["customer"],
            "level": r["level"],
            "end": r["end"],
        }
        for kind in kinds:
            e = r["entitlements"][kind]
            row[kind] = f"{e['used']}/{e['granted']}" + (
                f" ({_('expiring')} {e['expiring']})" if e["expiring"] else ""
            )
        rows.append(row)
    total = {"contract": _("total"), "customer": "", "level": "", "end": ""}
    for kind in kinds:
        t = report["totals"][kind]
        total[kind] = f"{t['used']}/{t['granted']}" + (
            f" ({_('expiring')} {t['expiring']})" if t["expiring"] else ""
        )
    if rows:
        rows.append(total)
    columns = [
        ("contract", N_("CONTRACT")),
        ("customer", N_("CUSTOMER")),
        ("level", N_("LEVEL")),
        ("end", N_("ENDS")),
    ]
    columns += [(kind, pages.KIND_LABELS[kind]) for kind in kinds]
    print_table(rows, columns, empty=N_("no contract term in force in that month"), optional=("level",))


@app.command()
def majors(
    ctx: typer.Context,
    month: MonthOption = None,
    customer: CustomerFilter = None,
    json_out: JsonOption = False,
    csv_out: CsvOption = False,
    html: HtmlOption = None,
) -> None:
    """Major incidents recorded in the month, with their reviews.

    Each with its root cause and actions, how long it took to resolve, and whether a review is
    still owed. Managers and admins.

    \b
    Examples:
      xhsvc report majors --month 2026-11
    """
    report = core.majors_report(core_context(ctx), month=month, customer=customer)
    if _deliver(ctx, "majors", report, json_out=json_out, csv_out=csv_out, html=html):
        return
    say(
        _("Major incidents {month}: {count}, reviewed {reviewed}, review owed {owed}, still open {open}").format(
            month=report["month"], count=report["count"], reviewed=report["reviewed"], owed=report["review_owed"], open=report["open"]
        )
    )  # fmt: skip
    rows = [
        {
            **r,
            "took": charts.minutes_text(r["resolve_min"]),
            "owed": _("review owed") if r["review_owed"] else "",
        }
        for r in report["rows"]
    ]
    print_table(
        rows,
        [("key", N_("KEY")), ("priority", N_("PRIORITY")), ("status", N_("STATUS")), ("created_at", N_("RECORDED")),
         ("took", N_("RESOLVED IN")), ("root_cause", N_("ROOT CAUSE")), ("owed", N_("REVIEW")), ("title", N_("TITLE"))],
        empty=N_("no major incidents in that month"),
    )  # fmt: skip


@app.command()
def review(
    ctx: typer.Context,
    customer: Annotated[
        str,
        typer.Option(
            "--customer",
            "-c",
            help="The customer the review is for.",
            autocompletion=completers.customers,
            show_default=False,
        ),
    ],
    month: Annotated[str, typer.Option("--month", help="The month, e.g. 2026-11.", show_default=False)],
    fmt: Annotated[str, typer.Option("--format", help="md, html or pdf.")] = "md",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
) -> None:
    """A customer's review of a month (客户服务回顾), to print and sign.

    The contracts in force; the month's tickets by priority and status, each with
    its SLA; compliance per target and the times to respond and to resolve; the
    major incidents and their reviews; the visits done with their findings and
    follow-up tickets; entitlements used and left; recommendations; a sign-off
    block. HTML is a printable A4 page; PDF needs WeasyPrint
    (pip install 'xhsvc[pdf]'). Managers and admins.

    \b
    Examples:
      xhsvc report review -c 浙江省第一人民医院 --month 2026-11
      xhsvc report review -c 浙江省第一人民医院 --month 2026-11 \\
          --format html -o 回顾-2026-11.html
      xhsvc report review -c 浙江省第一人民医院 --month 2026-11 \\
          --format pdf -o 回顾-2026-11.pdf
    """
    refuse_pdf_to_terminal(fmt, output)
    document = review_core.customer_review(core_context(ctx), customer=customer, month=month, fmt=fmt)
    deliver_document(document, output)
