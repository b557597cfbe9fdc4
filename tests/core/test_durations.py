"""One grammar for every span people type, one spelling for every span they read."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xhsvc.core.durations import Duration, format_minutes, parse_duration, parse_within, spell_target
from xhsvc.errors import InvalidInput


@pytest.mark.parametrize(
    ("text", "days", "minutes"),
    [
        ("15m", 0, 15),
        ("4h", 0, 240),
        ("1h30m", 0, 90),
        ("2d", 2, 0),
        ("1d4h", 1, 240),
        ("2w", 14, 0),
        (" 1D 2H 5M ", 1, 125),
        ("90", 0, 90),
        (45, 0, 45),
        ("24h", 0, 1440),
    ],
)
def test_the_grammar(text: str | int, days: int, minutes: int) -> None:
    assert parse_duration(text) == Duration(days=days, minutes=minutes)


@pytest.mark.parametrize("text", ["", "h", "1.5h", "4 hours", "-1h", "2m3h", True, 10**12, "99999999d"])
def test_what_is_not_a_duration(text: object) -> None:
    with pytest.raises(ValueError, match="is not a duration like '15m', '4h', '1h30m', '2d' or '1d4h'"):
        parse_duration(text)


@given(days=st.integers(0, 400), minutes=st.integers(0, 5000))
def test_a_span_reads_back_as_written(days: int, minutes: int) -> None:
    span = Duration(days=days, minutes=minutes)
    assert parse_duration(str(span)) == span


def test_a_day_is_a_working_day_of_the_calendar() -> None:
    business = 450  # 9:00-12:00 and 13:30-18:00
    assert parse_duration("10d").in_minutes(business) == 4500
    assert format_minutes(4500, day_minutes=business) == "10d"
    assert format_minutes(2250, day_minutes=business) == "5d"
    assert format_minutes(690, day_minutes=business) == "1d4h"
    assert format_minutes(449, day_minutes=business) == "7h29m"
    assert format_minutes(1459, day_minutes=1440) == "1d"  # minutes are left out once there are days
    assert format_minutes(-90) == "-1h30m"
    assert format_minutes(0) == "0m"
    assert format_minutes(12.1, seconds=True) == "12m06s"
    assert format_minutes(-0.5, seconds=True) == "-0m30s"
    assert spell_target(4500, business) == "10d" and spell_target(480, business) == "1d30m"
    assert spell_target(1440, 1440) == "1d" and spell_target(90, 1440) == "1h30m"


def test_within_is_in_calendar_days() -> None:
    assert [parse_within(v) for v in ("30d", "2w", "30", "1w2d")] == [30, 14, 30, 9]
    for bad in ("36h", "soon", ""):
        with pytest.raises(InvalidInput, match=f"within {bad!r}: use a number of days like 30d"):
            parse_within(bad)
