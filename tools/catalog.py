"""The message catalogs: what needs translating, brought into the .po files, and compiled.

    python tools/catalog.py update    # new and changed English into every .po (old ones kept as fuzzy)
    python tools/catalog.py compile   # each .po into its .mo (shipped in the wheel)
    python tools/catalog.py missing   # what has no translation yet (exit 1 if anything)

What needs translating: every string marked `_("...")` or `ngettext(...)` in xhsvc (Babel's
extractor), the help of every command and option (docstrings and `help=`, read from the built
commands as Typer shows them), and the few words of Typer's own help screens that go through
gettext ("Options", "Commands", "required"...). Babel is a dev dependency: only this tool and the
tests need it; xhsvc reads the .mo files with the standard library.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from babel.messages.catalog import Catalog  # noqa: E402
from babel.messages.extract import extract_from_dir  # noqa: E402
from babel.messages.mofile import write_mo  # noqa: E402
from babel.messages.pofile import read_po, write_po  # noqa: E402

from xhsvc import i18n  # noqa: E402

KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}


def po_path(language: str) -> Path:
    return i18n.LOCALE_DIR / language / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"


def command_help() -> list[str]:
    """The help texts of every command, as Typer shows them in English: each command built the
    way `xhsvc` builds it (placeholders and summaries included)."""
    import typer

    from xhsvc.cli import main

    i18n.set_language("en")
    root = typer.main.get_command(main.app)
    context = typer.Context(root, help_option_names=["-h", "--help"])
    texts = [text for _, _, text in i18n.help_texts(root)]
    for name in main.COMMANDS:
        command = root.get_command(context, name)
        texts += [text for _, _, text in i18n.help_texts(command)]
        texts += [text for _, _, text in _help_options(command, context)]
    return texts


def _help_options(command: Any, context: Any) -> list[tuple[Any, str, str]]:
    """The -h option of a command and of every command under it."""
    found = []
    option = command.get_help_option(context)
    if option is not None and option.help:
        found.append((option, "help", option.help))
    for sub in getattr(command, "commands", {}).values():
        found += _help_options(sub, context)
    return found


def typer_words() -> list[str]:
    """What Typer's help and errors pass through gettext."""
    import typer

    folder = Path(typer.__file__).parent
    found = []
    for name in ("core.py",):
        for _file, _line, message, *_rest in extract_from_dir(
            folder, method_map=[(name, "python")], keywords=KEYWORDS
        ):
            found.append(message if isinstance(message, str) else message[0])
    return found


def template() -> Catalog:
    """Every message that needs translating, in English."""
    catalog = Catalog(project="xhsvc", domain=i18n.DOMAIN)
    for filename, lineno, message, comments, context in extract_from_dir(
        ROOT / "xhsvc", method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        catalog.add(
            message, locations=[(f"xhsvc/{filename}", lineno)], auto_comments=comments, context=context
        )
    for text in command_help():
        catalog.add(text, locations=[("(command help)", 0)])
    for text in typer_words():
        catalog.add(text, locations=[("(typer)", 0)])
    return catalog


def read(language: str) -> Catalog:
    path = po_path(language)
    if not path.exists():
        return Catalog(locale=language, project="xhsvc", domain=i18n.DOMAIN)
    with path.open("rb") as f:
        return read_po(f, locale=language)


def missing(language: str) -> list[str]:
    """English messages of the template that `language`'s .po does not translate (or marks fuzzy)."""
    have = read(language)
    out = []
    for message in template():
        if not message.id:
            continue
        found = have.get(message.id, context=message.context)
        translated = found is not None and not found.fuzzy and _complete(found.string)
        if not translated:
            out.append(message.id if isinstance(message.id, str) else message.id[0])
    return out


def _complete(string: Any) -> bool:
    return all(string) if isinstance(string, tuple | list) else bool(string)


def update() -> None:
    new = template()
    for language in i18n.LANGUAGES:
        if language == "en":
            continue
        catalog = read(language)
        catalog.update(new, no_fuzzy_matching=True)
        path = po_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            write_po(f, catalog, width=100, sort_output=False, ignore_obsolete=True)


def compiled(language: str) -> bytes:
    import io

    buffer = io.BytesIO()
    write_mo(buffer, read(language), use_fuzzy=False)
    return buffer.getvalue()


def compile_all() -> None:
    for language in i18n.LANGUAGES:
        if language != "en":
            po_path(language).with_suffix(".mo").write_bytes(compiled(language))


def main() -> None:
    action = sys.argv[1] if len(sys.argv) > 1 else ""
    if action == "update":
        update()
    elif action == "compile":
        compile_all()
    elif action == "missing":
        gaps = {language: missing(language) for language in i18n.LANGUAGES if language != "en"}
        for language, messages in gaps.items():
            for message in messages:
                print(f"{language}: {message!r}")
        sys.exit(1 if any(gaps.values()) else 0)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
