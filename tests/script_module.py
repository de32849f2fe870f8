"""A script of ``scripts/`` loaded as a module, for the tests of the project's own tools."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def load(name: str) -> ModuleType:
    """``scripts/<name>.py`` as a module of its own (a new one at each call; nothing added to sys.path)."""
    spec = importlib.util.spec_from_file_location(f"einvoice_script_{name}", SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
