"""An inspection as the engineer and the desk run it through the installed command."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.e2e.test_installed_command import run, run_json

ANSWERS = """\
"plan.scope" = "XS-8000 全闪存阵列，主院区机房"
"plan.window" = "ok"
"firmware.controller_version" = "V4.0.2"
"firmware.controller" = "fail"
"firmware.disk" = "ok"
"firmware.hba" = "ok"
"firmware.multipath" = "ok"
"summary.overall" = "存在风险 at risk"

[environment]
temperature = 24.5
humidity = 45
power = "ok"
cabinet = "良好 good"

[config]
raid = "ok"
hot_spares = 2
multipath_paths = "ok"

[network]
latency = 4.8
errors = 0

[capacity]
used_tb = 93
total_tb = 100
growth_tb_month = 5

[notes]
"firmware.controller" = "V4.0.2，推荐 V4.2.1：已知缓存缺陷"
"""


def test_a_year_of_inspections_one_filled_from_a_file(use_db: str, tmp_path: Path) -> None:
    run("init", "--id", "admin", "--name", "系统管理员", "--role", "admin")
    run("person", "add", "lijun", "--name", "李军", "--role", "engineer", "--tier", "L1")
    run("person", "add", "wangfang", "--name", "王芳", "--role", "agent")
    run("init", "--id", "wangfang", "--name", "王芳", "--role", "agent")
    run("customer", "add", "浙江省第一人民医院", "--region", "杭州")
    run(
        "site",
        "add",
        "主院区机房",
        "--customer",
        "浙江省第一人民医院",
        "--city",
        "杭州",
        "--address",
        "解放路88号",
    )
    run(
        "asset",
        "add",
        "--customer",
        "浙江省第一人民医院",
        "--model",
        "XS-8000",
        "--serial",
        "XS8K-2024-00052",
        "--site",
        "主院区机房",
    )
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    year = today.year + 1
    run(
        "contract", "add", "HT-G", "--customer", "浙江省第一人民医院", "--level", "gold",
        "--start", str(today - timedelta(days=10)), "--end", f"{year}-12-31",
    )  # fmt: skip

    planned = run_json("visit", "plan", "--contract", "HT-G", "--year", str(year))
    assert [v["planned_for"][:7] for v in planned] == [f"{year}-02", f"{year}-05", f"{year}-08", f"{year}-11"]
    assert planned[0]["items"][0]["id"] == "plan.scope"
    assert {"id", "section", "kind", "choices", "thresholds", "value"} <= set(planned[0]["items"][1])

    key = planned[0]["key"]
    run("visit", "assign", key, "lijun")
    run("--as", "lijun", "visit", "start", key)
    bad = tmp_path / "bad.toml"
    bad.write_text('"environment.temperature" = "warm"\n"firmware.bios" = "ok"\n', encoding="utf-8")
    refused = run("--as", "lijun", "visit", "fill", key, "--from", str(bad), check=False)
    assert refused.returncode == 2 and "a number in °C is needed" in refused.stderr
    answers = tmp_path / "answers.toml"
    answers.write_text(ANSWERS, encoding="utf-8")
    filled = run("--as", "lijun", "visit", "fill", key, "--from", str(answers)).stdout
    assert "firmware.controller [fail]" in filled and "capacity.days_until_full [fail]" in filled
    completed = run(
        "--as",
        "lijun",
        "visit",
        "complete",
        key,
        "--open-tickets",
        "firmware.controller",
        "--summary",
        "需升级固件并扩容",
    )
    assert "follow-up XH-000001" in completed.stdout

    shown = run_json("visit", "show", key)
    assert shown["status"] == "completed"
    assert [(f["item"], f["ticket"]) for f in shown["findings"]][:2] == [
        ("firmware.controller", "XH-000001"),
        ("capacity.days_until_full", None),
    ]
    assert run_json("ticket", "show", "XH-000001")["from_visit"]["visit"] == key
    assert run_json("contract", "usage", "HT-G")["entitlements"]["inspections"]["used"] == 1

    report = tmp_path / "report.html"
    run("visit", "report", key, "--format", "html", "-o", str(report))
    html = report.read_text(encoding="utf-8")
    assert "V4.0.2，推荐 V4.2.1" in html and "XS8K-2024-00052" in html and "@media print" in html
    assert "巡检总结报告与系统优化建议" in run("visit", "report", key).stdout

    drill = run_json("visit", "add", "--contract", "HT-G", "--kind", "dr_drill", "--date", str(today))
    assert drill["template"] == "dr-drill"
    assert run_json("visit", "due", "--within", "14d")[0]["key"] == drill["key"]
