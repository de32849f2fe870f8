"""Honest scope: say so when a document asks for rules that einvoice does not implement.

A specification identifier (BT-24) names the rule set an invoice follows. When it
names one that einvoice does not implement (Peppol self-billing, a national CIUS
such as NLCIUS, ...), only the rules of the profile it falls back to ran, and a
bare VALID would claim more than was checked. EINV-S-001 (warning) names the rule
set that did not run, so ``--fail-on warning`` fails and the report says why.

``UNIMPLEMENTED`` is data, ``schemas/structure/scope.yaml``: rule set name -> parts of
the identifier that name it. Implementing one of them (a profile in einvoice.profiles)
means deleting its entry there.
An identifier that extends EN 16931 (``urn:cen.eu:en16931:2017#compliant#...``,
``#conformant#...``) with a specification no profile knows gets the same finding, as does any identifier no
profile knows (Peppol BIS 2, ZUGFeRD 1.0, a Factur-X level that does not exist, a typing error).
"""

from __future__ import annotations

from .engine import SCHEMAS, RuleSet, load_yaml

RULES = RuleSet("scope")

_SCOPE = load_yaml(SCHEMAS / "structure" / "scope.yaml")
UNIMPLEMENTED: dict[str, list[str]] = dict(_SCOPE["unimplemented"])
RETIRED: dict[str, dict] = dict(_SCOPE.get("retired") or {})

EN16931 = "urn:cen.eu:en16931:2017"


def unimplemented(identifier: str | None) -> str | None:
    """The name of the rule set ``identifier`` asks for that einvoice does not implement, else None."""
    cid = (identifier or "").strip().lower()
    return next((name for name, parts in UNIMPLEMENTED.items() if any(p.lower() in cid for p in parts)), None)


def retired(identifier: str | None) -> tuple[str, str] | None:
    """(name, what replaced it) of a specification ``identifier`` names that is no longer in force, else None."""
    cid = (identifier or "").strip().lower()
    return next(((name, spec["use"]) for name, spec in RETIRED.items() if any(p.lower() in cid for p in spec["parts"])),
                None)


@RULES.rule("EINV-S-002")
def rule_set_retired(doc):
    from ..profiles import detect_profile, specification_identifier

    cid = (specification_identifier(doc) or "").strip()
    found = retired(cid)
    ran = getattr(doc, "profile", None) or detect_profile(doc)[0]  # (the run's profile: a profile asked for judged it)
    if found is not None and ran == "en16931":
        yield (None, None, {"ruleset": found[0], "identifier": cid, "replacement": found[1]})


@RULES.rule("EINV-S-001")
def rule_set_not_implemented(doc):
    from ..profiles import detect_profile, guideline_profile, specification_identifier

    cid = (specification_identifier(doc) or "").strip()
    if retired(cid) is not None:  # (EINV-S-002 says more: no rule set of it is in force)
        return
    name = unimplemented(cid)
    if name is None and cid and cid != EN16931 and not doc.__dict__.get("legacy"):  # (a legacy file says what ran)
        known = guideline_profile(cid)  # (EN 16931's own identifier, a prefix of all of them, matches any extension)
        if (known is None or known[0] == EN16931) and detect_profile(doc)[0] == "en16931":  # only EN 16931 ran
            name = f"the specification {cid[len(EN16931) + 1:]!r}" if cid.startswith(EN16931 + "#") else \
                "an unknown specification"
    if name is not None:
        yield (None, None, {"ruleset": name, "identifier": cid})


@RULES.rule("EINV-S-003")
def no_kosit_scenario(doc):
    """A document judged as XRechnung whose identifier KoSIT's validator matches to no scenario: rejected there."""
    from ..profiles import NO_EXTENSION_SCENARIO, detect_profile, kosit_scenario
    from .german import XR_CIUS_ID, XR_EXTENSION_ID

    ran = getattr(doc, "profile", None) or detect_profile(doc)[0]
    if ran not in ("xrechnung", "xrechnung-extension") or doc.root is None:
        return
    matched, written, reason, element = kosit_scenario(doc)
    if matched is None:
        no_extension = reason == NO_EXTENSION_SCENARIO  # (then the plain XRechnung's identifier, or the extension in CII)
        expected = XR_EXTENSION_ID if ran == "xrechnung-extension" and not no_extension else XR_CIUS_ID
        if no_extension:
            expected += ", or the extension's identifier in a CII document"
        yield (element, None, {"identifier": repr(written), "reason": reason, "expected": expected})
