"""`xhsvc branch|partner ...`, `customer team ...`, `person add|edit --branch/--partner` and
`ticket assign --suggest`: exit codes, tables and --json."""

from __future__ import annotations

from tests.conftest import CUSTOMER

PARTNER = "成都蜀信科技有限公司"


def _org(cli) -> None:
    assert cli("--as", "zhoujian", "branch", "defaults").exit_code == 0
    added = cli("--as", "zhoujian", "partner", "add", PARTNER, "--region", "成都", "--region", "重庆,绵阳")
    assert added.exit_code == 0, added.stderr
    made = cli(
        "--as", "admin", "person", "add", "wangpeng", "--name", "王鹏", "--role", "engineer", "--tier", "L1",
        "--partner", PARTNER,
    )  # fmt: skip
    assert made.exit_code == 0, made.stderr


def test_branches(desk_cli) -> None:
    cli = desk_cli
    assert cli("branch", "list").stderr.startswith("no branches yet")
    assert cli("--as", "zhoujian", "branch", "defaults").stdout.startswith("17 branches added: HZ, BJ, SH")
    assert (
        cli("--as", "zhoujian", "branch", "defaults").stdout.strip()
        == "every default branch is already recorded"
    )
    added = cli.json("--as", "zhoujian", "branch", "add", "nc", "--name", "南昌分支机构", "--city", "南昌")
    assert (added["code"], added["region"]) == ("NC", "南昌")
    assert cli("--as", "zhoujian", "branch", "add", "NC", "--name", "x", "--city", "x").exit_code == 5
    refused = cli("--as", "zhoujian", "branch", "add", "N", "--name", "x", "--city", "x")
    assert refused.exit_code == 2 and "code 'N'" in refused.stderr
    assert cli("branch", "add", "QD", "--name", "青岛", "--city", "青岛").exit_code == 4  # an agent
    assert (
        cli("--as", "zhoujian", "person", "edit", "lijun", "--branch", "hz").stdout.strip()
        == "lijun works for HZ"
    )
    listed = {b["code"]: b for b in cli.json("branch", "list")}
    assert listed["HZ"]["people"] == 1 and listed["HEB"]["city"] == "哈尔滨"
    table = cli("branch", "list").stdout
    assert table.splitlines()[0].split() == ["CODE", "NAME", "CITY", "REGION", "PEOPLE"]
    shown = cli("branch", "show", "HZ")
    assert "杭州总部" in shown.stdout and "lijun" in shown.stdout
    assert cli.json("branch", "show", "HZ")["people"][0]["handle"] == "lijun"
    assert cli("branch", "show", "QQ").exit_code == 3


def test_partners_and_people(desk_cli) -> None:
    cli = desk_cli
    _org(cli)
    partner = cli.json("partner", "show", PARTNER)
    assert partner["regions"] == ["成都", "重庆", "绵阳"]
    assert [p["handle"] for p in partner["people"]] == ["wangpeng"]
    assert "成都, 重庆, 绵阳" in cli("partner", "list").stdout
    assert cli("--as", "zhoujian", "partner", "add", PARTNER, "--region", "成都").exit_code == 5
    assert cli("--as", "zhoujian", "partner", "add", "某公司").exit_code == 2  # --region is required
    person = cli.json("person", "show", "wangpeng")
    assert (person["partner"], person["branch"], person["region"]) == (PARTNER, None, None)
    both = cli("--as", "admin", "person", "edit", "wangpeng", "--branch", "CD", "--partner", PARTNER)
    assert both.exit_code == 2 and "one of --branch" in both.stderr
    assert cli("--as", "admin", "person", "edit", "wangpeng").exit_code == 2
    moved = cli.json("--as", "admin", "person", "edit", "wangpeng", "--branch", "CD")
    assert (moved["branch"], moved["partner"], moved["region"]) == ("CD", None, "成都")
    cleared = cli.json("--as", "admin", "person", "edit", "wangpeng", "--clear")
    assert (cleared["branch"], cleared["partner"]) == (None, None)
    agent = cli(
        "--as", "admin", "person", "add", "liuxin", "--name", "刘欣", "--role", "agent", "--partner", PARTNER
    )
    assert agent.exit_code == 2 and "--partner" in agent.stderr


def test_a_customers_team(desk_cli) -> None:
    cli = desk_cli
    _org(cli)
    assert cli("customer", "team", "show", CUSTOMER).stderr.startswith("no team yet")
    team = cli.json("customer", "team", "add", CUSTOMER, "lijun", "--primary")
    assert team["members"] == [
        {
            "handle": "lijun",
            "name": "李军",
            "tier": "L1",
            "primary": True,
            "region": None,
            "branch": None,
            "partner": None,
            "load": 0,
        }
    ]
    said = cli("customer", "team", "add", CUSTOMER, "wuhao", "--tier", "l2")
    assert said.stdout.strip() == f"wuhao is in the team of {CUSTOMER}"
    assert cli("customer", "team", "add", CUSTOMER, "lijun", "--primary").exit_code == 5
    assert cli("customer", "team", "add", CUSTOMER, "sunli").exit_code == 2  # an expert
    refused = cli("customer", "team", "add", CUSTOMER, "wangpeng")
    assert refused.exit_code == 4 and "serves 成都、重庆、绵阳 only" in refused.stderr
    assert cli("--as", "lijun", "customer", "team", "add", CUSTOMER, "zhangwei").exit_code == 4
    lines = cli("customer", "team", "show", CUSTOMER).stdout.splitlines()
    assert lines[3].split() == ["TIER", "PRIMARY", "ID", "NAME", "REGION", "BRANCH/PARTNER", "OPEN"]
    assert lines[4].split()[:3] == ["L1", "*", "lijun"]
    removed = cli.json("customer", "team", "remove", CUSTOMER, "lijun")
    assert [m["handle"] for m in removed["members"]] == ["wuhao"]
    assert cli("customer", "team", "remove", CUSTOMER, "lijun").exit_code == 3


def test_assign_suggest(desk_cli) -> None:
    cli = desk_cli
    _org(cli)
    cli("customer", "team", "add", CUSTOMER, "zhangwei", "--primary")
    key = cli.json("ticket", "open", "-c", CUSTOMER, "-t", "控制器告警")["key"]
    ranked = cli.json("ticket", "assign", key, "--suggest")
    assert [r["handle"] for r in ranked] == ["zhangwei", "lijun"]  # not wangpeng: 成都 only
    assert ranked[0]["reasons"] == ["team", "primary", "tier"] and ranked[0]["load"] == 0
    shown = cli("ticket", "assign", key, "--suggest")
    assert shown.exit_code == 0
    lines = shown.stdout.splitlines()
    assert lines[0].split() == ["#", "ID", "NAME", "TIER", "BRANCH/PARTNER", "OPEN", "WHY"]
    assert lines[1].split()[:2] == ["1", "zhangwei"] and "primary L1 of the team" in lines[1]
    # Without a terminal and without --yes nothing is assigned.
    assert cli.json("ticket", "show", key)["status"] == "new"
    done = cli("ticket", "assign", key, "--suggest", "--yes")
    assert done.exit_code == 0 and f"{key} assigned to zhangwei (assigned)" in done.stdout
    assert cli.json("ticket", "assign", key, "--suggest", "--limit", "1") == [
        r for r in cli.json("ticket", "assign", key, "--suggest") if r["handle"] == "lijun"
    ]
    after = cli.json("ticket", "assign", key, "--suggest", "--yes")
    assert after["assignee"] == "lijun"
    assert cli("ticket", "assign", key).exit_code == 2
    assert cli("ticket", "assign", key, "lijun", "--suggest").exit_code == 2
    assert cli("ticket", "assign", "XH-999999", "--suggest").exit_code == 3
    refused = cli("ticket", "assign", key, "wangpeng")
    assert refused.exit_code == 4
    assert refused.stderr.strip() == (
        f"error: wangpeng is an engineer of partner {PARTNER}, which serves 成都、重庆、绵阳 only; "
        f"ticket {key} is in 杭州"
    )


def test_nobody_else_to_suggest(desk_cli) -> None:
    cli = desk_cli
    key = cli.json("ticket", "open", "-c", CUSTOMER, "-t", "控制器告警")["key"]
    assert cli("ticket", "assign", key, "lijun").exit_code == 0
    assert (
        cli("--as", "lijun", "ticket", "escalate", key, "--to", "L3", "--reason", "需专家分析").exit_code == 0
    )
    assert cli("--as", "zhoujian", "ticket", "approve", key, "--assign", "sunli").exit_code == 0
    # sunli is the only expert, and has it.
    assert cli.json("ticket", "assign", key, "--suggest") == []
    nobody = cli("ticket", "assign", key, "--suggest")
    assert nobody.exit_code == 0 and nobody.stderr.startswith("nobody else of the ticket's tier")
    assert cli("ticket", "assign", key, "--suggest", "--yes").exit_code == 3


def test_completion_offers_branch_codes_and_partner_names(desk_cli) -> None:
    from tests.cli.test_help_cli import complete

    _org(desk_cli)
    assert complete(desk_cli, "xhsvc branch show H") == ["HEB", "HF", "HK", "HZ"]
    assert complete(desk_cli, "xhsvc person edit lijun --branch h") == [
        "hEB",
        "hF",
        "hK",
        "hZ",
    ]  # as typed, then as stored
    assert complete(desk_cli, "xhsvc partner show 成都") == [PARTNER]
