"""The semantic model of an invoice in EN 16931-1 terms.

Every field names its business term (BT-) or group (BG-) in its description.
Amounts are ``Decimal``, dates ``date``, codes plain strings checked by the
rules against the code lists under ``schemas/codelists``.

The model holds what a document *states*. What the numbers *should* be is
computed in :mod:`einvoice.model.calc`; the rules compare the two, and the
builder refuses stated totals that disagree with the computed ones.

Readers are lenient: a fragment reads with absent terms as ``None`` (or empty
lists) and a container element that is present but empty reads as an object
with every field ``None``, so rules can tell "absent" from "present but empty".
The model holds meaning, not syntax codes: readers map each syntax's codes to
meaning (a tax registration is VAT or other, BT-8 is a UNTDID 2005 code, a
credit note is a credit-note type code) and writers map meaning back to codes.
Where a rule must reproduce an official test of the code *as written*, a
read-only view (``TaxRegistration.tax_scheme_id``, ``Invoice.kind``) looks at
the source element; a model built in code answers from its meaning.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import Field, model_validator

from .base import ModelBase


# UNCL1001 codes of credit notes (EN 16931 1.3.16's credit note subset, BR-CL-01 on cbc:CreditNoteTypeCode: Peppol
# BIS Billing 3.0's and 502, a self-billed factored credit note, and 503, a prepayment credit note, which 1.3.15
# still listed among the invoice codes: a UBL written for a release of 1.3.15 keeps them in an Invoice, the writer's)
CREDIT_NOTE_TYPE_CODES = frozenset({"81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "502", "503",
                                    "532"})

# UNTDID 4461 payment means that are a direct debit (49 direct debit, 59 SEPA direct debit: the two whose mandate
# PEPPOL-EN16931-R061 asks for; 48 is a bank card, 30/58 credit transfers)
DIRECT_DEBIT_CODES = frozenset({"49", "59"})


from ..basics import Syntax  # noqa: E402,F401 - defined without pydantic


class DocumentKind(str, Enum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit-note"


class Identifier(ModelBase):
    """An identifier with an optional scheme (ICD, EAS, SEPA ...); a plain str is the value."""

    value: str | None = None
    scheme_id: str | None = Field(default=None, description="scheme identifier (ICD, EAS, ...)")
    scheme_version_id: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _plain(cls, data: Any) -> Any:
        return {"value": data} if isinstance(data, str) else data


class Amount(ModelBase):
    """An amount as stated, with the currency attribute the syntax puts on it (if any).

    Where an Amount is expected, a Decimal, str, int or float is taken as its value
    (``net_amount=Decimal("950")`` means ``net_amount=Amount(value=Decimal("950"))``).
    """

    value: Decimal | None = None
    currency_id: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _plain(cls, data: Any) -> Any:
        if isinstance(data, (Decimal, str, int, float)) and not isinstance(data, bool):  # (a float as a quantity or
            return {"value": data}  # a rate is: as written, 950.5 is Decimal('950.5'), as in a mapping given to build)
        return data


class Note(ModelBase):
    """BG-1 INVOICE NOTE."""

    subject_code: str | None = Field(default=None, description="BT-21 Invoice note subject code")
    text: str | None = Field(default=None, description="BT-22 Invoice note")


class PrecedingInvoice(ModelBase):
    """BG-3 PRECEDING INVOICE REFERENCE."""

    reference: str | None = Field(default=None, description="BT-25 Preceding Invoice reference")
    issue_date: date | None = Field(default=None, description="BT-26 Preceding Invoice issue date")


class Address(ModelBase):
    """BG-5 / BG-8 / BG-12 / BG-15 postal address."""

    line1: str | None = Field(default=None, description="BT-35/50/64/75 Address line 1")
    line2: str | None = Field(default=None, description="BT-36/51/65/76 Address line 2")
    line3: str | None = Field(default=None, description="BT-162/163/164/165 Address line 3")
    city: str | None = Field(default=None, description="BT-37/52/66/77 City")
    postal_code: str | None = Field(default=None, description="BT-38/53/67/78 Post code")
    subdivision: str | None = Field(default=None, description="BT-39/54/68/79 Country subdivision")
    country_code: str | None = Field(default=None, description="BT-40/55/69/80 Country code (ISO 3166-1 alpha-2)")


class Contact(ModelBase):
    """BG-6 / BG-9 contact."""

    name: str | None = Field(default=None, description="BT-41/56 Contact point")
    telephone: str | None = Field(default=None, description="BT-42/57 Contact telephone number")
    email: str | None = Field(default=None, description="BT-43/58 Contact email address")


class RegistrationScheme(str, Enum):
    """What a party's tax registration is: a VAT identifier or another tax registration."""

    VAT = "VAT"  # BT-31 / BT-48 / BT-63
    OTHER = "other"  # BT-32 (UBL TaxScheme other than VAT, CII schemeID FC)


class TaxRegistration(ModelBase):
    """A party's tax registration (UBL PartyTaxScheme, CII SpecifiedTaxRegistration)."""

    company_id: str | None = Field(default=None, description="BT-31/32/48/63 VAT or tax registration identifier")
    scheme: RegistrationScheme | None = Field(default=None, description="VAT (BT-31/48/63) or other (BT-32); None when the source names no scheme")

    @property
    def is_vat(self) -> bool:
        return self.scheme == RegistrationScheme.VAT

    @property
    def tax_scheme_id(self) -> str | None:
        """The scheme code as the source wrote it (UBL ``TaxScheme/cbc:ID``, CII ``@schemeID``).

        Some official rules test the written code itself; a registration built in
        code answers with UBL's codes ('VAT', 'TAX').
        """
        el = self._els.get("scheme")
        if el is not None:
            tag = el.tag if isinstance(el.tag, str) else ""
            if tag.startswith("{urn:un:unece:uncefact:"):  # CII: ram:ID/@schemeID
                return el.get("schemeID")
            if not tag.endswith("}ID"):  # UBL: a TaxScheme without cbc:ID
                return None
            return el.xpath("string()")
        if self.scheme is None:
            return None
        return "VAT" if self.scheme == RegistrationScheme.VAT else "TAX"


class Party(ModelBase):
    """Seller (BG-4), buyer (BG-7), payee (BG-10) or tax representative (BG-11)."""

    name: str | None = Field(default=None, description="BT-27/44/59/62 legal name (registration name)")
    trading_name: str | None = Field(default=None, description="BT-28/45 Trading name (party name)")
    identifiers: list[Identifier] = Field(default_factory=list, description="BT-29/46/60 identifiers")
    legal_registration_id: Identifier | None = Field(default=None, description="BT-30/47/61 Legal registration identifier")
    tax_registrations: list[TaxRegistration] = Field(default_factory=list, description="BT-31/32/48/63")
    additional_legal_info: str | None = Field(default=None, description="BT-33 Seller additional legal information")
    electronic_address: Identifier | None = Field(default=None, description="BT-34/49 Electronic address (EAS scheme)")
    address: Address | None = Field(default=None, description="BG-5/8/12 postal address")
    contact: Contact | None = Field(default=None, description="BG-6/9 contact")

    @property
    def vat_id(self) -> str | None:
        """BT-31/48/63 VAT identifier."""
        for reg in self.tax_registrations:
            if reg.scheme == RegistrationScheme.VAT:
                return reg.company_id
        return None

    @property
    def tax_registration_id(self) -> str | None:
        """BT-32 Seller tax registration identifier (a registration that is not VAT)."""
        for reg in self.tax_registrations:
            if reg.scheme != RegistrationScheme.VAT:
                return reg.company_id
        return None


class Delivery(ModelBase):
    """BG-13 DELIVERY INFORMATION."""

    party_name: str | None = Field(default=None, description="BT-70 Deliver to party name")
    location_id: Identifier | None = Field(default=None, description="BT-71 Deliver to location identifier")
    actual_date: date | None = Field(default=None, description="BT-72 Actual delivery date")
    address: Address | None = Field(default=None, description="BG-15 DELIVER TO ADDRESS")


class Period(ModelBase):
    """BG-14 INVOICING PERIOD / BG-26 INVOICE LINE PERIOD."""

    start_date: date | None = Field(default=None, description="BT-73/134 start date")
    end_date: date | None = Field(default=None, description="BT-74/135 end date")


class CreditTransfer(ModelBase):
    """BG-17 CREDIT TRANSFER."""

    account_id: str | None = Field(default=None, description="BT-84 Payment account identifier (IBAN or national)")
    account_name: str | None = Field(default=None, description="BT-85 Payment account name")
    service_provider_id: str | None = Field(default=None, description="BT-86 Payment service provider identifier (BIC)")


class Card(ModelBase):
    """BG-18 PAYMENT CARD INFORMATION."""

    primary_account_number: str | None = Field(default=None, description="BT-87 Payment card primary account number")
    holder_name: str | None = Field(default=None, description="BT-88 Payment card holder name")
    network_id: str | None = Field(default=None, description="syntax: card network (UBL CardAccount/NetworkID, mandatory there; e.g. VISA)")


class DirectDebit(ModelBase):
    """BG-19 DIRECT DEBIT."""

    mandate_reference: str | None = Field(default=None, description="BT-89 Mandate reference identifier")
    creditor_id: str | None = Field(default=None, description="BT-90 Bank assigned creditor identifier")
    debited_account_id: str | None = Field(default=None, description="BT-91 Debited account identifier")


class PaymentMeans(ModelBase):
    """BG-16 PAYMENT INSTRUCTIONS (UBL may repeat PaymentMeans)."""

    code: str | None = Field(default=None, description="BT-81 Payment means type code (UNCL4461)")
    text: str | None = Field(default=None, description="BT-82 Payment means text")
    remittance_information: str | None = Field(default=None, description="BT-83 Remittance information (payment reference, e.g. KID/OCR)")
    credit_transfers: list[CreditTransfer] = Field(default_factory=list, description="BG-17")
    card: Card | None = Field(default=None, description="BG-18")
    direct_debit: DirectDebit | None = Field(default=None, description="BG-19")


class TaxCategory(ModelBase):
    """A VAT category as stated on a breakdown, allowance/charge or line item."""

    code: str | None = Field(default=None, description="BT-95/102/118/151 VAT category code (UNCL5305)")
    rate: Decimal | None = Field(default=None, description="BT-96/103/119/152 VAT rate (percent)")
    exemption_reason: str | None = Field(default=None, description="BT-120 VAT exemption reason text")
    exemption_reason_code: str | None = Field(default=None, description="BT-121 VAT exemption reason code (VATEX)")
    tax_scheme_id: str | None = Field(default=None, description="tax scheme of the category: 'VAT' (however the source spaced or cased it), another as written")

    @property
    def is_vat(self) -> bool:
        return (self.tax_scheme_id or "").strip().upper() == "VAT"


class AllowanceCharge(ModelBase):
    """BG-20 DOCUMENT LEVEL ALLOWANCES / BG-21 CHARGES, and BG-27/28 line level."""

    charge_indicator: bool | None = Field(default=None, description="true for a charge, false for an allowance")
    amount: Amount | None = Field(default=None, description="BT-92/99/136/141 amount")
    base_amount: Amount | None = Field(default=None, description="BT-93/100/137/142 base amount")
    percentage: Decimal | None = Field(default=None, description="BT-94/101/138/143 percentage")
    reason: str | None = Field(default=None, description="BT-97/104/139/144 reason")
    reason_code: str | None = Field(default=None, description="BT-98/105/140/145 reason code (UNCL5189 / UNCL7161)")
    tax_category: TaxCategory | None = Field(default=None, description="BT-95/96 and BT-102/103 VAT category and rate (document level)")

    @property
    def is_allowance(self) -> bool:
        return self.charge_indicator is False

    @property
    def is_charge(self) -> bool:
        return self.charge_indicator is True


class VatBreakdown(ModelBase):
    """BG-23 VAT BREAKDOWN."""

    taxable_amount: Amount | None = Field(default=None, description="BT-116 VAT category taxable amount")
    tax_amount: Amount | None = Field(default=None, description="BT-117 VAT category tax amount")
    category: TaxCategory | None = Field(default=None, description="BT-118/119/120/121")


class TaxTotal(ModelBase):
    """A stated VAT total: BT-110 (document currency) or BT-111 (VAT accounting currency)."""

    tax_amount: Amount | None = Field(default=None, description="BT-110 / BT-111")
    breakdown: list[VatBreakdown] = Field(default_factory=list, description="BG-23 VAT BREAKDOWN")


class DocumentTotals(ModelBase):
    """BG-22 DOCUMENT TOTALS (BT-110/111 live in ``Invoice.tax_totals``)."""

    line_extension_amount: Amount | None = Field(default=None, description="BT-106 Sum of Invoice line net amount")
    allowance_total_amount: Amount | None = Field(default=None, description="BT-107 Sum of allowances on document level")
    charge_total_amount: Amount | None = Field(default=None, description="BT-108 Sum of charges on document level")
    tax_exclusive_amount: Amount | None = Field(default=None, description="BT-109 Invoice total amount without VAT")
    tax_inclusive_amount: Amount | None = Field(default=None, description="BT-112 Invoice total amount with VAT")
    prepaid_amount: Amount | None = Field(default=None, description="BT-113 Paid amount")
    rounding_amount: Amount | None = Field(default=None, description="BT-114 Rounding amount")
    payable_amount: Amount | None = Field(default=None, description="BT-115 Amount due for payment")


class AttachedObject(ModelBase):
    """BT-125 Attached document (embedded binary object)."""

    content: bytes | None = Field(default=None, description="BT-125 Attached document")
    mime_code: str | None = Field(default=None, description="BT-125-1 Attached document Mime code")
    filename: str | None = Field(default=None, description="BT-125-2 Attached document Filename")


class SupportingDocument(ModelBase):
    """BG-24 ADDITIONAL SUPPORTING DOCUMENTS."""

    id: Identifier | None = Field(default=None, description="BT-122 Supporting document reference")
    description: str | None = Field(default=None, description="BT-123 Supporting document description")
    external_uri: str | None = Field(default=None, description="BT-124 External document location")
    attachment: AttachedObject | None = Field(default=None, description="BT-125")


class ItemAttribute(ModelBase):
    """BG-32 ITEM ATTRIBUTES."""

    name: str | None = Field(default=None, description="BT-160 Item attribute name")
    value: str | None = Field(default=None, description="BT-161 Item attribute value")


class Classification(ModelBase):
    """BT-158 Item classification identifier with its list id (UNTDID 7143)."""

    code: str | None = None
    list_id: str | None = Field(default=None, description="BT-158-1 Scheme identifier")
    list_version_id: str | None = Field(default=None, description="BT-158-2 Scheme version identifier")


class Item(ModelBase):
    """BG-31 ITEM INFORMATION."""

    name: str | None = Field(default=None, description="BT-153 Item name")
    description: str | None = Field(default=None, description="BT-154 Item description")
    sellers_id: str | None = Field(default=None, description="BT-155 Item Seller's identifier")
    buyers_id: str | None = Field(default=None, description="BT-156 Item Buyer's identifier")
    standard_id: Identifier | None = Field(default=None, description="BT-157 Item standard identifier")
    classifications: list[Classification] = Field(default_factory=list, description="BT-158")
    origin_country: str | None = Field(default=None, description="BT-159 Item country of origin")
    attributes: list[ItemAttribute] = Field(default_factory=list, description="BG-32")
    tax_category: TaxCategory | None = Field(default=None, description="BG-30 LINE VAT INFORMATION (BT-151/152)")


class Price(ModelBase):
    """BG-29 PRICE DETAILS."""

    net_amount: Amount | None = Field(default=None, description="BT-146 Item net price")
    base_quantity: Decimal | None = Field(default=None, description="BT-149 Item price base quantity")
    base_quantity_unit: str | None = Field(default=None, description="BT-150 Item price base quantity unit of measure code")
    discount: Amount | None = Field(default=None, description="BT-147 Item price discount")
    gross_amount: Amount | None = Field(default=None, description="BT-148 Item gross price")


class InvoiceLine(ModelBase):
    """BG-25 INVOICE LINE."""

    id: str | None = Field(default=None, description="BT-126 Invoice line identifier")
    note: str | None = Field(default=None, description="BT-127 Invoice line note")
    object_id: Identifier | None = Field(default=None, description="BT-128 Invoice line object identifier")
    quantity: Decimal | None = Field(default=None, description="BT-129 Invoiced quantity")
    unit_code: str | None = Field(default=None, description="BT-130 Invoiced quantity unit of measure code (UN/ECE Rec 20/21)")
    net_amount: Amount | None = Field(default=None, description="BT-131 Invoice line net amount")
    order_line_reference: str | None = Field(default=None, description="BT-132 Referenced purchase order line reference")
    buyer_accounting_reference: str | None = Field(default=None, description="BT-133 Invoice line Buyer accounting reference")
    period: Period | None = Field(default=None, description="BG-26 INVOICE LINE PERIOD")
    allowances_charges: list[AllowanceCharge] = Field(default_factory=list, description="BG-27 / BG-28")
    price: Price | None = Field(default=None, description="BG-29 PRICE DETAILS")
    item: Item | None = Field(default=None, description="BG-31 / BG-30")
    sub_lines: list["InvoiceLine"] = Field(default_factory=list, description="syntax: UBL SubInvoiceLine (not EN 16931)")


class Invoice(ModelBase):
    """BG-0 the invoice (or credit note)."""

    customization_id: str | None = Field(default=None, description="BT-24 Specification identifier")
    profile_id: str | None = Field(default=None, description="BT-23 Business process type")
    number: str | None = Field(default=None, description="BT-1 Invoice number")
    issue_date: date | None = Field(default=None, description="BT-2 Invoice issue date")
    type_code: str | None = Field(default=None, description="BT-3 Invoice type code (UNCL1001)")
    currency_code: str | None = Field(default=None, description="BT-5 Invoice currency code")
    tax_currency_code: str | None = Field(default=None, description="BT-6 VAT accounting currency code")
    tax_point_date: date | None = Field(default=None, description="BT-7 Value added tax point date")
    tax_point_date_code: str | None = Field(default=None, description="BT-8 Value added tax point date code (UNTDID 2005: 3, 35, 432; CII writes UNTDID 2475)")
    due_date: date | None = Field(default=None, description="BT-9 Payment due date")
    buyer_reference: str | None = Field(default=None, description="BT-10 Buyer reference")
    project_reference: str | None = Field(default=None, description="BT-11 Project reference")
    contract_reference: str | None = Field(default=None, description="BT-12 Contract reference")
    purchase_order_reference: str | None = Field(default=None, description="BT-13 Purchase order reference")
    sales_order_reference: str | None = Field(default=None, description="BT-14 Sales order reference")
    receiving_advice_reference: str | None = Field(default=None, description="BT-15 Receiving advice reference")
    despatch_advice_reference: str | None = Field(default=None, description="BT-16 Despatch advice reference")
    tender_reference: str | None = Field(default=None, description="BT-17 Tender or lot reference")
    invoiced_object_id: Identifier | None = Field(default=None, description="BT-18 Invoiced object identifier")
    buyer_accounting_reference: str | None = Field(default=None, description="BT-19 Buyer accounting reference")
    payment_terms: str | None = Field(default=None, description="BT-20 Payment terms")

    notes: list[Note] = Field(default_factory=list, description="BG-1 INVOICE NOTE")
    preceding_invoices: list[PrecedingInvoice] = Field(default_factory=list, description="BG-3 PRECEDING INVOICE REFERENCE")
    seller: Party | None = Field(default=None, description="BG-4 SELLER")
    buyer: Party | None = Field(default=None, description="BG-7 BUYER")
    payee: Party | None = Field(default=None, description="BG-10 PAYEE")
    tax_representative: Party | None = Field(default=None, description="BG-11 SELLER TAX REPRESENTATIVE PARTY")
    delivery: Delivery | None = Field(default=None, description="BG-13 DELIVERY INFORMATION")
    invoice_period: Period | None = Field(default=None, description="BG-14 INVOICING PERIOD")
    payment_means: list[PaymentMeans] = Field(default_factory=list, description="BG-16 PAYMENT INSTRUCTIONS")
    payment_without_means: PaymentMeans | None = Field(
        default=None, description="BT-83 / BT-89 / BT-90 a CII document states in its settlement without any payment means "
        "(no BT-81), or its BT-89 / BT-90 when none of its means is a direct debit: the document's, kept for "
        "conversion, apart from the payment means the rules count")
    allowances_charges: list[AllowanceCharge] = Field(default_factory=list, description="BG-20 / BG-21")
    totals: DocumentTotals | None = Field(default=None, description="BG-22 DOCUMENT TOTALS")
    tax_totals: list[TaxTotal] = Field(default_factory=list, description="BT-110/111 with BG-23 VAT BREAKDOWN")
    supporting_documents: list[SupportingDocument] = Field(default_factory=list, description="BG-24")
    lines: list[InvoiceLine] = Field(default_factory=list, description="BG-25 INVOICE LINE")

    # --- business-term views -------------------------------------------------
    @property
    def vat_total(self) -> TaxTotal | None:
        """BT-110: the stated VAT total in the invoice currency, else one stated without a currency (without an
        invoice currency stated: the first one not in the VAT accounting currency)."""
        own = (self.currency_code or "").strip()  # (a code written with white space around it is that code)
        currencies = [t.tax_amount.currency_id if t.tax_amount else None for t in self.tax_totals]
        for t, cur in zip(self.tax_totals, currencies):  # one stated in the invoice currency (as BR-CO-14 reads it)
            if cur is not None and cur.strip() == own:
                return t
        for t, cur in zip(self.tax_totals, currencies):  # else one stated without a currency
            if cur is None:
                return t
        if not own:
            acc = (self.tax_currency_code or "").strip()
            return next((t for t in self.tax_totals
                         if not acc or ((t.tax_amount.currency_id if t.tax_amount else None) or "").strip() != acc), None)
        return None

    @property
    def vat_total_accounting(self) -> TaxTotal | None:
        """BT-111: the stated VAT total in the VAT accounting currency."""
        acc, own = (self.tax_currency_code or "").strip(), (self.currency_code or "").strip()
        if not acc:
            return None
        for t in self.tax_totals:
            if t.tax_amount and (t.tax_amount.currency_id or "").strip() == acc and acc != own:
                return t
        return None

    @property
    def vat_breakdown(self) -> list[VatBreakdown]:
        """BG-23 of the BT-110 total."""
        total = self.vat_total
        return list(total.breakdown) if total else []

    @property
    def kind(self) -> DocumentKind:
        """Invoice or credit note: the UBL root the document was read from, else by its type code (BT-3).

        A credit note is one definition (a credit-note type code); only a UBL document
        read from XML can differ from it, by the root it was written with.
        """
        el = self._el
        tag = el.tag if el is not None and isinstance(el.tag, str) else ""
        if tag.endswith("}CreditNote"):
            return DocumentKind.CREDIT_NOTE
        if tag.endswith("}Invoice"):
            return DocumentKind.INVOICE
        return DocumentKind.CREDIT_NOTE if self.is_credit_type else DocumentKind.INVOICE

    @property
    def is_credit_type(self) -> bool:
        """BT-3 is a credit-note type code."""
        return (self.type_code or "").strip() in CREDIT_NOTE_TYPE_CODES

    @property
    def is_credit_note(self) -> bool:
        return self.kind == DocumentKind.CREDIT_NOTE

    @property
    def is_credit(self) -> bool:
        """A credit note by its root, or by a credit-note type code (BT-3) on an invoice root."""
        return self.is_credit_note or self.is_credit_type

    @property
    def kind_name(self) -> str:
        """'Credit note' or 'Invoice' (by :attr:`is_credit`), as reports, the PDF's metadata and messages name it."""
        return "Credit note" if self.is_credit else "Invoice"


InvoiceLine.model_rebuild()


def no_payment_asked(inv: Invoice) -> str | None:
    """Why a document asks for no payment, or None when it asks for one: 'accounting' (type code 751, invoice
    information for accounting purposes), 'credit' (a credit note of an amount due of zero or more), 'owed' (an
    invoice's amount due below zero: the seller owes the buyer), 'paid' (an amount due of zero). Then neither the page nor ``einvoice show`` gives a due date, account
    or reference to pay to, and neither the builder (EINV-B-011/012) nor the house policy (EINV-P-009/011) asks
    for an account or a reference to pay by.

    A credit note whose amount due is below zero credits a negative amount: the buyer owes the seller (a credit
    note reversing one too many, say). It asks for payment as an invoice does (None), and the page and ``show``
    say so (:func:`credit_owed`)."""
    due = inv.totals.payable_amount.value if inv.totals and inv.totals.payable_amount else None
    if (inv.type_code or "").strip() == "751":
        return "accounting"
    if inv.is_credit:
        return None if due is not None and due < 0 else "credit"
    return "owed" if due is not None and due < 0 else "paid" if due == 0 else None


def party_name(party: Party | None) -> str | None:
    """The name a reader knows a party by: its name (BT-27, BT-44), else its trading name (BT-28, BT-45); a name of
    white space alone is none."""
    if party is None:
        return None
    return party.name if party.name and party.name.strip() else party.trading_name


def credit_owed(inv: Invoice) -> bool:
    """Whether a credit note leaves an amount in the seller's favour (its amount due below zero): a payment asked
    of the buyer, of the amount without its sign (see :func:`no_payment_asked`)."""
    return bool(inv.is_credit) and no_payment_asked(inv) is None
