"""The CII XML embedded in a Factur-X / ZUGFeRD PDF/A-3 (via the factur-x package)."""

from __future__ import annotations

import logging

from ...errors import UnreadableInput


# attachment names of Factur-X, ZUGFeRD 2.x and XRechnung-in-PDF (compared case-insensitively)
KNOWN_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml")


def extract_xml(pdf_bytes: bytes, name: str | None = None) -> tuple[str, bytes]:
    """``(filename, xml_bytes)`` of the invoice XML attached to a Factur-X / ZUGFeRD PDF.

    Raises :class:`UnreadableInput` with a one-line reason when the input is no
    PDF, cannot be read, or carries no Factur-X / ZUGFeRD XML attachment.
    """
    if not isinstance(pdf_bytes, (bytes, bytearray)) or not pdf_bytes:
        raise UnreadableInput("empty PDF", name)
    if not bytes(pdf_bytes[:1024]).lstrip().startswith(b"%PDF"):
        raise UnreadableInput("not a PDF file (no %PDF header)", name)
    try:
        from facturx import get_xml_from_pdf
    except ImportError:  # pragma: no cover - factur-x is a dependency
        raise UnreadableInput("reading PDF invoices needs the factur-x package", name) from None
    loggers = [logging.getLogger(n) for n in ("factur-x", "pypdf")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:  # the packages log every attachment they look at and every repair they try
        lg.setLevel(logging.CRITICAL)
    try:
        filename, xml = get_xml_from_pdf(bytes(pdf_bytes), check_xsd=False, filenames=list(KNOWN_NAMES))
        if not filename:  # any other XML attachment that is a CII invoice
            filename, xml = get_xml_from_pdf(bytes(pdf_bytes), check_xsd=False, filenames=["*.xml"])
    except Exception as exc:  # the PDF library raises many kinds on broken files
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UnreadableInput(f"cannot read the PDF ({reason})", name) from None
    finally:
        for lg, lv in zip(loggers, levels):
            lg.setLevel(lv)
    if not filename or not xml:
        raise UnreadableInput("the PDF has no Factur-X / ZUGFeRD XML attachment", name)
    return str(filename), bytes(xml)
