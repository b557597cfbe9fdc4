"""The main screens in Chinese: the scenarios of tests/tui/test_snapshots.py, collected here so that
their snapshots are kept in tests/tui/zh/__snapshots__. Run by tests/tui/test_in_chinese.py in a
pytest started with XHSVC_TEST_LANGUAGE=zh_CN (never collected by the English run).

After an intended change: pytest tests/tui/test_in_chinese.py --snapshot-update, then look at the
new SVGs before committing them."""

from __future__ import annotations

from tests.tui.test_snapshots import (  # noqa: F401 - collected here, in Chinese
    test_approve_dialog,
    test_command_palette,
    test_help,
    test_intake,
    test_managers_view,
    test_queue,
    test_ticket,
)
from xhsvc import i18n


def test_the_run_speaks_chinese() -> None:
    assert i18n.current() == "zh_CN"
