"""Knowledge notes through the command line: `kb add|search|show|list`, `ticket close --kb-*`,
and the notes `ticket show` suggests."""

from __future__ import annotations

from tests.cli.conftest import Cli
from tests.conftest import CUSTOMER


def _resolved(cli: Cli, *, asset: str | None = None, title: str = "阵列频繁掉盘") -> str:
    """A ticket of lijun's, resolved: ready to close."""
    args = ["ticket", "open", "--customer", CUSTOMER, "--title", title]
    key = cli(*args, *(["--asset", asset] if asset else [])).stdout.strip()
    assert cli("ticket", "assign", key, "lijun").exit_code == 0
    assert cli("--as", "lijun", "ticket", "respond", key).exit_code == 0
    resolved = cli("--as", "lijun", "ticket", "resolve", key, "--resolution", "更换背板电源")
    assert resolved.exit_code == 0, resolved.stderr
    return key


def test_add_search_show_and_list(desk_cli: Cli) -> None:
    cli = desk_cli
    added = cli(
        "--as", "lijun", "kb", "add", "--symptom", "硬盘频繁掉盘\n阵列降级", "--cause", "背板供电不稳",
        "--fix", "更换背板电源模块", "--model", "XS-5000", "--firmware", "V4.2.1",
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    assert added.stdout.strip() == "XH-KB00001 written"
    note = cli.json("--as", "wuhao", "kb", "add", "--symptom", "快照空间告警", "--fix", "扩容快照池")
    assert (note["key"], note["author"], note["model"], note["ticket"]) == ("XH-KB00002", "wuhao", None, None)

    found = cli.json("kb", "search", "掉盘")
    assert [n["key"] for n in found] == ["XH-KB00001"]
    assert found[0]["symptom"] == "硬盘频繁掉盘\n阵列降级"  # JSON carries the exact text
    assert cli.json("kb", "search", "告警", "--model", "xs-5000") == []
    table = cli("kb", "search", "v4.2.1")
    assert table.exit_code == 0
    assert table.stdout.splitlines()[0].split() == [
        "ID",
        "MODEL",
        "SYMPTOM",
        "FIX",
        "TICKET",
        "BY",
        "WRITTEN",
    ]
    assert "硬盘频繁掉盘 …" in table.stdout  # a listing shows the first line
    nothing = cli("kb", "search", "控制器")
    assert (nothing.exit_code, nothing.stdout, nothing.stderr.strip()) == (0, "", "no knowledge note matches")

    shown = cli("kb", "show", "xh-kb00001")
    assert shown.exit_code == 0
    assert "背板供电不稳" in shown.stdout and "阵列降级" in shown.stdout and "V4.2.1" in shown.stdout
    assert cli.json("kb", "show", "XH-KB00002")["fix"] == "扩容快照池"
    assert [n["key"] for n in cli.json("kb", "list")] == ["XH-KB00002", "XH-KB00001"]
    cut = cli("kb", "list", "--limit", "1")
    assert cut.exit_code == 0 and "1 more not shown" in cut.stderr


def test_refusals_exit_with_their_codes_and_write_nothing(desk_cli: Cli) -> None:
    cli = desk_cli
    agent = cli("kb", "add", "--symptom", "掉盘", "--fix", "更换")  # wangfang, an agent
    assert agent.exit_code == 4 and "only engineer or expert or manager or admin" in agent.stderr
    bad = cli("--as", "lijun", "kb", "add", "--symptom", "掉盘\x1b]0;x\x07", "--fix", "更换")
    assert bad.exit_code == 2
    assert bad.stderr.strip() == (
        "error: symptom: must not contain control characters other than newline and tab "
        "(found \\x1b at position 3)"
    )
    assert cli("--as", "lijun", "kb", "add", "--symptom", "掉盘", "--fix", " ").exit_code == 2
    assert (
        cli("--as", "lijun", "kb", "add", "--ticket", "XH-999", "--symptom", "a", "--fix", "b").exit_code == 3
    )
    assert cli("kb", "show", "XH-KB00001").exit_code == 3
    assert cli("kb", "search", "，，").exit_code == 2
    assert cli.json("kb", "list") == []


def test_close_with_a_note_and_the_next_ticket_is_offered_it(desk_cli: Cli) -> None:
    cli = desk_cli
    asset = cli(
        "asset",
        "add",
        "--customer",
        CUSTOMER,
        "--model",
        "XS-5000",
        "--serial",
        "XS5K-1",
        "--firmware",
        "V4.0",
    )
    assert asset.exit_code == 0, asset.stderr
    key = _resolved(cli, asset="XS5K-1")
    # Half a note is refused before the ticket closes: it stays resolved.
    half = cli("--as", "lijun", "ticket", "close", key, "--kb-symptom", "掉盘")
    assert half.exit_code == 2 and "--kb-fix" in half.stderr
    assert cli("--as", "lijun", "kb", "list", "--ticket", key, "--json").stdout.strip() == "[]"
    # No terminal to ask on.
    asked = cli("--as", "lijun", "ticket", "close", key, "--kb")
    assert asked.exit_code == 2 and "no terminal" in asked.stderr
    assert cli.json("ticket", "show", key)["status"] == "resolved"

    closed = cli(
        "--as", "lijun", "ticket", "close", key, "--kb-symptom", "阵列频繁掉盘", "--kb-cause", "背板供电不稳",
        "--kb-fix", "更换背板电源模块",
    )  # fmt: skip
    assert closed.exit_code == 0, closed.stderr
    assert closed.stdout.splitlines() == [f"{key} closed", "XH-KB00001 written"]
    note = cli.json("kb", "show", "XH-KB00001")
    assert (note["ticket"], note["model"], note["firmware"], note["author"]) == (
        key,
        "XS-5000",
        "V4.0",
        "lijun",
    )
    own = cli.json("ticket", "show", key)
    assert [n["key"] for n in own["knowledge_notes"]] == ["XH-KB00001"] and own["suggested_notes"] == []

    nxt = cli(
        "ticket", "open", "--customer", CUSTOMER, "--title", "硬盘掉盘告警", "--asset", "XS5K-1"
    ).stdout.strip()
    data = cli.json("ticket", "show", nxt)
    assert [(n["key"], n["same_model"]) for n in data["suggested_notes"]] == [("XH-KB00001", True)]
    shown = cli("ticket", "show", nxt)
    assert "suggested note XH-KB00001: 阵列频繁掉盘 (XS-5000, same model)" in shown.stdout


def test_close_json_carries_the_note(desk_cli: Cli) -> None:
    cli = desk_cli
    key = _resolved(cli)
    data = cli.json("--as", "lijun", "ticket", "close", key, "--kb-symptom", "掉盘", "--kb-fix", "更换背板")
    assert data["status"] == "closed" and data["knowledge_note"]["key"] == "XH-KB00001"
    # An agent closes, but writes no note: refused before the close.
    other = _resolved(cli)
    refused = cli("ticket", "close", other, "--kb-symptom", "掉盘", "--kb-fix", "更换")
    assert refused.exit_code == 4
    assert cli.json("ticket", "show", other)["status"] == "resolved"


def test_stored_text_is_shown_harmlessly(desk_cli: Cli) -> None:
    cli = desk_cli
    # Brackets (markup to rich) and a newline that could forge a line of a listing.
    added = cli("--as", "lijun", "kb", "add", "--symptom", "[bold]掉盘[/]\nKEY  forged", "--fix", "x\ty")
    assert added.exit_code == 0
    listed = cli("kb", "list")
    assert "[bold]掉盘[/] …" in listed.stdout and "forged" not in listed.stdout
    shown = cli("kb", "show", "XH-KB00001")
    assert "[bold]掉盘[/]" in shown.stdout


def test_completion_offers_note_keys_and_the_services_a_consultation_becomes(desk_cli) -> None:
    from tests.cli.test_help_cli import complete

    cli = desk_cli
    for symptom in ("阵列频繁掉盘", "快照空间告警"):
        added = cli("--as", "lijun", "kb", "add", "--symptom", symptom, "--fix", "更换背板电源")
        assert added.exit_code == 0, added.stderr
    keys = complete(cli, "xhsvc kb show xh-kb")
    assert keys == ["xh-kb00001", "xh-kb00002"]  # in the case typed: the shell keeps what starts so
    assert complete(cli, "xhsvc ticket convert XH-000001 --to o") == ["onsite"]
    assert complete(cli, "xhsvc ticket convert XH-000001 --to ") == ["remote", "onsite", "non_product"]
