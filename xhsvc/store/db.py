"""Engine, transactions and schema management.

SQLite runs in WAL with foreign keys on and a busy timeout, and every write transaction begins
IMMEDIATE, so a TUI, a CLI and a cron job can write the same file at once: a writer waits for the
lock up front instead of failing half-way. On PostgreSQL the counter row lock plays that part.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from xhsvc.errors import Conflict, DatabaseError, InvalidInput
from xhsvc.i18n import _, pgettext
from xhsvc.store import tables
from xhsvc.store.ids import new_id

# The newest migration this xhsvc ships; a test checks it against Alembic's own head.
HEAD_REVISION = "0016"
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
BUSY_TIMEOUT_MS = 15_000
DEFAULT_PREFIX = "XH"


def _prepare_file(path: Path) -> None:
    """The folder (0700) and an empty file (0600) for a new SQLite database: only its owner may
    read it. SQLite gives its -wal and -shm files the database file's permissions."""
    try:
        if not path.parent.is_dir():
            path.parent.mkdir(mode=0o700, parents=True)
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        if not path.parent.is_dir():
            raise DatabaseError(
                _("cannot create database {file}: {folder} is not a folder").format(
                    file=path, folder=path.parent
                )
            ) from None
    except OSError as e:
        raise DatabaseError(
            _("cannot create database {file}: {reason}").format(file=path, reason=e.strerror or e)
        ) from None


def translate(e: DBAPIError) -> Exception:
    """A database error as the typed error a user can act on; anything else stays what it is."""
    from sqlalchemy.exc import IntegrityError

    message = str(e.orig).lower()
    if isinstance(e, IntegrityError) and ("unique" in message or "duplicate" in message):
        return Conflict(
            _("someone saved the same record at the same moment; nothing written ({reason})").format(
                reason=_first_line(e)
            )
        )
    if "database is locked" in message or "database is busy" in message:
        return DatabaseError(
            _(
                "the database is busy: another command held it for over {seconds} s; nothing written, try again"
            ).format(seconds=BUSY_TIMEOUT_MS // 1000)
        )
    if any(
        word in message for word in ("readonly", "read-only", "permission denied", "insufficient privilege")
    ):
        return DatabaseError(
            _("the database cannot be written with these rights: {reason}").format(reason=_first_line(e))
        )
    if _unreachable(e) or "disk i/o error" in message or "no such table" in message:
        return DatabaseError(_("the database cannot be used: {reason}").format(reason=_first_line(e)))
    return e


def _sqlite_engine(url: str, *, busy_ms: int | None = None, create: bool = True) -> Engine:
    if busy_ms is None:
        busy_ms = BUSY_TIMEOUT_MS  # read now: a test shortens the wait
    parsed = make_url(url)
    # A `file:` URI (uri=true) names its file and mode itself: it is opened as it is.
    named = parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:")
    # A quick look (open_existing) never makes the file it was asked to read.
    if named and create:
        _prepare_file(Path(parsed.database).expanduser())
    engine = create_engine(url, connect_args={"timeout": busy_ms / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        # Let SQLAlchemy's "begin" event below issue BEGIN itself, instead of pysqlite.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={busy_ms}")
        cur.execute("PRAGMA synchronous=NORMAL")
        # Pages kept in memory (up to 16 MB, taken as needed): the default 2 MB makes a sweep or an
        # import on a large database read the same index pages again and again; 64 MB was no
        # faster (the system's file cache holds the rest) and made an import's memory grow with
        # its file until the cache was full.
        cur.execute("PRAGMA cache_size=-16384")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("xhsvc_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def make_engine(url: str) -> Engine:
    try:
        if url.startswith("sqlite"):
            return _sqlite_engine(url)
        return create_engine(url, pool_pre_ping=True)
    except (ArgumentError, NoSuchModuleError) as e:
        raise InvalidInput(_("database URL {url!r}: {reason}").format(url=url, reason=e)) from e


@dataclass
class Database:
    """An opened, up-to-date database: its engine and the facts from its `meta` table."""

    url: str
    engine: Engine
    node_id: str = ""
    prefix: str = DEFAULT_PREFIX
    # On a laptop node: the one person whose work this database records (core/sync.py).
    sync_person: str | None = None
    _closed: bool = field(default=False, repr=False)
    _login: str | None = field(default=None, repr=False)
    _privileged: bool | None = field(default=None, repr=False)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction: committed when the block ends, rolled back on any error; a database
        error comes out as the typed error it means (busy, read-only, a duplicate)."""
        try:
            with self.engine.connect() as conn:
                conn.execution_options(xhsvc_write=True)
                with conn.begin():
                    yield conn
        except DBAPIError as e:
            raise translate(e) from e

    @contextmanager
    def read(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn, conn.begin():
                yield conn
        except DBAPIError as e:
            raise translate(e) from e

    def dispose(self) -> None:
        self.engine.dispose()

    @property
    def shared(self) -> bool:
        """A server many people log in to (PostgreSQL), as against one person's SQLite file."""
        return self.engine.dialect.name != "sqlite"

    @property
    def login(self) -> str:
        """Who really runs this program here: `db:NAME` (the login) on a server, `os:NAME` (the OS
        user) on a file."""
        if self._login is None:
            if not self.shared:
                import getpass

                try:
                    self._login = f"os:{getpass.getuser()}"
                except (KeyError, OSError):
                    self._login = f"os:uid {os.getuid()}"
            else:
                with self.read() as conn:
                    name, privileged = conn.execute(
                        text(
                            "SELECT session_user, (SELECT rolsuper FROM pg_roles WHERE rolname = session_user)"
                            " OR (SELECT pg_get_userbyid(datdba) = session_user FROM pg_database"
                            " WHERE datname = current_database())"
                        )
                    ).one()
                self._login, self._privileged = f"db:{name}", bool(privileged)
        return self._login

    @property
    def login_privileged(self) -> bool:
        """The login owns what it works on: the OS user owning the SQLite file, or a server login that
        is a superuser or owns the database (who sets the desk up)."""
        if self._privileged is None:
            if self.shared:
                self.login  # noqa: B018 - reads both facts at once
            else:
                path = sqlite_path(self.url)
                self._privileged = path is None or not path.exists() or path.stat().st_uid == os.getuid()
        return bool(self._privileged)


def _current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError as e:
        if _unreachable(e):
            raise DatabaseError(
                _("cannot open database {url}: {reason}").format(
                    url=engine.url.render_as_string(), reason=_first_line(e)
                )
            ) from e
        return None


def _unreachable(e: DBAPIError) -> bool:
    message = str(e.orig).lower()
    return (
        any(
            word in message
            for word in (
                "connection refused",
                "could not connect",
                "unable to open",
                "password",
                "does not exist",
                "file is not a database",
                "malformed",
            )
        )
        and "alembic_version" not in message
    )


def _first_line(e: BaseException) -> str:
    orig = getattr(e, "orig", None) or e
    return str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__


def alembic_config(connection: Connection | None = None):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def known_revisions() -> list[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in script.walk_revisions()]


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the schema to the newest revision; refuses a database made by a newer xhsvc."""
    from alembic import command

    before = _current_revision(engine)
    if before is not None and before not in known_revisions():
        raise DatabaseError(
            _(
                "this database has schema revision {revision}, made by a newer xhsvc "
                "(this one knows up to {head}); upgrade xhsvc, the database was not touched"
            ).format(revision=before, head=HEAD_REVISION)
        )
    if before != HEAD_REVISION:
        try:
            with engine.connect() as conn:
                conn.execution_options(xhsvc_write=True)
                with conn.begin():
                    command.upgrade(alembic_config(conn), "head")
        except DBAPIError as e:
            found = translate(e)
            if found is not e:
                raise found from e
            # The schema record (alembic_version) does not match the tables: emptied or stamped back.
            raise DatabaseError(
                _(
                    "the database's schema record says {revision} but its tables do not match "
                    "({reason}); nothing was changed: restore a backup (xhsvc db restore)"
                ).format(revision=before or pgettext("schema revision", "nothing"), reason=_first_line(e))
            ) from e
    return before, HEAD_REVISION


def schema_status(engine: Engine) -> dict[str, object]:
    current = _current_revision(engine)
    known = known_revisions()
    return {
        "current": current,
        "head": HEAD_REVISION,
        "up_to_date": current == HEAD_REVISION,
        "newer_than_this_xhsvc": current is not None and current not in known,
    }


def open_database(url: str, *, migrate: bool = True, prefix: str | None = None) -> Database:
    """Open (creating if needed) the database at `url`, migrated to the newest schema.

    A database already at the newest revision costs one query; Alembic is imported only
    when there is something to upgrade.
    """
    engine = make_engine(url)
    current = _current_revision(engine)
    if current != HEAD_REVISION:
        if not migrate:
            raise DatabaseError(
                _("database schema is at {revision}; run `xhsvc db upgrade`").format(
                    revision=current or pgettext("schema revision", "nothing")
                )
            )
        upgrade(engine)
    db = Database(url=url, engine=engine)
    _load_meta(db, prefix)
    return db


def open_existing(url: str, *, timeout_s: float) -> Database | None:
    """The database at `url` for a quick look (shell completion), or None when there is no SQLite
    file there: nothing is created, migrated or written, and no lock, connection or query is
    waited on for more than about `timeout_s` seconds."""
    if url.startswith("sqlite"):
        path = sqlite_path(url)
        if path is None or not path.expanduser().is_file():
            return None
        engine = _sqlite_engine(url, busy_ms=int(timeout_s * 1000), create=False)
    elif url.startswith("postgresql"):
        seconds = max(2, round(timeout_s))  # libpq takes whole seconds, and at least 2
        engine = create_engine(
            url,
            connect_args={
                "connect_timeout": seconds,
                "options": f"-c statement_timeout={int(timeout_s * 1000)}",
            },
        )
    else:
        engine = make_engine(url)
    return Database(url=url, engine=engine)


def _load_meta(db: Database, prefix: str | None) -> None:
    meta = tables.Meta.__table__
    with db.read() as conn:
        values = dict(conn.execute(select(meta.c.key, meta.c.value)).all())
    if "node_id" not in values:
        with db.write() as conn:
            values = dict(conn.execute(select(meta.c.key, meta.c.value)).all())
            if "node_id" not in values:
                values["node_id"] = new_id()
                values.setdefault("key_prefix", prefix or DEFAULT_PREFIX)
                conn.execute(
                    meta.insert(),
                    [{"key": k, "value": values[k]} for k in ("node_id", "key_prefix")],
                )
    db.node_id = values["node_id"]
    db.prefix = values.get("key_prefix", DEFAULT_PREFIX)
    db.sync_person = values.get("sync_person")


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for a server or an in-memory database)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    if parsed.database.startswith("file:"):
        return Path(parsed.database.removeprefix("file:").split("?")[0])
    return Path(parsed.database)


def set_node_id(db: Database, node_id: str) -> str:
    """Make this database a new node (a restored copy): its new events start a chain of their own."""
    meta = tables.Meta.__table__
    with db.write() as conn:
        conn.execute(meta.update().where(meta.c.key == "node_id").values(value=node_id))
    db.node_id = node_id
    return node_id


def set_prefix(db: Database, prefix: str) -> None:
    meta = tables.Meta.__table__
    with db.write() as conn:
        updated = conn.execute(meta.update().where(meta.c.key == "key_prefix").values(value=prefix)).rowcount
        if not updated:
            conn.execute(meta.insert().values(key="key_prefix", value=prefix))
    db.prefix = prefix
