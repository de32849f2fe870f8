"""XPath 2.0 value semantics, as the official rule sets evaluate them (XSLT 2.0, Saxon).

Every rule module and both readers take their values from here, so one document
gets one reading of its text, numbers and dates:

* whitespace is XML whitespace only: space, tab, CR, LF (U+00A0 and other
  Unicode spaces are ordinary characters);
* the string value of an element is the text of all its descendants in order,
  comments and processing instructions left out (text after them included);
* casts of untyped values follow XML Schema: ``xs:decimal`` has no exponent and
  no INF/NaN; ``xs:double`` has exponents, ``INF``, ``+INF``, ``-INF`` and
  ``NaN`` (``+INF`` as XML Schema 1.1 and Saxon accept it); digits are ASCII only;
  leading and trailing XML whitespace is ignored, inner whitespace is not;
* ``number()`` is the ``xs:double`` cast with NaN for anything else;
* ``round`` takes halves towards positive infinity (decimals and doubles,
  ``-0`` kept for doubles); ``round-half-to-even`` is banker's rounding;
* ``xs:date`` and CII date format 102 (``YYYYMMDD``) only accept real calendar
  dates (2024-02-30 and 20240230 are not dates).

A failed cast raises :class:`CastError` (the official assertion that needs the
value does not hold); the ``*_or_none`` forms return None instead.
"""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import ROUND_HALF_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Context as DecimalContext, Decimal
from typing import Any, Iterable

WS = " \t\n\r"
_WS_RUN = re.compile(r"[ \t\n\r]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_DOUBLE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_SPECIAL = {"INF": math.inf, "+INF": math.inf, "-INF": -math.inf, "NaN": math.nan}
_DATE = re.compile(r"(-?(?:[1-9][0-9]{4,}|[0-9]{4}))-([0-9]{2})-([0-9]{2})(Z|[+-](?:0[0-9]|1[0-4]):[0-5][0-9])?")
_D102 = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
_LEAD = tuple(WS)


class CastError(ValueError):
    """An untyped value that the XPath cast it meets cannot convert."""


# --------------------------------------------------------------------------- 'and' / 'or' over errors
# An operand of XPath 2.0 'and' / 'or' may raise a dynamic error (a failed cast). Saxon reads the operands
# in order and skips the rest once one decides (false for 'and', true for 'or'): an error counts only where
# no operand decides, and then the official validator stops.

class _Stop:
    def __repr__(self) -> str:
        return "STOP"


STOP = _Stop()  # the value of an operand the official XPath stops on


SPLIT = {"stops": "it reads the element's text as one text node, and a comment or processing instruction inside the "
                  "value splits it in two (write the value without it)",  # (a finding's parameter: see text_node)
         "fix": "Write the value without the comment or processing instruction inside it."}
SEVERAL = {"stops": "it reads a single value here, and the document has several",  # (normalize-space, xs:date of a path)
           "fix": "State the value once: remove the repeated element this rule reads (the schema's finding, where there "
                  "is one, names the extra one)."}
# ("fix": the finding's hint in place of the rule's, which says how to satisfy the rule, not how to make it readable)


def failure_at(target: Any, value: Any) -> Any:
    """A rule's failure at ``target``, saying so where ``value`` is STOP: the official rule stops on the value."""
    return (target, SPLIT) if value is STOP else target


def attempt(fn: Any, errors: Any = CastError) -> Any:
    """``fn()``, or STOP where it raises one of ``errors``."""
    try:
        return fn()
    except errors:
        return STOP


def xp_and(*operands: Any) -> Any:
    """'and' of operand values (True, False or STOP): a false one decides, else a STOP stops it."""
    return False if any(v is False for v in operands) else STOP if any(v is STOP for v in operands) else True


def xp_or(*operands: Any) -> Any:
    """'or' of operand values (True, False or STOP): a true one decides, else a STOP stops it."""
    return True if any(v is True for v in operands) else STOP if any(v is STOP for v in operands) else False


def all_of(*operands: Any, errors: Any = CastError) -> bool:
    """'and' over operands given as functions, read in order up to the first false one (the others are not
    evaluated); an error (``errors``) met before is raised again only where no operand is false."""
    error = None
    for operand in operands:
        try:
            if not operand():
                return False
        except errors as exc:
            error = exc
    if error is not None:
        raise error
    return True


# --------------------------------------------------------------------------- strings


def trim(s: str | None) -> str:
    """Leading and trailing XML whitespace removed (what a cast ignores)."""
    return s.strip(WS) if s else ""


def normalize_space(s: str | None) -> str:
    """fn:normalize-space: XML whitespace trimmed and inner runs collapsed to one space."""
    if not s or " " not in s and "\n" not in s and "\t" not in s and "\r" not in s:  # most values: nothing to do
        return s or ""
    return _WS_RUN.sub(" ", s).strip(" ")


def string_value(node: Any) -> str:
    """The XPath string value: an attribute value or string as given, '' for no node.

    For an element, the text of all descendant text nodes in document order;
    comments and processing instructions are skipped, text after them kept.
    """
    if node is None or isinstance(node, str):
        return node or ""
    return node.text or "" if len(node) == 0 else "".join(node.itertext())


def nvalue(node: Any) -> str:
    """normalize-space(string value) ('' for no node)."""
    return normalize_space(string_value(node))


def attribute_of(nodes: Iterable[Any], name: str) -> str:
    """normalize-space(X/@name) over the nodes X: the one such attribute, on whichever node has it (two stop the XPath)."""
    return normalize_space(next((v for v in (n.get(name) for n in nodes) if v is not None), None))


def blank(node: Any) -> bool:
    """normalize-space(x) = '' (an absent node counts as blank)."""
    return not trim(string_value(node))


def empty_leaves(elements: Iterable[Any]) -> list:
    """The elements with no element child and a blank string value (``not(*) and not(normalize-space())``),
    in the order given: a loop over the document's element list is faster than that XPath in libxml2."""
    out = []
    for el in elements:
        if len(el) == 0:
            text = el.text  # (each read of .text makes a new string)
            if not text or text[0] in WS and text[-1] in WS and re.search(r"[^ \t\n\r]", text) is None:  # (strip() copies a
                out.append(el)  # long text, an attachment's, to find it is not blank)
        elif isinstance(el[0].tag, str):  # an element first (most parents): not a leaf
            continue
        elif not any(isinstance(c.tag, str) for c in el) and not "".join(el.itertext()).strip(WS):
            out.append(el)
    return out


def text_node(el: Any) -> str:
    """``text()`` (of a list: ``path/text()``) given to a function of one item, as every official rule here reads it:
    the one text node ('' for none); several (split by a comment, or of two elements) raise CastError (XPTY0004: the
    official validators stop). An empty CDATA section is no text node (lxml reads ``<![CDATA[]]>`` as '')."""
    found = ""
    for e in el if isinstance(el, list) else (el,):
        if e is None:
            continue
        for t in (e.text, *(c.tail for c in e)) if len(e) else (e.text,):
            if t:
                if found:
                    raise CastError("several text nodes where the rule reads one")
                found = t
    return found


# --------------------------------------------------------------------------- numbers


def _lexical(value: Any) -> str:
    return string_value(value) if hasattr(value, "tag") else (value or "")


MAX_CACHED_TEXT = 64  # longer texts are cast, not kept
_DECIMALS: dict[str, Decimal | None] = {}  # lexical value -> xs:decimal (None: not one); values repeat


def decimal_or_none(value: Any) -> Decimal | None:
    """xs:decimal cast of an element's string value or a string; None when it is not a decimal."""
    s = _lexical(value)
    try:
        return _DECIMALS[s]
    except KeyError:
        pass
    t = s.strip(WS)
    d = Decimal(t) if _DECIMAL.fullmatch(t) else None  # exact: a string is never rounded on construction
    if len(s) > MAX_CACHED_TEXT:  # (an amount has at most 19 digits: 4,096 kept 1 MB texts held 4 GB)
        return d
    if len(_DECIMALS) >= 4096:
        _DECIMALS.clear()
    _DECIMALS[s] = d
    return d


def xs_decimal(value: Any) -> Decimal:
    """xs:decimal(.) of an element or string; CastError when it is not a decimal."""
    d = decimal_or_none(value)
    if d is None:
        raise CastError(trim(_lexical(value)))
    return d


def decimal_of(node: Any) -> Decimal | None:
    """xs:decimal(x) of an optional node: None for no node (the empty sequence), CastError when not a decimal."""
    return None if node is None else xs_decimal(node)


_SAXON_DOT_WS = re.compile(r"\.[ \t\n\r]+[0-9]+")


def _finite_double(t: str) -> float | None:
    """A trimmed lexical double without the special values (INF, NaN), or None."""
    if _DOUBLE.fullmatch(t):
        return float(t)  # Python's float() reads the pattern exactly (IEEE nearest, overflow to inf)
    if _SAXON_DOT_WS.fullmatch(t):
        # Saxon quirk (casts and comparisons alike): a point, whitespace, then digits reads each
        # whitespace character as a zero digit ('. 5' is 0.05, '.  5' 0.005); nowhere else is
        # inner whitespace admitted
        return float("0." + re.sub(r"[ \t\n\r]", "0", t[1:]))
    return None


def double_or_none(value: Any) -> float | None:
    """xs:double cast of an element's string value or a string; None when it is not a double."""
    s = _lexical(value)
    t = s.strip(WS)
    f = _finite_double(t)
    if f is not None:
        return f
    # Saxon quirk: INF, +INF, -INF and NaN followed by whitespace are no doubles unless whitespace
    # also precedes them ("INF " fails, " INF " is INF); elementpath does the same
    return _SPECIAL.get(t if s[:1] in _LEAD else s)


def xs_double(value: Any) -> float:
    """xs:double(.) (also an untyped value compared with a number); CastError when it is not one."""
    f = double_or_none(value)
    if f is None:
        raise CastError(trim(_lexical(value)))
    return f


def number(value: Any) -> float:
    """fn:number: the xs:double cast, NaN when it fails (and for no node)."""
    if value is None:
        return math.nan
    f = double_or_none(value)
    return math.nan if f is None else f


def java_compare(a: float, b: float) -> int:
    """Saxon's order of doubles in a comparison of an untyped value with a number (Java's Double.compare):
    negative zero is below zero, NaN above everything and equal to itself."""
    if a != a:
        return 0 if b != b else 1
    if b != b:
        return -1
    if a != b:
        return -1 if a < b else 1
    sa, sb = math.copysign(1.0, a), math.copysign(1.0, b)
    return 0 if sa == sb else (-1 if sa < sb else 1)


def saxon_compare(a: float, op: str, b: float) -> bool:
    """``a op b`` for doubles where one side was an untyped value, as Saxon decides it.

    Ordering is :func:`java_compare` order (-0 below 0, NaN above every number);
    ``=`` holds only in that order and never for NaN (``NaN = NaN`` is false,
    ``NaN != NaN`` true); NaN against NaN is false for every ordering operator.
    """
    if a != a or b != b:
        if op == "!=":
            return True
        if op == "=" or (a != a and b != b):
            return False
    return _COMPARE[op](java_compare(a, b))


_INTEGER = re.compile(r"[+-]?[0-9]+")
_COMPARE = {"=": lambda c: c == 0, "!=": lambda c: c != 0, ">=": lambda c: c >= 0, ">": lambda c: c > 0,
            "<=": lambda c: c <= 0, "<": lambda c: c < 0}


def compare_untyped(value: Any, op: str, literal: str | float | int) -> bool:
    """``value op literal``: an untyped value (element or text) compared with a number, as Saxon does.

    ``literal`` is a numeric literal as written, or a double (or an integer) computed by the
    expression. An integer value against an integer literal compares as
    integers; anything else as doubles in :func:`java_compare` order, so
    ``'-0.00' >= 0`` is false, ``'-0' >= 0`` is true, ``'NaN' > 0`` is true and
    ``'NaN' = number('NaN')`` is false (:func:`saxon_compare`). CastError when the value is no double (the
    official validator stops there).
    """
    t = trim(_lexical(value))
    if isinstance(literal, int):  # an integer the expression computed (the sum of nothing)
        literal = str(literal)
    if isinstance(literal, float):
        f = _finite_double(t)
        f = _SPECIAL.get(t) if f is None else f
        if f is None:
            raise CastError(t)
        return saxon_compare(f, op, literal)
    if _INTEGER.fullmatch(t) and _INTEGER.fullmatch(literal):
        a, b = int(t), int(literal)
        c = (a > b) - (a < b)
    else:
        # unlike the cast, the comparison reads INF/NaN with trailing whitespace ("INF " > 0 is true)
        f = _finite_double(t)
        f = _SPECIAL.get(t) if f is None else f
        if f is None:
            raise CastError(t)
        return saxon_compare(f, op, float(literal))
    return _COMPARE[op](c)


def xs_boolean(value: Any) -> bool | None:
    """xs:boolean cast of an untyped value (None when the lexical form is not a boolean)."""
    t = _lexical(value).strip(WS)
    if t in ("true", "1"):
        return True
    return False if t in ("false", "0") else None


def boolean_compare(values: Iterable, wanted: bool, eq: bool = True) -> bool:
    """``values = true()`` (``!=`` with ``eq`` False) as Saxon reads it: in order, a value that is no boolean before
    a match stops the comparison (a cast error: a pattern with it matches nothing)."""
    return next((b is not None for b in map(xs_boolean, values) if b is None or (b == wanted) == eq), False)


def round_decimal(d: Decimal) -> Decimal:
    """fn:round on an xs:decimal: to the nearest integer, halves towards positive infinity."""
    return d.to_integral_value(rounding=ROUND_HALF_UP if d >= 0 else ROUND_HALF_DOWN)


def round_double(x: float) -> float:
    """fn:round on an xs:double: halves towards positive infinity; NaN, infinities and -0 kept."""
    if math.isnan(x) or math.isinf(x):
        return x
    f = math.floor(x)
    r = float(f + 1 if x - f >= 0.5 else f)  # x - floor(x) is exact for every double
    return math.copysign(0.0, x) if r == 0 else r


def xpath_round(value: Decimal | float) -> Decimal | float:
    """fn:round for either numeric type."""
    return round_double(value) if isinstance(value, float) else round_decimal(value)


def round_half_to_even(d: Decimal, places: int = 0) -> Decimal:
    """fn:round-half-to-even on an xs:decimal."""
    return d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)


_INT_LIMIT = Decimal(2 ** 31)


def saxon_divide(a: Decimal, b: Decimal, a_lexical: str | None = None, b_lexical: str | None = None) -> Decimal:
    """xs:decimal ``a div b`` as Saxon, the engine of the official validators, computes it where the specification
    leaves the precision to the processor (measured on saxonche 12, thousands of operand pairs): the quotient rounded
    half down to 18 decimals, or to 18 plus the dividend's scale less the divisor's where that is more. An operand
    cast from a lexical form with a point has the scale of its value without trailing zeros ('300.' is 3E2, scale -2);
    one written as an integer, or an integer literal (``lexical`` None), scale 0. So ``33.33 div 7`` is
    4.76142857142857142857 (20 decimals) and seven times it 33.32999999999999999999. Measured for a dividend of zero
    or more and a positive divisor, both below 2**31; with a negative operand, or a larger one (an integer such as
    3000000000 may count its trailing zeros, or not), Saxon's scale follows no rule found here, and the quotient is
    exact (to 60 digits)."""
    if b == 0 or a < 0 or b < 0 or a >= _INT_LIMIT or b >= _INT_LIMIT:
        return a / b

    def scale(value: Decimal, lexical: str | None) -> int:
        return -value.normalize().as_tuple().exponent if lexical and "." in lexical else 0

    places = max(18, 18 + scale(a, a_lexical) - scale(b, b_lexical))
    wide = DecimalContext(prec=max(60, places + max(0, a.adjusted() - b.adjusted()) + 4))
    return wide.divide(a, b).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_DOWN, context=wide)


_HUNDREDTHS = DecimalContext(prec=64)  # an integer of up to 64 digits divided by 100: exact, as in any larger context


def round2(d: Decimal) -> Decimal:
    """``round(x * 100) div 100`` on decimals (the official rules' two-place rounding; the division in a context of
    64 digits where the integer fits, which gives the same exact quotient as the run's 10,000 at a tenth of the cost)."""
    n = round_decimal(d * 100)
    return _HUNDREDTHS.divide(n, 100) if n.adjusted() < 63 else n / 100


def round2_double(x: float | int, tens: bool = False) -> float | int:
    """``round(x * 100) div 100`` on doubles; ``tens``: ``x * 10 * 10``, as most official totals write it (0.145 * 100 is
    14.4999..., 0.145 * 10 * 10 is 14.5). The integer of an empty sum stays that integer, as the official XPath has it."""
    return x if isinstance(x, int) else round_double(x * 10 * 10 if tens else x * 100) / 100


def double_sum(values: Iterable[float]) -> float | int:
    """fn:sum over doubles: plain left-to-right addition from the first value (the sum of one -0.0 is -0.0);
    the sum of none is the integer 0, which an untyped integer such as '-0' equals (see compare_untyped)."""
    total = None
    for v in values:
        total = v if total is None else total + v
    return 0 if total is None else total


def decimal_places_ok(node: Any, places: int = 2) -> bool:
    """string-length(substring-after(x, '.')) <= places (true for no node)."""
    s = string_value(node)
    i = s.find(".")
    return i < 0 or len(s) - i - 1 <= places


# --------------------------------------------------------------------------- dates


def date_or_none(value: Any, instant: bool = False) -> date | int | None:
    """xs:date cast, None when it is no date; ``instant``: as dates compare, its first instant in minutes (no zone: UTC,
    as here; any year). Without ``instant``, years outside 1..9999 (valid xs:date values) read as None."""
    m = _DATE.fullmatch(_lexical(value).strip(WS))
    if not m:
        return None
    try:
        y, mo, d, tz = int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4) or "Z"
        off = 0 if tz == "Z" else int(tz[0] + str(int(tz[1:3]) * 60 + int(tz[4:])))  # minutes east of UTC
        day = date(2000 + y % 400, mo, d).toordinal() + (y // 400 - 5) * 146097  # (400 Gregorian years: 146,097 days)
        return day * 1440 - off if instant else date(y, mo, d)
    except (ValueError, OverflowError):  # 2024-02-30, year 0, a year of more digits than a C long holds ...
        return None


def xs_date(value: Any, instant: bool = False) -> date:
    """xs:date(.) (``instant``: see date_or_none); CastError when it is no date."""
    d = date_or_none(value, instant)
    if d is None:
        raise CastError(trim(_lexical(value)))
    return d


def date_102(value: Any) -> date | None:
    """A CII date in format 102 (``YYYYMMDD``, surrounding XML whitespace allowed); None when it is no date."""
    m = _D102.fullmatch(_lexical(value).strip(WS))
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


__all__ = [
    "WS", "CastError", "trim", "normalize_space", "string_value", "nvalue", "blank", "text_node",
    "decimal_or_none", "xs_decimal", "decimal_of", "double_or_none", "xs_double", "number", "java_compare", "saxon_compare", "compare_untyped", "xs_boolean",
    "boolean_compare", "round_decimal", "round_double", "xpath_round", "round_half_to_even", "round2", "round2_double",
    "double_sum", "decimal_places_ok", "date_or_none", "xs_date", "date_102",
]
