"""What goes wrong around the database and the files gets its documented exit code and one line on
stderr, never a traceback, and writes nothing; what xhsvc creates only its owner may read."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from tests.cli.conftest import Cli
from tests.conftest import CUSTOMER, MakeCtx, backend
from xhsvc.core import customers
from xhsvc.errors import Conflict
from xhsvc.store.tables import Customer, Event

sqlite_only = pytest.mark.skipif(backend() != "sqlite", reason="a SQLite file's own failures")


def one_line(result, code: int, words: str) -> None:
    assert result.exit_code == code, (result.exit_code, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert words in lines[0], lines[0]


def event_count(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(Event.__table__)).scalar_one()
    engine.dispose()
    return count


def test_files_are_the_owners_alone(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cli = Cli()
    data = tmp_path / "fresh" / "data"
    monkeypatch.setenv("XHSVC_DB", f"sqlite:///{data / 'xhsvc.db'}")
    assert cli("init", "--id", "admin", "--name", "系统管理员", "--role", "admin").exit_code == 0
    assert cli("ticket", "list").exit_code == 0
    assert stat.S_IMODE(os.stat(data).st_mode) == 0o700
    for name in ("xhsvc.db", "xhsvc.db-wal", "xhsvc.db-shm"):
        if (data / name).exists():
            assert stat.S_IMODE(os.stat(data / name).st_mode) == 0o600, name
    assert stat.S_IMODE(os.stat(home / "config.toml").st_mode) == 0o600


@sqlite_only
def test_a_database_that_cannot_be_used(desk_cli: Cli, use_db: str, tmp_path: Path, monkeypatch) -> None:
    regular = tmp_path / "plain-file"
    regular.write_text("x")
    monkeypatch.setenv("XHSVC_DB", f"sqlite:///{regular / 'xhsvc.db'}")
    one_line(desk_cli("ticket", "list"), 6, "is not a folder")
    junk = tmp_path / "junk.db"
    junk.write_text("not a database at all")
    monkeypatch.setenv("XHSVC_DB", f"sqlite:///{junk}")
    one_line(desk_cli("ticket", "list"), 6, "file is not a database")
    path = use_db.removeprefix("sqlite:///")
    monkeypatch.setenv("XHSVC_DB", f"sqlite:///file:{path}?mode=ro&uri=true")
    before = event_count(use_db)
    one_line(desk_cli("customer", "add", "只读客户"), 6, "cannot be written")
    assert event_count(use_db) == before


@pytest.mark.parametrize(
    ("stamp", "says"),
    [
        ("DELETE FROM alembic_version", "says nothing"),
        ("UPDATE alembic_version SET version_num = '0003'", "says 0003"),
    ],
)
def test_a_schema_record_that_does_not_match_the_tables(
    desk_cli: Cli, use_db: str, stamp: str, says: str
) -> None:
    engine = create_engine(use_db)
    with engine.begin() as conn:
        conn.execute(text(stamp))
    engine.dispose()
    one_line(desk_cli("ticket", "list"), 6, f"schema record {says} but its tables do not match")


@sqlite_only
def test_a_command_behind_a_long_writer_says_the_database_is_busy(
    desk_cli: Cli, use_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    monkeypatch.setattr("xhsvc.store.db.BUSY_TIMEOUT_MS", 300)
    holder = sqlite3.connect(use_db.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        before = event_count(use_db)
        one_line(desk_cli("customer", "add", "排队客户"), 6, "the database is busy")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert event_count(use_db) == before
    assert desk_cli("customer", "add", "排队客户").exit_code == 0  # and it goes through afterwards


def test_config_and_rules_not_in_utf8(desk_cli: Cli, home: Path) -> None:
    (home / "rules.toml").write_bytes("# 规则\n".encode("gbk"))
    one_line(desk_cli("sla", "sweep"), 2, "rules.toml: not UTF-8 text")
    (home / "rules.toml").unlink()
    config = home / "config.toml"
    config.write_bytes(config.read_bytes() + "# 注释\n".encode("gbk"))
    one_line(desk_cli("ticket", "list"), 2, "config.toml: not UTF-8 text")


def test_a_level_named_in_config_must_exist(desk_cli: Cli, home: Path, use_db: str) -> None:
    one_line(
        desk_cli("config", "set", "sla.out_of_contract_level", "bronze"), 2, "'bronze' is not a service level"
    )
    assert "bronze" not in (home / "config.toml").read_text(encoding="utf-8")
    with (home / "config.toml").open("a", encoding="utf-8") as f:
        f.write('\n[sla]\nout_of_contract_level = "bronze"\n')
    before = event_count(use_db)
    one_line(
        desk_cli("ticket", "open", "--customer", CUSTOMER, "--title", "t"), 2, "sla.out_of_contract_level"
    )
    assert event_count(use_db) == before  # no ticket without clocks


def test_a_sweep_ahead_of_the_clock_needs_force(desk_cli: Cli, use_db: str) -> None:
    desk_cli("ticket", "open", "--customer", CUSTOMER, "--title", "阵列告警", "--impact", "1")
    before = event_count(use_db)
    one_line(
        desk_cli("sla", "sweep", "--now", "2199-01-01 00:00"), 2, "use --dry-run to look, --force to write"
    )
    assert event_count(use_db) == before
    looked = desk_cli.json("sla", "sweep", "--now", "2199-01-01 00:00", "--dry-run")
    assert looked["breached"] and event_count(use_db) == before
    assert desk_cli.json("sla", "sweep", "--now", "2199-01-01 00:00", "--force")["breached"]
    assert event_count(use_db) > before


def test_people_adding_the_same_customer_at_once_get_one_record_and_conflicts(desk: MakeCtx) -> None:
    outcomes: list[str] = []

    def add() -> None:
        try:
            customers.add_customer(desk("wangfang"), name="同时新建的客户")
            outcomes.append("added")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=add) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["added", "conflict", "conflict", "conflict"]
    with desk("wangfang").reading() as tx:
        count = tx.conn.execute(
            select(func.count())
            .select_from(Customer.__table__)
            .where(Customer.__table__.c.name == "同时新建的客户")
        ).scalar_one()
    assert count == 1
