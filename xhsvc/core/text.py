"""User text: what it may contain when it comes in, and how stored text is shown harmlessly.

Text typed by people (or read from a CSV file or an old database) reaches terminals, screens,
reports and spreadsheets. A control character in it can do harm there: an escape sequence sets
the window title or clears the screen of whoever lists the queue, a newline forges a table row,
a bidi override turns the rest of a line around. So:

- `clean_text` is the one rule for text that comes in: one-line fields (titles, names, reasons)
  refuse every control character; multi-line fields (descriptions, comments, notes, reports)
  allow newline and tab and refuse the rest. Each field has a length limit (`ONE_LINE`,
  `MULTI_LINE`, ... below, or the column's own).
- `display` is the one way to show stored text: every control character becomes visible
  (ESC as `\\x1b`, BEL as `\\x07`, U+202E as `\\u202e`); a one-line cell shows newline and tab as
  `\\n` and `\\t`, a block keeps them. Existing databases may already hold such text: whatever
  shows it goes through here.
- `json_safe` escapes in JSON text what `json.dumps(..., ensure_ascii=False)` leaves raw (DEL,
  the C1 controls, bidi controls, line and paragraph separators), so JSON output stays exact
  and harmless on a terminal.

Pure string code: the CLI and the TUI both use it; nothing here imports a user interface.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from xhsvc.errors import InvalidInput
from xhsvc.i18n import _

# Length limits, in characters (README: "Limits").
TITLE = 300  # a ticket's title (its column holds 300)
ONE_LINE = 500  # reasons, resolutions and other one-line texts with no column limit of their own
MULTI_LINE = 20_000  # descriptions, comments, notes, review texts
REPORT = 1_000_000  # a service report (`ticket close --report FILE`)

# Bidi embeddings and overrides (U+202A..U+202E), isolates (U+2066..U+2069); line and paragraph
# separators (U+2028, U+2029), which some programs take for line breaks.
_FORMAT_CONTROLS = "\u202a-\u202e\u2066-\u2069\u2028\u2029"
# C0 controls, DEL, C1 controls, and the above.
_ALL = re.compile(f"[\x00-\x1f\x7f-\x9f{_FORMAT_CONTROLS}]")
# The same, less newline and tab: what a multi-line text must not contain.
_BLOCK = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_FORMAT_CONTROLS}]")
# What json.dumps(ensure_ascii=False) writes raw (it escapes only C0 itself).
_JSON_RAW = re.compile(f"[\x7f-\x9f{_FORMAT_CONTROLS}]")

_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def visible(char: str) -> str:
    """How a control character is shown: `\\n`, `\\t`, `\\r`, `\\x1b`, `\\u202e`."""
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def _show(match: re.Match[str]) -> str:
    return visible(match.group())


def one_of(value: str, allowed: Iterable[str], field: str) -> str:
    """`value` as the one of `allowed` it names, whatever its case: `p1` is P1, `l2` L2,
    `IN_PROGRESS` in_progress. Anything else is refused, naming the field and what it takes."""
    options = list(allowed)
    folded = value.strip().casefold()
    for option in options:
        if option.casefold() == folded:
            return option
    raise InvalidInput(
        _("{field} {value!r}: must be one of {options}").format(
            field=field, value=value, options=", ".join(options)
        )
    )


def display(value: Any, *, multiline: bool = False) -> str:
    """`value` as text that is safe to show: control characters made visible.

    A one-line cell (the default) shows newline and tab as `\\n` and `\\t` too, so that a value
    always stays on its line; a block (`multiline=True`) keeps them (CRLF becomes a newline)."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if multiline:
        if "\r" in text:
            text = text.replace("\r\n", "\n")
        return _BLOCK.sub(_show, text)
    return _ALL.sub(_show, text)


def json_safe(text: str) -> str:
    """JSON text (from `json.dumps(..., ensure_ascii=False)`) with DEL, C1 and bidi controls
    written as `\\u` escapes: the same JSON value, nothing a terminal acts on.

    Those characters appear only inside JSON strings, where `\\uXXXX` means the same."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def find_control(text: str, *, multiline: bool = False) -> int | None:
    """The index of the first character `text` must not contain, or None."""
    found = (_BLOCK if multiline else _ALL).search(text)
    return found.start() if found else None


def clean_text(
    value: str | None,
    field: str,
    *,
    required: bool = False,
    limit: int = ONE_LINE,
    multiline: bool = False,
) -> str | None:
    """The one check of text people give: stripped; empty is None (or refused when required);
    control characters refused (a multi-line text may have newlines and tabs; CRLF is kept as a
    newline); at most `limit` characters. Refusals name the field."""
    if value is None or not value.strip():
        if required:
            raise InvalidInput(_("{field}: must not be empty").format(field=field))
        return None
    text = value.strip()
    if multiline and "\r" in text:
        text = text.replace("\r\n", "\n")
    bad = find_control(text, multiline=multiline)
    if bad is not None:
        message = (
            _(
                "{field}: must not contain control characters other than newline and tab "
                "(found {char} at position {position})"
            )
            if multiline
            else _("{field}: must not contain control characters (found {char} at position {position})")
        )
        raise InvalidInput(message.format(field=field, char=visible(text[bad]), position=bad + 1))
    if len(text) > limit:
        raise InvalidInput(_("{field}: at most {limit:,} characters").format(field=field, limit=limit))
    return text
