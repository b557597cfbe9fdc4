"""`xhsvc sla ...`: the sweep that escalates on its own, and due times to promise a caller."""

from __future__ import annotations

from typing import Annotated

import typer

from xhsvc.cli import completers
from xhsvc.cli.common import JsonOption, core_context
from xhsvc.cli.output import local, print_json, say, understood, warn
from xhsvc.core.labels import target_label
from xhsvc.i18n import _
from xhsvc.lazy import lazy

sweep_core = lazy("xhsvc.core.sweep")
sla_core = lazy("xhsvc.core.sla")
tickets_core = lazy("xhsvc.core.tickets")

app = typer.Typer(help="SLA: the sweep (for cron) and due times.", no_args_is_help=True)

NowOption = Annotated[
    str | None,
    typer.Option("--now", help="Evaluate as of this time (e.g. '2026-11-20 14:00'); default: now."),
]


@app.command()
def sweep(
    ctx: typer.Context,
    now: NowOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would fire; write nothing.")] = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Write even when --now is more than 10 minutes ahead of the clock."),
    ] = False,
    json_out: JsonOption = False,
) -> None:
    """The SLA sweep: mark breaches, fire escalation rules, notify. It checks every ticket whose next
    check has come (each rule fires once per ticket and cycle). Safe to run every minute from cron
    beside the TUI.

    \b
    Examples:
      xhsvc sla sweep
      xhsvc sla sweep --now "2026-11-20 14:00" --dry-run
    """
    core_ctx = core_context(ctx)
    moment = tickets_core.parse_instant(core_ctx, now, "now") if now else None
    result = sweep_core.sweep(core_ctx, now=moment, dry_run=dry_run, force=force)
    if now and moment:
        understood("now", now, moment)
    for missing in result.missing_holidays:
        warn(missing.message)
    if json_out:
        print_json(result.as_dict())
        return
    from xhsvc.core.said import said_again

    fired_line = (
        _("{ticket}  {rule}  would fire: {title}  {actions}")
        if dry_run
        else _("{ticket}  {rule}  fired: {title}  {actions}")
    )
    for firing in result.fired:
        say(
            fired_line.format(
                ticket=firing.ticket, rule=firing.rule, title=firing.title, actions=said_again(firing.told)
            )
        )
    for breach in result.breached:
        say(
            _("{ticket}  {clock} target breached (due {due})").format(
                ticket=breach["ticket"], clock=target_label(breach["clock"]), due=local(breach["due_at"])
            )
        )
    summary = (
        _("checked {checked} ticket(s), {fired} rule(s) would fire, {breaches} breach(es)")
        if dry_run
        else _("checked {checked} ticket(s), {fired} rule(s) fired, {breaches} breach(es)")
    )
    say(summary.format(checked=result.checked, fired=len(result.fired), breaches=len(result.breached)))


@app.command()
def due(
    ctx: typer.Context,
    level: Annotated[
        str,
        typer.Option(
            "--level", help="Service level, e.g. gold.", show_default=False, autocompletion=completers.levels
        ),
    ],
    priority: Annotated[
        str,
        typer.Option(
            "--priority", help="P1 .. P4.", show_default=False, autocompletion=completers.priorities
        ),
    ],
    from_: Annotated[str | None, typer.Option("--from", help="When the call came (default: now).")] = None,
    json_out: JsonOption = False,
) -> None:
    """Due times to promise a caller, for a level and a priority. One for each target (response,
    on site, resolution), counted in the level's calendar.

    \b
    Examples:
      xhsvc sla due --level gold --priority P1
      xhsvc sla due --level silver --priority P2 --from "2026-11-20 17:30"
    """
    core_ctx = core_context(ctx)
    start = tickets_core.parse_instant(core_ctx, from_, "from") if from_ else None
    promises = sla_core.due_times(core_ctx, level=level, priority=priority, start=start)
    if from_ and start:
        understood("from", from_, start)
    missing = lazy("xhsvc.core.calendars").missing_for(
        promises[0].calendar, {year for p in promises for year in p.missing_years}
    )
    if missing:
        warn(missing.message)
    if json_out:
        print_json([p.__dict__ for p in promises])
        return
    for p in promises:
        say(
            _("{target:<11} within {within:<7} due {due}  ({calendar})").format(
                target=p.target, within=p.within, due=local(p.due_at), calendar=p.calendar
            )
        )
