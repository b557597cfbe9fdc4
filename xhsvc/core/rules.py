"""Escalation rules from TOML: which tickets they watch, when they fire, what they do.

A rule either watches one SLA clock (fires when a share of its time is used, or when it is overdue
by some working time) or only the ticket's attributes. Loading validates every rule and names the
file, line and key of a mistake.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xhsvc.core.durations import Duration, parse_duration
from xhsvc.core.people import ROLES, TIERS
from xhsvc.core.tomlfiles import TomlSource, read_toml
from xhsvc.i18n import _

DEFAULTS_FILE = Path(__file__).resolve().parent.parent / "defaults" / "rules.toml"
USER_FILE_NAME = "rules.toml"
CLOCKS = ("response", "onsite", "resolution")
RULE_KEYS = ("id", "title", "clock", "at", "after_due", "when", "do")
LIST_CONDITIONS = ("priority", "status", "tier", "level", "service", "channel", "customer", "region")
ACTIONS = ("notify", "escalate", "raise_priority", "mark_major", "note")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
PERCENT = re.compile(r"^\s*(\d{1,4})\s*%\s*$")


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    clock: str | None = None
    percent: int | None = None  # fires when this share of the clock's time is used
    after_due: Duration | None = None  # or when it is overdue by this much
    when: dict[str, Any] = field(default_factory=dict)
    do: dict[str, Any] = field(default_factory=dict)

    def threshold_minutes(self, budget_min: int, day_minutes: int) -> float:
        """Working minutes of the clock after which the rule fires."""
        if self.percent is not None:
            return budget_min * self.percent / 100
        return budget_min + self.after_due.in_minutes(day_minutes)

    def describe_trigger(self) -> str:
        if self.clock is None:
            return _("whenever its conditions hold")
        if self.percent is not None:
            return _("{clock} clock at {percent}%").format(clock=self.clock, percent=self.percent)
        return _("{clock} clock overdue by {duration}").format(clock=self.clock, duration=self.after_due)


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    source: str


def _strings(source: TomlSource, keypath: list[str], value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise source.error(keypath, _('must be a list of values, e.g. ["P1", "P2"]'))
    return tuple(value)


def _recipient(source: TomlSource, keypath: list[Any], rule_id: str, value: str) -> str:
    if value == "assignee":
        return value
    kind, _sep, name = value.partition(":")
    if kind == "role" and name in ROLES and name != "system":
        return value
    if kind == "person" and name:
        return value
    raise source.error(
        keypath,
        _(
            "rule {rule}: {value!r}: use 'assignee', 'role:agent|engineer|expert|manager|admin' or 'person:ID'"
        ).format(rule=rule_id, value=value),
    )


def _rule(source: TomlSource, index: int, raw: Any, seen: set[str]) -> Rule:
    # Errors name this rule's keys by its place among the [[rule]] tables (0-based), and its id.
    where: list[Any] = ["rule", index]
    if not isinstance(raw, dict):
        raise source.error(where, _("each [[rule]] must be a table"))
    rule_id = raw.get("id")
    for key in raw:
        if key not in RULE_KEYS:
            raise source.error(
                [*where, key],
                _("unknown key in rule {rule}; allowed: {keys}").format(
                    rule=rule_id or index, keys=", ".join(RULE_KEYS)
                ),
            )
    if not isinstance(rule_id, str) or not ID_PATTERN.match(rule_id):
        raise source.error(
            [*where, "id"],
            _("rule {number}: id must be lowercase letters, digits, '-' or '_'").format(number=index + 1),
        )
    if rule_id in seen:
        raise source.error([*where, "id"], _("{rule!r} is used by an earlier rule").format(rule=rule_id))
    seen.add(rule_id)
    title = raw.get("title", rule_id)
    if not isinstance(title, str):
        raise source.error([*where, "title"], _("rule {rule}: must be a string").format(rule=rule_id))
    clock = raw.get("clock")
    percent = None
    after_due = None
    if clock is not None:
        if clock not in CLOCKS:
            raise source.error(
                [*where, "clock"],
                _("rule {rule}: {clock!r}; use {clocks}").format(
                    rule=rule_id, clock=clock, clocks=", ".join(CLOCKS)
                ),
            )
        if ("at" in raw) == ("after_due" in raw):
            raise source.error(
                [*where, "clock"],
                _('rule {rule}: give either at = "80%" or after_due = "2h"').format(rule=rule_id),
            )
        if "at" in raw:
            match = PERCENT.match(str(raw["at"]))
            if not match or int(match.group(1)) == 0:
                raise source.error(
                    [*where, "at"],
                    _('rule {rule}: {at!r} is not a share like "80%"').format(rule=rule_id, at=raw["at"]),
                )
            percent = int(match.group(1))
        else:
            try:
                after_due = parse_duration(raw["after_due"])
            except ValueError as e:
                raise source.error(
                    [*where, "after_due"], _("rule {rule}: {error}").format(rule=rule_id, error=e)
                ) from None
    elif "at" in raw or "after_due" in raw:
        raise source.error(
            [*where, "at" if "at" in raw else "after_due"],
            _("rule {rule}: needs a clock").format(rule=rule_id),
        )

    when_raw = raw.get("when", {})
    if not isinstance(when_raw, dict):
        raise source.error([*where, "when"], _("rule {rule}: must be a table").format(rule=rule_id))
    when: dict[str, Any] = {}
    for key, value in when_raw.items():
        keypath = [*where, "when", key]
        if key == "major":
            if not isinstance(value, bool):
                raise source.error(keypath, _("rule {rule}: must be true or false").format(rule=rule_id))
            when[key] = value
        elif key in LIST_CONDITIONS:
            when[key] = _strings(source, keypath, value)
            if key == "tier" and not set(when[key]) <= set(TIERS):
                raise source.error(
                    keypath, _("rule {rule}: tiers are {tiers}").format(rule=rule_id, tiers=", ".join(TIERS))
                )
            if key == "priority" and not set(when[key]) <= {"P1", "P2", "P3", "P4"}:
                raise source.error(
                    keypath, _("rule {rule}: priorities are P1, P2, P3, P4").format(rule=rule_id)
                )
        else:
            raise source.error(
                keypath,
                _("rule {rule}: unknown condition; use major, {conditions}").format(
                    rule=rule_id, conditions=", ".join(LIST_CONDITIONS)
                ),
            )

    do_raw = raw.get("do")
    if not isinstance(do_raw, dict) or not do_raw:
        raise source.error(
            [*where, "do"] if "do" in raw else where,
            _("rule {rule}: needs [rule.do] with an action").format(rule=rule_id),
        )
    do: dict[str, Any] = {}
    for key, value in do_raw.items():
        keypath = [*where, "do", key]
        if key == "notify":
            do[key] = tuple(_recipient(source, keypath, rule_id, v) for v in _strings(source, keypath, value))
        elif key == "escalate":
            if value not in ("L2", "L3"):
                raise source.error(keypath, _('rule {rule}: escalate to "L2" or "L3"').format(rule=rule_id))
            do[key] = value
        elif key in ("raise_priority", "mark_major"):
            if value is not True:
                raise source.error(
                    keypath,
                    _("rule {rule}: write {key} = true, or leave it out").format(rule=rule_id, key=key),
                )
            do[key] = True
        elif key == "note":
            if not isinstance(value, str) or not value.strip():
                raise source.error(keypath, _("rule {rule}: must be a non-empty string").format(rule=rule_id))
            do[key] = value.strip()
        else:
            raise source.error(
                keypath,
                _("rule {rule}: unknown action; use {actions}").format(
                    rule=rule_id, actions=", ".join(ACTIONS)
                ),
            )
    return Rule(id=rule_id, title=title, clock=clock, percent=percent, after_due=after_due, when=when, do=do)


def parse_rules(source: TomlSource) -> RuleSet:
    for key in source.data:
        if key != "rule":
            raise source.error([key], _("unknown key; rules are [[rule]] tables"))
    raw_rules = source.data.get("rule", [])
    if not isinstance(raw_rules, list):
        raise source.error(["rule"], _("write each rule as a [[rule]] table"))
    seen: set[str] = set()
    rules = tuple(_rule(source, i, raw, seen) for i, raw in enumerate(raw_rules))
    return RuleSet(rules=rules, source=str(source.path))


_cache: dict[tuple[str, float], RuleSet] = {}


def user_rules_file() -> Path:
    from xhsvc.config import paths

    return paths().config_dir / USER_FILE_NAME


def active_rules_file() -> Path:
    """The user's rules.toml when there is one (it replaces the shipped rules), else the shipped."""
    own = user_rules_file()
    return own if own.exists() else DEFAULTS_FILE


def load_rules(path: Path | None = None) -> RuleSet:
    path = path or active_rules_file()
    key = (str(path), path.stat().st_mtime if path.exists() else 0.0)
    if key not in _cache:
        _cache[key] = parse_rules(read_toml(path))
    return _cache[key]


# Matching ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What the conditions of a rule look at."""

    priority: str
    status: str
    tier: str
    level: str | None
    service: str
    channel: str
    customer: str
    region: str | None
    major: bool


def conditions_hold(rule: Rule, facts: Facts) -> bool:
    """Whether `facts` meet every condition of `rule` (`unmet_conditions` says which do not)."""
    for key, wanted in rule.when.items():
        actual = getattr(facts, key)
        if (actual != wanted) if key == "major" else (actual not in wanted):
            return False
    return True


def unmet_conditions(rule: Rule, facts: Facts) -> list[str]:
    """The conditions of `rule` that `facts` do not meet (empty: the ticket matches)."""
    unmet = []
    for key, wanted in rule.when.items():
        actual = getattr(facts, key)
        if key == "major":
            if actual != wanted:
                unmet.append(
                    _("major is {actual}, not {wanted}").format(
                        actual=str(actual).lower(), wanted=str(wanted).lower()
                    )
                )
        elif actual not in wanted:
            unmet.append(
                _("{condition} is {actual}, not {wanted}").format(
                    condition=key, actual=actual, wanted=_(" or ").join(wanted)
                )
            )
    return unmet
