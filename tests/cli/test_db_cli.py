"""`xhsvc db verify|backup|restore|rebuild` as an admin or a nightly job runs them."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.cli.conftest import Cli
from tests.conftest import CUSTOMER, backend
from xhsvc.store.db import open_database


def test_backup_and_restore_through_the_command(desk_cli: Cli, tmp_path: Path, use_db: str) -> None:
    if backend() == "postgresql":
        # A server's database is copied with its own tool; xhsvc says which, and writes nothing.
        refused = desk_cli("db", "backup", str(tmp_path / "backup.db"))
        assert refused.exit_code == 4 and "pg_dump --format=custom" in refused.stderr
        assert not (tmp_path / "backup.db").exists()
        assert desk_cli("db", "restore", str(tmp_path / "x.dump"), "--yes").exit_code == 4
        return
    key = desk_cli("ticket", "open", "--customer", CUSTOMER, "--title", "阵列告警").stdout.strip()
    copy = tmp_path / "backup.db"
    saved = desk_cli("db", "backup", str(copy))
    assert saved.exit_code == 0, saved.stderr
    assert stat.S_IMODE(os.stat(copy).st_mode) == 0o600
    assert desk_cli("db", "backup", str(copy)).exit_code == 5  # never overwrites
    node_before = open_database(use_db).node_id
    desk_cli("ticket", "comment", key, "备份之后的记录")

    # A broken backup is refused, and the database stays as it was.
    broken = tmp_path / "broken.db"
    broken.write_bytes(copy.read_bytes())
    engine = create_engine(f"sqlite:///{broken}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE event SET actor = 'zhoujian' WHERE seq = 3"))
    engine.dispose()
    refused = desk_cli("db", "restore", str(broken), "--yes")
    assert refused.exit_code == 5 and "is broken at node" in refused.stderr
    assert "备份之后的记录" in desk_cli("ticket", "history", key).stdout
    assert desk_cli("db", "restore", str(tmp_path / "none.db"), "--yes").exit_code == 2
    (tmp_path / "junk.db").write_text("not a database")
    junk = desk_cli("db", "restore", str(tmp_path / "junk.db"), "--yes")
    assert junk.exit_code == 2 and len(junk.stderr.strip().splitlines()) == 1
    assert desk_cli("db", "restore", str(copy)).exit_code == 4  # no terminal to confirm, no --yes

    restored = desk_cli.json("db", "restore", str(copy), "--yes")
    assert restored["old_node"] == node_before and restored["node"] != node_before
    assert "备份之后的记录" not in desk_cli("ticket", "history", key).stdout
    desk_cli("ticket", "comment", key, "恢复之后的记录")
    verdict = desk_cli.json("db", "verify")
    assert verdict["intact"] and verdict["nodes"] == 2  # the restored copy writes as a new node
