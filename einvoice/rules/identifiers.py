"""Check digits and formats of party identifiers (ICD / EAS schemes).

Each function takes the identifier as written (callers normally pass it with
surrounding whitespace removed and inner runs collapsed, see ``xml_normalize``)
and answers whether it has the format and check digit the Peppol rules expect.
They never raise.

The three check-digit sums the rules need (GS1 mod 10, Luhn, the Norwegian
organisation number's mod 11 weights) are written out here, a few lines each:
importing python-stdnum (which loads ssl and pydoc) cost a cold validation more
than all the checks of a document. The tests compare them with python-stdnum's
on many numbers. The extra conditions the Peppol rule set adds around them are
spelled out in the functions.
"""

from __future__ import annotations

import re

from .values import normalize_space as xml_normalize  # XPath normalize-space (XML whitespace only)
from .values import trim

_DIGITS = re.compile(r"[0-9]+")
_ASCII_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_ALNUM = _ASCII_LETTERS | frozenset("0123456789")
_INTEGER = re.compile(r"[+-]?[0-9]+")


def _is_digits(value: str) -> bool:
    return bool(_DIGITS.fullmatch(value))


def digits(value: str, n: int) -> bool:
    """Exactly ``n`` characters, every one an ASCII digit."""
    return len(value) == n and _is_digits(value)


def gs1_check_digit(digits: str) -> str:
    """The GS1 (EAN) mod-10 check digit of ASCII digits: weights 3, 1, 3, ... from the rightmost digit."""
    return str((10 - sum((3, 1)[i % 2] * int(d) for i, d in enumerate(reversed(digits)))) % 10)


def luhn_checksum(digits: str) -> int:
    """The Luhn sum of ASCII digits modulo 10 (0 for a valid number): every second digit from the
    right doubled, the digits of the products added."""
    values = [int(d) for d in reversed(digits)]
    return (sum(values[::2]) + sum(sum(divmod(v * 2, 10)) for v in values[1::2])) % 10


def no_orgnr_checksum(digits: str) -> int:
    """The weighted sum (3, 2, 7, 6, 5, 4, 3, 2, 1) of a Norwegian organisation number's nine
    digits modulo 11 (0 for a valid number)."""
    return sum(w * int(d) for w, d in zip((3, 2, 7, 6, 5, 4, 3, 2, 1), digits)) % 11


def _castable_integer(value: str) -> bool:
    """Whether a string would convert to an integer (optional sign, digits, surrounding whitespace allowed)."""
    return bool(_INTEGER.fullmatch(trim(value)))


def gln(value: str) -> bool:
    """GS1 Global Location Number (ICD 0088): digits only, last digit the GS1 mod-10 check digit.

    Any length of digits is accepted, as in the Peppol rule; the GS1 weights
    3,1,3,... run from the digit next to the check digit.
    """
    return _is_digits(value) and gs1_check_digit(value[:-1]) == value[-1]


def no_orgnr(value: str) -> bool:
    """Norwegian organisation number (ICD 0192): nine digits, mod-11 check digit, not all zero."""
    if not digits(value, 9) or int(value) == 0:
        return False
    # a remainder that would need check digit 10 makes the number invalid; the sum covers it
    return no_orgnr_checksum(value) == 0


def dk_cvr_format(value: str) -> bool:
    """Danish CVR number (ICD 0184) format: eight digits, optionally prefixed by ``DK``."""
    return digits(value, 8) or (value[:2] == "DK" and digits(value[2:], 8))


def be_enterprise_number(value: str) -> bool:
    """Belgian enterprise number (ICD 0208): ten digits, the last two are 97 - (first eight mod 97)."""
    return digits(value, 10) and int(value[8:]) == 97 - int(value[:8]) % 97


def it_ipa_code(value: str) -> bool:
    """Italian IPA code (ICD 0201): exactly six ASCII letters or digits."""
    return len(value) == 6 and all(c in _ALNUM for c in value)


def _cf16(value: str) -> bool:
    letters = _ASCII_LETTERS
    return (
        all(c in letters for c in value[0:6])
        and _castable_integer(value[6:8])
        and all(c in letters for c in value[8:9])
        and _castable_integer(value[9:11])
        and _castable_integer(value[14:15])
        and all(c in letters for c in value[15:16])
    )


def it_codice_fiscale(value: str) -> bool:
    """Italian tax code (ICD 0210, EAS 9907): the 16-character personal pattern, or an 11-digit number."""
    if len(value) == 16:
        return _cf16(value)
    return _castable_integer(value) if len(value) == 11 else False


def it_partita_iva(value: str) -> bool | str:
    """Italian VAT number (ICD 0211, EAS 9906).

    Only values starting with ``IT``/``it`` are checked: the eleven digits after the prefix must pass the Luhn check.
    Any other value is accepted. Where the official function stops (a sign or a space before ten digits), why, as a text.
    """
    if value[:2] not in ("IT", "it"):
        return True
    code = value[2:]
    if len(code) == 11 and not code[0].isdigit() and re.fullmatch(r" ?[+-]?[0-9]+", code):  # (castable as xs:integer,
        return "it reads the eleven characters after IT digit by digit, and the first is no digit"  # then a cast fails)
    return digits(code, 11) and luhn_checksum(code) == 0


def se_orgnr(value: str) -> bool:
    """Swedish organisation number (ICD 0007): ten digits, the last a Luhn check digit."""
    return digits(value, 10) and luhn_checksum(value) == 0


def au_abn_checksum(value: str) -> bool:
    """The Australian Business Number weighted sum (mod 89) over the first eleven characters.

    Characters are weighted by their code point distance from ``0`` as the
    Peppol rule does, so the caller decides whether non-digits are acceptable.
    """
    if len(value) < 11:
        return False
    weights = (10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19)
    total = (ord(value[0]) - 49) * weights[0]
    total += sum((ord(c) - 48) * w for c, w in zip(value[1:11], weights[1:]))
    return total % 89 == 0


def au_abn(value: str) -> bool:
    """Australian Business Number (ICD 0151): eleven digits with a valid mod-89 weighted sum."""
    return digits(value, 11) and au_abn_checksum(value)


__all__ = [
    "xml_normalize", "digits", "gln", "no_orgnr", "dk_cvr_format", "be_enterprise_number",
    "it_ipa_code", "it_codice_fiscale", "it_partita_iva", "se_orgnr", "au_abn", "au_abn_checksum",
]
