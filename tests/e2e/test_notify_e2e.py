"""`xhsvc notify flush` as cron runs it: two at once, one killed mid-delivery, one stuck on a
command that hangs. Each notification goes out once; nothing is lost; nothing is left running."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.core.test_notify_delivery import running, wait_for
from tests.e2e.test_installed_command import XHSVC, run, run_json

HOSPITAL = "浙江省第一人民医院"


@pytest.fixture
def outbox(use_db: str) -> list[str]:
    """A desk with one manager and three major incidents: three notifications owed to him. Set up
    in one `xhsvc batch` (what is tested here is the flush, not these commands)."""
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    start, end = str(today - timedelta(days=30)), str(today + timedelta(days=300))
    setup = [
        ["init", "--id", "admin", "--name", "系统管理员", "--role", "admin"],
        ["person", "add", "zhoujian", "--name", "周建", "--role", "manager", "--email", "zhou@example.cn"],
        ["person", "add", "wangfang", "--name", "王芳", "--role", "agent"],
        ["config", "set", "user", "wangfang"],
        ["customer", "add", HOSPITAL, "--region", "杭州"],
        [
            "contract",
            "add",
            "HT-A",
            "--customer",
            HOSPITAL,
            "--level",
            "gold",
            "--start",
            start,
            "--end",
            end,
        ],
        *(
            ["ticket", "open", "--customer", HOSPITAL, "--title", title, "--impact", "1"]
            for title in ("双活集群全部中断", "备份系统全部失败", "核心存储离线")
        ),
    ]
    assert XHSVC
    done = subprocess.run(
        [XHSVC, "batch", "--stop-on-error"],
        input="".join(json.dumps({"args": args}, ensure_ascii=False) + "\n" for args in setup),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    owed = run_json("notify", "list", "--state", "pending")
    assert len(owed) == 3
    return [n["id"] for n in owed]


def start_flush() -> subprocess.Popen[str]:
    assert XHSVC
    return subprocess.Popen(
        [XHSVC, "notify", "flush", "--json"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def hung(tmp_path: Path) -> Iterator[Path]:
    """Where a hanging delivery writes its shell's pid; whatever is left there is killed after."""
    path = tmp_path / "hung.pid"
    yield path
    if path.exists():
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.killpg(int(path.read_text()), signal.SIGKILL)


def test_two_flushes_at_once_send_each_notification_once(outbox: list[str], tmp_path: Path) -> None:
    sent = tmp_path / "sent.txt"
    run("config", "set", "notify.command", f'sleep 1; echo "$XHSVC_NOTIFICATION_ID" >> {sent}')
    flushes = [start_flush(), start_flush()]
    reports = []
    for flush in flushes:
        out, err = flush.communicate(timeout=60)
        assert flush.returncode == 0, err
        reports.append(json.loads(out))
    assert sorted(sent.read_text().split()) == sorted(outbox)
    assert sum(r["delivered"] for r in reports) == 3
    assert [n["state"] for n in run_json("notify", "list")] == ["delivered"] * 3
    assert run("notify", "flush").stdout.strip() == "0 delivered, 0 failed"


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "sigterm"])
def test_a_flush_that_dies_mid_delivery_leaves_it_to_the_next(
    outbox: list[str], tmp_path: Path, hung: Path, sig: int
) -> None:
    sent, relay_up = tmp_path / "sent.txt", tmp_path / "relay-up"
    # Hangs while the relay is down, as a mail command would; sends once it is up.
    run("config", "set", "notify.command",
        f'[ -e {relay_up} ] || {{ echo $$ > {hung}; exec sleep 100; }}; echo "$XHSVC_NOTIFICATION_ID" >> {sent}')  # fmt: skip
    first = start_flush()
    assert wait_for(lambda: hung.exists() and hung.read_text().strip() != ""), "no delivery began"
    command = int(hung.read_text())
    first.send_signal(sig)
    first.communicate(timeout=30)
    if sig == signal.SIGTERM:
        # Stopped, the flush takes its delivery command down with it; killed, it cannot.
        assert first.returncode == 128 + signal.SIGTERM
        assert wait_for(lambda: not running(command), 5), "the delivery command was left running"
    relay_up.touch()
    # Its claim went with it (on PostgreSQL as soon as the server sees the connection gone).
    delivered = 0
    deadline = time.monotonic() + 20
    while delivered < 3 and time.monotonic() < deadline:
        delivered += run_json("notify", "flush")["delivered"]
    assert delivered == 3
    assert sorted(sent.read_text().split()) == sorted(outbox)
    assert {n["state"] for n in run_json("notify", "list")} == {"delivered"}


def test_a_hanging_command_is_killed_after_notify_timeout(outbox: list[str], tmp_path: Path) -> None:
    child = tmp_path / "child.pid"
    refused = run("config", "set", "notify.timeout", "soon", check=False)
    assert refused.returncode == 2
    assert "config notify.timeout: 'soon' is not a time limit like 60 (seconds)" in refused.stderr
    # Written into config.toml by hand, it is refused where it is used.
    config_file = Path(run("config", "path").stdout.split()[1])
    config_file.write_text('[notify]\ntimeout = "soon"\n', encoding="utf-8")
    run("config", "set", "notify.command", "exit 0")
    refused = run("notify", "flush", check=False)
    assert refused.returncode == 2
    assert "config notify.timeout: 'soon' is not a time limit like 60 (seconds)" in refused.stderr
    run("config", "set", "notify.timeout", "1")
    run("config", "set", "notify.command", f"sleep 100 & echo $! >> {child}; sleep 100")
    started = time.monotonic()
    result = run("notify", "flush", "--limit", "2", check=False)
    assert time.monotonic() - started < 60  # not the 2 x 100 s the command asked for
    assert result.returncode == 1
    assert result.stderr.count("timed out after 1 s; killed") == 2
    assert result.stdout.strip() == "0 delivered, 2 failed"
    pids = [int(line) for line in child.read_text().split()]
    assert len(pids) == 2
    assert wait_for(lambda: not any(running(pid) for pid in pids), 5), "a child of the command survived"
    failed = [n for n in run_json("notify", "list") if n["state"] == "failed"]
    assert len(failed) == 2
