"""The context every core service takes: the database, who acts, and the clock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection

from xhsvc.core.clock import Clock, utc_now
from xhsvc.core.settings import Settings
from xhsvc.errors import InvalidInput, NotAllowed, NotFound
from xhsvc.i18n import _
from xhsvc.store import queries
from xhsvc.store.db import Database, open_database
from xhsvc.store.events import Origin
from xhsvc.store.tables import Person

# The person the SLA sweep acts as (the sweep alone may act as it).
SYSTEM_HANDLE = "sla-sweep"


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
                _("no user: run `xhsvc init --id ID --name NAME --role ROLE` or pass --as PERSON")
            )
        return self.actor


@dataclass
class Context:
    db: Database
    actor_handle: str | None = None
    clock: Clock = utc_now
    settings: Settings = field(default_factory=Settings)
    # The person was named with --as (not taken from this installation's config).
    as_requested: bool = False
    # The SLA sweep itself acts (as the system person), whoever's login runs it.
    system: bool = False

    def now(self) -> datetime:
        return self.clock()

    def _person(self, conn: Connection, handle: str) -> Person:
        person = queries.get_person(conn, handle)
        if person is None:
            raise NotFound(
                _(
                    "user {handle!r} (from --as or config) is not a person in this database; "
                    "add it with `xhsvc person add`"
                ).format(handle=handle)
            )
        return person

    def _actor(self, conn: Connection, required: bool, *, writing: bool) -> tuple[Person | None, str]:
        """Who acts, and who really runs the command: the rules of identity (README: Who acted)."""
        login = self.db.login
        handle = self.actor_handle
        if handle == SYSTEM_HANDLE:
            if writing and not self.system:
                raise NotAllowed(_("only the SLA sweep acts as {handle}").format(handle=SYSTEM_HANDLE))
            return self._person(conn, handle), f"{login} (sla sweep)"
        laptop_person = self.db.sync_person
        if laptop_person and writing and handle not in (None, laptop_person):
            # The center takes from a laptop its person's work only: refuse here, not at the sync.
            raise NotAllowed(
                _("this laptop records the work of {laptop_person} only, not of {handle}").format(
                    laptop_person=laptop_person, handle=handle
                )
            )
        if self.db.shared:
            name = login.removeprefix("db:")
            bound = queries.person_for_login(conn, name)
            if bound is not None:
                if not handle or handle == bound.handle:
                    return bound, login
                if bound.role == "admin":
                    person = self._person(conn, handle)
                    return person, f"{login} (admin {bound.handle} for {person.handle})"
                if writing:
                    raise NotAllowed(
                        _(
                            "login {login} acts as {bound}, not {handle}: only an admin may act for "
                            "someone else (drop --as, or set `user` in config.toml to your own id)"
                        ).format(login=name, bound=bound.handle, handle=handle)
                    )
                return bound, login
            if writing and not self.db.login_privileged:
                raise NotAllowed(
                    _(
                        "login {login} is not bound to a person: an admin binds it with "
                        "`xhsvc person bind ID --login {login}`"
                    ).format(login=name)
                )
        elif self.as_requested and writing and not self.db.login_privileged:
            raise NotAllowed(
                _(
                    "--as: this database file belongs to another OS user; act as yourself (`user` in config.toml)"
                )
            )
        if not handle:
            if required:
                raise InvalidInput(
                    _("no user: run `xhsvc init --id ID --name NAME --role ROLE` or pass --as PERSON")
                )
            return None, login
        return self._person(conn, handle), login

    @contextmanager
    def writing(self, *, actor_required: bool = True) -> Iterator[Tx]:
        """A write transaction; everything in it is committed together or not at all."""
        with self.db.write() as conn:
            actor, ran_by = self._actor(conn, actor_required, writing=True)
            yield Tx(conn=conn, actor=actor, now=self.now(), node=self.db.node_id, ran_by=ran_by)

    @contextmanager
    def reading(self) -> Iterator[Tx]:
        with self.db.read() as conn:
            actor, ran_by = self._actor(conn, False, writing=False)
            yield Tx(conn=conn, actor=actor, now=self.now(), node=self.db.node_id, ran_by=ran_by)


def open_context(
    *, url: str, actor: str | None, settings: Settings, prefix: str | None = None, as_requested: bool = False
) -> Context:
    """Open the database at `url` (migrating it if needed) and act in it as `actor`."""
    return Context(
        db=open_database(url, prefix=prefix), actor_handle=actor, settings=settings, as_requested=as_requested
    )
