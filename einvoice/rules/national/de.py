"""German rules (DE-R-*, from XRechnung) as the Peppol rule set applies them:
to UBL documents whose seller and buyer both have a postal address in Germany.

The official set has them for UBL only, so they are checked on the UBL tree.
"""

from __future__ import annotations

import functools
import re

from .. import releases
from .. import values as V
from ..german import CARD, CREDIT_TRANSFER, DIRECT_DEBIT, DOCUMENT, MEANS, PATHS, REQUIRED, SUPPORTED_VAT_CODES, TYPE_CODES, iban_ok, nonblank, skonto_ok, without
from ..values import string_value as sv
from . import RULES
from ._checks import country_rules, norm, number, postal_is, ubl_xpath as _x

# every rule below runs only where seller and buyer are both German (_german)
rule = country_rules(RULES, "DE", applies=lambda doc: _german(doc))
P = PATHS["ubl"]  # the XRechnung UBL paths: the rules below are the XRechnung ones (BR-DE-n is DE-R-00n)
THREE_DIGITS = re.compile(r"([^0-9]*[0-9]){3,}")  # (the official '[0-9]': ASCII digits only)


def _pattern(doc, name: str) -> re.Pattern:
    """A pattern of the run's Peppol release (the e-mail, Skonto and URL patterns changed in 3.0.21)."""
    return _compiled(releases.peppol(doc).param(name))


@functools.cache
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern)


def _codes_normalized(doc) -> bool:
    """From 3.0.21 the payment means and type codes are compared after normalize-space, as strings;
    before, the contexts compared them as numbers and the tests as written."""
    return bool(releases.peppol(doc).param("de_codes_normalized"))


def _german(doc) -> bool:
    """Seller and buyer both with a postal address in Germany (``$supplierCountryIsDE and
    $customerCountryIsDE``, UBL tree only; false where a party has several country codes)."""
    return postal_is(doc, "seller", "DE") and postal_is(doc, "buyer", "DE")


# --- document level -------------------------------------------------------------------

_BUYER_REFERENCE = _x("cbc:BuyerReference")
_TYPE_CODE_ELEMENTS = _x("cbc:InvoiceTypeCode | cbc:CreditNoteTypeCode")


def _type_codes(doc) -> list[str]:
    """The type codes (string values) as the release compares them: as written (3.0.19-3.0.20) or normalised (3.0.21)."""
    if _codes_normalized(doc):
        return [norm(sv(el)) for el in _TYPE_CODE_ELEMENTS(doc.root)]
    return [sv(el) for el in _TYPE_CODE_ELEMENTS(doc.root)]


_TERMS_NOTES = _x("cac:PaymentTerms/cbc:Note[1]")


@rule("DE-R-018", syntax="ubl")
def de_r_018(doc):
    """Cash discount (Skonto) lines in the payment terms: XRechnung's BR-DE-18 with the release's pattern."""
    notes = _TERMS_NOTES(doc.root)
    return [] if skonto_ok(notes, _pattern(doc, "de_skonto_pattern").search) else notes[:1]


def _de_id(br: str) -> str:
    """BR-DE-23-a -> DE-R-023-1: the Peppol id of an XRechnung rule."""
    number_, _, part = br[len("BR-DE-"):].partition("-")
    return f"DE-R-{int(number_):03d}" + (f"-{'ab'.index(part) + 1}" if part else "")


_VAT_CATEGORIES = _x("cac:AllowanceCharge[cbc:ChargeIndicator = 'false' or cbc:ChargeIndicator = 'true']/cac:TaxCategory/cbc:ID"
                     " | (cac:InvoiceLine | cac:CreditNoteLine)/cac:Item/cac:ClassifiedTaxCategory/cbc:ID")
_TAX_REP = _x("cac:TaxRepresentativeParty")
_SELLER_TAX_IDS = _x("cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID")
_PRECEDING = _x("cac:BillingReference/cac:InvoiceDocumentReference")


def _corrected(doc) -> bool:
    """Type code 384: compared as a number up to 3.0.20, normalised from 3.0.21."""
    if _codes_normalized(doc):
        return "384" in _type_codes(doc)
    return any(number(c) == 384 for c in _type_codes(doc))


# rules reported on the document: rule id -> fails(doc, root); DE-R-001/022/030/031 are the XRechnung tests
_DOCUMENT = {_de_id(br): (lambda doc, root, f=f: f(root, P))
             for br, syntaxes, f in DOCUMENT if br in ("BR-DE-1", "BR-DE-22", "BR-DE-30", "BR-DE-31") and "ubl" in syntaxes}
_DOCUMENT.update({
    "DE-R-015": lambda doc, root: not nonblank(_BUYER_REFERENCE(root)),
    # with a VAT category that needs it, the seller's VAT or tax number or a tax representative is given
    "DE-R-016": lambda doc, root: (bool({sv(e) for e in _VAT_CATEGORIES(root)} & set(SUPPORTED_VAT_CODES)) and not _TAX_REP(root)
                                   and not nonblank(_SELLER_TAX_IDS(root))),
    "DE-R-017": lambda doc, root: not set(_type_codes(doc)) & set(TYPE_CODES),
    "DE-R-026": lambda doc, root: _corrected(doc) and not _PRECEDING(root),
})


def _document(fails):
    def check(doc):
        return [None] if fails(doc, doc.root) else []

    return check


for _rid, _fails in _DOCUMENT.items():
    rule(_rid, syntax="ubl")(_document(_fails))


# --- parties and addresses -------------------------------------------------------------

def _required(br: str):
    def check(doc):
        return without(doc.root, P, br)

    return check


for _br in REQUIRED:
    rule(_de_id(_br), syntax="ubl")(_required(_br))


_PHONE_TEXT = _x("string(cbc:Telephone)")
_MAIL_TEXT = _x("string(cbc:ElectronicMail)")


# the seller contact's telephone (three digits) and e-mail (the release's pattern): rule id -> ok(doc, contact)
_CONTACTS = {"DE-R-027": lambda doc, c: THREE_DIGITS.match(norm(_PHONE_TEXT(c))),
             "DE-R-028": lambda doc, c: _pattern(doc, "de_email_pattern").fullmatch(norm(_MAIL_TEXT(c)))}


def _contact_rule(ok):
    def check(doc):
        return [c for c in P.seller_contacts(doc.root) if not ok(doc, c)]

    return check


for _rid, _ok in _CONTACTS.items():
    rule(_rid, syntax="ubl")(_contact_rule(_ok))


# --- payment means -------------------------------------------------------------------

_PM_CODE_ELEMENTS = _x("cbc:PaymentMeansCode")


def _means(doc, codes):
    """Payment means whose code is one of ``codes``, with the codes as the rule's test reads them.

    Up to 3.0.20 the context compares the code as a number (``code = (30, 58)``, as Saxon reads it: for 30, then
    58, the codes in document order; one that is no number before an equal one is an error) and the test as
    written; from 3.0.21 both compare it normalised, as a string: normalize-space() of two codes is an error.
    A context whose predicate fails matches nothing (as in PEPPOL-EN16931-R061).

    The three contexts (credit transfer, card, direct debit) are rules of one pattern: a payment means is judged
    by the first whose predicate holds, in that order; a means with codes of two groups (a document the schema
    refuses already) only by the first (from 3.0.21 two codes match no context).
    """
    normalized = _codes_normalized(doc)
    for pm in P.payment_means(doc.root):
        if normalized:
            values = [norm(sv(el)) for el in _PM_CODE_ELEMENTS(pm)]
            if len(values) == 1 and values[0] in codes:
                yield pm, values
        else:
            values = [sv(el) for el in _PM_CODE_ELEMENTS(pm)]
            if next((group for group in _MEANS_GROUPS if _numeric_match(values, group)), None) == codes:
                yield pm, values


_MEANS_GROUPS = (CREDIT_TRANSFER, CARD, DIRECT_DEBIT)  # the pattern's rules in order (3.0.20's priorities)


def _numeric_match(values: list[str], codes: tuple[str, ...]) -> bool:
    """``cbc:PaymentMeansCode = (codes)`` as Saxon reads it up to 3.0.20: for each code in turn, the document's
    codes compared as numbers; an error (a code that is no number before an equal one) is no match."""
    found = (V.attempt(lambda c=c: any(V.compare_untyped(v, "=", c) for v in values)) for c in codes)
    return next((hit for hit in found if hit is not False), False) is True


# rule id -> (the codes of the context, fails(root, payment means, its codes as the test reads them)): the
# XRechnung tests, but for the IBAN rules, which test the code as read
_MEANS = {_de_id(br): (codes, lambda root, pm, values, f=f: f(root, pm, P))
          for br, (codes, f) in MEANS.items() if br not in ("BR-DE-19", "BR-DE-20")}
_MEANS["DE-R-019"] = (("30", "58"), lambda root, pm, values: "58" in values and not iban_ok(P.payee_iban(pm)))
_MEANS["DE-R-020"] = (("59",), lambda root, pm, values: "59" in values and not iban_ok(P.payer_iban(pm)))


def _means_rule(codes, fails):
    def check(doc):
        return [pm for pm, values in _means(doc, codes) if fails(doc.root, pm, values)]

    return check


for _rid, (_codes, _fails) in _MEANS.items():
    rule(_rid, syntax="ubl")(_means_rule(_codes, _fails))


# --- attachments (3.0.21) -----------------------------------------------------------------

_EXTERNAL_REFERENCES = _x("cac:AdditionalDocumentReference/cac:Attachment/cac:ExternalReference")
_URI_TEXT = _x("string(cbc:URI)")


@rule("DE-R-T02", syntax="ubl")
def de_r_t02(doc):
    """An external document location (BT-124) is an absolute URL with a scheme."""
    url = _pattern(doc, "de_url_pattern")
    for ref in _EXTERNAL_REFERENCES(doc.root):
        # matches(cbc:URI, ...): an absent URI reads as '' and fails; the value is not trimmed
        if not url.match(_URI_TEXT(ref)):
            yield ref
