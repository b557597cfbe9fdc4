"""`xhsvc contact ...`: the people at a customer who call and sign."""

from __future__ import annotations

from typing import Annotated

import typer

from xhsvc.cli import completers
from xhsvc.cli.common import CustomerOption, JsonOption, core_context
from xhsvc.cli.output import print_fields, print_json, print_table, say
from xhsvc.i18n import N_, _
from xhsvc.lazy import lazy

core = lazy("xhsvc.core.customers")

app = typer.Typer(help="Customer contacts (name, phone, e-mail).", no_args_is_help=True)

PhoneOption = Annotated[str | None, typer.Option("--phone", help="e.g. 0571-88001234 or 13900001111.")]
EmailOption = Annotated[str | None, typer.Option("--email")]
RoleOption = Annotated[str | None, typer.Option("--role", help="e.g. 信息科负责人.")]


@app.command()
def add(
    ctx: typer.Context,
    customer: CustomerOption,
    name: Annotated[str, typer.Option("--name", help="e.g. 陈主任.", show_default=False)],
    phone: PhoneOption = None,
    email: EmailOption = None,
    role: RoleOption = None,
    json_out: JsonOption = False,
) -> None:
    """Add a contact (a phone or an e-mail is needed).

    \b
    Examples:
      xhsvc contact add -c 浙江省第一人民医院 --name 林工 \\
          --phone 13900001111 --role 存储管理员
    """
    contact = core.add_contact(
        core_context(ctx), customer=customer, name=name, phone=phone, email=email, role=role
    )
    if json_out:
        print_json(contact.model_dump(exclude=core.SEARCH_COLUMNS))
    else:
        say(_("contact {name} added").format(name=contact.name))


@app.command()
def edit(
    ctx: typer.Context,
    customer: CustomerOption,
    name: Annotated[str, typer.Option("--name", help="The contact's name.", show_default=False)],
    phone: PhoneOption = None,
    email: EmailOption = None,
    role: RoleOption = None,
    json_out: JsonOption = False,
) -> None:
    """Change a contact's phone, e-mail or role.

    \b
    Examples:
      xhsvc contact edit -c 浙江省第一人民医院 --name 陈主任 --phone 0571-87235001
    """
    contact = core.edit_contact(
        core_context(ctx), customer=customer, name=name, phone=phone, email=email, role=role
    )
    if json_out:
        print_json(contact.model_dump(exclude=core.SEARCH_COLUMNS))
    else:
        say(_("contact {name} saved").format(name=contact.name))


@app.command("list")
def list_(
    ctx: typer.Context,
    customer: Annotated[
        str | None,
        typer.Option("--customer", "-c", help="Only this customer's.", autocompletion=completers.customers),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Contacts, by customer.

    \b
    Examples:
      xhsvc contact list -c 浙江省第一人民医院
    """
    rows = core.list_contacts(core_context(ctx), customer=customer)
    if json_out:
        print_json(rows)
        return
    columns = [
        ("customer", N_("CUSTOMER")),
        ("name", N_("NAME")),
        ("phone", N_("PHONE")),
        ("email", N_("EMAIL")),
        ("role", N_("ROLE")),
    ]
    print_table(rows, columns, empty=N_("no contacts"))


@app.command()
def show(
    ctx: typer.Context,
    customer: CustomerOption,
    name: Annotated[str, typer.Option("--name", show_default=False)],
    json_out: JsonOption = False,
) -> None:
    """One contact.

    \b
    Examples:
      xhsvc contact show -c 浙江省第一人民医院 --name 陈主任
    """
    data = core.get_contact(core_context(ctx), customer=customer, name=name)
    if json_out:
        print_json(data)
        return
    print_fields(
        [
            (N_("customer"), data["customer"]),
            (N_("name"), data["name"]),
            (N_("phone"), data["phone"]),
            (N_("email"), data["email"]),
            (N_("role"), data["role"]),
        ]
    )
