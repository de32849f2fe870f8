"""EN 16931 business rules for the Factur-X profiles that run no ``en16931`` layer.

The BASIC WL profile (invoice without lines) is validated with the facturx layer
only (no CEN rules), yet its official set checks a subset of the EN 16931
business rules (BR-*), the ones that make sense without invoice lines. Those are
evaluated here with the checks of our ``en16931`` layer, under the profile's own
severity (``schemas/rules/facturx/<profile>.yaml``); the ids are listed as
``core_rules`` in the profile's table (``schemas/structure/facturx-<profile>.yaml``).
Where the profile's test of an id differs from the EN 16931 check, the profile's
own reading is a row of its table instead (group ``core``).
"""

from __future__ import annotations

from ...basics import Syntax


def evaluator(ids: list[str]):
    """``evaluate(doc)`` of the ids with the en16931 layer's checks (rule id -> targets, or the exception)."""
    wanted = set(ids)
    rules: list = []
    ready: list = []

    def evaluate(doc):
        if not ready:  # the en16931 layer is imported on first use
            from ..en16931 import RULES as CORE

            rules.extend(r for r in CORE if r.id in wanted and r.syntax in (None, Syntax.CII))
            ready.append(True)
        out: dict[str, list] = {}
        for rule in rules:
            try:
                targets = list(rule.check(doc) or ())
            except Exception as exc:  # reported as this rule's internal error
                out[rule.id] = exc
                continue
            if targets and not isinstance(out.get(rule.id), Exception):  # (an id's exception stays its result)
                out.setdefault(rule.id, []).extend(targets)
        return out

    return evaluate
