"""The nightly job as cron runs it: a late-recorded call, the sweep, a second sweep, delivery."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.e2e.test_installed_command import run, run_json


def test_sweep_and_flush_from_cron(use_db: str, tmp_path: Path) -> None:
    run("init", "--id", "admin", "--name", "系统管理员", "--role", "admin")
    run("person", "add", "zhoujian", "--name", "周建", "--role", "manager", "--email", "zhou@example.cn")
    run("person", "add", "wangfang", "--name", "王芳", "--role", "agent")
    run("init", "--id", "wangfang", "--name", "王芳", "--role", "agent")
    run("customer", "add", "浙江省第一人民医院", "--region", "杭州")
    today = datetime.now(ZoneInfo("Asia/Shanghai"))
    run(
        "contract", "add", "HT-A", "--customer", "浙江省第一人民医院", "--level", "gold",
        "--start", str((today - timedelta(days=30)).date()), "--end", str((today + timedelta(days=300)).date()),
    )  # fmt: skip
    called = (today - timedelta(hours=2, minutes=30)).strftime("%Y-%m-%d %H:%M")
    key = run(
        "ticket", "open", "--customer", "浙江省第一人民医院", "--title", "夜间告警", "--reported-at", called
    )
    key = key.stdout.strip()
    response = run_json("ticket", "show", key)["clocks"][0]
    assert (response["target"], response["state"]) == ("response", "breached")  # gold P3: 2h

    swept = run_json("sla", "sweep")
    assert [f["rule"] for f in swept["fired"]] == ["response-warning", "response-breached"]
    assert swept["breached"][0]["ticket"] == key
    assert run_json("sla", "sweep")["fired"] == []  # cron runs it again a minute later

    sent = tmp_path / "sent.log"
    run(
        "config",
        "set",
        "notify.command",
        f'echo "$XHSVC_TO <$XHSVC_TO_EMAIL> $XHSVC_TICKET $XHSVC_REASON" >> {sent}',
    )
    assert run("notify", "flush").stdout.strip() == "3 delivered, 0 failed"
    assert f"zhoujian <zhou@example.cn> {key} sla_rule" in sent.read_text(encoding="utf-8").splitlines()
    assert run("notify", "flush").stdout.strip() == "0 delivered, 0 failed"
