"""`xhsvc batch`: a nightly job's 1,000 ticket actions in one process, against the same actions
run as 1,000 separate `xhsvc` commands would cost (one command timed, times 1,000). Issue 12's
goal: 1,000 actions in <= 5 s.

The database is a throwaway SQLite file of N tickets built the way bench_cli.py does. The actions
are a nightly job's mix on open tickets: work notes, impact changes, reads as JSON.

    .venv/bin/python bench/bench_batch.py [--tickets N] [--actions A] [--repeat R]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_cli import fill
from harness import Figure, add_common, find_xhsvc, median, paired, print_figures, scratch
from sqlalchemy import select

from xhsvc.store import tables
from xhsvc.store.db import open_database

GOAL_SECONDS = 5.0
TICKET = tables.Ticket.__table__


def actions(keys: list[str], count: int, rng: random.Random) -> list[list[str]]:
    """A nightly job's lines: half work notes, a quarter impact changes, a quarter reads."""
    lines: list[list[str]] = []
    for number in range(count):
        key = rng.choice(keys)
        draw = rng.random()
        if draw < 0.5:
            lines.append(["--as", "wangfang", "ticket", "comment", key, f"夜间巡检同步备注 {number}"])
        elif draw < 0.75:
            impact = str(rng.randint(2, 4))
            lines.append(
                ["--as", "wangfang", "ticket", "priority", key, "--impact", impact, "--reason", "夜间复核"]
            )
        else:
            lines.append(["ticket", "show", key, "--json"])
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10_000, metavar="N")
    parser.add_argument("--actions", type=int, default=1_000, metavar="A")
    add_common(parser, repeat=3)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with scratch("xhsvc-batch-", keep=args.keep) as home:
        db_file = home / "xhsvc.db"
        db = open_database(f"sqlite:///{db_file}")
        fill(db, count=args.tickets, rng=rng)
        with db.read() as conn:
            keys = list(conn.execute(select(TICKET.c.key).where(TICKET.c.status == "in_progress")).scalars())
        db.dispose()
        env = {k: v for k, v in os.environ.items() if k != "XHSVC_DB"}
        env["XHSVC_HOME"] = str(home)
        xhsvc = find_xhsvc()
        lines = actions(keys, args.actions, rng)
        feed = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
        took: list[float] = []
        refused: Counter[str] = Counter()
        for _ in range(args.repeat):
            began = time.perf_counter()
            done = subprocess.run(
                [xhsvc, "batch"],
                input=feed,
                env=env,
                capture_output=True,
                text=True,
                encoding="utf-8",
                check=False,
            )
            took.append(time.perf_counter() - began)
            results = [json.loads(line) for line in done.stdout.splitlines()]
            refused = Counter(
                re.sub(r"[A-Z]+-\d+|\d", "#", r["error"].splitlines()[-1]) for r in results if r["exit"] != 0
            )
            if len(results) != len(lines):
                sys.exit(f"bench: {len(results)} results for {len(lines)} lines:\n{done.stderr}")
        comment = next(line for line in lines if "comment" in line)
        one = median(paired({"comment": [xhsvc, *comment]}, env, args.repeat)["comment"])
        batch = median(took)
        figures = [
            Figure(
                f"{args.actions:,} separate commands (one comment x {args.actions:,})", one * args.actions
            ),
            Figure(f"xhsvc batch, {args.actions:,} actions", batch),
            Figure("  per action", batch / args.actions),
        ]
        print_figures(f"{args.tickets:,} tickets, {args.actions:,} actions", figures)
        for reason, count in refused.most_common():
            print(f"refused {count}x: {reason}")
        verdict = "within" if batch <= GOAL_SECONDS else "over"
        print(f"goal: {args.actions:,} actions in <= {GOAL_SECONDS:.0f} s: {verdict} ({batch:.2f} s)")


if __name__ == "__main__":
    main()
