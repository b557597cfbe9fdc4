"""The dashboard's main screens in Chinese match their snapshots.

The dashboard takes its language when it starts, as `xhsvc tui` does (labels of columns and keys
are translated as its modules load), so the Chinese snapshots run in a pytest of their own, started
with XHSVC_TEST_LANGUAGE=zh_CN: tests/tui/zh."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_main_screens_in_chinese_match_their_snapshots(request: pytest.FixtureRequest) -> None:
    env = {**os.environ, "XHSVC_TEST_LANGUAGE": "zh_CN"}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider"]
    if request.config.getoption("--snapshot-update", default=False):
        command.append("--snapshot-update")
    command.append(str(ROOT / "tests" / "tui" / "zh"))
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "skipped" not in done.stdout, done.stdout[-2000:]
