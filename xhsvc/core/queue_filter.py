"""What the queue is narrowed to, and a page of it: plain values, no database, so that the
dashboard can show a page read by another process before it imports any database code."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from xhsvc.i18n import _

# Tickets on a page of the queue.
PAGE_SIZE = 100


@dataclass
class QueueFilter:
    """What the agent narrowed the queue to; saved between runs."""

    status: str | None = None
    tier: str | None = None
    priority: str | None = None
    region: str | None = None
    assignee: str | None = None
    mine: bool = False
    my_approvals: bool = False
    breached: bool = False
    text: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, False, "")}

    @classmethod
    def from_dict(cls, raw: dict[str, Any] | None) -> QueueFilter:
        known = {k: v for k, v in (raw or {}).items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def describe(self) -> str:
        parts = [f"{k}={v}" if not isinstance(v, bool) else k for k, v in self.as_dict().items()]
        return ", ".join(parts) or _("all open tickets")


@dataclass
class QueuePage:
    rows: list[dict[str, Any]]
    total: int
    offset: int
    now: datetime
    filter: QueueFilter = field(default_factory=QueueFilter)
    # This node's sync: role, changes waiting to be sent, last sync, open conflicts.
    sync: dict[str, Any] = field(default_factory=dict)
