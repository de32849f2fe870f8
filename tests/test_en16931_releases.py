"""EN 16931 releases: 1.3.16 (in force), 1.3.15 and 1.3.14.1, the CEN rules the official validators of Peppol
BIS 3.0.20 and 3.0.19 run.

Choosing ``--rules peppol=3.0.20`` (3.0.19) brings EN 16931 1.3.15 (1.3.14.1) (``schemas/releases/en16931-*.yaml``)
unless an EN 16931 release is chosen too. Each difference of the UBL binding is tested here in the releases, on
the shipped EHF invoice changed in one place. With EINVOICE_CEN_UBL_XSLT naming the CEN UBL XSLT of a Peppol
release (phax/phive-rules, ``.../openpeppol/2025.11/xslt/CEN-EN16931-UBL.xslt`` for 3.0.20, the default of
EINVOICE_CEN_UBL_PEPPOL_RELEASE; ``phive-rules-peppol-legacy/.../2025.5/...`` for 3.0.19) the same documents are
also compared with it.
"""

from __future__ import annotations

import copy
import os
import sys
from pathlib import Path

import pytest
from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parent))

from einvoice.rules.engine import Context  # noqa: E402
from einvoice.validate import validate  # noqa: E402

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "ehf-invoice.xml"
CAC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}"
CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
NS = {"cac": CAC[1:-1], "cbc": CBC[1:-1]}
OLD, NEW = {"peppol": "3.0.20"}, {"peppol": "3.0.21"}


def _doc(change) -> bytes:
    root = etree.fromstring(SAMPLE.read_bytes())
    change(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _ids(data: bytes, rules: dict, layers=("ubl-syntax", "en16931")) -> set[str]:
    from einvoice import syntax
    from einvoice.validate import validate_document

    report = validate_document(syntax.load(data), schema=False, layers=layers, rules=rules)
    assert not report.internal_errors, report.internal_errors
    return {f.rule for f in report.findings}


def _drop(root, path: str) -> None:
    for el in root.xpath(path, namespaces=NS):
        el.getparent().remove(el)


def _sepa_only(root) -> None:
    party = root.find(f"{CAC}AccountingSupplierParty/{CAC}Party")
    for el in party.xpath("cac:PartyTaxScheme/cbc:CompanyID | cac:PartyLegalEntity/cbc:CompanyID", namespaces=NS):
        el.getparent().remove(el)
    _drop(party, "cac:PartyIdentification")
    ident = etree.Element(CAC + "PartyIdentification")
    etree.SubElement(ident, CBC + "ID", schemeID="SEPA").text = "NO98ZZZ09999999999"
    party.find(CBC + "EndpointID").addnext(ident)


def _type_502(root) -> None:
    root.find(CBC + "InvoiceTypeCode").text = "502"


def _b_next_to_s(root) -> None:
    for el in root.xpath("//cac:ClassifiedTaxCategory/cbc:ID | //cac:TaxSubtotal/cac:TaxCategory/cbc:ID", namespaces=NS):
        el.text = "B"
    sub = root.find(f"{CAC}TaxTotal/{CAC}TaxSubtotal")
    twin = copy.deepcopy(sub)
    twin.find(f"{CAC}TaxCategory/{CBC}ID").text = "S"
    sub.addnext(twin)


def _two_originators(root) -> None:
    for _ in range(2):
        ref = etree.Element(CAC + "OriginatorDocumentReference")
        etree.SubElement(ref, CBC + "ID").text = "T1"
        root.find(CAC + "AccountingSupplierParty").addprevious(ref)


def _refused_elements(root) -> None:
    rep = etree.Element(CAC + "TaxRepresentativeParty")
    etree.SubElement(etree.SubElement(rep, CAC + "PartyName"), CBC + "Name").text = "Rep"
    inner = etree.SubElement(rep, CAC + "Party")
    for _ in range(2):
        etree.SubElement(etree.SubElement(inner, CAC + "PartyTaxScheme"), CBC + "CompanyID").text = "NO999999999MVA"
    card = etree.SubElement(root.find(CAC + "PaymentMeans"), CAC + "CardAccount")
    etree.SubElement(card, CBC + "PrimaryAccountNumber", schemeID="x").text = "1234"
    root.find(CAC + "AccountingCustomerParty").addnext(rep)


def test_peppol_3_0_20_brings_en16931_1_3_15_unless_chosen():
    assert dict(Context.default(rules=OLD).releases)["en16931"] == "1.3.15-peppol"  # (CEN's 1.3.15, 0245 added)
    assert dict(Context.default(rules=NEW).releases)["en16931"] == "1.3.16"
    assert dict(Context.default().releases)["en16931"] == "1.3.16"
    assert dict(Context.default(rules="peppol=3.0.20,en16931=1.3.16").releases)["en16931"] == "1.3.16"
    report = validate(SAMPLE.read_bytes(), profile="ehf", rules="peppol=3.0.20")
    assert report.valid and report.releases == ["EN 16931 1.3.15 (Peppol BIS 3.0.20)", "Peppol BIS Billing 3.0.20"]


def _no_terms(root) -> None:
    _drop(root, "//cbc:DueDate")
    _drop(root, "//cac:PaymentTerms")


def test_br_co_25_amount_due_without_due_date_or_terms_only_in_1_3_15():
    data = _doc(_no_terms)
    assert "BR-CO-25" in _ids(data, OLD) and "BR-CO-25" not in _ids(data, NEW)
    assert "BR-CO-25" not in _ids(SAMPLE.read_bytes(), OLD)  # a due date: passes

    def nothing_due(root):
        _no_terms(root)
        for el in root.xpath("//cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS):
            el.text = "0.00"
    assert "BR-CO-25" not in _ids(_doc(nothing_due), OLD)

    def terms_only(root):
        _drop(root, "//cbc:DueDate")
        _drop(root, "//cac:PaymentTerms")
        terms = etree.Element(CAC + "PaymentTerms")
        etree.SubElement(terms, CBC + "Note").text = "30 days net"
        root.find(CAC + "PaymentMeans").addnext(terms)
    assert "BR-CO-25" not in _ids(_doc(terms_only), OLD)

    def no_number(root):  # (the official rule casts the amount due: an empty one stops it, which counts as failing)
        for el in root.xpath("//cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS):
            el.text = ""
    from einvoice import syntax
    from einvoice.validate import validate_document

    report = validate_document(syntax.load(_doc(no_number)), schema=False, layers=("en16931",), rules=OLD)
    assert report.internal_errors == [] and "BR-CO-25" in {f.rule for f in report.findings}, report.internal_errors


def test_br_co_26_counts_a_sepa_seller_identifier_only_in_1_3_15():
    data = _doc(_sepa_only)
    assert "BR-CO-26" not in _ids(data, OLD) and "BR-CO-26" in _ids(data, NEW)


@pytest.mark.parametrize("code, in_old, in_new", [("ANG", True, False), ("BGN", True, False), ("XCG", False, True)])
def test_currency_lists_differ(code, in_old, in_new):
    def currency(root):
        root.find(CBC + "DocumentCurrencyCode").text = code
        for el in root.xpath("//*[@currencyID]"):
            el.set("currencyID", code)
    data = _doc(currency)
    assert ("BR-CL-04" not in _ids(data, OLD)) is in_old
    assert ("BR-CL-04" not in _ids(data, NEW)) is in_new


@pytest.mark.parametrize("scheme, rule, in_old", [("0246", "BR-CL-25", False), ("0242", "BR-CL-25", False),
                                                  ("0245", "BR-CL-25", True), ("0247", "BR-CL-10", False)])
def test_scheme_lists_differ(scheme, rule, in_old):
    def schemed(root):
        if rule == "BR-CL-25":
            root.find(f"{CAC}AccountingSupplierParty/{CAC}Party/{CBC}EndpointID").set("schemeID", scheme)
        else:
            party = root.find(f"{CAC}AccountingSupplierParty/{CAC}Party")
            ident = etree.Element(CAC + "PartyIdentification")
            etree.SubElement(ident, CBC + "ID", schemeID=scheme).text = "12345"
            party.find(CBC + "EndpointID").addnext(ident)
    data = _doc(schemed)
    assert (rule not in _ids(data, OLD)) is in_old
    assert rule not in _ids(data, NEW)


def test_type_codes_502_and_503_are_invoice_codes_in_1_3_15():
    data = _doc(_type_502)
    assert "BR-CL-01" not in _ids(data, OLD) and "BR-CL-01" in _ids(data, NEW)


def test_br_b_02_does_not_count_the_breakdowns_s_in_1_3_15():
    data = _doc(_b_next_to_s)
    assert "BR-B-02" not in _ids(data, OLD) and "BR-B-02" in _ids(data, NEW)


def test_ubl_sr_56_is_new_in_1_3_16():
    data = _doc(_two_originators)
    assert "UBL-SR-56" not in _ids(data, OLD) and "UBL-SR-56" in _ids(data, NEW)


def test_two_rows_read_elements_the_schema_refuses_in_1_3_15():
    """UBL-SR-23 and UBL-CR-674 of 1.3.15 name cac:TaxRepresentativeParty/cac:Party and cbc:PrimaryAccountNumber."""
    data = _doc(_refused_elements)
    old, new = _ids(data, OLD), _ids(data, NEW)
    assert {"UBL-SR-23", "UBL-CR-674"} <= old and not {"UBL-SR-23", "UBL-CR-674"} & new


def test_cens_1_3_15_lists_and_the_copy_peppol_3_0_20_runs():
    """CEN's 1.3.15 (what KoSIT runs) has neither ICD nor EAS 0245, and its ICD list never matches 0244 (no blank
    after the last code); the copy Peppol 3.0.20 runs adds 0245 and matches 0244, in UBL only (its validation is UBL):
    a CII document under it gets CEN's lists, as under 1.3.15."""
    from einvoice.rules.releases import release

    cen, peppol, new = (release("en16931", v) for v in ("1.3.15", "1.3.15-peppol", "1.3.16"))
    for syntax in ("ubl", "cii"):
        assert not {"0244", "0245"} & cen.codes("icd", syntax) and "0243" in cen.codes("icd", syntax)
        assert "0245" not in cen.codes("eas", syntax) and "0244" in cen.codes("eas", syntax)
        assert "XCG" not in cen.codes("iso4217", syntax) and "XCG" in new.codes("iso4217", syntax)
    assert {"0244", "0245"} <= peppol.codes("icd", "ubl") and "0245" in peppol.codes("eas", "ubl")
    assert peppol.codes("icd", "cii") == cen.codes("icd", "cii") and peppol.codes("eas", "cii") == cen.codes("eas", "cii")

    def endpoint(root, scheme="0245"):
        root.find(f"{CAC}AccountingSupplierParty/{CAC}Party/{CBC}EndpointID").set("schemeID", scheme)
    data = _doc(endpoint)
    assert "BR-CL-25" in _ids(data, {"en16931": "1.3.15"}) and "BR-CL-25" not in _ids(data, OLD)
    assert "BR-CL-25" not in _ids(data, NEW)


def test_against_the_cen_ubl_xslt_of_peppol_3_0_20():
    """Every document above, and the sample, judged by the official 1.3.15 UBL XSLT (when named)."""
    import oracle

    xslt = oracle.peppol_xslt("EINVOICE_CEN_UBL_XSLT")
    if xslt is None or oracle.available():
        pytest.skip("EINVOICE_CEN_UBL_XSLT does not name Peppol 3.0.20's CEN UBL XSLT (no package ships it)")
    release = {"peppol": os.environ.get("EINVOICE_CEN_UBL_PEPPOL_RELEASE", "3.0.20")}
    changes = [lambda r: None, _no_terms, _sepa_only, _type_502, _b_next_to_s, _two_originators, _two_cards_and_factor]
    bad = []
    for change in changes:
        data = _doc(change)
        theirs = {rid for rid, _sev in oracle.verdict_of_file(xslt, data)}
        ours = _ids(data, release)
        if ours != theirs:
            bad.append(f"missing {sorted(theirs - ours)} extra {sorted(ours - theirs)}")
    assert not bad, bad


# --- EN 16931 1.3.14.1: what Peppol BIS 3.0.19's official validator runs ---------------------------------------

OLDEST = {"peppol": "3.0.19"}


def _two_cards_and_factor(root) -> None:
    means = root.find(CAC + "PaymentMeans")
    for _ in range(2):
        card = etree.SubElement(means, CAC + "CardAccount")
        etree.SubElement(card, CBC + "PrimaryAccountNumberID").text = "1234"
        etree.SubElement(card, CBC + "NetworkID").text = "VISA"
        etree.SubElement(etree.SubElement(means, CAC + "PaymentMandate"), CBC + "ID").text = "M1"
    factor = etree.Element(CBC + "OrderableUnitFactorRate")
    factor.text = "1"
    root.find(f"{CAC}InvoiceLine/{CAC}Price/{CBC}PriceAmount").addnext(factor)


def test_peppol_3_0_19_brings_en16931_1_3_14_1():
    assert dict(Context.default(rules=OLDEST).releases)["en16931"] == "1.3.14.1"
    report = validate(SAMPLE.read_bytes(), profile="ehf", rules="peppol=3.0.19")
    assert report.valid and report.releases == ["EN 16931 1.3.14.1", "Peppol BIS Billing 3.0.19"]


def test_1_3_14_1_names_the_card_and_mandate_limits_br_66_and_br_67_and_has_ubl_cr_631():
    data = _doc(_two_cards_and_factor)
    oldest, old, new = _ids(data, OLDEST), _ids(data, OLD), _ids(data, NEW)
    assert {"BR-66", "BR-67", "UBL-CR-628", "UBL-CR-631"} <= oldest and not {"UBL-SR-54", "UBL-SR-55"} & oldest
    for ids in (old, new):
        assert {"UBL-SR-54", "UBL-SR-55", "UBL-CR-628"} <= ids and not {"BR-66", "BR-67", "UBL-CR-631"} & ids
    assert "BR-CO-25" in _ids(_doc(_no_terms), OLDEST)  # (1.3.15's differences stay)


@pytest.mark.parametrize("code, rule, change", [
    ("CUC", "BR-CL-04", lambda r, c: setattr(r.find(CBC + "DocumentCurrencyCode"), "text", c)),
    ("CNH", "BR-CL-04", lambda r, c: setattr(r.find(CBC + "DocumentCurrencyCode"), "text", c)),
    ("0241", "BR-CL-11", lambda r, c: r.find(f"{CAC}AccountingSupplierParty/{CAC}Party/{CAC}PartyLegalEntity/"
                                            f"{CBC}CompanyID").set("schemeID", c)),
    ("0244", "BR-CL-25", lambda r, c: r.find(f"{CAC}AccountingSupplierParty/{CAC}Party/{CBC}EndpointID").set("schemeID", c)),
])
def test_1_3_14_1_lists(code, rule, change):
    def changed(root):
        change(root, code)
        for el in root.xpath("//*[@currencyID]") if rule == "BR-CL-04" else ():
            el.set("currencyID", code)
    data = _doc(changed)
    in_oldest = code in ("CUC",)  # CUC: listed in 1.3.14.1 only; the others came later
    assert (rule not in _ids(data, OLDEST)) is in_oldest
    assert (rule not in _ids(data, NEW)) is (not in_oldest)


# --- the CII binding: CEN's CII file of 1.3.15 (KoSIT runs it with XRechnung) and of 1.3.14.1 -------------------

CII_SAMPLE = SAMPLE.parent / "facturx-en16931.xml"
RAM = "{urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100}"
CEN_1315, CEN_1316, CEN_13141 = {"en16931": "1.3.15"}, {"en16931": "1.3.16"}, {"en16931": "1.3.14.1"}


def _cii(change) -> bytes:
    root = etree.fromstring(CII_SAMPLE.read_bytes())
    change(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _cii_ids(data: bytes, rules: dict) -> set[str]:
    return _ids(data, rules, layers=("cii-syntax", "en16931"))


def _settlement(root):
    return root.find(f".//{RAM}ApplicableHeaderTradeSettlement")


def _blank_tax_representative(root) -> None:
    rep = etree.Element(RAM + "SellerTaxRepresentativeTradeParty")
    etree.SubElement(rep, RAM + "Name").text = "  "
    address = etree.SubElement(rep, RAM + "PostalTradeAddress")
    etree.SubElement(address, RAM + "CountryID").text = " "
    etree.SubElement(etree.SubElement(rep, RAM + "SpecifiedTaxRegistration"), RAM + "ID", schemeID="VA").text = "FR11111111111"
    root.find(f".//{RAM}BuyerTradeParty").addnext(rep)


def _padded_card(root) -> None:
    means = _settlement(root).find(RAM + "SpecifiedTradeSettlementPaymentMeans")
    card = etree.Element(RAM + "ApplicableTradeSettlementFinancialCard")
    etree.SubElement(card, RAM + "ID").text = "         1234"  # 13 characters as written, 4 normalized
    means.find(RAM + "PayeePartyCreditorFinancialAccount").addprevious(card)


def _payer_institution(root) -> None:
    means = _settlement(root).find(RAM + "SpecifiedTradeSettlementPaymentMeans")
    etree.SubElement(etree.SubElement(means, RAM + "PayerSpecifiedDebtorFinancialInstitution"), RAM + "BICID").text = "AGRIFRPP"


def _no_cii_terms(root) -> None:
    terms = _settlement(root).find(RAM + "SpecifiedTradePaymentTerms")
    terms.getparent().remove(terms)


def test_cii_under_1_3_15_is_cens_cii_file_of_1_3_15():
    data = _cii(_no_cii_terms)  # a positive amount due, neither due date nor terms: BR-CO-25 (gone in 1.3.16)
    assert "BR-CO-25" in _cii_ids(data, CEN_1315) and "BR-CO-25" not in _cii_ids(data, CEN_1316)
    data = _cii(_blank_tax_representative)  # 1.3.15 asks for the elements, 1.3.16 for text in them
    assert not {"BR-18", "BR-20"} & _cii_ids(data, CEN_1315) and {"BR-18", "BR-20"} <= _cii_ids(data, CEN_1316)
    data = _cii(_padded_card)  # 1.3.15 counts the card number as written
    assert "BR-51" in _cii_ids(data, CEN_1315) and "BR-51" not in _cii_ids(data, CEN_1316)
    data = _cii(_payer_institution)  # 1.3.15's CII-SR-464 holds on every document (a quirk kept)
    assert "CII-SR-464" not in _cii_ids(data, CEN_1315) and "CII-SR-464" in _cii_ids(data, CEN_1316)


def test_a_second_amount_due_stops_br_co_25_of_1_3_15():
    def two(root):
        due = root.find(f".//{RAM}DuePayableAmount")
        due.addnext(etree.fromstring(etree.tostring(due)))
        _no_cii_terms(root)
    from einvoice import syntax
    from einvoice.validate import validate_document

    report = validate_document(syntax.load(_cii(two)), schema=False, layers=("en16931",), rules=CEN_1315)
    found = [f for f in report.findings if f.rule == "BR-CO-25"]
    assert found and found[0].severity.value == "fatal"
    assert "stop" in found[0].message and "more than once" in found[0].message  # (not "neither a due date nor ...")


def test_cii_under_1_3_14_1_has_the_names_1_3_15_changed():
    def changes(root):
        ac = etree.Element(RAM + "SpecifiedTradeAllowanceCharge")  # no ram:ChargeIndicator
        etree.SubElement(ac, RAM + "ActualAmount").text = "0.00"
        _settlement(root).find(RAM + "ApplicableTradeTax").addprevious(ac)
        root.find(f".//{RAM}BuyerTradeParty/{RAM}ID").set("schemeName", "x")
    data = _cii(changes)
    oldest, old = _cii_ids(data, CEN_13141), _cii_ids(data, CEN_1315)
    assert {"BR-66", "CII-DT-0010"} <= oldest and not {"CII-SR-463", "CII-DT-101"} & oldest
    assert {"CII-SR-463", "CII-DT-101"} <= old and not {"BR-66", "CII-DT-0010"} & old
