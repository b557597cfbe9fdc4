"""The `xhsvc` command: global options, sub-apps, and errors mapped to exit codes."""

from __future__ import annotations

import gc
import os
import sys
from typing import Annotated, Any

import click
import typer
from typer.core import TyperGroup

from xhsvc import __version__
from xhsvc.cli import (
    assets,
    calendars,
    config_cmd,
    contacts,
    contracts,
    customers,
    db,
    lookup,
    notify,
    people,
    rules,
    setup,
    sites,
    sla,
    sync,
    tickets,
    transfer,
    tui,
    visits,
)
from xhsvc.cli.common import Globals, state
from xhsvc.errors import XhsvcError


class XhsvcGroup(TyperGroup):
    """Turns every typed core error into one line on stderr and its documented exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except XhsvcError as e:
            from xhsvc.core.text import display

            # Messages quote what was typed or stored: shown, never acted on by the terminal.
            typer.echo(f"error: {display(str(e))}", err=True)
            raise typer.Exit(e.exit_code) from None
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
        typer.Option("--as", help="Act as this person (scripts, tests) instead of the configured user."),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """xhsvc: tickets from the 24h hotline, contracts, escalation and approvals, SLA clocks."""
    globals_ = state(ctx)
    globals_.db = db
    globals_.as_person = as_person


app.add_typer(tickets.app, name="ticket")
app.add_typer(people.app, name="person")
app.add_typer(customers.app, name="customer")
app.add_typer(sites.app, name="site")
app.add_typer(contacts.app, name="contact")
app.add_typer(assets.app, name="asset")
app.add_typer(contracts.app, name="contract")
app.add_typer(calendars.app, name="calendar")
app.add_typer(sla.app, name="sla")
app.add_typer(rules.app, name="rules")
app.add_typer(visits.app, name="visit")
app.add_typer(notify.app, name="notify")
app.add_typer(config_cmd.app, name="config")
app.add_typer(db.app, name="db")
app.add_typer(sync.app, name="sync")
setup.register(app)
app.command()(lookup.lookup)
transfer.register(app)
app.command()(tui.tui)


def main() -> None:
    # `xhsvc` alone on a terminal opens the dashboard; in a script it prints the help.
    if len(sys.argv) == 1 and sys.stdin.isatty() and sys.stdout.isatty():
        sys.argv.append("tui")
    # What is imported lives until the end: the collector need not walk it again and again.
    gc.freeze()
    try:
        app(prog_name="xhsvc")
    except SystemExit as done:
        code = done.code
        if not isinstance(code, int):
            if code is not None:
                print(code, file=sys.stderr)
            code = 0 if code is None else 1
        _exit_now(code)
    _exit_now(0)


def _exit_now(code: int) -> None:
    """Leave once the output is out, without the interpreter's teardown of every imported module
    (a tenth of a second of garbage collection for nothing). The database was closed with the
    command (XhsvcGroup.invoke)."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        code = code or 0
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
