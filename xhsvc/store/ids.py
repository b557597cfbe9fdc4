"""Row ids: UUIDv7, time-ordered so that indexes stay compact and ids sort by creation."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from uuid import UUID


@cache
def _uuid7() -> Callable[[], UUID]:
    # Imported at the first id, not with the store: uuid6 reads its package metadata as it is
    # imported, and a command that only reads (the dashboard's first page) makes no id.
    from uuid6 import uuid7

    return uuid7


def new_id() -> str:
    return str(_uuid7()())
