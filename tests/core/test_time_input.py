"""Times as people type them at the desk, read relative to an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from xhsvc.core.clock import parse_instant
from xhsvc.errors import InvalidInput

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 28, 7, 0, tzinfo=UTC)  # 15:00 in Shanghai


@pytest.mark.parametrize(
    ("typed", "local"),
    [
        ("2026-11-20 14:05", "2026-11-20 14:05"),
        ("2026-11-20T06:05:00+00:00", "2026-11-20 14:05"),
        ("08:40", "2026-11-28 08:40"),
        ("2026/11/28 08:40", "2026-11-28 08:40"),
        ("2026年11月28日 08:40", "2026-11-28 08:40"),
        ("11/27 14:00", "2026-11-27 14:00"),
        ("昨天 8点", "2026-11-27 08:00"),
        ("昨天8点半", "2026-11-27 08:30"),
        ("昨天 16:30", "2026-11-27 16:30"),
        ("上午9点10分", "2026-11-28 09:10"),
        ("下午3点", "2026-11-28 15:00"),
        ("2h ago", "2026-11-28 13:00"),
        ("3小时前", "2026-11-28 12:00"),
        ("两小时前", "2026-11-28 13:00"),
        ("十五分钟前", "2026-11-28 14:45"),
        ("半小时前", "2026-11-28 14:30"),
        ("刚才", "2026-11-28 15:00"),
    ],
)
def test_what_people_type_is_read_in_the_desks_time_zone(typed: str, local: str) -> None:
    moment = parse_instant(typed, field="reported-at", tz_name="Asia/Shanghai", now=NOW)
    assert moment.tzinfo is not None
    assert moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") == local


@pytest.mark.parametrize("typed", ["soon", "blah 8", "", "3000-01-01 00:00"])
def test_what_is_no_time_is_refused_naming_the_field(typed: str) -> None:
    with pytest.raises(InvalidInput, match=r"^reported-at "):
        parse_instant(typed, field="reported-at", tz_name="Asia/Shanghai", now=NOW)
