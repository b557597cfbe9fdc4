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
from collections.abc import Iterable, Mapping, Sequence
from operator import add
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, func, or_, select, text

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
    return list(map(add, run, run[1:])) if len(run) > 1 else [run]


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
    elif entity == "knowledge_note":
        refresh_notes(conn, list(entity_ids))


def index_created(conn: Connection, *, entity: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """Index what these new rows change: a new customer from its own row (it owns no site,
    contact or asset yet, and has no entry to replace), anything else as `refresh` does."""
    if entity == "customer":
        insert_rows(
            conn,
            SEARCH,
            [
                {"customer_id": row["id"], "grams": document([row["name"], initials(row["name"])])}
                for row in rows
            ],
        )
    else:
        refresh(conn, entity=entity, entity_ids=[row["id"] for row in rows])


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


# Knowledge notes -------------------------------------------------------------------------------
#
# A note is indexed like a customer (pairs of each run), one column per text, so that a match in
# the symptom counts for more than one in the fix: SQLite's FTS5 table `knowledge_fts` ranks by
# bm25 with column weights, PostgreSQL by ts_rank of a weighted tsvector (its GIN index is on
# NOTE_VECTOR, written out alike in migration 0012).

NOTE = tables.KnowledgeNote.__table__
NOTE_SEARCH = tables.KnowledgeSearch.__table__
# The texts of a note a search looks in, in the order of knowledge_fts's columns.
NOTE_FIELDS = ("symptom", "cause", "fix", "model", "firmware")
_BM25_WEIGHTS = "10.0, 3.0, 2.0, 5.0, 5.0"
NOTE_VECTOR = (
    "(setweight(to_tsvector('simple', s.symptom), 'A') || setweight(to_tsvector('simple', s.model), 'B') || "
    "setweight(to_tsvector('simple', s.firmware), 'B') || setweight(to_tsvector('simple', s.cause), 'C') || "
    "setweight(to_tsvector('simple', s.fix), 'D'))"
)
# What a match of a suggestion's word in each text weighs (store-independent, see similar_notes).
_SIMILAR_WEIGHTS = {"symptom": 1.0, "cause": 0.6, "fix": 0.4, "model": 0.5, "firmware": 0.5}
# Words too common in a service desk's Chinese to say two cases are alike.
GENERIC_WORDS = frozenset(
    {"问题", "故障", "客户", "无法", "出现", "正常", "需要", "处理", "现场", "一个", "没有", "已经"}
    | {"进行", "情况", "可以", "发现", "目前", "反馈"}
)
# At most this many words of a ticket are compared (its title first), and this many notes scored.
SIMILAR_WORDS = 64
SIMILAR_CANDIDATES = 200
_ASCII_OR_NOT = re.compile(r"[0-9a-z]+|[^0-9a-z]+")


def model_key(model: str | None) -> str | None:
    """A model as models are compared: its Latin letters and digits, lower case, what names it
    (XS-5000 = xs5000 = "XS-5000 统一存储"); a model named in Chinese alone, all its characters."""
    written = "".join(runs(model or ""))
    key = "".join(part for part in _ASCII_OR_NOT.findall(written) if part.isascii()) or written
    return key[:100] or None


def refresh_notes(conn: Connection, note_ids: Sequence[str]) -> None:
    """Index these notes again (every write and every sync that touches them comes here)."""
    for start in range(0, len(note_ids), CHUNK):
        chunk = list(note_ids[start : start + CHUNK])
        rows = conn.execute(select(NOTE.c.id, *(NOTE.c[f] for f in NOTE_FIELDS)).where(NOTE.c.id.in_(chunk)))
        documents = [
            {
                "note_id": row.id,
                "model_key": model_key(row.model),
                **{f: document([getattr(row, f)]) for f in NOTE_FIELDS},
            }
            for row in rows
        ]
        conn.execute(delete(NOTE_SEARCH).where(NOTE_SEARCH.c.note_id.in_(chunk)))
        insert_rows(conn, NOTE_SEARCH, documents)


def refresh_all_notes(conn: Connection) -> None:
    conn.execute(delete(NOTE_SEARCH))
    refresh_notes(conn, list(conn.execute(select(NOTE.c.id).order_by(NOTE.c.id)).scalars()))


def matching_notes(conn: Connection, needle: str, *, model: str | None = None, limit: int) -> list[str]:
    """Ids of the notes whose symptom, cause, fix, model or firmware contains every word of
    `needle` (letters and digits; case, spaces and punctuation aside), best first: a match in
    the symptom before one in the model, the cause or the fix; then the newest. `model` keeps
    the notes of that model only. A text of single characters is looked for as it is (LIKE)."""
    phrases = [pairs(run) for run in runs(needle) if len(run) > 1]
    dialect = conn.dialect.name
    params: dict[str, Any] = {"limit": limit, "model": model_key(model)}
    same_model = " AND s.model_key = :model" if model is not None else ""
    if phrases and dialect == "sqlite":
        params["query"] = " AND ".join('"' + " ".join(phrase) + '"' for phrase in phrases)
        stmt = text(
            "SELECT s.note_id FROM knowledge_fts JOIN knowledge_search s ON s.id = knowledge_fts.rowid "
            "JOIN knowledge_note n ON n.id = s.note_id "
            f"WHERE knowledge_fts MATCH :query{same_model} "
            f"ORDER BY bm25(knowledge_fts, {_BM25_WEIGHTS}), n.created_at DESC, n.id DESC LIMIT :limit"
        )
        return list(conn.execute(stmt, params).scalars())
    if phrases and dialect == "postgresql":
        query = " && ".join(f"phraseto_tsquery('simple', :p{i})" for i in range(len(phrases)))
        params.update({f"p{i}": " ".join(phrase) for i, phrase in enumerate(phrases)})
        stmt = text(
            "SELECT s.note_id FROM knowledge_search s JOIN knowledge_note n ON n.id = s.note_id "
            f"WHERE {NOTE_VECTOR} @@ ({query}){same_model} "
            f"ORDER BY ts_rank({NOTE_VECTOR}, ({query})) DESC, n.created_at DESC, n.id DESC LIMIT :limit"
        )
        return list(conn.execute(stmt, params).scalars())
    words = runs(needle)
    if not words:
        return []
    texts = [NOTE.c[f] for f in NOTE_FIELDS]
    stmt = select(NOTE.c.id).where(
        *(or_(*(func.lower(t).contains(word, autoescape=True) for t in texts)) for word in words)
    )
    if model is not None:
        stmt = stmt.join(NOTE_SEARCH, NOTE_SEARCH.c.note_id == NOTE.c.id).where(
            NOTE_SEARCH.c.model_key == params["model"]
        )
    stmt = stmt.order_by(NOTE.c.created_at.desc(), NOTE.c.id.desc()).limit(limit)
    return list(conn.execute(stmt).scalars())


def similar_words(value: str) -> list[str]:
    """The words of a ticket's text that a note alike would share, as phrases of pairs: each pair
    of its Chinese (no spaces tell its words apart), each run of Latin letters and digits whole
    (xs5000, raid6); the common ones (GENERIC_WORDS) left out. At most SIMILAR_WORDS, first first."""
    found: dict[str, None] = {}
    for run in runs(value):
        for part in _ASCII_OR_NOT.findall(run):
            if len(part) < 2:
                continue
            if part.isascii():
                found.setdefault(" ".join(pairs(part)))
            else:
                for pair in pairs(part):
                    if pair not in GENERIC_WORDS:
                        found.setdefault(pair)
    return list(found)[:SIMILAR_WORDS]


def similar_notes(conn: Connection, value: str, *, model: str | None) -> list[tuple[str, float, int]]:
    """Notes alike to a ticket's text: (note id, score, rank of its model), best first. The rank
    of the model is 0 for the same model as `model`, 1 for a note of no model, 2 for another:
    notes of the same model come first. The score adds up the words the note shares, each
    weighed by the text it is in (the symptom most) and by how rare it is among the notes."""
    words = similar_words(value)
    if not words:
        return []
    dialect = conn.dialect.name
    columns = "s.note_id, s.model_key, " + ", ".join(f"s.{f}" for f in NOTE_FIELDS)
    params: dict[str, Any] = {"limit": SIMILAR_CANDIDATES}
    if dialect == "sqlite":
        params["query"] = " OR ".join(f'"{word}"' for word in words)
        stmt = text(
            f"SELECT {columns} FROM knowledge_fts JOIN knowledge_search s ON s.id = knowledge_fts.rowid "
            f"WHERE knowledge_fts MATCH :query ORDER BY bm25(knowledge_fts, {_BM25_WEIGHTS}) LIMIT :limit"
        )
    elif dialect == "postgresql":
        query = " || ".join(f"phraseto_tsquery('simple', :w{i})" for i in range(len(words)))
        params.update({f"w{i}": word for i, word in enumerate(words)})
        stmt = text(
            f"SELECT {columns} FROM knowledge_search s WHERE {NOTE_VECTOR} @@ ({query}) "
            f"ORDER BY ts_rank({NOTE_VECTOR}, ({query})) DESC LIMIT :limit"
        )
    else:
        return []
    candidates = conn.execute(stmt, params).mappings().all()
    if not candidates:
        return []
    import math

    total = conn.execute(select(func.count()).select_from(NOTE_SEARCH)).scalar_one()
    padded = [{f: f" {row[f]} " for f in NOTE_FIELDS} for row in candidates]
    holders = {word: sum(any(f" {word} " in doc[f] for f in NOTE_FIELDS) for doc in padded) for word in words}
    wanted = model_key(model)
    scored = []
    for row, doc in zip(candidates, padded, strict=True):
        score = 0.0
        for word in words:
            weight = max((_SIMILAR_WEIGHTS[f] for f in NOTE_FIELDS if f" {word} " in doc[f]), default=0.0)
            if weight:
                score += weight * math.log(1 + total / holders[word])
        if score <= 0:
            continue
        same = wanted is not None and row["model_key"] == wanted
        rank = 1 if row["model_key"] is None else (0 if same else 2)
        scored.append((row["note_id"], score, rank))
    # Ties: the newest first (ids are UUIDv7, in the order they were made).
    scored.sort(key=lambda item: item[0], reverse=True)
    scored.sort(key=lambda item: (item[2], -item[1]))
    return scored
