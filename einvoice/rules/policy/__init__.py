"""House policy: good practice beyond the law (EINV-* rules).

The checks are in :mod:`.house`, which registers them on ``RULES`` when it is imported;
the ``policy`` layer is taken from it (``einvoice.profiles.LAYERS``), so that reading the
configuration (:mod:`.config`) does not load the rules and what they import.
"""

from __future__ import annotations

from ..engine import RuleSet

RULES = RuleSet("policy")
