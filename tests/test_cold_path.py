"""The single-file validate path stays light: what it must not import, in a fresh process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# the process pool, the progress bar, the PDF/HTML stack and the YAML parser: none of them is
# needed to validate one XML file
NOT_FOR_ONE_FILE = ["concurrent.futures.process", "multiprocessing", "rich", "jinja2", "weasyprint", "pypdf",
                    "facturx", "saxonche",
                    "_hashlib"]  # (OpenSSL's hashes, 4-6 ms to import: the compiled modules' check uses Python's own)

SCRIPT = """
import json, sys
from einvoice.cli import main
try:
    main(["validate", sys.argv[1]])
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "loaded": [m for m in sys.argv[2:] if m in sys.modules]}))
"""


@pytest.mark.parametrize("sample", ["ehf-invoice.xml", "facturx-en16931.xml"])
def test_validate_one_file_imports_no_batch_pool_nor_heavy_modules(sample):
    path = ROOT / "samples" / sample
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(path), *NOT_FOR_ONE_FILE], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["code"] == 0, out.stdout + out.stderr
    assert result["loaded"] == []


def test_validate_one_factur_x_file_reads_no_model_and_loads_no_policy_rules():
    """One file needs no cross-invoice facts (no pydantic model read), and reading the configuration
    does not import the house policy rules (python-stdnum, which imports ssl and pydoc)."""
    path = ROOT / "samples" / "facturx-en16931.xml"
    wanted = ["einvoice.model.invoice", "einvoice.rules.policy.house", "stdnum"]
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(path), *wanted], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["code"] == 0, out.stdout + out.stderr
    assert result["loaded"] == []


def test_validate_one_ehf_file_reads_no_model():
    """The Norwegian rules read the seller's registrations and country from the tree: validating an EHF
    invoice builds no pydantic model (and imports neither the model nor pydantic); the identifier check
    digits need no python-stdnum."""
    path = ROOT / "samples" / "ehf-invoice.xml"
    wanted = ["einvoice.model.invoice", "einvoice.syntax.ubl.reader", "pydantic", "stdnum",
              "einvoice.syntax.cii.rules"]  # nor the rules of the other syntax
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(path), *wanted], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["code"] == 0, out.stdout + out.stderr
    assert result["loaded"] == []


@pytest.mark.parametrize("sample,profile", [("ehf-invoice.xml", "facturx-en16931"), ("ehf-invoice.xml", "ehf"),
                                            ("facturx-en16931.xml", "peppol"), ("facturx-en16931.xml", "xrechnung")])
def test_layers_of_the_other_syntax_are_left_out_with_the_same_report(sample, profile):
    """A layer that serves one syntax only is not loaded for a document of the other; the findings and
    the releases named in the report are those of a run with every layer of the profile."""
    from einvoice import syntax
    from einvoice.profiles import PROFILES, layers_for_syntax
    from einvoice.rules.engine import Context, Report, run_rules
    from einvoice.profiles import rules_for
    from einvoice.validate import validate_document

    doc = syntax.load(ROOT / "samples" / sample)
    layers = PROFILES[profile].layers
    kept = layers_for_syntax(layers, doc.syntax)
    assert len(kept) < len(layers)
    report = validate_document(doc, profile=profile, schema=False)
    full = Report()
    doc = syntax.load(ROOT / "samples" / sample)
    doc.profile = profile
    run_rules(doc, rules_for(layers), full, Context.default(profile=profile))
    assert report.releases == full.releases
    assert [(f.rule, f.line, f.xpath, f.message) for f in report.findings] == \
        [(f.rule, f.line, f.xpath, f.message) for f in full.findings]


def test_a_folder_still_runs_in_parallel(tmp_path):
    from einvoice import batch

    for i in range(10):
        (tmp_path / f"{i}.xml").write_bytes((ROOT / "samples" / "ehf-invoice.xml").read_bytes()
                                            .replace(b"<cbc:ID>", f"<cbc:ID>{i}-".encode(), 1))
    results = batch.run([str(tmp_path)], batch.Options(), jobs=2)
    assert len(results) == 10 and all(r.status in ("valid", "warnings") for r in results)
    assert "multiprocessing.connection" in sys.modules  # the worker pool (einvoice.batch.run_pool) ran


LISTING = """
import json, sys
from einvoice.profiles import layer
for profile in sys.argv[1:]:  # profiles asked for first, in this order
    layer("facturx", profile)
from einvoice.rules.facturx import RULES
rules = [(r.id, r.family.name, r.meta.severity.value, r.meta.message) for r in RULES]
print(json.dumps({"loaded": list(RULES._profiles), "rules": rules}))
"""


def test_validate_one_factur_x_file_loads_its_profiles_rules_only():
    path = ROOT / "samples" / "facturx-en16931.xml"
    script = SCRIPT.replace("print(json.dumps({", "from einvoice.rules.facturx import RULES\n"
                                                 "print(json.dumps({'profiles': list(RULES._profiles), ")
    out = subprocess.run([sys.executable, "-c", script, str(path), "pydantic", "pikepdf"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["code"] == 0, out.stdout + out.stderr
    assert result["profiles"] == ["facturx-en16931"]
    assert result["loaded"] == []  # neither the model (pydantic) nor the PDF reader for an XML file


def test_the_factur_x_layer_lists_the_same_rules_whatever_was_loaded_first():
    def listing(*first: str) -> dict:
        out = subprocess.run([sys.executable, "-c", LISTING, *first], cwd=ROOT, capture_output=True, text=True,
                             timeout=120)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    plain = listing()
    assert len(plain["loaded"]) == 5 and len(plain["rules"]) > 2000
    for first in (("facturx-extended", "facturx-minimum"), ("facturx-basicwl",)):
        again = listing(*first)
        assert again["loaded"][:len(first)] == list(first)
        assert again["rules"] == plain["rules"]
