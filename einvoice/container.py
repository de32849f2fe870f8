"""The PDF container of a Factur-X / ZUGFeRD invoice: find the XML and check the wrapping.

``read_pdf(data, path)`` returns the invoice XML and the container findings
(EINV-PDF-*): exactly one invoice attachment under a known name, XMP metadata
present with a Factur-X profile that matches the XML's guideline, a PDF/A
identification, and the attachment's relationship. What makes the PDF unusable
(not a PDF, damaged, encrypted, no invoice inside, two invoices inside) raises
:class:`~einvoice.errors.UnreadableInput` with a one-line reason.
"""

from __future__ import annotations

import io
import re

from .errors import UnreadableInput
from .xmlsafe import is_pdf
from .rules.engine import Finding, Severity

INVOICE_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "ZUGFeRD-invoice.xml", "xrechnung.xml")
RELATIONSHIPS = ("/Data", "/Source", "/Alternative")

# XMP ConformanceLevel -> the guideline (BT-24) prefixes it admits
LEVEL_GUIDELINES = {
    "MINIMUM": ("urn:factur-x.eu:1p0:minimum",),
    "BASIC WL": ("urn:factur-x.eu:1p0:basicwl",),
    "BASIC": ("urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic", "urn:cen.eu:en16931:2017#compliant#urn:zugferd.de:2p0:basic"),
    "EN 16931": ("urn:cen.eu:en16931:2017",),
    "COMFORT": ("urn:cen.eu:en16931:2017",),
    "EXTENDED": ("urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended",
                 "urn:cen.eu:en16931:2017#conformant#urn:zugferd.de:2p0:extended"),
    "XRECHNUNG": ("urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung",
                  "urn:cen.eu:en16931:2017#compliant#urn:xoev-de:kosit:standard:xrechnung"),
}

MESSAGES = {
    "EINV-PDF-001": ("The PDF has no XMP metadata, so a receiver cannot tell it is a Factur-X invoice.",
                     "Write the PDF with the factur-x package (or einvoice build --pdf), which adds the Factur-X XMP."),
    "EINV-PDF-002": ("The XMP metadata names no Factur-X conformance level.",
                     "Add fx:ConformanceLevel (MINIMUM, BASIC WL, BASIC, EN 16931, EXTENDED) to the XMP."),
    "EINV-PDF-003": ("The XMP says profile {level} but the XML's guideline identifier is {guideline}.",
                     "Make the XMP conformance level and the XML guideline (BT-24) name the same profile."),
    "EINV-PDF-004": ("The PDF declares no PDF/A conformance (pdfaid:part), which Factur-X requires.",
                     "Produce the PDF as PDF/A-3 (e.g. with einvoice build --pdf)."),
    "EINV-PDF-005": ("The invoice attachment {name} has the relationship {rel}; Factur-X expects Data, Source or Alternative.",
                     "Set /AFRelationship of the embedded file (Alternative for German/French profiles, Data otherwise)."),
    "EINV-PDF-006": ("The XMP names the attachment {xmp_name} but the PDF embeds {name}.",
                     "Make fx:DocumentFileName match the embedded file name."),
}


def _finding(rule: str, path: str | None, **params) -> Finding:
    msg, hint = MESSAGES[rule]
    sev = Severity.ERROR if rule in ("EINV-PDF-003",) else Severity.WARNING
    return Finding(rule, sev, msg.format(**params), hint, path=path, layer="container")


def _xmp_value(xmp: str, name: str) -> str | None:
    m = re.search(rf"<(?:\w+:)?{name}>\s*([^<]*?)\s*</(?:\w+:)?{name}>", xmp)
    if m:
        return m.group(1)
    m = re.search(rf"(?:\w+:)?{name}\s*=\s*\"([^\"]*)\"", xmp)
    return m.group(1) if m else None


def _open(data: bytes, path: str | None):
    """``(reader, attachment name, xml)`` of a PDF with exactly one invoice attachment; UnreadableInput otherwise."""
    try:
        import logging

        from pypdf import PdfReader

        logging.getLogger("pypdf").setLevel(logging.ERROR)
    except ImportError:  # pragma: no cover - pypdf comes with factur-x
        raise UnreadableInput("PDF support needs the pypdf package", path) from None
    if not is_pdf(data):
        raise UnreadableInput("not a PDF (no %PDF header)", path)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UnreadableInput("the PDF is encrypted; an invoice PDF must be readable without a password", path)
        attachments = reader.attachments
        names = list(attachments.keys())
    except UnreadableInput:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on damaged files
        raise UnreadableInput(f"damaged PDF ({type(exc).__name__}: {str(exc)[:120]})", path) from None
    lowered = {x.lower() for x in INVOICE_NAMES}
    known = [n for n in names if n.lower() in lowered]
    if not known:
        other = f" (it embeds {', '.join(names[:5])})" if names else ""
        raise UnreadableInput("the PDF carries no invoice XML under a known name "
                              f"({', '.join(INVOICE_NAMES)}){other}", path)
    if len(known) > 1:
        raise UnreadableInput(f"the PDF carries {len(known)} invoice XMLs ({', '.join(known)}); "
                              "exactly one is allowed", path)
    name = known[0]
    contents = attachments[name]
    if len(contents) != 1:
        raise UnreadableInput(f"the PDF carries {len(contents)} attachments named {name}; exactly one is allowed", path)
    return reader, name, contents[0]


def invoice_xml(data: bytes, path: str | None = None) -> tuple[bytes, list[Finding]]:
    """The invoice XML of bytes that are XML or a PDF (by content), with the PDF's container findings."""
    if not is_pdf(data):
        return data, []
    return read_pdf(data, path)


def extract_xml(data: bytes, path: str | None = None) -> tuple[str, bytes]:
    """``(attachment name, xml)`` of the invoice in a Factur-X / ZUGFeRD / XRechnung PDF, without the container checks."""
    _reader, name, xml = _open(data, path)
    return name, xml


def read_pdf(data: bytes, path: str | None = None) -> tuple[bytes, list[Finding]]:
    """The invoice XML inside a PDF, and the findings about its container."""
    reader, name, xml = _open(data, path)
    findings: list[Finding] = []

    # XMP
    xmp_text = None
    try:
        meta = reader.trailer["/Root"].get("/Metadata")
        if meta is not None:
            xmp_text = meta.get_object().get_data().decode("utf-8", "replace")
    except Exception:  # noqa: BLE001
        xmp_text = None
    guideline = _guideline(xml)
    if not xmp_text:
        findings.append(_finding("EINV-PDF-001", path))
    else:
        level = _xmp_value(xmp_text, "ConformanceLevel")
        if not level:
            findings.append(_finding("EINV-PDF-002", path))
        elif guideline is not None:
            allowed = LEVEL_GUIDELINES.get(level.strip().upper())
            if allowed is not None and not any(guideline == a or guideline.startswith(a + "#") or guideline.startswith(a)
                                               for a in allowed):
                findings.append(_finding("EINV-PDF-003", path, level=level, guideline=guideline))
            if level.strip().upper() in ("EN 16931", "COMFORT") and guideline.startswith(
                    "urn:cen.eu:en16931:2017#con"):
                findings.append(_finding("EINV-PDF-003", path, level=level, guideline=guideline))
        if _xmp_value(xmp_text, "part") is None:
            findings.append(_finding("EINV-PDF-004", path))
        xmp_name = _xmp_value(xmp_text, "DocumentFileName")
        if xmp_name and xmp_name.strip() != name:
            findings.append(_finding("EINV-PDF-006", path, xmp_name=xmp_name.strip(), name=name))
    rel = _relationship(reader, name)
    if rel is not None and rel not in RELATIONSHIPS:
        findings.append(_finding("EINV-PDF-005", path, name=name, rel=rel.lstrip("/")))
    from .pdfa import check as pdfa_check  # the PDF/A-3 essentials (EINV-PDF-101 ...)
    findings += pdfa_check(data, path, already=findings)
    return xml, findings


def _guideline(xml: bytes) -> str | None:
    m = re.search(rb"GuidelineSpecifiedDocumentContextParameter>\s*<(?:\w+:)?ID>\s*([^<]+?)\s*<", xml)
    if m is None:
        m = re.search(rb"<(?:\w+:)?CustomizationID>\s*([^<]+?)\s*<", xml)
    return m.group(1).decode("utf-8", "replace") if m else None


def _relationship(reader, name: str) -> str | None:
    try:
        names = reader.trailer["/Root"]["/Names"]["/EmbeddedFiles"]["/Names"]
        for i in range(0, len(names) - 1, 2):
            if str(names[i]) == name:
                spec = names[i + 1].get_object()
                rel = spec.get("/AFRelationship")
                return str(rel) if rel is not None else None
    except Exception:  # noqa: BLE001
        return None
    return None
