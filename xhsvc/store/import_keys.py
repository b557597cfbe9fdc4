"""The keys an import has met so far (a customer's name, a serial...), with the line of each.

They are kept in a temporary table of the import's own connection, not in memory, so that an
import's memory does not grow with its file: the importer holds one page of keys at a time and
asks this table which of them an earlier page had. The table lives as long as the transaction
(PostgreSQL drops it at commit or rollback; SQLite's is dropped by `forget_keys`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Column, Connection, Integer, MetaData, Table, Text, select

from xhsvc.store.bulk import insert_rows

_KEYS = Table(
    "xhsvc_import_keys",
    MetaData(),
    Column("key", Text, primary_key=True),
    Column("line", Integer, nullable=False),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)
# Keys asked about in one query: well under SQLite's and PostgreSQL's limits on parameters.
_ASK = 5000


def open_keys(conn: Connection) -> None:
    """Start with no key met (a table left by an import that failed on this connection is emptied)."""
    _KEYS.create(conn, checkfirst=True)
    conn.execute(_KEYS.delete())


def earlier_lines(conn: Connection, keys: Sequence[str]) -> dict[str, int]:
    """The line of each of `keys` that an earlier page had."""
    found: dict[str, int] = {}
    for start in range(0, len(keys), _ASK):
        chunk = keys[start : start + _ASK]
        found.update(conn.execute(select(_KEYS.c.key, _KEYS.c.line).where(_KEYS.c.key.in_(chunk))).all())
    return found


def remember_keys(conn: Connection, keys: Iterable[tuple[str, int]]) -> None:
    insert_rows(conn, _KEYS, [{"key": key, "line": line} for key, line in keys])


def forget_keys(conn: Connection) -> None:
    _KEYS.drop(conn, checkfirst=True)
