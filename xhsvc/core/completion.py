"""What a shell offers on TAB: the values a command line can name, starting with what was typed.

Only xhsvc.cli.completers imports this module, and only while a shell asks for candidates, so
no command pays for it. Each kind is one small read: the vocabularies come from the modules that
check them (a candidate is always a value the command takes), and what lives in the database is
one indexed prefix query of at most LIMIT rows, on a database opened without being created,
migrated or written (store.db.open_existing). What a command takes in any case is matched in any
case; names (people, customers, contracts) exactly, as the commands take them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from xhsvc.core.context import Context
from xhsvc.store import queries
from xhsvc.store.db import open_existing

# Enough to choose from; a shell shows no more than a screen of them usefully.
LIMIT = 200
# Longest a completion waits on the database (a busy SQLite file, a server far away): a shell
# that hangs on TAB is worse than one that offers nothing.
TIMEOUT_S = 2.0


def completion_context(url: str) -> Context | None:
    """A context to read candidates from the database at `url`, or None when there is none yet.
    The caller disposes of it (`ctx.db.dispose()`)."""
    db = open_existing(url, timeout_s=TIMEOUT_S)
    return Context(db=db) if db is not None else None


def _matching(values: Iterable[str], prefix: str) -> list[str]:
    wanted = prefix.casefold()
    return [v for v in values if v.casefold().startswith(wanted)]


def _read(ctx: Context, query: Callable[..., list[str]], prefix: str) -> list[str]:
    with ctx.db.read() as conn:
        return query(conn, prefix, limit=LIMIT)


# In the database --------------------------------------------------------------------------------


def complete_tickets(ctx: Context, *, prefix: str) -> list[str]:
    """Ticket keys (stored upper case, typed in any), newest first."""
    return _read(ctx, queries.ticket_keys_starting, prefix.upper())


def complete_people(ctx: Context, *, prefix: str) -> list[str]:
    """People's ids."""
    return _read(ctx, queries.handles_starting, prefix)


def complete_customers(ctx: Context, *, prefix: str) -> list[str]:
    return _read(ctx, queries.customer_names_starting, prefix)


def complete_contracts(ctx: Context, *, prefix: str) -> list[str]:
    return _read(ctx, queries.contract_numbers_starting, prefix)


def complete_visits(ctx: Context, *, prefix: str) -> list[str]:
    """Visit keys (stored upper case, typed in any)."""
    return _read(ctx, queries.visit_keys_starting, prefix.upper())


def complete_notes(ctx: Context, *, prefix: str) -> list[str]:
    """Knowledge notes' keys (stored upper case, typed in any)."""
    from xhsvc.store import knowledge_queries

    return _read(ctx, knowledge_queries.note_keys_starting, prefix.upper())


def complete_branches(ctx: Context, *, prefix: str) -> list[str]:
    """Branch codes (stored upper case, typed in any)."""
    from xhsvc.store import org_queries

    return _read(ctx, org_queries.branch_codes_starting, prefix.upper())


def complete_partners(ctx: Context, *, prefix: str) -> list[str]:
    from xhsvc.store import org_queries

    return _read(ctx, org_queries.partner_names_starting, prefix)


def complete_work_targets(ctx: Context, *, prefix: str) -> list[str]:
    """What time is logged on: ticket keys, then visit keys."""
    return complete_tickets(ctx, prefix=prefix) + complete_visits(ctx, prefix=prefix)


# Vocabularies -----------------------------------------------------------------------------------


def complete_statuses(*, prefix: str) -> list[str]:
    """A ticket's statuses."""
    from xhsvc.core.tickets import STATUSES

    return _matching(STATUSES, prefix)


def complete_visit_statuses(*, prefix: str) -> list[str]:
    from xhsvc.core.visits import STATES

    return _matching(STATES, prefix)


def complete_contract_states(*, prefix: str) -> list[str]:
    from xhsvc.core.contracts import STATES

    return _matching(STATES, prefix)


def complete_notification_states(*, prefix: str) -> list[str]:
    from xhsvc.core.notifications import STATES

    return _matching(STATES, prefix)


def complete_priorities(*, prefix: str) -> list[str]:
    from xhsvc.core.levels import PRIORITIES

    return _matching(PRIORITIES, prefix)


def complete_tiers(*, prefix: str) -> list[str]:
    from xhsvc.core.people import TIERS

    return _matching(TIERS, prefix)


def complete_roles(*, prefix: str) -> list[str]:
    """The roles a person can be given (the system's own is xhsvc's, never given)."""
    from xhsvc.core.people import ROLES

    return _matching((r for r in ROLES if r != "system"), prefix)


def complete_levels(*, prefix: str) -> list[str]:
    """Service levels: the shipped ones and the user's service-levels.toml."""
    from xhsvc.core.levels import load_levels

    return _matching(load_levels(), prefix)


def complete_visit_kinds(*, prefix: str) -> list[str]:
    from xhsvc.core.templates import VISIT_KINDS

    return _matching(VISIT_KINDS, prefix)


def complete_services(*, prefix: str) -> list[str]:
    from xhsvc.core.catalog import SERVICES

    return _matching(SERVICES, prefix)


def complete_channels(*, prefix: str) -> list[str]:
    from xhsvc.core.tickets import CHANNELS

    return _matching(CHANNELS, prefix)


def complete_work_kinds(*, prefix: str) -> list[str]:
    from xhsvc.core.worklogs import KINDS

    return _matching(KINDS, prefix)


def complete_fault_services(*, prefix: str) -> list[str]:
    from xhsvc.core.catalog import FAULT_SERVICES

    return _matching(FAULT_SERVICES, prefix)


def complete_work_totals(*, prefix: str) -> list[str]:
    from xhsvc.core.worklogs import TOTALS_BY

    return _matching(TOTALS_BY, prefix)


def complete_entitlements(*, prefix: str) -> list[str]:
    from xhsvc.core.catalog import ENTITLEMENTS

    return _matching(ENTITLEMENTS, prefix)


IN_DATABASE: dict[str, Callable[..., list[str]]] = {
    "tickets": complete_tickets,
    "people": complete_people,
    "customers": complete_customers,
    "contracts": complete_contracts,
    "visits": complete_visits,
    "work_targets": complete_work_targets,
    "branches": complete_branches,
    "partners": complete_partners,
    "notes": complete_notes,
}
VOCABULARIES: dict[str, Callable[..., list[str]]] = {
    "statuses": complete_statuses,
    "visit_statuses": complete_visit_statuses,
    "contract_states": complete_contract_states,
    "notification_states": complete_notification_states,
    "priorities": complete_priorities,
    "tiers": complete_tiers,
    "roles": complete_roles,
    "levels": complete_levels,
    "visit_kinds": complete_visit_kinds,
    "services": complete_services,
    "channels": complete_channels,
    "entitlements": complete_entitlements,
    "work_kinds": complete_work_kinds,
    "work_totals": complete_work_totals,
    "fault_services": complete_fault_services,
}


# What the commands take in any case (keys are upper-cased, the rest read by text.one_of); people,
# customers and contracts are named exactly.
ANY_CASE = {"tickets", "visits", "work_targets", "branches", "notes", *VOCABULARIES}


def candidates(kind: str, *, prefix: str, url: str | None = None) -> list[str]:
    """The candidates of `kind` that start with `prefix`; a kind kept in the database is read
    from the one at `url` (nothing when there is none there yet). A value taken in any case is
    given in the case `prefix` was typed in: a shell keeps only the candidates that start with
    what was typed."""
    if kind in VOCABULARIES:
        found = VOCABULARIES[kind](prefix=prefix)
    else:
        complete = IN_DATABASE[kind]
        ctx = completion_context(url) if url is not None else None
        if ctx is None:
            return []
        try:
            found = complete(ctx, prefix=prefix)
        finally:
            ctx.db.dispose()
    if kind in ANY_CASE:
        found = [prefix + value[len(prefix) :] for value in found]
    return found
