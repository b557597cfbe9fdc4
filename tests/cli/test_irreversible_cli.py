"""Actions that cannot be undone ask first on a terminal and need --yes in a script; previews
write nothing; a terminated contract lists as terminated."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.cli.conftest import Cli
from tests.conftest import CONTRACT, CUSTOMER
from xhsvc.cli import common


@pytest.fixture
def at_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "interactive", lambda: True)


def _open(cli: Cli) -> str:
    opened = cli.json("ticket", "open", "--customer", CUSTOMER, "--title", "阵列告警 <b>[red]x[/red]</b>")
    return opened["key"]


def test_cancel_in_a_script_needs_yes_and_writes_nothing_without_it(desk_cli: Cli) -> None:
    key = _open(desk_cli)
    refused = desk_cli("ticket", "cancel", key, "--reason", "客户撤回")
    assert refused.exit_code == 4
    assert "cannot be undone; confirm on a terminal or pass --yes" in refused.stderr
    assert desk_cli.json("ticket", "show", key)["status"] == "new"
    assert desk_cli("ticket", "cancel", key, "--reason", "客户撤回", "--yes").exit_code == 0
    assert desk_cli.json("ticket", "show", key)["status"] == "cancelled"


def test_cancel_on_a_terminal_shows_the_ticket_and_asks(desk_cli: Cli, at_a_terminal: None) -> None:
    key = _open(desk_cli)
    declined = desk_cli("ticket", "cancel", key, "--reason", "客户撤回", input="n\n")
    assert declined.exit_code == 4 and "not confirmed; nothing changed" in declined.stderr
    assert f"Cancel {key} (new, {CUSTOMER}: 阵列告警 <b>[red]x[/red]</b>)" in declined.stdout
    assert "cannot be reopened" in declined.stdout
    assert desk_cli.json("ticket", "show", key)["status"] == "new"
    accepted = desk_cli("ticket", "cancel", key, "--reason", "客户撤回", input="y\n")
    assert accepted.exit_code == 0 and f"{key} cancelled" in accepted.stdout


def test_a_cancel_that_would_be_refused_is_refused_before_asking(desk_cli: Cli, at_a_terminal: None) -> None:
    key = _open(desk_cli)
    desk_cli("ticket", "cancel", key, "--reason", "x", "--yes")
    again = desk_cli("ticket", "cancel", key, "--reason", "x", input="y\n")
    assert again.exit_code == 4 and "Go ahead?" not in again.stdout
    assert "is cancelled" in again.stderr


def test_a_terminated_contract_lists_as_terminated(desk_cli: Cli) -> None:
    assert (
        desk_cli("--as", "zhoujian", "contract", "terminate", CONTRACT, "--reason", "客户欠费").exit_code == 4
    )
    done = desk_cli("--as", "zhoujian", "contract", "terminate", CONTRACT, "--reason", "客户欠费", "--yes")
    assert done.exit_code == 0
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    listed = desk_cli.json("contract", "list", "--state", "terminated")
    assert [c["number"] for c in listed] == [CONTRACT]
    assert desk_cli.json("contract", "list", "--state", "active") == []
    table = desk_cli("contract", "list").stdout
    assert "terminated" in table and str(today) in table  # covered until the day it ended
    # The day of termination itself is still covered, and says until when.
    check = desk_cli.json("contract", "check", "--customer", CUSTOMER)
    assert check["covered"] and f"until {today} (terminated)" in check["reason"]


def test_db_rebuild_asks_first(desk_cli: Cli, at_a_terminal: None) -> None:
    declined = desk_cli("--as", "admin", "db", "rebuild", input="n\n")
    assert declined.exit_code == 4 and "Rebuild every table" in declined.stdout
    assert desk_cli("--as", "admin", "db", "rebuild", input="y\n").exit_code == 0


def test_visit_plan_dry_run_shows_the_days_and_adds_nothing(desk_cli: Cli) -> None:
    year = date.today().year + 1
    preview = desk_cli.json(
        "--as", "zhoujian", "visit", "plan", "--contract", CONTRACT, "--year", str(year), "--dry-run"
    )
    assert preview["contract"] == CONTRACT and preview["days"]
    assert desk_cli.json("visit", "list") == []
    planned = desk_cli.json("--as", "zhoujian", "visit", "plan", "--contract", CONTRACT, "--year", str(year))
    assert [v["planned_for"][:10] for v in planned] == preview["days"]


def test_demo_reset_starts_over_and_keeps_the_old_file(cli: Cli, use_db: str, home: Path) -> None:
    assert cli("demo").exit_code == 0
    assert cli("demo").exit_code == 5  # a second time: the database has tickets
    assert cli("demo", "--reset").exit_code == 4  # a script must say --yes
    reset = cli("demo", "--reset", "--yes")
    if not use_db.startswith("sqlite"):
        assert reset.exit_code == 4 and "only a SQLite database" in reset.stderr
        return
    assert reset.exit_code == 0, reset.stderr
    kept = list(Path(use_db.removeprefix("sqlite:///")).parent.glob("test.db.before-reset-*"))
    assert len(kept) == 1 and "the old database is kept as" in reset.stdout
    tickets = json.loads(cli("ticket", "list", "--all", "--json").stdout)
    assert len({t["key"] for t in tickets}) == len(tickets) > 0
    assert min(t["key"] for t in tickets).endswith("-000001")
