"""`xhsvc config ...`: read and change config.toml (comments and layout kept, see xhsvc.config)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

import typer

from xhsvc import config
from xhsvc.cli.common import JsonOption
from xhsvc.cli.output import print_json, say
from xhsvc.i18n import _

app = typer.Typer(help="Configuration (config.toml).", no_args_is_help=True)

KeyArg = Annotated[
    str, typer.Argument(help="Dotted key, e.g. user, timezone or notify.command.", show_default=False)
]


@app.command("list")
def list_(json_out: JsonOption = False) -> None:
    """Print every setting of config.toml as `key = value` lines (nested tables as dotted keys).

    \b
    Examples:
      xhsvc config list
    """
    data = config.load_config()
    if json_out:
        print_json(config.json_ready(data))
        return
    for line in config.toml_lines(data):
        say(line)


@app.command()
def get(key: KeyArg, json_out: JsonOption = False) -> None:
    """Print one setting, a table as `key = value` lines (exit 3 when it is not set).

    \b
    Examples:
      xhsvc config get user
      xhsvc config get notify --json
    """
    value = config.require_value(key)
    if json_out:
        print_json(config.json_ready(value))
    elif isinstance(value, Mapping):
        for line in config.toml_lines(value):
            say(line)
    else:
        say(config.plain(value))


@app.command("set")
def set_(key: KeyArg, value: Annotated[str, typer.Argument(show_default=False)]) -> None:
    """Change one setting; an unknown key (exit 3) or a value it cannot take (exit 2) writes nothing.

    \b
    Examples:
      xhsvc config set user wangfang
      xhsvc config set notify.timeout 30
    """
    written, path = config.set_key(key, value)
    say(f"{key} = {config.toml_value(written)} ({path})")


@app.command()
def unset(key: KeyArg) -> None:
    """Remove one setting, or a whole table (exit 3 when it is not set).

    \b
    Examples:
      xhsvc config unset notify.timeout
    """
    path = config.unset_key(key)
    say(_("{key} removed ({file})").format(key=key, file=path))


@app.command()
def path() -> None:
    """Where config.toml and the default database live.

    \b
    Examples:
      xhsvc config path
    """
    paths = config.paths()
    say(_("config: {file}").format(file=paths.config_file))
    say(_("data:   {folder}").format(folder=paths.data_dir))
    say(_("db:     {url}").format(url=config.db_url(None, config.load_config())))
