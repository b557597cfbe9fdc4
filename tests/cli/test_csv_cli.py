"""CSV files as spreadsheets in China write and read them: UTF-8 with or without a BOM, GBK and
GB18030 in; every problem of a file or a row said at once; `export --excel` for Excel."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.cli.conftest import Cli
from tests.conftest import CUSTOMER

# 䶮 and 𪚥 are in GB18030 only (2 and 4 bytes there), as rare characters in names are.
NAMES = ["浙江省第一人民医院", "北京华信证券", "广州南沙港务集团", "刘䶮口腔诊所", "𪚥记五金"]
NOT_TEXT = "not text in UTF-8 (with or without BOM) or GBK/GB18030; save it as CSV UTF-8; nothing imported"


def _customers_csv(names: list[str]) -> str:
    # As Excel saves it: CRLF line ends.
    return "name,region,industry\r\n" + "".join(f"{n},杭州,医疗\r\n" for n in names)


def _names(cli: Cli) -> list[str]:
    return sorted(c["name"] for c in cli.json("customer", "list"))


def _agent(cli: Cli) -> None:
    assert cli("init", "--id", "wangfang", "--name", "王芳", "--role", "agent").exit_code == 0


@pytest.mark.parametrize(
    "names",
    [
        NAMES,
        ["王"],  # a single hanzi: too little for a detector left to guess among all code pages
        [f"客户{n:05d}" for n in range(5000)] + NAMES,  # far beyond the head the encoding is told from
    ],
    ids=["names", "one-hanzi", "long"],
)
def test_a_csv_saved_by_excel_in_gb18030_imports_with_its_chinese_names(
    cli: Cli, tmp_path: Path, names: list[str]
) -> None:
    _agent(cli)
    path = tmp_path / "customers.csv"
    path.write_bytes(_customers_csv(names).encode("gb18030"))
    result = cli("import", "customers", str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"customers: {len(names)} created, 0 updated, 0 unchanged\n"
    assert _names(cli) == sorted(names)
    assert {c["region"] for c in cli.json("customer", "list")} == {"杭州"}


def test_a_gbk_csv_whose_first_rows_are_ascii_imports_too(cli: Cli, tmp_path: Path) -> None:
    """Rows of Latin letters alone say nothing of the encoding: it is told from the first hanzi."""
    _agent(cli)
    latin = [f"Customer {n:05d}" for n in range(5000)]  # ~130 KB before the first hanzi
    path = tmp_path / "customers.csv"
    path.write_bytes(
        ("name,region,industry\r\n" + "".join(f"{n},Hangzhou,IT\r\n" for n in latin)).encode("ascii")
        + "".join(f"{n},杭州,医疗\r\n" for n in NAMES).encode("gb18030")
    )
    result = cli("import", "customers", str(path))
    assert result.exit_code == 0, result.stderr
    assert _names(cli) == sorted(latin + NAMES)


def test_a_gbk_csv_on_stdin_imports_too(cli: Cli) -> None:
    _agent(cli)
    gbk = _customers_csv(NAMES[:3]).encode("gbk")
    result = cli("import", "customers", "-", input=gbk)  # type: ignore[arg-type]
    assert result.exit_code == 0, result.stderr
    assert _names(cli) == sorted(NAMES[:3])


def test_a_utf8_csv_with_a_bom_imports_and_its_first_column_is_known(cli: Cli, tmp_path: Path) -> None:
    _agent(cli)
    path = tmp_path / "customers.csv"
    path.write_bytes(_customers_csv(NAMES).encode("utf-8-sig"))
    assert cli("import", "customers", str(path)).exit_code == 0
    assert _names(cli) == sorted(NAMES)


def _xlsx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", "<sheetData>" + "浙江省第一人民医院" * 50 + "</sheetData>")
    return out.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        "name,region\nCafé Müller,Köln\nJosé Peña,São Paulo\n".encode("latin-1"),
        _xlsx(),  # the workbook instead of a CSV saved from it
        "name,region\n浙江省第一人民医院,杭州\n".encode("utf-16"),
    ],
    ids=["latin-1", "xlsx", "utf-16"],
)
def test_a_file_in_another_encoding_is_refused_and_nothing_is_imported(
    cli: Cli, tmp_path: Path, content: bytes
) -> None:
    _agent(cli)
    path = tmp_path / "customers.csv"
    path.write_bytes(content)
    result = cli("import", "customers", str(path), "--skip-bad")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"error: file {path}: {NOT_TEXT}"]
    assert _names(cli) == []


def test_a_byte_that_does_not_decode_past_the_head_undoes_the_whole_import(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The encoding is told from the head of the file; a bad byte far beyond it is found as the
    pages are written, and the pages before it are undone."""
    from xhsvc.core import transfer

    monkeypatch.setattr(transfer, "PAGE", 500)
    _agent(cli)
    path = tmp_path / "customers.csv"
    good = _customers_csv([f"客户{n:05d}" for n in range(5000)]).encode("utf-8")
    path.write_bytes(good + "广州测试医院,广州,医疗\r\n".encode("gbk"))
    result = cli("import", "customers", str(path))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"error: file {path}: {NOT_TEXT}"]
    assert _names(cli) == []


def test_an_unknown_column_is_refused_by_name(cli: Cli, tmp_path: Path) -> None:
    _agent(cli)
    path = tmp_path / "customers.csv"
    path.write_text(
        "name,region,industry,phone\n浙江省第一人民医院,杭州,医疗,0571-87235001\n", encoding="utf-8"
    )
    result = cli("import", "customers", str(path))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {path}: header: unknown column(s) phone; customers columns are name, region, industry"
    ]
    assert _names(cli) == []


def test_empty_columns_a_spreadsheet_adds_at_the_end_are_no_unknown_column(cli: Cli, tmp_path: Path) -> None:
    _agent(cli)
    path = tmp_path / "customers.csv"
    path.write_text("name,region,industry,,\n浙江省第一人民医院,杭州,医疗,,\n", encoding="utf-8")
    assert cli("import", "customers", str(path)).exit_code == 0
    assert _names(cli) == ["浙江省第一人民医院"]


def test_cells_beyond_the_header_are_a_bad_row_not_dropped(cli: Cli, tmp_path: Path) -> None:
    _agent(cli)
    path = tmp_path / "sites.csv"
    assert cli("customer", "add", CUSTOMER).exit_code == 0
    # The address holds a comma and is not quoted: the city and region shift one cell right.
    path.write_text(
        f"customer,name,address,city,region\n{CUSTOMER},主院区机房,解放路88号,3楼,杭州,浙江\n",
        encoding="utf-8",
    )
    result = cli("import", "sites", str(path))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{path}: line 2: extra cells: '浙江' beyond the 5 column(s) of the header "
        "(a comma in a cell that is not quoted?)",
        "error: 1 bad row(s) of 1; nothing imported (fix them, or --skip-bad)",
    ]
    assert cli.json("site", "list") == []


def test_every_bad_field_of_a_row_is_reported(desk_cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(
        "customer,name,phone,email,role\n"
        f"{CUSTOMER},陈主任,13905710011,,信息科主任\n"
        f"{CUSTOMER},李工,0571-8723 50O1,li@,\n"
        f"不存在的客户,,13905710012,,{'长' * 101}\n",
        encoding="utf-8",
    )
    result = desk_cli("import", "contacts", str(path))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{path}: line 3: phone: digits, with an optional leading +, spaces, '-' or brackets; "
        "email: not an e-mail address",
        f"{path}: line 4: customer: '不存在的客户' is not a customer (import customers first); "
        "name: must not be empty; role: at most 100 characters",
        "error: 2 bad row(s) of 3; nothing imported (fix them, or --skip-bad)",
    ]
    assert desk_cli.json("contact", "list") == []
    report = json.loads(desk_cli("import", "contacts", str(path), "--json").stdout)
    assert [[p["field"] for p in bad["problems"]] for bad in report["bad"]] == [
        ["phone", "email"],
        ["customer", "name", "role"],
    ]
    skipped = json.loads(desk_cli("import", "contacts", str(path), "--skip-bad", "--json").stdout)
    assert (skipped["applied"], skipped["created"]) == (True, 1)
    assert [c["name"] for c in desk_cli.json("contact", "list")] == ["陈主任"]


def test_export_for_excel_begins_with_a_bom_and_imports_back_unchanged(desk_cli: Cli, tmp_path: Path) -> None:
    for name in NAMES[1:]:
        assert desk_cli("customer", "add", name, "--region", "广州", "--industry", "=港口").exit_code == 0
    path = tmp_path / "customers.csv"
    assert desk_cli("export", "customers", "--excel", "-o", str(path)).exit_code == 0
    content = path.read_bytes()
    assert content.startswith(b"\xef\xbb\xbfname,region,industry\n")
    assert "'=港口" in content.decode("utf-8-sig")  # the formula guard is still there
    piped = desk_cli("export", "customers", "--excel")
    assert piped.stdout_bytes == content
    plain = desk_cli("export", "customers")
    assert plain.stdout_bytes == content.removeprefix(b"\xef\xbb\xbf")

    report = json.loads(desk_cli("import", "customers", str(path), "--json").stdout)
    rows = len(NAMES)
    assert (report["rows"], report["created"], report["updated"], report["unchanged"]) == (rows, 0, 0, rows)
    assert _names(desk_cli) == sorted(NAMES)
    assert desk_cli("export", "customers", "--excel", "--json").exit_code == 2


def test_a_long_import_moves_the_bar_to_the_end_of_the_file_and_a_pipe_shows_none(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xhsvc.cli import transfer as cli_transfer
    from xhsvc.core import transfer

    _agent(cli)
    monkeypatch.setattr(transfer, "PAGE", 1000)
    path = tmp_path / "customers.csv"
    path.write_bytes(_customers_csv([f"客户{n:05d}" for n in range(5000)]).encode("gbk"))
    quiet = cli("import", "customers", str(path))
    assert (quiet.exit_code, quiet.stderr) == (0, "")  # the test's stderr is a pipe: no bar

    bars: list[tuple[int | None, list[int]]] = []

    @contextmanager
    def progress(label: str, total: int | None) -> Iterator[Callable[[int], None]]:
        done: list[int] = []
        bars.append((total, done))
        yield done.append

    monkeypatch.setattr(cli_transfer, "progress", progress)
    assert cli("import", "customers", str(path)).exit_code == 0
    [(total, done)] = bars
    size = path.stat().st_size
    assert total == size and len(done) == 5 and done == sorted(done) and done[-1] == size
