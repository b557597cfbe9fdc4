"""An SLA clock counting down each second from what was read: no database, so the dashboard can
draw its countdowns before it has imported any database code."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from xhsvc.core.calendars import load_calendar

# A clock is shown as a warning once this share of its time is used.
WARNING_SHARE = 0.8


def live_remaining(view: dict[str, Any], now: datetime) -> tuple[float, str]:
    """Working minutes left on a clock (negative when overdue) and its state, at `now`: what a
    countdown shows each second without asking the database."""
    if view["state"] in ("met", "late", "cancelled", "paused"):
        return float(view["remaining_min"]), view["state"]
    calendar = load_calendar(view["calendar"])
    left = calendar.minutes_between(now, view["due_at"])
    if left <= 0:
        return left, "breached"
    if view["budget_min"] and left <= (1 - WARNING_SHARE) * view["budget_min"]:
        return left, "warning"
    return left, "running"
