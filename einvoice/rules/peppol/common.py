"""Peppol BIS Billing 3.0: identifier checks (PEPPOL-COMMON-R040 ... R050) and shared helpers.

The Peppol rules are stated on the document tree, and many of them only make
sense where a given element exists (the official unit tests are fragments), so
most checks here read the tree through a per-document index built in one pass
(element tag -> elements in document order). The official rule set runs on the
document tree only: a model built in code is validated by writing it first.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal, localcontext
from typing import Any, Callable, Iterable

from ...basics import Syntax, children as _kids, first_child as child  # (child: the first child with a tag, or None)
from ...syntax import namespaces as ns
from .. import identifiers as ids
from .. import releases
from .. import values as V
from ..tree import elements_named, tag_index
from . import RULES

# --- qualified names ---------------------------------------------------------


def _qualifier(namespace: str) -> Callable[[str], str]:
    """local name -> the Clark name (``{namespace}local``), memoised."""
    return functools.cache(lambda local: f"{{{namespace}}}{local}")


cbc, cac, ram, rsm, udt = (_qualifier(n) for n in (ns.CBC, ns.CAC, ns.RAM, ns.RSM, ns.UDT))
UBL_INVOICE = _qualifier(ns.UBL_INVOICE)("Invoice")
UBL_CREDIT_NOTE = _qualifier(ns.UBL_CREDIT_NOTE)("CreditNote")
CII_ROOT = rsm("CrossIndustryInvoice")

normalize = V.normalize_space

# --- per-document element lists ------------------------------------------------
# Each list is found once per document by lxml's own tag filter (one C-level walk,
# only matching elements reach Python) and cached on the document.


def _cache(doc) -> dict:
    return doc.__dict__.setdefault("_cache", {})


def cached(doc, key: str, compute: Callable[[], Any]) -> Any:
    """A value several rules need, computed once per document."""
    cache = _cache(doc)
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def elements(doc, *tags: str) -> list:
    """Elements with any of the tags (Clark notation), in document order."""
    per = _cache(doc).setdefault("peppol.tags", {})
    found = per.get(tags)
    if found is None:  # from the document's shared element index (one walk for every layer)
        found = per[tags] = elements_named(doc, tags)
    return found


def empty_elements(doc) -> list:
    """Elements with neither element children nor any non-blank text (in document order)."""
    # //*[not(*)][not(normalize-space())]
    return cached(doc, "peppol.empty", lambda: V.empty_leaves(tag_index(doc).get(None) or []))

def children(el, tag: str) -> list:
    """Element children of ``el`` with the tag."""
    return list(_kids(el, tag))


def path(el, *tags: str) -> list:
    """Elements reached from ``el`` through child steps ``tags`` (like the XPath ``a/b/c``)."""
    current = [el]
    for t in tags:
        current = [c for e in current for c in _kids(e, t)]
        if not current:
            break
    return current


# --- values: einvoice.rules.values (one reading of text, numbers and dates for every rule set) ---

string_value = V.string_value  # XPath string value (comments skipped, text after them kept)
text_node = V.text_node  # the first text node child (``text()``)
nvalue = V.nvalue  # normalize-space of the string value ('' for no element)
xs_decimal = V.xs_decimal  # ``xs:decimal(.)``; NotANumber when the cast fails
NotANumber = V.CastError
xpath_round = V.round_decimal  # halves towards positive infinity


def slack(expected: Decimal, value: Decimal, tolerance: Decimal = Decimal("0.02")) -> bool:
    """``expected`` and ``value`` differ by no more than the tolerance."""
    return expected + tolerance >= value and expected - tolerance <= value


def decimal_context():
    """A decimal context wide enough for exact sums and products of stated amounts."""
    return localcontext(prec=60)


# --- document-wide facts the Peppol rules derive ------------------------------

def _profile_of(value: str | None, release, syntax) -> str:
    """The process number ('01', ...) of a Peppol business process identifier in a release, or 'Unknown'.

    Up to 3.0.20 the identifier is matched with the release's unanchored pattern (its
    dots match any character) and the number is its 7th ':'-separated part; from
    3.0.21 the release lists the identifiers and their process by exact value.
    """
    if value is None:
        return "Unknown"
    v = normalize(value)
    # Quirk kept (3.0.21): the CII file lists neither French identifier, so they are 'Unknown' in CII
    table = release.param("process_ids", syntax)
    if table:
        return table.get(v, "Unknown")
    if re.search(release.param("process_pattern"), v):
        parts = v.split(":")
        return parts[6] if len(parts) > 6 else ""
    return "Unknown"


def business_process(doc) -> str:
    """The Peppol process number stated in BT-23 ('01', ...), or 'Unknown', as the run's release reads it."""
    release = releases.peppol(doc)
    # the same document may be validated under several releases
    return cached(doc, "peppol.profile@" + release.version, lambda: _business_process(doc, release))


def _business_process(doc, release) -> str:
    root = doc.root
    if doc.syntax == Syntax.UBL:
        el = child(root, cbc("ProfileID"))
        return _profile_of(string_value(el), release, doc.syntax) if el is not None else "Unknown"
    # the identifiers of every process parameter, as the official path reads them (a first one without is skipped)
    ids = path(root, rsm("ExchangedDocumentContext"), ram("BusinessProcessSpecifiedDocumentContextParameter"), ram("ID"))
    return _profile_of(string_value(ids[0]) if ids else "", release, doc.syntax) if root.tag == CII_ROOT else "Unknown"


def both_german(doc) -> bool:
    """``$supplierCountryIsDE and $customerCountryIsDE``: seller and buyer both with a German postal address
    (relaxes R002 and P0112; the variables the German national rules are decided on)."""
    from ..national._checks import postal_is

    return postal_is(doc, "seller", "DE") and postal_is(doc, "buyer", "DE")


# --- PEPPOL-COMMON: identifiers with a known scheme -------------------------

# (rule id, scheme, electronic addresses only, test of (document, value as written), syntax the rule exists in).


def _trimmed(check) -> Callable[[Any, str], bool | str]:
    """A test of the normalised value (most rules trim the identifier first; a text: the official validator stops)."""
    return lambda doc, raw: check(normalize(raw))


def _abn(doc, raw: str) -> bool:
    # the UBL rule asks for eleven digits first; the CII rule only sums
    value = normalize(raw)
    return ids.au_abn(value) if doc.syntax == Syntax.UBL else ids.au_abn_checksum(value)


def _matches(pattern: str):
    """``matches(normalize-space(), '^...$')``: the whole normalised value; [0-9] is ASCII digits only."""
    rx = re.compile(pattern)
    return lambda doc, raw: rx.fullmatch(normalize(raw)) is not None


_NL_VAT = "NL[0-9]{9}B[0-9]{2}"


def _release_form(name: str, default: dict):
    """``matches(normalize-space(), '^...$')`` with the pattern the run's release gives for the document's syntax
    (``params: {name}: {pattern: ..., form: ...}``, optionally per syntax; ``default`` where a release gives none);
    the finding says the form wanted."""
    def form_of(doc) -> dict:
        return releases.peppol(doc).param(name, doc.syntax) or default

    def test(doc, raw: str):
        return re.fullmatch(form_of(doc)["pattern"], normalize(raw)) is not None  # (re keeps the compiled pattern)

    test.form = lambda doc: form_of(doc)["form"]
    return test

# The rules a release does not list (R052 ... R057 before 3.0.20 / 3.0.21) are registered all
# the same and left out of the run by the release's metadata (schemas/releases/).
_ICD_RULES: list[tuple[str, str, bool, Callable[[Any, str], bool], Syntax | None]] = [
    ("PEPPOL-COMMON-R040", "0088", False, _trimmed(ids.gln), None),
    ("PEPPOL-COMMON-R041", "0192", False, _trimmed(ids.no_orgnr), None),
    ("PEPPOL-COMMON-R042", "0184", False, lambda doc, raw: ids.dk_cvr_format(raw), None),  # the value as written
    ("PEPPOL-COMMON-R043", "0208", False, _trimmed(ids.be_enterprise_number), None),
    ("PEPPOL-COMMON-R044", "0201", False, _trimmed(ids.it_ipa_code), None),
    ("PEPPOL-COMMON-R045", "0210", False, _trimmed(ids.it_codice_fiscale), None),
    ("PEPPOL-COMMON-R046", "9907", True, _trimmed(ids.it_codice_fiscale), None),
    ("PEPPOL-COMMON-R047", "0211", False, _trimmed(ids.it_partita_iva), None),
    # CII only (the UBL files comment it out; so does the CII file of 3.0.21, which drops it)
    ("PEPPOL-COMMON-R048", "9906", True, _trimmed(ids.it_partita_iva), Syntax.CII),
    ("PEPPOL-COMMON-R049", "0007", False, _trimmed(ids.se_orgnr), None),
    ("PEPPOL-COMMON-R050", "0151", False, _abn, None),  # syntax dependent
    # 3.0.20: string length and digits of the value as written (not trimmed)
    ("PEPPOL-COMMON-R052", "0096", False, lambda doc, raw: ids.digits(raw, 10), None),
    ("PEPPOL-COMMON-R053", "0198", False, lambda doc, raw: raw[:2] == "DK" and ids.digits(raw[2:], 8), None),
    # 3.0.21: patterns over the normalised value
    ("PEPPOL-COMMON-R054", "0106", False, _matches("[0-9]{8}"), None),
    ("PEPPOL-COMMON-R055", "0190", False, _matches("[0-9]{20}"), None),
    ("PEPPOL-COMMON-R056-1", "9944", False, _matches(_NL_VAT), None),
    # Quirk kept: the 3.0.21 CII file tests 0217 with R055's pattern (twenty digits; UBL: twelve); see the release file
    ("PEPPOL-COMMON-R057", "0217", False, _release_form("r057_form", {"pattern": "[0-9]{12}", "form": "exactly twelve digits"}), None),
]


# per syntax: the electronic address, then the other identifiers with a scheme (a UBL cbc:ID only in a party identification)
_ID_TAGS = {Syntax.UBL: (cbc("EndpointID"), cbc("ID"), cbc("CompanyID")), Syntax.CII: (ram("URIID"), ram("ID"), ram("GlobalID"))}


def _scheme_elements(doc) -> dict[str, list[tuple[Any, bool]]]:
    """Identifier elements with a schemeID the PEPPOL-COMMON rules look at: scheme -> [(element, is endpoint)]."""
    return cached(doc, "peppol.schemes", lambda: _find_scheme_elements(doc))


def _find_scheme_elements(doc) -> dict[str, list[tuple[Any, bool]]]:
    found: dict[str, list[tuple[Any, bool]]] = {}
    tags = _ID_TAGS[doc.syntax]
    for tag in tags:
        for el in elements(doc, tag):
            scheme = el.get("schemeID")
            parent = el.getparent() if tag == cbc("ID") else None
            if scheme is not None and (tag != cbc("ID") or (parent is not None and parent.tag == cac("PartyIdentification"))):
                found.setdefault(scheme, []).append((el, tag == tags[0]))
    return found


def _r056_2_context(el) -> bool:
    """Whether a UBL cbc:CompanyID matches R056-2's context, ``cac:PartyTaxScheme[normalize-space(cac:TaxScheme/cbc:ID)
    = 'VAT']/cbc:CompanyID[starts-with(normalize-space(.), 'NL')]``: two tax scheme identifiers make normalize-space()
    fail, and a pattern that fails does not match."""
    parent = el.getparent()
    if el.tag != cbc("CompanyID") or parent is None or parent.tag != cac("PartyTaxScheme"):
        return False
    ids_ = path(parent, cac("TaxScheme"), cbc("ID"))
    return len(ids_) == 1 and nvalue(ids_[0]) == "VAT" and nvalue(el).startswith("NL")


def _judged_by_r056_2(doc, el) -> bool:
    """A UBL VAT CompanyID starting with NL: R056-2's rule comes first in the pattern and takes it
    (so R057, placed after it, never judges such an element; see R056-2 below)."""
    return doc.syntax == Syntax.UBL and _r056_2_context(el)


def _make_icd_rule(rid: str, scheme: str, endpoint_only: bool, test):
    shadowed = rid == "PEPPOL-COMMON-R057"  # the one identifier rule after R056-2 in the pattern
    form = getattr(test, "form", None)  # (the form a release's pattern asks for, said in the message)

    def check(doc) -> Iterable:
        for el, is_endpoint in _scheme_elements(doc).get(scheme, ()):
            if endpoint_only and not is_endpoint:
                continue
            if shadowed and _judged_by_r056_2(doc, el):
                continue
            raw = string_value(el)
            if not (held := test(doc, raw)) or isinstance(held, str):  # (a text: why the official validator stops)
                yield el, {"value": normalize(raw), **({"form": form(doc)} if form else {}), **({"stops": held} if held else {})}

    check.__name__ = "check_" + rid.replace("-", "_").lower()
    return check


for _rid, _scheme, _endpoint_only, _test, _syntax in _ICD_RULES:
    RULES.add(_rid, _make_icd_rule(_rid, _scheme, _endpoint_only, _test), _syntax)


# --- PEPPOL-COMMON-R056-2 (3.0.21): a VAT identifier starting with NL has the Dutch form -----------

_NL_VAT_RX = re.compile(_NL_VAT)


# Quirk kept (UBL): within a schematron pattern a node is judged by the first rule whose context
# it matches. R056-2's context node is the cbc:CompanyID, and the identifier rules placed before it
# in the same pattern (R040 ... R056-1) match a CompanyID carrying their scheme: such a CompanyID is
# never judged by R056-2. (In CII the context is the registration, another node, so it always is.)
# Those are the schemes of _ICD_RULES but R057's (placed after it) and the endpoint-only ones (another context).
_SCHEMES_JUDGED_BEFORE_R056_2 = frozenset(
    scheme for rid, scheme, endpoint_only, _test, _syntax in _ICD_RULES if not endpoint_only and rid != "PEPPOL-COMMON-R057")


@RULES.rule("PEPPOL-COMMON-R056-2")
def r056_2_dutch_vat(doc):
    if doc.syntax == Syntax.UBL:
        for el in elements(doc, cbc("CompanyID")):
            if not _r056_2_context(el) or el.get("schemeID") in _SCHEMES_JUDGED_BEFORE_R056_2:
                continue
            value = nvalue(el)
            if not _NL_VAT_RX.fullmatch(value):
                yield el, {"value": value}
    else:
        # context ram:SpecifiedTaxRegistration[ram:ID/@schemeID = 'VA'][starts-with(normalize-space(.), 'NL')]:
        # the value tested is the registration's whole string value, normalised
        for reg in elements(doc, ram("SpecifiedTaxRegistration")):
            if not any(i.get("schemeID") == "VA" for i in children(reg, ram("ID"))):
                continue
            value = nvalue(reg)
            if value.startswith("NL") and not _NL_VAT_RX.fullmatch(value):
                yield reg, {"value": value}
