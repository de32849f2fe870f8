"""National rules of the Peppol BIS rule set (NO, SE, DK, NL, IT, DE, GR, IS).

Every module listed in ``MODULES`` registers its checks on ``RULES`` when it is
imported; the list is explicit and every module must exist.

A country's module reads the document tree only, in the official contexts, and
registers its rules with ``_checks.country_rules(RULES, country, applies=...)``:
``applies(doc)`` is the official variable its rules are decided on (for example
``supplier_country(doc) == "NO"``), and a rule is a function of the document
yielding the elements that fail, or ``(element, message parameters)``.
"""

from __future__ import annotations

import importlib

from ..engine import RuleSet

RULES = RuleSet("national")

MODULES = ['no', 'se', 'dk', 'nl', 'it', 'de', 'gr', 'is_']

for _name in MODULES:
    importlib.import_module(f"{__name__}.{_name}")
