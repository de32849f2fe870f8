"""Compiled modules: the rule engine's Python modules compiled to C, used where they match the source.

``einvoice speedups`` compiles the modules :func:`modules` names with Cython (which needs a C
compiler and the Python headers; ``scripts/venv`` tries it once and goes on without when it cannot) into
``_speedups/`` beside this file, with a manifest of the sources they were compiled from. The same code then
takes about a fifth less CPU (README, Performance): Cython compiles the unchanged Python source, so the
verdicts are those of the source (the test suite runs on both, and compares them on the corpora).

At ``import einvoice`` a finder is put in front of the others: a module of the manifest is loaded from its
compiled file only when its source is byte for byte the one compiled (else, or with ``EINVOICE_PURE=1`` in
the environment, the source is imported as usual: an edited module is never shadowed by an old build).

    einvoice speedups            # compile (again)
    einvoice speedups --status   # what is compiled, and whether it is in use
"""

from __future__ import annotations

import importlib.machinery
import json
import os
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DIR = HERE / "_speedups"
MANIFEST = DIR / "manifest.json"


def modules() -> tuple[str, ...]:
    """What is compiled: every module of the rule engine and of the rule sets (package __init__ files stay
    Python), and the helpers they call per element (listed when compiling: no walk of the folder at start-up)."""
    return ("einvoice.basics", "einvoice.syntax.ubl.rules", "einvoice.syntax.cii.rules") + tuple(
        "einvoice." + ".".join(p.relative_to(HERE).with_suffix("").parts)
        for p in sorted((HERE / "rules").rglob("*.py")) if p.name != "__init__.py") + NATIVE


# modules written for Cython (``.pyx``) against lxml's C API: nothing runs them uncompiled (their callers work the same
# out in Python without them); compiled for the lxml of the build, loaded only with that lxml
NATIVE = ("einvoice._cindex",)


def source_of(name: str) -> Path:
    """A compiled module's source file."""
    return HERE.parent.joinpath(*name.split(".")).with_suffix(".pyx" if name in NATIVE else ".py")


def _lxml_version() -> str | None:
    try:
        from lxml import etree
    except ImportError:  # pragma: no cover - a dependency
        return None
    return ".".join(map(str, etree.LXML_VERSION))

_loaded: list[str] = []  # the modules this process took from their compiled files


try:  # the interpreter's own SHA-256: hashlib loads OpenSSL's, 4-6 ms of every cold start here
    from _sha256 import sha256 as _sha256  # (Python 3.11)
except ImportError:  # pragma: no cover - Python 3.12 and later call it _sha2; without either, hashlib's
    try:
        from _sha2 import sha256 as _sha256
    except ImportError:
        from hashlib import sha256 as _sha256


def _digest(path: Path) -> str | None:
    try:
        return _sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


class _Loader(importlib.machinery.ExtensionFileLoader):
    """A compiled module whose ``__file__`` is its source's (the modules find their data beside it)."""

    def __init__(self, name: str, path: str, source: str):
        super().__init__(name, path)
        self.source = source
        self.fallback: Any = None

    def create_module(self, spec: Any) -> Any:
        try:
            return super().create_module(spec)
        except (ImportError, OSError):  # a compiled file that does not load (damaged, another platform): the source
            self.fallback = importlib.machinery.SourceFileLoader(self.name, self.source)
            return None

    def exec_module(self, module: Any) -> None:
        module.__file__ = self.source
        if self.fallback is not None:
            self.fallback.exec_module(module)
            return
        super().exec_module(module)
        _loaded.append(module.__name__)


class _Finder:
    """Finds the modules of the manifest whose source is the one compiled (see the module docstring)."""

    def __init__(self, entries: dict[str, dict[str, str]]):
        self.entries = entries

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        entry = self.entries.get(fullname)
        if entry is None or not path:
            return None
        for folder in path:
            source = Path(folder) / (fullname.rpartition(".")[2] + (".pyx" if fullname in NATIVE else ".py"))
            if source.is_file():
                break
        else:
            return None
        if _digest(source) != entry["sha256"]:
            return None  # edited since it was compiled: the source is imported
        if "lxml" in entry and entry["lxml"] != _lxml_version():
            return None  # built against another lxml's C API (the importer goes on without it)
        compiled = DIR / entry["file"]
        if not compiled.is_file():
            return None
        loader = _Loader(fullname, str(compiled), str(source))
        return importlib.machinery.ModuleSpec(fullname, loader, origin=str(compiled))


def _manifest() -> dict[str, Any] | None:
    try:
        data = json.loads(MANIFEST.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("python") != sys.implementation.cache_tag or data.get("suffix") != _suffix():
        return None  # compiled for another interpreter
    return data


def _suffix() -> str:
    return importlib.machinery.EXTENSION_SUFFIXES[0]


def install() -> None:
    """Put the finder in front (once; nothing without a manifest for this interpreter, or with EINVOICE_PURE)."""
    if os.environ.get("EINVOICE_PURE") or any(isinstance(f, _Finder) for f in sys.meta_path):
        return
    data = _manifest()
    if data and data.get("modules"):
        sys.meta_path.insert(0, _Finder(data["modules"]))


def loaded() -> list[str]:
    """The modules this process runs compiled."""
    return list(_loaded)


class MissingTool(RuntimeError):
    """A Python package the compiling needs is not installed (no C compiler problem: said as such)."""


def build(jobs: int | None = None) -> dict[str, Any]:
    """Compile :func:`modules` into ``_speedups/`` and write the manifest (raises with a one-line reason)."""
    import shutil
    import tempfile

    try:
        from Cython.Build import cythonize
        from setuptools import Distribution, Extension
    except ImportError as exc:  # (a venv of Python 3.12 and later has no setuptools: named as Cython would be)
        missing = "cython" if (exc.name or "").split(".")[0] == "Cython" else (exc.name or "setuptools").split(".")[0]
        raise MissingTool(f"Cython and setuptools are needed to compile ({missing} is not installed): "
                          f"pip install {missing}") from None
    sources = {name: source_of(name) for name in modules()}
    digests = {name: _digest(src) for name, src in sources.items()}  # before compiling: an edit meanwhile is stale
    jobs = jobs or os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="einvoice-speedups-") as tmp:
        work = Path(tmp)
        import lxml

        exts = [Extension(name, [str(src)], extra_compile_args=["-g0", "-w"],  # (quiet, no debug data)
                          include_dirs=lxml.get_include() if name in NATIVE else [])
                for name, src in sources.items()]
        directives = {"language_level": 3, "binding": True, "annotation_typing": False}
        exts = cythonize(exts, build_dir=str(work / "c"), compiler_directives=directives, quiet=True, nthreads=jobs)

        def compile_c(some: list, log: Path) -> None:
            dist = Distribution({"ext_modules": some, "script_name": "einvoice.speedups",
                                 "script_args": ["-q", "build_ext", "--build-lib", str(work / "lib"),
                                                 "--build-temp", str(work / "tmp"), "-j", str(jobs)]})
            dist.parse_command_line()
            _quietly(dist.run_commands, log)

        compile_c([e for e in exts if e.name not in NATIVE], work / "compiler.log")
        left_out = {}  # a module against lxml's C API that does not compile (lxml without its headers): its callers
        for ext in (e for e in exts if e.name in NATIVE):  # work the same out in Python; the rest is compiled
            try:
                compile_c([ext], work / f"{ext.name}.log")
            except RuntimeError as exc:
                left_out[ext.name] = {"reason": str(exc), "sha256": digests[ext.name], "lxml": _lxml_version()}
        new, old = DIR.with_name("_speedups.new"), DIR.with_name("_speedups.old")
        shutil.rmtree(new, ignore_errors=True)
        new.mkdir()
        compiled = {}
        for name in sources:
            if name in left_out:
                continue
            built = work / "lib" / Path(*name.split(".")).with_suffix(_suffix())
            target = f"{name}{_suffix()}"
            shutil.copyfile(built, new / target)
            compiled[name] = {"file": target, "sha256": digests[name], **({"lxml": _lxml_version()} if name in NATIVE else {})}
        data = {"python": sys.implementation.cache_tag, "suffix": _suffix(), "modules": compiled,
                **({"left_out": left_out} if left_out else {})}
        (new / MANIFEST.name).write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        # the folder swapped whole: a process starting meanwhile finds the old build or the new one, or none
        shutil.rmtree(old, ignore_errors=True)
        if DIR.exists():
            DIR.rename(old)
        new.rename(DIR)
        shutil.rmtree(old, ignore_errors=True)
    _register()
    return data


def _quietly(run: Any, log: Path) -> None:
    """``run()`` with what the compiler prints (its own processes too) sent to ``log``; on failure, the first
    error line the compiler gave is the exception's message."""
    import contextlib

    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(log, "w", encoding="utf-8", errors="replace") as out:
        os.dup2(out.fileno(), 1)
        os.dup2(out.fileno(), 2)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):  # (where sys.stdout is no fd 1)
                run()
        except (Exception, SystemExit) as exc:
            failed: BaseException | None = exc
        else:
            failed = None
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
    if failed is not None:
        said = log.read_text(encoding="utf-8", errors="replace").splitlines()
        first = next((line.strip() for line in said if "error" in line.lower()), str(failed) or type(failed).__name__)
        raise RuntimeError(first[:300]) from None


def _fresh(data: dict[str, Any]) -> list[str]:
    """The modules of a manifest compiled from their present source."""
    finder = _Finder(data["modules"])
    return [n for n in data["modules"] if finder.find_spec(n, [str(HERE.parent.joinpath(*n.split(".")[:-1]))])]


def status() -> list[str]:
    """What is compiled and whether it runs (the first line says it all)."""
    data = _manifest()
    if data is None:
        return ["runs from source: no compiled modules for this interpreter (einvoice speedups compiles them)"]
    fresh = _fresh(data)
    stale = sorted(set(data["modules"]) - set(fresh))
    said = f"{len(fresh)} of {len(data['modules'])} modules compiled from their present source"
    if os.environ.get("EINVOICE_PURE"):
        return [f"runs from source (EINVOICE_PURE is set; {said})"]
    left = [f"{name} did not compile ({entry.get('reason', '')[:160]}): its callers work the same out in Python"
            for name, entry in data.get("left_out", {}).items()]
    return [said] + (["edited since compiled (their source runs): " + ", ".join(stale)] if stale else []) + left


def current() -> bool:
    """Whether every module :func:`modules` names is compiled, for this interpreter, from its present source (or,
    written against lxml's C API, was tried with this source and this lxml and did not compile: not tried again)."""
    data = _manifest()
    if data is None:
        return False
    tried = {name for name, entry in data.get("left_out", {}).items()
             if entry.get("sha256") == _digest(source_of(name)) and entry.get("lxml") == _lxml_version()}
    return set(data["modules"]) | tried == set(modules()) and len(_fresh(data)) == len(data["modules"])


def _unwritable() -> str | None:
    """Why the compiled modules cannot be written beside the package (its folder, and the folder they go into when
    it exists, must be writable: they are swapped in whole), or None."""
    for folder in (DIR.parent, *((DIR,) if DIR.exists() else ())):
        if not os.access(folder, os.W_OK | os.X_OK):
            return f"the folder {folder} is not writable by this user"
    return None


def _record() -> Path | None:
    """The RECORD file of the installed distribution whose files are this package (pip uninstall removes what it
    lists), or None: a checkout, an editable install (their compiled modules are the checkout's own)."""
    try:
        from importlib.metadata import distribution

        dist = distribution("einvoice-kit")
        files = dist.files or []
    except Exception:  # noqa: BLE001 - not installed as a distribution
        return None
    init = next((f for f in files if f.as_posix() == "einvoice/__init__.py"), None)
    record = next((f for f in files if f.name == "RECORD" and f.parent.name.endswith(".dist-info")), None)
    if init is None or record is None or Path(dist.locate_file(init)).resolve() != HERE / "__init__.py":
        return None
    return Path(dist.locate_file(record))


def _register() -> None:
    """List the compiled modules in the installed distribution's RECORD (in place of those listed before), so that
    ``pip uninstall`` removes them with the rest: left behind, the folder einvoice/ they are in shadowed a later
    editable install of the package in the same environment. Nothing for a checkout; unwritable: left as it was."""
    import csv
    import io

    record = _record()
    if record is None:
        return
    prefix = f"{HERE.name}/{DIR.name}/"
    try:
        rows = [r for r in csv.reader(io.StringIO(record.read_text(encoding="utf-8"))) if r]
        rows = [r for r in rows if not r[0].startswith(prefix)]
        if DIR.is_dir():
            rows += [[prefix + f.name, "", ""] for f in sorted(DIR.iterdir()) if f.is_file()]
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        tmp = record.with_name(record.name + ".einvoice-new")
        tmp.write_text(out.getvalue(), encoding="utf-8")
        os.replace(tmp, record)
    except OSError:
        pass


def remove() -> int:
    """Delete the compiled modules (``_speedups/``; an installed copy's RECORD lists them no more), saying in one line
    what was done; 0 when none are left."""
    import shutil

    if not DIR.exists():
        print("einvoice speedups: no compiled modules to remove (the modules run from their source)")
        return 0
    try:
        shutil.rmtree(DIR)
        _register()  # (listed no more)
    except OSError as exc:
        print(f"einvoice speedups: cannot remove {DIR} ({exc.strerror or type(exc).__name__}): remove it as the user "
              "who compiled it", file=sys.stderr)
        return 1
    print(f"einvoice speedups: removed {DIR} (the modules run from their source; einvoice speedups compiles them again)")
    return 0


def main(force: bool = False) -> int:
    """Compile (unless every module is current, or with ``force``), saying in one line what was done or why
    not; 0 when the compiled modules are there."""
    if not force and current():
        print(f"einvoice speedups: {len(modules())} modules compiled from their present source (nothing to do)")
        return 0
    unwritable = _unwritable()
    if unwritable is not None:  # (said before minutes of compiling, not after: the compiled modules go beside the source)
        print(f"einvoice speedups: not compiled: {unwritable}; the modules run from their source (compile as the user "
              "who installed einvoice, or in a virtual environment of your own)", file=sys.stderr)
        return 1
    try:
        data = build()
    except MissingTool as exc:
        print(f"einvoice speedups: not compiled: {exc}; the modules run from their source", file=sys.stderr)
        return 1
    except OSError as exc:  # (writing the compiled modules: no compiler would help)
        print(f"einvoice speedups: not compiled: cannot write the compiled modules into {DIR.parent} "
              f"({exc.strerror or type(exc).__name__}); the modules run from their source", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - one line, whatever the compiler said before it
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        print(f"einvoice speedups: not compiled ({type(exc).__name__}{': ' + reason if reason else ''}); the modules "
              "run from their source (a C compiler and the Python headers are needed: on Debian, gcc and "
              "python3-dev)", file=sys.stderr)
        return 1
    left = data.get("left_out", {})
    print(f"einvoice speedups: {len(data['modules'])} modules compiled into {DIR}"
          + (f" ({', '.join(left)} not: {next(iter(left.values()))['reason'][:160]}; the same is worked out in Python)"
             if left else ""))
    return 0
