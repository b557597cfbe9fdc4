"""Work logs: who may log time, what a duration may be, and totals counted by hand on a small
desk. The test clock stands at 2026-11-20 10:00 in Shanghai (02:00 UTC)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from tests.conftest import CONTRACT, CUSTOMER, MakeCtx
from xhsvc.core import customers, ticket_views, tickets, visits, worklogs
from xhsvc.errors import InvalidInput, NotAllowed, NotFound
from xhsvc.store.tables import Event, WorkLog

OTHER = "四川省教育考试院"  # a customer with no contract: its calls are out of contract


def _count(desk: MakeCtx) -> int:
    with desk("admin").db.read() as conn:
        return conn.execute(select(func.count()).select_from(WorkLog.__table__)).scalar_one()


@pytest.fixture
def work(desk: MakeCtx, clock) -> dict[str, str]:
    """A covered ticket, an out-of-contract one and an inspection visit, with time logged on
    each by hand-counted amounts."""
    agent = desk("wangfang")
    customers.add_customer(agent, name=OTHER, region="成都")
    covered = tickets.open_ticket(agent, customer=CUSTOMER, title="控制器告警").ticket.key
    outside = tickets.open_ticket(agent, customer=OTHER, title="磁盘故障").ticket.key
    tickets.assign_ticket(agent, key=covered, assignee="lijun")
    visit = visits.add_visit(agent, contract=CONTRACT, kind="training", on="2026-11-25").key
    worklogs.log_work(desk("lijun"), key=covered, duration="1h30m", kind="remote", note="远程检查")
    worklogs.log_work(desk("lijun"), key=covered, duration="45m", kind="travel")
    worklogs.log_work(desk("wuhao"), key=outside, duration="2h", kind="onsite")
    worklogs.log_work(desk("sunli"), key=outside, duration="90m", kind="remote")
    worklogs.log_work(desk("lijun"), key=visit, duration="3h", kind="onsite")
    # Done last month: left out of November's totals.
    worklogs.log_work(desk("zhoujian"), key=outside, duration="1h", kind="remote", at="2026-10-31 23:30")
    return {"covered": covered, "outside": outside, "visit": visit}


def test_an_engineer_logs_time_on_a_ticket(desk: MakeCtx, clock) -> None:
    key = tickets.open_ticket(desk("wangfang"), customer=CUSTOMER, title="快照告警").ticket.key
    entry = worklogs.log_work(desk("lijun"), key=key, duration="1h30m", kind="Onsite", note="更换电池")
    assert (entry["key"], entry["person"], entry["kind"], entry["minutes"]) == (key, "lijun", "onsite", 90)
    assert entry["started_at"] == clock.now and entry["hours"] == 1.5
    assert entry["customer"] == CUSTOMER and entry["contract"] == CONTRACT
    # Recorded in the hash-chained log, in the ticket's history.
    history = ticket_views.ticket_history(desk("wangfang"), key=key)
    assert history[-1]["summary"] == f"90 min of onsite work logged by lijun on {key}"
    with desk("admin").db.read() as conn:
        kinds = conn.execute(select(Event.__table__.c.kind).where(Event.__table__.c.entity == "work_log"))
        assert list(kinds.scalars()) == ["work_log.logged"]


@pytest.mark.parametrize("handle", ["lijun", "wuhao", "sunli", "zhoujian", "admin"])
def test_engineers_experts_managers_and_admins_log_time(desk: MakeCtx, handle: str) -> None:
    key = tickets.open_ticket(desk("wangfang"), customer=CUSTOMER, title="告警").ticket.key
    assert worklogs.log_work(desk(handle), key=key, duration="15m", kind="remote")["person"] == handle


def test_an_agent_may_not_log_time_and_nothing_is_written(desk: MakeCtx) -> None:
    key = tickets.open_ticket(desk("wangfang"), customer=CUSTOMER, title="告警").ticket.key
    with pytest.raises(NotAllowed, match="wangfang is agent"):
        worklogs.log_work(desk("wangfang"), key=key, duration="1h", kind="remote")
    assert _count(desk) == 0


def test_a_cancelled_ticket_takes_no_time_a_closed_one_does(desk: MakeCtx) -> None:
    agent = desk("wangfang")
    key = tickets.open_ticket(agent, customer=CUSTOMER, title="误开").ticket.key
    tickets.cancel_ticket(agent, key=key, reason="重复工单")
    with pytest.raises(NotAllowed, match="cancelled"):
        worklogs.log_work(desk("lijun"), key=key, duration="1h", kind="remote")
    done = tickets.open_ticket(agent, customer=CUSTOMER, title="告警").ticket.key
    tickets.assign_ticket(agent, key=done, assignee="lijun")
    tickets.respond_ticket(desk("lijun"), key=done)
    tickets.resolve_ticket(desk("lijun"), key=done, resolution="重启控制器")
    tickets.close_ticket(agent, key=done)
    assert worklogs.log_work(desk("lijun"), key=done, duration="20m", kind="remote")["minutes"] == 20


@pytest.mark.parametrize(
    ("duration", "message"),
    [
        ("0m", "more than 0 minutes"),
        ("0", "more than 0 minutes"),
        ("25h", "at most 24h"),
        ("1d1m", "at most 24h"),
        ("1.5h", "not a duration"),
        ("-1h", "not a duration"),
        ("", "not a duration"),
        ("一小时", "not a duration"),
    ],
)
def test_bad_durations_are_refused(desk: MakeCtx, duration: str, message: str) -> None:
    key = tickets.open_ticket(desk("wangfang"), customer=CUSTOMER, title="告警").ticket.key
    with pytest.raises(InvalidInput, match=message):
        worklogs.log_work(desk("lijun"), key=key, duration=duration, kind="remote")
    assert _count(desk) == 0


@pytest.mark.parametrize(("duration", "minutes"), [("1h30m", 90), ("90m", 90), ("2h", 120), ("24h", 1440)])
def test_durations_as_typed(desk: MakeCtx, duration: str, minutes: int) -> None:
    key = tickets.open_ticket(desk("wangfang"), customer=CUSTOMER, title="告警").ticket.key
    assert worklogs.log_work(desk("lijun"), key=key, duration=duration, kind="remote")["minutes"] == minutes


def test_bad_kind_key_and_time_are_refused(desk: MakeCtx) -> None:
    key = tickets.open_ticket(desk("wangfang"), customer=CUSTOMER, title="告警").ticket.key
    lijun = desk("lijun")
    with pytest.raises(InvalidInput, match="kind 'phone': must be one of remote, onsite, travel"):
        worklogs.log_work(lijun, key=key, duration="1h", kind="phone")
    with pytest.raises(NotFound, match="ticket 'XH-999999' not found"):
        worklogs.log_work(lijun, key="XH-999999", duration="1h", kind="remote")
    with pytest.raises(NotFound, match="visit 'XH-V99999' not found"):
        worklogs.log_work(lijun, key="XH-V99999", duration="1h", kind="remote")
    with pytest.raises(InvalidInput, match="in the future"):
        worklogs.log_work(lijun, key=key, duration="1h", kind="remote", at="2026-11-21 09:00")
    with pytest.raises(InvalidInput, match="within 31 days"):
        worklogs.log_work(lijun, key=key, duration="1h", kind="remote", at="2026-09-01 09:00")
    assert _count(desk) == 0


def test_when_the_work_was_done(desk: MakeCtx) -> None:
    key = tickets.open_ticket(desk("wangfang"), customer=CUSTOMER, title="告警").ticket.key
    entry = worklogs.log_work(desk("lijun"), key=key, duration="1h", kind="onsite", at="2026-11-19 14:00")
    assert entry["started_at"] == datetime(2026, 11, 19, 6, 0, tzinfo=UTC)  # 14:00 in Shanghai


def test_time_on_a_visit(desk: MakeCtx, work: dict[str, str]) -> None:
    rows = worklogs.list_work(desk("wangfang"), key=work["visit"].lower())
    assert [(r["key"], r["on"], r["minutes"], r["contract"]) for r in rows] == [
        (work["visit"], "visit", 180, CONTRACT)
    ]


def test_listing_by_ticket_person_customer_and_month(desk: MakeCtx, work: dict[str, str]) -> None:
    ctx = desk("wangfang")
    assert [r["minutes"] for r in worklogs.list_work(ctx, key=work["covered"])] == [90, 45]
    assert [r["minutes"] for r in worklogs.list_work(ctx, person="lijun")] == [90, 45, 180]
    assert sorted(r["minutes"] for r in worklogs.list_work(ctx, customer=OTHER)) == [60, 90, 120]
    assert sorted(r["minutes"] for r in worklogs.list_work(ctx, customer=OTHER, month="2026-11")) == [90, 120]
    assert [r["minutes"] for r in worklogs.list_work(ctx, month="2026-10")] == [60]
    assert [r["minutes"] for r in worklogs.list_work(ctx, contract=CONTRACT)] == [90, 45, 180]
    with pytest.raises(InvalidInput, match="month '2026-13': use YYYY-MM"):
        worklogs.list_work(ctx, month="2026-13")
    with pytest.raises(NotFound, match="person 'nobody' not found"):
        worklogs.list_work(ctx, person="nobody")


def test_totals_counted_by_hand(desk: MakeCtx, work: dict[str, str]) -> None:
    ctx = desk("zhoujian")
    by_engineer = worklogs.work_totals(ctx, by="engineer", month="2026-11")
    assert [
        (r["group"], r["entries"], r["minutes"], r["remote"], r["onsite"], r["travel"]) for r in by_engineer
    ] == [
        ("lijun", 3, 315, 90, 180, 45),
        ("wuhao", 1, 120, 0, 120, 0),
        ("sunli", 1, 90, 90, 0, 0),
    ]
    by_ticket = worklogs.work_totals(ctx, by="ticket", month="2026-11")
    assert [(r["group"], r["minutes"]) for r in by_ticket] == [
        (work["outside"], 210),
        (work["visit"], 180),
        (work["covered"], 135),
    ]
    by_customer = worklogs.work_totals(ctx, by="customer")
    assert [(r["group"], r["minutes"], r["hours"]) for r in by_customer] == [
        (CUSTOMER, 315, 5.25),
        (OTHER, 270, 4.5),
    ]


def test_totals_by_contract_put_work_out_of_contract_apart(desk: MakeCtx, work: dict[str, str]) -> None:
    ctx = desk("zhoujian")
    rows = worklogs.work_totals(ctx, by="Contract")
    assert [(r["group"], r["customer"], r["minutes"]) for r in rows] == [
        (CONTRACT, CUSTOMER, 315),
        (None, OTHER, 270),
    ]
    billed = worklogs.work_totals(ctx, by="contract", month="2026-11", out_of_contract=True)
    assert [(r["group"], r["customer"], r["minutes"]) for r in billed] == [(None, OTHER, 210)]
    with pytest.raises(InvalidInput, match="by 'site': must be one of ticket, engineer, customer, contract"):
        worklogs.work_totals(ctx, by="site")


def test_export_for_billing(desk: MakeCtx, work: dict[str, str]) -> None:
    ctx = desk("zhoujian")
    rows = worklogs.export_work(ctx, month="2026-11", out_of_contract=True)
    assert [(r["key"], r["person"], r["kind"], r["minutes"], r["contract"]) for r in rows] == [
        (work["outside"], "wuhao", "onsite", 120, None),
        (work["outside"], "sunli", "remote", 90, None),
    ]
    text = worklogs.to_csv(ctx, rows, bom=True)
    assert text.startswith("\ufeffkey,customer,contract,person,")
    read = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert read[0]["started_at"] == "2026-11-20T10:00+08:00" and read[0]["hours"] == "2.0"
    assert read[1]["contract"] == "" and read[1]["minutes"] == "90"


def test_a_note_that_looks_like_a_formula_is_guarded_in_csv(desk: MakeCtx) -> None:
    key = tickets.open_ticket(desk("wangfang"), customer=CUSTOMER, title="告警").ticket.key
    worklogs.log_work(desk("lijun"), key=key, duration="1h", kind="remote", note="=1+1")
    ctx = desk("lijun")
    text = worklogs.to_csv(ctx, worklogs.export_work(ctx))
    assert text.splitlines()[1].endswith(",'=1+1")
    with pytest.raises(InvalidInput, match="note: must not contain control characters"):
        worklogs.log_work(desk("lijun"), key=key, duration="1h", kind="remote", note="a\x1b[31m")
