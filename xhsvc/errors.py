"""Typed errors shared by every layer; the CLI maps each to its exit code, the TUI to a notification."""

from __future__ import annotations


class XhsvcError(Exception):
    """Base of every error a user can cause; `exit_code` is what the CLI exits with."""

    exit_code = 1


class InvalidInput(XhsvcError):
    """A value is missing, malformed or outside what is allowed."""

    exit_code = 2


class NotFound(XhsvcError):
    """A ticket, person or other record named by the user does not exist."""

    exit_code = 3


class NotAllowed(XhsvcError):
    """The flow does not allow this now: wrong state, wrong role, or a missing approval."""

    exit_code = 4


class Conflict(XhsvcError):
    """The change collides with existing data (a duplicate, a request already pending)."""

    exit_code = 5


class DatabaseError(XhsvcError):
    """The database cannot be used as it is: made by a newer xhsvc, or unreachable."""

    exit_code = 6
