"""`xhsvc ticket part|parts|report`: what the work on a ticket leaves behind, the parts replaced
and the service report. Registered on the ticket sub-app by cli/tickets.py."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from xhsvc.cli.common import JsonOption, KeyArgument, core_context
from xhsvc.cli.output import (
    deliver_document,
    local,
    print_json,
    print_table,
    refuse_pdf_to_terminal,
    say,
)
from xhsvc.i18n import N_, _
from xhsvc.lazy import lazy

parts_core = lazy("xhsvc.core.parts")
report_core = lazy("xhsvc.core.service_report")


def part(
    ctx: typer.Context,
    key: KeyArgument,
    part_number: Annotated[
        str, typer.Argument(metavar="PART", help="The part number (FRU), e.g. DK-4T-SAS.", show_default=False)
    ],
    quantity: Annotated[int, typer.Option("--quantity", "--qty", help="How many (1-100).")] = 1,
    description: Annotated[
        str | None, typer.Option("--description", "-d", help="What the part is, e.g. '4TB SAS 硬盘'.")
    ] = None,
    removed: Annotated[
        str | None, typer.Option("--removed", metavar="SERIAL", help="Serial of the part taken out.")
    ] = None,
    installed: Annotated[
        str | None, typer.Option("--installed", metavar="SERIAL", help="Serial of the part put in.")
    ] = None,
    at: Annotated[
        str | None,
        typer.Option("--at", metavar="WHEN", help="When it was replaced (default now), e.g. '昨天 15点'."),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Anything the parts desk should know.")] = None,
    json_out: JsonOption = False,
) -> None:
    """Record a part replaced while working a ticket; the service report lists it.

    Engineers, experts, managers and admins, on a ticket in progress, waiting or resolved.

    \b
    Examples:
      xhsvc --as lijun ticket part XH-000017 DK-4T-SAS -d "4TB SAS 硬盘"
      xhsvc --as lijun ticket part XH-000017 BBU-01 --removed B1001 --qty 2
    """
    entry = parts_core.record_part(
        core_context(ctx),
        key=key,
        part=part_number,
        quantity=quantity,
        description=description,
        removed=removed,
        installed=installed,
        at=at,
        note=note,
    )
    if json_out:
        print_json(entry)
        return
    say(
        _("{key}: {quantity} x {part} recorded").format(
            key=key.upper(), quantity=entry["quantity"], part=entry["part_number"]
        )
    )


def parts(ctx: typer.Context, key: KeyArgument, json_out: JsonOption = False) -> None:
    """The parts replaced on a ticket.

    \b
    Examples:
      xhsvc ticket parts XH-000017
    """
    rows = parts_core.list_parts(core_context(ctx), key=key)
    if json_out:
        print_json(rows)
        return
    print_table(
        [{**row, "replaced_at": local(row["replaced_at"])} for row in rows],
        [
            ("part_number", N_("PART")),
            ("quantity", N_("QTY")),
            ("description", N_("DESCRIPTION")),
            ("removed_serial", N_("REMOVED")),
            ("installed_serial", N_("INSTALLED")),
            ("person", N_("BY")),
            ("replaced_at", N_("WHEN")),
        ],
        empty=N_("no parts replaced"),
        optional=("description",),
    )


def report(
    ctx: typer.Context,
    key: KeyArgument,
    fmt: Annotated[str, typer.Option("--format", help="md, html or pdf.")] = "md",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
) -> None:
    """The ticket's service report (服务报告), written from the ticket.

    The customer, site and system, the fault, the work done (history and time logged), parts
    replaced, the resolution, the customer's confirmation and a sign-off block. HTML is one
    printable A4 page; PDF needs WeasyPrint (pip install 'xhsvc[pdf]'). A closed ticket's kept
    report is in `ticket show`.

    \b
    Examples:
      xhsvc ticket report XH-000017
      xhsvc ticket report XH-000017 --format html -o XH-000017.html
      xhsvc ticket report XH-000017 --format pdf -o XH-000017.pdf
    """
    refuse_pdf_to_terminal(fmt, output)
    deliver_document(report_core.service_report(core_context(ctx), key=key, fmt=fmt), output)


def register(app: typer.Typer) -> None:
    app.command()(part)
    app.command()(parts)
    app.command()(report)
