"""Computation of what an invoice's numbers should be (EN 16931 calculation model).

Rounding follows the rules of the standard as the official validators apply
them: amounts to two decimals, halves rounded towards positive infinity
(``round(x * 100) div 100`` in XPath).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

from .invoice import AllowanceCharge, Invoice, InvoiceLine

CENT = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal("100")
HALF_CENT = Decimal("0.005")


def round2(value: Decimal) -> Decimal:
    """Round to two decimals, halves upwards (XPath ``round``)."""
    return (value * HUNDRED + Decimal("0.5")).to_integral_value(rounding=ROUND_FLOOR) / HUNDRED


def amount_value(amount) -> Decimal | None:
    return None if amount is None else amount.value


def allowance_amount(ac: AllowanceCharge, exact: bool = False) -> Decimal | None:
    """BT-92/99/136/141 computed: base amount x percentage / 100, rounded (``exact``: not rounded; None without both)."""
    base, pct = amount_value(ac.base_amount), ac.percentage
    if base is None or pct is None:
        return None
    return base * pct / HUNDRED if exact else round2(base * pct / HUNDRED)


def line_net(line: InvoiceLine, exact: bool = False) -> Decimal | None:
    """BT-131 computed: quantity x (net price / base quantity) + charges - allowances, rounded (``exact``: not)."""
    if line.quantity is None or line.price is None or amount_value(line.price.net_amount) is None:
        return None
    base = line.price.base_quantity or Decimal(1)
    total = line.quantity * amount_value(line.price.net_amount) / base
    for ac in line.allowances_charges:
        v = amount_value(ac.amount) or ZERO
        total += v if ac.is_charge else -v
    return total if exact else round2(total)


def _sum(values) -> Decimal:
    return sum((v for v in values if v is not None), ZERO)


@dataclass
class BreakdownLine:
    category: str
    rate: Decimal | None
    taxable_amount: Decimal = ZERO
    tax_amount: Decimal = ZERO
    exemption_reason: str | None = None
    exemption_reason_code: str | None = None


@dataclass
class Computed:
    """The totals an invoice should state, derived from its lines, allowances and charges."""

    line_nets: list[Decimal | None] = field(default_factory=list)
    line_extension_amount: Decimal = ZERO
    allowance_total_amount: Decimal = ZERO
    charge_total_amount: Decimal = ZERO
    tax_exclusive_amount: Decimal = ZERO
    tax_amount: Decimal = ZERO
    tax_inclusive_amount: Decimal = ZERO
    prepaid_amount: Decimal = ZERO
    rounding_amount: Decimal = ZERO
    payable_amount: Decimal = ZERO
    breakdown: list[BreakdownLine] = field(default_factory=list)


def breakdown_key(code: str | None, rate: Decimal | None) -> tuple[str, Decimal | None]:
    """The VAT breakdown a category code and rate belong to (code trimmed, rate normalised; category O, not
    subject to VAT, has no rate: a rate of 0 stated for it is none, as CEN's example 7 states its breakdown)."""
    code = (code or "").strip()
    return (code, None if rate is None or code == "O" and rate == 0 else rate.normalize())


def reasons_by_breakdown(entries) -> dict[tuple[str, Decimal | None], tuple[str | None, str | None] | None]:
    """The VAT exemption reason (BT-120 text, BT-121 code) of each VAT breakdown, by :func:`breakdown_key`, from
    ``(code, rate, text, reason code)`` of each breakdown; None where two breakdowns of one category and rate state
    other reasons (Factur-X EXTENDED allows it: which one an item is of, only its own reason says)."""
    out: dict = {}
    for code, rate, text, reason_code in entries:
        key = breakdown_key(code, rate)
        out[key] = (text, reason_code) if out.get(key, (text, reason_code)) == (text, reason_code) else None
    return out


def compute(invoice: Invoice) -> Computed:
    """Compute every total and the VAT breakdown from the invoice's lines, allowances and charges."""
    c = Computed()
    groups: "OrderedDict[tuple, BreakdownLine]" = OrderedDict()

    def group(code, rate) -> BreakdownLine:
        k = breakdown_key(code, rate)
        if k not in groups:
            groups[k] = BreakdownLine(category=k[0], rate=rate)
        return groups[k]

    for line in invoice.lines:
        net = amount_value(line.net_amount)
        if net is None:
            net = line_net(line)
        c.line_nets.append(net)
        if net is None:
            continue
        cat = line.item.tax_category if line.item else None
        g = group(cat.code if cat else None, cat.rate if cat else None)
        g.taxable_amount += net

    doc_acs: list[AllowanceCharge] = invoice.allowances_charges
    for ac in doc_acs:
        v = amount_value(ac.amount) or ZERO
        if ac.is_charge:
            c.charge_total_amount += v
        else:
            c.allowance_total_amount += v
        cat = ac.tax_category
        g = group(cat.code if cat else None, cat.rate if cat else None)
        g.taxable_amount += v if ac.is_charge else -v

    c.line_extension_amount = round2(_sum(c.line_nets))
    c.allowance_total_amount = round2(c.allowance_total_amount)
    c.charge_total_amount = round2(c.charge_total_amount)
    c.tax_exclusive_amount = round2(c.line_extension_amount - c.allowance_total_amount + c.charge_total_amount)

    # exemption reasons are carried over from whatever states them for the category
    reasons: dict[str, tuple[str | None, str | None]] = {}
    stated: dict[tuple, Decimal | None] = {}  # a breakdown's stated VAT amount, by category and rate
    for bd in invoice.vat_breakdown:
        if bd.category and bd.category.code:
            reasons[bd.category.code] = (bd.category.exemption_reason, bd.category.exemption_reason_code)
        if bd.category is not None:
            stated.setdefault(breakdown_key(bd.category.code, bd.category.rate), amount_value(bd.tax_amount))

    for k, g in groups.items():
        g.taxable_amount = round2(g.taxable_amount)
        rate = g.rate if g.rate is not None else ZERO
        g.tax_amount = round2(g.taxable_amount * rate / HUNDRED)
        given = stated.get(k)  # an exact half stated rounded the other way (-238.275 as -238.28) is as sound: kept
        if given is not None and given != g.tax_amount and abs(given - g.taxable_amount * rate / HUNDRED) == HALF_CENT:
            g.tax_amount = given
    total = invoice.vat_total
    given = amount_value(total.tax_amount) if total is not None and not stated else None
    t = invoice.totals
    if given is None and not stated and t is not None:  # no VAT stated: the VAT the stated BT-112, else BT-115, leaves
        inclusive = amount_value(t.tax_inclusive_amount)
        payable = amount_value(t.payable_amount)
        if inclusive is None and payable is not None:
            inclusive = payable + (amount_value(t.prepaid_amount) or ZERO) - (amount_value(t.rounding_amount) or ZERO)
        given = inclusive - c.tax_exclusive_amount if inclusive is not None else None
    gap = given - _sum(g.tax_amount for g in groups.values()) if given is not None else ZERO
    for g in groups.values():  # a VAT total stated without a breakdown: the exact halves rounded its way, a cent each
        if not gap:
            break
        exact = g.taxable_amount * (g.rate if g.rate is not None else ZERO) / HUNDRED
        other = g.tax_amount + (CENT if gap > 0 else -CENT)
        if abs(exact - g.tax_amount) == HALF_CENT and abs(exact - other) == HALF_CENT:
            gap -= other - g.tax_amount
            g.tax_amount = other
        g.exemption_reason, g.exemption_reason_code = reasons.get(g.category, (None, None))
    c.breakdown = list(groups.values())
    c.tax_amount = round2(_sum(g.tax_amount for g in c.breakdown))
    c.tax_inclusive_amount = round2(c.tax_exclusive_amount + c.tax_amount)
    c.prepaid_amount = (amount_value(t.prepaid_amount) if t else None) or ZERO
    c.rounding_amount = (amount_value(t.rounding_amount) if t else None) or ZERO
    c.payable_amount = round2(c.tax_inclusive_amount - c.prepaid_amount + c.rounding_amount)
    return c
