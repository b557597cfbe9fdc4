"""One renderer for every command: a table on a terminal, plain columns in a pipe, or --json.

Instants are stored in UTC; tables show them in the configured time zone, JSON keeps ISO UTC.
Nothing here colours or prompts when stdout is not a terminal.

Stored text is shown, never acted on: every cell, field and message goes through
`xhsvc.core.text.display` (control characters made visible, a one-line cell kept on its line),
and what reaches rich is a `Text`, so that brackets in data are never taken for markup.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import typer

from xhsvc.core.durations import format_minutes
from xhsvc.core.text import display, json_safe

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
    # json.dumps escapes C0 controls itself; json_safe escapes DEL, C1 and bidi controls too.
    typer.echo(json_safe(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default)))


def local(value: datetime | None) -> str:
    if value is None:
        return ""
    from zoneinfo import ZoneInfo

    return value.astimezone(ZoneInfo(DISPLAY_TZ)).strftime("%Y-%m-%d %H:%M")


def cell(value: Any) -> str:
    """A value as one line of text, safe to show."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, datetime):
        return local(value)
    return display(value)


def is_terminal() -> bool:
    return sys.stdout.isatty()


def print_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[tuple[str, str]], *, empty: str) -> None:
    """`columns` pairs a row key with its heading."""
    if not rows:
        typer.echo(display(empty), err=True)
        return
    cells = [[cell(row.get(key)) for key, _ in columns] for row in rows]
    if is_terminal():
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        table = Table(box=None, header_style="bold", pad_edge=False)
        for _, heading in columns:
            table.add_column(heading, overflow="fold")
        for line in cells:
            table.add_row(*(Text(text) for text in line))
        Console().print(table)
        return
    from rich.cells import cell_len

    headings = [heading for _, heading in columns]
    widths = [max(cell_len(x) for x in col) for col in zip(headings, *cells, strict=True)]
    for line in [headings, *cells]:
        padded = [text + " " * (width - cell_len(text)) for text, width in zip(line, widths, strict=True)]
        typer.echo("  ".join(padded).rstrip())


def print_fields(pairs: Iterable[tuple[str, Any]], *, blocks: Collection[str] = ()) -> None:
    """`label  value` lines. A field named in `blocks` (a description, a review) keeps its lines,
    each further one indented under the value; every other value stays on its line."""
    from rich.cells import cell_len

    shown = [
        (label, display(value, multiline=True) if label in blocks and isinstance(value, str) else cell(value))
        for label, value in pairs
    ]
    width = max(cell_len(label) for label, _ in shown)
    indent = "\n" + " " * (width + 2)
    for label, value in shown:
        typer.echo(f"{label}{' ' * (width - cell_len(label))}  {indent.join(value.splitlines() or [''])}")


@contextmanager
def progress(label: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr while long work runs, when stderr is a terminal (none in a pipe
    or a log). Yields a function that sets how much is done, out of `total` (None: unknown)."""
    if not sys.stderr.isatty():
        yield lambda done: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(display(label), total=total)
        yield lambda done: bar.update(task, completed=done)


def warn(message: str) -> None:
    """Something a person must know although the command did its work: one line on stderr."""
    typer.echo(f"warning: {display(message)}", err=True)


def more_note(rows: Sequence[Any]) -> None:
    """Under a listing cut at its limit, how many more there are: on stderr, so that the rows
    themselves stay the same for grep and pipes."""
    more = getattr(rows, "more", 0)
    if more:
        typer.echo(f"... {more:,} more not shown (--limit N for more, --limit 0 for all)", err=True)


def say(message: str) -> None:
    """A short confirmation for people, on one line; scripts use --json."""
    typer.echo(display(message))


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
