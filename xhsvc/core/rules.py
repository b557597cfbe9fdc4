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
            return "whenever its conditions hold"
        if self.percent is not None:
            return f"{self.clock} clock at {self.percent}%"
        return f"{self.clock} clock overdue by {self.after_due}"


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    source: str


def _strings(source: TomlSource, keypath: list[str], value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise source.error(keypath, 'must be a list of values, e.g. ["P1", "P2"]')
    return tuple(value)


def _recipient(source: TomlSource, keypath: list[Any], rule_id: str, value: str) -> str:
    if value == "assignee":
        return value
    kind, _, name = value.partition(":")
    if kind == "role" and name in ROLES and name != "system":
        return value
    if kind == "person" and name:
        return value
    raise source.error(
        keypath,
        f"rule {rule_id}: {value!r}: use 'assignee', 'role:agent|engineer|expert|manager|admin' or 'person:ID'",
    )


def _rule(source: TomlSource, index: int, raw: Any, seen: set[str]) -> Rule:
    # Errors name this rule's keys by its place among the [[rule]] tables (0-based), and its id.
    where: list[Any] = ["rule", index]
    if not isinstance(raw, dict):
        raise source.error(where, "each [[rule]] must be a table")
    rule_id = raw.get("id")
    for key in raw:
        if key not in RULE_KEYS:
            raise source.error(
                [*where, key], f"unknown key in rule {rule_id or index}; allowed: {', '.join(RULE_KEYS)}"
            )
    if not isinstance(rule_id, str) or not ID_PATTERN.match(rule_id):
        raise source.error(
            [*where, "id"], f"rule {index + 1}: id must be lowercase letters, digits, '-' or '_'"
        )
    if rule_id in seen:
        raise source.error([*where, "id"], f"{rule_id!r} is used by an earlier rule")
    seen.add(rule_id)
    title = raw.get("title", rule_id)
    if not isinstance(title, str):
        raise source.error([*where, "title"], f"rule {rule_id}: must be a string")
    clock = raw.get("clock")
    percent = None
    after_due = None
    if clock is not None:
        if clock not in CLOCKS:
            raise source.error([*where, "clock"], f"rule {rule_id}: {clock!r}; use {', '.join(CLOCKS)}")
        if ("at" in raw) == ("after_due" in raw):
            raise source.error(
                [*where, "clock"], f'rule {rule_id}: give either at = "80%" or after_due = "2h"'
            )
        if "at" in raw:
            match = PERCENT.match(str(raw["at"]))
            if not match or int(match.group(1)) == 0:
                raise source.error([*where, "at"], f'rule {rule_id}: {raw["at"]!r} is not a share like "80%"')
            percent = int(match.group(1))
        else:
            try:
                after_due = parse_duration(raw["after_due"])
            except ValueError as e:
                raise source.error([*where, "after_due"], f"rule {rule_id}: {e}") from None
    elif "at" in raw or "after_due" in raw:
        raise source.error([*where, "at" if "at" in raw else "after_due"], f"rule {rule_id}: needs a clock")

    when_raw = raw.get("when", {})
    if not isinstance(when_raw, dict):
        raise source.error([*where, "when"], f"rule {rule_id}: must be a table")
    when: dict[str, Any] = {}
    for key, value in when_raw.items():
        keypath = [*where, "when", key]
        if key == "major":
            if not isinstance(value, bool):
                raise source.error(keypath, f"rule {rule_id}: must be true or false")
            when[key] = value
        elif key in LIST_CONDITIONS:
            when[key] = _strings(source, keypath, value)
            if key == "tier" and not set(when[key]) <= set(TIERS):
                raise source.error(keypath, f"rule {rule_id}: tiers are {', '.join(TIERS)}")
            if key == "priority" and not set(when[key]) <= {"P1", "P2", "P3", "P4"}:
                raise source.error(keypath, f"rule {rule_id}: priorities are P1, P2, P3, P4")
        else:
            raise source.error(
                keypath, f"rule {rule_id}: unknown condition; use major, {', '.join(LIST_CONDITIONS)}"
            )

    do_raw = raw.get("do")
    if not isinstance(do_raw, dict) or not do_raw:
        raise source.error(
            [*where, "do"] if "do" in raw else where, f"rule {rule_id}: needs [rule.do] with an action"
        )
    do: dict[str, Any] = {}
    for key, value in do_raw.items():
        keypath = [*where, "do", key]
        if key == "notify":
            do[key] = tuple(_recipient(source, keypath, rule_id, v) for v in _strings(source, keypath, value))
        elif key == "escalate":
            if value not in ("L2", "L3"):
                raise source.error(keypath, f'rule {rule_id}: escalate to "L2" or "L3"')
            do[key] = value
        elif key in ("raise_priority", "mark_major"):
            if value is not True:
                raise source.error(keypath, f"rule {rule_id}: write {key} = true, or leave it out")
            do[key] = True
        elif key == "note":
            if not isinstance(value, str) or not value.strip():
                raise source.error(keypath, f"rule {rule_id}: must be a non-empty string")
            do[key] = value.strip()
        else:
            raise source.error(keypath, f"rule {rule_id}: unknown action; use {', '.join(ACTIONS)}")
    return Rule(id=rule_id, title=title, clock=clock, percent=percent, after_due=after_due, when=when, do=do)


def parse_rules(source: TomlSource) -> RuleSet:
    for key in source.data:
        if key != "rule":
            raise source.error([key], "unknown key; rules are [[rule]] tables")
    raw_rules = source.data.get("rule", [])
    if not isinstance(raw_rules, list):
        raise source.error(["rule"], "write each rule as a [[rule]] table")
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


def unmet_conditions(rule: Rule, facts: Facts) -> list[str]:
    """The conditions of `rule` that `facts` do not meet (empty: the ticket matches)."""
    unmet = []
    for key, wanted in rule.when.items():
        actual = getattr(facts, key)
        if key == "major":
            if actual != wanted:
                unmet.append(f"major is {str(actual).lower()}, not {str(wanted).lower()}")
        elif actual not in wanted:
            unmet.append(f"{key} is {actual}, not {' or '.join(wanted)}")
    return unmet
