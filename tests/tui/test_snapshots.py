"""Snapshots of the main screens (on the test clock, so every countdown is the same each run).

After an intended change of a screen: pytest tests/tui/test_snapshots.py --snapshot-update, then look
at the new SVGs before committing them."""

from __future__ import annotations

from tests.tui.conftest import SIZE
from tests.tui.test_dashboard import settle


def test_queue(snap_compare, make_app, queue) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=settle)


def test_queue_at_80x24(snap_compare, make_app, queue) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=settle)


def test_ticket(snap_compare, make_app, queue) -> None:
    async def open_onsite(pilot) -> None:
        await settle(pilot)
        await pilot.press("down", "down", "enter")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=(120, 48), run_before=open_onsite)


def test_managers_view(snap_compare, make_app, queue) -> None:
    async def open_view(pilot) -> None:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)

    assert snap_compare(make_app("zhoujian"), terminal_size=SIZE, run_before=open_view)


def test_help(snap_compare, make_app, queue) -> None:
    async def open_help(pilot) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(110, 40), run_before=open_help)
