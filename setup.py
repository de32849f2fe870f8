"""Packaging beside pyproject.toml (which holds everything else): the data folder ``schemas/`` of the checkout is
installed inside the package, as ``einvoice/_schemas`` (``einvoice.data.SCHEMAS`` reads it there), not as a
top-level package of its own whose name other distributions may use."""

from setuptools import find_namespace_packages, setup

setup(
    packages=find_namespace_packages(include=["einvoice", "einvoice.*"], exclude=["einvoice._speedups*", "*.__pycache__"])
    + ["einvoice._schemas"],
    package_dir={"einvoice._schemas": "schemas"},
)
