"""xhsvc's commands against the floor: a minimal CLI of the same stack running the same query
(bench/floor_cli.py). Prints each command's median and its ratio to the floor, with issue 12's
goals (reads <= 1.15x, writes <= 1.3x), and `task next` when taskwarrior is installed.

Builds a throwaway SQLite database of N tickets the way bench_cli.py does. It prints figures; it
is not a test.

    .venv/bin/python bench/bench_floor.py [--tickets N] [--repeat R]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_cli import fill
from harness import Figure, add_common, find_xhsvc, median, paired, print_figures, scratch

from xhsvc.store.db import open_database

READ_GOAL, WRITE_GOAL = 1.15, 1.3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000, metavar="N")
    add_common(parser, repeat=7)
    args = parser.parse_args()
    with scratch("xhsvc-floor-", keep=args.keep) as home:
        db_file = home / "xhsvc.db"
        url = f"sqlite:///{db_file}"
        db = open_database(url)
        fill(db, count=args.tickets, rng=random.Random(args.seed))
        key = f"{db.prefix}-{(args.tickets + 1) // 2:06d}"
        db.dispose()
        env = {k: v for k, v in os.environ.items() if k != "XHSVC_DB"}
        env.update(XHSVC_HOME=str(home))
        xhsvc = find_xhsvc()
        floor = [sys.executable, str(Path(__file__).parent / "floor_cli.py"), "queue", url]
        reads = {
            "ticket list": [xhsvc, "ticket", "list", "--limit", "50"],
            "ticket show": [xhsvc, "ticket", "show", key],
            "lookup": [xhsvc, "lookup", "医院"],
            "visit due": [xhsvc, "visit", "due"],
        }
        writes = {"ticket comment": [xhsvc, "--as", "wangfang", "ticket", "comment", key, "跟进记录"]}
        commands = {"floor (typer + core query)": floor, **reads, **writes}
        task = shutil.which("task")
        if task:
            commands["task next (taskwarrior)"] = [task, "rc.verbose=nothing", "next"]
        times = paired(commands, env, args.repeat)
        base = "floor (typer + core query)"
        figures = [Figure(base, median(times[base]))]
        figures += [Figure(name, median(times[name]), base, READ_GOAL) for name in reads]
        figures += [Figure(name, median(times[name]), base, WRITE_GOAL) for name in writes]
        if task:
            figures.append(Figure("task next (taskwarrior)", median(times["task next (taskwarrior)"]), base))
        print_figures(f"{args.tickets:,} tickets, {args.repeat} paired runs each", figures)


if __name__ == "__main__":
    main()
