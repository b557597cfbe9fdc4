"""CSV import and export of customers, sites, contacts, assets and contracts.

An import checks every row and reports each bad row by its line and every bad field of it. It
writes all rows in one transaction, or none; with `skip_bad` it writes the good rows and lists the
rest. A row that matches what is already there changes nothing, so importing the same file twice is
harmless; a changed row of a known record updates it (contracts excepted: their terms change
through `contract renew`). Reading and writing the CSV itself is core/csv_files.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from typing import Any

from xhsvc.core import customers as records
from xhsvc.core.clock import parse_day
from xhsvc.core.context import Context, Tx
from xhsvc.core.contracts import NUMBER_PATTERN
from xhsvc.core.csv_files import EXTRA_CELLS, KINDS, read_csv
from xhsvc.core.levels import load_levels
from xhsvc.errors import InvalidInput
from xhsvc.i18n import _, ngettext
from xhsvc.store import events, import_keys, queries
from xhsvc.store.events import Change
from xhsvc.store.ids import new_id

# Rows checked and written together: the records they name are read in one query per kind.
PAGE = 2000


@dataclass
class BadRow:
    line: int
    # (field, why) of each bad field of the row, in the order of the columns
    problems: list[tuple[str, str]]

    @property
    def field(self) -> str:
        return self.problems[0][0]

    @property
    def message(self) -> str:
        return self.problems[0][1]

    def __str__(self) -> str:
        problems = "; ".join(
            _("{field}: {problem}").format(field=name, problem=why) for name, why in self.problems
        )
        return _("line {line}: {problems}").format(line=self.line, problems=problems)


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    bad: list[BadRow] = field(default_factory=list)
    applied: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "applied": self.applied,
            # "field" and "message" are a row's first problem (as before a row could have more);
            # "problems" lists them all.
            "bad": [
                {
                    "line": b.line,
                    "field": b.field,
                    "message": b.message,
                    "problems": [{"field": f, "message": m} for f, m in b.problems],
                }
                for b in self.bad
            ],
        }


class RowError(Exception):
    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


class RowErrors(Exception):
    """Every bad field of one row."""

    def __init__(self, problems: list[RowError]) -> None:
        super().__init__(
            "; ".join(_("{field}: {problem}").format(field=p.field, problem=p.message) for p in problems)
        )
        self.problems = problems


def _field(row: dict[str, str], name: str, check: Callable[[str | None], Any]) -> Any:
    try:
        return check(row.get(name) or None)
    except InvalidInput as e:
        message = str(e)
        # The validators name the field themselves ("phone '12': ..."); keep only the why.
        if ": " in message:
            message = message.split(": ", 1)[1]
        raise RowError(name, message) from None


def _required(name: str, limit: int = 200) -> Callable[[str | None], str]:
    return lambda value: records.text_value(value, name, required=True, limit=limit) or ""


def _optional(name: str, limit: int = 200, *, multiline: bool = False) -> Callable[[str | None], str | None]:
    return lambda value: records.text_value(value, name, limit=limit, multiline=multiline)


class _Checks:
    """The checks of one row's fields. A check that fails is noted and the next still runs, so a
    row reports all its bad fields at once; a check that needs the value of a field found bad is
    skipped (`ok`), since it could only report that field again, or nonsense."""

    def __init__(self, row: dict[str, str]) -> None:
        self.row = row
        self.problems: list[RowError] = []

    def run(self, check: Callable[[], Any]) -> Any:
        """`check()`, or None when it raises RowError (noted)."""
        try:
            return check()
        except RowError as e:
            self.problems.append(e)
            return None

    def field(self, name: str, check: Callable[[str | None], Any]) -> Any:
        """The checked value of a field, or None when it is bad (noted)."""
        try:
            return _field(self.row, name, check)
        except RowError as e:
            self.problems.append(e)
            return None

    def bad(self, name: str, message: str) -> None:
        self.problems.append(RowError(name, message))

    def ok(self, *names: str) -> bool:
        return not any(p.field in names for p in self.problems)

    def done(self) -> None:
        """Raise every problem noted; the checks that follow need all fields good."""
        if self.problems:
            raise RowErrors(self.problems)


@dataclass
class _Plan:
    """What one good row will do: nothing, create, or update an existing record."""

    changes: list[Change]
    outcome: str  # created, updated, unchanged


class _Importer:
    """Validates rows against the database and against the rows before them in the file."""

    def __init__(self, tx: Tx, kind: str) -> None:
        self.tx = tx
        self.kind = kind
        # The keys of this page's rows: each with its line and the field it is in. Earlier pages'
        # keys are in the database (store/import_keys.py), so memory stays flat in the file's size.
        self.page_keys: dict[str, tuple[int, str]] = {}
        # contract number -> (id, {term number: (start, end)}, covered asset ids), across this file
        self.contracts: dict[str, tuple[str, dict[int, tuple[date, date]], set[str]]] = {}
        self.contract_customers: dict[str, str] = {}
        self.levels = load_levels()
        self.now = tx.now
        # Records of the page of rows being checked, read in one query per kind (`prefetch`); a
        # key is there with None when no record has it.
        self.known: dict[tuple[str, Any], Any] = {}

    def prefetch(self, rows: list[tuple[int, dict[str, str]]]) -> None:
        """Read at once the records the next rows name, instead of one query per row."""
        conn = self.tx.conn
        self.known = {}

        def column(name: str, *, upper: bool = False) -> set[str]:
            values = {row.get(name) or "" for _, row in rows} - {""}
            return {v.upper() for v in values} if upper else values

        names = column("name") if self.kind == "customers" else column("customer")
        customers = queries.customers_named(conn, names)
        self.known.update({("customer", n): customers.get(n) for n in names})

        def owned(field_name: str) -> set[tuple[str, str]]:
            """(customer id, value of `field_name`) of each row whose customer is known."""
            pairs = set()
            for _line, row in rows:
                owner_name, value = row.get("customer") or "", row.get(field_name) or ""
                owner = getattr(customers.get(owner_name), "id", None)
                if owner and value:
                    pairs.add((owner, value))
            return pairs

        if self.kind in ("sites", "assets"):
            wanted = owned("name" if self.kind == "sites" else "site")
            sites = queries.sites_named(conn, {o for o, _ in wanted}, {n for _, n in wanted})
            self.known.update({("site", key): sites.get(key) for key in wanted})
        if self.kind == "contacts":
            wanted = owned("name")
            contacts = queries.contacts_named(conn, {o for o, _ in wanted}, {n for _, n in wanted})
            self.known.update({("contact", key): contacts.get(key) for key in wanted})
        if self.kind in ("assets", "contracts"):
            serials = (
                column("serial", upper=True)
                if self.kind == "assets"
                else {s.upper() for _, row in rows for s in _serials(row.get("assets"))}
            )
            assets = queries.assets_by_serial(conn, serials)
            self.known.update({("asset", s): assets.get(s) for s in serials})

    def _lookup(self, kind: str, key: Any, load: Callable[[], Any]) -> Any:
        if (kind, key) in self.known:
            return self.known[(kind, key)]
        return load()

    def get_customer(self, name: str) -> Any:
        return self._lookup("customer", name, lambda: queries.get_customer(self.tx.conn, name))

    def get_site(self, customer: str, name: str) -> Any:
        return self._lookup("site", (customer, name), lambda: queries.get_site(self.tx.conn, customer, name))

    def find_contact(self, customer: str, name: str) -> Any:
        return self._lookup(
            "contact", (customer, name), lambda: queries.find_contact(self.tx.conn, customer, name)
        )

    def get_asset(self, serial: str) -> Any:
        return self._lookup("asset", serial, lambda: queries.get_asset(self.tx.conn, serial))

    def customer_id(self, name: str) -> str:
        found = self.get_customer(name)
        if found is None:
            raise RowError(
                "customer", _("{name!r} is not a customer (import customers first)").format(name=name)
            )
        return found.id

    def once(self, key: Any, line: int, field_name: str) -> None:
        """The row at `line` is the file's only one with `key`: a repeat on this page is an error
        here; one of an earlier page is found by `repeats_of_earlier_pages`."""
        text = key if isinstance(key, str) else "\x1f".join(map(str, key))
        first = self.page_keys.get(text)
        if first is not None:
            raise RowError(field_name, _("repeats line {line}").format(line=first[0]))
        self.page_keys[text] = (line, field_name)

    def repeats_of_earlier_pages(self) -> dict[int, RowError]:
        """This page's rows whose key an earlier page had, by line; then this page's keys join
        the earlier ones."""
        earlier = import_keys.add_keys(
            self.tx.conn, {key: line for key, (line, _field) in self.page_keys.items()}
        )
        repeats = {
            self.page_keys[key][0]: RowError(
                self.page_keys[key][1], _("repeats line {line}").format(line=first)
            )
            for key, first in earlier.items()
        }
        self.page_keys = {}
        return repeats

    def change(self, entity: str, entity_id: str, existing: Any, wanted: dict[str, Any], label: str) -> _Plan:
        if existing is None:
            payload = {"create": {**wanted, "created_at": self.now}, "summary": f"{label} imported"}
            return _Plan([Change(entity, entity_id, f"{entity}.added", payload)], "created")
        diff = {k: v for k, v in wanted.items() if getattr(existing, k) != v}
        if not diff:
            return _Plan([], "unchanged")
        payload = {"set": diff, "summary": f"{label} updated by import: {', '.join(diff)}"}
        return _Plan([Change(entity, existing.id, f"{entity}.edited", payload)], "updated")

    def plan(self, row: dict[str, str], line: int) -> _Plan:
        checks = _Checks(row)
        if EXTRA_CELLS in row:
            # First: cells shifted by a comma that is not quoted make the other problems.
            checks.bad(EXTRA_CELLS, row[EXTRA_CELLS])
        return getattr(self, f"_{self.kind}")(checks, line)

    def customer_of(self, c: _Checks) -> str | None:
        return c.run(lambda: self.customer_id(_field(c.row, "customer", _required("customer"))))

    # Each of these checks a row's fields (in the order of the columns), raises RowErrors with
    # every bad one (`done`), and then returns what the row will do.

    def _customers(self, c: _Checks, line: int) -> _Plan:
        name = c.field("name", _required("name"))
        if c.ok("name"):
            c.run(lambda: self.once(name, line, "name"))
        wanted = {
            "name": name,
            "region": c.field("region", _optional("region", 64)),
            "industry": c.field("industry", _optional("industry", 64)),
        }
        c.done()
        existing = self.get_customer(name)
        entity_id = existing.id if existing else new_id()
        return self.change("customer", entity_id, existing, wanted, f"customer {name}")

    def _sites(self, c: _Checks, line: int) -> _Plan:
        customer = self.customer_of(c)
        name = c.field("name", _required("name"))
        if c.ok("customer", "name"):
            c.run(lambda: self.once((customer, name), line, "name"))
        address = c.field("address", _optional("address", 300))
        city = c.field("city", _optional("city", 64))
        region = c.field("region", _optional("region", 64))
        c.done()
        wanted = {
            "customer_id": customer,
            "name": name,
            "address": address,
            "city": city,
            "region": region or city,
        }
        existing = self.get_site(customer, name)
        return self.change("site", existing.id if existing else new_id(), existing, wanted, f"site {name}")

    def _contacts(self, c: _Checks, line: int) -> _Plan:
        customer = self.customer_of(c)
        name = c.field("name", _required("name", 100))
        if c.ok("customer", "name"):
            c.run(lambda: self.once((customer, name), line, "name"))
        phone = c.field("phone", records.phone_value)
        email = c.field("email", records.email_value)
        if c.ok("phone", "email") and phone is None and email is None:
            c.bad("phone", _("give a phone or an email, or both"))
        role = c.field("role", _optional("role", 100))
        c.done()
        wanted = {
            "customer_id": customer,
            "name": name,
            "phone": phone,
            **records.phone_search_keys(phone),
            "email": email,
            "role": role,
        }
        existing = self.find_contact(customer, name)
        return self.change(
            "contact", existing.id if existing else new_id(), existing, wanted, f"contact {name}"
        )

    def _assets(self, c: _Checks, line: int) -> _Plan:
        customer = self.customer_of(c)
        serial = c.field("serial", records.serial_value)
        existing = None
        if c.ok("serial"):
            c.run(lambda: self.once(serial, line, "serial"))
            existing = self.get_asset(serial)
            if existing is not None and c.ok("customer") and existing.customer_id != customer:
                c.bad("serial", _("{serial} belongs to another customer").format(serial=serial))
        model = c.field("model", _required("model", 100))
        firmware = c.field("firmware", _optional("firmware", 64))
        site_name = c.field("site", _optional("site"))
        site_id = None
        if site_name and c.ok("customer"):
            site = self.get_site(customer, site_name)
            if site is None:
                c.bad(
                    "site",
                    _("{site!r} is not a site of this customer (import sites first)").format(site=site_name),
                )
            else:
                site_id = site.id
        c.done()
        wanted = {
            "customer_id": customer,
            "site_id": site_id,
            "serial": serial,
            "model": model,
            "firmware": firmware,
        }
        return self.change(
            "asset", existing.id if existing else new_id(), existing, wanted, f"asset {serial}"
        )

    def _contracts(self, c: _Checks, line: int) -> _Plan:
        number = c.field("number", _required("number", 64))
        if c.ok("number") and not NUMBER_PATTERN.match(number):
            c.bad("number", _("2-64 letters, digits, '.', '_', '/' or '-'"))
        term_no = c.field("term", _term_number)
        if c.ok("number", "term"):
            c.run(lambda: self.once((number, term_no), line, "term" if term_no > 1 else "number"))
        customer = self.customer_of(c)
        level = c.field("level", _required("level", 32))
        if c.ok("level") and level not in self.levels:
            c.bad(
                "level",
                _("{level!r}: must be one of {levels}").format(level=level, levels=", ".join(self.levels)),
            )
        start: date = c.field("start", lambda v: parse_day(v, "start"))
        end: date = c.field("end", lambda v: parse_day(v, "end"))
        if c.ok("start", "end") and end < start:
            c.bad("end", _("{end} is before start {start}").format(end=end, start=start))
        asset_ids = []
        if c.ok("customer"):
            strangers = []
            for serial in _serials(c.row.get("assets")):
                asset = self.get_asset(serial.upper())
                if asset is None or asset.customer_id != customer:
                    strangers.append(serial)
                else:
                    asset_ids.append(asset.id)
            if strangers:
                c.bad(
                    "assets",
                    ngettext(
                        "{serials} is not an asset of this customer (import assets first)",
                        "{serials} are not assets of this customer (import assets first)",
                        len(strangers),
                    ).format(serials=", ".join(strangers)),
                )
        notes = c.field("notes", _optional("notes", 2000, multiline=True))
        # What follows weighs the row against the contract's other terms: it needs all fields good.
        c.done()

        if self.contract_customers.setdefault(number, customer) != customer:
            raise RowError(
                "customer",
                _("contract {number} belongs to another customer in an earlier row").format(number=number),
            )
        existing = queries.get_contract(self.tx.conn, number)
        known_terms: dict[int, tuple[date, date]] = {}
        covered: set[str] = set()
        if existing is not None:
            if existing.customer_id != customer:
                raise RowError(
                    "customer", _("contract {number} belongs to another customer").format(number=number)
                )
            for term in queries.terms_of(self.tx.conn, [existing.id])[existing.id]:
                known_terms[term.term_no] = (term.start_date, term.end_date)
                if term.term_no == term_no and term.level != level:
                    raise RowError(
                        "level",
                        _("term {term} of {number} is {level}; change it with `contract renew`").format(
                            term=term_no, number=number, level=term.level
                        ),
                    )
            covered = queries.covered_asset_ids(self.tx.conn, [existing.id])[existing.id]
        contract_id, file_terms, file_covered = self.contracts.setdefault(
            number, (existing.id if existing else new_id(), {}, set())
        )
        covered |= file_covered
        terms = {**known_terms, **file_terms}
        changes: list[Change] = []
        if term_no in known_terms:
            if known_terms[term_no] != (start, end):
                raise RowError(
                    "start",
                    _("term {term} of {number} has other dates; change it with `contract renew`").format(
                        term=term_no, number=number
                    ),
                )
        else:
            if term_no > 1:
                previous = terms.get(term_no - 1)
                if previous is None:
                    raise RowError(
                        "term",
                        _("term {term} of {number} must come first").format(term=term_no - 1, number=number),
                    )
                if start <= previous[1]:
                    raise RowError(
                        "start",
                        _(
                            "{start}: term {term} must begin after term {previous} ends ({previous_end})"
                        ).format(start=start, term=term_no, previous=term_no - 1, previous_end=previous[1]),
                    )
            elif existing is None:
                changes.append(
                    Change(
                        "contract",
                        contract_id,
                        "contract.added",
                        {
                            "create": {
                                "number": number,
                                "customer_id": customer,
                                "notes": notes,
                                "terminated_on": None,
                                "termination_reason": None,
                                "created_at": self.now,
                            },
                            "summary": f"contract {number} imported",
                        },
                    )
                )
            changes.append(
                Change(
                    "contract_term",
                    new_id(),
                    "contract_term.added",
                    {
                        "create": {
                            "contract_id": contract_id,
                            "term_no": term_no,
                            "level": level,
                            "start_date": start,
                            "end_date": end,
                            "created_at": self.now,
                        },
                        "summary": f"contract {number} term {term_no}: {level} {start} .. {end}",
                    },
                )
            )
        file_terms[term_no] = (start, end)
        for asset_id in asset_ids:
            if asset_id not in covered:
                covered.add(asset_id)
                file_covered.add(asset_id)
                changes.append(
                    Change(
                        "contract_asset",
                        new_id(),
                        "contract_asset.added",
                        {
                            "create": {"contract_id": contract_id, "asset_id": asset_id},
                            "summary": f"asset covered by {number}",
                        },
                    )
                )
        if existing is not None and term_no == 1 and existing.notes != notes:
            changes.append(
                Change(
                    "contract",
                    contract_id,
                    "contract.edited",
                    {"set": {"notes": notes}, "summary": f"contract {number} notes updated"},
                )
            )
        if not changes:
            return _Plan([], "unchanged")
        return _Plan(changes, "created" if not known_terms.get(term_no) else "updated")


def _serials(cell: str | None) -> list[str]:
    """The serials of a contract row's `assets` cell (spaces, commas or semicolons between)."""
    return (cell or "").replace(";", " ").replace(",", " ").split()


def _term_number(value: str | None) -> int:
    if value is None:
        return 1
    if not value.isdigit() or int(value) < 1:
        raise InvalidInput(_("term {term!r}: a whole number, 1 or more").format(term=value))
    return int(value)


class _BadRows(Exception):
    """Raised to roll back an import that found bad rows (without `skip_bad`)."""


def import_rows(
    ctx: Context,
    *,
    kind: str,
    lines: Iterable[str],
    skip_bad: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Check every row, and write all of them in one transaction (or only the good ones with
    `skip_bad`). The file is read a page of rows at a time, each page checked against the
    database with a few queries and written with a few statements, so memory does not grow with
    the file; the first bad row stops the writing, the checking goes on to report every bad row
    (with every bad field of it), and the transaction is rolled back. `progress` is told how many
    rows each page held."""
    rows = read_csv(lines, kind)
    report = ImportReport(kind=kind, rows=0)
    outcomes: Counter[str] = Counter()
    try:
        with ctx.writing() as tx:
            records.require_editor(tx, f"import {kind}")
            importer = _Importer(tx, kind)
            import_keys.open_keys(tx.conn)
            for page in _pages(rows, PAGE):
                report.rows += len(page)
                importer.prefetch(page)
                plans: dict[int, _Plan] = {}
                bad: dict[int, BadRow] = {}
                for line, row in page:
                    try:
                        plans[line] = importer.plan(row, line)
                    except RowErrors as e:
                        bad[line] = BadRow(line, [(p.field, p.message) for p in e.problems])
                    except RowError as e:
                        bad[line] = BadRow(line, [(e.field, e.message)])
                for line, repeat in importer.repeats_of_earlier_pages().items():
                    # The key is the first thing a row's checks look at: its problem comes first.
                    plans.pop(line, None)
                    problems = bad[line].problems if line in bad else []
                    bad[line] = BadRow(line, [(repeat.field, repeat.message), *problems])
                report.bad += sorted(bad.values(), key=lambda b: b.line)
                changes = [change for plan in plans.values() for change in plan.changes]
                outcomes.update(plan.outcome for plan in plans.values())
                if skip_bad or not report.bad:
                    events.append_many(tx.conn, tx.origin, changes)
                if progress is not None:
                    progress(len(page))
            import_keys.forget_keys(tx.conn)
            if report.bad and not skip_bad:
                raise _BadRows
    except _BadRows:
        return report
    report.created, report.updated, report.unchanged = (
        outcomes[k] for k in ("created", "updated", "unchanged")
    )
    report.applied = True
    return report


def _pages(
    rows: Iterator[tuple[int, dict[str, str]]], size: int
) -> Iterator[list[tuple[int, dict[str, str]]]]:
    while page := list(islice(rows, size)):
        yield page


def export_rows(ctx: Context, *, kind: str) -> list[dict[str, Any]]:
    """Rows with the same columns an import takes, so an export imports back unchanged."""
    if kind not in KINDS:
        raise InvalidInput(
            _("kind {kind!r}: must be one of {kinds}").format(kind=kind, kinds=", ".join(KINDS))
        )
    with ctx.reading() as tx:
        return list(_export(tx, kind))


def _export(tx: Tx, kind: str) -> Iterable[dict[str, Any]]:
    conn = tx.conn
    names = {c.id: c.name for c in queries.list_customers(conn)}
    if kind == "customers":
        for c in queries.list_customers(conn):
            yield {"name": c.name, "region": c.region, "industry": c.industry}
    elif kind == "sites":
        for s in sorted(queries.list_sites(conn), key=lambda s: (names[s.customer_id], s.name)):
            yield {
                "customer": names[s.customer_id],
                "name": s.name,
                "address": s.address,
                "city": s.city,
                "region": s.region,
            }
    elif kind == "contacts":
        for c in sorted(queries.list_contacts(conn), key=lambda c: (names[c.customer_id], c.name)):
            yield {
                "customer": names[c.customer_id],
                "name": c.name,
                "phone": c.phone,
                "email": c.email,
                "role": c.role,
            }
    elif kind == "assets":
        sites = {s.id: s.name for s in queries.list_sites(conn)}
        for a in sorted(queries.list_assets(conn), key=lambda a: (names[a.customer_id], a.serial)):
            yield {
                "customer": names[a.customer_id],
                "serial": a.serial,
                "model": a.model,
                "firmware": a.firmware,
                "site": sites.get(a.site_id or ""),
            }
    else:
        contracts = queries.list_contracts(conn)
        terms = queries.terms_of(conn, [c.id for c in contracts])
        covered = queries.covered_asset_ids(conn, [c.id for c in contracts])
        serials = {a.id: a.serial for a in queries.list_assets(conn)}
        for c in contracts:
            for term in terms[c.id]:
                yield {
                    "number": c.number,
                    "term": term.term_no,
                    "customer": names[c.customer_id],
                    "level": term.level,
                    "start": term.start_date,
                    "end": term.end_date,
                    "assets": " ".join(sorted(serials[a] for a in covered[c.id])),
                    "notes": c.notes,
                }
