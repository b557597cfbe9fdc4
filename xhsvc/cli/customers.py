"""`xhsvc customer ...`: the customers who call."""

from __future__ import annotations

from typing import Annotated

import typer

from xhsvc.cli import completers
from xhsvc.cli.common import JsonOption, core_context
from xhsvc.cli.output import print_fields, print_json, print_table, say
from xhsvc.cli.teams import app as team_app
from xhsvc.i18n import N_, _
from xhsvc.lazy import lazy

core = lazy("xhsvc.core.customers")

app = typer.Typer(help="Customers, with their sites, contacts and assets.", no_args_is_help=True)
app.add_typer(team_app, name="team")

NameArgument = Annotated[
    str,
    typer.Argument(help="Customer name or id.", show_default=False, autocompletion=completers.customers),
]
RegionOption = Annotated[str | None, typer.Option("--region", help="Branch city that serves it, e.g. 杭州.")]
IndustryOption = Annotated[str | None, typer.Option("--industry", help="e.g. 医疗, 金融, 政府.")]


@app.command()
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Customer name, e.g. 浙江省第一人民医院.", show_default=False)],
    region: RegionOption = None,
    industry: IndustryOption = None,
    json_out: JsonOption = False,
) -> None:
    """Add a customer.

    \b
    Examples:
      xhsvc customer add 宁波市第二医院 --region 杭州 --industry 医疗
    """
    customer = core.add_customer(core_context(ctx), name=name, region=region, industry=industry)
    if json_out:
        print_json(customer.model_dump())
    else:
        say(_("customer {name} added").format(name=customer.name))


@app.command()
def edit(
    ctx: typer.Context,
    name: NameArgument,
    new_name: Annotated[str | None, typer.Option("--name", help="A new name.")] = None,
    region: RegionOption = None,
    industry: IndustryOption = None,
    json_out: JsonOption = False,
) -> None:
    """Change a customer's name, region or industry.

    \b
    Examples:
      xhsvc customer edit 广州南沙港务集团 --industry 港口物流
      xhsvc customer edit 四川省教育考试院 --name 四川省教育考试中心
    """
    customer = core.edit_customer(
        core_context(ctx), name=name, new_name=new_name, region=region, industry=industry
    )
    if json_out:
        print_json(customer.model_dump())
    else:
        say(_("customer {name} saved").format(name=customer.name))


@app.command("list")
def list_(ctx: typer.Context, json_out: JsonOption = False) -> None:
    """All customers, by name.

    \b
    Examples:
      xhsvc customer list
      xhsvc customer list --json
    """
    rows = [c.model_dump() for c in core.list_customers(core_context(ctx))]
    if json_out:
        print_json(rows)
        return
    print_table(
        rows,
        [("name", N_("NAME")), ("region", N_("REGION")), ("industry", N_("INDUSTRY"))],
        empty=N_("no customers yet"),
    )


@app.command()
def show(ctx: typer.Context, name: NameArgument, json_out: JsonOption = False) -> None:
    """One customer with its sites, contacts and assets.

    \b
    Examples:
      xhsvc customer show 浙江省第一人民医院
    """
    data = core.customer_profile(core_context(ctx), name=name)
    if json_out:
        print_json(data)
        return
    print_fields(
        [(N_("customer"), data["name"]), (N_("region"), data["region"]), (N_("industry"), data["industry"])]
    )
    for site in data["sites"]:
        say(
            _("site      {name}  {address}  ({region})").format(
                name=site["name"], address=site["address"] or "", region=site["region"] or ""
            )
        )
    for contact in data["contacts"]:
        say(
            _("contact   {name}  {phone}  {email}  {role}").format(
                name=contact["name"],
                phone=contact["phone"] or "",
                email=contact["email"] or "",
                role=contact["role"] or "",
            )
        )
    for asset in data["assets"]:
        say(
            _("asset     {serial}  {model}  firmware {firmware}  at {site}").format(
                serial=asset["serial"],
                model=asset["model"],
                firmware=asset["firmware"] or "?",
                site=asset["site"] or "?",
            )
        )
