"""SLA clocks as coloured countdowns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.cells import cell_len
from rich.text import Text

from xhsvc.core.countdown import live_remaining
from xhsvc.core.durations import format_minutes
from xhsvc.i18n import _, pgettext

# Short names of the clock targets in the queue's SLA cell (the targets themselves are values).
NAMES = {"response": _("resp"), "onsite": pgettext("clock", "site"), "resolution": _("res")}
# The queue's SLA cell holds two clocks, one overdue ("resp -10h23m res 1d11h"): its width in the
# interface's language (short names differ in width between languages).
TWO_CLOCKS_WIDTH = sum(sorted(cell_len(name) for name in NAMES.values())[-2:]) + len(" -10h23m  1d11h")
STYLES = {
    "running": "green",
    "warning": "bold yellow",
    "breached": "bold red",
    "paused": "cyan",
    "met": "dim green",
    "late": "dim red",
    "cancelled": "dim",
}


def countdown(clock: dict[str, Any], remaining_min: float, *, breached: bool = False) -> str:
    """Time left in working days and hours of the clock's calendar, as the CLI shows it; under an
    hour with seconds (12m05s); a minus sign when overdue (a breached clock always has one)."""
    return format_minutes(remaining_min, day_minutes=clock["day_minutes"], seconds=True, overdue=breached)


def clock_cells(clocks: list[dict[str, Any]], now: datetime, *, nearest_only: bool = False) -> Text:
    """Every open clock of a ticket, live at `now`, coloured by its state; with `nearest_only`
    (a narrow queue) only the one that runs out first (breached first), a paused one when all are."""
    live = []
    for clock in clocks:
        if clock["state"] in ("met", "late", "cancelled"):
            continue
        remaining, state = live_remaining(clock, now)
        live.append((clock, remaining, state))
    if nearest_only and live:
        running = [c for c in live if c[2] != "paused"]
        live = [min(running, key=lambda c: c[1]) if running else live[0]]
    text = Text(no_wrap=True, end="")
    for clock, remaining, state in live:
        label = (
            _("paused") if state == "paused" else countdown(clock, remaining, breached=state == "breached")
        )
        if text:
            # One space: two clocks, one overdue, fit the queue's TWO_CLOCKS_WIDTH columns.
            text.append(" ")
        text.append(f"{NAMES.get(clock['target'], clock['target'])} {label}", style=STYLES.get(state, ""))
    return text
