"""The floor: the least a command of xhsvc's stack must cost. Python, Typer and SQLAlchemy Core,
opening the same SQLite file and running the queue's query (open tickets, nearest due first),
printed as plain columns. Nothing else: no xhsvc import, no ORM, no pydantic.

    python bench/floor_cli.py queue sqlite:///PATH/xhsvc.db
"""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import Column, DateTime, MetaData, String, Table, create_engine, select

app = typer.Typer(add_completion=False)
ticket = Table(
    "ticket",
    MetaData(),
    Column("id", String),
    Column("key", String),
    Column("title", String),
    Column("status", String),
    Column("priority", String),
    Column("tier", String),
    Column("created_at", DateTime),
    Column("next_due_at", DateTime),
)
OPEN = ("new", "assigned", "in_progress", "waiting_customer")


@app.command()
def queue(url: Annotated[str, typer.Argument()], limit: int = 50) -> None:
    engine = create_engine(url)
    with engine.connect() as conn:
        stmt = (
            select(ticket.c.key, ticket.c.priority, ticket.c.status, ticket.c.tier, ticket.c.title)
            .where(ticket.c.status.in_(OPEN))
            .order_by(
                ticket.c.next_due_at.is_(None), ticket.c.next_due_at, ticket.c.priority, ticket.c.created_at
            )
            .limit(limit)
        )
        for row in conn.execute(stmt):
            typer.echo("  ".join(str(value) for value in row))


@app.command()
def version() -> None:
    typer.echo("floor")


if __name__ == "__main__":
    app()
