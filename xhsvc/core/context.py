"""The context every core service takes: the database, who acts, and the clock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection

from xhsvc.core.clock import Clock, utc_now
from xhsvc.core.settings import Settings
from xhsvc.errors import InvalidInput, NotFound
from xhsvc.store import queries
from xhsvc.store.db import Database, open_database
from xhsvc.store.events import Origin
from xhsvc.store.tables import Person


@dataclass
class Tx:
    """One unit of work: a connection inside a transaction, the acting person and the time."""

    conn: Connection
    actor: Person | None
    now: datetime
    node: str
    ran_by: str | None = None

    @property
    def origin(self) -> Origin:
        return Origin(
            actor=self.actor.handle if self.actor else None, at=self.now, node=self.node, ran_by=self.ran_by
        )

    def me(self) -> Person:
        if self.actor is None:
            raise InvalidInput(
                "no user: run `xhsvc init --id ID --name NAME --role ROLE` or pass --as PERSON"
            )
        return self.actor


@dataclass
class Context:
    db: Database
    actor_handle: str | None = None
    clock: Clock = utc_now
    settings: Settings = field(default_factory=Settings)

    def now(self) -> datetime:
        return self.clock()

    def _actor(self, conn: Connection, required: bool) -> Person | None:
        if not self.actor_handle:
            if required:
                raise InvalidInput(
                    "no user: run `xhsvc init --id ID --name NAME --role ROLE` or pass --as PERSON"
                )
            return None
        person = queries.get_person(conn, self.actor_handle)
        if person is None:
            raise NotFound(
                f"user {self.actor_handle!r} (from --as or config) is not a person in this database; "
                "add it with `xhsvc person add`"
            )
        return person

    @contextmanager
    def writing(self, *, actor_required: bool = True) -> Iterator[Tx]:
        """A write transaction; everything in it is committed together or not at all."""
        with self.db.write() as conn:
            yield Tx(
                conn=conn,
                actor=self._actor(conn, actor_required),
                now=self.now(),
                node=self.db.node_id,
                ran_by=self.db.login,
            )

    @contextmanager
    def reading(self) -> Iterator[Tx]:
        with self.db.read() as conn:
            yield Tx(conn=conn, actor=self._actor(conn, False), now=self.now(), node=self.db.node_id)


def open_context(*, url: str, actor: str | None, settings: Settings, prefix: str | None = None) -> Context:
    """Open the database at `url` (migrating it if needed) and act in it as `actor`."""
    return Context(db=open_database(url, prefix=prefix), actor_handle=actor, settings=settings)
