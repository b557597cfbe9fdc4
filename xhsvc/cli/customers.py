"""`xhsvc customer ...`: the customers who call."""

from __future__ import annotations

from typing import Annotated

import typer

from xhsvc.cli.common import JsonOption, core_context, lazy
from xhsvc.cli.output import print_fields, print_json, print_table, say

core = lazy("xhsvc.core.customers")

app = typer.Typer(help="Customers.", no_args_is_help=True)


@app.command()
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Customer name, e.g. 浙江省人民医院.", show_default=False)],
    region: Annotated[
        str | None, typer.Option("--region", help="Branch city that serves it, e.g. 杭州.")
    ] = None,
    industry: Annotated[str | None, typer.Option("--industry", help="e.g. 医疗, 金融, 政府.")] = None,
    json_out: JsonOption = False,
) -> None:
    """Add a customer."""
    customer = core.add_customer(core_context(ctx), name=name, region=region, industry=industry)
    if json_out:
        print_json(customer.model_dump())
    else:
        say(f"customer {customer.name} added")


@app.command("list")
def list_(ctx: typer.Context, json_out: JsonOption = False) -> None:
    """All customers, by name."""
    rows = [c.model_dump() for c in core.list_customers(core_context(ctx))]
    if json_out:
        print_json(rows)
        return
    print_table(
        rows, [("name", "NAME"), ("region", "REGION"), ("industry", "INDUSTRY")], empty="no customers yet"
    )


@app.command()
def show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Name or id.", show_default=False)],
    json_out: JsonOption = False,
) -> None:
    """One customer."""
    customer = core.get_customer(core_context(ctx), name=name).model_dump()
    if json_out:
        print_json(customer)
        return
    print_fields((k, customer[k]) for k in ("name", "region", "industry", "created_at"))
