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
  in document order; tax registrations keep the CII scheme (``VA`` / ``FC``).
* ``TaxTotalAmount`` (0..2) -> ``Invoice.tax_totals``; the header
  ``ApplicableTradeTax`` (BG-23) belongs to the total in the invoice currency
  (or to a total without amount when there is none).
* BT-7 / BT-8 sit on the header ``ApplicableTradeTax``; the first stated wins.
  BT-8 keeps the CII code (UNTDID 2475: 5, 29, 72).
* BT-83 ``PaymentReference`` is copied onto every payment means; BT-89 (mandate,
  in the payment terms) and BT-90 (``CreditorReferenceID``) go to the direct
  debit of the means with code 59 (or a debited account), else the first means.
* Every header ``AdditionalReferencedDocument`` is a supporting document
  (BG-24, type code kept, as BR-52 treats them all); the one with type code 130
  is also BT-18 (scheme from ``ReferenceTypeCode``), the one with 50 also BT-17.
* ``Invoice.kind`` is credit note for the type codes 381, 396, 81, 83, 532.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from ...model.invoice import (
    Address,
    AllowanceCharge,
    Amount,
    AttachedObject,
    Card,
    Classification,
    Contact,
    CreditTransfer,
    Delivery,
    DirectDebit,
    DocumentKind,
    DocumentTotals,
    Identifier,
    Invoice,
    InvoiceLine,
    Item,
    ItemAttribute,
    Note,
    Party,
    PaymentMeans,
    Period,
    PrecedingInvoice,
    Price,
    SupportingDocument,
    Syntax,
    TaxCategory,
    TaxRegistration,
    TaxTotal,
    VatBreakdown,
)
from ..namespaces import QDT, RAM, RSM, UDT

_R = "{%s}" % RAM
_U = "{%s}" % UDT
_Q = "{%s}" % QDT
_S = "{%s}" % RSM

CREDIT_NOTE_TYPE_CODES = frozenset({"381", "396", "81", "83", "532"})


# --------------------------------------------------------------------------- fast construction
# pydantic's model_construct costs ~30 us an object; a reader builds a hundred
# or more, so objects are made directly (same state model_construct leaves).
_FIELD_CACHE: dict[type, tuple[dict[str, Any], tuple[str, ...]]] = {}


def _fields_of(cls):
    info = _FIELD_CACHE.get(cls)
    if info is None:
        plain: dict[str, Any] = {}
        lists: list[str] = []
        for name, f in cls.model_fields.items():
            if f.default_factory is not None:
                lists.append(name)
            else:
                plain[name] = f.default
        info = (plain, tuple(lists))
        _FIELD_CACHE[cls] = info
    return info


_setattr = object.__setattr__


def make(cls, el: Any, values: dict[str, Any], els: dict[str, Any] | None = None):
    """A model object with ``values`` set (unvalidated, like model_construct) and its source elements."""
    plain, lists = _fields_of(cls)
    d = dict(plain)
    for name in lists:
        d[name] = []
    d.update(values)
    obj = object.__new__(cls)
    _setattr(obj, "__dict__", d)
    _setattr(obj, "__pydantic_fields_set__", set(values))
    _setattr(obj, "__pydantic_extra__", None)
    _setattr(obj, "__pydantic_private__", {"_el": el, "_els": {k: v for k, v in els.items() if v is not None} if els else {}})
    return obj


# --------------------------------------------------------------------------- leaf values
_DEC = re.compile(r"\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)\s*\Z")
_D102 = re.compile(r"\s*(\d{4})(\d{2})(\d{2})\s*\Z")


def text(el: Any) -> str | None:
    """Text of a leaf element: ``None`` when absent, ``""`` when present and empty."""
    if el is None:
        return None
    t = el.text
    if len(el):  # comments or stray children inside a leaf: keep all text
        t = "".join(x for x in el.itertext())
    return t if t is not None else ""


def dec(el: Any) -> Decimal | None:
    """xs:decimal value of an element (None when absent or not a decimal)."""
    if el is None:
        return None
    t = el.text
    if t is None or not _DEC.match(t):
        return None
    try:
        return Decimal(t.strip())
    except InvalidOperation:  # pragma: no cover - the pattern excludes it
        return None


def parse_102(t: str | None) -> date | None:
    if not t:
        return None
    m = _D102.match(t)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def date_of(container: Any) -> tuple[date | None, Any]:
    """A date from a container holding udt:DateTimeString / udt:DateString / qdt:DateTimeString.

    Returns the date (or None) and the element that holds the string (or the container).
    """
    if container is None:
        return None, None
    for c in container:
        tag = c.tag
        if tag in (_U + "DateTimeString", _U + "DateString", _Q + "DateTimeString"):
            fmt = c.get("format")
            if fmt is None or fmt.strip() == "102":
                return parse_102(c.text), c
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
    if raw is None:
        return None
    v = raw.strip()
    if v in ("true", "1"):
        return True
    if v in ("false", "0"):
        return False
    return None


def _first(el: Any, tag: str) -> Any:
    if el is None:
        return None
    for c in el:
        if c.tag == tag:
            return c
    return None


# --------------------------------------------------------------------------- groups
def read_period(el: Any) -> Period:
    v: dict[str, Any] = {}
    e: dict[str, Any] = {}
    for c in el:
        tag = c.tag
        if tag == _R + "StartDateTime":
            v["start_date"], e["start_date"] = date_of(c)
        elif tag == _R + "EndDateTime":
            v["end_date"], e["end_date"] = date_of(c)
    return make(Period, el, v, e)


def read_address(el: Any) -> Address:
    v: dict[str, Any] = {}
    e: dict[str, Any] = {}
    for c in el:
        tag = c.tag
        if tag == _R + "PostcodeCode":
            k = "postal_code"
        elif tag == _R + "LineOne":
            k = "line1"
        elif tag == _R + "LineTwo":
            k = "line2"
        elif tag == _R + "LineThree":
            k = "line3"
        elif tag == _R + "CityName":
            k = "city"
        elif tag == _R + "CountryID":
            k = "country_code"
        elif tag == _R + "CountrySubDivisionName":
            k = "subdivision"
        else:
            continue
        if k not in v:
            v[k] = text(c)
            e[k] = c
    return make(Address, el, v, e)


def read_contact(el: Any) -> Contact:
    v: dict[str, Any] = {}
    e: dict[str, Any] = {}
    for c in el:
        tag = c.tag
        if tag == _R + "PersonName":
            v["name"] = text(c)
            e["name"] = c
        elif tag == _R + "DepartmentName":
            if "name" not in v:
                v["name"] = text(c)
                e["name"] = c
        elif tag == _R + "TelephoneUniversalCommunication":
            n = _first(c, _R + "CompleteNumber")
            v["telephone"] = text(n)
            e["telephone"] = n if n is not None else c
        elif tag == _R + "EmailURIUniversalCommunication":
            n = _first(c, _R + "URIID")
            v["email"] = text(n)
            e["email"] = n if n is not None else c
    return make(Contact, el, v, e)


def read_tax_category(el: Any) -> TaxCategory:
    """A ram:TradeTaxType as a VAT category (CategoryCode, RateApplicablePercent, exemption, TypeCode)."""
    v: dict[str, Any] = {}
    e: dict[str, Any] = {}
    for c in el:
        tag = c.tag
        if tag == _R + "CategoryCode":
            v["code"] = text(c)
            e["code"] = c
        elif tag == _R + "RateApplicablePercent":
            v["rate"] = dec(c)
            e["rate"] = c
        elif tag == _R + "ExemptionReason":
            v["exemption_reason"] = text(c)
            e["exemption_reason"] = c
        elif tag == _R + "ExemptionReasonCode":
            v["exemption_reason_code"] = text(c)
            e["exemption_reason_code"] = c
        elif tag == _R + "TypeCode":
            v["tax_scheme_id"] = text(c)
            e["tax_scheme_id"] = c
    return make(TaxCategory, el, v, e)


def read_party(el: Any) -> Party:
    v: dict[str, Any] = {}
    e: dict[str, Any] = {}
    ids: list[Identifier] = []
    regs: list[TaxRegistration] = []
    for c in el:
        tag = c.tag
        if tag == _R + "ID" or tag == _R + "GlobalID":
            ids.append(ident(c))
        elif tag == _R + "Name":
            v["name"] = text(c)
            e["name"] = c
        elif tag == _R + "Description":
            v["additional_legal_info"] = text(c)
            e["additional_legal_info"] = c
        elif tag == _R + "SpecifiedLegalOrganization":
            for g in c:
                if g.tag == _R + "ID":
                    v["legal_registration_id"] = ident(g)
                    e["legal_registration_id"] = g
                elif g.tag == _R + "TradingBusinessName":
                    v["trading_name"] = text(g)
                    e["trading_name"] = g
        elif tag == _R + "DefinedTradeContact":
            if "contact" not in v:
                v["contact"] = read_contact(c)
                e["contact"] = c
        elif tag == _R + "PostalTradeAddress":
            v["address"] = read_address(c)
            e["address"] = c
        elif tag == _R + "URIUniversalCommunication":
            u = _first(c, _R + "URIID")
            if u is not None:
                v["electronic_address"] = ident(u)
            e["electronic_address"] = u if u is not None else c
        elif tag == _R + "SpecifiedTaxRegistration":
            i = _first(c, _R + "ID")
            regs.append(make(TaxRegistration, c,
                             {"company_id": text(i), "tax_scheme_id": i.get("schemeID") if i is not None else None},
                             {"company_id": i, "tax_scheme_id": i}))
    if ids:
        v["identifiers"] = ids
    if regs:
        v["tax_registrations"] = regs
    return make(Party, el, v, e)


def read_allowance_charge(el: Any) -> AllowanceCharge:
    v: dict[str, Any] = {}
    e: dict[str, Any] = {}
    for c in el:
        tag = c.tag
        if tag == _R + "ChargeIndicator":
            ind = _first(c, _U + "Indicator")
            raw = text(ind) if ind is not None else None
            v["charge_indicator_raw"] = raw
            v["charge_indicator"] = indicator(raw)
            e["charge_indicator"] = e["charge_indicator_raw"] = ind if ind is not None else c
        elif tag == _R + "CalculationPercent":
            v["percentage"] = dec(c)
            e["percentage"] = c
        elif tag == _R + "BasisAmount":
            v["base_amount"] = amount(c)
            e["base_amount"] = c
        elif tag == _R + "ActualAmount":
            if "amount" not in v:
                v["amount"] = amount(c)
                e["amount"] = c
        elif tag == _R + "ReasonCode":
            v["reason_code"] = text(c)
            e["reason_code"] = c
        elif tag == _R + "Reason":
            v["reason"] = text(c)
            e["reason"] = c
        elif tag == _R + "CategoryTradeTax":
            v["tax_category"] = read_tax_category(c)
            e["tax_category"] = c
    return make(AllowanceCharge, el, v, e)


def _ref_id(el: Any) -> tuple[str | None, Any]:
    i = _first(el, _R + "IssuerAssignedID")
    return text(i), (i if i is not None else el)


def read_supporting_document(el: Any) -> SupportingDocument:
    """A header ``AdditionalReferencedDocument`` (any type code; 130 reads its scheme from ReferenceTypeCode)."""
    v: dict[str, Any] = {}
    e: dict[str, Any] = {}
    ref_type = None
    for c in el:
        tag = c.tag
        if tag == _R + "IssuerAssignedID":
            v["id"] = ident(c, "schemeID")
            e["id"] = c
        elif tag == _R + "URIID":
            v["external_uri"] = text(c)
            e["external_uri"] = c
        elif tag == _R + "TypeCode":
            v["type_code"] = text(c)
            e["type_code"] = c
        elif tag == _R + "Name":
            v["description"] = text(c)
            e["description"] = c
        elif tag == _R + "AttachmentBinaryObject":
            v["attachment"] = read_attachment(c)
            e["attachment"] = c
        elif tag == _R + "ReferenceTypeCode":
            ref_type = c
    if ref_type is not None and (v.get("type_code") or "").strip() == "130":
        i = v.get("id")
        if i is None:
            i = v["id"] = make(Identifier, el, {})
        i.__dict__["scheme_id"] = text(ref_type)
        i.__pydantic_fields_set__.add("scheme_id")
        i._els["scheme_id"] = ref_type
    return make(SupportingDocument, el, v, e)


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
    v: dict[str, Any] = {}
    e: dict[str, Any] = {}
    classes: list[Classification] = []
    attrs: list[ItemAttribute] = []
    for c in el:
        tag = c.tag
        if tag == _R + "GlobalID":
            if "standard_id" not in v:
                v["standard_id"] = ident(c)
                e["standard_id"] = c
        elif tag == _R + "SellerAssignedID":
            v["sellers_id"] = text(c)
            e["sellers_id"] = c
        elif tag == _R + "BuyerAssignedID":
            v["buyers_id"] = text(c)
            e["buyers_id"] = c
        elif tag == _R + "Name":
            v["name"] = text(c)
            e["name"] = c
        elif tag == _R + "Description":
            v["description"] = text(c)
            e["description"] = c
        elif tag == _R + "ApplicableProductCharacteristic":
            d = _first(c, _R + "Description")
            val = _first(c, _R + "Value")
            attrs.append(make(ItemAttribute, c, {"name": text(d), "value": text(val)}, {"name": d, "value": val}))
        elif tag == _R + "DesignatedProductClassification":
            cc = _first(c, _R + "ClassCode")
            if cc is not None:
                classes.append(make(Classification, cc, {"code": text(cc), "list_id": cc.get("listID"),
                                                         "list_version_id": cc.get("listVersionID")},
                                    {"code": cc, "list_id": cc, "list_version_id": cc}))
            else:
                classes.append(make(Classification, c, {}))
        elif tag == _R + "OriginTradeCountry":
            i = _first(c, _R + "ID")
            v["origin_country"] = text(i)
            e["origin_country"] = i if i is not None else c
    if classes:
        v["classifications"] = classes
    if attrs:
        v["attributes"] = attrs
    return make(Item, el, v, e)


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
        if tag == _R + "AssociatedDocumentLineDocument":
            for g in c:
                if g.tag == _R + "LineID":
                    v["id"] = text(g)
                    e["id"] = g
                elif g.tag == _R + "IncludedNote" and "note" not in v:
                    n = _first(g, _R + "Content")
                    v["note"] = text(n)
                    e["note"] = n if n is not None else g
        elif tag == _R + "SpecifiedTradeProduct":
            item = read_product(c)
            e["item"] = c
        elif tag == _R + "SpecifiedLineTradeAgreement":
            for g in c:
                gt = g.tag
                if gt == _R + "BuyerOrderReferencedDocument":
                    lid = _first(g, _R + "LineID")
                    v["order_line_reference"] = text(lid)
                    e["order_line_reference"] = lid if lid is not None else g
                elif gt == _R + "GrossPriceProductTradePrice":
                    if price_el is None:
                        price_el = g
                    for p in g:
                        if p.tag == _R + "ChargeAmount":
                            pv["gross_amount"] = amount(p)
                            pe["gross_amount"] = p
                        elif p.tag == _R + "BasisQuantity":
                            if "base_quantity" not in pv:
                                pv["base_quantity"] = dec(p)
                                pv["base_quantity_unit"] = p.get("unitCode")
                                pe["base_quantity"] = pe["base_quantity_unit"] = p
                        elif p.tag == _R + "AppliedTradeAllowanceCharge" and "discount" not in pv:
                            a = _first(p, _R + "ActualAmount")
                            if a is not None:
                                pv["discount"] = amount(a)
                                pe["discount"] = a
                elif gt == _R + "NetPriceProductTradePrice":
                    price_el = g
                    for p in g:
                        if p.tag == _R + "ChargeAmount":
                            pv["net_amount"] = amount(p)
                            pe["net_amount"] = p
                        elif p.tag == _R + "BasisQuantity":
                            # the net price's base quantity wins over the gross price's
                            pv["base_quantity"] = dec(p)
                            pv["base_quantity_unit"] = p.get("unitCode")
                            pe["base_quantity"] = pe["base_quantity_unit"] = p
        elif tag == _R + "SpecifiedLineTradeDelivery":
            q = _first(c, _R + "BilledQuantity")
            if q is not None:
                v["quantity"] = dec(q)
                v["unit_code"] = q.get("unitCode")
                e["quantity"] = e["unit_code"] = q
        elif tag == _R + "SpecifiedLineTradeSettlement":
            for g in c:
                gt = g.tag
                if gt == _R + "ApplicableTradeTax":
                    if tax is None:
                        tax = read_tax_category(g)
                        tax_el = g
                elif gt == _R + "BillingSpecifiedPeriod":
                    v["period"] = read_period(g)
                    e["period"] = g
                elif gt == _R + "SpecifiedTradeAllowanceCharge":
                    acs.append(read_allowance_charge(g))
                elif gt == _R + "SpecifiedTradeSettlementLineMonetarySummation":
                    a = _first(g, _R + "LineTotalAmount")
                    v["net_amount"] = amount(a)
                    e["net_amount"] = a if a is not None else g
                elif gt == _R + "AdditionalReferencedDocument":
                    tc = _first(g, _R + "TypeCode")
                    if tc is not None and (tc.text or "").strip() == "130" and "object_id" not in v:
                        i = _first(g, _R + "IssuerAssignedID")
                        rtc = _first(g, _R + "ReferenceTypeCode")
                        v["object_id"] = make(Identifier, i if i is not None else g,
                                              {"value": text(i), "scheme_id": text(rtc)},
                                              {"value": i, "scheme_id": rtc})
                        e["object_id"] = i if i is not None else g
                elif gt == _R + "ReceivableSpecifiedTradeAccountingAccount":
                    if "buyer_accounting_reference" not in v:
                        i = _first(g, _R + "ID")
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
    v: dict[str, Any] = {"syntax": Syntax.CII}
    e: dict[str, Any] = {}
    notes: list[Note] = []
    lines: list[InvoiceLine] = []
    for c in root:
        tag = c.tag
        if tag == _S + "ExchangedDocumentContext":
            for g in c:
                if g.tag == _R + "GuidelineSpecifiedDocumentContextParameter":
                    if "customization_id" not in v:
                        i = _first(g, _R + "ID")
                        v["customization_id"] = text(i)
                        e["customization_id"] = i if i is not None else g
                elif g.tag == _R + "BusinessProcessSpecifiedDocumentContextParameter":
                    if "profile_id" not in v:
                        i = _first(g, _R + "ID")
                        v["profile_id"] = text(i)
                        e["profile_id"] = i if i is not None else g
        elif tag == _S + "ExchangedDocument":
            for g in c:
                gt = g.tag
                if gt == _R + "ID":
                    v["number"] = text(g)
                    e["number"] = g
                elif gt == _R + "TypeCode":
                    v["type_code"] = text(g)
                    e["type_code"] = g
                elif gt == _R + "IssueDateTime":
                    v["issue_date"], e["issue_date"] = date_of(g)
                elif gt == _R + "IncludedNote":
                    nv: dict[str, Any] = {}
                    ne: dict[str, Any] = {}
                    for n in g:
                        if n.tag == _R + "Content":
                            if "text" not in nv:
                                nv["text"] = text(n)
                                ne["text"] = n
                        elif n.tag == _R + "SubjectCode":
                            nv["subject_code"] = text(n)
                            ne["subject_code"] = n
                    notes.append(make(Note, g, nv, ne))
        elif tag == _S + "SupplyChainTradeTransaction":
            for g in c:
                gt = g.tag
                if gt == _R + "IncludedSupplyChainTradeLineItem":
                    lines.append(read_line(g))
                elif gt == _R + "ApplicableHeaderTradeAgreement":
                    _read_agreement(g, v, e)
                elif gt == _R + "ApplicableHeaderTradeDelivery":
                    _read_delivery(g, v, e)
                elif gt == _R + "ApplicableHeaderTradeSettlement":
                    _read_settlement(g, v, e)
    tc = v.get("type_code")
    if tc is not None and tc.strip() in CREDIT_NOTE_TYPE_CODES:
        v["kind"] = DocumentKind.CREDIT_NOTE
    if notes:
        v["notes"] = notes
    if lines:
        v["lines"] = lines
    return make(Invoice, root, v, e)


def _read_agreement(el: Any, v: dict, e: dict) -> None:
    docs: list[SupportingDocument] = []
    for c in el:
        tag = c.tag
        if tag == _R + "BuyerReference":
            v["buyer_reference"] = text(c)
            e["buyer_reference"] = c
        elif tag == _R + "SellerTradeParty":
            v["seller"] = read_party(c)
            e["seller"] = c
        elif tag == _R + "BuyerTradeParty":
            v["buyer"] = read_party(c)
            e["buyer"] = c
        elif tag == _R + "SellerTaxRepresentativeTradeParty":
            v["tax_representative"] = read_party(c)
            e["tax_representative"] = c
        elif tag == _R + "SellerOrderReferencedDocument":
            v["sales_order_reference"], e["sales_order_reference"] = _ref_id(c)
        elif tag == _R + "BuyerOrderReferencedDocument":
            v["purchase_order_reference"], e["purchase_order_reference"] = _ref_id(c)
        elif tag == _R + "ContractReferencedDocument":
            v["contract_reference"], e["contract_reference"] = _ref_id(c)
        elif tag == _R + "AdditionalReferencedDocument":
            doc = read_supporting_document(c)
            docs.append(doc)
            code = (doc.type_code or "").strip()
            if code == "130" and "invoiced_object_id" not in v and doc.id is not None:
                v["invoiced_object_id"] = doc.id
                e["invoiced_object_id"] = doc._els.get("id")
            elif code == "50" and "tender_reference" not in v:
                v["tender_reference"] = doc.id.value if doc.id is not None else None
                e["tender_reference"] = doc._els.get("id", c)
        elif tag == _R + "SpecifiedProcuringProject":
            i = _first(c, _R + "ID")
            v["project_reference"] = text(i)
            e["project_reference"] = i if i is not None else c
    if docs:
        v["supporting_documents"] = docs


def _read_delivery(el: Any, v: dict, e: dict) -> None:
    dv: dict[str, Any] = {}
    de: dict[str, Any] = {}
    for c in el:
        tag = c.tag
        if tag == _R + "ShipToTradeParty":
            for g in c:
                gt = g.tag
                if gt == _R + "ID" or gt == _R + "GlobalID":
                    if "location_id" not in dv:
                        dv["location_id"] = ident(g)
                        de["location_id"] = g
                elif gt == _R + "Name":
                    dv["party_name"] = text(g)
                    de["party_name"] = g
                elif gt == _R + "PostalTradeAddress":
                    dv["address"] = read_address(g)
                    de["address"] = g
        elif tag == _R + "ActualDeliverySupplyChainEvent":
            o = _first(c, _R + "OccurrenceDateTime")
            d, de["actual_date"] = date_of(o) if o is not None else (None, c)
            dv["actual_date"] = d
        elif tag == _R + "DespatchAdviceReferencedDocument":
            v["despatch_advice_reference"], e["despatch_advice_reference"] = _ref_id(c)
        elif tag == _R + "ReceivingAdviceReferencedDocument":
            v["receiving_advice_reference"], e["receiving_advice_reference"] = _ref_id(c)
    if de:
        v["delivery"] = make(Delivery, el, dv, de)
        e["delivery"] = el


_SUMMATION = {
    _R + "LineTotalAmount": "line_extension_amount",
    _R + "ChargeTotalAmount": "charge_total_amount",
    _R + "AllowanceTotalAmount": "allowance_total_amount",
    _R + "TaxBasisTotalAmount": "tax_exclusive_amount",
    _R + "RoundingAmount": "rounding_amount",
    _R + "GrandTotalAmount": "tax_inclusive_amount",
    _R + "TotalPrepaidAmount": "prepaid_amount",
    _R + "DuePayableAmount": "payable_amount",
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
        if tag == _R + "CreditorReferenceID":
            creditor_ref, creditor_ref_el = text(c), c
        elif tag == _R + "PaymentReference":
            payment_ref, payment_ref_el = text(c), c
        elif tag == _R + "TaxCurrencyCode":
            v["tax_currency_code"] = text(c)
            e["tax_currency_code"] = c
        elif tag == _R + "InvoiceCurrencyCode":
            v["currency_code"] = text(c)
            e["currency_code"] = c
        elif tag == _R + "PayeeTradeParty":
            v["payee"] = read_party(c)
            e["payee"] = c
        elif tag == _R + "SpecifiedTradeSettlementPaymentMeans":
            means_els.append(c)
        elif tag == _R + "ApplicableTradeTax":
            bv: dict[str, Any] = {"category": read_tax_category(c)}
            be: dict[str, Any] = {"category": c}
            for g in c:
                gt = g.tag
                if gt == _R + "CalculatedAmount":
                    bv["tax_amount"] = amount(g)
                    be["tax_amount"] = g
                elif gt == _R + "BasisAmount":
                    bv["taxable_amount"] = amount(g)
                    be["taxable_amount"] = g
                elif gt == _R + "TaxPointDate":
                    if "tax_point_date" not in e:
                        v["tax_point_date"], e["tax_point_date"] = date_of(g)
                elif gt == _R + "DueDateTypeCode":
                    if "tax_point_date_code" not in e:
                        v["tax_point_date_code"] = text(g)
                        e["tax_point_date_code"] = g
            breakdown.append(make(VatBreakdown, c, bv, be))
        elif tag == _R + "BillingSpecifiedPeriod":
            v["invoice_period"] = read_period(c)
            e["invoice_period"] = c
        elif tag == _R + "SpecifiedTradeAllowanceCharge":
            acs.append(read_allowance_charge(c))
        elif tag == _R + "SpecifiedTradePaymentTerms":
            for g in c:
                gt = g.tag
                if gt == _R + "Description":
                    if "payment_terms" not in v:
                        v["payment_terms"] = text(g)
                        e["payment_terms"] = g
                elif gt == _R + "DueDateDateTime":
                    if "due_date" not in e:
                        v["due_date"], e["due_date"] = date_of(g)
                elif gt == _R + "DirectDebitMandateID":
                    if mandate_el is None:
                        mandate, mandate_el = text(g), g
        elif tag == _R + "SpecifiedTradeSettlementHeaderMonetarySummation":
            tv: dict[str, Any] = {}
            te: dict[str, Any] = {}
            for g in c:
                gt = g.tag
                if gt == _R + "TaxTotalAmount":
                    tax_totals.append(make(TaxTotal, g, {"tax_amount": amount(g)}, {"tax_amount": g}))
                else:
                    k = _SUMMATION.get(gt)
                    if k is not None and k not in tv:
                        tv[k] = amount(g)
                        te[k] = g
            v["totals"] = make(DocumentTotals, c, tv, te)
            e["totals"] = c
        elif tag == _R + "InvoiceReferencedDocument":
            pv: dict[str, Any] = {}
            pe: dict[str, Any] = {}
            for g in c:
                if g.tag == _R + "IssuerAssignedID":
                    pv["reference"] = text(g)
                    pe["reference"] = g
                elif g.tag == _R + "FormattedIssueDateTime":
                    pv["issue_date"], pe["issue_date"] = date_of(g)
            preceding.append(make(PrecedingInvoice, c, pv, pe))
        elif tag == _R + "ReceivableSpecifiedTradeAccountingAccount":
            if "buyer_accounting_reference" not in v:
                i = _first(c, _R + "ID")
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
            if tag == _R + "TypeCode":
                v["code"] = text(c)
                e["code"] = c
            elif tag == _R + "Information":
                if "text" not in v:
                    v["text"] = text(c)
                    e["text"] = c
            elif tag == _R + "ApplicableTradeSettlementFinancialCard":
                i = _first(c, _R + "ID")
                n = _first(c, _R + "CardholderName")
                v["card"] = make(Card, c, {"primary_account_number": text(i), "holder_name": text(n)},
                                 {"primary_account_number": i, "holder_name": n})
                e["card"] = c
            elif tag == _R + "PayerPartyDebtorFinancialAccount":
                i = _first(c, _R + "IBANID")
                debited = (text(i), i if i is not None else c)
            elif tag == _R + "PayeePartyCreditorFinancialAccount":
                if acc is None:
                    acc = c
            elif tag == _R + "PayeeSpecifiedCreditorFinancialInstitution":
                if inst is None:
                    inst = c
        if acc is not None or inst is not None:
            cv: dict[str, Any] = {}
            ce: dict[str, Any] = {}
            if acc is not None:
                for g in acc:
                    if g.tag == _R + "IBANID" or (g.tag == _R + "ProprietaryID" and "account_id" not in cv):
                        cv["account_id"] = text(g)
                        ce["account_id"] = g
                    elif g.tag == _R + "AccountName":
                        cv["account_name"] = text(g)
                        ce["account_name"] = g
            if inst is not None:
                b = _first(inst, _R + "BICID")
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
