"""UN/CEFACT CII D16B binding of the model (EN 16931 CII syntax binding, Factur-X).

This table drives the CII reader and writer (:class:`einvoice.syntax.binding.Binding`,
selecting as XPath does: a single-valued term is the first node its path selects).
Adding a business term is one model field and one row here. ``REQUIRED`` names the
containers the syntax requires (written also when empty), ``EMPTY_NONE`` the objects
whose element other terms share. A row with ``conv`` names a converter of
:mod:`.reader` / :mod:`.writer` for a term that is no plain path: a value the syntax
states once per document for several objects (BT-83/89/90 of the payment means, BT-7/8
on the first VAT breakdown, BG-23 of the BT-110 total), a partition by type code (the
header AdditionalReferencedDocument: BT-17, BT-18, BG-24), a choice of element by value
(BT-71, BT-84 IBAN or proprietary), or a value CII requires or leaves out (BT-24 of the
profile, BT-6 equal to BT-5, BT-11's project name, the gross price BT-147 implies).
"""

from __future__ import annotations

from ..binding import Term as T

_AG = "ram:ApplicableHeaderTradeAgreement/"
_DL = "ram:ApplicableHeaderTradeDelivery/"
_ST = "ram:ApplicableHeaderTradeSettlement/"
_TX = "rsm:SupplyChainTradeTransaction/"

BINDING: list[T] = [
    T("Invoice.customization_id", "BT-24", "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID", "1..1", conv="guideline"),
    T("Invoice.profile_id", "BT-23", "rsm:ExchangedDocumentContext/ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID", "0..1"),
    T("Invoice.number", "BT-1", "rsm:ExchangedDocument/ram:ID", "1..1"),
    T("Invoice.issue_date", "BT-2", "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString", "1..1", "format 102"),
    T("Invoice.type_code", "BT-3", "rsm:ExchangedDocument/ram:TypeCode", "1..1"),
    T("Invoice.currency_code", "BT-5", _TX + _ST + "ram:InvoiceCurrencyCode", "1..1"),
    T("Invoice.tax_currency_code", "BT-6", _TX + _ST + "ram:TaxCurrencyCode", "0..1 (only when it differs from BT-5)", conv="tax_currency_code"),
    T("Invoice.tax_point_date", "BT-7", _TX + _ST + "ram:ApplicableTradeTax/ram:TaxPointDate/udt:DateString", "0..1 (on the first VAT breakdown)", into="ram:ApplicableTradeTax"),
    T("Invoice.tax_point_date_code", "BT-8", _TX + _ST + "ram:ApplicableTradeTax/ram:DueDateTypeCode", "0..1", "UNTDID 2005 <-> 2475 (3/35/432 <-> 5/29/72)", into="ram:ApplicableTradeTax"),
    T("Invoice.due_date", "BT-9", _TX + _ST + "ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString", "0..1"),
    T("Invoice.buyer_reference", "BT-10", _TX + _AG + "ram:BuyerReference", "0..1"),
    T("Invoice.project_reference", "BT-11", _TX + _AG + "ram:SpecifiedProcuringProject/ram:ID", "0..1 (with the required Name)", conv="project_reference"),
    T("Invoice.contract_reference", "BT-12", _TX + _AG + "ram:ContractReferencedDocument/ram:IssuerAssignedID", "0..1"),
    T("Invoice.purchase_order_reference", "BT-13", _TX + _AG + "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID", "0..1"),
    T("Invoice.sales_order_reference", "BT-14", _TX + _AG + "ram:SellerOrderReferencedDocument/ram:IssuerAssignedID", "0..1"),
    T("Invoice.receiving_advice_reference", "BT-15", _TX + _DL + "ram:ReceivingAdviceReferencedDocument/ram:IssuerAssignedID", "0..1"),
    T("Invoice.despatch_advice_reference", "BT-16", _TX + _DL + "ram:DespatchAdviceReferencedDocument/ram:IssuerAssignedID", "0..1"),
    T("Invoice.buyer_accounting_reference", "BT-19", _TX + _ST + "ram:ReceivableSpecifiedTradeAccountingAccount/ram:ID", "0..1"),
    T("Invoice.payment_terms", "BT-20", _TX + _ST + "ram:SpecifiedTradePaymentTerms/ram:Description", "0..1"),
    T("Invoice.notes", "BG-1", "rsm:ExchangedDocument/ram:IncludedNote", "0..n"),
    T("Invoice.preceding_invoices", "BG-3", _TX + _ST + "ram:InvoiceReferencedDocument", "0..n"),
    T("Invoice.seller", "BG-4", _TX + _AG + "ram:SellerTradeParty", "1..1"),
    T("Invoice.buyer", "BG-7", _TX + _AG + "ram:BuyerTradeParty", "1..1"),
    T("Invoice.payee", "BG-10", _TX + _ST + "ram:PayeeTradeParty", "0..1"),
    T("Invoice.tax_representative", "BG-11", _TX + _AG + "ram:SellerTaxRepresentativeTradeParty", "0..1"),
    T("Invoice.delivery", "BG-13", _TX + "ram:ApplicableHeaderTradeDelivery", "0..1"),
    T("Invoice.invoice_period", "BG-14", _TX + _ST + "ram:BillingSpecifiedPeriod", "0..1", conv="period"),
    T("Invoice.payment_means", "BG-16", _TX + _ST + "ram:SpecifiedTradeSettlementPaymentMeans", "0..n", conv="payment_means"),
    T("Invoice.payment_without_means", "BT-83/89/90", _TX + _ST + "ram:PaymentReference | " + _TX + _ST + "ram:CreditorReferenceID | "
      + _TX + _ST + "ram:SpecifiedTradePaymentTerms/ram:DirectDebitMandateID", "0..1 (without SpecifiedTradeSettlementPaymentMeans)", conv="with_means"),
    T("Invoice.allowances_charges", "BG-20/BG-21", _TX + _ST + "ram:SpecifiedTradeAllowanceCharge", "0..n"),
    T("Invoice.totals", "BG-22", _TX + _ST + "ram:SpecifiedTradeSettlementHeaderMonetarySummation", "1..1"),
    T("Invoice.tax_totals", "BT-110/BT-111", _TX + _ST + "ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:TaxTotalAmount", "0..2", conv="tax_totals"),
    # the three kinds of header AdditionalReferencedDocument, written in this order
    T("Invoice.supporting_documents", "BG-24", _TX + _AG + "ram:AdditionalReferencedDocument[ram:TypeCode='916']", "0..n", conv="documents"),
    T("Invoice.tender_reference", "BT-17", _TX + _AG + "ram:AdditionalReferencedDocument[ram:TypeCode='50']/ram:IssuerAssignedID", "0..1", conv="with_documents"),
    T("Invoice.invoiced_object_id", "BT-18", _TX + _AG + "ram:AdditionalReferencedDocument[ram:TypeCode='130']/ram:IssuerAssignedID", "0..1", "scheme: ReferenceTypeCode", conv="object_id"),
    T("Invoice.lines", "BG-25", _TX + "ram:IncludedSupplyChainTradeLineItem", "1..n"),
    T("Note.subject_code", "BT-21", "ram:SubjectCode", "0..1"),
    T("Note.text", "BT-22", "ram:Content", "1..1"),
    T("PrecedingInvoice.reference", "BT-25", "ram:IssuerAssignedID", "1..1"),
    T("PrecedingInvoice.issue_date", "BT-26", "ram:FormattedIssueDateTime/qdt:DateTimeString", "0..1"),
    T("Party.name", "BT-27/44/59/62", "ram:Name", "1..1"),
    T("Party.trading_name", "BT-28/45", "ram:SpecifiedLegalOrganization/ram:TradingBusinessName", "0..1"),
    T("Party.identifiers", "BT-29/46/60", "ram:ID | ram:GlobalID", "0..n", conv="party_identifiers"),
    T("Party.legal_registration_id", "BT-30/47/61", "ram:SpecifiedLegalOrganization/ram:ID", "0..1"),
    T("Party.tax_registrations", "BT-31/32/48/63", "ram:SpecifiedTaxRegistration", "0..2", conv="tax_registrations"),
    T("Party.additional_legal_info", "BT-33", "ram:Description", "0..1"),
    T("Party.electronic_address", "BT-34/49", "ram:URIUniversalCommunication/ram:URIID", "0..1"),
    T("Party.address", "BG-5/8/12", "ram:PostalTradeAddress", "0..1"),
    T("Party.contact", "BG-6/9", "ram:DefinedTradeContact", "0..1"),
    T("TaxRegistration.company_id", "BT-31/32/48/63", "ram:ID", "1..1"),
    T("TaxRegistration.scheme", "BT-31/32 (which)", "ram:ID/@schemeID", "1..1", "VAT -> VA, other -> FC"),
    T("Identifier.value", "-", ".", "1..1"),
    T("Identifier.scheme_id", "-", "@schemeID", "0..1"),
    T("Address.line1", "BT-35/50/64/75", "ram:LineOne", "0..1"),
    T("Address.line2", "BT-36/51/65/76", "ram:LineTwo", "0..1"),
    T("Address.line3", "BT-162/163/164/165", "ram:LineThree", "0..1"),
    T("Address.city", "BT-37/52/66/77", "ram:CityName", "0..1"),
    T("Address.postal_code", "BT-38/53/67/78", "ram:PostcodeCode", "0..1"),
    T("Address.subdivision", "BT-39/54/68/79", "ram:CountrySubDivisionName", "0..1"),
    T("Address.country_code", "BT-40/55/69/80", "ram:CountryID", "1..1"),
    T("Contact.name", "BT-41/56", "ram:PersonName | ram:DepartmentName", "0..1", conv="contact_name"),
    T("Contact.telephone", "BT-42/57", "ram:TelephoneUniversalCommunication/ram:CompleteNumber", "0..1"),
    T("Contact.email", "BT-43/58", "ram:EmailURIUniversalCommunication/ram:URIID", "0..1"),
    T("Delivery.party_name", "BT-70", "ram:ShipToTradeParty/ram:Name", "0..1"),
    T("Delivery.location_id", "BT-71", "ram:ShipToTradeParty/ram:ID | ram:ShipToTradeParty/ram:GlobalID", "0..1", conv="location_id"),
    T("Delivery.actual_date", "BT-72", "ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime/udt:DateTimeString", "0..1"),
    T("Delivery.address", "BG-15", "ram:ShipToTradeParty/ram:PostalTradeAddress", "0..1"),
    T("Period.start_date", "BT-73/134", "ram:StartDateTime/udt:DateTimeString", "0..1"),
    T("Period.end_date", "BT-74/135", "ram:EndDateTime/udt:DateTimeString", "0..1"),
    T("PaymentMeans.code", "BT-81", "ram:TypeCode", "1..1"),
    T("PaymentMeans.text", "BT-82", "ram:Information", "0..1"),
    T("PaymentMeans.remittance_information", "BT-83", "../ram:PaymentReference", "0..1 per document", conv="with_header"),
    T("PaymentMeans.credit_transfers", "BG-17", "ram:PayeePartyCreditorFinancialAccount", "0..1 per payment means", conv="credit_transfers"),
    T("PaymentMeans.card", "BG-18", "ram:ApplicableTradeSettlementFinancialCard", "0..1"),
    T("PaymentMeans.direct_debit", "BG-19", "ram:PayerPartyDebtorFinancialAccount", "0..1", conv="direct_debit"),
    T("CreditTransfer.account_id", "BT-84", "ram:IBANID | ram:ProprietaryID", "1..1", conv="with_means"),
    T("CreditTransfer.account_name", "BT-85", "ram:AccountName", "0..1", conv="with_means"),
    T("CreditTransfer.service_provider_id", "BT-86", "../ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID", "0..1", conv="with_means"),
    T("Card.primary_account_number", "BT-87", "ram:ID", "1..1"),
    T("Card.holder_name", "BT-88", "ram:CardholderName", "0..1"),
    T("DirectDebit.mandate_reference", "BT-89", "../../ram:SpecifiedTradePaymentTerms/ram:DirectDebitMandateID", "0..1 per document", conv="with_means"),
    T("DirectDebit.creditor_id", "BT-90", "../../ram:CreditorReferenceID", "0..1 per document", conv="with_means"),
    T("DirectDebit.debited_account_id", "BT-91", "ram:IBANID", "0..1", conv="with_means"),
    T("AllowanceCharge.charge_indicator", "BG-20/21 (which)", "ram:ChargeIndicator/udt:Indicator", "1..1", "true/false"),
    T("AllowanceCharge.amount", "BT-92/99/136/141", "ram:ActualAmount", "1..1"),
    T("AllowanceCharge.base_amount", "BT-93/100/137/142", "ram:BasisAmount", "0..1"),
    T("AllowanceCharge.percentage", "BT-94/101/138/143", "ram:CalculationPercent", "0..1"),
    T("AllowanceCharge.reason", "BT-97/104/139/144", "ram:Reason", "0..1"),
    T("AllowanceCharge.reason_code", "BT-98/105/140/145", "ram:ReasonCode", "0..1"),
    T("AllowanceCharge.tax_category", "BT-95/96/102/103", "ram:CategoryTradeTax", "1..1 (document level; none on a line)", conv="allowance_tax"),
    T("Amount.value", "-", ".", "1..1"),
    T("TaxCategory.code", "BT-95/102/118/151", "ram:CategoryCode", "1..1"),
    T("TaxCategory.rate", "BT-96/103/119/152", "ram:RateApplicablePercent", "0..1"),
    T("TaxCategory.exemption_reason", "BT-120", "ram:ExemptionReason", "0..1"),
    T("TaxCategory.exemption_reason_code", "BT-121", "ram:ExemptionReasonCode", "0..1", "VATEX upper case"),
    T("TaxCategory.tax_scheme_id", "-", "ram:TypeCode", "1..1", "VAT"),
    T("DocumentTotals.line_extension_amount", "BT-106", "ram:LineTotalAmount", "1..1"),
    T("DocumentTotals.allowance_total_amount", "BT-107", "ram:AllowanceTotalAmount", "0..1"),
    T("DocumentTotals.charge_total_amount", "BT-108", "ram:ChargeTotalAmount", "0..1"),
    T("DocumentTotals.tax_exclusive_amount", "BT-109", "ram:TaxBasisTotalAmount", "1..1"),
    T("DocumentTotals.tax_inclusive_amount", "BT-112", "ram:GrandTotalAmount", "1..1"),
    T("DocumentTotals.prepaid_amount", "BT-113", "ram:TotalPrepaidAmount", "0..1"),
    T("DocumentTotals.rounding_amount", "BT-114", "ram:RoundingAmount", "0..1"),
    T("DocumentTotals.payable_amount", "BT-115", "ram:DuePayableAmount", "1..1"),
    T("TaxTotal.tax_amount", "BT-110/111", ".", "1..1"),
    T("TaxTotal.breakdown", "BG-23", "../../ram:ApplicableTradeTax", "0..n (of the BT-110 total)", conv="with_tax_totals"),
    T("VatBreakdown.taxable_amount", "BT-116", "ram:BasisAmount", "1..1"),
    T("VatBreakdown.tax_amount", "BT-117", "ram:CalculatedAmount", "1..1"),
    T("VatBreakdown.category", "BT-118/119/120/121", ".", "1..1"),
    T("SupportingDocument.id", "BT-122", "ram:IssuerAssignedID", "1..1", "no scheme (only BT-18 has one, as ReferenceTypeCode)"),
    T("SupportingDocument.description", "BT-123", "ram:Name", "0..1"),
    T("SupportingDocument.external_uri", "BT-124", "ram:URIID", "0..1"),
    T("SupportingDocument.attachment", "BT-125", "ram:AttachmentBinaryObject", "0..1"),
    T("AttachedObject.content", "BT-125", ".", "1..1"),
    T("AttachedObject.mime_code", "BT-125-1", "@mimeCode", "1..1"),
    T("AttachedObject.filename", "BT-125-2", "@filename", "1..1"),
    T("InvoiceLine.id", "BT-126", "ram:AssociatedDocumentLineDocument/ram:LineID", "1..1"),
    T("InvoiceLine.note", "BT-127", "ram:AssociatedDocumentLineDocument/ram:IncludedNote/ram:Content", "0..1"),
    T("InvoiceLine.object_id", "BT-128", "ram:SpecifiedLineTradeSettlement/ram:AdditionalReferencedDocument[ram:TypeCode='130']/ram:IssuerAssignedID", "0..1", "scheme: ReferenceTypeCode", conv="line_object_id"),
    T("InvoiceLine.quantity", "BT-129", "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity", "1..1"),
    T("InvoiceLine.unit_code", "BT-130", "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity/@unitCode", "1..1"),
    T("InvoiceLine.net_amount", "BT-131", "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount", "1..1"),
    T("InvoiceLine.order_line_reference", "BT-132", "ram:SpecifiedLineTradeAgreement/ram:BuyerOrderReferencedDocument/ram:LineID", "0..1"),
    T("InvoiceLine.buyer_accounting_reference", "BT-133", "ram:SpecifiedLineTradeSettlement/ram:ReceivableSpecifiedTradeAccountingAccount/ram:ID", "0..1"),
    T("InvoiceLine.period", "BG-26", "ram:SpecifiedLineTradeSettlement/ram:BillingSpecifiedPeriod", "0..1", conv="period"),
    T("InvoiceLine.allowances_charges", "BG-27/28", "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeAllowanceCharge", "0..n"),
    T("InvoiceLine.price", "BG-29", "ram:SpecifiedLineTradeAgreement", "1..1"),
    T("InvoiceLine.item", "BG-31", "ram:SpecifiedTradeProduct", "1..1 (read also without it when the line has a VAT category)", conv="item"),
    T("Price.net_amount", "BT-146", "ram:NetPriceProductTradePrice/ram:ChargeAmount", "1..1"),
    T("Price.base_quantity", "BT-149", "ram:NetPriceProductTradePrice/ram:BasisQuantity", "0..1 (else the gross price's)", conv="base_quantity"),
    T("Price.base_quantity_unit", "BT-150", "ram:NetPriceProductTradePrice/ram:BasisQuantity/@unitCode", "0..1", conv="base_quantity"),
    T("Price.discount", "BT-147", "ram:GrossPriceProductTradePrice/ram:AppliedTradeAllowanceCharge[ram:ChargeIndicator/udt:Indicator='false']"
      "/ram:ActualAmount", "0..1 (on the gross price)", into="ram:GrossPriceProductTradePrice"),
    T("Price.gross_amount", "BT-148", "ram:GrossPriceProductTradePrice/ram:ChargeAmount", "0..1 (implied by BT-147)", conv="gross_price"),
    T("Item.name", "BT-153", "ram:Name", "1..1"),
    T("Item.description", "BT-154", "ram:Description", "0..1"),
    T("Item.sellers_id", "BT-155", "ram:SellerAssignedID", "0..1"),
    T("Item.buyers_id", "BT-156", "ram:BuyerAssignedID", "0..1"),
    T("Item.standard_id", "BT-157", "ram:GlobalID", "0..1"),
    T("Item.classifications", "BT-158", "ram:DesignatedProductClassification/ram:ClassCode", "0..n"),
    T("Item.origin_country", "BT-159", "ram:OriginTradeCountry/ram:ID", "0..1"),
    T("Item.attributes", "BG-32", "ram:ApplicableProductCharacteristic", "0..n"),
    T("Item.tax_category", "BG-30", "../ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax", "1..1"),
    T("Classification.code", "BT-158", ".", "1..1"),
    T("Classification.list_id", "BT-158-1", "@listID", "1..1"),
    T("Classification.list_version_id", "BT-158-2", "@listVersionID", "0..1"),
    T("ItemAttribute.name", "BT-160", "ram:Description", "1..1"),
    T("ItemAttribute.value", "BT-161", "ram:Value", "1..1"),
]

# the containers CII requires: written also when no term goes into them
REQUIRED: dict[str, list[str]] = {
    "Invoice": ["rsm:ExchangedDocumentContext", "rsm:ExchangedDocument", _TX + "ram:ApplicableHeaderTradeAgreement",
                _TX + "ram:ApplicableHeaderTradeDelivery", _TX + "ram:ApplicableHeaderTradeSettlement",
                _TX + _ST + "ram:SpecifiedTradeSettlementHeaderMonetarySummation"],
    "InvoiceLine": ["ram:AssociatedDocumentLineDocument", "ram:SpecifiedTradeProduct", "ram:SpecifiedLineTradeAgreement",
                    "ram:SpecifiedLineTradeDelivery", "ram:SpecifiedLineTradeSettlement"],
    "Price": ["ram:NetPriceProductTradePrice"],
    "AllowanceCharge": ["ram:ChargeIndicator"],
}

# objects whose element other terms share (BT-15/16 in the header delivery, BT-132 in the line agreement):
# absent when none of their own terms is there
EMPTY_NONE = {"Invoice.delivery", "InvoiceLine.price"}

NOT_BOUND: dict[str, str] = {
    "Identifier.scheme_version_id": "CII identifiers carry no scheme version",
    "Card.network_id": "UBL's own card network (CardAccount/NetworkID); not an EN 16931 term, CII has none",
    "Amount.currency_id": "CII states a currency on the VAT totals only (TaxTotal.tax_amount)",
    "InvoiceLine.sub_lines": "UBL sub-lines are no EN 16931 term; CII D16B has no place for them",
}
