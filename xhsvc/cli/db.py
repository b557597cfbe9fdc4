"""`xhsvc db ...`: schema status and upgrade, the log's hash chains, state rebuild, backups."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from xhsvc.cli.common import JsonOption, YesOption, confirm_irreversible, core_context, state
from xhsvc.cli.output import print_fields, print_json, say
from xhsvc.errors import Conflict
from xhsvc.i18n import N_, _
from xhsvc.lazy import lazy

core = lazy("xhsvc.core.maintenance")

app = typer.Typer(
    help=(
        "The database: schema, verify, rebuild, back up and restore. `verify` checks the event log's "
        "hash chains; `rebuild` replays the log onto the state tables."
    ),
    no_args_is_help=True,
)


def _url(ctx: typer.Context) -> str:
    return state(ctx).url()


@app.command()
def status(ctx: typer.Context, json_out: JsonOption = False) -> None:
    """The database's schema revision against this xhsvc's (changes nothing).

    \b
    Examples:
      xhsvc db status
      xhsvc --db postgresql+psycopg://owner@db/xhsvc db status
    """
    data = core.database_status(url=_url(ctx))
    if json_out:
        print_json(data)
        return
    print_fields(
        [
            (N_("database"), data["url"]),
            (N_("schema"), data["current"] or _("(empty: created on first use)")),
            (N_("this xhsvc"), data["head"]),
            (
                N_("state"),
                _("made by a newer xhsvc: upgrade xhsvc")
                if data["newer_than_this_xhsvc"]
                else (_("up to date") if data["up_to_date"] else _("needs upgrade: xhsvc db upgrade")),
            ),
        ]
    )


@app.command()
def upgrade(ctx: typer.Context, json_out: JsonOption = False) -> None:
    """Apply the migrations this xhsvc ships (done on open anyway; this is for an explicit step).

    \b
    Examples:
      xhsvc db upgrade
    """
    data = core.upgrade_database(url=_url(ctx))
    if json_out:
        print_json(data)
    elif data["before"] == data["after"]:
        say(_("already at {revision}").format(revision=data["after"]))
    else:
        say(
            _("upgraded {before} -> {after}").format(
                before=data["before"] or _("(empty)"), after=data["after"]
            )
        )


@app.command()
def rebuild(ctx: typer.Context, yes: YesOption = False, json_out: JsonOption = False) -> None:
    """Rebuild every state table from the event log (admins only; refused when a chain is broken).
    On a terminal it asks first; scripts pass --yes.

    \b
    Examples:
      xhsvc --as admin db rebuild
      xhsvc --as admin db rebuild --yes
    """
    confirm_irreversible(
        "db rebuild",
        _(
            "Rebuild every table of {url} from its event log? What the tables hold now is replaced "
            "by what the log says (stop the dashboard and jobs that use the database first)."
        ).format(url=_url(ctx)),
        yes=yes,
    )
    count = core.rebuild_state(core_context(ctx))
    if json_out:
        print_json({"events_replayed": count})
    else:
        say(_("state rebuilt from {count} events").format(count=count))


@app.command()
def verify(ctx: typer.Context, json_out: JsonOption = False) -> None:
    """Check the event log's hash chains. Walk the chain of every node: exit 0 when it holds; exit 5
    naming the first event that was changed, inserted or deleted behind xhsvc's back.

    \b
    Examples:
      xhsvc db verify
      xhsvc db verify --json
    """
    verdict = core.verify_log(core_context(ctx))
    if json_out:
        print_json(verdict)
    elif verdict["intact"]:
        say(
            _("event log intact: {events} events from {nodes} node(s)").format(
                events=verdict["events"], nodes=verdict["nodes"]
            )
        )
    if not verdict["intact"]:
        raise Conflict(_("event log broken at {where}").format(where=core.describe_break(verdict)))


@app.command()
def backup(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The copy to write (a new file).", show_default=False)],
    json_out: JsonOption = False,
) -> None:
    """Copy the SQLite database while others keep working. The copy is consistent, and its owner's
    alone (0600).

    \b
    Examples:
      xhsvc db backup /srv/backup/xhsvc-2026-11-28.db
    """
    data = core.backup_database(core_context(ctx), target=file)
    if json_out:
        print_json(data)
    else:
        say(_("backed up {events} events to {file}").format(events=data["events"], file=data["file"]))
    if not data["intact"]:
        raise Conflict(_("the event log of this database is broken: `xhsvc db verify` says where"))


@app.command()
def restore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A file written by `xhsvc db backup`.", show_default=False)],
    yes: YesOption = False,
    json_out: JsonOption = False,
) -> None:
    """Replace this SQLite database with a backup. Its hash chains must verify first; the restored copy
    continues as a new node. Stop the dashboard and jobs that use the database first.

    \b
    Examples:
      xhsvc db restore /srv/backup/xhsvc-2026-11-28.db
      xhsvc db restore /srv/backup/xhsvc-2026-11-28.db --yes
    """
    url = _url(ctx)
    confirm_irreversible(
        "db restore",
        _("Replace the database {url} with {file}? What it holds now is lost.").format(url=url, file=file),
        yes=yes,
    )
    state(ctx).close()
    data = core.restore_database(url=url, source=file)
    if json_out:
        print_json(data)
    else:
        say(
            _("restored {events} events from {file}; this database is now node {node}").format(
                events=data["events"], file=file, node=data["node"]
            )
        )
