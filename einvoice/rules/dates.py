"""Calendar dates that do not exist (EINV-DATE-*), in both syntaxes.

The official rule sets check the shape of a date (UBL: ``xs:date`` in the XSD and
PEPPOL-EN16931-F001; CII: CII-DT-097 on format 102, whose pattern admits any day
01-31 in any month), not whether the day exists. A date such as ``2024-02-30`` or
``20240230`` has the right shape but no day in the calendar: the model reads it as
no date at all, so an invoice would pass validation while ``show`` prints no date
and ``convert`` refuses it for lacking one. EINV-DATE-001 reports such dates.

The rules form the ``dates`` layer, which every profile applies (see
:mod:`einvoice.profiles`); metadata in ``schemas/rules/dates.yaml``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Iterator

from ..basics import Syntax
from ..syntax import namespaces as ns
from .engine import Document, RuleSet
from .tree import elements_named, tag_index

RULES = RuleSet("dates")

_UBL_DATE = re.compile(r"\s*(-?[0-9]{4,})-([0-9]{2})-([0-9]{2})(?:Z|[+-][0-9]{2}:[0-9]{2})?\s*\Z")
_CII_102 = re.compile(r"\s*([0-9]{4})([0-9]{2})([0-9]{2})\s*\Z")
_CII_DATE_TAGS = (f"{{{ns.UDT}}}DateTimeString", f"{{{ns.UDT}}}DateString", f"{{{ns.QDT}}}DateTimeString")


def _exists(year: str, month: str, day: str) -> bool:
    try:
        date(int(year), int(month), int(day))
    except (ValueError, OverflowError):  # day 30 of February, month 13, year 0, a year past 9999 (of any length) ...
        return False
    return True


def impossible_ubl(doc: Document) -> Iterator[Any]:
    """UBL date elements (cbc:*Date, xs:date) written as a date that does not exist."""
    if doc.root is None:
        return
    cbc = f"{{{ns.CBC}}}"  # (the names from the document's element index: no walk of the tree)
    for el in elements_named(doc, [t for t in tag_index(doc) if t and t.startswith(cbc) and t.endswith("Date")]):
        if len(el):
            continue
        text = el.text or ""
        m = _UBL_DATE.match(text)
        if m and not _exists(*m.groups()):
            yield el, {"value": text.strip()}


def impossible_cii(doc: Document) -> Iterator[Any]:
    """CII date strings in format 102 (YYYYMMDD) that name a day that does not exist."""
    if doc.root is None:
        return
    for el in elements_named(doc, _CII_DATE_TAGS):  # (from the element index, as for UBL: no walk of the tree)
        fmt = (el.get("format") or "102").strip()
        if fmt != "102" or len(el):
            continue
        text = el.text or ""
        m = _CII_102.match(text)
        if m and not _exists(*m.groups()):
            yield el, {"value": text.strip()}


RULES.add("EINV-DATE-001", lambda doc: list(impossible_ubl(doc)), syntax=Syntax.UBL)
RULES.add("EINV-DATE-001", lambda doc: list(impossible_cii(doc)), syntax=Syntax.CII)
