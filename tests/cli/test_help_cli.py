"""Help that teaches: every command shows examples that parse and name what the demo has,
placeholders that say what goes there, summaries that fit at 80 columns; and TAB completes keys,
people and statuses."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer

from tests.cli.conftest import Cli
from xhsvc.cli.helptext import width
from xhsvc.cli.main import app

# `import` and `export` are being reworked elsewhere; their examples come with that work.
WITHOUT_EXAMPLES: set[tuple[str, ...]] = set()
# What Typer shows for a value's Python type when no placeholder is set.
PYTHON_TYPES = re.compile(r"<(str|int|float|bool|path|datetime)>|list\[")


def walk() -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command and group under the root, with its path (`("ticket", "open")`)."""
    root = typer.main.get_command(app)
    ctx = typer.Context(root, info_name="xhsvc", help_option_names=["-h", "--help"])

    def under(command: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
        yield path, command
        if hasattr(command, "list_commands"):
            for name in command.list_commands(ctx):
                yield from under(command.get_command(ctx, name), (*path, name))

    yield from under(root, ())


def runnable() -> list[tuple[tuple[str, ...], Any]]:
    """What a user runs: every command, and a group that does something alone (`xhsvc sync`)."""
    return [
        (path, command)
        for path, command in walk()
        if path and (not hasattr(command, "commands") or command.invoke_without_command)
    ]


def examples(command: Any) -> list[str]:
    """The lines of the help's Examples paragraph, a line continued with `\\` joined to the next."""
    lines = (command.help or "").splitlines()
    if "Examples:" not in [line.strip() for line in lines]:
        return []
    start = [line.strip() for line in lines].index("Examples:") + 1
    found: list[str] = []
    pending = ""
    for line in lines[start:]:
        if not line.strip():
            break
        text = pending + line.strip()
        if text.endswith("\\"):
            pending = text[:-1]
        else:
            found.append(text)
            pending = ""
    return found


def argv(line: str) -> list[str]:
    """The arguments an example gives `xhsvc`, as the shell would split them (comments, pipes
    and redirections left out)."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    tokens = list(lexer)
    args: list[str] = []
    for token in tokens[tokens.index("xhsvc") + 1 :]:
        if token in ("|", "<", ">", ";", "&&", "||"):
            break
        args.append(token)
    return args


def parse(args: list[str]) -> Any:
    """The context of the command `args` runs, parsed strictly as a run would (an unknown option,
    a missing value or argument, a bad number or a stray word is an error) but not invoked.
    Click's resilient parsing would let those pass, so it is not used here."""
    ctx = typer.main.get_command(app).make_context("xhsvc", list(args))
    while hasattr(ctx.command, "commands") and ctx._protected_args:
        name, command, rest = ctx.command.resolve_command(ctx, [*ctx._protected_args, *ctx.args])
        ctx = command.make_context(name, rest, parent=ctx)
    return ctx


def render(cli: Cli, *args: str) -> str:
    result = cli(*args, "--help")
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.fixture
def columns_80(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")


# Examples ---------------------------------------------------------------------------------------


def test_every_command_has_examples() -> None:
    missing = [" ".join(path) for path, command in runnable() if not examples(command)]
    assert sorted(missing) == sorted(" ".join(p) for p in WITHOUT_EXAMPLES)


def test_every_example_parses_as_the_command_it_documents() -> None:
    checked = 0
    for path, command in runnable():
        for line in examples(command):
            args = argv(line)
            try:
                ctx = parse(args)
            except Exception as e:
                pytest.fail(f"xhsvc {' '.join(path)}: example does not parse: {line}\n  {e}")
            assert ctx.command_path == " ".join(("xhsvc", *path)), line
            assert "--help" not in args and "-h" not in args, line
            checked += 1
    assert checked > 150


def test_a_typo_in_an_example_would_fail() -> None:
    for bad in (
        ["ticket", "opne", "-c", "x", "-t", "y"],
        ["ticket", "open", "--custmer", "x", "-t", "y"],
        ["ticket", "open", "-t", "y"],
        ["ticket", "list", "--limit", "ten"],
        ["ticket", "show", "XH-000012", "extra"],
    ):
        with pytest.raises(Exception):  # noqa: B017 - whatever click raises for it
            parse(bad)


def test_examples_show_whole_at_80_columns(cli: Cli, columns_80: None) -> None:
    """Examples are kept as written (click's \\b), each line within 80 columns."""
    for path, command in runnable():
        if not examples(command):
            continue
        shown = render(cli, *path)
        block = shown.split("Examples:\n", 1)[1].split("\n\n", 1)[0].splitlines()
        for line in block:
            assert line.startswith("    "), (path, line)
            assert width(line) <= 80, (path, line)


def test_examples_name_what_the_demo_has(cli: Cli) -> None:
    """Ticket keys, people, customers, contracts, visits, statuses, levels ... in the examples
    are those of `xhsvc demo`: each is among what completion offers for it there."""
    assert cli("demo").exit_code == 0
    checked = 0
    for path, command in runnable():
        for line in examples(command):
            ctx = parse(argv(line))
            while ctx is not None:
                for param in ctx.command.params:
                    if getattr(param, "_custom_shell_complete", None) is None:
                        continue
                    value = ctx.params.get(param.name)
                    for one in value if isinstance(value, list | tuple) else [value]:
                        if one in (None, ""):
                            continue
                        offered = [item.value for item in param.shell_complete(ctx, one)]
                        assert one in offered, f"xhsvc {' '.join(path)}: {one!r} is not in the demo: {line}"
                        checked += 1
                ctx = ctx.parent
    assert checked > 80


# Placeholders and summaries ---------------------------------------------------------------------


def test_no_help_shows_a_python_type(cli: Cli, columns_80: None) -> None:
    for path, _command in walk():
        shown = render(cli, *path)
        found = PYTHON_TYPES.search(shown)
        assert found is None, f"xhsvc {' '.join(path)} -h shows {found.group(0)!r}:\n{shown}"


def test_placeholders_name_what_goes_there(cli: Cli, columns_80: None) -> None:
    shown = render(cli, "ticket", "open")
    assert "-c, --customer CUSTOMER" in shown
    assert "--impact IMPACT" in shown
    assert "--reported-at WHEN" in shown
    shown = render(cli, "ticket", "escalate")
    assert "Usage: xhsvc ticket escalate [OPTIONS] {KEY}" in shown
    assert re.search(r"^  KEY +Ticket key", shown, re.M)
    assert "--to TIER" in shown
    assert "--asset ASSET" in render(cli, "contract", "add")
    assert "--db URL" in render(cli)
    assert "--as PERSON" in render(cli)
    assert "--report FILE" in render(cli, "ticket", "close")
    # A metavar set in a declaration is kept.
    assert re.search(r"^  ID +The person", render(cli, "person", "bind"), re.M)


def test_summaries_fit_at_80_columns(cli: Cli, columns_80: None) -> None:
    groups = [path for path, command in walk() if hasattr(command, "commands")]
    assert len(groups) > 15
    for path in groups:
        shown = render(cli, *path)
        listing = shown.split("Commands:\n", 1)[1].rstrip("\n").splitlines()
        for line in listing:
            # One line a command: a summary that was wrapped would leave a line starting blank.
            assert re.match(r"^  [a-z]", line), (path, line)
            assert not line.rstrip().endswith("..."), (path, line)
            assert width(line) <= 80, (path, line)


def test_summary_is_the_first_sentence_shortened() -> None:
    from xhsvc.cli.helptext import summary

    assert summary("Record a call. Impact 1 tells every manager.", 60) == "Record a call."
    assert summary("Service type, e.g. remote. More.", 60) == "Service type, e.g. remote."
    assert summary("Request work; it waits (tier 2 needs the manager).", 30) == "Request work; it waits."
    assert summary("Request work; it waits (tier 2 needs the manager).", 15) == "Request work."
    assert summary("Is it covered, and why (not)? Exit 0 either way.", 60) == "Is it covered, and why (not)?"


# Completion -------------------------------------------------------------------------------------


def complete(cli: Cli, line: str) -> list[str]:
    """What bash is offered for the last word of `line` (Typer's completion protocol)."""
    words = line.split(" ")
    result = cli.runner.invoke(
        app,
        [],
        env={"_XHSVC_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": str(len(words) - 1)},
        prog_name="xhsvc",
    )
    assert result.exit_code == 0, result.output
    assert not result.stderr
    return result.stdout.split()


def test_completion_offers_keys_people_customers_and_vocabularies(cli: Cli) -> None:
    assert cli("demo").exit_code == 0
    keys = complete(cli, "xhsvc ticket show XH-00001")
    assert set(keys) == {f"XH-0000{n}" for n in range(10, 20)}
    # Keys are taken in any case: offered in the case typed.
    assert "xh-000012" in complete(cli, "xhsvc rules explain xh-00001")
    assert set(complete(cli, "xhsvc ticket assign XH-000024 li")) == {"lijun", "liuyang"}
    assert "zhoujian" in complete(cli, "xhsvc --as zh")
    assert "sla-sweep" not in complete(cli, "xhsvc ticket list --assignee ")
    assert complete(cli, "xhsvc ticket list --status in") == ["in_progress"]
    assert complete(cli, "xhsvc ticket list --priority ") == ["P1", "P2", "P3", "P4"]
    assert complete(cli, "xhsvc ticket escalate XH-000020 --to ") == ["L1", "L2", "L3"]
    assert complete(cli, "xhsvc ticket open -c 浙江") == ["浙江省第一人民医院"]
    assert "HT-2025-0101" in complete(cli, "xhsvc contract show HT-2025-01")
    assert "XH-V00013" in complete(cli, "xhsvc visit report XH-V")
    assert {"gold", "platinum"} <= set(complete(cli, "xhsvc sla due --level "))
    assert "dr_drill" in complete(cli, "xhsvc visit add --kind ")
    assert complete(cli, "xhsvc visit list --status comp") == ["completed"]


def test_completion_without_a_database_offers_nothing_and_creates_nothing(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "none" / "xhsvc.db"
    monkeypatch.setenv("XHSVC_DB", f"sqlite:///{missing}")
    assert complete(cli, "xhsvc ticket show XH-") == []
    assert not missing.parent.exists()
    # Vocabularies need no database.
    assert complete(cli, "xhsvc ticket list --tier L") == ["L1", "L2", "L3"]


def test_completion_survives_a_broken_config(cli: Cli, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XHSVC_DB")
    (home / "config.toml").write_text("db = [broken\n", encoding="utf-8")
    assert complete(cli, "xhsvc ticket show XH-") == []
    assert complete(cli, "xhsvc person list --role ag") == ["agent"]


def test_completion_is_imported_only_when_completing() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from xhsvc.cli.main import COMMANDS, _build\n"
        "for name in COMMANDS: _build(name)\n"
        "print(any(m.startswith('xhsvc.core.completion') for m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
