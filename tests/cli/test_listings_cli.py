"""Listings say how many more there are, and the outbox shows its newest first."""

from __future__ import annotations

from tests.cli.conftest import Cli
from tests.conftest import CUSTOMER


def test_a_cut_listing_says_how_many_more(desk_cli: Cli) -> None:
    for n in range(4):
        desk_cli("ticket", "open", "--customer", CUSTOMER, "--title", f"告警 {n}")
    cut = desk_cli("ticket", "list", "--limit", "3")
    assert cut.exit_code == 0
    assert len(cut.stdout.strip().splitlines()) == 1 + 3  # the heading and three rows
    assert cut.stderr.strip() == "... 1 more not shown (--limit N for more, --limit 0 for all)"
    whole = desk_cli("ticket", "list", "--limit", "4")
    assert "more not shown" not in whole.stderr
    assert len(desk_cli.json("ticket", "list", "--limit", "0")) == 4


def test_the_outbox_shows_the_newest_first(desk_cli: Cli) -> None:
    for n in range(3):
        key = desk_cli.json("ticket", "open", "--customer", CUSTOMER, "--title", f"重大故障 {n}",
                            "--impact", "1", "--urgency", "1")["key"]  # fmt: skip
        assert key
    listed = desk_cli.json("notify", "list")
    times = [n["created_at"] for n in listed]
    assert len(times) >= 3 and times == sorted(times, reverse=True)
    cut = desk_cli("notify", "list", "--limit", "1")
    assert f"{len(listed) - 1} more not shown" in cut.stderr
