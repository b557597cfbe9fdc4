"""`xhsvc asset ...`: the customers' storage systems, by serial number."""

from __future__ import annotations

from typing import Annotated

import typer

from xhsvc.cli import completers
from xhsvc.cli.common import CustomerOption, JsonOption, core_context
from xhsvc.cli.output import print_fields, print_json, print_table, say
from xhsvc.i18n import N_, _
from xhsvc.lazy import lazy

core = lazy("xhsvc.core.customers")

app = typer.Typer(help="Assets: storage systems and appliances, by serial number.", no_args_is_help=True)

SerialArgument = Annotated[str, typer.Argument(help="Serial number.", show_default=False)]
FirmwareOption = Annotated[str | None, typer.Option("--firmware", help="Firmware version, e.g. V3.2.1.")]
SiteOption = Annotated[str | None, typer.Option("--site", help="The customer's site it stands at.")]


@app.command()
def add(
    ctx: typer.Context,
    customer: CustomerOption,
    model: Annotated[str, typer.Option("--model", help="e.g. XS-5000.", show_default=False)],
    serial: Annotated[str, typer.Option("--serial", help="Serial number.", show_default=False)],
    firmware: FirmwareOption = None,
    site: SiteOption = None,
    json_out: JsonOption = False,
) -> None:
    """Add an asset to a customer.

    \b
    Examples:
      xhsvc asset add -c 浙江省第一人民医院 --model XS-8000 \\
          --serial XS2026-0000901 --site 杭州主数据中心
    """
    asset = core.add_asset(
        core_context(ctx), customer=customer, model=model, serial=serial, firmware=firmware, site=site
    )
    if json_out:
        print_json(asset.model_dump())
    else:
        say(_("asset {serial} added").format(serial=asset.serial))


@app.command()
def edit(
    ctx: typer.Context,
    serial: SerialArgument,
    model: Annotated[str | None, typer.Option("--model")] = None,
    firmware: FirmwareOption = None,
    site: SiteOption = None,
    json_out: JsonOption = False,
) -> None:
    """Change an asset's model, firmware or site.

    \b
    Examples:
      xhsvc asset edit XS2023-0000614 --firmware V3.2.1
    """
    asset = core.edit_asset(core_context(ctx), serial=serial, model=model, firmware=firmware, site=site)
    if json_out:
        print_json(asset.model_dump())
    else:
        say(_("asset {serial} saved").format(serial=asset.serial))


@app.command("list")
def list_(
    ctx: typer.Context,
    customer: Annotated[
        str | None,
        typer.Option("--customer", "-c", help="Only this customer's.", autocompletion=completers.customers),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Assets, by customer.

    \b
    Examples:
      xhsvc asset list
      xhsvc asset list -c 杭州市西湖区政务数据中心
    """
    rows = core.list_assets(core_context(ctx), customer=customer)
    if json_out:
        print_json(rows)
        return
    columns = [
        ("customer", N_("CUSTOMER")),
        ("serial", N_("SERIAL")),
        ("model", N_("MODEL")),
        ("firmware", N_("FIRMWARE")),
        ("site", N_("SITE")),
    ]
    print_table(rows, columns, empty=N_("no assets"))


@app.command()
def show(ctx: typer.Context, serial: SerialArgument, json_out: JsonOption = False) -> None:
    """One asset.

    \b
    Examples:
      xhsvc asset show XS2023-0000614
    """
    data = core.get_asset(core_context(ctx), serial=serial)
    if json_out:
        print_json(data)
        return
    print_fields(
        [
            (N_("serial"), data["serial"]),
            (N_("model"), data["model"]),
            (N_("firmware"), data["firmware"]),
            (N_("customer"), data["customer"]),
            (N_("site"), data["site"]),
            (N_("created_at"), data["created_at"]),
        ]
    )
