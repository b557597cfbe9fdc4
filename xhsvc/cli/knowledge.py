"""`xhsvc kb ...`: knowledge notes, what was learnt on a case (symptom, cause, fix), found again."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from xhsvc.cli import completers
from xhsvc.cli.common import JsonOption, core_context
from xhsvc.cli.output import local, more_note, print_fields, print_json, print_table, say
from xhsvc.errors import InvalidInput
from xhsvc.i18n import N_, _
from xhsvc.lazy import lazy

core = lazy("xhsvc.core.knowledge")

app = typer.Typer(
    help="Knowledge notes: symptom, cause and fix, found by any part.",
    no_args_is_help=True,
)

# What a listing shows of a text of many lines: its first, cut here.
BRIEF = 60
# The symptom and the fix go in the columns a narrow terminal cuts first (output.FLEXIBLE knows
# them as a title and a summary); keys, models and times stay whole.
LIST_COLUMNS = [
    ("key", N_("ID")),
    ("model", N_("MODEL")),
    ("title", N_("SYMPTOM")),
    ("summary", N_("FIX")),
    ("ticket", N_("TICKET")),
    ("author", N_("BY")),
    ("created_at", N_("WRITTEN")),
]
LIST_OPTIONAL = ("created_at", "author", "ticket")

ModelOption = Annotated[
    str | None, typer.Option("--model", help="Only notes of this model (XS-5000 and xs5000 are one).")
]


def brief(text: str | None) -> str:
    """The first line of a text, cut at BRIEF characters; '…' says there is more."""
    if not text:
        return ""
    lines = text.strip().splitlines() or [""]
    first = lines[0]
    if len(first) > BRIEF:
        return first[: BRIEF - 1] + "…"
    return first + (" …" if len(lines) > 1 else "")


def _table(rows: list[dict[str, Any]], empty: str) -> None:
    shown = [{**row, "title": brief(row["symptom"]), "summary": brief(row["fix"])} for row in rows]
    print_table(shown, LIST_COLUMNS, empty=empty, optional=LIST_OPTIONAL)


@app.command()
def add(
    ctx: typer.Context,
    symptom: Annotated[
        str,
        typer.Option(
            "--symptom", help="What the customer saw (the words a search finds).", show_default=False
        ),
    ],
    fix: Annotated[str, typer.Option("--fix", help="What fixed it.", show_default=False)],
    cause: Annotated[str | None, typer.Option("--cause", help="Why it happened, when known.")] = None,
    ticket: Annotated[
        str | None,
        typer.Option("--ticket", help="The ticket it was learnt on.", autocompletion=completers.tickets),
    ] = None,
    model: Annotated[
        str | None, typer.Option("--model", help="The system's model (default: the ticket's system's).")
    ] = None,
    firmware: Annotated[
        str | None, typer.Option("--firmware", help="Its firmware (default: the ticket's system's).")
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Write a knowledge note (engineers, experts, managers, admins).

    A text may have lines of its own ($'...\\n...' in bash). With --ticket the note is linked
    to it, and its model and firmware are the ticket's system's unless given.

    \b
    Examples:
      xhsvc kb add --ticket XH-000012 --symptom "阵列掉盘" --fix "更换背板电源"
      xhsvc kb add --model XS-5000 --symptom "快照空间告警" --fix "扩容快照池"
    """
    note = core.add_note(
        core_context(ctx),
        symptom=symptom,
        cause=cause,
        fix=fix,
        ticket=ticket,
        model=model,
        firmware=firmware,
    )
    if json_out:
        print_json(note)
    else:
        say(_("{note} written").format(note=note["key"]))


@app.command()
def search(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="Any part of a symptom, cause, fix, model or firmware.")],
    model: ModelOption = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many notes; 0 for all.")] = 20,
    json_out: JsonOption = False,
) -> None:
    """Find notes by any part of their texts, best first.

    Every word must be there (two Chinese characters are enough: 掉盘 finds 硬盘频繁掉盘); case,
    spaces and punctuation do not matter. A match in the symptom comes before one in the model,
    the cause or the fix, then the newest.

    \b
    Examples:
      xhsvc kb search 掉盘
      xhsvc kb search "控制器 重启" --model XS-5000 --json
    """
    rows = core.search_notes(core_context(ctx), text=text, model=model, limit=limit)
    if json_out:
        print_json(rows)
        return
    _table(rows, N_("no knowledge note matches"))


@app.command()
def show(
    ctx: typer.Context,
    key: Annotated[
        str,
        typer.Argument(
            help="The note's key, e.g. XH-KB00001.", show_default=False, autocompletion=completers.notes
        ),
    ],
    json_out: JsonOption = False,
) -> None:
    """One note: symptom, cause, fix, model, firmware, ticket, author.

    \b
    Examples:
      xhsvc kb show XH-KB00001
      xhsvc kb show xh-kb00001 --json
    """
    note = core.show_note(core_context(ctx), key=key)
    if json_out:
        print_json(note)
        return
    print_fields(
        [
            (N_("note"), note["key"]),
            (N_("model"), note["model"]),
            (N_("firmware"), note["firmware"]),
            (N_("ticket"), note["ticket"]),
            (
                N_("written"),
                _("{at} by {person} ({name})").format(
                    at=local(note["created_at"]), person=note["author"], name=note["author_name"]
                ),
            ),
            (N_("symptom"), note["symptom"]),
            (N_("cause"), note["cause"]),
            (N_("fix"), note["fix"]),
        ],
        blocks=("symptom", "cause", "fix"),
    )


@app.command("list")
def list_(
    ctx: typer.Context,
    model: ModelOption = None,
    ticket: Annotated[
        str | None,
        typer.Option(
            "--ticket", help="Only notes written on this ticket.", autocompletion=completers.tickets
        ),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many rows; 0 for all.")] = 200,
    json_out: JsonOption = False,
) -> None:
    """The knowledge notes, newest first.

    \b
    Examples:
      xhsvc kb list
      xhsvc kb list --model XS-5000 --json
    """
    rows = core.list_notes(core_context(ctx), model=model, ticket=ticket, limit=limit)
    if json_out:
        print_json(rows)
        return
    _table(rows, N_("no knowledge notes"))
    more_note(rows)


def print_ticket_knowledge(found: dict[str, Any]) -> None:
    """Under `ticket show`: the notes written on the ticket, then the ones suggested for it (the
    same model first), a line each."""
    for note in found["notes"]:
        say(
            _("knowledge note {note}: {symptom} (xhsvc kb show {note})").format(
                note=note["key"], symptom=brief(note["symptom"])
            )
        )
    for note in found["suggested"]:
        line = (
            _("suggested note {note}: {symptom} ({model}, same model)")
            if note["same_model"]
            else _("suggested note {note}: {symptom} ({model})")
        )
        say(
            line.format(
                note=note["key"], symptom=brief(note["symptom"]), model=note["model"] or _("any model")
            )
        )


def note_on_close(
    context: Any, key: str, *, ask: bool, symptom: str | None, cause: str | None, fix: str | None
) -> dict[str, str | None] | None:
    """The note `ticket close` writes once the ticket is closed, checked before it closes: from
    --kb-symptom, --kb-cause and --kb-fix; with --kb on a terminal, what they leave out is asked
    for once the ticket is closed (`ask_rest`). None: no note."""
    if not ask and symptom is None and cause is None and fix is None:
        return None
    from xhsvc.cli.common import interactive

    later = ask and interactive()
    if ask and not later and (symptom is None or fix is None):
        raise InvalidInput(
            _("--kb: no terminal to ask on; give --kb-symptom and --kb-fix (--kb-cause if known)")
        )
    if symptom is None and not later:
        raise InvalidInput(
            _("--kb-symptom: a knowledge note needs the symptom and the fix (or --kb to be asked)")
        )
    if fix is None and not later:
        raise InvalidInput(
            _("--kb-fix: a knowledge note needs the symptom and the fix (or --kb to be asked)")
        )
    note = {"symptom": symptom, "cause": cause, "fix": fix}
    core.check_note(context, **note, whole=not later)
    return note


def ask_rest(context: Any, key: str, note: dict[str, str | None]) -> dict[str, str | None]:
    """On a terminal, after the close: ask for what the note still lacks (the ticket's title
    offered as the symptom, its resolution as the fix; Enter skips the cause)."""
    from xhsvc.cli.common import interactive
    from xhsvc.core.text import display

    if not interactive() or all(note[name] is not None for name in ("symptom", "cause", "fix")):
        return note
    ticket = lazy("xhsvc.core.ticket_views").show_ticket(context, key=key)
    typer.echo(
        _("Knowledge note on {ticket}, for the next engineer with the same trouble:").format(
            ticket=ticket["key"]
        )
    )
    asked = dict(note)
    if asked["symptom"] is None:
        asked["symptom"] = typer.prompt(_("Symptom"), default=display(ticket["title"]))
    if asked["cause"] is None:
        asked["cause"] = typer.prompt(_("Cause (Enter if unknown)"), default="", show_default=False) or None
    if asked["fix"] is None:
        resolution = ticket["resolution"]
        asked["fix"] = typer.prompt(_("Fix"), default=display(resolution) if resolution else None)
    return asked
