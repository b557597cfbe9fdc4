"""Customers: who calls. (Sites, contacts, assets and contracts come with the contracts work.)"""

from __future__ import annotations

from xhsvc.core.context import Context
from xhsvc.errors import Conflict, InvalidInput, NotFound
from xhsvc.store import events, queries
from xhsvc.store.ids import new_id
from xhsvc.store.tables import Customer


def add_customer(
    ctx: Context, *, name: str, region: str | None = None, industry: str | None = None
) -> Customer:
    name = name.strip()
    if not name:
        raise InvalidInput("name: must not be empty")
    if len(name) > 200:
        raise InvalidInput("name: at most 200 characters")
    with ctx.writing() as tx:
        if queries.get_customer(tx.conn, name) is not None:
            raise Conflict(f"customer {name!r} already exists")
        customer_id = new_id()
        row = {"name": name, "region": region, "industry": industry, "created_at": tx.now}
        events.append(
            tx.conn,
            tx.origin,
            entity="customer",
            entity_id=customer_id,
            kind="customer.added",
            payload={"create": row, "summary": f"customer {name} added"},
        )
        return Customer(id=customer_id, **row)


def list_customers(ctx: Context) -> list[Customer]:
    with ctx.reading() as tx:
        return queries.list_customers(tx.conn)


def get_customer(ctx: Context, *, name: str) -> Customer:
    with ctx.reading() as tx:
        customer = queries.get_customer(tx.conn, name)
    if customer is None:
        raise NotFound(f"customer {name!r} not found (add it with `xhsvc customer add`)")
    return customer
