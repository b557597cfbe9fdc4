"""Help that reads well: placeholders named after what they stand for, summaries that fit.

Typer shows the Python type where a value goes (`--customer <str>`, `--asset <list[str]>`) and
cuts each command's summary in a group's list with "...". Both are set here, once, for every
command as it is built (cli/main.py), so that no declaration has to: an option's placeholder is
its own name in upper case (`--customer CUSTOMER`), or a word for what it takes where the name
says little (`--reported-at WHEN`), and a command's summary is the first sentence of its help,
shortened to fit the group's list at 80 columns. A metavar or short_help written in a
declaration is kept.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from typer.core import TyperArgument

# The terminal width the command lists are made to fit (the usual one, and the narrowest that
# commonly matters); click lays a list out as "  NAME  SUMMARY" within two columns less.
COLUMNS = 80

# Options whose own name does not say what goes there. Looked up by the option's first long name.
PLACEHOLDERS: dict[str, str] = {
    "--reported-at": "WHEN",
    "--now": "WHEN",
    "--from": "WHEN",
    "--at": "DATE",
    "--on": "DATE",
    "--date": "DATE",
    "--start": "DATE",
    "--end": "DATE",
    "--month": "YYYY-MM",
    "--within": "PERIOD",
    "--ticket": "KEY",
    "--assign": "PERSON",
    "--assignee": "PERSON",
    "--as": "PERSON",
    "--id": "ID",
    "--for": "NODE",
    "--db": "URL",
    "--center": "URL",
    "--limit": "N",
    "--quantity": "N",
    "--refresh": "SECONDS",
    "--open-tickets": "ITEM",
}


class _NamedArgument(TyperArgument):
    """An argument whose help line shows its placeholder alone: Typer would add the Python type
    after it (`KEY <str>`) even when a metavar is set."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None if self.metavar is not None else super().display_type_rich(ctx)


def _placeholder(param: Any) -> str:
    if getattr(param, "type_descriptor", None) is not None and param.type_descriptor.is_path:
        return "FILE"
    longs = [o for o in param.opts if o.startswith("--")]
    if longs and longs[0] in PLACEHOLDERS:
        return PLACEHOLDERS[longs[0]]
    name = longs[0][2:] if longs else param.name
    return name.strip("_").replace("_", "-").upper()


def readable_params(params: Iterable[Any]) -> None:
    """Give every option that takes a value, and every argument, a placeholder (see above)."""
    for param in params:
        if param is None or getattr(param, "is_flag", False) or getattr(param, "count", False):
            continue
        if param.metavar is None:
            param.metavar = _placeholder(param)
        if type(param) is TyperArgument:
            # Same object, one method more: nothing else about the argument changes.
            param.__class__ = _NamedArgument


def width(text: str) -> int:
    """Columns `text` takes on a terminal (a Chinese character takes two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# A sentence ends at . ? or ! followed by a space and anything but a lower-case letter, so
# that "e.g. remote" goes on.
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?![a-z])")
_REMARK = re.compile(r"\s*\([^()]*\)")


def summary(help_text: str, budget: int) -> str:
    """The first sentence of `help_text`, made to fit `budget` columns if it can be by leaving
    out parenthetical remarks, then what follows a semicolon. What still does not fit is given
    whole (a test names it): its first sentence should be written shorter."""
    paragraph = re.split(r"\n\s*\n", help_text.strip(), maxsplit=1)[0]
    sentence = _SENTENCE_END.split(" ".join(paragraph.split()), maxsplit=1)[0]
    # Remarks go first, so that a semicolon inside one never cuts the sentence.
    plain = _REMARK.sub("", sentence)
    clause = plain.split("; ", 1)[0].rstrip(".") + "."
    for shorter in (sentence, plain, clause):
        if width(shorter) <= budget:
            return shorter
    return sentence


def budget(names: Iterable[str]) -> int:
    """Columns a summary may take in a list of commands with these names, at COLUMNS wide: what
    click keeps before cutting with "..." (its width, less the indent, the longest name and the
    spacing)."""
    return COLUMNS - 2 - 6 - max((len(n) for n in names), default=0)


def readable_command(command: Any, siblings: Iterable[str]) -> None:
    """Placeholders for `command`'s parameters and a summary that fits beside `siblings` (the
    names listed with it); for a group, the same for every command under it."""
    readable_params(command.params)
    if not command.short_help and command.help:
        command.short_help = summary(command.help, budget(siblings))
    subcommands = getattr(command, "commands", {})
    for sub in subcommands.values():
        readable_command(sub, subcommands)
