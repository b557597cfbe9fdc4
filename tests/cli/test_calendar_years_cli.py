"""Holidays are never guessed: a year without data is said plainly, and a nightly check fails on it.
Instants outside 1970-2200 are refused in one line. Time left reads in the clock's working days."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from freezegun import freeze_time

from tests.cli.conftest import Cli
from tests.conftest import CUSTOMER
from xhsvc.core.calendars import reload_calendars

EXAMPLES = Path(__file__).parents[2] / "examples"
YEAR_2027 = """
extends = "china-business"

[year.2027]
source = "made up for the test: the real notice decides"

[year.2027.holidays]
"元旦" = ["2027-01-01"]
"""


def test_calendar_check_list_and_show_say_which_years_have_no_holidays(cli: Cli, home: Path) -> None:
    with freeze_time("2026-11-28 02:00:00"):
        check = cli("calendar", "check")
        assert check.exit_code == 1
        assert "china-business has no public holidays for 2027" in check.stdout
        as_json = cli("calendar", "check", "--json")
        assert as_json.exit_code == 1
        [missing] = json.loads(as_json.stdout)
        assert (missing["calendar"], missing["years"]) == ("china-business", [2027])
        assert cli("calendar", "check", "--within", "20d").exit_code == 0  # 2027 is further away
        assert cli("calendar", "check", "--within", "soon").exit_code == 2
        listed = {c["name"]: c for c in cli.json("calendar", "list")}
        assert listed["china-business"]["missing_years"] == [2027]
        assert listed["china-business"]["holidays_for"].endswith("-2026")
        assert (listed["7x24"]["missing_years"], listed["7x24"]["holiday_years"]) == ([], None)
        table = cli("calendar", "list")
        assert "warning: calendar china-business has no public holidays for 2027" in table.stderr
        assert "2027" in table.stdout
    shown = cli("calendar", "show", "china-business", "--month", "2027-01")
    assert shown.exit_code == 0 and "has no public holidays for 2027" in shown.stderr
    assert "2027-01-01  fri  work?" in shown.stdout  # New Year's Day: not known, not guessed
    assert cli.json("calendar", "show", "china-business", "--month", "2027-01")[0]["kind"] == "unknown"
    assert "warning" not in cli("calendar", "show", "china-business", "--month", "2026-01").stderr

    # The year's holidays added in TOML (here a made-up one): the check passes, the day is off.
    own = home / "calendars"
    own.mkdir()
    (own / "china-business.toml").write_text(YEAR_2027, encoding="utf-8")
    reload_calendars()  # a running dashboard looks again within two seconds; this test cannot wait
    with freeze_time("2026-11-28 02:00:00"):
        assert cli("calendar", "check").exit_code == 0
        assert cli.json("calendar", "list")[0]["missing_years"] == []
    day = cli.json("calendar", "show", "china-business", "--month", "2027-01")[0]
    assert (day["working"], day["kind"], day["holiday"]) == (False, "holiday", "元旦")


def test_the_shipped_example_for_a_new_year_is_a_valid_calendar(cli: Cli, home: Path) -> None:
    own = home / "calendars"
    own.mkdir()
    sample = (EXAMPLES / "calendar-china-business-next-year.toml").read_text(encoding="utf-8")
    (own / "china-business.toml").write_text(sample, encoding="utf-8")
    assert cli("calendar", "show", "china-business", "--month", "2026-10").exit_code == 0


def test_sla_due_and_the_sweep_say_when_a_due_time_lies_in_a_year_without_holidays(desk_cli: Cli) -> None:
    plain = desk_cli("sla", "due", "--level", "silver", "--priority", "P4", "--from", "2026-11-02 10:00")
    # Only the time it took is said (no warning): the due times lie in years with holidays.
    assert (
        plain.exit_code == 0 and plain.stderr == "from: 2026-11-02 10:00 = 2026-11-02 10:00 (Asia/Shanghai)\n"
    )
    late = desk_cli("sla", "due", "--level", "silver", "--priority", "P4", "--from", "2026-12-28 10:00")
    assert late.exit_code == 0
    assert "warning: calendar china-business has no public holidays for 2027" in late.stderr
    assert "resolution  within 10d" in late.stdout
    promises = desk_cli.json(
        "sla", "due", "--level", "silver", "--priority", "P4", "--from", "2026-12-28 10:00"
    )
    assert [p["missing_years"] for p in promises] == [[], [2027], [2027]]
    with freeze_time("2026-11-28 02:00:00"):
        swept = desk_cli.json("sla", "sweep")
    assert [m["years"] for m in swept["missing_holidays"]] == [[2027]]
    with freeze_time("2026-06-01 02:00:00"):
        assert desk_cli.json("sla", "sweep")["missing_holidays"] == []


@pytest.mark.parametrize(
    "args",
    [
        ("sla", "due", "--level", "gold", "--priority", "P1", "--from", "9999-12-31 23:59"),
        ("sla", "due", "--level", "gold", "--priority", "P1", "--from", "0001-01-01 00:00"),
        ("sla", "due", "--level", "gold", "--priority", "P1", "--from", "2201-01-01T00:00:00+00:00"),
        ("sla", "sweep", "--now", "1969-12-31 23:59"),
        ("ticket", "open", "--customer", CUSTOMER, "--title", "t", "--reported-at", "0001-01-01 00:00"),
        ("contract", "check", "--customer", CUSTOMER, "--at", "9999-12-31"),
        ("contract", "renew", "HT-2026-001", "--end", "9999-12-31"),
        ("visit", "plan", "--contract", "HT-2026-001", "--year", "99999"),
    ],
)
def test_instants_outside_1970_to_2200_are_refused_in_one_line(desk_cli: Cli, args: tuple[str, ...]) -> None:
    before = desk_cli.json("ticket", "list", "--all")
    result = desk_cli(*args)
    assert result.exit_code == 2, result.stderr
    assert "must lie between 1970 and 2200" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert desk_cli.json("ticket", "list", "--all") == before


def test_time_left_reads_in_working_days_of_the_clocks_calendar(desk_cli: Cli) -> None:
    assert desk_cli("customer", "add", "银牌客户", "--region", "杭州").exit_code == 0
    added = desk_cli("contract", "add", "HT-S-1", "--customer", "银牌客户", "--level", "silver",
                     "--start", "2026-01-01", "--end", "2026-12-31")  # fmt: skip
    assert added.exit_code == 0, added.stderr
    with freeze_time("2026-11-02 01:00:00"):  # Monday 09:00 in Shanghai
        key = desk_cli(
            "ticket",
            "open",
            "--customer",
            "银牌客户",
            "--title",
            "容量告警",
            "--impact",
            "4",
            "--urgency",
            "4",
        ).stdout.strip()
        listed = desk_cli("ticket", "list").stdout
        shown = desk_cli("ticket", "show", key).stdout
    levels = {row["name"]: row for row in desk_cli.json("contract", "levels")}
    assert levels["silver"]["targets"]["P4"] == {"response": "1d", "onsite": "5d", "resolution": "10d"}
    # P4 in business hours: the same spelling in the level, the queue and the ticket.
    assert "resp 1d · res 10d" in listed
    assert "10d left" in shown and "1d left" in shown
