"""Factur-X PDF/A-3 invoices: build, attach, extract.

* :func:`build_pdf` - build the CII for a Factur-X profile (refused like any build
  when it would not validate for that profile), render it as a printable page,
  write that page as PDF/A-3b (WeasyPrint) and embed the XML as ``factur-x.xml``
  with the Factur-X XMP metadata (factur-x package: document type INVOICE, file
  name, version 1.0, the profile's conformance level).
* :func:`attach` - turn a PDF made elsewhere into a Factur-X PDF: the XML is
  validated first (XSD + the rules of its profile) and refused on errors.
* :func:`extract` - the invoice XML inside a Factur-X / ZUGFeRD PDF.

The embedded file's relationship (``/AFRelationship``) is ``Data`` for MINIMUM and
BASIC WL, whose XML does not carry a complete invoice (the PDF is the invoice),
and ``Alternative`` for BASIC, EN 16931 and EXTENDED, whose XML is an equivalent
form of the invoice the PDF shows.

Every PDF written here is read back with :func:`einvoice.container.read_pdf`
before it is returned: it must carry exactly the XML embedded and give no
container finding.
"""

from __future__ import annotations

import contextlib
import io
import logging
from pathlib import Path
from typing import Iterator

from . import pdfa
from .errors import NO_ROOM, BuildRefused, InvalidModelInput, UnreadableInput, raise_interruption
from .xmlsafe import is_pdf
from .rules.engine import Finding, Report, Severity

# build format / validation profile -> Factur-X level (factur-x package name)
LEVELS = {
    "facturx-minimum": "minimum",
    "facturx-basicwl": "basicwl",
    "facturx-basic": "basic",
    "facturx-en16931": "en16931",
    "facturx-extended": "extended",
    "cii": "en16931",  # build format: CII following EN 16931 = the EN16931 profile's guideline
    # ZUGFeRD 2.1.1+ / Factur-X 1.0.06+ level XRECHNUNG: an XRechnung CII (its extension too, whose guideline begins
    # with XRechnung's) embedded as xrechnung.xml; the factur-x package has no such level (see embed)
    "xrechnung": "xrechnung",
    "xrechnung-extension": "xrechnung",
    "xrechnung-cii": "xrechnung",
}
DATA_LEVELS = ("minimum", "basicwl")
FACTURX_FILENAME = "factur-x.xml"
XRECHNUNG_FILENAME = "xrechnung.xml"
FX_NS = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"  # the Factur-X XMP extension's namespace


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """The PDF libraries log every object they touch; keep only real errors."""
    loggers = [logging.getLogger(n) for n in ("factur-x", "pypdf", "weasyprint", "fontTools")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for lg, lv in zip(loggers, levels):
            lg.setLevel(lv)


def afrelationship(level: str) -> str:
    return "data" if level in DATA_LEVELS else "alternative"


def _metadata(invoice, standard: str = "Factur-X") -> dict[str, str]:
    from .render.render import page_text  # (as the page shows them: no bidirectional or other control characters)

    seller = page_text((invoice.seller.name or invoice.seller.trading_name or "") if invoice.seller else "")
    number = page_text(invoice.number or "")
    kind = invoice.kind_name
    when = invoice.issue_date.isoformat() if invoice.issue_date else ""
    return {
        "author": seller,
        "keywords": f"{standard}, {kind}",
        "title": f"{seller}: {kind} {number}".strip(": "),
        "subject": f"{standard} {kind.lower()} {number}" + (f" dated {when}" if when else "") + (f" issued by {seller}" if seller else ""),
    }


def embed(pdf: bytes, xml: bytes, level: str, invoice=None, lang: str | None = None,
          attachments: dict | None = None, countries: tuple | None = None) -> bytes:
    """``pdf`` with ``xml`` embedded as factur-x.xml and the Factur-X XMP for ``level``; checked by reading back.
    The PDF's own name dictionary (named destinations ..., its embedded files with all they say of themselves) and
    associated files are kept: the factur-x package writes /Names and /AF anew, so they are set aside before it runs
    and merged back after (:func:`_set_aside`, :func:`_merge_back`).
    ``attachments``: other files to embed beside it (the factur-x package's form: name -> {"filedata": bytes});
    ``countries``: the seller's and the buyer's, for where the XML does not state them (a MINIMUM invoice has no
    buyer address: a lossy build between German parties passed BR-HYBRID-DE-01 unseen)."""
    try:
        import facturx
    except ImportError:  # pragma: no cover - factur-x is a dependency
        raise UnreadableInput("Factur-X PDFs need the factur-x package") from None
    if level not in LEVELS.values():
        raise ValueError(f"unknown Factur-X level {level!r}")
    from .container import party_rules

    refused, _german = party_rules(xml, countries=countries)  # a profile the parties' countries rule out
    if refused:
        raise BuildRefused(refused)
    xrechnung = level == "xrechnung"  # (written as EN 16931, then renamed and its XMP level set: see _as_xrechnung)
    meta = _metadata(invoice, "ZUGFeRD XRechnung" if xrechnung else "Factur-X") if invoice is not None else None
    # (an XRechnung is judged by the whole CII schema; at ZUGFeRD's level XRECHNUNG it is also read by the Factur-X
    # EN16931 schema, as FeRD's validator (Mustang) checks it. The level's schema is the package's, applied here: the
    # package's own check parses with libxml2's default bounds, refusing a text over 10 MB that the readers take)
    from .container import off_facturx_schema

    reason = off_facturx_schema(xml, "en16931" if xrechnung else level)
    if reason is not None:
        if xrechnung:
            raise BuildRefused([Finding(
                "XSD", Severity.FATAL, "the XRechnung does not follow the Factur-X EN 16931 schema, by which a PDF "
                f"of ZUGFeRD's level XRECHNUNG is read (FeRD's validator checks it): {reason[:300]}",
                "Send the XRechnung as XML alone (it needs no PDF), or leave out what the EN 16931 profile does not "
                "carry (an XRechnung extension's elements, say).", layer="container")])
        raise BuildRefused([Finding("XSD", Severity.FATAL, f"the XML does not follow the Factur-X {level} schema: "
                                    f"{reason[:300]}", f"Validate the XML with einvoice validate --profile facturx-{level}",
                                    layer="container")])
    pdf = _set_aside(pdf)
    with _quiet():
        try:
            out = facturx.generate_from_binary(pdf, xml, flavor="factur-x", level="en16931" if xrechnung else level,
                                               check_xsd=False,
                                               check_schematron=False, pdf_metadata=meta, lang=lang,
                                               afrelationship=afrelationship(level), attachments=attachments or None)
        except Exception as exc:  # noqa: BLE001 - the package raises plain Exceptions
            raise_interruption(exc)
            if isinstance(exc, OSError) and exc.errno in NO_ROOM:
                raise  # (it writes through temporary files: a full disk, a file size limit is no refusal of the invoice
                # but the output's: the command line says it cannot write, exit 2, as for any output)
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise BuildRefused([Finding("EINV-INTERNAL", Severity.ERROR, f"the factur-x package cannot embed the XML: "
                                        f"{reason[:300]}", None, layer="container")]) from None
    out = pdfa.write_metadata(out, meta, edit=_as_xrechnung if xrechnung else _merge_back,
                              xmp_values={f"{{{FX_NS}}}ConformanceLevel": "XRECHNUNG",
                                          f"{{{FX_NS}}}DocumentFileName": XRECHNUNG_FILENAME} if xrechnung else None)
    _self_check(out, xml)
    return out


def _as_xrechnung(doc) -> None:
    """The invoice the factur-x package embedded as factur-x.xml renamed xrechnung.xml (its name in the list of
    embedded files, /F and /UF), as ZUGFeRD's XRECHNUNG level names it; then the PDF's own files merged back."""
    import pikepdf

    tree = pikepdf.NameTree(doc.Root.Names.EmbeddedFiles)
    spec = tree[FACTURX_FILENAME]
    del tree[FACTURX_FILENAME]
    tree[XRECHNUNG_FILENAME] = spec
    spec.F = pikepdf.String(XRECHNUNG_FILENAME)
    spec.UF = pikepdf.String(XRECHNUNG_FILENAME)
    spec.Desc = pikepdf.String("XRechnung invoice (ZUGFeRD level XRECHNUNG)")
    _merge_back(doc)


# where the PDF's own /Names and /AF wait while the factur-x package writes its own (private catalog keys, removed
# when merged back)
ASIDE_NAMES, ASIDE_AF = "/EinvoiceSetAsideNames", "/EinvoiceSetAsideAF"


def _set_aside(pdf: bytes) -> bytes:
    """``pdf`` with its catalog's /Names and /AF under private keys, where the factur-x package (which sets both anew,
    keeping only its own files) leaves them."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf), inherit_page_attributes=False) as doc:
        root = doc.Root
        if "/Names" not in root and "/AF" not in root:
            return pdf
        for key, aside in (("/Names", ASIDE_NAMES), ("/AF", ASIDE_AF)):
            if key in root:
                root[aside] = root[key]
                del root[key]
        out = io.BytesIO()
        doc.save(out)
    return out.getvalue()


def _merge_back(doc) -> None:
    """The PDF's own name trees (/Dests, ...) beside the package's /EmbeddedFiles, its embedded files in the same
    tree (each file specification as it was: its description, relationship, MIME type and parameters; a name given
    twice keeps its first file), the keys in the byte order of their names (ISO 32000-1 7.9.6: the package sorts
    them as text), and its associated files in the catalog's /AF after the package's."""
    import pikepdf

    root = doc.Root
    names = root.get("/Names")
    if not isinstance(names, pikepdf.Dictionary):
        names = root.Names = pikepdf.Dictionary()
    theirs = root.get(ASIDE_NAMES)
    theirs = theirs if isinstance(theirs, pikepdf.Dictionary) else pikepdf.Dictionary()
    for key in theirs.keys():
        if key != "/EmbeddedFiles":
            names[key] = theirs[key]
    found: list = []  # (a tree over the bounds was refused before: attach checks the PDF first)
    seen, items = set(), []
    for tree in (names.get("/EmbeddedFiles"), theirs.get("/EmbeddedFiles")):
        for key, spec in pdfa.name_tree_items(tree, found) if tree is not None else ():
            raw = bytes(key) if isinstance(key, pikepdf.String) else str(key).encode()
            if raw not in seen:
                seen.add(raw)
                items.append((raw, key, spec))
    if items:
        items.sort(key=lambda item: item[0])
        names.EmbeddedFiles = pikepdf.Dictionary(Names=pikepdf.Array([x for _raw, key, spec in items
                                                                      for x in (key, spec)]))
    af = list(root.get("/AF") or [])
    listed = {spec.objgen for spec in af if spec.is_indirect}
    for spec in root.get(ASIDE_AF) or []:
        if not spec.is_indirect or spec.objgen not in listed:
            af.append(spec)
            listed.add(spec.objgen if spec.is_indirect else None)
    if af:
        root.AF = doc.make_indirect(pikepdf.Array(af))
    for aside in (ASIDE_NAMES, ASIDE_AF):
        if aside in root:
            del root[aside]


def _self_check(pdf: bytes, xml: bytes) -> None:
    from .container import read_pdf

    got, findings = read_pdf(pdf, None)
    if got != xml:
        raise RuntimeError("the Factur-X PDF written does not carry the XML embedded (internal error)")
    if findings:
        raise RuntimeError("the Factur-X PDF written has container findings (internal error): "
                           + "; ".join(f"{f.rule} {f.message}" for f in findings))


def _level(format: str) -> str:
    try:
        return LEVELS[format]
    except KeyError:
        raise InvalidModelInput(f"a Factur-X PDF needs a Factur-X format (facturx-minimum ... facturx-extended, or "
                                f"xrechnung-cii: ZUGFeRD's XRECHNUNG level), "
                                f"not {format!r}; for a printable view of any invoice use einvoice render") from None


def build_pdf(data, format: str, lang: str | None = None, policy: bool = False,
              allow_lossy: bool = False, max_lines: int | None = None) -> tuple[bytes, bytes, Report]:
    """``(pdf, xml, report)``: a Factur-X PDF/A-3 of the invoice built for ``format`` (facturx-*).

    Raises :class:`BuildRefused` (nothing to write) when the XML would not validate
    for the profile, :class:`InvalidModelInput` when the input does not fit the model.
    """
    from . import syntax
    from .build import build_report, input_of
    from .render import html_to_pdf, render_html

    from .render.render import NoGlyphs, check_pdf_rows

    level = _level(format)
    given = input_of(data, format, policy)  # (read once: its parties' countries, which a lossy build may leave out of the XML)
    # (a page of 50,000 lines would take minutes and gigabytes: said at once, before the build)
    check_pdf_rows(given, max_lines, "build the XML alone (-o OUT.xml without --pdf)")
    xml, report = build_report(given, format, policy=policy, allow_lossy=allow_lossy)
    countries = tuple(p.address.country_code if p is not None and p.address else None for p in (given.seller, given.buyer))
    invoice = syntax.load(xml).invoice  # what the page shows is what the XML says

    try:
        with _quiet():
            visual = html_to_pdf(render_html(invoice, lang), pdfa=True)
    except NoGlyphs as exc:  # a Factur-X PDF must be PDF/A-3: refused as a build is, nothing written
        message, hint = pdfa.MESSAGES["EINV-PDF-114"]
        detail = f"{len(exc.chars)} characters of the page ({''.join(sorted(exc.chars)[:20])})"
        raise BuildRefused([Finding("EINV-PDF-114", Severity.ERROR, message.format(detail=detail), hint,
                                    layer="container")]) from None
    pdf = embed(visual, xml, level, invoice, lang=_pdf_lang(lang, invoice), countries=countries)
    return pdf, xml, report


def _pdf_lang(lang: str | None, invoice) -> str:
    from .render.i18n import default_lang

    if lang:
        return lang
    seller = invoice.seller
    return default_lang(seller.address.country_code if seller and seller.address else None)


def build_pdf_file(input_path: str | Path, format: str, pdf_path: str | Path, xml_path: str | Path | None = None,
                   lang: str | None = None, policy: bool = False, allow_lossy: bool = False,
                   max_lines: int | None = None) -> Report:
    """Build from YAML/JSON and write the Factur-X PDF (and the XML when ``xml_path``); nothing written when refused."""
    from .build import load_input, write_all_atomic

    data = load_input(input_path)
    try:
        pdf, xml, report = build_pdf(data, format, lang, policy=policy, allow_lossy=allow_lossy, max_lines=max_lines)
    except InvalidModelInput as exc:
        exc.path = str(input_path)
        raise
    write_all_atomic([(pdf_path, pdf)] + ([(xml_path, xml)] if xml_path is not None else []))  # both or neither
    report.path = str(pdf_path)
    return report


def extract(pdf: bytes, path: str | None = None) -> bytes:
    """The invoice XML inside a Factur-X / ZUGFeRD PDF (UnreadableInput with a one-line reason otherwise)."""
    from .container import extract_xml

    return extract_xml(pdf, path)[1]


# PDF/A essentials the embedding itself writes (file identifier, metadata, PDF/A identification, the attachment);
# every other missing essential is in the pages and cannot be repaired here.
# (the PDF's own embedded files are described as PDF/A-3 asks by _repair before the check, EINV-PDF-108 then stands
# for what cannot be: a file specification without its file)
FIXED_BY_EMBEDDING = {"EINV-PDF-102", "EINV-PDF-103", "EINV-PDF-104", "EINV-PDF-105", "EINV-PDF-109"}


def _repair(pdf: bytes) -> tuple[bytes, list[str]]:
    """``pdf`` with what PDF/A-3 asks and can be added or dropped without losing anything of the document, and a note
    for each repair: the information dictionary's title, author ... over 32,767 bytes dropped (6.1.13: embed writes
    them anew from the invoice), optional content groups an /Order leaves out appended to it (6.9: the layers panel lists them;
    nothing drawn changes), the form's /NeedAppearances true dropped (6.4.1: the fields show their stored appearances; a
    field without one is refused, EINV-PDF-116), and each embedded file outside the invoice given what 6.8 asks
    that it lacks: /UF or /F (the other one's name), /AFRelationship /Unspecified, a MIME type (from its name, else
    application/octet-stream), an association (/AF: a FileAttachment annotation's file with its annotation, any
    other with the document). Unchanged (the same bytes) when nothing needs it."""
    import mimetypes

    import pikepdf

    notes: list[str] = []
    with pikepdf.open(io.BytesIO(pdf), inherit_page_attributes=False) as doc:
        acro = doc.Root.get("/AcroForm")
        if isinstance(acro, pikepdf.Dictionary) and bool(acro.get("/NeedAppearances", False)):
            del acro["/NeedAppearances"]
            notes.append("dropped the form's /NeedAppearances flag (PDF/A-3 6.4.1 forbids it): its fields show the "
                         "appearances stored with them")
        info = doc.trailer.get("/Info")
        if isinstance(info, pikepdf.Dictionary):
            long = [key for key in pdfa.INFO_XMP if isinstance(info.get(key), pikepdf.String)
                    and len(bytes(info[key])) > pdfa.MAX_STRING]
            for key in long:
                del info[key]
            if long:
                notes.append(f"dropped the document information {', '.join(k[1:] for k in long)} longer than a PDF "
                             "string may be (PDF/A-3 6.1.13): the result's are written from the invoice")
        props = doc.Root.get("/OCProperties")
        if isinstance(props, pikepdf.Dictionary):
            added = []
            for config in [props.get("/D")] + list(props.get("/Configs") or []):
                missing = pdfa.unordered_groups(props, config) if isinstance(config, pikepdf.Dictionary) else []
                if missing:
                    config.Order = pikepdf.Array(list(config.Order) + missing)
                    added += [str(g.get("/Name", "(unnamed)")) for g in missing]
            if added:
                notes.append(f"listed the optional content group{'s' if len(added) > 1 else ''} "
                             f"{pdfa._listed(added)} in the /Order of the layer configurations that left "
                             f"{'them' if len(added) > 1 else 'it'} out (PDF/A-3 6.9; the pages are drawn as before)")
        found: list = []
        annots, shared = {}, set()  # a file attachment annotation's file specification (made indirect) -> it
        for page, _res in pdfa._pages(doc, found):
            for annot in pdfa._annotations_of(page, shared):
                fs = annot.get("/FS")
                if isinstance(fs, pikepdf.Dictionary) and "/EF" in fs:
                    if not fs.is_indirect:
                        annot.FS = fs = doc.make_indirect(fs)
                    annots.setdefault(fs.objgen, annot)
        specs, associated = pdfa.file_specs(doc, found)
        described, linked = [], []
        for name, spec in specs:
            if not isinstance(spec, pikepdf.Dictionary):
                continue
            ef = spec.get("/EF")
            stream = ef.get("/F") if isinstance(ef, pikepdf.Dictionary) else None
            if not isinstance(stream, pikepdf.Stream):
                continue  # (no file to describe: EINV-PDF-108 refuses it)
            label = str(spec.get("/UF", spec.get("/F", "")))
            added = []
            for key, other in (("/UF", "/F"), ("/F", "/UF")):
                if key not in spec and other in spec:
                    spec[key] = pikepdf.String(str(spec[other]))
                    added.append(key[1:])
            if "/AFRelationship" not in spec:
                spec.AFRelationship = pikepdf.Name.Unspecified
                added.append("/AFRelationship /Unspecified")
            if "/Subtype" not in stream.stream_dict:
                mime = mimetypes.guess_type(label)[0] or "application/octet-stream"
                stream.stream_dict.Subtype = pikepdf.Name("/" + mime)
                added.append(f"MIME type {mime}")
            if added:
                described.append(f"{label or name}: {', '.join(added)}")
            if not spec.is_indirect or spec.objgen not in associated:
                if not spec.is_indirect:
                    continue  # (a direct file specification in a place not known here: EINV-PDF-108 refuses it)
                annot = annots.get(spec.objgen)
                owner = annot if annot is not None else doc.Root
                owner.AF = pikepdf.Array(list(owner.get("/AF") or []) + [spec])
                associated.add(spec.objgen)
                linked.append(label or name)
        if described:
            notes.append("described the PDF's own embedded files as PDF/A-3 6.8 asks (" + "; ".join(described) + ")")
        if linked:
            notes.append(f"associated {', '.join(linked)} with the document or its annotation (/AF, PDF/A-3 6.8)")
        if not notes:
            return pdf, []
        out = io.BytesIO()
        doc.save(out)
    return out.getvalue(), notes


def _pdf_facts(pdf: bytes, path: str | None) -> tuple[bool, dict[str, list[bytes]], list[str]]:
    """(is PDF/A, the embedded files: name -> their contents, the file names the catalog's /AF array lists);
    UnreadableInput when the PDF cannot be used."""
    from pypdf import PdfReader

    if not is_pdf(pdf):
        raise UnreadableInput("not a PDF (no %PDF header)", path)
    with _quiet():
        try:
            reader = PdfReader(io.BytesIO(pdf), strict=False)
            if reader.is_encrypted:
                from .container import ENCRYPTED

                raise UnreadableInput(ENCRYPTED, path)
            from .container import _af_names, _content, _limits, _name_tree
            from .xmlsafe import size_limit

            files: dict[str, list[bytes]] = {}
            limit = size_limit(None)
            with _limits(limit):  # (an attachment is decompressed no further than the size limit)
                for entry in _name_tree(reader, True)[0]:  # (every depth of the tree: the PDF library reads one)
                    files.setdefault(entry.name, []).append(_content(entry, entry.name, limit, pdf, path))
            _ = len(reader.pages)
            listed = _af_names(reader)
            meta = reader.trailer["/Root"].get("/Metadata")
            xmp = meta.get_object().get_data() if meta is not None else b""
            xmp = xmp.encode("utf-8", "surrogateescape") if isinstance(xmp, str) else bytes(xmp)
        except UnreadableInput:
            raise
        except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on damaged files
            raise_interruption(exc)
            from .container import _failure

            raise _failure(exc, pdf, path) from None  # the reasons of every other PDF read (encrypted, damaged)
    from .container import xmp_facts

    return bool(xmp.strip()) and xmp_facts(xmp).values.get("part") is not None, files, listed


def pages_not_pdfa(pdf: bytes, path: str | None = None) -> list[Finding]:
    """The PDF/A-3 essentials ``pdf`` misses that embedding an invoice cannot supply (fonts, colour, content)."""
    from dataclasses import replace

    from .pdfa import check

    return [replace(f, severity=Severity.ERROR) for f in check(pdf, path) if f.rule not in FIXED_BY_EMBEDDING]


def attach(pdf: bytes, xml: bytes, pdf_path: str | None = None, xml_path: str | None = None,
           lang: str | None = None) -> tuple[bytes, Report, list[str]]:
    """``(factur-x pdf, report, notes)``: ``pdf`` (from any system) with the CII ``xml`` embedded.

    The XML is validated (XSD + its profile's rules) first; blocking findings raise
    :class:`BuildRefused`. UBL is refused (Factur-X carries CII), and so is a PDF
    that already carries an invoice. The result is PDF/A-3: the metadata, the PDF/A
    identification and the attachment are written here; a PDF whose pages miss a
    PDF/A essential that cannot be added afterwards (embedded fonts, an output
    intent for its device colours, no JavaScript ...) is refused with
    :class:`BuildRefused` listing those findings (``path`` is the PDF's).
    """
    from . import syntax, xmlsafe
    from .model.invoice import Syntax
    from .profiles import detect_profile
    from .validate import validate_document

    is_pdfa, files, listed = _pdf_facts(pdf, pdf_path)
    from .container import INVOICE_NAMES, is_invoice_xml

    names = {x.lower() for x in INVOICE_NAMES}
    carried = [n for n in files if n.lower() in names
               or any(is_invoice_xml(data) for data in files[n] if data)]  # (an invoice under another name too)
    if carried:
        raise UnreadableInput(f"the PDF already carries an invoice XML ({', '.join(carried)})", pdf_path)
    # an invoice the catalog's associated files (/AF) list without the embedded files' tree holding it: kept beside
    # the new one, the PDF carried two invoices (another number, other amounts) and was said to be valid
    stale = [n for n in listed if n.lower() in names]
    if stale:
        raise UnreadableInput(f"the PDF already lists an invoice XML among its associated files (/AF: "
                              f"{', '.join(stale)}), which its embedded files do not hold; start from the PDF "
                              "without it", pdf_path)
    tree = xmlsafe.parse(xml, xml_path)
    doc = syntax.read_tree(tree.getroot(), xml_path)
    if doc.syntax != Syntax.CII:
        reason = "Factur-X carries CII, this is UBL; convert it first (einvoice convert IN.xml --to cii -o OUT.xml)"
        err = InvalidModelInput(f"{xml_path or 'the XML'}: {reason}")
        err.reason, err.path = reason, xml_path  # (the command line names the file once)
        raise err
    profile, _why = detect_profile(doc)
    level = LEVELS.get(profile)
    report = validate_document(doc, profile=profile, schema=True)
    report.path = xml_path
    blocking = [f for f in report.findings if f.severity.blocking]
    if blocking:  # (first: an XRechnung 2.x is refused as no longer in force, EINV-S-002, not as naming no profile)
        raise BuildRefused(blocking)
    if level is None:
        reason = (f"the guideline identifier (BT-24) {doc.invoice.customization_id!r} names no Factur-X or ZUGFeRD "
                  "level (MINIMUM ... EXTENDED, XRECHNUNG)")
        err = InvalidModelInput(f"{xml_path or 'the XML'}: {reason}")
        err.reason, err.path = reason, xml_path  # (the command line names the file once, the XML's)
        raise err
    pdf, repaired = _repair(pdf)
    unfixable = pages_not_pdfa(pdf, pdf_path)
    if unfixable:
        raise BuildRefused(unfixable)
    notes = []
    if not is_pdfa:
        notes.append("the input PDF declared no PDF/A conformance; its pages meet the PDF/A-3 essentials checked "
                     "(einvoice.pdfa), and the result declares PDF/A-3b")
    # the PDF's own attachments are kept as they are (the package writes the attachment list anew: embed() sets them
    # aside and merges them back), each associated as PDF/A-3 asks (_repair); a name given twice keeps its first file
    # in the list of embedded files, and the note says so
    kept = sorted(name for name, data in files.items() if data)
    if kept:
        notes.append(f"kept the PDF's own attachment{'s' if len(kept) > 1 else ''} {', '.join(kept)} (each "
                     "with its description and relationship, and associated with the document or a part of it)")
    notes += repaired
    twice = sorted(name for name, data in files.items() if len(data) > 1)
    if twice:
        notes.append(f"the PDF carried several files named {', '.join(twice)}: the first of each is kept")
    out = embed(pdf, xml, level, doc.invoice, lang=lang)
    return out, report, notes
