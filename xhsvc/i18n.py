"""The interface's language: Simplified Chinese or English, through gettext catalogs.

The language is `language` in config.toml (`zh_CN` or `en`), else what the environment says as
gettext reads it (LANGUAGE, LC_ALL, LC_MESSAGES, LANG); English when nothing asks for Chinese.
Messages are English in the code and looked up in xhsvc/locale/<language>/LC_MESSAGES/xhsvc.mo;
the .po beside it is the source, and both are in the repository (the .mo ships in the wheel).

Two kinds of text go through the catalog: strings marked `_("...")` in the code, and the help of
every command and option, which Typer takes from docstrings and `help=`: `translate_command`
swaps those for their translation when a command is built. JSON field names, exit codes and what
scripts parse stay the same in every language.

After changing a marked string, a docstring or a `help=`: `python -m xhsvc.i18n update` (needs
Babel, a dev dependency) brings the new English into the .po; translate it there, then
`python -m xhsvc.i18n compile`. tests/test_i18n.py fails while a string has no translation or the
.mo is older than the .po.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

DOMAIN = "xhsvc"
LANGUAGES = ("zh_CN", "en")
LOCALE_DIR = Path(__file__).parent / "locale"

_translations: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def language_of(value: str | None) -> str | None:
    """`zh_CN` or `en` for a locale name such as zh_CN.UTF-8, zh, zh-Hans, en_US, C; None when it
    names neither."""
    if not value:
        return None
    code = value.split(".")[0].split("@")[0].replace("-", "_").lower()
    if code.startswith("zh"):
        return "zh_CN"
    if code.startswith("en") or code in ("c", "posix"):
        return "en"
    return None


def language_from_env(env: Mapping[str, str] | None = None) -> str:
    """The language the environment asks for, read in gettext's order; English by default."""
    env = os.environ if env is None else env
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        for part in env.get(name, "").split(":"):
            found = language_of(part)
            if found:
                return found
    return "en"


def set_language(language: str) -> None:
    """Speak `language` (one of LANGUAGES) from now on, in this process."""
    global _translations, _language
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r}: must be one of {', '.join(LANGUAGES)}")
    _language = language
    _translations = (
        gettext.NullTranslations()
        if language == "en"
        else gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[language], fallback=True)
    )
    # Typer words its help screens ("Options", "required") through the standard library's own
    # gettext, which reads the language from the environment: these words come from our catalog too.
    gettext.bindtextdomain(DOMAIN, LOCALE_DIR)
    gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = language


def setup(configured: object = None) -> str:
    """Choose the language: config.toml's `language` when it names one, else the environment."""
    language = language_of(configured) if isinstance(configured, str) else None
    set_language(language or language_from_env())
    return _language


def current() -> str:
    return _language


def _(message: str) -> str:
    """`message` (English) in the interface's language."""
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """`message` in the interface's language where the same English says something else
    elsewhere (`pgettext("clock", "site")`: the on-site clock, not a customer's site)."""
    return _translations.pgettext(context, message)


def N_(message: str) -> str:
    """Marks `message` for the catalog where it is defined (a column heading, a label); it is
    translated where it is shown, with `_`."""
    return message


# Help texts ----------------------------------------------------------------------------------


def help_texts(command: Any) -> Iterator[tuple[Any, str, str]]:
    """(object, attribute, English text) for the help of a click command, its options and
    arguments and, for a group, of every command under it."""
    for attribute in ("help", "short_help", "epilog"):
        text = getattr(command, attribute, None)
        if text:
            yield command, attribute, text
    for param in command.params:
        text = getattr(param, "help", None)
        if text:
            yield param, "help", text
    for sub in getattr(command, "commands", {}).values():
        yield from help_texts(sub)


def translate_command(command: Any) -> None:
    """Put the help of a built command (and everything under it) in the interface's language."""
    if _language == "en":
        return
    for owner, attribute, text in help_texts(command):
        setattr(owner, attribute, _(text))
