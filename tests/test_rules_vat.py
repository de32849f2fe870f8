"""EN 16931 VAT category rules (BR-S/Z/E/AE/IC/G/O/AF/AG/B) on small documents, on models
written by our writers, and agreement with the official unit tests when the corpus is present."""

from __future__ import annotations

import copy
import os
import re
from datetime import date
from decimal import Decimal

import pytest
from lxml import etree

from einvoice import syntax
from einvoice.model.invoice import (
    Address,
    Amount,
    DocumentTotals,
    Invoice,
    InvoiceLine,
    Item,
    Party,
    Price,
    TaxCategory,
    TaxRegistration,
    TaxTotal,
    VatBreakdown,
)
from einvoice.rules.engine import Report, run_rules
from einvoice.rules.en16931 import RULES
from pathlib import Path

from fragments import CONFORMANCE, NO_CORPUS, cii, ubl

DATA = Path(__file__).parent / "data"
RAM_NS = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"

MINE = re.compile(r"^BR-(S|Z|E|AE|IC|G|O|AF|AG|B|CL)-\d+$")
VAT_RULES = [r for r in RULES if MINE.match(r.id) and not r.id.startswith("BR-CL-")]



def fired(source: str | bytes | etree._Element) -> set[str]:
    if isinstance(source, str):
        source = source.encode()
    root = source if isinstance(source, etree._Element) else etree.fromstring(source)
    doc = syntax.read_tree(root)
    report = run_rules(doc, VAT_RULES, Report())
    assert not report.internal_errors, report.internal_errors
    return {f.rule for f in report.findings}



def ubl_line(cat: str, rate: str | None, amount: str = "100", scheme: str = "VAT") -> str:
    pct = f"<cbc:Percent>{rate}</cbc:Percent>" if rate is not None else ""
    return (f"<cac:InvoiceLine><cbc:LineExtensionAmount currencyID='EUR'>{amount}</cbc:LineExtensionAmount>"
            f"<cac:Item><cac:ClassifiedTaxCategory><cbc:ID>{cat}</cbc:ID>{pct}"
            f"<cac:TaxScheme><cbc:ID>{scheme}</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory></cac:Item>"
            f"</cac:InvoiceLine>")


def ubl_breakdown(cat: str, rate: str | None, taxable: str, tax: str, extra: str = "") -> str:
    pct = f"<cbc:Percent>{rate}</cbc:Percent>" if rate is not None else ""
    return (f"<cac:TaxTotal><cbc:TaxAmount currencyID='EUR'>{tax}</cbc:TaxAmount><cac:TaxSubtotal>"
            f"<cbc:TaxableAmount currencyID='EUR'>{taxable}</cbc:TaxableAmount>"
            f"<cbc:TaxAmount currencyID='EUR'>{tax}</cbc:TaxAmount>"
            f"<cac:TaxCategory><cbc:ID>{cat}</cbc:ID>{pct}{extra}<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme>"
            f"</cac:TaxCategory></cac:TaxSubtotal></cac:TaxTotal>")


SELLER_VAT = ("<cac:AccountingSupplierParty><cac:Party><cac:PartyTaxScheme><cbc:CompanyID>NO974760673MVA</cbc:CompanyID>"
              "<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme></cac:Party>"
              "</cac:AccountingSupplierParty>")
BUYER_VAT = SELLER_VAT.replace("AccountingSupplierParty", "AccountingCustomerParty").replace("NO974", "SE556")


# --- UBL ------------------------------------------------------------------------


def test_standard_rated_invoice_is_clean():
    doc = ubl(SELLER_VAT + ubl_breakdown("S", "25", "100", "25") + ubl_line("S", "25"))
    assert fired(doc) == set()


def test_standard_rate_zero_on_a_line():
    doc = ubl(SELLER_VAT + ubl_breakdown("S", "25", "100", "25") + ubl_line("S", "0"))
    assert "BR-S-05" in fired(doc)


def test_standard_rate_missing_on_a_line():
    assert "BR-S-05" in fired(ubl(ubl_line("S", None)))


def test_category_of_another_tax_scheme_is_not_a_vat_category():
    # the rate rule looks only at categories of the VAT scheme
    assert "BR-S-05" not in fired(ubl(ubl_line("S", "0", scheme="GST")))


def test_standard_rated_line_needs_a_breakdown_and_a_seller_vat_id():
    assert {"BR-S-01", "BR-S-02"} <= fired(ubl(ubl_line("S", "25")))


def test_breakdown_amounts_within_one_unit():
    ok = ubl(SELLER_VAT + ubl_breakdown("S", "25", "100.90", "25.22") + ubl_line("S", "25", "100"))
    assert "BR-S-08" not in fired(ok)
    off = ubl(SELLER_VAT + ubl_breakdown("S", "25", "102", "25.50") + ubl_line("S", "25", "100"))
    assert "BR-S-08" in fired(off)
    wrong_tax = ubl(SELLER_VAT + ubl_breakdown("S", "25", "100", "27") + ubl_line("S", "25", "100"))
    assert "BR-S-09" in fired(wrong_tax)


def test_standard_rated_breakdown_must_not_carry_an_exemption_reason():
    extra = "<cbc:TaxExemptionReason>why not</cbc:TaxExemptionReason>"
    doc = ubl(SELLER_VAT + ubl_breakdown("S", "25", "100", "25", extra) + ubl_line("S", "25"))
    assert "BR-S-10" in fired(doc)


def test_zero_rated_exact_amounts_and_no_reason():
    good = ubl(SELLER_VAT + ubl_breakdown("Z", "0", "100", "0") + ubl_line("Z", "0"))
    assert fired(good) == set()
    off = ubl(SELLER_VAT + ubl_breakdown("Z", "0", "100.01", "0") + ubl_line("Z", "0"))
    assert "BR-Z-08" in fired(off)  # no tolerance for the zero categories
    taxed = ubl(SELLER_VAT + ubl_breakdown("Z", "0", "100", "1") + ubl_line("Z", "0"))
    assert "BR-Z-09" in fired(taxed)


def test_exempt_needs_a_reason():
    no_reason = ubl(SELLER_VAT + ubl_breakdown("E", "0", "100", "0") + ubl_line("E", "0"))
    assert "BR-E-10" in fired(no_reason)
    code = "<cbc:TaxExemptionReasonCode>VATEX-EU-132</cbc:TaxExemptionReasonCode>"
    assert fired(ubl(SELLER_VAT + ubl_breakdown("E", "0", "100", "0", code) + ubl_line("E", "0"))) == set()


def test_reverse_charge_needs_buyer_identifier():
    reason = "<cbc:TaxExemptionReasonCode>VATEX-EU-AE</cbc:TaxExemptionReasonCode>"
    body = ubl_breakdown("AE", "0", "100", "0", reason) + ubl_line("AE", "0")
    assert "BR-AE-02" in fired(ubl(SELLER_VAT + body))
    assert fired(ubl(SELLER_VAT + BUYER_VAT + body)) == set()


def test_two_breakdowns_for_one_zero_category():
    twice = ubl(SELLER_VAT + ubl_breakdown("E", "0", "50", "0", "<cbc:TaxExemptionReason>x</cbc:TaxExemptionReason>")
                .replace("</cac:TaxTotal>", "")
                + "<cac:TaxSubtotal><cbc:TaxableAmount currencyID='EUR'>50</cbc:TaxableAmount>"
                  "<cbc:TaxAmount currencyID='EUR'>0</cbc:TaxAmount><cac:TaxCategory><cbc:ID>E</cbc:ID>"
                  "<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory></cac:TaxSubtotal></cac:TaxTotal>"
                + ubl_line("E", "0"))
    assert "BR-E-01" in fired(twice)


def test_intra_community_supply_needs_delivery_facts():
    reason = "<cbc:TaxExemptionReasonCode>VATEX-EU-IC</cbc:TaxExemptionReasonCode>"
    body = SELLER_VAT + BUYER_VAT + ubl_breakdown("K", "0", "100", "0", reason) + ubl_line("K", "0")
    assert {"BR-IC-11", "BR-IC-12"} <= fired(ubl(body))
    delivery = ("<cac:Delivery><cbc:ActualDeliveryDate>2024-05-01</cbc:ActualDeliveryDate><cac:DeliveryLocation>"
                "<cac:Address><cac:Country><cbc:IdentificationCode>SE</cbc:IdentificationCode></cac:Country>"
                "</cac:Address></cac:DeliveryLocation></cac:Delivery>")
    assert fired(ubl(body.replace("<cac:TaxTotal>", delivery + "<cac:TaxTotal>"))) == set()


def test_not_subject_to_vat_excludes_vat_ids_and_other_categories():
    reason = "<cbc:TaxExemptionReason>Not subject</cbc:TaxExemptionReason>"
    clean = ubl(ubl_breakdown("O", None, "100", "0", reason) + ubl_line("O", None))
    assert fired(clean) == set()
    assert "BR-O-02" in fired(ubl(SELLER_VAT + ubl_breakdown("O", None, "100", "0", reason) + ubl_line("O", None)))
    assert "BR-O-05" in fired(ubl(ubl_breakdown("O", None, "100", "0", reason) + ubl_line("O", "0")))
    mixed = ubl(ubl_breakdown("O", None, "100", "0", reason) + ubl_line("O", None) + ubl_line("S", "25"))
    assert "BR-O-12" in fired(mixed)


def test_not_subject_to_vat_beside_other_categories_fails_once_per_document_in_ubl():
    """CEN's UBL rules test BR-O-11..14 once, on the document root: an invoice with three lines of other categories
    fails BR-O-12 once, where ours failed it once per line (the ids agreed; a count of findings, in SARIF say, did
    not; found by documents generated from the UBL schema). The finding names the first such line's category."""
    reason = "<cbc:TaxExemptionReason>Not subject</cbc:TaxExemptionReason>"
    body = (ubl_breakdown("O", None, "100", "0", reason) + ubl_breakdown("S", "25", "200", "50")
            + ubl_breakdown("Z", "0", "100", "0") + ubl_line("O", None) + ubl_line("S", "25") + ubl_line("S", "25")
            + ubl_line("Z", "0"))
    data = ubl(body).encode()
    doc = syntax.read_tree(etree.fromstring(data))
    found = [f for f in run_rules(doc, VAT_RULES, Report()).findings if f.rule in ("BR-O-11", "BR-O-12")]
    assert sorted(f.rule for f in found) == ["BR-O-11", "BR-O-12"], [(f.rule, f.xpath) for f in found]
    line12 = next(f for f in found if f.rule == "BR-O-12")
    assert "InvoiceLine[2]" in line12.xpath, line12.xpath  # (the first line of another category)
    import oracle

    if oracle.available() is None:
        from lxml import etree as et

        svrl = et.fromstring(oracle.svrl("en16931-ubl", data).encode())
        ids = [fa.get("id") for fa in svrl.iter("{http://purl.oclc.org/dsdl/svrl}failed-assert")]
        assert ids.count("BR-O-11") == 1 and ids.count("BR-O-12") == 1, ids


def test_igic_rate_zero_is_allowed_in_ubl_but_not_in_cii():
    assert "BR-AF-05" not in fired(ubl(ubl_line("L", "0")))
    assert "BR-AF-05" in fired(cii(_cii_line("L", "0")))


def test_split_payment_only_in_italy_and_not_with_standard_rate():
    it = ("<cac:AccountingSupplierParty><cac:Party><cac:PostalAddress><cac:Country><cbc:IdentificationCode>{}"
          "</cbc:IdentificationCode></cac:Country></cac:PostalAddress></cac:Party></cac:AccountingSupplierParty>")
    assert "BR-B-01" not in fired(ubl(it.format("IT") + ubl_line("B", "22")))
    assert "BR-B-01" in fired(ubl(it.format("NO") + ubl_line("B", "22")))
    assert "BR-B-02" in fired(ubl(ubl_line("B", "22") + ubl_line("S", "22")))


def test_allowance_rate_rules():
    ac = ("<cac:AllowanceCharge><cbc:ChargeIndicator>{ind}</cbc:ChargeIndicator>"
          "<cbc:Amount currencyID='EUR'>10</cbc:Amount><cac:TaxCategory><cbc:ID>S</cbc:ID>"
          "<cbc:Percent>0</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory>"
          "</cac:AllowanceCharge>")
    assert "BR-S-06" in fired(ubl(ac.format(ind="false")))
    assert "BR-S-07" in fired(ubl(ac.format(ind=" true ")))


# --- CII ------------------------------------------------------------------------


def _cii_line(cat: str, rate: str | None, amount: str = "100") -> str:
    pct = f"<ram:RateApplicablePercent>{rate}</ram:RateApplicablePercent>" if rate is not None else ""
    return ("<rsm:SupplyChainTradeTransaction><ram:IncludedSupplyChainTradeLineItem><ram:SpecifiedLineTradeSettlement>"
            f"<ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>{cat}</ram:CategoryCode>{pct}"
            "</ram:ApplicableTradeTax><ram:SpecifiedTradeSettlementLineMonetarySummation>"
            f"<ram:LineTotalAmount>{amount}</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation>"
            "</ram:SpecifiedLineTradeSettlement></ram:IncludedSupplyChainTradeLineItem>"
            "</rsm:SupplyChainTradeTransaction>")


def _cii_header(cat: str, rate: str, basis: str, calc: str, extra: str = "") -> str:
    return ("<ram:ApplicableHeaderTradeSettlement><ram:ApplicableTradeTax>"
            f"<ram:CalculatedAmount>{calc}</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode>{extra}"
            f"<ram:BasisAmount>{basis}</ram:BasisAmount><ram:CategoryCode>{cat}</ram:CategoryCode>"
            f"<ram:RateApplicablePercent>{rate}</ram:RateApplicablePercent></ram:ApplicableTradeTax>"
            "</ram:ApplicableHeaderTradeSettlement>")


def _cii_doc(cat: str, line_rate: str, rate: str, basis: str, calc: str, seller: bool = True) -> str:
    sel = ("<ram:ApplicableHeaderTradeAgreement><ram:SellerTradeParty><ram:SpecifiedTaxRegistration>"
           "<ram:ID schemeID='VA'>DE123456789</ram:ID></ram:SpecifiedTaxRegistration></ram:SellerTradeParty>"
           "</ram:ApplicableHeaderTradeAgreement>") if seller else ""
    line = _cii_line(cat, line_rate).replace("</rsm:SupplyChainTradeTransaction>", "")
    return cii(line + sel + _cii_header(cat, rate, basis, calc) + "</rsm:SupplyChainTradeTransaction>")


def test_cii_standard_rated():
    assert fired(_cii_doc("S", "19", "19", "100", "19")) == set()
    assert "BR-S-02" in fired(_cii_doc("S", "19", "19", "100", "19", seller=False))
    assert "BR-S-05" in fired(_cii_doc("S", "0", "19", "100", "19"))
    # in CII the taxable amount must match exactly
    assert "BR-S-08" in fired(_cii_doc("S", "19", "19", "100.50", "19.10"))
    assert "BR-S-09" in fired(_cii_doc("S", "19", "19", "100", "25"))


@pytest.mark.parametrize(("basis", "rate", "calc", "fires"), [
    ("0.00", "1e400", "0.00", True),        # 0 x INF is NaN as a double: no tax amount matches it
    ("100.00", "1e400", "19.00", True),     # INF
    ("100.00", "INF", "19.00", True),
    ("100.00", "NaN", "19.00", True),
    ("100.00", " 19 ", "19.00", False),     # the untyped rate is trimmed
    ("100.00", "1.9E1", "19.00", False),    # and read as a double
    # the product is a double: 10^18 x 7.7 loses the cents the decimal bounds keep
    ("1000000000000000000.00", "7.7", "76999999999999999.01", True),
    ("99999999999999999999.99", "100", "99999999999999999999.00", True),
])
def test_cii_br_s_09_multiplies_as_a_double(basis, rate, calc, fires):
    """The official CII rule multiplies the decimal taxable amount by the untyped rate, which makes
    the product an xs:double (verdicts of the official Factur-X EN16931 XSLT on these values)."""
    assert ("BR-S-09" in fired(_cii_doc("S", "19", rate, basis, calc))) is fires


def test_cii_fuzz_input_with_an_infinite_rate_evaluates_every_rule():
    """A fuzz mutant (rate 1e400 beside a zero taxable amount) once stopped the VAT family."""
    import einvoice

    data = (DATA / "br-s-09-infinite-rate.xml").read_bytes()
    report = einvoice.validate(data)
    rules = {f.rule for f in report.findings}
    assert "BR-S-09" in rules
    assert not [f for f in report.findings if f.rule.startswith("EINV-INTERNAL")]


def test_cii_category_needs_one_header_tax():
    assert "BR-E-01" in fired(cii(_cii_line("E", "0")))
    assert "BR-S-01" in fired(cii(_cii_line("S", "19")))


def _two_codes(xml: str, first: str, second: str) -> str:
    """Every ram:CategoryCode element of ``first`` followed by a second one, ``second``."""
    return xml.replace(f"<ram:CategoryCode>{first}</ram:CategoryCode>",
                       f"<ram:CategoryCode>{first}</ram:CategoryCode><ram:CategoryCode>{second}</ram:CategoryCode>")


_AC = ("<rsm:SupplyChainTradeTransaction><ram:ApplicableHeaderTradeSettlement><ram:SpecifiedTradeAllowanceCharge>"
       "<ram:ChargeIndicator><udt:Indicator>{ind}</udt:Indicator></ram:ChargeIndicator><ram:ActualAmount>10</ram:ActualAmount>"
       "<ram:CategoryTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>{a}</ram:CategoryCode>"
       "<ram:CategoryCode>{b}</ram:CategoryCode><ram:RateApplicablePercent>{rate}</ram:RateApplicablePercent>"
       "</ram:CategoryTradeTax></ram:SpecifiedTradeAllowanceCharge></ram:ApplicableHeaderTradeSettlement>"
       "</rsm:SupplyChainTradeTransaction>")


# (where, first code, second code, rate) -> the VAT rule ids CEN's CII XSLT (1.3.16) reports on the document
@pytest.mark.parametrize(("where", "a", "b", "rate", "official"), [
    ("line", "E", "S", "50", {"BR-E-01", "BR-E-02", "BR-E-05", "BR-S-01"}),  # E comes before S: no BR-S-05
    ("line", "S", "E", "0", {"BR-E-01", "BR-E-02", "BR-S-01"}),              # whatever the document's order
    ("line", "Z", "S", "0", {"BR-S-01", "BR-S-02", "BR-S-05", "BR-Z-01"}),   # S before Z: no BR-Z-05
    ("line", "Z", "AE", "50", {"BR-AE-01", "BR-AE-02", "BR-AE-05", "BR-Z-01"}),
    ("line", "O", "L", "0", {"BR-AF-01", "BR-AF-02", "BR-AF-05"}),           # L before O: no BR-O-05
    ("allowance", "S", "E", "19", {"BR-E-01", "BR-E-03", "BR-E-06", "BR-S-01"}),
    ("charge", "S", "E", "19", {"BR-E-01", "BR-E-04", "BR-E-07", "BR-S-01"}),
    ("header", "L", "O", "7", {"BR-O-01"}),                                  # L's context, not O's (BR-O-08 ...)
    ("header", "O", "L", "7", {"BR-O-01"}),
    ("header", "M", "O", "7", {"BR-O-01"}),
    ("header", "L", "M", "7", set()),
])
def test_cii_a_tax_with_two_categories_is_judged_by_the_first_category_context(where, a, b, rate, official):
    """CEN's CII rules hold the category contexts of lines, allowances and charges in one pattern, tried in the
    order AE, L, M, E, G, K, O, S, Z (the header's L, M and O contexts, the tax itself, in the order L, M, O): a
    tax with two category codes (not schema-valid, still judged) is the context of the first of that order only."""
    if where == "line":
        doc = _two_codes(cii(_cii_line(a, rate)), a, b)
    elif where == "header":
        doc = _two_codes(cii("<rsm:SupplyChainTradeTransaction>" + _cii_header(a, rate, "100", "99")
                             + "</rsm:SupplyChainTradeTransaction>"), a, b)
    else:
        doc = cii(_AC.format(ind="true" if where == "charge" else "false", a=a, b=b, rate=rate))
    assert fired(doc) == official


def test_cii_taxes_with_two_categories_agree_with_the_cen_cii_xslt():
    """The cases above and every pair of categories on a line tax, an allowance tax and a header tax of the
    CII examples, against CEN's CII XSLT where EINVOICE_EN16931_CII_XSLT names it."""
    import oracle
    from test_differential_en16931 import _cii_sources, our_verdict

    if not CONFORMANCE.is_dir():
        pytest.skip(NO_CORPUS)
    xslt = oracle.peppol_xslt("EINVOICE_EN16931_CII_XSLT")
    if xslt is None or oracle.available():
        pytest.skip("EINVOICE_EN16931_CII_XSLT does not name CEN's EN 16931 CII XSLT (no package ships it)")
    codes = ["AE", "L", "M", "E", "G", "K", "O", "S", "Z"]
    bad, compared = [], 0
    for src in _cii_sources()[:3]:
        root = etree.parse(str(src)).getroot()
        for tag in ("ApplicableTradeTax", "CategoryTradeTax"):
            n = len(list(root.iter(f"{{{RAM_NS}}}{tag}")))
            for k in sorted({0, n - 1}) if n else ():
                for a in codes:
                    for b in codes:
                        if a == b:
                            continue
                        r2 = copy.deepcopy(root)
                        code = list(r2.iter(f"{{{RAM_NS}}}{tag}"))[k].find(f"{{{RAM_NS}}}CategoryCode")
                        if code is None:
                            continue
                        code.text = a
                        extra = etree.Element(f"{{{RAM_NS}}}CategoryCode")
                        extra.text = b
                        code.addnext(extra)
                        data = etree.tostring(r2)
                        try:
                            theirs = oracle.verdict_of_file(xslt, data)
                        except Exception:  # noqa: BLE001 - no official verdict
                            continue
                        compared += 1
                        ours = our_verdict(data, ("cii-syntax", "en16931"))
                        if ours != theirs:
                            bad.append(f"{src.name} {tag}[{k}] {a}+{b}: missing {sorted(theirs - ours)} extra {sorted(ours - theirs)}")
    assert compared > 300
    assert not bad, f"{len(bad)} of {compared} differ:\n" + "\n".join(bad[:20])


# --- models written by our writers ------------------------------------------------


def _model(rate: Decimal, code: str = "S") -> Invoice:
    cat = TaxCategory(code=code, rate=rate, tax_scheme_id="VAT")
    return Invoice(
        customization_id="urn:cen.eu:en16931:2017",
        number="1", issue_date=date(2024, 5, 1), type_code="380", currency_code="EUR",
        seller=Party(name="Seller AS", address=Address(country_code="NO"),
                     tax_registrations=[TaxRegistration(company_id="NO974760673MVA", scheme="VAT")]),
        buyer=Party(name="Buyer AB", address=Address(country_code="SE")),
        lines=[InvoiceLine(id="1", quantity=Decimal(1), unit_code="C62",
                           net_amount=Amount(value=Decimal(100), currency_id="EUR"),
                           price=Price(net_amount=Amount(value=Decimal(100), currency_id="EUR")),
                           item=Item(name="Thing", tax_category=cat))],
        tax_totals=[TaxTotal(tax_amount=Amount(value=Decimal(100) * rate / 100, currency_id="EUR"),
                             breakdown=[VatBreakdown(taxable_amount=Amount(value=Decimal(100), currency_id="EUR"),
                                                     tax_amount=Amount(value=Decimal(100) * rate / 100, currency_id="EUR"),
                                                     category=cat)])],
        totals=DocumentTotals(line_extension_amount=Amount(value=Decimal(100), currency_id="EUR"),
                              payable_amount=Amount(value=Decimal(100) + rate, currency_id="EUR")),
    )


@pytest.mark.parametrize("write", ["ubl", "cii"])
def test_written_model_with_zero_standard_rate_breaks_br_s_05(write):
    if write == "ubl":
        from einvoice.syntax.ubl.writer import write_ubl as w
    else:
        from einvoice.syntax.cii.writer import write_cii as w
    assert not {"BR-S-05", "BR-S-08", "BR-S-09"} & fired(w(_model(Decimal(25))))
    assert "BR-S-05" in fired(w(_model(Decimal(0))))


# --- official unit tests ----------------------------------------------------------


def test_agrees_with_official_unit_tests_for_vat_and_code_rules():
    tests = CONFORMANCE / "en16931" / "test"
    if not tests.is_dir():
        pytest.skip(NO_CORPUS)
    vefa = "{http://difi.no/xsd/vefa/validator/1.0}"
    mine = [r for r in RULES if MINE.match(r.id)]
    total, wrong = 0, []
    for path in sorted(tests.rglob("*.xml")):
        try:
            ts = etree.parse(str(path)).getroot()
        except etree.XMLSyntaxError:
            continue
        if ts.tag != vefa + "testSet":
            continue
        for n, test in enumerate(ts.iter(vefa + "test"), 1):
            asserts = test.find(vefa + "assert")
            checks = [(etree.QName(a).localname, (a.text or "").strip()) for a in (asserts if asserts is not None else [])
                      if isinstance(a.tag, str) and etree.QName(a).localname in ("success", "error")]
            checks = [c for c in checks if MINE.match(c[1])]
            if not checks:
                continue
            el = next(c for c in test if isinstance(c.tag, str)
                      and etree.QName(c).localname in ("Invoice", "CreditNote", "CrossIndustryInvoice"))
            root = etree.ElementTree(copy.deepcopy(el)).getroot()
            report = run_rules(syntax.read_tree(root), mine, Report())
            assert not report.internal_errors
            got = {f.rule for f in report.findings}
            for kind, rid in checks:
                total += 1
                if (kind == "error") != (rid in got):
                    wrong.append((path.name, n, rid, kind))
    assert total > 600
    assert wrong == []


# BR-S-08 (and BR-AF-08, BR-AG-08) in UBL: xs:decimal(cbc:TaxableAmount - 1) < the sum < xs:decimal(cbc:TaxableAmount + 1).
# The untyped amount minus one is a double, made a decimal exactly: 183.23 - 1 is 182.2299999..., so a sum of
# 182.23 is within; 0.1 + 1 is 1.1000000000000000888, so 1.1 is within too (verdicts of the official EN 16931
# UBL XSLT on these documents).
BR_08_BOUNDS = [
    ("183.23", "182.23", False),
    ("181.23", "182.23", True),
    ("0.1", "1.1", False),
    ("2.1", "1.1", True),
    ("100", "101", True),
    ("1E2", "100.5", False),  # a double, not a decimal: read as the subtraction reads it (the official
]                              # run stops on this document at another rule's decimal cast)


@pytest.mark.parametrize(("taxable", "lines", "fires"), BR_08_BOUNDS)
def test_ubl_br_s_08_bounds_are_computed_in_doubles(taxable, lines, fires):
    doc = ubl(SELLER_VAT + ubl_breakdown("S", "25", taxable, "0.50") + ubl_line("S", "25", lines))
    assert ("BR-S-08" in fired(doc)) is fires


def test_br_co_17_zero_rate_decides_without_the_taxable_amount():
    """A zero (or no) rate decides BR-CO-17 on the VAT amount alone: the taxable amount, no decimal here, is
    not read (the official rule never casts it then); with a rate it is, the official validator stops there,
    and the rule fails here."""
    from einvoice.rules.en16931 import RULES as EN

    co17 = [r for r in EN if r.id == "BR-CO-17"]

    def co17_fires(xml: str) -> bool:
        report = run_rules(syntax.read_tree(etree.fromstring(xml.encode())), co17, Report())
        assert not report.internal_errors, report.internal_errors
        return bool(report.findings)

    assert not co17_fires(ubl(ubl_breakdown("Z", "0", "1E2", "0")))
    assert co17_fires(ubl(ubl_breakdown("S", "25", "1E2", "25")))
    assert not co17_fires(ubl(ubl_breakdown("S", "25", "100", "25")))
    assert not co17_fires(_cii_doc("Z", "0", "0", "1E2", "0"))
    assert co17_fires(_cii_doc("S", "19", "19", "1E2", "19.00"))


@pytest.mark.parametrize("calc, fires", [("0.00", False), ("0", False), ("-0.00", True), ("-0", False)])
def test_cii_exempt_vat_amount_is_zero_as_saxon_compares_it(calc, fires):
    """BR-E-09 in CII: ``../ram:CalculatedAmount = 0``, an untyped value against a number: '-0.00' is below
    zero in Saxon's order, '-0' reads as the integer 0 (verdicts of the CEN EN 16931 CII XSLT)."""
    assert ("BR-E-09" in fired(_cii_doc("E", "0", "0", "100", calc))) is fires


# CII BR-S-08 / BR-E-08: ``ram:BasisAmount = sums`` and ``ram:BasisAmount -/+ 1`` on the untyped amount: doubles
# (Java's order: '-0.00' is not 0), the sums made doubles (verdicts of the CEN EN 16931 CII XSLT).
@pytest.mark.parametrize("cat, basis, line, fires", [
    ("S", "100.00", "100", False),
    ("S", "-0.00", "0.00", True),
    ("S", "0.00", "0.00", False),
    ("S", "100.000000000000001", "100", False),
    ("E", "100", "101", True),
    ("E", "100.5", "101.49", False),
    ("E", "-0.00", "0.00", False),
])
def test_cii_breakdown_basis_compared_as_the_official_validator_compares_it(cat, basis, line, fires):
    rate = "19" if cat == "S" else "0"
    doc = _cii_doc(cat, rate, rate, basis, "0" if cat != "S" else "0.00").replace(
        "<ram:LineTotalAmount>100</ram:LineTotalAmount>", f"<ram:LineTotalAmount>{line}</ram:LineTotalAmount>")
    assert (f"BR-{cat}-08" in fired(doc)) is fires


def test_cii_breakdown_taxable_amount_against_empty_sums_as_saxon_compares_it():
    """BR-S-08 / BR-O-08 in CII: each term of the official sum is ``round(...) div 100``, a decimal even where
    nothing is summed, and Saxon compares an untyped amount with a decimal as doubles in Java's order: a
    taxable amount written '-0' or '-0.00' is not 0 there. Checked against the CEN CII XSLT when it is given
    (EINVOICE_EN16931_CII_XSLT)."""
    from einvoice.validate import validate

    ram = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
    sample = (Path(__file__).resolve().parents[1] / "samples" / "facturx-en16931.xml").read_bytes()
    cen = os.environ.get("EINVOICE_EN16931_CII_XSLT")
    for code in ("S", "O"):
        for written, fires in (("-0", True), ("-0.00", True), ("0", False), ("0.00", False)):
            root = etree.fromstring(sample)
            breakdowns = [t for t in root.iter(f"{{{ram}}}ApplicableTradeTax") if t.find(f"{{{ram}}}BasisAmount") is not None]
            extra = copy.deepcopy(breakdowns[-1])  # a breakdown no line or allowance belongs to
            extra.find(f"{{{ram}}}BasisAmount").text = written
            extra.find(f"{{{ram}}}CalculatedAmount").text = "0"
            extra.find(f"{{{ram}}}CategoryCode").text = code
            rate = extra.find(f"{{{ram}}}RateApplicablePercent")
            if code == "S":
                rate.text = "3"
            else:
                extra.remove(rate)
            breakdowns[-1].addnext(extra)
            data = etree.tostring(root)
            rule = f"BR-{code}-08"
            assert (rule in {f.rule for f in validate(data, profile="en16931", schema=False).findings}) == fires, (code, written)
            if cen:
                import oracle

                assert (rule in {r for r, _ in oracle.verdict_of_file(Path(cen), data)}) == fires, (code, written)


def test_breakdown_sums_are_added_once_per_document_as_each_breakdown_would_add_them():
    """Each VAT breakdown added the amounts of every line of its category and rate (8,000 rates x 8,000 lines: 7.7 s
    for an 8 MB invoice): the sums are made once per document, per code and per code and rate, and each is what the
    breakdown's own pass over the rows gave (in order, a row once however often its rate repeats)."""
    import random
    from decimal import Decimal

    from einvoice.rules.en16931.vat import ZERO, _sums

    rng = random.Random(20263171)
    for _ in range(200):
        rows = [({rng.choice("SZEAEO") for _ in range(rng.randint(0, 2))},
                 [Decimal(rng.choice(["25", "25.0", "15", "0", "12.5"])) for _ in range(rng.randint(0, 3))],
                 None if rng.random() < 0.1 else Decimal(rng.randint(-500, 5000)) / 100) for _ in range(rng.randint(0, 12))]
        sums = _sums(rows)
        for code in "SZEAEOX":
            for rate in (None, Decimal("25"), Decimal("25.00"), Decimal("15"), Decimal("0"), Decimal("12.5"), Decimal("7")):
                plain = sum((a for codes, rates, a in rows if a is not None and code in codes
                             and (rate is None or rate in rates)), ZERO)
                assert sums[code, rate] == plain, (rows, code, rate)
