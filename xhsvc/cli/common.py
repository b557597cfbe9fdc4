"""What every command shares: global options, the core context, option types."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from xhsvc.cli import completers
from xhsvc.cli.global_options import Globals
from xhsvc.i18n import _

if TYPE_CHECKING:
    from xhsvc.core.context import Context


def state(ctx: typer.Context) -> Globals:
    root = ctx.find_root()
    if not isinstance(root.obj, Globals):
        root.obj = Globals()
    return root.obj


def core_context(ctx: typer.Context) -> Context:
    return state(ctx).context()


JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of a table.")]
KeyArgument = Annotated[
    str,
    typer.Argument(help="Ticket key, e.g. XH-000123.", show_default=False, autocompletion=completers.tickets),
]
# A required customer, completed from the database.
CustomerOption = Annotated[
    str,
    typer.Option(
        "--customer",
        "-c",
        help="Customer name or id.",
        show_default=False,
        autocompletion=completers.customers,
    ),
]

YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do it without asking (for scripts).")]


def interactive() -> bool:
    """A person at a terminal, who can be asked."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def confirm_irreversible(command: str, what: str, *, yes: bool) -> None:
    """An action that cannot be undone: a person at a terminal is shown `what` will happen and
    asked; a script says `--yes`. Declined or unconfirmed, nothing is done (exit 4)."""
    from xhsvc.core.text import display
    from xhsvc.errors import NotAllowed

    if yes:
        return
    if not interactive():
        raise NotAllowed(
            _("{command}: cannot be undone; confirm on a terminal or pass --yes").format(command=command)
        )
    typer.echo(display(what))
    if not typer.confirm(_("Go ahead?"), default=False):
        raise NotAllowed(_("{command}: not confirmed; nothing changed").format(command=command))
