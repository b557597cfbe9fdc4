"""Imported customers are found by lookup at once, by any part of their name or its pinyin
initials: an import indexes each new customer from its own row, as a full rebuild would."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import MakeCtx
from xhsvc.core import lookup, transfer
from xhsvc.store import search, tables

SEARCH = tables.CustomerSearch.__table__


def _index(ctx) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with ctx.reading() as tx:
        return dict(tx.conn.execute(select(SEARCH.c.customer_id, SEARCH.c.grams)).all())


def test_imported_customers_are_found_by_part_of_their_name_and_its_initials(desk: MakeCtx) -> None:
    ctx = desk("admin")
    lines = [
        "name,region,industry",
        "宁波第3人民医院,宁波,医疗",
        "IBM中国2号楼,上海,金融",
        "西湖数据中心,杭州,政府",
    ]
    report = transfer.import_rows(ctx, kind="customers", lines=lines)
    assert report.applied

    assert [c["customer"] for c in lookup.lookup(ctx, text="波第3人民")] == ["宁波第3人民医院"]
    assert [c["customer"] for c in lookup.lookup(ctx, text="ibm中国")] == ["IBM中国2号楼"]
    assert [c["customer"] for c in lookup.lookup(ctx, text="xhsj")] == ["西湖数据中心"]  # 西湖数据 -> xhsj

    # What the import wrote is what indexing every customer again writes.
    imported = _index(ctx)
    with ctx.writing() as tx:
        search.refresh_all(tx.conn)
    assert _index(ctx) == imported
