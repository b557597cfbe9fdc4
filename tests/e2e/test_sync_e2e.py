"""The engineer's day with the installed command: a center and two laptops, each its own
XHSVC_HOME; direct sync, bundles on a stick, a conflict resolved, bad bundles refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.e2e.test_installed_command import run


def _laptop(tmp_path: Path, name: str) -> dict[str, str]:
    home = tmp_path / name
    home.mkdir()
    return {"XHSVC_HOME": str(home), "XHSVC_DB": f"sqlite:///{home / 'xhsvc.db'}"}


def _json(*args: str, env: dict[str, str] | None = None) -> Any:
    return json.loads(run(*args, "--json", env=env).stdout)


def test_the_engineers_day(use_db: str, tmp_path: Path) -> None:
    run("demo")
    lijun = _laptop(tmp_path, "lijun")
    zhangwei = _laptop(tmp_path, "zhangwei")
    token = _json("--as", "zhoujian", "sync", "node", "add", "lijun-laptop", "--person", "lijun")["token"]
    other = _json("--as", "zhoujian", "sync", "node", "add", "zhangwei-laptop", "--person", "zhangwei")[
        "token"
    ]
    assert "joined as lijun-laptop" in run("sync", "join", token, "--center", use_db, env=lijun).stdout
    run("sync", "join", other, env=zhangwei)  # bundles only

    # In the office: the first sync brings people, customers, contracts and lijun's region's tickets.
    assert _json("sync", env=lijun)["received"] > 100
    center_queue = _json("ticket", "list", "--all", "--limit", "0")
    mine = _json("ticket", "list", "--all", "--limit", "0", env=lijun)
    assert 0 < len(mine) < len(center_queue)
    assert {t["customer"] for t in mine} <= {t["customer"] for t in center_queue}
    assert run("lookup", "华信", env=lijun).returncode == 0
    key = next(t["key"] for t in mine if t["assignee"] == "lijun" and t["status"] == "assigned")

    # At the site, offline: the center's URL is gone; everything goes into the laptop's log.
    offline = {**lijun}
    run("ticket", "respond", key, "--note", "已到机房", env=offline)
    run("ticket", "comment", key, "控制器B日志已收集", env=offline)
    run("ticket", "wait", key, "--reason", "等客户停机窗口", env=offline)
    run("ticket", "resume", key, env=offline)
    run("ticket", "resolve", key, "--resolution", "更换控制器B电池", env=offline)
    run("ticket", "confirm", key, "--by", "陈主任", env=offline)
    found = _json(
        "ticket",
        "open",
        "-c",
        "浙江省第一人民医院",
        "-t",
        "现场发现一块硬盘预警",
        "--channel",
        "direct",
        env=offline,
    )
    assert found["key"].startswith("LIJUN-")
    status = _json("sync", "status", env=offline)
    assert status["role"] == "laptop" and status["waiting"] > 0
    assert run("sla", "sweep", env=offline, check=False).returncode == 4

    # No network for a week: a bundle on a stick, imported at the center, twice (the second is a no-op).
    stick = tmp_path / "lijun.xhb"
    run("sync", "export", "-o", str(stick), env=offline)
    first = _json("sync", "import", str(stick))
    again = _json("sync", "import", str(stick))
    assert first["new"] > 0 and again["new"] == 0
    shown = _json("ticket", "show", key)
    assert shown["status"] == "resolved" and shown["confirmed_by"] == "陈主任"
    assert _json("ticket", "show", found["key"])["opened_by"] == "lijun"

    # Both sides change the same ticket's urgency at once: one wins everywhere, the other is kept.
    run("--as", "zhoujian", "ticket", "priority", found["key"], "--urgency", "4", "--reason", "不急")
    run("ticket", "priority", found["key"], "--urgency", "1", "--reason", "客户催", env=offline)
    assert _json("sync", env=lijun)["conflicts"] >= 1
    listed = _json("sync", "conflicts", env=lijun)
    assert {c["field"] for c in listed} >= {"urgency"}
    assert _json("sync", "conflicts") == listed
    shown_text = run("ticket", "show", found["key"], env=lijun)
    assert "conflict" in shown_text.stderr
    urgency = next(c for c in listed if c["field"] == "urgency")
    run("--as", "zhoujian", "sync", "resolve", urgency["id"], "--take", "lost")
    run("sync", env=lijun)
    assert _json("ticket", "show", found["key"], env=lijun)["urgency"] == urgency["lost"]
    assert all(c["field"] != "urgency" for c in _json("sync", "conflicts", env=lijun))

    # A bundle meant for another laptop, or damaged on the way, is refused whole with one line.
    back = tmp_path / "zhangwei.xhb"
    run("--as", "zhoujian", "sync", "export", "--for", "zhangwei-laptop", "-o", str(back))
    refused = run("sync", "import", str(back), env=lijun, check=False)
    assert refused.returncode in (2, 4) and len(refused.stderr.strip().splitlines()) == 1
    damaged = tmp_path / "damaged.xhb"
    damaged.write_bytes(stick.read_bytes()[:-40])
    broken = run("sync", "import", str(damaged), check=False)
    assert broken.returncode == 2 and "cut short" in broken.stderr
    assert "Traceback" not in refused.stderr + broken.stderr
    assert "new" in run("sync", "import", str(back), env=zhangwei).stdout
    assert run("db", "verify", env=lijun).returncode == 0
    assert run("db", "verify").returncode == 0
