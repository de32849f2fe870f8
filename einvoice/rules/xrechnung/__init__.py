"""XRechnung 3.0: the German CIUS of EN 16931 and its extension (KoSIT rule set), for UBL and CII.

The layer ``xrechnung`` holds the rules of the KoSIT schematron of the release
in force (``schemas/releases/xrechnung-3.0.2.yaml``): BR-DE-* of the CIUS,
BR-DEX-* of the extension, the temporary BR-TMP-* and BR-DE-TMP-* rules and the
CVD rules (BR-DE-CVD-*, BR-TMP-CVD-01), and the Peppol BIS rules KoSIT builds into
the rule set (``peppol.py``). It runs on top of the EN 16931 layer (profiles
``xrechnung`` and ``xrechnung-extension``), whose rules the KoSIT validator reports
at other levels in some cases (``scenario.py``). Rule metadata:
``schemas/rules/xrechnung/*.yaml``; code lists: ``schemas/codelists/xrechnung-*.yaml``.
"""

from __future__ import annotations

from ..engine import RuleSet

RULES = RuleSet("xrechnung")

from . import checks, peppol, scenario  # noqa: E402,F401  (they register their checks on RULES)
