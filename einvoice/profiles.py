"""Profiles: which layers of rules (and which XSD) apply to a document.

A layer is a :class:`~einvoice.rules.engine.RuleSet`, found by name in
``LAYERS``: the module that defines it is imported on first use, so a run pays
only for the layers it needs.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from .rules.engine import Rule, RuleList, RuleSet

# layer name -> "module:attribute" of its RuleSet
LAYERS: dict[str, str] = {
    "en16931": "einvoice.rules.en16931:RULES",
    "ubl-syntax": "einvoice.syntax.ubl.rules:RULES",
    "cii-syntax": "einvoice.syntax.cii.rules:RULES",
    "peppol": "einvoice.rules.peppol:RULES",
    "national": "einvoice.rules.national:RULES",
    "facturx": "einvoice.rules.facturx:RULES",
    "policy": "einvoice.rules.policy:RULES",
    "xrechnung": "einvoice.rules.xrechnung:RULES",
    "dates": "einvoice.rules.dates:RULES",
    # the EN 16931 and syntax layers without the ids the XRechnung scenarios report at another level
    "en16931-xrechnung": "einvoice.rules.xrechnung.scenario:EN16931",
    "ubl-syntax-xrechnung": "einvoice.rules.xrechnung.scenario:UBL_SYNTAX",
    "cii-syntax-xrechnung": "einvoice.rules.xrechnung.scenario:CII_SYNTAX",
    "scope": "einvoice.rules.scope:RULES",  # EINV-S-001: a rule set the document asks for is not implemented
}


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

for _fx in ("minimum", "basicwl", "basic", "en16931", "extended"):
    _core = ("en16931",) if _fx in ("basic", "en16931", "extended") else ()
    PROFILES[f"facturx-{_fx}"] = Profile(f"facturx-{_fx}", ("cii-syntax", *_core, "facturx", "scope"),
                                         f"Factur-X 1.0 {_fx.upper()} profile")

# XRechnung 3.0 (KoSIT): the German CIUS of EN 16931 and its extension, in UBL and CII (also the
# XRECHNUNG profile of ZUGFeRD / Factur-X, which carries the same identifier)
_XR_LAYERS = ("ubl-syntax-xrechnung", "cii-syntax-xrechnung", "en16931-xrechnung", "xrechnung")
PROFILES["xrechnung"] = Profile("xrechnung", _XR_LAYERS, "XRechnung 3.0 (KoSIT CIUS of EN 16931)")
PROFILES["xrechnung-extension"] = Profile("xrechnung-extension", _XR_LAYERS, "XRechnung 3.0 extension (KoSIT)")

# every profile also checks that its dates exist in the calendar (EINV-DATE-*, einvoice.rules.dates)
for _name, _p in list(PROFILES.items()):
    PROFILES[_name] = Profile(_p.name, (*_p.layers, "dates"), _p.description)

# Specification identifiers (BT-24) -> profile. The first match wins; prefixes are compared.
GUIDELINES: list[tuple[str, str]] = [
    ("urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended", "facturx-extended"),
    ("urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic", "facturx-basic"),
    ("urn:factur-x.eu:1p0:basicwl", "facturx-basicwl"),
    ("urn:factur-x.eu:1p0:minimum", "facturx-minimum"),
    ("urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0", "peppol"),
    ("urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0#conformant#urn:xeinkauf.de:kosit:extension:xrechnung_3.0", "xrechnung-extension"),
    ("urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0", "xrechnung"),
    ("urn:cen.eu:en16931:2017", "en16931"),
]


_UNREAD = object()  # a value not looked up in the tree (the model is asked instead)

_UBL_CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
_UBL_CAC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}"
_CII_RSM = "{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}"
_CII_RAM = "{urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100}"


def _is_cii(doc) -> bool:
    return getattr(doc.syntax, "value", doc.syntax) == "cii"


def _child(el, tag: str):
    """The first child element with this tag (as the readers take it)."""
    if el is None:
        return None
    for c in el:
        if c.tag == tag:
            return c
    return None


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
    """Profile for a document from its specification identifier (BT-24), with the reason."""
    cid, country = _lookups(doc)
    cid = (cid or "").strip()
    for prefix, name in GUIDELINES:
        if cid.startswith(prefix):
            if name == "peppol":
                if country is _UNREAD:
                    country = _model_seller_country(doc)
                if country == "NO":
                    return "ehf", f"specification identifier {cid!r} is Peppol BIS Billing 3.0 and the seller is in Norway (EHF)"
            if name == "en16931" and _is_cii(doc) and cid == "urn:cen.eu:en16931:2017":
                return "facturx-en16931", f"guideline identifier {cid!r} is the EN16931 profile of Factur-X"
            return name, f"specification identifier {cid!r}"
    return "en16931", ("no specification identifier" if not cid else f"unknown specification identifier {cid!r}") + "; applying EN 16931"


def layer(name: str) -> RuleSet:
    """The RuleSet of a layer (its module is imported on first use; a missing module is an error)."""
    module, _, attr = LAYERS[name].partition(":")
    return getattr(importlib.import_module(module), attr)


_RULES_FOR: dict[tuple, RuleList] = {}


def rules_for(layers: tuple[str, ...] | list[str]) -> list[Rule]:
    """The rules of some layers, in order (the same list, with its execution plans, on every call)."""
    sets = [layer(name) for name in layers]
    key = (tuple(layers), tuple(len(rs) for rs in sets))
    out = _RULES_FOR.get(key)
    if out is None:
        out = RuleList(r for rs in sets for r in rs)
        _RULES_FOR[key] = out
    return out
