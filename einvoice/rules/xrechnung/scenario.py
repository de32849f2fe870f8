"""The levels the KoSIT validator gives some EN 16931 and syntax rules in the XRechnung scenarios.

The KoSIT validator configuration runs the EN 16931 rules with XRechnung, but reports
some of them at another level (``customLevel``; data: ``scenario_levels`` in the
release file). The profiles ``xrechnung`` and ``xrechnung-extension`` therefore run
the EN 16931 and syntax layers without those ids (``EN16931``, ``UBL_SYNTAX``,
``CII_SYNTAX`` below: the same rules, the same metadata), and the XRechnung layer
runs them at the XRechnung level:

* every XRechnung scenario: BR-CL-23 (units) and BR-CL-21 (item scheme) are warnings; UBL-CR-646 (sub-lines
  in UBL; a plain UBL credit note's stays CEN's warning) and CII-SR-452/453/454 are errors;
* the extension (profile ``xrechnung-extension``): BR-CL-10, -11, -21, -24, -25, -26 are
  information only, replaced by the BR-DEX rules, and in UBL also BR-CO-16, UBL-CR-470
  and UBL-CR-646 (not in CII: BR-CO-16 stays fatal there); information is not reported;
* CVD (BT-24 the CVD identifier): BR-CL-13 is information only (the scheme CVD), not reported.
Which ids are information in which scenario is read from the release's ``scenario_levels``.

Ids whose level depends on the scenario keep their EN 16931 level where it does not change it (BR-CL-10 is fatal
outside the extension)."""

from __future__ import annotations

from . import RULES
from .. import releases
from ...basics import with_severity
from ..german import XR_CVD_ID

MOVED = {
    "en16931": ("BR-CL-10", "BR-CL-11", "BR-CL-13", "BR-CL-21", "BR-CL-23", "BR-CL-24", "BR-CL-25", "BR-CL-26", "BR-CO-16"),
    "ubl-syntax": ("UBL-CR-470", "UBL-CR-646"),
    "cii-syntax": ("CII-SR-452", "CII-SR-453", "CII-SR-454"),
}


def _base(name: str):
    from ...profiles import layer

    return layer(name)


# the layers without the ids the XRechnung scenarios report at another level (same rules, same metadata)
EN16931, UBL_SYNTAX, CII_SYNTAX = (_base(n).without(MOVED[n]) for n in ("en16931", "ubl-syntax", "cii-syntax"))


def _is_cvd(doc) -> bool:
    """The CVD scenario is the one KoSIT's validator takes the document by (its identifier read as that scenario
    reads it: a UBL invoice's string value, a credit note's or CII document's text pieces)."""
    from ...profiles import kosit_scenario

    return doc.root is not None and kosit_scenario(doc)[0] == XR_CVD_ID


def _at_xrechnung_level(rule):
    rid, inner = rule.id, rule.check

    def check(doc):  # (the KoSIT scenario the document falls under: plain, extension or CVD, per syntax; a UBL credit
        kind = "extension-" if doc.profile == "xrechnung-extension" else "cvd-" if _is_cvd(doc) else ""  # note's apart)
        kind = kind or ("creditnote-" if str(getattr(doc.root, "tag", "")).endswith("}CreditNote") else "")
        level = releases.of(doc, "xrechnung")._merged("scenario_levels").get(f"xrechnung-{kind}{getattr(doc.syntax, 'value', doc.syntax)}", {}).get(rid)
        return () if level == "info" else with_severity(inner(doc), level) if level else inner(doc)

    check.__name__ = "scenario_" + rid.replace("-", "_").lower()
    return check


for _name, _ids in MOVED.items():
    for _rule in _base(_name).rules:
        if _rule.id in _ids:
            RULES.add(_rule.id, _at_xrechnung_level(_rule), syntax=_rule.syntax)
