"""Where config and data live, and config.toml read and written.

`XHSVC_HOME` moves both config and data into one folder (tests use it); otherwise the
platform's user config and data dirs are used. `XHSVC_DB` (or `--db`) names any SQLAlchemy URL.

config.toml is the user's file as much as ours: every write (`config set`, `config unset`,
`init`, the dashboard's saved filter) goes through tomlkit and changes only the keys that
changed, so that comments, blank lines and the order of keys stay as the user wrote them.
Reading uses tomllib, which is in the standard library and quicker to import on every command.
"""

from __future__ import annotations

import functools
import math
import os
import re
import tomllib
import unicodedata
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xhsvc.errors import InvalidInput, NotFound
from xhsvc.i18n import N_, _

if TYPE_CHECKING:
    from tomlkit import TOMLDocument

APP_NAME = "xhsvc"
CONFIG_FILE = "config.toml"
DB_FILE = "xhsvc.db"


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


# Reading ----------------------------------------------------------------------------------------


def load_config(path: Path | None = None) -> dict[str, Any]:
    """Read config.toml; a missing file is an empty config, a broken one an error naming the file."""
    path = path or paths().config_file
    text = _read_text(path)
    if text is None:
        return {}
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InvalidInput(_("{path}: not valid TOML: {error}").format(path=path, error=e)) from e


def _read_text(path: Path) -> str | None:
    """config.toml's text as written (its own line endings kept); None when there is none."""
    try:
        with path.open(encoding="utf-8", newline="") as f:
            return f.read()
    except FileNotFoundError:
        return None
    except UnicodeDecodeError as e:
        raise InvalidInput(
            _("{path}: not UTF-8 text (byte {byte}); save it as UTF-8").format(path=path, byte=e.start)
        ) from None
    except OSError as e:
        raise InvalidInput(
            _("{path}: cannot read it ({error})").format(path=path, error=e.strerror or e)
        ) from None


def get_value(data: Mapping[str, Any], key: str) -> Any:
    """The value at a dotted key (`notify.command`), or None when it is not set."""
    node: Any = data
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def require_value(key: str, path: Path | None = None) -> Any:
    """The value at a dotted key of config.toml (a table for `notify`); exit 3 when it is not set."""
    value = get_value(load_config(path), key)
    if value is None:
        raise NotFound(_("config key {key!r} is not set").format(key=key))
    return value


# Changing ---------------------------------------------------------------------------------------


def set_value(data: dict[str, Any], key: str, value: Any) -> None:
    parts = key.split(".")
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise InvalidInput(_("config key {key!r}: {part!r} is not a table").format(key=key, part=part))
    node[parts[-1]] = value


def _handle(raw: str) -> str:
    # A person's id: whatever the database holds, it never has a blank or a control character.
    if not raw or any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf") for ch in raw):
        raise InvalidInput(
            _(
                "config user: {value!r} is not a person's id; give one without spaces or control characters "
                "(e.g. wangfang)"
            ).format(value=raw)
        )
    return raw


def _prefix(raw: str) -> str:
    from xhsvc.core.setup import validate_prefix  # the rule `init --prefix` and `sync node add` use

    try:
        return validate_prefix(raw)
    except InvalidInput as e:
        raise InvalidInput(_("config {error}").format(error=e)) from None


# What open_database can open; the URL's rest is SQLAlchemy's to judge when the database is opened.
_DB_SCHEME = re.compile(r"(?:sqlite|postgresql)(?:\+[A-Za-z0-9_]+)?://.*")


def _db(raw: str) -> str:
    if not _DB_SCHEME.fullmatch(raw):
        raise InvalidInput(
            _(
                "config db: {value!r} is not a database URL; use sqlite:///PATH or postgresql+psycopg://USER@HOST/NAME"
            ).format(value=raw)
        )
    return raw


def _timezone(raw: str) -> str:
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(raw)
    except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError
        raise InvalidInput(
            _("config timezone: {value!r} is not a known time zone (e.g. Asia/Shanghai)").format(value=raw)
        ) from None
    return raw


def _command(raw: str) -> str:
    if not raw.strip():
        raise InvalidInput(_("config notify.command: give the command that delivers a message"))
    return raw


def _seconds_or_span(raw: str) -> int | str:
    from xhsvc.core.notifications import timeout_seconds  # the rule `notify flush` applies

    timeout_seconds(raw)
    return int(raw) if raw.isdigit() else raw


def _language(raw: str) -> str:
    from xhsvc.i18n import LANGUAGES, language_of

    found = language_of(raw)
    if found is None:
        raise InvalidInput(
            _("config language: {value!r} is not one of {languages}").format(
                value=raw, languages=", ".join(LANGUAGES)
            )
        )
    return found


def _text(raw: str) -> str:
    # Checked with the whole config below (settings_from_config names the key).
    return raw


# Keys `xhsvc config set` changes, each with the check that turns the text typed into its value.
KNOWN_KEYS: dict[str, Callable[[str], Any]] = {
    "db": _db,
    "language": _language,
    "notify.command": _command,
    "notify.timeout": _seconds_or_span,
    "prefix": _prefix,
    "sla.max_backdate": _text,
    "sla.out_of_contract_level": _text,
    "timezone": _timezone,
    "user": _handle,
}
# Tables xhsvc reads that `config set` does not write: what to do instead.
_WRITTEN_ELSEWHERE = {
    "priority": N_("edit the priority matrix in {file}"),
    "tui": N_("the dashboard saves its filter there; edit {file} to change it by hand"),
}


def parse_value(key: str, raw: str) -> Any:
    """Turn the text given to `config set` into the value the key needs, or say what is allowed."""
    check = KNOWN_KEYS.get(key)
    if check is not None:
        return check(raw)
    hint = _WRITTEN_ELSEWHERE.get(key.split(".")[0])
    if hint is not None:
        raise InvalidInput(
            _("config key {key!r}: {hint}").format(key=key, hint=_(hint).format(file=paths().config_file))
        )
    raise NotFound(
        _("config key {key!r} is not one xhsvc knows; known keys: {keys}").format(
            key=key, keys=", ".join(KNOWN_KEYS)
        )
    )


def set_key(key: str, raw: str, path: Path | None = None) -> tuple[Any, Path]:
    """`config set`: check the key and the value, then write only that key. Returns the value
    written and the file; a refused value writes nothing."""
    value = parse_value(key, raw)
    data = load_config(path)
    set_value(data, key, value)
    from xhsvc.core.settings import settings_from_config

    settings_from_config(data)  # a value the desk cannot use is refused here, not in a later command
    return value, save_config(data, path)


def unset_key(key: str, path: Path | None = None) -> Path:
    """`config unset`: remove a dotted key (exit 3 when it is not set); everything else stays."""
    data = load_config(path)
    *parents, last = key.split(".")
    table = get_value(data, ".".join(parents)) if parents else data
    if not isinstance(table, dict) or last not in table:
        raise NotFound(_("config key {key!r} is not set").format(key=key))
    del table[last]
    return save_config(data, path)


def save_config(data: Mapping[str, Any], path: Path | None = None) -> Path:
    """Make config.toml hold `data`, changing only what differs from the file, and write it
    atomically so that a crash never leaves half a file."""
    path = path or paths().config_file
    # A config.toml linked from a dotfiles folder stays a link: the file it points to is written.
    if path.is_symlink():
        path = path.resolve()
    document = _read_document(path)
    from tomlkit.exceptions import TOMLKitError

    try:
        _merge(document, data)
        text = document.as_string()
    except (TOMLKitError, TypeError, ValueError) as e:
        raise InvalidInput(_("{path}: cannot write that ({error})").format(path=path, error=e)) from None
    # tomlkit keeps what it cannot fully model; should it ever write something that reads back
    # differently, the user's file is left as it is rather than changed into something else.
    try:
        written = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        written = None
    if written is None or not _same(written, data):
        raise InvalidInput(
            _("{path}: cannot change it without disturbing its layout; edit it by hand").format(path=path)
        )
    _write(path, text)
    return path


def _read_document(path: Path) -> TOMLDocument:
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    text = _read_text(path)
    if text is None:
        return tomlkit.document()
    try:
        return tomlkit.parse(text)
    except TOMLKitError as e:
        raise InvalidInput(_("{path}: not valid TOML: {error}").format(path=path, error=e)) from None


def _merge(table: MutableMapping[str, Any], data: Mapping[str, Any]) -> None:
    """Make a tomlkit table hold `data`, touching only what differs: an unchanged value keeps its
    spelling and comments, a removed key goes with its line, a new key comes after the others."""
    for key in [key for key in table if key not in data]:
        del table[key]
    for key, value in data.items():
        if key in table:
            old = table[key]
            if isinstance(value, Mapping) and isinstance(old, MutableMapping):
                _merge(old, value)
                continue
            if _same(_unwrapped(old), value):
                continue
        table[key] = value


def _unwrapped(item: Any) -> Any:
    return item.unwrap() if hasattr(item, "unwrap") else item


def _same(a: Any, b: Any) -> bool:
    """Equal and of the same types all the way down (1 == True, but a flag is not a number)."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def _write(path: Path, text: str) -> None:
    try:
        if not path.parent.is_dir():
            path.parent.mkdir(mode=0o700, parents=True)
        # A file of its own for each writer (the dashboard and a command may save at once), made
        # readable by its owner only: it names the database, perhaps with a password in its URL.
        import tempfile  # only when writing: the commands that only read config never need it

        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            tmp.chmod(0o600)
            tmp.replace(path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as e:
        raise InvalidInput(
            _("{path}: cannot write it ({error})").format(path=path, error=e.strerror or e)
        ) from None


# Showing ----------------------------------------------------------------------------------------

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def toml_key(part: str) -> str:
    return part if _BARE_KEY.fullmatch(part) else toml_value(part)


def toml_value(value: Any) -> str:
    """A value in TOML syntax, on one line (a table as an inline table)."""
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    import tomlkit

    return tomlkit.item(value).as_string()


def toml_lines(table: Mapping[str, Any], prefix: str = "") -> list[str]:
    """`key = value` lines for every key set in a table, nested tables as dotted keys."""
    lines: list[str] = []
    for key, value in table.items():
        dotted = prefix + toml_key(key)
        if isinstance(value, Mapping):
            lines += toml_lines(value, dotted + ".")
        else:
            lines.append(f"{dotted} = {toml_value(value)}")
    return lines


def plain(value: Any) -> str:
    """A scalar as `config get` prints it: text as it is, anything else in TOML syntax."""
    return value if isinstance(value, str) else toml_value(value)


def json_ready(value: Any) -> Any:
    """A config value JSON can carry: TOML's dates and times as ISO text."""
    if isinstance(value, Mapping):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_ready(v) for v in value]
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


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
