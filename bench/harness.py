"""What the benches share: the machine they ran on, paired timing of commands, a figures table.

Commands compared with each other are run in turns (A B C A B C ...), so that a change in the
machine's load during the run falls on all of them alike; each gets one untimed warm-up.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def machine() -> str:
    """The machine in one line, for the figures' heading and the README."""
    model = platform.processor() or platform.machine()
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        cpuinfo = ""
    for line in cpuinfo.splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return (
        f"{os.cpu_count()} cores, {model}; {platform.python_implementation()} {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}; xhsvc {install_kind()}"
    )


def install_kind() -> str:
    """How the xhsvc being timed is installed: an editable (development) install starts every
    process through its import finder, some 20 ms here that a user's install from the wheel does
    not pay; start-up figures are a user's when run with the Python of a wheel install."""
    import json
    from importlib import metadata

    try:
        direct = metadata.distribution("xhsvc").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return "not installed"
    editable = bool(direct and json.loads(direct).get("dir_info", {}).get("editable"))
    return "editable install" if editable else "installed from a wheel"


@contextmanager
def scratch(prefix: str, *, keep: bool) -> Iterator[Path]:
    """A temporary folder for a bench's databases and files: removed at the end, or kept and
    named (`--keep`) to look into."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield folder
    finally:
        if keep:
            print(f"kept: {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def add_common(parser: argparse.ArgumentParser, *, repeat: int = 5) -> None:
    parser.add_argument("--repeat", type=int, default=repeat, metavar="R", help="timed runs per command")
    parser.add_argument("--seed", type=int, default=2026, help="random seed for the data")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder and print its path")


def find_xhsvc() -> str:
    """The installed `xhsvc` command, with its package's bytecode written: a user's install has
    it (pip compiles on install), an editable dev install under PYTHONDONTWRITEBYTECODE does not,
    and compiling every module at each start would be timed as xhsvc's own cost."""
    beside = shutil.which("xhsvc", path=str(Path(sys.executable).parent))
    found = beside or shutil.which("xhsvc")
    if found is None:
        sys.exit("bench: no `xhsvc` command next to this Python or on PATH; install the package first")
    spec = importlib.util.find_spec("xhsvc")
    if spec is not None and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            compileall.compile_dir(folder, quiet=1)
    return found


def run(argv: Sequence[str], env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        list(argv), env=dict(env), capture_output=True, text=True, encoding="utf-8", check=False
    )
    if done.returncode != 0:
        sys.exit(f"bench: {' '.join(argv)} exited {done.returncode}:\n{done.stderr.strip()}")
    return done


def time_command(
    argv: Sequence[str], env: Mapping[str, str], repeat: int, *, before: Callable[[], None] | None = None
) -> tuple[list[float], list[str]]:
    """Wall times in ms of `repeat` runs after one untimed warm-up, and what each run printed (the
    warm-up first). `before()` runs, untimed, before every run (to restore a database, say)."""
    outputs = []
    times = []
    for number in range(repeat + 1):
        if before:
            before()
        began = time.perf_counter()
        done = run(argv, env)
        if number:
            times.append((time.perf_counter() - began) * 1000)
        outputs.append(done.stdout)
    return times, outputs


def paired(
    commands: Mapping[str, Sequence[str]], env: Mapping[str, str], repeat: int
) -> dict[str, list[float]]:
    """Wall seconds of each command, the commands run in turns, after one warm-up each."""
    for argv in commands.values():
        run(argv, env)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, argv in commands.items():
            began = time.perf_counter()
            run(argv, env)
            times[name].append(time.perf_counter() - began)
    return times


def until_shown(
    argv: Sequence[str], env: Mapping[str, str], pattern: bytes, *, timeout: float = 30.0
) -> float:
    """Seconds from starting `argv` in a pseudo-terminal until its screen shows `pattern` (a
    regular expression), as a person at a terminal would see it; the program is then killed."""
    import pty
    import re
    import select
    import signal

    began = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: the program, on the terminal
        os.execvpe(argv[0], list(argv), dict(env))
    seen = b""
    try:
        while time.perf_counter() - began < timeout:
            ready, _, _ = select.select([fd], [], [], 0.02)
            if ready:
                try:
                    seen += os.read(fd, 65536)
                except OSError:
                    break
                if re.search(pattern, seen):
                    return time.perf_counter() - began
        sys.exit(f"bench: {' '.join(argv)} did not show {pattern!r} within {timeout:.0f} s")
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)


@dataclass
class Figure:
    label: str
    seconds: float
    # What the figure is measured against (another figure's label), and the most it may take.
    against: str | None = None
    goal: float | None = None


def width_of(text: str) -> int:
    """Columns `text` takes on a terminal (a Chinese character takes two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def print_figures(title: str, figures: Sequence[Figure]) -> None:
    by_label = {f.label: f.seconds for f in figures}
    width = max(width_of(f.label) for f in figures)
    print(f"{title}\n({machine()})")
    print(f"{'':<{width}}  {'median ms':>10}  {'ratio':>7}  {'goal':>6}")
    for f in figures:
        ratio = f"{f.seconds / by_label[f.against]:.2f}x" if f.against else ""
        goal = f"{f.goal:.2f}x" if f.goal else ""
        mark = "  over" if f.goal and f.against and f.seconds / by_label[f.against] > f.goal else ""
        pad = " " * (width - width_of(f.label))
        print(f"{f.label}{pad}  {f.seconds * 1000:10.1f}  {ratio:>7}  {goal:>6}{mark}")


def median(values: Sequence[float]) -> float:
    return statistics.median(values)
