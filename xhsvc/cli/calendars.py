"""`xhsvc calendar ...`: the business calendars SLA clocks count in."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from xhsvc.cli.common import JsonOption, state
from xhsvc.cli.output import fit_cell, print_json, print_table, say, warn
from xhsvc.i18n import N_, _, pgettext
from xhsvc.lazy import lazy

core = lazy("xhsvc.core.calendars")

app = typer.Typer(help="Business calendars: working hours, holidays and 调休 days.", no_args_is_help=True)


def _today(ctx: typer.Context) -> date:
    """Today at the desk (the configured time zone); these commands need no database."""
    from xhsvc.core.clock import local_date, utc_now
    from xhsvc.core.settings import settings_from_config

    return local_date(utc_now(), settings_from_config(state(ctx).config()).timezone)


@app.command("list")
def list_(ctx: typer.Context, json_out: JsonOption = False) -> None:
    """The calendars and the years they have public holidays for. The shipped ones and yours (in the
    calendars folder beside config.toml), each with the years ahead it lacks.

    \b
    Examples:
      xhsvc calendar list
      xhsvc calendar list --json
    """
    missing = {m.calendar: m for m in core.missing_holidays(today=_today(ctx))}
    rows = [
        {
            "name": c.name,
            "title": c.title,
            "timezone": c.timezone,
            "day_minutes": c.day_minutes,
            "holiday_years": None if c.holiday_years is None else sorted(c.holiday_years),
            "holidays_for": c.describe_years(),
            "missing_years": list(missing[c.name].years) if c.name in missing else [],
            "source": c.source,
        }
        for c in core.list_calendars()
    ]
    if json_out:
        print_json(rows)
        return
    for row in rows:
        row["missing"] = ", ".join(str(y) for y in row["missing_years"]) or ""
    print_table(
        rows,
        [
            ("name", N_("NAME")),
            ("title", N_("TITLE")),
            ("timezone", N_("TIME ZONE")),
            ("holidays_for", N_("HOLIDAYS FOR")),
            ("missing", N_("NO DATA FOR")),
        ],
        empty=N_("no calendars"),
    )
    for found in missing.values():
        warn(found.message)


@app.command()
def show(
    name: Annotated[str, typer.Argument(help="Calendar name, e.g. china-business.", show_default=False)],
    month: Annotated[str, typer.Option("--month", help="YYYY-MM, e.g. 2026-10.", show_default=False)],
    json_out: JsonOption = False,
) -> None:
    """A month of a calendar: each day, working or not, and its hours. A day of a year without
    holiday data is marked `work?` (kind `unknown` in JSON).

    \b
    Examples:
      xhsvc calendar show china-business --month 2026-10
      xhsvc calendar show 7x24 --month 2027-02 --json
    """
    days = core.month_days(name=name, month=month)
    missing = core.missing_for(name, {day["date"].year for day in days if day["kind"] == "unknown"})
    if missing:
        warn(missing.message)
    if json_out:
        print_json(days)
        return
    from rich.cells import cell_len

    marks = {
        "off": pgettext("day", "off"),
        "unknown": pgettext("day", "work?"),
        "work": pgettext("day", "work"),
    }
    # The marks line up: each is padded to the widest (in terminal cells, for Chinese).
    wide = max(cell_len(mark) for mark in marks.values())
    for day in days:
        kind = "off" if not day["working"] else "unknown" if day["kind"] == "unknown" else "work"
        mark = fit_cell(marks[kind], wide)
        why = day["holiday"] or ""
        say(f"{day['date']}  {day['weekday']}  {mark}  {' '.join(day['hours']):<24} {why}".rstrip())


@app.command()
def check(
    ctx: typer.Context,
    within: Annotated[str, typer.Option("--within", help="How far ahead to look, e.g. 60d or 8w.")] = "60d",
    json_out: JsonOption = False,
) -> None:
    """Check that every calendar has its public holidays (for a nightly job). Exit 1 if a calendar
    has none for a year from today to `--within` ahead (every weekday of such a year would count
    as working time).

    \b
    Examples:
      xhsvc calendar check
      xhsvc calendar check --within 90d
    """
    from xhsvc.core.durations import parse_within

    missing = core.missing_holidays(today=_today(ctx), within_days=parse_within(within))
    if json_out:
        print_json([m.as_dict() for m in missing])
    else:
        for found in missing:
            say(found.message)
        if not missing:
            say(_("every calendar has its public holidays for the next {period}").format(period=within))
    if missing:
        raise typer.Exit(1)
