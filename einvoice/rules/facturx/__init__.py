"""Factur-X 1.09 profile rules (FX-SCH-* and profile restrictions).

Every module listed in ``MODULES`` registers its checks on ``RULES``; a module
not written yet is skipped.
"""

from __future__ import annotations

import importlib

from ..engine import RuleSet

RULES = RuleSet("facturx")

MODULES = ['profiles', 'core', 'notused']

for _name in MODULES:
    try:
        importlib.import_module(f"{__name__}.{_name}")
    except ModuleNotFoundError as _exc:  # a module not written yet
        if _exc.name != f"{__name__}.{_name}":
            raise
