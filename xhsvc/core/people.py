"""People and their roles: who may do what in the ticket flow is decided from these."""

from __future__ import annotations

import re
from dataclasses import replace

from xhsvc.core import organization
from xhsvc.core.context import SYSTEM_HANDLE, Context, Tx
from xhsvc.core.text import clean_text, one_of
from xhsvc.errors import Conflict, InvalidInput, NotAllowed, NotFound
from xhsvc.i18n import _
from xhsvc.store import events, queries
from xhsvc.store.ids import new_id
from xhsvc.store.tables import Person

ROLES: dict[str, str] = {
    "agent": "客服专员 service-desk agent",
    "engineer": "工程师 engineer (tier L1 or L2)",
    "expert": "专家 tier-3 expert",
    "manager": "部门经理 department manager",
    "admin": "管理员 administrator",
    "system": "xhsvc itself: the SLA sweep (made by xhsvc, not by people)",
}
TIERS = ("L1", "L2", "L3")
HANDLE_PATTERN = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")
NAME_LIMIT = 128  # the column's


def _validate(*, handle: str, name: str, role: str, tier: str | None) -> str | None:
    if not HANDLE_PATTERN.match(handle):
        raise InvalidInput(
            _(
                "id {handle!r}: use 2-32 lowercase letters, digits, '.', '_' or '-', starting with a letter"
            ).format(handle=handle)
        )
    clean_text(name, "name", required=True, limit=NAME_LIMIT)
    role = one_of(role, (r for r in ROLES if r != "system"), "role")
    tier = one_of(tier, TIERS, "tier") if tier is not None else None
    if role == "engineer":
        tier = tier or "L1"
        if tier == "L3":
            raise InvalidInput(_("tier L3: tier-3 people have role expert, not engineer"))
    elif role == "expert":
        if tier not in (None, "L3"):
            raise InvalidInput(_("tier {tier}: an expert is tier L3").format(tier=tier))
        tier = "L3"
    elif tier is not None:
        raise InvalidInput(
            _("tier: only engineers (L1, L2) and experts (L3) have a tier, not role {role}").format(role=role)
        )
    return tier


def _create(
    tx: Tx,
    *,
    handle: str,
    name: str,
    role: str,
    tier: str | None,
    region: str | None,
    phone: str | None = None,
    email: str | None = None,
    branch: str | None = None,
    partner: str | None = None,
) -> Person:
    tier = _validate(handle=handle, name=name, role=role, tier=tier)
    region = clean_text(region, "region", limit=64)
    phone = clean_text(phone, "phone", limit=32)
    email = clean_text(email, "email", limit=128)
    if queries.get_person(tx.conn, handle) is not None:
        raise Conflict(_("person {handle!r} already exists").format(handle=handle))
    # Where they work (a branch or a partner): only what is set goes into the event.
    works_at = organization.affiliation(tx, role=role, region=region, branch=branch, partner=partner)
    region = works_at.pop("region", region)
    person_id = new_id()
    row = {
        "handle": handle,
        "name": name.strip(),
        "role": role,
        "tier": tier,
        "region": region,
        "phone": phone,
        "email": email,
        "active": True,
        "created_at": tx.now,
        **{column: value for column, value in works_at.items() if value is not None},
    }
    events.append(
        tx.conn,
        tx.origin,
        entity="person",
        entity_id=person_id,
        kind="person.added",
        payload={"create": row, "summary": f"{name} ({handle}) added as {role}"},
    )
    return Person(id=person_id, **row)


def add_person(
    ctx: Context,
    *,
    handle: str,
    name: str,
    role: str,
    tier: str | None = None,
    region: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    branch: str | None = None,
    partner: str | None = None,
) -> Person:
    """Add a person; only managers and admins may add people once anyone exists. `branch` (a
    code) or `partner` (a name) says where they work; their region is its own unless given."""
    with ctx.writing(actor_required=False) as tx:
        if tx.actor is None:
            if queries.list_people(tx.conn):
                tx.me()
        elif tx.actor.role not in ("manager", "admin"):
            raise NotAllowed(
                _("person add: only a manager or admin may add people; {handle} is {role}").format(
                    handle=tx.actor.handle, role=tx.actor.role
                )
            )
        return _create(
            tx,
            handle=handle,
            name=name,
            role=role,
            tier=tier,
            region=region,
            phone=phone,
            email=email,
            branch=branch,
            partner=partner,
        )


def register_self(
    ctx: Context, *, handle: str, name: str, role: str, tier: str | None = None, region: str | None = None
) -> tuple[Person, bool]:
    """`xhsvc init`: make sure this installation's own user exists; returns (person, created)."""
    with ctx.writing(actor_required=False) as tx:
        existing = queries.get_person(tx.conn, handle)
        if existing is not None:
            if existing.role != role:
                raise Conflict(
                    _("person {handle!r} already exists with role {existing}, not {role}").format(
                        handle=handle, existing=existing.role, role=role
                    )
                )
            return existing, False
        return _create(tx, handle=handle, name=name, role=role, tier=tier, region=region), True


def get_person(ctx: Context, *, handle: str) -> Person:
    with ctx.reading() as tx:
        person = queries.get_person(tx.conn, handle)
    if person is None:
        raise NotFound(_("person {handle!r} not found").format(handle=handle))
    return person


def list_people(ctx: Context, *, role: str | None = None, tier: str | None = None) -> list[Person]:
    role = one_of(role, ROLES, "role") if role is not None else None
    tier = one_of(tier, TIERS, "tier") if tier is not None else None
    with ctx.reading() as tx:
        return queries.list_people(tx.conn, role=role, tier=tier)


def ensure_system_person(ctx: Context) -> None:
    """The person the SLA sweep acts as: its notes, requests and firings carry this name."""
    with replace(ctx, actor_handle=None).writing(actor_required=False) as tx:
        if queries.get_person(tx.conn, SYSTEM_HANDLE) is not None:
            return
        row = {
            "handle": SYSTEM_HANDLE,
            "name": "SLA 自动升级",
            "role": "system",
            "tier": None,
            "region": None,
            "phone": None,
            "email": None,
            "active": True,
            "created_at": tx.now,
        }
        events.append(
            tx.conn,
            tx.origin,
            entity="person",
            entity_id=new_id(),
            kind="person.added",
            payload={"create": row, "summary": "the SLA sweep's own identity"},
        )


LOGIN_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.@-]{0,62}$")


def bind_login(ctx: Context, *, handle: str, login: str | None) -> Person:
    """Bind a database login to a person (admins only): on a shared server that login then acts as
    this person and nobody else. `login=None` unbinds."""
    if login is not None and not LOGIN_PATTERN.match(login):
        raise InvalidInput(
            _("login {login!r}: a database login name, e.g. wangfang or agent_wangfang").format(login=login)
        )
    with ctx.writing() as tx:
        me = tx.me()
        if me.role != "admin":
            raise NotAllowed(
                _("person bind: only an admin binds logins; {handle} is {role}").format(
                    handle=me.handle, role=me.role
                )
            )
        person = queries.get_person(tx.conn, handle)
        if person is None:
            raise NotFound(_("person {handle!r} not found").format(handle=handle))
        holder = queries.person_for_login(tx.conn, login) if login else None
        if holder is not None and holder.id != person.id:
            raise Conflict(
                _("login {login!r} already acts as {handle}").format(login=login, handle=holder.handle)
            )
        summary = f"{person.handle} acts through login {login}" if login else f"{person.handle} has no login"
        events.append(
            tx.conn,
            tx.origin,
            entity="person",
            entity_id=person.id,
            kind="person.login_bound",
            payload={"set": {"login": login}, "summary": summary},
        )
        person.login = login
        return person
