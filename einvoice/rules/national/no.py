"""Norwegian rules (NO-R-*): with the Peppol rules these make EHF Billing 3.0.

Both apply when the seller is Norwegian by the rule set's supplier country (VAT prefix, else the
tax representative's VAT prefix, else the seller's postal country), on every seller party as the
official contexts have them (``cac:AccountingSupplierParty/cac:Party``, ``ram:SellerTradeParty``).
"""

from __future__ import annotations

from ...basics import Syntax
from ...syntax.namespaces import CII_NS, UBL_NS
from ..values import string_value as sv, text_node
from . import RULES
from ._checks import country_rules, no_vat_id_valid, norm, supplier_country, ubl_xpath, xpath

rule = country_rules(RULES, "NO", applies=lambda doc: supplier_country(doc) == "NO")

_SELLERS = {Syntax.UBL: ubl_xpath("//cac:AccountingSupplierParty/cac:Party"), Syntax.CII: xpath("//ram:SellerTradeParty")}
_CAC, _CBC, _RAM = (f"{{{UBL_NS['cac']}}}", f"{{{UBL_NS['cbc']}}}", f"{{{CII_NS['ram']}}}")


def _ubl_ids(party, scheme: str) -> list:
    """The first CompanyID (or the scheme itself) of each ``cac:PartyTaxScheme[normalize-space(
    cac:TaxScheme/cbc:ID) = scheme]``."""
    out = []
    for reg in party.iterfind(_CAC + "PartyTaxScheme"):
        if any(norm(sv(i)) == scheme for i in reg.iterfind(f"{_CAC}TaxScheme/{_CBC}ID")):
            el = reg.find(_CBC + "CompanyID")
            out.append(reg if el is None else el)
    return out


def _vat_ids(doc, party) -> list:
    if doc.syntax == Syntax.UBL:
        return _ubl_ids(party, "VAT")
    # ram:SpecifiedTaxRegistration[ram:ID/@schemeID = 'VAT']/ram:ID
    regs = [r for r in party.iterfind(_RAM + "SpecifiedTaxRegistration")
            if any(i.get("schemeID") == "VAT" for i in r.iterfind(_RAM + "ID"))]
    return [r.find(_RAM + "ID") for r in regs]


@rule("NO-R-001")
def no_r_001(doc):
    """A VAT identifier starting with NO must be NO + valid organisation number + MVA."""
    for party in _SELLERS[doc.syntax](doc.root):
        for el in _vat_ids(doc, party):
            vat = sv(el) if el.tag in (_CBC + "CompanyID", _RAM + "ID") else ""  # else: a scheme without one
            if vat[:2] == "NO" and not no_vat_id_valid(vat):
                yield el, {"value": vat}


@rule("NO-R-002")
def no_r_002(doc):
    """Norwegian sellers state 'Foretaksregisteret' as their tax registration (BT-32)."""
    for party in _SELLERS[doc.syntax](doc.root):
        if doc.syntax == Syntax.UBL:
            found = any(norm(sv(el)) == "Foretaksregisteret" for el in _ubl_ids(party, "TAX")
                        if el.tag == _CBC + "CompanyID")
        else:  # ram:SpecifiedTaxRegistration/ram:ID[@schemeID = 'FC'][normalize-space(text()) = 'Foretaksregisteret']
            found = any(i.get("schemeID") == "FC" and norm(text_node(i)) == "Foretaksregisteret"
                        for i in party.iterfind(f"{_RAM}SpecifiedTaxRegistration/{_RAM}ID"))
        if not found:
            yield party
