"""Knowledge notes on the dashboard: the notes alike to a call (the intake form) or a ticket (its
screen), and the note offered once a ticket is closed (Escape skips it).

Suggestions are read in a worker, a moment after the agent stops typing, so that the form never
waits for them; a note's texts are stored text and shown through `safe.plain`.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.text import Text
from textual.timer import Timer
from textual.widgets import Static
from textual.worker import get_current_worker

from xhsvc.core import knowledge, ticket_views, tickets
from xhsvc.errors import XhsvcError
from xhsvc.i18n import _
from xhsvc.tui.dialogs import Field, FormDialog, TextDialog
from xhsvc.tui.messages import Done, Failed, TicketRead
from xhsvc.tui.safe import plain

# How long the agent pauses typing before the notes are looked for, in seconds.
DEBOUNCE = 0.4
# What a line shows of a note's texts: the first line of each, cut here.
BRIEF = 40


def brief(text: str | None, width: int = BRIEF) -> str:
    first = (text or "").strip().splitlines()[:1]
    line = first[0] if first else ""
    return line if len(line) <= width else line[: width - 1] + "…"


def note_line(note: dict[str, Any]) -> Text:
    """`XH-KB00001  阵列频繁掉盘 → 更换背板电源模块  (XS-5000, same model)`, harmlessly."""
    line = Text(note["key"], style="bold")
    line.append("  ")
    line.append_text(plain(brief(note["symptom"])))
    line.append(" → ", style="dim")
    line.append_text(plain(brief(note["fix"])))
    model = note["model"] or _("any model")
    about = (
        _("({model}, same model)").format(model=model)
        if note.get("same_model")
        else _("({model})").format(model=model)
    )
    line.append_text(plain(f"  {about}", style="green" if note.get("same_model") else "dim"))
    return line


class SuggestedNotes(Static):
    """The knowledge notes for a ticket or a call being taken; not shown while there are none."""

    DEFAULT_CSS = """
    SuggestedNotes {
        margin-top: 1;
        height: auto;
    }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self.display = False
        self._timer: Timer | None = None
        self.notes: list[dict[str, Any]] = []

    def show_notes(self, found: dict[str, list[dict[str, Any]]]) -> None:
        """`found`: the ticket's own notes ("notes") and those suggested ("suggested")."""
        parts: list[Text] = []
        if found.get("notes"):
            parts.append(Text(_("Knowledge notes on this ticket"), style="bold"))
            parts += [note_line(n) for n in found["notes"]]
        if found.get("suggested"):
            parts.append(Text(_("Suggested knowledge notes (xhsvc kb show KEY)"), style="bold"))
            parts += [note_line(n) for n in found["suggested"]]
        self.notes = [*found.get("notes", []), *found.get("suggested", [])]
        self.update(Group(*parts))
        self.display = bool(parts)

    def look_soon(self, *, asset: str | None, text: str) -> None:
        """Look for notes alike to `text` (and the system `asset`) once typing pauses."""
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE, lambda: self._look(asset, text))

    def _look(self, asset: str | None, text: str) -> None:
        ctx = self.app.ctx  # type: ignore[attr-defined]

        def work() -> None:
            try:
                found = knowledge.suggest_for_call(ctx, asset=asset, text=text)
            except XhsvcError:
                return  # a hint, never in the way: nothing shown
            if not get_current_worker().is_cancelled:  # typed on since: a newer look shows
                self.app.call_from_thread(self.show_notes, {"suggested": found})

        self.run_worker(work, thread=True, exclusive=True, group="notes")


def close_then_offer_note(screen: Any, key: str) -> None:
    """Closing a ticket (from the queue or its screen): the close dialog, then, once closed, a knowledge note to write
    (for those who write notes; its symptom offered from the title, its fix from the resolution).
    Escape skips the note; the ticket stays closed."""
    screen._ask(
        TextDialog(
            _("Close {key}").format(key=key),
            prompt=_("Service report (optional: after on-site work xhsvc writes it from the ticket)"),
            required=False,
            ok=_("Close"),
        ),
        lambda report: _close(screen, key, report or None),
    )


def _close(screen: Any, key: str, report: str | None) -> None:
    ctx = screen.app.ctx

    def work() -> None:
        try:
            tickets.close_ticket(ctx, key=key, report=report)
            data = ticket_views.show_ticket(ctx, key=key)
            writer = knowledge.may_write(ctx)
        except XhsvcError as e:
            screen.post_message(Failed(str(e)))
            return
        screen.post_message(Done(key, _("closed")))
        if writer:
            screen.post_message(TicketRead(key, data, lambda read: offer_note(screen, read)))

    screen.run_worker(work, thread=True, group="actions")


def note_dialog(data: dict[str, Any]) -> FormDialog:
    return FormDialog(
        _("Knowledge note on {key}, for the next engineer with the same trouble (Escape skips)").format(
            key=data["key"]
        ),
        [
            Field("symptom", _("Symptom: what the customer saw"), kind="area", value=data["title"]),
            Field("cause", _("Cause (empty if unknown)"), kind="area", required=False),
            Field("fix", _("Fix: what fixed it"), kind="area", value=data["resolution"] or ""),
        ],
        ok=_("Save note"),
    )


def offer_note(screen: Any, data: dict[str, Any]) -> None:
    key = data["key"]

    def write(values: dict[str, Any]) -> None:
        ctx = screen.app.ctx

        def work() -> None:
            try:
                note = knowledge.add_note(
                    ctx,
                    ticket=key,
                    symptom=values["symptom"],
                    cause=values["cause"] or None,
                    fix=values["fix"],
                )
            except XhsvcError as e:
                screen.post_message(Failed(str(e)))
                return
            screen.post_message(Done(key, _("knowledge note {note} written").format(note=note["key"])))

        screen.run_worker(work, thread=True, group="actions")

    screen._ask(note_dialog(data), write)
