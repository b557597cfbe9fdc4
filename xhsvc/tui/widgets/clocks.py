"""SLA clocks as coloured countdowns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.text import Text

from xhsvc.core.sla import live_remaining

NAMES = {"response": "resp", "onsite": "site", "resolution": "res"}
STYLES = {
    "running": "green",
    "warning": "bold yellow",
    "breached": "bold red",
    "paused": "cyan",
    "met": "dim green",
    "late": "dim red",
    "cancelled": "dim",
}


def countdown(seconds: float) -> str:
    """12m05s, 3h07m, 2d04h; with a minus sign when overdue."""
    sign = "-" if seconds < 0 else ""
    left = round(abs(seconds))
    days, left = divmod(left, 86400)
    hours, left = divmod(left, 3600)
    minutes, secs = divmod(left, 60)
    if days:
        return f"{sign}{days}d{hours:02d}h"
    if hours:
        return f"{sign}{hours}h{minutes:02d}m"
    return f"{sign}{minutes}m{secs:02d}s"


def clock_cells(clocks: list[dict[str, Any]], now: datetime) -> Text:
    """Every open clock of a ticket, live at `now`, coloured by its state."""
    text = Text()
    for clock in clocks:
        if clock["state"] in ("met", "late", "cancelled"):
            continue
        remaining, state = live_remaining(clock, now)
        label = "paused" if state == "paused" else countdown(remaining * 60)
        if text:
            text.append("  ")
        text.append(f"{NAMES.get(clock['target'], clock['target'])} {label}", style=STYLES.get(state, ""))
    return text
