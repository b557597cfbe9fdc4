"""Work logs: the time an engineer spends on a ticket or a visit (remote, on site, travelling),
with who, when and how long; the totals a manager reads and the export the desk bills from.

An entry is one event in the log like any other change (so it syncs from a laptop offline), and
it is only ever added: a wrong entry is corrected by a note on the ticket, not rewritten.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from xhsvc.core.clock import as_utc, check_year
from xhsvc.core.clock import parse_instant as parse_typed_instant
from xhsvc.core.context import Context, Tx
from xhsvc.core.csv_files import guard_cell, write_csv
from xhsvc.core.customers import find_customer
from xhsvc.core.durations import parse_duration
from xhsvc.core.said import said
from xhsvc.core.text import MULTI_LINE, clean_text, one_of
from xhsvc.errors import InvalidInput, NotAllowed, NotFound
from xhsvc.i18n import N_, _
from xhsvc.store import events, queries, worklog_queries
from xhsvc.store.ids import new_id
from xhsvc.store.tables import Ticket, Visit

KINDS = worklog_queries.KINDS
# What each kind is called where people read it.
KIND_LABELS = {"remote": N_("remote work"), "onsite": N_("on-site work"), "travel": N_("travel")}
TOTALS_BY = tuple(worklog_queries.GROUPS)
# Who records time: the people who do the work, and those who run them. Agents take calls.
LOGGERS = ("engineer", "expert", "manager", "admin")
# One entry is one stretch of work: a longer one is logged a day at a time.
MAX_ENTRY_MINUTES = 24 * 60
# Work is logged soon after it is done: within a month (the billing period), never ahead.
MAX_BACKDATE_DAYS = 31
# A visit's key (XH-V00012); a ticket's is XH-000012.
_VISIT_KEY = re.compile(r".+-V\d+", re.IGNORECASE)
_MONTH = re.compile(r"(\d{4})-(\d{2})")

# The columns of the billing export, in order.
EXPORT_COLUMNS = (
    "key",
    "customer",
    "contract",
    "person",
    "person_name",
    "kind",
    "started_at",
    "minutes",
    "hours",
    "note",
)


def _minutes(duration: str) -> int:
    try:
        minutes = parse_duration(duration).in_minutes()
    except ValueError as e:
        raise InvalidInput(_("duration: {error}").format(error=e)) from None
    if minutes <= 0:
        raise InvalidInput(_("duration {value!r}: must be more than 0 minutes").format(value=duration))
    if minutes > MAX_ENTRY_MINUTES:
        raise InvalidInput(
            _("duration {value!r}: one entry is at most 24h; log each day on its own").format(value=duration)
        )
    return minutes


def work_time(ctx: Context, at: str | datetime | None, now: datetime) -> datetime:
    """When the work was done: now, or a moment typed as elsewhere; never ahead of the clock,
    and not more than MAX_BACKDATE_DAYS back."""
    if at is None:
        return now
    moment = (
        as_utc(at, ctx.settings.timezone)
        if isinstance(at, datetime)
        else parse_typed_instant(at, field="at", tz_name=ctx.settings.timezone, now=now)
    )
    if moment > now:
        raise InvalidInput(_("at {moment:%Y-%m-%d %H:%M} UTC: is in the future").format(moment=moment))
    if now - moment > timedelta(days=MAX_BACKDATE_DAYS):
        raise InvalidInput(
            _("at {moment:%Y-%m-%d %H:%M} UTC: work is logged within {days} days of doing it").format(
                moment=moment, days=MAX_BACKDATE_DAYS
            )
        )
    return moment


def _target(tx: Tx, key: str) -> Ticket | Visit:
    """The ticket or the visit a key names (locked: the entry is checked against it as it is)."""
    if _VISIT_KEY.fullmatch(key.strip()):
        visit = queries.get_visit(tx.conn, key.strip(), for_update=True)
        if visit is None:
            raise NotFound(_("visit {key!r} not found").format(key=key))
        return visit
    ticket = queries.get_ticket(tx.conn, key.strip(), for_update=True)
    if ticket is None:
        raise NotFound(_("ticket {key!r} not found").format(key=key))
    return ticket


def month_range(ctx: Context, month: str | None) -> tuple[datetime | None, datetime | None]:
    """The first instant of `month` (YYYY-MM, in the desk's time zone) and of the month after,
    in UTC; (None, None) for no month."""
    if month is None:
        return None, None
    match = _MONTH.fullmatch(month.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise InvalidInput(_("month {month!r}: use YYYY-MM, e.g. 2026-10").format(month=month))
    year, number = int(match.group(1)), int(match.group(2))
    check_year(year, "month", month)
    after = (year + 1, 1) if number == 12 else (year, number + 1)
    tz = ctx.settings.timezone
    return as_utc(datetime(year, number, 1), tz), as_utc(datetime(*after, 1), tz)


def _view(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "hours": round(row["minutes"] / 60, 2)}


# Writing ---------------------------------------------------------------------------------------


def log_work(
    ctx: Context,
    *,
    key: str,
    duration: str,
    kind: str,
    note: str | None = None,
    at: str | datetime | None = None,
) -> dict[str, Any]:
    """Record time spent on a ticket or a visit by the acting person: engineers and experts
    (whether or not it is theirs), managers and admins; agents do not. Any ticket but a
    cancelled one (work after the resolution or the close is still work), any visit but a
    cancelled one. Returns the entry as `list_work` shows it."""
    minutes = _minutes(duration)
    kind = one_of(kind, KINDS, "kind")
    text = clean_text(note, "note", required=False, limit=MULTI_LINE, multiline=True)
    with ctx.writing() as tx:
        me = tx.me()
        if me.role not in LOGGERS:
            raise NotAllowed(
                _("log: only {roles} may log work time; {handle} is {role}").format(
                    roles=_(" or ").join(LOGGERS), handle=me.handle, role=me.role
                )
            )
        started = work_time(ctx, at, tx.now)
        target = _target(tx, key)
        if target.status == "cancelled":
            raise NotAllowed(_("log: {key} is cancelled; no time is logged on it").format(key=target.key))
        on_ticket = isinstance(target, Ticket)
        log_id = new_id()
        events.append(
            tx.conn,
            tx.origin,
            entity="work_log",
            entity_id=log_id,
            ticket_id=target.id if on_ticket else None,
            kind="work_log.logged",
            payload={
                "create": {
                    "ticket_id": target.id if on_ticket else None,
                    "visit_id": None if on_ticket else target.id,
                    "person_id": me.id,
                    "kind": kind,
                    "minutes": minutes,
                    "started_at": started,
                    "note": text,
                    "created_at": tx.now,
                },
                **said(
                    N_("{minutes} min of {work} work logged by {person} on {key}"),
                    minutes=minutes,
                    work=kind,
                    person=me.handle,
                    key=target.key,
                ),
            },
        )
        return _view(worklog_queries.work_entries(tx.conn, log_id=log_id)[0])


# Reading ---------------------------------------------------------------------------------------


def _filters(
    tx: Tx,
    ctx: Context,
    *,
    key: str | None,
    person: str | None,
    customer: str | None,
    contract: str | None,
    month: str | None,
    out_of_contract: bool,
) -> dict[str, Any]:
    start, end = month_range(ctx, month)
    found: dict[str, Any] = {"start": start, "end": end, "out_of_contract": out_of_contract}
    if key is not None:
        target = _target(tx, key)
        found["ticket_id" if isinstance(target, Ticket) else "visit_id"] = target.id
    if person is not None:
        someone = queries.get_person(tx.conn, person)
        if someone is None:
            raise NotFound(_("person {handle!r} not found").format(handle=person))
        found["person_id"] = someone.id
    if customer is not None:
        found["customer_id"] = find_customer(tx, customer).id
    if contract is not None:
        agreement = queries.get_contract(tx.conn, contract)
        if agreement is None:
            raise NotFound(_("contract {number!r} not found").format(number=contract))
        found["contract_id"] = agreement.id
    return found


def list_work(
    ctx: Context,
    *,
    key: str | None = None,
    person: str | None = None,
    customer: str | None = None,
    contract: str | None = None,
    month: str | None = None,
    out_of_contract: bool = False,
) -> list[dict[str, Any]]:
    """Entries, oldest first: of a ticket or visit, a person, a customer or a contract, in a
    month (YYYY-MM, the desk's time zone), or only those out of contract."""
    with ctx.reading() as tx:
        filters = _filters(
            tx,
            ctx,
            key=key,
            person=person,
            customer=customer,
            contract=contract,
            month=month,
            out_of_contract=out_of_contract,
        )
        return [_view(row) for row in worklog_queries.work_entries(tx.conn, **filters)]


def work_totals(
    ctx: Context, *, by: str, month: str | None = None, out_of_contract: bool = False
) -> list[dict[str, Any]]:
    """Minutes logged per ticket (or visit), engineer, customer or contract, in all and per
    kind, most first. By contract, work on tickets no contract covered is the group None."""
    by = one_of(by, TOTALS_BY, "by")
    with ctx.reading() as tx:
        start, end = month_range(ctx, month)
        rows = worklog_queries.work_totals(
            tx.conn, by=by, start=start, end=end, out_of_contract=out_of_contract
        )
    return [_view(row) for row in rows]


def export_work(
    ctx: Context, *, month: str | None = None, out_of_contract: bool = False
) -> list[dict[str, Any]]:
    """The entries for billing, with the columns of EXPORT_COLUMNS."""
    rows = list_work(ctx, month=month, out_of_contract=out_of_contract)
    return [{name: row[name] for name in EXPORT_COLUMNS} for row in rows]


def to_csv(ctx: Context, rows: list[dict[str, Any]], *, bom: bool = False) -> str:
    """The export as CSV: times in the desk's time zone (ISO, with the offset); a text cell a
    spreadsheet would run as a formula is guarded (csv_files.guard_cell)."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(ctx.settings.timezone)

    def cell(_column: str, value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return value.astimezone(zone).isoformat(timespec="minutes")
        return guard_cell(value) if isinstance(value, str) else value

    return write_csv(list(EXPORT_COLUMNS), rows, cell=cell, bom=bom)
