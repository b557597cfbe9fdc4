"""Shell completion callbacks: what TAB offers for a ticket key, a person, a customer, a status...

Declarations name them (`typer.Argument(autocompletion=completers.tickets)`); a shell calls them
through Typer's completion protocol (`_XHSVC_COMPLETE=complete_bash ...`), and nothing else does.
So this module imports nothing beyond what every command has already loaded: the candidates come
from xhsvc.core.completion, imported when a shell first asks, and the database is opened only
for the kinds that live there. Whatever goes wrong (no database yet, a broken config.toml, a
server that does not answer), a callback offers nothing: a traceback or a wait in the middle of
someone's command line is worse than no suggestion.
"""

# No `from __future__ import annotations`: Typer reads each callback's signature whenever it builds
# a command, and annotations that are already objects spare it evaluating strings (two thirds of
# that cost, paid for each of the two dozen parameters of `ticket` that complete).
import warnings
from collections.abc import Callable

import typer


def _offer(kind: str, ctx: typer.Context, incomplete: str) -> list[str]:
    try:
        with warnings.catch_warnings():
            # A library's warning on stderr would land in the middle of the command line.
            warnings.simplefilter("ignore")
            from xhsvc.core.completion import IN_DATABASE, candidates

            url = None
            if kind in IN_DATABASE:
                from xhsvc.config import db_url, load_config

                # `--db` typed before the command counts, as it would when the command runs.
                url = db_url(ctx.find_root().params.get("db"), load_config())
            return candidates(kind, prefix=incomplete, url=url)
    except Exception:
        return []


def _completer(kind: str) -> Callable[[typer.Context, str], list[str]]:
    """The callback for one kind of value (a key of xhsvc.core.completion's tables)."""

    def complete(ctx: typer.Context, incomplete: str) -> list[str]:
        return _offer(kind, ctx, incomplete)

    complete.__name__ = complete.__qualname__ = kind
    return complete


tickets = _completer("tickets")
people = _completer("people")
customers = _completer("customers")
contracts = _completer("contracts")
visits = _completer("visits")
work_targets = _completer("work_targets")
branches = _completer("branches")
partners = _completer("partners")
notes = _completer("notes")

statuses = _completer("statuses")
visit_statuses = _completer("visit_statuses")
contract_states = _completer("contract_states")
notification_states = _completer("notification_states")
priorities = _completer("priorities")
tiers = _completer("tiers")
roles = _completer("roles")
levels = _completer("levels")
visit_kinds = _completer("visit_kinds")
services = _completer("services")
channels = _completer("channels")
entitlements = _completer("entitlements")
work_kinds = _completer("work_kinds")
work_totals = _completer("work_totals")
fault_services = _completer("fault_services")
