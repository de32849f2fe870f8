"""The Peppol BIS rules the XRechnung rule set takes over (PEPPOL-EN16931-R0xx / R1xx).

KoSIT builds its schematron with a list of Peppol BIS Billing rules (R001, R005, R008,
R010, R020, R040-R046, R053-R055, R061, R101, R110, R111, R120, R121, R130), all
fatal except R120 (warning). Where the XRechnung version tests what the Peppol
rule tests, the check of the Peppol layer is registered here under the XRechnung
layer (so its severity and message are XRechnung's). For CII, the XRechnung
version differs in five ids, written here:

* R043-1 / R043-2: the Peppol CII R043 split by context (document-level
  allowances and charges / price allowances of a line);
* R008: empty elements, except ram:ApplicableHeaderTradeDelivery (compared by
  its prefixed name as written, as the official context does);
* R044 / R046: the price allowance of a line's gross price, in CII terms;
* R053: at most one (not exactly one) VAT total in the invoice currency;
* R055: the sign test applies only when there is a VAT total in the invoice currency.

R040 and R120 (both syntaxes) compare amounts with a tolerance of 0.5 where the
document currency is HUF (0.02 otherwise, as in Peppol), and the CII R120 takes the
gross price's base quantity where the net price has none (or zero).

R055 is written here for UBL too (its contexts); the sign test is the Peppol layer's
``same_sign`` (the amounts compared with zero as Saxon compares an untyped value with a number).
"""

from __future__ import annotations

from decimal import Decimal

from ...syntax.namespaces import RAM
from ..peppol import RULES as PEPPOL
from ..peppol.core import TOLERANCE, amount_from_percentage_failures, line_net_failures, same_sign
from . import RULES
from ..german import NO_DECIMAL, NoDecimal, compile_cii as _x, compile_ubl as _u, norm, one_decimal, sv

BOTH = ("R001", "R005", "R010", "R020", "R041", "R042", "R054", "R061",
        "R101", "R110", "R111", "R121", "R130")
UBL_ONLY = ("R008", "R043", "R044", "R046", "R053")
PREFIX = "PEPPOL-EN16931-"


def _peppol_check(rid: str, syntax: str):
    for rule in PEPPOL:
        if rule.id == rid and (rule.syntax is None or rule.syntax.value == syntax):
            return rule.check
    raise LookupError(f"the Peppol layer has no {rid} for {syntax}")


for _short in BOTH:
    for _syntax in ("ubl", "cii"):
        RULES.add(PREFIX + _short, _peppol_check(PREFIX + _short, _syntax), syntax=_syntax)
for _short in UBL_ONLY:
    RULES.add(PREFIX + _short, _peppol_check(PREFIX + _short, "ubl"), syntax="ubl")


# --- the CII R043: the Peppol check with fewer targets ---------------------------------

def _filtered(short: str, syntax: str, keep):
    inner = _peppol_check(PREFIX + short, syntax)

    def check(doc):
        return [t for t in inner(doc) if keep(t)]

    check.__name__ = f"{short.lower()}_{syntax}"
    return check


# CII: R043 split by context: document and line allowances and charges (R043-1), price allowances (R043-2)
for _short, _tag in (("R043-1", "{%s}SpecifiedTradeAllowanceCharge" % RAM), ("R043-2", "{%s}AppliedTradeAllowanceCharge" % RAM)):
    RULES.add(PREFIX + _short, _filtered("R043", "cii", lambda t, tag=_tag: getattr(t, "tag", None) == tag), syntax="cii")


# --- CII: empty elements ---------------------------------------------------------------------

_EMPTY = _x("//*[not(*) and not(normalize-space())]")


@RULES.rule(PREFIX + "R008", syntax="cii")
def r008(doc):
    """Every element without child elements whose text is blank, except the header delivery
    when the document writes it with the prefix 'ram' (the official context compares name())."""
    root = _root(doc)
    for el in _EMPTY(root) if root is not None else ():
        name = f"{el.prefix}:{el.tag.rpartition('}')[2]}" if el.prefix else el.tag.rpartition("}")[2]
        if name != "ram:ApplicableHeaderTradeDelivery":
            yield el


# --- R040, R120: the tolerance by document currency; the CII R120's base quantity -------------------

_DOCUMENT_CURRENCY = {"ubl": _u("/*/cbc:DocumentCurrencyCode"),
                      "cii": _x("/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction"
                                "/ram:ApplicableHeaderTradeSettlement/ram:InvoiceCurrencyCode")}


def _tolerance(doc) -> Decimal:
    """``$slackValue``: 0.5 when a document currency code is 'HUF' as written (no trimming), else 0.02."""
    codes = _DOCUMENT_CURRENCY[doc.syntax.value](doc.root) if doc.root is not None and doc.syntax else ()
    return Decimal("0.5") if any(sv(c) == "HUF" for c in codes) else TOLERANCE


for _syntax in ("ubl", "cii"):
    RULES.add(PREFIX + "R040", lambda doc: list(amount_from_percentage_failures(doc, _tolerance(doc))), syntax=_syntax)
    RULES.add(PREFIX + "R120", lambda doc, gross=_syntax == "cii": line_net_failures(doc, _tolerance(doc), gross),
              syntax=_syntax)


# --- CII: the price allowance of a gross price ------------------------------------------------

_GROSS_PRICES = _x("//rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem"
                   "/ram:SpecifiedLineTradeAgreement/ram:GrossPriceProductTradePrice")
_PRICE_AC_AMOUNTS = _x("ram:AppliedTradeAllowanceCharge/ram:ActualAmount")
_PRICE_AC_INDICATORS = _x("ram:AppliedTradeAllowanceCharge/ram:ChargeIndicator/udt:Indicator")
_CHARGE_AMOUNT = _x("ram:ChargeAmount")
_NET_AMOUNT = _x("../ram:NetPriceProductTradePrice/ram:ChargeAmount")
_FIRST_AC_AMOUNTS = _x("ram:AppliedTradeAllowanceCharge/ram:ActualAmount[1]")


def _root(doc, syntax: str = "cii"):
    """The document's root when it is of ``syntax`` (None otherwise)."""
    return doc.root if doc.root is not None and doc.syntax is not None and doc.syntax.value == syntax else None


def _gross_prices(doc):
    root = _root(doc)
    return [] if root is None else _GROSS_PRICES(root)


@RULES.rule(PREFIX + "R044", syntax="cii")
def r044(doc):
    """A price allowance with an amount is an allowance (indicator 'false', compared as written)."""
    for price in _gross_prices(doc):
        if _PRICE_AC_AMOUNTS(price) and not any(sv(i) == "false" for i in _PRICE_AC_INDICATORS(price)):
            yield price


@RULES.rule(PREFIX + "R046", syntax="cii")
def r046(doc):
    """The net price is the gross price less the (first) price allowance amount.

    Reported also where the official test cannot be evaluated (an amount that is no
    decimal, several amounts), and where the net price is missing (an empty value
    never compares equal).
    """
    for price in _gross_prices(doc):
        gross_nodes = _CHARGE_AMOUNT(price)
        if not gross_nodes:
            continue
        try:  # (the net price first: without one it compares false before the gross price and allowance are read)
            net = one_decimal(_NET_AMOUNT(price))
            right = None if net is None else one_decimal(gross_nodes) - (one_decimal(_FIRST_AC_AMOUNTS(price)) or Decimal(0))
        except NoDecimal:
            yield price, NO_DECIMAL
            continue
        if net is None or net != right:
            yield price


# --- CII: VAT total in the invoice currency ----------------------------------------------------

_SETTLEMENTS = _x("//ram:ApplicableHeaderTradeSettlement")
_INVOICE_CURRENCIES = _x("/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
                         "/ram:InvoiceCurrencyCode")
_TAX_TOTALS = _x("ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:TaxTotalAmount")


@RULES.rule(PREFIX + "R053", syntax="cii")
def r053(doc):
    """At most one VAT total amount in the invoice currency (XRechnung relaxes Peppol's 'exactly one' in CII)."""
    root = _root(doc)
    if root is None:
        return
    currencies = {sv(c) for c in _INVOICE_CURRENCIES(root)}
    for settlement in _SETTLEMENTS(root):
        if sum(1 for t in _TAX_TOTALS(settlement) if t.get("currencyID") in currencies) > 1:
            yield settlement


# --- R055: the signs of the two VAT totals ---------------------------------------------------------

_TAX_CURRENCIES = _x("/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
                     "/ram:TaxCurrencyCode")


@RULES.rule(PREFIX + "R055", syntax="cii")
def r055(doc):
    """With a VAT accounting currency and a VAT total in the invoice currency, both totals have the same sign.

    As the XRechnung version tests it: nothing is judged without a VAT total in the invoice
    currency; amounts that are not numbers are reported.
    """
    root = _root(doc)
    tax_currency_nodes = _TAX_CURRENCIES(root) if root is not None else []
    if not tax_currency_nodes:
        return
    tax_currencies = {sv(c) for c in tax_currency_nodes}
    currencies = {sv(c) for c in _INVOICE_CURRENCIES(root)}
    for settlement in _SETTLEMENTS(root):
        totals = _TAX_TOTALS(settlement)
        in_doc = [t for t in totals if t.get("currencyID") in currencies]
        if not in_doc:
            continue
        if not same_sign([t for t in totals if t.get("currencyID") in tax_currencies], in_doc, "<"):
            yield settlement


_UBL_TAX_CURRENCY = _u("cbc:TaxCurrencyCode")
_UBL_DOC_CURRENCY = _u("cbc:DocumentCurrencyCode")
_UBL_TAX_AMOUNTS = _u("cac:TaxTotal/cbc:TaxAmount")


@RULES.rule(PREFIX + "R055", syntax="ubl")
def r055_ubl(doc):
    """With a VAT accounting currency, the VAT totals in it and in the invoice currency have the same sign
    (zero counts as either); without an amount in either currency the test fails, as officially."""
    root = _root(doc, "ubl")
    if root is None:
        return
    tax_nodes = _UBL_TAX_CURRENCY(root)
    if not tax_nodes:
        return
    tax_currency = norm(sv(tax_nodes[0]))
    doc_nodes = _UBL_DOC_CURRENCY(root)
    doc_currency = norm(sv(doc_nodes[0])) if doc_nodes else ""
    amounts = _UBL_TAX_AMOUNTS(root)
    if not same_sign([a for a in amounts if a.get("currencyID") == tax_currency],
                      [a for a in amounts if a.get("currencyID") == doc_currency], "<="):
        yield root
