"""The SLA sweep: what the nightly (or every-minute) job runs, and `rules explain`.

It reads only the tickets whose next check has come (an indexed column), marks breached clocks,
fires each matching rule at most once per ticket and clock cycle, records each firing as an event
with what it did, and schedules the ticket's next check. A page of due tickets is one short
transaction, read with a handful of queries and written with a handful of statements (the events
of breaches, firings and notices appended together), so a sweep of thousands of due tickets takes
seconds and runs beside the TUI and the CLI.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from xhsvc.core import approvals, sla, tickets
from xhsvc.core.calendars import Calendar, MissingHolidays, load_calendar, missing_holidays
from xhsvc.core.catalog import CONSULTATION
from xhsvc.core.context import Context, Tx
from xhsvc.core.contracts import today_of
from xhsvc.core.people import SYSTEM_HANDLE, TIERS, ensure_system_person
from xhsvc.core.rules import Facts, Rule, RuleSet, conditions_hold, load_rules, unmet_conditions
from xhsvc.core.said import english, part, said, said_again
from xhsvc.core.sync import require_center
from xhsvc.errors import Conflict, InvalidInput, NotFound
from xhsvc.i18n import N_, _
from xhsvc.store import events, queries
from xhsvc.store.ids import new_id
from xhsvc.store.tables import Customer, Person, RuleFiring, Site, SlaClock, Ticket

# Due tickets checked in one transaction: read with a few queries, written with a few statements.
# Small enough that the TUI and the CLI wait for it no longer than for a command.
PAGE = 500
# Actions that append at once and change what other rules see (the others wait for the page's end).
IMMEDIATE = frozenset({"raise_priority", "mark_major", "escalate"})
# How far ahead of the clock a sweep may be run without --force (clocks of two machines differ).
FUTURE_MARGIN_SECONDS = 600


@dataclass
class Firing:
    ticket: str
    rule: str
    title: str
    trigger: str
    cycle: int
    actions: list[str] = field(default_factory=list)
    # The actions as sentences (said.part), to say them in the interface's language.
    told: list[dict[str, Any]] = field(default_factory=list, repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ticket": self.ticket,
            "rule": self.rule,
            "title": self.title,
            "trigger": self.trigger,
            "cycle": self.cycle,
            "actions": self.actions,
        }


@dataclass
class SweepResult:
    now: datetime
    dry_run: bool
    checked: int = 0
    fired: list[Firing] = field(default_factory=list)
    breached: list[dict[str, Any]] = field(default_factory=list)
    # Calendars without public holidays for a year ahead: their clocks count every weekday there.
    missing_holidays: list[MissingHolidays] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "now": self.now,
            "dry_run": self.dry_run,
            "checked": self.checked,
            "fired": [f.as_dict() for f in self.fired],
            "breached": self.breached,
            "missing_holidays": [m.as_dict() for m in self.missing_holidays],
        }


def _facts(ticket: Ticket, customer: Customer | None, site: Site | None) -> Facts:
    return Facts(
        priority=ticket.priority,
        status=ticket.status,
        tier=ticket.tier,
        level=ticket.sla_level,
        service=ticket.service,
        channel=ticket.channel,
        customer=customer.name if customer else "",
        region=(site.region if site and site.region else None) or (customer.region if customer else None),
        major=ticket.major,
    )


def _running_clocks(clocks: list[SlaClock], ticket: Ticket) -> dict[str, SlaClock]:
    """The ticket's running clock of each target in its current cycle (the last one started)."""
    running = {}
    for clock in clocks:
        if clock.cycle == ticket.sla_cycle and clock.stopped_at is None:
            running[clock.target] = clock
    return running


@dataclass
class _Verdict:
    rule: Rule
    fires: bool
    # Why, for a rule without a running clock.
    reason: str = ""
    # The facts a rule's conditions did not hold for: why, worded only when asked.
    unmet: Facts | None = None
    # A rule on a running clock: the clock, the calendar it counts on, the working minutes the
    # rule waits for and those gone by (`fires_at` makes an instant of them while it waits).
    clock: SlaClock | None = None
    calendar: Calendar | None = None
    need: float | None = None
    elapsed: float | None = None
    paused: bool = False

    @property
    def told(self) -> dict[str, Any]:
        """Why, as a sentence the firing's history says again in the reader's language (worded
        only when asked: the sweep judges seven rules per ticket and words only those that fire)."""
        if self.clock is None or self.elapsed is None:
            if self.fires:
                return part(N_("conditions hold"))
            reason = "; ".join(unmet_conditions(self.rule, self.unmet)) if self.unmet else self.reason
            return part("{reason}", reason=reason)
        budget = self.clock.budget_min
        share = f"{self.elapsed / budget:.0%}" if budget else "n/a"
        if self.fires:
            return part(N_("{target} clock at {share} of its time"), target=self.rule.clock, share=share)
        if self.paused:
            return part(N_("{target} clock paused at {share}"), target=self.rule.clock, share=share)
        return part(N_("{target} clock at {share}"), target=self.rule.clock, share=share)

    @property
    def why(self) -> str:
        return english(self.told)

    def fires_at(self) -> datetime | None:
        if self.fires or self.paused or self.clock is None or self.calendar is None or self.need is None:
            return None
        return self.calendar.add_minutes(self.clock.started_at, self.need + self.clock.paused_min)


class _Judge:
    """Judges rules against tickets at one moment; calendars and elapsed times are worked out
    once per sweep and clock, not once per rule (seven rules ask about the same two clocks)."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.calendars: dict[str, Calendar] = {}
        self.elapsed: dict[tuple[str, float, datetime], float] = {}

    def calendar(self, name: str) -> Calendar:
        if name not in self.calendars:
            self.calendars[name] = load_calendar(name)
        return self.calendars[name]

    def elapsed_of(self, clock: SlaClock) -> float:
        key = (clock.id, clock.paused_min, clock.due_at)
        if key not in self.elapsed:
            self.elapsed[key] = sla.elapsed_minutes(clock, self.now, calendar=self.calendar(clock.calendar))
        return self.elapsed[key]

    def __call__(self, rule: Rule, facts: Facts, running: dict[str, SlaClock]) -> _Verdict:
        """How `rule` stands for a ticket of these facts and running clocks (`_running_clocks`)."""
        if not conditions_hold(rule, facts):
            return _Verdict(rule, False, unmet=facts)
        if rule.clock is None:
            return _Verdict(rule, True, "conditions hold")
        clock = running.get(rule.clock)
        if clock is None:
            return _Verdict(rule, False, f"no running {rule.clock} clock")
        calendar = self.calendar(clock.calendar)
        need = rule.threshold_minutes(clock.budget_min, calendar.day_minutes)
        elapsed = self.elapsed_of(clock)
        fires = elapsed + 1e-6 >= need
        paused = not fires and sla.pause_counts(clock)
        return _Verdict(
            rule, fires, clock=clock, calendar=calendar, need=need, elapsed=elapsed, paused=paused
        )


@dataclass
class _Page:
    """What the sweep reads for a page of due tickets in one go, and what it writes in one go."""

    clocks: dict[str, list[SlaClock]]
    firings: dict[str, list[RuleFiring]]
    customers: dict[str, Customer]
    sites: dict[str, Site]
    deferred: events.Deferred
    schedule: list[tuple[str, datetime | None]] = field(default_factory=list)
    people_with_role: dict[str, list[Person]] = field(default_factory=dict)
    people: dict[str, Person | None] = field(default_factory=dict)

    @classmethod
    def read(cls, tx: Tx, tickets_: list[Ticket]) -> _Page:
        ids = [t.id for t in tickets_]
        return cls(
            clocks=queries.clocks_of(tx.conn, ids),
            firings=queries.firings_of_tickets(tx.conn, ids),
            customers=queries.customers_by_id(tx.conn, [t.customer_id for t in tickets_]),
            sites=queries.sites_by_id(tx.conn, [t.site_id for t in tickets_]),
            deferred=events.Deferred(tx.conn, tx.origin),
        )

    def facts(self, ticket: Ticket) -> Facts:
        site = self.sites.get(ticket.site_id) if ticket.site_id else None
        return _facts(ticket, self.customers.get(ticket.customer_id), site)

    def person(self, tx: Tx, handle_or_id: str) -> Person | None:
        if handle_or_id not in self.people:
            self.people[handle_or_id] = queries.get_person(tx.conn, handle_or_id)
        return self.people[handle_or_id]

    def role(self, tx: Tx, role: str) -> list[Person]:
        if role not in self.people_with_role:
            self.people_with_role[role] = queries.list_people(tx.conn, role=role)
        return self.people_with_role[role]


def _recipients(tx: Tx, page: _Page, ticket: Ticket, spec: tuple[str, ...]) -> list[Person]:
    people: list[Person] = []
    for item in spec:
        if item == "assignee":
            person = page.person(tx, ticket.assignee_id) if ticket.assignee_id else None
            people += [person] if person else []
        elif item.startswith("role:"):
            people += page.role(tx, item[5:])
        elif item.startswith("person:"):
            person = page.person(tx, item[7:])
            people += [person] if person else []
    return people


def _escalation_blocked(tx: Tx, ticket: Ticket, rule: Rule) -> bool:
    target = rule.do.get("escalate")
    return (
        target is not None
        and TIERS.index(target) > TIERS.index(ticket.tier)
        and queries.pending_approval(tx.conn, ticket.id) is not None
    )


def _act(tx: Tx, ctx: Context, page: _Page, ticket: Ticket, rule: Rule, why: str) -> list[dict[str, Any]]:
    """Do what the rule says; what was done, as sentences (`said.part`)."""
    done: list[dict[str, Any]] = []
    do = rule.do
    if IMMEDIATE & do.keys():
        # These append at once and read back what they wrote: what waits goes first.
        page.deferred.flush()
    if "note" in do:
        note = tickets.ticket_change(tx, ticket, "commented", {}, do["note"], text=do["note"], rule=rule.id)
        page.deferred.add([note])
        done.append(part(N_("note: {note}"), note=do["note"]))
    # A consultation is never a major incident (nothing is broken): impact 2 is as high as it goes.
    consultation = ticket.service == CONSULTATION
    if do.get("raise_priority"):
        if ticket.urgency > 1 or ticket.impact > (2 if consultation else 1):
            impact, urgency = (
                (ticket.impact, ticket.urgency - 1) if ticket.urgency > 1 else (ticket.impact - 1, 1)
            )
            tickets.set_priority(tx, ctx, ticket, impact=impact, urgency=urgency, why=f"rule {rule.id}")
            done.append(part(N_("priority raised to {priority}"), priority=ticket.priority))
        else:
            done.append(part(N_("priority already the highest")))
    if do.get("mark_major") and not ticket.major and consultation:
        done.append(part(N_("not marked major: a consultation")))
    elif do.get("mark_major") and not ticket.major:
        tickets.record_change(
            tx,
            ticket,
            "marked_major",
            {"major": True},
            said(N_("major incident (rule {rule})"), rule=rule.id),
        )
        tickets.notify_people(
            tx,
            page.role(tx, "manager"),
            reason="major_incident",
            ticket=ticket,
            message=_("now a major incident ({rule}): {title}").format(rule=rule.title, title=ticket.title),
        )
        done.append(part(N_("marked major")))
    if "escalate" in do:
        target = do["escalate"]
        if TIERS.index(target) <= TIERS.index(ticket.tier):
            done.append(part(N_("escalation skipped: already at {tier}"), tier=ticket.tier))
        elif queries.pending_approval(tx.conn, ticket.id) is not None:
            done.append(part(N_("escalation skipped: a request is already waiting")))
        else:
            approvals.request_decision(
                tx,
                ticket,
                kind="escalation",
                reason=_("{title} (rule {rule})").format(title=rule.title, rule=rule.id),
                target_tier=target,
            )
            done.append(part(N_("escalation to {tier} requested"), tier=target))
    if "notify" in do:
        changes, sent = tickets.notices(
            tx,
            _recipients(tx, page, ticket, do["notify"]),
            reason="sla_rule",
            ticket=ticket,
            message=_("{rule} ({why}): {title}").format(rule=rule.title, why=why, title=ticket.title),
        )
        page.deferred.add(changes)
        done.append(
            part(N_("notified {people}"), people=", ".join(sent)) if sent else part(N_("notified nobody"))
        )
    return done


def _check_ticket(
    tx: Tx,
    ctx: Context,
    page: _Page,
    ticket: Ticket,
    rules: RuleSet,
    judge: _Judge,
    result: SweepResult,
    *,
    apply: bool,
) -> None:
    now = judge.now
    clocks = page.clocks[ticket.id]
    fired = {f.rule_id for f in page.firings[ticket.id] if f.cycle == ticket.sla_cycle}
    upcoming: list[datetime] = []
    for clock in clocks:
        if clock.stopped_at is not None or sla.pause_counts(clock):
            continue
        if clock.due_at <= now:
            if clock.breached_at is None:
                result.breached.append({"ticket": ticket.key, "clock": clock.target, "due_at": clock.due_at})
                page.deferred.add(
                    [
                        events.Change(
                            entity="sla_clock",
                            entity_id=clock.id,
                            ticket_id=ticket.id,
                            kind="sla_clock.breached",
                            payload={
                                "set": {"breached_at": clock.due_at},
                                **said(N_("{target} target breached"), target=clock.target),
                            },
                        )
                    ]
                )
        else:
            upcoming.append(clock.due_at)
    facts = page.facts(ticket)
    running = _running_clocks(clocks, ticket)
    # The rule that waits the least on each clock: only its time is worked out (a calendar walk).
    soonest: dict[str, _Verdict] = {}
    for rule in rules.rules:
        if rule.id in fired:
            continue
        verdict = judge(rule, facts, running)
        if not verdict.fires:
            if verdict.clock is not None and verdict.need is not None and not verdict.paused:
                known = soonest.get(verdict.clock.id)
                if known is None or known.need is None or verdict.need < known.need:
                    soonest[verdict.clock.id] = verdict
            continue
        if _escalation_blocked(tx, ticket, rule):
            # Not now, and not used up: it fires once the pending request is decided (a decision
            # reschedules the ticket's check).
            continue
        firing = Firing(ticket.key, rule.id, rule.title, rule.describe_trigger(), ticket.sla_cycle)
        if apply:
            done = _act(tx, ctx, page, ticket, rule, said_again([verdict.told]))
            firing.actions = [english(action) for action in done]
            firing.told = done
            page.deferred.add(
                [
                    events.Change(
                        entity="rule_firing",
                        entity_id=new_id(),
                        ticket_id=ticket.id,
                        kind="rule.fired",
                        payload={
                            "create": {
                                "rule_id": rule.id,
                                "ticket_id": ticket.id,
                                "cycle": ticket.sla_cycle,
                                "fired_at": now,
                                "actions": json.dumps(firing.actions, ensure_ascii=False),
                            },
                            **said(
                                N_("rule {rule} fired ({why}): {actions}"),
                                rule=rule.id,
                                why=verdict.told,
                                actions=done,
                            ),
                        },
                    )
                ]
            )
            if IMMEDIATE & rule.do.keys():
                # An action may change what other rules see (priority, major): look again at once.
                facts = page.facts(ticket)
                clocks = page.clocks[ticket.id] = queries.clocks_of(tx.conn, [ticket.id])[ticket.id]
                running = _running_clocks(clocks, ticket)
        result.fired.append(firing)
    upcoming += [at for verdict in soonest.values() if (at := verdict.fires_at()) is not None]
    active = ticket.status in tickets.ACTIVE
    page.schedule.append((ticket.id, min(upcoming) if upcoming and active else None))


def _check_page(
    ctx: Context,
    sweeper: Context,
    ids: list[str],
    rules: RuleSet,
    judge: _Judge,
    result: SweepResult,
    *,
    dry_run: bool,
) -> None:
    """Check a page of due tickets in one transaction: read together, written together."""
    # A dry run writes nothing, not even the sweep's own identity: it reads as the caller.
    opener = ctx.reading if dry_run else sweeper.writing
    with opener() as tx:
        due = [
            t
            for t in queries.tickets_by_id(tx.conn, ids, for_update=not dry_run)
            if t.status in tickets.ACTIVE
        ]
        page = _Page.read(tx, due)
        order = {tid: i for i, tid in enumerate(ids)}
        for ticket in sorted(due, key=lambda t: order[t.id]):
            _check_ticket(tx, sweeper, page, ticket, rules, judge, result, apply=not dry_run)
        if not dry_run:
            page.deferred.flush()
            events.schedule_checks(tx.conn, page.schedule)


def sweep(
    ctx: Context, *, now: datetime | None = None, dry_run: bool = False, force: bool = False
) -> SweepResult:
    """Evaluate every ticket whose next check has come; safe to run every minute from cron.

    A sweep as of a time ahead of the clock writes breaches, escalations and notifications that
    cannot be undone: beyond a few minutes it is refused unless `force` (a dry run may look)."""
    moment = now or ctx.now()
    ahead = (moment - ctx.now()).total_seconds()
    if ahead > FUTURE_MARGIN_SECONDS and not dry_run and not force:
        raise InvalidInput(
            _(
                "now {now:%Y-%m-%d %H:%M} UTC: {hours:.1f} h ahead of the clock; a sweep writes "
                "breaches and notifications that cannot be undone: use --dry-run to look, --force to write"
            ).format(now=moment, hours=ahead / 3600)
        )
    if not dry_run:
        with ctx.reading() as tx:
            require_center(tx, "sla sweep")
    rules = load_rules()
    result = SweepResult(now=moment, dry_run=dry_run)
    result.missing_holidays = missing_holidays(today=today_of(ctx, moment))
    sweeper = replace(ctx, actor_handle=SYSTEM_HANDLE, clock=lambda: moment, system=True)
    if not dry_run:
        ensure_system_person(sweeper)
    # Keyset pages: a checked ticket is rescheduled later than `moment` (a dry run leaves it),
    # so paging on (next check, id) visits each due ticket once either way.
    after: tuple[datetime, str] | None = None
    judge = _Judge(moment)
    while True:
        with ctx.reading() as tx:
            listed = queries.tickets_to_check(tx.conn, now=moment, limit=PAGE, after=after)
        if not listed:
            return result
        after = listed[-1]
        ids = [ticket_id for _next_check, ticket_id in listed]
        result.checked += len(ids)
        fired, breached = len(result.fired), len(result.breached)
        try:
            _check_page(ctx, sweeper, ids, rules, judge, result, dry_run=dry_run)
        except Conflict:
            # Another sweep fired a rule of this page first; its firings stand, this page rolled
            # back: check its tickets again one by one, each in its own transaction.
            del result.fired[fired:], result.breached[breached:]
            for ticket_id in ids:
                try:
                    _check_page(ctx, sweeper, [ticket_id], rules, judge, result, dry_run=dry_run)
                except Conflict:
                    continue


def explain(ctx: Context, *, key: str, now: datetime | None = None) -> dict[str, Any]:
    """Which rules match this ticket now and why (not), which fired, and when the others will."""
    moment = now or ctx.now()
    rules = load_rules()
    judge = _Judge(moment)
    with ctx.reading() as tx:
        ticket = queries.get_ticket(tx.conn, key)
        if ticket is None:
            raise NotFound(_("ticket {key!r} not found").format(key=key))
        clocks = queries.clocks_of(tx.conn, [ticket.id])[ticket.id]
        firings = queries.firings_of(tx.conn, ticket.id)
        customer = queries.get_customer(tx.conn, ticket.customer_id)
        site = queries.get_site_by_id(tx.conn, ticket.site_id) if ticket.site_id else None
        facts = _facts(ticket, customer, site)
    fired = {(f.rule_id, f.cycle): f for f in firings}
    running = _running_clocks(clocks, ticket)
    rows = []
    for rule in rules.rules:
        verdict = judge(rule, facts, running)
        done = fired.get((rule.id, ticket.sla_cycle))
        rows.append(
            {
                "rule": rule.id,
                "title": rule.title,
                "trigger": rule.describe_trigger(),
                "matches": not unmet_conditions(rule, facts),
                "due_now": verdict.fires,
                "why": verdict.why,
                "fires_at": verdict.fires_at(),
                "fired_at": done.fired_at if done else None,
                "actions": json.loads(done.actions) if done else [],
            }
        )
    return {
        "ticket": ticket.key,
        "cycle": ticket.sla_cycle,
        "rules_file": rules.source,
        "now": moment,
        "next_check_at": ticket.next_check_at,
        "rules": rows,
        "earlier_cycles": [
            {"rule": f.rule_id, "cycle": f.cycle, "fired_at": f.fired_at}
            for f in firings
            if f.cycle != ticket.sla_cycle
        ],
        "clocks": sla.clock_views(clocks, moment, cycle=ticket.sla_cycle),
    }
