"""The service record in the dashboard: a part replaced (a form) and the ticket's service report
(read as Markdown in a screen of its own, saved as a printable HTML page)."""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Markdown

from xhsvc.core.parts import MAX_QUANTITY
from xhsvc.core.service_report import service_report
from xhsvc.errors import XhsvcError
from xhsvc.i18n import _
from xhsvc.tui.dialogs import Field, FormDialog


def part_form(key: str) -> FormDialog:
    return FormDialog(
        _("Part replaced on {key}").format(key=key),
        [
            Field("part", _("Part number (FRU), e.g. DK-4T-SAS")),
            Field("quantity", _("How many"), value="1"),
            Field("description", _("What it is (optional)"), required=False),
            Field("removed", _("Serial taken out (optional)"), required=False),
            Field("installed", _("Serial put in (optional)"), required=False),
        ],
        ok=_("Record"),
    )


def quantity_of(text: str) -> int | None:
    """The form's quantity as a number, or None when it is not one from 1 to MAX_QUANTITY."""
    return int(text) if text.isdigit() and 1 <= int(text) <= MAX_QUANTITY else None


class ReportScreen(ModalScreen[None]):
    """The service report as it stands; `h` saves it as an HTML page to print."""

    DEFAULT_CSS = """
    ReportScreen { align: center middle; }
    ReportScreen > VerticalScroll { width: 96%; height: 92%; border: round $accent; background: $surface; }
    """
    BINDINGS = [
        Binding("escape,q", "dismiss", _("Close")),
        Binding("h", "save_html", _("Save HTML")),
    ]

    def __init__(self, key: str, markdown: str) -> None:
        super().__init__()
        self.key = key
        self.markdown = markdown

    def compose(self) -> ComposeResult:
        # The report escapes every markup character of stored text: it renders as the text it is.
        with VerticalScroll():
            yield Markdown(self.markdown, id="report")
        yield Footer()

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)

    @work(thread=True, group="report")
    def action_save_html(self) -> None:
        target = Path.cwd() / f"{self.key}.html"
        try:
            page = service_report(self.app.ctx, key=self.key, fmt="html")  # type: ignore[attr-defined]
            target.write_text(str(page), encoding="utf-8")
        except XhsvcError as e:
            self.app.call_from_thread(self.notify, str(e), severity="error")
            return
        except OSError as e:
            message = _("output {file}: cannot write it ({error})").format(file=target, error=e.strerror or e)
            self.app.call_from_thread(self.notify, message, severity="error")
            return
        self.app.call_from_thread(self.notify, _("report written to {file}").format(file=target))
