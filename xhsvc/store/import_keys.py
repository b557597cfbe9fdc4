"""The keys an import has met so far (a customer's name, a serial...), with the line of each.

They are kept in a temporary table of the import's own connection, not in memory, so that an
import's memory does not grow with its file: the importer holds one page of keys at a time, adds
them here, and only when some were here already (a repeated row, rare) asks for their lines. The
table lives as long as the transaction (PostgreSQL drops it at commit or rollback; SQLite's is
dropped by `forget_keys`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Column, Connection, Integer, MetaData, Table, Text, select

_KEYS = Table(
    "xhsvc_import_keys",
    MetaData(),
    Column("key", Text, primary_key=True),
    Column("line", Integer, nullable=False),
    prefixes=["TEMPORARY"],
    sqlite_with_rowid=False,
    postgresql_on_commit="DROP",
)
# Keys asked about in one query: well under SQLite's and PostgreSQL's limits on parameters.
_ASK = 5000
_ADD: dict[str, str] = {}


def open_keys(conn: Connection) -> None:
    """Start with no key met (a table left by an import that failed on this connection is emptied)."""
    _KEYS.create(conn, checkfirst=True)
    conn.execute(_KEYS.delete())


def _add_statement(conn: Connection) -> str:
    """INSERT ... ON CONFLICT DO NOTHING, in the connection's dialect (both have it)."""
    dialect = conn.dialect
    found = _ADD.get(dialect.name)
    if found is None:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        found = _ADD[dialect.name] = str(insert(_KEYS).on_conflict_do_nothing().compile(dialect=dialect))
    return found


def add_keys(conn: Connection, keys: Mapping[str, int]) -> dict[str, int]:
    """Add a page's keys (each with its line); returns those that an earlier page had, each with
    the line it had there."""
    if not keys:
        return {}
    rows: list[Any] = (
        [{"key": key, "line": line} for key, line in keys.items()]
        if conn.dialect.paramstyle in ("named", "pyformat")
        else list(keys.items())
    )
    added = conn.exec_driver_sql(_add_statement(conn), rows).rowcount
    if added == len(keys):
        return {}
    first = min(keys.values())
    earlier: dict[str, int] = {}
    wanted = list(keys)
    for start in range(0, len(wanted), _ASK):
        chunk = wanted[start : start + _ASK]
        query = select(_KEYS.c.key, _KEYS.c.line).where(_KEYS.c.key.in_(chunk), _KEYS.c.line < first)
        earlier.update(conn.execute(query).all())
    return earlier


def forget_keys(conn: Connection) -> None:
    _KEYS.drop(conn, checkfirst=True)
