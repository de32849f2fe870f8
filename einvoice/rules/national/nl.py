"""Dutch rules (NL-R-*, from the Dutch CIUS NLCIUS).

The rule set decides Dutch rules on the seller's postal country (``NL``);
some also need a Dutch buyer or tax representative.
"""

from __future__ import annotations

from ...basics import Syntax
from . import RULES
from ._checks import country_rules, norm, postal_country, ubl_postal_is

# every rule below needs a Dutch seller by its postal country (_seller_nl)
rule = country_rules(RULES, "NL", applies=lambda doc: _is_nl(doc, "seller"))

CREDIT_TYPES_CII = ("81", "83", "381", "396", "532")
LEGAL_SCHEMES = ("0106", "0190")
PAYMENT_CODES = ("30", "48", "49", "57", "58", "59")


def _is_nl(doc, who: str) -> bool:
    """``$supplierCountryIsNL`` and friends: the party's postal country is NL (in UBL false where it has
    several country codes: the official expression fails there)."""
    if doc.syntax == Syntax.UBL:
        return ubl_postal_is(doc, who, "NL")
    party = getattr(doc.invoice, "tax_representative" if who == "representative" else who)
    return norm(postal_country(party)).upper() == "NL"


def _seller_nl(doc) -> bool:
    return _is_nl(doc, "seller")


def _is_credit(doc) -> bool:
    inv = doc.invoice
    if doc.syntax == Syntax.CII:
        return norm(inv.type_code) == "381"
    return inv.is_credit_note


@rule("NL-R-001")
def nl_r_001(doc):
    """A Dutch seller's credit note refers to the invoice it corrects."""
    inv = doc.invoice
    if not _seller_nl(doc):
        return
    if doc.syntax == Syntax.CII:
        applies = norm(inv.type_code) in CREDIT_TYPES_CII
    else:
        applies = inv.is_credit_note and inv.type_code is not None
    if applies and not any(p.reference is not None for p in inv.preceding_invoices):
        yield (inv, "type_code")


def _address_complete(address) -> bool:
    """True for a complete address, and where there is no address at all (the rule is about a stated address)."""
    if address is None:
        return True
    return address.line1 is not None and address.city is not None and address.postal_code is not None


@rule("NL-R-002")
def nl_r_002(doc):
    inv = doc.invoice
    if _seller_nl(doc) and not _address_complete(inv.seller.address):
        yield inv.seller.address


def _legal_id_ok(lid) -> bool:
    return norm(lid.scheme_id) in LEGAL_SCHEMES and norm(lid.value) != ""


@rule("NL-R-003")
def nl_r_003(doc):
    """A Dutch seller's legal registration identifier is a KVK (0106) or OIN (0190) number."""
    inv = doc.invoice
    if not _seller_nl(doc):
        return
    lid = inv.seller.legal_registration_id
    if lid is not None and not _legal_id_ok(lid):
        yield (lid, "scheme_id", {"scheme": norm(lid.scheme_id) or "none"})


@rule("NL-R-004")
def nl_r_004(doc):
    inv = doc.invoice
    if _seller_nl(doc) and _is_nl(doc, "buyer") and inv.buyer is not None and not _address_complete(inv.buyer.address):
        yield inv.buyer.address


@rule("NL-R-005")
def nl_r_005(doc):
    inv = doc.invoice
    if not (_seller_nl(doc) and _is_nl(doc, "buyer")):
        return
    lid = inv.buyer.legal_registration_id
    if lid is not None and not _legal_id_ok(lid):
        yield (lid, "scheme_id", {"scheme": norm(lid.scheme_id) or "none"})


@rule("NL-R-006")
def nl_r_006(doc):
    inv = doc.invoice
    rep = inv.tax_representative
    if _seller_nl(doc) and _is_nl(doc, "representative") and not _address_complete(rep.address):
        yield rep.address


@rule("NL-R-007")
def nl_r_007(doc):
    """A Dutch seller who is to be paid states how (payment instructions)."""
    inv = doc.invoice
    if not _seller_nl(doc) or inv.totals is None or inv.payment_means:
        return
    payable = inv.totals.payable_amount.value if inv.totals.payable_amount is not None else None
    if payable is not None:
        if _is_credit(doc) and payable >= 0:
            return
        if not _is_credit(doc) and payable <= 0:
            return
    yield (inv.totals, "payable_amount")


@rule("NL-R-008")
def nl_r_008(doc):
    inv = doc.invoice
    if not (_seller_nl(doc) and _is_nl(doc, "buyer")):
        return
    for pm in inv.payment_means:
        if norm(pm.code) not in PAYMENT_CODES:
            yield (pm, "code", {"value": norm(pm.code)})


@rule("NL-R-009")
def nl_r_009(doc):
    """An order line reference needs the order reference on document level."""
    inv = doc.invoice
    if not _seller_nl(doc) or inv.purchase_order_reference is not None:
        return
    for line in inv.lines:
        if line.order_line_reference is not None:
            yield (line, "order_line_reference")
