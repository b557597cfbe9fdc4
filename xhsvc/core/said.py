"""History lines in the reader's language.

An event keeps its `summary` in English, as the log always has: it is part of what the hash chain
proves. Beside it, `said` keeps the sentence that made it (marked with N_) and the values that
filled it, so a history can be read in the interface's language. Values named after a kind of code
(a status, a service, an SLA target ...) are said in words too. An event written before `said`
existed, or one a later version words differently, is shown by its stored summary."""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
    text or numbers (a payload is JSON)."""
    return {"summary": message.format(**values), "said": {"message": message, "values": values}}


def summary_of(payload: Mapping[str, Any]) -> str:
    """The event's summary in the interface's language."""
    stored = payload.get("summary", "")
    told = payload.get("said")
    if not isinstance(told, dict) or not isinstance(told.get("values", {}), dict):
        return stored
    values = {
        name: WORDS[name](value) if name in WORDS and isinstance(value, str) else value
        for name, value in told.get("values", {}).items()
    }
    message = told.get("message")
    if not isinstance(message, str) or not _plain_fields(message):
        return stored
    try:
        return _(message).format(**values)
    except (KeyError, IndexError, ValueError, TypeError):
        return stored


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
