"""Peppol BIS Billing 3.0 restricted code lists, profile and format rules.

PEPPOL-EN16931-CL001 ... CL008 (code lists), P0100 ... P0112 (codes allowed
per process and per VAT exemption reason) and F001 (date format). The lists
are the Peppol editions under ``schemas/codelists/peppol-*.yaml``.
"""

from __future__ import annotations

import re

from ... import codelists
from .. import releases
from ..engine import SCHEMAS, load_yaml
from ...basics import Syntax
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
    string_value,
    text_node,
    udt,
)
from .core import xs_date

UBL = Syntax.UBL


def _codes(name: str, doc=None) -> frozenset[str]:
    """A Peppol code list: the edition the run's release uses when a document is given."""
    if doc is None:
        return codelists.get(name)
    return releases.peppol(doc).codes(name, doc.syntax)


# --- CL001 attachment MIME codes -------------------------------------------------


@RULES.rule("PEPPOL-EN16931-CL001")
def cl001_mime_code(doc):
    allowed = _codes("peppol-mime")
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


@RULES.rule("PEPPOL-EN16931-CL007")
def cl007_currency_code(doc):
    allowed = _codes("peppol-iso4217", doc)
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
    allowed = _codes("peppol-eas", doc)
    if releases.peppol(doc).param("eas_empty_code_listed"):  # 3.0.20's list ends with a separator (see its file)
        allowed = allowed | {""}
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


def _type_code_process(doc) -> bool:
    """P0100/P0101 apply to the processes the release names (3.0.19-3.0.20: 01; 3.0.21: 01 and 02)."""
    return business_process(doc) in releases.peppol(doc).param("type_code_processes", default=("01",))


@RULES.rule("PEPPOL-EN16931-P0100")
def p0100_invoice_type(doc):
    # Quirk kept: the official CII rule's context is ram:ExchangedDocument/ram:TypeCode, but the
    # document's element is rsm:ExchangedDocument, so P0100 never fires on CII (in every release).
    if doc.syntax != UBL or not _type_code_process(doc):
        return
    allowed = _invoice_codes()
    for el in elements(doc, cbc("InvoiceTypeCode")):
        if normalize(text_node(el)) not in allowed:
            yield el, {"code": normalize(text_node(el))}


@RULES.rule("PEPPOL-EN16931-P0101", syntax="ubl")
def p0101_credit_note_type(doc):
    if not _type_code_process(doc):
        return
    allowed = _credit_note_codes()
    for el in elements(doc, cbc("CreditNoteTypeCode")):
        if normalize(text_node(el)) not in allowed:
            yield el, {"code": normalize(text_node(el))}


@RULES.rule("PEPPOL-EN16931-P0112", syntax="ubl")
def p0112_german_type_codes(doc):
    for el in elements(doc, cbc("InvoiceTypeCode")):
        if nvalue(el) in ("326", "384") and not both_german(doc):
            yield el, {"code": nvalue(el)}


# --- P0104 ... P0111 VAT category for an exemption reason code (UBL) ------------------------

_EXEMPTION_CATEGORY = load_yaml(SCHEMAS / "structure" / "peppol-exemptions.yaml")  # rule id -> [reason, category]


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
    if doc.syntax == UBL:
        for el in elements(doc, *_UBL_DATES):
            text = text_node(el)  # string-length(text()): the text node, wherever a comment puts it
            if len(text) != 10 or xs_date(string_value(el)) is None:
                yield el, {"value": text}
    else:
        for el in elements(doc, udt("DateTimeString")):
            text = text_node(el)
            if normalize(el.get("format")) != "102" or len(text) != 8 or not _CII_DATE.search(normalize(text)):
                yield el, {"value": text}

