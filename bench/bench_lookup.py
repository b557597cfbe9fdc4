"""Benchmark `xhsvc lookup` (phone, serial, name) on a large, realistic SQLite database.

Builds a throwaway database (XHSVC_HOME in a temp folder) holding N customers, each with one site,
two contacts (a landline and a mobile), one or two assets and, for about 80% of them, a contract
with one term, all written through the event log with `events.append_many` as an import does.
Then it times the real `xhsvc lookup` command as a subprocess (plain and --json), the same
lookups in-process (the query cost without Python start-up), and prints SQLite's EXPLAIN QUERY
PLAN for every statement `queries.lookup_customer_ids` issues. It prints figures; it is not a test.

Run from the project root:

    .venv/bin/python bench/bench_lookup.py [--customers N] [--repeat R] [--seed S] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

sys.path.insert(0, str(Path(__file__).parent))
from harness import add_common, find_xhsvc, time_command
from rich.cells import cell_len
from sqlalchemy import Connection, event

from xhsvc.core.context import Context
from xhsvc.core.customers import phone_search_keys
from xhsvc.core.lookup import lookup
from xhsvc.store import queries
from xhsvc.store.db import Database, open_database
from xhsvc.store.events import Change, Origin, append_many
from xhsvc.store.ids import new_id


def _digits(phone: str | None) -> str | None:
    return phone_search_keys(phone)["phone_digits"]


Row = dict[str, Any]

BATCH = 20_000
LIMIT = 10  # what `xhsvc lookup` returns unless --limit says otherwise
CONTRACTED = 0.8
EXPIRED = 0.2  # of the contracts

# city, telephone area code
CITIES: list[tuple[str, str]] = [
    ("杭州", "0571"), ("宁波", "0574"), ("温州", "0577"), ("北京", "010"), ("天津", "022"),
    ("上海", "021"), ("苏州", "0512"), ("南京", "025"), ("无锡", "0510"), ("广州", "020"),
    ("深圳", "0755"), ("东莞", "0769"), ("佛山", "0757"), ("成都", "028"), ("重庆", "023"),
    ("武汉", "027"), ("长沙", "0731"), ("郑州", "0371"), ("西安", "029"), ("济南", "0531"),
    ("青岛", "0532"), ("合肥", "0551"), ("福州", "0591"), ("厦门", "0592"), ("南昌", "0791"),
    ("昆明", "0871"), ("贵阳", "0851"), ("南宁", "0771"), ("沈阳", "024"), ("大连", "0411"),
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

DISTRICTS = (
    "东区", "西区", "南区", "北区", "高新区", "开发区", "新区", "老城区",
    "滨江", "城东", "城西", "城南", "城北", "经开区", "保税区", "空港",
)  # fmt: skip
STREETS = ("解放路", "人民路", "中山路", "建设路", "文三路", "科技路", "学院路", "滨河路", "经海路", "长江路")
ROOMS = ("主机房", "数据中心机房", "信息中心机房", "灾备中心", "核心机房")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程"
# contact title, role: a desk phone for the one in charge, a mobile for the one on call
DESK_TITLES = (("主任", "信息科主任"), ("科长", "运维科长"), ("经理", "基础架构经理"), ("处长", "信息处处长"))
MOBILE_TITLES = (("工", "存储管理员"), ("工", "运维工程师"), ("老师", "系统管理员"), ("师傅", "机房值班"))

# serial code, model, firmware versions, weight
MODELS: list[tuple[str, str, tuple[str, ...], int]] = [
    ("XS5K", "XS-5000 统一存储", ("V3.1.4", "V3.2.1", "V3.2.3"), 50),
    ("XS8K", "XS-8000 全闪存阵列", ("V3.9.5", "V4.0.2", "V4.1.0"), 30),
    ("XB300", "XB-300 备份一体机", ("V2.7.2", "V2.8.0"), 20),
]
YEARS = range(2018, 2026)
LEVELS = (("platinum", 10), ("gold", 30), ("silver", 35), ("basic", 25))


class PlannedContract(NamedTuple):
    id: str
    number: str
    level: str
    start: date
    end: date
    notes: str | None


@dataclass(slots=True)
class Planned:
    """One customer and everything it owns, as generated (ids included) before any write."""

    id: str
    name: str
    city: str
    industry: str
    site_id: str
    site_name: str
    address: str
    # id, name, phone, role
    contacts: list[tuple[str, str, str, str]]
    # id, serial, model, firmware
    assets: list[tuple[str, str, str, str]]
    contract: PlannedContract | None

    @property
    def landline(self) -> str:
        return self.contacts[0][2]

    @property
    def mobile(self) -> str:
        return self.contacts[1][2]


@dataclass
class Lookup:
    label: str
    text: str
    expect: str | None  # a customer that must be among those returned
    matches: set[str] = field(default_factory=set)  # names of every customer the text matches


@dataclass
class Timed:
    label: str
    how: str
    times: list[float]
    names: list[str] | None  # None for the start-up floor rows, which look nothing up
    verdict: str = ""


# Planning -------------------------------------------------------------------------------------


def _unique(rng: random.Random, seen: set[str], make: Callable[[random.Random], str]) -> str:
    """A phone number made by `make` whose digits are not in `seen` yet."""
    while True:
        value = make(rng)
        digits = _digits(value) or ""
        if digits not in seen:
            seen.add(digits)
            return value


def _contract(rng: random.Random, number: int, today: date) -> PlannedContract:
    """One contract; about EXPIRED of them ended before today."""
    if rng.random() < EXPIRED:
        start = today - timedelta(days=rng.randrange(400, 1200))
    else:
        start = today - timedelta(days=rng.randrange(0, 330))
    years = rng.choices((1, 3), (85, 15))[0]
    end = start + timedelta(days=365 * years - 1)
    level = rng.choices([lv for lv, _ in LEVELS], [w for _, w in LEVELS])[0]
    notes = rng.choice((None, None, None, "含灾备中心备份一体机", "到期前60天提醒续约", "原厂备件库在本地"))
    return PlannedContract(new_id(), f"HT-{start.year}-{number:06d}", level, start, end, notes)


def plan(rng: random.Random, count: int, today: date) -> list[Planned]:
    """`count` customers with unique names, phones and serials."""
    combos = [(city, code, org, ind, d) for city, code in CITIES for org, ind in ORGS for d in DISTRICTS]
    rng.shuffle(combos)
    phones: set[str] = set()
    serial_no = contract_no = 0
    out = []
    for i in range(count):
        city, code, org, industry, district = combos[i % len(combos)]
        name = f"{city}{org}（{district}{i // len(combos) + 1}）"
        desk_title, desk_role = rng.choice(DESK_TITLES)
        mobile_title, mobile_role = rng.choice(MOBILE_TITLES)
        landline = _unique(rng, phones, lambda r, code=code: f"{code}-8{r.randrange(10**7):07d}")
        mobile = _unique(rng, phones, lambda r: f"1{r.randrange(3, 10)}{r.randrange(10**9):09d}")
        assets = []
        for _ in range(rng.choices((1, 2), (60, 40))[0]):
            serial_no += 1
            code_, model, firmwares, _w = rng.choices(MODELS, [m[3] for m in MODELS])[0]
            serial = f"{code_}-{rng.choice(YEARS)}-{serial_no:07d}"
            assets.append((new_id(), serial, model, rng.choice(firmwares)))
        contract = None
        if rng.random() < CONTRACTED:
            contract_no += 1
            contract = _contract(rng, contract_no, today)
        out.append(
            Planned(
                id=new_id(),
                name=name,
                city=city,
                industry=industry,
                site_id=new_id(),
                site_name=rng.choice(ROOMS),
                address=f"{city}市{district}{rng.choice(STREETS)}{rng.randrange(1, 1500)}号",
                contacts=[
                    (new_id(), rng.choice(SURNAMES) + desk_title, landline, desk_role),
                    (new_id(), rng.choice(SURNAMES) + mobile_title, mobile, mobile_role),
                ],
                assets=assets,
                contract=contract,
            )
        )
    return out


# Filling --------------------------------------------------------------------------------------


def _added(entity: str, entity_id: str, row: Row, summary: str) -> Change:
    return Change(entity, entity_id, f"{entity}.added", {"create": row, "summary": summary})


def changes(plans: Sequence[Planned], now: datetime) -> Iterator[Change]:
    """The `<entity>.added` events, entity by entity so that `append_many` inserts table by table
    and every row's parents are in before it."""
    for p in plans:
        row = {"name": p.name, "region": p.city, "industry": p.industry, "created_at": now}
        yield _added("customer", p.id, row, f"customer {p.name} added")
    for p in plans:
        row = {
            "customer_id": p.id,
            "name": p.site_name,
            "address": p.address,
            "city": p.city,
            "region": p.city,
            "created_at": now,
        }
        yield _added("site", p.site_id, row, f"site {p.site_name} of {p.name} added")
    for p in plans:
        for contact_id, name, phone, role in p.contacts:
            row = {
                "customer_id": p.id,
                "name": name,
                "phone": phone,
                **phone_search_keys(phone),
                "email": None,
                "role": role,
                "created_at": now,
            }
            yield _added("contact", contact_id, row, f"contact {name} of {p.name} added")
    for p in plans:
        for asset_id, serial, model, firmware in p.assets:
            row = {
                "customer_id": p.id,
                "site_id": p.site_id,
                "serial": serial,
                "model": model,
                "firmware": firmware,
                "created_at": now,
            }
            yield _added("asset", asset_id, row, f"asset {model} {serial} of {p.name} added")
    contracted = [(p, p.contract) for p in plans if p.contract is not None]
    for p, c in contracted:
        row = {
            "number": c.number,
            "customer_id": p.id,
            "notes": c.notes,
            "terminated_on": None,
            "termination_reason": None,
            "created_at": now,
        }
        yield _added("contract", c.id, row, f"contract {c.number} for {p.name} added")
    for _p, c in contracted:
        row = {
            "contract_id": c.id,
            "term_no": 1,
            "level": c.level,
            "start_date": c.start,
            "end_date": c.end,
            "created_at": now,
        }
        summary = f"contract {c.number} term 1: {c.level} {c.start} .. {c.end}"
        yield _added("contract_term", new_id(), row, summary)
    for p, c in contracted:
        for asset_id, serial, _model, _firmware in p.assets:
            row = {"contract_id": c.id, "asset_id": asset_id}
            yield _added("contract_asset", new_id(), row, f"asset {serial} covered by {c.number}")


def fill(db: Database, plans: Sequence[Planned], *, batch: int = BATCH) -> Counter[str]:
    """Write `plans` through the event log, `batch` changes per `append_many` and transaction."""
    now = datetime.now(UTC)
    origin = Origin(actor="bench", at=now, node=db.node_id)
    counts: Counter[str] = Counter()
    pending: list[Change] = []
    for change in changes(plans, now):
        pending.append(change)
        counts[change.entity] += 1
        if len(pending) >= batch:
            with db.write() as conn:
                append_many(conn, origin, pending)
            pending = []
    if pending:
        with db.write() as conn:
            append_many(conn, origin, pending)
    return counts


# Lookups --------------------------------------------------------------------------------------


def matching(plans: Sequence[Planned], text: str) -> set[str]:
    """Names of the customers `text` should find, by the rules `lookup_customer_ids` documents."""
    needle = text.strip()
    digits = "".join(ch for ch in needle if ch.isdigit())
    serial = needle.upper()
    found = set()
    for p in plans:
        phones = [_digits(phone) or "" for _, _, phone, _ in p.contacts]
        if (
            (len(digits) >= 4 and any(d.startswith(digits) for d in phones))
            or (len(digits) >= 7 and any(d.endswith(digits) for d in phones))
            or any(s.startswith(serial) for _, s, _, _ in p.assets)
            or needle in p.name
        ):
            found.add(p.name)
    return found


def lookups(plans: Sequence[Planned]) -> list[Lookup]:
    """The searches a call center makes, all about the customer in the middle of the table."""
    target = plans[len(plans) // 2]
    serial = target.assets[0][1]
    fragment = next(org for org, _ in ORGS if org in target.name)
    found = [
        Lookup("mobile", target.mobile, target.name),
        Lookup("landline-8", (_digits(target.landline) or "")[-8:], target.name),
        Lookup("serial-10", serial[:10], None),
        Lookup("serial", serial, target.name),
        Lookup("name", target.name, target.name),
        Lookup("fragment", fragment, None),
        Lookup("none", "不存在的客户", None),
    ]
    for item in found:
        item.matches = matching(plans, item.text)
    return found


def check(item: Lookup, names: list[str]) -> str:
    """`names` as the answer to `item`: ok; short (right customers, fewer than the limit although
    more match); or WRONG (the expected customer missing, or one that does not match)."""
    if item.expect is not None and item.expect not in names:
        return f"WRONG: {item.expect} missing"
    strangers = [n for n in names if n not in item.matches]
    if strangers:
        return f"WRONG: {strangers[0]} does not match"
    wanted = min(LIMIT, len(item.matches))
    if len(names) < wanted:
        return f"short: {len(names)} of {wanted}"
    return "ok"


# Timing ---------------------------------------------------------------------------------------


def customers_printed(out: str, *, as_json: bool) -> list[str]:
    """The customers in `xhsvc lookup` output: one unindented line each, or a JSON list."""
    if as_json:
        return [row["customer"] for row in json.loads(out)]
    return [line.split("  [", 1)[0] for line in out.splitlines() if line and not line.startswith(" ")]


def time_lookup(ctx: Context, text: str, repeat: int) -> tuple[list[float], list[str]]:
    names = [row["customer"] for row in lookup(ctx, text=text, limit=LIMIT)]
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        lookup(ctx, text=text, limit=LIMIT)
        times.append((time.perf_counter() - began) * 1000)
    return times, names


# Query plans ----------------------------------------------------------------------------------


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


def scans(plan_lines: list[str]) -> bool:
    """SQLite says SCAN for a pass over a whole table (or a whole index), SEARCH for an index seek;
    a full-text MATCH shows as a SCAN of the virtual table through its index."""
    return any(line.startswith("SCAN") and "VIRTUAL TABLE INDEX" not in line for line in plan_lines)


def statement_ms(conn: Connection, statement: str, params: tuple[Any, ...], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        conn.exec_driver_sql(statement, params).all()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def one_line(statement: str) -> str:
    return " ".join(statement.split())


def show_plans(db: Database, items: Sequence[Lookup], repeat: int) -> None:
    """EXPLAIN QUERY PLAN and median time of each statement `lookup_customer_ids` issues."""
    by_statement: dict[str, list[tuple[str, tuple[Any, ...]]]] = {}
    for item in items:

        def ids(text: str = item.text) -> None:
            with db.read() as conn:
                queries.lookup_customer_ids(conn, text, limit=LIMIT)

        for statement, params in captured(db, ids):
            by_statement.setdefault(statement, []).append((item.label, params))

    print(f"EXPLAIN QUERY PLAN of the statements lookup_customer_ids issues (limit {LIMIT}):")
    with db.read() as conn:
        for number, (statement, uses) in enumerate(by_statement.items(), start=1):
            print(f"[{number}] {one_line(statement)}")
            width = max(len(label) for label, _ in uses)
            for label, params in uses:
                plan_lines = query_plan(conn, statement, params)
                pattern = " ".join(repr(p) for p in params if isinstance(p, str))
                verdict = "FULL SCAN" if scans(plan_lines) else "index"
                took = statement_ms(conn, statement, params, repeat)
                print(
                    f"    {label:<{width}}  {verdict:<9}  {took:7.2f} ms  {' / '.join(plan_lines)}  {pattern}"
                )
    print()

    # Everything else one lookup() reads (profiles of the customers found), checked for scans.
    ctx = Context(db=db)
    others: dict[str, tuple[Any, ...]] = {}
    for item in items:
        for statement, params in captured(db, lambda text=item.text: lookup(ctx, text=text, limit=LIMIT)):
            if statement not in by_statement:
                others.setdefault(statement, params)
    with db.read() as conn:
        scanning = [s for s, p in others.items() if scans(query_plan(conn, s, p))]
        print(
            f"the other {len(others)} distinct statements lookup() issues: "
            f"{len(scanning) or 'none'} scan{'s' if len(scanning) == 1 else ''}"
        )
        for statement in scanning:
            print(f"    {one_line(statement)}  {' / '.join(query_plan(conn, statement, others[statement]))}")


# Main -----------------------------------------------------------------------------------------


def size_mb(db_file: Path) -> float:
    files = [db_file, db_file.with_name(db_file.name + "-wal")]
    return sum(f.stat().st_size for f in files if f.exists()) / 1e6


def pad(text: str, width: int) -> str:
    """Left-align `text` in `width` terminal columns (CJK characters take two)."""
    return text + " " * max(0, width - cell_len(text))


def print_table(rows: Sequence[Timed]) -> None:
    label_w = max(len("lookup"), *(len(r.label) for r in rows))
    how_w = max(len("how"), *(len(r.how) for r in rows))
    print(
        f"{'lookup':<{label_w}}  {'how':<{how_w}}  {'min ms':>8}  {'median':>8}  {'max ms':>8}  "
        f"{'found':>5}  check"
    )
    previous = None
    for r in rows:
        label = r.label if r.label != previous else ""
        previous = r.label
        found = "" if r.names is None else str(len(r.names))
        print(
            f"{label:<{label_w}}  {r.how:<{how_w}}  {min(r.times):8.1f}  {statistics.median(r.times):8.1f}  "
            f"{max(r.times):8.1f}  {found:>5}  {r.verdict}"
        )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=100_000, metavar="N", help="customers to create")
    add_common(parser, repeat=5)
    args = parser.parse_args(argv)
    if args.customers < 1 or args.repeat < 1:
        parser.error("--customers and --repeat must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    home = Path(tempfile.mkdtemp(prefix="xhsvc-bench-"))
    os.environ["XHSVC_HOME"] = str(home)
    db_file = home / "xhsvc.db"
    url = f"sqlite:///{db_file}"
    failed = False
    try:
        db = open_database(url)
        began = time.perf_counter()
        plans = plan(random.Random(args.seed), args.customers, datetime.now(UTC).date())
        planned = time.perf_counter() - began
        began = time.perf_counter()
        counts = fill(db, plans)
        took = time.perf_counter() - began
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.dispose()
        events = sum(counts.values())
        print(
            f"fill: {events:,} events through append_many in {took:.1f} s ({events / took:,.0f} events/s, "
            f"{BATCH:,} per call and transaction; generating the data took {planned:.1f} s)"
        )
        print("rows: " + ", ".join(f"{entity} {n:,}" for entity, n in counts.items()))
        print(f"database: {size_mb(db_file):.1f} MB  {db_file}")
        print()

        items = lookups(plans)
        target = plans[len(plans) // 2]
        print(f"lookups, about customer #{len(plans) // 2 + 1} {target.name}:")
        label_w = max(len(item.label) for item in items)
        text_w = max(cell_len(item.text) for item in items)
        for item in items:
            print(f"  {item.label:<{label_w}}  {pad(item.text, text_w)}  matches {len(item.matches):,}")
        print()

        env = {k: v for k, v in os.environ.items() if k != "XHSVC_DB"}
        env["XHSVC_HOME"] = str(home)
        xhsvc = find_xhsvc()
        floor = [
            Timed(
                "(floor)",
                "python -c pass",
                time_command([sys.executable, "-c", "pass"], env, args.repeat)[0],
                None,
            ),
            Timed("(floor)", "xhsvc --help", time_command([xhsvc, "--help"], env, args.repeat)[0], None),
        ]
        rows: list[Timed] = []
        db = open_database(url)
        ctx = Context(db=db)
        for item in items:
            for how, extra in (("xhsvc", []), ("xhsvc --json", ["--json"])):
                times, outputs = time_command([xhsvc, "lookup", item.text, *extra], env, args.repeat)
                out = outputs[0]
                names = customers_printed(out, as_json=bool(extra))
                rows.append(Timed(item.label, how, times, names, check(item, names)))
            times, names = time_lookup(ctx, item.text, args.repeat)
            rows.append(Timed(item.label, "in-process", times, names, check(item, names)))
        failed = any(r.verdict.startswith("WRONG") for r in rows)

        print_table(floor + rows)
        print(
            f"({args.repeat} timed runs each after one warm-up; found = customers returned (limit {LIMIT}); "
            "in-process = xhsvc.core.lookup.lookup() on an open database; short = fewer than the limit "
            "although more customers match)"
        )
        print()
        show_plans(db, items, args.repeat)
        db.dispose()
    finally:
        if args.keep:
            print(f"\nkept: {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)
    if failed:
        sys.exit("bench: some lookups returned the wrong customers (see the check column)")


if __name__ == "__main__":
    main()
