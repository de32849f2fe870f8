"""PDF/A-3 essentials of a PDF: the checks a Factur-X receiver needs before calling a PDF archivable.

``check(data, path)`` returns findings EINV-PDF-101 ... EINV-PDF-122, one per kind of
problem, each naming the clause of ISO 19005-3 (PDF/A-3) it stands for:

=============  ========  ===================================================================
rule           clause    what
=============  ========  ===================================================================
EINV-PDF-101   6.1.2     header ``%PDF-1.n`` (n <= 7) followed by a binary comment line
EINV-PDF-102   6.1.3     trailer has a file identifier (/ID) and no encryption
EINV-PDF-103   6.6.2.1   the catalog has an XMP metadata stream (/Type /Metadata, /Subtype /XML), UTF-8,
                         its packet header without bytes or encoding attributes, well-formed
EINV-PDF-104   6.6.4     the XMP declares PDF/A part 3, conformance A, B or U
EINV-PDF-105   6.6.3     the document information dictionary agrees with the XMP
EINV-PDF-106   6.2.3     a PDF/A output intent (/GTS_PDFA1) with an ICC profile
EINV-PDF-107   6.2.11.4  every font used (except Type 3) is embedded
EINV-PDF-108   6.8       embedded files (in the name tree, an annotation or anywhere else): /F, /UF,
                         /AFRelationship, MIME subtype, associated (listed in an /AF)
EINV-PDF-109   6.6.2.3   XMP properties outside the predefined schemas are declared (extension schema)
EINV-PDF-110   6.5       no JavaScript, no forbidden actions (Launch, Sound, Movie, ..., Named actions other
                         than NextPage, PrevPage, FirstPage, LastPage), no additional actions on catalog or page
EINV-PDF-111   6.1.7     no external streams (/F, /FFilter, /FDecodeParms), no LZW compression, no Crypt filter
                         other than Identity, no filter outside ISO 32000-1 Table 6 (abbreviations neither)
EINV-PDF-112   6.3       annotations are printable and visible, and of a permitted type
EINV-PDF-113   -         a part of the file these checks could not read (an object of an unexpected kind, page
                         content over 32 MB decoded, composite fonts' character maps over 32 MB decoded, a page or
                         name tree over MAX_NODES nodes) or that PDF writers would multiply (a node of pages under
                         two parents, pages or their annotations over the bounds): not checked, and said so
EINV-PDF-114   6.2.11.8  no character is drawn with .notdef (a composite font's encoding mapping it to CID 0)
EINV-PDF-115   6.2.5-9   graphics states without transfer functions (/TR, /TR2 other than /Default) or halftone
                         phases (/HTP), halftones of type 1 or 5 without /HalftoneName; images (inline images in
                         every content stream too) without /Interpolate (/I) true, /Alternates, /OPI, and of 1, 2,
                         4, 8 or 16 bits per component; no
                         PostScript or reference XObjects, no form XObject with /OPI or /PS
EINV-PDF-116   6.3.3     annotations (but Popup and Link, and those of a zero-size /Rect) have an appearance, whose
                         dictionary holds only the normal appearance /N: for a button widget (field type /FT /Btn,
                         its own or its parent field's) a sub-dictionary of appearance streams, one per state; for
                         every other annotation a stream
EINV-PDF-117   6.4       interactive forms: /NeedAppearances not true, no /XFA, no catalog /NeedsRendering true,
                         no /A or /AA on a widget annotation, no /AA on a form field
EINV-PDF-118   6.9       optional content configurations each have a /Name, unique among them, no /AS, and an
                         /Order (when they have one) that lists every group of /OCProperties /OCGs
EINV-PDF-119   6.10-11   no /AlternatePresentations name tree, no page /PresSteps, no catalog /Requirements
EINV-PDF-120   6.1.10    inline images (BI ... ID ... EI in any content stream) filtered with none but the six
                         filters an inline image may name: no LZW, no Crypt, no JBIG2 or JPX
EINV-PDF-121   6.1.13    implementation limits: strings up to 32,767 bytes, names (keys too) up to 127 bytes,
                         integers of 32 bits, reals within +-3.403e38 and not nearer zero than +-1.175e-38 (in the
                         objects, to 8 levels of direct nesting; operands in content streams are not read), q
                         nested 28 levels at most in a content stream, DeviceN of 32 colourants at most, 8,388,607
                         indirect objects at most, page boundaries 3 to 14,400 units each way, CIDs up to 65,535 in
                         composite fonts' embedded encodings (PDF/A-3 sets no limit on the size of arrays or
                         dictionaries)
EINV-PDF-122   6.2.4.3   device colours the PDF/A output intent covers: DeviceRGB only with an RGB profile, DeviceCMYK
                         only with a CMYK one, unless a default colour space (/DefaultRGB, /DefaultCMYK) of the
                         resources replaces it (operators, colour spaces set, images and inline images, shadings
                         and patterns, Type 3 glyphs, /Indexed bases and Separation / DeviceN alternates, in the
                         pages, their forms and the annotations' appearances; without any output intent,
                         EINV-PDF-106 says it)
=============  ========  ===================================================================

This is a checklist of the essentials, not a complete PDF/A validator: colour
spaces per object, font program internals (widths, glyph coverage), ICC profile
contents, shadings' and patterns' colour spaces and the XMP's full type checking are not looked at. The tests check every
PDF the project writes with it; a full validator (veraPDF) runs on Java and is
not in the package registries the project installs from.

``write_metadata(data, meta)`` is the writing side: the XMP uncompressed and the Info
dictionary equal to it (every PDF the project writes goes through it).

``problems(data)`` returns ``(rule, message)`` pairs for callers that refuse
instead of reporting (:func:`einvoice.facturx_pdf.attach`).
"""

from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import Any, Iterable, Iterator

from .errors import raise_outside
from .rules.engine import Finding, Severity

MESSAGES = {
    "EINV-PDF-101": ("The PDF header is not PDF/A-3 conformant: {detail}.",
                     "Write the file as PDF 1.4-1.7 with the usual binary comment line after the header."),
    "EINV-PDF-102": ("The PDF trailer is not PDF/A-3 conformant: {detail}.",
                     "Save the PDF with a file identifier (/ID) and without encryption."),
    "EINV-PDF-103": ("The PDF/A metadata is not usable: {detail}.",
                     "Store the XMP metadata as an uncompressed stream in the catalog's /Metadata."),
    "EINV-PDF-104": ("The PDF does not declare PDF/A-3: {detail}.",
                     "Factur-X needs PDF/A-3 (only part 3 allows an embedded XML); produce the PDF as PDF/A-3b."),
    "EINV-PDF-105": ("The document information dictionary disagrees with the XMP metadata: {detail}.",
                     "Write the same title, author, subject, keywords, creator, producer and dates in both."),
    "EINV-PDF-106": ("The PDF has no PDF/A output intent with an ICC colour profile{detail}.",
                     "Add an /OutputIntents entry with /S /GTS_PDFA1 and a /DestOutputProfile (e.g. sRGB)."),
    "EINV-PDF-107": ("Fonts are not embedded: {detail}.",
                     "Embed every font (PDF/A keeps the page readable without the fonts of the reader's machine)."),
    "EINV-PDF-108": ("An embedded file is not described as PDF/A-3 requires: {detail}.",
                     "Give each embedded file /F, /UF, /AFRelationship and a MIME /Subtype, and list it in the catalog's /AF."),
    "EINV-PDF-109": ("The XMP uses properties that no extension schema declares: {detail}.",
                     "Describe custom XMP namespaces in pdfaExtension:schemas (the factur-x package does this for fx:)."),
    "EINV-PDF-110": ("The PDF contains what PDF/A forbids: {detail}.",
                     "Remove JavaScript, additional actions and Launch/Sound/Movie/ResetForm/ImportData/Named actions "
                     "other than page navigation."),
    "EINV-PDF-111": ("The PDF has streams PDF/A forbids: {detail}.",
                     "Keep every stream inside the file and compress without LZW (Flate is fine)."),
    "EINV-PDF-112": ("Annotations are not PDF/A conformant: {detail}.",
                     "Annotations must be printable (Print flag), not hidden, and of a type PDF/A permits."),
    "EINV-PDF-114": ("Characters are drawn without a glyph, as empty boxes (.notdef): {detail}.",
                     "Make the PDF again with a font that has them (Chinese, Japanese, Korean: e.g. Debian's fonts-noto-cjk)."),
    "EINV-PDF-115": ("The PDF's graphics use what PDF/A-3 forbids (ISO 19005-3 6.2.5, 6.2.8, 6.2.9): {detail}.",
                     "Make the PDF again without transfer functions, image interpolation, alternate images or "
                     "PostScript (a PDF/A export of the producing program does this)."),
    "EINV-PDF-116": ("Annotations lack the single appearance PDF/A-3 asks (ISO 19005-3 6.3.3): {detail}.",
                     "Give each annotation a normal appearance (/AP /N) and no other (no /D or /R); e.g. flatten the "
                     "annotations or export the PDF as PDF/A."),
    "EINV-PDF-117": ("The PDF's form is not PDF/A-3 conformant (ISO 19005-3 6.4): {detail}.",
                     "Flatten the form or export it as PDF/A: no XFA, no actions on fields, stored appearances."),
    "EINV-PDF-118": ("The optional content (layers) is not PDF/A-3 conformant (ISO 19005-3 6.9): {detail}.",
                     "Give each optional content configuration a unique /Name, no /AS and an /Order listing every "
                     "group (or flatten the layers)."),
    "EINV-PDF-119": ("The PDF uses what PDF/A-3 forbids (ISO 19005-3 6.10, 6.11): {detail}.",
                     "Remove alternate presentations (slide shows), presentation steps and the catalog's "
                     "/Requirements."),
    "EINV-PDF-120": ("Inline images use a filter PDF/A-3 forbids (ISO 19005-3 6.1.10): {detail}.",
                     "Make the PDF again without LZW or Crypt compression of inline images (Flate is fine; a PDF/A "
                     "export of the producing program does this)."),
    "EINV-PDF-122": ("The pages paint in {detail}, and no default colour space replaces it (ISO 19005-3 6.2.4.3).",
                     "Convert those colours to the output intent's colour space, or give the resources that use them "
                     "a default colour space (/DefaultRGB or /DefaultCMYK, ICC-based)."),
    "EINV-PDF-121": ("The PDF goes beyond the implementation limits of PDF/A-3 (ISO 19005-3 6.1.13): {detail}.",
                     "Make the PDF again within the limits: strings of at most 32,767 bytes, names of at most 127 "
                     "bytes, integers of 32 bits, at most 28 nested graphics states (q), DeviceN colour spaces of "
                     "at most 32 colourants, page boundaries of 3 to 14,400 units."),
    "EINV-PDF-113": ("Part of the PDF could not be checked for PDF/A-3: {detail}.",
                     "Check the file with a full PDF/A validator (veraPDF); the invoice inside was read."),
}

# Info key -> XMP property (ISO 19005-3 6.6.3, following the XMP specification's mapping)
INFO_XMP = {
    "/Title": "{http://purl.org/dc/elements/1.1/}title",
    "/Author": "{http://purl.org/dc/elements/1.1/}creator",
    "/Subject": "{http://purl.org/dc/elements/1.1/}description",
    "/Keywords": "{http://ns.adobe.com/pdf/1.3/}Keywords",
    "/Creator": "{http://ns.adobe.com/xap/1.0/}CreatorTool",
    "/Producer": "{http://ns.adobe.com/pdf/1.3/}Producer",
    "/CreationDate": "{http://ns.adobe.com/xap/1.0/}CreateDate",
    "/ModDate": "{http://ns.adobe.com/xap/1.0/}ModifyDate",
}

# namespaces PDF/A takes as predefined (XMP 2004 schemas) or that describe extensions themselves
PREDEFINED_NS = {
    "http://purl.org/dc/elements/1.1/", "http://ns.adobe.com/xap/1.0/", "http://ns.adobe.com/xap/1.0/rights/",
    "http://ns.adobe.com/xap/1.0/mm/", "http://ns.adobe.com/xap/1.0/bj/", "http://ns.adobe.com/xap/1.0/t/pg/",
    "http://ns.adobe.com/xmp/1.0/DynamicMedia/", "http://ns.adobe.com/pdf/1.3/", "http://ns.adobe.com/photoshop/1.0/",
    "http://ns.adobe.com/camera-raw-settings/1.0/", "http://ns.adobe.com/exif/1.0/", "http://ns.adobe.com/exif/1.0/aux/",
    "http://ns.adobe.com/tiff/1.0/", "http://ns.adobe.com/xmp/Identifier/qual/1.0/", "http://www.aiim.org/pdfa/ns/id/",
    "http://www.aiim.org/pdfa/ns/extension/", "http://www.aiim.org/pdfa/ns/schema#", "http://www.aiim.org/pdfa/ns/property#",
    "http://www.aiim.org/pdfa/ns/type#", "http://www.aiim.org/pdfa/ns/field#",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "adobe:ns:meta/", "http://www.w3.org/XML/1998/namespace",
}
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
FORBIDDEN_ACTIONS = {"/Launch", "/Sound", "/Movie", "/ResetForm", "/ImportData", "/Hide", "/SetOCGState",
                     "/Rendition", "/Trans", "/GoTo3DView", "/JavaScript"}
FORBIDDEN_ANNOTS = {"/Sound", "/Movie", "/Screen", "/3D", "/RichMedia"}
MAX_LISTED = 4


def _finding(rule: str, path: str | None, detail: str) -> Finding:
    msg, hint = MESSAGES[rule]
    return Finding(rule, Severity.WARNING, msg.format(detail=detail), hint, path=path, layer="container")


def _listed(items: Iterable[str]) -> str:
    items = sorted(set(items))
    more = f" and {len(items) - MAX_LISTED} more" if len(items) > MAX_LISTED else ""
    return ", ".join(items[:MAX_LISTED]) + more


def check(data: bytes, path: str | None = None, already: Iterable[Finding] = ()) -> list[Finding]:
    """Findings about the PDF/A-3 essentials of ``data``; what ``already`` reports (EINV-PDF-001/004) is not repeated."""
    said = {f.rule for f in already}
    out = []
    for rule, detail in problems(data):
        if rule == "EINV-PDF-103" and detail == "there is no XMP metadata stream" and "EINV-PDF-001" in said:
            continue
        if rule == "EINV-PDF-104" and detail.startswith("the XMP has no pdfaid:part") and "EINV-PDF-004" in said:
            continue
        out.append(_finding(rule, path, detail))
    return out


def problems(data: bytes) -> list[tuple[str, str]]:
    """``(rule, detail)`` for each PDF/A-3 essential ``data`` misses (empty: all essentials met)."""
    try:
        import pikepdf
    except ImportError as exc:  # (pikepdf is a dependency)
        from .errors import not_installed

        if not not_installed(exc, "pikepdf"):  # there, but not loaded (a memory limit): not the PDF's fault, and no
            raise  # check that never ran said as a warning on a PDF that passes it (a batch says: not enough memory)
        return [("EINV-PDF-101", "the PDF/A check needs the pikepdf package")]
    found: list[tuple[str, str]] = []
    found += _header(data)
    try:
        # (without pushing inherited attributes down to every page: qpdf walks all pages on open then, in time and memory
        # growing with pages x shared annotations, 2 GB for a 28 KB file; the checks walk the page tree themselves)
        pdf = pikepdf.open(io.BytesIO(data), inherit_page_attributes=False)
    except Exception as exc:  # noqa: BLE001 - qpdf raises many kinds on damaged files
        raise_outside(exc)
        return found + [("EINV-PDF-113", f"a strict parser cannot read the file ({type(exc).__name__})")]
    with pdf:
        pdf._einvoice_all = True  # (one pass over the objects serves the embedded files' and the objects' checks)
        if "/ID" not in pdf.trailer:
            found.append(("EINV-PDF-102", "the trailer has no file identifier (/ID)"))
        if "/Encrypt" in pdf.trailer:
            found.append(("EINV-PDF-102", "the file is encrypted"))
        xmp = _guarded(_xmp, pdf, found)
        if xmp is not None:
            _guarded(_pdfaid, xmp, found)
            _guarded(_info, pdf, xmp, found)
            _guarded(_extensions, xmp, found)
        for part in (_output_intent, _fonts, _notdef, _embedded_files, _objects, _annotations, _forms,
                     _optional_content, _presentations, _contents, _page_boxes):
            _guarded(part, pdf, found)
    return found


# the page tree and the embedded files' name tree are walked here, each node once and no further than these bounds
# (pikepdf's walks, in qpdf, are unbounded: a 12 KB name tree whose nodes list one kid twice, 40 levels deep, is 2^40
# visits in one call no time limit interrupts; one page listed 60,000 times is copied into 60,000 pages)
MAX_NODES = 20_000
MAX_DEPTH = 64
MAX_PAGE_ANNOTATIONS = 200_000  # annotations on all pages, one listed on several pages counting on each


class _TooMany(Exception):
    """A page tree or name tree over MAX_NODES nodes: what was read before is checked, the rest said as not read."""


def _walk_tree(top: Any, kids_key: str, again: list[int] | None = None) -> Iterator[tuple[Any, Any]]:
    """(node, the node's nearest /Resources up the tree) of a page tree or name tree, depth first in the tree's order,
    each indirect node once (a node two parents list, or a loop, at its first place; ``again`` counts those met again,
    [leaves, nodes with kids]), up to MAX_DEPTH levels; _TooMany after MAX_NODES nodes. An explicit stack, no
    recursion."""
    import pikepdf

    seen: set = set()
    count = 0
    stack = [(top, None, 0)]
    while stack:
        node, inherited, depth = stack.pop()
        if not isinstance(node, pikepdf.Dictionary):
            continue
        if node.is_indirect:
            if node.objgen in seen:
                if again is not None:
                    again[kids_key in node] += 1
                continue
            seen.add(node.objgen)
        count += 1
        if count > MAX_NODES:
            raise _TooMany
        res = node.get("/Resources", inherited)
        yield node, res
        kids = node.get(kids_key)
        if isinstance(kids, pikepdf.Array) and depth < MAX_DEPTH:
            stack.extend((kid, res, depth + 1) for kid in reversed(list(kids)))


def _pages(pdf, found) -> list[tuple[Any, Any]]:
    """(page dictionary, its resources, inherited when it has none) of each page object once (computed once per
    check run and kept on the Pdf: ``found`` takes the one finding of a tree over the bound)."""
    import pikepdf

    cached = getattr(pdf, "_einvoice_pages", None)
    if cached is not None:
        return cached
    pages, again, links = [], [0, 0], 0
    try:
        for node, res in _walk_tree(pdf.Root.get("/Pages"), "/Kids", again):
            kind = node.get("/Type")
            if kind == "/Page" or kind != "/Pages" and "/Kids" not in node:
                pages.append((node, res if isinstance(res, pikepdf.Dictionary) else None))
                annots = node.get("/Annots")
                links += len(annots) if isinstance(annots, pikepdf.Array) else 0
    except _TooMany:
        found.append(("EINV-PDF-113", f"the page tree has over {MAX_NODES:,} nodes; the pages after them were not "
                                      "checked"))
    # what PDF writers (qpdf's included, which writes einvoice's PDFs) do per page and per page and annotation: a tree
    # whose node two parents list is walked once per path (2^40 times for 40 such levels), a page listed many times
    # copied each time, an annotation list pages share read on each page (2 GB for a 28 KB file): said as a damaged
    # page tree (attach refuses it; validate reads the invoice all the same)
    if again[1]:
        found.append(("EINV-PDF-113", "the page tree lists a node of pages under two parents (a writer walks it once "
                                      "for each)"))
    if again[0] + len(pages) > MAX_NODES or links > MAX_PAGE_ANNOTATIONS:
        found.append(("EINV-PDF-113", f"the page tree lists {again[0] + len(pages):,} pages with "
                                      f"{links:,} annotations on them (a page or an annotation list listed again "
                                      f"counting each time): over the {MAX_NODES:,} pages or "
                                      f"{MAX_PAGE_ANNOTATIONS:,} annotations processed"))
    pdf._einvoice_pages = pages
    return pages


def _unseen(obj: Any, seen: set) -> bool:
    """Whether a shared (indirect) object is met for the first time; a direct one always counts as new (it is part of
    the object holding it, which is visited once)."""
    if not getattr(obj, "is_indirect", False):
        return True
    if obj.objgen in seen:
        return False
    seen.add(obj.objgen)
    return True


def _guarded(check: Any, *args: Any) -> Any:
    """One check of the PDF/A essentials; an object of a kind it does not expect (a font that is a number, an
    operator that is not text) is a finding of its own, not a damaged file: the invoice in it is still read."""
    found = args[-1]
    try:
        return check(*args)
    except Exception as exc:  # noqa: BLE001 - qpdf and pikepdf raise many kinds on odd objects
        raise_outside(exc)
        found.append(("EINV-PDF-113", f"the {check.__name__.strip('_').replace('_', ' ')} check stopped at an object "
                                      f"of an unexpected kind ({type(exc).__name__})"))
        return None


# decoded stream sizes read for the checks (the XMP, the pages' content): a Flate bomb of a few hundred KB took
# 3.5 GB and 44 s where the invoice's own reading stops at its limit
MAX_XMP = 5_000_000
MAX_CONTENT = 32_000_000  # all the pages' and forms' content streams together (each check that reads them)


class _TooLarge(Exception):
    pass


def _decoded(stream: Any, cap: int) -> bytes:
    """A stream's decoded bytes, never more than ``cap`` of them decoded (_TooLarge beyond it, or for a filter whose
    output cannot be bounded here, any but FlateDecode without parameters, where the encoded data is not small);
    a stream without filters as it is stored."""
    import zlib

    import pikepdf

    filters = stream.stream_dict.get("/Filter")
    filters = [] if filters is None else [filters] if isinstance(filters, pikepdf.Name) else list(filters)
    data = stream.read_raw_bytes()
    if not filters:  # (as stored: no larger than the file)
        return data
    if any(f != "/FlateDecode" for f in filters) or stream.stream_dict.get("/DecodeParms") is not None:
        if len(data) * 200 > cap:  # (other filters expand a few times, RunLength at most 128 times)
            raise _TooLarge
        return stream.read_bytes()
    for _ in filters:
        inflate = zlib.decompressobj()
        data = inflate.decompress(data, cap + 1)
        if len(data) > cap or inflate.unconsumed_tail:
            raise _TooLarge
    return data


def _header(data: bytes) -> list[tuple[str, str]]:
    m = re.match(rb"%PDF-(\d)\.(\d)\r?\n?", data)
    if m is None:
        return [("EINV-PDF-101", "the file does not start with %PDF-1.n")]
    if (int(m.group(1)), int(m.group(2))) > (1, 7):
        return [("EINV-PDF-101", f"the header says PDF {m.group(1).decode()}.{m.group(2).decode()}; PDF/A-3 is based on PDF 1.7")]
    rest = data[m.end():m.end() + 64].lstrip(b"\r\n")
    comment = re.match(rb"%([^\r\n]*)", rest)
    if comment is None or sum(b > 127 for b in comment.group(1)[:4]) < 4:
        return [("EINV-PDF-101", "the header is not followed by a comment of four binary characters")]
    return []


def _xmp(pdf, found):
    import pikepdf

    meta = pdf.Root.get("/Metadata")
    if meta is None:
        found.append(("EINV-PDF-103", "there is no XMP metadata stream"))
        return None
    if not isinstance(meta, pikepdf.Stream):  # (every pikepdf object has read_bytes)
        found.append(("EINV-PDF-103", "/Metadata is not a stream"))
        return None
    # (PDF/A-3 lets the stream be compressed, as veraPDF's PDF/A-2 and -3 profiles do: PDF/A-1 alone forbade a /Filter)
    if meta.stream_dict.get("/Type") != "/Metadata" or meta.stream_dict.get("/Subtype") != "/XML":
        found.append(("EINV-PDF-103", "the metadata stream's dictionary lacks /Type /Metadata or /Subtype /XML"))
    try:
        raw = _decoded(meta, MAX_XMP)
    except _TooLarge:
        found.append(("EINV-PDF-103", f"the XMP metadata is over {MAX_XMP // 1_000_000} MB decoded"))
        return None
    header = _XPACKET_BEGIN.search(raw)
    for attribute in ("bytes", "encoding"):  # (6.6.2.1: neither in the header of an XMP packet)
        if header is not None and re.search(rb"\s%s\s*=" % attribute.encode(), header.group()):
            found.append(("EINV-PDF-103", f"the XMP packet's header has the {attribute} attribute, which PDF/A forbids"))
    if raw.startswith((b"\xfe\xff", b"\xff\xfe", b"\x00\x00\xfe\xff")) or not _utf8(raw):
        found.append(("EINV-PDF-103", "the XMP metadata is not encoded in UTF-8"))
        return None
    try:
        return xmp_root(raw)
    except Exception as exc:  # noqa: BLE001 - damaged or hostile XMP
        raise_outside(exc)
        found.append(("EINV-PDF-103", "the XMP metadata is not well-formed XML"))
        return None


def _utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def xmp_root(raw: bytes):
    """The root element of an XMP packet (its xpacket processing instructions set aside), read by the hardened
    parser (no DTD, no entities, bounded); UnreadableInput with the reason when it is not well-formed XML."""
    from .xmlsafe import parse

    return parse(_XPACKET.sub(b"", raw).strip(), None).getroot()


# (no "?" inside: "[^>]*" scanned to the next ">" from each "<?xpacket", 360 KB of them took 14 s)
_XPACKET = re.compile(rb"<\?xpacket[^>?]*\?>")
_XPACKET_BEGIN = re.compile(rb"<\?xpacket\s(?=[^>?]*\bbegin\s*=)[^>?]*\?>")  # (the header: the one with begin=)


def xmp_properties(xmp) -> Iterator[tuple[str, Any]]:
    """The properties of the XMP's top-level rdf:Description elements, in document order: (Clark name, the value as
    written) of the attribute form, (Clark name, the element) of the element form; comments are none."""
    for desc in xmp.iter(f"{{{RDF}}}Description"):
        if desc.getparent() is None or desc.getparent().tag != f"{{{RDF}}}RDF":
            continue
        yield from desc.attrib.items()
        for child in desc:
            if isinstance(child.tag, str):
                yield child.tag, child


def _props(xmp) -> dict[str, str]:
    """Top-level XMP properties (element or attribute form) -> their text (the items of Alt/Seq/Bag, joined)."""
    values: dict[str, str] = {}
    for name, value in xmp_properties(xmp):
        if isinstance(value, str):
            if not name.startswith(f"{{{RDF}}}"):
                values.setdefault(name, value.strip())
            continue
        items = value.findall(f"./*/{{{RDF}}}li")
        if items:
            values.setdefault(name, ", ".join((li.text or "").strip() for li in items))
        else:
            values.setdefault(name, (value.text or "").strip())
    return values


def _pdfaid(xmp, found):
    props = _props(xmp)
    part = props.get("{http://www.aiim.org/pdfa/ns/id/}part")
    conf = props.get("{http://www.aiim.org/pdfa/ns/id/}conformance")
    if part is None:
        found.append(("EINV-PDF-104", "the XMP has no pdfaid:part"))
    elif part != "3":
        found.append(("EINV-PDF-104", f"the XMP declares PDF/A-{part}"))
    elif conf not in ("A", "B", "U"):
        found.append(("EINV-PDF-104", f"the conformance level is {conf!r}, not A, B or U"))


def pdf_date(text: str):
    """A PDF date (D:YYYYMMDDHHmmSS+HH'mm') as an aware datetime, or None."""
    from datetime import datetime, timedelta, timezone

    m = re.match(r"(?:D:)?(\d{4})(\d\d)?(\d\d)?(\d\d)?(\d\d)?(\d\d)?(Z|[+-]\d\d'?\d\d'?|[+-]\d\d)?", text.strip())
    if m is None:
        return None
    y, mo, d, h, mi, s, tz = m.groups()
    offset = timezone.utc
    if tz and tz != "Z":
        digits = re.sub(r"\D", "", tz)
        minutes = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) >= 4 else 0)
        offset = timezone(timedelta(minutes=minutes if tz[0] == "+" else -minutes))
    try:
        return datetime(int(y), int(mo or 1), int(d or 1), int(h or 0), int(mi or 0), int(s or 0), tzinfo=offset)
    except ValueError:
        return None


def xmp_date(text: str):
    from datetime import datetime, timezone

    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _info(pdf, xmp, found):
    props = _props(xmp)
    info = pdf.trailer.get("/Info")
    if info is None:
        return
    differ = []
    for key, prop in INFO_XMP.items():
        if key not in info:
            continue
        value = str(info[key])
        other = props.get(prop)
        if other is None:
            differ.append(f"{key[1:]} is set but the XMP has no {_short(prop)}")
        elif key in ("/CreationDate", "/ModDate"):
            if pdf_date(value) is None or pdf_date(value) != xmp_date(other):
                differ.append(f"{key[1:]} {value!r} vs {_short(prop)} {other!r}")
        elif value.strip() != other:
            differ.append(f"{key[1:]} {value!r} vs {_short(prop)} {other!r}")
    if differ:
        found.append(("EINV-PDF-105", "; ".join(differ[:MAX_LISTED])))


def _short(prop: str) -> str:
    ns, _, local = prop[1:].partition("}")
    prefix = {"http://purl.org/dc/elements/1.1/": "dc", "http://ns.adobe.com/xap/1.0/": "xmp",
              "http://ns.adobe.com/pdf/1.3/": "pdf"}.get(ns, ns)
    return f"{prefix}:{local}"


def _extensions(xmp, found):
    declared = {(el.text or "").strip() for el in xmp.iter("{http://www.aiim.org/pdfa/ns/schema#}namespaceURI")}
    used = set()
    for desc in xmp.iter(f"{{{RDF}}}Description"):
        if desc.getparent() is None or desc.getparent().tag != f"{{{RDF}}}RDF":
            continue
        names = [c.tag for c in desc if isinstance(c.tag, str)] + [a for a in desc.attrib]
        for name in names:
            ns = name[1:].partition("}")[0] if name.startswith("{") else ""
            if ns and ns not in PREDEFINED_NS and ns not in declared:
                used.add(ns)
    if used:
        found.append(("EINV-PDF-109", _listed(used)))


def _output_intent(pdf, found):
    import pikepdf

    intents = pdf.Root.get("/OutputIntents")
    profiles = []
    for intent in intents or []:
        if intent.get("/S") == "/GTS_PDFA1":
            prof = intent.get("/DestOutputProfile")
            profiles.append(prof.objgen if isinstance(prof, pikepdf.Stream) else None)
    if None in profiles:
        found.append(("EINV-PDF-106", " (the /GTS_PDFA1 intent has no /DestOutputProfile stream)"))
    elif len(set(profiles)) > 1:
        found.append(("EINV-PDF-106", " that is the same for every PDF/A output intent"))
    elif not profiles:
        # 6.2.4.3: device colour needs an output intent unless a default colour space replaces it
        uncovered = _device_colours(pdf, found)
        if uncovered:
            found.append(("EINV-PDF-106", f", yet the pages use {_listed(uncovered)} without a default colour space"))
    else:  # 6.2.4.3: DeviceRGB only with an RGB output profile, DeviceCMYK only with a CMYK one (DeviceGray with any)
        space = _icc_space(next(i.get("/DestOutputProfile") for i in intents if i.get("/S") == "/GTS_PDFA1"))
        wrong = {u for u in _device_colours(pdf, found) if ICC_SPACES.get(u, space) != space}
        if wrong:
            name = space.strip() if space else "unreadable"
            found.append(("EINV-PDF-122", f"{_listed(wrong)}, which the PDF/A output intent's {name} profile does not cover"))


ICC_SPACES = {"DeviceRGB": "RGB ", "DeviceCMYK": "CMYK"}  # the output profile each device space needs (Gray: any)


def _icc_space(profile) -> str | None:
    """The colour space signature of an ICC profile's header (bytes 16-19: 'RGB ', 'CMYK', 'GRAY' ...), None unreadable."""
    try:
        head = _decoded(profile, 1 << 20)[:20]  # (decoded no further than 1 MB: the header is what is read)
    except Exception as exc:  # noqa: BLE001 - a profile that does not decode (or decodes beyond that) names no space
        raise_outside(exc)
        head = b""
    return head[16:20].decode("latin-1") if len(head) >= 20 else None


COLOUR_OPS = {"rg": "DeviceRGB", "RG": "DeviceRGB", "k": "DeviceCMYK", "K": "DeviceCMYK",
              "g": "DeviceGray", "G": "DeviceGray"}
# device colour spaces by name, and the abbreviations an inline image may use (ISO 32000-1 Table 93)
DEVICE_NAMES = {"/DeviceRGB": "DeviceRGB", "/DeviceCMYK": "DeviceCMYK", "/DeviceGray": "DeviceGray",
                "/RGB": "DeviceRGB", "/CMYK": "DeviceCMYK", "/G": "DeviceGray"}


# where a colour space array names the space it paints in: an /Indexed one's base, an uncoloured pattern's
# underlying space, a Separation's or DeviceN's alternate (6.2.4.3 covers those as any other use)
_BASE_AT = {"/Indexed": 1, "/I": 1, "/Pattern": 1, "/Separation": 2, "/DeviceN": 2}


def _device_space(cs, res, inline: bool = False) -> str | None:
    """The device colour space a colour space value paints in: a device name (an inline image's abbreviation too),
    the base of an /Indexed one, an uncoloured pattern's underlying space, a Separation's or DeviceN's alternate,
    or a name of the resources' /ColorSpace standing for one of those; else None."""
    import pikepdf

    for _ in range(4):  # (a resource name, what it names, its base: no further)
        if isinstance(cs, pikepdf.Name):
            if inline or str(cs).startswith("/Device"):  # (elsewhere /G, /RGB, /CMYK are names of resources)
                if str(cs) in DEVICE_NAMES:
                    return DEVICE_NAMES[str(cs)]
            spaces = res.get("/ColorSpace") if isinstance(res, pikepdf.Dictionary) else None
            cs = spaces.get(str(cs)) if isinstance(spaces, pikepdf.Dictionary) else None
            inline = False
        elif isinstance(cs, pikepdf.Array) and len(cs) and len(cs) > _BASE_AT.get(str(cs[0]), len(cs)):
            cs = cs[_BASE_AT[str(cs[0])]]  # (an array of a family with a base, long enough to hold it)
        else:
            return None
    return None


def _resource(res, kind: str, name):
    """The resource ``name`` of ``kind`` (/Shading, /Pattern, /Font) in the resources ``res``, or None."""
    import pikepdf

    entries = res.get(kind) if isinstance(res, pikepdf.Dictionary) else None
    found = entries.get(str(name)) if isinstance(entries, pikepdf.Dictionary) and isinstance(name, pikepdf.Name) else None
    return found if isinstance(found, (pikepdf.Dictionary, pikepdf.Stream)) else None


def _device_colours(pdf, found) -> set[str]:
    """Device colour spaces the pages paint with that no /DefaultRGB, /DefaultCMYK or /DefaultGray covers (content
    over MAX_CONTENT decoded is not read: said as a finding)."""
    import warnings

    import pikepdf

    uncovered: set[str] = set()
    seen: set = set()  # forms and images, and the XObject dictionaries pages share: each looked at once
    budget = [MAX_CONTENT]
    todo: list = []  # (content, resources) still to read: a form in a form is read after, not inside (no recursion:
    # 16,000 nested forms ran out of stack and were said as a part not read)
    listed: dict = {}  # id -> a direct resource dictionary whose XObjects were listed (kept: ids stay unique)

    def sized(content) -> bool:
        """Whether the content's streams fit what is left of the budget (they are decoded to be read)."""
        obj = content.obj if isinstance(content, pikepdf.Page) else content
        streams = obj.get("/Contents") if isinstance(content, pikepdf.Page) else obj
        for st in ([streams] if isinstance(streams, pikepdf.Stream) else list(streams or [])):
            if isinstance(st, pikepdf.Stream):
                budget[0] -= len(_decoded(st, max(budget[0], 0)))
        return budget[0] >= 0

    def walk(content, res):
        res = res if res is not None else pikepdf.Dictionary()
        defaults = {str(k)[len("/Default"):] for k in (res.get("/ColorSpace") or {}).keys()
                    if str(k).startswith("/Default")}
        used = set()
        try:
            if not sized(content):
                raise _TooLarge
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                instructions = pikepdf.parse_content_stream(content, "rg RG k K g G cs CS scn SCN sh Tf BI ID EI")
        except _TooLarge:
            raise
        except Exception as exc:  # noqa: BLE001 - a damaged content stream is reported elsewhere
            raise_outside(exc)
            instructions = []
        for instruction in instructions:
            op = str(instruction.operator)
            name = COLOUR_OPS.get(op)
            if name:
                used.add(name)
            elif op in ("cs", "CS") and instruction.operands:
                used.add(_device_space(instruction.operands[0], res))
            elif op == "sh" and instruction.operands:  # (a shading paints in its own colour space)
                shading = _resource(res, "/Shading", instruction.operands[0])
                if shading is not None:
                    used.add(_device_space(shading.get("/ColorSpace"), pikepdf.Dictionary()))
            elif op in ("scn", "SCN") and instruction.operands:  # (a pattern as the colour: what it paints)
                pattern = _resource(res, "/Pattern", instruction.operands[-1])
                if pattern is not None and pattern.get("/PatternType") == 2:
                    shading = pattern.get("/Shading")
                    if isinstance(shading, (pikepdf.Dictionary, pikepdf.Stream)):
                        used.add(_device_space(shading.get("/ColorSpace"), pikepdf.Dictionary()))
                elif isinstance(pattern, pikepdf.Stream) and _unseen(pattern, seen):
                    todo.append((pattern, pattern.get("/Resources", res)))
            elif op == "Tf" and instruction.operands:  # (a Type 3 font's glyphs are content streams that paint)
                font = _resource(res, "/Font", instruction.operands[0])
                procs = font.get("/CharProcs") if font is not None and font.get("/Subtype") == "/Type3" else None
                if isinstance(procs, pikepdf.Dictionary) and _unseen(font, seen):
                    for glyph in procs.values():
                        if isinstance(glyph, pikepdf.Stream) and _unseen(glyph, seen):
                            todo.append((glyph, font.get("/Resources", res)))
            elif op == "INLINE IMAGE":
                image = instruction.operands[0].obj
                if not bool(image.get("/ImageMask", False)):
                    used.add(_device_space(image.get("/ColorSpace"), res, inline=True))
        xobjects = res.get("/XObject")
        if xobjects is not None and not getattr(xobjects, "is_indirect", False):  # (a direct one: listed once per
            if id(res) in listed:  # dictionary holding it, which forms without resources of their own inherit)
                xobjects = None
            listed[id(res)] = res
        for x in (xobjects or {}).values() if xobjects is not None and _unseen(xobjects, seen) else ():
            if not _unseen(x, seen):
                continue
            if x.get("/Subtype") == "/Form":
                todo.append((x, x.get("/Resources", res)))
            elif x.get("/Subtype") == "/Image" and not x.get("/ImageMask", False):
                used.add(_device_space(x.get("/ColorSpace"), res))
        uncovered.update(u for u in used if u and u[len("Device"):] not in defaults)

    try:
        shared: set = set()
        for page, res in _pages(pdf, found):
            todo.append((pikepdf.Page(page), res))
            for annot in _annotations_of(page, shared):  # (their appearances paint too, with resources of their own)
                for st in _appearance_streams(annot):
                    if _unseen(st, seen):
                        todo.append((st, st.get("/Resources")))
            while todo:
                walk(*todo.pop())
    except _TooLarge:
        found.append(("EINV-PDF-113", f"the pages' content is over {MAX_CONTENT // 1_000_000} MB decoded and was not "
                                      "read for device colours"))
    return uncovered


def _fonts(pdf, found):
    import pikepdf

    missing: set[str] = set()
    seen: set = set()

    def font(f):
        if not _unseen(f, seen):
            return
        sub = f.get("/Subtype")
        if sub == "/Type3":
            resources(f.get("/Resources"))
            return
        if sub == "/Type0":
            for d in f.get("/DescendantFonts") or []:
                font(d)
            return
        desc = f.get("/FontDescriptor")
        if desc is None or not any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")):
            missing.add(str(f.get("/BaseFont", "(unnamed)")).lstrip("/"))

    def resources(res):
        if res is None or not _unseen(res, seen):  # (a resource dictionary pages share: read once)
            return
        fonts, xobjects = res.get("/Font"), res.get("/XObject")
        for f in (fonts or {}).values() if fonts is not None and _unseen(fonts, seen) else ():
            font(f)
        for x in (xobjects or {}).values() if xobjects is not None and _unseen(xobjects, seen) else ():
            if _unseen(x, seen) and x.get("/Subtype") == "/Form":
                resources(x.get("/Resources"))

    for page, res in _pages(pdf, found):
        resources(res)
        for annot in _annotations_of(page, seen):
            ap = annot.get("/AP")
            n = ap.get("/N") if ap is not None else None
            if isinstance(n, pikepdf.Stream):
                resources(n.get("/Resources"))
    acro = pdf.Root.get("/AcroForm")
    if acro is not None and len(acro.get("/Fields") or []):  # (the form's default fonts draw only its fields: a form
        resources(acro.get("/DR"))  # without fields renders none of them, and PDF/A asks only fonts used to render)
    if missing:
        found.append(("EINV-PDF-107", _listed(missing)))


_CID_ZERO = re.compile(rb"<([0-9a-fA-F]+)>\s+0\b")
_TO_UNICODE = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")


# decoded bytes of the composite fonts' encoding and ToUnicode maps read for .notdef, all fonts together (each stream
# read once, however many fonts share it): 3,000 fonts sharing one map of 1 MB decoded took 113 s read once per font
MAX_FONT_MAPS = 32_000_000


class NotdefIncomplete(Exception):
    """The fonts' maps are over MAX_FONT_MAPS decoded: ``chars`` holds the characters found in those read before."""

    def __init__(self, chars: set[str], limit: int):
        size = f"{limit // 1_000_000} MB" if limit >= 1_000_000 else f"{limit:,} bytes"
        super().__init__(f"the composite fonts' character maps are over {size} decoded")
        self.chars = chars


def _cid_char_blocks(data: bytes) -> Iterator[bytes]:
    """The begincidchar ... endcidchar blocks of a CMap."""
    return _blocks(data, b"begincidchar", b"endcidchar")


def _blocks(data: bytes, begin: bytes, end: bytes) -> Iterator[bytes]:
    """The ``begin`` ... ``end`` blocks of a CMap, in one pass (an expression with a lazy '.*?' between the two
    words scanned to the end from each 'begincidchar' without an end: 200 KB of them took 15 s)."""
    pos = 0
    while True:
        start = data.find(begin, pos)
        if start < 0:
            return
        stop = data.find(end, start + len(begin))
        if stop < 0:
            return
        yield data[start + len(begin):stop]
        pos = stop + len(end)


def notdef_characters(pdf, limit: int | None = None, facts: dict | None = None) -> set[str]:
    """The characters a composite font's encoding draws with CID 0, .notdef (ISO 19005-3 6.2.11.8: no PDF/A may
    refer to it), as its ToUnicode map names them ('?' where it names none): a font without the glyphs of a text
    (no Chinese in DejaVu) shows empty boxes, while text extraction still finds the text.

    Each encoding and ToUnicode stream is decoded once, however many fonts share it, and no more than ``limit``
    bytes (MAX_FONT_MAPS) are decoded in all: beyond that :class:`NotdefIncomplete` (with the characters found so
    far) says the check was not completed. ``facts`` (a dict), when given, gets ``max_cid``: the largest CID the
    encodings map a code to (ISO 19005-3 6.1.13: at most 65,535)."""
    import pikepdf

    out: set[str] = set()
    limit = MAX_FONT_MAPS if limit is None else limit
    budget = [limit]
    zeros: dict = {}  # (object, generation) of an encoding stream -> the codes it maps to CID 0
    maps: dict = {}  # (object, generation) of a ToUnicode stream -> code -> UTF-16BE hex

    def read(stream, cache: dict, parse):
        key = stream.objgen
        if key != (0, 0) and key in cache:
            return cache[key]
        try:
            data = _decoded(stream, max(budget[0], 0))
        except _TooLarge:
            raise NotdefIncomplete(out, limit) from None
        budget[0] -= len(data)
        if budget[0] < 0:
            raise NotdefIncomplete(out, limit)
        value = parse(data)
        if key != (0, 0):
            cache[key] = value
        return value

    def cid_zero(data: bytes) -> set[bytes]:
        if facts is not None:
            facts["max_cid"] = max(facts.get("max_cid", 0), _max_cid(data))
        return {m.group(1).lower() for block in _cid_char_blocks(data) for m in _CID_ZERO.finditer(block)}

    def to_unicode(data: bytes) -> dict[bytes, bytes]:
        return {code.lower(): uni for code, uni in _TO_UNICODE.findall(data)}

    for obj in pdf.objects:
        if not (isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font" and obj.get("/Subtype") == "/Type0"):
            continue
        enc = obj.get("/Encoding")
        if not isinstance(enc, pikepdf.Stream):
            continue
        zero = read(enc, zeros, cid_zero)
        if not zero:
            continue
        tu = obj.get("/ToUnicode")
        names = read(tu, maps, to_unicode) if isinstance(tu, pikepdf.Stream) else {}
        for code in zero:
            uni = names.get(code)
            out.add(bytes.fromhex(uni.decode()).decode("utf-16-be", "replace") if uni else "?")
    return out


def _notdef(pdf, found):
    facts: dict = {}
    try:
        chars = notdef_characters(pdf, facts=facts)
    except NotdefIncomplete as exc:  # (not a pass: said as not checked, with what was found before the limit)
        chars = exc.chars
        found.append(("EINV-PDF-113", f"{exc} and were not all read for characters drawn with .notdef"))
    if chars:
        found.append(("EINV-PDF-114", f"{len(chars)} character{'s' if len(chars) > 1 else ''} ({''.join(sorted(chars)[:20])})"))
    if facts.get("max_cid", 0) > MAX_CID:
        found.append(("EINV-PDF-121", f"a composite font's encoding maps a code to CID {facts['max_cid']:,} (at most "
                                      f"{MAX_CID:,})"))


MAX_CID = 65_535  # ISO 19005-3 6.1.13
_CID_RANGE = re.compile(rb"<([0-9a-fA-F]{1,16})>\s*<([0-9a-fA-F]{1,16})>\s*(\d{1,12})\b")
_CID_CHAR = re.compile(rb"<[0-9a-fA-F]{1,16}>\s*(\d{1,12})\b")


def _max_cid(data: bytes) -> int:
    """The largest CID a CMap maps a code to: its cidrange entries' last (start + high - low), its cidchar entries'."""
    top = 0
    for block in _blocks(data, b"begincidrange", b"endcidrange"):
        for low, high, start in _CID_RANGE.findall(block):
            top = max(top, int(start) + max(0, int(high, 16) - int(low, 16)))
    for block in _cid_char_blocks(data):
        for cid in _CID_CHAR.findall(block):
            top = max(top, int(cid))
    return top


def file_specs(pdf, found) -> tuple[list[tuple[str, Any]], set]:
    """(the embedded files' (name, file specification): the name tree's, then those elsewhere (an annotation's /FS,
    any other object) each once; the (object, generation) of every file specification some /AF associates)."""
    import pikepdf

    specs: list[tuple[str, Any]] = []
    names = pdf.Root.get("/Names")
    tree = names.get("/EmbeddedFiles") if isinstance(names, pikepdf.Dictionary) else None
    if tree is not None:
        specs += _name_tree_files(tree, found)
    listed = {spec.objgen for _name, spec in specs if getattr(spec, "is_indirect", False)}
    walk = _walked(pdf, objects=False)
    if walk.files_error is not None:
        raise walk.files_error
    associated = set(walk.associated)

    def af_of(d):
        af = d.get("/AF")
        for item in af if isinstance(af, pikepdf.Array) else []:
            if getattr(item, "is_indirect", False):
                associated.add(item.objgen)

    def label(spec) -> str:
        return str(spec.get("/UF", spec.get("/F", "(unnamed)")))

    for obj in walk.with_ef:
        d = obj.stream_dict if isinstance(obj, pikepdf.Stream) else obj
        if obj.objgen not in listed:
            specs.append((f"{label(d)} (outside the embedded files' list)", obj))
            listed.add(obj.objgen)
    shared: set = set()
    for page, _res in _pages(pdf, found):
        for annot in _annotations_of(page, shared):
            if not annot.is_indirect:
                af_of(annot)
            fs = annot.get("/FS")
            if isinstance(fs, pikepdf.Dictionary) and "/EF" in fs and not fs.is_indirect:
                specs.append((f"{label(fs)} (of a {str(annot.get('/Subtype', '')).lstrip('/')} annotation)", fs))
    return specs, associated


def _embedded_files(pdf, found):
    import pikepdf

    specs, af = file_specs(pdf, found)
    bad = []
    for name, spec in specs:
        if not isinstance(spec, pikepdf.Dictionary):
            continue
        lacks = [k[1:] for k in ("/F", "/UF", "/AFRelationship") if k not in spec]
        ef = spec.get("/EF")
        stream = ef.get("/F") if isinstance(ef, pikepdf.Dictionary) else None
        if not isinstance(stream, pikepdf.Stream) or "/Subtype" not in stream.stream_dict:
            lacks.append("MIME subtype")
        if not spec.is_indirect or spec.objgen not in af:
            lacks.append("a place in /AF")
        if lacks:
            bad.append(f"{name} lacks {', '.join(lacks)}")
    if bad:
        found.append(("EINV-PDF-108", "; ".join(bad[:MAX_LISTED])))


def _name_tree_files(tree: Any, found: list) -> list[tuple[str, Any]]:
    """(name, file specification) of each leaf of the embedded files' name tree, each node read once (see _walk_tree)."""
    return [(str(key), spec) for key, spec in name_tree_items(tree, found)]


def name_tree_items(tree: Any, found: list) -> list[tuple[Any, Any]]:
    """(key as written, value) of each leaf of a name tree, in the tree's order, each node read once (see
    _walk_tree); over MAX_NODES nodes, those read and an EINV-PDF-113 finding in ``found``."""
    import pikepdf

    out = []
    try:
        for node, _res in _walk_tree(tree, "/Kids"):
            names = node.get("/Names")
            items = list(names) if isinstance(names, pikepdf.Array) else []
            out += [(items[i], items[i + 1]) for i in range(0, len(items) - 1, 2)]
    except _TooMany:
        found.append(("EINV-PDF-113", f"the embedded files' name tree has over {MAX_NODES:,} nodes; the files after "
                                      "them were not checked"))
    return out


# ISO 32000-1 7.4 Table 6, the filters PDF/A-3 permits on streams (6.1.7.2: LZW never, Crypt only as Identity) and on
# inline images (6.1.10: neither LZW nor Crypt; their abbreviations, which pikepdf writes out in full, too)
STREAM_FILTERS = {"/ASCIIHexDecode", "/ASCII85Decode", "/FlateDecode", "/RunLengthDecode", "/CCITTFaxDecode",
                  "/JBIG2Decode", "/DCTDecode", "/JPXDecode"}
INLINE_FILTERS = {"/ASCIIHexDecode", "/ASCII85Decode", "/FlateDecode", "/RunLengthDecode", "/CCITTFaxDecode",
                  "/DCTDecode"}
MAX_Q_NESTING = 28  # ISO 19005-3 6.1.13: graphics states (q ... Q) nested no deeper


def _content_streams(pdf, found) -> Iterator[tuple[str, list]]:
    """(what, its streams) of every content stream: each page's (its streams drawn as one), each form XObject,
    tiling pattern, annotation appearance and Type 3 glyph (each stream once)."""
    import pikepdf

    seen: set = set()
    for number, (page, _res) in enumerate(_pages(pdf, found), 1):
        contents = page.get("/Contents")
        streams = [contents] if isinstance(contents, pikepdf.Stream) else list(contents or []) \
            if isinstance(contents, pikepdf.Array) else []
        streams = [st for st in streams if isinstance(st, pikepdf.Stream) and _unseen(st, seen)]
        if streams:
            yield f"page {number}", streams
    others = []
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream):
            d = obj.stream_dict
            if d.get("/Subtype") == "/Form" or d.get("/PatternType") == 1:
                others.append(obj)
        elif isinstance(obj, pikepdf.Dictionary) and obj.get("/Subtype") == "/Type3":
            procs = obj.get("/CharProcs")
            others += list(procs.values()) if isinstance(procs, pikepdf.Dictionary) else []
    shared: set = set()
    for page, _res in _pages(pdf, found):
        for annot in _annotations_of(page, shared):
            others += _appearance_streams(annot)
    for st in others:
        if isinstance(st, pikepdf.Stream) and _unseen(st, seen):
            yield "a form, pattern, appearance or glyph", [st]


def _contents(pdf, found):
    """Inline images (ISO 19005-3 6.1.10 filters, 6.2.8 interpolation and bits per component) and the nesting of
    graphics states (6.1.13) in every content stream, read with the operators they need only; all content
    streams together are decoded to MAX_CONTENT bytes at most (beyond it: said as not checked)."""
    import warnings

    import pikepdf

    filters, graphics, deep = set(), set(), 0
    budget = MAX_CONTENT
    scratch = pikepdf.new()
    holder = scratch.make_stream(b"")
    for _what, streams in _content_streams(pdf, found):
        try:
            parts = []
            for st in streams:
                parts.append(_decoded(st, max(budget, 0)))
                budget -= len(parts[-1])
            if budget < 0:
                raise _TooLarge
        except _TooLarge:
            found.append(("EINV-PDF-113", f"the content streams are over {MAX_CONTENT // 1_000_000} MB decoded and "
                                          "were not all read for inline images and nested graphics states"))
            break
        except Exception as exc:  # noqa: BLE001 - a stream that does not decode is no content to check
            raise_outside(exc)
            continue
        holder.write(b"\n".join(parts))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                instructions = pikepdf.parse_content_stream(holder, "q Q BI ID EI")
        except Exception as exc:  # noqa: BLE001 - a damaged content stream: nothing read from it
            raise_outside(exc)
            continue
        level = 0
        for instruction in instructions:
            op = str(instruction.operator)
            if op == "q":
                level += 1
                deep = max(deep, level)
            elif op == "Q":
                level = max(level - 1, 0)
            elif op == "INLINE IMAGE":
                image = instruction.operands[0].obj
                given = image.get("/Filter")
                names = [given] if isinstance(given, pikepdf.Name) else list(given) \
                    if isinstance(given, pikepdf.Array) else []
                for f in names:
                    f = str(f)
                    if f == "/LZWDecode":
                        filters.add("an inline image compressed with LZW")
                    elif f == "/Crypt":
                        filters.add("an inline image with a Crypt filter")
                    elif f not in INLINE_FILTERS:
                        filters.add(f"an inline image with the filter {f[1:]} (not one inline images may use)")
                if bool(image.get("/Interpolate", False)):
                    graphics.add("an inline image with /I (interpolate) true")
                bits = image.get("/BitsPerComponent")
                if bits is not None and not bool(image.get("/ImageMask", False)) and bits not in (1, 2, 4, 8, 16):
                    graphics.add(f"an inline image of {bits} bits per component")
    if filters:
        found.append(("EINV-PDF-120", _listed(filters)))
    if graphics:  # (one finding with those of the objects' images and graphics states)
        said = [i for i, (rule, _detail) in enumerate(found) if rule == "EINV-PDF-115"]
        if said:
            found[said[0]] = ("EINV-PDF-115", f"{found[said[0]][1]}, {_listed(graphics)}")
        else:
            found.append(("EINV-PDF-115", _listed(graphics)))
    if deep > MAX_Q_NESTING:
        found.append(("EINV-PDF-121", f"graphics states (q) nested {deep} levels deep in a content stream (at most "
                                      f"{MAX_Q_NESTING})"))


BOXES = ("/MediaBox", "/CropBox", "/BleedBox", "/TrimBox", "/ArtBox")
MIN_BOX, MAX_BOX = 3, 14_400  # ISO 19005-3 6.1.13: page boundaries, in default user space units, each way


def _page_boxes(pdf, found):
    """Each page's boundaries (its own, or the media and crop box its page tree nodes give it) 3 to 14,400 units
    wide and high (6.1.13)."""
    import pikepdf

    bad = set()
    for page, _res in _pages(pdf, found):
        for box in BOXES:
            node, value, seen = page, None, set()
            for _ in range(MAX_DEPTH):
                if not isinstance(node, pikepdf.Dictionary) or not _unseen(node, seen):
                    break
                value = node.get(box)
                if value is not None or box not in ("/MediaBox", "/CropBox"):
                    break
                node = node.get("/Parent")
            try:
                x1, y1, x2, y2 = (float(v) for v in value)
            except Exception as exc:  # noqa: BLE001 - no box, or not four numbers: not a size to judge
                raise_outside(exc)
                continue
            for size in (abs(x2 - x1), abs(y2 - y1)):
                if not MIN_BOX <= size <= MAX_BOX:
                    bad.add(f"a page's {box[1:]} of {abs(x2 - x1):g} by {abs(y2 - y1):g} units (3 to 14,400 each way)")
                    break
    if bad:
        found.append(("EINV-PDF-121", _listed(bad)))


NAVIGATION = {"/NextPage", "/PrevPage", "/FirstPage", "/LastPage"}  # the Named actions PDF/A permits (6.5.1)


def _objects(pdf, found):
    walk = _walked(pdf, objects=True)
    if walk.objects_error is not None:
        raise walk.objects_error
    walk.finish(pdf, found)


def _object_checks():
    """(step, finish) of the checks that read every object of the file (actions, graphics, stream filters, limits):
    ``step(obj)`` reads one object, ``finish(pdf, found)`` adds the findings."""
    import pikepdf

    streams, actions, graphics = set(), set(), set()
    over: dict[str, list] = {}  # kind of value beyond the 6.1.13 limits -> [how many, the largest or an example]

    def beyond(kind, size):
        seen = over.setdefault(kind, [0, size])
        seen[0] += 1
        seen[1] = max(seen[1], size) if isinstance(size, int) else seen[1]

    def scalar(value):
        if isinstance(value, pikepdf.Name):
            size = len(_name_bytes(value))
            if size > MAX_NAME:
                beyond("name", size)
        elif isinstance(value, pikepdf.String):
            size = len(bytes(value))
            if size > MAX_STRING:
                beyond("string", size)
        elif isinstance(value, bool):
            pass
        elif isinstance(value, int):
            if not MIN_INT <= value <= MAX_INT:
                beyond("integer", value)
        elif isinstance(value, Decimal):
            if value.is_finite() and (abs(value) > MAX_REAL or value and abs(value) < MIN_REAL):
                beyond("real", value)

    def dictionary(d, depth=0):
        for key in d.keys():
            if len(key) > MAX_NAME // 4 and len(_name_bytes(key)) > MAX_NAME:  # (a character is 1 to 4 bytes)
                beyond("name", len(_name_bytes(key)))
        s = d.get("/S")
        if s is not None and str(s) in FORBIDDEN_ACTIONS and d.get("/Type") in (None, "/Action"):
            actions.add(f"{str(s)[1:]} action")
        if s == "/Named" and d.get("/Type") in (None, "/Action") and str(d.get("/N")) not in NAVIGATION:
            actions.add(f"Named action {str(d.get('/N', '(none)')).lstrip('/')}")
        if "/JS" in d:
            actions.add("JavaScript")
        if d.get("/Type") == "/ExtGState":
            graphics_state(d)
        states = d.get("/ExtGState")  # (a resource dictionary's graphics states, typed or not: only they are; a
        if isinstance(states, pikepdf.Dictionary):  # structure role map's /TR, a table row, is none)
            for state in states.values():
                if isinstance(state, pikepdf.Dictionary):
                    graphics_state(state)
        if depth < 8:  # direct objects nest; indirect ones are visited on their own
            for value in d.values():
                direct(value, depth + 1)

    def graphics_state(d):
        if "/TR" in d:
            graphics.add("a transfer function (/TR) in a graphics state")
        tr2 = d.get("/TR2")
        if tr2 is not None and tr2 != "/Default":
            graphics.add("a transfer function (/TR2) in a graphics state")
        if "/HTP" in d:
            graphics.add("a halftone phase (/HTP) in a graphics state")
        ht = d.get("/HT")
        ht = ht.stream_dict if isinstance(ht, pikepdf.Stream) else ht
        if isinstance(ht, pikepdf.Dictionary):
            if ht.get("/HalftoneType") not in (1, 5):
                graphics.add(f"a halftone of type {ht.get('/HalftoneType')}")
            if "/HalftoneName" in ht:
                graphics.add("a halftone with a /HalftoneName")

    def xobject(d):
        sub = d.get("/Subtype")
        if sub == "/Image":
            if bool(d.get("/Interpolate", False)):
                graphics.add("an image with /Interpolate true")
            if "/Alternates" in d:
                graphics.add("an image with /Alternates")
            if "/OPI" in d:
                graphics.add("an image with /OPI")
            bits = d.get("/BitsPerComponent")
            if bits is not None and not bool(d.get("/ImageMask", False)) and bits not in (1, 2, 4, 8, 16):
                graphics.add(f"an image of {bits} bits per component")
        elif sub == "/Form":
            if "/OPI" in d or "/PS" in d or d.get("/Subtype2") == "/PS":
                graphics.add("a form XObject with PostScript (/OPI, /PS)")
            if "/Ref" in d:
                graphics.add("a reference XObject (/Ref)")
        elif sub == "/PS":
            graphics.add("a PostScript XObject")

    def direct(value, depth):
        if isinstance(value, pikepdf.Stream) or getattr(value, "is_indirect", False):
            return
        if isinstance(value, pikepdf.Dictionary):
            dictionary(value, depth)
        elif isinstance(value, pikepdf.Array):
            array(value, depth)
        else:
            scalar(value)

    def array(value, depth):
        if len(value) > 1 and value[0] == "/DeviceN":
            inks = value[1]
            if isinstance(inks, pikepdf.Array) and len(inks) > MAX_COLOURANTS:
                beyond("DeviceN", len(inks))
        if depth < 8:
            for item in value:
                direct(item, depth + 1)

    def step(obj):
        if isinstance(obj, pikepdf.Stream):
            d = obj.stream_dict
            for key in ("/F", "/FFilter", "/FDecodeParms"):
                if key in d:
                    streams.add(f"external stream ({key[1:]})")
            filters = d.get("/Filter")
            filters = [filters] if isinstance(filters, pikepdf.Name) else list(filters or [])
            parms = d.get("/DecodeParms")
            for i, f in enumerate(filters):
                f = str(f)
                if f in ("/LZWDecode", "/LZW"):
                    streams.add("LZW-compressed stream")
                elif f == "/Crypt":
                    p = parms[i] if isinstance(parms, pikepdf.Array) and i < len(parms) else parms
                    if not isinstance(p, pikepdf.Dictionary) or p.get("/Name") != "/Identity":
                        streams.add("a stream with a Crypt filter other than Identity")
                elif f not in STREAM_FILTERS:
                    streams.add(f"a stream with the filter {f[1:]} (not a standard filter)")
            if d.get("/Type") in (None, "/XObject"):
                xobject(d)
            dictionary(d)
        elif isinstance(obj, pikepdf.Dictionary):
            dictionary(obj)
        elif isinstance(obj, pikepdf.Array):
            array(obj, 0)
        else:
            scalar(obj)

    def finish(pdf, found):
        if len(pdf.objects) > MAX_OBJECTS:
            beyond("objects", len(pdf.objects))
        names = pdf.Root.get("/Names")
        if names is not None and "/JavaScript" in names:
            actions.add("JavaScript")
        if "/AA" in pdf.Root:
            actions.add("additional actions (/AA) on the catalog")
        if any("/AA" in page for page, _res in _pages(pdf, found)):
            actions.add("additional actions (/AA) on a page")
        if streams:
            found.append(("EINV-PDF-111", _listed(streams)))
        if actions:
            found.append(("EINV-PDF-110", _listed(actions)))
        if graphics:
            found.append(("EINV-PDF-115", _listed(graphics)))
        if over:
            found.append(("EINV-PDF-121", "; ".join(_beyond(kind, *over[kind]) for kind in LIMITS if kind in over)))

    return step, finish


class _Walk:
    """One pass over the file's objects serving the checks that read them all: the embedded files' part (objects
    with /EF, in the file's order, and the file specifications an /AF associates) and, when ``objects``, the
    checks of :func:`_object_checks`. An error stops the part it arose in, kept to be raised by that part's check
    (as when each part read the objects on its own), and the other part reads on."""

    def __init__(self, pdf, objects: bool):
        import pikepdf

        self.with_ef: list = []
        self.associated: set = set()
        self.files_error: Exception | None = None
        self.objects_error: Exception | None = None
        step, self.finish = _object_checks() if objects else (None, None)
        self.complete = objects
        try:
            for obj in pdf.objects:
                if self.files_error is None:
                    try:
                        d = obj.stream_dict if isinstance(obj, pikepdf.Stream) else obj
                        if isinstance(d, pikepdf.Dictionary):
                            af = d.get("/AF")
                            for item in af if isinstance(af, pikepdf.Array) else []:
                                if getattr(item, "is_indirect", False):
                                    self.associated.add(item.objgen)
                            if "/EF" in d:
                                self.with_ef.append(obj)
                    except Exception as exc:  # noqa: BLE001 - raised by file_specs, as it read the objects
                        raise_outside(exc)
                        self.files_error = exc
                if step is not None and self.objects_error is None:
                    try:
                        step(obj)
                    except Exception as exc:  # noqa: BLE001 - raised by _objects, as it read the objects
                        raise_outside(exc)
                        self.objects_error = exc
                if self.files_error is not None and (step is None or self.objects_error is not None):
                    break
        except Exception as exc:  # noqa: BLE001 - the objects themselves could not be listed: both parts fail
            raise_outside(exc)
            self.files_error = self.files_error or exc
            self.objects_error = self.objects_error or exc


def _walked(pdf, objects: bool) -> _Walk:
    """The pass over ``pdf``'s objects, made once per check run (``problems`` asks for every part); a caller outside
    it (attach's repair) gets one of the embedded files' part alone."""
    walk = getattr(pdf, "_einvoice_walk", None)
    if walk is None or objects and not walk.complete:
        walk = _Walk(pdf, objects or getattr(pdf, "_einvoice_all", False))
        pdf._einvoice_walk = walk
    return walk


# ISO 19005-3 6.1.13 (ISO 32000-1 Annex C as PDF/A-3 restates it; the array and dictionary sizes PDF/A-1 bounded are
# no limit in PDF/A-3)
MAX_NAME = 127
MIN_INT, MAX_INT = -2_147_483_648, 2_147_483_647
MAX_REAL, MIN_REAL = Decimal("3.403e38"), Decimal("1.175e-38")
MAX_COLOURANTS = 32
MAX_OBJECTS = 8_388_607
LIMITS = {
    "string": "string{s} longer than 32,767 bytes (the longest {size:,})",
    "name": "name{s} longer than 127 bytes (the longest {size:,})",
    "integer": "integer{s} beyond the 32-bit range (e.g. {size})",
    "real": "real number{s} beyond ±3.403e38 or nearer to zero than ±1.175e-38 (e.g. {size})",
    "DeviceN": "DeviceN colour space{s} of over 32 colourants (the largest {size})",
    "objects": "{size:,} indirect objects (at most 8,388,607)",
}


def _beyond(kind: str, count: int, size: Any) -> str:
    if kind == "objects":
        return LIMITS[kind].format(size=size)
    text = str(size)
    shown = size if isinstance(size, int) and kind != "integer" else text if len(text) <= 40 else text[:20] + "..."
    return f"{count:,} " + LIMITS[kind].format(s="s" if count > 1 else "", size=shown)


def _name_bytes(name: Any) -> bytes:
    """A name's bytes as the file gives them (its #xx escapes read), without the slash."""
    text = str(name)[1:]
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # pragma: no cover - a name pikepdf shows with lone surrogates
        return text.encode("utf-8", "replace")


def _zero_rect(annot) -> bool:
    try:
        x1, y1, x2, y2 = (float(v) for v in annot.get("/Rect"))
    except Exception as exc:  # noqa: BLE001 - no Rect, or not four numbers: not a zero-size one
        raise_outside(exc)
        return False
    return x1 == x2 and y1 == y2


def _field_type(annot) -> Any:
    """The field type (/FT) of a widget annotation: its own, else inherited from its fields (/Parent), None when no
    field up the chain (at most MAX_DEPTH of them, each once) has one."""
    import pikepdf

    seen: set = set()
    node = annot
    for _ in range(MAX_DEPTH):
        if not isinstance(node, pikepdf.Dictionary) or not _unseen(node, seen):
            return None
        ft = node.get("/FT")
        if ft is not None:
            return ft
        node = node.get("/Parent")
    return None


def _annotations(pdf, found):
    import pikepdf

    bad, looks, form = set(), set(), set()
    shared: set = set()
    for page, _res in _pages(pdf, found):
        for annot in _annotations_of(page, shared):
            sub = str(annot.get("/Subtype", ""))
            if sub in FORBIDDEN_ANNOTS:
                bad.add(f"{sub[1:]} annotation")
                continue
            if sub == "/Popup":
                continue
            flags = int(annot.get("/F", 0))
            if not flags & 4:
                bad.add(f"{sub[1:] or 'an'} annotation without the Print flag")
            if flags & (1 | 2 | 32):
                bad.add(f"{sub[1:] or 'an'} annotation hidden or invisible")
            ap = annot.get("/AP")
            if ap is None:
                if sub != "/Link" and not _zero_rect(annot):
                    looks.add(f"{sub[1:] or 'an'} annotation without an appearance (/AP)")
            elif isinstance(ap, pikepdf.Dictionary):
                others = sorted(str(k) for k in ap.keys() if k != "/N")
                if others:
                    looks.add(f"{sub[1:] or 'an'} annotation with appearances beside the normal one "
                              f"({', '.join(others)})")
                n = ap.get("/N")
                button = sub == "/Widget" and _field_type(annot) == "/Btn"
                if n is None:
                    looks.add(f"{sub[1:] or 'an'} annotation without a normal appearance (/AP /N)")
                elif button and not (isinstance(n, pikepdf.Dictionary)
                                     and any(isinstance(v, pikepdf.Stream) for v in n.values())):
                    looks.add("a button widget whose normal appearance is no sub-dictionary of appearance streams "
                              "(one per state)")
                elif not button and not isinstance(n, pikepdf.Stream):
                    looks.add(f"{sub[1:] or 'an'} annotation{' (not a button)' if sub == '/Widget' else ''} whose "
                              "normal appearance is no stream")
            if sub == "/Widget":
                for key in ("/A", "/AA"):
                    if key in annot:
                        form.add(f"a widget annotation with {'an action (/A)' if key == '/A' else 'additional actions (/AA)'}")
    if bad:
        found.append(("EINV-PDF-112", _listed(bad)))
    if looks:
        found.append(("EINV-PDF-116", _listed(looks)))
    if form:
        found.append(("EINV-PDF-117", _listed(form)))


def _forms(pdf, found):
    bad = set()
    acro = pdf.Root.get("/AcroForm")
    if acro is not None and hasattr(acro, "get"):
        if bool(acro.get("/NeedAppearances", False)):
            bad.add("/NeedAppearances true (the viewer is to draw the fields anew)")
        if "/XFA" in acro:
            bad.add("an XFA form (/XFA)")
        try:
            for node, _res in _walk_tree(pikepdf_dict(acro.get("/Fields")), "/Kids"):
                if "/AA" in node:
                    bad.add("a form field with additional actions (/AA)")
        except _TooMany:
            found.append(("EINV-PDF-113", f"the form's field tree has over {MAX_NODES:,} nodes; the fields after "
                                          "them were not checked"))
    if bool(pdf.Root.get("/NeedsRendering", False)):
        bad.add("/NeedsRendering true in the catalog (a dynamic XFA form)")
    if bad:
        found.append(("EINV-PDF-117", _listed(bad)))


def pikepdf_dict(fields):
    """The top fields of a form as one node with /Kids, for _walk_tree."""
    import pikepdf

    return pikepdf.Dictionary(Kids=fields if isinstance(fields, pikepdf.Array) else pikepdf.Array())


def _optional_content(pdf, found):
    import pikepdf

    props = pdf.Root.get("/OCProperties")
    if not isinstance(props, pikepdf.Dictionary):
        return
    configs = [props.get("/D")] + list(props.get("/Configs") or [])
    bad, names = set(), []
    for config in configs:
        if not isinstance(config, pikepdf.Dictionary):
            continue
        name = config.get("/Name")
        if name is None or not str(name):
            bad.add("a configuration without a /Name")
        else:
            names.append(str(name))
        if "/AS" in config:
            bad.add("a configuration with /AS (automatic state changes)")
        missing = unordered_groups(props, config)
        if missing:
            bad.add(f"a configuration whose /Order leaves out {len(missing)} of the optional content groups "
                    f"({_listed(str(g.get('/Name', '(unnamed)')) for g in missing)})")
    if len(names) != len(set(names)):
        bad.add("two configurations of one /Name")
    if bad:
        found.append(("EINV-PDF-118", _listed(bad)))


def unordered_groups(props: Any, config: Any) -> list:
    """The optional content groups of /OCProperties /OCGs that a configuration's /Order array (when it has one) does
    not list, at any depth of its nested arrays (ISO 19005-3 6.9: an /Order lists them all); each group once."""
    import pikepdf

    order = config.get("/Order")
    if not isinstance(order, pikepdf.Array):
        return []
    listed, stack, steps = set(), [(order, 0)], 0
    while stack:
        items, depth = stack.pop()
        for item in items:
            steps += 1
            if steps > MAX_NODES:
                return []  # (an order over the bound is not judged)
            if isinstance(item, pikepdf.Array) and depth < MAX_DEPTH:
                stack.append((item, depth + 1))
            elif getattr(item, "is_indirect", False):
                listed.add(item.objgen)
    groups = props.get("/OCGs")
    missing, seen = [], set()
    for group in groups if isinstance(groups, pikepdf.Array) else []:
        if isinstance(group, pikepdf.Dictionary) and group.is_indirect and group.objgen not in listed \
                and group.objgen not in seen:
            seen.add(group.objgen)
            missing.append(group)
    return missing


def _presentations(pdf, found):
    bad = set()
    names = pdf.Root.get("/Names")
    if names is not None and hasattr(names, "keys") and "/AlternatePresentations" in names:
        bad.add("alternate presentations (/AlternatePresentations)")
    if any("/PresSteps" in page for page, _res in _pages(pdf, found)):
        bad.add("presentation steps on a page (/PresSteps)")
    if "/Requirements" in pdf.Root:
        bad.add("reader requirements in the catalog (/Requirements)")
    if bad:
        found.append(("EINV-PDF-119", _listed(bad)))


def _appearance_streams(annot: Any) -> list:
    """The appearance streams of an annotation: each of /AP's entries a stream, or a dictionary of streams (one per
    state); anything else is none (an annotation of another kind than a dictionary: said by _annotations)."""
    import pikepdf

    ap = annot.get("/AP") if isinstance(annot, pikepdf.Dictionary) else None
    looks = list(ap.values()) if isinstance(ap, pikepdf.Dictionary) else []
    return [st for look in looks for st in ([look] if isinstance(look, pikepdf.Stream) else list(look.values())
                                            if isinstance(look, pikepdf.Dictionary) else [])
            if isinstance(st, pikepdf.Stream)]


def _annotations_of(page: Any, seen: set) -> list:
    """A page's annotations not met before (an /Annots array, or an annotation, pages share is read once)."""
    annots = page.get("/Annots")
    if annots is None or not _unseen(annots, seen):
        return []
    return [a for a in annots if _unseen(a, seen)]


# ISO 19005-3 6.1.13 (ISO 32000-1 annex C): no string longer than 32,767 bytes
MAX_STRING = 32_767
ELLIPSIS = "\u2026"


def bounded(text: str, limit: int = MAX_STRING) -> str:
    """``text`` as it fits a PDF string of at most ``limit`` bytes as written (PDFDocEncoding where it can be, else
    UTF-16BE with its byte order mark), shortened with an ellipsis when it does not."""
    def size(t: str) -> int:
        try:
            return len(t.encode("latin-1")) if t.isascii() else len(("\ufeff" + t).encode("utf-16-be"))
        except UnicodeEncodeError:  # pragma: no cover - non-ASCII goes the UTF-16 way
            return len(("\ufeff" + t).encode("utf-16-be"))

    if size(text) <= limit:
        return text
    keep = min(len(text), limit // 2)
    while keep > 0 and size(text[:keep].rstrip() + ELLIPSIS) > limit:
        keep -= max(1, (size(text[:keep] + ELLIPSIS) - limit) // 4)
    return text[:max(keep, 0)].rstrip() + ELLIPSIS


def write_metadata(pdf: bytes, meta: dict[str, str] | None = None, edit: Any = None,
                   xmp_values: dict[str, str] | None = None) -> bytes:
    """``pdf`` with its XMP stored uncompressed and its Info dictionary equal to the XMP (PDF/A 6.6.2.1, 6.6.3).

    WeasyPrint and the factur-x package write the XMP compressed; the factur-x package
    also leaves ``pdf:Producer`` "pypdf" beside an Info /Producer of the page's producer,
    and Info /Keywords without ``pdf:Keywords``. Here one set of values goes into both:
    ``meta`` (title, author, subject, keywords) when given, einvoice as creator and
    producer, and the XMP's dates. Each text is shortened (with an ellipsis) to fit a PDF string (MAX_STRING bytes:
    PDF/A-3 6.1.13), in both. ``edit``: called with the opened document before the metadata is written;
    ``xmp_values``: other XMP properties to set, by their Clark names (``{namespace}name``).
    """
    import pikepdf

    from . import __version__

    tool = f"einvoice {__version__}"
    with pikepdf.open(io.BytesIO(pdf), inherit_page_attributes=False) as doc:
        if edit is not None:
            edit(doc)
        with doc.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
            if meta:
                xmp["dc:title"] = meta["title"]
                xmp["dc:creator"] = [meta["author"]] if meta["author"] else []
                xmp["dc:description"] = meta["subject"]
                xmp["pdf:Keywords"] = meta["keywords"]
            for key in ("dc:title", "dc:description", "pdf:Keywords"):
                value = xmp.get(key)
                if isinstance(value, str) and bounded(value) != value:
                    xmp[key] = bounded(value)
            creators = xmp.get("dc:creator")
            if isinstance(creators, (list, tuple)) and bounded(", ".join(creators)) != ", ".join(creators):
                xmp["dc:creator"] = [bounded(", ".join(creators))]
            xmp["pdf:Producer"] = tool
            xmp["xmp:CreatorTool"] = tool
            for key, value in (xmp_values or {}).items():
                xmp[key] = value
            values = dict(xmp)
        info = doc.trailer.get("/Info")
        if info is None:
            doc.trailer.Info = info = doc.make_indirect(pikepdf.Dictionary())
        for key in ("/Title", "/Author", "/Subject", "/Keywords", "/Creator", "/Producer", "/CreationDate", "/ModDate"):
            if key in info:
                del info[key]
        for key, prop in INFO_XMP.items():
            value = values.get(prop)
            if value in (None, "", []):
                continue
            if key in ("/CreationDate", "/ModDate"):
                value = _pdf_date(value)
            elif isinstance(value, (list, tuple)):
                value = ", ".join(value)
            info[key] = pikepdf.String(value)
        out = io.BytesIO()
        doc.save(out)  # qpdf leaves the /Type /Metadata stream uncompressed; check() verifies it
    return out.getvalue()


def _pdf_date(xmp_value) -> str:
    from datetime import datetime

    when = xmp_value if isinstance(xmp_value, datetime) else datetime.fromisoformat(str(xmp_value).replace("Z", "+00:00"))
    text = when.strftime("D:%Y%m%d%H%M%S")
    off = when.utcoffset()
    if off is None:
        return text + "Z"
    minutes = int(off.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{text}{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"
