"""Work logs through the command line: `ticket log`, `worklog list`, `worklog totals`, `worklog export`."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from tests.cli.conftest import Cli
from tests.conftest import CONTRACT, CUSTOMER

OTHER = "四川省教育考试院"


def _open(cli: Cli, customer: str = CUSTOMER) -> str:
    result = cli("ticket", "open", "--customer", customer, "--title", "控制器告警")
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def test_log_list_totals_and_export(desk_cli: Cli, tmp_path: Path) -> None:
    cli = desk_cli
    assert cli("customer", "add", OTHER, "--region", "成都").exit_code == 0
    covered, outside = _open(cli), _open(cli, OTHER)
    logged = cli(
        "--as", "lijun", "ticket", "log", covered.lower(), "1h30m", "--kind", "onsite", "--note", "更换电池"
    )
    assert logged.exit_code == 0, logged.stderr
    assert logged.stdout.strip() == f"{covered}: 1h30m of on-site work logged for lijun"
    entry = cli.json("--as", "wuhao", "ticket", "log", outside, "2h", "--kind", "remote")
    assert (entry["key"], entry["person"], entry["minutes"], entry["contract"]) == (
        outside,
        "wuhao",
        120,
        None,
    )
    at = cli("--as", "wuhao", "ticket", "log", outside, "45m", "--kind", "travel", "--at", "1h ago")
    assert at.exit_code == 0, at.stderr
    assert "1h ago =" in at.stderr  # says which moment it took

    rows = cli.json("worklog", "list", "--ticket", outside)
    assert [(r["person"], r["kind"], r["minutes"]) for r in rows] == [
        ("wuhao", "travel", 45),
        ("wuhao", "remote", 120),
    ]
    listed = cli("worklog", "list", "--person", "lijun")
    assert listed.exit_code == 0 and "更换电池" in listed.stdout and "1h30m" in listed.stdout

    totals = cli.json("worklog", "totals", "--by", "contract")
    assert [(t["group"], t["customer"], t["minutes"]) for t in totals] == [
        (None, OTHER, 165),
        (CONTRACT, CUSTOMER, 90),
    ]
    shown = cli("worklog", "totals", "--by", "engineer")
    assert shown.exit_code == 0
    lines = shown.stdout.splitlines()
    assert lines[0].split() == [
        "ENGINEER",
        "NAME",
        "ENTRIES",
        "TIME",
        "HOURS",
        "REMOTE",
        "ON",
        "SITE",
        "TRAVEL",
    ]
    assert lines[1].split()[:5] == ["wuhao", "吴昊", "2", "2h45m", "2.75"]
    assert lines[-1].split()[:4] == ["total", "3", "4h15m", "4.25"]

    out = tmp_path / "billing.csv"
    exported = cli("worklog", "export", "--out-of-contract", "--excel", "-o", str(out))
    assert exported.exit_code == 0, exported.stderr
    assert "2 work log entries written to" in exported.stdout
    text = out.read_text(encoding="utf-8")
    assert text.startswith("\ufeff")
    read = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [(r["key"], r["kind"], r["minutes"], r["contract"]) for r in read] == [
        (outside, "travel", "45", ""),
        (outside, "remote", "120", ""),
    ]
    as_json = json.loads(cli("worklog", "export", "--json").stdout)
    assert len(as_json) == 3 and as_json[0]["started_at"].endswith("+00:00")


def test_refused_logs_exit_with_their_code_and_write_nothing(desk_cli: Cli) -> None:
    cli = desk_cli
    key = _open(cli)
    cases = [
        (["ticket", "log", key, "1h", "--kind", "remote"], 4, "only engineer or expert or manager or admin"),
        (["--as", "lijun", "ticket", "log", key, "25h", "--kind", "remote"], 2, "duration '25h': one entry is at most 24h"),
        (["--as", "lijun", "ticket", "log", key, "1x", "--kind", "remote"], 2, "duration: '1x' is not a duration"),
        (["--as", "lijun", "ticket", "log", key, "1h", "--kind", "phone"], 2, "kind 'phone': must be one of remote, onsite, travel"),
        (["--as", "lijun", "ticket", "log", "XH-999999", "1h", "--kind", "remote"], 3, "ticket 'XH-999999' not found"),
        (["--as", "lijun", "ticket", "log", key, "1h", "--kind", "remote", "--at", "明天 9点"], 2, "at "),
    ]  # fmt: skip
    for args, code, message in cases:
        result = cli(*args)
        assert result.exit_code == code, (args, result.stderr)
        assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert cli.json("worklog", "list") == []
    bad_month = cli("worklog", "totals", "--by", "engineer", "--month", "2026-13")
    assert bad_month.exit_code == 2 and "month '2026-13': use YYYY-MM" in bad_month.stderr
    bad_by = cli("worklog", "totals", "--by", "site")
    assert bad_by.exit_code == 2 and "by 'site': must be one of" in bad_by.stderr
    assert cli("worklog", "list").stderr.strip() == "no work logged"
