"""Icelandic rules (IS-R-*) as the Peppol rule set has them, for UBL.

They apply when the seller's postal country is IS; IS-R-004/005 when the buyer's
is IS too. EINDAGI (the final due date) is carried as an additional document
reference whose description is 'EINDAGI' and whose identifier is the date.
"""

from __future__ import annotations

from ...syntax.namespaces import UBL_NS
from .. import values as V
from ..values import string_value as sv
from . import RULES
from ._checks import DOCUMENTS, country_rules, norm, postal_code, ubl_xpath as _x

# every rule below needs ``$SupplierCountry = 'IS'``: the seller's postal country code as written (concat of one node)
rule = country_rules(RULES, "IS", applies=lambda doc: doc.root is not None and postal_code(doc, "seller") == "IS")
_TYPE_CODES = _x("cbc:InvoiceTypeCode | cbc:CreditNoteTypeCode")


@rule("IS-R-001", syntax="ubl")
def is_r_001(doc):
    for inv in doc.root.iter(*DOCUMENTS["ubl"]):
        if not any(norm(sv(el)) in ("380", "381") for el in _TYPE_CODES(inv)):
            yield None if inv is doc.root else inv


_PARTY = {"seller": "cac:AccountingSupplierParty/cac:Party", "buyer": "cac:AccountingCustomerParty/cac:Party"}
_LEGAL = {who: _x(f"{p}/cac:PartyLegalEntity/cbc:CompanyID") for who, p in _PARTY.items()}
_ADDRESS = {who: [_x(f"{p}/cac:PostalAddress/cbc:{t}") for t in ("StreetName", "PostalZone")] for who, p in _PARTY.items()}


def _legal_ok(inv, who: str) -> bool:
    """A legal registration identifier with the Icelandic scheme (0196)."""
    return any(el.get("schemeID") == "0196" for el in _LEGAL[who](inv))


def _address_ok(inv, who: str) -> bool:
    """A street name and a postal zone."""
    return all(xp(inv) for xp in _ADDRESS[who])


def _party_rule(who: str, ok):
    """The seller's (IS-R-002, -003) or, when the buyer's postal country is IS too, the buyer's (IS-R-004, -005)."""
    def check(doc):  # the buyer's context is the document element's buyer party
        docs = doc.root.iter(*DOCUMENTS["ubl"]) if who == "seller" else [doc.root] if postal_code(doc, "buyer") == "IS" else []
        return [None if inv is doc.root else inv for inv in docs if not ok(inv, who)]

    return check


rule("IS-R-002", syntax="ubl")(_party_rule("seller", _legal_ok))
rule("IS-R-003", syntax="ubl")(_party_rule("seller", _address_ok))

_ACCOUNT_IDS = _x("cac:PayeeFinancialAccount/cbc:ID")


def _account_12(code: str):
    """The first account of the payment means with the code (9: IS-R-006, 42: IS-R-007) has 12 characters."""
    means_xp = _x(f"cac:PaymentMeans[cbc:PaymentMeansCode = '{code}']")

    def check(doc):
        means = means_xp(doc.root)
        ids = [el for pm in means for el in _ACCOUNT_IDS(pm)]
        return [(means[0], V.SEVERAL)] if len(ids) > 1 else [means[0]] if means and (not ids or len(norm(sv(ids[0]))) != 12) else []

    return check


rule("IS-R-006", syntax="ubl")(_account_12("9"))
rule("IS-R-007", syntax="ubl")(_account_12("42"))


_EINDAGI = _x("cac:AdditionalDocumentReference[cbc:DocumentDescription = 'EINDAGI']")
_EINDAGI_ID = _x("string(cac:AdditionalDocumentReference[cbc:DocumentDescription = 'EINDAGI']/cbc:ID)")
_DUE_DATE = _x("cbc:DueDate")


@rule("IS-R-008", syntax="ubl")
def is_r_008(doc):
    found = _EINDAGI(doc.root)  # (string-length of several: the official test stops)
    value = _EINDAGI_ID(doc.root) if len(found) == 1 else ""
    if found and (len(found) > 1 or len(value) != 10 or V.date_or_none(value, True) is None):  # (castable as xs:date:
        yield (found[0], V.SEVERAL) if len(found) > 1 else found[0]  # year 0000 too, in XSD 1.1)


@rule("IS-R-009", syntax="ubl")
def is_r_009(doc):
    if _EINDAGI(doc.root) and not _DUE_DATE(doc.root):
        yield _EINDAGI(doc.root)[0]


@rule("IS-R-010", syntax="ubl")
def is_r_010(doc):
    if not _EINDAGI(doc.root):
        return
    eindagi = [sv(el) for adr in _EINDAGI(doc.root) for el in adr.findall(f"{{{UBL_NS['cbc']}}}ID")]
    due = [sv(el) for el in _DUE_DATE(doc.root)]
    if not any(d <= e for d in due for e in eindagi):
        yield _EINDAGI(doc.root)[0]


# the seller is Icelandic in every rule (the module's condition); these two need an Icelandic buyer too
rule("IS-R-004", syntax="ubl")(_party_rule("buyer", _legal_ok))
rule("IS-R-005", syntax="ubl")(_party_rule("buyer", _address_ok))
