"""The only place the domain learns the time. Tests freeze it (freezegun) or inject their own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime, tz_name: str = "UTC") -> datetime:
    """An aware UTC instant; a naive value is read in `tz_name` (the user's local time zone)."""
    if value.tzinfo is None:
        from zoneinfo import ZoneInfo

        value = value.replace(tzinfo=ZoneInfo(tz_name))
    return value.astimezone(UTC)
