"""TOML files that users edit (service levels, later calendars, rules, checklists): read them and
report a mistake with the file, the line and the key, so that it can be fixed at once."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xhsvc.errors import InvalidInput

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_ASSIGN = re.compile(
    r'^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|\'[^\']*\')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|\'[^\']*\'))*)\s*='
)
_KEY_PART = re.compile(r'"([^"]*)"|\'([^\']*)\'|([A-Za-z0-9_-]+)')


def _parts(dotted: str) -> list[str]:
    return [a or b or c for a, b, c in _KEY_PART.findall(dotted)]


def line_of(text: str, keypath: list[Any]) -> int | None:
    """The line that defines `keypath`, or the nearest enclosing table or key that does.

    An int in `keypath` is an index into an array of tables: ["rule", 2, "do"] is the [rule.do]
    of the third [[rule]].
    """
    table: list[Any] = []
    arrays: dict[tuple[str, ...], int] = {}
    best: tuple[int, int] | None = None  # (depth matched, line number)
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            parts = _parts(header.group(1))
            if line.lstrip().startswith("[["):
                arrays[tuple(parts)] = arrays.get(tuple(parts), -1) + 1
                # A new element of an array starts its own nested arrays afresh.
                for nested in [k for k in arrays if len(k) > len(parts) and k[: len(parts)] == tuple(parts)]:
                    del arrays[nested]
            table = []
            for i, part in enumerate(parts):
                table.append(part)
                if tuple(parts[: i + 1]) in arrays:
                    table.append(arrays[tuple(parts[: i + 1])])
            full = table
        else:
            assign = _ASSIGN.match(line)
            if not assign:
                continue
            full = table + _parts(assign.group(1))
        if full == keypath[: len(full)] and (best is None or len(full) > best[0]):
            best = (len(full), number)
    return best[1] if best else None


@dataclass(frozen=True)
class TomlSource:
    path: Path
    text: str
    data: dict[str, Any]

    def error(self, keypath: list[Any], message: str) -> InvalidInput:
        line = line_of(self.text, keypath)
        where = f"{self.path}:{line}" if line else str(self.path)
        return InvalidInput(f"{where}: {'.'.join(str(k) for k in keypath)}: {message}")


def read_toml(path: Path) -> TomlSource:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise InvalidInput(f"{path}: cannot read it ({e.strerror or e})") from e
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InvalidInput(f"{path}: not valid TOML: {e}") from e
    return TomlSource(path=path, text=text, data=data)


def parse_duration(value: Any) -> int:
    """'15m', '4h', '2d' (or a whole number of minutes) as minutes."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(\d+)\s*([mhd])\s*", value)
        if match:
            return int(match.group(1)) * {"m": 1, "h": 60, "d": 1440}[match.group(2)]
    raise ValueError(f"{value!r} is not a duration like '15m', '4h' or '2d'")


@dataclass(frozen=True)
class Duration:
    """A target such as '4h' (working minutes) or '2d' (working days, each as long as the
    calendar's working day: 7.5 hours in China business hours, 24 in 7x24)."""

    days: int = 0
    minutes: int = 0

    def working_minutes(self, day_minutes: int) -> int:
        return self.days * day_minutes + self.minutes

    def __str__(self) -> str:
        text = f"{self.days}d" if self.days else ""
        return text + (format_duration(self.minutes) if self.minutes or not self.days else "")


def parse_target(value: Any) -> Duration:
    """'15m', '4h', '2d', '1d4h' as a Duration."""
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*", value)
        if match and any(match.groups()):
            days, hours, mins = (int(g) if g else 0 for g in match.groups())
            return Duration(days=days, minutes=hours * 60 + mins)
    raise ValueError(f"{value!r} is not a duration like '15m', '4h', '2d' or '1d4h'")


def format_duration(minutes: int) -> str:
    if minutes and minutes % 1440 == 0:
        return f"{minutes // 1440}d"
    if minutes and minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"
