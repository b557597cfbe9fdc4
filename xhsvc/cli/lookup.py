"""`xhsvc lookup TEXT`: find a caller by phone, name or serial."""

from __future__ import annotations

from typing import Annotated

import typer

from xhsvc.cli.common import JsonOption, core_context
from xhsvc.cli.output import print_json, say
from xhsvc.i18n import _
from xhsvc.lazy import lazy

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
        # Scripts read `coverage`, the same in every language; `coverage_text` is for people.
        print_json([{k: v for k, v in row.items() if k != "coverage_text"} for row in rows])
        return
    if not rows:
        typer.echo(_("nothing matches {text!r}").format(text=text), err=True)
        return
    for row in rows:
        line = (
            _("{customer}  [{region}]  covered: {coverage}")
            if row["covered"]
            else _("{customer}  [{region}]  NOT covered: {coverage}")
        )
        say(line.format(customer=row["customer"], region=row["region"] or "?", coverage=row["coverage_text"]))
        for contract in row["contracts"]:
            say(
                "  "
                + _("contract {number}  {level}  {state}  {start} .. {end}").format(
                    number=contract["number"],
                    level=contract["level"],
                    state=contract["state"],
                    start=contract["start"],
                    end=contract["end"],
                )
            )
        for site in row["sites"]:
            say(
                "  "
                + _("site     {name}  {address}").format(name=site["name"], address=site["address"] or "")
            )
        for contact in row["contacts"]:
            say(
                "  "
                + _("contact  {name}  {phone}  {role}").format(
                    name=contact["name"], phone=contact["phone"] or "", role=contact["role"] or ""
                )
            )
        for asset in row["assets"]:
            say(
                "  "
                + _("asset    {serial}  {model}  {firmware}").format(
                    serial=asset["serial"], model=asset["model"], firmware=asset["firmware"] or ""
                )
            )
