"""Norwegian rules (NO-R-*): with the Peppol rules these make EHF Billing 3.0.

Both apply when the seller is Norwegian by the rule set's supplier country (VAT prefix, else the
tax representative's VAT prefix, else the seller's postal country). In UBL they are read from the
tree, on every seller party as the official context (``cac:AccountingSupplierParty/cac:Party``) has
them; in CII from the seller the reader reads (the CII rule set decides on ``SellerTradeParty[1]``).
"""

from __future__ import annotations

from ...basics import Syntax
from ...syntax import header
from ...syntax.namespaces import UBL_NS
from ..values import string_value
from . import RULES
from ._checks import country_rules, doc_supplier_country, no_vat_id_valid, norm, ubl_xpath, vat_registrations

rule = country_rules(RULES, "NO", applies=lambda doc: doc_supplier_country(doc) == "NO")

_SELLERS = ubl_xpath("/*/cac:AccountingSupplierParty/cac:Party")
_SCHEME, _ID = f"{{{UBL_NS['cac']}}}PartyTaxScheme", f"{{{UBL_NS['cbc']}}}CompanyID"
_SCHEME_ID = f"{{{UBL_NS['cac']}}}TaxScheme/{{{UBL_NS['cbc']}}}ID"


def _ubl_ids(party, scheme: str) -> list:
    """(CompanyID element or the scheme, its text) of each ``cac:PartyTaxScheme[normalize-space(
    cac:TaxScheme/cbc:ID) = scheme]`` of a party."""
    out = []
    for reg in party.iterfind(_SCHEME):
        if any(norm(string_value(i)) == scheme for i in reg.iterfind(_SCHEME_ID)):
            el = reg.find(_ID)
            out.append((reg if el is None else el, "" if el is None else string_value(el)))
    return out


@rule("NO-R-001")
def no_r_001(doc):
    """A VAT identifier starting with NO must be NO + valid organisation number + MVA."""
    if doc.syntax == Syntax.UBL and doc.root is not None:
        found = [x for party in _SELLERS(doc.root) for x in _ubl_ids(party, "VAT")]
    else:
        found = [((reg, "company_id"), reg.company_id or "") for reg in vat_registrations(header(doc).seller)]
    for where, vat in found:
        if vat[:2] == "NO" and not no_vat_id_valid(vat):
            yield (*where, {"value": vat}) if isinstance(where, tuple) else (where, {"value": vat})


@rule("NO-R-002")
def no_r_002(doc):
    """Norwegian sellers state 'Foretaksregisteret' as their tax registration (BT-32)."""
    if doc.syntax == Syntax.UBL and doc.root is not None:
        for party in _SELLERS(doc.root):
            if not any(norm(text) == "Foretaksregisteret" for _el, text in _ubl_ids(party, "TAX")):
                yield party
        return
    seller, scheme = header(doc).seller, "FC" if doc.syntax == Syntax.CII else "TAX"
    if seller is not None and not any(norm(r.tax_scheme_id) == scheme and norm(r.company_id) == "Foretaksregisteret"
                                      for r in seller.tax_registrations):
        yield seller
