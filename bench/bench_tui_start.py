"""The dashboard's first row on screen, timed from starting `xhsvc tui` in a pseudo-terminal (as
a person sees it), on a database of N tickets, beside `python -c pass` and `xhsvc --version`
(issue 12's goal: <= 0.6 s at 100,000 tickets). The database is built the way bench_cli.py does.
`bench_tui.py` times the dashboard's steps inside the process.

    .venv/bin/python bench/bench_tui_start.py [--tickets N] [--repeat R]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_cli import fill
from harness import Figure, add_common, find_xhsvc, median, print_figures, scratch, until_shown

from xhsvc.store.db import open_database

GOAL_SECONDS = 0.6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000, metavar="N")
    add_common(parser, repeat=5)
    args = parser.parse_args()
    with scratch("xhsvc-tui-start-", keep=args.keep) as home:
        db = open_database(f"sqlite:///{home / 'xhsvc.db'}")
        fill(db, count=args.tickets, rng=random.Random(args.seed))
        prefix = db.prefix
        db.dispose()
        env = {k: v for k, v in os.environ.items() if k != "XHSVC_DB"}
        env.update(XHSVC_HOME=str(home), TERM="xterm-256color", LINES="36", COLUMNS="120")
        xhsvc = find_xhsvc()
        row = rf"{prefix}-\d{{6}}".encode()
        runs: dict[str, tuple[list[str], bytes]] = {
            "python -c pass (prints)": ([sys.executable, "-c", "print('ready')"], b"ready"),
            "xhsvc --version": ([xhsvc, "--version"], b"xhsvc"),
            "xhsvc tui: first row": ([xhsvc, "tui"], row),
        }
        times: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(args.repeat + 1):
            for name, (argv, pattern) in runs.items():
                times[name].append(until_shown(argv, env, pattern))
        figures = [Figure(name, median(values[1:])) for name, values in times.items()]
        print_figures(f"{args.tickets:,} tickets, {args.repeat} runs each after a warm-up", figures)
        first = median(times["xhsvc tui: first row"][1:])
        print(
            f"goal: first row <= {GOAL_SECONDS} s: {'within' if first <= GOAL_SECONDS else 'over'} ({first:.2f} s)"
        )


if __name__ == "__main__":
    main()
