"""The dashboard at 80x24 and 120x36: the queue's columns fit, the footer is whole, the header's
clock is the desk's."""

from __future__ import annotations

from textual.widgets import DataTable, Footer

from tests.tui.conftest import SIZE
from tests.tui.test_dashboard import rows, settle
from xhsvc.tui.screens.queue import COLUMNS, layout_for
from xhsvc.tui.widgets.header import DeskClock


def columns(app) -> list[str]:
    table = app.screen.query_one("#queue", DataTable)
    return [str(key.value) for key in table.columns]


def test_the_title_always_has_room() -> None:
    for width in (80, 100, 120, 160, 200):
        chosen = layout_for(width)
        widths = dict((key, w) for key, _, w in chosen.columns)
        assert "title" in widths and widths["title"] >= 18, (width, chosen)
        # Every column with its padding, and the scrollbar, within the terminal.
        assert sum(w + 2 for w in widths.values()) + 1 <= width, (width, chosen)
    # Wide enough: every column, each clock.
    assert layout_for(200).keys == [key for key, _, _ in COLUMNS]
    assert not layout_for(200).nearest_clock_only


async def test_the_queue_chooses_its_columns_by_width(make_app, queue) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert {"title", "pending", "assignee", "customer"} <= set(columns(app))
        assert "tier" not in columns(app)
        table = app.screen.query_one("#queue", DataTable)
        table.move_cursor(row=rows(app).index(queue["onsite"]))

        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert columns(app) == ["key", "priority", "sla", "status", "customer", "title"]
        assert rows(app) == [queue["urgent"], queue["routine"], queue["onsite"]]
        assert app.screen.current_key() == queue["onsite"]  # the cursor stayed on its ticket
        # The nearest clock only: the response clock of the P1 call, not its resolution clock.
        assert str(table.get_cell(queue["urgent"], "sla")) == "resp 10m00s"
        assert str(table.get_cell(queue["urgent"], "title")) == "双活集群中断"

        await pilot.resize_terminal(*SIZE)
        await settle(pilot)
        assert "pending" in columns(app)
        assert "res 7h40m" in str(table.get_cell(queue["urgent"], "sla"))


async def test_a_major_incident_is_marked_in_a_narrow_queue(make_app, queue, desk) -> None:
    from tests.conftest import CUSTOMER
    from xhsvc.core import tickets

    major = tickets.open_ticket(desk("wangfang"), customer=CUSTOMER, title="核心宕机", impact=1, urgency=1)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#queue", DataTable)
        assert str(table.get_cell(major.ticket.key, "priority")) == "P1!"


async def test_the_footer_is_whole_at_80_and_120_columns(make_app, queue) -> None:
    for size in ((80, 24), SIZE):
        app = make_app("zhoujian")
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            for screen in ("queue", "ticket"):
                if screen == "ticket":
                    await pilot.press("enter")
                    await settle(pilot)
                footer = app.screen.query_one(Footer)
                keys = list(footer.query("FooterKey"))
                assert keys, screen
                # Nothing scrolled away: every key of the footer lies inside the terminal.
                assert all(k.region.right <= size[0] for k in keys), (size, screen)
                assert footer.max_scroll_x == 0, (size, screen)
                shown = {k.key for k in keys}
                assert {"question_mark", "q", "a", "e", "p"} <= shown, (size, screen, shown)


async def test_the_header_clock_is_the_desks_time(make_app, queue, desk) -> None:
    from xhsvc.tui.app import XhsvcApp

    app = XhsvcApp(desk("wangfang"), refresh_seconds=60, show_clock=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        clock = app.screen.query_one(DeskClock)
        # The test clock stands at 02:20 UTC: 10:20 in 杭州 (Asia/Shanghai), whatever the
        # machine's own zone.
        assert str(clock.render()) == "10:20:00"
        await pilot.press("enter")
        await settle(pilot)
        assert str(app.screen.query_one(DeskClock).render()) == "10:20:00"
