"""`xhsvc import customers` of a large CSV file against raw sqlite3 writing the same rows and
their events (the baseline issue 12 names: an import within 3x of it), and the import's peak
memory at two file sizes (it must not grow with the file).

Each run starts from a fresh database. The baseline uses Python's sqlite3 alone: one
`executemany` for the customers and one for their events (payload JSON and hash chain computed
the same way), in one transaction.

    .venv/bin/python bench/bench_import.py [--rows N] [--repeat R]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from harness import Figure, add_common, find_xhsvc, median, print_figures, scratch

from xhsvc.store import chain
from xhsvc.store.db import open_database
from xhsvc.store.events import HLC_LOGICAL_BITS
from xhsvc.store.ids import new_id

GOAL = 3.0
CITIES = ("杭州", "宁波", "北京", "上海", "广州", "深圳", "成都", "武汉", "西安", "南京")
KINDS = ("人民医院", "政务数据中心", "城市商业银行", "供电公司", "大学信息中心", "证券数据中心")
INDUSTRIES = ("医疗", "政府", "金融", "能源", "教育", "金融")
# Peak memory of a child, in KiB (Linux reports ru_maxrss in KiB).
PEAK = "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); "
PEAK += "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"


def write_csv(path: Path, rows: int, rng: random.Random) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["name", "region", "industry"])
        for number in range(rows):
            kind = rng.randrange(len(KINDS))
            city = rng.choice(CITIES)
            out.writerow([f"{city}第{number}{KINDS[kind]}", city, INDUSTRIES[kind]])


def fresh_database(folder: Path) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    db_file = folder / "xhsvc.db"
    open_database(f"sqlite:///{db_file}").dispose()
    return db_file


def raw_import(db_file: Path, csv_file: Path) -> float:
    """The baseline: the same customer rows and event rows, written with sqlite3 alone."""
    began = time.perf_counter()
    now = datetime.now(UTC)
    at = now.isoformat(sep=" ")
    node = "bench-node"
    hlc = int(now.timestamp() * 1000) << HLC_LOGICAL_BITS
    customers, event_rows = [], []
    prev = chain.GENESIS
    with csv_file.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        for seq, row in enumerate(reader, start=1):
            customer_id = new_id()
            customers.append((customer_id, row["name"], row["region"], row["industry"], at))
            payload = json.dumps(
                {"create": {**row, "created_at": at}, "summary": f"customer {row['name']} imported"},
                ensure_ascii=False,
                sort_keys=True,
            )
            event = {
                "id": new_id(),
                "entity": "customer",
                "entity_id": customer_id,
                "ticket_id": None,
                "kind": "customer.added",
                "payload": payload,
                "actor": "bench",
                "ran_by": "bench",
                "at": now,
                "node": node,
                "seq": seq,
                "hlc": hlc + seq,
            }
            event["prev_hash"], event["hash"] = prev, chain.event_hash(event, prev)
            prev = event["hash"]
            event_rows.append(
                tuple(at if k == "at" else event[k] for k in (*chain.HASHED, "prev_hash", "hash"))
            )
    conn = sqlite3.connect(db_file)
    with conn:
        conn.executemany(
            "INSERT INTO customer (id, name, region, industry, created_at) VALUES (?, ?, ?, ?, ?)", customers
        )
        conn.executemany(
            "INSERT INTO event (id, entity, entity_id, ticket_id, kind, payload, actor, ran_by, at, node, seq, hlc, "
            "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            event_rows,
        )
    conn.close()
    return time.perf_counter() - began


def xhsvc_import(xhsvc: str, home: Path, csv_file: Path) -> tuple[float, int, str]:
    """Seconds, peak KiB and the summary line of `xhsvc import customers FILE`."""
    env = {k: v for k, v in os.environ.items() if k != "XHSVC_DB"}
    env["XHSVC_HOME"] = str(home)
    subprocess.run(
        [xhsvc, "init", "--id", "bench", "--name", "测试", "--role", "admin"],
        env=env,
        check=True,
        capture_output=True,
    )
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PEAK, xhsvc, "import", "customers", str(csv_file)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    took = time.perf_counter() - began
    if done.returncode != 0:
        sys.exit(f"bench: the import failed:\n{done.stderr}")
    summary = subprocess.run(
        [xhsvc, "customer", "list", "--json"], env=env, capture_output=True, text=True, check=True
    ).stdout
    return took, int(done.stdout.strip()), f"{len(json.loads(summary)):,} customers"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, metavar="N")
    add_common(parser, repeat=3)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with scratch("xhsvc-import-", keep=args.keep) as work:
        xhsvc = find_xhsvc()
        small, large = work / "small.csv", work / "large.csv"
        write_csv(small, args.rows // 10, rng)
        write_csv(large, args.rows, rng)
        raw, ours, peaks = [], [], {}
        for _ in range(args.repeat):
            raw.append(raw_import(fresh_database(work / "raw"), large))
            fresh_database(work / "xhsvc")
            took, peaks[large], counted = xhsvc_import(xhsvc, work / "xhsvc", large)
            ours.append(took)
        fresh_database(work / "xhsvc")
        _, peaks[small], _ = xhsvc_import(xhsvc, work / "xhsvc", small)
        base = "raw sqlite3 (rows + events)"
        figures = [
            Figure(base, median(raw)),
            Figure(f"xhsvc import customers ({counted})", median(ours), base, GOAL),
        ]
        print_figures(f"{args.rows:,} customers from CSV, {args.repeat} runs each", figures)
        print(
            f"peak memory of the import: {peaks[small] / 1024:.0f} MB at {args.rows // 10:,} rows, "
            f"{peaks[large] / 1024:.0f} MB at {args.rows:,} rows"
        )


if __name__ == "__main__":
    main()
