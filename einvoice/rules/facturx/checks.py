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
from decimal import Decimal, InvalidOperation
from typing import Any

from ...syntax import namespaces as ns
from .. import values as V
from ..tree import _NONE as NONE, _per_document as _once, children, first_any, path_of, sel
from ..values import normalize_space, string_value

RAM = f"{{{ns.RAM}}}"


Undecidable = V.CastError  # a value the official XPath would stop on (a failed cast)

# --------------------------------------------------------------------------- values (einvoice.rules.values)

def same_double(a: float, b: float) -> bool:
    """An untyped value (as a double) = a number, as the official validator decides it."""
    return V.saxon_compare(a, "=", b)


_r2 = lambda x: V.round2_double(x, tens=True)  # noqa: E731 - round(x * 10 * 10) div 100, on a double


def equals_total(value: Any, total: float | int) -> bool:
    """An untyped value = a total computed by ``_r2``: against the integer of a sum of nothing,
    Saxon compares a value written as an integer as an integer ('-0' = 0 holds, '-0.00' = 0 does not)."""
    if isinstance(total, int):
        return V.compare_untyped(value, "=", total)
    return same_double(V.xs_double(value), total)


def texts(el: Any, path: str) -> list[str]:
    values = lambda: [string_value(n) for n in sel(el, path)]  # noqa: E731 (a path from the root: once per document)
    return _once(("fx-texts", path), values) if path[:1] == "/" else values()


def sum_dbl(values) -> float:
    """fn:sum over untyped values (doubles; integer 0 for none; a single value is itself, -0 included)."""
    total = None
    for t in values:
        v = V.xs_double(t)
        total = v if total is None else total + v
    return 0 if total is None else total


def _cached(key: tuple, compute) -> Any:
    """``compute()`` once per document and ``key`` in the tree's memo (a value the official XPath stops on, too)."""
    found = _once(key, lambda: _kept(compute))
    if isinstance(found, _STOPS):
        raise found
    return found


def _kept(compute) -> Any:
    try:
        return compute()
    except _STOPS as exc:
        return exc


_STOPS = (Undecidable, InvalidOperation, ZeroDivisionError, OverflowError)  # where the official XPath stops


def _guarded(fn):
    def run(doc, el, ck):
        found = _kept(lambda: fn(doc, el, ck))
        return () if isinstance(found, _STOPS) else found
    run.__name__ = fn.__name__
    run.__doc__ = fn.__doc__
    return run


# --------------------------------------------------------------------------- conditions

def _holds(doc, el: Any, expr: Any) -> bool:
    """A condition over paths: a path holds when it selects something; ``any``/``all``/``not``; ``positive``:
    ``number(path) > 0``. Paths from the document root (``/...``, ``//...``) are looked at once per document."""
    if isinstance(expr, str):
        return (_cached(("holds", expr), lambda: bool(sel(el, expr))) if expr.startswith("/")
                else first_any(el, path_of(expr)) is not NONE)  # (the first node found decides)
    if "any" in expr:
        return any(_holds(doc, el, e) for e in expr["any"])
    if "all" in expr:
        return all(_holds(doc, el, e) for e in expr["all"])
    if "not" in expr:
        return not _holds(doc, el, expr["not"])
    if "positive" in expr:  # number(path) > 0: false for NaN, no node and (where XPath stops) several nodes
        nodes = sel(el, expr["positive"])
        return len(nodes) == 1 and (V.double_or_none(nodes[0]) or 0) > 0
    raise ValueError(f"unknown condition {expr!r}")


def cond(doc, el, ck):
    """The condition ``arg`` must hold at the context."""
    return () if _holds(doc, el, ck.arg) else (el,)


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
    """Where ``path`` selects something, one of its values (as a number) is >= 0 (guarded: a value that is
    no number before one that is >= 0 stops the official test)."""
    found = sel(el, ck.arg["path"])
    return () if not found or any(V.compare_untyped(string_value(n), ">=", "0") for n in found) else (el,)


def period_order(doc, el, ck):
    """The end date (format 102) of a period is not before its start, compared as text as the official test does."""
    ends = texts(el, "ram:EndDateTime/udt:DateTimeString[@format = '102']")
    starts = texts(el, "ram:StartDateTime/udt:DateTimeString[@format = '102']")
    if any(e >= s for e in ends for s in starts):
        return ()
    return () if not sel(el, "ram:EndDateTime") or not sel(el, "ram:StartDateTime") else (el,)


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


def with_codes(lists: dict[str, frozenset[str]]) -> dict:
    """The checks that read one of a profile's code lists (``arg``: the list's name), bound to its lists."""

    def codelist(doc, el, ck):
        """The context's value (``.``) or attribute must be in the list (empty passes)."""
        if ck.text == ".":
            value = string_value(el)
        else:
            value = el.get(ck.text.lstrip("@"))
            if value is None:
                return ()
        return () if value == "" or value in lists[ck.arg] else ((el, {"value": value}),)

    def country_prefix(doc, el, ck):
        """The identifier starts with a country prefix of the list."""
        value = string_value(el)
        return () if len(value) >= 2 and value[:2] in lists[ck.arg] else (el,)

    def code_token(doc, el, ck):
        """The context's value (space-normalised) is one token of the list."""
        value = normalize_space(string_value(el))
        return () if value and " " not in value and value in lists[ck.arg] else (el,)

    return {"codelist": codelist, "country_prefix": country_prefix, "code_token": code_token}


# --------------------------------------------------------------------------- VAT category counts

def _with_code(nodes, code: str) -> list:
    return [n for n in nodes if any((c.text or "") == code if len(c) == 0 else string_value(c) == code
                                    for c in children(n, f"{RAM}CategoryCode"))]


def _detail_line_tax(root) -> list:
    """Line VAT of lines without a status or with status DETAIL (the EXTENDED sub-line groups excluded)."""
    return [t for s in sel(root, "//ram:SpecifiedLineTradeSettlement") if counted_line(s.getparent())
            for t in children(s, f"{RAM}ApplicableTradeTax")]


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
    nodes = _cached(("tax", id(el)), lambda: {
        "line": sel(el, "//ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax"),
        "head": sel(el, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax"),
        "ac": sel(el, "//ram:CategoryTradeTax"), "log": sel(el, "//ram:AppliedTradeTax"), "detail": None})
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


#: the checks by the name the profile tables give; those below the sums are guarded (see the end)
CUSTOMS = {fn.__name__: fn for fn in (cond, first_attr_filled, period_order, payee_differs,
                                      category_count, italy_only, b_without_s)}


# --------------------------------------------------------------------------- VAT breakdown sums

_ROOT_TX = "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/"
_LINES = _ROOT_TX + "ram:IncludedSupplyChainTradeLineItem"
_HEAD_AC = _ROOT_TX + "ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeAllowanceCharge"
_HEAD_LOG = _ROOT_TX + "ram:ApplicableHeaderTradeSettlement/ram:SpecifiedLogisticsServiceCharge"
_SUMMARY = _ROOT_TX + "ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
_LTA = "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount"


def _boolean(text: str) -> bool:
    """xs:boolean cast of an untyped value."""
    b = V.xs_boolean(text)
    if b is None:
        raise Undecidable(text)
    return b


def _one(nodes: list, convert, empty: Any = None) -> Any:
    """``convert`` of the value of a path where one value is expected: ``empty`` for no node, a type error
    for several."""
    if not nodes:
        return empty
    if len(nodes) > 1:
        raise Undecidable("several values")
    return convert(string_value(nodes[0]))


def _one_norm(nodes: list) -> str:
    """normalize-space() of a path: "" when empty, a type error for several nodes."""
    return _one(nodes, normalize_space, "")


def _children(els, tag: str) -> list:
    return [c for e in els for c in children(e, f"{RAM}{tag}")]


def _has_code(taxes: list, code: str) -> bool:
    return any(string_value(c) == code for c in _children(taxes, "CategoryCode"))


def _tax_match(taxes: list, code: str, rate: Decimal | None, exempt: tuple[str, str] | None) -> bool:
    """The VAT elements (as a group) have the category, one of them the rate, and (with ``exempt``)
    the same exemption reason code and text."""
    if not _has_code(taxes, code) or (rate is not None and not any(
            V.xs_decimal(string_value(r)) == rate for r in _children(taxes, "RateApplicablePercent"))):
        return False
    if exempt is None:
        return True
    # the two reason tests are operands of one 'and': a false one decides even where the other (several
    # reason codes on the element) would be a type error (values.all_of)
    return V.all_of(lambda: _one_norm(_children(taxes, "ExemptionReasonCode")) == exempt[0],
                    lambda: _one_norm(_children(taxes, "ExemptionReason")) == exempt[1])


def _indicator_is(ac, value: bool) -> bool:
    return any(_boolean(string_value(i)) == value for i in sel(ac, "ram:ChargeIndicator/udt:Indicator"))


def _single_dec(nodes: list) -> list[Decimal]:
    """xs:decimal(path) inside a step: nothing for no node, a type error for several."""
    return _one(nodes, lambda s: [V.xs_decimal(s)], [])


def counted_line(item) -> bool:
    """A line EXTENDED's sums count: no status, or DETAIL (not a GROUP line, which sums its sub-lines, nor INFORMATION)."""
    status = sel(item, "ram:AssociatedDocumentLineDocument/ram:LineStatusReasonCode")
    return not status or any(string_value(s) == "DETAIL" for s in status)


def _parts(doc, el, ck, rate, exempt):
    """(category sum, count) of lines, allowances, charges and logistics charges of the context's category
    (computed once per document and category, rate, exemption reason)."""
    key = (ck.arg["code"], ck.arg.get("detail", False), rate, exempt)
    return _cached(("parts", *key), lambda: _compute_parts(el, *key))


def _compute_parts(el, code, detail, rate, exempt):
    line_sum, n_lines = _line_sum(el, code, rate, detail, exempt), _n_lines(el, code, detail, rate, exempt)
    allow, charge, n_ac = Decimal(0), Decimal(0), 0
    for ac in _items(el, _HEAD_AC, code, rate):
        if not _tax_match(list(children(ac, f"{RAM}CategoryTradeTax")), code, rate, exempt):
            continue
        n_ac += 1
        amounts = _single_dec(list(children(ac, f"{RAM}ActualAmount")))
        if _indicator_is(ac, False):
            allow += sum(amounts, Decimal(0))
        if _indicator_is(ac, True):
            charge += sum(amounts, Decimal(0))
    log, n_log = Decimal(0), 0
    for lc in _items(el, _HEAD_LOG, code, rate):
        if _tax_match(list(children(lc, f"{RAM}AppliedTradeTax")), code, rate, exempt):
            n_log += 1
            log += sum(_single_dec(list(children(lc, f"{RAM}AppliedAmount"))), Decimal(0))
    return V.round2(line_sum), V.round2(allow), V.round2(charge), V.round2(log), n_lines + n_ac + n_log


def _context_values(el, with_rate: bool):
    """(rate, (exemption reason code, reason), taxable amount) of a breakdown; None without a rate (``with_rate``)
    or without a taxable amount."""
    rate = _one(list(children(el, f"{RAM}RateApplicablePercent")), V.xs_decimal) if with_rate else None
    if with_rate and rate is None:
        return None
    # the official validator reads only the first exemption reason (code) of the breakdown here
    exempt = (_one_norm(list(children(el, f"{RAM}ExemptionReasonCode"))[:1]),
              _one_norm(list(children(el, f"{RAM}ExemptionReason"))[:1]))
    basis = _one(list(children(el, f"{RAM}BasisAmount")), V.xs_decimal)
    return None if basis is None else (rate, exempt, basis)


def breakdown_basis(doc, el, ck):
    """The taxable amount of a VAT breakdown (BT-116) is the sum of the lines, charges and logistics
    charges minus the allowances of its category (and rate; category O has none), within 0.01 per item summed.

    ``variant``: ``exempt`` - items with the breakdown's exemption reason; ``all`` - every item of the
    category and rate; ``either`` - one of both holds.
    """
    a = ck.arg
    if sum(1 for _ in children(el, f"{RAM}TypeCode")) > 1:
        # the official context (upper-case of the breakdown's type code) cannot be evaluated on a breakdown
        # with several type codes, so the official validator does not look at it with these rules
        return ()
    values = _context_values(el, a["code"] != "O")
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
    vat = _one(list(children(el, f"{RAM}CalculatedAmount")), V.xs_decimal)
    if vat is None:
        return (el,)
    expected = V.round2(basis * rate / 100)
    for ex in (exempt, None):
        n = _parts(doc, el, ck, rate, ex)[4]
        if abs(vat - expected) <= Decimal("0.01") * n:
            return ()
    return (el,)


# --------------------------------------------------------------------------- category sums (BASIC, MINIMUM)

_TAXES = {_LINES: ("SpecifiedLineTradeSettlement", "ApplicableTradeTax"), _HEAD_AC: ("CategoryTradeTax",),
          _HEAD_LOG: ("AppliedTradeTax",)}


def _items(el, path: str, code: str, rate: Decimal | None) -> list:
    """The items of ``path`` (lines, allowances and charges, logistics charges) in document order whose VAT elements
    could pass :func:`_tax_match` for ``code`` and ``rate``: they have the code, and the rate or a rate that is no
    decimal (on which the exact test stops). The tests read only these: a document of many rates is one pass."""
    index = _cached(("by-tax", path), lambda: _tax_index(el, path))
    odd = index.get(("?", code), []) if rate is not None else []  # (with no rate asked, every item of the code)
    found = index.get((code, rate), [])
    return [item for _pos, item in sorted(found + odd, key=lambda t: t[0])] if odd else [item for _pos, item in found]


def _tax_index(el, path: str) -> dict:
    index: dict = {}
    for pos, item in enumerate(sel(el, path)):
        taxes = [item]
        for tag in _TAXES[path]:
            taxes = _children(taxes, tag)
        rates = [V.decimal_or_none(string_value(r)) for r in _children(taxes, "RateApplicablePercent")]
        for code in dict.fromkeys(string_value(c) for c in _children(taxes, "CategoryCode")):
            for key in {(code, None), *((code, r) if r is not None else ("?", code) for r in rates)}:
                index.setdefault(key, []).append((pos, item))
    return index


def _line_sum(el, code: str, rate: Decimal | None = None, detail: bool = False,
              exempt: tuple[str, str] | None = None) -> Decimal:
    """Sum of the line net amounts (decimal) of the (detail) lines whose settlement VAT has the category (and
    rate, exemption reason)."""
    total = Decimal(0)
    for item in _items(el, _LINES, code, rate):
        if detail and not counted_line(item):
            continue
        for s in children(item, f"{RAM}SpecifiedLineTradeSettlement"):
            if _tax_match(list(children(s, f"{RAM}ApplicableTradeTax")), code, rate, exempt):
                for summ in children(s, f"{RAM}SpecifiedTradeSettlementLineMonetarySummation"):
                    for v in _single_dec(list(children(summ, f"{RAM}LineTotalAmount"))):
                        total += v
    return total


def _n_lines(el, code: str, detail: bool, rate: Decimal | None = None, exempt: tuple[str, str] | None = None) -> int:
    """How many (detail) lines have the category (and rate, exemption reason) in their settlements' VAT together."""
    return sum(1 for item in _items(el, _LINES, code, rate) if (not detail or counted_line(item)) and _tax_match(
        _children(list(children(item, f"{RAM}SpecifiedLineTradeSettlement")), "ApplicableTradeTax"), code, rate, exempt))


def _indicator_cast(ac, value: bool) -> bool:
    """(ram:ChargeIndicator/udt:Indicator cast as xs:boolean) = value: one indicator at most."""
    return _one(sel(ac, "ram:ChargeIndicator/udt:Indicator"), _boolean) == value


def _ac_sum(el, code: str, charge: bool, rate: Decimal | None = None, first: bool = False,
            cast: bool = False) -> Decimal:
    """Sum of the document allowances (charge False) or charges of a category (and rate), decimal."""
    total = Decimal(0)
    for ac in _items(el, _HEAD_AC, code, rate):
        # the indicator and the VAT tests are operands of one 'and' (a false one decides, see _tax_match)
        if not V.all_of(lambda: _indicator_cast(ac, charge) if cast else _indicator_is(ac, charge),
                        lambda: _tax_match(list(children(ac, f"{RAM}CategoryTradeTax")), code, rate, None)):
            continue
        amounts = list(children(ac, f"{RAM}ActualAmount"))
        for v in _single_dec(amounts[:1] if first else amounts):
            total += v
    return total


def _category_total(doc, el, code: str, rate: Decimal | None = None, first: bool = False, cast: bool = False) -> float:
    """round2(lines) + round2(charges) - round2(allowances) of a category (and rate), as a double (once per document)."""
    return _cached(("category", code, rate, first, cast), lambda: float(
        V.round2(_line_sum(el, code, rate)) + V.round2(_ac_sum(el, code, True, rate, first, cast))
        - V.round2(_ac_sum(el, code, False, rate, first, cast))))


def category_basis_approx(doc, el, ck):
    """The breakdown's taxable amount is within one unit of its category's line amounts plus charges minus
    allowances (each sum rounded to two decimals): basis - 1 <= sum < basis + 1."""
    a = ck.arg
    code = a["code"]
    basis = _one(sel(el, "../ram:BasisAmount"), V.xs_double)  # an untyped value in arithmetic: a double
    if basis is None:
        return (el,)
    t = _category_total(doc, el, code, first=True, cast=a.get("cast", False))
    return () if basis - 1 <= t < basis + 1 else (el,)


def category_basis_per_rate(doc, el, ck):
    """For each rate of the breakdown, its taxable amount equals the lines plus charges minus allowances of its
    category and that rate (each sum rounded to two decimals)."""
    code = ck.arg["code"]
    base = sel(el, "..")
    if not base:
        return ()
    base = base[0]
    for r in sel(base, "ram:RateApplicablePercent"):
        t = _category_total(doc, el, code, V.xs_decimal(string_value(r)))
        if not any(same_double(V.xs_double(string_value(b)), t) for b in children(base, f"{RAM}BasisAmount")):
            return (el,)
    return ()


def category_basis_exact(doc, el, ck):
    """The breakdown's taxable amount equals its category's lines plus charges minus allowances (no rate)."""
    t = _category_total(doc, el, ck.arg["code"], first=True, cast=True)
    return () if any(same_double(V.xs_double(string_value(b)), t) for b in children(el, f"{RAM}BasisAmount")) else (el,)


def category_basis_tolerance(doc, el, ck):
    """The breakdown's taxable amount matches the detail lines, charges and logistics charges minus
    allowances of its category, within 0.01 per item of the category."""
    code = ck.arg["code"]
    basis = _single_dec(sel(el, "../ram:BasisAmount"))
    if not basis:
        return (el,)
    total, n = _cached(("tolerance", code), lambda: _category_items(el, code))
    return () if abs(basis[0] - total) <= Decimal("0.01") * n else (el,)


def _category_items(el, code: str) -> tuple[Decimal, int]:
    """(detail lines + charges + logistics charges - allowances of a category, each sum rounded; how many items)."""
    log, n_log = Decimal(0), 0
    for lc in sel(el, _HEAD_LOG):
        if _has_code(list(children(lc, f"{RAM}AppliedTradeTax")), code):
            n_log += 1
            for v in _single_dec(list(children(lc, f"{RAM}AppliedAmount"))):
                log += v
    total = V.round2(_line_sum(el, code, detail=True)) + V.round2(_ac_sum(el, code, True)) + V.round2(log)
    n_ac = sum(1 for ac in sel(el, _HEAD_AC) if _has_code(list(children(ac, f"{RAM}CategoryTradeTax")), code))
    return total - V.round2(_ac_sum(el, code, False)), _n_lines(el, code, True) + n_ac + n_log


def _vat_rate(el) -> Decimal | None:
    """The breakdown's (one) rate when its (one) type code is VAT (after upper-casing and space normalisation)."""
    if _one(list(children(el, f"{RAM}TypeCode")), lambda t: normalize_space(t.upper()), "") != "VAT":
        return None
    return _one(list(children(el, f"{RAM}RateApplicablePercent")), V.xs_decimal)


def breakdown_vat_rounded(doc, el, ck):
    """A breakdown's VAT amount is zero for a zero (or missing) rate, else within one unit of its taxable
    amount times its rate."""
    rate = V.attempt(lambda: _vat_rate(el))
    calc = V.attempt(lambda: _one(list(children(el, f"{RAM}CalculatedAmount")), V.xs_decimal))
    basis = V.attempt(lambda: _one(list(children(el, f"{RAM}BasisAmount")), V.xs_decimal))

    def rounded_is(v, zero: bool):
        if v is V.STOP:
            return V.STOP
        return v is not None and (V.round_decimal(v) == 0) is zero

    def near():
        if calc is None or basis is None or rate is None:  # an empty operand: the comparisons are false
            return False
        if calc is V.STOP or basis is V.STOP or rate is V.STOP:
            return V.STOP
        expected = V.round_decimal(abs(basis) * (rate / 100) * 100) / 100
        return abs(calc) - 1 <= expected and abs(calc) + 1 >= expected

    ok = V.xp_or(V.xp_and(rounded_is(rate, True), rounded_is(calc, True)),
                 V.xp_and(rounded_is(rate, False), near()),
                 V.xp_and(V.STOP if rate is V.STOP else rate is None, rounded_is(calc, True)))
    if ok is V.STOP:
        raise Undecidable("evaluation order")
    return () if ok else (el,)


def standard_vat_approx(doc, el, ck):
    """Category S: the VAT amount is within one unit (exclusive) of taxable amount times rate / 100, rounded."""
    calc = _single_dec(sel(el, "../ram:CalculatedAmount"))
    if not calc:  # the left side of '<' is empty: false, and Saxon does not read the right side (nor stop on its cast)
        return (el,)
    basis, rates = _single_dec(sel(el, "../ram:BasisAmount")), sel(el, "../ram:RateApplicablePercent")
    if not basis or not rates:
        return (el,)
    if len(rates) > 1:
        raise Undecidable("several rates")
    expected = V.round_double(float(abs(basis[0])) * V.xs_double(string_value(rates[0]))) / 100
    c = abs(calc[0])
    return () if float(c - 1) < expected and float(c + 1) > expected else (el,)


# --------------------------------------------------------------------------- document totals

def _dec_first(el, name: str) -> Decimal | None:
    """xs:decimal(ram:Name[1])."""
    for c in children(el, f"{RAM}{name}"):
        return V.xs_decimal(string_value(c))
    return None


def _has(el, name: str) -> bool:
    return next(el.iterchildren(f"{RAM}{name}"), None) is not None


def _ind_text(ac) -> list[str]:
    return [string_value(i) for i in sel(ac, "ram:ChargeIndicator/udt:Indicator")]


def _header_acs(el, indicator: str) -> list:
    return _once(("fx-acs", indicator), lambda: [ac for ac in sel(el, _HEAD_AC) if indicator in _ind_text(ac)])


def _amounts(acs: list) -> list:
    return [a for ac in acs for a in children(ac, f"{RAM}ActualAmount")]


def allowance_total(doc, el, ck):
    """The sum of allowances (BT-107) equals the document allowances summed (rounded to two decimals)."""
    acs = _header_acs(el, "false")
    totals = list(children(el, f"{RAM}AllowanceTotalAmount"))
    if not acs and not totals:
        return ()
    s = _cached(("allowances",), lambda: _r2(sum_dbl(map(string_value, _amounts(acs)))))
    return () if any(equals_total(string_value(t), s) for t in totals) else (el,)


def charge_total(doc, el, ck):
    """The sum of charges (BT-108) equals the document charges plus logistics charges (each sum rounded)."""
    acs = _header_acs(el, "true")
    if not acs and not _has(el, "ChargeTotalAmount"):
        return ()
    total = _cached(("charge total",), lambda: _one(sel(el, _SUMMARY + "/ram:ChargeTotalAmount"), V.xs_double))
    if total is None:
        return (el,)
    right = _cached(("charges",), lambda: _r2(_r2(sum_dbl(map(string_value, _amounts(acs))))
                                                         + _r2(sum_dbl(texts(el, _HEAD_LOG + "/ram:AppliedAmount")))))
    return () if _r2(total) == right else (el,)


def _total_is(name: str, total: str, first: str, minus: str, plus: str, rounded: bool):
    """The check ``name``: ``total`` = ``first`` - ``minus`` + ``plus`` (with ``rounded``, rounded to two decimals),
    left to right, an absent term left out: the official tests write one alternative per combination of present
    terms (a term read by :func:`_dec_first` is None only when absent)."""
    def check(doc, el, ck):
        t = _dec_first(el, total)  # without it no alternative holds: Saxon does not read the terms then
        f, m, p = (None,) * 3 if t is None else (_dec_first(el, n) for n in (first, minus, plus))
        if t is None or f is None:
            return (el,)
        expected = f if m is None else f - m
        expected = expected if p is None else expected + p
        return () if t == (V.round2(expected) if rounded else expected) else (el,)

    check.__name__ = name
    return check


# the invoice total without VAT (BT-109) is the line total minus allowances plus charges (rounded)
tax_basis_total = _total_is("tax_basis_total", "TaxBasisTotalAmount", "LineTotalAmount", "AllowanceTotalAmount",
                            "ChargeTotalAmount", rounded=True)
# the amount due (BT-115) is the total with VAT minus the paid amount plus the rounding amount
due_payable = _total_is("due_payable", "DuePayableAmount", "GrandTotalAmount", "TotalPrepaidAmount", "RoundingAmount",
                        rounded=False)


def grand_total(doc, el, ck):
    """For each invoice currency: the total with VAT (BT-112) is the total without VAT plus the one VAT total
    in that currency, or equals the total without VAT (of the document's first summation: once per document)."""
    return () if _cached(("grand total",), lambda: _grand_total(el)) else (el,)


def _grand_total(el) -> bool:
    summaries = sel(el, _SUMMARY)
    gta = [c for s in summaries for c in children(s, f"{RAM}GrandTotalAmount")]
    tbt = [c for s in summaries for c in children(s, f"{RAM}TaxBasisTotalAmount")]
    currencies = texts(el, _ROOT_TX + "ram:ApplicableHeaderTradeSettlement/ram:InvoiceCurrencyCode")
    if not currencies:
        return True
    g = V.xs_decimal(string_value(gta[0])) if gta else None
    taxes: dict[str, list] = {}  # the VAT totals (BT-110) per currency
    for c in (c for s in summaries for c in children(s, f"{RAM}TaxTotalAmount")):
        taxes.setdefault(c.get("currencyID"), []).append(c)
    for cur in dict.fromkeys(currencies):
        tta = taxes.get(cur, [])
        if len(tta) == 1 and g is not None and tbt:
            if g == V.round2(V.xs_decimal(string_value(tbt[0])) + V.xs_decimal(string_value(tta[0]))):
                continue
        if g is not None and tbt and g == V.xs_decimal(string_value(tbt[0])):
            continue
        return False
    return True


def line_total(doc, el, ck):
    """The sum of line net amounts (BT-106) is the sum of the lines' net amounts (rounded to two decimals)."""
    found = list(children(el, f"{RAM}LineTotalAmount"))
    total = sum_dbl(texts(el, "../../ram:IncludedSupplyChainTradeLineItem/" + _LTA))
    if not found:
        return (el,)
    if len(found) > 1:
        raise Undecidable("several totals")
    if math.isnan(total) or math.isinf(total):
        raise Undecidable("not a decimal")
    expected = V.round2(Decimal(total))  # the exact value of the double, as the official cast gives it
    return () if V.xs_decimal(string_value(found[0])) == expected else (el,)


def vat_total_rounded(doc, el, ck):
    """Some VAT total has the currency given by ``ref`` (``arg``: InvoiceCurrencyCode or TaxCurrencyCode) and
    two decimals at most, or has another currency (``if_no_ref_passes``: a VAT total passes when ``ref`` is absent)."""
    refs = texts(el, _ROOT_TX + "ram:ApplicableHeaderTradeSettlement/ram:" + ck.arg["ref"])
    totals = list(children(el, f"{RAM}TaxTotalAmount"))
    if not totals:
        return ()
    for t in totals:
        cur = t.get("currencyID")
        same = cur is not None and cur in refs
        if same:
            v = V.xs_double(string_value(t))
            if same_double(v, V.round2_double(v)):
                return ()
        if ck.arg.get("if_no_ref_passes"):
            if not refs:
                return ()
        elif not same:
            return ()
    return (el,)


def tax_currency_total(doc, el, ck):
    """With a VAT accounting currency (BT-6), a VAT total is given in it and it differs from the invoice currency."""
    tcc = texts(el, _ROOT_TX + "ram:ApplicableHeaderTradeSettlement/ram:TaxCurrencyCode")
    if not tcc:
        return ()
    icc = texts(el, _ROOT_TX + "ram:ApplicableHeaderTradeSettlement/ram:InvoiceCurrencyCode")
    curs = [t.get("currencyID") for t in children(el, f"{RAM}TaxTotalAmount") if t.get("currencyID") is not None]
    return () if set(curs) & set(tcc) and not set(tcc) & set(icc) else (el,)


def vat_total_sum(doc, el, ck):
    """The VAT total in the invoice currency equals the breakdown VAT amounts summed (rounded)."""
    s = _cached(("vat sum",), lambda: _r2(sum_dbl(texts(
        el, _ROOT_TX + "ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CalculatedAmount"))))
    return () if equals_total(string_value(el), s) else (el,)


# --------------------------------------------------------------------------- EXTENDED: sub-lines and totals

def _norm_path(el, path: str) -> str:
    return _one_norm(sel(el, path))


def parent_has_status(doc, el, ck):
    """A sub-line (with a parent line identifier) has a line status code."""
    if _norm_path(el, "ram:AssociatedDocumentLineDocument/ram:ParentLineID") == "":
        return ()
    return () if any(t != "" for t in texts(el, "ram:AssociatedDocumentLineDocument/ram:LineStatusReasonCode")) else (el,)


def parent_exists(doc, el, ck):
    """The parent line identifier of a sub-line is the identifier of some line."""
    parent = _norm_path(el, "ram:AssociatedDocumentLineDocument/ram:ParentLineID")
    ids = _cached(("line ids",), lambda: {normalize_space(string_value(i)) for i in sel(
        el, "//ram:IncludedSupplyChainTradeLineItem/ram:AssociatedDocumentLineDocument/ram:LineID")})
    return () if parent in ids else (el,)


def group_children_amounts(doc, el, ck):
    """Every GROUP sub-line of a group line has a net amount when the group line has one."""
    line_ids = texts(el, "ram:AssociatedDocumentLineDocument/ram:LineID")
    if not line_ids:
        return (el,)
    if len(line_ids) > 1:
        raise Undecidable("several line identifiers")
    subs = _cached(("group children",), lambda: _group_children(el)).get(line_ids[0], [])
    n_amounts = sum(len(sel(c, _LTA)) for c in subs)
    return () if len(subs) == n_amounts else (el,)


def _group_children(el) -> dict[str, list]:
    """Parent line identifier -> the GROUP sub-lines that name it (document order)."""
    out: dict[str, list] = {}
    for i in sel(el, _LINES):
        if "GROUP" in texts(i, "ram:AssociatedDocumentLineDocument/ram:LineStatusReasonCode"):
            for parent in dict.fromkeys(texts(i, "ram:AssociatedDocumentLineDocument/ram:ParentLineID")):
                out.setdefault(parent, []).append(i)
    return out


def _group_sums(root) -> bool:
    items = sel(root, "//ram:IncludedSupplyChainTradeLineItem")
    groups = [i for i in items if "GROUP" in texts(i, "ram:AssociatedDocumentLineDocument/ram:LineStatusReasonCode")
              and _norm_path(i, _LTA) != ""]
    if not groups:
        return True
    children: dict[str, list] = {}  # parent line identifier -> sub-lines (document order)
    for child in items:
        children.setdefault(_norm_path(child, "ram:AssociatedDocumentLineDocument/ram:ParentLineID"), []).append(child)
    for item in groups:
        own = V.number(_norm_path(item, _LTA))
        lid = _norm_path(item, "ram:AssociatedDocumentLineDocument/ram:LineID")
        total = 0.0
        for child in children.get(lid, ()):
            status = texts(child, "ram:AssociatedDocumentLineDocument/ram:LineStatusReasonCode")
            if "DETAIL" in status or "GROUP" in status:
                total += V.number(_norm_path(child, _LTA))
        if not own == V.round2_double(total):
            return False
    return True


def group_sums(doc, el, ck):
    """The net amount of each group line with an amount is the sum of its sub-lines' net amounts (once per document)."""
    root = el.getroottree().getroot()
    return () if _cached(("groups", id(root)), lambda: _group_sums(root)) else (el,)


def _detail_items(el) -> list:
    return [i for i in sel(el, "../../ram:IncludedSupplyChainTradeLineItem") if counted_line(i)]


def _detail_line_total(el) -> Decimal:
    return V.round2(_dec_sum(v for i in _detail_items(el) for v in sel(i, _LTA)))


def ext_line_total(doc, el, ck):
    """The sum of line net amounts (BT-106) matches the detail lines within 0.01 per line."""
    calc = _detail_line_total(el)
    total = _single_dec(list(children(el, f"{RAM}LineTotalAmount")))
    if not total:
        return (el,)
    n = len(sel(el, "../../ram:IncludedSupplyChainTradeLineItem"))
    return () if abs(total[0] - calc) <= Decimal("0.01") * n else (el,)


def _count_ind(el, value: str) -> int:
    return sum(1 for ac in sel(el, "../ram:SpecifiedTradeAllowanceCharge") if value in _ind_text(ac))


def _dec_sum(nodes) -> Decimal:
    return sum((V.xs_decimal(string_value(n)) for n in nodes), Decimal(0))


def _charges_and_log(el) -> Decimal:
    return V.round2(_dec_sum(_amounts(_header_acs(el, "true")))) + V.round2(_dec_sum(sel(el, _HEAD_LOG + "/ram:AppliedAmount")))


def _ext_total(name: str, total: str, indicator: str, calc, count):
    """The check ``name``: with document allowances (``indicator`` 'false') or charges ('true') or the ``total``,
    the ``total`` is ``calc(el)`` within 0.01 per item ``count(el)`` counts."""
    def check(doc, el, ck):
        if not _header_acs(el, indicator) and not _has(el, total):
            return ()
        expected = _cached((name,), lambda: calc(el))  # the document's allowances or charges: once
        found = _single_dec(list(children(el, f"{RAM}{total}")))
        if not found:
            return (el,)
        return () if abs(found[0] - expected) <= Decimal("0.01") * count(el) else (el,)

    check.__name__ = name
    return check


# the sum of allowances (BT-107): the document allowances (summed as doubles), within 0.01 per allowance
ext_allowance_total = _ext_total("ext_allowance_total", "AllowanceTotalAmount", "false",
                                 lambda el: Decimal(_r2(sum_dbl(map(string_value, _amounts(_header_acs(el, "false")))))),
                                 lambda el: _count_ind(el, "false"))
# the sum of charges (BT-108): the document charges and logistics charges, within 0.01 each
ext_charge_total = _ext_total("ext_charge_total", "ChargeTotalAmount", "true", _charges_and_log,
                              lambda el: _count_ind(el, "true") + len(sel(el, "../ram:SpecifiedLogisticsServiceCharge")))


def _n_items(el) -> int:
    """How many detail lines, allowances, charges and logistics charges the document has."""
    return (len(_detail_items(el)) + _count_ind(el, "false") + _count_ind(el, "true")
            + len(sel(el, "../ram:SpecifiedLogisticsServiceCharge")))


def ext_tax_basis_total(doc, el, ck):
    """The total without VAT (BT-109) is detail lines - allowances + charges, within 0.01 per item."""
    bt109 = _single_dec(list(children(el, f"{RAM}TaxBasisTotalAmount")))
    if not bt109:
        return (el,)
    lines = _detail_line_total(el)
    allowances = _cached(("allowances, decimal",), lambda: V.round2(_dec_sum(_amounts(_header_acs(el, "false")))))
    charges = _cached(("ext_charge_total",), lambda: _charges_and_log(el))
    return () if abs(bt109[0] - lines + allowances - charges) <= Decimal("0.01") * _n_items(el) else (el,)


def ext_grand_total(doc, el, ck):
    """The total with VAT (BT-112) is the total without VAT plus the VAT total in the invoice currency
    (within 0.01 per item), or equals the total without VAT when there is not exactly one such VAT total."""
    results = []
    for cur in texts(el, "../ram:InvoiceCurrencyCode"):
        bt109 = _single_dec(list(children(el, f"{RAM}TaxBasisTotalAmount")))
        if not bt109:
            continue
        vat = [t for t in children(el, f"{RAM}TaxTotalAmount") if t.get("currencyID") == cur]
        if len(vat) > 1:  # (xs:decimal of several VAT totals in the invoice currency: the official test stops there)
            return ((el, V.SEVERAL),)
        bt110 = _single_dec(vat)
        if not bt110:
            continue
        bt112 = _single_dec(list(children(el, f"{RAM}GrandTotalAmount")))
        if not bt112:
            continue
        ok = ((abs(bt112[0] - bt110[0] - bt109[0]) <= Decimal("0.01") * _n_items(el) and len(vat) == 1)
              or (bt109[0] == bt112[0] and len(vat) != 1))
        results.append(ok)
    if not results:
        return (el,)
    if len(results) > 1:
        raise Undecidable("several invoice currencies")
    return () if results[0] else (el,)


def ext_due_payable(doc, el, ck):
    """The amount due (BT-115) is total with VAT - paid + rounding + financial adjustments."""
    dpa = _single_dec(list(children(el, f"{RAM}DuePayableAmount")))
    if not dpa:
        return (el,)
    expected = (_dec_sum(children(el, f"{RAM}GrandTotalAmount")) - _dec_sum(children(el, f"{RAM}TotalPrepaidAmount"))
                + _dec_sum(children(el, f"{RAM}RoundingAmount"))
                + _dec_sum(sel(el, "../ram:SpecifiedFinancialAdjustment/ram:ActualAmount")))
    return () if dpa[0] == expected else (el,)


def delivery_date_de(doc, el, ck):
    """German domestic invoices give a delivery date, an invoicing period (header or every line) and
    delivery information."""
    has_date = bool(sel(el, "ram:ApplicableHeaderTradeDelivery/ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime"))
    lines = list(children(el, f"{RAM}IncludedSupplyChainTradeLineItem"))
    periods = (has_date or bool(sel(el, "ram:ApplicableHeaderTradeSettlement/ram:BillingSpecifiedPeriod"))
               or all(sel(line, "ram:SpecifiedLineTradeSettlement/ram:BillingSpecifiedPeriod") for line in lines))
    if not periods:
        return (el,)
    if has_date:
        return ()
    text = "".join(t for d in children(el, f"{RAM}ApplicableHeaderTradeDelivery") for t in d.itertext())
    return () if normalize_space(text) else (el,)


CUSTOMS.update((fn.__name__, _guarded(fn)) for fn in (
    num_or_absent, breakdown_basis, breakdown_vat,
    category_basis_approx, category_basis_per_rate, category_basis_exact, category_basis_tolerance,
    breakdown_vat_rounded, standard_vat_approx,
    allowance_total, charge_total, tax_basis_total, grand_total, due_payable, line_total,
    vat_total_rounded, tax_currency_total, vat_total_sum,
    parent_has_status, parent_exists, group_children_amounts, group_sums, ext_line_total,
    ext_allowance_total, ext_charge_total, ext_tax_basis_total, ext_grand_total, ext_due_payable, delivery_date_de))
