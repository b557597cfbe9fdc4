"""Plain options are read without pydantic, and read exactly as Typer reads them."""

from __future__ import annotations

from typing import Any

import pytest
import typer

from xhsvc.cli.main import COMMANDS, _build, app
from xhsvc.cli.params import plain_command

coercion = pytest.importorskip("typer._coercion", reason="this Typer reads options without pydantic")

SAMPLES: dict[type, list[Any]] = {
    bool: [True, False],
    str: ["abc", "陈主任", " spaced ", "", "42"],
    int: ["42", "-3", "+7", "0", 10],
    float: ["2.5", "3", "-0.5", ".5", 3.0, 3],
}
BAD: dict[type, list[str]] = {int: ["4x", "1.5", ""], float: ["x", "1,5", ""]}


def all_params() -> list[Any]:
    root = typer.main.get_command(app)
    context = typer.Context(root, help_option_names=["-h", "--help"])
    found: list[Any] = []

    def walk(command: Any) -> None:
        found.extend(command.params)
        found.append(command.get_help_option(context))
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    for name in COMMANDS:
        command = _build(name)
        plain_command(command, context)
        walk(command)
    return [p for p in found if p is not None]


def test_nearly_every_option_is_plain() -> None:
    params = all_params()
    plain = [p for p in params if type(p._runtime_param).__name__ == "PlainParam"]
    others = {str(p.type_descriptor.annotation) for p in params if p not in plain}
    # Paths keep Typer's reading (it checks them); the rest is text, numbers and flags.
    assert others <= {"<class 'pathlib.Path'>"}
    assert len(plain) > 300


def test_a_plain_option_reads_as_typer_would() -> None:
    for param in all_params():
        mine = param._runtime_param
        if type(mine).__name__ != "PlainParam":
            continue
        typers = coercion.build_runtime_param(param.type_descriptor)
        annotation = param.type_descriptor.annotation
        repeated = getattr(annotation, "__origin__", None) is list
        kind = annotation.__args__[0] if repeated else annotation
        for value in SAMPLES[kind]:
            given = [value, value] if repeated else value
            ours = mine._coerce_value(given, param=param, ctx=None)
            theirs = typers._coerce_value(given, param=param, ctx=None)
            assert ours == theirs and type(ours) is type(theirs), (param.name, value)
        param._runtime_param = mine


def test_a_value_that_is_not_plain_gets_typers_own_error(cli: Any) -> None:
    for value in BAD[int]:
        result = cli("ticket", "list", "--limit", value)
        assert result.exit_code == 2
        assert "Invalid value for '--limit'" in result.stderr
    result = cli("tui", "--refresh", "soon")
    assert result.exit_code == 2 and "Invalid value for '--refresh'" in result.stderr
