"""Greek rules (GR-R-*, GR-S-*) as the Peppol rule set has them, for UBL.

A Greek seller is one whose supplier country (VAT prefix, else the tax
representative's VAT prefix, else the postal country) is GR or EL. The
invoice number of a Greek seller is the myDATA composite
``TIN|date|branch|document type|series|number``; the MARK number and the
invoice URL are carried as additional document references.
"""

from __future__ import annotations

import re

from ...syntax.namespaces import UBL_NS
from ..values import SEVERAL, string_value as sv
from . import RULES
from ._checks import DocXPath, cached, country, country_rules, gr_tin_valid, norm, postal_codes, ubl_xpath as _x

# every rule below needs a Greek sender, but GR-R-009 is decided on $accountingSupplierCountry alone
rule = country_rules(RULES, "GR", applies=lambda doc: _facts(doc)["sender"] or _facts(doc)["accounting"])

DOCUMENT_TYPES = ("1.1", "1.6", "2.1", "2.4", "5.1", "5.2")
DATE = re.compile(r"^(0?[1-9]|[12][0-9]|3[01])[-\\/ ]?(0?[1-9]|1[0-2])[-\\/ ]?(19|20)[0-9]{2}")
MARK = "##M.AR.K##"
URL = "##INVOICE|URL##"


_SELLER_VAT = _x("/*/cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme[cac:TaxScheme/cbc:ID = 'VAT']/cbc:CompanyID")
_REP_VAT = _x("/*/cac:TaxRepresentativeParty/cac:PartyTaxScheme[cac:TaxScheme/cbc:ID = 'VAT']/cbc:CompanyID")


def _facts(doc) -> dict:
    """$isGreekSender, $isGreekSenderandReceiver, the Greek $accountingSupplierCountry and whether some
    seller postal code is 'GR' as written."""
    def compute():
        greek = ("GR", "EL")
        sender = country(doc, "supplier") in greek
        return {
            "sender": sender,
            "both": sender and country(doc, "customer") in greek,
            "accounting": country(doc, "accounting") in greek,
            "postal_gr": "GR" in postal_codes(doc, "seller"),
        }

    return cached(doc, "gr", compute)


# --- the invoice number -----------------------------------------------------------

_ID = _x("/*/cbc:ID")
_ISSUE_DATE = _x("string(/*/cbc:IssueDate)")


def _segments(doc):
    """(element, segments) of the invoice number of a Greek seller."""
    if not _facts(doc)["sender"]:
        return
    for el in _ID(doc.root):
        text = sv(el)
        yield el, (text.split("|") if text else [])


def _seg(segs, i):
    return segs[i] if i < len(segs) else None


def _tin_ok(doc, segs) -> bool:
    tin = _seg(segs, 0)
    if tin is None or len(norm(tin)) != 9 or not gr_tin_valid(tin):
        return False
    own = [sv(e)[2:11] for e in _SELLER_VAT(doc.root) + _REP_VAT(doc.root)]  # (string values)
    return tin in own


def _date_ok(doc, segs) -> bool:
    """The date segment, DD/MM/YYYY, is the issue date."""
    issue = _ISSUE_DATE(doc.root).split("-")
    date = _seg(segs, 1)
    if date is None or norm(date) == "" or DATE.search(date) is None:
        return False
    parts = date.split("/")
    return len(parts) >= 3 and len(issue) >= 3 and parts[0] == issue[2] and parts[1] == issue[1] and parts[2] == issue[0]


def _branch_ok(doc, segs) -> bool:
    branch = _seg(segs, 2)
    # number() and xs:integer strip XML blanks only (a no-break space makes NaN)
    return branch is not None and re.fullmatch(r"[ \t\r\n]*[+-]?[0-9]+[ \t\r\n]*", branch) is not None and int(branch) >= 0


# TIN|date|branch|document type|series|number: six segments, each as the rule set checks it
_SEGMENT_TESTS = {
    "GR-R-001-1": lambda doc, segs: len(segs) == 6,
    "GR-R-001-2": _tin_ok,
    "GR-R-001-3": _date_ok,
    "GR-R-001-4": _branch_ok,
    "GR-R-001-5": lambda doc, segs: _seg(segs, 3) is not None and norm(_seg(segs, 3)) != ""
                                     and _seg(segs, 3) in DOCUMENT_TYPES,
    "GR-R-001-6": lambda doc, segs: bool(_seg(segs, 4)),
    "GR-R-001-7": lambda doc, segs: bool(_seg(segs, 5)),
}


def _segment_rule(ok):
    def check(doc):
        for el, segs in _segments(doc):
            if not ok(doc, segs):
                yield el
    return check


for _rid, _ok in _SEGMENT_TESTS.items():
    rule(_rid, syntax="ubl")(_segment_rule(_ok))


# --- parties -------------------------------------------------------------------------

_SELLER_PARTY = DocXPath("//cac:AccountingSupplierParty/cac:Party", UBL_NS)
_BUYER_PARTY = DocXPath("//cac:AccountingCustomerParty/cac:Party", UBL_NS)
_PARTY_NAMES = _x("cac:PartyName/cbc:Name")
_PARTY_VAT = _x("cac:PartyTaxScheme[normalize-space(cac:TaxScheme/cbc:ID) = 'VAT']/cbc:CompanyID")
_ENDPOINT = _x("cbc:EndpointID")


def _unnamed(party) -> list:
    """string-length(cac:PartyName/cbc:Name) > 0 fails (of several names, the official test stops)."""
    names = _PARTY_NAMES(party)
    return [(party, SEVERAL)] if len(names) > 1 else [] if names and sv(names[0]) else [party]


def _vat_ok(el) -> bool:
    text = sv(el)  # the string value: a comment inside does not cut it
    return text[:2] == "EL" and gr_tin_valid(text[2:])


def _greek_vat_ok(party) -> bool:
    ids = _PARTY_VAT(party)
    return len(ids) == 1 and _vat_ok(ids[0])


def _endpoint_ok(el) -> bool:
    return el.get("schemeID") == "9933" and gr_tin_valid(sv(el))


# rule id -> (the fact of _facts the rule needs, the parties, what fails in one party)
_PARTY_RULES = {
    "GR-R-002": ("sender", _SELLER_PARTY, _unnamed),
    "GR-S-011": ("sender", _SELLER_PARTY, lambda party: [] if _greek_vat_ok(party) else [party]),
    "GR-R-003": ("sender", _SELLER_PARTY, lambda party: [el for el in _PARTY_VAT(party) if not _vat_ok(el)]),
    "GR-R-005": ("sender", _BUYER_PARTY, _unnamed),
    "GR-R-006": ("both", _BUYER_PARTY, lambda party: [] if _greek_vat_ok(party) else [party]),
    "GR-R-009": ("accounting", _SELLER_PARTY, lambda party: [el for el in _ENDPOINT(party) if not _endpoint_ok(el)]),
    "GR-R-010": ("both", _BUYER_PARTY, lambda party: [el for el in _ENDPOINT(party) if not _endpoint_ok(el)]),
}


def _party_rule(fact: str, parties, fails):
    def check(doc):
        return [t for party in parties(doc) for t in fails(party)] if _facts(doc)[fact] else []

    return check


for _rid, (_fact, _parties, _fails) in _PARTY_RULES.items():
    rule(_rid, syntax="ubl")(_party_rule(_fact, _parties, _fails))


# --- MARK and invoice URL ------------------------------------------------------------

# (each reference's rules match it anywhere, in a UBL extension too, as the official contexts do; the counts: the root's)
_MARKS = DocXPath("//cac:AdditionalDocumentReference[cbc:DocumentDescription = '##M.AR.K##']", UBL_NS)
_URLS = DocXPath("//cac:AdditionalDocumentReference[cbc:DocumentDescription = '##INVOICE|URL##']", UBL_NS)
_ADR_IDS = _x("cbc:ID")
_URI = _x("string(cac:Attachment/cac:ExternalReference/cbc:URI)")


def _greek_and_postal_gr(doc) -> bool:
    f = _facts(doc)
    return f["sender"] and f["postal_gr"]


# rule id -> (the references, whether their number fails) for a Greek sender with the postal code GR
_COUNT_RULES = {"GR-R-004-1": (_MARKS, lambda n: n != 1), "GR-S-008-1": (_URLS, lambda n: n != 1),
                "GR-R-008-2": (_URLS, lambda n: n > 1)}


def _count_rule(refs, fails):
    def check(doc):
        return [None] if _greek_and_postal_gr(doc) and fails(sum(a.getparent() is doc.root for a in refs(doc))) else []

    return check


for _rid, (_refs, _fails) in _COUNT_RULES.items():
    rule(_rid, syntax="ubl")(_count_rule(_refs, _fails))


@rule("GR-R-004-2", syntax="ubl")
def gr_r_004_2(doc):
    if not _greek_and_postal_gr(doc):
        return
    for adr in _MARKS(doc):
        for el in _ADR_IDS(adr):
            if not re.match(r"[1-9]", sv(el)):
                yield el


@rule("GR-R-008-3", syntax="ubl")
def gr_r_008_3(doc):
    if not _facts(doc)["sender"]:
        return
    for adr in _URLS(doc):
        if not norm(_URI(adr)):
            yield adr
