"""The manager's review (回顾): a month's SLA, the open backlog, the engineers' load, what contracts
grant and what is left of it, and the major incidents with their reviews.

Every figure is read from the clocks and the state the event log projects; none is stored. A month
is a calendar month in the desk's time zone (config `timezone`), from its first instant to the
first instant of the next (`worklogs.month_range`, the one month parser).

What belongs to a month:
- tickets (volume, reopen rate): the tickets recorded in the month, cancelled ones left out;
- SLA (met, breached, compliance, times): the clocks decided in the month. A clock is decided when
  it is met (stopped by its due time: counted in the month of the stop) or breached (its due time
  passed without a stop: counted in the month of the due time, whether it stopped later or still
  runs). Clocks cancelled (not needed any more) and clocks still running within their time count
  nowhere. So each clock counts once, in one month, and a past month's figures do not change
  unless the history does;
- time to respond and to resolve: of the response and resolution clocks decided in the month and
  stopped, the elapsed time from the clock's start (the call, or a reopening) to its stop, as the
  customer waited it (pauses included); mean, and p90 by nearest rank;
- reopen rate: of the month's tickets that were resolved at least once, the share reopened (by the
  customer's "not resolved" or by `ticket reopen`) at least once.
Groups (`by`): the ticket's service level, its customer's region, its engineer (the assignee now)
or its customer.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from xhsvc.core.catalog import ENTITLEMENTS
from xhsvc.core.clock import as_utc, local_date
from xhsvc.core.context import Context, Tx
from xhsvc.core.contracts import _usage
from xhsvc.core.customers import find_customer
from xhsvc.core.levels import PRIORITIES, load_levels
from xhsvc.core.people import TIERS
from xhsvc.core.sla import TARGETS
from xhsvc.core.text import one_of
from xhsvc.core.worklogs import KINDS, month_range
from xhsvc.errors import InvalidInput, NotAllowed
from xhsvc.i18n import N_, _
from xhsvc.store import report_queries, worklog_queries

BY = tuple(report_queries.GROUPS)
# Who reads the month's figures: those who run the desk. The backlog is the desk's own work:
# anyone may read it.
READERS = ("manager", "admin")
# The ages the backlog is counted in: (label, up to this many days).
AGES: tuple[tuple[str, float], ...] = (
    (N_("under 1 day"), 1),
    (N_("1-3 days"), 3),
    (N_("3-7 days"), 7),
    (N_("7-30 days"), 30),
    (N_("over 30 days"), math.inf),
)
# How many breaches a report lists (the count is of all of them).
BREACHES_SHOWN = 20
TREND_DAYS = 30


def percent(part: int, whole: int) -> float | None:
    """`part` of `whole` in percent with one decimal; None of nothing."""
    return round(100 * part / whole, 1) if whole else None


def p90(values: list[float]) -> float | None:
    """The 90th percentile by nearest rank: the smallest value that 90% of them do not exceed."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(0.9 * len(ordered)) - 1, 0)]


@dataclass
class Durations:
    """Times in minutes: how many, their mean and their 90th percentile."""

    count: int = 0
    mean_min: float | None = None
    p90_min: float | None = None

    @classmethod
    def of(cls, seconds: list[float]) -> Durations:
        if not seconds:
            return cls()
        return cls(len(seconds), round(sum(seconds) / len(seconds) / 60, 1), round(p90(seconds) / 60, 1))  # type: ignore[operator]


@dataclass
class SlaFigures:
    """The SLA figures of a month for all tickets, or for one group of them."""

    group: str | None = None
    tickets: int = 0
    resolved: int = 0
    reopened: int = 0
    reopen_rate: float | None = None
    met: int = 0
    breached: int = 0
    compliance: float | None = None
    # Per target (response, onsite, resolution): met, breached, compliance.
    targets: dict[str, dict[str, Any]] = field(default_factory=dict)
    respond: Durations = field(default_factory=Durations)
    resolve: Durations = field(default_factory=Durations)


@dataclass
class DayFigures:
    day: date
    tickets: int = 0
    met: int = 0
    breached: int = 0
    compliance: float | None = None


@dataclass
class SlaReport:
    month: str
    start: datetime
    end: datetime
    now: datetime
    by: str | None
    customer: str | None
    total: SlaFigures
    groups: list[SlaFigures]
    daily: list[DayFigures]
    # The latest breaches (BREACHES_SHOWN of them) and how many there are in all.
    breaches: list[dict[str, Any]]
    breaches_total: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Tally:
    """What one group adds up while the rows stream by."""

    def __init__(self) -> None:
        self.tickets = self.resolved = self.reopened = 0
        self.met = dict.fromkeys(TARGETS, 0)
        self.breached = dict.fromkeys(TARGETS, 0)
        self.took: dict[str, list[float]] = {"response": [], "resolution": []}

    def breached_count(self) -> int:
        return sum(self.breached.values())

    def figures(self, group: str | None) -> SlaFigures:
        met, breached = sum(self.met.values()), sum(self.breached.values())
        return SlaFigures(
            group=group,
            tickets=self.tickets,
            resolved=self.resolved,
            reopened=self.reopened,
            reopen_rate=percent(self.reopened, self.resolved),
            met=met,
            breached=breached,
            compliance=percent(met, met + breached),
            targets={
                t: {
                    "met": self.met[t],
                    "breached": self.breached[t],
                    "compliance": percent(self.met[t], self.met[t] + self.breached[t]),
                }
                for t in TARGETS
            },
            respond=Durations.of(self.took["response"]),
            resolve=Durations.of(self.took["resolution"]),
        )


# Months, days, who reads -------------------------------------------------------------------------


def this_month(ctx: Context) -> str:
    """The month it is now where the desk works, as YYYY-MM."""
    return local_date(ctx.now(), ctx.settings.timezone).strftime("%Y-%m")


def _month(ctx: Context, month: str | None) -> tuple[str, datetime, datetime]:
    month = (month or this_month(ctx)).strip()
    start, end = month_range(ctx, month)
    assert start is not None and end is not None
    return month, start, end


def _days(ctx: Context, first: date, count: int) -> tuple[list[date], list[float]]:
    """`count` days from `first` and the epoch second each begins at in the desk's time zone."""
    days = [first + timedelta(days=i) for i in range(count)]
    tz = ctx.settings.timezone
    return days, [as_utc(datetime(d.year, d.month, d.day), tz).timestamp() for d in days]


def _month_days(ctx: Context, start: datetime, end: datetime) -> tuple[list[date], list[float]]:
    first = local_date(start, ctx.settings.timezone)
    return _days(ctx, first, (local_date(end, ctx.settings.timezone) - first).days)


def _day_index(bounds: list[float], epoch: float) -> int:
    return max(bisect_right(bounds, epoch) - 1, 0)


def _require_reader(tx: Tx, report: str) -> None:
    me = tx.me()
    if me.role not in READERS:
        raise NotAllowed(
            _("report {report}: only {roles} may read it; {handle} is {role}").format(
                report=report, roles=_(" or ").join(READERS), handle=me.handle, role=me.role
            )
        )


def _customer_id(tx: Tx, customer: str | None) -> tuple[str | None, str | None]:
    if customer is None:
        return None, None
    found = find_customer(tx, customer)
    return found.id, found.name


def _group_name(value: Any) -> str | None:
    return None if value is None else str(value)


def _tally(
    by: str | None,
    clocks: list[tuple[Any, ...]],
    recorded: list[tuple[Any, ...]],
    days: list[date],
    bounds: list[float],
    shown: int,
) -> tuple[dict[str | None, _Tally], list[DayFigures], list[tuple[float, str]]]:
    """The rows added up per group (and in all, under the key "\\0total"), per day, and the latest
    `shown` breaches (when, clock id). One pass, plain counters: a month may be 200,000 clocks."""
    import heapq

    counted: Counter[tuple[Any, str, bool]] = Counter()
    took: dict[tuple[Any, str], list[float]] = {}
    day_met, day_breached, day_tickets = [0] * len(days), [0] * len(days), [0] * len(days)
    breached_at: list[tuple[float, str]] = []
    for target, breached, decided, seconds, group, clock_id in clocks:
        counted[group, target, bool(breached)] += 1
        index = max(bisect_right(bounds, decided) - 1, 0)
        if breached:
            day_breached[index] += 1
            breached_at.append((decided, clock_id))
        else:
            day_met[index] += 1
        if seconds is not None:
            took.setdefault((group, target), []).append(seconds)
    tickets: Counter[Any] = Counter()
    resolved: Counter[Any] = Counter()
    reopened: Counter[Any] = Counter()
    for recorded_at, reopens, was_resolved, group in recorded:
        tickets[group] += 1
        resolved[group] += bool(was_resolved)
        reopened[group] += reopens > 0
        day_tickets[max(bisect_right(bounds, recorded_at) - 1, 0)] += 1
    groups: dict[str | None, _Tally] = {}
    total = groups["\0total"] = _Tally()
    named = {g for g, _t, _b in counted} | set(tickets)
    for group in named:
        tally = groups.setdefault(_group_name(group), _Tally()) if by else None
        for each in (total, tally) if tally is not None else (total,):
            each.tickets += tickets[group]
            each.resolved += resolved[group]
            each.reopened += reopened[group]
            for target in TARGETS:
                each.met[target] += counted[group, target, False]
                each.breached[target] += counted[group, target, True]
                if target in each.took:
                    each.took[target].extend(took.get((group, target), []))
    per_day = [
        DayFigures(day=d, tickets=n, met=m, breached=b, compliance=percent(m, m + b))
        for d, n, m, b in zip(days, day_tickets, day_met, day_breached, strict=True)
    ]
    latest = heapq.nlargest(shown, breached_at)
    return groups, per_day, latest


# The SLA report ---------------------------------------------------------------------------------


def sla_report(
    ctx: Context,
    *,
    month: str | None = None,
    by: str | None = None,
    customer: str | None = None,
    breaches_shown: int = BREACHES_SHOWN,
) -> SlaReport:
    """The month's SLA (default: this month): tickets recorded, clocks met and breached per target,
    compliance, mean and p90 time to respond and to resolve, reopen rate; in all, per group of
    `by` (level, region, engineer or customer) and per day; the latest breaches. Only for
    `customer` if given (the customer's review uses it). Managers and admins read it."""
    by = one_of(by, BY, "by") if by is not None else None
    if breaches_shown < 0:
        raise InvalidInput(_("breaches shown {count}: must be 0 or more").format(count=breaches_shown))
    month, start, end = _month(ctx, month)
    days, bounds = _month_days(ctx, start, end)
    with ctx.reading() as tx:
        _require_reader(tx, "sla")
        customer_id, customer_name = _customer_id(tx, customer)
        now = tx.now
        clocks = report_queries.decided_clocks(
            tx.conn, start=start, end=end, now=now, by=by, customer_id=customer_id
        )
        recorded = report_queries.recorded_tickets(
            tx.conn, start=start, end=end, by=by, customer_id=customer_id
        )
        groups, per_day, latest = _tally(by, clocks, recorded, days, bounds, breaches_shown)
        listed = report_queries.clocks_with_tickets(tx.conn, [clock_id for _when, clock_id in latest])
    order = {clock_id: i for i, (_when, clock_id) in enumerate(latest)}
    listed.sort(key=lambda row: order[row.pop("id")])
    total = groups.pop("\0total")
    ordered = sorted(groups.items(), key=lambda item: (item[0] is None, item[0] or ""))
    return SlaReport(
        month=month,
        start=start,
        end=end,
        now=now,
        by=by,
        customer=customer_name,
        total=total.figures(None),
        groups=[tally.figures(name) for name, tally in ordered],
        daily=per_day,
        breaches=listed,
        breaches_total=total.breached_count(),
    )


# The backlog ------------------------------------------------------------------------------------


def _age_label(days: float) -> str:
    return next(label for label, limit in AGES if days < limit)


def backlog_report(ctx: Context, *, customer: str | None = None) -> dict[str, Any]:
    """The open tickets now (resolved ones not yet closed among them) by age and tier, by
    priority, how many are overdue and how many are major; the oldest ten; tickets recorded per day
    over the last 30 days. Anyone may read it."""
    with ctx.reading() as tx:
        customer_id, customer_name = _customer_id(tx, customer)
        now = tx.now
        today = local_date(now, ctx.settings.timezone)
        days, bounds = _days(ctx, today - timedelta(days=TREND_DAYS - 1), TREND_DAYS)
        opened = report_queries.open_tickets(tx.conn, customer_id=customer_id)
        oldest = report_queries.oldest_open(tx.conn, customer_id=customer_id)
        recent = report_queries.recorded_tickets(
            tx.conn, start=datetime.fromtimestamp(bounds[0], now.tzinfo), end=now, customer_id=customer_id
        )
    labels = [label for label, _limit in AGES]
    by_tier = {tier: dict.fromkeys(labels, 0) for tier in TIERS}
    by_priority = dict.fromkeys(PRIORITIES, 0)
    stamp = now.timestamp()
    overdue = major = 0
    for recorded_at, tier, priority, is_major, due in opened:
        by_tier.setdefault(tier, dict.fromkeys(labels, 0))[_age_label((stamp - recorded_at) / 86400)] += 1
        by_priority[priority] = by_priority.get(priority, 0) + 1
        overdue += due is not None and due < stamp
        major += bool(is_major)
    trend = [0] * len(days)
    for recorded_at, *_rest in recent:
        trend[_day_index(bounds, recorded_at)] += 1
    return {
        "now": now,
        "customer": customer_name,
        "open": len(opened),
        "overdue": overdue,
        "major": major,
        "ages": labels,
        "by_tier": [{"tier": tier, **ages, "total": sum(ages.values())} for tier, ages in by_tier.items()],
        "by_priority": by_priority,
        "oldest": [
            {**row, "age_days": round((now - row["created_at"]).total_seconds() / 86400, 1)} for row in oldest
        ],
        "daily": [{"day": d, "tickets": n} for d, n in zip(days, trend, strict=True)],
    }


# Workload ---------------------------------------------------------------------------------------


def workload_report(ctx: Context, *, month: str | None = None) -> dict[str, Any]:
    """Per engineer (and anyone else with tickets or logged time): tickets open now, resolved and
    closed in the month, hours logged in it (in all and per kind); hours logged per day. Managers
    and admins read it."""
    month, start, end = _month(ctx, month)
    days, bounds = _month_days(ctx, start, end)
    with ctx.reading() as tx:
        _require_reader(tx, "workload")
        load = report_queries.engineer_load(tx.conn, start=start, end=end)
        logged = {
            row["group"]: row
            for row in worklog_queries.work_totals(tx.conn, by="engineer", start=start, end=end)
        }
        entries = report_queries.work_minutes(tx.conn, start=start, end=end)
        everyone = report_queries.people(tx.conn)
    rows = []
    for person in everyone:
        counts = load.get(person.id, {"open": 0, "resolved": 0, "closed": 0})
        time = logged.get(person.handle)
        if person.role not in ("engineer", "expert") and time is None and not any(counts.values()):
            continue
        if not person.active and time is None and not any(counts.values()):
            continue
        minutes = int(time["minutes"]) if time else 0
        rows.append(
            {
                "engineer": person.handle,
                "name": person.name,
                "tier": person.tier,
                "region": person.region,
                **counts,
                "minutes": minutes,
                "hours": round(minutes / 60, 2),
                **{kind: int(time[kind]) if time else 0 for kind in KINDS},
            }
        )
    rows.sort(key=lambda r: (-r["minutes"], -r["open"], r["engineer"]))
    per_day = [0] * len(days)
    for began, minutes in entries:
        per_day[_day_index(bounds, began)] += minutes
    return {
        "month": month,
        "start": start,
        "end": end,
        "rows": rows,
        "daily": [{"day": d, "hours": round(m / 60, 2)} for d, m in zip(days, per_day, strict=True)],
    }


# Entitlements -----------------------------------------------------------------------------------


def entitlements_report(
    ctx: Context, *, month: str | None = None, customer: str | None = None
) -> dict[str, Any]:
    """Per contract term in force in the month: what it grants, what was used of it by the month's
    end, what is left, and what expires unused (what is left of a term that ends, or whose contract
    is terminated, by the month's end). Managers and admins read it."""
    month, start, end = _month(ctx, month)
    first = local_date(start, ctx.settings.timezone)
    last = local_date(end, ctx.settings.timezone) - timedelta(days=1)
    levels = load_levels()
    with ctx.reading() as tx:
        _require_reader(tx, "entitlements")
        customer_id, customer_name = _customer_id(tx, customer)
        terms = [
            t
            for t in report_queries.terms_in(tx.conn, first=first, last=last, customer_id=customer_id)
            if t["terminated_on"] is None or t["terminated_on"] >= first
        ]
        uses = report_queries.uses_until(tx.conn, [t["id"] for t in terms], last=last)
    by_term: dict[str, list[Any]] = {}
    for use in uses:
        by_term.setdefault(use.term_id, []).append(use)
    rows = []
    totals = {kind: {"granted": 0, "used": 0, "left": 0, "expiring": 0} for kind in ENTITLEMENTS}
    for term in terms:
        usage = _usage(by_term.get(term["id"], []), levels.get(term["level"]))
        ends = (
            term["end_date"]
            if term["terminated_on"] is None
            else min(term["end_date"], term["terminated_on"])
        )
        expires = ends <= last
        for kind, figures in usage.items():
            figures["expiring"] = figures["left"] if expires else 0
            for name in totals[kind]:
                totals[kind][name] += figures[name]
        rows.append(
            {
                "contract": term["number"],
                "customer": term["customer"],
                "term": term["term_no"],
                "level": term["level"],
                "start": term["start_date"],
                "end": ends,
                "expires": expires,
                "entitlements": usage,
            }
        )
    return {
        "month": month,
        "customer": customer_name,
        "kinds": list(ENTITLEMENTS),
        "rows": rows,
        "totals": totals,
    }


# Major incidents --------------------------------------------------------------------------------


def majors_report(ctx: Context, *, month: str | None = None, customer: str | None = None) -> dict[str, Any]:
    """The major incidents recorded in the month with their reviews (root cause and actions), how
    long each took to resolve, and whether a review is still owed (resolved or closed, not yet
    reviewed). Managers and admins read it."""
    month, start, end = _month(ctx, month)
    with ctx.reading() as tx:
        _require_reader(tx, "majors")
        customer_id, customer_name = _customer_id(tx, customer)
        rows = report_queries.major_incidents(tx.conn, start=start, end=end, customer_id=customer_id)
    for row in rows:
        resolved = row["resolved_at"]
        row["resolve_min"] = round((resolved - row["created_at"]).total_seconds() / 60) if resolved else None
        row["review_owed"] = row["status"] in ("resolved", "closed") and row["reviewed_at"] is None
    return {
        "month": month,
        "customer": customer_name,
        "count": len(rows),
        "reviewed": sum(1 for r in rows if r["reviewed_at"] is not None),
        "review_owed": sum(1 for r in rows if r["review_owed"]),
        "open": sum(1 for r in rows if r["status"] not in ("resolved", "closed", "cancelled")),
        "rows": rows,
    }
