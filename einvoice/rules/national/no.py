"""Norwegian rules (NO-R-*): with the Peppol rules these make EHF Billing 3.0.

Both apply when the seller is Norwegian by the rule set's supplier country
(VAT prefix, else the tax representative's VAT prefix, else the seller's
postal country).
"""

from __future__ import annotations

from ...basics import Syntax
from . import RULES
from ._checks import country_rules, doc_supplier_country, located, no_vat_id_valid, norm, parties, vat_registrations

rule = country_rules(RULES, "NO")

# the scheme under which the seller's tax registration (BT-32) is stated, per syntax
_TAX_SCHEME = {Syntax.UBL: ("TAX",), Syntax.CII: ("FC",)}


def _norwegian_seller(doc):
    """The seller, when Norwegian, as the reader reads it (for UBL from the tree: no model is read)."""
    seller = parties(doc).seller
    if seller is None or doc_supplier_country(doc) != "NO":
        return None
    return seller


@rule("NO-R-001")
def no_r_001(doc):
    """A VAT identifier starting with NO must be NO + valid organisation number + MVA."""
    seller = _norwegian_seller(doc)
    if seller is None:
        return
    for reg in vat_registrations(seller):
        vat = reg.company_id or ""
        if vat[:2] == "NO" and not no_vat_id_valid(vat):
            yield located(reg, "company_id", {"value": vat})


@rule("NO-R-002")
def no_r_002(doc):
    """Norwegian sellers state 'Foretaksregisteret' as their tax registration (BT-32)."""
    seller = _norwegian_seller(doc)
    if seller is None:
        return
    schemes = _TAX_SCHEME.get(doc.syntax, ("TAX", "FC"))
    for reg in seller.tax_registrations:
        if norm(reg.tax_scheme_id) in schemes and norm(reg.company_id) == "Foretaksregisteret":
            return
    yield located(seller)
