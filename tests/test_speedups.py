"""Compiled modules (einvoice.speedups): run only where compiled from the present source, and give the
verdicts the source gives (on the samples, the official corpus and mutants of it)."""

from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from einvoice import speedups
from fragments import CONFORMANCE
from mutate import mutant

ROOT = Path(__file__).resolve().parents[1]
needs_build = pytest.mark.skipif(not speedups.current(), reason="the rule engine is not compiled here "
                                 "(einvoice speedups: needs Cython, a C compiler and the Python headers)")


def _python(code: str, pure: bool, stdin: str = "") -> str:
    env = {k: v for k, v in os.environ.items() if k != "EINVOICE_PURE"}
    if pure:
        env["EINVOICE_PURE"] = "1"
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, input=stdin, capture_output=True,
                          text=True, check=True, timeout=600).stdout


def test_a_module_edited_since_compiled_or_without_its_file_runs_from_source(tmp_path):
    source = tmp_path / "mod.py"
    source.write_text("X = 1\n")
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    edited = speedups._Finder({"pkg.mod": {"file": "pkg.mod.so", "sha256": hashlib.sha256(b"X = 0\n").hexdigest()}})
    assert edited.find_spec("pkg.mod", [str(tmp_path)]) is None
    missing = speedups._Finder({"pkg.mod": {"file": "no-such-file.so", "sha256": digest}})
    assert missing.find_spec("pkg.mod", [str(tmp_path)]) is None
    assert missing.find_spec("pkg.other", [str(tmp_path)]) is None  # not in the manifest


def test_the_modules_are_the_rule_engine_and_its_rule_sets():
    rules = {p for p in (ROOT / "einvoice" / "rules").rglob("*.py") if p.name != "__init__.py"}
    named = {speedups.source_of(m) for m in speedups.modules()}
    assert rules <= named and all(p.is_file() for p in named)


_LOADED = """
import json
from einvoice.validate import validate
from einvoice import speedups
import einvoice.rules.tree as tree
validate(open("samples/ehf-invoice.xml", "rb").read())
validate(open("samples/facturx-en16931.xml", "rb").read())
print(json.dumps([speedups.loaded(), tree.__file__, tree.__spec__.origin, str(tree.STRUCTURE)]))
"""


@needs_build
def test_compiled_modules_run_unless_einvoice_pure_is_set():
    loaded, file, origin, structure = json.loads(_python(_LOADED, pure=False))
    assert {"einvoice.rules.tree", "einvoice.rules.values", "einvoice.rules.en16931.vat",
            "einvoice.rules.facturx.checks", "einvoice.syntax.cii.rules"} <= set(loaded)
    assert file.endswith("tree.py") and origin.endswith(speedups._suffix())  # data found beside the source
    assert Path(structure) == ROOT / "schemas" / "structure"
    loaded, file, origin, _ = json.loads(_python(_LOADED, pure=True))
    assert loaded == [] and file == origin and origin.endswith("tree.py")


_VERDICTS = """
import json, sys
from pathlib import Path
from einvoice.validate import validate
out = {}
for name in sys.stdin.read().splitlines():
    try:
        report = validate(Path(name).read_bytes(), schema=True)
    except Exception as exc:  # a file that is no invoice: its one-line error is the verdict
        out[name] = [type(exc).__name__, str(exc)]
        continue
    out[name] = [report.profile, sorted((f.rule, str(f.severity), f.message, f.xpath, f.line) for f in report.findings),
                 sorted(report.internal_errors)]
print(json.dumps(out))
"""


@needs_build
def test_compiled_and_source_give_the_same_verdicts(tmp_path):
    files = sorted(ROOT.glob("samples/*.xml"))
    if CONFORMANCE.is_dir():
        files += sorted(p for p in CONFORMANCE.rglob("*.xml") if p.stat().st_size < 2_000_000)
    rng = random.Random(8)
    for i, src in enumerate(rng.sample(files, min(120, len(files)))):  # mutants: values, spaces, counts changed
        data, _how = mutant(src.read_bytes(), seed=i)
        (tmp_path / f"m{i}.xml").write_bytes(data)
    files += sorted(tmp_path.glob("*.xml"))
    names = "\n".join(str(p) for p in files)
    compiled = json.loads(_python(_VERDICTS, pure=False, stdin=names))
    source = json.loads(_python(_VERDICTS, pure=True, stdin=names))
    assert len(compiled) == len(files) and any(v[1] for v in source.values())
    differ = [name for name in source if source[name] != compiled[name]]
    assert not differ, differ[:5]


def test_status_says_whether_the_compiled_modules_run():
    said = _python("import sys; from einvoice.cli import main; sys.argv = ['einvoice', 'speedups', '--status']; main()",
                   pure=True)
    assert said.startswith("runs from source")
    said = _python("import sys; from einvoice.cli import main; sys.argv = ['einvoice', '--version']; main()", pure=False)
    data = speedups._manifest()
    expected = (f"{len(speedups._fresh(data))} of {len(data['modules'])} modules compiled from their present source"
                if data else "runs from source")
    assert f"rule engine: {expected}" in said


def test_what_the_compiler_prints_stays_out_and_its_first_error_is_the_reason(tmp_path, capfd):
    def compile_fails():
        subprocess.run([sys.executable, "-c", "import sys; print('warning: x'); print('x.c:1: fatal error: Python.h: "
                        "No such file or directory', file=sys.stderr); sys.exit(1)"], check=True)

    with pytest.raises(RuntimeError, match="^x.c:1: fatal error: Python.h: No such file or directory$"):
        speedups._quietly(compile_fails, tmp_path / "log")
    speedups._quietly(lambda: print("compiled"), tmp_path / "log2")
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_a_compiled_file_that_does_not_load_leaves_the_module_to_its_source(tmp_path):
    import importlib.util

    source = tmp_path / "fallback_mod.py"
    source.write_text("VALUE = 42\n")
    damaged = tmp_path / f"fallback_mod{speedups._suffix()}"
    damaged.write_bytes(b"\x7fELF not really")
    spec = importlib.util.spec_from_loader("fallback_mod", speedups._Loader("fallback_mod", str(damaged), str(source)))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.VALUE == 42 and module.__file__ == str(source) and "fallback_mod" not in speedups.loaded()


def test_build_hands_every_module_to_cython_with_its_source(monkeypatch):
    Build = pytest.importorskip("Cython.Build", reason="Cython is not installed (the speedups extra)")
    handed = []

    def cythonize(exts, **kwargs):
        handed.extend((e.name, e.sources[0]) for e in exts)
        raise RuntimeError("stop here")

    monkeypatch.setattr(Build, "cythonize", cythonize)
    with pytest.raises(RuntimeError, match="stop here"):
        speedups.build()
    assert [name for name, _ in handed] == list(speedups.modules())
    assert all(Path(src).is_file() and Path(src).stem == name.rpartition(".")[2] for name, src in handed)


def test_the_source_check_is_sha256():
    """The compiled modules are matched to their sources by SHA-256 (the interpreter's own, not OpenSSL's)."""
    from einvoice import speedups

    source = Path(speedups.__file__)
    assert speedups._digest(source) == hashlib.sha256(source.read_bytes()).hexdigest()
    assert speedups._digest(source.with_name("no-such-file.py")) is None


def test_a_folder_it_cannot_write_is_said_before_compiling_and_not_as_a_missing_compiler(monkeypatch, capsys, tmp_path):
    """A system-wide (read-only) install compiled for minutes, then failed on the write and told the user to install
    gcc and python3-dev: the folder is checked first, and a write failure is said as such."""
    folder = tmp_path / "einvoice"
    folder.mkdir()
    monkeypatch.setattr(speedups, "DIR", folder / "_speedups")
    monkeypatch.setattr(speedups, "current", lambda: False)
    built = []
    monkeypatch.setattr(speedups, "build", lambda *a, **k: built.append(1) or {"modules": {}})
    real_access = speedups.os.access
    monkeypatch.setattr(speedups.os, "access", lambda path, mode: False if str(path) == str(folder) else real_access(path, mode))
    assert speedups.main() == 1 and not built
    err = capsys.readouterr().err
    assert f"the folder {folder} is not writable by this user" in err and "gcc" not in err
    monkeypatch.setattr(speedups.os, "access", real_access)

    def denied(*a, **k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(speedups, "build", denied)
    assert speedups.main() == 1
    err = capsys.readouterr().err
    assert "cannot write the compiled modules" in err and "Permission denied" in err and "gcc" not in err


def test_remove_deletes_the_compiled_modules(tmp_path, monkeypatch, capsys):
    """``einvoice speedups --remove`` deletes ``einvoice/_speedups``, in one line, and says so when there is nothing
    to remove."""
    from einvoice import speedups

    folder = tmp_path / "_speedups"
    folder.mkdir()
    (folder / "manifest.json").write_text("{}")
    (folder / "einvoice.rules.tree.so").write_bytes(b"\x7fELF")
    monkeypatch.setattr(speedups, "DIR", folder)
    assert speedups.remove() == 0 and not folder.exists()
    assert f"removed {folder}" in capsys.readouterr().out
    assert speedups.remove() == 0 and "no compiled modules to remove" in capsys.readouterr().out


@pytest.mark.parametrize("missing, named", [("setuptools", "setuptools"), ("Cython.Build", "cython")])
def test_a_missing_package_is_named_not_the_compiler(monkeypatch, capsys, missing, named):
    """Without setuptools (a venv of Python 3.12 and later has none) speedups said "pip install cython" before and after
    Cython was installed, and blamed the C compiler and headers: the missing package is named, and nothing else."""
    import builtins

    from einvoice import speedups

    real = builtins.__import__

    def refuse(name, *args, **kwargs):
        if name == missing or name.startswith(missing + "."):
            raise ImportError(f"No module named {name!r}", name=name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(speedups, "current", lambda: False)
    monkeypatch.setattr(speedups, "_unwritable", lambda: None)
    monkeypatch.setattr(builtins, "__import__", refuse)
    assert speedups.main() == 1
    said = capsys.readouterr().err
    assert f"({named} is not installed): pip install {named}" in said and "compiler" not in said, said


def test_compiled_modules_are_listed_for_pip_uninstall(tmp_path, monkeypatch):
    """``pip uninstall`` left einvoice/_speedups behind, and the folder einvoice/ it is in then shadowed a later
    editable install in the same environment (every command: "cannot import name ..."). In an installed copy the
    compiled modules are listed in the distribution's RECORD, which pip removes from, and unlisted when removed; a
    checkout (no RECORD of its own) is left alone."""
    import importlib.metadata

    from einvoice import speedups

    site = tmp_path / "site"
    package = site / "einvoice"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    info = site / "einvoice_kit-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: einvoice-kit\nVersion: 0.1.0\n")
    (info / "RECORD").write_text("einvoice/__init__.py,sha256=x,0\neinvoice_kit-0.1.0.dist-info/METADATA,,\n"
                                 "einvoice_kit-0.1.0.dist-info/RECORD,,\n")
    monkeypatch.setattr(importlib.metadata, "distribution", lambda name: importlib.metadata.PathDistribution(info))
    monkeypatch.setattr(speedups, "HERE", package)
    monkeypatch.setattr(speedups, "DIR", package / "_speedups")
    speedups.DIR.mkdir()
    for name in ("manifest.json", "einvoice.rules.tree.so"):
        (speedups.DIR / name).write_bytes(b"x")
    speedups._register()
    listed = {str(f) for f in importlib.metadata.PathDistribution(info).files}
    assert {"einvoice/_speedups/manifest.json", "einvoice/_speedups/einvoice.rules.tree.so", "einvoice/__init__.py"} <= listed
    speedups._register()  # (again: listed once)
    assert (info / "RECORD").read_text().count("_speedups/manifest.json") == 1
    assert speedups.remove() == 0
    assert not [f for f in importlib.metadata.PathDistribution(info).files if "_speedups" in str(f)]
    # a checkout: the package is not the distribution's files
    monkeypatch.setattr(speedups, "HERE", tmp_path / "checkout" / "einvoice")
    assert speedups._record() is None


def test_a_module_against_lxml_that_does_not_compile_leaves_the_rest_compiled(tmp_path, monkeypatch, capsys):
    """einvoice._cindex is compiled against lxml's C headers; where lxml has none (a distribution's lxml without
    libxml2's headers) that module fails to compile: the others are compiled all the same (it took the whole build
    down, every module running from source), the manifest says what was left out and why, and the build counts as
    current (not tried again at each set-up) while the source and lxml are the same."""
    pytest.importorskip("Cython.Build", reason="Cython is not installed (the speedups extra)")
    import lxml

    monkeypatch.setattr(speedups, "DIR", tmp_path / "_speedups")
    monkeypatch.setattr(speedups, "MANIFEST", tmp_path / "_speedups" / "manifest.json")
    monkeypatch.setattr(speedups, "modules", lambda: ("einvoice.errors", "einvoice._cindex"))
    monkeypatch.setattr(speedups, "_register", lambda: None)
    monkeypatch.setattr(lxml, "get_include", lambda: [str(tmp_path / "no-headers")])
    try:
        data = speedups.build(jobs=1)
    except RuntimeError as exc:  # pragma: no cover - no C compiler here at all
        pytest.skip(f"nothing compiles here ({exc})")
    assert list(data["modules"]) == ["einvoice.errors"]
    assert list(data["left_out"]) == ["einvoice._cindex"] and data["left_out"]["einvoice._cindex"]["reason"]
    assert (tmp_path / "_speedups" / data["modules"]["einvoice.errors"]["file"]).is_file()
    assert speedups.current()
    monkeypatch.delenv("EINVOICE_PURE", raising=False)  # (what --status says of a build: the tests also run with it set)
    assert any("einvoice._cindex did not compile" in line for line in speedups.status())
