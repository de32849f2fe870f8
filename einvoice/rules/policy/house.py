"""House policy: what a receivables clerk expects of an invoice beyond the law.

An invoice is paid on time when it goes out at once with clear terms, a customer
number, invoice and due date, the right amount, payment details (account and
KID/OCR/RF reference) and a contact person. Each check has an id of our own
(EINV-P-*), documented in ``schemas/rules/policy/house.yaml``; its severity can be
changed or the check switched off in the configuration (see ``config.py``).
"""

from __future__ import annotations

import re
from datetime import timedelta

from ...basics import says_nothing
from ... import refs
from . import RULES
from ...config import policy_of as _config, today_of as _today

INTEREST_WORDS = re.compile(  # (late interest or a penalty for it: 'Mietzins', rent, is none; 'interessi di mora' is)
    r"interest|rente|ränta|renta|verzugszins|\bzinse?n?\b|intérêt|interet|interess|korko|dröjsmål|forsinkelse|"
    r"penalt|pénalit|penalit|\bmora\b|demora", re.IGNORECASE)


def _given(text: str | None) -> bool:
    """Whether a text says something (see :func:`einvoice.basics.says_nothing`)."""
    return not says_nothing(text)


def _country(party) -> str | None:
    address = party.address if party is not None else None
    return address.country_code.strip().upper() if address is not None and address.country_code else None


@RULES.rule("EINV-P-001")
def customer_number(doc):
    inv = doc.invoice
    buyer = inv.buyer
    has_id = bool(buyer and any(_given(i.value) for i in buyer.identifiers))
    if not has_id and not _given(inv.buyer_reference):
        yield (buyer, "identifiers") if buyer is not None else None


@RULES.rule("EINV-P-002")
def seller_contact(doc):
    seller = doc.invoice.seller
    contact = seller.contact if seller else None
    if contact is None or not _given(contact.name) or not (_given(contact.telephone) or _given(contact.email)):
        yield contact if contact is not None else seller


def _asks_payment(inv) -> bool:
    """Whether the document asks to be paid: not a credit note (unless its amount due is below zero), nor an amount due
    of zero or less, nor type 751 (the model's ``no_payment_asked``; the page and ``show`` state no due date for those)."""
    from ...model.invoice import no_payment_asked  # (the model is read by the rules of this layer anyway)

    return no_payment_asked(inv) is None


@RULES.rule("EINV-P-003")
def due_date_present(doc):
    inv = doc.invoice
    if inv.due_date is None and _asks_payment(inv):  # (a due date of nothing to pay: none to ask)
        el = inv._els.get("due_date")  # (an element whose text is no date: said as such, where it stands)
        written = " ".join((el.text or "").split())[:60] if el is not None else ""
        yield inv, "due_date", {"found": f": {written!r} is no date" if el is not None else ""}


@RULES.rule("EINV-P-004")
def due_date_not_before_issue(doc):
    inv = doc.invoice
    if inv.due_date and inv.issue_date and inv.due_date < inv.issue_date and _asks_payment(inv):  # (paid in advance)
        yield inv, "due_date", {"due": inv.due_date.isoformat(), "issued": inv.issue_date.isoformat()}


def _is_consumer(inv) -> bool:
    buyer = inv.buyer
    if buyer is None:
        return False
    return not buyer.vat_id and not any(i is not None and _given(i.value) and (  # (an ICD-scheme identifier or
        i is buyer.legal_registration_id or (i.scheme_id or "").strip().isdigit())  # address: an organisation)
        for i in (buyer.legal_registration_id, buyer.electronic_address, *buyer.identifiers))


@RULES.rule("EINV-P-005")
def due_date_within_term(doc):
    inv = doc.invoice
    if not (inv.due_date and inv.issue_date) or inv.due_date < inv.issue_date or not _asks_payment(inv):
        return
    cfg = _config(doc)
    days, whom = cfg.due_days, " (due-days)"
    if cfg.consumer_due_days is not None and _is_consumer(inv):
        days, whom = cfg.consumer_due_days, " for a buyer without a VAT or registration number, a consumer (consumer-due-days)"
    term = (inv.due_date - inv.issue_date).days
    if term > days and not refs.due_on(inv.issue_date, days, inv.due_date):  # (a term ending on a weekend: the Monday after)
        yield inv, "due_date", {"days": term, "limit": days, "whom": whom}


@RULES.rule("EINV-P-006")
def payment_terms_stated(doc):
    inv = doc.invoice
    if not _given(inv.payment_terms) and _asks_payment(inv):
        yield inv, "payment_terms"


@RULES.rule("EINV-P-007")
def late_interest_stated(doc):
    inv = doc.invoice
    if not _config(doc).require_late_interest or not _asks_payment(inv):
        return
    text = " ".join(filter(None, [inv.payment_terms, *[n.text for n in inv.notes]]))
    if not INTEREST_WORDS.search(text):
        yield inv, "payment_terms"


def _invalid_references(doc, own_number: bool):
    """The payment means whose reference is of a kind we check and fails it: those whose reference is the invoice
    number (``own_number``: a payee without a KID or OCR agreement has the invoice number given as a message, as
    the official Swedish examples do) or the others."""
    inv = doc.invoice
    country, seen, number = _country(inv.seller), set(), (inv.number or "").strip()
    for pm in inv.payment_means:  # (a reference once: CII states one for all its payment means)
        judged = refs.payment_reference_kind(ref := pm.remittance_information or "", country, pm.code)
        if judged and not judged[1] and ref not in seen and (bool(number) and ref.strip() == number) is own_number:
            seen.add(ref)
            kind = judged[0] if "(" in judged[0] or judged[0].startswith("ISO") else f"{judged[0]} (a reference of " \
                "digits only is read as the structured reference of the seller's country, and checked)"
            yield pm, "remittance_information", {"kind": kind, "value": pm.remittance_information}


@RULES.rule("EINV-P-008")
def payment_reference_valid(doc):
    yield from _invalid_references(doc, own_number=False)


@RULES.rule("EINV-P-017")
def payment_reference_is_the_invoice_number(doc):
    yield from _invalid_references(doc, own_number=True)


@RULES.rule("EINV-P-009")
def payment_reference_present(doc):
    stated = any(_given(pm.remittance_information) for pm in doc.invoice.payment_means)  # (BT-83 is one term: a UBL
    for _i, pm, code in () if stated else refs.payments_into_account(doc.invoice):  # means stating it states it for all)
        yield pm, "remittance_information", {"code": code}
        if doc.syntax == "cii":  # (CII states one reference for all its payment means: missing once)
            return


@RULES.rule("EINV-P-010")
def account_valid(doc):
    inv = doc.invoice
    country = _country(inv.payee) or _country(inv.seller)
    for pm in inv.payment_means:
        for ct in pm.credit_transfers:  # (a Swedish giro says so in its branch id, whoever the payee: SE:BANKGIRO)
            judged = refs.account_kind(ct.account_id or "", country, ct.service_provider_id, (pm.code or "").strip() == "58")
            if judged and not judged[1]:
                yield ct, "account_id", {"kind": judged[0], "value": ct.account_id}


@RULES.rule("EINV-P-011")
def account_present(doc):
    for _i, pm, code in refs.payments_into_account(doc.invoice):
        if not any(_given(ct.account_id) for ct in pm.credit_transfers):
            yield pm, {"code": code}


@RULES.rule("EINV-P-019")
def payment_means_stated(doc):  # (the builder asks it of every document that asks for payment: EINV-B-010)
    if not doc.invoice.payment_means and _asks_payment(doc.invoice):
        yield doc.invoice, "payment_means"


@RULES.rule("EINV-P-020")
def due_date_agrees_with_terms(doc):
    inv = doc.invoice
    days = inv.due_date and inv.issue_date and inv.issue_date <= inv.due_date and _asks_payment(inv) and \
        refs.stated_days(inv.payment_terms)  # (a due date before the issue date: EINV-P-004's)
    if days and not refs.due_on(inv.issue_date, days, inv.due_date):
        yield inv, "due_date", {"days": days, "term": (inv.due_date - inv.issue_date).days}


@RULES.rule("EINV-P-021")
def line_ids_unique(doc):
    seen: set = set()
    for line in doc.invoice.lines:
        if (key := (line.id or "").strip()) in seen and key:
            yield line, "id", {"value": key}
        seen.add(key)


@RULES.rule("EINV-P-018")
def written_in_electronic_form(doc):
    """An IBAN or RF creditor reference written with small letters or spaces, a KID, OCR or Finnish reference with
    spaces: valid, but not in its electronic form."""
    seen, country = set(), _country(doc.invoice.seller)
    for pm in doc.invoice.payment_means:
        ref = pm.remittance_information
        if ref not in seen and (judged := refs.electronic_form(ref, "rf", country)):
            seen.add(ref)  # (a reference once: CII states one for all its payment means)
            yield pm, "remittance_information", {"kind": judged[0], "value": ref, "form": judged[1], "how": judged[2]}
        for ct in pm.credit_transfers:
            if judged := refs.electronic_form(ct.account_id, "iban"):
                yield ct, "account_id", {"kind": judged[0], "value": ct.account_id, "form": judged[1], "how": judged[2]}


def _invalid_org_numbers(party):
    """Targets for the identifiers of a party (legal registration first) that fail their scheme's check."""
    if party is None:
        return
    idents = ([party.legal_registration_id] if party.legal_registration_id is not None else []) + party.identifiers
    for ident in idents:
        judged = refs.organisation_number(ident.scheme_id, ident.value or "")
        if judged and not judged[1]:
            yield ident, "value", {"kind": judged[0], "value": ident.value}


@RULES.rule("EINV-P-012")
def seller_org_number_valid(doc):
    return _invalid_org_numbers(doc.invoice.seller)


@RULES.rule("EINV-P-013")
def buyer_org_number_valid(doc):
    return _invalid_org_numbers(doc.invoice.buyer)


@RULES.rule("EINV-P-014")
def issue_date_not_in_future(doc):
    inv = doc.invoice
    if inv.issue_date and inv.issue_date > _today(doc) + timedelta(days=1):
        yield inv, "issue_date", {"issued": inv.issue_date.isoformat()}


@RULES.rule("EINV-P-015")
def negative_invoice(doc):
    inv = doc.invoice
    due = inv.totals.payable_amount if inv.totals is not None and not inv.is_credit else None
    if due is not None and due.value is not None and due.value < 0:
        yield inv.totals, "payable_amount"


@RULES.rule("EINV-P-016")
def credit_note_names_the_invoice(doc):
    inv = doc.invoice
    if inv.is_credit and not any(_given(p.reference) for p in inv.preceding_invoices):
        yield inv, "preceding_invoices"


# What the builder checks on every invoice it issues, with or without --policy: payment
# details that would send money astray or leave it unmatched, a due date before the issue
# date, a credit note that does not say what it credits, an account or reference not in its electronic form. The rest of the
# policy applies with --policy / policy=True, as configured (einvoice.config.apply_config).
ISSUING = ("EINV-P-004", "EINV-P-008", "EINV-P-010", "EINV-P-016", "EINV-P-017", "EINV-P-018")
