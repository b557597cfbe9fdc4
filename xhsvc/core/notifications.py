"""The notification outbox: what is owed to whom, and why."""

from __future__ import annotations

import os
import subprocess
from datetime import timedelta
from typing import Any

from xhsvc.core.context import Context
from xhsvc.errors import InvalidInput, NotFound
from xhsvc.store import events, queries

STATES = ("pending", "delivered", "failed")


def list_notifications(
    ctx: Context, *, state: str | None = None, to: str | None = None, mine: bool = False, limit: int = 500
) -> list[dict[str, Any]]:
    if state is not None and state not in STATES:
        raise InvalidInput(f"state {state!r}: must be one of {', '.join(STATES)}")
    with ctx.reading() as tx:
        recipient_id = None
        if mine:
            recipient_id = tx.me().id
        elif to:
            person = queries.get_person(tx.conn, to)
            if person is None:
                raise NotFound(f"person {to!r} not found")
            recipient_id = person.id
        return queries.notification_listing(
            tx.conn, state=state, recipient_id=recipient_id, limit=limit or None
        )


CLAIM_TIMEOUT = timedelta(minutes=10)
COMMAND_TIMEOUT_S = 60


def _delivery_command(ctx: Context) -> str:
    command = ctx.settings.extra.get("notify", {}).get("command")
    if not isinstance(command, str) or not command.strip():
        raise InvalidInput(
            "notify flush: no delivery command; set it in config.toml, e.g. "
            'xhsvc config set notify.command \'mail -s "$XHSVC_SUBJECT" "$XHSVC_TO_EMAIL"\''
        )
    return command


def _deliver(command: str, item: dict[str, Any]) -> str | None:
    """Run the delivery command for one message; None when it worked, else the error."""
    env = {
        **os.environ,
        "XHSVC_NOTIFICATION_ID": item["id"],
        "XHSVC_TO": item["recipient"],
        "XHSVC_TO_NAME": item["recipient_name"] or "",
        "XHSVC_TO_EMAIL": item["recipient_email"] or "",
        "XHSVC_TO_PHONE": item["recipient_phone"] or "",
        "XHSVC_REASON": item["reason"],
        "XHSVC_TICKET": item["ticket"] or "",
        "XHSVC_CREATED_AT": item["created_at"].isoformat(),
        "XHSVC_SUBJECT": item["message"].splitlines()[0][:120],
    }
    try:
        done = subprocess.run(
            ["/bin/sh", "-c", command],
            input=item["message"],
            text=True,
            capture_output=True,
            env=env,
            timeout=COMMAND_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        return f"timed out after {COMMAND_TIMEOUT_S}s"
    except OSError as e:
        return f"could not run the command: {e}"
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        return f"exit {done.returncode}" + (f": {detail[-1]}" if detail else "")
    return None


def flush_notifications(ctx: Context, *, limit: int = 200) -> dict[str, Any]:
    """Deliver pending (and earlier failed) notifications through the configured command.

    Each is claimed first, so two flushes never send the same one; a delivered one is never sent
    again; a failed one is retried by the next flush, its error kept.
    """
    command = _delivery_command(ctx)
    now = ctx.now()
    with ctx.writing(actor_required=False) as tx:
        batch = queries.claim_notifications(tx.conn, now=now, stale_before=now - CLAIM_TIMEOUT, limit=limit)
    delivered, failed = [], []
    for item in batch:
        error = _deliver(command, item)
        with ctx.writing(actor_required=False) as tx:
            at = ctx.now()
            changes: dict[str, Any] = {"attempts": item["attempts"] + 1}
            if error is None:
                changes.update(state="delivered", delivered_at=at, error=None)
                delivered.append(item["id"])
            else:
                changes.update(state="failed", error=error)
                failed.append({"id": item["id"], "to": item["recipient"], "error": error})
            events.append(
                tx.conn,
                tx.origin,
                entity="notification",
                entity_id=item["id"],
                ticket_id=item["ticket_id"],
                kind=f"notification.{changes['state']}",
                payload={"set": changes, "summary": f"notice to {item['recipient']} {changes['state']}"},
            )
            queries.release_notification(tx.conn, item["id"])
    return {"delivered": len(delivered), "failed": failed, "claimed": len(batch)}
