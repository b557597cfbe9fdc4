"""The manager's reports through the command line: `report sla|backlog|workload|entitlements|majors`
with the terminal view, --json, --csv and --html; who may read them and what is refused (exit codes).

The CLI runs on the real clock: the tickets are recorded, answered and resolved now, in this month."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.cli.conftest import Cli
from tests.conftest import CUSTOMER

HOSTILE = '=HYPERLINK("http://x")<script>alert(1)</script>'


@pytest.fixture
def worked(desk_cli: Cli) -> dict[str, str]:
    """A routine ticket answered and resolved at once, and a major incident (hostile title) still open."""
    cli = desk_cli
    keys = {}
    for name, extra in (("routine", []), ("major", ["--impact", "1"])):
        title = HOSTILE if name == "major" else "控制器告警"
        opened = cli("ticket", "open", "--customer", CUSTOMER, "--title", title, *extra)
        assert opened.exit_code == 0, opened.stderr
        keys[name] = key = opened.stdout.strip()
        assert cli("ticket", "assign", key, "lijun").exit_code == 0
        assert cli("--as", "lijun", "ticket", "respond", key).exit_code == 0
    resolved = cli("--as", "lijun", "ticket", "resolve", keys["routine"], "-r", "重启控制器")
    assert resolved.exit_code == 0, resolved.stderr
    assert cli("--as", "lijun", "ticket", "log", keys["routine"], "1h30m", "--kind", "remote").exit_code == 0
    return keys


def test_sla_as_json_csv_and_on_the_terminal(desk_cli: Cli, worked) -> None:
    cli = desk_cli
    report = cli.json("--as", "zhoujian", "report", "sla", "--by", "engineer")
    total = report["total"]
    assert (total["tickets"], total["met"], total["breached"], total["compliance"]) == (2, 3, 0, 100.0)
    assert total["targets"]["response"] == {"met": 2, "breached": 0, "compliance": 100.0}
    assert [g["group"] for g in report["groups"]] == ["lijun"]
    assert len(report["daily"]) >= 28

    done = cli("--as", "zhoujian", "report", "sla", "--csv")
    assert done.exit_code == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [r["group"] for r in rows] == ["total"]
    assert (rows[0]["met"], rows[0]["response_met"], rows[0]["compliance"]) == ("3", "2", "100.0")

    shown = cli("--as", "zhoujian", "report", "sla")
    assert shown.exit_code == 0, shown.stderr
    assert "100.0%" in shown.stdout and "█" in shown.stdout and "compliance" in shown.stdout


def test_html_pages_hold_the_figures_and_no_unescaped_text(desk_cli: Cli, worked, tmp_path: Path) -> None:
    cli = desk_cli
    for kind in ("sla", "backlog", "workload", "entitlements", "majors"):
        page = tmp_path / f"{kind}.html"
        done = cli("--as", "zhoujian", "report", kind, "--html", str(page))
        assert done.exit_code == 0, done.stderr
        assert str(page) in done.stdout
        html = page.read_text(encoding="utf-8")
        assert html.startswith("<!DOCTYPE html>") and ("<svg" in html or kind == "majors")
        # No script, no link out, nothing the page loads: it is mailed and printed as it is.
        assert "<script" not in html and "<link" not in html and " src=" not in html
        assert "@media print" in html
    sla = (tmp_path / "sla.html").read_text(encoding="utf-8")
    assert "100.0%" in sla and "<polyline" in sla
    majors = (tmp_path / "majors.html").read_text(encoding="utf-8")
    assert worked["major"] in majors and "&lt;script&gt;alert(1)&lt;/script&gt;" in majors


def test_other_reports_as_json_and_csv(desk_cli: Cli, worked) -> None:
    cli = desk_cli
    backlog = cli.json("report", "backlog")  # the agent may read the backlog
    assert backlog["open"] == 2 and backlog["major"] == 1
    workload = cli.json("--as", "zhoujian", "report", "workload")
    lijun = next(r for r in workload["rows"] if r["engineer"] == "lijun")
    assert (lijun["open"], lijun["resolved"], lijun["minutes"]) == (2, 1, 90)
    entitlements = cli.json("--as", "admin", "report", "entitlements")
    assert entitlements["rows"][0]["entitlements"]["inspections"]["granted"] == 4
    majors = cli("--as", "zhoujian", "report", "majors", "--csv")
    assert majors.exit_code == 0, majors.stderr
    (row,) = csv.DictReader(io.StringIO(majors.stdout))
    # A title a spreadsheet would run as a formula is guarded.
    assert row["key"] == worked["major"] and row["title"] == "'" + HOSTILE
    for kind in ("backlog", "workload", "entitlements", "majors"):
        shown = cli("--as", "zhoujian", "report", kind)
        assert shown.exit_code == 0, shown.stderr


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["report", "sla"], 4, "report sla: only manager or admin may read it; wangfang is agent"),
        (["--as", "zhoujian", "report", "sla", "--month", "2026-13"], 2, "month '2026-13': use YYYY-MM"),
        (["--as", "zhoujian", "report", "sla", "--by", "team"], 2, "by 'team': must be one of level"),
        (
            ["--as", "zhoujian", "report", "sla", "--json", "--csv"],
            2,
            "choose one of --json, --csv and --html",
        ),
        (["--as", "zhoujian", "report", "majors", "--customer", "无此客户"], 3, "not found"),
        (["--as", "lijun", "report", "workload"], 4, "only manager or admin"),
    ],
)
def test_refusals_are_one_line_with_their_exit_code(desk_cli: Cli, args, code, message) -> None:
    done = desk_cli(*args)
    assert done.exit_code == code, done.stdout
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1
