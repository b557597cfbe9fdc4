"""Alembic environment: migrations run on the connection xhsvc hands over (see store/db.py)."""

from alembic import context
from sqlalchemy import create_engine

from xhsvc.store import tables

target_metadata = tables.metadata


def run_migrations(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=tables.declared,
    )
    if connection.dialect.name == "postgresql":
        # Two processes opening a new shared database at once must not both create tables.
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(4242001)")
    context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    url = context.config.get_main_option("sqlalchemy.url")
    engine = create_engine(url)
    with engine.begin() as conn:
        run_migrations(conn)
