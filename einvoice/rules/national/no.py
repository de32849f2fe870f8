"""Norwegian rules (NO-R-*): with the Peppol rules these make EHF Billing 3.0.

Both apply when the seller is Norwegian by the rule set's supplier country (VAT prefix, else the
tax representative's VAT prefix, else the seller's postal country), on every seller party as the
official contexts have them (``cac:AccountingSupplierParty/cac:Party``, ``ram:SellerTradeParty``).
"""

from __future__ import annotations

from ...basics import Syntax
from .. import values as V
from ..values import string_value as sv, text_node
from . import RULES
from ._checks import CAC, CBC, RAM, SELLERS, country_rules, no_vat_id_valid, norm, supplier_country

rule = country_rules(RULES, "NO", applies=lambda doc: supplier_country(doc) == "NO")


def _ubl_ids(party, scheme: str) -> list:
    """The first CompanyID (or the scheme itself) of each ``cac:PartyTaxScheme[normalize-space(
    cac:TaxScheme/cbc:ID) = scheme]``."""
    out = []
    for reg in party.iterfind(CAC + "PartyTaxScheme"):
        if any(norm(sv(i)) == scheme for i in reg.iterfind(f"{CAC}TaxScheme/{CBC}ID")):
            el = reg.find(CBC + "CompanyID")
            out.append(reg if el is None else el)
    return out


def _vat_ids(doc, party) -> list:
    if doc.syntax == Syntax.UBL:
        return _ubl_ids(party, "VAT")
    # ram:SpecifiedTaxRegistration[ram:ID/@schemeID = 'VAT']/ram:ID
    regs = [r for r in party.iterfind(RAM + "SpecifiedTaxRegistration")
            if any(i.get("schemeID") == "VAT" for i in r.iterfind(RAM + "ID"))]
    return [r.find(RAM + "ID") for r in regs]


@rule("NO-R-001")
def no_r_001(doc):
    """A VAT identifier starting with NO must be NO + valid organisation number + MVA."""
    for party in SELLERS[doc.syntax](doc):
        for el in _vat_ids(doc, party):
            vat = sv(el) if el.tag in (CBC + "CompanyID", RAM + "ID") else ""  # else: a scheme without one
            if vat[:2] == "NO" and not no_vat_id_valid(vat):
                yield el, {"value": vat}


@rule("NO-R-002")
def no_r_002(doc):
    """Norwegian sellers state 'Foretaksregisteret' as their tax registration (BT-32)."""
    for party in SELLERS[doc.syntax](doc):
        if doc.syntax == Syntax.UBL:
            found = any(norm(sv(el)) == "Foretaksregisteret" for el in _ubl_ids(party, "TAX")
                        if el.tag == CBC + "CompanyID")
        else:  # ram:SpecifiedTaxRegistration/ram:ID[@schemeID = 'FC'][normalize-space(text()) = 'Foretaksregisteret']
            found = V.attempt(lambda: any(i.get("schemeID") == "FC" and norm(text_node(i)) == "Foretaksregisteret"
                                          for i in party.iterfind(f"{RAM}SpecifiedTaxRegistration/{RAM}ID"))) is True
        if not found:
            yield party
