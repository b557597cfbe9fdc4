"""SLA clocks: each ticket's response, on-site arrival and resolution targets, in working time.

A clock starts (at the call, or when on-site work is approved), may pause while the ticket waits on
the customer, and stops when the target is met. Its due time is its start plus the level's target plus
the time it was paused, counted in the level's calendar (7x24, or business hours with holidays).
Every change of a clock is an event, like any other change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from xhsvc.core.calendars import Calendar, load_calendar
from xhsvc.core.context import Context, Tx
from xhsvc.core.countdown import WARNING_SHARE
from xhsvc.core.durations import parse_duration, spell_target
from xhsvc.core.levels import PRIORITIES, ServiceLevel, get_level, load_levels
from xhsvc.core.said import said
from xhsvc.core.text import one_of
from xhsvc.errors import InvalidInput
from xhsvc.i18n import N_, _
from xhsvc.store import events, queries
from xhsvc.store.ids import new_id
from xhsvc.store.tables import SlaClock, Ticket

TARGETS = ("response", "onsite", "resolution")
# The level that applies to a call no contract covers (best effort, business hours).
DEFAULT_OUT_OF_CONTRACT_LEVEL = "basic"
DEFAULT_MAX_BACKDATE = "3d"


def calendar_for(level: ServiceLevel) -> Calendar:
    return load_calendar(level.calendar_name)


def out_of_contract_level(ctx: Context) -> str:
    return str(ctx.settings.extra.get("sla", {}).get("out_of_contract_level", DEFAULT_OUT_OF_CONTRACT_LEVEL))


def level_of(ticket: Ticket) -> ServiceLevel | None:
    return load_levels().get(ticket.sla_level or "")


def _budget(level: ServiceLevel, priority: str, target: str, calendar: Calendar) -> int:
    return level.targets[priority][target].in_minutes(calendar.day_minutes)


# Lifecycle (called by the ticket flow, inside its transaction) --------------------------------


def _clock_event(tx: Tx, ticket: Ticket, clock_id: str, kind: str, payload: dict[str, Any]) -> None:
    events.append(
        tx.conn,
        tx.origin,
        entity="sla_clock",
        entity_id=clock_id,
        ticket_id=ticket.id,
        kind=f"sla_clock.{kind}",
        payload=payload,
    )
    events.refresh_next_due(tx.conn, ticket.id)


def start_clock(tx: Tx, ticket: Ticket, target: str, *, at: datetime) -> SlaClock | None:
    level = level_of(ticket)
    if level is None:
        return None
    calendar = calendar_for(level)
    budget = _budget(level, ticket.priority, target, calendar)
    row = {
        "ticket_id": ticket.id,
        "target": target,
        "cycle": ticket.sla_cycle,
        "calendar": calendar.name,
        "budget_min": budget,
        "started_at": at,
        "paused_min": 0.0,
        "paused_since": None,
        "due_at": calendar.add_minutes(at, budget),
        "stopped_at": None,
        "outcome": None,
        "breached_at": None,
    }
    clock_id = new_id()
    due_local = row["due_at"].astimezone(calendar.zone).strftime("%Y-%m-%d %H:%M")
    missing = calendar.missing_years_between(at, row["due_at"])
    summary = (
        said(
            N_("{target} clock started, due {due} ({calendar}); no public holidays known for {years}: weekdays counted"),
            target=target, due=due_local, calendar=calendar.name, years=", ".join(map(str, missing)),
        )
        if missing
        else said(N_("{target} clock started, due {due} ({calendar})"), target=target, due=due_local, calendar=calendar.name)
    )  # fmt: skip
    _clock_event(tx, ticket, clock_id, "started", {"create": row, **summary})
    return SlaClock(id=clock_id, **row)


def running_clocks(tx: Tx, ticket: Ticket) -> list[SlaClock]:
    return [c for c in queries.clocks_of(tx.conn, [ticket.id]).get(ticket.id, []) if c.stopped_at is None]


def pause_counts(clock: SlaClock) -> bool:
    """A pause stops a clock only if it began before the clock fell due: waiting on the customer
    does not undo a target already missed, so a late clock keeps counting and keeps its due time."""
    return clock.paused_since is not None and clock.paused_since < clock.due_at


def _end_pause(clock: SlaClock, at: datetime) -> dict[str, Any]:
    """The changes that end a clock's pause at `at`: a pause that counts moves the due time by
    its working minutes; one that began after the due time moves nothing."""
    if not pause_counts(clock):
        return {"paused_since": None}
    calendar = load_calendar(clock.calendar)
    paused = clock.paused_min + calendar.minutes_between(clock.paused_since, at)
    due = calendar.add_minutes(clock.started_at, clock.budget_min + paused)
    return {"paused_since": None, "paused_min": paused, "due_at": due}


def stop_clock(tx: Tx, ticket: Ticket, target: str, *, at: datetime, cancel: bool = False) -> None:
    for clock in running_clocks(tx, ticket):
        if clock.target != target:
            continue
        changes: dict[str, Any] = {"stopped_at": at}
        if clock.paused_since is not None:
            # Stopped while paused: a pause that counts so far moves the due time with it.
            changes.update(_end_pause(clock, at))
        due = changes.get("due_at", clock.due_at)
        if cancel:
            changes["outcome"] = "cancelled"
            summary = said(N_("{target} clock cancelled"), target=target)
        elif at <= due:
            changes["outcome"] = "met"
            summary = said(N_("{target} target met"), target=target)
        else:
            changes["outcome"] = "late"
            changes["breached_at"] = due
            # Said in the calendar's zone, as the clock's start was: history reads in local time.
            due_local = due.astimezone(load_calendar(clock.calendar).zone).strftime("%Y-%m-%d %H:%M")
            summary = said(N_("{target} target missed (due {due})"), target=target, due=due_local)
        _clock_event(tx, ticket, clock.id, "stopped", {"set": changes, **summary})


def stop_all(tx: Tx, ticket: Ticket, *, at: datetime) -> None:
    for clock in running_clocks(tx, ticket):
        stop_clock(tx, ticket, clock.target, at=at, cancel=True)


def pause_clocks(tx: Tx, ticket: Ticket, *, at: datetime) -> None:
    for clock in running_clocks(tx, ticket):
        if clock.paused_since is None:
            summary = said(
                N_("{target} clock paused")
                if at < clock.due_at
                else N_("{target} clock already late: it keeps counting while the ticket waits"),
                target=clock.target,
            )
            _clock_event(tx, ticket, clock.id, "paused", {"set": {"paused_since": at}, **summary})


def resume_clocks(tx: Tx, ticket: Ticket, *, at: datetime) -> None:
    for clock in running_clocks(tx, ticket):
        if clock.paused_since is None:
            continue
        changes = _end_pause(clock, at)
        paused = changes.get("paused_min", clock.paused_min)
        calendar = load_calendar(clock.calendar)
        summary = (
            said(
                N_("{target} clock resumed; paused {paused} in all"),
                target=clock.target,
                paused=spell_target(round(paused), calendar.day_minutes),
            )
            if "due_at" in changes
            else said(
                N_("{target} clock resumed; it was late before the pause, its due time stays"),
                target=clock.target,
            )
        )
        _clock_event(tx, ticket, clock.id, "resumed", {"set": changes, **summary})


def recompute_clocks(tx: Tx, ticket: Ticket) -> None:
    """After a priority change: budgets and due times worked out again from each clock's start."""
    level = level_of(ticket)
    if level is None:
        return
    for clock in running_clocks(tx, ticket):
        calendar = load_calendar(clock.calendar)
        budget = _budget(level, ticket.priority, clock.target, calendar)
        due = calendar.add_minutes(clock.started_at, budget + clock.paused_min)
        if (budget, due) != (clock.budget_min, clock.due_at):
            changes: dict[str, Any] = {"budget_min": budget, "due_at": due}
            if clock.breached_at is not None:
                # Late under the new priority: missed at the new due time; otherwise not late any more.
                late = due <= tx.now and not (clock.paused_since is not None and clock.paused_since < due)
                changes["breached_at"] = due if late else None
            _clock_event(
                tx,
                ticket,
                clock.id,
                "recomputed",
                {
                    "set": changes,
                    **said(
                        N_("{target} clock now {priority}"), target=clock.target, priority=ticket.priority
                    ),
                },
            )


# Reading ---------------------------------------------------------------------------------------


def clock_state(clock: SlaClock, now: datetime) -> str:
    """running, warning, breached, paused, met, late or cancelled."""
    if clock.stopped_at is not None:
        return clock.outcome or "met"
    if pause_counts(clock):
        return "paused"
    if now >= clock.due_at:
        return "breached"
    if clock.budget_min and elapsed_minutes(clock, now) >= WARNING_SHARE * clock.budget_min:
        return "warning"
    return "running"


def elapsed_minutes(clock: SlaClock, now: datetime, *, calendar: Calendar | None = None) -> float:
    """Working minutes the clock has run by `now` (its calendar, if the caller has it at hand)."""
    calendar = calendar or load_calendar(clock.calendar)
    end = clock.stopped_at or (clock.paused_since if pause_counts(clock) else None) or now
    return max(calendar.minutes_between(clock.started_at, end) - clock.paused_min, 0.0)


def paused_minutes(clock: SlaClock, now: datetime) -> float:
    if not pause_counts(clock) or clock.stopped_at is not None:
        return clock.paused_min
    return clock.paused_min + load_calendar(clock.calendar).minutes_between(clock.paused_since, now)


def clock_view(clock: SlaClock, now: datetime) -> dict[str, Any]:
    elapsed = elapsed_minutes(clock, now)
    state = clock_state(clock, now)
    return {
        "target": clock.target,
        "cycle": clock.cycle,
        "state": state,
        "due_at": clock.due_at,
        "budget_min": clock.budget_min,
        "elapsed_min": round(elapsed),
        "remaining_min": round(clock.budget_min - elapsed),
        "paused_min": round(paused_minutes(clock, now)),
        "started_at": clock.started_at,
        "stopped_at": clock.stopped_at,
        "breached_at": clock.breached_at or (clock.due_at if state == "breached" else None),
        "calendar": clock.calendar,
        # How long a working day of the clock's calendar is: times left are shown in these days.
        "day_minutes": load_calendar(clock.calendar).day_minutes,
    }


def clock_views(clocks: list[SlaClock], now: datetime, *, cycle: int | None = None) -> list[dict[str, Any]]:
    """The clocks of a ticket's current cycle (and any still running), most pressing first."""
    wanted = [c for c in clocks if cycle is None or c.cycle == cycle or c.stopped_at is None]
    order = {t: i for i, t in enumerate(TARGETS)}
    return [clock_view(c, now) for c in sorted(wanted, key=lambda c: (c.cycle, order.get(c.target, 9)))]


@dataclass(frozen=True)
class Promise:
    target: str
    budget_min: int
    due_at: datetime
    calendar: str
    within: str  # the target as the level spells it, in working days of the calendar
    # Years between the call and the due time whose public holidays the calendar does not know.
    missing_years: list[int]


def due_times(ctx: Context, *, level: str, priority: str, start: datetime | None = None) -> list[Promise]:
    """What to promise a caller: each target's due time for this level and priority."""
    priority = one_of(priority, PRIORITIES, "priority")
    found = get_level(level)
    calendar = calendar_for(found)
    begin = start or ctx.now()
    budgets = {target: _budget(found, priority, target, calendar) for target in TARGETS}
    promises = []
    for target in TARGETS:
        due = calendar.add_minutes(begin, budgets[target])
        within = spell_target(budgets[target], calendar.day_minutes)
        missing = calendar.missing_years_between(begin, due)
        promises.append(Promise(target, budgets[target], due, calendar.name, within, missing))
    return promises


def check_reported_at(ctx: Context, reported_at: datetime, now: datetime) -> datetime:
    """A call recorded late starts its clocks when the customer called: never in the future, and
    not further back than `[sla] max_backdate` (default 3d)."""
    if reported_at > now:
        raise InvalidInput(
            _("reported-at {reported_at:%Y-%m-%d %H:%M} UTC: is in the future").format(
                reported_at=reported_at
            )
        )
    raw = ctx.settings.extra.get("sla", {}).get("max_backdate", DEFAULT_MAX_BACKDATE)
    try:
        limit = parse_duration(raw).in_minutes()
    except ValueError as e:
        raise InvalidInput(_("config sla.max_backdate: {error}").format(error=e)) from None
    if (now - reported_at).total_seconds() / 60 > limit:
        raise InvalidInput(
            _("reported-at: more than {limit} ago; the limit is sla.max_backdate in config.toml").format(
                limit=raw
            )
        )
    return reported_at
