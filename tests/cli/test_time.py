"""Time: stored in UTC from the real clock (frozen here), shown in the configured zone."""

from __future__ import annotations

from freezegun import freeze_time

from tests.cli.conftest import Cli
from tests.conftest import CUSTOMER


def test_times_are_utc_in_json_and_local_on_screen(desk_cli: Cli) -> None:
    with freeze_time("2026-10-01 01:30:00", tz_offset=0):
        key = desk_cli("ticket", "open", "--customer", CUSTOMER, "--title", "国庆值守期间告警").stdout.strip()
    shown = desk_cli.json("ticket", "show", key)
    assert shown["created_at"] == "2026-10-01T01:30:00+00:00"
    assert "2026-10-01 09:30 by wangfang" in desk_cli("ticket", "show", key).stdout  # Asia/Shanghai
    assert desk_cli("config", "set", "timezone", "Europe/Berlin").exit_code == 0
    assert "2026-10-01 03:30 by wangfang" in desk_cli("ticket", "show", key).stdout
    with freeze_time("2026-10-01 02:00:00", tz_offset=0):
        desk_cli("ticket", "assign", key, "lijun")
        desk_cli("--as", "lijun", "ticket", "respond", key)
    assert desk_cli.json("ticket", "show", key)["responded_at"] == "2026-10-01T02:00:00+00:00"


def test_a_time_typed_as_people_say_it_is_echoed_back(desk_cli: Cli) -> None:
    with freeze_time("2026-10-01 07:00:00", tz_offset=0):  # 15:00 in Shanghai
        opened = desk_cli(
            "ticket", "open", "--customer", CUSTOMER, "--title", "补录来电", "--reported-at", "两小时前"
        )
        assert opened.exit_code == 0, opened.stderr
        assert opened.stderr.strip() == "reported-at: 两小时前 = 2026-10-01 13:00 (Asia/Shanghai)"
        key = opened.stdout.strip()
        assert desk_cli.json("ticket", "show", key)["reported_at"] == "2026-10-01T05:00:00+00:00"
        late = desk_cli("ticket", "open", "--customer", CUSTOMER, "--title", "x", "--reported-at", "下午4点")
        assert late.exit_code == 2  # read as today 16:00, which has not come yet: refused
        assert late.stderr.strip().startswith("error: reported-at 2026-10-01 08:00 UTC")
