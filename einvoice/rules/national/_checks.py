"""Shared helpers of the national rules: who the seller is (by country), text
handling as the rule set does it, and identifier check digits.

Country of the seller
---------------------
The Peppol rule set decides most national rules on a *supplier country*:
the first two letters of the seller's VAT identifier, else of the tax
representative's VAT identifier, else the country of the seller's postal
address, else ``"XX"``. Some countries (DK, NL, DE, SE, IS) look only at the
postal address; those helpers are here too, so each module states which one
its rules use.

Only a registration stated under the tax scheme ``VAT`` counts as a VAT
identifier here (UBL ``cac:TaxScheme/cbc:ID``, CII ``ram:ID/@schemeID``, as
written), as in the national rules of the rule set. Every value is read from the
document tree, on every node the official path selects (see the country
variables below); no model is read.

Check digits
------------
The sums shared with the Peppol rules come from :mod:`einvoice.rules.identifiers`
(checked there against python-stdnum); the edge cases in which the rule set
differs (a zero number, extra characters) are handled around them.
"""

from __future__ import annotations

import re
from typing import Any

from ...basics import SharedXPath

from ...syntax.namespaces import CII_NS, UBL_NS
from .. import values as V
from ..tree import tag_index
from ..identifiers import no_orgnr as no_orgnr_valid  # NO-R-001 uses the same check as PEPPOL-COMMON-R041
from ..identifiers import se_orgnr  # SE-R-013 and PEPPOL-COMMON-R049 share the Luhn check of ten digits

# --- text (einvoice.rules.values) -------------------------------------------------

def norm(value: Any) -> str:
    """normalize-space: XML whitespace collapsed and trimmed (None reads as the empty string)."""
    return V.normalize_space(None if value is None else str(value))


def number(value: Any) -> float | None:
    """The value read as ``number()`` reads it (an xs:double), None where that gives NaN."""
    f = V.double_or_none(None if value is None else str(value))
    return None if f is None or f != f else f


def is_number(value: Any) -> bool:
    """True when ``number()`` reads the text as a number (not NaN); absent or empty is not a number."""
    return number(value) is not None


# --- the rule set's country variables, on the tree ------------------------------------------
#
# The Peppol rules decide the national rules on variables computed from the parties with XPath 2.0
# functions that take one item (normalize-space, substring, concat) or the effective boolean value of a
# sequence. Where the document has two such items (a repeated party, tax scheme, address or code) the
# expression raises a dynamic error. The variables are tested in the rules' contexts, where an error means
# that the context does not match (XSLT pattern semantics): no rule of that country applies. ERROR
# stands for that outcome. These read every node the official path selects, not the first one (the CII
# $supplierCountry takes the first seller party, ``SellerTradeParty[1]``, for its VAT prefix).

ERROR = "!"  # a country the rule set cannot decide (its expression fails): no national rule applies


def cached(doc: Any, key: str, compute):
    """A per-document cache for values several rules need."""
    cache = doc.__dict__.setdefault("_national_cache", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def _xp(paths: dict, ns: dict) -> dict:
    return {k: SharedXPath(v, ns) for k, v in paths.items()}


_CII_AGREEMENT = "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement"
_CII_FIRST_SELLER = ("/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction[1]/ram:ApplicableHeaderTradeAgreement[1]"
                     "/ram:SellerTradeParty[1]")
_UBL_PARTY = {"seller": "/*/cac:AccountingSupplierParty/cac:Party", "buyer": "/*/cac:AccountingCustomerParty/cac:Party",
              "representative": "/*/cac:TaxRepresentativeParty"}
_CII_PARTY = {"seller": "SellerTradeParty", "buyer": "BuyerTradeParty", "representative": "SellerTaxRepresentativeTradeParty"}
# per syntax: the postal country codes of each party; its VAT registrations and the identifier in them
_POSTAL = {"ubl": _xp({k: f"{v}/cac:PostalAddress/cac:Country/cbc:IdentificationCode" for k, v in _UBL_PARTY.items()}, UBL_NS),
           "cii": _xp({k: f"{_CII_AGREEMENT}/ram:{v}/ram:PostalTradeAddress/ram:CountryID" for k, v in _CII_PARTY.items()}, CII_NS)}
_VAT = {"ubl": _xp({k: f"{v}/cac:PartyTaxScheme[cac:TaxScheme/cbc:ID = 'VAT']" for k, v in _UBL_PARTY.items()}, UBL_NS),
        "cii": _xp({"seller": f"{_CII_FIRST_SELLER}/ram:SpecifiedTaxRegistration[ram:ID/@schemeID = 'VAT']",
                    "representative": f"{_CII_AGREEMENT}/ram:SellerTaxRepresentativeTradeParty"
                                      "/ram:SpecifiedTaxRegistration[ram:ID/@schemeID = 'VAT']"}, CII_NS)}
_VAT_ID = {"ubl": f"{{{UBL_NS['cbc']}}}CompanyID", "cii": f"{{{CII_NS['ram']}}}ID"}


def _one(nodes: list) -> str:
    """The string value of the only node ('' for none); ERROR for several (a function of one item)."""
    if len(nodes) > 1:
        return ERROR
    return V.string_value(nodes[0]) if nodes else ""


def postal_code(doc: Any, who: str) -> str:
    """The postal country code of the seller, buyer or tax representative as written, '' for none, ERROR
    for several (``concat(.../cbc:IdentificationCode)`` of the Danish and Icelandic rules)."""
    return cached(doc, f"postal_{who}", lambda: _one(_POSTAL[doc.syntax][who](doc.root)))


def postal_codes(doc: Any, who: str) -> list[str]:
    """Every postal country code of the party as written (the node set a general comparison reads)."""
    return [V.string_value(el) for el in _POSTAL[doc.syntax][who](doc.root)]


def postal_is(doc: Any, who: str, country: str) -> bool:
    """``upper-case(normalize-space(<the party's postal country code>)) = country`` (false where it fails)."""
    code = postal_code(doc, who)
    return code != ERROR and norm(code).upper() == country


def _vat_prefix(doc: Any, who: str) -> str | None:
    """``if (<VAT registrations>/substring(<identifier>, 1, 2)) then upper-case(normalize-space(...))``: the
    prefix, None where the condition is false, ERROR where the expression fails."""
    syn = doc.syntax
    paths = _VAT[syn]
    if who not in paths:
        return None
    prefixes = []
    for reg in paths[who](doc.root):
        ids = reg.findall(_VAT_ID[syn])
        if len(ids) > 1:
            return ERROR
        prefixes.append(V.string_value(ids[0])[:2] if ids else "")
    if len(prefixes) > 1:
        return ERROR  # the effective boolean value of several strings
    return None if not prefixes or prefixes[0] == "" else norm(prefixes[0]).upper()


_SIDES = {"supplier": ("seller", "representative"), "accounting": ("seller",), "customer": ("buyer",)}


def country(doc: Any, side: str) -> str:
    """``$supplierCountry`` (side 'supplier': the seller's VAT prefix, else the tax representative's, else
    the seller's postal country), ``$accountingSupplierCountry`` ('accounting': the same without the tax
    representative) or ``$customerCountry`` ('customer': the buyer's VAT prefix, else postal country);
    'XX' when there is none, ERROR where the expression fails."""
    def compute() -> str:
        order = _SIDES[side]
        for who in order:  # (a party's prefix read once: the supplier and accounting countries start with the seller's)
            prefix = cached(doc, f"vat_prefix_{who}", lambda: _vat_prefix(doc, who))
            if prefix is not None:
                return prefix
        codes = _POSTAL[doc.syntax][order[0]](doc.root)
        if not codes:
            return "XX"
        code = _one(codes)
        return code if code == ERROR else norm(code).upper()

    return cached(doc, f"country_{side}", compute)


def supplier_country(doc: Any) -> str:
    """The supplier country of a document (``$supplierCountry``)."""
    return country(doc, "supplier")


# --- identifiers ---------------------------------------------------------------

def no_vat_id_valid(vat: str) -> bool:
    """A Norwegian VAT identifier: NO + organisation number + MVA."""
    m = re.fullmatch(r"NO([0-9]{9})MVA", vat)
    return bool(m) and no_orgnr_valid(m.group(1))


def se_orgnr_valid(number: str) -> bool:
    """Swedish organisation number check: every character a decimal digit as the rule set's ``\\d`` reads it (any
    Unicode decimal digit, ``str.isdecimal``), the tenth the Luhn check digit of the first nine, which are summed as
    ASCII digits (another digit among the first ten has no number: the official sum fails, or the check digit
    differs); characters after the tenth are only tested as digits."""
    return number.isdecimal() and len(number) >= 10 and se_orgnr(number[:10])


def gr_tin_valid(value: str) -> bool:
    """Greek tax number (AFM): the ninth digit is the weighted sum of the first
    eight (weights 256 ... 2) modulo 11, modulo 10. Characters after the ninth are not looked at."""
    head = value[:9]
    if len(head) < 9 or not (head.isascii() and head.isdigit()):
        return False
    total = sum(int(d) << (8 - i) for i, d in enumerate(head[:8]))
    return (total % 11) % 10 == int(head[8])


_DESCENDANTS = re.compile(r"//(\w+):(\w+)(?:/((?:(?!\.\.|::|\||//).)+))?")  # //p:name[/relative path, no axes or unions]


class DocXPath:
    """An XPath from a document, ``x(doc)`` (or ``x(doc, node)``); ``//p:name/rest`` is ``rest`` from each element of
    that name in the element index (the whole XPath where such elements nest, or the root element has a parent)."""

    __slots__ = ("whole", "tag", "rest")

    def __init__(self, text: str, ns: dict):
        self.whole = SharedXPath(text, ns)
        m = _DESCENDANTS.fullmatch(text)
        self.tag = f"{{{ns[m[1]]}}}{m[2]}" if m else None
        self.rest = SharedXPath(m[3], ns) if m and m[3] else None

    def __call__(self, doc: Any, node: Any = None) -> list:
        if node is not None or self.tag is None or doc.root.getparent() is not None:
            return self.whole(doc.root if node is None else node)
        starts = tag_index(doc).get(self.tag, ())
        if len(starts) > 1 and any(next(a.iterancestors(self.tag), None) is not None for a in starts):
            return self.whole(doc.root)
        return [n for a in starts for n in self.rest(a)] if self.rest is not None else list(starts)


def syntax_paths(paths: dict) -> Any:
    """One accessor for per-syntax path tables ``{syntax: {name: XPath text (None: not in this syntax)}}``:
    ``x(doc, name, node=None)`` evaluates the name's path of the document's syntax from ``node`` (the root)."""
    compiled = {syn: {k: DocXPath(v, UBL_NS if getattr(syn, "value", syn) == "ubl" else CII_NS)
                      for k, v in table.items() if v is not None} for syn, table in paths.items()}

    def x(doc: Any, name: str, node: Any = None) -> Any:
        return compiled[doc.syntax][name](doc, node)

    return x


def ubl_xpath(expr: str) -> SharedXPath:
    """An XPath over a UBL document (prefixes cac, cbc ...)."""
    return SharedXPath(expr, UBL_NS)


def xpath(expr: str) -> SharedXPath:
    """An XPath over a CII document (prefixes rsm, ram, udt ...)."""
    return SharedXPath(expr, CII_NS)


# every seller party as the official contexts have them (per syntax), and the Clark prefixes of the namespaces
SELLERS = {"ubl": DocXPath("//cac:AccountingSupplierParty/cac:Party", UBL_NS), "cii": DocXPath("//ram:SellerTradeParty", CII_NS)}
CAC, CBC, RAM = (f"{{{UBL_NS['cac']}}}", f"{{{UBL_NS['cbc']}}}", f"{{{CII_NS['ram']}}}")
# the document elements per syntax: the Danish and Icelandic contexts take each of them (one put inside a value too)
DOCUMENTS = {"ubl": (f"{{{UBL_NS['ubl']}}}Invoice", f"{{{UBL_NS['cn']}}}CreditNote"),
             "cii": (f"{{{CII_NS['rsm']}}}CrossIndustryInvoice",)}


# --- which countries' rules apply (decided once per document) -----------------------------

def country_rules(rules: Any, country: str, applies: Any):
    """A ``rule`` decorator for one country's module: its rules are one engine family, run only where
    ``applies(doc)`` (the official variable they are decided on) holds, decided once per document; each
    rule keeps its id, syntax, findings and internal errors (an exception is its rule's only)."""
    from ..engine import Family

    key = f"_national_applies_{country}"
    members: list[tuple[str, Any, Any]] = []  # (rule id, check, syntax as given), in the order of registration

    def evaluate(doc):
        ok = doc.__dict__.get(key)
        if ok is None:
            ok = doc.__dict__[key] = bool(applies(doc))
        if not ok:
            return {}
        out: dict[str, Any] = {}
        for rid, fn, syn in members:
            if syn is not None and syn != doc.syntax:  # (a syntax is a str: "ubl" == Syntax.UBL)
                continue
            try:
                hits = fn(doc)
                if hits and not isinstance(hits, (list, tuple)):
                    hits = list(hits)
            except Exception as exc:  # reported by the engine as this rule's internal error
                out[rid] = exc
                continue
            if hits:
                out[rid] = hits
        return out

    family = Family(f"{rules.layer}:{country}", evaluate)

    def rule(*ids: str, syntax: Any = None):
        def deco(fn):
            for rid in ids:
                members.append((rid, fn, syntax))
                family.ids.append(rid)
                rules.add(rid, family.check_for(rid), syntax, family=family)
            return fn

        return deco

    return rule
