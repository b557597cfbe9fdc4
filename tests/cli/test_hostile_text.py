"""Hostile text: refused where people type it, harmless wherever stored text is shown.

Control characters in a title (an OSC that sets the window title, a CSI that clears the screen, a
newline that forges a row, a bidi override) are refused with exit 2 and nothing written. Text
already in a database (an old one, or written around xhsvc) is shown with its control characters
visible and never read as rich markup. CSV exports guard cells a spreadsheet would run as a
formula, and import them back unchanged; a quote never closed is refused, naming its line.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.cli.conftest import Cli
from tests.conftest import CUSTOMER
from xhsvc.core.csv_files import guard_cell

OSC_TITLE = "\x1b]0;pwned\x07"
CLEAR = "\x1b[2J"
RAW_CONTROLS = ("\x1b", "\x07", "\x9b", "\u202e", "\u2066", "\x7f", "\r")


def _sql(url: str, statement: str, **params: object) -> list:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            result = conn.execute(text(statement), params)
            return list(result) if result.returns_rows else []
    finally:
        engine.dispose()


def _events(url: str) -> int:
    return _sql(url, "SELECT count(*) FROM event")[0][0]


def _open(cli: Cli, title: str = "控制器B告警", *extra: str) -> str:
    result = cli("ticket", "open", "--customer", CUSTOMER, "--title", title, *extra)
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def _harmless(output: str) -> None:
    for char in RAW_CONTROLS:
        assert char not in output, f"raw {char!r} reached the output"


# Refused at input -------------------------------------------------------------------------------

REPORT_TOO_LONG = "x" * 1_000_001

# (name, args after the desk is set up ({key} is an open ticket), exit code, what stderr says)
REFUSED: list[tuple[str, list[str], int, str]] = [
    (
        "osc in a title",
        ["ticket", "open", "--customer", CUSTOMER, "--title", f"告警{OSC_TITLE}"],
        2,
        r"title: must not contain control characters (found \x1b at position 3)",
    ),
    (
        "screen clear in a title",
        ["ticket", "open", "--customer", CUSTOMER, "--title", f"{CLEAR}告警"],
        2,
        r"title: must not contain control characters (found \x1b at position 1)",
    ),
    (
        "newline in a title",
        ["ticket", "open", "--customer", CUSTOMER, "--title", "告警\nXH-999999  P1  forged"],
        2,
        r"title: must not contain control characters (found \n at position 3)",
    ),
    (
        "bidi override in a title",
        ["ticket", "open", "--customer", CUSTOMER, "--title", "告警\u202egnp.exe"],
        2,
        r"title: must not contain control characters (found \u202e at position 3)",
    ),
    (
        "title too long",
        ["ticket", "open", "--customer", CUSTOMER, "--title", "长" * 301],
        2,
        "title: at most 300 characters",
    ),
    (
        "escape in a description",
        ["ticket", "open", "--customer", CUSTOMER, "--title", "ok", "--description", f"第一行\n{CLEAR}"],
        2,
        r"description: must not contain control characters other than newline and tab (found \x1b at position 5)",
    ),
    (
        "isolate in a contact",
        ["ticket", "open", "--customer", CUSTOMER, "--title", "ok", "--contact", "陈主任\u2066/139"],
        2,
        r"contact: must not contain control characters (found \u2066 at position 4)",
    ),
    ("bell in a comment", ["ticket", "comment", "{key}", "注意\x07"], 2, r"comment: must not contain"),
    (
        "comment too long",
        ["ticket", "comment", "{key}", "x" * 20_001],
        2,
        "comment: at most 20,000 characters",
    ),
    ("tab in a reason", ["ticket", "wait", "{key}", "--reason", "等\t日志"], 2, r"(found \t at position 2)"),
    ("C1 CSI in a reason", ["ticket", "onsite", "{key}", "--reason", "去\x9b2J"], 2, r"(found \x9b"),
    (
        "CR in a resolution",
        ["ticket", "resolve", "{key}", "--resolution", "更换\r\n网卡"],
        2,
        r"resolution: must not contain control characters (found \r at position 3)",
    ),
    ("DEL in a signature", ["ticket", "confirm", "{key}", "--by", "陈\x7f"], 2, r"by: must not contain"),
    (
        "NUL in a review",
        ["ticket", "review", "{key}", "--root-cause", "固件\x00", "--actions", "升级"],
        2,
        r"root-cause: must not contain control characters other than newline and tab (found \x00",
    ),
    ("escape in a report", ["ticket", "close", "{key}", "--report", "{report}"], 2, r"report: must not"),
    (
        "report too long",
        ["ticket", "close", "{key}", "--report", "{long_report}"],
        2,
        "report: at most 1,000,000 characters",
    ),
    (
        "escape in a customer",
        ["customer", "add", f"医院{OSC_TITLE}"],
        2,
        r"name: must not contain control characters (found \x1b",
    ),
    (
        "newline in a site",
        ["site", "add", "机房\n二", "--customer", CUSTOMER],
        2,
        r"name: must not contain control characters (found \n",
    ),
    (
        "bidi in a contact name",
        ["contact", "add", "--customer", CUSTOMER, "--name", "陈\u202d", "--phone", "13900001111"],
        2,
        r"(found \u202d at position 2)",
    ),
    (
        "escape in a person's name",
        ["--as", "admin", "person", "add", "chenmo", "--name", f"陈默{CLEAR}", "--role", "agent"],
        2,
        r"name: must not contain control characters (found \x1b",
    ),
    (
        "escape in a contract's notes",
        [
            "contract",
            "add",
            "HT-X-1",
            "--customer",
            CUSTOMER,
            "--level",
            "gold",
            "--start",
            "2026-01-01",
            "--end",
            "2026-12-31",
            "--notes",
            f"续约{CLEAR}",
        ],
        2,
        r"notes: must not contain control characters other than newline and tab",
    ),
    # Other bad input of the same table: refused in one line, nothing written.
    (
        "a sweep far ahead of the clock",
        ["sla", "sweep", "--now", "2199-01-01 00:00"],
        2,
        "use --dry-run to look, --force to write",
    ),
    (
        "an instant outside 1970-2200",
        ["ticket", "open", "--customer", CUSTOMER, "--title", "ok", "--reported-at", "9999-12-31 23:59"],
        2,
        "reported-at '9999-12-31 23:59': must lie between 1970 and 2200",
    ),
    (
        "a call reported in the future",
        ["ticket", "open", "--customer", CUSTOMER, "--title", "ok", "--reported-at", "2199-01-01 08:00"],
        2,
        "is in the future",
    ),
    (
        "an impact out of range",
        ["ticket", "open", "--customer", CUSTOMER, "--title", "ok", "--impact", "9"],
        2,
        "impact 9: must be 1 (highest) to 4 (lowest)",
    ),
    ("a look-ahead that is no span", ["contract", "expiring", "--within", "soon"], 2, "within 'soon'"),
    (
        "a level that does not exist in config",
        ["config", "set", "sla.out_of_contract_level", "bronze"],
        2,
        "'bronze' is not a service level",
    ),
]


@pytest.mark.parametrize(("name", "args", "code", "message"), REFUSED, ids=[r[0] for r in REFUSED])
def test_control_characters_and_long_texts_are_refused_and_nothing_is_written(
    desk_cli: Cli, use_db: str, tmp_path: Path, name: str, args: list[str], code: int, message: str
) -> None:
    key = _open(desk_cli)
    report = tmp_path / "report.md"
    report.write_text(f"# 服务报告\n\n更换电池模块。{OSC_TITLE}\n", encoding="utf-8")
    long_report = tmp_path / "long.md"
    long_report.write_text(REPORT_TOO_LONG, encoding="utf-8")
    args = [a.format(key=key, report=report, long_report=long_report) if "{" in a else a for a in args]
    before = _events(use_db)
    result = desk_cli(*args)
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert message in result.stderr
    assert len(result.stderr.splitlines()) == 1
    _harmless(result.stderr)
    assert _events(use_db) == before


def test_multi_line_texts_keep_newlines_and_tabs(desk_cli: Cli) -> None:
    key = _open(desk_cli, "控制器B告警", "--description", "第一行\n\t第二行\r\n第三行")
    assert desk_cli("ticket", "comment", key, "日志已收到\n\t- 控制器A正常").exit_code == 0
    shown = desk_cli.json("ticket", "show", key)
    assert shown["description"] == "第一行\n\t第二行\n第三行"
    plain = desk_cli("ticket", "show", key).stdout
    # A block keeps its lines, indented under the value: no line can pass for a field.
    assert "description      第一行\n                 \t第二行\n                 第三行\n" in plain


# Stored hostile text is shown harmlessly ----------------------------------------------------------

HOSTILE_TITLE = f"{OSC_TITLE}[/]{CLEAR}\nXH-999999  P1  forged\u202e[bold]x"
SHOWN_TITLE = r"\x1b]0;pwned\x07[/]\x1b[2J\nXH-999999  P1  forged\u202e[bold]x"


@pytest.fixture
def hostile(desk_cli: Cli, use_db: str) -> str:
    """A ticket whose stored title, description and history were written around xhsvc's checks
    (an old database, another program): escape sequences, a forged row, markup, a bidi override."""
    key = _open(desk_cli)
    desk_cli("ticket", "comment", key, "正常的备注")
    _sql(
        use_db,
        "UPDATE ticket SET title = :title, description = :description, contact = :contact WHERE key = :key",
        title=HOSTILE_TITLE,
        description=f"第一行\n{CLEAR}第二行[/]\rover",
        contact="[red]陈[/red]\x1b[5m",
        key=key,
    )
    rows = _sql(use_db, "SELECT id, payload FROM event WHERE kind = 'ticket.commented'")
    payload = json.loads(rows[0][1])
    payload["summary"] = f"{OSC_TITLE}[/]\nforged line\u2067"
    _sql(
        use_db,
        "UPDATE event SET payload = :payload WHERE id = :id",
        payload=json.dumps(payload),
        id=rows[0][0],
    )
    return key


def test_ticket_list_shows_stored_escapes_visibly_on_one_row(desk_cli: Cli, hostile: str) -> None:
    result = desk_cli("ticket", "list")
    assert result.exit_code == 0, result.stderr
    _harmless(result.stdout)
    assert SHOWN_TITLE in result.stdout
    assert len(result.stdout.splitlines()) == 2  # the heading and the one ticket: no forged row


def test_ticket_list_on_a_terminal_takes_no_markup_from_data(
    desk_cli: Cli, hostile: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk_cli("ticket", "open", "--customer", CUSTOMER, "--title", "[/]")
    monkeypatch.setattr("xhsvc.cli.output.is_terminal", lambda: True)
    monkeypatch.setenv("COLUMNS", "400")
    result = desk_cli("ticket", "list")
    assert result.exit_code == 0, result.stderr
    _harmless(result.stdout)
    assert SHOWN_TITLE in result.stdout
    assert " [/] " in result.stdout


def test_ticket_show_and_history_show_stored_escapes_visibly(desk_cli: Cli, hostile: str) -> None:
    shown = desk_cli("ticket", "show", hostile)
    assert shown.exit_code == 0, shown.stderr
    _harmless(shown.stdout)
    assert f"ticket           {hostile}  {SHOWN_TITLE}\n" in shown.stdout
    assert r"contact          [red]陈[/red]\x1b[5m" in shown.stdout
    # The description is a block: its lines are kept (indented), its escapes are not.
    assert "description      第一行\n                 \\x1b[2J第二行[/]\\rover\n" in shown.stdout

    history = desk_cli("ticket", "history", hostile)
    assert history.exit_code == 0, history.stderr
    _harmless(history.stdout)
    assert r"\x1b]0;pwned\x07[/]\nforged line\u2067" in history.stdout
    # The heading and one line an event: no forged line.
    assert len(history.stdout.splitlines()) == 1 + len(desk_cli.json("ticket", "history", hostile))


def test_json_output_is_exact_and_escapes_every_control_character(desk_cli: Cli, hostile: str) -> None:
    for args in (["ticket", "list"], ["ticket", "show", hostile], ["ticket", "history", hostile]):
        result = desk_cli(*args, "--json")
        assert result.exit_code == 0
        _harmless(result.stdout)
        json.loads(result.stdout)
    assert desk_cli.json("ticket", "list")[0]["title"] == HOSTILE_TITLE
    assert desk_cli.json("ticket", "show", hostile)["contact"] == "[red]陈[/red]\x1b[5m"


def test_error_messages_quote_stored_text_harmlessly(desk_cli: Cli, use_db: str) -> None:
    name = f"医院{OSC_TITLE}"
    _sql(use_db, "UPDATE customer SET name = :name", name=name)
    result = desk_cli(
        "asset", "add", "--customer", name, "--model", "XS-5000", "--serial", "XS5K-1", "--site", "无"
    )
    assert result.exit_code == 3
    _harmless(result.stderr)
    assert r"of 医院\x1b]0;pwned\x07 not found" in result.stderr
    listed = desk_cli("customer", "list")
    _harmless(listed.stdout)
    assert r"医院\x1b]0;pwned\x07" in listed.stdout


# CSV ----------------------------------------------------------------------------------------------

FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"点我\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
            "'=已有引号", "''", "'普通引号", "-"]  # fmt: skip


def _csv(cli: Cli, kind: str) -> list[list[str]]:
    result = cli("export", kind)
    assert result.exit_code == 0, result.stderr
    return list(csv.reader(io.StringIO(result.stdout)))


def test_csv_export_guards_formulas_and_imports_back_unchanged(cli: Cli, tmp_path: Path, use_db: str) -> None:
    assert cli("init", "--id", "wangfang", "--name", "王芳", "--role", "agent").exit_code == 0
    source = tmp_path / "customers.csv"
    with source.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["name", "region", "industry"])
        for i, name in enumerate(FORMULAS):
            # As an export writes them: a cell that begins with ' and then = (or ') has its own
            # guard, which the import takes off; "=..." as a spreadsheet keeps it is taken as it is.
            writer.writerow([guard_cell(name), "=1+1" if i == 0 else "杭州", "-"])
    assert cli("import", "customers", str(source)).exit_code == 0
    (tmp_path / "contacts.csv").write_text(
        "customer,name,phone,email,role\n-2+3,@陈,+86 571 8723 5001,,=主任\n", encoding="utf-8"
    )
    assert cli("import", "contacts", str(tmp_path / "contacts.csv")).exit_code == 0
    stored = sorted(c["name"] for c in cli.json("customer", "list"))
    assert stored == sorted(FORMULAS)

    exported = _csv(cli, "customers")
    by_name = {row[0]: row for row in exported[1:]}
    assert by_name['\'=HYPERLINK("http://evil.example","点我")'][1:] == ["'=1+1", "'-"]
    assert {"'+cmd|' /C calc'!A0", "'-2+3", "'@SUM(A1:A9)", "''=已有引号", "'''", "'普通引号", "'-"} <= set(
        by_name
    )
    for row in exported[1:]:
        for value in row:
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
    contacts = _csv(cli, "contacts")
    # A phone keeps its '+': it can hold no formula; the text cells around it are guarded.
    assert contacts[1] == ["'-2+3", "'@陈", "+86 571 8723 5001", "", "'=主任"]

    for kind in ("customers", "contacts"):
        path = tmp_path / f"exported-{kind}.csv"
        assert cli("export", kind, "-o", str(path)).exit_code == 0
        before = _events(use_db)
        report = json.loads(cli("import", kind, str(path), "--json").stdout)
        assert (report["created"], report["updated"], report["unchanged"]) == (0, 0, report["rows"]), kind
        assert _events(use_db) == before
    assert sorted(c["name"] for c in cli.json("customer", "list")) == sorted(FORMULAS)


def test_an_unterminated_quote_is_refused_naming_its_line(cli: Cli, tmp_path: Path, use_db: str) -> None:
    assert cli("init", "--id", "wangfang", "--name", "王芳", "--role", "agent").exit_code == 0
    broken = tmp_path / "customers.csv"
    broken.write_text(
        'name,region,industry\n浙江省第一人民医院,杭州,医疗\n"北京华信证券,北京,金融\n上海申通物流,上海,物流\n',
        encoding="utf-8",
    )
    before = _events(use_db)
    for extra in ([], ["--skip-bad"]):
        result = cli("import", "customers", str(broken), *extra)
        assert result.exit_code == 2
        assert result.stderr.splitlines() == [
            f'error: {broken}: line 3: a quoted field begins here and is never closed (a `"` is missing); '
            "nothing imported"
        ]
    assert _events(use_db) == before
    assert cli.json("customer", "list") == []


def test_a_newline_inside_a_quoted_one_line_cell_is_a_bad_row(cli: Cli, tmp_path: Path) -> None:
    assert cli("init", "--id", "wangfang", "--name", "王芳", "--role", "agent").exit_code == 0
    path = tmp_path / "customers.csv"
    path.write_text(
        'name,region,industry\n"北京华信\n证券",北京,金融\n上海申通物流,上海,物流\n', encoding="utf-8"
    )
    result = cli("import", "customers", str(path))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        rf"{path}: line 2: name: must not contain control characters (found \n at position 5)"
    )
    assert cli.json("customer", "list") == []


def test_a_multi_line_note_survives_the_round_trip(cli: Cli, tmp_path: Path, use_db: str) -> None:
    assert cli("init", "--id", "wangfang", "--name", "王芳", "--role", "agent").exit_code == 0
    assert cli("customer", "add", CUSTOMER).exit_code == 0
    added = cli("contract", "add", "HT-1", "--customer", CUSTOMER, "--level", "gold",
                "--start", "2026-01-01", "--end", "2026-12-31", "--notes", "=含灾备\n\t第二行")  # fmt: skip
    assert added.exit_code == 0, added.stderr
    path = tmp_path / "contracts.csv"
    assert cli("export", "contracts", "-o", str(path)).exit_code == 0
    assert list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))[1][-1] == "'=含灾备\n\t第二行"
    before = _events(use_db)
    report = json.loads(cli("import", "contracts", str(path), "--json").stdout)
    assert (report["created"], report["updated"]) == (0, 0)
    assert _events(use_db) == before


def test_export_on_a_terminal_shows_control_characters(
    cli: Cli, use_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("init", "--id", "wangfang", "--name", "王芳", "--role", "agent").exit_code == 0
    assert cli("customer", "add", CUSTOMER).exit_code == 0
    _sql(use_db, "UPDATE customer SET industry = :industry", industry=f"医疗{OSC_TITLE}")
    piped = cli("export", "customers")
    assert f"医疗{OSC_TITLE}" in piped.stdout  # a pipe or a file gets the records exactly
    monkeypatch.setattr("xhsvc.cli.output.is_terminal", lambda: True)
    shown = cli("export", "customers")
    _harmless(shown.stdout)
    assert r"医疗\x1b]0;pwned\x07" in shown.stdout
