"""Database upkeep: schema status and upgrade, the event log's hash chains, rebuilding state from
the log, backups and restores."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from xhsvc.core.context import Context
from xhsvc.errors import Conflict, InvalidInput, NotAllowed
from xhsvc.i18n import _
from xhsvc.store import chain, events
from xhsvc.store import db as store_db


def database_status(*, url: str) -> dict[str, Any]:
    """Schema revision of the database at `url` against this xhsvc's, without changing anything."""
    engine = store_db.make_engine(url)
    try:
        status = store_db.schema_status(engine)
    finally:
        engine.dispose()
    status["url"] = engine.url.render_as_string(hide_password=True)
    return status


def upgrade_database(*, url: str) -> dict[str, Any]:
    engine = store_db.make_engine(url)
    try:
        before, after = store_db.upgrade(engine)
    finally:
        engine.dispose()
    return {"url": engine.url.render_as_string(hide_password=True), "before": before, "after": after}


def verify_log(ctx: Context) -> dict[str, Any]:
    """Walk every node's hash chain; the first event that does not hold is named."""
    with ctx.reading() as tx:
        return chain.verify(tx.conn).as_dict()


def describe_break(verdict: dict[str, Any]) -> str:
    broken = verdict["broken"]
    if broken["event"]:
        return _("node {node}, event {seq} (event {event}): {problem}").format(
            node=broken["node"], seq=broken["seq"], event=broken["event"], problem=broken["problem"]
        )
    return _("node {node}, event {seq}: {problem}").format(
        node=broken["node"], seq=broken["seq"], problem=broken["problem"]
    )


def rebuild_state(ctx: Context) -> int:
    """Replay the whole event log onto empty state tables (an admin's repair tool); refused when a
    chain is broken, so that a forged log is never replayed into the state."""
    with ctx.writing() as tx:
        if tx.me().role != "admin":
            raise NotAllowed(
                _("db rebuild: only an admin may rebuild the state; {handle} is {role}").format(
                    handle=tx.me().handle, role=tx.me().role
                )
            )
        verdict = chain.verify(tx.conn).as_dict()
        if verdict["broken"]:
            raise Conflict(
                _("db rebuild: the event log is broken at {where}; nothing rebuilt").format(
                    where=describe_break(verdict)
                )
            )
        return events.rebuild(tx.conn)


def backup_database(ctx: Context, *, target: Path) -> dict[str, Any]:
    """A consistent copy of a SQLite database, taken while others keep working (SQLite's online
    backup), readable by its owner only."""
    if ctx.db.engine.dialect.name != "sqlite":
        raise NotAllowed(
            _(
                "db backup: for PostgreSQL use its own tool, e.g. "
                "`pg_dump --format=custom --file xhsvc.dump DBNAME` (and pg_restore to restore)"
            )
        )
    if target.exists():
        raise Conflict(_("db backup: {file} exists; give a new file").format(file=target))
    if not target.parent.is_dir():
        raise InvalidInput(_("db backup: folder {folder} does not exist").format(folder=target.parent))
    verdict = verify_log(ctx)
    import sqlite3

    target.touch(mode=0o600)
    raw = ctx.db.engine.raw_connection()
    try:
        copy = sqlite3.connect(target)
        try:
            raw.driver_connection.backup(copy)  # SQLite's online backup: a consistent snapshot
        finally:
            copy.close()
    finally:
        raw.close()
    return {"file": str(target), "events": verdict["events"], "intact": verdict["intact"]}


def restore_database(*, url: str, source: Path) -> dict[str, Any]:
    """Put a backup in place of the SQLite database at `url`, once its chains verify. The restored
    copy continues as a new node, so that it never writes events under a node id that its original
    (or another copy) also writes: the chains of both stay whole."""
    import shutil

    from xhsvc.store.ids import new_id

    target = store_db.sqlite_path(url)
    if target is None:
        raise NotAllowed(_("db restore: for PostgreSQL use pg_restore on a `pg_dump --format=custom` file"))
    if not source.is_file():
        raise InvalidInput(_("db restore: {file} is not a file").format(file=source))
    staging = target.with_name(f".{target.name}.restoring")
    staging.unlink(missing_ok=True)
    shutil.copyfile(source, staging)
    staging.chmod(0o600)
    try:
        copy = store_db.open_database(f"sqlite:///{staging}")
    except Exception as e:
        staging.unlink(missing_ok=True)
        reason = str(getattr(e, "orig", None) or e).splitlines()[0]
        raise InvalidInput(
            _("db restore: {file} is not an xhsvc database ({reason})").format(file=source, reason=reason)
        ) from None
    restored = False
    try:
        with copy.read() as conn:
            verdict = chain.verify(conn).as_dict()
        if verdict["broken"]:
            raise Conflict(
                _("db restore: {file} is broken at {where}; nothing restored").format(
                    file=source, where=describe_break(verdict)
                )
            )
        old_node = copy.node_id
        new_node = store_db.set_node_id(copy, new_id())
        restored = True
    finally:
        copy.dispose()
        if not restored:
            staging.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    staging.replace(target)
    return {"file": str(target), "events": verdict["events"], "old_node": old_node, "node": new_node}


def set_aside_database(*, url: str, now: datetime) -> dict[str, Any]:
    """Start a SQLite database over (`demo --reset`): the file is moved aside, whole, next to
    where it was (nothing is deleted), and the next command opens a new one."""
    import sqlite3

    target = store_db.sqlite_path(url)
    if target is None:
        raise NotAllowed(_("demo --reset: only a SQLite database is started over; a server's is not"))
    if not target.exists():
        return {"file": str(target), "kept": None}
    # What waits in the write-ahead log goes into the file first, so the file moved is whole.
    conn = sqlite3.connect(target)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    kept = target.with_name(f"{target.name}.before-reset-{now:%Y%m%d-%H%M%S}")
    target.replace(kept)
    for suffix in ("-wal", "-shm"):
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    return {"file": str(target), "kept": str(kept)}
