"""Help pages wrapped by terminal columns, not characters: a Chinese character takes two.

Typer lays its help out with its copy of click, which measures text with len() and wraps with
textwrap, which does too and breaks lines only at spaces. Chinese help then runs past the
terminal's edge (a line of 40 characters is 80 columns) and cannot break inside a sentence, which
has no spaces. `install()` gives click's formatter a wrapper that counts columns and may break a
line between two wide characters, and a width measure that counts columns; English wraps as before.
"""

from __future__ import annotations

import re
from typing import Any

from xhsvc.cli.helptext import width

# Each wide character (CJK, full-width forms and punctuation) is a chunk of its own, so that a
# line may break between two of them; runs of other characters stay whole.
_WIDE = re.compile(
    r"([\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    r"\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6])"
)

_OPENING = frozenset("([{（［｛「『《〈“‘【〔")
_CLOSING = frozenset(")]}）］｝」』》〉”’】〕，。、：；！？…")


def term_width(text: str) -> int:
    """Columns `text` takes, its ANSI escapes aside (click's term_len, by columns)."""
    from typer._click._compat import strip_ansi

    return width(strip_ansi(text))


def _wrapper_class() -> type:
    from typer._click._textwrap import TextWrapper

    class CellWrapper(TextWrapper):  # type: ignore[misc, valid-type]
        """click's TextWrapper, measuring in columns and breaking between wide characters."""

        def _split(self, text: str) -> list[str]:
            pieces: list[str] = []
            for piece in (p for chunk in super()._split(text) for p in _WIDE.split(chunk) if p):
                # No line starts with a closing mark nor ends with an opening one.
                joins = pieces and not pieces[-1].isspace() and not piece.isspace()
                if joins and (piece[0] in _CLOSING or pieces[-1][-1] in _OPENING):
                    pieces[-1] += piece
                else:
                    pieces.append(piece)
            return pieces

        def _handle_long_word(
            self, reversed_chunks: list[str], cur_line: list[str], cur_len: int, room: int
        ) -> None:
            space_left = max(room - cur_len, 1)
            last = reversed_chunks[-1]
            cut = 0
            while cut < len(last) and width(last[: cut + 1]) <= space_left:
                cut += 1
            cut = max(cut, 1)
            cur_line.append(last[:cut])
            reversed_chunks[-1] = last[cut:]

        def _wrap_chunks(self, chunks: list[str]) -> list[str]:
            # textwrap's own loop (without max_lines, which click does not use), by columns.
            lines: list[str] = []
            chunks.reverse()
            while chunks:
                cur_line: list[str] = []
                cur_len = 0
                indent = self.subsequent_indent if lines else self.initial_indent
                room = self.width - width(indent)
                if self.drop_whitespace and chunks[-1].strip() == "" and lines:
                    del chunks[-1]
                while chunks:
                    size = width(chunks[-1])
                    if cur_len + size <= room:
                        cur_line.append(chunks.pop())
                        cur_len += size
                    else:
                        break
                if chunks and width(chunks[-1]) > room:
                    self._handle_long_word(chunks, cur_line, cur_len, room)
                    cur_len = sum(width(c) for c in cur_line)
                if self.drop_whitespace and cur_line and cur_line[-1].strip() == "":
                    cur_len -= width(cur_line[-1])
                    del cur_line[-1]
                if cur_line:
                    lines.append(indent + "".join(cur_line))
            return lines

    return CellWrapper


def install() -> None:
    """Make click's help formatter count columns (done once, when a help page is built)."""
    from typer._click import _textwrap, formatting

    if getattr(formatting, "_xhsvc_cells", False):
        return
    wrapper: Any = _wrapper_class()
    _textwrap.TextWrapper = wrapper  # wrap_text imports it from there when it runs
    formatting.term_len = term_width
    formatting._xhsvc_cells = True  # type: ignore[attr-defined]
