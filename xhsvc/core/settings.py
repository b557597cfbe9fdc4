"""Domain settings read from config.toml, validated once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from xhsvc.errors import InvalidInput
from xhsvc.i18n import _

# ITIL impact x urgency matrix: row = impact 1..4, column = urgency 1..4, value = priority 1..4.
DEFAULT_PRIORITY_MATRIX: tuple[tuple[int, ...], ...] = (
    (1, 1, 2, 3),
    (1, 2, 3, 3),
    (2, 3, 3, 4),
    (3, 3, 4, 4),
)
DEFAULT_TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class Settings:
    priority_matrix: tuple[tuple[int, ...], ...] = DEFAULT_PRIORITY_MATRIX
    timezone: str = DEFAULT_TIMEZONE
    extra: dict[str, Any] = field(default_factory=dict)


def settings_from_config(config: dict[str, Any]) -> Settings:
    matrix = DEFAULT_PRIORITY_MATRIX
    raw = config.get("priority", {}).get("matrix") if isinstance(config.get("priority"), dict) else None
    if raw is not None:
        ok = (
            isinstance(raw, list)
            and len(raw) == 4
            and all(isinstance(row, list) and len(row) == 4 for row in raw)
            and all(isinstance(v, int) and 1 <= v <= 4 for row in raw for v in row)
        )
        if not ok:
            raise InvalidInput(_("config priority.matrix: must be 4 rows of 4 whole numbers from 1 to 4"))
        matrix = tuple(tuple(row) for row in raw)
    tz = config.get("timezone", DEFAULT_TIMEZONE)
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(tz)
    except Exception as e:
        raise InvalidInput(
            _("config timezone: {timezone!r} is not a known time zone (e.g. Asia/Shanghai)").format(
                timezone=tz
            )
        ) from e
    extra = {key: config[key] for key in ("sla", "notify") if isinstance(config.get(key), dict)}
    _check_sla(extra.get("sla", {}))
    return Settings(priority_matrix=matrix, timezone=tz, extra=extra)


def _check_sla(sla: dict[str, Any]) -> None:
    """A mistake here would show up later as tickets without clocks: catch it when config is read."""
    level = sla.get("out_of_contract_level")
    if level is not None:
        from xhsvc.core.levels import load_levels

        known = load_levels()
        if level not in known:
            raise InvalidInput(
                _(
                    "config sla.out_of_contract_level: {level!r} is not a service level; use one of {levels}"
                ).format(level=level, levels=", ".join(known))
            )
    backdate = sla.get("max_backdate")
    if backdate is not None:
        from xhsvc.core.durations import parse_duration

        try:
            parse_duration(backdate)
        except ValueError as e:
            raise InvalidInput(_("config sla.max_backdate: {error}").format(error=e)) from None
