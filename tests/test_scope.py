"""Honest scope: a document that asks for a rule set einvoice does not implement gets EINV-S-001,
--fail-on warning fails, and the text names the rule set; never a bare VALID."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from einvoice.cli import main
from einvoice.rules import scope
from einvoice.validate import validate

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
PEPPOL_ID = b"urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"


def with_identifier(identifier: bytes) -> bytes:
    xml = (SAMPLES / "peppol-reverse-charge.xml").read_bytes()
    assert PEPPOL_ID in xml
    return xml.replace(PEPPOL_ID, identifier)


@pytest.mark.parametrize("identifier, named", [
    (b"urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:selfbilling:3.0", "Self-Billing"),
    (b"urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0", "NLCIUS"),
    (b"urn:cen.eu:en16931:2017#conformant#urn.cpro.gouv.fr:1p0:extended-ctc-fr", "EXTENDED-CTC-FR"),
    (b"urn:cen.eu:en16931:2017#compliant#urn:example.org:house-cius:1.0", "urn:example.org:house-cius:1.0"),
    (b"OIOUBL-2.02", "OIOUBL 2 (the Danish NemHandel format)"),
    # identifiers no profile knows at all: a Factur-X level that does not exist, ZUGFeRD 1.0's
    (b"urn:factur-x.eu:2p0:ultimate", "an unknown specification"),
    (b"urn:ferd:CrossIndustryDocument:invoice:1p0:comfort", "an unknown specification"),
])
def test_unimplemented_rule_set_is_a_finding(identifier, named):
    report = validate(with_identifier(identifier), schema=False)
    found = [f for f in report.findings if f.rule == "EINV-S-001"]
    assert len(found) == 1 and found[0].severity.value == "warning"
    assert named in found[0].message and identifier.decode() in found[0].message


def test_implemented_identifiers_get_no_scope_finding():
    for sample in ("ehf-invoice.xml", "peppol-reverse-charge.xml", "facturx-en16931.xml", "ehf-credit-note.xml"):
        assert not [f for f in validate(SAMPLES / sample).findings if f.rule == "EINV-S-001"], sample
    assert scope.unimplemented(PEPPOL_ID.decode()) is None
    # XRechnung has its profile now (its line left UNIMPLEMENTED when the rule set was added)
    report = validate(with_identifier(b"urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"),
                      schema=False)
    assert report.profile.startswith("xrechnung") and "EINV-S-001" not in {f.rule for f in report.findings}


def test_fail_on_warning_fails_and_the_text_names_the_rule_set(tmp_path):
    path = tmp_path / "sb.xml"
    path.write_bytes(with_identifier(b"urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:selfbilling:3.0"))
    res = CliRunner().invoke(main, ["validate", str(path), "--no-schema", "--fail-on", "warning"])
    assert res.exit_code == 1
    first = res.output.splitlines()[0]
    assert "VALID with warnings" in first and not first.rstrip().endswith(": VALID")
    assert "EINV-S-001" in res.output and "Self-Billing" in res.output and "does not implement" in res.output
    assert CliRunner().invoke(main, ["validate", str(path), "--no-schema"]).exit_code == 0  # default: errors only


def test_the_list_is_data(monkeypatch):
    sb = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:selfbilling:3.0"
    assert scope.unimplemented(sb).startswith("Peppol BIS Self-Billing")
    monkeypatch.delitem(scope.UNIMPLEMENTED, next(k for k in scope.UNIMPLEMENTED if "Self-Billing" in k))
    assert scope.unimplemented(sb) is None


def test_france_ctc_extended_is_not_judged_as_facturx_extended():
    """EXTENDED-CTC-FR has its own schema (CII D22B) and rules; the Factur-X EXTENDED rules reject its
    identifier (FX-SCH-A-000636, as the official Factur-X EXTENDED XSLT does), so the document is checked
    against EN 16931 and the report says the French rules did not run (a CII sample given the identifier)."""
    xml = (SAMPLES / "facturx-en16931.xml").read_bytes()
    guideline = b"<ram:ID>urn:cen.eu:en16931:2017</ram:ID>"
    assert guideline in xml
    ctc = xml.replace(guideline, b"<ram:ID>urn:cen.eu:en16931:2017#conformant#urn.cpro.gouv.fr:1p0:extended-ctc-fr</ram:ID>")
    report = validate(ctc)
    assert report.profile == "en16931" and "EXTENDED-CTC-FR" in report.profile_reason
    rules = {f.rule for f in report.findings}
    assert [f.rule for f in report.findings if f.rule.startswith("EINV-")] == ["EINV-S-001"]  # said once
    assert not any(r.startswith("FX-") for r in rules)
    assert report.valid


def test_every_specification_profile_detection_does_not_implement_is_named_by_the_scope_rules():
    """Profile detection applies EN 16931 to the specifications it knows but does not implement; the scope
    rules' table names each (the report's reason and EINV-S-001 take the name from it)."""
    from einvoice.profiles import NOT_IMPLEMENTED
    from einvoice.rules.scope import unimplemented

    for prefix in NOT_IMPLEMENTED:
        assert unimplemented(prefix) and unimplemented(prefix + "#conformant#urn:example.org:more")


@pytest.mark.parametrize("identifier", [
    b"urn:cen.eu:en16931:2017#compliant#urn:xoev-de:kosit:standard:xrechnung_2.3",
    b"urn:cen.eu:en16931:2017#compliant#urn:xoev-de:kosit:standard:xrechnung_2.0",
    b"urn:cen.eu:en16931:2017#compliant#urn:xoev-de:kosit:standard:xrechnung_2.3#conformant#"
    b"urn:xoev-de:kosit:extension:xrechnung_2.3",
    b"urn:cen.eu:en16931:2017:xoev-de:kosit:standard:xrechnung_1.2",
])
def test_a_retired_xrechnung_is_an_error(identifier):
    """XRechnung 1.x and 2.x passed with a warning (EINV-S-001, EN 16931 alone ran): KoSIT's validator configuration
    in force matches only the XRechnung 3.0 identifiers and rejects them. EINV-S-002 (an error) says so."""
    report = validate(with_identifier(identifier), schema=False)
    assert report.profile == "en16931"
    rules = [f.rule for f in report.findings]
    assert "EINV-S-002" in rules and "EINV-S-001" not in rules and not report.valid
    [found] = [f for f in report.findings if f.rule == "EINV-S-002"]
    assert found.severity.value == "error" and "XRechnung 3.0" in found.message and "names an XRechnung 1.x or 2.x release," in found.message
    assert identifier.decode()[:60] in found.message  # (a long value is quoted by its start and end)
    # the profile asked for by name judges it by its own rules: no scope finding
    for profile in ("xrechnung", "peppol"):
        forced = validate(with_identifier(identifier), schema=False, profile=profile)
        assert "EINV-S-002" not in {f.rule for f in forced.findings}, profile
    assert "EINV-S-002" in {f.rule for f in validate(with_identifier(identifier), schema=False, profile="en16931").findings}


@pytest.mark.parametrize("identifier", [
    b"urn:www.cenbii.eu:transaction:biitrns010:ver2.0:extended:urn:www.peppol.eu:bis:peppol4a:ver2.0",
    b"urn:www.cenbii.eu:transaction:biitrns010:ver2.0:extended:urn:www.peppol.eu:bis:peppol5a:ver2.0:extended:"
    b"urn:www.difi.no:ehf:faktura:ver2.0",
    b"urn:www.cenbii.eu:transaction:biitrns014:ver2.0:extended:urn:www.peppol.eu:bis:peppol5a:ver2.0:extended:"
    b"urn:www.difi.no:ehf:kreditnota:ver2.0",
    b"urn:www.cenbii.eu:transaction:biicoretrdm010:ver1.0:#urn:www.peppol.eu:bis:peppol4a:ver1.0#urn:www.difi.no:ehf:faktura:ver1",
])
def test_peppol_bis_2_and_ehf_2_are_retired(identifier):
    """Peppol BIS 2.0 and EHF 2.0 (and 1.x) passed with a warning (EINV-S-001, EN 16931 alone ran): Peppol BIS Billing
    3.0 replaced them in 2019-2020 and no validator in force has rules for them. EINV-S-002 (an error) names what
    replaced them, in Norway's words too."""
    report = validate(with_identifier(identifier), schema=False)
    assert report.profile == "en16931" and not report.valid
    rules = [f.rule for f in report.findings]
    assert "EINV-S-002" in rules and "EINV-S-001" not in rules
    [found] = [f for f in report.findings if f.rule == "EINV-S-002"]
    assert found.severity.value == "error" and "Peppol BIS 2.0 / EHF 2.0" in found.message
    assert "Peppol BIS Billing 3.0 (EHF in Norway" in found.message and "poacc:billing:3.0" in found.message
    # Peppol BIS Billing 3.0 itself, and its EHF credit note, are not taken for them
    assert scope.retired(PEPPOL_ID.decode()) is None
    assert "EINV-S-002" not in {f.rule for f in validate(SAMPLES / "ehf-credit-note.xml").findings}


FX_EN16931_ID = b"<ram:ID>urn:cen.eu:en16931:2017</ram:ID>"


def cii_with_identifier(identifier: bytes) -> bytes:
    xml = (SAMPLES / "facturx-en16931.xml").read_bytes()
    assert FX_EN16931_ID in xml
    return xml.replace(FX_EN16931_ID, b"<ram:ID>" + identifier + b"</ram:ID>")


@pytest.mark.parametrize("identifier, profile", [
    (b"urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:extended", "facturx-extended"),  # compliant/conformant
    (b"urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:basic", "facturx-basic"),  # swapped
    (b"urn:cen.eu:en16931:2017#conformant#urn:zugferd.de:2p1:extended", "facturx-extended"),  # no ZUGFeRD 2.1 id
    (b"urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p1:en16931", "facturx-en16931"),  # another version
    (b"urn:factur-x.eu:1p0:comfort", "facturx-en16931"),  # ZUGFeRD 1.0's name of it
    (b"urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basicwl", "facturx-basicwl"),  # not BASIC's
])
def test_a_misspelt_facturx_identifier_is_judged_by_the_level_it_names(identifier, profile):
    """An identifier that names a Factur-X level in none of its spellings passed with a warning (EN 16931 alone ran);
    the Factur-X validators read the level from it and that profile's rules refuse the identifier: so here."""
    report = validate(cii_with_identifier(identifier), schema=False)
    assert report.profile == profile and not report.valid
    assert "EINV-S-001" not in {f.rule for f in report.findings}
    guideline = [f for f in report.findings if f.rule.startswith("FX-SCH") and identifier.decode() in f.message]
    assert guideline and all(f.severity.blocking for f in guideline)


@pytest.mark.parametrize("identifier, profile", [
    (b"urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.1", "xrechnung"),
    (b"urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_2.3", "xrechnung"),
    (b"urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_2.3#conformant#"
     b"urn:xeinkauf.de:kosit:extension:xrechnung_2.3", "xrechnung-extension"),
])
def test_an_xrechnung_identifier_of_no_release_in_force_is_refused_as_xrechnung_3_0_2_is(identifier, profile):
    """KoSIT's validator in force matches the XRechnung 3.0 identifiers exactly: xrechnung_3.0.2 was refused
    (EINV-S-003), xrechnung_3.1 and a misspelt 2.3 in the same namespace passed with a warning."""
    for xml in (with_identifier(identifier), cii_with_identifier(identifier)):
        report = validate(xml, schema=False)
        assert report.profile == profile and not report.valid
        assert "EINV-S-003" in {f.rule for f in report.findings if f.severity.value == "error"}
