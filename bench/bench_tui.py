"""Benchmark the dashboard (`XhsvcApp`) on a database of many tickets, a realistic share of them open.

Builds a throwaway database (XHSVC_HOME in a temp folder) the way `bench/bench_sweep.py` does:
people, customers with gold and silver contracts, and N tickets with their response and resolution
SLA clocks, all written through the event log with `events.append_many` as an import does. All but
`--open` of them were reported over the last year and are already closed (their clocks stopped);
the open ones (assigned or in progress) were reported over the last few hours. Then it sets the
derived columns kept out of the log: `next_check_at` of the open tickets, and `next_due_at` of
every ticket through `events.refresh_next_due` (the queue orders on it).

It then drives the dashboard headless with `App.run_test(size=(120, 36))`, in R sessions after one
untimed warm-up, each on a freshly opened context: the first page of the queue after starting the
app, the next page (`]`) and back (`[`), a free-text search (`/`, a fragment, Enter) and clearing it
(`0`), opening a ticket (Enter) until its history shows, and going back (Escape). Keys are posted
as the terminal sends them, not through the pilot (whose waits for idle sleep 20 ms at a time).
Wrappers around the screens' own methods note when the worker read, when the main thread filled
the table, and when Textual composed each frame, so every step is timed from the key (or from
starting `run_test`) until the rows are in the table, and until the first frame after that, and
split into where the time went. It profiles the main thread over some page turns, times Textual's
plain DataTable filled with 10,000 rows in `on_mount` for comparison, times and profiles
`queue_page` in process, and prints SQLite's EXPLAIN QUERY PLAN of the statements `queue_page`
issues, with alternatives tried on a scratch copy (the project's schema is not changed). It prints
figures; it is not a test.

Run from the project root:

    .venv/bin/python bench/bench_tui.py [--tickets N] [--open N] [--repeat R] [--seed S] [--keep]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import functools
import math
import os
import pstats
import random
import re
import shutil
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, update
from textual import events
from textual.app import App, ComposeResult
from textual.css.query import NoMatches
from textual.widgets import DataTable

import xhsvc.tui.screens.queue as queue_screen
import xhsvc.tui.screens.ticket as ticket_screen
from xhsvc.core.context import Context, open_context
from xhsvc.core.queue import QueueFilter, QueuePage, queue_page
from xhsvc.core.settings import Settings
from xhsvc.core.tickets import ACTIVE
from xhsvc.store import tables
from xhsvc.store.db import Database, open_database
from xhsvc.store.events import Change, Origin, bump_counter, refresh_next_due
from xhsvc.tui.app import XhsvcApp
from xhsvc.tui.screens.queue import COLUMNS, QueueScreen
from xhsvc.tui.screens.ticket import TicketScreen

try:  # run as a script: bench/ is on sys.path
    import bench_sweep
    from harness import add_common
except ModuleNotFoundError:  # run as `python -m bench.bench_tui` from the project root
    from bench import bench_sweep
    from bench.harness import add_common

T = TypeVar("T")

TICKET = tables.Ticket.__table__

SIZE = (120, 36)
PAGE = queue_screen.PAGE
FAR_OFFSET = 2_000  # the in-process reload of a page deep in the queue
HISTORY = timedelta(days=365)  # the closed tickets were reported over this span before the open ones
AGENT = "wangfang"  # an agent in bench_sweep.PEOPLE: the dashboard acts as them
SEARCH = "备份"  # a title fragment: about one open ticket in nine matches
MISS = "无此故障"  # a fragment no ticket matches: the read looks at every open ticket, or every ticket
REFRESH = 3_600.0  # the queue's auto-reload, out of the way of the timed steps
POLL = 0.01  # seconds between looks at the app while waiting (the times come from the spy)
TIMEOUT = 60.0
FRAME_TIMEOUT = 2.0
PLAIN_ROWS = 10_000
INDEX = "ix_ticket_next_due"
SORTS = "TEMP B-TREE"
RESOLUTIONS = [
    "远程调整多路径策略后恢复，已观察24小时无告警。",
    "更换故障硬盘，重构完成，业务读写正常。",
    "清理过期快照并调整保留策略，空间恢复。",
    "升级控制器固件至推荐版本，问题不再复现。",
    "现场更换电源模块，冗余恢复。",
]
# What `close` sets beyond a ticket row from `bench_sweep.ticket_changes`.
CLOSED_FIELDS = ("resolved_at", "resolution", "confirmed_by", "confirmed_at", "closed_at")
# Tried on a scratch copy when the queue's page read sorts: statistics, or an index it could walk.
# The third field: the page's status filter written `+ticket.status IN (...)`, which keeps SQLite
# from reading the tickets through a status index (so that it may walk an index in the page's order).
ORDER_INDEX = (
    "CREATE INDEX bench_due_order ON ticket (next_due_at IS NULL, next_due_at, priority, created_at)"
)
TRIALS: tuple[tuple[str, str, bool], ...] = (
    ("statistics", "ANALYZE", False),
    ("index on the ORDER BY terms", ORDER_INDEX, False),
    (
        "index (status, next_due_at, priority, created_at)",
        "CREATE INDEX bench_status_due ON ticket (status, next_due_at, priority, created_at)",
        False,
    ),
    ("index on the ORDER BY terms, and the page read with +ticket.status", ORDER_INDEX, True),
)
STATUS_FILTER = "WHERE ticket.status IN ("

FIRST = "first page (from run_test)"
NEXT = "next page  ]"
PREV = "previous page  ["
FIND = f"search {SEARCH!r}  Enter"
CLEAR = "clear search  0"
OPEN = "open ticket  Enter"
BACK = "back to queue  Escape"
ACTIONS = (FIRST, NEXT, PREV, FIND, CLEAR, OPEN, BACK)
# What the spy wraps.
MOUNT = "QueueScreen.on_mount"
WORKER = "queue_page, in the queue's worker thread"
SHOW = "QueueScreen.show_page (fill the table)"
TICK = "QueueScreen.tick (100 countdowns, every second)"
TICKET_WORKER = "show_ticket, in the ticket's worker thread"
HISTORY_WORKER = "ticket_history, in the ticket's worker thread"
TICKET_SHOW = "TicketScreen.show (fill it)"
PHASES = ("to the read", "read (worker)", "to the main thread", "fill (main)", "to the frame")
TOP = 12
# Files of the event loop's and Textual's message plumbing, left out of the main thread's profile.
PLUMBING = (
    "asyncio/",
    "selectors.py",
    "textual/_callback.py",
    "textual/message_pump.py",
    "textual/timer.py",
    "textual/_context.py",
    "bench_tui.py",
    "~",
)
PROFILED = 20  # calls of queue_page, and page turns in the dashboard, under cProfile


def ms(seconds: float) -> float:
    return seconds * 1000


# Filling --------------------------------------------------------------------------------------


def close(ticket: Change, clocks: list[Change], rng: random.Random, filled: bench_sweep.Filled) -> None:
    """Make a ticket from `bench_sweep.ticket_changes` one recorded as closed: answered, resolved,
    confirmed and closed, both its clocks stopped (met or late)."""
    row = ticket.payload["create"]
    reported: datetime = row["reported_at"]
    responded = reported + timedelta(minutes=rng.uniform(2, 90))
    resolved = responded + timedelta(hours=rng.uniform(0.5, 72))
    closed = resolved + timedelta(hours=rng.uniform(1, 72))
    filled.statuses[row["status"]] -= 1
    filled.statuses["closed"] += 1
    row.update(
        status="closed",
        responded_at=responded,
        resolved_at=resolved,
        resolution=rng.choice(RESOLUTIONS),
        confirmed_by=row["contact"].split("/")[0],
        confirmed_at=closed,
        closed_at=closed,
        updated_at=closed,
    )
    stopped = {"response": responded, "resolution": resolved}
    for change in clocks:
        clock = change.payload["create"]
        at = stopped[clock["target"]]
        late = at > clock["due_at"]
        clock.update(
            stopped_at=at, outcome="late" if late else "met", breached_at=clock["due_at"] if late else None
        )
        change.payload["summary"] = f"{clock['target']} clock stopped; target {'missed' if late else 'met'}"


def fill(
    db: Database, *, count: int, open_count: int, rng: random.Random, now: datetime
) -> bench_sweep.Filled:
    """People, customers with contracts, and `count` tickets with their clocks, all through
    `append_many` (as `bench_sweep.fill`): the oldest `count - open_count` closed, the newest open."""
    origin = Origin(actor="bench", at=now, node=db.node_id)
    filled = bench_sweep.Filled()
    people = bench_sweep._people(now)
    customers = bench_sweep.plan_customers(rng, bench_sweep.CUSTOMERS, now.date())
    bench_sweep._append(db, origin, bench_sweep.setup_changes(people, customers, now), filled)
    agent = next(p for p in people if p["handle"] == AGENT)
    engineers = [p for p in people if p["tier"] == "L1"]
    dues = bench_sweep.Dues()
    closed = count - open_count
    for first in range(1, count + 1, bench_sweep.BATCH):
        opened: list[Change] = []
        clocks: list[Change] = []
        for number in range(first, min(first + bench_sweep.BATCH, count + 1)):
            old = number <= closed
            # A closed ticket's day: spread over HISTORY before the open tickets' hours, oldest first.
            at = now - bench_sweep.REPORTED_WITHIN - HISTORY * (1 - number / closed) if old else now
            ticket, its_clocks = bench_sweep.ticket_changes(
                rng,
                number=number,
                prefix=db.prefix,
                now=at,
                agent=agent,
                engineers=engineers,
                customer=rng.choice(customers),
                dues=dues,
                filled=filled,
            )
            if old:
                close(ticket, its_clocks, rng, filled)
            else:  # one batch inserts its rows in one go: every row needs the same columns
                for name in CLOSED_FIELDS:
                    ticket.payload["create"].setdefault(name, None)
            opened.append(ticket)
            clocks += its_clocks
        bench_sweep._append(db, origin, opened + clocks, filled)
    with db.write() as conn:
        bump_counter(conn, f"ticket:{db.prefix}", at_least=count)
    return filled


def derive(db: Database, now: datetime) -> None:
    """The columns kept out of the log: the open tickets' next check (far ahead: none is due), and
    every ticket's nearest running-clock due time, which the queue orders on."""
    with db.write() as conn:
        conn.execute(
            update(TICKET).where(TICKET.c.status.in_(ACTIVE)).values(next_check_at=now + bench_sweep.FAR)
        )
        refresh_next_due(conn)


# Watching the dashboard -----------------------------------------------------------------------


class Spy:
    """When some of the dashboard's own steps ran and how long they took (wrapped for the run,
    then put back), and when the app composed its frames."""

    def __init__(self) -> None:
        self.spans: defaultdict[str, list[tuple[float, float]]] = defaultdict(list)
        self.frames: list[float] = []
        self._undo: list[tuple[Any, str, Any]] = []

    def wrap(self, owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name)
        spans = self.spans[label]

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spans.append((began, time.perf_counter()))

        setattr(owner, name, timed)
        self._undo.append((owner, name, original))

    def undo(self) -> None:
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)
        self._undo.clear()

    def watch_frames(self, app: App[Any]) -> None:
        """Note the time of every frame the app composes (headless, it is not written anywhere)."""
        display = app._display

        def noted(screen: Any, renderable: Any) -> None:
            display(screen, renderable)
            if renderable is not None:
                self.frames.append(time.perf_counter())

        app._display = noted  # type: ignore[method-assign]

    def frame_after(self, moment: float) -> float | None:
        return next((f for f in self.frames if f >= moment), None)

    def span_after(self, label: str, moment: float) -> tuple[float, float] | None:
        return next((s for s in self.spans[label] if s[0] >= moment), None)

    def took(self, label: str) -> list[float]:
        return [ms(end - start) for start, end in self.spans[label]]

    def clear(self) -> None:
        for spans in self.spans.values():
            spans.clear()  # in place: the wrappers hold these lists
        self.frames.clear()


def spy_on_dashboard(spy: Spy) -> None:
    spy.wrap(QueueScreen, "on_mount", MOUNT)
    spy.wrap(queue_screen.queue, "queue_page", WORKER)
    spy.wrap(QueueScreen, "show_page", SHOW)
    spy.wrap(QueueScreen, "tick", TICK)
    spy.wrap(ticket_screen, "show_ticket", TICKET_WORKER)
    spy.wrap(ticket_screen, "ticket_history", HISTORY_WORKER)
    spy.wrap(TicketScreen, "show", TICKET_SHOW)


def timeline(spy: Spy, began: float, step: str) -> dict[str, float]:
    """Where the time of a step went: ms from the key (or run_test) to its worker's read, in the
    read, from the read to the main thread filling the table, filling it, and on to the frame."""
    first, last, fill = (
        (TICKET_WORKER, HISTORY_WORKER, TICKET_SHOW) if step == OPEN else (WORKER, WORKER, SHOW)
    )
    read = spy.span_after(first, began)
    read_end = spy.span_after(last, read[0]) if read else None
    shown = spy.span_after(fill, read_end[1]) if read_end else None
    if read is None or read_end is None or shown is None:
        return {}
    frame = spy.frame_after(shown[1])
    return {
        PHASES[0]: ms(read[0] - began),
        PHASES[1]: ms(read_end[1] - read[0]),
        PHASES[2]: ms(shown[0] - read_end[1]),
        PHASES[3]: ms(shown[1] - shown[0]),
        PHASES[4]: ms(frame - shown[1]) if frame else math.nan,
    }


async def until(found: Callable[[], T | None], timeout: float = TIMEOUT) -> T:
    """What `found()` returns once it is truthy, looking every POLL seconds."""
    deadline = time.perf_counter() + timeout
    while True:
        value = found()
        if value:
            return value
        if time.perf_counter() > deadline:
            raise TimeoutError(f"bench: waited {timeout:.0f} s for the dashboard")
        await asyncio.sleep(POLL)


def press(app: App[Any], key: str, char: str | None) -> None:
    """A key as the terminal sends it, without the pilot's waits for idle (which sleep 20 ms at a
    time and wait for the worker's thread too)."""
    app.post_message(events.Key(key, char))


def queue_shown(app: App[Any]) -> QueueScreen | None:
    screen = app.screen
    if isinstance(screen, QueueScreen) and screen.page is not None:
        return screen
    return None


def fresh(screen: QueueScreen, before: QueuePage | None) -> Callable[[], QueuePage | None]:
    """A test: the page the queue shows, once it is another than `before`."""
    return lambda: screen.page if screen.page is not None and screen.page is not before else None


def history_shown(app: App[Any]) -> TicketScreen | None:
    screen = app.screen
    if not isinstance(screen, TicketScreen):
        return None
    try:
        history = screen.query_one("#history", DataTable)
    except NoMatches:
        return None
    return screen if history.row_count else None


def keys(page: QueuePage) -> list[str]:
    return [row["key"] for row in page.rows]


@dataclass
class Session:
    times: dict[str, tuple[float, float]] = field(default_factory=dict)
    phases: dict[str, dict[str, float]] = field(default_factory=dict)
    total: int = 0
    found: int = 0
    ticket: str = ""
    history: int = 0
    problems: list[str] = field(default_factory=list)


async def next_frame(spy: Spy, moment: float) -> float:
    """When the first frame after `moment` was composed (NaN if none came within FRAME_TIMEOUT)."""
    try:
        return await until(lambda: spy.frame_after(moment), FRAME_TIMEOUT)
    except TimeoutError:
        return math.nan


async def record(out: Session, spy: Spy, step: str, began: float) -> None:
    """A step's times, from the spy's notes rather than from when the waiting noticed: until the
    main thread had filled the table (the rows are in), and until the first frame after that."""
    shown = spy.span_after(TICKET_SHOW if step == OPEN else SHOW, began)
    if shown is None:
        raise RuntimeError(f"bench: {step}: the rows came in, but not through the wrapped method")
    frame = await next_frame(spy, shown[1])
    out.times[step] = (ms(shown[1] - began), ms(frame - began))
    out.phases[step] = timeline(spy, began, step)


async def session(ctx: Context, spy: Spy) -> Session:
    """One run of the dashboard: every step once, timed."""
    saved: dict[str, Any] = {}
    app = XhsvcApp(
        ctx,
        load_filter=lambda: dict(saved),
        save_filter=lambda chosen: (saved.clear(), saved.update(chosen)),
        refresh_seconds=REFRESH,
        show_clock=False,
    )
    spy.watch_frames(app)
    out = Session()
    began = time.perf_counter()
    async with app.run_test(size=SIZE) as pilot:
        queue = await until(lambda: queue_shown(app))
        await record(out, spy, FIRST, began)
        assert queue.page is not None
        out.total = queue.page.total
        await pilot.pause()

        for label, key, char in ((NEXT, "right_square_bracket", "]"), (PREV, "left_square_bracket", "[")):
            before = queue.page
            began = time.perf_counter()
            press(app, key, char)
            page = await until(fresh(queue, before))
            await record(out, spy, label, began)
            if keys(page) == keys(before):
                out.problems.append(f"{label}: the rows did not change")
            await pilot.pause()

        await pilot.press("slash", *SEARCH)
        before = queue.page
        began = time.perf_counter()
        press(app, "enter", "\r")
        page = await until(fresh(queue, before))
        await record(out, spy, FIND, began)
        out.found = page.total
        if keys(page) == keys(before):
            out.problems.append(f"{FIND}: the rows did not change")
        await pilot.pause()

        before = queue.page
        began = time.perf_counter()
        press(app, "0", "0")
        page = await until(fresh(queue, before))
        await record(out, spy, CLEAR, began)
        if page.total != out.total:
            out.problems.append(f"{CLEAR}: {page.total:,} tickets, not {out.total:,}")
        await pilot.pause()

        began = time.perf_counter()
        press(app, "enter", "\r")
        opened = await until(lambda: history_shown(app))
        await record(out, spy, OPEN, began)
        out.ticket = opened.ticket_key
        out.history = opened.query_one("#history", DataTable).row_count
        await pilot.pause()

        before = queue.page
        began = time.perf_counter()
        press(app, "escape", "\x1b")
        await until(lambda: app.screen is queue and fresh(queue, before)())
        await record(out, spy, BACK, began)
        await pilot.pause()
    return out


async def dashboard(url: str, repeat: int, spy: Spy) -> tuple[list[Session], list[float]]:
    """`repeat` sessions after one untimed warm-up, each on a freshly opened context (as a launch of
    `xhsvc` would), and how long opening that context took."""
    sessions = []
    opening = []
    for i in range(repeat + 1):
        began = time.perf_counter()
        ctx = open_context(url=url, actor=AGENT, settings=Settings())
        opened = ms(time.perf_counter() - began)
        if i == 1:
            spy.clear()  # keep the timed sessions' figures only
        try:
            done = await session(ctx, spy)
        finally:
            ctx.db.dispose()
        if i:
            sessions.append(done)
            opening.append(opened)
    return sessions, opening


async def profile_paging(url: str, turns: int, spy: Spy) -> cProfile.Profile:
    """The main thread (cProfile sees no other) over `turns` page turns, each from the key until
    the frame after the rows came in."""
    ctx = open_context(url=url, actor=AGENT, settings=Settings())
    app = XhsvcApp(ctx, refresh_seconds=REFRESH, show_clock=False)
    spy.watch_frames(app)
    profile = cProfile.Profile()
    try:
        async with app.run_test(size=SIZE) as pilot:
            queue = await until(lambda: queue_shown(app))
            await pilot.pause()
            for i in range(turns):
                key, char = ("right_square_bracket", "]") if i % 2 == 0 else ("left_square_bracket", "[")
                before = queue.page
                began = time.perf_counter()
                profile.enable()
                press(app, key, char)
                await until(fresh(queue, before))
                shown = spy.span_after(SHOW, began)
                if shown is not None:
                    await next_frame(spy, shown[1])
                profile.disable()
                await pilot.pause()
    finally:
        ctx.db.dispose()
    return profile


# Plain DataTable --------------------------------------------------------------------------------


class PlainTable(App[None]):
    """Nothing but Textual's DataTable, `rows` rows of the queue's ten columns added in on_mount."""

    def __init__(self, rows: int, *, fixed: bool) -> None:
        super().__init__()
        self.rows = rows
        self.fixed = fixed
        self.filled_at = 0.0

    def compose(self) -> ComposeResult:
        yield DataTable()

    def on_mount(self) -> None:
        table: DataTable[Any] = self.query_one(DataTable)
        for key, label, width in COLUMNS:
            table.add_column(label, key=key, width=width if self.fixed else None)
        for i in range(self.rows):
            table.add_row(
                f"XH-{i:06d}",
                "P3",
                "",
                "in_progress",
                "L1",
                "lijun",
                f"杭州市中心医院（{i % 9 + 1}）",
                "存储阵列控制器B告警，性能下降",
                "",
                f"resp {i % 60}m{i % 59:02d}s  res {i % 9}h{i % 60:02d}m",
                key=str(i),
            )
        self.filled_at = time.perf_counter()


async def plain_table(rows: int, fixed: bool, repeat: int, spy: Spy) -> tuple[list[float], list[float]]:
    """ms from starting run_test until on_mount added the rows, and until the next frame; `repeat`
    runs after one warm-up."""
    filled = []
    framed = []
    for i in range(repeat + 1):
        app = PlainTable(rows, fixed=fixed)
        spy.watch_frames(app)
        began = time.perf_counter()
        async with app.run_test(size=SIZE):
            await until(lambda app=app: app.filled_at)  # type: ignore[misc]
            frame = await until(lambda app=app: spy.frame_after(app.filled_at))  # type: ignore[misc]
        if i:
            filled.append(ms(app.filled_at - began))
            framed.append(ms(frame - began))
    return filled, framed


# In process and SQL -------------------------------------------------------------------------------


def time_call(call: Callable[[], object], repeat: int) -> list[float]:
    call()
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        times.append(ms(time.perf_counter() - began))
    return times


def kind_of(statement: str) -> str:
    text = bench_sweep.one_line(statement)
    if text.startswith("SELECT count(*)"):
        return "count"
    if "ORDER BY" in text and "LIMIT" in text and "FROM ticket" in text:
        return "page"
    if "FROM sla_clock" in text:
        return "clocks"
    if "FROM person" in text:
        return "actor"
    return "other"


def unordered(statement: str) -> str | None:
    """The statement without its ORDER BY (same LIMIT and OFFSET), or None if it has none."""
    stripped, n = re.subn(r"\s+ORDER BY\s.*?(?=\s+LIMIT\s)", "", statement, flags=re.DOTALL)
    return stripped if n else None


def verdict(plan: Sequence[str]) -> str:
    uses = any(INDEX in line for line in plan)
    sorts = any(SORTS in line for line in plan)
    return f"{'uses' if uses else 'not'} {INDEX}, {'sorts in a temp B-tree' if sorts else 'no sort'}"


def show_statement(
    conn: Connection, label: str, statement: str, params: tuple[Any, ...], repeat: int
) -> None:
    took, rows = bench_sweep.statement_ms(conn, statement, params, repeat)
    plan = bench_sweep.query_plan(conn, statement, params)
    print(f"  {label:<24} {took:8.2f} ms  {rows:6,} rows  {verdict(plan)}")
    print(f"      {' / '.join(plan)}")


def print_profile(profile: cProfile.Profile, top: int, per: int, *, skip: Sequence[str] = ()) -> None:
    """The top functions by cumulative and by own time, in ms per call (or turn) of what was
    profiled; functions from files matching `skip` (the event loop's plumbing) left out."""
    entries = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    rows = []
    for (filename, line, name), (_cc, calls, own, cumulative, _callers) in entries.items():
        if any(part in filename for part in skip):
            continue
        place = f"{bench_sweep.where(filename)}:{line}" if line else "~"
        rows.append((ms(cumulative) / per, ms(own) / per, calls / per, f"{place}({name})"))
    for title, key in (("cumulative", 0), ("own time", 1)):
        print(f"  top {top} by {title}:")
        print(f"  {'cum ms':>8}  {'own ms':>8}  {'calls':>8}  function")
        for cumulative, own, calls, label in sorted(rows, key=lambda r: r[key], reverse=True)[:top]:
            print(f"  {cumulative:8.2f}  {own:8.2f}  {calls:8,.1f}  {label}")
    print()


def print_table(head: str, rows: Sequence[tuple[str, Sequence[float], str]]) -> None:
    """An aligned table: label, min, median and max ms, and a note."""
    width = max(len(head), *(len(label) for label, _, _ in rows))
    print(f"{head:<{width}}  {'min ms':>8}  {'median':>8}  {'max ms':>8}")
    for label, times, note in rows:
        if not times:
            print(f"{label:<{width}}  {'-':>8}  {'-':>8}  {'-':>8}  {note}")
            continue
        print(
            f"{label:<{width}}  {min(times):8.1f}  {statistics.median(times):8.1f}  {max(times):8.1f}  {note}".rstrip()
        )


def median_of(values: Sequence[float]) -> float:
    kept = [v for v in values if not math.isnan(v)]
    return statistics.median(kept) if kept else math.nan


# Main -------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tickets", type=int, default=100_000, metavar="N", help="tickets to create in all")
    parser.add_argument("--open", type=int, default=5_000, metavar="N", help="how many of them are open")
    add_common(parser, repeat=5)
    args = parser.parse_args(argv)
    if args.tickets < 1 or args.repeat < 1:
        parser.error("--tickets and --repeat must be at least 1")
    if not PAGE < args.open <= args.tickets:
        parser.error(f"--open must be more than a page ({PAGE}) and at most --tickets")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    home = Path(tempfile.mkdtemp(prefix="xhsvc-bench-"))
    os.environ["XHSVC_HOME"] = str(home)
    db_file = home / "xhsvc.db"
    url = f"sqlite:///{db_file}"
    rng = random.Random(args.seed)
    now = datetime.now(UTC).replace(microsecond=0)
    repeat = args.repeat
    try:
        db = open_database(url)
        began = time.perf_counter()
        filled = fill(db, count=args.tickets, open_count=args.open, rng=rng, now=now)
        took = time.perf_counter() - began
        began = time.perf_counter()
        derive(db, now)
        derived = time.perf_counter() - began
        bench_sweep.checkpoint(db)
        db.dispose()
        events_n = sum(filled.events.values())
        print(
            f"fill: {events_n:,} events through append_many in {took:.1f} s ({events_n / took:,.0f} events/s); "
            f"next_check_at and refresh_next_due in {derived:.1f} s"
        )
        print("rows: " + ", ".join(f"{entity} {n:,}" for entity, n in filled.events.items()))
        print(
            "tickets: "
            + ", ".join(f"{k} {n:,}" for k, n in sorted(filled.statuses.items()) if n)
            + f"; the open ones reported within the last {bench_sweep.REPORTED_WITHIN.total_seconds() / 3600:.0f} h, "
            f"the closed ones over the {HISTORY.days} days before"
        )
        print(f"database: {bench_sweep.size_mb(db_file):.1f} MB  {db_file}")
        print()

        spy = Spy()
        spy_on_dashboard(spy)
        try:
            sessions, opening = asyncio.run(dashboard(url, repeat, spy))
            inside = {label: spy.took(label) for label in spy.spans}
            spy.clear()
            paging = asyncio.run(profile_paging(url, PROFILED, spy))
            spy.clear()
            plain = {
                (rows, fixed): asyncio.run(plain_table(rows, fixed, repeat, spy))
                for rows, fixed in ((PAGE, True), (PLAIN_ROWS, False), (PLAIN_ROWS, True))
            }
        finally:
            spy.undo()

        first = sessions[0]
        print(
            f"dashboard, XhsvcApp.run_test(size={SIZE}), {first.total:,} tickets in the queue, "
            f"{len(sessions)} sessions after one warm-up:"
        )
        print_table(
            "step (ms until the rows are in)",
            [
                (
                    label,
                    [s.times[label][0] for s in sessions],
                    f"frame {median_of([s.times[label][1] for s in sessions]):6.1f}",
                )
                for label in ACTIONS
            ],
        )
        print(
            f"(frame: median ms until the first frame composed after that; search {SEARCH!r} found "
            f"{first.found:,}; opened {first.ticket}, {first.history} history rows)"
        )
        for s in sessions:
            for problem in s.problems:
                print(f"  PROBLEM: {problem}")
        print()

        print("where each step's time went (medians, ms):")
        width = max(len(label) for label in ACTIONS)
        print(f"{'step':<{width}}  " + "  ".join(f"{phase:>18}" for phase in PHASES))
        for label in ACTIONS:
            cells = [median_of([s.phases[label].get(phase, math.nan) for s in sessions]) for phase in PHASES]
            print(f"{label:<{width}}  " + "  ".join(f"{cell:18.1f}" for cell in cells))
        print(
            "(to the read: from the key, or from starting run_test, to the worker thread's first read; "
            "for the ticket the read is show_ticket + ticket_history)"
        )
        print()
        print("inside the dashboard, every call during the timed sessions (ms):")
        print_table(
            "call",
            [
                ("open_context (before run_test)", opening, f"{len(opening)} calls"),
                *((label, times, f"{len(times)} calls") for label, times in inside.items()),
            ],
        )
        print()

        print(f"the dashboard's main thread over {PROFILED} page turns ([ and ]) under cProfile, per turn:")
        print_profile(paging, TOP, PROFILED, skip=PLUMBING)

        ours = statistics.median(s.times[FIRST][0] for s in sessions)
        ours_frame = median_of([s.times[FIRST][1] for s in sessions])
        print(
            "Textual's plain DataTable, the queue's 10 columns, rows added in on_mount (ms from starting run_test):"
        )
        print_table(
            "table",
            [
                (
                    f"{rows:,} rows, {'fixed widths' if fixed else 'auto widths'}",
                    filled_ms,
                    f"frame {median_of(framed):6.1f}",
                )
                for (rows, fixed), (filled_ms, framed) in plain.items()
            ],
        )
        print(
            f"beside it: our first page ({PAGE} rows of {first.total:,}, read in a worker), "
            f"{ours:.1f} ms, frame {ours_frame:.1f}"
        )
        print()

        ctx = open_context(url=url, actor=AGENT, settings=Settings())
        search = QueueFilter(text=SEARCH)
        miss = QueueFilter(text=MISS)
        calls: list[tuple[str, Callable[[], QueuePage]]] = [
            ("offset 0", lambda: queue_page(ctx, filter=QueueFilter(), offset=0, limit=PAGE)),
            (
                f"offset {FAR_OFFSET:,}",
                lambda: queue_page(ctx, filter=QueueFilter(), offset=FAR_OFFSET, limit=PAGE),
            ),
            (f"search {SEARCH!r}", lambda: queue_page(ctx, filter=search, offset=0, limit=PAGE)),
            (f"search {MISS!r}", lambda: queue_page(ctx, filter=miss, offset=0, limit=PAGE)),
        ]
        print(
            f"queue_page(ctx, filter=QueueFilter(), limit={PAGE}) in process, {repeat} runs after one warm-up:"
        )
        print_table("call", [(label, time_call(call, repeat), "") for label, call in calls])
        print()
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(PROFILED):
            calls[0][1]()
        profile.disable()
        print(f"{PROFILED} calls of queue_page (offset 0) under cProfile, per call:")
        print_profile(profile, TOP, PROFILED)

        statements: list[tuple[str, str, tuple[Any, ...]]] = []
        for label, call in calls:
            for statement, params in bench_sweep.captured(ctx.db, call):
                kind = kind_of(statement)
                if kind == "page" or (kind == "count" and label == "offset 0"):
                    statements.append((f"{kind} ({label})", statement, params))
        print("the statements of one queue_page (median of timed runs; EXPLAIN QUERY PLAN):")
        with ctx.db.read() as conn:
            for statement, params in bench_sweep.captured(ctx.db, calls[0][1]):
                took, rows = bench_sweep.statement_ms(conn, statement, params, max(repeat, 5))
                print(f"  {kind_of(statement):<8} {took:8.2f} ms  {rows:6,} rows")
            print()
            main_statement, main_params = next(
                (s, p) for label, s, p in statements if label == "page (offset 0)"
            )
            print(f"  {bench_sweep.one_line(main_statement)}")
            print(f"  params: {main_params}")
            for label, statement, params in statements:
                show_statement(conn, label, statement, params, max(repeat, 5))
            plan = bench_sweep.query_plan(conn, main_statement, main_params)
            sorts = any(SORTS in line for line in plan)
            read = next((line for line in plan if re.match(r"(SCAN|SEARCH) ticket\b", line)), "?")
            print(
                f"verdict: the page read {'uses' if INDEX in read else 'does not use'} {INDEX} "
                f"(it reads: {read}) and {'sorts every match in a temp B-tree' if sorts else 'does not sort'}"
            )
            if sorts:
                print()
                print("what the ORDER BY costs: the same statement without it (same LIMIT and OFFSET):")
                for label, statement, params in statements:
                    bare = unordered(statement)
                    if bare is None:
                        continue
                    with_order, _ = bench_sweep.statement_ms(conn, statement, params, max(repeat, 5))
                    without, _ = bench_sweep.statement_ms(conn, bare, params, max(repeat, 5))
                    print(
                        f"  {label:<24} {with_order:8.2f} ms ordered, {without:8.2f} ms unordered: "
                        f"{with_order - without:8.2f} ms to read and sort every match"
                    )
        ctx.db.dispose()

        if sorts:
            print()
            print("the same statements after each of these, on a scratch copy (the schema is not changed):")
            scratch = home / "scratch.db"
            for label, sql, unindexed in TRIALS:
                print(f"  {label}:  {sql}")
                bench_sweep.restore(db_file, scratch)
                trial = open_database(f"sqlite:///{scratch}")
                with trial.write() as conn:
                    conn.exec_driver_sql(sql)
                with trial.read() as conn:
                    for name, statement, params in statements:
                        if unindexed and name.startswith("page"):
                            statement = statement.replace(STATUS_FILTER, "WHERE +ticket.status IN (")
                        show_statement(conn, name, statement, params, max(repeat, 5))
                trial.dispose()
    finally:
        if args.keep:
            print(f"\nkept: {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
