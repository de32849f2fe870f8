"""What the UBL and CII checks of the XRechnung rule set share.

The official rule set is an XSLT 2.0 schematron; its checks are reproduced on
the document tree. Values are read as XPath reads them: the string value of an
element (text across child elements, comments left out), ``normalize-space``
with XML whitespace only (space, tab, CR, LF), general comparisons that hold
when any item of a sequence matches, and regular expressions in which ``.``
and ``\\s`` have their XPath meaning (``.`` stops at CR and LF, ``\\s`` is
XML whitespace).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Iterable

from lxml import etree

from ... import codelists
from ...syntax.namespaces import CII_NS, UBL_NS
from ..values import decimal_or_none, normalize_space, round_decimal, string_value

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
SKONTO_LINE = re.compile(r"#SKONTO#TAGE=[0-9]+#PROZENT=[0-9]+\.[0-9]{2}(#BASISBETRAG=-?[0-9]+\.[0-9]{2})?#\Z")
# the text between two '#' on one line, as the rule set tokenizes the payment terms (BR-DE-18)
HASH_RUN = re.compile(r"#[^\r\n]+#")
LINE_BREAK = re.compile(r"\r?\n")
BREAK_AFTER = re.compile(r"[ \t\r\n]*\n")  # "^\s*\n": blanks, then a line feed
TELEPHONE = re.compile(r"([^\r\n]*?[0-9]){3}")  # three digits somewhere (BR-DE-27)
EMAIL = re.compile(r"[^@ \t\r\n]+@([^@. \t\r\n]+\.)+[^@. \t\r\n]+\Z")  # BR-DE-28
URL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]+:")  # an absolute URL: a scheme and a colon (BR-TMP-2)
IBAN_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[a-zA-Z0-9]{0,30}\Z")
_XML_BLANKS = re.compile(r"[ \t\r\n]")

SUPPORTED_VAT_CODES = ("S", "Z", "E", "AE", "K", "G", "L", "M")  # BR-DE-16
TYPE_CODES = ("326", "380", "384", "389", "381", "875", "876", "877")  # BR-DE-17
CREDIT_TRANSFER = ("30", "58")  # BR-DE-19, BR-DE-23
CARD = ("48", "54", "55")  # BR-DE-24
DIRECT_DEBIT = ("59",)  # BR-DE-20, BR-DE-25


def compile_ubl(expr: str) -> etree.XPath:
    return etree.XPath(expr, namespaces=UBL_NS)


def compile_cii(expr: str) -> etree.XPath:
    return etree.XPath(expr, namespaces=CII_NS)


# --- values ----------------------------------------------------------------------------------

def norm(value: Any) -> str:
    """``normalize-space`` of a text: runs of space, tab, CR and LF become one space, none at either end.

    Other characters (a no-break space U+00A0, for one) are kept, as XPath keeps them.
    """
    return normalize_space(None if value is None else str(value))


def sv(node: Any) -> str:
    """The XPath string value of an element or attribute value."""
    return string_value(node)


def nz(node: Any) -> str:
    """``normalize-space(node)``; the empty string for None."""
    return norm(sv(node)) if node is not None else ""


def nonblank(nodes: Iterable[Any]) -> bool:
    """``nodes[boolean(normalize-space(.))]`` selects something."""
    return any(nz(n) for n in nodes)


def first_nz(nodes: list) -> str:
    """``normalize-space(path)`` where the path selects at most one node (the first is taken when it selects more)."""
    return nz(nodes[0]) if nodes else ""


def telephone_ok(text: str) -> bool:
    """BR-DE-27: at least three ASCII digits in the normalized number."""
    return bool(TELEPHONE.match(text))


def email_ok(text: str) -> bool:
    """BR-DE-28: one '@', no blank, at least one dot after it, no empty part around a dot after it."""
    return bool(EMAIL.match(text))


def url_ok(text: str) -> bool:
    """BR-TMP-2: the location starts with a URL scheme (a letter, at least one more scheme character, a colon)."""
    return bool(URL.match(text))


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


def skonto_ok(notes: list) -> bool:
    """BR-DE-18 on the first note (description) of each payment terms.

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
    if not all(SKONTO_LINE.match(norm(ln)) for ln in lines):
        return False
    tails = [HASH_RUN.split(t)[-1] for t in texts if t]  # tokenize() of an empty string gives no token
    if len(tails) != 1:
        return False
    return bool(BREAK_AFTER.match(tails[0]))


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


_LISTS: dict[str, str] = {}


def icd_ext() -> str:
    s = _LISTS.get("icd")
    if s is None:
        s = _LISTS["icd"] = _haystack("xrechnung-diga", "xrechnung-icd")
    return s


def eas_ext() -> str:
    s = _LISTS.get("eas")
    if s is None:
        s = _LISTS["eas"] = _haystack("xrechnung-diga", "xrechnung-eas")
    return s


def uncl7143_cvd() -> str:
    s = _LISTS.get("7143")
    if s is None:
        s = _LISTS["7143"] = " CVD " + codelists.joined("xrechnung-uncl7143")
    return s


def mime_ext() -> frozenset[str]:
    return codelists.get("xrechnung-mime-extension")


def vehicle_categories() -> frozenset[str]:
    return codelists.get("xrechnung-cvd-vehicle")


def cva_values() -> frozenset[str]:
    return codelists.get("xrechnung-cva")


# --- xs:decimal ----------------------------------------------------------------------------

def decimal(node: Any) -> Decimal | None:
    """``xs:decimal(node)`` (None when the value is no decimal: the cast fails)."""
    return decimal_or_none(node)


class NoDecimal(Exception):
    """An ``xs:decimal`` cast the official test cannot evaluate."""


def one_decimal(nodes: list, default: Decimal | None = None) -> Decimal | None:
    """``xs:decimal(path)``: ``default`` for an absent value (an empty sequence); a value that
    is no decimal, or several values, cannot be evaluated (NoDecimal)."""
    if not nodes:
        return default
    value = decimal(nodes[0]) if len(nodes) == 1 else None
    if value is None:
        raise NoDecimal
    return value


def round_half_up(value: Decimal) -> Decimal:
    """``fn:round`` on a decimal: to the nearest integer, halves towards positive infinity."""
    return round_decimal(value)
