"""The only place the domain learns the time. Tests freeze it (freezegun) or inject their own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from xhsvc.errors import InvalidInput

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime, tz_name: str = "UTC") -> datetime:
    """An aware UTC instant; a naive value is read in `tz_name` (the user's local time zone)."""
    if value.tzinfo is None:
        from zoneinfo import ZoneInfo

        value = value.replace(tzinfo=ZoneInfo(tz_name))
    return value.astimezone(UTC)


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
        raise InvalidInput(f"{field} {text!r}: must lie between {EARLIEST_YEAR} and {LATEST_YEAR}")


def parse_instant(text: str, *, field: str, tz_name: str) -> datetime:
    """'2026-11-20 14:05' (local time of the desk) or an ISO instant with its offset, as UTC."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{field} {text!r}: use a time like '2026-11-20 14:05'") from None
    check_year(value.year, field, text)
    return as_utc(value, tz_name)


def parse_day(value: str | date | None, field: str) -> date | None:
    """A day like 2026-12-31 (None stays None)."""
    if value is None:
        return None
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise InvalidInput(f"{field} {value!r}: use a date like 2026-12-31") from None
    check_year(value.year, field, value.isoformat())
    return value
