"""History lines in the reader's language.

An event keeps its `summary` in English, as the log always has: it is part of what the hash chain
proves. Beside it, `said` keeps the sentence that made it (marked with N_) and the values that
filled it, so a history can be read in the interface's language. Values named after a kind of code
(a status, a service, an SLA target ...) are said in words too. An event written before `said`
existed, or one a later version words differently, is shown by its stored summary."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from string import Formatter
from typing import Any

from xhsvc.core import labels
from xhsvc.core.contracts import explain_note
from xhsvc.i18n import _

# What `said` makes: the `summary` and `said` keys of an event's payload.
Said = dict[str, Any]

# A value of one of these names is a code: it is shown in the reader's words.
WORDS: dict[str, Callable[[str | None], str]] = {
    "status": labels.status_label,
    "service": labels.service_label,
    "channel": labels.channel_label,
    "target": labels.target_label,
    "request": labels.request_kind_label,
    "decision": labels.request_state_label,
    "work": labels.work_label,
    "role": labels.role_label,
    "notice": labels.notice_label,
    "coverage": lambda note: explain_note(note) or "",
}


def said(message: str, **values: Any) -> Said:
    """An event payload's summary: `summary` in English and `said` to say it again. `values` are
    text, numbers, sentences of their own (`part`) or lists of them (a payload is JSON)."""
    told = part(message, **values)
    return {"summary": english(told), "said": told}


def part(message: str, **values: Any) -> dict[str, Any]:
    """A sentence inside another (why a rule fired, what it did), said again with it."""
    return {"message": message, "values": values}


def english(told: Mapping[str, Any]) -> str:
    """A sentence made by `part`, as the log keeps it."""
    values = {
        name: english(value)
        if isinstance(value, dict)
        else "; ".join(english(v) for v in value)
        if isinstance(value, list)
        else value
        for name, value in told["values"].items()
    }
    return str(told["message"]).format(**values)


def summary_of(payload: Mapping[str, Any]) -> str:
    """The event's summary in the interface's language."""
    stored = payload.get("summary", "")
    told = payload.get("said")
    said_again = _say(told, depth=0) if isinstance(told, dict) else None
    return stored if said_again is None else said_again


def said_again(told: list[dict[str, Any]]) -> str:
    """Sentences made by `part` (what a rule did), in the interface's language."""
    return _("; ").join(_say(one, depth=0) or english(one) for one in told)


# A sentence holds sentences, which hold none: a log from another machine cannot nest them deeper.
NESTED = 1


def _say(told: Mapping[str, Any], *, depth: int) -> str | None:
    """`told` in the interface's language; None when it is not a sentence this version can say
    (another machine's, an older version's, or no sentence at all)."""
    message, raw = told.get("message"), told.get("values", {})
    if not isinstance(message, str) or not isinstance(raw, dict) or not _plain_fields(message):
        return None
    values: dict[str, Any] = {}
    for name, value in raw.items():
        if isinstance(value, str):
            values[name] = WORDS[name](value) if name in WORDS else value
        elif value is None or isinstance(value, int | float):
            values[name] = value
        elif depth < NESTED and isinstance(value, dict):
            values[name] = _say(value, depth=depth + 1)
        elif depth < NESTED and isinstance(value, list) and all(isinstance(v, dict) for v in value):
            parts = [_say(v, depth=depth + 1) for v in value]
            values[name] = None if None in parts else _("; ").join(parts)  # type: ignore[arg-type]
        else:
            return None
        if values[name] is None and value is not None:
            return None
    try:
        return _(message).format(**values)
    except (KeyError, IndexError, ValueError, TypeError):
        return None


@lru_cache(maxsize=512)
def _plain_fields(message: str) -> bool:
    # A log can come from another machine: a sentence fills in named values, nothing more (no
    # attribute or item lookups, no format specs).
    try:
        fields = [(name, spec, conversion) for _text, name, spec, conversion in Formatter().parse(message)]
    except ValueError:
        return False
    return all(
        name is None or (name.isidentifier() and not spec and not conversion)
        for name, spec, conversion in fields
    )
