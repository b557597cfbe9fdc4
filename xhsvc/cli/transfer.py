"""`xhsvc import KIND FILE.csv` and `xhsvc export KIND`: customers, sites, contacts, assets, contracts."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Annotated

import typer

from xhsvc.cli.common import JsonOption, core_context, lazy
from xhsvc.cli.output import is_terminal, print_json, progress, say
from xhsvc.core.text import display, json_safe
from xhsvc.errors import InvalidInput

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
    """Import a CSV file: every row is checked; nothing is written unless all rows are good
    (or --skip-bad). Importing the same file again changes nothing."""
    raw = None
    try:
        if str(file) == "-":
            lines, size = sys.stdin, None
        else:
            raw = file.open("rb")
            lines, size = io.TextIOWrapper(raw, encoding="utf-8", newline=""), file.stat().st_size
    except OSError as e:
        raise InvalidInput(f"file {file}: cannot read it ({e.strerror})") from e
    rows = 0

    def done_so_far(page: int) -> int:
        nonlocal rows
        rows += page
        return raw.tell() if raw is not None else rows

    try:
        with progress(f"import {kind}", size) as show:
            report = core.import_rows(
                core_context(ctx),
                kind=kind,
                lines=lines,
                skip_bad=skip_bad,
                progress=lambda page: show(done_so_far(page)),
            )
    except UnicodeDecodeError:
        raise InvalidInput(
            f"file {file}: not UTF-8 text; save it as UTF-8 (CSV UTF-8); nothing imported"
        ) from None
    except InvalidInput as e:
        raise InvalidInput(f"{file}: {e}") from None
    finally:
        if raw is not None:
            raw.close()
    if json_out:
        print_json(report.as_dict())
    for bad in report.bad:
        typer.echo(display(f"{file}: {bad}"), err=True)
    if not report.applied:
        typer.echo(
            f"error: {len(report.bad)} bad row(s) of {report.rows}; nothing imported (fix them, or --skip-bad)",
            err=True,
        )
        raise typer.Exit(2)
    if not json_out:
        skipped = f", {len(report.bad)} bad row(s) skipped" if report.bad else ""
        say(
            f"{kind}: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged{skipped}"
        )


def export(
    ctx: typer.Context,
    kind: KindArgument,
    csv_out: Annotated[bool, typer.Option("--csv", help="CSV (the default), as `import` takes it.")] = False,
    json_out: JsonOption = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
) -> None:
    """Export records with the columns `import` takes (CSV by default, or --json)."""
    if csv_out and json_out:
        raise InvalidInput("format: choose --csv or --json, not both")
    rows = core.export_rows(core_context(ctx), kind=kind)
    if json_out:
        import json

        text = json_safe(json.dumps(rows, ensure_ascii=False, indent=2, default=str)) + "\n"
    else:
        text = csv_files.to_csv(kind, rows)
    if output is None:
        # On a terminal the records are read, not saved: control characters in them are shown,
        # not acted on. A pipe or a file gets them exactly as stored.
        typer.echo(display(text, multiline=True) if is_terminal() else text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        say(f"{len(rows)} {kind} written to {output}")


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
    app.command("export")(export)
