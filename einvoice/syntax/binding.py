"""The business-term binding tables of the two syntaxes, and the interpreter that reads and writes by them.

Each syntax has a table (``einvoice.syntax.ubl.binding``, ``einvoice.syntax.cii.binding``)
that says, for every field of the model, which business term it is, where the syntax
puts it (an XPath relative to the element of the field's model object; ``|`` separates
alternatives), how often it may occur there, and which code mapping applies; or, in
``NOT_BOUND``, why the syntax has no place for it. ``tests/test_bindings.py`` checks the
tables against the model (every field has a row or a reason) and against the writers
(every row's path is written).

The table drives reading and writing (:class:`Binding`). A row's path is a chain of
child element names, optionally ending in ``@attribute`` (``.`` is the object's own
element); its value kind comes from the model field's type: text, decimal, date,
boolean, bytes, an amount (each syntax has its own lexical forms of these), a model
object (read and written by its own rows) or a list of them. A row's ``codes`` names a
code mapping of :data:`einvoice.syntax.codes.CODECS` (reader: syntax code -> meaning,
writer: meaning -> code). A step's predicate ``[a/b='literal']`` is written with the
step (not tested on reading); ``into`` names a step whose first element, written by
another row, takes the value (a term stated once on the first of repeated elements).
A term whose place is not a plain path (a union resolved by
document type or position, a predicate, a value spread over places) names a converter
of its syntax in ``conv``: a function pair the interpreter calls for that row instead
of the path.

Reading is lenient and keeps origins: for a single-valued row the first element of its
first step counts; a missing deeper step reads as ``None`` with the deepest element
found as the field's origin (``obj._els[field]``); a value that does not parse reads as
``None`` with its element still recorded. Writing creates a row's elements only when
it has a value, shares a container with the object's other single-valued rows (e.g.
``cac:PartyLegalEntity``), picks among alternatives the one the schema allows under the
parent, and finally puts every element's children in the order of the syntax's XSD.
"""

from __future__ import annotations

import typing
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any, Callable, NamedTuple

from ..model.base import ModelBase
from ..model.construct import construct


class Term(NamedTuple):
    field: str  # "Class.field" of the model
    term: str  # BT-/BG- (or "-" for a syntax element the model keeps)
    path: str  # XPath relative to the element of the field's object
    card: str  # cardinality in the syntax ("0..1", "1..1", "0..n")
    codes: str | None = None  # the code mapping (einvoice.syntax.codes.CODECS) the reader and writer apply
    conv: str | None = None  # a converter of the syntax for a term that is no plain path
    into: str | None = None  # writing: a step of the path whose first element, written by another row, the value
    # goes into (not written when there is none); such rows are written after the object's others


def fields_of(table: list[Term]) -> set[str]:
    return {row.field for row in table}


def attribute_fields(table: list[Term]) -> dict[str, frozenset[str]]:
    """Attribute name -> the fields ("Class.field") a table writes as that attribute (each of a row's alternatives
    ending in it: ``@schemeID``, ``cbc:InvoicedQuantity/@unitCode``)."""
    out: dict[str, set[str]] = {}
    for row in table:
        lasts = {alt.strip().rsplit("/", 1)[-1] for alt in row.path.split("|")}
        if len(lasts) == 1 and (last := lasts.pop()).startswith("@"):
            out.setdefault(last[1:], set()).add(row.field)
    return {attr: frozenset(fields) for attr, fields in out.items()}


# --------------------------------------------------------------------------- value kinds
class Kind(NamedTuple):
    """How a syntax reads and writes one kind of leaf value."""

    read: Callable[[Any], Any]  # element -> value (None when it does not parse)
    write: Callable[[Any, Any, Any], None]  # (element, value, ctx) -> sets its text / children


def _kind_of(tp: Any) -> tuple[str, type | None, bool]:
    """(kind name, model class for objects, is a list) of a model field's annotation."""
    many = False
    args = typing.get_args(tp)
    if typing.get_origin(tp) is list:
        many, tp = True, args[0]
    else:
        opts = [a for a in args if a is not type(None)]
        if opts:
            tp = opts[0]
            if typing.get_origin(tp) is list:
                many, tp = True, typing.get_args(tp)[0]
    if isinstance(tp, str) or isinstance(tp, typing.ForwardRef):
        return "object", None, many  # a self reference (InvoiceLine.sub_lines), resolved by the caller
    if isinstance(tp, type):
        if issubclass(tp, bool):
            return "bool", None, many
        if issubclass(tp, Enum):
            return "text", None, many
        if issubclass(tp, str):
            return "text", None, many
        if issubclass(tp, Decimal):
            return "decimal", None, many
        if issubclass(tp, date):
            return "date", None, many
        if issubclass(tp, bytes):
            return "bytes", None, many
        if issubclass(tp, ModelBase):
            return ("amount" if tp.__name__ == "Amount" else "object"), tp, many
    return "text", None, many


class _Alt(NamedTuple):
    steps: tuple[str, ...]  # Clark names of the child steps ("" for the object's own element)
    attr: str | None  # final attribute, if any
    pred: tuple[int, tuple[str, ...], str] | None  # (step, child path, 'literal') of a step's [a/b='literal']: written,
    # not tested on reading
    up: int = 0  # leading ``..`` steps: the path starts at an ancestor of the object's element
    fresh: tuple[bool, ...] = ()  # per step: written new for a value (else an element already there is shared)
    fresh_many: tuple[bool, ...] = ()  # the same for each value of a repeated term
    keys: tuple[tuple, ...] = ()  # per step: the key of the container it reaches (up, steps so far)
    deep: int = -1  # the deepest step whose container is shared (a single value), -1: none
    deep_many: int = -1  # the same for each value of a repeated term
    rep: int = 0  # the term's own step, the first no other row of the object passes through: a repeated term
    # is written once per value there (the steps before it are shared containers)
    into: int = -1  # the step whose first element (another row's) the value goes into (Term.into), -1: none


# the model's fields that hold a code of a code list: their meaning is the token, which is what the
# official rules compare (normalize-space); they are written with XML whitespace collapsed ('S\r\n' is
# written 'S'). Identifiers, scheme identifiers and texts are written as they are.
CODE_FIELDS = frozenset({
    ("Invoice", "type_code"), ("Invoice", "currency_code"), ("Invoice", "tax_currency_code"),
    ("Invoice", "tax_point_date_code"), ("Address", "country_code"), ("Note", "subject_code"),
    ("PaymentMeans", "code"), ("TaxCategory", "code"), ("TaxCategory", "exemption_reason_code"),
    ("AllowanceCharge", "reason_code"), ("AttachedObject", "mime_code"), ("InvoiceLine", "unit_code"),
    ("Amount", "currency_id"), ("Item", "origin_country"), ("Price", "base_quantity_unit"), ("Classification", "list_id"),
})


class _Row(NamedTuple):
    name: str
    kind: str
    cls: type | None
    many: bool
    alts: tuple[_Alt, ...]
    codec: Any
    conv: Any
    leaf: Any  # the kind's reader (None for objects)
    none_if_empty: bool = False  # an object whose element other rows share: None when none of its terms is there
    put: Any = None  # the kind's writer (None for objects)
    leaf_object: bool = False  # an object of a single value (an amount, an attachment, a classification code)
    token: bool = False  # a code (CODE_FIELDS): written with its XML whitespace collapsed


def _clark(qname: str, ns: dict[str, str]) -> str:
    prefix, _, local = qname.rpartition(":")
    return "{%s}%s" % (ns[prefix], local)


def _parse_alt(text: str, ns: dict[str, str]) -> _Alt | None:
    text = text.strip()
    up = 0
    while text.startswith("../"):
        up, text = up + 1, text[3:]
    if text == ".":
        return _Alt((), None, None, up)
    if "self::" in text or ".." in text:
        return None
    attr = None
    parts = _steps(text)
    if parts[-1].startswith("@"):
        attr = parts.pop()[1:]
    pred = None
    steps = []
    for i, p in enumerate(parts):
        if "[" in p:
            if pred is not None:
                return None
            p, _, rest = p.partition("[")
            child, _, lit = rest.rstrip("]").partition("=")
            if child.startswith("@"):
                return None
            pred = (i, tuple(_clark(x, ns) for x in child.split("/")), lit.strip("'\""))
        steps.append(_clark(p, ns))
    return _Alt(tuple(steps), attr, pred, up)


def _steps(text: str) -> list[str]:
    """The steps of a path (``/`` inside a predicate belongs to its step)."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch == "/" and not depth:
            parts.append(cur)
            cur = ""
            continue
        depth += (ch == "[") - (ch == "]")
        cur += ch
    return parts + [cur]


def _rep_step(alt: _Alt, shared: set[tuple[str, ...]]) -> int:
    """The step of a repeated term's path written once per value: the first one no other row of the
    object passes through (``ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeAllowanceCharge``
    repeats the allowance, ``cac:BillingReference/cac:InvoiceDocumentReference`` the reference)."""
    for i in range(len(alt.steps)):
        if (alt.up,) + alt.steps[: i + 1] not in shared:
            return i
    return max(len(alt.steps) - 1, 0)


def _deep(fresh: tuple[bool, ...], last: int) -> int:
    deep = -1
    for i in range(last):
        if fresh[i]:
            break
        deep = i
    return deep


def _fresh(alt: _Alt, is_object: bool) -> _Alt:
    last = len(alt.steps) - 1
    pred = alt.pred[0] if alt.pred is not None else -1
    fresh = tuple((i == last and not is_object) or i == pred for i in range(last + 1))
    fresh_many = tuple(i == last or i == alt.rep or i == pred for i in range(last + 1))
    return alt._replace(fresh=fresh, fresh_many=fresh_many,
                        keys=tuple((alt.up,) + alt.steps[: i + 1] for i in range(last + 1)),
                        deep=_deep(fresh, last), deep_many=_deep(fresh_many, last))


from lxml.etree import SubElement as _SubElement  # noqa: E402

from ..basics import children_by_tag  # noqa: E402
from ..rules.values import normalize_space as _collapse  # noqa: E402
from ..basics import first_child as _first  # noqa: E402


def decimal_text(d: Decimal) -> str:
    """An xs:decimal as written by both syntaxes: plain notation, a zero without a sign ('-0.00' would not
    equal 0 where the official CII rules compare the untyped text as a double)."""
    return format(d.copy_abs() if d.is_finite() and d.is_zero() else d, "f")


def _child(node: Any, tag: str) -> Any:
    """The first child of ``node`` with ``tag``, written when there is none (a container rows share)."""
    found = _first(node, tag)
    return found if found is not None else _SubElement(node, tag)


_EMPTY = object()  # an object row's value that is not one (see Binding._search_reader)
HEADER = frozenset({"lines", "attachment"})  # what a read of the header leaves out (the readers' lines=False)


def _children(node: Any, tag: str, kids: dict) -> Any:
    """The children of ``node`` to look for ``tag`` among: of a large container (the transaction, with its
    lines) those with the tag, indexed once per document; of a small one all of them."""
    idx = kids.get(node)
    if idx is None:
        if len(node) < 8:
            return node
        idx = kids[node] = children_by_tag(node)
    return idx.get(tag, ())


class Binding:
    """Reads and writes model objects by a syntax's table.

    ``kinds`` are the syntax's leaf kinds (text, decimal, date, bool, bytes, amount);
    ``converters`` its named converters: ``name -> (read, write)``, where
    ``read(binding, el, vals, els, ctx)`` runs after the generic rows of the object
    (either may be None: the path is then read / written as any other; a third item
    True reads the row by its path first and runs ``read`` after it);
    ``write(binding, el, obj, ctx)`` writes the term under the object's element.
    ``order`` is a function of an element's Clark name to {child Clark name: position} (the XSD).

    ``required`` ({"Class": [path, ...]}) names the containers the syntax requires of an
    object's element: they are written also when no row puts anything in them (CII's
    header agreement, delivery and settlement, a line's four parts). ``empty_none``
    ({"Class.field", ...}) names object rows whose element also holds other rows' terms
    (CII's header delivery holds BT-15/16): such an object reads as None when none of its
    own terms is there. ``search``: a path selects as XPath does (CII, whose terms sit deep
    in repeated containers: a single-valued term is the first node the whole path selects,
    in document order; a repeated one every node it selects); without it (UBL) the first
    element of a single-valued term's first step counts and a repeated term repeats at its
    first step. ``drop_empty``: an object whose terms are all written elsewhere leaves no
    empty element behind (UBL's BT-90 on a party).
    """

    def __init__(self, table: list[Term], ns: dict[str, str], kinds: dict[str, Kind],
                 converters: dict[str, tuple[Any, Any]], codecs: dict[str, Any], order: Callable[[str], dict[str, int] | None],
                 required: dict[str, list[str]] | None = None, empty_none: set[str] | frozenset = frozenset(),
                 search: bool = False, drop_empty: bool = True):
        from ..model import invoice as m

        self.ns = ns
        self.kinds = kinds
        self.order = order
        self.search = search
        self.drop_empty = drop_empty
        self.rows: dict[type, list[_Row]] = {}
        self.by_name: dict[tuple[type, str], _Row] = {}
        self._plans: dict[type, list] = {}
        self._search_plans: dict[type, tuple] = {}
        self.dispatch: dict[type, dict[str, list[tuple[_Row, _Alt]]]] = {}
        self.own: dict[type, list[tuple[_Row, _Alt]]] = {}
        self.up: dict[type, list[tuple[_Row, _Alt]]] = {}
        self.post: dict[type, list[tuple[_Row, Any]]] = {}
        self.lists: dict[type, list[str]] = {}
        self.required: dict[type, list[tuple[str, ...]]] = {}
        self.empty_none: set[tuple[type, str]] = set()
        parsed: list[tuple[type, str, Term, list[_Alt]]] = []
        shared: dict[type, list[tuple[str, set]]] = {}
        for t in table:
            cname, fname = t.field.split(".")
            cls = getattr(m, cname)
            alts = [a for a in (_parse_alt(x, ns) for x in t.path.split(" | ")) if a is not None]
            parsed.append((cls, fname, t, alts))
            prefixes = {(a.up,) + a.steps[: i + 1] for a in alts for i in range(len(a.steps))}
            shared.setdefault(cls, []).append((fname, prefixes))
        for cname, paths in (required or {}).items():
            cls = getattr(m, cname)
            self.required[cls] = [tuple(_clark(x, ns) for x in p.split("/")) for p in paths]
        for field in empty_none:
            cname, fname = field.split(".")
            self.empty_none.add((getattr(m, cname), fname))
        for cls, fname, t, alts in parsed:
            kind, sub, many = _kind_of(cls.model_fields[fname].annotation)
            if kind == "object" and sub is None:
                sub = cls
            others = set().union(*(p for f, p in shared[cls] if f != fname))
            alts = [_fresh(a._replace(rep=_rep_step(a, others)), kind == "object") for a in alts]
            if t.into:
                alts = [a._replace(into=a.steps.index(_clark(t.into, ns))) for a in alts]
            conv = converters[t.conv] if t.conv else (None, None)
            codec = codecs[t.codes] if t.codes and t.codes in codecs else None
            leaf = kinds[kind].read if kind in kinds else None
            row = _Row(fname, kind, sub, many, tuple(alts), codec, conv, leaf, (cls, fname) in self.empty_none,
                       kinds[kind].write if kind in kinds else None)
            self.rows.setdefault(cls, []).append(row)
            self.by_name[cls, fname] = row
            self.lists.setdefault(cls, [])
            if many:
                self.lists[cls].append(fname)
            d = self.dispatch.setdefault(cls, {})
            self.own.setdefault(cls, [])
            self.up.setdefault(cls, [])
            if conv[0] is not None:
                self.post.setdefault(cls, []).append((row, conv[0]))
                if len(conv) < 3 or not conv[2]:
                    continue  # read by the converter alone (else by its path first, then by the converter)
            for alt in alts:
                if alt.up:
                    self.up[cls].append((row, alt))
                elif alt.steps:
                    d.setdefault(alt.steps[0], []).append((row, alt))
                else:
                    self.own[cls].append((row, alt))

        for cls, rows in self.rows.items():
            rows[:] = [r._replace(leaf_object=r.kind == "object" and self._is_leaf_object(r.cls),
                                  token=(cls.__name__, r.name) in CODE_FIELDS) for r in rows]
            for r in rows:
                self.by_name[cls, r.name] = r
        for table_ in (self.dispatch, self.own, self.up):
            for cls, entries in table_.items():
                if isinstance(entries, dict):
                    for tag, lst in entries.items():
                        lst[:] = [(self.by_name[cls, r.name], a) for r, a in lst]
                else:
                    entries[:] = [(self.by_name[cls, r.name], a) for r, a in entries]
        for cls, entries in self.post.items():
            entries[:] = [(self.by_name[cls, r.name], fn) for r, fn in entries]

    # ----------------------------------------------------------------------- reading
    def read(self, cls: type, el: Any, ctx: Any = None, kids: dict | None = None) -> Any:
        if kids is None:
            kids = {}  # the children by tag of the containers looked into (by _children: the large ones), per read
        if self.search:
            return self._read_search(cls, el, ctx, kids)
        vals: dict[str, Any] = {}
        els: dict[str, Any] = {}
        lists: dict[str, list] = {}
        for name in self.lists[cls]:
            lists[name] = vals[name] = []
        read_at = self._read_at
        soft: set[str] = set()
        for row, alt in self.own[cls]:
            read_at(row, alt, el, el, vals, els, lists, ctx, soft, kids)
        d = self.dispatch[cls]
        for c in el:
            entries = d.get(c.tag)
            if entries is not None:
                for row, alt in entries:
                    read_at(row, alt, c, el, vals, els, lists, ctx, soft, kids)
        for row, alt in self.up[cls]:
            node = el
            for _ in range(alt.up):
                node = node.getparent()
                if node is None:
                    break
            else:
                if not alt.steps:
                    read_at(row, alt, node, el, vals, els, lists, ctx, soft, kids)
                    continue
                tag = alt.steps[0]
                for c in node:
                    if c.tag == tag:
                        read_at(row, alt, c, el, vals, els, lists, ctx, soft, kids)
        post = self.post.get(cls)
        if post:
            for row, fn in post:
                fn(self, el, vals, els, ctx)
        return construct(cls, vals, el, els)

    def _read_search(self, cls: type, el: Any, ctx: Any, kids: dict) -> Any:
        """:meth:`read` selecting as XPath does, by the class's compiled row readers (:meth:`_search_plan`)."""
        plan = self._search_plans.get(cls)
        if plan is None:
            plan = self._search_plan(cls)
        own, dispatch, up, post, list_names = plan
        vals: dict[str, Any] = {}
        els: dict[str, Any] = {}
        lists: dict[str, list] = {}
        for name in list_names:
            lists[name] = vals[name] = []
        soft: set[str] = set()
        for fn in own:
            fn(el, vals, els, lists, ctx, soft, kids)
        if dispatch:
            for c in el:
                fns = dispatch.get(c.tag)
                if fns is not None:
                    for fn in fns:
                        fn(c, vals, els, lists, ctx, soft, kids)
        for levels, tag, fn in up:
            node = el
            for _ in range(levels):
                node = node.getparent()
                if node is None:
                    break
            else:
                if tag is None:
                    fn(node, vals, els, lists, ctx, soft, kids)
                    continue
                idx = kids.get(node)
                if idx is None:
                    idx = kids[node] = children_by_tag(node)
                for c in idx.get(tag, ()):
                    fn(c, vals, els, lists, ctx, soft, kids)
        if post:
            for row, fn in post:
                fn(self, el, vals, els, ctx)
        return construct(cls, vals, el, els)

    def _search_plan(self, cls: type) -> tuple:
        """(own readers, {first step's tag: readers}, (levels up, first step, reader) of the parent paths,
        converters, list fields) of a class."""
        own = tuple(self._search_reader(row, alt) for row, alt in self.own[cls])
        dispatch = {tag: tuple(self._search_reader(row, alt) for row, alt in entries)
                    for tag, entries in self.dispatch[cls].items()}
        up = tuple((alt.up, alt.steps[0] if alt.steps else None, self._search_reader(row, alt)) for row, alt in self.up[cls])
        plan = self._search_plans[cls] = (own, dispatch, up, tuple(self.post.get(cls, ())),
                                          tuple(self.lists[cls]))
        return plan

    def _search_reader(self, row: _Row, alt: _Alt) -> Callable:
        """A function ``(element of the first step, vals, els, lists, ctx, soft, kids)`` reading one row as XPath
        selects: a single-valued term is the first node the path selects (a path that stops short in the term's
        own element records it, unless a later one gets further); a repeated one each node."""
        name, steps, attr, leaf, codec = row.name, alt.steps, alt.attr, row.leaf, row.codec and row.codec[0]
        cls, none_if_empty, read, many = row.cls, row.none_if_empty, self._read_search, row.many

        def value_of(node, ctx, kids):  # a leaf's value; an object (_EMPTY: skipped, or none of its terms there)
            if ctx is not None and ctx.skip and name in ctx.skip:  # (a term the read leaves out)
                return _EMPTY
            if attr is not None:
                value = node.get(attr)
            elif leaf is not None:
                value = leaf(node)
            else:
                value = read(cls, node, ctx, kids)
                if none_if_empty and all(v is None or v == [] for v in value.__dict__.values()):
                    return _EMPTY  # a container other terms share, without a term of this object
            return codec(value) if codec is not None else value

        if many and len(steps) > 1:
            search_all = self._search_all

            def each(c, vals, els, lists, ctx, soft, kids):
                search_all(row, alt, c, 1, vals, els, lists, ctx, kids)
            return each
        if many:
            def each_here(node, vals, els, lists, ctx, soft, kids):
                value = value_of(node, ctx, kids)
                if value is not _EMPTY:
                    lists[name].append(value)
            return each_here
        rep, search_first = alt.rep, self._search_first
        direct = leaf if attr is None and codec is None else None  # a plain leaf's value, without value_of
        later = tuple(enumerate(steps))[1:]

        def single(node, vals, els, lists, ctx, soft, kids):
            if name in els:
                if name not in soft:
                    return
            # the first child at each step, by the document's index of the containers' children: XPath's first
            # node when it gets to the end; else the deepest one reached when each step had one candidate
            c = node
            alone = True
            for i, tag in later:
                if len(node) == 1:  # most containers on the way (a date's, an identifier's): no index needed
                    found = node[0]
                    if found.tag == tag:
                        node = found
                        continue
                else:
                    idx = kids.get(node)
                    if idx is None:
                        idx = kids[node] = children_by_tag(node)
                    found = idx.get(tag)
                    if found is not None:
                        if len(found) > 1:
                            alone = False
                        node = found[0]
                        continue
                node = (node, i) if alone else search_first(c, steps, 1, kids)
                if node.__class__ is tuple:
                    if name not in els and node[1] > rep:
                        vals[name] = None
                        els[name] = node[0]
                        soft.add(name)
                    return
                break
            if name in els:
                soft.discard(name)
                del els[name]
            value = direct(node) if direct is not None else value_of(node, ctx, kids)
            if value is _EMPTY:
                vals.pop(name, None)
                return
            vals[name] = value
            els[name] = node
        return single

    def _read_at(self, row: _Row, alt: _Alt, c: Any, parent: Any, vals, els, lists, ctx, soft=None, kids=None) -> None:
        name = row.name
        if name in els and not row.many:
            return
        node = c
        steps = alt.steps
        if len(steps) > 1:
            for tag in steps[1:]:
                for nxt in node:
                    if nxt.tag == tag:
                        break
                else:
                    if row.many:
                        if row.leaf_object:
                            lists[name].append(construct(row.cls, {}, node, {}))
                        return
                    vals[name] = None
                    els[name] = node
                    return
                node = nxt
        self._value_at(row, alt, node, vals, els, lists, ctx, kids)

    def _value_at(self, row: _Row, alt: _Alt, node: Any, vals, els, lists, ctx, kids=None) -> None:
        name = row.name
        if ctx is not None and ctx.skip and name in ctx.skip:  # (a term the read leaves out)
            return
        if alt.attr is not None:
            value = node.get(alt.attr)
        elif row.leaf is not None:
            value = row.leaf(node)
        else:
            value = self.read(row.cls, node, ctx, kids)
            if row.none_if_empty and all(v is None or v == [] for v in value.__dict__.values()):
                return  # a container other terms share, without a term of this object
        if row.codec is not None and row.codec[0] is not None:
            value = row.codec[0](value)
        if row.many:
            lists[name].append(value)
        else:
            vals[name] = value
            els[name] = node

    def _search_first(self, node: Any, steps: tuple[str, ...], i: int, kids: dict) -> Any:
        """The first element the steps from ``i`` on select below ``node`` (the element of step ``i - 1``);
        when there is none, (the deepest element reached, the number of steps it took)."""
        n = len(steps)
        if i >= n:
            return node
        tag = steps[i]
        if i == n - 1:
            for c in _children(node, tag, kids):
                if c.tag == tag:
                    return c
            return (node, i)
        deepest = None
        for c in _children(node, tag, kids):
            if c.tag == tag:
                found = self._search_first(c, steps, i + 1, kids)
                if found.__class__ is not tuple:
                    return found
                if deepest is None or found[1] > deepest[1]:
                    deepest = found
        return deepest if deepest is not None else (node, i)

    def _search_all(self, row: _Row, alt: _Alt, node: Any, i: int, vals, els, lists, ctx, kids) -> None:
        steps = alt.steps
        if i >= len(steps):
            self._value_at(row, alt, node, vals, els, lists, ctx, kids)
            return
        tag = steps[i]
        hit = False
        for c in _children(node, tag, kids):
            if c.tag == tag:
                hit = True
                self._search_all(row, alt, c, i + 1, vals, els, lists, ctx, kids)
        if not hit and i == len(steps) - 1 and row.leaf_object:
            lists[row.name].append(construct(row.cls, {}, node, {}))

    def _is_leaf_object(self, cls: type) -> bool:
        return not self.dispatch.get(cls) and not self.post.get(cls)

    # ----------------------------------------------------------------------- writing
    def write(self, el: Any, obj: Any, ctx: Any = None) -> Any:
        """Write ``obj``'s rows under (and on) its element ``el``."""
        cls = type(obj)
        plan = self._plans.get(cls)
        if plan is None:
            plan = self._plan(cls)
        shared: dict[tuple, Any] = {}  # the containers the rows share, found or written once
        required = self.required.get(cls)
        if required:
            for steps in required:
                node = el
                for i, tag in enumerate(steps):
                    key = (0,) + steps[: i + 1]
                    nxt = shared.get(key)
                    if nxt is None:
                        nxt = shared[key] = _child(node, tag)
                    node = nxt
        values = obj.__dict__
        put = self.put
        for how, row, conv in plan:
            if how == 0:
                conv(self, el, obj, ctx)
            elif how == 1:
                for v in values[row.name]:
                    put(el, row, v, ctx, True, shared)
            else:
                value = values[row.name]
                if value is not None or how == 3:
                    put(el, row, value, ctx, False, shared)
        return el

    def _plan(self, cls: type) -> list:
        """How each row of a class is written: 0 by its converter, 1 each value, 2 a value, 3 a value or None
        (its code mapping writes something for None); rows without a plain path are left to their parent."""
        plan, into = [], []
        for row in self.rows[cls]:
            if row.conv[1] is not None:
                plan.append((0, row, row.conv[1]))
            elif row.alts:
                how = 1 if row.many else 3 if row.codec is not None and row.codec[1] is not None else 2
                (into if row.alts[0].into >= 0 else plan).append((how, row, None))
        plan += into  # into elements the other rows wrote
        self._plans[cls] = plan
        return plan

    def row(self, cls: type, name: str) -> _Row:
        """The row of a model field (``cls.name``)."""
        return self.by_name[cls, name]

    def put(self, el: Any, row: _Row, value: Any, ctx: Any, many: bool = False, shared: dict | None = None) -> Any:
        """Write one value of a row under ``el``; the element written, or None. ``shared``: the containers
        of ``el``'s object found or written so far (by their key)."""
        if row.token and isinstance(value, str):
            value = _collapse(value)
        codec = row.codec
        if codec is not None and codec[1] is not None:
            value = codec[1](value)
        if value is None:
            return None
        kind = row.kind
        if kind == "amount":
            if value.value is None:
                return None
        elif row.leaf_object and self._leaf_value_missing(row.cls, value):
            return None
        alts = row.alts
        alt = alts[0] if len(alts) == 1 else self._alt_for(el, row)
        steps = alt.steps
        node = el
        if alt.up:
            for _ in range(alt.up):
                node = node.getparent()
        if alt.attr is not None:
            for tag in steps:  # an attribute goes on an element another row wrote
                node = _first(node, tag)
                if node is None:
                    return None
            node.set(alt.attr, str(value.value if isinstance(value, Enum) else value))
            return node
        pred = alt.pred
        fresh = alt.fresh_many if many else alt.fresh
        last = len(steps) - 1
        start = 0
        if alt.into >= 0:  # into the first element there (another row's), or not at all
            for tag in steps[: alt.into + 1]:
                node = _first(node, tag)
                if node is None:
                    return None
            start, shared = alt.into + 1, None
        elif shared:
            deep = alt.deep_many if many else alt.deep
            if deep >= 0:
                found = shared.get(alt.keys[deep])
                if found is not None:
                    node, start = found, deep + 1
        for i in range(start, last + 1):
            tag = steps[i]
            if fresh[i]:
                reuse = _SubElement(node, tag)
                if pred is not None and pred[0] == i:
                    leaf = reuse
                    for tag_ in pred[1]:
                        leaf = _SubElement(leaf, tag_)
                    leaf.text = pred[2]
                shared = None  # below a new element nothing is shared
            elif i < last and shared is not None:
                key = alt.keys[i]
                reuse = shared.get(key)
                if reuse is None:
                    reuse = shared[key] = _child(node, tag)
            else:
                reuse = _child(node, tag)
            node = reuse
        if row.put is None:
            self.write(node, value, ctx)
            if self.drop_empty and len(node) == 0 and not node.attrib and node.text is None and node is not el and any(
                    v is not None and v != [] for v in value.__dict__.values()):
                # its terms are all written elsewhere (BT-90 on a party): no empty element for it here;
                # an object that holds nothing is written empty (the source stated the group)
                node.getparent().remove(node)
                return None
        else:
            row.put(node, value, ctx)
        return node

    def _leaf_value_missing(self, cls: type, value: Any) -> bool:
        for r, alt in self.own[cls]:
            if not alt.steps and alt.attr is None:
                # an attached object without content keeps its mime code and file name (written empty)
                return getattr(value, r.name) is None and r.kind != "bytes"
        return False

    def _alt_for(self, el: Any, row: _Row) -> _Alt:
        alts = row.alts
        if len(alts) > 1:
            allowed = self.order(el.tag)
            if allowed is not None:
                for alt in alts:
                    if alt.steps and alt.steps[0] in allowed:
                        return alt
        return alts[0]

    def sort(self, el: Any) -> None:
        """Put the children of ``el`` and of every element below it in the XSD order."""
        order = self.order(el.tag)
        children = list(el)
        if not children:
            return
        if order is not None and len(children) > 1:
            keyed = sorted(children, key=lambda c: order.get(c.tag, 10**6))
            if keyed != children:
                for c in keyed:
                    el.append(c)
        for c in children:
            self.sort(c)
