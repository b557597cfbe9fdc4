"""`xhsvc report review`: a customer's monthly review through the command line, to the terminal
or to a file, and its refusals as one-line errors with their exit codes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.cli.conftest import Cli
from tests.conftest import CUSTOMER


def _this_month() -> str:
    return datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")


def test_the_review_goes_to_the_terminal_or_to_a_file(desk_cli: Cli, tmp_path: Path) -> None:
    cli = desk_cli
    key = cli("ticket", "open", "--customer", CUSTOMER, "--title", "控制器 <告警> | 1").stdout.strip()
    month = _this_month()
    shown = cli("--as", "zhoujian", "report", "review", "--customer", CUSTOMER, "--month", month)
    assert shown.exit_code == 0, shown.stderr
    assert shown.stdout.startswith(f"# 客户服务回顾 Service review — {CUSTOMER} {month}")
    assert f"| {key} |" in shown.stdout and "控制器 \\<告警\\> \\| 1" in shown.stdout

    html = tmp_path / "回顾.html"
    written = cli("--as", "zhoujian", "report", "review", "-c", CUSTOMER, "--month", month,
                  "--format", "html", "-o", str(html))  # fmt: skip
    assert written.exit_code == 0, written.stderr
    assert written.stdout.strip() == f"report written to {html}"
    page = html.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "控制器 &lt;告警&gt; | 1" in page

    md = tmp_path / "回顾.md"
    assert (
        cli("--as", "admin", "report", "review", "-c", CUSTOMER, "--month", month, "-o", str(md)).exit_code
        == 0
    )
    kept = md.read_text(encoding="utf-8")
    assert f"| {key} |" in kept and "系统管理员 (admin)" in kept

    pytest.importorskip("weasyprint")
    pdf = tmp_path / "回顾.pdf"
    done = cli(
        "--as",
        "admin",
        "report",
        "review",
        "-c",
        CUSTOMER,
        "--month",
        month,
        "--format",
        "pdf",
        "-o",
        str(pdf),
    )
    assert done.exit_code == 0 and pdf.read_bytes().startswith(b"%PDF-")


def test_bad_reviews_are_one_line_errors_with_their_exit_codes(desk_cli: Cli, tmp_path: Path) -> None:
    cli = desk_cli
    month = _this_month()
    review = ("--as", "zhoujian", "report", "review", "-c", CUSTOMER)
    cases = [
        (("report", "review", "-c", CUSTOMER, "--month", month), 4, "only manager or admin"),  # the agent
        ((*review, "--month", "2026-13"), 2, "month '2026-13': use YYYY-MM"),
        (("--as", "zhoujian", "report", "review", "-c", "没有这个客户", "--month", month), 3, "not found"),
        ((*review, "--month", month, "--format", "docx"), 2, "md, html or pdf"),
        ((*review, "--month", month, "-o", str(tmp_path / "no" / "such" / "r.md")), 2, "cannot write it"),
    ]
    for args, code, words in cases:
        done = cli(*args)
        assert done.exit_code == code, (args, done.stderr)
        assert words in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert not (tmp_path / "no").exists()
    missing = cli("--as", "zhoujian", "report", "review", "--month", month)
    assert missing.exit_code == 2 and "--customer" in missing.stderr
