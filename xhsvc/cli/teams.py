"""`xhsvc customer team ...`: a customer's project support team (项目支持服务小组)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from xhsvc.cli import completers
from xhsvc.cli.common import JsonOption, core_context
from xhsvc.cli.output import print_fields, print_json, print_table, say
from xhsvc.i18n import N_, _
from xhsvc.lazy import lazy

core = lazy("xhsvc.core.organization")

app = typer.Typer(
    help="A customer's project support team (项目支持服务小组).",
    no_args_is_help=True,
)

CustomerArgument = Annotated[
    str,
    typer.Argument(
        metavar="CUSTOMER",
        help="Customer name or id.",
        show_default=False,
        autocompletion=completers.customers,
    ),
]
PersonArgument = Annotated[
    str,
    typer.Argument(
        metavar="PERSON",
        help="Engineer id, e.g. lijun.",
        show_default=False,
        autocompletion=completers.people,
    ),
]


def _print_team(data: dict[str, Any]) -> None:
    print_fields([(N_("customer"), data["customer"]), (N_("region"), data["region"])])
    rows = [
        {**m, "primary": "*" if m["primary"] else "", "works_for": m["branch"] or m["partner"] or ""}
        for m in data["members"]
    ]
    if rows:
        say("")
    print_table(
        rows,
        [
            ("tier", N_("TIER")),
            ("primary", N_("PRIMARY")),
            ("handle", N_("ID")),
            ("name", N_("NAME")),
            ("region", N_("REGION")),
            ("works_for", N_("BRANCH/PARTNER")),
            ("load", N_("OPEN")),
        ],
        empty=N_("no team yet: xhsvc customer team add CUSTOMER PERSON"),
    )


@app.command("add")
def team_add(
    ctx: typer.Context,
    customer: CustomerArgument,
    person: PersonArgument,
    tier: Annotated[
        str | None,
        typer.Option(
            "--tier", help="L1 or L2 in this team (default: the engineer's).", autocompletion=completers.tiers
        ),
    ] = None,
    primary: Annotated[
        bool, typer.Option("--primary", help="The customer's first engineer of that tier, suggested first.")
    ] = False,
    json_out: JsonOption = False,
) -> None:
    """Put an engineer in a customer's team (agents, managers and admins). Adding them again
    changes their tier or makes them primary.

    \b
    Examples:
      xhsvc customer team add 浙江省第一人民医院 lijun --primary
      xhsvc customer team add 浙江省第一人民医院 wuhao --tier L2
    """
    data = core.add_team_member(
        core_context(ctx), customer=customer, person=person, tier=tier, primary=primary
    )
    if json_out:
        print_json(data)
    else:
        say(_("{person} is in the team of {customer}").format(person=person, customer=data["customer"]))


@app.command("remove")
def team_remove(
    ctx: typer.Context, customer: CustomerArgument, person: PersonArgument, json_out: JsonOption = False
) -> None:
    """Take an engineer out of a customer's team (its history keeps that they were in it).

    \b
    Examples:
      xhsvc customer team remove 浙江省第一人民医院 lijun
    """
    data = core.remove_team_member(core_context(ctx), customer=customer, person=person)
    if json_out:
        print_json(data)
    else:
        say(_("{person} left the team of {customer}").format(person=person, customer=data["customer"]))


@app.command("show")
def team_show(ctx: typer.Context, customer: CustomerArgument, json_out: JsonOption = False) -> None:
    """A customer's team by tier, the primary engineer first. With each one's open tickets.

    \b
    Examples:
      xhsvc customer team show 浙江省第一人民医院
    """
    data = core.show_team(core_context(ctx), customer=customer)
    if json_out:
        print_json(data)
    else:
        _print_team(data)
