"""Shared fixtures: every test gets its own XHSVC_HOME and its own database.

The backend comes from XHSVC_TEST_DB: unset means a SQLite file per test; a PostgreSQL URL
(to a server's maintenance database) means a fresh database per test, copied from a migrated
template so each test starts in milliseconds. Under pytest-xdist (`-n auto`) each worker makes
and drops a template of its own.

With CI set, hypothesis runs the `ci` profile (HYPOTHESIS_PROFILE=ci does it anywhere): a bounded
number of examples, derandomized, no deadline (a shared machine's timing is no property of the
code), no example database. What a test sets in its own `@settings` wins over the profile.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from xhsvc import i18n
from xhsvc.core.clock import Clock
from xhsvc.core.context import Context
from xhsvc.core.settings import Settings
from xhsvc.store.db import Database, open_database
from xhsvc.store.ids import new_id

# The language the tests read: English, whatever the machine speaks. tests/tui/test_in_chinese.py
# starts a pytest of its own with XHSVC_TEST_LANGUAGE=zh_CN for the dashboard's Chinese snapshots:
# the dashboard, like `xhsvc tui`, takes its language when it starts.
TEST_LANGUAGE = os.environ.get("XHSVC_TEST_LANGUAGE", "en")
i18n.set_language(TEST_LANGUAGE)

settings.register_profile(
    "ci",
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "default"))

SERVER_URL = os.environ.get("XHSVC_TEST_DB", "")
# One template per xdist worker (gw0, gw1, ...): two workers never create or drop the same one,
# and no test copies a template that another worker is still migrating.
# The Chinese run (tests/tui/test_in_chinese.py) is a pytest started from inside one of those
# workers: it has a template of its own too.
TEMPLATE = f"xhsvc_test_template_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
if TEST_LANGUAGE != "en":
    TEMPLATE += f"_{TEST_LANGUAGE.lower()}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, only the tests that open a database through `db_url`: the others (text,
    durations, calendars, help pages, SQLite's own query plans) do the same whatever XHSVC_TEST_DB
    says, and the SQLite run has run them. (The Chinese snapshots, a pytest of their own started
    by a test without `db_url`, run on SQLite only: the English ones run on both.) Under xdist, the slow tests
    first: the end-to-end ones run the installed command dozens of times (up to half a minute
    each) and the dashboard's drive a terminal. Started first, they spread over the workers
    instead of leaving one to finish them alone at the end."""
    if backend() == "postgresql":
        elsewhere = [item for item in items if "db_url" not in getattr(item, "fixturenames", ())]
        if elsewhere:
            config.hook.pytest_deselected(items=elsewhere)
            items[:] = [item for item in items if "db_url" in getattr(item, "fixturenames", ())]
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return

    def weight(item: pytest.Item) -> int:
        folder = item.nodeid.split("/")[1] if item.nodeid.startswith("tests/") else ""
        return {"e2e": 0, "tui": 1}.get(folder, 2)

    items.sort(key=weight)  # stable: the same order on every worker, as xdist requires


def backend() -> str:
    return "postgresql" if SERVER_URL.startswith("postgresql") else "sqlite"


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str | None]:
    if backend() != "postgresql":
        yield None
        return
    admin = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {TEMPLATE}"))
        conn.execute(text(f"CREATE DATABASE {TEMPLATE}"))
    template_url = make_url(SERVER_URL).set(database=TEMPLATE).render_as_string(hide_password=False)
    from xhsvc.store.db import make_engine, upgrade

    engine = make_engine(template_url)
    upgrade(engine)
    engine.dispose()
    yield TEMPLATE
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {TEMPLATE}"))
    admin.dispose()


@pytest.fixture
def db_url(tmp_path: Path, pg_template: str | None) -> Iterator[str]:
    if pg_template is None:
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    name = f"xhsvc_t_{new_id().replace('-', '')[-16:]}"
    admin = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {pg_template}"))
    yield make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Config and data of every test live in its own folder, never in the user's."""
    path = tmp_path / "home"
    path.mkdir()
    monkeypatch.setenv("XHSVC_HOME", str(path))
    monkeypatch.delenv("XHSVC_DB", raising=False)
    # The tests read English, whatever language the machine running them speaks.
    monkeypatch.setenv("LANGUAGE", TEST_LANGUAGE)
    return path


@pytest.fixture
def use_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point the CLI (in-process and subprocess) at this test's database."""
    monkeypatch.setenv("XHSVC_DB", db_url)
    return db_url


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    db = open_database(db_url)
    yield db
    db.dispose()


class FixedClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 20, 2, 0, tzinfo=UTC))


MakeCtx = Callable[..., Context]


@pytest.fixture
def as_(database: Database, clock: FixedClock) -> MakeCtx:
    """`as_("wangfang")` is a core context acting as that person, on the test clock."""

    def make(handle: str | None, *, clock_: Clock | None = None, settings: Settings | None = None) -> Context:
        return Context(
            db=database, actor_handle=handle, clock=clock_ or clock, settings=settings or Settings()
        )

    return make


DESK = [
    {"handle": "admin", "name": "系统管理员", "role": "admin"},
    {"handle": "zhoujian", "name": "周建", "role": "manager", "region": "杭州"},
    {"handle": "wangfang", "name": "王芳", "role": "agent", "region": "杭州"},
    {"handle": "zhaoli", "name": "赵丽", "role": "agent", "region": "杭州"},
    {"handle": "lijun", "name": "李军", "role": "engineer", "tier": "L1", "region": "杭州"},
    {"handle": "zhangwei", "name": "张伟", "role": "engineer", "tier": "L1", "region": "北京"},
    {"handle": "wuhao", "name": "吴昊", "role": "engineer", "tier": "L2", "region": "杭州"},
    {"handle": "sunli", "name": "孙立", "role": "expert", "region": "杭州"},
]
CUSTOMER = "浙江省第一人民医院"
CONTRACT = "HT-2026-001"


@pytest.fixture
def desk(as_: MakeCtx) -> MakeCtx:
    """A small service desk: an admin, a manager, two agents, L1/L2 engineers, an expert, and a
    customer with a gold contract for 2026 (the test clock stands in November 2026)."""
    from xhsvc.core import contracts, customers, people

    people.register_self(as_(None), **DESK[0])
    for spec in DESK[1:]:
        people.add_person(as_("admin"), **spec)
    customers.add_customer(as_("wangfang"), name=CUSTOMER, region="杭州", industry="医疗")
    contracts.add_contract(
        as_("wangfang"),
        number=CONTRACT,
        customer=CUSTOMER,
        level="gold",
        start="2026-01-01",
        end="2026-12-31",
    )
    return as_
