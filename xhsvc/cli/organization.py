"""`xhsvc branch ...` and `xhsvc partner ...`: the company's branches and its partner companies."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from xhsvc.cli import completers
from xhsvc.cli.common import JsonOption, core_context
from xhsvc.cli.output import print_fields, print_json, print_table, say
from xhsvc.i18n import N_, _
from xhsvc.lazy import lazy

core = lazy("xhsvc.core.organization")

branch_app = typer.Typer(
    help="Branches (分支机构) and the regions they serve.",
    no_args_is_help=True,
)
partner_app = typer.Typer(
    help="Partner companies (合作伙伴), working in their regions only.",
    no_args_is_help=True,
)

PEOPLE_COLUMNS = [
    ("handle", N_("ID")),
    ("name", N_("NAME")),
    ("role", N_("ROLE")),
    ("tier", N_("TIER")),
    ("region", N_("REGION")),
]
BranchArgument = Annotated[
    str,
    typer.Argument(
        metavar="CODE", help="Branch code, e.g. BJ.", show_default=False, autocompletion=completers.branches
    ),
]
PartnerArgument = Annotated[
    str,
    typer.Argument(
        metavar="NAME", help="Partner company name.", show_default=False, autocompletion=completers.partners
    ),
]


def _people(rows: list[dict[str, Any]]) -> None:
    if rows:
        say("")
    print_table(rows, PEOPLE_COLUMNS, empty=N_("nobody works there yet"))


# Branches ----------------------------------------------------------------------------------------


@branch_app.command("add")
def branch_add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(metavar="CODE", help="Short code, e.g. XA.", show_default=False)],
    name: Annotated[str, typer.Option("--name", help="e.g. 西安分支机构.", show_default=False)],
    city: Annotated[str, typer.Option("--city", help="e.g. 西安.", show_default=False)],
    region: Annotated[
        str | None,
        typer.Option(
            "--region", help="The region it serves, as customers' region names it (default: its city)."
        ),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Record a branch (managers and admins).

    \b
    Examples:
      xhsvc branch add NC --name 南昌分支机构 --city 南昌
      xhsvc branch add CQ --name 重庆分支机构 --city 重庆 --region 重庆
    """
    branch = core.add_branch(core_context(ctx), code=code, name=name, city=city, region=region)
    if json_out:
        print_json(branch.model_dump())
    else:
        say(_("branch {code} {name} added").format(code=branch.code, name=branch.name))


@branch_app.command("defaults")
def branch_defaults(ctx: typer.Context, json_out: JsonOption = False) -> None:
    """Record the shipped branches not yet recorded. They are 杭州 and the 16 branch cities the
    service system names (it counts 22): add the others with `branch add`.

    \b
    Examples:
      xhsvc branch defaults
    """
    added = core.add_default_branches(core_context(ctx))
    if json_out:
        print_json([b.model_dump() for b in added])
    elif added:
        say(
            _("{count} branches added: {codes}").format(
                count=len(added), codes=", ".join(b.code for b in added)
            )
        )
    else:
        say(_("every default branch is already recorded"))


@branch_app.command("list")
def branch_list(ctx: typer.Context, json_out: JsonOption = False) -> None:
    """Every branch, by code, with how many people work there.

    \b
    Examples:
      xhsvc branch list
      xhsvc branch list --json
    """
    rows = core.list_branches(core_context(ctx))
    if json_out:
        print_json(rows)
        return
    print_table(
        rows,
        [
            ("code", N_("CODE")),
            ("name", N_("NAME")),
            ("city", N_("CITY")),
            ("region", N_("REGION")),
            ("people", N_("PEOPLE")),
        ],
        empty=N_("no branches yet (xhsvc branch defaults records the shipped ones)"),
    )


@branch_app.command("show")
def branch_show(ctx: typer.Context, code: BranchArgument, json_out: JsonOption = False) -> None:
    """One branch and its people.

    \b
    Examples:
      xhsvc branch show BJ
    """
    data = core.show_branch(core_context(ctx), code=code)
    if json_out:
        print_json(data)
        return
    print_fields(
        [
            (N_("code"), data["code"]),
            (N_("name"), data["name"]),
            (N_("city"), data["city"]),
            (N_("region"), data["region"]),
        ]
    )
    _people(data["people"])


# Partners ----------------------------------------------------------------------------------------


@partner_app.command("add")
def partner_add(
    ctx: typer.Context,
    name: Annotated[
        str,
        typer.Argument(metavar="NAME", help="Company name, e.g. 蜀信科技.", show_default=False),
    ],
    regions: Annotated[
        list[str],
        typer.Option(
            "--region",
            help="A region it serves (repeat it, or 成都,重庆); its engineers work there only.",
            show_default=False,
        ),
    ],
    contact: Annotated[str | None, typer.Option("--contact", help="Contact person.")] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="Contact phone.")] = None,
    json_out: JsonOption = False,
) -> None:
    """Record a partner company and the regions it serves (managers and admins).

    \b
    Examples:
      xhsvc partner add 渝信科技 --region 重庆 --contact 王经理
      xhsvc partner add 蓉信科技 --region 成都 --region 绵阳
    """
    served = [part for value in regions for part in core.split_regions(value)]
    partner = core.add_partner(core_context(ctx), name=name, regions=served, contact=contact, phone=phone)
    if json_out:
        print_json({**partner.model_dump(), "regions": core.partner_regions(partner)})
    else:
        say(
            _("partner {name} added, serving {regions}").format(
                name=partner.name, regions=", ".join(core.partner_regions(partner))
            )
        )


@partner_app.command("list")
def partner_list(ctx: typer.Context, json_out: JsonOption = False) -> None:
    """Every partner company with the regions it serves and its engineers.

    \b
    Examples:
      xhsvc partner list
      xhsvc partner list --json
    """
    rows = core.list_partners(core_context(ctx))
    if json_out:
        print_json(rows)
        return
    print_table(
        [{**row, "regions": ", ".join(row["regions"])} for row in rows],
        [
            ("name", N_("NAME")),
            ("regions", N_("REGIONS")),
            ("contact", N_("CONTACT")),
            ("phone", N_("PHONE")),
            ("people", N_("PEOPLE")),
        ],
        empty=N_("no partners yet"),
    )


@partner_app.command("show")
def partner_show(ctx: typer.Context, name: PartnerArgument, json_out: JsonOption = False) -> None:
    """One partner company and its engineers.

    \b
    Examples:
      xhsvc partner show 蜀信科技
    """
    data = core.show_partner(core_context(ctx), name=name)
    if json_out:
        print_json(data)
        return
    print_fields(
        [
            (N_("partner"), data["name"]),
            (N_("regions"), ", ".join(data["regions"])),
            (N_("contact"), data["contact"]),
            (N_("phone"), data["phone"]),
        ]
    )
    _people(data["people"])


def register(app: typer.Typer) -> None:
    app.add_typer(branch_app, name="branch")
    app.add_typer(partner_app, name="partner")
