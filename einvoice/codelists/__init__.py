"""Code lists kept as data under ``schemas/codelists/<name>.yaml``.

Each file holds ``name``, ``source`` (where the list comes from), ``version``
and ``codes`` (a list of strings). Lists are loaded once, on first use, into
frozensets; names are case-insensitive (``get("ISO4217") == get("iso4217")``).

The lists come in families, because EN 16931 (the CEN validation artefacts)
and Peppol BIS do not always use the same edition of a list:

========================  ==========================================================
``iso4217``               currencies (EN 16931 BR-CL-03/04/05)
``iso3166``               countries, EN 16931 UBL binding (BR-CL-14/15)
``iso3166-cii``           countries, EN 16931 CII binding (has AN, lacks SS)
``uncl1001``              document type codes, every code EN 16931 accepts (CII BR-CL-01)
``uncl1001-inv`` / ``-cn``  invoice / credit note subsets (UBL BR-CL-01)
``uncl2005``              VAT point date codes, UBL (BR-CL-06)
``uncl2475``              VAT point date codes, CII ``DueDateTypeCode`` (BR-CL-06)
``uncl1153``              reference qualifiers (BR-CL-07)
``uncl4451`` / ``-cii``   note subject codes (BR-CL-08), UBL / CII editions
``icd``                   ISO 6523 ICD schemes (BR-CL-10/11/21/26)
``sepa``                  the SEPA scheme (UBL BR-CL-10, seller and payee)
``uncl7143``              item classification list ids (BR-CL-13)
``uncl4461``              payment means (BR-CL-16)
``uncl5305``              VAT category codes (BR-CL-17/18)
``uncl5189``              allowance reasons (BR-CL-19)
``uncl7161``              charge reasons (BR-CL-20)
``vatex``                 VAT exemption reason codes (BR-CL-22)
``unece-rec20-rec21``     units of measure (BR-CL-23)
``mime``                  attachment MIME codes (BR-CL-24)
``eas``                   electronic address schemes (BR-CL-25)
``peppol-*``              the Peppol BIS Billing 3.0 editions of the same lists
``xml-encodings``        the encoding names the official validators' XML parser (Java's) reads (``xmlsafe``)
========================  ==========================================================
"""

from __future__ import annotations

import functools
from pathlib import Path

from ..data import SCHEMAS

CODELISTS = SCHEMAS / "codelists"


def _path(name: str) -> Path:
    return CODELISTS / f"{name.strip().lower()}.yaml"


@functools.lru_cache(maxsize=None)
def info(name: str) -> dict:
    """The whole file of list ``name`` (name, source, version, codes); KeyError if there is no such list."""
    path = _path(name)
    if not path.exists():
        raise KeyError(f"no code list {name!r} under {CODELISTS}")
    from ..data import load_yaml

    return load_yaml(path) or {}


def get(name: str) -> frozenset[str]:
    """The codes of list ``name`` (e.g. ``"ISO4217"``, ``"uncl5305"``); KeyError if there is no such list."""
    try:
        return _SETS[name]
    except KeyError:
        pass
    codes = _codes(name.strip().lower())
    _SETS[name] = codes
    return codes


_SETS: dict[str, frozenset[str]] = {}


@functools.lru_cache(maxsize=None)
def _codes(key: str) -> frozenset[str]:
    return frozenset(str(c) for c in info(key).get("codes", []))


@functools.lru_cache(maxsize=None)
def joined(name: str) -> str:
    """The codes of ``name`` as one space-separated string with a space at each end.

    Some official checks test a value with a plain substring search in such a
    string (not a membership test); this serves rules that must mirror that.
    """
    return " " + " ".join(str(c) for c in info(name).get("codes", [])) + " "


def contains(name: str, code: str | None) -> bool:
    """True when ``code`` (whitespace-trimmed) is in list ``name``."""
    return code is not None and code.strip() in get(name)


def available() -> list[str]:
    return sorted(p.stem for p in CODELISTS.glob("*.yaml"))
