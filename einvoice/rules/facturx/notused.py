"""Factur-X: what a profile does not use in a given context (FX-NOTUSED-<PROFILE>-nnn).

Each official Factur-X profile schematron reports, without a rule id, the elements and
attributes that the profile does not use where they stand (the buyer's postal address in
MINIMUM, a line allowance's percentage in BASIC, an exemption reason on a document
allowance's VAT category, a ``schemeID`` on the invoice number...). A document that
carries one is rejected by the official validator like any other failed rule.

The facts are data, ``schemas/rules/facturx/notused/<profile>.yaml``: the contexts in the
order the official artefact tries them (an element is handled by the first context that
matches it, so a context without ``not_used`` only shadows later ones), each with the
element itself or the attribute that is not used there. The ids are our own, one per fact,
numbered per profile; each is an error, as the official report is (messages: the profile's
rule metadata, ``schemas/rules/facturx/<profile>.yaml``).

The same table drives :mod:`einvoice.syntax.cii.prune`, which leaves these out of what the
builder writes.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from ..engine import load_yaml
from ..tree import Check, Context, Pattern, Table, _check
from .profiles import RULE_META

NOTUSED = RULE_META / "notused"


@dataclass(frozen=True)
class Fact:
    """One thing a profile does not use: the element matched by ``context`` (attribute None) or
    that element's ``attribute``."""

    id: str
    profile: str
    context: str
    element: str  # the context's last step, as the table names it
    attribute: str | None = None

    def describe(self) -> str:
        what = f"attribute '{self.attribute}' of" if self.attribute else "element"
        return f"{what} {self.element} at {self.context}"


@functools.cache
def contexts(profile: str) -> list[tuple[str, list[Fact]]]:
    """The contexts of one profile's table, in order, with their facts (``profile``: ``facturx-<name>``)."""
    data = load_yaml(NOTUSED / f"{profile.removeprefix('facturx-')}.yaml") or {}
    out: list[tuple[str, list[Fact]]] = []
    for row in data.get("contexts") or ():
        text = row["context"]
        last = text.rsplit("/", 1)[-1].split("[", 1)[0]
        out.append((text, [Fact(item["id"], profile, text, item.get("element") or last, item.get("attribute"))
                           for item in row.get("not_used") or ()]))
    return out


def facts(profile: str) -> list[Fact]:
    """Every fact of one profile."""
    return [f for _text, row in contexts(profile) for f in row]


def _not_used(doc: Any, el: Any, ck: Check):
    """The context element itself is there: report it."""
    return (el,)


CUSTOMS = {"not_used": _not_used}


@functools.cache
def table(profile: str) -> Table:
    """The profile's facts as a table of the tree engine (compiled on first use)."""
    def build() -> list[list[Context]]:
        # an attribute: counted by the context's trie (no call per check); the element itself: reported as it is met
        return [[Context(Pattern(text), [_check([f.id, "absent", f"@{f.attribute}"]) if f.attribute else
                                         Check(f.id, "custom", None, None, "not_used", fn="not_used") for f in row])
                 for text, row in contexts(profile)]]

    return Table(f"notused-{profile}", None, CUSTOMS, build=build, rule_ids=[f.id for f in facts(profile)])
