"""The tables. State tables (people, customers, tickets, approvals, notifications) are a
projection of the append-only `event` table; `meta` and `counter` belong to this database alone."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from xhsvc.store.types import ISODate, UTCDateTime


def _when(nullable: bool = True, index: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(UTCDateTime(), nullable=nullable, index=index)


def _day(nullable: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(ISODate(), nullable=nullable)


class Meta(SQLModel, table=True):
    """Facts about this database: its node id and ticket-key prefix."""

    __tablename__ = "meta"
    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=255)


class Counter(SQLModel, table=True):
    """Monotonic counters (ticket numbers per prefix, event sequence, hybrid logical clock).

    Incrementing one takes a row lock, which serializes writers on PostgreSQL as
    BEGIN IMMEDIATE does on SQLite.
    """

    __tablename__ = "counter"
    name: str = Field(primary_key=True, max_length=64)
    value: int = Field(default=0, sa_type=BigInteger)


class Event(SQLModel, table=True):
    """One change, append-only: the audit history and the unit of offline sync."""

    __tablename__ = "event"
    __table_args__ = (
        UniqueConstraint("node", "seq", name="uq_event_node_seq"),
        Index("ix_event_entity", "entity", "entity_id"),
        Index("ix_event_ticket", "ticket_id"),
    )
    id: str = Field(primary_key=True, max_length=36)
    entity: str = Field(max_length=32)
    entity_id: str = Field(max_length=36)
    # The ticket an event belongs to (itself, or the ticket of an approval), so history is one query.
    ticket_id: str | None = Field(default=None, max_length=36)
    kind: str = Field(max_length=64)
    payload: str = Field(sa_type=Text)
    actor: str | None = Field(default=None, max_length=64)
    # Who really ran the command: the OS user on a personal SQLite file, the login on PostgreSQL.
    ran_by: str | None = Field(default=None, max_length=128)
    at: datetime = Field(sa_column=_when(nullable=False))
    node: str = Field(max_length=36)
    seq: int = Field(sa_type=BigInteger)
    hlc: int = Field(sa_type=BigInteger, index=True)
    # The node's hash chain (see store/chain.py).
    prev_hash: str | None = Field(default=None, max_length=64)
    hash: str | None = Field(default=None, max_length=64)


class Person(SQLModel, table=True):
    __tablename__ = "person"
    __table_args__ = (Index("ix_person_login", "login", unique=True),)
    id: str = Field(primary_key=True, max_length=36)
    handle: str = Field(unique=True, max_length=64)
    name: str = Field(max_length=128)
    role: str = Field(max_length=16)
    tier: str | None = Field(default=None, max_length=2)
    region: str | None = Field(default=None, max_length=64)
    phone: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=128)
    active: bool = True
    # The database login (on a shared server) that acts as this person, and only as this person.
    login: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(sa_column=_when(nullable=False))


class Customer(SQLModel, table=True):
    __tablename__ = "customer"
    id: str = Field(primary_key=True, max_length=36)
    name: str = Field(unique=True, max_length=200)
    region: str | None = Field(default=None, max_length=64)
    industry: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(sa_column=_when(nullable=False))


class Site(SQLModel, table=True):
    """A place where a customer's systems stand; its city decides the serving branch."""

    __tablename__ = "site"
    __table_args__ = (UniqueConstraint("customer_id", "name", name="uq_site_customer_name"),)
    id: str = Field(primary_key=True, max_length=36)
    customer_id: str = Field(foreign_key="customer.id", max_length=36, index=True)
    name: str = Field(max_length=200)
    address: str | None = Field(default=None, max_length=300)
    city: str | None = Field(default=None, max_length=64)
    region: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(sa_column=_when(nullable=False))


class Contact(SQLModel, table=True):
    __tablename__ = "contact"
    __table_args__ = (
        Index("ix_contact_phone_digits", "phone_digits"),
        Index("ix_contact_phone_tail", "phone_tail"),
    )
    id: str = Field(primary_key=True, max_length=36)
    customer_id: str = Field(foreign_key="customer.id", max_length=36, index=True)
    name: str = Field(max_length=100)
    phone: str | None = Field(default=None, max_length=40)
    # The phone's digits alone, so a caller is found however the number was typed.
    phone_digits: str | None = Field(default=None, max_length=40)
    # The digits reversed: a caller's number without its area code is a prefix here, so indexed.
    phone_tail: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=200)
    role: str | None = Field(default=None, max_length=100)
    created_at: datetime = Field(sa_column=_when(nullable=False))


class Asset(SQLModel, table=True):
    """A storage system (or backup appliance) at a customer's site, known by its serial number."""

    __tablename__ = "asset"
    id: str = Field(primary_key=True, max_length=36)
    customer_id: str = Field(foreign_key="customer.id", max_length=36, index=True)
    site_id: str | None = Field(default=None, foreign_key="site.id", max_length=36)
    serial: str = Field(unique=True, max_length=64)
    model: str = Field(max_length=100)
    firmware: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(sa_column=_when(nullable=False))


class Contract(SQLModel, table=True):
    """A service contract; its periods are its terms (a renewal adds a term, never overwrites)."""

    __tablename__ = "contract"
    id: str = Field(primary_key=True, max_length=36)
    number: str = Field(unique=True, max_length=64)
    customer_id: str = Field(foreign_key="customer.id", max_length=36, index=True)
    notes: str | None = Field(default=None, sa_type=Text)
    terminated_on: date | None = Field(default=None, sa_column=_day(nullable=True))
    termination_reason: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(sa_column=_when(nullable=False))


class ContractTerm(SQLModel, table=True):
    __tablename__ = "contract_term"
    __table_args__ = (
        UniqueConstraint("contract_id", "term_no", name="uq_term_contract_no"),
        Index("ix_term_end", "end_date"),
    )
    id: str = Field(primary_key=True, max_length=36)
    contract_id: str = Field(foreign_key="contract.id", max_length=36)
    term_no: int
    level: str = Field(max_length=32)
    start_date: date = Field(sa_column=_day())
    end_date: date = Field(sa_column=_day())
    created_at: datetime = Field(sa_column=_when(nullable=False))


class ContractAsset(SQLModel, table=True):
    __tablename__ = "contract_asset"
    __table_args__ = (UniqueConstraint("contract_id", "asset_id", name="uq_contract_asset"),)
    id: str = Field(primary_key=True, max_length=36)
    contract_id: str = Field(foreign_key="contract.id", max_length=36)
    asset_id: str = Field(foreign_key="asset.id", max_length=36, index=True)


class EntitlementUse(SQLModel, table=True):
    """One use of what a contract term grants: an inspection, a training, standby days."""

    __tablename__ = "entitlement_use"
    __table_args__ = (Index("ix_use_term", "term_id", "kind"),)
    id: str = Field(primary_key=True, max_length=36)
    contract_id: str = Field(foreign_key="contract.id", max_length=36)
    term_id: str = Field(foreign_key="contract_term.id", max_length=36)
    kind: str = Field(max_length=16)
    quantity: int = 1
    used_on: date = Field(sa_column=_day())
    ticket_id: str | None = Field(default=None, foreign_key="ticket.id", max_length=36)
    note: str | None = Field(default=None, sa_type=Text)
    beyond_grant: bool = False
    recorded_by_id: str = Field(foreign_key="person.id", max_length=36)
    created_at: datetime = Field(sa_column=_when(nullable=False))


class Ticket(SQLModel, table=True):
    __tablename__ = "ticket"
    __table_args__ = (
        Index("ix_ticket_queue", "status", "priority", "created_at"),
        Index("ix_ticket_order", "priority", "created_at"),
        Index("ix_ticket_assignee", "assignee_id", "status"),
        Index("ix_ticket_customer", "customer_id"),
        Index("ix_ticket_next_check", "status", "next_check_at"),
        Index("ix_ticket_next_due", "status", "next_due_at"),
    )
    id: str = Field(primary_key=True, max_length=36)
    key: str = Field(unique=True, max_length=32)
    title: str = Field(max_length=300)
    description: str | None = Field(default=None, sa_type=Text)
    status: str = Field(max_length=20)
    tier: str = Field(max_length=2)
    impact: int
    urgency: int
    priority: str = Field(max_length=2)
    major: bool = False
    service: str = Field(max_length=32)
    channel: str = Field(max_length=16)
    contact: str | None = Field(default=None, max_length=200)
    customer_id: str = Field(foreign_key="customer.id", max_length=36)
    site_id: str | None = Field(default=None, foreign_key="site.id", max_length=36)
    asset_id: str | None = Field(default=None, foreign_key="asset.id", max_length=36)
    # The contract that covered the call when it was recorded, and why (or why not).
    contract_id: str | None = Field(default=None, foreign_key="contract.id", max_length=36)
    coverage: str | None = Field(default=None, max_length=32)
    coverage_note: str | None = Field(default=None, max_length=300)
    # SLA: the level whose targets apply, and when the sweep must look at this ticket next.
    sla_level: str | None = Field(default=None, max_length=32)
    reported_at: datetime | None = Field(default=None, sa_column=_when())
    sla_cycle: int = 1
    next_check_at: datetime | None = Field(default=None, sa_column=_when())
    # The nearest due time of its running clocks: the queue's order (derived, like next_check_at).
    next_due_at: datetime | None = Field(default=None, sa_column=_when())
    assignee_id: str | None = Field(default=None, foreign_key="person.id", max_length=36)
    opened_by_id: str = Field(foreign_key="person.id", max_length=36)
    # On-site work was approved (so closing needs a confirmation and a report), and at which tier.
    onsite: bool = False
    onsite_tier: str | None = Field(default=None, max_length=2)
    created_at: datetime = Field(sa_column=_when(nullable=False))
    updated_at: datetime = Field(sa_column=_when(nullable=False))
    responded_at: datetime | None = Field(default=None, sa_column=_when())
    resolved_at: datetime | None = Field(default=None, sa_column=_when())
    resolution: str | None = Field(default=None, sa_type=Text)
    confirmed_by: str | None = Field(default=None, max_length=200)
    confirmed_at: datetime | None = Field(default=None, sa_column=_when())
    closed_at: datetime | None = Field(default=None, sa_column=_when())
    report: str | None = Field(default=None, sa_type=Text)
    root_cause: str | None = Field(default=None, sa_type=Text)
    review_actions: str | None = Field(default=None, sa_type=Text)
    reviewed_at: datetime | None = Field(default=None, sa_column=_when())
    reopen_count: int = 0


class SlaClock(SQLModel, table=True):
    """One SLA target of a ticket (response, on-site arrival, resolution) in one cycle.

    Paused time (waiting on the customer) is kept in working minutes and pushes the due time.
    """

    __tablename__ = "sla_clock"
    __table_args__ = (Index("ix_clock_ticket", "ticket_id", "cycle"),)
    id: str = Field(primary_key=True, max_length=36)
    ticket_id: str = Field(foreign_key="ticket.id", max_length=36)
    target: str = Field(max_length=16)
    cycle: int = 1
    calendar: str = Field(max_length=64)
    budget_min: int
    started_at: datetime = Field(sa_column=_when(nullable=False))
    paused_min: float = 0.0
    paused_since: datetime | None = Field(default=None, sa_column=_when())
    due_at: datetime = Field(sa_column=_when(nullable=False))
    stopped_at: datetime | None = Field(default=None, sa_column=_when())
    # met (stopped in time), late (stopped after the due time), cancelled (not needed any more)
    outcome: str | None = Field(default=None, max_length=16)
    breached_at: datetime | None = Field(default=None, sa_column=_when())


class RuleFiring(SQLModel, table=True):
    """An escalation rule fired for a ticket: at most once per rule, ticket and clock cycle."""

    __tablename__ = "rule_firing"
    __table_args__ = (UniqueConstraint("rule_id", "ticket_id", "cycle", name="uq_firing_rule_ticket_cycle"),)
    id: str = Field(primary_key=True, max_length=36)
    rule_id: str = Field(max_length=64)
    ticket_id: str = Field(foreign_key="ticket.id", max_length=36, index=True)
    cycle: int
    fired_at: datetime = Field(sa_column=_when(nullable=False))
    actions: str = Field(sa_type=Text)


class Visit(SQLModel, table=True):
    """A scheduled service visit: an inspection, a training, standby, an optimization review or a
    disaster-recovery drill, with the checklist the engineer fills in."""

    __tablename__ = "visit"
    __table_args__ = (Index("ix_visit_due", "status", "planned_for"),)
    id: str = Field(primary_key=True, max_length=36)
    key: str = Field(unique=True, max_length=32)
    kind: str = Field(max_length=16)
    template: str = Field(max_length=64)
    title: str = Field(max_length=200)
    status: str = Field(max_length=16)
    customer_id: str = Field(foreign_key="customer.id", max_length=36)
    contract_id: str | None = Field(default=None, foreign_key="contract.id", max_length=36, index=True)
    term_id: str | None = Field(default=None, foreign_key="contract_term.id", max_length=36)
    site_id: str | None = Field(default=None, foreign_key="site.id", max_length=36)
    engineer_id: str | None = Field(default=None, foreign_key="person.id", max_length=36)
    planned_for: date = Field(sa_column=_day())
    quantity: int = 1
    started_at: datetime | None = Field(default=None, sa_column=_when())
    completed_at: datetime | None = Field(default=None, sa_column=_when())
    summary: str | None = Field(default=None, sa_type=Text)
    cancel_reason: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(sa_column=_when(nullable=False))


class VisitItem(SQLModel, table=True):
    """One checklist item of a visit: a copy of the template's item, and the engineer's answer."""

    __tablename__ = "visit_item"
    __table_args__ = (UniqueConstraint("visit_id", "item_key", name="uq_visit_item"),)
    id: str = Field(primary_key=True, max_length=36)
    visit_id: str = Field(foreign_key="visit.id", max_length=36, index=True)
    item_key: str = Field(max_length=80)
    position: int
    section: str = Field(max_length=64)
    label: str = Field(max_length=300)
    kind: str = Field(max_length=16)
    required: bool = False
    unit: str | None = Field(default=None, max_length=16)
    # Thresholds, choices, recommendation... as the template had them when the visit was made.
    spec: str = Field(sa_type=Text)
    value: str | None = Field(default=None, sa_type=Text)
    result: str | None = Field(default=None, max_length=8)
    note: str | None = Field(default=None, sa_type=Text)
    recorded_at: datetime | None = Field(default=None, sa_column=_when())
    recorded_by_id: str | None = Field(default=None, foreign_key="person.id", max_length=36)


class Finding(SQLModel, table=True):
    """A failed or warning item of a completed visit, with what it recommends; it may have a
    follow-up ticket (and the ticket knows its finding)."""

    __tablename__ = "finding"
    id: str = Field(primary_key=True, max_length=36)
    visit_id: str = Field(foreign_key="visit.id", max_length=36, index=True)
    item_key: str = Field(max_length=80)
    severity: str = Field(max_length=8)
    text: str = Field(sa_type=Text)
    recommendation: str | None = Field(default=None, sa_type=Text)
    ticket_id: str | None = Field(default=None, foreign_key="ticket.id", max_length=36, index=True)
    created_at: datetime = Field(sa_column=_when(nullable=False))


class Approval(SQLModel, table=True):
    """A request that someone must decide: on-site work, an escalation, tier-2 on-site work."""

    __tablename__ = "approval"
    __table_args__ = (Index("ix_approval_ticket_state", "ticket_id", "state"),)
    id: str = Field(primary_key=True, max_length=36)
    ticket_id: str = Field(foreign_key="ticket.id", max_length=36)
    kind: str = Field(max_length=16)
    state: str = Field(max_length=16)
    target_tier: str | None = Field(default=None, max_length=2)
    reason: str | None = Field(default=None, sa_type=Text)
    referred: bool = False
    requested_by_id: str = Field(foreign_key="person.id", max_length=36)
    requested_at: datetime = Field(sa_column=_when(nullable=False))
    decided_by_id: str | None = Field(default=None, foreign_key="person.id", max_length=36)
    decided_at: datetime | None = Field(default=None, sa_column=_when())
    decision_note: str | None = Field(default=None, sa_type=Text)


class Notification(SQLModel, table=True):
    """The outbox: every message owed to a person, delivered later by `notify flush`."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_state", "state", "created_at"),)
    id: str = Field(primary_key=True, max_length=36)
    recipient_id: str = Field(foreign_key="person.id", max_length=36)
    ticket_id: str | None = Field(default=None, foreign_key="ticket.id", max_length=36)
    reason: str = Field(max_length=32)
    message: str = Field(sa_type=Text)
    state: str = Field(default="pending", max_length=16)
    created_at: datetime = Field(sa_column=_when(nullable=False))
    delivered_at: datetime | None = Field(default=None, sa_column=_when())
    attempts: int = 0
    error: str | None = Field(default=None, sa_type=Text)
    # Set while a flush delivers it, so two flushes never send the same message.
    claimed_at: datetime | None = Field(default=None, sa_column=_when())


# Entity name in the event log -> the table its events project into, in dependency order.
PROJECTED: dict[str, type[SQLModel]] = {
    "person": Person,
    "customer": Customer,
    "site": Site,
    "contact": Contact,
    "asset": Asset,
    "contract": Contract,
    "contract_term": ContractTerm,
    "contract_asset": ContractAsset,
    "ticket": Ticket,
    "sla_clock": SlaClock,
    "rule_firing": RuleFiring,
    "approval": Approval,
    "notification": Notification,
    "entitlement_use": EntitlementUse,
    "visit": Visit,
    "visit_item": VisitItem,
    "finding": Finding,
}


class SyncPeer(SQLModel, table=True):
    """A node this database exchanges events with: at the center each registered laptop (for one
    person, with the key its bundles are signed with); on a laptop its center."""

    __tablename__ = "sync_peer"
    name: str = Field(primary_key=True, max_length=64)
    # Bound on the first exchange: from then on the name speaks for this node only.
    node_id: str | None = Field(default=None, max_length=36, unique=True)
    person_id: str | None = Field(default=None, max_length=36)
    role: str = Field(max_length=16)
    key: str = Field(max_length=64)
    prefix: str | None = Field(default=None, max_length=8)
    url: str | None = Field(default=None, max_length=1024)
    # What the peer holds, as it last told us: {node: highest sequence}.
    have: str = Field(default="{}", sa_type=Text)
    created_at: datetime = Field(sa_column=_when(nullable=False))
    last_sent_at: datetime | None = Field(default=None, sa_column=_when())
    last_received_at: datetime | None = Field(default=None, sa_column=_when())
    revoked_at: datetime | None = Field(default=None, sa_column=_when())


class SyncCover(SQLModel, table=True):
    """Events of a node that this database has been sent or told it need not hold (a laptop's
    slice leaves most of the center's out): counted as held when saying what we have."""

    __tablename__ = "sync_cover"
    node: str = Field(primary_key=True, max_length=36)
    seq: int = Field(default=0, sa_type=BigInteger)


class EntityHead(SQLModel, table=True):
    """The latest events of each entity that no later event of it follows (more than one after
    concurrent edits on two nodes): a new event names them as its base."""

    __tablename__ = "entity_head"
    entity_id: str = Field(primary_key=True, max_length=36)
    event_id: str = Field(primary_key=True, max_length=36)


class SyncConflict(SQLModel, table=True):
    """A value or a step that lost to a concurrent one on another node, kept until a person
    resolves it. Derived from the log by the merge, like the state tables."""

    __tablename__ = "sync_conflict"
    __table_args__ = (Index("ix_conflict_entity", "entity_id"), Index("ix_conflict_ticket", "ticket_id"))
    id: str = Field(primary_key=True, max_length=120)
    entity: str = Field(max_length=32)
    entity_id: str = Field(max_length=36)
    ticket_id: str | None = Field(default=None, max_length=36)
    field: str = Field(max_length=64)
    # "value": two nodes set the same field; "flow": two steps of the ticket flow raced.
    kind: str = Field(max_length=16)
    rule: str | None = Field(default=None, sa_type=Text)
    winner_event: str = Field(max_length=36)
    winner_value: str | None = Field(default=None, sa_type=Text)
    loser_event: str = Field(max_length=36)
    loser_value: str | None = Field(default=None, sa_type=Text)
    loser_kind: str = Field(max_length=64)
    loser_actor: str | None = Field(default=None, max_length=64)
    loser_node: str = Field(max_length=36)
    loser_at: datetime = Field(sa_column=_when(nullable=False))
    resolved_event: str | None = Field(default=None, max_length=36)
    resolved_by: str | None = Field(default=None, max_length=64)
    resolved_at: datetime | None = Field(default=None, sa_column=_when())
