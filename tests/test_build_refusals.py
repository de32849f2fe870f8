"""The builder refuses what it cannot issue faithfully, in the caller's terms.

* a format that cannot carry a field the input gives refuses (EINV-B-030), naming the
  field and a format that carries it; ``allow_lossy`` issues and lists each dropped field
  (EINV-B-031), and the official validator accepts what is written;
* a refusal of the input refuses before anything is written: no finding about XML that
  was never issued.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import einvoice
from einvoice.build import build_report, load_input
from einvoice.errors import BuildRefused

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
sys.path.insert(0, str(Path(__file__).resolve().parent))


def _oracle():
    import oracle

    reason = oracle.available()
    if reason:
        pytest.skip(reason)
    return oracle


@pytest.fixture
def fx() -> dict:
    return load_input(SAMPLES / "facturx-en16931.yaml")


def test_minimum_refuses_what_it_cannot_carry_and_names_the_carrier(fx):
    with pytest.raises(BuildRefused) as info:
        einvoice.build(fx, "facturx-minimum")
    by_field = {f.message.split(" cannot carry ")[1].split(",")[0]: f for f in info.value.findings}
    assert all(f.rule == "EINV-B-030" for f in info.value.findings)
    for field in ("due_date", "payment_terms", "payment_means", "seller.contact"):
        assert field in by_field, sorted(by_field)
    assert "facturx-basicwl" in by_field["due_date"].message
    assert "facturx-en16931" in by_field["seller.contact"].message
    # the customer number (buyer_reference) and the amounts are carried by MINIMUM
    assert "buyer_reference" not in by_field and not any(k.startswith("totals") for k in by_field)


@pytest.mark.parametrize("fmt", ["facturx-basicwl", "facturx-basic"])
def test_basic_and_basicwl_refuse_to_drop_the_seller_contact(fx, fmt):
    with pytest.raises(BuildRefused) as info:
        einvoice.build(fx, fmt)
    assert any("seller.contact" in f.message for f in info.value.findings)


@pytest.mark.parametrize("fmt", ["facturx-minimum", "facturx-basicwl", "facturx-basic"])
def test_allow_lossy_lists_every_dropped_field_and_the_official_validator_accepts(fx, fmt):
    oracle = _oracle()
    with pytest.raises(BuildRefused) as info:
        einvoice.build(fx, fmt)
    refused = sorted(f.message.split(" cannot carry ")[1].split(",")[0] for f in info.value.findings)
    xml, report = build_report(fx, fmt, allow_lossy=True)
    dropped = sorted(f.message.split(" cannot carry ")[1].split(",")[0] for f in report.findings if f.rule == "EINV-B-031")
    assert dropped == refused
    assert all(f.severity.value == "warning" for f in report.findings if f.rule == "EINV-B-031")
    failed = oracle.verdict(fmt, xml)
    assert not {r for r in failed if r[1] in ("fatal", "error")}, failed


def test_samples_build_without_loss_in_their_own_format():
    for name, fmt in {"ehf-invoice": "ehf", "ehf-credit-note": "ehf", "peppol-reverse-charge": "peppol",
                      "facturx-en16931": "facturx-en16931"}.items():
        _, report = build_report(load_input(SAMPLES / f"{name}.yaml"), fmt)
        assert not [f for f in report.findings if f.rule.startswith("EINV-B-03")], name


def test_a_refused_input_gives_no_findings_about_unwritten_xml(fx):
    del fx["lines"][0]["price"]
    with pytest.raises(BuildRefused) as info:
        einvoice.build(fx, "facturx-en16931")
    rules = [f.rule for f in info.value.findings]
    assert rules == ["EINV-B-008"], [str(f) for f in info.value.findings]
    assert all(f.line is None for f in info.value.findings)
