from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from xhsvc.cli.main import app


class Cli:
    """Runs `xhsvc ARGS` in-process against the test's database."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None) -> Any:
        return self.runner.invoke(app, list(args), input=input, catch_exceptions=False)

    def json(self, *args: str) -> Any:
        result = self(*args, "--json")
        assert result.exit_code == 0, result.stderr or result.stdout
        return json.loads(result.stdout)


@pytest.fixture
def cli(use_db: str) -> Cli:
    return Cli()


@pytest.fixture
def desk_cli(cli: Cli) -> Cli:
    """The CLI on a database with a small desk, acting as the agent wangfang by default."""
    from tests.conftest import CONTRACT, CUSTOMER, DESK

    assert cli("init", "--id", "admin", "--name", "系统管理员", "--role", "admin").exit_code == 0
    for spec in DESK[1:]:
        args = [
            "--as",
            "admin",
            "person",
            "add",
            spec["handle"],
            "--name",
            spec["name"],
            "--role",
            spec["role"],
        ]
        if "tier" in spec:
            args += ["--tier", spec["tier"]]
        result = cli(*args)
        assert result.exit_code == 0, result.stderr
    assert cli("config", "set", "user", "wangfang").exit_code == 0
    assert cli("customer", "add", CUSTOMER, "--region", "杭州").exit_code == 0
    # A contract that covers the calls of these tests, whenever they run.
    added = cli("contract", "add", CONTRACT, "--customer", CUSTOMER, "--level", "gold",
                "--start", "2020-01-01", "--end", "2099-12-31")  # fmt: skip
    assert added.exit_code == 0, added.stderr
    return cli
