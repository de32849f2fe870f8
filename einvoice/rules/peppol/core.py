"""Peppol BIS Billing 3.0 transaction rules (PEPPOL-EN16931-R0xx / R1xx).

Each check reads the document tree where the official rule is stated on it
(UBL and CII each in their own terms, firing only where the rule's element
exists, as the official fragments expect). A model built in code is validated
by writing it first.
"""

from __future__ import annotations

from decimal import Decimal

from ...basics import Syntax
from .. import releases
from ..tree import Table, register
from .. import values as V
from ..values import date_or_none
from . import RULES
from .common import (
    CII_ROOT,
    UBL_CREDIT_NOTE,
    UBL_INVOICE,
    NotANumber,
    both_german,
    business_process,
    cac,
    cached,
    cbc,
    child,
    children,
    decimal_context,
    elements,
    empty_elements,
    normalize,
    nvalue,
    path,
    ram,
    rsm,
    slack,
    string_value,
    text_node,
    udt,
    xpath_round,
    xs_decimal,
)

UBL = Syntax.UBL
CII = Syntax.CII
SPEC_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
TOLERANCE = Decimal("0.02")  # u:slack's tolerance in the Peppol rules


def _ubl_roots(doc) -> list:
    return elements(doc, UBL_INVOICE, UBL_CREDIT_NOTE)


def _first(els):
    return els[0] if els else None


# --- document level -------------------------------------------------------------
# R001, R003 (business process, buyer reference), R010, R020 (endpoints), R041, R042 (percentage and base
# amount of an allowance or charge), R006, R080, R100, R101 (document references) ask whether an element
# is there, or how often: structure rows, schemas/structure/peppol-core-{ubl,cii}.yaml

for _syntax in ("ubl", "cii"):
    register(RULES, Table.load(f"peppol-core-{_syntax}"), syntax=_syntax)


@RULES.rule("PEPPOL-EN16931-R007")
def r007_business_process_format(doc):
    if business_process(doc) != "Unknown":
        return
    if doc.syntax == UBL:
        for r in _ubl_roots(doc):
            yield child(r, cbc("ProfileID")) if child(r, cbc("ProfileID")) is not None else r
    else:
        yield from elements(doc, rsm("ExchangedDocumentContext"))


def _specification_ok(doc, value: str) -> bool:
    """R004: BT-24 starts with the Peppol identifier and (from 3.0.21) contains nothing the release refuses ('::')."""
    v = normalize(value)
    return v.startswith(SPEC_ID) and not any(bad in v for bad in releases.peppol(doc).param("customization_forbidden", default=()))


_R004 = {UBL: ((UBL_INVOICE, UBL_CREDIT_NOTE), (cbc("CustomizationID"),)),  # contexts, the first BT-24 of one
         CII: ((rsm("ExchangedDocumentContext"),), (ram("GuidelineSpecifiedDocumentContextParameter"), ram("ID")))}


@RULES.rule("PEPPOL-EN16931-R004")
def r004_specification(doc):
    contexts, steps = _R004[doc.syntax]
    for ctx in elements(doc, *contexts):
        value = V.attempt(lambda: text_node(path(ctx, *steps)))  # (cbc:CustomizationID/text(): of any of them)
        if value is V.STOP or not _specification_ok(doc, value):
            yield V.failure_at(ctx, value)


@RULES.rule("PEPPOL-EN16931-R002")
def r002_one_note(doc):
    if doc.syntax == UBL:
        for r in _ubl_roots(doc):
            if len(children(r, cbc("Note"))) > 1 and not both_german(doc):
                yield r
    else:
        for ed in elements(doc, rsm("ExchangedDocument")):
            notes = children(ed, ram("IncludedNote"))
            if len(notes) > 1 or any(child(n, ram("SubjectCode")) is not None for n in notes):
                yield ed


@RULES.rule("PEPPOL-EN16931-R005")
def r005_tax_currency_differs(doc):
    if doc.syntax == UBL:
        for el in elements(doc, cbc("TaxCurrencyCode")):
            parent = el.getparent()
            other = children(parent, cbc("DocumentCurrencyCode")) if parent is not None else []
            same = V.attempt(lambda: normalize(text_node(el)) == normalize(text_node(other)))
            if same:  # (STOP: several text nodes, the official rule stops)
                yield V.failure_at(el, same)
    else:
        for st in elements(doc, ram("ApplicableHeaderTradeSettlement")):
            tcc = children(st, ram("TaxCurrencyCode"))
            same = tcc and V.attempt(lambda: normalize(text_node(tcc)) == normalize(text_node(children(st, ram("InvoiceCurrencyCode")))))
            if same:
                yield V.failure_at(tcc[0], same)


# --- VAT totals --------------------------------------------------------------------


def _cii_currencies(doc, tag: str) -> list[str]:
    """/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/ram:<tag>."""
    root = doc.root
    if root.tag != CII_ROOT:
        return []
    return [string_value(e) for e in path(root, rsm("SupplyChainTradeTransaction"), ram("ApplicableHeaderTradeSettlement"),
                                          ram(tag))]


# R053 and R054 (one tax total with a breakdown or in the invoice currency; one in the tax currency exactly
# when it is given): rows of schemas/structure/peppol-core-{ubl,cii}.yaml


# R055 per syntax: the contexts, their tax totals, the (tax, document) currencies of one (UBL: the context's,
# normalised; CII: the document's, as written), and the comparison a negative total passes (UBL <= 0, CII < 0)
_R055 = {
    UBL: ((UBL_INVOICE, UBL_CREDIT_NOTE), (cac("TaxTotal"), cbc("TaxAmount")), "<=",
          lambda doc, r: [{normalize(string_value(e)) for e in children(r, cbc(t))}
                          for t in ("TaxCurrencyCode", "DocumentCurrencyCode")]),
    CII: ((ram("ApplicableHeaderTradeSettlement"),), (ram("SpecifiedTradeSettlementHeaderMonetarySummation"),
                                                      ram("TaxTotalAmount")), "<",
          lambda doc, st: [set(_cii_currencies(doc, t)) for t in ("TaxCurrencyCode", "InvoiceCurrencyCode")]),
}


@RULES.rule("PEPPOL-EN16931-R055")
def r055_same_sign(doc):
    contexts, steps, below, currencies = _R055[doc.syntax]
    for ctx in elements(doc, *contexts):
        tcc, dcc = currencies(doc, ctx)
        if not tcc:
            continue
        amounts = path(ctx, *steps)
        if not same_sign([a for a in amounts if a.get("currencyID") in tcc],
                         [a for a in amounts if a.get("currencyID") in dcc], below):
            yield ctx


def same_sign(in_tax: list, in_doc: list, below: str) -> bool:
    """R055 (also XRechnung's): (some total in each currency ``below`` 0) or (some in each ``>= 0``); an absent
    total never agrees. The untyped amounts are compared with zero as Saxon compares them ('NaN' is above
    zero, '-0.00' below it); an amount that is no number fails the rule where the official validator stops."""
    def some(nodes: list, op: str):  # True, False or STOP: a type error met before a true item (in Saxon's order)
        return V.attempt(lambda: any(V.compare_untyped(n, op, "0") for n in nodes))

    def both(op: str):
        return V.xp_and(some(in_tax, op), some(in_doc, op))
    return V.xp_or(both(below), both(">=")) is True  # a STOP left: the official validator stops (no verdict)


# --- allowances and charges ----------------------------------------------------------


# the allowances and charges in scope in UBL: of a document element, or of one of its lines (not of a price)
_UBL_AC_PARENTS = {UBL_INVOICE: None, UBL_CREDIT_NOTE: None, cac("InvoiceLine"): UBL_INVOICE,
                   cac("CreditNoteLine"): UBL_CREDIT_NOTE}  # the parent's tag -> the tag its own parent must have
# per syntax: the allowances and charges, their percentage, base amount and amount, the path of the indicator
_AC = {UBL: (cac("AllowanceCharge"), cbc("MultiplierFactorNumeric"), cbc("BaseAmount"), cbc("Amount"), (cbc("ChargeIndicator"),)),
       CII: (ram("SpecifiedTradeAllowanceCharge"), ram("CalculationPercent"), ram("BasisAmount"), ram("ActualAmount"),
             (ram("ChargeIndicator"), udt("Indicator")))}


def _ac_in_scope(ac) -> bool:
    parent = ac.getparent()
    if parent is None or parent.tag not in _UBL_AC_PARENTS:
        return False
    above, grand = _UBL_AC_PARENTS[parent.tag], parent.getparent()
    return above is None or (grand is not None and grand.tag == above)


def _ac_elements(doc) -> list[tuple]:
    """(element, percent element, base element, amount element, indicator text) of every allowance/charge in scope."""
    def find():
        tag, pct, base, amount, indicator = _AC[doc.syntax]
        out = []
        for ac in elements(doc, tag):
            if doc.syntax == UBL and not _ac_in_scope(ac):
                continue
            ind = path(ac, *indicator)  # (ChargeIndicator/text(): of any of them)
            out.append((ac, child(ac, pct), child(ac, base), child(ac, amount), V.attempt(lambda: text_node(ind)) if ind else None))
        return out

    return cached(doc, "peppol.ac", find)


def amount_from_percentage_failures(doc, tolerance: Decimal = TOLERANCE):
    """R040: amounts that are not base x percentage / 100 (XRechnung's copy passes its own tolerance)."""
    for ac, pct, base, amount, _ind in _ac_elements(doc):
        if pct is None or base is None:
            continue  # R041 / R042 speak for these
        try:
            with decimal_context():
                expected = xs_decimal(base) * xs_decimal(pct) / HUNDRED
                stated = xs_decimal(amount) if amount is not None else ZERO
                ok = slack(stated, expected, tolerance)
        except NotANumber:
            ok = False
        if not ok:
            yield ac


RULES.add("PEPPOL-EN16931-R040", amount_from_percentage_failures)


@RULES.rule("PEPPOL-EN16931-R043")
def r043_charge_indicator(doc):
    for ac, pct, base, _amount, ind in _ac_elements(doc):
        if (pct is None) != (base is None):
            continue  # first matching official rule is R041 / R042
        if ind is None or ind is V.STOP or normalize(ind) not in ("true", "false"):
            yield V.failure_at(ac, ind)
    if doc.syntax == CII:
        for ac in elements(doc, ram("AppliedTradeAllowanceCharge")):
            ind = V.attempt(lambda: normalize(text_node(path(ac, ram("ChargeIndicator"), udt("Indicator")))))
            if ind not in ("true", "false"):  # (STOP: several text nodes stop the official rule)
                yield V.failure_at(ac, ind)


@RULES.rule("PEPPOL-EN16931-R044", syntax="ubl")
def r044_no_price_charge(doc):
    for ac in _price_allowances(doc):
        if nvalue(child(ac, cbc("ChargeIndicator"))) != "false":
            yield ac


def _price_allowances(doc) -> list:
    return [ac for ac in elements(doc, cac("AllowanceCharge"))
            if ac.getparent() is not None and ac.getparent().tag == cac("Price")]


@RULES.rule("PEPPOL-EN16931-R046", syntax="ubl")
def r046_net_price(doc):
    for ac in _price_allowances(doc):
        base = child(ac, cbc("BaseAmount"))
        if base is None:
            continue
        price = child(ac.getparent(), cbc("PriceAmount"))
        amount = child(ac, cbc("Amount"))
        try:
            ok = price is not None and amount is not None and xs_decimal(price) == xs_decimal(base) - xs_decimal(amount)
        except NotANumber:
            ok = False
        if not ok:
            yield ac


# --- payment ----------------------------------------------------------------------


# R061 per syntax: the payment means, the tag of their code, where the mandate reference is (UBL: in the
# payment means; CII: beside it, in the payment terms)
_R061 = {UBL: (cac("PaymentMeans"), cbc("PaymentMeansCode"), lambda pm: path(pm, cac("PaymentMandate"), cbc("ID"))),
         CII: (ram("SpecifiedTradeSettlementPaymentMeans"), ram("TypeCode"), lambda pm: pm.getparent() is not None
               and path(pm.getparent(), ram("SpecifiedTradePaymentTerms"), ram("DirectDebitMandateID")))}


@RULES.rule("PEPPOL-EN16931-R061")
def r061_mandate_reference(doc):
    tag, code_tag, mandate = _R061[doc.syntax]
    for pm in elements(doc, tag):
        codes = children(pm, code_tag)  # two codes: normalize-space() of both fails, the official context does not match
        if len(codes) == 1 and nvalue(codes[0]) in ("49", "59") and not mandate(pm):
            yield pm


# --- currency ---------------------------------------------------------------------

# the amounts with a currency in UBL but the tax amounts (R051; CL007 judges those too)
UBL_AMOUNTS = tuple(cbc(t) for t in (
    "Amount", "BaseAmount", "PriceAmount", "TaxableAmount", "LineExtensionAmount", "TaxExclusiveAmount",
    "TaxInclusiveAmount", "AllowanceTotalAmount", "ChargeTotalAmount", "PrepaidAmount", "PayableRoundingAmount",
    "PayableAmount",
))


@RULES.rule("PEPPOL-EN16931-R051", syntax="ubl")
def r051_one_currency(doc):
    currencies = {string_value(e) for e in children(doc.root, cbc("DocumentCurrencyCode"))}
    said = " or ".join(sorted(currencies)) or "none"  # (the message names the amount's currency and the invoice's)
    taxes = [el for el in elements(doc, cbc("TaxAmount")) if (p := el.getparent()) is not None and (
        p.tag == cac("TaxSubtotal") or p.tag == cac("TaxTotal") and child(p, cac("TaxSubtotal")) is not None)]
    for el in (*elements(doc, *UBL_AMOUNTS), *taxes):
        if el.get("currencyID") not in currencies:
            yield el, {"found": f"currency {c}" if (c := el.get("currencyID")) else "no currency", "invoice": said}


# --- line level -------------------------------------------------------------------

xs_date = lambda v: date_or_none(v, True)  # noqa: E731 - ``xs:date(.)`` as it compares (its first instant); None: no date


# R110 / R111 per syntax: the contexts; the steps from one to the header's period and to the lines' (in UBL, the
# lines its document element has); the dates read from the header's date
# elements (UBL: xs:date of the first one's value) and from a line's (UBL: xs:date of its text node). CII reads
# every DateTimeString as a string (YYYYMMDD) and compares the strings, as the official rule does.
_PERIOD = {
    UBL: ((UBL_INVOICE, UBL_CREDIT_NOTE), (cac("InvoicePeriod"),),
          lambda r: (cac("InvoiceLine") if r.tag == UBL_INVOICE else cac("CreditNoteLine"), cac("InvoicePeriod")),
          lambda heads: [xs_date(string_value(heads[0])) if len(heads) == 1 else V.STOP],  # (xs:date of several: stops)
          lambda el: [V.attempt(lambda: xs_date(text_node(el)))]),
    CII: ((rsm("SupplyChainTradeTransaction"),), (ram("ApplicableHeaderTradeSettlement"), ram("BillingSpecifiedPeriod")),
          lambda tx: (ram("IncludedSupplyChainTradeLineItem"), ram("SpecifiedLineTradeSettlement"),
                      ram("BillingSpecifiedPeriod")),
          lambda heads: [string_value(d) for h in heads for d in children(h, udt("DateTimeString"))],
          lambda el: [string_value(d) for d in children(el, udt("DateTimeString"))]),
}


def _period_rule(fields: dict, later: bool):
    """A line's period starts no earlier (``later``) or ends no later than the invoice's (a date that is none fails)."""
    def check(doc):
        contexts, head_steps, line_steps, limits_of, dates_of = _PERIOD[doc.syntax]
        field = fields[doc.syntax]
        for ctx in elements(doc, *contexts):
            heads = path(ctx, *head_steps, field)
            if not heads:
                continue
            limits = [d for d in limits_of(heads) if d is not None]
            for el in path(ctx, *line_steps(ctx), field):
                dates = dates_of(el)  # (STOP: the official rule stops on the line's date, then on the invoice's)
                if V.STOP in dates or V.STOP in limits or not any((v >= lim if later else v <= lim) for v in dates if v is not None for lim in limits):
                    yield (el, V.SPLIT) if V.STOP in dates else (el, V.SEVERAL) if V.STOP in limits else el

    return check


RULES.add("PEPPOL-EN16931-R110", _period_rule({UBL: cbc("StartDate"), CII: ram("StartDateTime")}, True))
RULES.add("PEPPOL-EN16931-R111", _period_rule({UBL: cbc("EndDate"), CII: ram("EndDateTime")}, False))


def _sum_round(values: list) -> Decimal:
    total = sum((xs_decimal(v) for v in values), ZERO)
    return xpath_round(total * 10 * 10) / HUNDRED


def _line_net_ok(stated, quantity, price, base_quantities, allowances: list | None, charges: list | None,
                 tolerance: Decimal = TOLERANCE) -> bool:
    """The official line net check from the elements (None: element absent; the base is the first of
    ``base_quantities`` present and not zero, else 1). NotANumber propagates. Call it inside ``decimal_context()``."""
    net = xs_decimal(stated) if stated is not None else ZERO
    qty = xs_decimal(quantity) if quantity is not None else ONE
    prc = xs_decimal(price) if price is not None else ZERO
    base, base_el = next(((b, q) for b, q in ((xs_decimal(q), q) for q in base_quantities if q is not None) if b != 0),
                         (ONE, None))
    allow = _sum_round(allowances) if allowances is not None else ZERO
    charge = _sum_round(charges) if charges is not None else ZERO
    # price div base as Saxon keeps it (18 decimals or more, not exact): at the tolerance's edge it decides
    quotient = V.saxon_divide(prc, base, V.string_value(price) if price is not None else None,
                              V.string_value(base_el) if base_el is not None else None)
    return slack(net, qty * quotient + charge - allow, tolerance)


def _split_acs(acs: list, indicator_of, amount_tag: str) -> tuple[list | None, list | None]:
    allow = [a for a in acs if indicator_of(a) == "false"]
    charge = [a for a in acs if indicator_of(a) == "true"]
    return ([x for a in allow for x in children(a, amount_tag)] if allow else None,
            [x for a in charge for x in children(a, amount_tag)] if charge else None)


def line_net_failures(doc, tolerance: Decimal = TOLERANCE, gross_base: bool = False) -> list:
    """R120: lines whose net amount is not quantity x net price / base quantity + charges - allowances
    (``gross_base``, XRechnung's CII copy: without a net base quantity, the gross price's)."""
    failed = []
    with decimal_context():
        for line, *amounts in (_ubl_line_amounts(doc) if doc.syntax == UBL else _cii_line_amounts(doc, gross_base)):
            try:
                ok = _line_net_ok(*amounts, tolerance=tolerance)
            except NotANumber:
                ok = False
            if not ok:
                failed.append(line)
    return failed


RULES.add("PEPPOL-EN16931-R120", line_net_failures)


_UBL_AMOUNT = cbc("Amount")
_UBL_PRICE_AMOUNT = cbc("PriceAmount")
_UBL_BASE_QUANTITY = cbc("BaseQuantity")
_UBL_CHARGE_INDICATOR = cbc("ChargeIndicator")


def _ubl_indicator(ac) -> str:
    return nvalue(child(ac, _UBL_CHARGE_INDICATOR))


def _ubl_line_amounts(doc):
    """(line, the elements of _line_net_ok) of every UBL line."""
    is_invoice = doc.root.tag == UBL_INVOICE
    qty_tag = cbc("InvoicedQuantity") if is_invoice else cbc("CreditedQuantity")
    lea_tag, price_tag, ac_tag = cbc("LineExtensionAmount"), cac("Price"), cac("AllowanceCharge")
    for line in elements(doc, cac("InvoiceLine"), cac("CreditNoteLine")):
        # one look at the line's children: the first of each, and every allowance/charge
        first: dict = {}
        acs = []
        for c in line:
            tag = c.tag
            if tag == ac_tag:
                acs.append(c)
            elif tag not in first:
                first[tag] = c
        allow, charge = _split_acs(acs, _ubl_indicator, _UBL_AMOUNT) if acs else (None, None)
        # cac:Price/cbc:PriceAmount reads every price of the line (a second one with the amount counts)
        yield (line, first.get(lea_tag), first.get(qty_tag), _first(path(line, price_tag, _UBL_PRICE_AMOUNT)),
               (_first(path(line, price_tag, _UBL_BASE_QUANTITY)),), allow, charge)


def _cii_line_amounts(doc, gross_base: bool = False):
    """(line, the elements of _line_net_ok) of every CII line (``gross_base``: see line_net_failures)."""
    # each path reads every element on its way (a line's second settlement or agreement counts too)
    settlement, net_price = ram("SpecifiedLineTradeSettlement"), (ram("SpecifiedLineTradeAgreement"), ram("NetPriceProductTradePrice"))
    gross_price = (ram("SpecifiedLineTradeAgreement"), ram("GrossPriceProductTradePrice"))
    for line in elements(doc, ram("IncludedSupplyChainTradeLineItem")):
        acs = path(line, settlement, ram("SpecifiedTradeAllowanceCharge"))
        allow, charge = _split_acs(
            acs, lambda a: nvalue(_first(path(a, ram("ChargeIndicator"), udt("Indicator")))), ram("ActualAmount"))
        stated = _first(path(line, settlement, ram("SpecifiedTradeSettlementLineMonetarySummation"), ram("LineTotalAmount")))
        yield (line, stated, _first(path(line, ram("SpecifiedLineTradeDelivery"), ram("BilledQuantity"))),
               _first(path(line, *net_price, ram("ChargeAmount"))),
               (_first(path(line, *net_price, ram("BasisQuantity"))),
                _first(path(line, *gross_price, ram("BasisQuantity"))) if gross_base else None),
               allow, charge)


_R121 = {UBL: ((cac("InvoiceLine"), cac("CreditNoteLine")), (cac("Price"), cbc("BaseQuantity"))),  # contexts, base quantity
         CII: ((ram("NetPriceProductTradePrice"), ram("GrossPriceProductTradePrice")), (ram("BasisQuantity"),))}


@RULES.rule("PEPPOL-EN16931-R121")
def r121_base_quantity_positive(doc):
    contexts, steps = _R121[doc.syntax]
    for ctx in elements(doc, *contexts):
        bq = _first(path(ctx, *steps))
        if bq is None:
            continue
        try:
            ok = xs_decimal(bq) > 0
        except NotANumber:
            ok = False
        if not ok:
            yield ctx


@RULES.rule("PEPPOL-EN16931-R130")
def r130_base_quantity_unit(doc):
    if doc.syntax == UBL:
        is_invoice = doc.root.tag == UBL_INVOICE
        for bq in elements(doc, cbc("BaseQuantity")):
            unit = bq.get("unitCode")
            price = bq.getparent()
            if unit is None or price is None or price.tag != cac("Price"):
                continue
            line = price.getparent()
            if line is None:
                continue
            quantities = children(line, cbc("InvoicedQuantity")) + children(line, cbc("CreditedQuantity"))
            if not quantities:
                continue
            relevant = children(line, cbc("InvoicedQuantity") if is_invoice else cbc("CreditedQuantity"))
            if not any(q.get("unitCode") == unit for q in relevant):
                yield bq
    else:
        price_tags = (ram("NetPriceProductTradePrice"), ram("GrossPriceProductTradePrice"))
        for bq in elements(doc, ram("BasisQuantity")):
            unit = bq.get("unitCode")
            price = bq.getparent()
            if unit is None or price is None or price.tag not in price_tags:
                continue
            agreement = price.getparent()
            line = agreement.getparent() if agreement is not None else None
            billed = path(line, ram("SpecifiedLineTradeDelivery"), ram("BilledQuantity")) if line is not None else []
            if not any(q.get("unitCode") == unit for q in billed):
                yield bq


# --- empty elements (UBL) ---------------------------------------------------------------


@RULES.rule("PEPPOL-EN16931-R008", syntax="ubl")
def r008_no_empty_elements(doc):
    yield from empty_elements(doc)
