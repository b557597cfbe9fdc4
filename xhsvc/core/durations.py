"""Durations: the one grammar for every span people type, and the one way they are shown.

A span is written as weeks, days, hours and minutes in that order, each part optional: `15m`, `4h`,
`1h30m`, `2d`, `1d4h`, `2w`. What a day is depends on where the span is used: in a service level's
target or a clock's time left it is a working day of the clock's calendar (7.5 hours in China
business hours, 24 in 7x24); in a limit such as `sla.max_backdate` or `--within` it is a calendar day.
So a span keeps its days apart from its minutes until a calendar says how long a day is, and every
clock is shown in its own calendar's days: a target of `5d` reads `5d` in the level, in `sla due`
and in the queue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from xhsvc.errors import InvalidInput
from xhsvc.i18n import N_, _

_SPAN = re.compile(
    r"\s*(?:(?P<w>\d+)\s*w)?\s*(?:(?P<d>\d+)\s*d)?\s*(?:(?P<h>\d+)\s*h)?\s*(?:(?P<m>\d+)\s*m(?:in)?)?\s*"
)
_BARE = re.compile(r"\s*(\d+)\s*")
EXAMPLES = N_("'15m', '4h', '1h30m', '2d' or '1d4h'")
CALENDAR_DAY = 1440
# Far beyond any target or limit a desk sets (about 27 years); keeps arithmetic on dates sane.
MAX_MINUTES = 14_400_000


@dataclass(frozen=True)
class Duration:
    """A span: whole days (weeks count 7) and minutes, apart until a calendar gives the day's length."""

    days: int = 0
    minutes: int = 0

    def in_minutes(self, day_minutes: int = CALENDAR_DAY) -> int:
        return self.days * day_minutes + self.minutes

    def __str__(self) -> str:
        """Exactly as written back: '1d4h', '24h' (24 hours, not a day of whatever calendar), '0m'."""
        hours, mins = divmod(self.minutes, 60)
        text = (f"{self.days}d" if self.days else "") + (f"{hours}h" if hours else "")
        text += f"{mins}m" if mins else ""
        return text or "0m"


def parse_duration(value: Any, *, bare: str = "m") -> Duration:
    """A span from what a person typed (or a TOML value). A bare whole number counts in `bare`
    units ('m' for targets, 'd' for `--within`). Raises ValueError naming what is allowed."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_MINUTES:
        return Duration(days=value) if bare == "d" else Duration(minutes=value)
    if isinstance(value, str):
        plain = _BARE.fullmatch(value)
        if plain:
            return parse_duration(int(plain.group(1)), bare=bare)
        match = _SPAN.fullmatch(value.lower())
        if match and any(match.groups()):
            parts = {k: int(v) if v else 0 for k, v in match.groupdict().items()}
            span = Duration(days=parts["w"] * 7 + parts["d"], minutes=parts["h"] * 60 + parts["m"])
            if span.in_minutes() <= MAX_MINUTES:
                return span
    # Not a programming error: what the callers show when a span people wrote is refused.
    raise ValueError(
        _("{value!r} is not a duration like {examples}").format(value=value, examples=_(EXAMPLES))
    )


def parse_within(value: str) -> int:
    """A look-ahead such as `--within 30d`, `2w` or `30`, as a number of calendar days."""
    try:
        span = parse_duration(value or "", bare="d")
    except ValueError:
        span = None
    if span is None or span.minutes:
        raise InvalidInput(
            _("within {value!r}: use a number of days like 30d or weeks like 2w").format(value=value)
        )
    return span.days


def format_minutes(
    value: float, *, day_minutes: int = CALENDAR_DAY, seconds: bool = False, overdue: bool = False
) -> str:
    """Minutes for people, in days of `day_minutes`: 45m, 3h05m, 2d4h; '-' first when overdue
    (negative, or `overdue`: a clock past its due time with no working time gone since, on a
    weekend, is overdue by -0m).

    With days, minutes are left out (a countdown need not be finer than the hour then); with
    `seconds`, a countdown under an hour shows them (12m05s)."""
    sign = "-" if value < 0 or overdue else ""
    if seconds and abs(value) < 60:
        mins, secs = divmod(round(abs(value) * 60), 60)
        return f"{sign}{mins}m{secs:02d}s"
    total = round(abs(value))
    days, rest = divmod(total, day_minutes)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{sign}{days}d{hours}h" if hours else f"{sign}{days}d"
    if hours:
        return f"{sign}{hours}h{mins:02d}m" if mins else f"{sign}{hours}h"
    return f"{sign}{mins}m"


def spell_target(minutes: int, day_minutes: int) -> str:
    """A target exactly, in working days of its calendar: 2250 minutes of 450-minute days is '5d'."""
    days, rest = divmod(minutes, day_minutes)
    return str(Duration(days=days, minutes=rest))
