"""Italian rules (IT-R-*), applied when the rule set's supplier country is IT."""

from __future__ import annotations

import re

from ...basics import Syntax
from . import RULES
from ._checks import country_rules, doc_supplier_country, norm

# every rule below needs the supplier country IT (_italian_seller)
rule = country_rules(RULES, "IT", applies=lambda doc: doc_supplier_country(doc) == "IT")

_BT32 = re.compile(r"[A-Z0-9]{11,16}")


def _italian_seller(doc):
    seller = doc.invoice.seller
    if seller is None or doc_supplier_country(doc) != "IT":
        return None
    return seller


@rule("IT-R-001")
def it_r_001(doc):
    """The Italian seller's tax registration (codice fiscale, BT-32) has 11 to 16 letters/digits."""
    seller = _italian_seller(doc)
    if seller is None:
        return
    for reg in seller.tax_registrations:
        if doc.syntax == Syntax.CII:
            if reg.company_id is not None and norm(reg.tax_scheme_id) != "FC":
                continue  # a registration under another scheme is not BT-32
        elif norm(reg.tax_scheme_id) == "VAT":
            continue
        if not _BT32.fullmatch(norm(reg.company_id)):
            yield (reg, "company_id", {"value": reg.company_id or ""})


def _address_field(doc, field: str):
    seller = _italian_seller(doc)
    if seller is None:
        return
    if seller.address is None or getattr(seller.address, field) is None:
        yield seller.address or seller


@rule("IT-R-002")
def it_r_002(doc):
    yield from _address_field(doc, "line1")


@rule("IT-R-003")
def it_r_003(doc):
    yield from _address_field(doc, "city")


@rule("IT-R-004")
def it_r_004(doc):
    yield from _address_field(doc, "postal_code")
