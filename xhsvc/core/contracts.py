"""Service contracts: their terms, what they cover, and what they grant.

A contract has terms (periods); a renewal adds a term and never overwrites the old one. Whether a
request is covered is decided here, for the desk (`contract check`), for ticket intake and for the
on-site approval rule: the seed's agent "checks whether the request is within the service period".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from string import Formatter
from typing import Any

from xhsvc.core.catalog import ENTITLEMENTS, IN_EVERY_LEVEL, SERVICES
from xhsvc.core.clock import local_date, parse_day
from xhsvc.core.context import Context, Tx
from xhsvc.core.customers import create, edit, find_asset, find_customer, text_value
from xhsvc.core.durations import parse_within
from xhsvc.core.levels import ServiceLevel, get_level, load_levels
from xhsvc.core.text import one_of
from xhsvc.errors import Conflict, InvalidInput, NotAllowed, NotFound
from xhsvc.i18n import N_, _
from xhsvc.store import queries
from xhsvc.store.tables import Asset, Contract, ContractTerm, Customer, EntitlementUse

NUMBER_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{1,63}$")
CONTRACT_EDITORS = ("agent", "manager", "admin")

# Why a request is or is not covered: stable codes for scripts, with a sentence for people.
COVERED = "covered"
NO_CONTRACT = "no_contract"
EXPIRED = "expired"
NOT_STARTED = "not_started"
TERMINATED = "terminated"
SERVICE_NOT_IN_LEVEL = "service_not_in_level"
ASSET_NOT_COVERED = "asset_not_covered"
# A contract's state on a day (`contract list --state`).
STATES = ("active", EXPIRED, NOT_STARTED, TERMINATED)

# The sentences of a coverage reason, in English as a ticket stores them (Coverage.reason).
NO_CONTRACT_NOTE = N_("{customer} has no service contract")
TERMINATED_NOTE = N_("contract {contract} terminated on {day}")
NOT_STARTED_NOTE = N_("contract {contract} starts on {day}")
EXPIRED_NOTE = N_("contract {contract} expired on {day}")
ASSET_NOT_COVERED_NOTE = N_("asset {serial} is not covered by {contract}")
SERVICE_NOT_IN_LEVEL_NOTE = N_("service {service} is not in level {level} of contract {contract}")
COVERED_TERMINATED_NOTE = N_("covered by {contract} ({level}) until {day} (terminated)")
COVERED_NOTE = N_("covered by {contract} ({level}) until {day}")
# In the order `explain_note` tries them: "(terminated)" before the plain sentence it extends.
COVERAGE_NOTES = (
    NO_CONTRACT_NOTE,
    TERMINATED_NOTE,
    NOT_STARTED_NOTE,
    EXPIRED_NOTE,
    ASSET_NOT_COVERED_NOTE,
    SERVICE_NOT_IN_LEVEL_NOTE,
    COVERED_TERMINATED_NOTE,
    COVERED_NOTE,
)


@dataclass
class Coverage:
    covered: bool
    code: str
    # In English: a ticket stores it as its coverage note. `explain()` says it in the interface's
    # language, from `message` (marked for the catalog) and its `values`.
    reason: str
    contract: str | None = None
    contract_id: str | None = None
    level: str | None = None
    term_start: date | None = None
    term_end: date | None = None
    at: date | None = None
    others: list[str] = field(default_factory=list)
    message: str = ""
    values: dict[str, Any] = field(default_factory=dict)

    def explain(self) -> str:
        """The reason in the interface's language (`reason` stays English, for storing)."""
        return _(self.message).format(**self.values) if self.message else self.reason

    def as_dict(self) -> dict[str, Any]:
        return {
            "covered": self.covered,
            "code": self.code,
            "reason": self.reason,
            "contract": self.contract,
            "level": self.level,
            "term_start": self.term_start,
            "term_end": self.term_end,
            "at": self.at,
        }


def _reason(message: str, **values: Any) -> dict[str, Any]:
    """A Coverage's reason: `message` (marked with N_) filled in English, and what `explain` needs."""
    return {"reason": message.format(**values), "message": message, "values": values}


@cache
def _note_patterns() -> list[tuple[str, re.Pattern[str]]]:
    # Greedy fields: a contract number with brackets in it keeps them, as the fields after it
    # (a level's name, a day) have none.
    patterns = []
    for message in COVERAGE_NOTES:
        pattern = "".join(
            re.escape(literal) + (f"(?P<{name}>.+)" if name else "")
            for literal, name, _spec, _conversion in Formatter().parse(message)
        )
        patterns.append((message, re.compile(pattern, re.DOTALL)))
    return patterns


def explain_note(note: str | None) -> str | None:
    """A ticket's stored coverage note (English, as `Coverage.reason` made it) in the interface's
    language. A note no sentence matches is returned as stored."""
    if not note:
        return note
    for message, pattern in _note_patterns():
        found = pattern.fullmatch(note)
        if found:
            return _(message).format(**found.groupdict())
    return note


def local_today(ctx: Context) -> date:
    return today_of(ctx, ctx.now())


def term_at(terms: list[ContractTerm], at: date) -> ContractTerm | None:
    return next((t for t in terms if t.start_date <= at <= t.end_date), None)


def contract_state(contract: Contract, terms: list[ContractTerm], at: date) -> str:
    """active, expired, not_started or terminated, on day `at`."""
    if contract.terminated_on is not None and contract.terminated_on < at:
        return TERMINATED
    if term_at(terms, at):
        return "active"
    if terms and all(t.start_date > at for t in terms):
        return NOT_STARTED
    return EXPIRED


def listed_state(contract: Contract, terms: list[ContractTerm], at: date) -> str:
    """The state a listing shows on day `at`: a contract is listed as terminated from the day of
    its termination on, though that day itself is still covered."""
    if contract.terminated_on is not None and contract.terminated_on <= at:
        return TERMINATED
    return contract_state(contract, terms, at)


def _coverage_of(
    tx: Tx,
    customer: Customer,
    *,
    at: date,
    asset: Asset | None,
    service: str | None,
    levels: dict[str, ServiceLevel],
) -> Coverage:
    contracts = queries.contracts_of(tx.conn, customer.id)
    if not contracts:
        return Coverage(
            False,
            NO_CONTRACT,
            **_reason(NO_CONTRACT_NOTE, customer=customer.name),
            at=at,
        )
    terms = queries.terms_of(tx.conn, [c.id for c in contracts])
    covered_assets = queries.covered_asset_ids(tx.conn, [c.id for c in contracts])
    misses: list[Coverage] = []
    for contract in contracts:
        state = contract_state(contract, terms[contract.id], at)
        term = term_at(terms[contract.id], at)
        base = {"contract": contract.number, "contract_id": contract.id, "at": at}
        if state == TERMINATED:
            misses.append(
                Coverage(
                    False,
                    TERMINATED,
                    **_reason(
                        TERMINATED_NOTE,
                        contract=contract.number,
                        day=contract.terminated_on,
                    ),
                    **base,
                )
            )
            continue
        if term is None:
            if state == NOT_STARTED:
                first = terms[contract.id][0]
                misses.append(
                    Coverage(
                        False,
                        NOT_STARTED,
                        **_reason(
                            NOT_STARTED_NOTE,
                            contract=contract.number,
                            day=first.start_date,
                        ),
                        **base,
                    )
                )
            else:
                last = terms[contract.id][-1]
                misses.append(
                    Coverage(
                        False,
                        EXPIRED,
                        **_reason(
                            EXPIRED_NOTE,
                            contract=contract.number,
                            day=last.end_date,
                        ),
                        level=last.level,
                        term_start=last.start_date,
                        term_end=last.end_date,
                        **base,
                    )
                )
            continue
        found = {"level": term.level, "term_start": term.start_date, "term_end": term.end_date, **base}
        if asset is not None and covered_assets[contract.id] and asset.id not in covered_assets[contract.id]:
            misses.append(
                Coverage(
                    False,
                    ASSET_NOT_COVERED,
                    **_reason(
                        ASSET_NOT_COVERED_NOTE,
                        serial=asset.serial,
                        contract=contract.number,
                    ),
                    **found,
                )
            )
            continue
        level = levels.get(term.level)
        # A consultation (phone support) is covered by any contract in force.
        if (
            service is not None
            and service not in IN_EVERY_LEVEL
            and (level is None or service not in level.services)
        ):
            misses.append(
                Coverage(
                    False,
                    SERVICE_NOT_IN_LEVEL,
                    **_reason(
                        SERVICE_NOT_IN_LEVEL_NOTE,
                        service=service,
                        level=term.level,
                        contract=contract.number,
                    ),
                    **found,
                )
            )
            continue
        if contract.terminated_on is not None and contract.terminated_on <= term.end_date:
            reason = _reason(
                COVERED_TERMINATED_NOTE,
                contract=contract.number,
                level=term.level,
                day=contract.terminated_on,
            )
        else:
            reason = _reason(
                COVERED_NOTE,
                contract=contract.number,
                level=term.level,
                day=term.end_date,
            )
        return Coverage(True, COVERED, **reason, **found)
    # The most telling miss: an active contract's reason beats an old expired one.
    order = [SERVICE_NOT_IN_LEVEL, ASSET_NOT_COVERED, NOT_STARTED, EXPIRED, TERMINATED]
    misses.sort(key=lambda c: (order.index(c.code), -(c.term_end or date.min).toordinal()))
    return misses[0]


def coverage_for(
    tx: Tx,
    customer: Customer,
    *,
    at: date,
    asset: Asset | None = None,
    service: str | None = None,
) -> Coverage:
    return _coverage_of(tx, customer, at=at, asset=asset, service=service, levels=load_levels())


def check_coverage(
    ctx: Context,
    *,
    customer: str,
    asset: str | None = None,
    service: str | None = None,
    at: str | date | None = None,
) -> Coverage:
    """Is this customer (and asset, and service) covered on this day (default: today)?"""
    service = one_of(service, SERVICES, "service") if service is not None else None
    day = parse_day(at, "at") or local_today(ctx)
    with ctx.reading() as tx:
        owner = find_customer(tx, customer)
        found_asset = find_asset(tx, asset) if asset else None
        if found_asset is not None and found_asset.customer_id != owner.id:
            raise InvalidInput(
                _("asset {serial}: belongs to another customer, not {customer}").format(
                    serial=found_asset.serial, customer=owner.name
                )
            )
        return coverage_for(tx, owner, at=day, asset=found_asset, service=service)


# Writing ---------------------------------------------------------------------------------------


def _require(tx: Tx, roles: tuple[str, ...], action: str) -> None:
    me = tx.me()
    if me.role not in roles:
        raise NotAllowed(
            _("{action}: only {roles} may do this; {handle} is {role}").format(
                action=action, roles=_(" or ").join(roles), handle=me.handle, role=me.role
            )
        )


def _assets_for(tx: Tx, customer: Customer, serials: list[str]) -> list[Asset]:
    found = []
    for serial in serials:
        asset = find_asset(tx, serial)
        if asset.customer_id != customer.id:
            raise InvalidInput(
                _("asset {serial}: belongs to another customer, not {customer}").format(
                    serial=asset.serial, customer=customer.name
                )
            )
        found.append(asset)
    return found


def _add_term(
    tx: Tx, contract: Contract, *, term_no: int, level: str, start: date, end: date
) -> ContractTerm:
    row = {
        "contract_id": contract.id,
        "term_no": term_no,
        "level": level,
        "start_date": start,
        "end_date": end,
        "created_at": tx.now,
    }
    term_id = create(
        tx, "contract_term", row, f"contract {contract.number} term {term_no}: {level} {start} .. {end}"
    )
    return ContractTerm(id=term_id, **row)


def _cover_assets(tx: Tx, contract: Contract, assets: list[Asset], already: set[str]) -> None:
    for asset in assets:
        if asset.id not in already:
            create(
                tx,
                "contract_asset",
                {"contract_id": contract.id, "asset_id": asset.id},
                f"asset {asset.serial} covered by {contract.number}",
            )
            already.add(asset.id)


def _period(start: date | None, end: date | None) -> tuple[date, date]:
    if start is None or end is None:
        raise InvalidInput(_("start and end: both are needed"))
    if end < start:
        raise InvalidInput(_("end {end}: must not be before start {start}").format(end=end, start=start))
    return start, end


def add_contract(
    ctx: Context,
    *,
    number: str,
    customer: str,
    level: str,
    start: str | date,
    end: str | date,
    assets: list[str] | None = None,
    notes: str | None = None,
) -> Contract:
    number = number.strip()
    if not NUMBER_PATTERN.match(number):
        raise InvalidInput(
            _("number {number!r}: 2-64 letters, digits, '.', '_', '/' or '-'").format(number=number)
        )
    get_level(level)
    first, last = _period(parse_day(start, "start"), parse_day(end, "end"))
    with ctx.writing() as tx:
        _require(tx, CONTRACT_EDITORS, "contract add")
        owner = find_customer(tx, customer)
        if queries.get_contract(tx.conn, number) is not None:
            raise Conflict(_("contract {number} already exists").format(number=number))
        covered = _assets_for(tx, owner, assets or [])
        row = {
            "number": number,
            "customer_id": owner.id,
            "notes": text_value(notes, "notes", limit=2000, multiline=True),
            "terminated_on": None,
            "termination_reason": None,
            "created_at": tx.now,
        }
        contract = Contract(
            id=create(tx, "contract", row, f"contract {number} for {owner.name} added"), **row
        )
        _add_term(tx, contract, term_no=1, level=level, start=first, end=last)
        _cover_assets(tx, contract, covered, set())
        return contract


def renew_contract(
    ctx: Context,
    *,
    number: str,
    end: str | date,
    start: str | date | None = None,
    level: str | None = None,
    assets: list[str] | None = None,
) -> ContractTerm:
    """Add a new term after the last one; the old terms stay as they were."""
    with ctx.writing() as tx:
        _require(tx, CONTRACT_EDITORS, "contract renew")
        contract = queries.get_contract(tx.conn, number, for_update=True)
        if contract is None:
            raise NotFound(_("contract {number!r} not found").format(number=number))
        if contract.terminated_on is not None:
            raise NotAllowed(
                _("contract renew: {contract} was terminated on {day}").format(
                    contract=contract.number, day=contract.terminated_on
                )
            )
        terms = queries.terms_of(tx.conn, [contract.id])[contract.id]
        last = terms[-1]
        first_day = parse_day(start, "start") or last.end_date + timedelta(days=1)
        if first_day <= last.end_date:
            raise InvalidInput(
                _("start {start}: the new term must begin after the current one ends ({end})").format(
                    start=first_day, end=last.end_date
                )
            )
        first_day, last_day = _period(first_day, parse_day(end, "end"))
        new_level = level or last.level
        get_level(new_level)
        owner = queries.get_customer(tx.conn, contract.customer_id)
        assert owner is not None
        covered = _assets_for(tx, owner, assets or [])
        _cover_assets(tx, contract, covered, queries.covered_asset_ids(tx.conn, [contract.id])[contract.id])
        return _add_term(
            tx, contract, term_no=last.term_no + 1, level=new_level, start=first_day, end=last_day
        )


def terminate_contract(ctx: Context, *, number: str, reason: str, on: str | date | None = None) -> Contract:
    """End a contract early (a manager's decision); coverage stops after `on` (default today)."""
    why = text_value(reason, "reason", required=True, limit=2000)
    with ctx.writing() as tx:
        _require(tx, ("manager", "admin"), "contract terminate")
        contract = queries.get_contract(tx.conn, number, for_update=True)
        if contract is None:
            raise NotFound(_("contract {number!r} not found").format(number=number))
        if contract.terminated_on is not None:
            raise Conflict(
                _("contract terminate: {contract} was already terminated on {day}").format(
                    contract=contract.number, day=contract.terminated_on
                )
            )
        day = parse_day(on, "on") or local_today(ctx)
        changes = {"terminated_on": day, "termination_reason": why}
        edit(tx, "contract", contract.id, changes, f"contract {contract.number} terminated on {day}: {why}")
        return Contract(**{**contract.model_dump(), **changes})


# Reading ---------------------------------------------------------------------------------------


def _summary(contract: Contract, terms: list[ContractTerm], owner: str, at: date) -> dict[str, Any]:
    current = term_at(terms, at) or (terms[-1] if terms else None)
    return {
        "number": contract.number,
        "customer": owner,
        "state": listed_state(contract, terms, at),
        "level": current.level if current else None,
        "start": current.start_date if current else None,
        "end": current.end_date if current else None,
        "terms": len(terms),
        "terminated_on": contract.terminated_on,
    }


def list_contracts(
    ctx: Context, *, customer: str | None = None, state: str | None = None
) -> list[dict[str, Any]]:
    state = one_of(state, STATES, "state") if state is not None else None
    today = local_today(ctx)
    with ctx.reading() as tx:
        owner_id = find_customer(tx, customer).id if customer else None
        contracts = queries.list_contracts(tx.conn, customer_id=owner_id)
        terms = queries.terms_of(tx.conn, [c.id for c in contracts])
        owners = queries.customers_by_id(tx.conn, [c.customer_id for c in contracts])
    rows = [_summary(c, terms[c.id], owners[c.customer_id].name, today) for c in contracts]
    return [r for r in rows if state is None or r["state"] == state]


def show_contract(ctx: Context, *, number: str) -> dict[str, Any]:
    today = local_today(ctx)
    with ctx.reading() as tx:
        contract = queries.get_contract(tx.conn, number)
        if contract is None:
            raise NotFound(_("contract {number!r} not found").format(number=number))
        terms = queries.terms_of(tx.conn, [contract.id])[contract.id]
        owner = queries.get_customer(tx.conn, contract.customer_id)
        asset_ids = queries.covered_asset_ids(tx.conn, [contract.id])[contract.id]
        assets = [
            a for a in queries.list_assets(tx.conn, customer_id=contract.customer_id) if a.id in asset_ids
        ]
    assert owner is not None
    return {
        **_summary(contract, terms, owner.name, today),
        "notes": contract.notes,
        "termination_reason": contract.termination_reason,
        "history": [
            {
                "term": t.term_no,
                "level": t.level,
                "start": t.start_date,
                "end": t.end_date,
                "added_at": t.created_at,
            }
            for t in terms
        ],
        "assets": [{"serial": a.serial, "model": a.model} for a in assets],
    }


def expiring_contracts(ctx: Context, *, within: str) -> list[dict[str, Any]]:
    """Contracts whose current term ends within `within` days and that have no later term."""
    days = parse_within(within)
    today = local_today(ctx)
    horizon = today + timedelta(days=days)
    with ctx.reading() as tx:
        contracts = queries.contracts_with_terms_ending(tx.conn, start=today, end=horizon)
        terms = queries.terms_of(tx.conn, [c.id for c in contracts])
        owners = queries.customers_by_id(tx.conn, [c.customer_id for c in contracts])
    out = []
    for contract in contracts:
        last = terms[contract.id][-1]
        if contract.terminated_on is not None or not today <= last.end_date <= horizon:
            continue
        out.append(
            {
                **_summary(contract, terms[contract.id], owners[contract.customer_id].name, today),
                "days_left": (last.end_date - today).days,
            }
        )
    return sorted(out, key=lambda r: (r["end"], r["number"]))


# Entitlements ----------------------------------------------------------------------------------


def _usage(uses: list[EntitlementUse], level: ServiceLevel | None) -> dict[str, Any]:
    kinds = {}
    for kind in ENTITLEMENTS:
        granted = level.entitlements.get(kind, 0) if level else 0
        used = sum(u.quantity for u in uses if u.kind == kind)
        kinds[kind] = {
            "granted": granted,
            "used": used,
            "left": max(granted - used, 0),
            "beyond": max(used - granted, 0),
        }
    return kinds


def contract_usage(ctx: Context, *, number: str, at: str | date | None = None) -> dict[str, Any]:
    """Granted, used and left for the term in force on `at` (default today, else the last term)."""
    day = parse_day(at, "at") or local_today(ctx)
    with ctx.reading() as tx:
        contract = queries.get_contract(tx.conn, number)
        if contract is None:
            raise NotFound(_("contract {number!r} not found").format(number=number))
        terms = queries.terms_of(tx.conn, [contract.id])[contract.id]
        term = term_at(terms, day) or terms[-1]
        uses = queries.uses_of_term(tx.conn, term.id)
        handles = queries.handles_by_id(tx.conn, [u.recorded_by_id for u in uses])
        tickets = {u.ticket_id: queries.get_ticket(tx.conn, u.ticket_id) for u in uses if u.ticket_id}
    level = load_levels().get(term.level)
    return {
        "contract": contract.number,
        "term": term.term_no,
        "level": term.level,
        "start": term.start_date,
        "end": term.end_date,
        "entitlements": _usage(uses, level),
        "uses": [
            {
                "kind": u.kind,
                "quantity": u.quantity,
                "on": u.used_on,
                "ticket": tickets[u.ticket_id].key if u.ticket_id and tickets.get(u.ticket_id) else None,
                "note": u.note,
                "beyond_grant": u.beyond_grant,
                "recorded_by": handles.get(u.recorded_by_id),
            }
            for u in uses
        ],
    }


def use_entitlement(
    ctx: Context,
    *,
    number: str,
    kind: str,
    quantity: int = 1,
    on: str | date | None = None,
    ticket: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """Record an inspection, a training or standby days against the term in force.

    Use beyond what the term grants needs a manager: it is recorded as such and shows in the usage.
    """
    kind = one_of(kind, ENTITLEMENTS, "kind")
    if quantity < 1:
        raise InvalidInput(_("quantity: must be 1 or more"))
    day = parse_day(on, "on") or local_today(ctx)
    with ctx.writing() as tx:
        contract = queries.get_contract(tx.conn, number, for_update=True)
        if contract is None:
            raise NotFound(_("contract {number!r} not found").format(number=number))
        ticket_id = None
        if ticket:
            found = queries.get_ticket(tx.conn, ticket)
            if found is None:
                raise NotFound(_("ticket {key!r} not found").format(key=ticket))
            ticket_id = found.id
        record_use(tx, contract, kind=kind, quantity=quantity, day=day, ticket_id=ticket_id, note=note)
    return contract_usage(ctx, number=number, at=day)


def record_use(
    tx: Tx,
    contract: Contract,
    *,
    kind: str,
    quantity: int,
    day: date,
    ticket_id: str | None = None,
    note: str | None = None,
    action: str = "contract use",
    term_on: date | None = None,
) -> bool:
    """Record a use against the term in force on `day`; returns whether it goes beyond the grant
    (which only a manager may do)."""
    me = tx.me()
    if me.role not in ("agent", "engineer", "expert", "manager", "admin"):
        raise NotAllowed(
            _("{action}: {handle} may not record service use").format(action=action, handle=me.handle)
        )
    # The term charged is the one in force on `term_on` (a visit's planned day), else on `day`.
    charged_on = term_on or day
    terms = queries.terms_of(tx.conn, [contract.id])[contract.id]
    state = contract_state(contract, terms, charged_on)
    if state != "active":
        raise NotAllowed(
            _("{action}: {contract} is {state} on {day}; nothing to use").format(
                action=action, contract=contract.number, state=state, day=charged_on
            )
        )
    term = term_at(terms, charged_on)
    assert term is not None
    level = load_levels().get(term.level)
    usage = _usage(queries.uses_of_term(tx.conn, term.id), level)[kind]
    beyond = usage["used"] + quantity > usage["granted"]
    if beyond and me.role != "manager":
        raise NotAllowed(
            _(
                "{action}: {contract} has {left} {kind} left of {granted} this term; using more needs a manager"
            ).format(
                action=action,
                contract=contract.number,
                left=usage["left"],
                kind=kind,
                granted=usage["granted"],
            )
        )
    row = {
        "contract_id": contract.id,
        "term_id": term.id,
        "kind": kind,
        "quantity": quantity,
        "used_on": day,
        "ticket_id": ticket_id,
        "note": text_value(note, "note", limit=2000, multiline=True),
        "beyond_grant": beyond,
        "recorded_by_id": me.id,
        "created_at": tx.now,
    }
    summary = f"{quantity} {kind} used on {contract.number}" + (
        " beyond the grant, approved by manager" if beyond else ""
    )
    create(tx, "entitlement_use", row, summary)
    return beyond


def today_of(ctx: Context, moment: datetime) -> date:
    """The calendar day of `moment` where the desk works (the configured time zone)."""
    return local_date(moment, ctx.settings.timezone)
