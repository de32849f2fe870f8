"""EN 16931 UBL syntax rules: UBL-SR (cardinalities), UBL-CR (elements EN 16931 does
not use) and UBL-DT (data type restrictions).

The long lists are data, ``schemas/structure/ubl-syntax.yaml`` (rule id, context,
kind of check, path), evaluated in one pass over the tree by
:mod:`einvoice.rules.tree`; metadata (severity, message, hint) is in
``schemas/rules/ubl-syntax.yaml``. The few checks that are more than a path and
a count are the functions below.
"""

from __future__ import annotations

from typing import Any

from ...rules.engine import RuleSet
from ...rules.tree import Table, Wildcard, compile_path, register, select_any, tag_index
from ...rules.values import string_value
from .. import namespaces as ns

RULES = RuleSet("ubl-syntax")

CBC = f"{{{ns.CBC}}}"
CAC = f"{{{ns.CAC}}}"
_CN_ROOT = f"{{{ns.UBL_CREDIT_NOTE}}}CreditNote"
_PRICE = f"{CAC}Price"
_ALLOWANCE_CHARGE = f"{CAC}AllowanceCharge"


def _local(tag: Any) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _amount_tag(tag: str) -> bool:
    name = _local(tag)
    return name.endswith("Amount") and not name.endswith("PriceAmount")


def _is_amount(el: Any) -> bool:
    """Amount elements whose decimals are limited (unit prices and their discounts are not): the official
    ``not(ancestor::cac:Price/cac:AllowanceCharge)``, so any amount below a price that has a price allowance, in the
    allowance or beside it."""
    for price in el.iterancestors(_PRICE):  # the walk up in C: deep documents stay linear enough
        if next(price.iterchildren(_ALLOWANCE_CHARGE), None) is not None:
            return False
    return True


def _binary_object_tag(tag: str) -> bool:
    return _local(tag).endswith("BinaryObject")


def _children(el: Any, tag: str) -> list:
    return [c for c in el if c.tag == tag]


# --------------------------------------------------------------------------- custom checks
# each: (doc, context element, check) -> targets

def invoiced_object_scheme(doc, el, ck):
    codes = [string_value(c) for c in _children(el, f"{CBC}DocumentTypeCode")]  # cbc:DocumentTypeCode = '130'; string values
    if "130" in codes:
        return ()
    root = el.getroottree().getroot()
    if root.tag == _CN_ROOT and "50" in codes:
        return ()
    has_scheme = any(i.get("schemeID") is not None for i in _children(el, f"{CBC}ID"))
    if not has_scheme and not codes:
        return ()
    return (el,)


def _piece(text: str | None) -> tuple[int, int]:
    """What UBL-DT-01 needs of a piece of string value: the characters after its first '.' (-1: no '.'),
    and its length, both counted no further than 3."""
    if not text:
        return (-1, 0)
    dot = text.find(".")
    return (-1 if dot < 0 else min(len(text) - dot - 1, 3), min(len(text), 3))


def _joined(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    """_piece of the concatenation of two pieces."""
    return (min(a[0] + b[1], 3) if a[0] >= 0 else b[0], min(a[1] + b[1], 3))


def _fraction(el: Any, memo: dict) -> int:
    """Characters after the first '.' of the element's string value (-1: none), counted up to 3; each
    element of the subtree is summed once per document (nested amounts reuse what their children gave:
    joining the string value of each of them was quadratic on deep documents)."""
    found = memo.get(el)
    if found is None:
        for e in reversed([e for e in el.iter() if isinstance(e.tag, str) and e not in memo]):  # children first
            acc = _piece(e.text)
            for c in e:
                if isinstance(c.tag, str):
                    acc = _joined(acc, memo[c])
                acc = _joined(acc, _piece(c.tail))  # text after a comment or instruction counts, its content not
            memo[e] = acc
        found = memo[el]
    return found[0]


def amount_decimals(doc, el, ck):
    """string-length(substring-after(., '.')) > 2 on the element's string value (the finding quotes the value)."""
    if len(el) == 0:
        _, dot, frac = (el.text or "").partition(".")
        return ((el, {"value": el.text.strip()}),) if dot and len(frac) > 2 else ()
    memo = doc.__dict__.setdefault("_ubl_dt01", {}) if doc is not None else {}
    return ((el, {"value": string_value(el).strip()}),) if _fraction(el, memo) > 2 else ()


def tax_scheme_company_id(doc, el, ck):
    has_id = any(_children(ts, f"{CBC}ID") for ts in _children(el, f"{CAC}TaxScheme"))
    return () if has_id and _children(el, f"{CBC}CompanyID") else (el,)


def ubl_version(doc, el, ck):
    versions = _children(el, f"{CBC}UBLVersionID")
    if not versions or any(string_value(v) == "2.1" for v in versions):
        return ()
    return (versions[0],)


def invoice_payment_due_date(doc, el, ck):
    if el.tag == _CN_ROOT:
        return ()
    for pm in _children(el, f"{CAC}PaymentMeans"):
        dates = _children(pm, f"{CBC}PaymentDueDate")
        if dates:
            return (dates[0],)
    return ()


def _attribute_names(doc) -> dict[str, Any]:
    """Attribute name -> first element carrying it (a name attribute on cbc:PaymentMeansCode does not count)."""
    cache = doc.__dict__.setdefault("_tree_results", {})
    names = cache.get("ubl-attribute-names")
    if names is None:
        names = {}
        pmc = f"{CBC}PaymentMeansCode"
        for owner in tag_index(doc).get(None, ()):  # every element, in document order
            for name in owner.keys():
                if name in names or name == "name" and owner.tag == pmc:
                    continue
                names[name] = owner
        cache["ubl-attribute-names"] = names
    return names


def no_attribute(doc, el, ck):
    hit = _attribute_names(doc).get(ck.arg)
    return (hit,) if hit is not None else ()


def name_attribute(doc, el, ck):
    hit = _attribute_names(doc).get("name")
    return (hit,) if hit is not None else ()


def distinct_values_max1(doc, el, ck):
    tag = f"{CBC}{ck.arg.split(':', 1)[1]}"
    seen: dict[str, Any] = {}
    # from the root: the document's elements of that name, in document order (no walk of the tree)
    for e in tag_index(doc).get(tag, ()) if el is doc.root else el.iter(tag):
        seen.setdefault(string_value(e), e)
    if len(seen) > 1:
        return (list(seen.values())[1],)
    return ()


_PAYEE_PATHS: dict[str, Any] = {}


def payee_count(doc, el, ck):
    path = _PAYEE_PATHS.get(ck.arg)
    if path is None:
        path = _PAYEE_PATHS[ck.arg] = compile_path(ck.arg)
    if len(select_any(el, path)) > 1:
        return (el,)
    names = [string_value(n) for pn in _children(el, f"{CAC}PartyName") for n in _children(pn, f"{CBC}Name")]
    regs = []
    parent = el.getparent()
    if parent is not None:
        for asp in _children(parent, f"{CAC}AccountingSupplierParty"):
            for party in _children(asp, f"{CAC}Party"):
                for ple in _children(party, f"{CAC}PartyLegalEntity"):
                    regs += [string_value(r) for r in _children(ple, f"{CBC}RegistrationName")]
    if any(a != b for a in names for b in regs):
        return ()
    return (el,)


CUSTOMS = {
    "invoiced_object_scheme": invoiced_object_scheme,
    "amount_decimals": amount_decimals,
    "tax_scheme_company_id": tax_scheme_company_id,
    "ubl_version": ubl_version,
    "invoice_payment_due_date": invoice_payment_due_date,
    "no_attribute": no_attribute,
    "name_attribute": name_attribute,
    "distinct_values_max1": distinct_values_max1,
    "payee_count": payee_count,
}

TABLE = Table.load("ubl-syntax", CUSTOMS, {
    "~amount": Wildcard(_amount_tag, _is_amount),
    "~binary-object": Wildcard(_binary_object_tag),
})
register(RULES, TABLE, syntax="ubl")
