"""Messages the TUI's widgets and screens send each other."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from textual.message import Message

from xhsvc.i18n import _


@dataclass
class TicketChanged(Message):
    """A ticket was changed from this app: screens showing it reload.

    The app hands it to each screen; it does not bubble back up."""

    bubble = False
    key: str


@dataclass
class OpenTicket(Message):
    """Show this ticket's detail."""

    key: str


@dataclass
class Loaded(Message):
    """A worker finished reading: `data` for the screen that asked (posted from its thread)."""

    bubble = False

    data: object


@dataclass
class Failed(Message):
    """A worker's core call was refused or failed: shown as a notification."""

    bubble = False

    text: str
    title: str = _("Not done")


@dataclass
class Done(Message):
    """A core call made a change."""

    bubble = False

    key: str
    text: str


@dataclass
class TicketRead(Message):
    """A worker read a ticket (or what an action would do to it) for an action that asks first:
    `then` shows the dialog on the screen's thread."""

    bubble = False

    key: str
    data: object
    then: Callable[[Any], None]


@dataclass
class Understood(Message):
    """A typed time read by the core: the moment, or why it could not be read."""

    bubble = False

    typed: str
    moment: datetime | None
    error: str | None = None
