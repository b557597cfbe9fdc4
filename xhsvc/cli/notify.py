"""`xhsvc notify ...`: the notification outbox."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from xhsvc.cli import completers
from xhsvc.cli.common import JsonOption, core_context
from xhsvc.cli.output import more_note, print_json, print_table
from xhsvc.core.labels import notice_label, notice_state_label
from xhsvc.core.text import display
from xhsvc.i18n import N_, _
from xhsvc.lazy import lazy

core = lazy("xhsvc.core.notifications")

app = typer.Typer(
    help="Notifications owed to people (major incidents, approvals, assignments).", no_args_is_help=True
)


@app.command("list")
def list_(
    ctx: typer.Context,
    state: Annotated[
        str | None,
        typer.Option(
            "--state", help="pending, delivered or failed.", autocompletion=completers.notification_states
        ),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option(
            "--to", metavar="PERSON", help="Only for this person.", autocompletion=completers.people
        ),
    ] = None,
    mine: Annotated[bool, typer.Option("--mine", help="Only mine.")] = False,
    limit: Annotated[int, typer.Option("--limit", help="At most this many; 0 for all.")] = 500,
    json_out: JsonOption = False,
) -> None:
    """The outbox, newest first.

    \b
    Examples:
      xhsvc notify list --state pending
      xhsvc notify list --to zhoujian --limit 20 --json
    """
    rows = core.list_notifications(core_context(ctx), state=state, to=to, mine=mine, limit=limit)
    if json_out:
        print_json(rows)
        return
    for row in rows:
        row["reason"] = notice_label(row["reason"])
        row["state"] = notice_state_label(row["state"])
    print_table(
        rows,
        [
            ("created_at", N_("WHEN")),
            ("recipient", N_("TO")),
            ("reason", N_("WHY")),
            ("state", N_("STATE")),
            ("message", N_("MESSAGE")),
        ],
        empty=N_("no notifications"),
    )
    more_note(rows)


@app.command()
def flush(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", help="At most this many in one run.")] = 200,
    json_out: JsonOption = False,
) -> None:
    """Deliver pending notifications through `notify.command`. That command, set in config.toml, gets
    the message on stdin and XHSVC_TO, XHSVC_TO_EMAIL, XHSVC_TICKET ... in the environment; failed
    ones are retried next time, delivered ones never sent again. A command still running after
    `notify.timeout` (60 seconds unless set) is killed with everything it started and counts as
    failed. On SQLite one flush delivers at a time: another finds it busy and sends nothing. Exit 1
    when any delivery failed.

    \b
    Examples:
      xhsvc notify flush
      xhsvc notify flush --limit 50 --json
    """
    with _exit_on_sigterm():
        result = core.flush_notifications(core_context(ctx), limit=limit)
    if json_out:
        print_json(result)
    else:
        if result["busy"]:
            typer.echo(
                display(
                    _("another flush is delivering ({flush}); this one sent nothing").format(
                        flush=result["busy"]
                    )
                ),
                err=True,
            )
        for item in result["failed"]:
            typer.echo(
                display(
                    _("failed: {notification} to {person}: {error}").format(
                        notification=item["id"], person=item["to"], error=item["error"]
                    )
                ),
                err=True,
            )
        typer.echo(
            _("{delivered} delivered, {failed} failed").format(
                delivered=result["delivered"], failed=len(result["failed"])
            )
        )
    if result["failed"]:
        raise typer.Exit(1)


@contextmanager
def _exit_on_sigterm() -> Iterator[None]:
    """SIGTERM (an operator's kill, a job runner's stop) ends the flush as an exit does, so that
    the delivery under way is killed with its process group rather than left running alone."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)
