"""Parts and the service report from the dashboard: `P` records a part replaced on the ticket under
the cursor, `S` shows the service report as it stands and `h` there saves it as a page to print."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui.conftest import SIZE
from tests.tui.test_actions import question, select
from tests.tui.test_dashboard import settle
from xhsvc.core import parts
from xhsvc.tui.dialogs import FormDialog
from xhsvc.tui.service_record import ReportScreen


async def test_a_part_recorded_shows_in_the_report_saved_as_html(
    make_app, queue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app("wuhao")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        select(app, queue["onsite"])
        await pilot.press("P")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        assert f"Part replaced on {queue['onsite']}" in question(app)
        await pilot.press(*"dk-4t-sas", "tab", "backspace", "2", "tab", *"SAS 硬盘", "ctrl+s")
        await settle(pilot)
        assert any("2 x DK-4T-SAS recorded" in n.message for n in app._notifications)
        listed = parts.list_parts(app.ctx, key=queue["onsite"])
        assert [(p["part_number"], p["quantity"], p["description"]) for p in listed] == [
            ("DK-4T-SAS", 2, "SAS 硬盘")
        ]

        await pilot.press("S")
        await settle(pilot)
        assert isinstance(app.screen, ReportScreen)
        assert "| DK-4T-SAS | SAS 硬盘 | 2 |" in app.screen.markdown
        await pilot.press("h")
        await settle(pilot)
        page = tmp_path / f"{queue['onsite']}.html"
        assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ReportScreen)


async def test_a_quantity_that_is_not_a_number_records_nothing(make_app, queue) -> None:
    app = make_app("wuhao")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        select(app, queue["onsite"])
        await pilot.press("P")
        await pilot.pause()
        await pilot.press(*"BBU-01", "tab", "backspace", *"两个", "ctrl+s")
        await settle(pilot)
        assert any("quantity: from 1 to 100" in n.message for n in app._notifications)
        assert parts.list_parts(app.ctx, key=queue["onsite"]) == []
