"""Impact and urgency as the agent chooses them: the number with what it means.

The same words as the CLI's help (`ticket open --impact`), so a number means one thing everywhere.
"""

from __future__ import annotations

from xhsvc.i18n import _

IMPACT: dict[int, str] = {
    1: _("whole business down"),
    2: _("many users or a site"),
    3: _("one user, or a workaround"),
    4: _("minor"),
}
URGENCY: dict[int, str] = {
    1: _("now: work has stopped"),
    2: _("within hours"),
    3: _("within a day"),
    4: _("can wait"),
}


def options(meanings: dict[int, str]) -> list[tuple[str, int]]:
    """Options of a Select: ('1 whole business down', 1), ..."""
    return [(f"{n} {text}", n) for n, text in meanings.items()]
