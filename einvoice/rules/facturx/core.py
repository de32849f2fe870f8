"""EN 16931 business rules for the Factur-X profiles that run no ``en16931`` layer.

The BASIC WL profile (invoice without lines) is validated with the cii-syntax and
facturx layers only, yet its official set checks a subset of the EN 16931
business rules (BR-*), the ones that make sense without invoice lines. Those are
evaluated here with the checks of our ``en16931`` layer, under the profile's own
severity (``schemas/rules/facturx/<profile>.yaml``); the ids are listed as
``core_rules`` in the profile's table (``schemas/structure/facturx-<profile>.yaml``).
Where the profile's test of an id differs from the EN 16931 check (``OWN_CHECKS``),
the profile's own reading is evaluated instead.
"""

from __future__ import annotations

from ...basics import Syntax
from ...syntax import namespaces as ns


def _on(tag: str, check, parent: str | None = None, where=None):
    """A check of :mod:`.checks` run on every element ``tag`` (under ``parent``, and for which ``where``
    holds, when given)."""
    from types import SimpleNamespace

    def run(doc):
        out = []
        for el in doc.root.iter(f"{{{ns.RAM}}}{tag}"):
            up = el.getparent()
            if parent is not None and (up is None or up.tag != f"{{{ns.RAM}}}{parent}"):
                continue
            if where is not None and not where(el):
                continue
            out.extend(check(doc, el, SimpleNamespace(arg=None)))
        return out

    return run


def _in_invoice_currency(el) -> bool:
    from ..tree import sel, string_value

    cur = el.get("currencyID")
    return cur is not None and any(
        string_value(c) == cur for c in sel(el, "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/"
                                                "ram:ApplicableHeaderTradeSettlement/ram:InvoiceCurrencyCode"))


def _own_checks():
    from . import checks

    return {
        # a payee with a name that shares neither name nor identifiers with a seller party beside it
        # (../ram:SellerTradeParty, which a payee in its usual place, the header settlement, does not have)
        "BR-17": _on("PayeeTradeParty", checks.payee_differs),
        # VAT point date and its code not both in one VAT breakdown
        "BR-CO-03": _on("ApplicableTradeTax", checks.not_both_tax_point, "ApplicableHeaderTradeSettlement"),
        # VAT amount of a breakdown: zero for a zero rate, else within one unit of basis x rate
        "BR-CO-17": _on("ApplicableTradeTax", checks.CUSTOMS["breakdown_vat_rounded"], "ApplicableHeaderTradeSettlement"),
        # VAT total in the invoice currency: the breakdown VAT amounts summed
        "BR-CO-14": _on("TaxTotalAmount", checks.CUSTOMS["vat_total_sum"], "SpecifiedTradeSettlementHeaderMonetarySummation",
                        _in_invoice_currency),
        # total with VAT per invoice currency, where there is a monetary summation
        "BR-CO-15": _on("SpecifiedTradeSettlementHeaderMonetarySummation", checks.CUSTOMS["grand_total"]),
        # sums of document allowances / charges (+ logistics charges): the profile picks them with
        # udt:Indicator = 'false' / 'true', a string comparison ('false ' is neither), where EN 16931
        # casts to xs:boolean; the same tests as the BASIC profile's FX-SCH-A-000118/119
        "BR-CO-11": _on("SpecifiedTradeSettlementHeaderMonetarySummation", checks.CUSTOMS["allowance_total"]),
        "BR-CO-12": _on("SpecifiedTradeSettlementHeaderMonetarySummation", checks.CUSTOMS["charge_total"]),
    }


# ids whose official profile test differs from the EN 16931 check of the same id
OWN_CHECKS = ("BR-17", "BR-CO-03", "BR-CO-11", "BR-CO-12", "BR-CO-14", "BR-CO-15", "BR-CO-17")


def evaluator(ids: list[str]):
    """``evaluate(doc)`` of the ids (rule id -> targets): the profile's own reading where it has one."""
    wanted = set(ids) - set(OWN_CHECKS)
    own: list = []
    rules: list = []
    ready: list = []

    def evaluate(doc):
        if not ready:  # the en16931 layer is imported on first use
            from ..en16931 import RULES as CORE

            rules.extend(r for r in CORE if r.id in wanted and r.syntax in (None, Syntax.CII))
            checks = _own_checks()
            own.extend((rid, checks[rid]) for rid in ids if rid in checks)
            ready.append(True)
        out: dict[str, list] = {}
        if doc.root is not None:
            for rid, check in own:
                try:
                    targets = check(doc)
                except Exception as exc:  # reported as this rule's internal error
                    out[rid] = exc
                    continue
                if targets:
                    out[rid] = targets
        for rule in rules:
            try:
                targets = list(rule.check(doc) or ())
            except Exception as exc:  # reported as this rule's internal error
                out[rule.id] = exc
                continue
            if targets:
                prev = out.get(rule.id)
                if isinstance(prev, list):
                    prev.extend(targets)
                elif prev is None:
                    out[rule.id] = targets
        return out

    return evaluate

