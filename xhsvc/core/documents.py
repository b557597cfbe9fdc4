"""Documents xhsvc writes for people to read, print and sign: one Jinja2 engine for all of them.

Templates live in xhsvc/documents as `<name>.md.j2` and `<name>.html.j2` (a user's own, of the same
name, in a `documents` folder beside config.toml, replace them). Every value a template prints
comes from people or from files, so none is trusted: it passes `display` (control characters made
visible), and then HTML's escaping (autoescape) or, in Markdown, the escaping of every character
that would make markup. `|block` keeps a multi-line text's lines in Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xhsvc.core.text import display
from xhsvc.errors import InvalidInput, NotFound
from xhsvc.i18n import _

if TYPE_CHECKING:
    import jinja2

DOCUMENTS_DIR = Path(__file__).resolve().parent.parent / "documents"
TEXT_FORMATS = ("md", "html")
# What Markdown could take for markup inside a line: escapes, code, emphasis, links, raw HTML
# and entities, table cells, strikethrough, and `#`/`+`/`-` that could start a heading or a list.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&#])")


class _Raw(str):
    """Text a template built itself (a filter's output): not escaped again in Markdown."""


def md_inline(value: Any) -> str:
    """A value inside a Markdown line: on one line, control characters visible, markup escaped."""
    if isinstance(value, _Raw):
        return value
    text = display(value, multiline=True).replace("\n", " ").replace("\t", " ")
    return _Raw(_MARKDOWN_SPECIAL.sub(r"\\\1", text))


def md_block(value: Any) -> str:
    """A multi-line text in Markdown: each line escaped like `md_inline`, ending in a hard break."""
    lines = display(value, multiline=True).split("\n")
    return _Raw("  \n".join(md_inline(line) for line in lines))


def _html_value(value: Any) -> Any:
    # Markup (from `|safe` or a filter) is already HTML; anything else is shown, then escaped.
    import markupsafe

    if isinstance(value, markupsafe.Markup):
        return value
    return display(value, multiline=True)


def _text_or_dash(value: Any) -> Any:
    return "—" if value is None or value == "" else value


@cache
def _environment(fmt: str, user_dir: str | None) -> jinja2.Environment:
    import jinja2

    folders = [user_dir] if user_dir else []
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([*folders, str(DOCUMENTS_DIR)]),
        autoescape=fmt == "html",
        finalize=_html_value if fmt == "html" else md_inline,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["block"] = md_block if fmt == "md" else _html_block
    env.filters["dash"] = _text_or_dash
    env.filters["hours"] = hours
    return env


def _html_block(value: Any) -> Any:
    import markupsafe

    lines = display(value, multiline=True).split("\n")
    return markupsafe.Markup("<br>\n").join(markupsafe.escape(line) for line in lines)


def hours(minutes: int | None) -> str:
    """Minutes as a person reads time spent: 90 -> 1h30m, 45 -> 45m, 120 -> 2h."""
    if not minutes:
        return "0m"
    h, m = divmod(int(minutes), 60)
    return f"{h}h{m:02d}m" if h and m else (f"{h}h" if h else f"{m}m")


def render_document(name: str, *, fmt: str, data: Mapping[str, Any], user_dir: Path | None = None) -> str:
    """Document `name` in `fmt` (md or html) from `data`. Raises NotFound for a template that does
    not exist and InvalidInput for a format that is not md or html."""
    if fmt not in TEXT_FORMATS:
        raise InvalidInput(_("format {format!r}: must be md or html").format(format=fmt))
    import jinja2

    if user_dir is None:
        from xhsvc.config import paths

        user_dir = paths().config_dir / "documents"
    user = str(user_dir) if user_dir.is_dir() else None
    try:
        template = _environment(fmt, user).get_template(f"{name}.{fmt}.j2")
    except jinja2.TemplateNotFound:
        raise NotFound(_("document template {name!r} not found").format(name=f"{name}.{fmt}.j2")) from None
    return template.render(**data)


def pdf_from_html(html: str) -> bytes:
    """A PDF of a self-contained HTML document, through WeasyPrint (`pip install 'xhsvc[pdf]'`)."""
    try:
        import weasyprint
    except (ImportError, OSError):  # not installed, or the system lacks Pango
        raise InvalidInput(
            _("format 'pdf' needs WeasyPrint: pip install 'xhsvc[pdf]', or use --format html and print it")
        ) from None
    return weasyprint.HTML(string=html).write_pdf()
