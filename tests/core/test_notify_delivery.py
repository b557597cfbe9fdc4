"""Delivery of the outbox: at most once however long a delivery takes, a hanging command killed
with everything it started, the time limit as config.toml gives it; on SQLite and PostgreSQL.

Where time matters it is the test's clock, moved by hand: no test waits out a window.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text, update
from sqlalchemy.engine import make_url

from tests.conftest import CUSTOMER, FixedClock, MakeCtx, backend
from xhsvc.core import notifications, tickets
from xhsvc.core.context import Context
from xhsvc.core.settings import Settings
from xhsvc.errors import InvalidInput
from xhsvc.store.db import Database, open_database
from xhsvc.store.tables import Notification


def settings(command: str, timeout: Any = None) -> Settings:
    notify: dict[str, Any] = {"command": command}
    if timeout is not None:
        notify["timeout"] = timeout
    return Settings(extra={"notify": notify})


def running(pid: int) -> bool:
    """Whether `pid` still runs (a zombie waiting for its reaper does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the kernel (a zombie then counts as running)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture
def outbox(desk: MakeCtx) -> list[str]:
    """Three major incidents: three notifications to the desk's one manager, oldest first."""
    agent = desk("wangfang")
    for title in ("双活集群全部中断", "备份系统全部失败", "核心存储离线"):
        tickets.open_ticket(agent, customer=CUSTOMER, title=title, impact=1)
    owed = notifications.list_notifications(agent, state="pending")  # the newest first
    assert [n["recipient"] for n in owed] == ["zhoujian"] * 3
    return [n["id"] for n in reversed(owed)]


@pytest.fixture
def flusher(db_url: str, clock: FixedClock) -> Iterator[Callable[[Settings], Context]]:
    """A flush of its own, as another process would run it: its own engine, the test's clock."""
    opened: list[Database] = []

    def make(given: Settings) -> Context:
        opened.append(open_database(db_url))
        return Context(db=opened[-1], clock=clock, settings=given)

    yield make
    for db in opened:
        db.dispose()


def states(ctx: Context) -> dict[str, tuple[str, int, str | None]]:
    with ctx.reading() as tx:
        rows = tx.conn.execute(
            Notification.__table__.select().order_by(Notification.__table__.c.created_at)
        ).mappings()
        return {r["id"]: (r["state"], r["attempts"], r["error"]) for r in rows}


# The time limit ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (None, 60),
        (30, 30),
        ("45", 45),
        ("90s", 90),
        (" 90 S ", 90),
        ("2m", 120),
        ("1h30m", 5400),
        ("1d", 86400),
    ],
)
def test_the_time_limit_is_seconds_or_a_span(value: Any, seconds: int) -> None:
    assert notifications.delivery_timeout(settings("true", value)) == seconds


@pytest.mark.parametrize("value", [0, "0s", "0m", -5, True, 1.5, "soon", "1m30s", "2d", 86401, ""])
def test_a_time_limit_that_is_no_time_limit_is_refused(value: Any) -> None:
    with pytest.raises(
        InvalidInput, match=r"config notify\.timeout: .* is not a time limit like 60 \(seconds\)"
    ):
        notifications.delivery_timeout(settings("true", value))


# A command that hangs -------------------------------------------------------------------------


@pytest.mark.parametrize("deaf", [False, True], ids=["hangs", "ignores-sigterm"])
def test_a_hanging_command_is_killed_with_everything_it_started(
    outbox: list[str], flusher: Callable[[Settings], Context], tmp_path: Path, deaf: bool
) -> None:
    shell, child = tmp_path / "shell.pid", tmp_path / "child.pid"
    # A shell that starts a child and waits, as a mail command stuck on a dead relay would; the
    # deaf one and its child ignore SIGTERM, so only SIGKILL ends them.
    command = (
        "trap '' TERM; " if deaf else ""
    ) + f"echo $$ > {shell}; sleep 100 & echo $! > {child}; sleep 100"
    started = time.monotonic()
    result = notifications.flush_notifications(flusher(settings(command, 1)), limit=1)
    took = time.monotonic() - started
    assert result["delivered"] == 0
    assert result["failed"] == [{"id": outbox[0], "to": "zhoujian", "error": "timed out after 1 s; killed"}]
    assert took < 30  # not the 100 s the command asked for
    pids = [int(shell.read_text()), int(child.read_text())]
    assert wait_for(lambda: not any(running(pid) for pid in pids), 5), "left running: " + ", ".join(
        str(pid) for pid in pids if running(pid)
    )

    ctx = flusher(settings("cat > /dev/null"))
    assert states(ctx)[outbox[0]] == ("failed", 1, "timed out after 1 s; killed")
    retried = notifications.flush_notifications(ctx)
    assert (retried["delivered"], retried["failed"]) == (3, [])  # the next flush retries it
    assert states(ctx)[outbox[0]] == ("delivered", 2, None)


# Two flushes at once --------------------------------------------------------------------------


class Flush(threading.Thread):
    def __init__(self, ctx: Context) -> None:
        super().__init__(daemon=True)
        self.ctx = ctx
        self.result: dict[str, Any] | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = notifications.flush_notifications(self.ctx)
        except BaseException as e:  # reported by outcome()
            self.error = e

    def outcome(self) -> dict[str, Any]:
        self.join(60)
        assert not self.is_alive(), "the flush did not finish"
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


def test_a_second_flush_never_takes_over_a_delivery_under_way(
    outbox: list[str], flusher: Callable[[Settings], Context], clock: FixedClock, tmp_path: Path
) -> None:
    """The tester's case: a flush still delivering hours later (on the clock), a second one
    starts. Each message goes out once, whoever sends it."""
    sent, begun, gate = tmp_path / "sent.txt", tmp_path / "begun", tmp_path / "gate"
    begun.mkdir()
    # Each delivery says it has begun, then waits for the gate (30 s at most) before it sends.
    command = (
        f'touch {begun}/"$XHSVC_NOTIFICATION_ID"; i=0; '
        f"while [ ! -e {gate} ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done; "
        f'echo "$XHSVC_NOTIFICATION_ID" >> {sent}'
    )
    first = Flush(flusher(settings(command)))
    first.start()
    assert wait_for(lambda: len(list(begun.iterdir())) == 1), "the first flush never began a delivery"
    clock.advance(hours=3)  # far beyond the ten minutes after which a claim used to go stale
    second = Flush(flusher(settings(command)))
    second.start()
    # SQLite: the second finds the first's turn taken and returns; PostgreSQL: it takes a message
    # the first does not hold, and waits at the gate with it.
    wait_for(lambda: not second.is_alive() or len(list(begun.iterdir())) == 2)
    gate.touch()
    a, b = first.outcome(), second.outcome()

    assert sorted(sent.read_text().split()) == sorted(outbox)  # each exactly once
    assert a["delivered"] + b["delivered"] == 3 and a["failed"] == b["failed"] == []
    if backend() == "sqlite":
        assert (a["delivered"], a["busy"]) == (3, None)
        assert (
            b["delivered"] == b["claimed"] == 0 and b["busy"] == f"pid {os.getpid()} on {os.uname().nodename}"
        )
    else:
        assert b["busy"] is None and b["delivered"] >= 1
    assert {s for s, _, _ in states(first.ctx).values()} == {"delivered"}
    assert notifications.flush_notifications(first.ctx)["claimed"] == 0  # never sent again


def test_a_claim_left_by_an_earlier_release_is_honoured_for_its_ten_minutes(
    outbox: list[str], flusher: Callable[[Settings], Context], clock: FixedClock, tmp_path: Path
) -> None:
    sent = tmp_path / "sent.txt"
    ctx = flusher(settings(f'echo "$XHSVC_NOTIFICATION_ID" >> {sent}'))
    table = Notification.__table__
    with ctx.writing(actor_required=False) as tx:  # as a flush of an earlier release left it
        tx.conn.execute(update(table).where(table.c.id == outbox[0]).values(claimed_at=clock.now))
    clock.advance(minutes=9)
    assert notifications.flush_notifications(ctx)["delivered"] == 2
    clock.advance(minutes=2)
    assert notifications.flush_notifications(ctx)["delivered"] == 1
    assert sorted(sent.read_text().split()) == sorted(outbox)
    with ctx.reading() as tx:
        assert tx.conn.execute(table.select().where(table.c.claimed_at.is_not(None))).first() is None


@pytest.mark.skipif(backend() != "postgresql", reason="a PostgreSQL server setting")
def test_a_server_idle_timeout_does_not_end_a_claim(
    outbox: list[str], db_url: str, flusher: Callable[[Settings], Context], tmp_path: Path
) -> None:
    """A delivery keeps its transaction idle; a server that ends idle transactions after half a
    second would drop the claim (and the flush) under a slower command."""
    url = make_url(db_url)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"ALTER DATABASE {url.database} SET idle_in_transaction_session_timeout = '500ms'"))
    admin.dispose()
    sent = tmp_path / "sent.txt"
    ctx = flusher(settings(f'sleep 1; echo "$XHSVC_NOTIFICATION_ID" >> {sent}'))
    assert notifications.flush_notifications(ctx, limit=1)["delivered"] == 1
    assert sent.read_text().split() == outbox[:1]
