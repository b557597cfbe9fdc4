"""Plain text and number options, read without pydantic.

Typer (from 0.2x) coerces every option through a pydantic `TypeAdapter`, and building the first one
imports pydantic: about 90 ms on the development machine, a fifth of a whole command. Nearly every
option of xhsvc is plain text or a number, so those get a coercion of their own. A value it does not
take (a malformed number, say) goes to Typer's own, so every error reads as Typer writes it; options
of any other type (paths, choices, ranges, parsers) keep Typer's. With a Typer that has no such
layer, nothing here applies.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, get_args, get_origin

try:
    from typer._coercion import RuntimeParam
except ImportError:  # a Typer without the pydantic layer: nothing to skip
    RuntimeParam = None  # type: ignore[assignment,misc]

# Only what pydantic reads the same way: ASCII digits, an optional sign and point.
_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)")


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


# A default comes typed; what was typed on the command line comes as text.
def _integer(value: Any) -> int | None:
    if type(value) is int:
        return value
    return int(value) if isinstance(value, str) and _INT.fullmatch(value) else None


def _number(value: Any) -> float | None:
    if type(value) in (int, float):
        return float(value)
    return float(value) if isinstance(value, str) and _FLOAT.fullmatch(value) else None


READERS: dict[type, Callable[[Any], Any]] = {bool: _flag, str: _text, int: _integer, float: _number}


if RuntimeParam is not None:

    @dataclass(frozen=True)
    class PlainParam(RuntimeParam):  # type: ignore[misc,valid-type]
        """A str, int, float or bool option, or a repeated one (`list[str]`)."""

        read: Callable[[Any], Any]
        repeated: bool

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            if self.repeated and isinstance(value, list | tuple):
                items = [self.read(item) for item in value]
                if None not in items:
                    return items
            elif not self.repeated:
                read = self.read(value)
                if read is not None:
                    return read
            # Not plain: Typer's own coercion decides, and words its error.
            param._runtime_param = None
            return param.get_runtime_param()._coerce_value(value, param=param, ctx=ctx)


def _reader(param: Any) -> tuple[Callable[[Any], Any], bool] | None:
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None or getattr(param, "_runtime_param", 0) is not None:
        return None
    info = descriptor.parameter_info
    if info.parser is not None or info.min is not None or info.max is not None:
        return None
    if descriptor.file_annotation is not None or descriptor.is_path or descriptor.is_choice:
        return None
    annotation = descriptor.annotation
    if get_origin(annotation) is list:
        (item,) = get_args(annotation) or (None,)
        return (READERS[item], True) if item in READERS else None
    return (READERS[annotation], False) if annotation in READERS else None


def plain_params(params: Iterable[Any]) -> None:
    """Give each plain option among `params` the coercion above."""
    if RuntimeParam is None:
        return
    for param in params:
        found = _reader(param)
        if found is not None:
            read, repeated = found
            info = param.type_descriptor
            param._runtime_param = PlainParam(
                parameter_info=info.parameter_info, annotation=info.annotation, read=read, repeated=repeated
            )


def plain_command(command: Any, ctx: Any) -> None:
    """`plain_params` for a command, its help option and, for a group, every command under it.
    `ctx` is the root's context: the help option's names come from it, as they will later."""
    plain_params([*command.params, command.get_help_option(ctx)])
    for sub in getattr(command, "commands", {}).values():
        plain_command(sub, ctx)
