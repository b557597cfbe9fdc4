"""`xhsvc person ...`: the people of the service desk and their roles."""

from __future__ import annotations

from typing import Annotated

import typer

from xhsvc.cli import completers
from xhsvc.cli.common import JsonOption, core_context
from xhsvc.cli.output import print_fields, print_json, print_table, say
from xhsvc.core.labels import role_label
from xhsvc.i18n import N_, _
from xhsvc.lazy import lazy

core = lazy("xhsvc.core.people")
organization = lazy("xhsvc.core.organization")

app = typer.Typer(
    help="People: agents, engineers (L1/L2), experts (L3), managers, admins.", no_args_is_help=True
)

RoleOption = Annotated[
    str,
    typer.Option(
        "--role",
        help="agent, engineer, expert, manager or admin.",
        show_default=False,
        autocompletion=completers.roles,
    ),
]
TierOption = Annotated[
    str | None,
    typer.Option("--tier", help="L1 or L2 for engineers; experts are L3.", autocompletion=completers.tiers),
]
RegionOption = Annotated[str | None, typer.Option("--region", help="Branch city, e.g. 杭州.")]
BranchOption = Annotated[
    str | None,
    typer.Option(
        "--branch", help="The branch they work at, by code, e.g. BJ.", autocompletion=completers.branches
    ),
]
PartnerOption = Annotated[
    str | None,
    typer.Option(
        "--partner",
        help="The partner company they work for (engineers; they work in its regions only).",
        autocompletion=completers.partners,
    ),
]


@app.command()
def add(
    ctx: typer.Context,
    handle: Annotated[str, typer.Argument(metavar="ID", help="Login id, e.g. lijun.", show_default=False)],
    name: Annotated[str, typer.Option("--name", help="Full name, e.g. 李军.", show_default=False)],
    role: RoleOption,
    tier: TierOption = None,
    region: RegionOption = None,
    phone: Annotated[str | None, typer.Option("--phone")] = None,
    email: Annotated[str | None, typer.Option("--email")] = None,
    branch: BranchOption = None,
    partner: PartnerOption = None,
    json_out: JsonOption = False,
) -> None:
    """Add a person (managers and admins only).

    \b
    Examples:
      xhsvc person add zhaolei --name 赵磊 --role engineer --tier L1 --region 杭州
      xhsvc person add liuxin --name 刘欣 --role agent --branch BJ
      xhsvc person add wangpeng --name 王鹏 --role engineer --partner 蜀信科技
    """
    person = core.add_person(
        core_context(ctx),
        handle=handle,
        name=name,
        role=role,
        tier=tier,
        region=region,
        phone=phone,
        email=email,
        branch=branch,
        partner=partner,
    )
    if json_out:
        print_json(person.model_dump())
    else:
        said = _("{person} added ({role} {tier})") if person.tier else _("{person} added ({role})")
        say(said.format(person=person.handle, role=role_label(person.role), tier=person.tier))


@app.command("list")
def list_(
    ctx: typer.Context,
    role: Annotated[
        str | None, typer.Option("--role", help="Only this role.", autocompletion=completers.roles)
    ] = None,
    tier: Annotated[
        str | None, typer.Option("--tier", help="Only this tier.", autocompletion=completers.tiers)
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Everyone, by role.

    \b
    Examples:
      xhsvc person list
      xhsvc person list --role engineer --tier L2 --json
    """
    people = [p.model_dump() for p in core.list_people(core_context(ctx), role=role, tier=tier)]
    if json_out:
        print_json(people)
        return
    print_table(
        people,
        [
            ("handle", N_("ID")),
            ("name", N_("NAME")),
            ("role", N_("ROLE")),
            ("tier", N_("TIER")),
            ("region", N_("REGION")),
        ],
        empty=N_("no people yet"),
    )


@app.command()
def show(
    ctx: typer.Context,
    handle: Annotated[
        str, typer.Argument(metavar="ID", show_default=False, autocompletion=completers.people)
    ],
    json_out: JsonOption = False,
) -> None:
    """One person.

    \b
    Examples:
      xhsvc person show lijun
    """
    found = core.get_person(core_context(ctx), handle=handle)
    person = {**found.model_dump(), **organization.works_for(core_context(ctx), person=found)}
    if json_out:
        print_json(person)
        return
    print_fields(
        [
            (N_("handle"), person["handle"]),
            (N_("name"), person["name"]),
            (N_("role"), person["role"]),
            (N_("tier"), person["tier"]),
            (N_("region"), person["region"]),
            (N_("branch"), person["branch"]),
            (N_("partner"), person["partner"]),
            (N_("phone"), person["phone"]),
            (N_("email"), person["email"]),
            (N_("created_at"), person["created_at"]),
        ]
    )


@app.command()
def edit(
    ctx: typer.Context,
    handle: Annotated[
        str, typer.Argument(metavar="ID", show_default=False, autocompletion=completers.people)
    ],
    branch: BranchOption = None,
    partner: PartnerOption = None,
    clear: Annotated[bool, typer.Option("--clear", help="Belongs to no branch and no partner.")] = False,
    json_out: JsonOption = False,
) -> None:
    """Say where a person works: a branch or a partner company (managers and admins). A person
    with no region takes the branch's.

    \b
    Examples:
      xhsvc person edit zhangwei --branch BJ
      xhsvc person edit wangpeng --partner 蜀信科技
      xhsvc person edit wangpeng --clear
    """
    from xhsvc.errors import InvalidInput

    if sum((branch is not None, partner is not None, clear)) != 1:
        raise InvalidInput(_("person edit: give one of --branch CODE, --partner NAME or --clear"))
    context = core_context(ctx)
    if partner is not None:
        person = organization.set_person_partner(context, person=handle, partner=partner)
    else:
        person = organization.set_person_branch(context, person=handle, branch=branch)
    where = organization.works_for(context, person=person)
    if json_out:
        print_json({**person.model_dump(), **where})
    elif where["branch"] or where["partner"]:
        say(
            _("{person} works for {where}").format(
                person=person.handle, where=where["branch"] or where["partner"]
            )
        )
    else:
        say(_("{person} works for no branch or partner").format(person=person.handle))


@app.command()
def bind(
    ctx: typer.Context,
    handle: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="The person, e.g. wangfang.",
            show_default=False,
            autocompletion=completers.people,
        ),
    ],
    login: Annotated[
        str | None,
        typer.Option("--login", help="Their database login on the shared server.", show_default=False),
    ] = None,
    unbind: Annotated[bool, typer.Option("--unbind", help="Take the login away.")] = False,
    json_out: JsonOption = False,
) -> None:
    """Bind a database login to a person (admins). On a shared PostgreSQL database that login then
    acts as this person only, whatever --as or config.toml say.

    \b
    Examples:
      xhsvc --as admin person bind wangfang --login wangfang
      xhsvc --as admin person bind wangfang --unbind
    """
    if (login is None) == (not unbind):
        from xhsvc.errors import InvalidInput

        raise InvalidInput(_("person bind: give --login NAME, or --unbind"))
    person = core.bind_login(core_context(ctx), handle=handle, login=None if unbind else login)
    if json_out:
        print_json(person.model_dump())
    else:
        said = _("{person} acts through login {login}") if person.login else _("{person}: no login")
        say(said.format(person=person.handle, login=person.login))
