"""`xhsvc ticket ...`: the ticket flow, from the call to the closed record."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from xhsvc.cli import completers, service_record
from xhsvc.cli.common import (
    CustomerOption,
    JsonOption,
    KeyArgument,
    YesOption,
    confirm_irreversible,
    core_context,
)
from xhsvc.cli.output import (
    ago,
    clock_summary,
    fit_cell,
    local,
    more_note,
    print_fields,
    print_json,
    print_table,
    say,
    understood,
    warn,
    when,
)
from xhsvc.core import labels
from xhsvc.core.durations import format_minutes
from xhsvc.core.text import REPORT, display
from xhsvc.errors import InvalidInput
from xhsvc.i18n import N_, _
from xhsvc.lazy import lazy

core = lazy("xhsvc.core.tickets")
approvals_core = lazy("xhsvc.core.approvals")
views_core = lazy("xhsvc.core.ticket_views")
worklogs_core = lazy("xhsvc.core.worklogs")
contracts_core = lazy("xhsvc.core.contracts")
# Logged time in hours and minutes, never days: 26h30m.
MAX_DAY = 10**9

app = typer.Typer(help="Tickets: open, escalate, approve, resolve, confirm and close.", no_args_is_help=True)

LIST_COLUMNS = [
    ("key", N_("KEY")),
    ("priority", N_("PRI")),
    ("major_mark", "!"),
    ("status", N_("STATUS")),
    ("tier", N_("TIER")),
    ("assignee", N_("ASSIGNEE")),
    ("customer", N_("CUSTOMER")),
    ("title", N_("TITLE")),
    ("pending", N_("PENDING")),
    ("sla", N_("SLA (time left)")),
    ("created_at", N_("OPENED")),
]
# Left out, in this order, on a terminal too narrow for the whole queue.
LIST_OPTIONAL = ("created_at", "tier", "pending", "assignee")

Reason = Annotated[
    str, typer.Option("--reason", help="Why; kept in the ticket's history.", show_default=False)
]
# The request a script (or a person) read with `ticket show --json` (pending_approval.id): the
# decision is refused, nothing written, if another request replaced it meanwhile.
RequestOption = Annotated[
    str | None,
    typer.Option(
        "--request",
        metavar="ID",
        help="Decide only this request (pending_approval.id of ticket show --json); refused if it was replaced.",
        show_default=False,
    ),
]


def _done(ctx: typer.Context, key: str, json_out: bool, message: str) -> None:
    """After an action: the ticket as JSON for scripts, one line for people."""
    if json_out:
        print_json(views_core.show_ticket(core_context(ctx), key=key))
    else:
        say(message)


@app.command("open")
def open_(
    ctx: typer.Context,
    customer: CustomerOption,
    title: Annotated[str, typer.Option("--title", "-t", help="What the caller reports.", show_default=False)],
    description: Annotated[
        str | None, typer.Option("--description", "-d", help="Details of the call.")
    ] = None,
    impact: Annotated[int, typer.Option("--impact", help="1 (whole business down) .. 4 (minor).")] = 3,
    urgency: Annotated[int, typer.Option("--urgency", help="1 (now) .. 4 (can wait).")] = 3,
    service: Annotated[
        str,
        typer.Option(
            "--service",
            help="Service type, e.g. remote, onsite, maintenance; consultation for a question.",
            autocompletion=completers.services,
        ),
    ] = ("remote"),
    channel: Annotated[
        str,
        typer.Option(
            "--channel", help="hotline, direct, email or other.", autocompletion=completers.channels
        ),
    ] = "hotline",
    contact: Annotated[str | None, typer.Option("--contact", help="Caller, e.g. '张伟/13800001111'.")] = None,
    major: Annotated[
        bool, typer.Option("--major", help="Mark a major incident (impact 1 always is).")
    ] = False,
    asset: Annotated[str | None, typer.Option("--asset", help="Serial of the system concerned.")] = None,
    reported_at: Annotated[
        str | None,
        typer.Option(
            "--reported-at", help="When the customer called, if recorded late (e.g. '2026-11-20 14:05')."
        ),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Record a call and print the new ticket's key. Impact 1 (or --major) tells every manager at once.

    \b
    Examples:
      xhsvc ticket open -c 浙江省第一人民医院 -t "阵列告警" --impact 2
      xhsvc ticket open -c 杭州市西湖区政务数据中心 -t "双活心跳中断" --major
      xhsvc ticket open -c 北京华信证券数据中心 -t "复制链路中断" \\
          --asset XS2023-0301660 --urgency 1 --reported-at 08:40
      xhsvc ticket open -c 浙江省第一人民医院 -t "固件升级是否建议" \\
          --service consultation --impact 4
    """
    reported = core.parse_instant(core_context(ctx), reported_at, "reported-at") if reported_at else None
    opened = core.open_ticket(
        core_context(ctx),
        customer=customer,
        title=title,
        description=description,
        impact=impact,
        urgency=urgency,
        service=service,
        channel=channel,
        contact=contact,
        major=major,
        asset=asset,
        reported_at=reported,
    )
    if reported_at and reported:
        understood("reported-at", reported_at, reported)
    if json_out:
        data = views_core.show_ticket(core_context(ctx), key=opened.ticket.key)
        data["notified"] = opened.notified
        print_json(data)
        return
    say(opened.ticket.key)
    if opened.ticket.coverage != "covered":
        typer.echo(
            display(
                _("out of contract: {coverage}").format(
                    coverage=contracts_core.explain_note(opened.ticket.coverage_note)
                )
            ),
            err=True,
        )
    if opened.notified:
        typer.echo(display(_("notified: {people}").format(people=", ".join(opened.notified))), err=True)


@app.command("list")
def list_(
    ctx: typer.Context,
    status: Annotated[
        str | None, typer.Option("--status", help="Only this status.", autocompletion=completers.statuses)
    ] = None,
    tier: Annotated[
        str | None, typer.Option("--tier", help="L1, L2 or L3.", autocompletion=completers.tiers)
    ] = None,
    priority: Annotated[
        str | None, typer.Option("--priority", help="P1 .. P4.", autocompletion=completers.priorities)
    ] = None,
    assignee: Annotated[
        str | None,
        typer.Option("--assignee", help="Assigned to this person.", autocompletion=completers.people),
    ] = None,
    mine: Annotated[bool, typer.Option("--mine", help="Assigned to me.")] = False,
    customer: Annotated[
        str | None, typer.Option("--customer", help="Of this customer.", autocompletion=completers.customers)
    ] = None,
    major: Annotated[bool, typer.Option("--major", help="Major incidents only.")] = False,
    all_: Annotated[bool, typer.Option("--all", help="Include closed and cancelled tickets.")] = False,
    limit: Annotated[int, typer.Option("--limit", help="At most this many rows; 0 for all.")] = 200,
    json_out: JsonOption = False,
) -> None:
    """The queue: open tickets, most pressing first (priority, then age).

    \b
    Examples:
      xhsvc ticket list --mine
      xhsvc ticket list --status in_progress --tier L2 --priority P1
      xhsvc ticket list --customer 浙江省第一人民医院 --all --json
    """
    rows = views_core.list_tickets(
        core_context(ctx),
        status=status,
        tier=tier,
        priority=priority,
        assignee=assignee,
        mine=mine,
        customer=customer,
        major=True if major else None,
        include_closed=all_,
        limit=limit,
    )
    if json_out:
        print_json(rows)
        return
    for row in rows:
        row["major_mark"] = "!" if row["major"] else ""
        row["pending"] = labels.pending_text(row["pending_approval"])
        row["sla"] = clock_summary(row["clocks"])
        row["status"] = labels.status_label(row["status"])
    print_table(rows, LIST_COLUMNS, empty=N_("no tickets match"), optional=LIST_OPTIONAL)
    more_note(rows)


@app.command()
def show(ctx: typer.Context, key: KeyArgument, json_out: JsonOption = False) -> None:
    """One ticket: its fields, SLA clocks, approvals and review.

    Everything about it: contract and coverage, the pending request, resolution, confirmation,
    conflicts from offline sync, the knowledge notes written on it and up to 3 others alike to it
    (the same model first).

    \b
    Examples:
      xhsvc ticket show XH-000012
      xhsvc ticket show XH-000012 --json
    """
    data = views_core.show_ticket(core_context(ctx), key=key)
    # The knowledge notes written on it, and up to 3 alike (its model first): xhsvc kb.
    knowledge = lazy("xhsvc.core.knowledge").ticket_knowledge(core_context(ctx), key=key)
    if json_out:
        print_json({**data, "knowledge_notes": knowledge["notes"], "suggested_notes": knowledge["suggested"]})
        return
    pending = data["pending_approval"]
    print_fields(
        [
            (N_("ticket"), f"{data['key']}  {data['title']}"),
            (N_("status"), labels.status_label(data["status"])),
            (
                N_("priority"),
                _("{priority} (impact {impact}, urgency {urgency})").format(
                    priority=data["priority"], impact=data["impact"], urgency=data["urgency"]
                ),
            ),
            (N_("major incident"), data["major"]),
            (N_("tier"), data["tier"]),
            (N_("assignee"), data["assignee"] or _("(none)")),
            (N_("customer"), data["customer"]),
            (
                N_("contract"),
                f"{data['contract']} ({data['coverage_text']})"
                if data["in_contract"]
                else _("OUT OF CONTRACT: {coverage}").format(coverage=data["coverage_text"]),
            ),
            (N_("site"), data["site"]),
            (N_("asset"), data["asset"]),
            (N_("contact"), data["contact"]),
            (N_("service"), labels.service_label(data["service"])),
            (N_("channel"), labels.channel_label(data["channel"])),
            (
                N_("opened"),
                _("{at} by {person} ({ago})").format(
                    at=local(data["created_at"]), person=data["opened_by"], ago=ago(data["created_at"])
                ),
            ),
            (N_("responded"), when(data["responded_at"])),
            (
                N_("on-site work"),
                _("approved at {tier}").format(tier=data["onsite_tier"]) if data["onsite"] else "",
            ),
            (
                N_("pending request"),
                _("{kind} by {person}: {reason} (decided by {decider})").format(
                    kind=labels.request_kind_label(pending["kind"]),
                    person=pending["requested_by"],
                    reason=pending["reason"],
                    decider=labels.role_label(pending["needs"]),
                )
                if pending
                else "",
            ),
            (N_("resolved"), when(data["resolved_at"])),
            (N_("resolution"), data["resolution"]),
            (
                N_("confirmed"),
                f"{data['confirmed_by']} {local(data['confirmed_at'])}" if data["confirmed_at"] else "",
            ),
            (N_("closed"), when(data["closed_at"])),
            (N_("service report"), _("attached") if data["report"] else ""),
            (N_("review"), f"{data['root_cause']} / {data['review_actions']}" if data["reviewed_at"] else ""),
            (N_("description"), data["description"]),
            (
                N_("from visit"),
                _("{visit} finding {item}").format(
                    visit=data["from_visit"]["visit"], item=data["from_visit"]["item_key"]
                )
                if data["from_visit"]
                else "",
            ),
        ],
        blocks=("description", "review"),
    )
    for conflict in data["conflicts"]:
        warn(
            _(
                "conflict {conflict}: {field} kept {kept!r} ({kept_by}), lost {lost!r} ({lost_by}, {lost_at}); "
                "resolve: xhsvc sync resolve {conflict} --take kept|lost"
            ).format(
                conflict=conflict["id"],
                field=conflict["field"],
                kept=conflict["kept"],
                kept_by=conflict["kept_by"],
                lost=conflict["lost"],
                lost_by=conflict["lost_by"],
                lost_at=local(conflict["lost_at"]),
            )
        )
    for clock in data["clocks"]:
        left, day = clock["remaining_min"], clock["day_minutes"]
        timing = (
            _("{time} left").format(time=format_minutes(left, day_minutes=day))
            if left >= 0 and clock["state"] != "breached"
            else _("{time} over").format(time=format_minutes(abs(left), day_minutes=day))
        )
        if clock["state"] in ("met", "late", "cancelled"):
            timing = _("stopped {at}").format(at=local(clock["stopped_at"]))
        line = (
            _("SLA {target} due {due}  {state} {timing}, paused {paused}  ({calendar})")
            if clock["paused_min"]
            else _("SLA {target} due {due}  {state} {timing}  ({calendar})")
        )
        say(
            line.format(
                # Padded by the cells a terminal gives them: 超时完成 takes eight, as `cancelled` nine.
                target=fit_cell(labels.target_label(clock["target"]), 11),
                due=local(clock["due_at"]),
                state=fit_cell(labels.clock_state_label(clock["state"]), 9),
                timing=timing,
                paused=format_minutes(clock["paused_min"], day_minutes=day),
                calendar=clock["calendar"],
            )
        )
    from xhsvc.cli.knowledge import print_ticket_knowledge

    print_ticket_knowledge(knowledge)


@app.command()
def history(
    ctx: typer.Context,
    key: KeyArgument,
    newest: Annotated[bool, typer.Option("--newest", "-r", help="Newest first.")] = False,
    json_out: JsonOption = False,
) -> None:
    """The ticket's audit trail: who changed what, and when. Oldest first (--newest: the latest
    first).

    \b
    Examples:
      xhsvc ticket history XH-000012
      xhsvc ticket history XH-000012 --newest
    """
    rows = views_core.ticket_history(core_context(ctx), key=key)
    if newest:
        rows.reverse()
    if json_out:
        print_json(rows)
        return
    print_table(
        rows,
        [("at", N_("WHEN")), ("actor", N_("WHO")), ("what", N_("WHAT")), ("text", N_("DETAIL"))],
        empty="",
    )


def _suggested(ctx: typer.Context, key: str, *, limit: int, yes: bool, json_out: bool) -> str | None:
    """`assign --suggest`: the ranked engineers, and the one to assign (the first with --yes, the
    one a person at a terminal picks), or None."""
    from xhsvc.cli.common import interactive

    dispatch_core = lazy("xhsvc.core.dispatch")
    rows = [c.to_dict() for c in dispatch_core.suggest_assignees(core_context(ctx), key=key, limit=limit)]
    if json_out and not yes:
        print_json(rows)
        return None
    if not json_out:
        print_table(
            [
                {**row, "rank": n, "works_for": row["branch"] or row["partner"] or "", "reason": row["why"]}
                for n, row in enumerate(rows, start=1)
            ],
            [
                ("rank", "#"),
                ("handle", N_("ID")),
                ("name", N_("NAME")),
                ("tier", N_("TIER")),
                ("works_for", N_("BRANCH/PARTNER")),
                ("load", N_("OPEN")),
                ("reason", N_("WHY")),
            ],
            empty=N_("nobody else of the ticket's tier can take it"),
        )
    if not rows:
        if yes:
            from xhsvc.errors import NotFound

            raise NotFound(
                _("assign --suggest: nobody else of the ticket's tier can take {key}").format(key=key)
            )
        return None
    if yes:
        return str(rows[0]["handle"])
    if json_out or not interactive():
        return None
    answer = typer.prompt(
        _("Assign to (number or id; empty: nobody)"), default="", show_default=False
    ).strip()
    if answer.isdigit() and 1 <= int(answer) <= len(rows):
        return str(rows[int(answer) - 1]["handle"])
    return answer or None


@app.command()
def assign(
    ctx: typer.Context,
    key: KeyArgument,
    person: Annotated[
        str | None,
        typer.Argument(
            help="Engineer of the ticket's tier (or --suggest).",
            show_default=False,
            autocompletion=completers.people,
        ),
    ] = None,
    suggest: Annotated[
        bool,
        typer.Option(
            "--suggest",
            help="Propose engineers: the customer's team first, then its region, then the lightest load.",
        ),
    ] = False,
    limit: Annotated[int, typer.Option("--limit", help="How many --suggest proposes (0: all).")] = 5,
    yes: YesOption = False,
    json_out: JsonOption = False,
) -> None:
    """Dispatch the ticket to an engineer of its tier (engineers may take one themselves).

    --suggest lists who fits best and why, with their open tickets: the customer's project
    support team first, then engineers of its region, then the fewest open tickets. With --yes it
    assigns the first; on a terminal it asks which one. A partner's engineer takes tickets of the
    partner's regions only.

    \b
    Examples:
      xhsvc ticket assign XH-000024 lijun
      xhsvc ticket assign XH-000024 --suggest
      xhsvc ticket assign XH-000024 --suggest --yes
      xhsvc --as huangtao ticket assign XH-000026 huangtao   # takes it
    """
    if suggest:
        if person is not None:
            raise InvalidInput(_("assign: give PERSON or --suggest, not both"))
        person = _suggested(ctx, key, limit=limit, yes=yes, json_out=json_out)
        if person is None:
            return
    elif person is None:
        raise InvalidInput(_("assign: give PERSON, or --suggest to see who fits"))
    ticket = core.assign_ticket(core_context(ctx), key=key, assignee=person)
    _done(
        ctx,
        key,
        json_out,
        _("{ticket} assigned to {person} ({status})").format(
            ticket=ticket.key, person=person, status=ticket.status
        ),
    )


@app.command()
def respond(
    ctx: typer.Context,
    key: KeyArgument,
    note: Annotated[str | None, typer.Option("--note", help="What was done first.")] = None,
    json_out: JsonOption = False,
) -> None:
    """First response by the assignee: the ticket is being worked (in_progress).

    \b
    Examples:
      xhsvc --as lijun ticket respond XH-000020 --note "远程登录检查"
    """
    ticket = core.respond_ticket(core_context(ctx), key=key, note=note)
    _done(ctx, key, json_out, _("{ticket} in progress").format(ticket=ticket.key))


@app.command()
def comment(
    ctx: typer.Context,
    key: KeyArgument,
    text: Annotated[str, typer.Argument(help="The note.", show_default=False)],
    json_out: JsonOption = False,
) -> None:
    """Add a work note to the ticket's history.

    \b
    Examples:
      xhsvc ticket comment XH-000020 "客户已发送阵列日志"
    """
    ticket = core.comment_ticket(core_context(ctx), key=key, text=text)
    _done(ctx, key, json_out, _("{ticket} noted").format(ticket=ticket.key))


@app.command("log")
def log_(
    ctx: typer.Context,
    key: Annotated[
        str,
        typer.Argument(
            help="Ticket or visit key, e.g. XH-000123 or XH-V00012.",
            show_default=False,
            autocompletion=completers.work_targets,
        ),
    ],
    duration: Annotated[
        str, typer.Argument(help="How long: 1h30m, 90m or 2h (at most 24h).", show_default=False)
    ],
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            help="remote, onsite or travel.",
            show_default=False,
            autocompletion=completers.work_kinds,
        ),
    ],
    note: Annotated[str | None, typer.Option("--note", help="What was done.")] = None,
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            metavar="WHEN",
            help="When the work was done (default now), e.g. '2026-11-20 14:05' or '昨天 9点'.",
        ),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Log time spent on a ticket or a visit.

    Remote work, on site or travelling. Engineers, experts, managers and admins log their own
    time, on any ticket or visit that is not cancelled; `worklog totals` adds it up.

    \b
    Examples:
      xhsvc --as lijun ticket log XH-000012 1h30m --kind onsite --note "更换电池"
      xhsvc --as lijun ticket log XH-000012 45m --kind travel --at "昨天 8点"
    """
    entry = worklogs_core.log_work(core_context(ctx), key=key, duration=duration, kind=kind, note=note, at=at)
    if at:
        understood("at", at, entry["started_at"])
    if json_out:
        print_json(entry)
        return
    say(
        _("{key}: {duration} of {kind} logged for {person}").format(
            key=entry["key"],
            duration=format_minutes(entry["minutes"], day_minutes=MAX_DAY),
            kind=_(worklogs_core.KIND_LABELS[entry["kind"]]),
            person=entry["person"],
        )
    )


@app.command()
def wait(ctx: typer.Context, key: KeyArgument, reason: Reason, json_out: JsonOption = False) -> None:
    """Wait on the customer (logs, a maintenance window, access): the ticket is on hold.

    \b
    Examples:
      xhsvc --as lijun ticket wait XH-000020 --reason "等待客户提供阵列日志"
    """
    ticket = core.wait_ticket(core_context(ctx), key=key, reason=reason)
    _done(ctx, key, json_out, _("{ticket} waiting on the customer").format(ticket=ticket.key))


@app.command()
def resume(
    ctx: typer.Context,
    key: KeyArgument,
    note: Annotated[str | None, typer.Option("--note", help="What the customer sent.")] = None,
    json_out: JsonOption = False,
) -> None:
    """The customer answered: back to work.

    \b
    Examples:
      xhsvc --as liuyang ticket resume XH-000018 --note "客户已扩容备份介质"
    """
    ticket = core.resume_ticket(core_context(ctx), key=key, note=note)
    _done(ctx, key, json_out, _("{ticket} in progress").format(ticket=ticket.key))


@app.command()
def onsite(ctx: typer.Context, key: KeyArgument, reason: Reason, json_out: JsonOption = False) -> None:
    """Request on-site work; it waits for approval (tier-2 on-site work needs the manager).

    \b
    Examples:
      xhsvc --as lijun ticket onsite XH-000020 --reason "更换管理口网卡"
    """
    approval = approvals_core.request_onsite(core_context(ctx), key=key, reason=reason)
    said = (
        _("{ticket}: {kind} request waiting for a manager")
        if approval.kind == "l2_onsite"
        else _("{ticket}: {kind} request waiting for an agent")
    )
    _done(ctx, key, json_out, said.format(ticket=key, kind=labels.request_kind_label(approval.kind)))


@app.command()
def escalate(
    ctx: typer.Context,
    key: KeyArgument,
    to: Annotated[
        str,
        typer.Option(
            "--to",
            metavar="TIER",
            help="L2 (support center) or L3 (experts).",
            show_default=False,
            autocompletion=completers.tiers,
        ),
    ],
    reason: Reason,
    json_out: JsonOption = False,
) -> None:
    """Ask to hand the ticket to a higher tier; it waits for approval.

    \b
    Examples:
      xhsvc --as lijun ticket escalate XH-000020 --to L2 --reason "疑似固件缺陷"
      xhsvc --as wuhao ticket escalate XH-000012 --to L3 --reason "需专家分析"
    """
    approval = approvals_core.escalate_ticket(core_context(ctx), key=key, to=to, reason=reason)
    said = (
        _("{ticket}: escalation to {tier} waiting for a manager")
        if approval.target_tier == "L3"
        else _("{ticket}: escalation to {tier} waiting for an agent")
    )
    _done(ctx, key, json_out, said.format(ticket=key, tier=to))


@app.command()
def approve(
    ctx: typer.Context,
    key: KeyArgument,
    assign: Annotated[
        str | None,
        typer.Option(
            "--assign",
            help="Who takes it on (the tier-2 engineer for a hand-over).",
            autocompletion=completers.people,
        ),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="A note on the decision.")] = None,
    request: RequestOption = None,
    json_out: JsonOption = False,
) -> None:
    """Approve the ticket's pending request (on-site work or escalation).

    \b
    Examples:
      xhsvc ticket approve XH-000014                  # tier-1 on-site work
      xhsvc ticket approve XH-000010 --assign wuhao   # hand-over to tier 2
      xhsvc --as zhoujian ticket approve XH-000012 --note "同意二线上门"
    """
    ticket = approvals_core.approve_request(
        core_context(ctx), key=key, assign=assign, note=note, request=request
    )
    said = (
        _("{ticket} approved: tier {tier}, {status}, assigned to {person}")
        if assign
        else _("{ticket} approved: tier {tier}, {status}")
    )
    _done(
        ctx,
        key,
        json_out,
        said.format(
            ticket=ticket.key, tier=ticket.tier, status=labels.status_label(ticket.status), person=assign
        ),
    )


@app.command()
def deny(
    ctx: typer.Context,
    key: KeyArgument,
    reason: Reason,
    request: RequestOption = None,
    json_out: JsonOption = False,
) -> None:
    """Deny the ticket's pending request.

    \b
    Examples:
      xhsvc ticket deny XH-000016 --reason "远程即可处理，无需升级"
    """
    ticket = approvals_core.deny_request(core_context(ctx), key=key, reason=reason, request=request)
    _done(ctx, key, json_out, _("{ticket}: request denied").format(ticket=ticket.key))


@app.command()
def refer(
    ctx: typer.Context,
    key: KeyArgument,
    reason: Annotated[str | None, typer.Option("--reason", help="Why the desk cannot decide.")] = None,
    request: RequestOption = None,
    json_out: JsonOption = False,
) -> None:
    """Send the pending request to the department manager (what the desk cannot decide).

    \b
    Examples:
      xhsvc ticket refer XH-000014 --reason "超出合同范围的上门服务"
    """
    approvals_core.refer_request(core_context(ctx), key=key, reason=reason, request=request)
    _done(ctx, key, json_out, _("{ticket}: request referred to the manager").format(ticket=key))


@app.command()
def arrive(
    ctx: typer.Context,
    key: KeyArgument,
    note: Annotated[str | None, typer.Option("--note", help="e.g. who met the engineer.")] = None,
    json_out: JsonOption = False,
) -> None:
    """The engineer is on site: stops the on-site arrival clock.

    \b
    Examples:
      xhsvc --as huangtao ticket arrive XH-000017 --note "信息科徐主任接待"
    """
    ticket = core.arrive_ticket(core_context(ctx), key=key, note=note)
    _done(ctx, key, json_out, _("{ticket}: on site").format(ticket=ticket.key))


@app.command()
def priority(
    ctx: typer.Context,
    key: KeyArgument,
    reason: Reason,
    impact: Annotated[int | None, typer.Option("--impact", help="1 (highest) .. 4.")] = None,
    urgency: Annotated[int | None, typer.Option("--urgency", help="1 (highest) .. 4.")] = None,
    json_out: JsonOption = False,
) -> None:
    """Change impact or urgency; the priority follows and the SLA due times are worked out again.

    \b
    Examples:
      xhsvc ticket priority XH-000023 --impact 2 --reason "影响范围扩大到全部业务"
      xhsvc ticket priority XH-000021 --urgency 1 --reason "月底结算前须恢复"
    """
    ticket = core.reprioritize_ticket(
        core_context(ctx), key=key, impact=impact, urgency=urgency, reason=reason
    )
    _done(
        ctx, key, json_out, _("{ticket} now {priority}").format(ticket=ticket.key, priority=ticket.priority)
    )


@app.command()
def resolve(
    ctx: typer.Context,
    key: KeyArgument,
    resolution: Annotated[str, typer.Option("--resolution", "-r", help="What fixed it.", show_default=False)],
    json_out: JsonOption = False,
) -> None:
    """Mark the ticket resolved; the customer confirms next (not for a consultation).

    A consultation's resolution is its answer; it closes without the customer's confirmation
    (ticket answer does both in one step).

    \b
    Examples:
      xhsvc --as lijun ticket resolve XH-000020 -r "重置管理口后恢复登录"
    """
    ticket = core.resolve_ticket(core_context(ctx), key=key, resolution=resolution)
    _done(ctx, key, json_out, _("{ticket} resolved").format(ticket=ticket.key))


@app.command()
def answer(
    ctx: typer.Context,
    key: KeyArgument,
    text: Annotated[
        str, typer.Argument(metavar="ANSWER", help="The answer given to the customer.", show_default=False)
    ],
    json_out: JsonOption = False,
) -> None:
    """Answer a technical consultation: records the answer and closes it.

    A consultation needs neither the customer's confirmation nor a service report; if the
    customer comes back on it, ticket reopen.

    \b
    Examples:
      xhsvc --as lijun ticket answer XH-000020 "建议先升级到 V5.2 再开启压缩"
    """
    ticket = core.answer_ticket(core_context(ctx), key=key, answer=text)
    _done(ctx, key, json_out, _("{ticket} answered and closed").format(ticket=ticket.key))


@app.command()
def convert(
    ctx: typer.Context,
    key: KeyArgument,
    to: Annotated[
        str,
        typer.Option(
            "--to",
            metavar="SERVICE",
            help="remote, onsite or non_product.",
            show_default=False,
            autocompletion=completers.fault_services,
        ),
    ],
    reason: Reason,
    json_out: JsonOption = False,
) -> None:
    """Turn a consultation that is really a fault into a fault ticket.

    Its coverage is checked again for the new service; its SLA clocks run on. Then ask for
    on-site work (ticket onsite) or raise the impact (ticket priority) as on any fault.

    \b
    Examples:
      xhsvc ticket convert XH-000020 --to onsite --reason "咨询中发现控制器故障"
    """
    ticket = core.convert_ticket(core_context(ctx), key=key, to=to, reason=reason)
    _done(
        ctx,
        key,
        json_out,
        _("{ticket} is now a fault ({service})").format(ticket=ticket.key, service=ticket.service),
    )


@app.command()
def confirm(
    ctx: typer.Context,
    key: KeyArgument,
    by: Annotated[str, typer.Option("--by", help="The customer's name (who signed).", show_default=False)],
    unresolved: Annotated[
        bool, typer.Option("--unresolved", help="The customer says it is not fixed: reopen.")
    ] = False,
    note: Annotated[str | None, typer.Option("--note", help="What the customer said.")] = None,
    json_out: JsonOption = False,
) -> None:
    """Record the customer's confirmation (on-site work needs it before closing).

    \b
    Examples:
      xhsvc ticket confirm XH-000019 --by 陈主任
      xhsvc ticket confirm XH-000019 --by 陈主任 --unresolved --note "快照仍被删"
    """
    ticket = core.confirm_ticket(core_context(ctx), key=key, by=by, unresolved=unresolved, note=note)
    said = _("{ticket} reopened") if unresolved else _("{ticket} confirmed by {person}")
    _done(ctx, key, json_out, said.format(ticket=ticket.key, person=by))


def _read_report(path: Path | None) -> str | None:
    if path is None:
        return None
    # One character more than a report may have: a longer file is refused by the core, naming
    # the limit, without being read whole.
    most = REPORT + 1
    try:
        if str(path) == "-":
            text = sys.stdin.read(most)
        else:
            with path.open(encoding="utf-8") as f:
                text = f.read(most)
    except (OSError, UnicodeDecodeError) as e:
        raise InvalidInput(
            _("report {file}: cannot read it ({error}: {reason})").format(
                file=path, error=e.__class__.__name__, reason=e
            )
        ) from e
    if not text.strip():
        raise InvalidInput(_("report {file}: the file is empty").format(file=path))
    return text


@app.command()
def close(
    ctx: typer.Context,
    key: KeyArgument,
    report: Annotated[
        Path | None, typer.Option("--report", help="The service report the customer confirmed ('-' = stdin).")
    ] = None,
    kb: Annotated[
        bool,
        typer.Option(
            "--kb", help="Then write a knowledge note; on a terminal, asks for what --kb-* leave out."
        ),
    ] = False,
    kb_symptom: Annotated[
        str | None, typer.Option("--kb-symptom", help="Knowledge note on the ticket: the symptom.")
    ] = None,
    kb_cause: Annotated[
        str | None, typer.Option("--kb-cause", help="Knowledge note: the cause, when known.")
    ] = None,
    kb_fix: Annotated[str | None, typer.Option("--kb-fix", help="Knowledge note: what fixed it.")] = None,
    json_out: JsonOption = False,
) -> None:
    """Close the record. On-site work needs confirmation and a report; a major incident a review.

    What was learnt may be kept as a knowledge note linked to the ticket (xhsvc kb): --kb asks
    for its symptom, cause and fix on a terminal; --kb-symptom and --kb-fix (--kb-cause) give
    them. The note is checked before the ticket closes and written after.

    \b
    Examples:
      xhsvc ticket close XH-000019
      xhsvc ticket close XH-000017 --report report.md
      xhsvc ticket close XH-000019 --kb
      xhsvc ticket close XH-000019 --kb-symptom "阵列掉盘" --kb-fix "更换背板电源"
    """
    from xhsvc.cli.knowledge import ask_rest, note_on_close

    context = core_context(ctx)
    text = _read_report(report)
    note = note_on_close(context, key, ask=kb, symptom=kb_symptom, cause=kb_cause, fix=kb_fix)
    ticket = core.close_ticket(context, key=key, report=text)
    if note is None:
        _done(ctx, key, json_out, _("{ticket} closed").format(ticket=ticket.key))
        return
    if kb:
        if not json_out:
            say(_("{ticket} closed").format(ticket=ticket.key))
        note = ask_rest(context, ticket.key, note)
    written = lazy("xhsvc.core.knowledge").add_note(context, ticket=ticket.key, **note)
    if json_out:
        print_json({**views_core.show_ticket(context, key=key), "knowledge_note": written})
        return
    if not kb:
        say(_("{ticket} closed").format(ticket=ticket.key))
    say(_("{note} written").format(note=written["key"]))


@app.command()
def review(
    ctx: typer.Context,
    key: KeyArgument,
    root_cause: Annotated[str, typer.Option("--root-cause", help="What caused it.", show_default=False)],
    actions: Annotated[str, typer.Option("--actions", help="What prevents it again.", show_default=False)],
    json_out: JsonOption = False,
) -> None:
    """Review a major incident (required before it closes).

    \b
    Examples:
      xhsvc --as zhoujian ticket review XH-000013 \\
          --root-cause "缓存电池失效" --actions "电池纳入月度巡检"
    """
    ticket = core.review_ticket(core_context(ctx), key=key, root_cause=root_cause, actions=actions)
    _done(ctx, key, json_out, _("{ticket} reviewed").format(ticket=ticket.key))


@app.command()
def reopen(ctx: typer.Context, key: KeyArgument, reason: Reason, json_out: JsonOption = False) -> None:
    """Reopen a resolved or closed ticket: it is not fixed after all.

    \b
    Examples:
      xhsvc ticket reopen XH-000009 --reason "演练中再次切换失败"
    """
    ticket = core.reopen_ticket(core_context(ctx), key=key, reason=reason)
    _done(
        ctx,
        key,
        json_out,
        _("{ticket} reopened ({status})").format(
            ticket=ticket.key, status=labels.status_label(ticket.status)
        ),
    )


@app.command()
def withdraw(
    ctx: typer.Context,
    key: KeyArgument,
    reason: Reason,
    request: RequestOption = None,
    json_out: JsonOption = False,
) -> None:
    """Withdraw the ticket's pending request (on-site work or escalation) that is no longer needed.

    \b
    Examples:
      xhsvc ticket withdraw XH-000014 --reason "远程已解决，无需上门"
    """
    ticket = approvals_core.withdraw_request(core_context(ctx), key=key, reason=reason, request=request)
    _done(ctx, key, json_out, _("{ticket}: request withdrawn").format(ticket=ticket.key))


@app.command()
def cancel(
    ctx: typer.Context, key: KeyArgument, reason: Reason, yes: YesOption = False, json_out: JsonOption = False
) -> None:
    """Cancel a ticket opened by mistake or withdrawn by the customer; it cannot be reopened.
    On a terminal it shows the ticket and asks first; scripts pass --yes.

    \b
    Examples:
      xhsvc ticket cancel XH-000026 --reason "客户重复报修"
      xhsvc ticket cancel XH-000026 --reason "客户重复报修" --yes   # script
    """
    if not yes:
        plan = core.preview_cancel(core_context(ctx), key=key, reason=reason)
        what = (
            _(
                "Cancel {ticket} ({status}, {customer}: {title}) because {reason!r}? A cancelled ticket "
                "cannot be reopened; its SLA clocks stop. Its pending {kind} request is withdrawn."
            )
            if plan["withdraws"]
            else _(
                "Cancel {ticket} ({status}, {customer}: {title}) because {reason!r}? A cancelled ticket "
                "cannot be reopened; its SLA clocks stop."
            )
        )
        confirm_irreversible(
            "ticket cancel",
            what.format(
                ticket=plan["key"],
                status=plan["status"],
                customer=plan["customer"],
                title=plan["title"],
                reason=reason,
                kind=plan["withdraws"],
            ),
            yes=yes,
        )
    ticket = core.cancel_ticket(core_context(ctx), key=key, reason=reason)
    _done(ctx, key, json_out, _("{ticket} cancelled").format(ticket=ticket.key))


# The parts replaced and the service report: their own module, on this sub-app.
service_record.register(app)
