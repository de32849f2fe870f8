"""The two syntax bindings of the model: UBL 2.1 and UN/CEFACT CII D16B.

``load`` reads any supported document (bytes, a path, or a parsed tree) into a
:class:`~einvoice.rules.engine.Document`: the model plus the tree it came from.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from lxml import etree

from ..errors import UnreadableInput, raise_interruption
from ..basics import Syntax
from .. import xmlsafe
from . import namespaces as ns

if TYPE_CHECKING:  # (for a type checker only: the rule engine is imported when a document is read)
    from ..rules.engine import Document


def detect(root: Any) -> Syntax | None:
    """The syntax of a root element, by its namespace and name (None when it is no invoice)."""
    tag = root.tag if isinstance(root.tag, str) else ""
    if tag in (f"{{{ns.UBL_INVOICE}}}Invoice", f"{{{ns.UBL_CREDIT_NOTE}}}CreditNote"):
        return Syntax.UBL
    if tag == f"{{{ns.RSM}}}CrossIndustryInvoice":
        return Syntax.CII
    return None


def _read_ubl(root: Any):
    from .ubl.reader import read_ubl  # the reader (and the pydantic model) only when the model is asked for

    return read_ubl(root)


def _read_cii(root: Any):
    from .cii.reader import read_cii

    return read_cii(root)


def read_tree(root: Any, path: str | None = None):
    """Read a parsed root element into a Document; UnreadableInput if the root is not an invoice.

    The model (``doc.invoice``) is read from the tree when it is first asked for.
    """
    from ..rules.engine import Document

    syntax = detect(root)
    if syntax is None and isinstance(root.tag, str):
        from .zugferd1 import is_zugferd1

        if is_zugferd1(root):
            return _read_legacy(root, path)
    # the model is read on first use of doc.invoice (rules on the tree alone never need it)
    if syntax == Syntax.UBL:
        return Document(None, Syntax.UBL, root, path, reader=_read_ubl)
    if syntax == Syntax.CII:
        return Document(None, Syntax.CII, root, path, reader=_read_cii)
    if root.tag == SBD_ROOT:
        return _read_enveloped(root, path)
    namespace = etree.QName(root).namespace if isinstance(root.tag, str) else None
    if namespace in _INVOICE_ROOTS:  # (an invoice's namespace: a broken invoice, not XML of another kind)
        expected = f"<{_INVOICE_ROOTS[namespace]}>" + (" (ZUGFeRD 1.0)" if namespace == _ZUGFERD1 else "")
        raise UnreadableInput(f"root element {_named(root)} is not the invoice root of its namespace: expected {expected}",
                              path)
    local = etree.QName(root).localname if isinstance(root.tag, str) else None
    if local in _OTHER_INVOICE_ROOTS:  # an invoice of a format not read here: unreadable, not XML of another kind
        known = next((name for start, name in _OTHER_FORMATS if (namespace or "").startswith(start)),
                     "Finvoice" if local == "Finvoice" else None)
        if namespace is None and local in _INVOICE_ROOTS.values():
            known = f"an invoice of this name declares the namespace {next(k for k, v in _INVOICE_ROOTS.items() if v == local)}"
        raise UnreadableInput(f"{_named(root)} is {OTHER_FORMAT}"
                              + (f" ({known})" if known else "") + "; it reads UBL 2.1 Invoice/CreditNote, CII "
                              "CrossIndustryInvoice and ZUGFeRD 1.0", path)
    inner = next(root.iter(*_WRAPPED), None) if isinstance(root.tag, str) else None
    if inner is not None:  # an invoice inside another document (a SOAP envelope): no XML of another kind, unreadable
        raise UnreadableInput(f"{_named(root)} is {OTHER_FORMAT} (it holds {_named(inner)} at line {inner.sourceline}: "
                              "einvoice reads an invoice that is the document's root or an SBDH envelope's payload; "
                              "take it out of its wrapper)", path)
    raise UnreadableInput(
        f"unknown root element {_named(root)}; expected a UBL Invoice/CreditNote, a CII CrossIndustryInvoice or a "
        "ZUGFeRD 1.0 CrossIndustryDocument", path)


# root names of invoices in formats (namespaces) not read here: such a file is an invoice that cannot be checked,
# unreadable in a folder's run too (a CI run must not pass without it); the batch skips it, by OTHER_FORMAT in its
# reason, only with --skip-other-xml
OTHER_FORMAT = "an invoice in a format einvoice does not read"
_OTHER_INVOICE_ROOTS = frozenset({"Invoice", "CreditNote", "CrossIndustryInvoice", "CrossIndustryDocument",
                                  "FatturaElettronica", "Finvoice"})
_OTHER_FORMATS = (("urn:sfti:documents:BasicInvoice", "Svefaktura"), ("http://isdoc.cz/namespace", "ISDOC"),
                  ("http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture", "FatturaPA"),
                  ("urn:oasis:names:specification:ubl:schema:xsd:Invoice-1", "UBL 1.0"),
                  ("urn:oasis:names:tc:ubl:schema:xsd:Invoice-1", "UBL 1.0"),
                  ("http://www.ebinterface.at/schema", "ebInterface"))
_ZUGFERD1 = "urn:ferd:CrossIndustryDocument:invoice:1p0"
_INVOICE_ROOTS = {  # namespace -> the name of the invoice root in it
    ns.UBL_INVOICE: "Invoice",
    ns.UBL_CREDIT_NOTE: "CreditNote",
    ns.RSM: "CrossIndustryInvoice",
    _ZUGFERD1: "CrossIndustryDocument",
}
_DOCTYPE_NAME = re.compile(rb"<!DOCTYPE\s+([^\s\[>]+)")


def doctype_of_another_kind(data: bytes) -> str | None:
    """The root name a DOCTYPE declares ('web-app'), read without processing the declaration, when it names no
    invoice's root nor an SBDH envelope's and no start tag of one stands anywhere in the file (an invoice with a
    DOCTYPE is refused for safety, whatever name its DOCTYPE gives: a DOCTYPE <x> before an <Invoice> root was
    skipped as XML of another kind, a silent pass; XML of another kind beside invoices is no invoice at all); None
    otherwise."""
    found = _DOCTYPE_NAME.search(data, 0, 4096)
    name = found.group(1).decode("latin-1") if found else None
    local = name.rpartition(":")[2] if name else None
    if not local or local in _ROOT_NAMES or _ROOT_START.search(data):
        return None
    return name


def _named(el: Any) -> str:
    """'<Order> in namespace urn:...' (or 'without namespace'): an element as an error message names it."""
    if not isinstance(el.tag, str):
        return f"<{el.tag}> without namespace"
    name = etree.QName(el)
    return f"<{name.localname}>" + (f" in namespace {name.namespace}" if name.namespace else " without namespace")


SBDH = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"
SBD_ROOT = f"{{{SBDH}}}StandardBusinessDocument"
ENVELOPE_RULE = "EINV-SBDH-001"
# the roots a DOCTYPE may stand before in a file that is an invoice (doctype_of_another_kind), and their start tags
_ROOT_NAMES = frozenset((*_INVOICE_ROOTS.values(), *_OTHER_INVOICE_ROOTS, SBD_ROOT.rpartition("}")[2]))
_ROOT_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:%s)[\s/>]" % b"|".join(n.encode() for n in sorted(_ROOT_NAMES)))
# the root elements of what einvoice reads, found inside another document (read_tree: wrapped, not of another kind)
_WRAPPED = (*(f"{{{namespace}}}{name}" for namespace, name in _INVOICE_ROOTS.items()), SBD_ROOT)


def _read_enveloped(root: Any, path: str | None):
    """The invoice inside a Standard Business Document (the SBDH envelope of the Peppol network): its one
    payload element, copied into a tree of its own (absolute paths of the rules start at the invoice; line
    numbers stay those of the file), with an information finding saying the envelope was opened."""
    import copy

    from ..rules.engine import Finding, Severity

    payloads = [c for c in root if isinstance(c.tag, str) and c.tag != f"{{{SBDH}}}StandardBusinessDocumentHeader"]
    if len(payloads) != 1:
        raise UnreadableInput(f"SBDH envelope (StandardBusinessDocument) with {len(payloads)} payload elements; "
                              "expected one invoice", path)
    payload = payloads[0]
    if detect(payload) is None:
        raise UnreadableInput(f"SBDH envelope (StandardBusinessDocument) carrying {_named(payload)}; expected a UBL "
                              "Invoice/CreditNote or a CII CrossIndustryInvoice", path)
    invoice = copy.deepcopy(payload)
    etree.ElementTree(invoice)  # its own document: "/" is the invoice
    doc = read_tree(invoice, path)
    doc.container_findings.append(Finding(
        ENVELOPE_RULE, Severity.INFO,
        f"the invoice was read from inside an SBDH envelope (StandardBusinessDocument, line {payload.sourceline}); "
        "the envelope itself is not checked",
        "nothing to do for the invoice; a receiver's access point checks the envelope", path=path, layer="container"))
    return doc


def _read_legacy(root: Any, path: str | None):
    """A ZUGFeRD 1.0 document as the Factur-X CII document it converts to (see :mod:`.zugferd1`).

    ``doc.legacy`` (in the document's ``__dict__``) names the format and keeps the
    findings of the ZUGFeRD 1.0 XML Schema on the original.
    """
    from ..rules.engine import Document
    from .zugferd1 import profile_findings, schema_findings, upgrade

    try:
        converted, profile, invoice = upgrade(root, path)
    except Exception as exc:  # a broken legacy document: one line, no traceback
        raise_interruption(exc)
        raise UnreadableInput(f"ZUGFeRD 1.0 document could not be converted to CII D16B ({exc})", path) from None
    doc = Document(invoice, Syntax.CII, converted, path)  # (the model as read: a BASIC document's BIC stays)
    doc.__dict__["legacy"] = {"format": "ZUGFeRD 1.0", "profile": profile, "original": root,
                              "findings": schema_findings(root, path) + profile_findings(root, path)}
    return doc


def header(doc):
    """The document's model, or, while it has not been read, a model of its header alone (no lines, no attachment
    content; read once and kept on the document): what profile detection and batch facts need."""
    if doc.model_read or doc.root is None or doc.syntax not in (Syntax.UBL, Syntax.CII) or doc.__dict__.get("legacy"):
        return doc.invoice
    inv = doc.__dict__.get("_header_model")
    if inv is None:
        if doc.syntax == Syntax.UBL:
            from .ubl.reader import read_ubl as read
        else:
            from .cii.reader import read_cii as read
        inv = doc.__dict__["_header_model"] = read(doc.root, lines=False)
    return inv


def load(source: str | os.PathLike[str] | bytes | IO[bytes], max_bytes: int | None = None) -> Document:
    """Read bytes, a path or a binary file object into a Document (model + tree). Raises UnreadableInput with a one-line reason.

    Invoice XML, or a Factur-X / ZUGFeRD PDF (recognised by its content) whose embedded
    XML is read; the findings about the PDF container are kept in ``doc.container_findings``.
    ``max_bytes`` bounds the input and the XML inside a PDF (default: :data:`einvoice.xmlsafe.MAX_BYTES`,
    or the limit of an enclosing :func:`einvoice.xmlsafe.limited_to`).
    """
    from .. import arguments

    max_bytes = xmlsafe.size_limit(None if max_bytes is None else arguments.size("max_bytes", max_bytes))
    data, name = xmlsafe.read_bytes(source, max_bytes)
    from ..container import parse_invoice

    tree, findings = parse_invoice(data, name, max_bytes)
    doc = read_tree(tree.getroot(), name)
    doc.container_findings = findings + doc.container_findings
    doc.__dict__[PARSED_HERE] = True  # (its tree is this Document's alone: the XSD step may change it and put it back)
    return doc


PARSED_HERE = "parsed_here"  # a Document's key: its tree was parsed by load, no caller holds it
