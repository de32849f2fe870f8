"""EN 16931 VAT category rules: the families BR-S, BR-Z, BR-E, BR-AE, BR-IC, BR-G, BR-O, BR-AF, BR-AG, BR-B.

Each family ties one VAT category code (UNTDID 5305) to what must hold for it:

* ``-01``  a category used on a line, allowance or charge has its VAT breakdown (BG-23);
* ``-02`` .. ``-04``  the seller (or its tax representative) and, for some
  categories, the buyer carry the VAT identifier the category needs, for lines,
  allowances and charges respectively;
* ``-05`` .. ``-07``  the VAT rate that goes with the category, on lines,
  allowances and charges;
* ``-08``  the breakdown's taxable amount equals what the lines, allowances and
  charges of that category (and rate) add up to;
* ``-09``  the breakdown's VAT amount (zero, or taxable amount x rate);
* ``-10``  an exemption reason is given or not, as the category requires;
* BR-IC-11/12 (delivery date or period, delivery country), BR-O-11..14 (no other
  category next to "not subject to VAT"), BR-B-01/02 (split payment: Italy only,
  never with standard rate).

What each category asks for (its rate test, the VAT identifiers, an exemption
reason or none) is data, ``schemas/structure/en16931-vat.yaml``.

The official checks differ in small details between UBL and CII (which
categories must carry the tax scheme "VAT", which VAT identifier scheme counts,
exact or tolerant comparison of amounts...). To agree with them exactly, the
checks read the document tree, one implementation per syntax, with XPath 2.0
value semantics (whitespace normalisation, untyped values compared as numbers,
``round`` halves upward). A model built in code is checked by writing it first
(:func:`einvoice.rules.en16931.on_tree`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from decimal import Decimal
from typing import Any, Callable, Iterable

from .. import releases
from ..engine import Document, load_yaml
from .. import values as V
from ..tree import STRUCTURE, _clark, children, compile_path, select_any, tag_index
from ...figures import RATED, explain_breakdowns
from . import RULES, on_tree
from .core import CAC, CBC, RAM, RSM, UDT, _cii_indicator, _ubl_indicator, _ubl_is_vat, _upper_type_is_vat, children_kept, fk

#: per VAT category code: its family, exemption reason and, per syntax, rate test and VAT identifiers (data)
_DATA = load_yaml(STRUCTURE / "en16931-vat.yaml")
CATEGORIES: dict[str, dict] = _DATA["categories"]
#: per syntax, the facts of the parties those identifiers are read from: name -> (root only, start tag, path)
FACTS = {syntax: {name: (start.startswith("/"), _clark(start.lstrip("/")), compile_path(path))
                  for name, (start, path) in facts.items()} for syntax, facts in _DATA["facts"].items()}

ZERO = Decimal(0)
HUNDRED = Decimal(100)

# --- values (einvoice.rules.values), in the forms these checks use ---------

text = V.string_value


def _up(el: Any, *tags: str | tuple[str, ...]) -> Any:
    """The ancestor reached through parents called ``tags`` (a tag, or a tuple of them), in turn; None when a
    parent is missing or called otherwise."""
    for tag in tags:
        el = el.getparent()
        if el is None or el.tag not in ((tag,) if isinstance(tag, str) else tag):
            return None
    return el


def child_decimals(el: Any, tag: str) -> list[Decimal]:
    """xs:decimal of each child called ``tag`` that is one."""
    return [d for c in children(el, tag) if (d := V.decimal_or_none(c)) is not None]


class _Index:
    """Everything the VAT checks of one syntax look at, gathered in one pass over the tree (``read``), the
    party facts (FACTS) and the values worked out from them (``once``)."""

    syntax = ""

    def __init__(self, root: Any, index: dict[str, list]):
        self.root = root
        self.by = defaultdict(list, index)  # the document's elements by name (tree.tag_index)
        self.memo: dict = {}
        self.read(self.by)
        for name, (root_only, tag, path) in FACTS[self.syntax].items():  # whether each path selects something
            starts = ([root] if root.tag == tag else []) if root_only else self.by[tag]
            setattr(self, name, any(select_any(el, path) for el in starts))

    @classmethod
    def of(cls, doc: Document) -> Any:
        """The document's index (built once per document tree)."""
        ix = doc.__dict__.get(cls.__name__)
        if ix is None or ix.root is not doc.root:
            ix = doc.__dict__[cls.__name__] = cls(doc.root, tag_index(doc))
        return ix

    def once(self, key: Any, make: Callable[[], Any]) -> Any:
        """A value worked out from the index, made once (``key`` names it)."""
        return self.memo[key] if key in self.memo else self.memo.setdefault(key, make())


# --- UBL ---------------------------------------------------------

class _UblIndex(_Index):
    syntax = "ubl"

    def read(self, by: defaultdict) -> None:
        root = self.root
        # categories: (element, normalized first ID, raw IDs, normalized IDs, is VAT)
        self.tc = [_ubl_cat(e) for e in by[CAC.TaxCategory]]
        self.ctc = [_ubl_cat(e) for e in by[CAC.ClassifiedTaxCategory]]
        # document allowance/charge categories (any level, as //cac:AllowanceCharge does)
        self.ac = []  # (cat tuple, set of indicator values, is document level)
        for cat in self.tc:
            parent = cat[0].getparent()
            if getattr(parent, "tag", None) == CAC.AllowanceCharge:
                self.ac.append((cat, _ubl_indicator(parent), parent.getparent() is root))
        # breakdown categories: /*/cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory
        self.bd = [cat for cat in self.tc
                   if (tot := _up(cat[0], CAC.TaxSubtotal, CAC.TaxTotal)) is not None and tot.getparent() is root]
        self.present = {v for c in self.tc + self.ctc for v in (*c[2], *c[3])}


def _ubl_cat(el: Any) -> tuple:
    ids = [text(i) for i in children(el, CBC.ID)]
    nids = [V.normalize_space(i) for i in ids]
    return (el, nids[0] if nids else "", ids, nids, _ubl_is_vat(el))


_ubl = _UblIndex.of


def _ac_cats(ix: _UblIndex, charge: bool, code: str, *, vat: bool = True, raw: bool = False,
             doc_level: bool = False) -> list:
    """The categories of the code (the first ID normalised, or with ``raw`` any ID as written) of allowances
    (charges) at any level (of the document with ``doc_level``: O's -03/-04, expressions over the document, which
    take an element whose indicators say both as both), VAT ones (or any)."""
    return [cat for cat, inds, is_doc in ix.ac if _taken(charge, inds, in_context=not doc_level)
            and (is_doc or not doc_level) and (cat[4] or not vat)
            and ((code in cat[2]) if raw else cat[1] == code)]


def _taken(charge: bool, indicators, in_context: bool = True) -> bool:
    """An allowance/charge of these indicators is judged as a charge (``charge``) or as an allowance: in a rule context
    one whose indicators say both is an allowance only (the official pattern tries the allowance contexts first, and
    the first context that matches takes the element). UBL and CII alike."""
    return charge in indicators and not (charge and False in indicators and in_context)


def _ctc(ix: _UblIndex, code: str, vat: bool = True) -> list:
    return [c for c in ix.ctc if c[1] == code and (c[4] or not vat)]


# --- -01: category used => exactly one / at least one breakdown ------------

def _ubl_01(code: str) -> Callable[[Document], Iterable]:
    """-01 as the UBL checks count: S a breakdown where the category is used and none where not; L and M
    (BR-AF-01 / BR-AG-01) a breakdown counted loosely where used, strictly where not; the others exactly one
    breakdown where used."""
    def check(doc: Document):
        ix = _ubl(doc)
        if code == "S":
            ok = (any(c[1] == "S" for c, _i, _d in ix.ac) or any(c[1] == "S" for c in ix.ctc)) == \
                any(c[1] == "S" for c in ix.bd)
        elif code in ("L", "M"):
            if any(c[1] == code and c[4] for c, _i, _d in ix.ac) or _ctc(ix, code):
                ok = any(code in c[2] and (c[4] or code == "L") for c in ix.bd)
            else:
                ok = not any(c[1] == code and c[4] for c in ix.bd)
        else:
            ok = not any(c[4] and code in c[3] for c in (*ix.tc, *ix.ctc)) or \
                sum(c[3].count(code) for c in ix.bd if c[4]) == 1
        if not ok:
            yield doc.root
    return check


# --- -02..-04: VAT identifiers -------------------------------------------------

def _ids_given(ix: Any, ids: dict) -> bool:
    """Whether the parties carry the VAT identifiers a category asks for (``ids`` in en16931-vat.yaml)."""
    if "none" in ids:
        return not any(getattr(ix, fact) for fact in ids["none"])
    return all(any(getattr(ix, fact) for fact in group) for group in ids["all"])


def _ubl_ids(code: str, where: str) -> Callable[[Document], Iterable]:
    """-02 (where='line'), -03 (allowance), -04 (charge)."""
    ids = CATEGORIES[code]["ubl"]["ids"]

    def check(doc: Document):
        ix = _ubl(doc)
        if where == "line":
            trigger = _ctc(ix, code)
            # BR-S-02 lets a non-VAT 'S' line category count in its escape clause
            other = _ctc(ix, code, vat=(code != "S"))
        else:  # G: any category triggers, a VAT one escapes; L: a charge's category escapes with any ID
            charge, doc_level = where == "charge", code == "O"
            trigger = _ac_cats(ix, charge, code, vat=code != "G", doc_level=doc_level)
            other = _ac_cats(ix, charge, code, raw=code == "L" and charge, doc_level=doc_level)
        if (trigger and _ids_given(ix, ids)) or not other:
            return
        yield (other or trigger or [[doc.root]])[0][0]
    return check


# --- -05..-07: rates on lines, allowances, charges ---------------------------

def _vs0(el: Any, op: str) -> bool:
    """``el op 0`` for an untyped rate as Saxon compares it ('-0.00' is below zero, 'NaN' above it);
    false where the value is no number (the official validator stops there)."""
    try:
        return V.compare_untyped(el, op, "0")
    except V.CastError:
        return False


_RATE_OPS = {"gt0": ">", "ge0": ">=", "eq0n": "="}


def _rate_failures(cats: Iterable, tag: str, kind: str) -> Iterable:
    """The rate test ``kind`` of a category on each category element: a failure at its first rate element
    ``tag`` (a general comparison: any of them may pass), or at the element when it has none."""
    for el in cats:
        rates = list(children(el, tag))
        if not rates:  # no rate: only "absent" holds (the others need a value)
            if kind != "absent":
                yield el
            continue
        if kind == "eq0":  # xs:decimal(cbc:Percent) = 0
            ok = any(d == 0 for d in child_decimals(el, tag))
        else:  # gt0, ge0, eq0n: compared as numbers
            ok = kind != "absent" and any(_vs0(r, _RATE_OPS[kind]) for r in rates)
        if not ok:
            yield rates[0]


def _rate(syntax: str, code: str, where: str) -> Callable[[Document], Iterable]:
    """-05 .. -07: the category's rate test (data) on its VAT categories of lines, allowances or charges."""
    kind = CATEGORIES[code][syntax]["rate"]
    cats, tag = (_ubl_rated, CBC.Percent) if syntax == "ubl" else (_cii_cats, RAM.RateApplicablePercent)
    return lambda doc: _rate_failures(cats(doc, code, where), tag, kind)


def _ubl_rated(doc: Document, code: str, where: str) -> list:
    """The VAT categories of ``code`` of invoice lines' items, allowances or charges (any level)."""
    ix = _ubl(doc)
    if where == "line":
        return [c[0] for c in ix.ctc if c[1] == code and c[4]
                and _up(c[0], CAC.Item, (CAC.InvoiceLine, CAC.CreditNoteLine)) is not None]
    return [c[0] for c in _ac_cats(ix, where == "charge", code)]


# --- -08..-10: the breakdown ---------------------------------------------------

def _sums(rows: Iterable[tuple]) -> dict:
    """The amounts of the rows (codes, rates, amount; None: no amount) added in order per category code (rate None) and
    per code and rate (0 for none): once per document, not per breakdown (8,000 rates read 8,000 lines each)."""
    out: dict = defaultdict(Decimal)  # (Decimal() is 0; no closure: compiled, one would share this scope, a cycle)
    for codes, rates, a in rows:
        for key in {(c, r) for c in codes for r in (None, *rates)} if a is not None else ():
            out[key] += a
    return out


def _ubl_cat_info(ix: _UblIndex) -> dict:
    """Per line (any level; its item's categories) and per allowance/charge (any level): the codes of its
    categories and their percentages, in document order (once per document; empty for the others)."""
    def make() -> dict:
        out: dict = defaultdict(lambda: ([], []))
        for cat, owner in [(c, _up(c[0], CAC.Item, (CAC.InvoiceLine, CAC.CreditNoteLine))) for c in ix.ctc] + \
                [(c, c[0].getparent()) for c, _i, _d in ix.ac]:
            if owner is not None:
                out[owner][0].append(cat[1])
                out[owner][1].extend(child_decimals(cat[0], CBC.Percent))
        return out
    return ix.once("cat info", make)


def _ubl_expected(ix: _UblIndex, tag: str, code: str, rate: Decimal | None) -> Decimal:
    """The LineExtensionAmounts of the lines of ``tag`` (children of the root) plus the document level
    charges minus its allowances (their amounts), of a category (and rate): once per document."""
    def rows() -> tuple[list, list]:
        info = _ubl_cat_info(ix)
        lines = [(*info[ln], d) for ln in children(ix.root, tag) for d in child_decimals(ln, CBC.LineExtensionAmount)]
        acs = [(*info[ac], s if charge else s.copy_negate())  # (an exact negation: the sum subtracts it)
               for ac in children(ix.root, CAC.AllowanceCharge) if ac in info
               for s in [sum(child_decimals(ac, CBC.Amount), ZERO)] for charge in (True, False)
               if charge in _ubl_indicator(ac)]
        return lines, acs
    lines, acs = ix.once(("sums", tag), lambda found=ix.once(("rows", tag), rows): [_sums(r) for r in found])  # (no cycle)
    return lines[code, rate] + acs[code, rate]


def _ubl_rate_exists(ix: _UblIndex, tag: str, code: str, rate: Decimal) -> bool:
    """Some line of ``tag`` or allowance/charge (any level) has a category of the code with that rate."""
    info = _ubl_cat_info(ix)  # (the pairs once per document, not a walk of the lines per breakdown)
    return (code, rate) in ix.once(("exists", tag), lambda: {(c, r) for el in (*ix.by[tag], *(
        cat[0].getparent() for cat, _i, _d in ix.ac)) for c in info[el][0] for r in info[el][1]})


def _ubl_bd(ix: _UblIndex, code: str) -> list:
    return [c for c in ix.bd if c[1] == code and c[4]]


def _agrees(ix: _UblIndex, code: str, bounds: tuple | None, ta: Decimal | None, rate: Decimal | None, tag: str) -> bool:
    """The lines of ``tag`` (when looked at) and the allowances and charges add up: within ``bounds`` or to ``ta``."""
    rated = code in RATED
    if (bounds if rated else ta) is None or not (_ubl_rate_exists(ix, tag, code, rate) if code == "S" else ix.by[tag]):
        return False
    expected = _ubl_expected(ix, tag, code, rate)
    return (bounds[0] < expected < bounds[1]) if rated else ta == expected


def _ubl_08(code: str) -> Callable[[Document], Iterable]:
    rated = code in RATED

    def check(doc: Document):
        ix = _ubl(doc)
        for cat in _ubl_bd(ix, code):
            sub = cat[0].getparent()
            els = list(children(sub, CBC.TaxableAmount))
            ta = next((d for c in els if (d := V.decimal_or_none(c)) is not None), None)
            # rated: xs:decimal(cbc:TaxableAmount - 1) and + 1, the untyped amount read as a double, one taken
            # or added in doubles, the result made a decimal exactly (183.23 - 1 is 182.2299999...); None where
            # the official rule stops (no single amount, or not a finite double)
            f = V.double_or_none(els[0]) if rated and len(els) == 1 else None
            bounds = (Decimal(f - 1), Decimal(f + 1)) if f is not None and math.isfinite(f) else None
            # the categories without a rate compare exactly, once; the rated ones within one unit, per rate
            if not all(any(_agrees(ix, code, bounds, ta, rate, tag) for tag in (CAC.InvoiceLine, CAC.CreditNoteLine))
                       for rate in (child_decimals(cat[0], CBC.Percent) if rated else [None])):
                yield fk(sub, CBC.TaxableAmount) if ta is not None else sub
    return check


def _ubl_09(code: str) -> Callable[[Document], Iterable]:
    rated = code in RATED

    def check(doc: Document):
        for cat in _ubl_bd(_ubl(doc), code):
            sub = cat[0].getparent()
            tax = child_decimals(sub, CBC.TaxAmount)
            if not rated:
                if not tax or tax[0] != 0:
                    yield fk(sub, CBC.TaxAmount) if tax else sub
                continue
            taxable = child_decimals(sub, CBC.TaxableAmount)
            rate = child_decimals(cat[0], CBC.Percent)
            if not (tax and taxable and rate):
                yield sub
                continue
            expected = V.round_decimal(abs(taxable[0]) * (rate[0] / HUNDRED) * 10 * 10) / HUNDRED
            if not (abs(tax[0]) - 1 < expected < abs(tax[0]) + 1):
                yield fk(sub, CBC.TaxAmount)
    return check


def _reason(syntax: str, code: str) -> Callable[[Document], Iterable]:
    """-10: an exemption reason (text or code) is given on a breakdown where the category forbids one, or
    missing where it needs one (CII: once per time the breakdown is a context, see _per_context)."""
    forbidden = CATEGORIES[code]["reason"] == "forbidden"
    tags = (CBC.TaxExemptionReason, CBC.TaxExemptionReasonCode) if syntax == "ubl" else (
        RAM.ExemptionReason, RAM.ExemptionReasonCode)

    def check(doc: Document):
        cats = [c[0] for c in _ubl_bd(_ubl(doc), code)] if syntax == "ubl" else _cii_header_for(_cii(doc), code)
        for el in cats:
            if (next(el.iterchildren(*tags), None) is not None) == forbidden:
                yield from [el] if syntax == "ubl" else _per_context(el, code, el)
    return check


# --- specials ---------------------------------------------------------------

def _ubl_ic(given: Callable[[Any], bool]) -> Callable[[Document], Iterable]:
    """BR-IC-11 / BR-IC-12: with a breakdown of category K, what ``given(root)`` asks for is there."""
    def check(doc: Document):
        if _ubl_bd(_ubl(doc), "K") and not given(doc.root):
            yield doc.root
    return check


def _ubl_delivered(root: Any) -> bool:
    """BR-IC-11: a delivery date (the first one given, two characters at least) or an invoice period with content."""
    date = next((text(fk(d, CBC.ActualDeliveryDate)) for d in children(root, CAC.Delivery)
                 if fk(d, CBC.ActualDeliveryDate) is not None), "")
    return len(date) > 1 or any(isinstance(c.tag, str) for p in children(root, CAC.InvoicePeriod) for c in p)


def _ubl_delivery_country(root: Any) -> bool:
    """BR-IC-12: the first delivery country code has two characters at least."""
    codes = root.findall(f"{CAC}Delivery/{CAC}DeliveryLocation/{CAC}Address/{CAC}Country/{CBC}IdentificationCode")
    return bool(codes) and len(text(codes[0])) > 1


def _ubl_o_only(where: str) -> Callable[[Document], Iterable]:
    def check(doc: Document):
        ix = _ubl(doc)
        if not any(c[4] and "O" in c[3] for c in ix.bd):
            return
        pool = ix.bd if where == "bd" else ix.ctc if where == "line" else [
            c for c, inds, _d in ix.ac if (where == "charge") in inds]
        # one test on the document root in CEN's UBL rules: one failure, named at the first category other than O
        yield from [c[0] for c in pool if c[1] != "O" and c[4]][:1]
    return check


# --- CII ---------------------------------------------------------

class _CiiIndex(_Index):
    syntax = "cii"

    def read(self, by: defaultdict) -> None:
        # //ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax, //ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax
        self.header_att, self.line_att = ([a for a in by[RAM.ApplicableTradeTax]
                                           if getattr(a.getparent(), "tag", None) == parent]
                                          for parent in (RAM.ApplicableHeaderTradeSettlement, RAM.SpecifiedLineTradeSettlement))
        self.ctt = by[RAM.CategoryTradeTax]
        self.present = {text(c) for c in by[RAM.CategoryCode]}
        # header ATT under /rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction (and //rsm:... contexts)
        self.tx_header_att = [a for a in self.header_att if _up(a, RAM.ApplicableHeaderTradeSettlement,
                                                                RSM.SupplyChainTradeTransaction) is not None]
        # line ATT under //rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem/ram:SpecifiedLineTradeSettlement
        self.tx_line_att = [a for a in self.line_att if _up(a, RAM.SpecifiedLineTradeSettlement,
                                                            RAM.IncludedSupplyChainTradeLineItem,
                                                            RSM.SupplyChainTradeTransaction) is not None]

    def has(self, el: Any, code: str) -> bool:
        """ram:CategoryCode = code (any CategoryCode child, compared as written)."""
        return code in self.once(el, lambda: {text(c) for c in children(el, RAM.CategoryCode)})

    def takes(self, el: Any, code: str, order: str = "AE L M E G K O S Z") -> bool:
        """``code``'s official context takes it: the first in ``order`` whose code it has (lines, allowances, charges)."""
        return self.has(el, code) and next(c for c in order.split() if self.has(el, c)) == code


_cii = _CiiIndex.of


def _cii_01(code: str) -> Callable[[Document], Iterable]:
    def check(doc: Document):
        if doc.root.tag != RSM.CrossIndustryInvoice:
            return
        ix = _cii(doc)
        h = sum(1 for a in ix.header_att if ix.has(a, code))
        l_ = sum(1 for a in ix.line_att if ix.has(a, code))
        c = sum(1 for a in ix.ctt if ix.has(a, code))
        if code in RATED:
            ok = (l_ + h >= 2 or not l_) and (c + h >= 2 or not c)
        elif code == "O":
            ok = not h or (h == 1 and (l_ or c))
        else:
            ok = (h == 0 and l_ == 0 and c == 0) or (h == 1 and (l_ or c))
        if not ok:
            yield doc.root
    return check


def _cii_cats(doc: Document, code: str, where: str) -> list:
    """The VAT taxes of ``code`` of the transaction's line items, or of allowances or charges (any level):
    //ram:SpecifiedTradeAllowanceCharge[ram:ChargeIndicator/udt:Indicator = <charge>]/ram:CategoryTradeTax."""
    ix = _cii(doc)
    if where == "line":
        return [a for a in ix.tx_line_att if ix.takes(a, code) and _upper_type_is_vat(a)]
    return [ctt for ctt in ix.ctt if getattr(ctt.getparent(), "tag", None) == RAM.SpecifiedTradeAllowanceCharge
            and _taken(where == "charge", _cii_indicator(ctt.getparent())) and ix.takes(ctt, code) and _upper_type_is_vat(ctt)]


def _cii_ids(code: str, where: str) -> Callable[[Document], Iterable]:
    ids = CATEGORIES[code]["cii"]["ids"]

    def check(doc: Document):
        cats = _cii_cats(doc, code, where)
        if cats and not _ids_given(_cii(doc), ids):
            yield from cats
    return check


def _cii_header_for(ix: _CiiIndex, code: str) -> list:
    """Header taxes (ApplicableTradeTax) whose rules apply for ``code``, as each official context selects them."""
    if code in ("S", "Z"):
        # //ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode[. = code]
        return [a for a in ix.header_att if ix.has(a, code)]
    # AE, E, G, K: //rsm:SupplyChainTradeTransaction/.../ram:CategoryCode[. = code][upper-case(../ram:TypeCode) = 'VAT']
    # L, M, O: .../ram:ApplicableTradeTax[ram:CategoryCode = code][upper-case(ram:TypeCode) = 'VAT']
    # (the same taxes; how often each is a context differs, see _per_context)
    return [a for a in ix.tx_header_att if (ix.takes(a, code, "L M O") if code in ("L", "M", "O") else ix.has(a, code))
            and _upper_type_is_vat(a)]


def _per_context(att: Any, code: str, target: Any) -> list:
    """A failure once for each time a header tax is a rule context (once per matching CategoryCode, or
    once for the tax)."""
    return [target] if code in ("L", "M", "O") else [target for c in children(att, RAM.CategoryCode) if text(c) == code]


def _cii_parts(ix: _CiiIndex, code: str, rate: Decimal | None) -> Decimal:
    """round(sum(lines)) + round(sum(charges)) - round(sum(allowances)) of a category (and rate), each as the
    official check sums them: the line totals of the transactions' lines and the actual amounts of their header
    allowances and charges (once per document). Each term is ``round(...) div 100``, a decimal even of the
    integer 0 of an empty sum, so the whole is a decimal."""
    def rows() -> tuple[list, list, list]:
        lines, acs = [], {True: [], False: []}
        root = ix.root
        for tx in children(root, RSM.SupplyChainTradeTransaction) if root.tag == RSM.CrossIndustryInvoice else ():
            for sls in tx.iterfind(f"{RAM}IncludedSupplyChainTradeLineItem/{RAM}SpecifiedLineTradeSettlement"):
                found = [d for ms in children(sls, RAM.SpecifiedTradeSettlementLineMonetarySummation)
                         for d in child_decimals(ms, RAM.LineTotalAmount)]
                lines.append((*_cii_codes_rates(sls.findall(RAM.ApplicableTradeTax)), sum(found, ZERO) if found else None))
            for ac in tx.iterfind(f"{RAM}ApplicableHeaderTradeSettlement/{RAM}SpecifiedTradeAllowanceCharge"):
                if (amount := V.decimal_or_none(fk(ac, RAM.ActualAmount))) is not None:
                    for ind in _cii_indicator(ac) & {True, False}:
                        acs[ind].append((*_cii_codes_rates(ac.findall(RAM.CategoryTradeTax)), amount))
        return lines, acs[True], acs[False]

    def parts(found: list = ix.once("sums", lambda made=ix.once("rows", rows): [_sums(r) for r in made])) -> Decimal:  # (rows
        lines, charges, allowances = (sums[code, rate] for sums in found)  # named in parts: a cycle, compiled)
        r = lambda x: V.round_decimal(x * 10 * 10) / HUNDRED  # noqa: E731
        return r(lines) + r(charges) - r(allowances)
    return ix.once(("parts", code, rate), parts)


def _cii_codes_rates(taxes: list) -> tuple[set, list]:
    """The category codes (as written) of VAT taxes and their rates."""
    return ({text(c) for t in taxes for c in children(t, RAM.CategoryCode)},
            [d for t in taxes for d in child_decimals(t, RAM.RateApplicablePercent)])


def _cii_08(code: str) -> Callable[[Document], Iterable]:
    def check(doc: Document):
        ix = _cii(doc)
        if code in ("L", "M"):
            # the official check reads the rate one level too high: it never finds one, so it always holds
            return
        for att in _cii_header_for(ix, code):
            basis_el = fk(att, RAM.BasisAmount)
            if code == "S":  # per rate (without one, nothing to compare)
                ok = all(_basis_is(att, _cii_parts(ix, code, rate)) for rate in child_decimals(att, RAM.RateApplicablePercent))
            elif code == "O":
                ok = _basis_is(att, _cii_parts(ix, code, None))
            else:  # ../ram:BasisAmount -/+ 1: doubles, compared with the sums made doubles
                f, exp = V.double_or_none(basis_el) if basis_el is not None else None, _cii_parts(ix, code, None)
                ok = f is not None and f - 1 < float(exp) < f + 1
            if not ok:
                yield from _per_context(att, code, basis_el if basis_el is not None else att)
    return check


def _basis_is(att: Any, parts: Decimal) -> bool:
    """``ram:BasisAmount = parts``: an untyped amount against a decimal as Saxon compares them, as doubles in
    Java's order ('-0' and '-0.00' are not 0); false where the amount is no number (the official validator
    stops there)."""
    try:
        return any(V.compare_untyped(b, "=", float(parts)) for b in children(att, RAM.BasisAmount))
    except V.CastError:
        return False


def _cii_09(code: str) -> Callable[[Document], Iterable]:
    def check(doc: Document):
        if code in ("L", "M"):
            return
        for att in _cii_header_for(_cii(doc), code):
            calc_el = fk(att, RAM.CalculatedAmount)
            if code == "S":
                calc, basis = V.decimal_or_none(calc_el), V.decimal_or_none(fk(att, RAM.BasisAmount))
                # the untyped rate makes the product an xs:double (INF, NaN and rounding as
                # doubles: 0 x 1e400 is NaN and fails); the decimal bounds compare as doubles
                ok = calc is not None and basis is not None and any(
                    float(abs(calc) - 1) < V.round_double(float(abs(basis)) * V.number(rate_el)) / 100 < float(abs(calc) + 1)
                    for rate_el in children(att, RAM.RateApplicablePercent))
            else:
                ok = any(_vs0(c, "=") for c in children(att, RAM.CalculatedAmount))  # '-0.00' = 0 is false
            if not ok:
                yield from _per_context(att, code, calc_el if calc_el is not None else att)
    return check


def _cii_ic(delivery: str, period: bool) -> Callable[[Document], Iterable]:
    """BR-IC-11 (a delivery date, or with ``period`` a billing period of the header settlement) and BR-IC-12
    (a delivery country): ``delivery`` is the path under the header delivery that must exist."""
    def check(doc: Document):
        cats = _cii_header_for(_cii(doc), "K")
        if not cats:
            return
        given = doc.root.tag == RSM.CrossIndustryInvoice and doc.root.find(
            f"{RSM}SupplyChainTradeTransaction/{RAM}ApplicableHeaderTradeDelivery/{delivery}") is not None
        for att in cats:
            if not (given or period and any(
                    fk(p, RAM.StartDateTime) is not None or fk(p, RAM.EndDateTime) is not None
                    for p in children(att.getparent(), RAM.BillingSpecifiedPeriod))):
                yield from _per_context(att, "K", att)
    return check


def _cii_o_only(kind: str) -> Callable[[Document], Iterable]:
    def check(doc: Document):
        ix = _cii(doc)
        cats = _cii_header_for(ix, "O")
        if not cats:
            return
        pool = ix.by[RAM.ApplicableTradeTax] if kind == "att" else ix.ctt
        if any(text(c) != "O" for t in pool for c in children(t, RAM.CategoryCode)):
            yield from cats
    return check


def _split_payment(syntax: str, rule: str) -> Callable[[Document], Iterable]:
    """BR-B-01 (split payment: every country code is IT) and BR-B-02 (never next to category S), over the
    category codes as written: in UBL, BR-B-01 reads every category, BR-B-02 the breakdown's, the document
    allowances' and charges' and the lines'; in CII both read every category code."""
    def check(doc: Document):
        if syntax == "ubl":
            ix = _ubl(doc)
            cats = (*ix.tc, *ix.ctc) if rule == "BR-B-01" else (*ix.bd, *(c for c, _i, d in ix.ac if d), *ix.ctc)
            codes, countries = {i for c in cats for i in c[2]}, ix.by[CBC.IdentificationCode]
            if rule == "BR-B-02" and not releases.of(doc, "en16931").param("br_b_02_breakdown_s", "ubl", True):
                others = (*(c for c, _i, d in ix.ac if d), *ix.ctc)  # 1.3.15: the breakdown's S is not counted
                codes = (codes - {"S"}) | ({"S"} & {i for c in others for i in c[2]})
        else:
            ix = _cii(doc)
            codes, countries = {text(c) for c in ix.by[RAM.CategoryCode]}, ix.by[RAM.CountryID]
        if "B" in codes and (any(text(c) != "IT" for c in countries) if rule == "BR-B-01" else "S" in codes):
            yield doc.root
    return check


# --- registration ------------------------------------------------

FAMILIES = {code: category["family"] for code, category in CATEGORIES.items()}


_ENTRIES: dict[str, list[tuple[str, str, Callable[[Document], Iterable]]]] = {"ubl": [], "cii": []}
_AMOUNTS = {f"{fam}-{n}": what  # the figures of -08 and -09 messages: of the taxable or the VAT amount
            for fam in FAMILIES.values() for n, what in (("08", "taxable"), ("09", "tax"))}


def _family(syntax: str) -> Callable[[Document], dict]:
    """Every VAT check of one syntax evaluated in one pass (one engine step, skipped at once when clean).

    A family's check is skipped when the document never mentions its category code:
    every check of a family needs at least one category element with that code
    (as written or whitespace-normalised) before it can fail.
    """
    index = _ubl if syntax == "ubl" else _cii
    entries = _ENTRIES[syntax]

    def evaluate(doc: Document) -> dict:
        doc = on_tree(doc)
        res: dict = {}
        with children_kept():
            present = index(doc).present
            for rid, code, fn in entries:
                if code not in present:
                    continue
                try:
                    hits = list(fn(doc))
                except Exception as exc:  # this rule's internal error
                    res[rid] = exc
                    continue
                if hits:
                    res[rid] = explain_breakdowns(doc, hits, _AMOUNTS[rid]) if rid in _AMOUNTS else hits
        return res

    evaluate.__name__ = f"vat_{syntax}"
    return evaluate


def _add(code: str, rid: str, ubl_check: Callable[[Document], Iterable], cii_check: Callable[[Document], Iterable]) -> None:
    _ENTRIES["ubl"].append((rid, code, ubl_check))
    _ENTRIES["cii"].append((rid, code, cii_check))


def _register() -> None:
    wheres = ("line", "allowance", "charge")
    for code, fam in FAMILIES.items():
        _add(code, f"{fam}-01", _ubl_01(code), _cii_01(code))
        for n, where in zip((2, 3, 4), wheres):
            _add(code, f"{fam}-0{n}", _ubl_ids(code, where), _cii_ids(code, where))
        for n, where in zip((5, 6, 7), wheres):
            _add(code, f"{fam}-0{n}", _rate("ubl", code, where), _rate("cii", code, where))
        for n, ubl_check, cii_check in ((8, _ubl_08, _cii_08), (9, _ubl_09, _cii_09)):
            _add(code, f"{fam}-{n:02d}", ubl_check(code), cii_check(code))
        _add(code, f"{fam}-10", _reason("ubl", code), _reason("cii", code))
    _add("K", "BR-IC-11", _ubl_ic(_ubl_delivered),
         _cii_ic(f"{RAM}ActualDeliverySupplyChainEvent/{RAM}OccurrenceDateTime/{UDT}DateTimeString", True))
    _add("K", "BR-IC-12", _ubl_ic(_ubl_delivery_country), _cii_ic(f"{RAM}ShipToTradeParty/{RAM}PostalTradeAddress/{RAM}CountryID", False))
    for n, where, pool in ((11, "bd", "att"), (12, "line", "att"), (13, "allowance", "ctt"), (14, "charge", "ctt")):
        _add("O", f"BR-O-{n}", _ubl_o_only(where), _cii_o_only(pool))
    for rid in ("BR-B-01", "BR-B-02"):
        _add("B", rid, _split_payment("ubl", rid), _split_payment("cii", rid))
    for syntax, entries in _ENTRIES.items():
        RULES.family([rid for rid, _code, _fn in entries], _family(syntax), syntax=syntax, name=f"en16931:vat-{syntax}")


_register()
