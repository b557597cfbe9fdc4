"""One search for the call center: a caller's phone, a customer's name or an asset's serial
leads to the customer, its sites and whether a contract covers it today."""

from __future__ import annotations

from typing import Any

from xhsvc.core.context import Context
from xhsvc.core.contracts import coverage_for, listed_state, local_today, term_at
from xhsvc.core.levels import load_levels
from xhsvc.errors import InvalidInput
from xhsvc.i18n import _
from xhsvc.store import queries


def national_number(text: str) -> str | None:
    """A phone number as typed in any common way (+86 571 8000 2951, 0086-571-80002951,
    (0571) 8000-2951, 138 0000 1111) read as its national number, without +86 or the trunk 0."""
    if sum(ch.isdigit() for ch in text) < 7 or any(ch.isalpha() for ch in text):
        return None
    import phonenumbers

    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return None
    return str(number.national_number)


def lookup(ctx: Context, *, text: str, limit: int = 10) -> list[dict[str, Any]]:
    """Customers matching `text`, each with its sites, contacts, assets and contract status."""
    needle = text.strip()
    if len(needle) < 2:
        raise InvalidInput(_("text: give at least 2 characters (a name, phone digits or a serial)"))
    today = local_today(ctx)
    levels = load_levels()
    out = []
    with ctx.reading() as tx:
        ids = queries.lookup_customer_ids(
            tx.conn, needle, limit=limit, national_number=national_number(needle)
        )
        customers = queries.customers_by_id(tx.conn, ids)
        for customer_id in ids:
            customer = customers[customer_id]
            contracts = queries.contracts_of(tx.conn, customer.id)
            terms = queries.terms_of(tx.conn, [c.id for c in contracts])
            coverage = coverage_for(tx, customer, at=today)
            contract_rows = []
            for contract in contracts:
                term = term_at(terms[contract.id], today) or terms[contract.id][-1]
                level = levels.get(term.level)
                contract_rows.append(
                    {
                        "number": contract.number,
                        "state": listed_state(contract, terms[contract.id], today),
                        "level": term.level,
                        "coverage_hours": level.coverage if level else None,
                        "start": term.start_date,
                        "end": term.end_date,
                    }
                )
            out.append(
                {
                    "customer": customer.name,
                    "region": customer.region,
                    "covered": coverage.covered,
                    "coverage": coverage.reason,
                    # The same reason in the interface's language (`coverage` stays English for scripts).
                    "coverage_text": coverage.explain(),
                    "contracts": contract_rows,
                    "sites": [
                        {"name": s.name, "city": s.city, "region": s.region, "address": s.address}
                        for s in queries.list_sites(tx.conn, customer_id=customer.id)
                    ],
                    "contacts": [
                        {"name": c.name, "phone": c.phone, "role": c.role}
                        for c in queries.list_contacts(tx.conn, customer_id=customer.id)
                    ],
                    "assets": [
                        {"serial": a.serial, "model": a.model, "firmware": a.firmware}
                        for a in queries.list_assets(tx.conn, customer_id=customer.id)
                    ],
                }
            )
    return out
