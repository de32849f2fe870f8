"""Read a UN/CEFACT CII D16B ``rsm:CrossIndustryInvoice`` (Factur-X / ZUGFeRD) into the model.

The binding table (:mod:`einvoice.syntax.cii.binding`) drives the reader
(:class:`einvoice.syntax.binding.Binding`, selecting as XPath does: a single-valued
term is the first node its path selects); this module gives it CII's lexical forms
of the leaf kinds and the converters of the terms that are no plain path.

The reader is lenient: it maps the EN 16931 business terms it knows and ignores
everything else. Absent terms read as ``None`` (or empty lists); a leaf that is
present but empty reads as ``""``; a number or date that cannot be read reads as
``None`` while the element is still remembered (``obj._els``) so a finding can
point at it. It never raises on content.

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
  in the payment terms) and BT-90 (``CreditorReferenceID``) are the document's:
  they go to the direct debit of each direct-debit means (UNTDID 4461 code 49 or
  59, or a means with a debited account); when no means is one (a credit
  transfer only, say) they stay the document's, ``Invoice.payment_without_means``
  with no BT-81, as they are without any ``SpecifiedTradeSettlementPaymentMeans``
  (no payment means for the rules to count).
* A header ``AdditionalReferencedDocument`` is a supporting document (BG-24),
  except the first with type code 130, which is BT-18 (scheme from
  ``ReferenceTypeCode``), and the first with 50, which is BT-17.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ...basics import first_child as _first
from ...model.invoice import (
    DIRECT_DEBIT_CODES,
    Address,
    AllowanceCharge,
    Amount,
    AttachedObject,
    Contact,
    CreditTransfer,
    DirectDebit,
    Identifier,
    Invoice,
    Item,
    Party,
    PaymentMeans,
    Period,
    SupportingDocument,
    TaxCategory,
    TaxTotal,
    VatBreakdown,
)
from ...model.construct import construct, with_state
from ..binding import HEADER, Binding, Kind
from ..codes import CODECS
from ..namespaces import CII_NS, QDT, RAM, RSM, UDT
from . import binding as table
from ...rules import values as V

_R = "{%s}" % RAM
_U = "{%s}" % UDT
_Q = "{%s}" % QDT
_S = "{%s}" % RSM

Q_DateTimeString = _Q + "DateTimeString"
R_AccountName = _R + "AccountName"
R_AdditionalReferencedDocument = _R + "AdditionalReferencedDocument"
R_ApplicableHeaderTradeAgreement = _R + "ApplicableHeaderTradeAgreement"
R_ApplicableHeaderTradeSettlement = _R + "ApplicableHeaderTradeSettlement"
R_ApplicableTradeTax = _R + "ApplicableTradeTax"
R_BICID = _R + "BICID"
R_BasisQuantity = _R + "BasisQuantity"
R_CreditorReferenceID = _R + "CreditorReferenceID"
R_DepartmentName = _R + "DepartmentName"
R_DirectDebitMandateID = _R + "DirectDebitMandateID"
R_GrossPriceProductTradePrice = _R + "GrossPriceProductTradePrice"
R_IBANID = _R + "IBANID"
R_IssuerAssignedID = _R + "IssuerAssignedID"
R_NetPriceProductTradePrice = _R + "NetPriceProductTradePrice"
R_PayeePartyCreditorFinancialAccount = _R + "PayeePartyCreditorFinancialAccount"
R_PayeeSpecifiedCreditorFinancialInstitution = _R + "PayeeSpecifiedCreditorFinancialInstitution"
R_PayerPartyDebtorFinancialAccount = _R + "PayerPartyDebtorFinancialAccount"
R_PaymentReference = _R + "PaymentReference"
R_PersonName = _R + "PersonName"
R_ProprietaryID = _R + "ProprietaryID"
R_ReferenceTypeCode = _R + "ReferenceTypeCode"
R_SpecifiedLineTradeSettlement = _R + "SpecifiedLineTradeSettlement"
R_SpecifiedTradePaymentTerms = _R + "SpecifiedTradePaymentTerms"
R_Description = _R + "Description"
R_SpecifiedTradeSettlementPaymentMeans = _R + "SpecifiedTradeSettlementPaymentMeans"
R_TypeCode = _R + "TypeCode"
S_SupplyChainTradeTransaction = _S + "SupplyChainTradeTransaction"
U_DateString = _U + "DateString"
U_DateTimeString = _U + "DateTimeString"

_AGREEMENT = (S_SupplyChainTradeTransaction, R_ApplicableHeaderTradeAgreement)
_SETTLEMENT = (S_SupplyChainTradeTransaction, R_ApplicableHeaderTradeSettlement)


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


_AMOUNT_FIELDS = tuple(Amount.model_fields) == ("value", "currency_id")


def amount(el: Any) -> Amount | None:
    if el is None:
        return None
    if not _AMOUNT_FIELDS:
        return make(Amount, el, {"value": dec(el), "currency_id": el.get("currencyID")}, {"value": el, "currency_id": el})
    # every field of Amount given: the state construct() would leave, without its template (amounts are many)
    return with_state(Amount, {"value": dec(el), "currency_id": el.get("currencyID")}, {"value", "currency_id"}, el,
                      {"value": el, "currency_id": el})


def ident(el: Any, scheme_attr: str = "schemeID") -> Identifier | None:
    if el is None:
        return None
    return make(Identifier, el, {"value": text(el), "scheme_id": el.get(scheme_attr),
                                 "scheme_version_id": el.get("schemeVersionID")}, {"value": el, "scheme_id": el})


def indicator(raw: str | None) -> bool | None:
    return None if raw is None else V.xs_boolean(raw)


def _all(el: Any, *tags: str) -> list:
    """Every element the path ``tags`` selects below ``el``, in document order (as XPath selects them)."""
    found = [el]
    for tag in tags:
        found = [c for n in found for c in n if c.tag == tag]
    return found


def _one(el: Any, *tags: str) -> Any:
    """The first element the path ``tags`` selects below ``el`` (None when none)."""
    return _first_at(el, tags, 0)


def _first_at(el: Any, tags: tuple[str, ...], i: int) -> Any:
    tag = tags[i]
    if i == len(tags) - 1:
        return _first(el, tag)
    for c in el:
        if c.tag == tag:
            found = _first_at(c, tags, i + 1)
            if found is not None:
                return found
    return None


# --------------------------------------------------------------------------- the leaf kinds
def _date_leaf(el: Any) -> date | None:
    """A format 102 date string (udt:DateTimeString, udt:DateString, qdt:DateTimeString); another format: None."""
    fmt = el.get("format")
    return parse_102(el) if fmt is None or V.trim(fmt) == "102" else None


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


KINDS = {
    "text": Kind(text, None),
    "decimal": Kind(dec, None),
    "date": Kind(_date_leaf, None),
    "bool": Kind(lambda el: indicator(text(el)), None),
    "bytes": Kind(lambda el: read_attachment(el).content, None),
    "amount": Kind(amount, None),
}


# --------------------------------------------------------------------------- converters: the terms that are no plain path
def _contact_name(b: Binding, el: Any, vals: dict, els: dict, ctx: Any) -> None:
    """BT-41/56: ``ram:PersonName`` (the last stated), else the first ``ram:DepartmentName``."""
    for c in el:
        if c.tag == R_PersonName or (c.tag == R_DepartmentName and "name" not in vals):
            vals["name"], els["name"] = text(c), c


def read_supporting_document(el: Any, ctx: Any = None) -> tuple[SupportingDocument, str | None]:
    """A header ``AdditionalReferencedDocument`` (by the binding table) with its type code; with 130 (BT-18)
    the identifier's scheme is its ``ReferenceTypeCode``."""
    doc = BINDING.read(SupportingDocument, el, ctx)
    type_code = text(_first(el, R_TypeCode))
    ref_type = _first(el, R_ReferenceTypeCode)
    if (type_code or "").strip() != "130":
        return doc, type_code
    i = doc.id
    if ref_type is not None:
        if i is None:
            i = doc.__dict__["id"] = make(Identifier, el, {})
            doc.__pydantic_fields_set__.add("id")
        i.__dict__["scheme_id"] = text(ref_type)
        i.__pydantic_fields_set__.add("scheme_id")
        i._els["scheme_id"] = ref_type
    elif i is not None and i.scheme_id is not None:  # the identifier's own @schemeID is no BT-18-1 (EN 16931-3-3:
        i.__dict__["scheme_id"] = None  # ReferenceTypeCode): not read as the scheme (a conversion lists it as not
        i.__pydantic_fields_set__.discard("scheme_id")  # carried)
        i._els.pop("scheme_id", None)
    return doc, type_code


def _documents(b: Binding, el: Any, vals: dict, els: dict, ctx: Any) -> None:
    """A header ``AdditionalReferencedDocument`` is a supporting document (BG-24), except the first with type
    code 130, which is BT-18 (scheme from ``ReferenceTypeCode``), and the first with 50, which is BT-17; a later one
    of these with an identifier is neither (EN 16931 has one of each: a conversion lists it as not carried).

    A converter, not three rows with a type code condition: the partition is lenient and depends on the
    other documents (a later 50 and any 130 without identifier, an unknown type code are supporting documents;
    BT-17 is the first 50 even without an identifier, where a path would select a later one that has one)."""
    docs = vals["supporting_documents"]
    for c in _all(el, *_AGREEMENT, R_AdditionalReferencedDocument):
        doc, type_code = read_supporting_document(c, ctx)
        code = (type_code or "").strip()
        if code == "130" and "invoiced_object_id" not in vals and doc.id is not None:
            vals["invoiced_object_id"] = doc.id
            els["invoiced_object_id"] = doc._els.get("id")
        elif code == "50" and "tender_reference" not in vals:
            vals["tender_reference"] = doc.id.value if doc.id is not None else None
            els["tender_reference"] = doc._els.get("id", c)
        elif code in ("130", "50") and doc.id is not None:  # a second BT-18 or BT-17 (EXTENDED has several): EN
            continue  # 16931 has one; read as a supporting document, a conversion wrote it as one (its meaning lost)
        else:
            docs.append(doc)


def _line_object_id(b: Binding, el: Any, vals: dict, els: dict, ctx: Any) -> None:
    """BT-128: the first line ``AdditionalReferencedDocument`` with type code 130 (scheme: ``ReferenceTypeCode``).
    A converter: the identifier's scheme is a sibling element, not its ``@schemeID`` as everywhere else."""
    for g in _all(el, R_SpecifiedLineTradeSettlement, R_AdditionalReferencedDocument):
        tc = _first(g, R_TypeCode)
        if tc is not None and (tc.text or "").strip() == "130":
            i = _first(g, R_IssuerAssignedID)
            rtc = _first(g, R_ReferenceTypeCode)
            vals["object_id"] = make(Identifier, i if i is not None else g, {"value": text(i), "scheme_id": text(rtc)},
                                     {"value": i, "scheme_id": rtc})
            els["object_id"] = i if i is not None else g
            return


def _price_discount(b: Binding, el: Any, vals: dict, els: dict, ctx: Any) -> None:
    """BT-147, the total discount the net price is the gross price less (read by its path first: the gross price's
    allowance): where the gross price states several allowances, or charges beside them (Factur-X EXTENDED), their
    difference, the allowances' amounts less the charges' (the first allowance's element its place)."""
    gross = _one(el, R_GrossPriceProductTradePrice)
    parts = [] if gross is None else [(text(_one(ac, _R + "ChargeIndicator", _U + "Indicator")), _one(ac, _R + "ActualAmount"))
                                      for ac in gross if ac.tag == _R + "AppliedTradeAllowanceCharge"]
    parts = [(kind, dec(at), at) for kind, at in parts if kind in ("false", "true")]
    if len(parts) < 2 or any(value is None for _kind, value, _at in parts):
        return  # (one allowance, or an amount that is no number: as the path reads it)
    first = next((at for kind, _value, at in parts if kind == "false"), parts[0][2])
    total = amount(first)
    total.value = sum((value if kind == "false" else -value for kind, value, _at in parts), Decimal(0))
    vals["discount"], els["discount"] = total, first


def _base_quantity(b: Binding, el: Any, vals: dict, els: dict, ctx: Any) -> None:
    """BT-149/150: the net price's base quantity, else the gross price's."""
    if "base_quantity" in vals:
        return
    p = _one(el, R_NetPriceProductTradePrice, R_BasisQuantity)
    if p is None:
        p = _one(el, R_GrossPriceProductTradePrice, R_BasisQuantity)
    if p is not None:
        vals["base_quantity"] = dec(p)
        vals["base_quantity_unit"] = p.get("unitCode")
        els["base_quantity"] = els["base_quantity_unit"] = p


def _credit_transfers(b: Binding, el: Any, vals: dict, els: dict, ctx: Any) -> None:
    """BG-17: the means' first creditor account (BT-84/85) with its first financial institution (BT-86)."""
    acc = _first(el, R_PayeePartyCreditorFinancialAccount)
    inst = _first(el, R_PayeeSpecifiedCreditorFinancialInstitution)
    if acc is None and inst is None:
        return
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
        bic = _first(inst, R_BICID)
        cv["service_provider_id"] = text(bic)
        ce["service_provider_id"] = bic if bic is not None else inst
    vals["credit_transfers"].append(make(CreditTransfer, acc if acc is not None else inst, cv, ce))


def _payment_means(b: Binding, el: Any, vals: dict, els: dict, ctx: Any) -> None:
    """BG-16 (by the table), and the header's BT-83 / BT-89 / BT-90: BT-83 ``PaymentReference`` is on every
    payment means (its row); BT-89 (mandate, in the payment terms) and BT-90 (``CreditorReferenceID``) go to
    the direct debit of each direct-debit means (code 49 or 59, or a debited account); when there is none (a
    credit transfer is not debited) or no ``SpecifiedTradeSettlementPaymentMeans`` at all they are
    ``Invoice.payment_without_means`` (no payment means for the rules to count). A converter: which objects
    get the header's terms depends on the other means."""
    creditor_el = _one(el, *_SETTLEMENT, R_CreditorReferenceID)
    payment_ref_el = _one(el, *_SETTLEMENT, R_PaymentReference)
    mandate_el = _one(el, *_SETTLEMENT, R_SpecifiedTradePaymentTerms, R_DirectDebitMandateID)
    creditor, mandate = text(creditor_el), text(mandate_el)
    out = vals["payment_means"]
    debtor: list[tuple[str | None, Any] | None] = []
    kids: dict = {}  # (the children by tag of the containers read, for every means: one grouping of the settlement's)
    for c in _all(el, *_SETTLEMENT, R_SpecifiedTradeSettlementPaymentMeans):
        out.append(b.read(PaymentMeans, c, ctx, kids))
        acc = _first(c, R_PayerPartyDebtorFinancialAccount)
        if acc is None:
            debtor.append(None)
        else:
            i = _first(acc, R_IBANID)
            debtor.append((text(i), i if i is not None else acc))
    # (a debited account counts when it names one: an empty PayerPartyDebtorFinancialAccount made a card payment,
    # code 48, a direct debit carrying the document's mandate)
    debited = [bool(d is not None and (d[0] or "").strip()) for d in debtor]
    targets = [i for i, pm in enumerate(out) if debited[i] or (pm.code or "").strip() in DIRECT_DEBIT_CODES]
    if targets:
        if mandate_el is None and creditor_el is None and not any(debtor):
            return
        for i in targets:  # the means that are a direct debit carry the document's mandate and creditor
            deb = debtor[i] or (None, None)
            out[i].__dict__["direct_debit"] = make(
                DirectDebit, deb[1] if deb[1] is not None else (mandate_el if mandate_el is not None else creditor_el),
                {"mandate_reference": mandate, "creditor_id": creditor, "debited_account_id": deb[0]},
                {"mandate_reference": mandate_el, "creditor_id": creditor_el, "debited_account_id": deb[1]})
            out[i].__pydantic_fields_set__.add("direct_debit")
    elif (payment_ref_el is not None and not out) or mandate_el is not None or creditor_el is not None:
        # BT-83 / BT-89 / BT-90 without a SpecifiedTradeSettlementPaymentMeans, or BT-89 / BT-90 when no means
        # is a direct debit: payment terms without a means (no BT-81), kept apart from the means (the official
        # rules test the means element); BT-83 is already on every means there is
        pv: dict[str, Any] = {}
        pe: dict[str, Any] = {}
        if payment_ref_el is not None and not out:
            pv["remittance_information"], pe["remittance_information"] = text(payment_ref_el), payment_ref_el
        if mandate_el is not None or creditor_el is not None:
            pv["direct_debit"] = make(
                DirectDebit, mandate_el if mandate_el is not None else creditor_el,
                {"mandate_reference": mandate, "creditor_id": creditor},
                {"mandate_reference": mandate_el, "creditor_id": creditor_el})
            pe["direct_debit"] = mandate_el if mandate_el is not None else creditor_el
        anchor = next(x for x in (pe.get("remittance_information"), mandate_el, creditor_el) if x is not None)
        vals["payment_without_means"] = make(PaymentMeans, anchor, pv, pe)
        els["payment_without_means"] = anchor


def _tax_totals(b: Binding, el: Any, vals: dict, els: dict, ctx: Any) -> None:
    """BG-23: the header ``ApplicableTradeTax`` belongs to the BT-110 total (in the invoice currency; a total
    without amount when there is none)."""
    breakdown = [b.read(VatBreakdown, c, ctx) for c in _all(el, *_SETTLEMENT, R_ApplicableTradeTax)]
    if not breakdown:
        return
    tax_totals = vals["tax_totals"]
    cur = vals.get("currency_code")
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


def _item(b: Binding, el: Any, vals: dict, els: dict, ctx: Any) -> None:
    """BG-31 without a ``SpecifiedTradeProduct``: the line's VAT category (BG-30) still makes an item."""
    if vals.get("item") is None:
        att = _one(el, R_SpecifiedLineTradeSettlement, R_ApplicableTradeTax)
        if att is not None:
            vals["item"] = make(Item, None, {"tax_category": BINDING.read(TaxCategory, att)}, {"tax_category": att})


def _payment_terms(b: Binding, el: Any, vals: dict, els: dict, ctx: Any) -> None:
    """BT-20: the description of the payment terms; where Factur-X EXTENDED states several terms (a cash discount
    until one day, the net amount until a later one), each one's description, a line each, in their order: the
    first alone would tell a reader only of the discount's day."""
    settlement = _one(el, *_SETTLEMENT)
    found = [d for t in (settlement if settlement is not None else ()) if t.tag == R_SpecifiedTradePaymentTerms
             for d in t if d.tag == R_Description]
    if not found:
        return
    said = [text(d) for d in found]
    vals["payment_terms"] = said[0] if len(found) == 1 else "\n".join(t.strip() for t in said if t.strip())
    els["payment_terms"] = found[0]


def _nothing(b: Binding, el: Any, vals: dict, els: dict, ctx: Any) -> None:
    """A term another converter reads (BT-17/18 with the documents, BT-89/90 with the means, BG-23 with the totals)."""


# converters of terms that are no plain path (reading; None: read by the path)
CONVERTERS = {
    "contact_name": (_contact_name, None),
    "documents": (_documents, None),
    "with_documents": (_nothing, None),
    "object_id": (_nothing, None),
    "line_object_id": (_line_object_id, None),
    "payment_means": (_payment_means, None),
    "with_means": (_nothing, None),
    "payment_terms": (_payment_terms, None),
    "credit_transfers": (_credit_transfers, None),
    "direct_debit": (_nothing, None),
    "tax_totals": (_tax_totals, None, True),
    "with_tax_totals": (_nothing, None),
    "base_quantity": (_base_quantity, None),
    "price_discount": (_price_discount, None, True),
    "item": (_item, None, True),
    # read as plain paths; only their writing is irregular
    "party_identifiers": (None, None),
    "tax_registrations": (None, None),
    "guideline": (None, None),
    "tax_currency_code": (None, None),
    "project_reference": (None, None),
    "location_id": (None, None),
    "with_header": (None, None),
    "allowance_tax": (None, None),
    "period": (None, None),
    "gross_price": (None, None),
}

BINDING = Binding(table.BINDING, CII_NS, KINDS, CONVERTERS, CODECS, lambda tag: None,
                  empty_none=table.EMPTY_NONE, search=True)


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


def read_product(el: Any) -> Item:
    """BG-31 (``ram:SpecifiedTradeProduct``), by the binding table (its VAT category is the line's: ``../``)."""
    return BINDING.read(Item, el)


class _Skip:
    """What a read leaves out (the binding reads ``ctx.skip``)."""

    def __init__(self, skip: frozenset):
        self.skip = skip


_HEADER = _Skip(HEADER)


def read_cii(root: Any, *, lines: bool = True) -> Invoice:
    """The model of a CII ``rsm:CrossIndustryInvoice`` (or of a fragment of one), by the binding table; with
    ``lines=False`` without the invoice lines and the content of attachments (a quick read of the header). A
    logistics service charge (Factur-X EXTENDED's, ZUGFeRD 1.0's) is the document level charge (BG-21) it is,
    counted in the sum of charges (BT-108): read as one (from a copy of the tree, such documents only)."""
    from ..zugferd1 import LOGISTICS, logistics_as_charges

    if lines and next(root.iter(LOGISTICS), None) is not None:
        import copy

        root = logistics_as_charges(copy.deepcopy(root))
    return BINDING.read(Invoice, root, None if lines else _HEADER)
