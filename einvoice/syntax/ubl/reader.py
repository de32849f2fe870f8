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

The binding table (:mod:`einvoice.syntax.ubl.binding`) drives the reader
(:class:`einvoice.syntax.binding.Binding`): this module gives it UBL's lexical
forms of the leaf kinds and the converters of the few terms that are no plain path.
Objects are created without pydantic validation (``model.construct``).

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
import re
from datetime import date
from decimal import Decimal
from typing import Any

from ...model import invoice as m
from ...model.construct import construct, with_state
from ...model.invoice import Invoice
from ..binding import HEADER, Binding, Kind, _first
from ..codes import CODECS
from ..namespaces import CAC, CBC, UBL_CREDIT_NOTE, UBL_NS
from ...rules import values as V
from . import binding as table

__all__ = ["read_ubl", "parse_decimal", "parse_date"]

_B = "{%s}" % CBC
_A = "{%s}" % CAC


def parse_decimal(text: str | None) -> Decimal | None:
    """``xs:decimal`` lexical value as a Decimal, or None (no exponent, no NaN/Infinity; see rules.values)."""
    return V.decimal_or_none(text) if text else None


def parse_date(text: str | None) -> date | None:
    """``xs:date`` lexical value (time zone not applied) as a date, or None (impossible dates included)."""
    return V.date_or_none(text) if text else None


# --- UBL's lexical forms ------------------------------------------------------------
_AMOUNT_FIELDS = frozenset(("value", "currency_id"))


def _amount(el: Any) -> m.Amount:
    return with_state(m.Amount, {"value": V.decimal_or_none(el), "currency_id": el.get("currencyID")},
                      set(_AMOUNT_FIELDS), el, {"value": el, "currency_id": el})


def _bool(el: Any) -> bool | None:
    return V.xs_boolean(V.string_value(el))


def _bytes(el: Any) -> bytes | None:
    raw = el.text
    if raw is None:
        return None
    try:
        return binascii.a2b_base64(raw)
    except (binascii.Error, ValueError):
        return None


KINDS = {
    "text": Kind(V.string_value, None),
    "decimal": Kind(V.decimal_or_none, None),
    "date": Kind(V.date_or_none, None),
    "bool": Kind(_bool, None),
    "bytes": Kind(_bytes, None),
    "amount": Kind(_amount, None),
}


class _Ctx:
    __slots__ = ("skip", "cn")

    def __init__(self, skip: frozenset, cn: bool):
        self.skip = skip
        self.cn = cn


# --- converters: the terms that are no plain path -----------------------------------
_PARTY_NAME_TAGS = (_A + "PayeeParty", _A + "TaxRepresentativeParty")


def _text_at(el: Any, *tags: str) -> tuple[str | None, Any]:
    """(string value, element) of the first path ``tags`` below ``el``: the deepest element found when it stops."""
    node = el
    for tag in tags:
        nxt = _first(node, tag)
        if nxt is None:
            return None, (node if node is not el else None)
        node = nxt
    return V.string_value(node), node


def _party_name(b: Binding, el: Any, vals: dict, els: dict, ctx: Any) -> None:
    """BT-27/44 are the legal name (PartyLegalEntity); a payee's or tax representative's name is its PartyName."""
    if el.tag in _PARTY_NAME_TAGS:
        value, node = _text_at(el, _A + "PartyName", _B + "Name")
    else:
        value, node = _text_at(el, _A + "PartyLegalEntity", _B + "RegistrationName")
        if value is None:
            return
    if node is not None:
        vals["name"], els["name"] = value, node


def _trading_name(b: Binding, el: Any, vals: dict, els: dict, ctx: Any) -> None:
    if el.tag not in _PARTY_NAME_TAGS:
        value, node = _text_at(el, _A + "PartyName", _B + "Name")
        if node is not None:
            vals["trading_name"], els["trading_name"] = value, node


def _due_date(b: Binding, el: Any, vals: dict, els: dict, ctx: Any) -> None:
    """BT-9: ``cbc:DueDate``; a credit note states it on its first payment means that has one, and so does an
    invoice without ``cbc:DueDate`` (UBL 2.0 has none; UBL-CR-412 warns of it there, but the document states no
    other date to pay by: read as none, it was lost to ``show``, the page and a conversion)."""
    due = _first(el, _B + "DueDate")
    if due is None:
        for c in el:
            if c.tag == _A + "PaymentMeans":
                due = _first(c, _B + "PaymentDueDate")
                if due is not None:
                    break
    if due is not None:
        vals["due_date"], els["due_date"] = V.date_or_none(due), due


def _documents(b: Binding, el: Any, vals: dict, els: dict, ctx: Any) -> None:
    """AdditionalDocumentReference: the first with type code 130 is BT-18, in a credit note the first with 50
    is BT-11 (unless a ProjectReference stated it); a later 130 with an identifier is no term (left out: a conversion
    lists it as not carried); the others are supporting documents (BG-24)."""
    docs = vals["supporting_documents"]
    for c in el:
        if c.tag != _A + "AdditionalDocumentReference":
            continue
        doc = b.read(m.SupportingDocument, c, ctx)
        code_el = _first(c, _B + "DocumentTypeCode")
        code = V.string_value(code_el).strip() if code_el is not None else ""
        if code == "130" and "invoiced_object_id" not in vals and doc.id is not None:
            vals["invoiced_object_id"], els["invoiced_object_id"] = doc.id, doc._els.get("id")
        elif code == "50" and ctx.cn and "project_reference" not in vals and doc.id is not None:
            vals["project_reference"], els["project_reference"] = doc.id.value, doc._els.get("id")
        elif code == "130" and doc.id is not None:  # a second BT-18 (UBL-SR-04 allows one): EN 16931 has one; read as
            continue  # a supporting document, a conversion wrote it as one, its meaning lost (as the CII reader skips it)
        else:
            docs.append(doc)


def _payment_means(b: Binding, el: Any, vals: dict, els: dict, ctx: Any) -> None:
    """BG-16, and BT-90: the SEPA creditor identifier is a payee's (else the seller's) party identifier
    with scheme SEPA; with a direct debit it moves into it (it is no party identifier)."""
    means = vals["payment_means"]
    for c in el:
        if c.tag == _A + "PaymentMeans":
            means.append(b.read(m.PaymentMeans, c, ctx))
    if not means:
        return
    debits = [pm.direct_debit for pm in means if pm.direct_debit is not None]
    sepa = [pm for pm in means if (pm.code or "").strip() == "59"]
    if not debits:
        # a SEPA direct debit (code 59) without a mandate still has its creditor (BG-19 with BT-90 only)
        debits = [construct(m.DirectDebit, {}, pm._el, {}) for pm in sepa]
        for pm, dd in zip(sepa, debits):
            pm.__dict__["direct_debit"] = dd
            pm.__pydantic_fields_set__.add("direct_debit")
    if not debits:
        return
    creditor = party = None
    for party in (vals.get("payee"), vals.get("seller")):
        if party is None:
            continue
        creditor = next((i for i in party.identifiers if i.scheme_id == "SEPA"), None)
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


def _project_reference(b: Binding, el: Any, vals: dict, els: dict, ctx: Any) -> None:
    """BT-11: ``cac:ProjectReference/cbc:ID`` (a credit note's, with document type code 50, with the references)."""
    ref = _first(el, _A + "ProjectReference")
    if ref is not None:
        i = _first(ref, _B + "ID")
        vals["project_reference"] = V.string_value(i) if i is not None else None
        els["project_reference"] = i if i is not None else ref


_SUBJECT = re.compile(r"[ \t\r\n]*#([^#]{3})#")


def _note(b: Binding, el: Any, vals: dict, els: dict, ctx: Any) -> None:
    """BG-1 in one ``cbc:Note``: a subject code (BT-21) in front of the text between two '#' ('#AAI#text', the
    three letters CEN's BR-CL-08 looks up), then the text (BT-22)."""
    text = V.string_value(el)
    found = _SUBJECT.match(text)
    if found:
        vals["subject_code"], els["subject_code"] = found.group(1), el
        text = text[found.end():]
    vals["text"], els["text"] = text, el


def _purchase_order(b: Binding, el: Any, vals: dict, els: dict, ctx: Any) -> None:
    """BT-13 "NA" beside a sales order reference (BT-14): the ID an order reference must have, which the Peppol guide
    says to write when there is no purchase order (as the writer does), is no purchase order number."""
    if vals.get("purchase_order_reference") == "NA" and vals.get("sales_order_reference") is not None:
        del vals["purchase_order_reference"]
        els.pop("purchase_order_reference", None)


def _nothing(b: Binding, el: Any, vals: dict, els: dict, ctx: Any) -> None:
    """A term another converter reads (BT-18 and BT-11 with the document references, BT-90 with the means,
    BT-21 with its note's text)."""


CONVERTERS = {
    "party_name": (_party_name, None),
    "trading_name": (_trading_name, None),
    "due_date": (_due_date, None),
    "supporting_documents": (_documents, None),
    "invoiced_object_id": (_nothing, None),
    "payment_means": (_payment_means, None),
    "payment_without_means": (_nothing, None),
    "creditor_id": (_nothing, None),
    "note_text": (_note, None),
    "note_subject": (_nothing, None),
    # read as plain paths; only their writing is irregular
    "customization_id": (None, None),
    "profile_id": (None, None),
    "purchase_order_reference": (_purchase_order, None, True),  # (read by its path, then looked at)
    "party_identifiers": (None, None),
    "tax_total_amount": (None, None),
    "price_discount": (None, None),
    "project_reference": (_project_reference, None),
}

BINDING = Binding(table.BINDING, UBL_NS, KINDS, CONVERTERS, CODECS, lambda tag: None)

_CREDIT_NOTE_TAG = "{%s}CreditNote" % UBL_CREDIT_NOTE


def read_ubl(root: Any, *, lines: bool = True) -> Invoice:
    """Read a UBL Invoice or CreditNote root element (or any fragment of one) into an :class:`Invoice`.

    With ``lines=False`` the invoice lines and the content of attachments are left out (a quick read of the
    header: every other field is read exactly as in a full read).
    """
    return BINDING.read(Invoice, root, _Ctx(frozenset() if lines else HEADER, root.tag == _CREDIT_NOTE_TAG))
