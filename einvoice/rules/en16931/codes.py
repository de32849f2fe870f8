"""EN 16931 code list rules BR-CL-01 .. BR-CL-26.

Every coded value of the invoice must come from the code list the standard
names for it. The lists are data (``schemas/codelists``, see
:mod:`einvoice.codelists`); UBL and CII use slightly different editions of a
few of them (country codes, note subjects, document types), exactly as the
official EN 16931 validation artefacts do.

All checks share one pass over the tree: the elements that carry codes are
collected once per document, each is tested against its list, and every rule
then reports its own failures. An element is judged by the first rule whose
context it matches, in the official order (this matters in CII, where an
identifier with a scheme is an ICD identifier before it is anything else).
"""

from __future__ import annotations

from typing import Any

from ... import codelists
from ..engine import Document
from ..values import normalize_space as norm, string_value as text, xs_boolean as as_bool
from . import RULES, on_tree
from .vat import CAC, CBC, RAM, UDT

_CL_IDS = ["BR-CL-%02d" % n for n in (1, 3, 4, 5, 6, 7, 8, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26)]


def _member(listname: str, value: str | None, upper: bool = False) -> bool:
    """A code-list test as the official checks write it: one token, found in the list."""
    v = norm(value)
    if not v or " " in v:
        return False
    return (v.upper() if upper else v) in codelists.get(listname)


# --------------------------------------------------------------------------
# UBL
# --------------------------------------------------------------------------

_UBL_AMOUNTS = {CBC + t for t in ("Amount", "BaseAmount", "PriceAmount", "TaxAmount", "TaxableAmount",
                                  "LineExtensionAmount", "TaxExclusiveAmount", "TaxInclusiveAmount",
                                  "AllowanceTotalAmount", "ChargeTotalAmount", "PrepaidAmount",
                                  "PayableRoundingAmount", "PayableAmount")}
_UBL_QUANTITIES = {CBC + t for t in ("InvoicedQuantity", "BaseQuantity", "CreditedQuantity")}
_UBL_TAGS = tuple(_UBL_AMOUNTS | _UBL_QUANTITIES | {CBC + t for t in (
    "InvoiceTypeCode", "CreditNoteTypeCode", "DocumentCurrencyCode", "TaxCurrencyCode", "DescriptionCode", "ID",
    "CompanyID", "ItemClassificationCode", "IdentificationCode", "PaymentMeansCode", "AllowanceChargeReasonCode",
    "TaxExemptionReasonCode", "EmbeddedDocumentBinaryObject", "EndpointID", "Note")})

_MIME = "mime"


def _ancestor(el: Any, tags: tuple[str, ...]) -> bool:
    p = el.getparent()
    while p is not None:
        if p.tag in tags:
            return True
        p = p.getparent()
    return False


def _note_ok(value: str) -> bool:
    """BR-CL-08 in UBL: a '#XXX#' subject prefix, XXX looked up as a substring of the list (as the official check does)."""
    if "#" not in value:
        return True
    after = value.split("#", 1)[1]
    code = after.split("#", 1)[0] if "#" in after else ""
    if len(code) != 3:
        return True
    return code in codelists.joined("uncl4451")


def _ubl_failures(root: Any) -> dict[str, list]:
    out: dict[str, list] = {rid: [] for rid in _CL_IDS}

    def fail(rid: str, el: Any, value: str | None) -> None:
        out[rid].append((el, {"value": norm(value) if value is not None else ""}))

    for el in root.iter(*_UBL_TAGS):
        tag = el.tag
        parent = el.getparent()
        ptag = parent.tag if parent is not None else None
        if tag in _UBL_AMOUNTS:
            cur = el.get("currencyID")
            if not _member("iso4217", cur):
                fail("BR-CL-03", el, cur)
        elif tag == CBC + "ID":
            scheme = el.get("schemeID")
            if ptag == CAC + "TaxCategory":
                if not _member("uncl5305", text(el)):
                    fail("BR-CL-17", el, text(el))
            elif ptag == CAC + "ClassifiedTaxCategory":
                if not _member("uncl5305", text(el)):
                    fail("BR-CL-18", el, text(el))
            elif scheme is None:
                continue
            elif ptag in (CAC + "AdditionalDocumentReference", CAC + "DocumentReference") and \
                    any(text(c) == "130" for c in parent.iterfind(CBC + "DocumentTypeCode")):
                if not _member("uncl1153", scheme):
                    fail("BR-CL-07", el, scheme)
            elif ptag == CAC + "PartyIdentification":
                if not (_member("icd", scheme) or (
                        _member("sepa", scheme)
                        and _ancestor(el, (CAC + "AccountingSupplierParty", CAC + "PayeeParty")))):
                    fail("BR-CL-10", el, scheme)
            elif ptag == CAC + "StandardItemIdentification":
                if not _member("icd", scheme):
                    fail("BR-CL-21", el, scheme)
            elif ptag == CAC + "DeliveryLocation":
                if not _member("icd", scheme):
                    fail("BR-CL-26", el, scheme)
        elif tag == CBC + "InvoiceTypeCode":
            if not _member("uncl1001-inv", text(el)):
                fail("BR-CL-01", el, text(el))
        elif tag == CBC + "CreditNoteTypeCode":
            if not _member("uncl1001-cn", text(el)):
                fail("BR-CL-01", el, text(el))
        elif tag == CBC + "DocumentCurrencyCode":
            if not _member("iso4217", text(el)):
                fail("BR-CL-04", el, text(el))
        elif tag == CBC + "TaxCurrencyCode":
            if not _member("iso4217", text(el)):
                fail("BR-CL-05", el, text(el))
        elif tag == CBC + "DescriptionCode":
            if ptag == CAC + "InvoicePeriod" and not _member("uncl2005", text(el)):
                fail("BR-CL-06", el, text(el))
        elif tag == CBC + "Note":
            if parent is root and not _note_ok(text(el)):
                fail("BR-CL-08", el, text(el))
        elif tag == CBC + "CompanyID":
            scheme = el.get("schemeID")
            if ptag == CAC + "PartyLegalEntity" and scheme is not None and not _member("icd", scheme):
                fail("BR-CL-11", el, scheme)
        elif tag == CBC + "ItemClassificationCode":
            lid = el.get("listID")
            if ptag == CAC + "CommodityClassification" and lid is not None and not _member("uncl7143", lid):
                fail("BR-CL-13", el, lid)
        elif tag == CBC + "IdentificationCode":
            if ptag == CAC + "Country":
                if not _member("iso3166", text(el)):
                    fail("BR-CL-14", el, text(el))
            elif ptag == CAC + "OriginCountry":
                if not _member("iso3166", text(el)):
                    fail("BR-CL-15", el, text(el))
        elif tag == CBC + "PaymentMeansCode":
            if ptag == CAC + "PaymentMeans" and not _member("uncl4461", text(el)):
                fail("BR-CL-16", el, text(el))
        elif tag == CBC + "AllowanceChargeReasonCode":
            if ptag != CAC + "AllowanceCharge":
                continue
            inds = {as_bool(i) for i in parent.iterfind(CBC + "ChargeIndicator")}
            if False in inds:
                if not _member("uncl5189", text(el)):
                    fail("BR-CL-19", el, text(el))
            elif True in inds:
                if not _member("uncl7161", text(el)):
                    fail("BR-CL-20", el, text(el))
        elif tag == CBC + "TaxExemptionReasonCode":
            if not _member("vatex", text(el), upper=True):
                fail("BR-CL-22", el, text(el))
        elif tag in _UBL_QUANTITIES:
            unit = el.get("unitCode")
            if unit is not None and not _member("unece-rec20-rec21", unit):
                fail("BR-CL-23", el, unit)
        elif tag == CBC + "EmbeddedDocumentBinaryObject":
            mime = el.get("mimeCode")
            if mime is not None and mime not in codelists.get(_MIME):
                fail("BR-CL-24", el, mime)
        elif tag == CBC + "EndpointID":
            scheme = el.get("schemeID")
            if scheme is not None and not _member("eas", scheme):
                fail("BR-CL-25", el, scheme)
    return out


# --------------------------------------------------------------------------
# CII
# --------------------------------------------------------------------------

_CII_TAGS = tuple(RAM + t for t in (
    "TypeCode", "TaxTotalAmount", "InvoiceCurrencyCode", "TaxCurrencyCode", "DueDateTypeCode", "ReferenceTypeCode",
    "SubjectCode", "GlobalID", "ID", "ClassCode", "CountryID", "CategoryCode", "ReasonCode", "ExemptionReasonCode",
    "BasisQuantity", "BilledQuantity", "AttachmentBinaryObject", "URIID"))


def _cii_failures(root: Any) -> dict[str, list]:
    out: dict[str, list] = {rid: [] for rid in _CL_IDS}

    def fail(rid: str, el: Any, value: str | None) -> None:
        out[rid].append((el, {"value": norm(value) if value is not None else ""}))

    simple = {
        RAM + "InvoiceCurrencyCode": ("BR-CL-04", "iso4217"),
        RAM + "TaxCurrencyCode": ("BR-CL-05", "iso4217"),
        RAM + "DueDateTypeCode": ("BR-CL-06", "uncl2475"),
        RAM + "ReferenceTypeCode": ("BR-CL-07", "uncl1153"),
        RAM + "SubjectCode": ("BR-CL-08", "uncl4451-cii"),
        RAM + "CountryID": ("BR-CL-14", "iso3166-cii"),
    }
    for el in root.iter(*_CII_TAGS):
        tag = el.tag
        parent = el.getparent()
        ptag = parent.tag if parent is not None else None
        if tag in simple:
            rid, lst = simple[tag]
            if not _member(lst, text(el)):
                fail(rid, el, text(el))
        elif tag == RAM + "TypeCode":
            if ptag == "{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}ExchangedDocument":
                if not _member("uncl1001", text(el)):
                    fail("BR-CL-01", el, text(el))
            elif ptag == RAM + "SpecifiedTradeSettlementPaymentMeans":
                if not _member("uncl4461", text(el)):
                    fail("BR-CL-16", el, text(el))
        elif tag == RAM + "TaxTotalAmount":
            cur = el.get("currencyID")
            if cur is not None and not _member("iso4217", cur):
                fail("BR-CL-03", el, cur)
        elif tag == RAM + "GlobalID":
            scheme = el.get("schemeID")
            if scheme is None:
                continue
            if not _ancestor(el, (RAM + "SpecifiedTradeProduct", RAM + "ShipToTradeParty")):
                if not _member("icd", scheme):
                    fail("BR-CL-10", el, scheme)
            elif ptag == RAM + "SpecifiedTradeProduct":
                if not _member("icd", scheme):
                    fail("BR-CL-21", el, scheme)
            elif ptag == RAM + "ShipToTradeParty":
                gp = parent.getparent()
                if gp is not None and gp.tag == RAM + "ApplicableHeaderTradeDelivery" and not _member("icd", scheme):
                    fail("BR-CL-26", el, scheme)
        elif tag == RAM + "ID":
            scheme = el.get("schemeID")
            if scheme is not None and not _ancestor(el, (RAM + "SpecifiedTaxRegistration",)):
                if not _member("icd", scheme):
                    fail("BR-CL-11", el, scheme)
            elif ptag == RAM + "OriginTradeCountry":
                if not _member("iso3166-cii", text(el)):
                    fail("BR-CL-15", el, text(el))
        elif tag == RAM + "ClassCode":
            lid = el.get("listID")
            if lid is not None and not _member("uncl7143", lid):
                fail("BR-CL-13", el, lid)
        elif tag == RAM + "CategoryCode":
            if ptag == RAM + "CategoryTradeTax":
                if not _member("uncl5305", text(el)):
                    fail("BR-CL-17", el, text(el))
            elif ptag == RAM + "ApplicableTradeTax":
                if not _member("uncl5305", text(el)):
                    fail("BR-CL-18", el, text(el))
        elif tag == RAM + "ReasonCode":
            if ptag != RAM + "SpecifiedTradeAllowanceCharge":
                continue
            inds = {as_bool(i) for ci in parent.iterfind(RAM + "ChargeIndicator") for i in ci.iterfind(UDT + "Indicator")}
            if False in inds:
                if not _member("uncl5189", text(el)):
                    fail("BR-CL-19", el, text(el))
            elif True in inds:
                if not _member("uncl7161", text(el)):
                    fail("BR-CL-20", el, text(el))
        elif tag == RAM + "ExemptionReasonCode":
            if not _member("vatex", text(el), upper=True):
                fail("BR-CL-22", el, text(el))
        elif tag in (RAM + "BasisQuantity", RAM + "BilledQuantity"):
            unit = el.get("unitCode")
            if unit is not None and not _member("unece-rec20-rec21", unit):
                fail("BR-CL-23", el, unit)
        elif tag == RAM + "AttachmentBinaryObject":
            mime = el.get("mimeCode")
            if mime is not None and mime not in codelists.get(_MIME):
                fail("BR-CL-24", el, mime)
        elif tag == RAM + "URIID":
            scheme = el.get("schemeID")
            if scheme is not None and ptag == RAM + "URIUniversalCommunication" and not _member("eas", scheme):
                fail("BR-CL-25", el, scheme)
    return out


def _failures(doc: Document) -> dict[str, list]:
    store = doc.__dict__.setdefault("_en16931_codes", {})
    if "f" not in store:
        tree = on_tree(doc)
        found = (_ubl_failures if tree.syntax.value == "ubl" else _cii_failures)(tree.root)
        # only the ids that failed: a clean document gives an empty result, and the family is skipped
        store["f"] = {rid: hits for rid, hits in found.items() if hits}
    return store["f"]


# one family: the code lists are checked in one pass, clean documents skip every id at once
RULES.family(_CL_IDS, _failures, name="en16931:code-lists")
