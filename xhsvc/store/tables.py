"""The tables. State tables (people, customers, tickets, approvals, notifications) are a
projection of the append-only `event` table; `meta` and `counter` belong to this database alone.

Each table is declared once, as a class whose annotated fields name its columns: `@table` builds the
SQLAlchemy Core `Table` from them (`Person.__table__`), and the class itself is the plain record a
query returns (`Person.from_row(row)`). Plain classes rather than SQLModel classes: building pydantic
models and the ORM's mappers for every table cost a fifth of a second at every command's start.
The migrations (store/migrations) keep SQLModel's column types; tests/store/test_schema.py proves
the two agree.
"""

from __future__ import annotations

import inspect
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, ClassVar, TypeVar, dataclass_transform

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeEngine

from xhsvc.store.types import ISODate, UTCDateTime

metadata = MetaData()
# A field without a default: the row must give it.
REQUIRED: Any = object()


class _ColumnSpec:
    __slots__ = ("default", "foreign_key", "index", "max_length", "primary_key", "sa_type", "unique")

    def __init__(self, **facts: Any) -> None:
        for name in self.__slots__:
            setattr(self, name, facts[name])


def column(
    *,
    default: Any = REQUIRED,
    primary_key: bool = False,
    max_length: int | None = None,
    unique: bool = False,
    index: bool = False,
    foreign_key: str | None = None,
    sa_type: Any = None,
) -> Any:
    """A field that says more about its column than its annotation does. A column is NULL-able
    when its annotation admits None; its type follows the annotation unless `sa_type` is given."""
    return _ColumnSpec(
        default=default,
        primary_key=primary_key,
        max_length=max_length,
        unique=unique,
        index=index,
        foreign_key=foreign_key,
        sa_type=sa_type,
    )


_TYPES: dict[str, Any] = {
    "int": Integer,
    "bool": Boolean,
    "float": Float,
    "datetime": UTCDateTime,
    "date": ISODate,
}


def _column_of(name: str, annotation: str, spec: _ColumnSpec) -> Column[Any]:
    optional = annotation.endswith("| None")
    kind = annotation.removesuffix("| None").strip()
    sql_type: TypeEngine[Any] | type[TypeEngine[Any]]
    if spec.sa_type is not None:
        sql_type = spec.sa_type
    elif kind == "str":
        sql_type = String(spec.max_length)
    else:
        sql_type = _TYPES[kind]
    foreign = (ForeignKey(spec.foreign_key),) if spec.foreign_key else ()
    return Column(
        name,
        sql_type,
        *foreign,
        primary_key=spec.primary_key,
        nullable=optional and not spec.primary_key,
        unique=spec.unique or None,
        index=spec.index or None,
    )


R_ = TypeVar("R_", bound="Record")


class Record:
    """A row as a plain object: what queries return and core functions pass around. Built by
    keyword, one per column; columns with a default may be left out."""

    __table__: ClassVar[Table]
    __tablename__: ClassVar[str]
    __table_args__: ClassVar[tuple[Any, ...]] = ()
    _defaults: ClassVar[dict[str, Any]]

    def __init__(self, **values: Any) -> None:
        for name, default in self._defaults.items():
            value = values.pop(name, default)
            if value is REQUIRED:
                raise TypeError(f"{type(self).__name__}: {name} is required")
            setattr(self, name, value)
        if values:
            raise TypeError(f"{type(self).__name__}: no column {', '.join(values)}")

    @classmethod
    def from_row(cls: type[R_], row: Mapping[str, Any]) -> R_:
        """A record of a row read with every column of its table (`select(Table)`), taken as is."""
        record = cls.__new__(cls)
        record.__dict__.update(row)
        return record

    @classmethod
    def from_rows(cls: type[R_], rows: Iterable[Sequence[Any]], keys: Sequence[str]) -> list[R_]:
        """Records of many rows (`from_row`'s), read as tuples with these column names: a batch
        of a page of tickets and their clocks is read without a mapping per row."""
        make = cls.__new__
        records = []
        for values in rows:
            record = make(cls)
            record.__dict__.update(zip(keys, values, strict=True))
            records.append(record)
        return records

    def model_dump(self, *, exclude: Collection[str] = ()) -> dict[str, Any]:
        """The row as a dict, in column order (the name pydantic gives it, kept for callers)."""
        return {name: getattr(self, name) for name in self._defaults if name not in exclude}

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self.model_dump() == other.model_dump()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        values = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._defaults)
        return f"{type(self).__name__}({values})"


R = TypeVar("R", bound=type[Record])


@dataclass_transform(kw_only_default=True, field_specifiers=(column,))
def table(cls: R) -> R:
    """Declares `cls`'s table on `metadata` from its annotated fields, in order."""
    columns = []
    defaults: dict[str, Any] = {}
    for name, annotation in inspect.get_annotations(cls).items():
        if annotation.startswith("ClassVar"):
            continue
        declared = cls.__dict__.get(name, REQUIRED)
        spec = declared if isinstance(declared, _ColumnSpec) else column(default=declared)
        columns.append(_column_of(name, annotation, spec))
        defaults[name] = spec.default
        if name in cls.__dict__:
            delattr(cls, name)
    cls._defaults = defaults
    cls.__table__ = Table(cls.__tablename__, metadata, *columns, *cls.__table_args__)
    return cls


@table
class Meta(Record):
    """Facts about this database: its node id and ticket-key prefix."""

    __tablename__ = "meta"
    key: str = column(primary_key=True, max_length=64)
    value: str = column(max_length=255)


@table
class Counter(Record):
    """Monotonic counters (ticket numbers per prefix, event sequence, hybrid logical clock).

    Incrementing one takes a row lock, which serializes writers on PostgreSQL as
    BEGIN IMMEDIATE does on SQLite.
    """

    __tablename__ = "counter"
    name: str = column(primary_key=True, max_length=64)
    value: int = column(default=0, sa_type=BigInteger)


@table
class Event(Record):
    """One change, append-only: the audit history and the unit of offline sync."""

    __tablename__ = "event"
    __table_args__ = (
        UniqueConstraint("node", "seq", name="uq_event_node_seq"),
        Index("ix_event_entity", "entity", "entity_id"),
        Index("ix_event_ticket", "ticket_id"),
    )
    id: str = column(primary_key=True, max_length=36)
    entity: str = column(max_length=32)
    entity_id: str = column(max_length=36)
    # The ticket an event belongs to (itself, or the ticket of an approval), so history is one query.
    ticket_id: str | None = column(default=None, max_length=36)
    kind: str = column(max_length=64)
    payload: str = column(sa_type=Text)
    actor: str | None = column(default=None, max_length=64)
    # Who really ran the command: the OS user on a personal SQLite file, the login on PostgreSQL.
    ran_by: str | None = column(default=None, max_length=128)
    at: datetime
    node: str = column(max_length=36)
    seq: int = column(sa_type=BigInteger)
    hlc: int = column(sa_type=BigInteger, index=True)
    # The node's hash chain (see store/chain.py).
    prev_hash: str | None = column(default=None, max_length=64)
    hash: str | None = column(default=None, max_length=64)


@table
class Person(Record):
    __tablename__ = "person"
    __table_args__ = (Index("ix_person_login", "login", unique=True),)
    id: str = column(primary_key=True, max_length=36)
    handle: str = column(unique=True, max_length=64)
    name: str = column(max_length=128)
    role: str = column(max_length=16)
    tier: str | None = column(default=None, max_length=2)
    region: str | None = column(default=None, max_length=64)
    phone: str | None = column(default=None, max_length=32)
    email: str | None = column(default=None, max_length=128)
    active: bool = True
    # The database login (on a shared server) that acts as this person, and only as this person.
    login: str | None = column(default=None, max_length=64)
    created_at: datetime
    # Where they work: a branch of the company or a partner company (at most one of the two; the
    # core keeps it so, and a concurrent edit settles both fields together).
    branch_id: str | None = column(default=None, foreign_key="branch.id", max_length=36)
    partner_id: str | None = column(default=None, foreign_key="partner.id", max_length=36)


@table
class Customer(Record):
    __tablename__ = "customer"
    id: str = column(primary_key=True, max_length=36)
    name: str = column(unique=True, max_length=200)
    region: str | None = column(default=None, max_length=64)
    industry: str | None = column(default=None, max_length=64)
    created_at: datetime


@table
class Site(Record):
    """A place where a customer's systems stand; its city decides the serving branch."""

    __tablename__ = "site"
    __table_args__ = (UniqueConstraint("customer_id", "name", name="uq_site_customer_name"),)
    id: str = column(primary_key=True, max_length=36)
    customer_id: str = column(foreign_key="customer.id", max_length=36, index=True)
    name: str = column(max_length=200)
    address: str | None = column(default=None, max_length=300)
    city: str | None = column(default=None, max_length=64)
    region: str | None = column(default=None, max_length=64)
    created_at: datetime


@table
class Contact(Record):
    __tablename__ = "contact"
    __table_args__ = (
        Index("ix_contact_phone_digits", "phone_digits"),
        Index("ix_contact_phone_tail", "phone_tail"),
    )
    id: str = column(primary_key=True, max_length=36)
    customer_id: str = column(foreign_key="customer.id", max_length=36, index=True)
    name: str = column(max_length=100)
    phone: str | None = column(default=None, max_length=40)
    # The phone's digits alone, so a caller is found however the number was typed.
    phone_digits: str | None = column(default=None, max_length=40)
    # The digits reversed: a caller's number without its area code is a prefix here, so indexed.
    phone_tail: str | None = column(default=None, max_length=40)
    email: str | None = column(default=None, max_length=200)
    role: str | None = column(default=None, max_length=100)
    created_at: datetime


@table
class Asset(Record):
    """A storage system (or backup appliance) at a customer's site, known by its serial number."""

    __tablename__ = "asset"
    id: str = column(primary_key=True, max_length=36)
    customer_id: str = column(foreign_key="customer.id", max_length=36, index=True)
    site_id: str | None = column(default=None, foreign_key="site.id", max_length=36)
    serial: str = column(unique=True, max_length=64)
    model: str = column(max_length=100)
    firmware: str | None = column(default=None, max_length=64)
    created_at: datetime


@table
class Contract(Record):
    """A service contract; its periods are its terms (a renewal adds a term, never overwrites)."""

    __tablename__ = "contract"
    id: str = column(primary_key=True, max_length=36)
    number: str = column(unique=True, max_length=64)
    customer_id: str = column(foreign_key="customer.id", max_length=36, index=True)
    notes: str | None = column(default=None, sa_type=Text)
    terminated_on: date | None = None
    termination_reason: str | None = column(default=None, sa_type=Text)
    created_at: datetime


@table
class ContractTerm(Record):
    __tablename__ = "contract_term"
    __table_args__ = (
        UniqueConstraint("contract_id", "term_no", name="uq_term_contract_no"),
        Index("ix_term_end", "end_date"),
    )
    id: str = column(primary_key=True, max_length=36)
    contract_id: str = column(foreign_key="contract.id", max_length=36)
    term_no: int
    level: str = column(max_length=32)
    start_date: date
    end_date: date
    created_at: datetime


@table
class ContractAsset(Record):
    __tablename__ = "contract_asset"
    __table_args__ = (UniqueConstraint("contract_id", "asset_id", name="uq_contract_asset"),)
    id: str = column(primary_key=True, max_length=36)
    contract_id: str = column(foreign_key="contract.id", max_length=36)
    asset_id: str = column(foreign_key="asset.id", max_length=36, index=True)


@table
class EntitlementUse(Record):
    """One use of what a contract term grants: an inspection, a training, standby days."""

    __tablename__ = "entitlement_use"
    __table_args__ = (Index("ix_use_term", "term_id", "kind"),)
    id: str = column(primary_key=True, max_length=36)
    contract_id: str = column(foreign_key="contract.id", max_length=36)
    term_id: str = column(foreign_key="contract_term.id", max_length=36)
    kind: str = column(max_length=16)
    quantity: int = 1
    used_on: date
    ticket_id: str | None = column(default=None, foreign_key="ticket.id", max_length=36)
    note: str | None = column(default=None, sa_type=Text)
    beyond_grant: bool = False
    recorded_by_id: str = column(foreign_key="person.id", max_length=36)
    created_at: datetime


@table
class Ticket(Record):
    __tablename__ = "ticket"
    __table_args__ = (
        Index("ix_ticket_queue", "status", "priority", "created_at"),
        Index("ix_ticket_order", "priority", "created_at"),
        Index("ix_ticket_assignee", "assignee_id", "status"),
        Index("ix_ticket_customer", "customer_id"),
        Index("ix_ticket_next_due", "status", "next_due_at"),
    )
    id: str = column(primary_key=True, max_length=36)
    key: str = column(unique=True, max_length=32)
    title: str = column(max_length=300)
    description: str | None = column(default=None, sa_type=Text)
    status: str = column(max_length=20)
    tier: str = column(max_length=2)
    impact: int
    urgency: int
    priority: str = column(max_length=2)
    major: bool = False
    service: str = column(max_length=32)
    channel: str = column(max_length=16)
    contact: str | None = column(default=None, max_length=200)
    customer_id: str = column(foreign_key="customer.id", max_length=36)
    site_id: str | None = column(default=None, foreign_key="site.id", max_length=36)
    asset_id: str | None = column(default=None, foreign_key="asset.id", max_length=36)
    # The contract that covered the call when it was recorded, and why (or why not).
    contract_id: str | None = column(default=None, foreign_key="contract.id", max_length=36)
    coverage: str | None = column(default=None, max_length=32)
    coverage_note: str | None = column(default=None, max_length=300)
    # SLA: the level whose targets apply, and when the sweep must look at this ticket next.
    sla_level: str | None = column(default=None, max_length=32)
    reported_at: datetime | None = None
    sla_cycle: int = 1
    next_check_at: datetime | None = None
    # The nearest due time of its running clocks: the queue's order (derived, like next_check_at).
    next_due_at: datetime | None = None
    assignee_id: str | None = column(default=None, foreign_key="person.id", max_length=36)
    opened_by_id: str = column(foreign_key="person.id", max_length=36)
    # On-site work was approved (so closing needs a confirmation and a report), and at which tier.
    onsite: bool = False
    onsite_tier: str | None = column(default=None, max_length=2)
    created_at: datetime
    updated_at: datetime
    responded_at: datetime | None = None
    resolved_at: datetime | None = None
    resolution: str | None = column(default=None, sa_type=Text)
    confirmed_by: str | None = column(default=None, max_length=200)
    confirmed_at: datetime | None = None
    closed_at: datetime | None = None
    report: str | None = column(default=None, sa_type=Text)
    root_cause: str | None = column(default=None, sa_type=Text)
    review_actions: str | None = column(default=None, sa_type=Text)
    reviewed_at: datetime | None = None
    reopen_count: int = 0


@table
class SlaClock(Record):
    """One SLA target of a ticket (response, on-site arrival, resolution) in one cycle.

    Paused time (waiting on the customer) is kept in working minutes and pushes the due time.
    """

    __tablename__ = "sla_clock"
    __table_args__ = (Index("ix_clock_ticket", "ticket_id", "cycle"),)
    id: str = column(primary_key=True, max_length=36)
    ticket_id: str = column(foreign_key="ticket.id", max_length=36)
    target: str = column(max_length=16)
    cycle: int = 1
    calendar: str = column(max_length=64)
    budget_min: int
    started_at: datetime
    paused_min: float = 0.0
    paused_since: datetime | None = None
    due_at: datetime
    stopped_at: datetime | None = None
    # met (stopped in time), late (stopped after the due time), cancelled (not needed any more)
    outcome: str | None = column(default=None, max_length=16)
    breached_at: datetime | None = None


@table
class RuleFiring(Record):
    """An escalation rule fired for a ticket: at most once per rule, ticket and clock cycle."""

    __tablename__ = "rule_firing"
    __table_args__ = (UniqueConstraint("rule_id", "ticket_id", "cycle", name="uq_firing_rule_ticket_cycle"),)
    id: str = column(primary_key=True, max_length=36)
    rule_id: str = column(max_length=64)
    ticket_id: str = column(foreign_key="ticket.id", max_length=36, index=True)
    cycle: int
    fired_at: datetime
    actions: str = column(sa_type=Text)


@table
class Visit(Record):
    """A scheduled service visit: an inspection, a training, standby, an optimization review or a
    disaster-recovery drill, with the checklist the engineer fills in."""

    __tablename__ = "visit"
    __table_args__ = (Index("ix_visit_due", "status", "planned_for"),)
    id: str = column(primary_key=True, max_length=36)
    key: str = column(unique=True, max_length=32)
    kind: str = column(max_length=16)
    template: str = column(max_length=64)
    title: str = column(max_length=200)
    status: str = column(max_length=16)
    customer_id: str = column(foreign_key="customer.id", max_length=36)
    contract_id: str | None = column(default=None, foreign_key="contract.id", max_length=36, index=True)
    term_id: str | None = column(default=None, foreign_key="contract_term.id", max_length=36)
    site_id: str | None = column(default=None, foreign_key="site.id", max_length=36)
    engineer_id: str | None = column(default=None, foreign_key="person.id", max_length=36)
    planned_for: date
    quantity: int = 1
    started_at: datetime | None = None
    completed_at: datetime | None = None
    summary: str | None = column(default=None, sa_type=Text)
    cancel_reason: str | None = column(default=None, sa_type=Text)
    created_at: datetime


@table
class VisitItem(Record):
    """One checklist item of a visit: a copy of the template's item, and the engineer's answer."""

    __tablename__ = "visit_item"
    __table_args__ = (UniqueConstraint("visit_id", "item_key", name="uq_visit_item"),)
    id: str = column(primary_key=True, max_length=36)
    visit_id: str = column(foreign_key="visit.id", max_length=36, index=True)
    item_key: str = column(max_length=80)
    position: int
    section: str = column(max_length=64)
    label: str = column(max_length=300)
    kind: str = column(max_length=16)
    required: bool = False
    unit: str | None = column(default=None, max_length=16)
    # Thresholds, choices, recommendation... as the template had them when the visit was made.
    spec: str = column(sa_type=Text)
    value: str | None = column(default=None, sa_type=Text)
    result: str | None = column(default=None, max_length=8)
    note: str | None = column(default=None, sa_type=Text)
    recorded_at: datetime | None = None
    recorded_by_id: str | None = column(default=None, foreign_key="person.id", max_length=36)


@table
class Finding(Record):
    """A failed or warning item of a completed visit, with what it recommends; it may have a
    follow-up ticket (and the ticket knows its finding)."""

    __tablename__ = "finding"
    id: str = column(primary_key=True, max_length=36)
    visit_id: str = column(foreign_key="visit.id", max_length=36, index=True)
    item_key: str = column(max_length=80)
    severity: str = column(max_length=8)
    text: str = column(sa_type=Text)
    recommendation: str | None = column(default=None, sa_type=Text)
    ticket_id: str | None = column(default=None, foreign_key="ticket.id", max_length=36, index=True)
    created_at: datetime


@table
class WorkLog(Record):
    """Time a person spent on a ticket or a visit (remote, on site or travelling): who, when the
    work began, and how long, for the totals and the billing of work out of contract."""

    __tablename__ = "work_log"
    __table_args__ = (
        CheckConstraint("minutes > 0", name="ck_work_log_minutes"),
        Index("ix_work_log_started", "started_at"),
    )
    id: str = column(primary_key=True, max_length=36)
    ticket_id: str | None = column(default=None, foreign_key="ticket.id", max_length=36, index=True)
    visit_id: str | None = column(default=None, foreign_key="visit.id", max_length=36, index=True)
    person_id: str = column(foreign_key="person.id", max_length=36, index=True)
    # remote, onsite or travel
    kind: str = column(max_length=16)
    minutes: int
    # When the work was done (began), which need not be when it was recorded.
    started_at: datetime
    note: str | None = column(default=None, sa_type=Text)
    created_at: datetime


@table
class KnowledgeNote(Record):
    """What an engineer learnt on a case (symptom, cause, fix, for a model and firmware), kept
    for the next one: found by `kb search`, suggested for tickets of the same model and symptoms.
    Every node holds them all (a laptop too), so the ticket is named by its key as well: the
    ticket itself may be outside a laptop's slice (hence no foreign key to it)."""

    __tablename__ = "knowledge_note"
    __table_args__ = (Index("ix_knowledge_note_created", "created_at"),)
    id: str = column(primary_key=True, max_length=36)
    key: str = column(unique=True, max_length=32)
    ticket_id: str | None = column(default=None, max_length=36, index=True)
    ticket_key: str | None = column(default=None, max_length=32)
    symptom: str = column(sa_type=Text)
    cause: str | None = column(default=None, sa_type=Text)
    fix: str = column(sa_type=Text)
    model: str | None = column(default=None, max_length=100)
    firmware: str | None = column(default=None, max_length=64)
    author_id: str = column(foreign_key="person.id", max_length=36)
    created_at: datetime


@table
class PartReplacement(Record):
    """A part replaced on a customer's system while working a ticket (a disk, a controller, a
    battery): which part, how many, the serials taken out and put in, who and when. The service
    report lists them."""

    __tablename__ = "part_replacement"
    __table_args__ = (CheckConstraint("quantity > 0", name="ck_part_replacement_quantity"),)
    id: str = column(primary_key=True, max_length=36)
    ticket_id: str = column(foreign_key="ticket.id", max_length=36, index=True)
    person_id: str = column(foreign_key="person.id", max_length=36)
    # The vendor's part number (FRU), and what it is in words.
    part_number: str = column(max_length=64)
    description: str | None = column(default=None, max_length=200)
    quantity: int = 1
    removed_serial: str | None = column(default=None, max_length=64)
    installed_serial: str | None = column(default=None, max_length=64)
    replaced_at: datetime
    note: str | None = column(default=None, sa_type=Text)
    created_at: datetime


@table
class Approval(Record):
    """A request that someone must decide: on-site work, an escalation, tier-2 on-site work."""

    __tablename__ = "approval"
    __table_args__ = (Index("ix_approval_ticket_state", "ticket_id", "state"),)
    id: str = column(primary_key=True, max_length=36)
    ticket_id: str = column(foreign_key="ticket.id", max_length=36)
    kind: str = column(max_length=16)
    state: str = column(max_length=16)
    target_tier: str | None = column(default=None, max_length=2)
    reason: str | None = column(default=None, sa_type=Text)
    referred: bool = False
    requested_by_id: str = column(foreign_key="person.id", max_length=36)
    requested_at: datetime
    decided_by_id: str | None = column(default=None, foreign_key="person.id", max_length=36)
    decided_at: datetime | None = None
    decision_note: str | None = column(default=None, sa_type=Text)


@table
class Notification(Record):
    """The outbox: every message owed to a person, delivered later by `notify flush`."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_state", "state", "created_at"),)
    id: str = column(primary_key=True, max_length=36)
    recipient_id: str = column(foreign_key="person.id", max_length=36)
    ticket_id: str | None = column(default=None, foreign_key="ticket.id", max_length=36)
    reason: str = column(max_length=32)
    message: str = column(sa_type=Text)
    state: str = column(default="pending", max_length=16)
    created_at: datetime
    delivered_at: datetime | None = None
    attempts: int = 0
    error: str | None = column(default=None, sa_type=Text)
    # Set while a flush delivers it, so two flushes never send the same message.
    claimed_at: datetime | None = None


@table
class Branch(Record):
    """A branch of the company (分支机构) in a city, serving a region. Its id follows from its code
    (core/organization.py), so two nodes that record the same branch record one."""

    __tablename__ = "branch"
    id: str = column(primary_key=True, max_length=36)
    code: str = column(unique=True, max_length=16)
    name: str = column(max_length=128)
    city: str = column(max_length=64)
    # The region it serves, as customers' and sites' `region` name it (its city unless told).
    region: str = column(max_length=64)
    active: bool = True
    created_at: datetime


@table
class Partner(Record):
    """A partner company (合作伙伴) whose engineers work the tickets of the regions it serves, and
    no others. Its id follows from its name, as a branch's from its code."""

    __tablename__ = "partner"
    id: str = column(primary_key=True, max_length=36)
    name: str = column(unique=True, max_length=200)
    # The regions it serves, comma-separated as customers' and sites' `region` name them.
    regions: str = column(sa_type=Text)
    contact: str | None = column(default=None, max_length=100)
    phone: str | None = column(default=None, max_length=40)
    active: bool = True
    created_at: datetime


@table
class TeamMember(Record):
    """An engineer of a customer's project support team (项目支持服务小组): named L1/L2 engineers
    whom dispatch suggests first. One row per customer and person (its id follows from the two);
    leaving the team clears `active`."""

    __tablename__ = "team_member"
    __table_args__ = (UniqueConstraint("customer_id", "person_id", name="uq_team_member"),)
    id: str = column(primary_key=True, max_length=36)
    customer_id: str = column(foreign_key="customer.id", max_length=36, index=True)
    person_id: str = column(foreign_key="person.id", max_length=36, index=True)
    tier: str = column(max_length=2)
    # The customer's dedicated engineer of that tier, suggested before the others.
    primary: bool = False
    active: bool = True
    created_at: datetime


# Entity name in the event log -> the table its events project into, in dependency order.
PROJECTED: dict[str, type[Record]] = {
    "branch": Branch,
    "partner": Partner,
    "person": Person,
    "customer": Customer,
    "site": Site,
    "contact": Contact,
    "asset": Asset,
    "contract": Contract,
    "contract_term": ContractTerm,
    "contract_asset": ContractAsset,
    "team_member": TeamMember,
    "ticket": Ticket,
    "sla_clock": SlaClock,
    "rule_firing": RuleFiring,
    "approval": Approval,
    "notification": Notification,
    "entitlement_use": EntitlementUse,
    "visit": Visit,
    "visit_item": VisitItem,
    "finding": Finding,
    "work_log": WorkLog,
    "part_replacement": PartReplacement,
    "knowledge_note": KnowledgeNote,
}


@table
class CustomerSearch(Record):
    """What a customer is found by (store/search.py): the character pairs of its name and of its
    sites' names, cities and addresses. Derived, refreshed whenever a customer or site is written;
    SQLite indexes it with the FTS5 table `customer_fts`, PostgreSQL with a GIN index."""

    __tablename__ = "customer_search"
    id: int = column(primary_key=True)
    customer_id: str = column(max_length=36, unique=True)
    grams: str = column(sa_type=Text)


@table
class KnowledgeSearch(Record):
    """What a knowledge note is found by (store/search.py): the character pairs of each of its
    texts, and its model as compared (its Latin letters and digits: "XS-5000 统一存储" is xs5000).
    Derived, refreshed whenever a note is written or synced; SQLite indexes it with the FTS5
    table `knowledge_fts`, PostgreSQL with a GIN index."""

    __tablename__ = "knowledge_search"
    id: int = column(primary_key=True)
    note_id: str = column(max_length=36, unique=True)
    model_key: str | None = column(default=None, max_length=100, index=True)
    symptom: str = column(sa_type=Text)
    cause: str = column(sa_type=Text)
    fix: str = column(sa_type=Text)
    model: str = column(sa_type=Text)
    firmware: str = column(sa_type=Text)


# Schema objects the migrations make beside the declared tables: the full-text indexes of
# `customer_search` and `knowledge_search` (dialect-specific), and the partial indexes that keep
# the open queue (migration 0015) and the sweep's due tickets (0016) in order: declared here, their
# predicates would import both dialects with every command. Alembic's comparisons leave them out.
UNDECLARED = (
    "customer_fts",
    "ix_customer_search_grams",
    "knowledge_fts",
    "ix_knowledge_search_grams",
    "ix_ticket_open_order",
    "ix_ticket_next_check",
)


def declared(name: str | None, type_: str, *_: Any) -> bool:
    """For Alembic's `include_name`: whether a schema object is one the tables declare."""
    return not (name and name.startswith(UNDECLARED) and type_ in ("table", "index"))


@table
class SyncPeer(Record):
    """A node this database exchanges events with: at the center each registered laptop (for one
    person, with the key its bundles are signed with); on a laptop its center."""

    __tablename__ = "sync_peer"
    name: str = column(primary_key=True, max_length=64)
    # Bound on the first exchange: from then on the name speaks for this node only.
    node_id: str | None = column(default=None, max_length=36, unique=True)
    person_id: str | None = column(default=None, max_length=36)
    role: str = column(max_length=16)
    key: str = column(max_length=64)
    prefix: str | None = column(default=None, max_length=8)
    url: str | None = column(default=None, max_length=1024)
    # What the peer holds, as it last told us: {node: highest sequence}.
    have: str = column(default="{}", sa_type=Text)
    created_at: datetime
    last_sent_at: datetime | None = None
    last_received_at: datetime | None = None
    revoked_at: datetime | None = None


@table
class SyncCover(Record):
    """Events of a node that this database has been sent or told it need not hold (a laptop's
    slice leaves most of the center's out): counted as held when saying what we have."""

    __tablename__ = "sync_cover"
    node: str = column(primary_key=True, max_length=36)
    seq: int = column(default=0, sa_type=BigInteger)


@table
class EntityHead(Record):
    """The latest events of each entity that no later event of it follows (more than one after
    concurrent edits on two nodes): a new event names them as its base."""

    __tablename__ = "entity_head"
    entity_id: str = column(primary_key=True, max_length=36)
    event_id: str = column(primary_key=True, max_length=36)


@table
class SyncConflict(Record):
    """A value or a step that lost to a concurrent one on another node, kept until a person
    resolves it. Derived from the log by the merge, like the state tables."""

    __tablename__ = "sync_conflict"
    __table_args__ = (Index("ix_conflict_entity", "entity_id"), Index("ix_conflict_ticket", "ticket_id"))
    id: str = column(primary_key=True, max_length=120)
    entity: str = column(max_length=32)
    entity_id: str = column(max_length=36)
    ticket_id: str | None = column(default=None, max_length=36)
    field: str = column(max_length=64)
    # "value": two nodes set the same field; "flow": two steps of the ticket flow raced.
    kind: str = column(max_length=16)
    rule: str | None = column(default=None, sa_type=Text)
    winner_event: str = column(max_length=36)
    winner_value: str | None = column(default=None, sa_type=Text)
    loser_event: str = column(max_length=36)
    loser_value: str | None = column(default=None, sa_type=Text)
    loser_kind: str = column(max_length=64)
    loser_actor: str | None = column(default=None, max_length=64)
    loser_node: str = column(max_length=36)
    loser_at: datetime
    resolved_event: str | None = column(default=None, max_length=36)
    resolved_by: str | None = column(default=None, max_length=64)
    resolved_at: datetime | None = None
