"""The installed `xhsvc` command, run as a user or a script would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

XHSVC = shutil.which("xhsvc", path=str(Path(sys.executable).parent)) or shutil.which("xhsvc")


def run(
    *args: str, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    assert XHSVC, "the xhsvc command is not installed (pip install -e .)"
    result = subprocess.run(
        [XHSVC, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    if check:
        assert result.returncode == 0, f"xhsvc {' '.join(args)} -> {result.returncode}\n{result.stderr}"
    return result


def run_json(*args: str) -> Any:
    return json.loads(run(*args, "--json").stdout)


def test_readme_demo_then_queue(use_db: str) -> None:
    out = run("demo").stdout
    assert "demo loaded" in out
    queue = run_json("ticket", "list")
    assert len(queue) > 10
    statuses = {t["status"] for t in queue}
    assert {"new", "assigned", "in_progress", "waiting_customer", "resolved"} <= statuses
    everything = run_json("ticket", "list", "--all", "--limit", "0")
    assert {"closed", "cancelled"} <= {t["status"] for t in everything}
    assert any(t["pending_approval"] and t["pending_approval"]["decider"] == "manager" for t in queue)
    assert any(t["major"] for t in queue)
    regions = {p["region"] for p in run_json("person", "list")}
    assert {"杭州", "北京", "上海", "广州", "成都"} <= regions
    # The demo made the agent wangfang this installation's user.
    assert run("config", "get", "user").stdout.strip() == "wangfang"
    assert run("demo", check=False).returncode == 5  # only into a fresh database


def test_the_seed_flow_through_the_installed_command(use_db: str, tmp_path: Path) -> None:
    run("init", "--id", "admin", "--name", "系统管理员", "--role", "admin", "--prefix", "XH")
    for handle, name, role, tier in [
        ("wangfang", "王芳", "agent", None),
        ("zhoujian", "周建", "manager", None),
        ("lijun", "李军", "engineer", "L1"),
        ("wuhao", "吴昊", "engineer", "L2"),
    ]:
        run("person", "add", handle, "--name", name, "--role", role, *(["--tier", tier] if tier else []))
    run("init", "--id", "wangfang", "--name", "王芳", "--role", "agent")
    run("customer", "add", "杭州市西湖区政务数据中心", "--region", "杭州")
    today = date.today()
    run(
        "contract", "add", "HT-2026-0001", "--customer", "杭州市西湖区政务数据中心", "--level", "gold",
        "--start", str(today - timedelta(days=100)), "--end", str(today + timedelta(days=265)),
    )  # fmt: skip

    key = run(
        "ticket", "open", "--customer", "杭州市西湖区政务数据中心", "--title", "双活集群心跳中断",
        "--impact", "2", "--urgency", "1", "--contact", "陈主任/13900001111",
    ).stdout.strip()  # fmt: skip
    assert key == "XH-000001"
    run("ticket", "assign", key, "lijun")
    run("--as", "lijun", "ticket", "respond", key, "--note", "远程检查仲裁日志")
    run("--as", "lijun", "ticket", "onsite", key, "--reason", "需现场检查心跳线")
    denied = run("--as", "lijun", "ticket", "approve", key, check=False)
    assert denied.returncode == 4 and denied.stderr.startswith("error: approve")
    run("ticket", "approve", key, "--note", "合同期内")
    run("--as", "lijun", "ticket", "escalate", key, "--to", "L2", "--reason", "仲裁软件异常")
    run("ticket", "approve", key, "--assign", "wuhao")
    run("--as", "wuhao", "ticket", "respond", key)
    run("--as", "wuhao", "ticket", "onsite", key, "--reason", "二线到现场")
    agent_try = run("ticket", "approve", key, check=False)
    assert agent_try.returncode == 4 and "manager" in agent_try.stderr
    run("--as", "zhoujian", "ticket", "approve", key)
    run("--as", "wuhao", "ticket", "resolve", key, "--resolution", "更换仲裁节点网卡")
    assert run("ticket", "close", key, check=False).returncode == 4
    run("ticket", "confirm", key, "--by", "陈主任")
    report = tmp_path / "report.md"
    report.write_text("现场服务报告：更换仲裁节点网卡，业务恢复，客户签字。\n", encoding="utf-8")
    run("ticket", "close", key, "--report", str(report))
    shown = run_json("ticket", "show", key)
    assert (shown["status"], shown["tier"], shown["assignee"], shown["onsite_tier"]) == (
        "closed",
        "L2",
        "wuhao",
        "L2",
    )
    history = run_json("ticket", "history", key)
    assert history[0]["kind"] == "ticket.opened" and history[-1]["kind"] == "ticket.closed"

    # A major incident tells the manager and cannot close without a review.
    major = run(
        "ticket", "open", "--customer", "杭州市西湖区政务数据中心", "--title", "全部业务中断", "--impact", "1"
    ).stdout
    major = major.strip()
    assert [n["recipient"] for n in run_json("notify", "list", "--to", "zhoujian")] == ["zhoujian"] * 2
    run("ticket", "assign", major, "lijun")
    run("--as", "lijun", "ticket", "respond", major)
    run("--as", "lijun", "ticket", "resolve", major, "--resolution", "切换备用链路")
    refused = run("ticket", "close", major, check=False)
    assert refused.returncode == 4 and "review" in refused.stderr
    run(
        "--as",
        "zhoujian",
        "ticket",
        "review",
        major,
        "--root-cause",
        "核心交换机故障",
        "--actions",
        "增加冗余链路",
    )
    run("ticket", "close", major)
    assert run_json("ticket", "show", major)["status"] == "closed"


@pytest.mark.parametrize("args", [("--help",), ("ticket", "list"), ("ticket", "list", "--limit", "3")])
def test_cli_start_imports_no_textual(use_db: str, args: tuple[str, ...]) -> None:
    run("db", "upgrade")
    result = run(*args, env={"PYTHONPROFILEIMPORTTIME": "1"})
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert "typer" in imported
    assert not {m for m in imported if m.split(".")[0] in ("textual", "pydantic")}
    if "typer._click" in imported:  # a Typer with its own click: the other one is not needed
        assert "click" not in imported
    if args == ("--help",):
        assert "sqlalchemy" not in imported


def test_errors_are_one_line_on_stderr_and_nothing_prompts(use_db: str) -> None:
    result = run("ticket", "show", "XH-000404", check=False)
    assert result.returncode == 3
    assert result.stdout == ""
    assert result.stderr.strip() == "error: ticket 'XH-000404' not found"
    result = run("ticket", "assign", "XH-000001", "lijun", check=False)  # no user configured
    assert result.returncode == 2 and "xhsvc init" in result.stderr


def test_a_nightly_job_feeds_a_batch(use_db: str) -> None:
    run("demo")
    queue = run_json("ticket", "list")
    keys = [t["key"] for t in queue if t["status"] == "in_progress"][:3]
    lines = [["--as", "wangfang", "ticket", "comment", key, f"夜间同步 {key}"] for key in keys]
    lines.append(["ticket", "show", "XH-999999", "--json"])
    assert XHSVC
    done = subprocess.run(
        [XHSVC, "batch"],
        input="".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines),
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["exit"] for r in results] == [0, 0, 0, 3]
    for key in keys:
        assert f"夜间同步 {key}" in [h["summary"] for h in run_json("ticket", "history", key)]
