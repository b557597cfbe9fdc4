"""`xhsvc batch`: many commands in one process, for nightly jobs and scripts.

Each line of stdin is one command, as a JSON array of the arguments that would follow `xhsvc`
(`["--as", "lijun", "ticket", "comment", "XH-000012", "已到场"]`) or an object
`{"id": ..., "args": [...]}`; each gets one JSON result line on stdout, in order. A command runs
exactly as it would alone (its own transaction, its own exit status), on a database opened once.
"""

from __future__ import annotations

import io
import json
import sys
from contextlib import redirect_stderr, redirect_stdout
from typing import Annotated, Any

import typer

from xhsvc.cli.common import state
from xhsvc.cli.global_options import Globals
from xhsvc.core.text import json_safe
from xhsvc.i18n import _

# Commands that make no sense inside a batch: the dashboard needs a terminal, and a batch is one.
REFUSED = {"batch", "tui"}
# The global options that take a value (see cli/main.py).
VALUED_OPTIONS = {"--db", "--as"}


class _BadLine(ValueError):
    pass


def _arguments(line: str) -> tuple[Any, list[str]]:
    """The line's id (if it gave one) and its arguments."""
    try:
        parsed = json.loads(line)
    except json.JSONDecodeError as e:
        raise _BadLine(
            _("not JSON ({error} at column {column})").format(error=e.msg, column=e.colno)
        ) from None
    ident = None
    if isinstance(parsed, dict):
        ident = parsed.get("id")
        parsed = parsed.get("args")
    if not isinstance(parsed, list) or not parsed or not all(isinstance(a, str) for a in parsed):
        raise _BadLine(_('expected a non-empty JSON array of strings, or {"id": ..., "args": [...]}'))
    if _command_of(parsed) in REFUSED:
        raise _BadLine(_("`{command}` cannot run inside a batch").format(command=_command_of(parsed)))
    return ident, parsed


def _command_of(argv: list[str]) -> str | None:
    """The command a line runs: its first argument that is neither a global option nor the
    value of one (`--as lijun`, `--db URL`)."""
    rest = iter(argv)
    for arg in rest:
        if arg in VALUED_OPTIONS:
            next(rest, None)
        elif not arg.startswith("-"):
            return arg
    return None


def _run_one(root: Any, argv: list[str], globals_: Globals) -> tuple[int, str, str]:
    """Run one command as `xhsvc ARGV` would: its exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    saved_stdin = sys.stdin
    # A command of the batch reads nothing from the batch's own input.
    sys.stdin = io.StringIO("")
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = root.main(args=argv, prog_name="xhsvc", standalone_mode=False, obj=globals_)
                code = code if isinstance(code, int) else 0
            except typer.Exit as done:
                code = done.exit_code
            except typer.Abort:
                code = 1
            except typer.TyperException as e:  # a usage error: what `xhsvc` alone would print
                e.show()  # type: ignore[attr-defined]
                code = getattr(e, "exit_code", 2)
            except Exception as e:  # a bug: reported in its result, the batch goes on
                err.write(
                    _("error: internal error: {kind}: {error}").format(kind=type(e).__name__, error=e) + "\n"
                )
                code = 1
    finally:
        sys.stdin = saved_stdin
    return code, out.getvalue(), err.getvalue()


def _output(text: str) -> Any:
    """What a command printed: its JSON as JSON (for `--json`), otherwise the text."""
    stripped = text.strip()
    if stripped[:1] in ("{", "["):
        try:
            return json.loads(stripped)
        except json.JSONDecodeError:
            pass
    return text


def batch(
    ctx: typer.Context,
    stop_on_error: Annotated[
        bool, typer.Option("--stop-on-error", help="Stop at the first command that fails.")
    ] = False,
) -> None:
    """Run commands read from stdin, one per line, in one process; print one JSON result per line.

    A line is a JSON array of the arguments after `xhsvc`, or {"id": ..., "args": [...]}.
    A result is {"line", "id", "args", "exit", "output", "error"}: `output` is the command's
    JSON when it printed JSON (give `--json`), else its text. Each command has its own
    transaction: one that fails writes nothing and the others go on. Exit status 0 when every
    command succeeded, 1 when any failed.

    \b
    Examples:
      echo '["ticket", "list", "--json"]' | xhsvc batch
      xhsvc batch --stop-on-error < nightly-actions.jsonl
    """
    root = ctx.find_root().command
    outer = state(ctx)
    opened: dict[str, Any] = {}
    failed = 0
    try:
        for number, line in enumerate(sys.stdin, start=1):
            if not line.strip():
                continue
            result: dict[str, Any] = {"line": number, "id": None, "args": None}
            try:
                result["id"], argv = _arguments(line)
            except _BadLine as bad:
                code, out, err = 2, "", _("error: line {line}: {problem}").format(line=number, problem=bad)
            else:
                result["args"] = argv
                globals_ = Globals(db=outer.db, as_person=outer.as_person, opened=opened)
                code, out, err = _run_one(root, argv, globals_)
            result.update(exit=code, output=_output(out), error=err.strip() or None)
            # Stored text reaches the result: escaped, never acted on by a terminal reading it.
            sys.stdout.write(json_safe(json.dumps(result, ensure_ascii=False, default=str)) + "\n")
            sys.stdout.flush()
            if code != 0:
                failed += 1
                if stop_on_error:
                    break
    finally:
        for context in opened.values():
            context.db.dispose()
    if failed:
        raise typer.Exit(1)
