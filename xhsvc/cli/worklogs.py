"""`xhsvc worklog ...`: the time logged on tickets and visits, its totals, and the billing export."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from xhsvc.cli import completers
from xhsvc.cli.common import JsonOption, core_context
from xhsvc.cli.output import (
    check_export_format,
    deliver_export,
    export_json,
    print_json,
    print_table,
    wants_bom,
)
from xhsvc.core.durations import format_minutes
from xhsvc.i18n import N_, _
from xhsvc.lazy import lazy

core = lazy("xhsvc.core.worklogs")

app = typer.Typer(
    help="Work logs: time spent on tickets and visits, totals, billing export.", no_args_is_help=True
)

# Logged time in hours and minutes, never days: 26h30m.
MAX_DAY = 10**9

MonthOption = Annotated[
    str | None, typer.Option("--month", help="Only work done in this month, e.g. 2026-11.")
]
OutOfContractOption = Annotated[
    bool, typer.Option("--out-of-contract", help="Only work no contract covers (what is billed).")
]


def _spent(minutes: int) -> str:
    return format_minutes(minutes, day_minutes=MAX_DAY)


def _kind(kind: str) -> str:
    return _(core.KIND_LABELS[kind])


@app.command("list")
def list_(
    ctx: typer.Context,
    ticket: Annotated[
        str | None,
        typer.Option("--ticket", help="Of this ticket or visit.", autocompletion=completers.work_targets),
    ] = None,
    person: Annotated[
        str | None, typer.Option("--person", help="Logged by this person.", autocompletion=completers.people)
    ] = None,
    customer: Annotated[
        str | None, typer.Option("--customer", help="Of this customer.", autocompletion=completers.customers)
    ] = None,
    month: MonthOption = None,
    out_of_contract: OutOfContractOption = False,
    json_out: JsonOption = False,
) -> None:
    """Logged time, oldest first: who, when, how long and on what.

    \b
    Examples:
      xhsvc worklog list --ticket XH-000012
      xhsvc worklog list --person lijun --month 2026-11 --json
    """
    rows = core.list_work(
        core_context(ctx),
        key=ticket,
        person=person,
        customer=customer,
        month=month,
        out_of_contract=out_of_contract,
    )
    if json_out:
        print_json(rows)
        return
    for row in rows:
        row["spent"] = _spent(row["minutes"])
        row["kind_label"] = _kind(row["kind"])
        row["contract"] = row["contract"] or _("(out of contract)")
    columns = [
        ("started_at", N_("WHEN")),
        ("key", N_("KEY")),
        ("person", N_("PERSON")),
        ("kind_label", N_("KIND")),
        ("spent", N_("TIME")),
        ("customer", N_("CUSTOMER")),
        ("contract", N_("CONTRACT")),
        ("note", N_("NOTE")),
    ]
    print_table(rows, columns, empty=N_("no work logged"), optional=("contract", "customer"))


@app.command()
def totals(
    ctx: typer.Context,
    by: Annotated[
        str,
        typer.Option(
            "--by",
            help="ticket, engineer, customer or contract.",
            show_default=False,
            autocompletion=completers.work_totals,
        ),
    ],
    month: MonthOption = None,
    out_of_contract: OutOfContractOption = False,
    json_out: JsonOption = False,
) -> None:
    """Time logged per ticket, engineer, customer or contract.

    Most first, in all and by kind. By contract, work on tickets and visits no contract covers
    is shown as out of contract, one line a customer: what the desk bills.

    \b
    Examples:
      xhsvc worklog totals --by engineer --month 2026-11
      xhsvc worklog totals --by contract --json
    """
    rows = core.work_totals(core_context(ctx), by=by, month=month, out_of_contract=out_of_contract)
    if json_out:
        print_json(rows)
        return
    by = by.strip().lower()
    headings = {
        "ticket": N_("KEY"),
        "engineer": N_("ENGINEER"),
        "customer": N_("CUSTOMER"),
        "contract": N_("CONTRACT"),
    }
    table: list[dict[str, Any]] = []
    for row in rows:
        shown = {
            "group": row["group"] if row["group"] is not None else _("(out of contract)"),
            "detail": row.get("customer") or row.get("name") or "",
            "entries": row["entries"],
            "total": _spent(row["minutes"]),
            "hours": f"{row['hours']:.2f}",
            **{kind: _spent(row[kind]) if row[kind] else "" for kind in core.KINDS},
        }
        table.append(shown)
    if rows:
        minutes = sum(r["minutes"] for r in rows)
        table.append(
            {
                "group": _("total"),
                "detail": "",
                "entries": sum(r["entries"] for r in rows),
                "total": _spent(minutes),
                "hours": f"{minutes / 60:.2f}",
                **{kind: _spent(sum(r[kind] for r in rows)) for kind in core.KINDS},
            }
        )
    columns = [("group", headings[by])]
    if by != "customer":
        columns.append(("detail", N_("NAME") if by == "engineer" else N_("CUSTOMER")))
    columns += [
        ("entries", N_("ENTRIES")),
        ("total", N_("TIME")),
        ("hours", N_("HOURS")),
        ("remote", N_("REMOTE")),
        ("onsite", N_("ON SITE")),
        ("travel", N_("TRAVEL")),
    ]
    print_table(table, columns, empty=N_("no work logged"))


@app.command()
def export(
    ctx: typer.Context,
    month: MonthOption = None,
    out_of_contract: OutOfContractOption = False,
    csv_out: Annotated[bool, typer.Option("--csv", help="CSV (the default).")] = False,
    json_out: JsonOption = False,
    excel: Annotated[
        bool, typer.Option("--excel", help="CSV in UTF-8 with a BOM, which Excel opens with Chinese intact.")
    ] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
) -> None:
    """Export logged time for billing: one row an entry (CSV by default, --excel for Excel, or --json).

    Each row: key, customer, contract (empty out of contract), who, kind, when (the desk's time
    zone), minutes, hours and the note.

    \b
    Examples:
      xhsvc worklog export --month 2026-11 --out-of-contract -o 合同外工时.csv
      xhsvc worklog export --month 2026-11 --json
    """
    check_export_format(csv_out=csv_out, json_out=json_out, excel=excel)
    context = core_context(ctx)
    rows = core.export_work(context, month=month, out_of_contract=out_of_contract)
    if json_out:

        def iso(value: Any) -> str:
            return value.isoformat() if isinstance(value, datetime) else str(value)

        text = export_json(rows, iso)
    else:
        text = core.to_csv(context, rows, bom=wants_bom(excel, output))
    written = _("{count} work log entries written to {file}").format(count=len(rows), file=output)
    deliver_export(text, output, written)
