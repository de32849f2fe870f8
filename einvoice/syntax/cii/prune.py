"""Leave out of a written CII document what its Factur-X profile does not use where it stands.

The XSD of a profile cannot tell contexts apart (the buyer's postal address is in the
MINIMUM schema because the seller's is), but the profile's official schematron reports an
element or attribute that the profile does not use in its context. The facts are the
``FX-NOTUSED-*`` tables (:mod:`einvoice.rules.facturx.notused`); this pass removes each
such element or attribute from the tree, so that what the builder writes is never
rejected for them.

What is removed is returned, so a caller can tell what the profile could not carry.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

PROFILES = {"minimum", "basicwl", "basic", "en16931", "extended"}


def prune(root: Any, profile: str) -> list[tuple[str, str]]:
    """Remove from ``root`` (in place) what the profile does not use in its context.

    ``profile`` is a Factur-X profile name (``basic`` or ``facturx-basic``). Returns
    (rule id, description) of every removal. Removing an element can change what a later
    context sees (an allowance whose indicator went), so the pass repeats until nothing is left.
    """
    from ...rules.facturx.notused import facts as all_facts, table as notused_table

    name = profile if profile.startswith("facturx-") else f"facturx-{profile}"
    if name.removeprefix("facturx-") not in PROFILES:
        return []
    table = notused_table(name)
    facts = {f.id: f for f in all_facts(name)}
    removed: list[tuple[str, str]] = []
    for _ in range(8):
        doc = SimpleNamespace(root=root, profile=name)
        found = table.evaluate(doc)
        if not found:
            break
        for rid, targets in found.items():
            fact = facts[rid]
            for el in targets:
                if not isinstance(getattr(el, "tag", None), str):
                    continue
                if fact.attribute:
                    if el.get(fact.attribute) is not None:
                        del el.attrib[fact.attribute]
                        removed.append((rid, fact.describe()))
                    continue
                up = el.getparent()
                if up is not None:
                    up.remove(el)
                    removed.append((rid, fact.describe()))
    return removed
