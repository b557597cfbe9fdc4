"""One renderer for every command: a table on a terminal, plain columns in a pipe, or --json.

Instants are stored in UTC; tables show them in the configured time zone, JSON keeps ISO UTC.
Nothing here colours or prompts when stdout is not a terminal.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import typer

from xhsvc.core.durations import format_minutes

DISPLAY_TZ = "Asia/Shanghai"


def set_display_timezone(name: str) -> None:
    global DISPLAY_TZ
    DISPLAY_TZ = name


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "model_dump"):
        return value.model_dump()
    raise TypeError(f"not serialisable: {type(value).__name__}")


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default))


def local(value: datetime | None) -> str:
    if value is None:
        return ""
    from zoneinfo import ZoneInfo

    return value.astimezone(ZoneInfo(DISPLAY_TZ)).strftime("%Y-%m-%d %H:%M")


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, datetime):
        return local(value)
    return str(value)


def is_terminal() -> bool:
    return sys.stdout.isatty()


def print_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[tuple[str, str]], *, empty: str) -> None:
    """`columns` pairs a row key with its heading."""
    if not rows:
        typer.echo(empty, err=True)
        return
    cells = [[cell(row.get(key)) for key, _ in columns] for row in rows]
    if is_terminal():
        from rich.console import Console
        from rich.table import Table

        table = Table(box=None, header_style="bold", pad_edge=False)
        for _, heading in columns:
            table.add_column(heading, overflow="fold")
        for line in cells:
            table.add_row(*line)
        Console().print(table)
        return
    from rich.cells import cell_len

    headings = [heading for _, heading in columns]
    widths = [max(cell_len(x) for x in col) for col in zip(headings, *cells, strict=True)]
    for line in [headings, *cells]:
        padded = [text + " " * (width - cell_len(text)) for text, width in zip(line, widths, strict=True)]
        typer.echo("  ".join(padded).rstrip())


def print_fields(pairs: Iterable[tuple[str, Any]]) -> None:
    pairs = [(label, cell(value)) for label, value in pairs]
    from rich.cells import cell_len

    width = max(cell_len(label) for label, _ in pairs)
    for label, value in pairs:
        typer.echo(f"{label}{' ' * (width - cell_len(label))}  {value}")


def warn(message: str) -> None:
    """Something a person must know although the command did its work: one line on stderr."""
    typer.echo(f"warning: {message}", err=True)


def say(message: str) -> None:
    """A short confirmation for people; scripts use --json."""
    typer.echo(message)


CLOCK_NAMES = {"response": "resp", "onsite": "onsite", "resolution": "res"}


def clock_summary(clocks: list[dict]) -> str:
    """Every clock of a ticket in a few characters each, for a listing; time left in working
    days and hours of the clock's own calendar."""
    parts = []
    for clock in clocks:
        name = CLOCK_NAMES.get(clock["target"], clock["target"])
        state = clock["state"]
        day = clock["day_minutes"]
        if state in ("met", "late", "cancelled"):
            continue
        if state == "paused":
            parts.append(f"{name} paused")
        elif state == "breached":
            parts.append(f"{name} LATE {format_minutes(-clock['remaining_min'], day_minutes=day)}")
        else:
            mark = "!" if state == "warning" else ""
            parts.append(f"{name} {format_minutes(clock['remaining_min'], day_minutes=day)}{mark}")
    return " · ".join(parts)
