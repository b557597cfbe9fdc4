"""The command line: output for people and scripts, exit codes, config."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import click
import typer

from tests.cli.conftest import Cli
from tests.conftest import CUSTOMER
from xhsvc.cli.main import app


def _open(cli: Cli, *extra: str) -> str:
    result = cli("ticket", "open", "--customer", CUSTOMER, "--title", "控制器告警", *extra)
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def test_every_command_has_help() -> None:
    """A command's docstring is its help; none may be without."""
    group = typer.main.get_command(app)

    def walk(command: click.Command, path: str) -> list[str]:
        missing = [] if (command.help or "").strip() else [path]
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                missing += walk(sub, f"{path} {name}")
        return missing

    assert walk(group, "xhsvc") == []


def test_init_writes_config_and_creates_the_user(cli: Cli, home: Path) -> None:
    result = cli(
        "init", "--id", "wangfang", "--name", "王芳", "--role", "agent", "--region", "杭州", "--prefix", "HZ"
    )
    assert result.exit_code == 0, result.stderr
    config = tomllib.loads((home / "config.toml").read_text(encoding="utf-8"))
    assert config["user"] == "wangfang" and config["prefix"] == "HZ"
    person = cli.json("person", "show", "wangfang")
    assert (person["name"], person["role"], person["region"]) == ("王芳", "agent", "杭州")
    assert cli("config", "get", "user").stdout.strip() == "wangfang"
    assert cli("--as", "wangfang", "customer", "add", CUSTOMER).exit_code == 0
    assert _open(cli) == "HZ-000001"


def test_init_refuses_bad_values_and_writes_nothing(cli: Cli, home: Path) -> None:
    result = cli("init", "--id", "Wang Fang", "--name", "王芳", "--role", "agent")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: id 'Wang Fang'")
    assert cli("init", "--id", "wangfang", "--name", "王芳", "--role", "boss").exit_code == 2
    assert (
        cli("init", "--id", "wangfang", "--name", "王芳", "--role", "agent", "--prefix", "x").exit_code == 2
    )
    assert not (home / "config.toml").exists()


def test_config_set_get_and_path(cli: Cli, home: Path) -> None:
    assert cli("config", "set", "timezone", "Asia/Shanghai").exit_code == 0
    assert cli("config", "get", "timezone").stdout.strip() == "Asia/Shanghai"
    bad = cli("config", "set", "timezone", "Mars/Olympus")
    assert bad.exit_code == 2 and "timezone" in bad.stderr
    assert cli("config", "get", "nothing").exit_code == 3
    assert str(home / "config.toml") in cli("config", "path").stdout


def test_exit_codes_are_the_documented_ones(desk_cli: Cli) -> None:
    cli = desk_cli
    key = _open(cli)
    cases = [
        (("ticket", "open", "--customer", CUSTOMER, "--title", "x", "--impact", "7"), 2, "impact 7"),
        (("ticket", "open", "--customer", CUSTOMER, "--title", "x", "--channel", "fax"), 2, "channel 'fax'"),
        (("ticket", "show", "XH-424242"), 3, "ticket 'XH-424242' not found"),
        (("ticket", "open", "--customer", "无此客户", "--title", "x"), 3, "customer '无此客户' not found"),
        (("ticket", "close", key), 4, "allowed only when resolved"),
        (
            ("--as", "lijun", "ticket", "cancel", key, "--reason", "x", "--yes"),
            4,
            "only agent or manager or admin",
        ),
        (
            ("--as", "admin", "person", "add", "lijun", "--name", "李军", "--role", "engineer"),
            5,
            "already exists",
        ),
        (("--as", "ghost", "ticket", "list"), 3, "ghost"),
        (("ticket", "open", "--customer", CUSTOMER), 2, "--title"),
    ]
    for args, code, message in cases:
        result = cli(*args)
        assert result.exit_code == code, (args, result.stdout, result.stderr)
        assert message in result.stderr, (args, result.stderr)
        if code != 2 or args[-1] != CUSTOMER:
            assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_ticket_show_and_list_json_for_scripts(desk_cli: Cli) -> None:
    cli = desk_cli
    key = _open(cli, "--impact", "2", "--urgency", "1", "--contact", "陈主任/13900001111")
    assert cli("ticket", "assign", key, "lijun").exit_code == 0
    assert cli("--as", "lijun", "ticket", "respond", key).exit_code == 0
    assert cli("--as", "lijun", "ticket", "onsite", key, "--reason", "更换电池").exit_code == 0
    shown = cli.json("ticket", "show", key)
    for field in ("key", "status", "tier", "priority", "impact", "urgency", "major", "assignee", "customer"):
        assert field in shown
    assert (shown["key"], shown["status"], shown["priority"], shown["assignee"]) == (
        key,
        "in_progress",
        "P1",
        "lijun",
    )
    assert shown["customer"] == CUSTOMER
    assert shown["created_at"].endswith("+00:00")
    assert shown["pending_approval"]["kind"] == "onsite"
    assert shown["pending_approval"]["requested_by"] == "lijun"
    listing = cli.json("ticket", "list")
    assert isinstance(listing, list) and [t["key"] for t in listing] == [key]
    assert listing[0]["pending_approval"] == {"kind": "onsite", "decider": "agent"}
    assert cli.json("ticket", "list", "--status", "closed") == []


def test_actions_print_one_line_or_the_ticket_as_json(desk_cli: Cli) -> None:
    cli = desk_cli
    key = _open(cli)
    result = cli("ticket", "assign", key, "lijun")
    assert result.stdout.strip() == f"{key} assigned to lijun (assigned)"
    data = json.loads(cli("ticket", "comment", key, "客户来电催促", "--json").stdout)
    assert data["key"] == key and data["assignee"] == "lijun"
    history = cli.json("ticket", "history", key)
    assert [h["kind"] for h in history] == [
        "ticket.opened",
        "sla_clock.started",
        "sla_clock.started",
        "ticket.assigned",
        "notification.queued",
        "ticket.commented",
    ]
    assert history[-1]["summary"] == "客户来电催促" and history[-1]["actor"] == "wangfang"


def test_plain_output_in_a_pipe_has_no_colour(desk_cli: Cli) -> None:
    key = _open(desk_cli)
    out = desk_cli("ticket", "list").stdout
    assert "\x1b[" not in out
    assert out.splitlines()[0].split()[:3] == ["KEY", "PRI", "!"]
    assert key in out.splitlines()[1]


def test_close_reads_the_service_report_file(desk_cli: Cli, tmp_path: Path) -> None:
    cli = desk_cli
    key = _open(cli)
    cli("ticket", "assign", key, "lijun")
    cli("--as", "lijun", "ticket", "respond", key)
    cli("--as", "lijun", "ticket", "onsite", key, "--reason", "现场更换")
    assert cli("--as", "zhaoli", "ticket", "approve", key).exit_code == 0
    cli("--as", "lijun", "ticket", "resolve", key, "--resolution", "已更换")
    cli("ticket", "confirm", key, "--by", "陈主任")
    missing = cli("ticket", "close", key, "--report", str(tmp_path / "nope.md"))
    assert missing.exit_code == 2 and "report" in missing.stderr
    assert cli.json("ticket", "show", key)["status"] == "resolved"
    report = tmp_path / "report.md"
    report.write_text("服务报告\n已更换电池模块，客户签字。\n", encoding="utf-8")
    assert cli("ticket", "close", key, "--report", str(report)).exit_code == 0
    shown = cli.json("ticket", "show", key)
    assert shown["status"] == "closed" and "客户签字" in shown["report"]


def test_notify_list(desk_cli: Cli) -> None:
    key = _open(desk_cli, "--impact", "1")
    rows = desk_cli.json("notify", "list")
    assert [(r["recipient"], r["reason"], r["ticket"]) for r in rows] == [("zhoujian", "major_incident", key)]
    assert desk_cli.json("notify", "list", "--state", "delivered") == []
    assert desk_cli("notify", "list", "--state", "sent").exit_code == 2


def test_db_status_and_upgrade(cli: Cli, tmp_path: Path) -> None:
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    status = cli.json("--db", fresh, "db", "status")
    assert status["current"] is None and status["up_to_date"] is False
    assert cli("--db", fresh, "db", "upgrade").stdout.strip() == f"upgraded (empty) -> {status['head']}"
    status = cli.json("--db", fresh, "db", "status")
    assert status["up_to_date"] is True and status["current"] == status["head"]
    assert cli("db", "upgrade").exit_code == 0  # the test's own database, on either backend
    assert cli("db", "upgrade").stdout.strip().startswith("already at")
    assert cli.json("db", "status")["up_to_date"] is True


def test_db_rebuild_is_for_admins(desk_cli: Cli) -> None:
    key = _open(desk_cli)
    assert desk_cli("db", "rebuild", "--yes").exit_code == 4
    result = desk_cli("--as", "admin", "db", "rebuild", "--yes", "--json")
    # 8 people, 1 customer, 1 contract with its term, 1 ticket with its response and resolution clocks
    assert result.exit_code == 0 and json.loads(result.stdout)["events_replayed"] == 14
    assert desk_cli.json("ticket", "show", key)["title"] == "控制器告警"


def test_a_script_decides_only_the_request_it_read(desk_cli: Cli) -> None:
    cli = desk_cli
    key = _open(cli)
    cli("ticket", "assign", key, "lijun")
    cli("--as", "lijun", "ticket", "respond", key)
    cli("--as", "lijun", "ticket", "onsite", key, "--reason", "第一次")
    read = cli.json("ticket", "show", key)["pending_approval"]["id"]
    cli("--as", "lijun", "ticket", "withdraw", key, "--reason", "写错了", "--request", read)
    cli("--as", "lijun", "ticket", "onsite", key, "--reason", "第二次")
    stale = cli("--as", "zhaoli", "ticket", "approve", key, "--request", read)
    assert stale.exit_code == 5 and "changed meanwhile" in stale.stderr
    assert cli.json("ticket", "show", key)["pending_approval"]["reason"] == "第二次"
    current = cli.json("ticket", "show", key)["pending_approval"]["id"]
    assert cli("--as", "zhaoli", "ticket", "approve", key, "--request", current).exit_code == 0
    assert cli.json("ticket", "show", key)["pending_approval"] is None
