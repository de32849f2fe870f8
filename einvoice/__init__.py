"""einvoice: build and validate EHF / Peppol BIS Billing 3.0 (UBL) and Factur-X / ZUGFeRD (CII) invoices.

Public API::

    import einvoice

    report = einvoice.validate("invoice.xml")          # -> einvoice.Report
    report.valid, report.profile, report.findings

    xml = einvoice.build(data, "ehf")                  # dict or einvoice.Invoice -> bytes
    doc = einvoice.load("invoice.xml")                 # -> Document (doc.invoice is an Invoice)

Errors raised on purpose derive from :class:`einvoice.errors.EinvoiceError`:
``UnreadableInput``, ``InvalidModelInput``, ``BuildRefused`` (with ``.findings``).

Names are loaded on first use, so ``import einvoice`` (and the command line) start fast.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_LAZY = {
    "validate": ("einvoice.validate", "validate"),
    "build": ("einvoice.build", "build"),
    "build_file": ("einvoice.build", "build_file"),
    "load": ("einvoice.syntax", "load"),
    "Report": ("einvoice.rules.engine", "Report"),
    "Finding": ("einvoice.rules.engine", "Finding"),
    "Severity": ("einvoice.rules.engine", "Severity"),
    "Invoice": ("einvoice.model.invoice", "Invoice"),
    "EinvoiceError": ("einvoice.errors", "EinvoiceError"),
    "UnreadableInput": ("einvoice.errors", "UnreadableInput"),
    "InvalidModelInput": ("einvoice.errors", "InvalidModelInput"),
    "BuildRefused": ("einvoice.errors", "BuildRefused"),
}

__all__ = ["validate", "build", "build_file", "load", "Report", "Finding", "Severity", "Invoice",
           "EinvoiceError", "UnreadableInput", "InvalidModelInput", "BuildRefused", "__version__"]

if TYPE_CHECKING:  # pragma: no cover
    from .build import build, build_file
    from .errors import BuildRefused, EinvoiceError, InvalidModelInput, UnreadableInput
    from .model.invoice import Invoice
    from .rules.engine import Finding, Report, Severity
    from .syntax import load
    from .validate import validate


def __getattr__(name: str) -> Any:
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'einvoice' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(target[0]), target[1])
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


# ``einvoice.validate`` and ``einvoice.build`` are both submodules and public functions.
# Importing a submodule makes Python set it as an attribute of the package, which would
# hide the function; the package keeps the function (the module stays in sys.modules,
# so ``from einvoice.validate import validate_document`` works as usual).
_FUNCTIONS_OVER_MODULES = {"validate", "build"}


class _Package(types.ModuleType):
    def __setattr__(self, name: str, value: Any) -> None:
        if name in _FUNCTIONS_OVER_MODULES and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
