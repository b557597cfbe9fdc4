"""An import finds a row that repeats an earlier one wherever the two are in the file: on the same
page of rows or pages apart (earlier pages' keys are kept in the database, not in memory)."""

from __future__ import annotations

import pytest

from tests.conftest import MakeCtx
from xhsvc.core import customers, transfer


def _customers(*names: str) -> list[str]:
    return ["name,region,industry", *(f"{name},成都,教育" for name in names)]


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transfer, "PAGE", 3)


@pytest.mark.usefixtures("small_pages")
def test_a_repeat_pages_apart_names_the_first_line_and_writes_nothing(desk: MakeCtx) -> None:
    ctx = desk("admin")
    before = len(customers.list_customers(ctx))
    # Lines 2-4 are the first page, 5-7 the second, 8-9 the third.
    names = ["甲公司", "乙公司", "丙公司", "丁公司", "戊公司", "己公司", "乙公司", "庚公司"]
    report = transfer.import_rows(ctx, kind="customers", lines=_customers(*names))
    assert not report.applied
    assert [(b.line, b.field, b.message) for b in report.bad] == [(8, "name", "repeats line 3")]
    assert len(customers.list_customers(ctx)) == before


@pytest.mark.usefixtures("small_pages")
def test_repeats_on_the_same_page_and_across_pages_are_all_reported_in_line_order(desk: MakeCtx) -> None:
    names = ["甲公司", "甲公司", "乙公司", "丙公司", "乙公司", "丁公司", "戊公司", "甲公司"]
    report = transfer.import_rows(desk("admin"), kind="customers", lines=_customers(*names))
    assert [(b.line, b.message) for b in report.bad] == [
        (3, "repeats line 2"),
        (6, "repeats line 4"),
        (9, "repeats line 2"),
    ]


@pytest.mark.usefixtures("small_pages")
def test_with_skip_bad_the_first_of_a_repeated_name_is_written_and_the_repeat_skipped(desk: MakeCtx) -> None:
    ctx = desk("admin")
    names = ["甲公司", "乙公司", "丙公司", "丁公司", "甲公司"]
    report = transfer.import_rows(ctx, kind="customers", lines=_customers(*names), skip_bad=True)
    assert report.applied
    assert (report.created, [b.line for b in report.bad]) == (4, [6])
    # The same file again: every row now matches what is there, and the repeat is still a repeat.
    again = transfer.import_rows(ctx, kind="customers", lines=_customers(*names), skip_bad=True)
    assert (again.created, again.unchanged, [b.line for b in again.bad]) == (0, 4, [6])


@pytest.mark.usefixtures("small_pages")
def test_a_repeated_row_with_another_bad_field_reports_the_repeat_first(desk: MakeCtx) -> None:
    lines = [
        "name,region,industry",
        "甲公司,成都,教育",
        "乙公司,成都,教育",
        "丙公司,成都,教育",
        "甲公司,成都," + "x" * 65,
    ]
    report = transfer.import_rows(desk("admin"), kind="customers", lines=lines)
    assert [p[0] for p in report.bad[0].problems] == ["name", "industry"]
    assert report.bad[0].problems[0][1] == "repeats line 2"
