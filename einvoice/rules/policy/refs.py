"""Check digits of payment references and accounts used in the Nordic countries.

python-stdnum covers IBAN, ISO 11649 (RF), the Luhn algorithm and the Norwegian
account number; the Norwegian KID MOD11 variant, the Finnish national reference
and Swedish giro numbers are small enough to write here.
"""

from __future__ import annotations

import functools
import re

from stdnum import iban, iso11649, luhn
from stdnum.exceptions import ValidationError
from stdnum.no import kontonr

_DIGITS = re.compile(r"^\d+$")


def _clean(value: str) -> str:
    return re.sub(r"[\s.-]", "", value or "")


def kid_mod10(value: str) -> bool:
    """Norwegian KID with a MOD10 (Luhn) check digit."""
    v = re.sub(r"\s", "", value or "")
    return bool(_DIGITS.match(v)) and 2 <= len(v) <= 25 and luhn.is_valid(v)


def kid_mod11(value: str) -> bool:
    """Norwegian KID with a MOD11 check digit (weights 2..7 from the right; 10 written as '-')."""
    v = re.sub(r"\s", "", value or "")
    if not (2 <= len(v) <= 25) or not _DIGITS.match(v[:-1]) or not (v[-1].isdigit() or v[-1] == "-"):
        return False
    total = 0
    for i, ch in enumerate(reversed(v[:-1])):
        total += int(ch) * (2 + i % 6)
    check = 11 - total % 11
    expected = "0" if check == 11 else "-" if check == 10 else str(check)
    return v[-1] == expected


def kid(value: str) -> bool:
    """A Norwegian KID: valid with either the MOD10 or the MOD11 check digit."""
    return kid_mod10(value) or kid_mod11(value)


def ocr_se(value: str) -> bool:
    """Swedish OCR reference: Luhn; when a length digit is used it is the last digit but one."""
    return kid_mod10(_clean(value))  # the same test as a Norwegian KID with a Luhn digit


def finnish_reference(value: str) -> bool:
    """Finnish national reference number (viitenumero): weights 7, 3, 1 from the right."""
    v = _clean(value)
    if not _DIGITS.match(v) or not (4 <= len(v) <= 20):
        return False
    body, check = v[:-1], int(v[-1])
    weights = (7, 3, 1)
    total = sum(int(d) * weights[i % 3] for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def rf_reference(value: str) -> bool:
    """ISO 11649 creditor reference (RFnn...)."""
    return iso11649.is_valid(value or "")


def payment_reference_kind(value: str, country: str | None) -> tuple[str, bool] | None:
    """(kind, valid) for a payment reference we know how to check, None when we cannot judge it."""
    v = (value or "").strip()
    if not v:
        return None
    if v[:2].upper() == "RF":
        return "ISO 11649 creditor reference", rf_reference(v)
    digits = re.sub(r"\s", "", v)
    if not re.match(r"^\d+-?$", digits):
        return None
    if country == "NO":
        return "KID", kid(digits)
    if country == "SE":
        return "OCR", ocr_se(digits)
    if country == "FI":
        return "Finnish reference", finnish_reference(digits)
    return None


_IBAN_SHAPE = re.compile(r"^[A-Za-z]{2}\d{2}[A-Za-z0-9]+$")
# what a typed account may hold besides its letters and digits: separators, and marks no one sees (a zero-width
# space, a right-to-left override), each of which a bank's machine reading refuses
_NOT_ALNUM = re.compile(r"[-./\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def account_kind(value: str, country: str | None) -> tuple[str, bool] | None:
    """(kind, valid) for an account we know how to check, None when we cannot judge it. An IBAN written with
    separators (dashes, dots) or invisible marks is judged by its letters and digits, and not valid however its check
    digits come out: in a payment file it is refused as written (spaces, the printed form's groups, are left out)."""
    v = re.sub(r"\s", "", value or "")
    if not v:
        return None
    bare = _NOT_ALNUM.sub("", v)
    if _IBAN_SHAPE.match(bare):
        try:
            iban.validate(bare)
        except ValidationError:
            return "IBAN", False
        return ("IBAN", True) if bare == v else ("IBAN (written with separators or invisible characters)", False)
    digits = _clean(v)
    if not _DIGITS.match(digits):
        return None
    if country == "NO" and len(digits) == 11:
        return "Norwegian account number", kontonr.is_valid(digits)
    if country == "SE":
        if "-" in v and 7 <= len(digits) <= 8:
            return "bankgiro number", luhn.is_valid(digits)
        if 2 <= len(digits) <= 8:
            return "plusgiro/bankgiro number", luhn.is_valid(digits)
    return None


@functools.lru_cache(maxsize=1)
def _org_checks() -> dict:
    """ICD scheme -> (kind, check), built on first use (python-stdnum modules imported once)."""
    from stdnum import ean
    from stdnum.dk import cvr
    from stdnum.fi import ytunnus
    from stdnum.no import orgnr
    from stdnum.se import orgnr as se_orgnr

    return {
        "0192": ("Norwegian organisation number", orgnr.is_valid),
        "0007": ("Swedish organisation number", se_orgnr.is_valid),
        "0184": ("Danish CVR number", cvr.is_valid),
        "0212": ("Finnish business ID", ytunnus.is_valid),
        "0216": ("Finnish OVT code", lambda v: len(_clean(v)) >= 12 and ytunnus.is_valid(_clean(v)[4:12])),
        "0088": ("GLN", lambda v: len(_clean(v)) == 13 and ean.is_valid(_clean(v))),
    }


def organisation_number(scheme: str | None, value: str) -> tuple[str, bool] | None:
    """(kind, valid) for an organisation identifier by its ICD scheme, when python-stdnum knows it."""
    checks = _org_checks()
    entry = checks.get((scheme or "").strip())
    if entry is None or not value:
        return None
    kind, fn = entry
    try:
        return kind, bool(fn(value.strip()))
    except Exception:  # noqa: BLE001 - a check that cannot run judges nothing
        return None
