"""Usage errors (a missing option, an unknown one, a value of the wrong type) said as every other
bad input is: one line on stderr, in the interface's language, naming where the command's options
are listed; exit code 2 as before.

Typer words these errors itself, in English and without gettext (it carries its own copy of
Click): the sentences it uses are read back here, as `contracts.explain_note` reads a stored note,
and said again through the catalog. A sentence not known here is shown as Typer wrote it."""

from __future__ import annotations

import re
from typing import Any

import typer

from xhsvc.i18n import N_, _

# Typer's sentences, each with the words it fills in; in English the catalog's sentence is Typer's.
SENTENCES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"Missing option '(?P<name>[^']+)'\."), N_("Missing option '{name}'.")),
    (re.compile(r"Missing argument '(?P<name>[^']+)'\."), N_("Missing argument '{name}'.")),
    (
        re.compile(r"No such option: (?P<name>\S+) \(Possible options: (?P<options>.+)\)"),
        N_("No such option: {name} (Possible options: {options})"),
    ),
    (re.compile(r"No such option: (?P<name>\S+)"), N_("No such option: {name}")),
    (re.compile(r"Got unexpected extra argument(?:s|\(s\))? \((?P<args>.*)\)"), N_("Got unexpected extra argument(s) ({args})")),
    (re.compile(r"Option '(?P<name>[^']+)' requires an argument\."), N_("Option '{name}' requires an argument.")),
    (re.compile(r"Invalid value for '(?P<name>[^']+)': (?P<problem>.*)"), N_("Invalid value for '{name}': {problem}")),
)  # fmt: skip
# Typer's guess at a mistyped command, after its own (translated) sentence.
GUESS = re.compile(r" Did you mean (?P<options>.+)\?$")
# What Typer says is wrong with a value.
PROBLEMS: frozenset[str] = frozenset(
    {
        N_("Input should be a valid integer, unable to parse string as an integer"),
        N_("Input should be a valid number, unable to parse string as a number"),
    }
)


def said_again(message: str) -> str:
    """Typer's sentence `message` in the interface's language."""
    guess = GUESS.search(message)
    if guess:
        # Typer ends its own sentence with "." even where the catalog's ends with "。".
        head = message[: guess.start()].replace("。.", "。")
        return _("{message} Did you mean {options}?").format(
            message=said_again(head), options=guess["options"]
        )
    for pattern, sentence in SENTENCES:
        found = pattern.fullmatch(message)
        if found:
            words = found.groupdict()
            if words.get("problem") in PROBLEMS:
                words["problem"] = _(words["problem"])
            return _(sentence).format(**words)
    return message


def show_usage_error(error: Any, file: Any = None) -> None:
    """What a usage error prints (in place of Click's usage, hint and error lines)."""
    from xhsvc.core.text import display

    message = display(said_again(error.format_message()))
    if error.ctx is None:
        line = _("error: {message}").format(message=message)
    else:
        line = _("error: {message} (see {command} -h)").format(
            message=message, command=error.ctx.command_path
        )
    typer.echo(line, err=True)


def install() -> None:
    """Every usage error, from the root or from `batch`, goes through `show_usage_error`. The class
    is found through Typer's own BadParameter, whichever Click it carries (importing the Click
    package itself costs 30 ms)."""
    usage_error = next((c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError"), None)
    if usage_error is not None:  # else a Typer that words them otherwise: its own lines stay
        usage_error.show = show_usage_error
