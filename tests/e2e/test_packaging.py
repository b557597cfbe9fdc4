"""What `pip install .` puts on a fresh machine: every module xhsvc imports, every file it reads.

The quick, static half of `.ci/smoke-wheel` (which builds the wheel and runs it): a new import
that no declared dependency provides, or a new data file that no package-data glob ships, fails
here in the test run.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "xhsvc"


def pyproject() -> dict:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def package_files() -> list[str]:
    """The files under xhsvc/ that git knows (tracked, or new and not ignored), relative to it."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "xhsvc"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split("\0")
        names = [n for n in out if n and (ROOT / n).is_file()]
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: what is on disk
        names = [str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*") if p.is_file()]
    return sorted(
        str(Path(n).relative_to("xhsvc")) for n in names if "__pycache__" not in n and not n.endswith(".pyc")
    )


def glob_regex(pattern: str) -> re.Pattern[str]:
    """A package-data glob as setuptools reads it: `*` within one folder, `**/` any folders."""
    out = ""
    for part in re.split(r"(\*\*/|\*|\?)", pattern):
        out += {"**/": "(?:[^/]+/)*", "*": "[^/]*", "?": "[^/]"}.get(part, re.escape(part))
    return re.compile(out)


def third_party_imports() -> dict[str, set[str]]:
    """Top-level modules imported anywhere in xhsvc (lazy imports in functions too) -> files."""
    found: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top != "xhsvc" and top not in sys.stdlib_module_names:
                    found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_imported_module_is_a_declared_dependency() -> None:
    project = pyproject()["project"]
    # An extra's module (weasyprint, of `pdf`) is imported only where its absence is a one-line
    # error that names the extra; dev tools are never imported by the package.
    extras = [req for name, reqs in project["optional-dependencies"].items() if name != "dev" for req in reqs]
    declared = {
        normalized(re.match(r"[A-Za-z0-9._-]+", req).group(0))  # type: ignore[union-attr]
        for req in [*project["dependencies"], *extras]
    }
    providers = packages_distributions()
    undeclared = {}
    for module, files in sorted(third_party_imports().items()):
        dists = {normalized(d) for d in providers.get(module, [])}
        if not dists & declared:
            undeclared[module] = (sorted(dists) or ["(not installed)"], sorted(files))
    assert not undeclared, f"imported but not in [project].dependencies: {undeclared}"


def test_every_data_file_of_the_package_is_package_data() -> None:
    setuptools = pyproject()["tool"]["setuptools"]
    patterns = setuptools.get("package-data", {}).get("xhsvc", [])
    # store/migrations and its versions/ have no __init__.py: only namespace discovery (the
    # default of [tool.setuptools.packages.find]) ships their modules.
    assert setuptools["packages"]["find"].get("namespaces", True)

    globs = [glob_regex(p) for p in patterns]
    data = [n for n in package_files() if not n.endswith(".py")]
    assert "tui/app.tcss" in data and "defaults/templates/storage-inspection.toml" in data
    missing = [n for n in data if not any(g.fullmatch(n) for g in globs)]
    assert not missing, f"not matched by [tool.setuptools.package-data] xhsvc = {patterns}: {missing}"
