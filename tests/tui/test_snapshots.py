"""Snapshots of the main screens (on the test clock, so every countdown is the same each run), at
80x24 (the smallest terminal the desk uses) and 120x36. tests/tui/zh runs the same in Chinese.

After an intended change of a screen: pytest tests/tui/test_snapshots.py --snapshot-update, then look
at the new SVGs before committing them."""

from __future__ import annotations

import pytest

from tests.tui.test_dashboard import settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 36), id="120x36")]


@pytest.mark.parametrize("size", SIZES)
def test_queue(snap_compare, make_app, queue, size) -> None:
    assert snap_compare(make_app(), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_ticket(snap_compare, make_app, queue, size) -> None:
    async def open_onsite(pilot) -> None:
        await settle(pilot)
        await pilot.press("down", "down", "enter")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=open_onsite)


@pytest.mark.parametrize("size", SIZES)
def test_intake(snap_compare, make_app, queue, size) -> None:
    async def take_a_call(pilot) -> None:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"87235001", "enter")
        await settle(pilot)
        await pilot.press(*"存储控制器离线")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=size, run_before=take_a_call)


def test_approve_dialog(snap_compare, make_app, queue) -> None:
    async def approve(pilot) -> None:
        await settle(pilot)
        await pilot.press("down", "down", "p")
        await settle(pilot)

    assert snap_compare(make_app("zhoujian"), terminal_size=(80, 24), run_before=approve)


def test_managers_view(snap_compare, make_app, queue) -> None:
    async def open_view(pilot) -> None:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)

    assert snap_compare(make_app("zhoujian"), terminal_size=(120, 36), run_before=open_view)


def test_command_palette(snap_compare, make_app, queue) -> None:
    async def open_palette(pilot) -> None:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=(120, 36), run_before=open_palette)


def test_help(snap_compare, make_app, queue) -> None:
    async def open_help(pilot) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(110, 40), run_before=open_help)
