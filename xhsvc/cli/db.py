"""`xhsvc db ...`: schema status and upgrade, state rebuild."""

from __future__ import annotations

import typer

from xhsvc.cli.common import JsonOption, core_context, lazy, state
from xhsvc.cli.output import print_fields, print_json, say

core = lazy("xhsvc.core.maintenance")

app = typer.Typer(
    help="The database: schema status, upgrade, rebuild from the event log.", no_args_is_help=True
)


def _url(ctx: typer.Context) -> str:
    from xhsvc.config import db_url, load_config

    return db_url(state(ctx).db, load_config())


@app.command()
def status(ctx: typer.Context, json_out: JsonOption = False) -> None:
    """The database's schema revision against this xhsvc's (changes nothing)."""
    data = core.database_status(url=_url(ctx))
    if json_out:
        print_json(data)
        return
    print_fields(
        [
            ("database", data["url"]),
            ("schema", data["current"] or "(empty: created on first use)"),
            ("this xhsvc", data["head"]),
            (
                "state",
                "made by a newer xhsvc: upgrade xhsvc"
                if data["newer_than_this_xhsvc"]
                else ("up to date" if data["up_to_date"] else "needs upgrade: xhsvc db upgrade"),
            ),
        ]
    )


@app.command()
def upgrade(ctx: typer.Context, json_out: JsonOption = False) -> None:
    """Apply the migrations this xhsvc ships (done on open anyway; this is for an explicit step)."""
    data = core.upgrade_database(url=_url(ctx))
    if json_out:
        print_json(data)
    elif data["before"] == data["after"]:
        say(f"already at {data['after']}")
    else:
        say(f"upgraded {data['before'] or '(empty)'} -> {data['after']}")


@app.command()
def rebuild(ctx: typer.Context, json_out: JsonOption = False) -> None:
    """Rebuild every state table from the event log (admins only)."""
    count = core.rebuild_state(core_context(ctx))
    if json_out:
        print_json({"events_replayed": count})
    else:
        say(f"state rebuilt from {count} events")
