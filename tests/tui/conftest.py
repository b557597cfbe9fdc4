from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import CUSTOMER, MakeCtx
from xhsvc.core import approvals, customers, tickets
from xhsvc.tui.app import XhsvcApp

SIZE = (120, 36)

# tests/tui/zh holds the Chinese snapshots: test_in_chinese.py runs them in a pytest of their own,
# started in Chinese (module-level labels are translated when the dashboard's modules load).
collect_ignore = [] if os.environ.get("XHSVC_TEST_LANGUAGE") == "zh_CN" else ["zh"]


@pytest.fixture
def queue(desk: MakeCtx, clock) -> dict[str, str]:
    """A few tickets at different stages: a P1 call, a P3 one waiting, a tier-2 on-site request."""
    agent = desk("wangfang")
    customers.add_contact(agent, customer=CUSTOMER, name="陈主任", phone="0571-8723 5001", role="信息科主任")
    urgent = tickets.open_ticket(
        agent, customer=CUSTOMER, title="双活集群中断", impact=2, urgency=1
    ).ticket.key
    clock.advance(minutes=5)
    routine = tickets.open_ticket(
        agent, customer=CUSTOMER, title="快照空间告警", impact=3, urgency=3
    ).ticket.key
    clock.advance(minutes=5)
    onsite = tickets.open_ticket(
        agent, customer=CUSTOMER, title="复制链路中断", impact=2, urgency=2
    ).ticket.key
    tickets.assign_ticket(agent, key=onsite, assignee="lijun")
    approvals.escalate_ticket(desk("lijun"), key=onsite, to="L2", reason="复制软件缺陷")
    approvals.approve_request(agent, key=onsite, assign="wuhao")
    tickets.respond_ticket(desk("wuhao"), key=onsite)
    approvals.request_onsite(desk("wuhao"), key=onsite, reason="需二线到现场")
    clock.advance(minutes=10)
    return {"urgent": urgent, "routine": routine, "onsite": onsite}


@pytest.fixture
def make_app(desk: MakeCtx) -> Callable[..., XhsvcApp]:
    """The dashboard acting as someone, on the test clock, its filter kept in `saved`."""
    saved: dict[str, Any] = {}

    def make(handle: str = "wangfang", **kw: Any) -> XhsvcApp:
        app = XhsvcApp(
            desk(handle),
            load_filter=lambda: dict(saved),
            save_filter=lambda chosen: (saved.clear(), saved.update(chosen)),
            refresh_seconds=kw.pop("refresh_seconds", 60),
            show_clock=False,
        )
        app.saved_filter = saved  # type: ignore[attr-defined]
        return app

    return make
