"""Peppol BIS Billing 3.0 restricted code lists, profile and format rules.

PEPPOL-EN16931-CL001 ... CL008 (code lists), P0100 ... P0112 (codes allowed
per process and per VAT exemption reason) and F001 (date format). The lists
are the Peppol editions under ``schemas/codelists/peppol-*.yaml``.
"""

from __future__ import annotations

import re

from ... import codelists
from ...model.invoice import DocumentKind, Invoice, Syntax
from . import RULES
from .common import (
    both_german,
    business_process,
    cac,
    cbc,
    children,
    elements,
    normalize,
    nvalue,
    path,
    ram,
    rsm,
    string_value,
    text_node,
    udt,
)
from .core import xs_date

UBL = Syntax.UBL


def _codes(name: str) -> frozenset[str]:
    return codelists.get(name)


# --- CL001 attachment MIME codes -------------------------------------------------


@RULES.rule("PEPPOL-EN16931-CL001")
def cl001_mime_code(doc):
    allowed = _codes("peppol-mime")
    if doc.root is None:
        for sd in doc.invoice.supporting_documents:
            att = sd.attachment
            if att is not None and att.mime_code is not None and att.mime_code not in allowed:
                yield (att, "mime_code", {"code": att.mime_code})
        return
    tag = cbc("EmbeddedDocumentBinaryObject") if doc.syntax == UBL else ram("AttachmentBinaryObject")
    for el in elements(doc, tag):
        code = el.get("mimeCode")
        if code is not None and code not in allowed:
            yield el, {"code": code}


# --- CL002 / CL003 allowance and charge reason codes --------------------------------


def _reason_codes(doc) -> list:
    """(reason code element, 'false' / 'true') for every allowance/charge reason code the rules look at."""
    cache = doc.__dict__.setdefault("_cache", {})
    found = cache.get("peppol.reasons")
    if found is None:
        found = cache["peppol.reasons"] = list(_find_reason_codes(doc))
    return found


def _find_reason_codes(doc):
    if doc.syntax == UBL:
        for ac in elements(doc, cac("AllowanceCharge")):
            indicators = [string_value(i) for i in children(ac, cbc("ChargeIndicator"))]
            kind = "false" if "false" in indicators else "true" if "true" in indicators else None
            if kind is None:
                continue
            for rc in children(ac, cbc("AllowanceChargeReasonCode")):
                yield rc, kind
    else:
        for ac in elements(doc, ram("SpecifiedTradeAllowanceCharge")):
            ind = path(ac, ram("ChargeIndicator"), udt("Indicator"))
            kind = normalize(string_value(ind[0])) if ind else ""
            if kind not in ("false", "true"):
                continue
            for rc in children(ac, ram("ReasonCode")):
                yield rc, kind


def _reason_rule(kind: str, list_name: str):
    def check(doc):
        allowed = _codes(list_name)
        if doc.root is None:
            inv = doc.invoice
            acs = list(inv.allowances_charges) + [ac for line in inv.lines for ac in line.allowances_charges]
            for ac in acs:
                if ac.reason_code is None or ac.charge_indicator is None:
                    continue
                if (kind == "true") == ac.charge_indicator and normalize(ac.reason_code) not in allowed:
                    yield (ac, "reason_code", {"code": ac.reason_code})
            return
        for rc, k in _reason_codes(doc):
            if k == kind and normalize(text_node(rc)) not in allowed:
                yield rc, {"code": normalize(text_node(rc))}

    return check


RULES.add("PEPPOL-EN16931-CL002", _reason_rule("false", "peppol-uncl5189"))
RULES.add("PEPPOL-EN16931-CL003", _reason_rule("true", "peppol-uncl7161"))


# --- CL006 invoice period description code (UBL) ------------------------------------


@RULES.rule("PEPPOL-EN16931-CL006", syntax="ubl")
def cl006_period_description_code(doc):
    allowed = _codes("peppol-uncl2005")
    if doc.root is None:
        inv = doc.invoice
        if inv.tax_point_date_code is not None and normalize(inv.tax_point_date_code) not in allowed:
            yield (inv, "tax_point_date_code", {"code": inv.tax_point_date_code})
        return
    for el in elements(doc, cbc("DescriptionCode")):
        parent = el.getparent()
        if parent is not None and parent.tag == cac("InvoicePeriod") and normalize(text_node(el)) not in allowed:
            yield el, {"code": normalize(text_node(el))}


# --- CL007 currency codes on amounts -------------------------------------------------

_UBL_AMOUNTS = tuple(cbc(t) for t in (
    "Amount", "BaseAmount", "PriceAmount", "TaxAmount", "TaxableAmount", "LineExtensionAmount", "TaxExclusiveAmount",
    "TaxInclusiveAmount", "AllowanceTotalAmount", "ChargeTotalAmount", "PrepaidAmount", "PayableRoundingAmount",
    "PayableAmount",
))


def _model_amounts(inv: Invoice):
    t = inv.totals
    if t is not None:
        for name in ("line_extension_amount", "allowance_total_amount", "charge_total_amount", "tax_exclusive_amount",
                     "tax_inclusive_amount", "prepaid_amount", "rounding_amount", "payable_amount"):
            a = getattr(t, name)
            if a is not None:
                yield a
    for tt in inv.tax_totals:
        if tt.tax_amount is not None:
            yield tt.tax_amount
        for bd in tt.breakdown:
            for a in (bd.taxable_amount, bd.tax_amount):
                if a is not None:
                    yield a
    acs = list(inv.allowances_charges)
    for line in inv.lines:
        acs.extend(line.allowances_charges)
        if line.net_amount is not None:
            yield line.net_amount
        if line.price is not None:
            for a in (line.price.net_amount, line.price.gross_amount, line.price.discount):
                if a is not None:
                    yield a
    for ac in acs:
        for a in (ac.amount, ac.base_amount):
            if a is not None:
                yield a


@RULES.rule("PEPPOL-EN16931-CL007")
def cl007_currency_code(doc):
    allowed = _codes("peppol-iso4217")
    if doc.root is None:
        for a in _model_amounts(doc.invoice):
            if a.currency_id is not None and a.currency_id not in allowed:
                yield (a, "currency_id", {"code": a.currency_id})
        return
    if doc.syntax == UBL:
        for el in elements(doc, *_UBL_AMOUNTS):
            code = el.get("currencyID")
            if code not in allowed:
                yield el, {"code": code or ""}
    else:
        for el in elements(doc, ram("TaxTotalAmount")):
            code = el.get("currencyID")
            if code is not None and code not in allowed:
                yield el, {"code": code}


# --- CL008 electronic address scheme ---------------------------------------------------


@RULES.rule("PEPPOL-EN16931-CL008")
def cl008_endpoint_scheme(doc):
    allowed = _codes("peppol-eas")
    if doc.root is None:
        for p in (doc.invoice.seller, doc.invoice.buyer):
            ea = p.electronic_address if p is not None else None
            if ea is not None and ea.scheme_id not in allowed:
                yield (ea, "scheme_id", {"code": ea.scheme_id or ""})
        return
    if doc.syntax == UBL:
        for el in elements(doc, cbc("EndpointID")):
            code = el.get("schemeID")
            if code is not None and code not in allowed:
                yield el, {"code": code}
    else:
        party_tags = (ram("BuyerTradeParty"), ram("SellerTradeParty"))
        for el in elements(doc, ram("URIID")):
            comm = el.getparent()
            if comm is None or comm.tag != ram("URIUniversalCommunication"):
                continue
            party = comm.getparent()
            if party is None or party.tag not in party_tags:
                continue
            code = el.get("schemeID")
            if code not in allowed:
                yield el, {"code": code or ""}


# --- P0100 / P0101 / P0112 document type codes --------------------------------------------


def _invoice_codes() -> frozenset[str]:
    return _codes("peppol-uncl1001-inv-p0100")


def _credit_note_codes() -> frozenset[str]:
    return _codes("peppol-uncl1001-cn")


@RULES.rule("PEPPOL-EN16931-P0100")
def p0100_invoice_type(doc):
    if business_process(doc) != "01":
        return
    if doc.root is None:
        inv = doc.invoice
        allowed = _invoice_codes() if inv.kind == DocumentKind.INVOICE else None
        if doc.syntax == Syntax.CII:
            allowed = _invoice_codes() | _credit_note_codes()
        if allowed is not None and inv.type_code is not None and normalize(inv.type_code) not in allowed:
            yield (inv, "type_code", {"code": inv.type_code})
        return
    if doc.syntax == UBL:
        allowed = _invoice_codes()
        for el in elements(doc, cbc("InvoiceTypeCode")):
            if normalize(text_node(el)) not in allowed:
                yield el, {"code": normalize(text_node(el))}
    else:
        allowed = _invoice_codes() | _credit_note_codes()
        for el in elements(doc, ram("TypeCode")):
            parent = el.getparent()
            if parent is not None and parent.tag == rsm("ExchangedDocument") and normalize(text_node(el)) not in allowed:
                yield el, {"code": normalize(text_node(el))}


@RULES.rule("PEPPOL-EN16931-P0101", syntax="ubl")
def p0101_credit_note_type(doc):
    if business_process(doc) != "01":
        return
    allowed = _credit_note_codes()
    if doc.root is None:
        inv = doc.invoice
        if inv.kind == DocumentKind.CREDIT_NOTE and inv.type_code is not None and normalize(inv.type_code) not in allowed:
            yield (inv, "type_code", {"code": inv.type_code})
        return
    for el in elements(doc, cbc("CreditNoteTypeCode")):
        if normalize(text_node(el)) not in allowed:
            yield el, {"code": normalize(text_node(el))}


@RULES.rule("PEPPOL-EN16931-P0112", syntax="ubl")
def p0112_german_type_codes(doc):
    if doc.root is None:
        inv = doc.invoice
        if inv.kind == DocumentKind.INVOICE and normalize(inv.type_code) in ("326", "384") and not both_german(doc):
            yield (inv, "type_code", {"code": normalize(inv.type_code)})
        return
    for el in elements(doc, cbc("InvoiceTypeCode")):
        if nvalue(el) in ("326", "384") and not both_german(doc):
            yield el, {"code": nvalue(el)}


# --- P0104 ... P0111 VAT category for an exemption reason code (UBL) ------------------------

_EXEMPTION_CATEGORY = {
    "PEPPOL-EN16931-P0104": ("VATEX-EU-G", "G"),
    "PEPPOL-EN16931-P0105": ("VATEX-EU-O", "O"),
    "PEPPOL-EN16931-P0106": ("VATEX-EU-IC", "K"),
    "PEPPOL-EN16931-P0107": ("VATEX-EU-AE", "AE"),
    "PEPPOL-EN16931-P0108": ("VATEX-EU-D", "E"),
    "PEPPOL-EN16931-P0109": ("VATEX-EU-F", "E"),
    "PEPPOL-EN16931-P0110": ("VATEX-EU-I", "E"),
    "PEPPOL-EN16931-P0111": ("VATEX-EU-J", "E"),
}


def _model_categories(inv: Invoice):
    """The categories written as cac:TaxCategory in UBL: VAT breakdown and document level allowances/charges."""
    for tt in inv.tax_totals:
        for bd in tt.breakdown:
            if bd.category is not None:
                yield bd.category
    for ac in inv.allowances_charges:
        if ac.tax_category is not None:
            yield ac.tax_category
    for line in inv.lines:
        for ac in line.allowances_charges:
            if ac.tax_category is not None:
                yield ac.tax_category


def _ubl_categories_by_reason(doc) -> dict[str, list]:
    cache = doc.__dict__.setdefault("_cache", {})
    found = cache.get("peppol.vatex")
    if found is None:
        found = {}
        for cat in elements(doc, cac("TaxCategory")):
            codes = children(cat, cbc("TaxExemptionReasonCode"))
            if len(codes) == 1:
                found.setdefault(string_value(codes[0]).upper(), []).append(cat)
        cache["peppol.vatex"] = found
    return found


def _exemption_rule(reason: str, category: str):
    def check(doc):
        if doc.root is None:
            for cat in _model_categories(doc.invoice):
                if (cat.exemption_reason_code or "").upper() == reason and normalize(cat.code) != category:
                    yield (cat, "code", {"code": cat.code or ""})
            return
        for cat in _ubl_categories_by_reason(doc).get(reason, ()):
            ids = children(cat, cbc("ID"))
            code = nvalue(ids[0]) if ids else ""
            if code != category:
                yield cat, {"code": code}

    return check


for _rid, (_reason, _category) in _EXEMPTION_CATEGORY.items():
    RULES.add(_rid, _exemption_rule(_reason, _category), "ubl")


# --- F001 date format ---------------------------------------------------------------------

_UBL_DATES = tuple(cbc(t) for t in ("IssueDate", "DueDate", "TaxPointDate", "StartDate", "EndDate", "ActualDeliveryDate"))
_CII_DATE = re.compile(r"20[0-9]{6}")


@RULES.rule("PEPPOL-EN16931-F001")
def f001_date_format(doc):
    if doc.root is None:
        return  # dates in a model are dates
    if doc.syntax == UBL:
        for el in elements(doc, *_UBL_DATES):
            text = el.text or ""
            if len(text) != 10 or xs_date(string_value(el)) is None:
                yield el, {"value": text}
    else:
        for el in elements(doc, udt("DateTimeString")):
            text = el.text or ""
            if normalize(el.get("format")) != "102" or len(text) != 8 or not _CII_DATE.search(normalize(text)):
                yield el, {"value": text}

