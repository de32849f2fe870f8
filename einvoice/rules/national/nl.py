"""Dutch rules (NL-R-*, from the Dutch CIUS NLCIUS), read from the tree in the official contexts.

The rule set decides Dutch rules on the seller's postal country (``NL`` after upper-case and
normalize-space; a party with two country codes fails that expression, and then no context
matches); some also need a Dutch buyer or tax representative. Each rule is a context per syntax
(``_CONTEXTS``) and one test of the context element.
"""

from __future__ import annotations

from ...basics import Syntax
from .. import values as V
from . import RULES
from ._checks import country_rules, norm, postal_is, syntax_paths

rule = country_rules(RULES, "NL", applies=lambda doc: postal_is(doc, "seller", "NL"))

PAYMENT_CODES = ("30", "48", "49", "57", "58", "59")
_AGREEMENT = "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement"
_SETTLEMENT = "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
# rule -> (the party whose postal country must be NL too, UBL context, CII context)
_CONTEXTS = {
    "NL-R-001": (None, "//cbc:CreditNoteTypeCode", "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument"),
    "NL-R-002": (None, "//cac:AccountingSupplierParty/cac:Party/cac:PostalAddress",
                 f"{_AGREEMENT}/ram:SellerTradeParty/ram:PostalTradeAddress"),
    "NL-R-003": (None, "//cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID",
                 f"{_AGREEMENT}/ram:SellerTradeParty/ram:SpecifiedLegalOrganization/ram:ID"),
    "NL-R-004": ("buyer", "//cac:AccountingCustomerParty/cac:Party/cac:PostalAddress",
                 f"{_AGREEMENT}/ram:BuyerTradeParty/ram:PostalTradeAddress"),
    "NL-R-005": ("buyer", "//cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID",
                 f"{_AGREEMENT}/ram:BuyerTradeParty/ram:SpecifiedLegalOrganization/ram:ID"),
    "NL-R-006": ("representative", "//cac:TaxRepresentativeParty/cac:PostalAddress",
                 f"{_AGREEMENT}/ram:SellerTaxRepresentativeTradeParty/ram:PostalTradeAddress"),
    "NL-R-007": (None, "//cac:LegalMonetaryTotal", f"{_SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"),
    "NL-R-008": ("buyer", "//cac:PaymentMeans", f"{_SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans"),
    "NL-R-009": (None, "//cac:OrderLineReference/cbc:LineID",
                 "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem"
                 "/ram:SpecifiedLineTradeAgreement/ram:BuyerOrderReferencedDocument/ram:LineID"),
}
_contexts = syntax_paths({Syntax.UBL: {rid: u for rid, (_who, u, _c) in _CONTEXTS.items()},
                          Syntax.CII: {rid: c for rid, (_who, _u, c) in _CONTEXTS.items()}})
_PATHS = {  # what the tests read, per syntax
    Syntax.UBL: {"street": "cbc:StreetName", "city": "cbc:CityName", "zone": "cbc:PostalZone",
                 "payable": "cbc:PayableAmount", "code": "cbc:PaymentMeansCode",
                 "invoice_ref": "/*/cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID",
                 "order_ref": "/*/cac:OrderReference/cbc:ID", "means": "//cac:PaymentMeans"},
    Syntax.CII: {"street": "ram:LineOne", "city": "ram:CityName", "zone": "ram:PostcodeCode",
                 "payable": "ram:DuePayableAmount", "code": "ram:TypeCode", "type": "ram:TypeCode",
                 "invoice_ref": "//ram:ApplicableHeaderTradeSettlement/ram:InvoiceReferencedDocument/ram:IssuerAssignedID",
                 "order_ref": f"{_AGREEMENT}/ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID",
                 "means": f"{_SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans",
                 "doc_type": "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:TypeCode/text()"},
}
_x = syntax_paths(_PATHS)
CREDIT_TYPES_CII = ("81", "83", "381", "396", "532")


def _has(doc, name: str, el) -> bool:
    return bool(_x(doc, name, el))


def _address_complete(doc, el):
    if not (_has(doc, "street", el) and _has(doc, "city", el) and _has(doc, "zone", el)):
        yield el


def _legal_id(doc, el):
    """KVK (0106) or OIN (0190): ``contains(concat(' ', string-join(@schemeID, ' '), ' '), ' 0106 ')`` ... and text."""
    scheme = el.get("schemeID")
    padded = f" {scheme or ''} "
    if not ((" 0106 " in padded or " 0190 " in padded) and norm(V.string_value(el))):
        yield el, {"scheme": norm(scheme) or "none"}


def _credit_note_reference(doc, el):
    if doc.syntax == Syntax.CII:  # the context: a type code of a credit note (normalize-space of one code)
        codes = _x(doc, "type", el)
        if len(codes) != 1 or norm(V.string_value(codes[0])) not in CREDIT_TYPES_CII:
            return
        el = codes[0]
    if not _has(doc, "invoice_ref", el):
        yield el


def _payment_instructions(doc, el):
    """Something is to be paid (an invoice's amount due above zero, a credit note's below) and no payment means."""
    if _has(doc, "means", el):
        return
    amounts = _x(doc, "payable", el)
    value = V.decimal_or_none(amounts[0]) if len(amounts) == 1 else None
    if doc.syntax == Syntax.UBL:
        credit = doc.root.tag.endswith("}CreditNote")
    else:
        credit = [norm(t) for t in _x(doc, "doc_type", el)] == ["381"]
    if value is None or (value < 0 if credit else value > 0):
        yield amounts[0] if amounts else el


def _payment_code(doc, el):
    codes = _x(doc, "code", el)
    value = norm(V.string_value(codes[0])) if len(codes) == 1 else None
    if value not in PAYMENT_CODES:
        yield (codes[0] if codes else el), {"value": value or ""}


def _order_reference(doc, el):
    if not _has(doc, "order_ref", el):
        yield el


_TESTS = {"NL-R-001": _credit_note_reference, "NL-R-002": _address_complete, "NL-R-003": _legal_id,
          "NL-R-004": _address_complete, "NL-R-005": _legal_id, "NL-R-006": _address_complete,
          "NL-R-007": _payment_instructions, "NL-R-008": _payment_code, "NL-R-009": _order_reference}


def _rule(rid: str):
    who, test = _CONTEXTS[rid][0], _TESTS[rid]

    def check(doc):
        if who is not None and not postal_is(doc, who, "NL"):
            return
        for el in _contexts(doc, rid):
            yield from test(doc, el)

    return check


for _rid in _CONTEXTS:
    rule(_rid)(_rule(_rid))
