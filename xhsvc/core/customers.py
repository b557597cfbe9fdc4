"""Customers and what they own: sites (whose city decides the serving branch), contacts and assets.

Every change is an event (`<entity>.added`, `<entity>.edited`) like any other in the log.
"""

from __future__ import annotations

import re
from typing import Any

from xhsvc.core.context import Context, Tx
from xhsvc.core.text import clean_text
from xhsvc.errors import Conflict, InvalidInput, NotAllowed, NotFound
from xhsvc.i18n import _
from xhsvc.store import events, queries
from xhsvc.store.ids import new_id
from xhsvc.store.tables import Asset, Contact, Customer, Site

EDITORS = ("agent", "manager", "admin")
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ()-]{4,30}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SERIAL_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9._/-]{2,63}$")


# Shared --------------------------------------------------------------------------------------


def create(tx: Tx, entity: str, row: dict[str, Any], summary: str) -> str:
    """Append `<entity>.added` and project it; returns the new id."""
    entity_id = new_id()
    events.append(
        tx.conn,
        tx.origin,
        entity=entity,
        entity_id=entity_id,
        kind=f"{entity}.added",
        payload={"create": row, "summary": summary},
    )
    return entity_id


def edit(tx: Tx, entity: str, entity_id: str, changes: dict[str, Any], summary: str) -> None:
    events.append(
        tx.conn,
        tx.origin,
        entity=entity,
        entity_id=entity_id,
        kind=f"{entity}.edited",
        payload={"set": changes, "summary": summary},
    )


def save_changes(tx: Tx, entity: str, current: Any, changes: dict[str, Any], label: str) -> Any:
    """Record the fields that changed (nothing when none did) and return the record as it is now."""
    if changes:
        edit(tx, entity, current.id, changes, f"{label} edited: {', '.join(changes)}")
    return type(current)(**{**current.model_dump(), **changes})


def require_editor(tx: Tx, action: str) -> None:
    me = tx.me()
    if me.role not in EDITORS:
        raise NotAllowed(
            _(
                "{action}: only an agent, manager or admin may change customer records; {handle} is {role}"
            ).format(action=action, handle=me.handle, role=me.role)
        )


def text_value(
    value: str | None, field: str, *, required: bool = False, limit: int = 200, multiline: bool = False
) -> str | None:
    """A name, address, role, reason (one line) or, with `multiline`, notes: the shared rule of
    `xhsvc.core.text` (no control characters; newlines and tabs only in multi-line texts)."""
    return clean_text(value, field, required=required, limit=limit, multiline=multiline)


def phone_value(value: str | None) -> str | None:
    phone = text_value(value, "phone", limit=40)
    if phone is not None and not PHONE_PATTERN.match(phone):
        raise InvalidInput(
            _("phone {phone!r}: digits, with an optional leading +, spaces, '-' or brackets").format(
                phone=phone
            )
        )
    return phone


def email_value(value: str | None) -> str | None:
    email = text_value(value, "email")
    if email is not None and not EMAIL_PATTERN.match(email):
        raise InvalidInput(_("email {email!r}: not an e-mail address").format(email=email))
    return email


def serial_value(value: str | None) -> str:
    serial = (text_value(value, "serial", required=True, limit=64) or "").upper()
    if not SERIAL_PATTERN.match(serial):
        raise InvalidInput(
            _("serial {serial!r}: 3-64 letters, digits, '.', '_', '/' or '-'").format(serial=serial)
        )
    return serial


SEARCH_COLUMNS = {"phone_digits", "phone_tail"}


def phone_search_keys(phone: str | None) -> dict[str, str | None]:
    """What `lookup` finds a caller by: the phone's digits, and the same reversed."""
    digits = "".join(ch for ch in phone if ch.isdigit()) if phone else None
    return {"phone_digits": digits, "phone_tail": digits[::-1] if digits else None}


def find_customer(tx: Tx, name: str) -> Customer:
    customer = queries.get_customer(tx.conn, name)
    if customer is None:
        raise NotFound(
            _("customer {customer!r} not found (add it with `xhsvc customer add`)").format(customer=name)
        )
    return customer


def find_site(tx: Tx, customer: Customer, name: str) -> Site:
    site = queries.get_site(tx.conn, customer.id, name)
    if site is None:
        raise NotFound(_("site {site!r} of {customer} not found").format(site=name, customer=customer.name))
    return site


def find_asset(tx: Tx, serial: str) -> Asset:
    asset = queries.get_asset(tx.conn, serial.strip().upper()) or queries.get_asset(tx.conn, serial.strip())
    if asset is None:
        raise NotFound(_("asset {serial!r} not found").format(serial=serial))
    return asset


def _changes(current: Any, wanted: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in wanted.items() if v is not None and getattr(current, k) != v}


# Customers -----------------------------------------------------------------------------------


def add_customer(
    ctx: Context, *, name: str, region: str | None = None, industry: str | None = None
) -> Customer:
    clean = text_value(name, "name", required=True) or ""
    with ctx.writing() as tx:
        require_editor(tx, "customer add")
        if queries.get_customer(tx.conn, clean) is not None:
            raise Conflict(_("customer {customer!r} already exists").format(customer=clean))
        row = {
            "name": clean,
            "region": text_value(region, "region", limit=64),
            "industry": text_value(industry, "industry", limit=64),
            "created_at": tx.now,
        }
        return Customer(id=create(tx, "customer", row, f"customer {clean} added"), **row)


def edit_customer(
    ctx: Context,
    *,
    name: str,
    new_name: str | None = None,
    region: str | None = None,
    industry: str | None = None,
) -> Customer:
    with ctx.writing() as tx:
        require_editor(tx, "customer edit")
        customer = find_customer(tx, name)
        wanted = {
            "name": text_value(new_name, "name"),
            "region": text_value(region, "region", limit=64),
            "industry": text_value(industry, "industry", limit=64),
        }
        changes = _changes(customer, wanted)
        if "name" in changes and queries.get_customer(tx.conn, changes["name"]) is not None:
            raise Conflict(_("customer {customer!r} already exists").format(customer=changes["name"]))
        return save_changes(tx, "customer", customer, changes, f"customer {customer.name}")


def list_customers(ctx: Context) -> list[Customer]:
    with ctx.reading() as tx:
        return queries.list_customers(tx.conn)


def get_customer(ctx: Context, *, name: str) -> Customer:
    with ctx.reading() as tx:
        return find_customer(tx, name)


def customer_profile(ctx: Context, *, name: str) -> dict[str, Any]:
    """A customer with its sites, contacts and assets (what `customer show` prints)."""
    with ctx.reading() as tx:
        customer = find_customer(tx, name)
        sites = queries.list_sites(tx.conn, customer_id=customer.id)
        contacts = queries.list_contacts(tx.conn, customer_id=customer.id)
        assets = queries.list_assets(tx.conn, customer_id=customer.id)
    site_names = {s.id: s.name for s in sites}
    return {
        **customer.model_dump(),
        "sites": [s.model_dump(exclude={"customer_id"}) for s in sites],
        "contacts": [c.model_dump(exclude={"customer_id", *SEARCH_COLUMNS}) for c in contacts],
        "assets": [
            {**a.model_dump(exclude={"customer_id", "site_id"}), "site": site_names.get(a.site_id or "")}
            for a in assets
        ],
    }


# Sites ---------------------------------------------------------------------------------------


def add_site(
    ctx: Context,
    *,
    customer: str,
    name: str,
    address: str | None = None,
    city: str | None = None,
    region: str | None = None,
) -> Site:
    """A customer site; its branch (region) defaults to its city, then to the customer's region."""
    clean = text_value(name, "name", required=True) or ""
    with ctx.writing() as tx:
        require_editor(tx, "site add")
        owner = find_customer(tx, customer)
        if queries.get_site(tx.conn, owner.id, clean) is not None:
            raise Conflict(
                _("site {site!r} of {customer} already exists").format(site=clean, customer=owner.name)
            )
        city = text_value(city, "city", limit=64)
        row = {
            "customer_id": owner.id,
            "name": clean,
            "address": text_value(address, "address", limit=300),
            "city": city,
            "region": text_value(region, "region", limit=64) or city or owner.region,
            "created_at": tx.now,
        }
        return Site(id=create(tx, "site", row, f"site {clean} of {owner.name} added"), **row)


def edit_site(
    ctx: Context,
    *,
    customer: str,
    name: str,
    new_name: str | None = None,
    address: str | None = None,
    city: str | None = None,
    region: str | None = None,
) -> Site:
    with ctx.writing() as tx:
        require_editor(tx, "site edit")
        owner = find_customer(tx, customer)
        site = find_site(tx, owner, name)
        changes = _changes(
            site,
            {
                "name": text_value(new_name, "name"),
                "address": text_value(address, "address", limit=300),
                "city": text_value(city, "city", limit=64),
                "region": text_value(region, "region", limit=64),
            },
        )
        if "name" in changes and queries.get_site(tx.conn, owner.id, changes["name"]) is not None:
            raise Conflict(
                _("site {site!r} of {customer} already exists").format(
                    site=changes["name"], customer=owner.name
                )
            )
        return save_changes(tx, "site", site, changes, f"site {site.name}")


def list_sites(ctx: Context, *, customer: str | None = None) -> list[dict[str, Any]]:
    with ctx.reading() as tx:
        owner_id = find_customer(tx, customer).id if customer else None
        sites = queries.list_sites(tx.conn, customer_id=owner_id)
        owners = queries.customers_by_id(tx.conn, [s.customer_id for s in sites])
    return [{**s.model_dump(), "customer": owners[s.customer_id].name} for s in sites]


# Contacts ------------------------------------------------------------------------------------


def add_contact(
    ctx: Context,
    *,
    customer: str,
    name: str,
    phone: str | None = None,
    email: str | None = None,
    role: str | None = None,
) -> Contact:
    clean = text_value(name, "name", required=True, limit=100) or ""
    phone = phone_value(phone)
    email = email_value(email)
    if phone is None and email is None:
        raise InvalidInput(_("contact: give a phone or an email, or both"))
    with ctx.writing() as tx:
        require_editor(tx, "contact add")
        owner = find_customer(tx, customer)
        if queries.find_contact(tx.conn, owner.id, clean) is not None:
            raise Conflict(
                _("contact {contact!r} of {customer} already exists").format(
                    contact=clean, customer=owner.name
                )
            )
        row = {
            "customer_id": owner.id,
            "name": clean,
            "phone": phone,
            **phone_search_keys(phone),
            "email": email,
            "role": text_value(role, "role", limit=100),
            "created_at": tx.now,
        }
        return Contact(id=create(tx, "contact", row, f"contact {clean} of {owner.name} added"), **row)


def edit_contact(
    ctx: Context,
    *,
    customer: str,
    name: str,
    phone: str | None = None,
    email: str | None = None,
    role: str | None = None,
) -> Contact:
    with ctx.writing() as tx:
        require_editor(tx, "contact edit")
        owner = find_customer(tx, customer)
        contact = queries.find_contact(tx.conn, owner.id, name)
        if contact is None:
            raise NotFound(
                _("contact {contact!r} of {customer} not found").format(contact=name, customer=owner.name)
            )
        phone = phone_value(phone)
        changes = _changes(
            contact,
            {
                "phone": phone,
                **(phone_search_keys(phone) if phone else {}),
                "email": email_value(email),
                "role": text_value(role, "role", limit=100),
            },
        )
        return save_changes(tx, "contact", contact, changes, f"contact {contact.name}")


def list_contacts(ctx: Context, *, customer: str | None = None) -> list[dict[str, Any]]:
    with ctx.reading() as tx:
        owner_id = find_customer(tx, customer).id if customer else None
        contacts = queries.list_contacts(tx.conn, customer_id=owner_id)
        owners = queries.customers_by_id(tx.conn, [c.customer_id for c in contacts])
    return [
        {**c.model_dump(exclude=SEARCH_COLUMNS), "customer": owners[c.customer_id].name} for c in contacts
    ]


# Assets --------------------------------------------------------------------------------------


def add_asset(
    ctx: Context,
    *,
    customer: str,
    model: str,
    serial: str,
    firmware: str | None = None,
    site: str | None = None,
) -> Asset:
    clean_serial = serial_value(serial)
    clean_model = text_value(model, "model", required=True, limit=100) or ""
    with ctx.writing() as tx:
        require_editor(tx, "asset add")
        owner = find_customer(tx, customer)
        if queries.get_asset(tx.conn, clean_serial) is not None:
            raise Conflict(_("asset {serial} already exists").format(serial=clean_serial))
        row = {
            "customer_id": owner.id,
            "site_id": find_site(tx, owner, site).id if site else None,
            "serial": clean_serial,
            "model": clean_model,
            "firmware": text_value(firmware, "firmware", limit=64),
            "created_at": tx.now,
        }
        return Asset(
            id=create(tx, "asset", row, f"asset {clean_model} {clean_serial} of {owner.name} added"), **row
        )


def edit_asset(
    ctx: Context,
    *,
    serial: str,
    model: str | None = None,
    firmware: str | None = None,
    site: str | None = None,
) -> Asset:
    with ctx.writing() as tx:
        require_editor(tx, "asset edit")
        asset = find_asset(tx, serial)
        owner = queries.get_customer(tx.conn, asset.customer_id)
        assert owner is not None
        changes = _changes(
            asset,
            {
                "model": text_value(model, "model", limit=100),
                "firmware": text_value(firmware, "firmware", limit=64),
                "site_id": find_site(tx, owner, site).id if site else None,
            },
        )
        return save_changes(tx, "asset", asset, changes, f"asset {asset.serial}")


def list_assets(ctx: Context, *, customer: str | None = None) -> list[dict[str, Any]]:
    with ctx.reading() as tx:
        owner_id = find_customer(tx, customer).id if customer else None
        assets = queries.list_assets(tx.conn, customer_id=owner_id)
        owners = queries.customers_by_id(tx.conn, [a.customer_id for a in assets])
        sites = queries.sites_by_id(tx.conn, [a.site_id for a in assets])
    return [
        {
            **a.model_dump(),
            "customer": owners[a.customer_id].name,
            "site": sites[a.site_id].name if a.site_id in sites else None,
        }
        for a in assets
    ]


def get_asset(ctx: Context, *, serial: str) -> dict[str, Any]:
    with ctx.reading() as tx:
        asset = find_asset(tx, serial)
        owner = queries.get_customer(tx.conn, asset.customer_id)
        site = queries.get_site_by_id(tx.conn, asset.site_id) if asset.site_id else None
    return {
        **asset.model_dump(),
        "customer": owner.name if owner else None,
        "site": site.name if site else None,
    }


def get_site(ctx: Context, *, customer: str, name: str) -> dict[str, Any]:
    with ctx.reading() as tx:
        owner = find_customer(tx, customer)
        return {**find_site(tx, owner, name).model_dump(), "customer": owner.name}


def get_contact(ctx: Context, *, customer: str, name: str) -> dict[str, Any]:
    with ctx.reading() as tx:
        owner = find_customer(tx, customer)
        contact = queries.find_contact(tx.conn, owner.id, name)
    if contact is None:
        raise NotFound(
            _("contact {contact!r} of {customer} not found").format(contact=name, customer=owner.name)
        )
    return {**contact.model_dump(exclude=SEARCH_COLUMNS), "customer": owner.name}
