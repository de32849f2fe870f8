"""What the German rules share: the XRechnung rule set (UBL and CII) and the Peppol German rules
(DE-R-*, UBL), which derive from it; the paths each syntax keeps its data at.

The official rule set is an XSLT 2.0 schematron; its checks are reproduced on
the document tree. Values are read as XPath reads them: the string value of an
element (text across child elements, comments left out), ``normalize-space``
with XML whitespace only (space, tab, CR, LF), general comparisons that hold
when any item of a sequence matches, and regular expressions in which ``.``
and ``\\s`` have their XPath meaning (``.`` stops at CR and LF, ``\\s`` is
XML whitespace).
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal
from typing import Any, Callable, Iterable

from ..basics import SharedXPath

from .. import codelists
from ..syntax.namespaces import CII_NS, RSM, UBL_CREDIT_NOTE, UBL_INVOICE, UBL_NS
from .values import decimal_or_none, normalize_space, string_value

# --- specification identifiers (BT-24) of XRechnung 3.0 --------------------------------------

XR_VERSION = "3.0"
CVD_VERSION = "0.9"
XR_CIUS_ID = f"urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_{XR_VERSION}"
XR_EXTENSION_ID = f"{XR_CIUS_ID}#conformant#urn:xeinkauf.de:kosit:extension:xrechnung_{XR_VERSION}"
XR_CVD_ID = f"{XR_CIUS_ID}#compliant#urn:xeinkauf.de:kosit:xrechnung:cvd_{CVD_VERSION}"
XR_IDS = (XR_CIUS_ID, XR_EXTENSION_ID, XR_CVD_ID)

# --- patterns of the rule set, in Python's regular-expression dialect ------------------------
# XPath's "." is any character but CR and LF; "\s" is space, tab, CR or LF; "[0-9]" only ASCII digits.

# one cash-discount line of the payment terms, after normalize-space (BR-DE-18)
SKONTO_LINE = re.compile(r"#SKONTO#TAGE=([0-9]+)#PROZENT=([0-9]+\.[0-9]{2})(?:#BASISBETRAG=(-?[0-9]+\.[0-9]{2}))?#\Z")
# the text between two '#' on one line, as the rule set tokenizes the payment terms (BR-DE-18)
HASH_RUN = re.compile(r"#[^\r\n]+#")
LINE_BREAK = re.compile(r"\r?\n")
BREAK_AFTER = re.compile(r"[ \t\r\n]*\n")  # "^\s*\n": blanks, then a line feed
TELEPHONE = re.compile(r"([^\r\n]*?[0-9]){3}")  # at least three ASCII digits in the normalized number (BR-DE-27)
# one '@', no blank, at least one dot after it, no empty part around a dot after it (BR-DE-28)
EMAIL = re.compile(r"[^@ \t\r\n]+@([^@. \t\r\n]+\.)+[^@. \t\r\n]+\Z")
# an absolute URL: a scheme (a letter, at least one more scheme character) and a colon (BR-TMP-2)
URL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]+:")
IBAN_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[a-zA-Z0-9]{0,30}\Z")
_XML_BLANKS = re.compile(r"[ \t\r\n]")

SUPPORTED_VAT_CODES = ("S", "Z", "E", "AE", "K", "G", "L", "M")  # BR-DE-16
TYPE_CODES = ("326", "380", "384", "389", "381", "875", "876", "877")  # BR-DE-17
CREDIT_TRANSFER = ("30", "58")  # BR-DE-19, BR-DE-23
CARD = ("48", "54", "55")  # BR-DE-24
DIRECT_DEBIT = ("59",)  # BR-DE-20, BR-DE-25


compile_ubl = functools.partial(SharedXPath, namespaces=UBL_NS)
compile_cii = functools.partial(SharedXPath, namespaces=CII_NS)


# --- values ----------------------------------------------------------------------------------

# ``normalize-space`` of a text (XML whitespace only: a no-break space is kept, as XPath keeps it) and the
# XPath string value of an element or attribute value
norm, sv = normalize_space, string_value


def nz(node: Any) -> str:
    """``normalize-space(node)``; the empty string for None."""
    return norm(sv(node)) if node is not None else ""


def nonblank(nodes: Iterable[Any]) -> bool:
    """``nodes[boolean(normalize-space(.))]`` selects something."""
    return any(nz(n) for n in nodes)


def first_nz(nodes: list) -> str:
    """``normalize-space(path)`` where the path selects at most one node (the first is taken when it selects more)."""
    return nz(nodes[0]) if nodes else ""


def iban_ok(nodes: list) -> bool:
    """BR-DE-19/20: the account is shaped as an IBAN and passes the ISO 7064 mod 97 test.

    As the rule set computes it: XML blanks removed, the first four characters
    moved to the end with the country code upper-cased, then every character
    above '@' counted as its code point less 55 (so a lower-case letter after
    the fourth character gives a two-digit number of its own), every other one
    as its code point less 48. An absent account fails.
    """
    text = norm(_XML_BLANKS.sub("", sv(nodes[0]))) if nodes else ""
    if not IBAN_SHAPE.match(text):
        return False
    moved = text[4:] + text[:2].upper() + text[2:4]
    digits = "".join(str(ord(c) - 55) if ord(c) > 64 else str(ord(c) - 48) for c in moved)
    return int(digits) % 97 == 1


def skonto_ok(notes: list, line_ok: Callable[[str], Any] = SKONTO_LINE.match) -> bool:
    """BR-DE-18 (and Peppol's DE-R-018, with its release's ``line_ok``) on the first note of each payment terms.

    Every line of those texts that starts, after normalize-space, with '#' must be
    a cash-discount line; when there is such a line, the text after the last
    '#...#' run must begin with optional blanks and a line feed. The rule set
    evaluates that second test over all notes at once; with more than one note it
    cannot be evaluated (an XPath type error), which is reported here as a failure.
    """
    texts = [sv(n) for n in notes]
    lines = [ln for t in texts for ln in LINE_BREAK.split(t) if norm(ln).startswith("#")]
    if not lines:
        return True
    if not all(line_ok(norm(ln)) for ln in lines):
        return False
    tails = [HASH_RUN.split(t)[-1] for t in texts if t]  # tokenize() of an empty string gives no token
    return len(tails) == 1 and bool(BREAK_AFTER.match(tails[0]))


# --- code lists (XRechnung's own editions, schemas/codelists/xrechnung-*.yaml) -----------------

def _haystack(*names: str) -> str:
    return "".join(codelists.joined(n) for n in names)


def in_joined(haystack: str, value: str) -> bool:
    """The rule set's list test: the normalized value has no blank and ' value ' occurs in the list string.

    The extension lists are the concatenation of two lists, each with a blank at
    either end; the doubled blank where they meet lets an empty value pass. That
    is the official behaviour and is kept.
    """
    v = norm(value)
    return " " not in v and f" {v} " in haystack


@functools.cache
def icd_ext() -> str:
    return _haystack("xrechnung-diga", "xrechnung-icd")


@functools.cache
def eas_ext() -> str:
    return _haystack("xrechnung-diga", "xrechnung-eas")


@functools.cache
def uncl7143_cvd() -> str:
    return " CVD " + codelists.joined("xrechnung-uncl7143")


def mime_ext() -> frozenset[str]:
    return codelists.get("xrechnung-mime-extension")


def vehicle_categories() -> frozenset[str]:
    return codelists.get("xrechnung-cvd-vehicle")


def cva_values() -> frozenset[str]:
    return codelists.get("xrechnung-cva")


# --- xs:decimal ----------------------------------------------------------------------------

class NoDecimal(Exception):
    """An ``xs:decimal`` cast the official test cannot evaluate (the finding then says it stops: ``NO_DECIMAL``)."""


NO_DECIMAL = {"stops": "it reads one decimal number here, and the document gives a value that is none, or several",
              "fix": "Write the value once, as a decimal number (digits with '.' for decimals)."}


def one_decimal(nodes: list, default: Decimal | None = None) -> Decimal | None:
    """``xs:decimal(path)``: ``default`` for an absent value (an empty sequence); a value that
    is no decimal, or several values, cannot be evaluated (NoDecimal)."""
    if not nodes:
        return default
    if (value := decimal_or_none(nodes[0]) if len(nodes) == 1 else None) is None:
        raise NoDecimal
    return value


# --- where each syntax keeps what the rules read -----------------------------------------------

_INVOICE = "{%s}Invoice" % UBL_INVOICE
_CREDIT_NOTE = "{%s}CreditNote" % UBL_CREDIT_NOTE

_T = "rsm:SupplyChainTradeTransaction"
_A = f"{_T}/ram:ApplicableHeaderTradeAgreement"
_S = f"{_T}/ram:ApplicableHeaderTradeSettlement"
_LI = f"{_T}/ram:IncludedSupplyChainTradeLineItem"


class Paths:
    """A syntax's paths, compiled on first use: strings become XPaths, tuples and dicts are compiled
    item by item, anything else (a function, a set of root tags) is kept."""

    def __init__(self, compile_, **entries):
        self._compile, self._raw = compile_, entries

    def _one(self, v):
        if isinstance(v, str):
            return self._compile(v)
        if isinstance(v, tuple):
            return tuple(self._one(i) for i in v)
        if isinstance(v, dict):
            return {k: self._one(i) for k, i in v.items()}
        return v

    def __getattr__(self, name: str):
        if name.startswith("_") or name not in self._raw:
            raise AttributeError(name)
        value = self._one(self._raw[name])
        setattr(self, name, value)
        return value


_U_MANDATE = compile_ubl("cac:PaymentMandate")
_U_ITEMS = {_INVOICE: compile_ubl("cac:InvoiceLine/cac:Item"), _CREDIT_NOTE: compile_ubl("cac:CreditNoteLine/cac:Item")}
_U_TENDER = compile_ubl("cac:OriginatorDocumentReference/cbc:ID")
_C_MANDATE_ID = compile_cii(f"{_S}/ram:SpecifiedTradePaymentTerms/ram:DirectDebitMandateID")  # BT-89
_C_CREDITOR_ID = compile_cii(f"{_S}/ram:CreditorReferenceID")  # BT-90
_C_DEBITED = compile_cii(f"{_S}/ram:SpecifiedTradeSettlementPaymentMeans/ram:PayerPartyDebtorFinancialAccount/ram:IBANID")  # BT-91
_C_PAYER_IBAN = compile_cii("ram:PayerPartyDebtorFinancialAccount/ram:IBANID")
_C_PRODUCTS = compile_cii(f"{_LI}/ram:SpecifiedTradeProduct")
_C_REFS = compile_cii("ram:AdditionalReferencedDocument")
_C_REF_TYPE = compile_cii("ram:TypeCode")
_C_REF_ID = compile_cii("ram:IssuerAssignedID")


def _c_debit_given(root, pm) -> bool:
    """BT-89 or BT-90 of the document, or BT-91 of this payment means: the direct debit group is there."""
    return bool(_C_MANDATE_ID(root) or _C_CREDITOR_ID(root) or _C_PAYER_IBAN(pm))


PATHS = {
    "ubl": Paths(
        compile_ubl, roots=frozenset({_INVOICE, _CREDIT_NOTE}),
        payment_means="cac:PaymentMeans", buyer_reference="cbc:BuyerReference",
        type_codes=("cbc:InvoiceTypeCode", "cbc:CreditNoteTypeCode"), terms_notes="cac:PaymentTerms/cbc:Note[1]",
        ards="cac:AdditionalDocumentReference", ard_filenames="cac:Attachment/cbc:EmbeddedDocumentBinaryObject/@filename",
        preceding_invoice="cac:BillingReference/cac:InvoiceDocumentReference",
        contexts=None, guidelines="cbc:CustomizationID",
        transactions=None, delivery_date="cac:Delivery/cbc:ActualDeliveryDate", invoice_period="cac:InvoicePeriod",
        lines="cac:InvoiceLine | cac:CreditNoteLine", line_period="cac:InvoicePeriod",
        external_refs="cac:AdditionalDocumentReference/cac:Attachment/cac:ExternalReference", uri="cbc:URI",
        absent_uri_fails=True,
        seller="cac:AccountingSupplierParty", seller_contact_of="cac:Party/cac:Contact",
        seller_address="cac:AccountingSupplierParty/cac:Party/cac:PostalAddress",
        seller_contacts="cac:AccountingSupplierParty/cac:Party/cac:Contact",
        buyer_address="cac:AccountingCustomerParty/cac:Party/cac:PostalAddress",
        delivery_address="cac:Delivery/cac:DeliveryLocation/cac:Address",
        city="cbc:CityName", zone="cbc:PostalZone", contact_point="cbc:Name", phone="cbc:Telephone",
        mail="cbc:ElectronicMail",
        pm_code="cbc:PaymentMeansCode", payee_account="cac:PayeeFinancialAccount",
        payee_iban="cac:PayeeFinancialAccount/cbc:ID", payer_iban="cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID",
        card="cac:CardAccount", debit=lambda root, pm: bool(_U_MANDATE(pm)),
        mandates="cac:PaymentMeans/cac:PaymentMandate",
        sepa_creditor=("cac:AccountingSupplierParty/cac:Party/cac:PartyIdentification/cbc:ID[@schemeID='SEPA']"
                       " | cac:PayeeParty/cac:PartyIdentification/cbc:ID[@schemeID='SEPA']"),
        debited_account="cac:PaymentMeans/cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID",
        not_with_debit=("cac:PayeeFinancialAccount", "cac:CardAccount"),
        tax_breakdowns="cac:TaxTotal/cac:TaxSubtotal", rate="cac:TaxCategory/cbc:Percent",
        is_extension="boolean(cbc:CustomizationID[text() = $id])",
        attachments="//cbc:EmbeddedDocumentBinaryObject",
        scheme_ids={"BR-DEX-04": ("//cac:PartyIdentification/cbc:ID[@schemeID]", icd_ext),
                    "BR-DEX-05": ("//cac:PartyLegalEntity/cbc:CompanyID[@schemeID]", icd_ext),
                    "BR-DEX-06": ("//cac:StandardItemIdentification/cbc:ID[@schemeID]", icd_ext),
                    "BR-DEX-07": ("//cbc:EndpointID[@schemeID]", eas_ext),
                    "BR-DEX-08": ("//cac:DeliveryLocation/cbc:ID[@schemeID]", icd_ext)},
        sepa_ok="boolean(ancestor::cac:AccountingSupplierParty | ancestor::cac:PayeeParty)",
        is_cvd="boolean(cbc:CustomizationID/text() = $id)",
        agreements=None, contract="cac:ContractDocumentReference/cbc:ID",
        tender_given=lambda scope: nonblank(_U_TENDER(scope)),
        items_of="cac:InvoiceLine/cac:Item | cac:CreditNoteLine/cac:Item",
        cvd_item=("boolean(cac:CommodityClassification/cbc:ItemClassificationCode/@listID = 'CVD'"
                  " and cac:AdditionalItemProperty/cbc:Name = 'cva')"),
        # the line contexts of the rule set: invoice lines of an Invoice, credit note lines of a CreditNote
        cvd_items=lambda root: _U_ITEMS[root.tag](root),
        cvd_codes="cac:CommodityClassification/cbc:ItemClassificationCode[@listID = 'CVD']",
        cva_props="cac:AdditionalItemProperty[cbc:Name = 'cva']",
        class_codes="cac:CommodityClassification/cbc:ItemClassificationCode", value="cbc:Value",
    ),
    "cii": Paths(
        compile_cii, roots=frozenset({"{%s}CrossIndustryInvoice" % RSM}),
        payment_means=f"{_S}/ram:SpecifiedTradeSettlementPaymentMeans", buyer_reference=f"{_A}/ram:BuyerReference",
        type_codes=("rsm:ExchangedDocument/ram:TypeCode",),
        terms_notes=f"{_S}/ram:SpecifiedTradePaymentTerms/ram:Description[1]",
        ards="//ram:AdditionalReferencedDocument", ard_filenames="ram:AttachmentBinaryObject/@filename",
        preceding_invoice=f"{_S}/ram:InvoiceReferencedDocument",
        contexts="rsm:ExchangedDocumentContext", guidelines="ram:GuidelineSpecifiedDocumentContextParameter/ram:ID",
        transactions=_T,
        delivery_date="ram:ApplicableHeaderTradeDelivery/ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime",
        invoice_period="ram:ApplicableHeaderTradeSettlement/ram:BillingSpecifiedPeriod",
        lines="ram:IncludedSupplyChainTradeLineItem", line_period="ram:SpecifiedLineTradeSettlement/ram:BillingSpecifiedPeriod",
        external_refs=f"{_A}/ram:AdditionalReferencedDocument[ram:TypeCode = '916']", uri="ram:URIID",
        absent_uri_fails=False,  # without a location nothing is judged
        seller=f"{_A}/ram:SellerTradeParty", seller_contact_of="ram:DefinedTradeContact",
        seller_address=f"{_A}/ram:SellerTradeParty/ram:PostalTradeAddress",
        seller_contacts=f"{_A}/ram:SellerTradeParty/ram:DefinedTradeContact",
        buyer_address=f"{_A}/ram:BuyerTradeParty/ram:PostalTradeAddress",
        delivery_address=f"{_T}/ram:ApplicableHeaderTradeDelivery/ram:ShipToTradeParty/ram:PostalTradeAddress",
        city="ram:CityName", zone="ram:PostcodeCode", contact_point="ram:PersonName | ram:DepartmentName",
        phone="ram:TelephoneUniversalCommunication/ram:CompleteNumber", mail="ram:EmailURIUniversalCommunication/ram:URIID",
        pm_code="ram:TypeCode", payee_account="ram:PayeePartyCreditorFinancialAccount",
        payee_iban="ram:PayeePartyCreditorFinancialAccount/ram:IBANID", payer_iban=_C_PAYER_IBAN,
        card="ram:ApplicableTradeSettlementFinancialCard", debit=_c_debit_given,
        not_with_debit=("ram:PayeePartyCreditorFinancialAccount", "ram:PayeeSpecifiedCreditorFinancialInstitution",
                        "ram:PayerSpecifiedDebtorFinancialInstitution", "ram:ApplicableTradeSettlementFinancialCard"),
        tax_breakdowns=f"{_S}/ram:ApplicableTradeTax", rate="ram:RateApplicablePercent",
        is_extension="boolean(rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID[text() = $id])",
        attachments="//ram:AttachmentBinaryObject",
        scheme_ids={"BR-DEX-04": ("//ram:GlobalID[@schemeID][not(ancestor::ram:SpecifiedTradeProduct)"
                                  " and not(ancestor::ram:ShipToTradeParty)]", icd_ext),
                    "BR-DEX-05": ("//ram:ID[@schemeID][not(ancestor::ram:SpecifiedTaxRegistration)]", icd_ext),
                    "BR-DEX-06": ("//ram:SpecifiedTradeProduct/ram:GlobalID[@schemeID]", icd_ext),
                    "BR-DEX-07": ("//ram:URIUniversalCommunication/ram:URIID[@schemeID]", eas_ext),
                    "BR-DEX-08": ("//ram:ApplicableHeaderTradeDelivery/ram:ShipToTradeParty/ram:GlobalID[@schemeID]", icd_ext)},
        sepa_ok=None,
        is_cvd="boolean(rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID/text() = $id)",
        agreements=_A, contract="ram:ContractReferencedDocument/ram:IssuerAssignedID",
        tender_given=lambda scope: any(first_nz(_C_REF_TYPE(r)) == "50" and first_nz(_C_REF_ID(r)) for r in _C_REFS(scope)),
        items_of="ram:IncludedSupplyChainTradeLineItem/ram:SpecifiedTradeProduct",
        cvd_item=("boolean(ram:DesignatedProductClassification/ram:ClassCode/@listID = 'CVD'"
                  " and ram:ApplicableProductCharacteristic/ram:Description = 'cva')"),
        cvd_items=_C_PRODUCTS,
        cvd_codes="ram:DesignatedProductClassification/ram:ClassCode[@listID = 'CVD']",
        cva_props="ram:ApplicableProductCharacteristic[ram:Description = 'cva']",
        class_codes="ram:DesignatedProductClassification/ram:ClassCode", value="ram:Value",
    ),
}


# BR-DE-2..11 and 14 (DE-R-002..011 and 014 in Peppol): elements that must have a child, by names of PATHS:
# rule id -> (containers, child, whether the child must have text)
REQUIRED = {
    "BR-DE-2": ("seller", "seller_contact_of", False),
    "BR-DE-3": ("seller_address", "city", True), "BR-DE-4": ("seller_address", "zone", True),
    "BR-DE-5": ("seller_contacts", "contact_point", True), "BR-DE-6": ("seller_contacts", "phone", True),
    "BR-DE-7": ("seller_contacts", "mail", True), "BR-DE-8": ("buyer_address", "city", True),
    "BR-DE-9": ("buyer_address", "zone", True), "BR-DE-10": ("delivery_address", "city", True),
    "BR-DE-11": ("delivery_address", "zone", True), "BR-DE-14": ("tax_breakdowns", "rate", True),
}


def _debit_incomplete(root, needed: int) -> bool:
    """CII: the direct debit group (any of BT-89, BT-90, BT-91) is there, but BT-90 (``needed`` 1) or
    BT-91 (2) is missing or is alone (nothing to pair it with), as the rule set tests it."""
    given = [bool(_C_MANDATE_ID(root)), bool(_C_CREDITOR_ID(root)), bool(_C_DEBITED(root))]
    return any(given) and not (given.pop(needed) and any(given))


def repeated_filename(root, p) -> bool:
    """An attachment's file name repeats one of an earlier sibling reference (compared as written); names
    repeated within one reference do not count (the official test looks at preceding siblings only)."""
    seen: dict = {}
    for ard in p.ards(root):
        names = [str(n) for n in p.ard_filenames(ard)]
        earlier = seen.setdefault(ard.getparent(), set())
        if any(n in earlier for n in names):
            return True
        earlier.update(names)
    return False


# rules reported on the document: (rule id, syntaxes, fails(root, paths)); DE-R-001/022/030/031 are the UBL ones
DOCUMENT = [
    ("BR-DE-1", ("ubl", "cii"), lambda root, p: not p.payment_means(root)),
    ("BR-DE-15", ("ubl", "cii"), lambda root, p: not nonblank(p.buyer_reference(root))),
    ("BR-DE-17", ("ubl", "cii"), lambda root, p: not any(first_nz(codes(root)) in TYPE_CODES for codes in p.type_codes)),
    ("BR-DE-18", ("ubl", "cii"), lambda root, p: not skonto_ok(p.terms_notes(root))),
    ("BR-DE-22", ("ubl", "cii"), repeated_filename),
    ("BR-DE-26", ("ubl", "cii"), lambda root, p: (any(first_nz(codes(root)) == "384" for codes in p.type_codes)
                                                  and not p.preceding_invoice(root))),
    # with a mandate, the creditor identifier (BR-DE-30) and the debited account (BR-DE-31) are given
    ("BR-DE-30", ("ubl",), lambda root, p: bool(p.mandates(root)) and not p.sepa_creditor(root)),
    ("BR-DE-31", ("ubl",), lambda root, p: bool(p.mandates(root)) and not p.debited_account(root)),
    ("BR-DE-30", ("cii",), lambda root, p: _debit_incomplete(root, 1)),
    ("BR-DE-31", ("cii",), lambda root, p: _debit_incomplete(root, 2)),
]


def without(root, p, rid: str, has_text=nonblank):
    """The containers of REQUIRED[rid] without the child (without one that has text, as ``has_text`` reads it)."""
    containers, child, text = REQUIRED[rid]
    present = has_text if text else bool
    return [el for el in getattr(p, containers)(root) if not present(getattr(p, child)(el))]


def means(root, p, codes):
    """Payment means whose normalized code is one of ``codes`` (the rule set's contexts)."""
    for pm in p.payment_means(root):
        found = p.pm_code(pm)
        if len(found) > 1:  # normalize-space() of two codes fails, and a pattern that fails does not match
            continue
        code = first_nz(found)
        if code in codes:
            yield pm, code


# the payment means rules: rule id -> (the codes of the context, fails(root, pm, paths))
MEANS = {
    "BR-DE-23-a": (CREDIT_TRANSFER, lambda root, pm, p: not p.payee_account(pm)),
    "BR-DE-23-b": (CREDIT_TRANSFER, lambda root, pm, p: bool(p.card(pm)) or p.debit(root, pm)),
    "BR-DE-24-a": (CARD, lambda root, pm, p: not p.card(pm)),
    "BR-DE-24-b": (CARD, lambda root, pm, p: bool(p.payee_account(pm)) or p.debit(root, pm)),
    "BR-DE-25-a": (DIRECT_DEBIT, lambda root, pm, p: not p.debit(root, pm)),
    "BR-DE-25-b": (DIRECT_DEBIT, lambda root, pm, p: any(path(pm) for path in p.not_with_debit)),
    "BR-DE-19": (CREDIT_TRANSFER, lambda root, pm, p: first_nz(p.pm_code(pm)) == "58" and not iban_ok(p.payee_iban(pm))),
    "BR-DE-20": (DIRECT_DEBIT, lambda root, pm, p: not iban_ok(p.payer_iban(pm))),
}
