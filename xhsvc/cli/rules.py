"""`xhsvc rules ...`: check a rules file, explain the rules for a ticket."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from xhsvc.cli.common import JsonOption, KeyArgument, core_context
from xhsvc.cli.output import local, print_json, say
from xhsvc.i18n import _
from xhsvc.lazy import lazy

rules_core = lazy("xhsvc.core.rules")
sweep_core = lazy("xhsvc.core.sweep")

app = typer.Typer(help="Escalation rules: check them, explain them for a ticket.", no_args_is_help=True)


@app.command()
def check(
    file: Annotated[Path | None, typer.Argument(help="A rules file (default: the one in use).")] = None,
    json_out: JsonOption = False,
) -> None:
    """Validate a rules file; a mistake is reported with its file, line and key (exit 2).

    \b
    Examples:
      xhsvc rules check
      xhsvc rules check rules.toml
    """
    ruleset = rules_core.load_rules(file)
    if json_out:
        print_json(
            {
                "file": ruleset.source,
                "rules": [
                    {"id": r.id, "title": r.title, "trigger": r.describe_trigger()} for r in ruleset.rules
                ],
            }
        )
        return
    say(_("{file}: {count} rule(s), all valid").format(file=ruleset.source, count=len(ruleset.rules)))
    for rule in ruleset.rules:
        say(f"  {rule.id:<24} {rule.describe_trigger():<34} {rule.title}")


@app.command()
def explain(ctx: typer.Context, key: KeyArgument, json_out: JsonOption = False) -> None:
    """Which rules match this ticket now, and why. Which of them fired, and when the others will.

    \b
    Examples:
      xhsvc rules explain XH-000012
    """
    data = sweep_core.explain(core_context(ctx), key=key)
    if json_out:
        print_json(data)
        return
    say(
        _("{ticket} (cycle {cycle}), rules from {file}").format(
            ticket=data["ticket"], cycle=data["cycle"], file=data["rules_file"]
        )
    )
    for row in data["rules"]:
        if row["fired_at"]:
            state = _("FIRED {at}: {actions}").format(
                at=local(row["fired_at"]), actions="; ".join(row["actions"])
            )
        elif row["due_now"]:
            state = _("due now ({why}); the next sweep fires it").format(why=row["why"])
        elif row["fires_at"]:
            state = _("fires at {at} ({why})").format(at=local(row["fires_at"]), why=row["why"])
        else:
            state = _("does not apply: {why}").format(why=row["why"])
        say(f"  {row['rule']:<24} {state}")
