"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Date, DateTime
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Stores instants as UTC and always returns timezone-aware UTC datetimes.

    SQLite keeps no time zone, PostgreSQL does; this makes both give back the same value.
    ISO strings (as found in event payloads) are accepted on the way in.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):  # type: ignore[override]
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: xhsvc stores only aware instants")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):  # type: ignore[override]
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class ISODate(TypeDecorator[date]):
    """A calendar date; ISO strings (as found in event payloads) are accepted on the way in."""

    impl = Date()
    cache_ok = True

    def process_bind_param(self, value, dialect):  # type: ignore[override]
        if isinstance(value, str):
            return date.fromisoformat(value)
        return value
