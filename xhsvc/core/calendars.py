"""Business calendars and business-time arithmetic.

A calendar says, for each day, which ranges of local time are working time: weekday hours (several
ranges a day, so a lunch break is simply a gap), public holidays (closed), and weekend days worked
in their place (调休). China's holidays come from the maintained `chinese-calendar` package.

All arithmetic is pure: instants in, instants out (aware datetimes, UTC by convention).
"""

from __future__ import annotations

import re
import time as time_module
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from xhsvc.core.tomlfiles import TomlSource, read_toml
from xhsvc.errors import InvalidInput, NotFound

DEFAULTS_DIR = Path(__file__).resolve().parent.parent / "defaults" / "calendars"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CALENDAR_KEYS = ("title", "timezone", "holidays_from", "years", "holidays", "workdays", "hours")
HOURS_KEYS = (*WEEKDAYS, "workday")
RANGE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
# How far ahead arithmetic looks for working time before it calls a calendar empty.
MAX_DAYS = 3 * 366

Ranges = tuple[tuple[int, int], ...]  # minutes after local midnight, [start, end)


@dataclass(frozen=True)
class Calendar:
    name: str
    title: str
    timezone: str
    hours: dict[int, Ranges]
    workday_hours: Ranges
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    holiday_names: dict[date, str] = field(default_factory=dict)
    years: tuple[int, ...] = ()
    source: str = ""

    @property
    def day_minutes(self) -> int:
        """How long a working day is here: what a target of '1d' means in this calendar."""
        for ranges in (*self.hours.values(), self.workday_hours):
            if ranges:
                return sum(b - a for a, b in ranges)
        return 1440  # pragma: no cover - a calendar with no hours is refused on load

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    # Days ------------------------------------------------------------------------------------

    def ranges_on(self, day: date) -> Ranges:
        if day in self.workdays:
            return self.workday_hours
        if day in self.holidays:
            return ()
        return self.hours[day.weekday()]

    def is_working_day(self, day: date) -> bool:
        return bool(self.ranges_on(day))

    def day_info(self, day: date) -> dict[str, Any]:
        kind = "workday" if day in self.workdays else "holiday" if day in self.holidays else "normal"
        return {
            "date": day,
            "weekday": WEEKDAYS[day.weekday()],
            "working": self.is_working_day(day),
            "kind": kind,
            "holiday": self.holiday_names.get(day),
            "hours": [f"{_clock(a)}-{_clock(b)}" for a, b in self.ranges_on(day)],
        }

    # Arithmetic -------------------------------------------------------------------------------

    def _windows(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working windows (aware, local) from the one containing `start` onwards."""
        zone = self.zone
        local = start.astimezone(zone)
        day = local.date()
        for _ in range(MAX_DAYS):
            midnight = datetime.combine(day, time(0), tzinfo=zone)
            for a, b in self.ranges_on(day):
                begin = midnight + timedelta(minutes=a)
                end = midnight + timedelta(minutes=b)
                if end > local:
                    yield max(begin, local), end
            day += timedelta(days=1)
        raise InvalidInput(
            f"calendar {self.name}: no working time within {MAX_DAYS} days of {start:%Y-%m-%d}"
        )

    def add_minutes(self, start: datetime, minutes: float) -> datetime:
        """The instant `minutes` working minutes after `start`."""
        if minutes <= 0:
            return start
        left = timedelta(minutes=minutes)
        for begin, end in self._windows(start):
            span = end - begin
            if left <= span:
                return (begin + left).astimezone(UTC)
            left -= span
        raise AssertionError("unreachable")  # pragma: no cover

    def minutes_between(self, start: datetime, end: datetime) -> float:
        """Working minutes in [start, end); negative when end comes first."""
        if end < start:
            return -self.minutes_between(end, start)
        total = timedelta(0)
        end_local = end.astimezone(self.zone)
        for begin, stop in self._windows(start):
            if begin >= end_local:
                break
            total += min(stop, end_local) - begin
        return total.total_seconds() / 60

    def next_working_instant(self, start: datetime) -> datetime:
        begin, _ = next(self._windows(start))
        return begin.astimezone(UTC)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# Loading ---------------------------------------------------------------------------------------


def _ranges(source: TomlSource, keypath: list[str], raw: Any) -> Ranges:
    if not isinstance(raw, list):
        raise source.error(keypath, 'must be a list of ranges like ["09:00-12:00", "13:30-18:00"]')
    out: list[tuple[int, int]] = []
    for item in raw:
        match = RANGE.match(item) if isinstance(item, str) else None
        if not match:
            raise source.error(keypath, f"{item!r} is not a range like '09:00-12:00'")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        a, b = h1 * 60 + m1, h2 * 60 + m2
        if m1 > 59 or m2 > 59 or h1 > 23 or b > 1440 or a >= b:
            raise source.error(keypath, f"{item!r}: the end must come after the start, within 00:00-24:00")
        if out and a < out[-1][1]:
            raise source.error(keypath, f"{item!r} overlaps or precedes the range before it")
        out.append((a, b))
    return tuple(out)


def _dates(source: TomlSource, key: str, raw: Any) -> frozenset[date]:
    if not isinstance(raw, list):
        raise source.error([key], 'must be a list of dates like ["2026-06-18"]')
    out = set()
    for item in raw:
        try:
            out.add(item if isinstance(item, date) else date.fromisoformat(str(item)))
        except ValueError:
            raise source.error([key], f"{item!r} is not a date like 2026-06-18") from None
    return frozenset(out)


def _from_chinese_calendar(years: tuple[int, ...]) -> tuple[set[date], set[date], dict[date, str]]:
    import chinese_calendar

    holidays: set[date] = set()
    workdays: set[date] = set()
    names: dict[date, str] = {}
    for day, name in chinese_calendar.holidays.items():
        if day.year in years:
            holidays.add(day)
            names[day] = str(getattr(name, "value", name)).split(",")[-1]
    for day, name in chinese_calendar.workdays.items():
        if day.year in years and day.weekday() >= 5:
            workdays.add(day)
            names[day] = f"调休 ({str(getattr(name, 'value', name)).split(',')[-1]})"
    return holidays, workdays, names


def parse_calendar(source: TomlSource, name: str) -> Calendar:
    data = source.data
    for key in data:
        if key not in CALENDAR_KEYS:
            raise source.error([key], f"unknown key; allowed: {', '.join(CALENDAR_KEYS)}")
    title = data.get("title", name)
    if not isinstance(title, str):
        raise source.error(["title"], "must be a string")
    timezone = data.get("timezone", "Asia/Shanghai")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise source.error(["timezone"], f"{timezone!r} is not a time zone like Asia/Shanghai") from None
    hours_raw = data.get("hours")
    if not isinstance(hours_raw, dict):
        raise source.error(["hours"], "missing: a table with mon .. sun")
    for key in hours_raw:
        if key not in HOURS_KEYS:
            raise source.error(["hours", key], f"unknown day; use {', '.join(HOURS_KEYS)}")
    hours = {i: _ranges(source, ["hours", day], hours_raw.get(day, [])) for i, day in enumerate(WEEKDAYS)}
    workday_hours = (
        _ranges(source, ["hours", "workday"], hours_raw["workday"]) if "workday" in hours_raw else hours[0]
    )
    years_raw = data.get("years", [])
    if not isinstance(years_raw, list) or not all(isinstance(y, int) for y in years_raw):
        raise source.error(["years"], "must be a list of years like [2025, 2026]")
    years = tuple(years_raw)
    holidays: set[date] = set()
    workdays: set[date] = set()
    names: dict[date, str] = {}
    origin = data.get("holidays_from")
    if origin is not None:
        if origin != "chinese-calendar":
            raise source.error(["holidays_from"], f"{origin!r}: the only source is 'chinese-calendar'")
        if not years:
            raise source.error(["years"], "list the years to take holidays for, e.g. [2025, 2026]")
        holidays, workdays, names = _from_chinese_calendar(years)
    own_holidays = _dates(source, "holidays", data.get("holidays", []))
    own_workdays = _dates(source, "workdays", data.get("workdays", []))
    holidays = (holidays | own_holidays) - own_workdays
    workdays = (workdays | own_workdays) - own_holidays
    for day in own_holidays:
        names.setdefault(day, "company holiday")
    if not any(hours.values()) and not workdays:
        raise source.error(["hours"], "no working hours on any day")
    return Calendar(
        name=name,
        title=title,
        timezone=timezone,
        hours=hours,
        workday_hours=workday_hours,
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
        holiday_names=names,
        years=years,
        source=str(source.path),
    )


_cache: dict[tuple[str, float], Calendar] = {}


def _load(path: Path) -> Calendar:
    key = (str(path), path.stat().st_mtime)
    if key not in _cache:
        _cache[key] = parse_calendar(read_toml(path), path.stem)
    return _cache[key]


def user_calendars_dir() -> Path:
    from xhsvc.config import paths

    return paths().config_dir / "calendars"


_files_cache: dict[tuple[str, float], dict[str, Path]] = {}


def calendar_files() -> dict[str, Path]:
    """Calendar name -> file: the shipped ones, then the user's (which win).

    Listed again only when the user's folder changes: the sweep asks for every clock."""
    own = user_calendars_dir()
    key = (str(own), own.stat().st_mtime if own.is_dir() else 0.0)
    if key not in _files_cache:
        files = {p.stem: p for p in sorted(DEFAULTS_DIR.glob("*.toml"))}
        if own.is_dir():
            files.update({p.stem: p for p in sorted(own.glob("*.toml"))})
        _files_cache.clear()
        _files_cache[key] = files
    return _files_cache[key]


_recent: dict[str, tuple[float, Calendar]] = {}
RECHECK_SECONDS = 2.0


def load_calendar(name: str) -> Calendar:
    """The calendar called `name`; its file is looked at again at most every couple of seconds
    (a countdown asks for every clock every second)."""
    seen = _recent.get(name)
    if seen is not None and time_module.monotonic() - seen[0] < RECHECK_SECONDS:
        return seen[1]
    files = calendar_files()
    if name not in files:
        raise NotFound(f"calendar {name!r} not found; known: {', '.join(files)}")
    calendar = _load(files[name])
    _recent[name] = (time_module.monotonic(), calendar)
    return calendar


def list_calendars() -> list[Calendar]:
    return [_load(path) for path in calendar_files().values()]


def month_days(*, name: str, month: str) -> list[dict[str, Any]]:
    """One entry a day of `month` (YYYY-MM): working or not, why, and its working hours."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", month or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise InvalidInput(f"month {month!r}: use YYYY-MM, e.g. 2026-10")
    calendar = load_calendar(name)
    first = date(int(match.group(1)), int(match.group(2)), 1)
    days = []
    day = first
    while day.month == first.month:
        days.append(calendar.day_info(day))
        day += timedelta(days=1)
    return days
