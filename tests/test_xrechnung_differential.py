"""The XRechnung layer against the official KoSIT XSLT, on the unit documents and their mutants.

No registry package ships the KoSIT XRechnung XSLT (the packages that run it download it
at run time), so this test runs only where the compiled official files are at hand: set
EINVOICE_XRECHNUNG_XSLT to a folder holding XRechnung-UBL-validation.xslt and
XRechnung-CII-validation.xslt (as the KoSIT release or phive-rules ships them). It compares
the (rule id, severity) pairs of every rule of the layer (BR-DE-*, BR-DEX-*, BR-TMP-* and the
Peppol rules the rule set takes over); mutants on which
the official XSLT stops with a dynamic error are left out.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest
from lxml import etree

from einvoice import syntax
from einvoice.profiles import rules_for
from einvoice.rules.engine import Report, run_rules
from mutate import mutant

ROOT = Path(__file__).resolve().parents[1]
UNITS = ROOT / "tests" / "xrechnung"
VEFA = "http://difi.no/xsd/vefa/validator/1.0"
SVRL = "http://purl.oclc.org/dsdl/svrl"
XSLT_DIR = os.environ.get("EINVOICE_XRECHNUNG_XSLT")
MUTANTS = int(os.environ.get("EINVOICE_XRECHNUNG_MUTANTS", "8"))
OURS = ("BR-DE-", "BR-DEX-", "BR-TMP-", "PEPPOL-EN16931-")


def _reason() -> str | None:
    if not XSLT_DIR:
        return "EINVOICE_XRECHNUNG_XSLT is not set (no registry package ships the official KoSIT XSLT)"
    try:
        import saxonche  # noqa: F401
    except ImportError:
        return "saxonche is not installed"
    for name in ("UBL", "CII"):
        if not (Path(XSLT_DIR) / f"XRechnung-{name}-validation.xslt").exists():
            return f"{XSLT_DIR} has no XRechnung-{name}-validation.xslt"
    return None


pytestmark = pytest.mark.skipif(_reason() is not None, reason=_reason() or "")


def _documents() -> list[bytes]:
    """The unit documents, then the crafted ones of test_xrechnung.py (the rules the XRechnung rule set
    words differently from Peppol: HUF tolerance, the gross price's base quantity), then those of EINVOICE_SEEDS."""
    from test_xrechnung import crafted_documents

    out = []
    for path in sorted(UNITS.glob("*.xml")):
        for test in etree.parse(str(path)).getroot().iter(f"{{{VEFA}}}test"):
            for child in test:
                if isinstance(child.tag, str) and etree.QName(child).localname in ("Invoice", "CreditNote", "CrossIndustryInvoice"):
                    out.append(etree.tostring(copy.deepcopy(child)))
    import oracle

    seeds = [p.read_bytes() for kind in ("ubl", "cii") for p in oracle.seed_files(kind)]  # (more: EINVOICE_SEEDS)
    return out + [data for _name, data in crafted_documents()] + seeds


def test_layer_agrees_with_the_official_xslt():
    from saxonche import PySaxonProcessor

    proc = PySaxonProcessor(license=False)
    xslt = {k: proc.new_xslt30_processor().compile_stylesheet(stylesheet_file=str(Path(XSLT_DIR) / f"XRechnung-{k}-validation.xslt"))
            for k in ("UBL", "CII")}
    rules = rules_for(("xrechnung",))

    def official(kind: str, data: bytes) -> set:
        report = etree.fromstring(xslt[kind].transform_to_string(xdm_node=proc.parse_xml(xml_text=data.decode())).encode())
        found = set()
        for el in report.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
            rid, flag = el.get("id") or "", el.get("flag") or "error"
            if rid.startswith(OURS):
                found.add((rid, "info" if flag == "information" else flag))
        return found

    compared, disagreements = 0, []
    for n, data in enumerate(_documents()):
        kind = "CII" if etree.fromstring(data).tag.endswith("CrossIndustryInvoice") else "UBL"
        for seed in range(MUTANTS):
            doc_bytes, what = (data, "as written") if seed == 0 else mutant(data, seed)
            try:
                expected = official(kind, doc_bytes)
            except Exception:  # noqa: BLE001 - the official XSLT cannot evaluate this mutant
                continue
            report = run_rules(syntax.load(doc_bytes), rules, Report())
            assert not report.internal_errors, report.internal_errors
            got = {(f.rule, f.severity.value) for f in report.findings if f.rule.startswith(OURS)}
            compared += 1
            if got != expected:
                disagreements.append((n, seed, what, sorted(expected - got), sorted(got - expected)))
    print(f"\ncompared {compared} documents with the KoSIT XSLT; {len(disagreements)} disagree")
    assert compared > 1000
    assert not disagreements, disagreements[:10]
