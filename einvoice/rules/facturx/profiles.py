"""Factur-X profile rules: the FX-SCH-A structure restrictions of a profile and the rules the official profile
schematron adds on top of EN 16931 (its CII-SR cardinalities, some with another severity than in the CEN set,
and the Peppol empty-element warning).

The rules are data, ``schemas/structure/facturx-<profile>.yaml`` (one group per pattern of the official profile
schematron, contexts in the order the official artefact tries them, and the profile's code lists), evaluated in
one pass over the tree by :mod:`einvoice.rules.tree`, each table only for a document validated against its
profile (``doc.profile``). The EN 16931 business rules (BR-*) are the ``en16931`` layer's and are not repeated
here (BASIC WL, without that layer, gets its own in :mod:`.core`; MINIMUM, without it too, has them in its table).
A Factur-X release names the tables it changes (1.09.2: MINIMUM's and BASIC's, ``facturx-<profile>-1.09.2``);
a rule of such a table runs only in the releases that have it (:meth:`ProfileRule.meta_in`).

An id can mean something else in another profile (the FX-SCH-A numbers are per profile), so each table's rules
carry its own metadata, ``schemas/rules/facturx/<table without facturx->.yaml``. A table's ``pending`` list
names the official ids without a check here yet. Checks beyond paths (VAT identifiers per category, category
counts, sums and totals) are the ``custom`` functions of :mod:`.checks`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from ...syntax import namespaces as ns
from ..engine import Rule, RuleDefinitionError, RuleMeta, RuleSet, load_yaml, meta_table
from ..releases import defaults, release, versions
from ..tree import STRUCTURE, Table, Wildcard, children, register, sel, tag_index
from .. import values as V
from . import checks

RAM = f"{{{ns.RAM}}}"


def _empty_leaf(el: Any) -> bool:
    """``not(*) and not(normalize-space())``: no child elements, a string value of XML white space only
    (text after a comment counts; U+00A0 is not white space)."""
    for child in el:
        if isinstance(child.tag, str):
            return False
    return V.blank(el)


def _credit_transfer(el: Any) -> bool:
    """One type code, 30 or 58 (with two, the official pattern's normalize-space() fails: no match)."""
    codes = list(children(el, f"{RAM}TypeCode"))
    return len(codes) == 1 and V.nvalue(codes[0]) in ("30", "58")


def _tax_id_not_seller(el: Any) -> bool:
    parent = el.getparent()
    if parent is None or parent.tag != f"{RAM}SpecifiedTaxRegistration":
        return False
    p = parent.getparent()
    while p is not None:
        if p.tag == f"{RAM}SellerTradeParty":
            return False
        p = p.getparent()
    return True


WILDCARDS = {
    "~tax-id-not-seller": Wildcard(lambda tag: tag == f"{RAM}ID", _tax_id_not_seller),
    "~empty-leaf": Wildcard(lambda tag: True, _empty_leaf, lambda doc: V.empty_leaves(tag_index(doc)[None])),
    "~credit-transfer-means": Wildcard(lambda tag: tag == f"{RAM}SpecifiedTradeSettlementPaymentMeans", _credit_transfer),
}


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
        if any(V.string_value(r) == cur for r in refs):
            n += 1
    return (el,) if n > 1 else ()


def ne_empty(doc, el, ck):
    """Some node of the path ``arg`` has a value that is not empty (as written, not space-normalized)."""
    return () if any(V.string_value(n) != "" for n in sel(el, ck.arg)) else (el,)


def num(doc, el, ck):
    """Some node of ``path`` compares (as a number) to ``n`` with ``op``."""
    a = ck.arg
    op, n = a["op"], str(a["n"])
    for node in sel(el, a["path"]):
        try:
            if V.compare_untyped(V.string_value(node), op, n):
                return ()
        except V.CastError:  # not a number: the official validator stops here
            continue
    return (el,)


# as the official matches(): XPath's \s is XML white space only, its \d any Unicode digit (as Python's)
_DATE = {
    "102": re.compile(r"[ \t\n\r]*\d{4}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])[ \t\n\r]*"),
    "205": re.compile(r"[ \t\n\r]*\d{4}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])([01]\d|2[0-3])[0-5]\d[ \t\n\r]*"),
}


def date_format(doc, el, ck):
    """The context's value has the lexical form of its date format (year, month 01-12, day 01-31[, hour, minute])."""
    return () if _DATE[ck.arg["format"]].fullmatch(V.string_value(el)) else (el,)


CUSTOMS = {**{fn.__name__: fn for fn in (date_format, ne_empty, num, credit_transfer_account, max1_currency)},
           "always": lambda doc, el, ck: (el,), "never": lambda doc, el, ck: (), **checks.CUSTOMS}

RULE_META = STRUCTURE.parent / "rules" / "facturx"


@functools.cache
def table(profile: str) -> Table:
    """The profile's table (``schemas/structure/<profile>.yaml``), its checks bound to the profile's code lists."""
    t = Table.load(profile, CUSTOMS, WILDCARDS)
    t.customs.update(checks.with_codes({k: frozenset(str(v) for v in vals)
                                        for k, vals in (t.data.get("codes") or {}).items()}))
    return t


def pending(profile: str) -> list[str]:
    """The ids of the official profile set that have no check here yet."""
    return list(table(profile).data.get("pending") or ())


@functools.cache
def load_meta(profile: str) -> dict[str, RuleMeta]:
    """Metadata of one profile's rules (``schemas/rules/facturx/<profile>.yaml``)."""
    return meta_table(load_yaml(RULE_META / f"{profile.removeprefix('facturx-')}.yaml") or {})


@dataclass
class ProfileRule(Rule):
    """A rule of one Factur-X profile: its metadata is its table's; ``versions``: the releases with that table (None: all)."""

    table: dict[str, RuleMeta] = field(default_factory=dict, repr=False)
    versions: frozenset | None = None

    @property
    def meta(self) -> RuleMeta:
        return self.table[self.id]

    def meta_in(self, context: Any) -> RuleMeta | None:
        version = context.version("facturx") if context else defaults()["facturx"]
        return self.meta if self.versions is None or version in self.versions else None


class ProfileRules(RuleSet):
    """The rules of one profile, each with the profile's own metadata (which must give it a message)."""

    def __init__(self, profile: str):
        super().__init__("facturx")
        self.profile = profile
        self.meta = load_meta(profile)
        self.versions: frozenset | None = None

    def _append(self, rule: Rule) -> None:
        meta = self.meta.get(rule.id)
        if meta is None or not meta.message.strip():
            raise RuleDefinitionError(f"rule {rule.id} of {self.profile} has no message in {RULE_META}/")
        self.rules.append(ProfileRule(rule.id, rule.check, rule.layer, rule.syntax, self.meta, self.versions, family=rule.family))


def load(profile: str) -> ProfileRules:
    """Every rule of one profile: its table, the EN 16931 rules it checks (``core_rules``, :mod:`.core`)
    and what it does not use (:mod:`.notused`)."""
    from . import core, notused

    rules = ProfileRules(profile)
    used: dict[str, set] = {}  # the profile's table in each Factur-X release (a release names those it changes)
    for v in versions("facturx"):
        used.setdefault(release("facturx", v).param("tables", default={}).get(profile, profile), set()).add(v)
    for name, vs in used.items():
        rules.meta, rules.versions = load_meta(name), None if len(used) == 1 else frozenset(vs)
        register(rules, table(name), "cii", (profile,))
    rules.meta, rules.versions = load_meta(profile), None
    core_ids = table(profile).data.get("core_rules")
    if core_ids:
        evaluate = core.evaluator(core_ids)
        rules.family(core_ids, lambda doc: evaluate(doc) if doc.profile == profile else {}, syntax="cii",
                     name=f"core:{profile}")
    register(rules, notused.table(profile), "cii", (profile,))
    return rules
