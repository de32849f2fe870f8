"""A printable view of any invoice (UBL or CII, XML or Factur-X PDF): HTML, or PDF via WeasyPrint.

The invoice model is turned into a *view*: plain, already formatted strings
(amounts, dates and quantities in the reader's language) grouped the way the
page shows them. The Jinja2 template (``templates/invoice.html.j2``, autoescaped)
only lays the view out, so what the page says can be tested on the view alone.

The HTML is self-contained: inline CSS, no scripts, no external resources.
"""

from __future__ import annotations

import re
import sys
import threading
from datetime import date
from decimal import Decimal, InvalidOperation, localcontext
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from ..errors import UnreadableInput
from ..model.invoice import Amount, Invoice, Party, credit_owed, no_payment_asked, party_name  # noqa: F401 - (also read from here)
from . import i18n

TEMPLATES = Path(__file__).parent / "templates"
# page language -> the Babel (CLDR) locale whose numbers, dates and country names it uses
LOCALES = {"en": "en_GB", "nb": "nb_NO", "sv": "sv_SE", "da": "da_DK", "de": "de_DE", "fr": "fr_FR"}


# --- formatting (Babel for numbers, dates and countries; python-stdnum for accounts) ----


def _locale(lang: str) -> str:
    return LOCALES.get(lang, LOCALES["en"])


MAX_DIGITS = 1_000  # digits of a number formatted in the language's style (an amount of EN 16931 has at most 19)


def fmt_number(value: Decimal | None, lang: str, min_places: int = 2, max_places: int | None = None) -> str:
    """A decimal in the language's style, at least ``min_places`` decimals, never losing stated ones.

    Any size formats (the arithmetic runs with the precision the number needs); what
    is not a finite number is shown as it was given, and so is one of over MAX_DIGITS digits (Babel groups the
    digits in time growing with the square of their number: an amount of 900,000 nines took 22 s to render).
    """
    if value is None:
        return ""
    try:
        d = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    if not d.is_finite() or len(d.as_tuple().digits) > MAX_DIGITS:
        return str(value)
    if d.is_zero():  # a zero written with a minus ('-0.00') is zero on the page, not "-0,00"
        d = d.copy_abs()
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * min_places if min_places else "")
    if max_places is not None and max_places > min_places:
        pattern += ("" if min_places else ".") + "#" * (max_places - min_places)
    try:
        with localcontext() as ctx:
            ctx.prec = max(28, len(d.as_tuple().digits) + abs(d.as_tuple().exponent) + min_places + 2)
            return format_decimal(d, format=pattern, locale=_locale(lang), decimal_quantization=max_places is not None)
    except (InvalidOperation, ArithmeticError, ValueError):
        return str(value)


def fmt_quantity(value: Decimal | None, lang: str) -> str:
    if value is None:
        return ""
    try:
        d = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    if not d.is_finite():
        return str(value)
    places = len(f"{d:f}".partition(".")[2].rstrip("0"))
    return fmt_number(d, lang, min_places=places)


def fmt_rate(value: Decimal | None, lang: str) -> str:
    if value is None:
        return ""
    return fmt_quantity(value, lang) + "\u00a0%"


def fmt_date(value: date | None, lang: str) -> str:
    if value is None:
        return ""
    from babel.dates import format_date

    return format_date(value, _date_style(lang), locale=_locale(lang))


@lru_cache(maxsize=None)
def _date_style(lang: str) -> str:
    """The locale's short date (01.06.2024, 2024-06-01), or its medium one where the short has a
    two-digit year (German) and for English (2 May 2024: day and month cannot be mixed up)."""
    from babel.dates import get_date_format

    short = get_date_format("short", locale=_locale(lang)).pattern
    return "medium" if lang == "en" or re.search(r"(?<!y)yy(?!y)", short) else "short"


def _count(n: int) -> str:
    """A count in no language's own style: thousands set apart by a no-break space (a ',' reads as a decimal comma in
    German, Danish, French: '+6,199' as about six)."""
    return f"{n:,}".replace(",", "\u00a0")


def fmt_money(amount: Amount | None, lang: str, currency: str | None = None, with_currency: bool = False) -> str:
    if amount is None or amount.value is None:
        return ""
    text = fmt_number(amount.value, lang)
    cur = amount.currency_id or currency
    return f"{text}\u00a0{cur}" if with_currency and cur else text


def country_name(code: str | None, lang: str) -> str:
    """The country's name in ``lang`` (CLDR), or the code when it names no country."""
    code = (code or "").strip().upper()
    if not code:
        return ""
    from babel import Locale

    return Locale.parse(_locale(lang)).territories.get(code, code)


def fmt_giro(account: str, kind: str) -> str:
    """A Swedish bankgiro as 123-4567 / 1234-5678, a plusgiro as 1234567-8 (as given when it is no such number).

    python-stdnum has no module for giro numbers; the grouping is the one Bankgirot and
    Plusgirot print (check digit last, Luhn as in EINV-P-010)."""
    digits = re.sub(r"[\s-]", "", account)
    if not digits.isdigit():
        return account.strip()
    if kind == "bankgiro" and len(digits) in (7, 8):
        return f"{digits[:-4]}-{digits[-4:]}"
    if kind == "plusgiro" and 2 <= len(digits) <= 8:
        return f"{digits[:-1]}-{digits[-1]}"
    return digits


def fmt_account(account: str, country: str | None) -> tuple[str, bool]:
    """(account as printed, is_iban): an IBAN in groups of four, a Norwegian account as 1234.56.78901 (python-stdnum)."""
    from stdnum import iban
    from stdnum.no import kontonr

    raw = account.strip()
    if iban.is_valid(raw):
        return iban.format(raw), True
    if country == "NO" and kontonr.is_valid(raw) and len(kontonr.compact(raw)) == 11:
        return kontonr.format(raw), False
    return raw, False


def reference_kind(ref: str, country: str | None) -> str:
    """Which label fits a payment reference: rf (ISO 11649), kid (Norway), ocr (Sweden, Finland), each only with
    its check digit right (a number that fails it is no KID a bank would take), fik (Denmark: an FI-card payment
    line, ``+71<payment id+creditor number<``, its card type code first), or reference."""
    from stdnum import iso11649

    from .. import refs

    compact = ref.replace(" ", "")
    if iso11649.is_valid(compact):
        return "rf"
    if country == "DK" and refs.fi_card(compact) is not None:  # (the payment line as the policy reads it)
        return "fik"
    if country == "NO" and (compact.isdigit() or compact[:-1].isdigit() and compact[-1:] == "-") and refs.kid(compact):
        return "kid"  # (a MOD11 KID whose check is 10 ends in '-')
    if compact.isdigit():
        if country == "SE" and refs.ocr_se(compact) or country == "FI" and refs.finnish_reference(compact):
            return "ocr"
    return "reference"


def fmt_reference(ref: str, kind: str) -> str:
    if kind == "rf":
        from stdnum import iso11649

        return iso11649.format(ref)
    return ref.strip()


# --- the view ---------------------------------------------------------------------


MAX_TEXT = 5_000  # characters of one text on the page (a 30 MB seller name took 89 s and 3 GB to lay out)
MAX_NOTES = 200  # notes on the page; the rest counted


def _s(v: Any) -> str:
    text = "" if v is None else str(v).strip()
    return text if len(text) <= MAX_TEXT else f"{text[:MAX_TEXT]}… (+{_count(len(text) - MAX_TEXT)})"  # (no words: any language)


def _country(p: Party | None) -> str | None:
    return (p.address.country_code or "").strip().upper() or None if p and p.address else None


# the country whose register a language's label names (a Belgian number is no SIREN, an Austrian no Handelsregister)
_REGISTER_HOME = {"nb": "NO", "sv": "SE", "da": "DK", "de": "DE", "fr": "FR"}


def _direct_debit_rows(dd, L) -> list[tuple[str, str]]:
    """A direct debit's mandate, creditor identifier and debited account, the rows of those stated."""
    if dd is None:
        return []
    return [(L(key), _s(value)) for key, value in (("mandate", dd.mandate_reference), ("creditor_id", dd.creditor_id),
                                                    ("debited_account", dd.debited_account_id)) if _s(value)]


def _identifier(ident) -> str:
    """An identifier with its scheme, as ``value (scheme)``."""
    return f"{_s(ident.value)} ({_s(ident.scheme_id)})" if _s(ident.scheme_id) else _s(ident.value)


def _standard_id(ident, L) -> str:
    """An item's standard identifier (BT-157): a GTIN (ISO 6523 ICD 0160) named so, another with its scheme."""
    if _s(ident.scheme_id) == "0160":
        return f"GTIN {_s(ident.value)}"
    return f"{L('standard_id')} {_identifier(ident)}"


def _party_view(p: Party | None, lang: str, role: str) -> dict | None:
    if p is None:
        return None
    L = lambda k: i18n.label(k, lang)  # noqa: E731
    address = []
    if p.address:
        a = p.address
        address += [x for x in (_s(a.line1), _s(a.line2), _s(a.line3)) if x]
        city = " ".join(x for x in (_s(a.postal_code), _s(a.city)) if x)
        if city:
            address.append(city)
        extra = ", ".join(x for x in (_s(a.subdivision), country_name(a.country_code, lang)) if x)
        if extra:
            address.append(extra)
    facts: list[tuple[str, str]] = []
    if p.legal_registration_id and _s(p.legal_registration_id.value):
        home = _REGISTER_HOME.get(lang) == _country(p)  # (the language's own register, else a plain word)
        facts.append((L("org_number" if home else "org_number_any"), _s(p.legal_registration_id.value)))
    if p.vat_id:
        facts.append((L("vat_number"), _s(p.vat_id)))
    if role == "seller" and p.tax_registration_id:
        reg = _s(p.tax_registration_id)
        if reg.lower() == "foretaksregisteret":  # Norwegian AS: the register is named, not numbered
            facts.append(("", reg))
        else:
            facts.append((L("tax_number"), reg))
    if role != "buyer":
        for ident in p.identifiers:
            if _s(ident.value) and (not p.legal_registration_id or _s(ident.value) != _s(p.legal_registration_id.value)):
                facts.append(("ID", _s(ident.value)))
    if p.electronic_address and _s(p.electronic_address.value):
        ea = p.electronic_address
        facts.append((L("electronic_address"), f"{_s(ea.scheme_id)}:{_s(ea.value)}" if _s(ea.scheme_id) else _s(ea.value)))
    contact = []
    if p.contact:
        c = p.contact
        if _s(c.name):
            contact.append((L("contact"), _s(c.name)))
        if _s(c.telephone):
            contact.append((L("phone"), _s(c.telephone)))
        if _s(c.email):
            contact.append((L("email"), _s(c.email)))
    name = _s(party_name(p))
    trading = _s(p.trading_name) if _s(p.name) and _s(p.trading_name) and _s(p.trading_name) != _s(p.name) else ""
    return {"name": name, "trading_name": trading, "address": address, "facts": facts, "contact": contact,
            "additional": _s(p.additional_legal_info)}


def _ac_view(ac, lang: str, cur: str | None) -> dict:
    L = lambda k: i18n.label(k, lang)  # noqa: E731
    kind = L("charge") if ac.is_charge else L("allowance")
    reason = _s(ac.reason) or (f"({_s(ac.reason_code)})" if _s(ac.reason_code) else "")
    basis = ""
    based = ac.base_amount is not None and ac.base_amount.value is not None
    if ac.percentage is not None:
        basis = fmt_rate(ac.percentage, lang)
        if based:
            basis += f" × {fmt_money(ac.base_amount, lang)}"
    elif based:  # (a base amount stated without a percentage: shown all the same, BT-93/BT-100/BT-142)
        basis = f"{L('base')} {fmt_money(ac.base_amount, lang)}"
    cat = ac.tax_category
    amount = ac.amount.value if ac.amount and ac.amount.value is not None else None
    signed = None if amount is None else (amount if ac.is_charge else -amount)
    return {
        "kind": kind, "reason": reason, "basis": basis,
        "vat": (fmt_rate(cat.rate, lang) if cat and cat.rate is not None else _s(cat.code) if cat else ""),
        "amount": fmt_number(signed, lang) if signed is not None else "",
    }


MAX_PROBLEMS = 8  # validation errors listed at the top of the page of a document that does not pass


def _problems(findings: Iterable[Any] | None, lang: str) -> dict | None:
    """What the page says at its top of a document that does not pass validation (``findings``: a validation's,
    of which the blocking ones count): how many errors, the first few (gravest first, then in document order)
    with their rule and line. None when nothing blocks."""
    from ..validate import gravest_first

    errors = gravest_first(findings)
    if not errors:
        return None
    count = (i18n.label("problems_error", lang) if len(errors) == 1
             else i18n.label("problems_errors", lang).format(n=_count(len(errors))))
    word = i18n.label("line_word", lang)
    items = [{"rule": f.rule, "message": _past_latin_named(_s(f.message)), "where": f"{word} {f.line}" if f.line else ""}
             for f in errors[:MAX_PROBLEMS]]
    more = len(errors) - len(items)
    return {"title": i18n.label("problems_title", lang).format(n=count), "items": items,
            "more": i18n.label("problems_more", lang).format(n=more) if more else ""}


def _past_latin_named(text: str) -> str:
    """A finding's message with each character past Latin (a value it quotes) written as its code point, U+XXXX:
    a message is no content of the invoice, and a character no installed font draws would refuse the PDF."""
    return BEYOND_LATIN.sub(lambda m: f"U+{ord(m[0]):04X}", text)


def build_view(invoice: Invoice, lang: str | None = None, findings: Iterable[Any] | None = None) -> dict:
    """Everything the page shows, formatted for ``lang`` (default: from the seller's country); with ``findings``
    (a validation of the document the invoice was read from), a document that does not pass says so at the top."""
    inv = invoice
    lang = lang or i18n.default_lang(_country(inv.seller))
    if lang not in i18n.LANGS:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(i18n.LANGS)}")
    L = lambda k: i18n.label(k, lang)  # noqa: E731
    cur = _s(inv.currency_code) or None
    t = inv.totals
    credit = inv.is_credit
    seller_country = _country(inv.seller)
    payable = t.payable_amount if t else None
    due = payable.value if payable is not None else None
    owed = not credit and due is not None and due < 0  # (the amount shown as a credit to the buyer)
    credit_due = credit_owed(inv)  # a credit note in the seller's favour: a payment asked, of the amount without its sign
    unasked = no_payment_asked(inv)  # then no due date, account or reference to pay to
    ask = unasked is None

    # customer number: the buyer identifier (BT-46); the buyer reference (BT-10) is the buyer's own (a routing id
    # such as a Leitweg-ID, a person, an order): shown as such, never as the customer number
    buyer_ids = [_s(i.value) for i in (inv.buyer.identifiers if inv.buyer else []) if _s(i.value)]
    meta: list[tuple[str, str]] = [(L("date") if credit else L("issue_date"), fmt_date(inv.issue_date, lang))]
    if inv.due_date and ask:  # a credit note, or an invoice with nothing to pay, asks for no payment
        meta.append((L("due_date"), fmt_date(inv.due_date, lang)))
    elif inv.due_date and unasked != "accounting":  # (stated all the same: the date of a refund, or of nothing to
        # pay, said so; accounting information, type 751, is no payment at all)
        note = L("refund") if unasked in ("credit", "owed") else L("nothing_to_pay")
        meta.append((L("due_date"), f"{fmt_date(inv.due_date, lang)} ({note})"))
    if cur and (payable is None or payable.value is None or _s(inv.tax_currency_code) not in ("", cur)):
        # (the amounts are in the invoice currency: named with the amount due, else here; and here too when an
        # accounting currency is named beside the VAT in it, so that no amount is read as being in that one)
        meta.append((L("invoice_currency"), cur))
    if buyer_ids:
        meta.append((L("customer_no"), ", ".join(buyer_ids)))
    if _s(inv.buyer_reference):
        meta.append((L("buyer_ref"), _s(inv.buyer_reference)))
    for key, value in (("order_ref", inv.purchase_order_reference), ("sales_order", inv.sales_order_reference),
                       ("contract_ref", inv.contract_reference), ("project_ref", inv.project_reference),
                       ("tender_ref", inv.tender_reference),
                       ("despatch_ref", inv.despatch_advice_reference), ("receiving_ref", inv.receiving_advice_reference),
                       ("accounting_ref", inv.buyer_accounting_reference)):
        if _s(value):
            meta.append((L(key), _s(value)))
    if inv.invoiced_object_id and _s(inv.invoiced_object_id.value):  # (BT-18 with its scheme, UNTDID 1153)
        meta.append((L("invoiced_object"), _identifier(inv.invoiced_object_id)))
    if inv.tax_point_date:
        meta.append((L("tax_point_date"), fmt_date(inv.tax_point_date, lang)))
    if inv.delivery and inv.delivery.actual_date:
        meta.append((L("delivery_date"), fmt_date(inv.delivery.actual_date, lang)))
    period = inv.invoice_period
    if period and (period.start_date or period.end_date):
        meta.append((L("period"), f"{fmt_date(period.start_date, lang)} – {fmt_date(period.end_date, lang)}".strip(" –")))
    for pre in inv.preceding_invoices:
        if _s(pre.reference):
            when = f" ({fmt_date(pre.issue_date, lang)})" if pre.issue_date else ""
            meta.append((L("preceding"), _s(pre.reference) + when))

    # payment
    from ..refs import GIRO  # (Swedish giro accounts by their branch identifier, BT-86)

    payee_country = _country(inv.payee) or seller_country
    payments = []
    for m in inv.payment_means:
        rows: list[tuple[str, str]] = []
        name = i18n.means_name(m.code, lang) or (L("means_code").format(code=_s(m.code)) if _s(m.code) else "")
        if _s(m.text) and _s(m.text) != name:  # (BT-82: the seller's own words, beside the code's name)
            name = f"{name} ({_s(m.text)})" if name and i18n.means_name(m.code, lang) else _s(m.text)
        if name:
            rows.append((L("pay_means"), name))
        for ct in m.credit_transfers:
            giro = GIRO.get(_s(ct.service_provider_id).upper())
            if giro and _s(ct.account_id):
                rows.append((L(giro), fmt_giro(ct.account_id, giro)))
            elif _s(ct.account_id):
                shown, is_iban = fmt_account(ct.account_id, payee_country)
                fik = payee_country == "DK" and _s(m.code) == "93"  # (an FI-card's account: the creditor number)
                rows.append((L("iban") if is_iban else L("creditor_number") if fik else L("account"), shown))
            if _s(ct.service_provider_id) and not giro:
                rows.append((L("bic"), _s(ct.service_provider_id)))
            if _s(ct.account_name):
                rows.append((L("account_name"), _s(ct.account_name)))
        if _s(m.remittance_information):
            kind = reference_kind(m.remittance_information, payee_country)
            rows.append((L(kind), fmt_reference(m.remittance_information, kind)))
        if m.card and _s(m.card.primary_account_number):
            rows.append((L("card"), _s(m.card.primary_account_number)
                         + (f" ({_s(m.card.holder_name)})" if _s(m.card.holder_name) else "")))
        debit = _direct_debit_rows(m.direct_debit, L)
        rows += debit
        if rows and ask:  # nothing to pay: no account or reference to pay to
            payments.append(rows)
        elif debit:  # (but a stated mandate is kept: the account a refund may go back to)
            payments.append(([(L("pay_means"), name)] if name else []) + debit)
    # a CII document's payment reference stated without any means, its mandate and creditor identifier that none
    # of its means is a direct debit for (or stated without any means): the document's, a block of their own
    extra = inv.payment_without_means
    if extra is not None:
        rows = []
        if ask and not inv.payment_means and _s(extra.remittance_information):  # (with means, theirs: above)
            kind = reference_kind(extra.remittance_information, payee_country)
            rows.append((L(kind), fmt_reference(extra.remittance_information, kind)))
        rows += _direct_debit_rows(extra.direct_debit, L)
        if rows:
            payments.append(rows)

    # lines
    lines = []
    for n, ln in enumerate(inv.lines, 1):
        item = ln.item
        cat = item.tax_category if item else None
        price = ln.price
        unit_price = fmt_number(price.net_amount.value, lang) if price and price.net_amount and price.net_amount.value is not None else ""
        if price and price.base_quantity not in (None, Decimal(1)) and unit_price:
            unit_price += f" / {fmt_quantity(price.base_quantity, lang)}"
        details = []
        if item:
            if _s(item.sellers_id):
                details.append(f"{L('item_no')} {_s(item.sellers_id)}")
            if _s(item.buyers_id):
                details.append(f"{L('buyer_item_no')} {_s(item.buyers_id)}")
            for attr in item.attributes:
                if _s(attr.name) or _s(attr.value):
                    details.append(f"{_s(attr.name)}: {_s(attr.value)}")
            if item.standard_id and _s(item.standard_id.value):
                details.append(_standard_id(item.standard_id, L))
            codes = [_s(c.code) for c in item.classifications if _s(c.code)]
            if codes:
                details.append(f"{L('classification')} {', '.join(codes)}")
            if _s(item.origin_country):
                details.append(f"{L('origin')} {country_name(item.origin_country, lang)}")
        if _s(ln.order_line_reference):
            details.append(f"{L('order_line')} {_s(ln.order_line_reference)}")
        if ln.object_id and _s(ln.object_id.value):
            details.append(f"{L('object_id')} {_identifier(ln.object_id)}")
        if _s(ln.buyer_accounting_reference):
            details.append(f"{L('accounting_ref')} {_s(ln.buyer_accounting_reference)}")
        gross = price.gross_amount.value if price and price.gross_amount else None  # (shown where it is not the price)
        net = price.net_amount.value if price and price.net_amount else None
        if gross is not None and (price.discount and price.discount.value or gross != net):
            details.append(f"{L('gross_price')} {fmt_number(gross, lang)}")
        if price and price.discount and price.discount.value:  # (BT-147: what the gross price is lowered by)
            details.append(f"{L('price_discount')} {fmt_number(price.discount.value, lang)}")
        if ln.period and (ln.period.start_date or ln.period.end_date):
            details.append(f"{fmt_date(ln.period.start_date, lang)} – {fmt_date(ln.period.end_date, lang)}".strip(" –"))
        lines.append({
            "id": _s(ln.id) or str(n),
            "name": _s(item.name) if item else "",
            "description": _s(item.description) if item else "",
            "details": details,
            "note": _s(ln.note),
            "quantity": fmt_quantity(ln.quantity, lang),
            "unit": i18n.unit_name(ln.unit_code, lang) or "",
            "unit_price": unit_price,
            "vat": fmt_rate(cat.rate, lang) if cat and cat.rate is not None else (_s(cat.code) if cat else ""),
            "amount": fmt_money(ln.net_amount, lang),
            "allowances_charges": [_ac_view(ac, lang, cur) for ac in ln.allowances_charges],
            "sub_lines": _sub_lines(ln, lang),
        })

    # VAT breakdown
    vat = []
    for b in inv.vat_breakdown:
        c = b.category
        vat.append({
            "category": (i18n.vat_name(c.code, lang) or _s(c.code)) if c else "",
            "code": _s(c.code) if c else "",
            "rate": fmt_rate(c.rate, lang) if c and c.rate is not None else "",
            "taxable": fmt_money(b.taxable_amount, lang),
            "tax": fmt_money(b.tax_amount, lang),
            "exemption": " ".join(x for x in ((_s(c.exemption_reason_code) and f"[{_s(c.exemption_reason_code)}]"),
                                              _s(c.exemption_reason)) if x) if c else "",
        })

    totals: list[tuple[str, str]] = []
    if t:
        totals.append((L("sum_lines"), fmt_money(t.line_extension_amount, lang)))
        if t.allowance_total_amount and t.allowance_total_amount.value:
            totals.append((L("sum_allowances"), fmt_number(-t.allowance_total_amount.value, lang)))
        if t.charge_total_amount and t.charge_total_amount.value:
            totals.append((L("sum_charges"), fmt_money(t.charge_total_amount, lang)))
        totals.append((L("total_net"), fmt_money(t.tax_exclusive_amount, lang)))
    vt = inv.vat_total
    if vt and vt.tax_amount:
        totals.append((L("total_vat"), fmt_money(vt.tax_amount, lang)))
    if t:
        totals.append((L("total_gross"), fmt_money(t.tax_inclusive_amount, lang)))
        if t.prepaid_amount and t.prepaid_amount.value:
            totals.append((L("prepaid"), fmt_number(-t.prepaid_amount.value, lang)))
        if t.rounding_amount and t.rounding_amount.value:
            totals.append((L("rounding"), fmt_money(t.rounding_amount, lang)))
    totals = [(k, v) for k, v in totals if v]
    acc = inv.vat_total_accounting
    vat_accounting = fmt_money(acc.tax_amount, lang, inv.tax_currency_code, True) if acc and acc.tax_amount else ""

    notes = [(_s(n.subject_code), _s(n.text)) for n in inv.notes[:MAX_NOTES] if _s(n.text)]
    if len(inv.notes) > MAX_NOTES:
        notes.append(("", f"… (+{_count(len(inv.notes) - MAX_NOTES)})"))
    attachments = []
    for sd in inv.supporting_documents:
        ident = _s(sd.id.value) if sd.id else ""
        bits = [x for x in (ident, _s(sd.description),
                            _s(sd.attachment.filename) if sd.attachment else "", _s(sd.external_uri)) if x]
        if bits:
            attachments.append(" — ".join(bits))

    title = i18n.title(inv.type_code, credit, lang)
    return {
        "lang": lang,
        "L": {k: i18n.label(k, lang) for k in i18n._T},
        "problems": _problems(findings, lang),
        "title": title,
        "number": _s(inv.number),
        "currency": cur or "",
        "seller": _party_view(inv.seller, lang, "seller"),
        "buyer": _party_view(inv.buyer, lang, "buyer"),
        "payee": _party_view(inv.payee, lang, "payee") if inv.payee and inv.payee.name else None,
        "tax_rep": _party_view(inv.tax_representative, lang, "tax_rep") if inv.tax_representative and inv.tax_representative.name else None,
        "delivery": _delivery_view(inv, lang),
        "meta": meta,
        "credit": not ask,
        "credit_text": L({"accounting": "accounting_text", "credit": "credit_text", "owed": "owed_text",
                          "paid": "paid_text" if t and t.prepaid_amount and t.prepaid_amount.value else "zero_text"}.get(
                             unasked, "no_amount_text")) if unasked or due is None else L("credit_owed_text") if credit_due
                        else "",  # (no amount: said; a credit note asking payment: said too)
        "due_date": fmt_date(inv.due_date, lang) if ask else "",
        "payable": fmt_number(-due, lang) if owed or credit_due else fmt_money(payable, lang),
        "payable_label": (L("amount_accounting") if unasked == "accounting"  # (type 751: nothing to pay, nor credited)
                          else L("amount_credit") if credit and not credit_due or owed else L("amount_due")),
        # the amount due's own currency (the invoice currency, unless a document, invalid then, states another on it)
        "payable_currency": _s(payable.currency_id) if payable is not None and _s(payable.currency_id) else (cur or ""),
        "payments": payments,
        "terms": _terms(_s(inv.payment_terms), lang),  # (a credit note's too: how and when it is refunded)
        "lines": lines,
        "line_cols": _line_columns(lines, [L(k) for k in ("line_no", "description", "quantity", "unit", "unit_price",
                                                          "vat_rate", "net_amount")]),
        "allowances_charges": [_ac_view(ac, lang, cur) for ac in inv.allowances_charges],
        "vat": vat,
        "totals": totals,
        "vat_accounting": vat_accounting,
        "notes": notes,
        "attachments": attachments,
        "details": [(L(key), _s(value)) for key, value in (("process", inv.profile_id), ("specification", inv.customization_id))
                    if _s(value)],  # (BT-23, BT-24: in small print under the page)
    }


SUB_INDENT_LEVELS = 6  # levels of sub-lines indented further; deeper ones as deep as the sixth (each says its level)


def _sub_lines(line, lang: str) -> list[dict]:
    """A line's sub-lines (UBL ``cac:SubInvoiceLine``, an XRechnung extension), each level under its parent and
    indented by its depth, as rows of the lines table (depth first, without recursion: any depth)."""
    rows: list[dict] = []
    stack = [(sub, 1) for sub in reversed(line.sub_lines)]
    while stack:
        sub, depth = stack.pop()
        item, price, cat = sub.item, sub.price, sub.item.tax_category if sub.item else None
        rows.append({
            "depth": depth, "indent": min(depth, SUB_INDENT_LEVELS),
            "id": _s(sub.id), "name": _s(item.name) if item else "",
            "description": _s(item.description) if item else "",
            "quantity": fmt_quantity(sub.quantity, lang),
            "unit": i18n.unit_name(sub.unit_code, lang) or "",
            "unit_price": fmt_number(price.net_amount.value, lang) if price and price.net_amount and price.net_amount.value is not None else "",
            "vat": fmt_rate(cat.rate, lang) if cat and cat.rate is not None else (_s(cat.code) if cat else ""),
            "amount": fmt_money(sub.net_amount, lang),
        })
        stack.extend((deeper, depth + 1) for deeper in reversed(sub.sub_lines))
    return rows


def _terms(text: str, lang: str) -> str:
    """The payment terms, each XRechnung cash discount line (#SKONTO#TAGE=14#PROZENT=2.00#, as BR-DE-18 reads one:
    the rule set's own pattern) said in words; other lines as they are."""
    if "#SKONTO#" not in text:
        return text
    from ..rules.german import SKONTO_LINE

    def said(line: str) -> str:
        m = SKONTO_LINE.match(line.strip())
        if m is None:
            return line
        out = i18n.label("skonto_1" if int(m[1]) == 1 else "skonto", lang).format(percent=fmt_number(Decimal(m[2]), lang), days=m[1])
        return out + (" " + i18n.label("skonto_base", lang).format(amount=fmt_number(Decimal(m[3]), lang)) if m[3] else "")

    return "\n".join(said(line) for line in text.split("\n"))


def _delivery_view(inv: Invoice, lang: str) -> dict | None:
    d = inv.delivery
    if d is None or not (d.party_name or d.address or (d.location_id and d.location_id.value)):
        return None
    address = []
    if d.address:
        a = d.address
        address += [x for x in (_s(a.line1), _s(a.line2), _s(a.line3)) if x]
        city = " ".join(x for x in (_s(a.postal_code), _s(a.city)) if x)
        if city:
            address.append(city)
        extra = ", ".join(x for x in (_s(a.subdivision), country_name(a.country_code, lang)) if x)
        if extra:  # (the region too, BT-79, as the other addresses show theirs)
            address.append(extra)
    return {"name": _s(d.party_name), "address": address,
            "location": _s(d.location_id.value) if d.location_id else ""}


# --- output -----------------------------------------------------------------------


@lru_cache(maxsize=1)
def _environment():
    try:
        import jinja2
    except ImportError:  # pragma: no cover - Jinja2 is a dependency
        raise UnreadableInput("rendering needs the Jinja2 package (pip install Jinja2)") from None
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_without_direction_overrides,
    )
    env.filters["css_string"] = lambda value: jinja2.utils.markupsafe.Markup(css_string(str(value)))
    return env


# what a document's text may carry that the page does not draw: the bidirectional embeddings, overrides and isolates
# (a document's U+202E turned "INV-2024-001" into "INV-100-4202" on the page, and the footer's VAT number with it;
# copied from the page, an invoice number or VAT id would be another string than the document holds; right-to-left
# text itself is shown by its own direction, without them), DEL and the C1 controls (XML 1.0 allows them; no font
# has a glyph, and the PDF was refused as if a script were missing); the line and paragraph separators are line breaks
_NOT_DRAWN = re.compile("[\u202a-\u202e\u2066-\u2069\x7f-\x9f]")
_SEPARATORS = re.compile("[\u2028\u2029]")


def page_text(value: str) -> str:
    """A text as the page (and the PDF's metadata) shows it: without the characters it does not draw (above)."""
    return _SEPARATORS.sub("\n", _NOT_DRAWN.sub("", value))


def _without_direction_overrides(value: Any) -> Any:
    """Every value the page shows, without the characters it does not draw (:func:`page_text`)."""
    if isinstance(value, str) and (_NOT_DRAWN.search(value) or _SEPARATORS.search(value)):
        cleaned = page_text(value)
        return type(value)(cleaned) if type(value) is not str else cleaned  # (a Markup stays Markup)
    return value


def css_string(text: str) -> str:
    """Text inside a CSS string ("..."), as the page footer's: HTML escaping does not apply there (an apostrophe
    was printed as &#39;), so each character that could end the string or the style element, or that is no
    printing character, is a CSS escape (a hexadecimal code and a space)."""
    return "".join(f"\\{ord(c):x} " if c in '"\'\\<>&' or ord(c) < 32 or ord(c) == 127 else c for c in text)


FIXED_FROM = 60  # lines from which the lines table is laid out with the widths _line_columns works out
CONTENT_MM = 182  # A4 less the page's margins (the template's @page)


def _line_columns(lines: list[dict], labels: list[str]) -> list[str | None] | None:
    """Widths of the lines table's columns but the description's, from each column's longest value and its heading's
    longest word, for a long invoice (WeasyPrint's automatic table layout measures every break opportunity of every
    cell of every line: 505 lines took 22 s, most of it there); None for a shorter one (the automatic layout) or where
    the figures would leave the description less than a third of the page."""
    if len(lines) < FIXED_FROM:
        return None
    widths: list[float | None] = []
    for key, label in zip(("id", None, "quantity", "unit", "unit_price", "vat", "amount"), labels):
        values = [str(ln.get(key) or "") for ln in lines] if key else []
        if key == "amount":  # (the allowances and charges of a line show theirs in the same column)
            values += [str(ac.get("amount") or "") for ln in lines for ac in ln["allowances_charges"]]
        if key:  # (and its sub-lines theirs)
            values += [str(sub.get(key) or "") for ln in lines for sub in ln.get("sub_lines", ())]
        head = max((len(word) for word in label.split()), default=0)
        # a 9.5 pt character about 2.2 mm (digits, the widest letters less), a 7.5 pt spaced capital 2.1 mm; padding 3 mm
        widths.append(round(max(2.2 * max(map(len, values), default=0), 2.1 * head) + 3, 1) if key else None)
    if CONTENT_MM - sum(w for w in widths if w) < CONTENT_MM / 3:
        return None
    return [None if w is None else f"{w}mm" for w in widths]


def render_html(invoice: Invoice, lang: str | None = None, findings: Iterable[Any] | None = None) -> str:
    """The invoice as one self-contained HTML page (inline CSS, no external resources); with ``findings`` (the
    document's validation), one that does not pass says so at the top, listing its first errors."""
    view = build_view(invoice, lang, findings)
    return _environment().get_template("invoice.html.j2").render(**view)


def html_to_pdf(html: str, pdfa: bool = True) -> bytes:
    """PDF bytes of an HTML page, PDF/A-3b unless ``pdfa=False`` (XMP uncompressed, Info in sync with it)."""
    try:
        import logging

        weasyprint = _weasyprint()
        for name in ("weasyprint", "fontTools"):
            logging.getLogger(name).setLevel(logging.ERROR)
    except ImportError:  # pragma: no cover - weasyprint is a dependency
        raise UnreadableInput("PDF output needs the weasyprint package (pip install weasyprint)") from None
    except OSError as exc:  # (a system library WeasyPrint loads when imported: Pango, HarfBuzz, fontconfig)
        raise UnreadableInput(f"PDF output needs Pango, the system library WeasyPrint lays pages out with, and it "
                              f"cannot be loaded ({exc}); on Debian: apt install libpango-1.0-0 fonts-dejavu-core; "
                              "or render HTML") from None
    _fonts_installed(weasyprint)
    from .linebreak import install

    install()  # (lines found in time linear in a text's length, not quadratic: see linebreak.py)
    options: dict[str, Any] = {}
    if pdfa:
        options["pdf_variant"] = "pdf/a-3b"
        missing = _glyphless_beforehand(html, weasyprint)
        if missing:
            raise NoGlyphs(missing)
    pdf = weasyprint.HTML(string=html, base_url=None).write_pdf(font_config=_font_config(), **options)
    if pdfa:
        from ..pdfa import write_metadata

        pdf = write_metadata(pdf)
        missing = _notdef(pdf)
        if missing:  # (the page would show empty boxes, and no PDF/A may: not written as if it were one)
            raise NoGlyphs(missing)
    return pdf


def _weasyprint() -> Any:
    """WeasyPrint, imported: its first import warns of no fonts, and prints a banner of a library it cannot load, in
    several lines, which are held back while it is first imported (the caller says what is wrong in one)."""
    module = sys.modules.get("weasyprint")
    if module is not None and not getattr(getattr(module, "__spec__", None), "_initializing", False):
        return module  # (imported: the process's streams and warning filters are left alone)
    import contextlib
    import io
    import warnings

    with _FIRST_IMPORT:  # (the streams are the process's: two threads' first renders each swapped them, and the second
        # put back the first one's stand-in, so every later output and traceback of the process went nowhere)
        with contextlib.ExitStack() as quiet:
            if "weasyprint" not in sys.modules:
                quiet.enter_context(contextlib.redirect_stdout(io.StringIO()))
                quiet.enter_context(contextlib.redirect_stderr(io.StringIO()))
            quiet.enter_context(warnings.catch_warnings())
            warnings.simplefilter("ignore", UserWarning)
            import weasyprint
    return weasyprint


_FIRST_IMPORT = threading.Lock()


_FONTS = threading.local()


def _font_config() -> Any:
    """This thread's WeasyPrint font configuration, made once: WeasyPrint makes one for each PDF unless given one,
    and does not free all of it (a long-running process grew by about 200 KB a PDF). One a thread, as Pango's objects
    are not to be used from two threads at once. (Our pages load no fonts of their own, no @font-face: the
    configuration holds the installed fonts alone, as they were when this thread first laid a page out.)"""
    config = getattr(_FONTS, "config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _FONTS.config = FontConfiguration()
    return config


_FONTS_SEEN: list[bool] = []  # fontconfig listed fonts once in this process (a font installed later is no harm)


def _fonts_installed(weasyprint: Any) -> None:
    """Refuse, in one line, where fontconfig lists no font at all (a slim container): WeasyPrint warned, then Pango
    crashed the whole process (a segmentation fault, the library's caller with it)."""
    if _FONTS_SEEN:
        return
    try:
        from weasyprint.text.ffi import ffi, fontconfig
    except Exception:  # noqa: BLE001 - another WeasyPrint: its own layout says what it lacks
        return
    config = fontconfig.FcInitLoadConfigAndFonts()
    try:
        fonts = fontconfig.FcConfigGetFonts(config, fontconfig.FcSetSystem)
        count = 0 if fonts == ffi.NULL else fonts.nfont
    finally:
        fontconfig.FcConfigDestroy(config)
    if not count:
        raise UnreadableInput("PDF output needs a font, and none is installed (fontconfig lists none): the page "
                              "cannot be laid out; install one (Debian: apt install fonts-dejavu-core), or render HTML")
    _FONTS_SEEN.append(True)


BEYOND_LATIN = re.compile("[^\x00-\u024f]")  # characters past Latin Extended-B
PROBED_FROM = 2_000  # characters past Latin on a page from which they are looked up on a small page first
_STYLE = re.compile(r"<style\b[^>]*>.*?</style>", re.S | re.I)


def _glyphless_beforehand(html: str, weasyprint: Any) -> set[str]:
    """Characters no installed font draws, found before a long page is laid out: the layout looks for a font
    for every such character it meets (200 lines of 500 Japanese characters, with no Japanese font
    installed, took 85 s to be refused). A page with many characters past Latin gets a small page first,
    with the same styles and each of those characters once; the whole page's own check stays the rule."""
    if html.isascii():
        return set()
    beyond = BEYOND_LATIN.findall(html)
    if len(beyond) < PROBED_FROM:
        return set()
    styles = "".join(_STYLE.findall(html))
    chars = sorted(set(beyond))
    probe = f"<html><head><meta charset='utf-8'>{styles}</head><body><p>{' '.join(chars)}</p></body></html>"
    return _notdef(weasyprint.HTML(string=probe, base_url=None).write_pdf(font_config=_font_config())) & set(chars)


class NoGlyphs(UnreadableInput):
    """The page holds characters no installed font draws: its PDF would show empty boxes, which PDF/A forbids."""

    def __init__(self, chars: set[str]):
        self.chars = chars
        shown = "".join(sorted(chars)[:20])
        super().__init__(f"the page has {len(chars)} character{'s' if len(chars) > 1 else ''} no installed font can "
                         f"draw ({shown}): its PDF would show empty boxes and not be PDF/A; install a font that has "
                         "them (Chinese, Japanese, Korean: e.g. Debian's fonts-noto-cjk), or render HTML")


def _notdef(pdf: bytes) -> set[str]:
    import io

    import pikepdf

    from ..pdfa import NotdefIncomplete, notdef_characters

    with pikepdf.open(io.BytesIO(pdf), inherit_page_attributes=False) as doc:
        try:
            return notdef_characters(doc)
        except NotdefIncomplete as exc:  # (not written as PDF/A unchecked)
            if exc.chars:
                return exc.chars
            raise UnreadableInput(f"the page's PDF could not be checked for characters without a glyph ({exc}); "
                                  "render HTML instead") from None


# Rows of the page's tables (invoice lines, and the document's allowances and charges) a PDF is laid out for:
# the layout takes about 11 ms of CPU and 200 KB of memory a row, all at once (1,000 lines 12 s, 10,000 lines 110 s
# and 2.1 GB; 50,000 lines ran out of memory after minutes, saying nothing). HTML has no such limit (50,000 lines: 28 s).
MAX_PDF_ROWS = 5_000


class PageTooLong(UnreadableInput):
    """An invoice with more rows than a PDF page is laid out for (:data:`MAX_PDF_ROWS`, or the limit given)."""

    def __init__(self, rows: int, limit: int, instead: str = "render HTML"):
        self.rows, self.limit = rows, limit
        super().__init__(f"the invoice has {rows:,} lines, allowances and charges, more than the {limit:,} a PDF "
                         "page is laid out for (each takes about 11 ms and 200 KB: 10,000 take 2 minutes and 2 GB); "
                         f"{instead}, or raise the limit (--max-lines; max_lines= in Python)")


def check_pdf_rows(invoice: Invoice, max_rows: int | None = None, instead: str = "render HTML") -> None:
    """Raise :class:`PageTooLong` when the invoice has more lines (with its allowances and charges) than ``max_rows``
    (default :data:`MAX_PDF_ROWS`), before any layout (``instead``: what the message offers instead)."""
    limit = MAX_PDF_ROWS if max_rows is None else max_rows
    rows = len(invoice.lines) + len(invoice.allowances_charges)
    if rows > limit:
        raise PageTooLong(rows, limit, instead)


def render_pdf(invoice: Invoice, lang: str | None = None, pdfa: bool = True,
               findings: Iterable[Any] | None = None, max_lines: int | None = None) -> bytes:
    """The page as PDF/A-3b (``max_lines``: the most lines, allowances and charges laid out, see
    :data:`MAX_PDF_ROWS`; more raise :class:`PageTooLong`)."""
    check_pdf_rows(invoice, max_lines)
    return html_to_pdf(render_html(invoice, lang, findings), pdfa=pdfa)

