"""Checks of the Factur-X profile tables that are more than "this path selects something".

These are the ``custom`` functions the profile tables (``schemas/structure/facturx-*.yaml``)
name for the profile rules about VAT identifiers, VAT category counts, country
prefixes, amounts and sums. Each takes ``(doc, context element, check)`` and returns
the targets of a failure (the context element) or nothing; ``check.arg`` holds the
row's arguments.

Numbers follow the official artefacts' XPath 2.0 typing: a value read with an
explicit decimal cast is an exact :class:`~decimal.Decimal`; an untyped value used
in arithmetic, a sum or a comparison with a number is a double (``float``). When a
value cannot be cast at all the official validator stops with a dynamic error; a
check here then reports nothing (the datatype rules of the profile name the value).
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from typing import Any

from ...syntax import namespaces as ns
from ..tree import normalize_space, sel, string_value

RAM = f"{{{ns.RAM}}}"
UDT = f"{{{ns.UDT}}}"


class Undecidable(Exception):
    """A value the official XPath would stop on (a failed cast)."""


# --------------------------------------------------------------------------- values

_DEC = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_DBL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def dec(text: str) -> Decimal:
    """xs:decimal cast of a string value (white space collapsed)."""
    t = text.strip()
    if not _DEC.fullmatch(t):
        raise Undecidable(text)
    return Decimal(t)


def dbl(text: str) -> float:
    """xs:double cast of an untyped value."""
    t = text.strip()
    if t in ("INF", "+INF"):
        return math.inf
    if t == "-INF":
        return -math.inf
    if t == "NaN":
        return math.nan
    if not _DBL.fullmatch(t):
        raise Undecidable(text)
    return float(t)


def number(text: str) -> float:
    """fn:number: a double, NaN when the value is not one."""
    try:
        return dbl(text)
    except Undecidable:
        return math.nan


def round_dec(x: Decimal) -> Decimal:
    """fn:round on a decimal (half toward positive infinity)."""
    return (x + Decimal("0.5")).to_integral_value(rounding=ROUND_FLOOR)


def round_dbl(x: float) -> float:
    """fn:round on a double (half toward positive infinity; NaN and infinities unchanged)."""
    if math.isnan(x) or math.isinf(x):
        return x
    r = math.floor(x)
    return r + 1.0 if x - r >= 0.5 else float(r)


def round2_dec(x: Decimal) -> Decimal:
    """round(x * 100) div 100 on a decimal."""
    return round_dec(x * 100) / Decimal(100)


def round2_dbl(x: float) -> float:
    return round_dbl(x * 100) / 100


def texts(el: Any, path: str) -> list[str]:
    return [string_value(n) for n in sel(el, path)]


def decs(el: Any, path: str) -> list[Decimal]:
    return [dec(t) for t in texts(el, path)]


def one_dec(el: Any, path: str) -> Decimal | None:
    """xs:decimal(path): None for an empty sequence; more than one node is a type error."""
    found = texts(el, path)
    if not found:
        return None
    if len(found) > 1:
        raise Undecidable(path)
    return dec(found[0])


def sum_dbl(values) -> float:
    """fn:sum over untyped values (doubles)."""
    total = 0
    for t in values:
        total += dbl(t)
    return total


def _guarded(fn):
    def run(doc, el, ck):
        try:
            return fn(doc, el, ck)
        except (Undecidable, InvalidOperation, ZeroDivisionError, OverflowError):
            return ()
    run.__name__ = fn.__name__
    run.__doc__ = fn.__doc__
    return run


# --------------------------------------------------------------------------- conditions

def _holds(el: Any, expr: Any) -> bool:
    """A condition over paths: a path holds when it selects something; ``any``/``all``/``not``."""
    if isinstance(expr, str):
        return bool(sel(el, expr))
    if "any" in expr:
        return any(_holds(el, e) for e in expr["any"])
    if "all" in expr:
        return all(_holds(el, e) for e in expr["all"])
    if "not" in expr:
        return not _holds(el, expr["not"])
    raise ValueError(f"unknown condition {expr!r}")


def cond(doc, el, ck):
    """The condition ``arg`` must hold at the context."""
    return () if _holds(el, ck.arg) else (el,)


def any_filled(doc, el, ck):
    """The first node of one of ``paths`` has a value that is not empty after space normalisation."""
    for p in ck.arg["paths"]:
        found = sel(el, p)
        if found and normalize_space(string_value(found[0])):
            return ()
    return (el,)


def first_attr_filled(doc, el, ck):
    """Where ``path`` selects something, the attribute ``attr`` of ``value`` (under the first node) is filled."""
    a = ck.arg
    found = sel(el, a["path"])
    if not found:
        return ()
    vals = sel(found[0], a["value"])
    if len(vals) > 1:
        return ()  # several values: the official test stops (a sequence where one value is expected)
    return () if vals and normalize_space(string_value(vals[0])) else (el,)


def num_or_absent(doc, el, ck):
    """Where ``path`` selects something, one of its values (as a number) is >= 0."""
    found = sel(el, ck.arg["path"])
    if not found:
        return ()
    try:
        return () if any(dbl(string_value(n)) >= 0 for n in found) else (el,)
    except Undecidable:
        return ()


def period_order(doc, el, ck):
    """The end date (format 102) of a period is not before its start, compared as text as the official test does."""
    ends = texts(el, "ram:EndDateTime/udt:DateTimeString[@format = '102']")
    starts = texts(el, "ram:StartDateTime/udt:DateTimeString[@format = '102']")
    if any(e >= s for e in ends for s in starts):
        return ()
    if not sel(el, "ram:EndDateTime") or not sel(el, "ram:StartDateTime"):
        return ()
    return (el,)


def payee_differs(doc, el, ck):
    """The payee has a name and differs from the seller in name, identifier and legal registration."""
    if not sel(el, "ram:Name"):
        return (el,)
    for mine, seller in (("ram:Name", "../ram:SellerTradeParty/ram:Name"),
                         ("ram:ID", "../ram:SellerTradeParty/ram:ID"),
                         ("ram:SpecifiedLegalOrganization/ram:ID",
                          "../ram:SellerTradeParty/ram:SpecifiedLegalOrganization/ram:ID")):
        if set(texts(el, mine)) & set(texts(el, seller)):
            return (el,)
    return ()


def country_prefix(doc, el, ck):
    """The identifier starts with a country prefix of the profile's list (``arg``: the list name)."""
    value = string_value(el)
    return () if len(value) >= 2 and value[:2] in doc_codes(ck.arg) else (el,)


_CODES: dict[str, frozenset[str]] = {}


def doc_codes(name: str) -> frozenset[str]:
    return _CODES[name]


def set_codes(lists: dict[str, frozenset[str]]) -> None:
    _CODES.update(lists)


# --------------------------------------------------------------------------- VAT category counts

_LINE_TAX = "//ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax"
_HEAD_TAX = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax"
_AC_TAX = "//ram:CategoryTradeTax"
_LOG_TAX = "//ram:AppliedTradeTax"


def _with_code(nodes, code: str) -> list:
    return [n for n in nodes if any((c.text or "") == code if len(c) == 0 else string_value(c) == code
                                    for c in n.iterchildren(f"{RAM}CategoryCode"))]


def _detail_line_tax(root) -> list:
    """Line VAT of lines without a status or with status DETAIL (the EXTENDED sub-line groups excluded)."""
    out = []
    for s in sel(root, "//ram:SpecifiedLineTradeSettlement"):
        status = sel(s, "../ram:AssociatedDocumentLineDocument/ram:LineStatusReasonCode")
        if not status or any(string_value(x) == "DETAIL" for x in status):
            out.extend(s.iterchildren(f"{RAM}ApplicableTradeTax"))
    return out


def category_count(doc, el, ck):
    """How often a VAT category appears in the breakdown versus lines, allowances/charges (and logistics).

    ``kind``: ``several`` - a breakdown beside lines and beside allowances/charges of the
    category (counted together, at least two); ``one`` - none anywhere, or exactly one
    breakdown and the category used elsewhere; ``o`` - like ``one`` but lines may use it
    without a breakdown; ``ext`` - the EXTENDED form (detail lines only, logistics charges too,
    at least one breakdown).
    """
    a = ck.arg
    code, kind = a["code"], a["kind"]
    cache = doc.__dict__.setdefault("_fx_tax_nodes", {})
    key = id(el)
    nodes = cache.get(key)
    if nodes is None:
        nodes = cache[key] = {"line": sel(el, _LINE_TAX), "head": sel(el, _HEAD_TAX), "ac": sel(el, _AC_TAX),
                              "log": sel(el, _LOG_TAX), "detail": None}
    head = len(_with_code(nodes["head"], code))
    ac = len(_with_code(nodes["ac"], code))
    if kind == "ext":
        if nodes["detail"] is None:
            nodes["detail"] = _detail_line_tax(el)
        line = len(_with_code(nodes["detail"], code))
        log = len(_with_code(nodes["log"], code))
        ok = (head == 0 and line == 0 and ac == 0 and log == 0) or (head >= 1 and (line or ac or log))
        return () if ok else (el,)
    line = len(_with_code(nodes["line"], code))
    if kind == "several":
        ok = (line + head >= 2 or line == 0) and (ac + head >= 2 or ac == 0)
    elif kind == "one":
        ok = (head == 0 and line == 0 and ac == 0) or (head == 1 and (line or ac))
    else:  # "o"
        ok = head == 0 or (head == 1 and (line or ac))
    return () if ok else (el,)


def italy_only(doc, el, ck):
    """Category B (split payment) only where every country given is Italy."""
    codes = texts(el, "//ram:CategoryCode")
    if "B" not in codes:
        return ()
    return (el,) if any(c != "IT" for c in texts(el, "//ram:CountryID")) else ()


def b_without_s(doc, el, ck):
    """Category B (split payment) is not combined with category S."""
    codes = texts(el, "//ram:CategoryCode")
    return (el,) if "B" in codes and "S" in codes else ()


CUSTOMS = {
    "cond": cond,
    "any_filled": any_filled,
    "first_attr_filled": first_attr_filled,
    "num_or_absent": num_or_absent,
    "period_order": period_order,
    "payee_differs": payee_differs,
    "country_prefix": country_prefix,
    "category_count": category_count,
    "italy_only": italy_only,
    "b_without_s": b_without_s,
}


# --------------------------------------------------------------------------- VAT breakdown sums

_ROOT_TX = "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/"


def _boolean(text: str) -> bool:
    """xs:boolean cast of an untyped value."""
    t = text.strip()
    if t in ("true", "1"):
        return True
    if t in ("false", "0"):
        return False
    raise Undecidable(text)


def _one_norm(nodes: list) -> str:
    """normalize-space() of a path: "" when empty, a type error for several nodes."""
    if not nodes:
        return ""
    if len(nodes) > 1:
        raise Undecidable("several values")
    return normalize_space(string_value(nodes[0]))


def _children(els, tag: str) -> list:
    return [c for e in els for c in e.iterchildren(f"{RAM}{tag}")]


def _tax_match(taxes: list, code: str, rate: Decimal | None, exempt: tuple[str, str] | None) -> bool:
    """The VAT elements (as a group) have the category, one of them the rate, and (with ``exempt``)
    the same exemption reason code and text."""
    if not any(string_value(c) == code for c in _children(taxes, "CategoryCode")):
        return False
    if rate is not None and not any(dec(string_value(r)) == rate for r in _children(taxes, "RateApplicablePercent")):
        return False
    if exempt is not None:
        if _one_norm(_children(taxes, "ExemptionReasonCode")) != exempt[0]:
            return False
        if _one_norm(_children(taxes, "ExemptionReason")) != exempt[1]:
            return False
    return True


def _indicator_is(ac, value: bool) -> bool:
    return any(_boolean(string_value(i)) == value
               for i in sel(ac, "ram:ChargeIndicator/udt:Indicator"))


def _single_dec(nodes: list) -> list[Decimal]:
    """xs:decimal(path) inside a step: nothing for no node, a type error for several."""
    if not nodes:
        return []
    if len(nodes) > 1:
        raise Undecidable("several values")
    return [dec(string_value(nodes[0]))]


def _detail(item) -> bool:
    status = sel(item, "ram:AssociatedDocumentLineDocument/ram:LineStatusReasonCode")
    return not status or any(string_value(s) == "DETAIL" for s in status)


def _parts(doc, el, ck, rate, exempt):
    """(category sum, count) of lines, allowances, charges and logistics charges of the context's category."""
    a = ck.arg
    code, detail = a["code"], a.get("detail", False)
    items = sel(el, _ROOT_TX + "ram:IncludedSupplyChainTradeLineItem")
    if detail:
        items = [i for i in items if _detail(i)]
    line_sum, n_lines = Decimal(0), 0
    for item in items:
        settlements = list(item.iterchildren(f"{RAM}SpecifiedLineTradeSettlement"))
        for s in settlements:
            if _tax_match(list(s.iterchildren(f"{RAM}ApplicableTradeTax")), code, rate, exempt):
                for summ in s.iterchildren(f"{RAM}SpecifiedTradeSettlementLineMonetarySummation"):
                    for v in _single_dec(list(summ.iterchildren(f"{RAM}LineTotalAmount"))):
                        line_sum += v
        if _tax_match(_children(settlements, "ApplicableTradeTax"), code, rate, exempt):
            n_lines += 1
    allow, charge, n_ac = Decimal(0), Decimal(0), 0
    for ac in sel(el, _ROOT_TX + "ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeAllowanceCharge"):
        taxes = list(ac.iterchildren(f"{RAM}CategoryTradeTax"))
        if not _tax_match(taxes, code, rate, exempt):
            continue
        n_ac += 1
        amounts = _single_dec(list(ac.iterchildren(f"{RAM}ActualAmount")))
        if _indicator_is(ac, False):
            allow += sum(amounts, Decimal(0))
        if _indicator_is(ac, True):
            charge += sum(amounts, Decimal(0))
    log, n_log = Decimal(0), 0
    for lc in sel(el, _ROOT_TX + "ram:ApplicableHeaderTradeSettlement/ram:SpecifiedLogisticsServiceCharge"):
        if _tax_match(list(lc.iterchildren(f"{RAM}AppliedTradeTax")), code, rate, exempt):
            n_log += 1
            log += sum(_single_dec(list(lc.iterchildren(f"{RAM}AppliedAmount"))), Decimal(0))
    return round2_dec(line_sum), round2_dec(allow), round2_dec(charge), round2_dec(log), n_lines + n_ac + n_log


def _context_values(el, with_rate: bool):
    rate = None
    if with_rate:
        found = _single_dec(list(el.iterchildren(f"{RAM}RateApplicablePercent")))
        if not found:
            return None
        rate = found[0]
    exempt = (_one_norm(list(el.iterchildren(f"{RAM}ExemptionReasonCode"))),
              _one_norm(list(el.iterchildren(f"{RAM}ExemptionReason"))))
    basis = _single_dec(list(el.iterchildren(f"{RAM}BasisAmount")))
    if not basis:
        return None
    return rate, exempt, basis[0]


def breakdown_basis(doc, el, ck):
    """The taxable amount of a VAT breakdown (BT-116) is the sum of the lines, charges and logistics
    charges minus the allowances of its category (and rate), within 0.01 per item summed.

    ``variant``: ``exempt`` - items with the breakdown's exemption reason; ``all`` - every item of the
    category and rate; ``either`` - one of both holds. ``rate: false`` for category O (no rate).
    """
    a = ck.arg
    values = _context_values(el, a.get("rate", True))
    if values is None:
        return (el,)
    rate, exempt, basis = values
    variant = a["variant"]
    for ex in ((exempt,) if variant == "exempt" else (None,) if variant == "all" else (exempt, None)):
        lines, allow, charge, log, n = _parts(doc, el, ck, rate, ex)
        if abs(basis - lines + allow - charge - log) <= Decimal("0.01") * n:
            return ()
    return (el,)


def breakdown_vat(doc, el, ck):
    """The VAT amount of a breakdown (BT-117) is its taxable amount times its rate, rounded to two
    decimals, within 0.01 per item of its category and rate (with, or else without, its exemption reason)."""
    values = _context_values(el, True)
    if values is None:
        return (el,)
    rate, exempt, basis = values
    found = _single_dec(list(el.iterchildren(f"{RAM}CalculatedAmount")))
    if not found:
        return (el,)
    vat = found[0]
    expected = round2_dec(basis * rate / 100)
    for ex in (exempt, None):
        n = _parts(doc, el, ck, rate, ex)[4]
        if abs(vat - expected) <= Decimal("0.01") * n:
            return ()
    return (el,)


CUSTOMS["breakdown_basis"] = _guarded(breakdown_basis)
CUSTOMS["breakdown_vat"] = _guarded(breakdown_vat)
