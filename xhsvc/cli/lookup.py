"""`xhsvc lookup TEXT`: find a caller by phone, name or serial."""

from __future__ import annotations

from typing import Annotated

import typer

from xhsvc.cli.common import JsonOption, core_context, lazy
from xhsvc.cli.output import print_json, say

core = lazy("xhsvc.core.lookup")


def lookup(
    ctx: typer.Context,
    text: Annotated[
        str, typer.Argument(help="Phone digits, part of a name, or a serial.", show_default=False)
    ],
    limit: Annotated[int, typer.Option("--limit", help="At most this many customers.")] = 10,
    json_out: JsonOption = False,
) -> None:
    """Find the customer behind a phone number, a name or a serial. It is shown with its contract
    status, sites, contacts and assets.

    \b
    Examples:
      xhsvc lookup 华信
      xhsvc lookup 0571-80002951
      xhsvc lookup XS2023-06 --json
    """
    rows = core.lookup(core_context(ctx), text=text, limit=limit)
    if json_out:
        print_json(rows)
        return
    if not rows:
        typer.echo(f"nothing matches {text!r}", err=True)
        return
    for row in rows:
        mark = "covered" if row["covered"] else "NOT covered"
        say(f"{row['customer']}  [{row['region'] or '?'}]  {mark}: {row['coverage']}")
        for contract in row["contracts"]:
            say(
                f"  contract {contract['number']}  {contract['level']}  {contract['state']}  {contract['start']} .. {contract['end']}"
            )
        for site in row["sites"]:
            say(f"  site     {site['name']}  {site['address'] or ''}")
        for contact in row["contacts"]:
            say(f"  contact  {contact['name']}  {contact['phone'] or ''}  {contact['role'] or ''}")
        for asset in row["assets"]:
            say(f"  asset    {asset['serial']}  {asset['model']}  {asset['firmware'] or ''}")
