"""Benchmark `xhsvc sla sweep` on a database with many open tickets, few or many of them due.

Builds a throwaway database (XHSVC_HOME in a temp folder) holding people, customers with gold
(7x24) and silver (china-business) contracts, and N open tickets (assigned or in progress, P2-P4,
reported over the last few hours), each with its response and resolution SLA clocks, all written
through the event log with `events.append_many` as an import does. Then it sets each ticket's
`next_check_at` (a derived column, kept out of the log) so that none, 1% or 10% of the tickets are
due, and times the real `xhsvc sla sweep --json` as a subprocess, restoring the database file before
every run (a sweep fires rules and reschedules, so each run must start from the same state). It also
profiles one in-process `sweep()` of the 1% case and prints SQLite's EXPLAIN QUERY PLAN for the
statement `queries.tickets_to_check` issues. It prints figures; it is not a test.

Run from the project root:

    .venv/bin/python bench/bench_sweep.py [--tickets N] [--repeat R] [--seed S] [--keep]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import shutil
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from harness import add_common, find_xhsvc, run, scratch, time_command
from sqlalchemy import Connection, bindparam, event, update

from xhsvc.core import sla
from xhsvc.core import sweep as sweep_core
from xhsvc.core.context import Context
from xhsvc.core.levels import load_levels
from xhsvc.core.people import ensure_system_person
from xhsvc.core.settings import DEFAULT_PRIORITY_MATRIX
from xhsvc.store import queries, tables
from xhsvc.store.db import Database, open_database
from xhsvc.store.events import Change, Origin, append_many, bump_counter
from xhsvc.store.ids import new_id

Row = dict[str, Any]

TICKET = tables.Ticket.__table__

BATCH = 5_000  # tickets per `append_many` call and transaction (three events each)
CUSTOMERS = 2_000
GOLD = 0.4  # share of the customers with a gold contract; the others have silver
REPORTED_WITHIN = timedelta(hours=8)
RESPONDED = 0.6  # share of the tickets already responded to (in progress); the others are assigned
FAR = timedelta(days=30)  # next check of the tickets that are not due
DUE_WITHIN = timedelta(hours=1)  # the due tickets' check came within the last hour
SCENARIOS: tuple[tuple[str, float], ...] = (("none due", 0.0), ("1% due", 0.01), ("10% due", 0.10))
PROFILED = "1% due"
TOP = 15
INDEX = "ix_ticket_next_check"
USER = ("bench-agent", "测试", "agent")
DUE_ARGS = ("sla", "due", "--level", "gold", "--priority", "P3")
# Tried on a scratch copy when the sweep's read does not seek INDEX: statistics, or another index.
TRIALS: tuple[tuple[str, str], ...] = (
    ("statistics", "ANALYZE"),
    ("index (status, next_check_at)", "CREATE INDEX bench_status_next ON ticket (status, next_check_at)"),
    ("index (next_check_at, status)", "CREATE INDEX bench_next_status ON ticket (next_check_at, status)"),
)

# handle, name, role, tier, region
PEOPLE: list[tuple[str, str, str, str | None, str]] = [
    ("wangfang", "王芳", "agent", None, "杭州"),
    ("zhoujian", "周建", "manager", None, "杭州"),
    ("lijun", "李军", "engineer", "L1", "杭州"),
    ("zhangwei", "张伟", "engineer", "L1", "北京"),
    ("liuyang", "刘洋", "engineer", "L1", "上海"),
    ("chenjie", "陈杰", "engineer", "L1", "广州"),
    ("sunli", "孙丽", "engineer", "L1", "成都"),
    ("wuhao", "吴昊", "engineer", "L2", "杭州"),
]

CITIES = [
    "杭州", "宁波", "温州", "北京", "天津", "上海", "苏州", "南京", "无锡", "广州",
    "深圳", "东莞", "佛山", "成都", "重庆", "武汉", "长沙", "郑州", "西安", "济南",
]  # fmt: skip

# name suffix, industry
ORGS: list[tuple[str, str]] = [
    ("市第一人民医院", "医疗"), ("市中心医院", "医疗"), ("市政务数据中心", "政府"),
    ("市社会保障中心", "政府"), ("城市商业银行", "金融"), ("农村商业银行", "金融"),
    ("证券数据中心", "金融"), ("供电公司", "能源"), ("燃气集团", "能源"), ("地铁运营公司", "交通"),
    ("机场集团", "交通"), ("大学信息中心", "教育"), ("广播电视台", "媒体"), ("移动分公司", "通信"),
    ("物流信息中心", "物流"), ("钢铁集团", "制造"), ("云计算中心", "IT"), ("海关信息中心", "政府"),
]  # fmt: skip

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红鹏辉建国志文斌宁浩宇晨"

# title, service (every one of them covered by both gold and silver)
TITLES: list[tuple[str, str]] = [
    ("存储阵列控制器B告警，性能下降", "remote"),
    ("备份任务连续三晚失败，报错 media full", "maintenance"),
    ("多路径软件升级后部分LUN不可见", "remote"),
    ("硬盘故障灯亮，热备盘已接管", "maintenance"),
    ("快照空间不足，自动删除旧快照", "remote"),
    ("数据库卷写延迟超过50ms", "remote"),
    ("复制链路中断，RPO超标", "remote"),
    ("管理口无法登录，SSH超时", "remote"),
    ("电源模块冗余告警", "onsite"),
]
CHANNELS = (("hotline", 75), ("email", 20), ("other", 5))
# (impact, urgency) pairs giving P2..P4 without a major incident (impact 1), and their weights
PRIORITY_WEIGHTS = {"P2": 20, "P3": 50, "P4": 30}
PAIRS = [
    (impact, urgency)
    for impact in (2, 3, 4)
    for urgency in (1, 2, 3, 4)
    if f"P{DEFAULT_PRIORITY_MATRIX[impact - 1][urgency - 1]}" in PRIORITY_WEIGHTS
]


@dataclass(frozen=True)
class PlannedCustomer:
    id: str
    name: str
    city: str
    industry: str
    contract_id: str
    number: str
    level: str
    start: date
    end: date


@dataclass
class Filled:
    events: Counter[str] = field(default_factory=Counter)
    levels: Counter[str] = field(default_factory=Counter)
    priorities: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    ticket_ids: list[str] = field(default_factory=list)


@dataclass
class Timed:
    label: str
    due: int | None
    times: list[float]
    runs: list[Row] = field(default_factory=list)  # the parsed JSON of every timed run

    @property
    def checked(self) -> int:
        return int(self.runs[0]["checked"]) if self.runs else 0

    @property
    def fired(self) -> int:
        return len(self.runs[0]["fired"]) if self.runs else 0

    @property
    def breached(self) -> int:
        return len(self.runs[0]["breached"]) if self.runs else 0


# Due times --------------------------------------------------------------------------------------


class Dues:
    """Budget and due time of a clock, as `sla.start_clock` works them out, cached per
    (level, priority, target, start): business-time arithmetic walks the calendar day by day."""

    def __init__(self) -> None:
        self.levels = load_levels()
        self.cache: dict[tuple[str, str, str, datetime], tuple[str, int, datetime, str]] = {}

    def of(self, level: str, priority: str, target: str, start: datetime) -> tuple[str, int, datetime, str]:
        """Calendar name, budget in working minutes, due time, and the due time as the desk reads it."""
        key = (level, priority, target, start)
        found = self.cache.get(key)
        if found is None:
            found_level = self.levels[level]
            calendar = sla.calendar_for(found_level)
            budget = found_level.targets[priority][target].in_minutes(calendar.day_minutes)
            due = calendar.add_minutes(start, budget)
            local = due.astimezone(calendar.zone).strftime("%Y-%m-%d %H:%M")
            found = self.cache[key] = (calendar.name, budget, due, local)
        return found


# Filling --------------------------------------------------------------------------------------


def _added(entity: str, entity_id: str, row: Row, summary: str) -> Change:
    return Change(entity, entity_id, f"{entity}.added", {"create": row, "summary": summary})


def _person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))


def plan_customers(rng: random.Random, count: int, today: date) -> list[PlannedCustomer]:
    """`count` customers, each with one contract whose only term covers today."""
    combos = [(city, org, industry) for city in CITIES for org, industry in ORGS]
    rng.shuffle(combos)
    out = []
    for i in range(count):
        city, org, industry = combos[i % len(combos)]
        start = today - timedelta(days=rng.randrange(0, 330))
        years = rng.choices((1, 3), (80, 20))[0]
        out.append(
            PlannedCustomer(
                id=new_id(),
                name=f"{city}{org}（{i // len(combos) + 1}）",
                city=city,
                industry=industry,
                contract_id=new_id(),
                number=f"HT-{start.year}-{i + 1:06d}",
                level="gold" if rng.random() < GOLD else "silver",
                start=start,
                end=start + timedelta(days=365 * years - 1),
            )
        )
    return out


def setup_changes(people: Sequence[Row], customers: Sequence[PlannedCustomer], now: datetime) -> list[Change]:
    """People, then customers, contracts and terms, entity by entity (parents first)."""
    out = [
        _added(
            "person", p["id"], {k: v for k, v in p.items() if k != "id"}, f"{p['name']} ({p['handle']}) added"
        )
        for p in people
    ]
    for c in customers:
        row = {"name": c.name, "region": c.city, "industry": c.industry, "created_at": now}
        out.append(_added("customer", c.id, row, f"customer {c.name} added"))
    for c in customers:
        row = {
            "number": c.number,
            "customer_id": c.id,
            "notes": None,
            "terminated_on": None,
            "termination_reason": None,
            "created_at": now,
        }
        out.append(_added("contract", c.contract_id, row, f"contract {c.number} for {c.name} added"))
    for c in customers:
        row = {
            "contract_id": c.contract_id,
            "term_no": 1,
            "level": c.level,
            "start_date": c.start,
            "end_date": c.end,
            "created_at": now,
        }
        summary = f"contract {c.number} term 1: {c.level} {c.start} .. {c.end}"
        out.append(_added("contract_term", new_id(), row, summary))
    return out


def _people(now: datetime) -> list[Row]:
    return [
        {
            "id": new_id(),
            "handle": handle,
            "name": name,
            "role": role,
            "tier": tier,
            "region": region,
            "phone": f"1380000{i:04d}",
            "email": f"{handle}@example.cn",
            "active": True,
            "created_at": now,
        }
        for i, (handle, name, role, tier, region) in enumerate(PEOPLE)
    ]


def ticket_changes(
    rng: random.Random,
    *,
    number: int,
    prefix: str,
    now: datetime,
    agent: Row,
    engineers: Sequence[Row],
    customer: PlannedCustomer,
    dues: Dues,
    filled: Filled,
) -> tuple[Change, list[Change]]:
    """One open ticket as `open_ticket` records it (then assigned, maybe responded to), and its
    response and resolution clocks as `sla.start_clock` (and `sla.stop_clock`) record them."""
    ticket_id = new_id()
    # Whole minutes, so that the due times of tickets reported in the same minute are computed once.
    reported = (now - REPORTED_WITHIN * rng.random()).replace(second=0, microsecond=0)
    impact, urgency = rng.choices(
        PAIRS, [PRIORITY_WEIGHTS[f"P{DEFAULT_PRIORITY_MATRIX[i - 1][u - 1]}"] for i, u in PAIRS]
    )[0]
    priority = f"P{DEFAULT_PRIORITY_MATRIX[impact - 1][urgency - 1]}"
    title, service = rng.choice(TITLES)
    channel = rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
    responded = None
    if rng.random() < RESPONDED:
        responded = min(now, reported + timedelta(minutes=rng.uniform(2, 90)))
    status = "in_progress" if responded else "assigned"
    key = f"{prefix}-{number:06d}"
    row: Row = {
        "key": key,
        "title": title,
        "description": f"客户来电：{title}。" if rng.random() < 0.7 else None,
        "status": status,
        "tier": "L1",
        "impact": impact,
        "urgency": urgency,
        "priority": priority,
        "major": False,
        "service": service,
        "channel": channel,
        "contact": f"{_person_name(rng)}/1{rng.randrange(10**9, 10**10)}",
        "customer_id": customer.id,
        "site_id": None,
        "asset_id": None,
        "contract_id": customer.contract_id,
        "coverage": "covered",
        "coverage_note": f"covered by {customer.number} ({customer.level}) until {customer.end}",
        "sla_level": customer.level,
        "reported_at": reported,
        "sla_cycle": 1,
        "assignee_id": rng.choice(engineers)["id"],
        "opened_by_id": agent["id"],
        "onsite": False,
        "onsite_tier": None,
        "created_at": reported,
        "updated_at": responded or reported,
        "responded_at": responded,
        "reopen_count": 0,
    }
    filled.levels[customer.level] += 1
    filled.priorities[priority] += 1
    filled.statuses[status] += 1
    filled.ticket_ids.append(ticket_id)
    opened = Change(
        "ticket",
        ticket_id,
        "ticket.opened",
        {"create": row, "summary": f"opened via {channel} for {customer.name}: {title} ({priority})"},
        ticket_id=ticket_id,
    )
    clocks = []
    for target in ("response", "resolution"):
        calendar, budget, due, due_local = dues.of(customer.level, priority, target, reported)
        clock: Row = {
            "ticket_id": ticket_id,
            "target": target,
            "cycle": 1,
            "calendar": calendar,
            "budget_min": budget,
            "started_at": reported,
            "paused_min": 0.0,
            "paused_since": None,
            "due_at": due,
            "stopped_at": None,
            "outcome": None,
            "breached_at": None,
        }
        summary = f"{target} clock started, due {due_local} ({calendar})"
        if target == "response" and responded is not None:
            late = responded > due
            clock.update(
                stopped_at=responded, outcome="late" if late else "met", breached_at=due if late else None
            )
            summary += "; target missed" if late else "; target met"
        payload = {"create": clock, "summary": summary}
        clocks.append(Change("sla_clock", new_id(), "sla_clock.started", payload, ticket_id=ticket_id))
    return opened, clocks


def _append(db: Database, origin: Origin, changes: list[Change], filled: Filled) -> None:
    with db.write() as conn:
        append_many(conn, origin, changes)
    filled.events.update(c.entity for c in changes)


def fill(db: Database, *, count: int, rng: random.Random, now: datetime, batch: int = BATCH) -> Filled:
    """People, customers with contracts, and `count` open tickets with their clocks, all through
    `append_many`: each batch holds its tickets first, then their clocks, so that the projection
    inserts table by table."""
    origin = Origin(actor="bench", at=now, node=db.node_id)
    filled = Filled()
    people = _people(now)
    customers = plan_customers(rng, CUSTOMERS, now.date())
    _append(db, origin, setup_changes(people, customers, now), filled)
    agent = next(p for p in people if p["role"] == "agent")
    engineers = [p for p in people if p["tier"] == "L1"]
    dues = Dues()
    for first in range(1, count + 1, batch):
        opened: list[Change] = []
        clocks: list[Change] = []
        for number in range(first, min(first + batch, count + 1)):
            ticket, its_clocks = ticket_changes(
                rng,
                number=number,
                prefix=db.prefix,
                now=now,
                agent=agent,
                engineers=engineers,
                customer=rng.choice(customers),
                dues=dues,
                filled=filled,
            )
            opened.append(ticket)
            clocks += its_clocks
        _append(db, origin, opened + clocks, filled)
    with db.write() as conn:
        bump_counter(conn, f"ticket:{db.prefix}", at_least=count)
    return filled


def set_due(db: Database, due_ids: Sequence[str], now: datetime, rng: random.Random) -> None:
    """Every ticket's next check far ahead, but for `due_ids`, whose check came in the last hour.

    `next_check_at` is derived, not state: it is set directly, as `events.schedule_check` does."""
    with db.write() as conn:
        conn.execute(update(TICKET).values(next_check_at=now + FAR))
        if due_ids:
            stmt = (
                update(TICKET).where(TICKET.c.id == bindparam("tid")).values(next_check_at=bindparam("when"))
            )
            conn.execute(stmt, [{"tid": tid, "when": now - DUE_WITHIN * rng.random()} for tid in due_ids])


def checkpoint(db: Database) -> None:
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def restore(snapshot: Path, db_file: Path) -> None:
    """Put the database file back as it was saved (no WAL beside it: it was checkpointed), and
    wait until the copy is on disk: otherwise the kernel writes hundreds of MB of it back while
    the timed sweep runs, and the figure measures the copy."""
    for extra in ("-wal", "-shm"):
        db_file.with_name(db_file.name + extra).unlink(missing_ok=True)
    shutil.copyfile(snapshot, db_file)
    os.sync()


# Timing ---------------------------------------------------------------------------------------


# Profile ----------------------------------------------------------------------------------------


def where(filename: str) -> str:
    """A profile entry's file, short: relative to the project or to site-packages."""
    for marker in ("site-packages/", "/xhsvc/"):
        if marker in filename:
            rest = filename.split(marker, 1)[1]
            return f"xhsvc/{rest}" if marker == "/xhsvc/" else rest
    return filename


def print_profile(profile: cProfile.Profile, top: int) -> None:
    stats = pstats.Stats(profile)
    entries = stats.stats  # type: ignore[attr-defined]
    rows = []
    for (filename, line, name), (_cc, calls, own, cumulative, _callers) in entries.items():
        place = f"{where(filename)}:{line}" if line else "~"
        rows.append((cumulative, own, calls, f"{place}({name})"))
    for title, key in (("cumulative", 0), ("own time", 1)):
        print(f"top {top} functions by {title}:")
        print(f"  {'cum s':>7}  {'own s':>7}  {'calls':>9}  function")
        for cumulative, own, calls, label in sorted(rows, key=lambda r: r[key], reverse=True)[:top]:
            print(f"  {cumulative:7.2f}  {own:7.2f}  {calls:9,}  {label}")
        print()


# Query plan -------------------------------------------------------------------------------------


def captured(db: Database, call: Callable[[], object]) -> list[tuple[str, tuple[Any, ...]]]:
    """The SELECT statements (with their parameters) that `call()` sends to the database."""
    seen: list[tuple[str, tuple[Any, ...]]] = []

    def listen(_conn, _cursor, statement, parameters, _context, _executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, tuple(parameters)))

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        call()
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    return seen


def query_plan(conn: Connection, statement: str, params: tuple[Any, ...]) -> list[str]:
    return [row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)]


def statement_ms(conn: Connection, statement: str, params: tuple[Any, ...], repeat: int) -> tuple[float, int]:
    """Median time of the statement and how many rows it returns."""
    times = []
    count = 0
    for _ in range(repeat):
        began = time.perf_counter()
        count = len(conn.exec_driver_sql(statement, params).all())
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), count


def one_line(statement: str) -> str:
    return " ".join(statement.split())


def show_plans(
    db_file: Path,
    snapshots: dict[str, tuple[Path, int]],
    now: datetime,
    repeat: int,
    *,
    prepare: str | None = None,
    verbose: bool = True,
) -> bool:
    """Plan, time and rows of the statement `tickets_to_check` issues, on each scenario's data
    (after running `prepare` on it, if given); True if every plan seeks INDEX."""
    verdicts = []
    for label, (snapshot, due) in snapshots.items():
        restore(snapshot, db_file)
        db = open_database(f"sqlite:///{db_file}")
        if prepare:
            with db.write() as conn:
                conn.exec_driver_sql(prepare)

        def read(db: Database = db) -> None:
            with db.read() as conn:
                queries.tickets_to_check(conn, now=now, limit=sweep_core.PAGE)

        statement, params = captured(db, read)[0]
        with db.read() as conn:
            plan_lines = query_plan(conn, statement, params)
            took_ms, found = statement_ms(conn, statement, params, repeat)
            analyzed = conn.exec_driver_sql(
                "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"
            ).scalar()
        db.dispose()
        if verbose and not verdicts:
            print(f"  {one_line(statement)}")
            print(f"  params: {params}")
            print(f"  ANALYZE statistics (sqlite_stat1): {'yes' if analyzed else 'none'}")
        uses = any(INDEX in line for line in plan_lines)
        verdicts.append(uses)
        print(
            f"    {label:<9} ({due:>6,} due)  {took_ms:7.2f} ms  {found:4} rows  "
            f"{'uses ' + INDEX if uses else 'not ' + INDEX:<25}  {' / '.join(plan_lines)}"
        )
    return all(verdicts)


# Main -----------------------------------------------------------------------------------------


def size_mb(db_file: Path) -> float:
    files = [db_file, db_file.with_name(db_file.name + "-wal")]
    return sum(f.stat().st_size for f in files if f.exists()) / 1e6


def print_table(floor: Sequence[Timed], rows: Sequence[Timed]) -> None:
    label_w = max(len("scenario"), *(len(r.label) for r in (*floor, *rows)))
    base = statistics.median(rows[0].times) if rows and rows[0].due == 0 else None
    print(
        f"{'scenario':<{label_w}}  {'due':>6}  {'min ms':>8}  {'median':>8}  {'max ms':>8}  "
        f"{'checked':>7}  {'fired':>6}  {'breached':>8}  {'ms/ticket':>9}  {'marginal':>8}"
    )
    for r in (*floor, *rows):
        head = f"{r.label:<{label_w}}  {'' if r.due is None else f'{r.due:,}':>6}  "
        times = f"{min(r.times):8.1f}  {statistics.median(r.times):8.1f}  {max(r.times):8.1f}"
        if r.due is None:
            print(head + times)
            continue
        per = marginal = ""
        if r.checked:
            per = f"{statistics.median(r.times) / r.checked:.2f}"
            if base is not None:
                marginal = f"{(statistics.median(r.times) - base) / r.checked:.2f}"
        print(f"{head}{times}  {r.checked:7,}  {r.fired:6,}  {r.breached:8,}  {per:>9}  {marginal:>8}")


def print_firings(rows: Sequence[Timed]) -> None:
    for r in rows:
        if not r.runs:
            continue
        rules = Counter(f["rule"] for f in r.runs[0]["fired"])
        breaches = Counter(b["clock"] for b in r.runs[0]["breached"])
        same = all(
            (run["checked"], len(run["fired"]), len(run["breached"])) == (r.checked, r.fired, r.breached)
            for run in r.runs
        )
        fired = ", ".join(f"{rule} {n:,}" for rule, n in rules.most_common()) or "none"
        breached = ", ".join(f"{clock} {n:,}" for clock, n in breaches.most_common()) or "none"
        print(f"  {r.label}: fired {fired}; breached {breached}{'' if same else '  (runs DIFFER)'}")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tickets", type=int, default=100_000, metavar="N", help="open tickets to create")
    add_common(parser, repeat=3)
    args = parser.parse_args(argv)
    if args.tickets < 1 or args.repeat < 1:
        parser.error("--tickets and --repeat must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    with scratch("xhsvc-bench-", keep=args.keep) as home:
        os.environ["XHSVC_HOME"] = str(home)
        db_file = home / "xhsvc.db"
        url = f"sqlite:///{db_file}"
        rng = random.Random(args.seed)
        # The moment the data is made for and every sweep evaluates at (`--now`), so runs compare.
        now = datetime.now(UTC).replace(microsecond=0)
        db = open_database(url)
        began = time.perf_counter()
        filled = fill(db, count=args.tickets, rng=rng, now=now)
        took = time.perf_counter() - began
        events = sum(filled.events.values())
        print(
            f"fill: {events:,} events through append_many in {took:.1f} s ({events / took:,.0f} events/s, "
            f"{BATCH:,} tickets and their clocks per call and transaction)"
        )
        print("rows: " + ", ".join(f"{entity} {n:,}" for entity, n in filled.events.items()))
        print(
            "tickets: "
            + ", ".join(f"{k} {n:,}" for k, n in sorted(filled.levels.items()))
            + "; "
            + ", ".join(f"{k} {n:,}" for k, n in sorted(filled.priorities.items()))
            + "; "
            + ", ".join(f"{k} {n:,}" for k, n in sorted(filled.statuses.items()))
            + f"; reported within the last {REPORTED_WITHIN.total_seconds() / 3600:.0f} h"
        )

        env = {k: v for k, v in os.environ.items() if k != "XHSVC_DB"}
        env["XHSVC_HOME"] = str(home)
        xhsvc = find_xhsvc()
        run([xhsvc, "init", "--id", USER[0], "--name", USER[1], "--role", USER[2]], env)
        # The sweep's own identity exists after its first run anywhere; make it now, so that no timed
        # run pays for creating it.
        ensure_system_person(Context(db=db))

        # One snapshot of the database file per scenario; every run starts from a fresh copy.
        chosen = rng.sample(filled.ticket_ids, round(max(share for _, share in SCENARIOS) * args.tickets))
        snapshots: dict[str, tuple[Path, int]] = {}
        for i, (label, share) in enumerate(SCENARIOS):
            due_ids = chosen[: round(share * args.tickets)]
            set_due(db, due_ids, now, rng)
            checkpoint(db)
            snapshot = home / f"scenario-{i}.db"
            shutil.copyfile(db_file, snapshot)
            snapshots[label] = (snapshot, len(due_ids))
        db.dispose()
        print(f"database: {size_mb(db_file):.1f} MB  {db_file}")
        print()

        floor = [
            Timed("python -c pass", None, time_command([sys.executable, "-c", "pass"], env, args.repeat)[0]),
            Timed("xhsvc --help", None, time_command([xhsvc, "--help"], env, args.repeat)[0]),
            # Opens the database (the imports and start-up every sweep pays) and reads nothing.
            Timed("xhsvc sla due", None, time_command([xhsvc, *DUE_ARGS], env, args.repeat)[0]),
        ]
        argv = [xhsvc, "sla", "sweep", "--json", "--now", now.isoformat()]
        rows = []
        for label, (snapshot, due) in snapshots.items():
            times, outs = time_command(argv, env, args.repeat, before=lambda s=snapshot: restore(s, db_file))
            outs = outs[1:]  # the timed runs' output
            rows.append(Timed(label, due, times, [json.loads(out) for out in outs]))
        print(f"xhsvc {' '.join(argv[1:])}  ({args.tickets:,} open tickets):")
        print_table(floor, rows)
        print(
            f"({args.repeat} timed runs each after one warm-up, the database file restored before each; "
            "ms/ticket = median / checked; marginal = (median - none-due median) / checked)"
        )
        print_firings(rows)
        print()

        # In process: one plain sweep, then one under cProfile, each from the same state.
        snapshot, due = snapshots[PROFILED]
        restore(snapshot, db_file)
        db = open_database(url)
        ctx = Context(db=db, actor_handle=USER[0])
        began = time.perf_counter()
        result = sweep_core.sweep(ctx, now=now)
        plain = (time.perf_counter() - began) * 1000
        db.dispose()
        restore(snapshot, db_file)
        db = open_database(url)
        ctx = Context(db=db, actor_handle=USER[0])
        profile = cProfile.Profile()
        began = time.perf_counter()
        profile.enable()
        profiled = sweep_core.sweep(ctx, now=now)
        profile.disable()
        under = (time.perf_counter() - began) * 1000
        db.dispose()
        print(
            f"in-process sweep(), {PROFILED} ({due:,}): {plain:,.0f} ms "
            f"({plain / max(result.checked, 1):.2f} ms/ticket, {result.checked:,} checked, "
            f"{len(result.fired):,} fired); under cProfile {under:,.0f} ms ({profiled.checked:,} checked)"
        )
        print_profile(profile, TOP)

        # The sweep's indexed read: its plan and time on each scenario's data, as the schema has it,
        # then with other indexes tried on a scratch copy (the project's schema is not changed).
        print(f"EXPLAIN QUERY PLAN of queries.tickets_to_check (limit {sweep_core.PAGE}):")
        uses = show_plans(db_file, snapshots, now, max(args.repeat, 5))
        if not uses:
            print()
            print("the same statement after each of these, on a scratch copy (the schema is not changed):")
            for label, sql in TRIALS:
                print(f"  {label}:  {sql}")
                show_plans(db_file, snapshots, now, max(args.repeat, 5), prepare=sql, verbose=False)


if __name__ == "__main__":
    main()
