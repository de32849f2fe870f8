"""einvoice: build and validate EHF / Peppol BIS Billing 3.0 (UBL) and Factur-X / ZUGFeRD (CII) invoices.

Public API::

    import einvoice

    report = einvoice.validate("invoice.xml")          # -> einvoice.Report
    report.valid, report.profile, report.findings

    report = einvoice.validate("invoice.xml", policy=True)  # with the house policy (EINV-P-*)

    xml = einvoice.build(data, "ehf")                  # dict or einvoice.Invoice -> bytes
    data = einvoice.load_input("invoice.yaml")         # a YAML or JSON build input, every value read as written
    doc = einvoice.load("invoice.xml")                 # -> Document (doc.invoice is an Invoice)

    html = einvoice.render("invoice.xml")              # printable page: str (html) or bytes (format="pdf")
    cii = einvoice.convert("invoice.xml", to="cii")    # UBL <-> CII, validated
    xml = einvoice.extract("factur-x.pdf")             # the XML inside a Factur-X PDF
    pdf = einvoice.build_pdf(data, "facturx-en16931")  # a Factur-X PDF/A-3 from a dict or Invoice
    pdf = einvoice.attach("their.pdf", "invoice-cii.xml")  # embed a CII in a PDF/A made elsewhere
    with einvoice.max_size(200_000_000): ...           # reads in the block bounded by 200 MB, not 50 MB

The model classes (``Invoice``, ``InvoiceLine``, ``Item``, ``Price``, ``Party``, ``Address``,
``Contact``, ``PaymentMeans``, ``CreditTransfer``, ``TaxCategory`` ...) are exported here;
amounts take a ``Decimal``, ``str`` or ``int`` directly and identifiers a ``str``.

Errors raised on purpose derive from :class:`einvoice.errors.EinvoiceError`:
``UnreadableInput``, ``InvalidModelInput``, ``BuildRefused`` (with ``.findings``; ``SourceInvalid``, a conversion's
source that does not validate, is one), ``ConversionRefused`` (a conversion whose target needs terms the source
lacks; ``.missing`` names them), ``CannotWrite`` (``build_file``'s output cannot be written: its path and the
system's reason; an OSError too).

Names are loaded on first use, so ``import einvoice`` (and the command line) start fast.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

from . import speedups as _speedups  # noqa: E402 - compiled modules, where built and current, before any is imported

_speedups.install()


def _other_threads_imports(me: int) -> list:
    """(module name, its import lock) of the modules other threads are importing now."""
    from importlib import _bootstrap

    out = []
    for name, ref in list(_bootstrap._module_locks.items()):
        lock = ref() if callable(ref) else None
        owner = getattr(lock, "owner", None)
        if owner and owner != me:
            out.append((name, lock))
    return out


import threading as _threading  # noqa: E402

FIRST_USE = _threading.RLock()  # held by a thread running a kind of validation for the first time (validate.py)
_HELD_FOR_FORK: list = []


def _imports_finished_before_fork() -> None:
    """Before a fork: wait until no other thread runs a first validation of its kind (it loads modules, tables and
    schemas, libxml2's own types too), then (at most two seconds) until no other thread is importing a module, so
    that the child gets every module and table whole (a C extension half set up cannot be imported again in the
    child; a lock held by a thread the child does not have is held there for good)."""
    FIRST_USE.acquire()
    _HELD_FOR_FORK.append(True)
    try:
        import threading
        import time

        me, until = threading.get_ident(), time.monotonic() + 2
        while time.monotonic() < until:  # (looked at, not waited on: an import may wait for a lock this thread
            if not _other_threads_imports(me):  # holds for the fork, logging's, whose own fork handler took it first;
                return  # waiting on that import's lock hung both for good)
            time.sleep(0.001)
    except Exception:  # noqa: BLE001 - a Python whose importlib differs: forking as before
        pass


def _release_after_fork() -> None:
    if _HELD_FOR_FORK:
        _HELD_FOR_FORK.pop()
        FIRST_USE.release()


def _imports_of_other_threads_undone() -> None:
    """In a child process just forked: a module another thread of the parent was importing at the fork is half
    made, and its import lock is held by a thread the child does not have, so the child's first use of it (the
    library loads its modules on first use) waited for good. Such modules are forgotten, to be imported afresh;
    the forking thread's own imports are left alone. (importlib's internals: where they differ, nothing is done.)"""
    try:
        import threading
        from importlib import _bootstrap

        for name, _lock in _other_threads_imports(threading.get_ident()):
            _bootstrap._module_locks.pop(name, None)
            module = sys.modules.get(name)
            spec = getattr(module, "__spec__", None)
            if getattr(spec, "_initializing", False) and str(getattr(spec, "origin", "")).endswith(".py"):
                del sys.modules[name]  # (a C extension half set up cannot be made again: left as it is)
    except Exception:  # noqa: BLE001 - a Python whose importlib differs: the child is as before
        pass
    _release_after_fork()


if hasattr(__import__("os"), "register_at_fork"):
    __import__("os").register_at_fork(before=_imports_finished_before_fork, after_in_parent=_release_after_fork,
                                      after_in_child=_imports_of_other_threads_undone)

_LAZY = {
    "validate": ("einvoice.validate", "validate"),
    "build": ("einvoice.build", "build"),
    "build_file": ("einvoice.build", "build_file"),
    "load_input": ("einvoice.build", "load_input"),
    "load": ("einvoice.syntax", "load"),
    "Report": ("einvoice.rules.engine", "Report"),
    "Finding": ("einvoice.rules.engine", "Finding"),
    "Severity": ("einvoice.rules.engine", "Severity"),
    "render": ("einvoice.api", "render"),
    "convert": ("einvoice.api", "convert"),
    "extract": ("einvoice.api", "extract"),
    "build_pdf": ("einvoice.api", "build_pdf"),
    "attach": ("einvoice.api", "attach"),
    "warm_up": ("einvoice.api", "warm_up"),
    "max_size": ("einvoice.xmlsafe", "max_size"),
    **{name: ("einvoice.model.invoice", name) for name in (
        "Invoice", "InvoiceLine", "Item", "ItemAttribute", "Classification", "Price", "Party", "Address", "Contact",
        "TaxRegistration", "Identifier", "Amount", "Note", "PrecedingInvoice", "Delivery", "Period", "PaymentMeans",
        "CreditTransfer", "Card", "DirectDebit", "TaxCategory", "AllowanceCharge", "VatBreakdown", "TaxTotal",
        "DocumentTotals", "SupportingDocument", "AttachedObject", "DocumentKind")},
    "EinvoiceError": ("einvoice.errors", "EinvoiceError"),
    "UnreadableInput": ("einvoice.errors", "UnreadableInput"),
    "InvalidModelInput": ("einvoice.errors", "InvalidModelInput"),
    "BuildRefused": ("einvoice.errors", "BuildRefused"),
    "SourceInvalid": ("einvoice.errors", "SourceInvalid"),
    "CannotWrite": ("einvoice.errors", "CannotWrite"),
    "ConversionRefused": ("einvoice.syntax.convert", "ConversionRefused"),
}

# (written out, not computed from _LAZY: a type checker reads the public names from a literal list; a test keeps
# the two the same)
__all__ = ["__version__", "validate", "build", "build_file", "load_input", "load", "Report", "Finding", "Severity",
           "render", "convert", "extract", "build_pdf", "attach", "warm_up", "max_size", "Invoice", "InvoiceLine",
           "Item", "ItemAttribute", "Classification", "Price", "Party", "Address", "Contact", "TaxRegistration",
           "Identifier", "Amount", "Note", "PrecedingInvoice", "Delivery", "Period", "PaymentMeans",
           "CreditTransfer", "Card", "DirectDebit", "TaxCategory", "AllowanceCharge", "VatBreakdown", "TaxTotal",
           "DocumentTotals", "SupportingDocument", "AttachedObject", "DocumentKind", "EinvoiceError",
           "UnreadableInput", "InvalidModelInput", "BuildRefused", "SourceInvalid", "CannotWrite",
           "ConversionRefused"]

if TYPE_CHECKING:  # pragma: no cover - what a type checker sees of the names loaded on first use (each re-exported:
    # ``import x as x``)
    from .api import (attach as attach, build_pdf as build_pdf, convert as convert, extract as extract,
                      render as render, warm_up as warm_up)
    from .build import (build as build, build_file as build_file, load_input as load_input)
    from .errors import (BuildRefused as BuildRefused, CannotWrite as CannotWrite, EinvoiceError as EinvoiceError,
                         InvalidModelInput as InvalidModelInput, SourceInvalid as SourceInvalid,
                         UnreadableInput as UnreadableInput)
    from .model.invoice import (Address as Address, AllowanceCharge as AllowanceCharge, Amount as Amount,
                                AttachedObject as AttachedObject, Card as Card, Classification as Classification,
                                Contact as Contact, CreditTransfer as CreditTransfer, Delivery as Delivery,
                                DirectDebit as DirectDebit, DocumentKind as DocumentKind,
                                DocumentTotals as DocumentTotals, Identifier as Identifier, Invoice as Invoice,
                                InvoiceLine as InvoiceLine, Item as Item, ItemAttribute as ItemAttribute,
                                Note as Note, Party as Party, PaymentMeans as PaymentMeans, Period as Period,
                                PrecedingInvoice as PrecedingInvoice, Price as Price,
                                SupportingDocument as SupportingDocument, TaxCategory as TaxCategory,
                                TaxRegistration as TaxRegistration, TaxTotal as TaxTotal,
                                VatBreakdown as VatBreakdown)
    from .rules.engine import (Finding as Finding, Report as Report, Severity as Severity)
    from .syntax import load as load
    from .syntax.convert import ConversionRefused as ConversionRefused
    from .validate import validate as validate
    from .xmlsafe import max_size as max_size


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
_FUNCTIONS_OVER_MODULES = {"validate", "build", "render"}


class _Package(types.ModuleType):
    def __setattr__(self, name: str, value: Any) -> None:
        if name in _FUNCTIONS_OVER_MODULES and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
