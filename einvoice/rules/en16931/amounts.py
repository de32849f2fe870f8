"""The amounts behind a failed total rule (BR-CO-10 ... BR-CO-16), for a message a clerk can act on: ``explain(doc,
failures)`` gives each failure of these rules the parameter ``amounts``: "stated X, computed Y,
difference Z" in the invoice currency, computed from the invoice model as the rule defines the total. The rule's
verdict is not touched: the rule code decides, this only says by how much. Where the amounts cannot be computed
(a missing total, an unreadable value), or the failing element is not the one the model read (a UBL extension's
own cac:LegalMonetaryTotal, which the rules judge too), the parameter is empty and the message reads as before.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ...syntax.namespaces import EXT, UBL_NS

IDS = ("BR-CO-10", "BR-CO-11", "BR-CO-12", "BR-CO-13", "BR-CO-14", "BR-CO-15", "BR-CO-16")


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
    except Exception:  # noqa: BLE001 - a document the model cannot read still gets its finding
        return ""


def explain(doc: Any, failures: dict[str, Any]) -> dict[str, Any]:
    """``failures`` with the ``amounts`` parameter on every target of the total rules."""
    out = dict(failures)
    for rule in IDS:
        if isinstance(targets := out.get(rule), list) and targets:
            text = amounts_text(doc, rule)
            out[rule] = [(*(t if isinstance(t, tuple) else (t,)), {"amounts": _for_target(t, rule, text)})
                         for t in targets]
    return out


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
    from .. import values as V

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
    return f": stated {stated:f}{cur}, computed {computed:f}{cur}, difference {stated - computed:+f}{cur}"


def _extension(target: Any) -> bool:  # (a target: an element, or a tuple of one and its parameters)
    el = target[0] if isinstance(target, tuple) else target
    return hasattr(el, "iterancestors") and next(el.iterancestors(f"{{{EXT}}}UBLExtensions"), None) is not None
