"""`xhsvc config ...`: read and change config.toml."""

from __future__ import annotations

from typing import Annotated

import typer

from xhsvc import config
from xhsvc.cli.common import JsonOption
from xhsvc.cli.output import print_json, say

app = typer.Typer(help="Configuration (config.toml).", no_args_is_help=True)

KeyArg = Annotated[str, typer.Argument(help="Dotted key, e.g. user or timezone.", show_default=False)]


@app.command()
def get(key: KeyArg, json_out: JsonOption = False) -> None:
    """Print one setting (exit 3 when it is not set)."""
    value = config.get_value(config.load_config(), key)
    if value is None:
        typer.echo(f"error: config key {key!r} is not set", err=True)
        raise typer.Exit(3)
    if json_out:
        print_json(value)
    else:
        say(str(value))


@app.command("set")
def set_(key: KeyArg, value: Annotated[str, typer.Argument(show_default=False)]) -> None:
    """Change one setting."""
    data = config.load_config()
    parsed = config.parse_value(key, value)
    config.set_value(data, key, parsed)
    from xhsvc.core.settings import settings_from_config

    settings_from_config(data)  # a value the desk cannot use is refused here, not in a later command
    path = config.save_config(data)
    say(f"{key} = {parsed!r} ({path})")


@app.command()
def path() -> None:
    """Where config.toml and the default database live."""
    paths = config.paths()
    say(f"config: {paths.config_file}")
    say(f"data:   {paths.data_dir}")
    say(f"db:     {config.db_url(None, config.load_config())}")
