"""The dashboard's header: Textual's, with a clock in the desk's time zone.

Textual's HeaderClock shows `datetime.now()`, the machine's local time: on a server set to UTC the
agents in 杭州 would read a clock eight hours off. This one shows the desk's clock (`ctx.now()`, the
test clock in tests) in `ctx.settings.timezone`, as every other time on the dashboard is shown.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult, RenderResult
from textual.widgets import Header

# Textual exports neither class; the header's own compose yields them.
from textual.widgets._header import HeaderClock


class DeskClock(HeaderClock):
    """HH:MM:SS in the desk's zone; ticks every second as Textual's clock does."""

    def render(self) -> RenderResult:
        app = self.app
        now = app.now().astimezone(app.zone)  # type: ignore[attr-defined]
        return Text(now.strftime(self.time_format))


class DeskHeader(Header):
    """Header(show_clock=...) with the desk's clock in place of the machine's."""

    def compose(self) -> ComposeResult:
        for child in super().compose():
            yield DeskClock().data_bind(Header.time_format) if isinstance(child, HeaderClock) else child
