"""Danish rules (DK-R-*).

The rule set decides Danish rules on the seller's postal country (``DK``);
most also need a buyer in Denmark. The payment means rules of UBL apply to
invoices only; in CII they apply to every document, and the official CII
rules read different elements for the giro/FIK account and the direct debit
mandate, so those are checked on the tree, per syntax.
"""

from __future__ import annotations

import re

from ...basics import Syntax
from . import RULES
from .. import values as V
from ..values import attribute_of, string_value as sv, text_node
from ._checks import DOCUMENTS, country_rules, is_number, norm, number, postal_code, postal_codes, syntax_paths

# every rule below needs a Danish seller; most also a Danish buyer (_both_dk)
rule = country_rules(RULES, "DK", applies=lambda doc: _is_dk(doc, "seller"))

UNSPSC_VERSIONS = ("19.05.01", "19.0501", "26.08.01", "26.0801")
PAYMENT_CODES = ("1", "10", "31", "42", "48", "49", "50", "58", "59", "93", "97")


def _is_dk(doc, who: str) -> bool:
    """``$DKSupplierCountry = 'DK'`` / ``$DKCustomerCountry = 'DK'``: in UBL the concat of the one postal
    country code as written (failing, so false, where there are several); in CII a node set, so any of
    the party's codes as written."""
    return postal_code(doc, who) == "DK" if doc.syntax == Syntax.UBL else "DK" in postal_codes(doc, who)


def _both_dk(doc) -> bool:
    return _is_dk(doc, "seller") and _is_dk(doc, "buyer")


_AGREEMENT = "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement"
_SETTLEMENT = "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
_PATHS = {  # what the rules read, per syntax
    Syntax.UBL: {
        "seller": "/*/cac:AccountingSupplierParty/cac:Party",
        "legal": "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID",  # (from a document element)
        "payable": "/*/cac:LegalMonetaryTotal/cbc:PayableAmount",
        "identifiers": "/*/cac:AccountingSupplierParty/cac:Party/cac:PartyIdentification"
                       " | /*/cac:AccountingCustomerParty/cac:Party/cac:PartyIdentification", "ids": "cbc:ID",
        "lines": "/*/cac:InvoiceLine | /*/cac:CreditNoteLine", "item": "cac:Item",
        "classes": "cac:Item/cac:CommodityClassification/cbc:ItemClassificationCode",
        "allowances": "//cac:AllowanceCharge", "reason_code": "cbc:AllowanceChargeReasonCode",
        "reason": "cbc:AllowanceChargeReason", "code": "cbc:PaymentMeansCode",
        "means": "/ubl:Invoice/cac:PaymentMeans",
        "reference": "string(cbc:PaymentID)", "account_text": "string(cac:PayeeFinancialAccount/cbc:ID)",
        "fik_account": "string((cac:PayeeFinancialAccount/cbc:ID/text())[1])",  # (.../text(): of any of them)
        "mandate": "cac:PaymentMandate/cbc:ID", "debited": "cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID",
        "account": "cac:PayeeFinancialAccount/cbc:ID",
        "branch": "cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID",
        "buyers": "/*/cac:AccountingCustomerParty/cac:Party", "buyer_legal": "cac:PartyLegalEntity/cbc:CompanyID",
    },
    Syntax.CII: {
        "seller": f"{_AGREEMENT}/ram:SellerTradeParty",
        "legal": "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement/ram:SellerTradeParty"
                 "/ram:SpecifiedLegalOrganization/ram:ID",
        "payable": f"{_SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:DuePayableAmount",
        "type": "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:TypeCode/text()",
        "lines": "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem",
        "item": "ram:SpecifiedTradeProduct",
        "classes": "ram:SpecifiedTradeProduct/ram:DesignatedProductClassification/ram:ClassCode",
        "allowances": f"{_SETTLEMENT}/ram:SpecifiedTradeAllowanceCharge",  # the document level only
        "reason_code": "ram:ReasonCode", "reason": "ram:Reason", "code": "ram:TypeCode",
        "means": f"{_SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans",
        "reference": "string(../ram:PaymentReference)",
        "account_text": "string(ram:PayeePartyCreditorFinancialAccount/ram:IBANID)",
        "fik_account": "string(ram:PayeePartyCreditorFinancialAccount/ram:IBANID)",
        "mandate": "../ram:CreditorReferenceID",  # DK-R-007 in CII: the creditor reference and the mandate
        "debited": "ram:SpecifiedTradePaymentTerms/ram:DirectDebitMandateID",
        "account": "ram:PayeePartyCreditorFinancialAccount/ram:IBANID",
        "branch": "ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID",
        "seller_gids": f"{_AGREEMENT}/ram:SellerTradeParty/ram:GlobalID",
        "buyer_gids": f"{_AGREEMENT}/ram:BuyerTradeParty/ram:GlobalID",
    },
}
_x = syntax_paths(_PATHS)


def _first_text(nodes: list) -> str:
    """``normalize-space(<path>/text())`` ('' for none; '', failing the tests that read it, where several stop it)."""
    value = V.attempt(lambda: norm(text_node(list(nodes))))
    return "" if value is V.STOP else value


def _seller_or_root(doc):
    return next(iter(_x(doc, "seller")), doc.root)


# --- seller's legal entity (CVR) ---------------------------------------------------

@rule("DK-R-002")
def dk_r_002(doc):
    """A Danish seller states its legal registration identifier (CVR number)."""
    for inv in doc.root.iter(*DOCUMENTS[doc.syntax]):  # the official context: every document element (one put inside a value too)
        legal = _x(doc, "legal", inv)
        if not _first_text(legal):
            yield legal[0] if legal else _seller_or_root(doc) if inv is doc.root else inv


def _not_cvr(ids: list):
    """The first legal registration identifier if its scheme is not the CVR number's (0184)."""
    if ids and norm(ids[0].get("schemeID")) != "0184":
        yield ids[0], {"scheme": norm(ids[0].get("schemeID")) or "none"}


@rule("DK-R-014")
def dk_r_014(doc):
    """The seller's legal registration identifier of a Danish seller is a CVR number (scheme 0184)."""
    return _not_cvr(_x(doc, "legal"))


@rule("DK-R-016")
def dk_r_016(doc):
    """A credit note between Danish parties has no negative amount due."""
    if not _both_dk(doc):
        return
    if doc.syntax == Syntax.CII:
        credit = norm(_x(doc, "type")[0] if _x(doc, "type") else "") == "381"
    else:
        credit = doc.root.tag.endswith("}CreditNote")
    payable = _x(doc, "payable")
    value = V.attempt(lambda: number(text_node(list(payable)))) if credit and payable else None  # number(.../text())
    if value is V.STOP or value is not None and value < 0:  # (STOP: several text nodes stop the official rule)
        yield payable[0]


# --- identifiers -------------------------------------------------------------------

@rule("DK-R-013", syntax="ubl")
def dk_r_013_ubl(doc):
    """Party identifiers of Danish sellers and buyers carry a scheme."""
    for party_id in _x(doc, "identifiers") if _both_dk(doc) else ():
        ids = _x(doc, "ids", party_id)
        if ids and not attribute_of(ids, "schemeID"):  # normalize-space(cbc:ID/@schemeID)
            yield ids[0], {"value": sv(ids[0])}


@rule("DK-R-013", syntax="cii")
def dk_r_013_cii(doc):
    """Global identifiers of Danish sellers and buyers carry a scheme."""
    states = []  # per party: its first global identifier, and whether normalize-space(ram:GlobalID/@schemeID) = ''
    for name in ("seller_gids", "buyer_gids") if _both_dk(doc) else ():  # holds (STOP: two or more schemes to read)
        gids = _x(doc, name)
        schemes = [g.get("schemeID") for g in gids if g.get("schemeID") is not None]
        states.append((gids[0] if gids else None, V.STOP if len(schemes) > 1 else bool(gids) and not norm("".join(schemes))))
    failed = [g for g, state in states if state is True]  # ('or': a party failing decides; else a stop stops it)
    yield from failed or [(g, V.SEVERAL) for g, state in states if state is V.STOP]


# --- lines and allowances -------------------------------------------------------------

# Quirk kept: 3.0.21 made DK-R-003 fatal in its UBL file only; the CII file keeps it a warning
# (severity_cii in schemas/releases/peppol-3.0.21.yaml).
@rule("DK-R-003")
def dk_r_003(doc):
    """Item classifications in the Danish TST list (UNSPSC) use version 19.05.01 or 26.08.01."""
    for line in _x(doc, "lines") if _both_dk(doc) else ():
        classes = _x(doc, "classes", line)
        if any(c.get("listID") == "TST" for c in classes) and not any(
            c.get("listVersionID") in UNSPSC_VERSIONS for c in classes
        ):
            item = _x(doc, "item", line)
            yield item[0] if item else line


def _reason_ok(reason) -> bool:
    """A 4-digit tax category (``string-length(normalize-space(text())) = 4`` and a number from 0 to 9999),
    or a text with '#' that neither starts nor ends with it."""
    if reason is None:
        return False
    value = sv(reason)
    short = V.attempt(lambda: len(norm(text_node(reason))) == 4)  # (STOP: several text nodes fail it)
    if short is True and is_number(value) and 0 <= number(value) <= 9999:
        return True
    return "#" in value and not value.startswith("#") and not value.endswith("#")


@rule("DK-R-004")
def dk_r_004(doc):
    """Non-VAT taxes (reason code ZZZ) name the Danish tax category in the reason text."""
    acs = _x(doc, "allowances") if _both_dk(doc) else []
    if doc.syntax == Syntax.CII and acs:  # Quirk kept (CII): one test on the document over every allowance
        reasons = [r for ac in acs for r in _x(doc, "reason", ac)]  # and charge: one right reason passes them all
        if any(sv(c) == "ZZZ" for ac in acs for c in _x(doc, "reason_code", ac)) and (  # (several: the test stops)
                len(reasons) > 1 or not _reason_ok(reasons[0] if reasons else None)):
            yield (acs[0], {**V.SPLIT, "value": ""}) if len(reasons) > 1 else (acs[0], {"value": sv(reasons[0]) if reasons else ""})
        return
    for ac in acs:
        if any(sv(c) == "ZZZ" for c in _x(doc, "reason_code", ac)):
            reasons = _x(doc, "reason", ac)
            if not _reason_ok(reasons[0] if reasons else None):
                yield (reasons[0] if reasons else ac), {"value": sv(reasons[0]) if reasons else ""}


# --- payment means ---------------------------------------------------------------

@rule("DK-R-005")
def dk_r_005(doc):
    """Payment means codes allowed between Danish parties."""
    for pm, _codes, _ref, _acc in _payment_means(doc):
        codes = _x(doc, "code", pm)
        code = sv(codes[0]) if codes else ""
        if f" {code} " not in " " + " ".join(PAYMENT_CODES) + " ":
            yield (codes[0] if codes else pm), {"value": code}


@rule("DK-R-006")
def dk_r_006(doc):
    """Bank transfers (31, 42) between Danish parties give account number and registration number."""
    for pm, _codes, _ref, _acc in _payment_means(doc):
        codes = _x(doc, "code", pm)
        if any(sv(c) in ("31", "42") for c in codes) and not (
                _first_text(_x(doc, "account", pm)) and _first_text(_x(doc, "branch", pm))):
            yield codes[0]


def _payment_means(doc):
    """(element, its codes' string values (``code = '49'`` compares them), payment reference, account) of each payment
    means the rules look at (UBL: of an invoice only), as each syntax's rules read them."""
    if not _both_dk(doc):
        return
    for pm in _x(doc, "means"):
        yield pm, [sv(c) for c in _x(doc, "code", pm)], _x(doc, "reference", pm), _x(doc, "account_text", pm)


def _giro_account_ok(doc, acc: str) -> bool:
    """DK-R-008's giro account: 7 or 8 digits in UBL, any 7 characters in CII."""
    return re.fullmatch(r"[0-9]{7,8}", acc) is not None if doc.syntax == Syntax.UBL else len(acc) == 7


# DK-R-007 ... 011: rule id -> (the payment means code the rule is about, fails(doc, means, payment id, account)).
# Direct debit (49) gives the mandate and the debited account; giro (50) a payment id starting 01#, 04# or 15#
# and a giro account number, and with card type 04 or 15 a payment id of 19 characters (prefix + 16 digits);
# FIK (93) a payment id starting 71#, 73# or 75# and an 8 character creditor number, and with card type 71 or 75
# a payment id of 18 or 19 characters.
_MEANS_RULES = {
    "DK-R-007": ("49", lambda doc, pm, ref, acc: not (_first_text(_x(doc, "mandate", pm)) and _first_text(_x(doc, "debited", pm)))),
    "DK-R-008": ("50", lambda doc, pm, ref, acc: not (ref[:3] in ("01#", "04#", "15#") and _giro_account_ok(doc, acc))),
    "DK-R-009": ("50", lambda doc, pm, ref, acc: ref[:3] in ("04#", "15#") and len(ref) != 19),
    "DK-R-010": ("93", lambda doc, pm, ref, acc: not (ref[:3] in ("71#", "73#", "75#") and len(_x(doc, "fik_account", pm)) == 8)),
    "DK-R-011": ("93", lambda doc, pm, ref, acc: ref[:3] in ("71#", "75#") and len(ref) not in (18, 19)),
}


def _means_rule(code: str, fails):
    def check(doc):
        return [pm for pm, codes, ref, acc in _payment_means(doc) if code in codes and fails(doc, pm, ref, acc)]

    return check


for _rid, (_code, _fails) in _MEANS_RULES.items():
    rule(_rid)(_means_rule(_code, _fails))


# --- buyer's legal entity (3.0.20) --------------------------------------------------------

@rule("DK-R-017", syntax="ubl")
def dk_r_017(doc):
    """Between Danish parties, a buyer's legal registration identifier is a CVR number (scheme 0184)."""
    for party in _x(doc, "buyers") if _both_dk(doc) else ():
        yield from _not_cvr(_x(doc, "buyer_legal", party))
