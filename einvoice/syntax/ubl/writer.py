"""Write the model as a UBL 2.1 Invoice or CreditNote (Peppol BIS Billing 3.0 / EHF Billing 3.0).

The binding table (:mod:`einvoice.syntax.ubl.binding`) drives the writer
(:class:`einvoice.syntax.binding.Binding`); this module gives it UBL's lexical forms
and the converters of the terms that are no plain path. Elements are put in the
sequence of the UBL 2.1 schema, read from its XSD (which differs between Invoice
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

* BT-9 of a credit note goes to the first ``PaymentMeans/cbc:PaymentDueDate`` (without a
  payment means, on one of code 1, instrument not defined, as a conversion says it supplied);
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
import functools
import os
from datetime import date
from decimal import Decimal
from typing import Any

from lxml import etree

from ...model import invoice as m
from ...model.invoice import DocumentKind, Invoice
from ..binding import Binding, Kind, _first, decimal_text
from ..codes import CODECS
from ..namespaces import CAC, CBC, UBL_CREDIT_NOTE, UBL_INVOICE, UBL_NS
from . import binding as table

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
_XS = "{http://www.w3.org/2001/XMLSchema}"


def _fmt(value: Any) -> str:
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "value") and not isinstance(value, str):
        return str(value.value)  # an enum
    return str(value)


# --------------------------------------------------------------------------- the order of the XSD
def orders_from_xsd() -> dict[str, list[str]]:
    """{element Clark name: its children's Clark names in sequence} of the UBL 2.1 Invoice and CreditNote
    schemas, for the elements the binding writes (:mod:`.xsd_order` holds it, in prefixed names: parsing
    the 2.4 MB of aggregate components costs some 100 ms; tests/test_ubl_binding.py checks it against the XSD)."""
    from ...xsd import SCHEMA_FILES, schema_dir

    types: dict[str, list[str]] = {}
    elements: dict[str, str] = {}
    main = [str(schema_dir() / SCHEMA_FILES[key]) for key in ("ubl-invoice", "ubl-creditnote")]
    cac = os.path.join(os.path.dirname(main[0]), "..", "common", "UBL-CommonAggregateComponents-2.1.xsd")
    for path in main + [cac]:
        doc = etree.parse(path).getroot()
        tns = doc.get("targetNamespace")
        for el in doc.findall(_XS + "element"):
            if el.get("type"):
                elements["{%s}%s" % (tns, el.get("name"))] = "{%s}%s" % (tns, el.get("type").rpartition(":")[2])
        for t in doc.findall(_XS + "complexType"):
            seq = t.find(_XS + "sequence")
            if seq is not None:
                types["{%s}%s" % (tns, t.get("name"))] = [
                    "{%s}%s" % (c.nsmap[c.get("ref").rpartition(":")[0]], c.get("ref").rpartition(":")[2])
                    for c in seq.findall(_XS + "element")]
    used = {UBL_ROOTS[0], UBL_ROOTS[1]}
    for row in table.BINDING:
        for part in row.path.replace("|", " ").replace("/", " ").replace("[", " ").split():
            if part.startswith("cac:"):
                used.add(_A + part[4:])
            elif part.startswith("self::cac:"):
                used.add(_A + part[10:])
    return {el: types[tp] for el, tp in sorted(elements.items()) if el in used and tp in types}


UBL_ROOTS = ("{%s}Invoice" % UBL_INVOICE, "{%s}CreditNote" % UBL_CREDIT_NOTE)


def _clark(name: str) -> str:
    prefix, _, local = name.partition(":")
    return "{%s}%s" % (UBL_NS[prefix], local)


@functools.lru_cache(maxsize=1)
def _orders() -> dict[str, dict[str, int]]:
    from .xsd_order import ORDER

    return {_clark(el): {_clark(c): i for i, c in enumerate(children)} for el, children in ORDER.items()}


def _order(tag: str) -> dict[str, int] | None:
    return _orders().get(tag)


# --------------------------------------------------------------------------- UBL's lexical forms
def _text(el: Any, value: Any, ctx: Any) -> None:
    el.text = _fmt(value)


def _amount(el: Any, a: m.Amount, ctx: Any) -> None:
    currency = a.currency_id or ctx.currency
    if currency:
        el.set("currencyID", currency)
    el.text = _fmt(a.value)


def _bytes(el: Any, content: bytes | None, ctx: Any) -> None:
    el.text = base64.b64encode(content or b"").decode("ascii")


KINDS = {
    "text": Kind(None, _text),
    "decimal": Kind(None, _text),
    "date": Kind(None, _text),
    "bool": Kind(None, _text),
    "bytes": Kind(None, _bytes),
    "amount": Kind(None, _amount),
}


# flavours judged by EN 16931 1.3.15 (KoSIT's XRechnung 3.0.2; so is any document with an XRechnung identifier), whose
# UBL code lists have 502 and 503 as invoice codes (BR-CL-01): a document of those types is written as an Invoice
# there (as a CreditNote for 1.3.16)
_CEN_1_3_15 = frozenset({"xrechnung-3.0"})


class _Ctx:
    def __init__(self, invoice: Invoice, flavour: str):
        self.inv = invoice
        source = invoice._el.tag if invoice._el is not None and isinstance(invoice._el.tag, str) else ""
        written = invoice.customization_id if invoice.customization_id is not None else FLAVOURS[flavour][0]
        self.cn = invoice.kind == DocumentKind.CREDIT_NOTE and not (  # (but a UBL credit note's own root)
            (flavour in _CEN_1_3_15 or "kosit:xrechnung" in (written or "")) and not source.endswith("}CreditNote")
            and (invoice.type_code or "").strip() in ("502", "503"))
        self.currency = invoice.currency_code
        self.flavour = FLAVOURS[flavour]
        # BT-83: UBL allows one payment reference value in a document (UBL-SR-44)
        self.payment_id = next((pm.remittance_information for pm in _means(invoice)
                                if pm.remittance_information is not None), None)
        self.seller_extra, self.payee_extra = _creditor_ids(invoice)


def _leaf(parent: Any, tag: str, value: Any) -> Any:
    if value is None:
        return None
    el = etree.SubElement(parent, tag)
    el.text = _fmt(value)
    return el


def _row(b: Binding, cls: type, name: str):
    return next(r for r in b.rows[cls] if r.name == name)


# --------------------------------------------------------------------------- converters
def _customization_id(b: Binding, el: Any, inv: Invoice, ctx: _Ctx) -> None:
    _leaf(el, _B + "CustomizationID", inv.customization_id if inv.customization_id is not None else ctx.flavour[0])


def _profile_id(b: Binding, el: Any, inv: Invoice, ctx: _Ctx) -> None:
    # BT-23 is supplied with the flavour's BT-24 only: a document of another specification keeps its own
    _leaf(el, _B + "ProfileID", inv.profile_id if inv.profile_id is not None or inv.customization_id is not None
          else ctx.flavour[1])


def _due_date(b: Binding, el: Any, inv: Invoice, ctx: _Ctx) -> None:
    """BT-9: a credit note states it on its first payment means (written with the means)."""
    if not ctx.cn:
        _leaf(el, _B + "DueDate", inv.due_date)


def _reference(el: Any, ident: m.Identifier, type_code: str) -> None:
    ref = etree.SubElement(el, _A + "AdditionalDocumentReference")
    i = _leaf(ref, _B + "ID", ident.value)
    if ident.scheme_id is not None:
        i.set("schemeID", ident.scheme_id)
    _leaf(ref, _B + "DocumentTypeCode", type_code)


def _project_reference(b: Binding, el: Any, inv: Invoice, ctx: _Ctx) -> None:
    """BT-11: ``cac:ProjectReference``; a credit note has none: a document reference with type code 50."""
    if inv.project_reference is None:
        return
    if ctx.cn:
        if not inv.project_reference.strip(" \t\r\n"):  # (a document reference needs an identifier: BR-52 on
            return  # normalize-space(cbc:ID); a blank one, which CII's project reference may be, is not written)
        _reference(el, m.Identifier.model_construct(value=inv.project_reference), "50")
    else:
        _leaf(etree.SubElement(el, _A + "ProjectReference"), _B + "ID", inv.project_reference)


def _invoiced_object_id(b: Binding, el: Any, inv: Invoice, ctx: _Ctx) -> None:
    """BT-18: a document reference with type code 130, its scheme kept."""
    oid = inv.invoiced_object_id
    if oid is not None and oid.value is not None:
        _reference(el, oid, "130")


def _purchase_order_reference(b: Binding, el: Any, inv: Invoice, ctx: _Ctx) -> None:
    """BT-13; an order reference with BT-14 only needs an ID: "NA", as the Peppol guide prescribes."""
    if inv.purchase_order_reference is not None or inv.sales_order_reference is not None:
        ref = etree.SubElement(el, _A + "OrderReference")
        _leaf(ref, _B + "ID", inv.purchase_order_reference if inv.purchase_order_reference is not None else "NA")


def _payment_means(b: Binding, el: Any, inv: Invoice, ctx: _Ctx) -> None:
    """BG-16: a payment means with several credit transfers becomes several PaymentMeans (UBL has one
    payee account each); BT-82 is written once, BT-83 only where it is the document's one value, a
    credit note's BT-9 on the first; one direct debit (BG-19, one in EN 16931: UBL-SR-55 allows one
    cac:PaymentMandate), the first (a CII source's second debited account is listed as not carried): a later direct
    debit of the same code holding nothing else is that one means (a PaymentMeans of its own, without the mandate
    written once, fails BR-DE-25-a and PEPPOL-EN16931-R061, which the source passes)."""
    row = _row(b, Invoice, "payment_means")
    due = inv.due_date if ctx.cn else None
    text_written = mandate_written = False
    for pm in _one_direct_debit(_means(inv)):
        for i, ct in enumerate(list(pm.credit_transfers) or [None]):
            part = m.PaymentMeans.model_construct(
                code=pm.code, text=pm.text if not text_written else None,
                remittance_information=pm.remittance_information if pm.remittance_information == ctx.payment_id else None,
                credit_transfers=[ct] if ct is not None else [],
                card=pm.card if i == 0 else None,
                direct_debit=pm.direct_debit if i == 0 and not mandate_written else None)
            text_written = text_written or part.text is not None
            mandate_written = mandate_written or part.direct_debit is not None
            node = b.put(el, row, part, ctx, many=True)
            if node is not None and due is not None:
                _leaf(node, _B + "PaymentDueDate", due)
                due = None
    if due is not None:  # a credit note's due date and no means to state it on: one of code 1, instrument not defined
        node = b.put(el, row, m.PaymentMeans.model_construct(code="1"), ctx, many=True)
        if node is not None:
            _leaf(node, _B + "PaymentDueDate", due)


def _one_direct_debit(means: list[m.PaymentMeans]) -> list[m.PaymentMeans]:
    """The means, a later direct debit that holds nothing else left out, and what its BG-19 states that the first
    lacks (a CII source may give the mandate on one means and the debited account on the other) taken into the
    first. EN 16931 has one direct debit, and UBL one mandate (UBL-SR-55) that every direct-debit means must state
    (PEPPOL-EN16931-R061, BR-DE-25-a): a later one of another code (49 beside 59) is that means too, its code
    listed as not carried (the conversion compares the values)."""
    out: list[m.PaymentMeans | None] = list(means)
    first: int | None = None
    for n, pm in enumerate(means):
        if pm.direct_debit is None:
            continue
        if first is None:
            first = n
            continue
        if pm.credit_transfers or pm.card is not None:
            continue
        kept = out[first]
        debit = kept.direct_debit.model_copy(update={k: v for k, v in pm.direct_debit.model_dump().items()
                                                     if v is not None and getattr(kept.direct_debit, k) is None})
        out[first], out[n] = kept.model_copy(update={"direct_debit": debit}), None
    return [pm for pm in out if pm is not None]


def _means(inv: Invoice) -> list[m.PaymentMeans]:
    """The payment means; without any, the payment terms a CII source stated without one (written as a
    PaymentMeans with code 1, instrument not defined: UBL states BT-83 and BT-89 there). A CII source's
    document-level mandate and creditor (none of its means a direct debit) go to the first means: UBL has
    no other place for them."""
    means, extra = list(inv.payment_means), inv.payment_without_means
    if extra is None:
        return means
    if not means:
        return [extra]
    if extra.direct_debit is not None and all(pm.direct_debit is None for pm in means):
        means[0] = means[0].model_copy(update={"direct_debit": extra.direct_debit})
    return means


def _party_identifiers(b: Binding, el: Any, party: m.Party, ctx: _Ctx) -> None:
    """BT-29/46/60, and BT-90 as a SEPA identifier of the payee (else the seller); the buyer's once (UBL-SR-16)."""
    row = _row(b, m.Party, "identifiers")
    role = el.getparent().tag if el.tag == _A + "Party" else el.tag
    extra = {_A + "AccountingSupplierParty": ctx.seller_extra, _A + "PayeeParty": ctx.payee_extra}.get(role, [])
    idents = [i for i in list(party.identifiers) + extra if i.value is not None]
    if role == _A + "AccountingCustomerParty":
        idents = idents[:1]
    elif role == _A + "PayeeParty":  # one identifier besides SEPA creditor identifiers (UBL-SR-20, as it compares them)
        other = [i for i in idents if (i.scheme_id or "").upper() != "SEPA"][:1]
        idents = [i for i in idents if (i.scheme_id or "").upper() == "SEPA" or i in other]
    for ident in idents:
        b.put(el, row, ident, ctx, many=True)


def _party_name(b: Binding, el: Any, party: m.Party, ctx: _Ctx) -> None:
    """BT-27/44 are the legal name (PartyLegalEntity); a payee's or tax representative's name is its PartyName."""
    if party.name is None:
        return
    if el.tag == _A + "Party":
        ple = _first(el, _A + "PartyLegalEntity")
        if ple is None:
            ple = etree.SubElement(el, _A + "PartyLegalEntity")
        _leaf(ple, _B + "RegistrationName", party.name)
    else:
        _leaf(etree.SubElement(el, _A + "PartyName"), _B + "Name", party.name)


def _trading_name(b: Binding, el: Any, party: m.Party, ctx: _Ctx) -> None:
    if el.tag == _A + "Party" and party.trading_name is not None:
        _leaf(etree.SubElement(el, _A + "PartyName"), _B + "Name", party.trading_name)


def _tax_total_amount(b: Binding, el: Any, t: m.TaxTotal, ctx: _Ctx) -> None:
    """BT-110/111; UBL requires it: a breakdown without it states the sum of its tax amounts (BR-CO-14)."""
    tax_amount = t.tax_amount
    if (tax_amount is None or tax_amount.value is None) and t.breakdown:
        parts = [v.tax_amount for v in t.breakdown]
        if all(a is not None and a.value is not None for a in parts):
            tax_amount = m.Amount.model_construct(value=sum((a.value for a in parts), Decimal("0")),
                                                  currency_id=parts[0].currency_id)
    b.put(el, _row(b, m.TaxTotal, "tax_amount"), tax_amount, ctx)


def _price_discount(b: Binding, el: Any, p: m.Price, ctx: _Ctx) -> None:
    """BT-147 is a price allowance's amount, stated with the gross price (BT-148) that UBL holds in the same
    allowance: a gross price without a discount (CII states the discount apart, and may leave it out) goes with
    the discount it implies, gross minus net price (EN 16931: BT-146 = BT-148 - BT-147), zero without a net price."""
    discount = p.discount if p.discount is not None and p.discount.value is not None else None
    gross = p.gross_amount if p.gross_amount is not None and p.gross_amount.value is not None else None
    if discount is None and gross is None:
        return
    if discount is None:
        net = p.net_amount.value if p.net_amount is not None and p.net_amount.value is not None else None
        discount = m.Amount.model_construct(value=gross.value - net if net is not None else Decimal("0"),
                                            currency_id=gross.currency_id)
    ac = etree.SubElement(el, _A + "AllowanceCharge")
    _leaf(ac, _B + "ChargeIndicator", False)
    b.put(el, _row(b, m.Price, "discount"), discount, ctx)


def _note(b: Binding, el: Any, note: m.Note, ctx: _Ctx) -> None:
    """BT-21 and BT-22 in one ``cbc:Note``: the subject code between two '#' in front of the text."""
    code = (note.subject_code or "").strip()
    el.text = (f"#{code}#" if code else "") + _fmt(note.text or "")


def _nothing(b: Binding, el: Any, obj: Any, ctx: _Ctx) -> None:
    """A term written with another (BT-90 as a party identifier, BT-21 with its note's text)."""


CONVERTERS = {
    "customization_id": (None, _customization_id),
    "profile_id": (None, _profile_id),
    "due_date": (None, _due_date),
    "project_reference": (None, _project_reference),
    "invoiced_object_id": (None, _invoiced_object_id),
    "purchase_order_reference": (None, _purchase_order_reference),
    "payment_means": (None, _payment_means),
    "payment_without_means": (None, _nothing),
    "supporting_documents": (None, None),
    "party_identifiers": (None, _party_identifiers),
    "party_name": (None, _party_name),
    "trading_name": (None, _trading_name),
    "creditor_id": (None, _nothing),
    "note_text": (None, _note),
    "note_subject": (None, _nothing),
    "tax_total_amount": (None, _tax_total_amount),
    "price_discount": (None, _price_discount),
}

BINDING = Binding(table.BINDING, UBL_NS, KINDS, CONVERTERS, CODECS, _order)


def _creditor_ids(inv: Invoice) -> tuple[list[m.Identifier], list[m.Identifier]]:
    """BT-90 as a SEPA party identifier, on the payee (else the seller), unless already there."""
    creditor = None
    for pm in _means(inv):
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


def write_ubl(invoice: Invoice, flavour: str = "peppol", tree: bool = False) -> bytes:
    """The invoice as a UBL 2.1 Invoice (or CreditNote, by ``invoice.kind``), pretty-printed UTF-8 bytes (``tree``:
    the root element, not serialised: what a conversion's notes compare, without a document parsed again).

    ``flavour`` is "peppol" (Peppol BIS Billing 3.0) or "ehf" (EHF Billing 3.0, the
    same identifiers); it supplies CustomizationID and ProfileID when the model has none.
    """
    if flavour not in FLAVOURS:
        raise ValueError(f"unknown UBL flavour {flavour!r}; expected one of: {', '.join(FLAVOURS)}")
    ctx = _Ctx(invoice, flavour)
    ns = UBL_CREDIT_NOTE if ctx.cn else UBL_INVOICE
    root = etree.Element("{%s}%s" % (ns, "CreditNote" if ctx.cn else "Invoice"), nsmap={None: ns, "cac": CAC, "cbc": CBC})
    BINDING.write(root, invoice, ctx)
    BINDING.sort(root)
    return root if tree else etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
