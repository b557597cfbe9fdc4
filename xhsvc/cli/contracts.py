"""`xhsvc contract ...`: service contracts, coverage and entitlements."""

from __future__ import annotations

from typing import Annotated

import typer

from xhsvc.cli import completers
from xhsvc.cli.common import CustomerOption, JsonOption, YesOption, confirm_irreversible, core_context
from xhsvc.cli.output import print_fields, print_json, print_table, say
from xhsvc.core.catalog import IN_EVERY_LEVEL
from xhsvc.core.labels import contract_state_label, entitlement_label, service_label
from xhsvc.i18n import N_, _
from xhsvc.lazy import lazy

core = lazy("xhsvc.core.contracts")
levels_core = lazy("xhsvc.core.levels")

app = typer.Typer(help="Service contracts: terms, coverage, entitlements, expiry.", no_args_is_help=True)

NumberArgument = Annotated[
    str,
    typer.Argument(
        help="Contract number, e.g. HT-2026-001.", show_default=False, autocompletion=completers.contracts
    ),
]
AssetsOption = Annotated[
    list[str] | None, typer.Option("--asset", help="Serial of a covered asset (repeat for several).")
]
LIST_COLUMNS = [
    ("number", N_("CONTRACT")),
    ("customer", N_("CUSTOMER")),
    ("level", N_("LEVEL")),
    ("state", N_("STATE")),
    ("start", N_("FROM")),
    ("end", N_("UNTIL")),
    ("terms", N_("TERMS")),
]


@app.command()
def add(
    ctx: typer.Context,
    # A new number: nothing to complete.
    number: Annotated[str, typer.Argument(help="Contract number, e.g. HT-2026-001.", show_default=False)],
    customer: CustomerOption,
    level: Annotated[
        str,
        typer.Option(
            "--level",
            help="Service level (see `contract levels`).",
            show_default=False,
            autocompletion=completers.levels,
        ),
    ],
    start: Annotated[str, typer.Option("--start", help="First day, e.g. 2026-01-01.", show_default=False)],
    end: Annotated[str, typer.Option("--end", help="Last day, e.g. 2026-12-31.", show_default=False)],
    asset: AssetsOption = None,
    notes: Annotated[str | None, typer.Option("--notes")] = None,
    json_out: JsonOption = False,
) -> None:
    """Add a contract with its first term (no --asset: it covers all the customer's assets).

    \b
    Examples:
      xhsvc contract add HT-2026-0110 -c 四川省教育考试院 --level silver \\
          --start 2026-12-01 --end 2027-11-30
      xhsvc contract add HT-2026-0111 -c 四川省教育考试院 --level gold \\
          --start 2027-01-01 --end 2027-12-31 --asset XS2023-0900357
    """
    contract = core.add_contract(
        core_context(ctx),
        number=number,
        customer=customer,
        level=level,
        start=start,
        end=end,
        assets=asset or [],
        notes=notes,
    )
    if json_out:
        print_json(core.show_contract(core_context(ctx), number=contract.number))
    else:
        say(
            _("contract {number} added: {level} {start} .. {end}").format(
                number=contract.number, level=level, start=start, end=end
            )
        )


@app.command("list")
def list_(
    ctx: typer.Context,
    customer: Annotated[
        str | None,
        typer.Option("--customer", "-c", help="Only this customer's.", autocompletion=completers.customers),
    ] = None,
    state: Annotated[
        str | None,
        typer.Option(
            "--state",
            help="active, expired, not_started or terminated.",
            autocompletion=completers.contract_states,
        ),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Contracts with their current term and state today.

    \b
    Examples:
      xhsvc contract list --state active
      xhsvc contract list -c 浙江省第一人民医院 --json
    """
    rows = core.list_contracts(core_context(ctx), customer=customer, state=state)
    if json_out:
        print_json(rows)
        return
    # A terminated contract's coverage ends on its termination day, not at the end of its term.
    shown = [
        {**row, "end": row["terminated_on"] or row["end"], "state": contract_state_label(row["state"])}
        for row in rows
    ]
    print_table(shown, LIST_COLUMNS, empty=N_("no contracts"))


@app.command()
def show(ctx: typer.Context, number: NumberArgument, json_out: JsonOption = False) -> None:
    """One contract: its terms (renewals kept), covered assets and notes.

    \b
    Examples:
      xhsvc contract show HT-2025-0101
    """
    data = core.show_contract(core_context(ctx), number=number)
    if json_out:
        print_json(data)
        return
    print_fields(
        [
            (N_("contract"), data["number"]),
            (N_("customer"), data["customer"]),
            (N_("state"), data["state"]),
            (N_("level"), data["level"]),
            (N_("current term"), f"{data['start']} .. {data['end']}"),
            (
                N_("terminated"),
                f"{data['terminated_on']}: {data['termination_reason']}" if data["terminated_on"] else "",
            ),
            (N_("assets"), ", ".join(a["serial"] for a in data["assets"]) or _("all of the customer's")),
            (N_("notes"), data["notes"]),
        ],
        blocks=("notes",),
    )
    for term in data["history"]:
        say(
            _("term {term}    {level}  {start} .. {end}").format(
                term=term["term"], level=term["level"], start=term["start"], end=term["end"]
            )
        )


@app.command()
def renew(
    ctx: typer.Context,
    number: NumberArgument,
    end: Annotated[str, typer.Option("--end", help="Last day of the new term.", show_default=False)],
    start: Annotated[
        str | None, typer.Option("--start", help="First day (default: the day after the last term).")
    ] = None,
    level: Annotated[
        str | None,
        typer.Option("--level", help="A new level (default: the same).", autocompletion=completers.levels),
    ] = None,
    asset: AssetsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Renew: a new term after the last one; the old terms stay in the history.

    \b
    Examples:
      xhsvc contract renew HT-2025-0106 --end 2027-12-19
      xhsvc contract renew HT-2025-0109 --end 2027-12-09 --level silver
    """
    term = core.renew_contract(
        core_context(ctx), number=number, end=end, start=start, level=level, assets=asset or []
    )
    if json_out:
        print_json(core.show_contract(core_context(ctx), number=number))
    else:
        say(
            _("contract {number} term {term}: {level} {start} .. {end}").format(
                number=number, term=term.term_no, level=term.level, start=term.start_date, end=term.end_date
            )
        )


@app.command()
def terminate(
    ctx: typer.Context,
    number: NumberArgument,
    reason: Annotated[str, typer.Option("--reason", help="Why it ends early.", show_default=False)],
    on: Annotated[str | None, typer.Option("--on", help="Last covered day (default: today).")] = None,
    yes: YesOption = False,
    json_out: JsonOption = False,
) -> None:
    """End a contract early (managers only); it cannot be undone. On a terminal it shows the
    contract and asks first; scripts pass --yes.

    \b
    Examples:
      xhsvc --as zhoujian contract terminate HT-2025-0108 \\
          --reason "设备下线" --on 2026-12-31
    """
    if not yes:
        data = core.show_contract(core_context(ctx), number=number)
        confirm_irreversible(
            "contract terminate",
            _(
                "Terminate {number} of {customer} ({level}, {start} .. {end}) because {reason!r}? "
                "Coverage ends after {last_day}; the contract cannot be renewed or reopened."
            ).format(
                number=data["number"],
                customer=data["customer"],
                level=data["level"],
                start=data["start"],
                end=data["end"],
                reason=reason,
                last_day=on or _("today"),
            ),
            yes=yes,
        )
    contract = core.terminate_contract(core_context(ctx), number=number, reason=reason, on=on)
    if json_out:
        print_json(core.show_contract(core_context(ctx), number=number))
    else:
        say(
            _("contract {number} terminated on {day}").format(
                number=contract.number, day=contract.terminated_on
            )
        )


@app.command()
def check(
    ctx: typer.Context,
    customer: CustomerOption,
    asset: Annotated[str | None, typer.Option("--asset", help="Serial of the asset concerned.")] = None,
    service: Annotated[
        str | None,
        typer.Option("--service", help="Service type, e.g. onsite.", autocompletion=completers.services),
    ] = None,
    at: Annotated[str | None, typer.Option("--at", help="The day (default: today).")] = None,
    json_out: JsonOption = False,
) -> None:
    """Is the request covered, and why (not)? Exit 0 either way; scripts read --json.

    \b
    Examples:
      xhsvc contract check -c 浙江省第一人民医院 --service onsite
      xhsvc contract check -c 广州市妇女儿童医疗中心 --asset XS2023-0600394 --json
    """
    coverage = core.check_coverage(core_context(ctx), customer=customer, asset=asset, service=service, at=at)
    if json_out:
        print_json(coverage.as_dict())
    else:
        said = _("covered: {coverage}") if coverage.covered else _("NOT covered: {coverage}")
        say(said.format(coverage=coverage.explain()))


@app.command()
def usage(
    ctx: typer.Context,
    number: NumberArgument,
    at: Annotated[str | None, typer.Option("--at", help="A day in the term wanted (default: today).")] = None,
    json_out: JsonOption = False,
) -> None:
    """Inspections, trainings and standby days: granted, used, left. In the term that holds today
    (or the day --at names).

    \b
    Examples:
      xhsvc contract usage HT-2025-0101
      xhsvc contract usage HT-2025-0101 --at 2026-01-15
    """
    data = core.contract_usage(core_context(ctx), number=number, at=at)
    if json_out:
        print_json(data)
        return
    say(
        _("{contract} term {term} ({level}, {start} .. {end})").format(
            contract=data["contract"],
            term=data["term"],
            level=data["level"],
            start=data["start"],
            end=data["end"],
        )
    )
    rows = [{"kind": kind, **values} for kind, values in data["entitlements"].items()]
    columns = [
        ("kind", N_("ENTITLEMENT")),
        ("granted", N_("GRANTED")),
        ("used", N_("USED")),
        ("left", N_("LEFT")),
        ("beyond", N_("BEYOND")),
    ]
    print_table(rows, columns, empty="")
    for use in data["uses"]:
        line = (
            _("{day}  {kind} x{quantity}  {note}  by {person}  (beyond the grant, manager)")
            if use["beyond_grant"]
            else _("{day}  {kind} x{quantity}  {note}  by {person}")
        )
        say(
            "  "
            + line.format(
                day=use["on"],
                kind=use["kind"],
                quantity=use["quantity"],
                note=use["note"] or "",
                person=use["recorded_by"],
            )
        )


@app.command()
def use(
    ctx: typer.Context,
    number: NumberArgument,
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            help="inspections, trainings or standby_days.",
            show_default=False,
            autocompletion=completers.entitlements,
        ),
    ],
    quantity: Annotated[int, typer.Option("--quantity", "-n", help="How many (standby: days).")] = 1,
    on: Annotated[str | None, typer.Option("--on", help="The day (default: today).")] = None,
    ticket: Annotated[
        str | None, typer.Option("--ticket", help="The ticket it was for.", autocompletion=completers.tickets)
    ] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    json_out: JsonOption = False,
) -> None:
    """Record use of an entitlement; beyond the grant needs a manager and is reported.

    \b
    Examples:
      xhsvc contract use HT-2025-0102 --kind trainings --note "新管理员培训"
      xhsvc contract use HT-2025-0105 --kind standby_days -n 2 --ticket XH-000028
    """
    data = core.use_entitlement(
        core_context(ctx), number=number, kind=kind, quantity=quantity, on=on, ticket=ticket, note=note
    )
    if json_out:
        print_json(data)
        return
    left = data["entitlements"][kind]
    say(
        _("{number}: {kind} used {used} of {granted}, {left} left").format(
            number=number, kind=kind, used=left["used"], granted=left["granted"], left=left["left"]
        )
    )


@app.command()
def expiring(
    ctx: typer.Context,
    within: Annotated[str, typer.Option("--within", help="Days ahead, e.g. 30d or 4w.")] = "30d",
    json_out: JsonOption = False,
) -> None:
    """Contracts ending soon and not renewed (exit 0, empty list when none): for a nightly job.

    \b
    Examples:
      xhsvc contract expiring
      xhsvc contract expiring --within 60d --json
    """
    rows = core.expiring_contracts(core_context(ctx), within=within)
    if json_out:
        print_json(rows)
        return
    print_table(
        [{**row, "state": contract_state_label(row["state"])} for row in rows],
        [*LIST_COLUMNS, ("days_left", N_("DAYS LEFT"))],
        empty=_("no contract ends within {period}").format(period=within),
    )


@app.command()
def levels(json_out: JsonOption = False) -> None:
    """The service levels contracts can have (shipped, and yours from service-levels.toml).

    \b
    Examples:
      xhsvc contract levels
      xhsvc contract levels --json
    """
    rows = [level.as_dict() for level in levels_core.load_levels().values()]
    if json_out:
        print_json(rows)
        return
    for row in rows:
        p1 = row["targets"]["P1"]
        grants = ", ".join(f"{entitlement_label(k)} {v}" for k, v in row["entitlements"].items())
        say(f"{row['name']:<10} {row['title']}  ({row['coverage']})")
        indent = " " * 11
        say(
            indent
            + _("P1: respond {response}, on site {onsite}, resolve {resolution}  ({calendar})").format(
                response=p1["response"],
                onsite=p1["onsite"],
                resolution=p1["resolution"],
                calendar=row["calendar"],
            )
        )
        say(
            indent
            + _("services: {services}; in every level: {always}").format(
                services=", ".join(map(service_label, row["services"])),
                always=", ".join(map(service_label, sorted(IN_EVERY_LEVEL))),
            )
        )
        say(indent + _("per year: {grants}").format(grants=grants))
