"""The lookup's full-text index at a million customers: `queries.lookup_customer_ids` in process,
for a part of a name, of an address, a whole name and nothing (issue 12's goal: under 50 ms).

The customers and their search documents are written straight into a fresh SQLite database
(the way `store.search` writes them, the FTS5 index filled by its triggers): building a million
customers through the event log would take most of an hour, and the lookup reads only these.
`bench_lookup.py` measures the whole `lookup` command on a database built through the log.

    .venv/bin/python bench/bench_search.py [--customers N] [--repeat R]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from harness import Figure, add_common, median, print_figures, scratch
from sqlalchemy import insert

from xhsvc.store import queries, search, tables
from xhsvc.store.db import open_database
from xhsvc.store.ids import new_id

GOAL_MS = 50.0
BATCH = 20_000
CITIES = ("杭州", "宁波", "温州", "北京", "上海", "广州", "深圳", "成都", "武汉", "西安", "南京", "南昌")
ORGS = ("人民医院", "中心医院", "政务数据中心", "不动产登记中心", "城市商业银行", "供电公司", "大学信息中心")
DISTRICTS = ("城北", "城南", "高新区", "经开区", "滨江区", "西湖区")
STREETS = ("解放路", "人民路", "中山路", "建设路", "文三路", "科技路", "学院路", "滨河路")


def fill(url: str, count: int, rng: random.Random) -> tuple[str, str]:
    """`count` customers with one site each; returns a name and an address of the middle one."""
    db = open_database(url)
    now = datetime.now(UTC)
    middle = ("", "")
    with db.write() as conn:
        for start in range(0, count, BATCH):
            customers, documents = [], []
            for number in range(start, min(count, start + BATCH)):
                city = rng.choice(CITIES)
                name = f"{city}{rng.choice(ORGS)}（{rng.choice(DISTRICTS)}{number}）"
                address = f"{city}{rng.choice(DISTRICTS)}{rng.choice(STREETS)}{rng.randint(1, 999)}号"
                cid = new_id()
                customers.append(
                    {"id": cid, "name": name, "region": city, "industry": None, "created_at": now}
                )
                documents.append(
                    {"customer_id": cid, "grams": search.document([name, "主机房", city, address])}
                )
                if number == count // 2:
                    middle = (name, address)
            conn.execute(insert(tables.Customer.__table__), customers)
            conn.execute(insert(search.SEARCH), documents)
    db.dispose()
    return middle


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000, metavar="N")
    add_common(parser, repeat=7)
    args = parser.parse_args()
    with scratch("xhsvc-search-", keep=args.keep) as work:
        url = f"sqlite:///{work / 'xhsvc.db'}"
        began = time.perf_counter()
        name, address = fill(url, args.customers, random.Random(args.seed))
        print(
            f"fill: {args.customers:,} customers and their search documents in {time.perf_counter() - began:.0f} s"
        )
        needles = {
            "part of a name (common)": name[2:8],
            "part of a name (rare)": name[-8:-1],
            "part of an address": address[2:9],
            "a whole name": name,
            "nothing matches": "不存在的客户",
        }
        db = open_database(url)
        figures = []
        with db.read() as conn:
            for label, needle in needles.items():
                times = []
                for _ in range(args.repeat + 1):
                    began = time.perf_counter()
                    found = queries.lookup_customer_ids(conn, needle, limit=10)
                    times.append(time.perf_counter() - began)
                figures.append(Figure(f"{label}: {needle} ({len(found)} found)", median(times[1:])))
        db.dispose()
        print_figures(
            f"lookup_customer_ids in process, {args.customers:,} customers, {args.repeat} runs", figures
        )
        slowest = max(f.seconds for f in figures) * 1000
        print(
            f"goal: under {GOAL_MS:.0f} ms: {'within' if slowest < GOAL_MS else 'over'} (slowest {slowest:.1f} ms)"
        )


if __name__ == "__main__":
    main()
