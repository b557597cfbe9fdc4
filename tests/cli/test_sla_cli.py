"""Calendars, SLA clocks, the sweep, rules and notification delivery from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from freezegun import freeze_time

from tests.cli.conftest import Cli
from tests.conftest import CUSTOMER

EXAMPLES = Path(__file__).parents[2] / "examples"


def test_calendar_list_and_a_month_as_json(cli: Cli) -> None:
    names = {c["name"] for c in cli.json("calendar", "list")}
    assert {"7x24", "china-business"} <= names
    days = cli.json("calendar", "show", "china-business", "--month", "2026-10")
    assert len(days) == 31
    assert days[0] == {
        "date": "2026-10-01",
        "weekday": "thu",
        "working": False,
        "kind": "holiday",
        "holiday": "National Day",
        "hours": [],
    }
    assert (days[9]["date"], days[9]["working"], days[9]["hours"]) == (
        "2026-10-10",
        True,
        ["09:00-12:00", "13:30-18:00"],
    )
    assert cli("calendar", "show", "china-business", "--month", "2026-13").exit_code == 2
    assert cli("calendar", "show", "mars", "--month", "2026-10").exit_code == 3


def test_sla_due_for_a_caller(cli: Cli) -> None:
    promises = cli.json("sla", "due", "--level", "silver", "--priority", "P2", "--from", "2026-09-30 16:00")
    assert [(p["target"], p["due_at"]) for p in promises] == [
        ("response", "2026-09-30T10:00:00+00:00"),
        ("onsite", "2026-10-08T08:00:00+00:00"),
        ("resolution", "2026-10-09T08:00:00+00:00"),
    ]
    text = cli("sla", "due", "--level", "silver", "--priority", "P2", "--from", "2026-09-30 16:00").stdout
    assert "resolution  within 2d      due 2026-10-09 16:00  (china-business)" in text
    assert cli("sla", "due", "--level", "silver", "--priority", "P9").exit_code == 2


def test_every_clock_in_show_and_list(desk_cli: Cli) -> None:
    key = desk_cli(
        "ticket", "open", "--customer", CUSTOMER, "--title", "阵列告警", "--impact", "2"
    ).stdout.strip()
    shown = desk_cli.json("ticket", "show", key)
    assert [c["target"] for c in shown["clocks"]] == ["response", "resolution"]
    for clock in shown["clocks"]:
        assert set(clock) >= {"target", "due_at", "elapsed_min", "remaining_min", "paused_min", "state"}
        assert clock["state"] == "running"
    listed = desk_cli.json("ticket", "list")[0]
    assert [c["target"] for c in listed["clocks"]] == ["response", "resolution"]
    table = desk_cli("ticket", "list").stdout
    assert "resp 2h · res 2d" in table  # gold P3: response 2h, resolution 2 days (7x24)
    assert "SLA response" in desk_cli("ticket", "show", key).stdout


def test_sweep_json_for_cron_and_explain(desk_cli: Cli) -> None:
    with freeze_time("2026-11-25 00:05:00"):  # 08:05 in Shanghai: the call came at 08:00
        opened = desk_cli(
            "ticket",
            "open",
            "--customer",
            CUSTOMER,
            "--title",
            "阵列告警",
            "--reported-at",
            "2026-11-25 08:00",
        )
    key = opened.stdout.strip()
    shown = desk_cli.json("ticket", "show", key)
    start = shown["reported_at"]
    assert start == "2026-11-25T00:00:00+00:00"
    dry = desk_cli.json("sla", "sweep", "--now", "2026-11-25 10:00", "--dry-run")
    assert [(f["ticket"], f["rule"]) for f in dry["fired"]] == [
        (key, "response-warning"),
        (key, "response-breached"),
    ]
    done = desk_cli.json("sla", "sweep", "--now", "2026-11-25 10:00")
    assert [f["rule"] for f in done["fired"]] == ["response-warning", "response-breached"]
    assert done["fired"][0]["actions"] == ["notified wangfang, zhaoli"]
    again = desk_cli.json("sla", "sweep", "--now", "2026-11-25 10:05")
    assert again["fired"] == [] and again["checked"] == 0
    explained = desk_cli.json("rules", "explain", key)
    by_rule = {r["rule"]: r for r in explained["rules"]}
    assert by_rule["response-warning"]["fired_at"] == "2026-11-25T02:00:00+00:00"
    assert by_rule["resolution-escalate"]["matches"] is True
    assert "tier is" not in by_rule["resolution-escalate"]["why"]
    text = desk_cli("rules", "explain", key).stdout
    assert "response-warning         FIRED 2026-11-25 10:00" in text


def test_rules_check(cli: Cli, tmp_path: Path) -> None:
    ok = cli.json("rules", "check", str(EXAMPLES / "rules.toml"))
    assert [r["id"] for r in ok["rules"]][:2] == ["vip-response-warning", "vip-p1-late"]
    assert "all valid" in cli("rules", "check").stdout
    broken = tmp_path / "rules.toml"
    broken.write_text(
        (EXAMPLES / "rules.toml").read_text(encoding="utf-8").replace('at = "80%"', 'at = "80"'),
        encoding="utf-8",
    )
    result = cli("rules", "check", str(broken))
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == f"error: {broken}:32: rule.2.at: rule resolution-warning: '80' is not a share like \"80%\""
    )


def test_notify_flush_delivers_once_and_retries_failures(desk_cli: Cli, home: Path, tmp_path: Path) -> None:
    cli = desk_cli
    cli("ticket", "open", "--customer", CUSTOMER, "--title", "全部业务中断", "--impact", "1")
    assert cli("notify", "flush").exit_code == 2  # no delivery command configured yet
    outbox = tmp_path / "sent.txt"
    gate = tmp_path / "gate"
    # Fails while the gate file is missing, as a mail relay that is down would.
    command = f'test -e {gate} || {{ echo "relay down" >&2; exit 75; }}; {{ echo "$XHSVC_TO|$XHSVC_TICKET|$XHSVC_REASON"; cat; echo; }} >> {outbox}'
    assert cli("config", "set", "notify.command", command).exit_code == 0
    failed = cli("notify", "flush", "--json")
    assert failed.exit_code == 1
    report = json.loads(failed.stdout)
    assert report["delivered"] == 0 and report["failed"][0]["error"] == "exit 75: relay down"
    assert [n["state"] for n in cli.json("notify", "list")] == ["failed"]
    gate.touch()
    assert cli("notify", "flush").stdout.strip() == "1 delivered, 0 failed"
    assert cli("notify", "flush").stdout.strip() == "0 delivered, 0 failed"
    lines = outbox.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "zhoujian|XH-000001|major_incident"
    assert lines[1].startswith("[XH-000001] major incident at")
    assert [n["state"] for n in cli.json("notify", "list")] == ["delivered"]
