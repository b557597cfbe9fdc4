"""Checklist templates from TOML: the sections and items an engineer fills in on a visit.

Shipped templates live in xhsvc/defaults/templates; the user's own in a `templates` folder beside
config.toml (same name replaces). Mistakes are reported with the file, line and key.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xhsvc.core.text import MULTI_LINE, clean_text
from xhsvc.core.tomlfiles import TomlSource, read_toml
from xhsvc.errors import InvalidInput, NotFound
from xhsvc.i18n import _

DEFAULTS_DIR = Path(__file__).resolve().parent.parent / "defaults" / "templates"
VISIT_KINDS = ("inspection", "training", "standby", "optimization", "dr_drill", "review")
ITEM_KINDS = ("check", "number", "text", "choice")
CHECK_RESULTS = ("ok", "warn", "fail", "na")
THRESHOLDS = ("warn_above", "fail_above", "warn_below", "fail_below")
# What xhsvc fills in: the customer's tickets since the last visit of the kind, the days until the
# capacity is full (from used_tb, total_tb, growth_tb_month), the month a service review reviews.
SOURCES = ("tickets_since_last", "days_until_full", "review_period")
ITEM_KEYS = (
    "key",
    "label",
    "kind",
    "required",
    "unit",
    *THRESHOLDS,
    "min",
    "max",
    "choices",
    "warn",
    "fail",
    "recommendation",
    "source",
    "compare_to",
)
# The default template of each kind of visit.
DEFAULT_TEMPLATE = {
    "inspection": "storage-inspection",
    "dr_drill": "dr-drill",
    "training": "training",
    "standby": "standby",
    "optimization": "system-optimization",
    "review": "service-review",
}
# Templates of another kind a visit may use: an optimization may follow the storage inspection's
# checklist instead of its own.
ALSO_ACCEPTS = {"optimization": ("inspection",)}


@dataclass(frozen=True)
class ItemSpec:
    id: str  # "section.item"
    section: str
    label: str
    kind: str
    required: bool = False
    unit: str | None = None
    thresholds: dict[str, float] = field(default_factory=dict)
    # The range a number can have at all (a count, a capacity, a time): 0 and up unless the
    # template says otherwise.
    minimum: float = 0.0
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    warn_choices: tuple[str, ...] = ()
    fail_choices: tuple[str, ...] = ()
    recommendation: str | None = None
    source: str | None = None
    compare_to: str | None = None


@dataclass(frozen=True)
class Template:
    name: str
    title: str
    kind: str
    sections: tuple[tuple[str, str], ...]  # (key, title)
    items: tuple[ItemSpec, ...]
    source: str


def _item(src: TomlSource, si: int, section: str, ii: int, raw: Any, ids: set[str]) -> ItemSpec:
    at: list[Any] = ["section", si, "item", ii]
    if not isinstance(raw, dict):
        raise src.error(at, _("each [[section.item]] must be a table"))
    for key in raw:
        if key not in ITEM_KEYS:
            raise src.error([*at, key], _("unknown key; allowed: {keys}").format(keys=", ".join(ITEM_KEYS)))
    key = raw.get("key")
    if not isinstance(key, str) or not key.replace("_", "").isalnum():
        raise src.error([*at, "key"], _("needs a key of letters, digits and '_'"))
    item_id = f"{section}.{key}"
    if item_id in ids:
        raise src.error([*at, "key"], _("{item} is defined twice").format(item=item_id))
    ids.add(item_id)
    kind = raw.get("kind")
    if kind not in ITEM_KINDS:
        raise src.error(
            [*at, "kind"], _("{value!r}: use {allowed}").format(value=kind, allowed=", ".join(ITEM_KINDS))
        )
    label = raw.get("label", key)
    if not isinstance(label, str):
        raise src.error([*at, "label"], _("must be a string"))
    thresholds: dict[str, float] = {}
    for name in THRESHOLDS:
        if name in raw:
            if kind != "number":
                raise src.error([*at, name], _("thresholds belong to number items"))
            if not isinstance(raw[name], int | float) or isinstance(raw[name], bool):
                raise src.error([*at, name], _("must be a number"))
            thresholds[name] = float(raw[name])
    bounds: dict[str, float] = {}
    for name in ("min", "max"):
        if name in raw:
            if kind != "number":
                raise src.error([*at, name], _("a range belongs to number items"))
            if (
                not isinstance(raw[name], int | float)
                or isinstance(raw[name], bool)
                or not math.isfinite(raw[name])
            ):
                raise src.error([*at, name], _("must be a number"))
            bounds[name] = float(raw[name])
    if bounds.get("min", 0.0) > bounds.get("max", math.inf):
        raise src.error([*at, "max"], _("must not be below min"))
    choices = tuple(raw.get("choices", ()))
    if kind == "choice" and (not choices or not all(isinstance(c, str) for c in choices)):
        raise src.error([*at, "choices"], _("a choice item needs a list of choices"))
    for name in ("warn", "fail"):
        for value in raw.get(name, ()):
            if value not in choices:
                raise src.error([*at, name], _("{value!r} is not one of the choices").format(value=value))
    source = raw.get("source")
    if source is not None and source not in SOURCES:
        raise src.error(
            [*at, "source"], _("{value!r}: use {allowed}").format(value=source, allowed=", ".join(SOURCES))
        )
    return ItemSpec(
        id=item_id,
        section=section,
        label=label,
        kind=kind,
        required=bool(raw.get("required", False)),
        unit=raw.get("unit"),
        thresholds=thresholds,
        minimum=bounds.get("min", 0.0),
        maximum=bounds.get("max"),
        choices=choices,
        warn_choices=tuple(raw.get("warn", ())),
        fail_choices=tuple(raw.get("fail", ())),
        recommendation=raw.get("recommendation"),
        source=source,
        compare_to=raw.get("compare_to"),
    )


def parse_template(src: TomlSource, name: str) -> Template:
    data = src.data
    for key in data:
        if key not in ("title", "kind", "section"):
            raise src.error([key], _("unknown key; allowed: {keys}").format(keys="title, kind, section"))
    kind = data.get("kind")
    if kind not in VISIT_KINDS:
        raise src.error(
            ["kind"], _("{value!r}: use {allowed}").format(value=kind, allowed=", ".join(VISIT_KINDS))
        )
    sections_raw = data.get("section")
    if not isinstance(sections_raw, list) or not sections_raw:
        raise src.error(["section"], _("needs [[section]] tables"))
    sections: list[tuple[str, str]] = []
    items: list[ItemSpec] = []
    ids: set[str] = set()
    for si, raw in enumerate(sections_raw):
        key = raw.get("key") if isinstance(raw, dict) else None
        if not isinstance(key, str) or not key.replace("_", "").isalnum():
            raise src.error(["section", si, "key"], _("needs a key of letters, digits and '_'"))
        sections.append((key, str(raw.get("title", key))))
        for ii, item in enumerate(raw.get("item", [])):
            items.append(_item(src, si, key, ii, item, ids))
    for item in items:
        if item.compare_to and item.compare_to not in ids:
            raise src.error(
                ["section"],
                _("{item}: compare_to {target!r} is not an item of this template").format(
                    item=item.id, target=item.compare_to
                ),
            )
    return Template(
        name=name,
        title=str(data.get("title", name)),
        kind=kind,
        sections=tuple(sections),
        items=tuple(items),
        source=str(src.path),
    )


def user_templates_dir() -> Path:
    from xhsvc.config import paths

    return paths().config_dir / "templates"


def template_files() -> dict[str, Path]:
    files = {p.stem: p for p in sorted(DEFAULTS_DIR.glob("*.toml"))}
    own = user_templates_dir()
    if own.is_dir():
        files.update({p.stem: p for p in sorted(own.glob("*.toml"))})
    return files


def load_template(name: str) -> Template:
    files = template_files()
    if name not in files:
        raise NotFound(
            _("template {name!r} not found; known: {known}").format(name=name, known=", ".join(files))
        )
    return parse_template(read_toml(files[name]), name)


def list_templates() -> list[Template]:
    return [parse_template(read_toml(path), name) for name, path in template_files().items()]


# Values ---------------------------------------------------------------------------------------


def judge(item: ItemSpec, value: str, *, compare: float | None = None) -> tuple[str, str | None]:
    """The stored value and the result (ok, warn, fail, na or None) of an answer to `item`.

    Raises InvalidInput naming the item and what it takes."""
    text = str(value).strip()
    if not text:
        raise InvalidInput(_("{item}: empty value").format(item=item.id))
    if item.kind == "check":
        lowered = text.lower()
        if lowered not in CHECK_RESULTS:
            raise InvalidInput(
                _("{item} {value!r}: a check takes {results}").format(
                    item=item.id, value=text, results=", ".join(CHECK_RESULTS)
                )
            )
        return lowered, lowered
    if item.kind == "choice":
        if text not in item.choices:
            raise InvalidInput(
                _("{item} {value!r}: choose one of {choices}").format(
                    item=item.id, value=text, choices=", ".join(repr(c) for c in item.choices)
                )
            )
        return text, "fail" if text in item.fail_choices else "warn" if text in item.warn_choices else "ok"
    if item.kind == "number":
        try:
            number = float(text)
        except ValueError:
            message = (
                _("{item} {value!r}: a number in {unit} is needed")
                if item.unit
                else _("{item} {value!r}: a number is needed")
            )
            raise InvalidInput(message.format(item=item.id, value=text, unit=item.unit)) from None
        if not math.isfinite(number):
            raise InvalidInput(
                _("{item} {value!r}: a finite number is needed").format(item=item.id, value=text)
            )
        if number < item.minimum or (item.maximum is not None and number > item.maximum):
            if item.maximum is None:
                message = (
                    _("{item} {value!r}: must be at least {minimum} {unit}")
                    if item.unit
                    else _("{item} {value!r}: must be at least {minimum}")
                )
            else:
                message = (
                    _("{item} {value!r}: must be at least {minimum} and at most {maximum} {unit}")
                    if item.unit
                    else _("{item} {value!r}: must be at least {minimum} and at most {maximum}")
                )
            raise InvalidInput(
                message.format(
                    item=item.id,
                    value=text,
                    minimum=_format_number(item.minimum),
                    maximum=_format_number(item.maximum) if item.maximum is not None else None,
                    unit=item.unit,
                )
            )
        return _format_number(number), number_result(item, number, compare=compare)
    return clean_text(text, item.id, required=True, limit=MULTI_LINE, multiline=True) or "", None


def number_result(item: ItemSpec, number: float, *, compare: float | None = None) -> str:
    t = item.thresholds
    if compare is not None and number > compare:
        return "fail"
    if ("fail_above" in t and number > t["fail_above"]) or ("fail_below" in t and number < t["fail_below"]):
        return "fail"
    if ("warn_above" in t and number > t["warn_above"]) or ("warn_below" in t and number < t["warn_below"]):
        return "warn"
    return "ok"


def _format_number(number: float) -> str:
    return str(int(number)) if number == int(number) else f"{number:g}"
