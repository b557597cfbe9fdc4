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
from xhsvc.errors import InvalidInput
from xhsvc.i18n import _, pgettext

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


def ago(value: datetime, now: datetime | None = None) -> str:
    """How long ago `value` was, or how soon it comes: '3h05m ago', 'in 2d'."""
    from datetime import UTC

    minutes = ((now or datetime.now(UTC)) - value).total_seconds() / 60
    span = format_minutes(abs(minutes))
    return _("{span} ago").format(span=span) if minutes >= 0 else _("in {span}").format(span=span)


def when(value: datetime | None) -> str:
    """A moment in local time with how long ago it was: '2026-11-28 08:40 (3h05m ago)'."""
    return f"{local(value)} ({ago(value)})" if value is not None else ""


def understood(field: str, typed: str, moment: datetime) -> None:
    """Say, on stderr, which moment a typed time was taken for (`08:40`, `昨天 8点`, `2h ago`)."""
    typer.echo(
        _("{field}: {typed} = {moment} ({zone})").format(
            field=field, typed=display(typed), moment=local(moment), zone=DISPLAY_TZ
        ),
        err=True,
    )


def cell(value: Any) -> str:
    """A value as one line of text, safe to show."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else ""
    if isinstance(value, datetime):
        return local(value)
    return display(value)


def is_terminal() -> bool:
    return sys.stdout.isatty()


# Columns of free text (titles, names, messages): on a terminal too narrow for a listing, these
# are cut with an ellipsis; every other column (keys, states, times) keeps its whole width.
FLEXIBLE = frozenset(
    {
        "title",
        "customer",
        "message",
        "name",
        "pending",
        "reason",
        "address",
        "site",
        "coverage",
        "notes",
        "summary",
    }
)


def print_table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[tuple[str, str]],
    *,
    empty: str,
    optional: Sequence[str] = (),
) -> None:
    """`columns` pairs a row key with its heading. One row is one line: on a terminal too narrow
    for it, the `optional` columns are left out (in that order) while the free-text ones (FLEXIBLE)
    would get too little room, and those then give way, cut with an ellipsis; the others keep their
    width. In a pipe every column is there and every cell whole, for grep."""
    if not rows:
        # Never _(""): gettext answers the empty message with the catalog's header.
        typer.echo(display(_(empty) if empty else ""), err=True)
        return
    from rich.cells import cell_len

    cells = [[cell(row.get(key)) for key, _heading in columns] for row in rows]
    headings = [_(heading) for _key, heading in columns]
    widths = [max(cell_len(x) for x in col) for col in zip(headings, *cells, strict=True)]
    terminal = is_terminal()
    shown = list(range(len(columns)))
    if terminal:
        import shutil

        room = shutil.get_terminal_size().columns
        flexible = {i for i, (key, _) in enumerate(columns) if key in FLEXIBLE}
        droppable = [i for key in optional for i, (name, _) in enumerate(columns) if name == key]
        while droppable and not _roomy(
            [widths[i] for i in shown], [shown.index(i) for i in flexible & set(shown)], room
        ):
            shown.remove(droppable.pop(0))
        fitted = fitted_widths(
            [widths[i] for i in shown], [shown.index(i) for i in flexible & set(shown)], room, gap=2
        )
        widths = [fitted[shown.index(i)] if i in shown else 0 for i in range(len(columns))]
    lines = []
    for index, line in enumerate([headings, *cells]):
        text = "  ".join(fit_cell(line[i], widths[i]) for i in shown).rstrip()
        lines.append(typer.style(text, bold=True) if terminal and index == 0 else text)
    emit(lines)


def emit(lines: Sequence[str]) -> None:
    """Print `lines`; on a terminal, more of them than it has rows go through a pager as git does
    (`XHSVC_PAGER`, else `PAGER`, else `less` with LESS=FRX: it quits at once when all fits;
    XHSVC_PAGER=cat turns it off)."""
    import os
    import shutil

    command = os.environ.get("XHSVC_PAGER") or os.environ.get("PAGER") or "less"
    if (
        not is_terminal()
        or len(lines) < shutil.get_terminal_size().lines
        or command.strip() in ("", "cat")
        or shutil.which(command.split()[0]) is None
    ):
        for line in lines:
            typer.echo(line)
        return
    import subprocess

    env = {**os.environ, "LESS": os.environ.get("LESS", "FRX"), "LV": os.environ.get("LV", "-c")}
    pager = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=env)
    assert pager.stdin is not None
    try:
        pager.stdin.write(("\n".join(lines) + "\n").encode("utf-8"))
        pager.stdin.close()
    except BrokenPipeError:  # the reader quit the pager early: nothing more to show
        pass
    try:
        pager.wait()
    except KeyboardInterrupt:
        pager.wait()


# The least a free-text column gets before an optional column is left out for it.
FLEXIBLE_MIN = 12


def _roomy(widths: Sequence[int], flexible: Collection[int], room: int) -> bool:
    needed = sum(min(w, FLEXIBLE_MIN) if i in flexible else w for i, w in enumerate(widths))
    return needed + 2 * (len(widths) - 1) <= room


def fitted_widths(widths: Sequence[int], flexible: Collection[int], room: int, *, gap: int) -> list[int]:
    """Column widths that fit `room` cells: the flexible columns share what the others leave,
    the narrow ones whole and the rest evenly, none under a few cells."""
    fitted = list(widths)
    fixed = sum(w for i, w in enumerate(widths) if i not in flexible) + gap * (len(widths) - 1)
    left = room - fixed
    wanted = sorted(flexible, key=lambda i: widths[i])
    for position, i in enumerate(wanted):
        share = left // (len(wanted) - position) if left > 0 else 0
        fitted[i] = min(widths[i], max(share, min(widths[i], 6)))
        left -= fitted[i]
    return fitted


def fit_cell(text: str, width: int) -> str:
    """`text` in exactly `width` cells (wide characters count two): padded, or cut with '…'."""
    from rich.cells import cell_len, set_cell_size

    if cell_len(text) <= width:
        return text + " " * (width - cell_len(text))
    return set_cell_size(text, width - 1) + "…"


def print_fields(pairs: Iterable[tuple[str, Any]], *, blocks: Collection[str] = ()) -> None:
    """`label  value` lines. A field named in `blocks` (a description, a review) keeps its lines,
    each further one indented under the value; every other value stays on its line."""
    from rich.cells import cell_len

    shown = [
        (
            _(label),
            display(value, multiline=True) if label in blocks and isinstance(value, str) else cell(value),
        )
        for label, value in pairs
    ]
    width = max(cell_len(label) for label, _value in shown)
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
    typer.echo(_("warning: {message}").format(message=display(message)), err=True)


def more_note(rows: Sequence[Any]) -> None:
    """Under a listing cut at its limit, how many more there are: on stderr, so that the rows
    themselves stay the same for grep and pipes."""
    more = getattr(rows, "more", 0)
    if more:
        typer.echo(
            _("... {more} more not shown (--limit N for more, --limit 0 for all)").format(more=f"{more:,}"),
            err=True,
        )


def say(message: str) -> None:
    """A short confirmation for people, on one line; scripts use --json."""
    typer.echo(display(message))


def _clock_name(target: str) -> str:
    """A clock's short name in a listing (the on-site one has its own context: "onsite" is also
    a service)."""
    names = {"response": _("resp"), "onsite": pgettext("clock", "onsite"), "resolution": _("res")}
    return names.get(target, target)


def clock_summary(clocks: list[dict]) -> str:
    """Every clock of a ticket in a few characters each, for a listing; time left in working
    days and hours of the clock's own calendar."""
    parts = []
    for clock in clocks:
        name = _clock_name(clock["target"])
        state = clock["state"]
        day = clock["day_minutes"]
        if state in ("met", "late", "cancelled"):
            continue
        if state == "paused":
            parts.append(_("{clock} paused").format(clock=name))
        elif state == "breached":
            late = format_minutes(-clock["remaining_min"], day_minutes=day)
            parts.append(_("{clock} LATE {overdue}").format(clock=name, overdue=late))
        else:
            mark = "!" if state == "warning" else ""
            parts.append(f"{name} {format_minutes(clock['remaining_min'], day_minutes=day)}{mark}")
    return " · ".join(parts)


# Exports (`xhsvc export`, `worklog export`) ----------------------------------------------------


def check_export_format(*, csv_out: bool, json_out: bool, excel: bool) -> None:
    """Refuse a contradictory choice of format."""
    if csv_out and json_out:
        raise InvalidInput(_("format: choose --csv or --json, not both"))
    if excel and json_out:
        raise InvalidInput(_("format: --excel is CSV; choose --excel or --json, not both"))


def export_json(rows: Any, default: Callable[[Any], Any]) -> str:
    return json_safe(json.dumps(rows, ensure_ascii=False, indent=2, default=default)) + "\n"


def wants_bom(excel: bool, output: Any) -> bool:
    """A BOM for Excel, but not on a terminal: there the rows are read, not saved."""
    return excel and (output is not None or not is_terminal())


def deliver_export(text: str, output: Any, written: str) -> None:
    """The export to `output` (a Path) with `written` said, or to stdout. On a terminal the rows
    are read, not saved: control characters in them are shown, not acted on; a pipe or a file
    gets them exactly as stored."""
    if output is None:
        typer.echo(display(text, multiline=True) if is_terminal() else text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        say(written)


def refuse_pdf_to_terminal(fmt: str, output: Any) -> None:
    """A PDF asked for without --output on a terminal: refused before it is made (seconds of work)."""
    if fmt == "pdf" and output is None and is_terminal():
        raise InvalidInput(_("format pdf: give --output FILE (a PDF is not for the terminal)"))


def deliver_document(document: str | bytes, output: Any) -> None:
    """A report to `output` (a Path), or to stdout: text as it is (its templates show stored text
    safely), a PDF's bytes only to a pipe. A file that cannot be written is a one-line error."""
    if output is None:
        if isinstance(document, bytes):
            refuse_pdf_to_terminal("pdf", output)
            sys.stdout.buffer.write(document)
        else:
            typer.echo(document, nl=False)
        return
    try:
        if isinstance(document, bytes):
            output.write_bytes(document)
        else:
            output.write_text(document, encoding="utf-8")
    except OSError as e:
        raise InvalidInput(
            _("output {file}: cannot write it ({error})").format(file=output, error=e.strerror or e)
        ) from None
    say(_("report written to {file}").format(file=output))
