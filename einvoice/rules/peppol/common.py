"""Peppol BIS Billing 3.0: identifier checks (PEPPOL-COMMON-R040 ... R050) and shared helpers.

The Peppol rules are stated on the document tree, and many of them only make
sense where a given element exists (the official unit tests are fragments), so
most checks here read the tree through a per-document index built in one pass
(element tag -> elements in document order). A model built in code (no tree)
is checked against the model instead, for the rules where the model carries
the same facts.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal, localcontext
from typing import Any, Callable, Iterable, Iterator

from lxml import etree

from ...model.invoice import Invoice, Party, Syntax
from ...syntax import namespaces as ns
from .. import identifiers as ids
from .. import values as V
from ..tree import tag_index
from . import RULES

# --- qualified names ---------------------------------------------------------


def _q(namespace: str, local: str) -> str:
    return f"{{{namespace}}}{local}"


@functools.cache
def cbc(local: str) -> str:
    return _q(ns.CBC, local)


@functools.cache
def cac(local: str) -> str:
    return _q(ns.CAC, local)


@functools.cache
def ram(local: str) -> str:
    return _q(ns.RAM, local)


@functools.cache
def rsm(local: str) -> str:
    return _q(ns.RSM, local)


@functools.cache
def udt(local: str) -> str:
    return _q(ns.UDT, local)


UBL_INVOICE = _q(ns.UBL_INVOICE, "Invoice")
UBL_CREDIT_NOTE = _q(ns.UBL_CREDIT_NOTE, "CreditNote")
CII_ROOT = rsm("CrossIndustryInvoice")

normalize = V.normalize_space

# --- per-document element lists ------------------------------------------------
# Each list is found once per document by lxml's own tag filter (one C-level walk,
# only matching elements reach Python) and cached on the document.


def _cache(doc) -> dict:
    return doc.__dict__.setdefault("_cache", {})


def elements(doc, *tags: str) -> list:
    """Elements with any of the tags (Clark notation), in document order."""
    per = _cache(doc).setdefault("peppol.tags", {})
    found = per.get(tags)
    if found is None:
        if doc.root is None:
            found = []
        elif len(tags) == 1:  # the document's shared element index (one walk for every layer)
            found = tag_index(doc).get(tags[0]) or []
        else:
            found = list(doc.root.iter(*tags))
        per[tags] = found
    return found


# no element children and a blank string value (normalize-space strips exactly " \t\n\r")
_EMPTY = etree.XPath("//*[not(*)][not(normalize-space())]")


def empty_elements(doc) -> list:
    """Elements with neither element children nor any non-blank text (in document order)."""
    cache = _cache(doc)
    found = cache.get("peppol.empty")
    if found is None:
        found = _EMPTY(doc.root) if doc.root is not None else []  # one XPath in C: faster than a Python loop
        cache["peppol.empty"] = found
    return found



def children(el, tag: str) -> list:
    """Element children of ``el`` with the tag."""
    return list(el.iterchildren(tag))


def child(el, tag: str):
    """The first element child of ``el`` with the tag, or None."""
    for c in el.iterchildren(tag):
        return c
    return None


def path(el, *tags: str) -> list:
    """Elements reached from ``el`` through child steps ``tags`` (like the XPath ``a/b/c``)."""
    current = [el]
    for t in tags:
        current = [c for e in current for c in e.iterchildren(t)]
        if not current:
            break
    return current


def has_path(el, *tags: str) -> bool:
    return bool(path(el, *tags))


# --- values: einvoice.rules.values (one reading of text, numbers and dates for every rule set) ---

string_value = V.string_value  # XPath string value (comments skipped, text after them kept)
text_node = V.text_node  # the first text node child (``text()``)
nvalue = V.nvalue  # normalize-space of the string value ('' for no element)
xs_decimal = V.xs_decimal  # ``xs:decimal(.)``; NotANumber when the cast fails
NotANumber = V.CastError
xpath_round = V.round_decimal  # halves towards positive infinity


def xs_number(value: Any) -> float | None:
    """An untyped value compared with a number (xs:double); None when it is no number or NaN."""
    f = V.double_or_none(value)
    return None if f is None or f != f else f


def slack(expected: Decimal, value: Decimal, tolerance: Decimal = Decimal("0.02")) -> bool:
    """``expected`` and ``value`` differ by no more than the tolerance."""
    return expected + tolerance >= value and expected - tolerance <= value


def decimal_context():
    """A decimal context wide enough for exact sums and products of stated amounts."""
    return localcontext(prec=60)


# --- document-wide facts the Peppol rules derive ------------------------------

# as the official rule states it: unanchored, and its dots match any character
_PROFILE = re.compile(r"urn:fdc:peppol.eu:2017:poacc:billing:([0-9]{2}):1.0")


def _profile_of(value: str | None) -> str:
    """The process number ('01', ...) of a Peppol business process identifier, or 'Unknown'."""
    v = normalize(value)
    if value is not None and _PROFILE.search(v):
        parts = v.split(":")
        return parts[6] if len(parts) > 6 else ""
    return "Unknown"


def business_process(doc) -> str:
    """The Peppol process number stated in BT-23 ('01', ...), or 'Unknown'."""
    cache = doc.__dict__.setdefault("_cache", {})
    if "peppol.profile" in cache:
        return cache["peppol.profile"]
    root = doc.root
    if root is None:
        pid = doc.invoice.profile_id
        result = _profile_of(pid) if pid is not None else "Unknown"
    elif doc.syntax == Syntax.UBL:
        el = child(root, cbc("ProfileID"))
        result = _profile_of(string_value(el)) if el is not None else "Unknown"
    else:
        result = "Unknown"
        if root.tag == CII_ROOT:
            params = path(root, rsm("ExchangedDocumentContext"), ram("BusinessProcessSpecifiedDocumentContextParameter"))
            if params:
                idel = child(params[0], ram("ID"))
                result = _profile_of(string_value(idel) if idel is not None else "")
    cache["peppol.profile"] = result
    return result


def _country_is(doc, party_attr: str, ubl_party: str, cii_party: str, code: str) -> bool:
    root = doc.root
    if root is None:
        party: Party | None = getattr(doc.invoice, party_attr)
        cc = party.address.country_code if party and party.address else None
        return normalize(cc).upper() == code
    if doc.syntax == Syntax.UBL:
        els = path(root, cac(ubl_party), cac("Party"), cac("PostalAddress"), cac("Country"), cbc("IdentificationCode"))
    else:
        els = path(root, rsm("SupplyChainTradeTransaction"), ram("ApplicableHeaderTradeAgreement"),
                   ram(cii_party), ram("PostalTradeAddress"), ram("CountryID"))
    return bool(els) and nvalue(els[0]).upper() == code


def both_german(doc) -> bool:
    """Seller and buyer both have a German postal address (relaxes some Peppol rules)."""
    cache = doc.__dict__.setdefault("_cache", {})
    if "peppol.de" not in cache:
        cache["peppol.de"] = (
            _country_is(doc, "seller", "AccountingSupplierParty", "SellerTradeParty", "DE")
            and _country_is(doc, "buyer", "AccountingCustomerParty", "BuyerTradeParty", "DE")
        )
    return cache["peppol.de"]


def parties(invoice: Invoice) -> Iterator[Party]:
    for p in (invoice.seller, invoice.buyer, invoice.payee, invoice.tax_representative):
        if p is not None:
            yield p


# --- PEPPOL-COMMON: identifiers with a known scheme -------------------------

# (rule id, scheme, electronic addresses only, test of (document, value as written), syntax the rule exists in).


def _trimmed(check) -> Callable[[Any, str], bool]:
    """A test of the normalised value (most rules trim the identifier first)."""
    return lambda doc, raw: bool(check(normalize(raw)))


def _abn(doc, raw: str) -> bool:
    # the UBL rule asks for eleven digits first; the CII rule only sums
    value = normalize(raw)
    if doc.syntax == Syntax.UBL:
        return ids.au_abn(value)
    return ids.au_abn_checksum(value)


_ICD_RULES: list[tuple[str, str, bool, Callable[[Any, str], bool], Syntax | None]] = [
    ("PEPPOL-COMMON-R040", "0088", False, _trimmed(ids.gln), None),
    ("PEPPOL-COMMON-R041", "0192", False, _trimmed(ids.no_orgnr), None),
    ("PEPPOL-COMMON-R042", "0184", False, lambda doc, raw: ids.dk_cvr_format(raw), None),  # the value as written
    ("PEPPOL-COMMON-R043", "0208", False, _trimmed(ids.be_enterprise_number), None),
    ("PEPPOL-COMMON-R044", "0201", False, _trimmed(ids.it_ipa_code), None),
    ("PEPPOL-COMMON-R045", "0210", False, _trimmed(ids.it_codice_fiscale), None),
    ("PEPPOL-COMMON-R046", "9907", True, _trimmed(ids.it_codice_fiscale), None),
    ("PEPPOL-COMMON-R047", "0211", False, _trimmed(ids.it_partita_iva), None),
    ("PEPPOL-COMMON-R048", "9906", True, _trimmed(ids.it_partita_iva), Syntax.CII),
    ("PEPPOL-COMMON-R049", "0007", False, _trimmed(ids.se_orgnr), None),
    ("PEPPOL-COMMON-R050", "0151", False, _abn, None),  # syntax dependent
]


_UBL_ID_TAGS = (cbc("EndpointID"), cbc("ID"), cbc("CompanyID"))
_CII_ID_TAGS = (ram("URIID"), ram("ID"), ram("GlobalID"))
_PARTY_IDENTIFICATION = cac("PartyIdentification")


def _scheme_elements(doc) -> dict[str, list[tuple[Any, bool]]]:
    """Identifier elements with a schemeID the PEPPOL-COMMON rules look at: scheme -> [(element, is endpoint)]."""
    cache = doc.__dict__.setdefault("_cache", {})
    found = cache.get("peppol.schemes")
    if found is not None:
        return found
    found = {}
    if doc.syntax == Syntax.UBL:
        endpoint_tag, tags = cbc("EndpointID"), _UBL_ID_TAGS
    else:
        endpoint_tag, tags = ram("URIID"), _CII_ID_TAGS
    for tag in tags:
        for el in elements(doc, tag):
            scheme = el.get("schemeID")
            if scheme is None:
                continue
            if tag == cbc("ID"):
                parent = el.getparent()
                if parent is None or parent.tag != _PARTY_IDENTIFICATION:
                    continue
            found.setdefault(scheme, []).append((el, tag == endpoint_tag))
    cache["peppol.schemes"] = found
    return found


def _model_identifiers(invoice: Invoice) -> Iterator[tuple[Any, bool]]:
    for p in parties(invoice):
        if p.electronic_address is not None:
            yield p.electronic_address, True
        for i in p.identifiers:
            yield i, False
        if p.legal_registration_id is not None:
            yield p.legal_registration_id, False


def _make_icd_rule(rid: str, scheme: str, endpoint_only: bool, test):
    def check(doc) -> Iterable:
        if doc.root is None:
            for ident, is_endpoint in _model_identifiers(doc.invoice):
                if (ident.scheme_id or "") != scheme or (endpoint_only and not is_endpoint):
                    continue
                raw = ident.value or ""
                if not test(doc, raw):
                    yield ident, "value", {"value": raw}
            return
        for el, is_endpoint in _scheme_elements(doc).get(scheme, ()):
            if endpoint_only and not is_endpoint:
                continue
            raw = string_value(el)
            if not test(doc, raw):
                yield el, {"value": normalize(raw)}

    check.__name__ = "check_" + rid.replace("-", "_").lower()
    return check


for _rid, _scheme, _endpoint_only, _test, _syntax in _ICD_RULES:
    RULES.add(_rid, _make_icd_rule(_rid, _scheme, _endpoint_only, _test), _syntax)
