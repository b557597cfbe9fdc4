"""The interface speaks Simplified Chinese or English, through gettext catalogs."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.terminal import Terminal
from xhsvc import i18n

ROOT = Path(__file__).resolve().parents[1]


def _catalog_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("catalog_tool", ROOT / "tools" / "catalog.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def english_after() -> object:
    yield
    i18n.set_language("en")


def test_every_message_has_a_chinese_translation() -> None:
    missing = _catalog_tool().missing("zh_CN")
    assert missing == [], (
        f"{len(missing)} message(s) without a translation; run tools/catalog.py update, translate, compile"
    )


def test_the_shipped_catalog_is_compiled_from_its_po() -> None:
    tool = _catalog_tool()
    mo = tool.po_path("zh_CN").with_suffix(".mo")
    assert mo.read_bytes() == tool.compiled("zh_CN"), "run tools/catalog.py compile"


@pytest.mark.parametrize(
    ("env", "language"),
    [
        ({"LANG": "zh_CN.UTF-8"}, "zh_CN"),
        ({"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh_CN"),
        ({"LANGUAGE": "en:zh", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_the_environment_chooses_the_language(env: dict[str, str], language: str) -> None:
    assert i18n.language_from_env(env) == language


def _run(home: Path, *args: str, lang: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    env.update(XHSVC_HOME=str(home), LANG=lang, XHSVC_PAGER="cat")
    command = [sys.executable, "-m", "xhsvc", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, encoding="utf-8", check=False)


def test_help_and_headings_in_chinese_json_and_exit_codes_the_same(tmp_path: Path) -> None:
    zh = _run(tmp_path, "ticket", "-h", lang="zh_CN.UTF-8")
    en = _run(tmp_path, "ticket", "-h", lang="en_US.UTF-8")
    assert zh.returncode == en.returncode == 0
    assert "工单" in zh.stdout and "工单" not in en.stdout
    assert "Options" in en.stdout and "选项" in zh.stdout
    # config.toml's `language` wins over the environment.
    assert _run(tmp_path, "config", "set", "language", "en", lang="zh_CN.UTF-8").returncode == 0
    assert "工单" not in _run(tmp_path, "ticket", "-h", lang="zh_CN.UTF-8").stdout
    assert _run(tmp_path, "config", "unset", "language", lang="C").returncode == 0
    # Scripts read the same JSON and exit codes in either language.
    assert _run(tmp_path, "demo", "--json", lang="C.UTF-8").returncode == 0
    listed = {
        lang: _run(tmp_path, "ticket", "list", "--json", lang=lang) for lang in ("zh_CN.UTF-8", "C.UTF-8")
    }
    assert json.loads(listed["zh_CN.UTF-8"].stdout) == json.loads(listed["C.UTF-8"].stdout)
    table = _run(tmp_path, "ticket", "list", lang="zh_CN.UTF-8").stdout.splitlines()[0]
    assert "工单" in table and "KEY" not in table
    bad = {
        lang: _run(tmp_path, "ticket", "show", "XH-999999", lang=lang) for lang in ("zh_CN.UTF-8", "C.UTF-8")
    }
    assert bad["zh_CN.UTF-8"].returncode == bad["C.UTF-8"].returncode == 3
    # The core's errors speak the user's language too, quoting what was typed as it was typed.
    assert "XH-999999" in bad["zh_CN.UTF-8"].stderr and "not found" not in bad["zh_CN.UTF-8"].stderr
    assert "未找到" in bad["zh_CN.UTF-8"].stderr
    assert bad["C.UTF-8"].stderr.strip() == "error: ticket 'XH-999999' not found"


def test_codes_are_shown_in_chinese_words_and_typed_as_codes(tmp_path: Path) -> None:
    assert _run(tmp_path, "demo", lang="C.UTF-8").returncode == 0
    rows = json.loads(_run(tmp_path, "ticket", "list", "--json", lang="C.UTF-8").stdout)
    working = next(r for r in rows if r["status"] == "in_progress" and r["pending_approval"])
    # Listed and shown in the interface's words ...
    table = _run(tmp_path, "ticket", "list", "--status", "in_progress", lang="zh_CN.UTF-8").stdout
    line = next(x for x in table.splitlines() if x.startswith(working["key"]))
    assert "处理中" in line and "in_progress" not in line
    shown = _run(tmp_path, "ticket", "show", working["key"], lang="zh_CN.UTF-8").stdout
    assert "处理中" in shown and "热线" in shown  # status, channel (hotline)
    assert "SLA 解决" in shown and "SLA resolution" not in shown
    assert "待审批请求" in shown and ("（由 经理 审批）" in shown or "（由 坐席 审批）" in shown)
    assert "已计划" in _run(tmp_path, "visit", "list", lang="zh_CN.UTF-8").stdout
    assert "有效" in _run(tmp_path, "contract", "list", lang="zh_CN.UTF-8").stdout
    # ... and in English by the codes one types.
    english = _run(tmp_path, "ticket", "show", working["key"], lang="C.UTF-8").stdout
    assert "in_progress" in english and "hotline" in english and "SLA resolution" in english


def test_confirmations_name_codes_in_chinese_words(tmp_path: Path) -> None:
    assert _run(tmp_path, "demo", lang="C.UTF-8").returncode == 0
    rows = json.loads(
        _run(tmp_path, "ticket", "list", "--status", "assigned", "--json", lang="C.UTF-8").stdout
    )
    assigned = next(r for r in rows if r["tier"] == "L1" and r["assignee"])
    onsite = _run(
        tmp_path,
        "--as",
        assigned["assignee"],
        "ticket",
        "onsite",
        assigned["key"],
        "--reason",
        "需现场更换",
        lang="zh_CN.UTF-8",
    )
    assert onsite.stdout.strip() == f"{assigned['key']}：现场服务申请待坐席审批", onsite.stderr
    added = _run(
        tmp_path,
        "--as",
        "zhoujian",
        "person",
        "add",
        "t1",
        "--name",
        "测试",
        "--role",
        "engineer",
        "--tier",
        "L1",
        "--region",
        "杭州",
        lang="zh_CN.UTF-8",
    )
    assert added.stdout.strip() == "已添加 t1（工程师 L1）", added.stderr


@pytest.mark.parametrize(
    ("args", "english", "chinese"),
    [
        (("sla", "due"), "error: Missing option '--level'. (see xhsvc sla due -h)", "错误：缺少选项 --level"),
        (
            ("ticket", "list", "--limt", "3"),
            "No such option: --limt (Possible options: --limit)",
            "没有选项 --limt",
        ),
        (("ticket", "list", "--limit", "x"), "Invalid value for '--limit'", "--limit 的值无效：应为整数"),
        (
            ("ticket", "lst"),
            "No such command 'lst'. Did you mean 'list'?",
            "没有命令 'lst'。是否要用 'list'？",
        ),
        (("ticket", "show", "A", "B"), "Got unexpected extra argument(s) (B)", "多余的参数：B"),
    ],
)
def test_usage_errors_are_one_line_in_the_users_language(
    tmp_path: Path, args: tuple[str, ...], english: str, chinese: str
) -> None:
    for lang, expected in (("C.UTF-8", english), ("zh_CN.UTF-8", chinese)):
        done = _run(tmp_path, *args, lang=lang)
        assert done.returncode == 2 and done.stdout == ""
        assert len(done.stderr.splitlines()) == 1 and expected in done.stderr, done.stderr
    assert "Usage:" not in done.stderr and "Error:" not in done.stderr


@pytest.mark.parametrize(
    ("args", "code", "english"),
    [
        (("ticket", "open", "-c", "浙江省第一人民医院", "-t", "x", "--impact", "9"), 2, "must be"),
        (("ticket", "respond", "XH-000001"), 4, "allowed only"),
        (("contract", "check", "-c", "没有这个客户"), 3, "not found"),
        (("sla", "sweep", "--now", "2199-01-01 00:00"), 2, "ahead of the clock"),
        (("import", "customers", "/nonexistent.csv"), 2, "cannot read"),
    ],
)
def test_errors_of_every_layer_in_chinese(
    tmp_path: Path, args: tuple[str, ...], code: int, english: str
) -> None:
    assert _run(tmp_path, "demo", lang="C.UTF-8").returncode == 0
    zh = _run(tmp_path, *args, lang="zh_CN.UTF-8")
    en = _run(tmp_path, *args, lang="C.UTF-8")
    assert zh.returncode == en.returncode == code, (zh.stderr, en.stderr)
    assert english in en.stderr and english not in zh.stderr, zh.stderr
    assert zh.stderr.startswith("错误") and any("\u4e00" <= ch <= "\u9fff" for ch in zh.stderr[3:]), zh.stderr
    assert len(zh.stderr.strip().splitlines()) == 1, zh.stderr


def test_the_dashboard_speaks_chinese(tmp_path: Path) -> None:
    assert _run(tmp_path, "demo", lang="C.UTF-8").returncode == 0
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    env.update(XHSVC_HOME=str(tmp_path), LANG="zh_CN.UTF-8", TERM="xterm-256color", LINES="36", COLUMNS="120")
    with Terminal([sys.executable, "-m", "xhsvc", "tui"], env) as term:
        term.wait_for("新来电")  # the footer's first key, in Chinese


HELP_PAGES = """
import sys
import typer
from typer.testing import CliRunner
from xhsvc import i18n
i18n.set_language(sys.argv[1])
from xhsvc.cli import main
from xhsvc.cli.helptext import width
root = typer.main.get_command(main.app)
ctx = typer.Context(root)
paths = []
def walk(command, path):
    paths.append(path)
    if hasattr(command, "list_commands"):
        for name in command.list_commands(ctx):
            walk(command.get_command(ctx, name), [*path, name])
walk(root, [])
for path in paths:
    page = CliRunner().invoke(main.app, [*path, "-h"], prog_name="xhsvc", env={"COLUMNS": "80"}).output
    for line in page.splitlines():
        if width(line) > 80:
            print(" ".join(path) or "xhsvc", width(line), line)
print(len(paths), "pages")
"""


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_every_help_page_fits_80_columns(tmp_path: Path, language: str) -> None:
    # A Chinese character takes two columns: wrapped by characters, Chinese help ran past the edge.
    env = {**os.environ, "XHSVC_HOME": str(tmp_path), "COLUMNS": "80"}
    done = subprocess.run(
        [sys.executable, "-c", HELP_PAGES, language], env=env, capture_output=True, text=True, check=True
    )
    *too_wide, pages = done.stdout.strip().splitlines()
    assert int(pages.split()[0]) > 100  # every group and command, not a few
    assert too_wide == []
