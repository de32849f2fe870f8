"""Packaging beside pyproject.toml (which holds everything else): the data folder ``schemas/`` of the checkout is
installed inside the package, as ``einvoice/_schemas`` (``einvoice.data.SCHEMAS`` reads it there), not as a
top-level package of its own whose name other distributions may use.

Each build starts from an empty ``build/lib`` of the checkout: setuptools copies the packages there and packs
whatever it holds, so files of an earlier build (a top-level ``schemas`` of an earlier layout, a rule file deleted
since) went into the wheel too."""

import shutil
from pathlib import Path

from setuptools import find_namespace_packages, setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class FreshBuildPy(build_py):
    def run(self):
        lib = Path(self.build_lib).resolve()
        if lib.parent == HERE / "build" and lib.name.startswith("lib") and lib.is_dir():  # (the checkout's own only)
            shutil.rmtree(lib)
        super().run()


setup(
    packages=find_namespace_packages(include=["einvoice", "einvoice.*"], exclude=["einvoice._speedups*", "*.__pycache__"])
    + ["einvoice._schemas"] + ["einvoice._schemas." + sub for sub in find_namespace_packages(where="schemas")],
    package_dir={"einvoice._schemas": "schemas"},
    cmdclass={"build_py": FreshBuildPy},
)
