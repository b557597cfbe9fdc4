"""Customer records, contracts, import and export through the command line."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

from tests.cli.conftest import Cli
from tests.conftest import CONTRACT, CUSTOMER

EXAMPLES = Path(__file__).parents[2] / "examples"
KINDS = ("customers", "sites", "contacts", "assets", "contracts")


def test_records_add_edit_list_show(desk_cli: Cli) -> None:
    cli = desk_cli
    assert (
        cli(
            "site", "add", "主院区机房", "--customer", CUSTOMER, "--address", "解放路88号", "--city", "杭州"
        ).exit_code
        == 0
    )
    assert (
        cli(
            "contact", "add", "--customer", CUSTOMER, "--name", "陈主任", "--phone", "0571-8723 5001"
        ).exit_code
        == 0
    )
    added = cli(
        "asset",
        "add",
        "--customer",
        CUSTOMER,
        "--model",
        "XS-5000",
        "--serial",
        "xs5k-2023-00117",
        "--site",
        "主院区机房",
    )
    assert added.stdout.strip() == "asset XS5K-2023-00117 added"
    assert cli("asset", "edit", "XS5K-2023-00117", "--firmware", "V3.2.1").exit_code == 0
    assert cli("customer", "edit", CUSTOMER, "--industry", "医疗").exit_code == 0
    profile = cli.json("customer", "show", CUSTOMER)
    assert profile["industry"] == "医疗"
    assert profile["sites"][0]["region"] == "杭州"  # the branch follows the city
    assert profile["contacts"][0]["phone"] == "0571-8723 5001"
    assert profile["assets"][0] == {
        **profile["assets"][0],
        "serial": "XS5K-2023-00117",
        "firmware": "V3.2.1",
        "site": "主院区机房",
    }
    assert cli.json("site", "show", "主院区机房", "--customer", CUSTOMER)["address"] == "解放路88号"
    assert cli.json("contact", "show", "--customer", CUSTOMER, "--name", "陈主任")["customer"] == CUSTOMER
    assert [a["serial"] for a in cli.json("asset", "list", "--customer", CUSTOMER)] == ["XS5K-2023-00117"]
    bad = cli("contact", "add", "--customer", CUSTOMER, "--name", "赵工", "--phone", "call me")
    assert bad.exit_code == 2 and bad.stderr.startswith("error: phone 'call me'")
    assert (
        cli("asset", "add", "--customer", CUSTOMER, "--model", "X", "--serial", "XS5K-2023-00117").exit_code
        == 5
    )
    assert cli("--as", "lijun", "customer", "add", "工程师不能加客户").exit_code == 4


def test_contract_commands_for_people_and_nightly_scripts(desk_cli: Cli) -> None:
    cli = desk_cli
    check = cli.json("contract", "check", "--customer", CUSTOMER, "--service", "onsite")
    assert (check["covered"], check["contract"], check["level"]) == (True, CONTRACT, "gold")
    expired = cli.json("contract", "check", "--customer", CUSTOMER, "--at", "2100-01-01")
    assert (expired["covered"], expired["code"]) == (False, "expired")
    assert cli("contract", "check", "--customer", CUSTOMER, "--at", "2100-01-01").stdout.startswith(
        "NOT covered: contract"
    )
    assert cli.json("contract", "expiring", "--within", "30d") == []
    assert cli("contract", "expiring").exit_code == 0
    usage = cli.json("contract", "usage", CONTRACT)
    assert usage["entitlements"]["trainings"] == {"granted": 2, "used": 0, "left": 2, "beyond": 0}
    used = cli.json("contract", "use", CONTRACT, "--kind", "trainings", "--note", "新管理员培训")
    assert used["entitlements"]["trainings"]["left"] == 1
    renewed = cli.json("contract", "renew", CONTRACT, "--end", "2100-12-31", "--level", "platinum")
    assert [t["level"] for t in renewed["history"]] == ["gold", "platinum"]
    assert cli("contract", "terminate", CONTRACT, "--reason", "x", "--yes").exit_code == 4  # agents may not
    levels = cli.json("contract", "levels")
    assert {"platinum", "gold", "silver", "basic"} <= {row["name"] for row in levels}
    listed = cli("contract", "levels").output
    basic_services = next(
        line for line in listed.splitlines() if "services:" in line and "optimization" not in line
    )
    assert "in every level: consultation" in basic_services  # no level lists it; every contract covers it
    assert (
        cli(
            "contract",
            "add",
            "HT-9",
            "--customer",
            CUSTOMER,
            "--level",
            "gold",
            "--start",
            "2026-02-30",
            "--end",
            "2026-12-31",
        ).exit_code
        == 2
    )


def test_ticket_show_says_whether_it_is_in_contract(desk_cli: Cli) -> None:
    cli = desk_cli
    key = cli("ticket", "open", "--customer", CUSTOMER, "--title", "控制器告警").stdout.strip()
    assert (
        "contract         HT-2026-001 (covered by HT-2026-001 (gold) until 2099-12-31)"
        in cli("ticket", "show", key).stdout
    )
    cli("customer", "add", "无合同客户")
    key = cli("ticket", "open", "--customer", "无合同客户", "--title", "求助").stdout.strip()
    shown = cli("ticket", "show", key).stdout
    assert "OUT OF CONTRACT: 无合同客户 has no service contract" in shown


def _copy_examples(tmp_path: Path) -> Path:
    folder = tmp_path / "csv"
    folder.mkdir()
    for kind in KINDS:
        shutil.copy(EXAMPLES / f"{kind}.csv", folder / f"{kind}.csv")
    return folder


def test_import_checks_every_row_first_and_writes_nothing_on_a_bad_one(cli: Cli, tmp_path: Path) -> None:
    assert cli("init", "--id", "wangfang", "--name", "王芳", "--role", "agent").exit_code == 0
    folder = _copy_examples(tmp_path)
    customers = folder / "customers.csv"
    customers.write_text(
        customers.read_text(encoding="utf-8")
        + ",北京,政府\n浙江省第一人民医院,杭州,医疗\n"
        + "x" * 201
        + ",,\n",
        encoding="utf-8",
    )
    result = cli("import", "customers", str(customers))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{customers}: line 8: name: must not be empty",
        f"{customers}: line 9: name: repeats line 2",
        f"{customers}: line 10: name: at most 200 characters",
        "error: 3 bad row(s) of 9; nothing imported (fix them, or --skip-bad)",
    ]
    assert cli.json("customer", "list") == []
    skipped = cli("import", "customers", str(customers), "--skip-bad", "--json")
    assert skipped.exit_code == 0
    report = json.loads(skipped.stdout)
    assert (report["created"], report["applied"], [b["line"] for b in report["bad"]]) == (6, True, [8, 9, 10])

    contracts = folder / "contracts.csv"
    text = contracts.read_text(encoding="utf-8")
    contracts.write_text(
        text.replace("2026-04-01,2027-03-31", "2026-04-01,2026-13-31").replace(
            "silver,2026-06-01", "bronze,2026-06-01"
        ),
        encoding="utf-8",
    )
    for kind in ("sites", "contacts", "assets"):
        assert cli("import", kind, str(folder / f"{kind}.csv")).exit_code == 0
    result = cli("import", "contracts", str(contracts))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[:2] == [
        f"{contracts}: line 4: end: use a date like 2026-12-31",
        f"{contracts}: line 8: level: 'bronze': must be one of platinum, gold, silver, basic",
    ]
    assert cli.json("contract", "list") == []


def test_an_import_read_in_pages_is_still_all_or_nothing(cli: Cli, tmp_path: Path, monkeypatch) -> None:
    """The file is read and written a page at a time: a bad row on a later page undoes the pages
    written before it, and every bad row of every page is reported."""
    from xhsvc.core import transfer

    monkeypatch.setattr(transfer, "PAGE", 3)
    assert cli("init", "--id", "wangfang", "--name", "王芳", "--role", "agent").exit_code == 0
    names = [f"客户{n:02d}" for n in range(10)]
    names[7] = "x" * 201  # page 3 of 4
    names[9] = names[1]  # page 4: a repeat of a row written on page 1
    customers = tmp_path / "customers.csv"
    customers.write_text("name,region\n" + "".join(f"{n},杭州\n" for n in names), encoding="utf-8")
    result = cli("import", "customers", str(customers))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{customers}: line 9: name: at most 200 characters",
        f"{customers}: line 11: name: repeats line 3",
        "error: 2 bad row(s) of 10; nothing imported (fix them, or --skip-bad)",
    ]
    assert cli.json("customer", "list") == []
    skipped = json.loads(cli("import", "customers", str(customers), "--skip-bad", "--json").stdout)
    assert (skipped["created"], skipped["applied"]) == (8, True)
    assert sorted(c["name"] for c in cli.json("customer", "list")) == sorted(set(names) - {"x" * 201})


def test_import_twice_changes_nothing_and_export_round_trips(cli: Cli, tmp_path: Path) -> None:
    assert cli("init", "--id", "wangfang", "--name", "王芳", "--role", "agent").exit_code == 0
    for kind in KINDS:
        assert cli("import", kind, str(EXAMPLES / f"{kind}.csv")).exit_code == 0
    again = [
        json.loads(cli("import", kind, str(EXAMPLES / f"{kind}.csv"), "--json").stdout) for kind in KINDS
    ]
    assert all(r["created"] == 0 and r["updated"] == 0 and r["unchanged"] == r["rows"] for r in again)
    for kind in KINDS:
        exported = list(csv.reader(io.StringIO(cli("export", kind).stdout)))
        original = list(csv.reader(io.StringIO((EXAMPLES / f"{kind}.csv").read_text(encoding="utf-8"))))
        assert exported[0] == original[0]
        assert sorted(exported[1:]) == sorted(original[1:]), kind
    as_json = cli.json("export", "contracts")
    assert [(c["number"], c["term"]) for c in as_json][:2] == [("HT-2025-0107", 1), ("HT-2026-0001", 1)]
    changed = tmp_path / "customers.csv"
    changed.write_text("name,region,industry\n浙江省第一人民医院,杭州,医疗卫生\n", encoding="utf-8")
    report = json.loads(cli("import", "customers", str(changed), "--json").stdout)
    assert (report["updated"], report["unchanged"]) == (1, 0)
    assert cli.json("customer", "show", "浙江省第一人民医院")["industry"] == "医疗卫生"


def test_lookup_json(desk_cli: Cli) -> None:
    desk_cli("contact", "add", "--customer", CUSTOMER, "--name", "陈主任", "--phone", "13905710011")
    rows = desk_cli.json("lookup", "139 0571 0011")
    assert [(r["customer"], r["covered"]) for r in rows] == [(CUSTOMER, True)]
    assert desk_cli.json("lookup", "nobody-at-all") == []


def test_a_contracts_rows_must_name_one_customer(cli: Cli, tmp_path: Path) -> None:
    assert cli("init", "--id", "wangfang", "--name", "王芳", "--role", "agent").exit_code == 0
    for kind in ("customers", "sites", "contacts", "assets"):
        assert cli("import", kind, str(EXAMPLES / f"{kind}.csv")).exit_code == 0
    mixed = tmp_path / "contracts.csv"
    mixed.write_text(
        "number,term,customer,level,start,end,assets,notes\n"
        "HT-X,1,浙江省第一人民医院,gold,2026-01-01,2026-12-31,XS5K-2023-00117,\n"
        "HT-X,2,广州南沙港务集团,gold,2027-01-01,2027-12-31,XS5K-2024-00301,\n",
        encoding="utf-8",
    )
    result = cli("import", "contracts", str(mixed))
    assert result.exit_code == 2
    assert (
        f"{mixed}: line 3: customer: contract HT-X belongs to another customer in an earlier row"
        in result.stderr
    )
    assert cli.json("contract", "list") == []
