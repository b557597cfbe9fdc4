"""Listings say how many more there are, and the outbox shows its newest first."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len

from tests.cli.conftest import Cli
from tests.conftest import CUSTOMER
from xhsvc.cli import output


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


def test_on_an_80_column_terminal_a_ticket_is_one_line(
    desk_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    long_title = "双活集群心跳中断，业务切换至单站点，存储复制链路告警不断"
    key = desk_cli.json("ticket", "open", "--customer", CUSTOMER, "--title", long_title)["key"]
    monkeypatch.setattr(output, "is_terminal", lambda: True)
    monkeypatch.setenv("COLUMNS", "80")
    lines = desk_cli("ticket", "list").stdout.splitlines()
    assert len(lines) == 2 and all(cell_len(line) <= 80 for line in lines)
    row = lines[1]
    assert row.startswith(key) and "in_progress" not in row and "new" in row
    assert long_title not in row and "…" in row  # the title gives way, cut with an ellipsis
    monkeypatch.setenv("COLUMNS", "200")
    wide = desk_cli("ticket", "list").stdout.splitlines()
    assert long_title in wide[1] and "OPENED" in wide[0]
    monkeypatch.setattr(output, "is_terminal", lambda: False)
    piped = desk_cli("ticket", "list").stdout.splitlines()
    assert long_title in piped[1] and "OPENED" in piped[0]  # a pipe always gets every cell whole


def test_a_long_listing_on_a_terminal_goes_through_the_pager(
    desk_cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for n in range(6):
        desk_cli("ticket", "open", "--customer", CUSTOMER, "--title", f"告警 {n}")
    paged = tmp_path / "paged.txt"
    monkeypatch.setattr(output, "is_terminal", lambda: True)
    monkeypatch.setenv("XHSVC_PAGER", f"cat > {paged}")
    monkeypatch.setenv("LINES", "5")
    shown = desk_cli("ticket", "list")
    assert shown.stdout == ""  # all of it went to the pager
    assert len(paged.read_text(encoding="utf-8").splitlines()) == 1 + 6
    paged.unlink()
    monkeypatch.setenv("LINES", "40")  # it fits: printed, no pager
    assert len(desk_cli("ticket", "list").stdout.splitlines()) == 1 + 6 and not paged.exists()


def test_history_newest_first(desk_cli: Cli) -> None:
    key = desk_cli.json("ticket", "open", "--customer", CUSTOMER, "--title", "告警")["key"]
    desk_cli("ticket", "comment", key, "第一条备注")
    oldest = desk_cli.json("ticket", "history", key)
    newest = desk_cli("ticket", "history", key, "--newest").stdout.splitlines()
    assert len(newest) == 1 + len(oldest)
    assert "第一条备注" in newest[1] and "第一条备注" not in newest[-1]
