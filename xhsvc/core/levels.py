"""Service levels from TOML: what a contract covers, how fast, and what it grants each year.

The shipped defaults (xhsvc/defaults/service-levels.toml) are read first, then the user's own
service-levels.toml beside config.toml; a level there replaces the shipped one of the same name.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from xhsvc.core.catalog import ENTITLEMENTS, SERVICES
from xhsvc.core.durations import Duration, parse_duration, spell_target
from xhsvc.core.tomlfiles import TomlSource, read_toml
from xhsvc.i18n import _

DEFAULTS_FILE = Path(__file__).resolve().parent.parent / "defaults" / "service-levels.toml"
USER_FILE_NAME = "service-levels.toml"
PRIORITIES = ("P1", "P2", "P3", "P4")
TARGETS = ("response", "onsite", "resolution")
COVERAGE_HOURS = ("7x24", "business")
LEVEL_KEYS = ("title", "coverage", "services", "targets", "entitlements", "calendar")
REQUIRED_KEYS = ("title", "coverage", "services", "targets", "entitlements")


@dataclass(frozen=True)
class ServiceLevel:
    name: str
    title: str
    coverage: str
    services: tuple[str, ...]
    # priority -> target -> how long
    targets: dict[str, dict[str, Duration]]
    entitlements: dict[str, int]
    source: str
    # The calendar its clocks count in; default: 7x24 or china-business, after `coverage`.
    calendar: str | None = None

    @property
    def calendar_name(self) -> str:
        return self.calendar or default_calendar(self.coverage)

    def as_dict(self) -> dict[str, Any]:
        """Targets spelled in working days of the level's calendar, as every clock shows them."""
        from xhsvc.core.calendars import load_calendar

        day = load_calendar(self.calendar_name).day_minutes
        return {
            "name": self.name,
            "title": self.title,
            "coverage": self.coverage,
            "services": list(self.services),
            "targets": {
                p: {t: spell_target(d.in_minutes(day), day) for t, d in per.items()}
                for p, per in self.targets.items()
            },
            "entitlements": self.entitlements,
            "calendar": self.calendar_name,
            "source": self.source,
        }


def _level(source: TomlSource, name: str, raw: Any) -> ServiceLevel:
    at = ["levels", name]
    if not isinstance(raw, dict):
        raise source.error(at, _("must be a table"))
    for key in raw:
        if key not in LEVEL_KEYS:
            raise source.error(
                [*at, key], _("unknown key; allowed: {keys}").format(keys=", ".join(LEVEL_KEYS))
            )
    for key in REQUIRED_KEYS:
        if key not in raw:
            raise source.error(at, _("missing key {key!r}").format(key=key))
    if not isinstance(raw["title"], str) or not raw["title"].strip():
        raise source.error([*at, "title"], _("must be a non-empty string"))
    if raw["coverage"] not in COVERAGE_HOURS:
        raise source.error(
            [*at, "coverage"],
            _("{coverage!r}: must be one of {allowed}").format(
                coverage=raw["coverage"], allowed=", ".join(COVERAGE_HOURS)
            ),
        )
    services = raw["services"]
    if not isinstance(services, list) or not services:
        raise source.error([*at, "services"], _("must be a non-empty list of service types"))
    for service in services:
        if service not in SERVICES:
            raise source.error(
                [*at, "services"],
                _("{service!r} is not a service type; use {services}").format(
                    service=service, services=", ".join(SERVICES)
                ),
            )
    targets: dict[str, dict[str, Duration]] = {}
    raw_targets = raw["targets"]
    if not isinstance(raw_targets, dict):
        raise source.error([*at, "targets"], _("must be a table of P1..P4"))
    for priority in raw_targets:
        if priority not in PRIORITIES:
            raise source.error([*at, "targets", priority], _("unknown priority; use P1, P2, P3, P4"))
    for priority in PRIORITIES:
        per = raw_targets.get(priority)
        if not isinstance(per, dict):
            raise source.error(
                [*at, "targets"],
                _("missing {priority} (response, onsite, resolution)").format(priority=priority),
            )
        targets[priority] = {}
        for target in per:
            if target not in TARGETS:
                raise source.error(
                    [*at, "targets", priority, target],
                    _("unknown target; use {targets}").format(targets=", ".join(TARGETS)),
                )
        for target in TARGETS:
            if target not in per:
                raise source.error([*at, "targets", priority], _("missing {target!r}").format(target=target))
            try:
                targets[priority][target] = parse_duration(per[target])
            except ValueError as e:
                raise source.error([*at, "targets", priority, target], str(e)) from None
    grants = raw["entitlements"]
    if not isinstance(grants, dict):
        raise source.error(
            [*at, "entitlements"],
            _("must be a table of {entitlements}").format(entitlements=", ".join(ENTITLEMENTS)),
        )
    entitlements: dict[str, int] = {}
    for kind in grants:
        if kind not in ENTITLEMENTS:
            raise source.error(
                [*at, "entitlements", kind],
                _("unknown entitlement; use {entitlements}").format(entitlements=", ".join(ENTITLEMENTS)),
            )
    for kind in ENTITLEMENTS:
        value = grants.get(kind, 0)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise source.error(
                [*at, "entitlements", kind],
                _("{value!r}: must be a whole number, 0 or more").format(value=value),
            )
        entitlements[kind] = value
    calendar = raw.get("calendar")
    if calendar is not None and (not isinstance(calendar, str) or not calendar.strip()):
        raise source.error([*at, "calendar"], _("must be the name of a calendar, e.g. china-business"))
    _check_order(source, at, targets, calendar or default_calendar(raw["coverage"]))
    return ServiceLevel(
        calendar=calendar,
        name=name,
        title=raw["title"].strip(),
        coverage=raw["coverage"],
        services=tuple(services),
        targets=targets,
        entitlements=entitlements,
        source=str(source.path),
    )


def default_calendar(coverage: str) -> str:
    return "7x24" if coverage == "7x24" else "china-business"


def _check_order(
    source: TomlSource, at: list[str], targets: dict[str, dict[str, Duration]], calendar_name: str
) -> None:
    """Response, then arrival on site, then resolution: a later step may not be due first."""
    from xhsvc.core.calendars import load_calendar
    from xhsvc.errors import NotFound

    try:
        day = load_calendar(calendar_name).day_minutes
    except NotFound as e:
        raise source.error([*at, "calendar"], str(e)) from None
    for priority, per in targets.items():
        spans = [(target, per[target].in_minutes(day)) for target in TARGETS]
        for (first, a), (then, b) in pairwise(spans):
            if a > b:
                raise source.error(
                    [*at, "targets", priority],
                    _(
                        "{first} {first_span} is due after {then} {then_span} "
                        "(days of {calendar}: {day_length}); "
                        "each priority needs response <= onsite <= resolution"
                    ).format(
                        first=first,
                        first_span=spell_target(a, day),
                        then=then,
                        then_span=spell_target(b, day),
                        calendar=calendar_name,
                        day_length=spell_target(day, 1440),
                    ),
                )


def parse_levels(source: TomlSource) -> dict[str, ServiceLevel]:
    for key in source.data:
        if key != "levels":
            raise source.error([key], _("unknown key; service levels go under [levels.NAME]"))
    levels = source.data.get("levels", {})
    if not isinstance(levels, dict):
        raise source.error(["levels"], _("must be a table of levels"))
    return {name: _level(source, name, raw) for name, raw in levels.items()}


_cache: dict[tuple[str, float], dict[str, ServiceLevel]] = {}


def _read(path: Path) -> dict[str, ServiceLevel]:
    key = (str(path), path.stat().st_mtime)
    if key not in _cache:
        _cache[key] = parse_levels(read_toml(path))
    return _cache[key]


def user_levels_file() -> Path:
    from xhsvc.config import paths

    return paths().config_dir / USER_FILE_NAME


def load_levels(user_file: Path | None = None) -> dict[str, ServiceLevel]:
    """Shipped levels, overridden and extended by the user's file when there is one."""
    levels = dict(_read(DEFAULTS_FILE))
    user_file = user_file or user_levels_file()
    if user_file.exists():
        levels.update(_read(user_file))
    return levels


def get_level(name: str, levels: dict[str, ServiceLevel] | None = None) -> ServiceLevel:

    levels = levels or load_levels()
    from xhsvc.core.text import one_of

    return levels[one_of(name, levels, "level")]
