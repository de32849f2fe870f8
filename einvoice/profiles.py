"""Profiles: which layers of rules (and which XSD) apply to a document.

A layer is a :class:`~einvoice.rules.engine.RuleSet`, found by name in
``LAYERS``: the module that defines it is imported on first use, so a run pays
only for the layers it needs.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from .basics import clipped, first_child
from .rules.engine import Rule, RuleList, RuleSet


def _quoted(identifier: str) -> str:
    """A specification identifier as a reason quotes it: a 2 MB one made a report line of 2 MB (its start and end)."""
    return repr(clipped(identifier, 200))

# layer name -> "module:attribute" of its RuleSet
LAYERS: dict[str, str] = {
    "en16931": "einvoice.rules.en16931:RULES",
    "ubl-syntax": "einvoice.syntax.ubl.rules:RULES",
    "cii-syntax": "einvoice.syntax.cii.rules:RULES",
    "peppol": "einvoice.rules.peppol:RULES",
    "national": "einvoice.rules.national:RULES",
    "facturx": "einvoice.rules.facturx:RULES",
    "policy": "einvoice.rules.policy.house:RULES",  # the package alone is light: its configuration
    "xrechnung": "einvoice.rules.xrechnung:RULES",
    "dates": "einvoice.rules.dates:RULES",
    # the EN 16931 and syntax layers without the ids the XRechnung scenarios report at another level
    "en16931-xrechnung": "einvoice.rules.xrechnung.scenario:EN16931",
    "ubl-syntax-xrechnung": "einvoice.rules.xrechnung.scenario:UBL_SYNTAX",
    "cii-syntax-xrechnung": "einvoice.rules.xrechnung.scenario:CII_SYNTAX",
    "scope": "einvoice.rules.scope:RULES",  # EINV-S-001: a rule set the document asks for is not implemented
    # EN 16931's rules without those the Factur-X EXTENDED file replaces (BR-FXEXT-*) or leaves out
    "en16931-extended": "einvoice.rules.facturx.extended_core:EN16931",
}


# layers whose every rule serves one syntax: a document of the other syntax does not load them
SYNTAX_OF_LAYER: dict[str, str] = {
    "ubl-syntax": "ubl", "ubl-syntax-xrechnung": "ubl",
    "cii-syntax": "cii", "cii-syntax-xrechnung": "cii", "facturx": "cii",
}


def layers_for_syntax(layers: tuple[str, ...] | list[str], syntax) -> tuple[str, ...]:
    """The layers that have rules for a document of ``syntax`` (all of them when it is not known)."""
    syn = getattr(syntax, "value", syntax)
    if syn is None:
        return tuple(layers)
    return tuple(name for name in layers if SYNTAX_OF_LAYER.get(name, syn) == syn)


@dataclass(frozen=True)
class Profile:
    name: str
    layers: tuple[str, ...]
    description: str


PROFILES: dict[str, Profile] = {
    "en16931": Profile("en16931", ("ubl-syntax", "cii-syntax", "en16931", "scope"), "EN 16931 core rules (CEN validation artefacts)"),
    "peppol": Profile("peppol", ("ubl-syntax", "cii-syntax", "en16931", "peppol", "national", "scope"), "Peppol BIS Billing 3.0 with national rules"),
    "ehf": Profile("ehf", ("ubl-syntax", "cii-syntax", "en16931", "peppol", "national", "scope"), "EHF Billing 3.0 (Peppol BIS Billing 3.0 + Norwegian rules)"),
}

# The layers under each Factur-X profile's own rules. CEN's rules (cii-syntax: EN 16931's subset of CII; en16931)
# are for documents that claim EN 16931: BASIC and EN16931. MINIMUM and BASIC WL are no EN 16931 invoices and
# their official validators run the profile's schema and file alone (the file has its own copies of the CII-SR
# rules it keeps); EXTENDED goes beyond EN 16931's subset of CII and of EN 16931's rules runs those its file has
# (en16931-extended).
_FX_CORE = {"minimum": (), "basicwl": (), "basic": ("cii-syntax", "en16931"),
            "en16931": ("cii-syntax", "en16931"), "extended": ("en16931-extended",)}
for _fx, _core in _FX_CORE.items():
    PROFILES[f"facturx-{_fx}"] = Profile(f"facturx-{_fx}", (*_core, "facturx", "scope"),
                                         f"Factur-X 1.0 {_fx.upper()} profile")

# XRechnung 3.0 (KoSIT): the German CIUS of EN 16931 and its extension, in UBL and CII (also the
# XRECHNUNG profile of ZUGFeRD / Factur-X, which carries the same identifier); the scope rules say where KoSIT's
# validator finds no scenario for the identifier (EINV-S-003)
_XR_LAYERS = ("ubl-syntax-xrechnung", "cii-syntax-xrechnung", "en16931-xrechnung", "xrechnung", "scope")
PROFILES["xrechnung"] = Profile("xrechnung", _XR_LAYERS, "XRechnung 3.0 (KoSIT CIUS of EN 16931)")
PROFILES["xrechnung-extension"] = Profile("xrechnung-extension", _XR_LAYERS, "XRechnung 3.0 extension (KoSIT)")

# every profile also checks that its dates exist in the calendar (EINV-DATE-*, einvoice.rules.dates)
for _name, _p in list(PROFILES.items()):
    PROFILES[_name] = Profile(_p.name, (*_p.layers, "dates"), _p.description)

# Specification identifiers (BT-24) -> profile. The first match wins; prefixes are compared (so a longer
# identifier comes before one it continues: '...:1p0:basicwl' before '...:1p0:basic').
# ZUGFeRD 2.1 and 2.2 write the Factur-X 1.0 identifiers; ZUGFeRD 2.0 has its own.
_EN16931_ID = "urn:cen.eu:en16931:2017"
GUIDELINES: list[tuple[str, str]] = [
    # Factur-X 1.0 / ZUGFeRD 2.1, 2.2
    ("urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended", "facturx-extended"),
    ("urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic", "facturx-basic"),
    ("urn:factur-x.eu:1p0:basicwl", "facturx-basicwl"),
    ("urn:factur-x.eu:1p0:minimum", "facturx-minimum"),
    # spellings of the same profiles found in documents in use
    ("urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:en16931", "facturx-en16931"),
    ("urn:factur-x.eu:1p0:extended", "facturx-extended"),
    ("urn:factur-x.eu:1p0:en16931", "facturx-en16931"),
    ("urn:factur-x.eu:1p0:basic", "facturx-basic"),
    # the spelling of early Factur-X 1.0 documents (':compliant:' instead of '#compliant#urn:')
    ("urn:cen.eu:en16931:2017:compliant:factur-x.eu:1p0:basic", "facturx-basic"),
    ("urn:cen.eu:en16931:2017:compliant:factur-x.eu:1p0:en16931", "facturx-en16931"),
    ("urn:cen.eu:en16931:2017:conformant:factur-x.eu:1p0:extended", "facturx-extended"),
    ("urn:cen.eu:en16931:2017:compliant:factur-x.eu:1p0:extended", "facturx-extended"),  # (Mustang 2017 wrote it)
    # ZUGFeRD 2.0
    ("urn:cen.eu:en16931:2017#conformant#urn:zugferd.de:2p0:extended", "facturx-extended"),
    ("urn:cen.eu:en16931:2017#compliant#urn:zugferd.de:2p0:basic", "facturx-basic"),
    ("urn:cen.eu:en16931:2017#compliant#urn:zugferd.de:2p0:en16931", "facturx-en16931"),
    ("urn:zugferd.de:2p0:extended", "facturx-extended"),
    ("urn:zugferd.de:2p0:en16931", "facturx-en16931"),
    ("urn:zugferd.de:2p0:basicwl", "facturx-basicwl"),
    ("urn:zugferd.de:2p0:basic", "facturx-basic"),
    ("urn:zugferd.de:2p0:minimum", "facturx-minimum"),
    # France CTC EXTENDED (the e-invoicing reform's profile, UBL and CII D22B): its own schema and rules,
    # not Factur-X EXTENDED's (whose guideline rule FX-SCH-A-000636 rejects this identifier)
    ("urn:cen.eu:en16931:2017#conformant#urn.cpro.gouv.fr:1p0:extended-ctc-fr", "en16931"),
    # Peppol
    ("urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:selfbilling:3.0", "en16931"),
    ("urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0", "peppol"),
    ("urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0#conformant#urn:xeinkauf.de:kosit:extension:xrechnung_3.0", "xrechnung-extension"),
    ("urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0", "xrechnung"),
    (_EN16931_ID, "en16931"),  # (EN 16931 itself: a prefix of every CIUS's; last)
]


# Specifications we recognise but whose own rule set is not implemented: EN 16931 is applied instead, and the
# report says so with EINV-S-001 (the scope rules, which every profile runs; the rule set's name is theirs,
# schemas/structure/scope.yaml).
NOT_IMPLEMENTED = (
    "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:selfbilling:3.0",
    "urn:cen.eu:en16931:2017#conformant#urn.cpro.gouv.fr:1p0:extended-ctc-fr",
)
NOT_IMPLEMENTED_RULE = "EINV-S-001"


def guideline_profile(cid: str) -> tuple[str, str] | None:
    """(the entry of GUIDELINES that a specification identifier matches, its profile), or None."""
    for prefix, name in GUIDELINES:
        if cid.startswith(prefix):
            return prefix, name
    return None


def _legacy(legacy: dict) -> tuple[str, str]:
    """A legacy document (ZUGFeRD 1.0): EN 16931 on the converted document (the report's label and the original's
    schema findings are added where it is validated, whatever profile: ``validate.validate_document``)."""
    return "en16931", (f"legacy {legacy['format']} document, converted to CII D16B (Factur-X "
                       f"{legacy['profile'].upper()}); applying EN 16931 to the converted document")


_UNREAD = object()  # a value not looked up in the tree (the model is asked instead)

_UBL_CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
_UBL_CAC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}"
_CII_RSM = "{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}"
_CII_RAM = "{urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100}"


def _is_cii(doc) -> bool:
    return getattr(doc.syntax, "value", doc.syntax) == "cii"


_child = first_child  # the first child element with this tag (as the readers take it)


def _text(el) -> str | None:
    """The string value of an element as the readers take it (None when absent)."""
    if el is None:
        return None
    if len(el):
        return "".join(el.itertext())
    return el.text if el.text is not None else ""


def _lookups(doc) -> tuple[str | None, object]:
    """The specification identifier (BT-24) and the seller's postal country, looked up directly in the
    tree where the readers would find them (first of each), so no model is built for detection.
    The country is ``_UNREAD`` where it is not looked up here (the model is read for it, rarely)."""
    root = doc.root
    if root is None or doc.model_read:
        from .syntax import header

        inv = header(doc)
        seller = inv.seller
        return inv.customization_id, (seller.address.country_code if seller and seller.address else None)
    if _is_cii(doc):
        for c in root:
            if c.tag == _CII_RSM + "ExchangedDocumentContext":
                g = _child(c, _CII_RAM + "GuidelineSpecifiedDocumentContextParameter")
                if g is not None:
                    return _text(_child(g, _CII_RAM + "ID")), _UNREAD
        return None, _UNREAD
    cid = _text(_child(root, _UBL_CBC + "CustomizationID"))
    country = None
    sup = _child(root, _UBL_CAC + "AccountingSupplierParty")
    party = _child(sup, _UBL_CAC + "Party")
    address = _child(party, _UBL_CAC + "PostalAddress")
    if address is not None:
        country = _text(_child(_child(address, _UBL_CAC + "Country"), _UBL_CBC + "IdentificationCode"))
    return cid, country


def specification_identifier(doc) -> str | None:
    """The specification identifier (BT-24) as the model reads it, looked up directly in the tree."""
    return _lookups(doc)[0]


def _model_seller_country(doc):
    from .syntax import header

    seller = header(doc).seller
    return seller.address.country_code if seller and seller.address else None


def detect_profile(doc) -> tuple[str, str]:
    """Profile for a document from its specification identifier (BT-24), with the reason (worked out once per
    document: validation asks first, EINV-S-001 again)."""
    keep = getattr(doc, "root", None) is not None and hasattr(doc, "__dict__")  # (a model built in code may change)
    known = doc.__dict__.get("_detected") if keep else None
    if known is None:
        known = _detect(doc)
        if keep:
            doc.__dict__["_detected"] = known
    return known


def _detect(doc) -> tuple[str, str]:
    legacy = doc.__dict__.get("legacy") if hasattr(doc, "__dict__") else None
    if legacy is not None:
        return _legacy(legacy)
    cid, country = _lookups(doc)
    cid = (cid or "").strip()
    found = guideline_profile(cid)
    if (found is None or found[0] == _EN16931_ID) and cid != _EN16931_ID:  # (no identifier of a profile we know)
        named = _named_otherwise(cid, _is_cii(doc))
        if named is not None:
            return named
    if found is not None:
        prefix, name = found
        # BASIC's identifier followed by 'wl': the level the Factur-X validators read is BASIC WL's, not BASIC's
        if name == "facturx-basic" and cid[len(prefix):].startswith("wl") and _is_cii(doc):
            return "facturx-basicwl", (f"guideline identifier {_quoted(cid)} is none of Factur-X's as written, but names its "
                                       "BASIC WL level: judged by that profile's rules, as the Factur-X validators "
                                       "read it")
        if prefix in NOT_IMPLEMENTED:
            from .rules.scope import unimplemented

            return name, (f"specification identifier {_quoted(cid)} is {unimplemented(cid)}, whose rules are not "
                          f"implemented; applying EN 16931 ({NOT_IMPLEMENTED_RULE})")
        if name == "peppol":
            if country is _UNREAD:
                country = _model_seller_country(doc)
            if country == "NO":
                return "ehf", f"specification identifier {_quoted(cid)} is Peppol BIS Billing 3.0 and the seller is in Norway (EHF)"
        if name == "en16931" and _is_cii(doc) and cid == _EN16931_ID:
            return "facturx-en16931", f"guideline identifier {_quoted(cid)} is the EN16931 profile of Factur-X"
        if name.startswith("facturx-") and not _is_cii(doc):  # (no Factur-X file judges UBL; CEN's UBL rules do)
            return "en16931", (f"specification identifier {_quoted(cid)} is a Factur-X profile, which is CII only: this UBL "
                               "document is judged by EN 16931's UBL rules, as the official validators would")
        if name.startswith("facturx-") and "zugferd.de:2p0" in prefix:
            return name, f"guideline identifier {_quoted(cid)} is ZUGFeRD 2.0 ({PROFILES[name].description})"
        return name, f"specification identifier {_quoted(cid)}"
    return "en16931", ("no specification identifier" if not cid else f"unknown specification identifier {_quoted(cid)}") + "; applying EN 16931"


# the level a Factur-X or ZUGFeRD identifier ends with, as the Factur-X validators read a level (the last name after
# a colon; ZUGFeRD 1.0's COMFORT is EN16931's forerunner)
_NAMED_LEVELS = {"minimum": "facturx-minimum", "basicwl": "facturx-basicwl", "basic": "facturx-basic",
                 "en16931": "facturx-en16931", "extended": "facturx-extended", "comfort": "facturx-en16931"}


def _named_otherwise(cid: str, cii: bool) -> tuple[str, str] | None:
    """The profile of an identifier that names a Factur-X level or XRechnung but in none of their identifiers'
    spellings (compliant and conformant swapped, another version, a typing error), and why; None for another.

    A CII document whose identifier speaks of Factur-X or ZUGFeRD is judged by the profile of the level it ends with,
    as the Factur-X validators take the level from the identifier and their profile's rules then refuse the identifier
    (judged by EN 16931's alone, it passed, where every Factur-X validator rejects it). An identifier in KoSIT's
    XRechnung namespace (xrechnung_3.1, a misspelt 2.3) is judged as XRechnung, whose scenarios match none of them
    (EINV-S-003), as a suffix such as xrechnung_3.0.2 already was."""
    low = cid.lower()
    if cii and ("factur-x.eu" in low or "zugferd.de" in low):
        profile = _NAMED_LEVELS.get(cid.rsplit(":", 1)[-1])
        if profile is not None:
            return profile, (f"guideline identifier {_quoted(cid)} is none of Factur-X's or ZUGFeRD's as written, but names "
                             f"their {profile.removeprefix('facturx-').upper()} level: judged by that profile's rules, "
                             "as the Factur-X validators read it")
    if "xeinkauf.de:kosit:" in low and "xrechnung" in low:
        from .rules.scope import retired

        if retired(cid) is None:
            profile = "xrechnung-extension" if ":extension:xrechnung" in low else "xrechnung"
            return profile, (f"specification identifier {_quoted(cid)} names XRechnung (KoSIT) but is none of the identifiers "
                             "of the release in force; judged as XRechnung")
    return None


# --- the scenario of KoSIT's validator that takes an XRechnung (EINV-S-003) -----------------------------

NO_EXTENSION_SCENARIO = "there is none for an XRechnung extension written as a UBL credit note"


def kosit_scenario(doc) -> tuple[str | None, str, str, Any]:
    """The identifier by which KoSIT's validator in force finds an XRechnung scenario for the document (its
    ``scenarios``: the identifiers each kind of document is matched by, and how), None when none; the identifier
    as written; when none matches, why, in a few words; and the identifier's element (None: there is none).
    Worked out once per document."""
    cache = doc.__dict__.setdefault("_xrechnung", {})
    if "scenario" not in cache:
        cache["scenario"] = _kosit_scenario(doc)
    return cache["scenario"]


def _kosit_scenario(doc) -> tuple[str | None, str, str, Any]:
    from .rules import releases
    from .rules.german import XR_CIUS_ID, XR_CVD_ID, XR_EXTENSION_ID
    from .rules.values import string_value
    from .syntax.namespaces import CBC, RAM, RSM, UBL_CREDIT_NOTE

    root = doc.root
    if getattr(doc.syntax, "value", doc.syntax) == "cii":
        kind = "cii"
        elements = [i for c in root.iterchildren(f"{{{RSM}}}ExchangedDocumentContext")
                    for g in c.iterchildren(f"{{{RAM}}}GuidelineSpecifiedDocumentContextParameter")
                    for i in g.iterchildren(f"{{{RAM}}}ID")]
    else:
        kind = "ubl-creditnote" if root.tag == f"{{{UBL_CREDIT_NOTE}}}CreditNote" else "ubl-invoice"
        elements = list(root.iterchildren(f"{{{CBC}}}CustomizationID"))
    scenario = releases.of(doc, "xrechnung")._merged("scenarios").get(kind) or {}
    ids = {"xrechnung": XR_CIUS_ID, "extension": XR_EXTENSION_ID, "cvd": XR_CVD_ID}  # (the release's names of them)
    accepted = [ids[name] for name in scenario.get("ids", ())]
    values = [string_value(el) for el in elements]
    if scenario.get("compare") == "text":  # (each text node on its own: the element's text, and after each child)
        texts = [t for el in elements for t in [el.text, *(c.tail for c in el)] if t is not None]
    else:
        texts = values
    written, element = (values[0], elements[0]) if values else ("", None)
    matched = next((t for t in texts if t in accepted), None)
    if matched is not None:
        return matched, written, "", element
    if any(v in accepted for v in values):
        reason = "a comment or processing instruction splits it, and the scenario compares its text pieces"
    elif any(v.strip() in accepted for v in values):
        reason = "spaces around it, and the scenarios compare it exactly"
    elif any(v.strip() == XR_EXTENSION_ID for v in values) and XR_EXTENSION_ID not in accepted:
        reason = NO_EXTENSION_SCENARIO
    else:
        reason = "it is none of the identifiers the scenarios compare it with"
    return None, written, reason, element


def layer(name: str, profile: str | None = None) -> RuleSet:
    """The RuleSet of a layer (its module is imported on first use; a missing module is an error); with
    ``profile``, the part of it a document validated against that profile needs (:meth:`RuleSet.for_profile`)."""
    rules = _LAYER_SETS.get(name)
    if rules is None:  # (import_module asks the import machinery again on every call: looked up once)
        module, _, attr = LAYERS[name].partition(":")
        rules = _LAYER_SETS[name] = getattr(importlib.import_module(module), attr)
    return rules if profile is None else rules.for_profile(profile)


_LAYER_SETS: dict[str, RuleSet] = {}


_RULES_FOR: dict[tuple, RuleList] = {}


def rules_for(layers: tuple[str, ...] | list[str], profile: str | None = None) -> list[Rule]:
    """The rules of some layers, in order (the same list, with its execution plans, on every call); with
    ``profile``, those a document validated against it needs."""
    sets = [layer(name, profile) for name in layers]
    key = (tuple(layers), profile, tuple(len(rs) for rs in sets))
    out = _RULES_FOR.get(key)
    if out is None:
        out = RuleList(r for rs in sets for r in rs)
        _RULES_FOR[key] = out
    return out
