"""Scheduled service visits: inspections (巡检) and the other scheduled services (training, on-site
standby, system optimization, disaster-recovery drills, periodic service reviews with the customer),
their checklists, findings and follow-ups.

A visit copies its template's items when it is made, so later changes to a template never rewrite
what an engineer recorded. Completing a visit turns its failed and warning items into findings and
uses the contract's entitlement.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from xhsvc.core import tickets
from xhsvc.core.calendars import load_calendar
from xhsvc.core.clock import check_year, parse_day
from xhsvc.core.context import Context, Tx
from xhsvc.core.contracts import contract_state, local_today, record_use, term_at
from xhsvc.core.customers import find_customer, text_value
from xhsvc.core.durations import parse_within
from xhsvc.core.levels import load_levels
from xhsvc.core.said import said
from xhsvc.core.templates import (
    ALSO_ACCEPTS,
    DEFAULT_TEMPLATE,
    VISIT_KINDS,
    ItemSpec,
    judge,
    load_template,
    number_result,
)
from xhsvc.core.text import MULTI_LINE, one_of
from xhsvc.errors import Conflict, InvalidInput, NotAllowed, NotFound
from xhsvc.i18n import N_, _
from xhsvc.store import events, queries
from xhsvc.store.ids import new_id
from xhsvc.store.tables import Contract, Person, Visit, VisitItem

# Which entitlement a completed visit uses (the catalog grants none for an optimization, a DR drill
# or a service review: those use nothing).
USES = {"inspection": "inspections", "training": "trainings", "standby": "standby_days"}
OPEN_STATES = ("planned", "in_progress")
STATES = (*OPEN_STATES, "completed", "cancelled")
PLANNERS = ("agent", "manager", "admin")


# Helpers ---------------------------------------------------------------------------------------


def _load(tx: Tx, key: str) -> Visit:
    visit = queries.get_visit(tx.conn, key, for_update=True)
    if visit is None:
        raise NotFound(_("visit {key!r} not found").format(key=key))
    return visit


def _change(tx: Tx, visit: Visit, kind: str, changes: dict[str, Any], summary: str) -> None:
    events.append(
        tx.conn,
        tx.origin,
        entity="visit",
        entity_id=visit.id,
        kind=f"visit.{kind}",
        payload={"set": changes, "summary": summary},
    )
    for name, value in changes.items():
        setattr(visit, name, value)


def _require(tx: Tx, roles: tuple[str, ...], action: str, visit: Visit | None = None) -> Person:
    me = tx.me()
    if me.role in roles or (visit is not None and visit.engineer_id == me.id):
        return me
    message = (
        _("{action}: only {roles} or the visit's engineer may do this; {handle} is {role}")
        if visit is not None
        else _("{action}: only {roles} may do this; {handle} is {role}")
    )
    raise NotAllowed(
        message.format(action=action, roles=_(" or ").join(roles), handle=me.handle, role=me.role)
    )


def _require_status(visit: Visit, allowed: tuple[str, ...], action: str) -> None:
    if visit.status not in allowed:
        raise NotAllowed(
            _("{action}: visit {visit} is {status}; allowed only when {allowed}").format(
                action=action, visit=visit.key, status=visit.status, allowed=_(" or ").join(allowed)
            )
        )


def _contract(tx: Tx, number: str) -> Contract:
    contract = queries.get_contract(tx.conn, number)
    if contract is None:
        raise NotFound(_("contract {number!r} not found").format(number=number))
    return contract


def _spec(item: VisitItem) -> ItemSpec:
    raw = json.loads(item.spec)
    return ItemSpec(
        id=item.item_key,
        section=item.section,
        label=item.label,
        kind=item.kind,
        required=item.required,
        unit=item.unit,
        thresholds=raw.get("thresholds", {}),
        minimum=raw.get("min", 0.0),
        maximum=raw.get("max"),
        choices=tuple(raw.get("choices", ())),
        warn_choices=tuple(raw.get("warn", ())),
        fail_choices=tuple(raw.get("fail", ())),
        recommendation=raw.get("recommendation"),
        source=raw.get("source"),
        compare_to=raw.get("compare_to"),
    )


def _create_visit(
    tx: Tx,
    ctx: Context,
    *,
    contract: Contract,
    kind: str,
    template: str | None,
    on: date,
    site_id: str | None,
    quantity: int = 1,
) -> Visit:
    chosen = load_template(template or DEFAULT_TEMPLATE[kind])
    if chosen.kind != kind and chosen.kind not in ALSO_ACCEPTS.get(kind, ()):
        raise InvalidInput(
            _("template {template}: it is for {template_kind} visits, not {kind}").format(
                template=chosen.name, template_kind=chosen.kind, kind=kind
            )
        )
    number = events.bump_counter(tx.conn, f"visit:{ctx.db.prefix}")
    terms = queries.terms_of(tx.conn, [contract.id])[contract.id]
    term = term_at(terms, on)
    row = {
        "key": f"{ctx.db.prefix}-V{number:05d}",
        "kind": kind,
        "template": chosen.name,
        "title": chosen.title,
        "status": "planned",
        "customer_id": contract.customer_id,
        "contract_id": contract.id,
        "term_id": term.id if term else None,
        "site_id": site_id,
        "engineer_id": None,
        "planned_for": on,
        "quantity": quantity,
        "created_at": tx.now,
    }
    visit_id = new_id()
    events.append(
        tx.conn,
        tx.origin,
        entity="visit",
        entity_id=visit_id,
        kind="visit.planned",
        payload={"create": row, "summary": f"{kind} visit {row['key']} planned for {on} ({contract.number})"},
    )
    changes = []
    for position, spec in enumerate(chosen.items):
        extra = {
            "thresholds": spec.thresholds,
            "min": spec.minimum,
            "max": spec.maximum,
            "choices": list(spec.choices),
            "warn": list(spec.warn_choices),
            "fail": list(spec.fail_choices),
            "recommendation": spec.recommendation,
            "source": spec.source,
            "compare_to": spec.compare_to,
        }
        item_row = {
            "visit_id": visit_id,
            "item_key": spec.id,
            "position": position,
            "section": spec.section,
            "label": spec.label,
            "kind": spec.kind,
            "required": spec.required,
            "unit": spec.unit,
            "spec": json.dumps({k: v for k, v in extra.items() if v}, ensure_ascii=False),
            "value": None,
            "result": None,
            "note": None,
            "recorded_at": None,
            "recorded_by_id": None,
        }
        changes.append(
            events.Change(
                "visit_item", new_id(), "visit_item.added", {"create": item_row, "summary": spec.id}
            )
        )
    events.append_many(tx.conn, tx.origin, changes)
    return Visit(id=visit_id, **row)


# Planning --------------------------------------------------------------------------------------


@dataclass
class InspectionPlan:
    """The inspections `visit plan` would add: the contract, its site and the days."""

    contract: str
    site_id: str | None
    days: list[date]


def _inspection_plan(
    tx: Tx, ctx: Context, *, contract: str, year: int | None
) -> tuple[Contract, InspectionPlan]:
    today = local_today(ctx)
    if year is not None:
        check_year(year, "year", year)
    _require(tx, PLANNERS, "visit plan")
    found = _contract(tx, contract)
    terms = queries.terms_of(tx.conn, [found.id])[found.id]
    anchor = date(year, 7, 1) if year else today
    term = term_at(terms, anchor) or (term_at(terms, date(year, 1, 1)) if year else None)
    if term is None and year:
        term = next((t for t in terms if t.start_date.year <= year <= t.end_date.year), None)
    if term is None or contract_state(found, terms, term.start_date) == "terminated":
        message = (
            _("visit plan: {contract} has no term in force in {year}")
            if year
            else _("visit plan: {contract} has no term in force today")
        )
        raise NotAllowed(message.format(contract=found.number, year=year))
    first, last = term.start_date, term.end_date
    if year:
        first, last = max(first, date(year, 1, 1)), min(last, date(year, 12, 31))
    first = max(first, today) if first <= today <= last else first
    level = load_levels().get(term.level)
    granted = level.entitlements.get("inspections", 0) if level else 0
    already = [
        v
        for v in queries.visits_of_contract(tx.conn, found.id)
        if v.kind == "inspection" and v.status != "cancelled" and v.term_id == term.id
    ]
    wanted = granted - len(already)
    if granted == 0:
        raise NotAllowed(
            _("visit plan: level {level} of {contract} grants no inspections").format(
                level=term.level, contract=found.number
            )
        )
    if wanted <= 0:
        raise Conflict(
            _("visit plan: all {count} inspections of {contract} this term are planned already").format(
                count=granted, contract=found.number
            )
        )
    calendar = load_calendar("china-business")
    span = (last - first).days + 1
    sites = queries.list_sites(tx.conn, customer_id=found.customer_id)
    days = []
    for i in range(wanted):
        day = first + timedelta(days=int((i + 0.5) * span / wanted))
        while not calendar.is_working_day(day) and day < last:
            day += timedelta(days=1)
        days.append(day)
    return found, InspectionPlan(contract=found.number, site_id=sites[0].id if sites else None, days=days)


def preview_visit_plan(ctx: Context, *, contract: str, year: int | None = None) -> InspectionPlan:
    """What `plan_visits` would add, written nowhere (`visit plan --dry-run`)."""
    with ctx.reading() as tx:
        return _inspection_plan(tx, ctx, contract=contract, year=year)[1]


def plan_visits(ctx: Context, *, contract: str, year: int | None = None) -> list[Visit]:
    """Spread the inspections a contract term grants evenly over it (or over `year` within it),
    on working days; visits already planned or done in that period count."""
    with ctx.writing() as tx:
        found, plan = _inspection_plan(tx, ctx, contract=contract, year=year)
        return [
            _create_visit(
                tx, ctx, contract=found, kind="inspection", template=None, on=day, site_id=plan.site_id
            )
            for day in plan.days
        ]


def review_month(day: date) -> str:
    """The month a service review on `day` reviews: the calendar month before it (YYYY-MM), a
    period that has ended, its tickets and SLA known."""
    before = day.replace(day=1) - timedelta(days=1)
    return f"{before.year:04d}-{before.month:02d}"


def add_visit(
    ctx: Context,
    *,
    contract: str,
    kind: str,
    on: str | date,
    template: str | None = None,
    site: str | None = None,
    days: int = 1,
) -> Visit:
    """One visit: a training, a standby (for `days` days), a system optimization, a DR drill, a
    periodic service review with the customer, or an extra inspection."""
    kind = one_of(kind, VISIT_KINDS, "kind")
    if days < 1:
        raise InvalidInput(_("days: must be 1 or more"))
    day = parse_day(on, "date")
    assert day is not None
    with ctx.writing() as tx:
        _require(tx, PLANNERS, "visit add")
        found = _contract(tx, contract)
        site_id = None
        if site:
            owner = queries.get_customer(tx.conn, found.customer_id)
            assert owner is not None
            found_site = queries.get_site(tx.conn, owner.id, site)
            if found_site is None:
                raise NotFound(
                    _("site {site!r} of {customer} not found").format(site=site, customer=owner.name)
                )
            site_id = found_site.id
        else:
            sites = queries.list_sites(tx.conn, customer_id=found.customer_id)
            site_id = sites[0].id if sites else None
        return _create_visit(
            tx, ctx, contract=found, kind=kind, template=template, on=day, site_id=site_id, quantity=days
        )


def assign_visit(ctx: Context, *, key: str, engineer: str) -> Visit:
    with ctx.writing() as tx:
        _require(tx, PLANNERS, "visit assign")
        visit = _load(tx, key)
        _require_status(visit, OPEN_STATES, "visit assign")
        person = queries.get_person(tx.conn, engineer)
        if person is None:
            raise NotFound(_("engineer {engineer!r} not found").format(engineer=engineer))
        if person.role not in ("engineer", "expert"):
            raise NotAllowed(
                _("visit assign: {handle} is {role}, not an engineer").format(
                    handle=person.handle, role=person.role
                )
            )
        _change(tx, visit, "assigned", {"engineer_id": person.id}, f"assigned to {person.handle}")
        return visit


def reschedule_visit(ctx: Context, *, key: str, on: str | date, reason: str | None = None) -> Visit:
    day = parse_day(on, "date")
    with ctx.writing() as tx:
        _require(tx, PLANNERS, "visit reschedule")
        visit = _load(tx, key)
        _require_status(visit, OPEN_STATES, "visit reschedule")
        why = text_value(reason, "reason", limit=2000)
        changes: dict[str, Any] = {"planned_for": day}
        if visit.contract_id:
            # A visit moved into another term counts against that term.
            term = term_at(queries.terms_of(tx.conn, [visit.contract_id])[visit.contract_id], day)
            changes["term_id"] = term.id if term else None
        _change(tx, visit, "rescheduled", changes, f"moved to {day}" + (f": {why}" if why else ""))
        return visit


def cancel_visit(ctx: Context, *, key: str, reason: str) -> Visit:
    why = text_value(reason, "reason", required=True, limit=2000)
    with ctx.writing() as tx:
        _require(tx, PLANNERS, "visit cancel")
        visit = _load(tx, key)
        _require_status(visit, OPEN_STATES, "visit cancel")
        _change(tx, visit, "cancelled", {"status": "cancelled", "cancel_reason": why}, f"cancelled: {why}")
        return visit


# Filling in ------------------------------------------------------------------------------------


def _tickets_since_last(tx: Tx, visit: Visit) -> str:
    previous = queries.previous_visit(tx.conn, visit)
    since = previous.completed_at if previous and previous.completed_at else None
    rows = queries.tickets_of_customer(tx.conn, visit.customer_id, since=since)
    if not rows:
        return "无 none"
    return "; ".join(f"{r['key']} {r['title']} ({r['status']})" for r in rows)


def start_visit(ctx: Context, *, key: str) -> Visit:
    """The engineer is there: the checklist opens, and what xhsvc knows is filled in."""
    with ctx.writing() as tx:
        me = tx.me()
        visit = _load(tx, key)
        if visit.engineer_id is None and me.role in ("engineer", "expert"):
            _change(tx, visit, "assigned", {"engineer_id": me.id}, f"taken by {me.handle}")
        _require(tx, ("manager", "admin"), "visit start", visit)
        _require_status(visit, ("planned",), "visit start")
        _change(tx, visit, "started", {"status": "in_progress", "started_at": tx.now}, "visit started")
        for item in queries.items_of(tx.conn, visit.id):
            source = _spec(item).source
            if source == "tickets_since_last" and item.value is None:
                _set_item(tx, visit, item, _tickets_since_last(tx, visit), None, None)
            elif source == "review_period" and item.value is None:
                _set_item(tx, visit, item, review_month(visit.planned_for), None, None)
        return visit


def _set_item(
    tx: Tx, visit: Visit, item: VisitItem, value: str, result: str | None, note: str | None
) -> None:
    changes = {
        "value": value,
        "result": result,
        "note": note if note is not None else item.note,
        "recorded_at": tx.now,
        "recorded_by_id": tx.actor.id if tx.actor else None,
    }
    events.append(
        tx.conn,
        tx.origin,
        entity="visit_item",
        entity_id=item.id,
        kind="visit_item.recorded",
        payload={
            "set": changes,
            "summary": f"{visit.key} {item.item_key} = {value}" + (f" ({result})" if result else ""),
        },
    )
    for name, val in changes.items():
        setattr(item, name, val)


def _number(item: VisitItem | None) -> float | None:
    try:
        return float(item.value) if item is not None and item.value is not None else None
    except ValueError:
        return None


def _derive(tx: Tx, visit: Visit, items: dict[str, VisitItem]) -> None:
    """Items xhsvc works out from others: days until the backup capacity is full."""
    for item in items.values():
        if _spec(item).source != "days_until_full":
            continue
        section = item.section
        used, total, growth = (
            _number(items.get(f"{section}.{k}")) for k in ("used_tb", "total_tb", "growth_tb_month")
        )
        if used is None or total is None or growth is None:
            continue
        days = 99999 if growth <= 0 else max((total - used) / growth * 30, 0)
        value = str(round(days))
        if item.value != value:
            _set_item(tx, visit, item, value, number_result(_spec(item), days), None)


def _answer(
    visit: Visit, items: dict[str, VisitItem], key: str, value: Any
) -> tuple[VisitItem, str, str | None]:
    item = items.get(key)
    if item is None:
        known = ", ".join(items)
        raise InvalidInput(
            _("item {item!r}: not an item of visit {visit} ({template}); items: {known}").format(
                item=key, visit=visit.key, template=visit.template, known=known
            )
        )
    spec = _spec(item)
    if spec.source == "days_until_full":
        raise InvalidInput(
            _("item {item}: worked out by xhsvc from used_tb, total_tb and growth_tb_month").format(item=key)
        )
    compare = _number(items.get(spec.compare_to)) if spec.compare_to else None
    stored, result = judge(spec, str(value), compare=compare)
    return item, stored, result


def record_items(
    ctx: Context, *, key: str, answers: dict[str, Any], notes: dict[str, str] | None = None
) -> Visit:
    """Record answers (all checked first: one bad answer and nothing is written)."""
    checked_notes = {
        key: text_value(note, _("note of {item}").format(item=key), limit=MULTI_LINE, multiline=True)
        for key, note in (notes or {}).items()
    }
    notes = {key: note for key, note in checked_notes.items() if note is not None}
    with ctx.writing() as tx:
        visit = _load(tx, key)
        _require(tx, ("manager", "admin"), "visit record", visit)
        _require_status(visit, ("in_progress",), "visit record")
        items = {i.item_key: i for i in queries.items_of(tx.conn, visit.id)}
        for note_key in notes:
            if note_key not in items:
                raise InvalidInput(
                    _("notes: {item!r} is not an item of visit {visit}").format(
                        item=note_key, visit=visit.key
                    )
                )
        # Compared items (recovery time against its target) read the target from this batch too.
        pending = {k: str(v) for k, v in answers.items()}
        checked = []
        for item_key, value in pending.items():
            target = items.get(item_key)
            spec = _spec(target) if target else None
            if spec and spec.compare_to and spec.compare_to in pending:
                compare = float(pending[spec.compare_to]) if _is_number(pending[spec.compare_to]) else None
                stored, result = judge(spec, value, compare=compare)
                checked.append((target, stored, result))
            else:
                checked.append(_answer(visit, items, item_key, value))
        for item, stored, result in checked:
            _set_item(tx, visit, item, stored, result, notes.get(item.item_key))
        for item_key, note in notes.items():
            if item_key not in answers:
                item = items[item_key]
                if item.value is None:
                    raise InvalidInput(
                        _("notes: {item} has no value yet; give its value too").format(item=item_key)
                    )
                _set_item(tx, visit, item, item.value, item.result, note)
        _derive(tx, visit, items)
        return visit


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_answers(text: str, *, source: str) -> tuple[dict[str, Any], dict[str, str]]:
    """An answers file prepared offline: `"firmware.controller" = "fail"`, notes in [notes]."""
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InvalidInput(_("{source}: not valid TOML: {error}").format(source=source, error=e)) from None
    notes = data.pop("notes", {})
    if not isinstance(notes, dict):
        raise InvalidInput(_('{source}: [notes] must be a table of item = "note"').format(source=source))
    answers: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            # A table per section is accepted too: [firmware] controller = "fail".
            for sub, inner in value.items():
                answers[f"{key}.{sub}"] = inner
        else:
            answers[key] = value
    return answers, {str(k): str(v) for k, v in notes.items()}


# Completing ------------------------------------------------------------------------------------


@dataclass
class Completed:
    visit: Visit
    findings: list[dict[str, Any]]
    tickets: list[str]
    beyond_grant: bool


def complete_visit(
    ctx: Context, *, key: str, summary: str | None = None, open_tickets: list[str] | None = None
) -> Completed:
    """Close the checklist: refused while a required item is empty. Failed and warning items become
    findings; `open_tickets` (item ids, or ["all"]) opens a follow-up ticket for those findings.
    The visit uses the contract's entitlement (beyond the grant only with a manager)."""
    with ctx.writing() as tx:
        visit = _load(tx, key)
        _require(tx, ("manager", "admin"), "visit complete", visit)
        _require_status(visit, ("in_progress",), "visit complete")
        items = queries.items_of(tx.conn, visit.id)
        missing = [i.item_key for i in items if i.required and i.value is None]
        if missing:
            raise NotAllowed(
                _("visit complete: {visit} still needs {items}").format(
                    visit=visit.key, items=", ".join(missing)
                )
            )
        flagged = [i for i in items if i.result in ("warn", "fail")]
        wanted = set(open_tickets or [])
        if wanted - {"all"} - {i.item_key for i in flagged}:
            unknown = sorted(wanted - {"all"} - {i.item_key for i in flagged})
            raise InvalidInput(
                _("open-tickets: {items} is not a failed or warning item of {visit}").format(
                    items=", ".join(unknown), visit=visit.key
                )
            )
        beyond = False
        contract = queries.get_contract(tx.conn, visit.contract_id) if visit.contract_id else None
        if contract is not None and visit.kind in USES:
            beyond = record_use(
                tx,
                contract,
                kind=USES[visit.kind],
                quantity=visit.quantity,
                day=local_today(ctx),
                note=f"visit {visit.key}",
                action="visit complete",
                term_on=visit.planned_for,
            )
        text = text_value(summary, "summary", limit=5000, multiline=True)
        _change(
            tx,
            visit,
            "completed",
            {"status": "completed", "completed_at": tx.now, "summary": text},
            "visit completed",
        )
        customer = queries.get_customer(tx.conn, visit.customer_id)
        assert customer is not None
        findings = []
        opened = []
        for item in flagged:
            spec = _spec(item)
            finding_id = new_id()
            row = {
                "visit_id": visit.id,
                "item_key": item.item_key,
                "severity": item.result,
                "text": f"{item.label}: {item.value}{' ' + item.unit if item.unit else ''}"
                + (f" ({item.note})" if item.note else ""),
                "recommendation": spec.recommendation,
                "ticket_id": None,
                "created_at": tx.now,
            }
            events.append(
                tx.conn,
                tx.origin,
                entity="finding",
                entity_id=finding_id,
                kind="finding.recorded",
                payload={"create": row, "summary": f"{visit.key} finding {item.item_key} ({item.result})"},
            )
            ticket_key = None
            if "all" in wanted or item.item_key in wanted:
                follow_up = tickets.create_ticket(
                    tx,
                    ctx,
                    customer=customer,
                    site_id=visit.site_id,
                    title=f"巡检发现 {item.label}"[:300]
                    if visit.kind == "inspection"
                    else f"{visit.title}: {item.label}"[:300],
                    description=f"{row['text']}\n建议 Recommendation: {spec.recommendation or '-'}\n"
                    f"来自 From visit {visit.key} item {item.item_key}",
                    impact=2 if item.result == "fail" else 3,
                    urgency=3,
                    service="maintenance",
                    channel="other",
                )
                ticket_key = follow_up.ticket.key
                events.append(
                    tx.conn,
                    tx.origin,
                    entity="finding",
                    entity_id=finding_id,
                    ticket_id=follow_up.ticket.id,
                    kind="finding.ticket_opened",
                    payload={
                        "set": {"ticket_id": follow_up.ticket.id},
                        **said(N_("follow-up {key} opened"), key=ticket_key),
                    },
                )
                opened.append(ticket_key)
            findings.append({**row, "ticket": ticket_key})
        return Completed(visit=visit, findings=findings, tickets=opened, beyond_grant=beyond)


# Reading ---------------------------------------------------------------------------------------


def _views(tx: Tx, visits: list[Visit], today: date) -> list[dict[str, Any]]:
    customers = queries.customers_by_id(tx.conn, [v.customer_id for v in visits])
    handles = queries.handles_by_id(tx.conn, [v.engineer_id for v in visits])
    sites = queries.sites_by_id(tx.conn, [v.site_id for v in visits])
    contracts = {v.contract_id: queries.get_contract(tx.conn, v.contract_id) for v in visits if v.contract_id}
    return [
        {
            "key": v.key,
            "kind": v.kind,
            "status": v.status,
            "overdue": v.status in OPEN_STATES and v.planned_for < today,
            "planned_for": v.planned_for,
            "customer": customers[v.customer_id].name,
            "site": sites[v.site_id].name if v.site_id in sites else None,
            "contract": contracts[v.contract_id].number
            if v.contract_id and contracts.get(v.contract_id)
            else None,
            "engineer": handles.get(v.engineer_id or ""),
            "template": v.template,
            "days": v.quantity,
            "completed_at": v.completed_at,
        }
        for v in visits
    ]


def list_visits(
    ctx: Context,
    *,
    status: str | None = None,
    customer: str | None = None,
    engineer: str | None = None,
    overdue: bool = False,
    within: str | None = None,
) -> list[dict[str, Any]]:
    status = one_of(status, STATES, "status") if status is not None else None
    today = local_today(ctx)
    until = today + timedelta(days=parse_within(within)) if within else None
    with ctx.reading() as tx:
        customer_id = find_customer(tx, customer).id if customer else None
        engineer_id = None
        if engineer:
            person = queries.get_person(tx.conn, engineer)
            if person is None:
                raise NotFound(_("engineer {engineer!r} not found").format(engineer=engineer))
            engineer_id = person.id
        visits = queries.list_visits(
            tx.conn,
            statuses=[status] if status else (list(OPEN_STATES) if (overdue or until) else None),
            customer_id=customer_id,
            engineer_id=engineer_id,
            until=until,
        )
        rows = _views(tx, visits, today)
    return [r for r in rows if not overdue or r["overdue"]]


def due_visits(ctx: Context, *, within: str) -> list[dict[str, Any]]:
    """Open visits due within `within` days, and those already overdue (for a nightly job)."""
    return list_visits(ctx, within=within)


def show_visit(ctx: Context, *, key: str) -> dict[str, Any]:
    today = local_today(ctx)
    with ctx.reading() as tx:
        visit = queries.get_visit(tx.conn, key)
        if visit is None:
            raise NotFound(_("visit {key!r} not found").format(key=key))
        view = _views(tx, [visit], today)[0]
        items = queries.items_of(tx.conn, visit.id)
        handles = queries.handles_by_id(tx.conn, [i.recorded_by_id for i in items])
        findings = queries.findings_of(tx.conn, visit.id)
        ticket_keys = {f.ticket_id: queries.get_ticket(tx.conn, f.ticket_id) for f in findings if f.ticket_id}
    positions = {item.item_key: item.position for item in items}
    out_items = []
    for item in items:
        spec = _spec(item)
        out_items.append(
            {
                "id": item.item_key,
                "section": item.section,
                "label": item.label,
                "kind": item.kind,
                "required": item.required,
                "unit": item.unit,
                "choices": list(spec.choices),
                "thresholds": spec.thresholds,
                "compare_to": spec.compare_to,
                "filled_by_xhsvc": spec.source is not None,
                "value": item.value,
                "result": item.result,
                "note": item.note,
                "recorded_by": handles.get(item.recorded_by_id or ""),
                "recorded_at": item.recorded_at,
            }
        )
    try:
        titles = dict(load_template(visit.template).sections)
    except NotFound:  # the template was removed since: its keys still name the sections
        titles = {}
    return {
        **view,
        "sections": {item["section"]: titles.get(item["section"], item["section"]) for item in out_items},
        "title": visit.title,
        "started_at": visit.started_at,
        "summary": visit.summary,
        "cancel_reason": visit.cancel_reason,
        "items": out_items,
        "findings": [
            {
                "item": f.item_key,
                "severity": f.severity,
                "text": f.text,
                "recommendation": f.recommendation,
                "ticket": ticket_keys[f.ticket_id].key
                if f.ticket_id and ticket_keys.get(f.ticket_id)
                else None,
            }
            for f in sorted(findings, key=lambda f: (f.severity != "fail", positions.get(f.item_key, 0)))
        ],
    }


def previous_completed(ctx: Context, *, key: str) -> dict[str, Any] | None:
    """The same customer's last completed visit of the same kind before this one."""
    with ctx.reading() as tx:
        visit = queries.get_visit(tx.conn, key)
        if visit is None:
            raise NotFound(_("visit {key!r} not found").format(key=key))
        previous = queries.previous_visit(tx.conn, visit)
    return show_visit(ctx, key=previous.key) if previous else None
