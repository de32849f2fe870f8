"""Factur-X profile rules (FX-SCH-* and profile restrictions), per release (1.09, 1.09.2).

The layer holds one set of rules per profile (:func:`.profiles.load`: the profile's
table, for BASIC WL the EN 16931 rules it checks, what the profile does not use),
registered the first time that profile is asked for: validating a document loads
its profile's rules only (``RULES.for_profile``). Iterating ``RULES`` gives every
profile's rules, in the order of ``PROFILES`` whatever was loaded before.
"""

from __future__ import annotations

from ..engine import RuleSet

PROFILES = ("facturx-minimum", "facturx-basicwl", "facturx-basic", "facturx-en16931", "facturx-extended")


class ProfileLayer(RuleSet):
    """The ``facturx`` layer: a :class:`RuleSet` per profile, each loaded on first use."""

    def __init__(self) -> None:  # no rules of its own: ``rules`` are the profiles'
        self.layer = "facturx"
        self._profiles: dict[str, RuleSet] = {}

    def for_profile(self, profile: str | None) -> RuleSet:
        """The rules of a Factur-X profile; for any other profile, the whole layer (none of it applies)."""
        if profile not in PROFILES:
            return self
        rules = self._profiles.get(profile)
        if rules is None:
            from .profiles import load

            rules = self._profiles[profile] = load(profile)
        return rules

    @property
    def rules(self) -> list:
        return [r for p in PROFILES for r in self.for_profile(p)]

    def _append(self, rule) -> None:
        raise TypeError("a Factur-X rule is registered on its profile's rules (profiles.load)")


RULES = ProfileLayer()
