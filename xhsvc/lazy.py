"""Modules imported on first use: a command, or the dashboard's first frame, loads no database
code it does not need yet."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

# Lazy modules made in this process, loaded or not (load_waiting runs those that are not).
_made: list[ModuleType] = []


def lazy(name: str) -> ModuleType:
    """Import a module on first attribute access, so `xhsvc --help` loads no database code."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:  # pragma: no cover - a packaging error
        raise ImportError(name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    _made.append(module)
    return module


def load_waiting() -> None:
    """Run every lazy module not run yet, now, on this thread. Python 3.11's LazyLoader is not
    safe when two threads first touch one module at once, as the dashboard's workers could."""
    while _made:
        vars(_made.pop())  # any attribute access runs the module (a no-op once it ran)
