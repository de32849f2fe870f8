"""Icelandic rules (IS-R-*) as the Peppol rule set has them, for UBL.

They apply when the seller's postal country is IS; IS-R-004/005 when the buyer's
is IS too. EINDAGI (the final due date) is carried as an additional document
reference whose description is 'EINDAGI' and whose identifier is the date.
"""

from __future__ import annotations

import re
from datetime import date

from ...syntax.namespaces import UBL_NS
from . import RULES
from ._checks import country_rules, norm, postal_code, ubl_xpath as _x

# every rule below needs the seller's postal country IS (_icelandic)
rule = country_rules(RULES, "IS", applies=lambda doc: _icelandic(doc))




def _icelandic(doc) -> bool:
    """``$SupplierCountry = 'IS'``: the seller's postal country code as written (concat of one node)."""
    return doc.root is not None and postal_code(doc, "seller") == "IS"


_TYPE_CODES = _x("cbc:InvoiceTypeCode | cbc:CreditNoteTypeCode")


@rule("IS-R-001", syntax="ubl")
def is_r_001(doc):
    codes = [norm("".join(el.itertext())) for el in _TYPE_CODES(doc.root)]
    if not any(c in ("380", "381") for c in codes):
        yield None


_SELLER_LEGAL = _x("cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID")
_BUYER_LEGAL = _x("cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID")


@rule("IS-R-002", syntax="ubl")
def is_r_002(doc):
    if not any(el.get("schemeID") == "0196" for el in _SELLER_LEGAL(doc.root)):
        yield None


_SELLER_STREET = _x("cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/cbc:StreetName")
_SELLER_ZONE = _x("cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/cbc:PostalZone")


@rule("IS-R-003", syntax="ubl")
def is_r_003(doc):
    if not (_SELLER_STREET(doc.root) and _SELLER_ZONE(doc.root)):
        yield None


_PM_ACCOUNT_9 = _x("cac:PaymentMeans[cbc:PaymentMeansCode = '9']")
_PM_ACCOUNT_42 = _x("cac:PaymentMeans[cbc:PaymentMeansCode = '42']")
_ACCOUNT_IDS = _x("cac:PayeeFinancialAccount/cbc:ID")


def _account_12(doc, means_xp):
    means = means_xp(doc.root)
    if not means:
        return
    ids = [el for pm in means for el in _ACCOUNT_IDS(pm)]
    if not ids or len(norm("".join(ids[0].itertext()))) != 12:
        yield means[0]


@rule("IS-R-006", syntax="ubl")
def is_r_006(doc):
    yield from _account_12(doc, _PM_ACCOUNT_9)


@rule("IS-R-007", syntax="ubl")
def is_r_007(doc):
    yield from _account_12(doc, _PM_ACCOUNT_42)


_EINDAGI = _x("cac:AdditionalDocumentReference[cbc:DocumentDescription = 'EINDAGI']")
_EINDAGI_ID = _x("string(cac:AdditionalDocumentReference[cbc:DocumentDescription = 'EINDAGI']/cbc:ID)")
_DUE_DATE = _x("cbc:DueDate")


def _is_date(text: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return text[:4] != "0000"


@rule("IS-R-008", syntax="ubl")
def is_r_008(doc):
    if not _EINDAGI(doc.root):
        return
    value = _EINDAGI_ID(doc.root)
    if len(value) != 10 or not _is_date(value):
        yield _EINDAGI(doc.root)[0]


@rule("IS-R-009", syntax="ubl")
def is_r_009(doc):
    if _EINDAGI(doc.root) and not _DUE_DATE(doc.root):
        yield _EINDAGI(doc.root)[0]


@rule("IS-R-010", syntax="ubl")
def is_r_010(doc):
    if not _EINDAGI(doc.root):
        return
    eindagi = ["".join(el.itertext()) for adr in _EINDAGI(doc.root) for el in adr.findall(f"{{{UBL_NS['cbc']}}}ID")]
    due = ["".join(el.itertext()) for el in _DUE_DATE(doc.root)]
    if not any(d <= e for d in due for e in eindagi):
        yield _EINDAGI(doc.root)[0]


def _buyer_icelandic(doc) -> bool:  # the seller is Icelandic in every rule (the module's condition)
    return postal_code(doc, "buyer") == "IS"


_BUYER_STREET = _x("cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cbc:StreetName")
_BUYER_ZONE = _x("cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cbc:PostalZone")


@rule("IS-R-004", syntax="ubl")
def is_r_004(doc):
    if _buyer_icelandic(doc) and not any(el.get("schemeID") == "0196" for el in _BUYER_LEGAL(doc.root)):
        yield None


@rule("IS-R-005", syntax="ubl")
def is_r_005(doc):
    if _buyer_icelandic(doc) and not (_BUYER_STREET(doc.root) and _BUYER_ZONE(doc.root)):
        yield None
