"""`xhsvc config`: edits config.toml as git config edits its file, and checks what is set."""

from __future__ import annotations

import json
import os
import stat
import tomllib
from pathlib import Path

import pytest
from click.testing import Result

from tests.cli.conftest import Cli
from xhsvc import config
from xhsvc.cli.dashboard import load_filter, save_filter

# A file as a person writes it: comments above and beside keys, blank lines, tables in their order.
WRITTEN_BY_HAND = """\
# The service desk of 杭州
user = "wangfang"  # that is me

# Our branch works on Beijing time.
timezone = "Asia/Shanghai"

[notify]
# Mail the person the notification is for.
command = 'mail -s "$XHSVC_SUBJECT" "$XHSVC_TO_EMAIL"'
timeout = 60  # seconds

[sla]
# Tickets may be opened up to three days late.
max_backdate = "3d"
"""


def comments(text: str) -> list[str]:
    return [line[line.index("#") :] for line in text.splitlines() if "#" in line]


def one_line_error(result: Result, code: int, *words: str) -> str:
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def config_file(home: Path) -> Path:
    path = home / "config.toml"
    path.write_text(WRITTEN_BY_HAND, encoding="utf-8")
    return path


def test_set_and_unset_keep_comments_blank_lines_and_order(cli: Cli, config_file: Path) -> None:
    before = tomllib.loads(WRITTEN_BY_HAND)
    assert cli("config", "set", "timezone", "Europe/Berlin").exit_code == 0
    assert cli("config", "set", "sla.out_of_contract_level", "gold").exit_code == 0
    assert cli("config", "set", "prefix", "HZ").exit_code == 0
    result = cli("config", "unset", "notify.timeout")
    assert result.exit_code == 0, result.stderr

    text = config_file.read_text(encoding="utf-8")
    assert comments(text) == [c for c in comments(WRITTEN_BY_HAND) if c != "# seconds"]
    # The lines not changed are as they were, blank ones too, and in their order.
    untouched = [
        line for line in WRITTEN_BY_HAND.splitlines() if not line.startswith(("timezone", "timeout"))
    ]
    assert [line for line in text.splitlines() if line in untouched] == untouched
    after = tomllib.loads(text)
    assert after["timezone"] == "Europe/Berlin" and after["prefix"] == "HZ"
    assert after["sla"] == {**before["sla"], "out_of_contract_level": "gold"}
    assert after["notify"] == {"command": before["notify"]["command"]}
    assert [key for key in after if key in before] == list(before)


def test_init_keeps_the_comments_too(cli: Cli, config_file: Path) -> None:
    assert cli("config", "unset", "user").exit_code == 0  # a user init would look for in the database
    result = cli("init", "--id", "lisi", "--name", "李四", "--role", "agent")
    assert result.exit_code == 0, result.stderr
    text = config_file.read_text(encoding="utf-8")
    assert comments(text) == [c for c in comments(WRITTEN_BY_HAND) if c != "# that is me"]
    assert tomllib.loads(text)["user"] == "lisi"


def test_the_dashboards_filter_is_saved_without_disturbing_the_file(config_file: Path) -> None:
    save_filter({"status": "open", "mine": True})
    assert load_filter() == {"status": "open", "mine": True}
    save_filter({"tier": "L2"})  # a narrower choice replaces the whole filter
    assert load_filter() == {"tier": "L2"}

    text = config_file.read_text(encoding="utf-8")
    assert comments(text) == comments(WRITTEN_BY_HAND)
    assert text.startswith(WRITTEN_BY_HAND)
    assert tomllib.loads(text) == {**tomllib.loads(WRITTEN_BY_HAND), "tui": {"filter": {"tier": "L2"}}}


def test_an_unknown_key_is_refused_and_nothing_is_written(cli: Cli, config_file: Path) -> None:
    line = one_line_error(cli("config", "set", "notfy.command", "true"), 3, "'notfy.command'")
    for key in config.KNOWN_KEYS:
        assert key in line
    assert config_file.read_text(encoding="utf-8") == WRITTEN_BY_HAND


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("timezone", "Mars/Olympus"),
        ("timezone", "../../etc/passwd"),
        ("user", "wang fang"),
        ("user", ""),
        ("user", "wang\x1b[2Jfang"),
        ("prefix", "xh"),
        ("prefix", "TOOLONGPREFIX"),
        ("db", "mysql://host/xhsvc"),
        ("db", "/var/lib/xhsvc.db"),
        ("sla.out_of_contract_level", "bronze"),
    ],
)
def test_a_value_the_key_cannot_take_is_refused_and_nothing_is_written(
    cli: Cli, config_file: Path, key: str, value: str
) -> None:
    line = one_line_error(cli("config", "set", key, value), 2, key)
    assert "\x1b" not in line  # what was typed is shown, never acted on
    assert config_file.read_text(encoding="utf-8") == WRITTEN_BY_HAND


def test_a_refused_value_creates_no_file(cli: Cli, home: Path) -> None:
    one_line_error(cli("config", "set", "timezone", "Mars/Olympus"), 2, "timezone")
    assert not (home / "config.toml").exists()


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("user", "wangfang"),
        ("prefix", "HZ1"),
        ("db", "sqlite:////srv/xhsvc/xhsvc.db"),
        ("db", "postgresql+psycopg://xhsvc@db.example.cn/xhsvc"),
        ("timezone", "Europe/Berlin"),
        ("notify.command", "logger -t xhsvc"),
        ("sla.max_backdate", "2d"),
    ],
)
def test_a_good_value_is_written_and_read_back(cli: Cli, home: Path, key: str, value: str) -> None:
    result = cli("config", "set", key, value)
    assert result.exit_code == 0, result.stderr
    assert config.get_value(tomllib.loads((home / "config.toml").read_text(encoding="utf-8")), key) == value
    assert cli("config", "get", key).stdout == value + "\n"
    assert stat.S_IMODE((home / "config.toml").stat().st_mode) == 0o600


def test_list_prints_toml_lines_and_json(cli: Cli, config_file: Path) -> None:
    assert cli("config", "set", "priority.matrix", "1").exit_code == 2  # edited in the file only
    with config_file.open("a", encoding="utf-8") as f:
        f.write("\n[priority]\nmatrix = [[1, 1, 2, 3], [1, 2, 3, 3], [2, 3, 3, 4], [3, 3, 4, 4]]\n")
    save_filter({"status": "open", "mine": True})
    expected = tomllib.loads(config_file.read_text(encoding="utf-8"))

    result = cli("config", "list")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all(" = " in line and not line.startswith("[") for line in lines)
    assert "notify.command = " + config.toml_value(expected["notify"]["command"]) in lines
    assert "tui.filter.mine = true" in lines
    # Every line is TOML, and together they are the whole file.
    assert tomllib.loads(result.stdout) == expected
    assert cli.json("config", "list") == expected


def test_list_of_an_empty_config_prints_nothing(cli: Cli) -> None:
    result = cli("config", "list")
    assert (result.exit_code, result.stdout) == (0, "")


def test_get_prints_a_value_plainly_and_a_table_as_toml(cli: Cli, config_file: Path) -> None:
    expected = tomllib.loads(WRITTEN_BY_HAND)
    assert cli("config", "get", "user").stdout == expected["user"] + "\n"
    assert cli("config", "get", "notify.command").stdout == expected["notify"]["command"] + "\n"
    assert cli("config", "get", "notify.timeout").stdout == f"{expected['notify']['timeout']}\n"

    table = cli("config", "get", "notify")
    assert table.exit_code == 0 and "{" not in table.stdout
    assert tomllib.loads(table.stdout) == expected["notify"]
    assert cli.json("config", "get", "notify") == expected["notify"]
    assert cli.json("config", "get", "notify.timeout") == expected["notify"]["timeout"]

    one_line_error(cli("config", "get", "notify.nothing"), 3, "'notify.nothing'", "not set")
    one_line_error(cli("config", "get", "user.name"), 3, "'user.name'")


def test_unset_removes_a_key_or_a_table_and_exits_3_when_it_is_not_set(cli: Cli, config_file: Path) -> None:
    assert cli("config", "unset", "sla.max_backdate").exit_code == 0
    one_line_error(cli("config", "unset", "sla.max_backdate"), 3, "'sla.max_backdate'", "not set")
    assert cli("config", "unset", "notify").exit_code == 0
    one_line_error(cli("config", "unset", "notify.command"), 3, "'notify.command'")
    one_line_error(cli("config", "unset", "nothing"), 3, "'nothing'")
    text = config_file.read_text(encoding="utf-8")
    assert "notify" not in tomllib.loads(text)
    assert "# The service desk of 杭州" in text and "# Our branch works on Beijing time." in text


def test_stored_control_characters_are_shown_escaped(cli: Cli, home: Path) -> None:
    (home / "config.toml").write_text('user = "x\\u001b]0;pwned\\u0007"\n', encoding="utf-8")
    stored = tomllib.loads((home / "config.toml").read_text(encoding="utf-8"))["user"]
    for args in (("config", "get", "user"), ("config", "list"), ("config", "get", "user", "--json")):
        result = cli(*args)
        assert result.exit_code == 0, result.stderr
        assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert cli.json("config", "get", "user") == stored


def test_a_broken_file_is_named_and_left_as_it_is(cli: Cli, home: Path) -> None:
    (home / "config.toml").write_text("user = \n# keep\n", encoding="utf-8")
    one_line_error(cli("config", "set", "timezone", "UTC"), 2, "config.toml", "not valid TOML")
    one_line_error(cli("config", "list"), 2, "config.toml")
    assert (home / "config.toml").read_text(encoding="utf-8") == "user = \n# keep\n"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_a_linked_config_stays_a_link(cli: Cli, home: Path, tmp_path: Path) -> None:
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    (dotfiles / "config.toml").write_text(WRITTEN_BY_HAND, encoding="utf-8")
    (home / "config.toml").symlink_to(dotfiles / "config.toml")
    assert cli("config", "set", "timezone", "UTC").exit_code == 0
    assert (home / "config.toml").is_symlink()
    assert json.loads(cli("config", "get", "timezone", "--json").stdout) == "UTC"
    assert comments((dotfiles / "config.toml").read_text(encoding="utf-8")) == comments(WRITTEN_BY_HAND)
