"""Swedish rules (SE-R-*).

The rule set decides Swedish rules on the seller's postal country ``SE``; the
VAT number and VAT rate rules also need a Swedish VAT identifier (prefix SE).
"""

from __future__ import annotations

from ...basics import Syntax
from . import RULES
from ._checks import country_rules, is_number, norm, number, parties, postal_country, se_orgnr_valid, vat_registrations

# every rule below needs the seller's postal country SE, as written (_seller_in_se)
rule = country_rules(RULES, "SE", applies=lambda doc: postal_country(parties(doc).seller) == "SE")

RATES = (25, 12, 6)


# The rule set compares the postal country code with 'SE' as written (``IdentificationCode = 'SE'``,
# ``ram:CountryID = 'SE'``, no normalize-space): " SE " is not Sweden to it, so it is not here either.

def _seller_in_se(inv) -> bool:
    return postal_country(inv.seller) == "SE"


def _buyer_in_se(inv) -> bool:
    return postal_country(inv.buyer) == "SE"


def _se_vat_regs(doc):
    """The seller's VAT registrations with an SE prefix, when the seller's postal country is SE."""
    inv = doc.invoice
    if not _seller_in_se(inv):
        return []
    return [r for r in vat_registrations(inv.seller) if (r.company_id or "")[:2] == "SE"]


@rule("SE-R-001")
def se_r_001(doc):
    """A Swedish VAT number has 14 characters (SE + 10 digits + 01)."""
    for reg in _se_vat_regs(doc)[:1]:
        if len(norm(reg.company_id)) != 14:
            yield (reg, "company_id", {"value": reg.company_id})


@rule("SE-R-002")
def se_r_002(doc):
    """The 12 characters after SE in a Swedish VAT number are digits."""
    for reg in _se_vat_regs(doc)[:1]:
        if not is_number((reg.company_id or "")[2:14]):
            yield (reg, "company_id", {"value": reg.company_id})


def _se_orgnr(inv):
    """The seller's legal registration identifier when the seller's postal country is SE."""
    if not _seller_in_se(inv):
        return None
    lid = inv.seller.legal_registration_id
    if lid is None or lid.value is None:
        return None
    return lid


@rule("SE-R-003")
def se_r_003(doc):
    lid = _se_orgnr(doc.invoice)
    if lid is not None and not is_number(lid.value):
        yield (lid, "value", {"value": lid.value})


@rule("SE-R-004")
def se_r_004(doc):
    lid = _se_orgnr(doc.invoice)
    if lid is not None and len(norm(lid.value)) != 10:
        yield (lid, "value", {"value": lid.value})


@rule("SE-R-013")
def se_r_013(doc):
    lid = _se_orgnr(doc.invoice)
    if lid is not None and not se_orgnr_valid(norm(lid.value)):
        yield (lid, "value", {"value": lid.value})


def _is_tax_registration(doc, reg) -> bool:
    """Is this registration the seller tax registration (BT-32) in the sense of SE-R-005?"""
    if doc.syntax == Syntax.CII:
        return (reg.tax_scheme_id or "") == "FC"
    return norm(reg.tax_scheme_id).upper() != "VAT"


@rule("SE-R-005")
def se_r_005(doc):
    """A Swedish seller with an organisation number who states a tax registration writes 'Godkänd för F-skatt'."""
    inv = doc.invoice
    if _se_orgnr(inv) is None:
        return
    for reg in inv.seller.tax_registrations:
        if reg.company_id is None or not _is_tax_registration(doc, reg):
            continue
        if norm(reg.company_id.upper()) != "GODKÄND FÖR F-SKATT":
            yield (reg, "company_id", {"value": reg.company_id})


def _categories(inv):
    for total in inv.tax_totals:
        for b in total.breakdown:
            if b.category is not None:
                yield b.category
    for ac in inv.allowances_charges:
        if ac.tax_category is not None:
            yield ac.tax_category

    def lines(items):
        for line in items:
            for ac in line.allowances_charges:
                if ac.tax_category is not None:
                    yield ac.tax_category
            if line.item is not None and line.item.tax_category is not None:
                yield line.item.tax_category
            yield from lines(line.sub_lines)

    yield from lines(inv.lines)


@rule("SE-R-006")
def se_r_006(doc):
    """Swedish sellers use the standard rates 25, 12 or 6 % (UBL: category S; CII: every stated VAT rate)."""
    inv = doc.invoice
    if not _se_vat_regs(doc):
        return
    only_standard = doc.syntax != Syntax.CII
    for cat in _categories(inv):
        if only_standard and cat.code != "S":  # cbc:ID = 'S', as written
            continue
        if cat.rate is None or number(cat.rate) not in RATES:
            yield (cat, "rate", {"value": cat.rate})


def _giro_accounts(inv, branch: str):
    if not _seller_in_se(inv):
        return
    for pm in inv.payment_means:
        if norm(pm.code) != "30":
            continue
        for ct in pm.credit_transfers:
            if norm(ct.service_provider_id) == branch and ct.account_id is not None:
                yield ct


@rule("SE-R-007")
def se_r_007(doc):
    for ct in _giro_accounts(doc.invoice, "SE:PLUSGIRO"):
        if not is_number(ct.account_id):
            yield (ct, "account_id", {"value": ct.account_id})


@rule("SE-R-010")
def se_r_010(doc):
    for ct in _giro_accounts(doc.invoice, "SE:PLUSGIRO"):
        if not 2 <= len(norm(ct.account_id)) <= 8:
            yield (ct, "account_id", {"value": ct.account_id})


@rule("SE-R-008")
def se_r_008(doc):
    for ct in _giro_accounts(doc.invoice, "SE:BANKGIRO"):
        if not is_number(ct.account_id):
            yield (ct, "account_id", {"value": ct.account_id})


@rule("SE-R-009")
def se_r_009(doc):
    for ct in _giro_accounts(doc.invoice, "SE:BANKGIRO"):
        if len(norm(ct.account_id)) not in (7, 8):
            yield (ct, "account_id", {"value": ct.account_id})


@rule("SE-R-011")
def se_r_011(doc):
    """Bankgiro/Plusgiro are stated with code 30 and SE:BANKGIRO / SE:PLUSGIRO, not codes 50 or 56."""
    inv = doc.invoice
    if not _seller_in_se(inv):
        return
    for pm in inv.payment_means:
        if norm(pm.code) in ("50", "56"):
            yield (pm, "code", {"value": norm(pm.code)})


@rule("SE-R-012")
def se_r_012(doc):
    """Between Swedish parties a credit transfer is code 30, not 31."""
    inv = doc.invoice
    if not (_seller_in_se(inv) and _buyer_in_se(inv)):
        return
    for pm in inv.payment_means:
        if norm(pm.code) == "31":
            yield (pm, "code")
