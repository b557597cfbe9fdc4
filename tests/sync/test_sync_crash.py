"""A crash in the middle of an import (kill -9) leaves the center as it was; the same bundle
imported again then applies whole."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from tests.conftest import CUSTOMER, FixedClock, MakeCtx
from tests.e2e.test_installed_command import XHSVC
from tests.sync.conftest import MakeLaptop
from xhsvc.core import sync, tickets
from xhsvc.store import queries
from xhsvc.store.events import Change, Origin, append_many


def _read_so_far(pid: int) -> int:
    for line in Path(f"/proc/{pid}/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    return 0


def test_kill_9_mid_import_changes_nothing(
    desk: MakeCtx, laptop: MakeLaptop, clock: FixedClock, db_url: str, tmp_path: Path
) -> None:
    key = tickets.open_ticket(desk("wangfang"), customer=CUSTOMER, title="控制器告警").ticket.key
    machine = laptop("wangfang")
    sync.sync_with_center(machine.ctx())
    with machine.db.read() as conn:
        found = queries.get_ticket(conn, key)
        assert found is not None
        ticket_id = found.id
    origin = Origin(actor="wangfang", at=clock.now, node=machine.db.node_id, ran_by="os:test")
    with machine.db.write() as conn:
        append_many(
            conn,
            origin,
            [
                Change(
                    "ticket",
                    ticket_id,
                    "ticket.commented",
                    {"set": {"updated_at": clock.now}, "text": f"记录 {n}"},
                    ticket_id,
                )
                for n in range(6000)
            ],
        )
    bundle = tmp_path / "big.xhb"
    sync.export_bundle(machine.ctx(), target=bundle)
    with desk("wangfang").reading() as tx:
        before = queries.state_snapshot(tx.conn), len(queries.ticket_events(tx.conn, ticket_id))
    env = {**os.environ, "XHSVC_DB": db_url}
    proc = subprocess.Popen(
        [XHSVC, "sync", "import", str(bundle)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 30
    while (
        proc.poll() is None and _read_so_far(proc.pid) < bundle.stat().st_size and time.monotonic() < deadline
    ):
        time.sleep(0.01)
    time.sleep(0.15)  # checking and writing
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL, "the import finished before it could be killed"
    with desk("wangfang").reading() as tx:
        after = queries.state_snapshot(tx.conn), len(queries.ticket_events(tx.conn, ticket_id))
    assert after == before
    assert sync.import_bundle(desk("zhoujian"), source=bundle)["new"] == 6000
