"""Parts and the service report through the command line: `ticket part`, `ticket parts`,
`ticket report`, and `ticket close` on on-site work keeping the report xhsvc writes."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Cli
from tests.conftest import CUSTOMER


def _onsite(cli: Cli) -> str:
    key = cli("ticket", "open", "--customer", CUSTOMER, "--title", "硬盘故障灯亮").stdout.strip()
    for args in (
        ("ticket", "assign", key, "lijun"),
        ("--as", "lijun", "ticket", "respond", key),
        ("--as", "lijun", "ticket", "onsite", key, "--reason", "需现场更换硬盘"),
        ("ticket", "approve", key),
    ):
        done = cli(*args)
        assert done.exit_code == 0, (args, done.stderr)
    return key


def test_parts_are_recorded_listed_and_end_in_the_report_kept_at_close(desk_cli: Cli, tmp_path: Path) -> None:
    cli = desk_cli
    key = _onsite(cli)
    done = cli(
        "--as", "lijun", "ticket", "part", key.lower(), "dk-4t-sas", "-d", "4TB SAS 硬盘", "--removed", "ZC1001",
        "--installed", "ZC2002",
    )  # fmt: skip
    assert (done.exit_code, done.stdout.strip()) == (0, f"{key}: 1 x DK-4T-SAS recorded"), done.stderr
    entry = cli.json("--as", "lijun", "ticket", "part", key, "BBU-01", "--qty", "2")
    assert (entry["part_number"], entry["quantity"], entry["person"]) == ("BBU-01", 2, "lijun")
    listed = cli("ticket", "parts", key).stdout
    assert "DK-4T-SAS" in listed and "ZC2002" in listed and "BBU-01" in listed

    html = tmp_path / "report.html"
    written = cli("ticket", "report", key, "--format", "html", "-o", str(html))
    assert written.exit_code == 0 and html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")

    assert cli("--as", "lijun", "ticket", "resolve", key, "--resolution", "更换硬盘").exit_code == 0
    assert cli("ticket", "confirm", key, "--by", "陈主任").exit_code == 0
    closed = cli("ticket", "close", key)
    assert closed.exit_code == 0, closed.stderr
    report = cli.json("ticket", "show", key)["report"]
    assert "| DK-4T-SAS | 4TB SAS 硬盘 | 1 | ZC1001 | ZC2002 |" in report
    assert "陈主任 于" in report and "已关闭 Closed" in report


def test_bad_parts_and_reports_are_one_line_errors_with_their_exit_codes(
    desk_cli: Cli, tmp_path: Path
) -> None:
    cli = desk_cli
    key = _onsite(cli)
    cases = [
        (("ticket", "part", key, "DK-4T-SAS"), 4, "only engineer"),  # the agent
        (("--as", "lijun", "ticket", "part", key, "DK", "--qty", "0"), 2, "quantity: from 1 to 100"),
        (("--as", "lijun", "ticket", "part", "XH-999999", "DK"), 3, "not found"),
        (("ticket", "report", key, "--format", "docx"), 2, "md, html or pdf"),
        (("ticket", "report", key, "-o", str(tmp_path / "no" / "such" / "r.md")), 2, "cannot write it"),
    ]
    for args, code, words in cases:
        done = cli(*args)
        assert done.exit_code == code, (args, done.stderr)
        assert words in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert cli.json("ticket", "parts", key) == []
