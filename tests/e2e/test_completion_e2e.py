"""Shell completion through the installed `xhsvc` command, as bash, zsh and fish ask for it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

XHSVC = shutil.which("xhsvc", path=str(Path(sys.executable).parent)) or shutil.which("xhsvc")
BASH = shutil.which("bash")


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    assert XHSVC, "the xhsvc command is not installed (pip install -e .)"
    return subprocess.run(
        [XHSVC, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        timeout=60,
    )


def bash_offers(line: str) -> list[str]:
    """What `xhsvc` offers bash for the last word of `line` (COMP_WORDS / COMP_CWORD)."""
    words = line.split(" ")
    done = run(
        env={"_XHSVC_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": str(len(words) - 1)}
    )
    assert done.returncode == 0 and not done.stderr, done.stderr
    return done.stdout.split()


def test_completion_offers_keys_people_and_statuses(use_db: str) -> None:
    assert run("demo").returncode == 0
    assert set(bash_offers("xhsvc ticket show XH-00001")) == {f"XH-0000{n}" for n in range(10, 20)}
    assert len(bash_offers("xhsvc ticket show XH-")) == 29
    assert set(bash_offers("xhsvc ticket assign XH-000024 li")) == {"lijun", "liuyang"}
    assert bash_offers("xhsvc ticket list --status wait") == ["waiting_customer"]
    assert bash_offers("xhsvc ticket list --priority P") == ["P1", "P2", "P3", "P4"]
    # zsh and fish ask through _TYPER_COMPLETE_ARGS.
    zsh = run(env={"_XHSVC_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "xhsvc ticket show XH-00001"})
    assert '"XH-000012"' in zsh.stdout and not zsh.stderr
    fish = run(
        env={
            "_XHSVC_COMPLETE": "complete_fish",
            "_TYPER_COMPLETE_ARGS": "xhsvc visit show XH-V0001",
            "_TYPER_COMPLETE_FISH_ACTION": "get-args",
        }
    )
    assert "XH-V00013" in fish.stdout.split() and not fish.stderr


def test_completion_with_no_database_offers_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nothing' / 'xhsvc.db'}"
    assert bash_offers(f"xhsvc --db {url} ticket show XH-") == []
    assert not (tmp_path / "nothing").exists()


def in_bash(script: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`script` run by bash: Typer finds the shell to install for from the parent process. A lone
    command would be exec'd by bash in its place, and the parent would be this test's Python."""
    return subprocess.run(
        [BASH or "bash", "-c", f"{script}; exit $?"], capture_output=True, text=True, env=env, timeout=60
    )


@pytest.mark.skipif(BASH is None, reason="no bash here")
def test_installed_bash_completion_completes_ticket_keys(use_db: str, tmp_path: Path) -> None:
    """`xhsvc --install-completion`, run from bash, writes the script bash then uses."""
    assert run("demo").returncode == 0
    home = tmp_path / "user"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "PATH": f"{Path(XHSVC or '').parent}:{os.environ['PATH']}"}
    installed = in_bash("xhsvc --install-completion", env)
    assert installed.returncode == 0, installed.stderr
    script = home / ".bash_completions" / "xhsvc.sh"
    assert "_XHSVC_COMPLETE=complete_bash" in script.read_text()
    assert str(script) in (home / ".bashrc").read_text()
    shown = in_bash("xhsvc --show-completion", env)
    assert shown.returncode == 0 and "complete -o default -F _xhsvc_completion xhsvc" in shown.stdout
    # Bash itself: the function the script defines fills COMPREPLY for `xhsvc ticket show XH-00000`.
    completed = in_bash(
        f"source {script}; COMP_WORDS=(xhsvc ticket show XH-00000); COMP_CWORD=3; "
        "_xhsvc_completion xhsvc; printf '%s\\n' \"${COMPREPLY[@]}\"",
        env,
    )
    assert completed.returncode == 0, completed.stderr
    assert set(completed.stdout.split()) == {f"XH-00000{n}" for n in range(1, 10)}
