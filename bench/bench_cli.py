"""Benchmark the installed `xhsvc` command on a large, realistic SQLite database.

Builds a throwaway database (XHSVC_HOME in a temp folder) holding N tickets with their
`ticket.opened` events, filled through SQLAlchemy Core in batches, then times the real `xhsvc`
command as a subprocess and reports whether `--help` and `ticket list` import textual and
sqlalchemy. It prints figures; it is not a test.

Run from the project root:

    .venv/bin/python bench/bench_cli.py [--tickets N] [--repeat R] [--keep]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from harness import add_common, find_xhsvc, run, scratch, time_command
from sqlalchemy import delete

from xhsvc.core.settings import DEFAULT_PRIORITY_MATRIX
from xhsvc.store import queries, tables
from xhsvc.store.db import Database, open_database
from xhsvc.store.events import HLC_LOGICAL_BITS, dumps
from xhsvc.store.ids import new_id

Row = dict[str, Any]

PERSON = tables.Person.__table__
CUSTOMER = tables.Customer.__table__
TICKET = tables.Ticket.__table__
EVENT = tables.Event.__table__
COUNTER = tables.Counter.__table__

BATCH = 5_000
CUSTOMERS = 1_000
HISTORY = timedelta(days=730)
HEAVY_MODULES = ("textual", "sqlalchemy")

# handle, name, role, tier, region
PEOPLE: list[tuple[str, str, str, str | None, str]] = [
    ("wangfang", "王芳", "agent", None, "杭州"),
    ("lijun", "李军", "engineer", "L1", "杭州"),
    ("zhangwei", "张伟", "engineer", "L1", "北京"),
    ("liuyang", "刘洋", "engineer", "L1", "上海"),
    ("chenjie", "陈杰", "engineer", "L1", "广州"),
    ("wuhao", "吴昊", "engineer", "L2", "杭州"),
    ("xuqiang", "徐强", "engineer", "L2", "北京"),
    ("zhoujian", "周建", "manager", None, "杭州"),
]

CITIES = [
    "杭州", "宁波", "温州", "绍兴", "北京", "天津", "上海", "苏州", "南京", "无锡",
    "广州", "深圳", "东莞", "佛山", "成都", "重庆", "武汉", "长沙", "郑州", "西安",
    "济南", "青岛", "合肥", "福州", "厦门", "南昌", "昆明", "贵阳", "南宁", "沈阳",
    "大连", "长春", "哈尔滨", "石家庄", "太原", "兰州", "乌鲁木齐", "呼和浩特", "海口", "银川",
]  # fmt: skip

# name suffix, industry
ORGS: list[tuple[str, str]] = [
    ("市第一人民医院", "医疗"), ("市中心医院", "医疗"), ("市妇幼保健院", "医疗"),
    ("医科大学附属医院", "医疗"), ("市政务数据中心", "政府"), ("市社会保障中心", "政府"),
    ("市公安局信息中心", "政府"), ("市税务局数据中心", "政府"), ("市不动产登记中心", "政府"),
    ("城市商业银行", "金融"), ("农村商业银行", "金融"), ("证券数据中心", "金融"),
    ("保险分公司", "金融"), ("住房公积金管理中心", "金融"), ("供电公司", "能源"),
    ("燃气集团", "能源"), ("自来水公司", "公用事业"), ("地铁运营公司", "交通"),
    ("港务集团", "交通"), ("机场集团", "交通"), ("高速公路管理局", "交通"),
    ("市教育局", "教育"), ("大学信息中心", "教育"), ("教育考试院", "教育"),
    ("广播电视台", "媒体"), ("日报社", "媒体"), ("移动分公司", "通信"),
    ("联通分公司", "通信"), ("电信数据中心", "通信"), ("物流信息中心", "物流"),
    ("烟草公司", "制造"), ("钢铁集团", "制造"), ("汽车制造有限公司", "制造"),
    ("生物医药研究院", "科研"), ("软件园运营中心", "IT"), ("云计算中心", "IT"),
    ("气象局", "政府"), ("海关信息中心", "政府"), ("图书馆", "文化"), ("博物馆", "文化"),
]  # fmt: skip

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红鹏辉建国志文斌宁浩宇晨"

# title, service
TITLES: list[tuple[str, str]] = [
    ("存储阵列控制器B告警，性能下降", "remote"),
    ("双活集群心跳中断，业务切换至单站点", "onsite"),
    ("备份任务连续三晚失败，报错 media full", "maintenance"),
    ("多路径软件升级后部分LUN不可见", "remote"),
    ("硬盘故障灯亮，热备盘已接管", "maintenance"),
    ("快照空间不足，自动删除旧快照", "remote"),
    ("年度系统优化评估申请", "optimization"),
    ("灾备切换演练支持请求", "dr_drill"),
    ("数据库卷写延迟超过50ms", "remote"),
    ("机房空调故障后存储温度告警", "non_product"),
    ("复制链路中断，RPO超标", "remote"),
    ("新管理员产品培训申请", "training"),
    ("系统上线期间现场值守", "standby"),
    ("固件版本过旧，申请升级评估", "maintenance"),
    ("季度巡检", "inspection"),
    ("管理口无法登录，SSH超时", "remote"),
    ("电源模块冗余告警", "onsite"),
]
RESOLUTIONS = [
    "远程调整多路径策略后恢复，已观察24小时无告警。",
    "更换故障硬盘，重构完成，业务读写正常。",
    "清理过期快照并调整保留策略，空间恢复。",
    "升级控制器固件至推荐版本，问题不再复现。",
    "现场更换电源模块，冗余恢复。",
    "协助客户完成演练，出具演练报告。",
    "客户环境问题（空调故障），协助恢复后设备正常。",
]
CHANNELS = (("hotline", 70), ("direct", 15), ("email", 12), ("other", 3))
# Open statuses and their share of the open tickets.
OPEN_MIX = (("new", 15), ("assigned", 20), ("in_progress", 35), ("waiting_customer", 15), ("resolved", 15))


@dataclass
class Filled:
    tickets: int = 0
    events: int = 0
    statuses: Counter[str] = field(default_factory=Counter)


@dataclass
class Clock:
    """Event sequence and hybrid logical clock, the same shape `events.append` gives them."""

    seq: int = 0
    hlc: int = 0

    def tick(self, at: datetime) -> tuple[int, int]:
        self.seq += 1
        self.hlc = max(self.hlc + 1, int(at.timestamp() * 1000) << HLC_LOGICAL_BITS)
        return self.seq, self.hlc


# Filling --------------------------------------------------------------------------------------


def _strip(row: Row) -> Row:
    return {k: v for k, v in row.items() if k != "id"}


def _added(person: Row) -> str:
    return f"{person['name']} ({person['handle']}) added as {person['role']}"


def _opened(ticket: Row, customer: str) -> str:
    major = ", major incident" if ticket["major"] else ""
    return f"opened via {ticket['channel']} for {customer}: {ticket['title']} ({ticket['priority']}{major})"


def _event(db: Database, clock: Clock, row: Row, *, kind: str, actor: str, summary: str) -> Row:
    """The event that creates `row`, as `events.append` would have written it."""
    entity = kind.split(".")[0]
    at = row["created_at"]
    seq, hlc = clock.tick(at)
    return {
        "id": new_id(),
        "entity": entity,
        "entity_id": row["id"],
        "ticket_id": row["id"] if entity == "ticket" else None,
        "kind": kind,
        "payload": dumps({"create": _strip(row), "summary": summary}),
        "actor": actor,
        "at": at,
        "node": db.node_id,
        "seq": seq,
        "hlc": hlc,
    }


def _people(start: datetime) -> list[Row]:
    rows = []
    for i, (handle, name, role, tier, region) in enumerate(PEOPLE):
        rows.append(
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
                "created_at": start + timedelta(minutes=i),
            }
        )
    return rows


def _customers(rng: random.Random, start: datetime, count: int) -> list[Row]:
    names = [(city + org, city, industry) for city in CITIES for org, industry in ORGS]
    picked = rng.sample(names, min(count, len(names)))
    picked += [(f"{name}{i}", city, ind) for i, (name, city, ind) in enumerate(names[: count - len(picked)])]
    return [
        {
            "id": new_id(),
            "name": name,
            "region": city,
            "industry": industry,
            "created_at": start + timedelta(hours=1, minutes=i),
        }
        for i, (name, city, industry) in enumerate(picked)
    ]


def _status(rng: random.Random, age: timedelta) -> str:
    """Most tickets are closed; the open ones are mostly recent."""
    p_open = 0.30 if age < timedelta(days=30) else 0.15 if age < timedelta(days=120) else 0.002
    if rng.random() < p_open:
        return rng.choices([s for s, _ in OPEN_MIX], [w for _, w in OPEN_MIX])[0]
    return "cancelled" if rng.random() < 0.015 else "closed"


def _person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))


def _ticket(
    rng: random.Random,
    *,
    key: str,
    created: datetime,
    now: datetime,
    people: dict[str, list[Row]],
    customers: Sequence[Row],
) -> tuple[Row, str]:
    """One ticket row (without id) in a realistic state, and the handle of who opened it."""
    status = _status(rng, now - created)
    impact = rng.choices((1, 2, 3, 4), (2, 12, 56, 30))[0]
    urgency = rng.choices((1, 2, 3, 4), (5, 20, 50, 25))[0]
    title, service = rng.choice(TITLES)
    channel = rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
    tier = "L2" if rng.random() < 0.15 else "L1"
    engineer = rng.choice(people[tier])
    # An engineer who takes a direct call owns the ticket from the start.
    engineer_owns = channel == "direct" and tier == "L1"
    opener = engineer if engineer_owns else people["agent"][0]
    if engineer_owns and status == "new":
        status = "assigned"
    assigned = engineer_owns or (status != "new" and not (status == "cancelled" and rng.random() < 0.5))

    def later(when: datetime, low_minutes: float, high_minutes: float) -> datetime:
        return min(now, when + timedelta(minutes=rng.uniform(low_minutes, high_minutes)))

    responded = resolved = confirmed = closed = None
    if status in ("in_progress", "waiting_customer", "resolved", "closed"):
        responded = later(created, 2, 120)
    if status in ("resolved", "closed"):
        resolved = later(responded or created, 30, 5 * 24 * 60)
    if status == "closed":
        confirmed = later(resolved or created, 10, 2 * 24 * 60)
        closed = later(confirmed, 1, 60)
    onsite = service in ("onsite", "standby", "non_product") and status != "new"
    major = impact == 1
    reviewed = closed if major and closed else None
    contact_name = _person_name(rng)
    row: Row = {
        "key": key,
        "title": title,
        "description": f"客户来电：{title}。" if rng.random() < 0.7 else None,
        "status": status,
        "tier": tier,
        "impact": impact,
        "urgency": urgency,
        "priority": f"P{DEFAULT_PRIORITY_MATRIX[impact - 1][urgency - 1]}",
        "major": major,
        "service": service,
        "channel": channel,
        "contact": f"{contact_name}/1{rng.randrange(10**9, 10**10)}",
        "customer_id": rng.choice(customers)["id"],
        "assignee_id": engineer["id"] if assigned else None,
        "opened_by_id": opener["id"],
        "onsite": onsite,
        "onsite_tier": tier if onsite else None,
        "created_at": created,
        "updated_at": closed or confirmed or resolved or responded or created,
        "responded_at": responded,
        "resolved_at": resolved,
        "resolution": rng.choice(RESOLUTIONS) if resolved else None,
        "confirmed_by": contact_name if confirmed else None,
        "confirmed_at": confirmed,
        "closed_at": closed,
        "report": f"服务报告 {key}：现场处理完成，客户签字确认。" if onsite and closed else None,
        "root_cause": "控制器固件缺陷" if reviewed else None,
        "review_actions": "全网排查同版本固件并计划升级" if reviewed else None,
        "reviewed_at": reviewed,
        "reopen_count": 1 if closed and rng.random() < 0.02 else 0,
    }
    return row, opener["handle"]


def _batches(rows: Iterator[tuple[Row, Row]], size: int) -> Iterator[tuple[list[Row], list[Row]]]:
    tickets: list[Row] = []
    events: list[Row] = []
    for ticket, event in rows:
        tickets.append(ticket)
        events.append(event)
        if len(tickets) >= size:
            yield tickets, events
            tickets, events = [], []
    if tickets:
        yield tickets, events


def fill(db: Database, *, count: int, rng: random.Random, batch: int = BATCH) -> Filled:
    """People, customers and `count` tickets, each with the event that created it."""
    now = datetime.now(UTC)
    start = now - HISTORY - timedelta(days=30)
    clock = Clock()
    filled = Filled()
    people = _people(start)
    customers = _customers(rng, start, CUSTOMERS)
    desk = PEOPLE[0][0]  # the agent records everything that is not a direct call
    with db.write() as conn:
        conn.execute(PERSON.insert(), people)
        conn.execute(CUSTOMER.insert(), customers)
        setup_events = [
            _event(db, clock, p, kind="person.added", actor=desk, summary=_added(p)) for p in people
        ] + [
            _event(db, clock, c, kind="customer.added", actor=desk, summary=f"customer {c['name']} added")
            for c in customers
        ]
        conn.execute(EVENT.insert(), setup_events)
    filled.events += len(setup_events)

    by_role: dict[str, list[Row]] = {"agent": [], "L1": [], "L2": []}
    for p in people:
        by_role.setdefault(p["tier"] or p["role"], []).append(p)
    names = {c["id"]: c["name"] for c in customers}
    created = sorted(now - HISTORY * rng.random() for _ in range(count))

    def rows() -> Iterator[tuple[Row, Row]]:
        for number, at in enumerate(created, start=1):
            row, opener = _ticket(
                rng, key=f"{db.prefix}-{number:06d}", created=at, now=now, people=by_role, customers=customers
            )
            ticket = {"id": new_id(), **row}
            filled.statuses[row["status"]] += 1
            yield (
                ticket,
                _event(
                    db,
                    clock,
                    ticket,
                    kind="ticket.opened",
                    actor=opener,
                    summary=_opened(row, names[row["customer_id"]]),
                ),
            )

    for tickets, events in _batches(rows(), batch):
        with db.write() as conn:
            conn.execute(TICKET.insert(), tickets)
            conn.execute(EVENT.insert(), events)
        filled.tickets += len(tickets)
        filled.events += len(events)

    counters = {f"ticket:{db.prefix}": count, f"seq:{db.node_id}": clock.seq, "hlc": clock.hlc}
    with db.write() as conn:
        conn.execute(delete(COUNTER).where(COUNTER.c.name.in_(list(counters))))
        conn.execute(COUNTER.insert(), [{"name": k, "value": v} for k, v in counters.items()])
    return filled


# Timing ---------------------------------------------------------------------------------------


def imported(args: Sequence[str], env: dict[str, str]) -> set[str]:
    """Top-level names of the modules `python -X importtime -m xhsvc ARGS` imports."""
    done = run([sys.executable, "-X", "importtime", "-m", "xhsvc", *args], env)
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


def size_mb(db_file: Path) -> float:
    files = [db_file, db_file.with_name(db_file.name + "-wal")]
    return sum(f.stat().st_size for f in files if f.exists()) / 1e6


# Main -----------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tickets", type=int, default=100_000, metavar="N", help="tickets to create")
    add_common(parser, repeat=5)
    args = parser.parse_args(argv)
    if args.tickets < 1 or args.repeat < 1:
        parser.error("--tickets and --repeat must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    with scratch("xhsvc-bench-", keep=args.keep) as home:
        os.environ["XHSVC_HOME"] = str(home)
        db_file = home / "xhsvc.db"
        db = open_database(f"sqlite:///{db_file}")
        began = time.perf_counter()
        filled = fill(db, count=args.tickets, rng=random.Random(args.seed))
        took = time.perf_counter() - began
        with db.read() as conn:
            total = queries.count_tickets(conn)
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.dispose()
        rate = (filled.tickets + filled.events) / took
        print(
            f"fill: {filled.tickets:,} tickets and {filled.events:,} events in {took:.1f} s "
            f"({rate:,.0f} rows/s)"
        )
        open_counts = ", ".join(f"{s} {filled.statuses[s]:,}" for s, _ in OPEN_MIX)
        print(
            f"tickets: {total:,} (closed {filled.statuses['closed']:,}, "
            f"cancelled {filled.statuses['cancelled']:,}; open: {open_counts})"
        )
        print(f"database: {size_mb(db_file):.1f} MB  {db_file}")
        print()

        env = {k: v for k, v in os.environ.items() if k != "XHSVC_DB"}
        env["XHSVC_HOME"] = str(home)
        xhsvc = find_xhsvc()
        key = f"{db.prefix}-{(args.tickets + 1) // 2:06d}"
        commands: list[list[str]] = [
            ["--help"],
            ["ticket", "list"],
            ["ticket", "list", "--json"],
            ["ticket", "list", "--status", "new", "--limit", "50"],
            ["ticket", "show", key],
        ]
        times, outputs = time_command([sys.executable, "-c", "pass"], env, args.repeat)
        results = [("python -c pass", times, len(outputs[0].splitlines()))]
        for command in commands:
            times, outputs = time_command([xhsvc, *command], env, args.repeat)
            results.append(("xhsvc " + " ".join(command), times, len(outputs[0].splitlines())))

        width = max(len(name) for name, _, _ in results)
        print(f"{'command':<{width}}  {'min ms':>8}  {'median':>8}  {'max ms':>8}  {'lines':>6}")
        for name, times, lines in results:
            print(
                f"{name:<{width}}  {min(times):8.1f}  {statistics.median(times):8.1f}  "
                f"{max(times):8.1f}  {lines:6d}"
            )
        print(f"({args.repeat} timed runs each after one warm-up; python -c pass is the interpreter floor)")
        print()

        for command in (["--help"], ["ticket", "list"]):
            names = imported(command, env)
            found = ", ".join(f"{m} {'yes' if m in names else 'no'}" for m in HEAVY_MODULES)
            print(f"imports for xhsvc {' '.join(command)}: {found}")


if __name__ == "__main__":
    main()
