"""Branches, partner companies and customers' project support teams.

The service system (seed 一) rests on branches in 22 cities, 200 partner companies and, for each
customer, a project support team (项目支持服务小组) of named engineers who know its systems
(人员定向化). Here they are records like any other, written as events so that they reach
laptops and edits sync:

- a branch (`branch.added`) has a code, a name, a city and the region it serves;
- a partner (`partner.added`) serves one or more regions, and its engineers work there only;
- a person belongs to at most one branch or partner (`person.affiliated`);
- a customer's team lists its L1/L2 engineers (`team_member.added|edited|removed`), one of each
  tier possibly its primary engineer; dispatch (core/dispatch.py) suggests them first.

Branches, partners and team memberships are named by what identifies them (a branch's code, a
partner's name, the customer and the person): their ids follow from those, so two nodes that
record the same branch offline record one branch when they sync, never two rows that clash.
"""

from __future__ import annotations

import re
import tomllib
import uuid
from pathlib import Path
from typing import Any

from xhsvc.core.context import Context, Tx
from xhsvc.core.customers import find_customer, phone_value
from xhsvc.core.text import clean_text, one_of
from xhsvc.errors import Conflict, InvalidInput, NotAllowed, NotFound
from xhsvc.i18n import _
from xhsvc.store import events, org_queries, queries
from xhsvc.store.tables import Branch, Customer, Partner, Person, TeamMember

# Who records branches and partners, and who keeps customers' teams.
ORG_EDITORS = ("manager", "admin")
TEAM_EDITORS = ("agent", "manager", "admin")
TEAM_TIERS = ("L1", "L2")
# A person's load: the tickets assigned to them that are not resolved yet.
LOAD_STATUSES = ("new", "assigned", "in_progress", "waiting_customer")
CODE_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{1,7}$")
REGION_SEPARATORS = re.compile(r"[,，、;；]")
DEFAULTS_FILE = Path(__file__).resolve().parent.parent / "defaults" / "branches.toml"
# Ids that follow from a natural key (uuid5 in this namespace).
_NAMESPACE = uuid.UUID("0b8f6f1e-3c1a-5d7e-9a51-7a2f4c6e8d10")


def stable_id(kind: str, key: str) -> str:
    """The id of the `kind` record named `key`: the same on every node."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{key}"))


def region_key(value: str | None) -> str:
    """A region as compared: 杭州, 杭州市 and ' 杭州 ' are one region; so are Beijing and beijing."""
    text = (value or "").strip().casefold()
    for suffix in ("市", "省"):
        if len(text) > 2 and text.endswith(suffix):
            text = text[: -len(suffix)]
    return text


def split_regions(value: str | list[str] | tuple[str, ...]) -> list[str]:
    """`成都,重庆` (or 成都、重庆, or a list) as a list of regions, each checked."""
    parts = value if isinstance(value, list | tuple) else REGION_SEPARATORS.split(value)
    regions: list[str] = []
    for part in parts:
        region = clean_text(part, "region", limit=64)
        if region and region_key(region) not in {region_key(r) for r in regions}:
            regions.append(region)
    return regions


def partner_regions(partner: Partner) -> list[str]:
    return [r for r in partner.regions.split(",") if r]


def _require(tx: Tx, roles: tuple[str, ...], action: str) -> Person:
    me = tx.me()
    if me.role not in roles:
        raise NotAllowed(
            _("{action}: only {roles} may do this; {handle} is {role}").format(
                action=action, roles=", ".join(roles), handle=me.handle, role=me.role
            )
        )
    return me


# Branches ----------------------------------------------------------------------------------------


def _code(value: str) -> str:
    code = (value or "").strip().upper()
    if not CODE_PATTERN.match(code):
        raise InvalidInput(
            _("code {code!r}: 2-8 capital letters or digits, starting with a letter (e.g. BJ, HEB)").format(
                code=value
            )
        )
    return code


def _branch_row(tx: Tx, *, code: str, name: str, city: str, region: str | None) -> dict[str, Any]:
    return {
        "code": _code(code),
        "name": clean_text(name, "name", required=True, limit=128),
        "city": clean_text(city, "city", required=True, limit=64),
        "region": clean_text(region, "region", limit=64) or clean_text(city, "city", limit=64),
        "active": True,
        "created_at": tx.now,
    }


def _create_branch(tx: Tx, row: dict[str, Any]) -> Branch:
    branch_id = stable_id("branch", row["code"])
    events.append(
        tx.conn,
        tx.origin,
        entity="branch",
        entity_id=branch_id,
        kind="branch.added",
        payload={"create": row, "summary": f"branch {row['code']} {row['name']} ({row['city']}) added"},
    )
    return Branch(id=branch_id, **row)


def add_branch(ctx: Context, *, code: str, name: str, city: str, region: str | None = None) -> Branch:
    """Record a branch (managers and admins). `region` is what customers' and sites' region say
    for the area it serves; its city when not given."""
    with ctx.writing() as tx:
        _require(tx, ORG_EDITORS, "branch add")
        row = _branch_row(tx, code=code, name=name, city=city, region=region)
        if org_queries.get_branch(tx.conn, row["code"]) is not None:
            raise Conflict(_("branch {code} already exists").format(code=row["code"]))
        return _create_branch(tx, row)


def default_branches() -> list[dict[str, str]]:
    """The branches shipped in xhsvc/defaults/branches.toml."""
    with DEFAULTS_FILE.open("rb") as f:
        return list(tomllib.load(f)["branch"])


def add_default_branches(ctx: Context) -> list[Branch]:
    """Record the shipped branches that are not recorded yet (managers and admins); returns those
    added (none the second time)."""
    with ctx.writing() as tx:
        _require(tx, ORG_EDITORS, "branch defaults")
        added = []
        for spec in default_branches():
            row = _branch_row(tx, **{k: spec.get(k) for k in ("code", "name", "city", "region")})
            if org_queries.get_branch(tx.conn, row["code"]) is None:
                added.append(_create_branch(tx, row))
        return added


def find_branch(tx: Tx, code: str) -> Branch:
    branch = org_queries.get_branch(tx.conn, code)
    if branch is None:
        raise NotFound(
            _(
                "branch {code!r} not found (see `xhsvc branch list`, or add it with `xhsvc branch add`)"
            ).format(code=code)
        )
    return branch


def list_branches(ctx: Context) -> list[dict[str, Any]]:
    """Every branch with how many active people work there."""
    with ctx.reading() as tx:
        counts = org_queries.people_counts(tx.conn, "branch_id")
        return [{**b.model_dump(), "people": counts.get(b.id, 0)} for b in org_queries.list_branches(tx.conn)]


def _people_rows(people: list[Person]) -> list[dict[str, Any]]:
    return [
        {"handle": p.handle, "name": p.name, "role": p.role, "tier": p.tier, "region": p.region}
        for p in people
        if p.active
    ]


def show_branch(ctx: Context, *, code: str) -> dict[str, Any]:
    """A branch and its people."""
    with ctx.reading() as tx:
        branch = find_branch(tx, code)
        people = org_queries.people_of(tx.conn, branch_id=branch.id)
        return {**branch.model_dump(), "people": _people_rows(people)}


# Partners ----------------------------------------------------------------------------------------


def add_partner(
    ctx: Context,
    *,
    name: str,
    regions: str | list[str],
    contact: str | None = None,
    phone: str | None = None,
) -> Partner:
    """Record a partner company and the regions it serves (managers and admins)."""
    clean = clean_text(name, "name", required=True, limit=200) or ""
    served = split_regions(regions)
    if not served:
        raise InvalidInput(_("regions: name at least one region the partner serves, e.g. 成都 or 成都,重庆"))
    row = {
        "name": clean,
        "regions": ",".join(served),
        "contact": clean_text(contact, "contact", limit=100),
        "phone": phone_value(phone),
        "active": True,
    }
    with ctx.writing() as tx:
        _require(tx, ORG_EDITORS, "partner add")
        partner_id = stable_id("partner", clean.casefold())
        if org_queries.get_partner(tx.conn, clean) or org_queries.get_partner(tx.conn, partner_id):
            raise Conflict(_("partner {name!r} already exists").format(name=clean))
        row["created_at"] = tx.now
        events.append(
            tx.conn,
            tx.origin,
            entity="partner",
            entity_id=partner_id,
            kind="partner.added",
            payload={"create": row, "summary": f"partner {clean} added, serving {row['regions']}"},
        )
        return Partner(id=partner_id, **row)


def find_partner(tx: Tx, name: str) -> Partner:
    partner = org_queries.get_partner(tx.conn, name)
    if partner is None:
        raise NotFound(
            _(
                "partner {name!r} not found (see `xhsvc partner list`, or add it with `xhsvc partner add`)"
            ).format(name=name)
        )
    return partner


def _partner_dict(partner: Partner) -> dict[str, Any]:
    return {**partner.model_dump(), "regions": partner_regions(partner)}


def list_partners(ctx: Context) -> list[dict[str, Any]]:
    """Every partner with the regions it serves and how many active engineers it has."""
    with ctx.reading() as tx:
        counts = org_queries.people_counts(tx.conn, "partner_id")
        return [
            {**_partner_dict(p), "people": counts.get(p.id, 0)} for p in org_queries.list_partners(tx.conn)
        ]


def show_partner(ctx: Context, *, name: str) -> dict[str, Any]:
    """A partner and its engineers."""
    with ctx.reading() as tx:
        partner = find_partner(tx, name)
        people = org_queries.people_of(tx.conn, partner_id=partner.id)
        return {**_partner_dict(partner), "people": _people_rows(people)}


# Where people work -------------------------------------------------------------------------------


def affiliation(
    tx: Tx, *, role: str, region: str | None, branch: str | None, partner: str | None
) -> dict[str, Any]:
    """The columns that put a person of `role` in `branch` or with `partner` (one of the two at
    most; neither: in none). A person with no region of their own takes the branch's, or the
    partner's when it serves one region only."""
    if branch is not None and partner is not None:
        raise InvalidInput(
            _("--branch and --partner: a person works for a branch or for a partner, not both")
        )
    changes: dict[str, Any] = {"branch_id": None, "partner_id": None}
    if branch is not None:
        found = find_branch(tx, branch)
        changes["branch_id"] = found.id
        if region is None:
            changes["region"] = found.region
    elif partner is not None:
        if role != "engineer":
            raise InvalidInput(
                _("--partner: only engineers work for a partner, not role {role}").format(role=role)
            )
        company = find_partner(tx, partner)
        changes["partner_id"] = company.id
        served = partner_regions(company)
        if region is None and len(served) == 1:
            changes["region"] = served[0]
    return changes


def _affiliate(ctx: Context, *, person: str, branch: str | None, partner: str | None) -> Person:
    with ctx.writing() as tx:
        _require(tx, ORG_EDITORS, "person edit")
        found = queries.get_person(tx.conn, person)
        if found is None:
            raise NotFound(_("person {handle!r} not found").format(handle=person))
        if found.role == "system":
            raise NotAllowed(
                _("person {handle}: xhsvc's own identity works for no branch").format(handle=found.handle)
            )
        changes = affiliation(tx, role=found.role, region=found.region, branch=branch, partner=partner)
        where = (
            find_branch(tx, branch).code if branch else find_partner(tx, partner).name if partner else None
        )
        summary = (
            f"{found.handle} works for {where}" if where else f"{found.handle} works for no branch or partner"
        )
        events.append(
            tx.conn,
            tx.origin,
            entity="person",
            entity_id=found.id,
            kind="person.affiliated",
            payload={"set": changes, "summary": summary},
        )
        for name, value in changes.items():
            setattr(found, name, value)
        return found


def works_for(ctx: Context, *, person: Person) -> dict[str, str | None]:
    """The code of a person's branch and the name of their partner (None where they have none)."""
    with ctx.reading() as tx:
        branch = org_queries.get_branch(tx.conn, person.branch_id) if person.branch_id else None
        partner = org_queries.get_partner(tx.conn, person.partner_id) if person.partner_id else None
    return {"branch": branch.code if branch else None, "partner": partner.name if partner else None}


def set_person_branch(ctx: Context, *, person: str, branch: str | None) -> Person:
    """Put a person in a branch (by its code), or in none with `branch=None` (managers, admins)."""
    return _affiliate(ctx, person=person, branch=branch, partner=None)


def set_person_partner(ctx: Context, *, person: str, partner: str | None) -> Person:
    """Make an engineer a partner's (by its name), or nobody's with `partner=None`."""
    return _affiliate(ctx, person=person, branch=None, partner=partner)


# Customers' project support teams ----------------------------------------------------------------


def serves(partner: Partner, places: set[str]) -> bool:
    """Whether a partner serves one of `places` (regions or cities, as region_key compares)."""
    return bool({region_key(r) for r in partner_regions(partner)} & {region_key(p) for p in places if p})


def require_partner_serves(partner: Partner, person: Person, places: set[str], what: str) -> None:
    """A partner's engineer works in the partner's regions only: refuse anything else, naming both."""
    if serves(partner, places):
        return
    where = "、".join(sorted(p for p in places if p)) or _("no region")
    raise NotAllowed(
        _(
            "{handle} is an engineer of partner {partner}, which serves {regions} only; {what} is in {where}"
        ).format(
            handle=person.handle,
            partner=partner.name,
            regions="、".join(partner_regions(partner)),
            what=what,
            where=where,
        )
    )


def _member(tx: Tx, customer: Customer, person: Person) -> TeamMember | None:
    return org_queries.team_member(tx.conn, stable_id("team_member", f"{customer.id}:{person.id}"))


def add_team_member(
    ctx: Context, *, customer: str, person: str, tier: str | None = None, primary: bool = False
) -> dict[str, Any]:
    """Put an engineer in a customer's project support team, as its L1 or L2 (their own tier
    unless told); `primary` makes them the customer's first engineer of that tier. Agents,
    managers and admins keep teams."""
    wanted = one_of(tier, TEAM_TIERS, "tier") if tier is not None else None
    with ctx.writing() as tx:
        _require(tx, TEAM_EDITORS, "customer team add")
        client = find_customer(tx, customer)
        engineer = queries.get_person(tx.conn, person)
        if engineer is None:
            raise NotFound(_("person {handle!r} not found").format(handle=person))
        if engineer.role != "engineer" or not engineer.active:
            raise InvalidInput(
                _("person {handle}: a team has active engineers (L1, L2), and {handle} is {role}").format(
                    handle=engineer.handle, role=engineer.role if engineer.active else _("inactive")
                )
            )
        team_tier = wanted or engineer.tier or "L1"
        if engineer.partner_id:
            company = org_queries.get_partner(tx.conn, engineer.partner_id)
            if company is not None:
                require_partner_serves(
                    company, engineer, {client.region or ""}, _("customer {name}").format(name=client.name)
                )
        current = _member(tx, client, engineer)
        if (
            current is not None
            and current.active
            and current.tier == team_tier
            and current.primary == primary
        ):
            raise Conflict(
                _("{handle} is already in the team of {customer} as {tier}").format(
                    handle=engineer.handle, customer=client.name, tier=team_tier
                )
            )
        if primary:
            for other in org_queries.team_of(tx.conn, client.id):
                if other.primary and other.tier == team_tier and other.person_id != engineer.id:
                    _write_member(tx, other, "team_member.edited", {"primary": False}, "no longer primary")
        label = f"{engineer.handle} in the team of {client.name} as {team_tier}" + (
            " (primary)" if primary else ""
        )
        if current is None:
            row = {
                "customer_id": client.id,
                "person_id": engineer.id,
                "tier": team_tier,
                "primary": primary,
                "active": True,
                "created_at": tx.now,
            }
            member_id = stable_id("team_member", f"{client.id}:{engineer.id}")
            events.append(
                tx.conn,
                tx.origin,
                entity="team_member",
                entity_id=member_id,
                kind="team_member.added",
                payload={"create": row, "summary": label},
            )
        else:
            changes = {"tier": team_tier, "primary": primary, "active": True}
            _write_member(tx, current, "team_member.edited", changes, label)
        return _team(tx, client)


def _write_member(tx: Tx, member: TeamMember, kind: str, changes: dict[str, Any], summary: str) -> None:
    events.append(
        tx.conn,
        tx.origin,
        entity="team_member",
        entity_id=member.id,
        kind=kind,
        payload={"set": changes, "summary": summary},
    )


def remove_team_member(ctx: Context, *, customer: str, person: str) -> dict[str, Any]:
    """Take an engineer out of a customer's team (the history keeps that they were in it)."""
    with ctx.writing() as tx:
        _require(tx, TEAM_EDITORS, "customer team remove")
        client = find_customer(tx, customer)
        engineer = queries.get_person(tx.conn, person)
        if engineer is None:
            raise NotFound(_("person {handle!r} not found").format(handle=person))
        current = _member(tx, client, engineer)
        if current is None or not current.active:
            raise NotFound(
                _("{handle} is not in the team of {customer}").format(
                    handle=engineer.handle, customer=client.name
                )
            )
        _write_member(
            tx,
            current,
            "team_member.removed",
            {"active": False, "primary": False},
            f"{engineer.handle} left the team of {client.name}",
        )
        return _team(tx, client)


def _team(tx: Tx, client: Customer) -> dict[str, Any]:
    members = org_queries.team_of(tx.conn, client.id)
    people = org_queries.people_by_id(tx.conn, [m.person_id for m in members])
    branches = org_queries.branches_by_id(tx.conn)
    partners = org_queries.partners_by_id(tx.conn)
    load = org_queries.open_load(tx.conn, LOAD_STATUSES, people)
    rows = []
    for member in members:
        person = people[member.person_id]
        branch = branches.get(person.branch_id or "")
        partner = partners.get(person.partner_id or "")
        rows.append(
            {
                "handle": person.handle,
                "name": person.name,
                "tier": member.tier,
                "primary": member.primary,
                "region": person.region,
                "branch": branch.code if branch else None,
                "partner": partner.name if partner else None,
                "load": load.get(person.id, 0),
            }
        )
    return {"customer": client.name, "region": client.region, "members": rows}


def show_team(ctx: Context, *, customer: str) -> dict[str, Any]:
    """A customer's project support team: its engineers by tier, primary first, with their load."""
    with ctx.reading() as tx:
        return _team(tx, find_customer(tx, customer))
