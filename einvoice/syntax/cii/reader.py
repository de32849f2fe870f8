"""Read a UN/CEFACT CII D16B ``rsm:CrossIndustryInvoice`` (Factur-X / ZUGFeRD) into the model.

The reader is lenient: it walks the children of each container once, maps the
EN 16931 business terms it knows and ignores everything else. Absent terms read
as ``None`` (or empty lists); a leaf that is present but empty reads as ``""``;
a number or date that cannot be read reads as ``None`` while the element is
still remembered (``set_source``) so a finding can point at it. It never raises
on content.

Binding notes (CII -> model):

* BT-24 / BT-23: ``ExchangedDocumentContext`` Guideline / BusinessProcess ``ID``.
* Dates: ``udt:DateTimeString`` (and ``udt:DateString`` / ``qdt:DateTimeString``)
  with format 102 (``YYYYMMDD``); other formats read as ``None``.
* Party identifiers: ``ram:ID`` and ``ram:GlobalID`` (scheme in ``@schemeID``)
  in document order; a tax registration with scheme ``VA`` is VAT, any other
  (``FC``) another tax registration.
* ``TaxTotalAmount`` (0..2) -> ``Invoice.tax_totals``; the header
  ``ApplicableTradeTax`` (BG-23) belongs to the total in the invoice currency
  (or to a total without amount when there is none).
* BT-7 / BT-8 sit on the header ``ApplicableTradeTax``; the first stated wins.
  BT-8 is mapped from UNTDID 2475 (5, 29, 72) to the model's UNTDID 2005 (3, 35, 432).
* BT-83 ``PaymentReference`` is copied onto every payment means; BT-89 (mandate,
  in the payment terms) and BT-90 (``CreditorReferenceID``) go to the direct
  debit of the means with code 59 (or a debited account), else the first means;
  without any ``SpecifiedTradeSettlementPaymentMeans`` they are
  ``Invoice.payment_without_means`` (no payment means for the rules to count).
* A header ``AdditionalReferencedDocument`` is a supporting document (BG-24),
  except the first with type code 130, which is BT-18 (scheme from
  ``ReferenceTypeCode``), and the first with 50, which is BT-17.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ...model.invoice import (
    Address,
    AllowanceCharge,
    Amount,
    AttachedObject,
    Card,
    Contact,
    CreditTransfer,
    Delivery,
    DirectDebit,
    DocumentTotals,
    Identifier,
    Invoice,
    InvoiceLine,
    Item,
    Note,
    Party,
    PaymentMeans,
    Period,
    PrecedingInvoice,
    Price,
    SupportingDocument,
    TaxCategory,
    TaxTotal,
    VatBreakdown,
)
from ...model.construct import construct
from ..binding import Binding, Kind
from ..codes import CODECS, tax_point_from_cii
from ..namespaces import CII_NS, QDT, RAM, RSM, UDT
from . import binding as table
from ...rules import values as V

_R = "{%s}" % RAM
_U = "{%s}" % UDT
_Q = "{%s}" % QDT
_S = "{%s}" % RSM

# qualified names, computed once
Q_DateTimeString = _Q + "DateTimeString"
R_AccountName = _R + "AccountName"
R_ActualAmount = _R + "ActualAmount"
R_ActualDeliverySupplyChainEvent = _R + "ActualDeliverySupplyChainEvent"
R_AdditionalReferencedDocument = _R + "AdditionalReferencedDocument"
R_AllowanceTotalAmount = _R + "AllowanceTotalAmount"
R_ApplicableHeaderTradeAgreement = _R + "ApplicableHeaderTradeAgreement"
R_ApplicableHeaderTradeDelivery = _R + "ApplicableHeaderTradeDelivery"
R_ApplicableHeaderTradeSettlement = _R + "ApplicableHeaderTradeSettlement"
R_ApplicableTradeSettlementFinancialCard = _R + "ApplicableTradeSettlementFinancialCard"
R_ApplicableTradeTax = _R + "ApplicableTradeTax"
R_AppliedTradeAllowanceCharge = _R + "AppliedTradeAllowanceCharge"
R_AssociatedDocumentLineDocument = _R + "AssociatedDocumentLineDocument"
R_BICID = _R + "BICID"
R_BasisAmount = _R + "BasisAmount"
R_BasisQuantity = _R + "BasisQuantity"
R_BilledQuantity = _R + "BilledQuantity"
R_BillingSpecifiedPeriod = _R + "BillingSpecifiedPeriod"
R_BusinessProcessSpecifiedDocumentContextParameter = _R + "BusinessProcessSpecifiedDocumentContextParameter"
R_BuyerOrderReferencedDocument = _R + "BuyerOrderReferencedDocument"
R_BuyerReference = _R + "BuyerReference"
R_BuyerTradeParty = _R + "BuyerTradeParty"
R_CalculatedAmount = _R + "CalculatedAmount"
R_CardholderName = _R + "CardholderName"
R_ChargeAmount = _R + "ChargeAmount"
R_ChargeTotalAmount = _R + "ChargeTotalAmount"
R_Content = _R + "Content"
R_ContractReferencedDocument = _R + "ContractReferencedDocument"
R_CreditorReferenceID = _R + "CreditorReferenceID"
R_DepartmentName = _R + "DepartmentName"
R_Description = _R + "Description"
R_DespatchAdviceReferencedDocument = _R + "DespatchAdviceReferencedDocument"
R_DirectDebitMandateID = _R + "DirectDebitMandateID"
R_DueDateDateTime = _R + "DueDateDateTime"
R_DueDateTypeCode = _R + "DueDateTypeCode"
R_DuePayableAmount = _R + "DuePayableAmount"
R_GlobalID = _R + "GlobalID"
R_GrandTotalAmount = _R + "GrandTotalAmount"
R_GrossPriceProductTradePrice = _R + "GrossPriceProductTradePrice"
R_GuidelineSpecifiedDocumentContextParameter = _R + "GuidelineSpecifiedDocumentContextParameter"
R_IBANID = _R + "IBANID"
R_ID = _R + "ID"
R_IncludedNote = _R + "IncludedNote"
R_IncludedSupplyChainTradeLineItem = _R + "IncludedSupplyChainTradeLineItem"
R_Information = _R + "Information"
R_InvoiceCurrencyCode = _R + "InvoiceCurrencyCode"
R_InvoiceReferencedDocument = _R + "InvoiceReferencedDocument"
R_IssueDateTime = _R + "IssueDateTime"
R_IssuerAssignedID = _R + "IssuerAssignedID"
R_LineID = _R + "LineID"
R_LineTotalAmount = _R + "LineTotalAmount"
R_Name = _R + "Name"
R_NetPriceProductTradePrice = _R + "NetPriceProductTradePrice"
R_OccurrenceDateTime = _R + "OccurrenceDateTime"
R_PayeePartyCreditorFinancialAccount = _R + "PayeePartyCreditorFinancialAccount"
R_PayeeSpecifiedCreditorFinancialInstitution = _R + "PayeeSpecifiedCreditorFinancialInstitution"
R_PayeeTradeParty = _R + "PayeeTradeParty"
R_PayerPartyDebtorFinancialAccount = _R + "PayerPartyDebtorFinancialAccount"
R_PaymentReference = _R + "PaymentReference"
R_PersonName = _R + "PersonName"
R_PostalTradeAddress = _R + "PostalTradeAddress"
R_ProprietaryID = _R + "ProprietaryID"
R_ReceivableSpecifiedTradeAccountingAccount = _R + "ReceivableSpecifiedTradeAccountingAccount"
R_ReceivingAdviceReferencedDocument = _R + "ReceivingAdviceReferencedDocument"
R_ReferenceTypeCode = _R + "ReferenceTypeCode"
R_RoundingAmount = _R + "RoundingAmount"
R_SellerOrderReferencedDocument = _R + "SellerOrderReferencedDocument"
R_SellerTaxRepresentativeTradeParty = _R + "SellerTaxRepresentativeTradeParty"
R_SellerTradeParty = _R + "SellerTradeParty"
R_ShipToTradeParty = _R + "ShipToTradeParty"
R_SpecifiedLineTradeAgreement = _R + "SpecifiedLineTradeAgreement"
R_SpecifiedLineTradeDelivery = _R + "SpecifiedLineTradeDelivery"
R_SpecifiedLineTradeSettlement = _R + "SpecifiedLineTradeSettlement"
R_SpecifiedProcuringProject = _R + "SpecifiedProcuringProject"
R_SpecifiedTradeAllowanceCharge = _R + "SpecifiedTradeAllowanceCharge"
R_SpecifiedTradePaymentTerms = _R + "SpecifiedTradePaymentTerms"
R_SpecifiedTradeProduct = _R + "SpecifiedTradeProduct"
R_SpecifiedTradeSettlementHeaderMonetarySummation = _R + "SpecifiedTradeSettlementHeaderMonetarySummation"
R_SpecifiedTradeSettlementLineMonetarySummation = _R + "SpecifiedTradeSettlementLineMonetarySummation"
R_SpecifiedTradeSettlementPaymentMeans = _R + "SpecifiedTradeSettlementPaymentMeans"
R_TaxBasisTotalAmount = _R + "TaxBasisTotalAmount"
R_TaxCurrencyCode = _R + "TaxCurrencyCode"
R_TaxPointDate = _R + "TaxPointDate"
R_TaxTotalAmount = _R + "TaxTotalAmount"
R_TotalPrepaidAmount = _R + "TotalPrepaidAmount"
R_TypeCode = _R + "TypeCode"
S_ExchangedDocument = _S + "ExchangedDocument"
S_ExchangedDocumentContext = _S + "ExchangedDocumentContext"
S_SupplyChainTradeTransaction = _S + "SupplyChainTradeTransaction"
U_DateString = _U + "DateString"
U_DateTimeString = _U + "DateTimeString"



def make(cls, el: Any, values: dict[str, Any], els: dict[str, Any] | None = None):
    """A model object with ``values`` set (unvalidated, like model_construct) and its source elements."""
    return construct(cls, values, el, els)


# --------------------------------------------------------------------------- leaf values
# lexical values are read as the rules read them: einvoice.rules.values


def text(el: Any) -> str | None:
    """Text of a leaf element: ``None`` when absent, ``""`` when present and empty."""
    if el is None:
        return None
    t = el.text
    if len(el):  # comments or stray children inside a leaf: keep all text
        t = "".join(x for x in el.itertext())
    return t if t is not None else ""


def dec(el: Any) -> Decimal | None:
    """xs:decimal value of an element's string value (None when absent or not a decimal)."""
    return None if el is None else V.decimal_or_none(el)


def parse_102(t: Any) -> date | None:
    """A date in format 102 (YYYYMMDD) from a string or an element; None when it is no real date."""
    return None if t is None else V.date_102(t)


def date_of(container: Any) -> tuple[date | None, Any]:
    """A date from a container holding udt:DateTimeString / udt:DateString / qdt:DateTimeString.

    Returns the date (or None) and the element that holds the string (or the container).
    """
    if container is None:
        return None, None
    for c in container:
        tag = c.tag
        if tag in (U_DateTimeString, U_DateString, Q_DateTimeString):
            fmt = c.get("format")
            if fmt is None or V.trim(fmt) == "102":
                return parse_102(c), c
            return None, c
    return None, container


def amount(el: Any) -> Amount | None:
    if el is None:
        return None
    return make(Amount, el, {"value": dec(el), "currency_id": el.get("currencyID")}, {"value": el, "currency_id": el})


def ident(el: Any, scheme_attr: str = "schemeID") -> Identifier | None:
    if el is None:
        return None
    return make(Identifier, el, {"value": text(el), "scheme_id": el.get(scheme_attr),
                                 "scheme_version_id": el.get("schemeVersionID")}, {"value": el, "scheme_id": el})


def indicator(raw: str | None) -> bool | None:
    return None if raw is None else V.xs_boolean(raw)


def _first(el: Any, tag: str) -> Any:
    if el is None:
        return None
    for c in el:
        if c.tag == tag:
            return c
    return None


# --------------------------------------------------------------------------- groups read by the binding table
def _date_leaf(el: Any) -> date | None:
    """A format 102 date string (udt:DateTimeString, udt:DateString, qdt:DateTimeString); another format: None."""
    fmt = el.get("format")
    return parse_102(el) if fmt is None or V.trim(fmt) == "102" else None


KINDS = {
    "text": Kind(text, None),
    "decimal": Kind(dec, None),
    "date": Kind(_date_leaf, None),
    "bool": Kind(lambda el: indicator(text(el)), None),
    "bytes": Kind(lambda el: read_attachment(el).content, None),
    "amount": Kind(amount, None),
}

def _contact_name(b: Binding, el: Any, vals: dict, els: dict, ctx: Any) -> None:
    """BT-41/56: ``ram:PersonName`` (the last stated), else the first ``ram:DepartmentName``."""
    for c in el:
        if c.tag == R_PersonName or (c.tag == R_DepartmentName and "name" not in vals):
            vals["name"], els["name"] = text(c), c


# converters of terms that are no plain path (reading; None: read by the path)
CONVERTERS = {
    "contact_name": (_contact_name, None),
    "party_identifiers": (None, None),
    "tax_registrations": (None, None),
}

BINDING = Binding(table.BINDING, CII_NS, KINDS, CONVERTERS, CODECS, lambda tag: None)


def read_party(el: Any) -> Party:
    """A trade party (BG-4/7/10/11), by the binding table."""
    return BINDING.read(Party, el)


def read_contact(el: Any) -> Contact:
    return BINDING.read(Contact, el)


def read_period(el: Any) -> Period:
    """BG-14 / BG-26 (``ram:BillingSpecifiedPeriod``), by the binding table."""
    return BINDING.read(Period, el)


def read_address(el: Any) -> Address:
    """BG-5/8/12/15 (``ram:PostalTradeAddress``), by the binding table."""
    return BINDING.read(Address, el)


def read_tax_category(el: Any) -> TaxCategory:
    """A ram:TradeTaxType as a VAT category (CategoryCode, RateApplicablePercent, exemption, TypeCode), by the table."""
    return BINDING.read(TaxCategory, el)


def read_allowance_charge(el: Any) -> AllowanceCharge:
    """BG-20/21/27/28 (``ram:SpecifiedTradeAllowanceCharge``), by the binding table."""
    return BINDING.read(AllowanceCharge, el)


def _ref_id(el: Any) -> tuple[str | None, Any]:
    i = _first(el, R_IssuerAssignedID)
    return text(i), (i if i is not None else el)


def read_supporting_document(el: Any) -> tuple[SupportingDocument, str | None]:
    """A header ``AdditionalReferencedDocument`` (by the binding table) with its type code; with 130 (BT-18)
    the identifier's scheme is its ``ReferenceTypeCode``."""
    doc = BINDING.read(SupportingDocument, el)
    tc = _first(el, R_TypeCode)
    type_code = text(tc)
    ref_type = _first(el, R_ReferenceTypeCode)
    if ref_type is not None and (type_code or "").strip() == "130":
        i = doc.id
        if i is None:
            i = doc.__dict__["id"] = make(Identifier, el, {})
            doc.__pydantic_fields_set__.add("id")
        i.__dict__["scheme_id"] = text(ref_type)
        i.__pydantic_fields_set__.add("scheme_id")
        i._els["scheme_id"] = ref_type
    return doc, type_code


def read_attachment(el: Any) -> AttachedObject:
    import base64
    import binascii

    raw = el.text
    content = b"" if raw is None or not raw.strip() else None
    if content is None:
        try:
            content = base64.b64decode("".join(raw.split()), validate=True)
        except (binascii.Error, ValueError):
            content = None
    return make(AttachedObject, el, {"content": content, "mime_code": el.get("mimeCode"), "filename": el.get("filename")},
                {"content": el, "mime_code": el, "filename": el})


# --------------------------------------------------------------------------- lines
def read_product(el: Any) -> Item:
    """BG-31 (``ram:SpecifiedTradeProduct``), by the binding table (its VAT category is the line's)."""
    return BINDING.read(Item, el)


def read_line(el: Any) -> InvoiceLine:
    v: dict[str, Any] = {}
    e: dict[str, Any] = {}
    item = None
    tax = None
    tax_el = None
    pv: dict[str, Any] = {}
    pe: dict[str, Any] = {}
    price_el = None
    acs: list[AllowanceCharge] = []
    for c in el:
        tag = c.tag
        if tag == R_AssociatedDocumentLineDocument:
            for g in c:
                if g.tag == R_LineID:
                    v["id"] = text(g)
                    e["id"] = g
                elif g.tag == R_IncludedNote and "note" not in v:
                    n = _first(g, R_Content)
                    v["note"] = text(n)
                    e["note"] = n if n is not None else g
        elif tag == R_SpecifiedTradeProduct:
            item = read_product(c)
            e["item"] = c
        elif tag == R_SpecifiedLineTradeAgreement:
            for g in c:
                gt = g.tag
                if gt == R_BuyerOrderReferencedDocument:
                    lid = _first(g, R_LineID)
                    v["order_line_reference"] = text(lid)
                    e["order_line_reference"] = lid if lid is not None else g
                elif gt == R_GrossPriceProductTradePrice:
                    if price_el is None:
                        price_el = g
                    for p in g:
                        if p.tag == R_ChargeAmount:
                            pv["gross_amount"] = amount(p)
                            pe["gross_amount"] = p
                        elif p.tag == R_BasisQuantity:
                            if "base_quantity" not in pv:
                                pv["base_quantity"] = dec(p)
                                pv["base_quantity_unit"] = p.get("unitCode")
                                pe["base_quantity"] = pe["base_quantity_unit"] = p
                        elif p.tag == R_AppliedTradeAllowanceCharge and "discount" not in pv:
                            a = _first(p, R_ActualAmount)
                            if a is not None:
                                pv["discount"] = amount(a)
                                pe["discount"] = a
                elif gt == R_NetPriceProductTradePrice:
                    price_el = g
                    for p in g:
                        if p.tag == R_ChargeAmount:
                            pv["net_amount"] = amount(p)
                            pe["net_amount"] = p
                        elif p.tag == R_BasisQuantity:
                            # the net price's base quantity wins over the gross price's
                            pv["base_quantity"] = dec(p)
                            pv["base_quantity_unit"] = p.get("unitCode")
                            pe["base_quantity"] = pe["base_quantity_unit"] = p
        elif tag == R_SpecifiedLineTradeDelivery:
            q = _first(c, R_BilledQuantity)
            if q is not None:
                v["quantity"] = dec(q)
                v["unit_code"] = q.get("unitCode")
                e["quantity"] = e["unit_code"] = q
        elif tag == R_SpecifiedLineTradeSettlement:
            for g in c:
                gt = g.tag
                if gt == R_ApplicableTradeTax:
                    if tax is None:
                        tax = read_tax_category(g)
                        tax_el = g
                elif gt == R_BillingSpecifiedPeriod:
                    v["period"] = read_period(g)
                    e["period"] = g
                elif gt == R_SpecifiedTradeAllowanceCharge:
                    acs.append(read_allowance_charge(g))
                elif gt == R_SpecifiedTradeSettlementLineMonetarySummation:
                    a = _first(g, R_LineTotalAmount)
                    v["net_amount"] = amount(a)
                    e["net_amount"] = a if a is not None else g
                elif gt == R_AdditionalReferencedDocument:
                    tc = _first(g, R_TypeCode)
                    if tc is not None and (tc.text or "").strip() == "130" and "object_id" not in v:
                        i = _first(g, R_IssuerAssignedID)
                        rtc = _first(g, R_ReferenceTypeCode)
                        v["object_id"] = make(Identifier, i if i is not None else g,
                                              {"value": text(i), "scheme_id": text(rtc)},
                                              {"value": i, "scheme_id": rtc})
                        e["object_id"] = i if i is not None else g
                elif gt == R_ReceivableSpecifiedTradeAccountingAccount:
                    if "buyer_accounting_reference" not in v:
                        i = _first(g, R_ID)
                        v["buyer_accounting_reference"] = text(i)
                        e["buyer_accounting_reference"] = i if i is not None else g
    if tax is not None:
        if item is None:
            item = make(Item, None, {})
        item.__dict__["tax_category"] = tax
        item.__pydantic_fields_set__.add("tax_category")
        item._els["tax_category"] = tax_el
    if item is not None:
        v["item"] = item
    if price_el is not None:
        v["price"] = make(Price, price_el, pv, pe)
        e["price"] = price_el
    if acs:
        v["allowances_charges"] = acs
    return make(InvoiceLine, el, v, e)


# --------------------------------------------------------------------------- the document
def read_cii(root: Any) -> Invoice:
    """The model of a CII ``rsm:CrossIndustryInvoice`` (or of a fragment of one)."""
    v: dict[str, Any] = {}
    e: dict[str, Any] = {}
    notes: list[Note] = []
    lines: list[InvoiceLine] = []
    for c in root:
        tag = c.tag
        if tag == S_ExchangedDocumentContext:
            for g in c:
                if g.tag == R_GuidelineSpecifiedDocumentContextParameter:
                    if "customization_id" not in v:
                        i = _first(g, R_ID)
                        v["customization_id"] = text(i)
                        e["customization_id"] = i if i is not None else g
                elif g.tag == R_BusinessProcessSpecifiedDocumentContextParameter:
                    if "profile_id" not in v:
                        i = _first(g, R_ID)
                        v["profile_id"] = text(i)
                        e["profile_id"] = i if i is not None else g
        elif tag == S_ExchangedDocument:
            for g in c:
                gt = g.tag
                if gt == R_ID:
                    v["number"] = text(g)
                    e["number"] = g
                elif gt == R_TypeCode:
                    v["type_code"] = text(g)
                    e["type_code"] = g
                elif gt == R_IssueDateTime:
                    v["issue_date"], e["issue_date"] = date_of(g)
                elif gt == R_IncludedNote:
                    notes.append(BINDING.read(Note, g))
        elif tag == S_SupplyChainTradeTransaction:
            for g in c:
                gt = g.tag
                if gt == R_IncludedSupplyChainTradeLineItem:
                    lines.append(read_line(g))
                elif gt == R_ApplicableHeaderTradeAgreement:
                    _read_agreement(g, v, e)
                elif gt == R_ApplicableHeaderTradeDelivery:
                    _read_delivery(g, v, e)
                elif gt == R_ApplicableHeaderTradeSettlement:
                    _read_settlement(g, v, e)
    if notes:
        v["notes"] = notes
    if lines:
        v["lines"] = lines
    return make(Invoice, root, v, e)


def _read_agreement(el: Any, v: dict, e: dict) -> None:
    docs: list[SupportingDocument] = []
    for c in el:
        tag = c.tag
        if tag == R_BuyerReference:
            v["buyer_reference"] = text(c)
            e["buyer_reference"] = c
        elif tag == R_SellerTradeParty:
            v["seller"] = read_party(c)
            e["seller"] = c
        elif tag == R_BuyerTradeParty:
            v["buyer"] = read_party(c)
            e["buyer"] = c
        elif tag == R_SellerTaxRepresentativeTradeParty:
            v["tax_representative"] = read_party(c)
            e["tax_representative"] = c
        elif tag == R_SellerOrderReferencedDocument:
            v["sales_order_reference"], e["sales_order_reference"] = _ref_id(c)
        elif tag == R_BuyerOrderReferencedDocument:
            v["purchase_order_reference"], e["purchase_order_reference"] = _ref_id(c)
        elif tag == R_ContractReferencedDocument:
            v["contract_reference"], e["contract_reference"] = _ref_id(c)
        elif tag == R_AdditionalReferencedDocument:
            doc, type_code = read_supporting_document(c)
            code = (type_code or "").strip()
            if code == "130" and "invoiced_object_id" not in v and doc.id is not None:
                v["invoiced_object_id"] = doc.id
                e["invoiced_object_id"] = doc._els.get("id")
            elif code == "50" and "tender_reference" not in v:
                v["tender_reference"] = doc.id.value if doc.id is not None else None
                e["tender_reference"] = doc._els.get("id", c)
            else:
                docs.append(doc)
        elif tag == R_SpecifiedProcuringProject:
            i = _first(c, R_ID)
            v["project_reference"] = text(i)
            e["project_reference"] = i if i is not None else c
    if docs:
        v["supporting_documents"] = docs


def _read_delivery(el: Any, v: dict, e: dict) -> None:
    dv: dict[str, Any] = {}
    de: dict[str, Any] = {}
    for c in el:
        tag = c.tag
        if tag == R_ShipToTradeParty:
            for g in c:
                gt = g.tag
                if gt == R_ID or gt == R_GlobalID:
                    if "location_id" not in dv:
                        dv["location_id"] = ident(g)
                        de["location_id"] = g
                elif gt == R_Name:
                    dv["party_name"] = text(g)
                    de["party_name"] = g
                elif gt == R_PostalTradeAddress:
                    dv["address"] = read_address(g)
                    de["address"] = g
        elif tag == R_ActualDeliverySupplyChainEvent:
            o = _first(c, R_OccurrenceDateTime)
            d, de["actual_date"] = date_of(o) if o is not None else (None, c)
            dv["actual_date"] = d
        elif tag == R_DespatchAdviceReferencedDocument:
            v["despatch_advice_reference"], e["despatch_advice_reference"] = _ref_id(c)
        elif tag == R_ReceivingAdviceReferencedDocument:
            v["receiving_advice_reference"], e["receiving_advice_reference"] = _ref_id(c)
    if de:
        v["delivery"] = make(Delivery, el, dv, de)
        e["delivery"] = el


_SUMMATION = {
    R_LineTotalAmount: "line_extension_amount",
    R_ChargeTotalAmount: "charge_total_amount",
    R_AllowanceTotalAmount: "allowance_total_amount",
    R_TaxBasisTotalAmount: "tax_exclusive_amount",
    R_RoundingAmount: "rounding_amount",
    R_GrandTotalAmount: "tax_inclusive_amount",
    R_TotalPrepaidAmount: "prepaid_amount",
    R_DuePayableAmount: "payable_amount",
}


def _read_settlement(el: Any, v: dict, e: dict) -> None:
    means_els: list[Any] = []
    breakdown: list[VatBreakdown] = []
    acs: list[AllowanceCharge] = []
    preceding: list[PrecedingInvoice] = []
    tax_totals: list[TaxTotal] = []
    payment_ref = creditor_ref = mandate = None
    payment_ref_el = creditor_ref_el = mandate_el = None
    for c in el:
        tag = c.tag
        if tag == R_CreditorReferenceID:
            creditor_ref, creditor_ref_el = text(c), c
        elif tag == R_PaymentReference:
            payment_ref, payment_ref_el = text(c), c
        elif tag == R_TaxCurrencyCode:
            v["tax_currency_code"] = text(c)
            e["tax_currency_code"] = c
        elif tag == R_InvoiceCurrencyCode:
            v["currency_code"] = text(c)
            e["currency_code"] = c
        elif tag == R_PayeeTradeParty:
            v["payee"] = read_party(c)
            e["payee"] = c
        elif tag == R_SpecifiedTradeSettlementPaymentMeans:
            means_els.append(c)
        elif tag == R_ApplicableTradeTax:
            bv: dict[str, Any] = {"category": read_tax_category(c)}
            be: dict[str, Any] = {"category": c}
            for g in c:
                gt = g.tag
                if gt == R_CalculatedAmount:
                    bv["tax_amount"] = amount(g)
                    be["tax_amount"] = g
                elif gt == R_BasisAmount:
                    bv["taxable_amount"] = amount(g)
                    be["taxable_amount"] = g
                elif gt == R_TaxPointDate:
                    if "tax_point_date" not in e:
                        v["tax_point_date"], e["tax_point_date"] = date_of(g)
                elif gt == R_DueDateTypeCode:
                    if "tax_point_date_code" not in e:
                        v["tax_point_date_code"] = tax_point_from_cii(text(g))
                        e["tax_point_date_code"] = g
            breakdown.append(make(VatBreakdown, c, bv, be))
        elif tag == R_BillingSpecifiedPeriod:
            v["invoice_period"] = read_period(c)
            e["invoice_period"] = c
        elif tag == R_SpecifiedTradeAllowanceCharge:
            acs.append(read_allowance_charge(c))
        elif tag == R_SpecifiedTradePaymentTerms:
            for g in c:
                gt = g.tag
                if gt == R_Description:
                    if "payment_terms" not in v:
                        v["payment_terms"] = text(g)
                        e["payment_terms"] = g
                elif gt == R_DueDateDateTime:
                    if "due_date" not in e:
                        v["due_date"], e["due_date"] = date_of(g)
                elif gt == R_DirectDebitMandateID:
                    if mandate_el is None:
                        mandate, mandate_el = text(g), g
        elif tag == R_SpecifiedTradeSettlementHeaderMonetarySummation:
            tv: dict[str, Any] = {}
            te: dict[str, Any] = {}
            for g in c:
                gt = g.tag
                if gt == R_TaxTotalAmount:
                    tax_totals.append(make(TaxTotal, g, {"tax_amount": amount(g)}, {"tax_amount": g}))
                else:
                    k = _SUMMATION.get(gt)
                    if k is not None and k not in tv:
                        tv[k] = amount(g)
                        te[k] = g
            v["totals"] = make(DocumentTotals, c, tv, te)
            e["totals"] = c
        elif tag == R_InvoiceReferencedDocument:
            preceding.append(BINDING.read(PrecedingInvoice, c))
        elif tag == R_ReceivableSpecifiedTradeAccountingAccount:
            if "buyer_accounting_reference" not in v:
                i = _first(c, R_ID)
                v["buyer_accounting_reference"] = text(i)
                e["buyer_accounting_reference"] = i if i is not None else c

    # BT-110 / BT-111 and the breakdown (BG-23 belongs to the total in the invoice currency)
    if breakdown:
        cur = v.get("currency_code")
        owner = None
        for t in tax_totals:
            tcur = t.tax_amount.currency_id if t.tax_amount is not None else None
            if tcur is None or tcur == cur:
                owner = t
                break
        if owner is None:
            owner = make(TaxTotal, None, {})
            tax_totals.append(owner)
        owner.__dict__["breakdown"] = breakdown
        owner.__pydantic_fields_set__.add("breakdown")
    if tax_totals:
        v["tax_totals"] = tax_totals
    if acs:
        v["allowances_charges"] = acs
    if preceding:
        v["preceding_invoices"] = preceding
    if means_els:
        v["payment_means"] = _payment_means(means_els, payment_ref, payment_ref_el, creditor_ref, creditor_ref_el,
                                            mandate, mandate_el)
    elif payment_ref_el is not None or mandate_el is not None or creditor_ref_el is not None:
        # BT-83 / BT-89 / BT-90 without a SpecifiedTradeSettlementPaymentMeans: payment terms without a
        # means (no BT-81), kept apart from the means (the official rules test the means element)
        pv: dict[str, Any] = {}
        pe: dict[str, Any] = {}
        if payment_ref_el is not None:
            pv["remittance_information"], pe["remittance_information"] = payment_ref, payment_ref_el
        if mandate_el is not None or creditor_ref_el is not None:
            pv["direct_debit"] = make(
                DirectDebit, mandate_el if mandate_el is not None else creditor_ref_el,
                {"mandate_reference": mandate, "creditor_id": creditor_ref},
                {"mandate_reference": mandate_el, "creditor_id": creditor_ref_el})
            pe["direct_debit"] = mandate_el if mandate_el is not None else creditor_ref_el
        anchor = next(x for x in (payment_ref_el, mandate_el, creditor_ref_el) if x is not None)
        v["payment_without_means"] = make(PaymentMeans, anchor, pv, pe)
        e["payment_without_means"] = anchor


def _payment_means(means_els, payment_ref, payment_ref_el, creditor_ref, creditor_ref_el, mandate, mandate_el):
    out: list[PaymentMeans] = []
    debtor: list[tuple[str | None, Any]] = []
    for el in means_els:
        v: dict[str, Any] = {}
        e: dict[str, Any] = {}
        acc = inst = None
        debited = None
        for c in el:
            tag = c.tag
            if tag == R_TypeCode:
                v["code"] = text(c)
                e["code"] = c
            elif tag == R_Information:
                if "text" not in v:
                    v["text"] = text(c)
                    e["text"] = c
            elif tag == R_ApplicableTradeSettlementFinancialCard:
                i = _first(c, R_ID)
                n = _first(c, R_CardholderName)
                v["card"] = make(Card, c, {"primary_account_number": text(i), "holder_name": text(n)},
                                 {"primary_account_number": i, "holder_name": n})
                e["card"] = c
            elif tag == R_PayerPartyDebtorFinancialAccount:
                i = _first(c, R_IBANID)
                debited = (text(i), i if i is not None else c)
            elif tag == R_PayeePartyCreditorFinancialAccount:
                if acc is None:
                    acc = c
            elif tag == R_PayeeSpecifiedCreditorFinancialInstitution:
                if inst is None:
                    inst = c
        if acc is not None or inst is not None:
            cv: dict[str, Any] = {}
            ce: dict[str, Any] = {}
            if acc is not None:
                for g in acc:
                    if g.tag == R_IBANID or (g.tag == R_ProprietaryID and "account_id" not in cv):
                        cv["account_id"] = text(g)
                        ce["account_id"] = g
                    elif g.tag == R_AccountName:
                        cv["account_name"] = text(g)
                        ce["account_name"] = g
            if inst is not None:
                b = _first(inst, R_BICID)
                cv["service_provider_id"] = text(b)
                ce["service_provider_id"] = b if b is not None else inst
            v["credit_transfers"] = [make(CreditTransfer, acc if acc is not None else inst, cv, ce)]
        if payment_ref_el is not None:
            v["remittance_information"] = payment_ref
            e["remittance_information"] = payment_ref_el
        out.append(make(PaymentMeans, el, v, e))
        debtor.append(debited)

    if mandate_el is None and creditor_ref_el is None and not any(debtor):
        return out
    # which means carry the direct debit
    targets = [i for i, pm in enumerate(out) if debtor[i] or (pm.code or "").strip() == "59"]
    if not targets and (mandate_el is not None or creditor_ref_el is not None):
        targets = [0]
    for i in targets:
        deb = debtor[i] or (None, None)
        out[i].__dict__["direct_debit"] = make(
            DirectDebit, deb[1] if deb[1] is not None else (mandate_el if mandate_el is not None else creditor_ref_el),
            {"mandate_reference": mandate, "creditor_id": creditor_ref, "debited_account_id": deb[0]},
            {"mandate_reference": mandate_el, "creditor_id": creditor_ref_el, "debited_account_id": deb[1]})
        out[i].__pydantic_fields_set__.add("direct_debit")
    return out
