"""SLA clocks as coloured countdowns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.text import Text

from xhsvc.core.durations import format_minutes
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


def countdown(clock: dict[str, Any], remaining_min: float) -> str:
    """Time left in working days and hours of the clock's calendar, as the CLI shows it; under an
    hour with seconds (12m05s); a minus sign when overdue."""
    return format_minutes(remaining_min, day_minutes=clock["day_minutes"], seconds=True)


def clock_cells(clocks: list[dict[str, Any]], now: datetime) -> Text:
    """Every open clock of a ticket, live at `now`, coloured by its state."""
    text = Text()
    for clock in clocks:
        if clock["state"] in ("met", "late", "cancelled"):
            continue
        remaining, state = live_remaining(clock, now)
        label = "paused" if state == "paused" else countdown(clock, remaining)
        if text:
            text.append("  ")
        text.append(f"{NAMES.get(clock['target'], clock['target'])} {label}", style=STYLES.get(state, ""))
    return text
