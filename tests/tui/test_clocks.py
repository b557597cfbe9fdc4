"""The queue's SLA cell: a clock that is overdue says so, even when no working time has gone by
since it fell due (a weekend after a Friday evening deadline)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from xhsvc.tui.widgets.clocks import clock_cells


def _resolution(due_at: datetime) -> dict[str, Any]:
    return {
        "target": "resolution",
        "state": "running",
        "due_at": due_at,
        "budget_min": 900,
        "remaining_min": 0,
        "calendar": "china-business",
        "day_minutes": 450,
    }


def test_a_clock_breached_before_the_weekend_shows_overdue_on_sunday() -> None:
    friday_evening = datetime(2026, 11, 27, 10, tzinfo=UTC)  # 18:00 in Shanghai, the day's end
    sunday = datetime(2026, 11, 29, 12, tzinfo=UTC)
    cell = clock_cells([_resolution(friday_evening)], sunday)
    assert cell.plain.endswith(" -0m00s"), cell.plain
    assert "red" in str(cell.spans[0].style)


def test_a_running_clock_shows_its_time_left_without_a_sign() -> None:
    monday_noon = datetime(2026, 11, 30, 4, tzinfo=UTC)
    cell = clock_cells([_resolution(monday_noon)], datetime(2026, 11, 30, 3, 30, tzinfo=UTC))
    assert cell.plain.endswith(" 30m00s"), cell.plain
