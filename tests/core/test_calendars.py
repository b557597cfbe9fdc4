"""Business-time arithmetic, checked against due times worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xhsvc.core.calendars import load_calendar, missing_holidays, month_days, parse_calendar
from xhsvc.core.tomlfiles import read_toml
from xhsvc.errors import InvalidInput, NotFound

SH = ZoneInfo("Asia/Shanghai")


def sh(*args: int) -> datetime:
    """A moment in Shanghai time."""
    return datetime(*args, tzinfo=SH)


@pytest.fixture(scope="module")
def business():
    return load_calendar("china-business")


def test_china_business_days_come_from_chinese_calendar(business) -> None:
    october = {d["date"].day: d for d in month_days(name="china-business", month="2026-10")}
    assert [october[day]["working"] for day in range(1, 8)] == [False] * 7  # National Day
    assert october[1]["holiday"] == "National Day"
    assert october[10]["working"] and october[10]["kind"] == "workday"  # 调休 Saturday
    assert october[10]["hours"] == ["09:00-12:00", "13:30-18:00"]
    assert not october[11]["working"]  # an ordinary Sunday
    assert october[12]["hours"] == ["09:00-12:00", "13:30-18:00"]
    assert business.day_minutes == 450


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        # Lunch break: 11:00 + 2h is 12:00, then 13:30 + 1h.
        (sh(2026, 11, 16, 11, 0), 120, sh(2026, 11, 16, 14, 30)),
        # Called during the lunch break: the clock starts at 13:30.
        (sh(2026, 11, 16, 12, 40), 60, sh(2026, 11, 16, 14, 30)),
        # Friday afternoon before Qingming (Sat 4 - Mon 6 April): 2h on Friday, then Tuesday.
        (sh(2026, 4, 3, 16, 0), 120, sh(2026, 4, 3, 18, 0)),
        (sh(2026, 4, 3, 16, 0), 450, sh(2026, 4, 7, 16, 0)),
        (sh(2026, 4, 3, 16, 0), 900, sh(2026, 4, 8, 16, 0)),
        # The 调休 Saturday after National Day is a working day.
        (sh(2026, 10, 9, 17, 0), 120, sh(2026, 10, 10, 10, 0)),
        # Wednesday before National Day: the week of holidays does not count.
        (sh(2026, 9, 30, 16, 0), 240, sh(2026, 10, 8, 11, 0)),
        # A call at night starts counting next morning.
        (sh(2026, 11, 16, 22, 15), 30, sh(2026, 11, 17, 9, 30)),
        # Exactly at the end of a window: the due time is that end, not the next morning.
        (sh(2026, 11, 16, 17, 0), 60, sh(2026, 11, 16, 18, 0)),
    ],
)
def test_add_working_minutes(business, start: datetime, minutes: int, due: datetime) -> None:
    assert business.add_minutes(start, minutes) == due
    assert business.minutes_between(start, due) == minutes


def test_working_minutes_between(business) -> None:
    # Friday 17:00 to Tuesday 10:00 over Qingming: 1h on Friday, 1h on Tuesday.
    assert business.minutes_between(sh(2026, 4, 3, 17, 0), sh(2026, 4, 7, 10, 0)) == 120
    assert business.minutes_between(sh(2026, 11, 16, 9, 0), sh(2026, 11, 16, 18, 0)) == 450
    assert business.minutes_between(sh(2026, 11, 16, 12, 5), sh(2026, 11, 16, 13, 25)) == 0
    assert business.minutes_between(sh(2026, 11, 16, 18, 0), sh(2026, 11, 16, 9, 0)) == -450


def test_7x24_counts_every_minute() -> None:
    always = load_calendar("7x24")
    start = sh(2026, 10, 1, 23, 50)
    assert always.add_minutes(start, 30) == start + timedelta(minutes=30)
    assert always.minutes_between(start, start + timedelta(days=2)) == 2880
    assert always.day_minutes == 1440


@settings(max_examples=200, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 1), timezones=st.just(UTC)
    ),
    minutes=st.integers(min_value=1, max_value=20_000),
)
def test_adding_then_measuring_gives_the_same_minutes(start: datetime, minutes: int) -> None:
    business = load_calendar("china-business")
    due = business.add_minutes(start, minutes)
    assert due > start
    assert abs(business.minutes_between(start, due) - minutes) < 1e-6
    # The due time is reached in working time: the moment just before it is working time.
    assert business.minutes_between(due - timedelta(seconds=1), due) > 0


def test_the_users_calendars_and_broken_ones(home: Path) -> None:
    sample = Path(__file__).parents[2] / "examples" / "calendar-hangzhou-branch.toml"
    own = home / "calendars"
    own.mkdir()
    (own / "hangzhou-branch.toml").write_text(sample.read_text(encoding="utf-8"), encoding="utf-8")
    branch = load_calendar("hangzhou-branch")
    assert branch.is_working_day(datetime(2026, 11, 21).date())  # Saturday mornings
    assert not branch.is_working_day(datetime(2026, 6, 18).date())  # company day
    assert branch.add_minutes(sh(2026, 11, 21, 11, 30), 60) == sh(2026, 11, 23, 9, 0)
    with pytest.raises(NotFound, match="calendar 'mars'"):
        load_calendar("mars")
    broken = home / "broken.toml"
    broken.write_text(
        sample.read_text(encoding="utf-8").replace('"13:00-17:30"', '"13:00-12:30"', 1), encoding="utf-8"
    )
    with pytest.raises(
        InvalidInput, match=rf"^{broken}:10: hours.mon: '13:00-12:30': the end must come after"
    ):
        parse_calendar(read_toml(broken), "broken")
    broken.write_text(
        sample.read_text(encoding="utf-8").replace('chinese-calendar"', 'chinese-calendar"\nyears = 2026'),
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput, match=rf"^{broken}:6: years: must be a list"):
        parse_calendar(read_toml(broken), "broken")


def test_years_without_holiday_data_are_counted_as_plain_weeks_and_said_so(business) -> None:
    assert 2026 in business.holiday_years and 2027 not in business.holiday_years
    assert business.missing_years(date(2026, 12, 1), date(2027, 1, 31)) == [2027]
    new_year = business.day_info(date(2027, 1, 1))
    assert (new_year["working"], new_year["kind"]) == (True, "unknown")  # not guessed: flagged
    assert business.day_info(date(2026, 10, 1))["kind"] == "holiday"
    always = load_calendar("7x24")
    assert always.holiday_years is None and always.missing_years(date(2027, 1, 1), date(2099, 1, 1)) == []
    found = missing_holidays(today=date(2026, 11, 28))
    assert [(m.calendar, m.years) for m in found] == [("china-business", (2027,))]
    assert "[year.2027]" in found[0].message
    assert missing_holidays(today=date(2026, 10, 1)) == []  # 2027 is more than 60 days away


FAKE_YEAR = """
extends = "china-business"

[year.2031]
source = "a made-up year for the test"

[year.2031.holidays]
"元旦" = ["2031-01-01"]
"春节" = ["2031-01-22..2031-01-28"]

[year.2031.workdays]
"春节" = ["2031-01-19"]
"""


def test_a_years_holidays_added_in_toml_extend_the_shipped_calendar(home: Path) -> None:
    own = home / "calendars"
    own.mkdir()
    (own / "china-business.toml").write_text(FAKE_YEAR, encoding="utf-8")
    calendar = load_calendar("china-business")
    assert calendar.source == str(own / "china-business.toml")
    assert (
        2031 in calendar.holiday_years
        and 2026 in calendar.holiday_years
        and 2030 not in calendar.holiday_years
    )
    assert not calendar.is_working_day(date(2031, 1, 1))  # a Wednesday off
    assert [calendar.is_working_day(date(2031, 1, d)) for d in range(22, 29)] == [False] * 7
    worked = calendar.day_info(date(2031, 1, 19))  # a Sunday worked in its place
    assert (worked["working"], worked["kind"], worked["holiday"]) == (True, "workday", "调休 (春节)")
    assert not calendar.is_working_day(date(2026, 10, 1))  # the package's years stay
    assert calendar.day_minutes == 450  # and the shipped hours
    # Tuesday 21 January 2031, 17:00: an hour of work is 17:00-18:00, then the holiday, then Wednesday 29.
    assert calendar.add_minutes(sh(2031, 1, 21, 17, 0), 90) == sh(2031, 1, 29, 9, 30)
    assert calendar.missing_years(date(2031, 1, 1), date(2031, 12, 31)) == []
    assert calendar.missing_years(date(2030, 1, 1), date(2031, 12, 31)) == [2030]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('"2031-01-01"]', '"2031-13-01"]'), r":8: year.2031.holidays.元旦: '2031-13-01' is not a day"),
        (
            ("2031-01-22..2031-01-28", "2031-01-28..2031-01-22"),
            r":9: year.2031.holidays.春节: .*runs forwards",
        ),
        (("[year.2031]", "[year.31]"), r":4: year.31: must be a table named by its year"),
        (('source = "a', 'sauce = "a'), r":5: year.2031.sauce: unknown key"),
        (('extends = "china-business"', 'extends = "mars"'), r":2: extends: 'mars': no such calendar"),
    ],
)
def test_a_broken_year_table_names_file_line_and_key(
    home: Path, change: tuple[str, str], message: str
) -> None:
    own = home / "calendars"
    own.mkdir()
    path = own / "china-business.toml"
    assert change[0] in FAKE_YEAR
    path.write_text(FAKE_YEAR.replace(change[0], change[1]), encoding="utf-8")
    with pytest.raises(InvalidInput, match=rf"^{path}{message}"):
        load_calendar("china-business")
