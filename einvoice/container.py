"""The PDF container of a Factur-X / ZUGFeRD invoice: find the XML and check the wrapping.

``read_pdf(data, path)`` returns the invoice XML and the container findings
(EINV-PDF-*): one invoice attachment under a known name (or, among several, the one
the XMP names), XMP metadata present with a Factur-X profile that matches the XML's
guideline, a PDF/A identification, and the attachment's relationship. What makes the
PDF unusable (not a PDF, damaged, encrypted, no invoice inside, two invoices inside
and no XMP naming one of them) raises :class:`~einvoice.errors.UnreadableInput` with
a one-line reason.
"""

from __future__ import annotations

import contextlib
import io
import re
from typing import Any, Iterator, NamedTuple

from .errors import UnreadableInput, one_line, raise_interruption
from .xmlsafe import is_pdf, size_limit
from .rules.engine import Finding, Severity

INVOICE_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "ZUGFeRD-invoice.xml", "xrechnung.xml")
RELATIONSHIPS = ("/Data", "/Source", "/Alternative")

# XMP ConformanceLevel -> the guideline (BT-24) prefixes it admits (Factur-X 1.0 / ZUGFeRD 2.x, and the
# ZUGFeRD 1.0 identifiers of its BASIC, COMFORT and EXTENDED levels)
_ZF1 = "urn:ferd:CrossIndustryDocument:invoice:1p0:"
LEVEL_GUIDELINES = {
    "MINIMUM": ("urn:factur-x.eu:1p0:minimum", "urn:zugferd.de:2p0:minimum"),
    "BASIC WL": ("urn:factur-x.eu:1p0:basicwl", "urn:zugferd.de:2p0:basicwl"),
    "BASIC": ("urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic", "urn:cen.eu:en16931:2017#compliant#urn:zugferd.de:2p0:basic",
              "urn:cen.eu:en16931:2017:compliant:factur-x.eu:1p0:basic", _ZF1 + "basic"),
    "EN 16931": ("urn:cen.eu:en16931:2017",),
    "COMFORT": ("urn:cen.eu:en16931:2017", _ZF1 + "comfort"),
    # (France CTC EXTENDED is a subset of EXTENDED, declared as such in the XMP: Factur-X 1.08, 7.1 and 6.3)
    "EXTENDED": ("urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended",
                 "urn:cen.eu:en16931:2017#conformant#urn:zugferd.de:2p0:extended",
                 "urn:cen.eu:en16931:2017:conformant:factur-x.eu:1p0:extended",
                 "urn:cen.eu:en16931:2017:compliant:factur-x.eu:1p0:extended", _ZF1 + "extended",
                 "urn:cen.eu:en16931:2017#conformant#urn.cpro.gouv.fr:1p0:extended-ctc-fr"),
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
    "EINV-PDF-007": ("The PDF carries other invoice XMLs ({others}) beside {name}, the one its XMP names; a "
                     "receiver that looks for another name reads another invoice.",
                     "Embed one invoice XML only (a ZUGFeRD 1.0 twin of a Factur-X invoice included)."),
    "EINV-PDF-008": ("The XMP conformance level {level} is not a Factur-X / ZUGFeRD profile, so a receiver "
                     "cannot tell which profile the invoice follows.",
                     "Set fx:ConformanceLevel to MINIMUM, BASIC WL, BASIC, EN 16931, EXTENDED or XRECHNUNG "
                     "(ZUGFeRD 1.0: BASIC, COMFORT, EXTENDED)."),
    "EINV-PDF-010": ("The PDF embeds a UBL document as {name}; a Factur-X / ZUGFeRD PDF carries a CII invoice "
                     "(rsm:CrossIndustryInvoice).",
                     "Convert the invoice to CII (einvoice convert IN.xml --to cii) and embed that "
                     "(einvoice attach)."),
    "EINV-PDF-011": ("The XMP metadata names no Factur-X {field}.",
                     "Write fx:{field} into the XMP ({example}), as the Factur-X extension schema has it."),
    "EINV-PDF-012": ("The XMP's Factur-X {field} is {value}, which is not one of {allowed}.",
                     "Write fx:{field} as the Factur-X specification lists it ({example})."),
    "EINV-PDF-013": ("The PDF's list of embedded files (its /EmbeddedFiles name tree) is malformed: {faults}; "
                     "the invoice was read from the rest of it, and another reader may not find it.",
                     "Write the PDF again with a tool that builds a sound name tree (einvoice attach, say): each "
                     "/Kids an array of dictionaries, each node reached once, none leading back to another."),
    "EINV-PDF-014": ("The PDF's level is XRECHNUNG, at which the XML is also read by the Factur-X EN 16931 schema "
                     "(FeRD's validator checks it), and the XML does not follow that schema: {reason}",
                     "Send the XRechnung as XML alone (it needs no PDF), or leave out what the EN 16931 profile does "
                     "not carry (an XRechnung extension's elements, say)."),
    "BR-HYBRID-DE-01": ("Seller and buyer are both in Germany, where a MINIMUM Factur-X / ZUGFeRD file is not an "
                        "invoice: it carries no invoice lines.",
                        "Issue the invoice in profile EN 16931 (or BASIC, EXTENDED, XRECHNUNG) instead."),
    "BR-HYBRID-DE-02": ("Seller and buyer are both in Germany, where a BASIC WL Factur-X / ZUGFeRD file is not an "
                        "invoice: it carries no invoice lines.",
                        "Issue the invoice in profile EN 16931 (or BASIC, EXTENDED, XRECHNUNG) instead."),
    "BR-HYBRID-FR-01": ("Seller and buyer are both in France, where the XRECHNUNG profile is not to be used.",
                        "Issue the invoice in a Factur-X profile (EN 16931 or EXTENDED, say) instead."),
}

# Factur-X 1.08, rules for hybrid documents (3.d): what no official schematron checks, with the severity the
# specification gives. Fatal: an XMP without the Factur-X extension (BR-HYBRID-03: EINV-PDF-001, -002), a
# level outside the code list (BR-HYBRID-07: EINV-PDF-008), a PDF that does not declare PDF/A (BR-HYBRID-02:
# EINV-PDF-004), a UBL attachment (BR-HYBRID-12), MINIMUM or BASIC WL between German parties (BR-HYBRID-DE-01,
# -02), XRECHNUNG between French parties (BR-HYBRID-FR-01). Between a German seller and a German buyer the XML is
# the invoice and the XMP and PDF/A faults are warnings (BR-FX-DE-03); a level that does not match the XML's
# profile is a warning everywhere (BR-HYBRID-15).
# (EINV-PDF-014: ZUGFeRD's level XRECHNUNG takes the EN 16931 profile's schema, which FeRD's validator applies)
_FATAL = {"EINV-PDF-001", "EINV-PDF-002", "EINV-PDF-004", "EINV-PDF-008", "EINV-PDF-010", "EINV-PDF-011",
          "EINV-PDF-012", "EINV-PDF-014", "BR-HYBRID-DE-01", "BR-HYBRID-DE-02", "BR-HYBRID-FR-01"}
_WARNING_BETWEEN_GERMANS = {"EINV-PDF-001", "EINV-PDF-002", "EINV-PDF-004", "EINV-PDF-011", "EINV-PDF-014"}
# the other fields of the extension schema and the values their code lists hold (BR-HYBRID-06, -08, -09: the
# values the specification names for invoices, Order-X's and XRechnung's included, as Mustang's validator
# accepts them; the specification's XRECHNUNG example writes version 2p1)
XMP_FIELDS = {
    "DocumentType": ("INVOICE", "ORDER", "ORDER_RESPONSE", "ORDER_CHANGE"),
    "DocumentFileName": INVOICE_NAMES + ("order-x.xml",),
    "Version": ("1.0", "1p0", "2p0", "2p1", "3p0", "1.2", "2.0", "2.1", "2.2", "2.3", "3.0"),
}


def _finding(rule: str, path: str | None, german: bool = False, note: str = "", **params) -> Finding:
    """The container finding ``rule``; ``german``: seller and buyer are both in Germany (BR-FX-DE-03); ``note``:
    said after the message (why a value could not be read, say)."""
    msg, hint = MESSAGES[rule]
    msg = msg.format(**params) + note
    sev = Severity.ERROR if rule in _FATAL else Severity.WARNING
    if german and rule in _WARNING_BETWEEN_GERMANS:
        sev = Severity.WARNING
        msg += " (A warning only: seller and buyer are both in Germany, where the XML is the invoice.)"
    return Finding(rule, sev, msg, hint, path=path, layer="container")


# the namespaces of the Factur-X / ZUGFeRD XMP extension schema: Factur-X 1.0 (ZUGFeRD 2.1 and later), as
# BR-HYBRID-04 and Order-X spell it (without ':invoice'), ZUGFeRD 2.0, ZUGFeRD 1.0
FX_NAMESPACES = ("urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#", "urn:factur-x:pdfa:CrossIndustryDocument:1p0#",
                 "urn:zugferd:pdfa:CrossIndustryDocument:invoice:2p0#", "urn:ferd:pdfa:CrossIndustryDocument:invoice:1p0#")
PDFAID = "http://www.aiim.org/pdfa/ns/id/"
_FX_FIELDS = ("ConformanceLevel", "DocumentType", "DocumentFileName", "Version")


class XmpFacts(NamedTuple):
    """What the XMP says of Factur-X: ``values`` the fields of the extension schema by local name (ConformanceLevel,
    DocumentType, DocumentFileName, Version) and ``part`` (pdfaid:part), as written; ``problem`` why the XMP could not
    be read (not well-formed); ``foreign`` a Factur-X field name -> the other namespace it was found in."""

    values: dict[str, str]
    problem: str | None = None
    foreign: dict[str, str] = {}


def xmp_facts(raw: bytes) -> XmpFacts:
    """The Factur-X fields of an XMP packet, read as XML (the project's hardened parser: no DTD, no entities,
    bounded) by namespace URI, not prefix: properties of the top-level rdf:Description elements, in element or
    attribute form (the first item of an rdf:Alt, Seq or Bag); comments are no values."""
    from .pdfa import RDF, xmp_properties, xmp_root

    try:
        root = xmp_root(raw)
    except UnreadableInput as exc:
        return XmpFacts({}, exc.reason)
    values: dict[str, str] = {}
    foreign: dict[str, str] = {}

    def take(tag: str, value: str) -> None:
        if not tag.startswith("{"):
            return
        ns, _, local = tag[1:].partition("}")
        if (ns in FX_NAMESPACES and local in _FX_FIELDS) or (ns == PDFAID and local == "part"):
            values.setdefault(local, value)
        elif local in _FX_FIELDS and ns != PDFAID:
            foreign.setdefault(local, ns)

    for name, value in xmp_properties(root):
        if not isinstance(value, str):  # (the element form: its text, or the first item of an rdf:Alt, Seq or Bag)
            items = value.findall(f"./*/{{{RDF}}}li")
            value = (items[0] if items else value).xpath("string()")
        take(name, value)
    return XmpFacts(values, None, foreign)


# (whether or not it opens without a password: an owner password alone, with an empty user password, encrypts the
# file all the same, and PDF/A forbids it)
# a PDF that embeds no file and whose XMP names no Factur-X / ZUGFeRD / XRechnung field: a manual, a rendered page (a
# changed-files run, --skip-other-xml, skips it as it skips other XML; named, it is unreadable as before)
NO_EMBEDDED_FILE = "the PDF embeds no file and its metadata claims no Factur-X or ZUGFeRD invoice"
ENCRYPTED = "encrypted PDF: a Factur-X or ZUGFeRD PDF is PDF/A-3, which allows no encryption (ISO 19005-3, 6.1.3)"


def _pdf_reader(path: str | None):
    try:
        import logging

        from pypdf import PdfReader

        logging.getLogger("pypdf").setLevel(logging.ERROR)
    except ImportError as exc:  # (pypdf comes with factur-x)
        from .errors import not_installed

        if not not_installed(exc, "pypdf"):  # there, but not loaded (a memory limit): said as such, not as missing
            raise
        raise UnreadableInput("PDF support needs the pypdf package", path) from None
    return PdfReader


@contextlib.contextmanager
def _limits(max_bytes: int) -> Iterator[None]:
    """pypdf's decoders stop after ``max_bytes`` + 1 bytes of output (a Flate bomb is cut short while it
    is being decompressed), and its recovery of damaged streams is kept short."""
    try:
        from pypdf import apply_configuration
    except ImportError:  # pragma: no cover - older pypdf: the size is checked after reading
        yield
        return
    cap = max(1, int(max_bytes) + 1)
    with apply_configuration(zlib_maximum_output_length=cap, lzw_maximum_output_length=cap,
                             run_length_maximum_output_length=cap, brotli_maximum_output_length=cap,
                             jbig2_maximum_output_length=cap, array_based_stream_maximum_output_length=cap,
                             stream_decoding_work_maximum_length=4 * cap,
                             zlib_maximum_recovery_input_length=min(cap, 1_000_000)):
        yield


def _over_size(exc: BaseException) -> bool:
    """Whether a LimitReachedError is one of the size bounds of :func:`_limits` (a stream's output, its decoding work),
    not another of the PDF library's bounds (a chain of 50 filters, rows, colours) that no --max-size raises."""
    text = str(exc).lower()
    return ("limit reached while decompressing" in text and "recovery" not in text) or "decoding work" in text \
        or "memory limit reached while reading jbig2" in text


def _failure(exc: BaseException, data: bytes, path: str | None, what: str = "damaged PDF") -> UnreadableInput:
    """The one-line reason for an exception out of pypdf."""
    name = type(exc).__name__
    if isinstance(exc, ImportError):  # a library there but not loaded (a memory limit: a shared library not mapped):
        raise exc  # not the PDF's fault, said as what it is (a batch: not enough memory), never as a damaged PDF
    if name in ("FileNotDecryptedError", "WrongPasswordError") or (
            name != "LimitReachedError" and re.search(rb"/Encrypt\b", data[-65536:] + data[:65536])):
        return UnreadableInput(ENCRYPTED, path)
    if name == "DependencyError":  # (a decoder the PDF library lacks, JBIG2 say: no encryption)
        return UnreadableInput(f"{what} (it needs a decoder this installation lacks: {one_line(exc, 120)})", path)
    if name == "LimitReachedError":  # (the PDF library's bounds: a stream's output, and counts, depths, loops)
        said = one_line(exc, 120).rstrip(".")
        if _over_size(exc) or not said:
            return UnreadableInput(f"{what} (a stream decompresses to more than the size limit)", path)
        what = "PDF refused" if what == "damaged PDF" else what
        return UnreadableInput(f"{what} (beyond the bounds a PDF is read within: {said[:1].lower()}{said[1:]})", path)
    if isinstance(exc, RecursionError):
        return UnreadableInput(f"{what} (objects nested too deeply)", path)
    if isinstance(exc, MemoryError):
        return UnreadableInput(f"{what} (too large to read)", path)
    if isinstance(exc, EOFError):
        return UnreadableInput(f"{what} (the file ends where more is needed)", path)
    if type(exc) in (TypeError, AttributeError, KeyError, IndexError):  # (inside the PDF library, where an object is
        # not of the kind it expects: its text speaks of its own classes, "'>=' not supported between
        # 'EncodedStreamObject' and 'int'")
        return UnreadableInput(f"{what} (an object of the wrong kind where the PDF format expects another, such as "
                               "a /Length that is no number)", path)
    text = one_line(exc, 120)
    return UnreadableInput(f"{what} ({name}{': ' + text if text else ''})", path)


def _entry_names(entry) -> list[str]:
    """The names of an embedded file: its key in the name tree, then /UF or /F when different."""
    names = []
    for get in (lambda: entry.name, lambda: entry.alternative_name):
        try:
            value = get()
        except Exception as exc:  # noqa: BLE001 - a malformed file specification: the other name may do
            raise_interruption(exc)
            value = None
        if isinstance(value, str) and value not in names:
            names.append(str(value))
    return names


def _af_specs(reader) -> list[list[str]]:
    """The file names (/UF, then /F) of each file specification the catalog's /AF array lists (the first 100), in
    order; [] where there is none or it cannot be read (a damaged /AF says nothing here: read where it is used)."""
    from pypdf.generic import ArrayObject, DictionaryObject

    try:
        af = reader.trailer["/Root"].get("/AF")
        af = af.get_object() if af is not None else None
        if not isinstance(af, ArrayObject):
            return []
        specs = []
        for item in list(af)[:100]:
            spec = item.get_object()
            if isinstance(spec, DictionaryObject):
                specs.append([str(v) for v in (spec.get("/UF"), spec.get("/F")) if isinstance(v, str)])
        return specs
    except Exception as exc:  # noqa: BLE001 - only said in a reason
        raise_interruption(exc)
        return []


def _af_names(reader) -> list[str]:
    """The file names (/UF, /F) of the file specifications the catalog's /AF array lists (the first 100)."""
    return list(dict.fromkeys(n for names in _af_specs(reader) for n in names))


def _af_invoices(reader, name: str, others: list[str]) -> list[str]:
    """Invoice XMLs the catalog's associated files (/AF) list beyond the one read (``name``) and the ``others`` of the
    embedded files: a second file specification of that name (an invoice an earlier tool left there), or one the
    embedded files do not hold. A receiver that reads the associated files may read that invoice instead."""
    lowered = {x.lower() for x in INVOICE_NAMES}
    seen: dict[str, int] = {}
    for names in _af_specs(reader):
        if names and names[0].lower() in lowered:  # (a specification by its first name: /UF, else /F)
            seen[names[0]] = seen.get(names[0], 0) + 1
    held = {name.lower(), *(o.lower() for o in others)}
    return [f"{n} (listed {k} times among the associated files, /AF)" if n.lower() in held
            else f"{n} (listed among the associated files, /AF, not embedded)"
            for n, k in seen.items() if k > 1 or n.lower() not in held]


_TREE_NODES, _TREE_DEPTH = 10_000, 64  # (a name tree of a few attachments has a handful of nodes)
MAX_TREE_FAULTS = 3


class _Entry:
    """One embedded file of the name tree: its key there (``name``), its file specification's /UF or /F
    (``alternative_name``) and that specification (``pdf_object``), as the PDF library's entries have them."""

    __slots__ = ("name", "pdf_object")

    def __init__(self, name: str, pdf_object: Any):
        self.name, self.pdf_object = name, pdf_object

    @property
    def alternative_name(self) -> str | None:
        for key in ("/UF", "/F"):
            value = self.pdf_object.get(key)
            value = value.get_object() if value is not None else None
            if isinstance(value, str):
                return value
        return None


def _resolved(value):
    from pypdf.generic import IndirectObject

    return value.get_object() if isinstance(value, IndirectObject) else value


def _node_key(value, obj):
    from pypdf.generic import IndirectObject

    return (value.idnum, value.generation) if isinstance(value, IndirectObject) else ("direct", id(obj))


def _tree_kids(node, above: tuple, seen: set, faults: list) -> list:
    """The kids of a name tree node to walk, as (kid, key): each node once, none leading back up; what is wrong said
    in ``faults``."""
    from pypdf.generic import ArrayObject, DictionaryObject, NullObject

    kids = _resolved(node.get("/Kids"))
    if kids is None or isinstance(kids, NullObject):
        return []
    if not isinstance(kids, ArrayObject):
        faults.append(f"a /Kids entry is {_kind(kids)}, not an array of nodes")
        return []
    if len(above) > _TREE_DEPTH:
        faults.append(f"it nests deeper than {_TREE_DEPTH} levels, and was not followed further")
        return []
    out = []
    for n, value in enumerate(kids, 1):
        kid = _resolved(value)
        if not isinstance(kid, DictionaryObject):
            faults.append(f"kid {n} of a /Kids array is {_kind(kid)}, not a dictionary")
            continue
        k = _node_key(value, kid)
        if k in above:
            faults.append("a kid leads back to " + ("the node listing it" if k == above[-1] else
                                                    "a node above it" if k != above[0] else "the root") + " (a loop)")
        elif k in seen:
            faults.append("a node is listed as the kid of two nodes (its entries are reached twice)")
        elif len(seen) >= _TREE_NODES:
            faults.append(f"it has more than {_TREE_NODES} nodes, and was not followed further")
            break
        else:
            seen.add(k)
            out.append((kid, k))
    return out


def _tree_leaf(names, entries: list) -> None:
    """The entries of a node's /Names array ([key 1, file specification 1, key 2, ...])."""
    from pypdf.generic import ArrayObject, DictionaryObject

    names = _resolved(names)
    if not isinstance(names, ArrayObject):
        return
    for i in range(1, len(names), 2):
        name, spec = _resolved(names[i - 1]), _resolved(names[i])
        if isinstance(name, str) and isinstance(spec, DictionaryObject):
            entries.append(_Entry(str(name), spec))


def _name_tree(reader, raising: bool = False) -> tuple[list[_Entry], list[str]]:
    """The embedded files of the PDF's /EmbeddedFiles name tree at every depth (in the tree's order: a node's kids
    before its own names, as a one-level reading has them), and what is wrong with the tree's shape, in words: a
    /Kids that is no array, a kid that is no dictionary, a kid that leads back to the node itself or to an ancestor
    (a loop), a node that two parents list. Walked once, each node at most once, up to 10,000 nodes and 64 levels
    (said when reached); a tree too damaged to walk gives what was read before the damage (with ``raising``, the
    PDF library's exception, for the caller to say as a damaged PDF). An explicit stack, no recursion (nor a
    closure calling itself, which would leave a reference cycle per document)."""
    from pypdf.generic import DictionaryObject

    entries: list[_Entry] = []
    faults: list[str] = []
    seen: set = set()
    try:
        names = _resolved(reader.trailer["/Root"].get("/Names"))
        top = names.get("/EmbeddedFiles") if isinstance(names, DictionaryObject) else None
        node = _resolved(top)
        if isinstance(node, DictionaryObject):
            seen.add(_node_key(top, node))
            stack = [[node, (_node_key(top, node),), None]]  # (node, its key and its ancestors', its kids to walk)
            while stack:
                frame = stack[-1]
                if frame[2] is None:
                    frame[2] = iter(_tree_kids(frame[0], frame[1], seen, faults))
                nxt = next(frame[2], None)
                if nxt is not None:
                    stack.append([nxt[0], frame[1] + (nxt[1],), None])
                    continue
                stack.pop()
                if "/Names" in frame[0]:
                    _tree_leaf(frame[0]["/Names"], entries)
    except Exception as exc:  # noqa: BLE001 - a tree too damaged to walk: what was read, and its faults so far
        raise_interruption(exc)
        if raising:
            raise
    return entries, list(dict.fromkeys(faults))[:MAX_TREE_FAULTS]


def _kind(value) -> str:
    """A PDF object's kind in words (a name tree's wrong entry)."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NullObject, NumberObject, StreamObject

    for cls, word in ((StreamObject, "a stream"), (DictionaryObject, "a dictionary"), (ArrayObject, "an array"),
                      (NameObject, "a name"), (NullObject, "null"), (NumberObject, "a number")):
        if isinstance(value, cls):
            return word
    return "a number" if isinstance(value, (int, float)) else "a string" if isinstance(value, str) else "another object"


def _content(entry, name: str, max_bytes: int, data: bytes, path: str | None) -> bytes:
    """The bytes of one embedded file, decompressed no further than ``max_bytes`` + 1 bytes."""
    from pypdf.generic import DictionaryObject, StreamObject

    spec = entry.pdf_object
    ef = spec.get("/EF") if isinstance(spec, DictionaryObject) else None
    ef = ef.get_object() if ef is not None else None
    if not isinstance(ef, DictionaryObject):
        raise UnreadableInput(f"damaged attachment {name}: its file specification has no embedded file (/EF)", path)
    stream = None
    for key in ("/UF", "/F"):
        if key in ef:
            stream = ef[key].get_object()
            break
    if stream is None:
        raise UnreadableInput(f"damaged attachment {name}: no /UF or /F entry under /EF", path)
    if not isinstance(stream, StreamObject):
        raise UnreadableInput(f"damaged attachment {name}: the embedded file is not a stream", path)
    too_large = f"attachment too large: {name} is over the limit of {max_bytes} bytes"
    try:
        content = stream.get_data()
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on damaged streams
        raise_interruption(exc)
        if type(exc).__name__ == "LimitReachedError" and _over_size(exc):  # (its output cut at the size limit)
            raise UnreadableInput(too_large, path) from None
        raise _failure(exc, data, path, f"damaged attachment {name}") from None  # (another bound: a chain of 50 filters)
    if isinstance(content, str):
        content = content.encode("utf-8", "surrogateescape")
    if len(content) > max_bytes:
        raise UnreadableInput(too_large, path)
    if not content and stream.get("/Filter") is not None and getattr(stream, "_data", b""):  # (pypdf gives up quietly)
        raise UnreadableInput(f"damaged attachment {name}: its compressed data does not decompress", path)
    return bytes(content)


def _xmp(reader, max_bytes: int) -> bytes | None:
    """The PDF's XMP metadata (None when it has none or it cannot be read)."""
    try:
        with _limits(min(max_bytes, 5_000_000)):
            meta = reader.trailer["/Root"].get("/Metadata")
            if meta is None:
                return None
            data = meta.get_object().get_data()
            return data.encode("utf-8", "surrogateescape") if isinstance(data, str) else bytes(data)
    except Exception as exc:  # noqa: BLE001 - unreadable XMP is reported as missing (EINV-PDF-001)
        raise_interruption(exc)
        return None


def _claims_an_invoice(reader: Any, max_bytes: int) -> bool:
    """Whether the PDF's XMP metadata has Factur-X / ZUGFeRD fields (a document type, a file name, a conformance level),
    or cannot be read to tell."""
    xmp = _xmp(reader, max_bytes)
    if xmp is None:
        return False
    facts = xmp_facts(xmp)
    return bool(facts.problem or facts.values or facts.foreign)


def _open(data: bytes, path: str | None, max_bytes: int | None = None):
    """``(reader, attachment name, xml, other invoice names, the name tree's faults)`` of a PDF with one invoice attachment, or with
    several under distinct known names of which the XMP's fx:DocumentFileName names one (a ZUGFeRD 1.0
    twin beside factur-x.xml, say); UnreadableInput otherwise.

    Every error of the PDF library becomes an UnreadableInput with a one-line reason (encrypted,
    damaged, attachment too large, no invoice); the attachment is decompressed no further than
    ``max_bytes``.
    """
    max_bytes = size_limit(max_bytes)
    PdfReader = _pdf_reader(path)
    if not is_pdf(data):
        raise UnreadableInput("empty file" if not data.strip() else "not a PDF (no %PDF header)", path)
    lowered = {x.lower() for x in INVOICE_NAMES}
    with _limits(max_bytes):
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise UnreadableInput(ENCRYPTED, path)
            found, faults = _name_tree(reader, True)  # (at every depth: the PDF library reads one level of /Kids,
            # and a valid tree of two levels held no invoice for it; walked once, its faults said by the caller too)
            entries = [(entry, _entry_names(entry)) for entry in found]
        except UnreadableInput:
            raise
        except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on damaged files
            raise_interruption(exc)
            raise _failure(exc, data, path) from None
        names = [n for _entry, ns in entries for n in ns[:1]]
        known = [(entry, next(n for n in ns if n.lower() in lowered)) for entry, ns in entries
                 if any(n.lower() in lowered for n in ns)]
        if not known:
            other = f" (it embeds {', '.join(one_line(n, 60) for n in names[:5])})" if names else ""
            listed = [n for n in _af_names(reader) if n.lower() in lowered]
            if not names and not listed and not faults and not _claims_an_invoice(reader, max_bytes):
                raise UnreadableInput(f"no invoice: {NO_EMBEDDED_FILE}", path)
            af = (f"; its /AF array lists {', '.join(listed)}, which that tree does not hold, and receivers do not "
                  "look for the invoice there") if listed else ""
            tree = f"; that tree is malformed: {'; '.join(faults)}" if faults else ""
            raise UnreadableInput("no invoice: the PDF's embedded files (its /EmbeddedFiles name tree) hold no invoice "
                                  f"XML under a known name ({', '.join(INVOICE_NAMES)}){other}{af}{tree}", path)
        distinct = sorted({n for _e, n in known})
        others: list[str] = []
        if len(distinct) > 1:
            xmp = _xmp(reader, max_bytes)
            facts = xmp_facts(xmp) if xmp else None
            xmp_name = (facts.values.get("DocumentFileName", "") if facts else "").strip()
            if xmp_name not in distinct:
                # (why the XMP names none: it is missing, it cannot be read as XML, or it names another file or none)
                why = ("it has no XMP metadata to name one" if facts is None
                       else f"its XMP metadata cannot be read to name one ({one_line(facts.problem, 160)})" if facts.problem
                       else f"its XMP names {one_line(xmp_name, 60)!r}, none of them" if xmp_name
                       else "its XMP names none of them (its fx:DocumentFileName is empty)" if "DocumentFileName" in facts.values
                       else "its XMP names none of them (no fx:DocumentFileName)")
                raise UnreadableInput(f"the PDF carries {len(known)} invoice XMLs ({', '.join(distinct)}) and {why}; "
                                      "exactly one is allowed", path)
            others = [n for n in distinct if n != xmp_name]
            known = [(entry, n) for entry, n in known if n == xmp_name]
            distinct = [xmp_name]
        name = distinct[0]
        # an invoice under another name (rechnung.xml, say): a reader that takes the first XML it finds reads that one
        others += [ns[0] for entry, ns in entries if ns and not any(n.lower() in lowered for n in ns)
                   and _holds_invoice(entry, ns[0], max_bytes, data, path)]
        if len({id(entry.pdf_object) for entry, _n in known}) < len(known):  # (pypdf gives one object per reference)
            raise UnreadableInput(f"damaged PDF: its list of attachments names the same file specification of {name} "
                                  "more than once (the name tree loops or repeats an entry)", path)
        if len(known) != 1:
            raise UnreadableInput(f"the PDF carries {len(known)} attachments named {name}; exactly one is allowed",
                                  path)
        try:
            xml = _content(known[0][0], name, max_bytes, data, path)
        except UnreadableInput:
            raise
        except Exception as exc:  # noqa: BLE001
            raise_interruption(exc)
            raise _failure(exc, data, path, f"damaged attachment {name}") from None
    return reader, name, xml, others, faults


def invoice_xml(data: bytes, path: str | None = None, max_bytes: int | None = None) -> tuple[bytes, list[Finding]]:
    """The invoice XML of bytes that are XML or a PDF (by content), with the PDF's container findings."""
    if not is_pdf(data):
        return data, []
    return read_pdf(data, path, max_bytes)


def parse_invoice(data: bytes, path: str | None = None, max_bytes: int | None = None):
    """The parsed invoice XML (an lxml tree) of bytes that are XML or a PDF (by content), with the PDF's container
    findings; UnreadableInput naming a PDF's attachment when the XML in it cannot be read."""
    from . import xmlsafe

    if not is_pdf(data):
        if (reason := xmlsafe.not_xml_nor_pdf(data, path)) is not None:
            raise UnreadableInput(reason, path)
        return xmlsafe.parse(data, path), []
    name, xml, findings = _read_pdf(data, path, max_bytes)
    try:
        return xmlsafe.parse(xml, path), findings
    except UnreadableInput as exc:
        raise UnreadableInput(f"attachment {name}: {exc.reason}", path) from None


def extract_xml(data: bytes, path: str | None = None, max_bytes: int | None = None,
                raw: bool = False) -> tuple[str, bytes]:
    """``(attachment name, xml)`` of the invoice in a Factur-X / ZUGFeRD / XRechnung PDF, without the container
    checks; the XML is well-formed (UnreadableInput naming the attachment otherwise), or with ``raw`` the bytes
    as they are embedded (to repair a damaged one)."""
    from . import xmlsafe

    _reader, name, xml, _others, _faults = _open(data, path, max_bytes)
    if raw:
        return name, xml
    if not xml.strip():
        raise UnreadableInput(f"damaged attachment {name}: it is empty", path)
    try:
        xmlsafe.parse(xml, path)
    except UnreadableInput as exc:
        raise UnreadableInput(f"damaged attachment {name}: {exc.reason}", path) from None
    return name, xml


def read_pdf(data: bytes, path: str | None = None, max_bytes: int | None = None) -> tuple[bytes, list[Finding]]:
    """The invoice XML inside a PDF, and the findings about its container."""
    _name, xml, findings = _read_pdf(data, path, max_bytes)
    return xml, findings


def _read_pdf(data: bytes, path: str | None, max_bytes: int | None) -> tuple[str, bytes, list[Finding]]:
    """(attachment name, invoice XML, container findings) of a PDF."""
    max_bytes = size_limit(max_bytes)
    reader, name, xml, others, faults = _open(data, path, max_bytes)
    findings: list[Finding] = []
    syntax = _syntax_of(xml)
    if syntax == "UBL":
        findings.append(_finding("EINV-PDF-010", path, name=name))
    others = [*others, *_af_invoices(reader, name, others)]
    if others:
        findings.append(_finding("EINV-PDF-007", path, name=name, others=", ".join(others)))
    if faults:
        findings.append(_finding("EINV-PDF-013", path, faults="; ".join(faults)))

    xmp_raw = _xmp(reader, max_bytes)
    guideline = _guideline(xml)
    parties, german = party_rules(xml, path, syntax, guideline)
    findings += parties
    if not xmp_raw or not xmp_raw.strip():
        findings.append(_finding("EINV-PDF-001", path, german))
    else:
        xmp = xmp_facts(xmp_raw)
        unread = f" The XMP metadata cannot be read: {xmp.problem}." if xmp.problem else ""
        level = xmp.values.get("ConformanceLevel")
        if not level:
            elsewhere = xmp.foreign.get("ConformanceLevel")
            note = unread or (f" (It has a ConformanceLevel in the namespace {elsewhere!r}, which is not the Factur-X "
                              f"one, {FX_NAMESPACES[0]!r}.)" if elsewhere else "")
            findings.append(_finding("EINV-PDF-002", path, german, note=note))
        elif level.strip().upper() not in LEVEL_GUIDELINES:
            findings.append(_finding("EINV-PDF-008", path, level=repr(level.strip())))
        elif guideline is not None:
            allowed = LEVEL_GUIDELINES[level.strip().upper()]
            if not any(guideline.startswith(a) for a in allowed):
                findings.append(_finding("EINV-PDF-003", path, level=level, guideline=guideline))
            if level.strip().upper() in ("EN 16931", "COMFORT") and guideline.startswith(
                    "urn:cen.eu:en16931:2017#con"):
                findings.append(_finding("EINV-PDF-003", path, level=level, guideline=guideline))
        if level and level.strip().upper() == "XRECHNUNG" and syntax == "CII":
            reason = off_facturx_schema(xml)
            if reason:
                findings.append(_finding("EINV-PDF-014", path, german, reason=reason))
        if level:
            for field, allowed in XMP_FIELDS.items():
                value = xmp.values.get(field)
                if value is None:
                    findings.append(_finding("EINV-PDF-011", path, german, field=field, example=allowed[0]))
                elif value.strip() not in allowed:
                    findings.append(_finding("EINV-PDF-012", path, field=field, value=repr(value.strip()),
                                             allowed=", ".join(allowed), example=allowed[0]))
        if xmp.values.get("part") is None:
            findings.append(_finding("EINV-PDF-004", path, german, note=unread))
        xmp_name = xmp.values.get("DocumentFileName")
        if xmp_name and xmp_name.strip() != name and xmp_name.strip() in XMP_FIELDS["DocumentFileName"]:
            findings.append(_finding("EINV-PDF-006", path, xmp_name=xmp_name.strip(), name=name))
    rel = _relationship(reader, name)
    if rel is not None and rel not in RELATIONSHIPS:
        findings.append(_finding("EINV-PDF-005", path, name=name, rel=rel.lstrip("/")))
    from .pdfa import check as pdfa_check  # the PDF/A-3 essentials (EINV-PDF-101 ...)
    try:
        findings += pdfa_check(data, path, already=findings)
    except UnreadableInput:
        raise
    except Exception as exc:  # noqa: BLE001 - one guarded PDF path: a PDF library error is a damaged PDF
        raise_interruption(exc)
        raise _failure(exc, data, path) from None
    return name, xml, findings


INVOICE_ROOTS = ("{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice",
                 "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote",
                 "{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}CrossIndustryInvoice",
                 "{urn:ferd:CrossIndustryDocument:invoice:1p0}CrossIndustryDocument")


def off_facturx_schema(xml: bytes, level: str = "en16931") -> str | None:
    """Why a CII invoice does not follow the Factur-X schema of ``level`` (its first error, and how many there are),
    or None when it does or cannot be read (its own findings say why). Read by the hardened reader, whose bounds are
    the commands' (the factur-x package's own check parses with libxml2's default ones: a text over 10 MB refused)."""
    from . import xmlsafe, xsd

    try:
        root = xmlsafe.parse(xml).getroot()
    except UnreadableInput:
        return None
    errors = xsd.validate_tree(root, "cii", profile=f"facturx-{level}", shared=False)
    if not errors:
        return None
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return errors[0].message.rstrip(".") + more + "."


def is_invoice_xml(data: bytes) -> bool:
    """Whether bytes are an invoice (UBL Invoice or CreditNote, CII, ZUGFeRD 1.0), by their root element alone."""
    from . import xmlsafe

    return xmlsafe.root_tag(data) in INVOICE_ROOTS


def _holds_invoice(entry, name: str, max_bytes: int, data: bytes, path: str | None) -> bool:
    """Whether an embedded file of a name no reader looks for (but an .xml one) is an invoice all the same."""
    if not name.lower().rstrip().endswith(".xml"):
        return False
    try:
        return is_invoice_xml(_content(entry, name, max_bytes, data, path))
    except Exception as exc:  # noqa: BLE001 - an attachment that cannot be read holds no invoice a reader would take
        raise_interruption(exc)
        return False


def _syntax_of(xml: bytes) -> str | None:
    """'UBL', 'CII' or None from the root element of XML bytes (read no further than the root)."""
    from . import xmlsafe

    tag = xmlsafe.root_tag(xml)
    if not tag:
        return None
    if tag.startswith("{urn:oasis:names:specification:ubl:schema:xsd:"):
        return "UBL"
    if tag.endswith("}CrossIndustryInvoice"):
        return "CII"
    return None


def _guideline(xml: bytes) -> str | None:
    m = re.search(rb"GuidelineSpecifiedDocumentContextParameter>\s*<(?:\w+:)?ID>\s*([^<]+?)\s*<", xml)
    if m is None:
        m = re.search(rb"<(?:\w+:)?CustomizationID>\s*([^<]+?)\s*<", xml)
    return m.group(1).decode("utf-8", "replace") if m else None


def party_rules(xml: bytes, path: str | None = None, syntax: str | None = None,
                guideline: str | None = None, countries: tuple | None = None) -> tuple[list[Finding], bool]:
    """The hybrid rules on the profile the parties' countries allow (BR-HYBRID-DE-01, -02, BR-HYBRID-FR-01), and
    whether seller and buyer are both in Germany (BR-FX-DE-03), for the invoice XML of a hybrid document
    (``countries``: the seller's and buyer's, for where the XML does not state them; a build knows its input's)."""
    if syntax is None:
        syntax = _syntax_of(xml)
    if syntax != "CII":
        return [], False
    if guideline is None:
        guideline = _guideline(xml)
    seller, buyer, type_code = _facts(xml)
    if countries:
        seller, buyer = seller or countries[0], buyer or countries[1]
    german = seller == buyer == "DE"
    out = []
    if guideline:
        # (type code 751, invoice information for accounting purposes, is what Germany uses these profiles
        # for: a booking aid, no invoice; FeRD's examples of both profiles include one)
        if german and type_code != "751" and guideline.startswith(LEVEL_GUIDELINES["MINIMUM"]):
            out.append(_finding("BR-HYBRID-DE-01", path))
        if german and type_code != "751" and guideline.startswith(LEVEL_GUIDELINES["BASIC WL"]):
            out.append(_finding("BR-HYBRID-DE-02", path))
        if seller == buyer == "FR" and guideline.startswith(LEVEL_GUIDELINES["XRECHNUNG"]):
            out.append(_finding("BR-HYBRID-FR-01", path))
    return out, german


def _facts(xml: bytes) -> tuple[str | None, str | None, str | None]:
    """The seller's and the buyer's country codes (BT-40, BT-55) and the type code (BT-3) of a CII invoice, as
    written (None: not stated, or the XML cannot be read: its own findings say why)."""
    from . import xmlsafe
    from .rules.values import string_value
    from .syntax.namespaces import RAM, RSM

    try:
        root = xmlsafe.parse(xml).getroot()
    except UnreadableInput:
        return None, None, None
    agreement = f"{{{RSM}}}SupplyChainTradeTransaction/{{{RAM}}}ApplicableHeaderTradeAgreement"
    found = [root.find(f"{agreement}/{{{RAM}}}{party}/{{{RAM}}}PostalTradeAddress/{{{RAM}}}CountryID")
             for party in ("SellerTradeParty", "BuyerTradeParty")]
    found.append(root.find(f"{{{RSM}}}ExchangedDocument/{{{RAM}}}TypeCode"))
    seller, buyer, code = (string_value(el).strip() if el is not None else None for el in found)
    return seller, buyer, code


def _relationship(reader, name: str) -> str | None:
    try:
        names = reader.trailer["/Root"]["/Names"]["/EmbeddedFiles"]["/Names"]
        for i in range(0, len(names) - 1, 2):
            if str(names[i]) == name:
                spec = names[i + 1].get_object()
                rel = spec.get("/AFRelationship")
                return str(rel) if rel is not None else None
    except Exception as exc:  # noqa: BLE001
        raise_interruption(exc)
        return None
    return None
