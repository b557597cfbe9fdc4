"""Benchmark offline sync: N events written on a laptop, taken to the center by a bundle round
trip (export on the laptop, import at the center) and, from the same starting files, by a direct
`sync` of the laptop against the center's database.

Builds a throwaway center (SQLite) with a small desk, registers and joins a laptop for an agent
(whose slice is everything), syncs it once, then writes N ticket comments on the laptop through
the event log in batches (as an import does) over T tickets. Both files are copied before each
run, so every run starts from the same state. It prints figures; it is not a test.

Run from the project root:

    .venv/bin/python bench/bench_sync.py [--events N] [--tickets T] [--repeat R]
"""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from xhsvc.core import contracts, customers, people, sync, ticket_views, tickets
from xhsvc.core.context import Context
from xhsvc.store.db import open_database
from xhsvc.store.events import Change, Origin, append_many

CUSTOMER = "浙江省第一人民医院"


def _ctx(url: str, handle: str | None, now: datetime) -> Context:
    return Context(db=open_database(url), actor_handle=handle, clock=lambda: now)


def build(folder: Path, *, events: int, ticket_count: int) -> tuple[Path, Path]:
    now = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    center_file, laptop_file = folder / "center.db", folder / "laptop.db"
    center_url, laptop_url = f"sqlite:///{center_file}", f"sqlite:///{laptop_file}"
    people.register_self(_ctx(center_url, None, now), handle="admin", name="管理员", role="admin")
    admin = _ctx(center_url, "admin", now)
    people.add_person(admin, handle="zhoujian", name="周建", role="manager", region="杭州")
    people.add_person(admin, handle="wangfang", name="王芳", role="agent", region="杭州")
    people.add_person(admin, handle="lijun", name="李军", role="engineer", tier="L1", region="杭州")
    agent = _ctx(center_url, "wangfang", now)
    customers.add_customer(agent, name=CUSTOMER, region="杭州")
    contracts.add_contract(
        agent, number="HT-1", customer=CUSTOMER, level="gold", start="2026-01-01", end="2026-12-31"
    )
    keys = [
        tickets.open_ticket(agent, customer=CUSTOMER, title=f"告警 {n}").ticket.key
        for n in range(ticket_count)
    ]
    token = sync.add_node(_ctx(center_url, "zhoujian", now), name="wangfang-laptop", person="wangfang")[
        "token"
    ]
    laptop = _ctx(laptop_url, None, now)
    sync.join_center(laptop, token=token, url=center_url)
    sync.sync_with_center(_ctx(laptop_url, "wangfang", now))
    ids = [ticket_views.show_ticket(agent, key=key)["key"] for key in keys]
    db = open_database(laptop_url)
    with db.read() as conn:
        from sqlalchemy import select

        from xhsvc.store.tables import Ticket

        table = Ticket.__table__
        ticket_ids = list(conn.execute(select(table.c.id).where(table.c.key.in_(ids))).scalars())
    origin = Origin(actor="wangfang", at=now + timedelta(hours=1), node=db.node_id, ran_by="os:bench")
    changes = [
        Change(
            entity="ticket",
            entity_id=ticket_ids[n % len(ticket_ids)],
            ticket_id=ticket_ids[n % len(ticket_ids)],
            kind="ticket.commented",
            payload={"set": {"updated_at": origin.at}, "summary": f"现场记录 {n}", "text": f"现场记录 {n}"},
        )
        for n in range(events)
    ]
    with db.write() as conn:
        append_many(conn, origin, changes)
    db.dispose()
    return center_file, laptop_file


def _fresh(folder: Path, center: Path, laptop: Path, run: int) -> tuple[str, str]:
    work = folder / f"run{run}"
    work.mkdir()
    for source, name in ((center, "center.db"), (laptop, "laptop.db")):
        for suffix in ("", "-wal"):  # committed pages may still sit in the write-ahead log
            if Path(f"{source}{suffix}").exists():
                shutil.copy(f"{source}{suffix}", work / f"{name}{suffix}")
    return f"sqlite:///{work / 'center.db'}", f"sqlite:///{work / 'laptop.db'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--tickets", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        started = time.perf_counter()
        center, laptop = build(folder, events=args.events, ticket_count=args.tickets)
        print(
            f"built: {args.events} events on the laptop over {args.tickets} tickets in {time.perf_counter() - started:.1f} s"
        )
        now = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)
        export_s, import_s, direct_s, size = [], [], [], 0
        for run in range(args.repeat):
            center_url, laptop_url = _fresh(folder, center, laptop, run * 2)
            bundle = folder / f"up{run}.xhb"
            t0 = time.perf_counter()
            result = sync.export_bundle(_ctx(laptop_url, "wangfang", now), target=bundle)
            t1 = time.perf_counter()
            applied = sync.import_bundle(_ctx(center_url, "zhoujian", now), source=bundle)
            t2 = time.perf_counter()
            assert applied["new"] >= args.events, (applied, result)
            size = result["bytes"]
            export_s.append(t1 - t0)
            import_s.append(t2 - t1)
            center_url, laptop_url = _fresh(folder, center, laptop, run * 2 + 1)
            t3 = time.perf_counter()
            outcome = sync.sync_with_center(_ctx(laptop_url, "wangfang", now), url=center_url)
            direct_s.append(time.perf_counter() - t3)
            assert outcome["sent"] >= args.events
    export_m, import_m, direct_m = (statistics.median(x) for x in (export_s, import_s, direct_s))
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}")
    print(f"{'step':<32}{'median s':>10}{'events/s':>12}")
    for label, value in (
        ("export (laptop, bundle)", export_m),
        ("import (center, bundle)", import_m),
        ("bundle round trip", export_m + import_m),
        ("direct sync (both ways)", direct_m),
    ):
        print(f"{label:<32}{value:>10.2f}{args.events / value:>12,.0f}")
    print(f"bundle size: {size / 1e6:.1f} MB for {args.events} events")


if __name__ == "__main__":
    main()
