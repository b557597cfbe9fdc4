"""Stored text on the dashboard: shown, never acted on.

A string handed to a DataTable, a rich Table or a Static is read as markup (`[/]` in a title
would stop the screen) and its control characters reach the terminal. Whatever comes from the
database or from people goes through these: a `Text` (never markup) of the text as
`xhsvc.core.text.display` shows it (control characters made visible).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from xhsvc.core.text import display


def plain(value: Any, *, style: str = "", multiline: bool = False) -> Text:
    """Text for a rich Table or a Static: one line, or a block with `multiline`."""
    return Text(display(value, multiline=multiline), style=style)


def cell(value: Any, *, style: str = "") -> Text:
    """A DataTable cell: one line, cut at the column's width as a plain string would be."""
    return Text(display(value), style=style, no_wrap=True, end="")
