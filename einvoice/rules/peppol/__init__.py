"""Peppol BIS Billing 3.0 rules (PEPPOL-EN16931-*, PEPPOL-COMMON-*).

Every module listed in ``MODULES`` registers its checks on ``RULES`` when it is
imported; the list is explicit and every module must exist.
"""

from __future__ import annotations

import importlib

from ..engine import RuleSet

RULES = RuleSet("peppol")

MODULES = ['common', 'core', 'codes']

for _name in MODULES:
    importlib.import_module(f"{__name__}.{_name}")
