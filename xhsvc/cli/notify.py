"""`xhsvc notify ...`: the notification outbox."""

from __future__ import annotations

from typing import Annotated

import typer

from xhsvc.cli.common import JsonOption, core_context, lazy
from xhsvc.cli.output import print_json, print_table

core = lazy("xhsvc.core.notifications")

app = typer.Typer(
    help="Notifications owed to people (major incidents, approvals, assignments).", no_args_is_help=True
)


@app.command("list")
def list_(
    ctx: typer.Context,
    state: Annotated[str | None, typer.Option("--state", help="pending, delivered or failed.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Only for this person.")] = None,
    mine: Annotated[bool, typer.Option("--mine", help="Only mine.")] = False,
    limit: Annotated[int, typer.Option("--limit", help="At most this many; 0 for all.")] = 500,
    json_out: JsonOption = False,
) -> None:
    """The outbox, oldest first."""
    rows = core.list_notifications(core_context(ctx), state=state, to=to, mine=mine, limit=limit)
    if json_out:
        print_json(rows)
        return
    print_table(
        rows,
        [
            ("created_at", "WHEN"),
            ("recipient", "TO"),
            ("reason", "WHY"),
            ("state", "STATE"),
            ("message", "MESSAGE"),
        ],
        empty="no notifications",
    )
