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
identifier here (UBL ``cac:TaxScheme/cbc:ID``, CII ``ram:ID/@schemeID``), as
in the national rules of the rule set.

Check digits
------------
The sums shared with the Peppol rules come from :mod:`einvoice.rules.identifiers`
(checked there against python-stdnum); the edge cases in which the rule set
differs (a zero number, extra characters) are handled around them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from lxml import etree

if TYPE_CHECKING:  # type names only: the rules do not need the pydantic model module loaded
    from ...model.invoice import Invoice, Party, TaxRegistration
from ...syntax.namespaces import CII_NS, UBL_NS
from .. import values as V
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


# --- parties and countries -----------------------------------------------------

def vat_registrations(party: Party | None) -> list[TaxRegistration]:
    """The party's registrations under the tax scheme VAT (only the scheme ``VAT`` counts, as in the rule set)."""
    if party is None:
        return []
    return [r for r in party.tax_registrations if norm(r.tax_scheme_id) == "VAT"]


ERROR = "!"  # a country the rule set cannot decide (its expression fails): no national rule applies


def _vat_prefix(party: Party | None) -> str:
    """The upper-cased first two characters of the party's VAT identifier ("" when none).

    With more than one VAT registration the rule set's expression fails; that
    is reported as ``ERROR``.
    """
    regs = vat_registrations(party)
    if len(regs) > 1:
        return ERROR
    for reg in regs:
        prefix = (reg.company_id or "")[:2]
        if prefix:
            return norm(prefix).upper()
    return ""


def postal_country(party: Party | None) -> str | None:
    """The country code of a party's postal address as written (None when there is none)."""
    if party is None or party.address is None:
        return None
    return party.address.country_code


def supplier_country(inv: Invoice) -> str:
    """The seller's country as the Peppol rule set decides it (see the module text)."""
    prefix = _vat_prefix(inv.seller) or _vat_prefix(inv.tax_representative)
    if prefix:
        return prefix
    country = postal_country(inv.seller)
    if country is not None:
        return norm(country).upper()
    return "XX"


def cached(doc: Any, key: str, compute):
    """A per-document cache for values several rules need."""
    cache = doc.__dict__.setdefault("_national_cache", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def doc_supplier_country(doc: Any) -> str:
    """The supplier country of a document (``$supplierCountry``): for UBL from the tree as the rule set
    computes it (:func:`ubl_country`), for CII from the header the reader reads (the CII rule set takes
    the first seller party)."""
    if _is_ubl(doc):
        return ubl_country(doc, "supplier")
    from ...syntax import header

    return cached(doc, "supplier_country", lambda: supplier_country(header(doc)))


def _is_ubl(doc: Any) -> bool:
    return doc.root is not None and getattr(doc.syntax, "value", doc.syntax) == "ubl"


# --- the rule set's country variables, on the UBL tree ------------------------------------
#
# The Peppol UBL rules decide the national rules on variables computed from the parties with XPath 2.0
# functions that take one item (normalize-space, substring, concat) or the effective boolean value of a
# sequence. Where the document has two such items (a repeated party, tax scheme, address or code) the
# expression raises a dynamic error. The variables are tested in the rules' contexts, where an error means
# that the context does not match (XSLT pattern semantics): no rule of that country applies. ERROR
# stands for that outcome. These read every node the official path selects, not the first one.

_P = {"seller": "/*/cac:AccountingSupplierParty/cac:Party", "buyer": "/*/cac:AccountingCustomerParty/cac:Party",
      "representative": "/*/cac:TaxRepresentativeParty"}
_POSTAL_CODES = {k: etree.XPath(f"{v}/cac:PostalAddress/cac:Country/cbc:IdentificationCode", namespaces=UBL_NS)
                 for k, v in _P.items()}
_CII_AGREEMENT = "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement"
_CII_POSTAL_CODES = {k: etree.XPath(f"{_CII_AGREEMENT}/ram:{v}/ram:PostalTradeAddress/ram:CountryID", namespaces=CII_NS)
                     for k, v in (("seller", "SellerTradeParty"), ("buyer", "BuyerTradeParty"),
                                  ("representative", "SellerTaxRepresentativeTradeParty"))}
_VAT_SCHEMES = {k: etree.XPath(f"{v}/cac:PartyTaxScheme[cac:TaxScheme/cbc:ID = 'VAT']", namespaces=UBL_NS)
                for k, v in _P.items()}
_COMPANY_ID = f"{{{UBL_NS['cbc']}}}CompanyID"


def _one(nodes: list) -> str:
    """The string value of the only node ('' for none); ERROR for several (a function of one item)."""
    if len(nodes) > 1:
        return ERROR
    return V.string_value(nodes[0]) if nodes else ""


def postal_code(doc: Any, who: str) -> str:
    """The postal country code of the seller, buyer or tax representative as written, '' for none, ERROR
    for several (``concat(.../cbc:IdentificationCode)`` of the Danish and Icelandic rules); of a CII
    document ``.../ram:PostalTradeAddress/ram:CountryID`` likewise."""
    paths = _POSTAL_CODES if _is_ubl(doc) else _CII_POSTAL_CODES
    return cached(doc, f"postal_{who}", lambda: _one(paths[who](doc.root)))


def postal_codes(doc: Any, who: str) -> list[str]:
    """Every postal country code of the party as written (the node set a general comparison reads)."""
    paths = _POSTAL_CODES if _is_ubl(doc) else _CII_POSTAL_CODES
    return [V.string_value(el) for el in paths[who](doc.root)]


def postal_is(doc: Any, who: str, country: str) -> bool:
    """``upper-case(normalize-space(.../cbc:IdentificationCode)) = country`` (false where it fails; CII:
    ``.../ram:CountryID``)."""
    code = postal_code(doc, who)
    return code != ERROR and norm(code).upper() == country


def _ubl_vat_prefix(root: Any, who: str) -> str | None:
    """``if (P/cac:PartyTaxScheme[cac:TaxScheme/cbc:ID = 'VAT']/substring(cbc:CompanyID, 1, 2)) then
    upper-case(normalize-space(...))``: the prefix, None where the condition is false, ERROR where it fails."""
    prefixes = []
    for scheme in _VAT_SCHEMES[who](root):
        ids = scheme.findall(_COMPANY_ID)
        if len(ids) > 1:
            return ERROR
        prefixes.append(V.string_value(ids[0])[:2] if ids else "")
    if len(prefixes) > 1:
        return ERROR  # the effective boolean value of several strings
    if not prefixes or prefixes[0] == "":
        return None
    return norm(prefixes[0]).upper()


_SIDES = {"supplier": ("seller", "representative"), "accounting": ("seller",), "customer": ("buyer",)}


def ubl_country(doc: Any, side: str) -> str:
    """``$supplierCountry`` (side 'supplier': the seller's VAT prefix, else the tax representative's, else
    the seller's postal country), ``$accountingSupplierCountry`` ('accounting': the same without the tax
    representative) or ``$customerCountry`` ('customer': the buyer's VAT prefix, else postal country);
    'XX' when there is none, ERROR where the expression fails."""
    def compute() -> str:
        root = doc.root
        order = _SIDES[side]
        for who in order:
            prefix = _ubl_vat_prefix(root, who)
            if prefix is not None:
                return prefix
        codes = _POSTAL_CODES[order[0]](root)
        if not codes:
            return "XX"
        code = _one(codes)
        return code if code == ERROR else norm(code).upper()

    return cached(doc, f"country_{side}", compute)


# --- identifiers ---------------------------------------------------------------

def no_vat_id_valid(vat: str) -> bool:
    """A Norwegian VAT identifier: NO + organisation number + MVA."""
    m = re.fullmatch(r"NO([0-9]{9})MVA", vat)
    return bool(m) and no_orgnr_valid(m.group(1))


def se_orgnr_valid(number: str) -> bool:
    """Swedish organisation number check: digits only, the tenth digit is the
    Luhn check digit of the first nine (characters after the tenth are not looked at)."""
    return number.isascii() and number.isdigit() and len(number) >= 10 and se_orgnr(number[:10])


def gr_tin_valid(value: str) -> bool:
    """Greek tax number (AFM): the ninth digit is the weighted sum of the first
    eight (weights 256 ... 2) modulo 11, modulo 10. Characters after the ninth are not looked at."""
    head = value[:9]
    if len(head) < 9 or not (head.isascii() and head.isdigit()):
        return False
    total = sum(int(d) << (8 - i) for i, d in enumerate(head[:8]))
    return (total % 11) % 10 == int(head[8])


def iban_valid(value: str | None) -> bool:
    """IBAN shape (two letters, two digits, up to 30 letters/digits; blanks ignored)
    and the ISO 7064 mod 97 check."""
    text = re.sub(r"\s", "", value or "")
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[a-zA-Z0-9]{0,30}", text):
        return False
    moved = text[4:] + text[:2].upper() + text[2:4]
    digits = "".join(str(ord(c) - 55) if ord(c) > 64 else str(ord(c) - 48) for c in moved)
    try:
        return int(digits) % 97 == 1
    except ValueError:
        return False


def ubl_xpath(expr: str) -> etree.XPath:
    """An XPath over a UBL document (prefixes cac, cbc ...)."""
    return etree.XPath(expr, namespaces=UBL_NS)




# --- which countries' rules can apply (computed once per document) ----------------------


# The texts a national gate may depend on, read from the tree (only below the parties the model reads):
# (seller side: the seller's and tax representative's identifiers and the seller's country; buyer side)
_UBL_SELLER_TEXTS = etree.XPath(
    "/*/cac:AccountingSupplierParty//cbc:CompanyID | /*/cac:AccountingSupplierParty//cbc:IdentificationCode"
    " | /*/cac:TaxRepresentativeParty//cbc:CompanyID", namespaces=UBL_NS)
_UBL_BUYER_TEXTS = etree.XPath("/*/cac:AccountingCustomerParty//cbc:IdentificationCode", namespaces=UBL_NS)
_CII_SELLER_TEXTS = etree.XPath(
    "//ram:SellerTradeParty//ram:CountryID | //ram:SellerTradeParty//ram:SpecifiedTaxRegistration/ram:ID"
    " | //ram:SellerTaxRepresentativeTradeParty//ram:SpecifiedTaxRegistration/ram:ID", namespaces=CII_NS)
_CII_BUYER_TEXTS = etree.XPath("//ram:BuyerTradeParty//ram:CountryID", namespaces=CII_NS)


def _codes(elements: list) -> set[str]:
    """Every country code a text may stand for, however the model's checks trim and cut it."""
    out: set[str] = set()
    for el in elements:
        t = el.text or "" if len(el) == 0 else "".join(el.itertext())
        n = norm(t).upper()
        out.add(n)
        out.add(n[:2])
        out.add(norm(t[:2]).upper())
        out.add(norm(t.strip()[:2]).upper())
    return out


def _tree_gate(doc: Any) -> dict[str, bool]:
    """The gate of a document read from XML, from a few elements of the tree (the model is not read).

    Generous: a country is open when any text below the seller's (buyer's) party could make the
    model's country that country; the module then decides exactly.
    """
    root = doc.root
    if doc.syntax is not None and getattr(doc.syntax, "value", doc.syntax) == "cii":
        seller, buyer = _codes(_CII_SELLER_TEXTS(root)), _codes(_CII_BUYER_TEXTS(root))
    else:
        seller, buyer = _codes(_UBL_SELLER_TEXTS(root)), _codes(_UBL_BUYER_TEXTS(root))
    return {
        "NO": "NO" in seller,
        "IT": "IT" in seller,
        "SE": "SE" in seller,
        "DK": "DK" in seller,
        "NL": "NL" in seller,
        "DE": "DE" in seller and "DE" in buyer,
        "GR": "GR" in seller or "EL" in seller,
        "IS": "IS" in seller,
    }


def gate(doc: Any) -> dict[str, bool]:
    """For each country module, whether its rules can apply to the document at all.

    Decided once per document and generous: a module whose gate is open still
    checks its exact condition; a closed gate skips the module's rules at once.
    It is decided on the document tree (the official rule set runs on the tree only),
    so the model is read only when a module that needs it applies.
    """
    g = doc.__dict__.get("_national_gate")
    if g is None:
        g = _tree_gate(doc)
        doc.__dict__["_national_gate"] = g
    return g


def country_rules(rules: Any, country: str, applies: Any = None):
    """A ``rule`` decorator for one country's module: registers the check so that it
    runs only when :func:`gate` is open for ``country``.

    ``applies(doc) -> bool``, when given, is a condition every rule of the module requires
    (the seller's country as the module's rules test it): decided once per document, after
    the gate, so a document whose gate is open but whose seller is not of the country has none
    of the module's rules evaluated.
    """
    key = f"_national_applies_{country}"

    def rule(*ids: str, syntax: Any = None):
        def deco(fn):
            def check(doc, _fn=fn, _country=country):
                g = doc.__dict__.get("_national_gate") or gate(doc)
                if not g[_country]:
                    return ()
                if applies is not None:
                    ok = doc.__dict__.get(key)
                    if ok is None:
                        ok = doc.__dict__[key] = bool(applies(doc))
                    if not ok:
                        return ()
                return _fn(doc)

            check.__name__ = fn.__name__
            check.__doc__ = fn.__doc__
            rules.rule(*ids, syntax=syntax)(check)
            return fn

        return deco

    return rule
