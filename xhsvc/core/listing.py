"""A listing cut at its limit that still knows how many rows there were in all."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class Listing(list[dict[str, Any]]):
    """The rows shown (a plain list to every caller, JSON included) and `total`, the rows that
    matched: an interface says how many more there are."""

    def __init__(self, rows: Iterable[dict[str, Any]], total: int | None = None) -> None:
        super().__init__(rows)
        self.total = len(self) if total is None else total

    @property
    def more(self) -> int:
        return max(self.total - len(self), 0)
