"""Italian rules (IT-R-*), applied when the rule set's supplier country is IT.

In UBL they are read from the tree, in the official contexts (every seller party, every
tax scheme of it); in CII from the seller as the reader reads it (the CII rule set takes the
first seller party, ``ram:SellerTradeParty[1]``, in its supplier country).
"""

from __future__ import annotations

import re

from ...basics import Syntax
from ...syntax.namespaces import UBL_NS
from ..values import string_value
from . import RULES
from ._checks import country_rules, doc_supplier_country, norm, ubl_xpath

# every rule below needs the supplier country IT
rule = country_rules(RULES, "IT", applies=lambda doc: doc_supplier_country(doc) == "IT")

_BT32 = re.compile(r"[A-Z0-9]{11,16}")
_SELLERS = ubl_xpath("/*/cac:AccountingSupplierParty/cac:Party")
_CAC, _CBC = f"{{{UBL_NS['cac']}}}", f"{{{UBL_NS['cbc']}}}"


def _bt32_bad(value: str | None) -> bool:
    return not _BT32.fullmatch(norm(value))


@rule("IT-R-001")
def it_r_001(doc):
    """The Italian seller's tax registration (codice fiscale, BT-32) has 11 to 16 letters/digits."""
    if doc.syntax == Syntax.UBL:
        # context cac:PartyTaxScheme[normalize-space(cac:TaxScheme/cbc:ID) != 'VAT'] of each seller party:
        # a scheme with two identifiers fails normalize-space, and the context does not match
        for party in _SELLERS(doc.root):
            for scheme in party.iterfind(_CAC + "PartyTaxScheme"):
                ids = scheme.findall(f"{_CAC}TaxScheme/{_CBC}ID")
                if len(ids) > 1 or (ids and norm(string_value(ids[0])) == "VAT"):
                    continue
                company = scheme.find(_CBC + "CompanyID")
                value = string_value(company) if company is not None else ""
                if _bt32_bad(value):
                    yield (company if company is not None else scheme), {"value": value}
        return
    seller = doc.invoice.seller
    for reg in seller.tax_registrations if seller is not None else ():
        if reg.company_id is not None and norm(reg.tax_scheme_id) != "FC":
            continue  # a registration under another scheme is not BT-32
        if _bt32_bad(reg.company_id):
            yield (reg, "company_id", {"value": reg.company_id or ""})


def _address_rule(ubl_child: str, field: str):
    """The Italian seller's postal address has this element (UBL: in some cac:PostalAddress of the party)."""
    def check(doc):
        if doc.syntax == Syntax.UBL:
            for party in _SELLERS(doc.root):
                if party.find(f"{_CAC}PostalAddress/{_CBC}{ubl_child}") is None:
                    address = party.find(_CAC + "PostalAddress")
                    yield party if address is None else address
            return
        seller = doc.invoice.seller
        if seller is not None and (seller.address is None or getattr(seller.address, field) is None):
            yield seller.address or seller

    return check


for _rid, _child, _field in (("IT-R-002", "StreetName", "line1"), ("IT-R-003", "CityName", "city"),
                             ("IT-R-004", "PostalZone", "postal_code")):
    rule(_rid)(_address_rule(_child, _field))
