"""What a person reads goes through the catalog: no English prose is shown unmarked.

Read from the source (no xhsvc imported): in xhsvc/cli, tui, core and store, the text of every
error a user can cause and of every line the CLI or the dashboard shows must be marked for
translation. A text is marked when it is the first argument of `_`, `N_`, `ngettext` or
`pgettext` (the message of `pgettext`), or what `.format(...)` is called on such a call gives.
A text is unmarked when it is a string literal or an f-string with a letter (a-z, A-Z) in its
constant parts; it is looked for through `+`, `x if c else y`, `a or b`, `display(...)`,
`str(...)` and string methods, so that `say("  " + f"...")` is found too.

What is checked:
- errors: a call of XhsvcError or of a class of the package that inherits from it, directly or
  through others (InvalidInput, NotText, ...), and of a class of the package whose instances a
  handler turns into such an error or into a marked message (`except BadEvent as e: raise
  Conflict(...e...)`); every positional argument and `message=`;
- helpers that put a parameter into such an error (`source.error(keypath, message)` for config
  files): the argument given for that parameter, wherever the helper is called;
- what is shown: `say`, `echo`/`typer.echo`/`secho`, `warn`, `note`, `notify` (`self.notify`,
  `self.app.notify`, also its `title=`), `prompt`, `confirm`, `progress`, `confirm_irreversible`,
  the CLI's `_done`/`_show_after`, `print_table(..., empty=...)`, and in the dashboard `Static`,
  `Label`, `Button`, a `Binding`'s description and any `placeholder=`.

ALLOWED lists the genuine exceptions, each with its reason.
"""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "xhsvc"
CHECKED = ("cli", "tui", "core", "store", "config.py")

MARKERS = frozenset({"_", "N_", "ngettext", "pgettext"})
# Calls whose result is the text of their first argument, looked through.
WRAPPERS = frozenset({"display", "str"})
# String methods whose result is the text they are called on, looked through.
STRING_METHODS = frozenset(
    {"join", "strip", "lstrip", "rstrip", "upper", "lower", "capitalize", "title", "ljust", "rjust", "center"}
)

# Callee name -> position of the text it shows.
SHOWN_AT: dict[str, int] = {
    "say": 0,
    "echo": 0,
    "secho": 0,
    "warn": 0,
    "note": 0,
    "notify": 0,
    "prompt": 0,
    "confirm": 0,
    "progress": 0,
    "confirm_irreversible": 1,
    "_done": 3,
    "_show_after": 3,
    "Static": 0,
    "Label": 0,
    "Button": 0,
    "Binding": 2,
}
# Callee name -> keywords that carry shown text; None: that keyword in a call of any name.
SHOWN_KEYWORDS: dict[str | None, tuple[str, ...]] = {
    "say": ("message",),
    "echo": ("message",),
    "warn": ("message",),
    "note": ("message",),
    "notify": ("message", "title"),
    "prompt": ("text",),
    "confirm": ("text",),
    "print_table": ("empty",),
    "Binding": ("description",),
    None: ("placeholder",),
}

# The genuine exceptions: (file, the text as `ast.unparse` writes it) -> why.
ALLOWED: dict[tuple[str, str], str] = {
    # The program's name and version, as `--version` prints it for scripts.
    ("xhsvc/cli/main.py", "f'xhsvc {__version__}'"): "name and version",
    # A command line to run on the laptop: typed as it is, in any language.
    ("xhsvc/cli/sync.py", "f\"  xhsvc sync join {result['token']}\""): "command line",
    # An example of what the caller field takes (a phone, a name, a serial): data, not prose.
    ("xhsvc/tui/screens/intake.py", "'0571-8723 5001 / 华信 / XS8K-2024'"): "example input",
    # An example of the queue filter, in the syntax typed whatever the language (codes).
    ("xhsvc/tui/screens/queue.py", "'status=new tier=L2'"): "example input",
    # A translated button label followed by its key, named as the keyboard names it.
    ("xhsvc/tui/dialogs.py", "f'{self.ok} (y)'"): "key name",
    ("xhsvc/tui/dialogs.py", "f'{self.keep} (n)'"): "key name",
    ("xhsvc/tui/dialogs.py", "f'{self.ok} (ctrl+s)'"): "key name",
}


@dataclass(frozen=True)
class Hit:
    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text}"


def _name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _letters(node: ast.Constant | ast.JoinedStr, *, formatted: bool = False) -> bool:
    if isinstance(node, ast.Constant):
        text = node.value
        if formatted:  # "x {name}".format(...): the field names are no prose
            text = re.sub(r"\{[^{}]*\}", "", text)
    else:
        text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    return re.search(r"[A-Za-z]", text) is not None


def is_marked_call(node: ast.AST) -> bool:
    """`_("...")` and the like, or `.format(...)` on one."""
    if not isinstance(node, ast.Call):
        return False
    if _name(node.func) in MARKERS and isinstance(node.func, ast.Name):
        return True
    return (
        isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
        and is_marked_call(node.func.value)
    )


def unmarked(node: ast.AST | None, *, formatted: bool = False) -> Iterator[ast.AST]:
    """The unmarked texts with letters that `node` is made of."""
    if node is None:
        return
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str) and _letters(node, formatted=formatted):
            yield node
    elif isinstance(node, ast.JoinedStr):
        if _letters(node):
            yield node
    elif isinstance(node, ast.BinOp):
        yield from unmarked(node.left)
        yield from unmarked(node.right)
    elif isinstance(node, ast.IfExp):
        yield from unmarked(node.body)
        yield from unmarked(node.orelse)
    elif isinstance(node, ast.BoolOp):
        for value in node.values:
            yield from unmarked(value)
    elif isinstance(node, ast.Call) and not is_marked_call(node):
        func = node.func
        if isinstance(func, ast.Name) and func.id in WRAPPERS and node.args:
            yield from unmarked(node.args[0])
        elif isinstance(func, ast.Attribute) and func.attr == "format":
            yield from unmarked(func.value, formatted=True)
        elif isinstance(func, ast.Attribute) and func.attr in STRING_METHODS:
            yield from unmarked(func.value)


@dataclass
class Source:
    path: Path
    tree: ast.Module

    @property
    def relative(self) -> str:
        return self.path.relative_to(ROOT).as_posix() if self.path.is_relative_to(ROOT) else self.path.name


def sources(folders: Iterable[str] | None = None) -> list[Source]:
    roots = [PACKAGE] if folders is None else [PACKAGE / folder for folder in folders]
    files = sorted({p for root in roots for p in ([root] if root.is_file() else root.rglob("*.py"))})
    return [Source(p, ast.parse(p.read_text(encoding="utf-8"), filename=str(p))) for p in files]


def error_classes(package: list[Source]) -> set[str]:
    """XhsvcError and every class of the package that inherits from it, directly or not, and
    the classes whose instances a handler turns into one of them or into a marked message."""
    found = {"XhsvcError"}
    classes = {
        node.name: [_name(base) for base in node.bases]
        for source in package
        for node in ast.walk(source.tree)
        if isinstance(node, ast.ClassDef)
    }
    handlers = [
        node
        for source in package
        for node in ast.walk(source.tree)
        if isinstance(node, ast.ExceptHandler) and node.name and node.type is not None
    ]
    while True:
        grown = set(found)
        grown |= {name for name, bases in classes.items() if grown & set(bases)}
        for handler in handlers:
            caught = {
                _name(t)
                for t in (handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type])
            }
            if caught & set(classes) and not caught <= grown and _carries(handler, grown):
                grown |= caught & set(classes)
        if grown == found:
            return found
        found = grown


def _carries(handler: ast.ExceptHandler, errors: set[str]) -> bool:
    """Whether the handler puts the exception it caught into an error or a marked message."""
    for node in ast.walk(ast.Module(body=handler.body, type_ignores=[])):
        if isinstance(node, ast.Call) and (_name(node.func) in errors or is_marked_call(node)):  # noqa: SIM102
            if any(isinstance(n, ast.Name) and n.id == handler.name for n in ast.walk(node)):
                return True
    return False


def _passed_through(node: ast.AST) -> Iterator[str]:
    """The names whose text `node` is, unchanged or glued into an f-string or a `+` (a value
    put into `.format(...)` or handed to another call is no text of its own: it is not looked at)."""
    if isinstance(node, ast.Name):
        yield node.id
    elif isinstance(node, ast.JoinedStr):
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                yield from _passed_through(value.value)
    elif isinstance(node, ast.BinOp):
        yield from _passed_through(node.left)
        yield from _passed_through(node.right)
    elif isinstance(node, ast.IfExp):
        yield from _passed_through(node.body)
        yield from _passed_through(node.orelse)
    elif isinstance(node, ast.BoolOp):
        for value in node.values:
            yield from _passed_through(value)
    elif (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "str" and node.args
    ):
        yield from _passed_through(node.args[0])


def error_helpers(package: list[Source], errors: set[str]) -> dict[str, set[int]]:
    """Functions that make an error's text of one of their parameters as it is, unmarked (`def
    error(self, keypath, message): return InvalidInput(f"{where}: {message}")`): name -> the
    positions of those parameters in a call (`self` not counted)."""
    found: dict[str, set[int]] = {}
    for source in package:
        for fn in ast.walk(source.tree):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            params = [a.arg for a in [*fn.args.posonlyargs, *fn.args.args]]
            if params[:1] in (["self"], ["cls"]):
                params = params[1:]
            for node in ast.walk(fn):
                if isinstance(node, ast.Call) and _name(node.func) in errors:
                    # A text with prose of its own is found where it is written; here only the
                    # parameters that are the whole prose of the error.
                    used = {
                        name for arg in node.args if not any(unmarked(arg)) for name in _passed_through(arg)
                    }
                    positions = {i for i, param in enumerate(params) if param in used}
                    if positions:
                        found.setdefault(fn.name, set()).update(positions)
    return found


def _firsts(node: ast.AST, position: int) -> list[ast.AST]:
    """The labels of `[(label, value), ...]` (or headings of `[(key, heading), ...]`), and those
    of `((key, data[key]) for key in ("serial", "model"))`: there the keys are the labels."""
    if isinstance(node, ast.List | ast.Tuple):
        return [e.elts[position] for e in node.elts if isinstance(e, ast.Tuple) and len(e.elts) > position]
    if isinstance(node, ast.GeneratorExp | ast.ListComp) and isinstance(node.elt, ast.Tuple):
        label = node.elt.elts[position] if len(node.elt.elts) > position else None
        looped = node.generators[0]
        if (
            isinstance(label, ast.Name)
            and isinstance(looped.target, ast.Name)
            and label.id == looped.target.id
        ):
            return list(looped.iter.elts) if isinstance(looped.iter, ast.List | ast.Tuple) else []
    return []


def hits(checked: list[Source], package: list[Source]) -> list[Hit]:
    errors = error_classes(package)
    helpers = error_helpers(package, errors)
    found: list[Hit] = []
    for source in checked:
        for node in ast.walk(source.tree):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            texts: list[ast.AST] = []
            if name in errors:
                texts += node.args
                texts += [k.value for k in node.keywords if k.arg == "message"]
            texts += [arg for i, arg in enumerate(node.args) if i in helpers.get(name, ())]
            if name == "error" and isinstance(node.func, ast.Attribute):  # source.error(keypath, message)
                texts += node.args[1:]
            if name in SHOWN_AT and len(node.args) > SHOWN_AT[name]:
                texts.append(node.args[SHOWN_AT[name]])
            if name == "print_fields" and node.args:  # the labels
                texts += _firsts(node.args[0], 0)
            if name == "print_table" and len(node.args) > 1:  # the headings
                texts += _firsts(node.args[1], 1)
            keywords = (*SHOWN_KEYWORDS.get(name, ()), *SHOWN_KEYWORDS[None])
            texts += [k.value for k in node.keywords if k.arg in keywords]
            for text in texts:
                for bad in unmarked(text):
                    shown = ast.unparse(bad)
                    if (source.relative, shown) not in ALLOWED:
                        found.append(Hit(source.relative, bad.lineno, shown))
    return sorted(set(found), key=lambda h: (h.path, h.line, h.text))


def test_no_prose_is_shown_unmarked() -> None:
    package = sources()
    found = hits(sources(CHECKED), package)
    assert not found, f"{len(found)} text(s) shown unmarked (wrap in _(...)):\n" + "\n".join(map(str, found))


def test_every_allowed_exception_is_still_there() -> None:
    """An exception left in ALLOWED after its text changed would hide nothing, and say nothing."""
    written = {
        (source.relative, ast.unparse(node))
        for source in sources(CHECKED)
        for node in ast.walk(source.tree)
        if isinstance(node, ast.Constant | ast.JoinedStr)
    }
    assert set(ALLOWED) <= written, set(ALLOWED) - written


def test_the_check_finds_what_it_should(tmp_path: Path) -> None:
    """The check itself, on code written for it: each unmarked text is found, no marked one."""
    errors = tmp_path / "errors.py"
    errors.write_text("class XhsvcError(Exception): ...\nclass InvalidInput(XhsvcError): ...\n")
    code = tmp_path / "code.py"
    code.write_text(
        "class RowError(InvalidInput): ...\n"
        "class BadEvent(Exception): ...\n"
        "def error(self, keypath, message):\n"
        "    return InvalidInput(f'{keypath}: {message}')\n"
        "def convert():\n"
        "    try:\n"
        "        pass\n"
        "    except BadEvent as e:\n"
        "        raise InvalidInput(_('bad: {e}').format(e=e))\n"
        "def f(x):\n"
        "    raise InvalidInput(f'oops {x}')  # hit 1\n"
        "    raise RowError('row is bad')  # hit 2\n"
        "    raise BadEvent(f'event {x} lacks an id')  # hit 3\n"
        "    raise source.error(['a'], 'must be a table')  # hit 4\n"
        "    say(f'contract {x} added')  # hit 5\n"
        "    typer.echo(display(f'nothing matches {x!r}'), err=True)  # hit 6\n"
        "    self.app.notify('saved', title='Queue')  # hits 7, 8\n"
        "    print_table([], [], empty=f'no contract ends within {x}')  # hit 9\n"
        "    say('  ' + 'contract {n}'.format(n=x))  # hit 10\n"
        "    warn(x or 'never')  # hit 11\n"
        "    print_fields([('serial', x), (N_('model'), x)])  # hit 12\n"
        "    print_fields((k, x[k]) for k in ('handle', 'name'))  # hits 13, 14\n"
        "    print_table([], [('key', 'KEY'), ('mark', '!'), ('name', N_('NAME'))], empty='')  # hit 15\n"
        "    raise InvalidInput(_('oops {x}').format(x=x))\n"
        "    say(_('contract {x} added').format(x=x))\n"
        "    say('  ' + _('site {x}').format(x=x))\n"
        "    print_table([], [], empty=N_('no visits'))\n"
        "    say(f'{x}  {x}: 1.5')\n"
        "    raise ValueError(f'internal {x}')\n"
    )
    package = [Source(p, ast.parse(p.read_text())) for p in (errors, code)]
    found = hits(package[1:], package)
    lines = [h.line for h in found]
    assert lines == [11, 12, 13, 14, 15, 16, 17, 17, 18, 19, 20, 21, 22, 22, 23], "\n".join(map(str, found))


def _messages(call: ast.Call) -> list[ast.AST]:
    """The English a marking call is given: the message (pgettext: after its context), both
    forms of ngettext."""
    name = _name(call.func)
    return call.args[1:2] if name == "pgettext" else call.args[:2] if name == "ngettext" else call.args[:1]


def _fields(text: str) -> set[str]:
    return {
        field.split(".")[0].split("[")[0]
        for _, field, _, _ in string.Formatter().parse(text)
        if field is not None
    }


def malformed(checked: list[Source]) -> list[str]:
    """Marked messages that are not one fixed English text with named placeholders, each given
    to `.format`."""
    found = []
    for source in checked:
        for node in ast.walk(source.tree):
            if not isinstance(node, ast.Call):
                continue
            if isinstance(node.func, ast.Name) and node.func.id in MARKERS:
                for message in _messages(node):
                    if isinstance(message, ast.JoinedStr):
                        found.append(f"{source.relative}:{node.lineno}: f-string in {node.func.id}()")
                    elif (
                        isinstance(message, ast.Constant)
                        and isinstance(message.value, str)
                        and any(f == "" or f.isdigit() for f in _fields(message.value))
                    ):
                        found.append(f"{source.relative}:{node.lineno}: positional placeholder")
            elif (
                isinstance(node.func, ast.Attribute)
                and node.func.attr == "format"
                and is_marked_call(node.func.value)
            ):
                given = {k.arg for k in node.keywords}
                if None in given or not isinstance(node.func.value.func, ast.Name):
                    continue  # `**values`: checked where the values are made
                for message in _messages(node.func.value):
                    if isinstance(message, ast.Constant) and isinstance(message.value, str):
                        missing = _fields(message.value) - given - {""}
                        if missing:
                            found.append(f"{source.relative}:{node.lineno}: no value for {sorted(missing)}")
    return sorted(found, key=lambda line: (line.split(":")[0], int(line.split(":")[1])))


def test_marked_messages_are_well_formed(tmp_path: Path) -> None:
    """No f-string inside `_()` (it would never be found in the catalog), no `{}` or `{0}` (the
    translator could not tell them apart nor reorder them), no placeholder left without a value
    (a KeyError where the message is shown)."""
    found = malformed(sources(CHECKED))
    assert not found, "\n".join(found)
    code = tmp_path / "code.py"
    code.write_text(
        "_(f'oops {x}')\n"
        "_('{} and {}').format(a, b)\n"
        "_('{ticket} assigned to {person}').format(ticket=key)\n"
        "_('{ticket} assigned to {person!r:>8}').format(ticket=key, person=who)\n"
        "ngettext('{count} ticket', '{count} tickets', n).format(count=n)\n"
        "pgettext('clock', 'site')\n"
        "_('{kind} requested by {who}').format(**values)\n"
    )
    assert [line.split(": ", 1)[0] for line in malformed([Source(code, ast.parse(code.read_text()))])] == [
        "code.py:1",
        "code.py:2",
        "code.py:3",
    ]
