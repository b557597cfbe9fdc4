"""Keys, priorities, tiers, statuses and other named values are taken in any case."""

from __future__ import annotations

from tests.cli.conftest import Cli
from tests.conftest import CUSTOMER


def test_keys_and_named_values_in_any_case(desk_cli: Cli) -> None:
    key = desk_cli.json("ticket", "open", "--customer", CUSTOMER, "--title", "硬盘告警")["key"]
    assert desk_cli.json("ticket", "show", key.lower())["key"] == key
    priority = desk_cli.json("ticket", "show", key)["priority"]
    listed = desk_cli.json(
        "ticket", "list", "--priority", priority.lower(), "--tier", "l1", "--status", "NEW"
    )
    assert [t["key"] for t in listed] == [key]
    engineers = desk_cli.json("person", "list", "--role", "Engineer")
    assert engineers and {p["role"] for p in engineers} == {"engineer"}
    assert desk_cli("ticket", "assign", key.lower(), "lijun").exit_code == 0
    assert (
        desk_cli("--as", "lijun", "ticket", "escalate", key, "--to", "l2", "--reason", "需要二线").exit_code
        == 0
    )
    assert desk_cli.json("ticket", "show", key)["approvals"][-1]["target_tier"] == "L2"


def test_a_value_that_names_nothing_says_what_is_allowed(desk_cli: Cli) -> None:
    result = desk_cli("ticket", "list", "--priority", "p9")
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: priority 'p9': must be one of P1, P2, P3, P4"
