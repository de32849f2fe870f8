"""Factur-X 1.09 profile rules: the FX-SCH-A structure restrictions of a profile and
the rules the official profile schematron adds on top of EN 16931 (its CII-SR
cardinalities, some with another severity than in the CEN set, and the Peppol
empty-element warning).

The rules are data, ``schemas/structure/facturx-<profile>.yaml`` (one group per
pattern of the official profile schematron, contexts in the order the official
artefact tries them, and the profile's code lists), evaluated in one pass over
the tree by :mod:`einvoice.rules.tree`. Each table applies only when the
document is validated against its profile (``doc.profile``). The EN 16931
business rules (BR-*) are the ``en16931`` layer's and are not repeated here.
"""

from __future__ import annotations

import re
from typing import Any

from ...syntax import namespaces as ns
from ..tree import Table, Wildcard, register, sel, string_value
from . import RULES

RAM = f"{{{ns.RAM}}}"

# profile -> table name; profiles without a table have no Factur-X specific rules yet
TABLES = {"facturx-en16931": "facturx-en16931"}


def _empty_leaf(el: Any) -> bool:
    """An element without child elements whose text is only white space."""
    for child in el:
        if isinstance(child.tag, str):
            return False
    return _NON_SPACE.search(el.text or "") is None


_NON_SPACE = re.compile(r"\S")


def _credit_transfer(el: Any) -> bool:
    return any(" ".join(string_value(t).split()) in ("30", "58") for t in el.iterchildren(f"{RAM}TypeCode"))


WILDCARDS = {
    "~empty-leaf": Wildcard(lambda tag: True, _empty_leaf),
    "~credit-transfer-means": Wildcard(lambda tag: tag == f"{RAM}SpecifiedTradeSettlementPaymentMeans", _credit_transfer),
}


def always(doc, el, ck):
    return (el,)


def never(doc, el, ck):
    return ()


def credit_transfer_account(doc, el, ck):
    iban = sel(el, "ram:PayeePartyCreditorFinancialAccount/ram:IBANID")
    prop = sel(el, "ram:PayeePartyCreditorFinancialAccount/ram:ProprietaryID")
    return () if (iban or prop) and not (iban and prop) else (el,)


def max1_currency(doc, el, ck):
    """At most one ``path`` whose currencyID is the currency named by ``ref`` (two levels up)."""
    a = ck.arg
    n = 0
    for amount in sel(el, a["path"]):
        cur = amount.get("currencyID")
        if cur is None:
            continue
        refs = sel(amount, f"../../{a['ref']}")
        if any(string_value(r) == cur for r in refs):
            n += 1
    return (el,) if n > 1 else ()


def _codelists(table: Table) -> dict[str, frozenset[str]]:
    return {k: frozenset(str(v) for v in vals) for k, vals in (table.data.get("codes") or {}).items()}


def _make_codelist(lists: dict[str, frozenset[str]]):
    def codelist(doc, el, ck):
        """The context's value (``.``) or attribute must be in the profile's list (empty passes)."""
        if ck.text == ".":
            value = string_value(el)
        else:
            value = el.get(ck.text.lstrip("@"))
            if value is None:
                return ()
        if value == "" or value in lists[ck.arg]:
            return ()
        return (el,)
    return codelist


CUSTOMS = {
    "always": always,
    "never": never,
    "credit_transfer_account": credit_transfer_account,
    "max1_currency": max1_currency,
}

for _profile, _name in TABLES.items():
    _table = Table.load(_name, CUSTOMS, WILDCARDS)
    _table.customs["codelist"] = _make_codelist(_codelists(_table))
    register(RULES, _table, syntax="cii", profiles=(_profile,))
