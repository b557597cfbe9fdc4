"""`xhsvc batch`: commands from stdin, one JSON result each, each its own transaction."""

from __future__ import annotations

import json
from typing import Any

from tests.cli.conftest import Cli
from tests.conftest import CUSTOMER


def _batch(cli: Cli, *lines: Any, options: tuple[str, ...] = ()) -> tuple[int, list[dict[str, Any]]]:
    feed = "".join(
        (line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) + "\n" for line in lines
    )
    result = cli("batch", *options, input=feed)
    return result.exit_code, [json.loads(line) for line in result.stdout.splitlines()]


def _opened(cli: Cli) -> str:
    result = cli(
        "ticket",
        "open",
        "--customer",
        CUSTOMER,
        "--title",
        "阵列告警",
        "--impact",
        "2",
        "--urgency",
        "2",
    )
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def _history_kinds(cli: Cli, key: str) -> list[tuple[str, str]]:
    history = cli.json("ticket", "history", key)
    return [(h["kind"], h["actor"]) for h in history]


def test_each_line_gets_its_result_in_order_and_a_failure_writes_nothing(desk_cli: Cli) -> None:
    key = _opened(desk_cli)
    before = _history_kinds(desk_cli, key)
    code, results = _batch(
        desk_cli,
        ["ticket", "comment", key, "夜间备注"],
        {"id": "job-7", "args": ["--as", "lijun", "ticket", "comment", key, "工程师备注"]},
        ["ticket", "priority", key, "--impact", "9", "--reason", "复核"],
        ["ticket", "show", "XH-999999"],
        "not json",
        ["ticket", "show", key, "--json"],
    )
    assert code == 1  # some line failed; each says how
    assert [r["line"] for r in results] == [1, 2, 3, 4, 5, 6]
    assert [r["exit"] for r in results] == [0, 0, 2, 3, 2, 0]
    assert results[1]["id"] == "job-7"
    assert "impact" in results[2]["error"] and "1 (highest) to 4" in results[2]["error"]
    assert "not found" in results[3]["error"]
    assert results[4]["args"] is None and "line 5: not JSON" in results[4]["error"]
    # `--json` output comes back as JSON, not as text to parse again.
    assert results[5]["output"]["key"] == key
    # Both notes were recorded, each by whoever its line named; the refused change left nothing.
    after = _history_kinds(desk_cli, key)
    assert after[len(before) :] == [("ticket.commented", "wangfang"), ("ticket.commented", "lijun")]


def test_stop_on_error_stops_at_the_first_failure(desk_cli: Cli) -> None:
    key = _opened(desk_cli)
    code, results = _batch(
        desk_cli,
        ["ticket", "comment", key, "第一条"],
        ["ticket", "nosuch"],
        ["ticket", "comment", key, "不会执行"],
        options=("--stop-on-error",),
    )
    assert code == 1
    assert [r["exit"] for r in results] == [0, 2]
    assert "No such command" in results[1]["error"]
    texts = [h["summary"] for h in desk_cli.json("ticket", "history", key)]
    assert "第一条" in texts and "不会执行" not in texts


def test_every_line_succeeding_exits_0(desk_cli: Cli) -> None:
    key = _opened(desk_cli)
    code, results = _batch(desk_cli, ["ticket", "comment", key, "一"], ["ticket", "list", "--json"])
    assert code == 0
    assert [r["exit"] for r in results] == [0, 0]
    assert key in [t["key"] for t in results[1]["output"]]


def test_the_dashboard_and_nested_batches_are_refused(desk_cli: Cli) -> None:
    code, results = _batch(desk_cli, ["tui"], ["--as", "lijun", "batch"], [], ["ticket", 3])
    assert code == 1
    assert [r["exit"] for r in results] == [2, 2, 2, 2]
    assert "`tui` cannot run inside a batch" in results[0]["error"]
    assert "`batch` cannot run inside a batch" in results[1]["error"]
    assert "array of strings" in results[2]["error"] and "array of strings" in results[3]["error"]


def test_stored_control_characters_come_back_escaped(desk_cli: Cli) -> None:
    key = _opened(desk_cli)
    hostile = "备注\x1b]0;pwned\x07\x9b31m"
    _batch(desk_cli, ["ticket", "comment", key, hostile])
    result = desk_cli("batch", input=json.dumps(["ticket", "history", key]) + "\n")
    assert "\x1b" not in result.stdout and "\x9b" not in result.stdout and "\x07" not in result.stdout
