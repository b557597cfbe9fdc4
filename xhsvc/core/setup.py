"""Setting up an installation: this database's ticket-key prefix."""

from __future__ import annotations

import re

from xhsvc.core.context import Context
from xhsvc.errors import InvalidInput
from xhsvc.i18n import _
from xhsvc.store import db as store_db

PREFIX_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{1,7}$")


def validate_prefix(prefix: str) -> str:
    if not PREFIX_PATTERN.match(prefix):
        raise InvalidInput(
            _(
                "prefix {prefix!r}: 2-8 capital letters or digits, starting with a letter (e.g. XH, HZ1)"
            ).format(prefix=prefix)
        )
    return prefix


def set_key_prefix(ctx: Context, *, prefix: str) -> None:
    """New ticket keys of this database start with `prefix` (a laptop gets its own, so keys never clash)."""
    store_db.set_prefix(ctx.db, validate_prefix(prefix))
