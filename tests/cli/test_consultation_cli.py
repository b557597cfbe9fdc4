"""`xhsvc ticket open --service consultation`, `ticket answer` and `ticket convert`: exit codes
and one-line errors."""

from __future__ import annotations

from tests.cli.conftest import Cli
from tests.conftest import CUSTOMER


def _open(cli: Cli, *extra: str) -> str:
    result = cli(
        "ticket", "open", "-c", CUSTOMER, "-t", "固件是否建议升级", "--service", "consultation", *extra
    )
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def _working(cli: Cli) -> str:
    key = _open(cli)
    assert cli("ticket", "assign", key, "lijun").exit_code == 0
    assert cli("--as", "lijun", "ticket", "respond", key).exit_code == 0
    return key


def test_open_a_consultation_and_answer_it(desk_cli: Cli) -> None:
    key = _working(desk_cli)
    shown = desk_cli.json("ticket", "show", key)
    assert (shown["service"], shown["coverage"], shown["major"]) == ("consultation", "covered", False)
    answered = desk_cli("--as", "lijun", "ticket", "answer", key, "建议先升级到 V5.2")
    assert answered.exit_code == 0, answered.stderr
    assert key in answered.stdout
    shown = desk_cli.json("ticket", "show", key)
    assert (shown["status"], shown["resolution"]) == ("closed", "建议先升级到 V5.2")
    assert "consultation" in desk_cli("ticket", "show", key).stdout


def test_impact_1_is_refused_and_nothing_written(desk_cli: Cli) -> None:
    result = desk_cli(
        "ticket", "open", "-c", CUSTOMER, "-t", "咨询", "--service", "consultation", "--impact", "1"
    )
    assert result.exit_code == 2
    assert "never a major incident" in result.stderr and result.stderr.count("\n") == 1
    assert desk_cli.json("ticket", "list") == []


def test_onsite_refused_with_one_line(desk_cli: Cli) -> None:
    key = _working(desk_cli)
    result = desk_cli("--as", "lijun", "ticket", "onsite", key, "--reason", "上门讲解")
    assert result.exit_code == 4
    assert "answered remotely" in result.stderr and result.stderr.count("\n") == 1


def test_answer_on_a_fault_refused(desk_cli: Cli) -> None:
    fault = desk_cli("ticket", "open", "-c", CUSTOMER, "-t", "阵列告警").stdout.strip()
    result = desk_cli("ticket", "answer", fault, "x")
    assert result.exit_code == 4 and "not a consultation" in result.stderr


def test_convert_to_a_fault(desk_cli: Cli) -> None:
    key = _working(desk_cli)
    assert desk_cli("ticket", "convert", key, "--to", "training", "--reason", "x").exit_code == 2
    converted = desk_cli("ticket", "convert", key, "--to", "onsite", "--reason", "发现控制器故障")
    assert converted.exit_code == 0, converted.stderr
    assert desk_cli.json("ticket", "show", key)["service"] == "onsite"
    assert desk_cli("ticket", "convert", key, "--to", "remote", "--reason", "x").exit_code == 4
    assert desk_cli("--as", "lijun", "ticket", "onsite", key, "--reason", "更换控制器").exit_code == 0
