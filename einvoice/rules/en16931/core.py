"""EN 16931 core business rules: BR-01 ... BR-65, BR-CO-* and BR-DEC-*.

How the checks are organised
----------------------------
The official rule sets state each rule as an assertion on a *context* (an
element of the document) and evaluate it with XPath 2.0 on whatever the
document contains, fragments included. To agree with them exactly, a document
read from XML is checked on its tree, one syntax at a time:

* every context of the UBL or CII binding is visited once (a single pass over
  the tree collects the elements by name), all assertions of that context are
  evaluated, and the failures are cached on the document per rule id;
* each registered rule then only reads its own failures from that cache.

The XPath 2.0 details that decide verdicts are reproduced on purpose:
``normalize-space`` on the first node, ``xs:decimal`` casts (an impossible cast
makes the assertion fail), untyped comparisons cast to ``xs:double``, rounding
``round(x * 100) div 100`` with halves towards positive infinity, and the first
matching context wins within a pattern (CII header VAT breakdowns of category
L, M and O belong to the category rules, not to BR-45 ... BR-48).

The values themselves (string values, casts, rounding, dates) are read by
:mod:`einvoice.rules.values`. A model built in code (no tree) is written first
and checked on that tree (:func:`einvoice.rules.en16931.on_tree`).
"""

from __future__ import annotations

import functools
import math
import threading
from collections import defaultdict
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Iterable, Iterator

from lxml import etree

from ... import codelists
from ...basics import SharedXPath, Syntax, children_by_tag
from ...syntax import namespaces as NS
from .. import releases, values as V
from ..engine import SCHEMAS, load_yaml
from ..tree import Table, tag_index
from . import RULES, on_tree
from ...figures import explain as explain_amounts

# --------------------------------------------------------------------------- ids

#: every rule id this module serves: the rules of its metadata file, schemas/rules/en16931/core.yaml
#: (BR-34, BR-35, BR-39 and BR-40 are not defined in the binding rule sets)
CORE_IDS: tuple[str, ...] = tuple(load_yaml(SCHEMAS / "rules" / "en16931" / "core.yaml"))

@functools.cache
def _vat_prefixes(countries: str) -> str:
    """The country prefixes a VAT identifier may start with (BR-CO-09), as each binding lists them: the
    binding's country codes (``iso3166`` for UBL, ``iso3166-cii``) and EL (Greece), one string with a space
    at each end (the UBL check searches it for the identifier's first two characters as a substring)."""
    return codelists.joined(countries) + "EL "


# --------------------------------------------------------------------------- XPath 2.0 value semantics
# one reading of values for every rule set: einvoice.rules.values

_100 = Decimal(100)
_ZERO = Decimal(0)
sv = V.string_value
nsp = V.normalize_space
blank = V.blank
xdec = V.decimal_of
r2 = V.round2
dec_ok = V.decimal_places_ok


def ge0(el: Any) -> bool:
    """``x >= 0`` for an untyped x as Saxon decides it ('-0.00' is below zero, 'NaN' above it)."""
    return V.compare_untyped(el, ">=", "0")


def _dec_sum(elements: list) -> Decimal:
    """sum(xs:decimal(x) for x in elements), left to right; CastError when one is not a decimal."""
    return sum((V.xs_decimal(e) for e in elements), _ZERO)


def once(fn: Callable[[], Any]) -> Callable[[], Any]:
    """``fn``'s value, or the exception it raised, worked out at the first call only.

    For a document-wide value that a rule uses once per context: worked out per context,
    a document repeating the context was quadratic."""
    box: list = []

    def get() -> Any:
        if not box:
            try:
                box.append((fn(), None))
            except Exception as exc:  # raised again at every call, as the expression would
                box.append((None, exc))
        value, exc = box[0]
        if exc is not None:
            raise exc
        return value

    return get


def holds(fn: Callable[[], Any]) -> bool:
    """Evaluate an assertion; a failed cast means it does not hold.

    Arithmetic on an absent value (None, the empty sequence) raises TypeError
    here, where XPath yields the empty sequence and the comparison is false.
    """
    try:
        return bool(fn())
    except (V.CastError, InvalidOperation, ValueError, ArithmeticError, TypeError):
        return False


# --------------------------------------------------------------------------- tree helpers


class _Tags:
    """Clark-notation tag names of one namespace as attributes (CAC.InvoiceLine ...)."""

    def __init__(self, uri: str) -> None:
        self._prefix = "{%s}" % uri

    def __str__(self) -> str:  # the prefix, for paths: f"{CAC}Delivery/{CBC}ID"
        return self._prefix

    def __getattr__(self, local: str) -> str:
        tag = self._prefix + local
        setattr(self, local, tag)
        return tag


_local = threading.local()


@contextmanager
def children_kept() -> Iterator[None]:
    """The children of each element read by :func:`ck` / :func:`fk` kept by tag, meanwhile (a document's
    evaluation: its rules read the same elements' children again and again)."""
    outer = getattr(_local, "cache", None)
    _local.cache = {}
    try:
        yield
    finally:
        _local.cache = outer


def _children(el: Any) -> dict:
    cache = getattr(_local, "cache", None)
    if cache is None:
        return children_by_tag(el)
    m = cache.get(el)
    if m is None:
        m = cache[el] = children_by_tag(el)
    return m


def ck(el: Any, tag: str) -> list:
    """The children of an element with a tag (document order)."""
    return _children(el).get(tag, [])


def fk(el: Any, tag: str) -> Any:
    """The first child of an element with a tag, or None."""
    lst = _children(el).get(tag)
    return lst[0] if lst else None


def kids(el: Any, *path: str) -> list:
    """Every element at a child path, in document order."""
    nodes = [] if el is None else [el]
    for tag in path:
        nodes = [c for n in nodes for c in ck(n, tag)]
    return nodes


class _Failures:
    """Failures per rule id, and the exception of any context that could not be evaluated."""

    __slots__ = ("by_rule", "errors")

    def __init__(self) -> None:
        self.by_rule: dict[str, list] = defaultdict(list)
        self.errors: dict[str, Exception] = {}

    def check(self, rid: str, ok: bool, target: Any) -> None:
        if not ok:
            self.by_rule[rid].append(target)

    def guard(self, ids: Iterable[str], fn: Callable[[], None]) -> None:
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 - reported by the rules of that context
            for rid in ids:
                self.errors.setdefault(rid, exc)


# =========================================================================== UBL

CAC = _Tags(NS.CAC)
CBC = _Tags(NS.CBC)


_UBL_ROOTS = ("{%s}Invoice" % NS.UBL_INVOICE, "{%s}CreditNote" % NS.UBL_CREDIT_NOTE)
_UBL_LINES = (CAC.InvoiceLine, CAC.CreditNoteLine)

_UBL_XP = dict(NS.UBL_NS)

# An invoice line that may fail BR-27 or BR-28 (the other line rules are structure rows:
# schemas/structure/en16931-core-ubl.yaml). Generous on purpose: a price passes this filter only when it is
# plain digits and points (after XML whitespace) and XPath 1.0's number() reads it as at least 0; anything
# else ('1e', which number() reads as 1 where the exact cast fails, a sign, an exponent) is decided by the
# exact checks, so a clean document costs one XPath evaluation (the same in CII).
_PLAIN = "[translate(normalize-space(.), '0123456789.', '') = ''][number(.) >= 0]"
_UBL_LINE_PRED = (f"not(cac:Price/cbc:PriceAmount{_PLAIN}) or (cac:Price/cac:AllowanceCharge/cbc:BaseAmount"
                  f" and not(cac:Price/cac:AllowanceCharge/cbc:BaseAmount{_PLAIN}))")
_UBL_LINE_SUSPECTS = {  # (tag, the lines are all children of the root) -> the suspect lines of that tag
    (tag, top): SharedXPath(f"{'' if top else 'descendant-or-self::'}cac:{tag}[{_UBL_LINE_PRED}]", _UBL_XP)
    for tag in ("InvoiceLine", "CreditNoteLine") for top in (True, False)
}


def _ubl_is_vat(tax_category: Any) -> bool:
    """cac:TaxScheme/normalize-space(upper-case(cbc:ID)) = 'VAT' for some TaxScheme."""
    return any(nsp(sv(fk(scheme, CBC.ID)).upper()) == "VAT" for scheme in ck(tax_category, CAC.TaxScheme))


def _ubl_indicator(ac: Any) -> set:
    """The boolean values cbc:ChargeIndicator takes (a general comparison is true if any matches)."""
    return {V.xs_boolean(ci) for ci in ck(ac, CBC.ChargeIndicator)}


def _ubl_failures(root: Any, index: dict, rel: Any) -> _Failures:
    f = _Failures()
    ok = f.check
    idx = defaultdict(list, index)  # the document's elements by name (a copy: a name it lacks gives [])
    is_root = root.tag in _UBL_ROOTS

    # -- the invoice itself ------------------------------------------------------
    def root_rules() -> None:
        if not is_root:
            return
        r = root
        for rid, role in (("BR-08", CAC.AccountingSupplierParty), ("BR-10", CAC.AccountingCustomerParty)):
            parties = kids(r, role, CAC.Party)  # reported on the first party, else on the invoice
            ok(rid, bool(kids(r, role, CAC.Party, CAC.PostalAddress)), parties[0] if parties else r)
        tax_amounts = [ta for tt in idx[CAC.TaxTotal] for ta in ck(tt, CBC.TaxAmount)]
        for tc in ck(r, CBC.TaxCurrencyCode):
            cur = sv(tc)
            ok("BR-53", any(ta.get("currencyID") == cur for ta in tax_amounts), tc)
        lmt = fk(r, CAC.LegalMonetaryTotal)
        for dcc in ck(r, CBC.DocumentCurrencyCode):
            cur = sv(dcc)

            def co15(cur: str = cur) -> bool:
                amounts = [xdec(ta) for tt in ck(r, CAC.TaxTotal) for ta in ck(tt, CBC.TaxAmount)
                           if ta.get("currencyID") == cur]
                if len(amounts) != 1:
                    return False
                incl = [xdec(e) for e in kids(r, CAC.LegalMonetaryTotal, CBC.TaxInclusiveAmount)]  # every total's
                excl = [xdec(e) for e in kids(r, CAC.LegalMonetaryTotal, CBC.TaxExclusiveAmount)]
                if len(excl) != 1:
                    return False
                expected = r2(excl[0] + amounts[0])
                return any(v == expected for v in incl)

            ok("BR-CO-15", holds(co15), lmt if lmt is not None else r)

    # BR-DEC-13 and BR-DEC-15 are not checked in UBL: the UBL binding compares the currency of
    # cbc:TaxAmount with a child of cbc:TaxAmount itself, so its assertions can never fail.
    f.guard(("BR-08", "BR-10", "BR-53", "BR-CO-15"), root_rules)

    def amount_due_terms() -> None:  # BR-CO-25: EN 16931 1.3.15 (gone in 1.3.16), an invoice's rule (not a credit note's)
        if root.tag != _UBL_ROOTS[0] or not rel.param("br_co_25"):  # (the run's release has the rule)
            return
        termed = bool(idx[CBC.DueDate]) or any(n.getparent().tag == CAC.PaymentTerms for n in idx[CBC.Note])
        for t in kids(root, CAC.LegalMonetaryTotal, CBC.PayableAmount):  # ((. > 0) and termed) or (. <= 0)
            try:  # (a cast that fails, FORG0001: the official validator stops)
                ok("BR-CO-25", bool(V.compare_untyped(t, ">", "0") and termed or V.compare_untyped(t, "<=", "0")), t)
            except (V.CastError, InvalidOperation, ValueError, ArithmeticError, TypeError):
                ok("BR-CO-25", False, (t, {"stops": f"it reads the amount due (BT-115), {' '.join(V.string_value(t).split())[:80]!r}, as a number, and it is none",
                                            "fix": "Write the amount due (BT-115) as a number, '.' for decimals."}))

    f.guard(("BR-CO-25",), amount_due_terms)

    # -- document totals ------------------------------------------------------------
    def totals() -> None:
        if not idx[CAC.LegalMonetaryTotal]:
            return
        line_amounts = [e for tag in _UBL_LINES for e in idx[CBC.LineExtensionAmount]  # descendant-or-self::<line>/
                        if getattr(e.getparent(), "tag", None) == tag]  # cbc:LineExtensionAmount, by the index
        for t in idx[CAC.LegalMonetaryTotal]:
            lea, ata, cta = fk(t, CBC.LineExtensionAmount), fk(t, CBC.AllowanceTotalAmount), fk(t, CBC.ChargeTotalAmount)
            tea, tia = fk(t, CBC.TaxExclusiveAmount), fk(t, CBC.TaxInclusiveAmount)
            pre, rnd, pay = fk(t, CBC.PrepaidAmount), fk(t, CBC.PayableRoundingAmount), fk(t, CBC.PayableAmount)
            ok("BR-CO-10", holds(lambda: xdec(lea) == r2(_dec_sum(line_amounts))), t)
            parent = t.getparent()
            sibling_acs = list(ck(parent, CAC.AllowanceCharge)) if parent is not None else []
            for rid, flag, total in (("BR-CO-11", False, ata), ("BR-CO-12", True, cta)):
                acs = [ac for ac in sibling_acs if flag in _ubl_indicator(ac)]
                ok(rid, holds(lambda acs=acs, total=total: xdec(total) == r2(sum((xdec(a) for ac in acs for a in ck(ac, CBC.Amount)), _ZERO)))
                   or (total is None and not acs), t)

            def co13() -> bool:
                if cta is not None and ata is not None:
                    return xdec(tea) == r2(xdec(lea) + xdec(cta) - xdec(ata))
                if ata is not None:
                    return xdec(tea) == r2(xdec(lea) - xdec(ata))
                if cta is not None:
                    return xdec(tea) == r2(xdec(lea) + xdec(cta))
                return xdec(tea) == xdec(lea) and xdec(tea) is not None

            ok("BR-CO-13", holds(co13), t)

            def co16() -> bool:
                payable, incl = xdec(pay), xdec(tia)
                if payable is None or incl is None:
                    return False
                if pre is not None and rnd is None:
                    return payable == r2(incl - xdec(pre))
                if pre is None and rnd is None:
                    return payable == incl
                if pre is not None:
                    return r2(payable - xdec(rnd)) == r2(incl - xdec(pre))
                return r2(payable - xdec(rnd)) == incl

            ok("BR-CO-16", holds(co16), t)
            for rid, el in (("BR-DEC-09", lea), ("BR-DEC-10", ata), ("BR-DEC-11", cta), ("BR-DEC-12", tea),
                            ("BR-DEC-14", tia), ("BR-DEC-16", pre), ("BR-DEC-17", rnd), ("BR-DEC-18", pay)):
                ok(rid, dec_ok(el), el if el is not None else t)

    f.guard(("BR-CO-10", "BR-CO-11", "BR-CO-12", "BR-CO-13", "BR-CO-16", "BR-DEC-09", "BR-DEC-10", "BR-DEC-11", "BR-DEC-12", "BR-DEC-14", "BR-DEC-16", "BR-DEC-17", "BR-DEC-18"), totals)

    # -- invoice lines ----------------------------------------------------------------
    def lines() -> None:
        # only the lines the (generous) XPath pre-check finds suspicious can fail a rule
        suspects: list = []
        for tag, local in ((CAC.InvoiceLine, "InvoiceLine"), (CAC.CreditNoteLine, "CreditNoteLine")):
            found = idx[tag]
            if found:
                top = len(found) == len(ck(root, tag))  # all of them children of the root
                suspects += _UBL_LINE_SUSPECTS[local, top](root)
        for ln in suspects:
            prices = kids(ln, CAC.Price, CBC.PriceAmount)
            ok("BR-27", any(holds(lambda p=p: ge0(p)) for p in prices), ln)
            bases = kids(ln, CAC.Price, CAC.AllowanceCharge, CBC.BaseAmount)
            ok("BR-28", not bases or any(holds(lambda b=b: ge0(b)) for b in bases), ln)

    f.guard(("BR-27", "BR-28"), lines)

    # -- periods ----------------------------------------------------------------------
    def periods() -> None:
        for p in idx[CAC.InvoicePeriod]:
            parent = p.getparent()
            on_line = parent is not None and parent.tag in _UBL_LINES
            start, end = fk(p, CBC.StartDate), fk(p, CBC.EndDate)
            order = start is None or end is None or holds(lambda: V.xs_date(end, True) >= V.xs_date(start, True))
            ok("BR-30" if on_line else "BR-29", order, p)

    f.guard(("BR-29", "BR-30"), periods)

    # -- parties ------------------------------------------------------------------------
    # -- VAT identifiers, card numbers ------------------------------------------------------
    def misc() -> None:
        for pts in idx[CAC.PartyTaxScheme]:
            if _ubl_is_vat(pts):
                prefix = sv(fk(pts, CBC.CompanyID))[:2]
                ok("BR-CO-09", prefix in _vat_prefixes("iso3166"), pts)
        for pm in idx[CAC.PaymentMeans]:
            for pan in kids(pm, CAC.CardAccount, CBC.PrimaryAccountNumberID):
                ok("BR-51", len(nsp(sv(pan))) <= 10, pan)

    f.guard(("BR-CO-09", "BR-51"), misc)

    # -- VAT totals and breakdown -------------------------------------------------------------
    def vat() -> None:
        for tt in idx[CAC.TaxTotal]:
            parent = tt.getparent()
            subs = list(ck(tt, CAC.TaxSubtotal))
            if parent is root and is_root:
                ok("BR-CO-14", not subs or holds(lambda: xdec(fk(tt, CBC.TaxAmount)) == r2(
                    sum((xdec(a) for s in subs for a in ck(s, CBC.TaxAmount)), _ZERO))), tt)
            for st in subs:
                taxable, tax = fk(st, CBC.TaxableAmount), fk(st, CBC.TaxAmount)
                ok("BR-CO-17", holds(lambda: _ubl_co17(st, taxable, tax)), st)

    f.guard(("BR-CO-14", "BR-CO-17"), vat)
    return f


def _co17(rate: Decimal | None, taxable_el: Any, tax: Decimal | None, inclusive: bool) -> bool:
    """The VAT of a breakdown is its taxable amount times its rate, give or take one unit (the taxable amount
    is read only where the rate is not zero: officially, a zero rate decides without casting it)."""
    if tax is None:
        return False
    if rate is None:
        return V.round_decimal(tax) == 0
    if V.round_decimal(rate) == 0:
        return V.round_decimal(tax) == 0
    taxable = xdec(taxable_el)
    if taxable is None:
        return False
    expected = r2(abs(taxable) * (rate / _100))
    if inclusive:
        return abs(tax) - 1 <= expected <= abs(tax) + 1
    return abs(tax) - 1 < expected < abs(tax) + 1


def _ubl_co17(subtotal: Any, taxable: Any, tax: Any) -> bool:
    """BR-CO-17 on a breakdown: the rate of its VAT category (at most one)."""
    rates = [xdec(p) for c in ck(subtotal, CAC.TaxCategory) if _ubl_is_vat(c) for p in ck(c, CBC.Percent)]
    if len(rates) > 1:
        raise V.CastError("several rates")
    return _co17(rates[0] if rates else None, taxable, xdec(tax), inclusive=False)


# =========================================================================== CII

RAM = _Tags(NS.RAM)
RSM = _Tags(NS.RSM)
UDT = _Tags(NS.UDT)


_CII_ROOT = RSM.CrossIndustryInvoice


def _upper_type_is_vat(el: Any, normalize: bool = False) -> bool:
    """upper-case(ram:TypeCode) = 'VAT' (the first TypeCode)."""
    v = sv(fk(el, RAM.TypeCode)).upper()
    return (nsp(v) if normalize else v) == "VAT"


def _cii_indicator(ac: Any) -> set:
    """The boolean values ram:ChargeIndicator/udt:Indicator takes (None for a value that is none)."""
    return {V.xs_boolean(i) for ci in ck(ac, RAM.ChargeIndicator) for i in ck(ci, UDT.Indicator)}


_CII_XP = dict(NS.CII_NS)

# A line item that may fail BR-27 or BR-28, as in UBL.
_CII_PRICE = "ram:SpecifiedLineTradeAgreement/ram:{}PriceProductTradePrice/ram:ChargeAmount"
_CII_LINE_PRED = (f"not({_CII_PRICE.format('Net')}{_PLAIN})"
                  f" or ({_CII_PRICE.format('Gross')} and not({_CII_PRICE.format('Gross')}{_PLAIN}))")
_CII_LINE_SUSPECTS = SharedXPath(f"descendant-or-self::ram:IncludedSupplyChainTradeLineItem[{_CII_LINE_PRED}]",
                                 namespaces=_CII_XP)
_CII_LINE_TOTALS = SharedXPath("ram:IncludedSupplyChainTradeLineItem/ram:SpecifiedLineTradeSettlement"
                               "/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount",
                               namespaces=_CII_XP)


_CII_PERIOD_RULES = {RAM.SpecifiedLineTradeSettlement: "BR-30", RAM.ApplicableHeaderTradeSettlement: "BR-29"}


def _cii_failures(root: Any, index: dict, rel: Any) -> _Failures:
    f = _Failures()
    ok = f.check
    idx = defaultdict(list, index)
    is_root = root.tag == _CII_ROOT
    # absolute paths from the root (every node of each step)
    abs_settlements = kids(root, RSM.SupplyChainTradeTransaction, RAM.ApplicableHeaderTradeSettlement) if is_root else []
    inv_currencies = [sv(e) for s in abs_settlements for e in ck(s, RAM.InvoiceCurrencyCode)]
    tax_currencies = [sv(e) for s in abs_settlements for e in ck(s, RAM.TaxCurrencyCode)]

    def root_rules() -> None:
        if not is_root:
            return
        r = root
        sellers = kids(r, RSM.SupplyChainTradeTransaction, RAM.ApplicableHeaderTradeAgreement, RAM.SellerTradeParty)
        buyers = kids(r, RSM.SupplyChainTradeTransaction, RAM.ApplicableHeaderTradeAgreement, RAM.BuyerTradeParty)
        for parties, name_rule, addr_rule, country_rule, uri_rule in ((sellers, "BR-06", "BR-08", "BR-09", "BR-62"),
                                                                       (buyers, "BR-07", "BR-10", "BR-11", "BR-63")):
            target = parties[0] if parties else r
            names = [n for p in parties for n in ck(p, RAM.Name)]
            ok(name_rule, not blank(names[0] if names else None), target)
            addrs = [a for p in parties for a in ck(p, RAM.PostalTradeAddress)]
            ok(addr_rule, bool(addrs), target)
            countries = [c for a in addrs for c in ck(a, RAM.CountryID)]
            ok(country_rule, not blank(countries[0] if countries else None), target)
            uris = [u for p in parties for u in ck(p, RAM.URIUniversalCommunication)]
            # ram:URIUniversalCommunication[1] is the first of each party; the first node in document order counts
            first_uris = [fk(p, RAM.URIUniversalCommunication) for p in parties]
            scheme = V.attribute_of((i for u in first_uris if u is not None for i in ck(u, RAM.URIID)), "schemeID")
            ok(uri_rule, scheme != "" or not uris, target)

        summations = [m for s in abs_settlements for m in ck(s, RAM.SpecifiedTradeSettlementHeaderMonetarySummation)]
        # the same for every currency: gathered once (per currency, 2,000 stated currencies were quadratic)
        tax_by_currency: dict = {}
        for t in (t for m in summations for t in ck(m, RAM.TaxTotalAmount)):
            tax_by_currency.setdefault(t.get("currencyID"), []).append(t)
        grand = [g for m in summations for g in ck(m, RAM.GrandTotalAmount)]
        basis = [b for m in summations for b in ck(m, RAM.TaxBasisTotalAmount)]
        for cur in inv_currencies:
            def co15(cur: str = cur) -> bool:
                tax = tax_by_currency.get(cur, ())
                g = xdec(grand[0]) if grand else None
                b = xdec(basis[0]) if basis else None
                if g is not None and b is not None and g == b:  # the official "or" holds on this operand alone,
                    return True  # even where the other stops at the VAT total's cast (Saxon reads it first)
                return len(tax) == 1 and g is not None and b is not None and g == r2(b + xdec(tax[0]))

            ok("BR-CO-15", holds(co15), summations[0] if summations else r)

    f.guard(("BR-06", "BR-07", "BR-08", "BR-09", "BR-10", "BR-11", "BR-62", "BR-63", "BR-CO-15"), root_rules)

    def amount_due_terms() -> None:  # BR-CO-25: EN 16931 1.3.15 (gone in 1.3.16), on every CII document
        if not is_root or not rel.param("br_co_25"):
            return
        # (number(//ram:DuePayableAmount) > 0 and (terms' due date or description)) or not(number(...) > 0):
        # number() of the first amount in document order, NaN (not > 0) when there is none or it is no number
        due = idx[RAM.DuePayableAmount]
        if len(due) > 1:  # number() of several amounts: a type error, the official validator stops (it does not hold)
            ok("BR-CO-25", False, (root, {"stops": "it reads the amount due (BT-115) as one number, and the document "
                                                   "states it more than once (state it once)",
                                          "fix": "State the amount due (BT-115) once."}))
        elif due and V.number(due[0]) > 0:
            termed = any(getattr(e.getparent(), "tag", None) == RAM.SpecifiedTradePaymentTerms
                         for tag in (RAM.DueDateDateTime, RAM.Description) for e in idx[tag])
            ok("BR-CO-25", termed, root)

    f.guard(("BR-CO-25",), amount_due_terms)

    def totals() -> None:
        header_acs = [ac for s in abs_settlements for ac in ck(s, RAM.SpecifiedTradeAllowanceCharge)]

        header_tax_amounts = [c for s in abs_settlements for t in ck(s, RAM.ApplicableTradeTax)
                              for c in ck(t, RAM.CalculatedAmount)]
        # the same for every tax total: summed once (per total it was quadratic)
        header_tax_sum = once(lambda: V.round2_double(V.double_sum(V.xs_double(c) for c in header_tax_amounts), tens=True))
        # BR-CO-11/12: the document's allowances (charges) and their sum, the same for every summation
        chosen_by_flag = {flag: [ac for ac in header_acs if flag in _cii_indicator(ac)] for flag in (False, True)}
        chosen_sum = {flag: once(lambda chosen=chosen: V.round2_double(V.double_sum(
            V.xs_double(sv(a[0])) for a in (list(ck(ac, RAM.ActualAmount)) for ac in chosen) if a), tens=True))
            for flag, chosen in chosen_by_flag.items()}
        line_totals_of: dict = {}  # per transaction: many summations under one transaction read its lines once
        for m in idx[RAM.SpecifiedTradeSettlementHeaderMonetarySummation]:
            lta, ata, cta, tba, gta, dpa, tpa, rda = (fk(m, getattr(RAM, local)) for local in (
                "LineTotalAmount", "AllowanceTotalAmount", "ChargeTotalAmount", "TaxBasisTotalAmount",
                "GrandTotalAmount", "DuePayableAmount", "TotalPrepaidAmount", "RoundingAmount"))
            ttas = list(ck(m, RAM.TaxTotalAmount))
            ok("BR-53", not tax_currencies or (
                any(t.get("currencyID") == c for t in ttas for c in tax_currencies)
                and not any(tc == ic for tc in tax_currencies for ic in inv_currencies)), m)
            sctt_ = m.getparent().getparent() if m.getparent() is not None else None
            if sctt_ is not None and sctt_ not in line_totals_of:
                line_totals_of[sctt_] = _CII_LINE_TOTALS(sctt_)
            line_totals = line_totals_of.get(sctt_, [])

            def co10() -> bool:
                total = V.double_sum(V.xs_double(sv(e)) for e in line_totals)
                s = Decimal(total) if math.isfinite(total) else None  # (xs:decimal of a double: its exact value)
                if s is None or len(list(ck(m, RAM.LineTotalAmount))) > 1:
                    return False
                return xdec(lta) == V.round_decimal(s * _100) / _100

            ok("BR-CO-10", holds(co10), m)
            for rid, flag, local in (("BR-CO-11", False, "AllowanceTotalAmount"), ("BR-CO-12", True, "ChargeTotalAmount")):
                chosen = chosen_by_flag[flag]
                totals_ = list(ck(m, getattr(RAM, local)))

                def co11(flag: bool = flag, totals_: list = totals_) -> bool:
                    expected = chosen_sum[flag]()
                    return any(V.compare_untyped(t, "=", expected) for t in totals_)

                ok(rid, (not chosen and not totals_) or holds(co11), m)

            def co13() -> bool:
                tb, lt, al, ch = xdec(tba), xdec(lta), xdec(ata), xdec(cta)
                cands = []
                if lt is not None and al is not None and ch is not None:
                    cands.append(r2(lt - al + ch))
                if lt is not None and al is not None and cta is None:
                    cands.append(r2(lt - al))
                if lt is not None and ch is not None and ata is None:
                    cands.append(r2(lt + ch))
                if lt is not None and cta is None and ata is None:
                    cands.append(r2(lt))
                return tb is not None and tb in cands

            ok("BR-CO-13", holds(co13), m)

            def co16() -> bool:
                dp, gt, tp, rd = xdec(dpa), xdec(gta), xdec(tpa), xdec(rda)
                if dp is None or gt is None:
                    return False
                if tp is not None and rd is not None and dp == gt - tp + rd:
                    return True
                if rd is not None and tpa is None and dp == gt + rd:
                    return True
                if tp is not None and rda is None and dp == gt - tp:
                    return True
                return tpa is None and rda is None and dp == gt

            ok("BR-CO-16", holds(co16), m)
            for rid, el in (("BR-DEC-09", lta), ("BR-DEC-10", ata), ("BR-DEC-11", cta), ("BR-DEC-12", tba),
                            ("BR-DEC-14", gta), ("BR-DEC-16", tpa), ("BR-DEC-17", rda), ("BR-DEC-18", dpa)):
                ok(rid, dec_ok(el), el if el is not None else m)

            def two_places(t: Any) -> bool:  # x = round(x * 100) div 100, x untyped (Saxon's order)
                return V.compare_untyped(t, "=", V.round2_double(V.xs_double(t)))

            ok("BR-DEC-13", not ttas or any(
                (t.get("currencyID") in inv_currencies and holds(lambda t=t: two_places(t))) or t.get("currencyID") not in inv_currencies
                for t in ttas), m)
            ok("BR-DEC-15", not ttas or any(
                (t.get("currencyID") in tax_currencies and holds(lambda t=t: two_places(t))) or not tax_currencies
                for t in ttas), m)
            for t in ttas:
                if t.get("currencyID") in inv_currencies:
                    ok("BR-CO-14", holds(lambda t=t, s=header_tax_sum: V.compare_untyped(t, "=", s())), t)  # (s: no cycle compiled)

    f.guard(("BR-53", "BR-CO-10", "BR-CO-11", "BR-CO-12", "BR-CO-13", "BR-CO-14", "BR-CO-16", "BR-DEC-09", "BR-DEC-10", "BR-DEC-11", "BR-DEC-12", "BR-DEC-13", "BR-DEC-14", "BR-DEC-15",
             "BR-DEC-16", "BR-DEC-17", "BR-DEC-18"), totals)

    def lines() -> None:
        if not idx[RAM.IncludedSupplyChainTradeLineItem]:
            return
        # only the line items the (generous) XPath pre-check finds suspicious can fail a rule
        for li in _CII_LINE_SUSPECTS(root):
            net = kids(li, RAM.SpecifiedLineTradeAgreement, RAM.NetPriceProductTradePrice, RAM.ChargeAmount)
            ok("BR-27", any(holds(lambda p=p: ge0(p)) for p in net), li)
            gross = kids(li, RAM.SpecifiedLineTradeAgreement, RAM.GrossPriceProductTradePrice, RAM.ChargeAmount)
            ok("BR-28", not gross or any(holds(lambda p=p: ge0(p)) for p in gross), li)

    f.guard(("BR-27", "BR-28"), lines)

    def periods() -> None:
        for p in idx[RAM.BillingSpecifiedPeriod]:
            order_rule = _CII_PERIOD_RULES.get(getattr(p.getparent(), "tag", None))  # a line's, the document's
            if order_rule is None:
                continue
            starts, ends = list(ck(p, RAM.StartDateTime)), list(ck(p, RAM.EndDateTime))
            s102 = [sv(d) for s in starts for d in ck(s, UDT.DateTimeString) if d.get("format") == "102"]
            e102 = [sv(d) for e in ends for d in ck(e, UDT.DateTimeString) if d.get("format") == "102"]
            ok(order_rule, not starts or not ends or any(e >= s for e in e102 for s in s102), p)

    f.guard(("BR-29", "BR-30"), periods)

    def misc() -> None:
        trimmed = rel.param("br_51_normalized", "cii", True)
        for card in idx[RAM.ApplicableTradeSettlementFinancialCard]:
            number = sv(fk(card, RAM.ID))  # (1.3.15: string-length(ram:ID), as written)
            ok("BR-51", len(nsp(number) if trimmed else number) <= 10, card)
        for reg in idx[RAM.SpecifiedTaxRegistration]:
            for i in ck(reg, RAM.ID):
                if i.get("schemeID") == "VA":
                    ok("BR-CO-09", " %s " % sv(i)[:2] in _vat_prefixes("iso3166-cii"), i)

    f.guard(("BR-51", "BR-CO-09"), misc)

    def breakdown() -> None:
        for t in idx[RAM.ApplicableTradeTax]:
            parent = t.getparent()
            if parent is None or parent.tag != RAM.ApplicableHeaderTradeSettlement:
                continue
            vat = _upper_type_is_vat(t)
            cats = [sv(c) for c in ck(t, RAM.CategoryCode)]
            if vat and parent.getparent() is not None and parent.getparent().tag == RSM.SupplyChainTradeTransaction \
                    and any(c in ("L", "M", "O") for c in cats):
                continue  # this breakdown is the context of the category rules (first match wins)
            basis, calc = fk(t, RAM.BasisAmount), fk(t, RAM.CalculatedAmount)

            def co17() -> bool:
                rates = list(ck(t, RAM.RateApplicablePercent)) if _upper_type_is_vat(t, normalize=True) else []
                if len(rates) > 1:
                    raise V.CastError("several rates")
                return _co17(xdec(rates[0]) if rates else None, basis, xdec(calc), inclusive=True)

            ok("BR-CO-17", holds(co17), t)

    f.guard(("BR-CO-17",), breakdown)
    return f


# =========================================================================== registration

_CACHE_KEY = "_core_failures"


def failures(doc: Any) -> _Failures:
    """The core rule failures of a document, evaluated once on its tree and cached on it."""
    cache = doc.__dict__.setdefault("_cache", {})
    f = cache.get(_CACHE_KEY)
    if f is None:
        tree = on_tree(doc)
        with children_kept():
            rel = releases.of(doc, "en16931")
            f = cache[_CACHE_KEY] = (_cii_failures if tree.syntax == Syntax.CII else _ubl_failures)(
                tree.root, tag_index(tree), rel)
    return f


def evaluate(doc: Any) -> dict[str, Any]:
    """Every core rule's failures at once: {rule id: targets, or the exception that stopped its context}."""
    f = failures(doc)
    # BR-CO-10..17 messages name the amounts (einvoice.figures)
    return explain_amounts(doc, {**f.by_rule, **f.errors} if f.errors else f.by_rule)


# The rules that ask whether an element is there, has text or at most two decimals are structure rows
# (schemas/structure/en16931-core-{ubl,cii}.yaml), evaluated on the same tree.
for _syntax in ("ubl", "cii"):
    _table = Table.load(f"en16931-core-{_syntax}")
    RULES.family([i for i in CORE_IDS if i not in _table.rule_ids] + ["BR-CO-25"],
                 evaluate, _syntax, f"en16931:core-{_syntax}")  # (BR-CO-25: 1.3.15's, schemas/releases/)
    RULES.family(_table.rule_ids, lambda doc, t=_table: t.evaluate(on_tree(doc)), _syntax, f"en16931:rows-{_syntax}")
