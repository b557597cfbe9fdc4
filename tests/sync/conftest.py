"""A center (the test's database, PostgreSQL or SQLite) and laptops (SQLite files) joined to it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import FixedClock, MakeCtx
from xhsvc.core import sync
from xhsvc.core.context import Context
from xhsvc.core.settings import Settings
from xhsvc.store.db import Database, open_database


class Laptop:
    """One engineer's laptop: its own SQLite file, joined to the center for one person."""

    def __init__(self, db: Database, person: str, clock: FixedClock) -> None:
        self.db = db
        self.person = person
        self.clock = clock

    def ctx(self, handle: str | None = None) -> Context:
        return Context(db=self.db, actor_handle=handle or self.person, clock=self.clock, settings=Settings())


MakeLaptop = Callable[..., Laptop]


@pytest.fixture
def laptop(
    desk: MakeCtx, database: Database, db_url: str, tmp_path: Path, clock: FixedClock
) -> Iterator[MakeLaptop]:
    opened: list[Database] = []

    def make(person: str = "lijun", name: str | None = None, *, clock_: FixedClock | None = None) -> Laptop:
        registered = sync.add_node(desk("zhoujian"), name=name or f"{person}-laptop", person=person)
        db = open_database(f"sqlite:///{tmp_path / (registered['name'] + '.db')}")
        opened.append(db)
        machine = Laptop(db, person, clock_ or clock)
        sync.join_center(machine.ctx(None), token=registered["token"], url=db_url)
        return machine

    yield make
    for db in opened:
        db.dispose()
