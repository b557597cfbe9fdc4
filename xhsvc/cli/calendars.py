"""`xhsvc calendar ...`: the business calendars SLA clocks count in."""

from __future__ import annotations

from typing import Annotated

import typer

from xhsvc.cli.common import JsonOption, lazy
from xhsvc.cli.output import print_json, print_table, say

core = lazy("xhsvc.core.calendars")

app = typer.Typer(help="Business calendars: working hours, holidays and 调休 days.", no_args_is_help=True)


@app.command("list")
def list_(json_out: JsonOption = False) -> None:
    """The calendars there are (shipped, and yours in the calendars folder beside config.toml)."""
    rows = [
        {
            "name": c.name,
            "title": c.title,
            "timezone": c.timezone,
            "day_minutes": c.day_minutes,
            "holiday_years": list(c.years),
            "source": c.source,
        }
        for c in core.list_calendars()
    ]
    if json_out:
        print_json(rows)
        return
    print_table(
        rows,
        [("name", "NAME"), ("title", "TITLE"), ("timezone", "TIME ZONE"), ("holiday_years", "HOLIDAYS FOR")],
        empty="no calendars",
    )


@app.command()
def show(
    name: Annotated[str, typer.Argument(help="Calendar name, e.g. china-business.", show_default=False)],
    month: Annotated[str, typer.Option("--month", help="YYYY-MM, e.g. 2026-10.", show_default=False)],
    json_out: JsonOption = False,
) -> None:
    """A month of a calendar: each day, whether it is a working day, and its hours."""
    days = core.month_days(name=name, month=month)
    if json_out:
        print_json(days)
        return
    for day in days:
        mark = "work" if day["working"] else "off "
        why = day["holiday"] or ""
        say(f"{day['date']}  {day['weekday']}  {mark}  {' '.join(day['hours']):<24} {why}")
