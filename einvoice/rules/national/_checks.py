"""Shared helpers of the national rules: who the seller is (by country), text
handling as the rule set does it, and identifier check digits.

Country of the seller
---------------------
The Peppol rule set decides most national rules on a *supplier country*:
the first two letters of the seller's VAT identifier, else of the tax
representative's VAT identifier, else the country of the seller's postal
address, else ``"XX"``. Some countries (DK, NL, DE, SE, IS) look only at the
postal address; those helpers are here too, so each module states which one
its rules use.

Only a registration stated under the tax scheme ``VAT`` counts as a VAT
identifier here (UBL ``cac:TaxScheme/cbc:ID``, CII ``ram:ID/@schemeID``), as
in the national rules of the rule set.

Check digits
------------
Where python-stdnum implements exactly the check a rule names it is used; the
edge cases in which the rule set differs (a zero number, extra characters) are
handled around it.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable

from stdnum import luhn
from stdnum.no import orgnr as no_orgnr

from ...model.invoice import Invoice, Party, TaxRegistration

_WS = re.compile(r"[ \t\r\n]+")


# --- text ---------------------------------------------------------------------

def norm(value: Any) -> str:
    """Whitespace collapsed and trimmed (None reads as the empty string)."""
    if value is None:
        return ""
    return _WS.sub(" ", str(value)).strip()


def present(value: Any) -> bool:
    """A value that is there and not blank."""
    return norm(value) != ""


_NUMBER = re.compile(r"[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|INF)")


def is_number(value: Any) -> bool:
    """True when the text reads as a number the way the rule set's ``number()``
    reads it (a double: optional sign, digits with an optional decimal point and
    exponent, or INF; blanks around it allowed). Absent or empty is not a number."""
    return bool(_NUMBER.fullmatch(norm(value)))


def number(value: Any) -> float | None:
    """The value read as ``number()`` reads it, None where that gives NaN."""
    if not is_number(value):
        return None
    return float(norm(value))


def as_decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(norm(value))
    except (InvalidOperation, ValueError):
        return None


# --- parties and countries -----------------------------------------------------

def vat_registrations(party: Party | None, lenient: bool = False) -> list[TaxRegistration]:
    """The party's registrations under the tax scheme VAT.

    Read from a document, only the scheme ``VAT`` counts, as in the rule set;
    ``lenient`` (an invoice built in code, no document) also takes CII's ``VA``.
    """
    if party is None:
        return []
    schemes = ("VAT", "VA") if lenient else ("VAT",)
    return [r for r in party.tax_registrations if norm(r.tax_scheme_id) in schemes]


def built_in_code(doc: Any) -> bool:
    """True for a document that is only a model (no XML tree to follow exactly)."""
    return getattr(doc, "root", None) is None


def vat_id(party: Party | None) -> str | None:
    """The VAT identifier (scheme VAT) of a party, as written; None when there is none."""
    for reg in vat_registrations(party):
        if reg.company_id is not None:
            return reg.company_id
    return None


ERROR = "!"  # a country the rule set cannot decide (its expression fails): no national rule applies


def _vat_prefix(party: Party | None, lenient: bool = False) -> str:
    """The upper-cased first two characters of the party's VAT identifier ("" when none).

    With more than one VAT registration the rule set's expression fails; that
    is reported as ``ERROR``.
    """
    regs = vat_registrations(party, lenient)
    if len(regs) > 1:
        return ERROR
    for reg in regs:
        prefix = (reg.company_id or "")[:2]
        if prefix:
            return norm(prefix).upper()
    return ""


def postal_country(party: Party | None) -> str | None:
    """The country code of a party's postal address as written (None when there is none)."""
    if party is None or party.address is None:
        return None
    return party.address.country_code


def supplier_country(inv: Invoice, lenient: bool = False) -> str:
    """The seller's country as the Peppol rule set decides it (see the module text)."""
    prefix = _vat_prefix(inv.seller, lenient) or _vat_prefix(inv.tax_representative, lenient)
    if prefix:
        return prefix
    country = postal_country(inv.seller)
    if country is not None:
        return norm(country).upper()
    return "XX"


def customer_country(inv: Invoice, lenient: bool = False) -> str:
    """The buyer's country: its VAT prefix, else its postal country, else ``"XX"``."""
    prefix = _vat_prefix(inv.buyer, lenient)
    if prefix:
        return prefix
    country = postal_country(inv.buyer)
    if country is not None:
        return norm(country).upper()
    return "XX"


def seller_postal_country(inv: Invoice) -> str:
    """The seller's postal country code, trimmed and upper-cased ("" when absent)."""
    return norm(postal_country(inv.seller)).upper()


def buyer_postal_country(inv: Invoice) -> str:
    return norm(postal_country(inv.buyer)).upper()


def cached(doc: Any, key: str, compute):
    """A per-document cache for values several rules need."""
    cache = doc.__dict__.setdefault("_national_cache", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def doc_supplier_country(doc: Any) -> str:
    return cached(doc, "supplier_country", lambda: supplier_country(doc.invoice, built_in_code(doc)))


# --- identifiers ---------------------------------------------------------------

def no_orgnr_valid(number: str) -> bool:
    """Norwegian organisation number: nine digits, modulus 11 check digit, not all zero."""
    return (
        len(number) == 9
        and number.isascii()
        and number.isdigit()
        and int(number) > 0
        and no_orgnr.is_valid(number)
    )


def no_vat_id_valid(vat: str) -> bool:
    """A Norwegian VAT identifier: NO + organisation number + MVA."""
    m = re.fullmatch(r"NO([0-9]{9})MVA", vat)
    return bool(m) and no_orgnr_valid(m.group(1))


def se_orgnr_valid(number: str) -> bool:
    """Swedish organisation number check: digits only, the tenth digit is the
    Luhn check digit of the first nine (characters after the tenth are not looked at)."""
    return number.isascii() and number.isdigit() and len(number) >= 10 and luhn.is_valid(number[:10])


def gr_tin_valid(value: str) -> bool:
    """Greek tax number (AFM): the ninth digit is the weighted sum of the first
    eight (weights 256 ... 2) modulo 11, modulo 10. Characters after the ninth are not looked at."""
    head = value[:9]
    if len(head) < 9 or not (head.isascii() and head.isdigit()):
        return False
    total = sum(int(d) << (8 - i) for i, d in enumerate(head[:8]))
    return (total % 11) % 10 == int(head[8])


def iban_valid(value: str | None) -> bool:
    """IBAN shape (two letters, two digits, up to 30 letters/digits; blanks ignored)
    and the ISO 7064 mod 97 check."""
    text = re.sub(r"\s", "", value or "")
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[a-zA-Z0-9]{0,30}", text):
        return False
    moved = text[4:] + text[:2].upper() + text[2:4]
    digits = "".join(str(ord(c) - 55) if ord(c) > 64 else str(ord(c) - 48) for c in moved)
    try:
        return int(digits) % 97 == 1
    except ValueError:
        return False


def first(items: Iterable[Any]) -> Any:
    for item in items:
        return item
    return None


# --- which countries' rules can apply (computed once per document) ----------------------

_GR = ("GR", "EL")


def gate(doc: Any) -> dict[str, bool]:
    """For each country module, whether its rules can apply to the document at all.

    Decided once per document from the model, and generous: a module whose
    gate is open still checks its exact condition (on the tree where the rule
    set reads the tree); a closed gate skips the module's rules at once.
    """
    g = doc.__dict__.get("_national_gate")
    if g is None:
        inv = doc.invoice
        lenient = built_in_code(doc)
        supplier = supplier_country(inv, lenient)
        seller_postal = norm(postal_country(inv.seller)).upper()
        buyer_postal = norm(postal_country(inv.buyer)).upper()
        g = {
            "NO": supplier == "NO",
            "IT": supplier == "IT",
            "SE": seller_postal == "SE",
            "DK": seller_postal == "DK",
            "NL": seller_postal == "NL",
            "DE": seller_postal == "DE" and buyer_postal == "DE",
            "GR": supplier in _GR or seller_postal in _GR or _vat_prefix(inv.seller, lenient) in _GR,
            "IS": seller_postal == "IS",
        }
        doc.__dict__["_national_gate"] = g
    return g


def country_rules(rules: Any, country: str):
    """A ``rule`` decorator for one country's module: registers the check so that it
    runs only when :func:`gate` is open for ``country``."""

    def rule(*ids: str, syntax: Any = None):
        def deco(fn):
            def check(doc, _fn=fn, _country=country):
                g = doc.__dict__.get("_national_gate") or gate(doc)
                return _fn(doc) if g[_country] else ()

            check.__name__ = fn.__name__
            check.__doc__ = fn.__doc__
            rules.rule(*ids, syntax=syntax)(check)
            return fn

        return deco

    return rule
