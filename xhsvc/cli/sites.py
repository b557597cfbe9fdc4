"""`xhsvc site ...`: where a customer's systems stand."""

from __future__ import annotations

from typing import Annotated

import typer

from xhsvc.cli import completers
from xhsvc.cli.common import CustomerOption, JsonOption, core_context
from xhsvc.cli.output import print_fields, print_json, print_table, say
from xhsvc.i18n import N_, _
from xhsvc.lazy import lazy

core = lazy("xhsvc.core.customers")

app = typer.Typer(help="Customer sites (address, city and the branch that serves it).", no_args_is_help=True)

AddressOption = Annotated[str | None, typer.Option("--address", help="Street address.")]
CityOption = Annotated[str | None, typer.Option("--city", help="City, e.g. 杭州.")]
RegionOption = Annotated[str | None, typer.Option("--region", help="Serving branch (default: the city).")]


@app.command()
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Site name, e.g. 主数据中心.", show_default=False)],
    customer: CustomerOption,
    address: AddressOption = None,
    city: CityOption = None,
    region: RegionOption = None,
    json_out: JsonOption = False,
) -> None:
    """Add a site to a customer.

    \b
    Examples:
      xhsvc site add 灾备机房 -c 浙江省第一人民医院 --city 杭州 \\
          --address "滨江区江南大道9号"
    """
    site = core.add_site(
        core_context(ctx), customer=customer, name=name, address=address, city=city, region=region
    )
    if json_out:
        print_json(site.model_dump())
    else:
        say(_("site {name} added (branch {region})").format(name=site.name, region=site.region or "?"))


@app.command()
def edit(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Site name.", show_default=False)],
    customer: CustomerOption,
    new_name: Annotated[str | None, typer.Option("--name", help="A new name.")] = None,
    address: AddressOption = None,
    city: CityOption = None,
    region: RegionOption = None,
    json_out: JsonOption = False,
) -> None:
    """Change a site.

    \b
    Examples:
      xhsvc site edit 杭州主数据中心 -c 浙江省第一人民医院 \\
          --address "杭州市高新区科技路100号3楼"
    """
    site = core.edit_site(
        core_context(ctx),
        customer=customer,
        name=name,
        new_name=new_name,
        address=address,
        city=city,
        region=region,
    )
    if json_out:
        print_json(site.model_dump())
    else:
        say(_("site {name} saved").format(name=site.name))


@app.command("list")
def list_(
    ctx: typer.Context,
    customer: Annotated[
        str | None,
        typer.Option("--customer", "-c", help="Only this customer's.", autocompletion=completers.customers),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Sites, by customer.

    \b
    Examples:
      xhsvc site list
      xhsvc site list -c 浙江省第一人民医院
    """
    rows = core.list_sites(core_context(ctx), customer=customer)
    if json_out:
        print_json(rows)
        return
    columns = [
        ("customer", N_("CUSTOMER")),
        ("name", N_("SITE")),
        ("city", N_("CITY")),
        ("region", N_("BRANCH")),
        ("address", N_("ADDRESS")),
    ]
    print_table(rows, columns, empty=N_("no sites"))


@app.command()
def show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Site name.", show_default=False)],
    customer: CustomerOption,
    json_out: JsonOption = False,
) -> None:
    """One site.

    \b
    Examples:
      xhsvc site show 杭州主数据中心 -c 浙江省第一人民医院
    """
    data = core.get_site(core_context(ctx), customer=customer, name=name)
    if json_out:
        print_json(data)
        return
    print_fields(
        [
            (N_("customer"), data["customer"]),
            (N_("name"), data["name"]),
            (N_("address"), data["address"]),
            (N_("city"), data["city"]),
            (N_("region"), data["region"]),
        ]
    )
