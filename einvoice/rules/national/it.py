"""Italian rules (IT-R-*), applied when the rule set's supplier country is IT, read from the tree in the
official contexts (every seller party, every tax registration of it)."""

from __future__ import annotations

import re

from ...basics import Syntax
from ..values import string_value as sv
from . import RULES
from ._checks import CAC, CBC, RAM, SELLERS, country_rules, norm, supplier_country

rule = country_rules(RULES, "IT", applies=lambda doc: supplier_country(doc) == "IT")

_BT32 = re.compile(r"[A-Z0-9]{11,16}")


def _bt32_bad(value: str | None) -> bool:
    return not _BT32.fullmatch(norm(value))


def _ubl_tax_registrations(party):
    """UBL: ``cac:PartyTaxScheme[normalize-space(cac:TaxScheme/cbc:ID) != 'VAT']``, each with its CompanyID (a
    scheme with two identifiers fails normalize-space, and the context does not match)."""
    for scheme in party.iterfind(CAC + "PartyTaxScheme"):
        ids = scheme.findall(f"{CAC}TaxScheme/{CBC}ID")
        if len(ids) > 1 or (ids and norm(sv(ids[0])) == "VAT"):
            continue
        company = scheme.find(CBC + "CompanyID")
        yield company if company is not None else scheme, sv(company) if company is not None else ""


def _cii_tax_registrations(party):
    """CII: each ``ram:SpecifiedTaxRegistration`` without an identifier under another scheme than FC, with its
    FC identifier (``ram:ID[normalize-space(@schemeID) != 'FC'] or matches(normalize-space(ram:ID[...
    = 'FC']), ...)``)."""
    for reg in party.iterfind(RAM + "SpecifiedTaxRegistration"):
        ids = reg.findall(RAM + "ID")
        if any(norm(i.get("schemeID")) != "FC" for i in ids):
            continue
        fc = [i for i in ids if norm(i.get("schemeID")) == "FC"]
        yield (fc[0], sv(fc[0])) if fc else (reg, "")


@rule("IT-R-001")
def it_r_001(doc):
    """The Italian seller's tax registration (codice fiscale, BT-32) has 11 to 16 letters/digits."""
    registrations = _ubl_tax_registrations if doc.syntax == Syntax.UBL else _cii_tax_registrations
    for party in SELLERS[doc.syntax](doc):
        for el, value in registrations(party):
            if _bt32_bad(value):
                yield el, {"value": value}


_ADDRESS = {Syntax.UBL: (CAC + "PostalAddress", CBC), Syntax.CII: (RAM + "PostalTradeAddress", RAM)}


def _address_rule(children: dict):
    """The Italian seller's postal address has this element (in some address of the party)."""
    def check(doc):
        address_tag, ns = _ADDRESS[doc.syntax]
        for party in SELLERS[doc.syntax](doc):
            if party.find(f"{address_tag}/{ns}{children[doc.syntax]}") is None:
                address = party.find(address_tag)
                yield party if address is None else address

    return check


for _rid, _ubl, _cii in (("IT-R-002", "StreetName", "LineOne"), ("IT-R-003", "CityName", "CityName"),
                         ("IT-R-004", "PostalZone", "PostcodeCode")):
    rule(_rid)(_address_rule({Syntax.UBL: _ubl, Syntax.CII: _cii}))
