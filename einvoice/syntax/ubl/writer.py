"""Write the model as a UBL 2.1 Invoice or CreditNote (Peppol BIS Billing 3.0 / EHF Billing 3.0).

Elements follow the sequence of the UBL 2.1 schema (which differs between Invoice
and CreditNote in a few places), every amount carries ``currencyID`` (its own, else
the document currency), and only what the model holds is written. The output is
pretty-printed UTF-8 with an XML declaration.

Where UBL needs an element the model has no value for, a neutral value keeps the
output schema-valid: ``cbc:ID`` "NA" in an order reference that carries only a
sales order reference (as the Peppol guide prescribes), ``cbc:NetworkID`` "NA" on a
card, ``TaxScheme/cbc:ID`` "VAT" on tax categories without a scheme, and a zero
``cbc:Amount`` on a price allowance that has only a gross price; a tax total
without its amount but with a breakdown states the sum of the breakdown's tax
amounts (BR-CO-14).

Business terms the UBL binding places elsewhere:

* BT-9 of a credit note goes to the first ``PaymentMeans/cbc:PaymentDueDate``
  (it is dropped when there is no payment means to carry it);
* BT-11 of a credit note and BT-18 are ``AdditionalDocumentReference`` with type
  code 50 and 130, added unless a supporting document already carries them;
* BT-90 is a ``PartyIdentification`` with ``schemeID="SEPA"`` on the payee (else
  the seller), added unless that party already has it;
* a payment means without a code (BT-81; e.g. CII's payment reference or mandate
  without a means) states ``1``, instrument not defined (UBL requires the code);
* a payment means with several credit transfers becomes several ``PaymentMeans``
  (UBL has one payee account per payment means);
* a VAT registration has ``TaxScheme/cbc:ID`` ``VAT``, another one ``TAX``;
* BT-8 (UNTDID 2005) is ``InvoicePeriod/cbc:DescriptionCode``;
* what UBL allows once in a document is written once: the buyer identifier
  (BT-46, the first), the payment means text (BT-82, on the first
  ``PaymentMeans``), the payment reference (BT-83: one value, which may repeat
  on every ``PaymentMeans``; a differing one is left out).
"""

from __future__ import annotations

import base64
from datetime import date
from decimal import Decimal
from typing import Any

from lxml import etree

from ...model import invoice as m
from ...model.invoice import DocumentKind, Invoice
from ..codes import UBL_REGISTRATION_SCHEME, category_scheme
from ..namespaces import CAC, CBC, UBL_CREDIT_NOTE, UBL_INVOICE

__all__ = ["write_ubl", "PEPPOL_CUSTOMIZATION_ID", "PEPPOL_PROFILE_ID", "FLAVOURS"]

PEPPOL_CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PEPPOL_PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
# XRechnung 3.0 (KoSIT CIUS of EN 16931); its business process (BT-23) as XRechnung invoices usually state it
XRECHNUNG_CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"

# EHF Billing 3.0 is Peppol BIS Billing 3.0 as used in Norway: the same identifiers.
FLAVOURS = {
    "peppol": (PEPPOL_CUSTOMIZATION_ID, PEPPOL_PROFILE_ID),
    "ehf": (PEPPOL_CUSTOMIZATION_ID, PEPPOL_PROFILE_ID),
    "xrechnung-3.0": (XRECHNUNG_CUSTOMIZATION_ID, PEPPOL_PROFILE_ID),
}

_B = "{%s}" % CBC
_A = "{%s}" % CAC
_SE = etree.SubElement


def _fmt(value: Any) -> str:
    if isinstance(value, Decimal):
        if not value.is_finite():
            return str(value)
        text = format(value, "f")
        return "0" if text in ("-0", "+0") else text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class _Writer:
    def __init__(self, invoice: Invoice):
        self.inv = invoice
        self.cn = invoice.kind == DocumentKind.CREDIT_NOTE
        self.currency = invoice.currency_code
        # BT-83: UBL allows one payment reference value in a document (UBL-SR-44)
        self.payment_id = next((pm.remittance_information for pm in invoice.payment_means
                                if pm.remittance_information is not None), None)
        self.means_text_written = False

    # --- leaves -----------------------------------------------------------------
    def text(self, parent: Any, tag: str, value: Any, **attrs: Any) -> Any:
        if value is None:
            return None
        el = _SE(parent, tag, {k: v for k, v in attrs.items() if v is not None})
        el.text = _fmt(value)
        return el

    def amount(self, parent: Any, tag: str, amount: m.Amount | None) -> Any:
        if amount is None or amount.value is None:
            return None
        el = _SE(parent, tag, currencyID=amount.currency_id or self.currency or "")
        if not el.get("currencyID"):
            del el.attrib["currencyID"]
        el.text = _fmt(amount.value)
        return el

    def ident(self, parent: Any, tag: str, ident: m.Identifier | None) -> Any:
        if ident is None or ident.value is None:
            return None
        return self.text(parent, tag, ident.value, schemeID=ident.scheme_id, schemeVersionID=ident.scheme_version_id)

    def wrapped(self, parent: Any, outer: str, inner: str, value: Any) -> Any:
        """``<outer><inner>value</inner></outer>`` when there is a value."""
        if value is None:
            return None
        el = _SE(parent, outer)
        self.text(el, inner, value)
        return el

    # --- aggregates -------------------------------------------------------------
    def address(self, parent: Any, tag: str, a: m.Address | None) -> None:
        if a is None:
            return
        el = _SE(parent, tag)
        self.text(el, _B + "StreetName", a.line1)
        self.text(el, _B + "AdditionalStreetName", a.line2)
        self.text(el, _B + "CityName", a.city)
        self.text(el, _B + "PostalZone", a.postal_code)
        self.text(el, _B + "CountrySubentity", a.subdivision)
        self.wrapped(el, _A + "AddressLine", _B + "Line", a.line3)
        self.wrapped(el, _A + "Country", _B + "IdentificationCode", a.country_code)

    def tax_scheme(self, parent: Any, scheme: str | None) -> None:
        ts = _SE(parent, _A + "TaxScheme")
        self.text(ts, _B + "ID", scheme if scheme is not None else "VAT")

    def tax_category(self, parent: Any, tag: str, c: m.TaxCategory | None) -> None:
        if c is None:
            return
        el = _SE(parent, tag)
        self.text(el, _B + "ID", c.code)
        self.text(el, _B + "Percent", c.rate)
        self.text(el, _B + "TaxExemptionReasonCode", c.exemption_reason_code)
        self.text(el, _B + "TaxExemptionReason", c.exemption_reason)
        self.tax_scheme(el, category_scheme(c.tax_scheme_id))

    def party(self, parent: Any, tag: str, p: m.Party | None, role: str, extra_ids: list[m.Identifier]) -> Any:
        """A cac:Party (seller, buyer) or the party element itself (payee, tax representative)."""
        if p is None:
            return None
        el = _SE(parent, tag)
        name_in_party_name = role in ("payee", "taxrep")
        self.ident(el, _B + "EndpointID", p.electronic_address)
        idents = [i for i in list(p.identifiers) + extra_ids if i.value is not None]
        if role == "buyer":
            idents = idents[:1]  # BT-46 occurs once in UBL (UBL-SR-16)
        for ident in idents:
            pi = _SE(el, _A + "PartyIdentification")
            self.ident(pi, _B + "ID", ident)
        party_name = p.name if name_in_party_name else p.trading_name
        self.wrapped(el, _A + "PartyName", _B + "Name", party_name)
        self.address(el, _A + "PostalAddress", p.address)
        for reg in p.tax_registrations:
            pts = _SE(el, _A + "PartyTaxScheme")
            self.text(pts, _B + "CompanyID", reg.company_id)
            self.tax_scheme(pts, UBL_REGISTRATION_SCHEME.get(reg.scheme))
        reg_name = None if name_in_party_name else p.name
        if reg_name is not None or p.legal_registration_id is not None or p.additional_legal_info is not None:
            ple = _SE(el, _A + "PartyLegalEntity")
            self.text(ple, _B + "RegistrationName", reg_name)
            self.ident(ple, _B + "CompanyID", p.legal_registration_id)
            self.text(ple, _B + "CompanyLegalForm", p.additional_legal_info)
        c = p.contact
        if c is not None:
            ce = _SE(el, _A + "Contact")
            self.text(ce, _B + "Name", c.name)
            self.text(ce, _B + "Telephone", c.telephone)
            self.text(ce, _B + "ElectronicMail", c.email)
        return el

    def period(self, parent: Any, p: m.Period | None, description_code: str | None = None) -> None:
        code = description_code
        if p is None and code is None:
            return
        el = _SE(parent, _A + "InvoicePeriod")
        if p is not None:
            self.text(el, _B + "StartDate", p.start_date)
            self.text(el, _B + "EndDate", p.end_date)
        self.text(el, _B + "DescriptionCode", code)

    def allowance_charge(self, parent: Any, ac: m.AllowanceCharge, document_level: bool) -> None:
        el = _SE(parent, _A + "AllowanceCharge")
        self.text(el, _B + "ChargeIndicator", ac.charge_indicator)
        self.text(el, _B + "AllowanceChargeReasonCode", ac.reason_code)
        self.text(el, _B + "AllowanceChargeReason", ac.reason)
        self.text(el, _B + "MultiplierFactorNumeric", ac.percentage)
        self.amount(el, _B + "Amount", ac.amount)
        self.amount(el, _B + "BaseAmount", ac.base_amount)
        if document_level or ac.tax_category is not None:
            self.tax_category(el, _A + "TaxCategory", ac.tax_category)

    def supporting_document(self, parent: Any, d: m.SupportingDocument, type_code: str | None = None) -> None:
        el = _SE(parent, _A + "AdditionalDocumentReference")
        if type_code is None and d.id is not None and d.id.scheme_id is not None:
            # only BT-18 carries a scheme in UBL (UBL-SR-43): a supporting document's is left out
            self.text(el, _B + "ID", d.id.value)
        else:
            self.ident(el, _B + "ID", d.id)
        self.text(el, _B + "DocumentTypeCode", type_code)
        self.text(el, _B + "DocumentDescription", d.description)
        att = d.attachment
        if att is not None or d.external_uri is not None:
            ae = _SE(el, _A + "Attachment")
            if att is not None:
                bo = _SE(ae, _B + "EmbeddedDocumentBinaryObject")
                if att.mime_code is not None:
                    bo.set("mimeCode", att.mime_code)
                if att.filename is not None:
                    bo.set("filename", att.filename)
                bo.text = base64.b64encode(att.content or b"").decode("ascii")
            if d.external_uri is not None:
                self.wrapped(ae, _A + "ExternalReference", _B + "URI", d.external_uri)

    def payment_means(self, parent: Any, pm: m.PaymentMeans, due: date | None) -> None:
        transfers = list(pm.credit_transfers) or [None]
        for i, ct in enumerate(transfers):
            el = _SE(parent, _A + "PaymentMeans")
            text = pm.text if not self.means_text_written else None
            # UBL requires BT-81: a payment instruction without it states 1 (instrument not defined)
            code = _SE(el, _B + "PaymentMeansCode")
            code.text = pm.code if pm.code is not None else "1"
            if text is not None:
                code.set("name", text)  # BT-82 occurs once in UBL (UBL-SR-46)
                self.means_text_written = True
            if i == 0:
                self.text(el, _B + "PaymentDueDate", due)
            if pm.remittance_information == self.payment_id:
                self.text(el, _B + "PaymentID", pm.remittance_information)
            card = pm.card if i == 0 else None
            if card is not None:
                ca = _SE(el, _A + "CardAccount")
                self.text(ca, _B + "PrimaryAccountNumberID", card.primary_account_number)
                self.text(ca, _B + "NetworkID", card.network_id if card.network_id is not None else "NA")
                self.text(ca, _B + "HolderName", card.holder_name)
            if ct is not None:
                fa = _SE(el, _A + "PayeeFinancialAccount")
                self.text(fa, _B + "ID", ct.account_id)
                self.text(fa, _B + "Name", ct.account_name)
                self.wrapped(fa, _A + "FinancialInstitutionBranch", _B + "ID", ct.service_provider_id)
            dd = pm.direct_debit if i == 0 else None
            if dd is not None and (dd.mandate_reference is not None or dd.debited_account_id is not None):
                md = _SE(el, _A + "PaymentMandate")
                self.text(md, _B + "ID", dd.mandate_reference)
                self.wrapped(md, _A + "PayerFinancialAccount", _B + "ID", dd.debited_account_id)

    def tax_total(self, parent: Any, t: m.TaxTotal) -> None:
        el = _SE(parent, _A + "TaxTotal")
        tax_amount = t.tax_amount
        if (tax_amount is None or tax_amount.value is None) and t.breakdown:
            # UBL requires the total; a breakdown without it states it as the sum (BR-CO-14)
            parts = [b.tax_amount for b in t.breakdown]
            if all(a is not None and a.value is not None for a in parts):
                tax_amount = m.Amount.model_construct(value=sum((a.value for a in parts), Decimal("0")), currency_id=parts[0].currency_id)
        self.amount(el, _B + "TaxAmount", tax_amount)
        for b in t.breakdown:
            st = _SE(el, _A + "TaxSubtotal")
            self.amount(st, _B + "TaxableAmount", b.taxable_amount)
            self.amount(st, _B + "TaxAmount", b.tax_amount)
            self.tax_category(st, _A + "TaxCategory", b.category)

    def totals(self, parent: Any, t: m.DocumentTotals | None) -> None:
        if t is None:
            return
        el = _SE(parent, _A + "LegalMonetaryTotal")
        self.amount(el, _B + "LineExtensionAmount", t.line_extension_amount)
        self.amount(el, _B + "TaxExclusiveAmount", t.tax_exclusive_amount)
        self.amount(el, _B + "TaxInclusiveAmount", t.tax_inclusive_amount)
        self.amount(el, _B + "AllowanceTotalAmount", t.allowance_total_amount)
        self.amount(el, _B + "ChargeTotalAmount", t.charge_total_amount)
        self.amount(el, _B + "PrepaidAmount", t.prepaid_amount)
        self.amount(el, _B + "PayableRoundingAmount", t.rounding_amount)
        self.amount(el, _B + "PayableAmount", t.payable_amount)

    def item(self, parent: Any, it: m.Item | None) -> None:
        if it is None:
            return
        el = _SE(parent, _A + "Item")
        self.text(el, _B + "Description", it.description)
        self.text(el, _B + "Name", it.name)
        self.wrapped(el, _A + "BuyersItemIdentification", _B + "ID", it.buyers_id)
        self.wrapped(el, _A + "SellersItemIdentification", _B + "ID", it.sellers_id)
        if it.standard_id is not None and it.standard_id.value is not None:
            sid = _SE(el, _A + "StandardItemIdentification")
            self.ident(sid, _B + "ID", it.standard_id)
        self.wrapped(el, _A + "OriginCountry", _B + "IdentificationCode", it.origin_country)
        for c in it.classifications:
            if c.code is None:
                continue
            cc = _SE(el, _A + "CommodityClassification")
            self.text(cc, _B + "ItemClassificationCode", c.code, listID=c.list_id, listVersionID=c.list_version_id)
        self.tax_category(el, _A + "ClassifiedTaxCategory", it.tax_category)
        for a in it.attributes:
            ap = _SE(el, _A + "AdditionalItemProperty")
            self.text(ap, _B + "Name", a.name)
            self.text(ap, _B + "Value", a.value)

    def price(self, parent: Any, p: m.Price | None) -> None:
        if p is None:
            return
        el = _SE(parent, _A + "Price")
        self.amount(el, _B + "PriceAmount", p.net_amount)
        if p.base_quantity is not None:
            self.text(el, _B + "BaseQuantity", p.base_quantity, unitCode=p.base_quantity_unit)
        discount = p.discount if p.discount is not None and p.discount.value is not None else None
        gross = p.gross_amount if p.gross_amount is not None and p.gross_amount.value is not None else None
        if discount is not None or gross is not None:
            ac = _SE(el, _A + "AllowanceCharge")
            self.text(ac, _B + "ChargeIndicator", False)
            if discount is None:
                discount = m.Amount.model_construct(value=Decimal("0"), currency_id=gross.currency_id)
            self.amount(ac, _B + "Amount", discount)
            self.amount(ac, _B + "BaseAmount", gross)

    def line(self, parent: Any, ln: m.InvoiceLine, tag: str, qty_tag: str, sub_tag: str) -> None:
        el = _SE(parent, tag)
        self.text(el, _B + "ID", ln.id)
        self.text(el, _B + "Note", ln.note)
        if ln.quantity is not None:
            self.text(el, qty_tag, ln.quantity, unitCode=ln.unit_code)
        self.amount(el, _B + "LineExtensionAmount", ln.net_amount)
        self.text(el, _B + "AccountingCost", ln.buyer_accounting_reference)
        if ln.period is not None:
            self.period(el, ln.period)
        self.wrapped(el, _A + "OrderLineReference", _B + "LineID", ln.order_line_reference)
        if ln.object_id is not None and ln.object_id.value is not None:
            dr = _SE(el, _A + "DocumentReference")
            self.ident(dr, _B + "ID", ln.object_id)
            self.text(dr, _B + "DocumentTypeCode", "130")
        for ac in ln.allowances_charges:
            self.allowance_charge(el, ac, document_level=False)
        self.item(el, ln.item)
        self.price(el, ln.price)
        for sub in ln.sub_lines:
            self.line(el, sub, sub_tag, qty_tag, sub_tag)

    # --- the document -----------------------------------------------------------
    def document(self, flavour: str) -> Any:
        inv = self.inv
        cn = self.cn
        root_ns = UBL_CREDIT_NOTE if cn else UBL_INVOICE
        root = etree.Element("{%s}%s" % (root_ns, "CreditNote" if cn else "Invoice"), nsmap={None: root_ns, "cac": CAC, "cbc": CBC})
        customization, profile = FLAVOURS[flavour]
        self.text(root, _B + "CustomizationID", inv.customization_id if inv.customization_id is not None else customization)
        # BT-23 is supplied with the flavour's BT-24 only: a document of another specification keeps its own
        self.text(root, _B + "ProfileID", inv.profile_id if inv.profile_id is not None or inv.customization_id is not None else profile)
        self.text(root, _B + "ID", inv.number)
        self.text(root, _B + "IssueDate", inv.issue_date)
        if cn:
            self.text(root, _B + "TaxPointDate", inv.tax_point_date)
            self.text(root, _B + "CreditNoteTypeCode", inv.type_code)
        else:
            self.text(root, _B + "DueDate", inv.due_date)
            self.text(root, _B + "InvoiceTypeCode", inv.type_code)
        for n in inv.notes:
            self.text(root, _B + "Note", n.text)
        if not cn:
            self.text(root, _B + "TaxPointDate", inv.tax_point_date)
        self.text(root, _B + "DocumentCurrencyCode", inv.currency_code)
        self.text(root, _B + "TaxCurrencyCode", inv.tax_currency_code)
        self.text(root, _B + "AccountingCost", inv.buyer_accounting_reference)
        self.text(root, _B + "BuyerReference", inv.buyer_reference)
        self.period(root, inv.invoice_period, inv.tax_point_date_code)
        if inv.purchase_order_reference is not None or inv.sales_order_reference is not None:
            orf = _SE(root, _A + "OrderReference")
            self.text(orf, _B + "ID", inv.purchase_order_reference if inv.purchase_order_reference is not None else "NA")
            self.text(orf, _B + "SalesOrderID", inv.sales_order_reference)
        for p in inv.preceding_invoices:
            br = _SE(root, _A + "BillingReference")
            idr = _SE(br, _A + "InvoiceDocumentReference")
            self.text(idr, _B + "ID", p.reference)
            self.text(idr, _B + "IssueDate", p.issue_date)
        self.wrapped(root, _A + "DespatchDocumentReference", _B + "ID", inv.despatch_advice_reference)
        self.wrapped(root, _A + "ReceiptDocumentReference", _B + "ID", inv.receiving_advice_reference)
        if not cn:
            self.wrapped(root, _A + "OriginatorDocumentReference", _B + "ID", inv.tender_reference)
        self.wrapped(root, _A + "ContractDocumentReference", _B + "ID", inv.contract_reference)
        if cn and inv.project_reference is not None:
            self.supporting_document(root, m.SupportingDocument.model_construct(
                id=m.Identifier.model_construct(value=inv.project_reference)), "50")
        if inv.invoiced_object_id is not None and inv.invoiced_object_id.value is not None:
            self.supporting_document(root, m.SupportingDocument.model_construct(id=inv.invoiced_object_id), "130")
        for d in inv.supporting_documents:
            self.supporting_document(root, d)
        if cn:
            self.wrapped(root, _A + "OriginatorDocumentReference", _B + "ID", inv.tender_reference)
        else:
            self.wrapped(root, _A + "ProjectReference", _B + "ID", inv.project_reference)

        seller_extra, payee_extra = self._creditor_ids()
        if inv.seller is not None:
            self.party(_SE(root, _A + "AccountingSupplierParty"), _A + "Party", inv.seller, "seller", seller_extra)
        if inv.buyer is not None:
            self.party(_SE(root, _A + "AccountingCustomerParty"), _A + "Party", inv.buyer, "buyer", [])
        self.party(root, _A + "PayeeParty", inv.payee, "payee", payee_extra)
        self.party(root, _A + "TaxRepresentativeParty", inv.tax_representative, "taxrep", [])
        self.delivery(root, inv.delivery)
        due = inv.due_date if cn else None
        for pm in inv.payment_means:
            self.payment_means(root, pm, due)
            due = None
        if inv.payment_terms is not None:
            self.wrapped(root, _A + "PaymentTerms", _B + "Note", inv.payment_terms)
        for ac in inv.allowances_charges:
            self.allowance_charge(root, ac, document_level=True)
        for t in inv.tax_totals:
            self.tax_total(root, t)
        self.totals(root, inv.totals)
        if cn:
            tag, qty, sub = _A + "CreditNoteLine", _B + "CreditedQuantity", _A + "SubCreditNoteLine"
        else:
            tag, qty, sub = _A + "InvoiceLine", _B + "InvoicedQuantity", _A + "SubInvoiceLine"
        for ln in inv.lines:
            self.line(root, ln, tag, qty, sub)
        return root

    def delivery(self, parent: Any, d: m.Delivery | None) -> None:
        if d is None:
            return
        el = _SE(parent, _A + "Delivery")
        self.text(el, _B + "ActualDeliveryDate", d.actual_date)
        has_id = d.location_id is not None and d.location_id.value is not None
        if has_id or d.address is not None:
            loc = _SE(el, _A + "DeliveryLocation")
            self.ident(loc, _B + "ID", d.location_id)
            self.address(loc, _A + "Address", d.address)
        if d.party_name is not None:
            dp = _SE(el, _A + "DeliveryParty")
            self.wrapped(dp, _A + "PartyName", _B + "Name", d.party_name)

    def _creditor_ids(self) -> tuple[list[m.Identifier], list[m.Identifier]]:
        """BT-90 as a SEPA party identifier, on the payee (else the seller), unless already there."""
        inv = self.inv
        creditor = None
        for pm in inv.payment_means:
            if pm.direct_debit is not None and pm.direct_debit.creditor_id is not None:
                creditor = pm.direct_debit.creditor_id
                break
        if creditor is None:
            return [], []
        for party in (inv.payee, inv.seller):
            if party is not None and any(i.scheme_id == "SEPA" and i.value == creditor for i in party.identifiers):
                return [], []
        ident = m.Identifier.model_construct(value=creditor, scheme_id="SEPA")
        if inv.payee is not None:
            return [], [ident]
        return [ident], []


def write_ubl(invoice: Invoice, flavour: str = "peppol") -> bytes:
    """The invoice as a UBL 2.1 Invoice (or CreditNote, by ``invoice.kind``), pretty-printed UTF-8 bytes.

    ``flavour`` is "peppol" (Peppol BIS Billing 3.0) or "ehf" (EHF Billing 3.0, the
    same identifiers); it supplies CustomizationID and ProfileID when the model has none.
    """
    if flavour not in FLAVOURS:
        raise ValueError(f"unknown UBL flavour {flavour!r}; expected one of: {', '.join(FLAVOURS)}")
    root = _Writer(invoice).document(flavour)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
