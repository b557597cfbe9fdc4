"""The notification outbox: what is owed to whom, and why; and its delivery, at most once."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from xhsvc.core.context import Context, Tx
from xhsvc.core.durations import parse_duration
from xhsvc.core.listing import Listing
from xhsvc.core.settings import Settings
from xhsvc.core.sync import require_center
from xhsvc.core.text import one_of
from xhsvc.errors import InvalidInput, NotFound
from xhsvc.i18n import N_, _
from xhsvc.store import events, queries
from xhsvc.store.db import Database, sqlite_path

STATES = ("pending", "delivered", "failed")


def list_notifications(
    ctx: Context, *, state: str | None = None, to: str | None = None, mine: bool = False, limit: int = 500
) -> Listing:
    """The outbox, newest first, at most `limit` (0: all) with how many there are in all."""
    state = one_of(state, STATES, "state") if state is not None else None
    with ctx.reading() as tx:
        recipient_id = None
        if mine:
            recipient_id = tx.me().id
        elif to:
            person = queries.get_person(tx.conn, to)
            if person is None:
                raise NotFound(_("person {handle!r} not found").format(handle=to))
            recipient_id = person.id
        rows = queries.notification_listing(
            tx.conn, state=state, recipient_id=recipient_id, limit=limit or None
        )
        total = None
        if limit and len(rows) == limit:
            total = queries.count_notifications(tx.conn, state=state, recipient_id=recipient_id)
        return Listing(rows, total)


# How long one delivery may run when config.toml sets no `notify.timeout`, in seconds.
DEFAULT_TIMEOUT_S = 60
# A timed-out command's process group gets SIGTERM, then SIGKILL after this long at most.
KILL_GRACE_S = 2.0
# Earlier xhsvc releases marked a claim with `claimed_at` and took it over after 10 minutes;
# such a mark is still honoured that long (see queries.claim_notification). This release never
# takes over a claim on a timer.
LEGACY_CLAIM_WINDOW = timedelta(minutes=10)
MAX_TIMEOUT_S = 86_400
TIMEOUT_EXAMPLES = N_("60 (seconds), '90s', '2m' or '1h30m', at most a day")
_SECONDS = re.compile(r"\s*(\d+)\s*s?\s*", re.IGNORECASE)


def timeout_seconds(raw: object) -> int:
    """A delivery's time limit in seconds: a whole number of seconds (`60`, `"60"`, `"90s"`) or a
    span of the duration grammar (`"2m"`, `"1h30m"`); more than nothing and at most a day."""
    seconds: int | None = None
    if isinstance(raw, int) and not isinstance(raw, bool):
        seconds = raw
    elif isinstance(raw, str):
        plain = _SECONDS.fullmatch(raw)
        if plain:
            seconds = int(plain.group(1))
        else:
            try:
                seconds = parse_duration(raw).in_minutes() * 60
            except ValueError:
                seconds = None
    if seconds is None or not 0 < seconds <= MAX_TIMEOUT_S:
        raise InvalidInput(
            _("config notify.timeout: {value!r} is not a time limit like {examples}").format(
                value=raw, examples=_(TIMEOUT_EXAMPLES)
            )
        )
    return seconds


def delivery_timeout(settings: Settings) -> int:
    """`notify.timeout` of config.toml in seconds (see `timeout_seconds`)."""
    notify = settings.extra.get("notify", {})
    return timeout_seconds(
        notify.get("timeout", DEFAULT_TIMEOUT_S) if isinstance(notify, dict) else DEFAULT_TIMEOUT_S
    )


def _delivery_command(ctx: Context) -> str:
    command = ctx.settings.extra.get("notify", {}).get("command")
    if not isinstance(command, str) or not command.strip():
        raise InvalidInput(
            _(
                "notify flush: no delivery command; set it in config.toml, e.g. "
                'xhsvc config set notify.command \'mail -s "$XHSVC_SUBJECT" "$XHSVC_TO_EMAIL"\''
            )
        )
    return command


def _deliver(command: str, item: dict[str, Any], timeout_s: int) -> str | None:
    """Run the delivery command for one message; None when it worked, else the error.

    The command runs in a session (and process group) of its own, so that on timeout the whole
    group goes: the shell and whatever it started. It must be done, and its output closed, within
    `timeout_s`."""
    env = {
        **os.environ,
        "XHSVC_NOTIFICATION_ID": item["id"],
        "XHSVC_TO": item["recipient"],
        "XHSVC_TO_NAME": item["recipient_name"] or "",
        "XHSVC_TO_EMAIL": item["recipient_email"] or "",
        "XHSVC_TO_PHONE": item["recipient_phone"] or "",
        "XHSVC_REASON": item["reason"],
        "XHSVC_TICKET": item["ticket"] or "",
        "XHSVC_CREATED_AT": item["created_at"].isoformat(),
        "XHSVC_SUBJECT": item["message"].splitlines()[0][:120],
    }
    try:
        proc = subprocess.Popen(
            ["/bin/sh", "-c", command],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=env,
            start_new_session=True,
        )
    except OSError as e:
        return f"could not run the command: {e}"
    try:
        out, err = proc.communicate(item["message"], timeout=timeout_s)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        return f"timed out after {timeout_s} s; killed"
    except BaseException:
        # Interrupted (Ctrl-C, or SIGTERM as the CLI turns it into an exit): the command, in its
        # own session, would not hear of it, so it goes with us.
        _kill_group(proc)
        raise
    if proc.returncode != 0:
        detail = (err or out).strip().splitlines()
        return f"exit {proc.returncode}" + (f": {detail[-1]}" if detail else "")
    return None


def _kill_group(proc: subprocess.Popen[str]) -> None:
    """End the process group `proc` leads: SIGTERM, a short grace to exit, then SIGKILL."""
    group = proc.pid  # start_new_session: the shell leads its session and its process group

    def signal_group(sig: int) -> bool:
        try:
            os.killpg(group, sig)
            return True
        except ProcessLookupError:
            return False

    if signal_group(signal.SIGTERM):
        deadline = time.monotonic() + KILL_GRACE_S
        while time.monotonic() < deadline:
            proc.poll()  # reap the shell, else it stays a member of the group
            if not signal_group(0):
                break
            time.sleep(0.05)
        signal_group(signal.SIGKILL)
    proc.wait()
    # A process that left the group (setsid) may still hold the pipes: close them, unread.
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()


@contextmanager
def _flush_turn(db: Database) -> Iterator[str | None]:
    """On SQLite, flushes of one database file take turns: yields None when this one has the
    turn, else who has it ("pid 123 on host").

    The turn is a lock (flock) on a file beside the database, `<database>.notify-lock`. The
    kernel holds it for as long as the flush lives, however long a delivery takes, and drops it
    when the flush ends in any way, kill -9 included; the descriptor is not inherited, so no
    delivery command keeps it. On PostgreSQL this is a no-op: the row locks of
    `queries.claim_notification` keep flushes apart and let them run side by side."""
    path = sqlite_path(db.url) if db.engine.dialect.name == "sqlite" else None
    if path is None:
        yield None
        return
    import fcntl
    import socket

    path = path.expanduser().resolve()
    lock_path = path.with_name(path.name + ".notify-lock")
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        writable = True
    except PermissionError:  # another account made it: locking needs no write access
        fd = os.open(lock_path, os.O_RDONLY)
        writable = False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
            yield holder or "another flush"
            return
        if writable:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()}".encode(), 0)
        yield None
    finally:
        os.close(fd)


def flush_notifications(ctx: Context, *, limit: int = 200) -> dict[str, Any]:
    """Deliver pending (and earlier failed) notifications through the configured command.

    At most once: a notification is delivered only under a claim that lasts as long as the
    flush that holds it lives, however long that takes (a row lock held through the delivery on
    PostgreSQL, the flush's turn on SQLite; see `_flush_turn`), and is recorded delivered before
    the claim ends. A flush that dies (kill -9) loses its claim with it, so the next flush takes
    the message over: nothing is lost, but one that went out just before the death goes out again
    (XHSVC_NOTIFICATION_ID, the same on every attempt, lets a command drop the repeat).

    A delivery that outlasts `notify.timeout` is killed with everything it started and counts as
    failed; a failed one keeps its error and is retried by the next flush, once per flush.
    `busy` says which flush has the turn when this one found it taken (SQLite) and sent nothing.
    """
    with ctx.reading() as tx:
        require_center(tx, "notify flush")
    command = _delivery_command(ctx)
    timeout_s = delivery_timeout(ctx.settings)
    result: dict[str, Any] = {"delivered": 0, "failed": [], "claimed": 0, "busy": None}
    # A server holds the claim in the transaction that delivers; SQLite must not hold its write
    # lock that long, so it reads, delivers, then records in a short transaction of its own.
    hold = ctx.db.engine.dialect.name != "sqlite"
    tried: list[str] = []
    with _flush_turn(ctx.db) as busy:
        if busy is not None:
            result["busy"] = busy
            return result
        while len(tried) < limit:
            if hold:
                with ctx.writing(actor_required=False) as tx:
                    item = _claim(ctx, tx, tried)
                    if item is None:
                        break
                    error = _deliver(command, item, timeout_s)
                    tx.now = ctx.now()
                    _record(tx, item, error, result)
                continue
            with ctx.reading() as tx:
                item = _claim(ctx, tx, tried)
            if item is None:
                break
            error = _deliver(command, item, timeout_s)
            with ctx.writing(actor_required=False) as tx:
                _record(tx, item, error, result)
    result["claimed"] = len(tried)
    return result


def _claim(ctx: Context, tx: Tx, tried: list[str]) -> dict[str, Any] | None:
    item = queries.claim_notification(tx.conn, skip=tried, stale_before=ctx.now() - LEGACY_CLAIM_WINDOW)
    if item is not None:
        tried.append(item["id"])
    return item


def _record(tx: Tx, item: dict[str, Any], error: str | None, result: dict[str, Any]) -> None:
    changes: dict[str, Any] = {"attempts": item["attempts"] + 1}
    if error is None:
        changes.update(state="delivered", delivered_at=tx.now, error=None)
        result["delivered"] += 1
    else:
        changes.update(state="failed", error=error)
        result["failed"].append({"id": item["id"], "to": item["recipient"], "error": error})
    events.append(
        tx.conn,
        tx.origin,
        entity="notification",
        entity_id=item["id"],
        ticket_id=item["ticket_id"],
        kind=f"notification.{changes['state']}",
        payload={"set": changes, "summary": f"notice to {item['recipient']} {changes['state']}"},
    )
    queries.release_notification(tx.conn, item["id"])
