"""Small modal dialogs: a line of text (a reason, a note), a short form, a yes/no question.

A question often quotes stored text (a ticket's title, the reason of a request, a customer's name):
it is shown through `safe.plain`, never read as markup, its control characters made visible.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static
from textual_autocomplete import AutoComplete, DropdownItem

from xhsvc.i18n import _
from xhsvc.tui.safe import plain


def _question(text: str | Text) -> Static:
    """A str quotes stored text: one line as display() shows it, so that a newline in a stored
    reason cannot forge a line of the question. A Text is built by the caller from safe pieces."""
    return Static(text if isinstance(text, Text) else plain(text), id="dialog-title")


class TextDialog(ModalScreen[str | None]):
    """Ask for one line of text; Enter accepts, Escape cancels. A proposed `value` is there
    already, selected: Enter takes it, typing replaces it."""

    BINDINGS = [Binding("escape", "cancel", _("Cancel"))]

    def __init__(
        self,
        title: str | Text,
        *,
        prompt: str = "",
        placeholder: str = "",
        required: bool = True,
        suggestions: Callable[[], list[str]] | None = None,
        ok: str = "",
        value: str = "",
    ) -> None:
        super().__init__()
        self.title_text = title
        self.prompt = prompt
        self.value = value
        self.placeholder = placeholder
        self.required = required
        self.suggestions = suggestions
        self.ok = ok or _("OK")

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield _question(self.title_text)
            if self.prompt:
                yield Label(self.prompt, classes="field-label", markup=False)
            field = Input(self.value, placeholder=self.placeholder, id="dialog-input")
            yield field
            if self.suggestions is not None:
                items = [DropdownItem(s) for s in self.suggestions()]
                yield AutoComplete(field, candidates=items)
            with Horizontal(id="dialog-buttons"):
                yield Button(self.ok, variant="primary", id="ok")
                yield Button(_("Cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#dialog-input", Input).focus()

    @on(Input.Submitted, "#dialog-input")
    @on(Button.Pressed, "#ok")
    def accept(self) -> None:
        value = self.query_one("#dialog-input", Input).value.strip()
        if self.required and not value:
            self.notify(_("please fill it in (Escape cancels)"), severity="warning")
            return
        self.dismiss(value)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question about something that cannot be undone.

    The safe answer has the focus, so Enter alone changes nothing: `y` or the button confirms."""

    BINDINGS = [
        Binding("escape,n", "answer(False)", _("Keep it")),
        Binding("y", "answer(True)", _("Yes")),
    ]

    def __init__(self, question: str | Text, *, ok: str = "", keep: str = "") -> None:
        super().__init__()
        self.question = question
        self.ok = ok or _("Yes")
        self.keep = keep or _("No, keep it")

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield _question(self.question)
            with Horizontal(id="dialog-buttons"):
                yield Button(f"{self.ok} (y)", variant="error", id="ok")
                yield Button(f"{self.keep} (n)", variant="primary", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    @on(Button.Pressed, "#ok")
    def confirmed(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def kept(self) -> None:
        self.dismiss(False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


@dataclass
class Field:
    """One field of a FormDialog: a line (`text`), a block (`area`) or a choice (`select`)."""

    name: str
    label: str
    kind: str = "text"
    required: bool = True
    placeholder: str = ""
    options: list[tuple[str, Any]] = field(default_factory=list)
    value: Any = None


class FormDialog(ModalScreen[dict[str, Any] | None]):
    """A few fields at once (a review's root cause and actions; impact, urgency and why).

    Enter in a line goes to the next field and accepts on the last; ctrl+s accepts from anywhere
    (Enter in a block is a new line). `describe` turns the values into a line shown under the
    fields as they change (the priority that impact and urgency make)."""

    BINDINGS = [Binding("escape", "cancel", _("Cancel")), Binding("ctrl+s", "accept", _("Save"))]

    def __init__(
        self,
        title: str | Text,
        fields: list[Field],
        *,
        ok: str = "",
        describe: Callable[[dict[str, Any]], str] | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.fields = fields
        self.ok = ok or _("OK")
        self.describe = describe

    def compose(self) -> ComposeResult:
        # Imported here, not with the module: the dashboard imports this module at start, and
        # these two cost it ~10 ms that only a form needs.
        from textual.widgets import Select, TextArea

        with Vertical(id="dialog", classes="form"):
            yield _question(self.title_text)
            with VerticalScroll(id="form-fields"):
                for f in self.fields:
                    yield Label(f.label, classes="field-label", markup=False)
                    if f.kind == "area":
                        yield TextArea(f.value or "", id=f"field-{f.name}", classes="area")
                    elif f.kind == "select":
                        yield Select(f.options, value=f.value, allow_blank=False, id=f"field-{f.name}")
                    else:
                        yield Input(f.value or "", placeholder=f.placeholder, id=f"field-{f.name}")
                if self.describe is not None:
                    yield Static("", id="form-description")
            with Horizontal(id="dialog-buttons"):
                yield Button(f"{self.ok} (ctrl+s)", variant="primary", id="ok")
                yield Button(_("Cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one(f"#field-{self.fields[0].name}").focus()
        self.changed()

    def values(self) -> dict[str, Any]:
        from textual.widgets import Select, TextArea

        out: dict[str, Any] = {}
        for f in self.fields:
            widget = self.query_one(f"#field-{f.name}")
            if isinstance(widget, TextArea):
                out[f.name] = widget.text.strip()
            elif isinstance(widget, Select):
                out[f.name] = widget.value
            elif isinstance(widget, Input):
                out[f.name] = widget.value.strip()
        return out

    @on(Input.Changed)
    def changed(self) -> None:
        if self.describe is not None:
            self.query_one("#form-description", Static).update(plain(self.describe(self.values())))

    def on_select_changed(self) -> None:
        self.changed()

    def on_text_area_changed(self) -> None:
        self.changed()

    @on(Input.Submitted)
    def next_field(self, event: Input.Submitted) -> None:
        event.stop()
        last = self.query_one(f"#field-{self.fields[-1].name}")
        if event.input is last:
            self.action_accept()
        else:
            self.focus_next()

    @on(Button.Pressed, "#ok")
    def action_accept(self) -> None:
        values = self.values()
        missing = [f.label for f in self.fields if f.required and values[f.name] in ("", None)]
        if missing:
            self.notify(
                _("please fill in: {fields} (Escape cancels)").format(fields=", ".join(missing)),
                severity="warning",
            )
            return
        self.dismiss(values)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
