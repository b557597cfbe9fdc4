"""Contracts as a new user meets them: import a spreadsheet, look a caller up, open tickets for a
covered and an expired customer, try to approve on-site work for each, read usage and expiry."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.e2e.test_installed_command import run, run_json


def test_contracts_from_csv_to_on_site_approval(use_db: str, tmp_path: Path) -> None:
    run("init", "--id", "admin", "--name", "系统管理员", "--role", "admin")
    for handle, name, role, tier in [
        ("zhoujian", "周建", "manager", None),
        ("lijun", "李军", "engineer", "L1"),
    ]:
        run("person", "add", handle, "--name", name, "--role", role, *(["--tier", tier] if tier else []))
    run("init", "--id", "wangfang", "--name", "王芳", "--role", "agent")  # the agent's own desk

    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the desk's day, as xhsvc counts it
    files = {
        "customers": "name,region,industry\n浙江省第一人民医院,杭州,医疗\n北京华信证券数据中心,北京,金融\n,上海,物流\n",
        "contacts": "customer,name,phone,email,role\n浙江省第一人民医院,陈主任,0571-8723 5001,,信息科主任\n"
        "北京华信证券数据中心,李经理,010-67881234,li@huaxin.example.com,基础架构经理\n",
        "assets": "customer,serial,model,firmware,site\n浙江省第一人民医院,XS5K-2023-00117,XS-5000,V3.2.1,\n",
        "contracts": "number,term,customer,level,start,end,assets,notes\n"
        f"HT-A,1,浙江省第一人民医院,gold,{today - timedelta(days=200)},{today + timedelta(days=20)},XS5K-2023-00117,\n"
        f"HT-B,1,北京华信证券数据中心,gold,{today - timedelta(days=400)},{today - timedelta(days=35)},,到期未续\n",
    }
    for kind, text in files.items():
        (tmp_path / f"{kind}.csv").write_text(text, encoding="utf-8")

    bad = run("import", "customers", str(tmp_path / "customers.csv"), check=False)
    assert (
        bad.returncode == 2 and f"{tmp_path / 'customers.csv'}: line 4: name: must not be empty" in bad.stderr
    )
    assert run_json("customer", "list") == []
    run("import", "customers", str(tmp_path / "customers.csv"), "--skip-bad")
    for kind in ("contacts", "assets", "contracts"):
        run("import", kind, str(tmp_path / f"{kind}.csv"))

    caller = run_json("lookup", "87235001")
    assert [(c["customer"], c["covered"]) for c in caller] == [("浙江省第一人民医院", True)]
    assert caller[0]["assets"][0]["serial"] == "XS5K-2023-00117"

    keys = {}
    for name in ("浙江省第一人民医院", "北京华信证券数据中心"):
        opened = run("ticket", "open", "--customer", name, "--title", "阵列告警", "--impact", "2")
        keys[name] = opened.stdout.strip()
        run("ticket", "assign", keys[name], "lijun")
        run("--as", "lijun", "ticket", "respond", keys[name])
        run("--as", "lijun", "ticket", "onsite", keys[name], "--reason", "需现场更换部件")
    assert "out of contract" not in run("ticket", "show", keys["浙江省第一人民医院"]).stdout.lower()
    expired_view = run_json("ticket", "show", keys["北京华信证券数据中心"])
    assert (expired_view["in_contract"], expired_view["coverage"]) == (False, "expired")

    run("ticket", "approve", keys["浙江省第一人民医院"])
    refused = run("ticket", "approve", keys["北京华信证券数据中心"], check=False)
    assert refused.returncode == 4
    assert f"contract HT-B expired on {today - timedelta(days=35)}" in refused.stderr
    run("ticket", "refer", keys["北京华信证券数据中心"], "--reason", "合同过期，客户承诺续约")
    run("--as", "zhoujian", "ticket", "approve", keys["北京华信证券数据中心"])
    assert run_json("ticket", "show", keys["北京华信证券数据中心"])["onsite"] is True

    run("--as", "lijun", "contract", "use", "HT-A", "--kind", "inspections", "--note", "巡检")
    usage = run_json("contract", "usage", "HT-A")
    assert usage["entitlements"]["inspections"] == {"granted": 4, "used": 1, "left": 3, "beyond": 0}
    expiring = run_json("contract", "expiring", "--within", "30d")
    assert [(c["number"], c["days_left"]) for c in expiring] == [("HT-A", 20)]
    assert run_json("contract", "expiring", "--within", "7d") == []
