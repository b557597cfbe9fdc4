"""Where config and data live, and config.toml read and written.

`XHSVC_HOME` moves both config and data into one folder (tests use it); otherwise the
platform's user config and data dirs are used. `XHSVC_DB` (or `--db`) names any SQLAlchemy URL.
"""

from __future__ import annotations

import functools
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xhsvc.errors import InvalidInput

APP_NAME = "xhsvc"
CONFIG_FILE = "config.toml"
DB_FILE = "xhsvc.db"

# Keys a user may set with `xhsvc config set`, with the type each must have.
KNOWN_KEYS: dict[str, type] = {
    "user": str,
    "prefix": str,
    "db": str,
    "timezone": str,
}


@dataclass(frozen=True)
class Paths:
    config_dir: Path
    data_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / CONFIG_FILE

    @property
    def default_db_url(self) -> str:
        return f"sqlite:///{self.data_dir / DB_FILE}"


def paths() -> Paths:
    """Where config and data live, from the environment (asked for at every clock of a sweep)."""
    env = os.environ
    return _paths(
        env.get("XHSVC_HOME"), env.get("HOME"), env.get("XDG_CONFIG_HOME"), env.get("XDG_DATA_HOME")
    )


@functools.lru_cache(maxsize=8)
def _paths(home: str | None, *_platform_inputs: str | None) -> Paths:
    if home:
        base = Path(home).expanduser()
        return Paths(config_dir=base, data_dir=base)
    import platformdirs

    return Paths(
        config_dir=Path(platformdirs.user_config_dir(APP_NAME)),
        data_dir=Path(platformdirs.user_data_dir(APP_NAME)),
    )


def load_config(path: Path | None = None) -> dict[str, Any]:
    """Read config.toml; a missing file is an empty config, a broken one an error naming the file."""
    path = path or paths().config_file
    if not path.exists():
        return {}
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise InvalidInput(f"{path}: not valid TOML: {e}") from e
    except UnicodeDecodeError as e:
        raise InvalidInput(f"{path}: not UTF-8 text (byte {e.start}); save it as UTF-8") from None
    except OSError as e:
        raise InvalidInput(f"{path}: cannot read it ({e.strerror or e})") from None


def save_config(data: dict[str, Any], path: Path | None = None) -> Path:
    """Write config.toml atomically so that a crash never leaves half a file."""
    import tomli_w

    path = path or paths().config_file
    if not path.parent.is_dir():
        path.parent.mkdir(mode=0o700, parents=True)
    tmp = path.with_suffix(".toml.tmp")
    # Readable by its owner only: it names the database, perhaps with a password in its URL.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(tomli_w.dumps(data))
    tmp.chmod(0o600)
    tmp.replace(path)
    return path


def get_value(data: dict[str, Any], key: str) -> Any:
    node: Any = data
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def set_value(data: dict[str, Any], key: str, value: Any) -> None:
    parts = key.split(".")
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise InvalidInput(f"config key {key!r}: {part!r} is not a table")
    node[parts[-1]] = value


def parse_value(key: str, raw: str) -> Any:
    """Turn the text given to `config set` into the type the key needs."""
    if key in KNOWN_KEYS:
        return raw
    if key.startswith("priority."):
        raise InvalidInput(f"config key {key!r}: edit the priority matrix in {paths().config_file}")
    lowered = raw.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        return int(raw)
    except ValueError:
        return raw


def db_url(explicit: str | None = None, config: dict[str, Any] | None = None) -> str:
    """The database to open: --db, then XHSVC_DB, then config `db`, then the default SQLite file."""
    if explicit:
        return explicit
    env = os.environ.get("XHSVC_DB")
    if env:
        return env
    if config and config.get("db"):
        return str(config["db"])
    return paths().default_db_url
