"""Finding customers by any part of their name, of their sites' names and addresses, of their
contacts' names and of their systems' serials, or by the pinyin initials of their name, fast at a
million customers: a full-text index of character pairs.

Chinese has no spaces between words, so words cannot be the index's terms. Each run of letters
and digits is cut into overlapping pairs instead ("人民医院" -> "人民 民医 医院") and a search for a
text is a phrase of its pairs, which matches exactly where the text occurs. `customer_search`
holds each customer's pairs (derived, like the phone search keys: kept out of the event log and
refreshed whenever a customer or a site is written). SQLite indexes it with FTS5, PostgreSQL with
a GIN index of its tsvector; other databases search by LIKE.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, select, text

from xhsvc.store import tables
from xhsvc.store.bulk import insert_rows

SEARCH = tables.CustomerSearch.__table__
CUSTOMER = tables.Customer.__table__
SITE = tables.Site.__table__
CONTACT = tables.Contact.__table__
ASSET = tables.Asset.__table__
# What else a customer is found by, each row naming its customer.
OWNED = {"site": SITE, "contact": CONTACT, "asset": ASSET}
# Between two runs of a text, so that no phrase matches across them. No pair is three characters.
GAP = "sep"
CHUNK = 1000
# A run of letters and digits (what str.isalnum() takes): word characters but the underscore.
RUN = re.compile(r"[^\W_]+")


def runs(value: str) -> list[str]:
    """The runs of letters and digits of `value`, lower case."""
    return RUN.findall(value.lower())


def pairs(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)] if len(run) > 1 else [run]


def document(values: Iterable[str | None]) -> str:
    """The indexed text of a customer: the pairs of every run of every value, runs kept apart."""
    return f" {GAP} ".join(" ".join(pairs(run)) for value in values if value for run in runs(value))


def initials(name: str) -> str:
    """The pinyin initials of the Chinese in a name (浙江省第一人民医院 -> zjsdyrmyy); anything
    else breaks them into runs (IBM中国2号楼 -> "zg hl"), itself indexed as it is written. A
    character's first reading counts (pypinyin's table of single characters: reading phrase by
    phrase would cost a thousand times more on an import of many customers)."""
    return name.translate(_initials_table())


class _Initials(dict[int, str]):
    """Code point -> its first letter; any other character -> a space (str.translate asks here)."""

    def __missing__(self, point: int) -> str:
        return " "


@functools.cache
def _initials_table() -> _Initials:
    """Each character's first letter in pypinyin's table of single characters, loaded on the first
    write only. Read from its JSON file: importing pypinyin (even its `pinyin_dict` module) runs the
    package's __init__, which loads a 35 MB table of phrases an import of customers does not use."""
    spec = importlib.util.find_spec("pypinyin")  # a top-level name: found, not imported
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("pypinyin is not installed")
    table_file = Path(next(iter(spec.submodule_search_locations))) / "pinyin_dict.json"
    readings: dict[str, str] = json.loads(table_file.read_text(encoding="utf-8"))
    return _Initials(
        (int(point), unicodedata.normalize("NFD", reading[0])[0].lower())
        for point, reading in readings.items()
    )


def refresh(conn: Connection, *, entity: str, entity_ids: Sequence[str]) -> None:
    """Index again the customers that these customers, sites, contacts or assets belong to."""
    owned = OWNED.get(entity)
    if owned is not None:
        owners: set[str] = set()
        for start in range(0, len(entity_ids), CHUNK):
            chunk = list(entity_ids[start : start + CHUNK])
            owners.update(conn.execute(select(owned.c.customer_id).where(owned.c.id.in_(chunk))).scalars())
        refresh_customers(conn, sorted(owners))
    elif entity == "customer":
        refresh_customers(conn, list(entity_ids))


def refresh_customers(conn: Connection, customer_ids: Sequence[str]) -> None:
    for start in range(0, len(customer_ids), CHUNK):
        chunk = list(customer_ids[start : start + CHUNK])
        values: dict[str, list[str | None]] = {
            cid: [name, initials(name)]
            for cid, name in conn.execute(
                select(CUSTOMER.c.id, CUSTOMER.c.name).where(CUSTOMER.c.id.in_(chunk))
            )
        }
        owned = (
            select(SITE.c.customer_id, SITE.c.name, SITE.c.city, SITE.c.address).where(
                SITE.c.customer_id.in_(chunk)
            ),
            select(CONTACT.c.customer_id, CONTACT.c.name).where(CONTACT.c.customer_id.in_(chunk)),
            select(ASSET.c.customer_id, ASSET.c.serial).where(ASSET.c.customer_id.in_(chunk)),
        )
        for stmt in owned:
            for cid, *texts in conn.execute(stmt):
                if cid in values:
                    values[cid] += texts
        conn.execute(delete(SEARCH).where(SEARCH.c.customer_id.in_(chunk)))
        insert_rows(conn, SEARCH, [{"customer_id": cid, "grams": document(v)} for cid, v in values.items()])


def refresh_all(conn: Connection) -> None:
    """Index every customer again (after a rebuild)."""
    conn.execute(delete(SEARCH))
    ids = list(conn.execute(select(CUSTOMER.c.id).order_by(CUSTOMER.c.id)).scalars())
    refresh_customers(conn, ids)


def matching_customers(conn: Connection, needle: str, *, limit: int) -> list[str]:
    """Ids of customers whose name (or its pinyin initials), a site's name, city or address, a
    contact's name or an asset's serial contains `needle` (letters and digits; case, spaces and
    punctuation aside)."""
    # A single character is no pair: it narrows nothing the other runs do not (and alone, LIKE).
    phrases = [pairs(run) for run in runs(needle) if len(run) > 1]
    dialect = conn.dialect.name
    if phrases and dialect == "sqlite":
        query = " AND ".join('"' + " ".join(phrase) + '"' for phrase in phrases)
        stmt = text(
            "SELECT s.customer_id FROM customer_fts JOIN customer_search s ON s.id = customer_fts.rowid "
            "WHERE customer_fts MATCH :query LIMIT :limit"
        )
        return list(conn.execute(stmt, {"query": query, "limit": limit}).scalars())
    if phrases and dialect == "postgresql":
        # The config is written out, not bound: the GIN index is on to_tsvector('simple', grams).
        terms = " && ".join(f"phraseto_tsquery('simple', :p{i})" for i in range(len(phrases)))
        stmt = text(
            f"SELECT customer_id FROM customer_search WHERE to_tsvector('simple', grams) @@ ({terms}) LIMIT :limit"
        )
        params: dict[str, Any] = {f"p{i}": " ".join(phrase) for i, phrase in enumerate(phrases)}
        return list(conn.execute(stmt, {**params, "limit": limit}).scalars())
    contains = CUSTOMER.c.name.contains(needle.strip(), autoescape=True)
    return list(conn.execute(select(CUSTOMER.c.id).where(contains).limit(limit)).scalars())
