"""Swedish rules (SE-R-*), read from the tree in the official contexts, for UBL and CII.

The rule set decides Swedish rules on a seller party whose postal country is ``SE`` as written
(``IdentificationCode = 'SE'``, ``ram:CountryID = 'SE'``: no normalize-space, " SE " is not Sweden);
the VAT number and VAT rate rules also need a VAT identifier with the prefix SE. Each syntax's paths
are data (``_PATHS``); where the official expression applies a function of one item to a repeated
element, it fails, and a context whose predicate fails matches nothing (quirk kept: the rule is then
silent, as with the official XSLT).
"""

from __future__ import annotations

from ...basics import Syntax
from ..values import SEVERAL, string_value as sv
from . import RULES
from ._checks import country_rules, is_number, norm, number, se_orgnr_valid, syntax_paths

RATES = (25, 12, 6)
FAILS = object()  # the official predicate raises a dynamic error


_CII_AGREEMENT = "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement"
_CII_SETTLEMENT = "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
_PATHS = {
    Syntax.UBL: {
        "sellers": "//cac:AccountingSupplierParty/cac:Party[cac:PostalAddress/cac:Country/cbc:IdentificationCode = 'SE']",
        "buyers": "//cac:AccountingCustomerParty/cac:Party[cac:PostalAddress/cac:Country/cbc:IdentificationCode = 'SE']",
        # the VAT registrations of a party: (registration, its VAT identifiers)
        "vat": "cac:PartyTaxScheme[cac:TaxScheme/cbc:ID = 'VAT']", "vat_id": "cbc:CompanyID",
        "legal": "cac:PartyLegalEntity[cbc:CompanyID]", "legal_id": "cbc:CompanyID",
        # the tax registrations (BT-32): the scheme read as normalize-space(upper-case(cac:TaxScheme/cbc:ID))
        "tax": "cac:PartyTaxScheme", "tax_scheme": "cac:TaxScheme/cbc:ID", "tax_id": "cbc:CompanyID",
        "rates": "//cac:TaxCategory[cbc:ID = 'S'] | //cac:ClassifiedTaxCategory[cbc:ID = 'S']", "rate": "cbc:Percent",
        "means": "//cac:PaymentMeans", "code": "cbc:PaymentMeansCode",
        "branch": "cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID",
        "account": "cac:PayeeFinancialAccount/cbc:ID",
    },
    Syntax.CII: {
        "sellers": f"{_CII_AGREEMENT}/ram:SellerTradeParty[ram:PostalTradeAddress/ram:CountryID = 'SE']",
        "buyers": f"{_CII_AGREEMENT}/ram:BuyerTradeParty[ram:PostalTradeAddress/ram:CountryID = 'SE']",
        "vat": "ram:SpecifiedTaxRegistration", "vat_id": "ram:ID[@schemeID = 'VAT']",
        "legal": "ram:SpecifiedLegalOrganization[ram:ID]", "legal_id": "ram:ID",
        "tax": None, "tax_scheme": None, "tax_id": "ram:SpecifiedTaxRegistration/ram:ID[@schemeID = 'FC']",
        "rates": "//ram:ApplicableTradeTax | //ram:CategoryTradeTax", "rate": "ram:RateApplicablePercent",
        "means": f"{_CII_SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans", "code": "ram:TypeCode",
        "branch": "ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID",
        "account": "ram:PayeePartyCreditorFinancialAccount/ram:ProprietaryID",
    },
}
_x = syntax_paths(_PATHS)


def _sellers(doc) -> list:
    """The seller parties with the postal country SE (the rules' ``Party[... = 'SE']``)."""
    cache = doc.__dict__.setdefault("_national_cache", {})
    if "se_sellers" not in cache:
        cache["se_sellers"] = _x(doc, "sellers")
    return cache["se_sellers"]


# every rule below runs only where there is a Swedish seller (_sellers)
rule = country_rules(RULES, "SE", applies=lambda doc: bool(_sellers(doc)))


def _vat_se(doc, party):
    """``<VAT registration>/substring(<VAT identifier>, 1, 2) = 'SE'`` of one party: True, False, or FAILS
    (a registration with two VAT identifiers: substring of two items)."""
    for reg in _x(doc, "vat", party):
        ids = _x(doc, "vat_id", reg)
        if len(ids) > 1:
            return FAILS
        if ids and sv(ids[0])[:2] == "SE":
            return True
    return False


def _one(nodes: list):
    """The first node, or FAILS where an official function of one item gets several."""
    return FAILS if len(nodes) > 1 else (nodes[0] if nodes else None)


def _swedish_vat_parties(doc) -> list:
    return [p for p in _sellers(doc) if _vat_se(doc, p) is True]


def _value_rule(values, ok):
    """A rule failing each (element, value) of ``values(doc)`` whose value is not ``ok``."""
    def check(doc):
        for el, value in values(doc):
            if value is SEVERAL or not ok(value):  # (several values where the official test reads one: it stops)
                yield el, SEVERAL if value is SEVERAL else {"value": value}
    return check


def _vat_ids(doc):
    """The first VAT identifier (or the party) of each Swedish seller with a Swedish VAT identifier."""
    for party in _swedish_vat_parties(doc):
        ids = [i for reg in _x(doc, "vat", party) for i in _x(doc, "vat_id", reg)]
        yield (ids[0], sv(ids[0]) if len(ids) == 1 else SEVERAL) if ids else (party, "")


# SE-R-001, -002: a Swedish VAT number has 14 characters (SE + 10 digits + 01), the 12 after SE are digits
rule("SE-R-001")(_value_rule(_vat_ids, lambda v: len(norm(v)) == 14))
rule("SE-R-002")(_value_rule(_vat_ids, lambda v: is_number(v[2:14])))


def _legal_ids(doc):
    """The legal registration identifier of each Swedish seller that states one."""
    for party in _sellers(doc):
        for legal in _x(doc, "legal", party):
            el = _x(doc, "legal_id", legal)[0]
            yield el, sv(el)


# SE-R-003, -004, -013: the organisation number is numeric, has 10 characters, ends with its Luhn digit
_LEGAL_TESTS = {"SE-R-003": is_number, "SE-R-004": lambda v: len(norm(v)) == 10,
                "SE-R-013": lambda v: se_orgnr_valid(norm(v))}


for _rid, _ok in _LEGAL_TESTS.items():
    rule(_rid)(_value_rule(_legal_ids, _ok))


def _tax_ids(doc, party) -> list:
    """The seller tax registration identifiers (BT-32) of a party: UBL ``cac:PartyTaxScheme[normalize-space(
    upper-case(cac:TaxScheme/cbc:ID)) != 'VAT']/cbc:CompanyID`` (a scheme with two identifiers fails), CII
    the identifiers with the scheme FC."""
    if doc.syntax == Syntax.CII:
        return _x(doc, "tax_id", party)
    out = []
    for reg in _x(doc, "tax", party):
        scheme = _one(_x(doc, "tax_scheme", reg))
        if scheme is not FAILS and norm((sv(scheme) if scheme is not None else "").upper()) != "VAT":
            out.extend(_x(doc, "tax_id", reg))
    return out


@rule("SE-R-005")
def se_r_005(doc):
    """A Swedish seller with an organisation number who states a tax registration writes 'Godkänd för F-skatt'."""
    for party in _sellers(doc):
        if not _x(doc, "legal", party):
            continue
        for el in _tax_ids(doc, party):
            if norm(sv(el).upper()) != "GODKÄND FÖR F-SKATT":
                yield el, {"value": sv(el)}


@rule("SE-R-006")
def se_r_006(doc):
    """Swedish sellers use the standard rates 25, 12 or 6 % (UBL: category S; CII: every stated VAT rate)."""
    for party in _sellers(doc):  # //...Party[...]: the first party decides (or fails)
        found = _vat_se(doc, party)
        if found is FAILS:
            return
        if found:
            break
    else:
        return
    for cat in _x(doc, "rates"):
        rates = _x(doc, "rate", cat)
        value = sv(rates[0]) if rates else ""
        if number(value) not in RATES:
            yield (rates[0] if rates else cat), {"value": norm(value) or "none"}


def _means(doc, code_ok):
    """Payment means of a Swedish seller whose code (as each syntax's context reads it) passes ``code_ok``."""
    for pm in _x(doc, "means"):
        if code_ok(doc, [sv(c) for c in _x(doc, "code", pm)]):
            yield pm


def _normalized_is(value: str):
    def ok(_doc, codes):  # normalize-space(code) = value (of two codes: fails)
        return len(codes) == 1 and norm(codes[0]) == value
    return ok


def _giro_accounts(doc, branch: str):
    for pm in _means(doc, _normalized_is("30")):
        branches = _x(doc, "branch", pm)
        if len(branches) <= 1 and norm(sv(branches[0]) if branches else "") == branch:
            for el in _x(doc, "account", pm):
                yield el, sv(el)


# SE-R-007/-010 (Plusgiro), SE-R-008/-009 (Bankgiro): the account is numeric (number(normalize-space(.))), has 2-8 (7-8) characters
_GIRO_TESTS = {"SE-R-007": ("SE:PLUSGIRO", lambda v: is_number(norm(v))), "SE-R-010": ("SE:PLUSGIRO", lambda v: 2 <= len(norm(v)) <= 8),
               "SE-R-008": ("SE:BANKGIRO", lambda v: is_number(norm(v))), "SE-R-009": ("SE:BANKGIRO", lambda v: len(norm(v)) in (7, 8))}


for _rid, (_branch, _ok) in _GIRO_TESTS.items():
    rule(_rid)(_value_rule(lambda doc, branch=_branch: _giro_accounts(doc, branch), _ok))


def _code_in(*values: str):
    def ok(doc, codes):
        if doc.syntax == Syntax.UBL:  # cbc:PaymentMeansCode = '50': each code as written
            return any(c in values for c in codes)
        return len(codes) == 1 and norm(codes[0]) in values  # normalize-space(ram:TypeCode) = '50'
    return ok


@rule("SE-R-011")
def se_r_011(doc):
    """Bankgiro/Plusgiro are stated with code 30 and SE:BANKGIRO / SE:PLUSGIRO, not codes 50 or 56."""
    for pm in _means(doc, _code_in("50", "56")):
        codes = _x(doc, "code", pm)
        yield (codes[0] if codes else pm), {"value": norm(sv(codes[0])) if codes else ""}


@rule("SE-R-012")
def se_r_012(doc):
    """Between Swedish parties a credit transfer is code 30, not 31."""
    if not _x(doc, "buyers"):
        return
    for pm in _means(doc, _code_in("31")):
        codes = _x(doc, "code", pm)
        yield codes[0] if codes else pm
