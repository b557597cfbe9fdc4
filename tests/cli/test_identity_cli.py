"""Who acted is proven: on a shared PostgreSQL database each login acts as the person bound to it,
and only an admin acts for someone else; on a SQLite file, --as is for the file's owner. Every
event records who really ran the command."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from tests.cli.conftest import Cli
from tests.conftest import CUSTOMER, backend
from xhsvc.store.ids import new_id
from xhsvc.store.tables import Event

EVENT = Event.__table__


def last_event(url: str) -> dict:
    engine = create_engine(url)
    with engine.connect() as conn:
        row = conn.execute(select(EVENT).order_by(EVENT.c.hlc.desc()).limit(1)).mappings().one()
    engine.dispose()
    return dict(row)


@pytest.mark.skipif(backend() != "sqlite", reason="the SQLite file's owner; logins are tested on PostgreSQL")
def test_on_a_sqlite_file_as_is_for_its_owner(desk_cli: Cli, use_db: str) -> None:
    key = desk_cli("ticket", "open", "--customer", CUSTOMER, "--title", "阵列告警").stdout.strip()
    assert desk_cli("--as", "lijun", "ticket", "comment", key, "我来看").exit_code == 0
    event = last_event(use_db)
    assert (event["actor"], event["ran_by"]) == ("lijun", f"os:{__import__('getpass').getuser()}")
    # The same file owned by another OS user: this user may act only as the configured user.
    path = Path(make_url(use_db).database or "")
    os.chown(path, 65534, 65534)
    try:
        refused = desk_cli("--as", "zhoujian", "ticket", "comment", key, "冒充经理")
        assert (
            refused.exit_code == 4 and "--as: this database file belongs to another OS user" in refused.stderr
        )
        assert desk_cli("ticket", "comment", key, "以自己的身份").exit_code == 0  # config user wangfang
    finally:
        os.chown(path, os.getuid(), os.getgid())


@pytest.fixture
def logins(desk_cli: Cli, use_db: str):
    """Logins of the service center bound to an agent, an engineer, a manager and an admin, with
    the grants of the README's recipe; one bound to nobody; one bound to an expert that may only read."""
    suffix = new_id().replace("-", "")[-8:]
    names = {
        who: f"xh_{who}_{suffix}" for who in ("agent", "engineer", "manager", "admin", "nobody", "reader")
    }
    url = make_url(use_db)
    admin = create_engine(use_db, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names.values():
            conn.execute(text(f"CREATE ROLE {name} LOGIN"))
            conn.execute(text(f"GRANT CONNECT ON DATABASE {url.database} TO {name}"))
            conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {name}"))
            rights = "SELECT" if name == names["reader"] else "SELECT, INSERT, UPDATE"
            conn.execute(text(f"GRANT {rights} ON ALL TABLES IN SCHEMA public TO {name}"))
            # History is written once: no login of the desk may change or delete an event.
            conn.execute(text(f"REVOKE UPDATE, DELETE ON event FROM {name}"))
            if name != names["reader"]:
                conn.execute(text(f"GRANT DELETE ON entity_head, sync_conflict TO {name}"))
    for handle, who in (
        ("wangfang", "agent"),
        ("lijun", "engineer"),
        ("zhoujian", "manager"),
        ("admin", "admin"),
        ("sunli", "reader"),
    ):
        bound = desk_cli("--as", "admin", "person", "bind", handle, "--login", names[who])
        assert bound.exit_code == 0, bound.stderr
    yield {who: url.set(username=name).render_as_string(hide_password=False) for who, name in names.items()}
    with admin.connect() as conn:
        conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{url.database}'"
                          f" AND usename LIKE 'xh_%_{suffix}'"))  # fmt: skip
        for name in names.values():
            conn.execute(text(f"DROP OWNED BY {name}"))
            conn.execute(text(f"DROP ROLE {name}"))
    admin.dispose()


@pytest.mark.skipif(backend() != "postgresql", reason="logins of a shared PostgreSQL server")
def test_each_login_acts_as_its_person_and_role_rules_hold(
    desk_cli: Cli, logins: dict[str, str], use_db: str, monkeypatch: pytest.MonkeyPatch, home: Path
) -> None:
    def as_login(who: str, *args: str):
        monkeypatch.setenv("XHSVC_DB", logins[who])
        return desk_cli(*args)

    # The agent's login opens a ticket: the event says wangfang, and that login ran it.
    (home / "config.toml").write_text("", encoding="utf-8")  # no config user: the login says who
    key = as_login("agent", "ticket", "open", "--customer", CUSTOMER, "--title", "阵列告警").stdout.strip()
    assert key.startswith("XH-")
    event = last_event(use_db)
    assert (event["actor"], event["ran_by"]) == ("wangfang", f"db:{make_url(logins['agent']).username}")
    assert as_login("agent", "ticket", "assign", key, "lijun").exit_code == 0
    assert as_login("engineer", "ticket", "respond", key).exit_code == 0
    assert as_login("engineer", "ticket", "onsite", key, "--reason", "更换电池").exit_code == 0
    as_manager = as_login("agent", "--as", "zhoujian", "ticket", "deny", key, "--reason", "冒充经理")
    assert as_manager.exit_code == 4 and "acts as wangfang, not zhoujian" in as_manager.stderr
    (home / "config.toml").write_text('user = "zhoujian"\n', encoding="utf-8")
    assert as_login("agent", "ticket", "deny", key, "--reason", "改了配置").exit_code == 4
    assert as_login("engineer", "ticket", "approve", key).exit_code == 4  # nobody decides their own request
    (home / "config.toml").write_text("", encoding="utf-8")
    assert as_login("agent", "ticket", "approve", key).exit_code == 0  # in contract: the agent decides
    assert (
        json.loads(as_login("agent", "ticket", "show", key, "--json").stdout)["approvals"][0]["decided_by"]
        == "wangfang"
    )

    # A login bound to nobody reads nothing new into history; an admin may act for someone, on record.
    unbound = as_login("nobody", "ticket", "comment", key, "路过")
    assert unbound.exit_code == 4 and "is not bound to a person" in unbound.stderr
    assert as_login("admin", "--as", "lijun", "ticket", "comment", key, "代为记录").exit_code == 0
    event = last_event(use_db)
    assert event["actor"] == "lijun" and event["ran_by"].endswith("(admin admin for lijun)")

    # A login granted reading only: it reads, and a write is refused in one line.
    assert as_login("reader", "ticket", "show", key).exit_code == 0
    reader = as_login("reader", "ticket", "comment", key, "只读")
    assert reader.exit_code == 6 and "cannot be written with these rights" in reader.stderr
    assert len(reader.stderr.strip().splitlines()) == 1

    # History cannot be rewritten by the desk's logins, and the chain still holds.
    engine = create_engine(logins["agent"])
    with engine.connect() as conn, pytest.raises(Exception, match="permission denied"):
        conn.execute(text("UPDATE event SET actor = 'zhoujian'"))
    engine.dispose()
    monkeypatch.setenv("XHSVC_DB", use_db)
    assert desk_cli.json("db", "verify")["intact"]
