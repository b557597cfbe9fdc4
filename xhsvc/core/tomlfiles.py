"""TOML files that users edit (service levels, later calendars, rules, checklists): read them and
report a mistake with the file, the line and the key, so that it can be fixed at once."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xhsvc.errors import InvalidInput
from xhsvc.i18n import _

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
        raise InvalidInput(
            _("{path}: cannot read it ({error})").format(path=path, error=e.strerror or e)
        ) from e
    except UnicodeDecodeError as e:
        raise InvalidInput(
            _("{path}: not UTF-8 text (byte {position}); save it as UTF-8").format(
                path=path, position=e.start
            )
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InvalidInput(_("{path}: not valid TOML: {error}").format(path=path, error=e)) from e
    return TomlSource(path=path, text=text, data=data)
