"""Messages the TUI's widgets and screens send each other."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


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
    title: str = "Not done"


@dataclass
class Done(Message):
    """A core call made a change."""

    bubble = False

    key: str
    text: str
