"""Differential test: our Peppol BIS Billing verdict (Peppol and national rules) on mutants of complete
invoices against the official Peppol XSLT of their syntax, run through saxonche as an oracle.

No installed package ships the Peppol schematron compiled to XSLT, so the tests run when an
environment variable names one and skip otherwise:

* UBL: EINVOICE_PEPPOL_XSLT (the release it implements in EINVOICE_PEPPOL_RELEASE, default 3.0.21). The
  XSLT of Peppol BIS Billing 3.0.21 is in the phive-rules repository (phax/phive-rules,
  ``phive-rules-peppol/src/main/resources/external/schematron/openpeppol/2026.5/xslt/PEPPOL-EN16931-UBL.xslt``).
* CII: EINVOICE_PEPPOL_CII_XSLT (release in EINVOICE_PEPPOL_CII_RELEASE, default 3.0.19): the official CII
  schematron (OpenPEPPOL/peppol-bis-invoice-3, ``rules/sch/PEPPOL-EN16931-CII.sch``) compiled to XSLT,
  for example with SchXslt's ``pipeline-for-svrl.xsl``.

They are read from there, never copied into the project.

Most mutants are first moved to a country with national rules (seller, often buyer: postal country and
VAT prefix), then get one to three mutations of ``tests/mutate.py``: duplicated parties and codes,
whitespace, comments and number forms are where the official variables (``$supplierCountry``,
``$DKSupplierCountry`` ...) behave in ways a reading of the model would not. A mutant on which the
official XSLT stops with a dynamic error has no official verdict and is replaced by another.

The number of mutants is EINVOICE_PEPPOL_MUTANTS (default 1500).
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import oracle  # noqa: E402
from fragments import CONFORMANCE, NO_CORPUS  # noqa: E402
from mutate import mutant, nationalize  # noqa: E402

SYNTAXES = {  # syntax -> (variable naming the XSLT, variable naming its release, default release, root names)
    "ubl": ("EINVOICE_PEPPOL_XSLT", "EINVOICE_PEPPOL_RELEASE", "3.0.21", ("Invoice", "CreditNote")),
    "cii": ("EINVOICE_PEPPOL_CII_XSLT", "EINVOICE_PEPPOL_CII_RELEASE", "3.0.19", ("CrossIndustryInvoice",)),
}


def _release(syn: str) -> str:
    _var, rel_var, default, _names = SYNTAXES[syn]
    return os.environ.get(rel_var, default)


def _sources(syn: str) -> list[tuple[str, bytes]]:
    from lxml import etree

    out = []
    for p in sorted(CONFORMANCE.rglob("*.xml")):
        if p.stat().st_size >= 200_000:
            continue
        data = p.read_bytes()
        try:
            root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
        except etree.XMLSyntaxError:
            continue
        if isinstance(root.tag, str) and root.tag.rpartition("}")[2] in SYNTAXES[syn][3]:
            out.append((str(p.relative_to(CONFORMANCE)), data))
    return out


def our_verdict(data: bytes, release: str) -> set[tuple[str, str]] | str:
    from einvoice import syntax
    from einvoice.errors import UnreadableInput
    from einvoice.validate import validate_document

    try:
        doc = syntax.load(data)
    except UnreadableInput as exc:
        return f"unreadable: {exc}"
    doc.profile = "peppol"
    report = validate_document(doc, profile="peppol", schema=False, layers=("peppol", "national"),
                               rules={"peppol": release})
    if report.internal_errors:
        return "internal errors: " + "; ".join(report.internal_errors)
    return {(f.rule, f.severity.value) for f in report.findings}


def _needs(syn: str) -> Path:
    if not CONFORMANCE.is_dir():
        pytest.skip(NO_CORPUS)
    reason = oracle.available()
    if reason:
        pytest.skip(reason)
    xslt = oracle.peppol_xslt(SYNTAXES[syn][0])
    if xslt is None:
        pytest.skip(f"{SYNTAXES[syn][0]} does not name an official Peppol BIS Billing {syn.upper()} XSLT (see this "
                    "module's text for where the rules are published); no package ships it")
    return xslt


def _differences(ours, theirs) -> str:
    if isinstance(ours, str):
        return ours
    return f"missing {sorted(theirs - ours)} extra {sorted(ours - theirs)}"


@pytest.mark.parametrize("syn", list(SYNTAXES))
def test_complete_examples_agree_with_the_official_peppol_xslt(syn):
    xslt, release = _needs(syn), _release(syn)
    sources = _sources(syn)
    assert sources, f"no complete {syn.upper()} documents found"
    bad = []
    for name, data in sources:
        ours, theirs = our_verdict(data, release), oracle.verdict_of_file(xslt, data)
        if ours != theirs:
            bad.append(f"{name}: {_differences(ours, theirs)}")
    assert not bad, f"{len(bad)} of {len(sources)} disagree:\n" + "\n".join(bad)


@pytest.mark.parametrize("syn", list(SYNTAXES))
def test_mutants_agree_with_the_official_peppol_xslt(syn):
    xslt, release = _needs(syn), _release(syn)
    sources = _sources(syn) + [(p.name, p.read_bytes()) for p in oracle.seed_files(syn)]  # (more: EINVOICE_SEEDS)
    total = int(os.environ.get("EINVOICE_PEPPOL_MUTANTS", "1500"))
    disagreements, compared, stopped, national = [], 0, 0, 0
    seed = 0
    while compared < total and seed < total * 3:
        name, data = sources[seed % len(sources)]
        rng = random.Random(seed)
        what = []
        if rng.random() < 0.7:
            data, w = nationalize(data, rng)
            what.append(w)
        data, w = mutant(data, 5000 + seed)
        what.append(w)
        seed += 1
        try:
            theirs = oracle.verdict_of_file(xslt, data)
        except Exception:  # noqa: BLE001 - a dynamic error of the official XSLT: no verdict to compare
            stopped += 1
            continue
        compared += 1
        national += len(what) > 1
        ours = our_verdict(data, release)
        if ours != theirs:
            disagreements.append(f"{name} seed={seed - 1} [{'; '.join(what)}]: {_differences(ours, theirs)}")
    print(f"\ncompared {compared} {syn.upper()} mutants ({national} moved to a national rule set) with the official "
          f"Peppol {release} XSLT; {stopped} more stopped it with a dynamic error")
    assert compared >= total
    for line in disagreements:
        print("  " + line)
    assert not disagreements, f"{len(disagreements)} of {compared} mutants disagree; first: {disagreements[0]}"
