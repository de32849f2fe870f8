"""Factur-X 1.09 profile rules (FX-SCH-* and profile restrictions).

Every module listed in ``MODULES`` registers its checks on ``RULES`` when it is
imported; the list is explicit and every module must exist.
"""

from __future__ import annotations

import importlib

from ..engine import RuleSet

RULES = RuleSet("facturx")

MODULES = ['profiles', 'core', 'notused']

for _name in MODULES:  # explicit: every module listed must exist
    importlib.import_module(f"{__name__}.{_name}")
