"""Peppol BIS Billing 3.0 restricted code lists, profile and format rules.

PEPPOL-EN16931-CL001 ... CL008 (code lists), P0100 ... P0112 (codes allowed
per process and per VAT exemption reason) and F001 (date format). The lists
are the Peppol editions under ``schemas/codelists/peppol-*.yaml``.
"""

from __future__ import annotations

import re

from .. import releases
from .. import values as V
from ..engine import SCHEMAS, load_yaml
from ...basics import Syntax
from . import RULES
from .common import (
    both_german,
    business_process,
    cac,
    cached,
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
from .core import UBL_AMOUNTS, xs_date

UBL = Syntax.UBL
CII = Syntax.CII


def _codes(name: str, doc) -> frozenset[str]:
    """A Peppol code list in the edition of the run's release."""
    release = releases.peppol(doc)
    codes = release.codes(name, doc.syntax)
    if name == "peppol-eas" and release.param("eas_empty_code_listed", doc.syntax):  # 3.0.20's list ends with a separator
        codes = codes | {""}
    return codes


# --- CL001 ... CL008, P0100, P0101: a coded value from a list --------------------------


def _at(*steps, attr: str | None = None, required: bool = False):
    """The elements a code rule judges, with their value: those of the last step (a tag or a tuple of tags)
    whose ancestors are the steps before it (child steps, the first one anywhere). The value is the
    attribute as written (an element without it is not judged, unless ``required``: then its value is
    None and it fails) or, without an attribute, the trimmed text node (normalize-space(text()))."""
    *above, last = [(s,) if isinstance(s, str) else s for s in steps]

    def select(doc):
        for el in elements(doc, *last):
            node = el
            for tags in reversed(above):
                node = node.getparent()
                if node is None or node.tag not in tags:
                    break
            else:
                value = el.get(attr) if attr else V.attempt(lambda: normalize(text_node(el)))  # (STOP: see _code_rule)
                if value is not None or required:
                    yield el, value

    return select


def _reason_codes(doc) -> list:
    """(reason code element, 'false' / 'true') for every allowance/charge reason code the rules look at."""
    return cached(doc, "peppol.reasons", lambda: list(_find_reason_codes(doc)))


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
            ind = path(ac, ram("ChargeIndicator"), udt("Indicator"))  # (normalize-space of two: no context matches)
            kind = normalize(string_value(ind[0])) if len(ind) == 1 else ""
            if kind not in ("false", "true"):
                continue
            for rc in children(ac, ram("ReasonCode")):
                yield rc, kind


def _reasons(kind: str):
    """The reason codes of the allowances ('false') or of the charges ('true'), trimmed (both syntaxes)."""
    def select(doc):
        return ((rc, V.attempt(lambda: normalize(text_node(rc)))) for rc, k in _reason_codes(doc) if k == kind)

    return dict.fromkeys((UBL, CII), select)


def _type_code_process(doc) -> bool:
    """P0100/P0101 apply to the processes the release names (3.0.19-3.0.20: 01; 3.0.21: 01 and 02)."""
    return business_process(doc) in releases.peppol(doc).param("type_code_processes", default=("01",))


# rule id -> (code list, the elements judged and their value per syntax, the documents the rule applies to)
_CODE_RULES = {
    "PEPPOL-EN16931-CL001": ("peppol-mime", {UBL: _at(cbc("EmbeddedDocumentBinaryObject"), attr="mimeCode"),
                                             CII: _at(ram("AttachmentBinaryObject"), attr="mimeCode")}, None),
    "PEPPOL-EN16931-CL002": ("peppol-uncl5189", _reasons("false"), None),
    "PEPPOL-EN16931-CL003": ("peppol-uncl7161", _reasons("true"), None),
    "PEPPOL-EN16931-CL006": ("peppol-uncl2005", {UBL: _at(cac("InvoicePeriod"), cbc("DescriptionCode"))}, None),
    # an amount without a currency fails in UBL; in CII it is not judged
    "PEPPOL-EN16931-CL007": ("peppol-iso4217", {
        UBL: _at((*UBL_AMOUNTS, cbc("TaxAmount")), attr="currencyID", required=True),
        CII: _at(ram("TaxTotalAmount"), attr="currencyID")}, None),
    # an electronic address without a scheme is not judged in UBL and fails in CII (the parties' addresses only)
    "PEPPOL-EN16931-CL008": ("peppol-eas", {
        UBL: _at(cbc("EndpointID"), attr="schemeID"),
        CII: _at((ram("BuyerTradeParty"), ram("SellerTradeParty")), ram("URIUniversalCommunication"), ram("URIID"),
                 attr="schemeID", required=True)}, None),
    # Quirk reproduced: the official CII rule's context is ram:ExchangedDocument/ram:TypeCode, while the document's
    # element is rsm:ExchangedDocument: on CII it fires only on a ram: one, which the schema forbids (every release).
    "PEPPOL-EN16931-P0100": ("peppol-uncl1001-inv-p0100", {UBL: _at(cbc("InvoiceTypeCode")),
                                                           CII: _at(ram("ExchangedDocument"), ram("TypeCode"))}, _type_code_process),
    "PEPPOL-EN16931-P0101": ("peppol-uncl1001-cn", {UBL: _at(cbc("CreditNoteTypeCode"))}, _type_code_process),
}


def _code_rule(list_name: str, contexts: dict, applies):
    def check(doc):
        select = contexts.get(doc.syntax)
        if select is None or (applies is not None and not applies(doc)):
            return
        allowed = _codes(list_name, doc)
        for el, code in select(doc):
            if code is V.STOP:  # several text nodes: the official rule stops, failing here
                yield el, {"code": string_value(el), **V.SPLIT}
            elif code not in allowed:
                yield el, {"code": code or ""}

    return check


for _rid, (_list, _contexts, _applies) in _CODE_RULES.items():
    RULES.add(_rid, _code_rule(_list, _contexts, _applies), None if len(_contexts) > 1 else next(iter(_contexts)))


@RULES.rule("PEPPOL-EN16931-P0112", syntax="ubl")
def p0112_german_type_codes(doc):
    for el in elements(doc, cbc("InvoiceTypeCode")):
        if nvalue(el) in ("326", "384") and not both_german(doc):
            yield el, {"code": nvalue(el)}


# --- P0104 ... P0111 VAT category for an exemption reason code (UBL) ------------------------

_EXEMPTION_CATEGORY = load_yaml(SCHEMAS / "structure" / "peppol-exemptions.yaml")  # rule id -> [reason, category]


def _find_categories_by_reason(doc) -> dict[str, list]:
    found: dict[str, list] = {}
    for cat in elements(doc, cac("TaxCategory")):
        codes = children(cat, cbc("TaxExemptionReasonCode"))
        if len(codes) == 1:
            found.setdefault(string_value(codes[0]).upper(), []).append(cat)
    return found


def _exemption_rule(reason: str, category: str):
    def check(doc):
        for cat in cached(doc, "peppol.vatex", lambda: _find_categories_by_reason(doc)).get(reason, ()):
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
            text = V.attempt(lambda: text_node(el))  # string-length(text()) (STOP: several text nodes stop it, failing)
            if text is V.STOP or len(text) != 10 or xs_date(string_value(el)) is None:
                yield el, {"value": string_value(el), **(V.SPLIT if text is V.STOP else {})}
    else:  # ('and' read left to right: the text only of a format 102 date)
        for el in elements(doc, udt("DateTimeString")):
            text = V.attempt(lambda: text_node(el)) if normalize(el.get("format")) == "102" else ""
            if text is V.STOP or len(text) != 8 or not _CII_DATE.search(normalize(text)):
                yield el, {"value": string_value(el), **(V.SPLIT if text is V.STOP else {})}
