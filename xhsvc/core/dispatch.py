"""Dispatch: who should take a ticket, and who may.

`suggest_assignees` ranks the people who can take a ticket (the tier's engineers, or experts for
L3: assigning refuses anyone else) the way a dispatcher would think of them:

1. the customer's project support team first (its primary engineer of the tier before the rest);
2. then those of the ticket's region: the site's region or city, else the customer's region,
   matched against the person's region, their branch's city and region, their partner's regions;
3. then the fewest open tickets (new, assigned, in progress, waiting) assigned: the current load.

The tier is not ranked but required, since a ticket goes to its tier only. A partner's engineer
works in the partner's regions only: `require_partner_region` refuses anything else when a
ticket is assigned, and such an engineer is never suggested elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from xhsvc.core.context import Context, Tx
from xhsvc.core.organization import LOAD_STATUSES, partner_regions, region_key, require_partner_serves, serves
from xhsvc.errors import InvalidInput, NotAllowed, NotFound
from xhsvc.i18n import _
from xhsvc.store import org_queries, queries
from xhsvc.store.tables import Branch, Partner, Person, Ticket

DEFAULT_LIMIT = 5


@dataclass(frozen=True)
class Candidate:
    """A person who can take the ticket, and why they rank where they do."""

    person: Person
    branch: Branch | None
    partner: Partner | None
    in_team: bool
    team_tier: str | None
    primary: bool
    # The ticket's place the person is from (None: from elsewhere).
    region: str | None
    load: int

    @property
    def reasons(self) -> list[str]:
        """What speaks for them, as codes for scripts: team, primary, region, tier."""
        codes = []
        if self.in_team:
            codes.append("team")
        if self.primary:
            codes.append("primary")
        if self.region:
            codes.append("region")
        codes.append("tier")
        return codes

    def sort_key(self) -> tuple[bool, bool, bool, int, str]:
        return (not self.in_team, not self.primary, self.region is None, self.load, self.person.handle)

    def to_dict(self) -> dict[str, Any]:
        return {
            "handle": self.person.handle,
            "name": self.person.name,
            "tier": self.person.tier,
            "region": self.person.region,
            "branch": self.branch.code if self.branch else None,
            "partner": self.partner.name if self.partner else None,
            "in_team": self.in_team,
            "team_tier": self.team_tier,
            "primary": self.primary,
            "region_match": self.region,
            "load": self.load,
            "reasons": self.reasons,
            "why": reason_text(self),
        }


def reason_text(candidate: Candidate) -> str:
    """Why, in a few words for a dispatcher: 'primary L1 of the team, region 杭州, load 2'."""
    parts = []
    if candidate.primary:
        parts.append(_("primary {tier} of the team").format(tier=candidate.team_tier))
    elif candidate.in_team:
        parts.append(_("team {tier}").format(tier=candidate.team_tier))
    if candidate.region:
        parts.append(_("region {region}").format(region=candidate.region))
    else:
        home = candidate.person.region or (candidate.branch.city if candidate.branch else None)
        parts.append(_("from {region}").format(region=home) if home else _("no region"))
    if candidate.partner:
        parts.append(_("partner {name}").format(name=candidate.partner.name))
    parts.append(_("load {count}").format(count=candidate.load))
    return _(", ").join(parts)


def ticket_places(conn: Connection, ticket: Ticket) -> set[str]:
    """Where the ticket's work is: its site's region and city, or else its customer's region."""
    site = org_queries.site_of(conn, ticket.site_id)
    places = {v for v in (site or {}).values() if v}
    if not places:
        customer = queries.get_customer(conn, ticket.customer_id)
        if customer is not None and customer.region:
            places = {customer.region}
    return places


def person_places(person: Person, branch: Branch | None, partner: Partner | None) -> set[str]:
    """Where a person works: their region, their branch's city and region, their partner's."""
    places = {person.region or ""}
    if branch is not None:
        places |= {branch.city, branch.region}
    if partner is not None:
        places |= set(partner_regions(partner))
    return {p for p in places if p}


def _match(ticket_at: set[str], person_at: set[str]) -> str | None:
    keys = {region_key(p): p for p in person_at}
    return next((place for place in sorted(ticket_at) if region_key(place) in keys), None)


def require_partner_region(tx: Tx, person: Person, ticket: Ticket) -> None:
    """A partner's engineer takes tickets of the partner's regions only (NotAllowed otherwise)."""
    if not person.partner_id:
        return
    partner = org_queries.get_partner(tx.conn, person.partner_id)
    if partner is None:
        return
    require_partner_serves(
        partner, person, ticket_places(tx.conn, ticket), _("ticket {key}").format(key=ticket.key)
    )


def suggest_assignees(ctx: Context, *, key: str, limit: int = DEFAULT_LIMIT) -> list[Candidate]:
    """The people who can take ticket `key`, best first (see the module's order), at most `limit`
    of them (0: all). The current assignee is left out: the question is who else."""
    if limit < 0:
        raise InvalidInput(_("limit {limit}: 0 (all) or more").format(limit=limit))
    with ctx.reading() as tx:
        ticket = queries.get_ticket(tx.conn, key)
        if ticket is None:
            raise NotFound(_("ticket {key!r} not found").format(key=key))
        if ticket.status not in LOAD_STATUSES:
            raise NotAllowed(
                _("assign: ticket {key} is {status}; only open tickets are assigned").format(
                    key=ticket.key, status=ticket.status
                )
            )
        role = "expert" if ticket.tier == "L3" else "engineer"
        people = [
            p
            for p in queries.list_people(tx.conn, role=role, tier=ticket.tier)
            if p.active and p.id != ticket.assignee_id
        ]
        team = {m.person_id: m for m in org_queries.team_of(tx.conn, ticket.customer_id)}
        branches = org_queries.branches_by_id(tx.conn)
        partners = org_queries.partners_by_id(tx.conn)
        load = org_queries.open_load(tx.conn, LOAD_STATUSES, [p.id for p in people])
        places = ticket_places(tx.conn, ticket)
    found = []
    for person in people:
        branch = branches.get(person.branch_id or "")
        partner = partners.get(person.partner_id or "")
        if partner is not None and not serves(partner, places):
            continue
        member = team.get(person.id)
        found.append(
            Candidate(
                person=person,
                branch=branch,
                partner=partner,
                in_team=member is not None,
                team_tier=member.tier if member else None,
                primary=bool(member and member.primary and member.tier == ticket.tier),
                region=_match(places, person_places(person, branch, partner)),
                load=load.get(person.id, 0),
            )
        )
    found.sort(key=Candidate.sort_key)
    return found[:limit] if limit else found
