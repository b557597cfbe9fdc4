"""The sync bundle: what one node sends another, as a file or straight over a connection.

JSON Lines, UTF-8:

1. a header: format, version, schema revision, sender node, key id (the name the sender is
   registered under at the center), receiver node, the have vector it was computed from and the
   coverage it gives (see core/sync.py);
2. one event per line, every column its hash covers plus `prev_hash` and `hash`;
3. a trailer: the number of events, the SHA-256 of every byte before it, and the HMAC-SHA256 of
   the same bytes under the key the center gave the node.

A file is written to a temporary name, flushed to disk and renamed, so a bundle is whole or absent.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from xhsvc.errors import InvalidInput
from xhsvc.i18n import _

FORMAT = "xhsvc-bundle"
VERSION = 1
# A bundle larger than this is refused before it is read into memory.
MAX_BYTES = 2_000_000_000


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot put {type(value).__name__} in a bundle")


def _line(value: dict[str, Any]) -> bytes:
    return (
        json.dumps(
            value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_default
        ).encode()
        + b"\n"
    )


@dataclass
class Bundle:
    header: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)


def encode(header: dict[str, Any], events: Iterable[dict[str, Any]], key: bytes) -> bytes:
    body = bytearray(_line({"format": FORMAT, "version": VERSION, **header}))
    count = 0
    for event in events:
        body += _line(event)
        count += 1
    trailer = {
        "end": True,
        "count": count,
        "sha256": hashlib.sha256(body).hexdigest(),
        "hmac": hmac.new(key, bytes(body), hashlib.sha256).hexdigest(),
    }
    return bytes(body) + _line(trailer)


def peek(data: bytes, *, source: str) -> dict[str, Any]:
    """The header, read before the key to check the rest with is known."""
    first = data.partition(b"\n")[0]
    try:
        header = json.loads(first)
    except ValueError:
        raise InvalidInput(
            _("{source}: not an xhsvc bundle (its first line is not a header)").format(source=source)
        ) from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise InvalidInput(_("{source}: not an xhsvc bundle").format(source=source))
    if header.get("version") != VERSION:
        raise InvalidInput(
            _(
                "{source}: bundle format version {found!r}; this xhsvc reads version {version} (upgrade xhsvc)"
            ).format(source=source, found=header.get("version"), version=VERSION)
        )
    return header


def decode(data: bytes, key: bytes, *, source: str) -> Bundle:
    """Check a bundle whole (its end, its count, its digest, its key) before anything is read from it."""
    header = peek(data, source=source)
    if not data.endswith(b"\n"):
        raise InvalidInput(
            _("{source}: the bundle is cut short (no end line); nothing imported").format(source=source)
        )
    body, _newline, last = data[:-1].rpartition(b"\n")
    body += b"\n"
    try:
        trailer = json.loads(last)
    except ValueError:
        trailer = None
    if not isinstance(trailer, dict) or trailer.get("end") is not True:
        raise InvalidInput(
            _("{source}: the bundle is cut short (no end line); nothing imported").format(source=source)
        )
    if hashlib.sha256(body).hexdigest() != trailer.get("sha256"):
        raise InvalidInput(
            _(
                "{source}: the bundle was changed or damaged (its digest does not match); nothing imported"
            ).format(source=source)
        )
    if not hmac.compare_digest(hmac.new(key, body, hashlib.sha256).hexdigest(), str(trailer.get("hmac"))):
        raise InvalidInput(
            _(
                "{source}: the bundle is not signed with this node's key (key id {key_id!r}); nothing imported"
            ).format(source=source, key_id=header.get("key_id"))
        )
    lines = body.split(b"\n")[1:-1]
    if len(lines) != trailer.get("count"):
        raise InvalidInput(
            _("{source}: the bundle holds {count} events, its end line says {said}").format(
                source=source, count=len(lines), said=trailer.get("count")
            )
        )
    try:
        events = [json.loads(line) for line in lines]
    except ValueError:
        raise InvalidInput(
            _("{source}: an event of the bundle is not JSON; nothing imported").format(source=source)
        ) from None
    return Bundle(header=header, events=events)


def write_file(target: Path, data: bytes) -> None:
    """Whole or absent: a temporary file beside the target, flushed to disk, then renamed."""
    if target.is_dir():
        raise InvalidInput(_("--output: {file} is a folder; give a file name").format(file=target))
    if not target.parent.is_dir():
        raise InvalidInput(_("--output: folder {folder} does not exist").format(folder=target.parent))
    temporary = target.with_name(f".{target.name}.partial")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        temporary.replace(target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def read_file(source: Path) -> bytes:
    if not source.is_file():
        raise InvalidInput(_("bundle: {file} is not a file").format(file=source))
    if source.stat().st_size > MAX_BYTES:
        raise InvalidInput(
            _("bundle: {file} is larger than {limit} bytes").format(file=source, limit=MAX_BYTES)
        )
    return source.read_bytes()
