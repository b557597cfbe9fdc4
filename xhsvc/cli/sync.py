"""`xhsvc sync ...`: laptops that work offline and exchange their work with the center."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from xhsvc.cli import completers
from xhsvc.cli.common import JsonOption, core_context
from xhsvc.cli.output import cell, local, print_fields, print_json, print_table, say, warn
from xhsvc.i18n import N_, _, pgettext
from xhsvc.lazy import lazy

core = lazy("xhsvc.core.sync")


app = typer.Typer(
    help=(
        "Offline sync with the center. Alone, `xhsvc sync` exchanges with the center's database both "
        "ways; `export`/`import` do the same through a bundle file (a USB stick, mail).\n\n"
        "\b\n"
        "Examples:\n"
        "  xhsvc sync\n"
        "  xhsvc sync --center postgresql+psycopg://lijun@center.example/xhsvc"
    ),
    invoke_without_command=True,
)
node_app = typer.Typer(help="Laptops registered at the center (managers).", no_args_is_help=True)
app.add_typer(node_app, name="node")

CenterOption = Annotated[
    str | None,
    typer.Option(
        "--center", help="The center's database URL (remembered after the first sync).", show_default=False
    ),
]


@app.callback()
def exchange(ctx: typer.Context, center: CenterOption = None, json_out: JsonOption = False) -> None:
    """Send the center what it lacks and take in what this laptop lacks, in one go.

    `xhsvc sync -h` shows the app's help (above) rather than this, with the examples.
    """
    if ctx.invoked_subcommand is not None:
        return
    result = core.sync_with_center(core_context(ctx), url=center)
    if json_out:
        print_json(result)
        return
    say(
        _("synced: {sent} changes sent, {received} received").format(
            sent=result["sent"], received=result["received"]
        )
    )
    _tell(result)


def _tell(result: dict[str, Any]) -> None:
    if result["conflicts"]:
        warn(
            _("{count} new conflict(s) kept for a person to resolve: xhsvc sync conflicts").format(
                count=result["conflicts"]
            )
        )
    if result["ahead"]:
        warn(
            _("{count} change(s) are dated ahead of this clock: the other side's clock may run fast").format(
                count=result["ahead"]
            )
        )


@app.command()
def status(ctx: typer.Context, json_out: JsonOption = False) -> None:
    """This node: what it is, what waits to be sent, the last sync.

    \b
    Examples:
      xhsvc sync status
      xhsvc sync status --json
    """
    data = core.sync_status(core_context(ctx))
    if json_out:
        print_json(data)
        return
    if data["role"] == "laptop":
        print_fields(
            [
                (
                    N_("node"),
                    _("{node} (laptop of {person})").format(node=data["name"], person=data["person"]),
                ),
                (N_("ticket keys"), f"{data['prefix']}-…"),
                (N_("center"), data["url"] or _("(bundles only: sync export / sync import)")),
                (N_("waiting to send"), _("{count} change(s)").format(count=data["waiting"])),
                (N_("last sync"), local(data["last_sync_at"]) or _("never")),
                (N_("open conflicts"), data["open_conflicts"]),
            ]
        )
    else:
        print_fields(
            [
                (N_("node"), _("center ({node})").format(node=data["node"])),
                (N_("laptops"), data["nodes"]),
                (N_("last sync"), local(data["last_sync_at"]) or _("never")),
                (N_("open conflicts"), data["open_conflicts"]),
            ]
        )


@app.command("export")
def export_(
    ctx: typer.Context,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The bundle file to write.", show_default=False)
    ],
    for_node: Annotated[
        str | None,
        typer.Option("--for", help="At the center: the laptop the bundle is for.", show_default=False),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Write what the other side lacks to a bundle file (signed with the node's key).

    \b
    Examples:
      xhsvc sync export -o /media/usb/lijun.xhb                    # on the laptop
      xhsvc sync export --for lijun-laptop -o /media/usb/back.xhb  # at the center
    """
    result = core.export_bundle(core_context(ctx), target=output, peer=for_node)
    if json_out:
        print_json(result)
    else:
        say(
            _("wrote {count} changes for {node} to {file}").format(
                count=result["events"], node=result["for"], file=result["file"]
            )
        )


@app.command("import")
def import_(
    ctx: typer.Context,
    bundle: Annotated[Path, typer.Argument(help="A bundle file from the other side.", show_default=False)],
    json_out: JsonOption = False,
) -> None:
    """Apply a bundle from the other side. It is checked whole first (key, digest, chains, who could
    have done what), then applied in one transaction, or not at all. Importing it again changes
    nothing.

    \b
    Examples:
      xhsvc sync import /media/usb/lijun.xhb
    """
    result = core.import_bundle(core_context(ctx), source=bundle)
    if json_out:
        print_json(result)
        return
    say(
        _("imported from {node}: {new} new of {count} changes").format(
            node=result["from"], new=result["new"], count=result["events"]
        )
    )
    _tell(result)


@app.command()
def join(
    ctx: typer.Context,
    token: Annotated[
        str, typer.Argument(help="The token `sync node add` printed at the center.", show_default=False)
    ],
    center: CenterOption = None,
    json_out: JsonOption = False,
) -> None:
    """Make this new, empty database a laptop of the center (and act as the token's person).

    \b
    Examples:
      xhsvc sync join xhsvc-join:eyJ... \\
          --center postgresql+psycopg://lijun@center.example/xhsvc
      xhsvc sync join xhsvc-join:eyJ...   # bundles only, no connection
    """
    from xhsvc.config import load_config, save_config, set_value

    result = core.join_center(core_context(ctx), token=token, url=center)
    config = load_config()
    if not config.get("user"):
        set_value(config, "user", result["person"])
        save_config(config)
    if json_out:
        print_json(result)
        return
    say(
        _("joined as {node} (laptop of {person}); new ticket keys start with {prefix}-").format(
            node=result["name"], person=result["person"], prefix=result["prefix"]
        )
    )
    say(
        _("next: xhsvc sync")
        if center
        else _("next: xhsvc sync import BUNDLE (from `sync export --for` at the center)")
    )


@node_app.command("add")
def node_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The laptop's name, e.g. lijun-laptop.", show_default=False)],
    person: Annotated[
        str,
        typer.Option(
            "--person",
            help="The person the laptop works for.",
            show_default=False,
            autocompletion=completers.people,
        ),
    ],
    prefix: Annotated[
        str | None,
        typer.Option(
            "--prefix", help="Its ticket-key prefix (default: from the person).", show_default=False
        ),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Register a laptop for one person; prints the token the laptop joins with (keep it secret).

    \b
    Examples:
      xhsvc --as zhoujian sync node add lijun-laptop --person lijun
    """
    result = core.add_node(core_context(ctx), name=name, person=person, prefix=prefix)
    if json_out:
        print_json(result)
        return
    say(
        _("registered {node} for {person}; its ticket keys start with {prefix}-").format(
            node=result["name"], person=result["person"], prefix=result["prefix"]
        )
    )
    say(_("on the laptop run:"))
    typer.echo(f"  xhsvc sync join {result['token']}")


@node_app.command("revoke")
def node_revoke(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The laptop's name.", show_default=False)],
    json_out: JsonOption = False,
) -> None:
    """Cut a lost, stolen or replaced laptop off. Its bundles are refused from now on.

    \b
    Examples:
      xhsvc --as zhoujian sync node revoke lijun-laptop
    """
    result = core.revoke_node(core_context(ctx), name=name)
    if json_out:
        print_json(result)
    else:
        say(_("{node} revoked: its bundles and syncs are refused from now on").format(node=result["name"]))


@node_app.command("list")
def node_list(ctx: typer.Context, json_out: JsonOption = False) -> None:
    """Registered laptops: whose, last sync, what waits for them.

    \b
    Examples:
      xhsvc sync node list
      xhsvc sync node list --json
    """
    rows = core.list_nodes(core_context(ctx))
    if json_out:
        print_json(rows)
        return
    print_table(
        rows,
        [
            ("name", N_("NAME")),
            ("person", N_("PERSON")),
            ("prefix", N_("PREFIX")),
            ("last_received_at", N_("LAST HEARD")),
            ("waiting", N_("WAITING")),
            ("revoked_at", N_("REVOKED")),
        ],
        empty=N_("no laptops registered: xhsvc sync node add NAME --person ID"),
    )


def _value(value: object) -> str:
    return _("(empty)") if value in (None, "") else cell(value)


@app.command()
def conflicts(
    ctx: typer.Context,
    ticket: Annotated[
        str | None,
        typer.Option(
            "--ticket", help="Only this ticket's.", show_default=False, autocompletion=completers.tickets
        ),
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Resolved ones too.")] = False,
    json_out: JsonOption = False,
) -> None:
    """What lost when two nodes changed the same thing at once. Each is kept until a person resolves
    it.

    \b
    Examples:
      xhsvc sync conflicts
      xhsvc sync conflicts --ticket XH-000012 --all
    """
    rows = core.list_conflicts(core_context(ctx), ticket=ticket, resolved=all_)
    if json_out:
        print_json(rows)
        return
    shown = [
        {
            **row,
            "what": f"{row['entity']} {row['field']}",
            "kept_shown": f"{_value(row['kept'])} ({row['kept_by']})",
            "lost_shown": f"{_value(row['lost'])} ({row['lost_by']}, {local(row['lost_at'])})",
            "state": _("resolved by {person}").format(person=row["resolved_by"])
            if row["resolved_by"]
            else pgettext("conflict", "open"),
        }
        for row in rows
    ]
    print_table(
        shown,
        [
            ("id", N_("ID")),
            ("ticket", N_("TICKET")),
            ("what", N_("FIELD")),
            ("kept_shown", N_("KEPT")),
            ("lost_shown", N_("LOST")),
            ("state", N_("STATE")),
        ],
        empty=N_("no open conflicts"),
    )


@app.command()
def resolve(
    ctx: typer.Context,
    conflict: Annotated[
        str, typer.Argument(help="The conflict's ID (its first characters will do).", show_default=False)
    ],
    take: Annotated[
        str,
        typer.Option(
            "--take", help="kept: keep what won; lost: put back the value that lost.", show_default=False
        ),
    ],
    note: Annotated[
        str | None, typer.Option("--note", help="Why, for the history.", show_default=False)
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Settle a conflict; the choice is an event like any other and reaches every node.

    \b
    Examples:
      xhsvc sync resolve 3f9a1c2b7d40 --take lost --note "远程重启才是原因"
      xhsvc sync resolve 3f9a --take kept
    """
    result = core.resolve_conflict(core_context(ctx), conflict=conflict, take=take, note=note)
    if json_out:
        print_json(result)
    else:
        say(
            _("conflict on {fields} resolved ({take})").format(
                fields=", ".join(result["fields"]), take=result["take"]
            )
        )
