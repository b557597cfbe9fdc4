"""The `xhsvc` command: global options, sub-apps, and errors mapped to exit codes."""

from __future__ import annotations

import gc
import importlib
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from xhsvc import __version__
from xhsvc.cli import completers, usage
from xhsvc.cli.common import state
from xhsvc.cli.global_options import Globals
from xhsvc.cli.helptext import readable_command, readable_params
from xhsvc.cli.params import plain_command, plain_params
from xhsvc.cli.process import choose_language, exit_now, report_error
from xhsvc.collector import start_collector
from xhsvc.errors import XhsvcError
from xhsvc.i18n import _, translate_command

if TYPE_CHECKING:
    # Types only: a Typer that carries its own copy of click never imports this one (30 ms).
    import click

# Every command under the root, in the order help lists them, with the module of xhsvc.cli that
# declares it: a sub-app (`app`), commands it adds with `register(app)`, or a function of the
# command's name. Only the one invoked is imported and built (Typer would build all 85 at every
# call otherwise).
COMMANDS: dict[str, str] = {
    "ticket": "tickets",
    "person": "people",
    "customer": "customers",
    "branch": "organization",
    "partner": "organization",
    "site": "sites",
    "contact": "contacts",
    "asset": "assets",
    "contract": "contracts",
    "calendar": "calendars",
    "sla": "sla",
    "rules": "rules",
    "visit": "visits",
    "worklog": "worklogs",
    "report": "reports",
    "kb": "knowledge",
    "notify": "notify",
    "config": "config_cmd",
    "db": "db",
    "sync": "sync",
    "init": "setup",
    "demo": "setup",
    "lookup": "lookup",
    "import": "transfer",
    "export": "transfer",
    "tui": "tui",
    "batch": "batch",
}


def _build(name: str) -> click.Command:
    module = importlib.import_module(f"xhsvc.cli.{COMMANDS[name]}")
    holder = typer.Typer(rich_markup_mode=None, pretty_exceptions_enable=False)
    if hasattr(module, "register"):
        module.register(holder)
    elif hasattr(module, "app"):
        holder.add_typer(module.app, name=name)
    else:
        holder.command()(getattr(module, name))
    return typer.main.get_group(holder).commands[name]


def _translate(command: click.Command, ctx: click.Context) -> None:
    """A built command's help, and its -h option's, in the interface's language."""
    translate_command(command)
    _translate_help_option(command, ctx)


def _translate_help_option(command: click.Command, ctx: click.Context) -> None:
    option = command.get_help_option(ctx)
    if option is not None and option.help:
        option.help = _(option.help)
    for sub in getattr(command, "commands", {}).values():
        _translate_help_option(sub, ctx)


usage.install()


class XhsvcGroup(TyperGroup):
    """Loads a sub-command when it is asked for, and turns every typed core error into one line
    on stderr and its documented exit code."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or "-h" in args or "--help" in args:
            from xhsvc.cli.helpwrap import install

            install()  # a help page: wrapped by terminal columns (Chinese takes two each)
        # Typer adds its completion options after building the group: all are here by now.
        plain_params(self.get_params(ctx))
        readable_params(self.get_params(ctx))
        _translate(self, ctx)
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            self.commands[cmd_name] = command = _build(cmd_name)
            plain_command(command, ctx)
            readable_command(command, COMMANDS)
            _translate(command, ctx)
        return self.commands.get(cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except XhsvcError as e:
            raise typer.Exit(report_error(e)) from None
        finally:
            if isinstance(ctx.obj, Globals):
                ctx.obj.close()


app = typer.Typer(
    cls=XhsvcGroup,
    name="xhsvc",
    help="xhsvc: the after-sales service desk, from the terminal.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"xhsvc {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db", envvar="XHSVC_DB", help="SQLAlchemy database URL (default: SQLite in the data dir)."
        ),
    ] = None,
    as_person: Annotated[
        str | None,
        typer.Option(
            "--as",
            help="Act as this person (scripts, tests) instead of the configured user.",
            autocompletion=completers.people,
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """xhsvc: tickets from the 24h hotline, contracts, escalation and approvals, SLA clocks."""
    globals_ = state(ctx)
    # Inside `xhsvc batch` a line's own options win; those of the batch hold otherwise.
    if db is not None:
        globals_.db = db
    if as_person is not None:
        globals_.as_person = as_person


def main(desk: Globals | None = None) -> None:
    """The CLI on sys.argv (from the launcher, cli/launch.py); `desk` holds what was begun before
    it was imported."""
    start_collector()
    choose_language()
    gc.freeze()
    try:
        app(prog_name="xhsvc", obj=desk)
    except SystemExit as done:
        code = done.code
        if not isinstance(code, int):
            if code is not None:
                print(code, file=sys.stderr)
            code = 0 if code is None else 1
        exit_now(code)
    exit_now(0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
