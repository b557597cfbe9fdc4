"""Small modal dialogs: a line of text (a reason, a note), a person."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label
from textual_autocomplete import AutoComplete, DropdownItem


class TextDialog(ModalScreen[str | None]):
    """Ask for one line of text; Enter accepts, Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        title: str,
        *,
        placeholder: str = "",
        required: bool = True,
        suggestions: Callable[[], list[str]] | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.placeholder = placeholder
        self.required = required
        self.suggestions = suggestions

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            # The title may quote what was typed before (a tier): never markup.
            yield Label(self.title_text, id="dialog-title", markup=False)
            field = Input(placeholder=self.placeholder, id="dialog-input")
            yield field
            if self.suggestions is not None:
                items = [DropdownItem(s) for s in self.suggestions()]
                yield AutoComplete(field, candidates=items)
            with Horizontal(id="dialog-buttons"):
                yield Button("OK", variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#dialog-input", Input).focus()

    @on(Input.Submitted, "#dialog-input")
    @on(Button.Pressed, "#ok")
    def accept(self) -> None:
        value = self.query_one("#dialog-input", Input).value.strip()
        if self.required and not value:
            self.notify("please fill it in (Escape cancels)", severity="warning")
            return
        self.dismiss(value)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
