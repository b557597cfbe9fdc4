"""Business calendars and business-time arithmetic.

A calendar says, for each day, which ranges of local time are working time: weekday hours (several
ranges a day, so a lunch break is simply a gap), public holidays (closed), and weekend days worked
in their place (调休). China's holidays come from the maintained `chinese-calendar` package, for
the years it has data for; a year the State Council has announced since then goes in a `[year.YYYY]`
table of a calendar file.

Holidays are never guessed. A calendar that keeps public holidays knows which years it has data
for; in any other year it counts every weekday as a working day, and says so: `missing_years` tells
which years a span touches without data, and `calendar check`, `calendar list`, `calendar show`,
`sla due` and the sweep report them.

All arithmetic is pure: instants in, instants out (aware datetimes, UTC by convention).
"""

from __future__ import annotations

import re
import time as time_module
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from xhsvc.core.clock import check_year
from xhsvc.core.tomlfiles import TomlSource, read_toml
from xhsvc.errors import InvalidInput, NotFound
from xhsvc.i18n import _

DEFAULTS_DIR = Path(__file__).resolve().parent.parent / "defaults" / "calendars"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CALENDAR_KEYS = (
    "title",
    "timezone",
    "extends",
    "holidays_from",
    "years",
    "holidays",
    "workdays",
    "year",
    "hours",
)
YEAR_KEYS = ("source", "holidays", "workdays")
DAY_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})$")
# How far ahead `calendar check` and the sweep look for a year without holiday data.
LOOKAHEAD_DAYS = 60
HOURS_KEYS = (*WEEKDAYS, "workday")
RANGE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
# How far ahead arithmetic looks for working time before it calls a calendar empty.
MAX_DAYS = 3 * 366

Ranges = tuple[tuple[int, int], ...]  # minutes after local midnight, [start, end)
Windows = tuple[tuple[datetime, datetime], ...]  # aware, local, [start, end)
ONE_DAY = timedelta(days=1)


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
    # The years whose public holidays are known; None for a calendar that keeps none (7x24).
    holiday_years: frozenset[int] | None = None
    source: str = ""
    # Each day's working windows, worked out once: a sweep asks about the same few days for
    # thousands of clocks.
    _day_windows: dict[date, Windows] = field(default_factory=dict, init=False, repr=False, compare=False)

    @cached_property
    def day_minutes(self) -> int:
        """How long a working day is here: what a target of '1d' means in this calendar."""
        for ranges in (*self.hours.values(), self.workday_hours):
            if ranges:
                return sum(b - a for a, b in ranges)
        return 1440  # pragma: no cover - a calendar with no hours is refused on load

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    # Holiday data -----------------------------------------------------------------------------

    def knows_year(self, year: int) -> bool:
        return self.holiday_years is None or year in self.holiday_years

    def missing_years(self, first: date, last: date) -> list[int]:
        """The years from `first` to `last` whose holidays this calendar does not know."""
        if self.holiday_years is None:
            return []
        return [y for y in range(first.year, last.year + 1) if y not in self.holiday_years]

    def missing_years_between(self, start: datetime, end: datetime) -> list[int]:
        zone = self.zone
        return self.missing_years(start.astimezone(zone).date(), end.astimezone(zone).date())

    def describe_years(self) -> str:
        """'2004-2026, 2028' or 'not needed'."""
        if self.holiday_years is None:
            return _("not needed")
        runs: list[list[int]] = []
        for year in sorted(self.holiday_years):
            if runs and year == runs[-1][-1] + 1:
                runs[-1].append(year)
            else:
                runs.append([year])
        return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs) or _("none")

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
        if kind == "normal" and not self.knows_year(day.year):
            kind = "unknown"  # no holiday data for the year: a weekday is counted as working
        return {
            "date": day,
            "weekday": WEEKDAYS[day.weekday()],
            "working": self.is_working_day(day),
            "kind": kind,
            "holiday": self.holiday_names.get(day),
            "hours": [f"{_clock(a)}-{_clock(b)}" for a, b in self.ranges_on(day)],
        }

    # Arithmetic -------------------------------------------------------------------------------

    def _windows_on(self, day: date) -> Windows:
        """The day's working windows, as aware local instants."""
        windows = self._day_windows.get(day)
        if windows is None:
            midnight = datetime.combine(day, time(0), tzinfo=self.zone)
            windows = self._day_windows[day] = tuple(
                (midnight + timedelta(minutes=a), midnight + timedelta(minutes=b))
                for a, b in self.ranges_on(day)
            )
        return windows

    def _windows(self, start: datetime, days: int = MAX_DAYS) -> Iterator[tuple[datetime, datetime]]:
        """Working windows (aware, local) from the one containing `start` onwards, for `days` days."""
        local = start.astimezone(self.zone)
        day = local.date()
        for _day in range(days):
            for begin, end in self._windows_on(day):
                if end > local:
                    yield max(begin, local), end
            day += ONE_DAY
        raise InvalidInput(
            _("calendar {calendar}: no working time within {days} days of {start:%Y-%m-%d}").format(
                calendar=self.name, days=MAX_DAYS, start=start
            )
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
        for begin, stop in self._windows(start, (end - start).days + MAX_DAYS):
            if begin >= end_local:
                break
            total += min(stop, end_local) - begin
        return total.total_seconds() / 60

    def next_working_instant(self, start: datetime) -> datetime:
        begin, _end = next(self._windows(start))
        return begin.astimezone(UTC)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# Loading ---------------------------------------------------------------------------------------


def _ranges(source: TomlSource, keypath: list[str], raw: Any) -> Ranges:
    if not isinstance(raw, list):
        raise source.error(keypath, _('must be a list of ranges like ["09:00-12:00", "13:30-18:00"]'))
    out: list[tuple[int, int]] = []
    for item in raw:
        match = RANGE.match(item) if isinstance(item, str) else None
        if not match:
            raise source.error(keypath, _("{item!r} is not a range like '09:00-12:00'").format(item=item))
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        a, b = h1 * 60 + m1, h2 * 60 + m2
        if m1 > 59 or m2 > 59 or h1 > 23 or b > 1440 or a >= b:
            raise source.error(
                keypath,
                _("{item!r}: the end must come after the start, within 00:00-24:00").format(item=item),
            )
        if out and a < out[-1][1]:
            raise source.error(
                keypath, _("{item!r} overlaps or precedes the range before it").format(item=item)
            )
        out.append((a, b))
    return tuple(out)


def _dates(source: TomlSource, key: str, raw: Any) -> frozenset[date]:
    if not isinstance(raw, list):
        raise source.error([key], _('must be a list of dates like ["2026-06-18"]'))
    out = set()
    for item in raw:
        try:
            out.add(item if isinstance(item, date) else date.fromisoformat(str(item)))
        except ValueError:
            raise source.error([key], _("{item!r} is not a date like 2026-06-18").format(item=item)) from None
    return frozenset(out)


def _day_list(source: TomlSource, keypath: list[Any], raw: Any) -> list[date]:
    """Days and inclusive ranges: ["2027-01-01", "2027-02-06..2027-02-12"] (or TOML dates)."""
    if not isinstance(raw, list):
        raw = [raw]
    out: list[date] = []
    for item in raw:
        try:
            if isinstance(item, date):
                out.append(item)
                continue
            text = str(item).strip()
            span = DAY_RANGE.match(text)
            first, last = (
                (date.fromisoformat(span.group(1)), date.fromisoformat(span.group(2)))
                if span
                else (date.fromisoformat(text),) * 2
            )
        except ValueError:
            raise source.error(
                keypath,
                _("{item!r} is not a day like 2027-01-01 or a range like 2027-02-06..2027-02-12").format(
                    item=item
                ),
            ) from None
        if last < first or (last - first).days > 31:
            raise source.error(
                keypath, _("{item!r}: a range runs forwards, a month at most").format(item=item)
            )
        out += [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return out


def _named_days(source: TomlSource, keypath: list[Any], raw: Any) -> dict[date, str]:
    if not isinstance(raw, dict):
        raise source.error(
            keypath, _('must be a table of name = days, e.g. "春节" = ["2027-02-06..2027-02-12"]')
        )
    return {day: str(name) for name, days in raw.items() for day in _day_list(source, [*keypath, name], days)}


@dataclass
class _Holidays:
    holidays: set[date] = field(default_factory=set)
    workdays: set[date] = field(default_factory=set)
    names: dict[date, str] = field(default_factory=dict)
    years: set[int] | None = None

    def add(self, holidays: dict[date, str], workdays: dict[date, str]) -> None:
        self.holidays = (self.holidays | set(holidays)) - set(workdays)
        self.workdays = (self.workdays | set(workdays)) - set(holidays)
        self.names.update(holidays)
        self.names.update({day: f"调休 ({name})" for day, name in workdays.items()})

    def know(self, years: set[int]) -> None:
        self.years = (self.years or set()) | years


def _from_chinese_calendar(only: tuple[int, ...]) -> tuple[dict[date, str], dict[date, str], set[int]]:
    """The package's holidays and 调休 days, and the years it has data for (all of them, or `only`)."""
    import chinese_calendar

    known = {day.year for day in chinese_calendar.holidays}
    years = known & set(only) if only else known

    def name(value: Any) -> str:
        return str(getattr(value, "value", value)).split(",")[-1]

    holidays = {d: name(n) for d, n in chinese_calendar.holidays.items() if d.year in years}
    workdays = {
        d: name(n) for d, n in chinese_calendar.workdays.items() if d.year in years and d.weekday() >= 5
    }
    return holidays, workdays, years


def _year_tables(source: TomlSource, raw: Any, found: _Holidays) -> None:
    """`[year.2027]` tables: a year's published holidays and 调休 days; the year is then known."""
    if not isinstance(raw, dict):
        raise source.error(["year"], _("must be tables like [year.2027] with holidays and workdays"))
    for key, table in raw.items():
        if not (str(key).isdigit() and len(str(key)) == 4) or not isinstance(table, dict):
            raise source.error(["year", key], _("must be a table named by its year, like [year.2027]"))
        year = int(key)
        check_year(year, f"{source.path}: year", key)
        for part in table:
            if part not in YEAR_KEYS:
                raise source.error(
                    ["year", key, part], _("unknown key; allowed: {keys}").format(keys=", ".join(YEAR_KEYS))
                )
        holidays = _named_days(source, ["year", key, "holidays"], table.get("holidays", {}))
        workdays = _named_days(source, ["year", key, "workdays"], table.get("workdays", {}))
        found.add(holidays, workdays)
        found.know({year})


def parse_calendar(source: TomlSource, name: str, *, base: Calendar | None = None) -> Calendar:
    """A calendar from its file; `base` is the calendar it `extends`, if any."""
    data = source.data
    for key in data:
        if key not in CALENDAR_KEYS:
            raise source.error([key], _("unknown key; allowed: {keys}").format(keys=", ".join(CALENDAR_KEYS)))
    title = data.get("title", base.title if base else name)
    if not isinstance(title, str):
        raise source.error(["title"], _("must be a string"))
    timezone = data.get("timezone", base.timezone if base else "Asia/Shanghai")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise source.error(
            ["timezone"], _("{timezone!r} is not a time zone like Asia/Shanghai").format(timezone=timezone)
        ) from None
    hours_raw = data.get("hours")
    if hours_raw is None and base is not None:
        hours, workday_hours = base.hours, base.workday_hours
    else:
        if not isinstance(hours_raw, dict):
            raise source.error(["hours"], _("missing: a table with mon .. sun"))
        for key in hours_raw:
            if key not in HOURS_KEYS:
                raise source.error(
                    ["hours", key], _("unknown day; use {days}").format(days=", ".join(HOURS_KEYS))
                )
        hours = {i: _ranges(source, ["hours", day], hours_raw.get(day, [])) for i, day in enumerate(WEEKDAYS)}
        workday_hours = (
            _ranges(source, ["hours", "workday"], hours_raw["workday"])
            if "workday" in hours_raw
            else hours[0]
        )
    years_raw = data.get("years", [])
    if not isinstance(years_raw, list) or not all(isinstance(y, int) for y in years_raw):
        raise source.error(["years"], _("must be a list of years like [2025, 2026]"))
    found = _Holidays()
    if base is not None:
        found = _Holidays(
            set(base.holidays),
            set(base.workdays),
            dict(base.holiday_names),
            None if base.holiday_years is None else set(base.holiday_years),
        )
    origin = data.get("holidays_from")
    if origin is not None:
        if origin != "chinese-calendar":
            raise source.error(
                ["holidays_from"],
                _("{source!r}: the only source is 'chinese-calendar'").format(source=origin),
            )
        holidays, workdays, years = _from_chinese_calendar(tuple(years_raw))
        found.add(holidays, workdays)
        found.know(years)
    _year_tables(source, data.get("year", {}), found)
    own_holidays = _dates(source, "holidays", data.get("holidays", []))
    own_workdays = _dates(source, "workdays", data.get("workdays", []))
    found.add(
        {day: found.names.get(day, "company holiday") for day in own_holidays},
        {day: "company" for day in own_workdays},
    )
    if not any(hours.values()) and not found.workdays:
        raise source.error(["hours"], _("no working hours on any day"))
    return Calendar(
        name=name,
        title=title,
        timezone=timezone,
        hours=hours,
        workday_hours=workday_hours,
        holidays=frozenset(found.holidays),
        workdays=frozenset(found.workdays),
        holiday_names=found.names,
        holiday_years=None if found.years is None else frozenset(found.years),
        source=str(source.path),
    )


_cache: dict[tuple[str, float], Calendar] = {}


def _load(path: Path, resolving: tuple[str, ...] = ()) -> Calendar:
    key = (str(path), path.stat().st_mtime)
    if key not in _cache:
        source = read_toml(path)
        _cache[key] = parse_calendar(source, path.stem, base=_base_of(source, path, resolving))
    return _cache[key]


def _base_of(source: TomlSource, path: Path, resolving: tuple[str, ...]) -> Calendar | None:
    """The calendar a file `extends`: the shipped one of the same name, or another calendar."""
    base = source.data.get("extends")
    if base is None:
        return None
    if not isinstance(base, str) or not base:
        raise source.error(["extends"], _("must name a calendar, e.g. china-business"))
    shipped = DEFAULTS_DIR / f"{base}.toml"
    if base == path.stem and path.parent != DEFAULTS_DIR and shipped.exists():
        return _load(shipped, (*resolving, str(path)))
    files = calendar_files()
    if base not in files or str(files[base]) in (*resolving, str(path)):
        raise source.error(
            ["extends"], _("{calendar!r}: no such calendar (or it extends this one)").format(calendar=base)
        )
    return _load(files[base], (*resolving, str(path)))


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
    key = f"{user_calendars_dir()}\0{name}"
    seen = _recent.get(key)
    if seen is not None and time_module.monotonic() - seen[0] < RECHECK_SECONDS:
        return seen[1]
    files = calendar_files()
    if name not in files:
        raise NotFound(
            _("calendar {name!r} not found; known: {known}").format(name=name, known=", ".join(files))
        )
    calendar = _load(files[name])
    _recent[key] = (time_module.monotonic(), calendar)
    return calendar


def reload_calendars() -> None:
    """Forget the calendars seen lately: the next look reads their files again."""
    _recent.clear()


def list_calendars() -> list[Calendar]:
    return [_load(path) for path in calendar_files().values()]


def month_days(*, name: str, month: str) -> list[dict[str, Any]]:
    """One entry a day of `month` (YYYY-MM): working or not, why, and its working hours."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", month or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise InvalidInput(_("month {month!r}: use YYYY-MM, e.g. 2026-10").format(month=month))
    calendar = load_calendar(name)
    first = date(int(match.group(1)), int(match.group(2)), 1)
    days = []
    day = first
    while day.month == first.month:
        days.append(calendar.day_info(day))
        day += timedelta(days=1)
    return days


@dataclass(frozen=True)
class MissingHolidays:
    """A calendar that keeps public holidays but has no data for some years it will be asked about."""

    calendar: str
    years: tuple[int, ...]
    source: str

    @property
    def message(self) -> str:
        years = ", ".join(str(y) for y in self.years)
        return _(
            "calendar {calendar} has no public holidays for {years}: every weekday there counts "
            "as a working day; put the year's holidays and 调休 days in a [year.{first_year}] table "
            'of calendars/{calendar}.toml beside config.toml (extends = "{calendar}")'
        ).format(calendar=self.calendar, years=years, first_year=self.years[0])

    def as_dict(self) -> dict[str, Any]:
        return {"calendar": self.calendar, "years": list(self.years), "message": self.message}


def missing_holidays(*, today: date, within_days: int = LOOKAHEAD_DAYS) -> list[MissingHolidays]:
    """Every calendar that lacks holidays for a year from `today` to `within_days` ahead."""
    last = today + timedelta(days=within_days)
    found = []
    for calendar in list_calendars():
        years = calendar.missing_years(today, last)
        if years:
            found.append(MissingHolidays(calendar.name, tuple(years), calendar.source))
    return found


def missing_for(name: str, years: Iterable[int]) -> MissingHolidays | None:
    """What to tell people when calendar `name` was asked about `years` it has no holidays for."""
    found = tuple(sorted(set(years)))
    return MissingHolidays(name, found, load_calendar(name).source) if found else None
