"""Benchmark `xhsvc report sla` on a month of a center with 100,000 tickets (goal: under 2 s).

Builds (or takes from the cache, `--cache DIR`) a database holding the people and customers of
bench_sweep.py and N tickets recorded over last month, in the desk's time zone: each with its
response and resolution clocks as `sla.start_clock` / `sla.stop_clock` record them, most answered
and resolved (some late), some still open, a few reopened with a second resolution clock, all
written through the event log with `events.append_many` as an import does. Then it times the real
`xhsvc report sla --month M --json` (and `--by engineer`, and `report backlog`) as a subprocess,
and one in-process `sla_report()`. It prints figures; it is not a test.

Run from the project root:

    .venv/bin/python bench/bench_reports.py [--tickets N] [--repeat R] [--seed S] [--cache DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).parent))
from bench_sweep import (
    CUSTOMERS,
    PAIRS,
    PRIORITY_WEIGHTS,
    TITLES,
    Dues,
    Filled,
    _append,
    _people,
    checkpoint,
    plan_customers,
    setup_changes,
)
from harness import Figure, add_common, find_xhsvc, median, print_figures, run, scratch, time_command

from xhsvc.core.context import Context
from xhsvc.core.manager_reports import sla_report
from xhsvc.core.settings import DEFAULT_PRIORITY_MATRIX
from xhsvc.store.db import Database, open_database
from xhsvc.store.events import Change, Origin, bump_counter
from xhsvc.store.ids import new_id

BATCH = 5_000
SH = ZoneInfo("Asia/Shanghai")
RESPONDED = 0.93  # share answered; of those, the time it took is drawn around the target
RESOLVED = 0.85  # share resolved
REOPENED = 0.04  # share of the resolved reopened (a second resolution clock)
GOAL_S = 2.0


def last_month(today: date) -> tuple[str, datetime, datetime]:
    first = today.replace(day=1)
    start_day = (first - timedelta(days=1)).replace(day=1)
    start = datetime(start_day.year, start_day.month, 1, tzinfo=SH).astimezone(UTC)
    end = datetime(first.year, first.month, 1, tzinfo=SH).astimezone(UTC)
    return start_day.strftime("%Y-%m"), start, end


def _clock(ticket_id: str, target: str, cycle: int, started: datetime, dues: Dues, level: str, priority: str,
           stopped: datetime | None) -> Change:  # fmt: skip
    calendar, budget, due, _local = dues.of(level, priority, target, started)
    row = {
        "ticket_id": ticket_id, "target": target, "cycle": cycle, "calendar": calendar, "budget_min": budget,
        "started_at": started, "paused_min": 0.0, "paused_since": None, "due_at": due,
        "stopped_at": stopped, "outcome": None, "breached_at": None,
    }  # fmt: skip
    if stopped is not None:
        late = stopped > due
        row.update(outcome="late" if late else "met", breached_at=due if late else None)
    return Change(
        "sla_clock",
        new_id(),
        "sla_clock.started",
        {"create": row, "summary": f"{target} clock"},
        ticket_id=ticket_id,
    )


def fill(db: Database, *, count: int, rng: random.Random, start: datetime, end: datetime) -> Filled:
    now = end + timedelta(hours=1)
    origin = Origin(actor="bench", at=now, node=db.node_id)
    filled = Filled()
    people = _people(start)
    customers = plan_customers(rng, CUSTOMERS, start.date())
    _append(db, origin, setup_changes(people, customers, start), filled)
    agent = next(p for p in people if p["role"] == "agent")
    engineers = [p for p in people if p["tier"] == "L1"]
    dues = Dues()
    span = (end - start).total_seconds() / 60
    weights = [PRIORITY_WEIGHTS[f"P{DEFAULT_PRIORITY_MATRIX[i - 1][u - 1]}"] for i, u in PAIRS]
    for first in range(1, count + 1, BATCH):
        tickets: list[Change] = []
        clocks: list[Change] = []
        for number in range(first, min(first + BATCH, count + 1)):
            customer = rng.choice(customers)
            ticket_id = new_id()
            # On the quarter hour, so that due times repeat and are worked out once each.
            reported = start + timedelta(minutes=15 * int(rng.random() * span / 15))
            impact, urgency = rng.choices(PAIRS, weights)[0]
            priority = f"P{DEFAULT_PRIORITY_MATRIX[impact - 1][urgency - 1]}"
            title, service = rng.choice(TITLES)
            level = customer.level
            _c, _b, response_due, _l = dues.of(level, priority, "response", reported)
            _c, _b, resolution_due, _l = dues.of(level, priority, "resolution", reported)
            responded = resolved = None
            if rng.random() < RESPONDED:
                responded = reported + (response_due - reported) * rng.uniform(0.1, 1.25)
                if rng.random() < RESOLVED:
                    resolved = responded + (resolution_due - responded) * rng.uniform(0.1, 1.2)
            reopened = resolved is not None and rng.random() < REOPENED
            again = resolved + timedelta(hours=rng.uniform(2, 48)) if reopened else None
            status = "resolved" if resolved and not reopened else "in_progress" if responded else "assigned"
            row = {
                "key": f"{db.prefix}-{number:06d}", "title": title, "description": None, "status": status,
                "tier": "L1", "impact": impact, "urgency": urgency, "priority": priority, "major": False,
                "service": service, "channel": "hotline", "contact": None, "customer_id": customer.id,
                "site_id": None, "asset_id": None, "contract_id": customer.contract_id, "coverage": "covered",
                "coverage_note": None, "sla_level": level, "reported_at": reported,
                "sla_cycle": 2 if reopened else 1, "assignee_id": rng.choice(engineers)["id"],
                "opened_by_id": agent["id"], "onsite": False, "onsite_tier": None, "created_at": reported,
                "updated_at": again or resolved or responded or reported, "responded_at": responded,
                "resolved_at": None if reopened else resolved, "reopen_count": 1 if reopened else 0,
            }  # fmt: skip
            tickets.append(
                Change(
                    "ticket",
                    ticket_id,
                    "ticket.opened",
                    {"create": row, "summary": title},
                    ticket_id=ticket_id,
                )
            )
            clocks.append(_clock(ticket_id, "response", 1, reported, dues, level, priority, responded))
            clocks.append(_clock(ticket_id, "resolution", 1, reported, dues, level, priority, resolved))
            if again is not None:
                clocks.append(_clock(ticket_id, "resolution", 2, again, dues, level, priority, None))
            filled.statuses[status] += 1
        _append(db, origin, tickets + clocks, filled)
    with db.write() as conn:
        bump_counter(conn, f"ticket:{db.prefix}", at_least=count)
    return filled


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tickets", type=int, default=100_000, metavar="N", help="tickets in the month")
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "xhsvc-bench-cache",
        help="folder keeping the built database between runs",
    )  # fmt: skip
    add_common(parser, repeat=5)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    month, start, end = last_month(datetime.now(SH).date())
    args.cache.mkdir(parents=True, exist_ok=True)
    cached = args.cache / f"reports-{args.tickets}-{args.seed}-{month}.db"
    with scratch("xhsvc-bench-reports-", keep=args.keep) as home:
        os.environ["XHSVC_HOME"] = str(home)
        db_file = home / "xhsvc.db"
        url = f"sqlite:///{db_file}"
        if cached.exists():
            shutil.copyfile(cached, db_file)
            print(f"database: from the cache {cached}")
        else:
            db = open_database(url)
            began = time.perf_counter()
            filled = fill(db, count=args.tickets, rng=random.Random(args.seed), start=start, end=end)
            checkpoint(db)
            db.dispose()
            print(f"fill: {sum(filled.events.values()):,} events in {time.perf_counter() - began:.1f} s; "
                  + ", ".join(f"{k} {n:,}" for k, n in sorted(filled.statuses.items())))  # fmt: skip
            shutil.copyfile(db_file, cached)
        print(
            f"database: {db_file.stat().st_size / 1e6:.1f} MB, {args.tickets:,} tickets recorded in {month}"
        )
        env = {k: v for k, v in os.environ.items() if k != "XHSVC_DB"}
        xhsvc = find_xhsvc()
        run([xhsvc, "config", "set", "user", "zhoujian"], env)

        db = open_database(url)
        ctx = Context(db=db, actor_handle="zhoujian")
        began = time.perf_counter()
        report = sla_report(ctx, month=month)
        inproc = time.perf_counter() - began
        db.dispose()
        t = report.total
        print(f"{month}: {t.tickets:,} tickets, {t.met:,} clocks met, {t.breached:,} breached, "
              f"compliance {t.compliance}%, respond p90 {t.respond.p90_min} min, reopen rate {t.reopen_rate}%")  # fmt: skip
        commands = {
            "xhsvc --help": [xhsvc, "--help"],
            f"report sla --month {month} --json": [xhsvc, "report", "sla", "--month", month, "--json"],
            "report sla --by engineer": [xhsvc, "report", "sla", "--month", month, "--by", "engineer"],
            "report backlog --json": [xhsvc, "report", "backlog", "--json"],
        }
        figures = [Figure("sla_report() in process", inproc)]
        for label, argv in commands.items():
            times, _outputs = time_command(argv, env, args.repeat)
            figures.append(Figure(label, median(times) / 1000))
        print()
        print_figures(
            f"xhsvc report, a month of {args.tickets:,} tickets ({args.repeat} runs, median)", figures
        )
        worst = max(f.seconds for f in figures[1:] if f.label.startswith("report"))
        print(f"\ngoal: a month's report under {GOAL_S:.1f} s: {'met' if worst < GOAL_S else 'NOT met'} "
              f"(slowest {worst:.2f} s)")  # fmt: skip


if __name__ == "__main__":
    main()
