"""CSV files of records: the columns of each kind, reading rows (with the line each begins on)
and writing them, and the guard that keeps a spreadsheet from running a cell as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from xhsvc.errors import InvalidInput

KINDS: dict[str, tuple[str, ...]] = {
    "customers": ("name", "region", "industry"),
    "sites": ("customer", "name", "address", "city", "region"),
    "contacts": ("customer", "name", "phone", "email", "role"),
    "assets": ("customer", "serial", "model", "firmware", "site"),
    "contracts": ("number", "term", "customer", "level", "start", "end", "assets", "notes"),
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "customers": ("name",),
    "sites": ("customer", "name"),
    "contacts": ("customer", "name"),
    "assets": ("customer", "serial", "model"),
    "contracts": ("number", "customer", "level", "start", "end"),
}


# A spreadsheet takes a cell that begins with one of these for a formula (OWASP: CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Not guarded: a phone may begin with '+' (its validator allows digits, spaces, + - ( ) only, so
# it can hold no formula); the other columns without a guard are numbers and dates.
UNGUARDED = frozenset({"phone", "term", "start", "end"})


def guard_cell(value: str) -> str:
    """A text cell as exported: one `'` before a cell a spreadsheet would take for a formula.

    A cell that already begins with `'` and then one of those (or another `'`) gets one too, so
    that `unguard_cell` gives back exactly what was stored, whatever it was."""
    if value.startswith(FORMULA_START) or (value[:1] == "'" and value[1:2] in (*FORMULA_START, "'")):
        return "'" + value
    return value


def unguard_cell(value: str) -> str:
    """A text cell as imported: the guard `guard_cell` added taken off again (only that one)."""
    if value[:1] == "'" and value[1:2] and value[1:2] in (*FORMULA_START, "'"):
        return value[1:]
    return value


def _records(lines: Iterable[str]) -> Iterator[tuple[int, list[str]]]:
    """The CSV records with the line each begins on. A quote that is never closed (the csv module
    would read the rest of the file into one field) or other broken quoting is refused, naming
    the line where the record begins."""
    reader = csv.reader(lines, strict=True)
    start = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            problem = str(e)
            if "end of data" in problem or "EOF" in problem:
                why = 'a quoted field begins here and is never closed (a `"` is missing)'
            elif "field limit" in problem:
                why = f'a field longer than {csv.field_size_limit():,} characters (a `"` never closed?)'
            else:
                why = f'broken quoting ({problem}); a `"` inside a quoted field is written twice'
            raise InvalidInput(f"line {start}: {why}; nothing imported") from None
        if start == 1 and fields:
            fields[0] = fields[0].removeprefix("\ufeff")
        yield start, fields
        start = reader.line_num + 1


def read_csv(lines: Iterable[str], kind: str) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows with their line numbers, read as they are asked for; the header (checked at once)
    must name known columns (and the required ones).

    Text cells lose the formula guard an export put on them (`unguard_cell`)."""
    if kind not in KINDS:
        raise InvalidInput(f"kind {kind!r}: must be one of {', '.join(KINDS)}")
    records = _records(lines)
    header: list[str] = []
    for _, fields in records:
        if fields:
            header = [h.strip() for h in fields]
            break
    if not header:
        raise InvalidInput("file: empty, or no header line")
    unknown = [h for h in header if h not in KINDS[kind]]
    if unknown:
        raise InvalidInput(
            f"header: unknown column(s) {', '.join(unknown)}; {kind} columns are {', '.join(KINDS[kind])}"
        )
    missing = [h for h in REQUIRED[kind] if h not in header]
    if missing:
        raise InvalidInput(f"header: missing column(s) {', '.join(missing)}")
    return _rows(records, header)


def _rows(
    records: Iterator[tuple[int, list[str]]], header: list[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    for line, fields in records:
        # Cells beyond the header are ignored, missing ones are empty (as csv.DictReader does).
        if not any(v.strip() for v in fields[: len(header)]):
            continue
        row = {
            name: value if name in UNGUARDED else unguard_cell(value)
            for name, value in zip(header, (v.strip() for v in fields), strict=False)
        }
        yield line, row


def _export_cell(column: str, value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and column not in UNGUARDED:
        return guard_cell(value)
    return value


def to_csv(kind: str, rows: list[dict[str, Any]]) -> str:
    """CSV that `import_rows` takes back unchanged; text cells a spreadsheet would run as a
    formula (`=`, `+`, `-`, `@`, tab, CR first) begin with a `'` (see `guard_cell`)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(KINDS[kind]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _export_cell(k, v) for k, v in row.items()})
    return out.getvalue()
