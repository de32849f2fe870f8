"""The figures behind a failed amount rule, for a message a clerk can act on: "stated X, computed Y, difference Z"
in the invoice currency. Of the totals (BR-CO-10 ... BR-CO-16): computed from the invoice model as the rule
defines the total. Of a VAT breakdown (BR-CO-17, each category's -08 and -09): its taxable amount against the net
amounts of the lines, allowances and charges of its category and rate (the model's calculation), its VAT amount
against its taxable amount x rate (0 for a category without a rate). ``explain(doc, failures)`` gives each failure
of the total rules and BR-CO-17 the message parameter ``amounts``; ``explain_breakdowns`` gives it to a breakdown
rule's targets.

No rule is decided here (the rules' modules decide, each once; this only says by how much), so it lives beside
the model's calculation, not among the rules. Where the amounts cannot be computed (a missing total, an unreadable
value, a breakdown with two rates), or the failing element is not the one the model read (a UBL extension's own
cac:LegalMonetaryTotal, which the rules judge too), the parameter is empty and the message reads without figures.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .errors import raise_outside
from .syntax.namespaces import CII_NS, EXT, UBL_NS

IDS = ("BR-CO-10", "BR-CO-11", "BR-CO-12", "BR-CO-13", "BR-CO-14", "BR-CO-15", "BR-CO-16")
RATED = ("S", "L", "M")  # the VAT categories with a rate; the others' VAT amount is 0


def _v(a: Any) -> Decimal | None:
    return None if a is None else a.value


def _sum(amounts) -> Decimal | None:  # (None: an amount is there but not a number, '8780,28': no total to tell)
    return None if None in (values := [a.value for a in amounts if a is not None]) else sum(values, Decimal(0))


def _pair(inv, rule: str) -> tuple[Decimal | None, Decimal | None]:
    """The stated total of a rule and the total as the rule computes it (None where it cannot)."""
    if (t := inv.totals) is None:
        return None, None
    lea, ata, cta = _v(t.line_extension_amount), _v(t.allowance_total_amount), _v(t.charge_total_amount)
    tea, tia, pre, rnd = _v(t.tax_exclusive_amount), _v(t.tax_inclusive_amount), _v(t.prepaid_amount), _v(t.rounding_amount)
    vat = _v(inv.vat_total.tax_amount) if inv.vat_total else None
    acs = inv.allowances_charges
    return {  # worked out for the rule asked only
        "BR-CO-10": lambda: (lea, _sum(ln.net_amount for ln in inv.lines)),
        "BR-CO-11": lambda: (ata, _sum(ac.amount for ac in acs if ac.is_allowance)),
        "BR-CO-12": lambda: (cta, _sum(ac.amount for ac in acs if ac.is_charge)),
        "BR-CO-13": lambda: (tea, None if lea is None else lea - (ata or 0) + (cta or 0)),
        "BR-CO-14": lambda: (vat, _sum(b.tax_amount for b in inv.vat_breakdown)),
        "BR-CO-15": lambda: (tia, None if tea is None else tea + (vat or 0)),
        "BR-CO-16": lambda: (_v(t.payable_amount), None if tia is None else tia - (pre or 0) + (rnd or 0)),
    }.get(rule, lambda: (None, None))()


def amounts_text(doc: Any, rule: str) -> str:
    """': stated 100.00 EUR, computed 95.00 EUR, difference 5.00 EUR' (empty when not computable)."""
    try:
        inv = doc.invoice
        stated, computed = _pair(inv, rule)
        if stated is None or computed is None or stated == computed:
            return ""  # (equal: the rule failed on something else, a total missing or repeated; no "difference 0")
        return _said(stated, computed, inv.currency_code)
    except Exception as exc:  # noqa: BLE001 - a document the model cannot read still gets its finding
        raise_outside(exc)
        return ""


def explain(doc: Any, failures: dict[str, Any]) -> dict[str, Any]:
    """``failures`` with the ``amounts`` parameter on every target of the total rules (and of BR-CO-17)."""
    out = dict(failures)
    for rule in IDS:
        if isinstance(targets := out.get(rule), list) and targets:
            text = amounts_text(doc, rule)
            out[rule] = [(*(t if isinstance(t, tuple) else (t,)), {"amounts": _for_target(t, rule, text)})
                         for t in targets]
    if isinstance(out.get("BR-CO-17"), list):
        out["BR-CO-17"] = explain_breakdowns(doc, out["BR-CO-17"], "tax")
    return out


def explain_breakdowns(doc: Any, targets: list, what: str) -> list:
    """The targets of a failed breakdown rule, each with the ``amounts`` of its VAT breakdown: ``what`` "taxable"
    (stated BT-116 against the lines' net amounts plus charges minus allowances of its category and rate) or "tax"
    (stated BT-117 against BT-116 x BT-119 / 100, rounded; 0 for a category without a rate)."""
    memo: dict = {}
    out = []
    for t in targets:
        items = list(t) if isinstance(t, tuple) else [t]
        params = items.pop() if items and isinstance(items[-1], dict) else {}
        try:
            text = _breakdown_text(doc, items[0] if items else None, what, memo)
        except Exception as exc:  # noqa: BLE001 - the finding stands without its figures
            raise_outside(exc)
            text = ""
        out.append((*items, {**params, "amounts": text}))
    return out


_UBL_SUBTOTAL = f"{{{UBL_NS['cac']}}}TaxSubtotal"
_CII_TAX = f"{{{CII_NS['ram']}}}ApplicableTradeTax"


def _breakdown_text(doc: Any, el: Any, what: str, memo: dict) -> str:
    """': stated X, computed Y, difference Z' of the VAT breakdown ``el`` lies in (empty where not computable)."""
    from .model.calc import breakdown_key, compute, round2
    from .rules import values as V

    if not hasattr(el, "iterancestors"):
        return ""
    box = next((e for e in (el, *el.iterancestors()) if e.tag in (_UBL_SUBTOTAL, _CII_TAX)), None)
    if box is None or _extension(box):
        return ""
    if box.tag == _UBL_SUBTOTAL:
        cbc, cac = f"{{{UBL_NS['cbc']}}}", f"{{{UBL_NS['cac']}}}"
        cat = box.findall(f"{cac}TaxCategory")
        codes = [c.findall(f"{cbc}ID") for c in cat]
        rates = [r for c in cat for r in c.findall(f"{cbc}Percent")]
        taxable, tax = box.findall(f"{cbc}TaxableAmount"), box.findall(f"{cbc}TaxAmount")
        currency = (taxable[0].get("currencyID") or "").strip() if taxable else ""
    else:
        ram = f"{{{CII_NS['ram']}}}"
        codes = [box.findall(f"{ram}CategoryCode")]
        rates, taxable, tax = (box.findall(f"{ram}{n}") for n in ("RateApplicablePercent", "BasisAmount", "CalculatedAmount"))
        currency = ""
    if len(codes) != 1 or len(codes[0]) != 1 or len(rates) > 1 or len(taxable) != 1:
        return ""  # (two categories, codes, rates or amounts: which one the figures are of, nobody can say)
    code = " ".join(V.string_value(codes[0][0]).split()).upper()
    rate = V.decimal_or_none(rates[0]) if rates else None
    stated_taxable = V.decimal_or_none(taxable[0])
    if stated_taxable is None or rates and rate is None:
        return ""
    inv = memo["invoice"] if "invoice" in memo else memo.setdefault("invoice", doc.invoice)
    currency = currency or inv.currency_code or ""
    if what == "taxable":
        if code in RATED and rate is None:
            return ""
        if "computed" not in memo:
            memo["computed"] = {breakdown_key(g.category, g.rate): g.taxable_amount for g in compute(inv).breakdown}
        stated, computed = stated_taxable, memo["computed"].get(breakdown_key(code, rate), Decimal(0))
    else:
        if len(tax) != 1 or (stated := V.decimal_or_none(tax[0])) is None:
            return ""
        computed = round2(stated_taxable * (rate or 0) / 100) if code in RATED or rate is not None else Decimal(0)
    return "" if stated == computed else _said(stated, computed, currency)


_UBL_TAX_TOTAL = f"{{{UBL_NS['cac']}}}TaxTotal"
_UBL_MONETARY_TOTAL = f"{{{UBL_NS['cac']}}}LegalMonetaryTotal"


def _for_target(target: Any, rule: str, text: str) -> str:
    """The amounts of one failing element: the model's (``text``) where the model read that element; a UBL
    cac:TaxTotal's own (BR-CO-14 judges each: a second one, in the accounting currency or repeated, was given the
    first one's figures, "difference +0.00"); none for another element (a UBL extension's, a second
    cac:LegalMonetaryTotal)."""
    el = target[0] if isinstance(target, tuple) else target
    if not hasattr(el, "iterancestors"):
        return text
    if _extension(el):
        return ""
    tag = el.tag
    if rule == "BR-CO-14" and tag == _UBL_TAX_TOTAL:
        return _tax_total_text(el)
    if tag == _UBL_MONETARY_TOTAL and (parent := el.getparent()) is not None and parent.find(tag) is not el:
        return ""
    return text


def _tax_total_text(el: Any) -> str:
    """': stated X, computed Y, difference Z' of one UBL cac:TaxTotal: its cbc:TaxAmount against the sum of its
    subtotals' (empty where a value is not a number)."""
    from .rules import values as V

    cbc = UBL_NS["cbc"]
    stated_el = el.find(f"{{{cbc}}}TaxAmount")
    parts = [sub.find(f"{{{cbc}}}TaxAmount") for sub in el.iterfind(f"{{{UBL_NS['cac']}}}TaxSubtotal")]
    values = [V.decimal_or_none(p) for p in (stated_el, *parts) if p is not None]  # (a subtotal without one adds nothing)
    if stated_el is None or any(v is None for v in values):
        return ""
    stated, computed = values[0], sum(values[1:], Decimal(0))
    if stated == computed:
        return ""
    return _said(stated, computed, (stated_el.get("currencyID") or "").strip())


def _said(stated: Decimal, computed: Decimal, currency: str | None) -> str:
    cur = f" {currency}" if currency else ""
    return (f": stated {_money(stated):f}{cur}, computed {_money(computed):f}{cur}, "
            f"difference {_money(stated - computed):+f}{cur}")


def _money(value: Decimal) -> Decimal:
    """An amount with at least two decimals (a computed 199.8 reads 199.80; 0.125 stays)."""
    return value.quantize(Decimal("0.01")) if value.as_tuple().exponent > -2 else value


def _extension(target: Any) -> bool:  # (a target: an element, or a tuple of one and its parameters)
    el = target[0] if isinstance(target, tuple) else target
    return hasattr(el, "iterancestors") and next(el.iterancestors(f"{{{EXT}}}UBLExtensions"), None) is not None
