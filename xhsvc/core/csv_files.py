"""CSV files of records: the columns of each kind, the encoding of a file (UTF-8, or GBK/GB18030
as Excel in China saves "CSV"), reading rows (with the line each begins on) and writing them, and
the guard that keeps a spreadsheet from running a cell as a formula."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO

from xhsvc.errors import InvalidInput
from xhsvc.i18n import N_, _

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


# The head of a file that decides its encoding: read once, then replayed ahead of the rest, so a
# file (or stdin) of any size is still read as it goes. A head of ASCII alone tells nothing (a GBK
# file may begin with rows of digits and Latin letters): more is read, up to HEAD_LIMIT.
SAMPLE = 64 * 1024
HEAD_LIMIT = 1024 * 1024
# Shown with _(NOT_TEXT).
NOT_TEXT = N_("not text in UTF-8 (with or without BOM) or GBK/GB18030; save it as CSV UTF-8")
# A row's cells beyond the header's columns, described under this key (no column can be named so:
# a header with a name that is not a column is refused).
EXTRA_CELLS = "extra cells"


class NotText(InvalidInput):
    """A file in none of the encodings an import reads (NOT_TEXT)."""


def encoding_of(head: bytes, *, whole: bool) -> str | None:
    """The codec to read a CSV file with, judged from its first bytes (`whole`: all of it):
    'utf-8-sig' for UTF-8 (a BOM, as Excel's "CSV UTF-8" begins, is dropped), 'gb18030' for the
    GB family (GB2312 < GBK < GB18030: Excel's plain "CSV" on a Chinese Windows), None otherwise."""
    try:
        # Incremental: the head may end inside a character that the rest of the file completes.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=whole)
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    # Only a file that is not UTF-8 pays for importing the detector (~20 ms).
    from charset_normalizer import from_bytes

    if not whole and b"\n" in head:
        # No GB character holds the byte 0x0A, so the head cut after a line end cuts none in half.
        head = head[: head.rindex(b"\n") + 1]
    # Asked about the GB family only: left to choose among every code page, charset-normalizer
    # settles on the first that looks clean, and for a few rows of hanzi that is as often Big5,
    # cp932 or hp_roman8 as GBK. Its "mess" limit is raised from 0.2 to 0.3: text of hanzi none of
    # which is on its short list of common ones (names: 客户, 杭州, 医疗) measures 0.2 on that alone.
    # It still finds no GB text in Latin-1, Big5, UTF-16 or binary (a workbook, say); Korean or
    # Japanese in a legacy code page may pass for GB, a risk a desk in China can take.
    found = from_bytes(head, cp_isolation=["gb18030", "gbk", "gb2312"], threshold=0.3).best()
    return "gb18030" if found is not None else None


class _Replay(io.RawIOBase):
    """The head of a stream, read to tell its encoding, and then the rest of it: stdin cannot
    seek back, and a file need not be read twice."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def text_lines(raw: BinaryIO) -> io.TextIOWrapper:
    """The text of a CSV file given as bytes, decoded as it is read in the encoding its head shows
    (`encoding_of`); NotText when it is in none an import reads. A byte that does not decode
    further on raises UnicodeDecodeError as the reading gets there."""
    head = raw.read(SAMPLE)
    whole = len(head) < SAMPLE
    while head.isascii() and not whole and len(head) < HEAD_LIMIT:
        more = raw.read(SAMPLE)
        head += more
        whole = len(more) < SAMPLE
    encoding = encoding_of(head, whole=whole)
    if encoding is None:
        raise NotText(_(NOT_TEXT))
    return io.TextIOWrapper(io.BufferedReader(_Replay(head, raw)), encoding=encoding, newline="")


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
                message = _(
                    'line {line}: a quoted field begins here and is never closed (a `"` is missing); nothing imported'
                )
            elif "field limit" in problem:
                message = _(
                    'line {line}: a field longer than {limit:,} characters (a `"` never closed?); nothing imported'
                )
            else:
                message = _(
                    'line {line}: broken quoting ({problem}); a `"` inside a quoted field is written twice; '
                    "nothing imported"
                )
            raise InvalidInput(
                message.format(line=start, limit=csv.field_size_limit(), problem=problem)
            ) from None
        if start == 1 and fields:
            fields[0] = fields[0].removeprefix("\ufeff")
        yield start, fields
        start = reader.line_num + 1


def read_csv(lines: Iterable[str], kind: str) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows with their line numbers, read as they are asked for; the header (checked at once)
    must name known columns (and the required ones).

    Text cells lose the formula guard an export put on them (`unguard_cell`)."""
    if kind not in KINDS:
        raise InvalidInput(
            _("kind {kind!r}: must be one of {kinds}").format(kind=kind, kinds=", ".join(KINDS))
        )
    records = _records(lines)
    header: list[str] = []
    for _line, fields in records:
        if fields:
            header = [h.strip() for h in fields]
            break
    # Empty names at the end are columns a spreadsheet saved without a name ("name,region,,"):
    # their cells are read as cells beyond the header.
    while header and not header[-1]:
        header.pop()
    if not header:
        raise InvalidInput(_("file: empty, or no header line"))
    unknown = [
        h or _("(column {number} has no name)").format(number=n)
        for n, h in enumerate(header, 1)
        if h not in KINDS[kind]
    ]
    if unknown:
        raise InvalidInput(
            _("header: unknown column(s) {unknown}; {kind} columns are {columns}").format(
                unknown=", ".join(unknown), kind=kind, columns=", ".join(KINDS[kind])
            )
        )
    twice = sorted({h for h in header if header.count(h) > 1})
    if twice:
        raise InvalidInput(_("header: column(s) named twice: {columns}").format(columns=", ".join(twice)))
    missing = [h for h in REQUIRED[kind] if h not in header]
    if missing:
        raise InvalidInput(_("header: missing column(s) {columns}").format(columns=", ".join(missing)))
    return _rows(records, header)


def _rows(
    records: Iterator[tuple[int, list[str]]], header: list[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    for line, fields in records:
        # Missing cells are empty (as csv.DictReader has them). Cells beyond the header that hold
        # something are kept under EXTRA_CELLS for the import to refuse: dropping them would lose
        # data, most often a comma in a cell that is not quoted.
        cells = [v.strip() for v in fields]
        extra = [v for v in cells[len(header) :] if v]
        if not any(cells[: len(header)]) and not extra:
            continue
        row = {
            name: value if name in UNGUARDED else unguard_cell(value)
            for name, value in zip(header, cells, strict=False)
        }
        if extra:
            row[EXTRA_CELLS] = _(
                "{cells} beyond the {count} column(s) of the header (a comma in a cell that is not quoted?)"
            ).format(cells=", ".join(repr(v) for v in extra), count=len(header))
        yield line, row


def _export_cell(column: str, value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and column not in UNGUARDED:
        return guard_cell(value)
    return value


def to_csv(kind: str, rows: list[dict[str, Any]], *, bom: bool = False) -> str:
    """CSV that `import_rows` takes back unchanged; text cells a spreadsheet would run as a
    formula (`=`, `+`, `-`, `@`, tab, CR first) begin with a `'` (see `guard_cell`). With `bom`
    it begins with U+FEFF: Excel reads a CSV as UTF-8 only then (else in the local code page)."""
    return write_csv(list(KINDS[kind]), rows, cell=_export_cell, bom=bom)


def write_csv(
    columns: list[str], rows: Iterable[dict[str, Any]], *, cell: Callable[[str, Any], Any], bom: bool = False
) -> str:
    """Rows as CSV under a header of `columns`, each value through `cell(column, value)`; with
    `bom` it begins with U+FEFF (what Excel needs to read UTF-8)."""
    out = io.StringIO()
    if bom:
        out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: cell(k, v) for k, v in row.items()})
    return out.getvalue()
