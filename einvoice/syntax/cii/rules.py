"""EN 16931 CII syntax rules: CII-SR (elements EN 16931 does not use, cardinalities)
and CII-DT (data type restrictions).

The lists are data, ``schemas/structure/cii-syntax.yaml``, evaluated in one pass
over the tree by :mod:`einvoice.rules.tree`; metadata is in
``schemas/rules/cii-syntax/``. The checks that are more than a path and a count
are the functions below (and the generic ones of :mod:`einvoice.rules.tree`).
"""

from __future__ import annotations

import re
from typing import Any

from ...rules.engine import RuleSet
from ...rules.tree import Table, Wildcard, children, register, sel
from ...rules.values import string_value, xs_boolean
from .. import namespaces as ns

RULES = RuleSet("cii-syntax")

RAM = f"{{{ns.RAM}}}"
UDT = f"{{{ns.UDT}}}"


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _ram_suffix(suffix: str, but: str | None = None):
    def test(tag: str) -> bool:
        return tag.startswith(RAM) and tag.endswith(suffix) and tag != but
    return test


WILDCARDS = {
    "~document-context-parameter": Wildcard(lambda tag: _local(tag).endswith("DocumentContextParameter")),
    "~ram-id": Wildcard(_ram_suffix("ID")),
    "~ram-referenced-document": Wildcard(_ram_suffix("ReferencedDocument")),
    "~ram-amount": Wildcard(_ram_suffix("Amount", f"{RAM}TaxTotalAmount")),
    "~ram-quantity": Wildcard(_ram_suffix("Quantity")),
    "~ram-trade-tax": Wildcard(_ram_suffix("TradeTax")),
}


_boolean = xs_boolean  # xs:boolean cast of an untyped value (XML whitespace trimmed), None when it is none


def gross_price_discount(doc, el, ck):
    base = "ram:GrossPriceProductTradePrice/ram:AppliedTradeAllowanceCharge"
    indicators = sel(el, f"{base}/ram:ChargeIndicator")
    amounts = sel(el, f"{base}/ram:ActualAmount")
    allowance = any(_boolean(string_value(i)) is False for ind in indicators for i in children(ind, f"{UDT}Indicator"))
    if (allowance and amounts) or (not indicators and not amounts):
        return ()
    return (el,)


def same_due_date_code(doc, el, ck):
    # A document-wide test, the same for every trade tax: worked out once per document
    # (per trade tax, 2,000 categories cost 38 s).
    differ = doc.__dict__.get("_cii_due_date_codes")
    if differ is None:
        codes = {string_value(c) for t in el.getroottree().getroot().iter(f"{RAM}ApplicableTradeTax")
                 for c in children(t, f"{RAM}DueDateTypeCode")}
        differ = doc.__dict__["_cii_due_date_codes"] = len(codes) > 1
    return (el,) if differ else ()


_BILLED = "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem/ram:SpecifiedLineTradeDelivery/ram:BilledQuantity/@unitCode"


def unit_code_needs_billed_quantity(doc, el, ck):
    # The official test is a document-wide path, the same for every quantity: it is
    # evaluated once per document (per quantity, a 1,000-line invoice cost seconds).
    if el.get("unitCode") is None:
        return ()
    billed = doc.__dict__.get("_cii_dt_033")
    if billed is None:
        billed = doc.__dict__["_cii_dt_033"] = bool(sel(el, _BILLED))
    return () if billed else (el,)


def tax_type_vat(doc, el, ck):
    types = list(children(el, f"{RAM}TypeCode"))
    if not types or any(string_value(t) == "VAT" for t in types):
        return ()
    return (types[0],)


_DATE_102 = re.compile(r"[ \t\n\r]*\d{4}(1[0-2]|0[1-9])(3[01]|[12][0-9]|0[1-9])[ \t\n\r]*")


def date_102(doc, el, ck):
    return () if _DATE_102.fullmatch(string_value(el)) else (el,)


CUSTOMS = {
    "gross_price_discount": gross_price_discount,
    "same_due_date_code": same_due_date_code,
    "unit_code_needs_billed_quantity": unit_code_needs_billed_quantity,
    "tax_type_vat": tax_type_vat,
    "date_102": date_102,
}

TABLE = Table.load("cii-syntax", CUSTOMS, WILDCARDS)
register(RULES, TABLE, syntax="cii")
