"""Read a UBL 2.1 Invoice or CreditNote (Peppol BIS Billing 3.0 binding) into the model.

The reader is lenient: it accepts fragments (terms that are absent read as
``None`` or empty lists), never raises on content, and keeps what the rules need
to point at the source: every object records its element and the element of each
of its fields. A decimal or date that does not parse reads as ``None`` while its
element is still recorded (``obj._els[field]``), so a rule can report it and read
the text as written.

Strings are kept exactly as written (an empty element reads as ``""``, an absent
one as ``None``); decimals follow the lexical space of ``xs:decimal`` and dates
that of ``xs:date``. Where UBL repeats an element the model keeps a list (notes,
party identifiers, tax registrations, payment means, allowances and charges, tax
totals, supporting documents, lines, ...); where the model has one value, the
first occurrence wins.

Objects are created without pydantic validation (see :func:`_mk`): the reader
fills every field with a value of the declared type, and reading a 65 KB document
stays well under a millisecond.

UBL specifics of the Peppol binding handled here:

* BT-9 of a credit note is ``cac:PaymentMeans/cbc:PaymentDueDate``;
* BT-11 of a credit note is an ``AdditionalDocumentReference`` with document
  type code 50, BT-18 one with code 130: the first of each is that business term
  and no supporting document (BG-24), later ones stay supporting documents;
* BT-8 is ``cac:InvoicePeriod/cbc:DescriptionCode`` (UNTDID 2005, as the model
  holds it, on ``Invoice.tax_point_date_code``);
* a tax registration is VAT when its ``TaxScheme/cbc:ID`` is ``VAT`` (the code
  the official rules test), another tax registration otherwise;
* BT-90 (creditor id) is the seller's or payee's ``PartyIdentification/cbc:ID``
  with ``schemeID="SEPA"``: with a direct debit it is moved into the direct
  debit object (it is no party identifier), without one it stays on the party;
* payee and tax representative names are ``PartyName/cbc:Name``, the seller and
  buyer legal names ``PartyLegalEntity/cbc:RegistrationName``.
"""

from __future__ import annotations

import binascii
from datetime import date
from decimal import Decimal
from typing import Any

from ...model import invoice as m
from ...model.construct import construct, with_state
from ...model.invoice import Invoice
from ..codes import category_scheme_from, exemption_code, registration_from_ubl
from ..namespaces import CAC, CBC, UBL_CREDIT_NOTE, UBL_INVOICE
from ...rules import values as V

__all__ = ["read_ubl", "parse_decimal", "parse_date"]

_B = "{%s}" % CBC
_A = "{%s}" % CAC

# element names, computed once
_ID = _B + "ID"
_NAME = _B + "Name"
A_AccountingCustomerParty = _A + "AccountingCustomerParty"
A_AccountingSupplierParty = _A + "AccountingSupplierParty"
A_AdditionalDocumentReference = _A + "AdditionalDocumentReference"
A_AdditionalItemProperty = _A + "AdditionalItemProperty"
A_Address = _A + "Address"
A_AddressLine = _A + "AddressLine"
A_AllowanceCharge = _A + "AllowanceCharge"
A_Attachment = _A + "Attachment"
A_BillingReference = _A + "BillingReference"
A_BuyersItemIdentification = _A + "BuyersItemIdentification"
A_CardAccount = _A + "CardAccount"
A_ClassifiedTaxCategory = _A + "ClassifiedTaxCategory"
A_CommodityClassification = _A + "CommodityClassification"
A_Contact = _A + "Contact"
A_ContractDocumentReference = _A + "ContractDocumentReference"
A_Country = _A + "Country"
A_CreditNoteLine = _A + "CreditNoteLine"
A_Delivery = _A + "Delivery"
A_DeliveryLocation = _A + "DeliveryLocation"
A_DeliveryParty = _A + "DeliveryParty"
A_DespatchDocumentReference = _A + "DespatchDocumentReference"
A_DocumentReference = _A + "DocumentReference"
A_ExternalReference = _A + "ExternalReference"
A_FinancialInstitutionBranch = _A + "FinancialInstitutionBranch"
A_InvoiceDocumentReference = _A + "InvoiceDocumentReference"
A_InvoiceLine = _A + "InvoiceLine"
A_InvoicePeriod = _A + "InvoicePeriod"
A_Item = _A + "Item"
A_LegalMonetaryTotal = _A + "LegalMonetaryTotal"
A_OrderLineReference = _A + "OrderLineReference"
A_OrderReference = _A + "OrderReference"
A_OriginCountry = _A + "OriginCountry"
A_OriginatorDocumentReference = _A + "OriginatorDocumentReference"
A_Party = _A + "Party"
A_PartyIdentification = _A + "PartyIdentification"
A_PartyLegalEntity = _A + "PartyLegalEntity"
A_PartyName = _A + "PartyName"
A_PartyTaxScheme = _A + "PartyTaxScheme"
A_PayeeFinancialAccount = _A + "PayeeFinancialAccount"
A_PayeeParty = _A + "PayeeParty"
A_PayerFinancialAccount = _A + "PayerFinancialAccount"
A_PaymentMandate = _A + "PaymentMandate"
A_PaymentMeans = _A + "PaymentMeans"
A_PaymentTerms = _A + "PaymentTerms"
A_PostalAddress = _A + "PostalAddress"
A_Price = _A + "Price"
A_ProjectReference = _A + "ProjectReference"
A_ReceiptDocumentReference = _A + "ReceiptDocumentReference"
A_SellersItemIdentification = _A + "SellersItemIdentification"
A_StandardItemIdentification = _A + "StandardItemIdentification"
A_SubCreditNoteLine = _A + "SubCreditNoteLine"
A_SubInvoiceLine = _A + "SubInvoiceLine"
A_TaxCategory = _A + "TaxCategory"
A_TaxRepresentativeParty = _A + "TaxRepresentativeParty"
A_TaxScheme = _A + "TaxScheme"
A_TaxSubtotal = _A + "TaxSubtotal"
A_TaxTotal = _A + "TaxTotal"
B_AccountingCost = _B + "AccountingCost"
B_ActualDeliveryDate = _B + "ActualDeliveryDate"
B_AdditionalStreetName = _B + "AdditionalStreetName"
B_AllowanceChargeReason = _B + "AllowanceChargeReason"
B_AllowanceChargeReasonCode = _B + "AllowanceChargeReasonCode"
B_AllowanceTotalAmount = _B + "AllowanceTotalAmount"
B_Amount = _B + "Amount"
B_BaseAmount = _B + "BaseAmount"
B_BaseQuantity = _B + "BaseQuantity"
B_BuyerReference = _B + "BuyerReference"
B_ChargeIndicator = _B + "ChargeIndicator"
B_ChargeTotalAmount = _B + "ChargeTotalAmount"
B_CityName = _B + "CityName"
B_CompanyID = _B + "CompanyID"
B_CompanyLegalForm = _B + "CompanyLegalForm"
B_CountrySubentity = _B + "CountrySubentity"
B_CreditNoteTypeCode = _B + "CreditNoteTypeCode"
B_CreditedQuantity = _B + "CreditedQuantity"
B_CustomizationID = _B + "CustomizationID"
B_Description = _B + "Description"
B_DescriptionCode = _B + "DescriptionCode"
B_DocumentCurrencyCode = _B + "DocumentCurrencyCode"
B_DocumentDescription = _B + "DocumentDescription"
B_DocumentTypeCode = _B + "DocumentTypeCode"
B_DueDate = _B + "DueDate"
B_ElectronicMail = _B + "ElectronicMail"
B_EmbeddedDocumentBinaryObject = _B + "EmbeddedDocumentBinaryObject"
B_EndDate = _B + "EndDate"
B_EndpointID = _B + "EndpointID"
B_HolderName = _B + "HolderName"
B_IdentificationCode = _B + "IdentificationCode"
B_InvoiceTypeCode = _B + "InvoiceTypeCode"
B_InvoicedQuantity = _B + "InvoicedQuantity"
B_IssueDate = _B + "IssueDate"
B_ItemClassificationCode = _B + "ItemClassificationCode"
B_Line = _B + "Line"
B_LineExtensionAmount = _B + "LineExtensionAmount"
B_LineID = _B + "LineID"
B_MultiplierFactorNumeric = _B + "MultiplierFactorNumeric"
B_Name = _B + "Name"
B_NetworkID = _B + "NetworkID"
B_Note = _B + "Note"
B_PayableAmount = _B + "PayableAmount"
B_PayableRoundingAmount = _B + "PayableRoundingAmount"
B_PaymentDueDate = _B + "PaymentDueDate"
B_PaymentID = _B + "PaymentID"
B_PaymentMeansCode = _B + "PaymentMeansCode"
B_Percent = _B + "Percent"
B_PostalZone = _B + "PostalZone"
B_PrepaidAmount = _B + "PrepaidAmount"
B_PriceAmount = _B + "PriceAmount"
B_PrimaryAccountNumberID = _B + "PrimaryAccountNumberID"
B_ProfileID = _B + "ProfileID"
B_RegistrationName = _B + "RegistrationName"
B_SalesOrderID = _B + "SalesOrderID"
B_StartDate = _B + "StartDate"
B_StreetName = _B + "StreetName"
B_TaxAmount = _B + "TaxAmount"
B_TaxCurrencyCode = _B + "TaxCurrencyCode"
B_TaxExclusiveAmount = _B + "TaxExclusiveAmount"
B_TaxExemptionReason = _B + "TaxExemptionReason"
B_TaxExemptionReasonCode = _B + "TaxExemptionReasonCode"
B_TaxInclusiveAmount = _B + "TaxInclusiveAmount"
B_TaxPointDate = _B + "TaxPointDate"
B_TaxableAmount = _B + "TaxableAmount"
B_Telephone = _B + "Telephone"
B_URI = _B + "URI"
B_Value = _B + "Value"

# --- fast object creation ---------------------------------------------------------
#
def _mk(cls: type, values: dict[str, Any], el: Any, els: dict[str, Any]) -> Any:
    """An instance of ``cls`` from trusted values, with its source recorded (see ``model.construct``)."""
    return construct(cls, values, el, els)


# --- lexical values ---------------------------------------------------------------

def parse_decimal(text: str | None) -> Decimal | None:
    """``xs:decimal`` lexical value as a Decimal, or None (no exponent, no NaN/Infinity; see rules.values)."""
    return V.decimal_or_none(text) if text else None


def parse_date(text: str | None) -> date | None:
    """``xs:date`` lexical value (time zone not applied) as a date, or None (impossible dates included)."""
    return V.date_or_none(text) if text else None


_t = V.string_value  # the string value of an element as written ("" for an empty element)
_d = V.decimal_or_none  # xs:decimal of an element's string value, or None
_date = V.date_or_none  # xs:date of an element's string value, or None


def _bool(text: str | None) -> bool | None:
    return None if text is None else V.xs_boolean(text)


# --- small objects ----------------------------------------------------------------


def _ident(el: Any) -> m.Identifier:
    return _mk(
        m.Identifier,
        {"value": _t(el), "scheme_id": el.get("schemeID"), "scheme_version_id": el.get("schemeVersionID")},
        el,
        {"value": el, "scheme_id": el, "scheme_version_id": el},
    )


_Amount = m.Amount
_AMOUNT_FIELDS = frozenset(("value", "currency_id"))


def _amount(el: Any) -> m.Amount:
    return with_state(_Amount, {"value": V.decimal_or_none(el), "currency_id": el.get("currencyID")},
                      set(_AMOUNT_FIELDS), el, {"value": el, "currency_id": el})


def _child(el: Any, tag: str) -> Any:
    """The first child element with this tag (``el.find`` costs several times more)."""
    for c in el:
        if c.tag == tag:
            return c
    return None




def _address(el: Any) -> m.Address:
    vals: dict[str, Any] = {}
    els: dict[str, Any] = {}
    for c in el:
        tag = c.tag
        field = _ADDRESS.get(tag)
        if field is not None:
            if field not in vals:
                vals[field] = _t(c)
                els[field] = c
        elif tag == A_AddressLine:
            if "line3" not in vals:
                line = _child(c, B_Line)
                vals["line3"] = _t(line) if line is not None else None
                els["line3"] = line if line is not None else c
        elif tag == A_Country:
            if "country_code" not in vals:
                code = _child(c, B_IdentificationCode)
                vals["country_code"] = _t(code) if code is not None else None
                els["country_code"] = code if code is not None else c
    return _mk(m.Address, vals, el, els)


_ADDRESS = {
    B_StreetName: "line1",
    B_AdditionalStreetName: "line2",
    B_CityName: "city",
    B_PostalZone: "postal_code",
    B_CountrySubentity: "subdivision",
}

_CONTACT = {B_Name: "name", B_Telephone: "telephone", B_ElectronicMail: "email"}


def _flat(cls: type, el: Any, spec: dict[str, str]) -> Any:
    vals: dict[str, Any] = {}
    els: dict[str, Any] = {}
    for c in el:
        field = spec.get(c.tag)
        if field is not None and field not in vals:
            vals[field] = _t(c)
            els[field] = c
    return _mk(cls, vals, el, els)


def _tax_category(el: Any) -> m.TaxCategory:
    vals: dict[str, Any] = {}
    els: dict[str, Any] = {}
    for c in el:
        tag = c.tag
        if tag == _ID:
            if "code" not in vals:
                vals["code"] = _t(c)
                els["code"] = c
        elif tag == B_Percent:
            if "rate" not in els:
                vals["rate"] = _d(c)
                els["rate"] = c
        elif tag == B_TaxExemptionReasonCode:
            if "exemption_reason_code" not in vals:
                vals["exemption_reason_code"] = exemption_code(_t(c))
                els["exemption_reason_code"] = c
        elif tag == B_TaxExemptionReason:
            if "exemption_reason" not in vals:
                vals["exemption_reason"] = _t(c)
                els["exemption_reason"] = c
        elif tag == A_TaxScheme:
            if "tax_scheme_id" not in els:
                sid = _child(c, _ID)
                vals["tax_scheme_id"] = category_scheme_from(_t(sid)) if sid is not None else None
                els["tax_scheme_id"] = sid if sid is not None else c
    return _mk(m.TaxCategory, vals, el, els)


def _allowance_charge(el: Any) -> m.AllowanceCharge:
    vals: dict[str, Any] = {}
    els: dict[str, Any] = {}
    for c in el:
        tag = c.tag
        if tag == B_ChargeIndicator:
            if "charge_indicator" not in els:
                vals["charge_indicator"] = _bool(_t(c))
                els["charge_indicator"] = c
        elif tag == B_Amount:
            if "amount" not in vals:
                vals["amount"] = _amount(c)
                els["amount"] = c
        elif tag == B_BaseAmount:
            if "base_amount" not in vals:
                vals["base_amount"] = _amount(c)
                els["base_amount"] = c
        elif tag == B_MultiplierFactorNumeric:
            if "percentage" not in els:
                vals["percentage"] = _d(c)
                els["percentage"] = c
        elif tag == B_AllowanceChargeReason:
            if "reason" not in vals:
                vals["reason"] = _t(c)
                els["reason"] = c
        elif tag == B_AllowanceChargeReasonCode:
            if "reason_code" not in vals:
                vals["reason_code"] = _t(c)
                els["reason_code"] = c
        elif tag == A_TaxCategory:
            if "tax_category" not in vals:
                vals["tax_category"] = _tax_category(c)
                els["tax_category"] = c
    return _mk(m.AllowanceCharge, vals, el, els)


def _period(el: Any) -> m.Period:
    vals: dict[str, Any] = {}
    els: dict[str, Any] = {}
    for c in el:
        tag = c.tag
        if tag == B_StartDate:
            if "start_date" not in els:
                vals["start_date"] = _date(c)
                els["start_date"] = c
        elif tag == B_EndDate:
            if "end_date" not in els:
                vals["end_date"] = _date(c)
                els["end_date"] = c
    return _mk(m.Period, vals, el, els)


# --- parties ----------------------------------------------------------------------


def _party(el: Any, name_from_party_name: bool = False) -> m.Party:
    """A cac:Party. Payee and tax representative carry their name (BT-59/62) in PartyName."""
    vals: dict[str, Any] = {}
    els: dict[str, Any] = {}
    identifiers: list[m.Identifier] = []
    regs: list[m.TaxRegistration] = []
    for c in el:
        tag = c.tag
        if tag == A_PartyIdentification:
            i = _child(c, _ID)
            if i is not None:
                identifiers.append(_ident(i))
            else:
                identifiers.append(_mk(m.Identifier, {}, c, {}))
        elif tag == A_PartyName:
            field = "name" if name_from_party_name else "trading_name"
            if field not in vals:
                n = _child(c, _NAME)
                vals[field] = _t(n) if n is not None else None
                els[field] = n if n is not None else c
        elif tag == B_EndpointID:
            if "electronic_address" not in vals:
                vals["electronic_address"] = _ident(c)
                els["electronic_address"] = c
        elif tag == A_PostalAddress:
            if "address" not in vals:
                vals["address"] = _address(c)
                els["address"] = c
        elif tag == A_PartyTaxScheme:
            rv: dict[str, Any] = {}
            re_: dict[str, Any] = {}
            for cc in c:
                if cc.tag == B_CompanyID and "company_id" not in rv:
                    rv["company_id"] = _t(cc)
                    re_["company_id"] = cc
                elif cc.tag == A_TaxScheme and "scheme" not in re_:
                    sid = _child(cc, _ID)
                    if sid is not None:
                        rv["scheme"] = registration_from_ubl(_t(sid))
                    re_["scheme"] = sid if sid is not None else cc
            regs.append(_mk(m.TaxRegistration, rv, c, re_))
        elif tag == A_PartyLegalEntity:
            if "legal_entity" in els:
                continue
            els["legal_entity"] = c
            for cc in c:
                ctag = cc.tag
                if ctag == B_RegistrationName:
                    if not name_from_party_name and "name" not in vals:
                        vals["name"] = _t(cc)
                        els["name"] = cc
                elif ctag == B_CompanyID:
                    if "legal_registration_id" not in vals:
                        vals["legal_registration_id"] = _ident(cc)
                        els["legal_registration_id"] = cc
                elif ctag == B_CompanyLegalForm:
                    if "additional_legal_info" not in vals:
                        vals["additional_legal_info"] = _t(cc)
                        els["additional_legal_info"] = cc
        elif tag == A_Contact:
            if "contact" not in vals:
                vals["contact"] = _flat(m.Contact, c, _CONTACT)
                els["contact"] = c
    vals["identifiers"] = identifiers
    vals["tax_registrations"] = regs
    return _mk(m.Party, vals, el, els)


def _party_of(el: Any) -> Any:
    """The cac:Party of a cac:AccountingSupplierParty / AccountingCustomerParty."""
    return _child(el, A_Party)


# --- payment ----------------------------------------------------------------------


def _payment_means(el: Any) -> tuple[m.PaymentMeans, Any]:
    vals: dict[str, Any] = {}
    els: dict[str, Any] = {}
    transfers: list[m.CreditTransfer] = []
    due = None
    for c in el:
        tag = c.tag
        if tag == B_PaymentMeansCode:
            if "code" not in vals:
                vals["code"] = _t(c)
                els["code"] = c
                name = c.get("name")
                if name is not None:
                    vals["text"] = name
                    els["text"] = c
        elif tag == B_PaymentID:
            if "remittance_information" not in vals:
                vals["remittance_information"] = _t(c)
                els["remittance_information"] = c
        elif tag == A_PayeeFinancialAccount:
            tv: dict[str, Any] = {}
            te: dict[str, Any] = {}
            for cc in c:
                ctag = cc.tag
                if ctag == _ID and "account_id" not in tv:
                    tv["account_id"] = _t(cc)
                    te["account_id"] = cc
                elif ctag == _NAME and "account_name" not in tv:
                    tv["account_name"] = _t(cc)
                    te["account_name"] = cc
                elif ctag == A_FinancialInstitutionBranch and "service_provider_id" not in te:
                    b = _child(cc, _ID)
                    tv["service_provider_id"] = _t(b) if b is not None else None
                    te["service_provider_id"] = b if b is not None else cc
            transfers.append(_mk(m.CreditTransfer, tv, c, te))
        elif tag == A_CardAccount:
            if "card" not in vals:
                vals["card"] = _flat(m.Card, c, _CARD)
                els["card"] = c
        elif tag == A_PaymentMandate:
            if "direct_debit" not in vals:
                dv: dict[str, Any] = {}
                de: dict[str, Any] = {}
                for cc in c:
                    if cc.tag == _ID and "mandate_reference" not in dv:
                        dv["mandate_reference"] = _t(cc)
                        de["mandate_reference"] = cc
                    elif cc.tag == A_PayerFinancialAccount and "debited_account_id" not in de:
                        a = _child(cc, _ID)
                        dv["debited_account_id"] = _t(a) if a is not None else None
                        de["debited_account_id"] = a if a is not None else cc
                vals["direct_debit"] = _mk(m.DirectDebit, dv, c, de)
                els["direct_debit"] = c
        elif tag == B_PaymentDueDate:
            if due is None:
                due = c
    vals["credit_transfers"] = transfers
    return _mk(m.PaymentMeans, vals, el, els), due


_CARD = {B_PrimaryAccountNumberID: "primary_account_number", B_NetworkID: "network_id", B_HolderName: "holder_name"}


# --- documents --------------------------------------------------------------------


def _supporting_document(el: Any) -> tuple[m.SupportingDocument, str | None]:
    """An ``AdditionalDocumentReference`` as a supporting document, with its document type code."""
    vals: dict[str, Any] = {}
    els: dict[str, Any] = {}
    type_code = None
    for c in el:
        tag = c.tag
        if tag == _ID:
            if "id" not in vals:
                vals["id"] = _ident(c)
                els["id"] = c
        elif tag == B_DocumentTypeCode:
            if type_code is None:
                type_code = _t(c)
        elif tag == B_DocumentDescription:
            if "description" not in vals:
                vals["description"] = _t(c)
                els["description"] = c
        elif tag == A_Attachment:
            if "attachment_el" in els:
                continue
            els["attachment_el"] = c
            for cc in c:
                if cc.tag == B_EmbeddedDocumentBinaryObject and "attachment" not in vals:
                    raw = cc.text
                    content = None
                    if raw is not None:
                        try:
                            content = binascii.a2b_base64(raw)
                        except (binascii.Error, ValueError):
                            content = None
                    vals["attachment"] = _mk(
                        m.AttachedObject,
                        {"content": content, "mime_code": cc.get("mimeCode"), "filename": cc.get("filename")},
                        cc,
                        {"content": cc, "mime_code": cc, "filename": cc},
                    )
                    els["attachment"] = cc
                elif cc.tag == A_ExternalReference and "external_uri" not in els:
                    uri = _child(cc, B_URI)
                    vals["external_uri"] = _t(uri) if uri is not None else None
                    els["external_uri"] = uri if uri is not None else cc
    els.pop("attachment_el", None)
    return _mk(m.SupportingDocument, vals, el, els), type_code


def _tax_total(el: Any) -> m.TaxTotal:
    vals: dict[str, Any] = {}
    els: dict[str, Any] = {}
    breakdown: list[m.VatBreakdown] = []
    for c in el:
        tag = c.tag
        if tag == B_TaxAmount:
            if "tax_amount" not in vals:
                vals["tax_amount"] = _amount(c)
                els["tax_amount"] = c
        elif tag == A_TaxSubtotal:
            sv: dict[str, Any] = {}
            se: dict[str, Any] = {}
            for cc in c:
                ctag = cc.tag
                if ctag == B_TaxableAmount and "taxable_amount" not in sv:
                    sv["taxable_amount"] = _amount(cc)
                    se["taxable_amount"] = cc
                elif ctag == B_TaxAmount and "tax_amount" not in sv:
                    sv["tax_amount"] = _amount(cc)
                    se["tax_amount"] = cc
                elif ctag == A_TaxCategory and "category" not in sv:
                    sv["category"] = _tax_category(cc)
                    se["category"] = cc
            breakdown.append(_mk(m.VatBreakdown, sv, c, se))
    vals["breakdown"] = breakdown
    return _mk(m.TaxTotal, vals, el, els)


_TOTALS = {
    B_LineExtensionAmount: "line_extension_amount",
    B_TaxExclusiveAmount: "tax_exclusive_amount",
    B_TaxInclusiveAmount: "tax_inclusive_amount",
    B_AllowanceTotalAmount: "allowance_total_amount",
    B_ChargeTotalAmount: "charge_total_amount",
    B_PrepaidAmount: "prepaid_amount",
    B_PayableRoundingAmount: "rounding_amount",
    B_PayableAmount: "payable_amount",
}


def _totals(el: Any) -> m.DocumentTotals:
    vals: dict[str, Any] = {}
    els: dict[str, Any] = {}
    for c in el:
        field = _TOTALS.get(c.tag)
        if field is not None and field not in vals:
            vals[field] = _amount(c)
            els[field] = c
    return _mk(m.DocumentTotals, vals, el, els)


def _delivery(el: Any) -> m.Delivery:
    vals: dict[str, Any] = {}
    els: dict[str, Any] = {}
    for c in el:
        tag = c.tag
        if tag == B_ActualDeliveryDate:
            if "actual_date" not in els:
                vals["actual_date"] = _date(c)
                els["actual_date"] = c
        elif tag == A_DeliveryLocation:
            if "location" in els:
                continue
            els["location"] = c
            for cc in c:
                if cc.tag == _ID and "location_id" not in vals:
                    vals["location_id"] = _ident(cc)
                    els["location_id"] = cc
                elif cc.tag == A_Address and "address" not in vals:
                    vals["address"] = _address(cc)
                    els["address"] = cc
        elif tag == A_DeliveryParty:
            if "party_name" not in els:
                pn = _child(c, A_PartyName)
                n = _child(pn, _NAME) if pn is not None else None
                vals["party_name"] = _t(n) if n is not None else None
                els["party_name"] = n if n is not None else (pn if pn is not None else c)
    els.pop("location", None)
    return _mk(m.Delivery, vals, el, els)


# --- lines ------------------------------------------------------------------------


def _item(el: Any) -> m.Item:
    vals: dict[str, Any] = {}
    els: dict[str, Any] = {}
    classifications: list[m.Classification] = []
    attributes: list[m.ItemAttribute] = []
    for c in el:
        tag = c.tag
        if tag == _NAME:
            if "name" not in vals:
                vals["name"] = _t(c)
                els["name"] = c
        elif tag == B_Description:
            if "description" not in vals:
                vals["description"] = _t(c)
                els["description"] = c
        elif tag == A_SellersItemIdentification:
            if "sellers_id" not in els:
                i = _child(c, _ID)
                vals["sellers_id"] = _t(i) if i is not None else None
                els["sellers_id"] = i if i is not None else c
        elif tag == A_BuyersItemIdentification:
            if "buyers_id" not in els:
                i = _child(c, _ID)
                vals["buyers_id"] = _t(i) if i is not None else None
                els["buyers_id"] = i if i is not None else c
        elif tag == A_StandardItemIdentification:
            if "standard_id" not in els:
                i = _child(c, _ID)
                if i is not None:
                    vals["standard_id"] = _ident(i)
                els["standard_id"] = i if i is not None else c
        elif tag == A_OriginCountry:
            if "origin_country" not in els:
                i = _child(c, B_IdentificationCode)
                vals["origin_country"] = _t(i) if i is not None else None
                els["origin_country"] = i if i is not None else c
        elif tag == A_CommodityClassification:
            for cc in c:
                if cc.tag == B_ItemClassificationCode:
                    classifications.append(
                        _mk(
                            m.Classification,
                            {"code": _t(cc), "list_id": cc.get("listID"), "list_version_id": cc.get("listVersionID")},
                            cc,
                            {"code": cc, "list_id": cc, "list_version_id": cc},
                        )
                    )
        elif tag == A_ClassifiedTaxCategory:
            if "tax_category" not in vals:
                vals["tax_category"] = _tax_category(c)
                els["tax_category"] = c
        elif tag == A_AdditionalItemProperty:
            attributes.append(_flat(m.ItemAttribute, c, _PROPERTY))
    vals["classifications"] = classifications
    vals["attributes"] = attributes
    return _mk(m.Item, vals, el, els)


_PROPERTY = {_NAME: "name", B_Value: "value"}


def _price(el: Any) -> m.Price:
    vals: dict[str, Any] = {}
    els: dict[str, Any] = {}
    for c in el:
        tag = c.tag
        if tag == B_PriceAmount:
            if "net_amount" not in vals:
                vals["net_amount"] = _amount(c)
                els["net_amount"] = c
        elif tag == B_BaseQuantity:
            if "base_quantity" not in els:
                vals["base_quantity"] = _d(c)
                vals["base_quantity_unit"] = c.get("unitCode")
                els["base_quantity"] = els["base_quantity_unit"] = c
        elif tag == A_AllowanceCharge:
            if "discount" in els or "gross_amount" in els:
                continue
            for cc in c:
                if cc.tag == B_Amount and "discount" not in vals:
                    vals["discount"] = _amount(cc)
                    els["discount"] = cc
                elif cc.tag == B_BaseAmount and "gross_amount" not in vals:
                    vals["gross_amount"] = _amount(cc)
                    els["gross_amount"] = cc
    return _mk(m.Price, vals, el, els)


def _line(el: Any, qty_tag: str, sub_tag: str) -> m.InvoiceLine:
    vals: dict[str, Any] = {}
    els: dict[str, Any] = {}
    acs: list[m.AllowanceCharge] = []
    subs: list[m.InvoiceLine] = []
    for c in el:
        tag = c.tag
        if tag == _ID:
            if "id" not in vals:
                vals["id"] = _t(c)
                els["id"] = c
        elif tag == qty_tag:
            if "quantity" not in els:
                vals["quantity"] = _d(c)
                vals["unit_code"] = c.get("unitCode")
                els["quantity"] = els["unit_code"] = c
        elif tag == B_LineExtensionAmount:
            if "net_amount" not in vals:
                vals["net_amount"] = _amount(c)
                els["net_amount"] = c
        elif tag == A_Item:
            if "item" not in vals:
                vals["item"] = _item(c)
                els["item"] = c
        elif tag == A_Price:
            if "price" not in vals:
                vals["price"] = _price(c)
                els["price"] = c
        elif tag == A_AllowanceCharge:
            acs.append(_allowance_charge(c))
        elif tag == B_Note:
            if "note" not in vals:
                vals["note"] = _t(c)
                els["note"] = c
        elif tag == B_AccountingCost:
            if "buyer_accounting_reference" not in vals:
                vals["buyer_accounting_reference"] = _t(c)
                els["buyer_accounting_reference"] = c
        elif tag == A_InvoicePeriod:
            if "period" not in vals:
                vals["period"] = _period(c)
                els["period"] = c
        elif tag == A_OrderLineReference:
            if "order_line_reference" not in els:
                i = _child(c, B_LineID)
                vals["order_line_reference"] = _t(i) if i is not None else None
                els["order_line_reference"] = i if i is not None else c
        elif tag == A_DocumentReference:
            if "object_id" not in els:
                i = _child(c, _ID)
                if i is not None:
                    vals["object_id"] = _ident(i)
                els["object_id"] = i if i is not None else c
        elif tag == sub_tag:
            subs.append(_line(c, qty_tag, sub_tag))
    vals["allowances_charges"] = acs
    vals["sub_lines"] = subs
    return _mk(m.InvoiceLine, vals, el, els)


# --- the document -----------------------------------------------------------------

_INVOICE_TAG = "{%s}Invoice" % UBL_INVOICE
_CREDIT_NOTE_TAG = "{%s}CreditNote" % UBL_CREDIT_NOTE

_ROOT_TEXT = {
    B_CustomizationID: "customization_id",
    B_ProfileID: "profile_id",
    _ID: "number",
    B_InvoiceTypeCode: "type_code",
    B_CreditNoteTypeCode: "type_code",
    B_DocumentCurrencyCode: "currency_code",
    B_TaxCurrencyCode: "tax_currency_code",
    B_AccountingCost: "buyer_accounting_reference",
    B_BuyerReference: "buyer_reference",
}
_ROOT_DATE = {B_IssueDate: "issue_date", B_DueDate: "due_date", B_TaxPointDate: "tax_point_date"}
_ROOT_REF = {
    A_DespatchDocumentReference: "despatch_advice_reference",
    A_ReceiptDocumentReference: "receiving_advice_reference",
    A_OriginatorDocumentReference: "tender_reference",
    A_ContractDocumentReference: "contract_reference",
    A_ProjectReference: "project_reference",
}


def read_ubl(root: Any, *, lines: bool = True) -> Invoice:
    """Read a UBL Invoice or CreditNote root element (or any fragment of one) into an :class:`Invoice`.

    Besides the field elements, a few objects record a container element under an
    extra key of ``_els``: ``Party._els["legal_entity"]`` (cac:PartyLegalEntity).
    With ``lines=False`` the invoice lines are left out (a quick read of the header:
    every other field is read exactly as in a full read).
    """
    want_lines = lines
    is_cn = root.tag == _CREDIT_NOTE_TAG
    if is_cn:
        qty_tag, line_tag, sub_tag = B_CreditedQuantity, A_CreditNoteLine, A_SubCreditNoteLine
    else:
        qty_tag, line_tag, sub_tag = B_InvoicedQuantity, A_InvoiceLine, A_SubInvoiceLine
    vals: dict[str, Any] = {}
    els: dict[str, Any] = {}
    notes: list[m.Note] = []
    preceding: list[m.PrecedingInvoice] = []
    means: list[m.PaymentMeans] = []
    acs: list[m.AllowanceCharge] = []
    tax_totals: list[m.TaxTotal] = []
    docs: list[m.SupportingDocument] = []
    lines: list[m.InvoiceLine] = []
    means_due = None

    for c in root:
        tag = c.tag
        if tag == line_tag:
            if want_lines:
                lines.append(_line(c, qty_tag, sub_tag))
            continue
        field = _ROOT_TEXT.get(tag)
        if field is not None:
            if field not in vals:
                vals[field] = _t(c)
                els[field] = c
            continue
        field = _ROOT_DATE.get(tag)
        if field is not None:
            if field not in els:
                vals[field] = _date(c)
                els[field] = c
            continue
        field = _ROOT_REF.get(tag)
        if field is not None:
            if field not in els:
                i = _child(c, _ID)
                vals[field] = _t(i) if i is not None else None
                els[field] = i if i is not None else c
            continue
        if tag == B_Note:
            notes.append(_mk(m.Note, {"text": _t(c)}, c, {"text": c}))
        elif tag == A_AccountingSupplierParty:
            if "seller" not in els:
                p = _party_of(c)
                els["seller"] = p if p is not None else c
                vals["seller"] = _party(p) if p is not None else None
        elif tag == A_AccountingCustomerParty:
            if "buyer" not in els:
                p = _party_of(c)
                els["buyer"] = p if p is not None else c
                vals["buyer"] = _party(p) if p is not None else None
        elif tag == A_PayeeParty:
            if "payee" not in vals:
                vals["payee"] = _party(c, name_from_party_name=True)
                els["payee"] = c
        elif tag == A_TaxRepresentativeParty:
            if "tax_representative" not in vals:
                vals["tax_representative"] = _party(c, name_from_party_name=True)
                els["tax_representative"] = c
        elif tag == A_TaxTotal:
            tax_totals.append(_tax_total(c))
        elif tag == A_LegalMonetaryTotal:
            if "totals" not in vals:
                vals["totals"] = _totals(c)
                els["totals"] = c
        elif tag == A_AllowanceCharge:
            acs.append(_allowance_charge(c))
        elif tag == A_PaymentMeans:
            pm, due = _payment_means(c)
            means.append(pm)
            if due is not None and means_due is None:
                means_due = due
        elif tag == A_InvoicePeriod:
            if "invoice_period" not in vals:
                period = _period(c)
                vals["invoice_period"] = period
                els["invoice_period"] = c
                code = _child(c, B_DescriptionCode)
                if code is not None:
                    vals["tax_point_date_code"] = _t(code)
                    els["tax_point_date_code"] = code
        elif tag == A_OrderReference:
            if "order_reference" not in els:
                els["order_reference"] = c
                for cc in c:
                    if cc.tag == _ID and "purchase_order_reference" not in vals:
                        vals["purchase_order_reference"] = _t(cc)
                        els["purchase_order_reference"] = cc
                    elif cc.tag == B_SalesOrderID and "sales_order_reference" not in vals:
                        vals["sales_order_reference"] = _t(cc)
                        els["sales_order_reference"] = cc
        elif tag == A_BillingReference:
            ref = _child(c, A_InvoiceDocumentReference)
            if ref is not None:
                pv: dict[str, Any] = {}
                pe: dict[str, Any] = {}
                for cc in ref:
                    if cc.tag == _ID and "reference" not in pv:
                        pv["reference"] = _t(cc)
                        pe["reference"] = cc
                    elif cc.tag == B_IssueDate and "issue_date" not in pe:
                        pv["issue_date"] = _date(cc)
                        pe["issue_date"] = cc
                preceding.append(_mk(m.PrecedingInvoice, pv, ref, pe))
        elif tag == A_AdditionalDocumentReference:
            doc, type_code = _supporting_document(c)
            code = (type_code or "").strip()
            if code == "130" and "invoiced_object_id" not in vals and doc.id is not None:
                vals["invoiced_object_id"] = doc.id
                els["invoiced_object_id"] = doc._els.get("id")
            elif code == "50" and is_cn and "project_reference" not in vals and doc.id is not None:
                vals["project_reference"] = doc.id.value
                els["project_reference"] = doc._els.get("id")
            else:
                docs.append(doc)
        elif tag == A_PaymentTerms:
            if "payment_terms" not in els:
                n = _child(c, B_Note)
                vals["payment_terms"] = _t(n) if n is not None else None
                els["payment_terms"] = n if n is not None else c
        elif tag == A_Delivery:
            if "delivery" not in vals:
                vals["delivery"] = _delivery(c)
                els["delivery"] = c

    if is_cn and means_due is not None and "due_date" not in els:
        vals["due_date"] = _date(means_due)
        els["due_date"] = means_due

    # BT-90: the SEPA creditor identifier lives on the payee (else the seller) in UBL
    if means:
        debits = [pm.direct_debit for pm in means if pm.direct_debit is not None]
        if not debits:
            # a SEPA direct debit (code 59) without a mandate still has its creditor (BG-19 with BT-90 only)
            debits = [_mk(m.DirectDebit, {}, pm._el, {}) for pm in means if (pm.code or "").strip() == "59"]
            for pm, dd in zip([pm for pm in means if (pm.code or "").strip() == "59"], debits):
                pm.__dict__["direct_debit"] = dd
                pm.__pydantic_fields_set__.add("direct_debit")
        if debits:
            creditor = None
            for party in (vals.get("payee"), vals.get("seller")):
                if party is None:
                    continue
                for ident in party.identifiers:
                    if ident.scheme_id == "SEPA":
                        creditor = ident
                        break
                if creditor is not None:
                    break
            if creditor is not None:
                for dd in debits:
                    dd.__dict__["creditor_id"] = creditor.value
                    dd.__pydantic_fields_set__.add("creditor_id")
                    dd._els["creditor_id"] = creditor._el
                party.identifiers.remove(creditor)  # BT-90, not a party identifier
            else:
                for pm in means:  # a code 59 means without mandate nor creditor has no BG-19 after all
                    if pm.direct_debit is not None and not any(
                            getattr(pm.direct_debit, k) is not None for k in ("mandate_reference", "creditor_id", "debited_account_id")):
                        pm.__dict__["direct_debit"] = None

    vals["notes"] = notes
    vals["preceding_invoices"] = preceding
    vals["payment_means"] = means
    vals["allowances_charges"] = acs
    vals["tax_totals"] = tax_totals
    vals["supporting_documents"] = docs
    vals["lines"] = lines
    els.pop("order_reference", None)
    return _mk(Invoice, vals, root, els)
