"""The library functions beside validate and build: render, convert, extract, Factur-X PDFs.

(``build_pdf``, not ``facturx_pdf``: a package attribute named like a submodule would be
replaced by that module as soon as it is imported.)

Each is exported from :mod:`einvoice`; a *source* is a path, the bytes of a UBL or CII
invoice or of a Factur-X PDF (recognised by content), or an :class:`~einvoice.Invoice`
where noted. Bad input raises :class:`~einvoice.UnreadableInput` with a one-line reason;
a result that would not validate raises :class:`~einvoice.BuildRefused` with the findings.
"""

from __future__ import annotations

import os
from typing import IO, Any, Literal, overload

# a source: a path (str or os.PathLike), the bytes of a document, or a file object opened in binary mode
Source = str | os.PathLike[str] | bytes | IO[bytes]


@overload
def render(source: Any, format: Literal["html"] = "html", lang: str | None = None,
           max_lines: int | None = None) -> str: ...
@overload
def render(source: Any, format: Literal["pdf"], lang: str | None = None, max_lines: int | None = None) -> bytes: ...
@overload
def render(source: Any, format: str, lang: str | None = None, max_lines: int | None = None) -> str | bytes: ...


def render(source: Any, format: str = "html", lang: str | None = None, max_lines: int | None = None) -> str | bytes:
    """The printable view of an invoice: ``format="html"`` (str, self-contained) or ``"pdf"`` (bytes, PDF/A-3b).

    ``source`` is a path, bytes or an Invoice; ``lang`` one of en nb sv da de fr
    (default: the seller's country's language, else English). The page of a document (a path, bytes) that does
    not pass validation says so at its top, listing its first errors (values the reader could not read are
    missing from the page); an Invoice given is shown as it is, once checked as ``build`` checks it
    (InvalidModelInput for a field of the wrong type, a control character or a lone surrogate in a text).
    A PDF is laid out for at most ``max_lines`` lines, allowances and charges (default 5,000: 10,000 take 2 minutes
    and 2 GB); a longer invoice raises UnreadableInput (PageTooLong) before any layout. HTML has no such limit.
    """
    from . import arguments, syntax
    from .model.invoice import Invoice
    from .render import render_html, render_pdf
    from .validate import validation_errors

    arguments.text("format", format)
    arguments.text("lang", lang, optional=True)
    arguments.count("max_lines", max_lines, optional=True)
    if format not in ("html", "pdf"):
        raise ValueError(f"format must be 'html' or 'pdf', not {format!r}")
    if isinstance(source, Invoice):  # (checked as build checks it: a field set after construction is not validated
        from .build import to_invoice  # by the model, and a wrong type there took the page down)

        invoice, errors = to_invoice(source), None
    else:
        doc = syntax.load(source)
        invoice, errors = doc.invoice, validation_errors(doc)
    if format == "html":
        return render_html(invoice, lang, errors)
    return render_pdf(invoice, lang, findings=errors, max_lines=max_lines)


def convert(source: Source, to: str, force: bool = False, profile: str | None = None,
            dropped: list[str] | None = None, supplied: list[str] | None = None) -> bytes:
    """The invoice in the other syntax: ``to="ubl"`` or ``"cii"``; the result is validated.

    Through the semantic model (:mod:`einvoice.syntax.convert`). UBL keeps the source's
    specification identifier (the EHF flavour for EHF), or with ``profile`` "peppol" /
    "ehf" gets Peppol BIS Billing 3.0 identifiers (ConversionRefused names the terms
    Peppol needs that the source lacks); CII is the source's Factur-X profile (its
    guideline identifier kept), else Factur-X EN16931, or the Factur-X ``profile``
    given. Raises SourceInvalid (a BuildRefused, with the source's own findings) when the source does not validate,
    and BuildRefused when the result does not, unless ``force``. A ``dropped`` list
    given is filled with what the source says that the result does not (content outside EN 16931, or a
    term the target syntax cannot hold), one ``path: 'value'`` line each (:func:`~einvoice.syntax.convert.not_carried`);
    a ``supplied`` list with what the result states that the source does not: a value the target syntax needs
    (UBL's payment means code '1' to hold a payment reference, say) or one worked out from the source (a price
    discount as gross minus net price), one ``path (term): value`` line each (:func:`~einvoice.syntax.convert.supplied`).
    Factur-X EXTENDED's own forms: a logistics service charge is carried as the document level charge (BG-21) it is;
    a group line (the sum of its sub-lines) and an information line, which its sums do not count, are no invoice
    lines of EN 16931 and are left out (listed).
    """
    return convert_report(source, to, force, profile, dropped, supplied)[0]


def convert_report(source: Source, to: str, force: bool = False, profile: str | None = None,
                   dropped: list[str] | None = None, supplied: list[str] | None = None) -> tuple[bytes, Any]:
    """:func:`convert`, with the validation report of the converted document (judged once, not again by the caller)."""
    import copy

    from . import arguments

    arguments.text("to", to)
    arguments.flag("force", force)
    arguments.text("profile", profile, optional=True)
    arguments.collector("dropped", dropped)
    arguments.collector("supplied", supplied)

    from . import syntax
    from .errors import BuildRefused, SourceInvalid
    from .profiles import detect_profile
    from .rules.facturx.checks import counted_line
    from .syntax.cii.reader import read_cii
    from .syntax.convert import UBL_PROFILES, ConversionRefused, cii_profile, convert as convert_invoice, facturx_label
    from .syntax.convert import not_carried
    from .syntax.convert import supplied as supplied_terms
    from .syntax.namespaces import RAM
    from .validate import validate_document
    from .xmlsafe import parse

    if to not in ("ubl", "cii"):
        raise ValueError(f"to must be 'ubl' or 'cii', not {to!r}")
    if profile is not None:  # (before any work: an unknown profile was found only once the source was judged)
        from .syntax.cii.writer import PROFILES as CII_PROFILES

        known = UBL_PROFILES if to == "ubl" else CII_PROFILES
        if (profile if to == "ubl" else profile.removeprefix("facturx-")) not in known:
            raise ValueError(f"unknown {'UBL' if to == 'ubl' else 'Factur-X'} profile {profile!r} for to={to!r}; "
                             f"expected one of: {', '.join(known)}")
    doc = syntax.load(source)
    detected, _ = detect_profile(doc)
    invoice = doc.invoice
    cut = 0  # the lines left out
    if doc.root is not None and doc.syntax == "cii":  # Factur-X EXTENDED's forms of EN 16931 terms
        line = f"{{{RAM}}}IncludedSupplyChainTradeLineItem"
        # a group line (the sum of its sub-lines) or an information line is no EN 16931 invoice line: left out (and
        # listed as not carried; the model holds no line status); a logistics service charge is a charge (BG-21),
        # as the reader reads it
        drop = [k for k, item in enumerate(doc.root.iter(line)) if not counted_line(item)]  # (their places)
        cut = len(drop)
        if cut:
            root = copy.deepcopy(doc.root)
            copied = list(root.iter(line))  # (the same lines, in the same order)
            for k in drop:
                copied[k].getparent().remove(copied[k])
            invoice = read_cii(root)
    legacy = doc.__dict__.get("legacy")
    if legacy is not None and to == "ubl":  # ZUGFeRD 1.0's identifier names no UBL specification (EINV-S-001 on
        # the result): the Factur-X profile's it was read as, as the CII written of it has (BT-24 is the target's own)
        from .syntax.cii.writer import GUIDELINE_IDS

        invoice = invoice.model_copy(update={"customization_id": GUIDELINE_IDS[legacy["profile"]]})
    def no_lines(needs: str) -> ConversionRefused:  # (UBL's schema wants a line, and Factur-X BASIC's, EN16931's and
        # EXTENDED's: said so, not as a schema error and the findings that follow it on the result)
        fx = detected.removeprefix("facturx-")
        what = "the invoice" if fx == detected else f"a {facturx_label(fx)} invoice"
        but = f" (its {cut} group or information line{'s' if cut > 1 else ''} being none)" if cut else ""
        return ConversionRefused(f"{what} has no invoice lines (BG-25){but}, and {needs} needs at least one",
                                 ["BG-25 INVOICE LINE"])

    if to == "ubl" and not invoice.lines:
        raise no_lines("a UBL invoice")
    if not force:  # an invalid source is not converted: its own findings say what to fix, in its own terms (a
        # converted document would show them as other errors, or mask them: a CII VAT identifier of an unknown scheme
        # read as a tax registration, which UBL lets pass)
        own = validate_document(doc, "auto")
        if not own.valid:
            raise SourceInvalid(own.errors)
        doc.forget_computed()  # (the run's indexes and rule results: not needed again, held beside the result's)
    target = cii_profile(profile, detected) if to == "cii" else None
    if target is not None and not invoice.lines and target not in ("minimum", "basicwl"):  # (after the source's own
        raise no_lines(f"a {facturx_label(target)} invoice")  # findings, which a CII source without lines may have)
    data = convert_invoice(invoice, to, profile=profile, source_profile=detected)
    # the converted document is judged as any received one (XSD and the profile's rules); the house
    # policy for invoices we issue is no part of a conversion
    result = syntax.read_tree(parse(data).getroot())
    report = validate_document(result, profile if profile in UBL_PROFILES else "auto")
    result.forget_computed()  # (likewise: the notes below read the trees and models alone)
    if to == "cii":
        from .build import _empty_delivery_explained

        _empty_delivery_explained(report.findings, converted=True)

    def lost() -> list[str]:  # (a ZUGFeRD 1.0 source's paths in its own names: the notes are read on its D16B twin,
        # the original's content renamed, not the document written of what was read: what no reader took is in it)
        if legacy is None:
            return not_carried(doc, result, detected, asked=profile is not None)
        from .rules.engine import Document
        from .syntax.zugferd1 import original_path, to_d16b

        twin = Document(None, doc.syntax, to_d16b(legacy["original"]), doc.path)
        notes = not_carried(twin, result, detected, asked=profile is not None)

        return ["".join((original_path(path), sep, value)) for path, sep, value in (n.partition(": ") for n in notes)]

    if not report.valid and not force:  # (with what the target does not hold of the source: often the cause)
        refused = BuildRefused(report.errors)
        refused.dropped = lost()
        if dropped is not None:  # (the caller's list too, as the command line prints them beside the refusal)
            dropped.extend(refused.dropped)
        raise refused
    if dropped is not None:
        dropped.extend(lost())
    if supplied is not None:
        supplied.extend(supplied_terms(invoice, result.invoice, to))
    return data, report


def extract(pdf: Source) -> bytes:
    """The invoice XML embedded in a Factur-X / ZUGFeRD / XRechnung PDF (path or bytes)."""
    from .facturx_pdf import extract as run
    from .xmlsafe import read_bytes

    data, path = read_bytes(pdf)
    return run(data, path)


def build_pdf(data: Any, format: str = "facturx-en16931", lang: str | None = None, policy: bool = False,
              allow_lossy: bool = False, max_lines: int | None = None, findings: list[Any] | None = None) -> bytes:
    """A Factur-X PDF/A-3 built from a dict or Invoice (as :func:`einvoice.build`): the page and the CII inside.

    ``format`` is a Factur-X profile (facturx-minimum ... facturx-extended). Raises
    BuildRefused when the CII would not validate for it, or when it cannot carry a field the input gives
    (unless ``allow_lossy``, as for :func:`einvoice.build`). The page is laid out for at most ``max_lines`` lines,
    allowances and charges (default 5,000; more: UnreadableInput, PageTooLong, nothing built). A ``findings`` list
    is given the issued CII's warnings and notes (each field ``allow_lossy`` dropped: EINV-B-031).
    """
    from . import arguments
    from .facturx_pdf import build_pdf as run

    arguments.build_options(format, policy, allow_lossy, data)
    from .build import FORMATS
    from .basics import Syntax

    if FORMATS[format].syntax is not Syntax.CII:  # (an argument's mistake, not the input's: a ValueError, as an unknown one)
        raise ValueError(f"format {format!r} is UBL: a Factur-X PDF embeds a CII; choose one of "
                         f"{', '.join(f for f, t in FORMATS.items() if t.syntax is Syntax.CII)}")
    arguments.text("lang", lang, optional=True)
    arguments.count("max_lines", max_lines, optional=True)
    arguments.collector("findings", findings)
    pdf, _xml, report = run(data, format, lang, policy=policy, allow_lossy=allow_lossy, max_lines=max_lines)
    if findings is not None:
        findings.extend(report.findings)
    return pdf


def attach(pdf: Source, xml: Source) -> bytes:
    """A PDF made elsewhere with a CII invoice embedded as Factur-X (the XML is validated first).

    Refused (BuildRefused) when the XML has errors or when the PDF's pages cannot be
    PDF/A-3 (fonts not embedded, device colour without an output intent, ...).
    """
    from .facturx_pdf import attach as run
    from .xmlsafe import read_bytes

    pdf_bytes, pdf_path = read_bytes(pdf)
    xml_bytes, xml_path = read_bytes(xml)
    out, _report, _notes = run(pdf_bytes, xml_bytes, pdf_path, xml_path)
    return out


_WARM_UBL = ('<{root} xmlns="urn:oasis:names:specification:ubl:schema:xsd:{root}-2" '
             'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2" '
             'xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2">'
             "<cbc:CustomizationID>{cid}</cbc:CustomizationID><cac:AccountingSupplierParty><cac:Party><cac:PostalAddress>"
             "<cac:Country><cbc:IdentificationCode>{country}</cbc:IdentificationCode></cac:Country></cac:PostalAddress>"
             "</cac:Party></cac:AccountingSupplierParty></{root}>")
_WARM_CII = ('<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" '
             'xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100">'
             "<rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>{cid}</ram:ID>"
             "</ram:GuidelineSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext>"
             "</rsm:CrossIndustryInvoice>")


def warm_up(profiles: Any = None) -> list[str]:
    """Load now what the first validations of these profiles (default: every profile) would load: the rule layers'
    modules, their tables and execution plans, the XML Schemas, for UBL invoices and credit notes and CII, with
    the house policy and without, with the profile named and detected (``profile="auto"``). A service calls it once
    at start-up: its first requests then take no longer than the rest, and a time limit or a cancellation that
    interrupts one of them does not land in the middle of an import. Returns the profiles warmed (a profile of
    CII only, Factur-X's, is warmed for CII alone). ``ValueError`` for an unknown profile name."""
    from .profiles import GUIDELINES, PROFILES
    from .validate import validate

    if profiles is None:
        names = list(PROFILES)
    elif isinstance(profiles, (str, bytes)) or not hasattr(profiles, "__iter__"):
        raise TypeError(f"profiles must be a list of profile names, not {type(profiles).__name__}")
    else:
        names = list(profiles)
        unknown = [n for n in names if n not in PROFILES]
        if unknown:
            raise ValueError(f"unknown profile {unknown[0]!r}; expected one of: {', '.join(PROFILES)}")
    identifiers = {}
    for prefix, name in GUIDELINES:  # (the first identifier of each profile; EHF's is Peppol's, seller in Norway)
        identifiers.setdefault(name, prefix)
    identifiers.setdefault("ehf", identifiers["peppol"])
    for name in names:
        cid = identifiers.get(name, identifiers["en16931"])
        documents = [_WARM_CII.format(cid=cid)]
        if not name.startswith("facturx-"):
            documents += [_WARM_UBL.format(root=root, cid=cid, country="NO" if name == "ehf" else "DE")
                          for root in ("Invoice", "CreditNote")]
        for data in documents:
            for profile in (name, "auto"):
                for policy in (False, True):
                    validate(data.encode("utf-8"), profile=profile, policy=policy)
    return names
