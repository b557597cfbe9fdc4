"""`xhsvc init` and `xhsvc demo`: setting up an installation."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import typer

from xhsvc.cli import completers
from xhsvc.cli.common import JsonOption, YesOption, confirm_irreversible, core_context, state
from xhsvc.cli.output import print_json, say
from xhsvc.core.labels import role_label
from xhsvc.i18n import _
from xhsvc.lazy import lazy

people = lazy("xhsvc.core.people")
setup_core = lazy("xhsvc.core.setup")
demo_core = lazy("xhsvc.core.demo")
maintenance_core = lazy("xhsvc.core.maintenance")

# What the demo suggests trying: command lines, typed as they are in any language.
TRY = (
    "xhsvc ticket list",
    "xhsvc ticket show XH-000001",
    "xhsvc notify list",
    "xhsvc visit list",
    "xhsvc tui",
)


def init(
    ctx: typer.Context,
    handle: Annotated[str, typer.Option("--id", help="Your login id, e.g. wangfang.", show_default=False)],
    name: Annotated[str, typer.Option("--name", help="Your name, e.g. 王芳.", show_default=False)],
    role: Annotated[
        str,
        typer.Option(
            "--role",
            help="agent, engineer, expert, manager or admin.",
            show_default=False,
            autocompletion=completers.roles,
        ),
    ],
    tier: Annotated[
        str | None, typer.Option("--tier", help="L1/L2 for engineers.", autocompletion=completers.tiers)
    ] = None,
    region: Annotated[str | None, typer.Option("--region", help="Your branch city, e.g. 杭州.")] = None,
    prefix: Annotated[
        str | None, typer.Option("--prefix", help="Ticket-key prefix of this database, e.g. XH.")
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Set up this installation: who you are (written to config.toml) and the ticket-key prefix.

    \b
    Examples:
      xhsvc init --id zhoujian --name 周建 --role manager --prefix XH
      xhsvc init --id lijun --name 李军 --role engineer --tier L1 --region 杭州
    """
    from xhsvc import config

    if prefix is not None:
        setup_core.validate_prefix(prefix)
    core_ctx = core_context(ctx)
    person, created = people.register_self(
        core_ctx, handle=handle, name=name, role=role, tier=tier, region=region
    )
    if prefix is not None:
        setup_core.set_key_prefix(core_ctx, prefix=prefix)
    data = config.load_config()
    data["user"] = person.handle
    if prefix is not None:
        data["prefix"] = prefix
    path = config.save_config(data)
    if json_out:
        print_json(
            {"user": person.handle, "created": created, "prefix": core_ctx.db.prefix, "config": str(path)}
        )
        return
    said = (
        _("created {name} ({person}, {role}); config: {file}")
        if created
        else _("found {name} ({person}, {role}); config: {file}")
    )
    say(said.format(name=person.name, person=person.handle, role=role_label(person.role), file=path))
    say(_("ticket keys: {prefix}-000001 ...").format(prefix=core_ctx.db.prefix))


def demo(
    ctx: typer.Context,
    reset: Annotated[
        bool,
        typer.Option("--reset", help="Start over: set this SQLite database aside (kept) and begin anew."),
    ] = False,
    yes: YesOption = False,
    json_out: JsonOption = False,
) -> None:
    """Fill a fresh database with realistic demo data. People, customers, contracts, tickets at every
    stage and a year of inspections. `--reset` starts over on a new database; the old file is kept
    beside it.

    \b
    Examples:
      xhsvc demo
      xhsvc demo --reset --yes
    """
    from datetime import UTC, datetime

    from xhsvc import config

    if reset:
        url = state(ctx).url()
        confirm_irreversible(
            "demo --reset",
            _(
                "Start over: set the database {url} aside (the file is kept, renamed) and load the demo "
                "into a new one?"
            ).format(url=url),
            yes=yes,
        )
        state(ctx).close()
        kept = maintenance_core.set_aside_database(url=url, now=datetime.now(UTC))["kept"]
        if kept and not json_out:
            say(_("the old database is kept as {file}").format(file=kept))
    # The demo acts as its own people: whoever config.toml names need not exist yet.
    summary = demo_core.load_demo(replace(core_context(ctx), actor_handle=None))
    data = config.load_config()
    if not data.get("user"):
        data["user"] = summary["user"]
        config.save_config(data)
    if json_out:
        print_json(summary)
        return
    say(
        _(
            "demo loaded: {people} people, {customers} customers, {contracts} contracts, {tickets} tickets; "
            "the SLA sweep fired {rules} escalation rule(s)"
        ).format(
            people=summary["people"],
            customers=summary["customers"],
            contracts=summary["contracts"],
            tickets=summary["tickets"],
            rules=summary["rules_fired"],
        )
    )
    say(
        _("you act as {person} (change with --as PERSON or `xhsvc config set user ID`); try:").format(
            person=data["user"]
        )
    )
    for command in TRY:
        say(f"  {command}")


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command()(demo)
