"""`xhsvc visit ...`: inspections and the other scheduled services, their checklists and reports."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from xhsvc.cli import completers
from xhsvc.cli.common import JsonOption, core_context
from xhsvc.cli.output import deliver_document, is_terminal, print_fields, print_json, print_table, say
from xhsvc.core.labels import visit_kind_label, visit_state_label
from xhsvc.core.text import display
from xhsvc.errors import InvalidInput
from xhsvc.i18n import N_, _
from xhsvc.lazy import lazy

core = lazy("xhsvc.core.visits")
reports = lazy("xhsvc.core.reports")
templates = lazy("xhsvc.core.templates")

app = typer.Typer(
    help="Visits: inspections (巡检), optimization, DR drills, reviews and more.",
    no_args_is_help=True,
)

VisitArgument = Annotated[
    str,
    typer.Argument(help="Visit key, e.g. XH-V00001.", show_default=False, autocompletion=completers.visits),
]
ContractOption = Annotated[
    str,
    typer.Option(
        "--contract", help="Contract number.", show_default=False, autocompletion=completers.contracts
    ),
]
LIST_COLUMNS = [
    ("key", N_("VISIT")),
    ("kind", N_("KIND")),
    ("planned_for", N_("DATE")),
    ("status", N_("STATUS")),
    ("late", "!"),
    ("customer", N_("CUSTOMER")),
    ("site", N_("SITE")),
    ("engineer", N_("ENGINEER")),
    ("contract", N_("CONTRACT")),
]


def _rows(rows: list[dict]) -> list[dict]:
    for row in rows:
        row["late"] = _("overdue") if row["overdue"] else ""
        row["kind"] = visit_kind_label(row["kind"])
        row["status"] = visit_state_label(row["status"])
    return rows


def _show_after(ctx: typer.Context, key: str, json_out: bool, message: str) -> None:
    if json_out:
        print_json(core.show_visit(core_context(ctx), key=key))
    else:
        say(message)


@app.command()
def plan(
    ctx: typer.Context,
    contract: ContractOption,
    year: Annotated[int | None, typer.Option("--year", help="Plan this year of the term only.")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the days it would plan; add nothing.")
    ] = False,
    json_out: JsonOption = False,
) -> None:
    """Plan the inspections a contract grants over its term. They are spread evenly over it (or
    over --year within it), on working days.

    \b
    Examples:
      xhsvc visit plan --contract HT-2025-0105 --dry-run
      xhsvc visit plan --contract HT-2025-0105 --year 2027
    """
    if dry_run:
        plan = core.preview_visit_plan(core_context(ctx), contract=contract, year=year)
        if json_out:
            print_json({"contract": plan.contract, "days": plan.days})
            return
        for day in plan.days:
            say(_("would plan  {kind}  {day}").format(kind="inspection", day=day))
        say(
            _("{count} inspection(s) would be planned for {contract}; nothing added (--dry-run)").format(
                count=len(plan.days), contract=plan.contract
            )
        )
        return
    visits = core.plan_visits(core_context(ctx), contract=contract, year=year)
    if json_out:
        print_json([core.show_visit(core_context(ctx), key=v.key) for v in visits])
        return
    for visit in visits:
        say(f"{visit.key}  {visit.kind}  {visit.planned_for}")
    say(_("{count} inspection(s) planned for {contract}").format(count=len(visits), contract=contract))


@app.command()
def add(
    ctx: typer.Context,
    contract: ContractOption,
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            help="inspection, training, standby, optimization, dr_drill or review.",
            show_default=False,
            autocompletion=completers.visit_kinds,
        ),
    ],
    on: Annotated[str, typer.Option("--date", help="The day, e.g. 2026-12-05.", show_default=False)],
    template: Annotated[
        str | None, typer.Option("--template", help="Checklist template (default: the kind's).")
    ] = None,
    site: Annotated[str | None, typer.Option("--site", help="The customer's site.")] = None,
    days: Annotated[int, typer.Option("--days", help="Days on site (standby).")] = 1,
    json_out: JsonOption = False,
) -> None:
    """Plan one visit of any kind. A training, standby days, a system optimization, a DR drill, a
    periodic service review with the customer (its report sums up the month before it) or an extra
    inspection.

    \b
    Examples:
      xhsvc visit add --contract HT-2025-0102 --kind training --date 2026-12-18
      xhsvc visit add --contract HT-2025-0101 --kind standby \\
          --date 2027-01-28 --days 2
      xhsvc visit add --contract HT-2025-0101 --kind review --date 2027-01-05
    """
    visit = core.add_visit(
        core_context(ctx), contract=contract, kind=kind, on=on, template=template, site=site, days=days
    )
    _show_after(ctx, visit.key, json_out, f"{visit.key}  {visit.kind}  {visit.planned_for}")


@app.command("list")
def list_(
    ctx: typer.Context,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            help="planned, in_progress, completed, cancelled.",
            autocompletion=completers.visit_statuses,
        ),
    ] = None,
    customer: Annotated[
        str | None, typer.Option("--customer", "-c", autocompletion=completers.customers)
    ] = None,
    engineer: Annotated[str | None, typer.Option("--engineer", autocompletion=completers.people)] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only open visits past their date.")] = False,
    json_out: JsonOption = False,
) -> None:
    """Visits by date.

    \b
    Examples:
      xhsvc visit list --status planned -c 浙江省第一人民医院
      xhsvc visit list --engineer lijun --overdue
    """
    rows = core.list_visits(
        core_context(ctx), status=status, customer=customer, engineer=engineer, overdue=overdue
    )
    if json_out:
        print_json(rows)
        return
    print_table(_rows(rows), LIST_COLUMNS, empty=N_("no visits"))


@app.command()
def due(
    ctx: typer.Context,
    within: Annotated[str, typer.Option("--within", help="Days ahead, e.g. 14d or 2w.")] = "14d",
    json_out: JsonOption = False,
) -> None:
    """Open visits due within the period, and overdue ones (exit 0 with an empty list when none).

    \b
    Examples:
      xhsvc visit due
      xhsvc visit due --within 30d --json
    """
    rows = core.due_visits(core_context(ctx), within=within)
    if json_out:
        print_json(rows)
        return
    print_table(_rows(rows), LIST_COLUMNS, empty=_("no visit due within {period}").format(period=within))


@app.command()
def show(ctx: typer.Context, key: VisitArgument, json_out: JsonOption = False) -> None:
    """One visit: its checklist items (id, section, kind, choices, thresholds, value), findings.

    \b
    Examples:
      xhsvc visit show XH-V00013
    """
    data = core.show_visit(core_context(ctx), key=key)
    if json_out:
        print_json(data)
        return
    print_fields(
        [
            (N_("visit"), f"{data['key']}  {data['title']}"),
            (
                N_("status"),
                _("{status}  OVERDUE").format(status=data["status"]) if data["overdue"] else data["status"],
            ),
            (N_("date"), data["planned_for"]),
            (N_("customer"), data["customer"]),
            (N_("site"), data["site"]),
            (N_("contract"), data["contract"]),
            (N_("engineer"), data["engineer"]),
            (N_("started"), data["started_at"]),
            (N_("completed"), data["completed_at"]),
        ]
    )
    section = None
    for item in data["items"]:
        if item["section"] != section:
            section = item["section"]
            say("")
            say(f"[{data['sections'][section]}]")
        value = (
            item["value"]
            if item["value"] is not None
            else (_("(xhsvc fills it)") if item["filled_by_xhsvc"] else "—")
        )
        unit = f" {item['unit']}" if item["unit"] and item["value"] is not None else ""
        need = "*" if item["required"] else " "
        result = f"  [{item['result']}]" if item["result"] else ""
        say(f" {need} {item['id']:<28} {value}{unit}{result}   {item['label']}")
    for finding in data["findings"]:
        ticket = f"  -> {finding['ticket']}" if finding["ticket"] else ""
        say(
            _("finding [{severity}] {item}: {text}").format(
                severity=finding["severity"], item=finding["item"], text=finding["text"]
            )
            + ticket
        )


@app.command()
def assign(
    ctx: typer.Context,
    key: VisitArgument,
    engineer: Annotated[
        str,
        typer.Argument(help="The engineer who goes.", show_default=False, autocompletion=completers.people),
    ],
    json_out: JsonOption = False,
) -> None:
    """Send an engineer.

    \b
    Examples:
      xhsvc visit assign XH-V00002 lijun
    """
    core.assign_visit(core_context(ctx), key=key, engineer=engineer)
    _show_after(ctx, key, json_out, _("{visit} assigned to {person}").format(visit=key, person=engineer))


@app.command()
def reschedule(
    ctx: typer.Context,
    key: VisitArgument,
    on: Annotated[str, typer.Option("--date", help="The new day.", show_default=False)],
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    json_out: JsonOption = False,
) -> None:
    """Move a visit to another day.

    \b
    Examples:
      xhsvc visit reschedule XH-V00001 --date 2026-12-16 --reason "机房停电检修"
    """
    visit = core.reschedule_visit(core_context(ctx), key=key, on=on, reason=reason)
    _show_after(ctx, key, json_out, _("{visit} moved to {day}").format(visit=key, day=visit.planned_for))


@app.command()
def cancel(
    ctx: typer.Context,
    key: VisitArgument,
    reason: Annotated[str, typer.Option("--reason", show_default=False)],
    json_out: JsonOption = False,
) -> None:
    """Cancel a visit (it uses no entitlement).

    \b
    Examples:
      xhsvc visit cancel XH-V00014 --reason "客户推迟演练"
    """
    core.cancel_visit(core_context(ctx), key=key, reason=reason)
    _show_after(ctx, key, json_out, _("{visit} cancelled").format(visit=key))


@app.command()
def start(ctx: typer.Context, key: VisitArgument, json_out: JsonOption = False) -> None:
    """On site: open the checklist (an engineer with no visit assigned takes it).

    \b
    Examples:
      xhsvc --as lijun visit start XH-V00001
    """
    core.start_visit(core_context(ctx), key=key)
    _show_after(ctx, key, json_out, _("{visit} started").format(visit=key))


@app.command()
def record(
    ctx: typer.Context,
    key: VisitArgument,
    item: Annotated[str, typer.Argument(help="Item id, e.g. environment.temperature.", show_default=False)],
    value: Annotated[
        str, typer.Argument(help="ok/warn/fail/na, a number, a choice or text.", show_default=False)
    ],
    note: Annotated[str | None, typer.Option("--note")] = None,
    json_out: JsonOption = False,
) -> None:
    """Record one item; a number with thresholds sets its own result.

    \b
    Examples:
      xhsvc --as lijun visit record XH-V00001 environment.temperature 24
      xhsvc visit record XH-V00001 environment.power ok --note "双路供电"
    """
    core.record_items(core_context(ctx), key=key, answers={item: value}, notes={item: note} if note else {})
    if json_out:
        data = core.show_visit(core_context(ctx), key=key)
        print_json(next(i for i in data["items"] if i["id"] == item))
        return
    data = core.show_visit(core_context(ctx), key=key)
    recorded = next(i for i in data["items"] if i["id"] == item)
    say(f"{item} = {recorded['value']}" + (f" [{recorded['result']}]" if recorded["result"] else ""))


def _prompt_and_record(ctx: typer.Context, key: str) -> int:
    """Ask for each empty item in turn and record each answer at once, so nothing typed is lost;
    a wrong answer is explained and asked again."""
    data = core.show_visit(core_context(ctx), key=key)
    recorded = 0
    for item in data["items"]:
        if item["value"] is not None or item["filled_by_xhsvc"]:
            continue
        # The answers a check takes are typed as they are: ok/warn/fail/na.
        hint = {"check": "ok/warn/fail/na", "number": item["unit"] or _("number"), "text": _("text")}.get(
            item["kind"], ""
        )
        if item["kind"] == "choice":
            hint = " / ".join(item["choices"])
        question = (
            f"{item['id']}  {item['label']} [{hint}]"
            if item["required"]
            else _("{item}  {label} [{hint}] (Enter to skip)").format(
                item=item["id"], label=item["label"], hint=hint
            )
        )
        while True:
            text = typer.prompt(display(question), default="", show_default=False)
            if not text.strip():
                if item["required"]:
                    typer.echo(_("  required: complete needs it (Ctrl+C stops; what you answered is kept)"))
                    continue
                break
            try:
                core.record_items(core_context(ctx), key=key, answers={item["id"]: text.strip()})
            except InvalidInput as e:
                typer.echo(f"  {display(str(e))}")
                continue
            recorded += 1
            break
    return recorded


@app.command()
def fill(
    ctx: typer.Context,
    key: VisitArgument,
    from_file: Annotated[
        Path | None,
        typer.Option("--from", help="Answers prepared offline: TOML of item = value, notes in [notes]."),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Fill in many items at once: from a file, or by prompts. From a file every answer is checked
    first (one bad answer and nothing is recorded); without --from, on a terminal, a prompt asks
    for each empty item.

    \b
    Examples:
      xhsvc --as lijun visit fill XH-V00001 --from answers.toml
      xhsvc --as lijun visit fill XH-V00001
    """
    if from_file is None:
        if not (is_terminal() and sys.stdin.isatty()):
            raise InvalidInput(_("fill: give --from answers.toml (no terminal to ask on)"))
        count = _prompt_and_record(ctx, key)
    else:
        try:
            text = from_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise InvalidInput(
                _("from {file}: cannot read it ({reason})").format(file=from_file, reason=e)
            ) from e
        answers, notes = core.read_answers(text, source=str(from_file))
        core.record_items(core_context(ctx), key=key, answers=answers, notes=notes)
        count = len(answers)
    data = core.show_visit(core_context(ctx), key=key)
    if json_out:
        print_json(data)
        return
    missing = [i["id"] for i in data["items"] if i["required"] and i["value"] is None]
    flagged = [f"{i['id']} [{i['result']}]" for i in data["items"] if i["result"] in ("warn", "fail")]
    say(_("{visit}: {count} item(s) recorded").format(visit=key, count=count))
    if flagged:
        say(_("warn/fail: {items}").format(items=", ".join(flagged)))
    if missing:
        say(_("still required: {items}").format(items=", ".join(missing)))


@app.command()
def complete(
    ctx: typer.Context,
    key: VisitArgument,
    summary: Annotated[str | None, typer.Option("--summary", help="The engineer's summary.")] = None,
    open_tickets: Annotated[
        list[str] | None,
        typer.Option("--open-tickets", help="Open a follow-up ticket for this finding's item id, or 'all'."),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Complete the visit: refused while a required item is empty; failed and warning items become
    findings; the contract's entitlement is used.

    \b
    Examples:
      xhsvc --as lijun visit complete XH-V00001 --summary "系统运行正常"
      xhsvc --as lijun visit complete XH-V00001 --open-tickets all
    """
    done = core.complete_visit(core_context(ctx), key=key, summary=summary, open_tickets=open_tickets or [])
    if json_out:
        print_json(core.show_visit(core_context(ctx), key=key))
        return
    said = (
        _("{visit} completed: {count} finding(s), beyond the grant")
        if done.beyond_grant
        else _("{visit} completed: {count} finding(s)")
    )
    say(said.format(visit=key, count=len(done.findings)))
    for finding in done.findings:
        line = (
            _("[{severity}] {item}: {text}  -> follow-up {ticket}")
            if finding["ticket"]
            else "[{severity}] {item}: {text}"
        )
        say(
            "  "
            + line.format(
                severity=finding["severity"],
                item=finding["item_key"],
                text=finding["recommendation"] or finding["text"],
                ticket=finding["ticket"],
            )
        )


@app.command()
def report(
    ctx: typer.Context,
    key: VisitArgument,
    fmt: Annotated[str, typer.Option("--format", help="md or html.")] = "md",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
) -> None:
    """The visit's report, titled by its kind, with a sign-off block; HTML prints on A4.

    An inspection's is the 巡检总结报告与系统优化建议; a DR drill's the 容灾演练报告, and so on. A
    service review's (定期服务回顾报告) also sums up the period reviewed: the month's tickets, SLA,
    inspections and recommendations, for managers and admins.

    \b
    Examples:
      xhsvc visit report XH-V00013
      xhsvc visit report XH-V00013 --format html -o report.html
    """
    deliver_document(reports.visit_report(core_context(ctx), key=key, fmt=fmt), output)


@app.command("templates")
def templates_(json_out: JsonOption = False) -> None:
    """The checklist templates (shipped, and yours in the templates folder beside config.toml).

    \b
    Examples:
      xhsvc visit templates
    """
    rows = [
        {"name": t.name, "kind": t.kind, "title": t.title, "items": len(t.items), "source": t.source}
        for t in templates.list_templates()
    ]
    if json_out:
        print_json(rows)
        return
    print_table(
        rows,
        [("name", N_("NAME")), ("kind", N_("KIND")), ("items", N_("ITEMS")), ("title", N_("TITLE"))],
        empty=N_("none"),
    )
