"""The only place the domain learns the time. Tests freeze it (freezegun) or inject their own."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, tzinfo

from xhsvc.errors import InvalidInput
from xhsvc.i18n import _

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime, tz_name: str = "UTC") -> datetime:
    """An aware UTC instant; a naive value is read in `tz_name` (the user's local time zone)."""
    if value.tzinfo is None:
        from zoneinfo import ZoneInfo

        value = value.replace(tzinfo=ZoneInfo(tz_name))
    return value.astimezone(UTC)


def local_minute(moment: datetime | None, tz: tzinfo) -> str | None:
    """`moment` to the minute where the desk works, as documents print it; None stays None."""
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else None


def local_date(moment: datetime, tz_name: str) -> date:
    """The calendar day of `moment` where the desk works (its configured time zone)."""
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(tz_name)).date()


# What people type ---------------------------------------------------------------------------------

# Any instant or day outside these years is a slip of the keyboard, not a service call; refusing it
# also keeps date arithmetic far from the ends of Python's calendar.
EARLIEST_YEAR = 1970
LATEST_YEAR = 2200


def check_year(year: int, field: str, text: object) -> None:
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise InvalidInput(
            _("{field} {text!r}: must lie between {earliest} and {latest}").format(
                field=field, text=text, earliest=EARLIEST_YEAR, latest=LATEST_YEAR
            )
        )


def parse_instant(text: str, *, field: str, tz_name: str, now: datetime | None = None) -> datetime:
    """What a person types for a moment, as UTC: an ISO time ('2026-11-20 14:05', local time of
    the desk, or with its offset), `08:40` (today), `2026/11/28 08:40`, `2026年11月28日 08:40`,
    `昨天 8点`, `下午3点半`, `2h ago`, `3小时前`. Anything but ISO is read by dateparser, relative
    to `now` (default: the clock)."""
    stripped = text.strip()
    try:
        value = datetime.fromisoformat(stripped)
    except ValueError:
        value = _read_loosely(stripped, tz_name=tz_name, now=now or utc_now())
        if value is None:
            raise InvalidInput(
                _(
                    "{field} {text!r}: use a time like '2026-11-20 14:05', '08:40', '昨天 16:30' or '2h ago'"
                ).format(field=field, text=text)
            ) from None
    check_year(value.year, field, text)
    return as_utc(value, tz_name)


_DIGITS = dict(zip("零一二两三四五六七八九", (0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
_CHINESE_NUMBER = re.compile(
    r"[零一二两三四五六七八九十]+(?=\s*(?:个)?(?:小时|钟头|分钟|分|天|日|周|星期|月|年|点))"
)
_O_CLOCK = re.compile(r"(\d{1,2})\s*[点點](?:\s*(半)|\s*(\d{1,2})\s*分?)?")
_AFTERNOON = re.compile(r"(下午|晚上|傍晚)\s*(\d{1,2}):(\d{2})")
_MORNING = re.compile(r"(上午|早上|早晨|凌晨|中午)\s*")
_MONTH_DAY = re.compile(r"(?<![\d/-])(\d{1,2})[-/](\d{1,2})(?=\s|$)")
_TIME_OF_DAY = re.compile(r"(\d{1,2}):(\d{2})")
_JUST_NOW = re.compile(r"^(现在|刚才|刚刚|此刻)$")


def _chinese_number(match: re.Match[str]) -> str:
    """一 .. 九十九 as digits (两小时前 -> 2小时前, 十五分钟前 -> 15分钟前)."""
    word = match.group(0)
    tens, _ten, ones = word.partition("十")
    if "十" not in word:
        return "".join(str(_DIGITS[c]) for c in word)
    return str((_DIGITS.get(tens, 1) if tens else 1) * 10 + (_DIGITS.get(ones, 0) if ones else 0))


def _read_loosely(text: str, *, tz_name: str, now: datetime) -> datetime | None:
    from zoneinfo import ZoneInfo

    import dateparser  # only for what is not ISO: it takes a tenth of a second to import

    local_now = now.astimezone(ZoneInfo(tz_name))
    clock_time = _TIME_OF_DAY.fullmatch(text)
    if clock_time:  # 08:40 is today's, whatever the hour now
        hour, minute = int(clock_time.group(1)), int(clock_time.group(2))
        if hour > 23 or minute > 59:
            return None
        return local_now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    # dateparser reads most of what people write; these few Chinese ways of saying a time of day
    # it does not, and a month-day without its year it would take for year-month.
    text = _JUST_NOW.sub("now", text)
    text = _CHINESE_NUMBER.sub(_chinese_number, text)
    text = _O_CLOCK.sub(
        lambda m: f"{m.group(1)}:{'30' if m.group(2) else (m.group(3) or '0').zfill(2)}", text
    )
    text = _AFTERNOON.sub(lambda m: f"{int(m.group(2)) % 12 + 12}:{m.group(3)}", text)
    text = _MORNING.sub("", text)
    text = _MONTH_DAY.sub(lambda m: f"{local_now.year}-{m.group(1)}-{m.group(2)}", text, count=1)
    settings = {
        "TIMEZONE": tz_name,
        "RETURN_AS_TIMEZONE_AWARE": True,
        "RELATIVE_BASE": local_now.replace(tzinfo=None),
        "PREFER_DATES_FROM": "past",
        "DATE_ORDER": "YMD",
    }
    return dateparser.parse(text, languages=["zh", "en"], settings=settings)  # type: ignore[arg-type]


def parse_day(value: str | date | None, field: str) -> date | None:
    """A day like 2026-12-31 (None stays None)."""
    if value is None:
        return None
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise InvalidInput(
                _("{field} {value!r}: use a date like 2026-12-31").format(field=field, value=value)
            ) from None
    check_year(value.year, field, value.isoformat())
    return value
