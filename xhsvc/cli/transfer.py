"""`xhsvc import KIND FILE.csv` and `xhsvc export KIND`: customers, sites, contacts, assets, contracts."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, BinaryIO

import typer

from xhsvc.cli.common import JsonOption, core_context
from xhsvc.cli.output import (
    check_export_format,
    deliver_export,
    export_json,
    print_json,
    progress,
    say,
    wants_bom,
)
from xhsvc.core.text import display
from xhsvc.errors import InvalidInput
from xhsvc.i18n import _
from xhsvc.lazy import lazy

core = lazy("xhsvc.core.transfer")
csv_files = lazy("xhsvc.core.csv_files")

KindArgument = Annotated[
    str, typer.Argument(help="customers, sites, contacts, assets or contracts.", show_default=False)
]


def import_(
    ctx: typer.Context,
    kind: KindArgument,
    file: Annotated[
        Path, typer.Argument(help="A CSV file with a header line ('-' = stdin).", show_default=False)
    ],
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="Import the good rows and list the bad ones.")
    ] = False,
    json_out: JsonOption = False,
) -> None:
    """Import a CSV file in UTF-8 (with or without BOM) or GBK/GB18030: every row is checked;
    nothing is written unless all rows are good (or --skip-bad). Importing the same file again
    changes nothing.

    \b
    Examples:
      xhsvc import customers customers.csv
      xhsvc import assets assets.csv --skip-bad --json
    """
    not_text = _("file {file}: {problem}; nothing imported").format(file=file, problem=_(csv_files.NOT_TEXT))
    raw: BinaryIO | None = None
    lines: Iterable[str]
    try:
        if str(file) == "-":
            size = None
            # A stdin that is text only (`batch` gives its commands an empty StringIO) is read as
            # such; a real one is bytes, decoded as a file's are.
            stdin = getattr(sys.stdin, "buffer", None)
            lines = sys.stdin if stdin is None else csv_files.text_lines(stdin)
        else:
            raw = file.open("rb")
            size = file.stat().st_size
            lines = csv_files.text_lines(raw)
    except OSError as e:
        if raw is not None:
            raw.close()
        raise InvalidInput(
            _("file {file}: cannot read it ({reason})").format(file=file, reason=e.strerror)
        ) from e
    except csv_files.NotText:
        if raw is not None:
            raw.close()
        raise InvalidInput(not_text) from None
    rows = 0

    def done_so_far(page: int) -> int:
        nonlocal rows
        rows += page
        # The bytes read of the file: the text is decoded from it as the rows are read.
        return raw.tell() if raw is not None else rows

    try:
        with progress(_("import {kind}").format(kind=kind), size) as show:
            report = core.import_rows(
                core_context(ctx),
                kind=kind,
                lines=lines,
                skip_bad=skip_bad,
                progress=lambda page: show(done_so_far(page)),
            )
    except UnicodeDecodeError:
        # A byte further on than the head its encoding was told from does not decode.
        raise InvalidInput(not_text) from None
    except InvalidInput as e:
        raise InvalidInput(_("{file}: {problem}").format(file=file, problem=e)) from None
    finally:
        if raw is not None:
            raw.close()
    if json_out:
        print_json(report.as_dict())
    for bad in report.bad:
        typer.echo(display(_("{file}: {problem}").format(file=file, problem=bad)), err=True)
    if not report.applied:
        typer.echo(
            _("error: {bad} bad row(s) of {rows}; nothing imported (fix them, or --skip-bad)").format(
                bad=len(report.bad), rows=report.rows
            ),
            err=True,
        )
        raise typer.Exit(2)
    if not json_out:
        said = (
            _("{kind}: {created} created, {updated} updated, {unchanged} unchanged, {bad} bad row(s) skipped")
            if report.bad
            else _("{kind}: {created} created, {updated} updated, {unchanged} unchanged")
        )
        say(
            said.format(
                kind=kind,
                created=report.created,
                updated=report.updated,
                unchanged=report.unchanged,
                bad=len(report.bad),
            )
        )


def export(
    ctx: typer.Context,
    kind: KindArgument,
    csv_out: Annotated[bool, typer.Option("--csv", help="CSV (the default), as `import` takes it.")] = False,
    json_out: JsonOption = False,
    excel: Annotated[
        bool, typer.Option("--excel", help="CSV in UTF-8 with a BOM, which Excel opens with Chinese intact.")
    ] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
) -> None:
    """Export records with the columns `import` takes (CSV by default, --excel for Excel, or --json).

    \b
    Examples:
      xhsvc export customers -o customers.csv
      xhsvc export contracts --excel -o 合同.csv
    """
    check_export_format(csv_out=csv_out, json_out=json_out, excel=excel)
    rows = core.export_rows(core_context(ctx), kind=kind)
    text = export_json(rows, str) if json_out else csv_files.to_csv(kind, rows, bom=wants_bom(excel, output))
    written = _("{count} {kind} written to {file}").format(count=len(rows), kind=kind, file=output)
    deliver_export(text, output, written)


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
    app.command("export")(export)
