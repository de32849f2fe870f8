"""The seller and tax representative the national rules read from a UBL tree (no model) are the
ones the UBL reader reads: same elements, registrations, scheme codes, postal country, and so the
same supplier country, on the samples, the conformance corpus, seeded mutants and odd shapes."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from einvoice import syntax
from einvoice.basics import element_origin
from einvoice.rules.national._checks import TreeParties, located, supplier_country
from einvoice.syntax.ubl.reader import read_ubl
from fragments import CONFORMANCE
from mutate import mutant

ROOT = Path(__file__).resolve().parents[1]
UBL = "urn:oasis:names:specification:ubl:schema:xsd:"


def _is_ubl(data: bytes) -> bool:
    try:
        root = etree.fromstring(data)
    except etree.XMLSyntaxError:
        return False
    return isinstance(root.tag, str) and root.tag.startswith("{" + UBL) and root.tag.endswith(("}Invoice", "}CreditNote"))


def _documents() -> list[tuple[str, bytes]]:
    files = sorted((ROOT / "samples").glob("*.xml"))
    if CONFORMANCE.is_dir():
        files += sorted((CONFORMANCE / "peppol-bis-3").rglob("*.xml"))
        files += sorted((CONFORMANCE / "en16931" / "ubl").rglob("*.xml"))
    out = []
    for p in files:
        data = p.read_bytes()
        if _is_ubl(data):
            out.append((p.name, data))
    return out


def _party_view(party, tree: bool):
    if party is None:
        return None
    regs = []
    for reg in party.tax_registrations:
        where = located(reg, "company_id") if tree else reg.origin("company_id")
        where = element_origin(where) if tree else where
        regs.append((reg.company_id, reg.tax_scheme_id, where))
    el = party.el if tree else party._el
    country = party.address.country_code if party.address is not None else "no address"
    return el, regs, country


def _same(root) -> None:
    model = read_ubl(root, lines=False)
    tree = TreeParties(root)
    assert _party_view(tree.seller, True) == _party_view(model.seller, False)
    assert _party_view(tree.tax_representative, True) == _party_view(model.tax_representative, False)
    assert supplier_country(tree) == supplier_country(model)


DOCS = _documents()


def test_the_corpus_is_there():
    assert any(name == "ehf-invoice.xml" for name, _ in DOCS)


@pytest.mark.parametrize("name,data", DOCS, ids=[n for n, _ in DOCS])
def test_documents(name, data):
    _same(syntax.load(data).root)


@pytest.mark.parametrize("seed", range(400))
def test_mutants(seed):
    name, data = DOCS[seed % len(DOCS)]
    mutated, what = mutant(data, seed, rounds=3)
    try:
        doc = syntax.load(mutated)
    except Exception:  # noqa: BLE001 - a mutant that is no readable invoice any more
        pytest.skip("unreadable mutant")
    _same(doc.root)


HEAD = f"""<Invoice xmlns="{UBL}Invoice-2" xmlns:cac="{UBL}CommonAggregateComponents-2"
 xmlns:cbc="{UBL}CommonBasicComponents-2"><cbc:CustomizationID>x</cbc:CustomizationID>{{body}}</Invoice>"""

ODD = {
    "no supplier party": "<cac:TaxRepresentativeParty/>",
    "first supplier without party": "<cac:AccountingSupplierParty/><cac:AccountingSupplierParty><cac:Party/></cac:AccountingSupplierParty>",
    "two parties": "<cac:AccountingSupplierParty><cac:Party><cac:PartyTaxScheme><cbc:CompanyID>NO1</cbc:CompanyID>"
                   "</cac:PartyTaxScheme></cac:Party><cac:Party><cac:PartyTaxScheme><cbc:CompanyID>SE1</cbc:CompanyID>"
                   "<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme></cac:Party></cac:AccountingSupplierParty>",
    "schemes": "<cac:AccountingSupplierParty><cac:Party>"
               "<cac:PartyTaxScheme><cbc:CompanyID> NO<!--c-->999 </cbc:CompanyID><cbc:CompanyID>SE2</cbc:CompanyID>"
               "<cac:TaxScheme/><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>"
               "<cac:PartyTaxScheme><cac:TaxScheme><cbc:ID> V<?pi x?>AT </cbc:ID><cbc:ID>TAX</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>"
               "<cac:PartyTaxScheme><cbc:CompanyID/><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>"
               "<cac:PartyTaxScheme/>"
               "<cac:PostalAddress><cac:Country/></cac:PostalAddress><cac:PostalAddress><cac:Country>"
               "<cbc:IdentificationCode>SE</cbc:IdentificationCode></cac:Country></cac:PostalAddress>"
               "</cac:Party></cac:AccountingSupplierParty>"
               "<cac:TaxRepresentativeParty><cac:PartyTaxScheme><cbc:CompanyID>dk1</cbc:CompanyID>"
               "<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme></cac:TaxRepresentativeParty>"
               "<cac:TaxRepresentativeParty/>",
    "country in two parts": "<cac:AccountingSupplierParty><cac:Party><cac:PostalAddress><cac:Country><cbc:IdentificationCode>"
                            "N<!--x-->O</cbc:IdentificationCode></cac:Country><cac:Country><cbc:IdentificationCode>SE"
                            "</cbc:IdentificationCode></cac:Country></cac:PostalAddress></cac:Party></cac:AccountingSupplierParty>",
}


@pytest.mark.parametrize("body", ODD.values(), ids=ODD.keys())
def test_odd_shapes(body):
    _same(etree.fromstring(HEAD.format(body=body).encode()))
